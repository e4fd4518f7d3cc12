"""CPU milliseconds per page of the reader on every development PDF (issue 10: < 10 ms a page).

    .venv/bin/python scripts/bench_reader_docs.py [--repeat 3] [--documents ../shared/documents]

Process CPU time (time.process_time), best of --repeat runs: on a shared machine wall time
mostly measures the other jobs.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import pypdfium2 as pdfium

from juesuan.extract import ExtractionError, extract_document


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--documents", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "documents")
    args = parser.parse_args()
    print("| document | pages | ms CPU / document (best) | ms CPU / page | result |")
    print("|---|---:|---:|---:|---|")
    for path in sorted(args.documents.glob("*.pdf")):
        pdf = pdfium.PdfDocument(str(path))
        pages = len(pdf)
        pdf.close()
        best, result = float("inf"), ""
        for _ in range(args.repeat):
            started = time.process_time()
            try:
                document = extract_document(path)
                result = f"{len(document.cells)} cells" + (" (held back)" if document.meta.held_back else "")
            except ExtractionError as error:
                result = f"refused: {error.reason}"
            best = min(best, time.process_time() - started)
        print(f"| {path.name} | {pages} | {best * 1000:.0f} | {best * 1000 / pages:.1f} | {result} |")


if __name__ == "__main__":
    main()
