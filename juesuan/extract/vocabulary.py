"""Titles and column headers of the nine statements, read from the project's seeds.

Variants of wording live in the seed CSVs, not in code: a new province's header is a new row.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_PUNCTUATION = str.maketrans({"（": "(", "）": ")", "“": '"', "”": '"', "：": ":", "，": ","})
_ORDINAL = re.compile(r"^(表\s*\d+|[一二三四五六七八九十]+、|\d+[、.．])\s*")


def default_vocabulary_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "seeds" / "vocabulary"


def normalize(text: str) -> str:
    """Whitespace-free, half-width punctuation: how titles and headers are compared."""
    return re.sub(r"\s+", "", text).translate(_PUNCTUATION)


def strip_ordinal(label: str) -> str:
    return _ORDINAL.sub("", label.strip())


@dataclass(frozen=True)
class HeaderRole:
    role: str  # label | code | line_no | amount
    measure: str


@dataclass(frozen=True)
class Vocabulary:
    titles: dict[str, str]  # normalized title -> statement
    header_signatures: list[tuple[str, tuple[str, ...]]]
    statement_names: dict[str, str]
    unlabelled_rows: dict[str, str]
    headers: dict[tuple[str, str], HeaderRole]

    def statement_for_title(self, line: str) -> str | None:
        text = normalize(strip_ordinal(line.lstrip("-• ").strip()))
        text = re.sub(r"^表\d+", "", text)
        return self.titles.get(text)

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
        """Role of a column, by its header path: most specific statement entry, then generic."""
        parts = [p for p in normalize(path).split("/") if p]
        for scope in (statement, "*"):
            for start in range(len(parts)):
                role = self.headers.get((scope, "/".join(parts[start:])))
                if role:
                    return role
        return None


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
    for row in _read_csv(base / "statement_titles.csv"):
        names.setdefault(row["statement"], row["statement_name"])
        if row.get("unlabelled_row"):
            unlabelled[row["statement"]] = row["unlabelled_row"]
        if row["kind"] == "title":
            titles[normalize(row["pattern"])] = row["statement"]
        else:
            signatures.append((row["statement"], tuple(normalize(w) for w in row["pattern"].split("+"))))
    headers = {
        (row["statement"], normalize(row["header"])): HeaderRole(row["role"], row["measure"])
        for row in _read_csv(base / "header_synonyms.csv")
    }
    return Vocabulary(titles, signatures, names, unlabelled, headers)
