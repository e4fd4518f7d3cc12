"""Figures the narrative (情况说明) states: an amount, and its change against the prior year or
the budget ("…34,365.67万元，比上年决算数减少3,683.75万元，下降9.7%").

Only the figures are kept (the topic's short label, the numbers, where they stand), never the prose.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_SPACES = re.compile(r"\s+")  # compiled once: called per line and per label

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
# A match of either pattern starts inside a run of topic characters that ends right where its
# amount in 万元 begins (为 / 是 / 共计 / 合计 are topic characters; a digit or ',' is not), at most
# 42 characters before that end: only those positions are tried (the same matches as finditer,
# without trying the lazy topic at every character of the prose).
TOPIC_RUN = re.compile(r"[^。；;：:，,\d%（）()]+")
AMOUNT_START = re.compile(r"[\d,][\d,.]*万元")


def _topic_starts(text: str) -> list[int]:
    starts = []
    for run in TOPIC_RUN.finditer(text):
        end = run.end()
        if end < len(text) and AMOUNT_START.match(text, end):
            starts.extend(range(max(run.start(), end - 42), end - 1))
    return starts


def _finditer(pattern: re.Pattern, text: str, starts: list[int]):
    """pattern.finditer(text), trying only the given (sorted) start positions."""
    end = 0
    for start in starts:
        if start < end:
            continue
        match = pattern.match(text, start)
        if match:
            yield match
            end = match.end()


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
        row = dict(vars(self))  # flat fields: a shallow copy
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
        compact = _SPACES.sub("", line)
        if compact:
            starts.append((len(text), number, page))
            text += compact
    figures, seen = [], set()
    topic_starts = _topic_starts(text)
    for pattern in (STATED_CHANGE, COMPARED_WITH_YEAR):
        for match in _finditer(pattern, text, topic_starts):
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


# ---------------------------------------------------------------------------------------------
# Facts only the narrative states (机关运行经费, 政府采购, 国有资产, 三公 detail, 绩效, per-项 budget).
# The sentence patterns are vocabulary (seeds/narrative_patterns.csv); this code only joins the
# prose into one whitespace-free text, runs every pattern over it and says where each figure stands.

PLACEHOLDERS = {
    "{N}": r"[\d,]*\d(?:\.\d+)?",   # an amount or a percentage as printed
    "{C}": r"\d+",                  # a count
    "{Y}": r"(?:\d{4}年度?)?",       # an optional year ("2024年度")
}
NEGATIVE_WORDS = ("减少", "下降", "降低")
_HALF_WIDTH = str.maketrans({"（": "(", "）": ")", "“": '"', "”": '"', "：": ":", "，": ",", "；": ";", "％": "%"})
PAGE_NUMBER_LINE = re.compile(r"^[-—–]?(?:第)?\d{1,3}(?:页)?[-—–]?$")
SECTION_MARK = re.compile(r"^(?:[(]?[一二三四五六七八九十]+[)、]|[(]\d+[)]|\d+[、.])")
HEADING_ENDINGS = ("情况", "说明", "情况说明")
FIGURE = re.compile(r"(?:\d|X{2,})[\d,.X]*(?:万元|万|个|辆|台|人次|批次|次|人|%|分)")
CODE_IN_ITEM = re.compile(r"(?<!\d)(\d{7})(?!\d)")
LEVEL_MARKS = re.compile(r"\((?:类|款|项)\)")
ITEM_LIST_MARK = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]+)[、.．]|\(\d{1,2}\)")


@dataclass(frozen=True)
class FactPattern:
    topic: str
    item: str       # fixed item, "{item}" (from the match), or "{line}" (a table line the item names)
    measure: str
    unit: str
    regex: re.Pattern


@dataclass
class NarrativeFact:
    document_id: str
    topic: str
    item: str
    measure: str
    value_text: str   # as printed (sign word applied, thousands separators kept)
    value: str        # exact decimal, signed, no separators
    unit: str
    sentence: int     # ordinal of the sentence in the narrative: facts of one sentence belong together
    source_line: int
    page: int | None = None

    def as_row(self) -> dict:
        row = dict(vars(self))  # flat fields: a shallow copy
        row["page"] = "" if self.page is None else self.page
        return row


def _compile(pattern: str) -> re.Pattern:
    for placeholder, regex in PLACEHOLDERS.items():
        pattern = pattern.replace(placeholder, regex)
    return re.compile(pattern)


@lru_cache(maxsize=4)
def load_fact_patterns(directory: str | None = None) -> tuple[list[FactPattern], dict[str, list[str]], list[str]]:
    """Patterns, topic keywords (for warnings) and the table lines a stated total may name."""
    from .vocabulary import _read_csv, default_vocabulary_dir

    base = Path(directory) if directory else default_vocabulary_dir()
    patterns = [FactPattern(r["topic"], r["item"], r["measure"], r["unit"], _compile(r["pattern"]))
                for r in _read_csv(base / "narrative_patterns.csv")]
    keywords: dict[str, list[str]] = {}
    for row in _read_csv(base / "narrative_topics.csv"):
        keywords.setdefault(row["topic"], []).append(row["keyword"])
    lines = sorted({r["topic"] for r in _read_csv(base / "narrative_lines.csv")}, key=len, reverse=True)
    return patterns, keywords, lines


def _is_heading(compact: str) -> bool:
    return (bool(SECTION_MARK.match(compact)) and compact.endswith(HEADING_ENDINGS)
            and not any(mark in compact for mark in ",。;:"))


def join_prose(lines: list[tuple[int, int | None, str]]) -> tuple[str, list[tuple[int, int, int | None]]]:
    """One whitespace-free text of the prose (sentences wrapped over lines and pages joined),
    with where each line starts (offset, line number, page). A heading ends its sentence."""
    text, starts = "", []
    for number, page, line in lines:
        if "\t" in line:
            continue
        compact = _SPACES.sub("", line).translate(_HALF_WIDTH)
        if not compact or PAGE_NUMBER_LINE.match(compact):
            continue
        starts.append((len(text), number, page))
        text += compact + ("。" if _is_heading(compact) else "")
    return text, starts


def _plain_value(printed: str, negative: bool) -> str:
    value = printed.replace(",", "")
    return ("-" + value) if negative and value.strip("0.") else value


def _item_name(raw: str) -> str:
    """A 项 named by the sentence: its code when printed, else its 类/款/项 names as a path."""
    # the name starts after the last list mark ("…持平表述)2、教育支出(类)…" when a note precedes it)
    marks = list(ITEM_LIST_MARK.finditer(raw))
    item = (raw[marks[-1].end():] if marks else raw).strip().replace('"', "")
    code = CODE_IN_ITEM.search(item)
    if code:
        return code.group(1)
    if LEVEL_MARKS.search(item):
        return "/".join(part for part in LEVEL_MARKS.split(item) if part)
    return item


def _item_for(pattern: FactPattern, match: re.Match, table_lines: list[str]) -> str | None:
    if pattern.item == "{line}":
        named = match.group("item")
        return next((line for line in table_lines if named.endswith(line)), None)
    if "{item}" in pattern.item:
        return pattern.item.replace("{item}", _item_name(match.group("item")))
    return pattern.item


def _position(starts: list[tuple[int, int, int | None]], offset: int) -> tuple[int, int | None]:
    """Line and page of a text offset (starts are in offset order)."""
    where = starts[max(bisect.bisect_right(starts, (offset, float("inf"))) - 1, 0)]
    return where[1], where[2]


def _sentence_bounds(text: str) -> list[int]:
    """Offsets where each sentence ends (after its 。)."""
    return [m.end() for m in re.finditer("。", text)] + [len(text)]


def read_facts(document_id: str, lines: list[tuple[int, int | None, str]],
               vocabulary_dir: str | None = None) -> tuple[list[NarrativeFact], list[str]]:
    """Every fact the narrative states, and a warning for each sentence that names a topic
    with figures but from which no fact of that topic was read."""
    patterns, keywords, table_lines = load_fact_patterns(vocabulary_dir)
    text, starts = join_prose(lines)
    if not starts:
        return [], []
    ends = _sentence_bounds(text)
    facts, seen = [], set()
    for pattern in patterns:
        for match in pattern.regex.finditer(text):
            item = _item_for(pattern, match, table_lines)
            if not item:
                continue
            offset = match.start("value")
            key = (pattern.topic, item, pattern.measure, offset)
            if key in seen:
                continue
            seen.add(key)
            sign = match.groupdict().get("sign") or ""
            negative = sign in NEGATIVE_WORDS
            printed = match.group("value")
            line, page = _position(starts, offset)
            facts.append(NarrativeFact(
                document_id=document_id, topic=pattern.topic, item=item, measure=pattern.measure,
                value_text=("-" if negative else "") + printed, value=_plain_value(printed, negative),
                unit=pattern.unit, sentence=bisect.bisect_right(ends, offset) + 1,
                source_line=line, page=page))
    facts.sort(key=lambda f: (f.sentence, f.source_line, f.topic, f.item, f.measure))
    return facts, _unread_sentences(text, starts, ends, facts, keywords)


def _unread_sentences(text: str, starts, ends: list[int], facts: list[NarrativeFact],
                      keywords: dict[str, list[str]]) -> list[str]:
    # a sentence from which any topic's fact was read is read (one sentence often names two topics)
    read = {f.sentence for f in facts if f.topic != "table_line"}
    warnings, begin = [], 0
    for number, end in enumerate(ends, start=1):
        sentence = text[begin:end]
        for topic, words in keywords.items():
            if number in read or not any(w in sentence for w in words) or not FIGURE.search(sentence):
                continue
            line, page = _position(starts, begin)
            where = f"page {page}, line {line}" if page is not None else f"line {line}"
            warnings.append(f"narrative: {where}: a sentence on {topic} was not read "
                            f"({len(sentence)} characters, starting '{sentence[:16]}')")
        begin = end
    return warnings
