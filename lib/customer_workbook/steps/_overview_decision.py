"""Notebook 00 (the data overview): what the data decide before any step runs - which steps of the method the data
support, and what must be fixed in the data first (:func:`overview_decisions`).

What each step uses beyond the transactions (:data:`STEP_NEEDS`) is read off the steps' own skip notes and decision
unlock texts (``draft.skip`` in :mod:`~customer_workbook.steps.behaviour`, :mod:`~customer_workbook.steps.changes`,
:mod:`~customer_workbook.steps.strategy`, :mod:`~customer_workbook.steps.phases_plan`,
:mod:`~customer_workbook.steps.components`); whether the data have it is checked on the loaded data, and what to fix
comes from the loader's quality notes (:class:`~customer_workbook.data.load.QualityReport`). Nothing is valued: a
data decision involves no money.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..base.metrics import SEASONAL_MIN_WEEKS
from ..data import Dataset
from ..decisions import METHOD_STEPS, Decision
from ..value_unit import MONEY
from .decision import decision_section
from .section import Finding, Section

__all__ = ["AMOUNT", "HISTORY", "STEP_NEEDS", "Need", "data_fixes", "need_words", "overview_decision",
           "overview_decisions", "step_support"]

#: Pseudo-names of two needs that are not tables: money amounts in the transactions, and two years of history.
AMOUNT, HISTORY = "transactions.amount", "history"
EVIDENCE = "1. Which tables do we have?"


@dataclass(frozen=True)
class Need:
    """Something a step uses beyond the transactions: a table, a column (``table.column``), :data:`AMOUNT` or
    :data:`HISTORY`; ``gives``: what it gives the step, in words; ``decides``: without it the step's decision
    cannot be made (its Decision section says what would unlock it), otherwise only some sections are skipped."""

    name: str
    gives: str
    decides: bool = False


#: What each step of the method uses beyond the transactions.
STEP_NEEDS: dict[int, tuple[Need, ...]] = {
    1: (Need("surveys", "reasons to choose and the NPS, which the value proposition is built on", True),
        Need("engagement", "the advocacy pyramid"), Need("products", "multi-category retention")),
    2: (Need(HISTORY, f"at least {SEASONAL_MIN_WEEKS} weeks of history, to tell seasonal swings from real change"),
        Need("market", "market events that explain changes"), Need("customers", "the acquisition mix over time"),
        Need("transactions.channel", "the sales-channel shift")),
    3: (Need(AMOUNT, "what each order line was worth, so value can be set against spend", True),
        Need("marketing", "weekly spend per channel: response curves and the acquisition budget", True),
        Need("campaigns", "a randomised retention campaign: the value of a retention offer", True)),
    4: (Need("customers", "acquisition channels, which segment the pilot audiences"),
        Need("campaigns", "campaign evidence for each audience"),
        Need("transactions.product_id", "the most valuable product")),
    5: (Need("campaigns", "measured uplift: whom to win back and whom to leave alone"),
        Need("engagement", "advocacy badges and power users"), Need("products", "the product-line hierarchy"),
        Need("prospects", "non-customers"), Need("transactions.product_id", "next-best offers")),
}


def _has(ds: Dataset, name: str) -> bool:
    """Whether the data have ``name`` (a table, a ``table.column``, :data:`AMOUNT` or :data:`HISTORY`)."""
    if name == AMOUNT:
        return ds.value_unit == MONEY
    if name == HISTORY:
        dates = ds.transactions["date"]
        return len(dates) > 0 and (dates.max() - dates.min()).days >= 7 * SEASONAL_MIN_WEEKS
    table, _, column = name.partition(".")
    return ds.has(table) and (not column or column in ds.tables[table])


def step_support(ds: Dataset) -> dict[int, tuple[str, tuple[Need, ...]]]:
    """``{step: (support, missing needs)}``: support is ``"in full"`` (nothing missing), ``"in part"`` (some
    sections skipped) or ``"waits for data"`` (a need the step's decision rests on is missing)."""
    out = {}
    for step, needs in STEP_NEEDS.items():
        missing = tuple(n for n in needs if not _has(ds, n.name))
        support = "waits for data" if any(n.decides for n in missing) else "in part" if missing else "in full"
        out[step] = (support, missing)
    return out


def data_fixes(ds: Dataset) -> list[str]:
    """The loader's quality notes whose handling asks for a check (the loader kept the lines as they are, but they
    may be wrong in the export), in words: "transactions: exact duplicate lines (12 rows, 0.4%)"."""
    notes = [n for n in ds.quality.notes if "check" in str(n.get("handling", "")).lower()]
    return [f"{n['table']}: {n['issue']} ({n['rows']:,} rows, {n['share']:.1%})" for n in notes]


def _steps(numbers: list[int]) -> str:
    return f"step{'s' if len(numbers) > 1 else ''} {_and([str(s) for s in numbers])}"


def need_words(name: str) -> str:
    """A need in words: "the surveys table", "the channel column of transactions", "two years of history"."""
    if name == HISTORY:
        return f"{SEASONAL_MIN_WEEKS // 52} years of history"
    table, _, column = name.partition(".")
    return f"the {column.replace('_', ' ')} column of {table}" if column else f"the {table} table"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _coverage(ds: Dataset) -> Decision:
    support = step_support(ds)
    by = {level: [s for s, (sup, _) in support.items() if sup == level]
          for level in ("in full", "in part", "waits for data")}
    if not by["in part"] and not by["waits for data"]:
        return Decision(step=0, topic="Data for the method", evidence=EVIDENCE,
                        action="Run all five steps: the data support every step of the method in full")
    skipped = list(dict.fromkeys(need_words(n.name) for _, miss in support.values() for n in miss if not n.decides))
    parts = [f"{_steps(by['in full'])} in full" if by["in full"] else "",
             f"{_steps(by['in part'])} in part" if by["in part"] else "",
             (f"{_steps(by['waits for data'])} cannot reach "
              f"{'their decisions' if len(by['waits for data']) > 1 else 'its decision'}") if by["waits for data"] else "",
             f"without {_and(skipped)}, some sections are skipped or limited" if skipped else ""]
    unlock = "; ".join(f"{need_words(n.name)} for step {s} ({n.gives})" for s, (_, miss) in support.items()
                       for n in miss if n.decides)
    return Decision(step=0, topic="Data for the method", evidence=EVIDENCE, unlock=unlock,
                    action="Run the method on these data: " + "; ".join(p for p in parts if p))


def _fixes(ds: Dataset) -> Decision:
    fixes = data_fixes(ds)
    action = ("Nothing to fix first: the loader found no line to check" if not fixes else
              "Check these lines in the export and fix any that are errors before relying on the steps: "
              + "; ".join(fixes))
    return Decision(step=0, topic="Data to fix first", action=action, evidence="3. How clean is it?")


def overview_decisions(ds: Dataset) -> list[Decision]:
    """Notebook 00's decisions, not valued: which steps the data support (what would unlock each step whose
    decision waits for data) and what must be fixed in the data first."""
    return [_coverage(ds), _fixes(ds)]


def overview_decision(ds: Dataset) -> Section:
    """The Decision section of notebook 00 (:func:`overview_decisions`), recorded for the plan page with two
    findings the tests check it against: ``steps_supported`` (``{step: support}``) and ``data_fixes_first``."""
    section = decision_section(overview_decisions(ds), ds.value_unit)
    extra = (Finding("steps_supported", {str(s): sup for s, (sup, _) in step_support(ds).items()},
                     "Steps of the method the data support"),
             Finding("data_fixes_first", data_fixes(ds), "Data issues to check before relying on the steps"))
    return Section(section.parts, section.findings + extra, section.results)
