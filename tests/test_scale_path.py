"""Generated documents through `juesuan build`: past a size DuckDB reads the landing zone directly,
and adding a document to a built warehouse gives the warehouse a build from scratch gives."""
from __future__ import annotations

import json
import shutil

import pytest

from conftest import build_into, query
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
