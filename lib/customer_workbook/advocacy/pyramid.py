"""The advocacy pyramid: lurkers, likers and lovers by how often customers engage, and how advocacy,
revenue and lock-in overlap.

The pyramid has three **levels** (:data:`LEVELS`): about 90% of a typical base are lurkers (buy, rarely
engage), 9% likers (engaged, rarely recommend) and 1% lovers (review, refer, post). "Level" is used
for the pyramid only; a product's ``tier`` is a column of the data contract.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["ADVOCACY_EVENTS", "LEVELS", "AdvocacyOverlap", "advocacy_levels", "advocacy_overlap", "engagement_rates"]


#: Engagement events that count as advocacy (recommending us to others).
ADVOCACY_EVENTS: tuple[str, ...] = ("review", "referral", "community_post")
#: Levels of the advocacy pyramid, from the base to the top.
LEVELS: tuple[str, ...] = ("lurker", "liker", "lover")


def engagement_rates(engagement: pd.DataFrame, features: pd.DataFrame, min_weeks: float = 52.0) -> pd.DataFrame:
    """Engagement events per week of each customer's observed life.

    A customer is observed from their first record (purchase or engagement) to their last; dividing
    by at least ``min_weeks`` keeps a short life with one lucky review from looking like a fan.

    Returns a DataFrame indexed like ``features`` with counts per event, ``advocacy_per_week``
    (reviews + referrals + community posts per week), ``events_per_week`` (all events) and ``weeks``.
    """
    # Plain ids on both sides: two categorical columns with different categories cannot be aligned by pandas.
    ids = pd.Index(np.asarray(features.index, dtype=object))
    e = engagement[engagement["customer_id"].isin(features.index)]
    who = pd.Series(np.asarray(e["customer_id"], dtype=object), index=e.index)
    counts = (e.groupby([who, e["event"].astype(str)]).size()
              .unstack(fill_value=0).reindex(ids, fill_value=0))  # crosstab is far slower at 1M
    counts.index = features.index
    for ev in ("review", "referral", "community_post", "app_session"):
        if ev not in counts:
            counts[ev] = 0
    g = e["date"].groupby(who)
    seen = pd.DataFrame({"first": g.min().reindex(ids).to_numpy(), "last": g.max().reindex(ids).to_numpy()},
                        index=features.index)
    first = pd.concat([features["first_order"], seen["first"]], axis=1).min(axis=1)
    last = pd.concat([features["last_order"], seen["last"]], axis=1).max(axis=1)
    weeks = np.maximum((last - first).dt.days.to_numpy(dtype=float) / 7.0, min_weeks)
    out = counts.astype(float)
    out["weeks"] = weeks
    out["advocacy_per_week"] = out[list(ADVOCACY_EVENTS)].sum(axis=1) / weeks
    out["events_per_week"] = counts.sum(axis=1).to_numpy() / weeks
    return out


def advocacy_levels(rates: pd.DataFrame, lover_min_per_year: float = 4.0, liker_min_per_year: float = 3.0) -> pd.Series:
    """Advocacy pyramid level of each customer from engagement rates (:func:`engagement_rates`).

    * ``lover`` - actively recommends: at least ``lover_min_per_year`` reviews, referrals or community
      posts a year;
    * ``liker`` - engaged (any event, app sessions included) at least ``liker_min_per_year`` times a
      year, but advocates less;
    * ``lurker`` - everyone else: buys, rarely engages.

    Returns a categorical Series named ``level`` (categories :data:`LEVELS`), indexed like ``rates``.
    """
    adv = rates["advocacy_per_week"].to_numpy() * 52.0
    eng = rates["events_per_week"].to_numpy() * 52.0
    code = np.where(adv >= lover_min_per_year, 2, np.where(eng >= liker_min_per_year, 1, 0))
    return pd.Series(pd.Categorical.from_codes(code, categories=LEVELS), index=rates.index, name="level")


@dataclass(frozen=True)
class AdvocacyOverlap:
    """How advocacy, spending and loyalty overlap (:func:`advocacy_overlap`); shares 0-1.

    Among the top ``top_share`` spenders: ``top_spenders_lover_share`` (lovers),
    ``top_spenders_liker_or_lover_share`` (likers or lovers) and ``top_overlap`` (also top advocates).
    ``lovers_in_top_spenders``: share of lovers who are top spenders (NaN without lovers).
    ``spearman_revenue_advocacy``: rank correlation of revenue with the advocacy rate (-1..1).
    ``base_lover_share`` and ``base_liker_or_lover_share`` over all customers. Among the most loyal
    ``top_share`` (when a loyalty measure was given, else NaN): ``loyal_lurker_share`` and
    ``loyal_lover_share``.
    """

    top_spenders_lover_share: float
    top_spenders_liker_or_lover_share: float
    lovers_in_top_spenders: float
    top_overlap: float
    spearman_revenue_advocacy: float
    base_lover_share: float
    base_liker_or_lover_share: float
    top_share: float
    loyal_lurker_share: float = np.nan
    loyal_lover_share: float = np.nan


def advocacy_overlap(levels: pd.Series, revenue: pd.Series, rates: pd.DataFrame, loyalty: pd.Series | None = None,
                     top_share: float = 0.10) -> AdvocacyOverlap:
    """Loyalty is not advocacy, and top spenders are not top advocates: the overlap numbers.

    Parameters
    ----------
    levels
        From :func:`advocacy_levels`.
    revenue
        Net revenue per customer (currency units).
    rates
        From :func:`engagement_rates` (``advocacy_per_week`` is the advocacy score).
    loyalty
        Optional loyalty measure (e.g. the health score); its top ``top_share`` are "most loyal".
    top_share
        Share of customers counted as "top" (0.10 = top decile; ties broken by order of appearance).
    """
    idx = levels.index
    rev = revenue.reindex(idx).fillna(0.0)
    adv = rates["advocacy_per_week"].reindex(idx).fillna(0.0)
    t = levels.astype(str)
    top_spend = rev.rank(pct=True, method="first") > 1 - top_share
    top_adv = adv.rank(pct=True, method="first") > 1 - top_share
    lovers = t == "lover"
    engaged = t.isin(["liker", "lover"])
    loyal_lurker = loyal_lover = np.nan
    if loyalty is not None:
        loyal = loyalty.reindex(idx).rank(pct=True, method="first") > 1 - top_share
        loyal_lurker, loyal_lover = float((t[loyal] == "lurker").mean()), float(lovers[loyal].mean())
    return AdvocacyOverlap(
        top_spenders_lover_share=float(lovers[top_spend].mean()),
        top_spenders_liker_or_lover_share=float(engaged[top_spend].mean()),
        lovers_in_top_spenders=float(top_spend[lovers].mean()) if lovers.any() else np.nan,
        top_overlap=float(top_adv[top_spend].mean()),
        spearman_revenue_advocacy=float(stats.spearmanr(rev, adv).statistic) if len(idx) > 2 else np.nan,
        base_lover_share=float(lovers.mean()), base_liker_or_lover_share=float(engaged.mean()),
        top_share=top_share, loyal_lurker_share=loyal_lurker, loyal_lover_share=loyal_lover)
