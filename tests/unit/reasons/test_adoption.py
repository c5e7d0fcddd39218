"""Bandwagon evidence (customer_workbook.reasons.adoption): the Bass model recovers planted parameters."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.reasons import BassFit, bandwagon_evidence, bass_curve, fit_bass, product_adoption


def _tx(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "product_id", "channel"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_fit_bass_recovers_planted_imitation():
    curve = bass_curve(0.005, 0.35, 2000, 60)
    fit = fit_bass(np.round(curve))
    assert isinstance(fit, BassFit)
    assert fit.p == pytest.approx(0.005, rel=0.15) and fit.q == pytest.approx(0.35, rel=0.1)
    assert fit.m == pytest.approx(2000, rel=0.05) and fit.q_over_p > 30 and fit.r2 > 0.95
    assert fit.peak_week == int(np.argmax(curve))
    flat = fit_bass(np.full(40, 20.0))                       # constant uptake: no bandwagon
    assert flat.q_over_p < 5 and np.isnan(flat.r2)          # no variation to explain


def test_product_adoption_counts_first_purchases_per_week():
    tx = _tx([("a", "2024-01-02", 5, "o1", "B", "web"), ("a", "2024-01-20", 5, "o2", "B", "web"),
              ("b", "2024-01-10", 5, "o3", "B", "web"), ("c", "2024-01-11", 5, "o4", "A", "web"),
              ("c", "2024-02-20", 5, "o5", "A", "web")])
    out = product_adoption(tx, "2024-01-01", "B")
    assert out["new_adopters"].tolist()[:3] == [1, 1, 0] and out["cumulative"].iloc[-1] == 2


def test_bandwagon_evidence_fits_launches_inside_the_window_only():
    curve = np.round(bass_curve(0.01, 0.3, 300, 30)).astype(int)
    rows, k = [("old", "2024-01-01", 5, "o0", "OLD", "web")], 1
    for week, count in enumerate(curve):
        for _ in range(count):
            rows.append((f"c{k}", str((pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * week)).date()), 5, f"o{k}", "NEW", "web"))
            k += 1
    products = pd.DataFrame({"product_id": ["NEW", "OLD"], "launch_date": pd.to_datetime(["2024-01-01", "2020-01-01"])})
    out = bandwagon_evidence(_tx(rows), products, min_adopters=50)
    assert out["product_id"].tolist() == ["NEW"] and out.loc[0, "adopters"] == curve.sum()
    assert out.loc[0, "q_over_p"] > 5
    assert bandwagon_evidence(_tx(rows), products, min_adopters=10_000).empty
