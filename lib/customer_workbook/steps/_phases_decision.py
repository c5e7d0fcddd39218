"""Notebook 04 (step 4, plan phases): the decisions the step leads to - the pilot that starts small with the
most valuable audience, and the audience the plan goes to market with first - written from sections 10 to 12
(:func:`phases_decisions`)."""
from __future__ import annotations

import math

import pandas as pd

from ..decisions import Decision
from .decision import decision_section
from .section import Section

__all__ = ["phases_decision", "phases_decisions"]

_NO_AUDIENCE = ("a pilot audience: section 10 found no audience worth more than the average customer (more customers "
                "per segment and persona, a coarser segment, or a customer-value model that fits)")


def _audience_name(audience: Section) -> str:
    tied = audience["tied"]
    first = tied.iloc[0]
    name = f"{first['persona']} · {first['segment']}"
    return name if len(tied) == 1 else f"{name} and {len(tied) - 1} audiences tied with it"


def _pilot(audience: Section, sizing: Section) -> Decision:
    evidence = "11. How big and how long must the pilot be?"
    design = sizing["design"]
    if audience["tied"] is None or design is None:
        return Decision(step=4, topic="Pilot", action="No pilot can be sized", evidence=evidence, unlock=_NO_AUDIENCE)
    run = design.plan
    if run is None or design.choice == "none":
        return Decision(step=4, topic="Pilot", action="No pilot can detect a lift in the pilot audience within a year",
                        for_whom=_audience_name(audience), evidence=evidence,
                        unlock="more customers who order in a year in the audience (a wider audience or a longer "
                               "enrolment window)")
    wider = (f" and the next {design.audiences_used - 1} most valuable audience"
             f"{'s' if design.audiences_used > 2 else ''}" if design.audiences_used > 1 else "")
    weeks = f", {run.duration_weeks:.0f} weeks" if math.isfinite(run.duration_weeks) else ""
    change = {"wider audience": " (widened: the requested pilot does not fit or enrol in the first audience)",
              "larger lift": " (sized for the lift its customers who enrol in a year can detect)"}.get(design.choice, "")
    action = (f"Pilot the offer against a randomised control group: {run.n_per_arm:,} customers per arm{weeks}, sized "
              f"to detect {100 * run.mde:+.1f} pp more customers ordering again{change}")
    return Decision(step=4, topic="Pilot", action=action, for_whom=_audience_name(audience) + wider,
                    evidence=evidence)


def _detectable_lift(sizing: Section, mde: float) -> float:
    """The lift the pilot can detect: the run design's (larger than ``mde`` when it is sized for the lift its
    customers who enrol in a year can detect), else the requested ``mde``."""
    design = sizing["design"]
    run = design.plan if design is not None else None
    lift = float(run.mde) if run is not None and design.choice != "none" else float("nan")
    return lift if math.isfinite(lift) and lift > 0 else float(mde)


def _go_to_market(audience: Section, gtm: pd.DataFrame | None, mde: float, lift: float) -> Decision:
    evidence = "12. Go to market: the audience relations plan"
    if gtm is None or not len(gtm):
        unlock = _NO_AUDIENCE if audience["tied"] is None else (
            "an audience the evidence supports: the randomised campaign measured a loss in every ranked audience")
        return Decision(step=4, topic="Go to market", action="No audience to go to market with", evidence=evidence,
                        unlock=unlock)
    first = gtm.iloc[0]
    action = (f"Go to market first with this audience: {first['goal']}, offer {first['offer']} through "
              f"{first['channel']}, {first['timing']}")
    at_requested = float(first["expected_value"])          # customers x requested lift x one order's margin
    label = f"extra margin if the pilot's {100 * lift:+.1f} pp lift holds (one order's margin each)"
    if round(100 * lift, 1) != round(100 * mde, 1):
        label = (f"extra margin if the {100 * lift:+.1f} pp lift the pilot can detect holds (one order's margin "
                 f"each; {at_requested:,.0f} at the {100 * mde:+.1f} pp requested, which this pilot cannot detect)")
    return Decision(step=4, topic="Go to market", action=action, for_whom=str(first["audience"]),
                    value=round(at_requested * lift / mde, 2) if mde > 0 else round(at_requested, 2),
                    basis="assumed", value_label=label, evidence=evidence,
                    indicators=(str(first["metric_to_watch"]),))


def phases_decisions(audience: Section, sizing: Section, gtm: pd.DataFrame | None, mde: float) -> list[Decision]:
    """Step 4's decisions: the pilot the plan runs (section 11's design, not valued: a pilot is how the value gets
    measured) and the audience to go to market with first (section 12's first line, valued at the pilot's target
    lift, an assumption, as one extra order's margin per customer who responds). That lift is the one the pilot can
    detect: the requested ``mde``, or the larger lift the pilot is sized for when its audience cannot detect
    ``mde`` in time (a smaller true lift would not pass the pilot, so it is not the value the plan can count on)."""
    return [_pilot(audience, sizing), _go_to_market(audience, gtm, mde, _detectable_lift(sizing, mde))]


def phases_decision(audience: Section, sizing: Section, gtm: Section, mde: float, value_unit: str) -> Section:
    """The Decision section of notebook 04 (:func:`phases_decisions`), recorded for the plan page."""
    return decision_section(phases_decisions(audience, sizing, gtm["plan"], mde), value_unit)
