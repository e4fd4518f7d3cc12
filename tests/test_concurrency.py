"""One writer at a time, and a build killed at any stage leaves nothing a rerun cannot finish."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, query, renamed_department
from juesuan.writer_lock import lock_path_for

JUESUAN = [sys.executable, "-m", "juesuan.cli"]
FACTS = "select document_key, statement, row_key, measure, amount from marts.all_amounts order by all"
STATES = "select document_key, status, status_reason from marts.dim_document order by all"


def start_build(inbox: Path, warehouse: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*JUESUAN, "build", "--documents", str(inbox), "--warehouse", str(warehouse), *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def wait_for_line(process: subprocess.Popen, prefix: str, timeout: float = 300) -> list[str]:
    seen, deadline = [], time.monotonic() + timeout
    for line in process.stdout:
        seen.append(line)
        if line.startswith(prefix):
            return seen
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"no line starting with {prefix!r} in: {''.join(seen)[-2000:]}")


def processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in command and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, qingyuan_path):
    folder = tmp_path_factory.mktemp("concurrent") / "inbox"
    folder.mkdir()
    for number in range(4):
        renamed_department(qingyuan_path, folder / f"dept_{number}.txt", f"清远市并发测试{number}局")
    return folder


@pytest.fixture(scope="module")
def reference(inbox, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("reference") / "juesuan.duckdb"
    done = subprocess.run([*JUESUAN, "build", "--documents", str(inbox), "--warehouse", str(warehouse), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]
    return warehouse


def test_a_second_build_waits_or_says_who_is_writing(inbox, reference, tmp_path):
    warehouse = tmp_path / "juesuan.duckdb"
    first = start_build(inbox, warehouse)
    wait_for_line(first, "inbox:")
    busy = subprocess.run([*JUESUAN, "build", "--documents", str(inbox), "--warehouse", str(warehouse), "--no-wait"],
                          cwd=ROOT, capture_output=True, text=True)
    assert busy.returncode == 4
    assert f"is being built by the build of pid {first.pid}" in busy.stdout
    second = start_build(inbox, warehouse)
    assert first.wait(timeout=600) == 0
    rest = second.communicate(timeout=600)[0]
    assert second.returncode == 0, rest[-2000:]
    assert f"waiting: juesuan.duckdb is being built by the build of pid {first.pid}" in rest
    assert query(warehouse, FACTS) == query(reference, FACTS)


@pytest.mark.parametrize("stage", ["extract:", "dbt: building", "checks:"])
def test_kill_9_at_any_stage_then_a_rerun_gives_the_same_warehouse(inbox, reference, tmp_path, stage):
    warehouse = tmp_path / "juesuan.duckdb"
    build = start_build(inbox, warehouse)
    wait_for_line(build, stage)
    os.kill(build.pid, signal.SIGKILL)  # the CLI alone: its children must not outlive it for long
    build.wait()
    rerun = subprocess.run([*JUESUAN, "build", "--documents", str(inbox), "--warehouse", str(warehouse), "--quiet"],
                           cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stdout[-2000:]
    assert query(warehouse, FACTS) == query(reference, FACTS)
    assert query(warehouse, STATES) == query(reference, STATES)
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.startswith(".") and p.name not in (".gitkeep",)]
    assert [name for name in leftovers if name.endswith(".building") or name in (".incoming", ".outgoing")] == []
    deadline = time.monotonic() + 120
    while processes_naming(str(warehouse)) and time.monotonic() < deadline:
        time.sleep(1)
    assert processes_naming(str(warehouse)) == []


def test_a_dagster_run_takes_the_same_lock_as_the_cli(inbox, tmp_path):
    """A run started by Dagster (sensor, schedule, UI) holds the writer's lock through its resource:
    while another writer holds it, a run that may not wait fails at its first step, naming the holder."""
    from dagster import DagsterInstance

    from juesuan.writer_lock import WriterLock
    from orchestration.definitions import definitions_for
    from orchestration.jobs import build_job
    from orchestration.resources import JuesuanPaths
    from orchestration.run import failure_message

    warehouse = tmp_path / "juesuan.duckdb"
    paths = JuesuanPaths(inbox=[str(inbox)], warehouse=str(warehouse))
    job = definitions_for(paths, wait=False).resolve_job_def(build_job.name)
    holder = WriterLock(warehouse)
    holder.acquire(wait=False)
    try:
        result = job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)
    finally:
        holder.release()
    assert not result.success and not warehouse.exists()
    assert failure_message(result).startswith(f"busy: juesuan.duckdb is being built by the build of pid {os.getpid()}")


def lock_is_held(warehouse: Path) -> bool:
    path = lock_path_for(warehouse)
    if not path.exists():
        return False
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def test_a_cli_build_while_dagster_dev_builds_waits_for_it(inbox, reference, tmp_path):
    """`make run` while `dagster dev`'s inbox sensor has started a build of the same warehouse: the
    CLI says who is writing (or waits for it), both finish, and the warehouse is the CLI's alone."""
    from juesuan_testkit.dagster_dev import dagster_dev

    warehouse = tmp_path / "warehouse" / "juesuan.duckdb"
    with dagster_dev(tmp_path, inbox, warehouse) as server:
        deadline = time.monotonic() + 300
        while not lock_is_held(warehouse):  # the sensor (every 30 s) starts a run of build_job
            assert time.monotonic() < deadline, f"no Dagster run took the warehouse: {server.log_tail()}"
            time.sleep(0.2)
        busy = subprocess.run([*JUESUAN, "build", "--documents", str(inbox), "--warehouse", str(warehouse),
                               "--no-wait"], cwd=ROOT, capture_output=True, text=True)
        assert busy.returncode == 4, busy.stdout[-2000:] + busy.stderr[-2000:]
        holder = json.loads(lock_path_for(warehouse).read_text(encoding="utf-8"))
        assert f"juesuan.duckdb is being built by the build of pid {holder['pid']}" in busy.stdout
        waited = subprocess.run([*JUESUAN, "build", "--documents", str(inbox), "--warehouse", str(warehouse),
                                 "--quiet"], cwd=ROOT, capture_output=True, text=True)
        assert waited.returncode == 0, waited.stdout[-2000:] + waited.stderr[-2000:]
        while any(run["status"] in ("QUEUED", "STARTING", "STARTED") for run in server.runs()):
            assert time.monotonic() < deadline + 300, server.log_tail()
            time.sleep(1)
        runs = server.runs()
        assert runs and all(run["jobName"] == "build_job" and run["status"] == "SUCCESS" for run in runs), runs
    assert query(warehouse, FACTS) == query(reference, FACTS)
    assert query(warehouse, STATES) == query(reference, STATES)
    assert processes_naming(str(warehouse)) == []
