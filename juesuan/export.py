"""Exporting the marts (or any query) for people who work in spreadsheets and dataframes.

- XLSX: one sheet per table; amounts stay numbers (2 decimals), Chinese text as it is.
- CSV: UTF-8 with a byte-order mark, which Excel needs to show Chinese instead of mojibake.
- Parquet: DuckDB's own writer, so DECIMAL(18,2) amounts stay exact decimals, never floats.

Rows are read from DuckDB as Python values (Decimal for amounts), never through a dataframe,
which would turn amounts into floats.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import duckdb

FORMATS = ("xlsx", "csv", "parquet")
MARTS_SCHEMA = "marts"
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
BATCH = 10_000


@dataclass(frozen=True)
class Selection:
    """What to export: a name (sheet or file stem) and the SQL that yields it."""

    name: str
    sql: str


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name",
        [MARTS_SCHEMA]).fetchall()]


def selections_for(con: duckdb.DuckDBPyConnection, tables: list[str] | None, query: str | None,
                   query_name: str = "query") -> list[Selection]:
    if query:
        return [Selection(query_name, query)]
    known = mart_tables(con)
    unknown = sorted(set(tables or []) - set(known))
    if unknown:
        raise ValueError(f"not a table of schema {MARTS_SCHEMA}: {', '.join(unknown)} (known: {', '.join(known)})")
    return [Selection(name, f'select * from {MARTS_SCHEMA}."{name}"') for name in (tables or known)]


def _batches(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], Iterator[list[tuple]]]:
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description]

    def rows() -> Iterator[list[tuple]]:
        while batch := cursor.fetchmany(BATCH):
            yield batch
    return columns, rows()


def write_csv(con: duckdb.DuckDBPyConnection, selection: Selection, path: Path) -> int:
    columns, batches = _batches(con, selection.sql)
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for batch in batches:
            writer.writerows(["" if v is None else v for v in row] for row in batch)
            count += len(batch)
    return count


def write_parquet(con: duckdb.DuckDBPyConnection, selection: Selection, path: Path) -> int:
    con.execute(f"copy ({selection.sql}) to '{_escaped(path)}' (format parquet)")
    return con.execute(f"select count(*) from read_parquet('{_escaped(path)}')").fetchall()[0][0]


def write_xlsx(con: duckdb.DuckDBPyConnection, selections: list[Selection], path: Path) -> dict[str, int]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for selection in selections:
        sheet = workbook.create_sheet(title=selection.name[:31])
        columns, batches = _batches(con, selection.sql)
        sheet.append(columns)
        count = 0
        for batch in batches:
            count += len(batch)
            if count > XLSX_MAX_ROWS:
                raise ValueError(f"{selection.name}: more than {XLSX_MAX_ROWS} rows do not fit an Excel sheet; "
                                 "export it to CSV or Parquet")
            for row in batch:
                sheet.append([_xlsx_cell(sheet, value, WriteOnlyCell) for value in row])
        counts[selection.name] = count
    workbook.save(path)
    return counts


def _xlsx_cell(sheet, value, cell_type):
    if isinstance(value, Decimal):
        cell = cell_type(sheet, value=value)
        cell.number_format = "0.00"
        return cell
    if isinstance(value, (list, dict)):  # only a query can yield these; the marts hold none
        return str(value)
    return value


def _escaped(path: Path) -> str:
    return str(path).replace("'", "''")


def export(warehouse: Path, out: Path, fmt: str, tables: list[str] | None = None,
           query: str | None = None) -> dict[str, int]:
    """Write the selected marts (default: all) or a query's result; returns rows per exported name.

    XLSX goes to one workbook at `out`. CSV and Parquet go to the file `out` for a single table
    or query, else to one file per table in the folder `out`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    out = Path(out)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        selections = selections_for(con, tables, query, query_name=out.stem if query else "query")
        if fmt == "xlsx":
            out.parent.mkdir(parents=True, exist_ok=True)
            return write_xlsx(con, selections, out)
        writer = write_csv if fmt == "csv" else write_parquet
        if len(selections) == 1 and out.suffix:
            out.parent.mkdir(parents=True, exist_ok=True)
            return {selections[0].name: writer(con, selections[0], out)}
        out.mkdir(parents=True, exist_ok=True)
        return {s.name: writer(con, s, out / f"{s.name}.{fmt}") for s in selections}
