"""Step 1 analyses (customer_workbook.behaviour): hand-computed cases and synthetic data with known answers."""
from __future__ import annotations

import ipywidgets
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from customer_workbook import behaviour as bh
from customer_workbook import plots, widgets
from customer_workbook.data import load_dataset
from customer_workbook.segments import find_personas

# --------------------------------------------------------------------------- helpers


def _tx(rows):
    """Order lines from (customer, date, amount, order, product, channel) tuples."""
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "product_id", "channel"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


PRODUCTS = pd.DataFrame({"product_id": ["A", "B", "C"], "category": ["garden", "kitchen", "garden"],
                         "tier": ["entry", "premium", "core"],
                         "launch_date": pd.to_datetime(["2020-01-01", "2024-01-01", "2020-01-01"]),
                         "exclusive": pd.array([False, True, False], dtype="boolean")})


# --------------------------------------------------------------------------- RFM


def test_tie_robust_scores_keep_ties_together_and_skip_levels_visibly():
    # min ranks 1,1,1,1,5,6 of 6 -> 1 + floor(5 * (rank - 1) / 6)
    assert bh.tie_robust_scores([1, 1, 1, 1, 2, 3]).tolist() == [1, 1, 1, 1, 4, 5]
    # recency: fewer days is better
    assert bh.tie_robust_scores([0, 10, 10, 400], n_bins=4, higher_is_better=False).tolist() == [4, 2, 2, 1]
    assert bh.tie_robust_scores([np.nan, 1.0, 2.0], n_bins=2).tolist() == [0, 1, 2]
    distinct = bh.tie_robust_scores(np.arange(10), n_bins=5)
    assert np.bincount(distinct).tolist() == [0, 2, 2, 2, 2, 2]  # no ties: equal bins


def test_rfm_scores_report_unused_levels_when_ties_swallow_bins():
    f = pd.DataFrame({"recency_days": np.arange(10.0), "orders": [1.0] * 6 + [2, 3, 4, 5],
                      "revenue": np.linspace(10, 100, 10)}, index=[f"c{i}" for i in range(10)])
    scores = bh.rfm_scores(f)
    assert scores.loc["c0", "R"] == 5 and scores.loc["c9", "R"] == 1
    assert scores.attrs["scores_used"]["F"] == [1, 4, 5]          # 60% tie at one order: levels 2-3 unused
    assert set(scores.loc[scores.index[:6], "F"]) == {1}
    assert (scores["FM"] == (scores["F"] + scores["M"] + 1) // 2).all()


def test_rfm_segments_follow_the_grid():
    scores = pd.DataFrame({"R": [5, 1, 1, 3, 4], "FM": [5, 1, 5, 3, 1]})
    assert bh.rfm_segments(scores).astype(str).tolist() == ["Champions", "Lost", "Can't lose them", "Need attention", "Promising"]


def test_segment_summary_lists_empty_and_single_customer_segments():
    seg = pd.Series(pd.Categorical(["Champions", "Champions", "Lost"], categories=bh.SEGMENTS), index=["a", "b", "c"])
    out = bh.segment_summary(seg, pd.Series({"a": 100.0, "b": 50.0, "c": 50.0}))
    assert len(out) == len(bh.SEGMENTS)
    row = out.set_index("segment")
    assert row.loc["Champions", "customers"] == 2 and row.loc["Champions", "revenue_share"] == pytest.approx(0.75)
    assert row.loc["Lost", "customer_share"] == pytest.approx(1 / 3)               # a one-customer segment
    assert row.loc["Loyal", "customers"] == 0 and np.isnan(row.loc["Loyal", "revenue_per_customer"])
    assert out["customer_share"].sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- cohorts


def test_cohort_retention_masks_months_not_yet_observed():
    tx = _tx([("a", "2024-01-05", 10, "o1", "A", "web"), ("b", "2024-01-20", 10, "o2", "A", "web"),
              ("a", "2024-02-10", 10, "o3", "A", "web"), ("c", "2024-02-03", 10, "o4", "A", "web"),
              ("c", "2024-03-01", 10, "o5", "A", "web"), ("a", "2024-03-15", 10, "o6", "A", "web")])
    ret = bh.cohort_retention(tx)        # data end on 15 March: March is incomplete
    assert ret.attrs["last_complete_month"] == pd.Timestamp("2024-02-01")
    assert list(ret.index) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    assert ret.loc["2024-01-01", 0] == 1.0 and ret.loc["2024-01-01", 1] == 0.5
    assert np.isnan(ret.loc["2024-02-01", 1])                  # March not complete: masked, not zero
    summary = bh.cohort_summary(ret, months=(1, 2))
    assert summary.loc[0, "retention"] == 0.5 and np.isnan(summary.loc[1, "retention"])


def test_cohort_retention_with_signup_dates_counts_non_buyers_and_drops_earlier_signups():
    tx = _tx([("a", "2024-01-05", 10, "o1", "A", "web"), ("a", "2024-02-05", 10, "o2", "A", "web"),
              ("z", "2024-01-07", 10, "o3", "A", "web"), ("b", "2024-03-31", 5, "o4", "A", "web")])
    signup = pd.Series(pd.to_datetime(["2024-01-02", "2024-01-03", "2023-05-01", "2024-03-01"]), index=["a", "x", "z", "b"])
    ret = bh.cohort_retention(tx, signup)
    assert ret.attrs["cohort_size"].loc["2024-01-01"] == 2     # a and x (never bought); z signed up earlier
    assert ret.loc["2024-01-01", 0] == 0.5 and ret.loc["2024-01-01", 1] == 0.5
    assert ret.loc["2024-03-01", 0] == 1.0                      # data reach 31 March: March complete


# --------------------------------------------------------------------------- drivers


def test_dominance_weights_decompose_r2_and_equal_squared_correlations_when_orthogonal():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4000, 3))
    X -= X.mean(axis=0)
    X = np.linalg.qr(X)[0] * np.sqrt(4000)                     # exactly orthogonal columns
    y = X @ np.array([1.0, 0.5, 0.0]) + rng.normal(size=4000)
    w = bh.dominance_weights(X, y)
    r = np.array([np.corrcoef(X[:, j], y)[0, 1] for j in range(3)])
    np.testing.assert_allclose(w, r ** 2, atol=1e-10)
    full = np.linalg.lstsq(np.column_stack([np.ones(4000), X]), y, rcond=None)[0]
    resid = y - np.column_stack([np.ones(4000), X]) @ full
    assert w.sum() == pytest.approx(1 - resid.var() / y.var(), abs=1e-10)


def test_dominance_splits_credit_between_identical_copies():
    rng = np.random.default_rng(2)
    x = rng.normal(size=500)
    X = np.column_stack([x, x + 1e-9 * rng.normal(size=500), rng.normal(size=500)])
    w = bh.dominance_weights(X, x + rng.normal(size=500))
    assert w[0] == pytest.approx(w[1], rel=1e-3) and w[2] < 0.01


def test_weighted_correlation_equals_the_correlation_of_the_repeated_rows():
    rng = np.random.default_rng(4)
    Z = np.column_stack([rng.integers(1, 6, size=(200, 3)), np.full(200, 3.0)]).astype(float)  # last: constant
    counts = np.bincount(rng.integers(0, 200, 200), minlength=200)
    expected = np.corrcoef(np.repeat(Z[:, :3], counts, axis=0), rowvar=False)
    got = bh._weighted_corr(Z, counts.astype(float))
    np.testing.assert_allclose(got[:3, :3], expected, atol=1e-12)
    np.testing.assert_array_equal(got[3], [0, 0, 0, 1])  # a constant column correlates with nothing


def test_driver_importance_ranks_the_causal_driver_above_a_correlated_bystander():
    rng = np.random.default_rng(3)
    n = 3000
    causal = rng.normal(size=n)
    bystander = 0.7 * causal + 0.7 * rng.normal(size=n)   # correlated, no effect of its own
    weak = rng.normal(size=n)
    y = causal + 0.3 * weak + rng.normal(size=n)
    X = pd.DataFrame({"bystander": bystander, "weak": weak, "causal": causal})
    out = bh.driver_importance(X, pd.Series(y), n_boot=50, seed=0)
    assert out.iloc[0]["driver"] == "causal" and out.iloc[0]["rank_high"] == 1
    assert ((out["low"] <= out["importance"]) & (out["importance"] <= out["high"])).all()
    assert out["importance"].sum() == pytest.approx(out.attrs["r2"])
    with pytest.raises(ValueError):
        bh.driver_importance(X.iloc[:3], pd.Series(y[:3]), n_boot=0)


def test_spearman_link():
    s = pd.Series(np.arange(20.0))
    assert bh.spearman_link(s, s * 2)["rho"] == pytest.approx(1.0)
    assert np.isnan(bh.spearman_link(s.head(5), s.head(5))["rho"])   # too few pairs


def test_fit_bass_recovers_planted_imitation():
    curve = bh.bass_curve(0.005, 0.35, 2000, 60)
    fit = bh.fit_bass(np.round(curve))
    assert fit["p"] == pytest.approx(0.005, rel=0.15) and fit["q"] == pytest.approx(0.35, rel=0.1)
    assert fit["m"] == pytest.approx(2000, rel=0.05) and fit["q_over_p"] > 30
    assert fit["peak_week"] == int(np.argmax(curve))
    flat = bh.fit_bass(np.full(40, 20.0))                       # constant uptake: no bandwagon
    assert flat["q_over_p"] < 5


def test_product_adoption_counts_first_purchases_per_week():
    tx = _tx([("a", "2024-01-02", 5, "o1", "B", "web"), ("a", "2024-01-20", 5, "o2", "B", "web"),
              ("b", "2024-01-10", 5, "o3", "B", "web"), ("c", "2024-01-11", 5, "o4", "A", "web"),
              ("c", "2024-02-20", 5, "o5", "A", "web")])
    out = bh.product_adoption(tx, "2024-01-01", "B")
    assert out["new_adopters"].tolist()[:3] == [1, 1, 0] and out["cumulative"].iloc[-1] == 2


def test_delivery_repeat_curve_uses_deliveries_and_horizon():
    rows, k = [], 0
    for i in range(40):                      # fast deliveries: always a repeat 30 days later
        rows += [(f"f{i}", "2024-01-01", 10, f"o{k}", "A", "web", 1.0), (f"f{i}", "2024-01-31", 10, f"o{k + 1}", "A", "web", 1.0)]
        k += 2
    for i in range(40):                      # slow deliveries: never again
        rows.append((f"s{i}", "2024-01-01", 10, f"o{k}", "A", "web", 9.0))
        k += 1
    rows.append(("x", "2024-12-31", 10, "last", "A", "store", 0.0))
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "product_id", "channel", "delivery_days"])
    tx["date"] = pd.to_datetime(tx["date"])
    out = bh.delivery_repeat_curve(tx, horizon_days=90, max_days=8).set_index("delivery_days")
    assert out.loc[1, "repeat_rate"] == pytest.approx(0.5)     # the 30-day repeat order has no repeat itself
    assert out.loc[8, "repeat_rate"] == 0.0 and out.loc[8, "orders"] == 40
    assert 0 not in out.index                                  # store orders left out
    assert out.attrs["slope"] < 0


# --------------------------------------------------------------------------- features (personas: tests/test_personas.py)


def test_customer_features_hand_case():
    tx = _tx([("a", "2024-01-01", 10, "o1", "A", "store"), ("a", "2024-01-01", 20, "o1", "B", "store"),
              ("a", "2024-02-01", 30, "o2", "C", "web"), ("a", "2024-02-05", -10, "o1", "A", "store"),
              ("b", "2024-03-01", 5, "o3", "A", "web")])
    tx["discount"] = [0.0, 0.2, 0.0, 0.0, 0.1]
    tx["delivery_days"] = [0.0, 0.0, 2.0, 0.0, 7.0]
    f = bh.customer_features(tx, PRODUCTS)
    a, b = f.loc["a"], f.loc["b"]
    assert a["orders"] == 2 and a["purchase_days"] == 2 and a["lines"] == 3
    assert a["revenue"] == 50 and a["aov"] == 25 and a["return_share"] == 0.25
    assert a["recency_days"] == 29 and b["recency_days"] == 0 and a["tenure_days"] == 60
    assert a["n_categories"] == 2 and a["cat_garden"] == pytest.approx(2 / 3)
    assert a["share_store"] == pytest.approx(2 / 3) and a["discount_share"] == pytest.approx(1 / 3)
    assert a["premium_share"] == pytest.approx(1 / 3) and a["exclusive_share"] == pytest.approx(1 / 3)
    assert a["fast_delivery_share"] == 1.0 and b["slow_delivery_share"] == 1.0
    assert a["new_product_share"] == pytest.approx(1 / 3)       # B launched 2024-01-01, bought the same day


# --------------------------------------------------------------------------- lifecycle, health, cross-sell


def test_lifecycle_stages_take_the_furthest_stage():
    f = pd.DataFrame({"purchase_days": [1, 3, 3, 5], "n_categories": [1, 1, 2, 2]}, index=list("abcd"))
    tiers = pd.Series(["lurker", "liker", "lurker", "lover"], index=list("abcd"))
    assert bh.lifecycle_stages(f, tiers).astype(str).tolist() == ["acquisition", "adoption", "cross-sell", "advocacy"]
    assert bh.lifecycle_stages(f.drop(columns="n_categories")).astype(str).tolist() == ["acquisition", "adoption", "adoption", "adoption"]


def test_health_score_is_bounded_and_rises_with_p_alive():
    f = pd.DataFrame({"orders": [5.0] * 4, "tenure_days": [100.0] * 4, "n_categories": [2.0] * 4}, index=list("abcd"))
    h = bh.health_score(f, pd.Series([0.0, 0.3, 0.6, 1.0], index=list("abcd")))["health"]
    assert h.is_monotonic_increasing and h.between(0, 100).all()
    assert h["d"] - h["a"] == pytest.approx(100 * 0.4 / 0.8)            # p_alive weight 0.4 of 0.8 used


def test_multi_category_retention_on_a_planted_effect():
    rows, k = [], 0
    for i in range(60):
        multi, retained = i % 2 == 0, (i % 2 == 0) or (i % 6 == 1)       # multi always stay, a third of single stay
        prods = ["A", "B"] if multi else ["A", "C"]                       # A and C are both garden
        for j, p in enumerate(prods):
            rows.append((f"c{i}", f"2024-0{j + 1}-10", 10, f"o{k}", p, "web"))
            k += 1
        if retained:
            rows.append((f"c{i}", "2024-09-01", 10, f"o{k}", "A", "web"))
            k += 1
    res = bh.multi_category_retention(_tx(rows), PRODUCTS, "2024-07-01")
    assert res["multi_rate"] == 1.0 and res["single_rate"] == pytest.approx(1 / 3)
    assert res["difference"] == pytest.approx(2 / 3) and res["p_value"] < 1e-4 and res["low"] > 0
    with pytest.raises(ValueError):
        bh.multi_category_retention(_tx(rows[:2]), PRODUCTS, "2024-07-01")


# --------------------------------------------------------------------------- advocacy


def test_engagement_rates_and_tiers():
    f = pd.DataFrame({"first_order": pd.to_datetime(["2024-01-01"] * 3), "last_order": pd.to_datetime(["2025-12-29"] * 3)},
                     index=["lurk", "like", "love"])                    # 104 weeks observed
    events = ([("like", "app_session")] * 8 + [("love", "referral")] * 6 + [("love", "review")] * 3
              + [("lurk", "review")] + [("stranger", "review")])
    eng = pd.DataFrame(events, columns=["customer_id", "event"])
    eng["date"] = pd.Timestamp("2024-06-01")
    rates = bh.engagement_rates(eng, f)
    assert rates.loc["love", "advocacy_per_week"] == pytest.approx(9 / 104)
    assert rates.loc["like", "events_per_week"] == pytest.approx(8 / 104)
    tiers = bh.advocacy_tiers(rates, lover_min_per_year=4, liker_min_per_year=3)
    assert tiers.astype(str).tolist() == ["lurker", "liker", "lover"]
    short = bh.engagement_rates(eng, f.assign(last_order=pd.to_datetime(["2024-01-15"] * 3)), min_weeks=52)
    assert short.loc["love", "weeks"] == 52                              # short lives are floored


def test_advocacy_overlap_hand_case():
    idx = [f"c{i}" for i in range(10)]
    tiers = pd.Series(["lover"] + ["lurker"] * 9, index=idx)
    revenue = pd.Series(np.arange(10.0), index=idx)                      # c9 is the top spender, c0 the lover
    rates = pd.DataFrame({"advocacy_per_week": [1.0] + [0.0] * 9}, index=idx)
    out = bh.advocacy_overlap(tiers, revenue, rates, loyalty=revenue, top_share=0.1)
    assert out["top_spenders_lover_share"] == 0.0 and out["lovers_in_top_spenders"] == 0.0
    assert out["base_lover_share"] == 0.1 and out["loyal_lurker_share"] == 1.0
    assert out["spearman_revenue_advocacy"] < 0


# --------------------------------------------------------------------------- NPS


def test_nps_hand_case_and_interval():
    out = bh.nps([10, 9, 8, 7, 0, 6])
    assert out["nps"] == 0 and out["promoters"] == pytest.approx(1 / 3) and out["n"] == 6
    assert out["se"] == pytest.approx(100 * np.sqrt((3 / 9 + 3 / 9) / 9))          # one pseudo-answer per group
    assert bh.nps([10])["high"] > bh.nps([10])["low"]                              # unanimous: still an interval
    assert out["low"] == pytest.approx(-1.959964 * out["se"], rel=1e-5)
    assert bh.nps([10] * 4)["nps"] == 100 and np.isnan(bh.nps([])["nps"])


def test_nps_by_group_flags_noise_and_handles_a_single_respondent():
    rng = np.random.default_rng(0)
    idx = [f"c{i}" for i in range(801)]
    scores = pd.Series(np.r_[rng.integers(9, 11, 400), rng.integers(0, 11, 400), [10]], index=idx)
    groups = pd.Series(["fans"] * 400 + ["mixed"] * 400 + ["solo"], index=idx)
    out = bh.nps_by_group(scores, groups).set_index("group")
    assert out.loc["fans", "nps"] == 100 and out.loc["fans", "significant"]
    assert out.loc["solo", "n"] == 1 and not out.loc["solo", "significant"]
    assert np.isnan(out.loc["solo", "p_value"])                                     # too few to test
    tested = out.dropna(subset=["p_value"])
    assert (tested["p_adjusted"] >= tested["p_value"]).all()


# --------------------------------------------------------------------------- on the small sample: profiles, 4P, plots, explorer


@pytest.fixture(scope="module")
def pipeline(small_sample):
    ds = load_dataset(small_sample)
    f = bh.customer_features(ds.transactions, ds.products, ds.customers)
    answers = bh.latest_answers(ds.surveys)
    personas = find_personas(ds)
    labels, centres = personas.clustered, personas.centres
    rates = bh.engagement_rates(ds.engagement, f)
    return {"ds": ds, "f": f, "answers": answers, "labels": labels, "centres": centres, "rates": rates,
            "personas": personas,
            "scores": bh.rfm_scores(f)}


def test_customer_features_agree_with_pandas_on_the_small_sample(pipeline):
    tx, f = pipeline["ds"].transactions, pipeline["f"]
    pos = tx[tx["amount"] > 0]
    pd.testing.assert_series_equal(f["orders"], pos.groupby("customer_id")["order_id"].nunique().astype(float)
                                   .reindex(f.index), check_names=False)
    pd.testing.assert_series_equal(f["revenue"], tx.groupby("customer_id")["amount"].sum().reindex(f.index),
                                   check_names=False)
    assert f["n_categories"].between(1, 8).all()


def test_persona_profiles_and_four_p_are_complete(pipeline):
    p = pipeline
    profiles = bh.persona_profiles(p["f"], p["labels"], p["personas"].names, p["answers"])
    assert len(profiles) == 5 and profiles["share"].sum() == pytest.approx(1.0)
    for col in ("problem", "pain_points", "demographics", "goals", "dominant_reasons"):
        assert profiles[col].str.len().gt(0).all(), col
    mix = bh.four_c_to_four_p(profiles, p["f"], p["labels"], p["rates"])
    assert len(mix) == 5 and {"product (P)", "price (P)", "place (P)", "promotion (P)"} <= set(mix.columns)


def test_reason_evidence_lists_all_ten_reasons(pipeline):
    out = bh.reason_evidence(pipeline["f"], pipeline["answers"])
    assert len(out) == 10 and out.set_index("reason").loc["pricing", "rho"] > 0.1    # bargain hunters buy on discount


def test_plots_return_figures(pipeline):
    p = pipeline
    seg = bh.rfm_segments(p["scores"])
    ret = bh.cohort_retention(p["ds"].transactions)
    drivers = bh.driver_importance(bh.survey_drivers(p["answers"]), p["answers"]["nps"], n_boot=10)
    multi = bh.multi_category_retention(p["ds"].transactions, p["ds"].products, "2024-07-01")
    tiers = bh.advocacy_tiers(p["rates"])
    nps_tables = {"tier": bh.nps_by_group(p["answers"]["nps"], tiers)}
    figures = [plots.plot_segment_map(p["scores"], seg, bh.segment_summary(seg, p["f"]["revenue"])),
               plots.plot_cohort_retention(ret), plots.plot_importance_performance(drivers),
               plots.plot_reason_evidence(bh.delivery_repeat_curve(p["ds"].transactions)),
               plots.plot_k_selection(p["personas"].criterion, 0.9),
               plots.plot_persona_heatmap(p["centres"], p["personas"].names),
               plots.plot_lifecycle(pd.Series({"acquisition": 0.5, "adoption": 0.5}), pd.Series({"acquisition": 40.0, "adoption": 60.0}), multi),
               plots.plot_advocacy_pyramid(tiers.value_counts(normalize=True)),
               plots.plot_nps_forest(nps_tables, bh.nps(p["answers"]["nps"])),
               plots.plot_rfm_distribution(p["scores"].loc[p["labels"].index], p["labels"])]
    assert all(isinstance(fig, Figure) for fig in figures)
    assert all(ax.get_xlabel() for fig in figures for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.has_data())


def test_group_snapshot_and_explorer(pipeline):
    p = pipeline
    frame = p["f"][["orders", "revenue", "aov", "recency_days"]].assign(segment=bh.rfm_segments(p["scores"]))
    snap = bh.group_snapshot("segment", "Champions", frame, p["scores"], p["answers"])
    assert snap["profile"].iloc[0, 1] == (frame["segment"] == "Champions").sum()
    assert (snap["scores"]["R"] >= 4).all() and snap["nps"]["n"] > 0
    box = widgets.behaviour_explorer(frame, p["scores"], p["answers"], groupings=("segment",))
    assert isinstance(box, ipywidgets.VBox)
    picker = box.children[1].children[0]
    picker.value = picker.options[-1][1]                      # redraws without error
