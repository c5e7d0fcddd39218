"""Weekly series of the business and what a dataset covers (base.metrics, base.coverage)."""
import numpy as np
import pandas as pd
import pytest

from customer_workbook import base, data
from customer_workbook.base.coverage import coverage, table_summary


def _orders() -> pd.DataFrame:
    # Monday 2024-01-01 .. Sunday 2024-01-21: three full weeks; the middle one has no order.
    return pd.DataFrame({"order_id": ["o1", "o2", "o3", "o4"], "customer_id": ["a", "b", "a", "c"],
                         "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-16", "2024-01-21"]),
                         "amount": [10.0, 30.0, -5.0, 20.0], "channel": ["web", "store", "web", "web"]})


def test_weekly_volumes_counts_each_full_week_and_keeps_empty_weeks():
    orders = _orders()
    weekly = base.weekly_volumes(orders, base.full_weeks(orders["date"]))
    assert list(weekly.index) == list(pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"]))
    assert weekly["orders"].tolist() == [2, 0, 2]
    assert weekly["active_customers"].tolist() == [2, 0, 2]
    assert weekly["new_customers"].tolist() == [2, 0, 1]  # a came back in week 3, c is new
    assert weekly["revenue"].tolist() == [40.0, 0.0, 15.0]
    assert weekly["avg_basket"].iloc[0] == 20.0 and np.isnan(weekly["avg_basket"].iloc[1])


def test_channel_shares_sum_to_one_per_month_and_seasonality_averages_one():
    shares = base.channel_shares(_orders())
    assert shares.sum(axis=1).tolist() == pytest.approx([1.0])
    assert shares.loc["2024-01-01", "web"] == pytest.approx(0.75)
    weeks = pd.date_range("2023-01-02", periods=104, freq="7D")
    weekly = pd.DataFrame({"revenue": np.where(weeks.month == 12, 3.0, 1.0)}, index=weeks)
    season = base.seasonality_index(weekly)
    assert season.mean() == pytest.approx(1.0) and season.idxmax() == 12


def test_coverage_and_table_summary_of_the_small_sample(small_sample):
    ds = data.load_dataset(small_sample)
    cov = coverage(ds)
    tx = ds.transactions
    assert cov.n_orders == tx["order_id"].nunique() and cov.n_lines == len(tx)
    assert cov.n_customers == tx["customer_id"].nunique()
    assert cov.net_revenue == pytest.approx(tx["amount"].sum())
    expected = tx["customer_id"].drop_duplicates().isin(ds.surveys["customer_id"]).mean()
    assert cov.survey_share == pytest.approx(expected) and 0 < cov.survey_share < 1
    summary = table_summary(ds).set_index("table")
    assert summary.loc["transactions", "rows"] == len(tx)
    assert "/" not in "".join(summary["file"])  # file names only, never local folders
    only_tx = data.Dataset(tables={"transactions": tx}, sources=ds.sources, quality=ds.quality)
    assert coverage(only_tx).survey_share is None and coverage(only_tx).engagement_share is None
