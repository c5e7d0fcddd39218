"""Step 5: the components of the customer-management plan, each as a small, tested analysis.

Sections (one per part of notebook 05):

* **Long-term value** — :func:`customer_workbook.clv.score_customers` ``.table`` (CLV per customer for 1 and 3 years, discounted, from the
  BG/NBD + Gamma-Gamma engine in :mod:`customer_workbook.clv`), :func:`segment_value`,
  :func:`value_concentration`.
* **Dormant customers** — :func:`dormancy_groups` (time since the last purchase relative to each
  customer's *own* buying rhythm), :func:`winback_economics` (expected value of a win-back against
  its cost, and the offer to use).
* **Personal offers** — :func:`fit_item_item`, :func:`recommend`, :func:`popular_items`,
  :func:`evaluate_recommenders` (hit rate and recall at k on a time split, against popularity).
* **Closing the back door** — :func:`uplift_features`, :func:`fit_uplift` (a two-model learner,
  cross-fitted so every prediction is out of sample), :func:`qini_curve`, :func:`qini_coefficient`,
  :func:`uplift_at_k`, :func:`uplift_segments`, :func:`uplift_value`.
* **Recognition and product hierarchy** — :func:`advocacy_scores`, :func:`recognition_tiers`,
  :func:`tier_economics`, :func:`product_hierarchy`, :func:`tier_migration`.
* **Ownership** — :func:`power_users`.
* **Choice vs convenience** — :func:`choice_vs_convenience`.
* **Non-customers** — :func:`classify_prospects`, :func:`must_have_needs`.
* **The plan** — :func:`action_plan`.

Conventions: money in currency units, durations in days unless a name says otherwise, shares are
fractions in [0, 1]. Purchases are lines with a positive ``amount``; returns are ignored where a
"what did they buy" question is asked. Every random step takes a ``seed``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .base import order_table
from .base.lines import plain_index, purchase_lines
from .offers.recommender import (
    ItemItemModel,
    evaluate_recommenders,
    fit_item_item,
    offers_table,
    popular_items,
    recommend,
    top_pairs,
)
from .retention.uplift import (
    UPLIFT_GROUPS,
    UpliftFit,
    base_targeting,
    fit_uplift,
    qini_coefficient,
    qini_curve,
    segment_effects,
    uplift_at_k,
    uplift_features,
    uplift_segments,
    uplift_value,
)
from .retention.winback import DORMANCY_ORDER, dormancy_groups, winback_economics

__all__ = [
    "DORMANCY_ORDER", "UPLIFT_GROUPS",
    "with_categorical_ids", "mean_order_value", "discount_share", "segment_value", "value_concentration",
    "dormancy_groups", "winback_economics",
    "ItemItemModel", "fit_item_item", "recommend", "popular_items", "top_pairs", "offers_table",
    "evaluate_recommenders",
    "uplift_features", "UpliftFit", "fit_uplift", "qini_curve", "qini_coefficient", "uplift_at_k",
    "uplift_segments", "uplift_value", "segment_effects", "base_targeting",
    "advocacy_scores", "recognition_tiers", "tier_economics", "product_hierarchy", "tier_migration",
    "power_users", "choice_vs_convenience",
    "classify_prospects", "must_have_needs",
    "customer_card", "action_plan",
]

def with_categorical_ids(transactions: pd.DataFrame) -> pd.DataFrame:
    """Transactions with ``customer_id`` and ``product_id`` as categorical columns (same values).

    Every analysis of this step groups or looks up lines by customer or product; on a categorical
    column pandas hashes each distinct id once instead of once per line, which matters at millions
    of lines.
    """
    cols = {c: transactions[c].astype("category") for c in ("customer_id", "product_id")
            if c in transactions and not isinstance(transactions[c].dtype, pd.CategoricalDtype)}
    return transactions.assign(**cols) if cols else transactions


def mean_order_value(transactions: pd.DataFrame) -> float:
    """Net revenue per order (currency units): the mean ``amount`` of :func:`customer_workbook.base.order_table`
    (a return reduces the value of the order it returns); NaN without orders."""
    orders = order_table(transactions)
    return float(orders["amount"].mean()) if len(orders) else float("nan")


def discount_share(transactions: pd.DataFrame) -> pd.Series:
    """Mean line discount (0-1) of each customer's purchases; empty without a ``discount`` column."""
    buys = purchase_lines(transactions)
    if "discount" not in buys:
        return pd.Series(dtype=float, name="discount_share")
    out = buys.groupby("customer_id", observed=True)["discount"].mean().rename("discount_share")
    out.index = plain_index(out.index)
    return out


# =========================================================================== 1. long-term value


def segment_value(values: pd.DataFrame, segments: pd.Series, columns=("clv_1y", "clv_3y")) -> pd.DataFrame:
    """Customers, mean and total value and share of total value per segment.

    Parameters
    ----------
    values : DataFrame
        Per-customer values indexed by ``customer_id`` (e.g. from :func:`customer_workbook.clv.score_customers` ``.table``).
    segments : Series
        Segment label per ``customer_id``; customers without a label are grouped as ``"unknown"``.
    columns : tuple of str
        Value columns to summarise.

    Returns
    -------
    DataFrame
        One row per segment, sorted by the total of the first column: ``segment``, ``customers``,
        ``mean_<col>``, ``total_<col>``, ``share_<col>`` (0-1).
    """
    seg = segments.reindex(values.index).astype("string").fillna("unknown")
    g = values[list(columns)].groupby(seg.to_numpy())
    out = pd.DataFrame({"customers": g.size()})
    for c in columns:
        out[f"mean_{c}"] = g[c].mean()
        out[f"total_{c}"] = g[c].sum()
        out[f"share_{c}"] = out[f"total_{c}"] / values[c].sum()
    out = out.sort_values(f"total_{columns[0]}", ascending=False)
    return out.rename_axis("segment").reset_index()


def value_concentration(values: pd.Series, top_shares=(0.01, 0.05, 0.20)) -> pd.Series:
    """Share of the total value held by the top ``x`` of customers (ranked by value).

    Parameters
    ----------
    values : Series, shape (n,)
        Non-negative value per customer.
    top_shares : tuple of float
        Fractions of customers (0-1).

    Returns
    -------
    Series
        Index: the fractions; values: share of total value (0-1). The top ``x`` are the
        ``ceil(x * n)`` most valuable customers.
    """
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    total = v.sum()
    cum = np.cumsum(v)
    res = {s: float(cum[max(int(np.ceil(s * v.size)), 1) - 1] / total) if total > 0 else np.nan for s in top_shares}
    return pd.Series(res, name="value_share")


# =========================================================================== 5. recognition and hierarchy

ADVOCACY_WEIGHTS = {"referral": 5.0, "community_post": 3.0, "review": 2.0, "app_session": 0.1}


def advocacy_scores(engagement: pd.DataFrame, customer_ids, weights: dict | None = None) -> pd.DataFrame:
    """Per-customer engagement counts and a weighted advocacy score.

    Score = sum over events of weight × count (default weights: referral 5, community post 3,
    review 2, app session 0.1), so recommending and creating content count most.

    Returns
    -------
    DataFrame indexed by ``customer_id`` (all ``customer_ids``): one count column per event and ``score``.
    """
    weights = dict(ADVOCACY_WEIGHTS if weights is None else weights)
    ids = pd.Index(pd.unique(pd.Series(customer_ids, dtype="string")), name="customer_id")
    row = ids.get_indexer(engagement["customer_id"])
    event = engagement["event"].astype("string").to_numpy(dtype=object, na_value="")
    counts = pd.DataFrame(index=ids)
    for ev in weights:
        hit = (event == ev) & (row >= 0)
        counts[ev] = np.bincount(row[hit], minlength=len(ids))
    counts["score"] = counts[list(weights)].to_numpy(dtype=float) @ np.array(list(weights.values()))
    return counts


#: Recognition tiers from the top down.
TIER_ORDER = ("platinum", "gold", "silver", "member")


def recognition_tiers(value: pd.Series, advocacy: pd.Series | None = None, value_cuts=(0.05, 0.20, 0.50),
                      advocate_share: float = 0.01, contributor_share: float = 0.09) -> pd.DataFrame:
    """Recognition tier and badge per customer, from stated rules.

    Rules: rank customers by ``value`` (ties share the better rank); the top ``value_cuts[0]`` are
    ``platinum``, the next up to ``value_cuts[1]`` ``gold``, up to ``value_cuts[2]`` ``silver``, the
    rest ``member``. Advocacy lifts a customer one tier, independently of value: the top
    ``advocate_share`` by advocacy score (with a positive score) get the ``ambassador`` badge and at
    least ``gold``; the next ``contributor_share`` (9%) with a positive score get the ``contributor``
    badge and at least ``silver``. (The shares mirror the 1% lovers / 9% likers of the advocacy pyramid.)

    Returns
    -------
    DataFrame indexed like ``value``: ``value_rank_share`` (0-1, 0 = most valuable), ``badge`` and
    ``tier`` (ordered categorical of :data:`TIER_ORDER`).
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
    tier = pd.Categorical.from_codes(codes, categories=list(TIER_ORDER), ordered=True)
    return pd.DataFrame({"value_rank_share": pct, "badge": badge, "tier": tier}, index=value.index)


def tier_economics(tiers: pd.DataFrame, values: pd.DataFrame, benefit_cost=None,
                   retention_gain: float = 0.05) -> pd.DataFrame:
    """Tier sizes, cost of the benefits and the value they are expected to keep.

    Expected retained value of a tier = ``retention_gain`` × its total 1-year CLV (the share of next
    year's value the benefits are assumed to save). Net = retained value − benefit cost.

    Parameters
    ----------
    benefit_cost : dict, optional
        Yearly benefit cost per member by tier (currency units); default platinum 40, gold 15, silver 4, member 0.

    Returns
    -------
    DataFrame, one row per tier: ``customers``, ``share`` (0-1), ``mean_clv_1y``, ``benefit_cost``,
    ``retained_value``, ``net_value`` (currency units), ``ambassadors``.
    """
    cost = {"platinum": 40.0, "gold": 15.0, "silver": 4.0, "member": 0.0} if benefit_cost is None else benefit_cost
    frame = tiers.join(values[["clv_1y"]], how="left")
    g = frame.groupby("tier", observed=False)
    out = pd.DataFrame({"customers": g.size(), "mean_clv_1y": g["clv_1y"].mean(),
                        "ambassadors": g["badge"].apply(lambda b: int((b == "ambassador").sum()))})
    out["share"] = out["customers"] / out["customers"].sum()
    out["benefit_cost"] = out["customers"] * pd.Series(cost).reindex(out.index).fillna(0.0)
    out["retained_value"] = retention_gain * g["clv_1y"].sum()
    out["net_value"] = out["retained_value"] - out["benefit_cost"]
    return out.rename_axis("tier").reset_index()[["tier", "customers", "share", "mean_clv_1y", "ambassadors",
                                                   "benefit_cost", "retained_value", "net_value"]]


def _tier_lines(transactions: pd.DataFrame, products: pd.DataFrame):
    """Purchase lines with a known product tier: (lines, tier code per line (0..3 of PRODUCT_TIERS))."""
    from .contract import PRODUCT_TIERS

    buys = purchase_lines(transactions[[c for c in ("customer_id", "date", "amount", "product_id") if c in transactions]])
    tier_of = pd.Index(PRODUCT_TIERS).get_indexer(products["tier"].astype("string").fillna(""))
    per_line = pd.Index(products["product_id"]).get_indexer(buys["product_id"])
    code = np.where(per_line >= 0, tier_of[per_line], -1)
    keep = code >= 0
    return buys[keep], code[keep]


def product_hierarchy(transactions: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """The product line by hierarchy tier (entry, core, premium, special service).

    Returns
    -------
    DataFrame, one row per tier present: ``products``, ``mean_list_price`` (currency units, when known),
    ``buyers``, ``revenue``, ``revenue_share`` (0-1), ``mean_line_value`` (currency units).
    """
    from .contract import PRODUCT_TIERS

    buys, code = _tier_lines(transactions, products)
    k = len(PRODUCT_TIERS)
    revenue = np.bincount(code, weights=buys["amount"].to_numpy(dtype=float), minlength=k)
    lines = np.bincount(code, minlength=k)
    cust = pd.factorize(buys["customer_id"])[0]
    bought = np.bincount(cust * k + code, minlength=(cust.max() + 1 if cust.size else 0) * k).reshape(-1, k) > 0
    out = pd.DataFrame({"buyers": bought.sum(axis=0), "revenue": revenue,
                        "mean_line_value": np.divide(revenue, lines, out=np.full(k, np.nan), where=lines > 0)},
                       index=pd.Index(PRODUCT_TIERS, name="tier"))
    out["revenue_share"] = out["revenue"] / out["revenue"].sum()
    prod = products.groupby(products["tier"].astype("string"))
    out["products"] = prod.size().reindex(out.index).fillna(0).astype(int)
    if "list_price" in products:
        out["mean_list_price"] = prod["list_price"].mean().reindex(out.index)
    return out[out["products"] > 0].reset_index()


def tier_migration(transactions: pd.DataFrame, products: pd.DataFrame, split_date) -> pd.DataFrame:
    """Movement between product tiers: each customer's main tier before vs after ``split_date``.

    A customer's main tier in a period is the tier on which they spent the most (ties go to the
    higher tier). Only customers who bought tiered products in both periods count.

    Returns
    -------
    DataFrame (tier before × tier after), rows sum to 1 (rows with no customer are 0); ``attrs`` hold
    ``customers``, ``up_share``, ``down_share`` (0-1) and ``split_date``.
    """
    from .contract import PRODUCT_TIERS

    buys, code = _tier_lines(transactions, products)
    split = pd.Timestamp(split_date)
    k = len(PRODUCT_TIERS)
    cust = pd.factorize(buys["customer_id"])[0]
    n = cust.max() + 1 if cust.size else 0
    after = (buys["date"] >= split).to_numpy().astype(np.int64)
    # spend per (customer, period, tier) in one bincount: shape (n, 2 periods, k tiers)
    spend = np.bincount((cust * 2 + after) * k + code, weights=buys["amount"].to_numpy(dtype=float),
                        minlength=n * 2 * k).reshape(n, 2, k)
    bought = np.bincount((cust * 2 + after) * k + code, minlength=n * 2 * k).reshape(n, 2, k).sum(axis=2) > 0
    main = k - 1 - np.argmax(spend[:, :, ::-1], axis=2)  # most spend; ties go to the higher tier
    both = bought.all(axis=1)
    top = pd.DataFrame({"before": main[both, 0], "after": main[both, 1]})
    names = list(PRODUCT_TIERS)
    m = pd.crosstab(top["before"].astype(int), top["after"].astype(int), normalize="index") if len(top) else pd.DataFrame()
    m = m.reindex(index=range(len(names)), columns=range(len(names)), fill_value=0.0).fillna(0.0)
    m.index = pd.Index(names, name="main tier before")
    m.columns = pd.Index(names, name="main tier after")
    m.attrs = {"customers": int(len(top)),
               "up_share": float((top["after"] > top["before"]).mean()) if len(top) else float("nan"),
               "down_share": float((top["after"] < top["before"]).mean()) if len(top) else float("nan"),
               "split_date": split}
    return m


# =========================================================================== 6. ownership


def power_users(scores: pd.DataFrame, values: pd.DataFrame, customers: pd.DataFrame | None = None,
                top_share: float = 0.01) -> dict:
    """Who creates content and referrals, and what that is worth where the data shows it.

    Power users are the top ``top_share`` of customers by content created (reviews + community posts +
    referrals, at least one). Influence: when ``customers`` has ``acquisition_channel``, the mean
    1-year CLV of referral-acquired customers against the others shows what a referral brings.

    Returns
    -------
    dict with ``summary`` (DataFrame: power users vs the rest — customers, content per customer,
    referrals per customer, mean CLV, mean P(alive)), ``n_power_users``, ``content_share`` (share of
    all content they create, 0-1), ``value_share`` (their share of 1-year CLV, 0-1),
    ``spearman_value_advocacy`` (rank correlation of CLV with the advocacy score) and, when
    possible, ``referral_clv`` and ``other_clv`` (currency units).
    """
    from scipy.stats import spearmanr

    content_cols = [c for c in ("review", "community_post", "referral") if c in scores]
    content = scores[content_cols].sum(axis=1)
    rank = content.rank(ascending=False, method="first").to_numpy() / len(content)
    power = (rank <= top_share) & (content.to_numpy() > 0)
    frame = scores.join(values[["clv_1y", "p_alive"]], how="left")
    frame["content"] = content
    frame["who"] = np.where(power, "power users", "everyone else")
    g = frame.groupby("who")
    summary = pd.DataFrame({"customers": g.size(), "content_per_customer": g["content"].mean(),
                            "referrals_per_customer": g["referral"].mean() if "referral" in frame else np.nan,
                            "mean_clv_1y": g["clv_1y"].mean(), "mean_p_alive": g["p_alive"].mean()})
    both = frame.dropna(subset=["clv_1y"])
    out = {"summary": summary.rename_axis("group").reset_index(), "n_power_users": int(power.sum()),
           "content_share": float(content[power].sum() / max(content.sum(), 1)),
           "value_share": float(frame.loc[power, "clv_1y"].sum() / frame["clv_1y"].sum()),
           "spearman_value_advocacy": float(spearmanr(both["clv_1y"], both["score"]).statistic),
           "power_user_ids": scores.index[power]}
    if customers is not None and "acquisition_channel" in customers:
        ch = customers.set_index("customer_id")["acquisition_channel"].reindex(values.index)
        ref = (ch.astype("string") == "referral").fillna(False).to_numpy()
        if ref.any() and (~ref).any():
            out["referral_clv"] = float(values["clv_1y"].to_numpy()[ref].mean())
            out["other_clv"] = float(values["clv_1y"].to_numpy()[~ref].mean())
    return out


# =========================================================================== 7. choice vs convenience


def choice_vs_convenience(transactions: pd.DataFrame, first_orders: int = 3, n_bins: int = 5) -> dict:
    """Does more choice go with buying more or less?

    Two views. (1) By sales channel: a wide online catalogue (choice) against grab-and-go store
    visits (convenience) — orders, lines per order, order value, products used and delivery days.
    (2) By customer: the breadth of the assortment each customer explored in their first
    ``first_orders`` orders (distinct products; needs ``product_id``) against how
    often they bought *afterwards* (orders per year after that order, up to the last date). Using a
    fixed number of early orders keeps breadth from rising mechanically with the number of orders.
    Customers are put in ``n_bins`` equal-size bins by breadth (rank-based, so ties never drop a bin).

    Returns
    -------
    dict with ``by_channel`` (DataFrame or None without ``channel``), ``by_breadth`` (DataFrame:
    ``breadth_bin``, ``customers``, ``breadth`` (distinct products), ``later_orders_per_year``,
    ``lines_per_order``, ``order_value``) and ``spearman_breadth_orders`` (rank correlation of breadth
    with later orders per year).
    """
    from scipy.stats import spearmanr

    cols = [c for c in ("customer_id", "date", "amount", "product_id", "channel", "delivery_days") if c in transactions]
    buys = purchase_lines(transactions[cols])
    cust_code, cust_ids = pd.factorize(buys["customer_id"])
    # an order = a distinct (customer, order timestamp), as one integer key (fast to factorize)
    when = buys["date"].to_numpy().astype("datetime64[s]").view("int64")
    order_key = cust_code.astype(np.int64) * (1 << 32) + (when - (when.min() if when.size else 0))
    buys = buys.assign(_order=pd.factorize(order_key)[0], _cust=cust_code)
    orders = buys.groupby("_order").agg(customer_id=("_cust", "first"), date=("date", "min"),
                                        lines=("amount", "size"), value=("amount", "sum"))
    by_channel = None
    if "channel" in buys:
        ch_code, ch_names = pd.factorize(buys["channel"])
        names = np.asarray(ch_names, dtype=object)
        order_ch = pd.Series(ch_code).groupby(buys["_order"].to_numpy()).first()
        g = orders.groupby(order_ch.reindex(orders.index).to_numpy())
        by_channel = pd.DataFrame({"orders": g.size(), "lines_per_order": g["lines"].mean(),
                                   "order_value": g["value"].mean()})
        if "product_id" in buys:
            by_channel["products_used"] = pd.Series(pd.factorize(buys["product_id"])[0]).groupby(ch_code).nunique()
        if "delivery_days" in buys:
            by_channel["delivery_days"] = pd.Series(buys["delivery_days"].to_numpy(dtype=float)).groupby(ch_code).mean()
        by_channel = by_channel[by_channel.index >= 0]
        by_channel.index = names[by_channel.index.to_numpy()]
        by_channel = by_channel.rename_axis("channel").reset_index()
    end = orders["date"].max()
    orders = orders.sort_values(["customer_id", "date"], kind="stable")
    orders["n"] = orders.groupby("customer_id", observed=True).cumcount()
    early = orders[orders["n"] < first_orders]
    counts = orders.groupby("customer_id", observed=True).size()
    eligible = counts.index[counts >= first_orders]
    cutoff = early[early["n"] == first_orders - 1].set_index("customer_id")["date"].reindex(eligible)
    years = ((end - cutoff).dt.days / 365.25).to_numpy()
    keep = years >= 0.25  # at least a quarter of a year left to observe later buying
    eligible, cutoff, years = eligible[keep], cutoff[keep], years[keep]
    key = "product_id" if "product_id" in buys else "amount"
    early_lines = buys[buys["_order"].isin(early.index[early["customer_id"].isin(eligible)]).to_numpy()]
    per = pd.DataFrame(index=eligible)
    per["breadth"] = (pd.Series(pd.factorize(early_lines[key])[0]).groupby(early_lines["_cust"].to_numpy()).nunique()
                      .reindex(eligible).to_numpy())
    per["later_orders_per_year"] = (counts.reindex(eligible) - first_orders).to_numpy() / years
    e = early[early["customer_id"].isin(eligible)].groupby("customer_id", observed=True)
    per["lines_per_order"] = e["lines"].mean().reindex(eligible).to_numpy()
    per["order_value"] = e["value"].mean().reindex(eligible).to_numpy()
    if len(per) < n_bins or "product_id" not in buys:
        return {"by_channel": by_channel, "by_breadth": None, "spearman_breadth_orders": float("nan")}
    b = np.ceil(per["breadth"].rank(method="first") / len(per) * n_bins).astype(int).clip(1, n_bins)
    g = per.groupby(b.to_numpy())
    by_breadth = pd.DataFrame({"customers": g.size(), "breadth": g["breadth"].mean(),
                               "later_orders_per_year": g["later_orders_per_year"].mean(),
                               "lines_per_order": g["lines_per_order"].mean(), "order_value": g["order_value"].mean()})
    by_breadth.index.name = "breadth_bin"
    rho = float(spearmanr(per["breadth"], per["later_orders_per_year"]).statistic)
    return {"by_channel": by_channel, "by_breadth": by_breadth.reset_index(), "spearman_breadth_orders": rho,
            "first_orders": first_orders}


# =========================================================================== 8. non-customers


def classify_prospects(prospects: pd.DataFrame) -> pd.DataFrame:
    """Prospective, rejected and unexplored non-customers, with the trait the rejected fail on.

    Rules: ``prospective`` — has_need and can_pay both true; ``rejected`` — at least one is false (a
    false beats a blank); ``unexplored`` — no false, but at least one blank. ``fails_on`` is
    ``need``, ``ability to pay`` or ``both`` for the rejected.

    Returns
    -------
    DataFrame, a copy of ``prospects`` with ``group`` and ``fails_on`` columns.
    """
    need = prospects["has_need"].astype("boolean")
    pay = prospects["can_pay"].astype("boolean")
    no_need = (need == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712 (nullable boolean)
    no_pay = (pay == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    yes = ((need == True) & (pay == True)).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    group = np.select([no_need | no_pay, yes], ["rejected", "prospective"], "unexplored")
    fails = np.select([no_need & no_pay, no_need, no_pay], ["both", "need", "ability to pay"], "")
    return prospects.assign(group=group, fails_on=fails)


def must_have_needs(classified: pd.DataFrame) -> pd.DataFrame:
    """Ranked must-have needs (``top_need``) per non-customer group.

    The rejected are split by the trait they fail on, because the fix differs (a product for a need
    they lack vs a price they can pay).

    Returns
    -------
    DataFrame: ``segment``, ``prospects``, ``share`` (of all prospects, 0-1), ``top_need``,
    ``top_need_share`` (0-1), ``second_need`` and ``needs`` (all needs by share, as text).
    """
    seg = np.where(classified["group"] == "rejected", "rejected (fails on " + classified["fails_on"] + ")",
                   classified["group"])
    frame = pd.DataFrame({"segment": seg, "need": classified["top_need"].astype("string")})
    rows = []
    for name, g in frame.groupby("segment", sort=True):
        shares = g["need"].value_counts(normalize=True)
        rows.append({"segment": name, "prospects": len(g), "share": len(g) / len(frame),
                     "top_need": shares.index[0] if len(shares) else None,
                     "top_need_share": float(shares.iloc[0]) if len(shares) else np.nan,
                     "second_need": shares.index[1] if len(shares) > 1 else None,
                     "needs": ", ".join(f"{k} {v:.0%}" for k, v in shares.items())})
    return pd.DataFrame(rows)


def customer_card(customer_id: str, parts: dict) -> pd.DataFrame:
    """Everything known about one customer, as a two-column table (``item``, ``value``).

    ``parts`` maps a section name to a DataFrame indexed by ``customer_id`` (profile, value, dormancy,
    tier, uplift ...) or to a ``recommend`` result (columns ``customer_id``, ``product_id``) for offers.
    Sections without the customer are left out.
    """
    rows = []
    for section, frame in parts.items():
        if frame is None:
            continue
        if "product_id" in frame and "rank" in frame:
            got = frame.loc[frame["customer_id"] == customer_id].sort_values("rank")["product_id"]
            if len(got):
                rows.append({"item": section, "value": ", ".join(got.astype(str))})
            continue
        if customer_id not in frame.index:
            continue
        for col, val in frame.loc[customer_id].items():
            if isinstance(val, (float, np.floating)):
                val = f"{val:,.3f}" if abs(val) < 10 else f"{val:,.0f}"
            rows.append({"item": f"{section}: {col}", "value": str(val)})
    return pd.DataFrame(rows, columns=["item", "value"])


# =========================================================================== 9. the plan


def action_plan(results: dict) -> pd.DataFrame:
    """The action table: one row per plan component, built from the analyses' results.

    ``results`` keys used (each optional; a row whose analysis did not run says what it needs):
    ``value`` (from :func:`customer_workbook.clv.score_customers` ``.table``), ``concentration`` (:func:`value_concentration`),
    ``dormancy`` (:func:`winback_economics`), ``recommender`` (:func:`evaluate_recommenders`),
    ``uplift`` (dict: ``targeting`` from :func:`base_targeting`, ``qini``),
    ``tiers`` (:func:`tier_economics`), ``migration`` (:func:`tier_migration`), ``power``
    (:func:`power_users`), ``choice`` (:func:`choice_vs_convenience`), ``prospects``
    (:func:`must_have_needs`).

    Returns
    -------
    DataFrame with ``component``, ``seven_p``, ``audience``, ``action``, ``timing``,
    ``expected_value`` (currency units, NaN when not estimable), ``value_basis`` (``incremental`` for
    a gain the action adds, otherwise what the number is, e.g. value protected) and ``metric``.
    """
    rows = []

    def add(component, p, audience, action, timing, value, metric, basis="incremental"):
        rows.append({"component": component, "seven_p": p, "audience": audience, "action": action,
                     "timing": timing, "expected_value": float(value) if value is not None else np.nan,
                     "value_basis": basis if value is not None else "", "metric": metric})

    v = results.get("value")
    conc = results.get("concentration")
    if v is not None:
        n = len(v)
        top20 = conc.get(0.2, np.nan) if conc is not None else np.nan
        add("long-term customer value", "people",
            f"top 20% by 3-year CLV ({int(np.ceil(0.2 * n)):,} customers, {top20:.0%} of future value)",
            "name an executive accountable for this group; steer budgets by CLV, not last year's revenue",
            "quarterly CLV review", v["clv_3y"].sort_values(ascending=False).head(int(np.ceil(0.2 * n))).sum(),
            "3-year CLV of the top 20%; their P(alive)", basis="value protected (3 years)")
        alive = v["p_alive"] >= 0.5
        add("long-term maintenance", "processes", f"{int(alive.sum()):,} customers with P(alive) ≥ 50%",
            "monthly health monitoring and a satisfaction check after each order (marketing automation)",
            "after every order; monthly refresh", v.loc[alive, "clv_1y"].sum(),
            "share of the base with P(alive) ≥ 50%", basis="value protected (1 year)")
    d = results.get("dormancy")
    if d is not None and len(d):
        for _, r in d.iterrows():
            add("timing (win-back)", "promotion", f"{r['group'].replace('_', '-')} customers ({int(r['customers']):,})",
                r["offer"], "now, then every quarter as customers become overdue",
                r["total_gain"] if r["worth_it"] else 0.0, "wake-up rate vs a random hold-out")
    rec = results.get("recommender")
    if rec is not None:
        k = rec.attrs.get("k", 10)
        add("instant gratification (personal offers)", "promotion",
            "every customer who bought in the last year", f"top-{k} next-best offers from co-purchases, "
            f"shown at checkout and in the next mail", "at the next visit or order",
            None, f"hit rate @ {k} (offline {rec.loc['item_item', 'hit_rate']:.0%} vs "
            f"{rec.loc['popularity', 'hit_rate']:.0%} for best-sellers)")
        add("personalisation", "product", "all online visitors",
            "a personal product selection on the web and app front pages from the same model",
            "continuous", None, "click-through and conversion of personal vs generic selections")
    u = results.get("uplift")
    if u is not None:
        tg = u["targeting"].set_index("segment")
        n = tg["customers"]
        add("closing the back door (defence)", "promotion",
            f"persuadables ({int(n.get('persuadable', 0)):,} current customers)",
            "send retention offers only to them", "before the next campaign",
            tg["profit_if_contacted"].get("persuadable", 0.0),
            f"uplift against a random hold-out (normalised Qini now {u['qini']:.2f})")
        add("closing the back door (defence)", "processes",
            f"sleeping dogs ({int(n.get('sleeping_dog', 0)):,}), sure things ({int(n.get('sure_thing', 0)):,}) "
            f"and lost causes ({int(n.get('lost_cause', 0)):,})",
            "suppress them in campaign tools; sleeping dogs are pushed away by an offer",
            "every campaign", u["targeting"].attrs["value_at_stake"],
            "churn of suppressed customers vs a hold-out", basis="saved vs contacting everyone")
    t = results.get("tiers")
    if t is not None:
        top = t[t["tier"].isin(["platinum", "gold"])]
        add("recognition plan", "price", f"platinum and gold members ({int(top['customers'].sum()):,})",
            "status, badges and rewards for repeat buying: priority service, early access, free delivery",
            "yearly tier review; badges at once", t["net_value"].sum(), "retention of tier members vs before")
    m = results.get("migration")
    if m is not None:
        add("product-line hierarchy", "product", f"customers stuck at entry level ({m.loc['entry', 'entry']:.0%} stay there)",
            "show the next tier up (core → premium → special service) after a good experience",
            "after the 2nd and 3rd order", None, f"share moving up a tier (now {m.attrs['up_share']:.0%})")
    pw = results.get("power")
    if pw is not None:
        extra = (f"; referred customers are worth {pw['referral_clv']:,.0f} vs {pw['other_clv']:,.0f}"
                 if "referral_clv" in pw else "")
        add("ownership", "people", f"{pw['n_power_users']:,} power users (they create {pw['content_share']:.0%} of content)",
            "invite them to a customer panel, feature their reviews and reward referrals" + extra,
            "start now; panel every quarter",
            (pw["referral_clv"] - pw["other_clv"]) * pw["n_power_users"] if "referral_clv" in pw else None,
            "referrals and reviews per power user", basis="if each power user refers one more customer")
    c = results.get("choice")
    if c is not None and c.get("by_breadth") is not None:
        rho = c["spearman_breadth_orders"]
        action = ("keep the wide assortment and curate it per customer (personal selections)" if rho > 0.1 else
                  "offer a short grab-and-go list of favourites: customers who explore more buy less often" if rho < -0.1
                  else "keep the range as it is and invest in convenience (favourites, reordering, fast delivery): "
                  "breadth does not change how often customers buy")
        add("choice vs convenience", "place", "all customers", action, "assortment review each season", None,
            f"later orders per year by early assortment breadth (rank correlation now {rho:+.2f})")
    pr = results.get("prospects")
    if pr is not None and len(pr):
        for _, r in pr.iterrows():
            seg = r["segment"]
            if seg == "prospective":
                p, action, when = "promotion", f"acquire them with a message that leads with {r['top_need']}", "next acquisition wave"
            elif seg == "unexplored":
                p, action, when = ("place", "reach them where they are and ask whether they need us and can pay; "
                                   f"their first must-have is {r['top_need']}", "next acquisition wave")
            elif "ability to pay" in seg:
                p, action, when = "price", f"a simpler, cheaper version of a proven product ({r['top_need']} first)", \
                    "next product/service cycle"
            else:
                p, action, when = "product", f"adapt a proven product to the need they lack ({r['top_need']} first)", \
                    "next product/service cycle"
            add("innovate, don't invent (non-customers)", p, f"{seg} non-customers ({int(r['prospects']):,})",
                f"{action}; then {r['second_need']}", when, None, f"conversion of {seg} non-customers")
    add("positioning", "positioning", "the whole base", "say who we are in every message and let each action above prove it",
        "ongoing", None, "NPS and share of promoters")
    return pd.DataFrame(rows, columns=["component", "seven_p", "audience", "action", "timing", "expected_value",
                                       "value_basis", "metric"])
