"""Ownership by power users: the few customers who create most of the content others read and bring in
new customers through referrals, and what a referral is worth where the data shows it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CONTENT_EVENTS", "PowerUsers", "power_users"]

#: Engagement events that create content or bring customers (counted per customer).
CONTENT_EVENTS = ("review", "community_post", "referral")


@dataclass(frozen=True)
class PowerUsers:
    """Power users against everyone else (:func:`power_users`).

    Attributes
    ----------
    summary : DataFrame
        Two rows (``group``: power users, everyone else): ``customers``, ``content_per_customer``,
        ``referrals_per_customer``, ``mean_clv_1y`` (currency units), ``mean_p_alive`` (0-1).
    ids : Index
        The power users' customer ids (never shown in a report).
    content_share : float
        Share of all content (reviews, posts, referrals) they create (0-1).
    value_share : float
        Their share of the base's 1-year CLV (0-1).
    spearman_value_advocacy : float
        Rank correlation of 1-year CLV with the advocacy score, over customers with a value.
    referral_clv, other_clv : float or None
        Mean 1-year CLV of referral-acquired customers and of the others (currency units); None when the
        acquisition channel is unknown or one of the groups is empty.
    referral_clv_p : float or None
        Two-sided p-value of the difference of those means (Welch's t-test); None with them.
    """

    summary: pd.DataFrame
    ids: pd.Index
    content_share: float
    value_share: float
    spearman_value_advocacy: float
    referral_clv: float | None = None
    other_clv: float | None = None
    referral_clv_p: float | None = None

    @property
    def n_power_users(self) -> int:
        """How many power users there are."""
        return len(self.ids)


def power_users(scores: pd.DataFrame, values: pd.DataFrame | None, acquisition_channel: pd.Series | None = None,
                top_share: float = 0.01) -> PowerUsers:
    """Who creates content and referrals, and what that is worth where the data shows it.

    Power users are the top ``top_share`` of customers by content created (reviews + community posts +
    referrals, at least one; ties broken by order). Influence: with ``acquisition_channel``, the mean
    1-year CLV of referral-acquired customers against the others shows what a referral brings.

    Parameters
    ----------
    scores : DataFrame
        :func:`customer_workbook.advocacy.advocacy_scores` (event counts and ``score``) per customer.
    values : DataFrame or None
        ``clv_1y`` and ``p_alive`` per customer (:func:`customer_workbook.clv.score_customers` ``.table``); None
        when no customer value can be trusted: the summary then has no value columns, ``value_share`` and
        ``spearman_value_advocacy`` are NaN and the referral values None.
    acquisition_channel : Series, optional
        Acquisition channel per ``customer_id`` (the per-customer table's ``acquisition_channel``).
    top_share : float
        Share of customers who can be power users (0-1).

    Returns
    -------
    PowerUsers
    """
    from scipy.stats import spearmanr

    content_cols = [c for c in CONTENT_EVENTS if c in scores]
    content = scores[content_cols].sum(axis=1)
    rank = content.rank(ascending=False, method="first").to_numpy() / len(content)
    power = (rank <= top_share) & (content.to_numpy() > 0)
    valued = values is not None
    frame = scores.join(values[["clv_1y", "p_alive"]], how="left") if valued else scores.copy()
    frame["content"] = content
    frame["who"] = np.where(power, "power users", "everyone else")
    g = frame.groupby("who")
    summary = pd.DataFrame({"customers": g.size(), "content_per_customer": g["content"].mean(),
                            "referrals_per_customer": g["referral"].mean() if "referral" in frame else np.nan,
                            **({"mean_clv_1y": g["clv_1y"].mean(), "mean_p_alive": g["p_alive"].mean()} if valued else {})})
    referral_clv = other_clv = referral_clv_p = None
    nan = float("nan")
    if not valued:
        return PowerUsers(summary=summary.rename_axis("group").reset_index(), ids=scores.index[power],
                          content_share=float(content[power].sum() / max(content.sum(), 1)), value_share=nan,
                          spearman_value_advocacy=nan)
    both = frame.dropna(subset=["clv_1y"])
    if acquisition_channel is not None:
        ref = (acquisition_channel.reindex(values.index).astype("string") == "referral").fillna(False).to_numpy()
        if ref.sum() >= 2 and (~ref).sum() >= 2:
            clv = values["clv_1y"].to_numpy(dtype=float)
            referral_clv, other_clv = float(clv[ref].mean()), float(clv[~ref].mean())
            referral_clv_p = _welch_p(clv[ref], clv[~ref])
    return PowerUsers(summary=summary.rename_axis("group").reset_index(), ids=scores.index[power],
                      content_share=float(content[power].sum() / max(content.sum(), 1)),
                      value_share=float(frame.loc[power, "clv_1y"].sum() / frame["clv_1y"].sum()),
                      spearman_value_advocacy=float(spearmanr(both["clv_1y"], both["score"]).statistic),
                      referral_clv=referral_clv, other_clv=other_clv, referral_clv_p=referral_clv_p)


def _welch_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided p-value of Welch's t-test of equal means (1 when neither group varies and the means agree)."""
    from scipy.stats import t

    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff, se2 = a.mean() - b.mean(), va + vb
    if not se2 > 0:
        return 1.0 if diff == 0 else 0.0
    df = se2 ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    return float(2 * t.sf(abs(diff) / np.sqrt(se2), df))
