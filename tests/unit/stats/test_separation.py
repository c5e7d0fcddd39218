"""Is the best option clearly the best (stats/separation.py): errors by hand, and the rules with and without an
effect, including their false-alarm rate on options that are equal."""
from __future__ import annotations

import numpy as np
import pytest

from customer_workbook.stats import (SEPARATION_ALPHA, clustered_proportion, difference_p_values,
                                     paired_total_difference, separate_runner_up, tied_with_top)


def test_difference_p_values_by_hand():
    p = difference_p_values([1.96, 0.0, 1.0], [1.0, 1.0, 0.0])
    assert p[0] == pytest.approx(0.05, abs=1e-3) and p[1] == pytest.approx(1.0) and np.isnan(p[2])


def test_clustered_proportion_matches_the_binomial_error_with_one_order_per_customer():
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1] * 10)
    rate, se = clustered_proportion(y, np.ones_like(y))
    assert rate == pytest.approx(0.6)
    assert se == pytest.approx(np.sqrt(0.6 * 0.4 / 100), rel=0.01)  # k / (k - 1) apart
    # ten orders per customer, all alike within a customer: 100 customers are not 1,000 independent orders
    rate10, se10 = clustered_proportion(10 * y, np.full(100, 10))
    assert rate10 == pytest.approx(0.6) and se10 == pytest.approx(se)
    assert np.isnan(clustered_proportion([0], [0])[0]) and np.isnan(clustered_proportion([1], [2])[1])


def test_paired_total_difference_by_hand():
    # customers 0, 1, 2: a totals 5, 2, 2 and b totals 0, 1, 0
    clusters = np.array([0, 0, 1, 1, 2])
    values = np.array([5.0, 0.0, 1.0, 2.0, 2.0])
    in_a = np.array([True, False, False, True, True])
    in_b = np.array([False, True, True, False, False])
    diff, se = paired_total_difference(clusters, values, in_a, in_b)
    d = np.array([5.0, 2.0, 2.0]) - np.array([0.0, 1.0, 0.0])
    assert diff == pytest.approx(d.sum()) and se == pytest.approx(np.sqrt(3 * d.var(ddof=1)))


def test_separate_runner_up_with_an_effect_without_one_and_with_a_trade_off():
    clear = separate_runner_up({"revenue": 10.0, "repeat": 0.001}, {"revenue": 2.0, "repeat": 0.01})
    assert clear.clear and clear.favouring(1) == ["revenue"] and clear.favouring(-1) == []
    none = separate_runner_up({"revenue": 1.0, "repeat": -0.005}, {"revenue": 2.0, "repeat": 0.01})
    assert not none.clear and none.favouring(1) == none.favouring(-1) == []
    trade = separate_runner_up({"revenue": 10.0, "repeat": -0.05}, {"revenue": 2.0, "repeat": 0.01})
    assert not trade.clear and trade.favouring(-1) == ["repeat"]
    # Holm over the measures: two p-values of 0.03 are each adjusted to 0.06
    holmed = separate_runner_up({"a": 2.17, "b": 2.17}, {"a": 1.0, "b": 1.0})
    assert not holmed.clear and holmed.p_values[0] == pytest.approx(0.06, abs=2e-3)


def test_tied_with_top_with_and_without_an_effect():
    tied, p = tied_with_top([10.0, 9.0, 5.0, 4.0], [1.0, 1.0, 1.0, 1.0])
    assert tied.tolist() == [True, True, False, False] and np.isnan(p[0])
    tied, _ = tied_with_top([10.0, 5.0, 4.0], [0.5, 0.5, 0.5])
    assert tied.tolist() == [True, False, False]  # the first is clear
    assert tied_with_top([3.0, 4.0], [1.0, np.nan])[0].tolist() == [True, True]  # no error: cannot separate


def test_false_alarm_rates_on_equal_options():
    rng = np.random.default_rng(7)
    n, k, runs = 200, 6, 2000
    means = rng.normal(0, 1 / np.sqrt(n), size=(runs, k))  # k equal options, 200 customers each
    claims = sum(tied_with_top(m, np.full(k, 1 / np.sqrt(n)))[0].sum() == 1 for m in means)
    assert claims / runs <= SEPARATION_ALPHA + 0.01
    d = rng.normal(0, 1, size=(runs, 3))  # first minus runner-up on three measures, no difference
    assert np.mean([separate_runner_up(dict(zip("abc", r)), dict.fromkeys("abc", 1.0)).clear for r in d]) <= SEPARATION_ALPHA
