"""The reader on the development documents nobody tuned it to: an unruled WPS 部门决算 and
two 部门预算 (values read off the rendered pages: `pdftotext -layout` of each page, by eye)."""
from __future__ import annotations

from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from juesuan.extract import ExtractionError, extract_document

from conftest import shared_document

SHEGONGBU = "putuo_shegongbu_2024_final.pdf"       # WPS, no ruling lines on its tables
SHANGHAI_BUDGET = "shanghai_caizhengju_2025_budget.pdf"  # Excel, ruled, 元 with a 万元 三公 table
WANLI_BUDGET = "putuo_wanlijiedao_2023_budget.pdf"       # WPS, 元, tables over several pages
TEMPLATE = "shanghai_template_2024_final.pdf"


@lru_cache(maxsize=None)
def _read(name: str):
    return extract_document(shared_document(name))


def _amounts(document, statement: str, label: str, measure: str | None = None) -> list[str]:
    return [c.amount_text for c in document.cells
            if c.statement == statement and c.row_label == label and (measure is None or c.measure == measure)]


def test_unruled_final_account_identity():
    meta = _read(SHEGONGBU).meta
    assert (meta.department_name, meta.fiscal_year, meta.phase, meta.unit) == (
        "中共上海市普陀区委社会工作部", 2024, "final", "万元")
    assert meta.statements_found.split() == ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"]  # T7–T9 empty


def test_unruled_final_account_every_figure_once():
    # counted on the rendered pages: T1 9, T2 18 rows × 2, T3/T5 3 rows × 3 + 15 × 2,
    # T4 15, T6 27 + 38 lines and the two 合计; T7, T8, T9 print no figure (T9 says so in a note)
    assert _read(SHEGONGBU).counts_by_statement() == {"T1": 9, "T2": 36, "T3": 39, "T4": 15, "T5": 39, "T6": 67}


def test_unruled_final_account_totals():
    document = _read(SHEGONGBU)
    assert _amounts(document, "T1", "本年收入合计") == ["307.82"]
    assert _amounts(document, "T1", "本年支出合计") == ["307.82"]
    assert _amounts(document, "T1", "总计") == ["307.82", "307.82"]
    assert _amounts(document, "T3", "合计", "total_expenditure") == ["307.82"]
    assert _amounts(document, "T3", "合计", "basic_expenditure") == ["105.58"]
    assert _amounts(document, "T3", "合计", "project_expenditure") == ["202.24"]
    assert _amounts(document, "T6", "人员经费合计") == ["95.36"]
    assert _amounts(document, "T6", "公用经费合计") == ["10.23"]


def test_unruled_names_wrapped_in_their_cell_are_joined():
    document = _read(SHEGONGBU)
    t5 = {c.code: c.row_label for c in document.cells if c.statement == "T5"}
    assert t5["2080505"] == "机关事业单位基本养老保险缴费支出"  # printed over three lines
    t6 = {c.code: (c.row_label, c.amount_text) for c in document.cells if c.statement == "T6"}
    assert t6["30108"] == ("机关事业单位基本养老保险缴费", "6.18")
    assert t6["30240"] == ("税金及附加费用", "0.00")  # right half


def test_budget_identity_and_control_totals():
    document = _read(SHANGHAI_BUDGET)
    meta = document.meta
    assert (meta.department_name, meta.fiscal_year, meta.phase, meta.unit) == ("上海市财政局", 2025, "budget", "元")
    assert _amounts(document, "T1", "收入总计") == ["171,915,169"]
    assert _amounts(document, "T1", "支出总计", "expenditure_amount") == ["171,915,169"]
    assert _amounts(document, "T1", "支出总计", "expenditure_personnel") == ["102,464,260"]
    assert document.counts_by_statement() == {"T1": 20, "T2": 48, "T3": 53, "T4": 12, "T5": 53, "T6": 71, "T9": 6}


def test_budget_three_public_table_in_its_own_unit():
    t9 = {c.measure: (c.amount_text, c.unit) for c in _read(SHANGHAI_BUDGET).cells if c.statement == "T9"}
    assert t9 == {
        "budget_total": ("346.30", "万元"), "budget_outbound_travel": ("288.70", "万元"),
        "budget_reception": ("25.40", "万元"), "budget_vehicle_subtotal": ("32.20", "万元"),
        "budget_vehicle_operation": ("32.20", "万元"), "budget_operating_expenses": ("2,517.78", "万元"),
    }


def test_budget_split_codes_joined():
    codes = {c.code for c in _read(SHANGHAI_BUDGET).cells if c.statement == "T2"}
    assert {"201", "20106", "2010601", "2210203"} <= codes  # printed 类 | 款 | 项


def test_subdistrict_budget_control_totals():
    document = _read(WANLI_BUDGET)
    meta = document.meta
    assert (meta.department_name, meta.fiscal_year, meta.phase, meta.unit) == (
        "上海市普陀区人民政府万里街道办事处", 2023, "budget", "元")
    assert _amounts(document, "T1", "收入总计") == ["164,978,640"]
    assert _amounts(document, "T1", "支出总计") == ["164,978,640"]
    assert _amounts(document, "T4", "收入总计") == ["164,978,640"]


def test_blank_template_is_refused_as_having_no_figures():
    with pytest.raises(ExtractionError, match="no figures: a blank template"):
        extract_document(shared_document(TEMPLATE))


def _strip_ruling_lines(source, target) -> None:
    """A re-rendered copy without any path object: the same text layer, no ruling lines."""
    pdf = pdfium.PdfDocument(str(source))
    for page in pdf:
        raw = page.raw
        for index in range(pdfium_c.FPDFPage_CountObjects(raw) - 1, -1, -1):
            obj = pdfium_c.FPDFPage_GetObject(raw, index)
            if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_PATH:
                pdfium_c.FPDFPage_RemoveObject(raw, obj)
                pdfium_c.FPDFPageObj_Destroy(obj)
        pdfium_c.FPDFPage_GenerateContent(raw)
    pdf.save(str(target))
    pdf.close()


RULED = ["putuo_caizhengju_2024_final.pdf", "putuo_guihuaziranziyuan_2024_final.pdf", SHEGONGBU,
         SHANGHAI_BUDGET, WANLI_BUDGET, "jiangsu_gaojifayuan_2019_budget.pdf"]
# Statements an unruled copy does not yet read as its rules do (header cells placed by position
# alone): 江苏 公开09表 (三公: the 三公 小计 hung under 公务用车购置及运行维护费); the copy is
# held back for it, never published with the figure under another measure.
NOT_YET_WITHOUT_RULES = {"jiangsu_gaojifayuan_2019_budget.pdf": {"T9"}}


def _cell_keys(document, statements):
    return sorted((c.statement, c.row_label, c.parent_label, c.code, c.measure, c.amount)
                  for c in document.cells if c.statement in statements)


@pytest.mark.parametrize("name", RULED)
def test_a_copy_without_ruling_lines_reads_every_cell_as_the_ruled_document(tmp_path, name):
    """Rows on two baselines (类 款 项 level with 合计's figures; a figure set at the top of its
    cell beside one centred), names wrapped over two and three lines: the same cells, names,
    parents, codes and measures as the reading helped by the rules."""
    copy = tmp_path / "unruled.pdf"
    _strip_ruling_lines(shared_document(name), copy)
    ruled, unruled = _read(name), extract_document(copy)
    not_yet = NOT_YET_WITHOUT_RULES.get(name, set())
    assert ruled.meta.held_back == ""
    assert unruled.meta.held_back == "" if not not_yet else any(f" {st} " in unruled.meta.held_back for st in not_yet)
    statements = {c.statement for c in ruled.cells} - not_yet
    assert _cell_keys(unruled, statements) == _cell_keys(ruled, statements)
    assert unruled.counts_by_statement() == ruled.counts_by_statement()


def test_unruled_financial_bureau_rows_on_two_baselines(tmp_path):
    """putuo 财政局 2024 T3 without its rules (page 10): 合计 prints 2,940.05 on one baseline and
    2,336.91 / 603.14 on the line of 类 款 项 above it; each 项 row prints 基本支出 a little
    higher than its name and 合计."""
    copy = tmp_path / "unruled.pdf"
    _strip_ruling_lines(shared_document("putuo_caizhengju_2024_final.pdf"), copy)
    document = extract_document(copy)
    t3 = {(c.row_label, c.code, c.measure): c.amount_text for c in document.cells if c.statement == "T3"}
    assert t3[("合计", "", "total_expenditure")] == "2,940.05"
    assert t3[("合计", "", "basic_expenditure")] == "2,336.91"
    assert t3[("合计", "", "project_expenditure")] == "603.14"
    assert t3[("行政运行", "2010601", "basic_expenditure")] == "1,503.52"
    assert t3[("行政运行", "2010601", "project_expenditure")] == "8.37"
    assert t3[("机关事业单位基本养老保险缴费支出", "2080505", "total_expenditure")] == "160.75"


JIANGSU_BUDGET = "jiangsu_gaojifayuan_2019_budget.pdf"   # Word 2007, 公开01–12表, borders drawn per cell


def test_provincial_budget_every_table_read():
    document = _read(JIANGSU_BUDGET)
    meta = document.meta
    assert (meta.department_name, meta.fiscal_year, meta.phase, meta.unit) == ("江苏省高级人民法院", 2019, "budget", "万元")
    # counted on the rendered pages 8–17 (公开01–12表; 10表 prints one 0 under 合计)
    assert document.counts_by_statement() == {
        "FA": 18, "FAB": 34, "OPS": 17, "PROC": 61, "T1": 12, "T2": 3, "T3": 4, "T4": 6,
        "T5": 18, "T6": 34, "T7": 1, "T9": 8}
    assert meta.held_back == ""


def test_provincial_budget_income_figures_set_below_their_names():
    """收入预算总表 (公开02表, page 9) prints 小计 and 公共财政拨款（补助）资金 a little above their
    37,188.34: each figure has its row's name."""
    t2 = [(c.row_label, c.amount_text) for c in _read(JIANGSU_BUDGET).cells if c.statement == "T2"]
    assert t2 == [("收入总计", "37,188.34"), ("小计", "37,188.34"),
                  ("一般公共预算资金公共财政拨款（补助）资金", "37,188.34")]


def test_provincial_budget_procurement_rows_of_one_name_are_told_apart():
    """政府采购支出预算表 (公开12表, page 16) prints 运行维护服务 / 分散自行组织 under 维修（护）费 of
    案件执行经费 (100.00) and again under 维修（护）费 of 商品和服务支出 (17.00): two rows, two keys."""
    cells = [c for c in _read(JIANGSU_BUDGET).cells if c.statement == "PROC"]
    keys = [(c.row_label, c.parent_label, c.code, c.measure) for c in cells]
    assert len(keys) == len(set(keys))
    upkeep = {c.parent_label: c.amount_text for c in cells if c.row_label == "运行维护服务分散自行组织"}
    assert upkeep["案件执行经费维修（护）费"] == "100.00"
    assert "17.00" in upkeep.values() and len(upkeep) == 4


def test_provincial_budget_three_blocks_of_the_summary_table():
    document = _read(JIANGSU_BUDGET)
    assert _amounts(document, "T1", "收入合计", "income_amount") == ["37,188.34"]
    assert _amounts(document, "T1", "支出合计", "expenditure_by_use_amount") == ["37,188.34"]
    assert _amounts(document, "T1", "四、公共安全支出", "expenditure_amount") == ["27,488.23"]  # by function
    assert _amounts(document, "T1", "三、单位预留机动经费", "expenditure_by_use_amount") == ["5,011.40"]  # by use


def test_provincial_budget_figures_read_off_the_pages():
    """Checked by eye on the rendered pages: 支出预算总表 (公开03表, page 9) one row of four figures
    and a blank 结转下年资金; 财政拨款收支预算总表 (公开04表, page 10) by use only; 财政拨款支出预算表
    (公开05表, page 10) with 2080505's name wrapped in its cell; 政府采购支出预算表 (公开12表,
    page 16) 合计 and its three 品目大类."""
    document = _read(JIANGSU_BUDGET)
    t3 = {c.measure: c.amount_text for c in document.cells if c.statement == "T3"}
    assert t3 == {"total_expenditure": "37,188.34", "basic_expenditure": "21,968.00",
                  "project_expenditure": "10,208.94", "reserve_fund": "5,011.40"}
    assert _amounts(document, "T4", "收入合计", "income_amount") == ["37,188.34"]
    assert _amounts(document, "T4", "支出合计", "expenditure_total") == ["37,188.34"]
    assert _amounts(document, "T4", "二、项目支出", "expenditure_total") == ["10,208.94"]
    fa = {c.code: (c.row_label, c.amount_text) for c in document.cells if c.statement == "FA"}
    assert fa["2080505"] == ("机关事业单位基本养老保险缴费支出", "1,384.70")
    assert fa["2210202"] == ("提租补贴", "5,465.10")
    assert fa[""] == ("合计", "37,188.34")
    procurement = {c.row_label: c.amount_text for c in document.cells if c.statement == "PROC" and not c.parent_label}
    assert [procurement[label] for label in ("合计", "一、货物A", "二、工程B", "三、服务C")] == [
        "5,227.59", "1,637.72", "530.00", "3,059.87"]


def test_provincial_budget_meetings_and_training_beside_three_public():
    t9 = {c.measure: c.amount_text for c in _read(JIANGSU_BUDGET).cells if c.statement == "T9"}
    assert t9 == {
        "budget_total_with_meetings": "2,382.02", "budget_total": "513.75", "budget_outbound_travel": "160.00",
        "budget_vehicle_subtotal": "266.80", "budget_vehicle_operation": "266.80", "budget_reception": "86.95",
        "budget_meeting": "271.02", "budget_training": "1,597.25",
    }


def test_subdistrict_budget_tables_over_several_pages():
    # figures per page counted on pages 10–28 of the rendered document
    assert _read(WANLI_BUDGET).counts_by_statement() == {
        "T1": 12, "T2": 134, "T3": 201, "T4": 20, "T5": 201, "T6": 63, "T9": 7}


@pytest.mark.parametrize("name", [SHEGONGBU, SHANGHAI_BUDGET, WANLI_BUDGET, JIANGSU_BUDGET])
def test_code_hierarchy_holds_in_every_table_read(name):
    """类 = Σ款 and 款 = Σ项 per measure, within rounding: a figure under the wrong code or
    measure would break a sum (the reader's own check; dbt's identities remain the judge)."""
    from juesuan.extract.pdf import hierarchy_breaks

    document = _read(name)
    statements = {c.statement for c in document.cells}
    assert {st: hierarchy_breaks([c for c in document.cells if c.statement == st]) for st in statements} == {
        st: 0 for st in statements}


def test_provincial_budget_a_name_boxed_apart_from_its_figure_is_one_row():
    """一般公共预算机关运行经费支出预算表 (公开11表, page 15): Word boxes 302 商品和服务支出 and its
    3,580.05 in two bands; one row, with its code, not a row named after the table."""
    ops = {(c.code, c.row_label): c.amount_text for c in _read(JIANGSU_BUDGET).cells if c.statement == "OPS"}
    assert ops[("302", "商品和服务支出")] == "3,580.05"
    assert ops[("", "合计")] == "3,580.05"
    assert ops[("30299", "其他商品和服务支出")] == "162.38"
    assert len(ops) == 17
