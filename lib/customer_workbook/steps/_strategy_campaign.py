"""Notebook 03 (step 3, strategy), section 4's randomised campaign: the uplift per segment, which segments' uplift
is measured after the correction for the several segments, and the value of the extra order it buys. A test with
several arms or outcomes (``arm``, ``visited``, ``spend``) also gets each arm's lift against the control for
each outcome and the segments that respond (:func:`arm_part`, shared with notebook 05). Kept apart
from :mod:`customer_workbook.steps.strategy` (which calls :func:`campaign_part`) so each module stays short.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import plots, retention
from ..data import Dataset
from ..escaping import md
from ..retention.campaigns import arm_lifts, has_arms_or_outcomes, measured_segments, responding_segments
from ..retention.uplift import MIN_EFFECT_ARM
from ..segments import too_few
from ..value_unit import SPEND
from .section import Draft
from ..findings import pp

__all__ = ["arm_part", "campaign_part"]

#: How each outcome of :data:`customer_workbook.retention.CAMPAIGN_OUTCOMES` reads in a report.
_MEASURE_WORDS = {"visited": "visit rate", "converted": "conversion rate", "spend": "spend per customer"}

_UPLIFT_FORMATS = {"n": "{:,}", "n_treated": "{:,}", "rate_treated": "{:.1%}", "rate_control": "{:.1%}",
                   "uplift": pp, "uplift_low": pp, "uplift_high": pp, "p_value": "{:.3g}",
                   "p_holm": "{:.3g}", "se": lambda v: f"{100 * v:.1f} pp", "value_of_extra_order": "{:,.0f}",
                   "cost_per_extra_order": "{:,.0f}"}


def campaign_part(draft: Draft, ds: Dataset, cost_per_contact: float, margin: float,
                  seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """The randomised campaign's part of section 4; returns the uplift table and the value of an extra order
    per segment (``None, {}`` when an arm of the test is too small to measure an effect).

    The campaign's outcome is an order within its window, so an extra buyer is valued as an extra order
    (:func:`~customer_workbook.retention.extra_order_value`), and its cost is the offer cost over the uplift."""
    segments = retention.campaign_segments(ds, seed=seed)
    if few := too_few(min(segments["treated"].sum(), (~segments["treated"]).sum()), MIN_EFFECT_ARM,
                      f"customers in the smaller group (offer or held out) of campaign **{md(segments['campaign'].iloc[0])}**",
                      "A randomised test with more customers in each group would measure it."):
        draft.say(few.note("the retention campaign's uplift"))
        return None, {}
    uplift = retention.campaign_uplift(segments)
    value_by_group = retention.retention_value_by_group(segments, retention.extra_order_value(ds, segments, margin))
    uplift["value_of_extra_order"] = uplift["group"].map(value_by_group).astype(float)
    uplift["cost_per_extra_order"] = np.where(uplift["uplift"] > 0, cost_per_contact / uplift["uplift"], np.nan)
    draft.show(plots.styled_table(uplift, _UPLIFT_FORMATS))
    draft.add("campaign_uplift_overall", round(float(uplift.iloc[0]["uplift"]), 4),
              "Uplift of the retention campaign, everyone", unit="pp")
    draft.add("campaign_uplift_by_segment", {r.group: round(r.uplift, 4) for r in uplift.iloc[1:].itertuples()},
              "Uplift of the retention campaign by segment (point estimates)", unit="pp")
    gains, harms = measured_segments(uplift), measured_segments(uplift, sign=-1)
    draft.add("campaign_uplift_measured_segments", list(gains["group"]) + list(harms["group"]),
              "Segments whose uplift differs measurably from zero (90% level, Holm-corrected over the segments)")
    draft.say(_measured_sentence(uplift, gains, harms))
    arm_part(draft, segments, by="segment")
    draft.add("retention_cost_per_extra_order", {r.group: round(r.cost_per_extra_order, 2) for r in gains.itertuples()
                                                 if np.isfinite(r.cost_per_extra_order)},
              "Cost of one extra order (offer cost / uplift), segments with a measured gain", unit=SPEND)
    if len(gains):
        best = gains.sort_values("uplift", ascending=False).iloc[0]
        draft.say(f"The campaign's outcome is an order within its window, so its gain is valued as the margin of an "
                  f"extra order, not as a customer kept for life: for **{md(best['group'])}** customers one extra "
                  f"order costs {best['cost_per_extra_order']:,.0f} in offers and brings {best['value_of_extra_order']:,.0f} "
                  "in margin. A new customer is a different good (a first order and a future); the comparison below "
                  "sets both sides on the value each unit of spend creates.")
    return uplift, value_by_group


def _value(x: float, kind: str) -> str:
    return f"{x:.2%}" if kind == "rate" else f"{x:,.2f}"


def _lift_text(x: float, kind: str) -> str:
    return f"{100 * x:+.2f} pp" if kind == "rate" else f"{x:+,.2f}"


def _finding(rows: pd.DataFrame) -> dict:
    """{arm: {measure: {arm, control, lift, low, high[, p_value]}}}: rates as shares (6 decimals), spend 4 decimals."""
    out: dict = {}
    for r in rows.itertuples():
        digits = 6 if r.kind == "rate" else 4
        item = {"arm": round(r.arm_value, digits), "control": round(r.control_value, digits),
                "lift": round(r.lift, digits), "low": round(r.low, digits), "high": round(r.high, digits),
                "n_arm": int(r.n_arm), "n_control": int(r.n_control)}
        if np.isfinite(r.p_value):
            item["p_value"] = float(f"{r.p_value:.3g}")
        out.setdefault(r.arm, {})[r.measure] = item
    return out


def arm_part(draft: Draft, rows: pd.DataFrame, by: str | None = None, level: float = 0.90) -> pd.DataFrame | None:
    """Each arm's lift against the control for each outcome (a table, a sentence per arm and the findings
    ``campaign_arm_lifts`` (rates) and ``campaign_arm_spend_lifts``), and with ``by`` the segments that respond,
    Holm-corrected over the segments (``campaign_responding_segments``). Nothing for a test with one treated
    flag and one outcome (the uplift above says it all); returns :func:`arm_lifts` overall, or None."""
    if not has_arms_or_outcomes(rows):
        return None
    lifts = arm_lifts(rows, level=level)
    if lifts.empty:
        return None
    shown = pd.DataFrame({"arm": lifts["arm"], "outcome": lifts["measure"].map(_MEASURE_WORDS),
                          "customers (arm / control)": [f"{a:,} / {c:,}"
                                                        for a, c in zip(lifts["n_arm"], lifts["n_control"])],
                          "arm value": [_value(x, k) for x, k in zip(lifts["arm_value"], lifts["kind"])],
                          "control value": [_value(x, k) for x, k in zip(lifts["control_value"], lifts["kind"])],
                          "lift": [_lift_text(x, k) for x, k in zip(lifts["lift"], lifts["kind"])],
                          f"{level:.0%} interval": [f"{_lift_text(lo, k)} to {_lift_text(hi, k)}" for lo, hi, k
                                                   in zip(lifts["low"], lifts["high"], lifts["kind"])],
                          "p-value": [f"{p:.3g}" if np.isfinite(p) else "" for p in lifts["p_value"]]})
    draft.say(f"**Each arm against the control** ({level:.0%} intervals; rates as differences of proportions, spend "
              "per customer as a difference of means with Welch's interval):")
    draft.show(plots.styled_table(shown))
    for arm, f in lifts.groupby("arm", sort=True):
        draft.say(f"**{md(arm)}** against the control: " + "; ".join(
            f"{_MEASURE_WORDS[r.measure]} {_value(r.arm_value, r.kind)} against {_value(r.control_value, r.kind)} "
            f"({_lift_text(r.lift, r.kind)}, {level:.0%} interval {_lift_text(r.low, r.kind)} to "
            f"{_lift_text(r.high, r.kind)})" for r in f.itertuples()) + ".")
    rates, spend = lifts[lifts["kind"] == "rate"], lifts[lifts["kind"] == "mean"]
    if len(rates):
        draft.add("campaign_arm_lifts", _finding(rates), "Each arm against the control: rates (shares) and lift with "
                  f"its {level:.0%} interval")
    if len(spend):
        draft.add("campaign_arm_spend_lifts", _finding(spend), "Each arm against the control: spend per customer "
                  f"and its lift with the {level:.0%} interval (Welch)", unit=SPEND)
    if by is not None:
        draft.say(_responding_sentence(draft, arm_lifts(rows, by=by, level=level), 1 - level))
    return lifts


def _responding_sentence(draft: Draft, by_segment: pd.DataFrame, alpha: float) -> str:
    """Which segments respond to each arm, per outcome, after Holm over the segments; records the finding."""
    gains, harms = responding_segments(by_segment, alpha), responding_segments(by_segment, alpha, sign=-1)
    n = by_segment["group"].nunique()
    found = {arm: {m: [] for m in f["measure"].unique()} for arm, f in by_segment.groupby("arm", sort=True)}
    for r in gains.itertuples():
        found[r.arm][r.measure].append(r.group)
    draft.add("campaign_responding_segments", found, "Segments whose response to each arm is measurably above zero "
              f"({1 - alpha:.0%} level, Holm-corrected over the {n} segments)")
    head = f"Corrected for the {n} segments compared (Holm, {1 - alpha:.0%} level)"
    if gains.empty and harms.empty:
        return (f"{head}, **no segment responds measurably** to any arm: the differences between segments are "
                "within chance.")
    text = f"{head}, segments that respond: {_by_arm_and_segment(gains)}." if len(gains) else \
        f"{head}, no segment responds measurably."
    if len(harms):
        text += f" Measurably put off (lower): {_by_arm_and_segment(harms)}."
    rest = len(by_segment) - len(gains) - len(harms)
    return text + (" The other responses (segment by arm and outcome) are within chance." if rest else "")


def _by_arm_and_segment(rows: pd.DataFrame) -> str:
    """"**arm**: **segment** (visit rate +x pp, spend per customer +y), ..." for rows of :func:`arm_lifts`."""
    arms = []
    for arm, f in rows.groupby("arm", sort=True):
        groups = [f"**{md(g)}** (" + ", ".join(f"{_MEASURE_WORDS[r.measure]} {_lift_text(r.lift, r.kind)}"
                                            for r in gf.itertuples()) + ")" for g, gf in f.groupby("group", sort=True)]
        arms.append(f"**{md(arm)}** in " + ", ".join(groups))
    return "; ".join(arms)


def _measured_sentence(uplift: pd.DataFrame, gains: pd.DataFrame, harms: pd.DataFrame) -> str:
    """Which segments' uplift is measured after the correction for the several segments, in words; the others
    are said to be within chance only when there are others (counted)."""
    n = int((uplift["group"] != "all").sum())
    if gains.empty and harms.empty:
        return (f"Corrected for the {n} segments compared (Holm, 90% level), **no segment's uplift is measurably "
                "different from zero**: the differences between segments in the table are within chance, so no "
                "segment is targeted or avoided on this campaign's evidence.")
    part = lambda f: _and([f"**{md(r.group)}** ({pp(r.uplift)})" for r in f.itertuples()])  # noqa: E731
    rest = n - len(gains) - len(harms)
    every = "both" if n == 2 else f"all {n}"
    lifts = (f"lifts {every} segments: {part(gains)}" if harms.empty and rest == 0 and n > 1 else
             f"lifts {part(gains)}" if len(gains) else "")
    others = ("" if rest <= 0 else "; the other segment's uplift is within chance" if rest == 1 else
              f"; the other {rest} segments' uplifts are within chance")
    return (f"Corrected for the {n} segments compared (Holm, 90% level), the offer measurably "
            + " and ".join(x for x in (lifts, f"pushes away {part(harms)}" if len(harms) else "") if x) + others + ".")


def _and(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
