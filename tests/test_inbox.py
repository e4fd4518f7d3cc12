"""An inbox of realistic size and mess, built through `juesuan build`: every file ends in one state,
the unknown-header document alone is held back, and no department-year is counted twice."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import build_into, query, renamed_department, shared_document
from juesuan.cli import main as cli
from juesuan.publish import CLIENT_STORAGE_VERSION, storage_version
from juesuan_testkit.corpus import generate_corpus, read_manifest

GENERATED = 50


@pytest.fixture(scope="module")
def awkward(tmp_path_factory, qingyuan_path):
    base = tmp_path_factory.mktemp("awkward")
    generated = generate_corpus(qingyuan_path, base / "generated", GENERATED + 5, seed=7)
    inbox = base / "inbox"
    inbox.mkdir()
    for path in generated[:GENERATED]:
        shutil.copy(path, inbox / path.name)
    first = generated[0]
    # a corrected version of one department-year, published later
    revised = inbox / f"{first.stem}_revised.txt"
    revised.write_text(first.read_text(encoding="utf-8") + "\n（更正版）\n", encoding="utf-8")
    stamp = (inbox / first.name).stat().st_mtime
    os.utime(revised, (stamp + 3600, stamp + 3600))
    shutil.copy(generated[1], inbox / "copy of the second.txt")               # the same bytes again
    shutil.copy(generated[GENERATED], inbox / "a b.txt")                       # names that reduce to one id
    shutil.copy(generated[GENERATED + 1], inbox / "a_b.txt")
    shutil.copy(generated[GENERATED + 2], inbox / "report.txt")                # one stem, two suffixes
    shutil.copy(shared_document("putuo_shegongbu_2024_final.pdf"), inbox / "report.pdf")
    (inbox / "linked.txt").symlink_to(generated[GENERATED + 3])                # a symlink reads as its file
    renamed_department(qingyuan_path, inbox / "unknown_headers.txt", "清远市表头测试局",
                       change=lambda text: text.replace("本年支出合计\t基本支出\t项目支出",
                                                        "本年支出合计\t基本支出\t甲乙丙丁"))
    (inbox / "garbage.pdf").write_bytes(os.urandom(4096))
    (inbox / "notes.docx").write_bytes(b"PK\x03\x04 not a document we read")
    (inbox / "letter.txt").write_text("致全体职工的一封信\n\n大家好。\n", encoding="utf-8")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "2024").mkdir()                                                   # a subfolder: its path names it
    shutil.copy(generated[GENERATED + 4], inbox / "2024" / "report.txt")
    (inbox / ".cache").mkdir()                                                 # hidden: not a document
    (inbox / ".cache" / "report.txt").write_bytes(generated[GENERATED + 4].read_bytes())
    warehouse = base / "warehouse" / "juesuan.duckdb"
    outcome = build_into([inbox], warehouse)
    return {"base": base, "inbox": inbox, "warehouse": warehouse, "outcome": outcome, "generated": generated,
            "manifest": read_manifest(base / "generated")}


def states(warehouse: Path) -> dict[str, tuple]:
    return {file: (status, reason) for file, status, reason in query(
        warehouse, "select source_file, status, status_reason from marts.dim_document")}


def test_every_file_ends_in_exactly_one_state(awkward):
    inbox, warehouse = awkward["inbox"], awkward["warehouse"]
    held = states(warehouse)
    listed = [p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()]
    assert sorted(held) == sorted(name for name in listed if not name.startswith("."))
    assert query(warehouse, "select count(*), count(distinct document_key) from marts.dim_document") == [
        (len(held), len(held))]
    generated = [p.name for p in awkward["generated"][:GENERATED]]
    expected = {name: "published" for name in generated}
    expected.update({generated[0]: "superseded", f"{Path(generated[0]).stem}_revised.txt": "published",
                     "copy of the second.txt": "duplicate", "a b.txt": "published", "a_b.txt": "published",
                     "report.txt": "published", "report.pdf": "published", "linked.txt": "published",
                     "unknown_headers.txt": "quarantined", "garbage.pdf": "unreadable",
                     "notes.docx": "unreadable", "letter.txt": "unreadable", "empty.txt": "unreadable",
                     "2024/report.txt": "published"})
    assert {name: status for name, (status, _) in held.items()} == expected
    assert awkward["outcome"].exit_code == 1  # published, some files held back


def test_each_state_says_why(awkward):
    held = states(awkward["warehouse"])
    assert held["empty.txt"][1] == "empty file"
    assert "unsupported file type '.docx'" in held["notes.docx"][1]
    assert "not a readable PDF" in held["garbage.pdf"][1]
    assert held["copy of the second.txt"][1].startswith("the same bytes as ")
    assert held[awkward["generated"][0].name][1] == (
        f"a later version is counted: {awkward['generated'][0].stem}_revised")
    assert "甲乙丙丁" in held["unknown_headers.txt"][1]
    page_or_line = query(awkward["warehouse"], "select reason_line from marts.dim_document "
                                               "where source_file = 'letter.txt'")
    assert page_or_line == [(3,)]


def test_no_department_year_is_counted_twice(awkward):
    warehouse = awkward["warehouse"]
    assert query(warehouse, """
        select count(*) from (
            select department_name, fiscal_year, phase from marts.dim_document
            where status in ('published', 'accepted') group by all having count(*) > 1)""") == [(0,)]
    facts = dict(query(warehouse, "select source_file, count(*) from marts.all_amounts "
                                  "join marts.dim_document using (document_key) group by 1"))
    manifest = awkward["manifest"]
    for path in awkward["generated"][1:GENERATED]:
        assert facts[path.name] == manifest[path.name]["expected_total"], path.name
    assert awkward["generated"][0].name not in facts and "copy of the second.txt" not in facts
    assert facts["linked.txt"] == manifest[awkward["generated"][GENERATED + 3].name]["expected_total"]
    assert "unknown_headers.txt" not in facts
    assert facts["2024/report.txt"] == manifest[awkward["generated"][GENERATED + 4].name]["expected_total"]
    assert query(warehouse, "select document_key from marts.dim_document where source_file = '2024/report.txt'") == [
        ("2024_report",)]


def test_the_unknown_header_document_alone_is_held_back(awkward):
    held_back = [f for f, (status, _) in states(awkward["warehouse"]).items() if status == "quarantined"]
    assert held_back == ["unknown_headers.txt"]


def test_a_rerun_reads_nothing_again_and_reports_every_state(awkward, capsys):
    inbox, warehouse = awkward["inbox"], awkward["warehouse"]
    before = query(warehouse, "select document_key, status, status_reason from marts.dim_document order by 1")
    code = cli(["build", "--documents", str(inbox), "--warehouse", str(warehouse), "--quiet"])
    out = capsys.readouterr().out
    assert code == 1
    assert query(warehouse, "select document_key, status, status_reason from marts.dim_document order by 1") == before
    assert "UNREADABLE empty" in out and "QUARANTINED unknown_headers" in out and "SUPERSEDED" in out
    assert "files: 63 (" in out
    # rebuilt from a copy of the published file, it stays in the format DuckDB 1.x clients open
    assert storage_version(warehouse).startswith(CLIENT_STORAGE_VERSION)
    landed = awkward["outcome"].landed
    assert sum(1 for o in landed if o["status"] != "unchanged") == 63


def test_remove_takes_a_document_out_for_good(awkward, capsys):
    inbox, warehouse = awkward["inbox"], awkward["warehouse"]
    [(report_txt,)] = query(warehouse, "select document_key from marts.dim_document where source_file = 'report.txt'")
    assert cli(["remove", report_txt, "--documents", str(inbox), "--warehouse", str(warehouse), "--quiet"]) == 1
    held = states(warehouse)
    assert "report.txt" not in held and "report.pdf" in held
    assert (inbox / "report.txt").exists()  # the user's file is left alone; its content stays out
    assert cli(["build", "--documents", str(inbox), "--warehouse", str(warehouse), "--quiet"]) == 1
    assert "report.txt" not in states(warehouse)
    assert cli(["remove", "no_such_document", "--warehouse", str(warehouse)]) == 3
    assert "no document 'no_such_document'" in capsys.readouterr().err
