"""Unit tests of the randomised retention campaign (customer_workbook.retention.campaigns)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from customer_workbook.retention import campaign_uplift, extra_order_value, retention_value_by_group
from customer_workbook.retention.campaigns import (arm_lifts, campaign_arms, has_arms_or_outcomes, measured_segments,
                                                  responding_segments)
from customer_workbook.stats import holm, two_proportion_uplift


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


def test_an_extra_order_is_valued_at_the_margin_of_the_customers_usual_order_before_sending():
    tx = pd.DataFrame({"customer_id": ["1", "1", "1", "2", "2", "3"], "order_id": ["a", "a", "b", "c", "late", "d"],
                       "date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-02-01", "2024-01-10", "2024-04-01",
                                               "2024-05-01"]),
                       "amount": [30.0, 10.0, 60.0, 100.0, 900.0, 50.0]})
    seg = pd.DataFrame({"customer_id": ["1", "2", "3"], "segment": ["a", "a", "b"],
                        "send_date": pd.Timestamp("2024-03-01")})
    value = extra_order_value(SimpleNamespace(transactions=tx), seg, margin=0.5)
    # 1: orders of 40 and 60 -> 0.5 * 50; 2: only its order before sending counts; 3 bought only after: no value
    assert value.to_dict() == pytest.approx({"1": 25.0, "2": 50.0})
    assert retention_value_by_group(seg, value) == pytest.approx({"a": 37.5, "all": 37.5})


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


def _null_segments(n_segments: int = 20, n: int = 400, seed: int = 2) -> pd.DataFrame:
    """Many segments where the offer does nothing (treated and control buy at 30%), half treated."""
    rng = np.random.default_rng(seed)
    m = n_segments * n
    return pd.DataFrame({"segment": np.repeat([f"s{i:02d}" for i in range(n_segments)], n),
                         "treated": rng.random(m) < 0.5, "outcome": (rng.random(m) < 0.3).astype(int),
                         "spend": np.zeros(m)})


def test_a_null_segment_that_passes_uncorrected_is_not_measured_after_holm():
    up = campaign_uplift(_null_segments())
    seg = up[up["group"] != "all"]
    assert ((seg["p_value"] < 0.10) & (seg["uplift"] > 0)).any()          # by chance, uncorrected, one "responds"
    assert measured_segments(up).empty and measured_segments(up, sign=-1).empty
    lifts = arm_lifts(_null_segments(), by="segment")                   # the arm analysis corrects the same way
    rates = lifts[lifts["outcome"] == "outcome"]
    assert (rates["p_value"] < 0.10).any() and responding_segments(rates).empty
    assert np.allclose(rates["p_holm"], holm(rates["p_value"].to_numpy()))


def test_arm_lifts_reads_several_arms_and_outcomes():
    n = 300
    rows = pd.DataFrame({"treated": np.r_[np.ones(2 * n, bool), np.zeros(n, bool)],
                         "arm": ["a"] * n + ["b"] * n + ["control"] * n,
                         "outcome": np.r_[np.ones(30), np.zeros(270), np.ones(15), np.zeros(285), np.ones(6), np.zeros(294)],
                         "visited": np.r_[np.ones(90), np.zeros(210), np.ones(60), np.zeros(240), np.ones(30), np.zeros(270)],
                         "spend": np.r_[np.full(30, 50.0), np.zeros(270), np.full(15, 40.0), np.zeros(285),
                                        np.full(6, 50.0), np.zeros(294)]})
    out = arm_lifts(rows).set_index(["arm", "outcome"])
    assert list(out.index) == [(a, o) for a in ("a", "b") for o in ("visited", "outcome", "spend")]
    assert out.loc[("a", "visited"), ["arm_value", "control_value", "lift"]].tolist() == pytest.approx([0.3, 0.1, 0.2])
    assert out.loc[("b", "outcome"), "lift"] == pytest.approx(0.05 - 0.02)
    spend = out.loc[("a", "spend")]
    assert spend["kind"] == "mean" and spend["lift"] == pytest.approx(5.0 - 1.0)
    assert spend["low"] < 4.0 < spend["high"] and (out["n_control"] == n).all()


def test_one_treated_flag_and_one_outcome_is_one_arm_as_before():
    seg = _campaign({"x": 0.1, "y": 0.0})
    assert not has_arms_or_outcomes(seg) and set(campaign_arms(seg)) == {"treated", "control"}
    lifts = arm_lifts(seg)
    u = campaign_uplift(seg, by=None).iloc[0]
    assert len(lifts) == 1 and lifts.iloc[0]["lift"] == pytest.approx(u["uplift"])
    assert (lifts.iloc[0]["low"], lifts.iloc[0]["p_value"]) == pytest.approx((u["uplift_low"], u["p_value"]))
    arms = campaign_arms(pd.DataFrame({"treated": [True, True, False], "arm": ["m", None, "m"]}))
    assert list(arms) == ["m", "treated", "control"]                   # untreated is control whatever arm says
