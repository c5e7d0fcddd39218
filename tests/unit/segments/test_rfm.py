"""RFM scores and segments (customer_workbook.segments.rfm): hand-computed cases."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.segments import SEGMENTS, RFMScores, rfm_scores, rfm_segments, segment_summary, tie_robust_scores


def test_tie_robust_scores_keep_ties_together_and_skip_levels_visibly():
    # min ranks 1,1,1,1,5,6 of 6 -> 1 + floor(5 * (rank - 1) / 6)
    assert tie_robust_scores([1, 1, 1, 1, 2, 3]).tolist() == [1, 1, 1, 1, 4, 5]
    # recency: fewer days is better
    assert tie_robust_scores([0, 10, 10, 400], n_bins=4, higher_is_better=False).tolist() == [4, 2, 2, 1]
    assert tie_robust_scores([np.nan, 1.0, 2.0], n_bins=2).tolist() == [0, 1, 2]
    distinct = tie_robust_scores(np.arange(10), n_bins=5)
    assert np.bincount(distinct).tolist() == [0, 2, 2, 2, 2, 2]  # no ties: equal bins


def test_rfm_scores_report_unused_levels_when_ties_swallow_bins():
    f = pd.DataFrame({"recency_days": np.arange(10.0), "orders": [1.0] * 6 + [2, 3, 4, 5],
                      "revenue": np.linspace(10, 100, 10)}, index=[f"c{i}" for i in range(10)])
    scores = rfm_scores(f)
    table = scores.table
    assert table.loc["c0", "R"] == 5 and table.loc["c9", "R"] == 1
    assert scores.scores_used["F"] == [1, 4, 5]          # 60% tie at one order: levels 2-3 unused
    assert scores.unused() == {"R": [], "F": [2, 3], "M": []}
    assert set(table.loc[table.index[:6], "F"]) == {1}
    assert (table["FM"] == (table["F"] + table["M"] + 1) // 2).all()
    assert not table.attrs                                # results are typed, not carried in attrs


def test_rfm_segments_follow_the_grid():
    table = pd.DataFrame({"R": [5, 1, 1, 3, 4], "FM": [5, 1, 5, 3, 1]})
    scores = RFMScores(table, n_bins=5, scores_used={})
    assert rfm_segments(scores).astype(str).tolist() == ["Champions", "Lost", "Can't lose them", "Need attention", "Promising"]


def test_rfm_segments_map_other_numbers_of_levels_onto_the_grid():
    table = pd.DataFrame({"R": [10, 1, 6], "FM": [10, 1, 1]})           # 10 levels: 10 -> 5, 6 -> 3, 1 -> 1
    scores = RFMScores(table, n_bins=10, scores_used={})
    assert rfm_segments(scores).astype(str).tolist() == ["Champions", "Lost", "About to sleep"]


def test_segment_summary_lists_empty_and_single_customer_segments():
    seg = pd.Series(pd.Categorical(["Champions", "Champions", "Lost"], categories=SEGMENTS), index=["a", "b", "c"])
    out = segment_summary(seg, pd.Series({"a": 100.0, "b": 50.0, "c": 50.0}))
    assert len(out) == len(SEGMENTS)
    row = out.set_index("segment")
    assert row.loc["Champions", "customers"] == 2 and row.loc["Champions", "revenue_share"] == pytest.approx(0.75)
    assert row.loc["Lost", "customer_share"] == pytest.approx(1 / 3)               # a one-customer segment
    assert row.loc["Loyal", "customers"] == 0 and np.isnan(row.loc["Loyal", "revenue_per_customer"])
    assert out["customer_share"].sum() == pytest.approx(1.0)


def test_a_customer_without_a_paid_purchase_gets_no_segment_and_no_map_cell():
    from customer_workbook.plots import plot_segment_map

    features = pd.DataFrame({"recency_days": [1.0, 5.0, 30.0, np.nan], "orders": [4.0, 2.0, 1.0, 0.0],
                             "revenue": [400.0, 100.0, 20.0, 0.0]}, index=list("abcz"))
    scores = rfm_scores(features)
    assert scores.table.loc["z", "R"] == 0                                   # no recency: unknown, not "worst"
    segments = rfm_segments(scores)
    assert pd.isna(segments["z"]) and segments.drop("z").notna().all()
    table = segment_summary(segments, features["revenue"])
    assert table["customers"].sum() == 3
    fig = plot_segment_map(scores.table, segments, table)                  # used to raise KeyError: 0
    assert fig.axes[0].get_xlabel()
