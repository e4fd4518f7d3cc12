"""Shared fixtures. The real documents are read from ../shared/documents, never copied here.

Every warehouse in the tests is built the way a user builds one: the Dagster graph, through
orchestration.run.build (what `juesuan build` runs)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DOCUMENTS = Path(os.environ.get("JUESUAN_SHARED_DOCUMENTS", ROOT.parent / "shared" / "documents"))
QINGYUAN = "qingyuan_rsj_2023_final.txt"
QINGYUAN_ID = "qingyuan_rsj_2023_final"


def _missing(path: Path) -> None:
    message = f"{path} is missing: the real documents must sit in ../shared/documents"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def shared_document(name: str) -> Path:
    path = SHARED_DOCUMENTS / name
    if not path.exists():
        _missing(path)
    return path


def shared_documents_dir() -> Path:
    """../shared/documents itself; fails under CI=true when it is missing, else skips."""
    if not SHARED_DOCUMENTS.is_dir():
        _missing(SHARED_DOCUMENTS)
    return SHARED_DOCUMENTS


def query(warehouse: Path, sql: str, *params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def build_into(inbox, warehouse: Path, **options):
    """Build `warehouse` from the inbox folders through the Dagster graph, quietly."""
    from orchestration.run import build

    options.setdefault("report", lambda _line: None)
    return build([Path(p) for p in inbox], Path(warehouse), echo=False, **options)


def copy_inbox(files, inbox: Path) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy(path, inbox / Path(path).name)
    return inbox


def renamed_department(source: Path, target: Path, department: str, year: str | None = None,
                       change=lambda text: text) -> Path:
    """The same tables under another department (and year): another document of this kind."""
    text = source.read_text(encoding="utf-8").replace("清远市人力资源和社会保障局", department)
    if year:
        text = text.replace("2023年度", f"{year}年度")
    target.write_text(change(text), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def qingyuan_path() -> Path:
    return shared_document(QINGYUAN)


@pytest.fixture(scope="session")
def qingyuan(qingyuan_path):
    from juesuan.extract import extract_document

    return extract_document(qingyuan_path)


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory):
    """Every document of ../shared/documents through `juesuan build`'s graph."""
    base = tmp_path_factory.mktemp("shared_build")
    from dagster import DagsterInstance

    seeds_before = tree_digest(ROOT / "seeds")
    instance = DagsterInstance.ephemeral()
    outcome = build_into([shared_documents_dir()], base / "warehouse" / "juesuan.duckdb", instance=instance)
    assert outcome.published, outcome.error
    outcome.instance = instance
    outcome.repository_seeds_untouched = tree_digest(ROOT / "seeds") == seeds_before
    return outcome


def tree_digest(folder: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
