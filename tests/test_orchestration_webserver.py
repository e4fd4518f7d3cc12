"""`dagster dev` (no flags: pyproject [tool.dagster]) serves the full asset graph on loopback."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_dagster_dev_serves_every_asset(tmp_path):
    from orchestration.definitions import defs

    expected = {tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")  # telemetry off
    (tmp_path / "inbox").mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home), "JUESUAN_INBOX": str(tmp_path / "inbox"),
           "JUESUAN_WAREHOUSE": str(tmp_path / "warehouse" / "juesuan.duckdb"), "DAGSTER_DISABLE_TELEMETRY": "1",
           # as after `. .venv/bin/activate` (README): dagster-dbt's prepare_if_dev runs the dbt on PATH
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    port = free_port()
    dagster = Path(sys.executable).parent / "dagster"
    log = (tmp_path / "dagster.log").open("w")
    process = subprocess.Popen([str(dagster), "dev", "-h", "127.0.0.1", "-p", str(port)], cwd=REPO, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, (tmp_path / "dagster.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "dagster dev did not answer in time"
            time.sleep(0.5)
        answer = graphql(port, "{ assetNodes { assetKey { path } } }")
        found = {tuple(node["assetKey"]["path"]) for node in answer["data"]["assetNodes"]}
        assert found == expected
        assert {("landing_zone",), ("raw_tables",), ("raw", "raw_cells"), ("marts", "all_amounts"),
                ("validation",), ("published_warehouse",)} <= found
        checks = graphql(port, '{ assetNodes(assetKeys: [{path: ["marts", "dim_document"]}]) '
                               "{ assetChecksOrError { ... on AssetChecks { checks { name } } } } }")
        names = [c["name"] for c in checks["data"]["assetNodes"][0]["assetChecksOrError"]["checks"]]
        assert any(name.startswith("unique_dim_document") for name in names)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()
    assert not any(p.name.startswith(".tmp_dagster_home") for p in REPO.iterdir())
