"""Unit tests of spend response (customer_workbook.acquisition.response): the Hill curve, carry-over, and fits
that recover known parameters from synthetic weekly data."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from customer_workbook.acquisition import (ResponseCurve, adstock, fit_response_curve, fit_response_curves, hill,
                                           hill_derivative, marginal_cac_table)
from customer_workbook.stats import se_from_draws, separate_top


def test_hill_and_derivative():
    assert hill(2600.0, 30, 2600, 1.2) == pytest.approx(15.0)     # half the ceiling at k
    assert hill(0.0, 30, 2600, 1.2) == 0.0
    s, eps = 1800.0, 1e-3
    numeric = (hill(s + eps, 24, 2000, 1.5) - hill(s - eps, 24, 2000, 1.5)) / (2 * eps)
    assert hill_derivative(s, 24, 2000, 1.5) == pytest.approx(numeric, rel=1e-6)


def test_adstock_geometric_and_level_preserving():
    assert adstock([1.0, 0.0, 0.0], 0.5).tolist() == pytest.approx([1.0, 0.5, 0.25])
    assert adstock(np.full(10, 7.0), 0.8).tolist() == pytest.approx([7.0] * 10)
    assert adstock([3.0, 4.0], 0.0).tolist() == [3.0, 4.0]


def _synthetic_channel(vmax, k, h, theta=0.0, weeks=260, centre=None, seed=1):
    rng = np.random.default_rng(seed)
    centre = centre or k
    e = np.zeros(weeks)
    for t in range(1, weeks):
        e[t] = 0.5 * e[t - 1] + rng.normal(0, 0.6 * np.sqrt(1 - 0.25))
    s = centre * np.exp(e - 0.18)
    y = rng.poisson(hill(adstock(s, theta), vmax, k, h))
    return s, y


@pytest.mark.parametrize("vmax,k,h", [(30.0, 2600.0, 1.2), (45.0, 9000.0, 2.5)])
def test_fit_response_curve_recovers_known_parameters(vmax, k, h):
    s, y = _synthetic_channel(vmax, k, h, centre=0.8 * k)
    c = fit_response_curve(s, y, "x", carryover="auto", n_boot=40, seed=0)
    assert c.theta == 0.0                                   # no carry-over planted, none kept
    # vmax and k trade off against each other when the shape is near 1, so k is checked against its own
    # bootstrap interval; the curve itself and its slope, where there is data, are checked tightly
    lo, hi = np.quantile(c.draws[:, 1], [0.025, 0.975])
    assert lo < k < hi
    assert c.shape == pytest.approx(h, rel=0.25)
    for level in (0.5 * k, k, 1.5 * k):
        assert float(c.predict(level)) == pytest.approx(hill(level, vmax, k, h), rel=0.08)
    assert float(c.marginal(0.8 * k)) == pytest.approx(hill_derivative(0.8 * k, vmax, k, h), rel=0.15)
    band = c.draw_predict(np.array([k]))
    assert np.quantile(band, 0.01) < hill(k, vmax, k, h) < np.quantile(band, 0.99)


def test_fit_response_curve_detects_planted_carryover():
    s, y = _synthetic_channel(30.0, 2600.0, 1.2, theta=0.6, seed=3)
    c = fit_response_curve(s, y, "x", carryover="auto", n_boot=5, seed=0)
    assert c.carryover_p < 0.05
    assert c.theta == pytest.approx(0.6, abs=0.15)


def test_response_curve_is_frozen_and_marginal_cac_table_uses_it():
    c = ResponseCurve("a", 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.vmax = 20.0
    table = marginal_cac_table({"a": c}, {"a": 100.0}, multiples=(1.0, 2.0))
    # at spend 100 = k: 5 customers a week, average CAC 20, marginal 10 / (100 * 4) -> 40 per customer
    row = table.set_index("multiple").loc[1.0]
    assert row["new_per_week"] == pytest.approx(5.0)
    assert row["cac"] == pytest.approx(20.0)
    assert row["marginal_cac"] == pytest.approx(40.0)
    assert np.isnan(row["marginal_cac_low"])                # no bootstrap draws, no interval


def test_response_curve_gate_needs_weeks_and_must_beat_a_flat_average():
    from customer_workbook.acquisition import MIN_WEEKS, fit_response_curve, hill

    rng = np.random.default_rng(0)
    spend = rng.uniform(50, 400, 104)
    good = fit_response_curve(spend, rng.poisson(hill(spend, 20.0, 150.0, 1.5)), "tv", n_boot=0)
    assert good.ok and good.heldout_gain > 0 and good.problem is None
    noise = fit_response_curve(spend, rng.poisson(5.0, 104), "radio", n_boot=0)  # spend does not matter
    assert not noise.ok and noise.problem is not None
    short = fit_response_curve(spend[: MIN_WEEKS - 1], rng.poisson(hill(spend[: MIN_WEEKS - 1], 20.0, 150.0, 1.5)),
                               "print", n_boot=0)
    assert not short.ok and f"fewer than the {MIN_WEEKS}" in short.problem


def _seasonal_channel(seed: int, weeks: int = 156):
    """Weekly spend that rises in the season and new customers = Hill(spend) x a seasonal baseline exp(0.35 sin)
    (vmax 20, k 1000, shape 1.5); returns spend, new customers, today's spend (mean of the last 52 weeks) and
    the planted marginal CAC there, at the mean baseline of those weeks."""
    rng = np.random.default_rng(seed)
    season = 0.35 * np.sin(2 * np.pi * np.arange(weeks) / 52.18)
    e = np.zeros(weeks)
    for t in range(1, weeks):
        e[t] = 0.5 * e[t - 1] + rng.normal(0, 0.3)
    s = 900.0 * np.exp(season + e)
    y = rng.poisson(hill(s, 20.0, 1000.0, 1.5) * np.exp(season))
    current = s[-52:].mean()
    return s, y, current, 1 / (hill_derivative(current, 20.0, 1000.0, 1.5) * np.exp(season[-52:]).mean())


def test_marginal_cac_interval_covers_the_planted_curve_under_a_seasonal_baseline():
    """Spend that follows the season would be credited with the season's customers: without the baseline
    (``baseline=False``) the 90% interval of marginal CAC at today's spend covered the planted value in 0 of
    these 30 replications (median log error -0.55); with it (kept by its test in all 30) in 28 of 30 (93%,
    median log error 0.02). Floor 23 of 30 (77%)."""
    hits, kept, misses = 0, 0, []
    for seed in range(30):
        s, y, current, truth = _seasonal_channel(seed)
        c = fit_response_curve(s, y, "x", n_boot=60, seed=seed)
        lo, hi = np.quantile(1 / c.draw_marginal(current)[:, 0], [0.05, 0.95])
        hits += lo <= truth <= hi
        kept += c.baseline == ("trend", "season")
        misses.append(round(float(c.marginal_cac(current) / truth), 2))
    assert kept >= 28
    assert hits >= 23, misses
    assert abs(float(np.median(np.log(misses)))) < 0.1      # no bias left in the point estimate


def test_no_baseline_without_one_and_none_before_a_year():
    s, y = _synthetic_channel(30.0, 2600.0, 1.2, weeks=156, centre=2000.0, seed=4)
    c = fit_response_curve(s, y, "x", n_boot=0)
    assert c.baseline == () and c.baseline_p > 0.05
    from customer_workbook.acquisition.response import baseline_design

    assert baseline_design(51).shape == (51, 0)
    assert baseline_design(60).shape == (60, 1)
    assert baseline_design(104).shape == (104, 3)
    dates = np.datetime64("2024-01-01") + 7 * np.arange(104)
    assert np.allclose(baseline_design(104, dates), baseline_design(104), atol=2e-3)


def test_spend_that_hardly_varies_is_not_measurable():
    rng = np.random.default_rng(2)
    spend = 1000.0 * np.exp(rng.normal(0, 0.01, 104))
    c = fit_response_curve(spend, rng.poisson(hill(spend, 20.0, 1000.0, 1.5)), "flat", n_boot=0)
    assert c.spend_variation < 0.05 and not c.ok and "hardly varies" in c.problem


def _equal_channels(seed: int, weeks: int = 156) -> pd.DataFrame:
    """A marketing table of five equal channels, as in the null company of 3,000 customers: each channel's
    weekly spend an AR(1) log-normal path around 390 (log sd 0.6, autocorrelation 0.5), new customers
    Poisson(Hill(spend; vmax 5.15, k 390, shape 1.5))."""
    rng = np.random.default_rng(seed)
    rows = []
    for ch in ("a", "b", "c", "d", "e"):
        e = np.zeros(weeks)
        e[0] = rng.normal(0, 0.6)
        for t in range(1, weeks):
            e[t] = 0.5 * e[t - 1] + rng.normal(0, 0.6 * np.sqrt(0.75))
        s = 390.0 * np.exp(e - 0.18)
        rows.append(pd.DataFrame({"week": pd.date_range("2022-01-03", periods=weeks, freq="7D"), "channel": ch,
                                  "spend": s, "new_customers": rng.poisson(hill(s, 5.15, 390.0, 1.5))}))
    return pd.concat(rows, ignore_index=True)


def test_equal_channels_are_rarely_told_apart_at_the_margin():
    """Step 3's rule (log marginal CAC at today's spend, errors from the bootstrap draws, a channel named only
    when separated at 10% after Holm) on 20 companies with five equal channels named a cheapest channel in
    1 of 20 (its design allows 10%), and the 90% intervals covered the planted marginal CAC in 88 of the 98
    channels whose curve passed its gate (90%). Floors: at most 4 of 20 companies, at least 80 intervals."""
    claims, covered = 0, 0
    for seed in range(20):
        mk = _equal_channels(seed)
        curves = {c: v for c, v in fit_response_curves(mk, n_boot=50, seed=seed).items() if v.ok}
        current = {c: float(g["spend"].iloc[-52:].mean()) for c, g in mk.groupby("channel")}
        draws = {c: 1 / v.draw_marginal(current[c])[:, 0] for c, v in curves.items()}
        lead = separate_top({c: np.log(float(v.marginal_cac(current[c]))) for c, v in curves.items()},
                            {c: se_from_draws(d, log=True) for c, d in draws.items()}, higher_is_better=False)
        claims += lead.clear
        truth = {c: 1 / hill_derivative(current[c], 5.15, 390.0, 1.5) for c in curves}
        covered += sum(np.quantile(d, 0.05) <= truth[c] <= np.quantile(d, 0.95) for c, d in draws.items())
    assert claims <= 4
    assert covered >= 80
