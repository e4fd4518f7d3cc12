"""Figures as printed and no silent loss, on a short table fixture in the text form (the same
TableBuilder serves every reader): dashes, negatives, thousands separators, dropped trailing
zeros, malformed codes, a column no header word places."""
from __future__ import annotations

from juesuan.extract import extract_document

HEAD = "部门：某某局\n2024年度部门决算\n\n支出决算表\n单位：万元\n"
HEADER = "科目编码\t科目名称\t本年支出合计\t基本支出\t项目支出\n"


def _read(tmp_path, rows: str, header: str = HEADER):
    path = tmp_path / "doc.txt"
    path.write_text(HEAD + header + rows + "\n说明\n", encoding="utf-8")
    return extract_document(path)


def test_figures_as_printed(tmp_path):
    document = _read(tmp_path, "201\t一般公共服务支出\t4,335.3\t—\t4335.30\n"
                               "20101\t人大事务\t-12.50\t－12.50\t-\n")
    cells = {(c.code, c.measure): (c.amount_text, c.amount, c.flags) for c in document.cells}
    assert cells == {
        ("201", "total_expenditure"): ("4,335.3", "4335.3", ""),
        ("201", "basic_expenditure"): ("—", "0", "dash"),   # a dash is a printed zero, kept as printed
        ("201", "project_expenditure"): ("4335.30", "4335.30", ""),
        ("20101", "total_expenditure"): ("-12.50", "-12.50", ""),
        ("20101", "basic_expenditure"): ("－12.50", "-12.50", ""),
        ("20101", "project_expenditure"): ("-", "0", "dash"),
    }
    assert document.meta.held_back == ""


def test_a_blank_cell_is_no_cell(tmp_path):
    document = _read(tmp_path, "201\t一般公共服务支出\t10.00\t\t10.00\n")
    assert sorted(c.measure for c in document.cells) == ["project_expenditure", "total_expenditure"]


def test_a_malformed_code_is_kept_and_flagged(tmp_path):
    document = _read(tmp_path, "2010I\t人大事务\t10.00\t10.00\t\n")
    assert {(c.code, c.flags) for c in document.cells} == {("2010I", "malformed_code")}
    assert "malformed" in document.meta.held_back


def test_an_unreadable_figure_holds_the_document_back(tmp_path):
    document = _read(tmp_path, "201\t一般公共服务支出\t10.0O\t10.00\t\n")
    assert [c.amount_text for c in document.cells] == ["10.00"]
    assert document.meta.held_back.startswith("1 figure(s) not placed; first: line 7: T3 '10.0O'")


def test_a_column_no_header_word_places_holds_the_document_back(tmp_path):
    header = "科目编码\t科目名称\t本年支出合计\t基本支出\t某某新列\n"
    document = _read(tmp_path, "201\t一般公共服务支出\t10.00\t6.00\t4.00\n", header)
    assert {c.measure for c in document.cells} == {"total_expenditure", "basic_expenditure", ""}
    assert "某某新列" in document.meta.held_back


def test_department_from_the_title_not_the_part_heading_nor_a_placeholder(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("第二部分 上海市普陀区某某局 2024 年度部门决算表\n部门：XX局\n\n支出决算表\n单位：万元\n"
                    + HEADER + "201\t一般公共服务支出\t10.00\t10.00\t\n\n说明\n", encoding="utf-8")
    meta = extract_document(path).meta
    assert (meta.department_name, meta.fiscal_year, meta.phase) == ("上海市普陀区某某局", 2024, "final")


def test_a_budget_in_text_form_has_its_phase(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("上海市普陀区某某局2025年部门预算\n\n2025年部门支出预算总表\n单位：元\n"
                    "功能分类科目编码\t功能分类科目名称\t合计\t基本支出\t项目支出\n"
                    "201\t一般公共服务支出\t1,000\t600\t400\n\n说明\n", encoding="utf-8")
    document = extract_document(path)
    assert (document.meta.department_name, document.meta.fiscal_year, document.meta.phase) == ("上海市普陀区某某局", 2025, "budget")
    assert {(c.statement, c.measure, c.amount) for c in document.cells} == {
        ("T3", "total_expenditure", "1000"), ("T3", "basic_expenditure", "600"), ("T3", "project_expenditure", "400")}
