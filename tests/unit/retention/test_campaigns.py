"""Unit tests of the randomised retention campaign (customer_workbook.retention.campaigns)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.acquisition import AcquisitionCost
from customer_workbook.retention import campaign_uplift, cost_comparison, retention_value_by_group
from customer_workbook.stats import two_proportion_uplift


def test_campaign_uplift_known_rates():
    seg = pd.DataFrame({"treated": [True] * 100 + [False] * 100, "outcome": [1] * 40 + [0] * 60 + [1] * 20 + [0] * 80,
                        "segment": ["s"] * 200})
    up = campaign_uplift(seg)
    assert list(up["group"]) == ["all", "s"]
    assert up.iloc[0]["uplift"] == pytest.approx(0.2)
    se = np.sqrt(0.4 * 0.6 / 100 + 0.2 * 0.8 / 100)
    assert up.iloc[0]["uplift_high"] - up.iloc[0]["uplift"] == pytest.approx(1.6448536 * se, rel=1e-6)


def test_campaign_uplift_is_the_stats_uplift_per_segment_and_skips_empty_arms():
    rng = np.random.default_rng(0)
    seg = pd.DataFrame({"treated": rng.random(400) < 0.5, "outcome": (rng.random(400) < 0.3).astype(int),
                        "segment": np.repeat(["x", "y"], 200)})
    seg.loc[seg["segment"] == "y", "treated"] = True          # y has no control group: no uplift for it
    up = campaign_uplift(seg, alpha=0.05).set_index("group")
    assert list(up.index) == ["all", "x"]
    x = seg[seg["segment"] == "x"]
    u = two_proportion_uplift(x["outcome"], x["treated"], level=0.95)
    assert (up.loc["x", "uplift"], up.loc["x", "uplift_low"], up.loc["x", "p_value"]) == pytest.approx(
        (u.uplift, u.low, u.p_value))


def test_retention_value_by_group_means_and_all():
    seg = pd.DataFrame({"customer_id": ["1", "2", "3"], "segment": ["a", "a", "b"]})
    out = retention_value_by_group(seg, pd.Series({"1": 10.0, "2": 30.0, "3": 50.0}))
    assert out == pytest.approx({"a": 20.0, "b": 50.0, "all": 30.0})


def test_cost_comparison_by_hand():
    cac = pd.DataFrame({"channel": ["a", "b"], "spend": [1000.0, 3000.0], "new_customers": [10, 10]})
    costs = AcquisitionCost(cac, {})
    up = pd.DataFrame({"group": ["all", "x", "y"], "uplift": [0.05, 0.25, -0.1], "p_holm": [0.2, 0.001, 0.01]})
    out = cost_comparison(costs, up, cost_per_contact=5.0)
    assert out.blended_cac == pytest.approx(200.0)
    assert out.retention_cost == pytest.approx(20.0) and out.segment == "x"
    assert out.ratio == pytest.approx(10.0)
    assert cost_comparison(costs, up.assign(uplift=-0.1), 5.0) is None
