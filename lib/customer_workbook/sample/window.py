"""The simulated window: day numbers of the planted dates and the Monday-based weeks the simulation steps through."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .constants import APP_RAMP_WEEKS, CAMPAIGN_WINDOW_DAYS, DATES
from .effects import PLANTED, Effects

__all__ = ["BIG", "Window", "make_window"]

BIG = 10 ** 7          # "never": the day of an event that does not happen in the window


@dataclass(frozen=True)
class Window:
    """Days are counted from ``start`` (day 0); events outside the window are at day ``BIG``.

    ``fx`` says which effects are planted; without dated changes (the null company) the competitor cut,
    the slowdown and the launches never happen (``in_window`` false, day ``BIG``) and the app is a
    channel from before the start (``app_day`` before its ramp, so its share is full from day 0)."""

    start: pd.Timestamp
    end: pd.Timestamp
    end_day: int
    scale: float                  # n_customers / 20,000
    D: dict                       # day of every planted date
    in_window: dict               # whether each planted date lies inside the window
    app_day: int
    comp_day: int
    slow_day: int
    send_day: int
    d0: int                       # day of the Monday of the first week (<= 0)
    block_start: np.ndarray       # first day of every simulated week
    mk_blocks: np.ndarray         # the weeks fully inside the window (marketing weeks)
    block_month: np.ndarray       # month (0-11) of the Thursday of every week
    fx: Effects = PLANTED         # the planted effects

    def day_of(self, ts) -> int:
        return int((pd.Timestamp(ts) - self.start).days)


def make_window(start: pd.Timestamp, end: pd.Timestamp, scale: float, fx: Effects = PLANTED) -> Window:
    """The window from ``start`` to ``end`` (inclusive) at ``scale`` = n_customers / 20,000, with effects ``fx``."""
    def day_of(ts) -> int:
        return int((pd.Timestamp(ts) - start).days)

    end_day = day_of(end)
    D = {k: day_of(v) for k, v in DATES.items()}
    in_window = {k: 0 <= v <= end_day and (fx.dated_changes or k == "campaign_send") for k, v in D.items()}
    app_day = D["app_launch"] if in_window["app_launch"] else BIG
    comp_day = D["competitor_price_cut"] if in_window["competitor_price_cut"] else BIG
    slow_day = D["delivery_slowdown"] if in_window["delivery_slowdown"] else BIG
    send_day = D["campaign_send"] if 365 <= D["campaign_send"] <= end_day - CAMPAIGN_WINDOW_DAYS else BIG

    # weeks: Monday-based blocks covering the window; marketing weeks = blocks fully inside it
    d0 = -start.weekday()
    block_start = np.arange(d0, end_day + 1, 7)
    mk_blocks = np.flatnonzero((block_start >= 0) & (block_start + 6 <= end_day))
    block_month = np.array([(start + pd.Timedelta(days=int(d) + 3)).month - 1 for d in block_start])
    if not fx.dated_changes:
        app_day = d0 - 7 * (APP_RAMP_WEEKS + 1)
    return Window(start=start, end=end, end_day=end_day, scale=scale, D=D, in_window=in_window, app_day=app_day,
                  comp_day=comp_day, slow_day=slow_day, send_day=send_day, d0=d0, block_start=block_start,
                  mk_blocks=mk_blocks, block_month=block_month, fx=fx)
