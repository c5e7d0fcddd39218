"""The recognition plan: a status for every customer by stated rules, badges for advocacy, and what the
benefits cost against the value they keep.

Important customers should feel special, by rules anyone can check: a **status** by expected value
(platinum, gold, silver, member) and a **badge** for advocacy (ambassador, contributor), because the most
valuable customers are not necessarily the ones who recommend us. "Status" is the recognition level of a
customer; it is not the advocacy pyramid's level (:mod:`.pyramid`) nor a product's ``tier``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ADVOCACY_WEIGHTS", "STATUS_ORDER", "advocacy_scores", "paying_statuses", "recognition_statuses",
           "status_economics"]

#: Weight of one engagement event in the advocacy score: recommending and creating content count most.
ADVOCACY_WEIGHTS = {"referral": 5.0, "community_post": 3.0, "review": 2.0, "app_session": 0.1}

#: Recognition statuses from the top down.
STATUS_ORDER = ("platinum", "gold", "silver", "member")

#: Default yearly benefit cost per member by status (currency units).
DEFAULT_BENEFIT_COST = {"platinum": 40.0, "gold": 15.0, "silver": 4.0, "member": 0.0}


def advocacy_scores(rates: pd.DataFrame, weights: dict | None = None) -> pd.DataFrame:
    """Per-customer engagement counts and a weighted advocacy score.

    ``score = sum over events of weight x count`` (default :data:`ADVOCACY_WEIGHTS`: referral 5,
    community post 3, review 2, app session 0.1).

    Parameters
    ----------
    rates : DataFrame
        :func:`customer_workbook.advocacy.engagement_rates` (one count column per event), indexed by
        ``customer_id``.
    weights : dict, optional
        ``{event: weight}``; an event the data never shows counts 0.

    Returns
    -------
    DataFrame indexed like ``rates``: one count column per weighted event and ``score``.
    """
    weights = dict(ADVOCACY_WEIGHTS if weights is None else weights)
    counts = pd.DataFrame({ev: rates[ev] if ev in rates else 0.0 for ev in weights}, index=rates.index)
    counts["score"] = counts[list(weights)].to_numpy(dtype=float) @ np.array(list(weights.values()))
    return counts


def recognition_statuses(value: pd.Series, advocacy: pd.Series | None = None, value_cuts=(0.05, 0.20, 0.50),
                         advocate_share: float = 0.01, contributor_share: float = 0.09) -> pd.DataFrame:
    """Recognition status and badge per customer, from stated rules.

    Rules: rank customers by ``value`` (ties share the better rank); the top ``value_cuts[0]`` are
    ``platinum``, the next up to ``value_cuts[1]`` ``gold``, up to ``value_cuts[2]`` ``silver``, the rest
    ``member``. Advocacy lifts a customer's status, independently of value: the top ``advocate_share`` by
    advocacy score (with a positive score) get the ``ambassador`` badge and at least ``gold``; the next
    ``contributor_share`` with a positive score get the ``contributor`` badge and at least ``silver``.
    (The shares mirror the 1% lovers / 9% likers of the advocacy pyramid.)

    Parameters
    ----------
    value : Series, shape (n,)
        Value per customer (e.g. 1-year CLV, currency units).
    advocacy : Series, optional
        Advocacy score per customer (:func:`advocacy_scores` ``score``); without it nobody gets a badge.

    Returns
    -------
    DataFrame indexed like ``value``: ``value_rank_share`` (0-1, 0 = most valuable), ``badge`` (text,
    empty without one) and ``status`` (ordered categorical of :data:`STATUS_ORDER`).
    """
    pct = value.rank(ascending=False, method="min").to_numpy() / len(value)
    codes = np.digitize(pct, value_cuts, right=True)  # 0 platinum .. 3 member
    badge = np.full(len(value), "", dtype=object)
    if advocacy is not None:
        a = advocacy.reindex(value.index).fillna(0.0)
        apct = a.rank(ascending=False, method="min").to_numpy() / len(a)
        pos = a.to_numpy() > 0
        amb = pos & (apct <= advocate_share)
        con = pos & ~amb & (apct <= advocate_share + contributor_share)
        badge[amb] = "ambassador"
        badge[con] = "contributor"
        codes = np.where(amb, np.minimum(codes, 1), codes)
        codes = np.where(con, np.minimum(codes, 2), codes)
    status = pd.Categorical.from_codes(codes, categories=list(STATUS_ORDER), ordered=True)
    return pd.DataFrame({"value_rank_share": pct, "badge": badge, "status": status}, index=value.index)


def status_economics(statuses: pd.DataFrame, values: pd.DataFrame, benefit_cost: dict | None = None,
                     retention_gain: float = 0.05) -> pd.DataFrame:
    """Members per status, the cost of their benefits and the value the benefits are expected to keep.

    Only a status whose members get a benefit (a positive ``benefit_cost``) can keep anything: its retained
    value = ``retention_gain`` x its members' total 1-year CLV (the share of next year's value the benefits are
    assumed to save); a status without a benefit keeps nothing it would not keep anyway (retained value 0).
    Net value = retained value - benefit cost, the increment the benefits add (negative: they do not pay).

    Parameters
    ----------
    statuses : DataFrame
        :func:`recognition_statuses`.
    values : DataFrame
        ``clv_1y`` per customer (currency units).
    benefit_cost : dict, optional
        Yearly benefit cost per member by status (currency units); default :data:`DEFAULT_BENEFIT_COST`.
    retention_gain : float
        Share of next year's value the benefits keep (0-1).

    Returns
    -------
    DataFrame, one row per status of :data:`STATUS_ORDER`: ``status``, ``customers``, ``share`` (0-1),
    ``mean_clv_1y``, ``ambassadors``, ``benefit_per_member``, ``benefit_cost``, ``retained_value``, ``net_value``
    (currency units).
    """
    cost = DEFAULT_BENEFIT_COST if benefit_cost is None else benefit_cost
    frame = statuses.join(values[["clv_1y"]], how="left")
    frame["ambassador"] = (frame["badge"] == "ambassador").astype(int)
    g = frame.groupby("status", observed=False)
    out = pd.DataFrame({"customers": g.size(), "mean_clv_1y": g["clv_1y"].mean(), "ambassadors": g["ambassador"].sum()})
    out["share"] = out["customers"] / out["customers"].sum()
    out["benefit_per_member"] = pd.Series(cost, dtype=float).reindex(out.index).fillna(0.0)
    out["benefit_cost"] = out["customers"] * out["benefit_per_member"]
    out["retained_value"] = np.where(out["benefit_per_member"] > 0, retention_gain * g["clv_1y"].sum(), 0.0)
    out["net_value"] = out["retained_value"] - out["benefit_cost"]
    return out.rename_axis("status").reset_index()[["status", "customers", "share", "mean_clv_1y", "ambassadors",
                                                     "benefit_per_member", "benefit_cost", "retained_value",
                                                     "net_value"]]


def paying_statuses(economics: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`status_economics` whose members get a benefit that pays (positive net value)."""
    return economics[(economics["benefit_per_member"] > 0) & (economics["net_value"] > 0)]
