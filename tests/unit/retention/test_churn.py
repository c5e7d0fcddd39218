"""Churn models (retention/churn.py): hand-computed metrics, the business rule, leakage guard, pruning,
model comparison, drivers and behaviour shift."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.retention import (ChurnModels, Confusion, FeatureSet, LeakageError, ModelComparison,
                                         ModelQuality, OperatingThreshold, calibration_table, choose_threshold,
                                         compare_models, confusion_counts, driver_summary, error_rate, feature_shift,
                                         fit_models, missing_ratio, model_quality, predict_proba, prediction_drivers,
                                         prune_features, threshold_table)
from customer_workbook.retention.churn import operating_on

Y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
S = np.array([0.9, 0.8, 0.4, 0.2, 0.7, 0.3, 0.3, 0.1, 0.1, 0.05])
OBS = pd.Timestamp("2025-01-01")


def _features(frame: pd.DataFrame, family: dict, description: dict | None = None) -> FeatureSet:
    return FeatureSet(frame, OBS, pd.Series(OBS - pd.Timedelta(days=1), index=frame.columns), pd.Series(family),
                      pd.Series(description or {c: c for c in frame.columns}))


def test_confusion_error_rate_and_missing_ratio_by_hand():
    pred = S >= 0.5  # flags customers 0, 1, 4
    assert confusion_counts(Y, pred) == Confusion(tp=2, fp=1, fn=2, tn=5)
    assert error_rate(Y, pred) == pytest.approx(1 / 3)  # 1 of 3 flagged did not have the event
    assert missing_ratio(Y, pred) == pytest.approx(2 / 4)  # 2 of 4 real cases found
    assert np.isnan(error_rate(Y, np.zeros(10, bool)))
    assert np.isnan(missing_ratio(np.zeros(10), pred))


def test_threshold_table_matches_the_confusion_counts_at_every_threshold():
    value = np.arange(10, dtype=float)
    t = threshold_table(Y, S, thresholds=[0.05, 0.3, 0.5, 0.85, 0.95], value=value)
    for row in t.itertuples():
        pred = S >= row.threshold
        c = confusion_counts(Y, pred)
        assert (row.tp, row.fp, row.fn) == (c.tp, c.fp, c.fn)
        assert row.targeted == pred.sum()
        assert row.missing_ratio == pytest.approx(missing_ratio(Y, pred))
        assert row.undetected_share == pytest.approx(1 - row.missing_ratio)
        assert row.value_caught == pytest.approx(value[pred & (Y == 1)].sum())
    at03 = t.set_index("threshold").loc[0.3]  # flags 0,1,2,4,5,6: tp 3, fp 3
    assert at03["error_rate"] == pytest.approx(0.5) and at03["missing_ratio"] == pytest.approx(0.75)
    assert np.isnan(t.set_index("threshold").loc[0.95, "error_rate"])  # nobody flagged


def test_choose_threshold_applies_the_stated_rule():
    t = threshold_table(Y, S, thresholds=[0.1, 0.3, 0.5, 0.75])
    # error rates: 0.1 -> 4/9 wrong (0.556); 0.3 -> 0.5; 0.5 -> 1/3; 0.75 -> 0
    chosen = choose_threshold(t, max_error_rate=0.5)
    assert isinstance(chosen, OperatingThreshold)
    assert chosen.threshold == 0.3 and chosen.met and chosen.targeted == 6
    assert (chosen.error_rate, chosen.missing_ratio, chosen.undetected_share) == pytest.approx((0.5, 0.75, 0.25))
    assert "50%" in chosen.rule
    assert choose_threshold(t, max_error_rate=0.4).threshold == 0.5
    strict = choose_threshold(t, max_error_rate=-1)
    assert not strict.met and strict.threshold == 0.75 and "no threshold" in strict.rule


def test_calibration_table_keeps_every_bin_with_ties():
    s = np.r_[np.zeros(50), np.ones(50) * 0.5]
    y = np.r_[np.zeros(50), np.ones(50)]
    cal = calibration_table(y, s, n_bins=10)
    assert len(cal) == 10 and cal["n"].sum() == 100


def test_model_quality_perfect_and_random_scores():
    rng = np.random.default_rng(0)
    y = rng.random(4000) < 0.2
    perfect = model_quality(y, y.astype(float))
    assert isinstance(perfect, ModelQuality) and perfect.pr_auc == pytest.approx(1.0)
    assert perfect.brier == pytest.approx(0.0) and perfect.n == 4000 and perfect.base_rate == pytest.approx(y.mean())
    assert model_quality(y, rng.random(4000)).pr_auc == pytest.approx(y.mean(), abs=0.03)


def test_leaking_feature_is_refused_by_the_pipeline():
    rng = np.random.default_rng(1)
    n = 400
    frame = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)}, index=pd.RangeIndex(n))
    y = (frame["x"] + rng.normal(size=n) > 0).astype(int)
    ok = FeatureSet(frame, OBS, pd.Series({"x": OBS - pd.Timedelta(days=1), "z": OBS - pd.Timedelta(days=3)}),
                    pd.Series({"x": "recency", "z": "frequency"}), pd.Series({"x": "x", "z": "z"}))
    models = fit_models(ok, y, seed=0)
    assert isinstance(models, ChurnModels) and models.columns == ("x", "z") and models.n_train == n
    assert models.names == ("logistic regression", "gradient boosting")
    assert predict_proba(models, "logistic regression", ok).between(0, 1).all()
    leaky = FeatureSet(frame, OBS, pd.Series({"x": OBS - pd.Timedelta(days=1), "z": OBS}),  # z dated on obs
                       ok.family, ok.description)
    with pytest.raises(LeakageError, match="z"):
        fit_models(leaky, y)
    with pytest.raises(LeakageError):
        predict_proba(models, "gradient boosting", leaky)


def test_fit_models_samples_at_most_max_rows():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"x": rng.normal(size=900)})
    y = (frame["x"] + rng.normal(size=900) > 0).astype(int)
    assert fit_models(_features(frame, {"x": "recency"}), y, max_rows=500).n_train == 500


def test_compare_models_picks_the_higher_pr_auc_and_tabulates_both():
    rng = np.random.default_rng(4)
    n = 1500
    frame = pd.DataFrame({"x": rng.normal(size=n), "noise": rng.normal(size=n)})
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * frame["x"]))).astype(int)
    fs = _features(frame, {"x": "recency", "noise": "region"})
    comparison = compare_models(fit_models(fs, y, seed=0), fs, y)
    assert isinstance(comparison, ModelComparison)
    prs = {name: q.pr_auc for name, q in comparison.quality.items()}
    assert comparison.best == max(prs, key=prs.get)
    assert comparison.quality["logistic regression"].pr_auc == pytest.approx(
        model_quality(y, comparison.scores["logistic regression"]).pr_auc)
    table = comparison.table()
    assert list(table["model"]) == ["logistic regression", "gradient boosting"]
    assert list(table.columns) == ["model", "pr_auc", "roc_auc", "brier", "base_rate", "n"]
    assert set(comparison.calibration(y, n_bins=5)) == set(prs)


def test_prune_drops_future_perfect_constant_and_duplicate_features_with_reasons():
    rng = np.random.default_rng(2)
    n = 500
    y = rng.integers(0, 2, n)
    x = rng.normal(size=n)
    frame = pd.DataFrame({"good": x + y * 0.5, "copy": 2 * (x + y * 0.5) + 1, "answer": y + rng.normal(0, 0.01, n),
                          "future": rng.normal(size=n), "flat": np.r_[np.ones(n - 1), 0.0],
                          "empty": np.r_[np.full(n - 2, np.nan), 1.0, 2.0]})
    end = pd.Series(OBS - pd.Timedelta(days=1), index=frame.columns)
    end["future"] = OBS + pd.Timedelta(days=30)
    fs = FeatureSet(frame, OBS, end, pd.Series("trend", index=frame.columns), pd.Series("", index=frame.columns))
    kept, dropped = prune_features(fs, y)
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
    frame = pd.DataFrame({"recency_days": rng.exponential(60, n), "noise_a": rng.normal(size=n),
                          "slowflag": (rng.random(n) < 0.3).astype(float)})
    logit = -1 + frame["recency_days"] / 60 + 1.2 * frame["slowflag"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    fs = _features(frame, {"recency_days": "recency", "noise_a": "region", "slowflag": "delivery"},
                   {"recency_days": "days since the last order", "noise_a": "noise", "slowflag": "slow delivery"})
    models = fit_models(fs, y, seed=0)
    effects = prediction_drivers(models, "logistic regression", fs, y, seed=0)
    d = effects.set_index("family")
    assert d.loc["recency", "importance"] > d.loc["region", "importance"]
    assert d.loc["delivery", "effect"] == pytest.approx(0.2, abs=0.08)  # logit +1.2 near p 0.5: about +0.25
    assert d.loc["delivery", "effect_rank"] < d.loc["region", "effect_rank"]
    assert abs(d.loc["region", "effect"]) < 0.03
    reliance = prediction_drivers(models, "gradient boosting", fs, y, seed=0, effects=False)
    assert reliance["effect"].isna().all()
    summary = driver_summary(reliance, effects)  # reliance of one model, effects of the other
    assert list(summary["family"]) == list(reliance["family"])
    assert summary.set_index("family")["effect"].to_dict() == pytest.approx(d["effect"].to_dict())
    assert summary.set_index("family")["importance"].to_dict() == pytest.approx(
        reliance.set_index("family")["importance"].to_dict())


def test_feature_shift_flags_a_behaviour_that_appeared_after_training():
    def features(slow_share, recency):
        frame = pd.DataFrame({"last_order_slow": [1.0] * int(100 * slow_share) + [0.0] * (100 - int(100 * slow_share)),
                              "recency_days": [recency] * 100})
        return _features(frame, {"last_order_slow": "delivery", "recency_days": "recency"})

    shift = feature_shift(features(0.01, 30.0), features(0.15, 40.0))
    assert shift["family"].tolist() == ["delivery"]  # recency moved by a third: not flagged
    assert shift.loc[0, "ratio"] == pytest.approx(15.0)
    assert feature_shift(features(0.15, 30.0), features(0.15, 30.0)).empty


def test_choose_threshold_says_when_the_rule_flags_nearly_everyone():
    from customer_workbook.retention.churn import NEARLY_ALL

    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.8).astype(int)  # 80% churn: contacting everyone wastes 20% of contacts
    s = np.clip(0.5 * y + rng.random(400) * 0.6, 0, 1)
    lax = choose_threshold(threshold_table(y, s), max_error_rate=0.4)
    assert lax.met and lax.targeted_share >= NEARLY_ALL and not lax.selective
    strict = choose_threshold(threshold_table(y, s), max_error_rate=0.1)
    assert strict.met and strict.targeted_share < NEARLY_ALL and strict.selective
    assert strict.targeted == round(strict.targeted_share * 400)


def test_operating_on_reports_the_validation_threshold_on_the_test_period():
    """The threshold is chosen on validation customers; the test period only reports it (its ratios, not the
    ones it was chosen on)."""
    y_valid = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    s_valid = np.array([0.9, 0.8, 0.6, 0.7, 0.2, 0.2, 0.1, 0.1])
    grid = [0.1, 0.3, 0.5, 0.75]
    chosen = choose_threshold(threshold_table(y_valid, s_valid, thresholds=grid), max_error_rate=0.3)
    assert chosen.threshold == 0.3 and chosen.error_rate == pytest.approx(0.25)  # 1 of 4 flagged wrong
    test = threshold_table(Y, S, thresholds=grid)  # at 0.3 the test flags 0, 1, 2, 4, 5, 6: 3 wrong, 3 of 4 found
    reported = operating_on(test, chosen)
    assert reported.threshold == 0.3 and reported.rule == chosen.rule and reported.met
    assert (reported.targeted, reported.error_rate, reported.missing_ratio) == (6, pytest.approx(0.5), 0.75)
    assert reported.targeted_share == pytest.approx(0.6) and reported.selective
    best_on_test = choose_threshold(test, max_error_rate=0.3)
    assert best_on_test.threshold == 0.75  # choosing on the test set would have picked another, flattering one
