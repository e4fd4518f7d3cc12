"""The dbt project as Dagster sees it: one handle and a manifest made on demand.

The manifest is produced at load time when it is missing or older than the dbt sources, or the
seed files changed (`dbt parse`, no network), so the code location loads in a fresh clone with
no committed target/. Runs build from juesuan.pipeline.dbt_project_for(seeds_dir): the project
itself for the repository's seeds, else a copy of it beside a `seeds` link to the other folder.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from juesuan.paths import DBT_PROJECT_DIR

# Where the dbt sources live; a manifest older than any of them is parsed again.
_DBT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests")
SEEDS_DIR = DBT_PROJECT_DIR.parent / "seeds"  # dbt_project.yml: seed-paths ["../seeds"]


def dbt_executable() -> str:
    """The dbt next to this Python (a venv that is not activated has no dbt on PATH)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def dbt_target_path() -> Path:
    return Path(os.environ.get("JUESUAN_DBT_TARGET", "target"))


juesuan_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR,
                                 target_path=dbt_target_path())


def dbt_cli(project: DbtProject = juesuan_dbt_project) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable())


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in _DBT_SOURCES:
        root = DBT_PROJECT_DIR / name
        if root.is_file():
            newest = max(newest, root.stat().st_mtime)
        elif root.is_dir():
            for path in root.rglob("*"):
                if path.is_file():
                    newest = max(newest, path.stat().st_mtime)
    return newest


def _seeds_changed(manifest: Path) -> bool:
    """A seed file added or removed since the manifest was parsed (their contents do not matter)."""
    nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
    parsed = {n["name"] for n in nodes.values() if n.get("resource_type") == "seed"}
    return parsed != {p.stem for p in SEEDS_DIR.glob("*.csv")}


def _manifest_stale(manifest: Path) -> bool:
    return (not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime()
            or _seeds_changed(manifest))


def ensure_manifest(project: DbtProject = juesuan_dbt_project) -> Path:
    """Run `dbt parse` when the manifest is missing or stale; return its path.

    Several processes load the code location at once (dagster dev's code server, run workers):
    a file lock lets one parse while the others wait and then find the manifest fresh.
    """
    manifest = project.manifest_path
    if not _manifest_stale(manifest):
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.parent / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _manifest_stale(manifest):
            previous = os.environ.get("DBT_SEND_ANONYMOUS_USAGE_STATS")
            os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
            try:
                dbt_cli(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()
            finally:
                if previous is None:
                    os.environ.pop("DBT_SEND_ANONYMOUS_USAGE_STATS", None)
    return manifest
