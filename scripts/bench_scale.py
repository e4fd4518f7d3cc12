"""Scale benchmark on the user's path: `juesuan build` (the Dagster graph) from text to published.

For each size: generate a corpus (juesuan_testkit.corpus, deterministic, not timed), then time
`juesuan build --documents <corpus> --warehouse <new file>` as a whole process (wall seconds, peak
memory of the largest process, DuckDB memory_limit 3GB); the floor (DuckDB read_csv of the same
landing-zone files into a table); adding one document to that warehouse; and three typical BI
queries. Then the shared documents: `juesuan build` against `dbt build` alone on the same raw tables.

    .venv/bin/python scripts/bench_scale.py --sizes 1 100 1000 10000
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from juesuan_testkit.corpus import generate_corpus  # noqa: E402

TEMPLATE = ROOT.parent / "shared" / "documents" / "qingyuan_rsj_2023_final.txt"
SHARED = ROOT.parent / "shared" / "documents"
JUESUAN = [sys.executable, "-m", "juesuan.cli"]
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


def timed(command: list[str], cwd: Path = ROOT) -> dict:
    """Wall seconds and peak memory of the largest process (the command or a descendant it waited for)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        tail = output.read()[-1500:]
    return {"seconds": round(seconds, 1), "exit": process.returncode, "peak_mb": round(usage.ru_maxrss / 1024),
            "tail": tail}


def floor_seconds(landing: Path, scratch: Path) -> float:
    scratch.unlink(missing_ok=True)
    with duckdb.connect(str(scratch)) as con:
        started = time.monotonic()
        con.execute(f"create table cells as select * from read_csv('{landing}/documents/*/raw_cells.csv', "
                    "header = true, delim = ',', quote = '\"', escape = '\"')")
        elapsed = time.monotonic() - started
    scratch.unlink(missing_ok=True)
    return round(elapsed, 2)


def query_ms(warehouse: Path) -> dict[str, float]:
    timings = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, sql in QUERIES.items():
            con.execute(sql).fetchall()
            started = time.monotonic()
            for _ in range(3):
                con.execute(sql).fetchall()
            timings[name] = round((time.monotonic() - started) / 3 * 1000, 1)
    return timings


def bench_size(size: int, work: Path) -> dict:
    corpus = work / f"corpus_{size}"
    if not corpus.exists():
        generate_corpus(TEMPLATE, corpus, size + 1, seed=SEED)
    inbox = work / f"inbox_{size}"
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir()
    documents = sorted(corpus.glob("*.txt"))
    for path in documents[:size]:
        os.link(path, inbox / path.name)
    warehouse = work / f"w_{size}" / "juesuan.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    build = timed([*JUESUAN, "build", "--documents", str(inbox), "--warehouse", str(warehouse), "--quiet"])
    result = {"documents": size, "build": build}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        result["facts"] = con.execute("select count(*) from marts.all_amounts").fetchall()[0][0]
        result["states"] = dict(con.execute("select status, count(*) from marts.dim_document group by 1").fetchall())
    result["floor_read_csv_seconds"] = floor_seconds(warehouse.with_name("juesuan.landing"), work / "floor.duckdb")
    os.link(documents[size], inbox / documents[size].name)
    result["add_one"] = timed([*JUESUAN, "build", "--documents", str(inbox), "--warehouse", str(warehouse), "--quiet"])
    result["queries_ms"] = query_ms(warehouse)
    result["warehouse_mb"] = round(warehouse.stat().st_size / 2**20, 1)
    return result


def bench_shared(work: Path) -> dict:
    warehouse = work / "w_shared" / "juesuan.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    cli = timed([*JUESUAN, "build", "--documents", str(SHARED), "--warehouse", str(warehouse), "--quiet"])
    link = next(p for p in (ROOT / "dbt_project" / "landing").iterdir()
                if p.resolve() == warehouse.with_name("juesuan.landing").joinpath("seeds").resolve())
    variables = json.dumps({"raw_seeds": os.path.relpath(link, ROOT / "dbt_project"),
                            "build_file": str(work / "dbt_alone.duckdb")})
    (work / "dbt_alone.duckdb").unlink(missing_ok=True)
    # a new warehouse's first build parses the project in full: so does dbt alone (no target folder left)
    shutil.rmtree(work / "dbt_alone_target", ignore_errors=True)
    dbt = timed([str(Path(sys.executable).with_name("dbt")), "build", "--target", "build", "--vars", variables,
                 "--target-path", str(work / "dbt_alone_target")], cwd=ROOT / "dbt_project")
    return {"juesuan_build": cli, "dbt_build_alone": dbt, "ratio": round(cli["seconds"] / dbt["seconds"], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench_scale")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench_scale.json")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}", flush=True)
    # not timed: a fresh clone parses the dbt project once (orchestration.project), as `make run` does first
    subprocess.run([sys.executable, "-c", "import orchestration.project"], cwd=ROOT, check=True)
    results = {"shared": bench_shared(args.work)}
    shared = results["shared"]
    print(f"shared documents: juesuan build {shared['juesuan_build']['seconds']} s, dbt build alone "
          f"{shared['dbt_build_alone']['seconds']} s, ratio {shared['ratio']}", flush=True)
    for size in args.sizes:
        result = bench_size(size, args.work)
        results[str(size)] = result
        print(f"{size:>6} documents: build {result['build']['seconds']} s (exit {result['build']['exit']}), "
              f"peak {result['build']['peak_mb']} MB, floor read_csv {result['floor_read_csv_seconds']} s, "
              f"add one {result['add_one']['seconds']} s, facts {result['facts']}, states {result['states']}, "
              f"queries ms {result['queries_ms']}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
