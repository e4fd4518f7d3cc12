"""End to end on the real documents: inbox -> landing zone -> dbt -> marts in DuckDB."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

from conftest import QINGYUAN_ID, ROOT, build_into, query, shared_documents_dir

MART_TABLES = {
    "all_amounts", "dim_department", "dim_document", "dim_economic_subject", "dim_fiscal_year",
    "dim_functional_subject", "dim_measure", "document_warnings", "fct_economic_amounts",
    "fct_functional_amounts", "fct_summary_lines", "fct_three_public_expenses", "identity_results",
    "suspect_cells", "identity_cells", "subject_name_variants", "fct_narrative_facts", "budget_vs_final",
}


def test_marts_schema_holds_the_star(shared_build):
    tables = {r[0] for r in query(shared_build.warehouse,
                                  "select table_name from information_schema.tables where table_schema = 'marts'")}
    assert MART_TABLES <= tables


def test_all_amounts_per_statement(shared_build):
    rows = dict(query(shared_build.warehouse,
                      "select statement, count(*) from marts.all_amounts where document_key = ? group by 1", QINGYUAN_ID))
    assert rows == {"T1": 42, "T2": 392, "T3": 336, "T4": 125, "T5": 138, "T6": 83, "T7": 54, "T8": 3, "T9": 12}
    assert sum(rows.values()) == 1185


def test_every_mart_amount_is_the_printed_one(shared_build, qingyuan):
    printed = Counter((c.statement, c.source_line, Decimal(c.amount)) for c in qingyuan.cells)
    held = Counter(query(shared_build.warehouse,
                         "select statement, source_line, amount from marts.all_amounts where document_key = ?",
                         QINGYUAN_ID))
    assert held == printed


def test_amounts_are_exact_decimals(shared_build):
    # 万元 with six decimals: a 元 figure keeps every printed 分 (1 分 = 0.000001 万元)
    types = {r[0] for r in query(shared_build.warehouse, "select distinct typeof(amount) from marts.all_amounts")}
    assert types == {"DECIMAL(24,6)"}


def test_facts_answer_questions(shared_build):
    warehouse = shared_build.warehouse
    assert query(warehouse, """
        select amount from marts.fct_summary_lines
        where statement = 'T1' and line_key = '总计' and side = '收入'
        and document_key = ?""", QINGYUAN_ID) == [(Decimal("51193.49"),)]
    assert query(warehouse, """
        select amount from marts.fct_functional_amounts
        where statement = 'T3' and functional_code = '2080101' and measure = 'basic_expenditure'
        and document_key = ?""", QINGYUAN_ID) == [
        (Decimal("2004.53"),)]
    assert query(warehouse, """
        select functional_class_code, amount from marts.fct_summary_lines
        where statement = 'T1' and line_key = '教育支出'
        and document_key = ?""", QINGYUAN_ID) == [("205", Decimal("15670.37"))]
    assert query(warehouse, """
        select amount from marts.fct_economic_amounts where economic_code = '30113'
        and document_key = ?""", QINGYUAN_ID) == [(Decimal("933.42"),)]
    assert query(warehouse, """
        select amount from marts.fct_three_public_expenses where basis = '决算数' and item = 'reception'
        and document_key = ?""", QINGYUAN_ID) == [
        (Decimal("5.59"),)]
    assert query(warehouse, "select row_key from marts.all_amounts where statement = 'T4' and amount = 422.76 "
                            "and measure = 'income_amount' and document_key = ? order by 1", QINGYUAN_ID) == [
        ("年初财政拨款结转和结余",), ("年初财政拨款结转和结余/一般公共预算财政拨款",)]


def test_every_file_has_one_state_with_its_reason(shared_build):
    rows = {r[0]: r[1:] for r in query(shared_build.warehouse,
                                       "select document_key, status, status_reason from marts.dim_document")}
    assert rows[QINGYUAN_ID] == ("published", None)
    assert len(rows) == len([p for p in shared_documents_dir().iterdir() if p.is_file()])
    for document, (status, reason) in rows.items():
        assert status in ("published", "accepted", "quarantined", "unreadable", "duplicate", "superseded")
        if status != "published":
            assert reason, document
    assert shared_build.exit_code in (0, 1)


def test_dimensions(shared_build):
    warehouse = shared_build.warehouse
    assert query(warehouse, """
        select subject_name, subject_level, parent_code, class_code, section_code, printed_times
        from marts.dim_functional_subject where functional_code = '2080110'""") == [
        ("劳动关系和维权", "项", "20801", "208", "20801", 3)]
    assert query(warehouse, """
        select subject_name, subject_level, parent_code from marts.dim_economic_subject
        where economic_code = '30101'""") == [("基本工资", "款", "301")]
    assert ("2023年度",) in query(warehouse, "select fiscal_year_label from marts.dim_fiscal_year order by 1")


def test_the_repository_is_not_written_by_a_build_elsewhere(shared_build):
    assert shared_build.repository_seeds_untouched


def test_dbt_build_by_hand_builds_the_dev_file_from_the_committed_sample(shared_build, tmp_path):
    """A data engineer: cd dbt_project && dbt build (default target dev: warehouse/dev.duckdb),
    never the published warehouse; its facts equal those juesuan build publishes."""
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run([str(dbt), "build", "--target-path", str(tmp_path / "target"),
                           "--vars", f"{{build_file: '{tmp_path / 'by_hand.duckdb'}'}}", "--target", "build"],
                          cwd=ROOT / "dbt_project", capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    sql = ("select document_key, statement, row_key, measure, amount from marts.all_amounts where document_key in "
           "(select document_key from marts.dim_document where status = 'published') order by all")  # the shared build also accepts the Putuo PDFs
    assert query(tmp_path / "by_hand.duckdb", sql) == query(shared_build.warehouse, sql)
    profiles = (ROOT / "dbt_project" / "profiles.yml").read_text(encoding="utf-8")
    assert "target: dev" in profiles and "path: ../warehouse/dev.duckdb" in profiles


PDF_COUNTS = {
    "putuo_caizhengju_2024_final": {"T1": 12, "T2": 45, "T3": 44, "T4": 19, "T5": 44, "T6": 29, "T9": 2},
    "putuo_guihuaziranziyuan_2024_final": {"T1": 12, "T2": 50, "T3": 75, "T4": 17, "T5": 75, "T6": 67, "T9": 12},
}


def test_every_printed_cell_of_the_pdfs_is_in_all_amounts_once(shared_build):
    for document, counts in PDF_COUNTS.items():
        rows = dict(query(shared_build.warehouse,
                          "select statement, count(*) from marts.all_amounts where document_key = ? group by 1",
                          document))
        assert rows == counts, document
        assert query(shared_build.warehouse, "select count(*) from marts.all_amounts "
                     "where document_key = ? and page is null", document) == [(0,)]


def test_pdf_control_totals_in_the_marts(shared_build):
    assert query(shared_build.warehouse, """
        select line_key, side, amount from marts.fct_summary_lines
        where document_key = 'putuo_caizhengju_2024_final' and statement = 'T1'
          and line_key in ('本年收入合计', '本年支出合计', '总计') order by all""") == [
        ("总计", "支出", Decimal("2995.39")), ("总计", "收入", Decimal("2995.39")),
        ("本年支出合计", "支出", Decimal("2940.05")), ("本年收入合计", "收入", Decimal("2946.25"))]


def test_an_empty_inbox_builds_the_committed_sample(shared_build, tmp_path):
    (tmp_path / "inbox").mkdir()
    outcome = build_into([tmp_path / "inbox"], tmp_path / "w.duckdb")
    assert outcome.published
    sql = ("select document_key, statement, row_key, measure, amount from marts.all_amounts where document_key in "
           "(select document_key from marts.dim_document where status = 'published') order by all")  # the shared build also accepts the Putuo PDFs
    assert query(tmp_path / "w.duckdb", sql) == query(shared_build.warehouse, sql)


def test_a_model_whose_columns_changed_is_rebuilt_in_place(tmp_path, qingyuan_path):
    """A warehouse built before a model kept its rows by document (no version column there) takes
    the new column and recomputes every document on its next build: no --full-refresh."""
    import shutil

    import duckdb

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(qingyuan_path, inbox / qingyuan_path.name)
    warehouse = tmp_path / "warehouse" / "juesuan.duckdb"
    assert build_into([inbox], warehouse).published
    terms = query(warehouse, "select count(*) from marts.identity_cells")[0][0]
    assert terms > 1000
    with duckdb.connect(str(warehouse)) as con:
        for table in ("intermediate.int_identity_terms__hierarchy", "marts.identity_results",
                      "intermediate.int_identity_cells"):
            con.execute(f"alter table {table} drop column document_sha256")
    outcome = build_into([inbox], warehouse)
    assert outcome.published, outcome.error
    assert query(warehouse, "select count(*), count(document_sha256) from marts.identity_cells") == [(terms, terms)]
    assert query(warehouse, "select count(*) = count(document_sha256) from marts.identity_results") == [(True,)]


def test_a_repeated_key_fails_its_unique_combination_test(shared_build, tmp_path):
    """The unique_combination test (macros/tests.sql) groups by a hash of the key first: a row
    repeated in identity_cells (a view of the term models) must still fail it, and only it."""
    import shutil

    import duckdb

    copy = tmp_path / "tampered.duckdb"
    shutil.copyfile(shared_build.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("insert into intermediate.int_identity_terms__row_sums "
                    "select * from intermediate.int_identity_terms__row_sums "
                    "order by document_key, identity_key, side, statement, row_key, measure limit 1")
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run([str(dbt), "test", "--select", "identity_cells", "--exclude-resource-type", "unit_test",
                           "--target-path", str(tmp_path / "target"), "--target", "build",
                           "--vars", f"{{build_file: '{copy}'}}"],
                          cwd=ROOT / "dbt_project", capture_output=True, text=True)
    failed = [line for line in done.stdout.splitlines() if " FAIL " in line]
    assert done.returncode == 1, done.stdout[-3000:]
    assert len(failed) == 1 and "unique_combination_identity_cells_document_key__identity_key" in failed[0], failed
    assert "FAIL 1" in failed[0]
