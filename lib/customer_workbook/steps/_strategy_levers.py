"""Notebook 03 (step 3, strategy), section 4's levers: the levers of conquest and relations with the evidence
the data give for each. Kept apart from :mod:`customer_workbook.steps.strategy` (which re-exports
:func:`levers`) so each module stays short.
"""
from __future__ import annotations

import pandas as pd

from .. import acquisition, plots
from ..stats import LEADER_ALPHA as ALPHA
from ..stats import separate_top
from ..base import derived
from ..data import Dataset
from .section import Draft, Section
from ..findings import pp

__all__ = ["levers"]

_Z90 = 1.6448536269514722  # half-width of a 90% normal interval, in standard errors


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
        lead = separate_top(dict(zip(econ["channel"], econ["clv"])),
                            {r.channel: (r.clv_high - r.clv_low) / (2 * _Z90) for r in econ.itertuples()})
        add("passionate segment to start from",
            f"customers from {top['channel']} are worth the most ({top['clv']:,.0f} CLV each); start from them"
            if lead.clear or len(econ) == 1 else
            f"no channel's new customers are measurably worth more (CLV {econ['clv'].min():,.0f} to "
            f"{econ['clv'].max():,.0f}, within chance): look for the passionate segment in personas, not channels")
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
        "the first cycle decides whether a new customer stays" if share == share else
        "no customer's first order is 90 days or more before the end of the data")
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
    if uplift is not None and len(uplift) > 1 and "p_holm" in uplift and not (
            (uplift["group"] != "all") & (uplift["p_holm"] < ALPHA)).any():
        add("data-driven relationships",
            f"the campaign moved no segment measurably (all: {pp(uplift.iloc[0]['uplift'])}; segment differences "
            "within chance): a larger randomised test is needed before targeting by data")
    elif uplift is not None and len(uplift) > 1:
        best = uplift.iloc[1:].sort_values("uplift", ascending=False).iloc[0]
        worst = uplift.iloc[1:].sort_values("uplift").iloc[0]
        add("data-driven relationships",
            f"the campaign lifted '{best['group']}' by {pp(best['uplift'])} but moved '{worst['group']}' by "
            f"{pp(worst['uplift'])} (all: {pp(uplift.iloc[0]['uplift'])}): target by data, not blanket")
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
