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


# Both Putuo PDFs print a narrative total that disagrees with their own tables (0.3 万元 for the
# 财政拨款收入支出总计 of 2,961.68 on page 21 of the 财政局's): the gate holds them back
# (tests/test_narrative_facts.py). Their tables are right, and the shared build accepts them so
# the other tests can read their facts.
NARRATIVE_MISSTATEMENTS = {
    "putuo_caizhengju_2024_final.pdf": "narrative misstatement (0.3 for 2,961.68); tables checked",
    "putuo_guihuaziranziyuan_2024_final.pdf": "narrative misstatements; tables checked",
}


def accept_before_building(warehouse: Path, reasons: dict[str, str]) -> None:
    """What `juesuan accept` records, written before the first build (the files' own sha256)."""
    from juesuan.extract.rawtables import write_rows
    from juesuan.landing import ACCEPTED_COLUMNS, LandingZone, landing_dir_for, sha256_of

    zone = LandingZone(landing_dir_for(warehouse))
    rows = [{"document_id": Path(name).stem, "sha256": sha256_of(shared_document(name)), "reason": reason,
             "accepted_on": "2026-11-25"} for name, reason in sorted(reasons.items())]
    write_rows(zone.accepted_path(), ACCEPTED_COLUMNS, rows)


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory):
    """Every document of ../shared/documents through `juesuan build`'s graph."""
    base = tmp_path_factory.mktemp("shared_build")
    from dagster import DagsterInstance

    seeds_before = tree_digest(ROOT / "seeds")
    instance = DagsterInstance.ephemeral()
    warehouse = base / "warehouse" / "juesuan.duckdb"
    accept_before_building(warehouse, NARRATIVE_MISSTATEMENTS)
    outcome = build_into([shared_documents_dir()], warehouse, instance=instance)
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


# One figure of the 规划和自然资源局 PDF's T5 misread, as a wrong digit would be: printed 54.53 on
# page 14 (2080501 行政单位离退休, 基本支出), read as 54.63. Its document is quarantined.
MISREAD = {"statement": "T5", "code": "2080501", "measure": "basic_expenditure", "amount": "54.53", "as": "54.63"}


@pytest.fixture(scope="session")
def published_warehouse(tmp_path_factory, qingyuan_path) -> Path:
    """A published warehouse of three documents, one held back by a misread figure (MISREAD)."""
    return build_published(tmp_path_factory.mktemp("published"), qingyuan_path)


def build_published(base: Path, qingyuan_path: Path, *more: str) -> Path:
    """清远, the 财政局 (accepted) and the 规划 PDF held back by a misread figure (MISREAD): the 规划
    PDF is landed, one figure of its landed raw cells changed, then the warehouse built; `more`
    names further shared documents read with them."""
    from juesuan.extract.rawtables import read_rows, write_rows
    from juesuan.landing import LandingZone, land_inbox, landing_dir_for, scan_inbox

    inbox = copy_inbox([qingyuan_path, shared_document("putuo_caizhengju_2024_final.pdf"),
                        shared_document("putuo_guihuaziranziyuan_2024_final.pdf"),
                        *(shared_document(name) for name in more)], base / "inbox")
    warehouse = base / "warehouse" / "juesuan.duckdb"
    # the 财政局's narrative misstatement accepted (its tables are right), as in the shared build
    accept_before_building(warehouse, {"putuo_caizhengju_2024_final.pdf":
                                       NARRATIVE_MISSTATEMENTS["putuo_caizhengju_2024_final.pdf"]})
    zone = LandingZone(landing_dir_for(warehouse))
    land_inbox(scan_inbox([inbox]), zone, report=lambda _line: None)
    cells_file = zone.folder("putuo_guihuaziranziyuan_2024_final") / "raw_cells.csv"
    cells = read_rows(cells_file)
    misread = [c for c in cells if c["statement"] == MISREAD["statement"] and c["code"] == MISREAD["code"]
               and c["measure"] == MISREAD["measure"] and c["amount"] == MISREAD["amount"]]
    assert len(misread) == 1
    misread[0]["amount"] = misread[0]["amount_text"] = MISREAD["as"]
    write_rows(cells_file, list(cells[0]), cells)
    outcome = build_into([inbox], warehouse)
    assert outcome.published, outcome.error
    return warehouse
