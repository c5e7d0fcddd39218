"""P(alive) on the sample company against the planted truth (``alive_at_end`` of truth_customers.parquet).

Issue 16 wants the mean P(alive) of every dormancy group within 5 percentage points of the true share alive.
Measured (data/sample as committed): BG/NBD alone +4.1 / +10.2 / +12.6 / +23.1 pp (active, half_sleepy, sleepy,
sleeping); with the held-out model choice (MBG/NBD chosen) +3.1 / +5.2 / +1.6 / +5.3 pp.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from customer_workbook import clv, data
from customer_workbook.retention.winback import DORMANCY_ORDER, dormancy_groups

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample"


def _gaps(models) -> pd.Series:
    """Mean P(alive) minus true share alive per dormancy group (percentage points)."""
    ds = data.load_dataset(SAMPLE)
    truth = pd.read_parquet(SAMPLE / "truth_customers.parquet").set_index("customer_id")["alive_at_end"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scored = clv.score_customers(ds.transactions, models=models)
    table = scored.table
    group = dormancy_groups(table).group
    frame = pd.DataFrame({"p": table["p_alive"], "alive": truth.reindex(table.index).astype(float), "g": group})
    means = frame.groupby("g", observed=True)[["p", "alive"]].mean()
    return (100 * (means["p"] - means["alive"])).reindex(list(DORMANCY_ORDER))


@pytest.fixture(scope="module")
def gaps():
    return _gaps(clv.selection.DEFAULT_MODELS), _gaps(("BG/NBD",))


def test_model_choice_brings_every_dormancy_group_closer_to_the_truth(gaps):
    after, before = gaps
    assert before["sleeping"] > 20                                # one-time buyers at P(alive) 1
    assert (after.abs() < before.abs()).all()
    assert after.abs().max() < 6


@pytest.mark.xfail(strict=True, reason="issue 16 target not met: half_sleepy +5.2 pp, sleeping +5.3 pp (MBG/NBD)")
def test_every_dormancy_group_within_5_points_of_the_truth(gaps):
    after, _ = gaps
    assert after.abs().max() <= 5
