"""Keeping customers: who is about to leave, and why (step 4 of the method, anticipation).

- :mod:`.features`: per-customer behaviour before an observation date, churn labels after a gap, and
  the training and test dates of a split by time.
- :mod:`.churn`: pruning, calibrated churn models, their quality in the method's terms (error rate,
  missing ratio, PR-AUC), thresholds, drivers and behaviour that shifted since training.
- :mod:`.winback`: dormant customers measured against their own rhythm, and whether waking them pays.
- :mod:`.uplift`: who a retention offer persuades and who it pushes away, from a randomised campaign.
- :mod:`.campaigns`: the randomised campaign's uplift by segment, the value of a retained customer, and
  the cost of keeping a customer against the cost of winning one.
"""
from .campaigns import (CostComparison, RetentionScores, campaign_segments, campaign_uplift, cost_comparison,
                        retention_scores, retention_value, retention_value_by_group)
from .churn import (CalibratedModel, calibration_table, check_no_leakage, choose_threshold, confusion_counts,
                    error_rate, feature_shift, fit_models, missing_ratio, model_quality, predict_proba,
                    prediction_drivers, prune_features, threshold_table)
from .features import (FAMILIES, KEY_FEATURES, FeatureSet, LeakageError, build_features, design_dates, make_labels)

__all__ = ["FAMILIES", "KEY_FEATURES", "CalibratedModel", "FeatureSet", "LeakageError", "build_features",
           "CostComparison", "RetentionScores", "campaign_segments", "campaign_uplift", "cost_comparison",
           "retention_scores", "retention_value", "retention_value_by_group",
           "calibration_table", "check_no_leakage", "choose_threshold", "confusion_counts", "design_dates",
           "error_rate", "feature_shift", "fit_models", "make_labels", "missing_ratio", "model_quality",
           "prediction_drivers", "predict_proba", "prune_features", "threshold_table"]
