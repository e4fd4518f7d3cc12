"""Reader for published PDFs: character boxes and ruling lines (pypdfium2) into table rows.

Each page is read from its text layer (one box per character) and its drawn ruling lines:
- the ruling lines of the page's table give the column and row boundaries; a cell is the set
  of grid slots not separated by a drawn line (so merged header cells span several columns,
  and a name wrapped over several lines inside a cell stays one name);
- a header cell drawn without a bottom border above the first data row (the Shanghai
  template prints 类/款/项 in the same box as the 合计 row) is cut off at the top of the
  first line of figures;
- rows above the first line of figures are the table header (only on a page that starts a
  table with a title); all other rows are data, handed to the shared `TableBuilder` as
  `GridRow`s, so the PDF and text readers produce the same raw-table form.

Provenance: `page` is the 1-based PDF page; `source_line` is the row's position in that
page's table grid (1 = the topmost band between ruling lines, header bands included; a band
split off a header shared with the first figures counts as one more band).

A PDF without any text layer (a scan) raises ExtractionError asking for OCR. One table per
page is assumed (the national templates print each statement on its own pages); a table
continues on the next page until a page with a new title, a page without a table, or the end.
"""
from __future__ import annotations

import ctypes
import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .document import document_id_for, find_department, find_fiscal_year, find_unit, sha256_of, unit_of
from .layout import (AMOUNT, CODE, DASHES, UNPLACED, GridRow, TableBuilder, assemble_document, header_text, held_back_reason,
                     is_column_number_row)
from .model import DocumentMeta, ExtractedDocument, ExtractionError
from .textgrid import (figure_column_count, figure_columns, figures_align, has_figure, is_column_numbers, is_figure_word,
                       is_note, is_prose, join_spaced, over_figure_columns, table_rows, words_of, wrap_distance)
from .vocabulary import Vocabulary, load_vocabulary

LINE_THICKNESS = 3.0   # a path thinner than this (pt) is a ruling line
MIN_RULE_LENGTH = 4.0  # shorter marks (corner dots) are not rules
SNAP = 2.5             # ruling lines closer than this (pt) are the same boundary
COVER_TITLE = re.compile(r"^(\S+?)(20\d{2})年度?(部门|单位)?(决算|预算)")
WHITESPACE = re.compile(r"\s+")


@dataclass(slots=True)
class Char:
    text: str
    x0: float
    y0: float  # bottom (PDF space: y grows upwards)
    x1: float
    y1: float
    base: float  # baseline (the char origin): chars of one printed line share it
    size: float  # font size

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        """Middle of the line's body: tight boxes of '一' or ',' are not centred on the line."""
        return self.base + self.size * 0.35


@dataclass
class PageContent:
    number: int
    chars: list[Char]
    hrules: list[tuple[float, float, float]]  # (y, x0, x1)
    vrules: list[tuple[float, float, float]]  # (x, y0, y1)
    text: str = ""  # plain text of a page without a table (prose), for the document's identity
    has_text: bool = False
    untitled_grid: bool = False  # a ruled table under no statement title, after no table: not read
    grid: bool = False  # its ruling lines draw a grid (_has_grid), decided once when the page is loaded


@dataclass
class Table:
    page: int
    above: list[str]  # text lines printed above the table (title, unit)
    header: list[GridRow] = field(default_factory=list)
    data: list[GridRow] = field(default_factory=list)
    first_data: int = 0  # index in `data` of the first band holding figures
    text_columns: set[int] = field(default_factory=set)  # columns seen to hold only words (unruled)
    header_words: list = field(default_factory=list)  # unruled: header lines as placed words
    body_words: list = field(default_factory=list)  # unruled: body lines as placed words
    first_line: int = 1
    few_figures: bool = False  # untitled, too few figures to be a table by itself: continues one only if aligned


# ---------------------------------------------------------------- page content

def _unchecked(function):
    """A PDFium function called without ctypes' per-call argument conversion (its `argtypes`):
    the reader calls a few of them once per character or page object, with arguments of exactly
    the declared types (handles as returned, ints, byref doubles), and the checks cost more than
    PDFium's own work. Same address, same result type."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(function.restype)(address)


_GET_CHAR_BOX = _unchecked(pdfium_c.FPDFText_GetCharBox)
_GET_CHAR_ORIGIN = _unchecked(pdfium_c.FPDFText_GetCharOrigin)
_GET_FONT_SIZE = _unchecked(pdfium_c.FPDFText_GetFontSize)
_GET_OBJECT = _unchecked(pdfium_c.FPDFPage_GetObject)
_GET_OBJECT_TYPE = _unchecked(pdfium_c.FPDFPageObj_GetType)
_GET_OBJECT_BOUNDS = _unchecked(pdfium_c.FPDFPageObj_GetBounds)


def _page_chars(textpage, text: str | None = None) -> list[Char]:
    """Every printed char of a page with its box, baseline and size; `text` is the page's
    text range when the caller has it already."""
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if text is None:
        text = textpage.get_text_range()
    if len(text) != count:  # outside UCS-2: ask char by char
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count))
    left, right, bottom, top, x, y = (ctypes.c_double() for _ in range(6))
    box_left, box_right, box_bottom, box_top = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom),
                                                ctypes.byref(top))
    origin_x, origin_y = ctypes.byref(x), ctypes.byref(y)
    get_box, get_origin, get_size = _GET_CHAR_BOX, _GET_CHAR_ORIGIN, _GET_FONT_SIZE
    loose = pdfium_c.FS_RECTF()
    loose_ref = ctypes.byref(loose)
    get_loose = pdfium_c.FPDFText_GetLooseCharBox
    on_page: dict[float, float] = {}  # reported font size -> size on the page
    chars = []
    append = chars.append
    for index, char in enumerate(text):
        if char.isspace() or char == "\ufffe" or char == "\uffff" \
                or not get_box(raw, index, box_left, box_right, box_bottom, box_top):
            continue
        get_origin(raw, index, origin_x, origin_y)
        reported = get_size(raw, index) or (top.value - bottom.value)
        size = on_page.get(reported)
        if size is None:
            # Some producers (WPS) print with a huge font size under a shrinking matrix: the
            # reported size is then unscaled; the loose box's height is the size on the page.
            size = reported
            if get_loose(raw, index, loose_ref) and loose.top > loose.bottom:
                size = min(reported, loose.top - loose.bottom)
            on_page[reported] = size
        append(Char(char, left.value, bottom.value, right.value, top.value, y.value, size))
    return chars


def _page_rules(page) -> tuple[list, list]:
    """Thin path objects: horizontal and vertical ruling lines (rectangles give 4 edges)."""
    hrules, vrules = [], []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    raw = page.raw
    get_object, get_type, get_bounds, path_type = _GET_OBJECT, _GET_OBJECT_TYPE, _GET_OBJECT_BOUNDS, pdfium_c.FPDF_PAGEOBJ_PATH
    for index in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = get_object(raw, index)
        if get_type(obj) != path_type:
            continue
        if not get_bounds(obj, *refs):
            continue
        x0, y0, x1, y1 = left.value, bottom.value, right.value, top.value
        width, height = x1 - x0, y1 - y0
        if width < MIN_RULE_LENGTH and height < MIN_RULE_LENGTH:
            continue
        if height <= LINE_THICKNESS and width > height:
            hrules.append(((y0 + y1) / 2, x0, x1))
        elif width <= LINE_THICKNESS and height > width:
            vrules.append(((x0 + x1) / 2, y0, y1))
        else:  # a drawn rectangle: its four edges
            hrules += [(y0, x0, x1), (y1, x0, x1)]
            vrules += [(x0, y0, y1), (x1, y0, y1)]
    return hrules, vrules


def _has_grid(hrules, vrules) -> bool:
    long_h = {round(r[0]) for r in hrules if r[2] - r[1] >= MIN_RULE_LENGTH}
    long_v = {round(r[0]) for r in vrules if r[2] - r[1] >= MIN_RULE_LENGTH}
    return len(long_h) >= 2 and len(long_v) >= 2


def _snap(values: list[float]) -> list[float]:
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= SNAP:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups]


def _by_base(char: Char) -> float:
    return -char.base


def _by_x0(char: Char) -> float:
    return char.x0


def _text_lines(chars: list[Char]) -> list[list[Char]]:
    """Chars grouped into printed lines, top to bottom, each left to right."""
    if len(chars) < 2:
        return [list(chars)] if chars else []
    lines: list[list[Char]] = []
    last: list[Char] | None = None
    first_base = first_size = 0.0
    for char in sorted(chars, key=_by_base):
        if last is not None:
            limit = first_size if first_size > char.size else char.size
            if (first_base - char.base if first_base >= char.base else char.base - first_base) <= \
                    (limit if limit > 1.0 else 1.0) * 0.3:
                last.append(char)
                continue
        last = [char]
        first_base, first_size = char.base, char.size
        lines.append(last)
    for line in lines:
        if len(line) > 1:
            line.sort(key=_by_x0)
    return lines


def _line_text(line: list[Char]) -> str:
    return "".join(c.text for c in line)


@lru_cache(maxsize=8192)
def _is_figure(text: str) -> bool:
    return bool(AMOUNT.match(text) or CODE.match(text)) or text in DASHES


# ---------------------------------------------------------------- table grid

def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Segments of one ruling line joined where they touch (within the snap on either side):
    Word draws a border per cell, hundreds of short segments a page."""
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a - SNAP <= out[-1][1] + SNAP:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _covers(spans, middle: float) -> bool:
    """Whether merged, sorted segments reach `middle` (within the snap)."""
    at = bisect_right(spans, (middle + SNAP, INFINITY)) - 1
    return at >= 0 and spans[at][1] + SNAP >= middle


INFINITY = float("inf")


def _covered(spans, middles: list[float]) -> list[bool]:
    """`_covers(spans, m)` for each of `middles`, given in ascending order: one sweep."""
    out = []
    at, count, last = -1, len(spans), None
    for middle in middles:
        limit = middle + SNAP
        while at + 1 < count and spans[at + 1][0] <= limit:  # the last segment starting by the middle
            at += 1
            last = spans[at]
        out.append(last is not None and last[1] + SNAP >= middle)
    return out


class _Grid:
    """The ruled grid of one page's table: bands (rows) × columns, merged into cells."""

    def __init__(self, content: PageContent):
        self.content = content
        long_h = [r for r in content.hrules if r[2] - r[1] >= MIN_RULE_LENGTH]
        long_v = [r for r in content.vrules if r[2] - r[1] >= MIN_RULE_LENGTH]
        self.xs = _snap([r[0] for r in long_v])
        self.ys = sorted(_snap([r[0] for r in long_h]), reverse=True)  # top first
        self.ok = len(self.xs) >= 2 and len(self.ys) >= 2
        self.band_override: dict[int, int] = {}
        self._negated: list[float] = []
        if not self.ok:
            return
        self.h_by_row = self._index(long_h, self.ys)
        self.v_by_col = self._index(long_v, self.xs)
        self.top, self.bottom = self.ys[0], self.ys[-1]
        self.left, self.right = self.xs[0], self.xs[-1]

    @staticmethod
    def _index(rules, positions):
        index: dict[int, list[tuple[float, float]]] = {}
        ordered = sorted(range(len(positions)), key=positions.__getitem__)
        keys = [positions[i] for i in ordered]
        count = len(keys)
        for pos, a, b in rules:
            at = bisect_right(keys, pos)
            if at == 0:
                near = 0
            elif at == count:
                near = count - 1
            else:  # the nearer of the two neighbours (the lower one on a tie)
                near = at - 1 if pos - keys[at - 1] <= keys[at] - pos else at
            if abs(keys[near] - pos) <= SNAP:
                index.setdefault(ordered[near], []).append((a, b))
        return {key: _merged(spans) for key, spans in index.items()}

    def inside(self, char: Char) -> bool:
        return self.left <= char.cx <= self.right and self.bottom <= char.cy <= self.top

    def cut_before_first_figures(self, chars: list[Char]) -> None:
        """Split the first band of figures when header text shares its box.

        The Shanghai template prints 类/款/项 in the box of the 合计 row and leaves out the
        rule under some header cells, so a header and the first figures can share a band.
        In a column that holds figures (codes or amounts), text above that column's first
        figure line in that band is header; it moves to a band of its own above the rest.
        """
        columns = len(self.xs) - 1
        first: dict[int, Char] = {}
        by_column: dict[int | None, list[Char]] = {}
        for char in chars:
            by_column.setdefault(self._column_of(char.cx), []).append(char)
        for column in range(columns):
            for line in _text_lines(by_column.get(column, [])):
                if _is_figure(_line_text(line)):
                    first[column] = line[0]
                    break
        bands = [b for b in (self._band_of(c.cy) for c in first.values()) if b is not None]
        if not bands:
            return
        band = min(bands)
        upper, lower = self.ys[band], self.ys[band + 1]
        in_band = [c for c in chars if lower <= c.cy < upper]
        header = []
        for char in in_band:
            column = self._column_of(char.cx)
            figure = first.get(column)
            if figure is None:
                continue
            if self._band_of(figure.cy) != band or char.base > figure.base + figure.size * 0.3:
                header.append(char)
        if not header:
            return
        header_ids = {id(c) for c in header}
        self.ys.insert(band + 1, (upper + lower) / 2)
        self.h_by_row = {(i if i <= band else i + 1): v for i, v in self.h_by_row.items()}
        self.h_by_row[band + 1] = [(self.left - 1, self.right + 1)]
        self.band_override = {id(c): band if id(c) in header_ids else band + 1 for c in in_band}

    def _band_of(self, y: float) -> int | None:
        if len(self._negated) != len(self.ys):
            self._negated = [-v for v in self.ys]
        index = bisect_right(self._negated, -y) - 1
        return index if 0 <= index < len(self.ys) - 1 else None

    def _column_of(self, x: float) -> int | None:
        index = bisect_right(self.xs, x) - 1
        return index if 0 <= index < len(self.xs) - 1 else None

    def _has_v(self, column_boundary: int, band: int) -> bool:
        return _covers(self.v_by_col.get(column_boundary, ()), (self.ys[band] + self.ys[band + 1]) / 2)

    def _has_h(self, row_boundary: int, column: int) -> bool:
        return _covers(self.h_by_row.get(row_boundary, ()), (self.xs[column] + self.xs[column + 1]) / 2)

    def cells(self, chars: list[Char]):
        """Every cell: (first band, last band, first column, last column, text)."""
        bands, columns = len(self.ys) - 1, len(self.xs) - 1
        parent = list(range(bands * columns))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        ys, xs = self.ys, self.xs
        middles_x = [(xs[column] + xs[column + 1]) / 2 for column in range(columns)]  # ascending
        middles_y = [(ys[band] + ys[band + 1]) / 2 for band in range(bands)]  # descending
        rising_y = middles_y[::-1]
        # has_v[boundary][band], has_h[boundary][column]: whether a drawn line separates the slots
        has_v = [_covered(self.v_by_col.get(boundary, ()), rising_y)[::-1] for boundary in range(columns + 1)]
        has_h = [_covered(self.h_by_row.get(boundary, ()), middles_x) for boundary in range(bands + 1)]
        for band in range(bands):
            below = has_h[band + 1] if band + 1 < bands else None
            for column in range(columns):
                slot = band * columns + column
                if column + 1 < columns and not has_v[column + 1][band]:
                    parent[find(slot + 1)] = find(slot)
                if below is not None and not below[column]:
                    parent[find(slot + columns)] = find(slot)
        slots: dict[int, list[int]] = {}
        for slot in range(bands * columns):  # ascending: each cell's slots in reading order
            slots.setdefault(slot if parent[slot] == slot else find(slot), []).append(slot)
        texts: dict[int, list[Char]] = {}
        override = self.band_override
        negated = [-y for y in ys]
        for char in chars:
            band = override.get(id(char)) if override else None
            if band is None:
                band = bisect_right(negated, -(char.base + char.size * 0.35)) - 1  # char.cy
                if not 0 <= band < bands:
                    continue
            column = bisect_right(xs, (char.x0 + char.x1) / 2) - 1  # char.cx
            if 0 <= column < columns:
                texts.setdefault(find(band * columns + column), []).append(char)
        out = []
        for root, members in slots.items():
            found = texts.get(root)
            text = "".join(_line_text(line) for line in _text_lines(found)) if found else ""
            if len(members) == 1:  # most cells: one slot
                band, column = divmod(root, columns)
                out.append((band, band, column, column, text))
                continue
            first_band = members[0] // columns
            last_band = members[-1] // columns
            in_first = [m % columns for m in members if m // columns == first_band]
            out.append((first_band, last_band, min(in_first), max(in_first), text))
        return bands, columns, out


def _page_table(content: PageContent) -> Table | None:
    grid = _Grid(content)
    if not grid.ok:
        return None
    inside, outside = [], []
    left, right, bottom, top = grid.left, grid.right, grid.bottom, grid.top
    for char in content.chars:
        cy = char.cy
        if left <= char.cx <= right and bottom <= cy <= top:
            inside.append(char)
        elif cy > top:
            outside.append(char)
    grid.cut_before_first_figures(inside)
    bands, columns, cells = grid.cells(inside)
    plain = [[""] * columns for _ in range(bands)]
    spread = [[""] * columns for _ in range(bands)]
    for band, last_band, first, last, text in cells:
        plain[band][first] = text
        for row in range(band, last_band + 1):  # header cells fill every slot they span
            for column in range(first, last + 1):
                spread[row][column] = text
    _join_name_and_figure_bands(plain, {(band, first): last_band for band, last_band, first, _, _ in cells})
    first_data = next((b for b in range(bands) if any(_is_figure(t) for t in plain[b])), bands)
    table = Table(content.number, [_line_text(line) for line in _text_lines(outside)])
    table.header = [GridRow(spread[b], b + 1, content.number) for b in range(first_data)]
    table.data = [GridRow(plain[b], b + 1, content.number) for b in range(bands)]
    table.first_data = first_data
    _drop_unit_bands(table)
    return table


def _join_name_and_figure_bands(plain: list[list[str]], reach: dict[tuple[int, int], int]) -> None:
    """A row's name and its figures boxed in cells that start in two bands (Word draws a
    border per cell: 302 商品和服务支出's box starts a band above its 3,580.05): a band of
    figures only, inside the band span of a band of names (and codes) above it, is that row; the
    figures move up and their band is left blank. `reach`: (band, column) -> a cell's last band."""
    for band, upper in enumerate(plain):
        names = [(column, text) for column, text in enumerate(upper) if text]
        if all(_is_figure(text) for _, text in names):  # no name (a code alone is a figure too)
            continue
        lowest = max(reach.get((band, column), band) for column, _ in names)
        below = next((b for b in range(band + 1, lowest + 1) if any(plain[b])), None)
        if below is None:
            continue
        lower = plain[below]
        if all(_is_figure(t) for t in lower if t) and not any(a and b for a, b in zip(upper, lower)):
            plain[band] = [a or b for a, b in zip(upper, lower)]
            plain[below] = [""] * len(lower)


def _drop_unit_bands(table: Table) -> None:
    """Top bands of a grid that print the 部门名称 / 单位 line (Word draws the table's frame
    around it, the name wrapped over two bands) move above it: no header cell is printed
    there, only a line ABOVE_TABLE names and the end of a name cut at its cell."""
    while table.header:
        texts = list(dict.fromkeys(c for c in table.header[0].cells if c))
        if not texts or not any(ABOVE_TABLE.search(t) for t in texts) or not all(
                ABOVE_TABLE.search(t) or len(t) <= 2 for t in texts):
            return
        for text in texts:  # a title printed in the same cell before 编制单位 stays a line of its own
            cut = ABOVE_TABLE.search(text)
            table.above += [text[:cut.start()], text[cut.start():]] if cut and cut.start() else [text]
        table.header.pop(0)
        table.data.pop(0)
        table.first_data -= 1


# ---------------------------------------------------------------- unruled tables

ABOVE_TABLE = re.compile(r"单位\s*[:：]|编制(单位|部门)|部门名称|单位名称|^公开\d+表$")


def _page_tables(content: PageContent, vocabulary: Vocabulary, use_rules: bool = True) -> list[Table]:
    """The tables of a page: by its ruling lines where it has a grid, else by word positions."""
    if not content.chars:
        return []
    if use_rules and content.grid:
        table = _page_table(content)
        return [table] if table else []
    lines = [words_of(line) for line in _text_lines(content.chars)]
    texts = ["".join(w.text for w in line) for line in lines]
    starts = _title_lines(texts, vocabulary)
    tables = []
    bounds = starts + [len(lines)]
    if not starts or starts[0] > 0:  # lines before the first title: a table continued from the last page
        table = _unruled_table(content.number, lines[:bounds[0]], texts[:bounds[0]], False, vocabulary)
        if table:
            tables.append(table)
    for start, end in zip(starts, bounds[1:]):
        table = _unruled_table(content.number, lines[start:end], texts[start:end], True, vocabulary, offset=start)
        if table:
            tables.append(table)
    return tables


def _title_lines(texts: list[str], vocabulary: Vocabulary) -> list[int]:
    """Lines that start a table: a title on one line, or split over two (收入支出决算总 / 表)."""
    starts = []
    for index, text in enumerate(texts):
        if vocabulary.statement_for_title(text):
            starts.append(index)
        elif (index + 1 < len(texts) and not vocabulary.statement_for_title(texts[index + 1])
              and vocabulary.statement_for_title(text + texts[index + 1])):
            starts.append(index)
    return starts


def _lift_header_cells(lines: list, texts: list[str], first_figure: int, end: int):
    """Header cells printed on the first figure line's baseline (类 款 项 over the code
    columns, level with the 合计 row's figures): several words over figure columns that are
    no figures are header cells; they move to a header line of their own."""
    spans = figure_columns(lines[first_figure:end])
    line = lines[first_figure]
    lifted = [w for w in line if not is_figure_word(w.text) and over_figure_columns([w], spans)]
    if len(lifted) < 2:
        return lines, texts, first_figure, end
    rest = [w for w in line if w not in lifted]
    lines = lines[:first_figure] + [lifted, rest] + lines[first_figure + 1:]
    texts = texts[:first_figure] + ["".join(w.text for w in lifted), "".join(w.text for w in rest)] + texts[first_figure + 1:]
    return lines, texts, first_figure + 1, end + 1


def _first_row_start(lines: list, first_figure: int, end: int, start: int) -> int:
    """The first row's name may begin a line above its figures (a name centred over two or
    three lines): that line, close to the figures and apart from the header, is body."""
    wrap = wrap_distance(lines[first_figure:end])
    figure_spans = figure_columns(lines[first_figure:end])
    index = first_figure
    while index - 1 > start and not has_figure(lines[index - 1]):
        if over_figure_columns(lines[index - 1], figure_spans):
            break  # words over the figure and code columns (类 款 项 printed just above 合计) head them
        gap_below = lines[index - 1][0].base - lines[index][0].base
        gap_above = lines[index - 2][0].base - lines[index - 1][0].base
        size = max(w.size for w in lines[index - 1])
        # a name's first line sits a cell's leading above its figures, the header further up
        reach = max(wrap, min(1.5 * size, gap_above / 1.5))
        if gap_below > reach or gap_above <= reach:
            break
        index -= 1
    return index


def _names_a_measure(header: list, title: str, vocabulary: Vocabulary) -> bool:
    """An empty table (no figures printed, e.g. T9 with its note) is still a table when its
    header names a measure of the statement its title names."""
    statement = vocabulary.statement_for_title(title)
    words = "/".join(w.text for line in header for w in line)
    return bool(statement and header) and any(
        (role := vocabulary.header_role(statement, part)) is not None and role.role == "amount"
        for part in words.split("/"))


def _unruled_table(page: int, lines: list, texts: list[str], titled: bool, vocabulary: Vocabulary,
                   offset: int = 0) -> Table | None:
    numbering = [i for i, line in enumerate(lines) if is_column_numbers(line)]
    lines = [line for i, line in enumerate(lines) if i not in numbering]  # 栏次 rows number the columns
    texts = [text for i, text in enumerate(texts) if i not in numbering]
    first_figure = next((i for i, line in enumerate(lines) if has_figure(line) and not ABOVE_TABLE.search(texts[i])), None)
    end = next((i for i, line in enumerate(lines) if is_note(line)), len(lines))
    if first_figure is not None and first_figure >= end:
        first_figure = None
    if not titled and (first_figure is None or not _figure_rows(lines[first_figure:end])):
        return None
    few_figures = not titled and not _tabular(lines[first_figure:end])
    if first_figure is not None:
        lines, texts, first_figure, end = _lift_header_cells(lines, texts, first_figure, end)
        first_figure = _first_row_start(lines, first_figure, end, 1 if titled else 0)
    above = [texts[0]] if titled else []
    header: list = []
    for index in range(1 if titled else 0, first_figure if first_figure is not None else end):
        if ABOVE_TABLE.search(texts[index]) or (titled and index == 1 and _continues_title(texts, index)):
            above.append(texts[index])
        else:
            header.append(lines[index])
    header = [join_spaced(line, vocabulary.header_words) for line in header]
    body = _without_page_number(lines[first_figure:end]) if first_figure is not None else []
    if not body and not _names_a_measure(header, texts[0], vocabulary):
        return None  # a title in a list of contents, not a table
    if titled and not header:
        return None  # figures under a title and no header: a list of contents with page numbers
    header_rows, rows, text_columns = table_rows(header, body, page, offset + 1)
    table = Table(page, above, header_rows, rows, 0, text_columns, header)
    table.body_words = body
    table.first_line = offset + 1
    table.few_figures = few_figures
    return table


def _repeats_header(lines: list, header_lines: list) -> bool:
    """Lines atop a continued page repeat the table's header when most of their words are in it."""
    words = [w.text for line in lines for w in line]
    known = {w.text for line in header_lines for w in line}
    return bool(words) and sum(w in known for w in words) * 2 >= len(words)


def _title_part(text: str) -> str:
    cut = ABOVE_TABLE.search(text)
    return text[:cut.start()] if cut and cut.start() else text


def _drop_title_bands(table: Table, vocabulary: Vocabulary) -> None:
    """Top bands of a grid that hold only the title (and 编制单位/单位 after it) move above it."""
    while table.header:
        texts = {c for c in table.header[0].cells if c}
        if len(texts) != 1:
            return
        text = texts.pop()
        cut = ABOVE_TABLE.search(text)
        title = text[:cut.start()] if cut and cut.start() else text
        if not vocabulary.statement_for_title(title) and not ABOVE_TABLE.search(text):
            return
        table.above += [title, text[len(title):]] if title != text else [text]
        table.header.pop(0)
        table.data.pop(0)
        table.first_data -= 1


def _continues_title(texts: list[str], index: int) -> bool:
    return len(texts[index]) <= 2  # the last character(s) of a title split over two lines


def _tabular(body: list) -> bool:
    """An untitled run of lines is a table's continuation when it holds figures (two lines, or
    one row of three figures: a table's last row alone on a page; a summary table's page may
    have more lines without figures than with) and little running text (a 情况说明 page
    quoting figures is prose)."""
    figures = sum(1 for line in body if has_figure(line))
    prose = sum(1 for line in body if is_prose(line))
    several = max((sum(is_figure_word(w.text) for w in line) for line in body), default=0) >= 3
    return (figures >= 2 or several) and prose * 4 < len(body)


def _figure_rows(body: list) -> bool:
    """Lines of figures and little running text: a table's rows, maybe only one (a table's
    closing row alone on a page), which a table continued here must be able to place."""
    figures = sum(1 for line in _without_page_number(body) if has_figure(line))
    prose = sum(1 for line in body if is_prose(line))
    return figures >= 1 and prose * 4 < len(body)


def _without_page_number(body: list) -> list:
    """A lone small number on the last line is the page number, not a figure."""
    if body and len(body[-1]) == 1 and body[-1][0].text.isdigit() and len(body[-1][0].text) <= 3:
        return body[:-1]
    return body


# ---------------------------------------------------------------- document

def read_pdf_document(path: Path, vocabulary: Vocabulary | None = None) -> ExtractedDocument:
    vocabulary = vocabulary or load_vocabulary()
    path = Path(path)
    source = str(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise ExtractionError(source, None, f"not a readable PDF ({error})") from error
    try:
        pages = []
        for number in range(1, len(pdf) + 1):
            try:  # a damaged file can open and still have pages PDFium cannot load
                page = pdf[number - 1]
                textpage = page.get_textpage()
            except pdfium.PdfiumError as error:
                raise ExtractionError(source, None, f"not a readable PDF ({error})", page=number) from error
            hrules, vrules = _page_rules(page)
            grid = _has_grid(hrules, vrules)
            content = PageContent(number, [], hrules, vrules, has_text=textpage.count_chars() > 0, grid=grid)
            if content.has_text:
                content.text = textpage.get_text_range()
                last = next((p for p in reversed(pages) if p.has_text), None)
                after_table = last is not None and bool(last.chars)
                # a ruled page neither titled as a statement nor following a table's page (绩效目标
                # forms after the prose) would only be read to be skipped
                if (grid and after_table) or _may_hold_table(content.text, vocabulary, after_table):
                    content.chars = _page_chars(textpage, content.text)
                else:
                    content.untitled_grid = grid
            pages.append(content)
            textpage.close()
            page.close()
    finally:
        pdf.close()
    if not any(p.has_text for p in pages):
        raise ExtractionError(source, None, "the PDF has no text layer (a scanned document): needs OCR", page=1)
    texts = [content.text for content in pages]
    reading = _read_pages(path, pages, vocabulary, use_rules=True)
    if _unplaced(reading) and any(p.grid for p in pages):
        # Ruling lines are a hint: where they leave figures unplaced (Word draws borders per
        # cell, not per column), the same pages read by word positions alone may place them all.
        for content, text in zip(pages, texts):
            content.text = text
        try:
            unruled = _read_pages(path, _pages_of_unplaced(reading, pages), vocabulary, use_rules=False)
        except ExtractionError:
            unruled = None
        if unruled is not None:
            reading = _better_per_statement(reading, unruled)
            reading.meta.held_back = held_back_reason(reading)
    return reading


FIGURE_TOKEN = re.compile(r"(?:^|\s)-?\d[\d,]*(?:\.\d+)?(?=\s|$)")
PAGE_NUMBER = re.compile(r"^[-—－\s]*\d{1,3}[-—－\s]*$")
SENTENCE_MARKS = re.compile(r"[，。；：！？]")  # running text; a table row prints none
# a figure with its unit or a year written after it is prose ("2019 年度", "3397.18 万元" wrapped
# before its 万元); a table prints its unit in the header
FIGURE_IN_PROSE = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:[ \t]*(?:年|万|亿|元|%|％|个|辆|台|套|人|次|项|家|批)|\s*万元)")


WARNED_PAGE = re.compile(r"^page (\d+):")


def _pages_of_unplaced(reading: ExtractedDocument, pages: list[PageContent]) -> list[PageContent]:
    """The pages worth reading again by word positions: those of the statements that left a
    figure unplaced, pages of tables the rules gave no figure or a warning names, and the page before each (a title may sit on the page before its body);
    the other pages keep their text (the document's identity) but no table."""
    statements = {st for st in {c.statement for c in reading.cells} if _unplaced(reading, st)}
    wanted = {c.page for c in reading.cells if c.statement in statements and c.page}
    if not wanted:  # a figure unplaced before any cell was read: every page
        return pages
    read = {c.page for c in reading.cells}
    wanted |= {content.number for content in pages if content.chars and content.number not in read}  # a table the rules missed
    wanted |= {int(page) for warning in reading.warnings for page in WARNED_PAGE.findall(warning)}  # a grid run into the next title
    wanted |= {page - 1 for page in wanted}
    return [content if content.number in wanted else replace(content, chars=[]) for content in pages]


def _may_hold_table(text: str, vocabulary: Vocabulary, after_table: bool) -> bool:
    """Whether a page without ruling lines is worth reading by positions (prose is not):
    it prints a table title, or it follows a table and has lines of figures."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    compact = [WHITESPACE.sub("", line) for line in lines]
    if any(vocabulary.statement_for_title(a) or vocabulary.statement_for_title(a + b)
           for a, b in zip(compact, compact[1:] + [""])):
        return True
    # any line of figures after a table: it may be the table's last row alone on a page (a line
    # of a sentence, with its commas and full stops, is the 情况说明 after the tables)
    if not after_table:
        return False
    lines = [line.strip() for line in FIGURE_IN_PROSE.sub(" ", text).splitlines()]
    return any(FIGURE_TOKEN.search(line) and not PAGE_NUMBER.match(line) and not SENTENCE_MARKS.search(line)
               for line in lines)


def _unplaced(document: ExtractedDocument, statement: str | None = None) -> int:
    """Figures the reader could not place under a measure, and warnings that name one."""
    cells = [c for c in document.cells if statement is None or c.statement == statement]
    warnings = [w for w in document.warnings if statement is None or f" {statement} " in f" {w} "]
    return sum(1 for c in cells if not c.measure) + sum(
        1 for w in warnings if any(mark in w for mark in UNPLACED))


def hierarchy_breaks(cells: list) -> int:
    """How many 类 = Σ款 and 款 = Σ项 sums fail among cells of one statement, per measure
    (within the rounding of the printed parts): the identities judge between two readings."""
    from decimal import Decimal, InvalidOperation

    amounts: dict[tuple[str, str], Decimal] = {}
    step = Decimal("0.5") if any(c.unit == "元" for c in cells) else Decimal("0.005")  # half the last printed digit
    for cell in cells:
        try:
            amounts[(cell.measure, cell.code)] = Decimal(cell.amount)
        except (InvalidOperation, TypeError):
            continue
    breaks = 0
    for (measure, code), total in amounts.items():
        if len(code) not in (3, 5):
            continue
        parts = [v for (m, c), v in amounts.items() if m == measure and len(c) == len(code) + 2 and c.startswith(code)]
        if parts and abs(sum(parts) - total) > step * (len(parts) + 1):
            breaks += 1
    return breaks


def _better_per_statement(ruled: ExtractedDocument, unruled: ExtractedDocument) -> ExtractedDocument:
    """Each statement from the reading that reads more of its figures, then places more of
    them, then leaves fewer rows without code or name, then breaks fewer code sums (ties: the
    ruled one)."""
    statements = sorted({c.statement for c in ruled.cells} | {c.statement for c in unruled.cells})
    def score(reading, statement):  # more figures read, fewer unplaced, fewer nameless, fewer sums broken
        cells = [c for c in reading.cells if c.statement == statement]
        nameless = sum(1 for c in cells if not c.code and not c.row_label.strip())
        return (len(cells), -_unplaced(reading, statement), -nameless, -hierarchy_breaks(cells))

    chosen = {st: unruled if score(unruled, st) > score(ruled, st) else ruled for st in statements}
    if all(reading is ruled for reading in chosen.values()):
        return ruled
    ruled.cells = [c for st in statements for c in chosen[st].cells if c.statement == st]
    ruled.warnings = [w for w in ruled.warnings if not any(f" {st} " in f" {w} " for st in statements)] + [
        w for st in statements for w in chosen[st].warnings if f" {st} " in f" {w} "]
    found = set(ruled.meta.statements_found.split()) | set(unruled.meta.statements_found.split())
    ruled.meta.statements_found = " ".join(sorted(found))
    return ruled


def _read_pages(path: Path, pages: list[PageContent], vocabulary: Vocabulary, use_rules: bool) -> ExtractedDocument:
    source = str(path)
    page_tables = [_page_tables(content, vocabulary, use_rules) for content in pages]
    page_lines = [[line for table in tables for line in table.above] if any(t.above for t in tables)
                  else content.text.splitlines() for content, tables in zip(pages, page_tables)]
    meta = _document_meta(path, page_lines, vocabulary)
    assembler = _Assembler(vocabulary, meta, source)
    for content, tables in zip(pages, page_tables):
        if content.untitled_grid:
            assembler.warnings.append(f"page {content.number}: a table under no T1…T9 title was skipped")
        if not tables:
            assembler.feed(content, None)
        taken = [assembler.feed(content, table) for table in tables]
        if any(taken):
            content.text = ""  # a page of tables is no prose
    assembler.close()
    if not assembler.finished:
        raise ExtractionError(source, None, "no 部门决算 statement (T1…T9) found: not a departmental final account")
    if not any(builder.cells for builder in assembler.finished):
        raise ExtractionError(source, None, "the tables hold no figures: a blank template, not a department's account")
    prose = [(number, page, line) for page, content in enumerate(pages, start=1)
             if content.text for number, line in enumerate(content.text.splitlines(), start=1)
             ] if use_rules else []  # the second reading, by positions, is asked for tables only
    return assemble_document(meta, assembler.finished, assembler.warnings, prose)


def department_from_cover(lines: list[str]) -> str | None:
    """The department the cover names ("上海市普陀区财政局 / 2024年度部门决算"), lines joined."""
    compact = WHITESPACE.sub("", "".join(line for line in lines if not line.strip().isdigit()))  # page numbers
    match = COVER_TITLE.match(compact)
    return match.group(1) if match else None


def _document_meta(path: Path, page_lines: list[list[str]], vocabulary: Vocabulary) -> DocumentMeta:
    """Department: the cover page's title (table headers may name another body, e.g. the
    city bureau above a district one); else the 部门： line or title anywhere in the text."""
    source = str(path)
    lines = [line for page in page_lines for line in page]
    department = department_from_cover(page_lines[0]) if page_lines else None
    department = department or find_department(lines)
    year = find_fiscal_year(lines)
    if not department or not year:
        missing = "department name" if not department else "fiscal year"
        raise ExtractionError(source, None, f"no {missing} found: not a departmental final account")
    return DocumentMeta(
        document_id=document_id_for(path), source_file=path.name, sha256=sha256_of(path),
        reader="pdf", department_name=department, fiscal_year=year, unit=find_unit(lines),
        phase=vocabulary.phase_of("".join(page_lines[0] if page_lines else []) + "".join(lines[:200])) or "final",
    )


class _Assembler:
    """Pages into statements: a titled table starts one, an untitled table continues it."""

    def __init__(self, vocabulary: Vocabulary, meta: DocumentMeta, source: str):
        self.vocabulary, self.meta, self.source = vocabulary, meta, source
        self.current: TableBuilder | None = None
        self.finished: list[TableBuilder] = []
        self.warnings: list[str] = []
        self.header_words: list = []
        self.body_words: list = []  # unruled: the current table's rows so far (their figures give its columns)

    def _title_statement(self, above: list[str]) -> str | None:
        joined = ["".join(above[i:i + 2]) for i in range(len(above))]
        return next((s for s in map(self.vocabulary.statement_for_title, list(above) + joined) if s), None)

    def feed(self, content: PageContent, table: Table | None) -> bool:
        """Take a page's table into the statements; False when it belongs to none."""
        if table is None:
            if content.has_text:
                self.close()
            return False
        statement = self._title_statement(table.above)
        if not statement and table.header:  # a title drawn inside the grid's top bands
            _drop_title_bands(table, self.vocabulary)
            statement = self._title_statement(table.above)
        unit = next((u for u in map(unit_of, table.above) if u), None)
        if statement:
            self.close()
            self.current = TableBuilder(statement, self.vocabulary, self.meta.document_id, unit or self.meta.unit)
            if not table.header:
                raise ExtractionError(self.source, None, f"table {statement} has no header row", page=content.number)
            self.current.set_header(table.header, table.text_columns)
            self.header_words = table.header_words  # empty for a ruled table
            self.body_words = list(table.body_words)
            rows = table.data[table.first_data:]
        elif table.few_figures and not self._continues_aligned(table):
            if self.current is not None:  # figures after a table that fit none of its columns: never dropped
                self.warnings.append(f"page {content.number}: figures after {self.current.statement} fit none of"
                                     " its columns: they could not be placed")
                self.close()
            return False
        elif self.current is not None and table.body_words:  # unruled page continuing a table
            if table.header_words and _repeats_header(table.header_words, self.header_words):
                self.current.set_header(table.header, table.text_columns)
                self.header_words = table.header_words
                self.body_words = list(table.body_words)
            elif not self.header_words:  # continues a ruled table on an unruled page: no header to place it by
                self.warnings.append(f"page {content.number}: {self.current.statement} continued without"
                                     " ruling lines or header: its figures could not be placed")
                return False
            else:  # header not repeated: the last one, placed over this page's columns
                body = table.header_words + table.body_words  # lines before the figures are rows
                known = self._known_columns(body)
                header, rows, text_columns = table_rows(self.header_words, body, content.number, table.first_line,
                                                        column_lines=known)
                self.body_words += table.body_words
                self.current.set_header(header, text_columns)
                table.data = rows
            rows = table.data
        elif self.current is not None:
            rows = table.data
            repeated = table.header and header_text(table.header) == self.current.header_signature
            if repeated:
                rows = table.data[table.first_data:]
        else:
            self.warnings.append(f"page {content.number}: a table under no T1…T9 title was skipped")
            return False
        self.current.add_rows([r for r in self._before_next_title(rows) if not is_column_number_row(r)])
        return True

    def _continues_aligned(self, table: Table) -> bool:
        """A page of a few figure rows continues the current unruled table when its figures
        sit in that table's figure columns."""
        return (self.current is not None and bool(self.header_words)
                and figures_align(table.header_words + table.body_words, self.body_words))

    def _known_columns(self, body: list) -> list | None:
        """The table's rows so far with this page's, when this page prints fewer figure columns
        than the table and all of its figures sit in the table's columns; else None (this
        page's own columns)."""
        if not self.body_words or figure_column_count(body) >= figure_column_count(self.body_words):
            return None
        return self.body_words + body if figures_align(body, self.body_words) else None

    def _before_next_title(self, rows: list[GridRow]) -> list[GridRow]:
        """Rows up to a row holding another table's title: a grid drawn over two tables of a
        page (its rows after the title are the next table's, read by word positions)."""
        for index, row in enumerate(rows):
            if any(self._title_statement([_title_part(cell)]) for cell in row.cells if "表" in cell):
                self.warnings.append(f"page {row.page}: {self.current.statement} grid runs into the next table's title")
                return rows[:index]
        return rows

    def close(self) -> None:
        if self.current is not None:
            if any(b.statement == self.current.statement for b in self.finished):
                self.warnings.append(f"{self.current.statement} printed twice; both kept")
            self.finished.append(self.current)
            self.current = None
            self.body_words = []
