"""The shared statistics: multiple testing, proportion intervals, two-proportion uplift and test sizing."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from customer_workbook.stats import (benjamini_hochberg, holm, minimum_detectable_effect, sample_size_two_proportions,
                                     two_proportion_uplift, wilson_interval)


def test_holm_adjustment():
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    assert np.isnan(holm([np.nan, 0.2])[0]) and holm([np.nan, 0.2])[1] == 0.2


def test_benjamini_hochberg_matches_hand_computation():
    adj = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5, np.nan]))
    np.testing.assert_allclose(adj[:4], [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
    assert np.isnan(adj[4])


def test_wilson_interval_textbook_value_and_bounds():
    low, high = wilson_interval(np.array([5]), np.array([10]))
    assert low[0] == pytest.approx(0.2366, abs=1e-4) and high[0] == pytest.approx(0.7634, abs=1e-4)
    low, high = wilson_interval(np.array([0, 10]), np.array([10, 10]))
    assert low[0] == pytest.approx(0, abs=1e-12) and high[1] == pytest.approx(1, abs=1e-12)


def test_two_proportion_uplift_reproduces_the_normal_approximation():
    y = np.r_[np.ones(30), np.zeros(70), np.ones(20), np.zeros(80)]
    t = np.r_[np.ones(100, bool), np.zeros(100, bool)]
    u = two_proportion_uplift(y, t, level=0.95)
    se = np.sqrt(0.3 * 0.7 / 100 + 0.2 * 0.8 / 100)
    assert (u.rate_treated, u.rate_control) == (0.3, 0.2) and u.uplift == pytest.approx(0.1)
    assert u.se == pytest.approx(se) and u.low == pytest.approx(0.1 - 1.959964 * se, abs=1e-6)
    assert u.p_value == pytest.approx(2 * sps.norm.sf(0.1 / se))


def test_two_proportion_uplift_with_an_empty_arm_is_nan():
    u = two_proportion_uplift([1, 0, 1], [True, True, True])
    assert u.n_control == 0 and np.isnan(u.uplift) and np.isnan(u.p_value)


def test_uplift_interval_covers_the_truth_at_its_nominal_rate():
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(400):
        t = rng.random(2000) < 0.5
        y = rng.random(2000) < np.where(t, 0.25, 0.20)
        u = two_proportion_uplift(y, t, level=0.90)
        covered += u.low <= 0.05 <= u.high
    assert covered / 400 == pytest.approx(0.90, abs=0.04)  # binomial sd of the rate: 0.015


@pytest.mark.parametrize("p1, mde, alpha, power, ratio", [
    (0.5, 0.05, 0.05, 0.8, 1.0), (0.2, 0.03, 0.05, 0.9, 1.0), (0.35, -0.10, 0.01, 0.8, 1.0),
    (0.6, 0.08, 0.10, 0.8, 2.0), (0.05, 0.02, 0.05, 0.8, 0.5)])
def test_sample_size_matches_statsmodels(p1, mde, alpha, power, ratio):
    sm_power = pytest.importorskip("statsmodels.stats.power")
    from statsmodels.stats.proportion import proportion_effectsize

    h = proportion_effectsize(p1 + mde, p1)
    expected = sm_power.NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=ratio,
                                                     alternative="two-sided")
    got = sample_size_two_proportions(p1, mde, alpha, power, ratio)
    assert got.effect_size == pytest.approx(h, rel=1e-12)
    assert got.n_control == pytest.approx(expected, rel=1e-6)
    assert got.n_treated == pytest.approx(expected * ratio, rel=1e-6)
    assert got.total == int(np.ceil(got.n_control) + np.ceil(got.n_treated))
    assert (got.n_control_ceil, got.n_treated_ceil) == (int(np.ceil(got.n_control)), int(np.ceil(got.n_treated)))


def test_sample_size_textbook_value_and_inverse():
    # classic: 50% -> 55%, alpha 5%, power 80%: about 1,565 per arm (arcsine approximation)
    n = sample_size_two_proportions(0.5, 0.05).n_control
    assert 1560 < n < 1570
    assert minimum_detectable_effect(0.5, n) == pytest.approx(0.05, abs=1e-6)
    with pytest.raises(ValueError):
        sample_size_two_proportions(0.98, 0.05)


def test_classifier_gate_needs_both_classes_and_skill_above_guessing():
    from customer_workbook.stats import MIN_CLASS, check_classifier, class_counts, enough_classes

    assert class_counts([1, 0, 1, 1]) == (3, 1)
    balanced = np.r_[np.ones(MIN_CLASS), np.zeros(MIN_CLASS)]
    assert enough_classes(balanced, balanced) and not enough_classes(balanced, balanced[1:])
    thin = check_classifier(False)
    assert not thin.ok and not thin.enough_data and str(MIN_CLASS) in thin.reason
    # the case: a PR-AUC below the base rate is no model at all
    below = check_classifier(True, pr_auc=0.865, roc_auc=0.55, base_rate=0.867)
    assert not below.ok and below.skill < 0 and "0.865" in below.reason and "ROC-AUC" in below.reason
    # 0.887 against 0.732 closes 58% of the gap to a perfect score
    good = check_classifier(True, pr_auc=0.887, roc_auc=0.77, base_rate=0.732)
    assert good.ok and good.skill == pytest.approx((0.887 - 0.732) / (1 - 0.732)) and good.reason == ""
    # a high PR-AUC on a common event with a guessing ROC-AUC is not enough either
    common = check_classifier(True, pr_auc=0.99, roc_auc=0.52, base_rate=0.95)
    assert not common.ok and "PR-AUC" not in common.reason and "0.52" in common.reason


def test_two_proportion_p_value_matches_the_pooled_z_test():
    from customer_workbook.stats import two_proportion_p_value

    # 45/100 against 30/100: pooled 0.375, se = sqrt(0.375 * 0.625 * 0.02) = 0.0685, z = 2.191
    z = 0.15 / np.sqrt(0.375 * 0.625 * 0.02)
    assert two_proportion_p_value(45, 100, 30, 100) == pytest.approx(2 * sps.norm.sf(z))
    assert two_proportion_p_value(45, 100, 30, 100) < 0.05 < two_proportion_p_value(9, 20, 6, 20)
    assert np.isnan(two_proportion_p_value(1, 0, 1, 10)) and np.isnan(two_proportion_p_value(0, 10, 0, 10))


def test_welch_mean_difference_is_scipys_welch_test():
    from customer_workbook.stats.experiments import welch_mean_difference
    rng = np.random.default_rng(5)
    t = rng.random(3000) < 0.5
    y = np.where(rng.random(3000) < np.where(t, 0.03, 0.01), rng.gamma(2.0, 50.0, 3000), 0.0)  # spend: mostly 0
    d = welch_mean_difference(y, t, level=0.90)
    ref = sps.ttest_ind(y[t], y[~t], equal_var=False)
    assert d.difference == pytest.approx(y[t].mean() - y[~t].mean()) and d.p_value == pytest.approx(ref.pvalue)
    low, high = ref.confidence_interval(0.90)
    assert (d.low, d.high) == pytest.approx((low, high)) and d.df == pytest.approx(ref.df)
    assert np.isnan(welch_mean_difference([1.0, 2.0, 3.0], [True, True, False]).difference)


def test_welch_interval_covers_the_true_difference_at_its_nominal_rate():
    from customer_workbook.stats.experiments import welch_mean_difference
    rng = np.random.default_rng(8)
    covered = 0
    for _ in range(400):
        t = rng.random(2000) < 0.5
        y = np.where(rng.random(2000) < np.where(t, 0.10, 0.05), 20.0, 0.0)   # true difference 0.05 * 20 = 1.0
        d = welch_mean_difference(y, t, level=0.90)
        covered += d.low <= 1.0 <= d.high
    assert 0.86 <= covered / 400 <= 0.94
