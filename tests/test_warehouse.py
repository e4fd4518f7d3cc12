"""End to end on the real document: inbox -> raw tables -> dbt -> marts in DuckDB."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, committed_seeds, vocabulary_only_seeds
from juesuan.cli import main as cli
from juesuan.pipeline import build

MART_TABLES = {
    "all_amounts", "dim_department", "dim_document", "dim_economic_subject", "dim_fiscal_year",
    "dim_functional_subject", "dim_measure", "fct_economic_amounts", "fct_functional_amounts",
    "fct_summary_lines", "fct_three_public_expenses", "identity_results", "suspect_cells", "budget_vs_final",
}
QINGYUAN_ID = "qingyuan_rsj_2023_final"


def query(warehouse: Path, sql: str, *params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def empty_inbox_build(tmp_path_factory):
    """`make run` with an empty inbox: the warehouse comes from the committed seeds."""
    base = tmp_path_factory.mktemp("empty_inbox")
    seeds = committed_seeds(base / "seeds")
    (base / "inbox").mkdir()
    result = build([base / "inbox"], base / "warehouse" / "juesuan.duckdb", seeds, report=lambda _: None)
    assert result.dbt_ok, result.dbt_output[-3000:]
    return result


def test_marts_schema_holds_the_star(empty_inbox_build):
    tables = {r[0] for r in query(empty_inbox_build.warehouse,
                                  "select table_name from information_schema.tables where table_schema = 'marts'")}
    assert tables == MART_TABLES


def test_all_amounts_per_statement(empty_inbox_build):
    rows = dict(query(empty_inbox_build.warehouse,
                      "select statement, count(*) from marts.all_amounts where document_key = ? group by 1", QINGYUAN_ID))
    assert rows == {"T1": 42, "T2": 392, "T3": 336, "T4": 125, "T5": 138, "T6": 83, "T7": 54, "T8": 3, "T9": 12}
    assert sum(rows.values()) == 1185


def test_every_mart_amount_is_the_printed_one(empty_inbox_build, qingyuan):
    printed = Counter((c.statement, c.source_line, Decimal(c.amount)) for c in qingyuan.cells)
    held = Counter(query(empty_inbox_build.warehouse,
                         "select statement, source_line, amount from marts.all_amounts where document_key = ?",
                         QINGYUAN_ID))
    assert held == printed


def test_amounts_are_exact_decimals(empty_inbox_build):
    # 万元 with six decimals: a 元 figure keeps every printed 分 (1 分 = 0.000001 万元)
    types = {r[0] for r in query(empty_inbox_build.warehouse, "select distinct typeof(amount) from marts.all_amounts")}
    assert types == {"DECIMAL(24,6)"}


def test_facts_answer_questions(empty_inbox_build):
    warehouse = empty_inbox_build.warehouse
    assert query(warehouse, """
        select amount from marts.fct_summary_lines
        where statement = 'T1' and line_key = '总计' and side = '收入'
        and document_key = ?""", QINGYUAN_ID) == [(Decimal("51193.49"),)]
    assert query(warehouse, """
        select amount from marts.fct_functional_amounts
        where statement = 'T3' and functional_code = '2080101' and measure = 'basic_expenditure'
        and document_key = ?""", QINGYUAN_ID) == [
        (Decimal("2004.53"),)]
    assert query(warehouse, """
        select functional_class_code, amount from marts.fct_summary_lines
        where statement = 'T1' and line_key = '教育支出'
        and document_key = ?""", QINGYUAN_ID) == [("205", Decimal("15670.37"))]
    assert query(warehouse, """
        select amount from marts.fct_economic_amounts where economic_code = '30113'
        and document_key = ?""", QINGYUAN_ID) == [(Decimal("933.42"),)]
    assert query(warehouse, """
        select amount from marts.fct_three_public_expenses where basis = '决算数' and item = 'reception'
        and document_key = ?""", QINGYUAN_ID) == [
        (Decimal("5.59"),)]
    assert query(warehouse, "select row_key from marts.all_amounts where statement = 'T4' and amount = 422.76 "
                            "and measure = 'income_amount' and document_key = ? order by 1", QINGYUAN_ID) == [
        ("年初财政拨款结转和结余",), ("年初财政拨款结转和结余/一般公共预算财政拨款",)]


def test_dimensions(empty_inbox_build):
    warehouse = empty_inbox_build.warehouse
    assert query(warehouse, "select document_key, department_name, fiscal_year, source_file, status "
                            "from marts.dim_document order by 1") == [
        ("putuo_caizhengju_2024_final", "上海市普陀区财政局", 2024, "putuo_caizhengju_2024_final.pdf", "published"),
        ("putuo_guihuaziranziyuan_2024_final", "上海市普陀区规划和自然资源局", 2024,
         "putuo_guihuaziranziyuan_2024_final.pdf", "published"),
        (QINGYUAN_ID, "清远市人力资源和社会保障局", 2023, "qingyuan_rsj_2023_final.txt", "published")]
    assert query(warehouse, """
        select subject_name, subject_level, parent_code, class_code, section_code, name_variants
        from marts.dim_functional_subject where functional_code = '2080110'""") == [
        ("劳动关系和维权", "项", "20801", "208", "20801", ["劳动关系的维权"])]
    assert query(warehouse, """
        select subject_name, subject_level, parent_code from marts.dim_economic_subject
        where economic_code = '30101'""") == [("基本工资", "款", "301")]
    assert query(warehouse, "select fiscal_year_label from marts.dim_fiscal_year order by 1") == [
        ("2023年度",), ("2024年度",)]


def test_summary_reports_documents_facts_and_checks(empty_inbox_build):
    summary = empty_inbox_build.summary
    assert summary["documents"] == 3 and summary["statuses"] == {"published": 3}
    assert summary["amounts"] == 1185 + 195 + 308
    assert summary["dbt"]["error"] == 0 and summary["dbt"]["pass"] > 50


def another_department(source: Path, target: Path) -> Path:
    """The same tables under another department and year: a second document of this kind."""
    text = source.read_text(encoding="utf-8")
    target.write_text(text.replace("清远市人力资源和社会保障局", "清远市测试局").replace("2023年度", "2022年度"),
                      encoding="utf-8")
    return target


def test_a_new_document_in_the_inbox_joins_the_others_once(tmp_path, qingyuan_path, capsys):
    seeds = committed_seeds(tmp_path / "seeds")
    inbox = tmp_path / "documents"
    inbox.mkdir()
    another_department(qingyuan_path, inbox / "qingyuan_test_2022.txt")
    warehouse = tmp_path / "warehouse" / "juesuan.duckdb"
    for _ in range(2):
        assert cli(["build", "--documents", str(inbox), "--warehouse", str(warehouse), "--seeds", str(seeds),
                    "--quiet"]) == 0
        rows = query(warehouse, "select document_key, department_name, fiscal_year, count(*) from marts.all_amounts "
                                "where document_key like 'qingyuan%' group by all order by 1")
        assert rows == [("qingyuan_rsj_2023_final", "清远市人力资源和社会保障局", 2023, 1185),
                        ("qingyuan_test_2022", "清远市测试局", 2022, 1185)]
        assert query(warehouse, "select count(*) from marts.dim_document") == [(4,)]
    assert f"facts (marts.all_amounts): {2 * 1185 + 195 + 308}" in capsys.readouterr().out
    # the repository's own seeds were not touched
    assert "qingyuan_test_2022" not in (ROOT / "seeds" / "raw_documents.csv").read_text(encoding="utf-8")


def test_a_bad_document_is_named_and_the_build_goes_on(tmp_path, qingyuan_path, capsys):
    seeds = vocabulary_only_seeds(tmp_path / "seeds")
    inbox = tmp_path / "documents"
    inbox.mkdir()
    (inbox / "letter.txt").write_text("致全体职工的一封信\n\n大家好。\n", encoding="utf-8")
    (inbox / "qingyuan.txt").write_bytes(qingyuan_path.read_bytes())
    warehouse = tmp_path / "w.duckdb"
    assert cli(["build", "--documents", str(inbox), "--warehouse", str(warehouse), "--seeds", str(seeds)]) == 0
    out = capsys.readouterr().out
    assert "letter.txt: line 3: no 部门决算 statement" in out
    assert "documents extracted: 1, failed: 1" in out
    assert query(warehouse, "select count(*) from marts.all_amounts") == [(1185,)]


def test_dbt_build_by_hand_rebuilds_the_same_warehouse(tmp_path, empty_inbox_build):
    """A data engineer: cd dbt_project && dbt build, with the shipped profiles.yml."""
    env = dict(os.environ, JUESUAN_WAREHOUSE=str(tmp_path / "by_hand.duckdb"),
               JUESUAN_DBT_TARGET=str(tmp_path / "target"))
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run([str(dbt), "build"], cwd=ROOT / "dbt_project", env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    sql = "select document_key, statement, row_key, measure, amount from marts.all_amounts order by all"
    assert query(tmp_path / "by_hand.duckdb", sql) == query(empty_inbox_build.warehouse, sql)


PDF_COUNTS = {
    "putuo_caizhengju_2024_final": {"T1": 12, "T2": 45, "T3": 44, "T4": 19, "T5": 44, "T6": 29, "T9": 2},
    "putuo_guihuaziranziyuan_2024_final": {"T1": 12, "T2": 50, "T3": 75, "T4": 17, "T5": 75, "T6": 67, "T9": 12},
}


def test_every_printed_cell_of_the_pdfs_is_in_all_amounts_once(empty_inbox_build):
    for document, counts in PDF_COUNTS.items():
        rows = dict(query(empty_inbox_build.warehouse,
                          "select statement, count(*) from marts.all_amounts where document_key = ? group by 1",
                          document))
        assert rows == counts, document
        assert query(empty_inbox_build.warehouse, "select count(*) from marts.all_amounts "
                     "where document_key = ? and page is null", document) == [(0,)]


def test_pdf_control_totals_in_the_marts(empty_inbox_build):
    assert query(empty_inbox_build.warehouse, """
        select line_key, side, amount from marts.fct_summary_lines
        where document_key = 'putuo_caizhengju_2024_final' and statement = 'T1'
          and line_key in ('本年收入合计', '本年支出合计', '总计') order by all""") == [
        ("总计", "支出", Decimal("2995.39")), ("总计", "收入", Decimal("2995.39")),
        ("本年支出合计", "支出", Decimal("2940.05")), ("本年收入合计", "收入", Decimal("2946.25"))]
