"""Acquisition cohorts (customer_workbook.segments.cohorts): masked months and sign-up cohorts."""
from __future__ import annotations

import numpy as np
import pandas as pd

from customer_workbook.segments import MIN_COHORT_CUSTOMERS, CohortRetention, cohort_retention, cohort_summary


def _tx(rows):
    """Order lines from (customer, date, amount, order, product, channel) tuples."""
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "product_id", "channel"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_cohort_retention_masks_months_not_yet_observed():
    tx = _tx([("a", "2024-01-05", 10, "o1", "A", "web"), ("b", "2024-01-20", 10, "o2", "A", "web"),
              ("a", "2024-02-10", 10, "o3", "A", "web"), ("c", "2024-02-03", 10, "o4", "A", "web"),
              ("c", "2024-03-01", 10, "o5", "A", "web"), ("a", "2024-03-15", 10, "o6", "A", "web")])
    ret = cohort_retention(tx)        # data end on 15 March: March is incomplete
    assert isinstance(ret, CohortRetention)
    assert ret.last_complete_month == pd.Timestamp("2024-02-01")
    table = ret.table
    assert list(table.index) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    assert table.loc["2024-01-01", 0] == 1.0 and table.loc["2024-01-01", 1] == 0.5
    assert np.isnan(table.loc["2024-02-01", 1])                  # March not complete: masked, not zero
    summary = cohort_summary(ret, months=(1, 2))
    assert summary.loc[0, "retention"] == 0.5 and np.isnan(summary.loc[1, "retention"])


def test_cohort_summary_weights_cohorts_by_size():
    table = pd.DataFrame({0: [1.0, 1.0], 1: [0.5, 0.2]}, index=pd.to_datetime(["2024-01-01", "2024-02-01"]))
    ret = CohortRetention(table, pd.Series([30, 10], index=table.index), pd.Timestamp("2024-03-01"))
    summary = cohort_summary(ret, months=(1,))
    assert summary.loc[0, "retention"] == (30 * 0.5 + 10 * 0.2) / 40 and summary.loc[0, "cohorts"] == 2


def test_cohort_retention_with_signup_dates_counts_non_buyers_and_drops_earlier_signups():
    tx = _tx([("a", "2024-01-05", 10, "o1", "A", "web"), ("a", "2024-02-05", 10, "o2", "A", "web"),
              ("z", "2024-01-07", 10, "o3", "A", "web"), ("b", "2024-03-31", 5, "o4", "A", "web")])
    signup = pd.Series(pd.to_datetime(["2024-01-02", "2024-01-03", "2023-05-01", "2024-03-01"]), index=["a", "x", "z", "b"])
    ret = cohort_retention(tx, signup)
    assert ret.cohort_size.loc["2024-01-01"] == 2     # a and x (never bought); z signed up earlier
    assert ret.table.loc["2024-01-01", 0] == 0.5 and ret.table.loc["2024-01-01", 1] == 0.5
    assert ret.table.loc["2024-03-01", 0] == 1.0                      # data reach 31 March: March complete


def test_cohort_shares_of_too_few_customers_are_not_read():
    def firsts(n):  # n customers acquired in January and February; the data reach March, so both months count
        rows = [(f"c{i}", f"2024-0{1 + i % 2}-1{i % 9}", 10, f"o{i}", "A", "web") for i in range(n)]
        return _tx(rows + [("c0", "2024-03-02", 10, "last", "A", "web")])
    few = cohort_retention(firsts(MIN_COHORT_CUSTOMERS - 1)).too_few
    assert few.have == MIN_COHORT_CUSTOMERS - 1 and few.need == MIN_COHORT_CUSTOMERS
    assert "customers in monthly acquisition cohorts" in few.note("cohort retention")
    assert cohort_retention(firsts(MIN_COHORT_CUSTOMERS)).too_few is None
    signup = pd.Series(pd.to_datetime(["2024-01-02"] * 40), index=[f"x{i}" for i in range(40)])  # never bought: counted
    assert cohort_retention(firsts(5), signup).too_few is None
