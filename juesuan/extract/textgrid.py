"""Tables from the text layer alone: words placed by position, no ruling lines needed.

A page's printed lines (characters sharing a baseline) are split into words at wide gaps.
Within a table (the lines under a title, or an untitled page continuing one):
- the first line holding a figure ends the header; the lines above it (after the title and
  the 单位/编制单位 lines) are header lines;
- columns come from the figures: the x-extents of figure words of all data lines, merged
  where they overlap, are the figure columns; the space between two figure columns is a text
  column (names, codes printed as words of their own are figure columns too);
- each header word belongs to every figure column it overlaps, else to the text column its
  middle falls in; a column's header path is its words top to bottom, and words of one
  wrapped cell (the same columns, adjacent lines) are joined into one part;
- rows come from baselines: a line with a figure is a row; a line with text only is a piece
  of a name wrapped inside its cell when it lies closer to a figure line than half the usual
  row pitch (cells are centred vertically), else a row of its own (a line printed without
  figures, e.g. 二、政府性基金预算财政拨款收入).

The result is the same `GridRow` form the ruled reader and the text reader hand to
`TableBuilder`, so header → measure, codes and amounts are decided in one place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .layout import AMOUNT, CODE, NOT_PRINTED, GridRow

WORD_GAP = 0.9        # a gap wider than this × font size separates two words
CODE_GLUED = re.compile(r"^(\d{3}(?:\d{2}){0,2})([\u4e00-\u9fff].*)$")  # "310资本性支出"
CJK_START = re.compile(r"[\u4e00-\u9fff一二三四五六七八九十]")
NOTE = re.compile(r"^(注|说明)\s*[:：]|^注\d")


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    base: float
    size: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


def is_figure_word(text: str) -> bool:
    compact = text.replace(" ", "")
    return bool(AMOUNT.match(compact) or CODE.match(compact) or compact in NOT_PRINTED - {""})


def _boundary(previous, char) -> bool:
    """Two words meet here: a wide gap, or a figure followed after a small gap by a name
    (cells printed one space apart: `171,915,169 一、一般公共服务支出`)."""
    gap = char.x0 - previous.x1
    size = max(char.size, previous.size)
    if gap > WORD_GAP * size:
        return True
    return gap > 0.2 * size and previous.text in "0123456789" and bool(CJK_START.match(char.text))


def words_of(line) -> list[Word]:
    """A printed line (chars left to right) cut into words at gaps wider than a character."""
    words: list[Word] = []
    current: list = []
    for char in line:
        if current and _boundary(current[-1], char):
            words.extend(_word(current))
            current = []
        current.append(char)
    if current:
        words.extend(_word(current))
    return words


def _word(chars) -> list[Word]:
    text = "".join(c.text for c in chars)
    base, size = chars[0].base, max(c.size for c in chars)
    glued = CODE_GLUED.match(text)
    if glued:  # a code printed against its name: two cells
        cut = len(glued.group(1))
        return [Word(glued.group(1), chars[0].x0, chars[cut - 1].x1, base, size),
                Word(glued.group(2), chars[cut].x0, chars[-1].x1, base, size)]
    return [Word(text, chars[0].x0, chars[-1].x1, base, size)]


def has_figure(words: list[Word]) -> bool:
    return any(is_figure_word(w.text) for w in words)


@dataclass
class _Column:
    x0: float
    x1: float
    figures: bool  # a figure column (else the text between two figure columns)


def _figure_columns(rows: list[list[Word]]) -> list[tuple[float, float]]:
    spans = sorted((w.x0, w.x1) for row in rows for w in row if is_figure_word(w.text))
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _columns(figure_spans: list[tuple[float, float]], left: float, right: float) -> list[_Column]:
    columns: list[_Column] = []
    edge = left
    for x0, x1 in figure_spans:
        columns.append(_Column(edge, x0, False))
        columns.append(_Column(x0, x1, True))
        edge = x1
    columns.append(_Column(edge, right, False))
    return columns


def _place(word: Word, columns: list[_Column]) -> list[int]:
    """Columns a word belongs to: every figure column it overlaps, else where its middle is."""
    overlapped = [i for i, c in enumerate(columns) if c.figures and word.x0 < c.x1 and word.x1 > c.x0]
    if overlapped:
        return overlapped
    for index, column in enumerate(columns):
        if column.x0 <= word.cx <= column.x1:
            return [index]
    return [0 if word.cx < columns[0].x1 else len(columns) - 1]


def _cell_of(word: Word, columns: list[_Column]) -> int:
    """One column for a word of a data row: the figure column it overlaps most, else its text column."""
    best, best_overlap = None, 0.0
    for index, column in enumerate(columns):
        overlap = min(word.x1, column.x1) - max(word.x0, column.x0)
        if column.figures and overlap > best_overlap:
            best, best_overlap = index, overlap
    if best is not None and (is_figure_word(word.text) or best_overlap >= (word.x1 - word.x0) / 2):
        return best
    return _place(word, columns)[0] if not columns[_place(word, columns)[0]].figures else _text_neighbour(word, columns)


def _text_neighbour(word: Word, columns: list[_Column]) -> int:
    texts = [i for i, c in enumerate(columns) if not c.figures]
    return min(texts, key=lambda i: abs((columns[i].x0 + columns[i].x1) / 2 - word.cx))


def _group_spans(header_lines: list[list[Word]]) -> dict[int, tuple[float, float]]:
    """Each header word's reach: its own extent, widened over the words printed under it
    whose middle is nearest to it in its line (a group cell like 收入 over 项目 | 决算数)."""
    spans = {id(w): (w.x0, w.x1) for line in header_lines for w in line}
    for upper in header_lines:
        for lower in header_lines:
            if not lower or not upper or lower[0].base >= upper[0].base:
                continue
            for child in lower:
                parent = min(upper, key=lambda w: _distance(w, child.cx))
                if _distance(parent, child.cx) <= 3 * parent.size:
                    x0, x1 = spans[id(parent)]
                    spans[id(parent)] = (min(x0, child.x0), max(x1, child.x1))
    return spans


def _distance(word: Word, x: float) -> float:
    return 0.0 if word.x0 <= x <= word.x1 else min(abs(word.x0 - x), abs(word.x1 - x))


def header_cells(header_lines: list[list[Word]], columns: list[_Column]) -> list[str]:
    """One header text per column: its header words top to bottom, '/' between cells."""
    placed: list[tuple[float, tuple[int, ...], Word]] = []
    spans = _group_spans(header_lines)
    for line in header_lines:
        for word in line:
            x0, x1 = spans[id(word)]
            placed.append((-word.base, tuple(_place(Word(word.text, x0, x1, word.base, word.size), columns)), word))
    placed.sort(key=lambda p: (p[0], p[2].x0))
    paths: list[list[str]] = [[] for _ in columns]
    last_span: list[tuple[int, ...] | None] = [None] * len(columns)
    last_base: list[float] = [0.0] * len(columns)
    for _, span, word in placed:
        for index in span:
            wrapped = (last_span[index] == span and paths[index]
                       and last_base[index] - word.base <= word.size * 1.6)
            if wrapped:
                paths[index][-1] += word.text
            else:
                paths[index].append(word.text)
            last_span[index], last_base[index] = span, word.base
    return ["/".join(parts) for parts in paths]


def _wrap_distance(lines: list[list[Word]]) -> float:
    """How close a text line must be to a figure line to be a piece of its wrapped name.

    Lines of one cell sit closer than rows do. When the smallest line spacing is well below
    the usual row spacing (upper quartile), lines that close are pieces of one cell; when all
    spacings are alike (no wrapped names), no line is a piece of another.
    """
    bases = [line[0].base for line in lines]
    gaps = sorted(a - b for a, b in zip(bases, bases[1:]) if a - b > 0)
    if len(gaps) < 2:
        return 0.0
    usual = gaps[(3 * len(gaps)) // 4]
    smallest = gaps[0]
    return smallest * 1.25 if smallest < 0.6 * usual else 0.0


def data_rows(lines: list[list[Word]], columns: list[_Column], page: int, first_line: int) -> list[GridRow]:
    """Rows of a table body: figure lines, with wrapped name pieces joined into their cell."""
    figure_lines = [i for i, line in enumerate(lines) if has_figure(line)]
    if not figure_lines:
        return []
    wrap = _wrap_distance(lines)
    owner: dict[int, int] = {}
    for i, line in enumerate(lines):
        if i in figure_lines:
            owner[i] = i
            continue
        nearest = min(figure_lines, key=lambda j: abs(lines[j][0].base - line[0].base))
        if abs(lines[nearest][0].base - line[0].base) <= wrap:
            owner[i] = nearest
        else:
            owner[i] = i
    rows: dict[int, list[list[str]]] = {}
    for i in sorted(owner, key=lambda k: -lines[k][0].base):
        cells = rows.setdefault(owner[i], [[] for _ in columns])
        for word in lines[i]:
            cells[_cell_of(word, columns)].append(word.text)
    out = []
    for i in sorted(rows):
        texts = ["".join(parts) for parts in rows[i]]
        out.append(GridRow(texts, first_line + i, page))
    return out


def table_rows(header_lines: list[list[Word]], body: list[list[Word]], page: int,
               first_line: int) -> tuple[list[GridRow], list[GridRow], set[int]]:
    """Header (one row of paths), data rows, and the indices of text columns."""
    all_words = [w for line in header_lines + body for w in line]
    if not all_words:
        return [], [], set()
    left = min(w.x0 for w in all_words) - 1
    right = max(w.x1 for w in all_words) + 1
    columns = _columns(_figure_columns(body), left, right)
    if body:  # the space between two figure columns is a column only where names are printed
        used = {_cell_of(w, columns) for line in body for w in line}
        columns = [c for i, c in enumerate(columns) if c.figures or i in used]
    header = [GridRow(header_cells(header_lines, columns), first_line, page)] if header_lines else []
    rows = data_rows(body, columns, page, first_line + len(header_lines))
    text_columns = {i for i, c in enumerate(columns) if not c.figures}
    return header, rows, text_columns


def is_note(words: list[Word]) -> bool:
    return bool(words) and bool(NOTE.match(words[0].text))
