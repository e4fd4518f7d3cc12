"""The whole path: inbox documents -> raw tables (seeds) -> dbt build -> published warehouse.

A build writes a new DuckDB file beside the published one and renames it into place only
when dbt succeeded, so readers never see a half-built warehouse and a failed build leaves
the last good one untouched.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import duckdb

from .extract import SUPPORTED_SUFFIXES, ExtractedDocument, ExtractionError, extract_document
from .extract.rawtables import drop_twins, merge_documents, write_document_files
from .validation import ValidationReport, validate_warehouse
from .paths import DBT_PROJECT_DIR, PROJECT_ROOT, default_seeds_dir, default_warehouse
from .publish import write_for_clients

Report = Callable[[str], None]


@dataclass
class ExtractionOutcome:
    documents: list[ExtractedDocument] = field(default_factory=list)
    failures: list[ExtractionError] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


@dataclass
class BuildResult:
    warehouse: Path
    extraction: ExtractionOutcome
    dbt_ok: bool
    dbt_output: str = ""
    summary: dict = field(default_factory=dict)
    validation: ValidationReport | None = None

    @property
    def published(self) -> bool:
        return self.dbt_ok and self.validation is not None and self.validation.success


class BuildError(RuntimeError):
    """dbt failed; the published warehouse was left as it was."""


def discover_documents(folders: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for folder in folders:
        folder = Path(folder)
        if folder.is_file():
            found.append(folder)
        elif folder.is_dir():
            found.extend(p for p in sorted(folder.iterdir())
                         if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
    return found


def extract_all(paths: list[Path], report: Report = print) -> ExtractionOutcome:
    """Extract every document; one that cannot be read is reported, the others go on."""
    outcome = ExtractionOutcome()
    for number, path in enumerate(paths, start=1):
        try:
            document = extract_document(path)
        except ExtractionError as error:
            outcome.failures.append(error)
            report(f"[{number}/{len(paths)}] FAILED {error}")
            continue
        outcome.documents.append(document)
        report(f"[{number}/{len(paths)}] {path.name}: {document.meta.department_name} "
               f"{document.meta.fiscal_year}, {len(document.cells)} amounts")
        for warning in document.warnings:
            report(f"    warning: {warning}")
    return outcome


def _extract_to_files(job: tuple[str, str]) -> tuple[str, int, str]:
    path, raw_dir = job
    try:
        document = extract_document(Path(path))
    except ExtractionError as error:
        return path, -1, str(error)
    write_document_files(Path(raw_dir), document)
    return path, len(document.cells), ""


def extract_to_raw_dir(paths: list[Path], raw_dir: Path, processes: int | None = None,
                       report: Report = print) -> tuple[int, list[str]]:
    """Large corpora: extract in parallel straight into per-document raw CSV files.

    Returns the number of amounts written and the failures (file: line: reason).
    """
    from multiprocessing import get_context

    jobs = [(str(p), str(raw_dir)) for p in paths]
    amounts, failures = 0, []
    step = max(1, len(jobs) // 10)
    with get_context("fork").Pool(processes or os.cpu_count() or 1) as pool:
        for number, (path, cells, error) in enumerate(pool.imap_unordered(_extract_to_files, jobs, chunksize=8), 1):
            if error:
                failures.append(error)
                report(f"    FAILED {error}")
            else:
                amounts += cells
            if number % step == 0 or number == len(jobs):
                report(f"extract: {number}/{len(jobs)} documents")
    for twin in drop_twins(raw_dir):
        report(f"    skipped {twin}: same content already held under another name")
    return amounts, failures


def load_raw_tables(outcome: ExtractionOutcome, seeds_dir: Path, report: Report = print) -> None:
    if not outcome.documents:
        return
    outcome.duplicates = merge_documents(seeds_dir, outcome.documents)
    for document_id in outcome.duplicates:
        report(f"    skipped {document_id}: same content already held under another name")


def dbt_project_for(seeds_dir: Path, workspace: Path) -> Path:
    """The dbt project that reads `seeds_dir` as its seeds (at ../seeds, a relative path).

    The repository's own project when the seeds are the repository's; otherwise a copy of it
    in `workspace`, beside a link named seeds that points at `seeds_dir`.
    """
    if Path(seeds_dir).resolve() == (PROJECT_ROOT / "seeds").resolve():
        return DBT_PROJECT_DIR
    project = Path(workspace) / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    link = Path(workspace) / "seeds"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(Path(seeds_dir).resolve(), target_is_directory=True)
    return project


def dbt_environment(warehouse: Path, target_dir: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["JUESUAN_WAREHOUSE"] = str(Path(warehouse).resolve())
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    if target_dir is not None:
        env["JUESUAN_DBT_TARGET"] = str(Path(target_dir).resolve())
    return env


def run_dbt(args: list[str], env: dict[str, str], report: Report = print,
            project_dir: Path = DBT_PROJECT_DIR) -> tuple[bool, str]:
    """Run dbt as a subprocess (one writer at a time), streaming its progress lines."""
    command = [sys.executable, "-m", "dbt.cli.main", *args, "--project-dir", str(project_dir),
               "--profiles-dir", str(project_dir)]
    process = subprocess.Popen(command, cwd=project_dir, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        report("    dbt: " + line.rstrip())
    return process.wait() == 0, "".join(lines)


def building_path(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}.building")


def build_warehouse(warehouse: Path, seeds_dir: Path, report: Report = print,
                    target_dir: Path | None = None, validate: bool = True, raw_dir: Path | None = None,
                    incremental: bool = False,
                    timings: dict | None = None) -> tuple[bool, str, ValidationReport | None]:
    """dbt build into a new file, validate it with the GX suites, then publish it by an atomic rename.

    raw_dir: read the raw tables from per-document CSV files there instead of seeds (large corpora).
    incremental: start from a copy of the published warehouse, so the models keyed by document
    process only new or changed documents.
    """
    timings = timings if timings is not None else {}
    warehouse = Path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    staging_file = building_path(warehouse)
    for leftover in (staging_file, staging_file.with_name(staging_file.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if incremental and warehouse.exists():
        shutil.copyfile(warehouse, staging_file)
    project = dbt_project_for(seeds_dir, warehouse.parent / ".juesuan-dbt")
    env = dbt_environment(staging_file, target_dir)
    args = ["build"]
    if raw_dir is not None:
        args += ["--vars", json.dumps({"raw_dir": str(Path(raw_dir).resolve())})]
    started = time.monotonic()
    ok, output = run_dbt(args, env, report, project)
    timings["dbt"] = time.monotonic() - started
    if not ok:
        staging_file.unlink(missing_ok=True)
        return False, output, None
    if not validate:  # the identities themselves are computed by dbt; only the GX release check is skipped
        write_for_clients(staging_file, warehouse)
        return True, output, None
    report("validate: Great Expectations suites (balancing identities)")
    started = time.monotonic()
    validation = validate_warehouse(staging_file)
    timings["validation"] = time.monotonic() - started
    if not validation.success:
        staging_file.unlink(missing_ok=True)
        return True, output, validation
    write_for_clients(staging_file, warehouse)
    return True, output, validation


def summarize(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        documents = con.execute("select count(*) from marts.dim_document").fetchall()[0][0]
        statuses = dict(con.execute("select status, count(*) from marts.dim_document group by 1").fetchall())
        per_statement = dict(con.execute(
            "select statement, count(*) from marts.all_amounts group by 1 order by 1").fetchall())
    return {"documents": documents, "statuses": statuses, "amounts": sum(per_statement.values()),
            "by_statement": per_statement}


def dbt_test_counts(output: str) -> dict[str, int]:
    """dbt's own closing line: 'Done. PASS=89 WARN=0 ERROR=0 SKIP=0 ...'."""
    for line in reversed(output.splitlines()):
        if "PASS=" in line and "ERROR=" in line:
            return {k.lower(): int(v) for k, v in (p.split("=") for p in line.split() if "=" in p)}
    return {}


def build(document_folders: Iterable[Path], warehouse: Path | None = None, seeds_dir: Path | None = None,
          report: Report = print, target_dir: Path | None = None) -> BuildResult:
    warehouse = Path(warehouse or default_warehouse())
    seeds_dir = Path(seeds_dir or default_seeds_dir())
    paths = discover_documents(document_folders)
    report(f"extract: {len(paths)} document(s) in the inbox")
    outcome = extract_all(paths, report)
    load_raw_tables(outcome, seeds_dir, report)
    report(f"dbt build -> {warehouse}")
    ok, output, validation = build_warehouse(warehouse, seeds_dir, report, target_dir)
    result = BuildResult(warehouse, outcome, ok, output, validation=validation)
    if result.published:
        result.summary = summarize(warehouse)
        result.summary["dbt"] = dbt_test_counts(output)
    return result


def format_summary(result: BuildResult) -> str:
    lines = []
    extraction = result.extraction
    lines.append(f"documents extracted: {len(extraction.documents)}, failed: {len(extraction.failures)}"
                 + (f", duplicates skipped: {len(extraction.duplicates)}" if extraction.duplicates else ""))
    for failure in extraction.failures:
        lines.append(f"  failed: {failure}")
    if not result.dbt_ok:
        lines.append("dbt build FAILED: the published warehouse was left unchanged")
        return "\n".join(lines)
    validation = result.validation
    if validation is not None and not validation.success:
        lines.append("validation FAILED: the build was not published; the last good warehouse is unchanged")
        for suite in validation.suites:
            for failure in suite.failures:
                lines.append(f"  {suite.suite}: {failure}")
        return "\n".join(lines)
    summary = result.summary
    by_statement = ", ".join(f"{k} {v}" for k, v in summary["by_statement"].items())
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary["statuses"].items()))
    lines.append(f"warehouse: {result.warehouse}")
    lines.append(f"documents in warehouse: {summary['documents']} ({statuses})")
    lines.append(f"facts (marts.all_amounts): {summary['amounts']} ({by_statement})")
    dbt = summary.get("dbt", {})
    if dbt:
        lines.append(f"dbt: pass {dbt.get('pass', 0)}, warn {dbt.get('warn', 0)}, "
                     f"error {dbt.get('error', 0)}, skip {dbt.get('skip', 0)}")
    if validation is not None:
        lines.append(f"Great Expectations suites: {sum(s.success for s in validation.suites)}/"
                     f"{len(validation.suites)} passed")
        lines.append("identities evaluated per family (passed / failed / not applicable):")
        for family, counts in sorted(validation.identities.items()):
            evaluated = counts.get("passed", 0) + counts.get("failed", 0)
            lines.append(f"  {family}: {evaluated} evaluated ({counts.get('passed', 0)} / "
                         f"{counts.get('failed', 0)} / {counts.get('not applicable', 0)})")
        for document, failed in sorted(validation.quarantined.items()):
            lines.append(f"QUARANTINED {document}: {len(failed)} failed identities")
            lines.extend(f"    {identity}" for identity in failed[:20])
            if len(failed) > 20:
                lines.append(f"    … and {len(failed) - 20} more (marts.identity_results)")
            for suspect in validation.suspects.get(document, []):
                lines.append(f"    suspect cell: {suspect}")
    return "\n".join(lines)
