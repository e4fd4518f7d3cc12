"""The report folder is kept between builds: a build rewrites only the pages whose rows changed and
deletes the pages no longer produced. Warehouses built the user's way (the Dagster graph, whose
analyst_report asset writes report/ beside the warehouse) from 清远 and departments made from it;
a page rewritten is a new file (renamed into place: another inode), a page left alone keeps its
inode and mtime."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import build_into, query, renamed_department
from juesuan.cli import main as cli
from juesuan.report import build_report, site

OVERVIEW = {"index.html", "money.html", "budget.html", "narrative.html"}
FIRST = "report_first_2023_final"
ADDED = "report_added_2023_final"


def files(report: Path) -> dict[str, tuple[int, int]]:
    """Each file of the report folder -> (inode, mtime): both change when a page is rewritten."""
    snapshot = {}
    for root, _dirs, names in os.walk(report):
        for name in names:
            path = Path(root) / name
            stat = path.stat()
            snapshot[path.relative_to(report).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return snapshot


def rewritten(before: dict, after: dict) -> set[str]:
    return {path for path, state in after.items() if before.get(path) != state}


def pages_of(warehouse: Path, document_key: str) -> set[str]:
    """The pages a document has of its own: its document page, its narrative page, its department-year."""
    [(department, year)] = query(warehouse, "select department_key, fiscal_year from marts.dim_document "
                                            "where document_key = ?", document_key)
    return {f"documents/{document_key}.html", f"narrative/{document_key}.html", f"budget/{department}-{year}.html"}


@pytest.fixture(scope="module")
def builds(tmp_path_factory, qingyuan_path):
    """清远 and a second department built; a third department added and built; the second taken out
    and built again. The report folder's files after each build."""
    base = tmp_path_factory.mktemp("report_incremental")
    inbox = base / "inbox"
    inbox.mkdir()
    shutil.copy(qingyuan_path, inbox / qingyuan_path.name)
    renamed_department(qingyuan_path, inbox / f"{FIRST}.txt", "清远市报告甲局")
    warehouse = base / "warehouse" / "juesuan.duckdb"
    report = warehouse.parent / "report"
    assert build_into([inbox], warehouse).published
    first = files(report)
    first_pages = pages_of(warehouse, FIRST)

    renamed_department(qingyuan_path, inbox / f"{ADDED}.txt", "清远市报告乙局")
    assert build_into([inbox], warehouse).published
    added = files(report)
    added_pages = pages_of(warehouse, ADDED)

    assert cli(["remove", FIRST, "--documents", str(inbox), "--warehouse", str(warehouse), "--quiet"]) == 0
    removed = files(report)
    return {"warehouse": warehouse, "report": report, "first": first, "added": added, "removed": removed,
            "first_pages": first_pages, "added_pages": added_pages}


def test_the_first_build_writes_every_page(builds):
    first = builds["first"]
    assert builds["first_pages"] <= set(first)
    assert OVERVIEW | {"plotly.min.js", site.MANIFEST, "documents/qingyuan_rsj_2023_final.html"} <= set(first)
    assert not [path for path in first if path.endswith(".tmp")]


def test_a_document_added_rewrites_its_pages_and_the_overview_only(builds):
    changed = rewritten(builds["first"], builds["added"])
    assert changed == builds["added_pages"] | OVERVIEW | {site.MANIFEST}
    assert set(builds["added"]) == set(builds["first"]) | builds["added_pages"]
    # the other documents' pages, their department-years and the chart library: the very same files
    assert "documents/qingyuan_rsj_2023_final.html" not in changed and "plotly.min.js" not in changed
    assert f"documents/{ADDED}.html" in changed


def test_a_document_taken_out_leaves_no_page_behind(builds):
    gone = set(builds["added"]) - set(builds["removed"])
    assert gone == builds["first_pages"]
    assert rewritten(builds["added"], builds["removed"]) == OVERVIEW | {site.MANIFEST}
    assert not (builds["report"] / "documents" / f"{FIRST}.html").exists()
    index = (builds["report"] / "index.html").read_text(encoding="utf-8")
    assert FIRST not in index and ADDED in index


def test_a_rebuild_with_nothing_changed_writes_nothing(builds, tmp_path):
    report = builds["report"]
    before = files(report)
    build = build_report(builds["warehouse"], report)
    assert build.written == [] and build.removed == []
    assert files(report) == before
    assert {path.relative_to(report).as_posix() for path in build.pages} == set(before) - {"plotly.min.js",
                                                                                          site.MANIFEST}


def test_a_template_change_renders_every_page_again(builds, tmp_path, monkeypatch):
    report = tmp_path / "report"
    shutil.copytree(builds["report"], report)
    templates = tmp_path / "templates"
    shutil.copytree(site.TEMPLATES, templates)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</main>", "<p id='changed'>changed</p>\n</main>"),
                    encoding="utf-8")
    monkeypatch.setattr(site, "TEMPLATES", templates)
    before = files(report)
    build = build_report(builds["warehouse"], report)
    pages = {path.relative_to(report).as_posix() for path in build.pages}
    assert rewritten(before, files(report)) == pages | {site.MANIFEST}
    assert all("<p id='changed'>" in (report / page).read_text(encoding="utf-8") for page in pages)


def test_a_page_deleted_by_hand_comes_back_and_leftovers_go(builds, tmp_path):
    """A page missing from the folder is written again though its fingerprint is unchanged; a file the
    build does not produce (a temporary file of a build cut short, a stray folder) is deleted."""
    report = tmp_path / "report"
    shutil.copytree(builds["report"], report)
    page = report / "documents" / f"{ADDED}.html"
    expected = page.read_text(encoding="utf-8")
    page.unlink()
    (report / "documents" / f".{ADDED}.html.tmp").write_text("half a page", encoding="utf-8")
    (report / "old" / "stray").mkdir(parents=True)
    (report / "old" / "stray" / "page.html").write_text("stale", encoding="utf-8")
    build = build_report(builds["warehouse"], report)
    assert build.written == [page] and page.read_text(encoding="utf-8") == expected
    assert sorted(path.relative_to(report).as_posix() for path in build.removed) == [
        f"documents/.{ADDED}.html.tmp", "old/stray/page.html"]
    assert not (report / "old").exists()


def test_many_pages_render_in_worker_processes_as_in_one(builds, tmp_path, monkeypatch):
    """Past PARALLEL_PAGES the pages are rendered by worker processes: the same pages, byte for byte
    (the charts' element ids are random on every render, so the two chart pages are left out)."""
    alone = tmp_path / "alone"
    in_workers = tmp_path / "in_workers"
    build_report(builds["warehouse"], alone)
    monkeypatch.setattr(site, "PARALLEL_PAGES", 1)
    build = build_report(builds["warehouse"], in_workers)
    assert site.render_processes(len(build.pages)) == 2  # the machines that run the tests have 2 cores
    assert len(build.written) == len(build.pages) + 1 > 6  # and plotly.min.js
    for page in build.pages:
        relative = page.relative_to(in_workers)
        if relative.as_posix() not in ("money.html", "budget.html"):
            assert page.read_bytes() == (alone / relative).read_bytes(), relative
    assert files(alone).keys() == files(in_workers).keys()


def test_a_pdf_is_linked_by_its_reader_whatever_its_name(tmp_path):
    (tmp_path / "shanghai").mkdir()
    (tmp_path / "shanghai" / "download").write_bytes(b"%PDF-1.7\n")
    pdf = {"source_file": "shanghai/download", "reader": "pdf"}
    assert site.pdf_link(pdf, 3, [tmp_path]) == (tmp_path / "shanghai" / "download").resolve().as_uri() + "#page=3"
    assert site.pdf_link({**pdf, "reader": "text"}, 3, [tmp_path]) is None
    assert site.pdf_link(pdf, None, [tmp_path / "elsewhere"]) is None
