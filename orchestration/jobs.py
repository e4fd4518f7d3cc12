"""One job builds a warehouse; the inbox sensor and the nightly schedule start it."""

import hashlib
import json

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    schedule,
    sensor,
)

from juesuan.landing import _inbox_entries

from .resources import JuesuanPaths

# The steps form one chain and share the writer's lock, so a run executes in one process.
# Runs of one instance are also queued one at a time (dagster.yaml: tag concurrency limit).
WRITER_TAG = {"juesuan/warehouse-writer": "1"}

build_job = define_asset_job(
    "build_job", selection=AssetSelection.all(), executor_def=in_process_executor, tags=WRITER_TAG,
    description="Read new or changed inbox files, build the warehouse, check it, publish it.")


def inbox_fingerprint(juesuan: JuesuanPaths) -> tuple[str, int]:
    """A cheap fingerprint of the inbox (names, sizes, modification times): it changes when a file
    is added, replaced or touched. The build itself decides by content (sha256) what to re-read."""
    entries = _inbox_entries(juesuan.inbox_paths, skip=juesuan.own_files)
    listing = []
    for path, _ in entries:
        stat = path.stat()
        listing.append((str(path), stat.st_size, stat.st_mtime_ns))
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest(), len(entries)


@sensor(job=build_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING,
        description="Watches the inbox; when files arrive or change, one build run for the whole batch.")
def inbox_sensor(context: SensorEvaluationContext, juesuan: JuesuanPaths):
    fingerprint, count = inbox_fingerprint(juesuan)
    if context.cursor == fingerprint:
        return SkipReason(f"{count} file(s) in the inbox, nothing new or changed")
    context.update_cursor(fingerprint)
    if count == 0:
        return SkipReason("the inbox is empty")
    return RunRequest(run_key=f"inbox:{fingerprint[:16]}", tags={"juesuan/trigger": "inbox"})


@schedule(job=build_job, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai",
          default_status=DefaultScheduleStatus.RUNNING,
          description="Every night: rebuild, recheck and publish the whole warehouse.")
def daily_rebuild(context):
    return RunRequest(run_key=None, tags={"juesuan/trigger": "daily"})
