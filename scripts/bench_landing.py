"""Extraction into a new landing zone: an inbox read and landed as `juesuan build`'s first step does.

    .venv/bin/python scripts/bench_landing.py INBOX ZONE [--processes 2]

ZONE is emptied first. Prints the wall seconds of land_inbox alone; time the whole process with
farm-bench, paired against another commit (`--vs`), for the ratio BENCHMARKS.md quotes.
"""
from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from juesuan.landing import LandingZone, land_inbox, scan_inbox


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("inbox", type=Path)
    parser.add_argument("zone", type=Path)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    shutil.rmtree(args.zone, ignore_errors=True)
    files = scan_inbox([args.inbox])
    started = time.perf_counter()
    landed = land_inbox(files, LandingZone(args.zone), processes=args.processes, report=lambda _line: None)
    print(f"{len(landed)} files landed by {args.processes} process(es) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":  # the worker processes (forkserver) import this module again
    main()
