"""The change register a director can act on (issue 16): one line per distinct change, revenue at stake for
every change (operational ones too), "for whom" for every significant change, and the stated false-alarm rate."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook import changes
from customer_workbook.steps import changes as step
from customer_workbook.findings import date_words

WEEKS = pd.date_range("2023-01-02", periods=156, freq="7D")


def flagged_rows(*rows) -> pd.DataFrame:
    """Flagged breaks as :func:`changes.detect_all` gives them: (metric, date, change, direction) each."""
    return pd.DataFrame({
        "metric": [r[0] for r in rows], "label": [changes.metric_info(r[0]).label for r in rows],
        "date": pd.to_datetime([r[1] for r in rows]), "before": 1.0, "after": 1.0,
        "change": [r[2] for r in rows], "ci_low": [r[2] - 0.01 for r in rows], "ci_high": [r[2] + 0.01 for r in rows],
        "change_unit": "unit", "p_adj": 1e-6, "direction": [r[3] for r in rows]})


NO_EVENTS = pd.DataFrame(columns=["week", "kind", "event"])


# --------------------------------------------------------------------------- merging


def test_two_metrics_at_the_same_date_are_one_register_line_counted_once():
    flagged = flagged_rows(("orders", "2023-05-01", -0.06, "down"), ("active_customers", "2023-05-01", -0.06, "down"),
                           ("sat_speed", "2025-06-02", -0.9, "down"), ("delivery_days", "2025-06-16", 1.3, "up"))
    day = pd.Timestamp("2023-05-01")
    impacts = {("orders", day): -4e5, ("active_customers", day): -4e5,  # the same orders measured twice
               ("sat_speed", pd.Timestamp("2025-06-02")): -5e4, ("delivery_days", pd.Timestamp("2025-06-16")): -2e4}
    stakes = {k: changes.AtStake(v, 1.5 * v, 0.5 * v, "measured", True) for k, v in impacts.items()}
    reg = changes.change_register(flagged, changes.channel_ramps(None), {}, impacts, NO_EVENTS, at_stake=stakes)
    assert len(reg) == 2 and reg["change_id"].tolist() == [1, 2]
    assert sorted(reg["metrics"].iloc[0]) == ["active_customers", "orders"]
    assert reg["metric"].iloc[1] == "sat_speed" and "Delivery time" in reg["seen_in"].iloc[1]
    assert reg["seen_in"].iloc[0].startswith("Active customers")
    assert reg["revenue_at_stake"].sum() == pytest.approx(-4e5 - 5e4)  # each change once, never -8e5
    signals = changes.change_signals(flagged, changes.channel_ramps(None), {}, impacts, stakes)
    assert len(signals) == 4 and signals["change_id"].nunique() == 2


def test_a_break_nested_in_a_ramp_joins_it_and_chains_merge():
    ramps = pd.DataFrame({"channel": ["app"], "launch": [pd.Timestamp("2024-03-04")], "ramp_weeks": [12],
                          "plateau": [0.27], "ci_low": [0.26], "ci_high": [0.28], "took_from": [{"web": -0.2}]})
    flagged = flagged_rows(("avg_basket", "2024-04-29", 0.07, "up"),  # 8 weeks into the 12-week ramp-up
                           ("avg_basket", "2024-09-02", -0.06, "down"))  # 14 weeks after the ramp ends: its own
    reg = changes.change_register(flagged, ramps, {}, {("share_app", pd.Timestamp("2024-03-04")): 1e5}, NO_EVENTS)
    assert len(reg) == 2
    assert reg["metric"].iloc[0] == "share_app" and reg["metrics"].iloc[0] == ["share_app", "avg_basket"]
    assert reg["seen_in"].iloc[1] == "no other metric"  # never an empty text
    chain = pd.DataFrame({"date": pd.to_datetime(["2025-01-06", "2025-01-20", "2025-02-03", "2025-06-02"])})
    assert changes.cluster_changes(chain).tolist() == [1, 1, 1, 2]  # 2 weeks apart each: one change


# --------------------------------------------------------------------------- revenue at stake


def _orders(drop_group: float, drop_rest: float, at: int = 100, seed: int = 3):
    """Poisson orders of 600 customers (200 of them 'high discount use'), each group's rate multiplied from
    week ``at``; returns (order records, customer segments)."""
    rng = np.random.default_rng(seed)
    customers = pd.Index([f"C{i:04d}" for i in range(600)])
    high = np.arange(600) < 200
    segments = pd.DataFrame({"price_sensitivity": np.where(high, "high discount use", "low discount use")},
                            index=customers)
    after = np.arange(len(WEEKS))[None, :] >= at
    rate = 0.5 * np.where(after, np.where(high[:, None], drop_group, drop_rest), 1.0)
    k = rng.poisson(rate)
    cust, week = np.nonzero(k)
    reps = k[cust, week]
    records = pd.DataFrame({"week": np.repeat(WEEKS.to_numpy()[week], reps),
                            "customer_id": np.repeat(customers.to_numpy()[cust], reps), "value": 1.0})
    return records, segments


def test_an_operational_change_carries_the_revenue_of_the_orders_it_moved():
    records, segments = _orders(drop_group=0.7, drop_rest=1.0)
    members = segments.index[segments["price_sensitivity"] == "high discount use"]
    stake = changes.ordering_at_stake(records, WEEKS, WEEKS[100], aov=50.0, members=members)
    truth = 200 * 0.5 * (0.7 - 1) * 50 * 52  # orders a week before x relative change x aov x 52 = -78,000
    assert stake.measured and stake.low <= truth <= stake.high and stake.value == pytest.approx(truth, rel=0.2)
    # the same rule through attribute_changes for a delivery slowdown (no revenue link of its own)
    flagged = flagged_rows(("delivery_days", WEEKS[100], 1.3, "up"))
    survey = records.assign(value=np.where(records["week"] >= WEEKS[100], 4.0, 2.6))  # slower for everyone
    orders = pd.DataFrame({"amount": np.full(len(records), 50.0)})
    att = changes.attribute_changes(flagged, changes.channel_ramps(None), {"orders": records, "delivery_days": survey},
                                    segments, WEEKS, orders)
    impact = att.impacts[("delivery_days", WEEKS[100])]
    assert np.isfinite(impact) and impact < 0 and att.at_stake[("delivery_days", WEEKS[100])].low < impact


def test_without_any_movement_of_orders_the_stake_is_finite_and_says_so():
    records, _ = _orders(drop_group=1.0, drop_rest=1.0, seed=4)
    stake = changes.ordering_at_stake(records, WEEKS, WEEKS[100], aov=50.0)
    assert np.isfinite(stake.value) and stake.low < 0 < stake.high and not stake.measured
    assert "not significantly" in stake.basis


# --------------------------------------------------------------------------- for whom


def test_for_whom_runs_on_a_significant_change_too_small_overall_and_keeps_it_for_its_group():
    records, segments = _orders(drop_group=1.0, drop_rest=1.0, seed=5)
    rng = np.random.default_rng(6)
    customers = segments.index.to_numpy()
    week = np.repeat(WEEKS.to_numpy(), 60)
    cust = rng.choice(customers, len(week))
    high = np.isin(cust, segments.index[segments["price_sensitivity"] == "high discount use"])
    drop = np.where((week >= WEEKS[100]) & high, -0.45, 0.0)  # -0.45 in a third: -0.15 overall, below 0.2
    survey = pd.DataFrame({"week": week, "customer_id": cust, "value": rng.normal(3.6, 0.9, len(week)) + drop})
    breaks = pd.DataFrame({"metric": ["sat_pricing"], "label": ["Satisfaction: pricing"], "date": [WEEKS[100]],
                           "before": [3.6], "after": [3.45], "change": [-0.15], "ci_low": [-0.2], "ci_high": [-0.1],
                           "change_unit": ["points (1-5)"], "p_adj": [1e-4], "significant": [True],
                           "practical": [False], "temporary": [False], "flagged": [False], "direction": ["down"]})
    inputs = step.ChangeInputs(weeks=WEEKS, orders=pd.DataFrame({"amount": np.full(len(records), 50.0),
                                                                 "customer_id": records["customer_id"]}),
                               records={"orders": records, "sat_pricing": survey}, events=NO_EVENTS,
                               segments=segments)
    who = step.who_changed(inputs, breaks, 0.05)
    assert who.value("small_changes_for_whom") == {f"sat_pricing {WEEKS[100]:%Y-%m-%d}":
                                                   "price sensitivity: high discount use"}
    assert who.value("n_kept_for_a_group") == 1 and who["kept"]["metric"].tolist() == ["sat_pricing"]
    text = "\n".join(p for p in who.parts if isinstance(p, str))
    assert "below the practical threshold overall" in text and "large for one group" in text


def test_a_small_change_no_group_drives_is_not_kept():
    breaks = pd.DataFrame({"metric": ["sat_pricing"], "date": [WEEKS[100]], "flagged": [False]})
    assert step.promoted(breaks, {("sat_pricing", WEEKS[100]): None}).empty


# --------------------------------------------------------------------------- the stated false-alarm rate


def test_the_stated_false_alarm_rate_is_the_measured_one():
    """Re-measure the worst case of :data:`changes.FALSE_ALARM_RATES` (AR(1) noise, rho 0.5) on 400 fresh
    series: the stated 3.1% must lie within the binomial margin of what the detector does today."""
    rng = np.random.default_rng(21)
    hits = 0
    for _ in range(400):
        e = rng.normal(0, 1, 206)
        x = np.zeros_like(e)
        for k in range(1, len(e)):
            x[k] = 0.5 * x[k - 1] + e[k]
        hits += bool(changes.detect_change_points(pd.Series(x[50:], index=WEEKS)).breaks)
    rate = hits / 400
    margin = 3 * np.sqrt(changes.FALSE_ALARM_RATE * (1 - changes.FALSE_ALARM_RATE) / 400)
    assert abs(rate - changes.FALSE_ALARM_RATE) <= margin, rate
    assert changes.FALSE_ALARM_RATE == max(changes.FALSE_ALARM_RATES.values())
    section = step.change_points(step.ChangeInputs(
        weeks=WEEKS, orders=pd.DataFrame(), records={"orders": _orders(1.0, 1.0, seed=8)[0]}, events=NO_EVENTS,
        segments=pd.DataFrame()), 1.0, 4, 26, 0.05)
    text = "\n".join(p for p in section.parts if isinstance(p, str))
    assert f"about **{100 * changes.FALSE_ALARM_RATE:.0f} in 100 series**" in text
    assert section.value("false_alarm_rate") == changes.FALSE_ALARM_RATE


# --------------------------------------------------------------------------- changes inside one group only


def opposed_survey(rng, shift_high: float, shift_low: float, at: int = 110) -> tuple[dict, pd.DataFrame]:
    """Pricing satisfaction of 1,200 customers (a quarter high discount users), 60 answers a week; from week
    ``at`` the high discount users' answers move by ``shift_high`` and the others' by ``shift_low``."""
    customers = pd.Index([f"C{i:04d}" for i in range(1200)])
    segments = pd.DataFrame({"price_sensitivity": np.where(np.arange(1200) < 300, "high discount use",
                                                           "low discount use"),
                             "region": np.tile(["North", "South", "East"], 400)}, index=customers)
    who = rng.integers(0, 1200, (len(WEEKS), 60))
    after = np.arange(len(WEEKS))[:, None] >= at
    shift = np.where(who < 300, shift_high, shift_low) * after
    value = np.clip(np.round(rng.normal(3.4, 0.9, who.shape) + shift), 1, 5)
    records = pd.DataFrame({"week": np.repeat(WEEKS.to_numpy(), 60), "customer_id": customers[who.ravel()],
                            "value": value.ravel()})
    return {"sat_pricing": records}, segments


def test_a_change_inside_one_group_is_found_at_the_date_of_a_change_and_nowhere_else():
    rng = np.random.default_rng(21)
    records, segments = opposed_survey(rng, -0.6, 0.2)  # all customers: 0.25 x -0.6 + 0.75 x 0.2 = 0
    breaks = changes.detect_all(records, WEEKS).breaks
    assert not breaks["flagged"].any()  # invisible in all customers' series
    rows, drivers, _ = changes.group_only_changes(records, segments, WEEKS, [WEEKS[110]], breaks)
    assert len(rows) == 1 and rows["flagged"].all() and rows["direction"].iloc[0] == "down"
    driver = drivers[("sat_pricing", WEEKS[110])]
    assert driver.group == "high discount use" and driver.ci_low <= -0.8 <= driver.ci_high  # -0.6 against +0.2
    assert changes.group_only_changes(records, segments, WEEKS, [WEEKS[40]], breaks)[0].empty  # a quiet date
    assert changes.group_only_changes(records, segments, WEEKS, [], breaks)[0].empty  # no change, no probe


def test_no_group_change_is_found_where_none_was_planted():
    rng = np.random.default_rng(22)
    records, segments = opposed_survey(rng, 0.0, 0.0)
    breaks = changes.detect_all(records, WEEKS).breaks
    dates = list(WEEKS[20:140:10])  # twelve probes
    assert changes.group_only_changes(records, segments, WEEKS, dates, breaks)[0].empty


# --------------------------------------------------------------------------- issue 16 review: honest register


def _register_section(flagged, stakes, orders=None, drivers=None):
    """Section 6 of notebook 02 on hand-made changes and revenue at stake."""
    inputs = step.ChangeInputs(weeks=WEEKS, orders=pd.DataFrame() if orders is None else orders, records={},
                               events=NO_EVENTS, segments=pd.DataFrame())
    attribution = changes.Attribution(drivers=drivers or {}, impacts={k: s.value for k, s in stakes.items()},
                                      tables={}, at_stake=stakes)
    section = step.change_register(inputs, flagged, changes.channel_ramps(None), attribution, 3)
    return section, "\n".join(p for p in section.parts if isinstance(p, str))


def test_an_unmeasured_revenue_at_stake_never_leads_and_is_left_out_of_the_total():
    """A slowdown whose orders did not move significantly (+142,137, interval -89,093 to +382,020) shows no
    point value, ranks below a measured change and is not added to the yearly total."""
    flagged = flagged_rows(("sat_speed", "2025-06-02", -0.89, "down"), ("orders", "2024-03-04", -0.06, "down"))
    slow, drop = (("sat_speed", pd.Timestamp("2025-06-02")), ("orders", pd.Timestamp("2024-03-04")))
    stakes = {slow: changes.AtStake(142137.0, -89093.0, 382020.0, "orders not significantly changed", False),
              drop: changes.AtStake(-50000.0, -80000.0, -20000.0, "orders measurably changed", True)}
    reg = changes.change_register(flagged, changes.channel_ramps(None), {}, {k: s.value for k, s in stakes.items()},
                                  NO_EVENTS, at_stake=stakes)
    assert reg["metric"].tolist() == ["orders", "sat_speed"]  # the measured change leads
    section, text = _register_section(flagged, stakes)
    assert section.value("revenue_at_stake_total") == -50000.0
    assert section.value("top_change").startswith("Orders per week down")
    assert "142,137" not in text and "left out" in text
    section, text = _register_section(flagged.iloc[:1], {slow: stakes[slow]})  # the slowdown alone
    assert section.value("revenue_at_stake_total") == 0.0
    assert "not measurable (interval -89,093 to +382,020" in text and "142,137" not in text
    assert "no yearly amount is given" in text


def test_a_change_inside_one_group_names_the_group_and_its_change_in_seen_in():
    flagged = flagged_rows(("competitor_price_index", "2024-01-01", -0.1, "down"),
                           ("sat_pricing", "2024-01-01", -0.101, "down")).assign(group_only=[False, True])
    day = pd.Timestamp("2024-01-01")
    group = changes.Driver("price_sensitivity", "high discount use", "price sensitivity: high discount use",
                           -0.532, -0.7, -0.36, 300)
    stakes = {("competitor_price_index", day): changes.AtStake(-1e5, -2e5, -5e4, "measured", True)}
    reg = changes.change_register(flagged, changes.channel_ramps(None), {("sat_pricing", day): group},
                                  {k: s.value for k, s in stakes.items()}, NO_EVENTS, at_stake=stakes)
    seen = reg["seen_in"].iloc[0]
    assert "for price sensitivity: high discount use only (-0.532" in seen and seen.startswith("Satisfaction: pricing")


def test_the_fall_after_the_last_first_time_customer_is_said_to_follow_the_end_of_acquisition():
    rng = np.random.default_rng(2)
    joined = WEEKS[rng.integers(0, 12, 400)]  # everyone's first order in the first 12 weeks: a closed group
    later = WEEKS[rng.integers(12, len(WEEKS), 2000)]
    orders = pd.DataFrame({"customer_id": np.r_[np.arange(400), rng.integers(0, 400, 2000)],
                           "date": np.r_[joined, later] + pd.Timedelta(days=2), "amount": 50.0})
    assert changes.acquisition_end(orders, WEEKS) == WEEKS[11]
    open_shop = orders.assign(customer_id=np.arange(len(orders)))  # a new customer every order: never ends
    assert changes.acquisition_end(open_shop, WEEKS) is None
    flagged = flagged_rows(("active_customers", WEEKS[12], -0.7, "down"))
    stakes = {("active_customers", WEEKS[12]): changes.AtStake(-1e6, -1.2e6, -8e5, "measured", True)}
    section, text = _register_section(flagged, stakes, orders=orders)
    assert "follows the end of acquisition" in text and section.value("acquisition_end") == f"{WEEKS[11]:%Y-%m-%d}"
    assert section.value("top_change").endswith(f"after acquisition ended (no first-time customer after the week of "
                                                f"{date_words(WEEKS[11])})")
    assert "end of acquisition" not in _register_section(flagged, stakes, orders=open_shop)[1]


def test_the_decision_asks_no_cause_for_a_fall_that_follows_the_end_of_acquisition():
    """Step 2's decision (CDNOW: active customers down 70.8% in a closed cohort) says the fall follows the end of
    acquisition instead of asking for its cause; with customers still arriving it asks for the cause."""
    rng = np.random.default_rng(2)
    joined = WEEKS[rng.integers(0, 12, 400)]
    later = WEEKS[rng.integers(12, len(WEEKS), 2000)]
    orders = pd.DataFrame({"customer_id": np.r_[np.arange(400), rng.integers(0, 400, 2000)],
                           "date": np.r_[joined, later] + pd.Timedelta(days=2), "amount": 50.0})
    flagged = flagged_rows(("active_customers", WEEKS[12], -0.7, "down"))
    stakes = {("active_customers", WEEKS[12]): changes.AtStake(-1e6, -1.2e6, -8e5, "measured", True)}
    for shop, cause in ((orders, False), (orders.assign(customer_id=np.arange(len(orders))), True)):
        section, _ = _register_section(flagged, stakes, orders=shop)
        inputs = step.ChangeInputs(weeks=WEEKS, orders=shop, records={}, events=NO_EVENTS, segments=pd.DataFrame())
        (d,) = step.decision(inputs, section["register"])["decisions"]
        assert d.action.startswith("Find the cause") is cause and ("end of acquisition" in d.action) is not cause
        assert (d.value == -1e6) is cause and d.indicators
