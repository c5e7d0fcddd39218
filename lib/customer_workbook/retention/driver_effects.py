"""Which churn drivers are measured: the what-if effects of :func:`~.churn.prediction_drivers` with intervals.

A what-if effect (mean predicted churn probability with a behaviour minus without it, logistic regression)
is a point estimate: a coefficient learnt from a handful of customers (16 slow last deliveries, say) gives a
large effect that another sample of customers would not. :func:`driver_effects` refits the logistic
regression (and its Platt calibration, as :func:`~.churn.fit_models` does) on seeded bootstrap resamples of
the training customers and recomputes every family's effect by the same rule on resampled test rows (the
family's column chosen again where it is not fixed, donors drawn again: on synthetic companies without a
driver, fixed donors and a fixed column understated the error of families of several columns).
The draws' standard deviation is the effect's standard error; a family is a **measured driver** only when
its effect differs from zero after Holm's correction across the families at :data:`DRIVER_ALPHA` (the
project's rate for leaders named beside 90% intervals, :data:`customer_workbook.stats.LEADER_ALPHA`).

Effects are differences of probabilities (shares; ``unit="pp"`` in findings). Cost: one logistic fit per
draw (about 0.2 s for 13,000 training customers); the rows of a draw are capped at ``max_boot_rows`` and
the error rescaled to the training size (an m-out-of-n bootstrap, valid for smooth estimates).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from ..stats.separation import LEADER_ALPHA, difference_p_values, se_from_draws
from ..stats.testing import holm
from ..threads import one_thread
from ._whatif import _donor_rows, _driver_rows, _key_range
from .churn import ChurnModels, _drivers, _pipelines
from .features import FeatureSet

__all__ = ["DRIVER_ALPHA", "DRIVER_LEVEL", "N_BOOT", "DriverEffects", "driver_effects", "effect_draws"]

#: False-alarm rate of naming any family as a driver (two-sided, Holm-corrected across the families).
DRIVER_ALPHA = LEADER_ALPHA
#: Confidence level of the interval shown for each family's effect.
DRIVER_LEVEL = 0.90
#: Bootstrap refits of the logistic regression (the standard error's relative error is about 1/sqrt(2 N_BOOT)).
N_BOOT = 40
_LOGIT_CLIP = float(np.log((1 - 1e-6) / 1e-6))  # CalibratedModel clips probabilities to [1e-6, 1 - 1e-6]


@dataclass(frozen=True)
class DriverEffects:
    """What-if effects of the feature families with their uncertainty (:func:`driver_effects`).

    ``table`` has the columns of :func:`~.churn.prediction_drivers` (logistic regression, same order) plus
    ``effect_se`` (standard error, probability), ``effect_low``/``effect_high`` (the ``level`` interval),
    ``p_value`` (two-sided, effect = 0), ``p_holm`` (Holm-adjusted across the families) and ``measured``
    (``p_holm < alpha``). ``n_boot`` draws were finite out of those asked for.
    """

    table: pd.DataFrame
    level: float
    alpha: float
    n_boot: int

    @property
    def measured(self) -> tuple[str, ...]:
        """The families measured as drivers, largest absolute effect first."""
        t = self.table[self.table["measured"]]
        return tuple(t.iloc[np.argsort(-t["effect"].abs().to_numpy(), kind="stable")]["family"])


def _design_features(pipe, n_features: int) -> np.ndarray:
    """Raw feature index of every column the logistic regression sees after the imputer (which drops
    all-missing features and appends a missing-indicator per feature that had gaps) and the scaler."""
    imputer = pipe[0]
    kept = np.flatnonzero(~np.isnan(imputer.statistics_)) if len(imputer.statistics_) else np.arange(n_features)
    flagged = imputer.indicator_.features_ if imputer.indicator_ is not None else np.array([], dtype=int)
    return np.concatenate([kept, np.asarray(flagged, dtype=int)])


def _effects_of(model, X: np.ndarray, donors: dict, rows: np.ndarray | None = None) -> np.ndarray:
    """Every family's what-if effect under one calibrated logistic model (``base`` a pipeline imputer ->
    scaler -> logistic regression), on rows ``X`` with the donors of :func:`~.churn._drivers`; exact:
    the imputer and scaler act column by column, so taking a family's columns from a donor moves only
    that family's share of the linear predictor."""
    pipe = model.base
    Z = pipe[:-1].transform(X)
    coef = pipe[-1].coef_[0]
    eta = Z @ coef + pipe[-1].intercept_[0]
    a, c = float(model.calibrator.coef_[0, 0]), float(model.calibrator.intercept_[0])
    source = _design_features(pipe, X.shape[1])
    out = []
    for idx, hd, ld in donors.values():
        cols = np.isin(source, idx)
        part = Z[:, cols] @ coef[cols]
        rest = eta - part
        with_, without = (expit(a * np.clip(rest + part[d], -_LOGIT_CLIP, _LOGIT_CLIP) + c) for d in (hd, ld))
        diff = with_ - without
        out.append(float(diff.mean() if rows is None else diff[rows].mean()))
    return np.array(out)


def _refit_logit(X_fit: np.ndarray, y_fit: np.ndarray, X_cal: np.ndarray, y_cal: np.ndarray, seed: int):
    """The calibrated logistic regression of :func:`~.churn.fit_models`, refitted: the pipeline on the fitting
    rows, the Platt calibrator on the calibration rows."""
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression

    from .churn import CalibratedModel

    pipe = clone(_pipelines(seed)["logistic regression"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        pipe.fit(X_fit, y_fit)
        raw = CalibratedModel._logit(pipe.predict_proba(X_cal)[:, 1])
        return CalibratedModel(pipe, LogisticRegression(C=1e6, max_iter=1000).fit(raw, y_cal))


def _resample(parts: list[np.ndarray], rng, m: int, n: int) -> list[np.ndarray]:
    """A bootstrap resample of ``m`` of ``n`` rows drawn within each part (index arrays) in proportion to
    its size, so that no customer is in two parts."""
    return [rng.choice(part, max(int(round(len(part) * m / n)), 1)) for part in parts]


def _redraw(model, X: np.ndarray, cols: list, donors: dict, rng) -> dict:
    """Fresh donors under a refitted model: each family's column is chosen again (from the refit's
    predictions when the family has no fixed key feature, so the choice of the most telling column is part
    of the uncertainty) and its donors are drawn again."""
    p = model.predict_proba(X)[:, 1]
    fresh = {}
    for family, (idx, _, _) in donors.items():
        key, low, high = _key_range(X, idx, cols, family, p)
        fresh[family] = (idx, *_donor_rows(X[:, key], low, high, rng))
    return fresh


def effect_draws(columns, train: FeatureSet, y_train, X: np.ndarray, donors: dict, seed: int = 0,
                 n_boot: int = N_BOOT, max_boot_rows: int = 20_000, calibration_share: float = 0.3,
                 resample_rows: bool = True) -> np.ndarray:
    """Bootstrap draws of every family's what-if effect, shape (n_boot, n_families) in the order of ``donors``.

    The training customers are split once (stratified, seeded) into a fitting and a calibration part, as
    :func:`~.churn.fit_models` does; each draw resamples ``min(n_train, max_boot_rows)`` customers with
    replacement within the parts (a customer is never both fitted and calibrated on), refits the
    calibrated logistic regression and recomputes the effects on the test rows ``X`` (columns in the
    models' order ``columns``) with the same rule as the point (:func:`_redraw`: the family's column is
    chosen again when it is not fixed, its donors drawn again); with ``resample_rows`` the test rows are
    resampled too (the effect is a mean over them). A draw whose resample holds too few churners or stayers is NaN.
    """
    from sklearn.model_selection import train_test_split

    Xt = train.frame.reindex(columns=list(columns)).to_numpy(dtype="float64")
    yt = np.asarray(y_train).astype(int)
    rng = np.random.default_rng(seed)
    fit_rows, cal_rows = train_test_split(np.arange(len(Xt)), test_size=calibration_share, stratify=yt,
                                          random_state=seed)
    m = min(len(Xt), max_boot_rows)
    draws = np.full((n_boot, len(donors)), np.nan)
    with one_thread():
        for b in range(n_boot):
            f, c = _resample([fit_rows, cal_rows], rng, m, len(Xt))
            if min(np.bincount(yt[f], minlength=2).min(), np.bincount(yt[c], minlength=2).min()) < 2:
                continue
            rows = rng.integers(0, len(X), len(X)) if resample_rows else None
            model = _refit_logit(Xt[f], yt[f], Xt[c], yt[c], seed)
            draws[b] = _effects_of(model, X, _redraw(model, X, list(columns), donors, rng), rows)
    return draws


def driver_effects(models: ChurnModels, train: FeatureSet, y_train, test: FeatureSet, y_test, seed: int = 0,
                   n_boot: int = N_BOOT, max_rows: int = 5000, max_boot_rows: int = 20_000,
                   level: float = DRIVER_LEVEL, alpha: float = DRIVER_ALPHA) -> DriverEffects:
    """The logistic regression's what-if effects per family, their ``level`` intervals and the measured drivers.

    The points are exactly ``prediction_drivers(models, "logistic regression", test, y_test, seed=seed,
    max_rows=max_rows)``; the standard errors come from :func:`effect_draws` (rescaled by
    ``sqrt(m / models.n_train)`` when a draw uses ``m`` < ``n_train`` customers); the interval is
    ``effect +- z * se`` and a family is measured when its Holm-adjusted two-sided p-value is below
    ``alpha``. With ``alpha`` = 0.10, a company with no driver has at most a 10% chance that any family
    is named. Families without donors (effect 0) are never measured.
    """
    rng = np.random.default_rng(seed)
    X, y = _driver_rows(models, test, y_test, max_rows, rng)
    donors: dict = {}
    with one_thread():
        table = _drivers(models, "logistic regression", test, X, y, rng, 2, True, donors)
    draws = effect_draws(models.columns, train, y_train, X, donors, seed=seed, n_boot=n_boot,
                         max_boot_rows=max_boot_rows)
    m = min(len(train.frame), max_boot_rows)
    se = pd.Series([se_from_draws(draws[:, j]) * np.sqrt(m / max(models.n_train, m)) for j in range(len(donors))],
                   index=list(donors), dtype=float).reindex(table["family"]).to_numpy()
    z = stats.norm.ppf(0.5 + level / 2)
    effect = table["effect"].to_numpy(dtype=float)
    p = difference_p_values(effect, se)
    table = table.assign(effect_se=se, effect_low=effect - z * se, effect_high=effect + z * se, p_value=p,
                         p_holm=holm(p))
    table["measured"] = table["p_holm"].lt(alpha).to_numpy()
    return DriverEffects(table, level, alpha, int(np.isfinite(draws).all(axis=1).sum()))

