"""The layout zoo of issue 10: every layout, n generated documents each, read and scored (make bench).

    .venv/bin/python scripts/bench_zoo.py OUT_DIR [--layouts all] [-n 20] [--seed 0]

Prints cells exact / wrong / misplaced / missing / extra / unplaced and ms per page per layout.
"""
from __future__ import annotations

import sys

from juesuan_testkit.zoo import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
