"""The workbook's calendar: weeks start on Monday (ISO 8601), and a week counts only when the data cover
all seven of its days, so a partial first or last week never looks like a drop in volumes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["full_weeks", "week_start"]


def week_start(dates: pd.Series | np.ndarray) -> pd.Series | np.ndarray:
    """Monday (00:00) of the week of each date; missing dates stay missing.

    Returns the same kind as ``dates``: a Series (same index and datetime unit) or, for a NumPy array,
    ``datetime64[D]`` values. Day arithmetic on integers (1970-01-01 was a Thursday), so it is fast on
    tens of millions of dates.
    """
    days = np.asarray(dates).astype("datetime64[D]")
    monday = days - ((days.view("int64") + 3) % 7).astype("timedelta64[D]")
    if isinstance(dates, pd.Series):
        unit = dates.dtype if pd.api.types.is_datetime64_dtype(dates.dtype) else "datetime64[ns]"
        return pd.Series(monday.astype(unit), index=dates.index, name=dates.name)
    return monday


def full_weeks(dates: pd.Series | np.ndarray) -> pd.DatetimeIndex:
    """Mondays of the weeks whose seven days all lie between the first and the last of ``dates``."""
    values = pd.to_datetime(pd.Series(np.asarray(dates).ravel())).dropna()
    if values.empty:
        return pd.DatetimeIndex([], name="week")
    first, last = values.min().normalize(), values.max().normalize()
    start = first + pd.Timedelta(days=(7 - first.day_of_week) % 7)
    end = last - pd.Timedelta(days=6)
    end -= pd.Timedelta(days=end.day_of_week)
    return pd.date_range(start, end, freq="7D", name="week")
