"""Reader for the extracted-text form: prose lines, table rows as tab-separated cells."""
from __future__ import annotations

from pathlib import Path

from .document import (document_id_for, find_department, find_fiscal_year, find_unit,
                       sha256_of, unit_of)
from .layout import GridRow, TableBuilder, assemble_document, header_text, split_header
from .model import DocumentMeta, ExtractedDocument, ExtractionError
from .vocabulary import Vocabulary, load_vocabulary


def read_text_document(path: Path, vocabulary: Vocabulary | None = None) -> ExtractedDocument:
    vocabulary = vocabulary or load_vocabulary()
    source = str(path)
    lines = decode_text(path.read_bytes(), source).splitlines()
    tables = _TableSplitter(vocabulary, document_id_for(path), find_unit(lines), source)
    for number, line in enumerate(lines, start=1):
        tables.feed(number, line)
    tables.finish(len(lines))
    if not tables.finished:
        raise ExtractionError(source, len(lines), "no 部门决算 statement (T1…T9) found: not a departmental final account")
    prose = [(number, None, line) for number, line in enumerate(lines, start=1)]
    return assemble_document(_document_meta(path, lines, vocabulary), tables.finished, tables.warnings, prose)


# A byte-order mark names its encoding; UTF-32's first, as UTF-16 LE's is a prefix of it
_BYTE_ORDER_MARKS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                     (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_CONTROL = {chr(c) for c in range(32)} - set("\t\n\r\f\v") | {"\x7f"}


def decode_text(raw: bytes, source: str) -> str:
    """Extracted text as it is saved in practice: UTF-8, UTF-16 or UTF-32 with a byte-order mark
    (Windows' "Unicode"), or GB18030 (GBK, GB2312: Chinese Windows' default). Bytes that are none
    of these, or decode to many control characters, are not text."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            candidates = [encoding]
            break
    else:
        candidates = ["utf-8", "gb18030"]
    first_error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            first_error = first_error or error
            continue
        # a stray control character (a DOS end-of-file mark) is tolerated; many are binary data
        controls = [i for i, char in enumerate(text) if char in _CONTROL]
        if len(controls) <= max(2, len(text) // 1000):
            return text
        raise ExtractionError(source, text[:controls[0]].count("\n") + 1,
                              f"binary data, not text ({encoding}): not an extracted-text document")
    line = raw[:first_error.start].count(b"\n") + 1
    raise ExtractionError(source, line, f"not text in {' or '.join(candidates)} ({first_error.reason}): "
                                        "not an extracted-text document")


def _document_meta(path: Path, lines: list[str], vocabulary: Vocabulary) -> DocumentMeta:
    source = str(path)
    department = find_department(lines)
    year = find_fiscal_year(lines)
    if not department or not year:
        missing = "department name" if not department else "fiscal year"
        raise ExtractionError(source, min(len(lines), 200), f"no {missing} found: not a departmental final account")
    return DocumentMeta(
        document_id=document_id_for(path), source_file=path.name, sha256=sha256_of(path),
        reader="text", department_name=department, fiscal_year=year, unit=find_unit(lines),
        phase=vocabulary.phase_of("".join(lines[:200])) or "final",
    )


class _TableSplitter:
    """Walks the lines, groups tab-separated rows into blocks and blocks into statements."""

    def __init__(self, vocabulary: Vocabulary, document_id: str, unit: str, source: str):
        self.vocabulary, self.document_id, self.unit, self.source = vocabulary, document_id, unit, source
        self.block: list[GridRow] = []
        self.pending_title: tuple[str, int] | None = None
        self.current: TableBuilder | None = None
        self.finished: list[TableBuilder] = []
        self.warnings: list[str] = []
        self.last_content_was_row = False
        self.last_row_line = 0

    def feed(self, number: int, line: str) -> None:
        if "\t" in line:
            self.block.append(GridRow(line.split("\t"), number))
            self.last_content_was_row = True
            return
        self._flush()
        if not line.strip():
            return
        self.last_content_was_row = False
        statement = self.vocabulary.statement_for_title(line)
        if statement:
            self.pending_title = (statement, number)
        unit = unit_of(line)
        if unit:
            self.unit = unit

    def finish(self, last_line: int) -> None:
        last_row = self.block[-1].line if self.block else None
        self._flush()
        if self.last_content_was_row:
            statement = self.current.statement if self.current else "?"
            raise ExtractionError(self.source, last_row or self.last_row_line,
                                  f"document ends inside table {statement}: truncated mid-table")
        self._close_current()

    def _flush(self) -> None:
        if not self.block:
            return
        rows, self.block = self.block, []
        self.last_row_line = rows[-1].line
        headers, data = split_header(rows)
        if self.pending_title:
            statement, _ = self.pending_title
            self.pending_title = None
            self._start(statement, headers, rows[0].line)
        elif not self._continues_current(headers):
            statement = self.vocabulary.statement_for_header(header_text(headers)) if headers else None
            if not statement:
                self.warnings.append(f"line {rows[0].line}: a table that is none of T1…T9 was skipped")
                return
            self._start(statement, headers, rows[0].line)
        try:
            self.current.add_rows(data)
        except ValueError as error:
            raise ExtractionError(self.source, rows[0].line, str(error)) from error

    def _continues_current(self, headers: list[GridRow]) -> bool:
        if self.current is None:
            return False
        if not headers or header_text(headers) == self.current.header_signature:
            return True
        return self.vocabulary.statement_for_header(header_text(headers)) in (None, self.current.statement)

    def _start(self, statement: str, headers: list[GridRow], line: int) -> None:
        self._close_current()
        if not headers:
            raise ExtractionError(self.source, line, f"table {statement} has no header row")
        self.current = TableBuilder(statement, self.vocabulary, self.document_id, self.unit)
        self.current.set_header(headers)

    def _close_current(self) -> None:
        if self.current is not None:
            if any(b.statement == self.current.statement for b in self.finished):
                self.warnings.append(f"{self.current.statement} printed twice; both kept")
            self.finished.append(self.current)
            self.current = None
