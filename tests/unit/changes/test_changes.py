"""Unit tests of customer_workbook.changes (step 2): hand-computed cases and synthetic series with known breaks."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from customer_workbook import changes, plots, widgets

WEEKS = pd.date_range("2023-01-02", periods=156, freq="7D")
SEASON = np.array([0.80, 0.75, 0.90, 1.05, 1.20, 1.15, 1.00, 0.90, 0.85, 0.95, 1.25, 1.50])


def seasonal_counts(rng, level=400.0, break_at=None, factor=1.0, weeks=WEEKS):
    """Poisson weekly counts with a strong December peak and an optional multiplicative step."""
    mult = SEASON[(weeks + pd.Timedelta(days=3)).month - 1]
    lam = level * mult / SEASON.mean()
    if break_at is not None:
        lam = np.where(np.arange(len(weeks)) >= break_at, lam * factor, lam)
    return pd.Series(rng.poisson(lam).astype(float), index=weeks)


# --------------------------------------------------------------------------- hand-computed cases


def test_optimal_partition_finds_a_clean_step_exactly():
    y = np.r_[np.zeros(10), np.full(10, 5.0)]
    assert changes.optimal_partition(y, np.ones(20), penalty=1.0, min_size=3) == [10]
    # a penalty larger than the whole gain (10*10*25/20 = 125) keeps a single segment
    assert changes.optimal_partition(y, np.ones(20), penalty=126.0, min_size=3) == []


def test_optimal_partition_ignores_weeks_without_data():
    y = np.r_[np.zeros(8), [99.0, 99.0], np.zeros(8)]
    w = np.r_[np.ones(8), [0.0, 0.0], np.ones(8)]
    assert changes.optimal_partition(y, w, penalty=0.5, min_size=3) == []


def test_compare_samples_hand_case():
    r = changes.compare_samples(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0]))
    assert r.diff == pytest.approx(1.0)
    assert r.hedges_g == pytest.approx(1.0 * (1 - 3 / (4 * 6 - 9)))  # pooled SD 1, small-sample factor
    assert r.ci_low < 0 < r.ci_high and r.p == pytest.approx(0.288, abs=0.01)


def test_compare_windows_hand_case():
    z = np.r_[np.ones(4), np.full(4, 3.0)] + np.tile([0.1, -0.1], 4)
    idx = np.arange(8)
    r = changes.compare_windows(z, np.ones(8), idx < 4, idx >= 4)
    assert r.diff == pytest.approx(2.0)
    # pooled variance = 8 * 0.01 / 6, se = sqrt(var * (1/4 + 1/4))
    assert r.se == pytest.approx(np.sqrt(8 * 0.01 / 6 * 0.5))


def test_noise_scale_recovers_variance_and_autocorrelation():
    rng = np.random.default_rng(1)
    white = rng.normal(0, 2, 5000)
    tau2, rho = changes.noise_scale(white, np.ones(5000))
    assert tau2 == pytest.approx(4.0, rel=0.1) and rho < 0.05
    e = np.zeros(5000)
    shocks = rng.normal(0, 1, 5000)
    for t in range(1, 5000):
        e[t] = 0.5 * e[t - 1] + shocks[t]
    _, rho = changes.noise_scale(e, np.ones(5000))
    assert rho == pytest.approx(0.5, abs=0.08)


def test_a_closed_cohorts_end_of_acquisition_is_found_through_its_ramp_and_decay():
    """Like the CDNOW cohort: orders ramp up while customers join (12 weeks), fall by 60% when acquisition
    ends, then decay smoothly. The smooth ramp and decay are not noise; the fall is one break."""
    rng = np.random.default_rng(3)
    weeks = WEEKS[:78]
    t = np.arange(78)
    lam = np.where(t < 12, 800 + 150 * t, 0.4 * 2600 * np.exp(-(t - 12) / 40))
    orders = pd.Series(rng.poisson(lam * rng.lognormal(0, 0.08, 78)).astype(float), index=weeks)
    smooth = np.log(lam[12:] + 0.5)
    tau2, _ = changes.noise_scale(smooth + rng.normal(0, 0.1, len(smooth)), np.ones(len(smooth)))
    assert tau2 == pytest.approx(0.01, rel=0.4)  # the decay adds nothing to the noise
    cp = changes.detect_change_points(orders, log=True, seasonal=True)
    assert any(abs(b - 12) <= 1 for b in cp.breaks)


def test_cusum_p_value_separates_shift_from_noise():
    rng = np.random.default_rng(2)
    noise = rng.normal(0, 1, 60)
    window = np.ones(60, dtype=bool)
    assert changes.cusum_p_value(noise, np.ones(60), window, tau2=1.0) > 0.05
    shifted = noise + np.r_[np.zeros(30), np.full(30, 1.5)]
    assert changes.cusum_p_value(shifted, np.ones(60), window, tau2=1.0) < 1e-4


# --------------------------------------------------------------------------- change points on synthetic series


@pytest.mark.parametrize("at", [40, 110])
def test_detects_a_planted_break_within_two_weeks_despite_seasonality(at):
    """A 15% drop in Poisson counts (about 400 a week, strong December peak): found within +/- 2 weeks in at
    least 17 of 20 simulated series, with few extra breaks, and the step is sized correctly."""
    hits, extra = 0, 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        cp = changes.detect_change_points(seasonal_counts(rng, break_at=at, factor=0.85), log=True, seasonal=True)
        near = [b for b in cp.breaks if abs(b - at) <= 2]
        hits += bool(near)
        extra += len(cp.breaks) - len(near)
        if near and len(cp.breaks) == 1:
            view = changes.series_view(cp)
            assert view["level"].iloc[-1] / view["level"].iloc[0] == pytest.approx(0.85, abs=0.05)
    assert hits >= 17 and extra <= 5


@pytest.mark.parametrize("seed", range(5))
def test_seasonality_alone_is_not_a_change(seed):
    rng = np.random.default_rng(100 + seed)
    cp = changes.detect_change_points(seasonal_counts(rng), log=True, seasonal=True)
    assert cp.breaks == []
    # the December peak is in the seasonal profile, not in the level
    december = (cp.weeks + pd.Timedelta(days=3)).month == 12
    assert cp.seasonal[december].mean() - cp.seasonal[~december].mean() > 0.3


def test_weighted_mean_series_break_is_located():
    rng = np.random.default_rng(3)
    n = rng.integers(20, 60, 156).astype(float)  # survey answers per week
    truth = np.where(np.arange(156) >= 125, 2.9, 3.7)
    values = pd.Series(truth + rng.normal(0, 0.9, 156) / np.sqrt(n), index=WEEKS)
    cp = changes.detect_change_points(values, pd.Series(n, index=WEEKS))
    assert len(cp.breaks) == 1 and abs(cp.breaks[0] - 125) <= 2


def test_penalty_sensitivity_is_monotone():
    rng = np.random.default_rng(4)
    table = changes.penalty_sensitivity(seasonal_counts(rng, break_at=80, factor=1.2), log=True, seasonal=True)
    assert list(table["penalty_scale"]) == [0.5, 1.0, 2.0, 4.0]
    assert table["n_breaks"].is_monotonic_decreasing
    assert table.loc[table["penalty_scale"] == 1.0, "n_breaks"].item() == 1


def test_temporary_episode_is_not_a_change():
    rng = np.random.default_rng(5)
    y = seasonal_counts(rng)
    y.iloc[60:70] *= 1.3  # a ten-week launch peak
    cp = changes.detect_change_points(y, log=True, seasonal=True)
    assert len(cp.breaks) >= 2
    assert changes.temporary_breaks(cp, 0.05) == set(cp.breaks)


@pytest.mark.parametrize(("weeks", "temporary"), [(14, True), (15, True), (22, False)])
def test_an_episode_of_a_quarter_give_or_take_a_break_s_date_is_temporary(weeks, temporary):
    """A level that comes back after 14 or 15 weeks (a quarter, with the two weeks by which a break's date is
    uncertain) is an episode, as the same launch wave is in orders after 13 weeks; after 22 weeks it is two changes."""
    rng = np.random.default_rng(6)
    y = seasonal_counts(rng)
    y.iloc[60:60 + weeks] *= 1.3
    cp = changes.detect_change_points(y, log=True, seasonal=True)
    assert len(cp.breaks) >= 2
    assert (changes.temporary_breaks(cp, 0.05) == set(cp.breaks)) is temporary
    assert changes.BREAK_DATE_WEEKS == 2 and changes.TEMPORARY_WEEKS == 13


# --------------------------------------------------------------------------- significance at large n


def survey_records(rng, per_week: int, shift: float, at: int = 100) -> pd.DataFrame:
    n = len(WEEKS) * per_week
    week = np.repeat(WEEKS.to_numpy(), per_week)
    value = rng.normal(3.5, 0.9, n) + np.where(np.repeat(np.arange(len(WEEKS)), per_week) >= at, shift, 0.0)
    return pd.DataFrame({"week": week, "customer_id": "c", "value": value})


def test_pure_noise_at_large_n_is_not_flagged():
    rng = np.random.default_rng(6)
    records = {"sat_speed": survey_records(rng, 20_000, 0.0)}
    table = changes.detect_all(records, WEEKS).breaks
    assert not table["flagged"].any()
    yoy = changes.quarter_vs_last_year(records, WEEKS)
    assert not yoy["flagged"].any()


def test_trivial_shift_at_large_n_is_significant_but_not_practical():
    rng = np.random.default_rng(7)
    records = {"sat_speed": survey_records(rng, 20_000, 0.05)}  # 0.05 points: real but trivial
    table = changes.detect_all(records, WEEKS).breaks
    assert len(table) == 1 and abs(table["date"].iloc[0] - WEEKS[100]) <= pd.Timedelta(weeks=2)
    assert table["significant"].all() and not table["practical"].any() and not table["flagged"].any()
    yoy = changes.quarter_vs_last_year(records, WEEKS)
    assert yoy["significant"].all() and not yoy["flagged"].any()


def test_a_real_shift_is_flagged_with_a_covering_interval():
    rng = np.random.default_rng(8)
    table = changes.detect_all({"sat_speed": survey_records(rng, 40, -0.8)}, WEEKS).breaks
    row = table[table["flagged"]].iloc[0]
    assert abs(row["date"] - WEEKS[100]) <= pd.Timedelta(weeks=2)
    assert row["direction"] == "down" and row["ci_low"] <= -0.8 <= row["ci_high"]


# --------------------------------------------------------------------------- who changed, channels, register


def test_who_changed_finds_the_group_that_dropped():
    rng = np.random.default_rng(9)
    customers = pd.Index([f"C{i:04d}" for i in range(600)])
    groups = pd.DataFrame({"price_sensitivity": np.where(np.arange(600) < 200, "high discount use",
                                                         "low discount use"),
                           "region": np.tile(["North", "South", "East"], 200)}, index=customers)
    week_idx = np.arange(len(WEEKS))
    season = SEASON[(WEEKS + pd.Timedelta(days=3)).month - 1]
    rate = 0.5 * season[None, :] * np.where((np.arange(600)[:, None] < 200) & (week_idx[None, :] >= 110), 0.7, 1.0)
    k = rng.poisson(rate)
    cust, week = np.nonzero(k)
    reps = k[cust, week]
    records = pd.DataFrame({"week": np.repeat(WEEKS.to_numpy()[week], reps),
                            "customer_id": np.repeat(customers.to_numpy()[cust], reps), "value": 1.0})
    table = changes.who_changed(records, changes.METRICS["orders"], groups, WEEKS, WEEKS[110])
    driver = changes.driver_group(table, "down")
    assert driver.group == "high discount use"
    assert driver.ci_low <= 0.7 / 1.0 - 1 <= driver.ci_high or abs(driver.excess_change + 0.3) < 0.1
    assert not table[table["segmentation"] == "region"]["flagged"].any()  # regions moved alike


def test_fit_ramp_and_channel_ramps_recover_a_launch():
    rng = np.random.default_rng(10)
    t = np.arange(156)
    share = np.where(t >= 60, 0.3 * np.minimum(1, (t - 60 + 1) / 12), 0.0)
    app = rng.binomial(1000, share)
    store = rng.binomial(1000 - app, 0.4)
    counts = pd.DataFrame({"store": store, "web": 1000 - app - store, "app": app}, index=WEEKS)
    fit = changes.fit_ramp(counts["app"].to_numpy() / 1000, 60)
    assert abs(fit.ramp_weeks - 12) <= 2 and fit.plateau == pytest.approx(0.3, abs=0.02)
    ramps = changes.channel_ramps(counts)
    assert list(ramps["channel"]) == ["app"] and ramps["launch"].iloc[0] == WEEKS[60]
    assert ramps["took_from"].iloc[0]["web"] < 0 and ramps["took_from"].iloc[0]["store"] < 0
    assert changes.channel_ramps(None).empty


def test_register_links_events_sorts_by_impact_and_clusters():
    flagged = pd.DataFrame({
        "metric": ["sat_speed", "delivery_days", "competitor_price_index"],
        "label": ["Satisfaction: speed", "Delivery time", "Competitor price index"],
        "date": pd.to_datetime(["2025-06-02", "2025-06-09", "2025-03-03"]),
        "before": [3.7, 2.6, 1.01], "after": [2.9, 4.0, 0.91], "change": [-0.8, 1.4, -0.1],
        "ci_low": [-0.9, 1.3, -0.11], "ci_high": [-0.7, 1.5, -0.09], "change_unit": ["points", "days", "relative"],
        "p_adj": [1e-9, 1e-9, 1e-9], "direction": ["down", "up", "down"]})
    events = pd.DataFrame({"week": pd.to_datetime(["2025-03-03", "2023-10-02"]), "kind": "competitor",
                           "event": ["price cut", "showroom"]})
    impacts = {("competitor_price_index", pd.Timestamp("2025-03-03")): -5e5}
    reg = changes.change_register(flagged, changes.channel_ramps(None), {}, impacts, events)
    assert reg["metric"].iloc[0] == "competitor_price_index" and reg["related_event"].iloc[0] == "price cut"
    assert reg["related_event"].iloc[1:].isna().all()
    assert reg["change_id"].nunique() == 2  # speed satisfaction and delivery time are one change
    quiet = changes.events_without_effect(events, reg)
    assert list(quiet["event"]) == ["showroom"]


def test_figures_and_explorer_build():
    rng = np.random.default_rng(11)
    cp = changes.detect_change_points(seasonal_counts(rng, break_at=100, factor=0.8), log=True, seasonal=True)
    events = pd.DataFrame({"week": [WEEKS[100]], "kind": ["competitor"], "event": ["price cut"]})
    fig = plots.plot_change_panels([("Orders", "orders", changes.series_view(cp), cp.dates)], events, ncols=1)
    assert isinstance(fig, Figure) and fig.axes[0].get_ylabel() == "orders"
    table = pd.DataFrame({"segmentation": ["region", "age_band"], "group": ["North", "60+"],
                          "excess_change": [-0.3, 0.02], "ci_low": [-0.4, -0.05], "ci_high": [-0.2, 0.09],
                          "flagged": [True, False]})
    fig = plots.plot_who_changed(table, "Who changed", "excess change")
    assert fig.axes[0].get_xlabel() == "excess change"
    calls = []
    box = widgets.change_explorer(lambda metric, group: calls.append((metric, group)), {"orders": "Orders"},
                                  {"all": "all customers"})
    assert calls == [("orders", "all")] and box.children


def test_metric_records_are_the_same_with_text_or_categorical_ids(small_sample):
    from customer_workbook.data import Dataset, load_dataset

    ds = load_dataset(small_sample)
    as_text = Dataset({name: frame.assign(customer_id=frame["customer_id"].astype("str")) if "customer_id" in frame
                       else frame for name, frame in ds.tables.items()}, ds.sources, ds.quality)
    coded, text = changes.metric_records(ds), changes.metric_records(as_text)
    assert set(coded) == set(text)
    for key in coded:
        assert isinstance(text[key]["customer_id"].dtype, pd.CategoricalDtype)
        pd.testing.assert_frame_equal(coded[key].astype({"customer_id": "str"}), text[key].astype({"customer_id": "str"}))
