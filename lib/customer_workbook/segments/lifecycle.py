"""The customer lifecycle: stages from acquisition to advocacy, a health score and its back-test, and the
retention gain of buying in several categories."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..advocacy.pyramid import engagement_rates
from ..base.customers import customer_features
from ..clv.scoring import score_customers
from ..stats.classifiers import MIN_CLASS
from .enough import TooFew, too_few
from ..findings import date_words

__all__ = ["HEALTH_WEIGHTS", "LIFECYCLE_STAGES", "MIN_HOLDOUT_DAYS", "USEFUL_AUC", "CategoryRetention", "HealthBacktest",
           "backtest_holdout", "health_backtest", "health_score", "lifecycle_stages", "multi_category_retention"]


#: Lifecycle stages of the method, in order.
LIFECYCLE_STAGES: tuple[str, ...] = ("acquisition", "adoption", "cross-sell", "advocacy")


def lifecycle_stages(features: pd.DataFrame, levels: pd.Series | None = None) -> pd.Series:
    """Lifecycle stage of every customer: the furthest stage reached.

    * ``acquisition`` - bought once (or only on one day): acquired, value not yet shown;
    * ``adoption`` - came back (2+ purchase days): getting value from what they bought;
    * ``cross-sell`` - adopted and buys from 2+ product categories (needs ``n_categories``);
    * ``advocacy`` - recommends us actively: a lover in
      :func:`customer_workbook.advocacy.advocacy_levels`, when the levels are given (likers engage but
      rarely recommend, so they stay in their buying stage).

    Returns a categorical Series (categories :data:`LIFECYCLE_STAGES`) indexed like ``features``.
    """
    stage = np.where(features["purchase_days"] >= 2, 1, 0)
    if "n_categories" in features:
        stage = np.where((stage == 1) & (features["n_categories"] >= 2), 2, stage)
    if levels is not None:
        adv = (levels.reindex(features.index).astype(str) == "lover").to_numpy()
        stage = np.where(adv, 3, stage)
    return pd.Series(pd.Categorical.from_codes(stage, categories=LIFECYCLE_STAGES), index=features.index,
                     name="stage")


#: Weights of the health-score components (they are renormalised over the components available).
HEALTH_WEIGHTS: dict[str, float] = {"p_alive": 0.4, "breadth": 0.2, "rate": 0.2, "engagement": 0.2}


def health_score(features: pd.DataFrame, p_alive: pd.Series | None, engagement_rate: pd.Series | None = None,
                 weights: dict[str, float] | None = None) -> pd.DataFrame:
    """A 0-100 loyalty / health score per customer from adoption behaviour.

    Components (each turned into a percentile rank 0-1 so they are comparable):
    ``p_alive`` (still buying, from BG/NBD), ``breadth`` (product categories bought, the cross-sell
    signal), ``rate`` (orders per week of tenure) and ``engagement`` (events per week, when given).
    The score is 100 x the weighted mean of the ranks; ``p_alive`` enters as a probability, not a
    rank, so a customer who has almost surely left scores low whatever else they did. Pass
    ``p_alive=None`` when the customer-value model did not fit (its ``report.ok`` is false): the score
    then rests on the other components (weights renormalised).

    Returns a DataFrame with the components and ``health`` (0-100), indexed like ``features``.
    """
    w = dict(HEALTH_WEIGHTS if weights is None else weights)
    comp = pd.DataFrame(index=features.index)
    if p_alive is not None:
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


#: Shortest holdout of the health back-test (days): a shorter one says more about the calendar than about risk.
MIN_HOLDOUT_DAYS = 30
#: AUC of the back-test from which the health score counts as spotting risk (0.5 is chance).
USEFUL_AUC = 0.6


@dataclass(frozen=True)
class HealthBacktest:
    """The back-test of the health score (:func:`health_backtest`).

    ``cutoff``: the scoring date; ``auc`` of the score for "bought in the holdout" (0.5 = useless,
    1 = perfect; NaN when everyone or nobody bought, so nothing can be separated); ``n`` customers
    scored; ``active_share_top`` / ``active_share_bottom``: share of the top and bottom quintiles of the
    score that bought in the holdout (0-1, NaN when a quintile is empty because scores tie); ``holdout_days``:
    days after the cutoff; ``p_alive_used``: whether the P(alive) refitted at the cutoff passed its gate and
    entered the score; ``bought_share``: share of the scored customers who bought in the holdout (0-1).
    ``too_few`` says when the AUC is not to be read: fewer than :data:`~customer_workbook.stats.MIN_CLASS`
    scored customers bought, or did not (the gate of every model of the series).
    """

    cutoff: pd.Timestamp
    auc: float
    n: int
    active_share_top: float
    active_share_bottom: float
    holdout_days: int = 180
    p_alive_used: bool = True
    bought_share: float = float("nan")

    @property
    def useful(self) -> bool:
        """The score separates buyers from non-buyers clearly better than chance (AUC >= :data:`USEFUL_AUC`)."""
        return bool(self.auc >= USEFUL_AUC)

    @property
    def too_few(self) -> TooFew | None:
        """Set when fewer than ``MIN_CLASS`` scored customers bought in the holdout, or fewer did not."""
        bought = int(round(self.n * self.bought_share)) if self.n else 0
        return too_few(min(bought, self.n - bought), MIN_CLASS, f"customers on the rarer side of the back-test: scored "
                       f"on {date_words(self.cutoff)}, bought in the next {self.holdout_days} days or not")


def backtest_holdout(first_day, last_day, holdout_days: int = 180) -> int | None:
    """The holdout the back-test can use on data from ``first_day`` to ``last_day``: ``holdout_days``, but at
    most half the span (customers need as much history before the cutoff as the holdout after it); None
    when that is shorter than :data:`MIN_HOLDOUT_DAYS` (the data cover fewer than 60 days)."""
    span = (pd.Timestamp(last_day) - pd.Timestamp(first_day)).days
    days = min(int(holdout_days), span // 2)
    return days if days >= MIN_HOLDOUT_DAYS else None


def health_backtest(transactions: pd.DataFrame, products: pd.DataFrame | None = None,
                    engagement: pd.DataFrame | None = None, holdout_days: int = 180,
                    max_customers: int | None = 100_000, seed: int = 0, use_p_alive: bool = True) -> HealthBacktest:
    """Does the health score spot risk? Score customers at ``end - holdout_days`` and check who bought after.

    The score needs the customers as they were at the cutoff, so their features are computed here
    from the lines before it (:func:`customer_workbook.base.customer_features` with ``as_of``), not
    read from the run's per-customer table, and P(alive) is refitted on those lines; it enters the
    score only when ``use_p_alive`` and that fit passes its gate (``report.ok``), as in the run's own
    score. On bases larger than ``max_customers`` a seeded random sample of customers is scored (an AUC
    on 100,000 customers is precise to about 0.003; this keeps 1M-customer runs within minutes).
    Choose ``holdout_days`` with :func:`backtest_holdout`: the cutoff must leave lines before it.
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
    p_alive = None
    if use_p_alive:
        value = score_customers(calib, as_of=cutoff, seed=seed)
        p_alive = value.table["p_alive"] if value.report.ok else None
    score = health_score(feats, p_alive, rate)["health"]
    later = transactions[(transactions["date"] >= cutoff) & (transactions["amount"] > 0)]
    bought = score.index.isin(later["customer_id"].unique())
    q = score.rank(pct=True).to_numpy()
    auc = float(roc_auc_score(bought, score)) if 0 < bought.sum() < len(bought) else float("nan")
    top, bottom = bought[q > 0.8], bought[q <= 0.2]
    return HealthBacktest(cutoff=cutoff, auc=auc, n=int(len(score)),
                          active_share_top=float(top.mean()) if len(top) else float("nan"),
                          active_share_bottom=float(bottom.mean()) if len(bottom) else float("nan"),
                          holdout_days=int(holdout_days), p_alive_used=p_alive is not None,
                          bought_share=float(bought.mean()) if len(bought) else float("nan"))


@dataclass(frozen=True)
class CategoryRetention:
    """The multi-category retention test (:func:`multi_category_retention`).

    ``table``: one row per order count before the cutoff (``orders_before_cutoff``, ``single_customers``,
    ``single_retained``, ``multi_customers``, ``multi_retained``; retention 0-1). ``single_rate`` and
    ``multi_rate``: pooled retention of each group (0-1); ``difference``: multi - single at equal order
    counts (Mantel-Haenszel risk difference) with its interval ``low`` / ``high`` at ``level``;
    ``p_value``: Cochran-Mantel-Haenszel test, two-sided; ``risk_ratio``: multi_rate / single_rate;
    ``n`` customers compared; ``cutoff`` date; ``earlier_customers``: buyers left out because they signed
    up before the first day of the data (0 when no sign-up dates are given).
    """

    table: pd.DataFrame
    single_rate: float
    multi_rate: float
    difference: float
    low: float
    high: float
    p_value: float
    risk_ratio: float
    n: int
    cutoff: pd.Timestamp
    level: float
    earlier_customers: int = 0


def _history_in_data(transactions: pd.DataFrame, customers: pd.DataFrame | None) -> pd.Index | None:
    """Customers whose whole purchase history is in ``transactions``: signed up on or after its first day.

    None (keep everyone) when ``customers`` has no ``signup_date``. Customers who signed up earlier bought
    before the data begin: their categories so far are unknown (a single-category buyer in the data may
    have bought other categories before), and they are survivors of the years before (those who stayed
    without the protection of a second category were selected for staying anyway).
    """
    if customers is None or "signup_date" not in customers or "customer_id" not in customers:
        return None
    first_day = pd.Timestamp(transactions["date"].min()).normalize()
    signup = pd.to_datetime(customers["signup_date"], errors="coerce")
    return pd.Index(customers.loc[signup >= first_day, "customer_id"])


def _stratum_counts(g: pd.DataFrame, k, multi: bool) -> tuple[float, float]:
    """(customers, retained) of the multi- or single-category group in order-count stratum ``k``."""
    size = float(g.loc[k, ("size", multi)]) if ("size", multi) in g else 0.0
    kept = float(g.loc[k, ("sum", multi)]) if ("sum", multi) in g else 0.0
    return size, kept


def _mantel_haenszel(g: pd.DataFrame) -> tuple[list[dict], float, float, float]:
    """Per-stratum rows, the MH risk difference, its standard error and the CMH chi-square (1 df).

    The risk difference pools the strata with weights ``n0 n1 / n`` (Mantel & Haenszel 1959); its
    variance sums the strata's binomial variances with the squared weights. ``g`` is the table of
    customers (``size``) and retained (``sum``) per order count (rows) and group (``multi`` columns).
    """
    rows, num, den, var_num, cmh_num, cmh_var = [], 0.0, 0.0, 0.0, 0.0, 0.0
    for k in g.index:  # one iteration per order count (a handful of strata)
        n1, x1 = _stratum_counts(g, k, True)
        n0, x0 = _stratum_counts(g, k, False)
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
    return rows, num / den, math.sqrt(var_num) / den, cmh_num ** 2 / cmh_var if cmh_var > 0 else 0.0


def multi_category_retention(transactions: pd.DataFrame, products: pd.DataFrame, cutoff,
                             min_orders: int = 2, max_orders: int = 4, level: float = 0.95,
                             customers: pd.DataFrame | None = None) -> CategoryRetention:
    """Do multi-category customers stay longer? A stratified comparison that can be checked.

    Customers with ``min_orders``..``max_orders`` orders before ``cutoff`` are split into single- and
    multi-category buyers (categories bought before the cutoff); "retained" means at least one order
    on or after the cutoff. The comparison is made within each order count (so buying more often does
    not masquerade as buying more widely) and pooled with Mantel-Haenszel weights. The customers'
    orders and categories are those before the cutoff, so they are computed here from those lines
    (:func:`customer_workbook.base.customer_features`), not read from the run's per-customer table.

    With ``customers`` (contract customers with ``signup_date``) only customers who signed up on or after
    the first day of the data are compared (:func:`_history_in_data`): for earlier customers neither the
    categories bought so far nor the selection that kept them are seen, which biases the comparison
    towards no effect or a reversed one (on the sample company, planted hazard ratio 0.6, the customers
    of the initial base show a gain of -5.0 points, those who joined within the data +3.3).

    Raises ValueError when no order count has both single- and multi-category customers.
    """
    cutoff = pd.Timestamp(cutoff)
    pos = transactions[transactions["amount"] > 0]
    observed, earlier = _history_in_data(pos, customers), 0
    if observed is not None:
        earlier = int((~pd.Index(pos["customer_id"].unique()).isin(observed)).sum())
        pos = pos[pos["customer_id"].isin(observed)]
        if pos.empty:
            raise ValueError("every customer signed up before the data begin, so what they bought before is unknown")
    before = pos[pos["date"] < cutoff]
    feats = customer_features(before, products)
    sel = feats[(feats["orders"] >= min_orders) & (feats["orders"] <= max_orders)]
    after_ids = pd.Index(pos.loc[pos["date"] >= cutoff, "customer_id"].unique())
    d = pd.DataFrame({"orders": sel["orders"].astype(int), "multi": sel["n_categories"] >= 2,
                      "retained": sel.index.isin(after_ids)}, index=sel.index)
    g = d.groupby(["orders", "multi"])["retained"].agg(["size", "sum"]).unstack("multi", fill_value=0)
    rows, diff, se, chi2 = _mantel_haenszel(g)
    z = stats.norm.ppf(0.5 + level / 2)
    single = float(d.loc[~d["multi"], "retained"].mean()) if (~d["multi"]).any() else np.nan
    multi = float(d.loc[d["multi"], "retained"].mean()) if d["multi"].any() else np.nan
    return CategoryRetention(table=pd.DataFrame(rows), single_rate=single, multi_rate=multi, difference=float(diff),
                             low=float(diff - z * se), high=float(diff + z * se), p_value=float(stats.chi2.sf(chi2, 1)),
                             risk_ratio=multi / single if single else np.nan, n=int(len(d)), cutoff=cutoff, level=level,
                             earlier_customers=earlier)
