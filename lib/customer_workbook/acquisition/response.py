"""Spend response: how many new customers a channel brings at each level of weekly spend.

A channel's weekly new customers saturate with spend: the Hill curve ``vmax * s^h / (k^h + s^h)`` has a
ceiling ``vmax`` (new customers per week), a half-saturation spend ``k`` (currency units per week) and a
shape ``h`` (above 1: an S-curve, the channel needs a minimum presence). Spend may work with a delay,
modelled as a normalised geometric carry-over (:func:`adstock`). :func:`fit_response_curve` fits both by
Poisson maximum likelihood of weekly new customers, keeps the carry-over only when a likelihood-ratio test
supports it, and draws a parametric bootstrap for uncertainty; :func:`marginal_cac_table` turns the
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

__all__ = ["MIN_WEEKS", "ResponseCurve", "adstock", "fit_response_curve", "fit_response_curves", "hill", "hill_derivative",
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
    a bound of the fit, where the data do not pin the curve down.
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

    @property
    def problem(self) -> str | None:
        """Why the curve should not be used (plain text), or None: fewer than ``MIN_WEEKS`` weeks, a ceiling
        or half-saturation spend on a bound of the fit, or no better than the flat baseline on held-out weeks."""
        if self.n_weeks < MIN_WEEKS:
            return f"{self.n_weeks} weeks of spend, fewer than the {MIN_WEEKS} a response curve needs"
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


def _poisson_nll(z, s, y, fixed_theta=None):
    """Negative Poisson log-likelihood (up to a constant) of the Hill curve on adstocked spend, log-parameters."""
    vmax, k, h = np.exp(z[:3])
    theta = (1 / (1 + np.exp(-z[3]))) * 0.9 if fixed_theta is None else fixed_theta
    mu = np.maximum(hill(adstock(s, theta), vmax, k, h), 1e-9)
    return float(np.sum(mu - y * np.log(mu)))


def _poisson_nll_grad(z, s, y, fixed_theta=0.0):
    """Negative Poisson log-likelihood of the Hill curve (no carry-over) and its gradient in log-parameters."""
    vmax, k, h = np.exp(z[:3])
    pos = s > 0
    lr = np.where(pos, np.log(np.where(pos, s, 1.0) / k), 0.0)
    x = np.where(pos, np.exp(np.clip(h * lr, -700, 700)), 0.0)
    mu = vmax * x / (1 + x)
    mu_c = np.maximum(mu, 1e-9)
    f = float(np.sum(mu_c - y * np.log(mu_c)))
    r = 1 - y / mu_c
    d = mu / (1 + x)
    g = np.array([np.sum(r * mu), np.sum(r * -h * d), np.sum(r * d * h * lr)])
    return f, g


def _fit_hill(s, y, carryover: bool, starts: list[np.ndarray], bounds, maxiter: int = 1000):
    """The best L-BFGS-B fit over ``starts`` (with or without carry-over)."""
    best = None
    for z0 in starts:
        if carryover:
            res = optimize.minimize(_poisson_nll, z0, args=(s, y), method="L-BFGS-B", bounds=bounds,
                                    options={"maxiter": maxiter})
        else:
            res = optimize.minimize(_poisson_nll_grad, z0[:3], args=(s, y), jac=True, method="L-BFGS-B",
                                    bounds=bounds[:3], options={"maxiter": maxiter})
        if best is None or res.fun < best.fun:
            best = res
    return best


def fit_response_curve(spend, new_customers, channel: str = "", carryover: str | bool = "auto",
                       n_boot: int = 100, seed: int = 0, alpha: float = 0.05) -> ResponseCurve:
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

    Returns
    -------
    ResponseCurve
        ``draws`` holds (vmax, k, shape, theta) per bootstrap refit, shape (n_boot, 4).
    """
    with one_thread():
        return _fit_response_curve(spend, new_customers, channel, carryover, n_boot, seed, alpha)


def _fit_response_curve(spend, new_customers, channel, carryover, n_boot, seed, alpha) -> ResponseCurve:
    """:func:`fit_response_curve` once threads are limited: the fit without carry-over (8 starts), the test
    for carry-over, then ``n_boot`` refits on counts simulated from the chosen fit."""
    s = np.asarray(spend, dtype=float)
    y = np.asarray(new_customers, dtype=float)
    rng = np.random.default_rng(seed)
    smax = max(float(s.max()), 1.0)
    ymax = max(float(y.max()), 1.0)
    med = float(np.median(s[s > 0])) if (s > 0).any() else smax
    bounds = [(np.log(ymax * 0.05), np.log(ymax * 50)), (np.log(smax * 0.01), np.log(smax * 20)),
              (np.log(0.5), np.log(4.0)), (-6.0, 6.0)]
    starts = [np.array([np.log(ymax * m), np.log(med * kk), np.log(h), -2.0])
              for m in (1.0, 3.0) for kk in (0.7, 2.0) for h in (1.0, 2.0)]
    base = _fit_hill(s, y, False, starts, bounds)
    z = np.append(base.x, -30.0)
    theta, p_carry = 0.0, float("nan")
    mu = hill(s, *np.exp(base.x))
    dispersion = max(1.0, float(np.sum((y - mu) ** 2 / np.maximum(mu, 1e-9)) / max(len(y) - 3, 1)))
    if carryover:
        withc = _fit_hill(s, y, True, [np.append(base.x, t) for t in (-2.0, 0.0, 1.5)], bounds)
        lr = max(0.0, 2 * (base.fun - withc.fun) / dispersion)
        p_carry = float(stats.chi2.sf(lr, 1))
        if carryover is True or p_carry < alpha:
            z = withc.x
            theta = float(0.9 / (1 + np.exp(-z[3])))
            mu = hill(adstock(s, theta), *np.exp(z[:3]))
    vmax, k, h = np.exp(z[:3])
    nll = _poisson_nll(z[:3], s, y, theta)
    draws = np.empty((n_boot, 4))
    use_c = theta > 0
    for b in range(n_boot):
        if dispersion > 1.0:
            lam = rng.gamma(mu / (dispersion - 1.0), dispersion - 1.0)
        else:
            lam = mu
        yb = rng.poisson(np.maximum(lam, 0))
        start = z if use_c else z[:3]
        res = _fit_hill(s, yb, use_c, [np.append(start[:3], z[3] if use_c else -2.0)], bounds, maxiter=200)
        zb = res.x
        draws[b] = [*np.exp(zb[:3]), (0.9 / (1 + np.exp(-zb[3]))) if use_c else 0.0]
    edge = [name for name, value, (lo, hi) in (("vmax", z[0], bounds[0]), ("k", z[1], bounds[1]))
            if value <= lo + 1e-6 or value >= hi - 1e-6]
    return ResponseCurve(channel, float(vmax), float(k), float(h), theta, dispersion, -nll, len(y), smax,
                         p_carry, draws, _heldout_gain(s, y, starts, bounds), tuple(edge))


def _heldout_gain(s: np.ndarray, y: np.ndarray, starts: list[np.ndarray], bounds) -> float:
    """Held-out Poisson log-likelihood per week of the Hill curve (no carry-over) minus the flat baseline,
    two folds of alternate weeks; NaN with fewer than ``MIN_WEEKS`` weeks."""
    if len(y) < MIN_WEEKS:
        return float("nan")
    gain = 0.0
    for fold in (0, 1):
        train = np.arange(len(y)) % 2 == fold
        fit = _fit_hill(s[train], y[train], False, starts, bounds)
        mu = np.maximum(hill(s[~train], *np.exp(fit.x)), 1e-9)
        flat = max(float(y[train].mean()), 1e-9)
        gain += float(np.sum(y[~train] * np.log(mu) - mu) - np.sum(y[~train] * np.log(flat) - flat))
    return gain / len(y)


def fit_response_curves(marketing: pd.DataFrame, carryover: str | bool = "auto", n_boot: int = 100,
                        seed: int = 0) -> dict[str, ResponseCurve]:
    """:func:`fit_response_curve` for every channel of the ``marketing`` table (weeks sorted)."""
    out = {}
    mk = marketing.sort_values("week")
    with one_thread():
        for j, (ch, g) in enumerate(mk.groupby(mk["channel"].astype(str), sort=True)):
            out[ch] = fit_response_curve(g["spend"].to_numpy(), g["new_customers"].to_numpy(), ch, carryover,
                                         n_boot, seed + j)
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

