"""Random and fixed order lines for the engine table tests, and the comparison with the pandas reference."""
from __future__ import annotations

import numpy as np
import pandas as pd

from customer_workbook import engine
from customer_workbook.base.customers import customer_features
from customer_workbook.base.orders import order_table

PRODUCTS = pd.DataFrame({"product_id": pd.Categorical(["P1", "P2", "P3", "P1"]),
                         "category": pd.Categorical(["kitchen", "garden", None, "lighting"]),
                         "tier": pd.Categorical(["premium", "basic", "special_service", "basic"]),
                         "launch_date": pd.to_datetime(["2024-01-01", "2023-01-01", None, "2020-01-01"]),
                         "exclusive": pd.array([True, None, False, False], dtype="boolean")})


def make_lines(n_orders: int, n_customers: int, seed: int, optional: tuple[str, ...]) -> pd.DataFrame:
    """Order lines as the loader types them: several lines per order, returns dated later, tied dates,
    unknown products (P9), missing optional values and the shared categorical ``customer_id``."""
    rng = np.random.default_rng(seed)
    rows = []
    for order in range(n_orders):
        customer = f"C{rng.integers(n_customers):03d}"
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 40)))
        channel = rng.choice(["store", "web", "app", None])
        for _ in range(int(rng.integers(1, 4))):
            amount = float(rng.choice([0.0, 9.99, 25.5, 120.0]))
            rows.append((customer, day, amount, f"O{order}", rng.choice(["P1", "P2", "P3", "P9"]), channel,
                         rng.choice([0.0, 0.1, np.nan]), rng.choice([1.0, 2.0, 7.0, np.nan])))
        if rng.random() < 0.3:                                  # a return, dated later (sometimes the same day)
            rows.append((customer, day + pd.Timedelta(days=int(rng.integers(0, 9))), -9.99, f"O{order}", "P1",
                         channel, np.nan, np.nan))
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "product_id", "channel",
                                     "discount", "delivery_days"])
    tx["date"] = tx["date"].astype("datetime64[ns]")                  # as the loader types dates
    tx = tx.iloc[rng.permutation(len(tx))].reset_index(drop=True)      # lines not in date order
    for column in ("customer_id", "order_id", "product_id", "channel"):
        tx[column] = tx[column].astype("category")
    ids = tx["customer_id"].cat.categories.union(pd.Index(["C999"]))   # an id without lines, as the loader shares
    tx["customer_id"] = tx["customer_id"].cat.set_categories(ids.sort_values())
    keep = ["customer_id", "date", "amount", "order_id", *optional]
    return tx[keep]


def customers_of(tx: pd.DataFrame) -> pd.DataFrame:
    ids = tx["customer_id"].cat.categories
    return pd.DataFrame({"customer_id": pd.Categorical(ids, categories=ids), "age": np.arange(len(ids)) + 20,
                         "income_band": pd.Categorical(["low", "high", "middle"] * len(ids))[:len(ids)]})


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same columns, dtypes, index and rows; counts exactly, sums within 1e-9 relative."""
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=0)


def check_all(tx: pd.DataFrame, name: str, products=PRODUCTS, with_customers: bool = True,
              as_of=None) -> None:
    """Every engine table of ``tx`` on engine ``name`` equals the pandas reference."""
    lines = engine.lines_frame(tx, name)
    customers = customers_of(tx) if with_customers else None
    for sales_only in (False, True):
        assert_same(engine.order_table(lines, sales_only=sales_only, dtypes=tx.dtypes),
                    order_table(tx, sales_only=sales_only))
    assert_same(engine.customer_table(lines, products, customers, as_of=as_of, dtypes=tx.dtypes),
                customer_features(tx, products, customers, as_of=as_of))
