"""The warehouse as software-defined assets: one graph builds every warehouse.

landing_zone      every new or changed inbox file read (in parallel) into the warehouse's landing
                  zone, one folder per document; an unreadable file is landed with its reason
raw_tables        the landing zone as dbt's input: seeds for a small one, DuckDB reading the
                  per-document files past a size (the choice is made here, by size)
dbt (warehouse)   seeds, staging, intermediate, marts, built into the next warehouse file;
                  dbt tests are asset checks
identity_checks   Great Expectations suites on the built file (blocking) and the identities (warn)
validation        what the built file holds: files by state, facts, identities
published_warehouse  the built file renamed over the published one: readers keep their snapshot

Every asset calls juesuan functions; nothing here parses documents or writes SQL for the models.
"""

import hashlib
import json
import os
import shutil
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Mapping

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset_check,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from juesuan.landing import RAW_TABLES, UNREADABLE, extractor_version, land_inbox, scan_inbox, write_seed_tables
from juesuan.publish import CLIENT_STORAGE_VERSION, create_for_clients, publish, storage_version
from juesuan.validation import FAMILIES, SuiteOutcome, ValidationReport, load_engine, validate_warehouse

from .project import juesuan_dbt_project
from .resources import JuesuanPaths, WarehouseWriter

PREVIEW_ROWS = 20
RAW_SEEDS = tuple(RAW_TABLES) + ("accepted_exceptions",)


# ---------------------------------------------------------------- documents

@asset(group_name="documents", kinds={"python"}, code_version=extractor_version(),
       description="Every new or changed inbox file read into the warehouse's landing zone (one folder "
                   "per document, replaced atomically); a file that cannot be read is landed as unreadable "
                   "with the reason. Files already landed with the same content and reader are not re-read.")
def landing_zone(context: AssetExecutionContext, juesuan: JuesuanPaths, writer: WarehouseWriter) -> MaterializeResult:
    files = scan_inbox(juesuan.inbox_paths, skip=juesuan.own_files)
    juesuan.say(context, f"inbox: {len(files)} file(s) in {', '.join(juesuan.inbox)}")
    outcomes = land_inbox(files, juesuan.landing, processes=juesuan.processes or None,
                          report=lambda line: juesuan.say(context, line))
    by_status: dict[str, int] = {}
    for outcome in outcomes:
        by_status[outcome.status] = by_status.get(outcome.status, 0) + 1
    rows = [(o.document_id, o.file, o.status, o.detail, o.cells, len(o.warnings))
            for o in sorted(outcomes, key=lambda o: o.document_id) if o.status != "unchanged"]
    warnings = [(o.document_id, w) for o in outcomes for w in o.warnings]
    return MaterializeResult(metadata={
        "files": len(files),
        "by_status": MetadataValue.json(by_status),
        "read_this_run": MetadataValue.md(_markdown_table(
            ["document", "file", "status", "detail", "cells", "warnings"], rows[:200])),
        "unreadable": MetadataValue.json({o.document_id: o.detail for o in outcomes if o.status == UNREADABLE}),
        "warnings": MetadataValue.md(_markdown_table(["document", "warning"], warnings[:200])),
        "landing_zone": MetadataValue.path(str(juesuan.landing.root)),
        "outcomes_json": MetadataValue.json([asdict(o) | {"warnings": list(o.warnings)} for o in outcomes]),
    })


@asset(group_name="raw", deps=[landing_zone], kinds={"csv"},
       description="The landing zone as dbt's input: for a small one, one CSV per raw table (loaded as dbt "
                   "seeds, dialect explicit); past a size, headers only, and dbt reads every document's own "
                   "files with DuckDB.")
def raw_tables(context: AssetExecutionContext, juesuan: JuesuanPaths, writer: WarehouseWriter) -> MaterializeResult:
    zone = juesuan.landing
    direct = juesuan.reads_directly()
    counts = write_seed_tables(zone, seeds_dir(juesuan), with_rows=not direct)
    link_seeds(juesuan)
    documents = zone.document_count()
    if documents:
        juesuan.say(context, f"raw tables: {documents} document(s), "
                             f"{'read directly by DuckDB' if direct else 'loaded as dbt seeds'}")
    else:
        juesuan.say(context, "raw tables: the inbox and the landing zone are empty: the warehouse holds the "
                             "committed sample (seeds/raw, the extraction of the shared documents)")
    return MaterializeResult(metadata={"documents": documents, "read_directly": direct,
                                       "seed_rows": MetadataValue.json(counts)})


def seeds_dir(juesuan: JuesuanPaths) -> Path:
    return juesuan.landing.root / "seeds"


def seeds_link(juesuan: JuesuanPaths) -> Path:
    """dbt finds this warehouse's raw seeds through a link inside the dbt project, one per warehouse:
    a seed path must be relative and stay inside the project (dbt writes each seed's compiled
    code to target/run/<seed path>), whereas the landing zone can be anywhere."""
    key = hashlib.sha1(str(juesuan.warehouse_path).encode()).hexdigest()[:12]
    return Path(juesuan_dbt_project.project_dir) / "landing" / key


def link_seeds(juesuan: JuesuanPaths) -> Path:
    link = seeds_link(juesuan)
    link.parent.mkdir(parents=True, exist_ok=True)
    if not (link.is_symlink() and link.resolve() == seeds_dir(juesuan).resolve()):
        temporary = link.with_name(f".{link.name}.{os.getpid()}")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(seeds_dir(juesuan).resolve(), target_is_directory=True)
        os.replace(temporary, link)
    return link


# ---------------------------------------------------------------- dbt

class JuesuanDbtTranslator(DagsterDbtTranslator):
    """dbt nodes keep their names as asset keys, grouped by layer; the raw seeds hang under raw_tables."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        fqn = props.get("fqn") or []
        if props.get("resource_type") == "seed":
            group = "raw" if props.get("name") in RAW_SEEDS else "vocabulary"
        else:
            group = fqn[1] if len(fqn) > 2 and fqn[1] in ("staging", "intermediate", "marts") else "warehouse"
        spec = spec.replace_attributes(group_name=group)
        if props.get("resource_type") == "seed" and props.get("name") in RAW_SEEDS:
            spec = spec.merge_attributes(deps=[raw_tables.key])
        return spec


DBT_TRANSLATOR = JuesuanDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def dbt_vars(juesuan: JuesuanPaths) -> dict[str, str]:
    """Where this build's dbt reads and writes: its own landing zone and its own next file."""
    variables = {"build_file": str(juesuan.building_path), "memory_limit": juesuan.memory_limit}
    if juesuan.landing.document_count():  # else the committed sample, dbt's default raw seeds
        variables["raw_seeds"] = os.path.relpath(seeds_link(juesuan), juesuan_dbt_project.project_dir)
    if juesuan.reads_directly():
        variables["raw_dir"] = str(juesuan.landing.documents_dir)
    return variables


@dbt_assets(manifest=juesuan_dbt_project.manifest_path, project=juesuan_dbt_project,
            dagster_dbt_translator=DBT_TRANSLATOR, name="warehouse_dbt")
def warehouse_dbt(context: AssetExecutionContext, dbt: DbtCliResource, juesuan: JuesuanPaths,
                  writer: WarehouseWriter):
    """dbt build (target `build`) into a new file beside the warehouse; published_warehouse renames it."""
    building = juesuan.building_path
    building.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if juesuan.warehouse_path.exists() and storage_version(juesuan.warehouse_path).startswith(CLIENT_STORAGE_VERSION):
        # the next warehouse starts from the published one: the models kept by document (incremental)
        # then recompute only the documents that are new or changed, or all after a model change
        shutil.copyfile(juesuan.warehouse_path, building)
    else:
        # DuckDB keeps a file's storage version: built in the clients' format throughout. A warehouse
        # published in another format (an older juesuan's) is built anew, once, in this one.
        create_for_clients(building)
    juesuan.say(context, "dbt: building the warehouse (seeds, staging, intermediate, marts, tests)")
    # this process only waits on dbt meanwhile: import Great Expectations (seconds) for the checks that follow
    threading.Thread(target=load_engine, name="load-great-expectations", daemon=True).start()
    started = time.monotonic()
    # one target folder per warehouse: dbt's partial parsing carries over from its last build.
    # dbt's unit tests check the models' SQL on fixed fixtures, not the documents: they run with
    # `dbt build` by hand and in `make test`, not on every warehouse built
    invocation = dbt.cli(["build", "--vars", json.dumps(dbt_vars(juesuan)), "--threads", str(juesuan.dbt_threads()),
                          "--exclude-resource-type", "unit_test"],
                         context=context, raise_on_error=False,
                         target_path=juesuan.landing.root / "dbt_target")
    yield from invocation.stream()
    results = _run_results(invocation)
    juesuan.say(context, f"dbt: {_counts_line(results)} in {time.monotonic() - started:.0f} s")
    if not invocation.is_successful():
        building.unlink(missing_ok=True)
        failed = [r for r in results.get("nodes", []) if r["status"] in ("error", "fail")]
        raise Failure(description="dbt build failed: "
                      + "; ".join(f"{r['unique_id']}: {r['message']}" for r in failed[:3]),
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
    return {"elapsed": round(run_results.get("elapsed_time") or 0, 2), "status_counts": counts, "nodes": nodes}


def _counts_line(results: dict) -> str:
    counts = results.get("status_counts", {})
    return ", ".join(f"{status} {count}" for status, count in sorted(counts.items())) or "no results"


# ---------------------------------------------------------------- validation and publishing

IDENTITY_RESULTS = AssetKey(["marts", "identity_results"])
ALL_AMOUNTS = AssetKey(["marts", "all_amounts"])
# The Great Expectations suites of juesuan.validation, each a blocking check on the mart it reads:
# a failed suite stops the run before validation and published_warehouse, so nothing is published.
SUITE_TARGETS = {**{f"identities_{family}": IDENTITY_RESULTS for family in FAMILIES}, "fact_marts_gate": ALL_AMOUNTS}


def _file_to_check(juesuan: JuesuanPaths) -> tuple[Path, str]:
    """The build of this run when there is one (the writer lock makes it this run's), else the published file."""
    if juesuan.building_path.exists():
        return juesuan.building_path, "this run's build"
    return juesuan.warehouse_path, "the published warehouse"


@multi_asset_check(
    name="identity_checks",
    specs=[AssetCheckSpec(name, asset=key, blocking=True,
                          description=f"Great Expectations suite {name} (juesuan.validation)")
           for name, key in SUITE_TARGETS.items()]
    + [AssetCheckSpec("balancing_identities", asset=IDENTITY_RESULTS,
                      description="Every balancing identity of every document holds up to rounding; a document "
                                  "that fails one is quarantined (held out of the fact marts). WARN, not blocking.")],
)
def identity_checks(context: AssetCheckExecutionContext, juesuan: JuesuanPaths, writer: WarehouseWriter):
    target, validated = _file_to_check(juesuan)
    if not target.exists():
        raise Failure(f"no warehouse to validate at {target}")
    juesuan.say(context, "checks: Great Expectations suites on the built warehouse")
    report = validate_warehouse(target)
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
            "failed_preview": MetadataValue.md(_markdown_table(
                ["document", "family", "identity", "left", "right", "difference", "tolerance"], failed_rows)),
            "suspect_cells": MetadataValue.md(_markdown_table(["document", "suspect cell"], suspects[:PREVIEW_ROWS])),
            "report": MetadataValue.json(report_json(report)),
        })


def report_json(report: ValidationReport) -> dict:
    return {"suites": [asdict(s) for s in report.suites], "identities": report.identities,
            "quarantined": report.quarantined, "suspects": report.suspects}


def report_from_json(data: dict) -> ValidationReport:
    return ValidationReport([SuiteOutcome(**s) for s in data["suites"]], data["identities"],
                            data["quarantined"], data["suspects"])


def _dbt_mart_keys() -> list[AssetKey]:
    return sorted((key for key in warehouse_dbt.keys if key.path[0] == "marts"), key=lambda k: k.path)


@asset(group_name="publish", deps=_dbt_mart_keys(), kinds={"duckdb"},
       description="What the built warehouse holds: every file by state (with the reason of those held "
                   "back), facts per statement, identities per family.")
def validation(context: AssetExecutionContext, juesuan: JuesuanPaths, writer: WarehouseWriter) -> MaterializeResult:
    target, validated = _file_to_check(juesuan)
    if not target.exists():
        raise Failure(f"no warehouse to validate at {target}")
    with duckdb.connect(str(target), read_only=True) as con:
        metadata = warehouse_summary(con)
    metadata["validated_file"] = validated
    return MaterializeResult(metadata=metadata)


def warehouse_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    statuses = dict(con.execute("select status, count(*) from marts.dim_document group by 1 order by 1").fetchall())
    per_statement = dict(con.execute(
        "select statement, count(*) from marts.all_amounts group by 1 order by 1").fetchall())
    held_back = con.execute(
        "select document_key, source_file, status, status_reason from marts.dim_document "
        "where status not in ('published', 'accepted') order by status, document_key").fetchall()
    by_family: dict[str, dict[str, int]] = {}
    for family, status, count in con.execute(
            "select family, status, count(*) from marts.identity_results group by all order by all").fetchall():
        by_family.setdefault(family, {})[status] = int(count)
    return {"documents": int(sum(statuses.values())),
            "documents_by_status": MetadataValue.json({k: int(v) for k, v in statuses.items()}),
            "not_published": MetadataValue.md(_markdown_table(["document", "file", "status", "reason"], held_back)),
            "amounts": int(sum(per_statement.values())),
            "amounts_by_statement": MetadataValue.json({k: int(v) for k, v in per_statement.items()}),
            "identities_by_family": MetadataValue.json(by_family)}


@asset(group_name="publish", deps=[validation], kinds={"duckdb"},
       description="The published DuckDB warehouse: this run's build renamed over it atomically, "
                   "so a reader never sees a half-built file and keeps the snapshot it opened.")
def published_warehouse(context: AssetExecutionContext, juesuan: JuesuanPaths,
                        writer: WarehouseWriter) -> MaterializeResult:
    building, warehouse = juesuan.building_path, juesuan.warehouse_path
    if not building.exists():
        raise Failure("this run built no warehouse (materialize the dbt assets in the same run); nothing published")
    publish(building, warehouse)  # built in the 1.x storage format from the start (juesuan.publish)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        metadata = warehouse_summary(con)
    metadata.update({"path": MetadataValue.path(str(warehouse)), "bytes": warehouse.stat().st_size})
    return MaterializeResult(metadata=metadata)


def _markdown_table(headers: list[str], rows: list) -> str:
    if not rows:
        return "none"

    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
