"""The committed seeds are the project's own extraction of ../shared/documents."""
from __future__ import annotations

import csv

from conftest import ROOT, SHARED_DOCUMENTS, shared_document
from juesuan.extract import extract_document
from juesuan.extract.rawtables import (CELLS_FILE, DOCUMENTS_FILE, NARRATIVE_FILE, merge_documents, read_rows,
                                      write_document)


def rows_of(directory, name, document_id):
    return [r for r in read_rows(directory / name) if r["document_id"] == document_id]


def test_committed_seeds_equal_a_fresh_extraction(tmp_path):
    committed = read_rows(ROOT / "seeds" / DOCUMENTS_FILE)
    assert committed, "seeds/raw_documents.csv holds no document"
    for held in committed:
        document = extract_document(shared_document(held["source_file"]))
        write_document(tmp_path / held["document_id"], document)
        for name in (DOCUMENTS_FILE, CELLS_FILE, NARRATIVE_FILE):
            fresh = read_rows(tmp_path / held["document_id"] / name)
            assert rows_of(ROOT / "seeds", name, held["document_id"]) == fresh, name


def test_every_shared_document_is_in_the_committed_seeds():
    held = {r["source_file"] for r in read_rows(ROOT / "seeds" / DOCUMENTS_FILE)}
    readable = {p.name for p in SHARED_DOCUMENTS.iterdir() if p.suffix == ".txt"} if SHARED_DOCUMENTS.exists() else set()
    assert readable <= held


def test_merging_again_replaces_instead_of_duplicating(tmp_path, qingyuan):
    merge_documents(tmp_path, [qingyuan])
    merge_documents(tmp_path, [qingyuan])
    assert len(read_rows(tmp_path / DOCUMENTS_FILE)) == 1
    assert len(read_rows(tmp_path / CELLS_FILE)) == 1185


def test_a_copy_under_another_name_is_not_a_second_document(tmp_path, qingyuan_path, qingyuan):
    copy = tmp_path / "inbox" / "copy_of_qingyuan.txt"
    copy.parent.mkdir()
    copy.write_bytes(qingyuan_path.read_bytes())
    merge_documents(tmp_path, [qingyuan])
    skipped = merge_documents(tmp_path, [extract_document(copy)])
    assert skipped == ["copy_of_qingyuan"]
    assert [r["document_id"] for r in read_rows(tmp_path / DOCUMENTS_FILE)] == ["qingyuan_rsj_2023_final"]


def test_amounts_are_written_plainly_for_decimal_loading(tmp_path, qingyuan):
    write_document(tmp_path, qingyuan)
    with (tmp_path / CELLS_FILE).open(encoding="utf-8") as handle:
        amounts = [row["amount"] for row in csv.DictReader(handle)]
    assert all("," not in a for a in amounts) and "34365.67" in amounts
