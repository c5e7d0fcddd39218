"""Errors, warnings and input checks shared by the CLV modules."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._summary import summary_table

__all__ = [
    "CLVInputError",
    "CLVDataWarning",
    "CLVAssumptionWarning",
    "CLVConvergenceWarning",
    "describe_ids",
    "rfm_arrays",
    "validate_rfm",
]


class CLVInputError(ValueError):
    """Input that the CLV models cannot use; the message names counts and example ids."""


class CLVDataWarning(UserWarning):
    """Customers or rows were excluded or altered; the message says how many and why."""


class CLVAssumptionWarning(UserWarning):
    """A model assumption looks violated by the data (e.g. spend depends on frequency)."""


class CLVConvergenceWarning(RuntimeWarning):
    """The optimiser stopped without a clean convergence or at a parameter bound."""


def describe_ids(ids, mask, max_examples: int = 5) -> str:
    """``"3 customers (e.g. 'a', 'b', 'c')"`` for the rows where ``mask`` is true."""
    mask = np.asarray(mask, dtype=bool)
    n = int(mask.sum())
    examples = [str(v) for v in np.asarray(ids)[mask][:max_examples]]
    noun = "customer" if n == 1 else "customers"
    more = ", ..." if n > max_examples else ""
    return f"{n} {noun} (e.g. {', '.join(repr(e) for e in examples)}{more})"


def rfm_arrays(data, columns=("frequency", "recency", "T")):
    """Pull float arrays and customer labels out of a DataFrame or a mapping of arrays.

    Parameters
    ----------
    data : DataFrame or Mapping[str, array_like]
        Must hold ``columns``.
    columns : tuple of str

    Returns
    -------
    arrays : list of ndarray, each shape (n,)
    ids : ndarray, shape (n,)
        Index labels of a DataFrame, otherwise row positions.
    index : pandas.Index or None
        The DataFrame index (to label results), None for plain mappings.
    """
    data = summary_table(data)
    if not isinstance(data, (pd.DataFrame, Mapping)):
        raise CLVInputError(
            f"expected a DataFrame (e.g. from rfm_summary) or a mapping with columns {list(columns)}, "
            f"got {type(data).__name__}"
        )
    missing = [c for c in columns if c not in data]
    if missing:
        raise CLVInputError(f"missing column(s) {missing}; expected {list(columns)}")
    arrays = []
    for c in columns:
        try:
            arrays.append(np.asarray(data[c], dtype=float).ravel())
        except (TypeError, ValueError) as exc:
            raise CLVInputError(f"column {c!r} is not numeric: {exc}") from None
    n = arrays[0].size
    if any(a.size != n for a in arrays):
        raise CLVInputError(f"columns {list(columns)} have different lengths")
    if isinstance(data, pd.DataFrame):
        return arrays, np.asarray(data.index), data.index
    return arrays, np.arange(n), None


def validate_rfm(x, tx, T, ids, *, for_fit: bool) -> None:
    """Raise :class:`CLVInputError` for RFM rows no model can use.

    Checks, in order: empty input, NaN/inf, negative or fractional frequency, negative
    recency, non-positive T (customers acquired at the end of the window), recency > T,
    inconsistent frequency/recency pairs and, when fitting, all-zero frequency.

    Parameters
    ----------
    x, tx, T : ndarray, shape (n,)
        Frequency (repeat purchases), recency and age, in model time units.
    ids : ndarray, shape (n,)
        Labels used in messages.
    for_fit : bool
        Also require at least one repeat purchase.
    """
    if x.size == 0:
        raise CLVInputError("no customers to use: the RFM table is empty")
    bad = ~(np.isfinite(x) & np.isfinite(tx) & np.isfinite(T))
    if bad.any():
        raise CLVInputError(f"NaN or infinite frequency/recency/T for {describe_ids(ids, bad)}")
    checks = [
        (x < 0, "negative frequency"),
        (x != np.floor(x), "non-integer frequency (repeat purchases must be counts)"),
        (tx < 0, "negative recency"),
        (T < 0, "negative T (first purchase after the end of the observation window)"),
        (T == 0, "T = 0 (acquired on the last day of the window; exclude them - "
                 "rfm_summary does so and reports them)"),
        (tx > T * (1 + 1e-12) + 1e-12, "recency greater than T"),
        ((x > 0) & (tx == 0), "repeat purchases but recency 0 (same-period purchases must be merged)"),
        ((x == 0) & (tx > 0), "recency > 0 without repeat purchases"),
    ]
    for mask, what in checks:
        if mask.any():
            raise CLVInputError(f"{what}: {describe_ids(ids, mask)}")
    if for_fit and not (x > 0).any():
        raise CLVInputError(
            f"all {x.size} customers have frequency 0 (no repeat purchases): the purchase and "
            "dropout processes cannot be estimated; use a longer window or more customers"
        )
