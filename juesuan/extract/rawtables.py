"""Raw tables on disk: two CSVs (documents, cells) that dbt loads as seeds.

Writing one document replaces its earlier rows (by document id and by content hash),
so re-reading a document never duplicates it. Rows are sorted so files are reproducible.
"""
from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path

from .model import CELL_COLUMNS, DOCUMENT_COLUMNS, NARRATIVE_COLUMNS, NARRATIVE_FACT_COLUMNS, ExtractedDocument

DOCUMENTS_FILE = "raw_documents.csv"
CELLS_FILE = "raw_cells.csv"
NARRATIVE_FILE = "raw_narrative.csv"
FACTS_FILE = "raw_narrative_facts.csv"
RAW_FILES = (DOCUMENTS_FILE, CELLS_FILE, NARRATIVE_FILE, FACTS_FILE)


def copy_vocabulary(source: Path, target: Path) -> Path:
    """Every seed that is not a raw table (vocabulary, identity rules, acceptances) into `target`."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(source).glob("*.csv")):
        if path.name not in RAW_FILES:
            shutil.copy(path, target / path.name)
    return target


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Write atomically: a half-written seed is never left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=path.parent,
                                         prefix=f".{path.name}.", delete=False)
    with handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(handle.name, path)


def _cell_order(row: dict) -> tuple:
    return (row["document_id"], row["statement"], int(row["row_index"]), int(row["source_line"]),
            row["column_header"], row["row_label"])


def _narrative_rows(document: ExtractedDocument) -> list[dict]:
    return [{k: str(v) for k, v in figure.as_row().items()} for figure in document.narrative]


def _narrative_order(row: dict) -> tuple:
    return (row["document_id"], row["page"], int(row["source_line"]), row["topic"], row["amount"])


def _fact_rows(document: ExtractedDocument) -> list[dict]:
    return [{k: str(v) for k, v in fact.as_row().items()} for fact in document.facts]


def _fact_order(row: dict) -> tuple:
    return (row["document_id"], int(row["sentence"]), int(row["source_line"]), row["topic"], row["item"],
            row["measure"], row["value"])


def merge_documents(directory: Path, documents: list[ExtractedDocument]) -> list[str]:
    """Put documents into the raw tables in `directory`, replacing earlier versions.

    Returns the ids of documents dropped because the same content was already held under
    another id (a copy of a file is not a second document).
    """
    directory = Path(directory)
    held = read_rows(directory / DOCUMENTS_FILE)
    cells = read_rows(directory / CELLS_FILE)
    narrative = read_rows(directory / NARRATIVE_FILE)
    facts = read_rows(directory / FACTS_FILE)
    skipped: list[str] = []
    for document in documents:
        meta = document.meta
        twins = [r for r in held if r["sha256"] == meta.sha256 and r["document_id"] != meta.document_id]
        if twins:
            skipped.append(meta.document_id)
            continue
        held = [r for r in held if r["document_id"] != meta.document_id]
        cells = [r for r in cells if r["document_id"] != meta.document_id]
        narrative = [r for r in narrative if r["document_id"] != meta.document_id]
        facts = [r for r in facts if r["document_id"] != meta.document_id]
        held.append({k: str(v) for k, v in meta.as_row().items()})
        cells.extend({k: str(v) for k, v in c.as_row().items()} for c in document.cells)
        narrative.extend(_narrative_rows(document))
        facts.extend(_fact_rows(document))
    held.sort(key=lambda r: r["document_id"])
    cells.sort(key=_cell_order)
    write_rows(directory / DOCUMENTS_FILE, DOCUMENT_COLUMNS, held)
    write_rows(directory / CELLS_FILE, CELL_COLUMNS, cells)
    write_rows(directory / NARRATIVE_FILE, NARRATIVE_COLUMNS, sorted(narrative, key=_narrative_order))
    write_rows(directory / FACTS_FILE, NARRATIVE_FACT_COLUMNS, sorted(facts, key=_fact_order))
    return skipped


def write_document(directory: Path, document: ExtractedDocument) -> None:
    """The raw tables of one document alone (what `juesuan extract` writes)."""
    directory = Path(directory)
    write_rows(directory / DOCUMENTS_FILE, DOCUMENT_COLUMNS, [document.meta.as_row()])
    cells = [{k: str(v) for k, v in c.as_row().items()} for c in document.cells]
    write_rows(directory / CELLS_FILE, CELL_COLUMNS, sorted(cells, key=_cell_order))
    write_rows(directory / NARRATIVE_FILE, NARRATIVE_COLUMNS,
               sorted(_narrative_rows(document), key=_narrative_order))
    write_rows(directory / FACTS_FILE, NARRATIVE_FACT_COLUMNS, sorted(_fact_rows(document), key=_fact_order))


ACCEPTED_FILE = "accepted_exceptions.csv"
ACCEPTED_COLUMNS = ["document_id", "sha256", "reason", "accepted_on"]


def record_acceptance(directory: Path, document_id: str, reason: str, accepted_on: str) -> dict:
    """Accept a document's failed identities for its current content (sha256); replaces an earlier one."""
    directory = Path(directory)
    held = {r["document_id"]: r for r in read_rows(directory / DOCUMENTS_FILE)}
    if document_id not in held:
        known = ", ".join(sorted(held)) or "none"
        raise KeyError(f"no document '{document_id}' in {directory / DOCUMENTS_FILE} (held: {known})")
    if not reason.strip():
        raise ValueError("an acceptance needs a reason")
    accepted = [r for r in read_rows(directory / ACCEPTED_FILE) if r["document_id"] != document_id]
    entry = {"document_id": document_id, "sha256": held[document_id]["sha256"], "reason": reason.strip(),
             "accepted_on": accepted_on}
    accepted.append(entry)
    write_rows(directory / ACCEPTED_FILE, ACCEPTED_COLUMNS, sorted(accepted, key=lambda r: r["document_id"]))
    return entry


def write_document_files(raw_dir: Path, document: ExtractedDocument) -> None:
    """The large-corpus layout: <raw_dir>/documents/<id>.csv and <raw_dir>/cells/<id>.csv.

    Adding a document writes two small files and rewrites nothing else; a document id is
    replaced in place.
    """
    raw_dir = Path(raw_dir)
    meta = document.meta
    cells = [{k: str(v) for k, v in c.as_row().items()} for c in document.cells]
    write_rows(raw_dir / "cells" / f"{meta.document_id}.csv", CELL_COLUMNS, sorted(cells, key=_cell_order))
    write_rows(raw_dir / "documents" / f"{meta.document_id}.csv", DOCUMENT_COLUMNS, [meta.as_row()])
    write_rows(raw_dir / "narrative" / f"{meta.document_id}.csv", NARRATIVE_COLUMNS,
               sorted(_narrative_rows(document), key=_narrative_order))
    write_rows(raw_dir / "narrative_facts" / f"{meta.document_id}.csv", NARRATIVE_FACT_COLUMNS,
               sorted(_fact_rows(document), key=_fact_order))


def drop_twins(raw_dir: Path) -> list[str]:
    """Remove documents whose bytes equal an earlier-named one (a copy is not a second document)."""
    raw_dir = Path(raw_dir)
    seen: dict[str, str] = {}
    dropped = []
    for path in sorted((raw_dir / "documents").glob("*.csv")):
        sha = read_rows(path)[0]["sha256"]
        if sha in seen:
            path.unlink()
            (raw_dir / "cells" / path.name).unlink(missing_ok=True)
            (raw_dir / "narrative" / path.name).unlink(missing_ok=True)
            (raw_dir / "narrative_facts" / path.name).unlink(missing_ok=True)
            dropped.append(path.stem)
        else:
            seen[sha] = path.stem
    return dropped
