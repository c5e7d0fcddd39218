"""The NPS score interval (customer_workbook.advocacy.nps_interval): bounds and coverage.

Coverage measured by simulation (2,000 seeded multinomial samples per case, 95% intervals, seed 7): 0.942 to
0.965 over the cases below (n 30 to 200). The adjusted Wald interval it replaced covered 0.928 to 0.956 but
reached past the bounds: at n = 30 with shares 0.85 / 0.05 in 52% of samples, at n = 15 with 0.7 / 0.1 in
33% (the issue saw "92.7 to 107.3"). Ten promoters out of ten now read 44.5 to 100.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_workbook.advocacy import nps
from customer_workbook.advocacy.nps import nps_interval

CASES = [(0.5, 0.2, 30), (0.85, 0.05, 30), (0.3, 0.3, 50), (0.6, 0.1, 100), (0.95, 0.02, 200), (0.1, 0.7, 40)]


@pytest.mark.parametrize("p, d, n", CASES)
def test_score_interval_covers_the_true_nps_at_close_to_95_percent(p, d, n):
    rng = np.random.default_rng(7)
    counts = rng.multinomial(n, [p, 1 - p - d, d], size=2000)
    low, high = nps_interval(counts[:, 0], counts[:, 2], n)
    truth = 100 * (p - d)
    coverage = np.mean((low <= truth) & (truth <= high))
    assert 0.93 <= coverage <= 0.975, coverage


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 400), st.integers(0, 400), st.integers(0, 400), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_interval_stays_within_bounds_and_holds_the_estimate(promoters, passives, detractors, level):
    n = promoters + passives + detractors
    scores = [10] * promoters + [8] * passives + [3] * detractors
    out = nps(scores, level)
    if n == 0:
        assert np.isnan(out.low) and np.isnan(out.high)
        return
    assert -100 <= out.low <= out.nps + 1e-9 and out.nps - 1e-9 <= out.high <= 100
    assert out.low < out.high                                     # never a zero-width interval


def test_unanimous_small_group_is_bounded_by_100():
    ten = nps([10] * 10)
    assert ten.high == pytest.approx(100) and ten.low == pytest.approx(100 * (10 - 1.96 ** 2) / (10 + 1.96 ** 2),
                                                                        abs=0.05)
    assert nps([0] * 5).low == pytest.approx(-100)


def test_interval_narrows_with_more_answers_and_a_lower_level():
    small, large = nps([10, 9, 7, 3] * 10), nps([10, 9, 7, 3] * 100)
    assert large.high - large.low < small.high - small.low
    assert nps([10, 9, 7, 3] * 10, 0.8).high < small.high
