"""Go to market (planning/go_to_market.py): the audience relations plan and what a threshold targets."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook import clv
from customer_workbook.planning import (Targeting, audience_customers, audience_table, customer_profile,
                                        go_to_market_plan, pick_pilot, targeting_at)
from customer_workbook.retention import build_features, threshold_table
from customer_workbook.segments import UNASSIGNED, find_personas


def test_targeting_at_reads_the_nearest_threshold_and_sums_the_value_at_stake():
    y = np.array([1, 1, 0, 0])
    table = threshold_table(y, np.array([0.9, 0.6, 0.55, 0.1]), thresholds=[0.5, 0.7])
    p_now = pd.Series([0.8, 0.52, 0.3], index=["a", "b", "c"])
    value = pd.Series([100.0, 50.0], index=["a", "c"])  # b has no value: counts as 0
    t = targeting_at(0.52, table, p_now, value)
    assert isinstance(t, Targeting) and t.threshold == 0.52
    assert (t.error_rate, t.missing_ratio, t.undetected_share) == pytest.approx((1 / 3, 1.0, 0.0))  # the 0.5 row
    assert t.targeted_now == 2 and t.value_at_stake == pytest.approx(0.8 * 100)
    strict = targeting_at(0.7, table, p_now, value)
    assert strict.targeted_now == 1 and strict.error_rate == 0.0 and strict.missing_ratio == 0.5



def test_go_to_market_plan_on_the_sample(sample_ds):
    ds = sample_ds
    value = clv.score_customers(ds.transactions).table
    fs = build_features(ds, ds.transactions["date"].max() + pd.Timedelta(days=1))
    personas = find_personas(ds).assignment.fillna(UNASSIGNED)
    seg = ds.customers.set_index("customer_id")["acquisition_channel"]
    churn = pd.Series(0.3, index=value.index)
    aud = audience_table(value, personas, seg, churn_p=churn, campaigns=ds.campaigns, min_size=20)
    pilot = pick_pilot(aud, min_size=20)
    profile = customer_profile(ds, fs)
    table = audience_customers(profile, personas, seg, value["clv_1y"], churn)
    assert list(table.index) == list(profile.index)
    assert (table["segment"] == seg.reindex(profile.index).astype(str)).all()
    assert table["clv"].equals(value["clv_1y"].reindex(profile.index))
    assert (audience_customers(profile, personas, None, value["clv_1y"], churn)["segment"] == "all").all()
    gtm = go_to_market_plan(aud, table, ds.products, None, mde=0.05, n_audiences=3, churn_rate=0.3)
    assert len(gtm) == 3
    assert set(gtm.columns) >= {"audience", "goal", "offer", "channel", "timing", "expected_value", "metric_to_watch"}
    first = gtm.iloc[0]
    assert first["expected_value"] == pytest.approx(pilot["customers"] * pilot["value_per_customer"] * 0.05)
    assert first["evidence"] == "assumed: the pilot's target lift of 5.0 pp holds"
    assert first["channel"] in set(ds.transactions["channel"].astype(str))


def test_go_to_market_plan_without_churn_model_channel_or_product_lines():
    audiences = pd.DataFrame({"segment": ["all", "all"], "persona": ["p1", "p2"], "customers": [40, 50],
                              "value_per_customer": [20.0, 10.0], "ranked": [True, True]})
    profile = pd.DataFrame({"discount_line_share": [0.0] * 40 + [0.5] * 50}, index=[f"c{i}" for i in range(90)])
    personas = pd.Series(["p1"] * 40 + ["p2"] * 50, index=profile.index)
    table = audience_customers(profile, personas, None, pd.Series(1.0, index=profile.index), None)
    assert "churn_p" not in table
    gtm = go_to_market_plan(audiences, table, None, None, mde=0.05, n_audiences=2)
    assert "churn_risk" not in gtm and not gtm.isna().any().any()
    assert list(gtm["goal"]) == ["grow: cross-sell", "activate: second purchase"]  # nobody defended without risk
    assert list(gtm["offer"]) == ["non-price: early access and personal service", "personal discount on the next order"]
    assert set(gtm["channel"]) == {"its usual channel"}
