"""The customer lifecycle: stages from acquisition to advocacy, a health score and its back-test, and the
retention gain of buying in several categories."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..advocacy.pyramid import engagement_rates
from ..base.customers import customer_features
from ..clv.scoring import score_customers

__all__ = ["HEALTH_WEIGHTS", "LIFECYCLE_STAGES", "health_backtest", "health_score", "lifecycle_stages", "multi_category_retention"]


#: Lifecycle stages of the method, in order.
LIFECYCLE_STAGES: tuple[str, ...] = ("acquisition", "adoption", "cross-sell", "advocacy")


def lifecycle_stages(features: pd.DataFrame, tiers: pd.Series | None = None) -> pd.Series:
    """Lifecycle stage of every customer: the furthest stage reached.

    * ``acquisition`` - bought once (or only on one day): acquired, value not yet shown;
    * ``adoption`` - came back (2+ purchase days): getting value from what they bought;
    * ``cross-sell`` - adopted and buys from 2+ product categories (needs ``n_categories``);
    * ``advocacy`` - recommends us actively: a lover in :func:`advocacy_tiers`, when tiers are given
      (likers engage but rarely recommend, so they stay in their buying stage).

    Returns a categorical Series (categories :data:`LIFECYCLE_STAGES`) indexed like ``features``.
    """
    stage = np.where(features["purchase_days"] >= 2, 1, 0)
    if "n_categories" in features:
        stage = np.where((stage == 1) & (features["n_categories"] >= 2), 2, stage)
    if tiers is not None:
        adv = (tiers.reindex(features.index).astype(str) == "lover").to_numpy()
        stage = np.where(adv, 3, stage)
    return pd.Series(pd.Categorical.from_codes(stage, categories=LIFECYCLE_STAGES), index=features.index,
                     name="stage")


#: Weights of the health-score components (they are renormalised over the components available).
HEALTH_WEIGHTS: dict[str, float] = {"p_alive": 0.4, "breadth": 0.2, "rate": 0.2, "engagement": 0.2}


def health_score(features: pd.DataFrame, p_alive: pd.Series, engagement_rate: pd.Series | None = None,
                 weights: dict[str, float] | None = None) -> pd.DataFrame:
    """A 0-100 loyalty / health score per customer from adoption behaviour.

    Components (each turned into a percentile rank 0-1 so they are comparable):
    ``p_alive`` (still buying, from BG/NBD), ``breadth`` (product categories bought, the cross-sell
    signal), ``rate`` (orders per week of tenure) and ``engagement`` (events per week, when given).
    The score is 100 x the weighted mean of the ranks; ``p_alive`` enters as a probability, not a
    rank, so a customer who has almost surely left scores low whatever else they did.

    Returns a DataFrame with the components and ``health`` (0-100), indexed like ``features``.
    """
    w = dict(HEALTH_WEIGHTS if weights is None else weights)
    comp = pd.DataFrame(index=features.index)
    comp["p_alive"] = p_alive.reindex(features.index).fillna(0.0)
    if "n_categories" in features:
        comp["breadth"] = features["n_categories"].rank(pct=True)
    comp["rate"] = (features["orders"] / (features["tenure_days"] / 7.0 + 1.0)).rank(pct=True)
    if engagement_rate is not None:
        comp["engagement"] = engagement_rate.reindex(features.index).fillna(0.0).rank(pct=True)
    used = {k: v for k, v in w.items() if k in comp}
    total = sum(used.values())
    comp["health"] = 100.0 * sum(comp[k] * v for k, v in used.items()) / total
    return comp


def health_backtest(transactions: pd.DataFrame, products: pd.DataFrame | None = None,
                    engagement: pd.DataFrame | None = None, holdout_days: int = 180,
                    max_customers: int | None = 100_000, seed: int = 0) -> dict:
    """Does the health score spot risk? Score customers at ``end - holdout_days`` and check who bought after.

    On bases larger than ``max_customers`` a seeded random sample of customers is scored (an AUC on
    100,000 customers is precise to about 0.003; this keeps 1M-customer runs within minutes).

    Returns ``{"cutoff", "auc", "n", "active_share_top", "active_share_bottom"}``: the AUC of the
    score for "bought in the holdout" (0.5 = useless, 1 = perfect) and the holdout active share in
    the top and bottom quintiles of the score.
    """
    from sklearn.metrics import roc_auc_score

    end = transactions["date"].max()
    cutoff = (end - pd.Timedelta(days=holdout_days)).normalize()
    calib = transactions[transactions["date"] < cutoff]
    ids = pd.unique(calib["customer_id"])
    if max_customers is not None and len(ids) > max_customers:
        keep = pd.Index(np.random.default_rng(seed).choice(ids, max_customers, replace=False))
        calib = calib[calib["customer_id"].isin(keep)]
    feats = customer_features(calib, products, as_of=cutoff - pd.Timedelta(days=1))
    feats = feats[feats["orders"] > 0]
    rate = None
    if engagement is not None:
        rate = engagement_rates(engagement[engagement["date"] < cutoff], feats)["events_per_week"]
    p_alive = score_customers(calib, as_of=cutoff, seed=seed).table["p_alive"]
    score = health_score(feats, p_alive, rate)["health"]
    later = transactions[(transactions["date"] >= cutoff) & (transactions["amount"] > 0)]
    bought = score.index.isin(later["customer_id"].unique())
    q = score.rank(pct=True)
    return {"cutoff": cutoff, "auc": float(roc_auc_score(bought, score)), "n": int(len(score)),
            "active_share_top": float(bought[(q > 0.8).to_numpy()].mean()),
            "active_share_bottom": float(bought[(q <= 0.2).to_numpy()].mean())}


def multi_category_retention(transactions: pd.DataFrame, products: pd.DataFrame, cutoff,
                             min_orders: int = 2, max_orders: int = 4, level: float = 0.95) -> dict:
    """Do multi-category customers stay longer? A stratified comparison that can be checked.

    Customers with ``min_orders``..``max_orders`` orders before ``cutoff`` are split into single- and
    multi-category buyers (categories bought before the cutoff); "retained" means at least one order
    on or after the cutoff. The comparison is made within each order count (so buying more often does
    not masquerade as buying more widely) and pooled with Mantel-Haenszel weights.

    Returns
    -------
    dict
        ``table`` (DataFrame per order count: customers and retention of each group), ``single_rate``,
        ``multi_rate`` (pooled, 0-1), ``difference`` (multi - single, MH risk difference), ``low`` /
        ``high`` (its interval at ``level``), ``p_value`` (Cochran-Mantel-Haenszel test, two-sided),
        ``risk_ratio``, ``n``.
    """
    cutoff = pd.Timestamp(cutoff)
    pos = transactions[transactions["amount"] > 0]
    before = pos[pos["date"] < cutoff]
    feats = customer_features(before, products)
    sel = feats[(feats["orders"] >= min_orders) & (feats["orders"] <= max_orders)]
    after_ids = pd.Index(pos.loc[pos["date"] >= cutoff, "customer_id"].unique())
    d = pd.DataFrame({"orders": sel["orders"].astype(int), "multi": sel["n_categories"] >= 2,
                      "retained": sel.index.isin(after_ids)}, index=sel.index)
    g = d.groupby(["orders", "multi"])["retained"].agg(["size", "sum"]).unstack("multi", fill_value=0)
    rows, num, den, var_num, cmh_num, cmh_var = [], 0.0, 0.0, 0.0, 0.0, 0.0
    for k in g.index:  # one iteration per order count (a handful of strata)
        n1, x1 = float(g.loc[k, ("size", True)]) if ("size", True) in g else 0.0, float(g.loc[k, ("sum", True)]) if ("sum", True) in g else 0.0
        n0, x0 = float(g.loc[k, ("size", False)]) if ("size", False) in g else 0.0, float(g.loc[k, ("sum", False)]) if ("sum", False) in g else 0.0
        rows.append({"orders_before_cutoff": int(k), "single_customers": int(n0), "single_retained": x0 / n0 if n0 else np.nan,
                     "multi_customers": int(n1), "multi_retained": x1 / n1 if n1 else np.nan})
        if n0 == 0 or n1 == 0:
            continue
        n = n0 + n1
        w = n0 * n1 / n
        p1, p0 = x1 / n1, x0 / n0
        num += w * (p1 - p0)
        den += w
        var_num += w ** 2 * (p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        m1, m0 = x1 + x0, n - (x1 + x0)
        cmh_num += x1 - n1 * m1 / n
        cmh_var += n1 * n0 * m1 * m0 / (n ** 2 * (n - 1)) if n > 1 else 0.0
    if den == 0:
        raise ValueError("no order-count stratum has both single- and multi-category customers")
    diff = num / den
    se = math.sqrt(var_num) / den
    z = stats.norm.ppf(0.5 + level / 2)
    chi2 = cmh_num ** 2 / cmh_var if cmh_var > 0 else 0.0
    single = float(d.loc[~d["multi"], "retained"].mean()) if (~d["multi"]).any() else np.nan
    multi = float(d.loc[d["multi"], "retained"].mean()) if d["multi"].any() else np.nan
    return {"table": pd.DataFrame(rows), "single_rate": single, "multi_rate": multi, "difference": float(diff),
            "low": float(diff - z * se), "high": float(diff + z * se), "p_value": float(stats.chi2.sf(chi2, 1)),
            "risk_ratio": multi / single if single else np.nan, "n": int(len(d)), "cutoff": cutoff, "level": level}
