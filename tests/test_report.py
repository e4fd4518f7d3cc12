"""The analysts' report: every page opened in headless Chromium from the static site built over the
published warehouse (one document held back by a misread figure); the figures shown equal the
warehouse's. Screenshots are kept in build/screenshots/ (look at them: real pages, Chinese text)."""
from __future__ import annotations

import os
from decimal import Decimal
from html.parser import HTMLParser

import duckdb
import pytest

from conftest import ROOT, SHARED_DOCUMENTS, shared_documents_dir
from juesuan.cli import main as cli
from juesuan.report.site import figure
from juesuan_testkit.browser import chromium, render

SCREENSHOTS = ROOT / "build" / "screenshots"
HELD_BACK = "putuo_guihuaziranziyuan_2024_final"
QINGYUAN_ID = "qingyuan_rsj_2023_final"


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
    assert page.figures["documents"] == str(documents) == "3"
    statuses = dict(in_warehouse(published_warehouse, "select status, count(*) from marts.dim_document group by 1"))
    assert page.figures["status|quarantined"] == str(statuses["quarantined"]) == "1"
    assert page.figures["status|published"] == str(statuses["published"]) == "1"  # and the 财政局 accepted
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
        where f.statement = 'T3' and f.measure = 'total_expenditure' and s.subject_level = '类'""")
    assert len(classes) > 10
    for code, document, amount in classes:
        assert page.figures[f"class|{code}|{document}"] == figure(amount)
    # 清远 人社局 2023 T3 (text line 218): 208 社会保障和就业支出 14,103.86
    assert page.figures[f"class|208|{QINGYUAN_ID}"] == "14,103.86"
    for document, personnel, public in in_warehouse(published_warehouse, """
            select document_key,
                   max(amount) filter (where row_key = '人员经费合计'), max(amount) filter (where row_key = '公用经费合计')
            from marts.fct_economic_amounts group by 1"""):
        assert (page.figures[f"personnel|{document}"], page.figures[f"public|{document}"]) == (
            figure(personnel), figure(public))
    assert page.figures[f"personnel|{QINGYUAN_ID}"] == "13,498.68"
    # 三公 决算数: 清远 prints them; 财政局 leaves them blank, shown as not printed, not dropped
    assert page.figures[f"three|{QINGYUAN_ID}|total"] == figure(Decimal("21.12"))
    assert page.figures["three|putuo_caizhengju_2024_final|total"] == "未印"
    assert f"class|208|{HELD_BACK}" not in page.figures  # a held-back document's facts are not shown


def test_pending_pages_say_what_they_wait_for(site):
    for hook in ("budget.html", "narrative.html"):
        page = opened(site, hook)
        assert "待建" in "".join(page.text)
