"""The advocacy pyramid: lurkers, likers and lovers by how often customers engage, and how advocacy,
revenue and lock-in overlap."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["ADVOCACY_EVENTS", "TIERS", "advocacy_overlap", "advocacy_tiers", "engagement_rates"]


ADVOCACY_EVENTS: tuple[str, ...] = ("review", "referral", "community_post")
TIERS: tuple[str, ...] = ("lurker", "liker", "lover")


def engagement_rates(engagement: pd.DataFrame, features: pd.DataFrame, min_weeks: float = 52.0) -> pd.DataFrame:
    """Engagement events per week of each customer's observed life.

    A customer is observed from their first record (purchase or engagement) to their last; dividing
    by at least ``min_weeks`` keeps a short life with one lucky review from looking like a fan.

    Returns a DataFrame indexed like ``features`` with counts per event, ``advocacy_per_week``
    (reviews + referrals + community posts per week), ``events_per_week`` (all events) and ``weeks``.
    """
    e = engagement[engagement["customer_id"].isin(features.index)]
    counts = (e.groupby([e["customer_id"], e["event"].astype(str)], observed=True).size()
              .unstack(fill_value=0).reindex(features.index, fill_value=0))  # crosstab is far slower at 1M
    for ev in ("review", "referral", "community_post", "app_session"):
        if ev not in counts:
            counts[ev] = 0
    g = e.groupby("customer_id", observed=True)["date"]
    first = pd.concat([features["first_order"], g.min().reindex(features.index)], axis=1).min(axis=1)
    last = pd.concat([features["last_order"], g.max().reindex(features.index)], axis=1).max(axis=1)
    weeks = np.maximum((last - first).dt.days.to_numpy(dtype=float) / 7.0, min_weeks)
    out = counts.astype(float)
    out["weeks"] = weeks
    out["advocacy_per_week"] = out[list(ADVOCACY_EVENTS)].sum(axis=1) / weeks
    out["events_per_week"] = counts.sum(axis=1).to_numpy() / weeks
    return out


def advocacy_tiers(rates: pd.DataFrame, lover_min_per_year: float = 4.0, liker_min_per_year: float = 3.0) -> pd.Series:
    """Advocacy pyramid tier of each customer from engagement rates (:func:`engagement_rates`).

    * ``lover`` - actively recommends: at least ``lover_min_per_year`` reviews, referrals or community
      posts a year;
    * ``liker`` - engaged (any event, app sessions included) at least ``liker_min_per_year`` times a
      year, but advocates less;
    * ``lurker`` - everyone else: buys, rarely engages.

    Returns a categorical Series (categories :data:`TIERS`).
    """
    adv = rates["advocacy_per_week"].to_numpy() * 52.0
    eng = rates["events_per_week"].to_numpy() * 52.0
    code = np.where(adv >= lover_min_per_year, 2, np.where(eng >= liker_min_per_year, 1, 0))
    return pd.Series(pd.Categorical.from_codes(code, categories=TIERS), index=rates.index, name="tier")


def advocacy_overlap(tiers: pd.Series, revenue: pd.Series, rates: pd.DataFrame, loyalty: pd.Series | None = None,
                     top_share: float = 0.10) -> dict:
    """Loyalty is not advocacy, and top spenders are not top advocates: the overlap numbers.

    Parameters
    ----------
    tiers
        From :func:`advocacy_tiers`.
    revenue
        Net revenue per customer (currency units).
    rates
        From :func:`engagement_rates` (``advocacy_per_week`` is the advocacy score).
    loyalty
        Optional loyalty measure (e.g. the health score); its top ``top_share`` are "most loyal".
    top_share
        Share of customers counted as "top" (0.10 = top decile).

    Returns
    -------
    dict
        ``top_spenders_lover_share``, ``top_spenders_liker_or_lover_share``, ``lovers_in_top_spenders``,
        ``top_overlap`` (share of top spenders who are also top advocates), ``spearman_revenue_advocacy``,
        ``base_lover_share``, ``base_liker_or_lover_share``; with ``loyalty``: ``loyal_lurker_share``
        (share of the most loyal who are lurkers) and ``loyal_lover_share``.
    """
    idx = tiers.index
    rev = revenue.reindex(idx).fillna(0.0)
    adv = rates["advocacy_per_week"].reindex(idx).fillna(0.0)
    t = tiers.astype(str)
    top_spend = rev.rank(pct=True, method="first") > 1 - top_share
    top_adv = adv.rank(pct=True, method="first") > 1 - top_share
    lovers = t == "lover"
    engaged = t.isin(["liker", "lover"])
    out = {
        "top_spenders_lover_share": float(lovers[top_spend].mean()),
        "top_spenders_liker_or_lover_share": float(engaged[top_spend].mean()),
        "lovers_in_top_spenders": float(top_spend[lovers].mean()) if lovers.any() else np.nan,
        "top_overlap": float(top_adv[top_spend].mean()),
        "spearman_revenue_advocacy": float(stats.spearmanr(rev, adv).statistic) if len(idx) > 2 else np.nan,
        "base_lover_share": float(lovers.mean()),
        "base_liker_or_lover_share": float(engaged.mean()),
        "top_share": top_share,
    }
    if loyalty is not None:
        loyal = loyalty.reindex(idx).rank(pct=True, method="first") > 1 - top_share
        out["loyal_lurker_share"] = float((t[loyal] == "lurker").mean())
        out["loyal_lover_share"] = float(lovers[loyal].mean())
    return out
