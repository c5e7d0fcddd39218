"""Checks users need before trusting a CLV model: holdout calibration, tracking, independence.

Plot functions build figures with the object-oriented API (no global pyplot state) and
return a :class:`matplotlib.figure.Figure`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._summary import PurchaseSummary, summary_table
from ._validation import CLVAssumptionWarning, CLVInputError, rfm_arrays
from .data import _UNIT_DAYS, _timestamp, purchase_periods

__all__ = [
    "SpendIndependenceCheck",
    "spend_frequency_correlation",
    "calibration_holdout_table",
    "plot_calibration_holdout",
    "tracking_table",
    "plot_tracking",
]

_UNIT_NAMES = {"D": "days", "W": "weeks"}


@dataclass(frozen=True)
class SpendIndependenceCheck:
    """Result of the Gamma-Gamma independence check.

    Attributes
    ----------
    correlation : float
        Pearson correlation of frequency and mean repeat spend (customers with repeats).
    n_customers : int
        Customers used.
    threshold : float
        Absolute correlation above which the check fails.
    passed : bool
        ``abs(correlation) <= threshold``.
    """

    correlation: float
    n_customers: int
    threshold: float
    passed: bool


def spend_frequency_correlation(rfm, threshold: float = 0.3) -> SpendIndependenceCheck:
    """Check the Gamma-Gamma assumption that spend per purchase is independent of frequency.

    Parameters
    ----------
    rfm : DataFrame
        ``frequency`` and ``monetary_value``; only customers with repeat purchases are used.
    threshold : float
        Warn when the absolute Pearson correlation exceeds this (default 0.3).

    Returns
    -------
    SpendIndependenceCheck

    Warns
    -----
    CLVAssumptionWarning
        When ``abs(correlation) > threshold``.
    """
    (x, m), _, _ = rfm_arrays(rfm, ("frequency", "monetary_value"))
    use = (x > 0) & np.isfinite(m) & np.isfinite(x)
    if use.sum() < 3:
        raise CLVInputError(f"need at least 3 customers with repeat purchases, got {int(use.sum())}")
    xs, ms = x[use], m[use]
    corr = float(np.corrcoef(xs, ms)[0, 1]) if xs.std() > 0 and ms.std() > 0 else 0.0
    passed = abs(corr) <= threshold
    if not passed:
        warnings.warn(
            f"frequency and mean spend are correlated (r = {corr:.2f} over {int(use.sum())} customers, "
            f"threshold {threshold}); the Gamma-Gamma independence assumption looks violated",
            CLVAssumptionWarning, stacklevel=2,
        )
    return SpendIndependenceCheck(corr, int(use.sum()), float(threshold), passed)


def calibration_holdout_table(model, split: PurchaseSummary | pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual vs predicted holdout repeat purchases by calibration-frequency bucket.

    Parameters
    ----------
    model : BGNBDModel or ParetoNBDModel
        Fitted on the calibration columns of ``split``.
    split : PurchaseSummary or DataFrame
        From :func:`calibration_and_holdout` (or its table).
    max_frequency : int
        Frequencies >= this are pooled in the last bucket.

    Returns
    -------
    DataFrame
        Index ``frequency_bucket`` (0..max_frequency); ``customers``, ``actual``, ``predicted``
        (mean repeat purchases per customer in the holdout).
    """
    split = summary_table(split)
    needed = ["frequency", "recency", "T", "frequency_holdout", "duration_holdout"]
    missing = [c for c in needed if c not in split]
    if missing:
        raise CLVInputError(f"split lacks {missing}; build it with calibration_and_holdout()")
    durations = np.unique(split["duration_holdout"].to_numpy())
    if durations.size != 1:
        raise CLVInputError("duration_holdout must be the same for all customers")
    predicted = np.asarray(model.expected_purchases(float(durations[0]), split), dtype=float)
    bucket = np.minimum(split["frequency"].to_numpy(), max_frequency).astype(int)
    table = pd.DataFrame({"bucket": bucket, "actual": split["frequency_holdout"].to_numpy(dtype=float),
                          "predicted": predicted}).groupby("bucket")
    out = pd.DataFrame({"customers": table.size(), "actual": table["actual"].mean(),
                        "predicted": table["predicted"].mean()})
    out.index.name = "frequency_bucket"
    return out


def plot_calibration_holdout(model, split: PurchaseSummary | pd.DataFrame, max_frequency: int = 7) -> Figure:
    """Bar-and-line plot of :func:`calibration_holdout_table`.

    Parameters
    ----------
    model : BGNBDModel or ParetoNBDModel
    split : PurchaseSummary or DataFrame
        From :func:`calibration_and_holdout` (or its table).
    max_frequency : int

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = calibration_holdout_table(model, split, max_frequency)
    unit = getattr(split, "time_unit", None) or getattr(model, "time_unit_", None)
    dur = float(summary_table(split)["duration_holdout"].iloc[0])
    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    labels = [str(i) if i < max_frequency else f"{max_frequency}+" for i in table.index]
    pos = np.arange(len(table))
    ax.plot(pos, table["actual"], "o-", label="actual")
    ax.plot(pos, table["predicted"], "s--", label=f"predicted ({type(model).__name__})")
    ax.set_xticks(pos, labels)
    ax.set_xlabel("repeat purchases in the calibration period (count)")
    span = f"{dur:g} {_UNIT_NAMES.get(unit, 'time units')}"
    ax.set_ylabel("mean holdout repeat purchases (count per customer)")
    ax.set_title(f"Calibration vs holdout ({span}): repeat purchases by calibration frequency")
    ax.legend()
    fig.tight_layout()
    return fig


def tracking_table(model, transactions: pd.DataFrame, calibration_end, observation_end,
                   freq: str = "D", time_unit: str | None = None) -> pd.DataFrame:
    """Cumulative repeat transactions, actual and expected, per time unit since the cohort start.

    The cohort is every customer whose first purchase is on or before ``calibration_end``.

    Parameters
    ----------
    model : BGNBDModel or ParetoNBDModel
        Fitted on the cohort's calibration data.
    transactions : DataFrame
        Contract transactions.
    calibration_end, observation_end : date-like
    freq : {"D", "W"}
        Purchase period (as in :func:`rfm_summary`).
    time_unit : {"D", "W"}, optional
        Unit of the model's time scale (default: the model's ``time_unit_``).

    Returns
    -------
    DataFrame
        Index ``date`` (end of each time unit); ``actual`` and ``expected`` cumulative repeat
        transactions (count).
    """
    unit = time_unit or getattr(model, "time_unit_", None) or freq
    if unit not in _UNIT_DAYS:
        raise CLVInputError(f"time_unit must be 'D' or 'W', got {unit!r}")
    cal_end = _timestamp(calibration_end, "calibration_end")
    obs_end = _timestamp(observation_end, "observation_end")
    if obs_end <= cal_end:
        raise CLVInputError("observation_end must be after calibration_end")
    periods = purchase_periods(transactions, cal_end, freq, until=obs_end)
    buys = periods[periods["is_purchase"].to_numpy()]
    cust = buys["customer_id"].to_numpy()
    first_row = np.r_[True, cust[1:] != cust[:-1]]
    first_day = buys["day"].to_numpy()[first_row]
    cohort_ids = cust[first_row][buys["period"].to_numpy()[first_row] <= 0]
    cohort = pd.Index(cohort_ids)  # hash-based membership: np.isin on object arrays is quadratic
    in_cohort = pd.Index(cust).isin(cohort)
    repeat_days = buys["day"].to_numpy()[in_cohort & ~first_row]
    first_day = first_day[pd.Index(cust[first_row]).isin(cohort)]
    start = int(first_day.min())
    end_day = int((obs_end.normalize() - pd.Timestamp(0)).days)
    ud = _UNIT_DAYS[unit]
    grid = np.arange(1, int(np.floor((end_day - start + 1) / ud)) + 1) * ud   # days since start
    actual = np.searchsorted(np.sort(repeat_days - start), grid, side="left")
    acq, n_acq = np.unique(first_day - start, return_counts=True)
    # time since acquisition at the end of the grid day (T convention: end day - first day)
    age = (grid[None, :] - 1 - acq[:, None]) / ud
    per_customer = np.where(age > 0, model.expected_purchases_population(np.maximum(age, 0.0)), 0.0)
    expected = np.einsum("i,ij->j", n_acq.astype(float), per_customer)
    dates = pd.Timestamp(0) + pd.to_timedelta(start + grid - 1, unit="D")
    return pd.DataFrame({"actual": actual.astype(float), "expected": expected},
                        index=pd.DatetimeIndex(dates, name="date"))


def plot_tracking(model, transactions: pd.DataFrame, calibration_end, observation_end,
                  freq: str = "D", time_unit: str | None = None) -> Figure:
    """Line plot of :func:`tracking_table` with the calibration end marked.

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = tracking_table(model, transactions, calibration_end, observation_end, freq, time_unit)
    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_subplot()
    ax.plot(table.index, table["actual"], "-", label="actual")
    ax.plot(table.index, table["expected"], "--", label=f"expected ({type(model).__name__})")
    ax.axvline(_timestamp(calibration_end, "calibration_end"), color="grey", linestyle=":",
               label="end of calibration")
    ax.set_xlabel("date")
    ax.set_ylabel("cumulative repeat transactions (count)")
    ax.set_title("Tracking: cumulative repeat transactions of the calibration cohort")
    ax.legend()
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
