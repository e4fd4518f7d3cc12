"""The facts only the narrative (情况说明) states: read from the real documents, checked against
the tables and against each other, published in marts.fct_narrative_facts (issue 13)."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pypdfium2 as pdfium
import pytest

from conftest import build_into, copy_inbox, shared_document
from juesuan.cli import main as cli
from juesuan.extract.narrative import read_facts
from juesuan.landing import LandingZone, landing_dir_for
from orchestration.run import format_summary

QINGYUAN_ID = "qingyuan_rsj_2023_final"
CAIZHENGJU_ID = "putuo_caizhengju_2024_final"
GUIHUA_ID = "putuo_guihuaziranziyuan_2024_final"
VEHICLE_TYPES = {"部级领导干部用车", "主要领导干部用车", "机要通信用车", "应急保障用车", "执法执勤用车",
                 "特种专业技术用车", "离退休干部用车", "其他用车"}


def query(warehouse: Path, sql: str, *params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def page_prose(path: Path, rewrite=lambda line: line) -> list[tuple[int, int, str]]:
    """Every page's text as (line number, page, text): the form the PDF reader hands the narrative."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [(number, page_number, rewrite(line))
                for page_number, page in enumerate(pdf, start=1)
                for number, line in enumerate(page.get_textpage().get_text_range().splitlines(), start=1)]
    finally:
        pdf.close()


def stated(facts, topic: str) -> dict[tuple[str, str], Decimal]:
    """(item, measure) -> value of a topic's facts; a figure stated twice must be stated alike."""
    values: dict[tuple[str, str], Decimal] = {}
    for fact in facts:
        if fact.topic == topic:
            key, value = (fact.item, fact.measure), Decimal(fact.value)
            assert values.setdefault(key, value) == value, (key, value, values[key])
    return values


def mart_facts(warehouse: Path, document: str, topic: str) -> dict[tuple[str, str], Decimal]:
    rows = query(warehouse, """
        select distinct item, measure, value from marts.fct_narrative_facts
        where document_key = ? and topic = ?""", document, topic)
    assert len({(item, measure) for item, measure, _ in rows}) == len(rows), rows
    return {(item, measure): value for item, measure, value in rows}


# ---- extraction: the pure library, on the real documents ---------------------------------------

def test_qingyuan_states_its_administration_procurement_assets_and_performance(qingyuan, qingyuan_path):
    facts = qingyuan.facts
    assert stated(facts, "机关运行经费") == {
        ("合计", "amount"): Decimal("329.83"), ("合计", "change"): Decimal("16.94"), ("合计", "rate"): Decimal("5.4")}
    procurement = stated(facts, "政府采购")
    assert {k: procurement[k] for k in [("合计", "amount"), ("货物", "amount"), ("工程", "amount"),
                                        ("服务", "amount"), ("授予中小企业", "amount"), ("授予中小企业", "share"),
                                        ("授予小微企业", "amount"), ("授予小微企业", "share")]} == {
        ("合计", "amount"): Decimal("9184.43"), ("货物", "amount"): Decimal("248.32"),
        ("工程", "amount"): Decimal("190.02"), ("服务", "amount"): Decimal("8746.08"),
        ("授予中小企业", "amount"): Decimal("9184.43"), ("授予中小企业", "share"): Decimal("100"),
        ("授予小微企业", "amount"): Decimal("9184.43"), ("授予小微企业", "share"): Decimal("100")}
    assert stated(facts, "国有资产") == {
        ("车辆合计", "count"): 11, ("机要通信用车", "count"): 2, ("应急保障用车", "count"): 3,
        ("岗位保障用车", "count"): 6, ("100万元以上设备", "count"): 5}
    assert stated(facts, "绩效") == {
        ("一般公共预算一级项目自评", "count"): 13, ("一般公共预算二级项目自评", "count"): 33,
        ("一般公共预算项目自评", "amount"): Decimal("4813.42"),
        ("政府性基金预算项目自评", "count"): 1, ("政府性基金预算项目自评", "amount"): Decimal("7969.83"),
        ("国有资本经营预算项目自评", "count"): 0, ("国有资本经营预算项目自评", "amount"): 0,
        ("重点绩效评价", "count"): 0, ("绩效自评", "count"): 34,
        ("部门整体自评", "score"): 100, ("部门整体自评", "budget_amount"): Decimal("28962.58"),
        ("部门整体自评", "final_amount"): Decimal("42971.67")}
    three_public = stated(facts, "三公经费")
    assert {k: v for k, v in three_public.items() if k[1] == "count"} == {
        ("出国团组", "count"): 0, ("出国人次", "count"): 0, ("公务用车保有量", "count"): 11,
        ("国内公务接待批次", "count"): 55, ("国内公务接待人次", "count"): 558,
        ("外宾接待批次", "count"): 0, ("外宾接待人次", "count"): 0}
    # every fact keeps the line it stands on: the line prints the figure
    lines = qingyuan_path.read_text(encoding="utf-8").split("\n")
    for fact in facts:
        assert fact.value_text.lstrip("-") in lines[fact.source_line - 1], fact
        assert fact.page is None


def test_shegongbu_is_read_from_its_page_text_across_line_and_page_breaks():
    """putuo_shegongbu_2024_final.pdf (another producer; its tables are read by the reader helper's
    work): the narrative module on its page text."""
    facts, warnings = read_facts("shegongbu", page_prose(shared_document("putuo_shegongbu_2024_final.pdf")))
    assert warnings == []
    assert stated(facts, "机关运行经费") == {
        ("合计", "amount"): Decimal("10.23"), ("合计", "change"): Decimal("10.23"),
        ("合计", "rate"): Decimal("100.00")}
    procurement = stated(facts, "政府采购")
    assert [procurement[(item, "amount")] for item in ("合计", "货物", "工程", "服务")] == [
        Decimal("21.07"), Decimal("21.07"), 0, 0]
    assert procurement[("预留项目授予中小企业", "amount")] == Decimal("21.07")
    assets = stated(facts, "国有资产")
    assert {item for item, _ in assets} == VEHICLE_TYPES | {"车辆合计", "100万元以上设备"}
    assert set(assets.values()) == {0}
    # the 项 whose name wraps from page 18 onto page 19 is read whole, with the page of its figures
    item = "一般公共服务支出/社会工作事务/其他社会工作事务支出"
    [final] = [f for f in facts if f.topic == "item_budget" and f.item == item and f.measure == "final_amount"]
    assert (final.value, final.page) == ("202.24", 19)
    assert {(f.item, f.measure, f.value) for f in facts if f.topic == "item_budget" and f.item == "合计"} == {
        ("合计", "budget_amount", "0"), ("合计", "full_year_budget_amount", "321.02"),
        ("合计", "final_amount", "307.82")}
    assert {(f.page, f.source_line) for f in facts if f.topic == "机关运行经费"} == {(21, 18), (21, 19)}


def test_shegongbu_facts_in_the_mart(shared_build):
    """The same figures, through `juesuan build`: the reader lands the WPS PDF, the mart holds its facts."""
    document = "putuo_shegongbu_2024_final"
    assert query(shared_build.warehouse, "select status from marts.dim_document where document_key = ?",
                 document) == [("published",)]
    assert mart_facts(shared_build.warehouse, document, "机关运行经费") == {
        ("合计", "amount"): Decimal("10.23"), ("合计", "change"): Decimal("10.23"),
        ("合计", "rate"): Decimal("100.00")}
    procurement = mart_facts(shared_build.warehouse, document, "政府采购")
    assert [procurement[(item, "amount")] for item in ("合计", "货物", "工程", "服务")] == [
        Decimal("21.07"), Decimal("21.07"), 0, 0]
    assets = mart_facts(shared_build.warehouse, document, "国有资产")
    assert assets[("车辆合计", "count")] == 0 and assets[("100万元以上设备", "count")] == 0
    assert query(shared_build.warehouse, """
        select count(*) from marts.fct_narrative_facts where document_key = ? and page is null""", document) == [(0,)]


def test_the_shanghai_template_names_every_section_and_states_no_figure():
    """shanghai_template_2024_final.pdf: XXX placeholders, so nothing is read and every section is
    reported; with the placeholders filled in, every section Shanghai asks for is read."""
    path = shared_document("shanghai_template_2024_final.pdf")
    facts, warnings = read_facts("template", page_prose(path))
    assert facts == []
    assert {re.search(r"a sentence on (\S+) was not read", w).group(1) for w in warnings} == {
        "机关运行经费", "政府采购", "国有资产", "三公经费", "绩效", "item_budget"}
    filled, unread = read_facts("template", page_prose(path, lambda line: re.sub(r"X{2,}", "7", line)))
    read = {(f.topic, f.item, f.measure) for f in filled}
    asked = {("机关运行经费", "合计", m) for m in ("amount", "change", "rate")}
    asked |= {("政府采购", item, "amount") for item in ("合计", "货物", "工程", "服务", "预留中小企业", "预留小微企业",
                                                      "预留项目授予中小企业", "预留项目授予小微企业", "其他项目授予中小企业")}
    asked |= {("国有资产", item, "count") for item in VEHICLE_TYPES | {"车辆合计", "100万元以上设备"}}
    asked |= {("三公经费", item, "final_amount") for item in ("合计", "因公出国(境)费", "公务用车购置及运行维护费",
                                                           "公务用车购置费", "公务用车运行维护费", "公务接待费")}
    asked |= {("三公经费", item, "count") for item in ("出国团组", "出国人次", "公务用车保有量")}
    asked |= {("绩效", item, m) for item in ("编报绩效目标", "绩效跟踪", "绩效自评") for m in ("count", "amount")}
    asked |= {("绩效", "绩效自评", "average_score")} | {("绩效", f"评级{g}", "count") for g in ("优", "良", "合格", "不合格")}
    asked |= {("绩效", item, "count") for item in ("发现问题", "已完成整改", "正在整改")}
    asked |= {("item_budget", item, m) for item in ("合计", "教育支出/普通教育/初中教育", "教育支出/普通教育/高等教育")
              for m in ("budget_amount", "final_amount")}
    assert asked - read == set()


def test_a_wrapped_procurement_sentence_keeps_each_figure_on_its_own_line():
    facts, _ = read_facts("caizhengju", page_prose(shared_document("putuo_caizhengju_2024_final.pdf")))
    where = {(f.item, f.measure): (f.page, f.source_line, f.value) for f in facts if f.topic == "政府采购"}
    # page 24: the total on line 4, the parts on line 5, the SME figures on lines 6-10
    assert where[("合计", "amount")] == (24, 4, "251.25")
    assert where[("服务", "amount")] == (24, 5, "246.47")
    assert where[("预留项目授予中小企业", "amount")] == (24, 8, "246.47")
    assert where[("其他项目授予中小企业", "amount")] == (24, 10, "4.79")


# ---- the warehouse: checks as identities, the gate, the mart -----------------------------------

@pytest.fixture(scope="module")
def committed_build(tmp_path_factory, qingyuan_path):
    """The three development final accounts through `juesuan build`, nothing accepted."""
    base = tmp_path_factory.mktemp("narrative_facts")
    inbox = copy_inbox([qingyuan_path, shared_document("putuo_caizhengju_2024_final.pdf"),
                        shared_document("putuo_guihuaziranziyuan_2024_final.pdf")], base / "inbox")
    result = build_into([inbox], base / "warehouse" / "juesuan.duckdb")
    assert result.published, result.error
    return result, inbox


def test_qingyuan_facts_in_the_mart(committed_build):
    warehouse = committed_build[0].warehouse
    assert mart_facts(warehouse, QINGYUAN_ID, "机关运行经费") == {
        ("合计", "amount"): Decimal("329.83"), ("合计", "change"): Decimal("16.94"), ("合计", "rate"): Decimal("5.4")}
    procurement = mart_facts(warehouse, QINGYUAN_ID, "政府采购")
    parts = [procurement[(item, "amount")] for item in ("货物", "工程", "服务")]
    assert (procurement[("合计", "amount")], parts) == (
        Decimal("9184.43"), [Decimal("248.32"), Decimal("190.02"), Decimal("8746.08")])
    # 248.32 + 190.02 + 8,746.08 = 9,184.42: a cent of rounding, inside three half-cents
    assert query(warehouse, """
        select left_value, right_value, tolerance, status from marts.identity_results
        where document_key = ? and identity_template = '政府采购: 合计 = 货物 + 工程 + 服务'""", QINGYUAN_ID) == [
        (Decimal("9184.43"), Decimal("9184.42"), Decimal("0.015"), "passed")]
    assert (procurement[("授予中小企业", "amount")], procurement[("授予中小企业", "share")]) == (
        Decimal("9184.43"), Decimal("100"))
    performance = mart_facts(warehouse, QINGYUAN_ID, "绩效")
    assert (performance[("绩效自评", "count")], performance[("一般公共预算项目自评", "amount")],
            performance[("政府性基金预算项目自评", "amount")]) == (34, Decimal("4813.42"), Decimal("7969.83"))
    # the change sentences stay, as prior-year facts
    assert query(warehouse, """
        select value from marts.fct_narrative_facts where document_key = ? and topic = 'prior_year_change'
        and item = '一般公共预算财政拨款收入' and measure = 'rate' and source_line = 511""", QINGYUAN_ID) == [
        (Decimal("-9.7"),)]
    assert query(warehouse, """
        select count(*) from marts.fct_narrative_facts where source_line is null""") == [(0,)]


def test_qingyuan_narrative_checks_pass(committed_build):
    warehouse = committed_build[0].warehouse
    passed = {r[0] for r in query(warehouse, """
        select identity_template from marts.identity_results
        where document_key = ? and family = 'narrative' and status = 'passed'""", QINGYUAN_ID)}
    assert {"政府采购: 合计 = 货物 + 工程 + 服务", "政府采购: 授予中小企业 ≤ 合计",
            "政府采购: 授予中小企业占比 = 授予中小企业 ÷ 合计", "机关运行经费: 增长率 = 增减额 ÷ 上年数",
            "国有资产: 车辆合计 = Σ 各类用车", "叙述三公 = T9", "叙述合计 = 表内合计"} <= passed
    assert query(warehouse, "select status from marts.dim_document where document_key = ?", QINGYUAN_ID) == [
        ("published",)]


def test_caizhengju_total_misstated_on_page_21_is_quarantined_and_named(committed_build):
    result, _ = committed_build
    failed = query(result.warehouse, """
        select identity, left_value, right_value from marts.identity_results
        where document_key = ? and status = 'failed'""", CAIZHENGJU_ID)
    assert failed == [("财政拨款收入支出总计 0.3 ≠ T4 总计 2,961.68 (narrative page 21 line 14; income_amount)",
                       Decimal("0.30"), Decimal("2961.68"))]
    assert query(result.warehouse, "select status from marts.dim_document where document_key = ?",
                 CAIZHENGJU_ID) == [("quarantined",)]
    assert query(result.warehouse, "select count(*) from marts.fct_narrative_facts where document_key = ?",
                 CAIZHENGJU_ID) == [(0,)]
    summary = format_summary(result)
    assert f"QUARANTINED {CAIZHENGJU_ID} ({CAIZHENGJU_ID}.pdf): 1 failed identity, first: " in summary
    assert "财政拨款收入支出总计 0.3 ≠ T4 总计 2,961.68" in summary
    # the suspect is the narrative's figure, not the table's
    assert query(result.warehouse, """
        select statement, row_key from marts.suspect_cells where document_key = ? and suspect_rank = 1""",
                 CAIZHENGJU_ID) == [("narrative", "table_line/财政拨款收入支出总计")]


def test_guihua_states_all_funds_basic_expenditure_as_the_general_budget_one(committed_build):
    """Page 24 of the 规划和自然资源局 PDF gives 一般公共预算财政拨款基本支出 5,377.64 and 人员经费
    4,896.98 (the all-funds figures of T3), where T5 and T6 print 5,364.75 and 4,884.09."""
    failed = [r[0] for r in query(committed_build[0].warehouse, """
        select identity from marts.identity_results where document_key = ? and status = 'failed' order by 1""",
                                  GUIHUA_ID)]
    assert failed == [
        "一般公共预算财政拨款基本支出 5377.64 ≠ T5 合计 5,364.75 (narrative page 24 line 14; basic_expenditure)",
        "人员经费合计 4896.98 ≠ T6 人员经费合计 4,884.09 (narrative page 24 line 15; economic_amount)"]


@pytest.fixture(scope="module")
def accepted_build(committed_build, tmp_path_factory):
    """Both Putuo documents published as accepted exceptions: `juesuan accept` for the one the
    issue names, the other recorded the same way beforehand."""
    result, inbox = committed_build
    warehouse = result.warehouse
    LandingZone(landing_dir_for(warehouse)).accept(
        GUIHUA_ID, "narrative 基本支出 quotes T3; the tables are right", "2026-01-01")
    assert cli(["accept", CAIZHENGJU_ID, "--reason", "page 21 misprints 2,961.68 as 0.3; tables are right",
                "--documents", str(inbox), "--warehouse", str(warehouse), "--quiet"]) == 0
    return warehouse


def test_publishing_the_caizhengju_is_one_accept_away(accepted_build):
    assert query(accepted_build, """
        select document_key, status from marts.dim_document order by 1""") == [
        (CAIZHENGJU_ID, "accepted"), (GUIHUA_ID, "accepted"), (QINGYUAN_ID, "published")]


def test_putuo_facts_in_the_mart(accepted_build):
    caizhengju = {topic: mart_facts(accepted_build, CAIZHENGJU_ID, topic) for topic in ("机关运行经费", "政府采购", "国有资产")}
    assert caizhengju["机关运行经费"] == {
        ("合计", "amount"): Decimal("184.65"), ("合计", "change"): Decimal("2.55"), ("合计", "rate"): Decimal("1.40")}
    assert [caizhengju["政府采购"][(item, "amount")] for item in ("合计", "货物", "工程", "服务", "预留中小企业")] == [
        Decimal("251.25"), Decimal("4.79"), 0, Decimal("246.47"), Decimal("246.47")]
    assert caizhengju["国有资产"][("车辆合计", "count")] == 0
    assert caizhengju["国有资产"][("100万元以上设备", "count")] == 2
    assert {item for item, _ in caizhengju["国有资产"]} == VEHICLE_TYPES | {"车辆合计", "100万元以上设备"}

    guihua = {topic: mart_facts(accepted_build, GUIHUA_ID, topic) for topic in ("机关运行经费", "政府采购", "国有资产", "三公经费")}
    assert guihua["机关运行经费"] == {
        ("合计", "amount"): Decimal("142.80"), ("合计", "change"): Decimal("-13.52"), ("合计", "rate"): Decimal("-8.65")}
    assert [guihua["政府采购"][(item, "amount")] for item in ("合计", "货物", "工程", "服务", "预留小微企业")] == [
        Decimal("2319.21"), Decimal("122.43"), Decimal("1387.72"), Decimal("809.07"), Decimal("164.87")]
    assert guihua["国有资产"][("车辆合计", "count")] == 0
    assert guihua["三公经费"][("公务用车保有量", "count")] == 0
    assert (guihua["三公经费"][("国内公务接待批次", "count")], guihua["三公经费"][("国内公务接待人次", "count")]) == (2, 26)
    # every PDF fact has its page
    assert query(accepted_build, """
        select count(*) from marts.fct_narrative_facts where document_key <> ? and page is null""", QINGYUAN_ID
                 ) == [(0,)]


def test_item_budget_amounts_are_exposed_for_the_budget_comparison(accepted_build):
    rows = query(accepted_build, """
        select measure, value from marts.fct_narrative_facts
        where document_key = ? and topic = 'item_budget' and item = '一般公共服务支出/财政事务/行政运行'
        order by 1""", CAIZHENGJU_ID)
    assert rows == [("budget_amount", Decimal("1560.05")), ("final_amount", Decimal("1511.89"))]
    # and each 项's 决算 was checked against its T5 line
    assert query(accepted_build, """
        select count(*) filter (where status = 'passed'), count(*) from marts.identity_results
        where document_key = ? and identity_template = '叙述项决算 = T5 项'""", CAIZHENGJU_ID) == [(12, 12)]


def test_one_changed_narrative_figure_quarantines_the_document(tmp_path, qingyuan_path):
    text = qingyuan_path.read_text(encoding="utf-8")
    assert text.count("政府采购货物支出248.32万元") == 1
    inbox = tmp_path / "documents"
    inbox.mkdir()
    (inbox / "misstated.txt").write_text(text.replace("政府采购货物支出248.32万元", "政府采购货物支出248.52万元"),
                                         encoding="utf-8")
    result = build_into([inbox], tmp_path / "w.duckdb")
    assert query(result.warehouse, """
        select identity_template, left_value, right_value from marts.identity_results where status = 'failed'""") == [
        ("政府采购: 合计 = 货物 + 工程 + 服务", Decimal("9184.43"), Decimal("9184.62"))]
    assert query(result.warehouse, "select status from marts.dim_document") == [("quarantined",)]
    assert "政府采购: 合计 = 货物 + 工程 + 服务" in format_summary(result)
