"""Builds the static report from the published warehouse (read-only): queries, then templates."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import queries

TEMPLATES = Path(__file__).parent / "templates"
PLOTLY_JS = "plotly.min.js"


@dataclass(frozen=True)
class Hook:
    """A page that waits for marts another issue adds; shown as pending until they exist."""

    page: str
    title: str
    waits_for: str
    tables: tuple[str, ...]


HOOKS = (
    Hook("budget.html", "预算与决算 Budget against final", "the budget issue (部门预算 documents)",
         ("fct_budget_amounts",)),
    Hook("narrative.html", "机关运行经费与政府采购 Running costs and procurement", "the narrative issue (情况说明 facts)",
         ("fct_narrative_facts",)),
)


def figure(value: Decimal | None) -> str:
    """An amount as the report prints it: exact, two decimals, thousands separated; blank = 未印."""
    return "未印" if value is None else f"{value:,.2f}"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["figure"] = figure
    return env


def pdf_link(source_file: str, page: int | None, sources: list[Path]) -> str | None:
    """file:// link to the source PDF at `page`, when the file is at hand in one of `sources`."""
    if not source_file.lower().endswith(".pdf"):
        return None
    for folder in sources:
        candidate = folder / source_file
        if candidate.is_file():
            return "file://" + quote(str(candidate.resolve())) + (f"#page={page}" if page else "")
    return None


def build_report(warehouse: Path, out: Path, sources: list[Path] | None = None) -> list[Path]:
    """Write the site into `out` (replaced); returns the pages written."""
    sources = [Path(s) for s in (sources or [])]
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "documents").mkdir(parents=True)
    env = _environment()
    written: list[Path] = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = queries.mart_tables(con)
        hooks = [{"page": h.page, "title": h.title, "waits_for": h.waits_for,
                  "ready": all(t in present for t in h.tables)} for h in HOOKS]
        common = {"hooks": hooks, "warehouse": str(warehouse)}
        corpus = queries.corpus(con)
        details = queries.document_details(con)
        written.append(_write(env, "index.html", out / "index.html", root="", **common, **corpus))
        for document in corpus["documents"]:
            detail = details[document["document_key"]]
            for suspect in detail["suspects"]:
                suspect["link"] = pdf_link(document["source_file"], suspect["page"], sources)
            detail["source_link"] = pdf_link(document["source_file"], None, sources)
            written.append(_write(env, "document.html", out / "documents" / f"{document['document_key']}.html",
                                  root="../", document=document, **common, **detail))
        money = queries.money(con)
        written.append(_write(env, "money.html", out / "money.html", root="", **common, **money,
                              charts=_money_charts(money)))
        for hook in hooks:
            written.append(_write(env, "hook.html", out / hook["page"], root="", hook=hook, **common))
    _write_plotly(out)
    return written


def _write(env: Environment, template: str, path: Path, **context) -> Path:
    path.write_text(env.get_template(template).render(**context), encoding="utf-8")
    return path


def _write_plotly(out: Path) -> None:
    from plotly.offline import get_plotlyjs

    (out / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")


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
