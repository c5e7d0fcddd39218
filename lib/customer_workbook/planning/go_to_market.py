"""Go to market: per target audience, the goal, offer, channel, timing, expected value and the metric to
watch; and who a churn threshold would contact."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..glossary import label
from ..data import Dataset
from ..retention.features import FeatureSet

__all__ = ["Targeting", "audience_customers", "campaign_response", "customer_profile", "go_to_market_plan",
           "plan_audiences", "targeting_at"]

#: The columns of :func:`go_to_market_plan` (``churn_risk`` only with a churn model).
PLAN_COLUMNS = ["audience", "customers", "goal", "offer", "channel", "timing", "value_per_customer", "churn_risk",
                "order_value", "expected_value", "evidence", "metric_to_watch"]

#: Normal quantile of a two-sided 95% interval: a campaign uplift is *measured* when its interval excludes zero.
Z_95 = 1.959964


def campaign_response(audience: pd.Series) -> str:
    """How an audience cell (a row of :func:`~customer_workbook.planning.audience_table`) responded to the
    randomised campaign: ``"positive"`` or ``"negative"`` when the 95% interval of its ``uplift`` (standard
    error ``uplift_se``) excludes zero, ``"unclear"`` when it covers zero, ``"unmeasured"`` when the cell has
    no uplift (no campaign, or no campaign customer in it)."""
    lift, se = audience.get("uplift", np.nan), audience.get("uplift_se", np.nan)
    if not (pd.notna(lift) and pd.notna(se)):
        return "unmeasured"
    if abs(float(lift)) <= Z_95 * float(se):
        return "unclear"
    return "positive" if lift > 0 else "negative"


def plan_audiences(audiences: pd.DataFrame, n_audiences: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The audiences a plan may lead with: the first ``n_audiences`` ranked cells (highest value first) whose
    campaign response (:func:`campaign_response`) is not measurably negative, and the measurably negative
    cells passed over on the way (an offer there lost orders, so the evidence does not support it)."""
    ranked = audiences[audiences["ranked"]]
    negative = np.array([campaign_response(a) == "negative" for _, a in ranked.iterrows()], dtype=bool)
    kept_rank = np.cumsum(~negative)  # how many supported cells up to and including each row
    keep = ~negative & (kept_rank <= n_audiences)
    passed = negative & (kept_rank < n_audiences)
    return ranked[keep], ranked[passed]


def _evidence(audience: pd.Series, mde: float) -> str:
    """The ``evidence`` cell of a plan line: what the randomised campaign measured in the audience, in words
    chosen from its uplift and 95% interval, and the lift the value assumes."""
    assumed = f"the value assumes the pilot's target lift of {100 * mde:.1f} pp"
    response = campaign_response(audience)
    if response == "unmeasured":
        return f"unmeasured: no randomised campaign reached this audience; {assumed}"
    lift, se = float(audience["uplift"]), float(audience["uplift_se"])
    interval = f"{100 * lift:+.1f} pp (95% interval {100 * (lift - Z_95 * se):+.1f} to {100 * (lift + Z_95 * se):+.1f} pp)"
    if response == "positive":
        return f"measured: the randomised campaign raised orders by {interval}; {assumed}"
    return (f"unmeasured: the randomised campaign's {interval} is not distinguishable from no effect; {assumed}")


def go_to_market_plan(audiences: pd.DataFrame, customer_table: pd.DataFrame, products: pd.DataFrame | None,
                      mvp: pd.DataFrame | None, mde: float, n_audiences: int = 3, outcome_days: int = 90,
                      churn_rate: float | None = None) -> pd.DataFrame:
    """The audience relations plan: one row per target audience, every cell derived from the analyses.

    Parameters
    ----------
    audiences : DataFrame
        :func:`~customer_workbook.planning.audience_table` output (ranked cells).
    customer_table : DataFrame, indexed by customer
        Columns ``segment``, ``persona``, ``clv``, ``order_value`` (margin of one extra order,
        :func:`~customer_workbook.retention.extra_order_value`) and, when available, ``churn_p`` (without it,
        or when it is all missing, no audience is *defended* and the plan has no ``churn_risk``), ``main_channel``,
        ``main_line`` (the product line they buy most), ``discount_line_share``, ``mean_days_between_orders``,
        ``recency_days``.
    mvp : DataFrame, optional
        :func:`~customer_workbook.planning.product_value_table` output (for the offer).
    mde : float
        The lift the pilot is sized to detect; expected value = customers x lift x value of one extra order.
    churn_rate : float, optional
        Average predicted churn probability of the whole base (the yardstick for *at risk*).

    Rules
    -----
    * audiences: the first ``n_audiences`` ranked cells whose randomised-campaign uplift is not measurably
      negative (:func:`plan_audiences`): a plan never leads with an offer that measurably lost orders;
    * goal: *defend (close the back door)* when the audience's churn risk exceeds the base's by 20%,
      *grow (cross-sell)* when value per customer is above the median cell, else *activate*;
    * offer: a non-price offer (premium / new products from the MVP line the audience does not yet buy
      most; early access and personal service without product lines) when the audience rarely buys on
      discount (below a tenth of lines), else a personal discount on that line (or on its next order);
    * channel: the audience's most used sales channel ("its usual channel" without channel data);
    * timing: the audience's median days between orders, before the usual gap has passed;
    * expected value: customers x ``mde`` (the lift the pilot must show, in the repeat-purchase rate) x the
      audience's mean value of one extra order (``order_value``), the unit notebook 03 values the campaign's
      outcome in: the outcome is an order, not a customer kept for a year. The lift is an assumption until the
      pilot measures it; the ``evidence`` column says what the randomised campaign measured in the audience
      (measured positive, or unmeasured: no campaign, or an interval covering zero);
    * metric: the repeat-purchase rate within ``outcome_days`` (churn rate for *defend*).
    """
    has_risk = "churn_p" in customer_table and bool(customer_table["churn_p"].notna().any())
    base_risk = churn_rate if churn_rate is not None else (float(customer_table["churn_p"].mean()) if has_risk
                                                           else np.nan)
    median_value = audiences.loc[audiences["ranked"], "value_per_customer"].median()
    mvp_lines = list(mvp["product"]) if mvp is not None and len(mvp) else []
    rows = []
    for _, a in plan_audiences(audiences, n_audiences)[0].iterrows():
        members = customer_table[(customer_table["segment"] == a["segment"]) & (customer_table["persona"] == a["persona"])]
        risk = float(members["churn_p"].mean()) if has_risk else np.nan
        if has_risk and risk > 1.2 * base_risk:
            goal = "defend: close the back door"
        elif a["value_per_customer"] >= median_value:
            goal = "grow: cross-sell"
        else:
            goal = "activate: second purchase"
        main_line = members["main_line"].mode().iloc[0] if "main_line" in members and members["main_line"].notna().any() else None
        target_line = next((p for p in mvp_lines if p != main_line), main_line)
        disc = float(members["discount_line_share"].mean()) if "discount_line_share" in members else np.nan
        if np.isnan(disc) or disc < 0.1:
            offer = (f"non-price: premium and new {label(target_line)} items, early access" if target_line is not None
                     else "non-price: early access and personal service")
        else:
            offer = (f"personal discount on {label(target_line)}" if target_line is not None
                     else "personal discount on the next order")
        channel = (members["main_channel"].mode().iloc[0] if "main_channel" in members
                   and members["main_channel"].notna().any() else "its usual channel")
        gap = float(members["mean_days_between_orders"].median()) if "mean_days_between_orders" in members else np.nan
        timing = (f"about {gap * 0.8:,.0f} days after the last order (usual gap {gap:,.0f} days)"
                  if np.isfinite(gap) else "after the first order")
        order_value = float(np.nan_to_num(members["order_value"].mean()))  # no valued member: nothing expected
        rows.append({"audience": f"{a['persona']} · {a['segment']}", "customers": int(a["customers"]), "goal": goal,
                     "offer": offer, "channel": channel, "timing": timing,
                     "value_per_customer": float(a["value_per_customer"]), "churn_risk": risk,
                     "order_value": order_value, "expected_value": float(a["customers"] * mde * order_value),
                     "evidence": _evidence(a, mde),
                     "metric_to_watch": (f"share with no order in {outcome_days} days" if goal.startswith("defend")
                                         else f"repeat-purchase rate in {outcome_days} days")})
    plan = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    return plan if has_risk else plan.drop(columns="churn_risk", errors="ignore")


@dataclass(frozen=True)
class Targeting:
    """What a score threshold means (:func:`targeting_at`): ``threshold`` (probability), ``error_rate``,
    ``missing_ratio`` and ``undetected_share`` (shares, on the test period), ``targeted_now`` (customers
    flagged today) and ``value_at_stake`` (currency units: probability x value, summed over them)."""

    threshold: float
    error_rate: float
    missing_ratio: float
    undetected_share: float
    targeted_now: int
    value_at_stake: float


def targeting_at(threshold: float, test_table: pd.DataFrame, p_now: pd.Series, value_now: pd.Series) -> Targeting:
    """What a threshold means: test-period error rate and missing ratio, and today's customers targeted.

    Parameters
    ----------
    threshold : float
        Score threshold (customers with probability >= threshold are targeted).
    test_table : DataFrame
        :func:`~customer_workbook.retention.threshold_table` on the test period (thresholds on a 0.05 grid).
    p_now : Series
        Today's predicted probability per customer.
    value_now : Series
        Today's expected value per customer (e.g. 12-month CLV), same index.

    Returns
    -------
    Targeting
        The test-period ratios at the nearest threshold of the table, the customers targeted today and
        the value at stake (sum of probability x value of the targeted customers: the value expected to
        leave without action, currency units).
    """
    row = test_table.iloc[int(np.argmin(np.abs(test_table["threshold"].to_numpy() - threshold)))]
    target = p_now >= threshold
    v = value_now.reindex(p_now.index).fillna(0.0)
    return Targeting(float(threshold), float(row["error_rate"]), float(row["missing_ratio"]),
                     float(row["undetected_share"]), int(target.sum()), float((p_now[target] * v[target]).sum()))


def customer_profile(ds: Dataset, features: FeatureSet) -> pd.DataFrame:
    """Per customer: ``main_channel`` (most used sales channel), ``main_line`` (most bought product
    category, when the products table has categories), ``discount_line_share``, ``mean_days_between_orders``
    and ``recency_days`` (from ``features``)."""
    f = features.frame
    out = pd.DataFrame(index=f.index)
    ch = [c for c in f.columns if c.startswith("channel_share_")]
    if ch:
        out["main_channel"] = f[ch].fillna(0).idxmax(axis=1).str.replace("channel_share_", "", regex=False)
    cats = [c for c in f.columns if c.startswith("category_share_")]
    if cats:
        out["main_line"] = f[cats].fillna(0).idxmax(axis=1).str.replace("category_share_", "", regex=False)
    for c in ("discount_line_share", "mean_days_between_orders", "recency_days"):
        if c in f:
            out[c] = f[c]
    return out


def audience_customers(profile: pd.DataFrame, personas: pd.Series, segment: pd.Series | None, clv: pd.Series,
                       churn_p: pd.Series | None, order_value: pd.Series) -> pd.DataFrame:
    """The per-customer table :func:`go_to_market_plan` reads: ``profile`` (:func:`customer_profile`) with
    ``segment`` (text; ``"all"`` without segments), ``persona``, ``clv`` (currency units), ``churn_p``
    (probability, or ``None`` without a churn model: no ``churn_p`` column) and ``order_value`` (currency
    units: :func:`~customer_workbook.retention.extra_order_value`, the margin of one extra order), each a
    Series by customer id aligned to the profile's customers."""
    index = profile.index
    out = profile.assign(segment=segment.reindex(index).astype(str) if segment is not None else "all",
                         persona=personas.reindex(index).to_numpy(), clv=clv.reindex(index),
                         order_value=order_value.reindex(index))
    return out if churn_p is None else out.assign(churn_p=churn_p.reindex(index))
