"""The fuzz run of issue 10: 10,000 damaged documents through the reader (make bench).

    .venv/bin/python scripts/bench_fuzz.py [-n 10000] [--seed 0] [--workers 2] [--timeout 20]

Prints the counts (read / refused with reason / crashed / hung) and exits non-zero on any
crash or hang. See juesuan_testkit/fuzz.py for the kinds of damage.
"""
from __future__ import annotations

import sys

from juesuan_testkit.fuzz import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
