"""Per-document extraction results kept between runs, so an unchanged document is never re-read.

<extracted_dir>/<document_id>/
    state.json          sha256 of the source, extractor version, status (extracted | quarantined), error
    raw_documents.csv   the document's own raw tables (juesuan.extract.rawtables.write_document)
    raw_cells.csv
    raw_narrative.csv   the figures its narrative states
The raw_tables asset merges every extracted document into the seeds and drops quarantined ones.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import juesuan.extract as extract_package
from juesuan.extract import DocumentMeta, ExtractedDocument, RawCell
from juesuan.extract.narrative import NarrativeFact, NarrativeFigure
from juesuan.extract.rawtables import (CELLS_FILE, DOCUMENTS_FILE, FACTS_FILE, NARRATIVE_FILE, RAW_FILES, read_rows,
                                      write_document)

EXTRACTED = "extracted"
QUARANTINED = "quarantined"


def extractor_version() -> str:
    """A hash of the extraction library's source: a new extractor re-reads every document."""
    digest = hashlib.sha256()
    root = Path(extract_package.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class DocumentState:
    document_id: str
    source_file: str
    sha256: str
    extractor_version: str
    status: str
    error: str = ""
    line: int | None = None
    page: int | None = None
    reason: str = ""


class ExtractionStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def folder(self, document_id: str) -> Path:
        return self.root / document_id

    def state(self, document_id: str) -> DocumentState | None:
        path = self.folder(document_id) / "state.json"
        if not path.exists():
            return None
        return DocumentState(**json.loads(path.read_text(encoding="utf-8")))

    def states(self) -> list[DocumentState]:
        if not self.root.is_dir():
            return []
        found = (self.state(p.name) for p in sorted(self.root.iterdir()) if p.is_dir())
        return [s for s in found if s is not None]

    def is_current(self, document_id: str, sha256: str) -> bool:
        """True when this exact content was already handled by this extractor (read or quarantined)."""
        state = self.state(document_id)
        return state is not None and state.sha256 == sha256 and state.extractor_version == extractor_version()

    def _write_state(self, state: DocumentState) -> None:
        folder = self.folder(state.document_id)
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / ".state.json.tmp"
        temporary.write_text(json.dumps(asdict(state), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, folder / "state.json")

    def save(self, document: ExtractedDocument, source: Path) -> DocumentState:
        folder = self.folder(document.meta.document_id)
        folder.mkdir(parents=True, exist_ok=True)
        write_document(folder, document)
        state = DocumentState(document.meta.document_id, str(source), document.meta.sha256,
                              extractor_version(), EXTRACTED)
        self._write_state(state)
        return state

    def quarantine(self, document_id: str, source: Path, sha256: str, error: Exception) -> DocumentState:
        folder = self.folder(document_id)
        for name in RAW_FILES:
            (folder / name).unlink(missing_ok=True)
        state = DocumentState(document_id, str(source), sha256, extractor_version(), QUARANTINED, str(error),
                              getattr(error, "line", None), getattr(error, "page", None),
                              getattr(error, "reason", str(error)))
        self._write_state(state)
        return state

    def forget(self, document_id: str) -> None:
        shutil.rmtree(self.folder(document_id), ignore_errors=True)

    def load(self, document_id: str) -> ExtractedDocument:
        """The extracted document back from its raw tables (for merging into the seeds)."""
        folder = self.folder(document_id)
        meta_rows = read_rows(folder / DOCUMENTS_FILE)
        if len(meta_rows) != 1:
            raise ValueError(f"{folder / DOCUMENTS_FILE}: expected one document row, found {len(meta_rows)}")
        meta = DocumentMeta(**meta_rows[0])
        cells = [RawCell(**row) for row in read_rows(folder / CELLS_FILE)]
        for cell in cells:
            cell.page = cell.page if cell.page != "" else None
        narrative = [NarrativeFigure(**row) for row in read_rows(folder / NARRATIVE_FILE)]
        for figure in narrative:
            figure.page = figure.page if figure.page != "" else None
        facts = [NarrativeFact(**row) for row in read_rows(folder / FACTS_FILE)]
        for fact in facts:
            fact.page = fact.page if fact.page != "" else None
        return ExtractedDocument(meta, cells, narrative=narrative, facts=facts)
