"""The whole asset graph, materialized in process on the shared documents (dagster's own APIs)."""
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import shared_documents_dir, vocabulary_only_seeds
from dagster import AssetKey, AssetRecordsFilter, DagsterInstance

from juesuan.extract import extract_document
from juesuan.extract.document import document_id_for

REPO = Path(__file__).resolve().parents[1]
BROKEN_ID = "zz_not_a_final_account"


def shared_documents() -> Path:
    return shared_documents_dir()


def fresh_seeds(folder: Path) -> Path:
    return vocabulary_only_seeds(folder)


def read_all(warehouse: Path, sql: str):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from orchestration.run import build_in_process

    shared = shared_documents()
    root = tmp_path_factory.mktemp("dagster_build")
    inbox = root / "inbox"
    inbox.mkdir()
    for path in sorted(shared.iterdir()):
        if path.is_file():
            shutil.copy(path, inbox / path.name)
    # A document that is not a final account: its partition must fail alone.
    (inbox / f"{BROKEN_ID}.txt").write_text("某单位\n这里没有任何决算表\n", encoding="utf-8")
    warehouse = root / "warehouse" / "juesuan.duckdb"
    seeds = fresh_seeds(root / "seeds")
    instance = DagsterInstance.ephemeral()
    first = build_in_process([inbox], warehouse, seeds, instance=instance, report=lambda _: None)
    extracted_after_first = _materializations(instance, "extracted_document")
    second = build_in_process([inbox], warehouse, seeds, instance=instance, report=lambda _: None)
    return {"inbox": inbox, "warehouse": warehouse, "seeds": seeds, "instance": instance, "first": first,
            "second": second, "extracted_after_first": extracted_after_first}


def _materializations(instance: DagsterInstance, key: str) -> int:
    return len(instance.fetch_materializations(AssetRecordsFilter(asset_key=AssetKey(key)), limit=1000).records)


def _readable(inbox: Path) -> dict[str, Path]:
    """Documents the installed extractor reads (the PDF reader may not be installed yet)."""
    readable = {}
    for path in sorted(inbox.iterdir()):
        try:
            extract_document(path)
        except Exception:  # noqa: BLE001 - unreadable documents are what quarantine is for
            continue
        readable[document_id_for(path)] = path
    return readable


def test_every_document_has_a_partition_and_only_the_broken_one_fails(built):
    instance, inbox = built["instance"], built["inbox"]
    partitions = set(instance.get_dynamic_partitions("documents"))
    assert partitions == {document_id_for(p) for p in inbox.iterdir()}
    readable = _readable(inbox)
    assert "qingyuan_rsj_2023_final" in readable
    first = built["first"]
    assert sorted(first.read) == sorted(readable)
    failed = {Path(f.source).name for f in first.extraction.failures}
    assert f"{BROKEN_ID}.txt" in failed
    assert failed == {p.name for p in inbox.iterdir()} - {p.name for p in readable.values()}
    assert first.dbt_ok and first.published


def test_marts_hold_the_extracted_documents(built):
    warehouse, inbox = built["warehouse"], built["inbox"]
    readable = _readable(inbox)
    documents = dict(read_all(warehouse, "select document_key, fiscal_year from marts.dim_document"))
    statuses = dict(read_all(warehouse, "select document_key, status from marts.dim_document"))
    assert statuses["qingyuan_rsj_2023_final"] == "published"
    assert set(documents) == set(readable)
    assert documents["qingyuan_rsj_2023_final"] == 2023
    expected = extract_document(readable["qingyuan_rsj_2023_final"]).counts_by_statement()
    counts = dict(read_all(warehouse, "select statement, count(*) from marts.all_amounts "
                                      "where document_key = 'qingyuan_rsj_2023_final' group by 1"))
    assert counts == expected
    assert set(counts) >= {"T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"}
    income = read_all(warehouse, "select amount from marts.all_amounts where document_key = 'qingyuan_rsj_2023_final' "
                                 "and statement = 'T1' and row_key = '一般公共预算财政拨款收入' and measure = 'income_amount'")
    assert [float(r[0]) for r in income] == [34365.67]
    departments = [r[0] for r in read_all(warehouse, "select department_name from marts.dim_department")]
    assert any("清远市人力资源和社会保障局" in d for d in departments)
    # The broken document and the quarantined ones are nowhere in the warehouse.
    assert not read_all(warehouse, f"select 1 from marts.all_amounts where document_key = '{BROKEN_ID}'")
    summary = built["first"].summary
    assert summary["documents"] == len(readable)
    assert summary["amounts"] == read_all(warehouse, "select count(*) from marts.all_amounts")[0][0]


def test_dbt_tests_are_asset_checks_and_pass(built):
    instance = built["instance"]
    from orchestration.definitions import defs

    check_keys = list(defs.resolve_asset_graph().asset_check_keys)
    from orchestration.assets import SUITE_TARGETS

    dbt_checks = [k for k in check_keys if k.name != "balancing_identities" and k.name not in SUITE_TARGETS]
    assert len(dbt_checks) > 20
    # Each dbt test sits on the model it tests, e.g. unique_dim_economic_subject_economic_code.
    on_dim = [k for k in dbt_checks if k.asset_key == AssetKey(["marts", "dim_economic_subject"])]
    assert any(k.name.startswith("unique_dim_economic_subject") for k in on_dim)
    run_id = built["second"].run_ids[-1]
    evaluations = [e.dagster_event.event_specific_data for e in instance.all_logs(run_id)
                   if e.dagster_event is not None and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"]
    evaluated = {(e.asset_key, e.check_name): e for e in evaluations}
    assert {(k.asset_key, k.name) for k in dbt_checks} <= set(evaluated)
    dbt_names = {k.name for k in dbt_checks}
    assert all(e.passed for e in evaluations if e.check_name in dbt_names), \
        [e.check_name for e in evaluations if e.check_name in dbt_names and not e.passed]


def test_metadata_a_user_looks_for(built):
    instance = built["instance"]

    def latest(key, partition=None):
        records = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=AssetKey(key), asset_partitions=[partition] if partition else None),
            limit=1).records
        return {k: v.value for k, v in records[0].asset_materialization.metadata.items()}

    extracted = latest("extracted_document", "qingyuan_rsj_2023_final")
    assert extracted["rows_by_statement_json"]["T2"] > 0 and "| T1 |" in extracted["rows_by_statement"]
    raw = latest("raw_tables")
    readable = _readable(built["inbox"])
    assert raw["documents_published"] == len(readable)
    assert raw["documents_quarantined"] == len(list(built["inbox"].iterdir())) - len(readable)
    assert BROKEN_ID in raw["quarantined"]
    published = latest("published_warehouse")
    assert published["dbt_build_seconds"] > 0 and published["dbt_status_counts"]["success"] > 0
    assert "| node | status | seconds |" in published["dbt_slowest_nodes"]


def test_second_run_reads_nothing_again(built):
    second, instance = built["second"], built["instance"]
    assert second.read == [] and second.extraction.failures == []
    assert sorted(second.unchanged) == sorted(document_id_for(p) for p in built["inbox"].iterdir())
    assert _materializations(instance, "extracted_document") == built["extracted_after_first"]
    assert _materializations(instance, "published_warehouse") == 2
    assert second.summary["amounts"] == built["first"].summary["amounts"]


def test_balancing_identities_are_asset_checks(built):
    """The identity suites (blocking) and the per-document identity check, with their metadata."""
    from orchestration.assets import SUITE_TARGETS

    run_id = built["second"].run_ids[-1]
    evaluations = {(e.dagster_event.event_specific_data.asset_key.to_user_string(),
                    e.dagster_event.event_specific_data.check_name): e.dagster_event.event_specific_data
                   for e in built["instance"].all_logs(run_id)
                   if e.dagster_event is not None and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"}
    for name, key in SUITE_TARGETS.items():
        assert evaluations[(key.to_user_string(), name)].passed, name
    identities = evaluations[("marts/identity_results", "balancing_identities")]
    metadata = {k: v.value for k, v in identities.metadata.items()}
    assert {"failed", "by_family", "failed_by_document", "failed_preview", "suspect_cells"} <= set(metadata)
    assert sum(counts.get("passed", 0) for counts in metadata["by_family"].values()) > 0
    failed_in_mart = read_all(built["warehouse"], "select count(*) from marts.identity_results where status = 'failed'")
    assert metadata["failed"] == failed_in_mart[0][0]
    assert identities.passed == (metadata["failed"] == 0)
    if metadata["failed"]:
        assert "| document | family | identity |" in metadata["failed_preview"]
    report = built["second"].validation
    assert report is not None and report.success
    # The suites block: validation and publishing start only after the checks ran.
    steps = [e.dagster_event.step_key for e in built["instance"].all_logs(run_id)
             if e.dagster_event is not None and e.dagster_event.event_type_value == "STEP_START"]
    assert steps.index("identity_checks") < steps.index("validation") < steps.index("published_warehouse")


def test_cli_pipeline_and_dagster_build_the_same_warehouse(built, tmp_path):
    """pipeline.build (today's `juesuan build`) and the Dagster jobs give the same marts."""
    from juesuan.pipeline import build

    # Today's pipeline stops on a document whose reader is missing; give it the readable ones.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in _readable(built["inbox"]).values():
        shutil.copy(path, inbox / path.name)
    warehouse = tmp_path / "cli" / "juesuan.duckdb"
    result = build([inbox], warehouse, fresh_seeds(tmp_path / "seeds"), report=lambda _: None,
                   target_dir=tmp_path / "target")
    assert result.dbt_ok
    tables = [r[0] for r in read_all(warehouse, "select table_name from information_schema.tables "
                                                "where table_schema = 'marts' order by 1")]
    assert "all_amounts" in tables and "dim_document" in tables
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{warehouse}' as cli (read_only)")
        con.execute(f"attach '{built['warehouse']}' as dg (read_only)")
        for table in tables:
            for left, right in (("cli", "dg"), ("dg", "cli")):
                difference = con.execute(f"select count(*) from (select * from {left}.marts.{table} "
                                         f"except all select * from {right}.marts.{table})").fetchall()[0][0]
                assert difference == 0, f"marts.{table}: {difference} rows in {left} only"
