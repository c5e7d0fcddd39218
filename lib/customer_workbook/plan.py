"""Step 4 of the method: plan the phases — anticipate, start small with the most valuable, go to market.

The step's functions live by concept in :mod:`customer_workbook.retention` (churn features and models)
and :mod:`customer_workbook.planning` (demand, pilot, go to market); this module gathers them under one
name for notebook ``04_plan_phases``, in three blocks:

1. **Anticipation / prediction.**
   :func:`build_features` turns the contract tables into dozens of per-customer behaviour indicators
   computed strictly *before* an observation date (each feature carries the date of the latest data it
   used); :func:`make_labels` labels what happened in a window that starts after a gap;
   :func:`design_dates` places a training and a later test observation date so the split is by time.
   :func:`prune_features` removes leaking and useless features and says why; :func:`fit_models` fits a
   logistic-regression baseline and a gradient-boosted model (class weights inside each training fold,
   probabilities calibrated on held-out folds) and *refuses* a feature dated on or after its observation
   date (:class:`LeakageError`). Quality is reported in the methodology's terms by
   :func:`threshold_table` (error rate = 1 - precision, missing ratio = share of real cases found) next
   to PR-AUC (:func:`model_quality`) and calibration (:func:`calibration_table`); :func:`choose_threshold`
   applies a stated business rule; :func:`prediction_drivers` ranks feature families by grouped
   permutation importance. :func:`weekly_demand`, :func:`backtest_forecast` and
   :func:`forecast_next_quarter` give an honest next-quarter demand forecast with backtested intervals.
2. **Soft implementation (MVP, MVS, MVA).** :func:`product_value_table`, :func:`service_value_table`,
   and :func:`audience_table` rank products, services/channels and segment x persona audiences (personas
   from :func:`customer_workbook.segments.find_personas`); :func:`pilot_plan` sizes the pilot test (with
   :func:`customer_workbook.stats.sample_size_two_proportions`).
3. **Go to market.** :func:`go_to_market_plan` derives, per target audience, the goal, offer, channel,
   timing, expected value and metric to watch from the tables above.

Only observable data is used: the sample's hidden labels (persona, tiers, uplift groups) never enter here.
All time quantities are in days unless a name says otherwise; money is in the data's currency units.
"""
from __future__ import annotations

from . import planning, retention
from .planning import *  # noqa: F403  (the step's names, listed once in each package's __all__)
from .retention import *  # noqa: F403

__all__ = [*retention.__all__, *planning.__all__]
