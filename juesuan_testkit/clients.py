"""The DuckDB 1.x clients analysts use, installed from the registries for the tests.

The duckdb CLI comes from PyPI's `duckdb-cli` wheel, installed into its own folder (never into
.venv, which holds DuckDB 2.0); @duckdb/node-api comes from npm into tests/clients/node_modules.
Both installs are kept under build/ and tests/clients/ (ignored by git), so a second run is fast.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENTS_DIR = ROOT / "build" / "clients"
NODE_CLIENT_DIR = ROOT / "tests" / "clients"
DUCKDB_CLI_VERSION = "1.5.6"


class ClientUnavailable(RuntimeError):
    """A client could not be installed (no registry, no node)."""


def duckdb_cli() -> Path:
    target = CLIENTS_DIR / f"duckdb-cli-{DUCKDB_CLI_VERSION}"
    executable = target / "duckdb_cli" / "duckdb"
    if not executable.exists():
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
             f"duckdb-cli=={DUCKDB_CLI_VERSION}"], capture_output=True, text=True)
        if done.returncode != 0 or not executable.exists():
            raise ClientUnavailable(f"pip could not install duckdb-cli {DUCKDB_CLI_VERSION}: {done.stderr[-2000:]}")
    executable.chmod(0o755)
    return executable


def run_duckdb_cli(warehouse: Path, sql: str) -> list[dict]:
    """Rows of `sql` as the 1.x CLI returns them, from the warehouse opened read-only."""
    done = subprocess.run([str(duckdb_cli()), "-readonly", "-json", str(warehouse), "-c", sql],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"duckdb CLI failed: {done.stderr.strip()}")
    return json.loads(done.stdout or "[]")


def node_client() -> Path:
    script = NODE_CLIENT_DIR / "open_warehouse.mjs"
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise ClientUnavailable("node and npm are needed for @duckdb/node-api")
    if not (NODE_CLIENT_DIR / "node_modules" / "@duckdb" / "node-api").is_dir():
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-package-lock"],
                              cwd=NODE_CLIENT_DIR, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise ClientUnavailable(f"npm install failed: {done.stderr[-2000:]}")
    return script


def run_node_client(warehouse: Path, sql: str) -> dict:
    """{version, rows, comments} as @duckdb/node-api reads them, the warehouse opened read-only."""
    done = subprocess.run(["node", str(node_client()), str(warehouse), sql],
                          capture_output=True, text=True, timeout=120, cwd=NODE_CLIENT_DIR)
    if done.returncode != 0:
        raise RuntimeError(f"@duckdb/node-api failed: {done.stderr.strip()}")
    return json.loads(done.stdout)
