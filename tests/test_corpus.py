"""The corpus generator: determinism, complete extraction, layouts that vary.

That generated documents pass every balancing identity is proven through the project's own
checker (the dbt identity models and the Great Expectations suites) in tests/test_scale_path.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import shared_document

from juesuan_testkit.corpus import STATEMENTS, generate_corpus, main, read_manifest, read_template
from juesuan.extract import extract_document

DOCUMENTS = Path(__file__).resolve().parents[1].parent / "shared" / "documents"
TEMPLATE = DOCUMENTS / "qingyuan_rsj_2023_final.txt"
SEED = 2024
N = 20


@pytest.fixture(scope="module")
def template() -> Path:
    return shared_document(TEMPLATE.name)


@pytest.fixture(scope="module")
def corpus(template, tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("corpus")
    return out, generate_corpus(template, out, N, SEED)


# ------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------

def test_template_model_covers_every_printed_cell(template):
    model = read_template(template)
    printed = sum(len(row.slots) for table in model.tables.values() for row in table.rows)
    assert printed == len(extract_document(template).cells) == 1185


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
    """python -m juesuan_testkit.corpus under another hash seed writes the same bytes as in-process."""
    here = generate_corpus(template, tmp_path / "here", 3, seed=8)
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-m", "juesuan_testkit.corpus", str(template), str(tmp_path / "there"), "-n", "3",
                    "--seed", "8"], check=True, env=env, capture_output=True)
    assert [p.read_bytes() for p in here] == [(tmp_path / "there" / p.name).read_bytes() for p in here]
