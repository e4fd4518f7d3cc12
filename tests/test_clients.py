"""The published warehouse opens in the clients analysts use: DuckDB 1.x (the CLI from PyPI and
@duckdb/node-api from npm, which JavaScript BI tools embed), read-only, with the README's query
and the bilingual column descriptions; and its marts hold only types BI drivers read."""
from __future__ import annotations

import re
from decimal import Decimal

import duckdb
import pytest

from conftest import ROOT, build_into, copy_inbox
from juesuan.publish import CLIENT_STORAGE_VERSION, create_for_clients, storage_version
from juesuan_testkit.clients import ClientUnavailable, run_duckdb_cli, run_node_client

QINGYUAN = "清远市人力资源和社会保障局"


def readme_query() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sql\n(-- class totals by department and year.*?)```", text, re.S)
    assert block, "README lost its example query"
    return block.group(1).strip().rstrip(";")


def in_warehouse(warehouse, sql: str, *params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def clients_or_fail(call):
    try:
        return call()
    except ClientUnavailable as error:
        pytest.fail(str(error))


def test_the_warehouse_is_built_and_kept_in_the_1x_storage_format(published_warehouse):
    assert storage_version(published_warehouse).startswith(CLIENT_STORAGE_VERSION)


def test_the_duckdb_1x_cli_runs_the_readme_query(published_warehouse):
    sql = readme_query() + " order by all"
    rows = clients_or_fail(lambda: run_duckdb_cli(published_warehouse, sql))
    expected = in_warehouse(published_warehouse, sql)
    assert [(r["department_name"], r["fiscal_year"], r["subject_name"], Decimal(str(r["amount"]))) for r in rows] \
        == expected
    # 清远 人社局 2023, T3 支出决算表 (text line 218): 208 社会保障和就业支出, 本年支出合计 14,103.86
    assert (QINGYUAN, 2023, "社会保障和就业支出", Decimal("14103.86")) in expected


def test_the_duckdb_1x_cli_shows_the_descriptions(published_warehouse):
    rows = clients_or_fail(lambda: run_duckdb_cli(published_warehouse, """
        select table_name, column_name, comment from duckdb_columns()
        where schema_name = 'marts' and table_name = 'suspect_cells' and column_name in ('page', 'balancing_amount')
        order by column_name"""))
    assert [(r["column_name"], r["comment"]) for r in rows] == [
        ("balancing_amount", "平衡金额 / The amount that would balance the failed identities."),
        ("page", "页码 / PDF page the cell is printed on (null for a text source), to open the source at."),
    ]
    tables = clients_or_fail(lambda: run_duckdb_cli(published_warehouse, """
        select comment from duckdb_tables() where schema_name = 'marts' and table_name = 'dim_document'"""))
    assert tables[0]["comment"].startswith("文件 / One row per inbox file the warehouse holds")


def test_node_api_opens_it_read_only_with_every_column_described(published_warehouse):
    sql = readme_query() + " order by all"
    result = clients_or_fail(lambda: run_node_client(published_warehouse, sql))
    assert result["version"].startswith("v1.")
    expected = in_warehouse(published_warehouse, sql)
    assert [(r[0], int(r[1]), r[2], Decimal(r[3])) for r in result["rows"]] == expected
    columns = in_warehouse(published_warehouse, """
        select table_name, column_name from duckdb_columns() where schema_name = 'marts' order by all""")
    described = {(t, c): comment for t, c, comment in result["comments"]}
    assert set(described) == set(columns)
    undescribed = [key for key, comment in described.items() if not comment or " / " not in comment]
    assert undescribed == []  # every mart column: 中文 / English


def test_marts_hold_only_types_bi_drivers_read(published_warehouse):
    types = in_warehouse(published_warehouse, """
        select table_name, column_name, data_type from duckdb_columns() where schema_name = 'marts'""")
    awkward = [(t, c, d) for t, c, d in types if re.search(r"HUGEINT|\[\]|STRUCT|MAP|UNION", d)]
    assert awkward == []
    assert ("dim_functional_subject", "printed_times", "INTEGER") in types
    assert {d for t, c, d in types if c == "amount"} == {"DECIMAL(24,6)"}


def test_other_printed_names_live_in_a_side_table(published_warehouse):
    # 2080110 is printed 劳动关系和维权 in most tables, 劳动关系的维权 in one of 清远's
    assert in_warehouse(published_warehouse, """
        select v.name_variant, s.subject_name from marts.subject_name_variants v
        join marts.dim_functional_subject s on v.subject_code = s.functional_code
        where v.classification = 'functional' and v.subject_code = '2080110'""") == [("劳动关系的维权", "劳动关系和维权")]


def test_a_warehouse_published_in_an_older_format_is_built_anew_in_the_clients_format(tmp_path, qingyuan_path):
    """A warehouse an earlier juesuan published in DuckDB's v1.2 format: the next build does not start
    from a copy of it (DuckDB would keep v1.2) but builds the same warehouse anew in the current format."""
    inbox = copy_inbox([qingyuan_path], tmp_path / "inbox")
    warehouse = tmp_path / "w" / "juesuan.duckdb"
    assert build_into([inbox], warehouse).published
    totals = "select statement, count(*), sum(amount) from marts.all_amounts group by 1 order by 1"
    facts = in_warehouse(warehouse, totals)
    older = create_for_clients(tmp_path / "older.duckdb", "v1.2.0")
    with duckdb.connect() as con:
        con.execute(f"attach '{older}' as older; attach '{warehouse}' as published (read_only)")
        con.execute("copy from database published to older")
    older.replace(warehouse)
    assert storage_version(warehouse).startswith("v1.2.0")
    assert build_into([inbox], warehouse).published
    assert storage_version(warehouse).startswith(CLIENT_STORAGE_VERSION)
    assert in_warehouse(warehouse, totals) == facts
    # 清远 人社局 2023, T3 (text line 218): 208 社会保障和就业支出, 本年支出合计 14,103.86
    assert in_warehouse(warehouse, "select amount from marts.fct_functional_amounts where statement = 'T3' "
                                   "and functional_code = '208' and measure = 'total_expenditure'") \
        == [(Decimal("14103.86"),)]
