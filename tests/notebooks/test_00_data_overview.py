"""Every notebook runs top to bottom on the small sample and its findings recover the planted truths."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import execute_notebook, values

pytestmark = pytest.mark.notebooks


def test_overview_on_the_small_sample(tmp_path, small_sample):
    found = values(execute_notebook("00_data_overview", tmp_path, data_dir=str(small_sample)))
    tx = pd.read_parquet(small_sample / "transactions.parquet")
    assert found["n_customers"] == tx["customer_id"].nunique()
    assert found["n_orders"] == tx["order_id"].nunique()
    assert found["net_revenue"] == pytest.approx(tx["amount"].sum(), rel=1e-9)
    assert found["tables_missing"] == []
    assert found["peak_month"] in ("November", "December")  # planted holiday peak
    assert 0 < found["return_line_share"] < 0.1
    assert set(found["channel_share_latest"]) >= {"store", "web", "app"}  # app launched during the window
    assert 0.2 < found["top20_revenue_share"] < 1


def test_overview_with_transactions_only(tmp_path, transactions_only):
    result = execute_notebook("00_data_overview", tmp_path, data_dir=str(transactions_only))
    skipped = {s["section"] for s in result["skipped"]}
    assert skipped == {"Surveys coverage", "Engagement coverage"}
    assert len(values(result)["tables_missing"]) == 8


def test_overview_period_and_business_unit_parameters(tmp_path, small_sample):
    customers = pd.read_parquet(small_sample / "customers.parquet")
    region = str(customers["region"].iloc[0])
    found = values(execute_notebook("00_data_overview", tmp_path, data_dir=str(small_sample),
                                    start_date="2024-01-01", end_date="2024-12-31", business_unit=region))
    tx = pd.read_parquet(small_sample / "transactions.parquet")
    in_scope = tx[tx["customer_id"].isin(customers.loc[customers["region"] == region, "customer_id"])
                  & tx["date"].between("2024-01-01", "2024-12-31 23:59:59")]
    assert found["n_customers"] == in_scope["customer_id"].nunique()
    assert found["first_date"] >= "2024-01-01" and found["last_date"] <= "2024-12-31"
