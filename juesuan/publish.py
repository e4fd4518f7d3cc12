"""Publishing the warehouse in a form every DuckDB client opens.

DuckDB 2.0 writes a storage format that DuckDB 1.x clients (the duckdb CLI on PyPI, the Node
API that JavaScript BI tools embed, JDBC in DBeaver and Metabase) refuse to read. DuckDB keeps the
storage version a file was created with, so the warehouse is built in the 1.x format from its
first byte: a new build starts from an empty file created in that format, or from a copy of the
published one, and publishing is a rename (a reader never sees half a file and keeps the snapshot
it opened). No copy of the whole database is made at publish time.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

# A format the 1.x line reads from 1.3 on; checked with the 1.5.6 CLI and @duckdb/node-api. Not v1.2.0,
# which 1.2 clients also read: DuckDB 2.0 writes it about 1.5x slower (BENCHMARKS.md, storage format).
CLIENT_STORAGE_VERSION = "v1.3.0"


def _sql_string(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def create_for_clients(path: Path, storage_version: str = CLIENT_STORAGE_VERSION) -> Path:
    """An empty database file at `path` in `storage_version`; whatever is written into it later keeps it."""
    path = Path(path)
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"attach {_sql_string(path)} as new_file (storage_version {_sql_string(storage_version)})")
        con.execute("detach new_file")
    return path


def storage_version(path: Path) -> str:
    """The storage version DuckDB reports for the file (e.g. 'v1.3.0+')."""
    with duckdb.connect() as con:
        con.execute(f"attach {_sql_string(path)} as probed (read_only)")
        (tags,) = con.execute("select tags from duckdb_databases() where database_name = 'probed'").fetchall()[0]
        con.execute("detach probed")
    return tags.get("storage_version", "")


def publish(built: Path, target: Path) -> Path:
    """Rename the finished build over the published warehouse, atomically."""
    os.replace(built, target)
    return target
