"""Every watched metric scanned for changes: which breaks are significant, large enough and lasting.

:func:`detect_all` runs the change-point detector on every metric and compares the weeks either side of each
break; :func:`quarter_vs_last_year` compares the latest quarter with the same weeks a year earlier. Both
correct for the many tests (Benjamini-Hochberg) and require a *practical* effect
(:attr:`~customer_workbook.changes.metrics.Metric.min_effect`) so that large samples do not flag trivial
shifts. :func:`sensitivity_table`, :func:`panels_for` and :func:`segment_view` feed the notebook's views.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..stats import benjamini_hochberg
from .changepoints import (ChangePoints, cusum_p_value, detect_change_points, penalty_sensitivity, series_view,
                           temporary_breaks)
from .comparisons import WINDOW_WEEKS, SampleComparison, WindowComparison, compare_samples, compare_windows
from .metrics import COUNT_OFFSET, Metric, metric_info, metric_series, weekly_panel
from ..findings import date_words

__all__ = [
    "Detection", "detect_all", "quarter_vs_last_year", "sensitivity_table", "panels_for", "segment_view",
]


def _relative(metric: Metric, row: WindowComparison | SampleComparison) -> dict:
    """Table columns of a comparison on the metric's scale: relative change for log metrics, absolute
    otherwise (before, after, change, ci_low, ci_high, change_unit)."""
    if metric.log:
        return {"before": float(np.exp(row.before)), "after": float(np.exp(row.after)),
                "change": float(np.expm1(row.diff)), "ci_low": float(np.expm1(row.ci_low)),
                "ci_high": float(np.expm1(row.ci_high)), "change_unit": "relative"}
    return {"before": float(row.before), "after": float(row.after), "change": float(row.diff),
            "ci_low": float(row.ci_low), "ci_high": float(row.ci_high), "change_unit": metric.unit}


def _log_of_means(r: SampleComparison) -> SampleComparison:
    """A comparison of means moved to the log scale: ``diff = log(after / before)``, its interval by the delta
    method on the ratio (half-width / before)."""
    diff = np.log(r.after / r.before) if r.before > 0 else np.nan
    half = (r.ci_high - r.ci_low) / 2 / r.before if r.before else np.nan
    return replace(r, before=np.log(r.before), after=np.log(r.after), diff=diff, ci_low=diff - half,
                   ci_high=diff + half)


def _practical(metric: Metric, change: float) -> bool:
    return bool(np.isfinite(change) and abs(change) >= metric.min_effect)


@dataclass(frozen=True)
class Detection:
    """Change points of every metric (:func:`detect_all`).

    ``results``: ``{metric: ChangePoints}``; ``breaks``: one row per break with metric, label, theme, date,
    before, after, change (relative for log metrics), ci_low, ci_high, p, p_adj, significant, practical,
    temporary, flagged, direction, std_effect.
    """

    results: dict[str, ChangePoints]
    breaks: pd.DataFrame

    @property
    def kept(self) -> pd.DataFrame:
        """The breaks that are significant, large enough and lasting (``flagged``)."""
        return self.breaks[self.breaks["flagged"]]


def detect_all(records: dict[str, pd.DataFrame], weeks: pd.DatetimeIndex, penalty_scale: float = 1.0,
               min_size: int = 4, window: int = WINDOW_WEEKS, alpha: float = 0.05) -> Detection:
    """Change points of every metric (all customers) and a before/after comparison at each.

    The comparison windows run from the break to the neighbouring breaks, at most ``window`` weeks each side,
    on the seasonally adjusted series. The p-value is the search-aware CUSUM test of :func:`cusum_p_value` on
    those windows, adjusted with :func:`customer_workbook.stats.benjamini_hochberg` over every series searched:
    all breaks of all metrics, and one test that found nothing (p = 1) for each searched metric without a
    break (:attr:`ChangePoints.searched`), so a
    lone candidate among many quiet series is not judged as if it were the only test. A break is *flagged*
    when it is significant (adjusted p < ``alpha``) **and** practically significant
    (``|change| >= Metric.min_effect``) **and** not part of a temporary episode (:func:`temporary_breaks`).

    Returns
    -------
    Detection
        ``results`` per metric and the ``breaks`` table.
    """
    results, rows = {}, []
    for key, rec in records.items():
        metric = metric_info(key)
        panel = weekly_panel(rec, weeks)
        value, weight = metric_series(panel, metric)
        cp = detect_change_points(value, None if metric.kind == "count" else weight, log=metric.log,
                                  seasonal=metric.seasonal, penalty_scale=penalty_scale, min_size=min_size)
        results[key] = cp
        edges = [0, *cp.breaks, len(weeks)]
        idx = np.arange(len(weeks))
        temporary = temporary_breaks(cp, metric.min_effect)
        for j, b in enumerate(cp.breaks):
            lo, hi = max(edges[j], b - window), min(edges[j + 2], b + window)
            cmp_ = compare_windows(cp.adjusted, cp.weight, (idx >= lo) & (idx < b), (idx >= b) & (idx < hi),
                                   rho=cp.rho, alpha=alpha)
            rel = _relative(metric, cmp_)
            p = cusum_p_value(cp.adjusted, cp.weight, (idx >= lo) & (idx < hi), cp.tau2, cp.rho)
            rows.append({"metric": key, "label": metric.label, "theme": metric.theme, "date": weeks[b],
                         **rel, "p": p, "std_effect": cmp_.std_effect,
                         "weeks_before": cmp_.weeks_before, "weeks_after": cmp_.weeks_after,
                         "temporary": b in temporary})
    table = pd.DataFrame(rows, columns=["metric", "label", "theme", "date", "before", "after", "change",
                                        "ci_low", "ci_high", "change_unit", "p", "std_effect", "weeks_before",
                                        "weeks_after", "temporary"])
    table["temporary"] = table["temporary"].astype(bool)
    table["date"] = pd.to_datetime(table["date"])  # dates even when no series has a break
    quiet = sum(1 for cp in results.values() if cp.searched and not cp.breaks)  # searched, found nothing
    table["p_adj"] = benjamini_hochberg(np.concatenate([table["p"].to_numpy(dtype=float), np.ones(quiet)]))[:len(table)]
    table["significant"] = table["p_adj"] < alpha
    table["practical"] = [_practical(metric_info(m), c) for m, c in zip(table["metric"], table["change"])]
    table["flagged"] = table["significant"] & table["practical"] & ~table["temporary"]
    table["direction"] = np.where(table["change"] > 0, "up", "down")
    return Detection(results, table)


def quarter_vs_last_year(records: dict[str, pd.DataFrame], weeks: pd.DatetimeIndex, quarter_weeks: int = 13,
                         alpha: float = 0.05) -> pd.DataFrame:
    """The latest ``quarter_weeks`` weeks against the same weeks one year (52 weeks) earlier, every metric.

    Same weeks of the year on both sides, so seasonality cancels. Mean metrics compare the unit records
    (each survey answer, each order) with :func:`compare_samples`; count metrics compare the weekly counts
    (log scale, so the change is relative). p-values are Benjamini-Hochberg adjusted across metrics, and a
    change is flagged only when it is also practically significant (``Metric.min_effect``).

    Returns
    -------
    DataFrame
        One row per metric: label, period, before, after, change, ci_low, ci_high, change_unit, hedges_g,
        n_before, n_after, p, p_adj, significant, practical, flagged.
    """
    if len(weeks) < 52 + quarter_weeks:
        return pd.DataFrame()
    now = weeks[-quarter_weeks:]
    last = weeks[-quarter_weeks - 52:-52]
    rows = []
    for key, rec in records.items():
        metric = metric_info(key)
        if metric.kind == "count":
            panel = weekly_panel(rec, weeks)
            v = np.log(panel["total"].to_numpy(dtype=float) + COUNT_OFFSET)
            r = compare_samples(v[np.isin(weeks, last)], v[np.isin(weeks, now)], alpha)
        else:
            vals = rec["value"].to_numpy(dtype=float)
            r = compare_samples(vals[rec["week"].isin(last).to_numpy()], vals[rec["week"].isin(now).to_numpy()],
                                alpha)
            if metric.log:  # relative change of the mean
                r = _log_of_means(r)
        rel = _relative(metric, r)
        rows.append({"metric": key, "label": metric.label, "theme": metric.theme,
                     "period": f"{date_words(now[0])} to {date_words(now[-1] + pd.Timedelta(days=6))}",
                     **rel, "hedges_g": r.hedges_g, "n_before": r.n_before, "n_after": r.n_after, "p": r.p})
    table = pd.DataFrame(rows)
    table["p_adj"] = benjamini_hochberg(table["p"].to_numpy())
    table["significant"] = table["p_adj"] < alpha
    table["practical"] = [_practical(metric_info(m), c) for m, c in zip(table["metric"], table["change"])]
    table["flagged"] = table["significant"] & table["practical"]
    return table


def sensitivity_table(records: dict[str, pd.DataFrame], weeks: pd.DatetimeIndex,
                      scales=(0.5, 1.0, 2.0, 4.0), min_size: int = 4) -> pd.DataFrame:
    """Number of breaks per metric at several multiples of the penalty (rows: metric labels, columns:
    penalty multipliers). Robust breaks survive a doubled penalty; fragile ones appear only at half."""
    rows = {}
    for key, rec in records.items():
        metric = metric_info(key)
        value, weight = metric_series(weekly_panel(rec, weeks), metric)
        table = penalty_sensitivity(value, None if metric.kind == "count" else weight, scales=scales,
                                    log=metric.log, seasonal=metric.seasonal, min_size=min_size)
        rows[metric.label] = dict(zip([f"x{s:g}" for s in scales], table["n_breaks"]))
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("metric").reset_index()


def panels_for(results: dict[str, ChangePoints], table: pd.DataFrame, keys: list[str]) -> list[tuple]:
    """``(title, unit, view, flagged dates)`` for :func:`customer_workbook.plots.plot_change_panels`, for the
    ``keys`` present in ``results``."""
    out = []
    for key in keys:
        if key not in results:
            continue
        metric = metric_info(key)
        flagged = table.loc[(table["metric"] == key) & table["flagged"], "date"].tolist()
        out.append((metric.label, metric.unit, series_view(results[key]), flagged))
    return out


def segment_view(records: pd.DataFrame, metric: Metric, weeks: pd.DatetimeIndex, segments: pd.DataFrame,
                 segmentation: str | None = None, group: str | None = None) -> tuple[ChangePoints, pd.DataFrame]:
    """Change points of ``metric`` for one group of customers (or everyone when ``group`` is None), with the
    before/after comparison at each break. Used by the explorer widget.

    Returns ``(ChangePoints, comparison table)``; the table has one row per break (date, before, after,
    change, ci_low, ci_high, p).
    """
    rec = records
    if group is not None and segmentation is not None and metric.table != "market":
        members = segments.index[segments[segmentation] == group]
        rec = records[records["customer_id"].isin(members)]
    value, weight = metric_series(weekly_panel(rec, weeks), metric)
    cp = detect_change_points(value, None if metric.kind == "count" else weight, log=metric.log,
                              seasonal=metric.seasonal)
    edges = [0, *cp.breaks, len(weeks)]
    idx = np.arange(len(weeks))
    rows = []
    for j, b in enumerate(cp.breaks):
        lo, hi = max(edges[j], b - WINDOW_WEEKS), min(edges[j + 2], b + WINDOW_WEEKS)
        c = compare_windows(cp.adjusted, cp.weight, (idx >= lo) & (idx < b), (idx >= b) & (idx < hi), rho=cp.rho)
        rows.append({"date": weeks[b], **_relative(metric, c), "p": c.p})
    return cp, pd.DataFrame(rows, columns=["date", "before", "after", "change", "ci_low", "ci_high",
                                           "change_unit", "p"])
