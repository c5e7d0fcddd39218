"""The decision record every notebook ends with (customer_workbook.decisions)."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_workbook.escaping import md
from customer_workbook.decisions import BASES, Decision, decision_from_dict, decision_markdown, value_text


def _d(**kw) -> Decision:
    base = dict(step=5, topic="Win-back", action="Wake the half-sleepy", value=1000.0, value_low=200.0,
                value_high=1800.0, value_label="net gain a year", basis="measured")
    return Decision(**{**base, **kw})


@pytest.mark.parametrize(("basis", "value", "low", "high", "expected"), [
    ("measured", 1000.0, 200.0, 1800.0, "high"), ("measured", 1000.0, -100.0, 1800.0, "low"),
    ("measured", -100.0, -900.0, -10.0, "high"), ("estimated", 1000.0, 200.0, 1800.0, "medium"),
    ("estimated", 1000.0, -100.0, 1800.0, "low"), ("assumed", 1000.0, 200.0, 1800.0, "medium"),
    ("assumed", 1000.0, -100.0, 1800.0, "low"), ("assumed", 1000.0, None, None, "low")])
def test_confidence_follows_the_basis_and_whether_the_range_keeps_its_sign(basis, value, low, high, expected):
    assert _d(basis=basis, value=value, value_low=low, value_high=high).confidence == expected


def test_a_decision_without_value_is_medium_with_evidence_and_low_when_it_waits_for_data():
    watch = Decision(step=2, topic="Leading indicators", action="Watch delivery time", basis="not valued",
                     value=None, value_low=None, value_high=None)
    assert watch.confidence == "medium"
    waiting = Decision(step=5, topic="Win-back", action="Cannot decide", unlock="a campaigns table")
    assert waiting.confidence == "low" and "What would unlock it" in decision_markdown(waiting)
    assert set(watch.to_dict()) == {"step", "topic", "action", "basis", "confidence"}      # nothing empty written


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_no_nan_or_inf_reaches_a_decision(bad):
    with pytest.raises(ValueError, match="finite"):
        _d(value=bad)
    with pytest.raises(ValueError, match="finite"):
        _d(value_high=bad)


def test_inconsistent_records_are_refused():
    with pytest.raises(ValueError, match="basis"):
        _d(basis="guessed")
    with pytest.raises(ValueError, match="step"):
        _d(step=6)
    with pytest.raises(ValueError, match="not valued"):
        _d(basis="not valued")                    # a value but 'not valued'
    with pytest.raises(ValueError, match="not valued"):
        _d(value=None, value_low=None, value_high=None)   # 'measured' without a value
    with pytest.raises(ValueError, match="outside its range"):
        _d(value=5000.0)


@given(value=st.floats(-1e9, 1e9), spread=st.floats(0, 1e9), basis=st.sampled_from([b for b in BASES if b != "not valued"]),
       indicators=st.lists(st.text(max_size=20), max_size=3))
def test_round_trip_through_the_findings_record(value, spread, basis, indicators):
    d = _d(value=value, value_low=value - spread, value_high=value + spread, basis=basis, indicators=indicators)
    record = d.to_dict()
    assert record["confidence"] == d.confidence and isinstance(record.get("indicators", []), list)
    assert not any(v is None or v == "" or v == [] for v in record.values())     # no empty finding value
    assert decision_from_dict({**record, "unknown_key": 1}) == d


def test_the_value_reads_with_its_range_and_label():
    assert value_text(_d()) == "1,000 (200 to 1,800) net gain a year"
    assert value_text(_d(value_low=None, value_high=None, basis="assumed")) == "1,000 net gain a year"
    assert value_text(_d(value=0.0, value_low=0.0, value_high=0.0, basis="assumed")) == "0 net gain a year"
    text = decision_markdown(_d(for_whom="half-sleepy customers", indicators=["orders per week"]), currency="EUR")
    assert text.startswith(f"**Decision (main components of the plan) - {md('Win-back')}: {md('Wake the half-sleepy')}**")
    assert md("1,000 EUR (200 to 1,800) net gain a year") + ", measured" in text and "**Confidence:** high" in text
    assert "**Watch:** orders per week" in text and not any(t in text for t in ("nan", "None", "inf"))
    assert math.isfinite(_d().value)


def test_text_from_data_is_escaped_in_the_notebook_section():
    text = decision_markdown(_d(for_whom="<script>alert(1)</script> [x](javascript:y)", action="Wake *them*"))
    assert "<script>" not in text and "](javascript:" not in text and "*them*" not in text


def _pilot_sections(choice: str, detectable: float):
    """Hand sections 10 and 11 of notebook 04: one audience and a pilot design (``choice``, lift ``detectable``)."""
    import pandas as pd
    from types import SimpleNamespace

    from customer_workbook.steps.section import Section

    audience = Section(results={"tied": pd.DataFrame({"persona": ["p"], "segment": ["tv"]})})
    run = SimpleNamespace(mde=detectable, n_per_arm=500, duration_weeks=30.0)
    sizing = Section(results={"design": SimpleNamespace(plan=run, choice=choice, audiences_used=1)})
    gtm = pd.DataFrame([{"audience": "p · tv", "goal": "grow", "offer": "o", "channel": "app", "timing": "now",
                         "customers": 1000, "order_value": 20.0, "expected_value": 1000 * 0.05 * 20.0,
                         "metric_to_watch": "repeat rate"}])
    return audience, sizing, gtm


def test_go_to_market_is_valued_at_the_lift_the_pilot_can_detect():
    from customer_workbook.steps._phases_decision import phases_decisions

    audience, sizing, gtm = _pilot_sections("larger lift", 0.11)
    go = phases_decisions(audience, sizing, gtm, mde=0.05)[1]
    assert go.value == pytest.approx(1000 * 0.11 * 20.0)             # not the 1,000 of the +5 pp requested
    assert "+11.0 pp lift the pilot can detect" in go.value_label and "1,000 at the +5.0 pp requested" in go.value_label
    audience, sizing, gtm = _pilot_sections("as planned", 0.05)
    go = phases_decisions(audience, sizing, gtm, mde=0.05)[1]
    assert go.value == pytest.approx(1000.0) and "pilot's +5.0 pp lift holds" in go.value_label


def _budget_plan_and_curves(spread: float):
    """A two-channel plan (today 100 a week each, recommended 300 and 200) and curves whose bootstrap draws scatter
    ``spread`` (a share) around the fitted ones."""
    from types import SimpleNamespace

    import numpy as np

    from customer_workbook.acquisition import BudgetPlan, value_created

    rng = np.random.default_rng(1)
    fitted = {"tv": (10.0, 200.0, 1.5), "search": (6.0, 150.0, 1.2)}
    curves = {c: SimpleNamespace(vmax=v, k=k, shape=h, draws=np.column_stack([
        v * (1 + spread * rng.standard_normal(300)), np.full(300, k), np.full(300, h), np.zeros(300)]))
        for c, (v, k, h) in fitted.items()}
    worth = {"tv": 400.0, "search": 300.0}
    now, best = {"tv": 100.0, "search": 100.0}, {"tv": 300.0, "search": 200.0}
    arr = [np.array([fitted[c][i] for c in fitted]) for i in range(3)]
    w = np.array([worth[c] for c in fitted])

    def value(spend):
        return float(value_created(np.array([spend[c] for c in fitted]), *arr, w))

    plan = BudgetPlan(channels=("tv", "search"), current_spend=now, optimum_spend=best, best_at_current_spend=now,
                      current_budget=200.0, optimum_budget=500.0, current_value=value(now), optimum_value=value(best),
                      best_at_current_value=value(now), optimum_mix={"tv": 0.6, "search": 0.4},
                      best_at_current_mix={"tv": 0.5, "search": 0.5}, current_new=0.0, optimum_new=0.0,
                      budget_interval=(400.0, 650.0))
    return plan, curves, {c: np.array([x]) for c, x in worth.items()}, worth


def test_the_acquisition_budget_carries_the_bootstrap_interval_of_its_extra_value():
    from customer_workbook.steps._strategy_decision import strategy_decisions, value_gain_interval

    plan, curves, clv_draws, worth = _budget_plan_and_curves(spread=0.0)
    low, high = value_gain_interval(plan, curves, clv_draws, worth)
    assert low == pytest.approx(52 * plan.value_gain) and high == pytest.approx(52 * plan.value_gain)  # nothing varies
    plan, curves, clv_draws, worth = _budget_plan_and_curves(spread=0.15)
    low, high = value_gain_interval(plan, curves, clv_draws, worth)
    assert low < 52 * plan.value_gain < high
    ds = type("Data", (), {"value_unit": "currency units", "has": lambda self, t: True})()
    budget = strategy_decisions(ds, plan, None, (low, high))[1]
    assert (budget.value_low, budget.value_high) == (round(low, 2), round(high, 2)) and budget.has_range
    assert budget.confidence == ("medium" if low > 0 else "low") and "90% interval" in budget.value_label
    assert not strategy_decisions(ds, plan, None)[1].has_range                       # no interval given: no range


def test_a_zero_budget_reads_as_stopping_paid_acquisition():
    """The optimiser's answer 0 is 'stop', without a channel mix of nothing or an interval '0 to 0'."""
    from dataclasses import replace

    from customer_workbook.steps._strategy_decision import strategy_decisions

    plan, *_ = _budget_plan_and_curves(spread=0.0)
    stop = replace(plan, optimum_budget=0.0, optimum_spend={"tv": 0.0, "search": 0.0}, budget_interval=(0.0, 0.0))
    ds = type("Data", (), {"value_unit": "currency units", "has": lambda self, t: True})()
    action = strategy_decisions(ds, stop, None)[1].action
    assert action.startswith("Stop paid acquisition (today 200 a week)")
    assert "mix" not in action and "0 to 0" not in action
