"""Demand anticipation: weekly orders and revenue, and an honest next-quarter forecast with backtested
intervals (seasonal shape from last year, level from the recent trend)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..arrays import first_occurrences
from ..base import full_weeks, week_start
from ..retention.features import coded_transactions

__all__ = ["weekly_demand", "forecast_quarter_total", "backtest_forecast", "forecast_next_quarter"]

def weekly_demand(transactions: pd.DataFrame) -> pd.DataFrame:
    """Orders and net revenue per full week (Monday start); partial first/last weeks are dropped.

    Returns DataFrame indexed by week start with ``orders`` and ``revenue`` (currency units).
    """
    C = coded_transactions(transactions)
    wk, week_idx = np.unique(week_start(C["date"]), return_inverse=True)
    first_line = first_occurrences(C["order"])  # an order counts in the week of its first line
    out = pd.DataFrame({"orders": np.bincount(week_idx[first_line], minlength=len(wk)),
                        "revenue": np.bincount(week_idx, weights=C["amount"], minlength=len(wk))},
                       index=pd.DatetimeIndex(wk.astype("datetime64[ns]"), name="week"))
    return out[out.index.isin(full_weeks(transactions["date"]))].astype("float64")


def forecast_quarter_total(history: np.ndarray, horizon: int = 13, growth_weeks: int = 26) -> np.ndarray:
    """Weekly forecast by "same weeks last year x recent year-on-year growth".

    ``forecast[h] = history[-52 + h] * g`` with ``g = sum(last growth_weeks) / sum(same weeks a year
    earlier)``: the seasonal shape comes from last year, the level from the recent trend.

    Parameters
    ----------
    history : ndarray, shape (n,)
        Weekly values, n >= 52 + growth_weeks.

    Returns
    -------
    ndarray, shape (horizon,)
    """
    y = np.asarray(history, dtype="float64")
    if len(y) < 52 + growth_weeks:
        raise ValueError(f"Need at least {52 + growth_weeks} weeks of history, got {len(y)}.")
    g = y[-growth_weeks:].sum() / y[-52 - growth_weeks:-52].sum()
    base = y[len(y) - 52: len(y) - 52 + horizon]
    return base * g


def _seasonal_naive(y: np.ndarray, horizon: int) -> np.ndarray:
    return y[len(y) - 52: len(y) - 52 + horizon]


def _recent_mean(y: np.ndarray, horizon: int) -> np.ndarray:
    return np.full(horizon, y[-13:].mean())


def backtest_forecast(weekly: pd.Series, horizon: int = 13, growth_weeks: int = 26, min_origins: int = 8) -> pd.DataFrame:
    """Rolling-origin backtest of the next-quarter total, against two naive benchmarks.

    At each origin (every week from the first with enough history up to ``horizon`` weeks before the
    end) the methods forecast the next ``horizon`` weeks from the data before the origin only.

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
    for t in range(start, len(y) - horizon + 1):
        hist = y[:t]
        rows.append({"origin": weekly.index[t], "actual": y[t:t + horizon].sum(),
                     "forecast": forecast_quarter_total(hist, horizon, growth_weeks).sum(),
                     "seasonal_naive": _seasonal_naive(hist, horizon).sum(),
                     "recent_mean": _recent_mean(hist, horizon).sum()})
    out = pd.DataFrame(rows)
    if len(out) < min_origins:
        raise ValueError(f"Only {len(out)} backtest origins; need {min_origins} (about "
                         f"{start + horizon + min_origins} weeks of data).")
    out["log_error"] = np.log(out["actual"] / out["forecast"])
    out["log_error_seasonal_naive"] = np.log(out["actual"] / out["seasonal_naive"])
    return out


def forecast_next_quarter(weekly: pd.DataFrame, horizon: int = 13, growth_weeks: int = 26,
                          coverage: float = 0.8) -> dict:
    """Next-quarter forecast of orders and revenue with intervals from the backtest errors.

    Two candidate methods, "same weeks last year x recent growth" and "same weeks last year" (seasonal
    naive); the one with the lower backtest error is used (``method``), so the trend adjustment is only
    kept when it has earned its place. The interval is ``forecast x exp(q)``, with ``q`` the lower and
    upper ``(1 - coverage) / 2`` quantiles of that method's backtest log errors (overlapping origins, so
    fewer independent errors than rows).

    Returns
    -------
    dict
        Per measure (``orders``, ``revenue``): ``method`` (``"seasonal x growth"`` or
        ``"seasonal naive"``), ``total``, ``low``, ``high``, ``weekly`` (DataFrame:
        week, forecast, low, high), ``backtest`` (:func:`backtest_forecast`), ``mape`` per method
        (mean absolute percentage error of the quarter total), ``coverage`` of the interval in the
        backtest, ``last_year_total`` (same quarter a year before); plus ``start`` and ``horizon``.
    """
    out = {"horizon": horizon, "start": weekly.index[-1] + pd.Timedelta(weeks=1)}
    qlo, qhi = (1 - coverage) / 2, 1 - (1 - coverage) / 2
    for measure in ("orders", "revenue"):
        series = weekly[measure]
        bt = backtest_forecast(series, horizon, growth_weeks)
        mape = {m: float(np.mean(np.abs(bt[m] - bt["actual"]) / bt["actual"]))
                for m in ("forecast", "seasonal_naive", "recent_mean")}
        growth = mape["forecast"] <= mape["seasonal_naive"]
        errors = bt["log_error"] if growth else bt["log_error_seasonal_naive"]
        lo, hi = np.quantile(errors, [qlo, qhi])
        y = series.to_numpy()
        path = forecast_quarter_total(y, horizon, growth_weeks) if growth else _seasonal_naive(y, horizon)
        weeks = pd.date_range(out["start"], periods=horizon, freq="7D")
        inside = (errors >= lo) & (errors <= hi)
        out[measure] = {"method": "seasonal x growth" if growth else "seasonal naive", "total": float(path.sum()), "low": float(path.sum() * np.exp(lo)),
                        "high": float(path.sum() * np.exp(hi)),
                        "weekly": pd.DataFrame({"week": weeks, "forecast": path, "low": path * np.exp(lo),
                                                "high": path * np.exp(hi)}),
                        "backtest": bt, "mape": mape, "coverage": float(inside.mean()),
                        "last_year_total": float(series.to_numpy()[len(series) - 52: len(series) - 52 + horizon].sum())}
    return out
