"""Multiple testing: adjusted p-values, NaN kept as NaN, shape like the input; and the two-sided test of two
observed proportions."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["benjamini_hochberg", "holm", "two_proportion_p_value"]


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values (Holm 1979): controls the chance of any false positive among a
    few planned comparisons, uniformly more powerful than Bonferroni."""
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q)
    adj = np.maximum.accumulate((m - np.arange(m)) * q[order])
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (1995): controls the false discovery rate, the expected share
    of false positives among the tests called significant; suited to screening many metrics or groups."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    ok = np.isfinite(p)
    m = int(ok.sum())
    if m == 0:
        return out
    order = np.argsort(p[ok])
    ranked = p[ok][order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def two_proportion_p_value(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the pooled z-test that ``x1`` of ``n1`` and ``x2`` of ``n2`` come from the same
    proportion (counts of customers or orders); NaN when a group is empty or the pooled rate is 0 or 1."""
    from scipy import stats

    if min(n1, n2) <= 0:
        return float("nan")
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return float(2 * stats.norm.sf(abs(x1 / n1 - x2 / n2) / se)) if se > 0 else float("nan")
