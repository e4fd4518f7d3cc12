"""Scale benchmark: generated corpora of 1, 100, 1,000 and 10,000 documents, text to validated marts.

For each size, in a fresh process: generate the corpus (juesuan_testkit.corpus, deterministic), extract it
in parallel into per-document raw CSV files, dbt build (the raw cells loaded by DuckDB read_csv into
staging, incremental identity models, marts, dbt tests), Great Expectations validation, publish.
Reports per stage wall time, documents per second, peak memory and warehouse size; the floor
(DuckDB read_csv of the same raw CSVs into a table) to set the load stage against; the latency of
three typical BI queries; and, at 1,000 documents, the time to add one more document.

    .venv/bin/python scripts/bench_scale.py --sizes 1 100 1000 10000
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from juesuan_testkit.corpus import generate_corpus  # noqa: E402
from juesuan.extract.rawtables import copy_vocabulary  # noqa: E402
from juesuan.pipeline import build_warehouse, extract_to_raw_dir  # noqa: E402

TEMPLATE = ROOT.parent / "shared" / "documents" / "qingyuan_rsj_2023_final.txt"
SEED = 7
QUERIES = {
    "class totals by department and year": """
        select d.department_name, d.fiscal_year, s.subject_name, sum(f.amount) as amount
        from marts.fct_functional_amounts f
        join marts.dim_document d using (document_key)
        join marts.dim_functional_subject s using (functional_code)
        where f.statement = 'T3' and f.measure = 'total_expenditure' and s.subject_level = '类'
        group by all""",
    "one department's expenditure by 款": """
        select d.fiscal_year, s.functional_code, s.subject_name, f.amount
        from marts.fct_functional_amounts f
        join marts.dim_document d using (document_key)
        join marts.dim_functional_subject s using (functional_code)
        where d.department_name = (select min(department_name) from marts.dim_document)
          and f.statement = 'T3' and f.measure = 'total_expenditure' and s.subject_level = '款'""",
    "T6 economic breakdown across departments": """
        select e.economic_code, e.subject_name, f.expense_type, sum(f.amount) as amount, count(*) as departments
        from marts.fct_economic_amounts f
        join marts.dim_economic_subject e using (economic_code)
        group by all""",
}


def peak_children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def peak_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_seconds(target: Path) -> float:
    """dbt's own timing of the node that loads the raw cells (read_csv into staging)."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    return sum(r["execution_time"] for r in results["results"]
               if r["unique_id"] in ("model.juesuan.stg_raw__cells", "model.juesuan.stg_raw__documents"))


def floor_seconds(raw: Path, scratch: Path) -> float:
    scratch.unlink(missing_ok=True)
    with duckdb.connect(str(scratch)) as con:
        started = time.monotonic()
        con.execute(f"create table cells as select * from read_csv('{raw}/cells/*.csv', header = true)")
        con.execute(f"create table documents as select * from read_csv('{raw}/documents/*.csv', header = true)")
        elapsed = time.monotonic() - started
    scratch.unlink(missing_ok=True)
    return elapsed


def query_latencies(warehouse: Path) -> dict[str, float]:
    """Median of 5 warm runs: execute and fetch the whole result as columns, as a BI driver
    does (a DataFrame here; pulling 90,000 rows into Python tuples of Decimal instead costs
    about 130 ms more at 10,000 documents, all of it in the Python conversion)."""
    latencies = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, sql in QUERIES.items():
            rows = len(con.execute(sql).df())
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                con.execute(sql).df()
                runs.append((time.perf_counter() - started) * 1000)
            latencies[name] = statistics.median(runs)
            latencies[name + " rows"] = rows
    return latencies


def statuses(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select status, count(*) from marts.dim_document group by 1").fetchall())


def build(raw: Path, seeds: Path, warehouse: Path, target: Path, incremental: bool = False) -> dict:
    os.environ["JUESUAN_DBT_TARGET"] = str(target)
    timings: dict = {}
    ok, output, validation = build_warehouse(warehouse, seeds, report=lambda _l: None, target_dir=target,
                                             raw_dir=raw, incremental=incremental, timings=timings)
    if not ok or validation is None or not validation.success:
        raise SystemExit(f"build failed:\n{output[-3000:]}")
    return timings


def one_size(n: int, workdir: Path) -> dict:
    base = workdir / f"n{n}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    started = time.monotonic()
    documents = generate_corpus(TEMPLATE, base / "docs", n, seed=SEED)
    generate = time.monotonic() - started
    seeds = copy_vocabulary(ROOT / "seeds", base / "seeds")
    raw, warehouse, target = base / "raw", base / "warehouse" / "juesuan.duckdb", base / "target"

    started = time.monotonic()
    amounts, failures = extract_to_raw_dir(documents, raw, report=lambda _l: None)
    extract = time.monotonic() - started
    extract_peak = peak_children_mb()

    started = time.monotonic()
    timings = build(raw, seeds, warehouse, target)
    total_build = time.monotonic() - started
    load = load_seconds(target)
    result = {
        "documents": n, "amounts": amounts, "extraction_failures": len(failures), "generate_s": generate,
        "extract_s": extract, "extract_peak_mb": extract_peak,
        "load_s": load, "dbt_s": timings["dbt"] - load, "dbt_peak_mb": peak_children_mb(),
        "validation_s": timings["validation"], "validation_peak_mb": peak_self_mb(),
        "total_s": extract + total_build, "warehouse_mb": warehouse.stat().st_size / 2**20,
        "floor_s": floor_seconds(raw, base / "floor.duckdb"),
        "statuses": statuses(warehouse), "queries_ms": query_latencies(warehouse),
    }
    if n == 1000:
        extra = generate_corpus(TEMPLATE, base / "extra", n + 1, seed=SEED)[-1]
        started = time.monotonic()
        extract_to_raw_dir([extra], raw, processes=1, report=lambda _l: None)
        build(raw, seeds, warehouse, target, incremental=True)
        result["add_one_s"] = time.monotonic() - started
        result["statuses_after_add"] = statuses(warehouse)
    shutil.rmtree(base / "docs", ignore_errors=True)
    return result


def table(results: list[dict]) -> str:
    lines = ["| documents | amounts | extract s | load s (floor s, ratio) | dbt build s | validation s | total s "
             "| docs/s | peak MB extract / dbt / GX | warehouse MB | published |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|"]
    for r in results:
        lines.append(
            f"| {r['documents']:,} | {r['amounts']:,} | {r['extract_s']:.1f} | {r['load_s']:.2f} ({r['floor_s']:.2f}, "
            f"{r['load_s'] / r['floor_s']:.1f}×) | {r['dbt_s']:.1f} | {r['validation_s']:.1f} | {r['total_s']:.1f} "
            f"| {r['documents'] / r['total_s']:.1f} | {r['extract_peak_mb']:.0f} / {r['dbt_peak_mb']:.0f} / "
            f"{r['validation_peak_mb']:.0f} | {r['warehouse_mb']:.1f} | {r['statuses']} |")
    lines += ["", "| documents | " + " | ".join(QUERIES) + " |", "|---:|" + "---:|" * len(QUERIES)]
    for r in results:
        lines.append(f"| {r['documents']:,} | " + " | ".join(
            f"{r['queries_ms'][q]:.1f} ms ({r['queries_ms'][q + ' rows']:,} rows)" for q in QUERIES) + " |")
    for r in results:
        if "add_one_s" in r:
            lines.append(f"\nAdding one document to the {r['documents']:,}-document warehouse (extract, incremental "
                         f"dbt build, validation, publish): {r['add_one_s']:.1f} s; after it: {r['statuses_after_add']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000, 10000])
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one_size(args.one, args.workdir)))
        return 0
    results = []
    for n in args.sizes:  # each size in a fresh process, so peak memory is its own
        done = subprocess.run([sys.executable, __file__, "--one", str(n), "--workdir", str(args.workdir)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-4000:], file=sys.stderr)
            return 1
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{n} documents: {results[-1]['total_s']:.1f} s", file=sys.stderr)
    print(f"machine: {os.cpu_count()} CPUs, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
