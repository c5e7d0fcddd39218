"""Advocacy: who recommends us (step 1 of the method, and the defence of step 5).

- :mod:`.pyramid`: the levels of the advocacy pyramid (lurkers, likers, lovers) by how often customers
  engage, and how advocacy, spending and loyalty overlap.
- :mod:`.nps`: Net Promoter Score with intervals, overall and by group.
- :mod:`.recognition`: advocacy scores, recognition statuses and badges, and what the benefits cost and keep.
- :mod:`.ownership`: power users, who create most content and referrals.
"""
from .nps import NetPromoterScore, nps, nps_by_group
from .ownership import PowerUsers, power_users
from .pyramid import ADVOCACY_EVENTS, LEVELS, AdvocacyOverlap, advocacy_levels, advocacy_overlap, engagement_rates
from .recognition import (ADVOCACY_WEIGHTS, STATUS_ORDER, advocacy_scores, paying_statuses, recognition_statuses,
                          status_economics)

__all__ = ["ADVOCACY_EVENTS", "LEVELS", "AdvocacyOverlap", "NetPromoterScore", "advocacy_levels", "advocacy_overlap",
           "engagement_rates", "nps", "nps_by_group"]
__all__ += ["ADVOCACY_WEIGHTS", "STATUS_ORDER", "PowerUsers", "advocacy_scores", "paying_statuses", "power_users",
            "recognition_statuses", "status_economics"]
