"""A tiny customer base (the gauntlet's ``tiny_base``: 40 customers, 8 of them repeat buyers): every section that
needs more customers shows a note that says how many the data have and how many it needs, records no finding,
and later sections that need it say so (customer_workbook.segments.TooFew)."""
from __future__ import annotations

import pytest

from customer_workbook.data import load_dataset
from customer_workbook.segments import MIN_CLUSTERED, MIN_COHORT_CUSTOMERS, MIN_CUSTOMERS, find_personas
from customer_workbook.stats import MIN_CLASS
from customer_workbook.steps import Draft, behaviour, components, phases, strategy
from customer_workbook.steps._strategy_campaign import campaign_part
from gauntlet.corpus import read_tables, tiny_base, write_tables


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, small_sample):
    ds = load_dataset(write_tables(tiny_base(read_tables(small_sample)), tmp_path_factory.mktemp("tiny")),
                      outside_window="drop")
    return {"ds": ds, "personas": find_personas(ds), "features": behaviour.the_data(ds)["features"]}


def _text(section) -> str:
    return " ".join(p for p in section.parts if isinstance(p, str))


def test_the_tiny_base_has_too_few_repeat_buyers_for_personas(tiny):
    personas, ds = tiny["personas"], tiny["ds"]
    assert ds.transactions["customer_id"].nunique() == 40
    assert not personas.found and personas.too_few.have == 8 < MIN_CLUSTERED


def test_step_1_persona_sections_say_how_many_and_record_nothing(tiny):
    personas, features = tiny["personas"], tiny["features"]
    section = behaviour.who_the_personas_are(personas, features, None)
    assert _text(section).startswith("> **Not shown: personas")
    assert f"too few customers with 2 or more orders (8; at least {MIN_CLUSTERED} needed)" in _text(section)
    assert section["profiles"] is None and not section.findings
    mix = behaviour.four_c_to_four_p_mix(None, features, personas, None)
    assert "needs the personas of section 5" in _text(mix) and mix["mix"] is None and not mix.findings
    rfm = behaviour.who_the_customers_are(tiny["ds"])
    batch = behaviour.explore_groups(features, rfm["scores"], rfm["segments"], personas, None, interactive=False)
    assert not batch.parts                                                # section 5's note names this view


def test_step_1_cohorts_need_enough_customers(tiny):
    section = behaviour.do_customers_come_back(tiny["ds"])
    assert _text(section).startswith("> **Not shown: cohort retention** because the data have too few customers in")
    assert f"at least {MIN_COHORT_CUSTOMERS} needed" in _text(section)
    assert section["summary"] is None and not section.findings


def test_step_3_persona_worth_and_campaign_say_what_is_missing(tiny):
    ds = tiny["ds"]
    section = strategy.persona_worth(ds, ds.customers.iloc[:0], None, 0.35, 0.1, 5, n_boot=2, min_acquired=0)
    assert section["table"] is None and "> **Not shown: CLV by persona** because the data have too few customers" in _text(section)
    draft = Draft()
    assert campaign_part(draft, ds, 5.0, 0.35, seed=0) == (None, {})
    note = _text(draft.done())
    assert "Not shown: the retention campaign's uplift" in note and "smaller group (offer or held out)" in note
    assert "at least 30" in note and not draft.done().findings


def test_step_4_feature_selection_and_models_need_both_outcomes(tiny):
    ds = tiny["ds"]
    design = phases.prediction_design(ds, gap_days=14, window_days=90)
    assert design["dates"] is not None                                    # three years: the split by time exists
    features = phases.features_to_keep(ds, design)
    assert "Not shown: feature selection" in _text(features) and f"at least {MIN_CLASS}" in _text(features)
    assert features["train"] is None and features["train_all"] is not None and features["now_all"] is not None
    assert not features.findings
    models = phases.churn_models(features, design, seed=0)
    assert not models["usable"] and "features of sections 1 and 2" in _text(models)
    pay = phases.who_will_pay_again(ds, design, features, seed=0, train_sample=None, max_error_rate=0.4)
    assert pay["models"] is None and "The data have" in _text(pay) and "`window_days`" in _text(pay)


def test_step_5_persona_note_and_every_customer_unassigned(tiny):
    section = components.personas(tiny["ds"])
    assert "> **Not shown: personas**" in _text(section) and "unassigned" in _text(section)
    assert section.value("persona_counts") == {"unassigned": 40}


def test_step_5_choice_or_convenience_needs_enough_customers_and_leaves_the_plan_row_out(tiny):
    section = components.choice_or_convenience(tiny["ds"])
    note = _text(section)
    assert "> **Not shown: choice vs convenience by customer** because the data have" in note
    assert f"at least {MIN_CUSTOMERS}" in note and "customers with 3 or more orders" in note
    assert section["choice"] is None and "spearman_breadth_orders" not in {f.key for f in section.findings}
