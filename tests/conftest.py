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


# One figure of the 规划和自然资源局 PDF's T5 misread, as a wrong digit would be: printed 54.53 on
# page 14 (2080501 行政单位离退休, 基本支出), read as 54.63. Its document is quarantined.
MISREAD = ("putuo_guihuaziranziyuan_2024_final,T5,3,行政单位离退休,,2080501,基本支出,54.53,54.53,万元,5,14",
           "putuo_guihuaziranziyuan_2024_final,T5,3,行政单位离退休,,2080501,基本支出,54.63,54.63,万元,5,14")


@pytest.fixture(scope="session")
def published_warehouse(tmp_path_factory) -> Path:
    """What `make run` publishes from the committed seeds, with one figure misread (MISREAD) so that
    a document is held back; built once for the analyst-facing tests (clients, export, report)."""
    from juesuan.pipeline import build

    base = tmp_path_factory.mktemp("published")
    seeds = committed_seeds(base / "seeds")
    cells = (seeds / "raw_cells.csv").read_text(encoding="utf-8")
    assert cells.count(MISREAD[0]) == 1
    (seeds / "raw_cells.csv").write_text(cells.replace(MISREAD[0], MISREAD[1]), encoding="utf-8")
    (base / "inbox").mkdir()
    result = build([base / "inbox"], base / "warehouse" / "juesuan.duckdb", seeds, report=lambda _: None)
    assert result.published, result.dbt_output[-3000:]
    return result.warehouse
