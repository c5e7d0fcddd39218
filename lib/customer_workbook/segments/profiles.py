"""Profiles of groups of customers: who each persona is, what the 4C→4P mix means for it, and the
snapshot of one segment or persona that the explorer shows.

The personas come from the one engine (:func:`customer_workbook.segments.find_personas`); this module
only describes them from the per-customer table (:func:`customer_workbook.base.derived` ``.customers``,
whose docstring is the glossary of its columns) and, when there is a survey, from the latest answers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..advocacy.nps import NetPromoterScore, nps
from ..contract import REASONS, SATISFACTION_ITEMS

__all__ = ["REASON_GOALS", "GroupSnapshot", "four_c_to_four_p", "group_snapshot", "persona_coverage", "persona_profiles"]

#: What each reason to choose looks like as a customer goal (used by :func:`persona_profiles`).
REASON_GOALS: dict[str, str] = {
    "innovation": "be first with new, better things",
    "personalisation": "offers that fit me",
    "lack_of_alternatives": "a familiar shop nearby, no effort to compare",
    "sympathy": "buy from people I like",
    "marketing_packaging": "attractive, well-presented products",
    "unique_features": "own what others cannot get",
    "fast_brand": "get it quickly",
    "pricing": "pay less, get a deal",
    "social_proof": "choose what others rate well",
    "bandwagon": "buy what is popular",
}

#: The need behind purchases in each product category of the data contract (others: the category name).
_CATEGORY_NEED = {
    "garden_plants": "a garden that grows", "garden_tools": "tools to keep the garden", "outdoor_living": "outdoor living space",
    "home_decor": "a home that looks good", "kitchen": "a kitchen that works", "lighting": "the right light",
    "textiles": "a comfortable home", "diy_tools": "repairs and projects done",
}


def _problem(grp: pd.DataFrame, cat_cols: list[str]) -> str:
    """The need behind a group's purchases: its two largest categories and their share of lines."""
    cats = grp[cat_cols].mean().sort_values(ascending=False) if cat_cols else pd.Series(dtype=float)
    top = [c[4:] for c in cats.index[:2]]
    if not top:
        return "not measured (no product categories)"
    return (" and ".join(_CATEGORY_NEED.get(c, c.replace("_", " ")) for c in top)
            + f" ({', '.join(c.replace('_', ' ') for c in top)}: {cats.iloc[:2].sum():.0%} of lines)")


def _behaviour_pains(grp: pd.DataFrame, base: pd.DataFrame) -> list[str]:
    """Pain points visible in behaviour: returns or slow deliveries 20% above the base."""
    pains = []
    if "return_share" in grp and grp["return_share"].mean() > 1.2 * base["return_share"].mean():
        pains.append(f"returns {grp['return_share'].mean():.1%} of lines (base {base['return_share'].mean():.1%})")
    if "slow_delivery_share" in grp and grp["slow_delivery_share"].mean() > 1.2 * base["slow_delivery_share"].mean():
        pains.append(f"{grp['slow_delivery_share'].mean():.0%} of deliveries slower than 6 days")
    return pains


def _demographics(grp: pd.DataFrame) -> str:
    """Median age and the most common income band and region with their shares."""
    demo = []
    if "age" in grp:
        demo.append(f"age {grp['age'].median():.0f}")
    for col, word in (("income_band", "income"), ("region", "")):
        if col in grp and grp[col].notna().any():
            mix = grp[col].astype(str).value_counts(normalize=True)
            demo.append(f"{mix.index[0]}{' ' + word if word else ''} {mix.iloc[0]:.0%}")
    return ", ".join(demo)


def _survey_profile(a: pd.DataFrame, why_cols: list[str], sat_cols: list[str], why_base: pd.Series,
                    sat_base: pd.Series) -> tuple[list[str], list[str], float]:
    """Dominant reasons (agreed with more than the base), the worst satisfaction gap and the NPS of a
    persona's respondents ``a`` (at least five, else nothing)."""
    if len(a) < 5:
        return [], [], np.nan
    lift = (a[why_cols].mean() - why_base).sort_values(ascending=False)
    reasons = [c[4:] for c in lift.index[:2] if lift[c] > 0]
    sat_gap = (a[sat_cols].mean() - sat_base).sort_values()
    pains = [f"rates {c[4:]} {sat_gap[c]:+.1f} vs base" for c in sat_gap.index[:1] if sat_gap[c] < -0.05]
    return reasons, pains, float(nps(a["nps"]).nps) if "nps" in a else np.nan


def persona_coverage(described: int, total: int, noun: str = "customers") -> str:
    """A clause saying what share of ``total`` ``noun`` the personas describe, when it is small (else ``""``).

    Personas are fitted on repeat buyers only; when these are under half of the base, each persona's share
    is a share of them, not of the base, and the clause says so (plain text, starting with "; "). Below 10%
    the share is called "only"; below 1% it is shown with one decimal.
    """
    share = described / total if total else 1.0
    if share >= 0.5:
        return ""
    amount = f"{share:.1%}" if share < 0.01 else f"{share:.0%}"
    amount = f"only {amount}" if share < 0.1 else f"fewer than half ({amount})"
    return (f"; they are {amount} of the {total:,} {noun}, so each persona's share is a share of these repeat "
            f"buyers, not of all {noun}")


def persona_profiles(features: pd.DataFrame, labels: pd.Series, names: pd.Series,
                     answers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The readable profile of each persona: size, problem, pain points, demographics, goals, reasons.

    Parameters
    ----------
    features
        The per-customer table of all customers (profiles use every column available).
    labels, names
        Persona number per clustered customer (``Personas.clustered``) and name per persona number
        (``Personas.names``), from :func:`customer_workbook.segments.find_personas`.
    answers
        Optional :func:`customer_workbook.reasons.latest_answers`: adds dominant reasons (items agreed
        with most, relative to the base), satisfaction pain points and persona NPS.

    Returns
    -------
    DataFrame, one row per persona
        ``persona``, ``name``, ``customers``, ``share`` and ``revenue_share`` (0-1), ``orders`` (mean),
        ``aov`` (the median over the persona's customers of each one's average order value, currency units;
        the behaviour text says "median order value"), ``problem`` (the need behind the purchases),
        ``pain_points``, ``demographics``, ``behaviour``, ``dominant_reasons``, ``goals``; the mean
        ``discount_share``, ``share_store``, ``share_app``, ``premium_share`` where known; with
        ``answers`` also ``respondents`` and ``nps`` (points).
    """
    f = features.loc[labels.index].copy()
    f["persona"] = labels
    total_rev = float(features.loc[labels.index, "revenue"].sum())
    base = features.loc[labels.index]
    cat_cols = [c for c in f.columns if c.startswith("cat_")]
    if answers is not None:
        ans = answers.join(labels, how="inner")
        why_cols = [f"why_{r}" for r in REASONS if f"why_{r}" in answers]
        sat_cols = [f"sat_{s}" for s in SATISFACTION_ITEMS if f"sat_{s}" in answers]
        why_base, sat_base = ans[why_cols].mean(), ans[sat_cols].mean()
    rows = []
    for persona, grp in f.groupby("persona"):  # one iteration per persona
        row = {"persona": int(persona), "name": names.get(persona, f"persona {persona}"), "customers": len(grp),
               "share": len(grp) / len(f), "revenue_share": float(grp["revenue"].sum() / total_rev) if total_rev else np.nan,
               "orders": float(grp["orders"].mean()), "aov": float(grp["aov"].median()),
               "problem": _problem(grp, cat_cols), "demographics": _demographics(grp)}
        pains = _behaviour_pains(grp, base)
        beh = [f"{row['orders']:.1f} orders", f"median order value {row['aov']:.0f}"]
        for col, word in (("discount_share", "lines discounted"), ("share_store", "in store"), ("share_app", "in the app"),
                          ("premium_share", "premium")):
            if col in grp:
                beh.append(f"{grp[col].mean():.0%} {word}")
                row[col] = float(grp[col].mean())
        row["behaviour"] = ", ".join(beh)
        reasons: list[str] = []
        if answers is not None:
            a = ans[ans["persona"] == persona]
            row["respondents"] = len(a)
            reasons, survey_pains, persona_nps = _survey_profile(a, why_cols, sat_cols, why_base, sat_base)
            pains += survey_pains
            if len(a) >= 5:
                row["nps"] = persona_nps
        row["dominant_reasons"] = ", ".join(reasons)
        row["goals"] = "; ".join(REASON_GOALS[r] for r in reasons) if reasons else ""
        row["pain_points"] = "; ".join(pains) if pains else "none stands out"
        rows.append(row)
    return pd.DataFrame(rows)


def _price(m: pd.Series, base_mean: pd.Series) -> tuple[str, str]:
    """Cost (C) measured and the price lever (P): deals for discount users, full price for big baskets.

    The order value is the mean over the persona's customers of each one's average order value, labelled
    "mean order value" (the persona table of :func:`persona_profiles` shows the median, labelled so).
    """
    disc = m.get("discount_share", np.nan)
    cost = f"mean order value {m['aov']:.0f} (base {base_mean['aov']:.0f})" + (f"; {disc:.0%} of lines on discount" if pd.notna(disc) else "")
    if pd.notna(disc) and disc > 1.5 * base_mean.get("discount_share", 0):
        price = "targeted deals and bundles; reward repeat buying rather than blanket discounts"
    elif m["aov"] > 1.3 * base_mean["aov"]:
        price = "hold full price; add service and exclusivity instead of discounts"
    else:
        price = "fair everyday price; loyalty rewards for repeat orders"
    return cost, price


def _place(m: pd.Series, base_mean: pd.Series, share_cols: list[str]) -> tuple[str, str]:
    """Convenience (C) measured, from the ``share_<channel>`` columns, and the place lever (P)."""
    if not share_cols:
        return "channel not recorded", "n/a"
    chan = m[share_cols].sort_values(ascending=False)
    main = chan.index[0][6:]
    convenience = f"{chan.iloc[0]:.0%} of lines via {main}"
    fast = m.get("fast_delivery_share", np.nan)
    if pd.notna(fast):
        convenience += f"; {fast:.0%} of online lines within 2 days"
    place = {"store": "the local store: stock, staff and opening hours", "app": "the app, with fast delivery",
             "web": "the web shop, with reliable delivery"}.get(main, f"the {main} channel")
    if pd.notna(fast) and fast > 1.3 * base_mean.get("fast_delivery_share", 0) and main != "store":
        place += "; promise express delivery"
    return convenience, place


def _promotion(members: pd.DataFrame, f: pd.DataFrame, rates: pd.DataFrame | None) -> tuple[str, str]:
    """Communication (C) measured, from the acquisition channel and advocacy, and the promotion lever (P)."""
    comm, acq = [], None
    if "acquisition_channel" in members:
        acq = members["acquisition_channel"].astype(str).value_counts(normalize=True)
        acq = acq[acq.index != "nan"]
        if len(acq):
            comm.append(f"most often acquired via {acq.index[0]} ({acq.iloc[0]:.0%})")
    if rates is not None:
        r = rates.reindex(members.index)
        comm.append(f"{r['advocacy_per_week'].mean() * 52:.2f} reviews/referrals/posts a year")
    communication = "; ".join(comm) if comm else "not measured"
    promo = f"reach them through {acq.index[0]}" if comm and acq is not None and len(acq) else "use the channels they buy in"
    if rates is not None and r["advocacy_per_week"].mean() > 1.3 * rates.reindex(f.index)["advocacy_per_week"].mean():
        promo += "; feed their community and reviews (SPOQ)"
    return communication, promo


def four_c_to_four_p(profiles: pd.DataFrame, features: pd.DataFrame, labels: pd.Series,
                     rates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Turn the customer's view (4C) measured per persona into the firm's levers (4P).

    * Solution -> Product: what they buy (top categories, premium share) -> which range to lead with.
    * Cost -> Price: order value and discount use vs the base -> deals, everyday price or full price with added value.
    * Convenience -> Place: main channel (``share_<channel>``) and delivery speed -> store, app or web and delivery promise.
    * Communication -> Promotion: acquisition channel and advocacy (``rates`` from
      :func:`customer_workbook.advocacy.engagement_rates`) -> where and how to talk to them.

    Returns a DataFrame, one row per persona of ``profiles`` (:func:`persona_profiles`): ``persona``,
    ``name``, the four C measures and the four P levers (text).
    """
    f = features.loc[labels.index].copy()
    f["persona"] = labels
    means = f.groupby("persona").mean(numeric_only=True)
    base_mean = f.mean(numeric_only=True)
    rows = []
    cat_cols = [c for c in f.columns if c.startswith("cat_")]
    share_cols = [c for c in f.columns if c.startswith("share_")]
    for _, prof in profiles.iterrows():  # one iteration per persona
        p = prof["persona"]
        m = means.loc[p]
        cats = [c[4:].replace("_", " ") for c in m[cat_cols].sort_values(ascending=False).index[:2]] if cat_cols else []
        prem = m.get("premium_share", np.nan)
        solution = "; ".join(([" and ".join(cats)] if cats else []) + ([f"{prem:.0%} premium"] if pd.notna(prem) else [])
                             ) or "not measured (no product categories)"
        product = "; ".join(([f"lead with {' and '.join(cats)}"] if cats else []) + [
            "stock the premium and exclusive range" if pd.notna(prem) and prem > 1.3 * base_mean.get("premium_share", 0)
            else "core range, bundles across categories" if cats else "core range"])
        cost, price = _price(m, base_mean)
        convenience, place = _place(m, base_mean, share_cols)
        communication, promo = _promotion(f[f["persona"] == p], f, rates)
        rows.append({"persona": p, "name": prof["name"], "solution (C)": solution, "product (P)": product,
                     "cost (C)": cost, "price (P)": price, "convenience (C)": convenience, "place (P)": place,
                     "communication (C)": communication, "promotion (P)": promo})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class GroupSnapshot:
    """What the explorer shows for one group (:func:`group_snapshot`).

    ``profile``: rows ``metric`` with the group's value and the value over all customers; ``scores``:
    the group's RFM scores (the rows of :class:`customer_workbook.segments.RFMScores` ``.table``);
    ``nps``: the group's NPS, or None without survey answers.
    """

    profile: pd.DataFrame
    scores: pd.DataFrame
    nps: NetPromoterScore | None


def group_snapshot(kind: str, group: str, frame: pd.DataFrame, scores: pd.DataFrame,
                   answers: pd.DataFrame | None = None) -> GroupSnapshot:
    """One segment or persona against all customers: profile numbers, RFM scores and NPS.

    Parameters
    ----------
    kind
        Column of ``frame`` holding the grouping (e.g. ``"segment"`` or ``"persona_name"``).
    group
        The group to show.
    frame
        Per-customer frame with ``kind``, ``orders``, ``revenue`` (currency units), ``aov``,
        ``recency_days``.
    scores
        RFM scores of the same customers (:func:`customer_workbook.segments.rfm_scores` ``.table``).
    answers
        Optional :func:`customer_workbook.reasons.latest_answers` for the NPS.
    """
    inside = frame[kind].astype(str) == str(group)
    sub, base = frame[inside], frame
    metrics = [("customers", len(sub), len(base)), ("share of customers", inside.mean(), 1.0),
               ("share of revenue", sub["revenue"].sum() / base["revenue"].sum() if base["revenue"].sum() else np.nan, 1.0),
               ("orders per customer", sub["orders"].mean(), base["orders"].mean()),
               ("median order value", sub["aov"].median(), base["aov"].median()),
               ("median days since last order", sub["recency_days"].median(), base["recency_days"].median())]
    profile = pd.DataFrame(metrics, columns=["metric", str(group), "all customers"])
    group_nps = None
    if answers is not None and "nps" in answers:
        group_nps = nps(answers["nps"].reindex(sub.index).dropna())
    return GroupSnapshot(profile=profile, scores=scores.loc[sub.index], nps=group_nps)
