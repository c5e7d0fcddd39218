"""Unit tests of the randomised retention campaign (customer_workbook.retention.campaigns)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.acquisition import AcquisitionCost
from customer_workbook.retention import campaign_uplift, cost_comparison, retention_value_by_group
from customer_workbook.retention.campaigns import measured_segments
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


def _campaign(uplifts: dict[str, float], n: int = 800, base: float = 0.3, seed: int = 0) -> pd.DataFrame:
    """A randomised campaign: ``n`` customers per segment, half treated, buying at ``base`` plus the segment's uplift."""
    rng = np.random.default_rng(seed)
    parts = []
    for name, u in uplifts.items():
        treated = rng.random(n) < 0.5
        parts.append(pd.DataFrame({"segment": name, "treated": treated,
                                   "outcome": (rng.random(n) < base + u * treated).astype(int)}))
    return pd.concat(parts, ignore_index=True)


def test_uplift_is_measured_only_beyond_chance_after_holm():
    up = campaign_uplift(_campaign({"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0}))
    assert np.all(up["p_holm"] >= up["p_value"] - 1e-12)               # Holm never makes a segment more significant
    assert measured_segments(up).empty and measured_segments(up, sign=-1).empty
    assert up.loc[up["group"] == "all", "p_holm"].item() == up.loc[up["group"] == "all", "p_value"].item()
    effect = campaign_uplift(_campaign({"gain": 0.15, "harm": -0.15, "none": 0.0}))
    assert list(measured_segments(effect)["group"]) == ["gain"]
    assert list(measured_segments(effect, sign=-1)["group"]) == ["harm"]
    assert effect.set_index("group").loc["gain", "se"] > 0


def test_cost_comparison_needs_a_measured_gain():
    costs = AcquisitionCost(pd.DataFrame({"channel": ["a"], "spend": [1000.0], "new_customers": [10]}), {})
    noise = pd.DataFrame({"group": ["all", "x"], "uplift": [0.02, 0.09], "p_holm": [0.3, 0.2]})
    assert cost_comparison(costs, noise, 5.0) is None                  # +9 pp that could be zero is not costed
