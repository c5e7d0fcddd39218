"""Is the best option clearly the best? Rules that name a winner only when the data separate it from noise.

Ranking options (product lines, sales channels, audiences) always puts one first, even when they are equal.
These rules say when the first is *separated* from the others at a stated false-alarm rate ``alpha``:

* :func:`separate_top`: the first and the runner-up compared on several measures (revenue, repeat rate ...);
  the first is clear when at least one measure favours it at ``alpha`` after Holm's correction over the
  measures, and none favours the runner-up;
* :func:`tied_with_top`: the option with the largest mean against every other, Holm-corrected; the options
  not separated from it are *tied* with it. The first is clear when no other is tied.

Two helpers give the standard errors these rules need when the units are customers who appear in several
options: :func:`clustered_proportion` (a rate over orders, customers as clusters) and
:func:`paired_total_difference` (the difference of two totals summed over the same customers).
Differences, standard errors and means share one unit (a share, or currency units); p-values are two-sided.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .testing import holm

__all__ = ["SEPARATION_ALPHA", "Separation", "clustered_proportion", "difference_p_values",
           "paired_total_difference", "separate_top", "tied_with_top"]

#: False-alarm rate of a "clear winner" claim (two-sided, after Holm's correction).
SEPARATION_ALPHA = 0.05


def difference_p_values(differences, ses) -> np.ndarray:
    """Two-sided z-test p-values of differences with standard errors (arrays of one shape); NaN where the
    error is 0 or missing."""
    d = np.asarray(differences, dtype=float)
    s = np.asarray(ses, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(d) / s
    return np.where(s > 0, 2 * stats.norm.sf(z), np.nan)


def clustered_proportion(successes, trials) -> tuple[float, float]:
    """Rate ``sum(successes) / sum(trials)`` over clusters (arrays of shape (k,), one entry per customer:
    repeats and followed orders) and its cluster-robust standard error (the linearised ratio estimator:
    orders of one customer are not independent). ``(NaN, NaN)`` without trials; the error is NaN with one
    cluster."""
    y = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    keep = n > 0
    y, n = y[keep], n[keep]
    k, total = len(n), n.sum()
    if total == 0:
        return float("nan"), float("nan")
    rate = y.sum() / total
    if k < 2:
        return float(rate), float("nan")
    residual = y - rate * n
    return float(rate), float(np.sqrt(k / (k - 1) * np.sum(residual ** 2)) / total)


def paired_total_difference(clusters, values, in_a, in_b) -> tuple[float, float]:
    """Total of ``values`` in option a minus option b, and its standard error, when the same customers
    contribute to both.

    ``clusters`` are integer customer codes 0..k-1 and ``values``, ``in_a``, ``in_b`` one entry per line
    (shape (n,)): the per-customer difference ``d_i`` (a's lines minus b's) is summed over the k customers
    and its error is ``sqrt(k var(d))``, every customer counted (those in neither option give 0).
    """
    c = np.asarray(clusters, dtype=np.int64)
    v = np.asarray(values, dtype=float)
    k = int(c.max()) + 1 if len(c) else 0
    if k < 2:
        return float("nan"), float("nan")
    d = (np.bincount(c, weights=np.where(in_a, v, 0.0), minlength=k)
         - np.bincount(c, weights=np.where(in_b, v, 0.0), minlength=k))
    return float(d.sum()), float(np.sqrt(k * d.var(ddof=1)))


@dataclass(frozen=True)
class Separation:
    """The first option against the runner-up (:func:`separate_top`): ``measures`` (names),
    ``differences`` (first minus runner-up, per measure), ``p_values`` (Holm-adjusted, two-sided),
    ``alpha`` and ``clear`` (some measure favours the first at ``alpha`` and none the runner-up)."""

    measures: tuple[str, ...]
    differences: tuple[float, ...]
    p_values: tuple[float, ...]
    alpha: float
    clear: bool

    def favouring(self, sign: int = 1) -> list[str]:
        """Measures that separate the options at ``alpha``, in favour of the first (``sign`` 1) or the
        runner-up (-1)."""
        return [m for m, d, p in zip(self.measures, self.differences, self.p_values)
                if p < self.alpha and np.sign(d) == sign]


def separate_top(differences: dict[str, float], ses: dict[str, float], alpha: float = SEPARATION_ALPHA) -> Separation:
    """Is the first option separated from the runner-up? ``differences`` (first minus runner-up) and
    ``ses`` by measure; Holm's correction over the measures keeps the chance of a false claim at or below
    ``alpha`` when the two are equal on every measure."""
    names = tuple(differences)
    d = np.array([differences[m] for m in names], dtype=float)
    p = holm(difference_p_values(d, [ses[m] for m in names]))
    sep = Separation(names, tuple(map(float, d)), tuple(map(float, p)), alpha, False)
    return Separation(names, sep.differences, sep.p_values, alpha,
                      bool(sep.favouring(1)) and not sep.favouring(-1))


def tied_with_top(means, ses, alpha: float = SEPARATION_ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Which options cannot be told apart from the one with the largest mean.

    ``means`` and ``ses`` have shape (k,) (standard errors of independent means). Each option is compared
    with the top one by a two-sided z-test, Holm-corrected over the k - 1 comparisons. Returns ``tied``
    (bool, shape (k,); True for the top option and every option not separated from it at ``alpha``; a
    missing error counts as tied) and the adjusted ``p_values`` (NaN for the top one).
    """
    m = np.asarray(means, dtype=float)
    s = np.asarray(ses, dtype=float)
    p = np.full(len(m), np.nan)
    if len(m) == 0:
        return np.zeros(0, dtype=bool), p
    top = int(np.nanargmax(m))
    others = np.arange(len(m)) != top
    p[others] = holm(difference_p_values(m[top] - m[others], np.sqrt(s[top] ** 2 + s[others] ** 2)))
    tied = ~(p < alpha)
    return tied, p
