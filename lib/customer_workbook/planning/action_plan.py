"""The action plan of step 5: every analysis of the plan components turned into an action (for whom, what,
when, what it is expected to be worth and which metric tells whether it works), covering the 7 Ps of
retention (people, product, place, price, promotion, processes, positioning); and the card of one customer.

Each component has a small function that writes its rows from its analysis' result; a component whose
analysis did not run (its data were missing) writes no row. Every value column holds one kind of number: what is
*in the audience* (``audience_size`` people, ``audience_value_1y`` their expected next-year value) apart from what
the action is expected to *add* (``incremental_value`` with its range, currency units, NaN where no honest
estimate exists; never negative: an action the evidence says would lose money is valued at 0 and says so).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..advocacy.recognition import paying_statuses
from ..findings import date_words, number_words, pp
from ..glossary import label
from ..retention.winback import ASSUMED_RANGE
from ..stats import SEPARATION_ALPHA

__all__ = ["ASSUMED", "CARD_POINTS", "CARD_ROWS", "CARD_SHARES", "MEASURED", "MODELLED", "PLAN_COLUMNS", "PlanInputs",
           "action_plan", "card_value", "customer_card"]

#: Columns of :func:`action_plan`.
PLAN_COLUMNS = ["component", "seven_p", "audience", "audience_size", "audience_value_1y", "action", "timing",
                "incremental_value", "incremental_low", "incremental_high", "evidence", "metric"]
#: What an expected value rests on: a randomised test in the data, a parameter, or a model of the data.
MEASURED, ASSUMED, MODELLED = "measured", "assumed", "model estimate"


@dataclass(frozen=True)
class PlanInputs:
    """The analyses the plan is built from; each is optional (None when its data were missing).

    Attributes
    ----------
    values : DataFrame
        :func:`customer_workbook.clv.score_customers` ``.table`` (``clv_1y``, ``clv_3y``, ``p_alive``).
    concentration : Series
        :func:`customer_workbook.clv.value_concentration` of ``clv_3y`` (with the 0.2 share).
    winback : WinbackEconomics
        :func:`customer_workbook.retention.winback.winback_economics`.
    recommender : RecommenderEvaluation
        :func:`customer_workbook.offers.evaluate_recommenders`; its rows are written only when it beats
        best-sellers (``beats_baseline``).
    targeting : UpliftTargeting
        :func:`customer_workbook.retention.uplift.base_targeting`; with ``qini``, the normalised Qini of the
        uplift model on the campaign.
    statuses : DataFrame
        :func:`customer_workbook.advocacy.status_economics`.
    migration : TierMigration
        :func:`customer_workbook.offers.tier_migration`.
    power : PowerUsers
        :func:`customer_workbook.advocacy.power_users`.
    choice : ChoiceVsConvenience
        :func:`customer_workbook.offers.choice_vs_convenience`.
    prospects : DataFrame
        :func:`customer_workbook.offers.must_have_needs`.
    campaign_effect : float
        Measured average effect of the randomised campaign (difference of buying rates, -1 to 1); NaN without
        one. Without ``targeting`` (the uplift model could not be used), a measured campaign gives a defence row
        that asks for a larger test.
    """

    values: pd.DataFrame | None = None
    concentration: pd.Series | None = None
    winback: object | None = None
    recommender: object | None = None
    targeting: object | None = None
    qini: float = float("nan")
    statuses: pd.DataFrame | None = None
    migration: object | None = None
    power: object | None = None
    choice: object | None = None
    prospects: pd.DataFrame | None = None
    campaign_effect: float = float("nan")


def _row(component, p, audience, action, timing, value, metric, evidence="", low=None, high=None, size=None,
         audience_value=None) -> dict:
    """One plan row. ``value`` (with its range ``low``-``high``) is the incremental value the action adds, None
    without an honest estimate; ``evidence`` (:data:`MEASURED`, :data:`ASSUMED`, :data:`MODELLED` with what it
    rests on) is kept for a row with any value. ``size`` and ``audience_value`` describe the audience (people, and
    their expected next-year value), never what the action adds."""
    valued = value is not None
    number = lambda x: float(x) if valued and x is not None else np.nan  # noqa: E731
    return {"component": component, "seven_p": p, "audience": audience,
            "audience_size": np.nan if size is None else float(size),
            "audience_value_1y": np.nan if audience_value is None else float(audience_value),
            "action": action, "timing": timing, "incremental_value": number(value), "incremental_low": number(low),
            "incremental_high": number(high),
            "evidence": evidence if valued or audience_value is not None else "", "metric": metric}


def _value_rows(v: pd.DataFrame, conc: pd.Series | None) -> list[dict]:
    """People: an owner for the top 20% by 3-year CLV; processes: health monitoring of the live base. Both hold
    value (their audience's next-year value) and add no estimated increment."""
    top_n = int(np.ceil(0.2 * len(v)))
    top20 = conc.get(0.2, np.nan) if conc is not None else np.nan
    alive = v["p_alive"] >= 0.5
    model = f"{MODELLED}: the customer-value model (audience value)"
    return [
        _row("long-term customer value", "people",
             f"top 20% by 3-year CLV ({top_n:,} customers, {top20:.0%} of future value)",
             "name an executive accountable for this group; steer budgets by CLV, not last year's revenue",
             "quarterly CLV review", None, "3-year CLV of the top 20%; their P(alive)", evidence=model, size=top_n,
             audience_value=v.loc[v["clv_3y"].sort_values(ascending=False).head(top_n).index, "clv_1y"].sum()),
        _row("long-term maintenance", "processes", f"{int(alive.sum()):,} customers with P(alive) ≥ 50%",
             "monthly health monitoring and a satisfaction check after each order (marketing automation)",
             "after every order; monthly refresh", None, "share of the base with P(alive) ≥ 50%", evidence=model,
             size=int(alive.sum()), audience_value=v.loc[alive, "clv_1y"].sum())]


def _winback_rows(winback) -> list[dict]:
    """Promotion: one win-back row per dormant group, worth its net gain (and range) when it pays. Always
    :data:`ASSUMED`: the value of a woken customer is an assumption even when a randomised campaign measured the
    response (the evidence then says so, and the range is the response's 90% interval)."""
    r = winback.response
    evidence = (f"{ASSUMED}: value of a woken customer (mean next-year value of an active one); response measured "
                "by a randomised campaign" if r is not None and r.measured else
                f"{ASSUMED}: the win-back response rate and the value of a woken customer")
    return [_row("timing (win-back)", "promotion", f"{g['group'].replace('_', '-')} customers ({int(g['customers']):,})",
                 g["offer"], "now, then every quarter as customers become overdue",
                 g["total_gain"] if g["worth_it"] else 0.0, "wake-up rate vs a random hold-out", evidence=evidence,
                 low=g.get("total_gain_low") if g["worth_it"] else 0.0,
                 high=g.get("total_gain_high") if g["worth_it"] else 0.0, size=g["customers"],
                 audience_value=g["customers"] * g["mean_clv_1y"] if "mean_clv_1y" in g else None)
            for _, g in winback.table.iterrows()]


def _offer_rows(rec) -> list[dict]:
    """Promotion and product: next-best offers at checkout, personal selections on the front pages."""
    t, k = rec.table, rec.k
    return [
        _row("instant gratification (personal offers)", "promotion", "every customer who bought in the last year",
             f"top-{k} next-best offers from co-purchases, shown at checkout and in the next mail",
             "at the next visit or order", None,
             f"hit rate @ {k} (offline {t.loc['item_item', 'hit_rate']:.0%} vs "
             f"{t.loc['popularity', 'hit_rate']:.0%} for best-sellers)"),
        _row("personalisation", "product", "all online visitors",
             "a personal product selection on the web and app front pages from the same model",
             "continuous", None, "click-through and conversion of personal vs generic selections")]


def _uplift_rows(targeting, qini: float) -> list[dict]:
    """Promotion: offers to persuadables only (when there are any); processes: suppress everyone else."""
    tg = targeting.table.set_index("segment")
    n = tg["customers"]
    profit = float(tg["profit_if_contacted"].get("persuadable", 0.0))
    target = [] if not n.get("persuadable", 0) else [
        _row("closing the back door (defence)", "promotion",
             f"persuadables ({int(n.get('persuadable', 0)):,} current customers)",
             "send retention offers only to them" + ("" if profit > 0 else f"; at the uplift measured for them the offer "
                                                     f"does not pay its contact cost (it would lose {-profit:,.0f})"),
             "before the next campaign",
             max(profit, 0.0), f"uplift against a random hold-out (normalised Qini now {qini:.2f})",
             evidence=f"{MEASURED}: uplift model on the randomised campaign, checked on held-out customers (per campaign)",
             size=n.get("persuadable", 0))]
    rest = int(n.sum() - n.get("persuadable", 0))
    spared = (f": a blanket mail to them too would cost about {targeting.value_at_stake:,.0f} per campaign (measured "
              "uplift, in one order's margin)" if targeting.value_at_stake > 0 else "")
    return target + [
        _row("closing the back door (defence)", "processes",
             f"sleeping dogs ({int(n.get('sleeping_dog', 0)):,}), sure things ({int(n.get('sure_thing', 0)):,}) "
             f"and lost causes ({int(n.get('lost_cause', 0)):,})",
             "suppress them in campaign tools; sleeping dogs are pushed away by an offer" + spared,
             "every campaign", None, "orders of suppressed customers vs a hold-out", size=rest)]


def _assumed_range(gained: float, cost: float) -> dict:
    """``low``/``high`` of a value ``gained - cost`` whose gain rests on an assumption: the gain from half to 1.5
    times the assumption (:data:`customer_workbook.retention.winback.ASSUMED_RANGE`), a sensitivity range."""
    low, high = ASSUMED_RANGE
    return {"low": low * gained - cost, "high": high * gained - cost}


def _status_rows(economics: pd.DataFrame) -> list[dict]:
    """Price: status benefits for the statuses whose benefits pay (their net value, with the assumption's
    sensitivity range); when none pays, a row valued at 0 that says the benefits do not pay. Statuses without a
    benefit are not valued: they keep nothing."""
    given = economics[economics["benefit_per_member"] > 0]
    if given.empty:
        return []
    paying = paying_statuses(economics)
    losing = given[given["net_value"] <= 0]
    evidence = f"{ASSUMED}: the share of value a status keeps (`retention_gain`)"
    action = "status, badges and rewards for repeat buying: priority service, early access, free delivery"
    if paying.empty:
        return [_row("recognition plan", "price", f"{_names(given['status'])} members ({int(given['customers'].sum()):,})",
                     f"do not fund status benefits: they do not pay (they cost {given['benefit_cost'].sum():,.0f} a "
                     f"year and keep {given['retained_value'].sum():,.0f}); give statuses and badges as recognition "
                     "without a cost, or test a cheaper benefit on a random half of one status",
                     "before the next status review", 0.0, "retention of members with a status vs a random hold-out",
                     evidence=evidence, low=0.0, high=0.0, size=given["customers"].sum(),
                     audience_value=(given["customers"] * given["mean_clv_1y"]).sum())]
    left_out = (f"; not for {_names(losing['status'])}, whose benefits do not pay (they cost "
                f"{losing['benefit_cost'].sum():,.0f} a year and keep {losing['retained_value'].sum():,.0f})"
                if len(losing) else "")
    return [_row("recognition plan", "price", f"{_names(paying['status'])} members ({int(paying['customers'].sum()):,})",
                 action + left_out, "yearly status review; badges at once", paying["net_value"].sum(),
                 "retention of members with a status vs a random hold-out", evidence=evidence,
                 size=paying["customers"].sum(), audience_value=(paying["customers"] * paying["mean_clv_1y"]).sum(),
                 **_assumed_range(paying["retained_value"].sum(), paying["benefit_cost"].sum()))]


def _names(names) -> str:
    """Names joined as "a, b and c"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _recognition_rows(statuses: pd.DataFrame | None, migration) -> list[dict]:
    """Price: the recognition plan; product: lead customers up the product-line hierarchy."""
    rows = [] if statuses is None else _status_rows(statuses)
    if migration is not None:
        rows.append(_row("product-line hierarchy", "product",
                         f"customers stuck at entry level ({migration.matrix.loc['entry', 'entry']:.0%} stay there)",
                         "show the next tier up (core → premium → special service) after a good experience",
                         "after the 2nd and 3rd order", None, f"share moving up a tier (now {migration.up_share:.0%})"))
    return rows


def _ownership_rows(pw) -> list[dict]:
    """People: a panel of power users; what a referred customer is worth is said in words when it is measurably
    more than another customer, not valued as an increment (no test measures what a panel adds)."""
    referral = (pw.referral_clv is not None and pw.referral_clv_p is not None and pw.referral_clv_p < SEPARATION_ALPHA
                and pw.referral_clv > pw.other_clv)  # valued only when referred customers are measurably worth more
    extra = f"; referred customers are worth {pw.referral_clv:,.0f} vs {pw.other_clv:,.0f}" if referral else ""
    return [_row("ownership", "people",
                 f"{pw.n_power_users:,} power users (they create {pw.content_share:.0%} of content)",
                 "invite them to a customer panel, feature their reviews and reward referrals" + extra,
                 "start now; panel every quarter",
                 None, "referrals and reviews per power user", size=pw.n_power_users)]


def _choice_rows(c) -> list[dict]:
    """Place: keep, curate or shorten the assortment, by how breadth relates to later buying."""
    if c.by_breadth is None:
        return []
    rho = c.spearman_breadth_orders
    action = ("keep the wide assortment and curate it per customer (personal selections)" if rho > 0.1 else
              "offer a short grab-and-go list of favourites: customers who explore more buy less often" if rho < -0.1
              else "keep the range as it is and invest in convenience (favourites, reordering, fast delivery): "
              "breadth does not change how often customers buy")
    return [_row("choice vs convenience", "place", "all customers", action, "assortment review each season", None,
                 f"later orders per year by early assortment breadth (rank correlation now {rho:+.2f})")]


def _prospect_rows(needs: pd.DataFrame) -> list[dict]:
    """One row per non-customer group: acquire, explore, a cheaper version or an adapted product."""
    rows = []
    for _, r in needs.iterrows():
        seg, need = r["segment"], r["top_need"]
        if seg == "prospective":
            p, action, when = "promotion", f"acquire them with a message that leads with {need}", "next acquisition wave"
        elif seg == "unexplored":
            p, action, when = ("place", "reach them where they are and ask whether they need us and can pay; "
                               f"their first must-have is {need}", "next acquisition wave")
        elif "ability to pay" in seg:
            p, action, when = "price", f"a simpler, cheaper version of a proven product ({need} first)", \
                "next product/service cycle"
        else:
            p, action, when = "product", f"adapt a proven product to the need they lack ({need} first)", \
                "next product/service cycle"
        rows.append(_row("innovate, don't invent (non-customers)", p, f"{seg} non-customers ({int(r['prospects']):,})",
                         f"{action}; then {r['second_need']}", when, None, f"conversion of {seg} non-customers"))
    return rows


def action_plan(inputs: PlanInputs) -> pd.DataFrame:
    """The action table: one row per plan component and audience, built from the analyses' results.

    Returns
    -------
    DataFrame with :data:`PLAN_COLUMNS`: ``component``, ``seven_p``, ``audience``, ``action``, ``timing``,
    ``audience_size`` (people in the audience) and ``audience_value_1y`` (their expected next-year value, currency
    units: what is at stake, not what the action adds), ``incremental_value`` (what the action is expected to add,
    currency units, NaN when not estimable, 0 when the evidence says it would not pay), ``incremental_low``/
    ``incremental_high`` (its 90% range when measured, a sensitivity range when assumed, NaN when neither),
    ``evidence`` (what the values rest on: :data:`MEASURED`, :data:`ASSUMED` or :data:`MODELLED`, with words) and
    ``metric``. The
    positioning row is always there; every other row only when its analysis ran.
    """
    i = inputs
    rows = []
    if i.values is not None:
        rows += _value_rows(i.values, i.concentration)
    if i.winback is not None and len(i.winback.table):
        rows += _winback_rows(i.winback)
    if i.recommender is not None and getattr(i.recommender, "beats_baseline", True):
        rows += _offer_rows(i.recommender)
    if i.targeting is not None:
        rows += _uplift_rows(i.targeting, i.qini)
    elif np.isfinite(i.campaign_effect):
        rows.append(_row("closing the back door (defence)", "promotion", "the customers a retention offer is meant for",
                         "repeat the campaign as a larger randomised test before targeting anyone by predicted uplift",
                         "next retention campaign", None,
                         f"uplift against a random hold-out (average now {100 * i.campaign_effect:+.1f} pp)"))
    rows += _recognition_rows(i.statuses, i.migration)
    if i.power is not None:
        rows += _ownership_rows(i.power)
    if i.choice is not None:
        rows += _choice_rows(i.choice)
    if i.prospects is not None and len(i.prospects):
        rows += _prospect_rows(i.prospects)
    rows.append(_row("positioning", "positioning", "the whole base",
                     "say who we are in every message and let each action above prove it", "ongoing", None,
                     "NPS and share of promoters"))
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


#: The customer card's row names for the columns it shows (others: :func:`customer_workbook.glossary.label`).
CARD_ROWS = {"signup_date": "signed up", "acquisition_channel": "came through", "name": "persona",
             "p_alive": "chance still active", "clv_1y": "expected value, next 12 months",
             "clv_3y": "expected value, next 3 years", "expected_orders_1y": "expected orders, next 12 months",
             "days_since_last": "days since last order", "typical_gap_days": "usual days between orders",
             "group": "dormancy", "uplift": "predicted uplift", "segment": "uplift group"}
#: Card columns that are shares (shown as %) and differences of shares (shown as percentage points).
CARD_SHARES, CARD_POINTS = ("p_alive",), ("uplift",)


def customer_card(customer_id: str, parts: dict) -> pd.DataFrame:
    """Everything known about one customer, as a two-column table of text (``item``, ``value``) for a reader.

    ``parts`` maps a section name to a DataFrame indexed by ``customer_id`` (profile, value, dormancy,
    status, uplift ...) or to a :func:`customer_workbook.offers.recommend` result (columns ``customer_id``,
    ``rank``, ``product_id``) for offers. Sections without the customer, or None, are left out. Rows are
    named in words (:data:`CARD_ROWS`, else :func:`~customer_workbook.glossary.label`); values are formatted
    by :func:`card_value`.
    """
    rows = []
    for section, frame in parts.items():
        if frame is None:
            continue
        if "product_id" in frame and "rank" in frame:
            got = frame.loc[frame["customer_id"] == customer_id].sort_values("rank")["product_id"]
            if len(got):
                rows.append({"item": label(section), "value": ", ".join(got.astype(str))})
            continue
        if customer_id not in frame.index:
            continue
        for col, val in frame.loc[customer_id].items():
            row = CARD_ROWS.get(str(col), label(col))
            rows.append({"item": row if row == label(section) else f"{label(section)}: {row}",
                         "value": card_value(str(col), val)})
    return pd.DataFrame(rows, columns=["item", "value"])


def card_value(column: str, value) -> str:
    """One value of the customer card as text: dates as "11 Aug 2025", whole numbers with thousands
    separators, shares as %, differences of shares as percentage points, code names in words, missing
    values as "not known", empty text (no badge) as "none"."""
    if value is None or (not isinstance(value, str) and np.ndim(value) == 0 and pd.isna(value)):
        return "not known"
    if isinstance(value, str) and not value.strip():
        return "none"
    if isinstance(value, (pd.Timestamp, np.datetime64, date)):
        return date_words(value)
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if column in CARD_SHARES:
            return f"{float(value):.0%}"
        return pp(value) if column in CARD_POINTS else number_words(float(value))
    return label(value)
