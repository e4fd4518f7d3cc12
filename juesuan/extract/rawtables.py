"""Raw tables on disk: CSVs with a header row, comma-separated, double quotes doubled.

The landing zone (juesuan.landing) keeps one set per document; `juesuan extract` writes one
document's. Rows are sorted so files are reproducible, and files are written atomically.
"""
from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from .model import CELL_COLUMNS, DOCUMENT_COLUMNS, NARRATIVE_COLUMNS, NARRATIVE_FACT_COLUMNS, ExtractedDocument

DOCUMENTS_FILE = "raw_documents.csv"
CELLS_FILE = "raw_cells.csv"
NARRATIVE_FILE = "raw_narrative.csv"
FACTS_FILE = "raw_narrative_facts.csv"


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, columns: list[str], rows: list[dict], atomic: bool = True) -> None:
    """Write atomically: a half-written file is never left behind (atomic=False for a file in a
    folder that is itself swapped in whole)."""
    with _opened(path, atomic) as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_value_rows(path: Path, columns: list[str], rows: Iterable[list], atomic: bool = True) -> None:
    """write_rows for rows already in column order (no dict per row: a corpus lands millions of cells)."""
    with _opened(path, atomic) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


@contextmanager
def _opened(path: Path, atomic: bool):
    if not atomic:  # into a folder being written, which exists
        with path.open("w", encoding="utf-8", newline="") as handle:
            yield handle
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=path.parent,
                                         prefix=f".{path.name}.", delete=False)
    try:
        # the wrapper's write is a Python call per row: write through the file object itself
        with handle.file as file:
            yield file
    except BaseException:
        os.unlink(handle.name)
        raise
    os.replace(handle.name, path)


def cell_order(row: dict) -> tuple:
    return (row["document_id"], row["statement"], int(row["row_index"]), int(row["source_line"]),
            row["column_header"], row["row_label"])


def narrative_order(row: dict) -> tuple:
    return (row["document_id"], row["page"], int(row["source_line"]), row["topic"], row["amount"])


def fact_order(row: dict) -> tuple:
    return (row["document_id"], int(row["sentence"]), int(row["source_line"]), row["topic"], row["item"],
            row["measure"], row["value"])


def write_document(directory: Path, document: ExtractedDocument) -> None:
    """The raw tables of one document alone (what `juesuan extract` writes)."""
    directory = Path(directory)
    write_rows(directory / DOCUMENTS_FILE, DOCUMENT_COLUMNS, [document.meta.as_row()])
    cells = [{k: str(v) for k, v in c.as_row().items()} for c in document.cells]
    write_rows(directory / CELLS_FILE, CELL_COLUMNS, sorted(cells, key=cell_order))
    figures = [{k: str(v) for k, v in f.as_row().items()} for f in document.narrative]
    write_rows(directory / NARRATIVE_FILE, NARRATIVE_COLUMNS, sorted(figures, key=narrative_order))
    facts = [{k: str(v) for k, v in f.as_row().items()} for f in document.facts]
    write_rows(directory / FACTS_FILE, NARRATIVE_FACT_COLUMNS, sorted(facts, key=fact_order))
