"""Every printed cell of the real document, misprinted by +1.00, is caught by an identity.

One mutated copy per cell (1,185), each through extraction, raw tables and the dbt identity
models, in one `juesuan build` of 1,186 documents. Figures are in BENCHMARKS.md.
"""
from __future__ import annotations

from juesuan_testkit.mutations import run_study


def test_every_covered_misprint_is_detected_and_localized(tmp_path, qingyuan_path, capsys):
    report = run_study(qingyuan_path, tmp_path, report=lambda _: None)
    with capsys.disabled():
        print("\n" + "\n".join(report.lines()))
    assert report.mutations == 1185
    assert report.uncovered == []
    assert report.covered == 1185
    assert report.undetected == [] and report.detected_covered == report.covered
    # the changed cell is always among the first-ranked suspects, alone in most cases
    assert report.named_first_tied == report.mutations
    assert report.named_first_alone >= 0.9 * report.mutations
