"""The inbox sensor: a batch of new or changed files gets one build run; an unchanged inbox none."""
import os
import shutil
from pathlib import Path

from conftest import shared_document
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

from orchestration.jobs import build_job, inbox_sensor
from orchestration.resources import JuesuanPaths

DOCUMENT = "qingyuan_rsj_2023_final.txt"


def evaluate(instance, inbox: Path, tmp_path: Path, cursor):
    paths = JuesuanPaths(inbox=[str(inbox)], warehouse=str(tmp_path / "w" / "juesuan.duckdb"))
    context = build_sensor_context(instance=instance, cursor=cursor, resources={"juesuan": paths})
    return inbox_sensor(context), context.cursor


def test_one_run_per_batch_none_for_an_unchanged_inbox(tmp_path):
    source = shared_document(DOCUMENT)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    instance = DagsterInstance.ephemeral()

    empty, cursor = evaluate(instance, inbox, tmp_path, None)
    assert isinstance(empty, SkipReason)

    for name in ("a.txt", "b.txt", "c.txt"):  # three files at once: one run
        shutil.copy(source, inbox / name)
    batch, cursor = evaluate(instance, inbox, tmp_path, cursor)
    assert isinstance(batch, RunRequest)
    assert inbox_sensor.job_name == build_job.name

    again, same_cursor = evaluate(instance, inbox, tmp_path, cursor)
    assert isinstance(again, SkipReason) and same_cursor == cursor

    with (inbox / "b.txt").open("a", encoding="utf-8") as handle:  # one changed file: one run again
        handle.write("\n")
    changed, changed_cursor = evaluate(instance, inbox, tmp_path, cursor)
    assert isinstance(changed, RunRequest) and changed.run_key != batch.run_key

    os.unlink(inbox / "c.txt")  # a file taken away changes the inbox too
    removed, _ = evaluate(instance, inbox, tmp_path, changed_cursor)
    assert isinstance(removed, RunRequest)
