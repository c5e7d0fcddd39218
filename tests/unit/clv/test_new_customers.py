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
        draws = result.draws[group]  # pooled groups have none; refits that fail are counted and left out
        assert np.isfinite(draws).all()
        if row["model"] == "own":
            assert len(draws) + result.failed[group] == 5 == result.n_boot


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
    # a and b running off together is the same-dropout limit, usable; a at its lower bound (nobody leaves) is not
    ridge = (_fit("BG/NBD", False, ("b",)), _fit("Gamma-Gamma"))
    same = {"bg": {"r": 1.1, "alpha": 7.4, "a": 61_000.0, "b": 3_269_017.0}}
    assert NewCustomerValue(10, 1.0, 50.0, 40.0, curve, params=same, fits=ridge).ok
    stopped = (_fit("BG/NBD", False), _fit("Gamma-Gamma"))
    assert NewCustomerValue(10, 1.0, 50.0, 40.0, curve, params=same, fits=stopped).ok
    none_leave = {"bg": {"r": 2.7e6, "alpha": 2.9e6, "a": 3.1e-7, "b": 1855.0}}
    assert "a at a bound" in NewCustomerValue(10, 1.0, 50.0, 40.0, curve, params=none_leave,
                                              fits=(_fit("BG/NBD", False, ("a",)), _fit("Gamma-Gamma"))).problem
    few = {"bg": {"r": 1.0, "alpha": 8.0, "a": 45.0, "b": 1143.0}}
    assert NewCustomerValue(10, 1.0, 50.0, 40.0, curve, params=few, fits=stopped).problem == "BG/NBD did not converge"


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


def test_kept_after_returns_counts_later_returns_against_the_net():
    from customer_workbook.clv.new_customers import kept_after_returns

    tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
                       "date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-09 10:00", "2024-02-01 10:00"]),
                       "amount": [100.0, -10.0, -30.0, 50.0]})
    kept = kept_after_returns(tx, ["a", "b"])
    # a: one purchase day netting 90, a return-only day of -30 that is no purchase period
    assert kept.loc["a"].tolist() == [90.0, 60.0] and kept.loc["b"].tolist() == [50.0, 50.0]


def test_new_customer_value_weights_spend_by_orders_and_takes_off_returns():
    """Two kinds of repeat buyer: 20 who buy 9 more times at 20, 20 who buy once more at 200. A new customer's
    repeat order is worth (9 x 20 + 1 x 200) / 10 = 38 on average, not the per-customer mean of 110; the
    posterior means shrink a little towards the population mean, the single-order buyers most."""
    from customer_workbook.clv import new_customer_value

    rfm = pd.DataFrame({"frequency": [9] * 20 + [1] * 20 + [0] * 20,
                        "recency": [40.0] * 20 + [20.0] * 20 + [0.0] * 20, "T": [50.0] * 60,
                        "monetary_value": [20.0] * 20 + [200.0] * 20 + [0.0] * 20},
                       index=[f"c{i}" for i in range(60)])
    rng = np.random.default_rng(0)
    rfm["monetary_value"] *= np.where(rfm["frequency"] > 0, rng.uniform(0.8, 1.2, 60), 0.0)
    first = pd.Series(100.0, index=rfm.index)
    amounts = pd.DataFrame({"purchased": 1000.0, "net": 950.0}, index=rfm.index)
    value = new_customer_value(rfm, first, 60, max_months=12, amounts=amounts)
    per_customer = float(rfm.loc[rfm["frequency"] > 0, "monetary_value"].mean())
    by_orders = float((rfm["frequency"] * rfm["monetary_value"]).sum() / rfm["frequency"].sum())
    assert by_orders < 0.5 * per_customer
    assert value.repeat_spend == pytest.approx(by_orders, rel=0.25)
    assert value.kept_share == pytest.approx(0.95)
    assert value.clv(1.0, 0.0, 1) == pytest.approx(0.95 * (100.0 + value.repeat_spend * value.repeat_by_month[11]))


def test_group_clv_counts_failed_refits_and_hides_the_interval_when_too_many_fail(small_sample, monkeypatch):
    from customer_workbook import acquisition, clv
    from customer_workbook.clv import new_customers
    from customer_workbook.data import load_dataset

    ds = load_dataset(small_sample)
    acquired = acquisition.acquired_customers(ds)
    real = new_customers._safe_clv
    calls = iter(range(10_000))

    def four_in_ten_fail(*args):  # 4 of the 10 refits of each group (draws 0, 3, 6, 9) fail
        return float("nan") if next(calls) % 10 in (0, 3, 6, 9) else real(*args)

    monkeypatch.setattr(new_customers, "_safe_clv", four_in_ten_fail)
    result = clv.group_clv(ds.transactions, acquired, n_boot=10, min_customers=10, seed=1)
    own = result.table[result.table["model"] == "own"]
    assert len(own) > 0
    for row in own.itertuples():
        assert result.failed[row.group] >= 4 and len(result.draws[row.group]) == 10 - result.failed[row.group]
        assert np.isnan(row.clv_low) and np.isnan(row.clv_high)  # 40% failed > 20%: no interval
    sentence = result.failed_sentence()
    g = own["group"].iloc[0]
    assert f"{g} {result.failed[g]} of 10, so its interval is not shown" in sentence
    assert all(len(d) == 0 for k, d in result.shown_draws().items() if k in set(own["group"]))

    monkeypatch.setattr(new_customers, "_safe_clv", real)
    fine = clv.group_clv(ds.transactions, acquired, n_boot=10, min_customers=10, seed=1)
    for row in fine.table[fine.table["model"] == "own"].itertuples():
        if fine.failed[row.group] <= 2:
            assert np.isfinite(row.clv_low) and row.clv_low <= row.clv_high
    assert (fine.failed_sentence() == "") == (sum(fine.failed.values()) == 0)


#: The value of a new customer per channel on the shipped sample is within this of truth.json's expected CLV.
SAMPLE_CLV_TOL = 0.05


def _sample_channel_values():
    """group_clv on data/sample at the planted margin, discount rate and horizon (n_boot 30, seed 0): the result
    and truth.json's acquisition truth."""
    import json

    from conftest import ROOT
    from customer_workbook import acquisition, clv
    from customer_workbook.data import load_dataset

    truth = json.loads((ROOT / "data" / "sample" / "truth.json").read_text())["acquisition"]
    ds = load_dataset(ROOT / "data" / "sample")
    result = clv.group_clv(ds.transactions, acquisition.acquired_customers(ds), margin=truth["margin"],
                           annual_discount_rate=truth["annual_discount_rate"], horizon_years=truth["horizon_years"],
                           n_boot=30, seed=0)
    return result, truth


@pytest.fixture(scope="module")
def sample_channel_values():
    return _sample_channel_values()


def test_group_clv_recovers_the_planted_channel_values_on_the_sample(sample_channel_values):
    """On data/sample, CLV / truth (``acquisition.channels.*.expected_clv``) averages within 5% of 1 over the
    channels and at most one of the five 90% intervals misses the truth (two or more miss with probability 0.08 at
    nominal coverage); the purchase model is the one chosen on held-out data.

    Measured (margin 0.35, 10% a year, 5 years, n_boot 30, seed 0), CLV / truth: on the pre-warm-up sample, before
    the order-weighted spend and the returns on later days, referral 1.011, tv 1.047, search 1.052, social 1.082,
    display 1.057 (social's interval above its truth); after them referral 0.977, tv 0.997, search 1.016, social
    1.021, display 1.007. On the warmed-up sample (631c52f), BG/NBD: referral 0.949, tv 1.027, search 1.019,
    social 0.979, display 0.920 (display's interval 264-294 below its truth 301.7); with the model chosen on
    held-out data of the new customers, MBG/NBD (holdout error 2.312 against BG/NBD's 2.321): referral 0.946,
    tv 1.032, search 1.019, social 0.978, display 0.930 (interval 266-296), mean 0.981. truth.json's CLV then left
    out the dropout after the first order the generator simulates; counting it lowered the planted CLV by 1.9-3.7%,
    and: referral 0.964, tv 1.053, search 1.043, social 1.007, display 0.963, mean 1.006, every interval
    covering its truth. truth.json's order value was then taken as proportional to the customer's spend multiplier,
    but a line's quantity is at least one, so low-multiplier customers spend more than their share (display +7%,
    referral -4.5% on 100,000 customers); with the expected order value per persona and spend-multiplier band the
    planted CLV's order value matches each channel's realised one within 1.6%, and now: referral 1.025, tv 1.049,
    search 1.047, social 0.981, display 0.887 (interval 0.842-0.936 of the truth, the one miss), mean 0.998.
    On 100,000 customers (same seed): referral 1.051, tv 1.007, search 1.028, social 1.042, display 0.985."""
    result, truth = sample_channel_values
    table = result.table.set_index("group")
    assert set(table.index) == set(truth["channels"]) and (table["model"] == "own").all()
    assert result.choice is not None and result.choice.checked and result.purchase_model == result.choice.chosen
    assert all(v.model == result.purchase_model for v in result.values.values())
    ratios, missed = [], []
    for channel, row in table.iterrows():
        expected = truth["channels"][channel]["expected_clv"]
        if not row["clv_low"] <= expected <= row["clv_high"]:
            missed.append(channel)
        ratios.append(row["clv"] / expected)
    assert np.mean(ratios) == pytest.approx(1.0, abs=SAMPLE_CLV_TOL), ratios
    assert len(missed) <= 1, missed


@pytest.mark.xfail(strict=True, reason="each of five channels within 5% at once is noise-limited at this size (bootstrap "
                   "error 3-7% per channel); measured with the held-out choice (MBG/NBD): referral 1.025, tv 1.049, "
                   "search 1.047, social 0.981, display 0.887 of the truth; on 100,000 customers every channel is "
                   "at 0.985-1.051 of its truth")
def test_group_clv_every_channel_within_five_percent_on_the_sample(sample_channel_values):
    result, truth = sample_channel_values
    for row in result.table.itertuples():
        assert row.clv == pytest.approx(truth["channels"][row.group]["expected_clv"], rel=SAMPLE_CLV_TOL), row.group


def test_population_repeat_purchases_matches_the_closed_form_and_stays_finite():
    from customer_workbook.clv import BGNBDModel
    from customer_workbook.clv.new_customers import population_repeat_purchases

    t = np.array([0.5, 4.3, 52.0, 260.0, 520.0])
    for params in ({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},  # CDNOW
                   {"r": 0.92, "alpha": 10.6, "a": 45.7, "b": 1143.0}):
        model = BGNBDModel()
        model.params_ = pd.Series(params)
        assert population_repeat_purchases(params, t) == pytest.approx(model.expected_purchases_population(t), rel=1e-5)
    # a and b run off together: everyone drops out with p = a / (a + b); the closed form overflows, this is
    # the homogeneous-dropout limit, E[X(t)] = E_lambda[(1 - exp(-lambda p t)) / p]
    huge = {"r": 0.85, "alpha": 9.7, "a": 75_380.0, "b": 2_289_670.0}
    p = huge["a"] / (huge["a"] + huge["b"])
    limit = (1 - (huge["alpha"] / (huge["alpha"] + p * t)) ** huge["r"]) / p
    assert population_repeat_purchases(huge, t) == pytest.approx(limit, rel=1e-3)
    # MBG/NBD: given p, (1 - p)(1 - exp(-lambda p t)) / p; the same-dropout limit gets the factor 1 - p
    assert population_repeat_purchases(huge, t, dropout_after_first=True) == pytest.approx((1 - p) * limit, rel=1e-3)


def test_mbg_population_repeat_purchases_matches_the_model():
    from customer_workbook.clv import MBGNBDModel
    from customer_workbook.clv.new_customers import population_repeat_purchases

    t = np.array([0.5, 4.3, 52.0, 260.0, 520.0])
    for params in ({"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614},  # published CDNOW MBG/NBD
                   {"r": 1.3, "alpha": 11.0, "a": 1.2, "b": 16.0}):   # the sample generator's base parameters
        model = MBGNBDModel()
        model.params_ = pd.Series(params)
        found = population_repeat_purchases(params, t, dropout_after_first=True)
        assert found == pytest.approx(model.expected_purchases_population(t), rel=1e-5)
        assert (found < population_repeat_purchases(params, t)).all()   # fewer repeats than BG/NBD's


def test_group_clv_values_with_the_purchase_model_chosen_on_held_out_data(small_sample):
    """The choice is made once on all new customers (compare_models) and used for every group; a forced single
    candidate is used as given; the section's sentence names the model."""
    from customer_workbook import acquisition, clv
    from customer_workbook.data import load_dataset

    ds = load_dataset(small_sample)
    acquired = acquisition.acquired_customers(ds)
    chosen = clv.group_clv(ds.transactions, acquired, n_boot=0, min_customers=10, seed=1)
    assert chosen.choice.checked and chosen.purchase_model in ("BG/NBD", "MBG/NBD")
    assert {s.model for s in chosen.choice.scores} == {"BG/NBD", "MBG/NBD"}
    assert {v.model for v in chosen.values.values()} == {chosen.purchase_model}
    assert chosen.purchase_model in chosen.model_sentence() and "held-out" in chosen.model_sentence()
    for forced in ("BG/NBD", "MBG/NBD"):
        result = clv.group_clv(ds.transactions, acquired, n_boot=0, min_customers=10, seed=1, models=(forced,))
        assert result.purchase_model == forced and {v.model for v in result.values.values()} == {forced}
    with pytest.raises(ValueError):
        clv.new_customer_value(pd.DataFrame(), pd.Series(dtype=float), 1, model="Pareto/NBD")


def _repeat_and_once(n: int = 80, seed: int = 6) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` customers who buy again now and then (exponential gaps, some drop out) and ``n`` who buy once."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        day, stop = float(rng.integers(0, 60)), float(rng.uniform(60, 700))
        while day < min(stop, 700):
            rows.append((f"r{i}", pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(day)), float(rng.gamma(4, 10))))
            day += 1 + rng.exponential(rng.gamma(2, 30))
        rows.append((f"o{i}", pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 60))), 30.0))
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    acquired = pd.DataFrame({"customer_id": [f"r{i}" for i in range(n)] + [f"o{i}" for i in range(n)],
                             "group": ["repeat"] * n + ["once"] * n})
    return tx, acquired


def test_group_defined_by_not_reordering_does_not_borrow_the_pooled_model():
    """A group whose customers never reorder (the unplaced persona) cannot fit a repeat model of its own; with
    ``pooled_fallback=False`` it is left out instead of being credited with the repeat orders of all new customers."""
    from customer_workbook import clv

    tx, acquired = _repeat_and_once()
    lent = clv.group_clv(tx, acquired, group_column="group", n_boot=0)
    assert lent.table.set_index("group").loc["once", "model"] == "pooled"  # the fallback credits repeat orders
    assert lent.table.set_index("group").loc["once", "repeat_purchases"] > 1
    kept = clv.group_clv(tx, acquired, group_column="group", n_boot=0, pooled_fallback=False)
    assert list(kept.table["group"]) == ["repeat"] and "no repeat purchases" in kept.left_out["once"]


def test_pooled_model_weights_capped_groups_back_to_their_size(monkeypatch):
    """Groups capped at ``max_customers`` count at their true size in the pooled fit: 80 "once" customers capped
    to 40 weigh 2 each, the 40 kept of the 80 "repeat" ones too; uncapped groups weigh 1."""
    from customer_workbook import clv
    from customer_workbook.clv import new_customers

    seen = {}

    def capture(rfm, fv, amounts, n_acquired, months, model="BG/NBD", weights=None):
        seen.update(zip(rfm.index, weights))
        return None, "captured"

    monkeypatch.setattr(new_customers, "_pooled_value", capture)
    tx, acquired = _repeat_and_once()
    clv.group_clv(tx, acquired.iloc[:100], group_column="group", n_boot=0, max_customers=40)  # 80 repeat, 20 once
    assert {k: v for k, v in seen.items() if k.startswith("o")} == {f"o{i}": 1.0 for i in range(20)}
    assert len([k for k in seen if k.startswith("r")]) == 40
    assert all(v == 2.0 for k, v in seen.items() if k.startswith("r"))
