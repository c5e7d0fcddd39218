"""Churn labels and the split by time: what happened in a window after a gap, and where the training,
test and scoring observation dates lie (step 4 of the method, anticipation).

A churn model is only honest if it would have worked *at the time*: features stop at an observation date
(:mod:`.features`), a gap of ``gap_days`` leaves time to act, and the label looks at the
``window_days`` after the gap (:func:`make_labels`). :func:`design_dates` places a training and a later
test observation date so that the training labels end before the test features begin, and
:func:`split_table` summarises the design. Days are the time unit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .features import DAY, coded_transactions

__all__ = ["SplitDates", "design_dates", "make_labels", "split_table"]


@dataclass(frozen=True)
class SplitDates:
    """Observation dates of a time-based split (:func:`design_dates`).

    ``train`` and ``test`` are the observation dates of the training and test periods, ``score`` the day
    after the last transaction (today's customers are scored there); ``gap_days`` and ``window_days``
    are the days between an observation date and its label window, and the window's length.
    """

    train: pd.Timestamp
    test: pd.Timestamp
    score: pd.Timestamp
    gap_days: int
    window_days: int

    def label_window(self, observation_date) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last day of the label window of ``observation_date`` (both included)."""
        start = pd.Timestamp(observation_date) + self.gap_days * DAY
        return start, start + (self.window_days - 1) * DAY


def make_labels(transactions: pd.DataFrame, observation_date, gap_days: int = 14, window_days: int = 90,
                active_days: int | None = 365) -> pd.DataFrame:
    """Who bought again in the label window ``[obs + gap, obs + gap + window)``.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions.
    observation_date : date-like
        Features stop here; the gap starts here.
    gap_days, window_days : int
        Days between the observation date and the label window, and the window's length.
    active_days : int or None
        Population: customers whose last order is within this many days before the observation date
        (``None``: everyone who ever ordered before it).

    Returns
    -------
    DataFrame, shape (n_population, 2)
        Index ``customer_id``; ``bought`` (1 when a positive-value line falls in the window) and
        ``churned`` (1 - bought).

    Raises
    ------
    ValueError
        When the data end before the label window does.
    """
    obs = pd.Timestamp(observation_date)
    start, end = obs + gap_days * DAY, obs + (gap_days + window_days) * DAY
    if transactions["date"].max() < end - DAY:
        raise ValueError(f"The label window ends on {end - DAY:%Y-%m-%d}, after the last transaction "
                         f"({transactions['date'].max():%Y-%m-%d}); choose an earlier observation date.")
    C = coded_transactions(transactions)
    d, amt, cust = C.date, C.amount, C.customer
    m = (d < obs.to_datetime64()) & (amt >= 0)
    never = np.iinfo(np.int64).min
    last_ns = np.full(len(C.ids), never, dtype=np.int64)
    np.maximum.at(last_ns, cust[m], d[m].astype("datetime64[ns]").view(np.int64))  # each customer's last purchase
    keep = last_ns > never
    last_date = last_ns.view("datetime64[ns]")
    if active_days is not None:
        keep &= last_date >= (obs - active_days * DAY).to_datetime64()
    inside = (d >= start.to_datetime64()) & (d < end.to_datetime64()) & (amt > 0)
    bought_any = np.zeros(len(C.ids), dtype=int)
    bought_any[cust[inside]] = 1
    rows = np.flatnonzero(keep)
    last = pd.Series(last_date[rows], index=C.ids[rows])
    bought = bought_any[rows]
    return pd.DataFrame({"bought": bought, "churned": 1 - bought}, index=pd.Index(last.index, name="customer_id"))


def design_dates(transactions: pd.DataFrame, gap_days: int = 14, window_days: int = 90) -> SplitDates:
    """Observation dates of a time-based split.

    The test observation date is the latest whose label window still fits in the data; the training
    observation date lies one gap plus window earlier, so the training labels end before the test
    features start. ``score`` is the day after the last transaction (for scoring today's customers).

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions (``date``).
    gap_days, window_days : int
        Days between an observation date and its label window, and the window's length in days.

    Raises
    ------
    ValueError
        With less than ``2 * (gap_days + window_days) + 180`` days of transactions.
    """
    last_day = transactions["date"].max().normalize()
    test = last_day + DAY - (gap_days + window_days) * DAY
    train = test - (gap_days + window_days) * DAY
    first = transactions["date"].min().normalize()
    if train - first < pd.Timedelta(days=180):
        raise ValueError("Not enough history for a time-based split: need about "
                         f"{2 * (gap_days + window_days) + 180} days of transactions.")
    return SplitDates(train, test, last_day + DAY, gap_days, window_days)


def split_table(dates: SplitDates, train_labels: pd.DataFrame, test_labels: pd.DataFrame) -> pd.DataFrame:
    """The design of the split, one row per period (training, test, scoring today).

    Parameters
    ----------
    dates : SplitDates
        :func:`design_dates` output.
    train_labels, test_labels : DataFrame
        :func:`make_labels` at ``dates.train`` and ``dates.test`` (column ``churned``).

    Returns
    -------
    DataFrame, shape (3, 5)
        ``period``, ``observation date`` (date), ``label window`` (text "first to last day"; "not yet
        known" for today), ``active customers`` (count), ``churn rate`` (share; missing for today).
    """
    windows = [" to ".join(str(day.date()) for day in dates.label_window(obs)) for obs in (dates.train, dates.test)]
    return pd.DataFrame({
        "period": ["training", "test", "scoring (today)"],
        "observation date": [dates.train.date(), dates.test.date(), dates.score.date()],
        "label window": [*windows, "not yet known"],
        "active customers": [len(train_labels), len(test_labels), None],
        "churn rate": [train_labels["churned"].mean(), test_labels["churned"].mean(), None]})
