"""From transactions to the per-customer RFM statistics the CLV models use.

Conventions (documented once, used everywhere):

* **Purchase periods.** Lines are first summed per customer and period (``freq="D"``: a
  calendar day; ``freq="W"``: 7-day blocks that end on the observation end). Several lines,
  orders or same-day visits in one period count as **one** purchase.
* **Returns.** A period whose net amount is negative is *not* a purchase (returns, refunds).
  A period whose net amount is zero is a purchase only if it has no negative line (a free
  order, e.g. a promotional item); a zero net made of a purchase and its return is not.
* **First purchase** = first purchase period; it starts the customer's clock and is not
  counted in ``frequency`` or in ``monetary_value`` (Fader & Hardie's convention).
* ``frequency`` = repeat purchase periods, ``recency`` = last minus first purchase, ``T`` =
  observation end minus first purchase, both in ``time_unit`` (``"D"`` days, ``"W"`` weeks =
  days / 7). ``monetary_value`` = mean net amount of the repeat purchase periods (0 when
  ``frequency`` is 0), in currency units.
* Customers with no purchase period, or whose first purchase falls in the last period
  (``T = 0``), are excluded with a :class:`CLVDataWarning` naming how many and examples; the
  counts are also stored in the result's ``excluded``.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ._summary import PurchaseSummary
from ._validation import CLVDataWarning, CLVInputError, describe_ids

__all__ = ["PurchaseSummary", "load_cdnow", "rfm_summary", "calibration_and_holdout", "purchase_periods", "CDNOW_CALIBRATION_END"]

_FREQ_DAYS = {"D": 1, "W": 7}
_UNIT_DAYS = {"D": 1.0, "W": 7.0}
_REQUIRED = ("customer_id", "date", "amount")
#: End of the 39-week calibration period used in the published CDNOW analyses.
CDNOW_CALIBRATION_END = pd.Timestamp("1997-09-30")


def _default_cdnow_path() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "data" / "cdnow" / "CDNOW_sample.txt"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "data/cdnow/CDNOW_sample.txt not found above the package; pass path= explicitly"
    )


def load_cdnow(path: str | Path | None = None) -> pd.DataFrame:
    """Load the CDNOW 1/10 sample (Fader & Hardie) as contract-shaped transactions.

    2,357 customers who first bought at CDNOW in the first quarter of 1997, followed to
    1998-06-30; 6,919 lines. See ``data/cdnow/README.md`` for provenance.

    Parameters
    ----------
    path : str or Path, optional
        The ``CDNOW_sample.txt`` file; defaults to the copy in ``data/cdnow/``.

    Returns
    -------
    DataFrame, shape (6919, 4)
        ``customer_id`` (str, the master id), ``date`` (datetime64), ``amount`` (float,
        US dollars) and ``quantity`` (int, CDs bought).

    Examples
    --------
    >>> tx = load_cdnow()
    >>> tx["customer_id"].nunique()
    2357
    """
    path = Path(path) if path is not None else _default_cdnow_path()
    raw = pd.read_csv(
        path, sep=r"\s+", header=None, names=["customer_id", "sample_id", "date", "quantity", "amount"],
        dtype={"customer_id": str, "sample_id": str, "date": str, "quantity": "int64", "amount": float},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw[["customer_id", "date", "amount", "quantity"]]


def _check_transactions(transactions: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(transactions, pd.DataFrame):
        raise CLVInputError(f"transactions must be a DataFrame, got {type(transactions).__name__}")
    missing = [c for c in _REQUIRED if c not in transactions.columns]
    if missing:
        raise CLVInputError(f"transactions lack required column(s) {missing}; need {list(_REQUIRED)}")
    tx = transactions[list(_REQUIRED)]
    ids = tx["customer_id"].to_numpy()
    for col in _REQUIRED:
        bad = tx[col].isna().to_numpy()
        if bad.any():
            rows = [str(r) for r in tx.index[bad][:5]]
            who = "" if col == "customer_id" else f"; {describe_ids(ids, bad)}"
            raise CLVInputError(f"{int(bad.sum())} transaction lines have a missing {col!r} "
                                f"(rows {', '.join(rows)}{', ...' if bad.sum() > 5 else ''}{who})")
    dates = tx["date"]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        try:
            dates = pd.to_datetime(dates, format="mixed")
        except (ValueError, TypeError) as exc:
            raise CLVInputError(f"column 'date' cannot be read as dates: {exc}") from None
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    try:
        amount = tx["amount"].astype(float)
    except (ValueError, TypeError) as exc:
        raise CLVInputError(f"column 'amount' is not numeric: {exc}") from None
    bad = ~np.isfinite(amount.to_numpy())
    if bad.any():
        raise CLVInputError(f"infinite amount on {int(bad.sum())} lines ({describe_ids(ids, bad)})")
    return pd.DataFrame({"customer_id": tx["customer_id"], "date": dates, "amount": amount})


def _day_index(dates) -> np.ndarray:
    return np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def _timestamp(value, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise CLVInputError(f"{name} is not a date: {value!r} ({exc})") from None
    if ts is pd.NaT:
        raise CLVInputError(f"{name} is missing (NaT)")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def purchase_periods(transactions: pd.DataFrame, anchor, freq: str = "D", until=None) -> pd.DataFrame:
    """One row per customer and purchase period, net amounts, returns handled (see module doc).

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions (``customer_id``, ``date``, ``amount``).
    anchor : date-like
        Period grid anchor: the last day of period 0 (the calibration or observation end).
    freq : {"D", "W"}
        Period length.
    until : date-like, optional
        Ignore lines after this day (default: ``anchor``).

    Returns
    -------
    DataFrame
        ``customer_id``, ``period`` (int; 0 = the period ending on ``anchor``, negative before,
        positive after), ``day`` (int, days since 1970-01-01 of the period's first line),
        ``amount`` (net, currency units), ``is_purchase`` (bool); sorted by customer, period.
    """
    if freq not in _FREQ_DAYS:
        raise CLVInputError(f"freq must be 'D' or 'W', got {freq!r}")
    tx = _check_transactions(transactions)
    anchor_day = int(_day_index([_timestamp(anchor, "anchor")])[0])
    until_day = anchor_day if until is None else int(_day_index([_timestamp(until, "until")])[0])
    day = _day_index(tx["date"])
    keep = day <= until_day
    if not keep.any():
        raise CLVInputError(
            f"no transactions on or before {pd.Timestamp(until_day, unit='D').date()}: the observation "
            "window is empty (observation end precedes every transaction)"
        )
    day = day[keep]
    amount = tx["amount"].to_numpy()[keep]
    codes, labels = pd.factorize(tx["customer_id"][keep], sort=True)  # categorical ids: integer work
    width = _FREQ_DAYS[freq]
    period = -((anchor_day - day) // width)
    pmin = int(period.min())
    span = int(period.max()) - pmin + 1
    key = codes.astype(np.int64) * span + (period - pmin)
    ukey, inv = np.unique(key, return_inverse=True)
    net = np.bincount(inv, weights=amount, minlength=ukey.size)
    has_neg = np.bincount(inv, weights=(amount < 0), minlength=ukey.size) > 0
    first_day = np.full(ukey.size, np.iinfo(np.int64).max)
    np.minimum.at(first_day, inv, day)
    scale = np.maximum(np.bincount(inv, weights=np.abs(amount), minlength=ukey.size), 1.0)
    zero = np.abs(net) <= 1e-9 * scale
    net = np.where(zero, 0.0, net)
    is_purchase = (net > 0) | (zero & ~has_neg)
    return pd.DataFrame({
        "customer_id": labels[ukey // span],
        "period": (ukey % span + pmin).astype(np.int64),
        "day": first_day,
        "amount": net,
        "is_purchase": is_purchase,
    })


def _summarise(periods: pd.DataFrame, end_period: int, days_per_period: int, unit: str):
    """Per-customer frequency/recency/T/monetary from purchase periods <= end_period."""
    p = periods[periods["is_purchase"].to_numpy() & (periods["period"].to_numpy() <= end_period)]
    cust = p["customer_id"].to_numpy()
    per = p["period"].to_numpy()
    amt = p["amount"].to_numpy()
    if cust.size == 0:
        return None
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]])
    counts = np.diff(np.r_[starts, cust.size])
    first = per[starts]
    last = per[starts + counts - 1]
    total = np.add.reduceat(amt, starts)
    x = counts - 1
    factor = days_per_period / _UNIT_DAYS[unit]
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(x > 0, (total - amt[starts]) / np.maximum(x, 1), 0.0)
    return pd.DataFrame(
        {
            "frequency": x.astype(np.int64),
            "recency": (last - first) * factor,
            "T": (end_period - first) * factor,
            "monetary_value": monetary,
        },
        index=pd.Index(cust[starts], name="customer_id"),
    )


def _exclusions(periods, summary, end_period):
    """Warn about customers without a purchase and with T = 0; drop the latter."""
    excluded = {}
    in_window = periods[periods["period"].to_numpy() <= end_period]
    all_ids = pd.unique(in_window["customer_id"].to_numpy())
    kept = summary.index.to_numpy() if summary is not None else np.array([], dtype=object)
    no_purchase = ~pd.Index(all_ids).isin(kept)  # hash-based: np.isin on object arrays is quadratic
    if no_purchase.any():
        excluded["no_purchase"] = int(no_purchase.sum())
        warnings.warn(
            f"excluded {describe_ids(all_ids, no_purchase)} whose periods all net to a return "
            "or refund (no purchase)", CLVDataWarning, stacklevel=3,
        )
    if summary is None:
        raise CLVInputError("no customer has a purchase in the observation window")
    new = (summary["T"] == 0).to_numpy()
    if new.any():
        excluded["T_zero"] = int(new.sum())
        warnings.warn(
            f"excluded {describe_ids(summary.index.to_numpy(), new)} acquired in the last period "
            "(T = 0: nothing to learn about repeat buying yet)", CLVDataWarning, stacklevel=3,
        )
        summary = summary[~new]
    if summary.empty:
        raise CLVInputError("every customer was acquired in the last period (T = 0): the window is too short")
    return summary, excluded


def _period_and_unit(freq: str, time_unit: str | None) -> str:
    """Check the purchase-period length and return the time unit (``time_unit`` or, if None, ``freq``)."""
    if freq not in _FREQ_DAYS:
        raise CLVInputError(f"freq must be 'D' or 'W', got {freq!r}")
    unit = freq if time_unit is None else time_unit
    if unit not in _UNIT_DAYS:
        raise CLVInputError(f"time_unit must be 'D' or 'W', got {time_unit!r}")
    return unit


def rfm_summary(transactions: pd.DataFrame, observation_end, freq: str = "D",
                time_unit: str | None = None) -> PurchaseSummary:
    """Per-customer frequency, recency, T and mean repeat-purchase value.

    Vectorised: one sort of the (customer, period) keys, no per-customer Python code.
    See the module docstring for how same-period lines, returns and zero amounts count.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions: ``customer_id``, ``date``, ``amount`` (currency units; negative
        lines are returns). Lines after ``observation_end`` are ignored.
    observation_end : date-like
        Last day of the observation window (inclusive).
    freq : {"D", "W"}
        Purchase period: calendar day, or 7-day blocks ending on ``observation_end``.
    time_unit : {"D", "W"}, optional
        Unit of ``recency`` and ``T`` (default ``freq``). ``freq="D", time_unit="W"`` gives
        daily-resolution purchases measured in weeks (days / 7), the construction of the
        published CDNOW analyses.

    Returns
    -------
    PurchaseSummary
        ``table``, shape (n_customers, 4): index ``customer_id``; ``frequency`` (int, repeat purchases),
        ``recency`` and ``T`` (float, ``time_unit``), ``monetary_value`` (float, currency units, 0 when
        frequency is 0); with ``time_unit``, ``freq``, ``observation_end`` and ``excluded``.

    Raises
    ------
    CLVInputError
        Missing columns, missing or unreadable values, or an empty observation window.

    Examples
    --------
    >>> rfm = rfm_summary(load_cdnow(), "1997-09-30", freq="D", time_unit="W")
    >>> len(rfm), int(rfm.table["frequency"].sum())
    (2357, 2457)
    """
    unit = _period_and_unit(freq, time_unit)
    end = _timestamp(observation_end, "observation_end")
    periods = purchase_periods(transactions, end, freq)
    summary = _summarise(periods, 0, _FREQ_DAYS[freq], unit)
    summary, excluded = _exclusions(periods, summary, 0)
    return PurchaseSummary(summary, time_unit=unit, freq=freq, observation_end=end, excluded=excluded)


def calibration_and_holdout(transactions: pd.DataFrame, calibration_end, observation_end,
                            freq: str = "D", time_unit: str | None = None) -> PurchaseSummary:
    """RFM on a calibration window plus repeat purchases in the following holdout window.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions (see :func:`rfm_summary`).
    calibration_end : date-like
        Last day of the calibration window; customers must be acquired by then.
    observation_end : date-like
        Last day of the holdout window (after ``calibration_end``).
    freq, time_unit : str
        As in :func:`rfm_summary`; periods are anchored on ``calibration_end``.

    Returns
    -------
    PurchaseSummary
        ``table``, shape (n_customers, 7): ``frequency``, ``recency``, ``T``, ``monetary_value`` (calibration) and
        ``frequency_holdout`` (int, purchase periods in the holdout), ``monetary_value_holdout``
        (mean holdout purchase value, 0 if none) and ``duration_holdout`` (``time_unit``).

    Raises
    ------
    CLVInputError
        If the holdout window is empty or negative (``observation_end <= calibration_end``).
    """
    unit = _period_and_unit(freq, time_unit)
    cal_end = _timestamp(calibration_end, "calibration_end")
    obs_end = _timestamp(observation_end, "observation_end")
    days = (obs_end.normalize() - cal_end.normalize()).days
    if days <= 0:
        raise CLVInputError(
            f"holdout window of {days} days: observation_end ({obs_end.date()}) must be after "
            f"calibration_end ({cal_end.date()})"
        )
    periods = purchase_periods(transactions, cal_end, freq, until=obs_end)
    summary = _summarise(periods, 0, _FREQ_DAYS[freq], unit)
    summary, excluded = _exclusions(periods, summary, 0)
    hold = periods[(periods["period"].to_numpy() > 0) & periods["is_purchase"].to_numpy()]
    grouped = hold.groupby("customer_id", sort=False)["amount"]
    n_hold = grouped.size().reindex(summary.index, fill_value=0)
    mean_hold = grouped.mean().reindex(summary.index, fill_value=0.0)
    out = summary.assign(
        frequency_holdout=n_hold.to_numpy().astype(np.int64),
        monetary_value_holdout=mean_hold.to_numpy(),
        duration_holdout=days / _UNIT_DAYS[unit],
    )
    return PurchaseSummary(out, time_unit=unit, freq=freq, observation_end=obs_end, excluded=excluded,
                           calibration_end=cal_end)
