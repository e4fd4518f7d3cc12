"""Shared fixtures. The real documents are read from ../shared/documents, never copied here."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DOCUMENTS = Path(os.environ.get("JUESUAN_SHARED_DOCUMENTS", ROOT.parent / "shared" / "documents"))
QINGYUAN = "qingyuan_rsj_2023_final.txt"


def shared_document(name: str) -> Path:
    path = SHARED_DOCUMENTS / name
    if not path.exists():
        message = f"{path} is missing: the real documents must sit in ../shared/documents"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def shared_documents_dir() -> Path:
    """../shared/documents itself; fails under CI=true when it is missing, else skips."""
    if not SHARED_DOCUMENTS.is_dir():
        message = f"{SHARED_DOCUMENTS} is missing: the real documents must sit in ../shared/documents"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DOCUMENTS


@pytest.fixture(scope="session")
def qingyuan_path() -> Path:
    return shared_document(QINGYUAN)


@pytest.fixture(scope="session")
def qingyuan(qingyuan_path):
    from juesuan.extract import extract_document

    return extract_document(qingyuan_path)


def vocabulary_only_seeds(directory: Path) -> Path:
    """A seeds folder with the project's vocabulary and no raw tables yet."""
    from juesuan.extract.rawtables import copy_vocabulary

    return copy_vocabulary(ROOT / "seeds", directory)


def committed_seeds(directory: Path) -> Path:
    shutil.copytree(ROOT / "seeds", directory)
    return directory


@pytest.fixture(scope="session")
def published_warehouse(tmp_path_factory) -> Path:
    """The warehouse `make run` publishes with an empty inbox (from the committed seeds), built
    once for the analyst-facing tests (clients, export, report)."""
    from juesuan.pipeline import build

    base = tmp_path_factory.mktemp("published")
    seeds = committed_seeds(base / "seeds")
    (base / "inbox").mkdir()
    result = build([base / "inbox"], base / "warehouse" / "juesuan.duckdb", seeds, report=lambda _: None)
    assert result.published, result.dbt_output[-3000:]
    return result.warehouse
