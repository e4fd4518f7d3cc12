"""Extraction: documents in, raw tables out. A plain library: no Dagster, no dbt."""
from __future__ import annotations

from pathlib import Path

from .model import CELL_COLUMNS, DOCUMENT_COLUMNS, DocumentMeta, ExtractedDocument, ExtractionError, RawCell
from .text import read_text_document

SUPPORTED_SUFFIXES = (".txt", ".pdf")


def extract_document(path: str | Path) -> ExtractedDocument:
    """Read one 部门决算 (extracted text or PDF) into raw cells; raises ExtractionError."""
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        from .pdf import read_pdf_document

        return read_pdf_document(path)
    if path.suffix.lower() == ".txt":
        return read_text_document(path)
    raise ExtractionError(str(path), None, f"unsupported file type '{path.suffix}' (expected .txt or .pdf)")


__all__ = [
    "CELL_COLUMNS", "DOCUMENT_COLUMNS", "DocumentMeta", "ExtractedDocument", "ExtractionError",
    "RawCell", "SUPPORTED_SUFFIXES", "extract_document",
]
