"""Numerical safety, gradients, simulation-based recovery and CLV arithmetic of the CLV models."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import integrate, special

from builders import fd_gradient

from customer_workbook import clv
from customer_workbook.clv._fitting import compress_rows
from customer_workbook.clv._special import bgnbd_expected_given_alive_factor, hyp2f1_1bc, pareto_log_J
from customer_workbook.clv._spend import _GGData
from customer_workbook.clv.models import _BGData, _ParetoData

BG_TRUE = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
PN_TRUE = {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 11.7}
GG_TRUE = {"p": 6.0, "q": 3.7, "gamma": 15.0}


# ---------------------------------------------------------------- special functions
@pytest.mark.parametrize("z", [0.0, 0.1, 0.5, 0.9, 0.99, 0.999])
def test_hyp2f1_closed_form(z):
    value = hyp2f1_1bc(np.array([1.0]), np.array([2.0]), np.array([z]), derivatives=False)[0]
    expected = 1.0 if z == 0 else -np.log1p(-z) / z            # 2F1(1, 1; 2; z)
    assert value == pytest.approx(expected, rel=1e-13)


def test_hyp2f1_matches_scipy_and_finite_differences():
    rng = np.random.default_rng(0)
    b = rng.uniform(0.1, 30, 200)
    c = b + rng.uniform(0.1, 10, 200)
    z = rng.uniform(0, 0.95, 200)
    F, Fb, Fc, Fz = hyp2f1_1bc(b, c, z)
    np.testing.assert_allclose(F, special.hyp2f1(1.0, b, c, z), rtol=1e-11)
    h = 1e-6
    for deriv, shift in ((Fb, (h, 0, 0)), (Fc, (0, h, 0)), (Fz, (0, 0, h))):
        up = hyp2f1_1bc(b + shift[0], c + shift[1], z + shift[2], derivatives=False)
        down = hyp2f1_1bc(b - shift[0], c - shift[1], z - shift[2], derivatives=False)
        np.testing.assert_allclose(deriv, (up - down) / (2 * h), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("params", [(0.55, 10.58, 0.61, 11.67), (0.55, 11.67, 0.61, 10.58), (2.0, 1.0, 0.3, 50.0),
                                    (0.3, 40.0, 2.0, 1.0)])
def test_pareto_integral_matches_quadrature(params):
    r, al, s, be = params
    x = np.array([0.0, 1.0, 5.0, 30.0])
    t = np.array([0.0, 3.3, 20.0, 35.0])
    log_j, grad = pareto_log_J(r, al, s, be, x, t)
    ref = [np.log(integrate.quad(lambda y: (al + y) ** -(r + xi) * (be + y) ** -(s + 1), ti, np.inf,
                                 epsabs=0, epsrel=1e-12, limit=200)[0]) for xi, ti in zip(x, t, strict=True)]
    np.testing.assert_allclose(log_j, ref, atol=1e-10)
    h = 1e-6
    for i in range(4):
        up, down = list(params), list(params)
        up[i] *= 1 + h
        down[i] *= 1 - h
        fd = (pareto_log_J(*up, x, t, gradient=False) - pareto_log_J(*down, x, t, gradient=False)) / (2 * h * params[i])
        np.testing.assert_allclose(grad[i], fd, rtol=1e-5, atol=1e-8)


def test_pareto_integral_is_continuous_across_its_two_forms_at_large_frequency():
    # alpha >= beta and alpha < beta use different series; at alpha == beta they must agree, also
    # for x = 2000 where the textbook 2F1(r+s+x, r+x; ...) form overflows.
    x = np.array([0.0, 10.0, 2000.0])
    t = np.array([0.0, 50.0, 400.0])
    below = pareto_log_J(0.5, 10.0 * (1 - 1e-9), 0.7, 10.0, x, t, gradient=False)
    above = pareto_log_J(0.5, 10.0 * (1 + 1e-9), 0.7, 10.0, x, t, gradient=False)
    assert np.all(np.isfinite(below))
    np.testing.assert_allclose(below, above, rtol=1e-8)
    with np.errstate(all="ignore"):
        textbook = special.hyp2f1(0.5 + 0.7 + 2000, 0.5 + 2000, 0.5 + 0.7 + 2001, 0.5)
    assert not np.isfinite(textbook) or textbook > 1e300          # the trap we avoid


def test_bgnbd_expectation_matches_numerical_integration():
    r, al, a, b = 0.243, 4.414, 0.793, 2.426
    for x, T, t in [(0, 38.86, 39.0), (3, 30.0, 52.0), (40, 70.0, 260.0)]:
        # E[Y(t) | alive] = int over lambda ~ Gamma(r+x, alpha+T) and p ~ Beta(a, b+x) of
        # (1 - (1-p)^... ) closed form per individual: (1 - exp(-lambda p t)) / p
        def integrand(lam, p, x=x, T=T, t=t):
            dens_l = np.exp((r + x) * np.log(al + T) + (r + x - 1) * np.log(lam) - (al + T) * lam
                            - special.gammaln(r + x))
            dens_p = np.exp((a - 1) * np.log(p) + (b + x - 1) * np.log1p(-p) - special.betaln(a, b + x))
            return dens_l * dens_p * (-np.expm1(-lam * p * t)) / p
        ref = integrate.dblquad(integrand, 1e-12, 1 - 1e-12, 0.0, np.inf, epsabs=1e-10, epsrel=1e-8)[0]
        got = float(bgnbd_expected_given_alive_factor(r, al, a, b, x, T, t))
        assert got == pytest.approx(ref, rel=1e-6)


def test_bgnbd_expectation_at_a_equal_one_is_continuous():
    left = bgnbd_expected_given_alive_factor(0.3, 5.0, 1.0 - 1e-5, 2.0, 2, 30.0, 20.0)
    mid = bgnbd_expected_given_alive_factor(0.3, 5.0, 1.0, 2.0, 2, 30.0, 20.0)
    right = bgnbd_expected_given_alive_factor(0.3, 5.0, 1.0 + 1e-5, 2.0, 2, 30.0, 20.0)
    assert np.isfinite(mid) and left > mid > right and mid == pytest.approx(0.5 * (left + right), rel=1e-8)


# ---------------------------------------------------------------- likelihood gradients


@pytest.mark.parametrize("model_cls, params, sim", [
    (clv.BGNBDModel, BG_TRUE, lambda: clv.simulate_bgnbd(4000, **BG_TRUE, T=40.0, seed=1)),
    (clv.ParetoNBDModel, PN_TRUE, lambda: clv.simulate_pareto_nbd(1500, **PN_TRUE, T=40.0, seed=1)),
])
def test_analytic_gradients(model_cls, params, sim):
    data = sim()
    model = model_cls()
    x, tx, T = (data[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    prepared = model._prepare(compress_rows(x, tx, T))
    for scale in (1.0, 0.5, 2.0):
        z = np.log(np.array(list(params.values())) * scale)
        _, grad = model._negll(z, prepared)
        np.testing.assert_allclose(grad, fd_gradient(model, z, prepared), rtol=1e-5, atol=1e-9)


def test_gamma_gamma_gradient():
    x = np.tile(np.arange(1, 9), 100)
    m = clv.simulate_gamma_gamma(x, **GG_TRUE, seed=4)
    model = clv.GammaGammaModel()
    data = _GGData(x.astype(float), m, np.ones(x.size))
    z = np.log([5.0, 3.0, 12.0])
    np.testing.assert_allclose(model._negll(z, data)[1], fd_gradient(model, z, data), rtol=1e-5)


# ---------------------------------------------------------------- extreme inputs
def test_extreme_histories_give_finite_probabilities():
    rfm = {"frequency": [0, 2000, 300, 300, 1, 5000, 2000],
           "recency": [0.0, 104.0, 1.0, 999.0, 1e-3, 5e4, 100.0],
           "T": [1e5, 104.0, 1000.0, 1000.0, 1e5, 5e4, 104.0]}
    bg = clv.BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    pn = clv.ParetoNBDModel.from_params({"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669})
    for model in (bg, pn):
        p = model.probability_alive(rfm)
        e = model.expected_purchases(52, rfm)
        assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
        assert np.all(np.isfinite(e)) and np.all(e >= 0)
        assert p[2] < 1e-100 and p[3] > 0.99          # long silence after many purchases vs just bought
        assert e[1] > 100                              # a heavy buyer who is clearly alive
        assert p[6] < 1e-20                            # ... but silent for 4 weeks after 2000 purchases
        assert np.isfinite(model.log_likelihood(rfm))


# ---------------------------------------------------------------- recovery from simulation
def _within(model, truth, n_se, rel):
    est, se = model.params_, model.standard_errors_
    for k, v in truth.items():
        assert abs(est[k] - v) < n_se * se[k], (k, est[k], v, se[k])
        assert abs(est[k] / v - 1) < rel, (k, est[k], v)


def test_bgnbd_recovers_simulated_parameters():
    T = np.random.default_rng(11).uniform(30, 80, 60_000)
    model = clv.BGNBDModel().fit(clv.simulate_bgnbd(60_000, **BG_TRUE, T=T, seed=11))
    _within(model, BG_TRUE, n_se=4, rel=0.15)        # SEs: ~1-5% of each parameter
    assert model.converged_


def test_subsample_warm_start_reaches_the_same_optimum():
    T = np.random.default_rng(14).integers(1, 547, 120_000) / 7
    sim = clv.simulate_bgnbd(120_000, **BG_TRUE, T=T, seed=14, resolution=1 / 7)
    warm = clv.BGNBDModel().fit(sim)                              # > 40k unique rows: subsample start
    cold = clv.BGNBDModel().fit(sim, initial_params={"r": 1.0, "alpha": 5.0, "a": 1.0, "b": 3.0})
    assert warm.n_unique_rows_ > clv.BGNBDModel._WARM_ROWS
    assert warm.n_evaluations_ < cold.n_evaluations_
    np.testing.assert_allclose(warm.params_, cold.params_, rtol=1e-6)
    np.testing.assert_allclose(warm.standard_errors_, cold.standard_errors_, rtol=1e-3)
    assert warm.log_likelihood_ == pytest.approx(cold.log_likelihood_, abs=1e-6)


def test_pareto_nbd_recovers_simulated_parameters():
    T = np.random.default_rng(12).integers(180, 550, 15_000) / 7
    model = clv.ParetoNBDModel().fit(clv.simulate_pareto_nbd(15_000, **PN_TRUE, T=T, seed=12, resolution=1 / 7))
    _within(model, PN_TRUE, n_se=4, rel=0.5)         # beta's SE is ~20% at this size


def test_gamma_gamma_recovers_simulated_parameters():
    x = np.random.default_rng(13).integers(1, 12, 20_000)
    m = clv.simulate_gamma_gamma(x, **GG_TRUE, seed=13)
    model = clv.GammaGammaModel().fit({"frequency": x, "monetary_value": m})
    _within(model, GG_TRUE, n_se=4, rel=0.25)


def test_simulation_is_seeded():
    a = clv.simulate_bgnbd(1000, **BG_TRUE, T=39.0, seed=5)
    b = clv.simulate_bgnbd(1000, **BG_TRUE, T=39.0, seed=5)
    assert a.equals(b) and not a.equals(clv.simulate_bgnbd(1000, **BG_TRUE, T=39.0, seed=6))


@pytest.mark.parametrize("model_cls, truth, simulate", [
    (clv.BGNBDModel, BG_TRUE, clv.simulate_bgnbd),
    (clv.ParetoNBDModel, PN_TRUE, clv.simulate_pareto_nbd),
])
def test_expectations_agree_with_simulation(model_cls, truth, simulate):
    n = 200_000
    model = model_cls.from_params(truth)
    # population: E[X(t)] vs the simulated mean frequency of customers observed for t
    sim52 = simulate(n, **truth, T=52.0, seed=21)
    mean, se = sim52["frequency"].mean(), sim52["frequency"].std() / np.sqrt(n)
    assert abs(model.expected_purchases_population(52.0) - mean) < 4 * se
    # conditional: averaged over histories at T = 30, E[Y(22) | history] = E[X(52)] - E[X(30)]
    sim30 = simulate(n, **truth, T=30.0, seed=22)
    cond = model.expected_purchases(22.0, sim30)
    target = model.expected_purchases_population(52.0) - model.expected_purchases_population(30.0)
    assert cond.mean() == pytest.approx(float(target), abs=4 * cond.std() / np.sqrt(n) + 2e-3)


# ---------------------------------------------------------------- CLV arithmetic
@pytest.fixture(scope="module")
def fitted():
    sim = clv.simulate_bgnbd(20_000, **BG_TRUE, T=np.random.default_rng(3).integers(7, 365, 20_000) / 7,
                             seed=3, resolution=1 / 7)
    sim["monetary_value"] = clv.simulate_gamma_gamma(sim["frequency"], **GG_TRUE, seed=3)
    return sim, clv.BGNBDModel().fit(sim, time_unit="W"), clv.GammaGammaModel().fit(sim)


def test_clv_without_discount_is_spend_times_expected_purchases(fitted):
    sim, bg, gg = fitted
    value = clv.customer_lifetime_value(bg, gg, sim, horizon_months=12, discount_rate=0.0, margin=1.0)
    expected = gg.expected_average_spend(sim) * bg.expected_purchases(12 * clv.DAYS_PER_MONTH / 7, sim)
    np.testing.assert_allclose(value, expected, rtol=1e-10)


def test_clv_discounting_margin_and_rate_periods(fitted):
    sim, bg, gg = fitted
    monthly = clv.customer_lifetime_value(bg, gg, sim, horizon_months=24, discount_rate=0.01)
    yearly = clv.customer_lifetime_value(bg, gg, sim, horizon_months=24, discount_rate=1.01 ** 12 - 1,
                                         rate_period="year")
    np.testing.assert_allclose(monthly, yearly, rtol=1e-12)
    half = clv.customer_lifetime_value(bg, gg, sim, horizon_months=24, discount_rate=0.01, margin=0.5)
    np.testing.assert_allclose(half, 0.5 * monthly, rtol=1e-12)
    undiscounted = clv.customer_lifetime_value(bg, gg, sim, horizon_months=24, discount_rate=0.0)
    assert np.all(monthly < undiscounted) and np.all(monthly > undiscounted / 1.01 ** 24)
    np.testing.assert_allclose(clv.monthly_discount_factors(3, 0.1, "year"), 1.1 ** (-np.arange(1, 4) / 12))


def test_clv_with_pareto_and_constant_spend(fitted):
    sim, _, _ = fitted
    pn = clv.ParetoNBDModel.from_params(PN_TRUE, time_unit="W")
    value = clv.customer_lifetime_value(pn, 25.0, sim, horizon_months=6, discount_rate=0.0)
    np.testing.assert_allclose(value, 25.0 * pn.expected_purchases(6 * clv.DAYS_PER_MONTH / 7, sim), rtol=1e-10)


def test_gamma_gamma_posterior_mean_shrinks_towards_population(fitted):
    _, _, gg = fitted
    p, q, g = gg.params_
    rfm = {"frequency": [0, 1, 100], "monetary_value": [0.0, 200.0, 200.0]}
    spend = gg.expected_average_spend(rfm)
    assert spend[0] == pytest.approx(gg.population_mean_spend())
    assert spend[0] < spend[1] < spend[2] < 200.0
    assert spend[1] == pytest.approx((g + 200.0) * p / (p + q - 1))


# ---------------------------------------------------------------- checks and plots
def test_independence_check_warns_on_correlated_spend():
    x = np.tile(np.arange(1, 11), 30)
    m = 10.0 + 5.0 * x + np.random.default_rng(1).normal(0, 1, x.size)
    with pytest.warns(clv.CLVAssumptionWarning, match=r"correlated \(r = 1.00 over 300 customers"):
        check = clv.spend_frequency_correlation({"frequency": x, "monetary_value": m})
    assert not check.passed and check.correlation > 0.9 and check.n_customers == 300


def test_plots_return_labelled_figures():
    tx = clv.load_cdnow()
    split = clv.calibration_and_holdout(tx, "1997-09-30", "1998-06-30", freq="D", time_unit="W")
    model = clv.BGNBDModel().fit(split)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # no pyplot/backend warnings
        figs = [clv.plot_calibration_holdout(model, split), clv.plot_tracking(model, tx, "1997-09-30", "1998-06-30")]
    for fig in figs:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert "(count" in ax.get_ylabel() and ax.get_xlabel() and ax.get_title()
        assert len(ax.get_lines()) >= 2
    assert "39 weeks" in figs[0].axes[0].get_title()


def test_compression_round_trip():
    sim = clv.simulate_bgnbd(5000, **BG_TRUE, T=30.0, seed=8, resolution=1 / 7)
    x, tx, T = (sim[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    c = compress_rows(x, tx, T)
    assert c.w.sum() == 5000 and c.x.size < 5000
    np.testing.assert_array_equal(c.x[c.inverse], x)
    np.testing.assert_array_equal(c.tx[c.inverse], tx)
    np.testing.assert_array_equal(c.T[c.inverse], T)
    assert isinstance(_BGData(c), _BGData) and isinstance(_ParetoData(c), _ParetoData)
