"""Notebook 03 (step 3, strategy): conquest or relations, and how much to spend on acquisition.

One function per section of the notebook. Each calls the concept packages (:mod:`customer_workbook.acquisition`
for unit economics, response curves and the budget; :mod:`customer_workbook.clv` for the value of new
customers; :mod:`customer_workbook.retention.campaigns` for the randomised retention campaign;
:mod:`customer_workbook.segments` for personas), chooses what to show, words the sentences from the
numbers and records the findings, and returns a :class:`~customer_workbook.steps.section.Section`.

Units: money in currency units, spends and budgets per week, durations of customers in days.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import acquisition, clv, plots, retention, widgets
from ..acquisition import AcquisitionCost, BudgetPlan, ResponseCurve
from ..base import derived
from ..data import Dataset
from ..escaping import md
from ..segments import UNASSIGNED, find_personas
from .section import Draft, Section

__all__ = ["HEADLINE_ORDER", "Choice", "Recommendation", "best_budget", "conquest_or_relations", "headline_first",
           "levers", "new_customer_worth", "persona_worth", "recommendation", "spend_response", "what_if_plans"]

#: Findings that lead the report (:func:`headline_first`), in this order.
HEADLINE_ORDER = ("recommendation", "recommended_option", "value_at_stake_per_year", "optimal_weekly_budget",
                  "optimal_mix")

_MONEY = {"clv": "{:,.0f}", "clv_low": "{:,.0f}", "clv_high": "{:,.0f}", "cac": "{:,.0f}", "cac_low": "{:,.0f}",
          "cac_high": "{:,.0f}", "clv_to_cac": "{:.2f}", "ratio_low": "{:.2f}", "ratio_high": "{:.2f}",
          "payback_months": "{:.1f}", "n_acquired": "{:,}", "buyer_share": "{:.0%}", "first_value": "{:,.0f}",
          "repeat_spend": "{:,.0f}", "repeat_purchases": "{:.1f}"}
_CAC_FORMATS = {"multiple": "{:.1f}×", "spend": "{:,.0f}", "new_per_week": "{:.1f}", "cac": "{:,.0f}",
                "marginal_cac": "{:,.0f}", "marginal_cac_low": "{:,.0f}", "marginal_cac_high": "{:,.0f}"}
_UPLIFT_FORMATS = {"n": "{:,}", "n_treated": "{:,}", "rate_treated": "{:.1%}", "rate_control": "{:.1%}",
                   "uplift": "{:+.1%}", "uplift_low": "{:+.1%}", "uplift_high": "{:+.1%}", "p_value": "{:.3g}",
                   "value_if_retained": "{:,.0f}", "cost_per_retained": "{:,.0f}"}


# --------------------------------------------------------------------------- 1. worth and cost of a new customer


def new_customer_worth(ds: Dataset, margin: float, annual_discount_rate: float, horizon_years: float,
                       current_weeks: int = 52, n_boot: int = 30, seed: int = 0,
                       business_unit: str | None = None) -> Section:
    """Section 1: the CLV of a newly acquired customer per channel and, with marketing data, CAC, CLV/CAC and payback.

    With a ``business_unit`` (region) and marketing data, a note first says that acquisition costs are
    company-wide while customer values are the region's. Results: ``acquired`` (:func:`~customer_workbook.acquisition.acquired_customers`), ``clv_values``,
    ``clv_draws`` (:func:`~customer_workbook.clv.group_clv`), ``clv_now`` (``{channel: CLV}``), ``costs``
    (:class:`~customer_workbook.acquisition.AcquisitionCost` or None) and ``econ`` (unit economics or None).
    """
    draft = Draft()
    if business_unit is not None and ds.has("marketing"):
        draft.say(f"> Marketing spend is recorded for the whole business, not per region: acquisition costs "
                  f"below are company-wide, while customer values are for **{md(business_unit)}**.")
    acquired = acquisition.acquired_customers(ds)
    by_channel = clv.group_clv(ds.transactions, acquired, margin=margin, annual_discount_rate=annual_discount_rate,
                               horizon_years=horizon_years, n_boot=n_boot, seed=seed)
    clv_table, clv_values, clv_draws = by_channel.table, by_channel.values, by_channel.draws
    clv_now = {c: v.clv(margin, annual_discount_rate, horizon_years) for c, v in clv_values.items()}
    draft.add("n_acquired_in_window", int(clv_table["n_acquired"].sum()), "Customers acquired inside the data window")
    draft.add("clv_by_channel", {c: round(v, 2) for c, v in clv_now.items()},
              "CLV of a newly acquired customer by channel", unit="currency units")
    draft.add("clv_ranking", list(clv_table["group"]), "Channels ranked by the CLV of the customers they bring")
    text = _clv_sentence(clv_table, margin, annual_discount_rate, horizon_years)
    costs = econ = None
    if ds.has("marketing"):
        costs = acquisition.acquisition_cost(ds.marketing, current_weeks=current_weeks, seed=seed)
        econ = acquisition.unit_economics(clv_table, clv_draws, clv_values, costs, margin=margin, seed=seed)
        draft.show(plots.styled_table(econ, _MONEY), plots.plot_unit_economics(econ))
        _record_unit_economics(draft, econ)
        draft.say(text + _cac_sentence(econ))
    else:
        draft.show(plots.styled_table(clv_table, _MONEY))
        draft.say(text)
        draft.skip("Acquisition cost and CLV/CAC", ["marketing"],
                   "The CLV side above still holds; spend per channel is needed for CAC, payback and the budget.")
    return draft.done(acquired=acquired, clv_values=clv_values, clv_draws=clv_draws, clv_now=clv_now, costs=costs,
                      econ=econ)


def _clv_sentence(clv_table: pd.DataFrame, margin: float, annual_discount_rate: float, horizon_years: float) -> str:
    """The most and least valuable channels' new customers, and which channels borrow the pooled model."""
    top, low = clv_table.iloc[0], clv_table.iloc[-1]
    text = (f"Over {horizon_years:g} years, at a {margin:.0%} margin and a {annual_discount_rate:.0%} yearly discount "
            f"rate, a customer from **{md(top['group'])}** is worth **{top['clv']:,.0f}** (90% interval "
            f"{top['clv_low']:,.0f} to {top['clv_high']:,.0f}); one from **{md(low['group'])}** is worth "
            f"{low['clv']:,.0f}, {top['clv'] / low['clv']:.1f} times less.")
    pooled = list(clv_table.loc[clv_table["model"] == "pooled", "group"])
    if pooled:
        text += (f" Too few customers came through {', '.join(map(md, pooled))} for a model of their own: their "
                 "repeat buying is taken from all new customers (no interval).")
    return text


def _record_unit_economics(draft: Draft, econ: pd.DataFrame) -> None:
    """The findings of the unit-economics table: CAC, CLV/CAC, its ranking and payback per channel."""
    draft.add("cac_by_channel", {r.channel: round(r.cac, 2) for r in econ.itertuples()},
              "Acquisition cost (CAC) by channel, spend / new customers over the data", unit="currency units")
    draft.add("clv_to_cac_by_channel", {r.channel: round(r.clv_to_cac, 3) for r in econ.itertuples()},
              "CLV / CAC by channel")
    draft.add("clv_to_cac_ranking", list(econ["channel"]), "Channels ranked by CLV / CAC", headline=True)
    draft.add("payback_months_by_channel", {r.channel: round(r.payback_months, 1) for r in econ.itertuples()},
              "Months of margin to pay back the CAC", unit="months")


def _cac_sentence(econ: pd.DataFrame) -> str:
    """The best and worst channel on CLV/CAC, with interval and payback."""
    best, worst = econ.iloc[0], econ.iloc[-1]
    payback = (f"and needs {worst['payback_months']:.0f} months to pay back." if np.isfinite(worst["payback_months"])
               else "and does not pay back within ten years.")
    return (f" Against what they cost, **{md(best['channel'])}** returns **{best['clv_to_cac']:.1f}×** its CAC "
            f"(interval {best['ratio_low']:.1f} to {best['ratio_high']:.1f}) and pays back in "
            f"{best['payback_months']:.0f} months; **{md(worst['channel'])}** returns only "
            f"{worst['clv_to_cac']:.2f}× " + payback)


def persona_worth(ds: Dataset, acquired: pd.DataFrame, costs: AcquisitionCost | None, margin: float,
                  annual_discount_rate: float, horizon_years: float, n_boot: int = 30, seed: int = 0) -> Section:
    """Section 1, by persona: the run's one persona assignment and the CLV (and CAC) of each persona's new customers.

    Results: ``personas`` (:func:`~customer_workbook.segments.find_personas`) and ``table`` (or None when
    fewer than 100 customers were acquired inside the window).
    """
    draft = Draft()
    personas = find_personas(ds)  # the run's one persona assignment: the same call in notebooks 01, 04 and 05
    draft.add("persona_assignment", personas.fingerprint(),
              "Fingerprint of every customer's persona (equal in notebooks 01, 03, 04, 05)")
    draft.add("persona_counts", personas.counts(), "Customers per persona (unassigned: fewer than 2 orders)")
    if len(acquired) < 100:
        draft.skip("CLV by persona", ["customers"], "Fewer than 100 customers were acquired inside the data window.")
        return draft.done(personas=personas, table=None)
    persona_of = personas.assignment.fillna(UNASSIGNED)
    acq_p = acquired.assign(persona=acquired["customer_id"].astype(str).map(persona_of)).dropna(subset=["persona"])
    table = clv.group_clv(ds.transactions, acq_p, margin=margin, annual_discount_rate=annual_discount_rate,
                          horizon_years=horizon_years, n_boot=n_boot, group_column="persona", seed=seed).table
    if costs is not None:
        table["cac"] = table["group"].map(acquisition.persona_cac(acquired, persona_of, costs.table))
        table["clv_to_cac"] = table["clv"] / table["cac"]
    draft.show(plots.styled_table(table.rename(columns={"group": "persona"}), _MONEY))
    draft.add("clv_by_persona", {r.group: round(r.clv, 2) for r in table.itertuples()},
              "CLV of a newly acquired customer by persona", unit="currency units")
    named = table[table["group"] != UNASSIGNED]
    top, low = named.iloc[0], named.iloc[-1]
    text = (f"**{md(top['group'])}** are the most valuable new customers ({top['clv']:,.0f} each), "
            f"**{md(low['group'])}** the least ({low['clv']:,.0f}).")
    if costs is not None:
        text += (f" Per unit of acquisition cost, {md(named.sort_values('clv_to_cac').iloc[-1]['group'])} "
                 f"return the most ({named['clv_to_cac'].max():.1f}× CAC).")
    draft.say(text)
    return draft.done(personas=personas, table=table)


# --------------------------------------------------------------------------- 2. spend response


def spend_response(ds: Dataset, costs: AcquisitionCost | None, carryover: str | bool = "auto", curve_boot: int = 100,
                   spend_levels=(0.5, 1.0, 1.5, 2.0), current_weeks: int = 52, seed: int = 0) -> Section:
    """Section 2: each channel's response curve, the marginal CAC at multiples of today's spend, carry-over.
    Results: ``curves`` (``{channel: ResponseCurve}``, empty without marketing data) and ``current``
    (``{channel: today's weekly spend}``).
    """
    draft = Draft()
    if costs is None:
        draft.skip("Spend response curves", ["marketing"])
        return draft.done(curves={}, current={})
    curves = acquisition.fit_response_curves(ds.marketing, carryover=carryover, n_boot=curve_boot, seed=seed)
    current = costs.current_spend
    mc = acquisition.marginal_cac_table(curves, current, multiples=spend_levels)
    draft.show(plots.plot_response_curves(ds.marketing, curves, current), plots.styled_table(mc, _CAC_FORMATS))
    draft.add("response_curves", {c: {"vmax": round(v.vmax, 3), "k": round(v.k, 2), "shape": round(v.shape, 3),
                                      "carryover": round(v.theta, 3)} for c, v in curves.items()},
              "Fitted Hill curves: ceiling (new customers per week), half-saturation spend, shape, carry-over")
    carry = [c for c, v in curves.items() if v.theta > 0]
    draft.add("carryover_channels", carry, "Channels whose spend carries over into later weeks")
    draft.add("current_weekly_spend", {c: round(v, 2) for c, v in current.items()},
              f"Weekly spend per channel (mean of the last {current_weeks} weeks)", unit="currency units")
    marg = {c: float(curves[c].marginal_cac(current[c])) for c in curves}
    draft.add("marginal_cac_at_current", {c: round(v, 2) for c, v in marg.items()},
              "Marginal CAC at today's spend", unit="currency units")
    cheap, dear = min(marg, key=marg.get), max(marg, key=marg.get)
    draft.say(f"At today's spend the next customer is cheapest on **{md(cheap)}** (marginal CAC {marg[cheap]:,.0f}) "
              f"and dearest on **{md(dear)}** ({marg[dear]:,.0f}). "
              + (f"Carry-over was found for {', '.join(map(md, carry))}." if carry else
                 "No channel shows a carry-over of spend into later weeks, so each week's spend is valued on its own."))
    return draft.done(curves=curves, current=current)


# --------------------------------------------------------------------------- 3. the value-maximising budget


def best_budget(curves: Mapping[str, ResponseCurve], current: Mapping[str, float], clv_values: Mapping,
                clv_draws: Mapping[str, np.ndarray], margin: float, annual_discount_rate: float, horizon_years: float,
                max_spend_multiple: float = 1.5, seed: int = 0) -> Section:
    """Section 3: the value frontier, today's plan against the value-maximising one, and the objectives compared.
    Results: ``plan`` (:class:`~customer_workbook.acquisition.BudgetPlan`, None without curves or CLV),
    ``bounds`` (``{channel: (lowest, highest) weekly spend}``) and ``plan_curves`` (the curves of the
    plan's channels).
    """
    draft = Draft()
    clv_now = {c: v.clv(margin, annual_discount_rate, horizon_years) for c, v in clv_values.items()}
    if not curves or not clv_now:
        draft.skip("Firm value at each budget", ["marketing"], "Without spend per channel there is no response curve to value.")
        return draft.done(plan=None, bounds={}, plan_curves={})
    bounds = {c: (0.0, max_spend_multiple * curves[c].max_spend) for c in curves}
    plan = acquisition.plan_summary(curves, clv_now, current, bounds, seed=seed)
    plan_curves = {c: curves[c] for c in plan.channels}
    draws = acquisition.optimum_interval(plan_curves, clv_draws, bounds, n=200, seed=seed, clv_point=clv_now)
    lo, hi = np.quantile(draws, [0.05, 0.95])
    grid = np.linspace(0.1, 1.6, 16) * max(plan.optimum_budget, plan.current_budget)
    frontier = acquisition.budget_frontier(plan_curves, clv_now, current, bounds, grid)
    draft.show(plots.plot_value_frontier(frontier, plan.current_budget, plan.optimum_budget, (lo, hi)))
    compare = pd.DataFrame({"today": plan.current_spend, "best mix, today's budget": plan.best_at_current_spend,
                            "value-maximising": plan.optimum_spend})
    compare.loc["total"] = compare.sum()
    draft.show(plots.styled_table(compare.reset_index(names="weekly spend"), {c: "{:,.0f}" for c in compare.columns}))
    worth = acquisition.worth_per_customer(clv_values, margin, annual_discount_rate, horizon_years)
    objectives = acquisition.objective_comparison(plan_curves, worth, current, bounds, seed=seed)
    draft.show(plots.styled_table(objectives, {"budget": "{:,.0f}", "new_per_week": "{:.1f}", "value": "{:,.0f}",
                                               **{c: "{:.0%}" for c in objectives.columns if c.startswith("share_")}}))
    by_obj = objectives.loc[objectives["plan"] == "free budget"].set_index("objective")["budget"]
    _record_plan(draft, plan, (lo, hi), by_obj)
    draft.say(_plan_sentence(plan, (lo, hi), by_obj))
    return draft.done(plan=plan, bounds=bounds, plan_curves=plan_curves)


def _record_plan(draft: Draft, plan: BudgetPlan, interval: tuple[float, float], by_objective: pd.Series) -> None:
    """The findings of the budget section."""
    money = "currency units"
    draft.add("current_weekly_budget", round(plan.current_budget, 2), "Today's weekly acquisition budget", unit=money)
    draft.add("current_weekly_value", round(plan.current_value, 2), "Weekly value created today", unit=money)
    draft.add("optimal_weekly_budget", round(plan.optimum_budget, 2), "Value-maximising weekly acquisition budget",
              headline=True, unit=money)
    draft.add("optimal_weekly_budget_interval", [round(x, 2) for x in interval],
              "90% interval of the value-maximising budget", unit=money)
    draft.add("optimal_mix", {c: round(v, 4) for c, v in plan.optimum_mix.items()}, "Value-maximising channel mix",
              headline=True, unit="share")
    draft.add("optimal_weekly_value", round(plan.optimum_value, 2), "Weekly value created at the optimum", unit=money)
    draft.add("value_at_stake_per_year", round(52 * plan.value_gain, 2),
              "Extra value a year from moving to the optimal plan", headline=True, unit=money)
    draft.add("best_mix_at_current_budget", {c: round(v, 4) for c, v in plan.best_at_current_mix.items()},
              "Best channel mix at today's budget", unit="share")
    draft.add("optimal_budget_by_objective", {o: round(b, 2) for o, b in by_objective.items()},
              "Weekly budget that maximises each objective", unit=money)


def _plan_sentence(plan: BudgetPlan, interval: tuple[float, float], by_objective: pd.Series) -> str:
    """Today's plan, the optimum with its interval, the value at stake and what lower objectives would spend."""
    lo, hi = interval
    gain = plan.value_gain
    direction = "more" if plan.optimum_budget > plan.current_budget else "less"
    dropped = [c for c, s in plan.best_at_current_mix.items() if s < 0.005]
    return (f"Today's plan spends **{plan.current_budget:,.0f} a week** and creates {plan.current_value:,.0f} of value "
            f"a week. Value peaks at **{plan.optimum_budget:,.0f} a week** (90% interval {lo:,.0f} to {hi:,.0f}), "
            f"{direction} than today, creating {plan.optimum_value:,.0f} a week: **{gain:,.0f} a week, "
            f"{52 * gain:,.0f} a year, is at stake**. Even at today's budget, a better mix would create "
            f"{plan.best_at_current_value:,.0f} a week"
            + (f" by dropping {', '.join(map(md, dropped))}." if dropped else ".")
            + f" Valued on first-year profit, the best budget would be {by_objective['profit']:,.0f}; on first-year "
              f"revenue, {by_objective['revenue']:,.0f}: the lower the objective, the further the plan moves from the "
              f"one that maximises the firm's value.")


# --------------------------------------------------------------------------- 4. conquest or relations


def conquest_or_relations(ds: Dataset, costs: AcquisitionCost | None, curves: Mapping[str, ResponseCurve],
                          current: Mapping[str, float], clv_now: Mapping[str, float], plan: BudgetPlan | None,
                          cost_per_contact: float, margin: float, annual_discount_rate: float, horizon_years: float,
                          seed: int = 0) -> Section:
    """Section 4: the campaign's uplift by segment, the value of one more unit on each side, the recommendation.
    Results: ``uplift`` (per segment, or None without campaigns), ``returns``
    (:func:`~customer_workbook.acquisition.conquest_vs_relations`) and ``recommendation``.
    """
    draft = Draft()
    uplift, value_by_group = None, {}
    if ds.has("campaigns"):
        uplift, value_by_group = _campaign(draft, ds, costs, cost_per_contact, margin, annual_discount_rate,
                                           horizon_years, seed)
    else:
        draft.skip("Retention campaign uplift", ["campaigns"],
                   "Only the conquest side can be valued; a randomised retention test would give the other.")
    returns = acquisition.conquest_vs_relations({c: curves[c] for c in (plan.channels if plan else [])}, clv_now,
                                                current, uplift, value_by_group, cost_per_contact=cost_per_contact)
    if len(returns):
        draft.show(plots.plot_conquest_vs_relations(returns))
    rec = recommendation(returns, plan, cost_per_contact=cost_per_contact)
    draft.add("recommended_option", rec.option, "Where the next unit of budget creates most value", headline=True)
    draft.add("recommendation", rec.plain, "Recommendation", headline=True)
    if rec.best_conquest:
        draft.add("acquisition_return_best", round(rec.best_conquest.return_per_unit, 3),
                  f"Value per extra unit on the best channel ({rec.best_conquest.target})")
    if rec.best_relations:
        draft.add("retention_return_best", round(rec.best_relations.return_per_unit, 3),
                  f"Value per extra unit on the best retention target ({rec.best_relations.target})")
    if rec.breakeven_contact_cost is not None:
        draft.add("breakeven_contact_cost", round(rec.breakeven_contact_cost, 2),
                  "Offer cost at which targeted retention stops beating acquisition", unit="currency units")
    draft.say(rec.text)
    return draft.done(uplift=uplift, returns=returns, recommendation=rec)


def _campaign(draft: Draft, ds: Dataset, costs: AcquisitionCost | None, cost_per_contact: float, margin: float,
              annual_discount_rate: float, horizon_years: float, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """The randomised campaign's part of section 4; returns the uplift table and the value of a retained
    customer per segment."""
    segments = retention.campaign_segments(ds, seed=seed)
    uplift = retention.campaign_uplift(segments)
    retained = retention.retention_scores(ds, segments, margin, annual_discount_rate, horizon_years)  # the one scorer
    value_by_group = retention.retention_value_by_group(segments, retained.value)
    uplift["value_if_retained"] = uplift["group"].map(value_by_group)
    uplift["cost_per_retained"] = np.where(uplift["uplift"] > 0, cost_per_contact / uplift["uplift"], np.nan)
    draft.show(plots.styled_table(uplift, _UPLIFT_FORMATS))
    report = retained.scores.report
    draft.say(f"Customers valued at the send date ({report.as_of:%d %B %Y}): {report.sentence()}")
    draft.add("campaign_uplift_overall", round(float(uplift.iloc[0]["uplift"]), 4),
              "Uplift of the retention campaign, everyone", unit="share")
    draft.add("campaign_uplift_by_segment", {r.group: round(r.uplift, 4) for r in uplift.iloc[1:].itertuples()},
              "Uplift of the retention campaign by segment", unit="share")
    draft.add("retention_cost_per_retained", {r.group: round(r.cost_per_retained, 2) for r in uplift.itertuples()
                                              if np.isfinite(r.cost_per_retained)},
              "Cost per retained customer (offer cost / uplift)", unit="currency units")
    costs_compared = retention.cost_comparison(costs, uplift, cost_per_contact) if costs is not None else None
    if costs_compared:
        draft.add("acquisition_to_retention_cost_ratio", round(costs_compared.ratio, 2),
                  "How many times more it costs to win a customer than to keep one")
        draft.say(f"Over the data, winning a new customer cost **{costs_compared.blended_cac:,.0f}** on average; keeping "
                  f"one more **{md(costs_compared.segment)}** customer costs {costs_compared.retention_cost:,.0f} in "
                  f"offers (offer cost / uplift): conquest is **{costs_compared.ratio:.1f} times** as expensive as "
                  "relations. Cost alone does not decide, though: what counts is the value each extra unit creates.")
    return uplift, value_by_group


@dataclass(frozen=True)
class Choice:
    """The best target of one option: ``target`` (channel, or ``"retention: <segment>"``) and the value one
    more currency unit spent on it returns (``return_per_unit``, currency units per currency unit)."""

    target: str
    return_per_unit: float


@dataclass(frozen=True)
class Recommendation:
    """Conquest vs relations, in words (:func:`recommendation`).

    ``option``: where the next unit goes first ("conquest", "relations"; "neither" when nothing returns
    more than it costs; "unknown" with nothing to compare); ``best_conquest`` / ``best_relations``
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
    con = returns.loc[returns["option"] == "conquest"]
    rel = returns.loc[(returns["option"] == "relations") & ~returns["target"].str.endswith(": all")]
    best_c = Choice(str(con.iloc[0]["target"]), float(con.iloc[0]["return_per_unit"])) if len(con) else None
    best_r = Choice(str(rel.iloc[0]["target"]), float(rel.iloc[0]["return_per_unit"])) if len(rel) else None
    if best_c is None and best_r is None:
        text = "Neither acquisition spend nor a retention campaign is available to compare."
        return Recommendation("unknown", None, None, None, text, text)
    breakeven = None
    if best_c is not None and best_r is not None:
        option = "relations" if best_r.return_per_unit > best_c.return_per_unit else "conquest"
        breakeven = (cost_per_contact * best_r.return_per_unit / best_c.return_per_unit if cost_per_contact
                     else None)
    else:
        only = best_c or best_r
        option = ("conquest" if best_c else "relations") if only.return_per_unit > 1 else "neither"
    do_not_contact = [str(t).removeprefix("retention: ") for t in
                      returns.loc[(returns["option"] == "relations") & (returns["uplift_high"] < 0), "target"]]

    def say(b: str, e) -> str:
        parts = [_comparison_sentence(best_c, best_r, option, breakeven, b, e)]
        if best_c is not None and plan is not None:
            parts.append(_acquisition_plan_sentence(plan, b, e))
        if best_r is not None:  # which segment's offers to fund, and whom the offer pushes away
            parts.append(f"Retention: fund offers for {b}{e(best_r.target.removeprefix('retention: '))}{b}"
                         + (f" and do not contact {', '.join(e(t) for t in do_not_contact)}, "
                            "whom the offer measurably pushes away." if do_not_contact else "."))
        return " ".join(parts)

    return Recommendation(option, best_c, best_r, breakeven, say("**", md), say("", str))


def _comparison_sentence(best_c: Choice | None, best_r: Choice | None, option: str, breakeven: float | None,
                         b: str, e) -> str:
    """One more unit on the best retention target against the best channel (``b`` around bold parts, ``e``
    applied to channel and segment names)."""
    if best_c is not None and best_r is not None:
        rc, rr = best_c.return_per_unit, best_r.return_per_unit
        if breakeven is None:
            note = ""
        elif option == "relations":
            note = f" (retention stays ahead while an offer costs less than {breakeven:,.2f})"
        else:
            note = f" (retention would overtake only if an offer cost less than {breakeven:,.2f})"
        also = " Both create value, so both deserve funding up to their own optimum." if rc > 1 and rr > 1 else ""
        return (f"One more unit spent on {b}{e(best_r.target)}{b} returns {b}{rr:.2f}{b} in long-term value, against "
                f"{b}{rc:.2f}{b} on the best acquisition channel ({b}{e(best_c.target)}{b}) at today's spend, so the "
                f"next unit should go to {b}{option}{b} first{note}.{also}")
    if best_c is not None:
        return (f"Without a randomised retention campaign only the conquest side can be valued: one more unit "
                f"on {b}{e(best_c.target)}{b} returns {b}{best_c.return_per_unit:.2f}{b}.")
    return (f"Without marketing spend data only the relations side can be valued: one more unit on "
            f"{b}{e(best_r.target)}{b} returns {b}{best_r.return_per_unit:.2f}{b}.")


def _acquisition_plan_sentence(plan: BudgetPlan, b: str, e) -> str:
    """Raise or lower the weekly budget, the mix, the channels to stop and the value gained."""
    direction = "raise" if plan.optimum_budget > plan.current_budget else "lower"
    mix = ", ".join(f"{e(c)} {s:.0%}" for c, s in sorted(plan.optimum_mix.items(), key=lambda kv: -kv[1]) if s > 0.005)
    dropped = [e(c) for c, s in plan.optimum_mix.items() if s <= 0.005]
    gain = plan.value_gain
    return (f"Recommended acquisition plan: {b}{direction} the weekly budget from {plan.current_budget:,.0f} to "
            f"{plan.optimum_budget:,.0f}{b} ({mix}" + (f"; stop {', '.join(dropped)}" if dropped else "") +
            f"), worth {b}{gain:,.0f} a week{b} ({52 * gain:,.0f} a year) more in value created.")


# --------------------------------------------------------------------------- the levers and their evidence


def levers(ds: Dataset, econ: pd.DataFrame | None, returns: pd.DataFrame | None,
           uplift: pd.DataFrame | None) -> Section:
    """Section 4, levers: the methodology's levers of conquest and relations with the evidence the data give.

    Reads the run's order and per-customer tables (:func:`customer_workbook.base.derived`), the
    engagement and survey tables when present, the unit economics ``econ``, the ``returns`` of one more
    unit (:func:`~customer_workbook.acquisition.conquest_vs_relations`) and the campaign ``uplift``.
    Results: ``table`` with ``option``, ``lever``, ``evidence`` (a sentence computed from the data, or
    what is missing).
    """
    draft = Draft()
    returns = returns if returns is not None and len(returns) else None
    rows = [("conquest", *r) for r in _conquest_levers(ds, econ, returns)]
    rows += [("relations", *r) for r in _relations_levers(ds, uplift)]
    table = pd.DataFrame(rows, columns=["option", "lever", "evidence"])
    draft.show(plots.styled_table(table))
    n = draft.add("levers_with_evidence", int((~table["evidence"].str.startswith("no ")).sum()),
                  "Levers of conquest and relations with evidence in the data")
    draft.say(f"The data give evidence for {n} of the {len(table)} levers.")
    return draft.done(table=table)


def _conquest_levers(ds: Dataset, econ: pd.DataFrame | None, returns: pd.DataFrame | None) -> list[tuple[str, str]]:
    """(lever, evidence) of a passionate segment, social proof of quality, the first cycle, social and search."""
    rows = []
    add = lambda lever, text: rows.append((lever, text))  # noqa: E731

    if econ is not None and len(econ):
        top = econ.sort_values("clv", ascending=False).iloc[0]
        add("passionate segment to start from",
            f"customers from {top['channel']} are worth the most ({top['clv']:,.0f} CLV each); start from them")
    else:
        add("passionate segment to start from", "needs acquisition channels (customers table)")
    eng = ds.engagement
    if eng is not None and "rating" in eng:
        rev = eng.loc[eng["event"].astype(str) == "review"]
        add("social proof of quality (SPOQ) marketing",
            f"{len(rev):,} reviews from {rev['customer_id'].nunique():,} customers, mean rating "
            f"{rev['rating'].mean():.1f}/5: material for reviews and ratings in acquisition marketing")
    else:
        add("social proof of quality (SPOQ) marketing", "no review data (engagement table)")
    share = acquisition.first_cycle_repeat_share(derived(ds).orders, 90, end=ds.transactions["date"].max())
    add("first-cycle influence (continuum marketing)",
        f"{share:.0%} of customers order again within 90 days of their first order; "
        "the first cycle decides whether a new customer stays")
    ratio_col = None if econ is None else next((c for c in ("clv_to_cac_current", "clv_to_cac") if c in econ), None)
    for ch, lever in (("social", "social marketing"), ("search", "search engine marketing")):
        if returns is None or not (returns["target"] == ch).any():
            add(lever, f"no '{ch}' channel in the marketing data")
            continue
        r = returns.loc[returns["target"] == ch].iloc[0]
        extra = ""
        if ratio_col and (econ["channel"] == ch).any():
            extra = f", CLV/CAC {float(econ.loc[econ['channel'] == ch, ratio_col].iloc[0]):.1f}"
        add(lever, f"one more unit on {ch} returns {r['return_per_unit']:.2f} in value"
            f" (marginal CAC {r['cost_per_customer']:,.0f}{extra})")
    return rows


def _relations_levers(ds: Dataset, uplift: pd.DataFrame | None) -> list[tuple[str, str]]:
    """(lever, evidence) of belonging, feeling special, clear value and data-driven relationships."""
    rows = []
    add = lambda lever, text: rows.append((lever, text))  # noqa: E731

    eng, sv = ds.engagement, ds.surveys
    if eng is not None:
        orders = derived(ds).customers["orders"]
        events = eng["event"].astype(str)
        posters = eng.loc[events == "community_post", "customer_id"].unique()
        add("sense of belonging", f"{len(posters):,} customers ({len(posters) / max(len(orders), 1):.1%}) post in the "
            "community; " + _orders_gap(orders, posters))
        adv = eng.loc[events.isin(["review", "referral"]), "customer_id"].unique()
        add("customer feeling special",
            f"{len(adv):,} customers review or refer: candidates for recognition and status; " + _orders_gap(orders, adv))
    else:
        add("sense of belonging", "no engagement data")
        add("customer feeling special", "no engagement data")
    if sv is not None and "sat_pricing" in sv:
        add("clear value", f"mean satisfaction with pricing {sv['sat_pricing'].mean():.2f}/5"
            + (f" and with quality {sv['sat_quality'].mean():.2f}/5" if "sat_quality" in sv else ""))
    else:
        add("clear value", "no satisfaction survey")
    if uplift is not None and len(uplift) > 1:
        best = uplift.iloc[1:].sort_values("uplift", ascending=False).iloc[0]
        worst = uplift.iloc[1:].sort_values("uplift").iloc[0]
        add("data-driven relationships",
            f"the campaign lifted '{best['group']}' by {best['uplift']:+.1%} but moved '{worst['group']}' by "
            f"{worst['uplift']:+.1%} (all: {uplift.iloc[0]['uplift']:+.1%}): target by data, not blanket")
    else:
        add("data-driven relationships", "no randomised campaign")
    return rows


def _orders_gap(orders_per_customer: pd.Series, ids) -> str:
    """Mean orders of the customers ``ids`` against everyone else, in words."""
    inside = orders_per_customer.index.isin(pd.Index(ids))
    if not inside.any() or inside.all():
        return "no comparison group"
    return (f"they average {orders_per_customer[inside].mean():.1f} orders against "
            f"{orders_per_customer[~inside].mean():.1f} for others")


# --------------------------------------------------------------------------- 5. what if


def what_if_plans(curves: Mapping[str, ResponseCurve], clv_values: Mapping, plan: BudgetPlan | None,
                  bounds: Mapping[str, tuple[float, float]], margin: float, annual_discount_rate: float,
                  horizon_years: float, interactive: bool = False) -> Section:
    """Section 5: the budget explorer (``interactive``), or today's and the value-maximising plan valued."""
    draft = Draft()
    if plan is None:
        draft.skip("Budget what-if", ["marketing"])
        return draft.done()

    def parts(margin=margin, discount_rate=annual_discount_rate, **spend) -> list:
        result = acquisition.what_if(spend, curves, clv_values, margin, discount_rate, horizon_years, bounds)
        table = plots.styled_table(result.table, {"spend": "{:,.0f}", "new_per_week": "{:.1f}", "cac": "{:,.0f}",
                                                  "marginal_cac": "{:,.0f}", "clv": "{:,.0f}"})
        return [table, f"**{result.new_per_week:.1f} new customers a week** at a blended CAC of {result.cac:,.0f}; "
                       f"value created {result.value:,.0f} a week. The optimum at this margin and discount rate spends "
                       f"{result.optimum_budget:,.0f} a week and creates {result.optimum_value:,.0f}: this plan is "
                       f"**{result.gap:,.0f} a week** short of it."]

    if interactive:
        from IPython.display import Markdown, display

        def show_plan(**values) -> None:
            table, text = parts(**values)
            display(table, Markdown(text))

        draft.show(widgets.budget_explorer(show_plan, dict(plan.current_spend), {c: b[1] for c, b in bounds.items()},
                                           margin, annual_discount_rate))
        return draft.done()
    for title, spend in (("**Today's plan**", plan.current_spend), ("**Value-maximising plan**", plan.optimum_spend)):
        table, text = parts(**spend)
        draft.say(title)
        draft.show(table)
        draft.say(text)
    return draft.done()


def headline_first(findings, keys=HEADLINE_ORDER) -> None:
    """Reorder a :class:`~customer_workbook.findings.Findings` so ``keys`` (those present) come first.

    The report lists headline findings in recorded order; the recommendation and the value at stake
    are computed last but should lead.
    """
    lead = {k: findings.items[k] for k in keys if k in findings.items}
    findings.items = {**lead, **{k: v for k, v in findings.items.items() if k not in lead}}
