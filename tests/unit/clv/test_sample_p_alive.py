"""P(alive) on the sample company against the planted truth (``alive_at_end`` of truth_customers.parquet).

Issue 16 wants the mean P(alive) of every dormancy group within 5 percentage points of the true share alive.
Measured on data/sample as committed (generated with the warm-up, so the initial base is a survivor population):
BG/NBD alone +4.5 / +12.1 / +14.9 / +19.8 pp (active, half_sleepy, sleepy, sleeping); with the held-out model
choice (MBG/NBD chosen) +4.1 / +9.5 / +7.2 / +7.7 pp.

The remaining gap is the generator's dropout, which no model of the BG family represents: a customer's chance of
leaving after an order falls once they buy in a second category (hazard ratio 0.6), so new customers leave faster
early in life than a constant per-customer dropout allows, and the survivors of the warm-up (mostly multi-category
buyers) pull the fitted dropout down for everyone; the delivery slowdown and the competitor's price cut raise
dropout in the last seven months. Measured remedies, not yet in the scorer: fitting the customers acquired before
and during the window separately gives +3.4 / +7.5 / +4.4 / +6.9 pp; fitting separately by that and by whether the
customer has bought in two or more categories gives +1.0 / +3.7 / +0.4 / +5.2 pp (model choice in each stratum).

The held-out check shows the other half of the gap on data alone: fitted on the history before its last 52 weeks,
MBG/NBD predicts 68,186 repeat purchases in them against 58,537 actual (+16.5%; the sentence of the fit report now
says so). Split by whether the customer's history starts in the data, the two fits still over-predict by 18% (those
acquired in the window) and 14% (the base): the dropout planted in the last seven months is a change in behaviour,
and no stationary model can know of it from the history before it.

Pareto/NBD, whose customers can leave between purchases, comes within 5 pp: +5.0 / +4.9 / -0.4 / +0.9. It is not
chosen, and the held-out data cannot tell it apart: mean absolute error of held-out purchases MBG/NBD 2.134 against
2.146; Brier score of "buys again in the held-out weeks" Pareto/NBD 0.1384 against 0.1389, log loss MBG/NBD 0.4332
against 0.4334. Choosing it here would be choosing by the truth.
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
    assert before["sleeping"] > 2 * after["sleeping"]             # BG/NBD: one-time buyers at P(alive) 1
    assert (after.abs() < before.abs()).all()
    assert after.abs().max() < 10                                 # measured 9.5 pp (half_sleepy): do not regress


@pytest.mark.xfail(strict=True, reason="issue 16 target not met: half_sleepy +9.5, sleepy +7.2, sleeping +7.7 pp "
                                       "(MBG/NBD): dropout that falls with a second category, see the module docstring")
def test_every_dormancy_group_within_5_points_of_the_truth(gaps):
    after, _ = gaps
    assert after.abs().max() <= 5
