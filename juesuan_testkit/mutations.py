"""Mutation study: does every misprinted cell make an identity fail, and is it named first?

For every printed numeric cell of a text document, a copy of the document is written with
that one value raised by 1.00; all copies go through the real path (extraction, raw tables,
dbt build with the identity models, Great Expectations) in one build, and the warehouse says
which copies were quarantined and which cell each one suspects first.

    python -m juesuan_testkit.mutations ../shared/documents/qingyuan_rsj_2023_final.txt
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from juesuan.extract import RawCell, extract_document
from juesuan.paths import PROJECT_ROOT



@dataclass
class Mutation:
    document_id: str
    cell: RawCell
    printed: str
    mutated: str


@dataclass
class MutationReport:
    mutations: int
    covered: int
    detected: int
    detected_covered: int
    named_first_alone: int
    named_first_tied: int
    uncovered: list[str] = field(default_factory=list)
    undetected: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        rate = lambda n, d: f"{n}/{d} ({100 * n / d:.1f}%)" if d else "0/0"
        return [
            f"mutations (one printed cell +1.00 each): {self.mutations}",
            f"cells covered by at least one identity: {self.covered}",
            f"detection (a failed identity): {rate(self.detected, self.mutations)}; "
            f"of covered cells {rate(self.detected_covered, self.covered)}",
            f"localization (the changed cell ranked first, alone): {rate(self.named_first_alone, self.mutations)}",
            f"localization (the changed cell among the first-ranked, ties included): "
            f"{rate(self.named_first_tied, self.mutations)}",
            f"uncovered cells: {', '.join(self.uncovered) if self.uncovered else 'none'}",
            f"undetected mutations: {', '.join(self.undetected) if self.undetected else 'none'}",
            f"wall time: {self.seconds:.0f} s",
        ]


def format_like(printed: str, value: Decimal) -> str:
    """The value written the way the document writes amounts (thousands separators or not)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    text = f"{value:,.{decimals}f}" if "," in printed or abs(value) >= 1000 and "," in printed else f"{value:.{decimals}f}"
    return text


def mutate_line(line: str, occurrence: int, printed: str, mutated: str) -> str:
    cells = line.split("\t")
    seen = -1
    for index, cell in enumerate(cells):
        if cell.strip() == printed:
            seen += 1
            if seen == occurrence:
                cells[index] = cell.replace(printed, mutated)
                return "\t".join(cells)
    raise ValueError(f"occurrence {occurrence} of {printed} not found in line")


def write_mutants(source: Path, out_dir: Path) -> list[Mutation]:
    """One copy of the document per printed cell, that cell raised by 1.00. Each copy names its own
    department, so the warehouse counts every copy (a department-year is counted once)."""
    original = extract_document(source)
    department = original.meta.department_name
    lines = source.read_text(encoding="utf-8").split("\n")
    occurrences: Counter = Counter()
    mutations = []
    for number, cell in enumerate(original.cells):
        key = (cell.source_line, cell.amount_text)
        occurrence = occurrences[key]
        occurrences[key] += 1
        mutated = format_like(cell.amount_text, Decimal(cell.amount) + 1)
        copy = list(lines)
        copy[cell.source_line - 1] = mutate_line(copy[cell.source_line - 1], occurrence, cell.amount_text, mutated)
        document_id = f"mutant_{number:04d}"
        text = "\n".join(copy).replace(department, f"{department}（变异{number:04d}）")
        (out_dir / f"{document_id}.txt").write_text(text, encoding="utf-8")
        mutations.append(Mutation(document_id, cell, cell.amount_text, mutated))
    return mutations


def run_study(source: Path, workdir: Path, report=print) -> MutationReport:
    """Every mutated copy and the original in one inbox, through `juesuan build`'s graph."""
    from orchestration.run import build

    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    inbox = workdir / "inbox"
    inbox.mkdir(exist_ok=True)
    mutations = write_mutants(source, inbox)
    original_id = "original"
    shutil.copy(source, inbox / f"{original_id}.txt")
    warehouse = workdir / "mutations.duckdb"
    outcome = build([inbox], warehouse, report=lambda _line: None, echo=False)
    if not outcome.published:
        raise RuntimeError(f"the mutation build was not published: {outcome.error}")
    report(f"mutation build: {len(mutations)} copies, {time.monotonic() - started:.0f} s")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        changed = con.execute("""
            select document_key, count(*) from intermediate.int_cells__measured group by 1""").fetchall()
        if any(count != len(extract_document(source).cells) for _, count in changed):
            raise AssertionError("a mutated copy did not keep every cell")
        covered_cells = set(con.execute("""
            select distinct statement, row_key, measure from intermediate.int_identity_terms
            where document_key = ? and amount is not null""", [original_id]).fetchall())
        keys = con.execute("""
            select statement, source_line, column_header, row_label, row_key, measure
            from intermediate.int_cells__measured where document_key = ?""", [original_id]).fetchall()
        cell_keys = {(s, line, header, label): (s, row, measure) for s, line, header, label, row, measure in keys}
        quarantined = {r[0] for r in con.execute(
            "select document_key from marts.dim_document where status = 'quarantined'").fetchall()}
        named: dict[str, list] = {}
        for document, statement, row_key, measure, tied in con.execute("""
                select document_key, statement, row_key, measure, count(*) over (partition by document_key)
                from marts.suspect_cells where suspect_rank = 1""").fetchall():
            named.setdefault(document, []).append(((statement, row_key, measure), tied))
    key_of = lambda m: cell_keys[(m.cell.statement, m.cell.source_line, m.cell.column_header, m.cell.row_label)]
    label = lambda m: f"{m.cell.statement} {key_of(m)[1]} {key_of(m)[2]} (line {m.cell.source_line})"
    covered = [m for m in mutations if key_of(m) in covered_cells]
    detected = [m for m in mutations if m.document_id in quarantined]
    alone = [m for m in detected if any(k == key_of(m) and t == 1 for k, t in named.get(m.document_id, []))]
    tied = [m for m in detected if any(k == key_of(m) for k, _ in named.get(m.document_id, []))]
    return MutationReport(
        mutations=len(mutations), covered=len(covered), detected=len(detected),
        detected_covered=len([m for m in covered if m.document_id in quarantined]),
        named_first_alone=len(alone), named_first_tied=len(tied),
        uncovered=[label(m) for m in mutations if key_of(m) not in covered_cells],
        undetected=[label(m) for m in covered if m.document_id not in quarantined],
        seconds=time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", type=Path)
    parser.add_argument("--workdir", type=Path, default=PROJECT_ROOT / "build" / "mutations")
    args = parser.parse_args(argv)
    shutil.rmtree(args.workdir, ignore_errors=True)
    result = run_study(args.document, args.workdir)
    print("\n".join(result.lines()))
    return 0 if result.detected_covered == result.covered else 1


if __name__ == "__main__":
    sys.exit(main())
