"""Every figure's title states its finding, written from the numbers: the words that compare follow the numbers."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from customer_workbook.plots import titles

from .test_figures_read import _figures

MONTHS = pd.date_range("2024-01-01", periods=3, freq="MS")


def _title(fig) -> str:
    suptitle = getattr(fig, "_suptitle", None)
    return suptitle.get_text() if suptitle is not None else fig.axes[0].get_title()


def test_every_figure_of_the_hand_cases_titles_a_number_it_draws():
    untitled = [name for name, fig in _figures() if not re.search(r"\d", _title(fig))]
    assert untitled == []


def test_the_words_that_compare_follow_the_numbers():
    rising = pd.DataFrame({"app": [0.1, 0.2, 0.3], "web_shop": [0.9, 0.8, 0.7]}, index=MONTHS)
    assert titles.shares_title(rising, "orders", "x") == "Web shop takes 70% of orders in Mar 2024, down from 90% in Jan 2024"
    assert "up from 10%" in titles.shares_title(rising[["app"]], "orders", "x")
    assert titles.dormancy_title({"active": 0.9, "sleeping": 0.2}, "x").startswith("The chance a customer is still active falls")
    assert "rises" in titles.dormancy_title({"active": 0.2, "sleeping": 0.9}, "x")
    assert "2.0 times today's 10,000" in titles.frontier_title(10_000, 20_000, "x")
    assert "50% below today's" in titles.frontier_title(10_000, 5_000, "x")
    assert "close to today's" in titles.frontier_title(10_000, 10_200, "x")
    econ = pd.DataFrame({"channel": ["search", "tv"], "clv_to_cac": [0.8, 0.5]})
    assert titles.unit_economics_title(econ, "x").startswith("No channel pays back")
    assert titles.unit_economics_title(econ.assign(clv_to_cac=[3.4, 1.2]), "x") == (
        "A search customer is worth 3.4 times its acquisition cost, the best of any channel")
    assert "above the actual" in titles.tracking_title(100, 120, "BG/NBD", "x")
    assert "below the actual" in titles.tracking_title(100, 80, "BG/NBD", "x")
    stages = pd.Series([0.2, 0.8], index=["acquisition", "cross-sell"])
    assert "3.0 pp more often" in titles.lifecycle_title(stages, 0.03, "x")
    assert "3.0 pp less often" in titles.lifecycle_title(stages, -0.03, "x")
    assert "lowers" in titles.slope_title(-0.007, 90, "x") and "raises" in titles.slope_title(0.007, 90, "x")
    assert titles.histogram_title(pd.Series([1, 1, 1, 2, 5]), "customers ordered", "x") == (
        "60% of customers ordered once; the median is once")


@pytest.mark.parametrize("call", [
    lambda: titles.shares_title(pd.DataFrame(), "orders", "Fallback"),
    lambda: titles.dormancy_title({"active": float("nan"), "sleeping": 0.3}, "Fallback"),
    lambda: titles.frontier_title(0, 100, "Fallback"),
    lambda: titles.cohort_title(pd.DataFrame({0: [1.0], 1: [np.nan]}), "Fallback"),
    lambda: titles.concentration_title([], 0.2, "Fallback"),
    lambda: titles.calibration_title({}, "Fallback"),
])
def test_without_a_finding_the_title_is_the_plain_description(call):
    assert call() == "Fallback"


def test_a_tiny_group_is_not_named_as_the_extreme_nps():
    groups = pd.DataFrame({"group": ["lover", "liker", "lurker"], "n": [1, 500, 5000], "nps": [100.0, 80, -5]})
    assert titles.nps_title({"level": groups}, 5.0, "x") == "NPS +5 overall, from -5 (lurker) to +80 (liker)"


def test_a_forecast_is_compared_with_the_same_weeks_a_year_earlier():
    weeks = pd.date_range("2023-01-02", periods=104, freq="7D")
    weekly = pd.Series(100.0, index=weeks)
    weekly.iloc[-13:] = 300.0  # a seasonal peak just before the forecast
    forecast = pd.DataFrame({"week": pd.date_range(weeks[-1] + pd.Timedelta(days=7), periods=13, freq="7D"),
                             "forecast": 110.0})
    assert titles.forecast_title(weekly, forecast, "Orders") == (
        "Orders: 1,430 expected in the next 13 weeks, up 10% on the same weeks a year earlier")
    assert titles.forecast_title(weekly.iloc[-20:], forecast, "Orders").endswith("down 63% on the last 13 weeks")


def test_a_count_title_names_the_share_of_ones_even_when_some_counts_are_zero():
    orders = pd.Series([0, 0, 1, 1, 1, 3, 4, 5])
    assert titles.histogram_title(orders, "customers ordered", "x") == "38% of customers ordered once; the median is once"
