"""Documents that are not a 部门决算, or are cut off, fail clearly and alone."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from juesuan.extract import ExtractionError, extract_document


def test_a_document_that_is_not_a_final_account(tmp_path):
    path = tmp_path / "minutes.txt"
    path.write_text("2023年度工作总结\n\n部门：某某局\n\n今年完成了各项工作。\n", encoding="utf-8")
    with pytest.raises(ExtractionError) as caught:
        extract_document(path)
    assert "minutes.txt" in str(caught.value)
    assert "not a departmental final account" in str(caught.value)
    assert caught.value.line == 5


def test_a_document_truncated_mid_table(tmp_path, qingyuan_path):
    lines = qingyuan_path.read_text(encoding="utf-8").splitlines()
    # 2080701 is printed in T2, T3 and T5: cut the document right after its T3 row.
    cut = [n for n, line in enumerate(lines, 1) if line.startswith("2080701\t就业创业服务补贴")][1]
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(lines[:cut]) + "\n", encoding="utf-8")
    with pytest.raises(ExtractionError) as caught:
        extract_document(path)
    assert caught.value.line == cut
    assert f"cut.txt: line {cut}: document ends inside table T3" in str(caught.value)


def test_binary_garbage_is_refused(tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_bytes(b"\xff\xfe\x00\x81" * 50)
    with pytest.raises(ExtractionError, match="garbage.txt"):
        extract_document(path)


def test_reading_a_file_never_raises_and_says_why(tmp_path, qingyuan_path):
    from juesuan.landing import UNREADABLE, read_file, scan_inbox

    (tmp_path / "a_bad.txt").write_text("不是决算\n", encoding="utf-8")
    (tmp_path / "b_good.txt").write_bytes(qingyuan_path.read_bytes())
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    (tmp_path / "empty.pdf").write_bytes(b"")
    outcomes = {f.path.name: read_file(f) for f in scan_inbox([tmp_path])}
    assert outcomes["b_good.txt"][0].meta.department_name == "清远市人力资源和社会保障局"
    assert outcomes["a_bad.txt"][0] is None and outcomes["a_bad.txt"][1]["extraction_status"] == UNREADABLE
    assert outcomes["a_bad.txt"][1]["reason_line"] == 1
    assert "unsupported file type '.md'" in outcomes["notes.md"][1]["reason"]
    assert outcomes["empty.pdf"][1]["reason"] == "empty file"


def _read_with_a_reader_bug(job):
    """In the worker process: the reader raises where no reader should."""
    import juesuan.landing as landing

    def crash(_path):
        raise ZeroDivisionError("a reader bug")

    landing.extract_document = crash
    return landing._read_and_land(job)


def test_a_reader_crash_is_one_unreadable_file_with_its_trace_in_a_log(tmp_path, qingyuan_path):
    import juesuan.landing as landing

    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "doc.txt").write_bytes(qingyuan_path.read_bytes())
    zone = landing.LandingZone(tmp_path / "w.landing")
    [outcome] = landing.land_inbox(landing.scan_inbox([tmp_path / "inbox"]), zone, report=lambda _: None,
                                   read_and_land=_read_with_a_reader_bug)
    assert outcome.status == landing.UNREADABLE
    assert outcome.detail == "the reader failed (ZeroDivisionError: a reader bug)"
    assert "ZeroDivisionError" in (zone.root / "logs" / "doc.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_text_saved_in_a_windows_encoding_reads_as_the_utf8_original(tmp_path, qingyuan_path, qingyuan, encoding):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(qingyuan_path.read_text(encoding="utf-8").encode(encoding))
    document = extract_document(path)
    assert document.meta.department_name == "清远市人力资源和社会保障局"
    assert [(c.statement, c.row_label, c.column_header, c.amount, c.source_line) for c in document.cells] == [
        (c.statement, c.row_label, c.column_header, c.amount, c.source_line) for c in qingyuan.cells]


def test_binary_data_is_not_text_in_any_encoding(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    with pytest.raises(ExtractionError, match="photo.txt: line 1: not text in utf-8 or gb18030"):
        extract_document(path)
    path.write_bytes(("部门：某某局\n" + "\x00\x01" * 50).encode("utf-8"))
    with pytest.raises(ExtractionError, match="line 2: binary data, not text"):
        extract_document(path)


@pytest.mark.parametrize("name", ["download", "P020250110.do", "budget.PDF"])
def test_a_pdf_is_read_as_a_pdf_whatever_its_name(tmp_path, name):
    from conftest import shared_document
    from juesuan.landing import READ, read_file, scan_inbox

    original = shared_document("shanghai_caizhengju_2025_budget.pdf")
    (tmp_path / name).write_bytes(original.read_bytes())
    [file] = scan_inbox([tmp_path])
    document, ended = read_file(file)
    assert ended["extraction_status"] == READ and document.meta.department_name == "上海市财政局"
    assert [(c.statement, c.row_label, c.column_header, c.amount) for c in document.cells] == [
        (c.statement, c.row_label, c.column_header, c.amount) for c in extract_document(original).cells]


def _read_unless_it_kills_its_process(job):
    """In the worker process: 'crash*' takes the process down as a fault in native code would,
    'hang*' never answers, the rest are read."""
    import signal
    import time

    import juesuan.landing as landing

    name = job[1].path.name
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("hang"):
        time.sleep(3600)
    return landing._read_and_land(job)


def test_a_reader_that_kills_or_hangs_its_process_loses_that_file_alone(tmp_path, qingyuan_path):
    import juesuan.landing as landing

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("crash.txt", "good_1.txt", "hang.txt", "good_2.txt", "good_3.txt"):
        (inbox / name).write_bytes(qingyuan_path.read_bytes() + name.encode())
    zone = landing.LandingZone(tmp_path / "w.landing")

    def land() -> dict[str, tuple[str, str]]:
        landed = landing.land_inbox(landing.scan_inbox([inbox]), zone, processes=2, report=lambda _: None,
                                    read_and_land=_read_unless_it_kills_its_process, timeout=3)
        return {o.file: (o.status, o.detail) for o in landed}

    first = land()
    assert first["crash.txt"] == (landing.UNREADABLE, "the reader crashed: the worker process died (exit code -11)")
    assert first["hang.txt"] == (landing.UNREADABLE, "the reader hung: no answer in 3 s: the worker process was stopped")
    assert all(first[f"good_{n}.txt"][0] == landing.READ for n in (1, 2, 3))
    assert zone.record("crash")["reason"] == "the reader crashed: the worker process died (exit code -11)"
    # recorded as unreadable for this content: not read again (and crashed again) on the next build
    assert {status for status, _ in land().values()} == {"unchanged"}


def test_a_file_that_cannot_be_opened_is_one_unreadable_file(tmp_path, qingyuan_path, monkeypatch):
    # (the tests run as root, whom file modes do not stop: the refusal is made to happen)
    import juesuan.landing as landing

    (tmp_path / "locked.txt").write_bytes(qingyuan_path.read_bytes())
    (tmp_path / "open.txt").write_bytes(qingyuan_path.read_bytes())
    real_open = Path.open

    def refuse_locked(self, *args, **kwargs):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse_locked)
    files = {f.source_file: f for f in landing.scan_inbox([tmp_path])}
    assert files["open.txt"].sha256 == landing.sha256_of(qingyuan_path)
    assert files["locked.txt"].sha256 != files["open.txt"].sha256
    document, ended = landing.read_file(files["locked.txt"])
    assert document is None and ended["extraction_status"] == landing.UNREADABLE
    assert ended["reason"] == "the file could not be opened (PermissionError: Permission denied)"
