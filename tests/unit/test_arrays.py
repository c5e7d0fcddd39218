"""The sort-based array helpers agree with NumPy's definitions."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from customer_workbook.arrays import first_occurrences, sorted_unique

ints = st.lists(st.integers(-50, 50), max_size=200)


@given(ints)
def test_sorted_unique_equals_numpy_unique(values):
    np.testing.assert_array_equal(sorted_unique(np.array(values, dtype=np.int64)), np.unique(np.array(values, dtype=np.int64)))


@given(st.lists(st.sampled_from(["a", "b", "c", None]), max_size=100))
def test_first_occurrences_are_the_first_row_of_each_factorized_code(labels):
    codes, uniques = pd.factorize(pd.Series(labels, dtype="object"))
    expected = [labels.index(u) for u in uniques]
    np.testing.assert_array_equal(first_occurrences(codes), expected)


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(-20, 20)), max_size=80))
def test_group_min_max_argmin_match_pandas_groupby(pairs):
    from customer_workbook.arrays import group_argmin, group_max, group_min

    codes = np.array([c for c, _ in pairs], dtype=np.int64)
    values = np.array([v for _, v in pairs], dtype=float)
    grouped = pd.Series(values).groupby(codes)
    n = 6  # codes 5 (and any unused code) have no values
    expected_min = grouped.min().reindex(range(n)).to_numpy()
    np.testing.assert_array_equal(group_min(codes, values, n), expected_min)
    np.testing.assert_array_equal(group_max(codes, values, n), grouped.max().reindex(range(n)).to_numpy())
    expected_arg = grouped.idxmin().reindex(range(n)).fillna(-1).to_numpy(dtype=np.int64) if len(pairs) else np.full(n, -1)
    np.testing.assert_array_equal(group_argmin(codes, values, n), expected_arg)
