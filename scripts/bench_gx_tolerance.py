"""Great Expectations' tolerance rule, the query alone: the cells of one family's identities found by
a semi join onto identity_results (before) against a filter on identity_cells.family (after).

    .venv/bin/python scripts/bench_gx_tolerance.py <published warehouse.duckdb>

A warehouse built before identity_cells had its family column gets one in a scratch copy of the
table (not timed), so both queries read the same rows.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

FAMILIES = ["row_sums", "hierarchy", "summary_totals", "cross_table", "three_public", "narrative"]
HEAD = ("select document_key, identity, tolerance from w.marts.identity_results join ("
        "select c.document_key, c.identity_key, sum(c.rounding) as printed_rounding, "
        "max(c.rounding) as largest_rounding, min(c.rounding) as smallest_rounding ")
TAIL = ("group by c.document_key, c.identity_key) as printed using (document_key, identity_key) "
        "where family = '{f}' and status <> 'not applicable' and tolerance <> printed_rounding")
QUERIES = {
    "semi join": HEAD + ("from cells c semi join w.marts.identity_results f on f.document_key = c.document_key "
                         "and f.identity_key = c.identity_key and f.family = '{f}' where c.amount is not null ") + TAIL,
    "family column": HEAD + "from cells c where c.family = '{f}' and c.amount is not null " + TAIL,
}


def main(warehouse: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        con = duckdb.connect(str(Path(scratch) / "scratch.duckdb"))
        con.execute(f"attach '{warehouse}' as w (read_only)")
        con.execute("set threads = 2; set memory_limit = '3GB'")
        columns = {r[0] for r in con.execute("describe w.marts.identity_cells").fetchall()}
        if "family" in columns:
            con.execute("create view cells as select * from w.marts.identity_cells")
        else:
            con.execute("create table cells as select c.*, r.family from w.marts.identity_cells c "
                        "join w.marts.identity_results r using (document_key, identity_key)")
        totals = dict.fromkeys(QUERIES, 0.0)
        for family in FAMILIES:
            for name, query in QUERIES.items():
                started = time.monotonic()
                con.execute(f"select count(*) from ({query.format(f=family)})").fetchall()
                totals[name] += time.monotonic() - started
                print(f"{family:15} {name:14} {time.monotonic() - started:6.2f} s")
        print("total: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in totals.items()))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
