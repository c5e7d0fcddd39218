"""Churn labels and the split by time (retention/labels.py)."""
from __future__ import annotations

import datetime

import pandas as pd
import pytest

from customer_workbook.retention import SplitDates, design_dates, make_labels, split_table


def _tx(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


TX = _tx([
    ("A", "2024-01-05", 10.0, "o1"), ("A", "2024-03-01", 20.0, "o2"), ("A", "2024-06-20", 5.0, "o3"),
    ("B", "2024-02-01", 30.0, "o4"), ("B", "2024-02-10", -30.0, "o4"),  # a return of o4
    ("C", "2022-01-01", 15.0, "o5"), ("C", "2024-06-25", 15.0, "o6"),
    ("D", "2024-05-01", 50.0, "o7"), ("D", "2024-06-05", 50.0, "o8"), ("E", "2024-09-30", 9.0, "o9"),
])


def test_make_labels_gap_window_and_population():
    y = make_labels(TX, "2024-04-01", gap_days=14, window_days=90)  # window 2024-04-15 .. 2024-07-13
    assert set(y.index) == {"A", "B"}  # C last bought > 365 days before; D, E not yet customers
    assert y.loc["A", "bought"] == 1 and y.loc["B", "churned"] == 1
    everyone = make_labels(TX, "2024-04-01", gap_days=14, window_days=90, active_days=None)
    assert everyone.loc["C", "bought"] == 1
    gap_only = make_labels(TX, "2024-06-10", gap_days=14, window_days=90)  # D's 06-05 order is before obs
    assert gap_only.loc["D", "churned"] == 1  # and nothing in 06-24 .. 09-21
    with pytest.raises(ValueError, match="label window"):
        make_labels(TX, "2024-09-01", gap_days=14, window_days=90)


def test_design_dates_place_test_labels_at_the_end_and_training_labels_before_test_features():
    dates = design_dates(TX, gap_days=14, window_days=90)  # last transaction 2024-09-30
    assert isinstance(dates, SplitDates) and (dates.gap_days, dates.window_days) == (14, 90)
    assert dates.score == pd.Timestamp("2024-10-01")
    assert dates.label_window(dates.test)[1] == pd.Timestamp("2024-09-30")  # the last day of data
    assert dates.label_window(dates.train)[1] < dates.test  # training labels end before test features begin
    assert dates.label_window(dates.train)[1] + pd.Timedelta(days=1) == dates.test
    assert dates.label_window("2024-04-01") == (pd.Timestamp("2024-04-15"), pd.Timestamp("2024-07-13"))
    with pytest.raises(ValueError, match="Not enough history"):
        design_dates(TX[TX["date"] >= "2024-01-01"])


def test_split_table_states_windows_populations_and_churn_rates():
    dates = SplitDates(pd.Timestamp("2024-04-01"), pd.Timestamp("2024-06-10"), pd.Timestamp("2024-10-01"), 14, 90)
    y_train = make_labels(TX, dates.train, 14, 90)
    y_test = make_labels(TX, dates.test, 14, 90)
    table = split_table(dates, y_train, y_test).set_index("period")
    assert list(table.index) == ["training", "test", "scoring (today)"]
    assert table.loc["training", "label window"] == "2024-04-15 to 2024-07-13"
    assert table.loc["scoring (today)", "label window"] == "not yet known"
    assert table.loc["test", "observation date"] == datetime.date(2024, 6, 10)
    assert table.loc["training", "active customers"] == 2 and table.loc["training", "churn rate"] == 0.5
    assert table.loc["test", "churn rate"] == pytest.approx(y_test["churned"].mean())
    assert pd.isna(table.loc["scoring (today)", "churn rate"])


def _daily(first: str, last: str) -> pd.DataFrame:
    """One order a day from ``first`` to ``last`` (both included), alternating between two customers."""
    days = pd.date_range(first, last, freq="D")
    return pd.DataFrame({"customer_id": ["A", "B"] * (len(days) // 2) + ["A"] * (len(days) % 2), "date": days,
                         "amount": 10.0, "order_id": [f"o{i}" for i in range(len(days))]})


def test_history_needed_and_fit_window_shrink_the_window_down_to_the_documented_minimum():
    from customer_workbook.retention.labels import MIN_FEATURE_DAYS, MIN_WINDOW_DAYS, fit_window, history_needed

    assert history_needed(14, 90) == 2 * 104 + MIN_FEATURE_DAYS == 388
    assert fit_window(388, 14, 90) == 90 and fit_window(1000, 14, 90) == 90  # the requested window when it fits
    assert fit_window(365, 14, 90) == (365 - MIN_FEATURE_DAYS) // 2 - 14 == 78  # one year: the longest that fits
    assert fit_window(history_needed(14, MIN_WINDOW_DAYS), 14, 90) == MIN_WINDOW_DAYS
    assert fit_window(history_needed(14, MIN_WINDOW_DAYS) - 1, 14, 90) is None  # shorter than the minimum
    assert fit_window(200, 0, 10) == 10  # a requested window below the minimum is kept when it fits


def test_design_dates_adapt_the_window_to_one_year_and_say_what_six_months_lack():
    from customer_workbook.retention.labels import ShortHistory

    year = _daily("2025-01-01", "2025-12-31")  # 365 days
    dates = design_dates(year, gap_days=14, window_days=90)
    assert dates.window_days == 78 and dates.gap_days == 14
    assert dates.label_window(dates.test)[1] == pd.Timestamp("2025-12-31")
    assert dates.label_window(dates.train)[1] + pd.Timedelta(days=1) == dates.test
    assert (dates.train - pd.Timestamp("2025-01-01")).days >= 180  # the feature history before training
    with pytest.raises(ShortHistory, match="need about 328 days.*the data cover 184 days") as caught:
        design_dates(_daily("2025-07-01", "2025-12-31"), gap_days=14, window_days=90)
    assert (caught.value.needed_days, caught.value.span_days) == (328, 184)
    assert isinstance(caught.value, ValueError)
