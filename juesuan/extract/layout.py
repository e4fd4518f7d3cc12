"""Turn rows of printed cells (any reader) into raw cells of one statement.

A reader hands over rows already split into cells; this module works out which rows are
headers, which columns hold labels, codes, line numbers or amounts, where a side-by-side
table splits into halves, and emits one RawCell per printed amount.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import DocumentMeta, ExtractedDocument, RawCell
from .vocabulary import HeaderRole, Vocabulary, normalize, strip_ordinal

AMOUNT = re.compile(r"^-?\d[\d,]*(\.\d+)?$")
CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")
CJK = re.compile(r"[\u4e00-\u9fff]")
NOT_PRINTED = {"", "-", "—", "－", "--"}
LABEL_ROLES = ("label", "code", "code_part")  # code_part: one of 类 | 款 | 项 printed apart


@dataclass
class GridRow:
    cells: list[str]
    line: int
    page: int | None = None

    def texts(self) -> list[str]:
        return [c.strip() for c in self.cells]


@dataclass
class Column:
    index: int
    path: str
    role: HeaderRole | None
    half: int


def parse_amount(text: str) -> str | None:
    """The printed amount as a plain decimal string, or None when it is not a number."""
    compact = text.replace(" ", "")
    if not AMOUNT.match(compact):
        return None
    return compact.replace(",", "")


def is_column_number_row(row: GridRow) -> bool:
    """栏次 rows number the columns (1, 2, 3 …); they carry no amounts."""
    texts = [t for t in row.texts() if t]
    if any(normalize(t) == "栏次" for t in texts):
        return True
    if len(texts) < 2 or not all(t.isdigit() for t in texts):
        return False
    numbers = [int(t) for t in texts]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def is_header_row(row: GridRow) -> bool:
    texts = [t for t in row.texts() if t]
    if not texts or any(parse_amount(t) is not None or CODE.match(t) for t in texts):
        return False
    return any(CJK.search(t) for t in texts)


def split_header(rows: list[GridRow]) -> tuple[list[GridRow], list[GridRow]]:
    """Leading header and 栏次 rows of a block, and the data rows after them.

    Once a 栏次 row has been passed, every row is data, even one with a label and no amounts.
    """
    headers: list[GridRow] = []
    numbered = False
    position = 0
    for row in rows:
        if is_column_number_row(row):
            numbered = True
        elif not numbered and is_header_row(row):
            headers.append(row)
        else:
            break
        position += 1
    return headers, rows[position:]


def header_paths(header_rows: list[GridRow]) -> list[str]:
    """One path per column ("本年支出/小计"), spanning group headers filled rightwards."""
    width = max(len(r.cells) for r in header_rows)
    grid = [[normalize(c) for c in r.cells] + [""] * (width - len(r.cells)) for r in header_rows]
    for r, cells in enumerate(grid):
        for c in range(1, width):
            spans_here = any(grid[lower][c] for lower in range(r + 1, len(grid)))
            if not cells[c] and cells[c - 1] and spans_here:
                cells[c] = cells[c - 1]
    return ["/".join(_dedupe(grid[r][c] for r in range(len(grid)) if grid[r][c])) for c in range(width)]


def _dedupe(parts) -> list[str]:
    """A cell spanning several header rows may be repeated in each (PDF reader): once in the path."""
    out: list[str] = []
    for part in parts:
        if not out or out[-1] != part:
            out.append(part)
    return out


def header_text(header_rows: list[GridRow]) -> str:
    return "|".join(normalize(c) for r in header_rows for c in r.cells)


@dataclass
class TableBuilder:
    """Accumulates the rows of one statement, across page breaks, into raw cells."""

    statement: str
    vocabulary: Vocabulary
    document_id: str
    unit: str
    columns: list[Column] = field(default_factory=list)
    header_signature: str = ""
    cells: list[RawCell] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    row_count: int = 0
    _seen_labels: dict[int, set[str]] = field(default_factory=dict)
    _parents: dict[int, str] = field(default_factory=dict)

    def set_header(self, header_rows: list[GridRow], text_columns: set[int] = frozenset()) -> None:
        """Columns from the header; `text_columns` are columns a reader saw hold only words
        (names), which are labels whatever their header says."""
        self.header_signature = header_text(header_rows)
        self.columns = []
        half = 0
        amount_seen = False
        for index, path in enumerate(header_paths(header_rows)):
            role = self.vocabulary.header_role(self.statement, path)
            if index in text_columns and (role is None or role.role == "amount"):
                role = HeaderRole("label", "")
            if role and role.role in LABEL_ROLES and amount_seen:
                half, amount_seen = half + 1, False
            if role and role.role == "amount":
                amount_seen = True
            self.columns.append(Column(index, path, role, half))

    def add_rows(self, rows: list[GridRow]) -> None:
        for row in rows:
            self.add_row(row)

    def add_row(self, row: GridRow) -> None:
        if not self.columns:
            raise ValueError(f"{self.statement} has data before any header (line {row.line})")
        texts = row.texts()
        self.row_count += 1
        for half in sorted({c.half for c in self.columns}):
            self._add_half(row, texts, [c for c in self.columns if c.half == half], half)

    def _add_half(self, row: GridRow, texts: list[str], columns: list[Column], half: int) -> None:
        label_parts: list[str] = []
        code = ""
        code_parts: list[str] = []
        amounts: list[tuple[Column, str]] = []
        has_label_column = False
        for column in columns:
            text = texts[column.index] if column.index < len(texts) else ""
            role = column.role.role if column.role else None
            if role in LABEL_ROLES:
                has_label_column = True
                if role == "code_part" and text.isdigit():
                    code_parts.append(text)
                elif role == "code" and CODE.match(text) and not code:
                    code = text
                elif text:
                    label_parts.append(text)
            elif role == "line_no":
                continue
            elif text not in NOT_PRINTED:
                amounts.append((column, text))
        if not amounts:
            return
        if code_parts and not code and CODE.match("".join(code_parts)):
            code = "".join(code_parts)
        label = " ".join(label_parts) if has_label_column else self.vocabulary.unlabelled_rows.get(self.statement, self.statement)
        parent = self._parent_of(half, label) if not code else ""
        for column, text in amounts:
            amount = parse_amount(text)
            if amount is None:
                self.warnings.append(f"line {row.line}: {self.statement} '{text}' under '{column.path}' is not a number")
                continue
            if column.role is None:
                self.warnings.append(f"line {row.line}: {self.statement} header '{column.path}' is not in header_synonyms")
            self.cells.append(RawCell(
                document_id=self.document_id, statement=self.statement, row_index=self.row_count,
                row_label=label, parent_label=parent, code=code, column_header=column.path,
                amount_text=text, amount=amount, unit=self.unit, source_line=row.line, page=row.page,
                measure=column.role.measure if column.role else "",
            ))

    def _parent_of(self, half: int, label: str) -> str:
        """A line printed twice in one half (T4's 一般公共预算财政拨款 under 年初结转) is
        told apart by the unnumbered line it sits under."""
        key = strip_ordinal(normalize(label))
        seen = self._seen_labels.setdefault(half, set())
        if key in seen:
            return self._parents.get(half, "")
        seen.add(key)
        if key == normalize(label):
            self._parents[half] = label
        return ""


def assemble_document(meta: DocumentMeta, tables: list[TableBuilder], warnings: list[str],
                      prose: list[tuple[int, int | None, str]] = ()) -> ExtractedDocument:
    """The document both readers hand over: every statement's cells, the narrative's figures
    (from prose lines: line number, page, text), and every warning."""
    from .narrative import read_figures

    document = ExtractedDocument(meta)
    document.narrative = read_figures(meta.document_id, list(prose))
    for table in tables:
        document.cells.extend(table.cells)
        document.warnings.extend(table.warnings)
    document.warnings.extend(warnings)
    meta.statements_found = " ".join(sorted({table.statement for table in tables}))
    return document
