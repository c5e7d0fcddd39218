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
from dataclasses import replace

import numpy as np
import pandas as pd

from .. import acquisition, cache, clv, plots
from ..findings import date_words
from ..acquisition import AcquisitionCost, BudgetPlan, ResponseCurve
from ..stats import Leader, se_from_draws, separate_top
from ..data import Dataset
from ..escaping import md
from ..segments import UNASSIGNED, find_personas
from ..segments.profiles import persona_coverage
from ._strategy_choice import Choice, Recommendation, recommendation
from ._strategy_budget import record_plan
from ._strategy_decision import strategy_decisions, value_gain_interval
from .decision import decision_section
from ._strategy_campaign import campaign_part as _campaign
from ._strategy_levers import levers
from ._strategy_what_if import _creates, what_if_plans
from ..value_unit import MONEY, SPEND, counts_purchases, skip_money_comparison
from .section import Draft, Section

__all__ = ["HEADLINE_ORDER", "Choice", "Recommendation", "best_budget", "conquest_or_relations", "decision",
           "headline_first", "levers", "new_customer_worth", "persona_worth", "recommendation", "spend_response", "what_if_plans"]

#: Findings that lead the report (:func:`headline_first`), in this order.
HEADLINE_ORDER = ("recommendation", "recommended_option", "value_at_stake_per_year", "optimal_weekly_budget",
                  "optimal_mix")

_MONEY = {"clv": "{:,.0f}", "clv_low": "{:,.0f}", "clv_high": "{:,.0f}", "cac": "{:,.0f}", "cac_low": "{:,.0f}",
          "cac_high": "{:,.0f}", "clv_to_cac": "{:.2f}", "ratio_low": "{:.2f}", "ratio_high": "{:.2f}",
          "payback_months": lambda v: f"{v:.1f}" if np.isfinite(v) else "over 10 years", "n_acquired": "{:,}", "buyer_share": "{:.0%}", "first_value": "{:,.0f}",
          "repeat_spend": "{:,.0f}", "repeat_purchases": "{:.1f}"}
_CAC_FORMATS = {"multiple": "{:.1f}×", "spend": "{:,.0f}", "new_per_week": "{:.1f}", "cac": "{:,.0f}",
                "marginal_cac": "{:,.0f}", "marginal_cac_low": "{:,.0f}", "marginal_cac_high": "{:,.0f}"}
_UNPLACED_REASON = ("new customers without a second order: a group defined by not reordering has no repeat buying to "
                    "model, and the model of all new customers would credit them with repeat orders they never make")

# --------------------------------------------------------------------------- 1. worth and cost of a new customer


def new_customer_worth(ds: Dataset, margin: float, annual_discount_rate: float, horizon_years: float,
                       current_weeks: int = 52, n_boot: int = 30, seed: int = 0,
                       business_unit: str | None = None) -> Section:
    """Section 1: the CLV of a newly acquired customer per channel and, with marketing data, CAC, CLV/CAC and payback.

    With a ``business_unit`` (region) and marketing data, a note first says that acquisition costs are
    company-wide while customer values are the region's. Channels whose value model does not pass the gate
    of :func:`~customer_workbook.clv.group_clv` (too few buying customers, a fit that did not converge) are
    named in a note; when no channel has a value the section says why and shows only the CAC. Results:
    ``acquired`` (:func:`~customer_workbook.acquisition.acquired_customers`), ``clv_values``, ``clv_draws``
    (:func:`~customer_workbook.clv.group_clv`, empty when nothing was valued), ``clv_now`` (``{channel: CLV}``),
    ``costs`` (:class:`~customer_workbook.acquisition.AcquisitionCost` or None) and ``econ`` (unit economics or None).
    """
    draft = Draft()
    if business_unit is not None and ds.has("marketing"):
        draft.say(f"> Marketing spend is recorded for the whole business, not per region: acquisition costs "
                  f"below are company-wide, while customer values are for **{md(business_unit)}**.")
    acquired = acquisition.acquired_customers(ds)
    by_channel = clv.group_clv(ds.transactions, acquired, margin=margin, annual_discount_rate=annual_discount_rate,
                               horizon_years=horizon_years, n_boot=n_boot, seed=seed)
    clv_table, clv_values, clv_draws = by_channel.table, by_channel.values, by_channel.shown_draws()
    clv_now = {c: v.clv(margin, annual_discount_rate, horizon_years) for c, v in clv_values.items()}
    costs = (acquisition.acquisition_cost(ds.marketing, current_weeks=current_weeks, seed=seed)
             if ds.has("marketing") else None)
    draft.add("n_acquired_in_window", int(len(acquired)), "Customers acquired inside the data window")
    if clv_table.empty:
        draft.say(_no_value_note("The value of a new customer", ds, acquired, by_channel.left_out))
        if costs is not None:
            draft.show(plots.styled_table(costs.table[["channel", "weeks", "spend", "new_customers", "cac", "cac_low",
                                                       "cac_high"]], _MONEY | {"spend": "{:,.0f}"}))
            draft.say("Acquisition cost per channel (spend / new customers) still holds; without the value of a new "
                      "customer there is no CLV/CAC, payback or value-maximising budget.")
        return draft.done(acquired=acquired, clv_values={}, clv_draws={}, clv_now={}, costs=costs, econ=None)
    draft.add("clv_by_channel", {c: round(v, 2) for c, v in clv_now.items()},
              "CLV of a newly acquired customer by channel", unit="currency units")
    draft.add("clv_interval_by_channel", {r.group: [round(r.clv_low, 2), round(r.clv_high, 2)] for r in clv_table.itertuples()
                                          if np.isfinite(r.clv_low) and np.isfinite(r.clv_high)},
              "90% bootstrap interval of the CLV of a newly acquired customer by channel (channels with one)",
              unit="currency units")
    draft.add("clv_purchase_model", by_channel.purchase_model, "Purchase model of new customers, chosen on held-out "
              "data (BG/NBD or MBG/NBD)")
    draft.add("clv_ranking", list(clv_table["group"]), "Channels ranked by the CLV of the customers they bring")
    lead = _clv_leader(clv_table, clv_draws)
    draft.add("clv_best_channel", lead.label(), "Channel whose new customers are measurably worth the most (90% level, "
              "Holm-corrected), or 'no clear difference'")
    text = (_clv_sentence(clv_table, margin, annual_discount_rate, horizon_years, lead)
            + _left_out_sentence(by_channel.left_out) + by_channel.failed_sentence(md) + by_channel.model_sentence())
    econ = None
    if costs is not None and not counts_purchases(ds):
        econ = acquisition.unit_economics(clv_table, clv_draws, clv_values, costs, margin=margin, seed=seed)
        draft.show(plots.styled_table(_shown_economics(econ.drop(columns="ratio_se_log")), _MONEY),
                   plots.plot_unit_economics(econ))
        _record_unit_economics(draft, econ)
        draft.say(text + _cac_sentence(econ))
    else:
        draft.show(plots.styled_table(clv_table, _MONEY))
        draft.say(text)
        if costs is not None:  # data without revenue: the value of a new customer counts purchases
            skip_money_comparison(draft, "CLV / CAC and payback by channel", "the value of a new customer",
                                  "what acquiring one costs (CAC)")
        else:
            draft.skip("Acquisition cost and CLV/CAC", ["marketing"],
                       "The CLV side above still holds; spend per channel is needed for CAC, payback and the budget.")
    return draft.done(acquired=acquired, clv_values=clv_values, clv_draws=clv_draws, clv_now=clv_now, costs=costs,
                      econ=econ)


def _no_value_note(what: str, ds: Dataset, acquired: pd.DataFrame, left_out: Mapping[str, str],
                   min_customers: int = 30) -> str:
    """Why no group of new customers could be valued, in words (Markdown)."""
    start = ds.transactions["date"].min()
    if ds.customers is not None and "signup_date" in ds.customers:
        rule = f"customers who signed up on or after the first transaction ({date_words(start)})"
    else:
        rule = (f"without signup dates, customers whose first purchase comes 26 weeks or more after the first "
                f"transaction ({date_words(start)}), since those first seen earlier cannot be told apart from existing "
                "customers")
    if len(acquired) < min_customers:
        reason = (f"only {len(acquired):,} customers were acquired inside the data window ({rule}); a model of new "
                  f"customers needs at least {min_customers} who buy. A `customers` table with `signup_date`, or a "
                  "longer history with customers acquired after its start, would give the value of a new customer")
    elif any("fewer than" not in r for r in left_out.values()):
        why = "; ".join(f"{md(g)}: {md(r, 200)}" for g, r in left_out.items())
        reason = (f"the customer-value model (BG/NBD or MBG/NBD repeat buying, Gamma-Gamma spend) does not fit the "
                  f"{len(acquired):,} customers acquired inside the data window without reservation ({why})")
    else:
        reason = (f"no group of the {len(acquired):,} customers acquired inside the data window ({rule}) has the "
                  f"{min_customers} buying customers a model needs")
    return f"> **Not shown: {what.lower()}** because {reason}."


def _left_out_sentence(left_out: Mapping[str, str]) -> str:
    """The groups without a value and why (Markdown), or ''."""
    if not left_out:
        return ""
    return " Not valued: " + "; ".join(f"**{md(g)}** ({md(r, 200)})" for g, r in left_out.items()) + "."


def _clv_leader(clv_table: pd.DataFrame, clv_draws: Mapping[str, np.ndarray]) -> Leader:
    """Whether the group with the highest CLV is measurably ahead of the others (bootstrap errors of the CLV;
    a pooled group without draws is never separated)."""
    return separate_top(dict(zip(clv_table["group"], clv_table["clv"])),
                        {g: se_from_draws(clv_draws.get(g, ())) for g in clv_table["group"]})


def _clv_sentence(clv_table: pd.DataFrame, margin: float, annual_discount_rate: float, horizon_years: float,
                  lead: Leader | None = None) -> str:
    """The most and least valuable channels' new customers (only when the data separate the most valuable,
    ``lead``; otherwise the range and "no measurable difference"), and which channels borrow the pooled model."""
    top, low = clv_table.iloc[0], clv_table.iloc[-1]
    text = (f"Over {horizon_years:g} years, at a {margin:.0%} margin and a {annual_discount_rate:.0%} yearly discount "
            f"rate, a customer from **{md(top['group'])}** is worth **{top['clv']:,.0f}**" + _interval(top, "clv"))
    if lead is not None and len(clv_table) > 1 and not lead.clear:
        text = (f"Over {horizon_years:g} years, at a {margin:.0%} margin and a {annual_discount_rate:.0%} yearly discount "
                f"rate, a new customer is worth between {low['clv']:,.0f} and {top['clv']:,.0f} depending on the channel, "
                f"but the data do not separate the channels: **no measurable difference** (90% level, corrected for "
                f"the {len(clv_table) - 1} comparisons) between {', '.join(map(md, sorted(lead.tied)))}")
    elif len(clv_table) > 1:
        times = (f", {top['clv'] / low['clv']:.1f} times less" if low["clv"] > 0 and top["clv"] > low["clv"]
                 else "")
        text += f"; one from **{md(low['group'])}** is worth {low['clv']:,.0f}{times}"
    text += "."
    pooled = list(clv_table.loc[clv_table["model"] == "pooled", "group"])
    if pooled:
        text += (f" The customers of {', '.join(map(md, pooled))} do not fit a model of their own: their repeat "
                 "buying is taken from all new customers (no interval).")
    return text


def _interval(row: pd.Series, column: str, fmt: str = "{:,.0f}") -> str:
    """`` (90% interval lo to hi)`` of ``column``, or '' when the interval is missing."""
    lo, hi = row[f"{column}_low"], row[f"{column}_high"]
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return ""
    return f" (90% interval {fmt.format(lo)} to {fmt.format(hi)})"


def _shown_economics(econ: pd.DataFrame) -> pd.DataFrame:
    """The unit-economics table for display: an infinite ratio (no spend) reads as blank, not inf; a payback
    beyond the horizon reads "over 10 years" (its format in ``_MONEY``)."""
    other = econ.columns.drop("payback_months", errors="ignore")
    return econ.assign(**{c: econ[c].replace([np.inf, -np.inf], np.nan) for c in other
                          if pd.api.types.is_float_dtype(econ[c])})


def _finite(values: Mapping) -> dict:
    """The entries of ``values`` whose value is a finite number."""
    return {k: v for k, v in values.items() if v is not None and np.isfinite(v)}


def _record_unit_economics(draft: Draft, econ: pd.DataFrame) -> None:
    """The findings of the unit-economics table: CAC, CLV/CAC, its ranking and payback per channel (channels
    whose margin never pays the CAC back within ten years are listed apart)."""
    draft.add("cac_by_channel", _finite({r.channel: round(r.cac, 2) for r in econ.itertuples()}),
              "Acquisition cost (CAC) by channel, spend / new customers over the data", unit="currency units")
    draft.add("clv_to_cac_by_channel", _finite({r.channel: round(r.clv_to_cac, 3) for r in econ.itertuples()}),
              "CLV / CAC by channel")
    lead = _ratio_leader(econ)
    draft.add("clv_to_cac_ranking", list(econ["channel"]), "Channels ranked by CLV / CAC (point estimates)",
              headline=lead.clear and len(econ) > 1)
    draft.add("clv_to_cac_best", lead.label(), "Channel measurably ahead on CLV / CAC (90% level, Holm-corrected), "
              "or 'no clear difference'")
    if not lead.clear:
        draft.add("clv_to_cac_tied", list(lead.tied), "Channels the data do not separate on CLV / CAC")
    payback = {r.channel: round(r.payback_months, 1) for r in econ.itertuples()}
    draft.add("payback_months_by_channel", _finite(payback), "Months of margin to pay back the CAC", unit="months")
    never = [c for c, v in payback.items() if not np.isfinite(v)]
    if never:
        draft.add("channels_not_paying_back", never, "Channels whose customers do not pay back their CAC in ten years")


def _ratio_leader(econ: pd.DataFrame) -> Leader:
    """Whether the channel with the highest CLV/CAC is measurably ahead (log ratio, its bootstrap error)."""
    ratio = econ["clv_to_cac"].where(econ["clv_to_cac"] > 0)
    return separate_top(dict(zip(econ["channel"], np.log(ratio))), dict(zip(econ["channel"], econ["ratio_se_log"])))


def _cac_sentence(econ: pd.DataFrame) -> str:
    """The best and worst channel on CLV/CAC, with interval and payback; without a measurable leader, the
    range and "no measurable difference"."""
    def payback(row: pd.Series, template: str) -> str:
        months = row["payback_months"]
        return template.format(months) if np.isfinite(months) else "does not pay back within ten years"

    best, worst = econ.iloc[0], econ.iloc[-1]
    lead = _ratio_leader(econ)
    if len(econ) > 1 and not lead.clear:
        return (f" Against what they cost, the channels return between {worst['clv_to_cac']:.2f}× and "
                f"{best['clv_to_cac']:.2f}× their CAC, with **no measurable difference** between "
                f"{', '.join(map(md, sorted(lead.tied)))} (90% level, corrected for the comparisons): no channel is "
                "shown to be the better buy.")
    interval = _interval(best, "ratio", "{:.1f}").replace("90% interval", "interval")
    text = (f" Against what they cost, **{md(best['channel'])}** returns **{best['clv_to_cac']:.1f}×** its CAC"
            f"{interval} and {payback(best, 'pays back in {:.0f} months')}")
    if len(econ) > 1:
        text += (f"; **{md(worst['channel'])}** returns only {worst['clv_to_cac']:.2f}× "
                 f"and {payback(worst, 'needs {:.0f} months to pay back')}")
    return text + "."


def persona_worth(ds: Dataset, acquired: pd.DataFrame, costs: AcquisitionCost | None, margin: float,
                  annual_discount_rate: float, horizon_years: float, n_boot: int = 30, seed: int = 0,
                  min_acquired: int = 100) -> Section:
    """Section 1, by persona: the run's one persona assignment and the CLV (and CAC) of each persona's new customers.

    Results: ``personas`` (:func:`~customer_workbook.segments.find_personas`) and ``table`` (or None when
    fewer than ``min_acquired`` customers were acquired inside the window or no persona could be valued).
    """
    draft = Draft()
    personas = cache.call(find_personas, ds)  # the run's one persona assignment: the same call in notebooks 01, 04 and 05
    draft.add("persona_assignment", personas.fingerprint(),
              "Fingerprint of every customer's persona (equal in notebooks 01, 03, 04, 05)")
    draft.add("persona_counts", personas.counts(), "Customers per persona (unassigned: fewer than 2 orders)")
    if personas.found:
        draft.say(_coverage_sentence(personas))
    if len(acquired) < min_acquired:
        draft.say(f"> **Not shown: CLV by persona** because {len(acquired):,} customers were acquired inside the data "
                  f"window; valuing new customers by persona needs at least {min_acquired}.")
        return draft.done(personas=personas, table=None)
    if not personas.found:  # too few repeat buyers to find personas (segments.MIN_CLUSTERED)
        draft.say(personas.too_few.note("CLV by persona"))
        return draft.done(personas=personas, table=None)
    persona_of = personas.assignment.fillna(UNASSIGNED)
    acq_p = acquired.assign(persona=acquired["customer_id"].astype(str).map(persona_of)).dropna(subset=["persona"])
    values = clv.group_clv(ds.transactions, acq_p, margin=margin, annual_discount_rate=annual_discount_rate,
                           horizon_years=horizon_years, n_boot=n_boot, group_column="persona", seed=seed,
                           pooled_fallback=False)  # personas are defined by repeat buying: none borrows the pooled model
    left_out = {g: (_UNPLACED_REASON if g == UNASSIGNED else r) for g, r in values.left_out.items()}
    table = values.table
    if table.empty:
        draft.say(_no_value_note("CLV by persona", ds, acq_p, left_out))
        return draft.done(personas=personas, table=None)
    if costs is not None and not counts_purchases(ds):  # CLV / CAC sets value against money
        table["cac"] = table["group"].map(acquisition.persona_cac(acquired, persona_of, costs.table))
        table["clv_to_cac"] = table["clv"] / table["cac"]
    draft.show(plots.styled_table(_shown_economics(table.rename(columns={"group": "persona"})), _MONEY))
    draft.add("clv_by_persona", {r.group: round(r.clv, 2) for r in table.itertuples()},
              "CLV of a newly acquired customer by persona", unit="currency units")
    named = table[table["group"] != UNASSIGNED]
    lead = _clv_leader(named.dropna(subset=["clv_low"]), values.shown_draws()) if named["clv_low"].count() > 1 else None
    if lead is not None:
        draft.add("clv_best_persona", lead.label(), "Persona whose new customers are measurably worth the most "
                  "(90% level, Holm-corrected), or 'no clear difference'")
    draft.say(_persona_sentence(named, "cac" in table, lead) + _left_out_sentence(left_out)
              + values.failed_sentence(md))
    return draft.done(personas=personas, table=table)


def _coverage_sentence(personas) -> str:
    """How many customers the personas describe, of how many, and why the rest are unassigned (too few orders),
    with :func:`~customer_workbook.segments.profiles.persona_coverage`'s warning when they are a minority."""
    described, unassigned = len(personas.clustered), personas.counts()[UNASSIGNED]
    total = described + unassigned
    if not unassigned:
        return f"The personas describe all {total:,} customers (each has at least {personas.min_orders} orders)."
    return (f"The personas describe **{described:,} of the {total:,} customers**, those with at least "
            f"{personas.min_orders} orders{persona_coverage(described, total)}; the other {unassigned:,} have fewer "
            "and stay unassigned.")


def _persona_sentence(named: pd.DataFrame, with_costs: bool, lead: Leader | None = None) -> str:
    """The most and least valuable personas among new customers (the most valuable named only when ``lead``
    separates it from the others), and the best return per unit of CAC. Personas without a 90% interval
    (``clv_low`` NaN) are not compared: with fewer than two intervals the range is given as point estimates."""
    if named.empty:
        return "No persona has enough newly acquired customers to be valued on its own."
    bare, ranged = list(named.loc[named["clv_low"].isna(), "group"]), named[named["clv_low"].notna()]
    note = f" Without a 90% interval, {', '.join(map(md, bare))} are not compared." if bare else ""
    top, low = (named if lead is None else ranged).iloc[[0, -1]].itertuples()
    if len(named) == 1:
        text = f"**{md(top.group)}** is the only persona valued among new customers ({top.clv:,.0f} each)."
    elif lead is None or not lead.clear:
        tie = (f", with **no measurable difference** between {', '.join(map(md, sorted(lead.tied)))} (90% level, "
               "corrected for the comparisons)" if lead is not None else " (point estimates)")
        return f"New customers are worth between {low.clv:,.0f} and {top.clv:,.0f} depending on their persona{tie}.{note}"
    else:
        text = (f"**{md(top.group)}** are the most valuable new customers ({top.clv:,.0f} each), "
                f"**{md(low.group)}** the least ({low.clv:,.0f}).{note}")
    ratio = named["clv_to_cac"].replace([np.inf, -np.inf], np.nan).dropna() if with_costs else pd.Series(dtype=float)
    if len(ratio):
        text += (f" Per unit of acquisition cost, {md(named.loc[ratio.idxmax(), 'group'])} "
                 f"return the most ({ratio.max():.1f}× CAC).")
    return text


# --------------------------------------------------------------------------- 2. spend response


def spend_response(ds: Dataset, costs: AcquisitionCost | None, carryover: str | bool = "auto", curve_boot: int = 100,
                   spend_levels=(0.5, 1.0, 1.5, 2.0), current_weeks: int = 52, seed: int = 0) -> Section:
    """Section 2: each channel's response curve, the marginal CAC at multiples of today's spend, carry-over.
    Only curves that pass their gate (:attr:`~customer_workbook.acquisition.ResponseCurve.ok`: enough weeks,
    parameters pinned down, better than a flat weekly average on held-out weeks) are shown and used; a note
    names the others and why. Results: ``curves`` (``{channel: ResponseCurve}`` of the usable curves, empty
    without marketing data) and ``current`` (``{channel: today's weekly spend}``).
    """
    draft = Draft()
    if costs is None:
        draft.skip("Spend response curves", ["marketing"])
        return draft.done(curves={}, current={})
    fitted = acquisition.fit_response_curves(ds.marketing, carryover=carryover, n_boot=curve_boot, seed=seed)
    current = costs.current_spend
    curves = {c: v for c, v in fitted.items() if v.ok}
    unusable = "; ".join(f"**{md(c)}** ({md(v.problem)})" for c, v in fitted.items() if not v.ok)
    if unusable:
        draft.add("channels_without_response_curve", [c for c, v in fitted.items() if not v.ok],
                  "Channels whose spend-response curve did not pass its check")
    if not curves:
        draft.say(f"> **Not shown: spend response curves** because no channel's curve passes its check: {unusable}. "
                  "More weeks of spend, with spend that varies from week to week, would let the curves be fitted.")
        return draft.done(curves={}, current=current)
    if unusable:
        draft.say(f"> Not used below, their curves not being reliable: {unusable}.")
    mc = acquisition.marginal_cac_table(curves, current, multiples=spend_levels)
    draft.show(plots.plot_response_curves(ds.marketing, curves, current), plots.styled_table(mc, _CAC_FORMATS))
    draft.add("response_curves", {c: {"vmax": round(v.vmax, 3), "k": round(v.k, 2), "shape": round(v.shape, 3),
                                      "carryover": round(v.theta, 3)} for c, v in curves.items()},
              "Fitted Hill curves: ceiling (new customers per week), half-saturation spend, shape, carry-over")
    carry = [c for c, v in curves.items() if v.theta > 0]
    draft.add("carryover_channels", carry, "Channels whose spend carries over into later weeks")
    draft.add("current_weekly_spend", {c: round(v, 2) for c, v in current.items()},
              f"Weekly spend per channel (mean of the last {current_weeks} weeks)", unit=SPEND)
    marg = {c: float(curves[c].marginal_cac(current[c])) for c in curves}
    draft.add("marginal_cac_at_current", {c: round(v, 2) for c, v in marg.items()},
              "Marginal CAC at today's spend", unit=SPEND)
    cheap, dear = min(marg, key=marg.get), max(marg, key=marg.get)
    lead = separate_top({c: np.log(v) for c, v in marg.items()},
                        {c: se_from_draws(1 / np.maximum(curves[c].draw_marginal(current[c])[:, 0], 1e-15), log=True)
                         if len(curves[c].draws) else np.nan for c in curves}, higher_is_better=False)
    draft.add("marginal_cac_cheapest", lead.label(), "Channel whose next customer is measurably cheapest at today's "
              "spend (90% level, Holm-corrected), or 'no clear difference'")
    where = (f"At today's spend the next customer is cheapest on **{md(cheap)}** (marginal CAC {marg[cheap]:,.0f}) "
             f"and dearest on **{md(dear)}** ({marg[dear]:,.0f}). " if lead.clear or len(marg) == 1 else
             f"At today's spend the next customer costs between {marg[cheap]:,.0f} and {marg[dear]:,.0f} depending on "
             f"the channel, with **no measurable difference** between {', '.join(map(md, sorted(lead.tied)))} (90% "
             "level, corrected for the comparisons). ")
    calendar = [c for c, v in curves.items() if v.baseline]
    draft.say(where
              + (f"Carry-over was found for {', '.join(map(md, carry))}." if carry else
                 "No channel shows a carry-over of spend into later weeks, so each week's spend is valued on its own.")
              + (f" New customers on {', '.join(map(md, calendar))} also follow a trend or season of their own, "
                 "which is separated from the effect of spend (the curve is read at their level of the last "
                 f"{acquisition.response.CURRENT_WEEKS} weeks)." if calendar else ""))
    return draft.done(curves=curves, current=current)


# --------------------------------------------------------------------------- 3. the value-maximising budget


def best_budget(curves: Mapping[str, ResponseCurve], current: Mapping[str, float], clv_values: Mapping,
                clv_draws: Mapping[str, np.ndarray], margin: float, annual_discount_rate: float, horizon_years: float,
                max_spend_multiple: float = 1.5, seed: int = 0, value_unit: str = MONEY) -> Section:
    """Section 3: the value frontier, today's plan against the value-maximising one, and the objectives compared.
    Results: ``plan`` (:class:`~customer_workbook.acquisition.BudgetPlan`, None without curves, CLV or money values),
    ``bounds`` (``{channel: (lowest, highest) weekly spend}``) and ``plan_curves`` (the curves of the
    plan's channels).
    """
    draft = Draft()
    if value_unit != MONEY and current:  # ``Dataset.value_unit``: value in purchases is not set against spend
        return skip_money_comparison(draft, "Firm value at each budget", "the value of new customers", "the budget spent").done(
            plan=None, bounds={}, plan_curves={})
    clv_now = {c: v.clv(margin, annual_discount_rate, horizon_years) for c, v in clv_values.items()}
    if not current:
        draft.skip("Firm value at each budget", ["marketing"], "Without spend per channel there is no response curve to value.")
        return draft.done(plan=None, bounds={}, plan_curves={})
    valued = [c for c in curves if c in clv_now]
    if not valued:
        missing = ("no channel has a spend-response curve that passes its check (section 2)" if not curves else
                   "no channel with a response curve has a value of a new customer (section 1)")
        draft.say(f"> **Not shown: firm value at each budget** because {missing}.")
        return draft.done(plan=None, bounds={}, plan_curves={})
    curves = {c: curves[c] for c in valued}
    bounds = {c: (0.0, max_spend_multiple * curves[c].max_spend) for c in curves}
    plan, plan_curves, shifted, (lo, hi) = _plan_and_interval(curves, clv_now, clv_draws, current, bounds, seed)
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
    record_plan(draft, plan, (lo, hi), by_obj)
    draft.add("optimal_mix_shift", sorted(shifted), "Channels whose share of the value-maximising budget differs "
              "measurably from today's (90% level, Holm-corrected); empty: keep today's mix")
    draft.say(_plan_sentence(plan, (lo, hi), by_obj))
    return draft.done(plan=plan, bounds=bounds, plan_curves=plan_curves)


def _plan_and_interval(curves: Mapping[str, ResponseCurve], clv_now: Mapping[str, float],
                       clv_draws: Mapping[str, np.ndarray], current: Mapping[str, float],
                       bounds: Mapping[str, tuple[float, float]], seed: int):
    """The value-maximising plan, its curves, the channels whose share moves measurably and the 90% interval of
    its budget. When no channel's share moves measurably (:func:`~customer_workbook.acquisition.mix_shift`),
    the plan keeps today's mix and moves only the total (a reallocation among channels the data do not
    separate would be noise)."""
    plan = acquisition.plan_summary(curves, clv_now, current, bounds, seed=seed)
    plan_curves = {c: curves[c] for c in plan.channels}
    draws = acquisition.optimum_draws(plan_curves, clv_draws, bounds, n=200, seed=seed, clv_point=clv_now)
    shifted = acquisition.mix_shift(draws, plan.channels, current)
    if not shifted and len(plan.channels) > 1:
        plan = acquisition.plan_summary(curves, clv_now, current, bounds, seed=seed, keep_mix=True)
        draws = acquisition.optimum_draws(plan_curves, clv_draws, bounds, n=200, seed=seed, clv_point=clv_now,
                                          keep_mix=current)
    lo, hi = np.quantile(draws.sum(axis=1), [0.05, 0.95])
    plan = replace(plan, budget_interval=(float(lo), float(hi)))
    return plan, plan_curves, shifted, (lo, hi)


def _plan_sentence(plan: BudgetPlan, interval: tuple[float, float], by_objective: pd.Series) -> str:
    """Today's plan, the optimum with its interval, the value at stake and what lower objectives would spend."""
    lo, hi = interval
    gain = plan.value_gain
    if round(plan.optimum_budget) == round(plan.current_budget):
        direction = "the same as today"
    elif plan.budget_change == "no clear difference":
        direction = "not measurably different from today's budget, which lies inside the interval"
    else:
        direction = f"{'more' if plan.optimum_budget > plan.current_budget else 'less'} than today"
    peak = (f"Value peaks at **{plan.optimum_budget:,.0f} a week**" if round(plan.optimum_budget) > 0
            else "Value peaks with **no acquisition spend**")
    dropped = [c for c, s in plan.best_at_current_mix.items() if s < 0.005]
    if plan.mix_kept:
        mix = (" The data do not separate the channels' returns (no channel's share of the best plan differs "
               "measurably from today's, 90% level, corrected for the channels), so the plan **keeps today's mix** "
               "and moves only the total.")
    elif round(plan.best_at_current_value) > round(plan.current_value):
        mix = (f" Even at today's budget, a better mix would {_creates(plan.best_at_current_value, '')} a week"
               + (f" by dropping {', '.join(map(md, dropped))}." if dropped else "."))
    else:
        mix = " At today's budget, today's mix is already the best."
    return (f"Today's plan spends **{plan.current_budget:,.0f} a week** and {_creates(plan.current_value)} a week. "
            f"{peak} (90% interval {lo:,.0f} to {hi:,.0f}), {direction}, creating {plan.optimum_value:,.0f} a week: "
            f"**{gain:,.0f} a week, {52 * gain:,.0f} a year, is at stake**.{mix}"
            + f" Valued on first-year profit, the best budget would be {by_objective['profit']:,.0f}; on first-year "
              f"revenue, {by_objective['revenue']:,.0f}: the lower the objective, the further the plan moves from the "
              f"one that maximises the firm's value.")


# --------------------------------------------------------------------------- 4. conquest or relations


def conquest_or_relations(ds: Dataset, curves: Mapping[str, ResponseCurve], current: Mapping[str, float],
                          clv_now: Mapping[str, float], plan: BudgetPlan | None, cost_per_contact: float, margin: float,
                          seed: int = 0, clv_draws: Mapping[str, np.ndarray] | None = None) -> Section:
    """Section 4: the campaign's uplift by segment, the value of one more unit on each side, the recommendation.
    A segment is a retention target only when its uplift is measured (Holm-corrected over the segments), and a
    channel, a segment or a side is named as the best only when the data separate it (``clv_draws``: the CLV
    bootstrap draws per channel, for the error of an acquisition return). Results: ``uplift`` (per segment, or
    None without campaigns), ``returns``
    (:func:`~customer_workbook.acquisition.conquest_vs_relations`) and ``recommendation``.
    """
    draft = Draft()
    uplift, value_by_group = None, {}
    if ds.has("campaigns"):
        uplift, value_by_group = _campaign(draft, ds, cost_per_contact, margin, seed)
    else:
        draft.skip("Retention campaign uplift", ["campaigns"],
                   "Only the conquest side can be valued; a randomised retention test would give the other.")
    if counts_purchases(ds):
        return skip_money_comparison(draft, "Conquest or relations", "the value one more unit of budget creates",
                                     "the cost of that unit").done(uplift=uplift, returns=None, recommendation=None)
    returns = acquisition.conquest_vs_relations({c: curves[c] for c in (plan.channels if plan else [])}, clv_now,
                                                current, uplift, value_by_group, cost_per_contact=cost_per_contact,
                                                clv_draws=clv_draws, seed=seed)
    if len(returns):
        draft.show(plots.plot_conquest_vs_relations(returns))
    rec = recommendation(returns, plan, cost_per_contact=cost_per_contact)
    claim = rec.option not in ("no clear difference", "unknown")
    draft.add("recommended_option", rec.option, "Where the next unit of budget creates most value ('no clear "
              "difference' when the data do not separate the sides)", headline=claim)
    draft.add("recommendation", rec.plain, "Recommendation", headline=True)
    if rec.best_conquest:
        best = rec.best_conquest
        draft.add("acquisition_return_best", round(best.return_per_unit, 3),
                  f"Value per extra unit on the best channel ({best.target})" if best.clear else
                  "Value per extra unit on the channel with the highest point estimate (channels not separated: "
                  f"{', '.join(sorted(best.alike))})")
        draft.add("acquisition_best_channel", best.target if best.clear else "no clear difference",
                  "Channel measurably ahead on the value of one more unit, or 'no clear difference'")
    if rec.best_relations:
        draft.add("retention_return_best", round(rec.best_relations.return_per_unit, 3),
                  f"Value per extra unit on the best retention target ({rec.best_relations.target})")
        draft.add("retention_best_target", rec.best_relations.target.removeprefix("retention: "),
                  "Campaign segment with the highest measured return on a retention offer")
    if rec.breakeven_contact_cost is not None:
        draft.add("breakeven_contact_cost", round(rec.breakeven_contact_cost, 2),
                  "Offer cost at which targeted retention stops beating acquisition", unit="currency units")
    draft.say(rec.text)
    return draft.done(uplift=uplift, returns=returns, recommendation=rec)


# --------------------------------------------------------------------------- 5. what if: ._strategy_what_if


def decision(ds: Dataset, plan: BudgetPlan | None, rec: Recommendation | None,
             curves: dict | None = None, clv_draws: dict | None = None, clv_now: dict | None = None,
             seed: int = 0) -> Section:
    """Step 3's decisions: conquest or relations, and the acquisition budget and mix
    (:func:`~customer_workbook.steps._strategy_decision.strategy_decisions`), recorded for the plan page. With the
    response ``curves`` and the customer-value draws, the budget's extra value a year carries its 90% interval
    (:func:`~customer_workbook.steps._strategy_decision.value_gain_interval`)."""
    gain = (value_gain_interval(plan, curves, clv_draws or {}, clv_now or {}, seed=seed)
            if plan is not None and curves else None)
    return decision_section(strategy_decisions(ds, plan, rec, gain), ds.value_unit)


def headline_first(findings, keys=HEADLINE_ORDER) -> None:
    """Reorder a :class:`~customer_workbook.findings.Findings` so ``keys`` (those present) come first.

    The report lists headline findings in recorded order; the recommendation and the value at stake
    are computed last but should lead.
    """
    lead = {k: findings.items[k] for k in keys if k in findings.items}
    findings.items = {**lead, **{k: v for k, v in findings.items.items() if k not in lead}}
