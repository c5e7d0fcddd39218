"""Unit tests of the "clear winner" rule (customer_workbook.stats.separation): a leader is named only when
the data separate it from every other option after the Holm correction."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from customer_workbook.stats import se_from_draws, separate_top, share_leader


def test_separate_top_by_hand_and_holm():
    # a vs b: z = 2 / sqrt(0.5^2 + 0.5^2) = 2.83, p = 0.0047; a vs c: z = 1 / 0.707 = 1.41, p = 0.157
    lead = separate_top({"a": 10.0, "b": 8.0, "c": 9.0}, {"a": 0.5, "b": 0.5, "c": 0.5})
    p_b, p_c = (2 * stats.norm.sf(d / np.hypot(0.5, 0.5)) for d in (2.0, 1.0))
    assert lead.top == "a" and not lead.clear and lead.best is None
    assert lead.tied == ("a", "c")                                   # c is within chance of a, b is not
    assert lead.p_adjusted["b"] == pytest.approx(2 * p_b)            # Holm: smallest p times 2
    assert lead.p_adjusted["c"] == pytest.approx(max(2 * p_b, p_c))
    assert lead.label() == "no clear difference"
    clear = separate_top({"a": 10.0, "b": 8.0, "c": 7.0}, {"a": 0.3, "b": 0.3, "c": 0.3})
    assert clear.best == "a" and clear.tied == ("a",) and clear.label() == "a"


def test_separate_top_lower_is_better_missing_errors_and_single_option():
    cheap = separate_top({"x": 100.0, "y": 200.0}, {"x": 5.0, "y": 5.0}, higher_is_better=False)
    assert cheap.best == "x"
    unknown = separate_top({"x": 100.0, "y": 200.0}, {"x": 5.0})      # y has no error: never separated
    assert unknown.best is None and set(unknown.tied) == {"x", "y"}
    assert separate_top({"only": 1.0}, {}).best == "only"
    assert separate_top({}, {}).top is None
    assert separate_top({"a": float("nan"), "b": 1.0}, {"b": 0.1}).best == "b"


def test_no_effect_is_rarely_called_a_winner():
    """Five equal options measured with their true error: a winner is named in about alpha (10%) of trials."""
    rng = np.random.default_rng(3)
    wins = sum(separate_top(dict(zip("abcde", rng.normal(0, 1, 5))), dict.fromkeys("abcde", 1.0)).clear
               for _ in range(2000))
    assert wins / 2000 < 0.10
    # with a real lead of 5 errors the leader is found almost every time
    found = sum(separate_top({"a": 5 + rng.normal(), **{k: rng.normal() for k in "bcd"}}, dict.fromkeys("abcd", 1 / np.sqrt(2))).best == "a"
                for _ in range(500))
    assert found / 500 > 0.95


def test_share_leader_multinomial():
    assert share_leader({"quality": 600, "pricing": 250, "speed": 250}).best == "quality"
    tie = share_leader({"pricing": 62, "location": 54, "quality": 40})  # the null company's prospective group
    assert tie.best is None and tie.tied[:2] == ("pricing", "location")
    assert share_leader({"a": 5}).best == "a" and share_leader({}).top is None


def test_se_from_draws():
    d = np.array([1.0, 2.0, 3.0, 4.0])
    assert se_from_draws(d) == pytest.approx(np.std(d, ddof=1))
    assert se_from_draws(d, log=True) == pytest.approx(np.std(np.log(d), ddof=1))
    assert np.isnan(se_from_draws([1.0])) and np.isnan(se_from_draws([-1.0, 2.0], log=True))
