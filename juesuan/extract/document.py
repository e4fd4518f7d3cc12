"""What every reader needs besides tables: identity, department, year and unit of a document."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

_SPACES = re.compile(r"\s+")  # compiled once: called per line and per label

UNIT = re.compile(r"单位\s*[:：]\s*(万元|元)")
YEAR = re.compile(r"(20\d{2})\s*年(?:度|[^，。,\d]{0,8}(?:决算|预算))")
DEPARTMENT_LINE = re.compile(
    r"^\s*(?:部门|部门名称|单位名称|编制单位|编制部门|预算单位|预算主管部门)\s*[:：]\s*(\S.*?)\s*(?:单位\s*[:：].*)?$")
TITLE_FORMS = (
    re.compile(r"(20\d{2})\s*年度\s*(\S+?)\s*(?:部门|单位)\s*(?:决算|预算)"),
    re.compile(r"^\s*(\S+?)\s*(20\d{2})\s*年度?\s*(?:部门|单位)\s*(?:决算|预算)"),
)
PLACEHOLDER = re.compile(r"XX|xx|××|＊＊|\*\*")
PART_PREFIX = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、)")  # 第二部分上海市…


def document_id_for(path: Path) -> str:
    """A stable, readable id: the file name without extension, lower-cased, safe for SQL."""
    return re.sub(r"[^0-9a-zA-Z_\u4e00-\u9fff]+", "_", path.stem).strip("_").lower()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_department(lines: list[str]) -> str | None:
    """The department named on the tables (部门：…), else the one in the document title."""
    for line in lines:
        match = DEPARTMENT_LINE.match(line)
        if match and not PLACEHOLDER.search(match.group(1)):  # the template's 部门：XX局
            return match.group(1)
    for line in lines[:80]:
        compact = _SPACES.sub("", line)
        first, second = TITLE_FORMS[0].search(compact), TITLE_FORMS[1].search(compact)
        if first:
            return _department_name(first.group(2))
        if second:
            return _department_name(second.group(1))
    return None


def _department_name(text: str) -> str | None:
    """A department named in a title, without the part heading printed before it."""
    name = PART_PREFIX.sub("", text).strip()
    return name or None


def find_fiscal_year(lines: list[str]) -> int | None:
    for line in lines[:200]:
        match = YEAR.search(line)
        if match:
            return int(match.group(1))
    return None


def find_unit(lines: list[str]) -> str:
    units = Counter(match.group(1) for line in lines for match in [UNIT.search(line)] if match)
    return units.most_common(1)[0][0] if units else "万元"


def unit_of(line: str) -> str | None:
    match = UNIT.search(line)
    return match.group(1) if match else None
