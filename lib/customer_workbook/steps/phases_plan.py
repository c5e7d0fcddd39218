"""Notebook 04, plan phases, sections 8 to 12: start small with the most valuable (MVP, MVS, MVA, the
pilot's size) and go to market (one line per target audience). Re-exported by :mod:`.phases`, which the
notebook calls; each function returns the :class:`Section` it shows.

Customer-level durations in days (``outcome_days``), the pilot's duration in weeks, money in the data's
currency units.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import cache, plots
from ..base import derived
from ..data import Dataset
from ..escaping import md
from ..planning import (audience_customers, audience_members, audience_table, audience_ties, customer_profile,
                        go_to_market_plan, product_separation, product_value_table, service_separation,
                        service_value_table)
from ..planning.go_to_market import Z_95, campaign_response, plan_audiences
from ..planning.pilot import PilotDesign, PilotPlan, enrolment_curve, feasible_pilot, recent_repeat_rate
from ..planning.winners import product_intervals, service_intervals
from ..segments import UNASSIGNED, find_personas
from ..stats import SEPARATION_ALPHA, sample_size_two_proportions, two_proportion_p_value
from ..retention import extra_order_value
from ..value_unit import counts_purchases, value_columns, value_noun, value_unit
from .section import Draft, Section
from ..findings import pp

__all__ = ["NO_CLEAR_WINNER", "go_to_market", "most_valuable_audience", "most_valuable_product", "most_valuable_service", "not_shown",
           "pilot_size"]

#: The audience tables' column of the mean predicted probability of no order, as shown to a reader.
NO_ORDER_RISK = {"churn_risk": "no_order_risk"}

PILOT_FORMATS = {"baseline repeat rate": "{:.1%}", "lift to detect": pp, "per arm": "{:,.0f}",
                 "total": "{:,.0f}", "audience": "{:,.0f}", "ordering in a year": "{:,.0f}",
                 "weeks to enrol": lambda v: f"{v:.0f}" if np.isfinite(v) else "not reached",
                 "weeks in total": lambda v: f"{v:.0f}" if np.isfinite(v) else "not reached"}
MVP_FOLLOW_DAYS = 180  # days a new buyer of a product line is followed (repeat order, cross-sell)
MVS_FOLLOW_DAYS = 90  # days an order is followed for a repeat order
#: The finding recorded instead of a pick when the data do not separate the first option from the others.
NO_CLEAR_WINNER = "no clear winner"


def not_shown(draft: Draft, what: str, why: str) -> None:
    """Append a skip note in words: what is not shown and why (``why`` is Markdown, values already escaped)."""
    draft.say(f"> **Not shown: {what}.** {why}")


def _with_interval(table: pd.DataFrame, rate: str, prefix: str) -> pd.Series:
    """A rate column as text with its 95% interval (``prefix``_low / _high): "82.1% (81.0–83.1%)"; the rate
    alone where the interval is missing, blank where the rate is."""
    def cell(r, lo, hi):
        if r != r:
            return ""
        return f"{r:.1%}" if not (lo == lo and hi == hi) else f"{r:.1%} ({100 * lo:.1f}–{100 * hi:.1f}%)"
    return pd.Series([cell(*v) for v in zip(table[rate], table[f"{prefix}_low"], table[f"{prefix}_high"])],
                     index=table.index, dtype=object)


def _measure_text(measures: list[str], first: pd.Series, second: pd.Series, words: dict) -> str:
    """``measures`` in words with both options' values (plain numbers; ``words``: measure -> (name, column,
    format))."""
    return ", ".join(f"{words[m][0]} {first[words[m][1]]:{words[m][2]}} against {second[words[m][1]]:{words[m][2]}}"
                     for m in measures)


def _pick_text(sep, first: pd.Series, second: pd.Series, name: str, words: dict) -> str:
    """The verdict on the first option against the runner-up (Markdown; data values escaped)."""
    a, b = md(first[name]), md(second[name])
    level = f"{sep.alpha:.0%} level, Holm-corrected over the measures"
    if sep.clear:
        return (f"It is clearly ahead of the runner-up **{b}** on {_measure_text(sep.favouring(1), first, second, words)} "
                f"({level}).")
    ahead, behind = sep.favouring(1), sep.favouring(-1)
    if ahead and behind:
        return (f"**No clear winner:** {a} leads on {_measure_text(ahead, first, second, words)}, the runner-up "
                f"**{b}** on {_measure_text(behind, second, first, words)} ({level}); which matters more is a "
                "matter of priorities.")
    if behind:
        return (f"**No clear winner:** {a} comes first on the combined ranks, but the only measure that separates "
                f"it from the runner-up **{b}** favours {b}: {_measure_text(behind, second, first, words)} ({level}); "
                "on the other measures the two differ by no more than chance alone could produce.")
    return (f"**No clear winner:** {a} and the runner-up {b} differ by no more than chance alone could produce "
            f"({_measure_text(list(sep.measures), first, second, words)}; {level}).")


def _record_pick(draft: Draft, key: str, label: str, sep, first: pd.Series, second: pd.Series, name: str) -> None:
    """The pick (``key``), or :data:`NO_CLEAR_WINNER` with the two tied options (``key``_tied), and whether it
    is clear and each measure's adjusted p-value."""
    draft.add(key, str(first[name]) if sep.clear else NO_CLEAR_WINNER, label, headline=sep.clear)
    draft.add(f"{key}_clear", sep.clear, f"{label}: separated from the runner-up at the {sep.alpha:.0%} level")
    if not sep.clear:
        draft.add(f"{key}_tied", [str(first[name]), str(second[name])], f"{label}: the two options nothing separates")
    draft.add(f"{key}_p_values", {m: round(p, 4) for m, p in zip(sep.measures, sep.p_values) if p == p},
              f"{label}: first against runner-up, Holm-adjusted p-value per measure")


PRODUCT_WORDS = {"revenue": ("revenue share", "revenue_share", ".1%"),
                 "repeat_rate": ("repeat rate", "repeat_rate", ".1%"),
                 "cross_sell_rate": ("cross-sell rate", "cross_sell_rate", ".1%")}
SERVICE_WORDS = {"revenue": ("share of orders", "order_share", ".1%"), "repeat_rate": ("repeat rate", "repeat_rate", ".1%")}


def most_valuable_product(ds: Dataset) -> Section:
    """§8: product lines (categories, or single products without a products table) by revenue, retention
    and cross-sell; the first is named only when the data separate it from the runner-up
    (:func:`~customer_workbook.planning.product_separation`). Results: ``mvp`` (the ranked table, or
    ``None`` without ``transactions.product_id``) and ``clear`` (the first line is clearly the best)."""
    draft = Draft()
    tx = ds.transactions
    if "product_id" not in tx:
        draft.skip("Most valuable product", ["transactions.product_id"])
        return draft.done(mvp=None, clear=False)
    has_products = ds.has("products")
    by = "category" if has_products else "product_id"
    mvp = product_value_table(tx, derived(ds).sale_orders, ds.products, by=by, follow_days=MVP_FOLLOW_DAYS,
                              top=None if has_products else 15)
    shown = product_intervals(mvp)
    shown = shown.assign(repeat_rate=_with_interval(shown, "repeat_rate", "repeat"),
                         cross_sell_rate=_with_interval(shown, "cross_sell_rate", "cross_sell"))
    draft.show(plots.styled_table(value_columns(shown[[c for c in mvp.columns if c != "followed"]], ds), value_columns({
        "revenue": "{:,.0f}", "revenue_share": "{:.1%}", "buyers": "{:,.0f}", "score": "{:.2f}"}, ds)))
    top = mvp.iloc[0]
    if len(mvp) < 2:
        not_shown(draft, "a most valuable product line", f"Every product sold belongs to one line "
                  f"(**{md(top['product'])}**), so there is nothing to rank.")
        return draft.done(mvp=mvp, clear=False)
    sep = product_separation(tx, mvp, ds.products, by)
    _record_pick(draft, "mvp", "Most valuable product line (MVP)", sep, top, mvp.iloc[1], "product")
    draft.add("mvp_table", mvp.head(5)[["product", "revenue_share", "repeat_rate", "cross_sell_rate"]].round(4),
              "Top product lines by revenue, retention and cross-sell")
    lead = (f"The most valuable product line is **{md(top['product'])}**" if sep.clear else
            f"The line ranked first is **{md(top['product'])}**")
    words = PRODUCT_WORDS if not counts_purchases(ds) else {**PRODUCT_WORDS, "revenue": ("share of purchases",
                                                                                        "revenue_share", ".1%")}
    draft.say(f"{lead}: {top['revenue_share']:.1%} of {value_noun(ds)}, {top['repeat_rate']:.1%} of its new buyers "
              f"ordered again within {MVP_FOLLOW_DAYS} days and {top['cross_sell_rate']:.1%} went on to another line. "
              + _pick_text(sep, top, mvp.iloc[1], "product", words))
    return draft.done(mvp=mvp, clear=sep.clear)


def _delivery_text(mvs: pd.DataFrame) -> str:
    """Whether delivery speed makes a difference to repeat orders (Markdown), tested at 5%."""
    speed = mvs[(mvs["dimension"] == "delivery speed") & (mvs["followed"] > 0)]
    if len(speed) < 2:
        return ""
    hi, lo = speed.loc[speed["repeat_rate"].idxmax()], speed.loc[speed["repeat_rate"].idxmin()]
    p = two_proportion_p_value(hi["repeat_rate"] * hi["followed"], hi["followed"],
                               lo["repeat_rate"] * lo["followed"], lo["followed"])
    return (f" Delivery speed matters: after a **{md(lo['service'])}** delivery {lo['repeat_rate']:.1%} ordered "
            f"again, against {hi['repeat_rate']:.1%} after a {md(hi['service'])} one." if p < 0.05 else
            f" Delivery speed makes no clear difference: {lo['repeat_rate']:.1%} ordered again after a "
            f"{md(lo['service'])} delivery and {hi['repeat_rate']:.1%} after a {md(hi['service'])} one, a gap "
            f"that chance alone could produce ({int(lo['followed']):,} and {int(hi['followed']):,} orders).")


def most_valuable_service(ds: Dataset) -> Section:
    """§9: sales channels and delivery speeds by revenue and repeat orders within 90 days, from the run's
    order table of sale lines; the first sales channel is named only when the data separate it from the
    runner-up (:func:`~customer_workbook.planning.service_separation`). Results: ``mvs`` (the ranked
    table) and ``clear``."""
    tables = derived(ds)
    end = ds.transactions["date"].max()
    mvs = service_value_table(tables.sale_orders, end, follow_days=MVS_FOLLOW_DAYS)
    draft = Draft()
    if not len(mvs):
        draft.skip("Most valuable service", ["transactions.channel"])
        return draft.done(mvs=mvs, clear=False)
    shown = service_intervals(tables.sale_orders, end, mvs, follow_days=MVS_FOLLOW_DAYS)
    shown = shown.assign(repeat_rate=_with_interval(shown, "repeat_rate", "repeat"))
    draft.show(plots.styled_table(value_columns(shown[[c for c in mvs.columns if c != "followed"]], ds), value_columns({
        "orders": "{:,.0f}", "order_share": "{:.1%}", "revenue": "{:,.0f}", "mean_order_value": "{:,.1f}",
        "score": "{:.2f}"}, ds)))
    draft.add("repeat_rate_by_service", {f"{r.dimension}: {r.service}": round(float(r.repeat_rate), 4)
                                         for r in mvs.itertuples() if r.followed > 0},
              f"Repeat rate within {MVS_FOLLOW_DAYS} days by service", unit="share")
    channels = mvs[mvs["dimension"] == "sales channel"]
    sep = service_separation(tables.sale_orders, end, mvs, follow_days=MVS_FOLLOW_DAYS)
    if sep is None:
        text = (f"Every order goes through one sales channel (**{md(channels.iloc[0]['service'])}**), so there is "
                "no channel to rank." if len(channels) else "")
        if text + _delivery_text(mvs):
            draft.say((text + _delivery_text(mvs)).strip())
        return draft.done(mvs=mvs, clear=False)
    best, second = channels.iloc[0], channels.iloc[1]
    _record_pick(draft, "mvs", "Most valuable service (sales channel)", sep, best, second, "service")
    lead = "The most valuable sales channel is" if sep.clear else "The sales channel ranked first is"
    draft.say(f"{lead} **{md(best['service'])}** ({best['order_share']:.1%} of orders, repeat rate "
              f"{best['repeat_rate']:.1%}). " + _pick_text(sep, best, second, "service", SERVICE_WORDS)
              + _delivery_text(mvs))
    return draft.done(mvs=mvs, clear=sep.clear)


def _response_text(pilot: pd.Series) -> str:
    """How the pilot audience responded to the randomised campaign, worded from its 95% interval."""
    if "uplift" not in pilot or not (pd.notna(pilot.get("uplift")) and pd.notna(pilot.get("uplift_se"))):
        return ""
    lift, se = float(pilot["uplift"]), float(pilot["uplift_se"])
    verdict = {"unclear": "not distinguishable from no effect (the 95% interval covers zero)",
               "positive": "a clear response", "negative": "a clear negative response: choose its offer with care"
               }[campaign_response(pilot)]
    return (f" In the randomised campaign this audience's uplift was {pp(lift)} (standard error {100 * se:.1f} pp): "
            f"{verdict}.")


def most_valuable_audience(ds: Dataset, features: Section, contact: Section, segment_column: str,
                           min_audience: int) -> Section:
    """§10: segment x persona cells by expected 12-month value; the pilot runs in the most valuable one.

    Personas come from the run's one engine (:func:`customer_workbook.segments.find_personas`, the same
    call in notebooks 01, 03 and 05). The cells are ranked only when the value model fitted
    (``report.ok``); cells of at least ``min_audience`` customers worth more than the average customer are
    candidates. One is named the most valuable audience only when its mean value is separated from every
    other ranked cell's (:func:`~customer_workbook.planning.audience_ties`, 5% level, Holm-corrected);
    otherwise the candidates tied with the first make up the pilot audience together and no single one is
    named. Results: ``audiences``, ``pilot`` (the most valuable cell's row, or ``None`` when none is clear),
    ``tied`` (the pilot audience's cells: that one cell, or those tied for first; ``None`` without any),
    ``clear``, ``personas`` (name per customer, unassigned included), ``segment`` (per customer, or
    ``None``) and ``profile`` (:func:`~customer_workbook.planning.customer_profile` today).
    """
    personas = cache.call(find_personas, ds)
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
        return draft.done(audiences=None, pilot=None, tied=None, clear=False, **done)
    value_now = value.table
    audiences = audience_table(value_now, persona_of, segment, churn_p=p_now,
                               campaigns=ds.campaigns if ds.has("campaigns") else None, min_size=min_audience)
    overall = float(value_now["clv_1y"].mean())
    ties = audience_ties(audiences)
    tied = ties[ties["tied"] & (ties["value_per_customer"] > overall)]
    clear = len(tied) == 1
    pilot = tied.iloc[0] if clear else None
    cols = [c for c in ["segment", "persona", "customers", "value_per_customer", "value_low", "value_high", "p_alive",
                        "churn_risk", "uplift", "uplift_se", "p_vs_top"] if c in ties]
    cells = list(zip(tied["segment"], tied["persona"]))
    draft.show(plots.plot_audience_map(audiences, pilot=cells[0] if clear else None, currency=value_unit(ds),
                                       tied=None if clear else cells),
               plots.styled_table(ties.head(10)[cols].rename(columns=NO_ORDER_RISK),
                                  {"customers": "{:,.0f}", "value_per_customer": "{:,.0f}", "value_low": "{:,.0f}",
                                   "value_high": "{:,.0f}", "p_alive": "{:.1%}",
                                   "no_order_risk": "{:.1%}", "uplift": pp, "uplift_se": lambda v: f"{100 * v:.1f} pp",
                                   "p_vs_top": "{:.3f}"}))
    draft.add("value_per_customer_overall", round(overall, 2), "Expected 12-month value per customer, whole base",
              unit="currency units")
    if not len(tied):
        not_shown(draft, "a most valuable audience", f"No audience of at least {min_audience:,} customers is worth "
                   f"more than the average customer ({overall:,.0f} in the next 12 months): the valuable customers "
                   "are spread over smaller cells. A smaller `min_audience` or a coarser `segment_column` may help.")
        return draft.done(audiences=audiences, pilot=None, tied=None, clear=False, **done)
    _record_audience(draft, tied, len(ties))
    draft.say(_audience_text(tied, len(ties), overall) + (_response_text(pilot) if clear else ""))
    return draft.done(audiences=audiences, pilot=pilot, tied=tied, clear=clear, **done)


def _shared(tied: pd.DataFrame, column: str) -> str:
    """The one value of ``column`` every tied audience shares, else :data:`NO_CLEAR_WINNER`."""
    values = tied[column].astype(str).unique()
    return str(values[0]) if len(values) == 1 else NO_CLEAR_WINNER


def _record_audience(draft: Draft, tied: pd.DataFrame, n_ranked: int) -> None:
    """Findings of §10: the most valuable audience when one is separated from the rest, else
    :data:`NO_CLEAR_WINNER` and the audiences tied for first; the persona and segment when they share one."""
    clear = len(tied) == 1
    first = tied.iloc[0]
    draft.add("mva", f"{first['persona']} · {first['segment']}" if clear else NO_CLEAR_WINNER,
              "Most valuable audience (pilot)", headline=clear)
    draft.add("mva_clear", clear, f"The most valuable audience is separated from the other {n_ranked - 1} at the "
              f"{SEPARATION_ALPHA:.0%} level (Holm-corrected)")
    draft.add("mva_segment", _shared(tied, "segment"), "Most valuable audience: segment")
    draft.add("mva_persona", _shared(tied, "persona"), "Most valuable audience: persona")
    if not clear:
        draft.add("mva_tied", [f"{r.persona} · {r.segment}" for r in tied.itertuples()],
                  "Audiences tied for most valuable (the pilot audience), highest value first")
    draft.add("mva_value_per_customer", round(float(tied["total_value"].sum() / tied["customers"].sum()), 2),
              "Expected 12-month value per customer in the pilot audience", unit="currency units")


def _audience_text(tied: pd.DataFrame, n_ranked: int, overall: float) -> str:
    """§10 in words (Markdown, data values escaped): the most valuable audience, or the audiences tied."""
    first, level = tied.iloc[0], f"{SEPARATION_ALPHA:.0%} level, Holm-corrected over {n_ranked - 1} comparisons"
    if len(tied) == 1:
        return (f"The most valuable audience is **{md(first['persona'])} · {md(first['segment'])}**: "
                f"{int(first['customers']):,} customers worth **{first['value_per_customer']:,.0f}** each in the next "
                f"12 months, against {overall:,.0f} for the average customer; every other audience is worth less by "
                f"more than chance ({level}).")
    names = "; ".join(f"{md(r.persona)} · {md(r.segment)} ({r.value_per_customer:,.0f})" for r in tied.itertuples())
    shared = [f"every one is **{md(first[c])}**" for c in ("persona", "segment")
              if _shared(tied, c) != NO_CLEAR_WINNER]
    n, v = int(tied["customers"].sum()), float(tied["total_value"].sum() / tied["customers"].sum())
    return (f"**No single audience is clearly the most valuable:** {len(tied)} audiences worth more than the average "
            f"customer ({overall:,.0f}) cannot be told apart ({level}): {names}."
            + (f" Their {' and '.join(c for c in ('persona', 'segment') if _shared(tied, c) != NO_CLEAR_WINNER)} "
               f"stands out: {' and '.join(shared)}." if shared else "")
            + f" The pilot runs in them together: {n:,} customers worth **{v:,.0f}** each in the next 12 months.")


def _audience_inputs(ds: Dataset, audience: Section, contact: Section, cells: pd.DataFrame,
                     outcome_days: int) -> tuple[pd.Index, float, str, np.ndarray]:
    """Members of the audience cells ``cells`` (rows with ``persona`` and ``segment``), their baseline repeat
    rate (1 - mean probability of no order today over its scored, active members, or observed without a usable
    model or scored member), its source and how many distinct members ordered by the end of each week of the
    last year (:func:`~customer_workbook.planning.pilot.enrolment_curve`): the pilot enrols customers as they
    order."""
    members = audience["profile"].index[:0]
    for cell in cells.itertuples():  # a few cells, not customers
        members = members.append(audience_members(audience["personas"], audience["segment"], cell.persona,
                                                  cell.segment, audience["profile"].index))
    p_now = contact["p_now"]
    scored = None if p_now is None else p_now.reindex(members).dropna()  # scores cover active customers only
    if scored is not None and len(scored):
        p_repeat, source = float(1 - scored.mean()), "predicted"
    else:
        p_repeat, source = recent_repeat_rate(ds.transactions, members, outcome_days), "observed"
    return members, p_repeat, source, enrolment_curve(ds.transactions, members)


def _wider_audiences(ds: Dataset, audience: Section, contact: Section, outcome_days: int,
                     most: int = 8) -> list[tuple[int, np.ndarray, float]]:
    """The pilot audience widened one cell at a time by the next ranked cells worth more than the average
    customer (at most ``most``), each as ``(customers, enrolment curve, baseline)``: :func:`feasible_pilot`'s
    candidates after the first."""
    ranked, tied = audience["audiences"], audience["tied"]
    overall = float(contact["value"].table["clv_1y"].mean())
    keys = set(zip(tied["segment"], tied["persona"]))
    rest = ranked[ranked["ranked"] & (ranked["value_per_customer"] > overall)]
    rest = rest[[k not in keys for k in zip(rest["segment"], rest["persona"])]].head(most)
    out = []
    for i in range(1, len(rest) + 1):
        members, p_repeat, _, reach = _audience_inputs(ds, audience, contact, pd.concat([tied, rest.head(i)]),
                                                       outcome_days)
        if 0 < p_repeat < 1 and reach[-1] > 0:
            out.append((len(members), reach, p_repeat))
    return out


def _cells(n: int) -> str:
    """"most valuable cell" or "3 most valuable cells"."""
    return "most valuable cell" if n == 1 else f"{n} most valuable cells"


def _shortfall_text(ask: PilotPlan) -> str:
    """Why the requested test cannot run in its audience (Markdown, after "... customers per arm (N in all)"):
    too few customers, or too few who order in the time available to enrol it."""
    if not ask.feasible:
        return (f", but the audience holds only {ask.audience_size:,} customers, and a longer pilot would not add "
                "any.")
    return (f". The audience holds them, but customers enter as they order, each once, and only "
            f"{ask.reachable:,.0f} of its {ask.audience_size:,} customers ordered in the last {ask.reach_weeks} weeks: "
            f"**the pilot cannot enrol {ask.total:,} customers in the time available** (judged by the last year's "
            "orders).")


def _design_text(design: PilotDesign, mde: float, power: float, alpha: float, source: str) -> str:
    """§11 in words: the requested test, and, when its audience cannot hold or enrol it in time, the design the
    plan runs instead (never one that cannot enrol)."""
    ask, run = design.requested, design.plan
    text = (f"To detect a lift of {100 * mde:.1f} pp on a {source} repeat rate of {ask.p_control:.1%} with "
            f"{power:.0%} power at a {alpha:.0%} significance level, the pilot needs **{ask.n_per_arm:,} customers "
            f"per arm** ({ask.total:,} in all)")
    if design.choice == "as planned":
        return text + f". The audience is large enough; {_enrolment_text(ask)}"
    text += _shortfall_text(ask) + " **The plan runs a pilot that can enrol instead:** "
    if design.choice == "wider audience":
        return text + (f"the audience is widened by the next {_cells(design.audiences_used - 1)} to "
                       f"{run.audience_size:,} customers, which hold the {run.n_per_arm:,} per arm; "
                       f"{_enrolment_text(run)}")
    who = (f"all {run.audience_size:,} customers" if design.enrolling >= run.audience_size else
           f"the {design.enrolling:,} customers who enrol in time (those who ordered in the last {ask.reach_weeks} "
           "weeks)")
    if design.choice == "larger lift":
        return text + (f"{who}, split into two arms of {run.n_per_arm:,}, test for a lift of **{100 * run.mde:.1f} "
                       f"pp** (the smallest that size can detect; no wider audience of cells worth more than the "
                       f"average customer holds and enrols the requested test); {_enrolment_text(run)} A smaller lift "
                       "would go unseen.")
    return text + f"none: not even {who} could detect a lift. Widen the audience before testing."


def _enrolment_text(plan: PilotPlan) -> str:
    """How long enrolling the pilot's distinct customers takes when they enter as they order (judged by the last
    year's orders), or that it does not get there, in words ending with a full stop."""
    need, span = min(plan.total, plan.audience_size), f"{plan.reach_weeks} weeks"
    ordered = (f"{plan.reachable:,.0f} of the {plan.audience_size:,} customers ({plan.reachable / plan.audience_size:.0%}) "
               f"ordered in the last {span}")
    if plan.enrolled_in_time:
        return (f"customers enter as they order, each once: {ordered}, so enrolling {need:,} takes "
                f"{plan.enrol_weeks:.0f} weeks and the test {plan.duration_weeks:.0f} weeks in all.")
    return (f"customers enter as they order, each once, and **enrolment would not reach {need:,}**: only {ordered}. "
            "The rest must be invited directly, or the test run on fewer customers for a larger lift.")


def pilot_size(ds: Dataset, audience: Section, contact: Section, mde: float, outcome_days: int, alpha: float,
               power: float) -> Section:
    """§11: customers per arm and weeks the pilot needs in the pilot audience, and the design the plan runs.

    The baseline is the audience's predicted repeat rate (1 - mean probability of no order today over its
    scored members) or, without a usable model or scored member, its observed one (:func:`~customer_workbook.planning.recent_repeat_rate`); customers
    enter when they order, each once (:func:`~customer_workbook.planning.pilot.enrolment_curve`). When the
    audience is too small for the requested lift ``mde``, or too few of its customers order within a year to
    enrol it, :func:`~customer_workbook.planning.pilot.feasible_pilot` widens it by the next valuable cells or
    sizes the pilot for the lift its customers who enrol in time can detect; a design that cannot enrol is
    never laid out.
    Results: ``plan`` (the requested :class:`~customer_workbook.planning.PilotPlan`), ``design``
    (:class:`~customer_workbook.planning.pilot.PilotDesign`: the pilot the plan runs, ``design.plan``) and
    ``p_repeat`` (all ``None`` without a pilot audience, §10).
    """
    draft = Draft()
    if audience["tied"] is None:
        not_shown(draft, "the pilot's size", "It is sized for the most valuable audience (section 10), and there is "
                  "none.")
        return draft.done(plan=None, design=None, p_repeat=None)
    members, p_repeat, source, reach = _audience_inputs(ds, audience, contact, audience["tied"], outcome_days)
    if not (p_repeat > 0 and p_repeat < 1) or not reach[-1] > 0:
        not_shown(draft, "the pilot's size", f"The audience's {source} repeat rate is {p_repeat:.1%} and "
                   f"{reach[-1]:,.0f} of its customers ordered in the last year: a test of a lift cannot be sized "
                   "on that.")
        return draft.done(plan=None, design=None, p_repeat=None)
    candidates = [(len(members), reach, p_repeat)]
    if min(len(members), reach[-1]) < sample_size_two_proportions(p_repeat, mde, alpha, power).total:
        candidates += _wider_audiences(ds, audience, contact, outcome_days)
    design = feasible_pilot(candidates, mde, outcome_days, alpha=alpha, power=power)
    rows = [("requested", design.requested)] + ([("run", design.plan)] if design.changed and design.plan else [])
    draft.show(plots.styled_table(pd.DataFrame([{
        "design": name, "baseline repeat rate": p.p_control, "lift to detect": p.mde, "per arm": p.n_per_arm,
        "total": p.total, "audience": p.audience_size, "ordering in a year": p.reachable,
        "weeks to enrol": p.enrol_weeks, "weeks in total": p.duration_weeks} for name, p in rows]), PILOT_FORMATS))
    _record_design(draft, design)
    draft.say(_design_text(design, mde, power, alpha, source))
    return draft.done(plan=design.requested, design=design, p_repeat=p_repeat)


def _record_design(draft: Draft, design: PilotDesign) -> None:
    """Findings of §11: the requested test, whether the audience holds it, and the design the plan runs."""
    ask, run = design.requested, design.plan
    draft.add("pilot_requested_n_per_arm", ask.n_per_arm, "Pilot customers per arm for the requested lift")
    draft.add("pilot_feasible", ask.feasible, "The pilot audience is large enough for the requested lift")
    draft.add("pilot_requested_enrolment_reached", ask.enrolled_in_time, "Enrolling the requested pilot's customers "
              "as they order reaches its size within a year (judged by the last year's orders)")
    draft.add("pilot_design", design.choice, "Pilot design the plan runs (as planned, wider audience, larger lift, "
              "none)",
              headline=design.changed)
    whole = ask.mde_with_whole_audience
    if whole == whole:  # NaN when even the whole audience could detect no lift
        draft.add("pilot_mde_whole_audience", round(whole, 4), "Smallest lift the whole pilot audience could detect",
                  unit="pp")
    if run is None:
        return
    draft.add("pilot_n_per_arm", run.n_per_arm, "Pilot customers per arm", headline=True)
    draft.add("pilot_audience_size", run.audience_size, "Customers in the audience the pilot runs in")
    draft.add("pilot_lift", round(run.mde, 4), "Lift the pilot is sized to detect", unit="pp")
    draft.add("pilot_enrolment_reached", run.enrolled_in_time, "Enrolling the pilot's customers as they order reaches "
              "its size within a year (judged by the last year's orders)")
    if run.enrolled_in_time:
        draft.add("pilot_duration_weeks", run.duration_weeks, "Pilot duration (enrolment of distinct customers + "
                  "outcome window)", unit="weeks")


def _order_values(ds: Dataset, customers: pd.Index, margin: float) -> pd.Series:
    """Value of one extra order per customer (currency units), by ``customers``: notebook 03's unit for the
    campaign's outcome (:func:`~customer_workbook.retention.extra_order_value`: ``margin`` times the customer's
    mean sales-order value), over the whole history."""
    after = ds.transactions["date"].max() + pd.Timedelta(days=1)
    values = extra_order_value(ds, pd.DataFrame({"customer_id": customers.astype(str), "send_date": after}), margin)
    return pd.Series(values.reindex(customers.astype(str)).to_numpy(), index=customers)


def _passed_over_text(passed: pd.DataFrame, mva_passed: bool) -> str:
    """The audiences left out of the plan because the randomised campaign measured a loss there (Markdown, data
    values escaped; empty without any)."""
    if not len(passed):
        return ""
    cells = "; ".join(f"**{md(r.persona)} · {md(r.segment)}** ({pp(r.uplift)}, 95% interval "
                      f"{pp(r.uplift - Z_95 * r.uplift_se)} to {pp(r.uplift + Z_95 * r.uplift_se)})"
                      for r in passed.itertuples())
    who = "The most valuable audience is" if mva_passed and len(passed) == 1 else (
        "The most valuable audience and others are" if mva_passed else
        ("An audience worth more is" if len(passed) == 1 else "Audiences worth more are"))
    return (f"{who} left out: in the randomised campaign an offer there measurably lost orders ({cells}), so the "
            f"evidence does not support leading with {'it' if len(passed) == 1 else 'them'}. ")


def go_to_market(ds: Dataset, audience: Section, contact: Section, product: Section, mde: float,
                 outcome_days: int, n_audiences: int = 3, margin: float = 0.35) -> Section:
    """§12: the audience relations plan, one line per target audience (rules in
    :func:`~customer_workbook.planning.go_to_market_plan`), led by the most valuable audience (§10) when
    one is clear and the randomised campaign did not measure a loss there (such audiences are left out and
    named); the offers draw on the most valuable product line (§8) only when it is clear, otherwise on each
    audience's own main line. The value of an outcome is one extra order's margin (``margin`` times the mean
    order value), as in notebook 03. Results: ``plan`` (the table, or ``None`` without a pilot audience or
    without an audience the evidence supports)."""
    draft = Draft()
    if audience["tied"] is None:
        not_shown(draft, "the go-to-market plan", "It starts from the most valuable audience (section 10), and "
                   "there is none.")
        return draft.done(plan=None)
    p_now, profile = contact["p_now"], audience["profile"]
    customers = audience_customers(profile, audience["personas"], audience["segment"],
                                   contact["value"].table["clv_1y"], p_now, _order_values(ds, profile.index, margin))
    gtm = go_to_market_plan(audience["audiences"], customers, ds.products, product["mvp"] if product["clear"] else None,
                            mde=mde, n_audiences=n_audiences, outcome_days=outcome_days,
                            churn_rate=None if p_now is None else float(p_now.mean()))
    passed = plan_audiences(audience["audiences"], n_audiences)[1]
    mva = audience["pilot"]
    mva_passed = mva is not None and bool(((passed["segment"] == mva["segment"]) & (passed["persona"] == mva["persona"])).any())
    if not len(gtm):
        not_shown(draft, "the go-to-market plan", _passed_over_text(passed, mva_passed)
                  + "No ranked audience is left that the evidence supports.")
        return draft.done(plan=None)
    draft.show(plots.styled_table(gtm.rename(columns=NO_ORDER_RISK), {
        "customers": "{:,.0f}", "value_per_customer": "{:,.0f}", "no_order_risk": "{:.1%}", "order_value": "{:,.1f}",
        "expected_value": "{:,.0f}"}))
    draft.add("go_to_market", gtm, "Audience relations plan (expected value: customers x the pilot's lift x the "
              "margin of one extra order)")
    first = gtm.iloc[0]
    lead = (f"Start with **{md(first['audience'])}**" if audience["clear"] and not mva_passed else
            f"Start instead with **{md(first['audience'])}**" if mva_passed else
            "No audience is clearly the most valuable (section 10), so the order of these lines is not a ranking "
            f"the data support; the pilot tells them apart. For **{md(first['audience'])}**")
    draft.say(f"{_passed_over_text(passed, mva_passed)}{lead}: goal *{md(first['goal'])}*, offer *{md(first['offer'])}* "
              f"through **{md(first['channel'])}**, {md(first['timing'])}; evidence: {md(first['evidence'])}. If the "
              f"pilot shows the planned lift, {100 * mde:.1f} pp more of its {first['customers']:,} customers order again, "
              f"each extra order worth **{first['order_value']:,.1f}** (its margin: the unit notebook 03 values the "
              f"campaign's outcome in), about **{first['expected_value']:,.0f}** in all; watch the "
              f"{md(first['metric_to_watch'])}.")
    return draft.done(plan=gtm)
