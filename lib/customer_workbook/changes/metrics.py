"""What step 2 watches: the :class:`Metric` definitions and their weekly records and panels.

:func:`metric_records` turns the contract tables into unit records (one order, one survey answer, one market
week ...) for each metric in :data:`METRICS`; :func:`weekly_panel` sums them per week (and per group of
customers) and :func:`metric_series` reads a metric's weekly value and weight from such a panel. Weeks start
on Monday (:func:`customer_workbook.base.week_start`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..advocacy.nps import promoter_points
from ..base import derived, week_start
from ..contract import SATISFACTION_ITEMS
from ..data import Dataset

__all__ = [
    "COUNT_OFFSET", "Metric", "METRICS", "metric_info", "metric_records", "weekly_panel", "metric_series",
    "share_records", "watch_list",
]


COUNT_OFFSET = 0.5         # added to weekly counts before taking logs (weeks with zero orders)


@dataclass(frozen=True)
class Metric:
    """A weekly metric that the change detector watches.

    Attributes
    ----------
    key, label, unit
        Identifier, readable name and unit of the weekly value.
    table
        Contract table it comes from.
    kind
        ``"count"`` (weekly sum of unit records, e.g. orders) or ``"mean"`` (weekly mean of unit values,
        e.g. survey scores; weeks are weighted by how many records they hold).
    log
        Detect and measure on the log scale: changes are relative (``min_effect`` is a fraction).
    seasonal
        Remove month-of-year seasonality and a straight-line trend before looking for breaks.
    min_effect
        Practical significance threshold: the smallest change worth acting on (fraction when ``log``,
        otherwise in ``unit``).
    theme
        Which of step 2's watch areas it belongs to (behaviour, satisfaction, competition, channels).
    revenue_link
        True when a change of the metric translates directly into orders (used for business impact).
    """

    key: str
    label: str
    unit: str
    table: str
    kind: str
    log: bool = False
    seasonal: bool = False
    min_effect: float = 0.1
    theme: str = "behaviour"
    revenue_link: bool = False


_SAT_LABEL = {"location": "location", "parking": "parking", "service": "service",
              "pricing": "pricing", "speed": "speed (fast brand)", "quality": "quality (social proof)"}


#: The metrics watched by default, keyed by :attr:`Metric.key`. New-customer series per acquisition channel
#: are added by :func:`metric_records` from the data (``new_customers_<channel>``).
METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("orders", "Orders per week", "orders", "transactions", "count", log=True, seasonal=True,
           min_effect=0.05, revenue_link=True),
    Metric("active_customers", "Active customers per week", "customers", "transactions", "count", log=True,
           seasonal=True, min_effect=0.05, revenue_link=True),
    Metric("avg_basket", "Average basket", "currency units per order", "transactions", "mean", log=True,
           seasonal=True, min_effect=0.05),
    Metric("delivery_days", "Delivery time of delivered orders", "days", "transactions", "mean",
           min_effect=0.5, theme="satisfaction"),
    Metric("new_customers", "New customers per week", "customers", "customers", "count", log=True,
           min_effect=0.15),
    Metric("nps", "NPS", "NPS points", "surveys", "mean", min_effect=10.0, theme="satisfaction"),
    *(Metric(f"sat_{item}", f"Satisfaction: {_SAT_LABEL[item]}", "points (1-5)", "surveys", "mean",
             min_effect=0.2, theme="satisfaction") for item in SATISFACTION_ITEMS),
    Metric("competitor_price_index", "Competitor price index", "index (1 = our prices)", "market", "mean",
           log=True, min_effect=0.02, theme="competition"),
)}


def _new_customer_metric(channel: str) -> Metric:
    return Metric(f"new_customers_{channel}", f"New customers per week via {channel}", "customers", "customers",
                  "count", log=True, min_effect=0.15, theme="channels")


def metric_info(key: str) -> Metric:
    """The :class:`Metric` for ``key`` (including ``new_customers_<channel>``)."""
    if key in METRICS:
        return METRICS[key]
    if key.startswith("new_customers_"):
        return _new_customer_metric(key.removeprefix("new_customers_"))
    raise KeyError(key)


def metric_records(ds: Dataset) -> dict[str, pd.DataFrame]:
    """Unit records of every metric the data supports, from the run's order table
    (:func:`customer_workbook.base.derived`) and the optional tables.

    Returns
    -------
    dict
        ``{metric key: DataFrame(week, customer_id, value)}``: one row per order (``orders``, ``avg_basket``,
        ``delivery_days``), per customer-week (``active_customers``), per acquired customer
        (``new_customers`` and ``new_customers_<channel>``, from ``customers.signup_date``), per survey answer
        (``nps`` as +100 promoter / 0 passive / -100 detractor, ``sat_*`` in points) or per market week
        (``competitor_price_index``; ``customer_id`` missing). Metrics whose columns are absent are left out.
    """
    out: dict[str, pd.DataFrame] = {}
    tx = ds.transactions
    orders = derived(ds).orders
    base = pd.DataFrame({"week": week_start(orders["date"]), "customer_id": orders["customer_id"]})
    out["orders"] = base.assign(value=1.0)
    out["active_customers"] = base.drop_duplicates().assign(value=1.0)
    out["avg_basket"] = base.assign(value=orders["amount"].to_numpy(dtype=float))
    if "delivery_days" in tx:
        first_line = tx.groupby("order_id", sort=False, observed=True)["delivery_days"].max()
        days = orders["order_id"].map(first_line).to_numpy(dtype=float)
        keep = days > 0  # store purchases and pick-ups carry 0 days
        out["delivery_days"] = base[keep].assign(value=days[keep])
    if ds.has("customers") and "signup_date" in ds.customers:
        cust = ds.customers.dropna(subset=["signup_date"])
        weeks = derived(ds).full_weeks
        cust = cust[(cust["signup_date"] >= weeks[0]) & (cust["signup_date"] < weeks[-1] + pd.Timedelta(days=7))]
        new = pd.DataFrame({"week": week_start(cust["signup_date"]), "customer_id": cust["customer_id"],
                            "value": 1.0})
        if len(new):
            out["new_customers"] = new
            if "acquisition_channel" in cust:
                channel = cust["acquisition_channel"].astype("str")
                for name in sorted(channel.dropna().unique()):
                    out[f"new_customers_{name}"] = new[(channel == name).to_numpy()]
    if ds.has("surveys"):
        sv = ds.surveys
        weeks = week_start(sv["date"])
        if "nps" in sv:
            nps = sv["nps"].to_numpy(dtype=float)
            ok = ~np.isnan(nps)
            score = promoter_points(nps)
            out["nps"] = pd.DataFrame({"week": weeks[ok], "customer_id": sv["customer_id"][ok], "value": score[ok]})
        for item in SATISFACTION_ITEMS:
            col = f"sat_{item}"
            if col in sv:
                v = sv[col].to_numpy(dtype=float)
                ok = ~np.isnan(v)
                out[col] = pd.DataFrame({"week": weeks[ok], "customer_id": sv["customer_id"][ok], "value": v[ok]})
    if ds.has("market") and "competitor_price_index" in ds.market:
        mk = ds.market.dropna(subset=["competitor_price_index"])
        out["competitor_price_index"] = pd.DataFrame({
            "week": week_start(mk["week"]), "customer_id": pd.Series(pd.NA, index=mk.index, dtype="str"),
            "value": mk["competitor_price_index"].to_numpy(dtype=float)})
    # one shared categorical for customer ids: grouping records by customer segment then maps only the
    # categories (fast on millions of records) instead of every row. The loader already shares one.
    dtype = tx["customer_id"].dtype
    if not isinstance(dtype, pd.CategoricalDtype):
        ids = pd.Index(tx["customer_id"].astype("str").unique())
        if ds.has("customers"):
            ids = ids.union(pd.Index(ds.customers["customer_id"].astype("str").unique()), sort=False)
        dtype = pd.CategoricalDtype(ids)
    return {k: v.assign(customer_id=pd.Categorical(v["customer_id"], dtype=dtype)).reset_index(drop=True)
            for k, v in out.items()}


def weekly_panel(records: pd.DataFrame, weeks: pd.DatetimeIndex, groups: pd.Series | None = None) -> pd.DataFrame:
    """Weekly sums of unit records: ``n`` (records), ``total`` (sum of values), ``total2`` (sum of squares).

    Parameters
    ----------
    records
        DataFrame(week, customer_id, value) from :func:`metric_records`.
    weeks
        The weekly index to report on (weeks outside are dropped, missing weeks get zeros).
    groups
        Optional customer -> group label (index: customer_id); then the result has one column level per group.

    Returns
    -------
    DataFrame
        Index: ``weeks``. Columns ``n``, ``total``, ``total2`` (or a MultiIndex ``(stat, group)`` with groups).
    """
    week_values = weeks.to_numpy().astype("datetime64[ns]")
    rec_weeks = records["week"].to_numpy().astype("datetime64[ns]")
    pos = np.searchsorted(week_values, rec_weeks)
    ok = (pos < len(week_values)) & (week_values[np.minimum(pos, len(week_values) - 1)] == rec_weeks)
    value = records["value"].to_numpy(dtype=float)
    stats_names = ("n", "total", "total2")
    if groups is None:
        out = {name: np.bincount(pos[ok], weights=w, minlength=len(weeks))
               for name, w in zip(stats_names, (np.ones(ok.sum()), value[ok], value[ok] ** 2))}
        return pd.DataFrame(out, index=weeks)
    labels = groups.dropna()
    names = np.array(sorted(labels.astype("str").unique()), dtype=object)
    ids = records["customer_id"]
    if isinstance(ids.dtype, pd.CategoricalDtype) and groups.index is ids.cat.categories:
        # groups already aligned with the categories (see who_changed): no index look-up needed
        known = groups.notna().to_numpy()
        lookup = np.full(len(groups), -1, dtype=np.int64)
        lookup[known] = np.searchsorted(names, groups[known].astype("str").to_numpy())
        cc = ids.cat.codes.to_numpy()
        g = np.where(cc >= 0, lookup[np.maximum(cc, 0)], -1)
    elif isinstance(ids.dtype, pd.CategoricalDtype):
        code_of = pd.Series(np.searchsorted(names, labels.astype("str").to_numpy()), index=labels.index)
        lookup = code_of.reindex(ids.cat.categories).fillna(-1).to_numpy(dtype=np.int64)
        cc = ids.cat.codes.to_numpy()
        g = np.where(cc >= 0, lookup[np.maximum(cc, 0)], -1)
    else:
        code_of = pd.Series(np.searchsorted(names, labels.astype("str").to_numpy()), index=labels.index)
        g = ids.map(code_of).fillna(-1).to_numpy(dtype=np.int64)
    ok &= g >= 0
    cell = pos[ok] * len(names) + g[ok]
    size = len(weeks) * len(names)
    blocks = {name: np.bincount(cell, weights=w, minlength=size).reshape(len(weeks), len(names))
              for name, w in zip(stats_names, (np.ones(ok.sum()), value[ok], value[ok] ** 2))}
    columns = pd.MultiIndex.from_product([stats_names, list(names)], names=[None, "group"])
    return pd.DataFrame(np.hstack([blocks[n] for n in stats_names]), index=weeks, columns=columns)


def metric_series(panel: pd.DataFrame, metric: Metric) -> tuple[pd.Series, pd.Series]:
    """Weekly value and weight of ``metric`` from a (single-group) :func:`weekly_panel`.

    Returns ``(value, weight)``: for a count metric the weekly count (weight 1); for a mean metric the
    weekly mean (NaN in empty weeks) weighted by the number of records.
    """
    if metric.kind == "count":
        return panel["total"].astype(float), pd.Series(1.0, index=panel.index)
    n = panel["n"].astype(float)
    return (panel["total"] / n.where(n > 0)), n


def share_records(orders: pd.DataFrame, channel: str) -> pd.DataFrame:
    """Unit records of the share of orders placed in ``channel`` (value 1 in that channel, else 0), from the
    orders of :func:`customer_workbook.base.order_table`."""
    return pd.DataFrame({"week": week_start(orders["date"]), "customer_id": orders["customer_id"],
                         "value": (orders["channel"] == channel).to_numpy(dtype=float)})


def watch_list(records: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What the notebook watches: one row per metric the data supports (theme, label, unit, source table,
    practical threshold as text, records)."""
    rows = []
    for key, rec in records.items():
        m = metric_info(key)
        threshold = f"{m.min_effect:.0%} relative" if m.log else f"{m.min_effect:g} {m.unit}"
        rows.append({"theme": m.theme, "metric": m.label, "unit": m.unit, "source": m.table,
                     "practical threshold": threshold, "records": len(rec)})
    order = {"behaviour": 0, "channels": 1, "satisfaction": 2, "competition": 3}
    return pd.DataFrame(rows).sort_values("theme", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
