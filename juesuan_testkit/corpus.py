"""Synthetic 部门决算 documents for tests and benchmarks (issue 6).

From one real document in the extracted-text form, make N documents of other departments and
years in the same form. The template gives the structure (tables, rows, codes, names, header
wording) and the order of magnitude of every leaf amount; the amounts of each generated
document are the template's leaves scaled and jittered, and every total is derived from its
parts through the balancing identities of DOMAIN.md, exactly, in integer 分 (0.01 元):

- T2/T3/T5/T7/T8: leaf rows per column -> 款 -> 类 -> 合计; row totals = Σ parts;
  T7 本年收入 = 本年支出 + 年末 − 年初.
- T4: appropriation income lines from T5/T7/T8 and the carry-overs; class lines from T5/T7/T8.
- T6: 款 leaves apportioned so that 人员经费合计 + 公用经费合计 = T5 合计 基本支出.
- T2 财政拨款收入 leaves apportioned so that their 合计 = T4 本年收入合计.
- T1: income lines from T4 and T2, class lines from T3, carry-overs so both 总计 balance.
- T9: 小计 and 合计 from their parts.

Layout varies by document: department and year, page breaks (repeated header and 栏次 rows,
sometimes no repeated header) at other rows, header and title wording variants that the seeds
know, 栏次 row forms, blank or "-" instead of 0.00, thousands separators, 元 instead of 万元,
the order of T7 and T8.

Documents in 万元 are exact. Documents in 元 are exact in 元, to the 分, and are not limited to
multiples of 100 元: converted to 万元 and rounded to 0.01 they still agree within n × 0.005
for a sum of n terms. Each rounding moves a value by more than −0.005 and at most +0.005, so
parts minus total differ by strictly less than (n + 1) × 0.005; being a multiple of 0.01, the
difference is then at most n × 0.005 (n even) or (n − 1) × 0.005 (n odd).

Deterministic: document i of seed s depends only on (template, s, i). A plain library: no
Dagster, no dbt. ``python -m juesuan_testkit.corpus TEMPLATE OUT_DIR -n N --seed S``.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from juesuan.extract.document import find_unit
from juesuan.extract.layout import (CODE, NOT_PRINTED, GridRow, TableBuilder, header_paths, is_column_number_row,
                             is_header_row, parse_amount, split_header)
from juesuan.extract.vocabulary import Vocabulary, default_vocabulary_dir, load_vocabulary, normalize, strip_ordinal

STATEMENTS = ("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9")
FUNCTIONAL = ("T2", "T3", "T5", "T7", "T8")
FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 分
WAN_CENT = 10_000  # 0.01 万元 in 分

# Wording variants per statement: printed header text -> alternatives. Each alternative is
# checked against seeds/header_synonyms.csv when the template is read (it must name the same
# measure), so a variant the extractor does not know is never printed.
HEADER_VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "T1": {"决算数": ("金额",), "金额": ("决算数",)},
    "T2": {"本年收入合计": ("合计",), "功能分类科目编码": ("支出功能分类科目编码", "科目编码")},
    "T3": {"本年支出合计": ("合计",), "功能分类科目编码": ("支出功能分类科目编码", "科目编码")},
    "T4": {"金额": ("决算数",), "决算数": ("金额",)},
    "T5": {"本年支出合计": ("合计",), "功能分类科目编码": ("支出功能分类科目编码", "科目编码")},
    "T6": {"金额": ("决算数",), "决算数": ("金额",), "经济分类科目编码": ("科目编码",)},
    "T7": {"小计": ("合计",), "功能分类科目编码": ("支出功能分类科目编码", "科目编码")},
    "T8": {"小计": ("合计",), "功能分类科目编码": ("支出功能分类科目编码", "科目编码")},
}

PLACES = (
    "清远市", "广州市", "韶关市", "深圳市", "珠海市", "汕头市", "佛山市", "江门市", "湛江市",
    "茂名市", "肇庆市", "惠州市", "梅州市", "汕尾市", "河源市", "阳江市", "东莞市", "中山市",
    "潮州市", "揭阳市", "云浮市", "清远市清城区", "清远市清新区", "韶关市浈江区", "佛山市南海区",
    "佛山市顺德区", "江门市新会区", "惠州市惠阳区", "梅州市梅江区", "湛江市霞山区",
)
AGENCIES = (
    "人力资源和社会保障局", "财政局", "教育局", "民政局", "司法局", "自然资源局", "生态环境局",
    "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "商务局", "文化广电旅游体育局",
    "卫生健康局", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局",
    "医疗保障局", "林业局", "城市管理和综合执法局", "科学技术局", "工业和信息化局", "发展和改革局",
    "档案馆", "地方志办公室", "机关事务管理局", "信访局", "政务服务数据管理局",
)
YEARS = tuple(range(2019, 2026))
DEPARTMENT_LINE_FORMS = ("部门", "部门", "部门", "单位名称", "编制单位")


class TemplateError(ValueError):
    """The template cannot serve as a model (an unknown row or column, a missing table)."""


# --------------------------------------------------------------------------------------------
# Reading the template
# --------------------------------------------------------------------------------------------

@dataclass
class Slot:
    """One printed amount of the template: where it sits and what it is."""

    position: int
    key: tuple  # (statement, row key, measure)


@dataclass
class RowTemplate:
    cells: list[str]  # template texts; amount positions are overwritten at render time
    slots: list[Slot]


@dataclass
class TableTemplate:
    statement: str
    title: str
    header_rows: list[list[str]]
    number_rows: list[list[str]]
    rows: list[RowTemplate]
    width: int
    header_variants: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)
    title_variants: tuple[str, ...] = ()


@dataclass
class FunctionalTree:
    codes: list[str]  # printed order
    children: dict[str, list[str]]
    leaves: list[str]
    classes: list[str]


@dataclass
class Template:
    source: str
    unit_fen: int
    tables: dict[str, TableTemplate]
    base: dict[tuple, int]  # template amount in 分 per key
    trees: dict[str, FunctionalTree]
    measures: dict[str, list[str]]  # functional statements: amount measures in column order
    t6_leaves: list[str]
    t6_children: dict[str, list[str]]
    t6_halves: dict[str, list[str]]  # personnel/public -> 类 codes
    t6_measure: dict[str, str] = field(default_factory=dict)  # economic code -> half's measure
    t4_class_lines: list[str] = field(default_factory=list)  # class codes of T4's expenditure lines
    t1_class_lines: list[str] = field(default_factory=list)  # class codes of T1's expenditure lines


def _fen(text: str, unit_fen: int) -> int:
    amount = parse_amount(text)
    if amount is None:
        raise TemplateError(f"'{text}' is not an amount")
    return int((Decimal(amount) * unit_fen).to_integral_value())


def _class_codes(vocabulary_dir: Path) -> dict[str, str]:
    with (vocabulary_dir / "functional_classes.csv").open(encoding="utf-8", newline="") as handle:
        return {normalize(r["class_name"]): r["class_code"] for r in csv.DictReader(handle)}


def _title_variants(vocabulary_dir: Path) -> dict[str, list[str]]:
    variants: dict[str, list[str]] = {}
    with (vocabulary_dir / "statement_titles.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "title":
                variants.setdefault(row["statement"], []).append(row["pattern"].replace('"', "“", 1).replace('"', "”", 1))
    return variants


def _split_template(lines: list[str], vocabulary: Vocabulary) -> dict[str, tuple[str, list[list[GridRow]]]]:
    """Statement -> (printed title, blocks of tab rows), the blocks in printed order."""
    tables: dict[str, tuple[str, list[list[GridRow]]]] = {}
    pending: tuple[str, str] | None = None
    current: str | None = None
    block: list[GridRow] = []

    def flush() -> None:
        nonlocal block, pending, current
        if not block:
            return
        if pending:
            current = pending[0]
            tables[current] = (pending[1], [])
            pending = None
        if current is None:
            raise TemplateError(f"line {block[0].line}: a table before any statement title")
        tables[current][1].append(block)
        block = []

    for number, line in enumerate(lines, start=1):
        if "\t" in line:
            block.append(GridRow(line.split("\t"), number))
            continue
        flush()
        statement = vocabulary.statement_for_title(line) if line.strip() else None
        if statement:
            pending = (statement, line.strip())
    flush()
    return tables


def _func_key(statement: str, code: str, label: str) -> str:
    if code:
        return code
    if "合计" in normalize(label):
        return "合计"
    raise TemplateError(f"{statement}: a row without code that is not 合计: '{label}'")


_T1_INCOME = (
    ("本年收入合计", "inc_total"), ("使用非财政拨款结余", "use_nonfiscal"), ("年初", "open"),
    ("总计", "grand"), ("一般公共预算财政拨款", "inc_gen"), ("政府性基金预算财政拨款", "inc_fund"),
    ("国有资本经营预算财政拨款", "inc_soe"), ("上级补助收入", "superior_subsidy_income"),
    ("事业收入", "business_income"), ("经营收入", "operating_income"),
    ("附属单位上缴收入", "affiliated_remittance_income"), ("其他收入", "other_income"),
)
_T1_EXPENDITURE = (("本年支出合计", "exp_total"), ("结余分配", "alloc"), ("年末", "close"), ("总计", "grand"))
_T4_INCOME = (("本年收入合计", "inc_total"), ("年初", "open"), ("总计", "grand"),
              ("一般公共预算财政拨款", "gen"), ("政府性基金预算财政拨款", "fund"), ("国有资本经营预算财政拨款", "soe"))
_T4_EXPENDITURE = (("本年支出合计", "exp_total"), ("年末", "close"), ("总计", "grand"))


def _line_key(statement: str, label: str, rules, classes: dict[str, str]) -> str:
    text = normalize(strip_ordinal(label))
    for word, key in rules:
        if word in text:
            return key
    if text in classes:
        return classes[text]
    raise TemplateError(f"{statement}: no meaning known for the line '{label}'")


def read_template(path: str | Path, vocabulary_dir: str | Path | None = None) -> Template:
    """Read a document in the extracted-text form into a Template (once per corpus)."""
    path = Path(path)
    vocabulary_dir = Path(vocabulary_dir) if vocabulary_dir else default_vocabulary_dir()
    vocabulary = load_vocabulary(str(vocabulary_dir))
    classes = _class_codes(vocabulary_dir)
    titles = _title_variants(vocabulary_dir)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    unit_fen = 100 if find_unit(lines) == "元" else FEN_PER_WAN
    split = _split_template(lines, vocabulary)
    missing = [s for s in STATEMENTS if s not in split]
    if missing:
        raise TemplateError(f"{path}: statements {' '.join(missing)} not found")

    tables: dict[str, TableTemplate] = {}
    base: dict[tuple, int] = {}
    measures: dict[str, list[str]] = {}
    for statement in STATEMENTS:
        title, blocks = split[statement]
        header_rows, first_data = split_header(blocks[0])
        number_rows = blocks[0][len(header_rows):len(blocks[0]) - len(first_data)]
        data = list(first_data)
        for block in blocks[1:]:
            data.extend(split_header(block)[1])
        builder = TableBuilder(statement, vocabulary, "template", "万元")
        builder.set_header(header_rows)
        columns = builder.columns
        unknown = [c.path for c in columns if c.role is None and c.path]
        if unknown:
            raise TemplateError(f"{statement}: headers not in header_synonyms: {unknown}")
        measures[statement] = [c.role.measure for c in columns if c.role and c.role.role == "amount"]
        width = max(len(r.cells) for r in blocks[0])
        rows: list[RowTemplate] = []
        t4_under_opening = False
        for row in data:
            texts = row.texts() + [""] * (width - len(row.cells))
            slots: list[Slot] = []
            for half in sorted({c.half for c in columns}):
                half_columns = [c for c in columns if c.half == half]
                code, label_parts, amounts = "", [], []
                for column in half_columns:
                    text = texts[column.index]
                    role = column.role.role if column.role else None
                    if role in ("label", "code"):
                        if role == "code" and CODE.match(text) and not code:
                            code = text
                        elif text:
                            label_parts.append(text)
                    elif role == "amount" and text not in NOT_PRINTED:
                        amounts.append(column)
                if not amounts:
                    continue
                label = " ".join(label_parts)
                for column in amounts:
                    measure = column.role.measure
                    if statement in FUNCTIONAL:
                        key = (statement, _func_key(statement, code, label), measure)
                    elif statement == "T1":
                        rules = _T1_INCOME if measure == "income_amount" else _T1_EXPENDITURE
                        key = (statement, _line_key(statement, label, rules, classes), measure)
                    elif statement == "T4":
                        if measure == "income_amount":
                            line = _line_key(statement, label, _T4_INCOME, classes)
                            if line == "open":
                                t4_under_opening = True
                            elif line in ("gen", "fund", "soe"):
                                line = ("open_" if t4_under_opening and label == strip_ordinal(label) else "inc_") + line
                            elif line != "open":
                                t4_under_opening = False
                        else:
                            line = _line_key(statement, label, _T4_EXPENDITURE, classes)
                        key = (statement, line, measure)
                    elif statement == "T6":
                        if code:
                            line = code
                        elif "合计" in label:
                            line = "total"
                        else:
                            raise TemplateError(f"T6: a row without code that is not a 合计: '{label}'")
                        key = (statement, line, measure)
                    else:  # T9
                        key = (statement, "", measure)
                    if key in base:
                        raise TemplateError(f"line {row.line}: {statement} amount {key} printed twice")
                    base[key] = _fen(texts[column.index], unit_fen)
                    slots.append(Slot(column.index, key))
            rows.append(RowTemplate(texts, slots))
        table = TableTemplate(statement, title, [r.texts() + [""] * (width - len(r.cells)) for r in header_rows],
                              [r.texts() + [""] * (width - len(r.cells)) for r in number_rows], rows, width)
        _collect_variants(table, vocabulary)
        table.title_variants = tuple(t for t in titles.get(statement, []) if vocabulary.statement_for_title(t) == statement)
        tables[statement] = table

    trees = {s: _functional_tree(s, tables[s]) for s in FUNCTIONAL}
    t6_codes = [k[1] for k in base if k[0] == "T6" and k[1] != "total"]
    t6_children = {c: [d for d in t6_codes if len(d) == 5 and d[:3] == c] for c in t6_codes if len(c) == 3}
    t6_leaves = [c for c in t6_codes if len(c) == 5 or not t6_children.get(c)]
    t6_halves = {m: [k[1] for k in base if k[0] == "T6" and k[2] == m and len(k[1]) == 3]
                 for m in ("personnel_amount", "public_amount")}
    template = Template(str(path), unit_fen, tables, base, trees, measures, t6_leaves, t6_children, t6_halves)
    template.t6_measure = {code: m for (s, code, m) in base if s == "T6" and code != "total"}
    template.t4_class_lines = sorted({k[1] for k in base if k[0] == "T4" and k[1].isdigit()})
    template.t1_class_lines = sorted({k[1] for k in base if k[0] == "T1" and k[1].isdigit()})
    values = _model(template, random.Random(0), WAN_CENT, factor=1.0, jitter=0.0)
    absent = [k for k in base if k not in values]
    if absent:
        raise TemplateError(f"{path}: the model derives no value for {absent[:5]}")
    return template


def _functional_tree(statement: str, table: TableTemplate) -> FunctionalTree:
    codes: list[str] = []
    for row in table.rows:
        for slot in row.slots:
            code = slot.key[1]
            if code != "合计" and code not in codes:
                codes.append(code)
    present = set(codes)

    def parent(code: str) -> str | None:
        if len(code) == 7:
            return code[:5] if code[:5] in present else code[:3]
        if len(code) == 5:
            return code[:3]
        return None

    children: dict[str, list[str]] = {c: [] for c in codes}
    for code in codes:
        p = parent(code)
        if p is not None:
            if p not in present:
                raise TemplateError(f"{statement}: code {code} printed without its class {p}")
            children[p].append(code)
    leaves = [c for c in codes if not children[c]]
    classes = [c for c in codes if len(c) == 3]
    return FunctionalTree(codes, children, leaves, classes)


def _collect_variants(table: TableTemplate, vocabulary: Vocabulary) -> None:
    """Header cells that may be printed in another wording the seeds know, same measure."""
    variants = HEADER_VARIANTS.get(table.statement, {})
    grid = [GridRow(list(r), 0) for r in table.header_rows]
    original = [(c.role.role, c.role.measure) if c.role else None for c in _columns(table.statement, grid, vocabulary)]
    for r, row in enumerate(table.header_rows):
        for c, text in enumerate(row):
            alternatives = variants.get(normalize(text), ())
            good = []
            for alternative in alternatives:
                trial = [list(x) for x in table.header_rows]
                trial[r][c] = alternative
                roles = [(k.role.role, k.role.measure) if k.role else None
                         for k in _columns(table.statement, [GridRow(x, 0) for x in trial], vocabulary)]
                if roles == original and len(header_paths([GridRow(x, 0) for x in trial])) == len(original):
                    good.append(alternative)
            if good:
                table.header_variants.append((r, c, tuple(good)))


def _columns(statement: str, rows: list[GridRow], vocabulary: Vocabulary):
    builder = TableBuilder(statement, vocabulary, "template", "万元")
    builder.set_header(rows)
    return builder.columns


# --------------------------------------------------------------------------------------------
# The amounts of one document
# --------------------------------------------------------------------------------------------

def _apportion(target: int, weights: list[int], quantum: int) -> list[int]:
    """Split target (a multiple of quantum) over weights, exactly, largest remainder first."""
    units = target // quantum
    total = sum(weights)
    if not weights:
        if units:
            raise TemplateError("nothing to apportion an amount over")
        return []
    if total == 0:
        weights = [1] + [0] * (len(weights) - 1)
        total = 1
    shares = [units * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(units * weights[i] % total), i))
    for i in remainders[: units - sum(shares)]:
        shares[i] += 1
    return [s * quantum for s in shares]


def _model(t: Template, rng: random.Random, quantum: int, factor: float, jitter: float) -> dict[tuple, int]:
    """Every printed amount of one document, in 分, every total derived from its parts."""
    base = t.base
    uniform = rng.uniform

    def vary(value: int) -> int:
        if value == 0:
            return 0
        scaled = value * factor * (1.0 + uniform(-jitter, jitter)) if jitter else value * factor
        return max(1, round(scaled / quantum)) * quantum

    v: dict[tuple, int] = {}

    def aggregate(statement: str, measures: list[str]) -> None:
        tree = t.trees[statement]
        for code in sorted(tree.codes, key=len, reverse=True):
            kids = tree.children[code]
            if kids:
                for m in measures:
                    v[(statement, code, m)] = sum(v[(statement, k, m)] for k in kids)
        for m in measures:
            v[(statement, "合计", m)] = sum(v[(statement, c, m)] for c in tree.classes)

    # T5: 一般公共预算财政拨款支出
    for code in t.trees["T5"].leaves:
        b = vary(base.get(("T5", code, "basic_expenditure"), 0))
        p = vary(base.get(("T5", code, "project_expenditure"), 0))
        v[("T5", code, "basic_expenditure")], v[("T5", code, "project_expenditure")] = b, p
        v[("T5", code, "total_expenditure")] = b + p
    aggregate("T5", ["total_expenditure", "basic_expenditure", "project_expenditure"])

    # T7 and T8: fund tables
    for statement in ("T7", "T8"):
        for code in t.trees[statement].leaves:
            o = vary(base.get((statement, code, "opening_balance"), 0))
            b = vary(base.get((statement, code, "basic_expenditure"), 0))
            p = vary(base.get((statement, code, "project_expenditure"), 0))
            c = vary(base.get((statement, code, "closing_balance"), 0))
            if b + p + c < o:
                c = o - b - p
            v[(statement, code, "opening_balance")], v[(statement, code, "closing_balance")] = o, c
            v[(statement, code, "basic_expenditure")], v[(statement, code, "project_expenditure")] = b, p
            v[(statement, code, "expenditure_subtotal")] = b + p
            v[(statement, code, "current_income")] = b + p + c - o
        aggregate(statement, ["opening_balance", "current_income", "expenditure_subtotal",
                              "basic_expenditure", "project_expenditure", "closing_balance"])

    # T4: 财政拨款收入支出决算总表
    def fund_total(statement: str, measure: str) -> int:
        return v[(statement, "合计", measure)]

    m_in = "income_amount"
    open_gen = vary(base.get(("T4", "open_gen", m_in), 0))
    close_gen = vary(base.get(("T4", "close", "expenditure_general_budget"), 0))
    t5_total = fund_total("T5", "total_expenditure")
    if t5_total + close_gen < open_gen:
        close_gen = open_gen - t5_total
    opening = {"gen": open_gen, "fund": fund_total("T7", "opening_balance"), "soe": fund_total("T8", "opening_balance")}
    closing = {"gen": close_gen, "fund": fund_total("T7", "closing_balance"), "soe": fund_total("T8", "closing_balance")}
    spent = {"gen": t5_total, "fund": fund_total("T7", "expenditure_subtotal"),
             "soe": fund_total("T8", "expenditure_subtotal")}
    income = {f: spent[f] + closing[f] - opening[f] for f in spent}
    for f in ("gen", "fund", "soe"):
        v[("T4", "inc_" + f, m_in)] = income[f]
        v[("T4", "open_" + f, m_in)] = opening[f]
    v[("T4", "inc_total", m_in)] = appropriation = sum(income.values())
    v[("T4", "open", m_in)] = sum(opening.values())
    v[("T4", "grand", m_in)] = appropriation + sum(opening.values())
    columns = {"gen": "expenditure_general_budget", "fund": "expenditure_government_fund",
               "soe": "expenditure_state_capital"}
    sources = {"gen": ("T5", "total_expenditure"), "fund": ("T7", "expenditure_subtotal"),
               "soe": ("T8", "expenditure_subtotal")}
    for line in t.t4_class_lines:
        parts = [v.get((sources[f][0], line, sources[f][1]), 0) for f in ("gen", "fund", "soe")]
        for f, amount in zip(("gen", "fund", "soe"), parts):
            v[("T4", line, columns[f])] = amount
        v[("T4", line, "expenditure_total")] = sum(parts)
    for f in ("gen", "fund", "soe"):
        v[("T4", "exp_total", columns[f])] = spent[f]
        v[("T4", "close", columns[f])] = closing[f]
        v[("T4", "grand", columns[f])] = spent[f] + closing[f]
    for line in ("exp_total", "close", "grand"):
        v[("T4", line, "expenditure_total")] = sum(v[("T4", line, columns[f])] for f in columns)

    # T6: 基本支出 by economic class, apportioned onto T5 合计 基本支出
    t6_measure = t.t6_measure
    shares = _apportion(fund_total("T5", "basic_expenditure"),
                        [vary(base[("T6", c, t6_measure[c])]) for c in t.t6_leaves], quantum)
    for code, amount in zip(t.t6_leaves, shares):
        v[("T6", code, t6_measure[code])] = amount
    for code, kids in t.t6_children.items():
        if kids:
            v[("T6", code, t6_measure[code])] = sum(v[("T6", k, t6_measure[k])] for k in kids)
    for m, class_codes in t.t6_halves.items():
        if ("T6", "total", m) in base:
            v[("T6", "total", m)] = sum(v[("T6", c, m)] for c in class_codes)

    # T3: 支出决算表 — the appropriation part of each leaf plus a varied other part
    t3_parts = [m for m in t.measures["T3"] if m != "total_expenditure"]
    for code in t.trees["T3"].leaves:
        total = 0
        for m in t3_parts:
            amount = base.get(("T3", code, m), 0)
            if m in ("basic_expenditure", "project_expenditure"):
                fiscal_now = sum(v.get((s, code, m), 0) for s in ("T5", "T7", "T8"))
                fiscal_then = sum(base.get((s, code, m), 0) for s in ("T5", "T7", "T8"))
                amount = fiscal_now + vary(max(0, amount - fiscal_then))
            else:
                amount = vary(amount)
            v[("T3", code, m)] = amount
            total += amount
        v[("T3", code, "total_expenditure")] = total
    aggregate("T3", t.measures["T3"])

    # T2: 收入决算表 — 财政拨款收入 apportioned onto T4 本年收入合计
    t2_leaves = t.trees["T2"].leaves
    t2_parts = [m for m in t.measures["T2"] if m != "total_income"]
    for m in t2_parts:
        varied = [vary(base.get(("T2", c, m), 0)) for c in t2_leaves]
        if m == "fiscal_appropriation_income":
            varied = _apportion(appropriation, varied, quantum)
        for code, amount in zip(t2_leaves, varied):
            v[("T2", code, m)] = amount
    for code in t2_leaves:
        v[("T2", code, "total_income")] = sum(v[("T2", code, m)] for m in t2_parts)
    aggregate("T2", t.measures["T2"])

    # T1: 收入支出决算总表
    m_out = "expenditure_amount"
    for f in ("gen", "fund", "soe"):
        v[("T1", "inc_" + f, m_in)] = income[f]
    for m in t2_parts:
        if m != "fiscal_appropriation_income":
            v[("T1", m, m_in)] = v[("T2", "合计", m)]
    v[("T1", "inc_total", m_in)] = total_income = v[("T2", "合计", "total_income")]
    for line in t.t1_class_lines:
        v[("T1", line, m_out)] = v.get(("T3", line, "total_expenditure"), 0)
    v[("T1", "exp_total", m_out)] = total_expenditure = v[("T3", "合计", "total_expenditure")]
    use = vary(base.get(("T1", "use_nonfiscal", m_in), 0))
    alloc = vary(base.get(("T1", "alloc", m_out), 0))
    t1_open = max(vary(base.get(("T1", "open", m_in), 0)), v[("T4", "open", m_in)])
    t1_close = t1_open + total_income + use - total_expenditure - alloc
    floor = v[("T4", "close", "expenditure_total")]
    if t1_close < floor:
        t1_open += floor - t1_close
        t1_close = floor
    v[("T1", "use_nonfiscal", m_in)], v[("T1", "open", m_in)] = use, t1_open
    v[("T1", "alloc", m_out)], v[("T1", "close", m_out)] = alloc, t1_close
    v[("T1", "grand", m_in)] = total_income + use + t1_open
    v[("T1", "grand", m_out)] = total_expenditure + alloc + t1_close

    # T9: 三公经费
    for side in ("budget", "final"):
        out, buy, run, rec = (vary(base.get(("T9", "", f"{side}_{m}"), 0))
                              for m in ("outbound_travel", "vehicle_purchase", "vehicle_operation", "reception"))
        v[("T9", "", f"{side}_outbound_travel")], v[("T9", "", f"{side}_reception")] = out, rec
        v[("T9", "", f"{side}_vehicle_purchase")], v[("T9", "", f"{side}_vehicle_operation")] = buy, run
        v[("T9", "", f"{side}_vehicle_subtotal")] = buy + run
        v[("T9", "", f"{side}_total")] = out + buy + run + rec
    return v


# --------------------------------------------------------------------------------------------
# Rendering one document
# --------------------------------------------------------------------------------------------

@dataclass
class Layout:
    department: str
    year: int
    unit: str  # 万元 | 元
    zero_style: str  # 0.00 | blank | dash | mixed
    thousands: bool
    department_form: str
    swap_t7_t8: bool
    rows_per_page: int
    repeat_header: bool
    title_number: bool


def _department(names: list[str], index: int) -> str:
    name = names[index % len(names)]
    round_ = index // len(names)
    return name if round_ == 0 else f"{name[:-1]}第{round_ + 1}{name[-1]}"


@lru_cache(maxsize=64)
def _department_names(seed: int) -> list[str]:
    names = [p + a for p in PLACES for a in AGENCIES]
    random.Random(f"juesuan-corpus-names:{seed}").shuffle(names)
    return names


def _format(value: int, per_cent: int, thousands: bool) -> str:
    cents = value // per_cent
    whole, cent = divmod(cents, 100)
    return f"{whole:,}.{cent:02d}" if thousands else f"{whole}.{cent:02d}"


MANIFEST_AMOUNTS = (
    ("T1.income_total", ("T1", "inc_total", "income_amount")),
    ("T1.expenditure_total", ("T1", "exp_total", "expenditure_amount")),
    ("T1.grand_total", ("T1", "grand", "income_amount")),
    ("T2.fiscal_appropriation_income", ("T2", "合计", "fiscal_appropriation_income")),
    ("T4.grand_total", ("T4", "grand", "income_amount")),
    ("T5.basic_expenditure", ("T5", "合计", "basic_expenditure")),
    ("T9.final_total", ("T9", "", "final_total")),
)


def _yuan(value: int) -> str:
    whole, cent = divmod(value, 100)
    return f"{whole}.{cent:02d}"


def _fmt_wan(value: int) -> str:
    return f"{value / FEN_PER_WAN:,.2f}"


def render_document(template: Template, seed: int, index: int) -> tuple[str, dict]:
    """The text of document `index` of corpus `seed`, and its manifest entry."""
    rng = random.Random(f"juesuan-corpus:{seed}:{index}")
    unit = "元" if rng.random() < 0.2 else "万元"
    layout = Layout(
        department=_department(_department_names(seed), index),
        year=rng.choice(YEARS),
        unit=unit,
        zero_style=rng.choices(("0.00", "blank", "dash", "mixed"), (5, 3, 1, 1))[0],
        thousands=rng.random() < 0.8,
        department_form=rng.choice(DEPARTMENT_LINE_FORMS),
        swap_t7_t8=rng.random() < 0.2,
        rows_per_page=rng.randint(12, 40),
        repeat_header=rng.random() < 0.85,
        title_number=rng.random() < 0.7,
    )
    quantum = 1 if unit == "元" else WAN_CENT
    factor = math.exp(rng.uniform(math.log(0.3), math.log(3.0)))
    values = _model(template, rng, quantum, factor, jitter=0.2)
    per_cent = 1 if unit == "元" else WAN_CENT
    thousands = layout.thousands

    out: list[str] = []
    add = out.append
    dept, year = layout.department, layout.year
    add(f"{year}年度{dept}部门决算")
    add("")
    add(f"第一部分：{dept}概况")
    add("")
    add("一、部门主要职责")
    add(f"{dept}是本级政府的工作部门，负责本领域政策的组织实施和监督管理（合成文本，供测试用）。")
    add("")
    add("二、部门决算单位构成")
    add(f"纳入本部门{year}年度部门决算编制范围的单位共{rng.randint(1, 9)}个。")
    add("")
    add(f"第二部分：{dept}{year}年度部门决算表")
    add("")

    counts = {s: 0 for s in STATEMENTS}
    order = list(STATEMENTS)
    if layout.swap_t7_t8:
        order[6], order[7] = order[7], order[6]
    zero_text = {"0.00": "0.00", "blank": "", "dash": "-"}
    for number, statement in enumerate(order, start=1):
        table = template.tables[statement]
        style = layout.zero_style if layout.zero_style != "mixed" else rng.choice(("0.00", "blank", "dash"))
        zero = zero_text[style]
        headers = [list(r) for r in table.header_rows]
        for r, c, alternatives in table.header_variants:
            if rng.random() < 0.35:
                headers[r][c] = rng.choice(alternatives)
        numbers = _number_rows(table, rng)
        title = rng.choice(table.title_variants) if table.title_variants and rng.random() < 0.3 else table.title
        if layout.title_number:
            add(f"表{number}")
            add("")
        add(title)
        add("")
        add(f"{layout.department_form}：{dept}")
        add("")
        add(f"单位：{unit}")
        add("")
        header_lines = ["\t".join(r) for r in headers] + ["\t".join(r) for r in numbers]
        out.extend(header_lines)
        rows_on_page = 0
        page_size = max(4, layout.rows_per_page + rng.randint(-6, 6))
        for row in table.rows:
            cells = list(row.cells)
            for slot in row.slots:
                value = values[slot.key]
                if value:
                    cells[slot.position] = _format(value, per_cent, thousands)
                    counts[statement] += 1
                else:
                    cells[slot.position] = zero
                    if zero:  # "0.00" and a dash are printed zeros (a cell); a blank is not printed
                        counts[statement] += 1
            line = "\t".join(cells)
            if rows_on_page >= page_size:
                add("")
                if rng.random() < 0.3:
                    add(f"— {rng.randint(2, 40)} —")
                    add("")
                if layout.repeat_header or is_header_row(GridRow(cells, 0)) or is_column_number_row(GridRow(cells, 0)):
                    out.extend(header_lines)
                rows_on_page = 0
                page_size = max(4, layout.rows_per_page + rng.randint(-6, 6))
            add(line)
            rows_on_page += 1
        add("")
        add("注：本表金额转换时可能存在尾数误差。" if rng.random() < 0.5 else "注：本表按部门决算统一格式编制。")
        add("")

    t1 = lambda line, m: values[("T1", line, m)]  # noqa: E731
    add(f"第三部分：{dept}{year}年度部门决算情况说明")
    add("")
    add(f"一、收入支出决算总体情况说明。{year}年度收入总计{_fmt_wan(t1('grand', 'income_amount'))}万元，"
        f"支出总计{_fmt_wan(t1('grand', 'expenditure_amount'))}万元。")
    add(f"二、收入决算情况说明。本年收入合计{_fmt_wan(t1('inc_total', 'income_amount'))}万元。")
    add(f"三、支出决算情况说明。本年支出合计{_fmt_wan(t1('exp_total', 'expenditure_amount'))}万元。")
    add("")
    add("第四部分：名词解释")
    add("")
    add("财政拨款收入：指本级财政当年拨付的资金（合成文本）。")
    text = "\n".join(out) + "\n"
    manifest = {
        "index": index, "seed": seed, "department_name": dept, "fiscal_year": year, "unit": unit,
        "zero_style": layout.zero_style, "thousands": thousands, "swap_t7_t8": layout.swap_t7_t8,
        "repeat_header": layout.repeat_header, "expected_cells": counts, "expected_total": sum(counts.values()),
        "factor": round(factor, 6),
        # a few exact amounts (in 元) to compare a warehouse against
        "amounts_yuan": {name: _yuan(values[key]) for name, key in MANIFEST_AMOUNTS},
    }
    return text, manifest


def _number_rows(table: TableTemplate, rng: random.Random) -> list[list[str]]:
    """The 栏次 row(s) in one of the forms seen in documents."""
    rows = [list(r) for r in table.number_rows]
    if len(rows) != 1 or table.statement == "T9":
        return rows
    row = rows[0]
    label = [i for i, t in enumerate(row) if t == "栏次"]
    if len(label) != 1 or label[0] > 1:
        return rows
    digits = [i for i, t in enumerate(row) if t.isdigit()]
    form = rng.random()
    if form < 0.25:  # 栏次 in the other label column
        moved = [""] * len(row)
        for i in digits:
            moved[i] = row[i]
        moved[1 - label[0]] = "栏次"
        return [moved]
    if form < 0.4:  # 栏次 on a row of its own, the numbers under it
        first = [""] * len(row)
        first[label[0]] = "栏次"
        second = [""] * len(row)
        for i in digits:
            second[i] = row[i]
        return [first, second]
    return rows


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _cached_template(path: str, mtime: float) -> Template:
    return read_template(path)


def load_template(path: str | Path) -> Template:
    path = Path(path).resolve()
    return _cached_template(str(path), path.stat().st_mtime)


def generate_corpus(template: str | Path, out_dir: str | Path, n: int, seed: int = 0) -> list[Path]:
    """Write n documents (and manifest.jsonl, one entry per document) into out_dir."""
    model = load_template(template)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    entries: list[str] = []
    for index in range(n):
        text, manifest = render_document(model, seed, index)
        path = out_dir / f"corpus_s{seed}_{index:05d}.txt"
        path.write_bytes(text.encode("utf-8"))
        manifest["file"] = path.name
        entries.append(json.dumps(manifest, ensure_ascii=False, sort_keys=True))
        paths.append(path)
    (out_dir / "manifest.jsonl").write_text("\n".join(entries) + "\n", encoding="utf-8")
    return paths


def read_manifest(out_dir: str | Path) -> dict[str, dict]:
    """File name -> manifest entry."""
    lines = (Path(out_dir) / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["file"]: entry for entry in map(json.loads, filter(None, lines))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m juesuan_testkit.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path, help="a document in the extracted-text form")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("-n", type=int, default=10, help="how many documents (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        started = time.perf_counter()
        paths = generate_corpus(args.template, args.out_dir, args.n, args.seed)
        elapsed = time.perf_counter() - started
    except (TemplateError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    rate = len(paths) / elapsed if elapsed else float("inf")
    print(f"{len(paths)} documents in {args.out_dir} ({elapsed:.2f} s, {rate:.0f} documents/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
