"""Documents that are not a 部门决算, or are cut off, fail clearly and alone."""
from __future__ import annotations

import pytest

from juesuan.extract import ExtractionError, extract_document
from juesuan.pipeline import discover_documents, extract_all


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


def test_one_bad_document_does_not_stop_the_others(tmp_path, qingyuan_path):
    (tmp_path / "a_bad.txt").write_text("不是决算\n", encoding="utf-8")
    (tmp_path / "b_good.txt").write_bytes(qingyuan_path.read_bytes())
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    outcome = extract_all(discover_documents([tmp_path]), report=lambda _: None)
    assert [d.meta.document_id for d in outcome.documents] == ["b_good"]
    assert len(outcome.failures) == 1 and outcome.failures[0].source.endswith("a_bad.txt")
