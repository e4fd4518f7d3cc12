"""The analysts' report: every page opened in headless Chromium from the static site built over a
published warehouse (清远 and the 财政局 finals, the 规划 final held back by a misread figure, the
上海市财政局 2025 budget); the figures shown equal the warehouse's. Screenshots are kept in
build/screenshots/ (look at them: real pages, Chinese text)."""
from __future__ import annotations

import os
from decimal import Decimal
from html.parser import HTMLParser

import duckdb
import pytest

from conftest import ROOT, SHARED_DOCUMENTS, build_published, shared_documents_dir
from juesuan.cli import main as cli
from juesuan.report.site import figure, rate
from juesuan_testkit.browser import chromium, render

SCREENSHOTS = ROOT / "build" / "screenshots"
HELD_BACK = "putuo_guihuaziranziyuan_2024_final"
QINGYUAN_ID = "qingyuan_rsj_2023_final"
CAIZHENGJU_ID = "putuo_caizhengju_2024_final"
SHANGHAI_BUDGET = "shanghai_caizhengju_2025_budget"
PAGES = ("index.html", "money.html", "budget.html", "narrative.html", f"narrative/{QINGYUAN_ID}.html",
         f"documents/{QINGYUAN_ID}.html", f"documents/{CAIZHENGJU_ID}.html", f"documents/{HELD_BACK}.html",
         f"documents/{SHANGHAI_BUDGET}.html")


class Figures(HTMLParser):
    """data-figure key -> text shown; links; whether a Plotly chart was drawn."""

    def __init__(self):
        super().__init__()
        self.figures: dict[str, str] = {}
        self.links: list[str] = []
        self.text: list[str] = []
        self.charts = 0
        self._open: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "svg" and "main-svg" in (attributes.get("class") or ""):
            self.charts += 1
        if tag in ("td", "b", "span") or "data-figure" in attributes:
            self._open.append(attributes.get("data-figure"))
            if attributes.get("data-figure"):
                self.figures[attributes["data-figure"]] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "b", "span") and self._open:
            self._open.pop()

    def handle_data(self, data):
        self.text.append(data)
        key = next((k for k in reversed(self._open) if k), None)
        if key:
            self.figures[key] += data.strip()


def in_warehouse(warehouse, sql: str, *params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def published_warehouse(tmp_path_factory, qingyuan_path):
    """The session's published warehouse with a budget beside it: the 上海市财政局 2025 budget."""
    return build_published(tmp_path_factory.mktemp("report_warehouse"), qingyuan_path,
                           f"{SHANGHAI_BUDGET}.pdf")


@pytest.fixture(scope="module")
def site(published_warehouse, tmp_path_factory):
    if chromium() is None:
        message = "chromium is missing: `make browser` installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("report") / "site"
    assert cli(["report", "--warehouse", str(published_warehouse), "--out", str(out),
                "--sources", str(shared_documents_dir())]) == 0
    return out


def opened(site, page: str) -> Figures:
    dom = render(site / page, SCREENSHOTS / (page.replace("/", "_").removesuffix(".html") + ".png"))
    parsed = Figures()
    parsed.feed(dom)
    return parsed


def test_corpus_page(site, published_warehouse):
    page = opened(site, "index.html")
    assert "语料" in "".join(page.text) and "The corpus" in "".join(page.text)
    [(documents,)] = in_warehouse(published_warehouse, "select count(*) from marts.dim_document")
    assert page.figures["documents"] == str(documents) == "4"
    statuses = dict(in_warehouse(published_warehouse, "select status, count(*) from marts.dim_document group by 1"))
    assert page.figures["status|quarantined"] == str(statuses["quarantined"]) == "1"
    assert page.figures["status|published"] == str(statuses["published"]) == "2"  # and the 财政局 accepted
    assert page.figures["by-status|budget|2025|published"] == "1"
    for key, cells, failed in in_warehouse(published_warehouse,
                                           "select document_key, amount_cells, identities_failed from marts.dim_document"):
        assert page.figures[f"cells|{key}"] == str(cells)
        assert page.figures[f"failed|{key}"] == str(failed)
    # held back, with why: its failed identities counted
    assert page.figures[f"held|{HELD_BACK}"] == str(in_warehouse(
        published_warehouse, "select identities_failed from marts.dim_document where document_key = ?", HELD_BACK)[0][0])
    assert f"documents/{HELD_BACK}.html" in page.links


def test_held_back_document_page_names_the_cell_its_page_and_the_balancing_amount(site, published_warehouse):
    page = opened(site, f"documents/{HELD_BACK}.html")
    assert "上海市普陀区规划和自然资源局" in "".join(page.text)
    key = "T5|2080501|basic_expenditure"
    [(printed, balancing, pdf_page, line)] = in_warehouse(published_warehouse, """
        select printed_amount, balancing_amount, page, source_line from marts.suspect_cells
        where document_key = ? and suspect_rank = 1""", HELD_BACK)
    assert page.figures[f"printed|{key}"] == figure(printed) == "54.63"  # as misread
    assert page.figures[f"balancing|{key}"] == figure(balancing) == "54.53"  # as printed on the page
    assert pdf_page == 14 and line == 5
    pdf = (SHARED_DOCUMENTS / f"{HELD_BACK}.pdf").resolve().as_uri()
    assert f"{pdf}#page=14" in page.links
    failed = in_warehouse(published_warehouse, """
        select identity, difference from marts.identity_results where document_key = ? and status = 'failed'""",
                          HELD_BACK)
    assert failed and all(page.figures[f"difference|{identity}"] == figure(difference)
                          for identity, difference in failed)
    assert page.figures["amounts|T5"] == "隔离中 withheld"


def test_published_document_page(site, published_warehouse):
    page = opened(site, f"documents/{QINGYUAN_ID}.html")
    held = dict(in_warehouse(published_warehouse,
                             "select statement, count(*) from marts.all_amounts where document_key = ? group by 1",
                             QINGYUAN_ID))
    assert {s: int(page.figures[f"amounts|{s}"]) for s in held} == held
    assert held["T2"] == 392
    assert "未通过的关系" in "".join(page.text)
    assert not [key for key in page.figures if key.startswith(("difference|", "printed|"))]  # none failed


def test_where_the_money_goes(site, published_warehouse):
    page = opened(site, "money.html")
    assert page.charts >= 2  # Plotly drew both charts from the site's own copy of the library
    classes = in_warehouse(published_warehouse, """
        select f.functional_code, f.document_key, f.amount from marts.fct_functional_amounts f
        join marts.dim_functional_subject s using (functional_code)
        join marts.dim_document d on d.document_key = f.document_key and d.phase = 'final'
        where f.statement = 'T3' and f.measure = 'total_expenditure' and s.subject_level = '类'""")
    assert len(classes) > 10
    for code, document, amount in classes:
        assert page.figures[f"class|{code}|{document}"] == figure(amount)
    # 清远 人社局 2023 T3 (text line 218): 208 社会保障和就业支出 14,103.86
    assert page.figures[f"class|208|{QINGYUAN_ID}"] == "14,103.86"
    for document, personnel, public in in_warehouse(published_warehouse, """
            select document_key,
                   max(amount) filter (where row_key = '人员经费合计'), max(amount) filter (where row_key = '公用经费合计')
            from marts.fct_economic_amounts join marts.dim_document using (document_key)
            where phase = 'final' group by 1"""):
        assert (page.figures[f"personnel|{document}"], page.figures[f"public|{document}"]) == (
            figure(personnel), figure(public))
    assert page.figures[f"personnel|{QINGYUAN_ID}"] == "13,498.68"
    # 三公 决算数: 清远 prints them; 财政局 leaves them blank, shown as not printed, not dropped
    assert page.figures[f"three|{QINGYUAN_ID}|total"] == figure(Decimal("21.12"))
    assert page.figures["three|putuo_caizhengju_2024_final|total"] == "未印"
    assert f"class|208|{HELD_BACK}" not in page.figures  # a held-back document's facts are not shown
    assert not [key for key in page.figures if SHANGHAI_BUDGET in key]  # a budget is not spending


def budget_key(document: str, statement: str, row_key: str, measure: str, source: str) -> str:
    return "|".join((document, statement, row_key, measure, source))


def opened_with(site, page: str, folder: str) -> Figures:
    """`page` and every page of `folder` it links to, their figures together."""
    parsed = opened(site, page)
    linked = sorted(link for link in parsed.links if link.startswith(f"{folder}/"))
    assert linked
    for link in linked:
        parsed.figures.update(opened(site, link).figures)
    return parsed


def test_budget_against_final(site, published_warehouse):
    page = opened_with(site, "budget.html", "budget")
    assert page.charts >= 1
    rows = in_warehouse(published_warehouse, """
        select budget_document_key, statement, row_key, measure, budget_source, budget_amount, final_amount,
               final_source, difference, execution_rate
        from marts.budget_vs_final where budget_amount is not null""")
    assert len(rows) > 250
    for document, statement, row_key, measure, source, budget, final, final_source, difference, execution in rows:
        key = budget_key(document, statement, row_key, measure, source)
        assert page.figures[f"budget|{key}"] == figure(budget)
        shown_final = "未印" if final_source == "final_document_blank" else ("" if final is None else figure(final))
        assert page.figures[f"final|{key}"] == shown_final
        assert page.figures[f"difference|{key}"] == ("" if difference is None else figure(difference))
        assert page.figures[f"rate|{key}"] == rate(execution)
    # 清远 2023 T9: 预算数 22.36 beside its 决算数 21.12, 执行率 0.944544
    qingyuan = budget_key(QINGYUAN_ID, "T9", "三公经费", "total", "final_document_budget_column")
    assert (page.figures[f"budget|{qingyuan}"], page.figures[f"final|{qingyuan}"],
            page.figures[f"difference|{qingyuan}"], page.figures[f"rate|{qingyuan}"]) == (
        "22.36", "21.12", "-1.24", "94.4544%")
    # its narrative: 一般公共预算财政拨款支出 34,342.82, 比年初预算数增加 14,000.9 -> 年初预算 20,341.92
    narrative = budget_key(QINGYUAN_ID, "T4", "本年支出合计", "expenditure_general_budget", "final_document_narrative")
    assert (page.figures[f"budget|{narrative}"], page.figures[f"final|{narrative}"]) == ("20,341.92", "34,342.82")
    # 普陀区财政局 2024 T9 prints 预算数 公务接待费 0.95 and leaves its 决算数 blank: not printed, not 0
    blank = budget_key(CAIZHENGJU_ID, "T9", "三公经费", "reception", "final_document_budget_column")
    assert (page.figures[f"budget|{blank}"], page.figures[f"final|{blank}"]) == ("0.95", "未印")
    # 上海市财政局 2025: the budget alone (no 2025 final held), every 元 kept (171,915,169 元)
    alone = budget_key(SHANGHAI_BUDGET, "T5", "合计", "total_expenditure", "budget_document")
    assert (page.figures[f"budget|{alone}"], page.figures[f"final|{alone}"], page.figures[f"rate|{alone}"]) == (
        "17,191.5169", "", "")
    [(department,)] = in_warehouse(published_warehouse, "select department_key from marts.dim_document "
                                   "where document_key = ?", SHANGHAI_BUDGET)
    awaiting = in_warehouse(published_warehouse, """
        select count(*) from marts.budget_vs_final where department_key = ? and final_amount is null""", department)
    assert page.figures[f"awaiting|{department}|2025"] == str(awaiting[0][0])
    assert page.figures[f"compared|{department}|2025"] == "0"
    assert f"documents/{SHANGHAI_BUDGET}.html" in page.links
    assert f"budget/{department}-2025.html" in page.links


def test_narrative_facts(site, published_warehouse):
    page = opened_with(site, "narrative.html", "narrative")
    facts = in_warehouse(published_warehouse, """
        select document_key, topic, item, measure, source_line, value_text from marts.fct_narrative_facts""")
    assert len(facts) > 100
    for document, topic, item, measure, line, printed in facts:
        assert page.figures[f"fact|{document}|{topic}|{item}|{measure}|{line}"] == printed
    # 清远 2023 (text line 579): 机关运行经费 329.83 万元, 比上年增加 16.94 万元, 增长 5.4%
    assert [page.figures[f"fact|{QINGYUAN_ID}|机关运行经费|合计|{m}|579"] for m in ("amount", "change", "rate")] == [
        "329.83", "16.94", "5.4"]
    # its 三公 sentence (line 559) reconciled with T9: 公务接待费 5.59
    assert page.figures[f"fact|{QINGYUAN_ID}|三公经费|公务接待费|final_amount|559"] == "5.59"
    assert page.figures[f"checked|{QINGYUAN_ID}|三公经费|公务接待费|final_amount|559"] == "✓ 通过"
    # and its procurement sentence: 9,184.43 = 248.32 + 190.02 + 8,746.08 within the rounding
    assert page.figures[f"checked|{QINGYUAN_ID}|政府采购|合计|amount|583"] == "✓ 通过"
    # the 财政局 (accepted): page 21 misprints 2,961.68 as 0.3, shown failed, with the page linked
    failed = in_warehouse(published_warehouse, """
        select identity, difference from marts.identity_results
        where document_key = ? and family = 'narrative' and status = 'failed'""", CAIZHENGJU_ID)
    assert len(failed) == 1
    assert page.figures[f"check-difference|{CAIZHENGJU_ID}|{failed[0][0]}"] == figure(failed[0][1]) == "-2,961.38"
    assert page.figures[f"checks-failed|{CAIZHENGJU_ID}"] == "1"
    [(line,)] = in_warehouse(published_warehouse, """
        select source_line from marts.fct_narrative_facts
        where document_key = ? and topic = 'table_line' and item = '财政拨款收入支出总计' and page = 21""", CAIZHENGJU_ID)
    assert page.figures[f"checked|{CAIZHENGJU_ID}|table_line|财政拨款收入支出总计|amount|{line}"] == "✗ 未通过"
    pdf = (SHARED_DOCUMENTS / f"{CAIZHENGJU_ID}.pdf").resolve().as_uri()
    assert f"{pdf}#page=21" in opened(site, f"narrative/{CAIZHENGJU_ID}.html").links
    assert f"fact|{HELD_BACK}" not in "".join(page.figures)  # a held-back document's facts are not shown


def test_every_page_renders_in_chinese(site):
    """Every page opened offline: a real page with its title and the navigation, never an error."""
    for name in (*PAGES, *(f"budget/{path.name}" for path in (site / "budget").iterdir())):
        page = opened(site, name)
        text = "".join(page.text)
        assert "语料 Corpus" in text and "叙述事实 Narrative facts" in text, name
        assert "Traceback" not in text and "Error" not in text, name
    assert {path.name for path in SCREENSHOTS.iterdir()} >= {
        name.replace("/", "_").removesuffix(".html") + ".png" for name in PAGES}
    assert len(list((site / "budget").iterdir())) == 3  # 清远 2023, the 财政局 2024, 上海市财政局 2025
