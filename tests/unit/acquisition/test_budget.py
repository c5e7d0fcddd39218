"""Unit tests of the acquisition budget (customer_workbook.acquisition.budget): value created, the optimiser
against brute-force grids, plans, objectives, and one more unit on conquest or relations."""
from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from customer_workbook.acquisition import (ResponseCurve, conquest_vs_relations, mix_shift, objective_comparison,
                                           optimise_budget, optimise_scale, plan_summary, value_created, what_if)
from customer_workbook.clv import NewCustomerValue


def test_value_created_by_hand():
    # worth 10 per customer, hill(1; vmax 2, k 1, h 1) = 1 customer, spend 1 -> 9
    assert value_created([1.0], [2.0], [1.0], [1.0], [10.0]) == pytest.approx(9.0)
    two = value_created(np.array([[1.0, 3.0]]), [2.0, 4.0], [1.0, 1.0], [1.0, 1.0], [10.0, 1.0])
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
    v = value_created(s, PARAMS["vmax"], PARAMS["k"], PARAMS["shape"], PARAMS["worth"])
    i = np.unravel_index(np.argmax(v), v.shape)
    return s[i], v[i]


def test_optimiser_matches_brute_force_grid_free_budget():
    bounds = [(0.0, 12000.0), (0.0, 4000.0)]
    best = optimise_budget(*PARAMS.values(), bounds)
    grid_s, grid_v = _brute_force(bounds)
    v = value_created(best, *PARAMS.values())
    assert v >= grid_v - 1e-6 * abs(grid_v)                    # at least as good as the grid
    assert best == pytest.approx(grid_s, abs=2 * 12000 / 800)  # and at the same place


def test_optimiser_matches_brute_force_grid_fixed_total_and_respects_bounds():
    bounds = [(500.0, 3000.0), (0.0, 800.0)]
    best = optimise_budget(*PARAMS.values(), bounds, total=3000.0)
    assert best.sum() == pytest.approx(3000.0)
    assert np.all(best >= np.array(bounds)[:, 0] - 1e-9) and np.all(best <= np.array(bounds)[:, 1] + 1e-9)
    grid_s, grid_v = _brute_force(bounds, total=3000.0, n=2501)
    assert value_created(best, *PARAMS.values()) >= grid_v - 1e-6 * abs(grid_v)
    # a binding upper bound: the free optimum of channel 2 is far above 300
    capped = optimise_budget(*PARAMS.values(), [(0.0, 20000.0), (0.0, 300.0)])
    assert capped[1] == pytest.approx(300.0)
    with pytest.raises(ValueError, match="outside what the bounds allow"):
        optimise_budget(*PARAMS.values(), bounds, total=5000.0)


def test_optimiser_three_channels_against_grid():
    vmax, k, h, w = [20.0, 10.0, 40.0], [1000.0, 300.0, 5000.0], [1.5, 1.0, 2.5], [300.0, 400.0, 350.0]
    bounds = [(0.0, 3000.0)] * 3
    total = 3000.0
    best = optimise_budget(vmax, k, h, w, bounds, total=total, seed=1)
    g = np.linspace(0, total, 301)
    pts = np.array([(a, b, total - a - b) for a, b in itertools.product(g, g) if a + b <= total])
    grid_v = value_created(pts, vmax, k, h, w).max()
    assert value_created(best, vmax, k, h, w) >= grid_v - 1e-6 * abs(grid_v)


def _curves():
    return {c: ResponseCurve(c, v, kk, hh, 0.0, 1.0, 0.0, 100, 5000.0)
            for c, v, kk, hh in (("a", 30.0, 2600.0, 1.2), ("b", 14.0, 600.0, 1.0))}


def test_plan_summary_and_what_if_agree_at_the_optimum():
    curves = _curves()
    clv_v = {"a": 450.0, "b": 700.0}
    bounds = {"a": (0.0, 12000.0), "b": (0.0, 4000.0)}
    plan = plan_summary(curves, clv_v, {"a": 2000.0, "b": 500.0}, bounds)
    assert plan.optimum_value >= plan.best_at_current_value >= plan.current_value
    assert plan.best_at_current_spend["a"] + plan.best_at_current_spend["b"] == pytest.approx(2500.0)
    assert plan.value_gain == pytest.approx(plan.optimum_value - plan.current_value)
    assert plan.channels == ("a", "b") and sum(plan.optimum_mix.values()) == pytest.approx(1.0)
    values = {c: NewCustomerValue(1, 1.0, clv_v[c], 0.0, np.zeros(120)) for c in clv_v}   # CLV = first value
    result = what_if(plan.optimum_spend, curves, values, 1.0, 0.0, 5, bounds)
    assert result.gap == pytest.approx(0.0, abs=1e-6 * plan.optimum_value)
    assert result.value == pytest.approx(plan.optimum_value)
    assert result.new_per_week == pytest.approx(result.table["new_per_week"].sum())


def test_objective_comparison_orders_budgets():
    worth = pd.DataFrame({"leads": [1.0, 1.0], "revenue": [600.0, 800.0], "profit": [120.0, 160.0],
                          "value": [450.0, 700.0]}, index=["a", "b"])
    bounds = {"a": (0.0, 12000.0), "b": (0.0, 4000.0)}
    table = objective_comparison(_curves(), worth, {"a": 2000.0, "b": 500.0}, bounds)
    free = table.loc[table["plan"] == "free budget"].set_index("objective")["budget"]
    assert free["profit"] < free["value"] < free["revenue"]            # worth per customer grows in that order
    value_rows = table.set_index(["objective", "plan"])["value"]
    assert value_rows[("value", "free budget")] >= value_rows.max() - 1e-6  # value objective is best on value


def test_conquest_vs_relations_returns_per_unit():
    curves = {"a": ResponseCurve("a", 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0)}
    # marginal at spend 100: vmax*h*x/(s(1+x)^2) = 10/(100*4) = 0.025 customers per unit; CLV 200 -> 5 per unit
    up = pd.DataFrame({"group": ["all", "good", "bad"], "uplift": [0.05, 0.2, -0.1], "uplift_low": [0.0, 0.1, -0.15],
                       "uplift_high": [0.1, 0.3, -0.05]})
    ret = conquest_vs_relations(curves, {"a": 200.0}, {"a": 100.0}, up, {"all": 100.0, "good": 150.0, "bad": 80.0},
                                cost_per_contact=5.0)
    r = ret.set_index("target")["return_per_unit"]
    assert r["a"] == pytest.approx(5.0)
    assert r["retention: good"] == pytest.approx(0.2 * 150 / 5)     # 6.0
    assert ret.set_index("target").loc["retention: bad", "cost_per_customer"] == float("inf")
    assert list(ret["return_per_unit"]) == sorted(ret["return_per_unit"], reverse=True)
    assert conquest_vs_relations({}, {}, {}, None, None).empty


def test_optimise_scale_matches_a_grid_of_factors_and_keeps_the_mix():
    mix = np.array([1000.0, 500.0])
    bounds = np.array([[0.0, 12000.0], [0.0, 4000.0]])
    out = optimise_scale(PARAMS["vmax"], PARAMS["k"], PARAMS["shape"], PARAMS["worth"], bounds, mix)
    assert out[0] / out[1] == pytest.approx(2.0)                      # today's mix kept
    f = np.linspace(0, 8, 8001)                                        # factor 8 puts channel 2 on its bound
    v = value_created(f[:, None] * mix, PARAMS["vmax"], PARAMS["k"], PARAMS["shape"], PARAMS["worth"])
    best = value_created(out, PARAMS["vmax"], PARAMS["k"], PARAMS["shape"], PARAMS["worth"])
    assert best >= v.max() - 1e-6
    assert np.all(out <= bounds[:, 1] + 1e-9)


def test_mix_shift_only_when_the_draws_move_a_share_beyond_chance():
    rng = np.random.default_rng(0)
    current = {"a": 500.0, "b": 500.0}
    # equal channels: optimal shares scatter around today's 50/50
    noise = np.column_stack([rng.normal(500, 150, 200), rng.normal(500, 150, 200)]).clip(1)
    assert mix_shift(noise, ["a", "b"], current) == {}
    # a channel that deserves more: its share is above today's in every draw
    moved = np.column_stack([rng.normal(900, 50, 200), rng.normal(300, 50, 200)])
    shift = mix_shift(moved, ["a", "b"], current)
    assert set(shift) == {"a", "b"} and all(p < 0.10 for p in shift.values())


def test_plan_keeps_the_mix_and_says_the_budget_change_only_beyond_its_interval():
    curves = {c: ResponseCurve(c, 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0) for c in ("a", "b")}
    clv = {"a": 200.0, "b": 200.0}
    current = {"a": 60.0, "b": 20.0}
    bounds = {c: (0.0, 750.0) for c in curves}
    free = plan_summary(curves, clv, current, bounds)
    assert free.optimum_mix["a"] == pytest.approx(0.5, abs=1e-3) and not free.mix_kept   # equal curves: 50/50
    kept = plan_summary(curves, clv, current, bounds, keep_mix=True)
    assert kept.mix_kept and kept.optimum_mix["a"] == pytest.approx(0.75)                 # today's 3:1 kept
    assert kept.best_at_current_spend == current and kept.optimum_value <= free.optimum_value + 1e-9
    assert kept.budget_change == "no clear difference"                                     # no interval yet
    assert replace(kept, budget_interval=(kept.current_budget + 1, 1e9)).budget_change == "raise"
    assert replace(kept, budget_interval=(0.0, kept.current_budget - 1)).budget_change == "lower"
    assert replace(kept, budget_interval=(0.0, 1e9)).budget_change == "no clear difference"


def test_conquest_vs_relations_errors_and_measured_uplift():
    d = np.tile([10.0, 100.0, 1.0, 0.0], (20, 1)) * np.linspace(0.9, 1.1, 20)[:, None] ** [1, 0, 0, 0]
    curves = {"a": ResponseCurve("a", 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0, draws=d)}
    up = pd.DataFrame({"group": ["all", "good", "noise"], "uplift": [0.05, 0.2, 0.1], "se": [0.02, 0.01, 0.08],
                       "uplift_low": [0.0, 0.18, -0.03], "uplift_high": [0.1, 0.22, 0.23], "p_holm": [0.01, 1e-9, 0.4]})
    ret = conquest_vs_relations(curves, {"a": 200.0}, {"a": 100.0}, up, {"all": 100.0, "good": 150.0, "noise": 80.0},
                                cost_per_contact=5.0, clv_draws={"a": np.full(30, 200.0)}).set_index("target")
    marginal = 10.0 * np.linspace(0.9, 1.1, 20) / 400                 # vmax scaled by the draws, at k = spend
    assert ret.loc["a", "return_se"] == pytest.approx(np.std(200 * marginal, ddof=1))
    assert ret.loc["retention: good", "return_se"] == pytest.approx(0.01 * 150 / 5)
    assert ret.loc["retention: good", "uplift_measured"] and not ret.loc["retention: noise", "uplift_measured"]


def test_the_conquest_or_relations_plot_draws_every_interval_and_marks_an_unmeasured_uplift():
    from customer_workbook.plots.acquisition import _return_interval, plot_conquest_vs_relations

    d = np.tile([10.0, 100.0, 1.0, 0.0], (20, 1)) * np.linspace(0.9, 1.1, 20)[:, None] ** [1, 0, 0, 0]
    curves = {"a": ResponseCurve("a", 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0, draws=d)}
    up = pd.DataFrame({"group": ["all", "noise"], "uplift": [0.05, 0.1], "se": [0.02, 0.08],
                       "uplift_low": [0.0, -0.03], "uplift_high": [0.1, 0.23], "p_holm": [0.01, 0.4]})
    ret = conquest_vs_relations(curves, {"a": 200.0}, {"a": 100.0}, up, {"all": 100.0, "noise": 80.0},
                                cost_per_contact=5.0, clv_draws={"a": np.full(30, 200.0)})
    low, high = _return_interval(ret)
    by = dict(zip(ret["target"], zip(low, high)))
    # a retention return is proportional to its uplift: its interval is the uplift's, scaled (80 / 5 per point)
    assert by["retention: noise"] == pytest.approx((-0.03 * 16, 0.23 * 16))
    half = 1.645 * ret.set_index("target").loc["a", "return_se"]
    assert by["a"] == pytest.approx((ret.set_index("target").loc["a", "return_per_unit"] - half,
                                     ret.set_index("target").loc["a", "return_per_unit"] + half))
    ax = plot_conquest_vs_relations(ret).axes[0]
    assert len(ax.collections) == 1 and len(ax.collections[0].get_segments()) == len(ret)  # one bar per row
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1  # the unmeasured uplift ('noise'); 'all' is measured (p_holm 0.01)
