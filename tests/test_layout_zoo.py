"""The layout zoo (issue 10): generated documents printed as PDFs in layouts that vary, read back.

The zoo itself is checked first (the text layer round-trips, each layout has its trait, the
scorer gives 100% to a correct reading and names a damaged one); then the PDF reader is held to
100% of cells exact, nothing unplaced, on a few documents of every layout.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from conftest import shared_document

from juesuan.extract import extract_document
from juesuan_testkit.corpus import load_template
from juesuan_testkit.zoo import LAYOUTS, build_document, measure_layout, render_pdf, render_text, score_document

DOCUMENTS_PER_LAYOUT = 2
SEED = 7


@pytest.fixture(scope="module")
def template():
    return load_template(shared_document("qingyuan_rsj_2023_final.txt"))


def _page_texts(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def _path_objects(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return sum(1 for page in pdf for obj in page.get_objects() if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH)
    finally:
        pdf.close()


def test_text_layer_round_trips_every_title_name_and_figure(template, tmp_path):
    layout = LAYOUTS["codes3_ruled"]
    document = build_document(template, layout, SEED, 0)
    path = tmp_path / "doc.pdf"
    render_pdf(document, layout, path)
    text = "".join(_page_texts(path)).replace("\r", "").replace("\n", "").replace(" ", "")
    printed = {document.department, f"{document.year}年度部门决算"}
    for table in document.tables:
        printed.add(table.title.replace(" ", ""))
        printed.update(c.replace(" ", "") for row in table.rows for c in row.cells if c)
    assert "财政拨款“三公”经费支出决算表" in printed
    assert sorted(p for p in printed if p not in text) == []


def test_same_seed_same_pdf_bytes(template, tmp_path):
    layout = LAYOUTS["everything_unruled"]
    first, again = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_pdf(build_document(template, layout, SEED, 3), layout, first)
    render_pdf(build_document(template, layout, SEED, 3), layout, again)
    assert first.read_bytes() == again.read_bytes()


def test_each_layout_has_its_trait(template, tmp_path):
    def pdf(name: str) -> tuple[Path, int]:
        layout = LAYOUTS[name]
        path = tmp_path / f"{name}.pdf"
        return path, render_pdf(build_document(template, layout, SEED, 1), layout, path)

    ruled, ruled_pages = pdf("ruled")
    unruled, _ = pdf("unruled")
    assert _path_objects(ruled) > 1000 and _path_objects(unruled) == 0
    broken, broken_pages = pdf("broken_norepeat_unruled")
    assert broken_pages > ruled_pages + 9  # tables continued over several pages
    broken_texts = _page_texts(broken)
    titled = [t for t in broken_texts if "部门：" in t]
    continued = [t for t in broken_texts if "部门：" not in t and "年度部门决算" not in t]
    assert len(titled) == 9 and len(continued) >= 10
    assert all("栏次" in t for t in titled if "三公" not in t and "基本支出决算" not in t)
    assert not any("栏次" in t for t in continued)  # no header repeated
    codes3, _ = pdf("codes3_unruled")
    t2 = next(t for t in _page_texts(codes3) if "收入决算表" in t)
    assert "类" in t2 and "款" in t2 and "项" in t2 and "2080501" not in t2
    after, _ = pdf("title_after_unruled")
    t3 = next(t for t in _page_texts(after) if "支出决算表" in t)
    assert t3.index("支出决算表") > t3.index("本年支出合计")  # title drawn after the body
    plain, _ = pdf("plain_figures_yuan")
    assert "单位：元" in _page_texts(plain)[1] and "," not in "".join(_page_texts(plain))
    dashes, _ = pdf("dash_zeros")
    printed = "".join(_page_texts(dashes))
    assert all(mark in printed for mark in ("—", "－", " - ")) and "0.00" not in printed


@pytest.mark.parametrize("name", ["ruled", "everything_unruled"])
def test_scorer_gives_a_correct_reading_full_marks_and_names_a_wrong_one(template, tmp_path, name):
    """The text form of a zoo document, read by the text reader, is the reference reading."""
    document = build_document(template, LAYOUTS[name], SEED, 2)
    path = tmp_path / f"{document.name}.txt"
    path.write_text(render_text(document), encoding="utf-8")
    extracted = extract_document(path)
    score = score_document(document, extracted)
    assert score.truth == 1185 and score.perfect, score.failures[:5]

    t5 = [c for c in extracted.cells if c.statement == "T5"]
    extracted.cells.remove(t5[0])
    t5[1].amount = str(int(t5[1].amount.split(".")[0]) + 1) + "." + t5[1].amount.split(".")[1]
    t5[4].code = "999"  # a figure read under a row that was never printed
    score = score_document(document, extracted)
    assert (score.exact, score.missing, score.wrong_amount, score.misplaced, score.extra) == (1182, 1, 1, 1, 0)
    assert not score.perfect


def test_identity_read_as_printed_is_checked(template, tmp_path):
    document = build_document(template, LAYOUTS["ruled"], SEED, 4)
    path = tmp_path / f"{document.name}.txt"
    path.write_text(render_text(document), encoding="utf-8")
    extracted = extract_document(path)
    assert score_document(document, extracted).identity_wrong == 0
    other = dataclasses.replace(document, year=document.year + 1)
    assert score_document(other, extracted).identity_wrong == 1


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_pdf_reader_reads_every_cell_of_every_layout(template, tmp_path, name):
    score = measure_layout(template, LAYOUTS[name], tmp_path, DOCUMENTS_PER_LAYOUT, SEED, keep_failures=8)
    assert score.truth == DOCUMENTS_PER_LAYOUT * 1185
    assert score.perfect, f"{name}: {score.exact}/{score.truth} exact; " + "; ".join(score.failures)


def _closing_row_page(template, tmp_path) -> Path:
    """Zoo document 0 of `broken_norepeat_unruled`: T6's closing row (人员经费合计 27,142.33 |
    公用经费合计 2,211.00) alone on page 27, no header repeated, no ruling lines."""
    layout = LAYOUTS["broken_norepeat_unruled"]
    path = tmp_path / "closing_row.pdf"
    render_pdf(build_document(template, layout, SEED, 0), layout, path)
    assert "人员经费合计" in _page_texts(path)[26] and "栏次" not in _page_texts(path)[26]
    return path


def test_closing_row_alone_on_an_unruled_page_continues_its_table(template, tmp_path):
    extracted = extract_document(_closing_row_page(template, tmp_path))
    closing = {(c.row_label, c.amount, c.page) for c in extracted.cells if c.statement == "T6" and "合计" in c.row_label}
    assert closing == {("人员经费合计", "27142.33", 27), ("公用经费合计", "2211.00", 27)}
    assert {c.measure for c in extracted.cells if c.page == 27} == {"personnel_amount", "public_amount"}
    assert not extracted.meta.held_back


def test_figures_after_a_table_that_fit_none_of_its_columns_are_reported_not_dropped(template, tmp_path, monkeypatch):
    from juesuan.extract import pdf as pdf_reader
    from juesuan.extract.textgrid import is_figure_word

    read_table = pdf_reader._unruled_table

    def moved_off_the_columns(*args, **kwargs):  # the same page, its figures printed where the table has no column
        table = read_table(*args, **kwargs)
        if table is not None and table.few_figures:
            for word in (w for line in table.body_words for w in line if is_figure_word(w.text)):
                word.x0, word.x1 = word.x0 + 1000, word.x1 + 1000
        return table

    monkeypatch.setattr(pdf_reader, "_unruled_table", moved_off_the_columns)
    extracted = extract_document(_closing_row_page(template, tmp_path))
    assert not [c for c in extracted.cells if c.page == 27]
    assert any(w.startswith("page 27: figures after T6") and "could not be placed" in w for w in extracted.warnings)
    assert extracted.meta.held_back.startswith("1 figure(s) not placed")
