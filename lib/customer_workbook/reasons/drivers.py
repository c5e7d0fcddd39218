"""Drivers of recommendation and loyalty: which stated reasons to choose us go with the outcome.

The survey asks how much each of the ten reasons (:data:`customer_workbook.contract.REASONS`) applies,
on a 1-5 agreement scale. The reasons are correlated, so a plain regression can hand all the credit to
one of two related reasons or give one a negative sign. **Dominance analysis** fits the model on every
subset of reasons and credits each with its average gain in R² (Budescu 1993; Azen & Budescu 2003):
the importances add up to the full model's R², and bootstrap resamples of respondents give intervals.

>>> answers = latest_answers(ds.surveys)
>>> result = driver_importance(survey_drivers(answers), answers["nps"], n_boot=200, seed=0)
>>> result.table.head(3), result.r2
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..contract import REASONS

__all__ = ["MIN_RESPONDENTS_PER_DRIVER", "DriverImportance", "SpearmanLink", "dominance_weights", "driver_importance",
           "latest_answers", "respondents_needed", "spearman_link", "survey_drivers"]

#: Respondents a driver analysis needs per driver (10 per predictor, the usual rule for a stable regression);
#: with fewer the notebook does not rank the drivers and says how many answers it has.
MIN_RESPONDENTS_PER_DRIVER = 10


def latest_answers(surveys: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's most recent survey answer (one row per customer, index ``customer_id``)."""
    latest = surveys.sort_values(["customer_id", "date"], kind="stable").drop_duplicates("customer_id", keep="last")
    return latest.set_index("customer_id")


def survey_drivers(answers: pd.DataFrame) -> pd.DataFrame:
    """The ten ``why_<reason>`` agreement items of :func:`latest_answers`, columns renamed to the reasons."""
    cols = [f"why_{r}" for r in REASONS if f"why_{r}" in answers]
    return answers[cols].rename(columns=lambda c: c[4:])


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of every predictor subset from a (p+1, p+1) correlation matrix (outcome last); shape (2**p,)."""
    p = corr.shape[0] - 1
    rxx, rxy = corr[:p, :p], corr[:p, p]
    r2 = np.zeros(2 ** p)
    for size in range(1, p + 1):
        combos = np.array(list(itertools.combinations(range(p), size)))
        sub = rxx[combos[:, :, None], combos[:, None, :]]
        vec = rxy[combos]
        sol = np.linalg.solve(sub + 1e-10 * np.eye(size), vec[..., None])[..., 0]
        r2[(1 << combos).sum(axis=1)] = np.einsum("ij,ij->i", vec, sol)
    return r2


def dominance_weights(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """General dominance weights: each driver's average gain in R² over all subsets of the others.

    The weights are the Shapley decomposition of the full model's R² (they sum to it), so correlated
    drivers share the variance they explain together instead of one taking all and the other a
    negative coefficient (Budescu 1993; Azen & Budescu 2003).

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Driver scores (p <= 15: the method fits all 2**p subsets).
    y : ndarray, shape (n,)
        Outcome.

    Returns
    -------
    ndarray, shape (p,)
        Share of the outcome's variance attributed to each driver (R² units; sums to the full R²).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.shape[1] > 15:
        raise ValueError("dominance analysis fits 2**p models; use at most 15 drivers")
    return _dominance_from_corr(_weighted_corr(np.column_stack([X, y]), np.ones(len(y))))


def _weighted_corr(Z: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Correlation matrix of the columns of ``Z`` (n, k) with each row counted ``counts`` (n,) times.

    With bootstrap counts this equals the correlation of the resampled rows, without copying them.
    A constant column has no correlation: its entries are 0 (1 on the diagonal).
    """
    total = counts.sum()
    mean = counts @ Z / total
    cov = (Z * counts[:, None]).T @ Z / total - np.outer(mean, mean)
    var = np.diag(cov)
    sd = np.where(var > 1e-12 * (1.0 + mean ** 2), np.sqrt(np.clip(var, 0.0, None)), 0.0)  # rounding, not spread
    scale = np.outer(sd, sd)
    corr = np.divide(cov, scale, out=np.zeros_like(cov), where=scale > 0)
    np.fill_diagonal(corr, 1.0)
    return corr


def _dominance_from_corr(corr: np.ndarray) -> np.ndarray:
    """General dominance weights from a (p+1, p+1) correlation matrix (outcome last); shape (p,)."""
    p = corr.shape[0] - 1
    r2 = _subset_r2(corr)
    masks = np.arange(2 ** p)
    sizes = np.array([bin(m).count("1") for m in masks])
    weights = np.zeros(p)
    for i in range(p):
        without = masks[(masks >> i) & 1 == 0]
        k = sizes[without]
        w = 1.0 / (p * np.array([math.comb(p - 1, int(s)) for s in range(p)]))[k]
        weights[i] = np.sum(w * (r2[without | (1 << i)] - r2[without]))
    return weights


@dataclass(frozen=True)
class DriverImportance:
    """The result of :func:`driver_importance`.

    ``table``: one row per driver, most important first: ``driver``, ``rank``, ``importance`` (R² share,
    see :func:`dominance_weights`), ``share`` (of the total R²), ``low`` / ``high`` (bootstrap interval of
    ``importance``), ``rank_low`` / ``rank_high`` (bootstrap interval of the rank), ``top3_share`` (share
    of resamples with the driver in the top three), ``performance`` (mean score), ``top2box`` (share
    scoring 4 or 5 on a 1-5 item) and ``correlation`` with the outcome. ``r2``: variance of the outcome
    the drivers explain together (0-1); ``n``: respondents used; ``n_boot`` resamples; ``level`` of the
    intervals (0-1). ``p_value``: F-test of the full model against the intercept-only baseline (R² = 0);
    ``informative`` is true when it is below ``alpha`` (0.05), i.e. the drivers explain the outcome better than
    chance. A ranking of drivers that do not is noise and is not to be headlined.
    """

    table: pd.DataFrame
    r2: float
    n: int
    n_boot: int
    level: float
    p_value: float = float("nan")
    alpha: float = 0.05

    @property
    def informative(self) -> bool:
        """The drivers beat the baseline: the F-test of R² > 0 is significant at ``alpha``."""
        return bool(self.p_value < self.alpha)


def respondents_needed(n_drivers: int) -> int:
    """Respondents a driver analysis of ``n_drivers`` needs (:data:`MIN_RESPONDENTS_PER_DRIVER` each)."""
    return MIN_RESPONDENTS_PER_DRIVER * int(n_drivers)


def _f_test(r2: float, n: int, p: int) -> float:
    """p-value of the regression F-test (H0: R² = 0) for ``p`` predictors and ``n`` observations."""
    if n <= p + 1 or not np.isfinite(r2):
        return float("nan")
    if r2 >= 1.0:
        return 0.0
    f = (r2 / p) / ((1.0 - r2) / (n - p - 1))
    return float(stats.f.sf(f, p, n - p - 1))


def _bootstrap(X: np.ndarray, y: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Dominance weights of ``n_boot`` bootstrap resamples of the respondents; shape (n_boot, p)."""
    n, p = X.shape
    boots = np.empty((n_boot, p))
    rng = np.random.default_rng(seed)
    Z = np.column_stack([X, y])
    for b in range(n_boot):  # a resample = how often each respondent is drawn (n draws with replacement)
        counts = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        boots[b] = _dominance_from_corr(_weighted_corr(Z, counts))
    return boots


def driver_importance(drivers: pd.DataFrame, outcome: pd.Series, n_boot: int = 200, seed: int = 0,
                      level: float = 0.90) -> DriverImportance:
    """Relative importance of correlated drivers by dominance analysis, with bootstrap intervals.

    Parameters
    ----------
    drivers
        One column per driver (e.g. :func:`survey_drivers`: the ten agreement items, 1-5), one row
        per respondent.
    outcome
        Outcome per respondent (e.g. NPS answer 0-10, or a loyalty score), same index.
    n_boot
        Bootstrap resamples of respondents for the intervals (0: none).
    seed
        Random seed of the bootstrap.
    level
        Coverage of the percentile intervals.

    Returns
    -------
    DriverImportance
        The table of drivers, the R² they explain together and its F-test against R² = 0.
    """
    frame = drivers.join(outcome.rename("__y"), how="inner").dropna()
    names = [str(c) for c in drivers.columns]
    X = frame[drivers.columns].to_numpy(dtype=float)
    y = frame["__y"].to_numpy(dtype=float)
    n, p = X.shape
    if n < p + 2:
        raise ValueError(f"driver analysis needs more respondents than drivers (got {n} for {p} drivers)")
    point = dominance_weights(X, y)
    boots = _bootstrap(X, y, n_boot, seed)
    alpha = (1 - level) / 2
    ranks = (-boots).argsort(axis=1).argsort(axis=1) + 1 if n_boot else np.empty((0, p))
    out = pd.DataFrame({
        "driver": names, "importance": point, "share": point / point.sum() if point.sum() > 0 else np.nan,
        "low": np.quantile(boots, alpha, axis=0) if n_boot else np.nan,
        "high": np.quantile(boots, 1 - alpha, axis=0) if n_boot else np.nan,
        "rank_low": np.quantile(ranks, alpha, axis=0) if n_boot else np.nan,
        "rank_high": np.quantile(ranks, 1 - alpha, axis=0) if n_boot else np.nan,
        "top3_share": (ranks <= 3).mean(axis=0) if n_boot else np.nan,
        "performance": X.mean(axis=0),
        "top2box": (X >= 4).mean(axis=0),
        "correlation": [np.corrcoef(X[:, j], y)[0, 1] if X[:, j].std() > 0 else np.nan for j in range(p)],
    }).sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    out.insert(1, "rank", np.arange(1, p + 1))
    r2 = float(point.sum())
    return DriverImportance(table=out, r2=r2, n=int(n), n_boot=int(n_boot), level=level, p_value=_f_test(r2, n, p))


@dataclass(frozen=True)
class SpearmanLink:
    """Spearman rank correlation ``rho`` (-1..1), its two-sided ``p_value`` and the pairs ``n`` used."""

    rho: float
    p_value: float
    n: int


def spearman_link(behaviour: pd.Series, stated: pd.Series) -> SpearmanLink:
    """Spearman correlation between a behaviour measure and a stated survey item, on common customers.

    ``rho`` and ``p_value`` are NaN when there are fewer than 10 pairs or either side does not vary.
    """
    both = pd.concat([behaviour.rename("b"), stated.rename("s")], axis=1, join="inner").dropna()
    if len(both) < 10 or both["b"].nunique() < 2 or both["s"].nunique() < 2:
        return SpearmanLink(np.nan, np.nan, int(len(both)))
    res = stats.spearmanr(both["b"], both["s"])
    return SpearmanLink(float(res.statistic), float(res.pvalue), int(len(both)))
