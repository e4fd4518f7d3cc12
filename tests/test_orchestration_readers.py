"""A BI client holding the published warehouse open is never blocked or broken by a build.

DuckDB admits one writer per file and then refuses other processes, so the build writes a new
file and renames it over the published one; a reader keeps the file it opened (its inode) and so
reads the same totals before, during and after the build, and sees the new build when it reopens.
"""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import build_into, renamed_department, shared_document

REPO = Path(__file__).resolve().parents[1]
DOCUMENT = "qingyuan_rsj_2023_final.txt"
TOTALS = "select count(*), sum(amount), count(distinct document_key) from marts.all_amounts"

READER = r"""
import json, os, sys, time
import duckdb
warehouse, stop, totals = sys.argv[1], sys.argv[2], sys.argv[3]
def read(con):
    count, amount, documents = con.execute(totals).fetchall()[0]
    return [count, str(amount), documents]
con = duckdb.connect(warehouse, read_only=True)
print(json.dumps({"ready": read(con)}), flush=True)
samples = []
while not os.path.exists(stop):
    samples.append(read(con))
    time.sleep(0.05)
samples.append(read(con))
con.close()
with duckdb.connect(warehouse, read_only=True) as fresh:
    reopened = read(fresh)
print(json.dumps({"samples": samples, "reopened": reopened}), flush=True)
"""


def read_totals(warehouse: Path) -> list:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        count, amount, documents = con.execute(TOTALS).fetchall()[0]
    return [count, str(amount), documents]


def test_reader_keeps_consistent_data_through_a_build(tmp_path):
    source = shared_document(DOCUMENT)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(source, inbox / DOCUMENT)
    warehouse = tmp_path / "warehouse" / "juesuan.duckdb"
    assert build_into([inbox], warehouse).published
    before = read_totals(warehouse)

    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(warehouse), str(stop), TOTALS],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = json.loads(reader.stdout.readline())
        assert ready["ready"] == before
        # A second document arrives (another department): the next build has two.
        renamed_department(source, inbox / "another_department.txt", "清远市读者测试局")
        started = time.monotonic()
        second = build_into([inbox], warehouse)
        building_seconds = time.monotonic() - started
        assert second.published, second.error
        after = read_totals(warehouse)  # a second process reads the new file meanwhile
        stop.touch()
        out, err = reader.communicate(timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait(timeout=10)
    assert reader.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    samples = result["samples"]
    assert len(samples) >= min(20, building_seconds * 5), "the reader did not sample during the build"
    assert all(sample == before for sample in samples)
    assert after[2] == before[2] + 1 and after[0] == 2 * before[0]
    assert result["reopened"] == after
