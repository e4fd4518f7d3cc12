"""The corpus generator: determinism, complete extraction, and every balancing identity.

The identity checker here is deliberately small and independent of the generator's model: it
reads only the extracted raw cells (labels, codes, column headers) like any other document.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from conftest import shared_document

from juesuan.corpus import STATEMENTS, generate_corpus, main, read_manifest, read_template
from juesuan.extract import extract_document
from juesuan.extract.vocabulary import default_vocabulary_dir, load_vocabulary, normalize, strip_ordinal

DOCUMENTS = Path(__file__).resolve().parents[1].parent / "shared" / "documents"
TEMPLATE = DOCUMENTS / "qingyuan_rsj_2023_final.txt"
SEED = 2024
N = 20
HALF_CENT = Decimal("0.005")
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def template() -> Path:
    return shared_document(TEMPLATE.name)


@pytest.fixture(scope="module")
def corpus(template, tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("corpus")
    return out, generate_corpus(template, out, N, SEED)


# ------------------------------------------------------------------------------------------
# A compact identity checker over extracted cells, amounts in 万元
# ------------------------------------------------------------------------------------------

def _class_codes() -> dict[str, str]:
    with (default_vocabulary_dir() / "functional_classes.csv").open(encoding="utf-8", newline="") as handle:
        return {normalize(r["class_name"]): r["class_code"] for r in csv.DictReader(handle)}


def _tables(document) -> dict[str, dict[tuple[str, str], Decimal]]:
    """statement -> (row, measure) -> amount in 万元; row is the code, else the label
    without ordinal (and with its parent line when the label repeats)."""
    vocabulary = load_vocabulary()
    tables: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for cell in document.cells:
        measure = vocabulary.header_role(cell.statement, cell.column_header).measure
        amount = Decimal(cell.amount)
        if cell.unit == "元":
            amount = (amount / 10000).quantize(CENT, rounding=ROUND_HALF_UP)
        row = cell.code or normalize(strip_ordinal(cell.row_label))
        if cell.parent_label:
            row = normalize(cell.parent_label) + "/" + row
        key = (row, measure)
        assert key not in tables[cell.statement], f"{cell.statement} {key} printed twice"
        tables[cell.statement][key] = amount
    return tables


def check_identities(document, exact: bool | None = None) -> list[str]:
    """Every failed identity, as text; [] when all hold: within n × 0.005 万元 for a sum of n
    terms, or exactly (the default for generated documents in 万元, whose totals are derived)."""
    exact = document.meta.unit == "万元" if exact is None else exact
    t = _tables(document)
    classes = _class_codes()
    failures: list[str] = []

    def get(statement: str, row: str, measure: str) -> Decimal:
        return t[statement].get((row, measure), Decimal(0))

    def check(name: str, total: Decimal, parts: list[Decimal]) -> None:
        tolerance = 0 if exact else len(parts) * HALF_CENT
        if abs(total - sum(parts, Decimal(0))) > tolerance:
            failures.append(f"{name}: {total} != Σ{[str(p) for p in parts]} = {sum(parts, Decimal(0))}")

    def rows(statement: str) -> list[str]:
        return sorted({row for row, _ in t[statement]})

    def lines(statement: str, measure: str, keyword: str) -> Decimal:
        found = [v for (row, m), v in t[statement].items() if m == measure and keyword in row and "/" not in row]
        assert len(found) <= 1, (statement, keyword, found)
        return found[0] if found else Decimal(0)

    # T2, T3, T5, T7, T8: rows and hierarchy
    row_sums = {
        "T2": ("total_income", ["fiscal_appropriation_income", "superior_subsidy_income", "business_income",
                                "operating_income", "affiliated_remittance_income", "other_income"]),
        "T3": ("total_expenditure", ["basic_expenditure", "project_expenditure", "remittance_to_superior",
                                     "operating_expenditure", "subsidy_to_affiliates"]),
        "T5": ("total_expenditure", ["basic_expenditure", "project_expenditure"]),
        "T7": ("expenditure_subtotal", ["basic_expenditure", "project_expenditure"]),
        "T8": ("expenditure_subtotal", ["basic_expenditure", "project_expenditure"]),
    }
    for statement, (total, parts) in row_sums.items():
        codes = [r for r in rows(statement) if r.isdigit()]
        for row in rows(statement):
            check(f"{statement} {row} {total}", get(statement, row, total), [get(statement, row, p) for p in parts])
            if statement == "T7":
                check(f"T7 {row} 年末", get(statement, row, "closing_balance"),
                      [get(statement, row, "opening_balance"), get(statement, row, "current_income"),
                       -get(statement, row, "expenditure_subtotal")])
        for measure in {m for _, m in t[statement]}:
            children = defaultdict(list)
            for code in codes:
                if len(code) == 7:
                    children[code[:5] if code[:5] in codes else code[:3]].append(code)
                elif len(code) == 5:
                    children[code[:3]].append(code)
                else:
                    children["合计"].append(code)
            for parent, kids in children.items():
                check(f"{statement} {parent} {measure} = Σ children", get(statement, parent, measure),
                      [get(statement, k, measure) for k in kids])

    # T1
    inc, out = "income_amount", "expenditure_amount"
    income_lines = ["一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款", "上级补助收入",
                    "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
    t1_income = [lines("T1", inc, w) for w in income_lines]
    t1_classes = {classes[row]: v for (row, m), v in t["T1"].items() if m == out and row in classes}
    check("T1 本年收入合计", lines("T1", inc, "本年收入合计"), t1_income)
    check("T1 本年支出合计", lines("T1", out, "本年支出合计"), list(t1_classes.values()))
    check("T1 收入总计", lines("T1", inc, "总计"),
          [lines("T1", inc, "本年收入合计"), lines("T1", inc, "使用非财政拨款结余"), lines("T1", inc, "年初结转和结余")])
    check("T1 支出总计", lines("T1", out, "总计"),
          [lines("T1", out, "本年支出合计"), lines("T1", out, "结余分配"), lines("T1", out, "年末结转和结余")])
    check("T1 收入总计 = 支出总计", lines("T1", inc, "总计"), [lines("T1", out, "总计")])

    # T4
    funds = ["expenditure_general_budget", "expenditure_government_fund", "expenditure_state_capital"]
    t4_income = [lines("T4", inc, w) for w in income_lines[:3]]
    opening = [v for (row, m), v in t["T4"].items() if m == inc and row.startswith("年初") and "/" in row]
    check("T4 本年收入合计", lines("T4", inc, "本年收入合计"), t4_income)
    check("T4 年初 = Σ funds", lines("T4", inc, "年初财政拨款结转和结余"), opening)
    check("T4 收入总计", lines("T4", inc, "总计"), [lines("T4", inc, "本年收入合计"), lines("T4", inc, "年初")])
    for row in rows("T4"):
        if (row, "expenditure_total") in t["T4"] or any((row, f) in t["T4"] for f in funds):
            check(f"T4 {row} 合计", get("T4", row, "expenditure_total"), [get("T4", row, f) for f in funds])
    for measure in ["expenditure_total"] + funds:
        t4_classes = [v for (row, m), v in t["T4"].items() if m == measure and row in classes]
        check(f"T4 本年支出合计 {measure}", lines("T4", measure, "本年支出合计"), t4_classes)
        check(f"T4 支出总计 {measure}", lines("T4", measure, "总计"),
              [lines("T4", measure, "本年支出合计"), lines("T4", measure, "年末")])
    check("T4 收入总计 = 支出总计", lines("T4", inc, "总计"), [lines("T4", "expenditure_total", "总计")])

    # T6
    for row in rows("T6"):
        if len(row) == 3:
            kids = [r for r in rows("T6") if len(r) == 5 and r.startswith(row)]
            if kids:
                measure = next(m for (r, m) in t["T6"] if r == row)
                check(f"T6 {row}", get("T6", row, measure), [get("T6", k, measure) for k in kids])
    for half in ("personnel_amount", "public_amount"):
        check(f"T6 {half} 合计 = Σ 类", lines("T6", half, "合计"),
              [v for (row, m), v in t["T6"].items() if m == half and len(row) == 3])

    # T9
    for side in ("budget", "final"):
        g = lambda m: get("T9", "三公经费", f"{side}_{m}")  # noqa: E731
        check(f"T9 {side} 合计", g("total"), [g("outbound_travel"), g("vehicle_subtotal"), g("reception")])
        check(f"T9 {side} 小计", g("vehicle_subtotal"), [g("vehicle_purchase"), g("vehicle_operation")])

    # Across tables
    t2 = lambda m: get("T2", "合计", m)  # noqa: E731
    check("T1 本年收入合计 = T2 合计", lines("T1", inc, "本年收入合计"), [t2("total_income")])
    check("T1 一+二+三 = T2 财政拨款", t2("fiscal_appropriation_income"), t1_income[:3])
    for line, measure in zip(income_lines[3:], row_sums["T2"][1][1:]):
        check(f"T1 {line} = T2 合计", lines("T1", inc, line), [t2(measure)])
    check("T1 本年支出合计 = T3 合计", lines("T1", out, "本年支出合计"), [get("T3", "合计", "total_expenditure")])
    for code in set(t1_classes) | {r for r in rows("T3") if len(r) == 3}:
        check(f"T1 class {code} = T3", t1_classes.get(code, Decimal(0)), [get("T3", code, "total_expenditure")])
    check("T4 本年收入合计 = T2 财政拨款", lines("T4", inc, "本年收入合计"), [t2("fiscal_appropriation_income")])
    check("T4 一 = T1 一", t4_income[0], [t1_income[0]])
    t4_by_class = {classes[row]: row for (row, _) in t["T4"] if row in classes}
    for measure, (statement, source) in zip(funds, [("T5", "total_expenditure"), ("T7", "expenditure_subtotal"),
                                                    ("T8", "expenditure_subtotal")]):
        check(f"T4 本年支出合计 {measure} = {statement}", lines("T4", measure, "本年支出合计"),
              [get(statement, "合计", source)])
        for code in set(t4_by_class) | {r for r in rows(statement) if len(r) == 3}:
            row = t4_by_class.get(code, "")
            check(f"T4 {code} {measure} = {statement}", get("T4", row, measure), [get(statement, code, source)])
    check("T5 基本支出 = T6 人员 + 公用", get("T5", "合计", "basic_expenditure"),
          [lines("T6", "personnel_amount", "合计"), lines("T6", "public_amount", "合计")])
    return failures


# ------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------

def test_template_model_covers_every_printed_cell(template):
    model = read_template(template)
    printed = sum(len(row.slots) for table in model.tables.values() for row in table.rows)
    assert printed == len(extract_document(template).cells) == 1185


def test_checker_agrees_with_the_real_document(template):
    """The template itself has 尾数误差 (its totals are not exact sums) but no more."""
    document = extract_document(template)
    assert check_identities(document, exact=True) != []
    assert check_identities(document, exact=False) == []


def test_same_seed_same_bytes_other_seed_other_documents(template, tmp_path):
    first = generate_corpus(template, tmp_path / "a", 6, seed=11)
    again = generate_corpus(template, tmp_path / "b", 6, seed=11)
    other = generate_corpus(template, tmp_path / "c", 6, seed=12)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert (tmp_path / "a" / "manifest.jsonl").read_bytes() == (tmp_path / "b" / "manifest.jsonl").read_bytes()
    assert all(p.read_bytes() != q.read_bytes() for p, q in zip(first, other))
    # a document depends on its seed and index only, not on how many are generated
    assert generate_corpus(template, tmp_path / "d", 2, seed=11)[1].read_bytes() == first[1].read_bytes()


def test_documents_extract_completely(corpus):
    out, paths = corpus
    manifest = read_manifest(out)
    assert len(paths) == N and len(manifest) == N
    for path in paths:
        entry = manifest[path.name]
        document = extract_document(path)
        assert document.warnings == [], path.name
        expected = {s: c for s, c in entry["expected_cells"].items() if c}
        assert document.counts_by_statement() == expected, path.name
        assert len(document.cells) == entry["expected_total"]
        assert document.meta.department_name == entry["department_name"]
        assert document.meta.fiscal_year == entry["fiscal_year"]
        assert document.meta.unit == entry["unit"]
        assert document.meta.statements_found.split() == list(STATEMENTS)  # found even when all blank
        assert all(cell.unit == entry["unit"] for cell in document.cells)
        t1_income = next(c for c in document.cells if c.statement == "T1" and c.row_label == "本年收入合计")
        yuan = Decimal(entry["amounts_yuan"]["T1.income_total"])
        assert Decimal(t1_income.amount) == (yuan if entry["unit"] == "元" else yuan / 10000)


def test_every_identity_holds(corpus):
    _, paths = corpus
    for path in paths:
        failures = check_identities(extract_document(path))
        assert failures == [], f"{path.name}: {failures[:5]}"


def test_checker_sees_a_wrong_amount(corpus, tmp_path):
    _, paths = corpus
    document = extract_document(paths[0])
    cell = next(c for c in document.cells if c.statement == "T3" and c.code and len(c.code) == 7
                and c.column_header.endswith("基本支出") and Decimal(c.amount) > 1)
    cell.amount = str(Decimal(cell.amount) + (10000 if cell.unit == "元" else 1))  # 1 万元 more
    failures = check_identities(document)
    assert any(cell.code in f for f in failures)


def test_layout_and_amounts_vary(corpus):
    out, paths = corpus
    entries = list(read_manifest(out).values())
    assert len({e["department_name"] for e in entries}) == N
    assert len({e["fiscal_year"] for e in entries}) >= 3
    assert {e["unit"] for e in entries} == {"万元", "元"}
    assert {"0.00", "blank"} <= {e["zero_style"] for e in entries}
    assert len({e["expected_total"] for e in entries}) >= 2  # blank cells are not printed
    assert len({e["factor"] for e in entries}) == N
    texts = [p.read_text(encoding="utf-8") for p in paths]
    assert any("支出功能分类科目编码" in t or "\t科目编码\t" in t for t in texts)  # header variants
    page_breaks = {t.count("\n项目\t\t本年收入合计") + t.count("\n项目\t\t合计\t") for t in texts}
    assert len(page_breaks) >= 2  # pages break at other rows


def test_cli_writes_documents(template, tmp_path, capsys):
    assert main([str(template), str(tmp_path), "-n", "3", "--seed", "5"]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.txt")) == [f"corpus_s5_{i:05d}.txt" for i in range(3)]
    assert "3 documents" in capsys.readouterr().out
    assert set(read_manifest(tmp_path)[f"corpus_s5_00000.txt"]["expected_cells"]) == set(STATEMENTS)


def test_module_entry_is_deterministic_across_processes(template, tmp_path):
    """python -m juesuan.corpus under another hash seed writes the same bytes as in-process."""
    here = generate_corpus(template, tmp_path / "here", 3, seed=8)
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-m", "juesuan.corpus", str(template), str(tmp_path / "there"), "-n", "3",
                    "--seed", "8"], check=True, env=env, capture_output=True)
    assert [p.read_bytes() for p in here] == [(tmp_path / "there" / p.name).read_bytes() for p in here]
