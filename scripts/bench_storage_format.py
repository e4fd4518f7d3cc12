"""How fast DuckDB writes a warehouse-shaped table in each storage format a 1.x client can read.

The warehouse is built in the format its clients read (juesuan.publish.CLIENT_STORAGE_VERSION).
This times writing the same rows (in memory first, not timed) into a new file per format: 2.5 million
rows shaped like marts.identity_cells (keys as text, DECIMAL amounts, integers), best of three.

    .venv/bin/python scripts/bench_storage_format.py [--rows 2500000]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

FORMATS = ("v1.2.0", "v1.3.0", "v1.4.0")

ROWS_SQL = """
    select
        'doc_' || (i // 2500)::varchar as document_key,
        md5((i // 2500)::varchar) as document_sha256,
        ['row_sums', 'hierarchy', 'cross_table'][1 + i % 3] as family,
        'T' || (1 + i % 9)::varchar || ' | ' || (i % 997)::varchar || ' 本年支出合计 | total' as identity_key,
        ['left', 'right'][1 + i % 2] as side,
        (1 - 2 * (i % 2))::integer as sign,
        'T' || (1 + i % 9)::varchar as statement,
        '行' || (i % 997)::varchar as row_key,
        ['total', 'basic', 'project'][1 + i % 3] as measure,
        ((i * 7919) % 1000000 / 100)::decimal(18, 2) as amount,
        0.005::decimal(18, 3) as rounding,
        (i % 400)::integer as source_line,
        (i % 30)::integer as page
    from range({rows}) as t(i)
"""


def write_seconds(con: duckdb.DuckDBPyConnection, folder: Path, storage_version: str) -> float:
    path = folder / f"{storage_version}.duckdb"
    best = float("inf")
    for _ in range(3):
        path.unlink(missing_ok=True)
        con.execute(f"attach '{path}' as target (storage_version '{storage_version}')")
        started = time.monotonic()
        con.execute("create table target.cells as select * from memory.cells")
        con.execute("checkpoint target")
        best = min(best, time.monotonic() - started)
        con.execute("detach target")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_500_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder, duckdb.connect() as con:
        con.execute("set memory_limit = '3GB'")
        con.execute("create table memory.cells as " + ROWS_SQL.format(rows=args.rows))
        for storage_version in FORMATS:
            print(f"{storage_version}: {write_seconds(con, Path(folder), storage_version):.2f} s "
                  f"to write {args.rows:,} rows", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
