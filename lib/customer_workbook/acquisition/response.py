"""Spend response: how many new customers a channel brings at each level of weekly spend.

A channel's weekly new customers saturate with spend: the Hill curve ``vmax * s^h / (k^h + s^h)`` has a
ceiling ``vmax`` (new customers per week), a half-saturation spend ``k`` (currency units per week) and a
shape ``h`` (above 1: an S-curve, the channel needs a minimum presence). Spend may work with a delay,
modelled as a normalised geometric carry-over (:func:`adstock`). :func:`fit_response_curve` fits both by
Poisson maximum likelihood of weekly new customers, with a multiplicative baseline (trend from one year of
weeks, yearly season from two, :func:`baseline_design`) so that new customers who follow the calendar are not
credited to spend that follows it too; it keeps the baseline and the carry-over only when likelihood-ratio
tests support them, and draws a parametric bootstrap for uncertainty; :func:`marginal_cac_table` turns the
curves into the cost of the last customer at several spend levels.

Units: spends are *weekly* (currency units per week), counts are new customers per week; the weekly
marketing series stays in weeks. References: Hill (1910) for the saturation curve; Jin et al. (2017),
"Bayesian methods for media mix modeling with carryover and shape effects" (Google), for the Hill +
geometric adstock form used in media-mix models.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..threads import one_thread

#: Fewest weeks of spend for a response curve (a two-fold held-out check then has 6 weeks per fold).
MIN_WEEKS = 12
#: Fewest weeks for a trend in the baseline of new customers, and for a yearly season (two years).
TREND_WEEKS, SEASON_WEEKS = 52, 104
#: Weeks whose mean baseline is "today's" (the same window as today's spend in step 3).
CURRENT_WEEKS = 52
#: Least week-to-week variation of spend (standard deviation of log weekly spend) from which a curve is read.
MIN_SPEND_VARIATION = 0.05

__all__ = ["CURRENT_WEEKS", "MIN_SPEND_VARIATION", "MIN_WEEKS", "SEASON_WEEKS", "TREND_WEEKS", "ResponseCurve",
           "adstock", "baseline_design", "fit_response_curve", "fit_response_curves", "hill", "hill_derivative",
           "marginal_cac_table"]


def hill(spend, vmax, k, shape):
    """Hill saturation curve ``vmax * s^h / (k^h + s^h)``: new customers per week at weekly spend ``s``.

    Broadcasts over arrays; negative spends count as zero.
    """
    s = np.maximum(np.asarray(spend, dtype=float), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(s > 0, (s / k) ** shape, 0.0)
    return vmax * ratio / (1.0 + ratio)


def hill_derivative(spend, vmax, k, shape):
    """d hill / d spend (new customers per currency unit), shape of ``spend``."""
    s = np.maximum(np.asarray(spend, dtype=float), 1e-12)
    x = (s / k) ** shape
    return vmax * shape * x / (s * (1.0 + x) ** 2)


def adstock(spend, theta: float) -> np.ndarray:
    """Normalised geometric carry-over: ``a_t = (1 - theta) s_t + theta a_{t-1}``, ``a_0 = s_0``.

    A constant spend stays the same level (so response curves keep their steady-state meaning);
    ``theta = 0`` returns the spend unchanged. Shape of ``spend`` (1-D, weeks in order).
    """
    s = np.asarray(spend, dtype=float)
    if theta <= 0:
        return s.copy()
    from scipy.signal import lfilter

    out, _ = lfilter([1 - theta], [1, -theta], s, zi=[theta * s[0]])
    return out


@dataclass(frozen=True)
class ResponseCurve:
    """A fitted spend-response curve of one channel: steady-state new customers per week = hill(spend).

    ``vmax`` (new customers per week), ``k`` (weekly spend, currency units), ``shape``: the Hill curve;
    ``theta``: carry-over of spend into the next week (0-0.9, 0 = none); ``dispersion``: Pearson
    over-dispersion of the weekly counts (1 = Poisson); ``loglik``: Poisson log-likelihood (up to a
    constant); ``n_weeks``: weeks fitted; ``max_spend``: highest weekly spend in the data;
    ``carryover_p``: p-value of the likelihood-ratio test for carry-over (NaN when not tested);
    ``draws``: bootstrap (vmax, k, shape, theta), shape (n_boot, 4); ``heldout_gain``: held-out Poisson
    log-likelihood per week of the curve minus that of the flat baseline (every week the training weeks'
    mean), from a two-fold split of alternate weeks (positive: the curve predicts better than the baseline;
    NaN with fewer than ``MIN_WEEKS`` weeks); ``at_bound``: the parameters (``vmax``, ``k``) that ended on
    a bound of the fit, where the data do not pin the curve down; ``baseline``: the terms of the
    multiplicative baseline kept (``"trend"``, ``"season"``; with them ``vmax`` is the ceiling at the mean
    baseline of the last :data:`CURRENT_WEEKS` weeks); ``baseline_p``: p-value of the likelihood-ratio test
    for that baseline (NaN when not tested); ``spend_variation``: standard deviation of log weekly spend
    (below :data:`MIN_SPEND_VARIATION` the curve is not identified).
    """

    channel: str
    vmax: float
    k: float
    shape: float
    theta: float
    dispersion: float
    loglik: float
    n_weeks: int
    max_spend: float
    carryover_p: float = float("nan")
    draws: np.ndarray = field(default_factory=lambda: np.empty((0, 4)), repr=False)
    heldout_gain: float = float("nan")
    at_bound: tuple = ()
    baseline: tuple = ()
    baseline_p: float = float("nan")
    spend_variation: float = float("nan")

    @property
    def problem(self) -> str | None:
        """Why the curve should not be used (plain text), or None: fewer than ``MIN_WEEKS`` weeks, a ceiling
        or half-saturation spend on a bound of the fit, spend that hardly varies from week to week, or no
        better than the flat baseline on held-out weeks."""
        if self.n_weeks < MIN_WEEKS:
            return f"{self.n_weeks} weeks of spend, fewer than the {MIN_WEEKS} a response curve needs"
        if self.spend_variation < MIN_SPEND_VARIATION:
            return (f"spend hardly varies from week to week ({self.spend_variation:.0%} typical change, at least "
                    f"{MIN_SPEND_VARIATION:.0%} needed), so its effect cannot be measured")
        if self.at_bound:
            return (f"the data do not pin the curve down ({' and '.join(self.at_bound)} at the edge of the "
                    "plausible range)")
        if not self.heldout_gain > 0:
            return "it predicts held-out weeks no better than a flat weekly average"
        return None

    @property
    def ok(self) -> bool:
        """True when :attr:`problem` is None: the curve beats the flat baseline and its parameters are pinned down."""
        return self.problem is None

    def predict(self, spend):
        """Expected new customers per week at a constant weekly ``spend`` (array-like)."""
        return hill(spend, self.vmax, self.k, self.shape)

    def marginal(self, spend):
        """Extra new customers per extra currency unit of weekly spend."""
        return hill_derivative(spend, self.vmax, self.k, self.shape)

    def cac(self, spend):
        """Average CAC at a constant weekly ``spend`` (currency units per customer)."""
        return np.asarray(spend, dtype=float) / np.maximum(self.predict(spend), 1e-12)

    def marginal_cac(self, spend):
        """Cost of the last customer at ``spend``: 1 / marginal (currency units per customer)."""
        return 1.0 / np.maximum(self.marginal(spend), 1e-15)

    def draw_predict(self, spend) -> np.ndarray:
        """Bootstrap predictions, shape (n_draws, len(spend))."""
        d = self.draws
        return hill(np.atleast_1d(spend)[None, :], d[:, :1], d[:, 1:2], d[:, 2:3])

    def draw_marginal(self, spend) -> np.ndarray:
        """Bootstrap marginal responses (new customers per currency unit), shape (n_draws, len(spend))."""
        d = self.draws
        return hill_derivative(np.atleast_1d(spend)[None, :], d[:, :1], d[:, 1:2], d[:, 2:3])


def baseline_design(n_weeks: int, weeks=None) -> np.ndarray:
    """Columns of the multiplicative baseline of weekly new customers, shape (n_weeks, p), p in {0, 1, 3}.

    A linear trend (years from the middle of the data) from :data:`TREND_WEEKS` weeks; a yearly sine and
    cosine from :data:`SEASON_WEEKS` weeks (a season is only told apart from spend with two years). ``weeks``:
    the week dates (any gaps are respected); without them the weeks are taken as consecutive.
    """
    if weeks is None:
        t = np.arange(n_weeks) * 7 / 365.25
    else:
        w = pd.to_datetime(pd.Series(weeks)).reset_index(drop=True)
        t = ((w - w.iloc[0]).dt.days.to_numpy() / 365.25) if n_weeks else np.zeros(0)
    cols = []
    if n_weeks >= TREND_WEEKS:
        cols.append(t - t.mean())
    if n_weeks >= SEASON_WEEKS:
        cols += [np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)]
    return np.column_stack(cols) if cols else np.zeros((n_weeks, 0))


def _current_level(X: np.ndarray, beta: np.ndarray, weeks: int = CURRENT_WEEKS) -> float:
    """Mean baseline multiplier ``exp(X beta)`` over the last ``weeks`` weeks (1 without baseline terms)."""
    return float(np.mean(np.exp(X[-weeks:] @ beta))) if X.shape[1] else 1.0


def _poisson_nll(z, s, y, X, fixed_theta=None):
    """Negative Poisson log-likelihood (up to a constant) of the Hill curve on adstocked spend times the
    baseline ``exp(X beta)``; ``z`` = (log vmax, log k, log shape, beta..., logit carry-over)."""
    p = X.shape[1]
    vmax, k, h = np.exp(z[:3])
    theta = (1 / (1 + np.exp(-z[3 + p]))) * 0.9 if fixed_theta is None else fixed_theta
    mu = np.maximum(hill(adstock(s, theta), vmax, k, h) * np.exp(X @ z[3:3 + p]), 1e-9)
    return float(np.sum(mu - y * np.log(mu)))


def _poisson_nll_grad(z, s, y, X):
    """Negative Poisson log-likelihood of the Hill curve (no carry-over) times the baseline ``exp(X beta)``
    and its gradient in (log vmax, log k, log shape, beta)."""
    vmax, k, h = np.exp(z[:3])
    pos = s > 0
    lr = np.where(pos, np.log(np.where(pos, s, 1.0) / k), 0.0)
    x = np.where(pos, np.exp(np.clip(h * lr, -700, 700)), 0.0)
    mu = vmax * x / (1 + x) * np.exp(X @ z[3:])
    mu_c = np.maximum(mu, 1e-9)
    f = float(np.sum(mu_c - y * np.log(mu_c)))
    r = 1 - y / mu_c
    d = mu / (1 + x)
    g = np.concatenate([[np.sum(r * mu), np.sum(r * -h * d), np.sum(r * d * h * lr)], X.T @ (r * mu)])
    return f, g


def _fit_hill(s, y, X, carryover: bool, starts: list[np.ndarray], bounds, maxiter: int = 1000):
    """The best L-BFGS-B fit over ``starts`` (with or without carry-over). ``starts`` and ``bounds`` hold the
    three Hill parameters, one per column of ``X``, then the carry-over (dropped without carry-over)."""
    best = None
    m = 3 + X.shape[1]
    for z0 in starts:
        if carryover:
            res = optimize.minimize(_poisson_nll, z0, args=(s, y, X), method="L-BFGS-B", bounds=bounds,
                                    options={"maxiter": maxiter})
        else:
            res = optimize.minimize(_poisson_nll_grad, z0[:m], args=(s, y, X), jac=True, method="L-BFGS-B",
                                    bounds=bounds[:m], options={"maxiter": maxiter})
        if best is None or res.fun < best.fun:
            best = res
    return best


def _dispersion(y: np.ndarray, mu: np.ndarray, n_params: int) -> float:
    """Pearson over-dispersion of weekly counts around their means (at least 1)."""
    return max(1.0, float(np.sum((y - mu) ** 2 / np.maximum(mu, 1e-9)) / max(len(y) - n_params, 1)))


def _lr_p(null_fun: float, alt_fun: float, dispersion: float, df: int) -> float:
    """p-value of a likelihood-ratio test scaled by the over-dispersion (``*_fun``: negative log-likelihoods)."""
    return float(stats.chi2.sf(max(0.0, 2 * (null_fun - alt_fun) / dispersion), df))


def fit_response_curve(spend, new_customers, channel: str = "", carryover: str | bool = "auto",
                       n_boot: int = 100, seed: int = 0, alpha: float = 0.05, weeks=None,
                       baseline: str | bool = "auto") -> ResponseCurve:
    """Fit new customers per week against weekly spend with a Hill curve, by Poisson maximum likelihood.

    Parameters
    ----------
    spend, new_customers : array_like, shape (n_weeks,)
        Weekly spend (currency units) and new customers (counts), weeks in time order.
    channel : str
    carryover : {"auto", True, False}
        Geometric carry-over (:func:`adstock`). ``"auto"`` keeps it only when a likelihood-ratio test
        (with the over-dispersion of the fit) rejects "no carry-over" at level ``alpha``.
    n_boot : int
        Parametric bootstrap refits (negative-binomial noise matching the over-dispersion).
    seed : int
    weeks : array_like of dates, shape (n_weeks,), optional
        The week of each row, for the trend and the season (consecutive weeks when omitted).
    baseline : {"auto", True, False}
        A multiplicative baseline ``exp(trend + yearly season)`` (:func:`baseline_design`) shared by every
        level of spend, so that new customers who follow the calendar are not credited to spend that
        follows it too. ``"auto"`` keeps it only when a likelihood-ratio test rejects "no baseline" at level
        ``alpha``; the curve is then the response at the baseline of the last :data:`CURRENT_WEEKS` weeks.

    Returns
    -------
    ResponseCurve
        ``draws`` holds (vmax, k, shape, theta) per bootstrap refit, shape (n_boot, 4).
    """
    with one_thread():
        s = np.asarray(spend, dtype=float)
        return _fit_response_curve(s, np.asarray(new_customers, dtype=float), baseline_design(len(s), weeks),
                                   channel, carryover, baseline, n_boot, seed, alpha)


def _fit_response_curve(s, y, X_all, channel, carryover, baseline, n_boot, seed, alpha) -> ResponseCurve:
    """:func:`fit_response_curve` once threads are limited: the Hill fit (8 starts), the tests for a baseline
    and for carry-over, then ``n_boot`` refits on counts simulated from the chosen fit."""
    smax, ymax = max(float(s.max()), 1.0), max(float(y.max()), 1.0)
    med = float(np.median(s[s > 0])) if (s > 0).any() else smax
    hill_bounds = [(np.log(ymax * 0.05), np.log(ymax * 50)), (np.log(smax * 0.01), np.log(smax * 20)),
                   (np.log(0.5), np.log(4.0))]
    starts = [np.array([np.log(ymax * m), np.log(med * kk), np.log(h), -2.0])
              for m in (1.0, 3.0) for kk in (0.7, 2.0) for h in (1.0, 2.0)]
    X0 = X_all[:, :0]
    plain = _fit_hill(s, y, X0, False, starts, hill_bounds + [(-6.0, 6.0)])
    X, base, p_base = X0, plain, float("nan")
    if baseline and X_all.shape[1]:
        X, base, p_base = _with_baseline(s, y, X_all, plain, starts, hill_bounds, baseline, alpha)
    p = X.shape[1]
    bounds = hill_bounds + [(-3.0, 3.0)] * p + [(-6.0, 6.0)]
    z, theta, p_carry = np.append(base.x, -30.0), 0.0, float("nan")
    mu = hill(s, *np.exp(z[:3])) * np.exp(X @ z[3:3 + p])
    dispersion = _dispersion(y, mu, 3 + p)
    if carryover:
        withc = _fit_hill(s, y, X, True, [np.append(base.x, t) for t in (-2.0, 0.0, 1.5)], bounds)
        p_carry = _lr_p(base.fun, withc.fun, dispersion, 1)
        if carryover is True or p_carry < alpha:
            z = withc.x
            theta = float(0.9 / (1 + np.exp(-z[3 + p])))
            mu = hill(adstock(s, theta), *np.exp(z[:3])) * np.exp(X @ z[3:3 + p])
    nll = _poisson_nll(z[:3 + p], s, y, X, theta)
    draws = _bootstrap(s, X, z, theta, mu, dispersion, bounds, n_boot, np.random.default_rng(seed))
    level = _current_level(X, z[3:3 + p])
    vmax, k, h = np.exp(z[:3])
    edge = [name for name, value, (lo, hi) in (("vmax", z[0], bounds[0]), ("k", z[1], bounds[1]))
            if value <= lo + 1e-6 or value >= hi - 1e-6]
    terms = (("trend",) if p >= 1 else ()) + (("season",) if p >= 3 else ())
    return ResponseCurve(channel, float(vmax * level), float(k), float(h), theta, dispersion, -nll, len(y), smax,
                         p_carry, draws, _heldout_gain(s, y, starts, hill_bounds), tuple(edge), terms, p_base,
                         _spend_variation(s))


def _with_baseline(s, y, X_all, plain, starts, hill_bounds, baseline, alpha):
    """The baseline columns kept (all of ``X_all`` or none), the fit that goes with them and the p-value of
    the likelihood-ratio test of "no baseline" (over-dispersion of the fit with the baseline)."""
    p = X_all.shape[1]
    bounds = hill_bounds + [(-3.0, 3.0)] * p
    withb = _fit_hill(s, y, X_all, False, [np.concatenate([z0[:3], np.zeros(p)]) for z0 in (plain.x, *starts[:2])],
                      bounds)
    mu = hill(s, *np.exp(withb.x[:3])) * np.exp(X_all @ withb.x[3:])
    p_base = _lr_p(plain.fun, withb.fun, _dispersion(y, mu, 3 + p), p)
    if baseline is True or p_base < alpha:
        return X_all, withb, p_base
    return X_all[:, :0], plain, p_base


def _bootstrap(s, X, z, theta, mu, dispersion, bounds, n_boot, rng) -> np.ndarray:
    """``n_boot`` refits on counts simulated from the fitted means ``mu`` (negative-binomial noise with the
    over-dispersion), with the fit's baseline and carry-over; rows (vmax at the current baseline, k, shape,
    theta), shape (n_boot, 4)."""
    p, use_c = X.shape[1], theta > 0
    draws = np.empty((n_boot, 4))
    for b in range(n_boot):
        lam = rng.gamma(mu / (dispersion - 1.0), dispersion - 1.0) if dispersion > 1.0 else mu
        yb = rng.poisson(np.maximum(lam, 0))
        start = z if use_c else np.append(z[:3 + p], -2.0)
        zb = _fit_hill(s, yb, X, use_c, [start], bounds, maxiter=200).x
        level = _current_level(X, zb[3:3 + p])
        draws[b] = [np.exp(zb[0]) * level, *np.exp(zb[1:3]), (0.9 / (1 + np.exp(-zb[3 + p]))) if use_c else 0.0]
    return draws


def _spend_variation(s: np.ndarray) -> float:
    """Standard deviation of log weekly spend over the weeks with spend (NaN with fewer than two such weeks)."""
    pos = s[s > 0]
    return float(np.std(np.log(pos), ddof=1)) if len(pos) > 1 else float("nan")


def _heldout_gain(s: np.ndarray, y: np.ndarray, starts: list[np.ndarray], bounds) -> float:
    """Held-out Poisson log-likelihood per week of the Hill curve (no carry-over) minus the flat baseline,
    two folds of alternate weeks; NaN with fewer than ``MIN_WEEKS`` weeks."""
    if len(y) < MIN_WEEKS:
        return float("nan")
    gain, X0 = 0.0, np.zeros((len(y), 0))
    for fold in (0, 1):
        train = np.arange(len(y)) % 2 == fold
        fit = _fit_hill(s[train], y[train], X0[train], False, starts, bounds)
        mu = np.maximum(hill(s[~train], *np.exp(fit.x)), 1e-9)
        flat = max(float(y[train].mean()), 1e-9)
        gain += float(np.sum(y[~train] * np.log(mu) - mu) - np.sum(y[~train] * np.log(flat) - flat))
    return gain / len(y)


def fit_response_curves(marketing: pd.DataFrame, carryover: str | bool = "auto", n_boot: int = 100,
                        seed: int = 0, baseline: str | bool = "auto") -> dict[str, ResponseCurve]:
    """:func:`fit_response_curve` for every channel of the ``marketing`` table (weeks sorted)."""
    out = {}
    mk = marketing.sort_values("week")
    with one_thread():
        for j, (ch, g) in enumerate(mk.groupby(mk["channel"].astype(str), sort=True)):
            out[ch] = fit_response_curve(g["spend"].to_numpy(), g["new_customers"].to_numpy(), ch, carryover,
                                         n_boot, seed + j, weeks=g["week"].to_numpy(), baseline=baseline)
    return out


def marginal_cac_table(curves: dict[str, ResponseCurve], current: dict[str, float],
                       multiples=(0.5, 1.0, 1.5, 2.0)) -> pd.DataFrame:
    """Average and marginal CAC at several multiples of today's weekly spend, with 90% bootstrap intervals.

    Returns
    -------
    DataFrame
        ``channel``, ``multiple``, ``spend`` (weekly), ``new_per_week``, ``cac``, ``marginal_cac``,
        ``marginal_cac_low``, ``marginal_cac_high``.
    """
    rows = []
    for ch, c in curves.items():
        s = np.array([m * current[ch] for m in multiples])
        mc = 1.0 / np.maximum(c.draw_marginal(s), 1e-15) if len(c.draws) else np.full((1, len(s)), np.nan)
        for i, m in enumerate(multiples):
            rows.append({"channel": ch, "multiple": m, "spend": s[i], "new_per_week": float(c.predict(s[i])),
                         "cac": float(c.cac(s[i])), "marginal_cac": float(c.marginal_cac(s[i])),
                         "marginal_cac_low": float(np.quantile(mc[:, i], 0.05)),
                         "marginal_cac_high": float(np.quantile(mc[:, i], 0.95))})
    return pd.DataFrame(rows)

