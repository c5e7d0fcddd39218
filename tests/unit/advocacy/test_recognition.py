"""customer_workbook.advocacy.recognition: advocacy scores from the pyramid's engagement counts, recognition
statuses and badges by stated rules, and what the benefits cost against the value they keep."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.advocacy import (STATUS_ORDER, advocacy_scores, engagement_rates, paying_statuses,
                                        recognition_statuses, status_economics)


def engagement_counts(events: list[tuple[str, str]], ids: list[str]) -> pd.DataFrame:
    """:func:`engagement_rates` of (customer, event) pairs for customers ``ids`` (all active through 2024)."""
    eng = pd.DataFrame({"customer_id": [c for c, _ in events], "event": [e for _, e in events],
                        "date": pd.Timestamp("2024-06-01")})
    features = pd.DataFrame({"first_order": pd.Timestamp("2024-01-01"), "last_order": pd.Timestamp("2024-12-31")},
                            index=pd.Index(ids, name="customer_id"))
    return engagement_rates(eng, features)


def test_advocacy_scores_weigh_the_pyramids_counts():
    ids = [chr(ord("a") + k) for k in range(10)]
    rates = engagement_counts([("j", "referral"), ("j", "review"), ("i", "community_post"), ("b", "app_session"),
                               ("b", "app_session")], ids)
    scores = advocacy_scores(rates)
    assert scores.loc["j", "score"] == 7.0 and scores.loc["i", "score"] == 3.0 and scores.loc["a", "score"] == 0
    assert scores.loc["b", "score"] == pytest.approx(0.2) and scores.loc["b", "app_session"] == 2
    assert list(scores.index) == ids
    # an event the data never shows counts zero; custom weights
    assert advocacy_scores(rates, {"referral": 1.0, "webinar": 9.0}).loc["j", "score"] == 1.0


def test_statuses_and_badges_follow_the_rules():
    ids = [chr(ord("a") + k) for k in range(10)]
    scores = advocacy_scores(engagement_counts([("j", "referral"), ("j", "review"), ("i", "community_post")], ids))
    value = pd.Series(np.arange(10, 0, -1, dtype=float), index=ids)  # a most valuable, j least
    statuses = recognition_statuses(value, scores["score"], value_cuts=(0.1, 0.3, 0.6), advocate_share=0.1,
                                    contributor_share=0.1)
    assert list(statuses["status"].cat.categories) == list(STATUS_ORDER)
    assert statuses.loc["a", "status"] == "platinum"
    assert statuses.loc["b", "status"] == statuses.loc["c", "status"] == "gold"
    assert statuses.loc["j", "badge"] == "ambassador" and statuses.loc["j", "status"] == "gold"  # lifted from member
    assert statuses.loc["i", "badge"] == "contributor" and statuses.loc["i", "status"] == "silver"
    assert (recognition_statuses(value)["badge"] == "").all()  # without advocacy: no badges


def test_status_economics_hand_computed():
    ids = list("abcdefghij")
    value = pd.Series(np.arange(10, 0, -1, dtype=float), index=ids)
    statuses = recognition_statuses(value, value_cuts=(0.1, 0.3, 0.6))
    econ = status_economics(statuses, pd.DataFrame({"clv_1y": value}), benefit_cost={"platinum": 1.0, "gold": 0.5},
                            retention_gain=0.1).set_index("status")
    assert list(econ.index) == list(STATUS_ORDER)
    assert econ.loc["platinum", "net_value"] == pytest.approx(0.1 * 10 - 1.0)
    assert econ.loc["gold", "benefit_cost"] == pytest.approx(2 * 0.5) and econ.loc["member", "benefit_cost"] == 0
    assert econ["customers"].sum() == 10 and econ["share"].sum() == pytest.approx(1.0)
    assert econ["ambassadors"].sum() == 0


def test_only_statuses_with_a_benefit_keep_value():
    """A member without a benefit keeps nothing it would not keep anyway: the hand case of 10 customers valued 10..1
    (platinum a; gold b, c; silver d-f; member g-j) with benefits for platinum and silver only. Gold and member get
    nothing, so they keep 0 (before: 0.1 x their value, 1.7 and 1.0, counted as gains of a plan that pays them
    nothing); silver's benefit costs more than it keeps, so only platinum pays."""
    ids = list("abcdefghij")
    value = pd.Series(np.arange(10, 0, -1, dtype=float), index=ids)
    statuses = recognition_statuses(value, value_cuts=(0.1, 0.3, 0.6))
    econ = status_economics(statuses, pd.DataFrame({"clv_1y": value}), benefit_cost={"platinum": 0.5, "silver": 1.0},
                            retention_gain=0.1)
    by = econ.set_index("status")
    assert by.loc["gold", "retained_value"] == 0 and by.loc["member", "retained_value"] == 0
    assert by.loc["gold", "net_value"] == 0 and by.loc["member", "net_value"] == 0
    assert by.loc["silver", "retained_value"] == pytest.approx(0.1 * (7 + 6 + 5))
    assert by.loc["silver", "net_value"] == pytest.approx(0.1 * 18 - 3.0)
    assert by["benefit_per_member"].tolist() == [0.5, 0.0, 1.0, 0.0]
    assert paying_statuses(econ)["status"].tolist() == ["platinum"]
    assert by["net_value"].sum() == pytest.approx(0.5 + (1.8 - 3.0))  # no value from statuses without a benefit
