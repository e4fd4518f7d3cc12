"""Time the PDF reader against two references, on the same PDFs in the same run.

    .venv/bin/python scripts/bench_pdf.py [--repeat N] [PDF ...]

Readers timed (median and best of N runs, whole document, opening the file included):
- juesuan: `juesuan.extract.extract_document` (pypdfium2 chars + ruling lines -> raw cells);
- pdfplumber: `page.extract_text()` and `page.extract_tables()` on every page;
- pypdfium2 text: `get_textpage().get_text_range()` on every page (plain text, no layout).
Prints a markdown table: ms per document and ms per page.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

from juesuan.extract import ExtractionError, extract_document

DEFAULT_DOCUMENTS = Path(__file__).resolve().parents[2] / "shared" / "documents"


def run_juesuan(path: Path) -> int:
    try:
        return len(extract_document(path).cells)
    except ExtractionError:  # refused (the blank template): the reading is timed all the same
        return 0


def run_pdfplumber(path: Path) -> int:
    found = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            found += len(page.extract_tables())
    return found


def run_pypdfium2_text(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return sum(len(page.get_textpage().get_text_range()) for page in pdf)
    finally:
        pdf.close()


READERS = [("juesuan (pypdfium2 chars + rules)", run_juesuan),
           ("pdfplumber extract_text + extract_tables", run_pdfplumber),
           ("pypdfium2 plain text", run_pypdfium2_text)]


def page_count(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pdfs = args.pdfs or sorted(DEFAULT_DOCUMENTS.glob("*.pdf"))
    if not pdfs:
        raise SystemExit(f"no PDFs given and none in {DEFAULT_DOCUMENTS}")
    print("| reader | document | pages | ms / document (median) | ms / page (median) | ms / page (best) |")
    print("|---|---|---:|---:|---:|---:|")
    totals: dict[str, list[float]] = {}
    for name, reader in READERS:
        for path in pdfs:
            pages = page_count(path)
            reader(path)  # warm-up: imports, font caches
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                reader(path)
                times.append(time.perf_counter() - start)
            median, best = statistics.median(times) * 1000, min(times) * 1000
            total = totals.setdefault(name, [0.0, 0, 0.0])
            total[0] += median
            total[1] += pages
            total[2] += best
            print(f"| {name} | {path.name} | {pages} | {median:.1f} | {median / pages:.2f} | {best / pages:.2f} |")
    for name, (ms, pages, best) in totals.items():
        print(f"| {name} | all | {pages} | {ms:.1f} | {ms / pages:.2f} | {best / pages:.2f} |")


if __name__ == "__main__":
    main()
