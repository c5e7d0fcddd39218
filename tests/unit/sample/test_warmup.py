"""The warm-up before the window (issue 16): the sample opens in steady state, with a survivor base.

Before the warm-up every base customer was alive on the first day whatever their risk, and the sample's first
year lost orders: deseasonalised orders of the second half of 2023 were 6.7% below the first half on the shipped
sample (5.5% on the 8,000-customer company below), the unplanted "orders down from May 2023" of the change
register. With the warm-up: +3.0% and +2.4%, a young company's slow growth.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook import sample as S
from customer_workbook.sample.constants import SEASON
from customer_workbook.sample.warmup import warmup_weeks
from customer_workbook.sample.window import make_window

N, SEED = 8_000, 5
FIRST_YEAR = (pd.Timestamp("2023-01-02"), pd.Timestamp("2023-12-31"))


@pytest.fixture(scope="module")
def company():
    return S.generate_sample(N, seed=SEED)


def second_half_change(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Relative change of seasonally adjusted orders from the first to the second half of the weeks in [start, end]."""
    weeks = pd.date_range(start, end - pd.Timedelta(days=6), freq="W-MON")
    mid = weeks[len(weeks) // 2]
    season = SEASON[(weeks + pd.Timedelta(days=3)).month - 1]
    dates = orders["date"]
    inside = (dates >= weeks[0]) & (dates < weeks[-1] + pd.Timedelta(days=7))
    second = (dates[inside] >= mid).sum() / season[weeks >= mid].sum()
    first = (dates[inside] < mid).sum() / season[weeks < mid].sum()
    return float(second / first - 1)


def orders_of(company) -> pd.DataFrame:
    tx = company.tables["transactions"]
    return tx[tx["amount"] > 0].drop_duplicates("order_id")


def test_first_year_has_no_wave_of_departures(company):
    assert abs(second_half_change(orders_of(company), *FIRST_YEAR)) < 0.04     # +2.4%; -5.5% without the warm-up


def test_shipped_sample_first_year_is_steady():
    from conftest import ROOT

    tx = pd.read_parquet(ROOT / "data/sample/transactions.parquet", columns=["order_id", "date", "amount"])
    orders = tx[tx["amount"] > 0].drop_duplicates("order_id")
    assert abs(second_half_change(orders, *FIRST_YEAR)) < 0.04                  # +3.0%; -6.7% without the warm-up


def test_base_is_a_survivor_population(company):
    """The base customers' planted per-order dropout risk is lower than that of the customers acquired in the window,
    and fewer of them leave during the window: they are the ones who stayed through the years before it."""
    ct = company.customer_truth
    base = (company.tables["customers"]["signup_date"] < pd.Timestamp("2023-01-01")).to_numpy()
    assert base.sum() == company.truth["company"]["initial_base"]
    risk = (ct["p_dropout"] * ct["dropout_hazard_multiplier"]).to_numpy()
    assert np.median(risk[base]) < 0.8 * np.median(risk[~base])
    left = ct["dropout_date"].notna().to_numpy()
    assert left[base].mean() < left[~base].mean()


def test_advocacy_tiers_are_ranked_among_the_customers_kept(company):
    shares = company.customer_truth["advocacy_tier"].value_counts(normalize=True)
    assert shares["lover"] == pytest.approx(0.01, abs=1e-3) and shares["liker"] == pytest.approx(0.09, abs=1e-3)


def test_warmup_weeks_cover_every_signup():
    w = make_window(pd.Timestamp("2023-01-01"), pd.Timestamp("2025-12-31"), 1.0)
    signup = np.array([-2_000, -30, -8])
    starts, months = warmup_weeks(w, signup)
    assert starts[0] <= signup.min() < starts[0] + 7 and starts[-1] == w.d0 - 7
    assert np.all(np.diff(starts) == 7) and set(months) <= set(range(12))
