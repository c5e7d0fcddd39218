"""The one order table: orders net of returns, or their sale lines only."""
from __future__ import annotations

import pandas as pd
import pytest

from customer_workbook.base import order_table


def lines():
    return pd.DataFrame({
        "order_id": pd.Categorical(["A", "A", "B", "A", "C"]),
        "customer_id": pd.Categorical(["c1", "c1", "c2", "c1", "c1"]),
        "date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-01-02", "2024-01-20", "2024-02-01"]),
        "amount": [30.0, 20.0, 15.0, -20.0, 0.0],
        "channel": pd.Categorical(["web", "web", "store", "store", "app"]),
        "delivery_days": [2.0, 2.0, 0.0, 5.0, 1.0]})


def test_orders_are_net_of_returns_dated_at_their_first_line():
    orders = order_table(lines())
    assert orders["order_id"].astype(str).tolist() == ["B", "A", "C"]  # sorted by date
    a = orders.set_index(orders["order_id"].astype(str)).loc["A"]
    assert a["amount"] == 30.0 and a["lines"] == 3 and a["date"] == pd.Timestamp("2024-01-05")
    assert a["channel"] == "web" and a["delivery_days"] == 2.0
    assert orders["amount"].sum() == pytest.approx(lines()["amount"].sum())
    assert isinstance(orders["customer_id"].dtype, pd.CategoricalDtype)


def test_sales_only_leaves_return_lines_out():
    orders = order_table(lines(), sales_only=True).set_index("order_id")
    assert orders.loc["A", "amount"] == 50.0 and orders.loc["A", "lines"] == 2
    assert orders.loc["C", "amount"] == 0.0  # a zero-value line is a sale, not a return


def test_transactions_without_optional_columns():
    orders = order_table(lines()[["order_id", "customer_id", "date", "amount"]])
    assert list(orders.columns) == ["order_id", "customer_id", "date", "amount", "lines"]
