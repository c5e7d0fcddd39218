"""Sales and acquisition channels: a new sales channel's ramp-up and the mix of new customers.

:func:`channel_ramps` finds channels that open during the period and sizes their ramp with :func:`fit_ramp`;
:func:`acquisition_shares` shows how the acquisition mix of new customers moves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..base import week_start
from ..data import Dataset
from .comparisons import WINDOW_WEEKS

__all__ = [
    "RampFit", "channel_weekly", "fit_ramp", "channel_ramps", "acquisition_shares",
]


def channel_weekly(orders: pd.DataFrame, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """Weekly orders by sales channel (rows: weeks, columns: channels), from the orders of
    :func:`customer_workbook.base.order_table` (they need a ``channel`` column)."""
    counts = (orders.assign(week=week_start(orders["date"])).groupby(["week", "channel"], observed=True).size()
              .unstack(fill_value=0))
    counts.columns = counts.columns.astype("str")
    return counts.reindex(weeks, fill_value=0)


@dataclass(frozen=True)
class RampFit:
    """Result of :func:`fit_ramp`: ``ramp_weeks`` (weeks to the plateau; NaN when there were too few weeks to
    fit), ``plateau`` (share, 0-1) with its standard error ``plateau_se``, and the fit's ``rmse``."""

    ramp_weeks: float
    plateau: float
    plateau_se: float
    rmse: float


def fit_ramp(share: np.ndarray, start: int, max_ramp: int = 52, horizon: int = 26) -> RampFit:
    """Fit a linear ramp-up ``share_t = plateau * min(1, (t - start + 1) / ramp)`` (0 before ``start``).

    The ramp length (weeks) is chosen on a grid 1..``max_ramp`` by least squares over the weeks from
    ``start`` to ``start + ramp + horizon``, with the plateau in closed form for each length.

    Returns
    -------
    RampFit
        ``ramp_weeks``, ``plateau`` (share, 0-1), ``plateau_se`` (standard error), ``rmse``.
    """
    share = np.asarray(share, dtype=float)
    best = None
    for ramp in range(1, max_ramp + 1):
        end = min(len(share), start + ramp + horizon)
        t = np.arange(start, end)
        x = np.minimum(1.0, (t - start + 1) / ramp)
        y = share[start:end]
        ok = np.isfinite(y)
        if ok.sum() < 4:
            continue
        x, y = x[ok], y[ok]
        plateau = float((x * y).sum() / (x * x).sum())
        resid = y - plateau * x
        sse = float((resid ** 2).sum())
        mse = sse / len(y)
        if best is None or mse < best["mse"]:
            se = float(np.sqrt(sse / max(len(y) - 1, 1) / (x * x).sum()))
            best = {"ramp_weeks": ramp, "plateau": plateau, "plateau_se": se, "mse": mse}
    if best is None:
        return RampFit(ramp_weeks=np.nan, plateau=np.nan, plateau_se=np.nan, rmse=np.nan)
    return RampFit(ramp_weeks=best["ramp_weeks"], plateau=best["plateau"], plateau_se=best["plateau_se"],
                   rmse=float(np.sqrt(best["mse"])))


def channel_ramps(counts: pd.DataFrame | None, min_quiet_weeks: int = 8, min_share: float = 0.01) -> pd.DataFrame:
    """New sales channels: channels with no orders in at least the first ``min_quiet_weeks`` weeks that later
    reach ``min_share`` of orders. Each is sized with :func:`fit_ramp`.

    Returns
    -------
    DataFrame
        One row per new channel (none when ``counts`` is None or empty; a channel that opened fewer than four
        weeks before the end of the data cannot be sized and is left out): channel, launch (first week with
        orders), ramp_weeks, plateau (share of orders), ci_low, ci_high, and ``took_from`` ({other channel:
        change of its share in percentage points between the 26 weeks before launch and the 26 weeks after the
        ramp}).
    """
    rows = []
    if counts is None or counts.empty:
        counts = pd.DataFrame()
    shares = counts.div(counts.sum(axis=1).where(lambda s: s > 0), axis=0)
    for ch in counts.columns:
        nz = np.flatnonzero(counts[ch].to_numpy() > 0)
        if not len(nz) or nz[0] < min_quiet_weeks or shares[ch].max() < min_share:
            continue
        start = int(nz[0])
        fit = fit_ramp(shares[ch].to_numpy(), start)
        if not np.isfinite(fit.ramp_weeks):  # opened too close to the end of the data to size its ramp
            continue
        end_ramp = start + int(fit.ramp_weeks)
        took = {}
        for other in counts.columns:
            if other == ch:
                continue
            s = shares[other].to_numpy()
            took[str(other)] = round(float(np.nanmean(s[end_ramp:end_ramp + WINDOW_WEEKS])
                                           - np.nanmean(s[max(0, start - WINDOW_WEEKS):start])), 4)
        rows.append({"channel": str(ch), "launch": counts.index[start], "ramp_weeks": fit.ramp_weeks,
                     "plateau": fit.plateau, "ci_low": fit.plateau - 1.96 * fit.plateau_se,
                     "ci_high": fit.plateau + 1.96 * fit.plateau_se, "took_from": took})
    return pd.DataFrame(rows, columns=["channel", "launch", "ramp_weeks", "plateau", "ci_low", "ci_high",
                                       "took_from"])


def acquisition_shares(ds: Dataset, freq: str = "MS") -> pd.DataFrame:
    """Share of new customers by acquisition channel per period (rows: period start, columns: channels).

    Uses ``customers.signup_date`` and ``acquisition_channel``; empty when they are missing.
    """
    if not ds.has("customers") or not {"signup_date", "acquisition_channel"} <= set(ds.customers.columns):
        return pd.DataFrame()
    cust = ds.customers.dropna(subset=["signup_date", "acquisition_channel"])
    first = ds.transactions["date"].min()
    cust = cust[cust["signup_date"] >= first]
    counts = (cust.groupby([pd.Grouper(key="signup_date", freq=freq), "acquisition_channel"], observed=True).size()
              .unstack(fill_value=0))
    return counts.div(counts.sum(axis=1).where(lambda s: s > 0), axis=0)
