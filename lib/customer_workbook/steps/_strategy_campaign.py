"""Notebook 03 (step 3, strategy), section 4's randomised campaign: the uplift per segment, which segments' uplift
is measured after the correction for the several segments, and the value of a retained customer. Kept apart
from :mod:`customer_workbook.steps.strategy` (which calls :func:`campaign_part`) so each module stays short.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import plots, retention
from ..plots.model_fit import show_model_fit
from ..acquisition import AcquisitionCost
from ..data import Dataset
from ..escaping import md
from ..retention.campaigns import measured_segments
from ..retention.uplift import MIN_EFFECT_ARM
from ..segments import too_few
from ..value_unit import SPEND
from .section import Draft

__all__ = ["campaign_part"]

_UPLIFT_FORMATS = {"n": "{:,}", "n_treated": "{:,}", "rate_treated": "{:.1%}", "rate_control": "{:.1%}",
                   "uplift": "{:+.1%}", "uplift_low": "{:+.1%}", "uplift_high": "{:+.1%}", "p_value": "{:.3g}",
                   "p_holm": "{:.3g}", "se": "{:.1%}", "value_if_retained": "{:,.0f}", "cost_per_retained": "{:,.0f}"}


def campaign_part(draft: Draft, ds: Dataset, costs: AcquisitionCost | None, cost_per_contact: float, margin: float,
              annual_discount_rate: float, horizon_years: float, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """The randomised campaign's part of section 4; returns the uplift table and the value of a retained
    customer per segment (``None, {}`` when an arm of the test is too small to measure an effect)."""
    segments = retention.campaign_segments(ds, seed=seed)
    if few := too_few(min(segments["treated"].sum(), (~segments["treated"]).sum()), MIN_EFFECT_ARM,
                      f"customers in the smaller group (offer or held out) of campaign **{md(segments['campaign'].iloc[0])}**",
                      "A randomised test with more customers in each group would measure it."):
        draft.say(few.note("the retention campaign's uplift"))
        return None, {}
    uplift = retention.campaign_uplift(segments)
    retained = retention.retention_scores(ds, segments, margin, annual_discount_rate, horizon_years)  # the one scorer
    report = retained.scores.report
    value_by_group = retention.retention_value_by_group(segments, retained.value) if report.ok else {}
    uplift["value_if_retained"] = uplift["group"].map(value_by_group).astype(float)
    uplift["cost_per_retained"] = np.where(uplift["uplift"] > 0, cost_per_contact / uplift["uplift"], np.nan)
    draft.show(plots.styled_table(uplift, _UPLIFT_FORMATS))
    fit = report.sentence()
    show_model_fit(draft, retained.scores, ds.transactions)   # held-out check of the purchase model
    if report.ok:
        draft.say(f"Customers valued at the send date ({report.as_of:%d %B %Y}): {fit}")
    else:
        draft.say(f"> **Not shown: the value of a retained customer** because the customer-value model does not fit "
                  f"the history before the send date ({report.as_of:%d %B %Y}) without reservation: {fit} The uplift "
                  "above still holds, but the retention side cannot be valued against acquisition.")
    draft.add("campaign_uplift_overall", round(float(uplift.iloc[0]["uplift"]), 4),
              "Uplift of the retention campaign, everyone", unit="pp")
    draft.add("campaign_uplift_by_segment", {r.group: round(r.uplift, 4) for r in uplift.iloc[1:].itertuples()},
              "Uplift of the retention campaign by segment (point estimates)", unit="pp")
    gains, harms = measured_segments(uplift), measured_segments(uplift, sign=-1)
    draft.add("campaign_uplift_measured_segments", list(gains["group"]) + list(harms["group"]),
              "Segments whose uplift differs measurably from zero (90% level, Holm-corrected over the segments)")
    draft.say(_measured_sentence(uplift, gains, harms))
    draft.add("retention_cost_per_retained", {r.group: round(r.cost_per_retained, 2) for r in gains.itertuples()
                                              if np.isfinite(r.cost_per_retained)},
              "Cost per retained customer (offer cost / uplift), segments with a measured gain", unit=SPEND)
    costs_compared = retention.cost_comparison(costs, uplift, cost_per_contact) if costs is not None else None
    if costs_compared:
        draft.add("acquisition_to_retention_cost_ratio", round(costs_compared.ratio, 2),
                  "How many times more it costs to win a customer than to keep one")
        draft.say(f"Over the data, winning a new customer cost **{costs_compared.blended_cac:,.0f}** on average; keeping "
                  f"one more **{md(costs_compared.segment)}** customer costs {costs_compared.retention_cost:,.0f} in "
                  f"offers (offer cost / uplift): conquest is **{costs_compared.ratio:.1f} times** as expensive as "
                  "relations. Cost alone does not decide, though: what counts is the value each extra unit creates.")
    return uplift, value_by_group


def _measured_sentence(uplift: pd.DataFrame, gains: pd.DataFrame, harms: pd.DataFrame) -> str:
    """Which segments' uplift is measured after the correction for the several segments, in words."""
    n = int((uplift["group"] != "all").sum())
    if gains.empty and harms.empty:
        return (f"Corrected for the {n} segments compared (Holm, 90% level), **no segment's uplift is measurably "
                "different from zero**: the differences between segments in the table are within chance, so no "
                "segment is targeted or avoided on this campaign's evidence.")
    part = lambda f: ", ".join(f"**{md(r.group)}** ({r.uplift:+.1%})" for r in f.itertuples())  # noqa: E731
    return (f"Corrected for the {n} segments compared (Holm, 90% level), the offer measurably "
            + " and ".join(x for x in (f"lifts {part(gains)}" if len(gains) else "",
                                       f"pushes away {part(harms)}" if len(harms) else "") if x)
            + "; the other segments' uplifts are within chance.")
