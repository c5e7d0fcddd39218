"""Demand anticipation (planning/demand.py): weekly demand and the backtested next-quarter forecast."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.planning import (DemandForecast, QuarterForecast, forecast_next_quarter, forecast_quarter_total,
                                        weekly_demand)


def test_forecast_recovers_a_seasonal_series_with_known_growth():
    weeks = pd.date_range("2022-01-03", periods=160, freq="7D")
    season = 100 + 30 * np.sin(2 * np.pi * np.arange(160) / 52)
    growth = 1.002 ** np.arange(160)  # about 11% a year
    y = season * growth
    f = forecast_quarter_total(y[:120], horizon_weeks=13)
    assert f.sum() == pytest.approx(y[120:133].sum(), rel=0.01)
    weekly = pd.DataFrame({"orders": y, "revenue": y * 50}, index=weeks)
    out = forecast_next_quarter(weekly)
    assert isinstance(out, DemandForecast) and isinstance(out.orders, QuarterForecast)
    assert out.start == weeks[-1] + pd.Timedelta(weeks=1) and out.horizon_weeks == 13
    assert out.orders.mape["forecast"] < 0.01 < out.orders.mape["seasonal_naive"]
    assert out.orders.method == "seasonal x growth"  # the growth adjustment earns its place here
    assert out.orders.low <= out.orders.total <= out.orders.high
    assert len(out.revenue.weekly) == 13 and out.revenue.total == pytest.approx(50 * out.orders.total)
    assert out.orders.last_year_total == pytest.approx(y[160 - 52:160 - 52 + 13].sum())
    assert list(out.measures()) == ["orders", "revenue"]
    with pytest.raises(ValueError):
        forecast_next_quarter(weekly.iloc[:80])


def test_forecast_falls_back_to_last_years_weeks_when_growth_does_not_pay():
    rng = np.random.default_rng(0)
    weeks = pd.date_range("2022-01-03", periods=160, freq="7D")
    season = 100 + 30 * np.sin(2 * np.pi * np.arange(160) / 52)
    level = np.where(np.arange(160) % 52 < 26, 1.0, 1.15)  # a half-year swing the growth factor misreads
    y = season * level * rng.lognormal(0, 0.01, 160)
    out = forecast_next_quarter(pd.DataFrame({"orders": y, "revenue": y}, index=weeks))
    assert out.orders.method == "seasonal naive"
    assert out.orders.total == pytest.approx(y[160 - 52:160 - 52 + 13].sum())


def test_weekly_demand_counts_full_weeks_only_and_books_returns_in_their_week():
    tx = pd.DataFrame({"customer_id": ["A", "A", "B", "B", "C", "C"],
                       "date": pd.to_datetime(["2024-01-03", "2024-01-08", "2024-01-09", "2024-01-16",
                                               "2024-01-17", "2024-01-29"]),
                       "amount": [5.0, 10.0, 20.0, -20.0, 7.0, 1.0],
                       "order_id": ["o0", "o1", "o2", "o2", "o3", "o4"]})
    weekly = weekly_demand(tx)  # full weeks: 2024-01-08, 01-15, 01-22 (01-01 and 01-29 are partial)
    assert list(weekly.index) == list(pd.to_datetime(["2024-01-08", "2024-01-15", "2024-01-22"]))
    assert weekly.loc["2024-01-08", "orders"] == 2 and weekly.loc["2024-01-08", "revenue"] == 30
    assert weekly.loc["2024-01-15", "orders"] == 1 and weekly.loc["2024-01-15", "revenue"] == -13  # return + o3
    assert weekly.loc["2024-01-22"].tolist() == [0.0, 0.0]
