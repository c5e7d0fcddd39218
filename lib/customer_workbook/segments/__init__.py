"""Groups of customers (step 1 of the method): who the customers are.

- :mod:`.rfm`: tie-robust RFM scores and the named segments of the RFM grid.
- :mod:`.cohorts`: retention of each month's acquisition cohort.
- :mod:`.personas`: the one persona engine of the series (k-means on observable behaviour and
  demographics, the number of personas chosen by subsample stability, names built from the data).
- :mod:`.lifecycle`: lifecycle stages, the health score and its back-test, multi-category retention.
"""
from .cohorts import cohort_retention, cohort_summary
from .lifecycle import (HEALTH_WEIGHTS, LIFECYCLE_STAGES, health_backtest, health_score, lifecycle_stages,
                        multi_category_retention)
from .personas import (PERSONA_FEATURE_COLUMNS, PERSONA_SEED, UNASSIGNED, Personas, choose_k, find_personas,
                       fit_personas, persona_features, persona_names)
from .rfm import (SEGMENT_ACTIONS, SEGMENT_GRID, SEGMENTS, rfm_scores, rfm_segments, segment_summary,
                  tie_robust_scores)

__all__ = ["HEALTH_WEIGHTS", "LIFECYCLE_STAGES", "PERSONA_FEATURE_COLUMNS", "PERSONA_SEED", "SEGMENTS",
           "SEGMENT_ACTIONS", "SEGMENT_GRID", "UNASSIGNED", "Personas", "choose_k", "cohort_retention",
           "cohort_summary", "find_personas", "fit_personas", "health_backtest", "health_score",
           "lifecycle_stages", "multi_category_retention", "persona_features", "persona_names", "rfm_scores",
           "rfm_segments", "segment_summary", "tie_robust_scores"]
