"""Rows from baselines alone (textgrid.data_rows), on placed words: the two shapes an unruled
page prints that the first round misread, and the row they must not swallow."""
from __future__ import annotations

from juesuan.extract.textgrid import Word, _Column, data_rows

SIZE = 11.0
COLUMNS = [_Column(50, 185, False), _Column(190, 230, True), _Column(240, 280, True)]


def _line(base: float, *cells: tuple[str, float, float]) -> list[Word]:
    return [Word(text, x0, x1, base, SIZE) for text, x0, x1 in cells]


def _rows(lines):
    return [row.cells for row in data_rows(lines, COLUMNS, page=1, first_line=1)]


def test_figures_on_two_baselines_a_name_over_three_lines_and_a_row_without_figures():
    lines = [
        _line(500, ("2,336.91", 190, 230)),                                    # 合计's 基本支出, set higher
        _line(493, ("合计", 60, 82), ("2,940.05", 240, 280)),
        _line(470, ("一般公共服务支出", 60, 150), ("10.00", 190, 230), ("20.00", 240, 280)),
        _line(452, ("机关事业单位基本", 60, 150)),                              # a name over three lines,
        _line(438, ("养老保险缴费", 60, 130), ("6.18", 190, 230), ("6.18", 240, 280)),  # one line of type apart
        _line(424, ("支出", 60, 80)),
        _line(400, ("二、外交支出", 60, 120)),                                   # a row of its own, no figures
        _line(376, ("行政运行", 60, 100), ("1.00", 190, 230), ("1.00", 240, 280)),
    ]
    assert _rows(lines) == [
        ["合计", "2,336.91", "2,940.05"],
        ["一般公共服务支出", "10.00", "20.00"],
        ["机关事业单位基本养老保险缴费支出", "6.18", "6.18"],
        ["二、外交支出", "", ""],
        ["行政运行", "1.00", "1.00"],
    ]


def test_two_figures_in_one_column_are_two_rows_however_close():
    lines = [
        _line(500, ("甲", 60, 71), ("1.00", 190, 230)),
        _line(492, ("乙", 60, 71), ("2.00", 190, 230)),
    ]
    assert _rows(lines) == [["甲", "1.00", ""], ["乙", "2.00", ""]]
