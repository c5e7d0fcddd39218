"""Step 2 on data unlike the sample (issue 15): short histories, lone candidates among quiet series, empty
registers, channels opened at the very end, and the sentences and findings built from them."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook import changes
from customer_workbook.stats import benjamini_hochberg


def _weeks(n: int) -> pd.DatetimeIndex:
    return pd.date_range("2024-01-01", periods=n, freq="7D")


def test_seasonality_is_removed_only_with_two_years_and_a_real_step_survives():
    """77 weeks (under two years): no month effects, so a +140% step in a month seen once is not absorbed by
    that month's effect; it is found within two weeks and sized."""
    rng = np.random.default_rng(5)
    weeks = _weeks(77)
    lam = np.where(np.arange(77) >= 50, 240.0, 100.0)
    cp = changes.detect_change_points(pd.Series(rng.poisson(lam).astype(float), index=weeks), log=True, seasonal=True)
    assert not cp.seasonal_removed
    assert len(cp.breaks) == 1 and abs(cp.breaks[0] - 50) <= 2
    view = changes.series_view(cp)
    assert view["level"].iloc[-1] / view["level"].iloc[0] == pytest.approx(2.4, rel=0.1)


def test_two_years_get_their_seasonality_removed():
    rng = np.random.default_rng(6)
    weeks = _weeks(changes.SEASONAL_MIN_WEEKS)
    counts = pd.Series(rng.poisson(np.where(weeks.month == 12, 300.0, 150.0)).astype(float), index=weeks)
    cp = changes.detect_change_points(counts, log=True, seasonal=True)
    assert cp.seasonal_removed and cp.breaks == []
    short = changes.detect_change_points(counts.iloc[:-1], log=True, seasonal=True)
    assert not short.seasonal_removed


def _records(weeks: pd.DatetimeIndex, per_week: np.ndarray, value: np.ndarray | float = 1.0) -> pd.DataFrame:
    week = np.repeat(weeks.to_numpy(), per_week.astype(int))
    values = np.broadcast_to(value, week.shape) if np.ndim(value) == 0 else value
    return pd.DataFrame({"week": week, "customer_id": pd.Series([f"c{i % 50}" for i in range(len(week))]),
                         "value": values.astype(float)})


def test_the_multiple_testing_family_counts_every_series_searched():
    """A break found in one series among quiet ones is adjusted as one of all the series searched (quiet
    series count as tests with p = 1), not as if it were the only test."""
    rng = np.random.default_rng(8)
    weeks = _weeks(60)
    records = {"orders": _records(weeks, rng.poisson(np.where(np.arange(60) >= 30, 130.0, 100.0)))}
    for key in ("sat_location", "sat_parking", "sat_service", "sat_pricing"):  # constant answers: nothing to find
        n = np.full(60, 20)
        records[key] = _records(weeks, n, np.full(n.sum(), 3.0))
    det = changes.detect_all(records, weeks)
    assert len(det.breaks) == 1 and det.breaks["metric"].iloc[0] == "orders"
    quiet = sum(1 for cp in det.results.values() if not cp.breaks)
    assert quiet == 4
    p = det.breaks["p"].iloc[0]
    assert det.breaks["p_adj"].iloc[0] == pytest.approx(min(1.0, p * 5))
    assert det.breaks["p_adj"].iloc[0] > benjamini_hochberg([p])[0]


def test_no_break_anywhere_gives_typed_empty_tables():
    weeks = _weeks(30)
    n = np.full(30, 10)
    det = changes.detect_all({"sat_speed": _records(weeks, n, np.full(n.sum(), 4.0))}, weeks)
    assert det.breaks.empty and pd.api.types.is_datetime64_any_dtype(det.breaks["date"])
    no_events = pd.DataFrame(columns=["week", "kind", "event"])
    reg = changes.change_register(det.kept, changes.channel_ramps(None), {}, {}, no_events)
    assert reg.empty and pd.api.types.is_datetime64_any_dtype(reg["date"])
    assert changes.register_records(reg) == []


def test_register_records_leave_out_what_a_row_does_not_have():
    reg = pd.DataFrame({"what": ["Orders per week", "NPS"], "change": [-0.2, 12.0],
                        "revenue_at_stake": [-5e4, np.nan], "related_event": ["price cut", None],
                        "event_week": pd.to_datetime(["2025-03-03", None])})
    rows = changes.register_records(reg)
    assert rows[0]["revenue_at_stake"] == -5e4 and rows[0]["related_event"] == "price cut"
    assert set(rows[1]) == {"what", "change"}


def test_counted_chooses_the_number_of_the_noun():
    assert changes.counted(1, "candidate") == "1 candidate"
    assert changes.counted(0, "candidate") == "0 candidates"
    assert changes.counted(2, "change is", "changes are") == "2 changes are"


def test_a_channel_opened_in_the_last_weeks_is_not_sized():
    weeks = _weeks(40)
    counts = pd.DataFrame({"web": np.full(40, 100), "app": np.r_[np.zeros(38), [5, 8]].astype(int)}, index=weeks)
    assert changes.channel_ramps(counts).empty  # two weeks of orders: too few to fit a ramp, and no crash
    counts["app"] = np.r_[np.zeros(20), np.full(20, 30)].astype(int)
    assert list(changes.channel_ramps(counts)["channel"]) == ["app"]


def test_an_acquisition_channel_intake_is_not_attributed_to_that_channel_itself():
    from customer_workbook.changes.attribution import _compared_records

    records = {"new_customers_search": pd.DataFrame({"week": [], "customer_id": [], "value": []})}
    _, metric, exclude, _ = _compared_records("new_customers_search", "down", records, pd.DataFrame(), None, 0.05)
    assert metric.key == "new_customers_search" and exclude == ("acquisition_channel",)


def test_a_series_with_too_few_weeks_of_data_is_not_searched_and_not_counted_as_a_test():
    rng = np.random.default_rng(8)
    weeks = _weeks(60)
    records = {"orders": _records(weeks, rng.poisson(np.where(np.arange(60) >= 30, 130.0, 100.0)))}
    n = np.zeros(60, dtype=int)
    n[[3, 20, 41]] = 1  # three survey answers in all: fewer than MIN_SEARCH_WEEKS weeks with data
    records["nps"] = _records(weeks, n, np.array([100.0, 0.0, -100.0]))
    det = changes.detect_all(records, weeks)
    assert not det.results["nps"].searched and det.results["orders"].searched
    p = det.breaks["p"].iloc[0]
    assert det.breaks["p_adj"].iloc[0] == pytest.approx(p)  # the only series searched
