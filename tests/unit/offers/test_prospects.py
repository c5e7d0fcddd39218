"""customer_workbook.offers.prospects: prospective, rejected and unexplored non-customers and their needs."""
from __future__ import annotations

import pandas as pd
import pytest
from builders import shipped

from customer_workbook.offers import classify_prospects, must_have_needs


def test_classify_prospects_rules_and_needs():
    p = pd.DataFrame({"prospect_id": list("abcdefg"),
                      "has_need": pd.array([True, False, True, False, None, True, None], dtype="boolean"),
                      "can_pay": pd.array([True, True, False, False, True, None, False], dtype="boolean"),
                      "top_need": ["quality", "location", "pricing", "location", "speed", "speed", "pricing"]})
    out = classify_prospects(p)
    assert out["group"].tolist() == ["prospective", "rejected", "rejected", "rejected", "unexplored", "unexplored", "rejected"]
    assert out["fails_on"].tolist() == ["", "need", "ability to pay", "both", "", "", "ability to pay"]
    needs = must_have_needs(out).set_index("segment")
    assert needs.loc["unexplored", "top_need"] == "speed" and needs.loc["unexplored", "top_need_share"] == 1.0
    assert needs.loc["rejected (fails on ability to pay)", "top_need"] == "pricing"
    assert needs["prospects"].sum() == 7


def test_prospects_recover_planted_groups_and_needs():
    ds, truth, _ = shipped()
    out = classify_prospects(ds.prospects)
    shares = out["group"].value_counts(normalize=True)
    for group, share in truth["prospects"]["shares"].items():
        assert shares[group] == pytest.approx(share, abs=1e-9)  # the rule is the planted definition
    rejected = out.loc[out["group"] == "rejected", "fails_on"].value_counts(normalize=True)
    planted = truth["prospects"]["rejected_failing_trait_shares"]
    assert rejected["need"] == pytest.approx(planted["need_only"], abs=0.05)
    assert rejected["ability to pay"] == pytest.approx(planted["pay_only"], abs=0.05)
    needs = must_have_needs(out).set_index("segment")["top_need"]
    modes = truth["prospects"]["realised_top_need_mode"]
    assert needs["prospective"] == modes["prospective"]
    assert needs["rejected (fails on need)"] == modes["rejected_need"]
    assert needs["rejected (fails on ability to pay)"] == modes["rejected_pay"]
    assert needs["unexplored"] == modes["unexplored"]


def test_must_have_needs_names_a_first_need_only_when_it_is_measurably_ahead():
    needs = ["pricing"] * 62 + ["location"] * 54 + ["quality"] * 40 + ["quality"] * 0
    clear = ["quality"] * 120 + ["pricing"] * 40 + ["speed"] * 40
    p = pd.DataFrame({"prospect_id": range(len(needs) + len(clear)),
                      "has_need": pd.array([True] * len(needs) + [None] * len(clear), dtype="boolean"),
                      "can_pay": pd.array([True] * (len(needs) + len(clear)), dtype="boolean"),
                      "top_need": needs + clear})
    out = must_have_needs(classify_prospects(p)).set_index("segment")
    assert not out.loc["prospective", "top_need_clear"]                # 62 vs 54 of 156: chance
    assert out.loc["prospective", "tied_needs"].split(", ")[:2] == ["pricing", "location"]
    assert out.loc["unexplored", "top_need_clear"] and out.loc["unexplored", "tied_needs"] == "quality"
