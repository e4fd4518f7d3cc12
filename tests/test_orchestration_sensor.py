"""The inbox sensor: a new or changed document gets its partition and one run; the same file gets none."""
import shutil
from pathlib import Path

import pytest
from conftest import shared_document as shared_document_named
from dagster import DagsterInstance, SensorResult, SkipReason, build_sensor_context

from orchestration.jobs import inbox_sensor
from orchestration.resources import JuesuanPaths

DOCUMENT = "qingyuan_rsj_2023_final.txt"


def shared_document() -> Path:
    return shared_document_named(DOCUMENT)


def evaluate(instance, inbox: Path, tmp_path: Path, cursor):
    paths = JuesuanPaths(inbox=[str(inbox)], warehouse=str(tmp_path / "w" / "juesuan.duckdb"),
                         seeds_dir=str(tmp_path / "seeds"))
    context = build_sensor_context(instance=instance, cursor=cursor, resources={"juesuan": paths})
    return inbox_sensor(context)


def test_new_document_one_run_same_file_none(tmp_path):
    source = shared_document()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    instance = DagsterInstance.ephemeral()

    empty = evaluate(instance, inbox, tmp_path, None)
    assert isinstance(empty, SkipReason)

    shutil.copy(source, inbox / DOCUMENT)
    result = evaluate(instance, inbox, tmp_path, None)
    assert isinstance(result, SensorResult)
    assert len(result.run_requests) == 1
    request = result.run_requests[0]
    assert request.partition_key == "qingyuan_rsj_2023_final"
    assert request.run_config["ops"]["source_document"]["config"]["path"] == str((inbox / DOCUMENT).resolve())
    assert [r.partition_keys for r in result.dynamic_partitions_requests] == [["qingyuan_rsj_2023_final"]]

    # The daemon applies the partition request and stores the cursor; then the same file again.
    instance.add_dynamic_partitions("documents", ["qingyuan_rsj_2023_final"])
    again = evaluate(instance, inbox, tmp_path, result.cursor)
    assert isinstance(again, SkipReason)

    # Changed content: one run again, for the same partition, and no new partition.
    with (inbox / DOCUMENT).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    changed = evaluate(instance, inbox, tmp_path, result.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["qingyuan_rsj_2023_final"]
    assert changed.run_requests[0].run_key != request.run_key
    assert not changed.dynamic_partitions_requests

    # Back to the first content: a run again, under a run key not used before.
    shutil.copy(source, inbox / DOCUMENT)
    reverted = evaluate(instance, inbox, tmp_path, changed.cursor)
    assert [r.partition_key for r in reverted.run_requests] == ["qingyuan_rsj_2023_final"]
    assert reverted.run_requests[0].run_key not in {request.run_key, changed.run_requests[0].run_key}
