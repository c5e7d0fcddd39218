"""Why customers choose us (step 1 of the method): the ten reasons, as stated and as shown.

- :mod:`.drivers`: the survey's latest answers and which stated reasons drive recommendation or
  loyalty (dominance analysis with bootstrap intervals), and the Spearman link of a behaviour with a
  stated reason.
- :mod:`.evidence`: which reasons behaviour can show, and the fast-brand repeat curve.
- :mod:`.adoption`: product adoption after launch and the Bass model (the bandwagon effect).
"""
from .adoption import BassFit, bandwagon_evidence, bass_curve, fit_bass, product_adoption
from .drivers import (MIN_RESPONDENTS_PER_DRIVER, DriverImportance, SpearmanLink, dominance_weights, driver_importance,
                      latest_answers, respondents_needed, spearman_link, survey_drivers)
from .evidence import REASON_BEHAVIOUR, RepeatCurve, delivery_repeat_curve, reason_evidence

__all__ = ["MIN_RESPONDENTS_PER_DRIVER", "REASON_BEHAVIOUR", "BassFit", "DriverImportance", "RepeatCurve", "SpearmanLink", "bandwagon_evidence",
           "bass_curve", "delivery_repeat_curve", "dominance_weights", "driver_importance", "fit_bass",
           "latest_answers", "product_adoption", "reason_evidence", "respondents_needed", "spearman_link",
           "survey_drivers"]
