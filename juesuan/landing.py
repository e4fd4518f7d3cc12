"""The landing zone of one warehouse: every inbox file's raw tables, one folder per document.

<landing>/documents/<document_id>/
    raw_documents.csv   one row: what extraction recorded (department, year, …), the file's sha256,
                        and how reading ended (read | unreadable, with the reason and where)
    raw_cells.csv       the printed cells
    raw_narrative.csv   the figures the narrative states (changes on the prior year or the budget)
    raw_narrative_facts.csv   the facts only the narrative states (机关运行经费, 政府采购, …)
    raw_warnings.csv    what the reader warned about
    (a table with no row for the document has no file: an unreadable file lands raw_documents.csv
    alone. Creating a file is the landing's largest cost, and every file is read again by the build.)
<landing>/accepted_exceptions.csv   `juesuan accept`: failed identities accepted for one content
<landing>/logs/<document_id>.log    the stack trace when a reader crashed

A document folder is replaced whole (written beside, then renamed), so a document is added,
replaced or removed atomically, and an interrupted build leaves either the old or the new one.
The landing zone belongs to its warehouse (`<warehouse>.landing` beside the file): builds of
two warehouses share nothing. Which documents count, and in which state, the warehouse decides
(dbt), from what is recorded here. This module reads files and writes CSVs; no Dagster, no dbt.
"""
from __future__ import annotations

import hashlib
import operator
import os
import re
import shutil
import signal
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .extract import ExtractedDocument, ExtractionError, document_kind, extract_document, unsupported_reason
from .extract.model import CELL_COLUMNS, DOCUMENT_COLUMNS, NARRATIVE_COLUMNS, NARRATIVE_FACT_COLUMNS
from .extract.rawtables import read_rows, write_rows, write_value_rows
from .workers import Lost, run_in_workers

READ = "read"
UNREADABLE = "unreadable"
LANDING_COLUMNS = ["inbox_path", "file_modified_at", "landed_at", "extraction_status", "reason",
                   "reason_line", "reason_page", "warning_count", "extractor_version"]
LANDED_DOCUMENT_COLUMNS = DOCUMENT_COLUMNS + LANDING_COLUMNS
WARNING_COLUMNS = ["document_id", "warning_number", "warning"]
ACCEPTED_COLUMNS = ["document_id", "sha256", "reason", "accepted_on"]

# name -> columns of every raw table a document folder holds
RAW_TABLES = {
    "raw_documents": LANDED_DOCUMENT_COLUMNS,
    "raw_cells": CELL_COLUMNS,
    "raw_narrative": NARRATIVE_COLUMNS,
    "raw_narrative_facts": NARRATIVE_FACT_COLUMNS,
    "raw_warnings": WARNING_COLUMNS,
}
ACCEPTED_TABLE = "accepted_exceptions"
DOCUMENT_TIMEOUT_SECONDS = 120
# past this a reader stuck where the timer above cannot stop it (native code) loses its process
WORKER_TIMEOUT_SECONDS = DOCUMENT_TIMEOUT_SECONDS + 60
_CLEAN_STEM = re.compile(r"^[0-9a-z_\u4e00-\u9fff]+$")
# a browser's download in progress: the finished file arrives under its own name
IN_PROGRESS_SUFFIXES = (".part", ".partial", ".crdownload", ".download", ".tmp")

Report = Callable[[str], None]


# ---------------------------------------------------------------- the inbox

@dataclass(frozen=True)
class InboxFile:
    document_id: str
    path: Path          # as listed in the inbox (a symlink stays a symlink here)
    target: Path        # the file that is read
    sha256: str
    modified_at: str    # the file's mtime, UTC ISO: a later version of a department-year supersedes
    source_file: str    # its path under the inbox folder ('report.pdf', 'shanghai/2024/report.pdf')


def document_id_for(path: Path) -> str:
    """A readable id from the file's path under the inbox ('report.pdf', 'shanghai/2024/report.pdf':
    its folders joined by '_'; an absolute path counts by its name alone). A name that loses letters
    in the slug gets a short hash of it, so two files never share an id ('a b.txt' and 'a_b.txt',
    'Report.pdf' and 'report.pdf')."""
    path = Path(path)
    under_inbox = Path(path.name) if path.is_absolute() else path
    parts = [*under_inbox.parent.parts, under_inbox.stem]
    stem = re.sub(r"[^0-9a-zA-Z_\u4e00-\u9fff]+", "_", "_".join(parts)).strip("_").lower() or "document"
    if all(_CLEAN_STEM.match(part) for part in parts) and path.suffix in (".pdf", ".txt", ""):
        return stem
    return f"{stem}_{hashlib.sha1(under_inbox.as_posix().encode()).hexdigest()[:6]}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _inbox_entries(folders: Iterable[Path], skip: Iterable[Path] = ()) -> list[tuple[Path, str]]:
    """Every regular file (or link to one) in the inbox folders and their subfolders, with its path
    under the folder it was found in. Hidden names and downloads in progress are left out, and so is
    `skip`: the warehouse's own files, should the inbox hold them. A folder reached twice (a link to
    a parent) is read once."""
    skipped = {Path(p).resolve() for p in skip}
    entries: list[tuple[Path, str]] = []
    for folder in map(Path, folders):
        if folder.is_file():
            if folder.resolve() not in skipped:
                entries.append((folder, folder.name))
            continue
        seen: set[Path] = set()
        for top, dirs, names in os.walk(folder, followlinks=True):
            real = Path(top).resolve()
            if real in seen or real in skipped:
                dirs[:] = []
                continue
            seen.add(real)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                path = Path(top) / name
                if (name.startswith(".") or name.lower().endswith(IN_PROGRESS_SUFFIXES) or not path.is_file()
                        or (skipped and path.resolve() in skipped)):
                    continue
                entries.append((path, path.relative_to(folder).as_posix()))
    return entries


def scan_inbox(folders: Iterable[Path], skip: Iterable[Path] = ()) -> list[InboxFile]:
    """Every regular file (or link to one) in the inbox folders, subfolders included, with a unique
    document id.

    Two entries whose names give one id (report.pdf + report.txt) are told apart by a hash of
    the later one's full name: two files are always two documents."""
    found: list[InboxFile] = []
    taken: set[str] = set()
    for path, source_file in _inbox_entries(folders, skip):
        document_id = document_id_for(Path(source_file))
        if document_id in taken:
            document_id = f"{document_id}_{hashlib.sha1(str(path).encode()).hexdigest()[:6]}"
        taken.add(document_id)
        target = path.resolve()
        modified = datetime.fromtimestamp(target.stat().st_mtime, timezone.utc).isoformat(timespec="microseconds")
        found.append(InboxFile(document_id, path, target, _content_hash(target, modified), modified, source_file))
    return found


def _content_hash(target: Path, modified: str) -> str:
    """The file's sha256; for a file this process may not open (permissions), a stand-in that
    changes with the file, so that it is read (and refused, with the reason) like any other."""
    try:
        return sha256_of(target)
    except OSError as error:
        return hashlib.sha256(f"not opened: {target} {modified} {error}".encode()).hexdigest()


# ---------------------------------------------------------------- reading one file

def extractor_version() -> str:
    """A hash of the reader's source and vocabulary: a new reader or vocabulary re-reads every file."""
    from . import extract as extract_package
    from .extract.vocabulary import default_vocabulary_dir

    digest = hashlib.sha256()
    code = Path(extract_package.__file__).parent
    for path in sorted(code.rglob("*.py")) + sorted(default_vocabulary_dir().glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class _TimedOut(Exception):
    pass


def _on_alarm(_signum, _frame):
    raise _TimedOut()


def read_file(file: InboxFile, timeout: int = DOCUMENT_TIMEOUT_SECONDS) -> tuple[ExtractedDocument | None, dict]:
    """Read one file; never raises. Returns the document (or None) and how reading ended."""
    ended = {"extraction_status": READ, "reason": "", "reason_line": "", "reason_page": "", "traceback": ""}
    try:
        kind = document_kind(file.target)
    except OSError as error:
        ended.update(extraction_status=UNREADABLE, reason=f"the file could not be opened ({type(error).__name__}: "
                                                          f"{error.strerror or error})")
        return None, ended
    if kind is None:
        ended.update(extraction_status=UNREADABLE, reason=unsupported_reason(file.target))
        return None, ended
    if file.target.stat().st_size == 0:
        ended.update(extraction_status=UNREADABLE, reason="empty file")
        return None, ended
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return extract_document(file.target), ended
    except ExtractionError as error:
        ended.update(extraction_status=UNREADABLE, reason=error.reason,
                     reason_line="" if error.line is None else error.line,
                     reason_page="" if error.page is None else error.page)
    except _TimedOut:
        ended.update(extraction_status=UNREADABLE, reason=f"reading took longer than {timeout} s: given up")
    except Exception as error:  # noqa: BLE001 - a reader bug must not stop the other documents
        ended.update(extraction_status=UNREADABLE, reason=f"the reader failed ({type(error).__name__}: {error})",
                     traceback=traceback.format_exc())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return None, ended


# ---------------------------------------------------------------- the landing zone

def landing_dir_for(warehouse: Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name.removesuffix(".duckdb") + ".landing")


@dataclass
class Landed:
    """What one build did with one inbox file."""

    document_id: str
    file: str
    status: str          # read | unreadable | unchanged
    detail: str = ""     # department and year, or the reason
    cells: int = 0
    warnings: tuple = ()


class LandingZone:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.documents_dir = self.root / "documents"

    def folder(self, document_id: str) -> Path:
        return self.documents_dir / document_id

    def record(self, document_id: str) -> dict | None:
        rows = read_rows(self.folder(document_id) / "raw_documents.csv")
        return rows[0] if rows else None

    def document_count(self) -> int:
        """How many documents are landed, without reading them (records() parses every one)."""
        if not self.documents_dir.is_dir():
            return 0
        return sum(1 for p in self.documents_dir.iterdir()
                   if not p.name.startswith(".") and (p / "raw_documents.csv").is_file())

    def records(self) -> list[dict]:
        if not self.documents_dir.is_dir():
            return []
        rows = (self.record(p.name) for p in sorted(self.documents_dir.iterdir())
                if p.is_dir() and not p.name.startswith("."))
        return [r for r in rows if r is not None]

    def is_current(self, file: InboxFile, version: str) -> bool:
        held = self.record(file.document_id)
        return held is not None and held["sha256"] == file.sha256 and held["extractor_version"] == version

    def recover(self) -> None:
        """Finish or undo what an interrupted build left: a half-written folder is dropped, a
        replaced one comes back when its successor never arrived."""
        incoming, outgoing = self.root / ".incoming", self.root / ".outgoing"
        shutil.rmtree(incoming, ignore_errors=True)
        if outgoing.is_dir():
            for old in outgoing.iterdir():
                if not self.folder(old.name).exists():
                    self.documents_dir.mkdir(parents=True, exist_ok=True)
                    os.replace(old, self.folder(old.name))
                else:
                    shutil.rmtree(old, ignore_errors=True)

    def tidy(self) -> None:
        """The work folders of a finished landing go (empty once every swap is done)."""
        for work in (self.root / ".incoming", self.root / ".outgoing"):
            if work.is_dir() and not any(work.iterdir()):
                work.rmdir()

    def land(self, file: InboxFile, document: ExtractedDocument | None, ended: dict, version: str,
             landed_at: str) -> Landed:
        """Write the document's raw tables into a new folder and swap it in."""
        staging = self.root / ".incoming" / file.document_id
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        warnings = list(document.warnings) if document else []
        record = {column: "" for column in LANDED_DOCUMENT_COLUMNS}
        if document is not None:
            record.update({k: str(v) for k, v in document.meta.as_row().items()})
        record.update({
            "document_id": file.document_id, "source_file": file.source_file, "sha256": file.sha256,
            "inbox_path": str(file.path), "file_modified_at": file.modified_at, "landed_at": landed_at,
            "extraction_status": ended["extraction_status"], "reason": ended["reason"],
            "reason_line": ended["reason_line"], "reason_page": ended["reason_page"],
            "warning_count": len(warnings), "extractor_version": version,
        })
        # the folder is swapped in whole (_swap_in): its files need no atomic writes of their own
        write_rows(staging / "raw_documents.csv", LANDED_DOCUMENT_COLUMNS, [record], atomic=False)
        warning_rows = [[file.document_id, number, warning] for number, warning in enumerate(warnings, start=1)]
        for name, columns, records in (("raw_cells", CELL_COLUMNS, document.cells if document else []),
                                       ("raw_narrative", NARRATIVE_COLUMNS, document.narrative if document else []),
                                       ("raw_narrative_facts", NARRATIVE_FACT_COLUMNS,
                                        document.facts if document else [])):
            if records:
                write_value_rows(staging / f"{name}.csv", columns,
                                 self._value_rows(records, columns, file.document_id), atomic=False)
        if warning_rows:
            write_value_rows(staging / "raw_warnings.csv", WARNING_COLUMNS, warning_rows, atomic=False)
        if ended.get("traceback"):
            logs = self.root / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            (logs / f"{file.document_id}.log").write_text(f"{file.path}\n{ended['traceback']}", encoding="utf-8")
        self._swap_in(staging, file.document_id)
        if document is None:
            return Landed(file.document_id, file.source_file, UNREADABLE, self._where(ended))
        meta = document.meta
        return Landed(file.document_id, file.source_file, READ, f"{meta.department_name} {meta.fiscal_year}",
                      len(document.cells), tuple(warnings))

    @staticmethod
    def _value_rows(records: list, columns: list[str], document_id: str):
        """The records' fields in column order, under the landing zone's document id (None is written
        blank by the csv writer). One attrgetter call per record: a corpus lands millions of cells."""
        fields = operator.attrgetter(*columns)
        at = columns.index("document_id")
        for record in records:
            row = list(fields(record))
            row[at] = document_id
            yield row

    @staticmethod
    def _where(ended: dict) -> str:
        where = []
        if ended["reason_page"] != "":
            where.append(f"page {ended['reason_page']}")
        if ended["reason_line"] != "":
            where.append(f"line {ended['reason_line']}")
        return f"{ended['reason']}" + (f" ({', '.join(where)})" if where else "")

    def _swap_in(self, staging: Path, document_id: str) -> None:
        target = self.folder(document_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        outgoing = self.root / ".outgoing" / document_id
        if target.exists():
            outgoing.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(outgoing, ignore_errors=True)
            os.replace(target, outgoing)
        os.replace(staging, target)
        shutil.rmtree(outgoing, ignore_errors=True)

    def removed_path(self) -> Path:
        return self.root / "removed.csv"

    def removed(self) -> set[tuple[str, str]]:
        return {(r["document_id"], r["sha256"]) for r in read_rows(self.removed_path())}

    def remove(self, document_id: str) -> bool:
        """Take a document out; the same file (same name and bytes) stays out of later builds."""
        target = self.folder(document_id)
        if not target.exists():
            return False
        held = self.record(document_id) or {}
        removed = read_rows(self.removed_path()) + [{"document_id": document_id, "sha256": held.get("sha256", "")}]
        write_rows(self.removed_path(), ["document_id", "sha256"], removed)
        trash = self.root / ".outgoing" / document_id
        trash.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(trash, ignore_errors=True)
        os.replace(target, trash)
        shutil.rmtree(trash, ignore_errors=True)
        return True

    # ------------------------------------------------------------ acceptances

    def accepted_path(self) -> Path:
        return self.root / f"{ACCEPTED_TABLE}.csv"

    def accept(self, document_id: str, reason: str, accepted_on: str) -> dict:
        """Accept a document's failed identities for its current content (sha256)."""
        held = self.record(document_id)
        if held is None:
            known = ", ".join(r["document_id"] for r in self.records()) or "none"
            raise KeyError(f"no document '{document_id}' in this warehouse (held: {known})")
        if not reason.strip():
            raise ValueError("an acceptance needs a reason")
        accepted = [r for r in read_rows(self.accepted_path()) if r["document_id"] != document_id]
        entry = {"document_id": document_id, "sha256": held["sha256"], "reason": reason.strip(),
                 "accepted_on": accepted_on}
        write_rows(self.accepted_path(), ACCEPTED_COLUMNS, sorted(accepted + [entry], key=lambda r: r["document_id"]))
        return entry


# ---------------------------------------------------------------- landing an inbox

def _read_and_land(job: tuple[str, InboxFile, str, str]) -> Landed:
    root, file, version, landed_at = job
    document, ended = read_file(file)
    return LandingZone(Path(root)).land(file, document, ended, version, landed_at)


def land_inbox(files: list[InboxFile], zone: LandingZone, processes: int | None = None,
               report: Report = print, read_and_land: Callable[[tuple], Landed] = _read_and_land,
               timeout: float = WORKER_TIMEOUT_SECONDS) -> list[Landed]:
    """Read every new or changed file (in worker processes) into the landing zone; unchanged ones
    are kept. A file whose reader crashes its process, or gives no answer in `timeout` s, is landed
    as unreadable with that reason; the other files go on."""
    zone.recover()
    removed = zone.removed()
    files = [f for f in files if (f.document_id, f.sha256) not in removed]
    version = extractor_version()
    landed_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    current = {f.document_id for f in files if zone.is_current(f, version)}
    pending = [f for f in files if f.document_id not in current]
    outcomes = [Landed(f.document_id, f.source_file, "unchanged") for f in files if f.document_id in current]
    if not pending:
        zone.tidy()
        return outcomes
    report(f"extract: {len(pending)} new or changed file(s), {len(outcomes)} unchanged")
    jobs = [(str(zone.root), f, version, landed_at) for f in pending]
    step = max(1, len(jobs) // 20)
    started = time.monotonic()
    results = _read_in_workers(jobs, processes or os.cpu_count() or 1, read_and_land, timeout)
    for number, landed in enumerate(results, start=1):
        outcomes.append(landed)
        if landed.status == UNREADABLE:
            report(f"  [{number}/{len(jobs)}] {landed.file}: UNREADABLE: {landed.detail}")
        elif len(jobs) <= 20:
            report(f"  [{number}/{len(jobs)}] {landed.file}: {landed.detail}, {landed.cells} cells")
        if len(jobs) > 20 and (number % step == 0 or number == len(jobs)):
            report(f"extract: {number}/{len(jobs)} files ({time.monotonic() - started:.0f} s)")
    zone.tidy()
    return outcomes


def _read_in_workers(jobs: list, processes: int, read_and_land: Callable[[tuple], Landed],
                     timeout: float) -> Iterator[Landed]:
    # forkserver, not fork: the caller (a Dagster run) has threads, and a forked copy of a process
    # with threads can hang on a lock one of them held; the server forks from a clean process.
    # Even one file is read in a worker: a reader that crashes must not take the build with it
    context = get_context("forkserver")
    context.set_forkserver_preload(["juesuan.landing"])
    for job, result in run_in_workers(jobs, read_and_land, processes, timeout, context):
        if isinstance(result, Lost):
            root, file, version, landed_at = job
            ended = {"extraction_status": UNREADABLE, "reason": f"the reader {result.how}: {result.detail}",
                     "reason_line": "", "reason_page": "", "traceback": ""}
            result = LandingZone(Path(root)).land(file, None, ended, version, landed_at)
        yield result


# ---------------------------------------------------------------- the raw tables dbt reads

SEED_SIZE_LIMIT = 8 << 20  # bytes of raw cells: past this, DuckDB reads the per-document files


def raw_cells_bytes(zone: LandingZone) -> int:
    return sum(p.stat().st_size for p in zone.documents_dir.glob("*/raw_cells.csv")) if zone.documents_dir.is_dir() else 0


def write_seed_tables(zone: LandingZone, out_dir: Path, with_rows: bool = True,
                      keep_columns: Callable[[str, dict], dict] | None = None) -> dict[str, int]:
    """Every raw table of the landing zone as one CSV (what dbt loads as a seed), written atomically.

    The per-document files share the header and dialect, so they are concatenated line by line.
    with_rows=False writes headers only (the build then reads the per-document files directly).
    keep_columns may rewrite each row (the committed sample blanks machine-specific columns)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    folders = sorted(p for p in zone.documents_dir.iterdir() if p.is_dir()) if zone.documents_dir.is_dir() else []
    counts = {}
    for table, columns in RAW_TABLES.items():
        rows: list[dict] = []
        if with_rows:
            for folder in folders:
                rows.extend(read_rows(folder / f"{table}.csv"))
        if keep_columns:
            rows = [keep_columns(table, row) for row in rows]
        write_rows(out_dir / f"{table}.csv", columns, rows)
        counts[table] = len(rows)
    write_rows(out_dir / f"{ACCEPTED_TABLE}.csv", ACCEPTED_COLUMNS, read_rows(zone.accepted_path()))
    return counts
