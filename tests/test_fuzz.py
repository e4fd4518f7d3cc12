"""The fuzz run (issue 10): damaged documents are read or refused with a reason, never a crash or hang."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from conftest import shared_document, shared_documents_dir

from juesuan_testkit.fuzz import PDF_DAMAGE, TEXT_DAMAGE, damage_pdf, damage_text, plan, prepare_sources, run_fuzz

SMALL_RUN = 200


def test_damage_is_deterministic_and_changes_the_document():
    data = shared_document("qingyuan_rsj_2023_final.txt").read_bytes()
    for kind in TEXT_DAMAGE:
        first = damage_text(data, kind, random.Random(f"t:{kind}"))
        assert first == damage_text(data, kind, random.Random(f"t:{kind}")), kind
        assert first != data, kind
    pdf = shared_document("putuo_shegongbu_2024_final.pdf").read_bytes()
    for kind in PDF_DAMAGE:
        first = damage_pdf(pdf, kind, random.Random(f"p:{kind}"))
        again = damage_pdf(pdf, kind, random.Random(f"p:{kind}"))
        if kind == "drop_pages":
            # PDFium rewrites the kept pages, and once in a fresh clone's run (1 of 4) wrote the
            # same document with different bytes: the same pages, in order, is what replays the case
            assert _page_texts(first) == _page_texts(again), kind
            assert len(_page_texts(first)) < len(_page_texts(pdf)), kind
        else:
            assert first == again, kind
        assert first != pdf, kind


def _page_texts(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def test_harness_counts_read_refused_crashed_and_hung_for_what_they_are(tmp_path):
    sources = [shared_document("qingyuan_rsj_2023_final.txt")]
    cases = plan(sources, 5, seed=1)
    report = run_fuzz(cases, seed=1, workers=2, timeout=3, reader="fuzz_readers:by_name")
    statuses = {o.case.number: o.status for o in report.outcomes}
    assert statuses[1] == "refused" and statuses[3] == "hung" and statuses[2] == statuses[4] == "crashed"
    assert statuses[0] in ("read", "refused")
    details = {o.case.number: o.detail for o in report.outcomes}
    assert "KeyError" in details[2] and "the worker process died" in details[4]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    shared = shared_documents_dir()
    sources = prepare_sources(tmp_path_factory.mktemp("fuzz-sources"), shared, generated_text=1, generated_pdf=1)
    return run_fuzz(plan(sources, SMALL_RUN, seed=2024), seed=2024, workers=2, timeout=20)


def test_small_fuzz_run_has_no_crash_and_no_hang(small_run):
    counts = small_run.counts()
    defects = [line for line in small_run.lines() if line.startswith(("  crashed", "  hung", "  fuzzer_error"))]
    assert counts["crashed"] == counts["hung"] == counts["fuzzer_error"] == 0, defects
    assert counts["read"] + counts["refused"] == SMALL_RUN
    assert counts["read"] >= 20 and counts["refused"] >= 20  # damage that still reads, and damage refused


def test_small_fuzz_run_uses_every_kind_of_damage_on_text_and_pdf(small_run):
    kinds = Counter((o.case.source.endswith(".pdf"), o.case.kind) for o in small_run.outcomes)
    assert {k for pdf, k in kinds if pdf} == set(PDF_DAMAGE)
    assert {k for pdf, k in kinds if not pdf} == set(TEXT_DAMAGE)
    assert all(o.detail for o in small_run.outcomes if o.status == "refused")  # every refusal has a reason


def test_a_pdf_with_a_page_pdfium_cannot_load_is_refused_with_its_page(tmp_path):
    """Found by the fuzz run: 4 KB cut out of the 社工部 PDF leaves page 16 unloadable; the
    reader crashed with PdfiumError before the guard, and now refuses the file naming the page."""
    from juesuan.extract import ExtractionError, extract_document

    data = shared_document("putuo_shegongbu_2024_final.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(damage_pdf(data, "delete_range", random.Random("juesuan-fuzz:0:120")))
    with pytest.raises(ExtractionError) as refused:
        extract_document(path)
    assert (refused.value.page, refused.value.reason) == (16, "not a readable PDF (Failed to load page.)")
