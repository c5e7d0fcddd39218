"""Lifecycle, health and cross-sell (customer_workbook.segments.lifecycle): hand cases and a planted effect."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.data import load_dataset
from customer_workbook.segments import (MIN_HOLDOUT_DAYS, CategoryRetention, HealthBacktest, backtest_holdout,
                                        health_backtest, health_score, lifecycle_stages, multi_category_retention)
from customer_workbook.stats import MIN_CLASS

PRODUCTS = pd.DataFrame({"product_id": ["A", "B", "C"], "category": ["garden", "kitchen", "garden"]})


def _tx(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "product_id", "channel"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_lifecycle_stages_take_the_furthest_stage():
    f = pd.DataFrame({"purchase_days": [1, 3, 3, 5], "n_categories": [1, 1, 2, 2]}, index=list("abcd"))
    levels = pd.Series(["lurker", "liker", "lurker", "lover"], index=list("abcd"))
    assert lifecycle_stages(f, levels).astype(str).tolist() == ["acquisition", "adoption", "cross-sell", "advocacy"]
    assert lifecycle_stages(f.drop(columns="n_categories")).astype(str).tolist() == ["acquisition", "adoption", "adoption", "adoption"]


def test_health_score_is_bounded_and_rises_with_p_alive():
    f = pd.DataFrame({"orders": [5.0] * 4, "tenure_days": [100.0] * 4, "n_categories": [2.0] * 4}, index=list("abcd"))
    h = health_score(f, pd.Series([0.0, 0.3, 0.6, 1.0], index=list("abcd")))["health"]
    assert h.is_monotonic_increasing and h.between(0, 100).all()
    assert h["d"] - h["a"] == pytest.approx(100 * 0.4 / 0.8)            # p_alive weight 0.4 of 0.8 used


def _planted_rows():
    rows, k = [], 0
    for i in range(60):
        multi, retained = i % 2 == 0, (i % 2 == 0) or (i % 6 == 1)       # multi always stay, a third of single stay
        prods = ["A", "B"] if multi else ["A", "C"]                       # A and C are both garden
        for j, p in enumerate(prods):
            rows.append((f"c{i}", f"2024-0{j + 1}-10", 10, f"o{k}", p, "web"))
            k += 1
        if retained:
            rows.append((f"c{i}", "2024-09-01", 10, f"o{k}", "A", "web"))
            k += 1
    return rows


def test_multi_category_retention_on_a_planted_effect():
    rows = _planted_rows()
    res = multi_category_retention(_tx(rows), PRODUCTS, "2024-07-01")
    assert isinstance(res, CategoryRetention) and res.n == 60 and res.cutoff == pd.Timestamp("2024-07-01")
    assert res.multi_rate == 1.0 and res.single_rate == pytest.approx(1 / 3) and res.risk_ratio == pytest.approx(3.0)
    assert res.difference == pytest.approx(2 / 3) and res.p_value < 1e-4 and res.low > 0
    assert res.table["orders_before_cutoff"].tolist() == [2] and res.table.loc[0, "multi_customers"] == 30
    with pytest.raises(ValueError):
        multi_category_retention(_tx(rows[:2]), PRODUCTS, "2024-07-01")


def test_multi_category_retention_leaves_out_customers_who_bought_before_the_data():
    """Earlier customers (signed up before the data begin) whose in-data purchases are single-category all
    stay, as survivors of a base would: with sign-up dates they are left out and the planted gain returns."""
    rows = _planted_rows()
    k = len(rows)
    for i in range(30):                                                     # single-category in the data, all stay
        rows += [(f"e{i}", "2024-01-10", 10, f"o{k}", "A", "web"), (f"e{i}", "2024-02-10", 10, f"o{k + 1}", "C", "web"),
                 (f"e{i}", "2024-09-01", 10, f"o{k + 2}", "A", "web")]
        k += 3
    customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(60)] + [f"e{i}" for i in range(30)],
                              "signup_date": pd.to_datetime(["2024-01-10"] * 60 + ["2020-05-01"] * 30)})
    mixed = multi_category_retention(_tx(rows), PRODUCTS, "2024-07-01")
    assert mixed.n == 90 and mixed.difference < 0.5 and mixed.earlier_customers == 0
    res = multi_category_retention(_tx(rows), PRODUCTS, "2024-07-01", customers=customers)
    assert res.n == 60 and res.earlier_customers == 30 and res.difference == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="before the data begin"):
        multi_category_retention(_tx(rows), PRODUCTS, "2024-07-01", customers=customers.assign(signup_date=pd.Timestamp("2020-01-01")))


def test_health_backtest_spots_who_buys_on_the_small_sample(small_sample):
    ds = load_dataset(small_sample)
    res = health_backtest(ds.transactions, ds.products, ds.engagement, holdout_days=180)
    assert isinstance(res, HealthBacktest)
    assert res.cutoff == (ds.transactions["date"].max() - pd.Timedelta(days=180)).normalize()
    assert res.auc > 0.6 and res.active_share_top > res.active_share_bottom and res.n > 500


def test_health_score_without_p_alive_rests_on_the_other_components():
    f = pd.DataFrame({"orders": [1.0, 2, 3, 4], "tenure_days": [100.0] * 4, "n_categories": [1.0, 2, 3, 4]}, index=list("abcd"))
    h = health_score(f, None)
    assert "p_alive" not in h and h["health"].is_monotonic_increasing
    assert h["health"]["d"] == pytest.approx(100.0)                     # top rank on both remaining components


def test_backtest_holdout_is_at_most_half_the_span_with_a_minimum():
    assert backtest_holdout("2020-01-01", "2025-12-31", 180) == 180          # long history: the parameter
    assert backtest_holdout("2025-07-01", "2025-12-31", 180) == 91           # six months: half the span
    assert backtest_holdout("2025-12-01", "2025-12-31", 180) is None         # 30 days < 2 x MIN_HOLDOUT_DAYS
    assert backtest_holdout("2025-01-01", "2025-03-02", 180) == MIN_HOLDOUT_DAYS


def test_health_backtest_on_six_months_with_engagement(small_sample):
    ds = load_dataset(small_sample, window=("2025-07-01", "2025-12-31"), outside_window="drop")
    days = backtest_holdout(ds.transactions["date"].min(), ds.transactions["date"].max())
    res = health_backtest(ds.transactions, ds.products, ds.engagement, holdout_days=days)
    assert res.holdout_days == days < 180 and 0.5 < res.auc <= 1 and 0 < res.bought_share < 1
    assert res.cutoff >= ds.transactions["date"].min() + pd.Timedelta(days=days)


def test_health_backtest_has_no_auc_when_everyone_bought_again():
    rows = [(f"c{i}", d, 10, f"o{i}{d}", "A", "web") for i in range(30) for d in ("2024-01-05", "2024-03-01", "2024-06-20")]
    res = health_backtest(_tx(rows), holdout_days=60)
    assert np.isnan(res.auc) and not res.useful and res.bought_share == 1.0


def test_a_backtest_with_too_few_buyers_or_non_buyers_is_not_read():
    def backtest(n, bought_share):
        return HealthBacktest(pd.Timestamp("2025-06-27"), 0.8, n, 0.7, 0.1, holdout_days=180, bought_share=bought_share)
    few = backtest(50, 0.3).too_few                                       # 15 bought, 35 did not
    assert few.have == 15 and few.need == MIN_CLASS
    assert "scored on 27 Jun 2025, bought in the next 180 days or not (15; at least 20 needed)" in few.note("x")
    assert backtest(100, 0.3).too_few is None                             # 30 and 70
    assert backtest(100, 0.85).too_few.have == 15                         # the rarer side: who did not buy
    assert backtest(0, float("nan")).too_few.have == 0


def test_the_everyone_bought_backtest_has_too_few_non_buyers():
    rows = [(f"c{i}", d, 10, f"o{i}{d}", "A", "web") for i in range(30) for d in ("2024-01-05", "2024-03-01", "2024-06-20")]
    res = health_backtest(_tx(rows), holdout_days=60)
    assert res.too_few.have == 0 and res.n == 30
