"""Small column helpers of the generator: ids, labels, categorical draws, Hill curves, dates, JSON."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["_ids", "_labels", "_str_series", "_choice_rows", "_hill", "_jsonable", "_popcount8", "_ts",
           "_dates"]


def _ids(prefix: str, nums, width: int) -> pa.Array:
    s = pc.utf8_lpad(pc.cast(pa.array(np.asarray(nums, dtype=np.int64)), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), s, "")


def _labels(codes, labels) -> pd.Series:
    """Text labels for integer codes as a pandas string Series (no Python objects per row)."""
    return pd.Series(pa.array(list(labels), pa.string()).take(pa.array(np.asarray(codes, dtype=np.int64))))


def _str_series(arr: pa.Array) -> pd.Series:
    return pd.Series(arr)


def _choice_rows(rng, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def _hill(s, vmax, k, shape):
    s = np.maximum(np.asarray(s, dtype=float), 0.0)
    return vmax * s ** shape / (k ** shape + s ** shape)


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return [_jsonable(v) for v in x.tolist()]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return None if math.isnan(v) else round(v, 6)
    if isinstance(x, (pd.Timestamp,)):
        return x.strftime("%Y-%m-%d")
    return x


def _popcount8(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.uint8)
    return np.unpackbits(x[:, None], axis=1).sum(axis=1)


def _ts(start: pd.Timestamp, seconds: np.ndarray) -> pd.Series:
    base = np.datetime64(start.to_datetime64(), "s")
    return pd.Series((base + seconds.astype("timedelta64[s]")).astype("datetime64[us]"))


def _dates(start: pd.Timestamp, days: np.ndarray) -> pd.Series:
    base = np.datetime64(start.to_datetime64(), "D")
    return pd.Series((base + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")).astype("datetime64[us]"))
