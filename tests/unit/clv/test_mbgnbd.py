"""MBG/NBD (Batislam, Denizel & Filiztekin 2007) and the numerical stability of every purchase model."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import fd_gradient

from customer_workbook import clv
from customer_workbook.clv._fitting import compress_rows
from customer_workbook.clv.models import MBGNBDModel


@pytest.fixture(scope="module")
def cdnow_rfm():
    return clv.rfm_summary(clv.load_cdnow(), "1997-09-30", freq="D", time_unit="W")


@pytest.fixture(scope="module")
def mbg(cdnow_rfm):
    return MBGNBDModel().fit(cdnow_rfm)


def test_mbgnbd_reproduces_batislam_denizel_filiztekin_2007_on_cdnow(mbg):
    # Batislam, Denizel & Filiztekin (2007), IJRM 24(3): CDNOW 1/10 sample, 39-week calibration:
    # r = 0.525, alpha = 6.183, a = 0.891, b = 1.614.
    assert mbg.params_.round(3).to_dict() == {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
    assert mbg.converged_
    assert np.all(mbg.standard_errors_.to_numpy() > 0)


def test_one_time_buyers_are_not_certainly_alive(mbg, cdnow_rfm):
    table = cdnow_rfm.table
    p = mbg.probability_alive(table)
    once = table["frequency"] == 0
    assert p[once].max() < 0.5                               # BG/NBD gives every one of them exactly 1
    # longer silence -> lower P(alive), as the model says
    young = {"frequency": [0, 0], "recency": [0.0, 0.0], "T": [5.0, 50.0]}
    assert np.diff(mbg.probability_alive(young))[0] < 0


def test_mbgnbd_population_expectation_matches_simulation():
    r, alpha, a, b = 0.5, 6.0, 0.9, 1.6
    model = MBGNBDModel.from_params({"r": r, "alpha": alpha, "a": a, "b": b}, time_unit="W")
    rng = np.random.default_rng(3)
    n = 400_000
    lam, p = rng.gamma(r, 1.0 / alpha, n), rng.beta(a, b, n)
    # dropout is possible right after the first purchase: repeat purchases before dropout ~ Geometric from 0
    k = rng.geometric(p) - 1
    for t in (10.0, 52.0):
        sim = np.minimum(rng.poisson(lam * t), k).mean()
        assert model.expected_purchases_population(t) == pytest.approx(sim, rel=0.02)


def test_mbgnbd_analytic_gradient():
    data = clv.simulate_bgnbd(3000, r=0.5, alpha=6.0, a=0.9, b=1.6, T=40.0, seed=2)
    x, tx, T = (data[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    model = MBGNBDModel()
    prepared = model._prepare(compress_rows(x, tx, T))
    for scale in (1.0, 0.5, 2.0):
        z = np.log(np.array([0.5, 6.0, 0.9, 1.6]) * scale)
        np.testing.assert_allclose(model._negll(z, prepared)[1], fd_gradient(model, z, prepared), rtol=1e-5,
                                   atol=1e-9)


# ------------------------------------------------------------------ stability at extreme parameters
_log_uniform = lambda lo, hi: st.floats(lo, hi).map(lambda v: 10.0 ** v)  # noqa: E731


@settings(max_examples=60, deadline=None, derandomize=True)
@given(r=_log_uniform(-4, 1.5), alpha=_log_uniform(-2, 6), a=_log_uniform(-2, 4), b=_log_uniform(-2, 6),
       x=st.integers(0, 500), silence=st.floats(0.0, 1.0), model_index=st.integers(0, 2))
def test_expectations_and_p_alive_stay_finite_and_monotone(r, alpha, a, b, x, silence, model_index):
    cls = (clv.BGNBDModel, MBGNBDModel, clv.ParetoNBDModel)[model_index]
    names = cls.param_names
    model = cls.from_params(dict(zip(names, (r, alpha, a, b), strict=True)), time_unit="W")
    T = np.array([100.0, 150.0, 300.0])
    tx = np.full(3, 0.0 if x == 0 else max(1e-3, 100.0 * (1.0 - silence)))
    rfm = {"frequency": np.full(3, x), "recency": tx, "T": T}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = np.asarray(model.probability_alive(rfm))
        e = np.array([np.asarray(model.expected_purchases(h, rfm)) for h in (1.0, 10.0, 52.0, 520.0)])
        pop = model.expected_purchases_population(np.array([1.0, 10.0, 52.0, 520.0]))
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    assert np.all(np.diff(p) <= 1e-9)                                  # longer silence, less alive
    assert np.all(np.isfinite(e)) and np.all(e >= 0)
    assert np.all(np.diff(e, axis=0) >= -1e-9 * np.abs(e[1:]) - 1e-300)  # more time, more purchases
    assert np.all(np.isfinite(pop)) and np.all(np.diff(pop) >= -1e-9 * pop[1:])
