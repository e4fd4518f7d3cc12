"""Budget/final pairs for tests of the budget-against-final comparison (issue 11).

A pair is two generated documents of one department and one fiscal year: the final account
(部门决算) and the budget (部门预算). Each is a corpus document (juesuan_testkit.corpus) with
its own amounts, drawn independently, so the budget and the final differ everywhere and both
balance. The pair knows the exact amounts of both sides for the lines the corpus manifest
records, and so the exact row budget_vs_final must hold for each: budget, final, difference
and execution rate.

The budget is printed in the final template's form (same tables and headers): it stands for
what a budget reader produces, the same statements and measures with phase 'budget'. It can
print the department under a former name, to exercise department_aliases.

Deterministic: pair i of seed s depends only on (template, s, i). A plain library.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from juesuan_testkit.corpus import Template, load_template, render_document

# corpus manifest amount -> the row of budget_vs_final it is: (statement, row_key, measure)
MART_ROWS: dict[str, tuple[str, str, str]] = {
    "T1.income_total": ("T1", "本年收入合计", "income_amount"),
    "T1.expenditure_total": ("T1", "本年支出合计", "expenditure_amount"),
    "T1.grand_total": ("T1", "总计", "income_amount"),
    "T2.fiscal_appropriation_income": ("T2", "合计", "fiscal_appropriation_income"),
    "T4.grand_total": ("T4", "总计", "income_amount"),
    "T5.basic_expenditure": ("T5", "合计", "basic_expenditure"),
}
YUAN_PER_WAN = Decimal(10_000)


@dataclass
class Pair:
    department_name: str
    fiscal_year: int
    budget_printed_name: str  # the name the budget prints (a former name, or the same)
    final_text: str
    budget_text: str
    final_unit: str
    budget_unit: str
    # manifest amount name -> (budget, final), both in 万元, exact
    truth: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def expected_rows(self) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
        """(statement, row_key, measure) -> (budget amount, final amount) in 万元."""
        return {MART_ROWS[name]: amounts for name, amounts in self.truth.items()}


def former_name(department: str) -> str:
    """A plausible earlier name of a department (机构改革): 某某局 -> 某某管理局."""
    return f"{department[:-1]}管理{department[-1]}"


def _wan(yuan_text: str) -> Decimal:
    return Decimal(yuan_text) / YUAN_PER_WAN


def _reprint(text: str, department: str, year: int, as_department: str, as_year: int) -> str:
    """The text of a generated document, printed for another department and fiscal year."""
    return text.replace(department, as_department).replace(f"{year}年", f"{as_year}年")


def render_pair(template: Template, seed: int, index: int, renamed: bool = False) -> Pair:
    final_text, final = render_document(template, seed, index)
    # the budget's amounts come from another stream of the same generator
    budget_text, budget = render_document(template, f"{seed}-budget", index)
    printed = former_name(final["department_name"]) if renamed else final["department_name"]
    budget_text = _reprint(budget_text, budget["department_name"], budget["fiscal_year"],
                           printed, final["fiscal_year"])
    truth = {name: (_wan(budget["amounts_yuan"][name]), _wan(final["amounts_yuan"][name])) for name in MART_ROWS}
    return Pair(
        department_name=final["department_name"], fiscal_year=final["fiscal_year"], budget_printed_name=printed,
        final_text=final_text, budget_text=budget_text, final_unit=final["unit"], budget_unit=budget["unit"],
        truth=truth,
    )


def generate_pairs(template: str | Path, out_dir: str | Path, n: int, seed: int = 0,
                   renamed_every: int = 3) -> list[tuple[Path, Path, Pair]]:
    """Write n pairs (pair_s<seed>_<i>_final.txt, pair_s<seed>_<i>_budget.txt) and pairs.jsonl.

    Every `renamed_every`-th pair prints its budget under the department's former name.
    """
    model = load_template(template)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, entries = [], []
    for index in range(n):
        pair = render_pair(model, seed, index, renamed=bool(renamed_every) and index % renamed_every == renamed_every - 1)
        final_path = out_dir / f"pair_s{seed}_{index:04d}_final.txt"
        budget_path = out_dir / f"pair_s{seed}_{index:04d}_budget.txt"
        final_path.write_bytes(pair.final_text.encode("utf-8"))
        budget_path.write_bytes(pair.budget_text.encode("utf-8"))
        entries.append(json.dumps({
            "final": final_path.name, "budget": budget_path.name, "department_name": pair.department_name,
            "budget_printed_name": pair.budget_printed_name, "fiscal_year": pair.fiscal_year,
            "truth": {name: [str(b), str(f)] for name, (b, f) in pair.truth.items()},
        }, ensure_ascii=False, sort_keys=True))
        written.append((final_path, budget_path, pair))
    (out_dir / "pairs.jsonl").write_text("\n".join(entries) + "\n", encoding="utf-8")
    return written
