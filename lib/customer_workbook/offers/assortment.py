"""Choice or convenience: does a wide assortment go with buying more, or do customers prefer a short list?

Two views of the same question. **By sales channel**: a wide online catalogue (choice) against
grab-and-go store visits (convenience). **By customer**: the breadth of the assortment each customer
explored in their first orders against how often they bought afterwards. Breadth is measured on a fixed
number of early orders so that it does not rise mechanically with the number of orders.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..base import order_table
from ..base.lines import purchase_lines

__all__ = ["ChoiceVsConvenience", "choice_vs_convenience"]


@dataclass(frozen=True)
class ChoiceVsConvenience:
    """The two views of :func:`choice_vs_convenience`.

    Attributes
    ----------
    by_channel : DataFrame or None
        One row per sales channel: ``channel``, ``orders``, ``lines_per_order``, ``order_value`` (currency
        units) and, when known, ``products_used`` and ``delivery_days`` (days). None without ``channel``.
    by_breadth : DataFrame or None
        One row per breadth bin (1 = narrowest): ``breadth_bin``, ``customers``, ``breadth`` (distinct
        products in the early orders), ``later_orders_per_year``, ``lines_per_order``, ``order_value``
        (early orders, currency units). None without ``product_id`` or with fewer customers than bins.
    spearman_breadth_orders : float
        Rank correlation of breadth with later orders per year (NaN when ``by_breadth`` is None).
    first_orders : int
        Early orders each customer's breadth is measured on.
    """

    by_channel: pd.DataFrame | None
    by_breadth: pd.DataFrame | None
    spearman_breadth_orders: float
    first_orders: int


def _by_channel(buys: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame | None:
    """Orders, lines per order and order value per channel (an order's channel: its first line's);
    products used and mean delivery days per channel from the purchase lines."""
    if "channel" not in buys or "channel" not in orders:
        return None
    ch_code, ch_names = pd.factorize(buys["channel"])   # channels in order of appearance
    names = pd.Index(np.asarray(ch_names, dtype=object))
    order_ch = names.get_indexer(np.asarray(orders["channel"], dtype=object))
    g = orders.groupby(order_ch)
    out = pd.DataFrame({"orders": g.size(), "lines_per_order": g["lines"].mean(), "order_value": g["amount"].mean()})
    if "product_id" in buys:
        out["products_used"] = pd.Series(pd.factorize(buys["product_id"])[0]).groupby(ch_code).nunique()
    if "delivery_days" in buys:
        out["delivery_days"] = pd.Series(buys["delivery_days"].to_numpy(dtype=float)).groupby(ch_code).mean()
    out = out[out.index >= 0]
    out.index = names[out.index.to_numpy()]
    return out.rename_axis("channel").reset_index()


def choice_vs_convenience(transactions: pd.DataFrame, orders: pd.DataFrame | None = None, first_orders: int = 3,
                          n_bins: int = 5) -> ChoiceVsConvenience:
    """Does more choice go with buying more or less?

    (1) By channel: orders, lines per order, order value, products used and delivery days. (2) By
    customer: distinct products in the first ``first_orders`` orders (needs ``product_id``) against
    orders per year *after* that order, up to the last order date; customers need at least
    ``first_orders`` orders and a quarter of a year left to observe. Customers are put in ``n_bins``
    equal-size bins by breadth (rank-based, ties broken by first appearance, so no bin is dropped).

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions (``product_id``, ``channel``, ``delivery_days`` used when present).
    orders : DataFrame, optional
        The order table of sale lines (:attr:`customer_workbook.base.DerivedTables.sale_orders`); built
        from ``transactions`` when not given.
    first_orders, n_bins : int

    Returns
    -------
    ChoiceVsConvenience
    """
    from scipy.stats import spearmanr

    cols = [c for c in ("customer_id", "date", "amount", "order_id", "product_id", "channel", "delivery_days")
            if c in transactions]
    buys = purchase_lines(transactions[cols])
    orders = order_table(transactions, sales_only=True) if orders is None else orders
    orders = orders[orders["amount"] > 0]  # orders with something bought (not only free lines)
    by_channel = _by_channel(buys, orders)
    if "product_id" not in buys:
        return ChoiceVsConvenience(by_channel, None, float("nan"), first_orders)
    cust_code, customers = pd.factorize(buys["customer_id"])  # integer codes, customers by first line
    order_cust = pd.Index(customers).get_indexer(orders["customer_id"])
    per, early = _early_orders(orders.assign(customer=order_cust), first_orders)
    if len(per) < n_bins:
        return ChoiceVsConvenience(by_channel, None, float("nan"), first_orders)
    in_early = buys["order_id"].isin(early["order_id"]).to_numpy()
    breadth = pd.Series(pd.factorize(buys["product_id"][in_early])[0]).groupby(cust_code[in_early]).nunique()
    per["breadth"] = breadth.reindex(per.index).to_numpy()
    b = np.ceil(per["breadth"].rank(method="first") / len(per) * n_bins).astype(int).clip(1, n_bins)
    g = per.groupby(b.to_numpy())
    by_breadth = pd.DataFrame({"customers": g.size(), "breadth": g["breadth"].mean(),
                               "later_orders_per_year": g["later_orders_per_year"].mean(),
                               "lines_per_order": g["lines_per_order"].mean(), "order_value": g["order_value"].mean()})
    by_breadth.index.name = "breadth_bin"
    rho = float(spearmanr(per["breadth"], per["later_orders_per_year"]).statistic)
    return ChoiceVsConvenience(by_channel, by_breadth.reset_index(), rho, first_orders)


def _early_orders(orders: pd.DataFrame, first_orders: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per eligible customer (``orders["customer"]``, an integer code; rows by code): ``later_orders_per_year``
    and the mean ``lines_per_order`` and ``order_value`` of their first ``first_orders`` orders; and those
    early orders."""
    end = orders["date"].max()
    orders = orders.sort_values(["customer", "date"], kind="stable")
    orders["n"] = orders.groupby("customer").cumcount().to_numpy()
    counts = orders.groupby("customer").size()
    eligible = counts.index[counts >= first_orders]
    cutoff = orders[orders["n"] == first_orders - 1].set_index("customer")["date"].reindex(eligible)
    years = ((end - cutoff).dt.days / 365.25).to_numpy()
    eligible, years = eligible[years >= 0.25], years[years >= 0.25]  # a quarter of a year left to observe
    early = orders[(orders["n"] < first_orders).to_numpy() & orders["customer"].isin(eligible).to_numpy()]
    per = pd.DataFrame(index=eligible)
    per["later_orders_per_year"] = (counts.reindex(eligible) - first_orders).to_numpy() / years
    e = early.groupby("customer")
    per["lines_per_order"] = e["lines"].mean().reindex(eligible).to_numpy()
    per["order_value"] = e["amount"].mean().reindex(eligible).to_numpy()
    return per, early
