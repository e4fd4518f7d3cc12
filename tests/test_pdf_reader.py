"""The PDF reader on the two Shanghai (普陀区) documents, and the text reader kept unchanged."""
from __future__ import annotations

import re

import pytest
from conftest import SHARED_DOCUMENTS, shared_document

from juesuan.extract import ExtractionError, extract_document

DOCS = SHARED_DOCUMENTS
CAIZHENG = "putuo_caizhengju_2024_final.pdf"
GUIHUA = "putuo_guihuaziranziyuan_2024_final.pdf"
QINGYUAN = "qingyuan_rsj_2023_final.txt"


def _document(name: str):
    return extract_document(shared_document(name))


@pytest.fixture(scope="module")
def caizheng():
    return _document(CAIZHENG)


@pytest.fixture(scope="module")
def guihua():
    return _document(GUIHUA)


# Every printed figure of the nine tables, counted on the PDF pages (tokens like 1,234.56 in
# each table's pages; T7 and T8 are printed empty in both documents).
COUNTS = {
    CAIZHENG: {"T1": 12, "T2": 45, "T3": 44, "T4": 19, "T5": 44, "T6": 29, "T9": 2},
    GUIHUA: {"T1": 12, "T2": 50, "T3": 75, "T4": 17, "T5": 75, "T6": 67, "T9": 12},
}


@pytest.mark.parametrize("name", [CAIZHENG, GUIHUA])
def test_every_printed_figure_once(name):
    document = _document(name)
    assert document.counts_by_statement() == COUNTS[name]
    assert document.meta.statements_found == "T1 T2 T3 T4 T5 T6 T7 T8 T9"
    assert document.meta.reader == "pdf" and document.meta.unit == "万元"
    assert all(c.page and c.unit == "万元" for c in document.cells)
    assert all(re.fullmatch(r"-?\d+\.\d\d", c.amount) for c in document.cells)
    assert all(not re.search(r"\s", c.row_label) for c in document.cells)
    assert all(c.code == "" or re.fullmatch(r"\d{3}(\d\d){0,2}", c.code) for c in document.cells)
    assert not [w for w in document.warnings if "not a number" in w or "header_synonyms" in w]


def test_document_identity(caizheng, guihua):
    assert (caizheng.meta.department_name, caizheng.meta.fiscal_year) == ("上海市普陀区财政局", 2024)
    # The tables' headers say 上海市规划和自然资源局; the cover names the district bureau.
    assert (guihua.meta.department_name, guihua.meta.fiscal_year) == ("上海市普陀区规划和自然资源局", 2024)


def _value(document, statement, header, *, code=None, label=None, parent=None):
    hits = [
        (c.amount, c.page) for c in document.cells
        if c.statement == statement and (c.column_header == header or c.column_header.endswith("/" + header))
        and (code is None or c.code == code) and (label is None or c.row_label == label)
        and (parent is None or c.parent_label == parent)
    ]
    assert len(hits) == 1, (statement, header, code, label, hits)
    return hits[0]


# Read off the rendered pages by eye: (statement, header, code, label, amount, page).
EYE_READ = {
    CAIZHENG: [
        ("T1", "收入/决算数", None, "本年收入合计", "2946.25", 6),
        ("T1", "支出/决算数", None, "本年支出合计", "2940.05", 6),
        ("T1", "收入/决算数", None, "总计", "2995.39", 7),
        ("T1", "支出/决算数", None, "总计", "2995.39", 7),
        ("T1", "收入/决算数", None, "年初结转和结余", "49.14", 7),
        ("T1", "支出/决算数", None, "十九、住房保障支出", "445.69", 6),
        ("T2", "本年收入合计", "2010601", "行政运行", "1511.90", 8),
        ("T2", "其他收入", "2010601", "行政运行", "0.01", 8),
        ("T2", "财政拨款收入", "2080505", "机关事业单位基本养老保险缴费支出", "160.75", 8),
        ("T3", "本年支出合计", "2210203", "购房补贴", "258.50", 11),
        ("T4", "收入/决算数", None, "总计", "2961.68", 13),
        ("T5", "基本支出", None, "合计", "2336.91", 15),
        ("T6", "决算数", "30102", "津贴补贴", "1238.58", 16),
        ("T6", "决算数", "30299", "其他商品和服务支出", "11.53", 17),
        ("T6", "决算数", None, "人员经费合计", "2152.26", 17),
        ("T9", "合计/预算数", None, "三公经费", "0.95", 18),
    ],
    GUIHUA: [
        ("T1", "收入/决算数", None, "本年收入合计", "9746.50", 7),
        ("T1", "支出/决算数", None, "本年支出合计", "9759.38", 7),
        ("T1", "支出/决算数", None, "总计", "9859.38", 7),
        ("T1", "支出/决算数", None, "九、卫生健康支出", "236.63", 7),
        ("T2", "本年收入合计", "2080505", "机关事业单位基本养老保险缴费支出", "446.11", 8),
        ("T2", "财政拨款收入", "2101102", "事业单位医疗", "196.29", 8),
        ("T4", "支出/合计", None, "总计", "9746.50", 13),
        ("T5", "项目支出", "2200150", "事业运行", "2077.09", 14),
        ("T5", "基本支出", "212", "城乡社区支出", "1572.70", 14),
        ("T6", "决算数", "30107", "绩效工资", "1594.02", 16),
        ("T6", "决算数", "31007", "信息网络及软件购置更新", "0.00", 16),
        ("T6", "决算数", None, "公用经费合计", "480.66", 16),
        ("T9", "公务接待费/决算数", None, "三公经费", "0.39", 17),
        ("T9", "公务用车购置及运行维护费/公务用车购置费/预算数", None, "三公经费", "0.00", 17),
    ],
}


@pytest.mark.parametrize("name", [CAIZHENG, GUIHUA])
def test_values_read_by_eye(name):
    document = _document(name)
    for statement, header, code, label, amount, page in EYE_READ[name]:
        assert _value(document, statement, header, code=code, label=label) == (amount, page)


def test_repeated_line_under_its_parent(caizheng):
    assert _value(caizheng, "T4", "收入/决算数", label="一、一般公共预算财政拨款",
                  parent="年初财政拨款结转和结余") == ("21.63", 13)


# The PDFs' balancing identities are checked by the project's own checker (dbt identity models,
# Great Expectations) in tests/test_identities.py.


# ------------------------------------------------------------------ errors, text reader

def test_scanned_pdf_needs_ocr(tmp_path):
    """A page rendered to an image and put back as a PDF has no text layer."""
    import pypdfium2 as pdfium

    scan = pdfium.PdfDocument.new()
    page = scan.new_page(595, 842)
    source = DOCS / CAIZHENG
    if source.exists():
        original = pdfium.PdfDocument(str(source))
        bitmap = original[5].render(scale=0.5)
        image = pdfium.PdfImage.new(scan)
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(595, 842))
        page.insert_obj(image)
        page.gen_content()
    path = tmp_path / "scanned.pdf"
    scan.save(str(path))
    with pytest.raises(ExtractionError, match="needs OCR"):
        extract_document(path)


def test_not_a_pdf(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"this is not a PDF")
    with pytest.raises(ExtractionError, match="not a readable PDF"):
        extract_document(path)


def test_text_reader_unchanged():
    document = _document(QINGYUAN)
    assert len(document.cells) == 1185
    assert document.counts_by_statement() == {"T1": 42, "T2": 392, "T3": 336, "T4": 125, "T5": 138,
                                              "T6": 83, "T7": 54, "T8": 3, "T9": 12}
    assert all(c.page is None for c in document.cells)


def test_ruling_segments_swept_as_bisected():
    """The grid asks, per slot, whether a drawn line separates it from its neighbour: one sweep
    over the ascending slot middles answers as one bisection per middle does."""
    import random

    from juesuan.extract.pdf import _covered, _covers, _merged

    rng = random.Random(7)
    for _ in range(2000):
        spans = _merged([(a, a + rng.uniform(0, 20)) for a in (rng.uniform(0, 100) for _ in range(rng.randint(0, 8)))])
        middles = sorted(rng.uniform(-10, 130) for _ in range(rng.randint(0, 12)))
        assert _covered(spans, middles) == [_covers(spans, middle) for middle in middles]


def test_prose_after_the_tables_is_not_read_as_a_table():
    """A page after a table is read by positions when it has a line of figures; a sentence's
    figures (with 万元 or a year after them, wrapped over lines) are no table row; a row is."""
    from juesuan.extract.pdf import _may_hold_table
    from juesuan.extract.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    prose = "某某局 2019 年度收、支总预算 37188.34\n万元。与上年相比增加 4016.19 万元\n12\n"
    assert not _may_hold_table(prose, vocabulary, after_table=True)
    assert _may_hold_table(prose + "人员经费合计 27,142.33  公用经费合计 2,211.00\n", vocabulary, after_table=True)
    assert not _may_hold_table("人员经费合计 27,142.33\n", vocabulary, after_table=False)


def test_narrative_changes_found_at_the_topic_starts_as_by_finditer():
    """read_figures tries its patterns only where a topic can start (a run of words ending where an
    amount in 万元 begins, at most 42 characters before it): the same matches as finditer."""
    import random

    from juesuan.extract.narrative import COMPARED_WITH_YEAR, STATED_CHANGE, _finditer, _topic_starts

    rng = random.Random(11)
    numbers = ["1,234.56", "37188.34", "12.5", ",5", "1.2.3", "7."]
    matched = 0
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 5)):
            topic = "".join(rng.choice("支出收入预算为是共合计经费") for _ in range(rng.randint(0, 70)))
            amount, change, rate = (rng.choice(numbers) for _ in range(3))
            if rng.random() < 0.6:
                parts.append(f"{topic}{rng.choice(['', '为', '共计'])}{amount}{rng.choice(['万元', '万', '元'])}，"
                             f"{rng.choice(['比上年', '较年初预算数'])}{rng.choice(['增加', '减少'])}{change}万元，"
                             f"{rng.choice(['增长', '下降'])}{rate}%")
            else:
                parts.append(f"{topic}{amount}万元。与2023年相比，{rng.choice(['增加', '减少'])}{change}万元，增长{rate}%")
            parts.append(rng.choice(["", "。", "，"]))
        text = "".join(parts)
        starts = _topic_starts(text)
        for pattern in (STATED_CHANGE, COMPARED_WITH_YEAR):
            expected = [(m.start(), m.end(), m.groupdict()) for m in pattern.finditer(text)]
            assert [(m.start(), m.end(), m.groupdict()) for m in _finditer(pattern, text, starts)] == expected
            matched += len(expected)
    assert matched > 1000
