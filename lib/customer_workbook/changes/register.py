"""The change register: every change that matters in one table, sorted by business impact.

:func:`change_register` collects the kept changes and the new channels with their driving group and revenue
at stake, links each to the nearest market event (:func:`market_events`, :func:`link_events`) and numbers the
distinct changes (:func:`cluster_changes`); :func:`events_without_effect` lists the news that moved nothing.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import week_start
from ..data import Dataset
from .metrics import metric_info

__all__ = [
    "market_events", "link_events", "change_register", "cluster_changes", "events_without_effect",
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


#: Column types of an empty register (the others are float).
_EMPTY_TYPES = {"change_id": "int64", "rank": "int64", "what": "object", "metric": "object", "date": "datetime64[ns]",
                "direction": "object", "change_unit": "object", "affected_group": "object", "related_event": "object",
                "event_week": "datetime64[ns]"}


def change_register(flagged: pd.DataFrame, ramps: pd.DataFrame, drivers: dict, impacts: dict,
                    events: pd.DataFrame, tolerance_weeks: int = 3) -> pd.DataFrame:
    """One table of the changes that matter, sorted by business impact.

    Parameters
    ----------
    flagged
        Flagged rows of :func:`detect_all` (metric, label, date, before, after, change, ci_low, ci_high,
        change_unit, p_adj, direction).
    ramps
        :func:`channel_ramps` output (each new channel becomes a row, metric ``share_<channel>``).
    drivers
        ``{(metric, date): Driver or None}`` from :func:`~.attribution.driver_group` ("all customers" when None).
    impacts
        ``{(metric, date): annual net revenue at stake}`` (currency units a year, signed; NaN when unknown).
    events
        :func:`market_events` output, linked within ``tolerance_weeks``.

    Returns
    -------
    DataFrame
        Columns: rank, what, metric, date, direction, before, after, change, ci_low, ci_high, change_unit,
        p_adj, affected_group, group_change, related_event, event_week, revenue_at_stake, severity.
        Sorted by ``|revenue_at_stake|`` (unknown counts as 0), then ``severity`` (|change| in multiples of
        the metric's practical threshold). ``change_id`` numbers distinct changes: rows dated within two
        weeks of each other are one change seen in several metrics (:func:`cluster_changes`).
    """
    rows = []
    for _, r in flagged.iterrows():
        key = (r["metric"], r["date"])
        drv = drivers.get(key)
        metric = metric_info(r["metric"])
        rows.append({"what": r["label"], "metric": r["metric"], "date": r["date"], "direction": r["direction"],
                     "before": r["before"], "after": r["after"], "change": r["change"], "ci_low": r["ci_low"],
                     "ci_high": r["ci_high"], "change_unit": r["change_unit"], "p_adj": r["p_adj"],
                     "affected_group": drv.label if drv else "all customers",
                     "group_change": drv.excess_change if drv else np.nan,
                     "revenue_at_stake": impacts.get(key, np.nan),
                     "severity": abs(r["change"]) / metric.min_effect})
    for _, r in ramps.iterrows():
        key = (f"share_{r['channel']}", r["launch"])
        drv = drivers.get(key)
        rows.append({"what": f"New sales channel '{r['channel']}': share of orders", "metric": key[0],
                     "date": r["launch"], "direction": "up", "before": 0.0, "after": r["plateau"],
                     "change": r["plateau"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "change_unit": "share of orders", "p_adj": np.nan,
                     "affected_group": drv.label if drv else "all customers",
                     "group_change": drv.excess_change if drv else np.nan,
                     "revenue_at_stake": impacts.get(key, np.nan), "severity": r["plateau"] / 0.03})
    cols = ["rank", "what", "metric", "date", "direction", "before", "after", "change", "ci_low", "ci_high",
            "change_unit", "p_adj", "affected_group", "group_change", "related_event", "event_week",
            "revenue_at_stake", "severity"]
    if not rows:  # the same columns and types as a register with rows, so dates stay dates
        return pd.DataFrame({c: pd.Series(dtype=_EMPTY_TYPES.get(c, "float64")) for c in ["change_id", *cols]})
    reg = pd.DataFrame(rows)
    reg = pd.concat([reg, link_events(reg["date"], events, tolerance_weeks)
                     .rename(columns={"event": "related_event"})], axis=1)
    reg["_impact"] = reg["revenue_at_stake"].abs().fillna(0.0)
    reg = reg.sort_values(["_impact", "severity"], ascending=False).drop(columns="_impact").reset_index(drop=True)
    reg["rank"] = np.arange(1, len(reg) + 1)
    reg["change_id"] = cluster_changes(reg)
    return reg[["change_id", *cols]]


def cluster_changes(register: pd.DataFrame, tolerance_weeks: int = 2) -> pd.Series:
    """Number the distinct changes of a register: rows dated within ``tolerance_weeks`` of each other are one
    change seen in several metrics (e.g. slower delivery and lower speed satisfaction). Returns change ids
    (1, 2, ... by first appearance in the register's order)."""
    if register.empty:
        return pd.Series(dtype=int)
    dates = register["date"]
    ids = pd.Series(0, index=register.index)
    next_id = 0
    for i in register.index:
        near = ids[(ids > 0) & ((dates - dates[i]).abs() <= pd.Timedelta(weeks=tolerance_weeks))]
        if len(near):
            ids[i] = near.iloc[0]
        else:
            next_id += 1
            ids[i] = next_id
    return ids


def events_without_effect(events: pd.DataFrame, register: pd.DataFrame, tolerance_weeks: int = 3) -> pd.DataFrame:
    """Market events with no change in the register within ``tolerance_weeks``: news that moved nothing."""
    if events.empty:
        return events
    if register.empty:
        return events.reset_index(drop=True)
    gaps = np.abs((events["week"].to_numpy()[:, None] - register["date"].to_numpy()[None, :])
                  / np.timedelta64(7, "D"))
    return events[(gaps > tolerance_weeks).all(axis=1)].reset_index(drop=True)
