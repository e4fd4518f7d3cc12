"""The analysts' report: a static site (HTML + Plotly charts, no server, no network) over the
published warehouse. Pages are Chinese first with English labels:

- index.html       语料 The corpus: documents by phase, year and status; those held back, and why
- documents/*.html 单份文件 One document: its tables, failed identities, suspect cells (page, line,
                   the amount that would balance) and a link to the source PDF at that page
- money.html       钱去哪儿 Where the money goes: functional classes across departments and years,
                   the economic breakdown (人员经费 / 公用经费) and 三公经费

Every figure shown is read from the warehouse as an exact DECIMAL and printed with two decimals;
each figure's cell carries a data-figure key so the tests can compare the rendered page with the
warehouse. Pages whose marts are not in the warehouse yet (budget against final, narrative facts)
are listed as hooks with what they wait for.
"""
from __future__ import annotations

from .site import build_report

__all__ = ["build_report"]
