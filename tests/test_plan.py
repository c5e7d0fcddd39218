"""Unit tests of step 4 (plan.py): hand-computed metrics, leakage guard, labels, forecast, sizing, rankings."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook import clv, plan
from customer_workbook.data import Dataset, QualityReport, load_dataset
from customer_workbook.segments import UNASSIGNED, find_personas

# --------------------------------------------------------------------------- metrics (hand-computed)

Y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
S = np.array([0.9, 0.8, 0.4, 0.2, 0.7, 0.3, 0.3, 0.1, 0.1, 0.05])


def test_confusion_error_rate_and_missing_ratio_by_hand():
    pred = S >= 0.5  # flags customers 0, 1, 4
    assert plan.confusion_counts(Y, pred) == {"tp": 2, "fp": 1, "fn": 2, "tn": 5}
    assert plan.error_rate(Y, pred) == pytest.approx(1 / 3)  # 1 of 3 flagged did not have the event
    assert plan.missing_ratio(Y, pred) == pytest.approx(2 / 4)  # 2 of 4 real cases found
    assert np.isnan(plan.error_rate(Y, np.zeros(10, bool)))
    assert np.isnan(plan.missing_ratio(np.zeros(10), pred))


def test_threshold_table_matches_the_confusion_counts_at_every_threshold():
    value = np.arange(10, dtype=float)
    t = plan.threshold_table(Y, S, thresholds=[0.05, 0.3, 0.5, 0.85, 0.95], value=value)
    for row in t.itertuples():
        pred = S >= row.threshold
        c = plan.confusion_counts(Y, pred)
        assert (row.tp, row.fp, row.fn) == (c["tp"], c["fp"], c["fn"])
        assert row.targeted == pred.sum()
        assert row.missing_ratio == pytest.approx(plan.missing_ratio(Y, pred))
        assert row.undetected_share == pytest.approx(1 - row.missing_ratio)
        assert row.value_caught == pytest.approx(value[pred & (Y == 1)].sum())
    at03 = t.set_index("threshold").loc[0.3]  # flags 0,1,2,4,5,6: tp 3, fp 3
    assert at03["error_rate"] == pytest.approx(0.5) and at03["missing_ratio"] == pytest.approx(0.75)
    assert np.isnan(t.set_index("threshold").loc[0.95, "error_rate"])  # nobody flagged


def test_choose_threshold_applies_the_stated_rule():
    t = plan.threshold_table(Y, S, thresholds=[0.1, 0.3, 0.5, 0.75])
    # error rates: 0.1 -> 4/9 wrong (0.556); 0.3 -> 0.5; 0.5 -> 1/3; 0.75 -> 0
    chosen = plan.choose_threshold(t, max_error_rate=0.5)
    assert chosen["threshold"] == 0.3 and chosen["met"]
    assert plan.choose_threshold(t, max_error_rate=0.4)["threshold"] == 0.5
    strict = plan.choose_threshold(t, max_error_rate=-1)
    assert not strict["met"] and strict["threshold"] == 0.75


def test_calibration_table_keeps_every_bin_with_ties():
    s = np.r_[np.zeros(50), np.ones(50) * 0.5]
    y = np.r_[np.zeros(50), np.ones(50)]
    cal = plan.calibration_table(y, s, n_bins=10)
    assert len(cal) == 10 and cal["n"].sum() == 100


def test_model_quality_perfect_and_random_scores():
    rng = np.random.default_rng(0)
    y = rng.random(4000) < 0.2
    assert plan.model_quality(y, y.astype(float))["pr_auc"] == pytest.approx(1.0)
    assert plan.model_quality(y, rng.random(4000))["pr_auc"] == pytest.approx(y.mean(), abs=0.03)


# --------------------------------------------------------------------------- sample size against statsmodels


def test_pilot_plan_duration_and_feasibility():
    p = plan.pilot_plan(audience_size=10_000, weekly_reach=500, p_control=0.5, mde=0.05, outcome_days=90)
    assert p["feasible"] and p["enrol_weeks"] == np.ceil(p["total"] / 500)
    assert p["duration_weeks"] == p["enrol_weeks"] + 13
    small = plan.pilot_plan(audience_size=600, weekly_reach=50, p_control=0.5, mde=0.05, outcome_days=90)
    assert not small["feasible"] and small["mde_with_whole_audience"] > 0.05
    assert small["enrol_weeks"] == 12  # the whole audience, 600 / 50


# --------------------------------------------------------------------------- labels and leakage


def _tx(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _ds(tx, **tables):
    return Dataset(tables={"transactions": tx, **tables}, sources={}, quality=QualityReport())


TX = _tx([
    ("A", "2024-01-05", 10.0, "o1"), ("A", "2024-03-01", 20.0, "o2"), ("A", "2024-06-20", 5.0, "o3"),
    ("B", "2024-02-01", 30.0, "o4"), ("B", "2024-02-10", -30.0, "o4"),  # a return of o4
    ("C", "2022-01-01", 15.0, "o5"), ("C", "2024-06-25", 15.0, "o6"),
    ("D", "2024-05-01", 50.0, "o7"), ("D", "2024-06-05", 50.0, "o8"), ("E", "2024-09-30", 9.0, "o9"),
])


def test_make_labels_gap_window_and_population():
    y = plan.make_labels(TX, "2024-04-01", gap_days=14, window_days=90)  # window 2024-04-15 .. 2024-07-13
    assert set(y.index) == {"A", "B"}  # C last bought > 365 days before; D, E not yet customers
    assert y.loc["A", "bought"] == 1 and y.loc["B", "churned"] == 1
    everyone = plan.make_labels(TX, "2024-04-01", gap_days=14, window_days=90, active_days=None)
    assert everyone.loc["C", "bought"] == 1
    gap_only = plan.make_labels(TX, "2024-06-10", gap_days=14, window_days=90)  # D's 06-05 order is before obs
    assert gap_only.loc["D", "churned"] == 1  # and nothing in 06-24 .. 09-21
    with pytest.raises(ValueError, match="label window"):
        plan.make_labels(TX, "2024-09-01", gap_days=14, window_days=90)


def test_features_use_only_data_before_the_observation_date():
    obs = pd.Timestamp("2024-04-01")
    fs = plan.build_features(_ds(TX), obs)
    assert set(fs.frame.index) == {"A", "B", "C"}
    assert fs.frame.loc["A", "orders_total"] == 2 and fs.frame.loc["A", "revenue_total"] == 30
    assert fs.frame.loc["A", "recency_days"] == pytest.approx((obs - pd.Timestamp("2024-03-01")).days)
    assert fs.frame.loc["B", "return_lines"] == 1 and fs.frame.loc["B", "last_order_returned"] == 1
    assert (fs.source_end < obs).all()
    changed = TX.copy()
    changed.loc[changed["date"] >= obs, "amount"] *= 100  # the future changes, the features must not
    again = plan.build_features(_ds(changed), obs)
    pd.testing.assert_frame_equal(fs.frame, again.frame)


def test_leaking_feature_is_refused_by_the_pipeline():
    rng = np.random.default_rng(1)
    n = 400
    obs = pd.Timestamp("2025-01-01")
    frame = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)}, index=pd.RangeIndex(n))
    y = (frame["x"] + rng.normal(size=n) > 0).astype(int)
    ok = plan.FeatureSet(frame, obs, pd.Series({"x": obs - pd.Timedelta(days=1), "z": obs - pd.Timedelta(days=3)}),
                         pd.Series({"x": "recency", "z": "frequency"}), pd.Series({"x": "x", "z": "z"}))
    models = plan.fit_models(ok, y, seed=0)
    assert plan.predict_proba(models, "logistic regression", ok).between(0, 1).all()
    leaky = plan.FeatureSet(frame, obs, pd.Series({"x": obs - pd.Timedelta(days=1), "z": obs}),  # z dated on obs
                            ok.family, ok.description)
    with pytest.raises(plan.LeakageError, match="z"):
        plan.fit_models(leaky, y)
    with pytest.raises(plan.LeakageError):
        plan.predict_proba(models, "gradient boosting", leaky)


def test_prune_drops_future_perfect_constant_and_duplicate_features_with_reasons():
    rng = np.random.default_rng(2)
    n = 500
    obs = pd.Timestamp("2025-01-01")
    y = rng.integers(0, 2, n)
    x = rng.normal(size=n)
    frame = pd.DataFrame({"good": x + y * 0.5, "copy": 2 * (x + y * 0.5) + 1, "answer": y + rng.normal(0, 0.01, n),
                          "future": rng.normal(size=n), "flat": np.r_[np.ones(n - 1), 0.0],
                          "empty": np.r_[np.full(n - 2, np.nan), 1.0, 2.0]})
    end = pd.Series(obs - pd.Timedelta(days=1), index=frame.columns)
    end["future"] = obs + pd.Timedelta(days=30)
    fs = plan.FeatureSet(frame, obs, end, pd.Series("trend", index=frame.columns), pd.Series("", index=frame.columns))
    kept, dropped = plan.prune_features(fs, y)
    assert list(kept.frame.columns) == ["good"]
    reasons = dropped.set_index("feature")["reason"]
    assert reasons["future"].startswith("leak: uses data after")
    assert reasons["answer"].startswith("leak: predicts the label")
    assert reasons["copy"] == "useless: duplicates another feature"
    assert reasons["flat"] == "useless: (almost) constant"
    assert reasons["empty"] == "useless: almost always missing"


def test_drivers_find_the_planted_feature_family():
    rng = np.random.default_rng(3)
    n = 3000
    obs = pd.Timestamp("2025-01-01")
    frame = pd.DataFrame({"recency_days": rng.exponential(60, n), "noise_a": rng.normal(size=n),
                          "slowflag": (rng.random(n) < 0.3).astype(float)})
    logit = -1 + frame["recency_days"] / 60 + 1.2 * frame["slowflag"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    fs = plan.FeatureSet(frame, obs, pd.Series(obs - pd.Timedelta(days=1), index=frame.columns),
                         pd.Series({"recency_days": "recency", "noise_a": "region", "slowflag": "delivery"}),
                         pd.Series({"recency_days": "days since the last order", "noise_a": "noise",
                                    "slowflag": "slow delivery"}))
    models = plan.fit_models(fs, y, seed=0)
    d = plan.prediction_drivers(models, "logistic regression", fs, y, seed=0).set_index("family")
    assert d.loc["recency", "importance"] > d.loc["region", "importance"]
    assert d.loc["delivery", "effect"] == pytest.approx(0.2, abs=0.08)  # logit +1.2 near p 0.5: about +0.25
    assert d.loc["delivery", "effect_rank"] < d.loc["region", "effect_rank"]
    assert abs(d.loc["region", "effect"]) < 0.03


# --------------------------------------------------------------------------- forecast


def test_forecast_recovers_a_seasonal_series_with_known_growth():
    weeks = pd.date_range("2022-01-03", periods=160, freq="7D")
    season = 100 + 30 * np.sin(2 * np.pi * np.arange(160) / 52)
    growth = 1.002 ** np.arange(160)  # about 11% a year
    y = season * growth
    f = plan.forecast_quarter_total(y[:120], horizon=13)
    assert f.sum() == pytest.approx(y[120:133].sum(), rel=0.01)
    weekly = pd.DataFrame({"orders": y, "revenue": y * 50}, index=weeks)
    out = plan.forecast_next_quarter(weekly)
    assert out["orders"]["mape"]["forecast"] < 0.01 < out["orders"]["mape"]["seasonal_naive"]
    assert out["orders"]["method"] == "seasonal x growth"  # the growth adjustment earns its place here
    assert out["orders"]["low"] <= out["orders"]["total"] <= out["orders"]["high"]
    assert len(out["revenue"]["weekly"]) == 13
    with pytest.raises(ValueError):
        plan.forecast_next_quarter(weekly.iloc[:80])


# --------------------------------------------------------------------------- MVP / MVS


def test_product_and_service_tables_by_hand():
    tx = _tx([
        ("A", "2024-01-01", 10.0, "o1"), ("A", "2024-02-01", 10.0, "o2"),  # A: line x, then y within 180 days
        ("B", "2024-01-01", 10.0, "o3"),  # B: line x, never again
        ("C", "2024-01-01", 100.0, "o4"), ("C", "2024-03-01", 100.0, "o5"),  # C: y then y again
        ("Z", "2025-06-30", 1.0, "o6")])  # sets the end of the data
    tx["product_id"] = ["p1", "p2", "p1", "p2", "p2", "p1"]
    tx["channel"] = ["web", "store", "web", "store", "store", "web"]
    products = pd.DataFrame({"product_id": ["p1", "p2"], "category": ["x", "y"]})
    t = plan.product_value_table(tx, products, by="category", follow_days=180).set_index("product")
    assert t.loc["x", "buyers"] == 3 and t.loc["x", "repeat_rate"] == pytest.approx(0.5)  # A yes, B no (Z too late)
    assert t.loc["x", "cross_sell_rate"] == pytest.approx(0.5)  # A went on to y
    assert t.loc["y", "repeat_rate"] == pytest.approx(0.5)  # A no, C yes
    assert t.loc["y", "cross_sell_rate"] == 0
    # y wins on revenue, x on cross-sell, they tie on retention: equal mean percentile ranks
    assert t.loc["x", "score"] == pytest.approx(t.loc["y", "score"])
    s = plan.service_value_table(tx, follow_days=90).set_index("service")
    assert s.loc["web", "orders"] == 3 and s.loc["store", "repeat_rate"] == pytest.approx(1 / 3)  # A o2 no; C o4 yes; o5 no
    assert s.loc["web", "repeat_rate"] == pytest.approx(0.5)  # A's o1 yes, B's o3 no (Z is too late to follow)


# --------------------------------------------------------------------------- audiences on the sample (personas: tests/test_personas.py)


@pytest.fixture(scope="module")
def sample_ds(small_sample):
    return load_dataset(small_sample)


def test_audience_table_and_go_to_market_plan(sample_ds):
    ds = sample_ds
    value = clv.score_customers(ds.transactions).table
    fs = plan.build_features(ds, ds.transactions["date"].max() + pd.Timedelta(days=1))
    personas = find_personas(ds).assignment.fillna(UNASSIGNED)
    seg = ds.customers.set_index("customer_id")["acquisition_channel"]
    churn = pd.Series(0.3, index=value.index)
    aud = plan.audience_table(value, personas, seg, churn_p=churn, campaigns=ds.campaigns, min_size=20)
    ranked = aud[aud["ranked"]]
    assert ranked["value_per_customer"].is_monotonic_decreasing
    assert aud["customers"].sum() == len(value)
    assert {"uplift", "uplift_se"} <= set(aud.columns)
    pilot = plan.pick_pilot(aud, min_size=20)
    assert pilot["value_per_customer"] == ranked["value_per_customer"].max()
    table = plan.customer_profile(ds, fs).assign(segment=seg.astype(str), persona=personas, clv=value["clv_1y"],
                                                  churn_p=churn)
    gtm = plan.go_to_market_plan(aud, table, ds.products, None, mde=0.05, n_audiences=3, churn_rate=0.3)
    assert len(gtm) == 3
    assert set(gtm.columns) >= {"audience", "goal", "offer", "channel", "timing", "expected_value", "metric_to_watch"}
    first = gtm.iloc[0]
    assert first["expected_value"] == pytest.approx(pilot["customers"] * pilot["value_per_customer"] * 0.05)
    assert first["channel"] in set(ds.transactions["channel"].astype(str))


def test_feature_shift_flags_a_behaviour_that_appeared_after_training():
    obs = pd.Timestamp("2025-01-01")

    def features(slow_share, recency):
        frame = pd.DataFrame({"last_order_slow": [1.0] * int(100 * slow_share) + [0.0] * (100 - int(100 * slow_share)),
                              "recency_days": [recency] * 100})
        return plan.FeatureSet(frame, obs, pd.Series(obs - pd.Timedelta(days=1), index=frame.columns),
                               pd.Series({"last_order_slow": "delivery", "recency_days": "recency"}))

    shift = plan.feature_shift(features(0.01, 30.0), features(0.15, 40.0))
    assert shift["family"].tolist() == ["delivery"]  # recency moved by a third: not flagged
    assert shift.loc[0, "ratio"] == pytest.approx(15.0)
    assert plan.feature_shift(features(0.15, 30.0), features(0.15, 30.0)).empty
