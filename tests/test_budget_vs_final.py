"""Budgets beside finals (issue 11): phase, conformed departments, exact amounts, budget
identities, budget_vs_final.

Generated pairs (juesuan_testkit.pairs) know both sides exactly. The shared documents are read
here (not the committed raw seeds): the budgets must publish with every applicable identity
passing and their control totals in the marts; the finals' own budget figures (T9's 预算数, the
narrative's 年初预算) stand beside their finals. Values checked by eye on the rendered pages
(`pdftotext -layout`).
"""
from __future__ import annotations

import shutil
from decimal import Decimal

import duckdb
import pytest

from conftest import NARRATIVE_MISSTATEMENTS, accept_before_building, build_into, copy_inbox, shared_document
from juesuan.extract.rawtables import read_rows, write_rows
from juesuan.landing import LandingZone, land_inbox, landing_dir_for, scan_inbox
from juesuan_testkit.pairs import generate_pairs

QINGYUAN_ID = "qingyuan_rsj_2023_final"
PAIRS = 6
SHANGHAI_BUDGET = "shanghai_caizhengju_2025_budget"    # 元, with a 万元 三公 table
WANLI_BUDGET = "putuo_wanlijiedao_2023_budget"          # 元, two units, tables over pages
JIANGSU_BUDGET = "jiangsu_gaojifayuan_2019_budget"      # 万元, Jiangsu's 12-table template
READ_TOGETHER = ("qingyuan_rsj_2023_final.txt", "putuo_caizhengju_2024_final.pdf",
                 "putuo_guihuaziranziyuan_2024_final.pdf", f"{SHANGHAI_BUDGET}.pdf", f"{WANLI_BUDGET}.pdf")


def query(warehouse, sql, *params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def pairs_build(tmp_path_factory, qingyuan_path):
    """Generated budget/final pairs through `juesuan build`'s graph. The budgets are printed in the
    final template's form: once landed, each budget's record gets the phase a budget reader gives it."""
    base = tmp_path_factory.mktemp("pairs")
    pairs = generate_pairs(qingyuan_path, base / "generated", PAIRS, seed=5, renamed_every=0)
    copy_inbox([path for final, budget, _ in pairs for path in (final, budget)], base / "inbox")
    pairs = [(base / "inbox" / final.name, base / "inbox" / budget.name, pair) for final, budget, pair in pairs]
    warehouse = base / "warehouse" / "juesuan.duckdb"
    zone = LandingZone(landing_dir_for(warehouse))
    land_inbox(scan_inbox([base / "inbox"]), zone, report=lambda _line: None)
    for _, budget_path, _ in pairs:
        record_file = zone.folder(budget_path.stem) / "raw_documents.csv"
        [record] = read_rows(record_file)
        record["phase"] = "budget"
        write_rows(record_file, list(record), [record])
    outcome = build_into([base / "inbox"], warehouse)
    assert outcome.published, outcome.error
    return warehouse, [pair for _, _, pair in pairs]


@pytest.fixture(scope="module")
def documents_build(tmp_path_factory):
    """Finals and budgets of ../shared/documents, read and built together."""
    base = tmp_path_factory.mktemp("documents")
    inbox = copy_inbox([shared_document(name) for name in READ_TOGETHER], base / "inbox")
    warehouse = base / "warehouse" / "juesuan.duckdb"
    accept_before_building(warehouse, NARRATIVE_MISSTATEMENTS)  # their tables are right (tests/conftest.py)
    outcome = build_into([inbox], warehouse)
    assert outcome.published, outcome.error
    return outcome.warehouse


def test_every_document_has_its_phase_and_budgets_and_finals_share_statements(pairs_build):
    warehouse, _ = pairs_build
    assert query(warehouse, "select phase, status, count(*) from marts.dim_document group by all order by all") == [
        ("budget", "published", PAIRS), ("final", "published", PAIRS)]
    by_phase = dict(query(warehouse, """
        select phase, list(distinct statement order by statement) from marts.all_amounts group by phase"""))
    assert by_phase["budget"] == by_phase["final"] == ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"]


def test_budget_vs_final_equals_the_generators_truth(pairs_build):
    warehouse, pairs = pairs_build
    for pair in pairs:
        held = {
            (statement, row_key, measure): (budget, final, difference, rate)
            for statement, row_key, measure, budget, final, difference, rate in query(warehouse, """
                select statement, row_key, measure, budget_amount, final_amount, difference, execution_rate
                from marts.budget_vs_final
                where department_name = ? and fiscal_year = ? and budget_source = 'budget_document'
                and final_source = 'final_document'""", pair.department_name, pair.fiscal_year)
        }
        for key, (budget, final) in pair.expected_rows().items():
            assert held[key] == (budget, final, final - budget, round(final / budget, 6)), (pair.department_name, key)


BUDGET_VS_FINAL = "select * exclude (inputs_version) from marts.budget_vs_final order by all"


def test_removing_a_final_recomputes_its_department_year_as_a_build_from_scratch(pairs_build, tmp_path):
    """budget_vs_final is kept by department-year: a build after a final is removed recomputes that
    year (its budget then stands alone) and keeps the others; the same as building without it."""
    warehouse, pairs = pairs_build
    copied = tmp_path / "kept" / "juesuan.duckdb"
    shutil.copytree(warehouse.parent, copied.parent)
    inbox = warehouse.parent.parent / "inbox"
    final = next(path for path in inbox.iterdir() if path.stem.endswith("final"))
    LandingZone(landing_dir_for(copied)).remove(final.stem)
    kept = build_into([inbox], copied)
    assert kept.published, kept.error
    # from scratch: the same landed documents (budgets carry their phase) but that final
    scratch = tmp_path / "scratch" / "juesuan.duckdb"
    shutil.copytree(landing_dir_for(warehouse) / "documents", landing_dir_for(scratch) / "documents",
                    ignore=shutil.ignore_patterns(final.stem))
    fresh = build_into([copy_inbox([p for p in inbox.iterdir() if p != final], tmp_path / "inbox")], scratch)
    assert fresh.published, fresh.error
    rows = query(copied, BUDGET_VS_FINAL)
    assert rows == query(scratch, BUDGET_VS_FINAL)
    assert query(copied, "select count(*) from marts.budget_vs_final where final_document_key = ?", final.stem) == [(0,)]
    [(department, year)] = query(warehouse, "select distinct department_key, fiscal_year from marts.budget_vs_final "
                                            "where final_document_key = ?", final.stem)
    others = "select * exclude (inputs_version) from marts.budget_vs_final where (department_key, fiscal_year) <> (?, ?)"
    assert query(copied, others, department, year) == query(warehouse, others, department, year)
    alone = "select count(*) from marts.budget_vs_final where (department_key, fiscal_year) = (?, ?) and final_amount is null"
    assert query(copied, alone, department, year)[0][0] > query(warehouse, alone, department, year)[0][0]


def test_a_yuan_document_keeps_every_printed_fen(pairs_build):
    warehouse, pairs = pairs_build
    pair = next(p for p in pairs if p.final_unit == "元")
    budget, final = pair.truth["T1.income_total"]
    assert final.as_tuple().exponent < -2  # more precise than 0.01 万元
    assert query(warehouse, """
        select final_amount from marts.budget_vs_final
        where department_name = ? and statement = 'T1' and row_key = '本年收入合计' and measure = 'income_amount'
        and budget_source = 'budget_document'""", pair.department_name) == [(final,)]


def test_t9_budget_column_stands_beside_its_final_on_qingyuan(documents_build):
    # 清远 2023 T9: 预算数 合计 22.36 / 决算数 21.12; 公务接待费 6.83 / 5.59; 公务用车运行维护费 15.53 / 15.53
    rows = query(documents_build, """
        select measure, budget_amount, final_amount, difference, execution_rate from marts.budget_vs_final
        where final_document_key = ? and statement = 'T9' and budget_source = 'final_document_budget_column'
        and measure in ('total', 'reception', 'vehicle_operation') order by measure""", QINGYUAN_ID)
    assert rows == [
        ("reception", Decimal("6.83"), Decimal("5.59"), Decimal("-1.24"), Decimal("0.818448")),
        ("total", Decimal("22.36"), Decimal("21.12"), Decimal("-1.24"), Decimal("0.944544")),
        ("vehicle_operation", Decimal("15.53"), Decimal("15.53"), Decimal("0"), Decimal("1")),
    ]


def test_narrative_budget_stands_beside_its_final_on_qingyuan(documents_build):
    # 情况说明: 一般公共预算财政拨款支出34,342.82万元，比年初预算数增加14,000.9万元 -> budget 20,341.92
    rows = query(documents_build, """
        select statement, row_key, measure, budget_amount, final_amount from marts.budget_vs_final
        where final_document_key = ? and budget_source = 'final_document_narrative' order by measure""",
                 QINGYUAN_ID)
    assert rows[0] == ("T4", "本年支出合计", "expenditure_general_budget", Decimal("20341.92"), Decimal("34342.82"))
    assert len(rows) == 2  # and the government-fund appropriation, stated the same way


def test_a_blank_final_cell_under_a_printed_budget_is_zero(documents_build):
    # 普陀区财政局 2024 T9 prints 预算数 公务接待费 0.95 and leaves its 决算数 blank
    assert query(documents_build, """
        select budget_amount, final_amount, final_source, execution_rate from marts.budget_vs_final
        where final_document_key = 'putuo_caizhengju_2024_final' and statement = 'T9' and measure = 'reception'""") == [
        (Decimal("0.95"), Decimal("0"), "final_document_blank", Decimal("0"))]


def test_budget_documents_publish_with_every_applicable_identity_passing(documents_build):
    rows = query(documents_build, """
        select document_key, phase, printed_unit, status, identities_failed from marts.dim_document
        where phase = 'budget' order by 1""")
    assert rows == [(WANLI_BUDGET, "budget", "元", "published", 0), (SHANGHAI_BUDGET, "budget", "元", "published", 0)]
    # the budget identities themselves were judged, not only found not applicable
    judged = {r[0] for r in query(documents_build, """
        select identity_template from marts.identity_results
        where document_key = ? and status = 'passed'""", SHANGHAI_BUDGET)}
    assert {"T1 支出行: 合计 = 人员经费 + 公用经费 + 项目支出", "T6 row: 合计 = 人员经费 + 公用经费",
            "T1 收入总计 = Σ 收入行 + 使用非财政拨款结余 + 年初结转和结余",
            "T1 支出总计 = Σ 类行 + 结余分配 + 年末结转和结余", "T4 收入总计 = Σ 财政拨款收入行 + 年初结转和结余",
            "T5 合计.基本支出 = T6 人员经费合计 + 公用经费合计", "T4 一般公共预算 = T5", "T1 类行 = T3 类",
            "T9 合计 = 出国 + 车小计 + 接待"} <= judged


@pytest.mark.parametrize("document, total", [
    # 收入总计 = 支出总计 = 171,915,169 元 (2025年预算单位财务收支预算总表)
    (SHANGHAI_BUDGET, Decimal("17191.5169")),
    # 收入总计 = 支出总计 = 164,978,640 元 (2023年部门财务收支预算总表)
    (WANLI_BUDGET, Decimal("16497.864")),
])
def test_budget_control_totals_from_the_marts(documents_build, document, total):
    assert query(documents_build, """
        select row_key, measure, amount from marts.all_amounts
        where document_key = ? and phase = 'budget' and statement = 'T1' and row_key in ('收入总计', '支出总计')
        and measure in ('income_amount', 'expenditure_amount') order by 1""", document) == [
        ("支出总计", "expenditure_amount", total), ("收入总计", "income_amount", total)]


def test_a_yuan_budget_and_its_wan_table_each_keep_their_own_figures(documents_build):
    # Shanghai: T6 公用经费 合计 25,177,779 元 (every 元 kept), the 三公 table in 万元: 合计 346.30
    assert query(documents_build, """
        select amount from marts.all_amounts
        where document_key = ? and statement = 'T6' and row_key = '合计' and measure = 'public_amount'""",
                 SHANGHAI_BUDGET) == [(Decimal("2517.7779"),)]
    assert query(documents_build, """
        select measure, amount from marts.all_amounts
        where document_key = ? and statement = 'T9' and measure = 'budget_total'""", SHANGHAI_BUDGET) == [
        ("budget_total", Decimal("346.30"))]
    # each table brings its own rounding: 元 figures 0.5 元, 万元 figures 0.005 万元
    assert query(documents_build, """
        select distinct c.statement, c.rounding from intermediate.int_cells__measured c
        where c.document_key = ? and c.statement in ('T6', 'T9') order by 1""", SHANGHAI_BUDGET) == [
        ("T6", Decimal("0.00005")), ("T9", Decimal("0.005"))]


def test_budget_rows_wait_for_their_final(documents_build):
    # no final of 上海市财政局 2025 is held: its budget stands alone, final and rate empty
    rows = query(documents_build, """
        select budget_amount, final_amount, execution_rate, budget_source from marts.budget_vs_final
        where budget_document_key = ? and statement = 'T5' and row_key = '合计' and measure = 'total_expenditure'""",
                 SHANGHAI_BUDGET)
    assert rows == [(Decimal("17191.5169"), None, None, "budget_document")]


def test_jiangsu_budget_control_total(tmp_path):
    inbox = copy_inbox([shared_document(f"{JIANGSU_BUDGET}.pdf")], tmp_path / "inbox")
    result = build_into([inbox], tmp_path / "juesuan.duckdb")
    assert result.published, result.error
    # 收支预算总表: 收入合计 = 支出合计 = 37,188.34 万元
    assert query(result.warehouse, """
        select row_key, amount from marts.all_amounts
        where document_key = ? and statement = 'T1' and row_key in ('收入合计', '支出合计')
        and measure in ('income_amount', 'expenditure_by_use_amount', 'expenditure_amount') order by 1""",
                 JIANGSU_BUDGET) == [("支出合计", Decimal("37188.34")), ("收入合计", Decimal("37188.34"))]
    assert query(result.warehouse, "select status, identities_failed from marts.dim_document") == [("published", 0)]
    # its two expenditure blocks agree, and both sides balance where the 支出合计 is printed (under 支出用途)
    # the final's identities whose terms this budget does not print are not applicable: its 支出预算总表
    # is one 合计 row (no 类), its 财政拨款收支预算总表 splits by use only, its 收入预算总表 lists sources
    statuses = dict(query(result.warehouse, """
        select identity_template, list(distinct status order by status) from marts.identity_results
        where identity_template in ('T1 Σ 类行 = Σ 用途行', 'T1 收入总计 = 支出用途总计', 'T1 本年收入合计 = T2 合计',
            'T1 类行 = T3 类', 'T4 一般公共预算 = T5', '合计 = Σ 类', 'T1 收入行 = T2 合计各列')
        group by 1"""))
    assert statuses == {
        "T1 Σ 类行 = Σ 用途行": ["passed"], "T1 收入总计 = 支出用途总计": ["passed"],
        "T1 本年收入合计 = T2 合计": ["passed"], "合计 = Σ 类": ["passed"],  # T5's, which prints its 类
        "T1 类行 = T3 类": ["not applicable"], "T4 一般公共预算 = T5": ["not applicable"],
        "T1 收入行 = T2 合计各列": ["not applicable"]}
