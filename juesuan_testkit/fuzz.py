"""Fuzz run: damaged documents through the reader; each is read, refused with a reason, or a defect.

Sources are the shared development documents (text and PDF) and generated ones (corpus text
documents and zoo PDFs). Each case damages one source in one way, chosen by (seed, case number):

- text: lines deleted, lines swapped, columns shifted (a tab added or removed), figures garbled,
  bytes flipped, the file truncated;
- PDF: bytes flipped, the file cut short, a byte range deleted, pages dropped (a valid PDF
  missing some pages), figures garbled in the text of an uncompressed content stream.

Each case runs in a pool of worker processes with a per-document timeout. Outcomes:
``read`` (cells came out), ``refused`` (ExtractionError, with its reason), ``crashed`` (any
other exception, or the worker died) and ``hung`` (the timeout passed; the worker is killed and
replaced). The target is 0 crashed and 0 hung.

    python -m juesuan_testkit.fuzz -n 10000 --seed 0 --workers 2 --timeout 20

A plain library (no Dagster, no dbt). Deterministic: case i of seed s is the same damage of the
same source whatever the number of workers.
"""
from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SHARED_DOCUMENTS = Path(os.environ.get("JUESUAN_SHARED_DOCUMENTS",
                                       Path(__file__).resolve().parents[2] / "shared" / "documents"))
TEXT_DAMAGE = ("delete_lines", "swap_lines", "shift_columns", "garble_figures", "flip_bytes", "truncate")
PDF_DAMAGE = ("flip_bytes", "truncate", "delete_range", "drop_pages", "garble_figures")
FIGURE = re.compile(rb"\d[\d,]*\.\d\d")
PDF_ID = re.compile(rb"(?<=/ID\[<)[0-9A-F]+|(?<=><)[0-9A-F]+(?=>\])")


# ------------------------------------------------------------------------------------ sources

def prepare_sources(work: Path, shared: Path = SHARED_DOCUMENTS, generated_text: int = 3,
                    generated_pdf: int = 2, seed: int = 0) -> list[Path]:
    """The undamaged documents: every shared .txt/.pdf, plus generated text documents and zoo
    PDFs (generated here, deterministically, so the run does not depend on earlier runs)."""
    from .corpus import generate_corpus, load_template
    from .zoo import LAYOUTS, build_document, render_pdf

    sources = sorted(p for p in shared.iterdir() if p.suffix.lower() in (".txt", ".pdf"))
    template_path = shared / "qingyuan_rsj_2023_final.txt"
    if template_path.exists() and (generated_text or generated_pdf):
        generated = work / "generated"
        sources += generate_corpus(template_path, generated, generated_text, seed)
        template = load_template(template_path)
        names = ["everything_unruled", "ruled", "codes3_ruled", "broken_repeat"]
        for index in range(generated_pdf):
            layout = LAYOUTS[names[index % len(names)]]
            document = build_document(template, layout, seed, index)
            path = generated / f"{document.name}.pdf"
            render_pdf(document, layout, path)
            sources.append(path)
    return sources


# ------------------------------------------------------------------------------------ damage

def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def damage_text(data: bytes, kind: str, rng: random.Random) -> bytes:
    lines = _lines(data)
    if kind == "delete_lines":
        for _ in range(rng.randint(1, 20)):
            if len(lines) > 1:
                del lines[rng.randrange(len(lines))]
    elif kind == "swap_lines":
        for _ in range(rng.randint(1, 10)):
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
    elif kind == "shift_columns":
        tabbed = [i for i, line in enumerate(lines) if b"\t" in line] or [0]
        for _ in range(rng.randint(1, 10)):
            i = rng.choice(tabbed)
            line = lines[i]
            if rng.random() < 0.5 and b"\t" in line:
                cut = line.index(b"\t", rng.randrange(line.index(b"\t") + 1))
                lines[i] = line[:cut] + line[cut + 1:]
            else:
                at = rng.randrange(len(line) + 1)
                lines[i] = line[:at] + b"\t" + line[at:]
    elif kind == "garble_figures":
        return _garble_figures(data, rng)
    elif kind == "flip_bytes":
        return _flip_bytes(data, rng)
    elif kind == "truncate":
        return data[:rng.randrange(len(data) + 1)]
    return b"\n".join(lines)


def _garble_figures(data: bytes, rng: random.Random) -> bytes:
    figures = list(FIGURE.finditer(data))
    if not figures:
        return _flip_bytes(data, rng)
    out = bytearray(data)
    for match in rng.sample(figures, min(len(figures), rng.randint(1, 15))):
        start, end = match.span()
        position = rng.randrange(start, end)
        out[position] = rng.choice(b"0123456789,.-x O")
    return bytes(out)


def _flip_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 64)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def damage_pdf(data: bytes, kind: str, rng: random.Random) -> bytes:
    if kind == "flip_bytes":
        return _flip_bytes(data, rng)
    if kind == "truncate":
        return data[:rng.randrange(len(data) + 1)]
    if kind == "delete_range":
        start = rng.randrange(len(data) + 1)
        return data[:start] + data[start + rng.randint(1, 4096):]
    if kind == "drop_pages":
        return _drop_pages(data, rng)
    return _garble_figures(data, rng)  # figures in uncompressed streams; elsewhere bytes flipped


def _drop_pages(data: bytes, rng: random.Random) -> bytes:
    """A valid PDF with some pages left out (a table's continuation, a title page)."""
    import io

    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(data)
    try:
        count = len(source)
        keep = sorted(rng.sample(range(count), max(1, count - rng.randint(1, max(1, count // 3)))))
        target = pdfium.PdfDocument.new()
        target.import_pages(source, keep)
        buffer = io.BytesIO()
        target.save(buffer)
        target.close()
        # PDFium writes a fresh random /ID each time; a fixed one keeps the case reproducible
        return PDF_ID.sub(lambda m: b"0" * len(m.group(0)), buffer.getvalue())
    finally:
        source.close()


@dataclass(frozen=True)
class Case:
    number: int
    source: str
    kind: str


def plan(sources: list[Path], n: int, seed: int) -> list[Case]:
    """n cases: source and damage chosen per case number, so the plan does not depend on workers."""
    cases = []
    for number in range(n):
        rng = random.Random(f"juesuan-fuzz-plan:{seed}:{number}")
        source = sources[number % len(sources)]
        kinds = PDF_DAMAGE if source.suffix.lower() == ".pdf" else TEXT_DAMAGE
        cases.append(Case(number, str(source), rng.choice(kinds)))
    return cases


# ------------------------------------------------------------------------------------ running

@dataclass
class Outcome:
    case: Case
    status: str  # read | refused | crashed | hung | fuzzer_error (the damage itself failed)
    detail: str = ""
    cells: int = 0


DEFAULT_READER = "juesuan.extract:extract_document"


def _load_reader(name: str):
    import importlib

    module, function = name.split(":")
    return getattr(importlib.import_module(module), function)


def run_case(case: Case, seed: int, work: Path, cache: dict[str, bytes], reader: str = DEFAULT_READER) -> Outcome:
    """Damage one source and read it (in a worker) with `reader` ("module:function")."""
    from juesuan.extract import ExtractionError

    extract_document = _load_reader(reader)

    data = cache.get(case.source)
    if data is None:
        data = cache[case.source] = Path(case.source).read_bytes()
    rng = random.Random(f"juesuan-fuzz:{seed}:{case.number}")
    suffix = Path(case.source).suffix.lower()
    try:
        damaged = damage_pdf(data, case.kind, rng) if suffix == ".pdf" else damage_text(data, case.kind, rng)
    except Exception as error:  # noqa: BLE001 - a defect of the fuzzer, not of the reader: kept apart
        return Outcome(case, "fuzzer_error", f"{type(error).__name__}: {error}")
    path = work / f"fuzz_{case.number:06d}{suffix}"
    path.write_bytes(damaged)
    try:
        document = extract_document(path)
    except ExtractionError as error:
        return Outcome(case, "refused", _reason_kind(error.reason))
    except Exception as error:  # noqa: BLE001 - any other exception is the defect being counted
        last = traceback.extract_tb(error.__traceback__)[-1]
        where = f"{Path(last.filename).name}:{last.lineno}"
        return Outcome(case, "crashed", f"{type(error).__name__} at {where}: {str(error)[:160]}")
    finally:
        path.unlink(missing_ok=True)
    return Outcome(case, "read", cells=len(document.cells))


def _reason_kind(reason: str) -> str:
    """A refusal's reason without its particulars (numbers, quoted text), for counting."""
    reason = re.sub(r"'[^']*'", "'…'", reason)
    reason = re.sub(r"\([^)]*\)", "(…)", reason)
    return re.sub(r"\d+", "N", reason)[:120]


_SOURCES: dict[str, bytes] = {}  # per worker process: each source is read once


def _run_case_in_worker(case: Case, seed: int, work: str, reader: str) -> Outcome:
    return run_case(case, seed, Path(work), _SOURCES, reader)


@dataclass
class FuzzReport:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> Counter:
        return Counter(o.status for o in self.outcomes)

    def lines(self) -> list[str]:
        counts = self.counts()
        total = len(self.outcomes)
        out = [f"cases: {total} in {self.seconds:.0f} s; read {counts['read']}, refused {counts['refused']}, "
               f"crashed {counts['crashed']}, hung {counts['hung']}, fuzzer errors {counts['fuzzer_error']}"]
        by_kind = Counter((Path(o.case.source).suffix, o.case.kind, o.status) for o in self.outcomes)
        out.append("by damage: " + ", ".join(f"{s}{k} {st} {n}" for (s, k, st), n in sorted(by_kind.items())))
        reasons = Counter(o.detail for o in self.outcomes if o.status == "refused")
        out += [f"  refused ({n}): {reason}" for reason, n in reasons.most_common(12)]
        for outcome in self.outcomes:
            if outcome.status in ("crashed", "hung", "fuzzer_error"):
                out.append(f"  {outcome.status}: case {outcome.case.number} {Path(outcome.case.source).name} "
                           f"{outcome.case.kind}: {outcome.detail}")
        return out


def run_fuzz(cases: list[Case], seed: int, workers: int = 2, timeout: float = 20.0,
             reader: str = DEFAULT_READER, progress=None, every: int = 500) -> FuzzReport:
    """Every case through the reader in `workers` processes; a case past `timeout` s is hung.
    `progress` (a text stream) gets the running counts every `every` cases: a long run that is
    stopped still says how far it went."""
    from juesuan.workers import Lost, run_in_workers

    report = FuzzReport()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="juesuan-fuzz-") as work:
        run = functools.partial(_run_case_in_worker, seed=seed, work=work, reader=reader)
        for case, outcome in run_in_workers(cases, run, workers, timeout, multiprocessing.get_context("spawn")):
            if isinstance(outcome, Lost):
                outcome = Outcome(case, outcome.how, outcome.detail)
            report.outcomes.append(outcome)
            if progress is not None and len(report.outcomes) % every == 0:
                counts = report.counts()
                print(f"… {len(report.outcomes)} cases in {time.perf_counter() - started:.0f} s: "
                      + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=progress, flush=True)
    report.outcomes.sort(key=lambda o: o.case.number)
    report.seconds = time.perf_counter() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m juesuan_testkit.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="damaged documents (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per document before it is hung")
    parser.add_argument("--shared", type=Path, default=SHARED_DOCUMENTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="juesuan-fuzz-sources-") as work:
        sources = prepare_sources(Path(work), args.shared, seed=args.seed)
        report = run_fuzz(plan(sources, args.n, args.seed), args.seed, args.workers, args.timeout,
                          progress=sys.stderr)
    print(f"sources: {len(sources)} ({', '.join(p.name for p in sources)})")
    print("\n".join(report.lines()))
    counts = report.counts()
    return 0 if counts["crashed"] == counts["hung"] == counts["fuzzer_error"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
