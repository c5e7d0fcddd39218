"""Persona profiles, 4C to 4P and the group snapshot (customer_workbook.segments.profiles)."""
from __future__ import annotations

import ipywidgets
import numpy as np
import pandas as pd
import pytest

from customer_workbook import widgets
from customer_workbook.advocacy import engagement_rates
from customer_workbook.base import derived
from customer_workbook.data import load_dataset
from customer_workbook.reasons import latest_answers
from customer_workbook.segments import (GroupSnapshot, find_personas, four_c_to_four_p, group_snapshot, persona_profiles,
                                        rfm_scores, rfm_segments)
from customer_workbook.segments.profiles import persona_coverage


@pytest.fixture(scope="module")
def small(small_sample):
    ds = load_dataset(small_sample)
    features = derived(ds).customers
    return {"ds": ds, "f": features, "answers": latest_answers(ds.surveys), "personas": find_personas(ds),
            "rates": engagement_rates(ds.engagement, features), "scores": rfm_scores(features)}


def _two_personas():
    """Persona 0: discount hunters in the store; persona 1: big baskets in the app, acquired by referral."""
    f = pd.DataFrame({"revenue": [10.0, 10, 200, 200], "orders": [2.0, 2, 4, 4], "aov": [20.0, 20, 100, 100],
                      "discount_share": [0.8, 0.8, 0.0, 0.0], "share_store": [1.0, 1, 0, 0], "share_app": [0.0, 0, 1, 1],
                      "cat_kitchen": [1.0, 1, 0, 0], "cat_garden_tools": [0.0, 0, 1, 1],
                      "acquisition_channel": ["search", "search", "referral", "referral"]}, index=list("abcd"))
    labels = pd.Series([0, 0, 1, 1], index=list("abcd"))
    return f, labels, pd.Series({0: "bargain", 1: "big basket"})


def test_persona_profiles_hand_case():
    f, labels, names = _two_personas()
    profiles = persona_profiles(f, labels, names).set_index("persona")
    assert profiles.loc[0, "share"] == 0.5 and profiles.loc[1, "revenue_share"] == pytest.approx(400 / 420)
    assert profiles.loc[0, "problem"].startswith("a kitchen that works") and profiles.loc[1, "discount_share"] == 0
    assert profiles.loc[0, "pain_points"] == "none stands out" and profiles.loc[0, "dominant_reasons"] == ""


def test_four_c_to_four_p_hand_case():
    f, labels, names = _two_personas()
    mix = four_c_to_four_p(persona_profiles(f, labels, names), f, labels).set_index("persona")
    assert mix.loc[0, "price (P)"].startswith("targeted deals")        # discounts 1.6x the base
    assert mix.loc[1, "price (P)"].startswith("hold full price")       # order value 1.7x the base
    assert mix.loc[0, "place (P)"].startswith("the local store") and mix.loc[1, "place (P)"].startswith("the app")
    assert mix.loc[1, "promotion (P)"] == "reach them through referral"


def test_persona_profiles_and_four_p_are_complete(small):
    p = small
    profiles = persona_profiles(p["f"], p["personas"].clustered, p["personas"].names, p["answers"])
    assert len(profiles) == 5 and profiles["share"].sum() == pytest.approx(1.0)
    for col in ("problem", "pain_points", "demographics", "goals", "dominant_reasons"):
        assert profiles[col].str.len().gt(0).all(), col
    assert profiles["nps"].between(-100, 100).all()
    mix = four_c_to_four_p(profiles, p["f"], p["personas"].clustered, p["rates"])
    assert len(mix) == 5 and {"product (P)", "price (P)", "place (P)", "promotion (P)"} <= set(mix.columns)


def test_group_snapshot_and_explorer(small):
    p = small
    frame = p["f"][["orders", "revenue", "aov", "recency_days"]].assign(segment=rfm_segments(p["scores"]))
    scores = p["scores"].table
    snap = group_snapshot("segment", "Champions", frame, scores, p["answers"])
    assert isinstance(snap, GroupSnapshot)
    assert snap.profile.iloc[0, 1] == (frame["segment"] == "Champions").sum()
    assert (snap.scores["R"] >= 4).all() and snap.nps.n > 0
    assert group_snapshot("segment", "Champions", frame, scores).nps is None
    box = widgets.behaviour_explorer(frame, scores, p["answers"], groupings=("segment",))
    assert isinstance(box, ipywidgets.VBox)
    picker = box.children[1].children[0]
    picker.value = picker.options[-1][1]                      # redraws without error
    assert np.isfinite(snap.profile.iloc[1:, 1].astype(float)).all()


def test_four_c_to_four_p_without_product_categories_names_no_empty_range():
    f, labels, names = _two_personas()
    f = f.drop(columns=["cat_kitchen", "cat_garden_tools"])             # a transactions-only export
    profiles = persona_profiles(f, labels, names)
    mix = four_c_to_four_p(profiles, f, labels)
    assert (profiles["problem"] == "not measured (no product categories)").all()
    assert (mix["product (P)"] == "core range").all() and not mix["product (P)"].str.contains("lead with").any()
    assert (mix["solution (C)"] == "not measured (no product categories)").all()


def test_order_value_is_labelled_median_in_the_persona_table_and_mean_in_the_four_c():
    """Persona 0's customers average 10, 50 and 20 per order: the persona table shows their median (20), the
    4C table their mean (27); each says which it is."""
    f = pd.DataFrame({"revenue": [20.0, 100, 40, 400], "orders": [2.0, 2, 2, 4], "aov": [10.0, 50, 20, 100]},
                     index=list("abcd"))
    labels = pd.Series([0, 0, 0, 1], index=list("abcd"))
    profiles = persona_profiles(f, labels, pd.Series({0: "small", 1: "big"})).set_index("persona")
    assert profiles.loc[0, "aov"] == 20                                              # the median customer
    assert "median order value 20" in profiles.loc[0, "behaviour"]
    mix = four_c_to_four_p(profiles.reset_index(), f, labels).set_index("persona")
    assert mix.loc[0, "cost (C)"].startswith("mean order value 27 (base 45)")          # (10 + 50 + 20) / 3


def test_persona_coverage_is_said_only_when_the_personas_describe_a_minority():
    """Hillstrom: personas on 578 repeat buyers of 64,000 customers (0.9%); the sample: 17,210 of 19,485."""
    assert persona_coverage(17_210, 19_485) == ""
    hillstrom = persona_coverage(578, 64_000)
    assert "only 0.9% of the 64,000 customers" in hillstrom and "not of all customers" in hillstrom
    assert "fewer than half (30%) of the 1,000 new customers" in persona_coverage(300, 1_000, "new customers")
    assert "only 5%" in persona_coverage(50, 1_000)
    assert persona_coverage(0, 0) == ""
