"""The layout zoo: generated 部门决算 documents rendered as PDFs in layouts that vary (issue 10).

The corpus generator (`corpus.py`) gives every amount of a document exactly (its truth, in 分);
this module prints the same document as a real PDF (reportlab, the built-in CID font
STSong-Light: no font file, no network) in one of several layouts, and measures a reader on it:
every printed cell read exactly, missing, extra, misplaced or unplaced, and ms per page.

Layout traits (combinable, see `Layout`): ruling lines or none; codes in one column or in three
(类|款|项); titles drawn before or after the body in the content stream; tables broken across
pages with the header repeated or not; figures with or without thousands separators; 合计 row
first or last; long names wrapped inside their cell; 元 or 万元. `LAYOUTS` names the
combinations the tests and the benchmark run.

    python -m juesuan_testkit.zoo OUT --layouts all -n 20

A plain library (no Dagster, no dbt). Deterministic: document i of a layout and seed depends only
on (template, layout, seed, i); reportlab writes invariant PDFs (no dates, fixed ids).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from juesuan.extract.layout import CODE, GridRow
from juesuan.extract.vocabulary import load_vocabulary, normalize, strip_ordinal

from .corpus import (FEN_PER_WAN, FUNCTIONAL, STATEMENTS, WAN_CENT, Template, _columns, _department,
                     _department_names, _model, load_template)

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "shared" / "documents" / "qingyuan_rsj_2023_final.txt"
FONT = "STSong-Light"
PAGE_WIDTH, PAGE_HEIGHT = 842.0, 595.0  # A4 landscape, points
MARGIN = 36.0
BODY_SIZE = 8.0
MIN_BODY_SIZE = 5.0
PADDING = 4.0  # each side of a cell: two cells apart by about 1 em, as Word and WPS print them
WRAP_CHARS = 8  # a wrapped label cell holds this many characters a line


@dataclass(frozen=True)
class Layout:
    """How a generated document is printed. Every field is one trait of real documents."""

    name: str
    ruled: bool = True
    split_codes: bool = False  # codes printed apart: 208 | 05 | 01 (类|款|项), 301 | 01 (类|款)
    title_after_body: bool = False  # title, 部门 and 单位 lines drawn after the table body
    rows_per_page: int | None = None  # force page breaks every ~n rows (None: as many as fit)
    repeat_header: bool = True  # a continued table repeats its header rows
    thousands: bool = True
    total_last: bool = False  # the 合计 row printed after its parts
    wrap_names: bool = False  # names longer than WRAP_CHARS wrap inside their cell
    unit: str = "万元"
    zero_marks: tuple[str, ...] = ()  # a zero printed as one of these dashes instead of 0.00


LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (
    Layout("ruled"),
    Layout("unruled", ruled=False),
    Layout("codes3_ruled", split_codes=True),
    Layout("codes3_unruled", ruled=False, split_codes=True),
    Layout("title_after_unruled", ruled=False, title_after_body=True),
    Layout("broken_repeat", rows_per_page=12, repeat_header=True),
    Layout("broken_norepeat_unruled", ruled=False, rows_per_page=12, repeat_header=False),
    Layout("plain_figures_yuan", ruled=False, thousands=False, unit="元"),
    Layout("total_last_wrapped", total_last=True, wrap_names=True),
    Layout("dash_zeros", zero_marks=("-", "—", "－")),
    Layout("everything_unruled", ruled=False, split_codes=True, title_after_body=True, rows_per_page=10,
           repeat_header=False, thousands=False, total_last=True, wrap_names=True, unit="元"),
)}


# --------------------------------------------------------------------------------------------
# The document to print: tables of cell texts, and the truth of every printed amount
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TruthCell:
    """One printed amount: where it belongs (statement, row, measure) and its exact value."""

    statement: str
    row: str  # the code, else the normalized label without its ordinal; '' for T9
    measure: str
    fen: int


@dataclass
class PrintedRow:
    cells: list[str]
    truth: list[TruthCell] = field(default_factory=list)
    is_total: bool = False


@dataclass
class PrintedTable:
    statement: str
    title: str
    header_rows: list[list[str]]
    number_rows: list[list[str]]
    rows: list[PrintedRow]
    code_columns: tuple[int, ...] = ()  # codes: left-aligned, never wrapped
    label_columns: frozenset[int] = frozenset()  # names: left-aligned, wrapped when the layout wraps
    line_columns: frozenset[int] = frozenset()  # 行次: centred

    @property
    def width(self) -> int:
        return max(len(r) for r in self.header_rows + self.number_rows + [r.cells for r in self.rows])


@dataclass
class ZooDocument:
    name: str
    department: str
    year: int
    unit: str
    tables: list[PrintedTable]

    def truth(self) -> list[TruthCell]:
        return [cell for table in self.tables for row in table.rows for cell in row.truth]


def row_key(statement: str, code: str, label: str) -> str:
    """How a printed row is named when reader output is compared with the truth."""
    if statement == "T9":
        return ""
    return code or normalize(strip_ordinal(label))


def _format(fen: int, unit: str, thousands: bool) -> str:
    per_cent = WAN_CENT if unit == "万元" else 1
    whole, cent = divmod(fen // per_cent, 100)
    return f"{whole:,}.{cent:02d}" if thousands else f"{whole}.{cent:02d}"


def _half_identity(texts: list[str], columns, half: int) -> tuple[str, str]:
    """(code, label) of one half of a template row, as the template prints them."""
    code, labels = "", []
    for column in columns:
        if column.half != half or column.role is None or column.role.role not in ("label", "code"):
            continue
        text = texts[column.index] if column.index < len(texts) else ""
        if column.role.role == "code" and CODE.match(text) and not code:
            code = text
        elif text:
            labels.append(text)
    return code, " ".join(labels)


def build_document(template: Template, layout: Layout, seed: int, index: int) -> ZooDocument:
    """Document `index` of the zoo for `layout`: the generator's amounts, the template's rows."""
    rng = random.Random(f"juesuan-zoo:{layout.name}:{seed}:{index}")
    quantum = 1 if layout.unit == "元" else WAN_CENT
    values = _model(template, rng, quantum, factor=rng.uniform(0.3, 3.0), jitter=0.2)
    vocabulary = load_vocabulary()
    marks = random.Random(f"juesuan-zoo-marks:{layout.name}:{seed}:{index}")
    tables = []
    for statement in STATEMENTS:
        source = template.tables[statement]
        columns = _columns(statement, [GridRow(list(r), 0) for r in source.header_rows], vocabulary)
        rows = []
        for template_row in source.rows:
            cells = list(template_row.cells)
            truth = []
            is_total = False
            for slot in template_row.slots:
                fen = values[slot.key]
                cells[slot.position] = _format(fen, layout.unit, layout.thousands)
                if fen == 0 and layout.zero_marks:
                    cells[slot.position] = marks.choice(layout.zero_marks)
                code, label = _half_identity(template_row.cells, columns, columns[slot.position].half)
                truth.append(TruthCell(statement, row_key(statement, code, label), slot.key[2], fen))
                is_total = is_total or slot.key[1] == "合计"
            rows.append(PrintedRow(cells, truth, is_total))
        roles = {c.index: c.role.role for c in columns if c.role}
        table = PrintedTable(statement, source.title, [list(r) for r in source.header_rows],
                             [list(r) for r in source.number_rows], rows,
                             tuple(i for i, r in roles.items() if r == "code"),
                             frozenset(i for i, r in roles.items() if r == "label"),
                             frozenset(i for i, r in roles.items() if r == "line_no"))
        if layout.total_last:
            table = _total_last(table)
        if layout.split_codes and table.code_columns:
            table = _split_code_columns(table)
        tables.append(table)
    department = _department(_department_names(seed), index)
    year = 2019 + (seed + index) % 7
    return ZooDocument(f"zoo_{layout.name}_s{seed}_{index:03d}", department, year, layout.unit, tables)


def _total_last(table: PrintedTable) -> PrintedTable:
    totals = [r for r in table.rows if r.is_total]
    if not totals or table.rows[0] is not totals[0]:
        return table
    return replace(table, rows=[r for r in table.rows if not r.is_total] + totals)


CODE_PARTS = ("类", "款", "项")


def _split_code_columns(table: PrintedTable) -> PrintedTable:
    """Each code column printed apart under one 科目编码 header (Shanghai style): functional
    codes as 类 | 款 | 项 (208 | 05 | 01), economic codes as 类 | 款 (301 | 01)."""
    parts = 3 if table.statement in FUNCTIONAL else 2
    codes = set(table.code_columns)
    width = table.width

    def spread(cells: list[str], fill) -> list[str]:
        out: list[str] = []
        for c, text in enumerate(cells + [""] * (width - len(cells))):
            out += fill(text) if c in codes else [text]
        return out

    def split(code: str) -> list[str]:
        if CODE.match(code):
            return [code[:3], code[3:5], code[5:7]][:parts]
        return [code] + [""] * (parts - 1)

    def new(column: int) -> int:
        return column + (parts - 1) * sum(1 for k in codes if k < column)

    keep_first = lambda text: [text] + [""] * (parts - 1)  # noqa: E731
    headers = [spread(r, keep_first) for r in table.header_rows]
    for column in codes:  # the code column's own header (under any group header) becomes 科目编码
        own = max(r for r, row in enumerate(headers) if row[new(column)])
        headers[own][new(column)] = "科目编码"
    headers.append(spread([""] * width, lambda _: list(CODE_PARTS[:parts])))
    numbers = [spread(r, keep_first) for r in table.number_rows]
    rows = [replace(row, cells=spread(row.cells, split)) for row in table.rows]
    return replace(table, header_rows=headers, number_rows=numbers, rows=rows,
                   code_columns=tuple(new(c) + k for c in sorted(codes) for k in range(parts)),
                   label_columns=frozenset(map(new, table.label_columns)),
                   line_columns=frozenset(map(new, table.line_columns)))


def render_text(document: ZooDocument) -> str:
    """The same document in the extracted-text form (tab-separated rows): the reference the PDF
    layouts are compared with, read by the text reader."""
    out = [document.department, f"{document.year}年度部门决算", ""]
    for table in document.tables:
        out += [table.title, f"部门：{document.department}", f"单位：{document.unit}", ""]
        out += ["\t".join(r) for r in table.header_rows + table.number_rows]
        out += ["\t".join(r.cells) for r in table.rows]
        out += ["", "注：本表金额转换时可能存在尾数误差。", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Printing a document as a PDF
# --------------------------------------------------------------------------------------------

def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _text_width(text: str, size: float) -> float:
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.stringWidth(text, FONT, size)


@dataclass
class _Span:
    """A header cell: its text and the grid slots it covers."""

    row: int
    column: int
    rows: int
    columns: int
    text: str


def header_spans(header_rows: list[list[str]]) -> list[_Span]:
    """Merged header cells from the text grid: a cell spans rightwards over blank slots that have
    header text below them (a group header), and downwards over the blank slots under it."""
    width = max(len(r) for r in header_rows)
    grid = [r + [""] * (width - len(r)) for r in header_rows]
    height = len(grid)
    owner: dict[tuple[int, int], _Span] = {}
    spans: list[_Span] = []
    for r in range(height):
        for c in range(width):
            if (r, c) in owner:
                continue
            if not grid[r][c]:
                above = owner.get((r - 1, c)) if r else None
                if above is not None and above.columns == 1:
                    above.rows += 1
                    owner[(r, c)] = above
                    continue
                span = _Span(r, c, 1, 1, "")
            else:
                span = _Span(r, c, 1, 1, grid[r][c])
                while (c + span.columns < width and not grid[r][c + span.columns]
                       and any(grid[lower][c + span.columns] for lower in range(r + 1, height))):
                    span.columns += 1
            for k in range(span.columns):
                owner[(r, c + k)] = span
            spans.append(span)
    return spans


def _wrap(text: str, chars: int) -> list[str]:
    return [text[i:i + chars] for i in range(0, len(text), chars)] or [""]


class _Page:
    """One page being drawn: text first or last, rules as thin lines."""

    def __init__(self, canvas, layout: Layout):
        self.canvas, self.layout = canvas, layout
        self.deferred: list[tuple] = []

    def text(self, x: float, y: float, text: str, size: float, align: str = "left", defer: bool = False) -> None:
        if not text:
            return
        if defer:
            self.deferred.append((x, y, text, size, align))
            return
        width = _text_width(text, size)
        left = x - width if align == "right" else x - width / 2 if align == "centre" else x
        self.canvas.setFont(FONT, size)
        # PDFium's text layer drops a text object of one CID-font character (类, 款, 项 alone in a
        # cell); a trailing space, invisible and skipped by readers, keeps it.
        self.canvas.drawString(left, y, text + " " if len(text) == 1 and ord(text) > 0x7F else text)

    def rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        if self.layout.ruled:
            self.canvas.line(x0, y0, x1, y1)

    def finish(self) -> None:
        for x, y, text, size, align in self.deferred:
            self.text(x, y, text, size, align)
        self.deferred = []
        self.canvas.showPage()


class _TableGeometry:
    """Column widths and the font size that make a table fit the page width."""

    def __init__(self, table: PrintedTable, layout: Layout):
        width = table.width
        natural = [0.0] * width
        label_columns = table.label_columns
        for r in table.rows + [PrintedRow(x) for x in table.number_rows]:
            for c, text in enumerate(r.cells):
                shown = max(_wrap(text, WRAP_CHARS), key=len) if (layout.wrap_names and c in label_columns) else text
                natural[c] = max(natural[c], _text_width(shown, BODY_SIZE))
        for span in header_spans(table.header_rows):
            if span.columns == 1:
                longest = max(span.text.split(" "), key=len) if span.text else ""
                natural[span.column] = max(natural[span.column], _text_width(longest, BODY_SIZE))
        natural = [w + 2 * PADDING for w in natural]
        available = PAGE_WIDTH - 2 * MARGIN
        scale = min(1.0, available / sum(natural))
        self.size = max(MIN_BODY_SIZE, BODY_SIZE * scale)
        self.widths = [w * scale for w in natural]
        spare = available - sum(self.widths)
        self.widths = [w + spare / width for w in self.widths]
        self.xs = [MARGIN]
        for w in self.widths:
            self.xs.append(self.xs[-1] + w)
        self.label_columns = label_columns
        self.line_columns = table.line_columns
        self.code_columns = frozenset(table.code_columns)
        self.line_height = self.size * 1.25
        self.wrap = layout.wrap_names


def _cell_lines(text: str, column: int, geometry: _TableGeometry) -> list[str]:
    if geometry.wrap and column in geometry.label_columns:
        return _wrap(text, WRAP_CHARS)
    return [text]


def _draw_header(page: _Page, table: PrintedTable, geometry: _TableGeometry, top: float) -> float:
    """Header and 栏次 rows from `top` down; returns the y under them."""
    spans = header_spans(table.header_rows)
    line_height = geometry.line_height
    row_heights = []
    for r in range(len(table.header_rows)):
        lines = max([len(s.text.split(" ")) for s in spans if s.row == r and s.rows == 1] + [1])
        row_heights.append(lines * line_height + 2 * PADDING)
    ys = [top]
    for h in row_heights:
        ys.append(ys[-1] - h)
    xs = geometry.xs
    for span in spans:
        x0, x1 = xs[span.column], xs[span.column + span.columns]
        y_top, y_bottom = ys[span.row], ys[span.row + span.rows]
        parts = span.text.split(" ") if span.text else []
        first = (y_top + y_bottom) / 2 + (len(parts) - 1) * line_height / 2 - geometry.size * 0.35
        for k, part in enumerate(parts):
            page.text((x0 + x1) / 2, first - k * line_height, part, geometry.size, "centre")
        page.rule(x0, y_top, x1, y_top)
        page.rule(x0, y_bottom, x1, y_bottom)
        page.rule(x0, y_top, x0, y_bottom)
        page.rule(x1, y_top, x1, y_bottom)
    y = ys[-1]
    for cells in table.number_rows:
        y = _draw_row(page, cells, geometry, y, numbers=True)
    return y


def _row_height(cells: list[str], geometry: _TableGeometry) -> float:
    lines = max([len(_cell_lines(t, c, geometry)) for c, t in enumerate(cells)] + [1])
    return lines * geometry.line_height + 2 * PADDING


def _draw_row(page: _Page, cells: list[str], geometry: _TableGeometry, top: float, numbers: bool = False) -> float:
    height = _row_height(cells, geometry)
    bottom = top - height
    xs = geometry.xs
    for c in range(len(xs) - 1):
        text = cells[c] if c < len(cells) else ""
        lines = _cell_lines(text, c, geometry)
        baseline = top - PADDING - geometry.size * 0.9
        for k, line in enumerate(lines):
            y = baseline - k * geometry.line_height
            if numbers:
                page.text((xs[c] + xs[c + 1]) / 2, y, line, geometry.size, "centre")
            elif c in geometry.label_columns or c in geometry.code_columns:
                page.text(xs[c] + PADDING, y, line, geometry.size)
            elif c in geometry.line_columns:
                page.text((xs[c] + xs[c + 1]) / 2, y, line, geometry.size, "centre")
            else:
                page.text(xs[c + 1] - PADDING, y, line, geometry.size, "right")
    page.rule(xs[0], bottom, xs[-1], bottom)
    page.rule(xs[0], top, xs[-1], top)
    for x in xs:
        page.rule(x, top, x, bottom)
    return bottom


def _draw_title_block(page: _Page, table: PrintedTable, document: ZooDocument, layout: Layout) -> float:
    """Title, 部门 and 单位 lines; drawn after the body when the layout says so. Returns the top
    of the table."""
    defer = layout.title_after_body
    y = PAGE_HEIGHT - MARGIN - 14
    page.text(PAGE_WIDTH / 2, y, table.title, 14, "centre", defer)
    y -= 22
    page.text(MARGIN, y, f"部门：{document.department}", 9, defer=defer)
    page.text(PAGE_WIDTH - MARGIN, y, f"单位：{document.unit}", 9, "right", defer)
    return y - 8


def render_pdf(document: ZooDocument, layout: Layout, path: str | Path) -> int:
    """Write the document as a PDF; returns its page count."""
    from reportlab.pdfgen import canvas as pdf_canvas

    _register_font()
    canvas = pdf_canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1)
    canvas.setLineWidth(0.5)
    pages = 1
    cover = _Page(canvas, layout)
    cover.text(PAGE_WIDTH / 2, PAGE_HEIGHT / 2 + 30, document.department, 24, "centre")
    cover.text(PAGE_WIDTH / 2, PAGE_HEIGHT / 2 - 10, f"{document.year}年度部门决算", 24, "centre")
    cover.finish()
    rng = random.Random(f"juesuan-zoo-pages:{document.name}")
    for table in document.tables:
        geometry = _TableGeometry(table, layout)
        page = _Page(canvas, layout)
        top = _draw_title_block(page, table, document, layout)
        y = _draw_header(page, table, geometry, top)
        on_page = 0
        limit = _page_limit(layout, rng)
        body: list[PrintedRow] = list(table.rows)
        for row in body:
            full = y - _row_height(row.cells, geometry) < MARGIN or (limit is not None and on_page >= limit)
            if full:
                page.finish()
                pages += 1
                page = _Page(canvas, layout)
                y = PAGE_HEIGHT - MARGIN
                if layout.repeat_header:
                    y = _draw_header(page, table, geometry, y)
                on_page, limit = 0, _page_limit(layout, rng)
            y = _draw_row(page, row.cells, geometry, y)
            on_page += 1
        page.text(MARGIN, y - 14, "注：本表金额转换时可能存在尾数误差。", 8)
        page.finish()
        pages += 1
    canvas.save()
    return pages


def _page_limit(layout: Layout, rng: random.Random) -> int | None:
    if layout.rows_per_page is None:
        return None
    return max(4, layout.rows_per_page + rng.randint(-3, 3))


# --------------------------------------------------------------------------------------------
# Measuring a reader against the truth
# --------------------------------------------------------------------------------------------

@dataclass
class Score:
    """Reader output against the truth, cell by cell."""

    truth: int = 0
    exact: int = 0
    wrong_amount: int = 0  # the right row and measure, another amount
    misplaced: int = 0  # a true amount read under another row or measure
    missing: int = 0
    extra: int = 0
    unplaced: int = 0  # read, but under a header no measure matches
    identity_wrong: int = 0  # department, year or unit not as printed
    held_back: int = 0  # documents the reader itself held back (a figure it could not place)
    refused: int = 0
    pages: int = 0
    seconds: float = 0.0  # wall time reading
    cpu_seconds: float = 0.0  # CPU time reading: the fair figure on a shared machine
    documents: int = 0
    failures: list[str] = field(default_factory=list)
    truth_by_statement: Counter = field(default_factory=Counter)
    exact_by_statement: Counter = field(default_factory=Counter)

    def add(self, other: "Score") -> None:
        self.truth_by_statement.update(other.truth_by_statement)
        self.exact_by_statement.update(other.exact_by_statement)
        for name in ("truth", "exact", "wrong_amount", "misplaced", "missing", "extra", "unplaced",
                     "identity_wrong", "held_back", "refused", "pages", "seconds", "cpu_seconds", "documents"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures.extend(other.failures)

    @property
    def perfect(self) -> bool:
        return (self.exact == self.truth and not (self.wrong_amount or self.misplaced or self.missing or self.extra
                                                  or self.unplaced or self.identity_wrong or self.held_back or self.refused))

    def by_statement(self) -> str:
        """Exact cells per statement: where a reader goes wrong."""
        return " ".join(f"{st} {self.exact_by_statement[st]}/{n}" for st, n in sorted(self.truth_by_statement.items()))

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_seconds / self.pages if self.pages else 0.0


def _cell_fen(cell) -> int | None:
    try:
        amount = Decimal(str(cell.amount))
    except Exception:  # noqa: BLE001 - any unreadable amount is a wrong cell, not a crash
        return None
    per = FEN_PER_WAN if cell.unit == "万元" else 100
    return int(amount * per)


def _measure_of(cell, vocabulary) -> str | None:
    """The canonical measure the reader gives a cell: its own `measure` field when the raw model
    has one (empty: the reader could not place the column), else the vocabulary's reading of
    the printed header path (what the warehouse did before readers placed columns)."""
    if hasattr(cell, "measure"):
        return cell.measure or None
    role = vocabulary.header_role(cell.statement, cell.column_header)
    return role.measure if role and role.role == "amount" else None


def _occurrences(keys: list[tuple]) -> list[tuple]:
    """Tell apart a row printed twice in one statement (T4's 一般公共预算财政拨款 under 本年收入
    and under 年初结转): the n-th time a (statement, row, measure) appears, in printed order."""
    seen: Counter = Counter()
    out = []
    for key in keys:
        out.append(key + (seen[key],))
        seen[key] += 1
    return out


def score_document(document: ZooDocument, extracted) -> Score:
    vocabulary = load_vocabulary()
    truth = document.truth()
    score = Score(truth=len(truth), documents=1, truth_by_statement=Counter(t.statement for t in truth))
    truth_keys = _occurrences([(t.statement, t.row, t.measure) for t in truth])
    expected = Counter(k + (t.fen,) for k, t in zip(truth_keys, truth))
    read_rows = []
    for cell in extracted.cells:
        measure = _measure_of(cell, vocabulary)
        if measure is None:
            score.unplaced += 1
            score.failures.append(f"{cell.statement} unplaced: header '{cell.column_header}' "
                                  f"(page {cell.page}, line {cell.source_line}) '{cell.amount_text}'")
            continue
        read_rows.append(((cell.statement, row_key(cell.statement, cell.code, cell.row_label), measure), cell))
    read_keys = _occurrences([k for k, _ in read_rows])
    got = Counter(k + (_cell_fen(c),) for k, (_, c) in zip(read_keys, read_rows))
    exact = expected & got
    score.exact = sum(exact.values())
    for key, count in exact.items():
        score.exact_by_statement[key[0]] += count
    left_truth, left_read = expected - exact, got - exact
    wrong = Counter(k[:4] for k in left_truth.elements()) & Counter(k[:4] for k in left_read.elements())
    score.wrong_amount = sum(wrong.values())
    for slot in wrong.elements():
        score.failures.append(f"{slot[0]} row '{slot[1]}' {slot[2]}: amount not as printed")
        left_truth[next(k for k in left_truth if k[:4] == slot and left_truth[k] > 0)] -= 1
        left_read[next(k for k in left_read if k[:4] == slot and left_read[k] > 0)] -= 1
    left_truth, left_read = +left_truth, +left_read
    by_amount = Counter((k[0], k[4]) for k in left_truth.elements())
    for key in left_read.elements():
        if by_amount[(key[0], key[4])]:
            by_amount[(key[0], key[4])] -= 1
            score.misplaced += 1
            score.failures.append(f"{key[0]}: {key[4]} 分 read under row '{key[1]}' {key[2]}, printed elsewhere")
        else:
            score.extra += 1
            score.failures.append(f"{key[0]}: extra cell row '{key[1]}' {key[2]} {key[4]} 分")
    score.missing = sum(left_truth.values()) - score.misplaced
    for key in list(left_truth.elements())[:20]:
        score.failures.append(f"{key[0]}: not read as printed: row '{key[1]}' {key[2]} {key[4]} 分")
    meta = extracted.meta
    if getattr(meta, "held_back", ""):
        score.held_back = 1
        score.failures.append(f"held back by the reader: {meta.held_back[:200]}")
    if (meta.department_name, int(meta.fiscal_year), meta.unit) != (document.department, document.year, document.unit):
        score.identity_wrong = 1
        score.failures.append(f"identity read as {meta.department_name} {meta.fiscal_year} {meta.unit}, printed "
                              f"{document.department} {document.year} {document.unit}")
    return score


def measure_layout(template: Template, layout: Layout, out_dir: Path, n: int, seed: int = 0,
                   keep_failures: int = 5) -> Score:
    """Render n documents of one layout into out_dir, read each, and score the reader."""
    from juesuan.extract import ExtractionError, extract_document

    out_dir.mkdir(parents=True, exist_ok=True)
    total = Score()
    for index in range(n):
        document = build_document(template, layout, seed, index)
        path = out_dir / f"{document.name}.pdf"
        pages = render_pdf(document, layout, path)
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            extracted = extract_document(path)
        except ExtractionError as error:
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            truth = document.truth()
            score = Score(truth=len(truth), missing=len(truth), refused=1, documents=1,
                          failures=[f"{path.name}: refused: {error.reason}"],
                          truth_by_statement=Counter(t.statement for t in truth))
        else:
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            score = score_document(document, extracted)
            score.failures = [f"{path.name}: {f}" for f in score.failures]
        score.pages, score.seconds, score.cpu_seconds = pages, elapsed, cpu
        total.add(score)
    if len(total.failures) > keep_failures:
        total.failures = total.failures[:keep_failures] + [f"… {len(total.failures) - keep_failures} more"]
    return total


def report_table(scores: dict[str, Score]) -> list[str]:
    lines = ["| layout | docs | pages | cells | exact | wrong | misplaced | missing | extra | unplaced "
             "| identity wrong | held back | refused | ms/page (wall) | ms/page (CPU) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in scores.items():
        lines.append(f"| {name} | {s.documents} | {s.pages} | {s.truth} | {s.exact} | {s.wrong_amount} | "
                     f"{s.misplaced} | {s.missing} | {s.extra} | {s.unplaced} | {s.identity_wrong} | {s.held_back} | "
                     f"{s.refused} | {s.ms_per_page:.1f} | {s.cpu_ms_per_page:.1f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m juesuan_testkit.zoo", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--layouts", default="all", help=f"'all' or a comma list of: {', '.join(LAYOUTS)}")
    parser.add_argument("-n", type=int, default=20, help="documents per layout (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    parser.add_argument("--failures", type=int, default=3, help="failures shown per layout")
    args = parser.parse_args(argv)
    names = list(LAYOUTS) if args.layouts == "all" else [n.strip() for n in args.layouts.split(",")]
    unknown = [n for n in names if n not in LAYOUTS]
    if unknown:
        print(f"error: unknown layouts {unknown}; known: {', '.join(LAYOUTS)}", file=sys.stderr)
        return 2
    template = load_template(args.template)
    scores = {name: measure_layout(template, LAYOUTS[name], args.out_dir / name, args.n, args.seed, args.failures)
              for name in names}
    print("\n".join(report_table(scores)))
    for name, score in scores.items():
        if not score.perfect:
            print(f"{name}: exact by statement: {score.by_statement()}")
        for failure in score.failures:
            print(f"{name}: {failure}")
    return 0 if all(s.perfect for s in scores.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
