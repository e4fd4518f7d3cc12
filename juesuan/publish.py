"""Publishing the warehouse in a form every DuckDB client opens.

DuckDB 2.0 writes a storage format that DuckDB 1.x clients (the duckdb CLI on PyPI, the Node
API that JavaScript BI tools embed, JDBC in DBeaver and Metabase) refuse to read. DuckDB 2.0 can
still write the 1.x format on request, so the published file is a copy of the built one in that
format, made beside the target and renamed over it so a reader never sees half a file.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

# The newest format the 1.x line (1.2 and later) reads; checked with the 1.5.6 CLI and @duckdb/node-api.
CLIENT_STORAGE_VERSION = "v1.2.0"


def compatible_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.compatible")


def _sql_string(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def write_for_clients(built: Path, target: Path, storage_version: str = CLIENT_STORAGE_VERSION) -> Path:
    """Copy the database at `built` into `target` in `storage_version`, atomically; remove `built`.

    Schemas, tables, views and their comments are copied by DuckDB itself (COPY FROM DATABASE).
    The copy's catalog takes the target's name, so views are re-created against it.
    """
    built, target = Path(built), Path(target)
    beside = compatible_path(target)
    for leftover in (beside, beside.with_name(beside.name + ".wal")):
        leftover.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"attach {_sql_string(built)} as built (read_only)")
        con.execute(f"attach {_sql_string(beside)} as published (storage_version {_sql_string(storage_version)})")
        con.execute("copy from database built to published")
        con.execute("detach published")
        con.execute("detach built")
    os.replace(beside, target)
    if built.resolve() != target.resolve():
        built.unlink(missing_ok=True)
    return target

