"""Notebook 03's persona section says how many customers the personas describe, of how many, and that the rest
have too few orders (segments.profiles.persona_coverage warns when the personas describe a minority)."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from customer_workbook.data import load_dataset
from customer_workbook.segments import UNASSIGNED
from customer_workbook.steps import strategy
from customer_workbook.steps.strategy import _coverage_sentence


def _personas(described: int, unassigned: int) -> SimpleNamespace:
    return SimpleNamespace(clustered=pd.Series(1, index=range(described)), min_orders=2,
                           counts=lambda: {"a": described, UNASSIGNED: unassigned})


def test_the_coverage_clause_counts_the_described_and_the_unassigned_customers():
    sample = _coverage_sentence(_personas(17_210, 2_275))
    assert sample == ("The personas describe **17,210 of the 19,485 customers**, those with at least 2 orders; "
                      "the other 2,275 have fewer and stay unassigned.")
    hillstrom = _coverage_sentence(_personas(578, 63_422))
    assert hillstrom.startswith("The personas describe **578 of the 64,000 customers**, those with at least 2 "
                                "orders; they are only 0.9% of the 64,000 customers")
    assert hillstrom.endswith("; the other 63,422 have fewer and stay unassigned.")
    assert _coverage_sentence(_personas(50, 0)) == "The personas describe all 50 customers (each has at least 2 orders)."


def test_persona_worth_states_the_coverage_of_the_runs_personas(small_sample):
    ds = load_dataset(small_sample)
    section = strategy.persona_worth(ds, ds.customers.iloc[:0], None, 0.35, 0.1, 5, n_boot=2, min_acquired=1)
    counts = section.value("persona_counts")
    described = sum(n for name, n in counts.items() if name != UNASSIGNED)
    text = " ".join(p for p in section.parts if isinstance(p, str))
    assert (f"The personas describe **{described:,} of the {described + counts[UNASSIGNED]:,} customers**, those "
            f"with at least 2 orders; the other {counts[UNASSIGNED]:,} have fewer and stay unassigned.") in text
