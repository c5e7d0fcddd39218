"""Unit tests of notebook 05's claims of a winner (customer_workbook.steps.components): the most valuable
acquisition channel and the first need of a non-customer group are named only when the data separate them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from customer_workbook.steps import components


def test_segment_leader_with_and_without_a_difference():
    rng = np.random.default_rng(0)
    ids = pd.Index([f"c{i}" for i in range(3000)], name="customer_id")
    segments = pd.Series(np.repeat(["social", "tv", "search"], 1000), index=ids)
    equal = pd.Series(rng.gamma(1.0, 110.0, 3000), index=ids)           # the null company: one distribution
    assert not components._segment_leader(equal, segments).clear
    richer = equal * np.where(segments == "social", 1.6, 1.0)
    assert components._segment_leader(richer, segments).best == "social"


def test_plan_needs_lead_with_the_tied_needs():
    needs = pd.DataFrame({"segment": ["prospective", "unexplored"], "top_need": ["pricing", "speed"],
                          "second_need": ["location", "pricing"], "top_need_clear": [False, True],
                          "tied_needs": ["pricing, location", "speed"], "top_need_share": [0.27, 0.3],
                          "prospects": [231, 159]})
    plan = components._plan_needs(needs).set_index("segment")
    assert plan.loc["prospective", "top_need"] == "one of pricing / location"
    assert plan.loc["unexplored", "top_need"] == "speed" and plan.loc["unexplored", "second_need"] == "pricing"
    assert "no clear first need" in components._need_words(needs.iloc[0])
    assert "first need speed" in components._need_words(needs.iloc[1])
