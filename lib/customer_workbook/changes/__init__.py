"""Step 2 of the method: detect the changes that matter (notebook 02).

A change matters when it is real (not noise, not the usual seasonal rhythm), large enough to act on,
and attributable to someone: *when* did it change, *by how much*, *is it significant*, *for whom*.

The package, one module per concept, all on weekly series (weeks start on Monday):

- :mod:`.metrics`: the :class:`Metric` definitions (:data:`METRICS`); :func:`metric_records` turns the
  contract tables into unit records (one order, one survey answer, one market week ...) and
  :func:`weekly_panel` sums them per week (and group).
- :mod:`.changepoints`: :func:`detect_change_points` finds level shifts in a weekly series by exact optimal
  partitioning with a penalty that scales with ``log(n)`` and the (autocorrelation-corrected) noise
  variance, after removing month-of-year seasonality and a straight-line trend; :func:`penalty_sensitivity`
  shows how the answer depends on the penalty.
- :mod:`.comparisons`: :func:`compare_windows` / :func:`compare_samples` measure a shift with an effect
  size, a confidence interval and a p-value.
- :mod:`.detection`: :func:`detect_all` and :func:`quarter_vs_last_year` scan every metric, correct for the
  many tests (:func:`customer_workbook.stats.benjamini_hochberg`) and apply each metric's *practical*
  threshold (:attr:`Metric.min_effect`) so that large samples do not flag trivial shifts.
- :mod:`.attribution`: :func:`customer_segments` and :func:`who_changed` compare groups of customers with
  everyone else across a change (a difference-in-differences, which also cancels seasonality shared by all
  groups); :func:`attribute_changes` names the driving group and the revenue at stake;
  :func:`group_only_changes` finds survey metrics that moved inside one group only (all customers' series
  flat) at the date of a change already found.
- :mod:`.channels`: :func:`channel_ramps` finds a new sales channel and sizes its ramp-up.
- :mod:`.register`: :func:`change_register` collects everything into one table sorted by business impact,
  linked to market events.
- :mod:`.sentences`: readable names and sentences for the notebook.

Every public name is re-exported here, so ``from customer_workbook import changes; changes.detect_all(...)``
works. Only observable data is used: the sample's hidden persona labels never enter this package.
"""
from __future__ import annotations

from .attribution import (MIN_GROUP_CUSTOMERS, SEGMENTATION_LABELS, AtStake, Attribution, Driver, attribute_changes,
                          customer_segments, driver_group, group_only_changes, group_options,
                          lead_change, ordering_at_stake, who_changed)
from .changepoints import (BREAK_DATE_WEEKS, FALSE_ALARM_RATE, FALSE_ALARM_RATES, MIN_SEARCH_WEEKS, PENALTY_FACTOR, SEASONAL_MIN_WEEKS, TEMPORARY_WEEKS, ChangePoints, cusum_p_value,
                           detect_change_points, noise_scale, optimal_partition, penalty_sensitivity, series_view,
                           temporary_breaks)
from .channels import RampFit, acquisition_shares, channel_ramps, channel_weekly, fit_ramp
from .comparisons import WINDOW_WEEKS, SampleComparison, WindowComparison, compare_samples, compare_windows
from .detection import Detection, detect_all, panels_for, quarter_vs_last_year, segment_view, sensitivity_table
from .metrics import (COUNT_OFFSET, METRICS, Metric, metric_info, metric_records, metric_series, share_records,
                      watch_list, weekly_panel)
from .register import (acquisition_end, change_register, change_signals, cluster_changes, events_without_effect,
                       link_events, market_events)
from .sentences import change_label, counted, driver_sentence, register_records

__all__ = [
    # metrics
    "Metric", "METRICS", "COUNT_OFFSET", "metric_info", "metric_records", "weekly_panel", "metric_series",
    "share_records", "watch_list",
    # change points
    "BREAK_DATE_WEEKS", "ChangePoints", "FALSE_ALARM_RATE", "FALSE_ALARM_RATES", "MIN_SEARCH_WEEKS", "PENALTY_FACTOR", "SEASONAL_MIN_WEEKS", "TEMPORARY_WEEKS", "optimal_partition", "noise_scale",
    "detect_change_points", "penalty_sensitivity", "cusum_p_value", "temporary_breaks", "series_view",
    # comparisons and the scan of every metric
    "WINDOW_WEEKS", "SampleComparison", "WindowComparison", "compare_samples", "compare_windows",
    "Detection", "detect_all", "quarter_vs_last_year", "sensitivity_table", "panels_for", "segment_view",
    # who changed
    "MIN_GROUP_CUSTOMERS", "SEGMENTATION_LABELS", "Driver", "Attribution", "customer_segments",
    "group_options", "who_changed", "driver_group", "group_only_changes", "attribute_changes", "lead_change", "AtStake",
    "ordering_at_stake",
    # channels
    "RampFit", "channel_weekly", "fit_ramp", "channel_ramps", "acquisition_shares",
    # register
    "market_events", "link_events", "change_signals", "change_register", "cluster_changes", "events_without_effect",
    "acquisition_end",
    # sentences
    "change_label", "driver_sentence", "counted", "register_records",
]
