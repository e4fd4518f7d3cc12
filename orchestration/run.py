"""Run the warehouse jobs in process: what `juesuan build` executes.

build_in_process() reads every new or changed inbox document in its own extract_job run
(one partition each; a failure fails that partition only), then runs warehouse_job once
(merge raw tables, dbt build into a new file, validate, publish by rename). The runs land in
the Dagster instance of DAGSTER_HOME when it is set, so they show in the UI; otherwise in
an ephemeral instance.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from dagster import DagsterInstance, Definitions

from juesuan.extract import ExtractionError
from juesuan.paths import default_seeds_dir, default_warehouse
from juesuan.pipeline import BuildResult, ExtractionOutcome

from .assets import documents_partitions
from .assets import report_from_json
from .definitions import ASSETS, CHECKS, resources
from .jobs import document_job, extract_job, scan_inbox, warehouse_job
from .resources import JuesuanPaths
from .store import EXTRACTED, QUARANTINED, ExtractionStore

Report = Callable[[str], None]


@dataclass
class DagsterBuildResult(BuildResult):
    """pipeline.BuildResult (so pipeline.format_summary prints it) plus what Dagster did."""

    read: list[str] = field(default_factory=list)         # documents extracted by this build
    unchanged: list[str] = field(default_factory=list)    # same content as last time: not re-read
    run_ids: list[str] = field(default_factory=list)


def default_instance() -> DagsterInstance:
    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def definitions_for(paths: JuesuanPaths) -> Definitions:
    return Definitions(assets=ASSETS, asset_checks=CHECKS, jobs=[document_job, extract_job, warehouse_job], resources=resources(paths))


def build_in_process(documents_dirs: Iterable[Path], warehouse: Path | None = None, seeds_dir: Path | None = None,
                     *, extracted_dir: Path | None = None, instance: DagsterInstance | None = None,
                     report: Report = print, log_level: str = "WARNING") -> DagsterBuildResult:
    warehouse = Path(warehouse or default_warehouse()).resolve()
    seeds_dir = Path(seeds_dir or default_seeds_dir()).resolve()
    paths = JuesuanPaths(inbox=[str(Path(p)) for p in documents_dirs], warehouse=str(warehouse),
                         seeds_dir=str(seeds_dir), extracted_dir=str(extracted_dir or ""))
    instance = instance or default_instance()
    defs = definitions_for(paths)
    store = ExtractionStore(paths.extracted_path)
    loggers = {"loggers": {"console": {"config": {"log_level": log_level}}}}

    found = scan_inbox(paths.inbox_paths)
    report(f"extract: {len(found)} document(s) in the inbox")
    changed = {doc: found[doc] for doc in sorted(found) if not store.is_current(doc, found[doc][0])}
    unchanged = sorted(set(found) - set(changed))
    new_keys = [doc for doc in changed if not instance.has_dynamic_partition(documents_partitions.name, doc)]
    if new_keys:
        instance.add_dynamic_partitions(documents_partitions.name, new_keys)

    result = DagsterBuildResult(warehouse, ExtractionOutcome(), dbt_ok=False, unchanged=unchanged)
    for number, (doc, (_sha, path)) in enumerate(changed.items(), start=1):
        run = defs.resolve_job_def(extract_job.name).execute_in_process(
            instance=instance, partition_key=doc, raise_on_error=False, tags={"juesuan/trigger": "build"},
            run_config={**loggers, "ops": {"source_document": {"config": {"path": str(path)}}}})
        result.run_ids.append(run.run_id)
        state = store.state(doc)
        if run.success and state is not None and state.status == EXTRACTED:
            document = store.load(doc)
            result.read.append(doc)
            result.extraction.documents.append(document)
            report(f"[{number}/{len(changed)}] {path.name}: {document.meta.department_name} "
                   f"{document.meta.fiscal_year}, {len(document.cells)} amounts")
        else:
            error = (ExtractionError(state.source_file, state.line, state.reason, state.page)
                     if state is not None and state.status == QUARANTINED
                     else ExtractionError(str(path), None, "extract_job failed (see the Dagster run)"))
            result.extraction.failures.append(error)
            report(f"[{number}/{len(changed)}] FAILED {error}")
    for doc in unchanged:
        report(f"    unchanged, not re-read: {doc}")

    report(f"dbt build -> {warehouse}")
    dbt_lines = _DbtLines(report)
    with contextlib.redirect_stdout(dbt_lines):  # dagster-dbt echoes dbt's log lines on stdout
        run = defs.resolve_job_def(warehouse_job.name).execute_in_process(
            instance=instance, raise_on_error=False, tags={"juesuan/trigger": "build"}, run_config=loggers)
    dbt_lines.flush()
    result.dbt_output = "".join(dbt_lines.lines)
    result.run_ids.append(run.run_id)
    raw = _metadata(run, "raw_tables")
    result.extraction.duplicates = list(raw.get("duplicates_skipped", []) or [])
    marker = _metadata(run, "published_warehouse")
    result.dbt_ok = _dbt_succeeded(run)
    identities = _check_metadata(run, "balancing_identities")
    if "report" in identities:
        result.validation = report_from_json(identities["report"])
    if run.success and marker and result.published:
        counts = marker.get("dbt_status_counts", {}) or {}
        result.summary = {
            "documents": marker["documents"], "statuses": marker["documents_by_status"],
            "amounts": marker["amounts"], "by_statement": marker["amounts_by_statement"],
            "dbt": {"pass": counts.get("success", 0) + counts.get("pass", 0), "warn": counts.get("warn", 0),
                    "error": counts.get("error", 0) + counts.get("fail", 0), "skip": counts.get("skipped", 0)},
        }
    else:
        failures = [event.message for event in run.all_events if event.is_step_failure]
        result.dbt_output += "\n".join(f for f in failures if f)
    return result


class _DbtLines(io.TextIOBase):
    """Stands in for stdout during the warehouse run: dbt's lines go to report() as '    dbt: …'."""

    def __init__(self, report: Report):
        self.report, self.lines, self.partial = report, [], ""
        self.original = sys.stdout

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.partial += text
        *complete, self.partial = self.partial.split("\n")
        for line in complete:
            self._emit(line)
        return len(text)

    def flush(self) -> None:
        if self.partial:
            self._emit(self.partial)
            self.partial = ""

    def _emit(self, line: str) -> None:
        self.lines.append(line + "\n")
        with contextlib.redirect_stdout(self.original):
            self.report("    dbt: " + line.rstrip())


def _dbt_succeeded(run) -> bool:
    return any(event.is_step_success and event.step_key == "warehouse_dbt" for event in run.all_events)


def _check_metadata(run, check_name: str) -> dict:
    for evaluation in run.get_asset_check_evaluations():
        if evaluation.check_name == check_name:
            return {key: value.value for key, value in evaluation.metadata.items()}
    return {}


def _metadata(run, node: str) -> dict:
    try:
        materializations = run.asset_materializations_for_node(node)
    except Exception:  # noqa: BLE001 - the step did not run
        return {}
    if not materializations:
        return {}
    return {key: value.value for key, value in materializations[-1].metadata.items()}
