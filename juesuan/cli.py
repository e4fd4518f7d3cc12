"""`juesuan extract` and `juesuan build`: thin wiring over the extraction library and pipeline."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from .extract import ExtractionError, extract_document
from .extract.rawtables import write_document
from .paths import PROJECT_ROOT, default_inbox, default_seeds_dir, default_warehouse


def _extract(args: argparse.Namespace) -> int:
    try:
        document = extract_document(args.file)
    except ExtractionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    write_document(Path(args.out), document)
    counts = ", ".join(f"{k} {v}" for k, v in document.counts_by_statement().items())
    print(f"{args.file}: {document.meta.department_name} {document.meta.fiscal_year} "
          f"({document.meta.unit}): {len(document.cells)} amounts ({counts}) -> {args.out}")
    for warning in document.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _build(args: argparse.Namespace) -> int:
    # Dagster is the runner: the CLI executes the same jobs in process (orchestration/run.py)
    from orchestration.run import build_in_process as build

    from .pipeline import format_summary

    folders = [Path(p) for p in (args.documents or [default_inbox()])]
    result = build(folders, Path(args.warehouse), Path(args.seeds),
                   report=(lambda _line: None) if args.quiet else print)
    print(format_summary(result))
    return 0 if result.published else 1


def _accept(args: argparse.Namespace) -> int:
    from orchestration.run import build_in_process as build

    from .extract.rawtables import record_acceptance
    from .pipeline import format_summary

    try:
        entry = record_acceptance(Path(args.seeds), args.document, args.reason, date.today().isoformat())
    except (KeyError, ValueError) as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 1
    print(f"accepted {entry['document_id']} (sha256 {entry['sha256'][:12]}…) on {entry['accepted_on']}: "
          f"{entry['reason']}")
    result = build([], Path(args.warehouse), Path(args.seeds), report=lambda _line: None)
    print(format_summary(result))
    return 0 if result.published else 1


def _docs(args: argparse.Namespace) -> int:
    from .docs import build_docs

    if not Path(args.warehouse).exists():
        print(f"error: no warehouse at {args.warehouse} (run `make run` first)", file=sys.stderr)
        return 1
    pages = build_docs(args.warehouse, args.out)
    for name, path in pages.items():
        print(f"{name}: {path}")
    return 0


def _export(args: argparse.Namespace) -> int:
    import duckdb

    from .export import export

    fmt = args.format or args.out.suffix.lstrip(".").lower()
    try:
        counts = export(args.warehouse, args.out, fmt, tables=args.table, query=args.query)
    except (ValueError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for name, rows in counts.items():
        print(f"{name}: {rows} rows")
    print(f"-> {args.out}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from .report import build_report

    if not Path(args.warehouse).exists():
        print(f"error: no warehouse at {args.warehouse} (run `make run` first)", file=sys.stderr)
        return 1
    pages = build_report(args.warehouse, args.out, args.sources or [default_inbox()])
    print(f"report: {len(pages)} pages -> {Path(args.out) / 'index.html'}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="juesuan", description="部门决算 documents into a validated DuckDB warehouse")
    commands = root.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="write the raw tables (CSV) of one document")
    extract.add_argument("file", type=Path)
    extract.add_argument("--out", required=True, type=Path, help="directory for raw_documents.csv and raw_cells.csv")
    extract.set_defaults(func=_extract)

    build = commands.add_parser("build", help="extract the inbox, load raw tables, build and validate the warehouse")
    build.add_argument("--documents", action="append", type=Path,
                       help="inbox folder or file (repeatable; default: documents/)")
    build.add_argument("--warehouse", type=Path, default=default_warehouse())
    build.add_argument("--seeds", type=Path, default=default_seeds_dir(), help="raw tables folder (default: seeds/)")
    build.add_argument("--quiet", action="store_true", help="print only the summary")
    build.set_defaults(func=_build)

    accept = commands.add_parser("accept", help="publish a quarantined document despite its failed identities")
    accept.add_argument("document", help="document id (marts.dim_document.document_key)")
    accept.add_argument("--reason", required=True, help="why the failures are accepted (kept with the date)")
    accept.add_argument("--warehouse", type=Path, default=default_warehouse())
    accept.add_argument("--seeds", type=Path, default=default_seeds_dir())
    accept.set_defaults(func=_accept)

    export = commands.add_parser(
        "export", help="the marts (or a query) to XLSX, CSV (UTF-8 with BOM) or Parquet (exact decimals)")
    export.add_argument("--out", required=True, type=Path,
                        help="file (.xlsx, or one table/query as .csv/.parquet) or folder (one file per table)")
    export.add_argument("--format", choices=["xlsx", "csv", "parquet"], help="default: from --out's suffix")
    export.add_argument("--table", action="append", help="a table of schema marts (repeatable; default: all)")
    export.add_argument("--query", help="a SQL query instead of tables")
    export.add_argument("--warehouse", type=Path, default=default_warehouse())
    export.set_defaults(func=_export)

    report = commands.add_parser("report", help="the analysts' report: a static site over the published warehouse")
    report.add_argument("--warehouse", type=Path, default=default_warehouse())
    report.add_argument("--out", type=Path, default=PROJECT_ROOT / "report" / "build")
    report.add_argument("--sources", action="append", type=Path,
                        help="folder holding the source PDFs, for links to the page (repeatable; default: documents/)")
    report.set_defaults(func=_report)

    docs = commands.add_parser("docs", help="dbt docs (one static file) and the data-quality index, offline")
    docs.add_argument("--warehouse", type=Path, default=default_warehouse())
    docs.add_argument("--out", type=Path, default=PROJECT_ROOT / "build" / "docs")
    docs.set_defaults(func=_docs)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
