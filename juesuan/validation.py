"""Great Expectations suites over the balancing identities, run on a built warehouse file.

dbt computes every identity of DOMAIN.md (marts.identity_results) and holds back the facts of
a document that fails one (the gate holds on every path, `dbt build` by hand included). These
suites are the release check of a build: one suite per identity family verifies that no
document in the fact marts fails an identity of that family, that every status follows the
rounding rule (|difference| <= the rounding of the printed terms), and that no flat fudge factor
crept into a tolerance. A build whose suites fail is not published.

The suites live as files in expectations/ (a file-backed GX context, committed); `define_suites`
writes them and `make suites` reruns it after a change.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .paths import PROJECT_ROOT

GX_ROOT = PROJECT_ROOT / "expectations"
DATASOURCE = "warehouse"
CHECKPOINT = "identities"
WAREHOUSE_ENV = "JUESUAN_GX_WAREHOUSE"
FAMILIES = ("row_sums", "hierarchy", "summary_totals", "cross_table", "three_public", "narrative")


def _allow_duckdb_persisted_connection() -> None:
    """GX closes its connection before fetching unless the dialect is one it persists.

    Upstream GX keeps one open connection for sqlite and a few others; duckdb-engine needs the
    same, so its dialect name is added to that list (a str whose .value GX also reads).
    """
    import great_expectations.execution_engine.sqlalchemy_execution_engine as engine

    class _Dialect(str):
        @property
        def value(self) -> str:
            return str(self)

    if "duckdb" not in [str(getattr(d, "value", d)) for d in engine._PERSISTED_CONNECTION_DIALECTS]:
        engine._PERSISTED_CONNECTION_DIALECTS = (*engine._PERSISTED_CONNECTION_DIALECTS, _Dialect("duckdb"))


def load_engine() -> None:
    """Import Great Expectations (several seconds); a caller with time to spare calls it ahead of the checks."""
    # no usage statistics (no network here) and no metric progress bars in build logs
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    import great_expectations  # noqa: F401

    _allow_duckdb_persisted_connection()


def _context(warehouse: Path, root: Path = GX_ROOT):
    """The file context, its datasource pointed at `warehouse` (a runtime variable, not the environment)."""
    load_engine()
    import great_expectations as gx

    return gx.get_context(mode="file", context_root_dir=str(root),
                          runtime_environment={WAREHOUSE_ENV: str(Path(warehouse).resolve())})


def family_expectations(family: str) -> list:
    import great_expectations as gx

    # each printed term brings half a unit of its table's last digit (identity_cells.rounding, in 万元)
    rounding, largest, smallest = "printed_rounding", "largest_rounding", "smallest_rounding"
    if family == "cross_table":
        terms, counted = "the rounding of every printed term on both sides", rounding
    else:
        terms = ("the rounding of every printed term but the largest (every term when the terms are "
                 "printed to different precisions)")
        counted = f"case when {largest} <> {smallest} then {rounding} else {rounding} - {largest} end"
    published = ("select document_key from marts.all_amounts "
                 "where document_key not in (select document_key from marts.dim_document where status = 'accepted')")
    return [
        gx.expectations.UnexpectedRowsExpectation(
            description=f"No document in the fact marts fails a {family} identity (unless accepted)",
            unexpected_rows_query=(
                "select document_key, identity, left_value, right_value, difference, tolerance from {batch} "
                f"where family = '{family}' and status = 'failed' and document_key in ({published})"),
        ),
        gx.expectations.UnexpectedRowsExpectation(
            description=f"Every {family} status follows the rounding rule |difference| <= tolerance",
            unexpected_rows_query=(
                "select document_key, identity, difference, tolerance, status from {batch} "
                f"where family = '{family}' and status <> 'not applicable' "
                "and (status = 'passed') <> (abs(difference) <= tolerance)"),
        ),
        gx.expectations.UnexpectedRowsExpectation(
            # a narrative rate's tolerance follows from its printed precision instead (no terms)
            description=f"Every {family} tolerance is {terms}, no flat fudge factor",
            unexpected_rows_query=(
                # the printed cells of this family's identities only (identity_cells.family, a column
                # filter): the cells of a large warehouse are aggregated once over the suites, not
                # once per suite (a semi join onto identity_results probed every cell per suite:
                # 39 s of the 42 s of checks at 10,000 documents)
                "select document_key, identity, tolerance from {batch} join ("
                "select c.document_key, c.identity_key, sum(c.rounding) as printed_rounding, "
                "max(c.rounding) as largest_rounding, min(c.rounding) as smallest_rounding "
                f"from marts.identity_cells c where c.family = '{family}' and c.amount is not null "
                "group by c.document_key, c.identity_key) as printed using (document_key, identity_key) "
                f"where family = '{family}' and status <> 'not applicable' and tolerance <> {counted}"),
        ),
    ]


def gate_expectations() -> list:
    import great_expectations as gx

    return [
        gx.expectations.UnexpectedRowsExpectation(
            description="The fact marts hold only published or accepted documents",
            unexpected_rows_query=(
                "select distinct document_key from {batch} where document_key not in "
                "(select document_key from marts.dim_document where status in ('published', 'accepted'))"),
        ),
    ]


def define_suites(warehouse: Path, root: Path = GX_ROOT) -> None:
    """(Re)write the datasource, suites, validation definitions and checkpoint as files.

    GX tests the datasource when it is added: `warehouse` must be a built warehouse.
    """
    import great_expectations as gx

    context = _context(warehouse, root)
    source = context.data_sources.add_or_update_sql(
        name=DATASOURCE, connection_string="duckdb:///${" + WAREHOUSE_ENV + "}")
    assets = {name: source.add_table_asset(name=name, table_name=name, schema_name="marts")
              for name in ("identity_results", "all_amounts")}
    batches = {name: asset.add_batch_definition_whole_table(f"{name}_whole") for name, asset in assets.items()}
    plans = [(f"identities_{family}", "identity_results", family_expectations(family)) for family in FAMILIES]
    plans.append(("fact_marts_gate", "all_amounts", gate_expectations()))
    definitions = []
    for suite_name, asset_name, expectations in plans:
        suite = gx.ExpectationSuite(name=suite_name, expectations=expectations)
        suite = context.suites.add_or_update(suite)
        definitions.append(context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite_name, data=batches[asset_name], suite=suite)))
    context.checkpoints.add_or_update(gx.Checkpoint(
        # no Data Docs action: rebuilding the site took most of a small build; `make docs` builds it
        name=CHECKPOINT, validation_definitions=definitions, actions=[],
        result_format={"result_format": "COMPLETE"},
    ))


@dataclass
class SuiteOutcome:
    suite: str
    success: bool
    failures: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    suites: list[SuiteOutcome]
    identities: dict[str, dict[str, int]]  # family -> status -> count
    quarantined: dict[str, list[str]]  # document -> failed identities
    suspects: dict[str, list[str]]  # document -> rank-1 suspect cells

    @property
    def success(self) -> bool:
        return all(s.success for s in self.suites)


def run_suites(warehouse: Path, root: Path = GX_ROOT) -> list[SuiteOutcome]:
    context = _context(warehouse, root)
    try:
        result = context.checkpoints.get(CHECKPOINT).run()
    finally:
        _close_connections(context)
    outcomes = []
    for run in result.run_results.values():
        failures = []
        for expectation in run.results:
            if not expectation.success:
                rows = expectation.result.get("details", {}).get("unexpected_rows") or []
                detail = expectation.exception_info.get("exception_message") if expectation.exception_info else None
                failures.append(f"{expectation.expectation_config.description}: "
                                f"{expectation.result.get('observed_value', detail)} rows {rows[:5]}")
        outcomes.append(SuiteOutcome(run.suite_name, run.success, failures))
    return sorted(outcomes, key=lambda o: o.suite)


def _close_connections(context) -> None:
    """DuckDB admits one writer per file: release GX's persisted connection before anyone else."""
    engine = context.data_sources.get(DATASOURCE).get_execution_engine()
    if getattr(engine, "_connection", None) is not None:
        engine._connection.close()
        engine._connection = None
    engine.close()
    engine.engine.dispose()


def identity_tallies(warehouse: Path) -> tuple[dict, dict, dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts: dict[str, dict[str, int]] = {}
        for family, status, count in con.execute(
                "select family, status, count(*) from marts.identity_results group by all order by all").fetchall():
            counts.setdefault(family, {})[status] = count
        quarantined: dict[str, list[str]] = {}
        for document, identity, difference, tolerance in con.execute("""
                select r.document_key, r.identity, r.difference, r.tolerance
                from marts.identity_results r join marts.dim_document d using (document_key)
                where d.status = 'quarantined' and r.status = 'failed' order by all""").fetchall():
            quarantined.setdefault(document, []).append(f"{identity} (difference {difference}, tolerance {tolerance})")
        suspects: dict[str, list[str]] = {}
        for document, statement, row_key, measure, printed, balancing in con.execute("""
                select document_key, statement, row_key, measure, printed_amount, balancing_amount
                from marts.suspect_cells where suspect_rank = 1 order by all""").fetchall():
            suspects.setdefault(document, []).append(
                f"{statement} {row_key} {measure}: printed {printed}, balances at {balancing}")
    return counts, quarantined, suspects


def validate_warehouse(warehouse: Path, root: Path = GX_ROOT) -> ValidationReport:
    counts, quarantined, suspects = identity_tallies(warehouse)
    suites = run_suites(warehouse, root)
    return ValidationReport(suites, counts, quarantined, suspects)


def build_data_docs(root: Path = GX_ROOT) -> Path:
    """The local Data Docs site of the last validations (offline: GX's CDN styles won't load)."""
    context = _context(PROJECT_ROOT / "warehouse" / "juesuan.duckdb", root)
    context.build_data_docs()
    return root / "uncommitted" / "data_docs" / "local_site" / "index.html"
