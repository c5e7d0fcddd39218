"""Small conventions about transaction lines and identifiers shared by the analyses."""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["distinct_ids", "plain_index", "purchase_lines"]


def purchase_lines(transactions: pd.DataFrame) -> pd.DataFrame:
    """Lines with a positive amount: what customers bought (not returns, not free gifts)."""
    return transactions[transactions["amount"].to_numpy() > 0]


def distinct_ids(ids: pd.Series) -> pd.Index:
    """Distinct ids of a (possibly categorical) column, as a plain Index (categoricals by their codes,
    without hashing the text again)."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        codes = ids.cat.codes.to_numpy()
        return pd.Index(ids.cat.categories[np.unique(codes[codes >= 0])])
    return pd.Index(pd.unique(ids))


def plain_index(index: pd.Index) -> pd.Index:
    """A CategoricalIndex turned into a plain text Index of its values (other indexes unchanged)."""
    return pd.Index(np.asarray(index, dtype=object), name=index.name).astype("str") \
        if isinstance(index, pd.CategoricalIndex) else index
