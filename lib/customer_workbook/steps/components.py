"""Notebook 05 (step 5, the plan components): one function per section.

Each function takes the loaded data (and the notebook's parameters), calls the concept packages and
returns a :class:`~customer_workbook.steps.Section` with the section's tables, figures, sentences and
findings; the notebook cell only shows it. Where the computations live:

* value: :func:`customer_workbook.clv.score_customers`, :func:`~customer_workbook.clv.value_concentration`,
  :func:`~customer_workbook.clv.segment_value`;
* dormancy and win-back: :mod:`customer_workbook.retention.winback`;
* offers: :mod:`customer_workbook.offers.recommender`; uplift: :mod:`customer_workbook.retention.uplift` (sections 3
  and 4 live in :mod:`._components_offers`, with their model gates);
* recognition: :mod:`customer_workbook.advocacy.recognition`, power users :mod:`customer_workbook.advocacy.ownership`;
* product line, assortment and non-customers: :mod:`customer_workbook.offers`;
* the plan and the customer card: :mod:`customer_workbook.planning.action_plan`.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from .. import cache, plots, privacy
from ..plots.model_fit import show_model_fit
from ..stats import SEPARATION_ALPHA, separate_top
from ..advocacy import (advocacy_scores, engagement_rates, paying_statuses, power_users, recognition_statuses,
                        status_economics)
from ..advocacy.ownership import CONTENT_EVENTS
from ..base import derived
from ..clv import score_customers, segment_value, value_concentration
from ..escaping import md
from ..offers import (choice_vs_convenience, classify_prospects, must_have_needs, product_hierarchy, recommend,
                      tier_migration)
from ..planning.action_plan import ASSUMED, MEASURED, PlanInputs, action_plan, customer_card
from ..planning.customer_list import assemble, recommended_actions, write_columns
from ..segments import MIN_CUSTOMERS, UNASSIGNED, find_personas, too_few
from ._components_offers import copurchase_offers, next_best_offers, randomised_campaign, targeting_the_base
from ._components_winback import dormant_customers, winback_view
from ..value_unit import counts_purchases, skip_money_comparison, value_columns, value_noun
from ._components_decision import components_decision as decision
from .section import Draft, Section, counted

__all__ = ["choice_or_convenience", "copurchase_offers", "customer_cards", "decision", "dormant_customers", "long_term_value",
           "next_best_offers", "non_customers", "ownership", "personas", "product_line_hierarchy", "randomised_campaign",
           "recognition_plan", "save_customer_scores", "targeting_the_base", "the_plan", "winback_view"]

#: Fewest customers who created content (reviews, posts, referrals) for the power-user section.
MIN_CREATORS = 20
SEVEN_PS = ("people", "product", "place", "price", "promotion", "processes", "positioning")


def _observation_end(ds) -> pd.Timestamp:
    """The last day of the data (midnight)."""
    return ds.transactions["date"].max().normalize()


def personas(ds) -> Section:
    """The run's one persona assignment (the same call as in notebooks 01, 03 and 04), as findings."""
    draft = Draft()
    found = cache.call(find_personas, ds)
    draft.add("persona_counts", found.counts(), "Customers per persona (unassigned: fewer than 2 orders)")
    draft.add("persona_assignment", found.fingerprint(),
              "Fingerprint of every customer's persona (equal in notebooks 01, 03, 04, 05)")
    if not found.found:  # too few repeat buyers (segments.MIN_CLUSTERED): every customer is unassigned
        draft.say(found.too_few.note("personas") + " Customer cards show every customer as unassigned.")
    return draft.done(personas=found)


# --------------------------------------------------------------------------- 1. long-term value


def long_term_value(ds, margin: float, discount_rate: float) -> Section:
    """Section 1: what each customer is worth over the next years, how concentrated that value is, and by
    acquisition channel (when known).

    The model gate: values are used only when the customer-value fit passes (``report.ok`` of
    :func:`~customer_workbook.clv.score_customers`); otherwise the section says why and records nothing, and
    its ``values`` result is None (``customer_value`` keeps the scorer's result, whose history columns the
    dormancy section still uses)."""
    draft = Draft()
    scored = cache.call(score_customers, ds.transactions, _observation_end(ds) + pd.Timedelta(days=1),
                        margin=margin, discount_rate=discount_rate)
    values = scored.table
    show_model_fit(draft, scored, ds.transactions)   # held-out check of the purchase model
    if not scored.report.ok:
        span = (_observation_end(ds) - ds.transactions["date"].min().normalize()).days + 1
        repeat = scored.report.n_scored - scored.report.n_one_time
        draft.say(f"> **Not shown: customer value.** The customer-value models did not fit reliably on this data, so no "
                  f"customer is given a value, and the sections below that need one (win-back economics, recognition "
                  f"statuses, the value at stake, the most valuable customers) say so. The models learn from repeat "
                  f"purchases: {repeat:,} of the {scored.report.n_scored:,} customers bought on more than one day in "
                  f"the {span:,} days of data; more history (`start_date`) or more repeat buyers help. "
                  f"Fit: {scored.report.sentence()}")
        return draft.done(values=None, customer_value=scored, concentration=None, by_segment=None)
    conc = value_concentration(values["clv_3y"], (0.01, 0.05, 0.20))
    draft.add("clv_customers", len(values), "Customers valued")
    draft.add("clv_1y_total", round(float(values["clv_1y"].sum()), 0), "Expected value of the base, next year",
              headline=True, unit="currency units")
    draft.add("clv_3y_total", round(float(values["clv_3y"].sum()), 0), "Expected value of the base, next 3 years",
              headline=True, unit="currency units")
    draft.add("clv_3y_mean", round(float(values["clv_3y"].mean()), 2), "Mean 3-year value per customer", unit="currency units")
    draft.add("p_alive_mean", round(float(values["p_alive"].mean()), 3), "Mean probability a customer is still active",
              unit="share")
    draft.add("value_share_top", {f"top {k:.0%}": round(float(v), 3) for k, v in conc.items()},
              "Share of 3-year value held by the top customers", unit="share")
    draft.add("value_share_top20", round(float(conc[0.20]), 3), "Share of 3-year value held by the top 20%",
              headline=True, unit="share")
    draft.show(plots.plot_value_concentration(values["clv_3y"]))
    by_segment, best_text = _value_by_segment(ds, values, draft)
    worth = "in margin" if not counts_purchases(ds) else "margin-weighted purchases"
    draft.say(f"The {len(values):,} customers are expected to bring **{values['clv_1y'].sum():,.0f}** {worth} next "
              f"year and **{values['clv_3y'].sum():,.0f}** over three years (discounted at {discount_rate:.0%} a year). "
              f"The top 1% hold {conc[0.01]:.0%} of the three-year value, the top 5% {conc[0.05]:.0%} and the top 20% "
              f"**{conc[0.20]:.0%}**. On average a customer is {values['p_alive'].mean():.0%} likely to still be active. "
              f"{best_text}Fit: {scored.report.sentence()}")
    return draft.done(values=values, customer_value=scored, concentration=conc, by_segment=by_segment)


def _value_by_segment(ds, values: pd.DataFrame, draft: Draft) -> tuple[pd.DataFrame, str]:
    """Mean value by acquisition channel (one segment of everyone without it): the table, the finding and the
    sentence naming the most valuable channel (empty with a single segment)."""
    table = derived(ds).customers
    if "acquisition_channel" in table:
        segments, segment_name = table["acquisition_channel"], "acquisition channel"
    else:
        segments, segment_name = pd.Series("all customers", index=values.index), "segment"
    by_segment = segment_value(values, segments)
    draft.add("clv_by_segment", {r["segment"]: round(r["mean_clv_3y"], 1) for _, r in by_segment.iterrows()},
              f"Mean 3-year value by {segment_name}", unit="currency units")
    draft.show(plots.styled_table(by_segment.rename(columns={"segment": segment_name}),
                                  {"customers": "{:,}", **{c: "{:,.0f}" for c in by_segment if c.startswith(("mean", "total"))},
                                   **{c: "{:.1%}" for c in by_segment if c.startswith("share")}}))
    best = by_segment.sort_values("mean_clv_3y", ascending=False).iloc[0]
    if len(by_segment) < 2:
        return by_segment, ""
    lead = _segment_leader(values["clv_3y"], segments)
    draft.add("clv_by_segment_best", lead.label(), f"The {segment_name} whose customers are measurably worth the most "
              "(90% level, Holm-corrected), or 'no clear difference'")
    if lead.clear:
        return by_segment, (f"By {segment_name}, **{md(best['segment'])}** customers are worth the most "
                            f"({best['mean_clv_3y']:,.0f} each over three years). ")
    low = by_segment["mean_clv_3y"].min()
    return by_segment, (f"By {segment_name}, customers are worth between {low:,.0f} and {best['mean_clv_3y']:,.0f} each "
                        f"over three years, with **no measurable difference** between "
                        f"{', '.join(map(md, sorted(lead.tied)))} (90% level, corrected for the comparisons). ")


def _segment_leader(clv: pd.Series, segments: pd.Series):
    """Whether the segment with the highest mean value is measurably ahead (error of each mean: standard
    deviation / sqrt(customers))."""
    seg = segments.reindex(clv.index).astype("string").fillna("unknown")  # as clv.segment_value
    stats_ = clv.groupby(seg).agg(["mean", "std", "size"])
    return separate_top(stats_["mean"].to_dict(), (stats_["std"] / np.sqrt(stats_["size"])).to_dict())


# --------------------------------------------------------------------------- 5. recognition and the product line


def recognition_plan(ds, values: pd.DataFrame | None, value_cuts, benefit_cost: dict, retention_gain: float) -> Section:
    """Section 5: recognition statuses by value, badges for advocacy, and what the benefits cost against
    the value they keep. Results: ``statuses`` and ``economics`` (None without trusted ``values``: statuses
    rank customers by value) and the advocacy ``scores`` (None without ``engagement``)."""
    draft = Draft()
    scores = None
    customers = derived(ds).customers
    if ds.has("engagement"):
        rates = engagement_rates(ds.engagement, customers)
        index = values.index if values is not None else pd.Index(customers.index.astype(str), name="customer_id")
        scores = advocacy_scores(rates).reindex(index, fill_value=0.0)
    if values is None:
        draft.say("> **Not shown: recognition statuses.** Statuses go to the customers with the highest expected value, "
                  "and the customer-value model did not fit (section 1).")
        return draft.done(statuses=None, economics=None, scores=scores)
    statuses = recognition_statuses(values["clv_1y"], None if scores is None else scores["score"],
                                    value_cuts=tuple(value_cuts))
    table = status_economics(statuses, values, benefit_cost=benefit_cost, retention_gain=retention_gain)
    draft.add("status_sizes", {r["status"]: int(r["customers"]) for _, r in table.iterrows()},
              "Customers per recognition status", headline=True)
    if counts_purchases(ds):
        return _statuses_without_money(draft, table, statuses, scores)
    draft.add("status_net_value", {r["status"]: round(r["net_value"], 0) for _, r in table.iterrows()},
              "Retained value minus benefit cost per status (a status without a benefit keeps nothing)",
              unit="currency units")
    draft.add("ambassadors", int((statuses["badge"] == "ambassador").sum()), "Customers with the ambassador badge")
    draft.show(plots.styled_table(table, {"customers": "{:,}", "share": "{:.1%}", "mean_clv_1y": "{:,.0f}",
                                          "ambassadors": "{:,}", "benefit_per_member": "{:,.2f}",
                                          "benefit_cost": "{:,.0f}", "retained_value": "{:,.0f}",
                                          "net_value": "{:,.0f}"}))
    n = table.set_index("status")["customers"]
    draft.say(f"The rules give {n['platinum']:,} platinum, {n['gold']:,} gold and {n['silver']:,} silver members. "
              + _recognition_value_text(table, retention_gain)
              + ("" if scores is not None else " Without engagement data, badges for advocacy cannot be given."))
    if scores is None:
        draft.skip("Advocacy badges", ["engagement"], "Statuses were set from value only.")
    return draft.done(statuses=statuses, economics=table, scores=scores)


def _recognition_value_text(table: pd.DataFrame, retention_gain: float) -> str:
    """Whether the benefits pay, counting only the statuses whose members get one (Markdown): what the paying
    statuses add net of their cost, and the statuses that do not pay."""
    given = table[table["benefit_per_member"] > 0]
    if given.empty:
        return "No status carries a benefit (`status_benefit_cost`), so recognition costs and keeps nothing."
    paying = paying_statuses(table)
    losing = given[given["net_value"] <= 0]
    head = f"If the benefits keep {retention_gain:.0%} of their members' next-year value (an assumption), "
    if paying.empty:
        return (head + f"**status benefits do not pay**: they cost {given['benefit_cost'].sum():,.0f} a year and keep "
                f"{given['retained_value'].sum():,.0f}. Members without a benefit are not counted: a status that "
                "gives nothing keeps nothing.")
    text = (head + f"the benefits of {_and(paying['status'])} add **{paying['net_value'].sum():,.0f}** a year net of "
            f"their cost ({paying['benefit_cost'].sum():,.0f})")
    if len(losing):
        text += (f"; those of {_and(losing['status'])} do not pay (they cost {losing['benefit_cost'].sum():,.0f} and "
                 f"keep {losing['retained_value'].sum():,.0f})")
    return text + ". Members without a benefit are not counted: a status that gives nothing keeps nothing."


def _and(names) -> str:
    """Names joined as "a, b and c" (Markdown-escaped)."""
    names = [md(x) for x in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _statuses_without_money(draft: Draft, table: pd.DataFrame, statuses: pd.DataFrame, scores) -> Section:
    """The recognition statuses of data without revenue: their sizes, and the note that their benefits (money)
    cannot be set against the value they keep (purchases). ``economics`` is None: the plan gets no money row."""
    draft.add("ambassadors", int((statuses["badge"] == "ambassador").sum()), "Customers with the ambassador badge")
    draft.show(plots.styled_table(table[["status", "customers", "share", "mean_clv_1y", "ambassadors"]],
                                  {"customers": "{:,}", "share": "{:.1%}", "mean_clv_1y": "{:,.0f}", "ambassadors": "{:,}"}))
    n = table.set_index("status")["customers"]
    draft.say(f"The rules give {n['platinum']:,} platinum, {n['gold']:,} gold and {n['silver']:,} silver members.")
    skip_money_comparison(draft, "Whether the recognition benefits pay", "the purchases the benefits keep",
                          "what the benefits cost")
    if scores is None:
        draft.skip("Advocacy badges", ["engagement"], "Statuses were set from value only.")
    return draft.done(statuses=statuses, economics=None, scores=scores)


def product_line_hierarchy(ds) -> Section:
    """Section 5, continued: revenue by product tier and whether customers climb the line between the two
    halves of the period (result ``migration``, None without ``products.tier``)."""
    draft = Draft()
    tx = ds.transactions
    if not (ds.has("products") and "tier" in ds.products and "product_id" in tx):
        draft.skip("Product-line hierarchy", ["products"], "Needs `products.tier` and `transactions.product_id`.")
        return draft.done(hierarchy=None, migration=None)
    hierarchy = product_hierarchy(tx, ds.products)
    start = tx["date"].min()
    migration = tier_migration(tx, ds.products, (start + (_observation_end(ds) - start) / 2).normalize())
    draft.show(plots.styled_table(value_columns(hierarchy, ds), value_columns({
        "buyers": "{:,}", "revenue": "{:,.0f}", "mean_line_value": "{:,.2f}", "revenue_share": "{:.1%}",
        "products": "{:,}", "mean_list_price": "{:,.2f}"}, ds)))
    draft.add("product_tier_revenue_share", {r["tier"]: round(r["revenue_share"], 3) for _, r in hierarchy.iterrows()},
              "Revenue share per product tier", unit="share")
    top = hierarchy.sort_values("revenue_share", ascending=False).iloc[0]
    text = f"**{md(top['tier'])}** products bring the most {value_noun(ds)} ({top['revenue_share']:.0%})."
    if few := too_few(migration.customers, MIN_CUSTOMERS, "customers who bought in both halves of the period"):
        draft.say(text)
        draft.say(few.note("whether customers climb the product line"))
        return draft.done(hierarchy=hierarchy, migration=None)
    draft.show(plots.plot_tier_migration(migration.matrix))
    draft.add("tier_up_share", round(migration.up_share, 3), "Customers who moved up a product tier", unit="share")
    draft.add("tier_down_share", round(migration.down_share, 3), "Customers who moved down a product tier", unit="share")
    draft.say(
        f"{text} Of the {migration.customers:,} customers who bought in both halves of the period, "
        f"{migration.up_share:.0%} moved up to a higher tier and {migration.down_share:.0%} moved down; "
        f"{migration.matrix.loc['entry', 'entry']:.0%} of entry-level buyers stayed at entry level.")
    return draft.done(hierarchy=hierarchy, migration=migration)


# --------------------------------------------------------------------------- 6.-8. ownership, choice, non-customers


def ownership(ds, scores: pd.DataFrame | None, values: pd.DataFrame | None) -> Section:
    """Section 6: the power users who create most content and referrals, and what a referral is worth
    (result ``power``: None without advocacy ``scores`` or when nobody created content; the value comparisons
    need trusted ``values``)."""
    draft = Draft()
    if scores is None:
        draft.skip("Power users and ownership", ["engagement"])
        return draft.done(power=None)
    table = derived(ds).customers
    power = power_users(scores, values, table.get("acquisition_channel"), top_share=0.01)
    creators = int((scores[[c for c in CONTENT_EVENTS if c in scores]].sum(axis=1) > 0).sum())
    if creators < MIN_CREATORS:
        draft.say(f"> **Not shown: power users.** Only {creators:,} of the {len(scores):,} customers wrote a review, posted "
                  f"in the community or referred anyone in the engagement data ({len(ds.engagement):,} events); telling "
                  f"power users from the rest needs at least {MIN_CREATORS} who did.")
        return draft.done(power=None)
    draft.show(plots.styled_table(power.summary, {"customers": "{:,}", "content_per_customer": "{:.1f}",
                                                  "referrals_per_customer": "{:.2f}", "mean_clv_1y": "{:,.0f}",
                                                  "mean_p_alive": "{:.0%}"}))
    draft.add("power_users", power.n_power_users, "Power users (top 1% by content)")
    draft.add("power_user_content_share", round(power.content_share, 3), "Share of content created by power users",
              headline=True, unit="share")
    text = f"The **{power.n_power_users:,} power users** create {power.content_share:.0%} of all reviews, posts and referrals"
    draft.say(text + _power_value_text(draft, power) if values is not None else
              text + ". How much they are worth is not shown: the customer-value model did not fit (section 1).")
    return draft.done(power=power)


def _power_value_text(draft: Draft, power) -> str:
    """The power users' value share, the rank correlation of value with advocacy and what a referral brings,
    each recorded and worded only when its number exists."""
    text = ""
    if np.isfinite(power.value_share):
        draft.add("power_user_value_share", round(power.value_share, 3), "Power users' share of next-year value",
                  unit="share")
        text += f" and hold {power.value_share:.1%} of next-year value"
    rho = power.spearman_value_advocacy
    if np.isfinite(rho):
        draft.add("spearman_value_advocacy", round(rho, 3), "Rank correlation of value with advocacy")
        text += (f"; the rank correlation of value with advocacy is {rho:.2f}, "
                 + ("so the best advocates are not simply the best spenders" if rho < 0.3 else
                    "so the best advocates tend to be the best spenders too"))
    text += "."
    if power.referral_clv is not None and power.other_clv:
        draft.add("referral_clv_ratio", round(power.referral_clv / power.other_clv, 3),
                  "Next-year value of referred customers ÷ others")
        text += (f" Referred customers are worth {_each(power.referral_clv)} each next year against "
                 f"{_each(power.other_clv)} for others: " + _referral_verdict(power))
    return text


def _each(value: float) -> str:
    """A value per customer with enough digits to tell small values apart (2 decimals below 10)."""
    return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}"


def _referral_verdict(power) -> str:
    """Whether referred customers are worth more, less or measurably the same as others (Welch, 5%)."""
    if power.referral_clv_p >= SEPARATION_ALPHA:
        return (f"no measurable difference (p = {power.referral_clv_p:.2f}), so a referral is worth about as much as "
                "any other new customer.")
    if power.referral_clv > power.other_clv:
        return "every referral a power user brings is worth more than an average new customer."
    return "a referral brings less value than an average new customer."


def choice_or_convenience(ds) -> Section:
    """Section 7: orders by channel, and later buying by the breadth of the assortment customers explored
    in their first orders (result ``choice``; None when fewer than ``MIN_CUSTOMERS`` customers can be compared)."""
    draft = Draft()
    choice = choice_vs_convenience(ds.transactions, derived(ds).sale_orders)
    if choice.by_channel is not None:
        draft.show(plots.styled_table(choice.by_channel, {"orders": "{:,}", "lines_per_order": "{:.2f}",
                                                          "order_value": "{:,.2f}", "products_used": "{:,}",
                                                          "delivery_days": "{:.1f}"}))
    bb, rho = choice.by_breadth, choice.spearman_breadth_orders
    if bb is None:
        draft.skip("Choice vs convenience by customer", ["transactions.product_id"],
                   "Needs product ids and customers with at least three orders.")
        return draft.done(choice=choice)
    if few := too_few(int(bb["customers"].sum()), MIN_CUSTOMERS,
                      f"customers with {choice.first_orders} or more orders and a quarter of a year after them"):
        draft.say(few.note("choice vs convenience by customer"))  # a rank correlation of so few is noise
        return draft.done(choice=None)
    draft.show(plots.styled_table(bb, {"customers": "{:,}", "breadth": "{:.1f}", "later_orders_per_year": "{:.1f}",
                                       "lines_per_order": "{:.2f}", "order_value": "{:,.2f}"}))
    draft.add("spearman_breadth_orders", round(rho, 3),
              "Rank correlation of early assortment breadth with later orders per year", headline=True)
    draft.add("later_orders_by_breadth", {int(r["breadth_bin"]): round(r["later_orders_per_year"], 2) for _, r in bb.iterrows()},
              "Later orders per year by breadth bin (1 = narrowest)")
    draft.say(
        f"Customers who explored the widest range in their first {choice.first_orders} orders "
        f"({bb['breadth'].iloc[-1]:.1f} different products) went on to place {bb['later_orders_per_year'].iloc[-1]:.1f} "
        f"orders a year, against {bb['later_orders_per_year'].iloc[0]:.1f} for those who kept to a narrow range "
        f"({bb['breadth'].iloc[0]:.1f} products); the rank correlation is {rho:+.2f}. "
        + ("Here, **more choice goes with more buying**: a wide, well-shown assortment is part of why customers "
           "come back, so curate it per customer rather than cut it." if rho > 0.1 else
           "Here, **more choice goes with less buying**: a short list of favourites and easy reordering serve "
           "customers better than a wider range." if rho < -0.1 else
           "Here, **breadth of choice makes no real difference** to how often customers come back: keep the range, "
           "and invest in convenience (favourites, easy reordering, fast delivery) instead of more products."))
    return draft.done(choice=choice)


def non_customers(ds) -> Section:
    """Section 8: prospective, rejected and unexplored non-customers and the first must-have need of each
    group (result ``needs``, None without ``prospects`` or their ``top_need``)."""
    draft = Draft()
    if not (ds.has("prospects") and {"has_need", "can_pay"} <= set(ds.prospects.columns)):
        draft.skip("Non-customers", ["prospects"], "A list of leads with `has_need` and `can_pay` is needed.")
        return draft.done(needs=None)
    classified = classify_prospects(ds.prospects)
    shares = classified["group"].value_counts(normalize=True)
    needs = must_have_needs(classified) if "top_need" in classified else None
    draft.add("prospect_group_shares", {k: round(float(v), 3) for k, v in shares.items()}, "Non-customers by group",
              headline=True, unit="share")
    rejected = classified[classified["group"] == "rejected"]["fails_on"].value_counts(normalize=True)
    draft.add("rejected_fails_on", {k: round(float(v), 3) for k, v in rejected.items()}, "What the rejected fail on",
              unit="share")
    if needs is not None:
        clear = needs["top_need_clear"].astype(bool)
        draft.add("top_need_by_segment", dict(zip(needs.loc[clear, "segment"], needs.loc[clear, "top_need"])),
                  "First must-have need per group (groups whose first need is measurably ahead of the others)",
                  headline=bool(clear.any()))
        draft.add("top_need_unclear", {r["segment"]: r["tied_needs"].split(", ") for _, r in needs[~clear].iterrows()},
                  "Groups without a clear first need: the needs within chance of each other (90% level, Holm-corrected)")
        draft.show(plots.styled_table(needs.drop(columns=["top_need_clear"]),
                                      {"prospects": "{:,}", "share": "{:.0%}", "top_need_share": "{:.0%}"}))
        needs = _plan_needs(needs)
    draft.say(
        f"Of {len(classified):,} known non-customers, {shares.get('prospective', 0):.0%} are prospective, "
        f"{shares.get('rejected', 0):.0%} rejected and {shares.get('unexplored', 0):.0%} unexplored. "
        + (" ".join(_need_words(r) for _, r in needs.iterrows()) if needs is not None else ""))
    return draft.done(needs=needs)


def _need_words(row: pd.Series) -> str:
    """A group's first need (Markdown), or the needs the data do not separate."""
    if row["top_need_clear"]:
        return f"**{md(row['segment'])}**: first need {md(row['top_need'])} ({row['top_need_share']:.0%})."
    return (f"**{md(row['segment'])}**: no clear first need ({md(row['tied_needs'])} are within chance of each other, "
            f"{row['prospects']:,} answers).")


def _plan_needs(needs: pd.DataFrame) -> pd.DataFrame:
    """The needs table the plan reads: a group without a clear first need leads with its tied needs, not with the
    one that came first by chance."""
    unclear = ~needs["top_need_clear"].astype(bool)
    return needs.assign(top_need=needs["top_need"].where(~unclear, "one of " + needs["tied_needs"].str.replace(", ", " / ")),
                        second_need=needs["second_need"].where(~unclear, "ask which matters most"))


# --------------------------------------------------------------------------- 9. the plan and the customer card


def the_plan(inputs: PlanInputs, skipped: list[dict]) -> Section:
    """Section 9: the action table from every analysis above, the 7 Ps it covers and its incremental value;
    ``skipped`` are the sections skipped so far (``findings.skipped``), named in the sentence."""
    draft = Draft()
    plan = action_plan(inputs)
    draft.show(plots.styled_table(plan, {"audience_size": "{:,.0f}", "audience_value_1y": "{:,.0f}",
                                         "incremental_value": "{:,.0f}", "incremental_low": "{:,.0f}",
                                         "incremental_high": "{:,.0f}"}))
    covered = sorted(set(plan["seven_p"]))
    draft.add("plan_rows", len(plan), "Actions in the plan")
    draft.add("plan_components", sorted(set(plan["component"])), "Plan components covered")
    draft.add("plan_seven_ps", covered, "7 Ps covered by the plan")
    costed = plan[plan["incremental_value"].notna()]  # audience values are never summed
    parts = {kind: costed[costed["evidence"].str.startswith(kind)] for kind in (MEASURED, ASSUMED)}
    if len(costed):
        draft.add("plan_incremental_value", round(float(costed["incremental_value"].sum()), 0),
                  "Estimated incremental value of the plan's costed actions, measured and assumed together",
                  unit="currency units")
    for kind, rows in parts.items():
        if len(rows):
            draft.add(f"plan_incremental_value_{kind}", round(float(rows["incremental_value"].sum()), 0),
                      f"Incremental value of the plan's actions whose value is {kind}", headline=kind == MEASURED,
                      unit="currency units")
            if not _ranged(rows):  # a range summed over rows with and without one would be no range
                continue
            draft.add(f"plan_incremental_range_{kind}", [round(float(rows["incremental_low"].sum()), 0),
                                                         round(float(rows["incremental_high"].sum()), 0)],
                      f"Range of that value ({_RANGE_WORDS[kind]})",
                      unit="currency units")
    missing_p = [p for p in SEVEN_PS if p not in covered]
    draft.say(f"The plan has **{len(plan)} action{'s' if len(plan) != 1 else ''}** covering {len(covered)} of the 7 Ps"
              + (f" (missing: {', '.join(missing_p)})" if missing_p else "") + ". " + _plan_value_text(parts)
              + (f" Skipped for lack of data: {', '.join(md(s['section']) for s in skipped)}." if skipped else ""))
    return draft.done(plan=plan)


#: What the summed range of the plan's measured and assumed values is made of.
_RANGE_WORDS = {MEASURED: "90% intervals",
                ASSUMED: "sensitivity to the assumptions, or the 90% interval of a measured input"}


def _ranged(rows: pd.DataFrame) -> bool:
    """Whether every plan row has a range (``incremental_low`` and ``incremental_high``), so that their sum is one."""
    return bool(rows[["incremental_low", "incremental_high"]].notna().all().all())


def _plan_value_text(parts: dict[str, pd.DataFrame]) -> str:
    """The plan's incremental value, measured apart from assumed, each with its range; actions valued at zero
    (the evidence says they do not pay) are named apart."""
    said = []
    for kind, rows in parts.items():
        valued = rows[rows["incremental_value"] != 0]
        what = ("measured by randomised evidence in the data" if kind == MEASURED else
                "resting on parameters the data do not measure")
        if len(valued):
            span = (f"range {valued['incremental_low'].sum():,.0f} to {valued['incremental_high'].sum():,.0f}"
                    if _ranged(valued)
                    else "no range: not every action has one")
            said.append(f"{counted(len(valued), 'action')} {what} {'adds' if len(valued) == 1 else 'add'} about "
                        f"**{valued['incremental_value'].sum():,.0f}** ({span})")
        if len(valued) < len(rows):
            said.append(f"{counted(len(rows) - len(valued), 'action')} {what} would not pay and "
                        f"{'is' if len(rows) - len(valued) == 1 else 'are'} valued at zero")
    if not said:
        return "No action has an incremental estimate on these data."
    return ("; ".join(said) + ". Measured and assumed values are kept apart: only the measured ones are evidence. "
            "The audience columns (people, and their expected next-year value) say what is at stake, not what an "
            "action adds, and are not summed.")


def customer_cards(ds, personas, values: pd.DataFrame | None, dormancy, statuses: pd.DataFrame | None, targeting,
                   scored, model, show_customer_ids: bool = False) -> Section:
    """The look-up of one customer: results ``card`` (a function of a customer id returning the Section of
    that customer's card: profile, persona, value, dormancy, status and badge, next-best offers, uplift
    segment) and ``ranked_ids`` (customers by 3-year value, most valuable first; by past revenue when the
    customer-value model did not fit and ``values`` is None). ``targeting`` and ``scored`` come from
    :func:`targeting_the_base`, ``model`` from :func:`copurchase_offers` (each may be None)."""
    parts = {
        "profile": ds.customers.set_index("customer_id") if ds.has("customers") else None,
        "persona": personas.assignment.fillna(UNASSIGNED).to_frame("name"),
        "value": None if values is None else values[["p_alive", "clv_1y", "clv_3y", "expected_orders_1y"]],
        "dormancy": dormancy.table[["days_since_last", "typical_gap_days", "group"]],
        "recognition": None if statuses is None else statuses[["status", "badge"]],
        "uplift": None if scored is None else scored.assign(segment=targeting.segments)[["uplift", "segment"]],
    }
    known = dormancy.table.index

    def card(customer_id) -> Section:
        draft = Draft()
        shown = dict(parts)
        if model is not None and customer_id in known:
            shown["next-best offers"] = recommend(model, ds.transactions, [customer_id], k=3)
        table = customer_card(customer_id, shown)
        shown_as = md(privacy.pseudonymise([customer_id], show_customer_ids)[0])
        if table.empty:
            draft.say(f"No customer {shown_as} in the data.")
        else:
            draft.say(f"**Customer {shown_as}**")
            draft.show(plots.styled_table(table))
        return draft.done(card=table)

    if values is not None:
        ranked = values["clv_3y"].sort_values(ascending=False).index
    else:
        table = derived(ds).customers
        past = table["revenue"] if "revenue" in table else table["orders"]
        ranked = pd.Index(past.sort_values(ascending=False).index.astype(str), name="customer_id").intersection(
            known, sort=False)
    return Draft().done(card=card, ranked_ids=ranked)


def save_customer_scores(findings_file, values: pd.DataFrame | None, dormancy, winback, targeting) -> Section:
    """Write this notebook's per-customer columns (dormancy group, customer value, recommended action) to the
    run's private folder and assemble the scored customer list there
    (:func:`customer_workbook.planning.customer_list.assemble`: ``customer_scores.parquet`` and ``.csv``).

    ``winback`` (:class:`~customer_workbook.retention.WinbackEconomics`) and ``targeting``
    (:class:`~customer_workbook.retention.UpliftTargeting`) may be None; the action then rests on what exists.
    Result: ``table`` (the assembled list) and ``path`` (its folder).
    """
    draft = Draft()
    group = None if dormancy is None else dormancy.group
    index = group.index if group is not None else (values.index if values is not None else pd.Index([]))
    offers = {} if winback is None else dict(zip(winback.table.loc[winback.table["worth_it"], "group"],
                                                  winback.table.loc[winback.table["worth_it"], "offer"]))
    columns = pd.DataFrame(index=index)
    columns["dormancy_group"] = None if group is None else group.astype(str)
    value_names = ["p_alive", "expected_orders_1y", "clv_1y", "clv_3y"]
    columns[value_names] = np.nan if values is None else values.reindex(index)[value_names]
    columns["recommended_action"] = recommended_actions(index, group, offers,
                                                        None if targeting is None else targeting.segments)
    folder = privacy.private_folder(findings_file)
    write_columns(folder, "05_plan_components", columns)
    table = assemble(folder)
    draft.say(f"The scored customer list ({len(table):,} customers: persona, segment, dormancy, customer value, the "
              "prediction target's score where notebooks 01 and 04 ran, and a recommended action) is saved as "
              "`customer_scores.parquet` and `.csv` in the private folder beside the report (real customer ids, "
              "for the CRM; not linked from the reports).")
    return draft.done(table=table, path=folder)
