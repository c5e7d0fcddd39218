"""The change register: every change that matters in one table, sorted by business impact.

:func:`change_register` collects the kept changes and the new channels with their driving group and revenue
at stake, links each to the nearest market event (:func:`market_events`, :func:`link_events`) and numbers the
distinct changes (:func:`cluster_changes`), merging the signals of one change into one line
(:func:`change_signals` keeps them); :func:`events_without_effect` lists the news that moved nothing.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import week_start
from ..findings import date_words
from ..data import Dataset
from .changepoints import BREAK_DATE_WEEKS
from .metrics import metric_info

__all__ = [
    "market_events", "link_events", "change_signals", "change_register", "cluster_changes", "events_without_effect",
    "acquisition_end",
]


def market_events(ds: Dataset) -> pd.DataFrame:
    """Dated market events from the ``market`` table: week, kind (competitor / channel), text."""
    if not ds.has("market"):
        return pd.DataFrame(columns=["week", "kind", "event"])
    mk = ds.market
    parts = []
    for col, kind in (("competitor_event", "competitor"), ("channel_launch", "channel")):
        if col in mk:
            has = mk[col].notna() & (mk[col].astype("str").str.strip() != "")
            parts.append(pd.DataFrame({"week": week_start(mk.loc[has, "week"]), "kind": kind,
                                       "event": mk.loc[has, col].astype("str")}))
    if not parts:
        return pd.DataFrame(columns=["week", "kind", "event"])
    return pd.concat(parts, ignore_index=True).sort_values("week").reset_index(drop=True)


def link_events(dates: pd.Series, events: pd.DataFrame, tolerance_weeks: int = 3) -> pd.DataFrame:
    """The nearest market event within ``tolerance_weeks`` of each date: columns event, event_week (or NA)."""
    out = pd.DataFrame({"event": pd.Series(pd.NA, index=dates.index, dtype="str"),
                        "event_week": pd.Series(pd.NaT, index=dates.index, dtype="datetime64[us]")})
    if events.empty:
        return out
    ev_weeks = events["week"].to_numpy(dtype="datetime64[us]")
    for i, d in dates.items():
        gap = np.abs((ev_weeks - np.datetime64(d, "us")) / np.timedelta64(7, "D"))
        j = int(np.argmin(gap))
        if gap[j] <= tolerance_weeks:
            out.loc[i, "event"] = events["event"].iloc[j]
            out.loc[i, "event_week"] = events["week"].iloc[j]
    return out


#: Column types of an empty register or signal table (the others are float).
_EMPTY_TYPES = {"change_id": "int64", "rank": "int64", "what": "object", "metric": "object", "date": "datetime64[ns]",
                "end": "datetime64[ns]", "direction": "object", "change_unit": "object", "affected_group": "object",
                "related_event": "object", "event_week": "datetime64[ns]", "at_stake_basis": "object",
                "seen_in": "object", "metrics": "object", "at_stake_measured": "bool"}
_SIGNAL_COLUMNS = ["change_id", "what", "metric", "date", "end", "direction", "before", "after", "change", "ci_low",
                   "ci_high", "change_unit", "p_adj", "affected_group", "group_change", "revenue_at_stake",
                   "at_stake_low", "at_stake_high", "at_stake_basis", "at_stake_measured", "severity"]
_REGISTER_COLUMNS = ["change_id", "rank", "what", "metric", "date", "direction", "before", "after", "change",
                     "ci_low", "ci_high", "change_unit", "p_adj", "affected_group", "group_change", "related_event",
                     "event_week", "revenue_at_stake", "at_stake_low", "at_stake_high", "at_stake_basis",
                     "at_stake_measured", "severity", "metrics", "seen_in"]


def _empty(columns: list[str]) -> pd.DataFrame:
    """A table without rows with the columns and types of one with rows, so dates stay dates."""
    return pd.DataFrame({c: pd.Series(dtype=_EMPTY_TYPES.get(c, "float64")) for c in columns})


def _stake_fields(key: tuple, impacts: dict, at_stake: dict) -> dict:
    """Revenue at stake of one signal, with its interval and rule (NaN / "unknown" without them)."""
    s = at_stake.get(key)
    if s is None:
        return {"revenue_at_stake": impacts.get(key, np.nan), "at_stake_low": np.nan, "at_stake_high": np.nan,
                "at_stake_basis": "unknown", "at_stake_measured": False}
    return {"revenue_at_stake": s.value, "at_stake_low": s.low, "at_stake_high": s.high,
            "at_stake_basis": s.basis, "at_stake_measured": s.measured}


def change_signals(flagged: pd.DataFrame, ramps: pd.DataFrame, drivers: dict, impacts: dict,
                   at_stake: dict | None = None, tolerance_weeks: int = BREAK_DATE_WEEKS) -> pd.DataFrame:
    """Every metric row of every change, in the columns of the findings file (:func:`_signals`)."""
    return _signals(flagged, ramps, drivers, impacts, at_stake, tolerance_weeks)[_SIGNAL_COLUMNS]


def _signals(flagged: pd.DataFrame, ramps: pd.DataFrame, drivers: dict, impacts: dict,
             at_stake: dict | None = None, tolerance_weeks: int = BREAK_DATE_WEEKS) -> pd.DataFrame:
    """Every metric row of every change (the evidence behind the register), with its ``change_id``.

    Parameters as :func:`change_register`. Returns one row per flagged break and per new channel: change_id,
    what, metric, date, end (last week the change unfolds: the date for a step, the end of the ramp for a
    new channel), direction, before, after, change, ci_low, ci_high, change_unit, p_adj, affected_group,
    group_change, revenue_at_stake (with at_stake_low / at_stake_high, at_stake_basis, at_stake_measured)
    and severity (|change| in multiples of the practical threshold). Rows of one change (:func:`cluster_changes`)
    share a ``change_id``; ids follow the business impact of the change: measured revenue at stake first
    (largest first), then severity, so a point value whose interval is not measured never leads or ranks.
    A private ``_said`` column holds each row in words (for ``seen_in``).
    """
    at_stake = at_stake or {}
    rows = []
    for _, r in flagged.iterrows():
        key, drv = (r["metric"], r["date"]), drivers.get((r["metric"], r["date"]))
        rows.append({"what": r["label"], "metric": r["metric"], "date": r["date"], "end": r["date"],
                     "direction": r["direction"], "before": r["before"], "after": r["after"], "change": r["change"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"], "change_unit": r["change_unit"],
                     "p_adj": r["p_adj"], "affected_group": drv.label if drv else "all customers",
                     "group_change": drv.excess_change if drv else np.nan, **_stake_fields(key, impacts, at_stake),
                     "severity": max(abs(r["change"]), abs(drv.excess_change) if drv else 0.0)
                     / metric_info(r["metric"]).min_effect,
                     "_group_only": bool(drv) and _is_true(r.get("group_only", False))})
    for _, r in ramps.iterrows():
        key = (f"share_{r['channel']}", r["launch"])
        drv = drivers.get(key)
        rows.append({"what": f"New sales channel '{r['channel']}': share of orders", "metric": key[0],
                     "date": r["launch"], "end": r["launch"] + pd.Timedelta(weeks=int(r["ramp_weeks"])),
                     "direction": "up", "before": 0.0, "after": r["plateau"], "change": r["plateau"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"], "change_unit": "share of orders",
                     "p_adj": np.nan, "affected_group": drv.label if drv else "all customers",
                     "group_change": drv.excess_change if drv else np.nan, **_stake_fields(key, impacts, at_stake),
                     "severity": r["plateau"] / 0.03, "_group_only": False})
    if not rows:
        return _empty(_SIGNAL_COLUMNS)
    sig = pd.DataFrame(rows)
    sig["_said"] = [_said(r) for _, r in sig.iterrows()]
    # measured revenue first (largest first), then severity: an unmeasured point value never leads or ranks
    measured = sig["at_stake_measured"].astype(bool)
    sig["_measured"] = measured
    sig["_impact"] = sig["revenue_at_stake"].abs().where(measured, 0.0).fillna(0.0)
    sig = sig.sort_values(["_measured", "_impact", "severity"], ascending=False).drop(
        columns=["_measured", "_impact"]).reset_index(drop=True)
    sig["change_id"] = cluster_changes(sig, tolerance_weeks)
    return sig


def _is_true(value) -> bool:
    """True for a true flag; False for false, None or a missing value (a column filled by concatenation)."""
    return bool(value) if value is not None and pd.notna(value) else False


def _said(row: pd.Series) -> str:
    """One signal in words for ``seen_in``: the all-customer change, or, for a change found inside one group
    only (a flagged row with ``group_only`` True, :func:`~.attribution.group_only_changes`), the group's change
    against the rest, naming the group."""
    if row["affected_group"] != "all customers" and bool(row["_group_only"]):
        return (f"{row['what']} {row['direction']} for {row['affected_group']} only "
                f"({row['group_change']:+.3g} {row['change_unit']} against the rest; all customers "
                f"{row['change']:+.3g}, {date_words(row['date'])})")
    return f"{row['what']} {row['direction']} ({row['change']:+.3g} {row['change_unit']}, {date_words(row['date'])})"


def change_register(flagged: pd.DataFrame, ramps: pd.DataFrame, drivers: dict, impacts: dict,
                    events: pd.DataFrame, tolerance_weeks: int = 3, at_stake: dict | None = None) -> pd.DataFrame:
    """One line per distinct change, sorted by business impact.

    Parameters
    ----------
    flagged
        Flagged rows of :func:`detect_all` (metric, label, date, before, after, change, ci_low, ci_high,
        change_unit, p_adj, direction).
    ramps
        :func:`channel_ramps` output (each new channel is a change, metric ``share_<channel>``).
    drivers
        ``{(metric, date): Driver or None}`` from :func:`~.attribution.driver_group` ("all customers" when None).
    impacts
        ``{(metric, date): annual net revenue at stake}`` (currency units a year, signed; NaN when unknown).
    events
        :func:`market_events` output, linked within ``tolerance_weeks``.
    at_stake
        ``{(metric, date): AtStake}`` (:class:`~.attribution.AtStake`): the interval and rule of each impact.

    Returns
    -------
    DataFrame
        One line per distinct change (:func:`change_signals` merged by ``change_id``: the same event seen in
        several metrics, or a break inside another change such as a shift during a new channel's ramp-up).
        The line shows its lead signal (the largest measured revenue at stake, then severity): rank, what, metric,
        date, direction, before, after, change, ci_low, ci_high, change_unit, p_adj, affected_group,
        group_change, related_event, event_week, revenue_at_stake (at_stake_low, at_stake_high,
        at_stake_basis, at_stake_measured), severity (the largest of its signals), ``metrics`` (keys of
        every signal) and ``seen_in`` (the other signals in words, "no other metric" when alone). The signals measure the same orders, so
        a change's revenue at stake is its lead signal's, never their sum: totals over the register count
        each change once.
    """
    sig = _signals(flagged, ramps, drivers, impacts, at_stake, tolerance_weeks=BREAK_DATE_WEEKS)
    if sig.empty:
        return _empty(_REGISTER_COLUMNS)
    lead = sig.groupby("change_id", sort=False).head(1).set_index("change_id")  # sorted: the first is the lead
    others = sig.groupby("change_id", sort=False)["_said"].agg(lambda g: "; ".join(g.iloc[1:]) or "no other metric")
    reg = lead.assign(severity=sig.groupby("change_id")["severity"].max(),
                      metrics=sig.groupby("change_id")["metric"].agg(list), seen_in=others).reset_index()
    reg = pd.concat([reg, link_events(reg["date"], events, tolerance_weeks)
                     .rename(columns={"event": "related_event"})], axis=1)
    reg["rank"] = np.arange(1, len(reg) + 1)
    return reg[_REGISTER_COLUMNS]


def cluster_changes(register: pd.DataFrame, tolerance_weeks: int = BREAK_DATE_WEEKS) -> pd.Series:
    """Number the distinct changes of a table of signals (columns date and, optionally, end).

    A signal spans ``date`` to ``end`` (a new channel's ramp; a step has ``end == date``). Signals whose
    spans, widened by ``tolerance_weeks`` on each side, overlap are one change: the same event seen in
    several metrics (slower delivery and lower speed satisfaction), or a break nested inside another
    change (a shift of the basket during a new channel's ramp-up). Overlap is transitive (chains merge).
    Returns change ids (1, 2, ... by first appearance in the table's order), indexed like the table.
    """
    if register.empty:
        return pd.Series(dtype=int)
    start = pd.to_datetime(register["date"]) - pd.Timedelta(weeks=tolerance_weeks)
    end = pd.to_datetime(register["end"] if "end" in register else register["date"]) \
        + pd.Timedelta(weeks=tolerance_weeks)
    order = np.argsort(start.to_numpy(), kind="stable")
    group = np.empty(len(register), dtype=int)
    reach, g = None, -1
    for i in order:  # sweep by start: a new group when the start is past everything reached so far
        if reach is None or start.iloc[i] > reach:
            g += 1
            reach = end.iloc[i]
        else:
            reach = max(reach, end.iloc[i])
        group[i] = g
    first = pd.Series(group).drop_duplicates()  # number groups by first appearance in the table's order
    ids = pd.Series(group).map(dict(zip(first.to_numpy(), range(1, len(first) + 1))))
    return pd.Series(ids.to_numpy(), index=register.index)


def events_without_effect(events: pd.DataFrame, register: pd.DataFrame, tolerance_weeks: int = 3) -> pd.DataFrame:
    """Market events with no change in the register within ``tolerance_weeks``: news that moved nothing."""
    if events.empty:
        return events
    if register.empty:
        return events.reset_index(drop=True)
    gaps = np.abs((events["week"].to_numpy()[:, None] - register["date"].to_numpy()[None, :])
                  / np.timedelta64(7, "D"))
    return events[(gaps > tolerance_weeks).all(axis=1)].reset_index(drop=True)


def acquisition_end(orders: pd.DataFrame, weeks: pd.DatetimeIndex, min_quiet_weeks: int = 8,
                    min_quiet_share: float = 0.1) -> pd.Timestamp | None:
    """The week of the last first-time customer when acquisition stopped, else None.

    ``orders`` (columns customer_id, date): a customer's first order is their first week. Acquisition has
    stopped when the last first order falls at least ``min_quiet_weeks`` full weeks, and at least
    ``min_quiet_share`` of the full ``weeks``, before the last full week: a closed group of customers, whose
    order counts can only fall as they lapse. None without customers or dates.
    """
    if len(weeks) == 0 or orders.empty or not {"customer_id", "date"} <= set(orders.columns):
        return None
    last_first = pd.Timestamp(week_start(np.array([orders.groupby("customer_id")["date"].min().max()]))[0])
    quiet = int((weeks > last_first).sum())
    if quiet >= max(min_quiet_weeks, min_quiet_share * len(weeks)):
        return last_first
    return None
