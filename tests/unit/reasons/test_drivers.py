"""Drivers of recommendation (customer_workbook.reasons.drivers): dominance analysis with known answers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.reasons import (MIN_RESPONDENTS_PER_DRIVER, DriverImportance, dominance_weights, driver_importance,
                                       latest_answers, respondents_needed, spearman_link, survey_drivers)
from customer_workbook.reasons.drivers import _weighted_corr


def test_dominance_weights_decompose_r2_and_equal_squared_correlations_when_orthogonal():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4000, 3))
    X -= X.mean(axis=0)
    X = np.linalg.qr(X)[0] * np.sqrt(4000)                     # exactly orthogonal columns
    y = X @ np.array([1.0, 0.5, 0.0]) + rng.normal(size=4000)
    w = dominance_weights(X, y)
    r = np.array([np.corrcoef(X[:, j], y)[0, 1] for j in range(3)])
    np.testing.assert_allclose(w, r ** 2, atol=1e-10)
    full = np.linalg.lstsq(np.column_stack([np.ones(4000), X]), y, rcond=None)[0]
    resid = y - np.column_stack([np.ones(4000), X]) @ full
    assert w.sum() == pytest.approx(1 - resid.var() / y.var(), abs=1e-10)


def test_dominance_splits_credit_between_identical_copies():
    rng = np.random.default_rng(2)
    x = rng.normal(size=500)
    X = np.column_stack([x, x + 1e-9 * rng.normal(size=500), rng.normal(size=500)])
    w = dominance_weights(X, x + rng.normal(size=500))
    assert w[0] == pytest.approx(w[1], rel=1e-3) and w[2] < 0.01


def test_weighted_correlation_equals_the_correlation_of_the_repeated_rows():
    rng = np.random.default_rng(4)
    Z = np.column_stack([rng.integers(1, 6, size=(200, 3)), np.full(200, 3.0)]).astype(float)  # last: constant
    counts = np.bincount(rng.integers(0, 200, 200), minlength=200)
    expected = np.corrcoef(np.repeat(Z[:, :3], counts, axis=0), rowvar=False)
    got = _weighted_corr(Z, counts.astype(float))
    np.testing.assert_allclose(got[:3, :3], expected, atol=1e-12)
    np.testing.assert_array_equal(got[3], [0, 0, 0, 1])  # a constant column correlates with nothing


def test_driver_importance_ranks_the_causal_driver_above_a_correlated_bystander():
    rng = np.random.default_rng(3)
    n = 3000
    causal = rng.normal(size=n)
    bystander = 0.7 * causal + 0.7 * rng.normal(size=n)   # correlated, no effect of its own
    weak = rng.normal(size=n)
    y = causal + 0.3 * weak + rng.normal(size=n)
    X = pd.DataFrame({"bystander": bystander, "weak": weak, "causal": causal})
    result = driver_importance(X, pd.Series(y), n_boot=50, seed=0)
    assert isinstance(result, DriverImportance) and result.n == n and result.n_boot == 50 and result.level == 0.90
    out = result.table
    assert out.iloc[0]["driver"] == "causal" and out.iloc[0]["rank_high"] == 1
    assert ((out["low"] <= out["importance"]) & (out["importance"] <= out["high"])).all()
    assert out["importance"].sum() == pytest.approx(result.r2)
    assert not out.attrs
    with pytest.raises(ValueError):
        driver_importance(X.iloc[:3], pd.Series(y[:3]), n_boot=0)


def test_latest_answers_keep_each_respondents_last_answer_and_drivers_are_the_why_items():
    surveys = pd.DataFrame({"customer_id": ["a", "a", "b"], "date": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-03-01"]),
                            "nps": [3, 9, 7], "why_pricing": [1, 5, 2], "why_innovation": [2, 2, 4], "sat_price": [3, 3, 3]})
    answers = latest_answers(surveys)
    assert answers.loc["a", "nps"] == 9 and len(answers) == 2
    assert list(survey_drivers(answers).columns) == ["innovation", "pricing"]   # the contract's order of reasons


def test_spearman_link():
    s = pd.Series(np.arange(20.0))
    link = spearman_link(s, s * 2)
    assert link.rho == pytest.approx(1.0) and link.n == 20 and link.p_value < 1e-6
    short = spearman_link(s.head(5), s.head(5))
    assert np.isnan(short.rho) and short.n == 5                       # too few pairs


def test_driver_importance_tests_r2_against_the_no_driver_baseline():
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.integers(1, 6, size=(400, 4)).astype(float), columns=list("abcd"))
    noise = driver_importance(X, pd.Series(rng.normal(size=400)), n_boot=0)
    signal = driver_importance(X, X["a"] + rng.normal(scale=0.5, size=400), n_boot=0)
    assert 0 < noise.p_value and not noise.informative                  # pure noise: R² > 0 but not beyond chance
    assert signal.p_value < 1e-10 and signal.informative
    assert respondents_needed(10) == 10 * MIN_RESPONDENTS_PER_DRIVER == 100
