"""Figures the narrative (情况说明) states: an amount, and its change against the prior year or
the budget ("…34,365.67万元，比上年决算数减少3,683.75万元，下降9.7%").

Only the figures are kept (the topic's short label, the numbers, where they stand), never the prose.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

NUMBER = r"[\d,]+(?:\.\d+)?"
# the topic is the run of words right before the amount, after the last clause boundary
TOPIC = r"(?P<topic>[^。；;：:，,\d%（）()]{2,40}?)"
STATED_CHANGE = re.compile(
    TOPIC + r"(?:为|是|共计|合计)?(?P<amount>" + NUMBER + r")万元[，,]?"
    r"(?:占[^，,。]{0,20}[，,])?(?:完成[^，,。]{0,30}[，,])?"
    r"(?:比|较)(?P<base>上年决算数?|上年度?|年初预算数?)(?P<direction>增加|减少)(?P<change>" + NUMBER + r")万元[，,]"
    r"(?P<rate_direction>增长|下降)(?P<rate>" + NUMBER + r")%"
)
COMPARED_WITH_YEAR = re.compile(
    TOPIC + r"(?P<amount>" + NUMBER + r")万元[^。]{0,40}?。与\d{4}年度?相比[，,][^，,。]{0,30}?"
    r"(?P<direction>增加|减少)(?P<change>" + NUMBER + r")万元[，,](?P<rate_direction>增长|下降)(?P<rate>" + NUMBER + r")%"
)
LIST_MARK = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]*[)）.、．])+|^年度")


@dataclass
class NarrativeFigure:
    document_id: str
    topic: str
    amount: str
    base: str          # prior_year | budget
    change: str        # signed, 万元
    rate: str          # signed percent as printed (its decimals are its precision)
    source_line: int
    page: int | None = None

    def as_row(self) -> dict:
        row = asdict(self)
        row["page"] = "" if self.page is None else self.page
        return row


def _plain(number: str) -> str:
    return number.replace(",", "")


def read_figures(document_id: str, lines: list[tuple[int, int | None, str]]) -> list[NarrativeFigure]:
    """Figures from prose lines (line number, page, text); sentences may wrap across lines."""
    text, starts = "", []
    for number, page, line in lines:
        if "\t" in line:
            continue
        compact = re.sub(r"\s+", "", line)
        if compact:
            starts.append((len(text), number, page))
            text += compact
    figures, seen = [], set()
    for pattern in (STATED_CHANGE, COMPARED_WITH_YEAR):
        for match in pattern.finditer(text):
            topic = LIST_MARK.sub("", match.group("topic")).replace("“", "").replace("”", "").replace('"', "")
            where = max((s for s in starts if s[0] <= match.start("amount")), key=lambda s: s[0])
            key = (where[1], match.group("amount"), match.group("change"))
            if len(topic) < 2 or key in seen:
                continue
            seen.add(key)
            base = "budget" if "预算" in (match.groupdict().get("base") or "") else "prior_year"
            sign = "-" if match.group("direction") == "减少" else ""
            rate_sign = "-" if match.group("rate_direction") == "下降" else ""
            figures.append(NarrativeFigure(
                document_id=document_id, topic=topic, amount=_plain(match.group("amount")), base=base,
                change=sign + _plain(match.group("change")), rate=rate_sign + _plain(match.group("rate")),
                source_line=where[1], page=where[2]))
    return sorted(figures, key=lambda f: (f.page or 0, f.source_line, f.topic))
