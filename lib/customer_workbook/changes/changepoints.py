"""Change points of one weekly series: when did the level shift, and is the shift a real one?

:func:`detect_change_points` finds level shifts by exact optimal partitioning (:func:`optimal_partition`) with
a penalty that scales with ``log(n)`` and the autocorrelation-corrected noise variance (:func:`noise_scale`),
after removing month-of-year seasonality and a straight-line trend; :func:`penalty_sensitivity` shows how the
answer depends on the penalty. :func:`cusum_p_value` tests a break allowing for the search that found it and
:func:`temporary_breaks` recognises episodes that revert (launch peaks, promotions).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..base.metrics import SEASONAL_MIN_WEEKS as _SEASONAL_MIN_WEEKS
from .metrics import COUNT_OFFSET

__all__ = [
    "DRIFT_WEEKS", "FALSE_ALARM_RATE", "FALSE_ALARM_RATES", "MIN_SEARCH_WEEKS", "PENALTY_FACTOR", "SEASONAL_MIN_WEEKS", "TEMPORARY_WEEKS", "ChangePoints", "optimal_partition", "noise_scale",
    "detect_change_points", "penalty_sensitivity", "cusum_p_value", "temporary_breaks", "series_view",
    "BREAK_DATE_WEEKS",
]


PENALTY_FACTOR = 3.0       # penalty = 3 * noise variance * log(n): BIC (2 sigma^2 log n) with a 1.5 safety factor


#: Measured share of null series (no change at all) in which :func:`detect_change_points` finds at least one
#: change point, at the default penalty, by kind of noise. Simulation (2,000 series of 156 weeks per kind,
#: seeds 11-14, the current robust noise estimate): ``white`` N(0, 1) weeks; ``ar1`` AR(1) noise with
#: rho 0.5 (50 burn-in weeks); ``seasonal_counts`` Poisson counts around 400 a week with the month profile
#: of the detector's unit tests, ``log=True, seasonal=True``; ``survey_means`` means of 20-59 answers a week
#: (sd 0.9) weighted by the answers. Results: 8, 62, 8 and 11 series of 2,000 (95% margin about +-0.3,
#: +-0.8, +-0.3 and +-0.3 percentage points). ``tests/unit/changes/test_false_alarms.py`` re-measures it.
FALSE_ALARM_RATES = {"white": 0.004, "ar1": 0.031, "seasonal_counts": 0.004, "survey_means": 0.0055}
#: The false-alarm rate the reports state: the worst measured case (:data:`FALSE_ALARM_RATES`), weekly noise
#: correlated from week to week (AR(1), rho 0.5); independent noise raises fewer.
FALSE_ALARM_RATE = FALSE_ALARM_RATES["ar1"]


TEMPORARY_WEEKS = 13       # a shift that reverts within a quarter is a temporary episode, not a change
#: A break's date is uncertain by about this many weeks (one event's breaks in two metrics fall up to two weeks
#: apart: the sample's launch wave leaves orders and basket in the same week and returns 13 and 14 weeks later);
#: used to join one event's signals (:func:`~customer_workbook.changes.register.cluster_changes`) and to judge
#: whether a level came back within :data:`TEMPORARY_WEEKS`.
BREAK_DATE_WEEKS = 2


#: Month-of-year seasonality is removed only from series of at least this many weeks (two years,
#: :data:`customer_workbook.base.metrics.SEASONAL_MIN_WEEKS`): with less, a month seen once has its own
#: effect, which absorbs any step in that month (a real +140% step vanished that way).
SEASONAL_MIN_WEEKS = _SEASONAL_MIN_WEEKS

#: Fewest weeks with data from which the noise level (:func:`noise_scale`), and so a penalty, can be estimated.
MIN_SEARCH_WEEKS = 6
#: Width (weeks) of the running median that separates a smooth drift from week-to-week noise in
#: :func:`noise_scale`.
DRIFT_WEEKS = 9
# Deviations from a running median are narrower than the noise, because each difference is one of the values the
# median is taken over: by 8% for 9 weeks (simulated white and AR(1) noise, rho 0 to 0.7: factor 1.08 to 1.10).
_RUNNING_MEDIAN_SHRINK = 1.08


def optimal_partition(y: np.ndarray, w: np.ndarray, penalty: float, min_size: int = 4) -> list[int]:
    """Exact least-squares segmentation of a weighted series into segments of constant mean.

    Minimises ``sum over segments of sum w_t (y_t - mean_segment)^2 + penalty * (number of breaks)``
    by dynamic programming (optimal partitioning), O(n^2) time, which is instant for weekly series.

    Parameters
    ----------
    y, w
        Values and non-negative weights, shape (n,). Weeks with weight 0 (no data) cost nothing.
    penalty
        Cost of one extra break, in the units of the weighted squared error.
    min_size
        Shortest segment allowed, in observations.

    Returns
    -------
    list of int
        Break positions: index of the first observation of each new segment, increasing.
    """
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    y = np.where(w > 0, y, 0.0)
    n = len(y)
    if n < 2 * min_size:
        return []
    cw = np.concatenate([[0.0], np.cumsum(w)])
    cy = np.concatenate([[0.0], np.cumsum(w * y)])
    cy2 = np.concatenate([[0.0], np.cumsum(w * y * y)])
    best = np.full(n + 1, np.inf)
    best[0] = -penalty
    last = np.zeros(n + 1, dtype=int)
    for t in range(min_size, n + 1):
        s = np.arange(0, t - min_size + 1)
        s = s[(s == 0) | (s >= min_size)]
        sw = cw[t] - cw[s]
        sy = cy[t] - cy[s]
        cost = (cy2[t] - cy2[s]) - np.divide(sy * sy, sw, out=np.zeros_like(sy), where=sw > 0)
        total = best[s] + cost + penalty
        k = int(np.argmin(total))
        best[t], last[t] = total[k], s[k]
    breaks, t = [], n
    while t > 0:
        t = last[t]
        if t > 0:
            breaks.append(int(t))
    return sorted(breaks)


def noise_scale(y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Robust noise level and lag-1 autocorrelation of a weighted series, insensitive to a few level shifts.

    Uses weight-standardised first differences ``d_t = (y_t - y_{t-1}) / sqrt(1/w_t + 1/w_{t-1})``. Their
    median absolute deviation from their running median over :data:`DRIFT_WEEKS` weeks gives the per-unit
    noise variance ``tau^2 = MAD^2 / (1 - rho)``: a step only moves one difference, and a smooth drift (a closed
    cohort's orders ramping up while customers join, then decaying) moves the running median, not the
    deviations from it. Their lag-1 correlation ``c`` gives the AR(1) coefficient ``rho = 1 + 2c`` (for white
    noise ``c = -0.5``); a drift raises ``c`` too, so ``rho`` errs on the side of fewer alarms.

    Returns
    -------
    (tau2, rho)
        ``tau2``: variance of one unit record (of one week for count metrics), in squared value units;
        ``rho``: clipped to [0, 0.9].
    """
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    ok = w > 0
    y, w = y[ok], w[ok]
    if len(y) < MIN_SEARCH_WEEKS:
        return float("nan"), 0.0
    d = np.diff(y) / np.sqrt(1 / w[1:] + 1 / w[:-1])
    drift = pd.Series(d).rolling(DRIFT_WEEKS, center=True, min_periods=1).median().to_numpy()
    mad = np.median(np.abs(d - drift)) / 0.6745 * _RUNNING_MEDIAN_SHRINK
    if not mad > 0:
        mad = float(np.std(d)) or 1e-12
    clipped = np.clip(d - np.median(d), -4 * mad, 4 * mad)
    c = float(np.corrcoef(clipped[1:], clipped[:-1])[0, 1]) if np.std(clipped) > 0 else -0.5
    rho = float(np.clip(1 + 2 * c, 0.0, 0.9)) if np.isfinite(c) else 0.0
    # var(d) = tau2 (1 - rho) for AR(1) noise (the standardisation already divides by sqrt(2) at equal weights)
    tau2 = mad ** 2 / (1 - rho)
    return float(tau2), rho


@dataclass(frozen=True)
class ChangePoints:
    """Result of :func:`detect_change_points` for one weekly series (length n).

    ``adjusted`` is the series on the detection scale (log when the metric is relative) with seasonality
    and trend removed; ``fitted`` the segment means; ``breaks`` the positions of the first week of each new
    segment; ``dates`` their week starts. ``seasonal_removed`` says whether month-of-year seasonality was
    removed (asked for, and the series has at least :data:`SEASONAL_MIN_WEEKS` weeks).
    """

    weeks: pd.DatetimeIndex
    raw: np.ndarray
    weight: np.ndarray
    adjusted: np.ndarray
    fitted: np.ndarray
    seasonal: np.ndarray
    breaks: list[int]
    penalty: float
    tau2: float
    rho: float
    log: bool
    seasonal_removed: bool = False

    @property
    def dates(self) -> list[pd.Timestamp]:
        return [self.weeks[b] for b in self.breaks]

    @property
    def searched(self) -> bool:
        """Whether the series could be searched at all: its noise level is known, which needs at least
        :data:`MIN_SEARCH_WEEKS` weeks with data (otherwise ``breaks`` is empty for want of data, not of change)."""
        return bool(np.isfinite(self.tau2) and self.tau2 > 0)

    @property
    def long_run_factor(self) -> float:
        """Variance inflation of a mean of autocorrelated weeks, (1 + rho) / (1 - rho)."""
        return (1 + self.rho) / (1 - self.rho)


def _month_trend_design(weeks: pd.DatetimeIndex, trend: bool, months: bool = True) -> np.ndarray:
    """Design of month-of-year effects (``months``) and a centred straight-line trend (``trend``, last column)."""
    month = (weeks + pd.Timedelta(days=3)).month.to_numpy()
    X = (month[:, None] == np.arange(1, 13)[None, :]).astype(float)
    X = X[:, X.sum(axis=0) > 0] if months else X[:, :0]
    if trend:
        t = np.arange(len(weeks), dtype=float)
        X = np.column_stack([X, (t - t.mean()) / max(len(weeks), 1)])
    return X


def _segment_means(z: np.ndarray, w: np.ndarray, breaks: list[int]) -> np.ndarray:
    edges = [0, *breaks, len(z)]
    fitted = np.empty(len(z))
    for a, b in zip(edges[:-1], edges[1:]):
        ww = w[a:b]
        fitted[a:b] = (ww * z[a:b]).sum() / ww.sum() if ww.sum() > 0 else 0.0
    return fitted


def detect_change_points(values: pd.Series, weights: pd.Series | None = None, log: bool = False,
                         seasonal: bool = False, penalty_scale: float = 1.0, min_size: int = 4,
                         iterations: int = 4) -> ChangePoints:
    """Find level shifts in a weekly series, seasonality and trend first removed.

    Method
    ------
    1. Scale: ``log(value)`` when ``log`` (counts get +0.5), so a break is a relative change.
    2. Seasonality (when ``seasonal``): month-of-year effects and a straight-line trend are fitted by
       weighted least squares jointly with the current segment levels, and removed; this alternates with
       step 4 up to ``iterations`` times so that a real step is not absorbed by the seasonal profile and a
       December peak is not taken for a step. The first pass fits no trend (a trend would absorb a step that
       has not been found yet). Month effects only with at least :data:`SEASONAL_MIN_WEEKS` weeks (two years,
       so every month is seen twice); from shorter series only the trend is removed.
    3. Penalty rule: ``penalty = penalty_scale * 3 * tau2 * (1 + rho) / (1 - rho) * log(n)``: the Schwarz
       (BIC) penalty of two parameters per break, ``2 tau2 log(n)``, times a safety factor of 1.5, with the
       noise variance corrected for autocorrelation (:func:`noise_scale`). On simulated three-year weekly
       noise it raises a false alarm in 0.4% of white-noise series and 3.1% of AR(1) (rho 0.5) ones
       (:data:`FALSE_ALARM_RATES`, measured).
    4. Breaks: :func:`optimal_partition` with segments of at least ``min_size`` weeks.

    Parameters
    ----------
    values, weights
        Weekly values (index: week starts) and weights (records per week for mean metrics; default 1).

    Returns
    -------
    ChangePoints
    """
    weeks = pd.DatetimeIndex(values.index)
    months = seasonal and len(weeks) >= SEASONAL_MIN_WEEKS  # shorter: the trend only
    raw = values.to_numpy(dtype=float)
    w = np.ones(len(raw)) if weights is None else weights.to_numpy(dtype=float).copy()
    w[~np.isfinite(raw)] = 0.0
    z = np.where(w > 0, raw, np.nan)
    if log:
        if weights is None:  # counts: zero weeks are possible
            z = np.log(np.clip(z, 0, None) + COUNT_OFFSET)
        else:
            z = np.log(np.where(z > 0, z, np.nan))
        w[~np.isfinite(z)] = 0.0
    z = np.where(w > 0, z, 0.0)
    season = np.zeros(len(z))
    X = _month_trend_design(weeks, trend=True, months=months) if seasonal else None
    breaks: list[int] = []
    tau2, rho, penalty = float("nan"), 0.0, float("inf")
    for it in range(iterations if seasonal else 1):
        if seasonal:
            # joint weighted least squares: segment levels + month effects (+ trend after the first pass, so
            # that a trend cannot absorb a step before the step has been found)
            edges = np.searchsorted([0, *breaks], np.arange(len(z)), side="right") - 1
            S = (edges[:, None] == np.arange(len(breaks) + 1)[None, :]).astype(float)
            Xs = X if it > 0 else X[:, :-1]
            sw = np.sqrt(w)
            coef, *_ = np.linalg.lstsq(np.column_stack([S, Xs]) * sw[:, None], z * sw, rcond=None)
            season = Xs @ coef[S.shape[1]:]
            season -= (w * season).sum() / w.sum()
        adj = z - season
        tau2, rho = noise_scale(adj, w)
        if not np.isfinite(tau2) or tau2 <= 0:
            break
        n_eff = int((w > 0).sum())
        penalty = penalty_scale * PENALTY_FACTOR * tau2 * (1 + rho) / (1 - rho) * np.log(max(n_eff, 2))
        new = optimal_partition(adj, w, penalty, min_size=min_size)
        if new == breaks and seasonal and it > 0:  # the trend enters in the second pass: try it once
            break
        breaks = new
    adj = z - season
    fitted = _segment_means(adj, w, breaks)
    return ChangePoints(weeks=weeks, raw=raw, weight=w, adjusted=np.where(w > 0, adj, np.nan), fitted=fitted,
                        seasonal=season, breaks=breaks, penalty=float(penalty), tau2=float(tau2), rho=float(rho),
                        log=log, seasonal_removed=months)


def penalty_sensitivity(values: pd.Series, weights: pd.Series | None = None, scales=(0.5, 1.0, 2.0, 4.0),
                        **kw) -> pd.DataFrame:
    """Breaks found at several multiples of the default penalty (the sensitivity view).

    Returns DataFrame(penalty_scale, n_breaks, break_weeks) with one row per scale; a break that survives a
    doubled penalty is robust, one that appears only at half the penalty is fragile.
    """
    rows = []
    for s in scales:
        cp = detect_change_points(values, weights, penalty_scale=s, **kw)
        rows.append({"penalty_scale": s, "n_breaks": len(cp.breaks),
                     "break_weeks": ", ".join(f"{d:%Y-%m-%d}" for d in cp.dates)})
    return pd.DataFrame(rows)


def cusum_p_value(z: np.ndarray, w: np.ndarray, window: np.ndarray, tau2: float, rho: float = 0.0) -> float:
    """p-value that a window of a weekly series holds a level shift *somewhere*, allowing for the search.

    A break found by searching every date makes the naive before/after p-value too small. This uses the
    weighted CUSUM statistic ``max_k |sum_{t<k} w_t (z_t - mean)| / sqrt(tau2 (1 + rho)/(1 - rho) W)``,
    whose null distribution is the supremum of a Brownian bridge (Kolmogorov's distribution).

    Parameters
    ----------
    z, w
        Weekly values and weights, shape (n,).
    window
        Boolean mask (n,) of the weeks tested (the segments either side of a break).
    tau2, rho
        Per-unit noise variance and AR(1) coefficient from :func:`noise_scale`.
    """
    ok = window & (np.asarray(w) > 0) & np.isfinite(z)
    zz, ww = np.asarray(z, dtype=float)[ok], np.asarray(w, dtype=float)[ok]
    W = ww.sum()
    if len(zz) < 4 or not (tau2 > 0) or W <= 0:
        return float("nan")
    mean = (ww * zz).sum() / W
    s = np.cumsum(ww * (zz - mean))
    stat = np.abs(s).max() / np.sqrt(tau2 * (1 + rho) / (1 - rho) * W)
    return float(stats.kstwobign.sf(stat))


def temporary_breaks(cp: ChangePoints, min_effect: float,
                     max_weeks: int = TEMPORARY_WEEKS + BREAK_DATE_WEEKS) -> set[int]:
    """Breaks that belong to a temporary episode: the level leaves and comes back within ``max_weeks`` (a quarter,
    allowing for the uncertainty of the two breaks' dates, :data:`BREAK_DATE_WEEKS`).

    Breaks ``b_i < ... < b_j`` form an episode when ``b_j - b_i <= max_weeks`` and the level comes back: the
    segment levels before ``b_i`` and after ``b_j`` differ by less than ``min_effect`` (on the detection scale;
    relative for log series) or by less than a third of the excursion in between (the largest distance of
    the levels inside the episode from the level before it). A launch peak or a promotion is such an episode;
    step 2 looks for lasting shifts.

    Returns the set of break positions that are temporary.
    """
    breaks = cp.breaks
    edges = [0, *breaks, len(cp.weeks)]
    levels = [cp.fitted[a] for a in edges[:-1]]  # level of segment k starts at edges[k]
    out: set[int] = set()
    for i in range(len(breaks)):
        for j in range(i + 1, len(breaks)):
            if breaks[j] - breaks[i] > max_weeks:
                break
            net = abs(levels[j + 1] - levels[i])
            excursion = max(abs(levels[k] - levels[i]) for k in range(i + 1, j + 1))
            if net < min_effect or net < excursion / 3:
                out.update(breaks[i:j + 1])
    return out


def series_view(cp: ChangePoints) -> pd.DataFrame:
    """A change-point result in the metric's own units, for charts (index: week).

    Columns: ``value`` (as observed), ``adjusted`` (seasonality and trend removed, on the overall level) and
    ``level`` (the fitted segment level).
    """
    back = np.exp if cp.log else (lambda x: x)
    return pd.DataFrame({"value": cp.raw, "adjusted": back(cp.adjusted), "level": back(cp.fitted)},
                        index=cp.weeks)
