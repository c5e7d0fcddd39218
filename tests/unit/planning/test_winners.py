"""Is the first product line, sales channel or audience clearly the best (planning/winners.py)? Small synthetic
companies with and without an effect."""
from __future__ import annotations

import numpy as np
import pandas as pd

from customer_workbook.base import order_table
from customer_workbook.planning import (audience_ties, product_separation, product_value_table, service_separation,
                                        service_value_table)

PRODUCTS = pd.DataFrame({"product_id": ["p1", "p2", "p3"], "category": ["x", "y", "z"]})


def _company(seed: int, favoured: float) -> pd.DataFrame:
    """3,000 customers with one to four orders in 2023-2024 (one line each); a line of product ``p1`` through
    the web is worth ``favoured`` times the others (1: every line and channel alike)."""
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 5, size=3000)
    cust = np.repeat(np.arange(3000), n)
    product = rng.choice(["p1", "p2", "p3"], size=len(cust))
    channel = rng.choice(["web", "store"], size=len(cust))
    amount = rng.gamma(2.0, 20.0, size=len(cust)) * np.where((product == "p1") & (channel == "web"), favoured, 1.0)
    tx = pd.DataFrame({"customer_id": [f"c{c}" for c in cust],
                       "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, len(cust)), "D"),
                       "amount": amount, "order_id": [f"o{i}" for i in range(len(cust))], "product_id": product,
                       "channel": channel})
    return tx


def _product(tx):
    table = product_value_table(tx, order_table(tx, sales_only=True), PRODUCTS, by="category", follow_days=180)
    return table, product_separation(tx, table, PRODUCTS, "category")


def _service(tx):
    orders = order_table(tx, sales_only=True)
    table = service_value_table(orders, tx["date"].max(), follow_days=90)
    return table, service_separation(orders, tx["date"].max(), table, follow_days=90)


def test_no_product_line_or_channel_is_claimed_when_all_are_alike():
    for seed in (1, 2, 3):
        tx = _company(seed, favoured=1.0)
        assert not _product(tx)[1].clear
        assert not _service(tx)[1].clear


def test_a_line_and_a_channel_that_bring_far_more_revenue_are_claimed():
    tx = _company(1, favoured=3.0)
    table, sep = _product(tx)
    assert table.iloc[0]["product"] == "x" and sep.clear and sep.favouring(1) == ["revenue"]
    table, sep = _service(tx)
    assert table.iloc[0]["service"] == "web" and sep.clear and "revenue" in sep.favouring(1)


def test_a_single_option_cannot_be_separated():
    tx = _company(1, favoured=1.0).assign(product_id="p1", channel="web")
    assert _product(tx)[1] is None and _service(tx)[1] is None


def _cells(values, sd=100.0, n=400):
    return pd.DataFrame({"segment": [f"s{i}" for i in range(len(values))], "persona": "p", "customers": n,
                         "value_per_customer": values, "value_sd": sd, "ranked": True})


def test_audience_ties_with_and_without_an_effect():
    even = audience_ties(_cells([105.0, 100.0, 98.0]))  # error of each mean 5: nothing separated
    assert even["tied"].all() and np.isnan(even["p_vs_top"].iloc[0])
    clear = audience_ties(_cells([160.0, 100.0, 98.0]))
    assert clear["tied"].tolist() == [True, False, False]
    unranked = audience_ties(_cells([105.0, 100.0]).assign(ranked=[False, True]))
    assert len(unranked) == 1 and unranked["tied"].all()


def test_ranked_tables_carry_intervals_that_cover_their_rates():
    from customer_workbook.planning.winners import product_intervals, service_intervals
    from customer_workbook.stats import wilson_interval

    tx = _company(1, favoured=1.0)
    table, _ = _product(tx)
    shown = product_intervals(table)
    assert (shown["repeat_low"] < shown["repeat_rate"]).all() and (shown["repeat_rate"] < shown["repeat_high"]).all()
    assert (shown["cross_sell_low"] < shown["cross_sell_rate"]).all() and (shown["cross_sell_high"] <= 1).all()
    first = shown.iloc[0]
    low, high = wilson_interval(round(first["repeat_rate"] * first["followed"]), first["followed"])
    assert (first["repeat_low"], first["repeat_high"]) == (low, high)
    orders = order_table(tx, sales_only=True)
    services = _service(tx)[0]
    with_ci = service_intervals(orders, tx["date"].max(), services, follow_days=90)
    assert with_ci[["repeat_low", "repeat_high"]].notna().all().all()
    assert ((with_ci["repeat_low"] < with_ci["repeat_rate"]) & (with_ci["repeat_rate"] < with_ci["repeat_high"])).all()
    # customers as clusters: the interval is at least as wide as if every order were independent
    web = with_ci[with_ci["service"] == "web"].iloc[0]
    naive = 1.96 * np.sqrt(web["repeat_rate"] * (1 - web["repeat_rate"]) / web["followed"])
    assert web["repeat_high"] - web["repeat_low"] >= 0.9 * 2 * naive


def test_audience_ties_carry_the_interval_of_each_mean():
    ties = audience_ties(_cells([105.0, 100.0, 98.0]))  # error of each mean 100 / sqrt(400) = 5
    assert np.allclose(ties["value_high"] - ties["value_per_customer"], 1.959964 * 5)
    assert np.allclose(ties["value_per_customer"] - ties["value_low"], 1.959964 * 5)
