"""The workbook's calendar: Monday weeks and the weeks the data cover in full."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from customer_workbook.base import full_weeks, week_start


@given(st.lists(st.datetimes(min_value=pd.Timestamp("1990-01-01").to_pydatetime(),
                             max_value=pd.Timestamp("2030-12-31").to_pydatetime()), min_size=1, max_size=50))
def test_week_start_is_the_monday_on_or_before_each_date(values):
    dates = pd.Series(pd.to_datetime(values)).astype("datetime64[ns]")
    got = week_start(dates)
    assert (got.dt.day_of_week == 0).all() and (got.dt.normalize() == got).all()
    assert ((dates - got) >= pd.Timedelta(0)).all() and ((dates - got) < pd.Timedelta(days=7)).all()
    arr = week_start(dates.to_numpy())
    assert arr.dtype == np.dtype("datetime64[D]") and (arr.astype("datetime64[ns]") == got.to_numpy()).all()


def test_week_start_keeps_missing_dates_missing_and_the_unit():
    dates = pd.Series(pd.to_datetime(["2024-01-03 10:00", None])).astype("datetime64[us]")
    got = week_start(dates)
    assert got.iloc[0] == pd.Timestamp("2024-01-01") and pd.isna(got.iloc[1]) and got.dtype == dates.dtype


def test_full_weeks_drop_partial_weeks_at_both_ends():
    def weeks(first, last):
        return [w.strftime("%Y-%m-%d") for w in full_weeks(pd.Series(pd.to_datetime([first, last], format="ISO8601")))]

    assert weeks("2024-01-01", "2024-01-14 18:00") == ["2024-01-01", "2024-01-08"]  # Monday to Sunday
    assert weeks("2024-01-02", "2024-01-13") == []  # Tuesday to Saturday: no whole week
    assert weeks("2024-01-07", "2024-01-21") == ["2024-01-08", "2024-01-15"]
    assert list(full_weeks(pd.Series([], dtype="datetime64[ns]"))) == []
