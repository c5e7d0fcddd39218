"""Tests of the seeded sample company (customer_workbook.sample)."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from customer_workbook import sample as S
from customer_workbook.contract import TABLES
from customer_workbook.paths import project_root

REPO = project_root()
SHIPPED = REPO / "data" / "sample"
PERSONAL = ["full_name", "email"]
#: Contract columns for real exports that the sample company does not have: it records returns as negative
#: lines and has no cancelled orders, so it has no order status.
NOT_IN_SAMPLE = {("transactions", "status"), ("campaigns", "arm"), ("campaigns", "visited"), ("campaigns", "spend")}


@pytest.fixture(scope="module")
def company():
    return S.generate_sample(2_500, seed=7)


@pytest.fixture(scope="module")
def tables(company):
    return company.tables


# ---------------------------------------------------------------- reproducibility
def test_same_seed_gives_identical_output():
    a = S.generate_sample(1_000, seed=3)
    b = S.generate_sample(1_000, seed=3)
    assert a.tables.keys() == b.tables.keys()
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], obj=name)
    pd.testing.assert_frame_equal(a.customer_truth, b.customer_truth)
    assert json.dumps(a.truth, sort_keys=True) == json.dumps(b.truth, sort_keys=True)


def test_different_seed_gives_different_data(company):
    other = S.generate_sample(2_500, seed=8)
    assert not company.tables["transactions"]["amount"].equals(other.tables["transactions"]["amount"])
    assert not company.tables["customers"]["age"].equals(other.tables["customers"]["age"])


# ---------------------------------------------------------------- the contract
def test_every_contract_table_with_exact_columns(tables):
    assert set(tables) == set(TABLES)
    for name, spec in TABLES.items():
        extra = PERSONAL if name == "customers" else []
        expected = [c for c in spec.column_names if (name, c) not in NOT_IN_SAMPLE]
        assert list(tables[name].columns) == expected + extra, name
        assert len(tables[name]) > 0, name


def test_required_columns_non_null_and_keys_unique(tables):
    for name, spec in TABLES.items():
        df = tables[name]
        for col in spec.required_columns:
            assert df[col].notna().all(), f"{name}.{col} has missing values"
        if spec.key:
            assert not df.duplicated(list(spec.key)).any(), f"{name} key {spec.key} not unique"


def test_allowed_values_and_ranges(tables):
    for name, spec in TABLES.items():
        df = tables[name]
        for col in spec.columns:
            if (name, col.name) in NOT_IN_SAMPLE:
                continue
            s = df[col.name].dropna()
            if col.allowed is not None:
                assert set(s.unique()) <= set(col.allowed), f"{name}.{col.name}"
            if col.low is not None and name != "transactions":
                assert (s >= col.low).all(), f"{name}.{col.name}"
            if col.high is not None:
                assert (s <= col.high).all(), f"{name}.{col.name}"
    tx = tables["transactions"]
    assert tx["discount"].between(0, 0.5).all()
    assert (tx["delivery_days"] >= 0).all()
    assert set(tx["channel"].unique()) <= {"store", "web", "app"}
    assert (tx.loc[tx["channel"] == "store", "delivery_days"] == 0).all()
    assert set(tables["customers"]["acquisition_channel"].unique()) == set(S.ACQ_CHANNELS)
    assert tables["customers"]["region"].nunique() == 5
    assert set(tables["customers"]["income_band"].unique()) == {"low", "middle", "high"}


def test_kinds_and_ids(tables):
    tx, cu = tables["transactions"], tables["customers"]
    assert pd.api.types.is_string_dtype(tx["customer_id"]) and tx["customer_id"].str.match(r"^C\d{6,}$").all()
    assert pd.api.types.is_datetime64_any_dtype(tx["date"])
    assert (tx["date"].dt.hour > 0).any() and tx["date"].dt.minute.nunique() > 1   # times of day
    assert tx.groupby(tx["date"].dt.normalize())["order_id"].nunique().max() > 1  # several orders a day
    assert pd.api.types.is_datetime64_any_dtype(cu["signup_date"])
    assert tables["prospects"]["prospect_id"].str.startswith("P").all()
    assert not set(tables["prospects"]["prospect_id"]) & set(cu["customer_id"])
    assert cu["email"].str.contains("@example.").all() and cu["full_name"].str.contains(" ").all()


def test_referential_integrity(tables):
    ids = set(tables["customers"]["customer_id"])
    for name in ("transactions", "surveys", "engagement", "campaigns"):
        assert set(tables[name]["customer_id"]) <= ids, name
    assert set(tables["transactions"]["product_id"]) <= set(tables["products"]["product_id"])


def test_window_and_dates(tables):
    tx = tables["transactions"]
    assert tx["date"].min() >= pd.Timestamp("2023-01-01")
    assert tx["date"].max() < pd.Timestamp("2026-01-01")
    cu = tables["customers"].set_index("customer_id")
    first = tx.groupby("customer_id")["date"].min()
    assert (first.dt.normalize() >= cu.loc[first.index, "signup_date"]).all()


# ---------------------------------------------------------------- truth
def test_truth_is_json_and_complete(company):
    text = json.dumps(company.truth)
    truth = json.loads(text)
    for key in S.TRUTH_SCHEMA:
        assert key in truth, key
    pp = truth["purchase_process"]
    for k in ("r", "alpha"):
        assert k in pp["purchase_rate"]
    assert {"a", "b"} <= set(pp["dropout"]) and {"p", "q", "gamma"} <= set(pp["spend"])
    assert len(truth["personas"]["names"]) == 5
    assert list(truth["reason_drivers"]["true_drivers"]) == ["personalisation", "fast_brand", "social_proof"]
    assert truth["multi_category"]["hazard_ratio"] < 1
    acq = truth["acquisition"]
    assert set(acq["channels"]) == set(S.ACQ_CHANNELS)
    assert acq["ranking_by_clv"][0] == "referral" and acq["ranking_by_clv"][-1] == "display"
    assert acq["optimum"]["weekly_value"] >= acq["current"]["weekly_value"]
    assert {c["name"] for c in truth["changes"]} >= {"competitor_price_cut", "delivery_slowdown", "app_launch"}
    assert set(truth["campaign"]["groups"]) == set(S.UPLIFT_GROUPS)
    assert len(truth["cross_sell"]["pairs"]) == S.N_PAIRS
    assert set(truth["prospects"]["shares"]) == set(S.PROSPECT_GROUPS)
    assert truth["churn_drivers"]["hazard_ratios"]["slow_delivery"] > 1
    assert truth["tables"] == {k: len(v) for k, v in company.tables.items()}
    ct = company.customer_truth
    assert {"customer_id", "persona", "advocacy_tier", "multi_category", "uplift_group", "lambda", "p_dropout",
            "dropout_date"} <= set(ct.columns)
    assert ct["customer_id"].equals(company.tables["customers"]["customer_id"])


def test_advocacy_pyramid(company):
    ct = company.customer_truth
    shares = ct["advocacy_tier"].value_counts(normalize=True)
    assert shares["lurker"] == pytest.approx(0.90, abs=0.01)
    assert shares["liker"] == pytest.approx(0.09, abs=0.01)
    assert shares["lover"] == pytest.approx(0.01, abs=0.005)
    eng = company.tables["engagement"].merge(ct[["customer_id", "advocacy_tier"]], on="customer_id")
    per = (eng[eng["event"].isin(["review", "referral", "community_post"])].groupby("advocacy_tier").size()
           / ct["advocacy_tier"].value_counts())
    assert per["lover"] > 3 * per["liker"] > 3 * per["lurker"]
    assert not (ct["locked_in"] & (ct["advocacy_tier"] != "lurker")).any()
    assert ct["locked_in"].mean() > 0.03
    rating = company.tables["engagement"]["rating"]
    is_review = company.tables["engagement"]["event"] == "review"
    assert rating[is_review].notna().all() and rating[~is_review].isna().all()


def test_planted_changes_visible(company, tables):
    truth = company.truth
    mk = tables["market"].set_index("week")
    cut = pd.Timestamp(truth["dates"]["competitor_price_cut"]["date"])
    before = mk.loc[mk.index < cut, "competitor_price_index"]
    after = mk.loc[mk.index >= cut, "competitor_price_index"]
    assert after.mean() / before.mean() == pytest.approx(0.90, abs=0.02)
    assert mk.loc[cut, "competitor_event"] and isinstance(mk.loc[cut, "competitor_event"], str)
    app = pd.Timestamp(truth["dates"]["app_launch"]["date"])
    assert isinstance(mk.loc[app, "channel_launch"], str)
    tx = tables["transactions"]
    assert tx.loc[tx["channel"] == "app", "date"].min() >= app
    late = tx[(tx["date"] >= app + pd.Timedelta(weeks=20)) & (tx["amount"] > 0)]
    assert (late["channel"] == "app").mean() > 0.15
    slow = pd.Timestamp(truth["dates"]["delivery_slowdown"]["date"])
    sv = tables["surveys"]
    drop = sv.loc[sv["date"] >= slow, "sat_speed"].mean() - sv.loc[sv["date"] < slow, "sat_speed"].mean()
    assert -1.1 < drop < -0.5
    online = tx[(tx["channel"] != "store") & (tx["amount"] > 0)]
    assert online.loc[online["date"] >= slow, "delivery_days"].mean() > online.loc[online["date"] < slow, "delivery_days"].mean() + 1
    others = [c for c in ("sat_location", "sat_parking", "sat_service", "sat_quality")]
    for col in others:     # untouched dimensions stay stable
        assert abs(sv.loc[sv["date"] >= slow, col].mean() - sv.loc[sv["date"] < slow, col].mean()) < 0.25


def test_marketing_matches_signups(tables):
    cu, mk = tables["customers"], tables["marketing"]
    week = cu["signup_date"] - pd.to_timedelta(cu["signup_date"].dt.day_of_week, unit="D")
    counts = cu[cu["signup_date"] >= mk["week"].min()].groupby([week, cu["acquisition_channel"]]).size()
    m = mk.set_index(["week", "channel"])["new_customers"]
    counts = counts.reindex(m.index, fill_value=0)
    assert (counts.to_numpy() == m.to_numpy()).all()
    assert (cu["signup_date"] < pd.Timestamp("2023-01-01")).sum() > 0     # initial base
    assert mk.groupby("channel")["spend"].std().min() > 0                   # spend varies


def test_campaign_randomised(company, tables):
    cp = tables["campaigns"]
    assert 0.44 < cp["treated"].mean() < 0.56
    assert cp["campaign"].nunique() == 1 and cp["send_date"].nunique() == 1
    assert set(cp["outcome"].unique()) <= {0, 1}
    # outcome agrees with the transactions
    send = cp["send_date"].iloc[0]
    tx = tables["transactions"]
    w = tx[(tx["date"] >= send) & (tx["date"] < send + pd.Timedelta(days=60)) & (tx["amount"] >= 0)]
    bought = cp["customer_id"].isin(w["customer_id"]).astype(int)
    assert (bought.to_numpy() == cp["outcome"].to_numpy()).all()
    ct = company.customer_truth.set_index("customer_id")
    assert ct.loc[cp["customer_id"], "uplift_group"].notna().all()
    assert ct["uplift_group"].notna().sum() == len(cp)


def test_returns_and_zero_lines(tables):
    tx = tables["transactions"]
    neg = tx[tx["amount"] < 0]
    assert 0.015 < len(neg) / len(tx) < 0.045
    assert (tx["amount"] == 0).sum() > 0
    assert (neg["quantity"] < 0).all() and (tx.loc[tx["amount"] > 0, "quantity"] > 0).all()
    pos = tx[tx["amount"] > 0].groupby(["order_id", "product_id"])["date"].min()
    ref = pos.reindex(pd.MultiIndex.from_frame(neg[["order_id", "product_id"]]))
    assert ref.notna().all() and (ref.to_numpy() < neg["date"].to_numpy()).all()


def test_products_and_prospects(company, tables):
    pr = tables["products"]
    assert 150 <= len(pr) <= 250 and pr["category"].nunique() == 8
    assert 0.05 < pr["exclusive"].mean() < 0.2
    assert (pr["launch_date"] >= pd.Timestamp("2023-01-01")).sum() >= 10
    ps = tables["prospects"]
    no = ps["has_need"].eq(False).fillna(False) | ps["can_pay"].eq(False).fillna(False)
    grp = np.where(no.to_numpy(bool), "rejected",
                   np.where((ps["has_need"].isna() | ps["can_pay"].isna()).to_numpy(bool), "unexplored", "prospective"))
    shares = pd.Series(grp).value_counts(normalize=True)
    for g, v in company.truth["prospects"]["shares"].items():
        assert shares[g] == pytest.approx(v, abs=1e-9)


def test_surveys(tables):
    sv = tables["surveys"]
    cu = tables["customers"]
    assert 0.25 < sv["customer_id"].nunique() / len(cu) < 0.35
    assert sv.groupby("customer_id").size().max() <= 2
    why = sv[[f"why_{r}" for r in S.REASONS]]
    assert why.corr().to_numpy()[np.triu_indices(10, 1)].mean() > 0.05      # items correlate


# ---------------------------------------------------------------- writing and CLI
def test_write_sample_parquet_and_csv(tmp_path):
    out = S.write_sample(tmp_path / "pq", n_customers=300, seed=1)
    names = {p.name for p in out.iterdir()}
    assert names == {f"{t}.parquet" for t in TABLES} | {"truth.json", "truth_customers.parquet"}
    again = S.generate_sample(300, seed=1)
    back = pd.read_parquet(out / "transactions.parquet")
    pd.testing.assert_frame_equal(back, again.tables["transactions"], check_dtype=False)
    json.loads((out / "truth.json").read_text())
    out2 = S.write_sample(tmp_path / "csv", n_customers=300, seed=1, fmt="csv")
    csv = pd.read_csv(out2 / "customers.csv")
    assert list(csv.columns) == TABLES["customers"].column_names + PERSONAL and len(csv) == 300


def test_cli(tmp_path, capsys):
    assert S.main(["--customers", "200", "--seed", "5", "--out", str(tmp_path), "--format", "parquet"]) == 0
    assert (tmp_path / "transactions.parquet").exists() and (tmp_path / "truth.json").exists()
    assert not list(tmp_path.glob(".*tmp*"))


# ---------------------------------------------------------------- the shipped sample
def _rows_that_differ(got: pd.Series, want: pd.Series) -> tuple[int, int | None]:
    """How many of the first min(len) rows differ (missing only matches missing), and the first such row.

    Values are compared by their text, which is exact for floats (shortest round-trip repr) and
    ignores dtype changes from the Parquet round trip (categorical/str, ns/us, boolean/object)."""
    n = min(len(got), len(want))
    g, w = got.iloc[:n], want.iloc[:n]
    g_na, w_na = g.isna().to_numpy(bool), w.isna().to_numpy(bool)
    differ = (g_na != w_na) | (~g_na & ~w_na & (g.astype(str).to_numpy() != w.astype(str).to_numpy()))
    return int(differ.sum()), (int(np.argmax(differ)) if differ.any() else None)


def _truth_paths_that_differ(got, want, path="truth"):
    """Paths where truth.json differs: exact for keys, text, integers and list lengths; floats within
    0.1% (or 0.001 near zero), because the acquisition optimum in it is a numerical solver's result
    (SLSQP) that moves in the fourth digit with the CPU's math kernels and the BLAS thread count."""
    if isinstance(got, float) or isinstance(want, float):
        if (isinstance(got, (int, float)) and isinstance(want, (int, float)) and not isinstance(got, bool)
                and not isinstance(want, bool) and (math.isclose(got, want, rel_tol=1e-3, abs_tol=1e-3)
                                                    or (math.isnan(got) and math.isnan(want)))):
            return
        yield f"{path}: {got!r} against {want!r} shipped"
    elif isinstance(got, dict) and isinstance(want, dict):
        for key in sorted(set(got) | set(want), key=str):
            if key not in got or key not in want:
                yield f"{path}.{key}: {'missing' if key not in got else 'not shipped'}"
            else:
                yield from _truth_paths_that_differ(got[key], want[key], f"{path}.{key}")
    elif isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want)):
            yield from _truth_paths_that_differ(g, w, f"{path}[{i}]")
    elif got != want:
        yield f"{path}: {got!r} against {want!r} shipped"


def _machine() -> str:
    import pyarrow
    import scipy
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
        simd = ", ".join(f for f in __cpu_dispatch__ if __cpu_features__.get(f)) or "baseline only"
    except ImportError:  # pragma: no cover - private numpy API
        simd = "unknown"
    return (f"numpy {np.__version__}, pandas {pd.__version__}, scipy {scipy.__version__}, "
            f"pyarrow {pyarrow.__version__}; numpy SIMD targets on this CPU: {simd}")


@pytest.mark.skipif(not (SHIPPED / "truth.json").exists(), reason="shipped sample not generated")
def test_shipped_sample_matches_generator():
    """data/sample must be exactly what generate_sample(20_000, seed=42) produces: every table, every column.

    On failure the message names each table and column that drifted. Install the locked versions
    (`make setup`) first; if it still fails, see README "Develop" on refreshing the lock."""
    truth = json.loads((SHIPPED / "truth.json").read_text())
    assert truth["company"]["n_customers"] == 20_000 and truth["company"]["seed"] == 42
    fresh = S.generate_sample(20_000, seed=42)
    problems = []
    for name in sorted(set(truth["tables"]) | set(fresh.tables)):
        where = f"data/sample/{name}.parquet"
        if name not in fresh.tables or not (SHIPPED / f"{name}.parquet").exists():
            problems.append(f"{where}: {'not generated' if name not in fresh.tables else 'not shipped'}")
            continue
        got, shipped = fresh.tables[name], pd.read_parquet(SHIPPED / f"{name}.parquet")
        if len(shipped) != truth["tables"][name]:
            problems.append(f"{where}: {len(shipped):,} rows but truth.json says {truth['tables'][name]:,}")
        if len(got) != len(shipped):
            problems.append(f"{where} drifted from the generator: {len(got):,} rows against {len(shipped):,} shipped")
        if list(got.columns) != list(shipped.columns):
            problems.append(f"{where}: columns {list(got.columns)} against {list(shipped.columns)} shipped")
        for col in [c for c in got.columns if c in shipped.columns]:
            n, first = _rows_that_differ(got[col], shipped[col])
            if n:
                problems.append(f"{where}: column {col!r} differs in {n:,} rows (first at row {first:,})")
    fresh_truth = json.loads(json.dumps(fresh.truth))
    diffs = list(_truth_paths_that_differ(fresh_truth, truth))
    problems += [f"data/sample/truth.json: {d}" for d in diffs[:10]]
    if len(diffs) > 10:
        problems.append(f"data/sample/truth.json: {len(diffs) - 10} more values differ")
    if problems:
        pytest.fail("data/sample no longer matches generate_sample(20_000, seed=42):\n  " + "\n  ".join(problems)
                    + f"\nwith {_machine()}", pytrace=False)
