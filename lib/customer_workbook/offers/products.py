"""The product-line hierarchy: what each tier of the line (entry, core, premium, special service) sells, and
whether customers climb it over time.

A product's ``tier`` is a contract column (:data:`customer_workbook.contract.PRODUCT_TIERS`, from the entry
level up). Only purchase lines (positive ``amount``) of products with a known tier count; returns are left
out because the question is what customers chose to buy.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..base.lines import purchase_lines
from ..contract import PRODUCT_TIERS

__all__ = ["TierMigration", "product_hierarchy", "tier_migration"]


@dataclass(frozen=True)
class TierMigration:
    """Movement between product tiers across ``split_date`` (:func:`tier_migration`).

    Attributes
    ----------
    matrix : DataFrame, shape (4, 4)
        Main tier before (rows) by main tier after (columns), in :data:`PRODUCT_TIERS` order; each row is
        the share of that row's customers (sums to 1; a row without customers is 0).
    customers : int
        Customers who bought tiered products on both sides of the split.
    up_share, down_share : float
        Share of them whose main tier rose, fell (0-1; NaN without customers).
    split_date : Timestamp
    """

    matrix: pd.DataFrame
    customers: int
    up_share: float
    down_share: float
    split_date: pd.Timestamp


def _tier_lines(transactions: pd.DataFrame, products: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Purchase lines with a known product tier: (lines, tier code per line, 0..3 of :data:`PRODUCT_TIERS`)."""
    buys = purchase_lines(transactions[[c for c in ("customer_id", "date", "amount", "product_id") if c in transactions]])
    tier_of = pd.Index(PRODUCT_TIERS).get_indexer(products["tier"].astype("string").fillna(""))
    per_line = pd.Index(products["product_id"]).get_indexer(buys["product_id"])
    code = np.where(per_line >= 0, tier_of[per_line], -1)
    keep = code >= 0
    return buys[keep], code[keep]


def product_hierarchy(transactions: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """The product line by hierarchy tier: how many products, buyers and how much revenue each tier has.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions with ``product_id``.
    products : DataFrame
        Contract products with ``tier`` (``list_price`` used when present).

    Returns
    -------
    DataFrame, one row per tier with at least one product, in :data:`PRODUCT_TIERS` order: ``tier``,
    ``buyers`` (customers), ``revenue`` (currency units), ``mean_line_value`` (currency units per line),
    ``revenue_share`` (0-1), ``products`` and, when known, ``mean_list_price`` (currency units).
    """
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


def tier_migration(transactions: pd.DataFrame, products: pd.DataFrame, split_date) -> TierMigration:
    """Movement between product tiers: each customer's main tier before vs after ``split_date``.

    A customer's main tier in a period is the tier on which they spent the most (ties go to the higher
    tier). Only customers who bought tiered products in both periods count. Spend per (customer,
    period, tier) is one ``bincount`` over the lines (no loop over customers).

    Returns
    -------
    TierMigration
    """
    buys, code = _tier_lines(transactions, products)
    split = pd.Timestamp(split_date)
    k = len(PRODUCT_TIERS)
    cust = pd.factorize(buys["customer_id"])[0]
    n = cust.max() + 1 if cust.size else 0
    after = (buys["date"] >= split).to_numpy().astype(np.int64)
    key = (cust * 2 + after) * k + code  # shape (n customers, 2 periods, k tiers) once reshaped
    spend = np.bincount(key, weights=buys["amount"].to_numpy(dtype=float), minlength=n * 2 * k).reshape(n, 2, k)
    bought = np.bincount(key, minlength=n * 2 * k).reshape(n, 2, k).sum(axis=2) > 0
    main = k - 1 - np.argmax(spend[:, :, ::-1], axis=2)  # most spend; ties go to the higher tier
    both = bought.all(axis=1)
    top = pd.DataFrame({"before": main[both, 0], "after": main[both, 1]})
    names = list(PRODUCT_TIERS)
    m = pd.crosstab(top["before"].astype(int), top["after"].astype(int), normalize="index") if len(top) else pd.DataFrame()
    m = m.reindex(index=range(len(names)), columns=range(len(names)), fill_value=0.0).fillna(0.0)
    m.index = pd.Index(names, name="main tier before")
    m.columns = pd.Index(names, name="main tier after")
    nan = float("nan")
    return TierMigration(matrix=m, customers=int(len(top)),
                         up_share=float((top["after"] > top["before"]).mean()) if len(top) else nan,
                         down_share=float((top["after"] < top["before"]).mean()) if len(top) else nan,
                         split_date=split)
