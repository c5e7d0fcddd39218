"""Before / after comparisons: how large is a shift, with a confidence interval and a p-value.

:func:`compare_windows` compares two windows of weeks of a weekly series (autocorrelation-corrected);
:func:`compare_samples` compares two samples of unit records (Welch). :data:`WINDOW_WEEKS` is the longest
window on either side of a change.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = [
    "WINDOW_WEEKS", "compare_samples", "compare_windows",
]


WINDOW_WEEKS = 26          # longest before / after window of a comparison, in weeks


def compare_samples(before: np.ndarray, after: np.ndarray, alpha: float = 0.05) -> dict:
    """Welch comparison of two independent samples (e.g. survey answers before and after a date).

    Returns
    -------
    dict
        ``n_before, n_after, before, after`` (means), ``diff`` (after - before), ``ci_low, ci_high``
        (``1 - alpha`` interval of ``diff``), ``p`` (two-sided Welch t-test) and ``hedges_g`` (standardised
        effect size: diff / pooled SD with the small-sample correction).
    """
    a = np.asarray(before, dtype=float)
    b = np.asarray(after, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    na, nb = len(a), len(b)
    out = {"n_before": na, "n_after": nb, "before": float(a.mean()) if na else np.nan,
           "after": float(b.mean()) if nb else np.nan}
    out["diff"] = out["after"] - out["before"]
    if na < 2 or nb < 2:
        return {**out, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan, "hedges_g": np.nan}
    va, vb = a.var(ddof=1), b.var(ddof=1)
    se = np.sqrt(va / na + vb / nb)
    if se == 0:
        p = 1.0 if out["diff"] == 0 else 0.0
        return {**out, "ci_low": out["diff"], "ci_high": out["diff"], "p": p, "hedges_g": np.nan}
    df = (va / na + vb / nb) ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    q = stats.t.ppf(1 - alpha / 2, df)
    pooled = np.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
    j = 1 - 3 / (4 * (na + nb) - 9)
    return {**out, "ci_low": out["diff"] - q * se, "ci_high": out["diff"] + q * se,
            "p": float(2 * stats.t.sf(abs(out["diff"]) / se, df)),
            "hedges_g": float(j * out["diff"] / pooled) if pooled > 0 else np.nan}


def compare_windows(z: np.ndarray, w: np.ndarray, before: np.ndarray, after: np.ndarray, rho: float = 0.0,
                    alpha: float = 0.05) -> dict:
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
    dict
        ``before, after`` (weighted means), ``diff``, ``se``, ``ci_low``, ``ci_high``, ``p``, ``weeks_before``,
        ``weeks_after``, ``std_effect`` (diff / weekly noise SD).
    """
    z = np.asarray(z, dtype=float)
    w = np.where(np.isfinite(z), np.asarray(w, dtype=float), 0.0)
    z = np.where(w > 0, z, 0.0)
    bm, am = before & (w > 0), after & (w > 0)
    wb, wa = w[bm].sum(), w[am].sum()
    k = int(bm.sum() + am.sum())
    out = {"weeks_before": int(bm.sum()), "weeks_after": int(am.sum())}
    if wb <= 0 or wa <= 0 or k < 4:
        return {**out, "before": np.nan, "after": np.nan, "diff": np.nan, "se": np.nan, "ci_low": np.nan,
                "ci_high": np.nan, "p": np.nan, "std_effect": np.nan}
    mb, ma = (w[bm] * z[bm]).sum() / wb, (w[am] * z[am]).sum() / wa
    ss = (w[bm] * (z[bm] - mb) ** 2).sum() + (w[am] * (z[am] - ma) ** 2).sum()
    tau2 = ss / (k - 2)
    lr = (1 + rho) / (1 - rho)
    se = float(np.sqrt(tau2 * lr * (1 / wb + 1 / wa)))
    diff = ma - mb
    q = stats.t.ppf(1 - alpha / 2, k - 2)
    p = float(2 * stats.t.sf(abs(diff) / se, k - 2)) if se > 0 else float(diff == 0)
    typical_w = (wb + wa) / k
    return {**out, "before": mb, "after": ma, "diff": diff, "se": se, "ci_low": diff - q * se,
            "ci_high": diff + q * se, "p": p,
            "std_effect": diff / np.sqrt(tau2 / typical_w) if tau2 > 0 else np.nan}
