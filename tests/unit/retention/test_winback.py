"""customer_workbook.retention.winback: dormancy against each customer's own rhythm, and win-back economics."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import rfm, shipped

from customer_workbook import clv
from customer_workbook.retention.winback import (DORMANCY_ORDER, assumed_response, dormancy_groups, measured_response,
                                                 winback_economics)


@pytest.fixture(scope="module")
def live_and_dead():
    """1,000 customers from a BG/NBD-like process (weekly Poisson buying, dropout after a purchase),
    simulated week by week (vectorised over customers); returns transactions, the end date and who is alive."""
    rng = np.random.default_rng(3)
    n, weeks = 1000, 104
    start = pd.Timestamp("2023-01-02")
    lam = rng.gamma(2.0, 1 / 4.0, n)  # purchases a week
    p = rng.beta(1.0, 6.0, n)
    alive = np.ones(n, dtype=bool)
    rows_c, rows_w = [np.arange(n)], [np.zeros(n, dtype=int)]  # everyone buys in week 0
    for w in range(1, weeks):
        buys = alive & (rng.poisson(lam) > 0)
        rows_c.append(np.flatnonzero(buys))
        rows_w.append(np.full(buys.sum(), w))
        alive &= ~(buys & (rng.random(n) < p))
    cust, week = np.concatenate(rows_c), np.concatenate(rows_w)
    tx = pd.DataFrame({"customer_id": pd.array([f"C{i:04d}" for i in cust], dtype="string"),
                       "date": start + pd.to_timedelta(week * 7 + rng.integers(0, 7, week.size), unit="D"),
                       "amount": rng.gamma(4.0, 10.0, week.size)})
    ids = pd.Index([f"C{i:04d}" for i in range(n)])
    return tx, start + pd.Timedelta(days=weeks * 7 - 1), pd.Series(alive, index=ids)


def test_customer_value_separates_live_from_dead(live_and_dead):
    tx, end, truly_alive = live_and_dead
    v = clv.score_customers(tx, pd.Timestamp(end) + pd.Timedelta(days=1), margin=0.5).table
    alive = truly_alive.reindex(v.index).to_numpy()
    assert v.loc[alive, "p_alive"].mean() > v.loc[~alive, "p_alive"].mean() + 0.4
    assert (v["clv_3y"] >= v["clv_1y"] - 1e-9).all() and (v["clv_1y"] >= 0).all()
    assert v.loc[alive, "clv_1y"].mean() > 3 * v.loc[~alive, "clv_1y"].mean()
    d = dormancy_groups(v)
    p = v["p_alive"].groupby(d.group, observed=True).mean().reindex(list(DORMANCY_ORDER)).dropna()
    assert p.is_monotonic_decreasing


def test_dormancy_ratio_uses_own_rhythm():
    # gaps: 1 week each for the first three; time since last: 1, 3, 10 weeks -> ratios 1, 3, 10 (no shrinkage)
    # the fourth customer buys every 10 weeks: 70 days since the last purchase is one cycle, on time,
    # although the third (weekly buyer) is 10 cycles late after the same 70 days.
    v = rfm([10, 10, 10, 2], [10, 10, 10, 20], [11, 13, 20, 30])
    d = dormancy_groups(v, thresholds=(2, 4, 8), prior_strength=0.0).table
    assert d["days_since_last"].to_numpy() == pytest.approx([7, 21, 70, 70])
    assert d["overdue_ratio"].to_numpy() == pytest.approx([1, 3, 10, 1])
    assert list(d["group"].astype(str)) == ["active", "half_sleepy", "sleeping", "active"]


def test_dormancy_shrinks_one_time_buyers_to_base_gap():
    v = rfm([0, 4, 4], [0, 4, 8], [10, 6, 10])
    d = dormancy_groups(v, prior_strength=1.0)
    g0 = np.median([7.0, 14.0])  # repeat buyers' mean gaps in days
    assert d.median_gap_days == pytest.approx(g0)
    assert d.table["typical_gap_days"].iloc[0] == pytest.approx(g0)
    assert d.table["typical_gap_days"].iloc[1] == pytest.approx((28 + g0) / 5)
    with pytest.raises(ValueError):
        dormancy_groups(v, thresholds=(4, 2, 8))


def test_winback_economics_hand_computed():
    v = rfm([1] * 4, [1] * 4, [2] * 4, p_alive=np.array([0.9, 0.5, 0.3, 0.1]), clv=np.array([200.0, 50, 40, 10]))
    groups = pd.Series(["active", "sleepy", "sleepy", "sleeping"], index=v.index)
    disc = pd.Series([0.0, 0.0, 0.2, 0.0], index=v.index)
    econ = winback_economics(v, groups, disc, value_if_woken=100.0, response_rate=0.5, cost_per_contact=5.0,
                             voucher_cost=10.0)
    out = econ.table.set_index("group")
    # sleepy: p_alive 0.4, wake 0.2/customer -> 0.2*100 - 5 - 0.2*0.5*10 = 14
    assert out.loc["sleepy", "gain_per_contact"] == pytest.approx(14.0)
    assert out.loc["sleepy", "total_gain"] == pytest.approx(28.0)
    # sleeping: wake 0.05 -> 5 - 5 = 0 -> not worth it
    assert out.loc["sleeping", "gain_per_contact"] == pytest.approx(0.0)
    assert not out.loc["sleeping", "worth_it"] and out.loc["sleeping", "offer"].startswith("leave alone")
    assert "active" not in out.index
    assert econ.worth_it == ["sleepy"] and econ.value_if_woken == 100.0
    # the default value of a woken customer: the mean 1-year value of the active ones
    assert winback_economics(v, groups).value_if_woken == pytest.approx(200.0)


def test_a_measured_response_replaces_the_assumed_one_and_carries_its_interval():
    v = rfm([1] * 4, [1] * 4, [2] * 4, p_alive=np.array([0.9, 0.5, 0.3, 0.1]), clv=np.array([200.0, 50, 40, 10]))
    groups = pd.Series(["active", "sleepy", "sleepy", "sleeping"], index=v.index)
    uplift = pd.DataFrame({"group": ["all", "lapsing"], "n": [400, 200], "n_treated": [200, 100],
                           "uplift": [0.02, 0.1], "uplift_low": [0.0, 0.04], "uplift_high": [0.04, 0.16]})
    measured = measured_response(uplift)
    assert measured.measured and (measured.rate, measured.low, measured.high) == (0.1, 0.04, 0.16)
    econ = winback_economics(v, groups, value_if_woken=100.0, response_rate=measured, cost_per_contact=5.0)
    out = econ.table.set_index("group")
    # the uplift is already the share of all contacted customers who respond: not multiplied by P(alive)
    assert out.loc["sleepy", "gain_per_contact"] == pytest.approx(0.1 * 100 - 5)
    assert (out.loc["sleepy", "total_gain_low"], out.loc["sleepy", "total_gain_high"]) == pytest.approx(
        (2 * (0.04 * 100 - 5), 2 * (0.16 * 100 - 5)))
    assert econ.response is measured
    # assumed: the parameter among live customers, with a sensitivity range of half to 1.5 times it
    assumed = winback_economics(v, groups, value_if_woken=100.0, response_rate=0.5, cost_per_contact=5.0)
    assert not assumed.response.measured and (assumed.response.low, assumed.response.high) == (0.25, 0.75)
    sleepy = assumed.table.set_index("group").loc["sleepy"]
    assert sleepy["total_gain_low"] == pytest.approx(2 * (0.25 * 0.4 * 100 - 5))
    # no measurement without a lapsed segment, or with an arm too small to measure
    assert measured_response(uplift[uplift["group"] == "all"]) is None
    assert measured_response(uplift.assign(n_treated=[200, 5])) is None


def test_a_measured_response_is_scaled_by_p_alive_relative_to_the_campaigns_customers():
    """The campaign measured +10 pp among lapsing customers of mean P(alive) 0.5: a group at 0.8 wakes 16% of its
    contacts, a group at 0.2 only 4% (only live customers answer), so the deep sleepers no longer gain most."""
    v = rfm([1] * 5, [1] * 5, [2] * 5, p_alive=np.array([0.9, 0.8, 0.8, 0.2, 0.2]), clv=np.array([200.0, 50, 40, 10, 5]))
    groups = pd.Series(["active", "half_sleepy", "half_sleepy", "sleeping", "sleeping"], index=v.index)
    uplift = pd.DataFrame({"group": ["lapsing"], "n": [200], "n_treated": [100], "uplift": [0.1],
                           "uplift_low": [0.04], "uplift_high": [0.16]})
    measured = measured_response(uplift, reference_p_alive=0.5)
    out = winback_economics(v, groups, value_if_woken=100.0, response_rate=measured, cost_per_contact=5.0).table
    out = out.set_index("group")
    assert out.loc["half_sleepy", "expected_wakes"] == pytest.approx(2 * 0.1 * 0.8 / 0.5)
    assert out.loc["sleeping", "gain_per_contact"] == pytest.approx(0.1 * 0.2 / 0.5 * 100 - 5)
    assert out.loc["sleeping", "total_gain_high"] == pytest.approx(2 * (0.16 * 0.2 / 0.5 * 100 - 5))
    assert out.loc["half_sleepy", "total_gain"] > out.loc["sleeping", "total_gain"]
    # a fifth as many answering divides the response used, measured or assumed, never the parameter
    fifth = measured.scaled(1 / 5)
    assert (fifth.rate, fifth.low, fifth.high, fifth.measured) == pytest.approx((0.02, 0.008, 0.032, True))
    assert fifth.reference_p_alive == 0.5
    assert assumed_response(0.15).scaled(1 / 5).rate == pytest.approx(0.03)


def test_a_mean_discount_of_exactly_five_percent_gets_a_voucher():
    """The voucher rule is 'mean discount >= 0.05'; a mean that is 0.05 in exact arithmetic counts,
    whichever way the summation rounds (0.1, 0.25, 0.3 and ten full-price lines average 0.049999999999999996)."""
    v = rfm([1] * 3, [1] * 3, [2] * 3)
    groups = pd.Series(["sleepy"] * 3, index=v.index)
    rounded_down = np.mean([0.1, 0.25, 0.3] + [0.0] * 10)
    assert rounded_down < 0.05
    disc = pd.Series([rounded_down, 0.0499, 0.2], index=v.index)
    share = winback_economics(v, groups, disc).table.set_index("group").loc["sleepy", "voucher_share"]
    assert share == pytest.approx(2 / 3)


def test_dormancy_groups_ordered_by_p_alive():
    ds, _, labels = shipped()
    v = clv.score_customers(ds.transactions).table
    d = dormancy_groups(v)
    p = v["p_alive"].groupby(d.group, observed=True).mean().reindex(list(DORMANCY_ORDER))
    assert p.is_monotonic_decreasing and p.iloc[0] - p.iloc[-1] > 0.4
    # and the groups match who really left: the share truly alive falls too
    alive = labels["alive_at_end"].reindex(v.index).astype(float)
    real = alive.groupby(d.group, observed=True).mean().reindex(list(DORMANCY_ORDER))
    assert real.is_monotonic_decreasing
