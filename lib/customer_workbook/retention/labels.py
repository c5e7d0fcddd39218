"""No-order labels and the split by time: what happened in a window after a gap, and where the training,
test and scoring observation dates lie (step 4 of the method, anticipation).

The label is "no order in the next N days" (:func:`target_name`); checked against the sample's planted truth
it is not churn (most such customers come back), so it is not called churn. A model of it is only honest if it
would have worked *at the time*: features stop at an observation date
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

__all__ = ["ACTIVE_DAYS", "MIN_FEATURE_DAYS", "MIN_WINDOW_DAYS", "ShortHistory", "SplitDates", "active_customers",
           "design_dates", "fit_window", "history_needed", "make_labels", "missed_value", "split_table", "target_name",
           "validation_split"]

#: Population of the no-order model: customers whose last order is within this many days before the date.
ACTIVE_DAYS = 365

#: Days of transactions the training observation date needs before it (features have something to see).
MIN_FEATURE_DAYS = 180
#: Shortest label window (days) the split may shrink to when the data are too short for the requested one:
#: a shorter window flags even more customers who are only between two orders.
MIN_WINDOW_DAYS = 60


class ShortHistory(ValueError):
    """The transactions span too few days for a time-based split, even with the shortest label window.

    ``needed_days`` is the shortest span that works with the requested gap (:func:`history_needed` at
    :data:`MIN_WINDOW_DAYS`), ``span_days`` what the data cover, ``gap_days`` the requested gap.
    """

    def __init__(self, needed_days: int, span_days: int, gap_days: int) -> None:
        self.needed_days, self.span_days, self.gap_days = needed_days, span_days, gap_days
        super().__init__(f"Not enough history for a time-based split: need about {needed_days} days of "
                         f"transactions ({MIN_FEATURE_DAYS} days before the training date, then twice a "
                         f"{gap_days}-day gap and a label window of at least {MIN_WINDOW_DAYS} days); the data "
                         f"cover {span_days} days.")


def history_needed(gap_days: int, window_days: int) -> int:
    """Days of transactions a split by time needs: :data:`MIN_FEATURE_DAYS` before the training date,
    then two periods of ``gap_days + window_days`` (training labels, then test labels)."""
    return 2 * (gap_days + window_days) + MIN_FEATURE_DAYS


def fit_window(span_days: int, gap_days: int, window_days: int) -> int | None:
    """The label window (days) a split by time can use on ``span_days`` days of transactions.

    The requested ``window_days`` when it fits (:func:`history_needed`); otherwise the longest window that
    fits, if it is at least :data:`MIN_WINDOW_DAYS` (and no longer than requested); otherwise ``None``.
    """
    if history_needed(gap_days, window_days) <= span_days:
        return int(window_days)
    longest = (span_days - MIN_FEATURE_DAYS) // 2 - gap_days
    return int(longest) if longest >= min(MIN_WINDOW_DAYS, window_days) else None


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


def target_name(window_days: int) -> str:
    """The prediction target in words: "no order in the next N days".

    Measured on the sample company against the planted truth (``truth_customers.parquet`` ``dropout_date``),
    only 32.5% of the customers with no order in a 90-day window (after a 14-day gap) had truly left by the
    window's end; 43% with a 180-day window and 63% even with a 365-day window (which needs about 940 days
    of history and a test date a year back): a base in steady state holds many slow buyers who are alive
    but quiet for months. Only a silence long against the customer's own rhythm passes 70% (80% for a year
    without an order from customers with three or more orders in the year before). "No order in N days"
    is therefore not called churn: it is named for what it measures.
    """
    return f"no order in the next {int(window_days)} days"


def _last_purchase(C, obs: pd.Timestamp) -> np.ndarray:
    """Each coded customer's last purchase date before ``obs`` (datetime64[ns]; the minimum value when none)."""
    d, amt, cust = C.date, C.amount, C.customer
    m = (d < obs.to_datetime64()) & (amt >= 0)
    last_ns = np.full(len(C.ids), np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last_ns, cust[m], d[m].astype("datetime64[ns]").view(np.int64))
    return last_ns.view("datetime64[ns]")


def active_customers(transactions: pd.DataFrame, observation_date, active_days: int = ACTIVE_DAYS) -> pd.Index:
    """Customers whose last purchase lies within ``active_days`` days before ``observation_date`` (index
    ``customer_id``): the population the no-order model is trained on, and so the only one it may score."""
    obs = pd.Timestamp(observation_date)
    C = coded_transactions(transactions)
    last = _last_purchase(C, obs)
    keep = (last.view(np.int64) > np.iinfo(np.int64).min) & (last >= (obs - active_days * DAY).to_datetime64())
    return pd.Index(C.ids[np.flatnonzero(keep)], name="customer_id")


def validation_split(index: pd.Index, y, share: float = 0.25, seed: int = 0) -> np.ndarray:
    """Seeded, stratified split of the training customers: ``True`` for the ``share`` kept for validation.

    The operating threshold is chosen on the validation customers (never seen by the fit), so the test
    period only reports it. Each class keeps ``round(share * n_class)`` validation customers (at least one
    when the class has two or more). Returns a boolean array of shape (len(index),).
    """
    y = np.asarray(y).astype(int)
    if len(y) != len(index):
        raise ValueError(f"validation_split: {len(index)} customers but {len(y)} labels; expected one label each.")
    rng = np.random.default_rng(seed)
    out = np.zeros(len(y), dtype=bool)
    for cls in (0, 1):
        rows = np.flatnonzero(y == cls)
        k = int(round(share * len(rows)))
        k = max(k, 1) if len(rows) >= 2 else 0
        out[rng.choice(rows, k, replace=False)] = True
    return out


def missed_value(p_event: pd.Series, recent_value: pd.Series, window_days: int, margin: float,
                 year_days: int = 365) -> pd.Series:
    """Expected value lost to "no order in the next ``window_days`` days", per customer (currency units).

    ``p_event`` (probability of no order in the window) times the margin the customer's last-year pace would
    bring in the window: ``margin * recent_value * window_days / year_days``, with ``recent_value`` the
    customer's revenue of the last ``year_days`` days. The pace is what was observed, not a lifetime value
    already discounted for leaving, so leaving is counted once (by ``p_event``). Customers of ``p_event``
    without a recent value count 0.
    """
    v = recent_value.reindex(p_event.index).fillna(0.0).clip(lower=0.0)
    return p_event * (margin * v * window_days / year_days)


def make_labels(transactions: pd.DataFrame, observation_date, gap_days: int = 14, window_days: int = 90,
                active_days: int | None = ACTIVE_DAYS) -> pd.DataFrame:
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
    last_date = _last_purchase(C, obs)  # each customer's last purchase
    keep = last_date.view(np.int64) > np.iinfo(np.int64).min
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
    """Observation dates of a time-based split, with a label window that adapts to the data's span.

    The test observation date is the latest whose label window still fits in the data; the training
    observation date lies one gap plus window earlier, so the training labels end before the test
    features start. ``score`` is the day after the last transaction (for scoring today's customers).
    When the data are too short for ``window_days``, the window shrinks to the longest that fits
    (:func:`fit_window`, at least :data:`MIN_WINDOW_DAYS`); ``SplitDates.window_days`` says which was used.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions (``date``).
    gap_days, window_days : int
        Days between an observation date and its label window, and the requested window's length in days.

    Raises
    ------
    ShortHistory
        (a ``ValueError``) with fewer than ``history_needed(gap_days, MIN_WINDOW_DAYS)`` days of transactions.
    """
    last_day = transactions["date"].max().normalize()
    first = transactions["date"].min().normalize()
    span = int((last_day - first) / DAY) + 1
    window = fit_window(span, gap_days, window_days)
    if window is None:
        raise ShortHistory(history_needed(gap_days, min(MIN_WINDOW_DAYS, window_days)), span, gap_days)
    test = last_day + DAY - (gap_days + window) * DAY
    train = test - (gap_days + window) * DAY
    return SplitDates(train, test, last_day + DAY, gap_days, window)


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
        known" for today), ``active customers`` (count), ``no-order rate`` (share with no order in the
        window; missing for today).
    """
    windows = [" to ".join(str(day.date()) for day in dates.label_window(obs)) for obs in (dates.train, dates.test)]
    return pd.DataFrame({
        "period": ["training", "test", "scoring (today)"],
        "observation date": [dates.train.date(), dates.test.date(), dates.score.date()],
        "label window": [*windows, "not yet known"],
        "active customers": [len(train_labels), len(test_labels), None],
        "no-order rate": [train_labels["churned"].mean(), test_labels["churned"].mean(), None]})
