"""Is the leader really ahead? A winner is named only when the data separate it from every other option.

Several options (channels, segments, needs) each have an estimate and a standard error. The option with the
best estimate is the *clear* winner when the difference to each other option is significant after the Holm
correction for the several comparisons (:func:`customer_workbook.stats.holm`, two-sided normal tests at
level ``alpha``); the options it is not separated from are *tied* with it. Without a clear winner a report
says "no measurable difference" and names the tied options instead of picking one.

Standard errors come from bootstrap draws (:func:`se_from_draws`; on the log scale for ratios and costs, whose
draws are skewed), from a binomial or multinomial share, or from per-customer values (the error of a mean).
An option without a finite standard error can never be separated (it is tied with the leader).

Units: whatever the estimates are in (currency units, ratios, shares); ``alpha`` is a probability.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..stats import holm

__all__ = ["ALPHA", "Leader", "se_from_draws", "separate_top", "share_leader"]

#: False-alarm rate of every "clear winner" claim (two-sided, after the Holm correction).
ALPHA = 0.10


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


def separate_top(estimates: Mapping[str, float], se: Mapping[str, float], alpha: float = ALPHA,
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


def share_leader(counts: Mapping[str, int], alpha: float = ALPHA) -> Leader:
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
