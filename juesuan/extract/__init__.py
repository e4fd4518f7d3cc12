"""Extraction: documents in, raw tables out. A plain library: no Dagster, no dbt."""
from __future__ import annotations

from pathlib import Path

from .model import CELL_COLUMNS, DOCUMENT_COLUMNS, DocumentMeta, ExtractedDocument, ExtractionError, RawCell
from .text import read_text_document

PDF_HEADER = b"%PDF-"


def document_kind(path: str | Path) -> str | None:
    """'pdf' or 'text', or None for a file neither reader takes. A PDF is known by its header
    (within its first 1,024 bytes, as the PDF standard allows) whatever its name: a download saved
    without its extension or under the portal's name; otherwise the name decides (.pdf, .txt)."""
    path = Path(path)
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(1024)
    if head.startswith(PDF_HEADER) or (suffix != ".txt" and PDF_HEADER in head) or suffix == ".pdf":
        return "pdf"
    return "text" if suffix == ".txt" else None


def unsupported_reason(path: Path) -> str:
    return f"unsupported file type '{path.suffix or '(none)'}' (expected .pdf or .txt)"


def extract_document(path: str | Path) -> ExtractedDocument:
    """Read one 部门决算 (extracted text or PDF) into raw cells; raises ExtractionError."""
    path = Path(path)
    kind = document_kind(path)
    if kind == "pdf":
        from .pdf import read_pdf_document

        return read_pdf_document(path)
    if kind == "text":
        return read_text_document(path)
    raise ExtractionError(str(path), None, unsupported_reason(path))


__all__ = [
    "CELL_COLUMNS", "DOCUMENT_COLUMNS", "DocumentMeta", "ExtractedDocument", "ExtractionError",
    "RawCell", "document_kind", "extract_document", "unsupported_reason",
]
