"""Jobs, the inbox sensor and the daily schedule."""

import json
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    in_process_executor,
    schedule,
    sensor,
)

from juesuan.extract import SUPPORTED_SUFFIXES
from juesuan.extract.document import document_id_for, sha256_of

from .assets import documents_partitions, extracted_document, source_document
from .resources import JuesuanPaths

# The steps form one chain, so runs execute in one process (a subprocess per step costs
# seconds of start-up each). Every run writes the same warehouse: the instance's run queue should admit one at a time
# (tag concurrency limit on this tag: dagster.yaml at the repository root).
WRITER_TAG = {"juesuan/warehouse-writer": "1"}

DOCUMENT_ASSETS = AssetSelection.assets(source_document, extracted_document)
WAREHOUSE_ASSETS = AssetSelection.all() - DOCUMENT_ASSETS

# One document: read it, then rebuild, validate and publish the warehouse with it.
document_job = define_asset_job("document_job", selection=AssetSelection.all(), partitions_def=documents_partitions,
                                executor_def=in_process_executor, tags=WRITER_TAG,
                                description="Extract one document (its partition) and rebuild the warehouse.")
# Only the reading of one document (what juesuan build runs for each changed document).
extract_job = define_asset_job("extract_job", selection=DOCUMENT_ASSETS, partitions_def=documents_partitions,
                               executor_def=in_process_executor, tags=WRITER_TAG, description="Extract one document (its partition).")
# The whole warehouse from what is extracted: merge, dbt build, validate, publish.
warehouse_job = define_asset_job("warehouse_job", selection=WAREHOUSE_ASSETS, executor_def=in_process_executor,
                                 tags=WRITER_TAG,
                                 description="Rebuild, revalidate and publish the whole warehouse.")


def scan_inbox(folders: list[Path]) -> dict[str, tuple[str, Path]]:
    """document id -> (sha256, path) for every readable-looking file in the inbox folders."""
    found: dict[str, tuple[str, Path]] = {}
    for folder in folders:
        candidates = [folder] if folder.is_file() else sorted(folder.iterdir()) if folder.is_dir() else []
        for path in candidates:
            if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in SUPPORTED_SUFFIXES:
                found[document_id_for(path)] = (sha256_of(path), path.resolve())
    return found


@sensor(job=document_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING,
        description="Watches the inbox: a new or changed document (by content hash) gets its partition "
                    "and one run; an unchanged one does nothing.")
def inbox_sensor(context: SensorEvaluationContext, juesuan: JuesuanPaths):
    # cursor: document id -> [sha256, revision]; the revision keeps run keys unique when a file
    # goes back to an earlier content (A -> B -> A), which a run key of the hash alone would drop.
    seen: dict[str, list] = json.loads(context.cursor) if context.cursor else {}
    found = scan_inbox(juesuan.inbox_paths)
    changed = {doc: (sha, path) for doc, (sha, path) in found.items() if seen.get(doc, [None])[0] != sha}
    if not changed:
        return SkipReason(f"{len(found)} document(s) in the inbox, none new or changed")
    existing = set(context.instance.get_dynamic_partitions(documents_partitions.name))
    new_keys = sorted(doc for doc in changed if doc not in existing)
    cursor = dict(seen)
    run_requests = []
    for doc, (sha, path) in sorted(changed.items()):
        revision = seen.get(doc, [None, 0])[1] + 1
        cursor[doc] = [sha, revision]
        run_requests.append(RunRequest(
            run_key=f"{doc}:{revision}:{sha[:16]}", partition_key=doc,
            run_config={"ops": {"source_document": {"config": {"path": str(path)}}}},
            tags={"juesuan/document": doc}))
    return SensorResult(run_requests=run_requests,
                        dynamic_partitions_requests=[documents_partitions.build_add_request(new_keys)] if new_keys else [],
                        cursor=json.dumps(cursor, sort_keys=True))


@schedule(job=warehouse_job, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai",
          default_status=DefaultScheduleStatus.RUNNING,
          description="Every night: rebuild, revalidate and publish the whole warehouse.")
def daily_rebuild(context):
    return RunRequest(run_key=None, tags={"juesuan/trigger": "daily"})
