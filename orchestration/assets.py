"""The warehouse as software-defined assets.

source_document (one partition per document id)
  -> extracted_document (same partitions; a failure quarantines only that document)
  -> raw_tables (the merged raw CSVs: dbt seeds raw_documents / raw_cells)
  -> dbt seeds, staging, intermediate, marts (@dbt_assets; dbt tests are asset checks)
  -> identity_checks (Great Expectations suites of juesuan.validation: blocking checks on
     marts/identity_results and marts/all_amounts; balancing_identities: WARN with the failures)
  -> validation (reads the freshly built file: documents by status, facts, identities)
  -> published_warehouse (atomic rename of the built file over the published one)

Every asset calls juesuan functions; nothing here parses documents or writes SQL by hand.
"""

import json
import os
import shutil
import time
from dataclasses import asdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckExecutionContext,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetRecordsFilter,
    Config,
    DataVersion,
    DynamicPartitionsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset_check,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from juesuan.extract import SUPPORTED_SUFFIXES, ExtractionError, extract_document
from juesuan.extract.document import document_id_for, sha256_of
from juesuan.extract.rawtables import (CELLS_FILE, DOCUMENTS_FILE, FACTS_FILE, NARRATIVE_FILE, merge_documents, read_rows,
                                      write_rows)
from juesuan.extract.model import CELL_COLUMNS, DOCUMENT_COLUMNS, NARRATIVE_COLUMNS, NARRATIVE_FACT_COLUMNS
from juesuan.pipeline import building_path, dbt_project_for
from juesuan.validation import FAMILIES, SuiteOutcome, ValidationReport, validate_warehouse

from .project import ensure_manifest
from .resources import JuesuanPaths
from .store import EXTRACTED, QUARANTINED, ExtractionStore

documents_partitions = DynamicPartitionsDefinition(name="documents")

RAW_SEEDS = ("raw_cells", "raw_documents", "raw_narrative", "raw_narrative_facts")
PREVIEW_ROWS = 20


# ---------------------------------------------------------------- documents

class SourceDocumentConfig(Config):
    """The file behind the partition; empty means: find it in the inbox by its document id."""

    path: str = ""


def find_in_inbox(folders: list[Path], document_id: str) -> Path | None:
    for folder in folders:
        candidates = [folder] if folder.is_file() else sorted(folder.iterdir()) if folder.is_dir() else []
        for path in candidates:
            if path.is_file() and document_id_for(path) == document_id:
                return path
    return None


@asset(partitions_def=documents_partitions, group_name="documents", kinds={"file"},
       description="One inbox document (PDF or extracted text), identified by its content hash.")
def source_document(context: AssetExecutionContext, config: SourceDocumentConfig,
                    juesuan: JuesuanPaths) -> MaterializeResult:
    document_id = context.partition_key
    path = Path(config.path) if config.path else find_in_inbox(juesuan.inbox_paths, document_id)
    if path is None or not path.is_file():
        raise Failure(f"document {document_id}: no such file in the inbox ({', '.join(juesuan.inbox)})")
    sha256 = sha256_of(path)
    return MaterializeResult(
        metadata={"path": MetadataValue.path(str(path.resolve())), "sha256": sha256,
                  "bytes": path.stat().st_size, "suffix": path.suffix.lower()},
        data_version=DataVersion(sha256),
    )


@asset(partitions_def=documents_partitions, group_name="documents", deps=[source_document], kinds={"python"},
       description="The document's raw cells, read by juesuan.extract; an unreadable document is quarantined.")
def extracted_document(context: AssetExecutionContext, juesuan: JuesuanPaths) -> MaterializeResult:
    document_id = context.partition_key
    records = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=source_document.key, asset_partitions=[document_id]), limit=1).records
    if not records or records[0].asset_materialization is None:
        raise Failure(f"document {document_id}: source_document has not been materialized")
    recorded = records[0].asset_materialization.metadata
    path = Path(str(recorded["path"].value))
    sha256 = str(recorded["sha256"].value)
    store = ExtractionStore(juesuan.extracted_path)
    try:
        if not path.is_file():
            raise ExtractionError(str(path), None, "file no longer in the inbox")
        if sha256_of(path) != sha256:
            raise ExtractionError(str(path), None, "file changed since source_document recorded it; "
                                  "materialize source_document again")
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise ExtractionError(str(path), None, f"unsupported file type '{path.suffix}'")
        document = extract_document(path)
    except (ExtractionError, ImportError) as error:
        # ImportError: a reader that is not installed yet (the PDF reader) fails this document only.
        store.quarantine(document_id, path, sha256, error)
        raise Failure(description=f"extraction failed, {document_id} quarantined: {error}",
                      metadata={"error": str(error), "sha256": sha256, "path": str(path)}) from error
    if document.meta.document_id != document_id:
        raise Failure(f"{path}: the extractor named it {document.meta.document_id}, partition is {document_id}")
    store.save(document, path)
    counts = document.counts_by_statement()
    return MaterializeResult(
        metadata={
            "department": document.meta.department_name,
            "fiscal_year": int(document.meta.fiscal_year),
            "unit": document.meta.unit,
            "reader": document.meta.reader,
            "cells": len(document.cells),
            "rows_by_statement": MetadataValue.md(_markdown_table(["statement", "cells"], list(counts.items()))),
            "rows_by_statement_json": MetadataValue.json(counts),
            "warnings": MetadataValue.md("\n".join(f"- {w}" for w in document.warnings) or "none"),
            "sha256": sha256,
        },
        data_version=DataVersion(sha256),
    )


# ---------------------------------------------------------------- raw tables

@asset(group_name="raw", deps=[extracted_document], kinds={"csv"},
       description="Every extracted document merged into the raw tables (dbt seeds raw_documents, raw_cells); "
                   "quarantined documents are held out.")
def raw_tables(context: AssetExecutionContext, juesuan: JuesuanPaths) -> MaterializeResult:
    return MaterializeResult(metadata=merge_extracted(juesuan.extracted_path, juesuan.seeds_path))


def merge_extracted(extracted_dir: Path, seeds_dir: Path) -> dict[str, Any]:
    store = ExtractionStore(extracted_dir)
    states = store.states()
    extracted = [s for s in states if s.status == EXTRACTED]
    quarantined = [s for s in states if s.status == QUARANTINED]
    # Held-out documents leave the raw tables; then every extracted one replaces its earlier rows.
    drop = {s.document_id for s in quarantined}
    if drop:
        for name, columns in ((DOCUMENTS_FILE, DOCUMENT_COLUMNS), (CELLS_FILE, CELL_COLUMNS),
                              (NARRATIVE_FILE, NARRATIVE_COLUMNS), (FACTS_FILE, NARRATIVE_FACT_COLUMNS)):
            rows = read_rows(seeds_dir / name)
            write_rows(seeds_dir / name, columns, [r for r in rows if r["document_id"] not in drop])
    duplicates = merge_documents(seeds_dir, [store.load(s.document_id) for s in extracted]) if extracted else []
    held = read_rows(seeds_dir / DOCUMENTS_FILE)
    per_statement: dict[str, int] = {}
    for row in read_rows(seeds_dir / CELLS_FILE):
        per_statement[row["statement"]] = per_statement.get(row["statement"], 0) + 1
    per_statement = dict(sorted(per_statement.items()))
    return {
        "documents_published": len(held),
        "documents_quarantined": len(quarantined),
        "duplicates_skipped": MetadataValue.json(duplicates),
        "cells": sum(per_statement.values()),
        "rows_by_statement": MetadataValue.md(_markdown_table(["statement", "cells"], list(per_statement.items()))),
        "rows_by_statement_json": MetadataValue.json(per_statement),
        "published": MetadataValue.md(_markdown_table(
            ["document", "department", "year"],
            [(r["document_id"], r["department_name"], r["fiscal_year"]) for r in held])),
        "quarantined": MetadataValue.md(_markdown_table(
            ["document", "file", "error"], [(s.document_id, Path(s.source_file).name, s.error) for s in quarantined])),
        "seeds_dir": MetadataValue.path(str(seeds_dir)),
    }


# ---------------------------------------------------------------- dbt

class JuesuanDbtTranslator(DagsterDbtTranslator):
    """dbt nodes keep their names as asset keys; the raw seeds hang under raw_tables."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props.get("resource_type") == "seed" and props.get("name") in RAW_SEEDS:
            spec = spec.merge_attributes(deps=[raw_tables.key])
        return spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "raw"
        fqn = dbt_resource_props.get("fqn") or []
        return fqn[1] if len(fqn) > 2 and fqn[1] in ("staging", "intermediate", "marts") else "warehouse"


DBT_TRANSLATOR = JuesuanDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
DBT_MANIFEST = ensure_manifest()


def build_marker(warehouse: Path) -> Path:
    """What the dbt step of a run left beside its build: run id, timing, dbt results."""
    staging = building_path(warehouse)
    return staging.with_name(staging.name + ".json")


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """dagster-dbt hands dbt the process environment; point it at this build for the call."""
    previous = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# No project= here: dagster-dbt would then always run in the repository's project, and a build
# for other seeds runs in the copy juesuan.pipeline.dbt_project_for makes.
@dbt_assets(manifest=DBT_MANIFEST, dagster_dbt_translator=DBT_TRANSLATOR, name="warehouse_dbt")
def warehouse_dbt(context: AssetExecutionContext, dbt: DbtCliResource, juesuan: JuesuanPaths):
    """dbt build into a new file beside the warehouse; published_warehouse renames it into place."""
    warehouse = juesuan.warehouse_path
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    staging = building_path(warehouse)
    for leftover in (staging, staging.with_name(staging.name + ".wal"), build_marker(warehouse)):
        leftover.unlink(missing_ok=True)
    full_build = set(context.selected_asset_keys) == set(warehouse_dbt.keys)
    if not full_build and warehouse.exists():
        # A subset (say one model from the UI) builds on a copy of what is published.
        shutil.copyfile(warehouse, staging)
    project = dbt_project_for(juesuan.seeds_path, warehouse.parent / ".juesuan-dbt")
    runner = DbtCliResource(project_dir=str(project), profiles_dir=str(project), dbt_executable=dbt.dbt_executable)
    started = time.monotonic()
    with environment({"JUESUAN_WAREHOUSE": str(staging), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}):
        invocation = runner.cli(["build"], context=context, raise_on_error=False)
        yield from invocation.stream()
    elapsed = time.monotonic() - started
    results = _run_results(invocation)
    build_marker(warehouse).write_text(json.dumps({
        "run_id": context.run.run_id, "full_build": full_build, "seconds": round(elapsed, 2),
        "dbt_ok": invocation.is_successful(), **results}, ensure_ascii=False, indent=1), encoding="utf-8")
    if not invocation.is_successful():
        staging.unlink(missing_ok=True)
        failed = [r for r in results.get("nodes", []) if r["status"] in ("error", "fail")]
        raise Failure(description="dbt build failed; the published warehouse is unchanged",
                      metadata={"failed": MetadataValue.md(_markdown_table(
                          ["node", "status", "message"], [(r["unique_id"], r["status"], r["message"]) for r in failed]))})


def _run_results(invocation) -> dict[str, Any]:
    try:
        run_results = invocation.get_artifact("run_results.json")
    except Exception:  # noqa: BLE001 - dbt may fail before writing it
        return {}
    nodes = [{"unique_id": r["unique_id"], "status": r["status"], "seconds": round(r.get("execution_time") or 0, 3),
              "message": (r.get("message") or "")[:200]} for r in run_results.get("results", [])]
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node["status"]] = counts.get(node["status"], 0) + 1
    return {"dbt_elapsed_seconds": round(run_results.get("elapsed_time") or 0, 2), "status_counts": counts,
            "nodes": nodes}


# ---------------------------------------------------------------- validation and publishing

def _dbt_model_keys() -> list[AssetKey]:
    """The marts (validation reads them); everything else is upstream of them."""
    return sorted((key for key in warehouse_dbt.keys if key.path[0] == "marts"), key=lambda k: k.path)


IDENTITY_RESULTS = AssetKey(["marts", "identity_results"])
ALL_AMOUNTS = AssetKey(["marts", "all_amounts"])
# The Great Expectations suites of juesuan.validation, each a blocking check on the mart it reads:
# a failed suite stops the run before validation and published_warehouse, so nothing is published.
SUITE_TARGETS = {**{f"identities_{family}": IDENTITY_RESULTS for family in FAMILIES}, "fact_marts_gate": ALL_AMOUNTS}


def _target_file(run_id: str, warehouse: Path) -> tuple[Path, bool]:
    """This run's build when the run built one, else the published warehouse."""
    if _this_runs_build(run_id, warehouse):
        return building_path(warehouse), True
    return warehouse, False


@multi_asset_check(
    name="identity_checks",
    specs=[AssetCheckSpec(name, asset=key, blocking=True,
                          description=f"Great Expectations suite {name} (juesuan.validation)")
           for name, key in SUITE_TARGETS.items()]
    + [AssetCheckSpec("balancing_identities", asset=IDENTITY_RESULTS,
                      description="Every balancing identity of every document holds up to rounding; a document "
                                  "that fails one is quarantined (held out of the fact marts). WARN, not blocking.")],
)
def identity_checks(context: AssetCheckExecutionContext, juesuan: JuesuanPaths):
    target, this_run = _target_file(context.op_execution_context.run_id, juesuan.warehouse_path)
    if not target.exists():
        raise Failure(f"no warehouse to validate at {target}")
    report = validate_warehouse(target)
    validated = "this run's build" if this_run else "the published warehouse"
    outcomes = {outcome.suite: outcome for outcome in report.suites}
    for name, key in SUITE_TARGETS.items():
        outcome = outcomes.get(name)
        failures = outcome.failures if outcome else [f"suite {name} did not run"]
        yield AssetCheckResult(
            check_name=name, asset_key=key, passed=bool(outcome and outcome.success),
            metadata={"validated_file": validated,
                      "failures": MetadataValue.md("\n".join(f"- {f}" for f in failures) or "none")})
    yield balancing_identities_result(target, report, validated)


def balancing_identities_result(target: Path, report: ValidationReport, validated: str) -> AssetCheckResult:
    with duckdb.connect(str(target), read_only=True) as con:
        failed_rows = con.execute(
            "select document_key, family, identity, left_value, right_value, difference, tolerance "
            "from marts.identity_results where status = 'failed' "
            f"order by document_key, abs(difference) desc limit {PREVIEW_ROWS}").fetchall()
        failed_by_document = dict(con.execute(
            "select document_key, count(*) from marts.identity_results where status = 'failed' "
            "group by 1 order by 1").fetchall())
        statuses = dict(con.execute("select status, count(*) from marts.dim_document group by 1").fetchall())
    failed = sum(failed_by_document.values())
    suspects = [(document, suspect) for document, found in sorted(report.suspects.items()) for suspect in found]
    return AssetCheckResult(
        check_name="balancing_identities", asset_key=IDENTITY_RESULTS, passed=failed == 0,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "validated_file": validated,
            "failed": failed,
            "by_family": MetadataValue.json(report.identities),
            "failed_by_document": MetadataValue.json({k: int(v) for k, v in failed_by_document.items()}),
            "documents_by_status": MetadataValue.json({k: int(v) for k, v in statuses.items()}),
            "failed_preview": MetadataValue.md(_markdown_table(
                ["document", "family", "identity", "left", "right", "difference", "tolerance"], failed_rows)),
            "suspect_cells": MetadataValue.md(_markdown_table(["document", "suspect cell"], suspects[:PREVIEW_ROWS])),
            "report": MetadataValue.json(_report_json(report)),
        })


def _report_json(report: ValidationReport) -> dict:
    return {"suites": [asdict(s) for s in report.suites], "identities": report.identities,
            "quarantined": report.quarantined, "suspects": report.suspects}


def report_from_json(data: dict) -> ValidationReport:
    return ValidationReport([SuiteOutcome(**s) for s in data["suites"]], data["identities"],
                            data["quarantined"], data["suspects"])


@asset(group_name="publish", deps=_dbt_model_keys(), kinds={"duckdb"},
       description="The warehouse this run built, after the dbt tests and the identity suites: documents "
                   "published, quarantined and accepted, facts per statement, identities per family.")
def validation(context: AssetExecutionContext, juesuan: JuesuanPaths) -> MaterializeResult:
    warehouse = juesuan.warehouse_path
    target, this_run = _target_file(context.run.run_id, warehouse)
    if not target.exists():
        raise Failure(f"no warehouse to validate at {target}")
    with duckdb.connect(str(target), read_only=True) as con:
        metadata = warehouse_summary(con)
        by_family: dict[str, dict[str, int]] = {}
        for family, status, count in con.execute(
                "select family, status, count(*) from marts.identity_results group by all order by all").fetchall():
            by_family.setdefault(family, {})[status] = int(count)
    metadata["identities_by_family"] = MetadataValue.json(by_family)
    metadata["validated_file"] = "this run's build" if this_run else "the published warehouse"
    marker = _this_runs_build(context.run.run_id, warehouse)
    if marker:
        metadata["dbt_status_counts"] = MetadataValue.json(marker.get("status_counts", {}))
    return MaterializeResult(metadata=metadata)


def warehouse_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    statuses = dict(con.execute("select status, count(*) from marts.dim_document group by 1 order by 1").fetchall())
    per_statement = dict(con.execute(
        "select statement, count(*) from marts.all_amounts group by 1 order by 1").fetchall())
    documents = con.execute("select document_key, department_name, fiscal_year, status "
                            "from marts.dim_document order by 1").fetchall()
    return {"documents": int(sum(statuses.values())),
            "documents_by_status": MetadataValue.json({k: int(v) for k, v in statuses.items()}),
            "documents_list": MetadataValue.md(_markdown_table(["document", "department", "year", "status"],
                                                               documents)),
            "amounts": int(sum(per_statement.values())),
            "amounts_by_statement": MetadataValue.json({k: int(v) for k, v in per_statement.items()})}


def _this_runs_build(run_id: str, warehouse: Path) -> dict | None:
    marker = build_marker(warehouse)
    if not marker.exists() or not building_path(warehouse).exists():
        return None
    data = json.loads(marker.read_text(encoding="utf-8"))
    return data if data.get("run_id") == run_id and data.get("dbt_ok") else None


@asset(group_name="publish", deps=[validation], kinds={"duckdb"},
       description="The published DuckDB warehouse: this run's build renamed over it atomically, "
                   "so a reader never sees a half-built file.")
def published_warehouse(context: AssetExecutionContext, juesuan: JuesuanPaths) -> MaterializeResult:
    warehouse = juesuan.warehouse_path
    marker = _this_runs_build(context.run.run_id, warehouse)
    if marker is None:
        raise Failure("this run built no warehouse (materialize the dbt assets in the same run); nothing published")
    staging = building_path(warehouse)
    os.replace(staging, warehouse)
    build_marker(warehouse).unlink(missing_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        metadata = warehouse_summary(con)
    slowest = sorted(marker.get("nodes", []), key=lambda n: -n["seconds"])[:10]
    metadata.update({
        "path": MetadataValue.path(str(warehouse)),
        "bytes": warehouse.stat().st_size,
        "dbt_build_seconds": marker.get("seconds"),
        "dbt_elapsed_seconds": marker.get("dbt_elapsed_seconds"),
        "dbt_status_counts": MetadataValue.json(marker.get("status_counts", {})),
        "dbt_slowest_nodes": MetadataValue.md(_markdown_table(
            ["node", "status", "seconds"], [(n["unique_id"], n["status"], n["seconds"]) for n in slowest])),
        "full_build": marker.get("full_build"),
    })
    return MaterializeResult(metadata=metadata)


def _markdown_table(headers: list[str], rows: list) -> str:
    if not rows:
        return "none"
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
