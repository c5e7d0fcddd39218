"""Notebook 03 (step 3, strategy), section 4's recommendation: conquest or relations, in words from the numbers.
Kept apart from :mod:`customer_workbook.steps.strategy` (which re-exports :class:`Choice`,
:class:`Recommendation` and :func:`recommendation`) so each module stays short.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..acquisition import BudgetPlan
from ..stats import LEADER_ALPHA as ALPHA
from ..stats import separate_top
from ..escaping import md

__all__ = ["Choice", "Recommendation", "recommendation"]


@dataclass(frozen=True)
class Choice:
    """The best target of one option: ``target`` (channel, or ``"retention: <segment>"``), the value one
    more currency unit spent on it returns (``return_per_unit``, currency units per currency unit), its
    standard error ``se`` (NaN when unknown) and ``alike``: the targets of the same option the data do not
    separate from it (itself first; one entry when it is a clear best)."""

    target: str
    return_per_unit: float
    se: float = float("nan")
    alike: tuple[str, ...] = ()

    @property
    def clear(self) -> bool:
        """True when no other target of the option is within noise of this one."""
        return len(self.alike) <= 1


@dataclass(frozen=True)
class Recommendation:
    """Conquest vs relations, in words (:func:`recommendation`).

    ``option``: where the next unit goes first ("conquest", "relations"; "neither" when nothing returns
    measurably more than it costs; "no clear difference" when the data do not separate the two sides, or one
    side's return from break-even; "unknown" with nothing to compare); ``best_conquest`` / ``best_relations``
    (:class:`Choice` or None); ``breakeven_contact_cost``: the offer cost (currency units) at which the
    best retention target returns as much as the best acquisition channel at today's spend (None without
    both); ``text``: Markdown, channel and segment names escaped; ``plain``: the same as plain text.
    """

    option: str
    best_conquest: Choice | None
    best_relations: Choice | None
    breakeven_contact_cost: float | None
    text: str
    plain: str


def recommendation(returns: pd.DataFrame, plan: BudgetPlan | None = None,
                   cost_per_contact: float | None = None) -> Recommendation:
    """Conquest vs relations: which option gets the next unit of budget, and the recommended mix, in words.

    Parameters
    ----------
    returns : DataFrame
        :func:`~customer_workbook.acquisition.conquest_vs_relations` output.
    plan : BudgetPlan, optional
        Today's and the value-maximising acquisition plan; without it the recommendation says nothing
        about the acquisition budget.
    cost_per_contact : float, optional
        Cost of one retention offer, to compute the break-even contact cost.
    """
    best_c = _best(returns.loc[returns["option"] == "conquest"])
    rel = returns.loc[(returns["option"] == "relations") & ~returns["target"].str.endswith(": all")]
    measured = rel.get("uplift_measured", pd.Series(False, index=rel.index)).fillna(False).astype(bool)
    gains = measured & (rel["return_per_unit"] > 0)
    unmeasured = len(rel) > 0 and not gains.any()
    best_r = _best(rel.loc[gains])
    if best_c is None and best_r is None:
        text = ("Neither side can be valued on these data: acquisition needs weekly marketing spend and the value of "
                "a new customer, retention a randomised campaign with a measured uplift.")
        if unmeasured:
            text = ("The randomised campaign measured no gain in any segment (corrected for the several segments, no "
                    "uplift is above zero beyond chance), so no retention offer is shown to create value; acquisition "
                    "cannot be valued on these data (it needs weekly marketing spend and the value of a new customer).")
            return Recommendation("neither", None, None, None, text, text)
        return Recommendation("unknown", None, None, None, text, text)
    breakeven = None
    stops = plan is not None and round(plan.optimum_budget) == 0  # no level of acquisition spend creates value
    if best_c is not None and best_r is not None:
        lead = separate_top({"conquest": best_c.return_per_unit, "relations": best_r.return_per_unit},
                            {"conquest": best_c.se, "relations": best_r.se})
        option = lead.label()
        breakeven = (cost_per_contact * best_r.return_per_unit / best_c.return_per_unit
                     if cost_per_contact and best_c.return_per_unit > 0 and not stops else None)
    else:
        option = _against_breakeven(best_c or best_r, "conquest" if best_c else "relations")
    if stops and option in ("conquest", "no clear difference"):
        option = "relations" if best_r is not None and best_r.return_per_unit > 1 else "neither"
    do_not_contact = [str(t).removeprefix("retention: ") for t in rel.loc[measured & (rel["uplift_high"] < 0), "target"]]

    def say(b: str, e) -> str:
        parts = [_comparison_sentence(best_c, best_r, option, breakeven, b, e, stops)]
        if unmeasured:
            parts.append("The randomised campaign measured no gain in any segment (corrected for the several segments, "
                         "no uplift is above zero beyond chance), so no retention offer is shown to create value"
                         + (f"; do not contact {', '.join(e(t) for t in do_not_contact)}, whom the offer measurably "
                            "pushes away." if do_not_contact else "."))
        if best_c is not None and plan is not None:
            parts.append(_acquisition_plan_sentence(plan, b, e))
        if best_r is not None:  # which segment's offers to fund, and whom the offer pushes away
            segment = f"{b}{e(best_r.target.removeprefix('retention: '))}{b}"
            fund = (f"fund offers for {segment}" if _pays(best_r) else
                    f"offers for {segment} return more than they cost on the point estimate but not measurably (break-even "
                    "lies inside the 90% interval), so a larger randomised test should confirm them before they are "
                    "funded at scale" if best_r.return_per_unit > 1
                    else "no segment's offers return what they cost at this offer cost")
            join = " and" if _pays(best_r) else ";"
            parts.append(f"Retention: {fund}" + (f"{join} do not contact {', '.join(e(t) for t in do_not_contact)}, "
                                                 "whom the offer measurably pushes away." if do_not_contact else "."))
        return " ".join(parts)

    return Recommendation(option, best_c, best_r, breakeven, say("**", md), say("", str))


def _best(rows: pd.DataFrame) -> Choice | None:
    """The target with the highest return among ``rows`` (of one option), with the targets tied with it."""
    if rows.empty:
        return None
    se = rows["return_se"] if "return_se" in rows else pd.Series(float("nan"), index=rows.index)
    lead = separate_top(dict(zip(rows["target"].astype(str), rows["return_per_unit"])), dict(zip(rows["target"].astype(str), se)))
    top = rows.iloc[0]
    return Choice(str(top["target"]), float(top["return_per_unit"]), float(se.iloc[0]), lead.tied)


def _against_breakeven(only: Choice, side: str, alpha: float = ALPHA) -> str:
    """With one side only: ``side`` when its return is measurably above 1 (break-even), "neither" when
    measurably below, else "no clear difference" (two-sided normal test at ``alpha``; a return without an
    error counts as measured, as before errors were known)."""
    from scipy import stats

    r, se = only.return_per_unit, only.se
    if se == se and se > 0 and 2 * stats.norm.sf(abs(r - 1) / se) >= alpha:
        return "no clear difference"
    return side if r > 1 else "neither"


def _pays(choice: Choice) -> bool:
    """The return is above 1 (break-even), measurably when its error is known (:func:`_against_breakeven`)."""
    return _against_breakeven(choice, "pays") == "pays"


def _comparison_sentence(best_c: Choice | None, best_r: Choice | None, option: str, breakeven: float | None,
                         b: str, e, acquisition_stops: bool = False) -> str:
    """One more unit on the best retention target against the best channel (``b`` around bold parts, ``e``
    applied to channel and segment names; ``acquisition_stops``: the value-maximising plan spends nothing on
    acquisition, so it is not called worth funding). A channel or segment is named as the best only when the
    data separate it from the others of its side (:attr:`Choice.clear`); the side is named only when
    ``option`` is one."""
    conquest = _target_words(best_c, "acquisition channel", b, e) if best_c else ""
    if best_c is not None and best_r is not None:
        rc, rr = best_c.return_per_unit, best_r.return_per_unit
        if breakeven is None or option not in ("conquest", "relations"):
            note = ""
        elif option == "relations":
            note = f" (retention stays ahead while an offer costs less than {breakeven:,.2f})"
        else:
            note = f" (retention would overtake only if an offer cost less than {breakeven:,.2f})"
        also = (" Both create value, so both deserve funding up to their own optimum."
                if _pays(best_c) and _pays(best_r) and not acquisition_stops else "")
        but = (", but no level of acquisition spend creates value (section 3)" if acquisition_stops else "")
        where = {"conquest": f"the next unit should go to {b}conquest{b} first",
                 "relations": f"the next unit should go to {b}relations{b} first",
                 "neither": "neither side returns what it costs"}.get(
            option, f"the data do not separate the two sides ({b}no clear difference{b}, 90% level)")
        return (f"One more unit spent on {b}{e(best_r.target)}{b} returns {_return_words(best_r, b)} in the margin of "
                f"the extra orders it buys, against {_return_words(best_c, b)} in the lifetime value of new customers "
                f"on {conquest} at today's spend{but}, so {where}{note}.{also}")
    if best_c is not None:
        verdict = {"conquest": "more than it costs", "neither": "less than it costs"}.get(
            option, "an amount the data do not separate from what it costs")
        return (f"Only the conquest side can be valued here (the relations side needs a randomised retention "
                f"campaign with a measured uplift): one more unit on {conquest} "
                f"returns {_return_words(best_c, b)}, {verdict}.")
    return (f"Only the relations side can be valued here (the conquest side needs weekly marketing spend, a "
            f"response curve and the value of a new customer): one more unit on {b}{e(best_r.target)}{b} returns "
            f"{_return_words(best_r, b)} in the margin of the extra orders it buys.")


def _return_words(choice: Choice, b: str, alpha: float = ALPHA) -> str:
    """"**1.82** (90% interval 0.91 to 2.74)": the return per unit with its normal interval at the level of the
    comparisons (``1 - alpha``), or the bold return alone when its error is unknown."""
    from scipy import stats

    r, se = choice.return_per_unit, choice.se
    if not (se == se and se > 0):
        return f"{b}{r:.2f}{b}"
    half = stats.norm.ppf(1 - alpha / 2) * se
    return f"{b}{r:.2f}{b} ({1 - alpha:.0%} interval {r - half:.2f} to {r + half:.2f})"


def _target_words(best: Choice, kind: str, b: str, e) -> str:
    """"the best acquisition channel (**tv**)" when it is a clear best, else the tied channels, unranked."""
    if best.clear:
        return f"the best {kind} ({b}{e(best.target)}{b})"
    return (f"the best {kind} (no {kind} measurably ahead of the others: {', '.join(e(t) for t in sorted(best.alike))}"
            " are within noise of each other)")


def _acquisition_plan_sentence(plan: BudgetPlan, b: str, e) -> str:
    """Raise or lower the weekly budget, the mix, the channels to stop and the value gained."""
    direction = "raise" if plan.optimum_budget > plan.current_budget else "lower"
    mix = ", ".join(f"{e(c)} {s:.0%}" for c, s in sorted(plan.optimum_mix.items(), key=lambda kv: -kv[1]) if s > 0.005)
    dropped = [e(c) for c, s in plan.optimum_mix.items() if s <= 0.005]
    gain = plan.value_gain
    if not mix or round(plan.optimum_budget) == 0:  # nothing returns what it costs: stop acquisition spend
        return (f"Recommended acquisition plan: {b}stop the weekly acquisition spend of {plan.current_budget:,.0f}{b} "
                f"(at no level of spend do the new customers of any channel return what they cost), worth {b}{gain:,.0f} a "
                f"week{b} ({52 * gain:,.0f} a year) more in value created.")
    if plan.budget_change == "no clear difference":
        lo, hi = plan.budget_interval
        return (f"Recommended acquisition plan: {b}keep the weekly budget of {plan.current_budget:,.0f}{b}: the "
                f"value-maximising budget ({plan.optimum_budget:,.0f}, 90% interval {lo:,.0f} to {hi:,.0f}) is not "
                "measurably different" + (", and the data do not separate the channels, so keep today's mix."
                                          if plan.mix_kept else "."))
    kept = "; today's mix, the data not separating the channels" if plan.mix_kept else ""
    return (f"Recommended acquisition plan: {b}{direction} the weekly budget from {plan.current_budget:,.0f} to "
            f"{plan.optimum_budget:,.0f}{b} ({mix}" + (f"; stop {', '.join(dropped)}" if dropped else "") + kept +
            f"), worth {b}{gain:,.0f} a week{b} ({52 * gain:,.0f} a year) more in value created.")
