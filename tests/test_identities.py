"""The balancing identities as the warehouse's gate, on the real documents."""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, committed_seeds, vocabulary_only_seeds
from juesuan.cli import main as cli
from juesuan.extract.rawtables import read_rows
from juesuan.pipeline import build, dbt_project_for, format_summary

QINGYUAN_ID = "qingyuan_rsj_2023_final"
# identities evaluated on qingyuan_rsj_2023_final.txt, per family
QINGYUAN_FAMILIES = {"cross_table": 117, "hierarchy": 460, "row_sums": 177, "summary_totals": 46, "three_public": 4,
                     "narrative": 27}


def query(warehouse: Path, sql: str, *params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def committed_build(tmp_path_factory):
    base = tmp_path_factory.mktemp("identities")
    result = build([], base / "juesuan.duckdb", committed_seeds(base / "seeds"), report=lambda _: None)
    assert result.published, format_summary(result)
    return result


@pytest.fixture(scope="module")
def qingyuan_only_build(tmp_path_factory, qingyuan_path):
    base = tmp_path_factory.mktemp("qingyuan_only")
    seeds = vocabulary_only_seeds(base / "seeds")
    result = build([qingyuan_path], base / "juesuan.duckdb", seeds, report=lambda _: None)
    assert result.published, format_summary(result)
    return result


def shifted_column_copy(source: Path, target: Path) -> Path:
    """T3's 项目支出 column moved one row down on its first page (a classic extraction fault)."""
    lines = source.read_text(encoding="utf-8").split("\n")
    start = next(n for n, line in enumerate(lines) if line.startswith("合计\t\t48,572.62"))
    end = next(n for n in range(start, len(lines)) if not lines[n].strip())
    rows = [lines[n].split("\t") for n in range(start, end)]
    column = [row[4] for row in rows]
    for row, value in zip(rows[1:], column[:-1]):
        row[4] = value
    for offset, row in enumerate(rows[1:], start=1):
        lines[start + offset] = "\t".join(row)
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


def test_every_applicable_identity_passes_on_the_real_documents(committed_build):
    rows = query(committed_build.warehouse, """
        select document_key, status, count(*) from marts.identity_results group by all order by all""")
    assert {status for _, status, _ in rows} == {"passed", "not applicable"}
    assert {d for d, _, _ in rows} == {QINGYUAN_ID, "putuo_caizhengju_2024_final",
                                      "putuo_guihuaziranziyuan_2024_final"}
    assert committed_build.validation.success


def test_evaluated_identities_per_family_on_qingyuan(qingyuan_only_build):
    counts = {family: c.get("passed", 0) + c.get("failed", 0)
              for family, c in qingyuan_only_build.validation.identities.items()}
    assert counts == QINGYUAN_FAMILIES
    summary = format_summary(qingyuan_only_build)
    for family, count in QINGYUAN_FAMILIES.items():
        assert f"  {family}: {count} evaluated ({count} / 0 / " in summary


def test_missing_tables_make_identities_not_applicable_never_passed(committed_build):
    rows = query(committed_build.warehouse, """
        select identity_template, reason from marts.identity_results
        where document_key = 'putuo_caizhengju_2024_final' and status = 'not applicable' order by 1""")
    assert ("T4 政府性基金 = T7 本年支出", "tables missing: T7") in rows
    assert ("T4 国有资本经营 = T8", "tables missing: T8") in rows
    assert query(committed_build.warehouse, """
        select count(*) from marts.identity_results
        where document_key = 'putuo_caizhengju_2024_final' and identity_template like 'T4 政府性基金%'
          and status = 'passed'""") == [(0,)]


def test_every_identity_of_the_catalog_is_reported_for_every_document(committed_build):
    catalog = {r["identity_template"] for r in read_rows(ROOT / "seeds" / "identity_catalog.csv")}
    assert len(catalog) == 45
    for document in (QINGYUAN_ID, "putuo_caizhengju_2024_final", "putuo_guihuaziranziyuan_2024_final"):
        reported = {r[0] for r in query(committed_build.warehouse,
                                        "select distinct identity_template from marts.identity_results "
                                        "where document_key = ?", document)}
        assert reported == catalog, document


def test_tolerance_is_half_a_cent_per_printed_term(committed_build):
    row = query(committed_build.warehouse, """
        select left_value, right_value, tolerance, len(cells) from marts.identity_results
        where document_key = ? and identity = 'T3 合计 total_expenditure: 合计 = Σ 类'""", QINGYUAN_ID)
    # 48,572.62 = Σ of nine 类 rows: nine parts, 0.045
    assert row == [(Decimal("48572.62"), Decimal("48572.63"), Decimal("0.045"), 10)]


@pytest.fixture(scope="module")
def shifted_build(tmp_path_factory, qingyuan_path):
    base = tmp_path_factory.mktemp("shifted")
    inbox = base / "documents"
    inbox.mkdir()
    shifted_column_copy(qingyuan_path, inbox / "qingyuan_shifted.txt")
    seeds = vocabulary_only_seeds(base / "seeds")
    (inbox / "qingyuan.txt").write_bytes(qingyuan_path.read_bytes())
    result = build([inbox], base / "juesuan.duckdb", seeds, report=lambda _: None)
    assert result.published
    return result, seeds


def test_a_shifted_column_is_detected_and_quarantined(shifted_build):
    result, _ = shifted_build
    warehouse = result.warehouse
    assert query(warehouse, "select document_key, status from marts.dim_document order by 1") == [
        ("qingyuan", "published"), ("qingyuan_shifted", "quarantined")]
    failed = [r[0] for r in query(warehouse, """
        select identity from marts.identity_results
        where document_key = 'qingyuan_shifted' and status = 'failed' order by 1""")]
    assert "T3 20131 total_expenditure: T3 row: 本年支出合计 = Σ 支出项" in failed
    assert any(identity.startswith("T1 类行 = T3 类") for identity in failed) is False
    assert len(failed) > 10
    # kept in staging and in identity_results, withheld from every fact
    assert query(warehouse, "select count(*) from staging.stg_raw__cells where document_key = 'qingyuan_shifted'"
                 ) == [(1185,)]
    assert query(warehouse, "select count(*) from marts.all_amounts where document_key = 'qingyuan_shifted'"
                 ) == [(0,)]
    summary = format_summary(result)
    assert "QUARANTINED qingyuan_shifted:" in summary
    assert "T3 20131 total_expenditure: T3 row: 本年支出合计 = Σ 支出项" in summary
    assert "suspect cell: T3" in summary


def test_suspect_cells_name_the_cell_of_a_single_misprint(tmp_path, qingyuan_path):
    lines = qingyuan_path.read_text(encoding="utf-8").split("\n")
    number = next(n for n, line in enumerate(lines) if line.startswith("2080505\t") and "458.02\t458.02\t0.00" in line
                  and n > 200)
    lines[number] = lines[number].replace("458.02\t458.02", "458.02\t459.02", 1)
    inbox = tmp_path / "documents"
    inbox.mkdir()
    (inbox / "misprint.txt").write_text("\n".join(lines), encoding="utf-8")
    result = build([inbox], tmp_path / "w.duckdb", vocabulary_only_seeds(tmp_path / "seeds"), report=lambda _: None)
    [(statement, row_key, measure, printed, balancing)] = query(result.warehouse, """
        select statement, row_key, measure, printed_amount, balancing_amount from marts.suspect_cells
        where suspect_rank = 1""")
    assert (statement, row_key, measure, printed) == ("T3", "2080505", "basic_expenditure", Decimal("459.02"))
    # balances up to the rounding the document carries (its 款 20805 was 0.01 off before the misprint)
    assert abs(balancing - Decimal("458.02")) <= Decimal("0.01")


def test_accepting_a_document_publishes_it_with_reason_and_date(shifted_build, tmp_path):
    result, seeds = shifted_build
    warehouse = tmp_path / "accepted.duckdb"
    assert cli(["accept", "qingyuan_shifted", "--reason", "printed so by the department",
                "--seeds", str(seeds), "--warehouse", str(warehouse)]) == 0
    assert query(warehouse, """
        select status, acceptance_reason, accepted_on is not null from marts.dim_document
        where document_key = 'qingyuan_shifted'""") == [("accepted", "printed so by the department", True)]
    assert query(warehouse, "select count(*) > 1000 from marts.all_amounts where document_key = 'qingyuan_shifted'"
                 ) == [(True,)]
    accepted = read_rows(seeds / "accepted_exceptions.csv")
    assert [(r["document_id"], r["reason"]) for r in accepted] == [("qingyuan_shifted", "printed so by the department")]


def test_accepting_an_unknown_document_is_refused(tmp_path, capsys):
    seeds = committed_seeds(tmp_path / "seeds")
    assert cli(["accept", "no_such_document", "--reason", "x", "--seeds", str(seeds),
                "--warehouse", str(tmp_path / "w.duckdb")]) == 1
    assert "no document 'no_such_document'" in capsys.readouterr().err


def test_dbt_build_by_hand_never_publishes_a_failed_document(shifted_build, tmp_path):
    """The gate is in dbt itself: no Great Expectations, no pipeline, still no facts."""
    _, seeds = shifted_build
    hand_seeds = tmp_path / "seeds"
    hand_seeds.mkdir()
    for name in ("raw_documents.csv", "raw_cells.csv", "raw_narrative.csv"):
        (hand_seeds / name).write_bytes((seeds / name).read_bytes())
    vocabulary_only_seeds(hand_seeds)
    (hand_seeds / "accepted_exceptions.csv").write_text("document_id,sha256,reason,accepted_on\n", encoding="utf-8")
    project = dbt_project_for(hand_seeds, tmp_path / "workspace")
    env = dict(os.environ, JUESUAN_WAREHOUSE=str(tmp_path / "hand.duckdb"))
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run([str(dbt), "build"], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    assert query(tmp_path / "hand.duckdb", "select distinct document_key from marts.all_amounts") == [("qingyuan",)]


def test_the_narrative_is_checked_against_the_tables_and_its_own_arithmetic(committed_build):
    rows = query(committed_build.warehouse, """
        select identity_template, count(*) from marts.identity_results
        where document_key = ? and family = 'narrative' and status = 'passed' group by 1 order by 1""", QINGYUAN_ID)
    assert rows == [("叙述增减率 = 增减额 ÷ 基数", 14), ("叙述金额 = 表内金额", 13)]
    # 8,628.85 万元, up 8,496.26 on the prior year, printed as 6,407.7%: 6,407.92% from the rounded
    # figures, inside what their rounding allows (0.537)
    assert query(committed_build.warehouse, """
        select left_value, right_value, tolerance from marts.identity_results
        where document_key = ? and identity like '政府性基金预算财政拨款收入 6407.7%narrative line 513%'""",
                 QINGYUAN_ID) == [(Decimal("6407.70"), Decimal("6407.92"), Decimal("0.537"))]


def test_a_misstated_narrative_figure_is_caught(tmp_path, qingyuan_path):
    text = qingyuan_path.read_text(encoding="utf-8").replace("事业收入2,338.26万元", "事业收入2,383.26万元")
    inbox = tmp_path / "documents"
    inbox.mkdir()
    (inbox / "misstated.txt").write_text(text, encoding="utf-8")
    result = build([inbox], tmp_path / "w.duckdb", vocabulary_only_seeds(tmp_path / "seeds"), report=lambda _: None)
    failed = query(result.warehouse, """
        select identity_template from marts.identity_results where status = 'failed' order by 1""")
    assert failed == [("叙述增减率 = 增减额 ÷ 基数",), ("叙述金额 = 表内金额",)]
    assert query(result.warehouse, "select status from marts.dim_document") == [("quarantined",)]


def test_a_misread_pdf_figure_is_caught_and_named(tmp_path):
    """One figure of the 财政局 PDF's raw tables changed (as a misread digit would): the real
    identity models catch it and name the cell."""
    seeds = committed_seeds(tmp_path / "seeds")
    cells = (seeds / "raw_cells.csv").read_text(encoding="utf-8").split("\n")
    target = [n for n, line in enumerate(cells) if line.startswith("putuo_caizhengju_2024_final,T5,")
              and ",2010601," in line and ",基本支出,1,503.52," in line.replace('"', "")]
    assert len(target) == 1
    cells[target[0]] = cells[target[0]].replace("1503.52", "1503.62")
    (seeds / "raw_cells.csv").write_text("\n".join(cells), encoding="utf-8")
    result = build([], tmp_path / "w.duckdb", seeds, report=lambda _: None)
    assert query(result.warehouse, "select document_key, status from marts.dim_document where status <> 'published'"
                 ) == [("putuo_caizhengju_2024_final", "quarantined")]
    assert query(result.warehouse, """
        select statement, row_key, measure, balancing_amount from marts.suspect_cells where suspect_rank = 1""") == [
        ("T5", "2010601", "basic_expenditure", Decimal("1503.52"))]
