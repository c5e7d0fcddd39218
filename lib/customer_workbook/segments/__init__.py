"""Groups of customers (step 1 of the method): who the customers are.

- :mod:`.rfm`: tie-robust RFM scores and the named segments of the RFM grid.
- :mod:`.cohorts`: retention of each month's acquisition cohort.
- :mod:`.personas`: the one persona engine of the series (k-means on observable behaviour and
  demographics, the number of personas chosen by subsample stability, names built from the data).
- :mod:`.profiles`: each persona's profile (problem, pain points, goals, reasons), the 4C→4P mix per
  persona and the snapshot of one group that the explorer shows.
- :mod:`.enough`: the one typed answer "too few customers for this analysis" (:class:`TooFew`).
- :mod:`.lifecycle`: lifecycle stages, the health score and its back-test, multi-category retention.
"""
from .cohorts import MIN_COHORT_CUSTOMERS, CohortRetention, cohort_retention, cohort_summary
from .enough import LONGER_WINDOW, MIN_CUSTOMERS, MORE_CUSTOMERS, TooFew, too_few, too_few_of_each
from .lifecycle import (HEALTH_WEIGHTS, LIFECYCLE_STAGES, MIN_HOLDOUT_DAYS, USEFUL_AUC, CategoryRetention, HealthBacktest,
                        backtest_holdout, health_backtest, health_score, lifecycle_stages, multi_category_retention)
from .personas import (MIN_CLUSTERED, PERSONA_FEATURE_COLUMNS, PERSONA_SEED, UNASSIGNED, Personas, choose_k,
                       find_personas, fit_personas, persona_features, persona_names)
from .profiles import REASON_GOALS, GroupSnapshot, four_c_to_four_p, group_snapshot, persona_profiles
from .rfm import (SEGMENT_ACTIONS, SEGMENT_GRID, SEGMENTS, RFMScores, rfm_scores, rfm_segments, segment_summary,
                  tie_robust_scores)

__all__ = ["HEALTH_WEIGHTS", "LIFECYCLE_STAGES", "LONGER_WINDOW", "MIN_CLUSTERED", "MIN_COHORT_CUSTOMERS",
           "MIN_CUSTOMERS", "MIN_HOLDOUT_DAYS", "MORE_CUSTOMERS", "PERSONA_FEATURE_COLUMNS", "PERSONA_SEED",
           "REASON_GOALS", "SEGMENTS", "SEGMENT_ACTIONS", "SEGMENT_GRID", "UNASSIGNED", "USEFUL_AUC",
           "CategoryRetention", "CohortRetention", "GroupSnapshot", "HealthBacktest", "Personas", "RFMScores",
           "TooFew", "backtest_holdout", "choose_k", "cohort_retention", "cohort_summary", "find_personas",
           "fit_personas", "four_c_to_four_p", "group_snapshot", "health_backtest", "health_score", "lifecycle_stages",
           "multi_category_retention", "persona_features", "persona_names", "persona_profiles", "rfm_scores",
           "rfm_segments", "segment_summary", "tie_robust_scores", "too_few", "too_few_of_each"]
