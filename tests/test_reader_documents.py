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


def test_a_ruled_budget_without_its_rules_reads_the_same_code_tables(tmp_path):
    copy = tmp_path / "unruled.pdf"
    _strip_ruling_lines(shared_document(SHANGHAI_BUDGET), copy)
    ruled, unruled = _read(SHANGHAI_BUDGET), extract_document(copy)

    def cells(document, statement):
        return sorted((c.row_label, c.code, c.measure, c.amount) for c in document.cells if c.statement == statement)

    assert unruled.counts_by_statement() == ruled.counts_by_statement()
    for statement in ("T2", "T3", "T4", "T5", "T6"):  # T1 and T9 unruled: not yet (see report)
        assert cells(unruled, statement) == cells(ruled, statement), statement


