"""Awkward but valid datasets for the gauntlet, each a seeded transformation of a small generated company.

Every builder takes the folder of a generated sample (Parquet tables) and writes a new folder of contract
tables. Shapes that need a window of their own (6 months, 12 months, 7 years) are generated directly.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from customer_workbook.contract import TABLES
from customer_workbook.sample import write_sample

SEED = 11
N_CUSTOMERS = 1000


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The contract tables of a generated sample folder."""
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES if (folder / f"{name}.parquet").exists()}


def write_tables(tables: dict[str, pd.DataFrame], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(out / f"{name}.parquet", index=False)
    return out


def _only_customers(tables: dict[str, pd.DataFrame], keep: pd.Index) -> dict[str, pd.DataFrame]:
    return {name: frame[frame["customer_id"].isin(keep)] if "customer_id" in frame else frame
            for name, frame in tables.items()}


def transactions_only(t: dict) -> dict:
    return {"transactions": t["transactions"]}


def one_sales_channel(t: dict) -> dict:
    return {**t, "transactions": t["transactions"].assign(channel="web")}


def closed_cohort(t: dict) -> dict:
    """Only the customers whose first purchase falls in the first quarter (no one acquired later)."""
    tx = t["transactions"]
    first = tx.groupby("customer_id", observed=True)["date"].min()
    keep = first.index[first < tx["date"].min() + pd.Timedelta(days=90)]
    return _only_customers(t, keep)


def mostly_one_time_buyers(t: dict) -> dict:
    """90% of customers keep only their first order."""
    tx = t["transactions"]
    rng = np.random.default_rng(SEED)
    ids = tx["customer_id"].unique()
    once = pd.Index(rng.choice(ids, size=int(0.9 * len(ids)), replace=False))
    first_order = tx.sort_values("date").groupby("customer_id", observed=True)["order_id"].first()
    keep = ~tx["customer_id"].isin(once) | tx["order_id"].isin(first_order[first_order.index.isin(once)])
    return {**t, "transactions": tx[keep.to_numpy()]}


def zero_value_customers(t: dict) -> dict:
    """5% of customers whose every line is worth zero (free samples, promotions)."""
    tx = t["transactions"]
    rng = np.random.default_rng(SEED)
    ids = tx["customer_id"].unique()
    free = rng.choice(ids, size=int(0.05 * len(ids)), replace=False)
    return {**t, "transactions": tx.assign(amount=tx["amount"].where(~tx["customer_id"].isin(free), 0.0))}


def tiny_catalogue(t: dict) -> dict:
    """Ten products: every product id folds onto one of ten."""
    products = t["products"].head(10).copy()
    codes = pd.factorize(t["transactions"]["product_id"])[0] % 10
    tx = t["transactions"].assign(product_id=products["product_id"].to_numpy()[codes])
    return {**t, "transactions": tx, "products": products}


def email_customer_ids(t: dict) -> dict:
    def mail(ids: pd.Series) -> pd.Series:
        return ids.astype(str).str.lower().radd("someone.").add("@example.com")
    return {name: frame.assign(customer_id=mail(frame["customer_id"])) if "customer_id" in frame else frame
            for name, frame in t.items()}


def single_region(t: dict) -> dict:
    return {**t, "customers": t["customers"].assign(region="north")}


def nearly_empty_optional_tables(t: dict) -> dict:
    """Every optional table present with a handful of rows (customers and products stay whole: the
    transactions refer to them)."""
    small = {name: frame.head(3) for name, frame in t.items() if name not in ("transactions", "customers", "products")}
    small["marketing"] = t["marketing"][t["marketing"]["week"] <= t["marketing"]["week"].min()]
    return {**t, **small}


def order_status(t: dict) -> dict:
    """An order ``status`` column: 3% of orders cancelled, 2% returned, the rest completed."""
    tx = t["transactions"]
    orders = tx["order_id"].unique()
    rng = np.random.default_rng(SEED)
    status = pd.Series(rng.choice(["completed", "cancelled", "returned"], size=len(orders), p=[0.95, 0.03, 0.02]),
                       index=orders)
    sales = tx[tx["amount"] >= 0]  # the status says what happened to an order; no separate return lines
    return {**t, "transactions": sales.assign(status=sales["order_id"].map(status).to_numpy())}


def no_revenue_column(t: dict) -> dict:
    """Purchase counts only: the transactions carry no amount."""
    tx = t["transactions"]
    return {**t, "transactions": tx[tx["amount"] >= 0].drop(columns=["amount"])}


def tiny_base(t: dict) -> dict:
    """A tiny customer base: 40 seeded random customers, 8 of them repeat buyers (two or more orders) and 32
    with one order, with all their rows in every table (tables without customers stay whole)."""
    tx = t["transactions"]
    orders = tx.groupby("customer_id", observed=True)["order_id"].nunique()
    rng = np.random.default_rng(SEED)
    keep = pd.Index(np.concatenate([rng.choice(orders.index[orders >= 2], size=8, replace=False),
                                    rng.choice(orders.index[orders == 1], size=32, replace=False)]))
    return _only_customers(t, keep)


#: name -> transformation of the base company's tables
TRANSFORMS: dict[str, Callable[[dict], dict]] = {
    "transactions_only": transactions_only, "one_sales_channel": one_sales_channel, "closed_cohort": closed_cohort,
    "mostly_one_time_buyers": mostly_one_time_buyers, "zero_value_customers": zero_value_customers,
    "tiny_catalogue": tiny_catalogue, "email_customer_ids": email_customer_ids, "single_region": single_region,
    "nearly_empty_optional_tables": nearly_empty_optional_tables, "order_status": order_status,
    "no_revenue_column": no_revenue_column, "tiny_base": tiny_base,
}
#: name -> generator keywords for shapes generated with their own window (or without planted effects)
GENERATED: dict[str, dict] = {
    "history_6_months": {"start": "2025-07-01", "end": "2025-12-31"},
    "history_12_months": {"start": "2025-01-01", "end": "2025-12-31"},
    "long_history_7_years": {"start": "2019-01-01", "end": "2025-12-31"},
    "null_company": {"planted_effects": False},
}


def generate(out: Path, n_customers: int = N_CUSTOMERS, **kw) -> Path:
    """A generated company (Parquet), without the truth files the analyses must not see."""
    write_sample(out, n_customers=n_customers, seed=SEED, **kw)
    for extra in ("truth.json", "truth_customers.parquet", "README.md"):
        (out / extra).unlink(missing_ok=True)
    for table in out.glob("*.parquet"):  # a short window can leave a table without rows: not supplied
        if pd.read_parquet(table).empty:
            table.unlink()
    return out


def build(name: str, base: Path, out: Path) -> Path:
    """Write the dataset ``name`` to ``out`` (``base``: the generated company the transformations start from)."""
    if name in GENERATED:
        return generate(out, **GENERATED[name])
    return write_tables(TRANSFORMS[name](read_tables(base)), out)
