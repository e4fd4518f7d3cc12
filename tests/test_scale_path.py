"""Generated documents through the large-corpus path: per-document raw files, incremental build."""
from __future__ import annotations

import duckdb
import pytest

from conftest import ROOT
from juesuan_testkit.corpus import generate_corpus, read_manifest
from juesuan.extract.rawtables import copy_vocabulary
from juesuan.pipeline import build_warehouse, extract_to_raw_dir


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory, qingyuan_path):
    base = tmp_path_factory.mktemp("scale")
    documents = generate_corpus(qingyuan_path, base / "docs", 21, seed=11)
    seeds = copy_vocabulary(ROOT / "seeds", base / "seeds")
    raw = base / "raw"
    amounts, failures = extract_to_raw_dir(documents[:20], raw, report=lambda _: None)
    assert failures == []
    warehouse = base / "juesuan.duckdb"
    ok, output, validation = build_warehouse(warehouse, seeds, report=lambda _: None, raw_dir=raw)
    assert ok and validation.success, output[-3000:]
    return base, documents, seeds, raw, warehouse, amounts


def test_generated_documents_extract_and_pass_every_identity(corpus_build):
    base, documents, _, _, warehouse, amounts = corpus_build
    manifest = read_manifest(base / "docs")
    expected = sum(manifest[p.name]["expected_total"] for p in documents[:20])
    assert amounts == expected
    assert query(warehouse, "select status, count(*) from marts.dim_document group by 1") == [("published", 20)]
    assert query(warehouse, "select count(*) from marts.identity_results where status = 'failed'") == [(0,)]
    assert query(warehouse, "select count(*) from marts.all_amounts") == [(expected,)]
    # documents in 元 too, converted to 万元 and rounded, still pass every identity
    assert {manifest[p.name]["unit"] for p in documents[:20]} == {"元", "万元"}
    assert query(warehouse, "select count(distinct printed_unit) from marts.dim_document") == [(2,)]


def test_adding_one_document_processes_only_that_document(corpus_build, tmp_path):
    base, documents, seeds, raw, warehouse, _ = corpus_build
    before = query(warehouse, "select document_key, identity_key, status from marts.identity_results order by all")
    extract_to_raw_dir(documents[20:], raw, processes=1, report=lambda _: None)
    ok, output, validation = build_warehouse(warehouse, seeds, report=lambda _: None, raw_dir=raw, incremental=True)
    assert ok and validation.success, output[-3000:]
    assert "1 of" in output  # dbt ran
    assert query(warehouse, "select status, count(*) from marts.dim_document group by 1") == [("published", 21)]
    after = query(warehouse, "select document_key, identity_key, status from marts.identity_results order by all")
    assert set(before) < set(after)
    # the incremental warehouse equals one built from scratch
    fresh = tmp_path / "fresh.duckdb"
    ok, _, _ = build_warehouse(fresh, seeds, report=lambda _: None, raw_dir=raw, validate=False)
    sql = "select document_key, statement, row_key, measure, amount from marts.all_amounts order by all"
    assert query(fresh, sql) == query(warehouse, sql)
    sql = "select document_key, identity_key, left_value, right_value, status from marts.identity_results order by all"
    assert query(fresh, sql) == query(warehouse, sql)
