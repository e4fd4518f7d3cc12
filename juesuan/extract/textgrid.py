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
from functools import lru_cache

from .layout import CODE, NOT_PRINTED, GridRow, parse_amount
from .vocabulary import strip_ordinal

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


@lru_cache(maxsize=8192)
def is_figure_word(text: str) -> bool:
    compact = text.replace(" ", "")
    return parse_amount(compact) is not None or bool(CODE.match(compact)) or (compact != "" and compact in NOT_PRINTED)


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


def join_spaced(line: list[Word], known: frozenset[str]) -> list[Word]:
    """Characters of one word printed letter-spaced (金   额, 合   计) joined back, when the
    joined word is one the vocabulary knows; 类 款 项 side by side stay three cells."""
    out: list[Word] = []
    for word in line:
        last = out[-1] if out else None
        if (last is not None and len(word.text) == 1 and CJK_START.match(word.text)
                and CJK_START.match(last.text[-1]) and last.text + word.text in known
                and word.x0 - last.x1 <= 6 * word.size):
            out[-1] = Word(last.text + word.text, last.x0, word.x1, last.base, last.size)
        else:
            out.append(word)
    return out


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


def figure_columns(rows: list[list[Word]]) -> list[tuple[float, float]]:
    spans = sorted((w.x0, w.x1) for row in rows for w in row if is_figure_word(w.text))
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def over_figure_columns(line: list[Word], spans: list[tuple[float, float]]) -> bool:
    """A line of text whose words sit over figure or code columns: header cells (类 款 项),
    never a piece of a row's name, which is printed in a text column."""
    return any(_overlap(w.x0, w.x1, x0, x1) > 0.5 * (w.x1 - w.x0) for w in line for x0, x1 in spans)


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
    """One column for a word of a data row: a figure goes to the figure column it overlaps
    most; a name goes to a text column (a 当年支出小计 printed across a figure column is
    still a name), the one its middle falls in, else the nearest."""
    if is_figure_word(word.text):
        best, best_overlap = None, 0.0
        for index, column in enumerate(columns):
            overlap = min(word.x1, column.x1) - max(word.x0, column.x0)
            if column.figures and overlap > best_overlap:
                best, best_overlap = index, overlap
        if best is not None:
            return best
    home = _place(word, columns)[0]
    return home if not columns[home].figures else _text_neighbour(word, columns)


def _text_neighbour(word: Word, columns: list[_Column]) -> int:
    texts = [i for i, c in enumerate(columns) if not c.figures]
    return min(texts, key=lambda i: abs((columns[i].x0 + columns[i].x1) / 2 - word.cx))


def _children(header_lines: list[list[Word]], wrapped: set[int] = frozenset(),
              groups: bool = True) -> dict[int, list[Word]]:
    """The words printed under each header word.

    A lower word hangs under a word of the closest line above that has one near its middle
    (within two characters). With `groups`, a word near none hangs under the group cell
    nearest to it on any line above holding several group cells (收入 | 支出 over 项目 |
    决算数), the lower line on a tie. A cell wrapped over lines (`wrapped`) is never a group.
    """
    children: dict[int, list[Word]] = {id(w): [] for line in header_lines for w in line}
    ordered = sorted((line for line in header_lines if line), key=lambda line: -line[0].base)
    near_below = _children(header_lines, wrapped, groups=False) if groups else {}
    top = ordered[0][0].base if ordered else 0.0
    words = [w for line in ordered for w in line]

    def under(word: Word) -> list[Word]:
        """Cells printed under a word, up to three characters beside it."""
        return [w for w in words if w.base < word.base - 0.3 * w.size
                and _overlap(word.x0 - 3 * word.size, word.x1 + 3 * word.size, w.x0, w.x1) > 0]

    def can_group(word: Word) -> bool:
        """A group cell is on the header's top line or has a cell printed under it; a cell
        centred over several header lines with nothing under it is a leaf."""
        return word.base >= top - 0.3 * word.size or bool(under(word))

    for position, lower in enumerate(ordered):
        uppers = [line for line in reversed(ordered[:position]) if line[0].base > lower[0].base + 0.3 * line[0].size]
        for child in lower:
            parent = None
            for upper in uppers:
                near = min(upper, key=lambda w: _distance(w, child.cx))
                if _distance(near, child.cx) <= 2 * near.size:
                    parent = near
                    break
            if parent is None and groups:
                # a cell printed higher than a group's own columns (合计 centred over two header
                # rows beside 公务用车购置及运行维护费 / 小计) is its sibling, not under it
                candidates = [(_distance(w, child.cx), rank, w) for rank, upper in enumerate(uppers)
                              if _spans(upper, wrapped, child) for w in upper if id(w) not in wrapped
                              and can_group(w)
                              and not _below_child(near_below[id(w)] + under(w), child)]
                if candidates:
                    parent = min(candidates, key=lambda c: (c[0], c[1]))[2]
            if parent is not None:
                children[id(parent)].append(child)
    return children


def _below_child(cells: list[Word], child: Word) -> bool:
    """The first cells under a group all sit lower than `child`: the child, centred over
    more header lines, is the group's sibling."""
    return bool(cells) and max(c.base for c in cells) < child.base - 0.3 * child.size


def _spans(line: list[Word], wrapped: set[int], child: Word) -> bool:
    """A line of several group cells that reaches over the child's middle: the outer cells
    reach three quarters of their spacing beyond their middles (a name column left of every group cell of a line of
    column headers hangs under none of them)."""
    groups = [w for w in line if id(w) not in wrapped]
    if len(groups) == 1:  # a lone group cell (收入预算 over its columns) reaches half again its width
        width = groups[0].x1 - groups[0].x0
        return groups[0].x0 - 1.5 * width <= child.cx <= groups[0].x1 + 1.5 * width
    if len(groups) < 2:
        return False
    reach = (groups[-1].cx - groups[0].cx) / (len(groups) - 1) * 0.75  # cells sit off the middle of their block
    return groups[0].cx - reach <= child.cx <= groups[-1].cx + reach


def _join_wrapped(header_lines: list[list[Word]]) -> tuple[list[list[Word]], set[int]]:
    """A word with a single word near under it, overlapping it, is one cell wrapped over two
    lines (财政拨款收 / 入, 因公出国 / （境）费): joined into the upper word."""
    joined: set[int] = set()
    while True:
        children = _children(header_lines, groups=False)
        pair = next(((w, children[id(w)][0]) for line in header_lines for w in line
                     if len(children[id(w)]) == 1 and _stacked(w, children[id(w)][0])),
                    None)
        if pair is None:
            return header_lines, joined
        upper, lower = pair
        upper.text += lower.text
        upper.x0, upper.x1 = min(upper.x0, lower.x0), max(upper.x1, lower.x1)
        joined.add(id(upper))
        header_lines = [[w for w in line if w is not lower] for line in header_lines]


def _distance(word: Word, x: float) -> float:
    return 0.0 if word.x0 <= x <= word.x1 else min(abs(word.x0 - x), abs(word.x1 - x))


def _leaf_cells(leaves: list[Word]) -> tuple[list[Word], list[set[int]]]:
    """Leaf header words stacked in one cell (因公出国 / （境）费) joined into one word; with
    the ids of the words each cell holds."""
    cells: list[Word] = []
    members: list[set[int]] = []
    for word in sorted(leaves, key=lambda w: (-w.base, w.x0)):
        above = next((i for i in range(len(cells) - 1, -1, -1) if 0 < cells[i].base - word.base <= 1.6 * word.size
                      and word.x0 < cells[i].x1 and cells[i].x0 < word.x1), None)
        if above is None:
            cells.append(Word(word.text, word.x0, word.x1, word.base, word.size))
            members.append({id(word)})
        else:
            cell = cells[above]
            cell.text += word.text
            cell.x0, cell.x1, cell.base = min(cell.x0, word.x0), max(cell.x1, word.x1), word.base
            members[above].add(id(word))
    return cells, members


def _stacked(upper: Word, lower: Word) -> bool:
    """Two words printed as lines of one cell: one over the other (overlapping by half the
    narrower one), a line apart (a group cell and its columns sit further apart)."""
    narrower = min(upper.x1 - upper.x0, lower.x1 - lower.x0)
    return (_overlap(upper.x0, upper.x1, lower.x0, lower.x1) >= narrower / 2
            and upper.base - lower.base <= 1.6 * max(upper.size, lower.size))


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def header_cells(header_lines: list[list[Word]], columns: list[_Column]) -> list[str]:
    """One header path per column, '/' between cells.

    A leaf cell (a header word with nothing printed under it) names at most one column: the
    figure column it overlaps most, else the text column its middle falls in; a leaf over a
    column that prints no figure names nothing read. A group cell reaches every column under
    the words it covers.
    """
    header_lines, wrapped = _join_wrapped([[Word(w.text, w.x0, w.x1, w.base, w.size) for w in line]
                                           for line in header_lines])
    children = _children(header_lines, wrapped)
    groups = [w for line in header_lines for w in line if children[id(w)]]
    leaves, members = _leaf_cells([w for line in header_lines for w in line if not children[id(w)]])
    leaf_of: dict[int, int] = {}  # column -> the leaf cell naming it
    parts: list[list[tuple[float, str]]] = [[] for _ in columns]
    taken: set[int] = set()
    for index, column in enumerate(columns):
        if not column.figures:
            continue
        pad = 0.5 * max((w.size for w in leaves), default=0.0)
        scored = [(_overlap(w.x0, w.x1, column.x0 - pad, column.x1 + pad), i) for i, w in enumerate(leaves)]
        scored = [(o, i) for o, i in scored if o > 0 and i not in taken]
        if scored:
            best = max(scored)[1]
            # the leaf goes to the column it overlaps most, not a neighbour it grazes
            rival = max((_overlap(leaves[best].x0, leaves[best].x1, c.x0, c.x1), j)
                        for j, c in enumerate(columns) if c.figures)
            if rival[1] == index or rival[0] <= 0:
                taken.add(best)
                leaf_of[index] = best
                parts[index].append((-leaves[best].base, leaves[best].text))
    for index, column in enumerate(columns):  # a figure column no leaf overlaps: the leaf nearest to it
        if not column.figures or parts[index]:
            continue
        free = [i for i in range(len(leaves)) if i not in taken
                and _nearest_figure_column(leaves[i], columns) == index]
        if free:
            best = min(free, key=lambda i: abs(leaves[i].cx - (column.x0 + column.x1) / 2))
            taken.add(best)
            leaf_of[index] = best
            parts[index].append((-leaves[best].base, leaves[best].text))
    for i, leaf in enumerate(leaves):
        if i in taken:
            continue
        home = next((j for j, c in enumerate(columns) if not c.figures and c.x0 <= leaf.cx <= c.x1), None)
        if home is not None:
            parts[home].append((-leaf.base, leaf.text))
    for group in groups:
        below = _descendants(group, children)
        under = {id(w) for w in below}
        x0 = min([group.x0] + [c.x0 for c in below])
        x1 = max([group.x1] + [c.x1 for c in below])
        for index, column in enumerate(columns):
            middle = (column.x0 + column.x1) / 2
            if index in leaf_of:  # a column named by a leaf is under the groups over that leaf
                reaches = bool(members[leaf_of[index]] & under)
            else:
                reaches = (column.figures and _overlap(x0, x1, column.x0, column.x1) > 0) or x0 <= middle <= x1
            if reaches:
                parts[index].append((-group.base, group.text))
    return ["/".join(text for _, text in sorted(p)) for p in parts]


def _nearest_figure_column(word: Word, columns: list[_Column]) -> int | None:
    figures = [i for i, c in enumerate(columns) if c.figures]
    return min(figures, key=lambda i: abs((columns[i].x0 + columns[i].x1) / 2 - word.cx)) if figures else None


def _descendants(word: Word, children: dict[int, list[Word]]) -> list[Word]:
    out, stack = [], list(children[id(word)])
    while stack:
        child = stack.pop()
        out.append(child)
        stack.extend(children.get(id(child), []))
    return out


def wrap_distance(lines: list[list[Word]]) -> float:
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


def _join_cut_names(lines: list[list[Word]], columns: list[_Column], owner: dict[int, int]) -> None:
    """A name printed from the top of its cell and cut where the column ends (机关事业单位基本
    养老保险缴 / 费支出): a line of text only, under a name that fills its column, goes on it."""
    right_edge: dict[int, float] = {}
    for line in lines:
        for word in line:
            if not is_figure_word(word.text):
                column = _cell_of(word, columns)
                right_edge[column] = max(right_edge.get(column, word.x1), word.x1)
    bases = [line[0].base for line in lines]
    gaps = sorted(a - b for a, b in zip(bases, bases[1:]) if a - b > 0)
    usual = gaps[(3 * len(gaps)) // 4] if gaps else 0.0
    for i in range(1, len(lines)):
        if i in owner or has_figure(lines[i]) or lines[i - 1][0].base - lines[i][0].base > 1.2 * usual:
            continue
        first = lines[i][0]
        if strip_ordinal(first.text) != first.text:  # 五、教育支出 starts an item of its own
            continue
        column = _cell_of(first, columns)
        above = [w for w in lines[i - 1] if not is_figure_word(w.text) and _cell_of(w, columns) == column]
        if above and above[-1].x1 >= right_edge[column] - 1.5 * first.size and abs(above[0].x0 - first.x0) <= first.size:
            owner[i] = owner.get(i - 1, i - 1)


def _row_bands(lines: list[list[Word]], figure_lines: list[int], columns: list[_Column]) -> dict[int, int]:
    """Each figure line -> the first line of its row. Figures of one row may be printed on
    two baselines (a cell's figure centred, its neighbour's set at the top): a figure line
    closer to the one above than a glyph is tall, with no figure in a column that line
    already fills, is part of that row (two rows never overlap)."""
    owner: dict[int, int] = {}
    filled: dict[int, set[int]] = {}
    previous = None
    for i in figure_lines:
        cells = {_cell_of(w, columns) for w in lines[i] if is_figure_word(w.text)}
        if previous is not None:
            head = owner[previous]
            size = max(w.size for w in lines[i] + lines[previous])
            if lines[previous][0].base - lines[i][0].base < 0.9 * size and not cells & filled[head]:
                owner[i] = head
                filled[head] |= cells
                previous = i
                continue
        owner[i] = i
        filled[i] = cells
        previous = i
    return owner


def _cell_leading(lines: list[list[Word]], owner: dict[int, int]) -> float:
    """How far apart the lines of a name wrapped in its cell can be: a line and a half of
    the type (the leading of a cell), and less than rows sit apart (three fifths of the
    closest two rows of figures), so a row printed without figures stays a row."""
    heads = sorted({head for head in owner.values()})
    if len(heads) < 2:
        return 0.0
    pitch = min(lines[a][0].base - lines[b][0].base for a, b in zip(heads, heads[1:]))
    sizes = sorted(w.size for line in lines for w in line)
    return min(1.5 * sizes[len(sizes) // 2], 0.6 * pitch)


def data_rows(lines: list[list[Word]], columns: list[_Column], page: int, first_line: int) -> list[GridRow]:
    """Rows of a table body: figure lines, with wrapped name pieces joined into their cell."""
    figure_lines = [i for i, line in enumerate(lines) if has_figure(line)]
    if not figure_lines:
        return []
    wrap = wrap_distance(lines)
    owner = _row_bands(lines, figure_lines, columns)
    leading = _cell_leading(lines, owner)
    spans = [(c.x0, c.x1) for c in columns if c.figures]

    def is_piece(i: int, distance: float) -> bool:
        """A text line this far from a line of a row is a piece of that row's name."""
        if distance <= wrap:
            return True
        first = lines[i][0].text
        return (distance <= leading and strip_ordinal(first) == first  # 五、教育支出 is an item of its own
                and not over_figure_columns(lines[i], spans))

    for i, line in enumerate(lines):
        if i in owner:
            continue
        nearest = min(figure_lines, key=lambda j: abs(lines[j][0].base - line[0].base))
        if is_piece(i, abs(lines[nearest][0].base - line[0].base)):
            owner[i] = owner[nearest]
    _join_cut_names(lines, columns, owner)
    # a name wrapped over three lines or more: a piece next to a piece of a cell is of it too
    changed = True
    while changed:
        changed = False
        for i in range(len(lines)):
            if i in owner:
                continue
            for j in (i - 1, i + 1):
                if j in owner and 0 <= j < len(lines) and j not in figure_lines \
                        and is_piece(i, abs(lines[j][0].base - lines[i][0].base)) and owner[j] not in (i,):
                    owner[i] = owner[j]
                    changed = True
                    break
    for i in range(len(lines)):
        owner.setdefault(i, i)
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
               first_line: int, column_lines: list[list[Word]] | None = None) -> tuple[list[GridRow], list[GridRow], set[int]]:
    """Header (one row of paths), data rows, and the indices of text columns.

    The figure columns come from `column_lines` when given (the lines of every page of the
    table: a page printing a few rows does not show every column), else from the body."""
    all_words = [w for line in header_lines + body for w in line]
    if not all_words:
        return [], [], set()
    left = min(w.x0 for w in all_words) - 1
    right = max(w.x1 for w in all_words) + 1
    columns = _columns(figure_columns(body if column_lines is None else column_lines), left, right)
    if body:  # the space between two figure columns is a column only where names are printed
        used = {_cell_of(w, columns) for line in body for w in line}
        columns = [c for i, c in enumerate(columns) if c.figures or i in used]
    header = [GridRow(header_cells(header_lines, columns), first_line, page)] if header_lines else []
    rows = data_rows(body, columns, page, first_line + len(header_lines))
    text_columns = {i for i, c in enumerate(columns) if not c.figures}
    return header, rows, text_columns


def figures_align(lines: list[list[Word]], known_lines: list[list[Word]]) -> bool:
    """Every figure of `lines` falls in a figure column of `known_lines` (a table's rows seen
    so far): rows printed under that table's columns."""
    spans = figure_columns(known_lines)
    figures = [w for line in lines for w in line if is_figure_word(w.text)]
    return bool(figures and spans) and all(any(w.x0 < x1 and w.x1 > x0 for x0, x1 in spans) for w in figures)


def figure_column_count(lines: list[list[Word]]) -> int:
    return len(figure_columns(lines))


def is_column_numbers(words: list[Word]) -> bool:
    """A 栏次 line: it names itself, or prints only 1, 2, 3 … numbering the columns."""
    texts = [w.text for w in words]
    if "栏次" in texts:
        return True
    return len(texts) >= 2 and all(t.isdigit() for t in texts) and [int(t) for t in texts] == list(
        range(int(texts[0]), int(texts[0]) + len(texts)))


def is_prose(words: list[Word]) -> bool:
    """A line of running text: long, and its words fill the line (a table row has gaps)."""
    if not words:
        return False
    chars = sum(len(w.text) for w in words)
    filled = sum(w.x1 - w.x0 for w in words) / max(words[-1].x1 - words[0].x0, 1e-6)
    return chars >= 15 and filled > 0.85


def is_note(words: list[Word]) -> bool:
    return bool(words) and bool(NOTE.match(words[0].text))
