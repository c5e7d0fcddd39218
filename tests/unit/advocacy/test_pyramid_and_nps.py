"""The advocacy pyramid and NPS (customer_workbook.advocacy): hand cases."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.advocacy import (LEVELS, AdvocacyOverlap, NetPromoterScore, advocacy_levels, advocacy_overlap,
                                        engagement_rates, nps, nps_by_group)


def test_engagement_rates_and_levels():
    f = pd.DataFrame({"first_order": pd.to_datetime(["2024-01-01"] * 3), "last_order": pd.to_datetime(["2025-12-29"] * 3)},
                     index=["lurk", "like", "love"])                    # 104 weeks observed
    events = ([("like", "app_session")] * 8 + [("love", "referral")] * 6 + [("love", "review")] * 3
              + [("lurk", "review")] + [("stranger", "review")])
    eng = pd.DataFrame(events, columns=["customer_id", "event"])
    eng["date"] = pd.Timestamp("2024-06-01")
    rates = engagement_rates(eng, f)
    assert rates.loc["love", "advocacy_per_week"] == pytest.approx(9 / 104)
    assert rates.loc["like", "events_per_week"] == pytest.approx(8 / 104)
    levels = advocacy_levels(rates, lover_min_per_year=4, liker_min_per_year=3)
    assert levels.astype(str).tolist() == ["lurker", "liker", "lover"]
    assert levels.name == "level" and tuple(levels.cat.categories) == LEVELS
    short = engagement_rates(eng, f.assign(last_order=pd.to_datetime(["2024-01-15"] * 3)), min_weeks=52)
    assert short.loc["love", "weeks"] == 52                              # short lives are floored


def test_advocacy_overlap_hand_case():
    idx = [f"c{i}" for i in range(10)]
    levels = pd.Series(["lover"] + ["lurker"] * 9, index=idx)
    revenue = pd.Series(np.arange(10.0), index=idx)                      # c9 is the top spender, c0 the lover
    rates = pd.DataFrame({"advocacy_per_week": [1.0] + [0.0] * 9}, index=idx)
    out = advocacy_overlap(levels, revenue, rates, loyalty=revenue, top_share=0.1)
    assert isinstance(out, AdvocacyOverlap)
    assert out.top_spenders_lover_share == 0.0 and out.lovers_in_top_spenders == 0.0
    assert out.base_lover_share == 0.1 and out.loyal_lurker_share == 1.0 and out.loyal_lover_share == 0.0
    assert out.spearman_revenue_advocacy < 0
    assert np.isnan(advocacy_overlap(levels, revenue, rates).loyal_lurker_share)   # no loyalty measure given


def test_nps_hand_case_and_interval():
    out = nps([10, 9, 8, 7, 0, 6])
    assert isinstance(out, NetPromoterScore)
    assert out.nps == 0 and out.promoters == pytest.approx(1 / 3) and out.n == 6
    assert out.passives == pytest.approx(1 / 3) and out.detractors == pytest.approx(1 / 3)
    assert out.se == pytest.approx(100 * np.sqrt((3 / 9 + 3 / 9) / 9))          # one pseudo-answer per group
    assert nps([10]).high > nps([10]).low                                    # unanimous: still an interval
    assert -100 < out.low < 0 < out.high < 100 and out.low == pytest.approx(-out.high)  # symmetric case
    assert nps([10] * 4).nps == 100 and np.isnan(nps([]).nps) and nps([]).n == 0


def test_nps_by_group_flags_noise_and_handles_a_single_respondent():
    rng = np.random.default_rng(0)
    idx = [f"c{i}" for i in range(801)]
    scores = pd.Series(np.r_[rng.integers(9, 11, 400), rng.integers(0, 11, 400), [10]], index=idx)
    groups = pd.Series(["fans"] * 400 + ["mixed"] * 400 + ["solo"], index=idx)
    out = nps_by_group(scores, groups).set_index("group")
    assert out.loc["fans", "nps"] == 100 and out.loc["fans", "significant"]
    assert out.loc["solo", "n"] == 1 and not out.loc["solo", "significant"]
    assert np.isnan(out.loc["solo", "p_value"])                                     # too few to test
    tested = out.dropna(subset=["p_value"])
    assert (tested["p_adjusted"] >= tested["p_value"]).all()


def test_promoter_points_average_to_the_nps():
    from customer_workbook.advocacy.nps import promoter_points

    answers = np.array([10, 9, 8, 7, 6, 0, np.nan])
    points = promoter_points(answers)
    np.testing.assert_array_equal(points[:6], [100, 100, 0, 0, -100, -100])
    assert np.isnan(points[6])
    assert np.nanmean(points) == pytest.approx(nps(answers).nps)


def test_engagement_rates_align_ids_whose_categories_differ():
    # customers as categories of a few ids, engagement ids as categories of many (int8 vs int16 codes): pandas
    # cannot reindex one CategoricalIndex by the other, so the rates align plain ids
    f = pd.DataFrame({"first_order": pd.to_datetime(["2024-01-01"] * 2), "last_order": pd.to_datetime(["2025-12-29"] * 2)},
                     index=pd.CategoricalIndex(["c1", "c2"], name="customer_id"))
    many = [f"c{i}" for i in range(300)]
    eng = pd.DataFrame({"customer_id": pd.Categorical(["c2"] * 4 + ["c299"], categories=many),
                        "event": ["review"] * 5, "date": pd.Timestamp("2024-06-01")})
    rates = engagement_rates(eng, f)
    assert rates.index.equals(f.index)
    assert rates["review"].tolist() == [0.0, 4.0] and rates.loc["c2", "advocacy_per_week"] == pytest.approx(4 / 104)
