"""CLV data preparation, model interface and bad-input handling (small hand-made data)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from customer_workbook import clv
from customer_workbook.clv import CLVDataWarning, CLVInputError

END = "2024-01-31"


def _tx(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(
        date=lambda d: pd.to_datetime(d["date"], format="ISO8601"))


@pytest.fixture()
def tx():
    return _tx([
        ("A", "2024-01-01 09:00", 10.0), ("A", "2024-01-01 17:30", 5.0),   # two orders, one day -> one purchase
        ("A", "2024-01-08", 20.0),
        ("A", "2024-01-15", -20.0),                                         # pure return: not a purchase
        ("A", "2024-01-22", 30.0), ("A", "2024-01-22", -30.0),              # bought and returned: not a purchase
        ("B", "2024-01-10", 0.0),                                           # free order: a purchase
        ("B", "2024-01-20", 12.0),
        ("C", "2024-01-05", -15.0),                                         # only a refund: excluded
        ("D", "2024-01-31", 40.0),                                          # acquired on the last day: T = 0
        ("E", "2024-02-02", 50.0),                                          # after the window: ignored
        ("F", "2024-01-03", 8.0), ("F", "2024-01-04", 9.0), ("F", "2024-01-10", 11.0),
    ])


def _rfm(tx, **kw):
    """The table of rfm_summary (its data warnings muted)."""
    return _summary(tx, **kw).table


def _summary(tx, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CLVDataWarning)
        return clv.rfm_summary(tx, END, **kw)


def test_input_error_is_a_value_error():
    assert issubclass(CLVInputError, ValueError)


def test_daily_rfm_merges_same_day_lines_and_skips_returns(tx):
    rfm = _rfm(tx)
    assert rfm.index.tolist() == ["A", "B", "F"]
    assert rfm.loc["A"].tolist() == [1, 7.0, 30.0, 20.0]
    assert rfm.loc["B"].tolist() == [1, 10.0, 21.0, 12.0]
    assert rfm.loc["F"].tolist() == [2, 7.0, 28.0, 10.0]
    assert rfm["frequency"].dtype == np.int64
    summary = _summary(tx)
    assert summary.time_unit == "D" and summary.freq == "D" and summary.observation_end == pd.Timestamp(END)
    assert isinstance(summary, clv.PurchaseSummary) and len(summary) == 3


def test_weekly_periods_end_on_observation_end(tx):
    rfm = _rfm(tx, freq="W")
    # F buys on Jan 3 (week ending Jan 3) and Jan 4 + Jan 10 (same week, Jan 4-10)
    assert rfm.loc["F"].tolist() == [1, 1.0, 4.0, 20.0]
    assert rfm.loc["A"].tolist() == [1, 1.0, 4.0, 20.0]   # Jan 1 is in the block Dec 28 - Jan 3
    in_days = _rfm(tx, freq="W", time_unit="D")
    assert in_days.loc["F", "T"] == 28.0


def test_daily_purchases_in_weeks(tx):
    rfm = _rfm(tx, freq="D", time_unit="W")
    assert rfm.loc["A", "recency"] == pytest.approx(1.0)
    assert rfm.loc["B", "T"] == pytest.approx(3.0)


def test_excluded_customers_are_reported(tx):
    with pytest.warns(CLVDataWarning) as record:
        summary = clv.rfm_summary(tx, END)
    messages = " | ".join(str(w.message) for w in record)
    assert "1 customer (e.g. 'C')" in messages and "return or refund" in messages
    assert "1 customer (e.g. 'D')" in messages and "T = 0" in messages
    assert summary.excluded == {"no_purchase": 1, "T_zero": 1}
    assert "E" not in summary.table.index


def test_calibration_and_holdout_split(tx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CLVDataWarning)
        summary = clv.calibration_and_holdout(tx, "2024-01-09", END)
    split = summary.table
    assert summary.calibration_end == pd.Timestamp("2024-01-09")
    # only A (Jan 1) and F (Jan 3) were acquired by Jan 9; A's Jan 8 purchase is calibration
    assert split.index.tolist() == ["A", "F"]
    assert split.loc["A", ["frequency", "recency", "T"]].tolist() == [1, 7.0, 8.0]
    assert split.loc["A", "frequency_holdout"] == 0          # Jan 15 and Jan 22 net to returns
    assert split.loc["F", "frequency_holdout"] == 1 and split.loc["F", "monetary_value_holdout"] == 11.0
    assert (split["duration_holdout"] == 22.0).all()


@pytest.mark.parametrize("cal, obs, days", [("2024-01-31", "2024-01-31", 0), ("2024-01-31", "2024-01-10", -21)])
def test_empty_or_negative_holdout_window_is_an_error(tx, cal, obs, days):
    with pytest.raises(CLVInputError, match=f"holdout window of {days} days"):
        clv.calibration_and_holdout(tx, cal, obs)


def test_observation_end_before_any_transaction(tx):
    with pytest.raises(CLVInputError, match="observation window is empty"):
        clv.rfm_summary(tx, "2023-12-31")


def test_every_customer_acquired_on_last_day_is_an_error():
    one_day = _tx([("A", "2024-01-31", 5.0), ("B", "2024-01-31", 6.0)])
    with pytest.raises(CLVInputError, match="T = 0"), pytest.warns(CLVDataWarning, match="2 customers"):
        clv.rfm_summary(one_day, END)


@pytest.mark.parametrize("column", ["customer_id", "date", "amount"])
def test_missing_values_in_transactions_name_count_and_ids(tx, column):
    bad = tx.copy()
    bad[column] = bad[column].astype(object)
    bad.loc[[2, 7], column] = None
    with pytest.raises(CLVInputError, match=rf"2 transaction lines have a missing '{column}'"):
        clv.rfm_summary(bad, END)


def test_missing_column_and_bad_arguments(tx):
    with pytest.raises(CLVInputError, match=r"lack required column\(s\) \['amount'\]"):
        clv.rfm_summary(tx.drop(columns="amount"), END)
    with pytest.raises(CLVInputError, match="freq must be"):
        clv.rfm_summary(tx, END, freq="M")
    with pytest.raises(CLVInputError, match="time_unit must be"):
        clv.rfm_summary(tx, END, time_unit="Y")
    with pytest.raises(CLVInputError, match="not a date"):
        clv.rfm_summary(tx, "yesterday-ish")


GOOD = {"frequency": [0, 2, 1, 5], "recency": [0.0, 10.0, 3.0, 30.0], "T": [20.0, 30.0, 25.0, 40.0]}


@pytest.mark.parametrize("column, values, message", [
    ("recency", [0.0, np.nan, 3.0, np.nan], r"NaN or infinite frequency/recency/T for 2 customers \(e.g. 'b', 'd'\)"),
    ("frequency", [0, -1, 1, 5], r"negative frequency: 1 customer \(e.g. 'b'\)"),
    ("frequency", [0, 2.5, 1, 5], "non-integer frequency"),
    ("T", [0.0, 30.0, 25.0, 40.0], r"T = 0 .*1 customer \(e.g. 'a'\)"),
    ("T", [20.0, -3.0, 25.0, 40.0], "negative T"),
    ("recency", [0.0, 31.0, 3.0, 41.0], r"recency greater than T: 2 customers \(e.g. 'b', 'd'\)"),
    ("recency", [0.0, 0.0, 3.0, 30.0], "repeat purchases but recency 0"),
    ("recency", [4.0, 10.0, 3.0, 30.0], "recency > 0 without repeat purchases"),
])
@pytest.mark.parametrize("model", [clv.BGNBDModel, clv.ParetoNBDModel])
def test_bad_rfm_rows_raise_with_count_and_ids(model, column, values, message):
    data = pd.DataFrame(GOOD, index=pd.Index(list("abcd"), name="customer_id"))
    data[column] = values
    with pytest.raises(CLVInputError, match=message):
        model().fit(data)


@pytest.mark.parametrize("model", [clv.BGNBDModel, clv.ParetoNBDModel])
def test_all_zero_frequency_cannot_be_fitted(model):
    data = {"frequency": [0, 0, 0], "recency": [0.0, 0.0, 0.0], "T": [5.0, 6.0, 7.0]}
    with pytest.raises(CLVInputError, match="all 3 customers have frequency 0"):
        model().fit(data)


def test_empty_and_malformed_inputs():
    with pytest.raises(CLVInputError, match="empty"):
        clv.BGNBDModel().fit({"frequency": [], "recency": [], "T": []})
    with pytest.raises(CLVInputError, match=r"missing column\(s\) \['T'\]"):
        clv.BGNBDModel().fit({"frequency": [1], "recency": [1.0]})
    with pytest.raises(CLVInputError, match="expected a DataFrame"):
        clv.BGNBDModel().fit([[1, 2, 3]])
    with pytest.raises(RuntimeError, match="not fitted"):
        clv.BGNBDModel().probability_alive(GOOD)


def test_predictions_validate_rows_too():
    model = clv.BGNBDModel().fit(clv.simulate_bgnbd(500, 0.5, 5.0, 0.8, 3.0, T=30.0, seed=3))
    with pytest.raises(CLVInputError, match="recency greater than T"):
        model.probability_alive({"frequency": [1], "recency": [5.0], "T": [4.0]})
    with pytest.raises(CLVInputError, match="horizon t must be >= 0"):
        model.expected_purchases(-1, GOOD)


def test_gamma_gamma_bad_input():
    with pytest.raises(CLVInputError, match=r"NaN or infinite frequency/monetary_value for 1 customer"):
        clv.GammaGammaModel().fit({"frequency": [1, 2], "monetary_value": [np.nan, 3.0]})
    with pytest.raises(CLVInputError, match="no customer has a repeat purchase"):
        clv.GammaGammaModel().fit({"frequency": [0, 0], "monetary_value": [0.0, 0.0]})
    x = np.tile([1, 2, 3, 4], 50)
    m = clv.simulate_gamma_gamma(x, 6.0, 4.0, 15.0, seed=1)
    m[0] = 0.0
    with pytest.warns(CLVDataWarning, match=r"ignores 1 customer .* monetary_value <= 0"):
        model = clv.GammaGammaModel().fit({"frequency": x, "monetary_value": m})
    assert model.n_customers_ == 199


def test_clv_argument_checks():
    sim = clv.simulate_bgnbd(500, 0.5, 5.0, 0.8, 3.0, T=30.0, seed=3)
    model = clv.BGNBDModel().fit(sim)
    with pytest.raises(CLVInputError, match="time unit is unknown"):
        clv.customer_lifetime_value(model, 10.0, sim)
    with pytest.raises(CLVInputError, match="discount_rate must be > -1"):
        clv.customer_lifetime_value(model, 10.0, sim, discount_rate=-1.0, time_unit="W")
    with pytest.raises(CLVInputError, match="rate_period"):
        clv.customer_lifetime_value(model, 10.0, sim, rate_period="week", time_unit="W")
    with pytest.raises(CLVInputError, match="horizon_months"):
        clv.customer_lifetime_value(model, 10.0, sim, horizon_months=0, time_unit="W")
    with pytest.raises(CLVInputError, match="spend contains NaN"):
        clv.customer_lifetime_value(model, np.nan, sim, time_unit="W")


def test_weights_equal_duplicated_rows_and_mapping_input():
    sim = clv.simulate_bgnbd(3000, 0.5, 5.0, 0.8, 3.0, T=30.0, seed=5, resolution=1 / 7)
    doubled = pd.concat([sim, sim])
    a = clv.BGNBDModel().fit(doubled)
    b = clv.BGNBDModel().fit(sim, weights=np.full(len(sim), 2.0))
    arrays = {k: sim[k].to_numpy() for k in ("frequency", "recency", "T")}
    c = clv.BGNBDModel().fit(arrays, weights=2 * np.ones(len(sim)))
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-8)
    np.testing.assert_allclose(a.params_, c.params_, rtol=1e-8)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-12)
    assert a.n_customers_ == 6000 and a.n_unique_rows_ < len(sim)


def test_summary_and_repr():
    model = clv.ParetoNBDModel().fit(clv.simulate_pareto_nbd(2000, 0.6, 8.0, 0.7, 10.0, T=40.0, seed=2,
                                                             resolution=1 / 7), time_unit="W")
    table = model.summary()
    assert list(table.columns) == ["estimate", "std_error", "lower_95", "upper_95"]
    assert list(table.index) == ["r", "alpha", "s", "beta"]
    assert (table["lower_95"] < table["estimate"]).all() and (table["estimate"] < table["upper_95"]).all()
    assert model.n_customers_ == 2000 and np.isfinite(model.log_likelihood_)
    assert "ParetoNBDModel(r=" in repr(model) and model.time_unit_ == "W"
    assert repr(clv.GammaGammaModel()) == "GammaGammaModel(unfitted)"
