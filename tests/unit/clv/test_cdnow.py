"""CLV models against published results on the CDNOW 1/10 sample (2,357 customers).

Calibration: 39 weeks, 1997-01-01..1997-09-30; same-day lines are one purchase; recency and T
in weeks (days / 7). Sources of the expected numbers are cited per test.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook import clv

CAL_END = "1997-09-30"
OBS_END = "1998-06-30"


@pytest.fixture(scope="module")
def transactions():
    return clv.load_cdnow()


@pytest.fixture(scope="module")
def rfm(transactions):
    return clv.rfm_summary(transactions, CAL_END, freq="D", time_unit="W")


@pytest.fixture(scope="module")
def split(transactions):
    return clv.calibration_and_holdout(transactions, CAL_END, OBS_END, freq="D", time_unit="W")


@pytest.fixture(scope="module")
def bgnbd(rfm):
    return clv.BGNBDModel().fit(rfm)


@pytest.fixture(scope="module")
def pareto(rfm):
    return clv.ParetoNBDModel().fit(rfm)


@pytest.fixture(scope="module")
def gamma_gamma(rfm):
    return clv.GammaGammaModel().fit(rfm)


def test_loader_returns_contract_shape(transactions):
    assert list(transactions.columns) == ["customer_id", "date", "amount", "quantity"]
    assert transactions.shape == (6919, 4)
    assert transactions["customer_id"].nunique() == 2357
    assert transactions["date"].min() == pd.Timestamp("1997-01-01")
    assert transactions["date"].max() == pd.Timestamp("1998-06-30")
    assert transactions["customer_id"].iloc[0] == "00004"   # ids stay text, zero padding kept
    assert transactions["amount"].sum() == pytest.approx(244_091.94, abs=0.01)
    assert int(transactions["quantity"].sum()) == 16_479


def test_calibration_rfm_is_the_published_construction(rfm):
    # Fader & Hardie's spreadsheet data: 2,357 customers, 2,457 repeat purchases, 1,411 without
    # a repeat purchase; customer 1 (master id 00004) has x = 2, t_x = 30.43, T = 38.86.
    assert len(rfm) == 2357
    assert int(rfm.table["frequency"].sum()) == 2457
    assert int((rfm.table["frequency"] == 0).sum()) == 1411
    first = rfm.table.loc["00004"]
    assert (first["frequency"], round(first["recency"], 2), round(first["T"], 2)) == (2, 30.43, 38.86)
    assert first["monetary_value"] == pytest.approx((29.73 + 14.96) / 2)
    assert rfm.table["T"].max() == pytest.approx(272 / 7) and rfm.table["T"].min() == pytest.approx(27.0)
    assert rfm.time_unit == "W" and rfm.excluded == {}


def test_bgnbd_matches_fader_hardie_lee_2005(bgnbd):
    # Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative to the
    # Pareto/NBD Model", Marketing Science 24(2), 275-284, section 4:
    # r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    est = bgnbd.params_.round(3).to_dict()
    assert est == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert round(bgnbd.log_likelihood_, 1) == -9582.4
    assert bgnbd.converged_
    # standard errors as reported by lifetimes 0.11.3 (autograd Hessian) on the same data
    np.testing.assert_allclose(bgnbd.standard_errors_.to_numpy(), [0.012557, 0.378224, 0.185734, 0.705414],
                               rtol=2e-4)


def test_pareto_nbd_matches_published_estimates(pareto):
    # Fader, Hardie & Lee (2005), Marketing Science 24(2), section 4 (Pareto/NBD benchmark for
    # the BG/NBD, fitted as in Fader, Hardie & Lee 2005, "A Note on Implementing the Pareto/NBD
    # Model in MATLAB"): r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0.
    est = pareto.params_.round(3).to_dict()
    assert est == {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    assert round(pareto.log_likelihood_, 1) == -9595.0
    # standard errors of CLVTools' correctness tests (tests/testthat/test_correctness_pnbd.R)
    np.testing.assert_allclose(pareto.standard_errors_.to_numpy(), [0.0476264, 0.8427222, 0.1872594, 6.2105448],
                               rtol=2e-3)


def test_gamma_gamma_matches_fader_hardie_2013(gamma_gamma):
    # Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (brucehardie.com note 025),
    # 946 customers with repeat purchases: p = 6.25, q = 3.74, gamma = 15.44.
    assert gamma_gamma.n_customers_ == 946
    assert gamma_gamma.params_.round(2).to_dict() == {"p": 6.25, "q": 3.74, "gamma": 15.44}
    # log-likelihood of the mean-spend density, as in CLVTools' correctness test (-4055.9177)
    assert gamma_gamma.log_likelihood_ == pytest.approx(-4055.9177, abs=1e-3)
    assert gamma_gamma.population_mean_spend() == pytest.approx(6.249572 * 15.443521 / 2.744225, rel=1e-5)


def test_published_parameters_are_not_better_than_ours(rfm, bgnbd, pareto):
    published_bg = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    published_pn = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    assert bgnbd.log_likelihood(rfm, published_bg) <= bgnbd.log_likelihood_ + 1e-9
    assert pareto.log_likelihood(rfm, published_pn) <= pareto.log_likelihood_ + 1e-9
    assert bgnbd.log_likelihood(rfm) == pytest.approx(bgnbd.log_likelihood_, abs=1e-8)


def test_predictions_match_independent_implementation(rfm, bgnbd, pareto):
    # Values from lifetimes 0.11.3 (BetaGeoFitter / ParetoNBDFitter) on the same data.
    assert float(bgnbd.expected_purchases(39, rfm).sum()) == pytest.approx(1653.4087, abs=1e-3)
    assert float(bgnbd.probability_alive(rfm).mean()) == pytest.approx(0.8134398, abs=1e-6)
    np.testing.assert_allclose(bgnbd.expected_purchases_population([39, 78]), [1.1950100, 1.8579583], rtol=1e-6)
    one = {"frequency": [2], "recency": [213 / 7], "T": [272 / 7]}
    assert bgnbd.probability_alive(one)[0] == pytest.approx(0.7266203, abs=1e-6)
    assert bgnbd.expected_purchases(39, one)[0] == pytest.approx(1.2259944, abs=1e-6)
    two = {"frequency": [2, 0], "recency": [213 / 7, 0.0], "T": [272 / 7] * 2}
    np.testing.assert_allclose(pareto.probability_alive(two), [0.86913, 0.29511], atol=2e-5)


def test_holdout_and_tracking_against_actuals(transactions, split, bgnbd):
    assert int(split.table["frequency_holdout"].sum()) == 1882
    assert (split.table["duration_holdout"] == 39.0).all()
    table = clv.calibration_holdout_table(bgnbd, split, max_frequency=7)
    assert table["customers"].tolist() == [1411, 439, 214, 100, 62, 38, 29, 64]
    assert table.loc[0, "actual"] == pytest.approx(334 / 1411)
    # the model ranks buckets like the data and is within 0.4 purchases per customer
    assert np.all(np.diff(table["predicted"]) > 0)
    assert np.max(np.abs(table["predicted"] - table["actual"])) < 0.4
    track = clv.tracking_table(bgnbd, transactions, CAL_END, OBS_END, freq="D", time_unit="W")
    assert len(track) == 78
    assert track["actual"].iloc[-1] == 4339 and track.loc["1997-09-30", "actual"] == 2457
    # cumulative fit: within 2% at the end of calibration, 5% at the end of the holdout
    assert track.loc["1997-09-30", "expected"] == pytest.approx(2457, rel=0.02)
    assert track["expected"].iloc[-1] == pytest.approx(4339, rel=0.05)


def test_spend_is_independent_of_frequency_on_cdnow(rfm):
    check = clv.spend_frequency_correlation(rfm)
    assert check.n_customers == 946
    assert check.correlation == pytest.approx(0.1139, abs=1e-3)
    assert check.passed


def test_cdnow_clv_end_to_end(rfm, bgnbd, gamma_gamma):
    value = clv.customer_lifetime_value(bgnbd, gamma_gamma, rfm, horizon_months=12, discount_rate=0.01)
    assert value.index.equals(rfm.table.index)
    # lifetimes 0.11.3 gives 71,508 with 30-day months; ours uses 30.44-day months
    assert float(value.sum()) == pytest.approx(71_550.2, abs=0.5)
    assert (value > 0).all()
    # a one-off buyer is worth the population mean spend times their expected purchases
    new = rfm.table[rfm.table["frequency"] == 0].iloc[[0]]
    raw = clv.customer_lifetime_value(bgnbd, gamma_gamma.population_mean_spend(), new, horizon_months=12,
                                      discount_rate=0.0)
    assert float(raw.iloc[0]) == pytest.approx(
        gamma_gamma.population_mean_spend() * float(bgnbd.expected_purchases(12 * clv.DAYS_PER_MONTH / 7, new).iloc[0]))
