"""Measured churn drivers (retention/driver_effects.py): what-if effects with bootstrap intervals, Holm across
families; small synthetic companies with and without a driver."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.retention import FeatureSet, fit_models, prediction_drivers
from customer_workbook.retention.churn import _driver_rows, _drivers
from customer_workbook.retention.driver_effects import DRIVER_ALPHA, DriverEffects, _effects_of, driver_effects

OBS = pd.Timestamp("2025-01-01")
FAMILY = {"recency_days": "recency", "noise_a": "region", "noise_b": "region", "slowflag": "delivery",
          "rareflag": "returns"}


def _features(frame: pd.DataFrame) -> FeatureSet:
    return FeatureSet(frame, OBS, pd.Series(OBS - pd.Timedelta(days=1), index=frame.columns),
                      pd.Series({c: FAMILY[c] for c in frame.columns}), pd.Series({c: c for c in frame.columns}))


def _company(n: int, seed: int, slow_logit: float, recency_logit: float = 1.0, rare_share: float = 0.01):
    """Customers with recency, two noise columns (one family), a common flag with effect ``slow_logit`` on the
    churn logit and a rare flag (``rare_share`` of the customers) without any effect."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"recency_days": rng.exponential(60, n), "noise_a": rng.normal(size=n),
                          "noise_b": rng.normal(size=n), "slowflag": (rng.random(n) < 0.3).astype(float),
                          "rareflag": (rng.random(n) < rare_share).astype(float)})
    logit = -0.8 + recency_logit * (frame["recency_days"] / 60 - 1) + slow_logit * frame["slowflag"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return _features(frame), y


def _measure(n: int, seed: int, slow_logit: float, n_boot: int = 20, **kw) -> DriverEffects:
    train, y_train = _company(n, seed, slow_logit, **kw)
    test, y_test = _company(n, seed + 1000, slow_logit, **kw)
    models = fit_models(train, y_train, seed=0)
    return driver_effects(models, train, y_train, test, y_test, seed=0, n_boot=n_boot)


def test_a_planted_driver_is_measured_and_noise_is_not():
    found = _measure(3000, 1, slow_logit=1.2)
    t = found.table.set_index("family")
    assert set(found.measured) == {"recency", "delivery"}, t
    assert found.measured[0] == "recency"  # +1 logit per 60 days over the 10th-90th percentile beats the flag
    assert t.loc["delivery", "effect"] == pytest.approx(0.25, abs=0.08)  # logit +1.2 near p 0.4
    assert (t["effect_low"] <= t["effect"]).all() and (t["effect"] <= t["effect_high"]).all()
    assert t.loc["delivery", "effect_low"] > 0 and t.loc["region", "effect_low"] < 0 < t.loc["region", "effect_high"]
    assert not t.loc["returns", "measured"] and t.loc["returns", "effect_low"] < 0 < t.loc["returns", "effect_high"]
    assert (t["p_holm"].dropna() >= t["p_value"].dropna()).all()
    assert found.alpha == DRIVER_ALPHA == 0.10 and found.level == 0.90 and found.n_boot == 20


def test_without_a_driver_only_recency_is_measured_and_a_rare_flag_is_not():
    """The rare flag (1% of customers, no effect) can get a large point effect from a coefficient learnt on
    a handful of customers; its interval is wide and it is not named."""
    found = _measure(2000, 2, slow_logit=0.0, rare_share=0.01)
    t = found.table.set_index("family")
    assert found.measured == ("recency",), t
    assert abs(t.loc["returns", "effect"]) > 0.05  # a point effect of 10 points from 20 customers ...
    assert t.loc["returns", "effect_low"] < 0 < t.loc["returns", "effect_high"]  # ... that the data do not measure
    assert (t.drop(index="recency")["p_holm"] >= DRIVER_ALPHA).all()
    assert t.loc["returns", "effect_high"] - t.loc["returns", "effect_low"] > \
        t.loc["delivery", "effect_high"] - t.loc["delivery", "effect_low"]  # fewer customers, wider interval


def test_nothing_is_measured_when_nothing_drives_churn_in_most_companies():
    """Holm at 10% across the families: over 20 companies with no driver at all, a family is named in at most
    a few (expected 2; the bound allows for the bootstrap's own noise)."""
    named = sum(bool(_measure(600, seed, slow_logit=0.0, recency_logit=0.0, n_boot=15).measured)
                for seed in range(20))
    assert named <= 5


def test_points_are_those_of_prediction_drivers_and_the_effects_are_exact():
    train, y_train = _company(1500, 3, slow_logit=1.0)
    test, y_test = _company(1500, 4, slow_logit=1.0)
    models = fit_models(train, y_train, seed=0)
    found = driver_effects(models, train, y_test=y_test, y_train=y_train, test=test, seed=5, n_boot=3)
    old = prediction_drivers(models, "logistic regression", test, y_test, seed=5)
    assert list(found.table["family"]) == list(old["family"])
    assert found.table["effect"].tolist() == old["effect"].tolist()
    rng = np.random.default_rng(5)
    X, y = _driver_rows(models, test, y_test, 5000, rng)
    donors: dict = {}
    _drivers(models, "logistic regression", test, X, y, rng, 2, True, donors)
    fast = dict(zip(donors, _effects_of(models["logistic regression"], X, donors)))  # linear-predictor shortcut
    assert fast == pytest.approx(old.set_index("family")["effect"].to_dict(), abs=1e-12)


def test_a_family_without_donors_has_no_effect_and_is_not_measured():
    train, y_train = _company(800, 6, slow_logit=1.0)
    test, y_test = _company(800, 7, slow_logit=1.0)
    test.frame["rareflag"] = 0.0  # nobody in the test period: no donor with the behaviour
    models = fit_models(train, y_train, seed=0)
    t = driver_effects(models, train, y_train, test, y_test, seed=0, n_boot=5).table.set_index("family")
    assert t.loc["returns", "effect"] == 0 and t.loc["returns", "effect_se"] == 0
    assert not t.loc["returns", "measured"] and np.isnan(t.loc["returns", "p_value"])
