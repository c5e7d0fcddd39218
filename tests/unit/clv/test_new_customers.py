"""Unit tests of the value of a newly acquired customer (customer_workbook.clv.new_customers): hand-computed cases."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.clv import NewCustomerValue, first_purchase_value


def test_first_purchase_value_sums_the_first_day_only():
    tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b"],
                       "date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 17:00", "2024-01-05 00:00", "2024-02-01 00:00",
                                               "2024-02-03 00:00"]),
                       "amount": [10.0, 5.0, 99.0, 20.0, -20.0]})
    fv = first_purchase_value(tx, ["a", "b"])
    assert fv.to_dict() == {"a": 15.0, "b": 20.0}  # a's two same-day lines; b's later return does not count


def test_new_customer_value_clv_by_hand():
    v = NewCustomerValue(n_acquired=100, buyer_share=0.5, first_value=100.0, repeat_spend=50.0,
                         repeat_by_month=np.arange(1, 121, dtype=float))  # one repeat purchase a month
    # no discounting: 0.4 * 0.5 * (100 + 50 * 12 purchases in a year)
    assert v.clv(margin=0.4, annual_discount_rate=0.0, horizon_years=1) == pytest.approx(140.0)
    # 12% a year: monthly rate (1.12)^(1/12) - 1, cash flows at month ends
    d = 1.12 ** (1 / 12) - 1
    disc = sum((1 + d) ** -k for k in range(1, 13))
    assert v.clv(0.4, 0.12, 1) == pytest.approx(0.4 * 0.5 * (100 + 50 * disc))
    assert v.cumulative_margin(0.4, 3).tolist() == pytest.approx([20.0, 30.0, 40.0, 50.0])
    assert v.revenue(12) == pytest.approx(0.5 * (100 + 600))


def test_group_clv_returns_one_value_and_its_draws_per_group(small_sample):
    from customer_workbook import acquisition, clv
    from customer_workbook.data import load_dataset

    ds = load_dataset(small_sample)
    acquired = acquisition.acquired_customers(ds)
    result = clv.group_clv(ds.transactions, acquired, n_boot=5, min_customers=10, seed=1)
    assert isinstance(result, clv.GroupValues)
    assert set(result.table["group"]) == set(result.values) == set(result.draws)
    assert result.table["clv"].is_monotonic_decreasing
    for group, value in result.values.items():
        row = result.table.set_index("group").loc[group]
        assert row["clv"] == pytest.approx(value.clv(0.35, 0.10, 5))
        draws = result.draws[group]  # pooled groups have none; refits that fail are left out
        assert len(draws) <= 5 and np.isfinite(draws).all()


def _fit(model: str, converged: bool = True, at_bound: tuple = (), error: str | None = None):
    from customer_workbook.clv import ModelFit

    return ModelFit(model, converged, at_bound=at_bound, error=error)


def test_new_customer_value_gate_names_what_is_wrong():
    curve = np.arange(1, 121, dtype=float)
    good = (_fit("BG/NBD"), _fit("Gamma-Gamma"))
    assert NewCustomerValue(10, 1.0, 50.0, 40.0, curve, fits=good).ok
    not_converged = NewCustomerValue(10, 1.0, 50.0, 40.0, curve, fits=(_fit("BG/NBD", False), _fit("Gamma-Gamma")))
    assert not not_converged.ok and not_converged.problem == "BG/NBD did not converge"
    bound = NewCustomerValue(10, 1.0, 50.0, 40.0, curve, fits=(_fit("BG/NBD", False, ("a", "b")), _fit("Gamma-Gamma")))
    assert "a, b at a bound" in bound.problem
    spend = NewCustomerValue(10, 1.0, 50.0, float("inf"), curve, fits=good)  # Gamma-Gamma q <= 1
    assert "repeat spend" in spend.problem
    broken = NewCustomerValue(10, 1.0, 50.0, 40.0, np.full(120, -np.inf), fits=good)  # hyp2f1 at huge a, b
    assert "repeat purchases" in broken.problem


def test_group_clv_leaves_out_groups_whose_model_does_not_fit():
    """Customers who buy on a strict weekly rhythm and never drop out: BG/NBD's dropout parameters run off to
    infinity, so the group (and the pooled model, the same customers) is left out with the reason, never
    valued with NaN."""
    from customer_workbook import clv

    rng = np.random.default_rng(3)
    rows = []
    for i in range(60):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 30)))
        rows += [(f"c{i}", start + pd.Timedelta(weeks=w), 20.0 + rng.normal(0, 2)) for w in range(40)]
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    acquired = pd.DataFrame({"customer_id": [f"c{i}" for i in range(60)], "channel": "web"})
    result = clv.group_clv(tx, acquired, n_boot=2, seed=0)
    assert result.table.empty and set(result.left_out) == {"web"}
    assert all(np.isfinite(v) for v in result.table["clv"])


def test_group_clv_without_acquired_customers_is_empty_and_small_groups_say_why(small_sample):
    from customer_workbook import acquisition, clv
    from customer_workbook.data import load_dataset

    ds = load_dataset(small_sample)
    none = clv.group_clv(ds.transactions, acquisition.acquired_customers(ds).head(0))
    assert none.table.empty and none.values == {} and none.left_out == {}
    acquired = acquisition.acquired_customers(ds)
    few = clv.group_clv(ds.transactions, acquired, n_boot=0, min_customers=10_000)
    assert few.table.empty and all("fewer than the 10000" in why for why in few.left_out.values())
