"""Start small (planning/pilot.py): product and service value by hand, audiences on the sample, pilot size."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook import clv
from customer_workbook.base import order_table
from customer_workbook.planning import (PilotPlan, audience_members, audience_table, pick_pilot, pilot_plan,
                                        product_value_table, service_value_table, weekly_reach)
from customer_workbook.segments import UNASSIGNED, find_personas
from customer_workbook.stats import sample_size_two_proportions


def _tx(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_pilot_plan_duration_and_feasibility():
    p = pilot_plan(audience_size=10_000, weekly_reach=500, p_control=0.5, mde=0.05, outcome_days=90)
    assert isinstance(p, PilotPlan) and p.size == sample_size_two_proportions(0.5, 0.05)
    assert p.n_per_arm == p.size.n_control_ceil and p.total == p.size.total
    assert p.feasible and p.enrol_weeks == np.ceil(p.total / 500)
    assert p.duration_weeks == p.enrol_weeks + 13
    small = pilot_plan(audience_size=600, weekly_reach=50, p_control=0.5, mde=0.05, outcome_days=90)
    assert not small.feasible and small.mde_with_whole_audience > 0.05
    assert small.enrol_weeks == 12  # the whole audience, 600 / 50


def test_product_and_service_tables_by_hand():
    tx = _tx([
        ("A", "2024-01-01", 10.0, "o1"), ("A", "2024-02-01", 10.0, "o2"),  # A: line x, then y within 180 days
        ("B", "2024-01-01", 10.0, "o3"),  # B: line x, never again
        ("C", "2024-01-01", 100.0, "o4"), ("C", "2024-03-01", 100.0, "o5"),  # C: y then y again
        ("Z", "2025-06-30", 1.0, "o6")])  # sets the end of the data
    tx["product_id"] = ["p1", "p2", "p1", "p2", "p2", "p1"]
    tx["channel"] = ["web", "store", "web", "store", "store", "web"]
    products = pd.DataFrame({"product_id": ["p1", "p2"], "category": ["x", "y"]})
    orders = order_table(tx, sales_only=True)
    t = product_value_table(tx, orders, products, by="category", follow_days=180).set_index("product")
    assert t.loc["x", "buyers"] == 3 and t.loc["x", "repeat_rate"] == pytest.approx(0.5)  # A yes, B no (Z too late)
    assert t.loc["x", "cross_sell_rate"] == pytest.approx(0.5)  # A went on to y
    assert t.loc["y", "repeat_rate"] == pytest.approx(0.5)  # A no, C yes
    assert t.loc["y", "cross_sell_rate"] == 0
    # y wins on revenue, x on cross-sell, they tie on retention: equal mean percentile ranks
    assert t.loc["x", "score"] == pytest.approx(t.loc["y", "score"])
    before = orders.copy()
    s = service_value_table(orders, tx["date"].max(), follow_days=90).set_index("service")
    pd.testing.assert_frame_equal(orders, before)  # the run's shared order table is not modified
    assert s.loc["web", "orders"] == 3
    assert s.loc["store", "repeat_rate"] == pytest.approx(1 / 3)  # A o2 no; C o4 yes; o5 no
    assert s.loc["web", "repeat_rate"] == pytest.approx(0.5)  # A's o1 yes, B's o3 no (Z is too late to follow)


def test_audience_members_and_weekly_reach_by_hand():
    personas = pd.Series({"A": "p", "B": "p", "C": "q", "D": "p"})
    segment = pd.Series({"A": "web", "B": "tv", "C": "web", "D": "web"})
    customers = pd.Index(["A", "B", "C", "D", "E"])
    assert list(audience_members(personas, segment, "p", "web", customers)) == ["A", "D"]
    assert list(audience_members(personas, None, "p", None, customers)) == ["A", "B", "D"]
    tx = _tx([("A", "2024-06-03", 1.0, "o1"), ("A", "2024-06-04", 1.0, "o2"), ("D", "2024-06-05", 1.0, "o3"),
              ("A", "2024-06-12", 1.0, "o4"), ("B", "2024-06-12", 1.0, "o5"), ("A", "2023-01-02", 1.0, "o0")])
    # weeks from Monday: 06-03 has A and D (2), 06-10 has A (1; B is not a member); 2023 is too long ago
    assert weekly_reach(tx, pd.Index(["A", "D"]), lookback_days=364) == pytest.approx(1.5)
    assert np.isnan(weekly_reach(tx, pd.Index(["X"])))



def test_audience_table_ranks_cells_and_picks_the_pilot(sample_ds):
    ds = sample_ds
    value = clv.score_customers(ds.transactions).table
    personas = find_personas(ds).assignment.fillna(UNASSIGNED)
    seg = ds.customers.set_index("customer_id")["acquisition_channel"]
    aud = audience_table(value, personas, seg, churn_p=pd.Series(0.3, index=value.index), campaigns=ds.campaigns,
                         min_size=20)
    ranked = aud[aud["ranked"]]
    assert ranked["value_per_customer"].is_monotonic_decreasing
    assert aud["customers"].sum() == len(value)
    assert {"uplift", "uplift_se"} <= set(aud.columns)
    pilot = pick_pilot(aud, min_size=20)
    assert pilot["value_per_customer"] == ranked["value_per_customer"].max()


def test_recent_repeat_rate_counts_members_with_a_sale_in_the_last_days():
    from customer_workbook.planning.pilot import recent_repeat_rate

    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "d"],
                       "date": pd.to_datetime(["2025-01-01", "2025-12-20", "2025-12-31", "2025-10-01", "2025-12-30"]),
                       "amount": [10.0, 5.0, -5.0, 10.0, 8.0]})
    # last 30 days: a (sale on 12-20) and d; b only has a return, c bought in October; d is not a member
    assert recent_repeat_rate(tx, pd.Index(["a", "b", "c"]), 30) == pytest.approx(1 / 3)
    assert recent_repeat_rate(tx, pd.Index(["a", "b", "c", "d"]), 120) == pytest.approx(3 / 4)
    assert np.isnan(recent_repeat_rate(tx, pd.Index([]), 30))


def test_enrolment_counts_each_customer_once():
    """Two of five members order every week, the other three once each in weeks 1, 3 and 4 of the period:
    about 2.6 distinct members order in a typical week, so the old rule (pilot size / weekly reach) enrolled 5 in
    2 weeks; counted once each, the fifth is enrolled in week 4, and a sixth never."""
    from customer_workbook.planning.pilot import enrol_weeks, enrolment_curve

    end = pd.Timestamp("2024-12-30")
    start = end - pd.Timedelta(days=27)  # a 4-week period
    rows = [(c, start + pd.Timedelta(days=7 * w + 1), 1.0, f"{c}{w}") for c in ("A", "B") for w in range(4)]
    rows += [("C", start + pd.Timedelta(days=2), 1.0, "c"), ("D", start + pd.Timedelta(days=15), 1.0, "d"),
             ("E", start + pd.Timedelta(days=22), 1.0, "e"), ("Z", end, 1.0, "z")]
    tx = _tx(rows)
    members = pd.Index(list("ABCDE"))
    curve = enrolment_curve(tx, members, lookback_days=27)
    assert curve.tolist() == [3.0, 3.0, 4.0, 5.0]
    assert np.ceil(5 / weekly_reach(tx, members, lookback_days=27)) == 2  # the old, double-counting rule
    assert enrol_weeks(5, curve) == 4 and enrol_weeks(3, curve) == 1 and enrol_weeks(6, curve) == np.inf
    assert enrol_weeks(5, 2.5) == 2  # a constant number of new customers a week still works
    whole = pilot_plan(audience_size=5, weekly_reach=curve, p_control=0.1, mde=0.85, outcome_days=14)  # needs 8
    assert whole.reachable == 5 and whole.reach_weeks == 4 and whole.enrolled_in_time  # the whole audience
    assert whole.enrol_weeks == 4 and whole.duration_weeks == 6
    short = pilot_plan(audience_size=12, weekly_reach=curve, p_control=0.2, mde=0.75, outcome_days=14)  # needs 12
    assert not short.enrolled_in_time and short.duration_weeks == np.inf
