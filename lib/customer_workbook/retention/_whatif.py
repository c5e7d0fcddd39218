"""What-if building blocks shared by :func:`~.churn.prediction_drivers` and :mod:`.driver_effects`: the rows
the drivers are read on, the column standing for a feature family and the donors of its what-if effect.

Shapes: ``X`` (n_rows, n_columns) in the models' column order; ``idx`` the column indices of one family.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from .features import KEY_FEATURES, FeatureSet

__all__: list[str] = []  # private helpers of the retention package


def _driver_rows(models, features: FeatureSet, y, max_rows: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """The rows the drivers are read on: ``X`` (n, n_columns) in the models' column order and the 0/1 ``y``,
    a seeded random sample of at most ``max_rows`` customers."""
    X = features.frame.reindex(columns=list(models.columns)).to_numpy(dtype="float64")
    y = np.asarray(y).astype(int)
    if len(X) > max_rows:
        take = np.sort(rng.choice(len(X), max_rows, replace=False))
        X, y = X[take], y[take]
    return X, y


def _key_range(X: np.ndarray, idx: np.ndarray, cols: list, family: str, p: np.ndarray) -> tuple[int, float, float]:
    """The column standing for a family (:data:`KEY_FEATURES`, else the family's column most correlated
    with the predictions ``p``) and its "without" / "with" values: 0 / 1 for a flag, else the 10th / 90th
    percentile."""
    if KEY_FEATURES.get(family) in cols:
        key = cols.index(KEY_FEATURES[family])
    else:
        corrs = []
        for j in idx:
            x = X[:, j]
            ok = ~np.isnan(x)
            r = stats.spearmanr(x[ok], p[ok]).statistic if ok.sum() > 10 and np.ptp(x[ok]) > 0 else 0.0
            corrs.append(0.0 if np.isnan(r) else r)
        key = idx[int(np.argmax(np.abs(corrs)))]
    vals = X[:, key][~np.isnan(X[:, key])]
    binary = len(vals) and np.isin(vals, (0.0, 1.0)).all()
    low, high = (0.0, 1.0) if binary else (np.quantile(vals, 0.1), np.quantile(vals, 0.9)) if len(vals) else (0, 0)
    return int(key), float(low), float(high)


def _donor_rows(x: np.ndarray, low: float, high: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """For every row, a random donor at or above ``high`` and one at or below ``low`` of the column ``x``
    (each row its own donor when either group is empty: no effect)."""
    hi_rows, lo_rows = np.flatnonzero(x >= high), np.flatnonzero(x <= low)
    if len(hi_rows) and len(lo_rows):
        return rng.choice(hi_rows, len(x)), rng.choice(lo_rows, len(x))
    return np.arange(len(x)), np.arange(len(x))
