"""Small array helpers for tens of millions of rows.

NumPy 2's ``np.unique`` without ``return_*`` arguments takes a hash-based path that is about 100x slower
than sorting on 20M integers (29 s against 0.3 s, measured); these helpers sort instead.
"""
from __future__ import annotations

import numpy as np

__all__ = ["first_occurrences", "group_argmin", "group_max", "group_min", "sorted_unique"]


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Distinct values of a 1-d array, ascending (what ``np.unique`` returns), by one sort."""
    ordered = np.sort(np.asarray(values), kind="stable")
    if not len(ordered):
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def first_occurrences(codes: np.ndarray) -> np.ndarray:
    """Position of the first row of each code, for codes numbered in order of first appearance
    (as :func:`pandas.factorize` numbers them); shape (n_codes,). Negative codes (missing) are skipped."""
    codes = np.asarray(codes)
    rows = np.flatnonzero(codes >= 0)
    if not len(rows):
        return rows
    running = np.maximum.accumulate(codes[rows])
    return rows[np.r_[True, running[1:] > running[:-1]]]


def group_min(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Smallest of ``values`` per code 0..n-1, NaN for a code without values; shape (n,).

    Unbuffered ``np.minimum.at``: about 50x faster than a pandas group-by on millions of rows, with no
    temporary arrays.
    """
    out = np.full(n, np.inf)
    np.minimum.at(out, codes, np.asarray(values, dtype="float64"))
    out[np.isposinf(out)] = np.nan
    return out


def group_max(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Largest of ``values`` per code 0..n-1, NaN for a code without values; shape (n,)."""
    return -group_min(codes, -np.asarray(values, dtype="float64"), n)


def group_argmin(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Row of the smallest value per code 0..n-1 (the first such row on ties), -1 for a code without
    values; shape (n,)."""
    values = np.asarray(values, dtype="float64")
    best = group_min(codes, values, n)
    rows = np.flatnonzero(values == best[codes])
    out = np.full(n, len(values))
    np.minimum.at(out, codes[rows], rows)
    out[out == len(values)] = -1
    return out
