"""The committed sample: seeds/raw holds the project's own extraction of ../shared/documents.

``python -m juesuan_testkit.sample [DOCUMENTS_DIR]`` lands every shared document in a scratch
landing zone and writes its raw tables into seeds/raw, with the columns that name this machine
(paths, times, reader version) left blank so the files are reproducible.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from juesuan.landing import LandingZone, land_inbox, scan_inbox, write_seed_tables
from juesuan.paths import PROJECT_ROOT, SAMPLE_RAW_DIR

MACHINE_COLUMNS = ("inbox_path", "file_modified_at", "landed_at", "extractor_version")


def without_machine_columns(table: str, row: dict) -> dict:
    if table == "raw_documents":
        row = {k: ("" if k in MACHINE_COLUMNS else v) for k, v in row.items()}
    return row


def sample_tables(documents: Path, out_dir: Path) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as scratch:
        zone = LandingZone(Path(scratch) / "sample.landing")
        land_inbox(scan_inbox([documents]), zone, report=lambda _line: None)
        return write_seed_tables(zone, out_dir, keep_columns=without_machine_columns)


def main(argv: list[str]) -> int:
    documents = Path(argv[0]) if argv else PROJECT_ROOT.parent / "shared" / "documents"
    counts = sample_tables(documents, SAMPLE_RAW_DIR)
    print(f"{SAMPLE_RAW_DIR}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
