"""Unit tests of notebook 03's sections (customer_workbook.steps.strategy): the recommendation in words, the
order of headline findings, the budget explorer and the static what-if."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.acquisition import BudgetPlan, ResponseCurve, conquest_vs_relations
from customer_workbook.steps import strategy


def _curve(draws: int = 50):
    """Channel "a": vmax 10, k 100, shape 1; ``draws`` identical bootstrap draws (an exactly known curve)."""
    return ResponseCurve("a", 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0, draws=np.tile([10.0, 100.0, 1.0, 0.0], (draws, 1)))


def _uplift(groups=("all", "good", "bad"), uplift=(0.05, 0.2, -0.1), se=(0.02, 0.01, 0.01), p_holm=(0.01, 1e-9, 1e-9)):
    """A campaign's uplift table (``campaign_uplift`` columns used downstream); by default both segments measured."""
    n = len(groups)
    u, e = np.array(uplift[:n]), np.array(se[:n])
    return pd.DataFrame({"group": list(groups), "uplift": u, "se": e, "uplift_low": u - 1.645 * e,
                         "uplift_high": u + 1.645 * e, "p_holm": list(p_holm[:n])})


def _returns(**uplift):
    # conquest returns 5.0 per unit on "a" (exactly); retaining "good" 0.2 * 150 / 5 = 6.0 (error 0.01 * 150 / 5 = 0.3)
    return conquest_vs_relations({"a": _curve()}, {"a": 200.0}, {"a": 100.0}, _uplift(**uplift),
                                 {"all": 100.0, "good": 150.0, "bad": 80.0}, cost_per_contact=5.0)


def _plan(current=1000.0, optimum=1500.0, gain=100.0, interval=None):
    spend = {"a": current}
    interval = interval or (0.8 * optimum, 1.2 * optimum)
    return BudgetPlan(("a",), spend, {"a": optimum}, spend, current, optimum, 0.0, gain, 0.0, {"a": 1.0}, {"a": 1.0},
                      1.0, 2.0, budget_interval=interval)


def test_recommendation_picks_the_higher_return_and_the_breakeven():
    rec = strategy.recommendation(_returns(), _plan(), cost_per_contact=5.0)
    assert rec.option == "relations"
    assert rec.best_relations.target == "retention: good"
    assert rec.best_relations.return_per_unit == pytest.approx(6.0) and rec.best_relations.se == pytest.approx(0.3)
    assert rec.best_conquest.target == "a" and rec.best_conquest.return_per_unit == pytest.approx(5.0)
    assert rec.breakeven_contact_cost == pytest.approx(5.0 * 6.0 / 5.0)
    assert "do not contact bad" in rec.text
    assert "raise the weekly budget from 1,000 to 1,500" in rec.plain
    assert "5,200 a year" in rec.plain                              # 52 weeks of a 100 weekly gain
    assert "**" in rec.text and "**" not in rec.plain
    # the same comparison at a dearer offer: conquest first; no plan, no budget sentence
    dear = conquest_vs_relations({"a": _curve()}, {"a": 200.0}, {"a": 100.0}, _uplift(("all", "good")),
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
    assert rec.plain.startswith("Only the relations side can be valued")
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
    skipped = strategy.what_if_plans({}, {}, None, {}, 1.0, 0.0, 5)  # no marketing data: the standard skip
    assert [p.section for p in skipped.parts] == ["Budget what-if"]
    no_plan = strategy.what_if_plans(curves, values, None, {}, 1.0, 0.0, 5, current={"a": 100.0})  # no plan
    assert no_plan.parts[0].startswith("> **Not shown: budget what-if** because section 3")


def test_recommendation_does_not_send_the_next_unit_to_acquisition_that_should_stop():
    """At today's spend one more unit on "a" returns 5.0, but the value-maximising plan spends nothing on
    acquisition: the next unit goes to relations, and neither "both deserve funding" nor a break-even is said."""
    rec = strategy.recommendation(_returns(), _plan(current=1000.0, optimum=0.0), cost_per_contact=100.0)
    assert rec.option == "relations" and rec.breakeven_contact_cost is None
    assert "no level of acquisition spend creates value" in rec.plain
    assert "stop the weekly acquisition spend of 1,000" in rec.plain and "Both create value" not in rec.plain


def _transactions_only(days: int, n: int = 40):
    from customer_workbook.data import Dataset, QualityReport

    start = pd.Timestamp("2024-01-01")
    tx = pd.DataFrame({"customer_id": [f"c{i % n}" for i in range(3 * n)], "order_id": [f"o{i}" for i in range(3 * n)],
                       "date": [start + pd.Timedelta(days=int(i * days / (3 * n))) for i in range(3 * n)],
                       "amount": 10.0, "product_id": "p", "quantity": 1})
    return Dataset(tables={"transactions": tx}, sources={}, quality=QualityReport())


def test_new_customer_worth_says_why_without_newly_acquired_customers():
    """Every customer is first seen in the first 26 weeks (a closed cohort): nothing to value, and the note
    says so with the minimum and what would help; no CLV finding is recorded."""
    ds = _transactions_only(days=120)
    section = strategy.new_customer_worth(ds, 0.35, 0.1, 5, n_boot=0)
    note = next(p for p in section.parts if isinstance(p, str))
    assert note.startswith("> **Not shown: the value of a new customer** because only 0 customers were acquired")
    assert "26 weeks" in note and "`signup_date`" in note and "at least 30" in note
    assert section.value("n_acquired_in_window") == 0
    with pytest.raises(KeyError):
        section.value("clv_by_channel")
    assert section["clv_values"] == {} and section["econ"] is None


def test_spend_response_uses_only_curves_that_pass_their_check():
    import numpy as np

    from customer_workbook.acquisition import acquisition_cost, hill
    from customer_workbook.data import Dataset

    rng = np.random.default_rng(3)
    weeks = pd.date_range("2023-01-02", periods=80, freq="W-MON")
    spend = rng.uniform(50, 400, 80)
    marketing = pd.concat([pd.DataFrame({"week": weeks, "channel": "tv", "spend": spend,
                                         "new_customers": rng.poisson(hill(spend, 20.0, 150.0, 1.5))}),
                           pd.DataFrame({"week": weeks, "channel": "radio", "spend": spend,
                                         "new_customers": rng.poisson(5.0, 80)})])
    ds = _transactions_only(days=600)
    ds = Dataset(tables={**ds.tables, "marketing": marketing}, sources={}, quality=ds.quality)
    section = strategy.spend_response(ds, acquisition_cost(marketing, n_boot=10), curve_boot=5)
    assert list(section["curves"]) == ["tv"] and set(section["current"]) == {"tv", "radio"}
    assert section.value("channels_without_response_curve") == ["radio"]
    assert any(isinstance(p, str) and p.startswith("> Not used below") and "**radio**" in p for p in section.parts)


def test_recommendation_without_a_measured_uplift_funds_no_retention_offer():
    """The null company's campaign: segment uplifts that are noise (Holm-adjusted p above 0.10) are not targets."""
    returns = _returns(p_holm=(0.5, 0.4, 0.6))
    rec = strategy.recommendation(returns, _plan(), cost_per_contact=5.0)
    assert rec.best_relations is None and rec.option == "conquest"     # conquest returns exactly 5.0 > 1
    assert "fund offers" not in rec.plain and "measured no gain in any segment" in rec.plain
    assert "do not contact" not in rec.plain
    # a measured harm is still named, without a measured gain
    harm = strategy.recommendation(_returns(p_holm=(0.5, 0.4, 1e-6)), _plan(), cost_per_contact=5.0)
    assert harm.best_relations is None and "do not contact bad" in harm.plain


def test_recommendation_names_no_channel_and_no_side_the_data_do_not_separate():
    d = np.tile([10.0, 100.0, 1.0, 0.0], (40, 1)) * np.linspace(0.5, 1.5, 40)[:, None] ** [1, 0, 0, 0]
    curves = {c: ResponseCurve(c, 10.0, 100.0, 1.0, 0.0, 1.0, 0.0, 10, 500.0, draws=d) for c in ("tv", "search")}
    returns = conquest_vs_relations(curves, {"tv": 210.0, "search": 200.0}, {"tv": 100.0, "search": 100.0},
                                    _uplift(uplift=(0.05, 0.17, -0.1), se=(0.02, 0.05, 0.01)),
                                    {"all": 100.0, "good": 150.0, "bad": 80.0}, cost_per_contact=5.0)
    rec = strategy.recommendation(returns, _plan(), cost_per_contact=5.0)
    assert not rec.best_conquest.clear and set(rec.best_conquest.alike) == {"tv", "search"}
    assert "(tv)" not in rec.plain and "no acquisition channel measurably ahead" in rec.plain
    # retention 0.17 * 150 / 5 = 5.1 (error 1.5) against conquest 5.25 (error about 1.5): no side wins
    assert rec.option == "no clear difference" and "no clear difference" in rec.plain
    assert "should go to" not in rec.plain and "overtake" not in rec.plain


def test_recommendation_keeps_the_budget_when_its_interval_covers_today():
    rec = strategy.recommendation(_returns(), _plan(interval=(800.0, 2000.0)), cost_per_contact=5.0)
    assert "keep the weekly budget of 1,000" in rec.plain and "raise" not in rec.plain


def test_arm_part_reads_each_arm_and_says_nothing_for_one_flag_and_one_outcome():
    from customer_workbook.steps._strategy_campaign import arm_part
    from customer_workbook.steps.section import Draft
    rng = np.random.default_rng(4)
    n = 3000
    arm = rng.choice(["m", "w", "control"], n)
    seg = rng.choice(["s1", "s2", "s3"], n)
    visited = (rng.random(n) < np.where(arm == "m", 0.20, np.where(arm == "w", 0.10, 0.10))).astype(int)
    rows = pd.DataFrame({"treated": arm != "control", "arm": arm, "segment": seg, "visited": visited,
                         "outcome": (rng.random(n) < 0.05).astype(int), "spend": rng.exponential(1.0, n)})
    draft = Draft()
    assert arm_part(draft, rows[["treated", "outcome", "segment"]], by="segment") is None
    assert draft.done().findings == () and draft.done().parts == ()
    lifts = arm_part(draft, rows, by="segment")
    found = {f.key: f.value for f in draft.done().findings}
    m = rows[rows["arm"].isin(["m", "control"])]
    assert found["campaign_arm_lifts"]["m"]["visited"]["arm"] == round(m.loc[m["arm"] == "m", "visited"].mean(), 6)
    assert found["campaign_arm_lifts"]["m"]["visited"]["low"] > 0 and len(lifts) == 6
    assert "spend" in found["campaign_arm_spend_lifts"]["w"]
    assert found["campaign_responding_segments"]["m"]["visited"] == ["s1", "s2", "s3"]   # +10 pp in every segment
    assert found["campaign_responding_segments"]["w"]["visited"] == []                  # no effect: none after Holm
