"""Generated documents through `juesuan build`: past a size DuckDB reads the landing zone directly,
and adding a document to a built warehouse gives the warehouse a build from scratch gives."""
from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import build_into, copy_inbox, query
from juesuan.landing import LandingZone
from juesuan_testkit.corpus import generate_corpus, read_manifest

FACTS = "select document_key, statement, row_key, measure, amount from marts.all_amounts order by all"
IDENTITIES = "select document_key, identity_key, left_value, right_value, status from marts.identity_results order by all"


def dbt_threads_of_last_build(warehouse) -> int:
    run_results = warehouse.with_name("juesuan.landing") / "dbt_target" / "run_results.json"
    return json.loads(run_results.read_text(encoding="utf-8"))["args"]["threads"]


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory, qingyuan_path):
    base = tmp_path_factory.mktemp("scale")
    documents = generate_corpus(qingyuan_path, base / "generated", 21, seed=11)
    inbox = base / "inbox"
    inbox.mkdir()
    for path in documents[:20]:
        shutil.copy(path, inbox / path.name)
    warehouse = base / "juesuan.duckdb"
    outcome = build_into([inbox], warehouse, seed_limit_bytes=0)  # read directly, whatever the size
    assert outcome.published, outcome.error
    return base, documents, inbox, warehouse


def test_generated_documents_read_directly_pass_every_identity(corpus_build):
    base, documents, _, warehouse = corpus_build
    manifest = read_manifest(base / "generated")
    expected = sum(manifest[p.name]["expected_total"] for p in documents[:20])
    assert query(warehouse, "select status, count(*) from marts.dim_document group by 1") == [("published", 20)]
    assert query(warehouse, "select count(*) from marts.identity_results where status = 'failed'") == [(0,)]
    assert query(warehouse, "select count(*) from marts.all_amounts") == [(expected,)]
    # documents in 元 too, converted to 万元 and rounded, still pass every identity
    assert {manifest[p.name]["unit"] for p in documents[:20]} == {"元", "万元"}
    assert query(warehouse, "select count(distinct printed_unit) from marts.dim_document") == [(2,)]


def test_adding_one_document_equals_a_build_from_scratch(corpus_build, tmp_path):
    base, documents, inbox, warehouse = corpus_build
    assert dbt_threads_of_last_build(warehouse) == 2
    shutil.copy(documents[20], inbox / documents[20].name)
    # past serial_models_bytes dbt builds one model at a time (each then has DuckDB's whole memory)
    outcome = build_into([inbox], warehouse, seed_limit_bytes=0, serial_models_bytes=0)
    assert outcome.published, outcome.error
    assert dbt_threads_of_last_build(warehouse) == 1
    assert [o["document_id"] for o in outcome.landed if o["status"] != "unchanged"] == [documents[20].stem]
    assert query(warehouse, "select status, count(*) from marts.dim_document group by 1") == [("published", 21)]
    fresh = build_into([inbox], tmp_path / "fresh.duckdb")  # from scratch, and as dbt seeds
    assert fresh.published
    assert query(fresh.warehouse, FACTS) == query(warehouse, FACTS)
    assert query(fresh.warehouse, IDENTITIES) == query(warehouse, IDENTITIES)


STAGING = ("stg_raw__documents", "stg_raw__cells", "stg_raw__narrative", "stg_raw__narrative_facts", "stg_raw__warnings")


def staging_rows(warehouse, model: str) -> list[tuple]:
    """A staging table's rows but where and when its file was found and landed (the two builds differ there)."""
    when = ", inbox_path, file_modified_at, landed_at" if model == "stg_raw__documents" else ""
    return query(warehouse, f"select * exclude (landed_file_version{when}) from staging.{model} order by all")


def files_read_by_last_build(warehouse, model: str) -> list[str]:
    compiled = next((warehouse.with_name("juesuan.landing") / "dbt_target" / "compiled").rglob(f"{model}.sql"))
    return sorted(set(re.findall(r"documents/([^/']+)/raw_\w+\.csv'", compiled.read_text(encoding="utf-8"))))


def test_a_rebuild_reads_only_changed_files_and_drops_removed_documents(corpus_build, tmp_path):
    """Read directly, staging keeps what it read: a revised document's files are read again, a removed
    document's rows go, the rest is not re-read; the staging tables then equal a build from scratch."""
    base, documents, inbox, warehouse = corpus_build
    revised, removed = inbox / documents[1].name, documents[2].stem
    department = read_manifest(base / "generated")[documents[1].name]["department_name"]
    revised.write_text(revised.read_text(encoding="utf-8").replace(department, "清远市修订测试局"), encoding="utf-8")
    LandingZone(warehouse.with_name("juesuan.landing")).remove(removed)
    outcome = build_into([inbox], warehouse, seed_limit_bytes=0)
    assert outcome.published, outcome.error
    assert files_read_by_last_build(warehouse, "stg_raw__cells") == [documents[1].stem]
    assert query(warehouse, f"select department_name from staging.stg_raw__documents "
                            f"where document_key = '{documents[1].stem}'") == [("清远市修订测试局",)]
    assert query(warehouse, f"select count(*) from staging.stg_raw__cells where document_key = '{removed}'") == [(0,)]
    scratch_inbox = copy_inbox([p for p in inbox.iterdir() if p.stem != removed], tmp_path / "inbox")
    fresh = build_into([scratch_inbox], tmp_path / "fresh.duckdb", seed_limit_bytes=0)
    assert fresh.published, fresh.error
    for model in STAGING:
        assert staging_rows(warehouse, model) == staging_rows(fresh.warehouse, model), model
    assert len(staging_rows(warehouse, "stg_raw__documents")) == 20
    assert query(fresh.warehouse, FACTS) == query(warehouse, FACTS)
