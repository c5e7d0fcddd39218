"""customer_workbook.offers.assortment: choice or convenience, on the run's order table."""
from __future__ import annotations

import pandas as pd
from builders import lines, pair_world

from customer_workbook.base import order_table
from customer_workbook.offers import ChoiceVsConvenience, choice_vs_convenience


def _wide_and_narrow():
    """60 customers: the even ones explore 9 products in their first three orders and then order 10 times,
    the odd ones keep to one product and order twice more."""
    rows = []
    for i in range(60):
        wide = i % 2 == 0
        cid = f"c{i:02d}"
        for k in range(3):  # first three orders: 3 products each (wide) or the same product (narrow)
            for j in range(3 if wide else 1):
                rows.append((cid, pd.Timestamp("2024-01-01") + pd.Timedelta(days=k), 10.0, f"P{k}{j}" if wide else "P00"))
        for k in range(10 if wide else 2):  # later orders
            rows.append((cid, pd.Timestamp("2024-03-01") + pd.Timedelta(days=7 * k), 10.0, "P00"))
    tx = lines(rows)
    tx["channel"] = "web"
    return tx


def test_choice_vs_convenience_breadth_predicts_later_buying():
    out = choice_vs_convenience(_wide_and_narrow(), first_orders=3, n_bins=2)
    assert isinstance(out, ChoiceVsConvenience) and out.first_orders == 3
    bb = out.by_breadth.set_index("breadth_bin")
    assert bb.loc[1, "breadth"] == 1 and bb.loc[2, "breadth"] == 9
    assert bb.loc[2, "later_orders_per_year"] > 4 * bb.loc[1, "later_orders_per_year"]
    assert out.spearman_breadth_orders > 0.8
    assert out.by_channel["orders"].sum() == 60 * 3 + 30 * 10 + 30 * 2


def test_orders_are_the_order_tables():
    """An order is an order of the run's order table (sale lines): a free line (amount 0) is part of its
    order, and an order of free lines only is no purchase."""
    tx = _wide_and_narrow()
    gift = tx.iloc[[0]].assign(amount=0.0, product_id="GIFT")                  # a gift in c00's first order
    alone = tx.iloc[[0]].assign(amount=0.0, product_id="GIFT", order_id="free-only",
                                date=pd.Timestamp("2024-02-01"))               # a free order of its own
    with_gifts = pd.concat([tx, gift, alone], ignore_index=True)
    plain, gifted = choice_vs_convenience(tx, n_bins=2), choice_vs_convenience(with_gifts, n_bins=2)
    assert gifted.by_channel["orders"].sum() == plain.by_channel["orders"].sum()
    assert gifted.by_channel["lines_per_order"].iloc[0] > plain.by_channel["lines_per_order"].iloc[0]
    assert gifted.by_breadth["breadth"].tolist() == plain.by_breadth["breadth"].tolist()  # a gift is not chosen
    given = choice_vs_convenience(with_gifts, order_table(with_gifts, sales_only=True), n_bins=2)
    pd.testing.assert_frame_equal(given.by_breadth, gifted.by_breadth)


def test_without_products_or_channels():
    tx = pair_world()
    out = choice_vs_convenience(tx)
    assert out.by_channel is None and out.by_breadth is not None
    out = choice_vs_convenience(tx.drop(columns="product_id"))
    assert out.by_breadth is None and out.spearman_breadth_orders != out.spearman_breadth_orders  # NaN
    assert choice_vs_convenience(tx.iloc[:8], n_bins=5).by_breadth is None  # fewer eligible customers than bins
