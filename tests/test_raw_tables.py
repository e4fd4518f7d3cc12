"""The landing zone: one folder per document, replaced whole; the committed sample is a fresh landing."""
from __future__ import annotations

import csv

from conftest import ROOT, shared_documents_dir
from juesuan.extract.rawtables import read_rows
from juesuan.landing import LandingZone, document_id_for, land_inbox, scan_inbox
from juesuan_testkit.sample import sample_tables


def test_the_committed_sample_equals_a_fresh_landing_of_the_shared_documents(tmp_path):
    sample_tables(shared_documents_dir(), tmp_path)
    for path in sorted((ROOT / "seeds" / "raw").glob("*.csv")):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_every_shared_document_is_in_the_committed_sample():
    held = {r["source_file"] for r in read_rows(ROOT / "seeds" / "raw" / "raw_documents.csv")}
    assert held == {p.name for p in shared_documents_dir().iterdir() if p.is_file()}


def test_landing_again_replaces_instead_of_duplicating(tmp_path, qingyuan_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "q.txt").write_bytes(qingyuan_path.read_bytes())
    zone = LandingZone(tmp_path / "w.landing")
    assert [o.status for o in land_inbox(scan_inbox([inbox]), zone, report=lambda _: None)] == ["read"]
    assert [o.status for o in land_inbox(scan_inbox([inbox]), zone, report=lambda _: None)] == ["unchanged"]
    (inbox / "q.txt").write_bytes(qingyuan_path.read_bytes() + b"\n")
    assert [o.status for o in land_inbox(scan_inbox([inbox]), zone, report=lambda _: None)] == ["read"]
    assert len(zone.records()) == 1 and len(read_rows(zone.folder("q") / "raw_cells.csv")) == 1185
    assert not (zone.root / ".incoming").exists() or not any((zone.root / ".incoming").iterdir())


def test_an_interrupted_replacement_is_undone(tmp_path, qingyuan_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "q.txt").write_bytes(qingyuan_path.read_bytes())
    zone = LandingZone(tmp_path / "w.landing")
    land_inbox(scan_inbox([inbox]), zone, report=lambda _: None)
    # killed between moving the old folder out and the new one in
    (zone.root / ".outgoing").mkdir()
    zone.folder("q").rename(zone.root / ".outgoing" / "q")
    (zone.root / ".incoming" / "q").mkdir(parents=True)
    zone.recover()
    assert zone.record("q")["sha256"] and not (zone.root / ".incoming" / "q").exists()


def test_two_files_are_always_two_documents(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a b.txt", "a_b.txt", "report.pdf", "report.txt", "Report.TXT"):
        (inbox / name).write_text(name, encoding="utf-8")
    ids = [f.document_id for f in scan_inbox([inbox])]
    assert len(set(ids)) == 5
    assert document_id_for(inbox / "a_b.txt") == "a_b"


def test_files_in_subfolders_are_documents_named_by_their_path(tmp_path):
    inbox = tmp_path / "inbox"
    for name in ("a.txt", "shanghai/2024/a.pdf", "shanghai/b.txt", "上海/c.txt", ".cache/a.txt", "shanghai/.d.txt",
                 "shanghai/e.pdf.crdownload", "f.pdf.part"):
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_text(name, encoding="utf-8")
    (inbox / "shanghai" / "again").symlink_to(inbox)  # a folder reached twice is read once
    files = scan_inbox([inbox])
    assert [(f.source_file, f.document_id) for f in files] == [
        ("a.txt", "a"), ("shanghai/b.txt", "shanghai_b"), ("shanghai/2024/a.pdf", "shanghai_2024_a"),
        ("上海/c.txt", "上海_c")]
    zone = LandingZone(tmp_path / "w.landing")
    land_inbox(files, zone, report=lambda _: None)
    assert zone.record("shanghai_2024_a")["source_file"] == "shanghai/2024/a.pdf"


def test_the_warehouses_own_files_are_never_documents(tmp_path, qingyuan_path):
    from orchestration.jobs import inbox_fingerprint
    from orchestration.resources import JuesuanPaths

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "q.txt").write_bytes(qingyuan_path.read_bytes())
    paths = JuesuanPaths(inbox=[str(inbox)], warehouse=str(inbox / "w" / "juesuan.duckdb"))
    for own in ("w/juesuan.duckdb", "w/juesuan.duckdb.lock", "w/juesuan.landing/documents/q/raw_cells.csv",
                "w/report/index.html"):
        (inbox / own).parent.mkdir(parents=True, exist_ok=True)
        (inbox / own).write_text("written by the build", encoding="utf-8")
    assert [f.source_file for f in scan_inbox(paths.inbox_paths, skip=paths.own_files)] == ["q.txt"]
    # the sensor does not see a build's own writes as new files
    before = inbox_fingerprint(paths)
    (inbox / "w" / "report" / "index.html").write_text("rewritten", encoding="utf-8")
    (inbox / "w" / "juesuan.landing" / "documents" / "r").mkdir()
    assert inbox_fingerprint(paths) == before == (before[0], 1)
    (inbox / "w" / "new.txt").write_text("a document the user put here", encoding="utf-8")
    assert inbox_fingerprint(paths)[1] == 2


def test_amounts_are_written_plainly_for_decimal_loading():
    with (ROOT / "seeds" / "raw" / "raw_cells.csv").open(encoding="utf-8") as handle:
        amounts = [row["amount"] for row in csv.DictReader(handle)]
    assert all("," not in a for a in amounts) and "34365.67" in amounts


def test_a_table_with_no_row_lands_no_file(tmp_path, qingyuan_path):
    """清远 lands its cells, narrative figures and facts; it has no warnings, so no warnings file. An
    unreadable file lands its record alone: a file per empty table cost the landing and the build."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "q.txt").write_bytes(qingyuan_path.read_bytes())
    (inbox / "garbage.txt").write_bytes(b"\xff\xfe not a document")
    zone = LandingZone(tmp_path / "w.landing")
    land_inbox(scan_inbox([inbox]), zone, report=lambda _: None)
    landed = {p.name for p in zone.folder("q").iterdir()}
    assert landed == {"raw_documents.csv", "raw_cells.csv", "raw_narrative.csv", "raw_narrative_facts.csv"}
    assert zone.record("q")["warning_count"] == "0"
    assert len(read_rows(zone.folder("q") / "raw_cells.csv")) == 1185
    assert {p.name for p in zone.folder("garbage").iterdir()} == {"raw_documents.csv"}
    assert zone.record("garbage")["extraction_status"] == "unreadable"
