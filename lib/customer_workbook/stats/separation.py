"""Is the best option clearly the best? Rules that name a winner only when the data separate it from noise.

Ranking options (product lines, sales channels, audiences) always puts one first, even when they are equal.
These rules say when the first is *separated* from the others at a stated false-alarm rate ``alpha``:

* :func:`separate_runner_up`: the first and the runner-up compared on several measures (revenue, repeat rate ...);
  the first is clear when at least one measure favours it at ``alpha`` after Holm's correction over the
  measures, and none favours the runner-up;
* :func:`separate_top` (mappings; :func:`tied_with_top` on arrays): the best option against every other,
  Holm-corrected; the options not separated from it are *tied* with it. The first is clear when no other
  is tied. :func:`share_leader` does the same for the shares of one sample (needs), and
  :func:`se_from_draws` turns bootstrap draws into the standard error these rules need.

Two helpers give the standard errors these rules need when the units are customers who appear in several
options: :func:`clustered_proportion` (a rate over orders, customers as clusters) and
:func:`paired_total_difference` (the difference of two totals summed over the same customers).
Differences, standard errors and means share one unit (a share, or currency units); p-values are two-sided.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .testing import holm

__all__ = ["LEADER_ALPHA", "SEPARATION_ALPHA", "Leader", "Separation", "clustered_proportion",
           "difference_p_values", "paired_total_difference", "se_from_draws", "separate_runner_up", "separate_top",
           "share_leader", "tied_with_top"]

#: False-alarm rate of a "clear winner" claim among the plan's options (product line, service, audience:
#: the plan commits a pilot to the pick), two-sided, after Holm's correction.
SEPARATION_ALPHA = 0.05
#: False-alarm rate of a leader named beside 90% intervals (channels, segments, needs in steps 3 and 5).
LEADER_ALPHA = 0.10


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
    """The first option against the runner-up (:func:`separate_runner_up`): ``measures`` (names),
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


def separate_runner_up(differences: dict[str, float], ses: dict[str, float],
                       alpha: float = SEPARATION_ALPHA) -> Separation:
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
    """Which options cannot be told apart from the one with the largest mean: :func:`separate_top` on arrays.

    ``means`` and ``ses`` have shape (k,) (standard errors of independent means). Returns ``tied`` (bool,
    shape (k,); True for the top option and every option not separated from it at ``alpha``; a missing error
    counts as tied) and the Holm-adjusted ``p_values`` (NaN for the top one).
    """
    m = np.asarray(means, dtype=float)
    s = np.asarray(ses, dtype=float)
    lead = separate_top({str(i): v for i, v in enumerate(m)}, {str(i): v for i, v in enumerate(s)}, alpha)
    tied = np.array([str(i) in lead.tied or not np.isfinite(v) for i, v in enumerate(m)], dtype=bool)
    p = np.array([lead.p_adjusted.get(str(i), np.nan) for i in range(len(m))], dtype=float)
    return tied, p


@dataclass(frozen=True)
class Leader:
    """The result of :func:`separate_top`.

    ``top``: the option with the best estimate (None without options); ``best``: the same when it is a clear
    winner, else None; ``tied``: the options not separated from the top, the top first (best estimate
    first); ``p_adjusted``: Holm-adjusted two-sided p-value of the top against each other option;
    ``alpha``: the false-alarm rate used.
    """

    top: str | None
    best: str | None
    tied: tuple[str, ...]
    p_adjusted: Mapping[str, float]
    alpha: float

    @property
    def clear(self) -> bool:
        """True when the top option is separated from every other option."""
        return self.best is not None

    def label(self, none: str = "no clear difference") -> str:
        """The clear winner's name, or ``none`` (a value a test can read)."""
        return self.best if self.best is not None else none


def se_from_draws(draws, log: bool = False) -> float:
    """Standard error from bootstrap draws (their standard deviation, of ``log(draws)`` with ``log``).

    NaN with fewer than two finite draws (or non-positive draws on the log scale).
    """
    d = np.asarray(draws, dtype=float).ravel()
    if log:
        d = np.log(d[d > 0]) if np.all(d[np.isfinite(d)] > 0) else np.array([])
    d = d[np.isfinite(d)]
    return float(np.std(d, ddof=1)) if d.size > 1 else float("nan")


def separate_top(estimates: Mapping[str, float], se: Mapping[str, float], alpha: float = LEADER_ALPHA,
                 higher_is_better: bool = True) -> Leader:
    """The option with the best estimate, and whether the data separate it from each other option.

    Each other option ``j`` is compared with the top ``t`` by ``z = (e_t - e_j) / sqrt(se_t^2 + se_j^2)``
    (independent estimates), two-sided; the p-values are Holm-adjusted over the ``n - 1`` comparisons. An
    option is *tied* with the top when its adjusted p-value is ``alpha`` or more, or when either error is
    missing. A single option is its own clear winner.

    Parameters
    ----------
    estimates : {name: estimate}
        Non-finite estimates are left out.
    se : {name: standard error}
        Same units as the estimates; a missing name counts as an unknown error.
    alpha : float
        False-alarm rate of calling the top a winner over all the comparisons.
    higher_is_better : bool
        False when the smallest estimate wins (costs).
    """
    est = {str(k): float(v) for k, v in estimates.items() if v is not None and np.isfinite(v)}
    if not est:
        return Leader(None, None, (), {}, alpha)
    sign = 1.0 if higher_is_better else -1.0
    order = sorted(est, key=lambda k: -sign * est[k])
    top, others = order[0], order[1:]
    err = {k: float(se.get(k, np.nan)) for k in order}
    p = np.array([2 * stats.norm.sf(abs(est[top] - est[o]) / np.hypot(err[top], err[o]))
                  if np.isfinite(np.hypot(err[top], err[o])) and np.hypot(err[top], err[o]) > 0 else np.nan
                  for o in others])
    adjusted = holm(p) if len(p) else p
    p_adj = {o: (float(a) if np.isfinite(a) else 1.0) for o, a in zip(others, adjusted)}
    tied = (top, *[o for o in others if p_adj[o] >= alpha])
    return Leader(top, top if len(tied) == 1 else None, tied, p_adj, alpha)


def share_leader(counts: Mapping[str, int], alpha: float = LEADER_ALPHA) -> Leader:
    """The most frequent category of one sample (counts per category), separated from the others or not.

    Shares of one multinomial sample are not independent: the error of ``p_t - p_j`` is
    ``sqrt((p_t + p_j - (p_t - p_j)^2) / n)``. The comparisons are Holm-adjusted as in :func:`separate_top`.
    """
    c = {str(k): int(v) for k, v in counts.items() if v > 0}
    n = sum(c.values())
    if not c:
        return Leader(None, None, (), {}, alpha)
    order = sorted(c, key=lambda k: -c[k])
    top, others = order[0], order[1:]
    pt = c[top] / n
    p = []
    for o in others:
        pj = c[o] / n
        s = np.sqrt(max(pt + pj - (pt - pj) ** 2, 0.0) / n)
        p.append(2 * stats.norm.sf(abs(pt - pj) / s) if s > 0 else np.nan)
    adjusted = holm(np.array(p)) if p else np.array([])
    p_adj = {o: (float(a) if np.isfinite(a) else 1.0) for o, a in zip(others, adjusted)}
    tied = (top, *[o for o in others if p_adj[o] >= alpha])
    return Leader(top, top if len(tied) == 1 else None, tied, p_adj, alpha)
