"""Notebook 04, plan phases, sections 8 to 12: start small with the most valuable (MVP, MVS, MVA, the
pilot's size) and go to market (one line per target audience). Re-exported by :mod:`.phases`, which the
notebook calls; each function returns the :class:`Section` it shows.

Customer-level durations in days (``outcome_days``), the pilot's duration in weeks, money in the data's
currency units.
"""
from __future__ import annotations

import pandas as pd

from .. import plots
from ..base import derived
from ..data import Dataset
from ..escaping import md
from ..planning import (audience_customers, audience_members, audience_table, customer_profile, go_to_market_plan,
                        pilot_plan, product_value_table, service_value_table, weekly_reach)
from ..planning.pilot import recent_repeat_rate
from ..segments import UNASSIGNED, find_personas
from ..stats import two_proportion_p_value
from .section import Draft, Section

__all__ = ["go_to_market", "most_valuable_audience", "most_valuable_product", "most_valuable_service", "not_shown",
           "pilot_size"]

PILOT_FORMATS = {"baseline repeat rate": "{:.1%}", "lift to detect": "{:+.1%}", "per arm": "{:,.0f}",
                 "total": "{:,.0f}", "audience": "{:,.0f}", "reachable per week": "{:,.1f}", "weeks to enrol": "{:.0f}",
                 "weeks in total": "{:.0f}"}
MVP_FOLLOW_DAYS = 180  # days a new buyer of a product line is followed (repeat order, cross-sell)
MVS_FOLLOW_DAYS = 90  # days an order is followed for a repeat order


def not_shown(draft: Draft, what: str, why: str) -> None:
    """Append a skip note in words: what is not shown and why (``why`` is Markdown, values already escaped)."""
    draft.say(f"> **Not shown: {what}.** {why}")


def most_valuable_product(ds: Dataset) -> Section:
    """§8: product lines (categories, or single products without a products table) by revenue, retention
    and cross-sell. Results: ``mvp`` (the ranked table, or ``None`` without ``transactions.product_id``)."""
    draft = Draft()
    tx = ds.transactions
    if "product_id" not in tx:
        draft.skip("Most valuable product", ["transactions.product_id"])
        return draft.done(mvp=None)
    has_products = ds.has("products")
    mvp = product_value_table(tx, derived(ds).sale_orders, ds.products, by="category" if has_products else "product_id",
                              follow_days=MVP_FOLLOW_DAYS, top=None if has_products else 15)
    draft.show(plots.styled_table(mvp, {"revenue": "{:,.0f}", "revenue_share": "{:.1%}", "buyers": "{:,.0f}",
                                        "repeat_rate": "{:.1%}", "cross_sell_rate": "{:.1%}", "score": "{:.2f}"}))
    top = mvp.iloc[0]
    if len(mvp) < 2:
        not_shown(draft, "a most valuable product line", f"Every product sold belongs to one line "
                  f"(**{md(top['product'])}**), so there is nothing to rank.")
        return draft.done(mvp=mvp)
    draft.add("mvp", str(top["product"]), "Most valuable product line (MVP)", headline=True)
    draft.add("mvp_table", mvp.head(5)[["product", "revenue_share", "repeat_rate", "cross_sell_rate"]].round(4),
              "Top product lines by revenue, retention and cross-sell")
    draft.say(f"The most valuable product line is **{md(top['product'])}**: {top['revenue_share']:.1%} of revenue, "
              f"{top['repeat_rate']:.1%} of its new buyers ordered again within {MVP_FOLLOW_DAYS} days and "
              f"{top['cross_sell_rate']:.1%} went on to another line.")
    return draft.done(mvp=mvp)


def most_valuable_service(ds: Dataset) -> Section:
    """§9: sales channels and delivery speeds by revenue and repeat orders within 90 days, from the run's
    order table of sale lines. Results: ``mvs`` (the ranked table)."""
    tables = derived(ds)
    mvs = service_value_table(tables.sale_orders, ds.transactions["date"].max(), follow_days=MVS_FOLLOW_DAYS)
    draft = Draft()
    if not len(mvs):
        draft.skip("Most valuable service", ["transactions.channel"])
        return draft.done(mvs=mvs)
    draft.show(plots.styled_table(mvs.drop(columns="followed"), {
        "orders": "{:,.0f}", "order_share": "{:.1%}", "revenue": "{:,.0f}", "mean_order_value": "{:,.1f}",
        "repeat_rate": "{:.1%}", "score": "{:.2f}"}))
    best = mvs.iloc[0]
    draft.add("mvs", str(best["service"]), "Most valuable service (sales channel)", headline=True)
    draft.add("repeat_rate_by_service", {f"{r.dimension}: {r.service}": round(float(r.repeat_rate), 4)
                                         for r in mvs.itertuples() if r.followed > 0},
              f"Repeat rate within {MVS_FOLLOW_DAYS} days by service", unit="share")
    speed = mvs[(mvs["dimension"] == "delivery speed") & (mvs["followed"] > 0)]
    extra = ""
    if len(speed) > 1:
        hi, lo = speed.loc[speed["repeat_rate"].idxmax()], speed.loc[speed["repeat_rate"].idxmin()]
        p = two_proportion_p_value(hi["repeat_rate"] * hi["followed"], hi["followed"],
                                   lo["repeat_rate"] * lo["followed"], lo["followed"])
        extra = (f" Delivery speed matters: after a **{md(lo['service'])}** delivery {lo['repeat_rate']:.1%} ordered "
                 f"again, against {hi['repeat_rate']:.1%} after a {md(hi['service'])} one." if p < 0.05 else
                 f" Delivery speed makes no clear difference: {lo['repeat_rate']:.1%} ordered again after a "
                 f"{md(lo['service'])} delivery and {hi['repeat_rate']:.1%} after a {md(hi['service'])} one, a gap "
                 f"that chance alone could produce ({int(lo['followed']):,} and {int(hi['followed']):,} orders).")
    draft.say(f"The most valuable sales channel is **{md(best['service'])}** ({best['order_share']:.1%} of orders, "
              f"repeat rate {best['repeat_rate']:.1%})." + extra)
    return draft.done(mvs=mvs)


def _response_text(pilot: pd.Series) -> str:
    """How the pilot audience responded to the randomised campaign, worded from its 95% interval."""
    if "uplift" not in pilot or not (pd.notna(pilot.get("uplift")) and pd.notna(pilot.get("uplift_se"))):
        return ""
    lift, se = float(pilot["uplift"]), float(pilot["uplift_se"])
    if abs(lift) <= 1.96 * se:
        verdict = "not distinguishable from no effect (the 95% interval covers zero)"
    else:
        verdict = "a clear response" if lift > 0 else "a clear negative response: choose its offer with care"
    return (f" In the randomised campaign this audience's uplift was {lift:+.1%} (standard error {se:.1%}): "
            f"{verdict}.")


def most_valuable_audience(ds: Dataset, features: Section, contact: Section, segment_column: str,
                           min_audience: int) -> Section:
    """§10: segment x persona cells by expected 12-month value; the pilot is the most valuable one.

    Personas come from the run's one engine (:func:`customer_workbook.segments.find_personas`, the same
    call in notebooks 01, 03 and 05). The cells are ranked only when the value model fitted
    (``report.ok``); the pilot is named only when a cell of at least ``min_audience`` customers is worth
    more than the average customer. Results: ``audiences``, ``pilot`` (its row, or ``None``), ``personas``
    (name per customer, unassigned included), ``segment`` (per customer, or ``None``) and ``profile``
    (:func:`~customer_workbook.planning.customer_profile` today).
    """
    personas = find_personas(ds)
    persona_of = personas.assignment.fillna(UNASSIGNED)
    segment = None
    if ds.has("customers") and segment_column in ds.customers:
        segment = ds.customers.set_index("customer_id")[segment_column]
    value, p_now = contact["value"], contact["p_now"]
    draft = Draft()
    draft.add("persona_counts", personas.counts(), "Customers per persona (unassigned: fewer than 2 orders)")
    draft.add("persona_assignment", personas.fingerprint(),
              "Fingerprint of every customer's persona (equal in notebooks 01, 03, 04, 05)")
    done = {"personas": persona_of, "segment": segment, "profile": customer_profile(ds, features["now_all"])}
    if not value.report.ok:
        not_shown(draft, "the most valuable audience", "Audiences are ranked by expected value, and the "
                   f"customer-value model did not fit reliably: {value.report.sentence()}")
        return draft.done(audiences=None, pilot=None, **done)
    value_now = value.table
    audiences = audience_table(value_now, persona_of, segment, churn_p=p_now,
                               campaigns=ds.campaigns if ds.has("campaigns") else None, min_size=min_audience)
    overall = float(value_now["clv_1y"].mean())
    ranked = audiences[audiences["ranked"]]
    pilot = ranked.iloc[0] if len(ranked) and ranked.iloc[0]["value_per_customer"] > overall else None
    cols = [c for c in ["segment", "persona", "customers", "value_per_customer", "p_alive", "churn_risk", "uplift",
                        "uplift_se"] if c in audiences]
    cell = None if pilot is None else (pilot["segment"], pilot["persona"])
    draft.show(plots.plot_audience_map(audiences, pilot=cell),
               plots.styled_table(ranked.head(10)[cols],
                                  {"customers": "{:,.0f}", "value_per_customer": "{:,.0f}", "p_alive": "{:.1%}",
                                   "churn_risk": "{:.1%}", "uplift": "{:+.1%}", "uplift_se": "{:.1%}"}))
    if pilot is None:
        not_shown(draft, "a most valuable audience", f"No audience of at least {min_audience:,} customers is worth "
                   f"more than the average customer ({overall:,.0f} in the next 12 months): the valuable customers "
                   "are spread over smaller cells. A smaller `min_audience` or a coarser `segment_column` may help.")
        return draft.done(audiences=audiences, pilot=None, **done)
    draft.add("mva_segment", str(pilot["segment"]), "Most valuable audience: segment")
    draft.add("mva_persona", str(pilot["persona"]), "Most valuable audience: persona")
    draft.add("mva", f"{pilot['persona']} · {pilot['segment']}", "Most valuable audience (pilot)", headline=True)
    draft.add("mva_value_per_customer", round(float(pilot["value_per_customer"]), 2),
              "Expected 12-month value per customer in the most valuable audience", unit="currency units")
    draft.add("value_per_customer_overall", round(overall, 2), "Expected 12-month value per customer, whole base",
              unit="currency units")
    draft.say(f"The most valuable audience is **{md(pilot['persona'])} · {md(pilot['segment'])}**: "
              f"{int(pilot['customers']):,} customers worth **{pilot['value_per_customer']:,.0f}** each in the next "
              f"12 months, against {round(overall, 2):,.0f} for the average customer." + _response_text(pilot))
    return draft.done(audiences=audiences, pilot=pilot, **done)


def pilot_size(ds: Dataset, audience: Section, contact: Section, mde: float, outcome_days: int, alpha: float,
               power: float) -> Section:
    """§11: customers per arm and weeks the pilot needs in the pilot audience.

    The baseline is the audience's predicted repeat rate (1 - mean churn probability today) or, without a
    usable churn model, its observed one (:func:`~customer_workbook.planning.recent_repeat_rate`); customers
    are reachable when they have a transaction (:func:`~customer_workbook.planning.weekly_reach`).
    Results: ``plan`` (:class:`~customer_workbook.planning.PilotPlan`) and ``p_repeat`` (``None`` without
    a pilot audience, §10).
    """
    pilot, segment = audience["pilot"], audience["segment"]
    draft = Draft()
    if pilot is None:
        not_shown(draft, "the pilot's size", "It is sized for the most valuable audience (section 10), and there is "
                  "none.")
        return draft.done(plan=None, p_repeat=None)
    members = audience_members(audience["personas"], segment, pilot["persona"], pilot["segment"],
                               audience["profile"].index)
    p_now = contact["p_now"]
    if p_now is not None:
        p_repeat, source = float(1 - p_now.reindex(members).mean()), "predicted"
    else:
        p_repeat, source = recent_repeat_rate(ds.transactions, members, outcome_days), "observed"
    reach = weekly_reach(ds.transactions, members)
    if not (p_repeat > 0 and p_repeat < 1) or not reach > 0:
        not_shown(draft, "the pilot's size", f"The audience's {source} repeat rate is {p_repeat:.1%} and "
                   f"{reach if reach > 0 else 0:,.0f} of its customers order in a typical week: a test of a lift "
                   "cannot be sized on that.")
        return draft.done(plan=None, p_repeat=None)
    plan = pilot_plan(len(members), reach, p_repeat, mde, outcome_days, alpha=alpha, power=power)
    draft.show(plots.styled_table(pd.DataFrame([{
        "baseline repeat rate": plan.p_control, "lift to detect": plan.mde, "per arm": plan.n_per_arm,
        "total": plan.total, "audience": plan.audience_size, "reachable per week": plan.weekly_reach,
        "weeks to enrol": plan.enrol_weeks, "weeks in total": plan.duration_weeks}]), PILOT_FORMATS))
    draft.add("pilot_n_per_arm", plan.n_per_arm, "Pilot customers per arm", headline=True)
    draft.add("pilot_duration_weeks", plan.duration_weeks, "Pilot duration (enrolment + outcome window)", unit="weeks")
    draft.add("pilot_feasible", plan.feasible, "The pilot audience is large enough")
    whole = plan.mde_with_whole_audience
    if whole == whole:  # NaN when even the whole audience could detect no lift
        draft.add("pilot_mde_whole_audience", round(whole, 4), "Smallest lift the whole pilot audience could detect",
                  unit="share")
    note = ("The audience is large enough." if plan.feasible else
            f"The audience holds only {plan.audience_size:,} customers, so " + (
                f"with all of them the pilot can detect a lift of {whole:.1%} or more; either accept that or widen "
                "the audience to the next cells." if whole == whole else
                "even all of them could not detect a lift; widen the audience to the next cells."))
    draft.say(f"To detect a lift of {mde:.0%} points on a {source} repeat rate of {p_repeat:.1%} with {power:.0%} "
              f"power at a {alpha:.0%} significance level, the pilot needs **{plan.n_per_arm:,} customers per arm** "
              f"({plan.total:,} in all). About {reach:,.0f} of them order in a typical week, so enrolment takes "
              f"{plan.enrol_weeks:.0f} weeks and the test {plan.duration_weeks:.0f} weeks in all. " + note)
    return draft.done(plan=plan, p_repeat=p_repeat)


def go_to_market(ds: Dataset, audience: Section, contact: Section, product: Section, mde: float,
                 outcome_days: int, n_audiences: int = 3) -> Section:
    """§12: the audience relations plan, one line per target audience (rules in
    :func:`~customer_workbook.planning.go_to_market_plan`), led by the most valuable audience (§10).
    Results: ``plan`` (the table, or ``None`` without a most valuable audience)."""
    draft = Draft()
    if audience["pilot"] is None:
        not_shown(draft, "the go-to-market plan", "It starts from the most valuable audience (section 10), and "
                   "there is none.")
        return draft.done(plan=None)
    p_now = contact["p_now"]
    customers = audience_customers(audience["profile"], audience["personas"], audience["segment"],
                                   contact["value"].table["clv_1y"], p_now)
    gtm = go_to_market_plan(audience["audiences"], customers, ds.products, product["mvp"], mde=mde,
                            n_audiences=n_audiences, outcome_days=outcome_days,
                            churn_rate=None if p_now is None else float(p_now.mean()))
    draft.show(plots.styled_table(gtm, {"customers": "{:,.0f}", "value_per_customer": "{:,.0f}",
                                        "churn_risk": "{:.1%}", "expected_value": "{:,.0f}"}))
    draft.add("go_to_market", gtm, "Audience relations plan")
    first = gtm.iloc[0]
    draft.say(f"Start with **{md(first['audience'])}**: goal *{md(first['goal'])}*, offer *{md(first['offer'])}* "
              f"through **{md(first['channel'])}**, {md(first['timing'])}. If the pilot shows the planned lift, it is "
              f"worth about **{first['expected_value']:,.0f}** in expected value; watch the "
              f"{md(first['metric_to_watch'])}.")
    return draft.done(plan=gtm)
