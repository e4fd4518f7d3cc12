"""Budgets beside finals (issue 11): phase, conformed departments, exact amounts, budget_vs_final.

Generated pairs (juesuan_testkit.pairs) know both sides exactly; the committed seeds hold the
real documents, whose own budget figures (T9's 预算数, the narrative's 年初预算) stand beside
their finals.
"""
from __future__ import annotations

import csv
from decimal import Decimal

import duckdb
import pytest

from conftest import ROOT, committed_seeds
from juesuan.extract import extract_document
from juesuan.extract.rawtables import copy_vocabulary, write_document_files
from juesuan.pipeline import build_warehouse
from juesuan_testkit.pairs import generate_pairs

QINGYUAN_ID = "qingyuan_rsj_2023_final"
PAIRS = 6


def query(warehouse, sql, *params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def pairs_build(tmp_path_factory, qingyuan_path):
    base = tmp_path_factory.mktemp("pairs")
    pairs = generate_pairs(qingyuan_path, base / "docs", PAIRS, seed=5)
    seeds = copy_vocabulary(ROOT / "seeds", base / "seeds")
    with (seeds / "department_aliases.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for _, _, pair in pairs:
            if pair.budget_printed_name != pair.department_name:
                writer.writerow([pair.budget_printed_name, pair.department_name, "renamed (generated pair)"])
    raw = base / "raw"
    for final_path, budget_path, _ in pairs:
        write_document_files(raw, extract_document(final_path))
        budget = extract_document(budget_path)
        # the budget is printed in the final template's form; the phase is what a budget
        # reader records for it (the text reader of this branch reads the final template only)
        budget.meta.phase = "budget"
        write_document_files(raw, budget)
    warehouse = base / "juesuan.duckdb"
    ok, output, validation = build_warehouse(warehouse, seeds, report=lambda _: None, raw_dir=raw)
    assert ok and validation.success, output[-3000:]
    return warehouse, [pair for _, _, pair in pairs]


@pytest.fixture(scope="module")
def committed_build(tmp_path_factory):
    base = tmp_path_factory.mktemp("committed")
    seeds = committed_seeds(base / "seeds")
    warehouse = base / "juesuan.duckdb"
    ok, output, validation = build_warehouse(warehouse, seeds, report=lambda _: None)
    assert ok and validation.success, output[-3000:]
    return warehouse


def test_every_document_has_its_phase_and_budgets_and_finals_share_statements(pairs_build):
    warehouse, _ = pairs_build
    assert query(warehouse, "select phase, status, count(*) from marts.dim_document group by all order by all") == [
        ("budget", "published", PAIRS), ("final", "published", PAIRS)]
    by_phase = dict(query(warehouse, """
        select phase, list(distinct statement order by statement) from marts.all_amounts group by phase"""))
    assert by_phase["budget"] == by_phase["final"] == ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"]


def test_a_renamed_department_meets_its_budget_under_one_key(pairs_build):
    warehouse, pairs = pairs_build
    renamed = [p for p in pairs if p.budget_printed_name != p.department_name]
    assert len(renamed) == 2
    for pair in renamed:
        assert query(warehouse, """
            select department_name, printed_names, final_documents, budget_documents from marts.dim_department
            where department_key = (select department_key from marts.dim_document
                                    where department_name = ? and phase = 'budget')""",
                     pair.budget_printed_name) == [
            (pair.department_name, sorted([pair.department_name, pair.budget_printed_name]), 1, 1)]
    assert query(warehouse, "select count(*) from marts.dim_department") == [(PAIRS,)]


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


def test_a_yuan_document_keeps_every_printed_fen(pairs_build):
    warehouse, pairs = pairs_build
    pair = next(p for p in pairs if p.final_unit == "元")
    budget, final = pair.truth["T1.income_total"]
    assert final.as_tuple().exponent < -2  # more precise than 0.01 万元
    assert query(warehouse, """
        select final_amount from marts.budget_vs_final
        where department_name = ? and statement = 'T1' and row_key = '本年收入合计' and measure = 'income_amount'
        and budget_source = 'budget_document'""", pair.department_name) == [(final,)]


def test_t9_budget_column_stands_beside_its_final_on_qingyuan(committed_build):
    # 清远 2023 T9: 预算数 合计 22.36 / 决算数 21.12; 公务接待费 6.83 / 5.59; 公务用车运行维护费 15.53 / 15.53
    rows = query(committed_build, """
        select measure, budget_amount, final_amount, difference, execution_rate from marts.budget_vs_final
        where final_document_key = ? and statement = 'T9' and budget_source = 'final_document_budget_column'
        and measure in ('total', 'reception', 'vehicle_operation') order by measure""", QINGYUAN_ID)
    assert rows == [
        ("reception", Decimal("6.83"), Decimal("5.59"), Decimal("-1.24"), Decimal("0.818448")),
        ("total", Decimal("22.36"), Decimal("21.12"), Decimal("-1.24"), Decimal("0.944544")),
        ("vehicle_operation", Decimal("15.53"), Decimal("15.53"), Decimal("0"), Decimal("1")),
    ]


def test_narrative_budget_stands_beside_its_final_on_qingyuan(committed_build):
    # 情况说明: 一般公共预算财政拨款支出34,342.82万元，比年初预算数增加14,000.9万元 -> budget 20,341.92
    rows = query(committed_build, """
        select statement, row_key, measure, budget_amount, final_amount from marts.budget_vs_final
        where final_document_key = ? and budget_source = 'final_document_narrative' order by measure""",
                 QINGYUAN_ID)
    assert rows[0] == ("T4", "本年支出合计", "expenditure_general_budget", Decimal("20341.92"), Decimal("34342.82"))
    assert len(rows) == 2  # and the government-fund appropriation, stated the same way


def test_a_blank_final_cell_under_a_printed_budget_is_zero(committed_build):
    # 普陀区财政局 2024 T9 prints 预算数 公务接待费 0.95 and leaves its 决算数 blank
    assert query(committed_build, """
        select budget_amount, final_amount, final_source, execution_rate from marts.budget_vs_final
        where final_document_key = 'putuo_caizhengju_2024_final' and statement = 'T9' and measure = 'reception'""") == [
        (Decimal("0.95"), Decimal("0"), "final_document_blank", Decimal("0"))]
