"""Turn rows of printed cells (any reader) into raw cells of one statement.

A reader hands over rows already split into cells; this module works out which rows are
headers, which columns hold labels, codes, line numbers or amounts, where a side-by-side
table splits into halves, and emits one RawCell per printed amount.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .model import DocumentMeta, ExtractedDocument, RawCell
from .vocabulary import HeaderRole, Vocabulary, normalize, strip_ordinal

AMOUNT = re.compile(r"^-?\d[\d,]*(\.\d+)?$")
CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")
CJK = re.compile(r"[\u4e00-\u9fff]")
NOT_PRINTED = {"", "-", "—", "－", "--"}
DASHES = NOT_PRINTED - {""}
MINUS = "-－−"
MALFORMED_CODE = re.compile(r"^\d[\dOoIl]{1,8}$")  # a code-like token of the wrong length or with a letter
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


def _figure(text: str) -> tuple[str | None, list[str]]:
    """The amount of a printed figure and its marks: a dash (-, —, －) is printed in place of
    a zero ("nothing"): amount 0, flagged `dash`, amount_text keeps the dash. A blank cell is
    no cell at all."""
    if text.strip() in DASHES:
        return "0", ["dash"]
    return parse_amount(text), []


@lru_cache(maxsize=8192)
def parse_amount(text: str) -> str | None:
    """The printed amount as a plain decimal string, or None when it is not a number (memoised:
    the readers ask it of every word of every line, and the same few figures recur)."""
    compact = text.replace(" ", "")
    if compact[:1] in MINUS and compact[1:2].isdigit():  # －12.30, −12.30: a negative figure
        compact = "-" + compact[1:]
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
class _RowLayout:
    """How a header's columns read a row of a given width: the columns of each side-by-side half
    with their role, and for each half after the first the cells a name may be borrowed across."""

    halves: list[tuple[int, list[tuple[Column, str | None]]]]
    borrowing: list[tuple[list[int], list[int], list[int], list[int]]]

    @classmethod
    def of(cls, columns: list[Column], width: int) -> _RowLayout:
        numbers = sorted({c.half for c in columns})
        halves = [(half, [(c, c.role.role if c.role else None) for c in columns if c.half == half])
                  for half in numbers]

        def cells(half, roles):
            return [c.index for c in columns if c.half == half and c.index < width
                    and (c.role.role if c.role else None) in roles]

        borrowing = [(cells(half, ("label",)), cells(before, ("label",)),
                      cells(half, ("amount", None)), cells(before, ("amount", None)))
                     for before, half in zip(numbers, numbers[1:])]
        return cls(halves, borrowing)


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
    _keys: set[tuple[str, str, str, str]] = field(default_factory=set)  # (row, parent, code, measure) read
    _last_row: tuple[str, str] = ("", "")
    _layouts: dict[int, _RowLayout] = field(default_factory=dict)  # by row width, for the current header

    def set_header(self, header_rows: list[GridRow], text_columns: set[int] = frozenset()) -> None:
        """Columns from the header; `text_columns` are columns a reader saw hold only words
        (names), which are labels whatever their header says."""
        self.header_signature = header_text(header_rows)
        self.columns = []
        self._layouts = {}
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
        layout = self._layout(len(texts))
        texts = self._labels_borrowed(texts, layout.borrowing)
        self.row_count += 1
        for half, columns in layout.halves:
            self._add_half(row, texts, columns, half)

    def _layout(self, width: int) -> _RowLayout:
        """The columns by half and the borrowing pairs for rows of `width` cells: worked out once
        per header and width, not for every row (a corpus feeds millions of rows)."""
        layout = self._layouts.get(width)
        if layout is None:
            layout = self._layouts[width] = _RowLayout.of(self.columns, width)
        return layout

    @staticmethod
    def _labels_borrowed(texts: list[str], borrowing: list[tuple[list[int], ...]]) -> list[str]:
        """A side-by-side half printing figures under no name takes the name printed in the
        half before it when that half prints no figure (a total line spanning two blocks:
        当年支出小计 under the first block of 支出, its figure in the last)."""
        if not borrowing:
            return texts
        texts = list(texts)
        for labels_here, labels_before, figures_here, figures_before in borrowing:
            if (labels_here and any(texts[i] for i in figures_here) and not any(texts[i] for i in labels_here)
                    and any(texts[i] for i in labels_before) and not any(texts[i] for i in figures_before)):
                texts[labels_here[0]] = " ".join(texts[i] for i in labels_before if texts[i])
                for i in labels_before:
                    texts[i] = ""
        return texts

    def _add_half(self, row: GridRow, texts: list[str], columns: list[tuple[Column, str | None]], half: int) -> None:
        label_parts: list[str] = []
        code = ""
        code_parts: list[str] = []
        flags: list[str] = []
        amounts: list[tuple[Column, str]] = []
        has_label_column = False
        for column, role in columns:
            text = texts[column.index] if column.index < len(texts) else ""
            if role in LABEL_ROLES:
                has_label_column = True
                if role == "code_part" and text.isdigit():
                    code_parts.append(text)
                elif role == "code" and CODE.match(text) and not code:
                    code = text
                elif role == "code" and MALFORMED_CODE.match(text) and not code:
                    code = text  # kept as printed, never repaired
                    flags.append("malformed_code")
                elif text:
                    label_parts.append(text)
            elif role == "line_no":
                continue
            elif text.strip():
                amounts.append((column, text))
        if not amounts:
            return
        if code_parts and not code:
            code = "".join(code_parts)
            if not CODE.match(code):
                flags.append("malformed_code")
        if "malformed_code" in flags:
            self.warnings.append(f"line {row.line}: {self.statement} code '{code}' is malformed: kept as printed")
        label = " ".join(label_parts) if has_label_column else self.vocabulary.unlabelled_rows.get(self.statement, self.statement)
        if not label and not code:  # a one-line table (三公经费) printing no name in its name column
            label = self.vocabulary.unlabelled_rows.get(self.statement, "")
        if not label and not code:
            self.warnings.append(f"line {row.line}: {self.statement} figures in a row without code or name")
        measures = [column.role.measure for column, _ in amounts if column.role and column.role.role == "amount"]
        for measure in sorted({m for m in measures if measures.count(m) > 1}):
            self.warnings.append(f"line {row.line}: {self.statement} two figures of one row under '{measure}':"
                                 " one could not be placed")
        parent = self._parent_of(half, label) if not code else ""
        parent = self._distinct_parent(label, parent, code, [c.role.measure if c.role else c.path for c, _ in amounts])
        self._last_row = (label, parent)
        for column, text in amounts:
            amount, mark = _figure(text)
            if amount is None:
                self.warnings.append(f"line {row.line}: {self.statement} '{text}' under '{column.path}' is not a number")
                continue
            if column.role is None:
                self.warnings.append(f"line {row.line}: {self.statement} header '{column.path}' is not in header_synonyms")
            self.cells.append(RawCell(
                document_id=self.document_id, statement=self.statement, row_index=self.row_count,
                row_label=label, parent_label=parent, code=code, column_header=column.path,
                amount_text=text, amount=amount, unit=self.unit, source_line=row.line, page=row.page,
                measure=column.role.measure if column.role else "", flags=" ".join(flags + mark),
            ))

    def _distinct_parent(self, label: str, parent: str, code: str, measures: list[str]) -> str:
        """A row must be told apart from every row before it (statement, row, measure). Two rows
        of one name under one parent (政府采购: 运行维护服务 under two 维修（护）费 of two
        专项) take the row printed above them as their parent, else their row position."""
        def taken(candidate: str) -> bool:
            return any((label, candidate, code, measure) in self._keys for measure in measures)

        if code or not taken(parent):
            chosen = parent
        else:
            above = "/".join(part for part in self._last_row if part)
            chosen = above if above and not taken(above) else f"{parent}#{self.row_count}"
        self._keys.update((label, chosen, code, measure) for measure in measures)
        return chosen

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
    from .narrative import read_facts, read_figures

    document = ExtractedDocument(meta)
    document.narrative = read_figures(meta.document_id, list(prose))
    document.facts, fact_warnings = read_facts(meta.document_id, list(prose))
    for table in tables:
        settle_alternative_totals(table.cells, table.vocabulary)
        document.cells.extend(table.cells)
        document.warnings.extend(table.warnings)
    document.warnings.extend(warnings)
    document.warnings.extend(fact_warnings)
    meta.statements_found = " ".join(sorted({table.statement for table in tables}))
    meta.held_back = held_back_reason(document)
    return document


def settle_alternative_totals(cells: list[RawCell], vocabulary: Vocabulary) -> None:
    """A total whose header reads either way (三公 合计: of the three, or of the three with
    会议费 and 培训费) is the one whose row identity holds with every part printed in its row."""
    rows: dict[tuple[str, int], list[RawCell]] = {}
    for cell in cells:
        rows.setdefault((cell.statement, cell.row_index), []).append(cell)
    for statement, narrow, wide, extra in vocabulary.alternatives:
        parts = vocabulary.row_rules.get((statement, narrow), ())
        for (row_statement, _), row in rows.items():
            if row_statement != statement:
                continue
            printed = {c.measure: Decimal(c.amount) for c in row if c.measure and c.amount is not None}
            for cell in row:
                if cell.measure not in (narrow, wide):
                    continue
                holds = {
                    narrow: _identity_holds(Decimal(cell.amount), [(m, s) for m, s in parts], printed),
                    wide: _identity_holds(Decimal(cell.amount), [(m, s) for m, s in parts] + [(m, 1) for m in extra], printed),
                }
                chosen = [measure for measure, ok in holds.items() if ok]
                if len(chosen) == 1 and chosen[0] not in printed:
                    cell.measure = chosen[0]


def _identity_holds(total: Decimal, parts: list[tuple[str, int]], printed: dict[str, Decimal]) -> bool:
    if not parts or any(measure not in printed for measure, _ in parts):
        return False
    return sum(sign * printed[measure] for measure, sign in parts) == total


UNPLACED = ("is not a number", "is not in header_synonyms", "could not be placed", "is malformed",
            "without code or name")


def held_back_reason(document: ExtractedDocument) -> str:
    """No silent loss: a figure printed but not read, or read under no measure, holds the
    document back (never published short of a cell); the first such warning says where."""
    problems = [w for w in document.warnings if any(mark in w for mark in UNPLACED)]
    problems += [f"{c.statement} line {c.source_line}: '{c.amount_text}' under '{c.column_header}' has no measure"
                 for c in document.cells if not c.measure]
    if not problems:
        return ""
    return f"{len(problems)} figure(s) not placed; first: {problems[0]}"
