"""The analysts' report: a static site (HTML + Plotly charts, no server, no network) over the
published warehouse. Pages are Chinese first with English labels:

- index.html       语料 The corpus: documents by phase, year and status; those held back, and why
- documents/*.html 单份文件 One document: its tables, failed identities, suspect cells (page, line,
                   the amount that would balance) and a link to the source PDF at that page
- money.html       钱去哪儿 Where the money goes: functional classes across departments and years,
                   the economic breakdown (人员经费 / 公用经费) and 三公经费 (finals only)
- budget.html      预算与决算 Budget against final (marts.budget_vs_final): the department-years and a
                   chart of their totals; budget/<department>-<year>.html each budget figure beside its
                   final and the execution rate (a budget whose final is not held: final and rate empty)
- narrative.html   叙述事实 Narrative facts (marts.fct_narrative_facts): the documents and their checks;
                   narrative/<document>.html the figures its 情况说明 states, with page/line links and
                   the narrative checks each takes part in

Every figure shown is read from the warehouse as an exact DECIMAL and printed with at least two
decimals (all it has: a 元 figure in 万元 keeps its 分); each figure's cell carries a data-figure key
so the tests can compare the rendered page with the warehouse.
"""
from __future__ import annotations

from .site import build_report

__all__ = ["build_report"]
