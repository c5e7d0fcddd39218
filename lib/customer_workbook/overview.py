"""The data overview (notebook 00): what the data covers, its quality, and key volumes over time."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .base import full_weeks, order_table, week_start
from .contract import TABLES
from .data import DATE_COLUMN, Dataset


def table_summary(ds: Dataset) -> pd.DataFrame:
    """One row per contract table: whether it was supplied, rows, columns loaded, date range, file name.

    Only the file's name is shown (not its folder), so reports do not expose local paths.
    """
    rows = []
    for name, spec in TABLES.items():
        frame = ds.tables.get(name)
        row = {"table": name, "supplied": frame is not None, "rows": 0, "columns loaded": "",
               "first date": pd.NaT, "last date": pd.NaT, "file": ""}
        if frame is not None:
            date_col = DATE_COLUMN.get(name)
            row.update({"rows": len(frame), "columns loaded": ", ".join(c for c in spec.column_names if c in frame),
                        "file": Path(ds.sources[name]).name})
            if date_col:
                row.update({"first date": frame[date_col].min().date(), "last date": frame[date_col].max().date()})
        rows.append(row)
    return pd.DataFrame(rows)


def coverage(ds: Dataset) -> dict:
    """Headline volumes: customers, orders, lines, net revenue, date span and optional-table coverage.

    Shares are fractions (0-1) of the customers who appear in ``transactions``.
    """
    tx = ds.transactions
    customers = pd.Index(tx["customer_id"].unique())
    first, last = tx["date"].min(), tx["date"].max()
    result = {
        "n_customers": len(customers),
        "n_orders": int(tx["order_id"].nunique()),
        "n_lines": len(tx),
        "net_revenue": float(tx["amount"].sum()),
        "first_date": first.date(),
        "last_date": last.date(),
        "months_covered": round((last - first).days / 30.44, 1),
        "tables_supplied": [n for n in TABLES if ds.has(n)],
        "tables_missing": ds.missing,
    }
    for name in ("surveys", "engagement"):
        if ds.has(name):
            result[f"share_customers_in_{name}"] = float(customers.isin(ds.tables[name]["customer_id"]).mean())
    return result


def weekly_volumes(transactions: pd.DataFrame) -> pd.DataFrame:
    """Weekly key volumes, indexed by week start (Monday).

    Columns: ``orders``, ``active_customers``, ``revenue`` (net, currency units), ``new_customers``
    (customers whose first order falls in the week) and ``avg_basket`` (revenue per order).
    Weeks only partly covered by the data (at either end) are dropped so they do not look like drops.
    """
    orders = order_table(transactions)
    orders["week"] = week_start(orders["date"])
    first_week = orders.groupby("customer_id", observed=True)["week"].transform("min")
    weekly = orders.groupby("week").agg(orders=("order_id", "size"), active_customers=("customer_id", "nunique"),
                                        revenue=("amount", "sum"))
    weekly["new_customers"] = orders[orders["week"] == first_week].groupby("week")["customer_id"].nunique()
    weekly = weekly.asfreq("7D", fill_value=0).fillna({"new_customers": 0})
    weekly["new_customers"] = weekly["new_customers"].astype(int)
    weekly["avg_basket"] = weekly["revenue"] / weekly["orders"].where(weekly["orders"] > 0)
    return weekly[weekly.index.isin(full_weeks(orders["date"]))]


def channel_shares(transactions: pd.DataFrame, freq: str = "MS") -> pd.DataFrame:
    """Share of orders by channel per period (rows: period start, columns: channels, rows sum to 1)."""
    orders = order_table(transactions)
    counts = (orders.groupby([pd.Grouper(key="date", freq=freq), "channel"], observed=True).size()
              .unstack(fill_value=0))
    return counts.div(counts.sum(axis=1), axis=0)


def seasonality_index(weekly: pd.DataFrame, column: str = "revenue") -> pd.Series:
    """Mean of ``column`` per calendar month relative to the overall monthly mean (1.0 = average month).

    Index: calendar month 1-12.
    """
    by_month = weekly[column].groupby(weekly.index.month).mean()
    return by_month / by_month.mean()


def orders_per_customer(transactions: pd.DataFrame) -> pd.Series:
    """Number of distinct orders per customer (index: customer_id)."""
    return transactions.groupby("customer_id", observed=True)["order_id"].nunique()


def revenue_concentration(transactions: pd.DataFrame, top_share: float = 0.2) -> float:
    """Fraction of net revenue (0-1) that comes from the top ``top_share`` of customers by revenue."""
    if not 0 < top_share <= 1:
        raise ValueError("top_share must be in (0, 1]")
    revenue = transactions.groupby("customer_id", observed=True)["amount"].sum().sort_values(ascending=False)
    n_top = max(1, int(round(len(revenue) * top_share)))
    total = revenue.sum()
    return float(revenue.iloc[:n_top].sum() / total) if total else float("nan")
