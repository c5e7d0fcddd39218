"""Notebook 02, exercise 1: the kept change points searched again with a stricter penalty are reported at the
run's own dates, the ones the change register shows (a fresh run refits the seasonality around fewer breaks and
moved the sample's dates by up to six months, so the answer named changes the register does not have)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from customer_workbook import changes as ch
from customer_workbook.steps import changes as step
from customer_workbook.findings import date_words

WEEKS = pd.date_range("2024-01-01", periods=120, freq="7D")


def _two_steps() -> ch.ChangePoints:
    """Level 0, then 1 from week 40, then 1.3 from week 80, no noise, penalty 1: removing the break at 40
    costs 80 x 0.5^2 = 20, removing the one at 80 costs 80 x 0.15^2 = 1.8, so only the first pays for a doubled
    penalty (both pay for the run's own)."""
    level = np.r_[np.zeros(40), np.ones(40), np.full(40, 1.3)]
    return ch.ChangePoints(weeks=WEEKS, raw=level, weight=np.ones(120), adjusted=level, fitted=level,
                           seasonal=np.zeros(120), breaks=[40, 80], penalty=1.0, tau2=0.01, rho=0.0, log=False)


def _breaks(dates, flagged) -> pd.DataFrame:
    return pd.DataFrame({"metric": "orders", "label": "Orders per week", "date": pd.to_datetime(dates),
                         "flagged": flagged})


def test_the_stricter_search_keeps_only_the_break_that_pays_twice_and_reports_the_runs_dates():
    results = {"orders": _two_steps()}
    breaks = _breaks([WEEKS[40], WEEKS[80]], [True, True])
    assert step.stricter_search(results, breaks, scale=1)["survives"].tolist() == [True, True]
    strict = step.stricter_search(results, breaks, scale=2)
    assert strict["survives"].tolist() == [True, False]
    assert list(strict["date"]) == [WEEKS[40], WEEKS[80]]  # the register's dates, whatever the search found
    text = step.stricter_sentence(strict)
    assert text == (f"With the penalty doubled, 1 of the 2 kept change points is still found: Orders per week "
                    f"({date_words(WEEKS[40])}). No longer found: Orders per week ({date_words(WEEKS[80])}).")


def test_a_break_found_within_its_date_uncertainty_survives_at_its_own_date_and_unkept_ones_are_not_asked():
    breaks = _breaks([WEEKS[42], WEEKS[80]], [True, False])  # two weeks off: within BREAK_DATE_WEEKS
    strict = step.stricter_search({"orders": _two_steps()}, breaks, scale=2)
    assert len(strict) == 1 and strict["survives"].all() and strict["date"].iloc[0] == WEEKS[42]
    assert step.stricter_sentence(strict) == (f"With the penalty doubled, the only kept change point, Orders per week "
                                              f"({date_words(WEEKS[42])}), is still found.")
    far = step.stricter_search({"orders": _two_steps()}, _breaks([WEEKS[43]], [True]), scale=2)
    assert not far["survives"].any()  # three weeks off is another date
    assert step.stricter_sentence(far).endswith(f"kept change point, Orders per week ({date_words(WEEKS[43])}), is no "
                                                "longer found.")
    two = step.stricter_search({"orders": _two_steps()}, _breaks([WEEKS[44], WEEKS[80]], [True, True]), scale=2)
    assert step.stricter_sentence(two) == (f"With the penalty doubled, none of the 2 kept change points is still "
                                           f"found. No longer found: Orders per week ({date_words(WEEKS[44])}), Orders "
                                           f"per week ({date_words(WEEKS[80])}).")


def test_no_kept_change_point_says_there_is_nothing_to_test():
    strict = step.stricter_search({"orders": _two_steps()}, _breaks([], []), scale=2)
    assert strict.empty and "none to test" in step.stricter_sentence(strict)
    both = step.stricter_search({"orders": _two_steps()}, _breaks([WEEKS[40], WEEKS[80]], [True, True]), scale=1)
    assert step.stricter_sentence(both, scale=1).startswith("With the penalty 1 times as high, all 2 kept")
