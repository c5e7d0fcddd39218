"""customer_workbook.planning.action_plan: the action table from the analyses' results, and a customer's card."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from customer_workbook.advocacy import PowerUsers
from customer_workbook.clv import value_concentration
from customer_workbook.offers import ChoiceVsConvenience, RecommenderEvaluation, TierMigration
from customer_workbook.planning import PlanInputs, action_plan, customer_card
from customer_workbook.retention.uplift import UpliftTargeting
from customer_workbook.retention.winback import WinbackEconomics, WinbackResponse

SEVEN_PS = {"people", "product", "place", "price", "promotion", "processes", "positioning"}


def test_action_plan_from_results_and_without_data():
    empty = action_plan(PlanInputs())
    assert empty["component"].tolist() == ["positioning"]
    v = pd.DataFrame({"clv_1y": [10.0, 20.0], "clv_3y": [30.0, 50.0], "p_alive": [0.9, 0.2]}, index=["a", "b"])
    prospects = pd.DataFrame({"segment": ["prospective"], "prospects": [5], "top_need": ["quality"], "second_need": ["speed"]})
    plan = action_plan(PlanInputs(values=v, concentration=value_concentration(v["clv_3y"]), prospects=prospects))
    assert {"long-term customer value", "long-term maintenance", "innovate, don't invent (non-customers)"} <= set(plan["component"])
    row = plan.set_index("component").loc["long-term customer value"]
    # value held by the audience is its own column (next-year value), never an incremental value
    assert row["audience_value_1y"] == 20.0 and row["audience_size"] == 1 and np.isnan(row["incremental_value"])
    maintenance = plan.set_index("component").loc["long-term maintenance"]
    assert maintenance["audience_value_1y"] == 10.0 and np.isnan(maintenance["incremental_value"])  # P(alive) >= 0.5
    assert "quality" in plan.set_index("component").loc["innovate, don't invent (non-customers)", "action"]


def test_action_plan_covers_every_p_from_every_analysis():
    v = pd.DataFrame({"clv_1y": [10.0, 20.0], "clv_3y": [30.0, 50.0], "p_alive": [0.9, 0.2]}, index=["a", "b"])
    winback = WinbackEconomics(pd.DataFrame({"group": ["sleepy", "sleeping"], "customers": [10, 5],
                                             "total_gain": [100.0, -20.0], "total_gain_low": [-10.0, -40.0],
                                             "total_gain_high": [210.0, 0.0], "worth_it": [True, False],
                                             "offer": ["a recommendation", "leave alone"]}), 50.0,
                               WinbackResponse(0.03, -0.01, 0.07, True, "measured"))
    rec = RecommenderEvaluation(pd.DataFrame({"hit_rate": [0.6, 0.3], "test_customers": [100, 100]},
                                             index=["item_item", "popularity"]),
                                None, 2.0, pd.Timestamp("2024-01-01"), 5, n_products=50, recall_gain_low=0.1,
                                recall_gain_high=0.3)
    targeting = UpliftTargeting(pd.DataFrame({"segment": ["persuadable", "sleeping_dog"], "customers": [3, 2],
                                        "profit_if_contacted": [30.0, -5.0]}), 12.0, pd.Series(dtype=object))
    statuses = pd.DataFrame({"status": ["platinum", "gold", "silver", "member"], "customers": [1, 2, 3, 4],
                             "mean_clv_1y": [60.0, 25.0, 3.0, 1.0], "benefit_per_member": [1.0, 0.5, 0.5, 0.0],
                             "retained_value": [6.0, 5.0, 1.0, 0.0], "benefit_cost": [1.0, 1.0, 1.5, 0.0],
                             "net_value": [5.0, 4.0, -0.5, 0.0]})
    matrix = pd.DataFrame(np.eye(4) * 0.5, index=["entry", "core", "premium", "special_service"],
                          columns=["entry", "core", "premium", "special_service"])
    migration = TierMigration(matrix, 10, 0.2, 0.1, pd.Timestamp("2024-06-01"))
    power = PowerUsers(pd.DataFrame(), pd.Index(["a", "b"]), 0.5, 0.1, 0.2, referral_clv=30.0, other_clv=20.0,
                       referral_clv_p=0.01)
    choice = ChoiceVsConvenience(None, pd.DataFrame({"breadth_bin": [1]}), 0.3, 3)
    needs = pd.DataFrame({"segment": ["prospective", "unexplored", "rejected (fails on ability to pay)",
                                      "rejected (fails on need)"], "prospects": [4, 3, 2, 1],
                          "top_need": ["quality", "speed", "pricing", "location"], "second_need": ["x"] * 4})
    plan = action_plan(PlanInputs(v, value_concentration(v["clv_3y"]), winback, rec, targeting, 0.25, statuses,
                                  migration, power, choice, needs))
    assert set(plan["seven_p"]) == SEVEN_PS
    by = plan.set_index(["component", "seven_p"])
    assert by.loc[("timing (win-back)", "promotion"), "incremental_value"].tolist() == [100.0, 0.0]
    # suppression adds nothing against not mailing: what a blanket mail would lose is said in words, not valued
    suppress = by.loc[("closing the back door (defence)", "processes")]
    assert np.isnan(suppress["incremental_value"]) and "would cost about 12 per campaign" in suppress["action"]
    # recognition: only the statuses whose benefit pays (platinum 5 + gold 4); silver loses and is named, members
    # get nothing and count nothing (before: 8.0, the net of every status)
    assert by.loc[("recognition plan", "price"), "incremental_value"] == 9.0
    # what each value rests on, with its range: the win-back's response measured but the value of a woken customer
    # assumed, so its rows count as assumed (the plan's measured total is for values resting on measurement only)
    winback_rows = by.loc[("timing (win-back)", "promotion")]
    assert winback_rows["evidence"].str.startswith("assumed").all()
    assert winback_rows["evidence"].str.contains("response measured").all()
    assert winback_rows[["incremental_low", "incremental_high"]].to_numpy().tolist() == [[-10.0, 210.0], [0.0, 0.0]]
    recognition = by.loc[("recognition plan", "price")]
    assert recognition["evidence"].startswith("assumed")
    assert (recognition["incremental_low"], recognition["incremental_high"]) == pytest.approx((0.5 * 11 - 2, 1.5 * 11 - 2))
    assert recognition["audience"] == "platinum and gold members (3)" and "not for silver" in recognition["action"]
    assert recognition["audience_value_1y"] == 60.0 + 2 * 25.0
    assert by.loc[("positioning", "positioning"), "evidence"] == ""  # no value, nothing to rest on
    # the power users' panel: what a referred customer is worth is said, not summed as an increment
    assert np.isnan(by.loc[("ownership", "people"), "incremental_value"])
    assert "referred customers are worth 30 vs 20" in by.loc[("ownership", "people"), "action"]
    unclear = action_plan(PlanInputs(v, value_concentration(v["clv_3y"]), winback, rec, targeting, 0.25, statuses,
                                     migration, replace(power, referral_clv_p=0.4), choice, needs))
    assert "worth" not in unclear.set_index(["component", "seven_p"]).loc[("ownership", "people"), "action"]
    assert "curate" in by.loc[("choice vs convenience", "place"), "action"]
    assert "hit rate @ 5 (offline 60% vs 30%" in by.loc[("instant gratification (personal offers)", "promotion"), "metric"]
    assert plan["component"].iloc[-1] == "positioning"


def test_action_plan_gates_the_recommender_and_targeting():
    """No offer rows from a recommender that does not beat best-sellers (or whose hit rate is uninformative), no
    "contact the persuadables" row when there are none."""
    table = pd.DataFrame({"hit_rate": [1.0, 1.0], "test_customers": [100, 100]}, index=["item_item", "popularity"])
    trivial = RecommenderEvaluation(table, None, 1.0, pd.Timestamp("2024-01-01"), 10, n_products=10,
                                    recall_gain_low=0.0, recall_gain_high=0.0)
    no_one = UpliftTargeting(pd.DataFrame({"segment": ["lost_cause"], "customers": [30], "profit_if_contacted": [-60.0]}),
                             60.0, pd.Series(dtype=object))
    plan = action_plan(PlanInputs(recommender=trivial, targeting=no_one, qini=0.01))
    assert "instant gratification (personal offers)" not in set(plan["component"])
    defence = plan[plan["component"] == "closing the back door (defence)"]
    assert defence["seven_p"].tolist() == ["processes"] and defence["incremental_value"].isna().all()
    assert "would cost about 60 per campaign" in defence["action"].iloc[0]


def test_customer_card():
    parts = {"value": pd.DataFrame({"clv_1y": [123.456]}, index=["a"]),
             "offers": pd.DataFrame({"customer_id": ["a", "a"], "rank": [2, 1], "product_id": ["Y", "X"], "score": [1, 2]}),
             "nothing": None}
    card = customer_card("a", parts)
    assert card["item"].tolist() == ["value: expected value, next 12 months", "offers"]
    assert card["value"].tolist() == ["123", "X, Y"]
    assert customer_card("zz", parts).empty


def test_customer_card_reads_in_words_not_code():
    """Issue 17: formatted dates and numbers, shares as %, human labels; no code names, no raw floats."""
    parts = {"profile": pd.DataFrame({"signup_date": [pd.Timestamp("2025-08-11")], "acquisition_channel": ["paid_search"],
                                      "age": [np.int64(41)]}, index=["a"]),
             "value": pd.DataFrame({"p_alive": [0.8734], "clv_3y": [12345.678], "expected_orders_1y": [2.34567]},
                                   index=["a"]),
             "dormancy": pd.DataFrame({"days_since_last": [1234.0], "group": ["half_sleepy"]}, index=["a"]),
             "uplift": pd.DataFrame({"uplift": [0.0412], "segment": ["sleeping_dog"]}, index=["a"]),
             "recognition": pd.DataFrame({"status": [None], "badge": [""]}, index=["a"])}
    card = dict(zip(*customer_card("a", parts).to_dict("list").values()))
    assert card == {
        "profile: signed up": "11 Aug 2025", "profile: came through": "paid search", "profile: age": "41",
        "value: chance still active": "87%", "value: expected value, next 3 years": "12,346",
        "value: expected orders, next 12 months": "2.35", "dormancy: days since last order": "1,234",
        "dormancy": "half-sleepy", "uplift: predicted uplift": "+4.1 pp", "uplift: uplift group": "sleeping dogs",
        "recognition: status": "not known", "recognition: badge": "none"}


def test_action_plan_asks_for_a_larger_test_when_targeting_is_gated():
    """A measured campaign whose uplift model could not be used: one defence row asking for a larger test."""
    plan = action_plan(PlanInputs(campaign_effect=-0.065))
    row = plan.set_index("component").loc["closing the back door (defence)"]
    assert "larger randomised test" in row["action"] and "-6.5 pp" in row["metric"]
    assert np.isnan(row["incremental_value"])
    assert action_plan(PlanInputs())["component"].tolist() == ["positioning"]


def test_recognition_that_loses_money_is_valued_at_zero_and_says_so():
    """Every status benefit costs more than it keeps (as on CDNOW, where the row was -58,793): the row is worth 0,
    says in words that the benefits do not pay, with the numbers, and leaves out members without a benefit."""
    statuses = pd.DataFrame({"status": ["platinum", "gold", "silver", "member"], "customers": [10, 20, 30, 40],
                             "mean_clv_1y": [100.0, 20.0, 5.0, 1.0], "benefit_per_member": [25.0, 8.0, 2.0, 0.0],
                             "benefit_cost": [250.0, 160.0, 60.0, 0.0], "retained_value": [50.0, 20.0, 7.5, 0.0],
                             "net_value": [-200.0, -140.0, -52.5, 0.0]})
    row = action_plan(PlanInputs(statuses=statuses)).set_index("component").loc["recognition plan"]
    assert (row["incremental_value"], row["incremental_low"], row["incremental_high"]) == (0.0, 0.0, 0.0)
    assert "do not pay (they cost 470 a year and keep 78)" in row["action"]
    assert row["audience"] == "platinum, gold and silver members (60)" and row["audience_size"] == 60


def test_plan_value_columns_are_of_one_kind():
    """Audience sizes and values are in their own columns; the incremental column is never negative."""
    plan = action_plan(PlanInputs(targeting=UpliftTargeting(
        pd.DataFrame({"segment": ["persuadable", "lost_cause"], "customers": [5, 30],
                      "profit_if_contacted": [-4.0, -60.0]}), 56.0, pd.Series(dtype=object))))
    target = plan[plan["seven_p"] == "promotion"].iloc[0]
    assert target["incremental_value"] == 0.0 and "does not pay its contact cost (it would lose 4)" in target["action"]
    assert target["audience_size"] == 5
    assert (plan["incremental_value"].dropna() >= 0).all()
    assert list(plan.columns[:5]) == ["component", "seven_p", "audience", "audience_size", "audience_value_1y"]
