"""The per-customer table (customer_workbook.base.customers): a hand case and agreement with pandas."""
from __future__ import annotations

import pandas as pd
import pytest

from customer_workbook.base import customer_features
from customer_workbook.data import load_dataset

PRODUCTS = pd.DataFrame({"product_id": ["A", "B", "C"], "category": ["garden", "kitchen", "garden"],
                         "tier": ["entry", "premium", "core"],
                         "launch_date": pd.to_datetime(["2020-01-01", "2024-01-01", "2020-01-01"]),
                         "exclusive": pd.array([False, True, False], dtype="boolean")})


def test_customer_features_hand_case():
    tx = pd.DataFrame([("a", "2024-01-01", 10, "o1", "A", "store"), ("a", "2024-01-01", 20, "o1", "B", "store"),
                       ("a", "2024-02-01", 30, "o2", "C", "web"), ("a", "2024-02-05", -10, "o1", "A", "store"),
                       ("b", "2024-03-01", 5, "o3", "A", "web")],
                      columns=["customer_id", "date", "amount", "order_id", "product_id", "channel"])
    tx["date"] = pd.to_datetime(tx["date"])
    tx["discount"] = [0.0, 0.2, 0.0, 0.0, 0.1]
    tx["delivery_days"] = [0.0, 0.0, 2.0, 0.0, 7.0]
    f = customer_features(tx, PRODUCTS)
    a, b = f.loc["a"], f.loc["b"]
    assert a["orders"] == 2 and a["purchase_days"] == 2 and a["lines"] == 3
    assert a["revenue"] == 50 and a["aov"] == 25 and a["return_share"] == 0.25
    assert a["recency_days"] == 29 and b["recency_days"] == 0 and a["tenure_days"] == 60
    assert a["n_categories"] == 2 and a["cat_garden"] == pytest.approx(2 / 3)
    assert a["share_store"] == pytest.approx(2 / 3) and a["discount_share"] == pytest.approx(1 / 3)
    assert a["premium_share"] == pytest.approx(1 / 3) and a["exclusive_share"] == pytest.approx(1 / 3)
    assert a["fast_delivery_share"] == 1.0 and b["slow_delivery_share"] == 1.0
    assert a["new_product_share"] == pytest.approx(1 / 3)       # B launched 2024-01-01, bought the same day
    assert not [c for c in f.columns if c.endswith("_share") and c[:-6] in ("store", "web", "app")]  # one spelling: share_<channel>


def test_customer_features_agree_with_pandas_on_the_small_sample(small_sample):
    ds = load_dataset(small_sample)
    tx = ds.transactions
    f = customer_features(tx, ds.products, ds.customers)
    pos = tx[tx["amount"] > 0]
    pd.testing.assert_series_equal(f["orders"], pos.groupby("customer_id")["order_id"].nunique().astype(float)
                                   .reindex(f.index), check_names=False)
    pd.testing.assert_series_equal(f["revenue"], tx.groupby("customer_id")["amount"].sum().reindex(f.index),
                                   check_names=False)
    assert f["n_categories"].between(1, 8).all()
