"""`juesuan build | extract | accept | remove | docs`: thin wiring over the library and the Dagster graph."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from .paths import DEFAULT_INBOX, DEFAULT_WAREHOUSE, PROJECT_ROOT

EXIT_CODES = """exit codes of build, accept and remove:
  0  published; every document counted is published (or accepted)
  1  published; some files are held back (quarantined or unreadable): see the summary
  3  nothing published: the last good warehouse is unchanged (the reason is printed)
  4  not started: another build is writing this warehouse (--no-wait)"""


def _extract(args: argparse.Namespace) -> int:
    from .extract import ExtractionError, extract_document
    from .extract.rawtables import write_document

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


def _run_build(inbox: list[Path], warehouse: Path, args: argparse.Namespace) -> int:
    from orchestration.run import build, format_summary

    outcome = build(inbox, warehouse, wait=not args.no_wait, processes=args.processes,
                    memory_limit=args.memory_limit, echo=not args.quiet)
    print(format_summary(outcome))
    return outcome.exit_code


def _build(args: argparse.Namespace) -> int:
    return _run_build(args.documents or [DEFAULT_INBOX], args.warehouse, args)


def _accept(args: argparse.Namespace) -> int:
    from .landing import LandingZone, landing_dir_for
    from .writer_lock import WarehouseBusy, WriterLock

    zone = LandingZone(landing_dir_for(args.warehouse))
    try:
        with _locked(args.warehouse, args.no_wait):
            entry = zone.accept(args.document, args.reason, date.today().isoformat())
    except (KeyError, ValueError, WarehouseBusy) as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 4 if isinstance(error, WarehouseBusy) else 3
    print(f"accepted {entry['document_id']} (sha256 {entry['sha256'][:12]}…) on {entry['accepted_on']}: "
          f"{entry['reason']}")
    return _run_build(args.documents or [DEFAULT_INBOX], args.warehouse, args)


def _remove(args: argparse.Namespace) -> int:
    from .landing import LandingZone, landing_dir_for
    from .writer_lock import WarehouseBusy

    zone = LandingZone(landing_dir_for(args.warehouse))
    held = zone.record(args.document)
    if held is None:
        print(f"error: no document '{args.document}' in {args.warehouse}", file=sys.stderr)
        return 3
    inbox = args.documents or [DEFAULT_INBOX]
    try:
        with _locked(args.warehouse, args.no_wait):
            zone.remove(args.document)  # the same file left in the inbox stays out
    except WarehouseBusy as error:
        print(f"error: {error}", file=sys.stderr)
        return 4
    print(f"removed {args.document} ({held['source_file']})")
    return _run_build(inbox, args.warehouse, args)


def _locked(warehouse: Path, no_wait: bool):
    from .writer_lock import WriterLock

    lock = WriterLock(Path(warehouse).resolve())

    class _Held:
        def __enter__(self):
            lock.acquire(wait=not no_wait)
            return lock

        def __exit__(self, *_exc):
            lock.release()

    return _Held()


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
    report = build_report(args.warehouse, args.out, args.sources or [DEFAULT_INBOX])
    print(f"report: {len(report.pages)} pages ({len(report.written)} files written, {len(report.removed)} removed) "
          f"-> {Path(args.out) / 'index.html'}")
    return 0


def _add_build_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--documents", action="append", type=Path,
                         help="inbox folder or file (repeatable; default: documents/)")
    command.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE,
                         help="the published DuckDB file (default: warehouse/juesuan.duckdb); its landing "
                              "zone is <name>.landing beside it")
    command.add_argument("--no-wait", action="store_true",
                         help="exit (code 4) instead of waiting when another build is writing this warehouse")
    command.add_argument("--processes", type=int, default=0, help="reader processes (default: one per core)")
    command.add_argument("--memory-limit", default="3GB", help="DuckDB memory limit of the build (default 3GB)")
    command.add_argument("--quiet", action="store_true", help="print only the summary")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="juesuan", description="部门决算 / 部门预算 documents into a validated DuckDB warehouse",
                                   epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="write the raw tables (CSV) of one document")
    extract.add_argument("file", type=Path)
    extract.add_argument("--out", required=True, type=Path, help="directory for the raw table CSVs")
    extract.set_defaults(func=_extract)

    build = commands.add_parser("build", help="read the inbox, build, check and publish the warehouse",
                                epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_build_options(build)
    build.set_defaults(func=_build)

    accept = commands.add_parser("accept", help="publish a quarantined document despite its failed identities")
    accept.add_argument("document", help="document id (marts.dim_document.document_key)")
    accept.add_argument("--reason", required=True, help="why the failures are accepted (kept with the date)")
    _add_build_options(accept)
    accept.set_defaults(func=_accept)

    remove = commands.add_parser("remove", help="take a document out of the warehouse (and out of the inbox)")
    remove.add_argument("document", help="document id (marts.dim_document.document_key)")
    _add_build_options(remove)
    remove.set_defaults(func=_remove)

    export = commands.add_parser(
        "export", help="the marts (or a query) to XLSX, CSV (UTF-8 with BOM) or Parquet (exact decimals)")
    export.add_argument("--out", required=True, type=Path,
                        help="file (.xlsx, or one table/query as .csv/.parquet) or folder (one file per table)")
    export.add_argument("--format", choices=["xlsx", "csv", "parquet"], help="default: from --out's suffix")
    export.add_argument("--table", action="append", help="a table of schema marts (repeatable; default: all)")
    export.add_argument("--query", help="a SQL query instead of tables")
    export.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    export.set_defaults(func=_export)

    report = commands.add_parser("report", help="the analysts' report: a static site over the published warehouse")
    report.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    report.add_argument("--out", type=Path, default=PROJECT_ROOT / "report" / "build")
    report.add_argument("--sources", action="append", type=Path,
                        help="folder holding the source PDFs, for links to the page (repeatable; default: documents/)")
    report.set_defaults(func=_report)

    docs = commands.add_parser("docs", help="dbt docs (one static file) and the data-quality index, offline")
    docs.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    docs.add_argument("--out", type=Path, default=PROJECT_ROOT / "build" / "docs")
    docs.set_defaults(func=_docs)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
