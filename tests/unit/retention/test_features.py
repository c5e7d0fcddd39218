"""Churn features (retention/features.py): only data before the observation date, typed transaction codes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.data import Dataset, QualityReport
from customer_workbook.retention import CodedTransactions, build_features, coded_transactions


def _tx(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _ds(tx, **tables):
    return Dataset(tables={"transactions": tx, **tables}, sources={}, quality=QualityReport())


TX = _tx([
    ("A", "2024-01-05", 10.0, "o1"), ("A", "2024-03-01", 20.0, "o2"), ("A", "2024-06-20", 5.0, "o3"),
    ("B", "2024-02-01", 30.0, "o4"), ("B", "2024-02-10", -30.0, "o4"),  # a return of o4
    ("C", "2022-01-01", 15.0, "o5"), ("C", "2024-06-25", 15.0, "o6"),
    ("D", "2024-05-01", 50.0, "o7"), ("D", "2024-06-05", 50.0, "o8"), ("E", "2024-09-30", 9.0, "o9"),
])


def test_features_use_only_data_before_the_observation_date():
    obs = pd.Timestamp("2024-04-01")
    fs = build_features(_ds(TX), obs)
    assert set(fs.frame.index) == {"A", "B", "C"}
    assert fs.frame.loc["A", "orders_total"] == 2 and fs.frame.loc["A", "revenue_total"] == 30
    assert fs.frame.loc["A", "recency_days"] == pytest.approx((obs - pd.Timestamp("2024-03-01")).days)
    assert fs.frame.loc["B", "return_lines"] == 1 and fs.frame.loc["B", "last_order_returned"] == 1
    assert (fs.source_end < obs).all()
    changed = TX.copy()
    changed.loc[changed["date"] >= obs, "amount"] *= 100  # the future changes, the features must not
    again = build_features(_ds(changed), obs)
    pd.testing.assert_frame_equal(fs.frame, again.frame)


def test_coded_transactions_are_typed_and_computed_once_per_frame():
    tx = TX.assign(channel=["web", "web", "store", "web", "web", "store", "store", "web", "web", "app"])
    coded = coded_transactions(tx)
    assert isinstance(coded, CodedTransactions) and coded_transactions(tx) is coded
    assert list(coded.ids[coded.customer[:4]]) == ["A", "A", "A", "B"]
    assert coded.order[3] == coded.order[4]  # the return belongs to order o4
    assert coded.amount.dtype == np.float64 and coded.amount[4] == -30.0
    codes, names = coded.channel
    assert list(names[codes[:3]]) == ["web", "web", "store"]
    assert coded.product is None  # no product_id column
    assert coded_transactions(TX) is not coded and coded_transactions(TX).channel is None
