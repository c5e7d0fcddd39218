"""Unit tests of notebook 03's sections (customer_workbook.steps.strategy): the recommendation in words, the
order of headline findings, the budget explorer and the static what-if."""
from __future__ import annotations

import pandas as pd
import pytest

from customer_workbook.acquisition import BudgetPlan, ResponseCurve, conquest_vs_relations
from customer_workbook.steps import strategy


def _returns():
    curves = {"a": ResponseCurve("a", 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0)}
    up = pd.DataFrame({"group": ["all", "good", "bad"], "uplift": [0.05, 0.2, -0.1], "uplift_low": [0.0, 0.1, -0.15],
                       "uplift_high": [0.1, 0.3, -0.05]})
    # conquest returns 5.0 per unit on "a"; retaining "good" 0.2 * 150 / 5 = 6.0
    return conquest_vs_relations(curves, {"a": 200.0}, {"a": 100.0}, up, {"all": 100.0, "good": 150.0, "bad": 80.0},
                                 cost_per_contact=5.0)


def _plan(current=1000.0, optimum=1500.0, gain=100.0):
    spend = {"a": current}
    return BudgetPlan(("a",), spend, {"a": optimum}, spend, current, optimum, 0.0, gain, 0.0, {"a": 1.0}, {"a": 1.0},
                      1.0, 2.0)


def test_recommendation_picks_the_higher_return_and_the_breakeven():
    rec = strategy.recommendation(_returns(), _plan(), cost_per_contact=5.0)
    assert rec.option == "relations"
    assert rec.best_relations == strategy.Choice("retention: good", pytest.approx(6.0))
    assert rec.best_conquest.target == "a" and rec.best_conquest.return_per_unit == pytest.approx(5.0)
    assert rec.breakeven_contact_cost == pytest.approx(5.0 * 6.0 / 5.0)
    assert "do not contact bad" in rec.text
    assert "raise the weekly budget from 1,000 to 1,500" in rec.plain
    assert "5,200 a year" in rec.plain                              # 52 weeks of a 100 weekly gain
    assert "**" in rec.text and "**" not in rec.plain
    # the same comparison at a dearer offer: conquest first; no plan, no budget sentence
    dear = conquest_vs_relations({"a": ResponseCurve("a", 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0)}, {"a": 200.0},
                                 {"a": 100.0}, pd.DataFrame({"group": ["all", "good"], "uplift": [0.05, 0.2],
                                                             "uplift_low": [0.0, 0.1], "uplift_high": [0.1, 0.3]}),
                                 {"all": 100.0, "good": 150.0}, cost_per_contact=50.0)
    rec2 = strategy.recommendation(dear, None, cost_per_contact=50.0)
    assert rec2.option == "conquest"
    assert "Recommended acquisition plan" not in rec2.plain


def test_recommendation_with_one_side_or_none():
    empty = conquest_vs_relations({}, {}, {}, None, None)
    assert strategy.recommendation(empty).option == "unknown"
    only_retention = _returns().loc[lambda r: r["option"] == "relations"]
    rec = strategy.recommendation(only_retention)
    assert rec.option == "relations" and rec.best_conquest is None and rec.breakeven_contact_cost is None
    assert rec.plain.startswith("Without marketing spend data")
    weak = only_retention.assign(return_per_unit=0.5)
    assert strategy.recommendation(weak).option == "neither"


def test_headline_first_reorders_findings():
    from customer_workbook.findings import Findings

    f = Findings("x", "x")
    for key in ("a", "b", "c"):
        f.add(key, 1, key)
    strategy.headline_first(f, ["c", "missing"])
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


def test_what_if_plans_static_shows_both_plans_and_skips_without_a_plan():
    import numpy as np

    from customer_workbook.clv import NewCustomerValue

    curves = {"a": ResponseCurve("a", 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0)}
    values = {"a": NewCustomerValue(1, 1.0, 200.0, 0.0, np.zeros(120))}
    section = strategy.what_if_plans(curves, values, _plan(100.0, 300.0), {"a": (0.0, 750.0)}, 1.0, 0.0, 5)
    texts = [p for p in section.parts if isinstance(p, str)]
    assert texts[0] == "**Today's plan**" and texts[2] == "**Value-maximising plan**"
    assert texts[1].startswith("**5.0 new customers a week** at a blended CAC of 20")   # hill(100) = 5
    skipped = strategy.what_if_plans(curves, values, None, {}, 1.0, 0.0, 5)
    assert [p.section for p in skipped.parts] == ["Budget what-if"]
