"""Titles and column headers of the nine statements, read from the project's seeds.

Variants of wording live in the seed CSVs, not in code: a new province's header is a new row.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

_SPACES = re.compile(r"\s+")  # compiled once: called per line and per label

_PUNCTUATION = str.maketrans({"（": "(", "）": ")", "“": '"', "”": '"', "：": ":", "，": ","})
_ORDINAL = re.compile(r"^(表\s*\d+|[一二三四五六七八九十]+、|\d+[、.．])\s*")


def default_vocabulary_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "seeds" / "vocabulary"


def normalize(text: str) -> str:
    """Whitespace-free, half-width punctuation: how titles and headers are compared."""
    return _SPACES.sub("", text).translate(_PUNCTUATION)


def strip_ordinal(label: str) -> str:
    return _ORDINAL.sub("", label.strip())


@dataclass(frozen=True)
class HeaderRole:
    role: str  # label | code | code_part | line_no | amount
    measure: str


@dataclass(frozen=True)
class HeaderPattern:
    """A row of header_synonyms: the words a column's header path must hold.

    `word` must appear in one part of the path (a reader joins a name wrapped inside one
    header cell before it gets here); `=word` must be a whole part; `==word` must be the whole path; `!word`
    must not appear anywhere (a budget-only pattern is no reading of a 决算数 column).
    """
    statement: str
    words: tuple[str, ...]
    role: HeaderRole

    def placement(self, parts: list[str]) -> tuple | None:
        """How well the pattern fits: (words, depth of the matched parts, length); None if not."""
        if len(self.words) == 1 and self.words[0].startswith("=="):
            return (1, len(parts), len(self.words[0])) if "/".join(parts) == self.words[0][2:] else None
        if any(w[1:] in "".join(parts) for w in self.words if w.startswith("!")):
            return None
        words = [w for w in self.words if not w.startswith("!")]
        depth = 0
        for word in words:
            found = _deepest_part(word, parts)
            if found is None:
                return None
            depth += found
        return (len(words), depth, sum(len(w) for w in words))


def _deepest_part(word: str, parts: list[str]) -> int | None:
    exact = word.startswith("=")
    word = word.lstrip("=")
    for index in range(len(parts) - 1, -1, -1):
        if exact and parts[index] == word:
            return index + 1
        if not exact and word in parts[index]:
            return index + 1
    return None


@dataclass(frozen=True)
class Vocabulary:
    titles: dict[str, str]  # normalized title -> statement
    header_signatures: list[tuple[str, tuple[str, ...]]]
    statement_names: dict[str, str]
    unlabelled_rows: dict[str, str]
    headers: tuple[HeaderPattern, ...]
    qualifiers: tuple[str, ...] = ()  # words printed before a title ("部门", "预算单位")
    phases: tuple[tuple[str, str], ...] = ()  # (words, phase): 部门决算 -> final, 部门预算 -> budget
    # total measure -> its parts with signs, per statement (identity_row_rules)
    row_rules: dict[tuple[str, str], tuple[tuple[str, int], ...]] = field(default_factory=dict)
    # (statement, narrow total, wide total, the parts only the wide one adds) (measure_alternatives)
    alternatives: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()

    @cached_property
    def title_ends(self) -> frozenset[str]:
        """The last characters of every title (表): a line without one names no statement."""
        return frozenset(title[-1] for title in self.titles)

    @property
    def header_words(self) -> frozenset[str]:
        """Every word the header patterns name (金额, 合计, 科目名称 …)."""
        return frozenset(w.lstrip("=!") for pattern in self.headers for w in pattern.words)

    def statement_for_title(self, line: str) -> str | None:
        """The statement a title line names; a year and a qualifier before it are allowed
        ("2025年预算单位财务收支预算总表", "公开01表 收支预算总表")."""
        if not any(title_end in line for title_end in self.title_ends):  # most lines: no title word at all
            return None
        text = normalize(strip_ordinal(line.lstrip("-• ").strip()))
        text = _TITLE_PREFIX.sub("", text)
        text = strip_ordinal(text)
        if text in self.titles:
            return self.titles[text]
        for qualifier in self.qualifiers:
            if text.startswith(qualifier) and text[len(qualifier):] in self.titles:
                return self.titles[text[len(qualifier):]]
        return None

    def phase_of(self, text: str) -> str | None:
        """final or budget, from the first kind word (部门决算, 单位预算 …) in the text."""
        compact = normalize(text)
        found = [(compact.find(words), phase) for words, phase in self.phases if words in compact]
        return min(found)[1] if found else None

    def statement_for_header(self, header_text: str) -> str | None:
        """The statement whose signature words all appear in a header, most specific first."""
        text = normalize(header_text)
        matches = [(len(words), st) for st, words in self.header_signatures if all(w in text for w in words)]
        if not matches:
            return None
        matches.sort(reverse=True)
        if len(matches) > 1 and matches[0][0] == matches[1][0] and matches[0][1] != matches[1][1]:
            return None
        return matches[0][1]

    def header_role(self, statement: str, path: str) -> HeaderRole | None:
        """Role and measure of a column, by the words of its header path.

        The pattern with more words wins; then the one matched deeper in the header (the leaf
        cell names the column; group cells above it are shared by its neighbours); then the
        statement's own patterns over generic ones; then the longer words.
        """
        key = (statement, path)
        cache = self._header_roles
        if key not in cache:
            cache[key] = self._header_role(statement, path)
        return cache[key]

    @cached_property
    def _header_roles(self) -> dict[tuple[str, str], HeaderRole | None]:
        """header_role's answers: the same header paths recur on every page and document."""
        return {}

    def _header_role(self, statement: str, path: str) -> HeaderRole | None:
        parts = [p for p in normalize(path).split("/") if p]
        if not parts:
            return None
        best, best_key = None, None
        for pattern in self.headers:
            if pattern.statement not in (statement, "*"):
                continue
            placement = pattern.placement(parts)
            if placement is None:
                continue
            words, depth, length = placement
            key = (words, depth, pattern.statement == statement, length)
            if best_key is None or key > best_key:
                best, best_key = pattern.role, key
        return best


_TITLE_PREFIX = re.compile(r"^(公开\d+表|表\d+)?(20\d{2}年度?)?")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=4)
def load_vocabulary(directory: str | None = None) -> Vocabulary:
    base = Path(directory) if directory else default_vocabulary_dir()
    titles: dict[str, str] = {}
    signatures: list[tuple[str, tuple[str, ...]]] = []
    names: dict[str, str] = {}
    unlabelled: dict[str, str] = {}
    qualifiers: list[str] = []
    phases: list[tuple[str, str]] = []
    for row in _read_csv(base / "statement_titles.csv"):
        if row["kind"] == "qualifier":
            qualifiers.append(normalize(row["pattern"]))
            continue
        if row["kind"] == "phase":
            phases.append((normalize(row["pattern"]), row["statement_name"]))
            continue
        names.setdefault(row["statement"], row["statement_name"])
        if row.get("unlabelled_row"):
            unlabelled[row["statement"]] = row["unlabelled_row"]
        if row["kind"] == "title":
            titles[normalize(row["pattern"])] = row["statement"]
        else:
            signatures.append((row["statement"], tuple(normalize(w) for w in row["pattern"].split("+"))))
    headers = tuple(
        HeaderPattern(row["statement"], tuple(normalize(w) for w in row["header"].split("+")),
                      HeaderRole(row["role"], row["measure"]))
        for row in _read_csv(base / "header_synonyms.csv")
    )
    qualifiers.sort(key=len, reverse=True)
    rules: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for row in _read_csv(base / "identity_row_rules.csv"):
        rules.setdefault((row["statement"], row["total_measure"]), []).append((row["part_measure"], int(row["sign"])))
    alternatives = tuple(
        (row["statement"], row["narrow_measure"], row["wide_measure"], tuple(row["extra_parts"].split()))
        for row in _read_csv(base / "measure_alternatives.csv"))
    return Vocabulary(titles, signatures, names, unlabelled, headers, tuple(qualifiers), tuple(phases),
                      {key: tuple(parts) for key, parts in rules.items()}, alternatives)
