"""Advocacy: who recommends us (step 1 of the method, and the defence of step 5).

- :mod:`.pyramid`: the levels of the advocacy pyramid (lurkers, likers, lovers) by how often customers
  engage, and how advocacy, spending and loyalty overlap.
- :mod:`.nps`: Net Promoter Score with intervals, overall and by group.
"""
from .nps import NetPromoterScore, nps, nps_by_group
from .pyramid import ADVOCACY_EVENTS, LEVELS, AdvocacyOverlap, advocacy_levels, advocacy_overlap, engagement_rates

__all__ = ["ADVOCACY_EVENTS", "LEVELS", "AdvocacyOverlap", "NetPromoterScore", "advocacy_levels", "advocacy_overlap",
           "engagement_rates", "nps", "nps_by_group"]
