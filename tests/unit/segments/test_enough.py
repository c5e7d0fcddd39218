"""The one typed "too few customers" answer (customer_workbook.segments.enough)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from customer_workbook.segments import LONGER_WINDOW, MORE_CUSTOMERS, TooFew, too_few, too_few_of_each
from customer_workbook.stats import MIN_CLASS


def test_too_few_only_below_the_minimum():
    assert too_few(10, 10, "customers") is None and too_few(11, 10, "customers") is None
    few = too_few(9, 10, "customers with 2 or more orders")
    assert few == TooFew("customers with 2 or more orders", 9, 10, MORE_CUSTOMERS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        few.have = 10


def test_notes_say_what_how_many_and_what_helps():
    few = too_few(1234, 5000, "buyers", helps="A longer `window_days` helps.")
    assert few.reason == "the data have too few buyers (1,234; at least 5,000 needed)"
    assert few.note("the churn model") == ("> **Not shown: the churn model** because the data have too few buyers "
                                           "(1,234; at least 5,000 needed). A longer `window_days` helps.")
    assert few.sentence == "The data have too few buyers (1,234; at least 5,000 needed). A longer `window_days` helps."
    later = few.after("whom to contact", "the churn model of section 3")
    assert later.startswith("> **Not shown: whom to contact** because it needs the churn model of section 3")
    assert later.endswith("not shown either: the data have too few buyers (1,234; at least 5,000 needed).")
    assert too_few(0, 10, "customers", helps="").note("x").endswith("needed).")        # no help: no trailing space
    assert "too few customers (1; at least 30 needed)" in too_few(1, 30, "customers").note("x")  # reads right for 1


def test_too_few_of_each_counts_the_rarer_side_of_every_label():
    train, test = np.r_[np.ones(25), np.zeros(40)], np.r_[np.ones(19), np.zeros(100)]
    few = too_few_of_each(train, test)
    assert few.have == 19 and few.need == MIN_CLASS and few.helps == LONGER_WINDOW
    assert too_few_of_each(train, np.r_[np.ones(20), np.zeros(20)]) is None
    assert too_few_of_each(np.zeros(500)).have == 0                      # nobody with the event
    assert too_few_of_each(train, need=30).have == 25
