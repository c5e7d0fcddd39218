"""Notebook 03 §4's sentence on which segments' uplift is measured (customer_workbook.steps._strategy_campaign)."""
from __future__ import annotations

import pandas as pd

from customer_workbook.steps._strategy_campaign import _measured_sentence


def _uplift(groups, uplift, p_holm):
    return pd.DataFrame({"group": ["all", *groups], "uplift": [0.005, *uplift], "p_holm": [1e-12, *p_holm]})


def test_when_every_segment_is_measured_no_other_segment_is_said_to_be_within_chance():
    """Hillstrom: both segments (lapsing +0.5 pp, recent +0.5 pp) are measured: there are no others."""
    up = _uplift(["lapsing", "recent"], [0.005, 0.005], [1e-8, 4e-5])
    text = _measured_sentence(up, up.iloc[1:], up.iloc[:0])
    assert "lifts both segments: **lapsing** (+0.5 pp) and **recent** (+0.5 pp)." in text
    assert "other" not in text


def test_the_segments_within_chance_are_counted():
    up = _uplift(["a", "b", "c", "d"], [0.05, -0.04, 0.001, 0.002], [1e-4, 1e-3, 0.8, 0.9])
    text = _measured_sentence(up, up.iloc[[1]], up.iloc[[2]])
    assert "lifts **a** (+5.0 pp) and pushes away **b** (-4.0 pp); the other 2 segments' uplifts are within chance." in text
    one = _measured_sentence(up.iloc[:4], up.iloc[[1]], up.iloc[[2]])
    assert "; the other segment's uplift is within chance." in one
