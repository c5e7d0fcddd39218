"""Advocacy: who recommends us (step 1 of the method, and the defence of step 5).

- :mod:`.pyramid`: lurkers, likers and lovers by how often customers engage.
- :mod:`.nps`: Net Promoter Score with intervals, overall and by group.
"""
from .nps import nps, nps_by_group
from .pyramid import ADVOCACY_EVENTS, TIERS, advocacy_overlap, advocacy_tiers, engagement_rates

__all__ = ["ADVOCACY_EVENTS", "TIERS", "advocacy_overlap", "advocacy_tiers", "engagement_rates", "nps",
           "nps_by_group"]
