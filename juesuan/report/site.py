"""Builds the static report from the published warehouse (read-only): queries, then templates.

The report folder is kept between builds. Every page is rendered from a context the queries
return; a fingerprint of that context (and of the templates and code) is kept in a manifest in
the folder, so a build renders and writes only the pages whose fingerprint changed (a document
added: its own pages, its department-year's budget page and the overview pages) and deletes the
pages no longer produced."""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import queries

TEMPLATES = Path(__file__).parent / "templates"
PLOTLY_JS = "plotly.min.js"
# page path -> fingerprint of what it was rendered from, kept in the report folder between builds
MANIFEST = ".report-manifest.json"
MANIFEST_VERSION = 1
SITE_FOLDERS = ("documents", "budget", "narrative")


BUDGET_SOURCES = {
    "budget_document": "部门预算 budget document",
    "final_document_budget_column": "决算表预算数列 final's 预算数 column",
    "final_document_narrative": "决算情况说明 final's narrative",
}
NARRATIVE_TOPICS = {
    "item_budget": "各项预算与决算 per-项 budget and final",
    "table_line": "表内合计 table line",
    "prior_year_change": "比上年增减 change on the prior year",
    "budget_change": "比年初预算增减 change against the budget",
}
NARRATIVE_MEASURES = {
    "amount": "金额", "change": "增减额", "rate": "增减率", "share": "占比", "count": "数量", "score": "得分",
    "average_score": "平均分", "budget_amount": "年初预算", "full_year_budget_amount": "全年预算",
    "final_amount": "决算",
}
CHECKED = {"passed": "✓ 通过", "failed": "✗ 未通过", "failed passed": "✗ 未通过 / ✓ 通过"}
# the budget page's chart: the expenditure totals of each department-year (row, measure)
HEADLINE_ROWS = {("合计", "total_expenditure"), ("本年支出合计", "expenditure_general_budget"),
                 ("本年支出合计", "expenditure_government_fund"), ("三公经费", "total")}

PAGES = (
    ("index.html", "语料 Corpus"),
    ("money.html", "钱去哪儿 Where the money goes"),
    ("budget.html", "预算与决算 Budget against final"),
    ("narrative.html", "叙述事实 Narrative facts"),
)


def figure(value: Decimal | None) -> str:
    """An amount as the report prints it: exact (at least two decimals, more when the document
    printed them, as a 元 figure in 万元 keeps its 分), thousands separated; blank = 未印."""
    if value is None:
        return "未印"
    decimals = max(2, -value.normalize().as_tuple().exponent)
    return f"{value:,.{decimals}f}"


def rate(value: Decimal | None) -> str:
    """An execution rate (final ÷ budget, stored to six decimals) as an exact percentage; blank when
    there is none (no final yet, or a zero budget)."""
    if value is None:
        return ""
    decimals = max(2, -(value * 100).normalize().as_tuple().exponent)
    return f"{value * 100:,.{decimals}f}%"


@lru_cache(maxsize=4)  # one per process and folder: a worker renders thousands of pages with it
def _environment(templates: Path) -> Environment:
    env = Environment(loader=FileSystemLoader(templates), autoescape=select_autoescape(["html"]))
    env.filters["figure"] = figure
    env.filters["rate"] = rate
    return env


def pdf_link(document: dict, page: int | None, sources: list[Path]) -> str | None:
    """file:// link to the document's source PDF at `page`, when the file is at hand in one of
    `sources` (a PDF by its reader: its name may not end in .pdf)."""
    source_file = document["source_file"]
    if document.get("reader") != "pdf":
        return None
    for folder in sources:
        candidate = folder / source_file
        if candidate.is_file():
            return "file://" + quote(str(candidate.resolve())) + (f"#page={page}" if page else "")
    return None


@dataclass
class Page:
    """One page of the site, rendered from `context` alone: the context is what its fingerprint is
    taken of. `derive` adds what is computed from that context only when the page is rendered
    (the charts: costly, and wholly determined by the context)."""
    path: str
    template: str
    context: dict
    derive: Callable[[dict], dict] | None = None


@dataclass
class ReportBuild:
    pages: list[Path]  # every page of the site
    written: list[Path] = field(default_factory=list)  # rendered by this build: the rest were current
    removed: list[Path] = field(default_factory=list)  # no longer produced (a document taken out), deleted


def build_report(warehouse: Path, out: Path, sources: list[Path] | None = None) -> ReportBuild:
    """Bring the site in `out` up to date with the warehouse: a page is rendered and written only when
    what it is rendered from changed, and a page no longer produced is deleted."""
    sources = [Path(s) for s in (sources or [])]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        pages = site_pages(con, sources)
    return _publish(pages, Path(out))


def site_pages(con: duckdb.DuckDBPyConnection, sources: list[Path]) -> list[Page]:
    # no page shows the warehouse's path: kept out of the contexts, a warehouse moved or copied
    # re-renders nothing
    common = {"pages": PAGES}
    corpus = queries.corpus(con)
    details = queries.document_details(con)
    pages = [Page("index.html", "index.html", {"root": "", **common, **corpus})]
    for document in corpus["documents"]:
        detail = details[document["document_key"]]
        for suspect in detail["suspects"]:
            suspect["link"] = pdf_link(document, suspect["page"], sources)
        detail["source_link"] = pdf_link(document, None, sources)
        pages.append(Page(f"documents/{document['document_key']}.html", "document.html",
                          {"root": "../", "document": document, **common, **detail}))
    money = queries.money(con)
    pages.append(Page("money.html", "money.html", {"root": "", **common, **money},
                      derive=lambda context: {"charts": _money_charts(context)}))
    budget = queries.budget_against_final(con)
    pages.append(Page("budget.html", "budget.html", {"root": "", **common, **budget},
                      derive=lambda context: {"chart": _budget_chart(context)}))
    for pair in budget["pairs"]:
        if pair["rows"]:
            pages.append(Page(f"budget/{pair['page']}", "budget_pair.html",
                              {"root": "../", "p": pair, "sources": BUDGET_SOURCES, **common}))
    narrative = queries.narrative_facts(con)
    pages.append(Page("narrative.html", "narrative.html", {"root": "", **common, **narrative}))
    for document in narrative["documents"]:
        for fact in document["facts"]:
            fact["link"] = pdf_link(document, fact["page"], sources)
        pages.append(Page(f"narrative/{document['document_key']}.html", "narrative_document.html",
                          {"root": "../", "d": document, "topics": NARRATIVE_TOPICS, "measures": NARRATIVE_MEASURES,
                           "checked": CHECKED, **common}))
    return pages


def _publish(pages: list[Page], out: Path) -> ReportBuild:
    """Write what changed into `out`, kept between builds. The manifest there records each file's
    fingerprint; a file whose fingerprint is unchanged (and which is still there) is left alone."""
    out.mkdir(parents=True, exist_ok=True)
    code = code_fingerprint()
    wanted = page_fingerprints(code, pages)
    wanted[PLOTLY_JS] = _plotly_fingerprint()
    on_disk = _files_under(out)
    previous = _read_manifest(out)
    current = {path: value for path, value in wanted.items() if previous.get(path) == value and path in on_disk}
    # a build cut short must not vouch for a file it was about to rewrite (its content would be
    # new, its fingerprint old): until the end, the manifest lists only the files left alone
    recorded = previous
    if current != recorded:
        recorded = _write_manifest(out, current)
    for folder in SITE_FOLDERS:
        (out / folder).mkdir(exist_ok=True)
    build = ReportBuild(pages=[out / page.path for page in pages])
    build.written.extend(_render_all([page for page in pages if page.path not in current], out))
    if PLOTLY_JS not in current:
        build.written.append(_replace(out / PLOTLY_JS, _plotly_js()))
    build.removed = _remove_all_but(out, on_disk, set(wanted) | {MANIFEST})
    if wanted != recorded:  # a rebuild with nothing changed leaves the folder untouched
        _write_manifest(out, wanted)
    return build


PARALLEL_PAGES = 2000  # pages per worker at least: fewer render faster here than workers start (3,000 pages: ~3 s)


def _render_all(pages: list[Page], out: Path) -> list[Path]:
    """Render and write `pages`: in worker processes when there are many (every page of a new
    report of 10,000 documents: 30,000 pages, 20 s in one process)."""
    jobs = [(str(out / page.path), str(TEMPLATES), page.template,
             page.context if page.derive is None else {**page.context, **page.derive(page.context)})
            for page in pages]
    processes = render_processes(len(jobs))
    if processes < 2:
        return [_render_to(job) for job in jobs]
    from multiprocessing import get_context

    # forkserver, not fork: the caller (a Dagster run) has threads (see juesuan.landing._run_jobs)
    context = get_context("forkserver")
    context.set_forkserver_preload(["juesuan.report.site"])
    with context.Pool(processes) as pool:
        return list(pool.imap(_render_to, jobs, chunksize=64))


def render_processes(pages: int) -> int:
    """How many processes render `pages` pages: this one alone (1) below PARALLEL_PAGES."""
    return max(1, min(pages // PARALLEL_PAGES, os.cpu_count() or 1))


def _render_to(job: tuple[str, str, str, dict]) -> Path:
    path, templates, template, context = job
    return _replace(Path(path), _environment(Path(templates)).get_template(template).render(**context))


def code_fingerprint() -> str:
    """The templates, this module, the queries and the libraries that render: any change to them
    re-renders every page."""
    import jinja2
    import plotly

    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(TEMPLATES.glob("*.html")) + [Path(__file__), Path(queries.__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"jinja2 {jinja2.__version__} plotly {plotly.__version__}".encode())
    return digest.hexdigest()


def page_fingerprints(code: str, pages: list[Page]) -> dict[str, str]:
    """Each page's fingerprint. The row a page of its own is rendered from (a document, a
    department-year, a narrative document) is the very object an overview page lists: digested
    once for both (the overview pages' lists were a third of the digesting at 10,000 documents)."""
    rows: dict[int, bytes] = {}
    # the pages of one row first, so the overview pages find their rows digested
    ordered = sorted(pages, key=lambda page: "/" not in page.path)
    return {page.path: page_fingerprint(code, page, rows) for page in ordered}


def page_fingerprint(code: str, page: Page, rows: dict[int, bytes] | None = None) -> str:
    """A digest of everything the page is rendered from. The context holds rows as the queries
    return them (str, int, Decimal, date, lists and dicts in query order), whose repr is exact
    and stable; anything whose repr were not stable would only re-render its page, never keep
    a stale one. `rows` holds the digests of rows already read, by object."""
    rows = {} if rows is None else rows
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{code}\0{page.path}\0{page.template}\0".encode())
    for name, value in page.context.items():
        digest.update(f"\0{name}=".encode())
        if isinstance(value, dict):
            digest.update(b"row " + _row_digest(value, rows))
        elif isinstance(value, list) and value and id(value[0]) in rows:
            digest.update(f"rows {len(value)} ".encode() + b"".join(_row_digest(row, rows) for row in value))
        else:
            digest.update(repr(value).encode())
    return digest.hexdigest()


def _row_digest(row, rows: dict[int, bytes]) -> bytes:
    # by id(): every row stays alive (held by its page) while the fingerprints are taken
    if id(row) not in rows:
        rows[id(row)] = hashlib.blake2b(repr(row).encode(), digest_size=16).digest()
    return rows[id(row)]


def _plotly_fingerprint() -> str:
    import plotly

    return f"plotly {plotly.__version__}"


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _files_under(out: Path) -> set[str]:
    """Every file in the report folder, as a path relative to it."""
    return {(Path(root) / name).relative_to(out).as_posix() for root, _dirs, names in os.walk(out) for name in names}


def _read_manifest(out: Path) -> dict[str, str]:
    """The fingerprints of the last build; none (everything is rendered) when missing or unreadable."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return dict(manifest["files"]) if manifest.get("version") == MANIFEST_VERSION else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_manifest(out: Path, files: dict[str, str]) -> dict[str, str]:
    _replace(out / MANIFEST, json.dumps({"version": MANIFEST_VERSION, "files": files}, sort_keys=True, indent=0))
    return files


def _replace(path: Path, text: str) -> Path:
    """Write beside the page, then rename over it: a reader opening the report mid-build sees the old
    page or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


def _remove_all_but(out: Path, on_disk: set[str], keep: set[str]) -> list[Path]:
    """Delete the files this build does not produce (pages of documents taken out or superseded,
    temporary files of a build cut short) and the folders they leave empty."""
    removed = []
    for relative in sorted(on_disk - keep):
        (out / relative).unlink(missing_ok=True)
        removed.append(out / relative)
    for root, _dirs, _names in os.walk(out, topdown=False):  # deepest first: a folder emptied empties its parent
        folder = Path(root)
        if folder != out and folder.relative_to(out).as_posix() not in SITE_FOLDERS and not os.listdir(folder):
            folder.rmdir()
    return removed


def _money_charts(money: dict) -> dict[str, str]:
    """Plotly charts (the library is served from the site itself, no CDN)."""
    import plotly.graph_objects as go

    columns = money["class_columns"]
    classes = go.Figure([
        go.Bar(name=f"{row['class_code']} {row['class_name']}", x=[c["label"] for c in columns],
               y=[float(row["amounts"].get(c["document_key"]) or 0) for c in columns])
        for row in money["class_rows"]])
    classes.update_layout(barmode="stack", title="支出决算按功能分类(类) Expenditure by functional class (万元)",
                          height=520, legend={"font": {"size": 11}}, margin={"t": 60, "b": 40})
    economic = go.Figure([
        go.Bar(name=kind, x=[r["label"] for r in money["economic"]],
               y=[float(r[key] or 0) for r in money["economic"]])
        for kind, key in (("人员经费 Personnel", "personnel"), ("公用经费 Public", "public"))])
    economic.update_layout(barmode="group", title="基本支出: 人员经费与公用经费 Basic expenditure (万元)",
                           height=420, margin={"t": 60, "b": 40})
    html = {"include_plotlyjs": False, "full_html": False, "config": {"displaylogo": False}}
    return {"classes": classes.to_html(**html), "economic": economic.to_html(**html)}


def _budget_chart(budget: dict) -> str:
    """预算数 beside 决算数 for each department-year's totals; a budget whose final is not in the
    warehouse stands alone."""
    import plotly.graph_objects as go

    rows = [(pair, row) for pair in budget["pairs"] for row in pair["rows"]
            if row["code"] is None and (row["row_key"], row["measure"]) in HEADLINE_ROWS]
    # one bar pair per department-year, statement, measure and budget source (a year may have two)
    labels = [f"{pair['department_name']} {pair['fiscal_year']}<br>{row['statement']} "
              f"{row['measure_name'] or row['measure']} ({BUDGET_SOURCES[row['budget_source']].split()[0]})"
              for pair, row in rows]
    rates = [rate(row["execution_rate"]) or "—" for _, row in rows]
    chart = go.Figure([
        go.Bar(name="预算数 Budget", x=labels, y=[float(row["budget_amount"]) for _, row in rows]),
        go.Bar(name="决算数 Final", x=labels,
               y=[None if row["final_amount"] is None or row["final_source"] == "final_document_blank"
                  else float(row["final_amount"]) for _, row in rows],
               customdata=rates, hovertemplate="%{x}<br>决算数 %{y:,.2f} 万元<br>执行率 %{customdata}<extra></extra>"),
    ])
    chart.update_layout(barmode="group", title="预算数与决算数: 各部门年度合计 Budget and final, totals (万元)",
                        height=640, margin={"t": 60, "b": 240}, legend={"orientation": "h", "y": 1.08})
    return chart.to_html(include_plotlyjs=False, full_html=False, config={"displaylogo": False})
