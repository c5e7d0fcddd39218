"""Unit tests of acquisition economics (customer_workbook.acquisition.economics): CAC, payback, CLV/CAC, the
first cycle, and who was acquired inside the data window."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from customer_workbook.acquisition import (AcquisitionCost, acquired_customers, acquisition_cost,
                                           first_cycle_repeat_share, payback_months, persona_cac, unit_economics)
from customer_workbook.clv import NewCustomerValue
from customer_workbook.data import Dataset, QualityReport


def _marketing() -> pd.DataFrame:
    weeks = pd.date_range("2024-01-01", periods=4, freq="W-MON")
    return pd.DataFrame({"week": np.tile(weeks, 2), "channel": ["a"] * 4 + ["b"] * 4,
                         "spend": [100.0, 200.0, 100.0, 200.0, 50.0, 50.0, 50.0, 50.0],
                         "new_customers": [1, 3, 1, 3, 0, 1, 0, 1]})


def test_acquisition_cost_is_spend_over_new_customers():
    costs = acquisition_cost(_marketing(), current_weeks=2, n_boot=200)
    a = costs.table.set_index("channel").loc["a"]
    assert a["cac"] == pytest.approx(600 / 8)
    assert a["current_spend"] == pytest.approx(150.0)   # the last two weeks: 100 and 200
    assert costs.table.set_index("channel").loc["b", "cac"] == pytest.approx(200 / 2)
    assert a["cac_low"] <= a["cac"] <= a["cac_high"]
    assert costs.draws["a"].shape == (200,)
    assert costs.current_spend == pytest.approx({"a": 150.0, "b": 50.0})
    assert costs.blended_cac == pytest.approx((600 + 200) / (8 + 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        costs.table = None


def test_payback_months_interpolates_within_the_month():
    cm = np.array([10.0, 30.0, 50.0, 70.0])
    assert payback_months(cm, 40.0) == pytest.approx(1.5)
    assert payback_months(cm, 5.0) == 0.0
    assert payback_months(cm, 100.0) == float("inf")


def test_unit_economics_ratio_and_payback():
    values = {c: NewCustomerValue(10, 1.0, 100.0, 50.0, np.arange(1, 121, dtype=float)) for c in ("x", "y")}
    clv_table = pd.DataFrame({"group": ["x", "y"], "n_acquired": [10, 10], "clv": [300.0, 300.0],
                              "clv_low": [250.0, 250.0], "clv_high": [350.0, 350.0]})
    cac_table = pd.DataFrame({"channel": ["x", "y"], "cac": [100.0, 30.0], "cac_low": [90.0, 25.0],
                              "cac_high": [110.0, 35.0]})
    costs = AcquisitionCost(cac_table, {"x": np.full(50, 100.0), "y": np.full(50, 30.0)})
    draws = {"x": np.full(50, 300.0), "y": np.full(50, 300.0)}
    econ = unit_economics(clv_table, draws, values, costs, margin=0.5)
    assert list(econ["channel"]) == ["y", "x"]                       # sorted by CLV / CAC
    assert econ.set_index("channel")["clv_to_cac"].to_dict() == pytest.approx({"x": 3.0, "y": 10.0})
    assert econ.set_index("channel")["ratio_low"].to_dict() == pytest.approx({"x": 3.0, "y": 10.0})
    # margin 0.5: 50 at acquisition, +25 a month -> CAC 100 paid after 2 months, CAC 30 at once
    assert econ.set_index("channel")["payback_months"].to_dict() == pytest.approx({"x": 2.0, "y": 0.0})
    # without CLV draws the ratio has no interval; without costs only the CLV columns are returned
    no_draws = unit_economics(clv_table, {}, values, costs, margin=0.5)
    assert no_draws["ratio_low"].isna().all()
    assert list(unit_economics(clv_table, draws, values, None).columns) == ["channel", "n_acquired", "clv", "clv_low",
                                                                            "clv_high"]


def test_persona_cac_averages_the_channel_cac_of_each_persona():
    acquired = pd.DataFrame({"customer_id": ["1", "2", "3"], "channel": ["a", "b", "b"]})
    cac = persona_cac(acquired, pd.Series({"1": "p", "2": "p", "3": "q"}), pd.DataFrame({"channel": ["a", "b"],
                                                                                         "cac": [10.0, 30.0]}))
    assert cac.to_dict() == {"p": 20.0, "q": 30.0}


def test_first_cycle_repeat_share_counts_only_customers_old_enough():
    orders = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "d", "d"],
                           "date": pd.to_datetime(["2024-01-01", "2024-02-01",   # a: again after 31 days
                                                   "2024-01-01",                 # b: never again
                                                   "2024-01-01", "2024-06-01",   # c: again, but after 152 days
                                                   "2024-06-20", "2024-06-25"])})  # d: too recent to count
    # end 2024-06-30: a, b and c are old enough; only a came back within 90 days
    assert first_cycle_repeat_share(orders, 90, end="2024-06-30") == pytest.approx(1 / 3)
    # 160 days: c's second order counts too (a and c of a, b, c)
    assert first_cycle_repeat_share(orders, 160, end="2024-06-30") == pytest.approx(2 / 3)
    assert np.isnan(first_cycle_repeat_share(orders, 90, end="2024-01-15"))


def test_acquired_customers_without_signup_dates_uses_the_burn_in():
    dates = pd.to_datetime(["2024-01-01", "2024-01-10", "2024-08-01", "2024-09-01"])
    tx = pd.DataFrame({"customer_id": ["a", "b", "c", "c"], "date": dates, "amount": [10.0, 10.0, 10.0, 5.0],
                       "order_id": ["1", "2", "3", "4"]})
    ds = Dataset(tables={"transactions": tx}, sources={}, quality=QualityReport())
    acquired = acquired_customers(ds, burn_in_days=182)
    assert acquired["customer_id"].tolist() == ["c"]
    assert acquired["channel"].tolist() == ["all"]
    assert acquired["acquired"].tolist() == [pd.Timestamp("2024-08-01")]
