"""Builds the static report from the published warehouse (read-only): queries, then templates."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import queries

TEMPLATES = Path(__file__).parent / "templates"
PLOTLY_JS = "plotly.min.js"


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


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["figure"] = figure
    env.filters["rate"] = rate
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
        common = {"pages": PAGES, "warehouse": str(warehouse)}
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
        budget = queries.budget_against_final(con)
        written.append(_write(env, "budget.html", out / "budget.html", root="", **common, **budget,
                              chart=_budget_chart(budget)))
        (out / "budget").mkdir()
        for pair in budget["pairs"]:
            if pair["rows"]:
                written.append(_write(env, "budget_pair.html", out / "budget" / pair["page"], root="../",
                                      p=pair, sources=BUDGET_SOURCES, **common))
        narrative = queries.narrative_facts(con)
        written.append(_write(env, "narrative.html", out / "narrative.html", root="", **common, **narrative))
        (out / "narrative").mkdir()
        for document in narrative["documents"]:
            for fact in document["facts"]:
                fact["link"] = pdf_link(document["source_file"], fact["page"], sources)
            written.append(_write(env, "narrative_document.html", out / "narrative" / f"{document['document_key']}.html",
                                  root="../", d=document, topics=NARRATIVE_TOPICS, measures=NARRATIVE_MEASURES,
                                  checked=CHECKED, **common))
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
