"""Reasons shown by behaviour (customer_workbook.reasons.evidence): the repeat curve and the ten reasons."""
from __future__ import annotations

import pandas as pd
import pytest

from customer_workbook.base import derived
from customer_workbook.data import load_dataset
from customer_workbook.reasons import RepeatCurve, delivery_repeat_curve, latest_answers, reason_evidence


def test_delivery_repeat_curve_uses_deliveries_and_horizon():
    rows, k = [], 0
    for i in range(40):                      # fast deliveries: always a repeat 30 days later
        rows += [(f"f{i}", "2024-01-01", 10, f"o{k}", "A", "web", 1.0), (f"f{i}", "2024-01-31", 10, f"o{k + 1}", "A", "web", 1.0)]
        k += 2
    for i in range(40):                      # slow deliveries: never again
        rows.append((f"s{i}", "2024-01-01", 10, f"o{k}", "A", "web", 9.0))
        k += 1
    rows.append(("x", "2024-12-31", 10, "last", "A", "store", 0.0))
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "product_id", "channel", "delivery_days"])
    tx["date"] = pd.to_datetime(tx["date"])
    curve = delivery_repeat_curve(tx, horizon_days=90, max_days=8)
    assert isinstance(curve, RepeatCurve) and curve.horizon_days == 90
    out = curve.table.set_index("delivery_days")
    assert out.loc[1, "repeat_rate"] == pytest.approx(0.5)     # the 30-day repeat order has no repeat itself
    assert out.loc[8, "repeat_rate"] == 0.0 and out.loc[8, "orders"] == 40
    assert 0 not in out.index                                  # store orders left out
    assert curve.slope < 0


def test_delivery_repeat_curve_counts_the_slowest_line_of_an_order():
    rows = [("a", "2024-01-01", 10, "o1", "A", "web", 1.0), ("a", "2024-01-01", 10, "o1", "B", "web", 5.0),
            ("b", "2024-01-01", 10, "o2", "A", "web", 1.0), ("z", "2024-12-31", 10, "o3", "A", "web", 1.0)]
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "product_id", "channel", "delivery_days"])
    tx["date"] = pd.to_datetime(tx["date"])
    out = delivery_repeat_curve(tx).table.set_index("delivery_days")
    assert out.loc[5, "orders"] == 1 and out.loc[1, "orders"] == 1


def test_reason_evidence_lists_all_ten_reasons(small_sample):
    ds = load_dataset(small_sample)
    out = reason_evidence(derived(ds).customers, latest_answers(ds.surveys))
    assert len(out) == 10 and out.set_index("reason").loc["pricing", "rho"] > 0.1    # bargain hunters buy on discount
    assert out["agrees"].dtype == bool
    survey_only = out.set_index("reason").loc["sympathy"]
    assert survey_only["n"] == 0 and survey_only["behaviour"].startswith("survey only")
