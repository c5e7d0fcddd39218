"""Demand anticipation: weekly orders and revenue, and an honest next-quarter forecast with backtested
intervals (seasonal shape from last year, level from the recent trend).

Weeks are the time unit here (Monday start, full weeks only: :mod:`customer_workbook.base.calendar`);
a quarter is ``horizon_weeks = 13``. The forecast is judged the way it is used, by a rolling-origin
backtest (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., section 5.10).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..arrays import first_occurrences
from ..base import full_weeks, week_start
from ..retention.features import coded_transactions

__all__ = ["DemandForecast", "QuarterForecast", "backtest_forecast", "forecast_next_quarter", "forecast_quarter_total",
           "weekly_demand"]


def weekly_demand(transactions: pd.DataFrame) -> pd.DataFrame:
    """Orders and net revenue per full week (Monday start); partial first/last weeks are dropped.

    Returns DataFrame indexed by week start (every full week, zero when nothing was sold) with ``orders``
    and ``revenue`` (currency units). Revenue is
    booked in the week of each line (a return lowers the week it happened in), so the series is built
    from the lines rather than from the order table, which dates a whole order at its first line.
    """
    C = coded_transactions(transactions)
    wk, week_idx = np.unique(week_start(C.date), return_inverse=True)
    first_line = first_occurrences(C.order)  # an order counts in the week of its first line
    out = pd.DataFrame({"orders": np.bincount(week_idx[first_line], minlength=len(wk)),
                        "revenue": np.bincount(week_idx, weights=C.amount, minlength=len(wk))},
                       index=pd.DatetimeIndex(wk.astype("datetime64[ns]"), name="week"))
    # a full week without a line is a week of zero demand, not a missing one: the forecast counts 52 rows a year
    return out.reindex(full_weeks(transactions["date"]), fill_value=0).astype("float64")


def forecast_quarter_total(history: np.ndarray, horizon_weeks: int = 13,
                           growth_weeks: int = 26) -> np.ndarray:
    """Weekly forecast by "same weeks last year x recent year-on-year growth".

    ``forecast[h] = history[-52 + h] * g`` with ``g = sum(last growth_weeks) / sum(same weeks a year
    earlier)``: the seasonal shape comes from last year, the level from the recent trend.

    Parameters
    ----------
    history : ndarray, shape (n,)
        Weekly values, n >= 52 + growth_weeks.

    Returns
    -------
    ndarray, shape (horizon_weeks,)
    """
    y = np.asarray(history, dtype="float64")
    if len(y) < 52 + growth_weeks:
        raise ValueError(f"Need at least {52 + growth_weeks} weeks of history, got {len(y)}.")
    g = y[-growth_weeks:].sum() / y[-52 - growth_weeks:-52].sum()
    base = y[len(y) - 52: len(y) - 52 + horizon_weeks]
    return base * g


def _seasonal_naive(y: np.ndarray, horizon_weeks: int) -> np.ndarray:
    return y[len(y) - 52: len(y) - 52 + horizon_weeks]


def _recent_mean(y: np.ndarray, horizon_weeks: int) -> np.ndarray:
    return np.full(horizon_weeks, y[-13:].mean())


def backtest_forecast(weekly: pd.Series, horizon_weeks: int = 13, growth_weeks: int = 26,
                      min_origins: int = 8) -> pd.DataFrame:
    """Rolling-origin backtest of the next-quarter total, against two naive benchmarks.

    At each origin (every week from the first with enough history up to ``horizon_weeks`` before the
    end) the methods forecast the next ``horizon_weeks`` from the data before the origin only.

    Returns
    -------
    DataFrame, one row per origin
        ``origin`` (first forecast week), ``actual``, ``forecast`` (seasonal x growth), ``seasonal_naive``
        (same weeks last year), ``recent_mean`` (mean of the last 13 weeks x horizon) — quarter totals —
        ``log_error`` = log(actual / forecast) and ``log_error_seasonal_naive``.
    """
    y = weekly.to_numpy(dtype="float64")
    start = 52 + growth_weeks
    rows = []
    for t in range(start, len(y) - horizon_weeks + 1):
        hist = y[:t]
        rows.append({"origin": weekly.index[t], "actual": y[t:t + horizon_weeks].sum(),
                     "forecast": forecast_quarter_total(hist, horizon_weeks, growth_weeks).sum(),
                     "seasonal_naive": _seasonal_naive(hist, horizon_weeks).sum(),
                     "recent_mean": _recent_mean(hist, horizon_weeks).sum()})
    out = pd.DataFrame(rows)
    if len(out) < min_origins:
        raise ValueError(f"The forecast needs about {start + horizon_weeks + min_origins} full weeks of history "
                         f"(a year for the same weeks last year, {growth_weeks} weeks for the growth, "
                         f"{horizon_weeks} weeks ahead and {min_origins} backtests to judge it); the data cover "
                         f"{len(y)} weeks.")
    out["log_error"] = np.log(out["actual"] / out["forecast"])
    out["log_error_seasonal_naive"] = np.log(out["actual"] / out["seasonal_naive"])
    return out


@dataclass(frozen=True)
class QuarterForecast:
    """The next-quarter forecast of one measure (orders, or revenue in currency units).

    ``method`` (``"seasonal x growth"`` or ``"seasonal naive"``), ``total``, ``low``, ``high`` (quarter
    totals), ``weekly`` (DataFrame: ``week``, ``forecast``, ``low``, ``high``), ``backtest``
    (:func:`backtest_forecast`), ``mape`` (mean absolute percentage error of the quarter total per
    method: ``forecast``, ``seasonal_naive``, ``recent_mean``), ``coverage`` (share of backtest origins
    whose actual total fell inside the interval) and ``last_year_total`` (the same weeks a year before).
    """

    method: str
    total: float
    low: float
    high: float
    weekly: pd.DataFrame
    backtest: pd.DataFrame
    mape: dict[str, float]
    coverage: float
    last_year_total: float


@dataclass(frozen=True)
class DemandForecast:
    """:func:`forecast_next_quarter` output: ``start`` (first forecast week), ``horizon_weeks`` and one
    :class:`QuarterForecast` per measure."""

    start: pd.Timestamp
    horizon_weeks: int
    orders: QuarterForecast
    revenue: QuarterForecast

    def measures(self) -> dict[str, QuarterForecast]:
        """``{"orders": ..., "revenue": ...}``."""
        return {"orders": self.orders, "revenue": self.revenue}


def forecast_next_quarter(weekly: pd.DataFrame, horizon_weeks: int = 13, growth_weeks: int = 26,
                          coverage: float = 0.8) -> DemandForecast:
    """Next-quarter forecast of orders and revenue with intervals from the backtest errors.

    Two candidate methods, "same weeks last year x recent growth" and "same weeks last year" (seasonal
    naive); the one with the lower backtest error is used (``method``), so the trend adjustment is only
    kept when it has earned its place. The interval is ``forecast x exp(q)``, with ``q`` the lower and
    upper ``(1 - coverage) / 2`` quantiles of that method's backtest log errors (overlapping origins, so
    fewer independent errors than rows).

    Parameters
    ----------
    weekly : DataFrame
        :func:`weekly_demand` output (``orders``, ``revenue`` per full week).
    horizon_weeks, growth_weeks : int
        Weeks forecast, and weeks of the recent growth factor.
    coverage : float
        Nominal coverage of the interval (0-1).

    Raises
    ------
    ValueError
        When the history is too short for the backtest (:func:`backtest_forecast`).
    """
    start = weekly.index[-1] + pd.Timedelta(weeks=1)
    weeks = pd.date_range(start, periods=horizon_weeks, freq="7D")
    orders, revenue = (_forecast_measure(weekly[m], weeks, growth_weeks, coverage) for m in ("orders", "revenue"))
    return DemandForecast(start, horizon_weeks, orders, revenue)


def _forecast_measure(series: pd.Series, weeks: pd.DatetimeIndex, growth_weeks: int,
                      coverage: float) -> QuarterForecast:
    """The :class:`QuarterForecast` of one weekly series for the forecast ``weeks``."""
    horizon_weeks = len(weeks)
    bt = backtest_forecast(series, horizon_weeks, growth_weeks)
    mape = {m: float(np.mean(np.abs(bt[m] - bt["actual"]) / bt["actual"]))
            for m in ("forecast", "seasonal_naive", "recent_mean")}
    growth = mape["forecast"] <= mape["seasonal_naive"]
    errors = bt["log_error"] if growth else bt["log_error_seasonal_naive"]
    lo, hi = np.quantile(errors, [(1 - coverage) / 2, 1 - (1 - coverage) / 2])
    y = series.to_numpy()
    path = forecast_quarter_total(y, horizon_weeks, growth_weeks) if growth else _seasonal_naive(y, horizon_weeks)
    inside = (errors >= lo) & (errors <= hi)
    total = float(path.sum())
    return QuarterForecast("seasonal x growth" if growth else "seasonal naive", total, float(total * np.exp(lo)),
                           float(total * np.exp(hi)),
                           pd.DataFrame({"week": weeks, "forecast": path, "low": path * np.exp(lo),
                                         "high": path * np.exp(hi)}),
                           bt, mape, float(inside.mean()), float(_seasonal_naive(y, horizon_weeks).sum()))
