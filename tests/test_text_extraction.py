"""The text reader on the real qingyuan document: every printed amount, nothing else."""
from __future__ import annotations

from decimal import Decimal

from juesuan.extract.vocabulary import load_vocabulary

EXPECTED_COUNTS = {"T1": 42, "T2": 392, "T3": 336, "T4": 125, "T5": 138, "T6": 83, "T7": 54, "T8": 3, "T9": 12}


def cell(document, statement, row_label=None, code=None, header=None):
    matches = [c for c in document.cells if c.statement == statement
               and (row_label is None or c.row_label == row_label)
               and (code is None or c.code == code)
               and (header is None or c.column_header == header)]
    assert len(matches) == 1, f"{statement} {row_label} {code} {header}: {len(matches)} matches"
    return matches[0]


def test_document_identity_comes_from_the_document(qingyuan):
    meta = qingyuan.meta
    assert meta.department_name == "清远市人力资源和社会保障局"
    assert meta.fiscal_year == 2023
    assert meta.unit == "万元"
    assert meta.statements_found == "T1 T2 T3 T4 T5 T6 T7 T8 T9"
    assert len(meta.sha256) == 64


def test_every_printed_amount_once_per_statement(qingyuan):
    assert qingyuan.counts_by_statement() == EXPECTED_COUNTS
    assert len(qingyuan.cells) == 1185
    assert qingyuan.warnings == []


def test_each_amount_is_the_one_printed_on_its_source_line(qingyuan_path, qingyuan):
    lines = qingyuan_path.read_text(encoding="utf-8").splitlines()
    for c in qingyuan.cells:
        printed = lines[c.source_line - 1].split("\t")
        assert c.amount_text in [p.strip() for p in printed], (c, printed)
        assert Decimal(c.amount) == Decimal(c.amount_text.replace(",", ""))


def test_line_and_column_numbers_are_not_amounts(qingyuan):
    headers = {c.column_header for c in qingyuan.cells}
    assert not any(h.endswith("行次") or h.endswith("栏次") for h in headers)
    # T1 prints 行次 1…60 beside the amounts; none of them may appear as an amount of T1.
    t1_amounts = {c.amount_text for c in qingyuan.cells if c.statement == "T1"}
    assert not t1_amounts & {str(n) for n in range(1, 61)}


def test_known_values(qingyuan):
    assert cell(qingyuan, "T1", "总计", header="收入/决算数").amount == "51193.49"
    assert cell(qingyuan, "T1", "本年支出合计", header="支出/决算数").amount == "48572.62"
    assert cell(qingyuan, "T1", "结余分配").amount == "1838.48"
    assert cell(qingyuan, "T2", "合计", header="本年收入合计").amount == "50435.21"
    assert cell(qingyuan, "T2", code="2080101", header="其他收入").amount == "1.40"
    assert cell(qingyuan, "T3", code="2050303", header="基本支出").amount == "12702.08"
    assert cell(qingyuan, "T4", "总计", header="支出/一般公共预算财政拨款").amount == "34788.43"
    carried = cell(qingyuan, "T4", "一般公共预算财政拨款", header="收入/金额")
    assert (carried.amount, carried.parent_label) == ("422.76", "年初财政拨款结转和结余")
    assert cell(qingyuan, "T5", code="2080110", header="本年支出合计").row_label == "劳动关系的维权"
    assert cell(qingyuan, "T6", code="30113").amount == "933.42"
    assert cell(qingyuan, "T6", "公用经费合计").amount == "983.49"
    assert cell(qingyuan, "T7", code="2121399", header="本年支出/项目支出").amount == "626.00"
    assert cell(qingyuan, "T8", "合计", header="本年支出/小计").amount == "0.00"
    assert cell(qingyuan, "T9", header="决算数/公务接待费").amount == "5.59"
    assert cell(qingyuan, "T9", header="预算数/合计").amount == "22.36"


def test_every_printed_header_maps_to_a_measure(qingyuan):
    vocabulary = load_vocabulary()
    for header in {(c.statement, c.column_header) for c in qingyuan.cells}:
        role = vocabulary.header_role(*header)
        assert role is not None and role.role == "amount" and role.measure, header


def test_cells_are_tied_to_source_lines_not_pages(qingyuan):
    assert all(c.page is None and c.source_line > 0 for c in qingyuan.cells)


def test_narrative_figures(qingyuan):
    figures = [(f.topic, f.amount, f.base, f.change, f.rate, f.source_line) for f in qingyuan.narrative]
    assert len(figures) == 14
    assert ("一般公共预算财政拨款收入", "34365.67", "prior_year", "-3683.75", "-9.7", 511) in figures
    assert ("一般公共预算财政拨款支出", "34342.82", "budget", "14000.9", "68.8", 553) in figures
    assert ("公务接待费支出决算", "5.59", "prior_year", "2.22", "65.9", 559) in figures
