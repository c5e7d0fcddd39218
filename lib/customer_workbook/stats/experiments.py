"""Randomised tests of two proportions: what a campaign measurably changed, and how big a test must be.

The *uplift* of a treatment is the outcome rate of the treated minus that of the control group. Its
standard error is ``sqrt(p_t (1 - p_t) / n_t + p_c (1 - p_c) / n_c)``; with a few hundred customers per
arm the normal approximation gives the interval and the two-sided p-value. An outcome measured in money
(spend per customer) is compared as a difference of means with Welch's interval
(:func:`welch_mean_difference`), which allows the arms different variances. Planning runs the other way:
:func:`sample_size_two_proportions` finds the customers per arm needed to detect a given uplift.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

__all__ = ["MeanDifference", "SampleSize", "Uplift", "minimum_detectable_effect", "sample_size_two_proportions",
           "two_proportion_uplift", "welch_mean_difference"]


@dataclass(frozen=True)
class Uplift:
    """A measured uplift (rates 0-1) with its standard error, interval at ``level`` and two-sided p-value.
    Rates, uplift and error are NaN when an arm is empty; the p-value is NaN when the error is 0."""

    n_treated: int
    n_control: int
    rate_treated: float
    rate_control: float
    uplift: float
    se: float
    low: float
    high: float
    p_value: float
    level: float


@dataclass(frozen=True)
class SampleSize:
    """Customers needed per arm of a two-proportion test (:func:`sample_size_two_proportions`).

    ``effect_size`` is Cohen's h (radians of the arcsine scale); ``n_control`` and ``n_treated`` are the
    unrounded solutions (customers), ``*_ceil`` rounded up, ``total`` the customers of both arms."""

    effect_size: float
    n_control: float
    n_treated: float
    n_control_ceil: int
    n_treated_ceil: int
    total: int


def two_proportion_uplift(outcome, treated, level: float = 0.90) -> Uplift:
    """Uplift of a randomised test from per-customer ``outcome`` (0/1) and ``treated`` (bool) arrays."""
    y = np.asarray(outcome, dtype=float)
    t = np.asarray(treated, dtype=bool)
    n_t, n_c = int(t.sum()), int((~t).sum())
    if n_t == 0 or n_c == 0:
        nan = float("nan")
        return Uplift(n_t, n_c, nan, nan, nan, nan, nan, nan, nan, level)
    p_t, p_c = float(y[t].mean()), float(y[~t].mean())
    u = p_t - p_c
    se = float(np.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c))
    z = stats.norm.ppf(0.5 + level / 2)
    p = float(2 * stats.norm.sf(abs(u) / se)) if se > 0 else float("nan")
    return Uplift(n_t, n_c, p_t, p_c, u, se, u - z * se, u + z * se, p, level)


@dataclass(frozen=True)
class MeanDifference:
    """Treated minus control mean of a measured outcome (e.g. spend per customer, currency units) with
    Welch's standard error, interval at ``level`` (Student t with Welch-Satterthwaite degrees of freedom
    ``df``) and two-sided p-value. NaN when an arm has fewer than 2 customers; the p-value is NaN when the
    error is 0."""

    n_treated: int
    n_control: int
    mean_treated: float
    mean_control: float
    difference: float
    se: float
    df: float
    low: float
    high: float
    p_value: float
    level: float


def welch_mean_difference(values, treated, level: float = 0.90) -> MeanDifference:
    """Difference of means of a randomised test from per-customer ``values`` and ``treated`` (bool) arrays.

    ``se = sqrt(s_t^2 / n_t + s_c^2 / n_c)`` with the arms' sample variances; the interval is
    ``difference +- t_{df} * se`` (Welch, 1947), robust to unequal variances such as a spend that is zero for
    most customers and large for a few.
    """
    y = np.asarray(values, dtype=float)
    t = np.asarray(treated, dtype=bool)
    n_t, n_c = int(t.sum()), int((~t).sum())
    if n_t < 2 or n_c < 2:
        nan = float("nan")
        return MeanDifference(n_t, n_c, nan, nan, nan, nan, nan, nan, nan, nan, level)
    m_t, m_c = float(y[t].mean()), float(y[~t].mean())
    v_t, v_c = float(y[t].var(ddof=1)) / n_t, float(y[~t].var(ddof=1)) / n_c
    se = float(np.sqrt(v_t + v_c))
    d = m_t - m_c
    if se == 0:
        return MeanDifference(n_t, n_c, m_t, m_c, d, 0.0, float("nan"), d, d, float("nan"), level)
    df = (v_t + v_c) ** 2 / (v_t ** 2 / (n_t - 1) + v_c ** 2 / (n_c - 1))
    q = float(stats.t.ppf(0.5 + level / 2, df))
    p = float(2 * stats.t.sf(abs(d) / se, df))
    return MeanDifference(n_t, n_c, m_t, m_c, d, se, float(df), d - q * se, d + q * se, p, level)


def _two_sided_power(h: float, n1: float, ratio: float, alpha: float) -> float:
    z = stats.norm.ppf(1 - alpha / 2)
    se = np.sqrt(1 / n1 + 1 / (n1 * ratio))
    d = abs(h) / se
    return float(stats.norm.cdf(d - z) + stats.norm.cdf(-d - z))


def sample_size_two_proportions(p_control: float, mde: float, alpha: float = 0.05, power: float = 0.8,
                                ratio: float = 1.0) -> SampleSize:
    """Customers needed per arm to detect a change from ``p_control`` to ``p_control + mde``.

    Two-sided z-test on Cohen's effect size ``h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1))`` (the arcsine
    transform stabilises the variance), solving ``power = Phi(|h|/se - z) + Phi(-|h|/se - z)`` with
    ``se = sqrt(1/n1 + 1/n2)`` exactly (both tails), as statsmodels' ``NormalIndPower`` does.

    Parameters
    ----------
    p_control : float
        Outcome rate without the treatment (0-1).
    mde : float
        Minimum detectable effect, absolute (e.g. 0.05 = five percentage points).
    alpha, power : float
        Significance level (two-sided) and power.
    ratio : float
        Treated customers per control customer.

    Returns
    -------
    SampleSize
        ``effect_size`` (h), ``n_control`` (customers, unrounded), ``n_treated``, ``n_control_ceil``,
        ``n_treated_ceil``, ``total`` (rounded up).

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., ch. 6.
    """
    p2 = p_control + mde
    if not (0 < p_control < 1 and 0 < p2 < 1):
        raise ValueError("p_control and p_control + mde must lie strictly between 0 and 1.")
    if mde == 0:
        raise ValueError("mde must not be 0.")
    h = 2 * np.arcsin(np.sqrt(p2)) - 2 * np.arcsin(np.sqrt(p_control))
    z_a, z_b = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    guess = (z_a + z_b) ** 2 * (1 + 1 / ratio) / h ** 2
    n1 = optimize.brentq(lambda n: _two_sided_power(h, n, ratio, alpha) - power, 1e-6, guess * 2 + 10, xtol=1e-10)
    n2 = n1 * ratio
    return SampleSize(float(h), float(n1), float(n2), int(np.ceil(n1)), int(np.ceil(n2)),
                      int(np.ceil(n1) + np.ceil(n2)))


def minimum_detectable_effect(p_control: float, n_control: float, alpha: float = 0.05, power: float = 0.8,
                              ratio: float = 1.0) -> float:
    """Smallest absolute increase over ``p_control`` detectable with ``n_control`` control customers.

    Inverse of :func:`sample_size_two_proportions` (NaN when even ``p_control -> 1`` is not detectable).
    """
    h_max = 2 * np.arcsin(1.0) - 2 * np.arcsin(np.sqrt(p_control)) - 1e-9
    if _two_sided_power(h_max, n_control, ratio, alpha) < power:
        return float("nan")
    h = optimize.brentq(lambda h: _two_sided_power(h, n_control, ratio, alpha) - power, 1e-9, h_max)
    p2 = np.sin((h + 2 * np.arcsin(np.sqrt(p_control))) / 2) ** 2
    return float(p2 - p_control)
