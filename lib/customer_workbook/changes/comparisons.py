"""Before / after comparisons: how large is a shift, with a confidence interval and a p-value.

:func:`compare_windows` compares two windows of weeks of a weekly series (autocorrelation-corrected);
:func:`compare_samples` compares two samples of unit records (Welch). Both return a frozen result
(:class:`WindowComparison`, :class:`SampleComparison`) whose ``before``, ``after``, ``diff``, ``ci_low``,
``ci_high`` and ``p`` mean the same in each. :data:`WINDOW_WEEKS` is the longest window on either side of a
change.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "WINDOW_WEEKS", "SampleComparison", "WindowComparison", "compare_samples", "compare_windows",
]


WINDOW_WEEKS = 26          # longest before / after window of a comparison, in weeks


@dataclass(frozen=True)
class SampleComparison:
    """Result of :func:`compare_samples`: two samples of unit records, before and after.

    ``before`` and ``after`` are the sample means (NaN when a sample is empty), ``diff = after - before``,
    ``ci_low``/``ci_high`` its ``1 - alpha`` interval and ``p`` the two-sided Welch t-test (NaN with fewer than
    two values on a side); ``hedges_g`` is the standardised effect size (diff / pooled SD with the
    small-sample correction); ``n_before``/``n_after`` count the finite values.
    """

    n_before: int
    n_after: int
    before: float
    after: float
    diff: float
    ci_low: float = np.nan
    ci_high: float = np.nan
    p: float = np.nan
    hedges_g: float = np.nan


@dataclass(frozen=True)
class WindowComparison:
    """Result of :func:`compare_windows`: a weekly series in two windows of weeks.

    ``before`` and ``after`` are the weighted means of the windows (on the series' scale, e.g. log),
    ``diff = after - before`` with its standard error ``se``, ``ci_low``/``ci_high`` (``1 - alpha``) and
    two-sided ``p``; ``std_effect`` is diff / weekly noise SD; ``weeks_before``/``weeks_after`` count the weeks
    with data. All but the week counts are NaN when a window is empty or fewer than 4 weeks hold data.
    """

    weeks_before: int
    weeks_after: int
    before: float = np.nan
    after: float = np.nan
    diff: float = np.nan
    se: float = np.nan
    ci_low: float = np.nan
    ci_high: float = np.nan
    p: float = np.nan
    std_effect: float = np.nan


def compare_samples(before: np.ndarray, after: np.ndarray, alpha: float = 0.05) -> SampleComparison:
    """Welch comparison of two independent samples (e.g. survey answers before and after a date).

    Returns
    -------
    SampleComparison
        Means, their difference with a ``1 - alpha`` interval, the Welch p-value and Hedges' g.
    """
    a = np.asarray(before, dtype=float)
    b = np.asarray(after, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    na, nb = len(a), len(b)
    mean_a = float(a.mean()) if na else np.nan
    mean_b = float(b.mean()) if nb else np.nan
    diff = mean_b - mean_a
    out = {"n_before": na, "n_after": nb, "before": mean_a, "after": mean_b, "diff": diff}
    if na < 2 or nb < 2:
        return SampleComparison(**out)
    va, vb = a.var(ddof=1), b.var(ddof=1)
    se = np.sqrt(va / na + vb / nb)
    if se == 0:
        return SampleComparison(**out, ci_low=diff, ci_high=diff, p=1.0 if diff == 0 else 0.0)
    df = (va / na + vb / nb) ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    q = stats.t.ppf(1 - alpha / 2, df)
    pooled = np.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
    j = 1 - 3 / (4 * (na + nb) - 9)
    return SampleComparison(**out, ci_low=diff - q * se, ci_high=diff + q * se,
                            p=float(2 * stats.t.sf(abs(diff) / se, df)),
                            hedges_g=float(j * diff / pooled) if pooled > 0 else np.nan)


def compare_windows(z: np.ndarray, w: np.ndarray, before: np.ndarray, after: np.ndarray, rho: float = 0.0,
                    alpha: float = 0.05) -> WindowComparison:
    """Difference of weighted means of a weekly series between two windows of weeks.

    The weekly noise variance per unit weight is pooled from both windows (``tau2 = sum w (z - mean)^2 /
    (k - 2)``) and inflated by ``(1 + rho) / (1 - rho)`` for autocorrelated weeks; the interval uses a t
    distribution with ``k - 2`` degrees of freedom (``k`` weeks with data).

    Parameters
    ----------
    z, w
        Weekly values and weights, shape (n,).
    before, after
        Boolean masks (shape (n,)) of the weeks in each window.

    Returns
    -------
    WindowComparison
        Weighted means, their difference with standard error, interval and p-value, and the week counts.
    """
    z = np.asarray(z, dtype=float)
    w = np.where(np.isfinite(z), np.asarray(w, dtype=float), 0.0)
    z = np.where(w > 0, z, 0.0)
    bm, am = before & (w > 0), after & (w > 0)
    wb, wa = w[bm].sum(), w[am].sum()
    k = int(bm.sum() + am.sum())
    weeks = {"weeks_before": int(bm.sum()), "weeks_after": int(am.sum())}
    if wb <= 0 or wa <= 0 or k < 4:
        return WindowComparison(**weeks)
    mb, ma = (w[bm] * z[bm]).sum() / wb, (w[am] * z[am]).sum() / wa
    ss = (w[bm] * (z[bm] - mb) ** 2).sum() + (w[am] * (z[am] - ma) ** 2).sum()
    tau2 = ss / (k - 2)
    lr = (1 + rho) / (1 - rho)
    se = float(np.sqrt(tau2 * lr * (1 / wb + 1 / wa)))
    diff = ma - mb
    q = stats.t.ppf(1 - alpha / 2, k - 2)
    p = float(2 * stats.t.sf(abs(diff) / se, k - 2)) if se > 0 else float(diff == 0)
    typical_w = (wb + wa) / k
    return WindowComparison(**weeks, before=mb, after=ma, diff=diff, se=se, ci_low=diff - q * se,
                            ci_high=diff + q * se, p=p,
                            std_effect=diff / np.sqrt(tau2 / typical_w) if tau2 > 0 else np.nan)
