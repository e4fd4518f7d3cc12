"""`dagster dev` as a user starts it from the repository (no flags: pyproject's [tool.dagster]), for tests.

The server gets its own DAGSTER_HOME (the repository's dagster.yaml copied in: telemetry off, one
writer run at a time), its inbox and warehouse through JUESUAN_INBOX / JUESUAN_WAREHOUSE, and the
venv's bin on PATH as after activating it (dagster-dbt's prepare_if_dev runs the dbt on PATH).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DagsterDev:
    port: int
    process: subprocess.Popen
    log: Path

    def graphql(self, query: str) -> dict:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/graphql",
                                         data=json.dumps({"query": query}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def runs(self) -> list[dict]:
        answer = self.graphql("{ runsOrError { ... on Runs { results { runId jobName status } } } }")
        return answer["data"]["runsOrError"]["results"]

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]


def _wait_until_serving(server: DagsterDev) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.process.poll() is not None:
            raise AssertionError(f"dagster dev exited: {server.log_tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/server_info", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"dagster dev did not answer in {START_TIMEOUT} s: {server.log_tail()}")
        time.sleep(0.5)


@contextmanager
def dagster_dev(work: Path, inbox: Path, warehouse: Path) -> Iterator[DagsterDev]:
    """A running `dagster dev` (webserver and daemon: the inbox sensor and schedule run), stopped on exit."""
    home = work / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "JUESUAN_INBOX": str(inbox), "JUESUAN_WAREHOUSE": str(warehouse),
           "DAGSTER_DISABLE_TELEMETRY": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    port = free_port()
    log_path = work / "dagster.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1",
                                    "-p", str(port)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        server = DagsterDev(port, process, log_path)
        try:
            _wait_until_serving(server)
            yield server
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
