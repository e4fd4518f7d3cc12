"""`juesuan export`: the marts to Parquet (exact decimals), XLSX (Chinese intact) and CSV (UTF-8 with BOM)."""
from __future__ import annotations

from decimal import Decimal

import duckdb
from openpyxl import load_workbook

from juesuan.cli import main as cli

QINGYUAN_ID = "qingyuan_rsj_2023_final"


def in_warehouse(warehouse, sql: str):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_all_amounts_round_trips_to_parquet_with_exact_decimals(published_warehouse, tmp_path):
    out = tmp_path / "all_amounts.parquet"
    assert cli(["export", "--warehouse", str(published_warehouse), "--table", "all_amounts", "--out", str(out)]) == 0
    order = "order by document_key, statement, row_key, measure, source_line"
    with duckdb.connect() as con:
        schema = dict(con.execute(f"select name, type from parquet_schema('{out}')").fetchall())
        read_back = con.execute(f"select * from read_parquet('{out}') {order}").fetchall()
        amount_type = con.execute(f"select typeof(amount) from read_parquet('{out}') limit 1").fetchall()[0][0]
    assert amount_type == "DECIMAL(24,6)" and schema["amount"] != "DOUBLE"  # a decimal stored exactly, not a double
    assert read_back == in_warehouse(published_warehouse, f"select * from marts.all_amounts {order}")
    assert len(read_back) == 1185 + 195  # 规划和自然资源局 (308 amounts) is held back by its misread figure
    # 清远 T1 本年收入合计, as printed: 48,572.62 万元
    with duckdb.connect() as con:
        printed = con.execute(f"select document_key, statement from read_parquet('{out}') "
                              "where amount = 48572.62").fetchall()
    assert (QINGYUAN_ID, "T1") in set(printed)


def test_xlsx_keeps_chinese_and_amounts_as_numbers(published_warehouse, tmp_path):
    out = tmp_path / "marts.xlsx"
    assert cli(["export", "--warehouse", str(published_warehouse), "--table", "dim_document",
                "--table", "fct_three_public_expenses", "--out", str(out)]) == 0
    workbook = load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["dim_document", "fct_three_public_expenses"]
    documents = list(workbook["dim_document"].iter_rows(values_only=True))
    header = documents[0]
    names = {row[header.index("document_key")]: row[header.index("department_name")] for row in documents[1:]}
    assert names[QINGYUAN_ID] == "清远市人力资源和社会保障局"
    assert names["putuo_caizhengju_2024_final"] == "上海市普陀区财政局"
    expenses = list(workbook["fct_three_public_expenses"].iter_rows(values_only=True))
    header = expenses[0]
    rows = [dict(zip(header, row)) for row in expenses[1:]]
    held = in_warehouse(published_warehouse, "select document_key, basis, item, amount from marts.fct_three_public_expenses")
    assert sorted((r["document_key"], r["basis"], r["item"], Decimal(str(r["amount"])).quantize(Decimal("0.01")))
                  for r in rows) == sorted(held)
    assert all(isinstance(r["amount"], (int, float)) for r in rows)  # numbers Excel can sum, not text


def test_csv_has_a_byte_order_mark_for_excel(published_warehouse, tmp_path):
    out = tmp_path / "departments.csv"
    assert cli(["export", "--warehouse", str(published_warehouse), "--query",
                "select department_name, fiscal_year from marts.dim_document order by all", "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines() == [
        "department_name,fiscal_year", "上海市普陀区规划和自然资源局,2024", "上海市普陀区财政局,2024",
        "清远市人力资源和社会保障局,2023"]


def test_an_unknown_table_is_named(published_warehouse, tmp_path, capsys):
    assert cli(["export", "--warehouse", str(published_warehouse), "--table", "no_such", "--out",
                str(tmp_path / "x.csv")]) == 1
    assert "no_such" in capsys.readouterr().err
