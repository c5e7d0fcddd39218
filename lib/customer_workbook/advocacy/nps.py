"""Net Promoter Score with a score interval that stays within [-100, 100], and NPS by group with
Holm-adjusted tests against the rest of the customers."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..stats import holm

__all__ = ["NetPromoterScore", "nps", "nps_by_group", "nps_interval", "promoter_points"]


@dataclass(frozen=True)
class NetPromoterScore:
    """An NPS with its interval (:func:`nps`).

    ``nps``, ``low``, ``high`` and its standard error ``se`` in points (-100..100); ``promoters``,
    ``passives``, ``detractors`` as shares of the answers (0-1); ``n`` answers. Everything but ``n`` is
    NaN when there are no answers.
    """

    nps: float
    low: float
    high: float
    se: float
    promoters: float
    passives: float
    detractors: float
    n: int


def promoter_points(scores) -> np.ndarray:
    """Each answer's contribution to the NPS: +100 for a promoter (9-10), 0 for a passive (7-8), -100 for a
    detractor (0-6); NaN stays NaN. The mean of the points over answers is the NPS, so weekly NPS series and
    group comparisons can average them."""
    s = np.asarray(scores, dtype=float)
    return np.where(np.isnan(s), np.nan, np.where(s >= 9, 100.0, np.where(s <= 6, -100.0, 0.0)))


def _score_z(promoters: np.ndarray, detractors: np.ndarray, n: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Score statistic of the hypothesis "promoter share - detractor share = ``delta``" (arrays of one shape).

    The shares are re-estimated under the hypothesis (restricted maximum likelihood of the trinomial: the
    detractor share ``q`` solves ``2n q^2 + B q + C = 0``, Tango 1998) and the difference's variance is
    ``(2q + delta - delta^2) / n`` at those shares. Decreasing in ``delta``."""
    b, c = promoters, detractors
    big_b = -b - c + (2 * n - b + c) * delta
    big_c = -c * delta * (1 - delta)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = (np.sqrt(np.maximum(big_b ** 2 - 8 * n * big_c, 0.0)) - big_b) / (4 * n)
        var = np.maximum(2 * q + delta - delta ** 2, 0.0) / n
        return ((b - c) / n - delta) / np.sqrt(var)


def nps_interval(promoters, detractors, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Score (Tango) interval of the NPS in points from counts: arrays ``promoters``, ``detractors`` and
    ``n`` answers of one shape; returns ``(low, high)`` of that shape (NaN where ``n`` is 0).

    The NPS is the difference of two shares of one multinomial sample, like the difference of two paired
    proportions, so the interval is the set of differences the score test does not reject (Tango 1998,
    "Equivalence test and confidence interval for the difference in proportions for the paired-sample
    design", Statistics in Medicine 17). Unlike the normal (Wald) interval it lies within [-100, 100],
    contains the NPS and keeps close to its nominal coverage for small or unanimous groups (unit tests
    measure it). Solved by bisection, vectorised over the arrays.
    """
    b, c, m = (np.asarray(x, dtype=float) for x in (promoters, detractors, n))
    b, c, m = np.broadcast_arrays(b, c, m)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = (b - c) / m
    ends = []
    for target, lo, hi in ((z, -np.ones_like(est), est), (-z, est, np.ones_like(est))):
        lo, hi = lo.copy(), hi.copy()
        for _ in range(60):  # bisection: the interval ends to about 1e-16
            mid = (lo + hi) / 2
            above = _score_z(b, c, m, mid) > target  # the statistic still exceeds the target: move right
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        ends.append(100.0 * (lo + hi) / 2)
    low, high = (np.where(m > 0, e, np.nan) for e in ends)
    return low, high


def nps(scores, level: float = 0.95) -> NetPromoterScore:
    """Net Promoter Score with its score confidence interval.

    Promoters answer 9-10, passives 7-8, detractors 0-6; NPS = 100 x (promoter share - detractor
    share), in points (-100..100). ``low`` and ``high`` come from :func:`nps_interval` (a score interval
    inside [-100, 100]). ``se`` is the multinomial standard error ``sqrt((p + d - (p - d)**2) / n)`` of the
    difference, computed with one pseudo-answer added to each of the three groups (shares
    ``(count + 1) / (n + 3)``, an Agresti-Caffo-style adjustment) so that small or unanimous groups do
    not get a zero error (:func:`nps_by_group` tests with it).

    Parameters
    ----------
    scores : array_like, shape (n,)
        Answers 0-10 to "how likely are you to recommend us?" (NaN answers are dropped).
    level
        Coverage of the interval.

    Reference: Rocks (2016), "Interval estimation for the Net Promoter Score", The American Statistician
    70(4) (the multinomial variance and adjusted intervals).
    """
    s = pd.Series(scores).dropna().to_numpy(dtype=float)
    n = len(s)
    if n == 0:
        return NetPromoterScore(np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 0)
    points = promoter_points(s)
    p, d = float(np.mean(points > 0)), float(np.mean(points < 0))
    pa, da = (p * n + 1) / (n + 3), (d * n + 1) / (n + 3)
    se = 100.0 * math.sqrt(max(pa + da - (pa - da) ** 2, 0.0) / (n + 3))
    low, high = nps_interval(int(np.sum(points > 0)), int(np.sum(points < 0)), n, level)
    return NetPromoterScore(nps=100.0 * (p - d), low=float(low), high=float(high), se=se, promoters=p,
                            passives=1 - p - d, detractors=d, n=n)


def nps_by_group(scores: pd.Series, groups: pd.Series, level: float = 0.95, min_n: int = 1,
                 min_n_test: int = 30) -> pd.DataFrame:
    """NPS of every group with its interval, tested against the rest of the respondents.

    Each group's NPS is compared with the NPS of everyone else (difference of two independent NPS,
    normal approximation). p-values are Holm-adjusted over the groups; ``significant`` is False when
    the difference could be noise, which the notebook flags.

    Parameters
    ----------
    scores
        NPS answers 0-10 per respondent (index ``customer_id``).
    groups
        Group label per customer (segment, persona, advocacy level...); respondents without one are dropped.
    level, min_n
        Interval level and the smallest group to report.
    min_n_test
        Groups with fewer respondents are not tested (p-value NaN, ``significant`` False): the normal
        approximation does not hold for them.

    Returns
    -------
    DataFrame
        ``group``, ``n``, ``nps``, ``low``, ``high``, ``promoters``, ``detractors``, ``vs_rest`` (points),
        ``p_value`` (raw), ``p_adjusted`` (Holm), ``significant``.
    """
    both = pd.concat([scores.rename("s"), groups.rename("g")], axis=1, join="inner").dropna()
    rows = []
    labels = groups.cat.categories if isinstance(groups.dtype, pd.CategoricalDtype) else sorted(both["g"].unique())
    for g in labels:  # one iteration per group
        inside = both["g"] == g
        if inside.sum() < min_n:
            continue
        a, b = nps(both.loc[inside, "s"], level), nps(both.loc[~inside, "s"], level)
        diff = a.nps - b.nps
        se = math.sqrt(a.se ** 2 + b.se ** 2) if b.n else np.nan
        pval = float(2 * stats.norm.sf(abs(diff) / se)) if se and se > 0 and a.n >= min_n_test else np.nan
        rows.append({"group": str(g), "n": a.n, "nps": a.nps, "low": a.low, "high": a.high,
                     "promoters": a.promoters, "detractors": a.detractors, "vs_rest": diff, "p_value": pval})
    out = pd.DataFrame(rows, columns=["group", "n", "nps", "low", "high", "promoters", "detractors", "vs_rest", "p_value"])
    if out.empty:  # no respondent in any group: the same columns, no rows
        return out.assign(p_adjusted=pd.Series(dtype=float), significant=pd.Series(dtype=bool))
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    out["significant"] = (out["p_adjusted"] < (1 - level)).fillna(False).astype(bool)
    return out
