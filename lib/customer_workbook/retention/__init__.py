"""Keeping customers: who is about to leave, and why (step 4 of the method, anticipation).

- :mod:`.features`: per-customer behaviour strictly before an observation date.
- :mod:`.labels`: churn labels after a gap, and the training, test and scoring dates of a split by time.
- :mod:`.churn`: pruning, calibrated churn models, their quality in the method's terms (error rate,
  missing ratio, PR-AUC), thresholds, drivers and behaviour that shifted since training.
- :mod:`.driver_effects`: 90% intervals for the drivers' what-if effects, and which are measured (Holm).
- :mod:`.winback`: dormant customers measured against their own rhythm, and whether waking them pays.
- :mod:`.uplift`: who a retention offer persuades and who it pushes away, from a randomised campaign.
- :mod:`.campaigns`: the randomised campaign's uplift by segment and arm, and the value of the extra order it
  buys.
"""
from .campaigns import (CAMPAIGN_OUTCOMES, CONTROL_ARM, arm_lifts, campaign_arms, campaign_outcomes, campaign_segments,
                        campaign_uplift, extra_order_value, has_arms_or_outcomes, measured_segments,
                        responding_segments, retention_value_by_group)
from .churn import (NEARLY_ALL, CalibratedModel, ChurnModels, Confusion, ModelComparison, ModelQuality, OperatingThreshold,
                    calibration_table, check_no_leakage, choose_threshold, compare_models, confusion_counts,
                    driver_summary, error_rate, feature_shift, fit_models, missing_ratio, model_quality, operating_on,
                    predict_proba, prediction_drivers, prune_features, threshold_table)
from .driver_effects import DRIVER_ALPHA, DriverEffects, driver_effects
from .features import (FAMILIES, KEY_FEATURES, CodedTransactions, FeatureSet, LeakageError, build_features,
                       coded_transactions)
from .labels import (ACTIVE_DAYS, MIN_FEATURE_DAYS, MIN_WINDOW_DAYS, ShortHistory, SplitDates, active_customers,
                     design_dates, fit_window, history_needed, make_labels, missed_value, split_table, target_name,
                     validation_split)

__all__ = ["FAMILIES", "KEY_FEATURES", "MIN_FEATURE_DAYS", "MIN_WINDOW_DAYS", "NEARLY_ALL", "ShortHistory",
           "fit_window", "history_needed", "CalibratedModel", "ChurnModels", "CodedTransactions", "Confusion",
           "FeatureSet", "LeakageError", "ModelComparison", "ModelQuality", "OperatingThreshold", "SplitDates",
           "build_features", "calibration_table", "check_no_leakage", "choose_threshold", "coded_transactions",
           "compare_models", "confusion_counts", "design_dates", "driver_summary", "error_rate", "feature_shift",
           "fit_models", "make_labels", "missing_ratio", "model_quality", "prediction_drivers", "predict_proba",
           "prune_features", "split_table", "threshold_table",
           "campaign_segments", "campaign_uplift", "extra_order_value", "measured_segments", "retention_value_by_group",
           "DRIVER_ALPHA", "DriverEffects", "driver_effects",
           "CAMPAIGN_OUTCOMES", "CONTROL_ARM", "arm_lifts", "campaign_arms", "campaign_outcomes", "has_arms_or_outcomes",
           "responding_segments", "operating_on",
           "ACTIVE_DAYS", "active_customers", "missed_value", "target_name", "validation_split"]
