"""Segments of the customer base: groups of customers found from the data.

- :mod:`.personas`: the one persona engine of the series (k-means on observable behaviour and
  demographics, the number of personas chosen by subsample stability, names built from the data).
"""
from .personas import (
                       PERSONA_FEATURE_COLUMNS,
                       PERSONA_SEED,
                       UNASSIGNED,
                       Personas,
                       choose_k,
                       find_personas,
                       fit_personas,
                       persona_features,
                       persona_names,
)

__all__ = ["PERSONA_FEATURE_COLUMNS", "PERSONA_SEED", "UNASSIGNED", "Personas", "choose_k", "find_personas", "fit_personas",
           "persona_features", "persona_names"]
