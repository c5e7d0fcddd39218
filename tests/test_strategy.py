"""Unit tests of the step-3 library (customer_workbook.strategy): hand-computed cases and synthetic data
with known answers."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from customer_workbook import strategy as st


# --------------------------------------------------------------------------- CAC / CLV arithmetic


def test_first_purchase_value_sums_the_first_day_only():
    tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b"],
                       "date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 17:00", "2024-01-05 00:00", "2024-02-01 00:00",
                                               "2024-02-03 00:00"]),
                       "amount": [10.0, 5.0, 99.0, 20.0, -20.0]})
    fv = st.first_purchase_value(tx, ["a", "b"])
    assert fv.to_dict() == {"a": 15.0, "b": 20.0}  # a's two same-day lines; b's later return does not count


def test_acquisition_cost_is_spend_over_new_customers():
    weeks = pd.date_range("2024-01-01", periods=4, freq="W-MON")
    mk = pd.DataFrame({"week": np.tile(weeks, 2), "channel": ["a"] * 4 + ["b"] * 4,
                       "spend": [100.0, 200.0, 100.0, 200.0, 50.0, 50.0, 50.0, 50.0],
                       "new_customers": [1, 3, 1, 3, 0, 1, 0, 1]})
    table, draws = st.acquisition_cost(mk, current_weeks=2, n_boot=200)
    a = table.set_index("channel").loc["a"]
    assert a["cac"] == pytest.approx(600 / 8)
    assert a["current_spend"] == pytest.approx(150.0)   # the last two weeks: 100 and 200
    assert table.set_index("channel").loc["b", "cac"] == pytest.approx(200 / 2)
    assert a["cac_low"] <= a["cac"] <= a["cac_high"]
    assert draws["a"].shape == (200,)


def test_new_customer_value_clv_by_hand():
    v = st.NewCustomerValue(n_acquired=100, buyer_share=0.5, first_value=100.0, repeat_spend=50.0,
                            repeat_by_month=np.arange(1, 121, dtype=float))  # one repeat purchase a month
    # no discounting: 0.4 * 0.5 * (100 + 50 * 12 purchases in a year)
    assert v.clv(margin=0.4, annual_discount_rate=0.0, horizon_years=1) == pytest.approx(140.0)
    # 12% a year: monthly rate (1.12)^(1/12) - 1, cash flows at month ends
    d = 1.12 ** (1 / 12) - 1
    disc = sum((1 + d) ** -k for k in range(1, 13))
    assert v.clv(0.4, 0.12, 1) == pytest.approx(0.4 * 0.5 * (100 + 50 * disc))
    assert v.cumulative_margin(0.4, 3).tolist() == pytest.approx([20.0, 30.0, 40.0, 50.0])
    assert v.revenue(12) == pytest.approx(0.5 * (100 + 600))


def test_payback_months_interpolates_within_the_month():
    cm = np.array([10.0, 30.0, 50.0, 70.0])
    assert st.payback_months(cm, 40.0) == pytest.approx(1.5)
    assert st.payback_months(cm, 5.0) == 0.0
    assert st.payback_months(cm, 100.0) == float("inf")


def test_unit_economics_ratio_and_payback():
    values = {c: st.NewCustomerValue(10, 1.0, 100.0, 50.0, np.arange(1, 121, dtype=float)) for c in ("x", "y")}
    clv_table = pd.DataFrame({"group": ["x", "y"], "n_acquired": [10, 10], "clv": [300.0, 300.0],
                              "clv_low": [250.0, 250.0], "clv_high": [350.0, 350.0]})
    cac_table = pd.DataFrame({"channel": ["x", "y"], "cac": [100.0, 30.0], "cac_low": [90.0, 25.0],
                              "cac_high": [110.0, 35.0]})
    draws = {"x": np.full(50, 300.0), "y": np.full(50, 300.0)}
    cdraws = {"x": np.full(50, 100.0), "y": np.full(50, 30.0)}
    econ = st.unit_economics(clv_table, draws, values, cac_table, cdraws, margin=0.5)
    assert list(econ["channel"]) == ["y", "x"]                       # sorted by CLV / CAC
    assert econ.set_index("channel")["clv_to_cac"].to_dict() == pytest.approx({"x": 3.0, "y": 10.0})
    # margin 0.5: 50 at acquisition, +25 a month -> CAC 100 paid after 2 months, CAC 30 at once
    assert econ.set_index("channel")["payback_months"].to_dict() == pytest.approx({"x": 2.0, "y": 0.0})


# --------------------------------------------------------------------------- response curves


def test_hill_and_derivative():
    assert st.hill(2600.0, 30, 2600, 1.2) == pytest.approx(15.0)     # half the ceiling at k
    assert st.hill(0.0, 30, 2600, 1.2) == 0.0
    s, eps = 1800.0, 1e-3
    numeric = (st.hill(s + eps, 24, 2000, 1.5) - st.hill(s - eps, 24, 2000, 1.5)) / (2 * eps)
    assert st.hill_derivative(s, 24, 2000, 1.5) == pytest.approx(numeric, rel=1e-6)


def test_adstock_geometric_and_level_preserving():
    assert st.adstock([1.0, 0.0, 0.0], 0.5).tolist() == pytest.approx([1.0, 0.5, 0.25])
    assert st.adstock(np.full(10, 7.0), 0.8).tolist() == pytest.approx([7.0] * 10)
    assert st.adstock([3.0, 4.0], 0.0).tolist() == [3.0, 4.0]


def _synthetic_channel(vmax, k, h, theta=0.0, weeks=260, centre=None, seed=1):
    rng = np.random.default_rng(seed)
    centre = centre or k
    e = np.zeros(weeks)
    for t in range(1, weeks):
        e[t] = 0.5 * e[t - 1] + rng.normal(0, 0.6 * np.sqrt(1 - 0.25))
    s = centre * np.exp(e - 0.18)
    y = rng.poisson(st.hill(st.adstock(s, theta), vmax, k, h))
    return s, y


@pytest.mark.parametrize("vmax,k,h", [(30.0, 2600.0, 1.2), (45.0, 9000.0, 2.5)])
def test_fit_response_curve_recovers_known_parameters(vmax, k, h):
    s, y = _synthetic_channel(vmax, k, h, centre=0.8 * k)
    c = st.fit_response_curve(s, y, "x", carryover="auto", n_boot=40, seed=0)
    assert c.theta == 0.0                                   # no carry-over planted, none kept
    # vmax and k trade off against each other when the shape is near 1, so k is checked against its own
    # bootstrap interval; the curve itself and its slope, where there is data, are checked tightly
    lo, hi = np.quantile(c.draws[:, 1], [0.025, 0.975])
    assert lo < k < hi
    assert c.shape == pytest.approx(h, rel=0.25)
    for level in (0.5 * k, k, 1.5 * k):
        assert float(c.predict(level)) == pytest.approx(st.hill(level, vmax, k, h), rel=0.08)
    assert float(c.marginal(0.8 * k)) == pytest.approx(st.hill_derivative(0.8 * k, vmax, k, h), rel=0.15)
    band = c.draw_predict(np.array([k]))
    assert np.quantile(band, 0.01) < st.hill(k, vmax, k, h) < np.quantile(band, 0.99)


def test_fit_response_curve_detects_planted_carryover():
    s, y = _synthetic_channel(30.0, 2600.0, 1.2, theta=0.6, seed=3)
    c = st.fit_response_curve(s, y, "x", carryover="auto", n_boot=5, seed=0)
    assert c.carryover_p < 0.05
    assert c.theta == pytest.approx(0.6, abs=0.15)


# --------------------------------------------------------------------------- value and the optimiser


def test_value_created_by_hand():
    # worth 10 per customer, hill(1; vmax 2, k 1, h 1) = 1 customer, spend 1 -> 9
    assert st.value_created([1.0], [2.0], [1.0], [1.0], [10.0]) == pytest.approx(9.0)
    two = st.value_created(np.array([[1.0, 3.0]]), [2.0, 4.0], [1.0, 1.0], [1.0, 1.0], [10.0, 1.0])
    assert two == pytest.approx([10 * 1 + 1 * 3 - 4])


PARAMS = dict(vmax=np.array([30.0, 14.0]), k=np.array([2600.0, 600.0]), shape=np.array([1.2, 1.0]),
              worth=np.array([450.0, 700.0]))


def _brute_force(bounds, total=None, n=801):
    grids = [np.linspace(lo, hi, n) for lo, hi in bounds]
    if total is None:
        A, B = np.meshgrid(*grids, indexing="ij")
        s = np.stack([A, B], axis=-1)
    else:
        a = grids[0]
        b = total - a
        ok = (b >= bounds[1][0]) & (b <= bounds[1][1])
        s = np.stack([a[ok], b[ok]], axis=-1)
    v = st.value_created(s, PARAMS["vmax"], PARAMS["k"], PARAMS["shape"], PARAMS["worth"])
    i = np.unravel_index(np.argmax(v), v.shape)
    return s[i], v[i]


def test_optimiser_matches_brute_force_grid_free_budget():
    bounds = [(0.0, 12000.0), (0.0, 4000.0)]
    best = st.optimise_budget(*PARAMS.values(), bounds)
    grid_s, grid_v = _brute_force(bounds)
    v = st.value_created(best, *PARAMS.values())
    assert v >= grid_v - 1e-6 * abs(grid_v)                    # at least as good as the grid
    assert best == pytest.approx(grid_s, abs=2 * 12000 / 800)  # and at the same place


def test_optimiser_matches_brute_force_grid_fixed_total_and_respects_bounds():
    bounds = [(500.0, 3000.0), (0.0, 800.0)]
    best = st.optimise_budget(*PARAMS.values(), bounds, total=3000.0)
    assert best.sum() == pytest.approx(3000.0)
    assert np.all(best >= np.array(bounds)[:, 0] - 1e-9) and np.all(best <= np.array(bounds)[:, 1] + 1e-9)
    grid_s, grid_v = _brute_force(bounds, total=3000.0, n=2501)
    assert st.value_created(best, *PARAMS.values()) >= grid_v - 1e-6 * abs(grid_v)
    # a binding upper bound: the free optimum of channel 2 is far above 300
    capped = st.optimise_budget(*PARAMS.values(), [(0.0, 20000.0), (0.0, 300.0)])
    assert capped[1] == pytest.approx(300.0)


def test_optimiser_three_channels_against_grid():
    vmax, k, h, w = [20.0, 10.0, 40.0], [1000.0, 300.0, 5000.0], [1.5, 1.0, 2.5], [300.0, 400.0, 350.0]
    bounds = [(0.0, 3000.0)] * 3
    total = 3000.0
    best = st.optimise_budget(vmax, k, h, w, bounds, total=total, seed=1)
    g = np.linspace(0, total, 301)
    pts = np.array([(a, b, total - a - b) for a, b in itertools.product(g, g) if a + b <= total])
    grid_v = st.value_created(pts, vmax, k, h, w).max()
    assert st.value_created(best, vmax, k, h, w) >= grid_v - 1e-6 * abs(grid_v)


def test_plan_summary_and_what_if_agree_at_the_optimum():
    curves = {c: st.ResponseCurve(c, v, kk, hh, 0.0, 1.0, 0.0, 100, 5000.0)
              for c, v, kk, hh in (("a", 30.0, 2600.0, 1.2), ("b", 14.0, 600.0, 1.0))}
    clv_v = {"a": 450.0, "b": 700.0}
    bounds = {"a": (0.0, 12000.0), "b": (0.0, 4000.0)}
    plan = st.plan_summary(curves, clv_v, {"a": 2000.0, "b": 500.0}, bounds)
    assert plan["optimum_value"] >= plan["best_at_current_value"] >= plan["current_value"]
    assert plan["best_at_current_spend"]["a"] + plan["best_at_current_spend"]["b"] == pytest.approx(2500.0)
    values = {c: st.NewCustomerValue(1, 1.0, clv_v[c], 0.0, np.zeros(120)) for c in clv_v}   # CLV = first value
    result = st.what_if(plan["optimum_spend"], curves, values, 1.0, 0.0, 5, bounds)
    assert result["gap"] == pytest.approx(0.0, abs=1e-6 * plan["optimum_value"])
    assert result["value"] == pytest.approx(plan["optimum_value"])


def test_objective_comparison_orders_budgets():
    curves = {c: st.ResponseCurve(c, v, kk, hh, 0.0, 1.0, 0.0, 100, 5000.0)
              for c, v, kk, hh in (("a", 30.0, 2600.0, 1.2), ("b", 14.0, 600.0, 1.0))}
    worth = pd.DataFrame({"leads": [1.0, 1.0], "revenue": [600.0, 800.0], "profit": [120.0, 160.0],
                          "value": [450.0, 700.0]}, index=["a", "b"])
    bounds = {"a": (0.0, 12000.0), "b": (0.0, 4000.0)}
    table = st.objective_comparison(curves, worth, {"a": 2000.0, "b": 500.0}, bounds)
    free = table.loc[table["plan"] == "free budget"].set_index("objective")["budget"]
    assert free["profit"] < free["value"] < free["revenue"]            # worth per customer grows in that order
    value_rows = table.set_index(["objective", "plan"])["value"]
    assert value_rows[("value", "free budget")] >= value_rows.max() - 1e-6  # value objective is best on value


# --------------------------------------------------------------------------- relations


def test_campaign_uplift_known_rates():
    seg = pd.DataFrame({"treated": [True] * 100 + [False] * 100, "outcome": [1] * 40 + [0] * 60 + [1] * 20 + [0] * 80,
                        "segment": ["s"] * 200})
    up = st.campaign_uplift(seg)
    assert list(up["group"]) == ["all", "s"]
    assert up.iloc[0]["uplift"] == pytest.approx(0.2)
    se = np.sqrt(0.4 * 0.6 / 100 + 0.2 * 0.8 / 100)
    assert up.iloc[0]["uplift_high"] - up.iloc[0]["uplift"] == pytest.approx(1.6448536 * se, rel=1e-6)


def test_conquest_vs_relations_and_recommendation():
    curves = {"a": st.ResponseCurve("a", 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0)}
    # marginal at spend 100: vmax*h*x/(s(1+x)^2) = 10/(100*4) = 0.025 customers per unit; CLV 200 -> 5 per unit
    up = pd.DataFrame({"group": ["all", "good", "bad"], "uplift": [0.05, 0.2, -0.1], "uplift_low": [0.0, 0.1, -0.15],
                       "uplift_high": [0.1, 0.3, -0.05]})
    ret = st.conquest_vs_relations(curves, {"a": 200.0}, {"a": 100.0}, up, {"all": 100.0, "good": 150.0, "bad": 80.0},
                                   cost_per_contact=5.0)
    r = ret.set_index("target")["return_per_unit"]
    assert r["a"] == pytest.approx(5.0)
    assert r["retention: good"] == pytest.approx(0.2 * 150 / 5)     # 6.0
    rec = st.recommendation(ret, 1000.0, 1500.0, {"a": 1.0}, 100.0, cost_per_contact=5.0)
    assert rec["option"] == "relations"
    assert rec["best_relations"]["target"] == "retention: good"
    assert rec["breakeven_contact_cost"] == pytest.approx(5.0 * 6.0 / 5.0)
    assert "do not contact bad" in rec["text"]
    rec2 = st.recommendation(ret, 1000.0, 1500.0, {"a": 1.0}, 100.0, cost_per_contact=10.0 * 5)
    assert rec2["option"] in ("relations", "conquest")


def test_recommendation_without_any_data():
    empty = st.conquest_vs_relations({}, {}, {}, None, None)
    assert empty.empty
    assert st.recommendation(empty, 0.0, 0.0, {}, 0.0)["option"] == "unknown"


def test_headline_first_reorders_findings():
    from customer_workbook.findings import Findings

    f = Findings("x", "x")
    for key in ("a", "b", "c"):
        f.add(key, 1, key)
    st.headline_first(f, ["c", "missing"])
    assert list(f.items) == ["c", "a", "b"]


def test_budget_explorer_redraws_with_channel_spends():
    from customer_workbook.widgets import budget_explorer

    calls = []
    box = budget_explorer(lambda **kw: calls.append(kw), {"search": 100.0, "tv": 50.0}, {"search": 300.0, "tv": 80.0},
                          margin=0.35, discount_rate=0.1)
    assert calls[0] == {"search": 100.0, "tv": 50.0, "margin": 0.35, "discount_rate": 0.1}
    sliders = box.children[-2].children
    sliders[0].value = 200.0
    assert calls[-1]["search"] == 200.0


def test_cost_comparison_by_hand():
    cac = pd.DataFrame({"channel": ["a", "b"], "spend": [1000.0, 3000.0], "new_customers": [10, 10]})
    up = pd.DataFrame({"group": ["all", "x", "y"], "uplift": [0.05, 0.25, -0.1]})
    out = st.cost_comparison(cac, up, cost_per_contact=5.0)
    assert out["blended_cac"] == pytest.approx(200.0)
    assert out["retention_cost"] == pytest.approx(20.0) and out["segment"] == "x"
    assert out["ratio"] == pytest.approx(10.0)
    assert st.cost_comparison(cac, up.assign(uplift=-0.1), 5.0) is None
