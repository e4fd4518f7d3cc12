"""Readers that misbehave on purpose: the fuzz harness must count each outcome for what it is.

Imported by name inside the fuzz workers (tests/ is on their sys.path under pytest)."""
from __future__ import annotations

import os
import time

from juesuan.extract import ExtractionError, extract_document


def by_name(path):
    """Behaves as the file's damage kind says: the case's file name carries its number."""
    number = int(path.stem.split("_")[1])
    behaviour = number % 5
    if behaviour == 0:
        return extract_document(path)
    if behaviour == 1:
        raise ExtractionError(str(path), 3, "refused on purpose")
    if behaviour == 2:
        raise KeyError("a reader bug")
    if behaviour == 3:
        time.sleep(600)
    os._exit(3)
