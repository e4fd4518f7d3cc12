"""The asset graph as Dagster shows it: checks on the models they test, blocking suites before the
publish, the metadata a user looks for, and a second run that reads nothing again."""
from __future__ import annotations

from dagster import AssetKey, AssetRecordsFilter

from conftest import QINGYUAN_ID, build_into, query, shared_documents_dir
from orchestration.assets import SUITE_TARGETS
from orchestration.definitions import defs


def evaluations(instance, run_id: str) -> dict:
    return {(e.dagster_event.event_specific_data.asset_key.to_user_string(),
             e.dagster_event.event_specific_data.check_name): e.dagster_event.event_specific_data
            for e in instance.all_logs(run_id)
            if e.dagster_event is not None and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"}


def latest(instance, key: str) -> dict:
    records = instance.fetch_materializations(AssetRecordsFilter(asset_key=AssetKey(key)), limit=1).records
    return {k: v.value for k, v in records[0].asset_materialization.metadata.items()}


def test_dbt_tests_are_asset_checks_on_the_models_they_test(shared_build):
    check_keys = list(defs.resolve_asset_graph().asset_check_keys)
    dbt_checks = [k for k in check_keys if k.name != "balancing_identities" and k.name not in SUITE_TARGETS]
    assert len(dbt_checks) > 20
    on_dim = [k for k in dbt_checks if k.asset_key == AssetKey(["marts", "dim_economic_subject"])]
    assert any(k.name.startswith("unique_dim_economic_subject") for k in on_dim)
    evaluated = evaluations(shared_build.instance, shared_build.run_id)
    assert {(k.asset_key.to_user_string(), k.name) for k in dbt_checks} <= set(evaluated)
    errors = [name for (_, name), e in evaluated.items() if not e.passed and e.severity.value == "ERROR"]
    assert errors == []


def test_the_suites_block_before_validation_and_publish(shared_build):
    evaluated = evaluations(shared_build.instance, shared_build.run_id)
    for name, key in SUITE_TARGETS.items():
        assert evaluated[(key.to_user_string(), name)].passed, name
    identities = evaluated[("marts/identity_results", "balancing_identities")]
    metadata = {k: v.value for k, v in identities.metadata.items()}
    assert {"failed", "by_family", "failed_by_document", "failed_preview", "suspect_cells"} <= set(metadata)
    assert metadata["failed"] == query(shared_build.warehouse, "select count(*) from marts.identity_results "
                                                               "where status = 'failed'")[0][0]
    steps = [e.dagster_event.step_key for e in shared_build.instance.all_logs(shared_build.run_id)
             if e.dagster_event is not None and e.dagster_event.event_type_value == "STEP_START"]
    assert steps.index("identity_checks") < steps.index("validation") < steps.index("published_warehouse")


def test_metadata_a_user_looks_for(shared_build):
    landing = latest(shared_build.instance, "landing_zone")
    files = len([p for p in shared_documents_dir().iterdir() if p.is_file()])
    assert landing["files"] == files and sum(landing["by_status"].values()) == files
    assert "qingyuan_rsj_2023_final" in landing["read_this_run"]
    raw = latest(shared_build.instance, "raw_tables")
    assert raw["documents"] == files and raw["read_directly"] is False
    published = latest(shared_build.instance, "published_warehouse")
    assert published["documents"] == files and published["amounts"] > 1000
    assert published["documents_by_status"]["published"] >= 3
    assert "| document | file | status | reason |" in published["not_published"] or \
        published["not_published"] == "none"


def test_a_second_run_reads_nothing_again(shared_build):
    outcome = build_into([shared_documents_dir()], shared_build.warehouse, instance=shared_build.instance)
    assert outcome.published
    assert {o["status"] for o in outcome.landed} == {"unchanged"}
    assert outcome.documents == shared_build.documents and outcome.facts == shared_build.facts
    facts = query(shared_build.warehouse, "select count(*) from marts.all_amounts where document_key = ?", QINGYUAN_ID)
    assert facts == [(1185,)]


def test_the_dbt_resource_runs_dbt_without_a_version_probe_or_an_adapter(monkeypatch):
    """dagster-dbt runs `dbt --version` and opens a dbt adapter before each dbt command (6.8 s of
    every build here, BENCHMARKS.md); the resource skips both, and what it overrides still exists."""
    import dagster_dbt.core.resource as dagster_dbt_resource
    from dagster_dbt import DbtCliResource
    from dagster_dbt.compat import DBT_PYTHON_VERSION

    from orchestration.project import dbt_resource

    assert {"_cli_version", "_initialize_dbt_core_adapter"} <= set(dir(DbtCliResource))

    def version_probe(*_args, **_kwargs):
        raise AssertionError("dbt --version was run")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", version_probe)
    resource = dbt_resource()
    assert resource._cli_version == DBT_PYTHON_VERSION
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_a_warehouse_build_runs_the_models_and_data_tests_not_the_unit_tests(shared_build):
    """dbt's unit tests check the SQL on fixtures: `dbt build` by hand runs them
    (test_identities), a warehouse build does not spend its time on them."""
    import json

    from juesuan.landing import landing_dir_for
    run_results = json.loads((landing_dir_for(shared_build.warehouse) / "dbt_target" / "run_results.json")
                             .read_text(encoding="utf-8"))
    kinds = {result["unique_id"].split(".")[0] for result in run_results["results"]}
    assert kinds == {"seed", "model", "test"}
