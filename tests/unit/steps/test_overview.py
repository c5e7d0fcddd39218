"""Notebook 00's step functions on data unlike the sample (issue 15): one year of history, no returns,
no region column."""
from __future__ import annotations

import numpy as np
import pandas as pd

from customer_workbook import data
from customer_workbook.base.metrics import SEASONAL_MIN_WEEKS
from customer_workbook.steps import overview
from customer_workbook.steps.section import Section


def _load(tmp_path, start: str, weeks: int):
    """Transactions of 200 customers over ``weeks`` weeks from ``start``, no returns, one spike in month two."""
    rng = np.random.default_rng(4)
    days = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, 7 * weeks, 3000), unit="D")
    amount = np.where(days.month == pd.Timestamp(start).month % 12 + 1, 200.0, 20.0)  # a spike in month two
    pd.DataFrame({"customer_id": rng.integers(0, 200, 3000).astype(str), "date": days.strftime("%Y-%m-%d"),
                  "amount": amount}).to_csv(tmp_path / "transactions.csv", index=False)
    return data.load_dataset(tmp_path)


def _text(section: Section) -> str:
    return "\n".join(p for p in section.parts if isinstance(p, str))


def _findings(section: Section) -> dict:
    return {f.key: f.value for f in section.findings}


def test_one_year_shows_no_busiest_month_and_says_what_it_needs(tmp_path):
    section = overview.volumes_over_time(_load(tmp_path, "2024-01-01", 52))
    found, text = _findings(section), _text(section)
    assert "peak_month" not in found and "peak_month_index" not in found
    assert found["weekly_orders_mean"] > 0
    assert "Not shown: the busiest month" in text and str(SEASONAL_MIN_WEEKS) in text


def test_two_years_name_the_busiest_month(tmp_path):
    section = overview.volumes_over_time(_load(tmp_path, "2023-01-02", SEASONAL_MIN_WEEKS + 1))
    assert _findings(section)["peak_month"] == "February"  # the month of the spike, seen in both years


def test_data_without_returns_say_so_without_a_negative_zero(tmp_path):
    section = overview.how_clean(_load(tmp_path, "2024-01-01", 20))
    found, text = _findings(section), _text(section)
    assert found["return_line_share"] == 0.0 and found["returned_value_share"] == 0.0
    assert "-0.0" not in text and "No order line is a return" in text


def test_data_without_revenue_are_worded_in_purchases(tmp_path):
    rng = np.random.default_rng(2)
    days = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 7 * 110, 2000), unit="D")
    pd.DataFrame({"customer_id": rng.integers(0, 100, 2000).astype(str),
                  "date": days.strftime("%Y-%m-%d")}).to_csv(tmp_path / "transactions.csv", index=False)
    ds = data.load_dataset(tmp_path)
    covers = overview.what_the_data_covers(ds)
    assert next(f.unit for f in covers.findings if f.key == "net_revenue") == "purchases"
    texts = " ".join(_text(s) for s in (covers, overview.volumes_over_time(ds), overview.orders_per_customer(ds)))
    assert "2,000 purchases" in texts and "Purchases peak" in texts and "are lowest in" in texts
    assert "revenue" not in texts.replace("no revenue column", "")
