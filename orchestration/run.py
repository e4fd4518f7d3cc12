"""Materialise the build job in process: what `juesuan build`, the tests and the benchmarks run.

The runs land in the Dagster instance of DAGSTER_HOME when it is set (they show in the UI), else
in an ephemeral one. Dagster's own event log goes to `<landing>/logs/build.log`; the caller gets
progress lines and a summary read from the published warehouse.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb
from dagster import DagsterInstance, logger

from .definitions import definitions_for
from .jobs import build_job
from .resources import PROGRESS_MARK, JuesuanPaths

Report = Callable[[str], None]

# exit codes of `juesuan build` (README)
PUBLISHED = 0          # published; every counted document published or accepted
HELD_BACK = 1          # published; some files held back (quarantined or unreadable)
NOT_PUBLISHED = 3      # nothing published: the last good warehouse is unchanged
BUSY = 4               # --no-wait and another build is writing this warehouse


@dataclass
class BuildOutcome:
    warehouse: Path
    published: bool
    run_id: str = ""
    error: str = ""
    landed: list[dict] = field(default_factory=list)   # this run's outcome per inbox file
    documents: list[tuple] = field(default_factory=list)  # (document, file, status, reason) from the warehouse
    facts: dict[str, int] = field(default_factory=dict)
    identities: dict[str, dict[str, int]] = field(default_factory=dict)
    suspects: dict[str, list[str]] = field(default_factory=dict)  # quarantined document -> rank-1 cells
    log_file: Path | None = None

    @property
    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _doc, _file, status, _reason in self.documents:
            counts[status] = counts.get(status, 0) + 1
        return counts

    @property
    def held_back(self) -> list[tuple]:
        return [d for d in self.documents if d[2] in ("quarantined", "unreadable")]

    @property
    def exit_code(self) -> int:
        if not self.published:
            return BUSY if self.error.startswith("busy:") else NOT_PUBLISHED
        return HELD_BACK if self.held_back else PUBLISHED


def default_instance() -> DagsterInstance:
    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def _file_logger(path: Path):
    @logger(description="Dagster's events of a CLI build, to a log file")
    def to_file(_init_context):
        log = logging.getLogger(f"juesuan.build.{path}")
        log.setLevel(logging.DEBUG)
        log.propagate = False
        if not log.handlers:
            handler = logging.FileHandler(path, encoding="utf-8")
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            log.addHandler(handler)
        return log
    return to_file


def build(inbox: Iterable[Path], warehouse: Path, *, wait: bool = True, processes: int = 0,
          memory_limit: str = "3GB", instance: DagsterInstance | None = None, report: Report = print,
          echo: bool = True, **settings) -> BuildOutcome:
    """Build `warehouse` from the inbox through the Dagster graph; never raises for a document.
    settings: further JuesuanPaths fields (seed_limit_bytes)."""
    paths = JuesuanPaths(inbox=[str(Path(p)) for p in inbox], warehouse=str(Path(warehouse).resolve()),
                         processes=processes, memory_limit=memory_limit, echo=echo, **settings)
    outcome = BuildOutcome(paths.warehouse_path, published=False)
    logs = paths.landing.root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    outcome.log_file = logs / "build.log"
    definitions = definitions_for(paths, wait=wait)
    job = definitions.resolve_job_def(build_job.name)
    job = job.with_logger_defs({"file": _file_logger(outcome.log_file)})
    with open(outcome.log_file, "a", encoding="utf-8") as sink, contextlib.redirect_stderr(sink):
        # dagster-dbt echoes dbt's raw lines on stdout; progress comes from the assets (echo)
        with contextlib.redirect_stdout(_Progress(report, sink) if echo else sink):
            result = job.execute_in_process(instance=instance or default_instance(), raise_on_error=False,
                                            tags={"juesuan/trigger": "cli"},
                                            run_config={"loggers": {"file": {}}})
    outcome.run_id = result.run_id
    outcome.published = result.success and _materialized(result, "published_warehouse")
    if not outcome.published:
        outcome.error = failure_message(result)
    outcome.landed = _landing_outcomes(result)
    if outcome.warehouse.exists():
        _read_summary(outcome)
    return outcome


class _Progress:
    """stdout during a build: the assets' progress lines pass (marked); dbt's own log lines,
    which dagster-dbt echoes, go to the log file."""

    def __init__(self, report: Report, sink):
        self.report, self.sink, self.partial = report, sink, ""
        self.original = sys.stdout

    def write(self, text: str) -> int:
        self.partial += text
        *complete, self.partial = self.partial.split("\n")
        for line in complete:
            if line.startswith(PROGRESS_MARK):
                with contextlib.redirect_stdout(self.original):
                    self.report(line[len(PROGRESS_MARK):])
            else:
                self.sink.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        pass


def _materialized(result, node: str) -> bool:
    try:
        return bool(result.asset_materializations_for_node(node))
    except Exception:  # noqa: BLE001 - the step did not run
        return False


def _error_chain(error) -> list[str]:
    messages = []
    while error is not None:
        messages.append((error.message or "").strip().splitlines()[0] if error.message else "")
        error = error.cause
    return [m for m in messages if m]


def failure_message(result) -> str:
    """The first failure of a run in one line: a step's, else the run's own (a resource that could
    not start, as when another build holds the writer's lock)."""
    for event in result.all_events:
        error = None
        if event.is_step_failure and event.step_failure_data:
            error = event.step_failure_data.error
        elif event.is_run_failure and event.event_specific_data is not None:
            error = getattr(event.event_specific_data, "error", None)
        if error is None:
            continue
        chain = _error_chain(error)
        busy = next((m for m in chain if "is being built by" in m), None)
        if busy:  # "juesuan.writer_lock.WarehouseBusy: W is being built by …" -> "busy: W is being built by …"
            return "busy: " + re.search(r"\S+ is being built by .*", busy).group(0)
        step = f"{event.step_key}: " if event.step_key else ""
        return step + (chain[-1] if chain else "failed")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.severity.value == "ERROR":
            return f"check {evaluation.check_name} failed"
    return "the build did not finish"


def _landing_outcomes(result) -> list[dict]:
    try:
        materializations = result.asset_materializations_for_node("landing_zone")
    except Exception:  # noqa: BLE001
        return []
    if not materializations:
        return []
    value = materializations[-1].metadata.get("outcomes_json")
    return list(value.value) if value is not None else []


def _read_summary(outcome: BuildOutcome) -> None:
    with duckdb.connect(str(outcome.warehouse), read_only=True) as con:
        outcome.documents = con.execute(
            "select document_key, source_file, status, coalesce(status_reason, '') from marts.dim_document "
            "order by document_key").fetchall()
        outcome.facts = dict(con.execute(
            "select statement, count(*) from marts.all_amounts group by 1 order by 1").fetchall())
        for family, status, count in con.execute(
                "select family, status, count(*) from marts.identity_results group by all order by all").fetchall():
            outcome.identities.setdefault(family, {})[status] = int(count)
        for document, statement, row_key, measure, printed, balancing in con.execute("""
                select document_key, statement, row_key, measure, printed_amount, balancing_amount
                from marts.suspect_cells where suspect_rank = 1 order by all""").fetchall():
            outcome.suspects.setdefault(document, []).append(
                f"{statement} {row_key} {measure}: printed {printed}, balances at {balancing}")


def format_summary(outcome: BuildOutcome) -> str:
    lines: list[str] = []
    warned = [(o["document_id"], w) for o in outcome.landed for w in o.get("warnings", [])]
    for document, warning in warned[:50]:
        lines.append(f"warning: {document}: {warning}")
    if len(warned) > 50:
        lines.append(f"warning: … and {len(warned) - 50} more (marts: raw warnings; landing zone)")
    if not outcome.published:
        lines.append(f"NOT PUBLISHED: {outcome.error}")
        lines.append(f"the published warehouse is unchanged: {outcome.warehouse}")
        if outcome.log_file:
            lines.append(f"details: {outcome.log_file}")
        return "\n".join(lines)
    statuses = ", ".join(f"{status} {count}" for status, count in sorted(outcome.statuses.items()))
    lines.append(f"published: {outcome.warehouse}")
    lines.append(f"files: {len(outcome.documents)} ({statuses})")
    facts = ", ".join(f"{k} {v}" for k, v in outcome.facts.items())
    lines.append(f"facts: {sum(outcome.facts.values())} ({facts})")
    families = "; ".join(f"{family} {counts.get('passed', 0)}/{counts.get('failed', 0)}"
                         for family, counts in sorted(outcome.identities.items()))
    lines.append(f"identities passed/failed: {families}")
    for document, file, status, reason in outcome.documents:
        if status not in ("published",):
            lines.append(f"{status.upper()} {document} ({file}): {reason}")
            lines.extend(f"    suspect cell: {suspect}" for suspect in outcome.suspects.get(document, [])[:5])
    return "\n".join(lines)
