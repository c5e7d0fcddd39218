"""The null company: ``generate_sample(..., planted_effects=False)`` plants no effect (issue 15).

Each switch is checked on the data with a statistic and a bound from its sampling error; where the
statistic has power at this size, the same statistic on the planted sample (same size and seed) shows
the effect, so the bound is not one that nothing could break.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from customer_workbook import sample as S
from customer_workbook.contract import REASONS, SATISFACTION_ITEMS, TABLES
from customer_workbook.sample.constants import SEASON

N, SEED = 8_000, 5
START, END = pd.Timestamp("2023-01-01"), pd.Timestamp("2025-12-31")


@pytest.fixture(scope="module")
def null():
    return S.generate_sample(N, seed=SEED, planted_effects=False)


@pytest.fixture(scope="module")
def planted():
    return S.generate_sample(N, seed=SEED)


def _orders(company) -> pd.DataFrame:
    """One row per order (its first purchase line): customer, date, channel, delivery days."""
    tx = company.tables["transactions"]
    return tx[tx["amount"] > 0].drop_duplicates("order_id")


def _z_diff(a, b) -> float:
    """z of mean(a) - mean(b) (independent samples)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return (a.mean() - b.mean()) / np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))


def _halves_z(orders: pd.DataFrame) -> float:
    """z of the deseasonalised change in orders from the first to the second half of the full weeks.

    Orders per half are divided by the half's summed monthly seasonality (``SEASON``); the standard
    error treats customers as the independent units: d_i = own orders in half 2 / s2 - in half 1 / s1,
    z = sum(d) / sqrt(sum(d^2)) (uncentred, so conservative)."""
    weeks = pd.date_range(START, END - pd.Timedelta(days=6), freq="W-MON")
    mid = weeks[len(weeks) // 2]
    season = SEASON[(weeks + pd.Timedelta(days=3)).month - 1]
    s1, s2 = season[weeks < mid].sum(), season[weeks >= mid].sum()
    o = orders[(orders["date"] >= weeks[0]) & (orders["date"] < weeks[-1] + pd.Timedelta(days=7))]
    second = (o["date"] >= mid).to_numpy()
    codes, uniq = pd.factorize(o["customer_id"])
    d = np.bincount(codes[second], minlength=len(uniq)) / s2 - np.bincount(codes[~second], minlength=len(uniq)) / s1
    return float(d.sum() / np.sqrt((d ** 2).sum()))


# ---------------------------------------------------------------- truth.json and the hidden labels
def test_truth_says_planted_effects_false_and_lists_no_effect(null, planted):
    truth = json.loads(json.dumps(null.truth))
    assert truth["planted_effects"] is False and "planted_effects" not in planted.truth   # absent means true
    assert set(S.TRUTH_SCHEMA) <= set(truth) and "planted_effects" in truth["schema"]
    assert truth["tables"] == {k: len(v) for k, v in null.tables.items()}
    assert truth["changes"] == [] and len(planted.truth["changes"]) == 3
    assert list(truth["dates"]) == ["campaign_send"]
    assert truth["reason_drivers"]["true_drivers"] == {} and truth["reason_drivers"]["expected_top3"] == []
    assert set(truth["churn_drivers"]["hazard_ratios"].values()) == {1.0}
    assert set(truth["churn_drivers"]["acquisition_channel"].values()) == {1.0}
    assert truth["multi_category"]["hazard_ratio"] == 1.0
    acq = truth["acquisition"]
    assert acq["channels_equal"] and acq["ranking_by_clv"] == [] and acq["ranking_by_clv_to_cac_at_current"] == []
    entries = list(acq["channels"].values())
    assert len(entries) == 5 and all(e == entries[0] for e in entries)
    assert set(acq["optimum"]["mix"].values()) == {0.2} and acq["optimum"]["weekly_value"] >= acq["current"]["weekly_value"]
    assert len({json.dumps(m, sort_keys=True) for m in truth["personas"]["persona_acquisition_mix"].values()}) == 1
    assert truth["campaign"]["groups"] == {} and truth["campaign"]["true_uplift"] == 0
    assert truth["cross_sell"]["pairs"] == [] and truth["innovation"]["bass_products"] == []
    assert truth["purchase_process"]["channel_rate_multiplier"] == dict.fromkeys(S.ACQ_CHANNELS, 1.0)


def test_customer_truth_has_no_planted_groups(null):
    ct = null.customer_truth
    assert ct["uplift_group"].isna().all() and not ct["locked_in"].any() and not ct["bass_adopter"].any()
    assert (ct["loyalty_latent"] == 0).all()
    # the static hazard is the persona's dropout level only: no channel, latent, tier or locked-in term
    assert (ct.groupby("persona")["dropout_hazard_multiplier"].nunique() == 1).all()


#: Contract columns for real exports that the generated companies do not have (see test_sample.py).
NOT_IN_SAMPLE = {("transactions", "status"), ("campaigns", "arm"), ("campaigns", "visited"), ("campaigns", "spend")}


def test_null_company_keeps_the_contract(null):
    tables = null.tables
    assert set(tables) == set(TABLES)
    for name, spec in TABLES.items():
        df = tables[name]
        expected = [c for c in spec.column_names if (name, c) not in NOT_IN_SAMPLE]
        assert list(df.columns)[:len(expected)] == expected, name
        for col in spec.required_columns:
            assert df[col].notna().all(), f"{name}.{col}"
        if spec.key:
            assert not df.duplicated(list(spec.key)).any(), name
        for col in spec.columns:
            if col.allowed is not None and (name, col.name) not in NOT_IN_SAMPLE:
                assert set(df[col.name].dropna().unique()) <= set(col.allowed), f"{name}.{col.name}"
    ids = set(tables["customers"]["customer_id"])
    for name in ("transactions", "surveys", "engagement", "campaigns"):
        assert set(tables[name]["customer_id"]) <= ids, name
    tx = tables["transactions"]
    assert tx["date"].min() >= START and tx["date"].max() < END + pd.Timedelta(days=1)
    assert len(tables["campaigns"]) > 0 and len(tables["surveys"]) > 0


# ---------------------------------------------------------------- no dated changes
def test_market_has_no_events_and_a_flat_index(null, planted):
    mk = null.tables["market"]
    assert mk["competitor_event"].isna().all() and mk["channel_launch"].isna().all()
    assert planted.tables["market"]["competitor_event"].notna().any()
    for company, moved in ((null, False), (planted, True)):
        idx = company.tables["market"]["competitor_price_index"].to_numpy()
        half = len(idx) // 2
        assert (abs(idx[half:].mean() - idx[:half].mean()) > 0.05) == moved   # the cut moves it by ~0.1


def test_app_sells_from_the_start_without_a_ramp(null, planted):
    for company, ramps in ((null, False), (planted, True)):
        o = _orders(company)
        first = o[o["date"] < START + pd.Timedelta(weeks=13)]
        last = o[o["date"] >= END - pd.Timedelta(weeks=52)]
        share_first, share_last = (first["channel"] == "app").mean(), (last["channel"] == "app").mean()
        z = _z_diff(last["channel"] == "app", first["channel"] == "app")
        assert (z > 4) == ramps, (share_first, share_last)
        if not ramps:
            assert share_first > 0.1


def test_delivery_and_satisfaction_do_not_shift(null, planted):
    slow = pd.Timestamp("2025-06-02")
    for company, shifted in ((null, False), (planted, True)):
        o = _orders(company)
        online = o[o["channel"] != "store"]
        z_deliv = _z_diff(online.loc[online["date"] >= slow, "delivery_days"],
                          online.loc[online["date"] < slow, "delivery_days"])
        sv = company.tables["surveys"]
        z_speed = _z_diff(sv.loc[sv["date"] >= slow, "sat_speed"], sv.loc[sv["date"] < slow, "sat_speed"])
        assert (abs(z_deliv) > 4) == shifted and (abs(z_speed) > 4) == shifted, (z_deliv, z_speed)
    sv = null.tables["surveys"]
    for item in SATISFACTION_ITEMS:   # no item moves at the sample's change dates either
        for date in ("2025-03-03", "2025-06-02"):
            d = pd.Timestamp(date)
            assert abs(_z_diff(sv.loc[sv["date"] >= d, f"sat_{item}"], sv.loc[sv["date"] < d, f"sat_{item}"])) < 4


def test_weekly_orders_have_no_step(null):
    orders = _orders(null)
    assert abs(_halves_z(orders)) < 3.5
    # the statistic sees a 15% step in the second half of the same data
    mid = START + (END - START) / 2
    rng = np.random.default_rng(0)
    stepped = orders[~((orders["date"] >= mid) & (rng.random(len(orders)) < 0.15))]
    assert _halves_z(stepped) < -3.5


def test_new_customers_have_no_step(null):
    weekly = null.tables["marketing"].groupby("week")["new_customers"].sum().to_numpy(float)
    half = len(weekly) // 2
    # weekly counts follow the AR(1) spend (rho 0.5): the variance of a mean is inflated by (1 + rho) / (1 - rho)
    se = weekly.std(ddof=1) * np.sqrt(3.0 * (1 / half + 1 / (len(weekly) - half)))
    assert abs(weekly[half:].mean() - weekly[:half].mean()) / se < 3.5
    base = (null.tables["customers"]["signup_date"] < START).sum()
    assert 0.2 * N < base < 0.8 * N                       # a steady-state base and acquisitions both present


# ---------------------------------------------------------------- no driver effects
def test_nps_is_independent_of_the_reasons_and_satisfaction(null, planted):
    sv = null.tables["surveys"]
    bound = 4 / np.sqrt(len(sv))
    columns = [f"why_{r}" for r in REASONS] + [f"sat_{s}" for s in SATISFACTION_ITEMS]
    r = {c: np.corrcoef(sv[c], sv["nps"])[0, 1] for c in columns}
    assert max(abs(v) for v in r.values()) < bound, r
    psv = planted.tables["surveys"]
    assert np.corrcoef(psv["why_personalisation"], psv["nps"])[0, 1] > 4 / np.sqrt(len(psv))
    assert 1.5 < sv["nps"].std() < 3       # NPS still spreads like survey answers do


# ---------------------------------------------------------------- no campaign effect, no uplift groups
def _rule_groups(company) -> pd.Series:
    """The sample's uplift-group rules, from behaviour observable at the send date, for the campaign's rows."""
    cp, tx = company.tables["campaigns"], company.tables["transactions"]
    send = cp["send_date"].iloc[0]
    bought = tx[(tx["amount"] > 0) & (tx["date"] < send)]
    year = bought[bought["date"] >= send - pd.Timedelta(days=365)]
    recency = (send - bought.groupby("customer_id")["date"].max()).dt.days
    freq = year.groupby("customer_id")["order_id"].nunique()
    disc = year.groupby("customer_id")["discount"].mean()
    ids = cp["customer_id"]
    rec, fr, di = (s.reindex(ids).to_numpy() for s in (recency, freq, disc))
    return pd.Series(np.where(rec > 150, "lost_cause", np.where(fr >= 7, "sure_thing",
                              np.where(di < 0.02, "sleeping_dog", "persuadable"))), index=cp.index)


def test_campaign_has_no_effect(null, planted):
    cp = null.tables["campaigns"]
    assert 0.44 < cp["treated"].mean() < 0.56
    y, t = cp["outcome"], cp["treated"]
    assert abs(_z_diff(y[t], y[~t])) < 3
    groups = _rule_groups(null)
    for g in S.UPLIFT_GROUPS:                      # not even inside the sample's uplift-group rules
        m = groups == g
        assert m.sum() > 100, g
        assert abs(_z_diff(y[m & t], y[m & ~t])) < 3.5, g
    pcp = planted.tables["campaigns"]
    label = planted.customer_truth.set_index("customer_id").loc[pcp["customer_id"], "uplift_group"].to_numpy()
    m, py, pt = label == "persuadable", pcp["outcome"].to_numpy(), pcp["treated"].to_numpy()
    assert _z_diff(py[m & pt], py[m & ~pt]) > 2      # the planted persuadables do respond


# ---------------------------------------------------------------- equal channels
def _first_year_value(company) -> pd.DataFrame:
    """Net revenue in the first 365 days of every customer acquired in the first two years, with channel."""
    cu, tx = company.tables["customers"], company.tables["transactions"]
    acq = cu[(cu["signup_date"] >= START) & (cu["signup_date"] < END - pd.Timedelta(days=365))]
    m = tx.merge(acq[["customer_id", "signup_date"]], on="customer_id")
    value = m[m["date"] < m["signup_date"] + pd.Timedelta(days=365)].groupby("customer_id")["amount"].sum()
    return acq.assign(value=value.reindex(acq["customer_id"]).fillna(0).to_numpy())


def test_channels_bring_customers_of_equal_value(null, planted):
    for company, equal in ((null, True), (planted, False)):
        fy = _first_year_value(company)
        p = stats.kruskal(*[g["value"].to_numpy() for _, g in fy.groupby("acquisition_channel")]).pvalue
        assert (p > 0.001) == equal, p
        ct = company.customer_truth.set_index("customer_id")
        mix = pd.crosstab(fy["acquisition_channel"], ct.loc[fy["customer_id"], "persona"].to_numpy())
        assert (stats.chi2_contingency(mix).pvalue > 0.001) == equal


def test_channels_acquire_at_the_same_cost(null, planted):
    for company, equal in ((null, True), (planted, False)):
        mk = company.tables["marketing"].groupby("channel")[["spend", "new_customers"]].sum()
        cac = mk["spend"] / mk["new_customers"]
        assert (cac.max() / cac.min() < 1.25) == equal, cac.to_dict()


# ---------------------------------------------------------------- no cross-sell pairs, Bass products or prospect needs
def test_no_bass_products(null, planted):
    """The catalogue is the sample's without its two Bass-diffusion products, and nobody adopts one."""
    pp = planted.tables["products"]
    bass_ids = {b["product_id"] for b in planted.truth["innovation"]["bass_products"]}
    assert len(bass_ids) == 2
    pd.testing.assert_frame_equal(null.tables["products"], pp[~pp["product_id"].isin(bass_ids)])
    assert not null.customer_truth["bass_adopter"].any() and null.truth["innovation"]["bass_products"] == []


def test_prospect_needs_do_not_depend_on_the_group(null, planted):
    for company, independent in ((null, True), (planted, False)):
        ps = company.tables["prospects"]
        no = ps["has_need"].eq(False).fillna(False) | ps["can_pay"].eq(False).fillna(False)
        unknown = ps["has_need"].isna() | ps["can_pay"].isna()
        grp = np.where(no.to_numpy(bool), "rejected", np.where(unknown.to_numpy(bool), "unexplored", "prospective"))
        p = stats.chi2_contingency(pd.crosstab(grp, ps["top_need"])).pvalue
        assert (p > 0.001) == independent, p


# ---------------------------------------------------------------- switch, reproducibility, CLI
def test_switch_leaves_the_sample_unchanged_and_the_null_reproducible():
    a, b = S.generate_sample(600, seed=3), S.generate_sample(600, seed=3, planted_effects=True)
    c, d = (S.generate_sample(600, seed=3, planted_effects=False) for _ in range(2))
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], obj=name)
        pd.testing.assert_frame_equal(c.tables[name], d.tables[name], obj=name)
    assert json.dumps(c.truth, sort_keys=True) == json.dumps(d.truth, sort_keys=True)
    assert not a.tables["transactions"]["amount"].equals(c.tables["transactions"]["amount"])


def test_short_window_null_company():
    one_year = S.generate_sample(600, seed=2, start="2024-01-01", end="2024-12-31", planted_effects=False)
    assert len(one_year.tables["campaigns"]) == 0 and one_year.truth["campaign"] == {"in_window": False}
    assert (one_year.tables["customers"]["signup_date"] < pd.Timestamp("2024-01-01")).sum() > 0


def test_cli_null_flag(tmp_path):
    assert S.main(["--customers", "300", "--seed", "4", "--out", str(tmp_path), "--null"]) == 0
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["planted_effects"] is False and truth["changes"] == []
    out = S.write_sample(tmp_path / "w", n_customers=300, seed=4, planted_effects=False)
    assert json.loads((out / "truth.json").read_text()) == truth
