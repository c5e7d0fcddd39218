"""The one customer-value scorer (clv.score_customers): published CDNOW numbers, fit report, seeds, samples."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook import clv

AS_OF = "1997-10-01"          # scoring date: the CDNOW calibration period ends on 1997-09-30
MONTHLY_1PCT = 1.01 ** 12 - 1  # the yearly rate equal to 1% a month


@pytest.fixture(scope="module")
def cdnow():
    return clv.load_cdnow()


@pytest.fixture(scope="module")
def scored(cdnow):
    # BG/NBD only: the published numbers; the model choice is tested below
    return clv.score_customers(cdnow, AS_OF, margin=1.0, discount_rate=MONTHLY_1PCT, horizons_months=(12, 36),
                               models=("BG/NBD",))


def test_reproduces_the_published_cdnow_estimates(scored):
    # Fader, Hardie & Lee (2005): r, alpha, a, b = 0.243, 4.414, 0.793, 2.426 (tests/unit/clv/test_cdnow.py);
    # Fader & Hardie (2013): Gamma-Gamma p, q, gamma = 6.25, 3.74, 15.44 on the 946 repeat buyers
    rep = scored.report
    assert {k: round(v, 3) for k, v in rep.purchases.params.items()} == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert {k: round(v, 2) for k, v in rep.spend.params.items()} == {"p": 6.25, "q": 3.74, "gamma": 15.44}
    assert rep.purchases.n_customers == 2357 and rep.spend.n_customers == 946
    assert rep.n_scored == 2357 and rep.n_fitted == 2357 and rep.n_one_time == 1411 and rep.n_new == 0
    assert rep.ok and rep.purchases.at_bound == () and rep.purchases.warnings == ()
    assert rep.spend_frequency.correlation == pytest.approx(0.1139, abs=1e-3)
    np.testing.assert_allclose(list(rep.purchases.standard_errors.values()), [0.012557, 0.378224, 0.185734, 0.705414],
                               rtol=2e-4)
    t = scored.table
    assert float(t["p_alive"].mean()) == pytest.approx(0.8134398, abs=1e-6)          # independent implementation
    assert float(t["clv_1y"].sum()) == pytest.approx(71_550.2, abs=0.5)             # test_cdnow_clv_end_to_end
    assert t.loc["00004", "monetary_value"] == pytest.approx((29.73 + 14.96) / 2)


def test_table_is_complete_and_consistent(scored):
    t = scored.table
    cols = ["frequency", "recency", "T", "monetary_value", "p_alive", "expected_orders_1y", "expected_spend",
            "clv_1y", "clv_3y"]
    assert list(t.columns) == cols and t.index.name == "customer_id"
    assert not t.isna().any().any() and (t["clv_3y"] >= t["clv_1y"]).all() and (t["clv_1y"] > 0).all()
    one_time = t["frequency"] == 0
    assert (t.loc[one_time, "p_alive"] == 1.0).all()                         # a BG/NBD property, stated
    assert t.loc[one_time, "expected_spend"].nunique() == 1                  # the population mean spend
    assert t.loc[one_time, "expected_spend"].iloc[0] == pytest.approx(scored.spend_model.population_mean_spend())
    assert scored.clv(36).equals(t["clv_3y"])
    assert "BG/NBD converged on 2,357 customers; no parameter at a bound" in scored.report.sentence()


def test_history_stops_before_as_of_and_new_customers_are_scored(cdnow):
    extra = pd.DataFrame({"customer_id": ["new", "late"], "date": pd.to_datetime(["1997-09-30", "1997-10-01"]),
                          "amount": [12.0, 50.0], "quantity": [1, 1]})
    s = clv.score_customers(pd.concat([cdnow, extra], ignore_index=True), AS_OF, models=("BG/NBD",))
    assert len(s.table) == 2358 and "late" not in s.table.index           # "late" bought on as_of: not history
    d = s.table.loc["new"]                                                  # first purchase on the last day: T = 0
    assert d["T"] == 0 and d["p_alive"] == 1.0 and s.report.n_new == 1
    assert d["expected_orders_1y"] == pytest.approx(float(s.purchase_model.expected_purchases_population(
        12 * clv.DAYS_PER_MONTH / 7)))
    assert 0 < d["clv_1y"] < d["clv_3y"] and not s.table.isna().any().any()
    assert s.report.purchases.n_customers == 2357                           # T = 0 carries no information: not fitted


def _one_timers(n=200):
    rng = np.random.default_rng(0)
    return pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)],
                         "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
                         "amount": rng.gamma(3.0, 10.0, n)})


def test_a_failing_fit_is_reported_not_silent():
    s = clv.score_customers(_one_timers(), "2025-01-01")
    rep = s.report
    assert not rep.ok and not rep.purchases.converged and "frequency 0" in rep.purchases.error
    assert rep.spend.error is not None and s.purchase_model is None
    assert "BG/NBD failed" in rep.sentence() and "Gamma-Gamma failed" in rep.sentence()
    assert s.table["clv_1y"].isna().all() and rep.n_not_finite == len(s.table)  # no number pretending to be a value


def test_a_fit_at_a_bound_is_flagged():
    # one repeat buyer among many one-timers, all spending the same: Gamma-Gamma cannot identify its shape
    tx = pd.concat([_one_timers(), pd.DataFrame({"customer_id": ["r", "r", "r"], "amount": [10.0, 10.0, 10.0],
                                                 "date": pd.to_datetime(["2024-01-02", "2024-03-01", "2024-06-01"])})])
    rep = clv.score_customers(tx, "2025-01-01").report
    flagged = [f for f in (rep.purchases, rep.spend) if not f.ok]
    assert flagged and all(f.at_bound or f.warnings or f.error or not f.converged for f in flagged)
    assert not rep.ok and "at a bound" in rep.sentence()
    # scores that cannot be computed at such parameters are counted and named, never passed off as values
    assert rep.n_not_finite == 0 or "could not be scored" in rep.sentence()


def test_deterministic_for_a_seed_and_sample_size_respected(cdnow):
    kw = dict(as_of=AS_OF, max_fit_customers=1000)
    a, b = clv.score_customers(cdnow, seed=3, **kw), clv.score_customers(cdnow, seed=3, **kw)
    c = clv.score_customers(cdnow, seed=4, **kw)
    assert a.report.n_fitted == 1000 and a.report.purchases.n_customers == 1000 and a.report.n_scored == 2357
    assert len(a.table) == 2357 and not a.table["clv_1y"].isna().any()
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.report.purchases.params == b.report.purchases.params
    assert a.report.purchases.params != c.report.purchases.params
    assert "a seeded sample of 1,000 of the 2,357 customers" in a.report.sentence()


def test_too_few_repeat_buyers_for_the_spend_model_is_said_not_fitted():
    rng = np.random.default_rng(1)
    repeat = pd.DataFrame({"customer_id": np.repeat([f"r{i}" for i in range(clv.MIN_REPEAT_BUYERS - 1)], 3),
                           "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, 87), unit="D"),
                           "amount": rng.gamma(3.0, 10.0, 87)})
    rep = clv.score_customers(pd.concat([_one_timers(), repeat]), "2025-01-01").report
    assert not rep.spend.ok and f"needs at least {clv.MIN_REPEAT_BUYERS}" in rep.spend.error
    assert not rep.ok and "Gamma-Gamma failed (only 29 repeat buyers" in rep.sentence()


# ------------------------------------------------------------------ model choice on held-out data
@pytest.fixture(scope="module")
def chosen(cdnow):
    return clv.score_customers(cdnow)          # the whole 78 weeks: a 26-week holdout


def test_models_are_compared_on_a_holdout_and_the_best_is_refitted(chosen, cdnow):
    c = chosen.report.choice
    assert c.checked and c.calibration_end == pd.Timestamp("1997-12-31") and c.holdout_weeks == pytest.approx(26, abs=0.2)
    assert [s.model for s in c.scores] == ["BG/NBD", "MBG/NBD"] and all(s.passed for s in c.scores)
    best = min(c.scores, key=lambda s: s.mae)
    assert c.chosen == best.model == chosen.report.purchases.model
    assert chosen.report.purchases.n_customers == 2357                  # refitted on the whole history
    # the holdout numbers are the table's: actual repeat purchases and each model's prediction
    h = chosen.holdout
    assert c.actual_total == h["frequency_holdout"].sum() == 1151           # CDNOW 1998-01-01..1998-06-30
    assert c.chosen_score.mae == pytest.approx(float((h[f"predicted_{c.chosen}"] - h["frequency_holdout"]).abs().mean()))
    assert c.beats_baseline and c.chosen_score.mae < 0.9 * c.baseline_mae and chosen.report.ok
    assert abs(c.chosen_score.predicted_total / c.actual_total - 1) < 0.1   # the total within 10%
    text = chosen.report.sentence()
    assert f"Purchase model {c.chosen}, chosen on held-out data" in text and "naive rate baseline" in text
    assert "P(alive) 1" not in text


def test_one_time_buyers_are_not_certainly_alive_when_the_data_say_so(chosen):
    t = chosen.table
    once = t["frequency"] == 0
    assert chosen.report.purchases.model != "BG/NBD" and t.loc[once, "p_alive"].max() < 0.9


def test_report_is_not_ok_when_the_model_does_not_beat_the_baseline(chosen):
    from dataclasses import replace
    c = chosen.report.choice
    worse = replace(c, baseline_mae=c.chosen_score.mae * 0.5)
    assert not worse.beats_baseline and not replace(chosen.report, choice=worse).ok
    assert chosen.report.ok
    failed = tuple(replace(sc, converged=False) for sc in c.scores)
    none = replace(c, scores=failed, reason=clv.selection._reason(failed, "BG/NBD", c.baseline_mae), chosen="BG/NBD")
    text = replace(chosen.report, choice=none).sentence()
    assert "checked on held-out data" in text and "no model passed its fit checks" in text and "chosen on" not in text


def test_short_history_is_scored_unchecked_and_said(cdnow):
    short = cdnow.loc[cdnow["date"] < "1997-04-01"]          # 90 days: too short to hold out 56
    s = clv.score_customers(short)
    assert not s.report.choice.checked and s.report.purchases.model == "BG/NBD" and not s.report.ok
    assert "too short to hold out" in s.report.sentence() and s.holdout is None


def test_fit_figures_show_actual_and_every_candidate(chosen, cdnow):
    from customer_workbook.plots.model_fit import (holdout_by_frequency, plot_calibration_holdout_models,
                                                   plot_tracking_models)
    table = holdout_by_frequency(chosen.holdout)
    assert table["customers"].sum() == 2357 and list(table.columns) == ["customers", "actual", "BG/NBD", "MBG/NBD"]
    assert table.loc[0, "actual"] == pytest.approx(
        chosen.holdout.loc[chosen.holdout["frequency"] == 0, "frequency_holdout"].mean())
    fig = plot_calibration_holdout_models(chosen)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["actual", *[f"{m}{' (chosen)' if m == chosen.report.choice.chosen else ''}"
                                  for m in ("BG/NBD", "MBG/NBD")]]
    track = plot_tracking_models(chosen, cdnow)
    actual = track.axes[0].lines[0].get_ydata()
    assert actual[-1] == chosen.table["frequency"].sum()          # every repeat purchase day of the 78 weeks
    assert "end of calibration" in track.axes[0].get_legend_handles_labels()[1]
    short = clv.score_customers(cdnow.loc[cdnow["date"] < "1997-04-01"])
    assert plot_calibration_holdout_models(short) is None and plot_tracking_models(short, cdnow) is None


def test_a_held_out_total_missed_by_more_than_ten_percent_is_said_with_its_direction(chosen):
    """CDNOW's chosen model predicts its held-out total within 10%: no warning. The same choice with the actual
    total moved says over- or under-prediction, by how much, and which way values are probably wrong."""
    from dataclasses import replace
    c = chosen.report.choice
    assert abs(c.holdout_gap) <= clv.selection.DRIFT_TOLERANCE and c.drift_sentence() == ""
    assert "held-out weeks by" not in chosen.report.sentence()
    predicted = c.chosen_score.predicted_total
    over = replace(c, actual_total=predicted / 1.25)
    assert over.holdout_gap == pytest.approx(0.25)
    text = replace(chosen.report, choice=over).sentence()
    assert "over-predicted the held-out weeks by 25%" in text and "probably optimistic" in text
    under = replace(c, actual_total=predicted / 0.8).drift_sentence()
    assert "under-predicted the held-out weeks by 20%" in under and "bought more" in under and "pessimistic" in under
    assert replace(c, actual_total=0.0).holdout_gap is None and replace(c, actual_total=0.0).drift_sentence() == ""


def test_the_sample_company_s_weaker_last_months_are_flagged():
    """The sample plants a delivery slowdown and a competitor's price cut that raise dropout in its last seven
    months; the model fitted on the history before the holdout over-predicts it (measured +16.5%)."""
    from pathlib import Path

    from customer_workbook import data
    sample = Path(__file__).resolve().parents[3] / "data" / "sample"
    tx = data.load_dataset(sample).transactions
    choice, _, _ = clv.selection.compare_models(tx, tx["date"].max().normalize() + pd.Timedelta(days=1),
                                                fit=clv.scoring._fit, seed=0)
    assert choice.holdout_gap > clv.selection.DRIFT_TOLERANCE
    assert choice.drift_sentence().startswith(f"The model over-predicted the held-out weeks by {choice.holdout_gap:.0%}")


def test_scoring_in_pieces_gives_the_whole_table(cdnow):
    """``CustomerValue.score`` scores any batch of rows with the fitted models: pieces in any order (as a
    Spark pandas UDF would see them) give exactly the scores of the whole table, new customers (T = 0) too."""
    newcomer = pd.DataFrame({"customer_id": ["new"], "date": pd.to_datetime(["1997-05-31"]).astype(cdnow["date"].dtype),
                             "amount": [20.0], "quantity": [1]})  # first purchase on the last day: T = 0
    value = clv.score_customers(pd.concat([cdnow, newcomer], ignore_index=True), "1997-06-01",
                                models=("MBG/NBD",), horizons_months=(12,))
    table = value.table
    assert (table["T"] == 0).any() and (table["T"] > 0).any()
    stats = table[["frequency", "recency", "T", "monetary_value"]]
    order = np.random.default_rng(0).permutation(len(stats))
    pieces = [value.score(stats.iloc[part]) for part in np.array_split(order, 7)]
    again = pd.concat(pieces).loc[table.index]
    pd.testing.assert_frame_equal(again, table, check_exact=False, rtol=1e-12)
