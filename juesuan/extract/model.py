"""The raw-table form every reader produces: one row per printed numeric cell."""
from __future__ import annotations

from dataclasses import dataclass, field

CELL_COLUMNS = [
    "document_id", "statement", "row_index", "row_label", "parent_label", "code",
    "column_header", "amount_text", "amount", "unit", "source_line", "page", "measure", "flags",
]
NARRATIVE_COLUMNS = ["document_id", "topic", "amount", "base", "change", "rate", "source_line", "page"]
NARRATIVE_FACT_COLUMNS = [
    "document_id", "topic", "item", "measure", "value_text", "value", "unit", "sentence", "source_line", "page",
]
DOCUMENT_COLUMNS = [
    "document_id", "source_file", "sha256", "reader", "department_name",
    "fiscal_year", "unit", "statements_found", "phase", "held_back",
]
PHASES = ("final", "budget")  # 决算 | 预算: the kind of document, read from its title


class ExtractionError(Exception):
    """A document could not be read; names the file and where reading stopped."""

    def __init__(self, source: str, line: int | None, reason: str, page: int | None = None):
        self.source, self.line, self.page, self.reason = source, line, page, reason
        where = f"line {line}" if line is not None else "start"
        if page is not None:
            where = f"page {page}, {where}"
        super().__init__(f"{source}: {where}: {reason}")


@dataclass
class RawCell:
    document_id: str
    statement: str
    row_index: int
    row_label: str
    parent_label: str
    code: str
    column_header: str
    amount_text: str
    amount: str
    unit: str
    source_line: int
    page: int | None = None
    measure: str = ""  # canonical measure the reader placed the column under (header_synonyms)
    flags: str = ""    # space-separated marks, e.g. `malformed_code` (a code kept as printed)

    def as_row(self) -> dict:
        # the fields are flat values: a shallow copy (dataclasses.asdict deep-copies each one, 10x slower)
        row = dict(vars(self))
        row["page"] = "" if self.page is None else self.page
        return row


@dataclass
class DocumentMeta:
    document_id: str
    source_file: str
    sha256: str
    reader: str
    department_name: str
    fiscal_year: int
    unit: str
    statements_found: str = ""
    phase: str = "final"  # final (部门决算) | budget (部门预算)
    held_back: str = ""   # why the document must not be published (a figure read but not placed), where

    def as_row(self) -> dict:
        return dict(vars(self))


@dataclass
class ExtractedDocument:
    meta: DocumentMeta
    cells: list[RawCell] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    narrative: list = field(default_factory=list)  # NarrativeFigure: what the 情况说明 states
    facts: list = field(default_factory=list)  # NarrativeFact: figures only the 情况说明 states

    def counts_by_statement(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for cell in self.cells:
            counts[cell.statement] = counts.get(cell.statement, 0) + 1
        return dict(sorted(counts.items()))
