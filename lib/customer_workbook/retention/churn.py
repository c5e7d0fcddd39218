"""Churn prediction: prune features, fit calibrated models, judge them in the method's terms.

:func:`prune_features` removes leaking and useless features and says why; :func:`fit_models` fits a
logistic-regression baseline and a gradient-boosted model (class weights inside each training fold,
probabilities calibrated on held-out folds) and refuses a feature dated on or after its observation date.
Quality: :func:`threshold_table` (error rate = 1 - precision, missing ratio = share of real cases found),
:func:`model_quality` (PR-AUC), :func:`calibration_table`; :func:`choose_threshold` applies a stated rule;
:func:`prediction_drivers` ranks feature families; :func:`feature_shift` flags behaviour that changed.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import stats

from ..threads import one_thread
from ._whatif import _donor_rows, _driver_rows, _key_range
from .features import FAMILIES, KEY_FEATURES, FeatureSet, LeakageError, _fmt
from ..findings import date_words

__all__ = ["NEARLY_ALL", "CalibratedModel", "ChurnModels", "Confusion", "ModelComparison", "ModelQuality",
           "OperatingThreshold",
           "calibration_table", "check_no_leakage", "choose_threshold", "compare_models", "confusion_counts",
           "error_rate", "feature_shift", "fit_models", "missing_ratio", "model_quality", "operating_on", "predict_proba",
           "prediction_drivers", "prune_features", "driver_summary", "threshold_table"]

#: A rule that contacts at least this share of the customers does not select (:class:`OperatingThreshold`).
NEARLY_ALL = 0.95


def check_no_leakage(features: FeatureSet) -> None:
    """Raise :class:`LeakageError` when any feature used data on or after its observation date."""
    bad = features.source_end[features.source_end >= features.observation_date]
    if len(bad):
        raise LeakageError(f"{len(bad)} feature(s) use data dated on or after the observation date "
                           f"{features.observation_date:%Y-%m-%d}: {', '.join(bad.index[:8])}. Remove them "
                           "(see prune_features) before fitting.")


def _single_auc(x: np.ndarray, y: np.ndarray) -> float:
    """max(AUC, 1 - AUC) of one feature (missing values set to the median) against a 0/1 label."""
    x = np.where(np.isnan(x), np.nanmedian(x) if np.isfinite(x).any() else 0.0, x)
    ranks = stats.rankdata(x)
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    if n1 == 0 or n0 == 0:
        return 0.5
    auc = (ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    return float(max(auc, 1 - auc))


def prune_features(features: FeatureSet, y, max_missing: float = 0.98, max_mode_share: float = 0.995,
                   max_corr: float = 0.98, leak_auc: float = 0.97, max_rows: int = 50_000,
                   seed: int = 0) -> tuple[FeatureSet, pd.DataFrame]:
    """Remove leaking and useless features from a training feature set, with the reason for each.

    Rules, in order: (1) uses data on/after the observation date (a leak by construction);
    (2) a single feature predicts the label almost perfectly (AUC >= ``leak_auc``), which in churn data
    almost always means it leaks the answer; (3) missing for more than ``max_missing`` of customers;
    (4) one value in more than ``max_mode_share`` of customers (no information); (5) a near-copy
    (|Spearman r| >= ``max_corr``) of a feature already kept.

    Parameters
    ----------
    features : FeatureSet
        Training features.
    y : array-like, shape (n_customers,)
        0/1 training label aligned with ``features.frame``.
    max_rows, seed : int
        The checks run on a seeded random sample of at most ``max_rows`` customers.

    Returns
    -------
    kept : FeatureSet
    dropped : DataFrame
        ``feature``, ``family``, ``reason``, ``detail`` for each removed feature.
    """
    y = np.asarray(y).astype(int)
    X = features.frame
    if len(X) > max_rows:  # the statistics below are stable on a large random sample
        take = np.sort(np.random.default_rng(seed).choice(len(X), max_rows, replace=False))
        X, y = X.iloc[take], y[take]
    rows, kept = [], []
    for col in X.columns:
        x = X[col].to_numpy(dtype="float64")
        fam = features.family[col]
        if features.source_end[col] >= features.observation_date:
            rows.append((col, fam, "leak: uses data after the observation date",
                         f"latest record used {date_words(features.source_end[col])}"))
            continue
        miss = np.isnan(x).mean()
        if miss > max_missing:
            rows.append((col, fam, "useless: almost always missing", f"{miss:.1%} missing"))
            continue
        vals = x[~np.isnan(x)]
        mode_share = pd.Series(vals).value_counts(normalize=True).iloc[0] * (1 - miss) + 0 if len(vals) else 1.0
        if mode_share > max_mode_share:
            rows.append((col, fam, "useless: (almost) constant", f"one value in {mode_share:.1%} of customers"))
            continue
        auc = _single_auc(x, y)
        if auc >= leak_auc:
            rows.append((col, fam, "leak: predicts the label almost perfectly on its own", f"AUC {auc:.3f}"))
            continue
        kept.append(col)
    if len(kept) > 1:
        ranks = X[kept].rank().fillna(X[kept].rank().median())
        corr = np.abs(np.corrcoef(ranks.to_numpy().T))
        final = []
        for i, col in enumerate(kept):
            twins = [j for j in final if corr[i, kept.index(j)] >= max_corr]
            if twins:
                rows.append((col, features.family[col], "useless: duplicates another feature",
                             f"|r| {corr[i, kept.index(twins[0])]:.3f} with {twins[0]}"))
            else:
                final.append(col)
        kept = final
    dropped = pd.DataFrame(rows, columns=["feature", "family", "reason", "detail"])
    return features.subset(kept), dropped


def _pipelines(seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    logit = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(),
                          LogisticRegression(C=0.3, class_weight="balanced", max_iter=3000))
    boost = HistGradientBoostingClassifier(learning_rate=0.08, max_iter=150, max_leaf_nodes=15, min_samples_leaf=40,
                                           l2_regularization=1.0, class_weight="balanced", early_stopping=False,
                                           random_state=seed)
    return {"logistic regression": logit, "gradient boosting": boost}


class CalibratedModel:
    """A classifier fitted on one part of the training data and Platt-calibrated on the other.

    ``predict_proba(X)`` returns an array of shape (n, 2), like scikit-learn classifiers.
    """

    def __init__(self, base, calibrator):
        self.base = base
        self.calibrator = calibrator

    @staticmethod
    def _logit(p: np.ndarray) -> np.ndarray:
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))[:, None]

    def predict_proba(self, X) -> np.ndarray:
        return self.calibrator.predict_proba(self._logit(self.base.predict_proba(X)[:, 1]))


@dataclass(frozen=True)
class ChurnModels:
    """Calibrated models fitted on one training feature set (:func:`fit_models`).

    ``models`` maps a model name (``"logistic regression"``, ``"gradient boosting"``) to its
    :class:`CalibratedModel`; ``columns`` are the feature columns in the order the models expect;
    ``n_train`` is the number of training customers used (after sampling).
    """

    models: Mapping[str, CalibratedModel]
    columns: tuple[str, ...]
    n_train: int

    def __getitem__(self, name: str) -> CalibratedModel:
        return self.models[name]

    @property
    def names(self) -> tuple[str, ...]:
        """The model names, in fitting order."""
        return tuple(self.models)


def fit_models(features: FeatureSet, y, seed: int = 0, max_rows: int | None = 60_000,
               calibration_share: float = 0.3) -> ChurnModels:
    """Fit the logistic-regression baseline and the gradient-boosted model, then calibrate them.

    The training customers are split (stratified, seeded) into a fitting part and a calibration part.
    On the fitting part each model is a scikit-learn estimator with balanced class weights, so the class
    imbalance is handled inside the training data only; on the calibration part a Platt (sigmoid)
    calibrator maps its scores back to honest probabilities. Test data are never touched.

    Parameters
    ----------
    features : FeatureSet
        Training features (checked with :func:`check_no_leakage`: a leaking feature raises).
    y : array-like, shape (n,)
        0/1 label.
    seed : int
        Seed of the split, the training sample and the boosted trees.
    max_rows : int or None
        Train on a random sample of at most this many customers (scoring still uses everyone).
    calibration_share : float
        Share of the training customers kept aside for calibration.

    Returns
    -------
    ChurnModels
        The calibrated models by name, the feature order and the number of training customers.

    Raises
    ------
    LeakageError
        When a feature is dated on or after the observation date.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    check_no_leakage(features)
    y = np.asarray(y).astype(int)
    if len(np.unique(y)) < 2:
        raise ValueError("The training label has a single class; widen the label window or the population.")
    rng = np.random.default_rng(seed)
    frame = features.frame
    if max_rows is not None and len(frame) > max_rows:  # sample rows before copying to an array
        take = np.sort(rng.choice(len(frame), max_rows, replace=False))
        frame, y = frame.iloc[take], y[take]
    X = frame.to_numpy(dtype="float64")
    X_fit, X_cal, y_fit, y_cal = train_test_split(X, y, test_size=calibration_share, stratify=y, random_state=seed)
    models = {}
    for name, estimator in _pipelines(seed).items():
        with warnings.catch_warnings(), one_thread():
            warnings.simplefilter("ignore", category=UserWarning)
            estimator.fit(X_fit, y_fit)
            raw = estimator.predict_proba(X_cal)[:, 1]
            calibrator = LogisticRegression(C=1e6, max_iter=1000).fit(CalibratedModel._logit(raw), y_cal)
        models[name] = CalibratedModel(estimator, calibrator)
    return ChurnModels(MappingProxyType(models), tuple(features.frame.columns), int(len(X)))


def predict_proba(models: ChurnModels, name: str, features: FeatureSet) -> pd.Series:
    """Probability of the positive class for every row of ``features`` (same columns as training).

    Raises :class:`LeakageError` when a feature is dated on or after the observation date.
    """
    check_no_leakage(features)
    frame = features.frame.reindex(columns=list(models.columns))
    p = np.empty(len(frame))
    step = 200_000  # rows per block: memory stays flat on millions of customers
    with one_thread():
        for i in range(0, len(frame), step):
            p[i:i + step] = models[name].predict_proba(frame.iloc[i:i + step].to_numpy(dtype="float64"))[:, 1]
    return pd.Series(p, index=features.frame.index, name="p")


@dataclass(frozen=True)
class Confusion:
    """Counts of customers by truth and prediction (1 = the event, e.g. churned): true and false
    positives, false and true negatives."""

    tp: int
    fp: int
    fn: int
    tn: int


def confusion_counts(y_true, y_pred) -> Confusion:
    """The :class:`Confusion` counts of two 0/1 arrays of shape (n,)."""
    t, p = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    return Confusion(int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum()), int((~t & ~p).sum()))


def error_rate(y_true, y_pred) -> float:
    """Error rate of the methodology: of those predicted to have the event, the share who did not.

    Equals 1 - precision = fp / (tp + fp); NaN when nobody is predicted.
    """
    c = confusion_counts(y_true, y_pred)
    return c.fp / (c.tp + c.fp) if c.tp + c.fp else float("nan")


def missing_ratio(y_true, y_pred) -> float:
    """Missing ratio as the methodology defines it: of those who really had the event, the share found.

    Equals recall = tp / (tp + fn); its complement fn / (tp + fn) is the undetected share.
    NaN when nobody had the event.
    """
    c = confusion_counts(y_true, y_pred)
    return c.tp / (c.tp + c.fn) if c.tp + c.fn else float("nan")


def threshold_table(y_true, score, thresholds=None, value=None) -> pd.DataFrame:
    """Error rate, missing ratio and targeting volume at each score threshold (score >= threshold).

    Parameters
    ----------
    y_true : array-like, shape (n,)
        1 = the event happened (churned / paid).
    score : array-like, shape (n,)
        Predicted probability of the event.
    thresholds : array-like, optional
        Default 0.05, 0.10, ..., 0.95.
    value : array-like, shape (n,), optional
        Value of each customer (currency units); adds ``value_caught``: the value of the real cases
        that are targeted.

    Returns
    -------
    DataFrame
        ``threshold``, ``targeted`` (count), ``targeted_share``, ``tp``, ``fp``, ``fn``, ``precision``,
        ``error_rate`` (1 - precision), ``missing_ratio`` (share of real cases found, = recall),
        ``undetected_share`` (1 - missing ratio) and, with ``value``, ``value_caught``.
    """
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(score, dtype="float64")
    th = np.round(np.arange(0.05, 0.951, 0.05), 2) if thresholds is None else np.asarray(thresholds, dtype="float64")
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    cum_tp = np.concatenate([[0], np.cumsum(y_sorted)])
    k = np.searchsorted(-s_sorted, -th, side="right")  # number with score >= threshold
    tp = cum_tp[k]
    fp = k - tp
    pos = y.sum()
    fn = pos - tp
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(k > 0, tp / np.maximum(k, 1), np.nan)
        recall = tp / pos if pos else np.full(len(th), np.nan)
    out = pd.DataFrame({"threshold": th, "targeted": k, "targeted_share": k / max(len(s), 1), "tp": tp, "fp": fp,
                        "fn": fn, "precision": precision, "error_rate": 1 - precision, "missing_ratio": recall,
                        "undetected_share": 1 - recall})
    if value is not None:
        v = np.asarray(value, dtype="float64")[order] * y_sorted
        out["value_caught"] = np.concatenate([[0.0], np.cumsum(v)])[k]
    return out


@dataclass(frozen=True)
class OperatingThreshold:
    """The threshold a business rule chose (:func:`choose_threshold`) and its row of the threshold table.

    ``threshold`` (probability), ``targeted`` (customers with a score at or above it), ``error_rate``
    (1 - precision), ``missing_ratio`` (share of real cases found), ``undetected_share`` (1 - missing
    ratio), all on the table's (test) data; ``rule`` states the rule in words and ``met`` says whether
    a threshold satisfied it. ``targeted_share`` is the share of the table's customers at or above the
    threshold; ``selective`` is false when that is :data:`NEARLY_ALL` or more: the rule contacts (nearly)
    everyone, so it does not use the model (the error-rate cap is met by the base rate alone).
    """

    threshold: float
    targeted: int
    error_rate: float
    missing_ratio: float
    undetected_share: float
    rule: str
    met: bool
    targeted_share: float = math.nan
    selective: bool = True


def choose_threshold(table: pd.DataFrame, max_error_rate: float = 0.4,
                     min_missing_ratio: float = 0.0) -> OperatingThreshold:
    """Operating threshold by a stated business rule.

    Rule: *among thresholds whose error rate is at most ``max_error_rate`` (at most that share of the
    contacted customers would have been contacted needlessly), take the one that finds the most real
    cases (highest missing ratio)*. When no threshold meets the cap, take the one with the lowest error
    rate and say so.

    Parameters
    ----------
    table : DataFrame
        :func:`threshold_table` output.
    max_error_rate, min_missing_ratio : float
        The rule's cap on the error rate and floor on the missing ratio (shares, 0-1).
    """
    ok = table[(table["error_rate"] <= max_error_rate) & (table["missing_ratio"] >= min_missing_ratio)
               & (table["targeted"] > 0)]
    met = not ok.empty
    row = ok.sort_values(["missing_ratio", "threshold"], ascending=[False, True]).iloc[0] if met else \
        table[table["targeted"] > 0].sort_values("error_rate").iloc[0]
    rule = (f"find as many real cases as possible while keeping the error rate at or below {max_error_rate:.0%}"
            if met else f"no threshold keeps the error rate at or below {max_error_rate:.0%}; lowest error rate taken")
    share = float(row["targeted_share"]) if "targeted_share" in row else math.nan
    return OperatingThreshold(float(row["threshold"]), int(row["targeted"]), float(row["error_rate"]),
                              float(row["missing_ratio"]), float(row["undetected_share"]), rule, met, share,
                              not share >= NEARLY_ALL)


def operating_on(table: pd.DataFrame, chosen: OperatingThreshold) -> OperatingThreshold:
    """The threshold ``chosen`` on other customers (validation) read on ``table`` (the test period's
    :func:`threshold_table`, same threshold grid): same threshold and rule, the test period's counts and ratios."""
    row = table.iloc[int(np.argmin(np.abs(table["threshold"].to_numpy() - chosen.threshold)))]
    share = float(row["targeted_share"])
    return OperatingThreshold(chosen.threshold, int(row["targeted"]), float(row["error_rate"]),
                              float(row["missing_ratio"]), float(row["undetected_share"]), chosen.rule, chosen.met,
                              share, not share >= NEARLY_ALL)


@dataclass(frozen=True)
class ModelQuality:
    """Quality of one model's scores on test data (:func:`model_quality`): ``pr_auc`` (average
    precision; guessing scores ``base_rate``), ``roc_auc``, ``brier`` (mean squared error of the
    probabilities, lower is better), ``base_rate`` (share with the event) and ``n`` (customers)."""

    pr_auc: float
    roc_auc: float
    brier: float
    base_rate: float
    n: int


def model_quality(y_true, score) -> ModelQuality:
    """PR-AUC (average precision), ROC-AUC, Brier score and the base rate of one model on test data.

    ``y_true`` (0/1) and ``score`` (probability) have shape (n,). PR-AUC as in Saito & Rehmsmeier (2015),
    "The precision-recall plot is more informative than the ROC plot ... on imbalanced datasets".
    """
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.asarray(y_true).astype(int)
    s = np.asarray(score, dtype="float64")
    return ModelQuality(float(average_precision_score(y, s)), float(roc_auc_score(y, s)),
                        float(brier_score_loss(y, s)), float(y.mean()), int(len(y)))


@dataclass(frozen=True)
class ModelComparison:
    """Every model of a :class:`ChurnModels` scored on the same test data (:func:`compare_models`).

    ``scores`` and ``quality`` map a model name to its test probabilities (Series indexed by customer)
    and its :class:`ModelQuality`; ``best`` is the name with the highest PR-AUC.
    """

    scores: Mapping[str, pd.Series]
    quality: Mapping[str, ModelQuality]
    best: str

    def table(self) -> pd.DataFrame:
        """One row per model: ``model``, ``pr_auc``, ``roc_auc``, ``brier``, ``base_rate``, ``n``."""
        rows = [{"model": name, **vars(q)} for name, q in self.quality.items()]
        return pd.DataFrame(rows, columns=["model", "pr_auc", "roc_auc", "brier", "base_rate", "n"])

    def calibration(self, y_true, n_bins: int = 10) -> dict[str, pd.DataFrame]:
        """:func:`calibration_table` of every model against the test label ``y_true``."""
        return {name: calibration_table(y_true, score, n_bins) for name, score in self.scores.items()}


def compare_models(models: ChurnModels, features: FeatureSet, y_true) -> ModelComparison:
    """Score ``features`` (test data) with every model and judge each by :func:`model_quality`.

    The model with the highest PR-AUC is ``best`` (the first fitted wins a tie).
    """
    scores = {name: predict_proba(models, name, features) for name in models.names}
    quality = {name: model_quality(y_true, score) for name, score in scores.items()}
    best = max(quality, key=lambda name: quality[name].pr_auc)
    return ModelComparison(MappingProxyType(scores), MappingProxyType(quality), best)


def calibration_table(y_true, score, n_bins: int = 10) -> pd.DataFrame:
    """Reliability table: customers grouped into ``n_bins`` equal-count bins of predicted probability.

    Returns ``bin``, ``n``, ``predicted`` (mean score) and ``observed`` (event rate) per bin.
    Ranks first, so ties never drop bins.
    """
    s = np.asarray(score, dtype="float64")
    y = np.asarray(y_true).astype(float)
    ranks = stats.rankdata(s, method="ordinal")
    bins = np.minimum((ranks - 1) * n_bins // len(s), n_bins - 1).astype(int)
    frame = pd.DataFrame({"bin": bins, "s": s, "y": y})
    out = frame.groupby("bin").agg(n=("y", "size"), predicted=("s", "mean"), observed=("y", "mean")).reset_index()
    return out


def feature_shift(train: FeatureSet, test: FeatureSet, min_ratio: float = 2.0) -> pd.DataFrame:
    """Behaviours whose prevalence moved between the training and the test period.

    For each family's key feature (:data:`KEY_FEATURES`) with non-negative values, compares its mean in
    the two periods. A behaviour that became common only after the training date (slow deliveries after
    an operational change, say) is one the model could not learn to weigh: its effect on the prediction
    is understated until the model is retrained on data that contain it.

    Returns
    -------
    DataFrame, sorted by the size of the shift
        ``family``, ``feature``, ``train_mean``, ``test_mean``, ``ratio`` (test / train) for the key
        features whose mean grew or shrank at least ``min_ratio``-fold.
    """
    rows = []
    for family, key in KEY_FEATURES.items():
        if key not in train.frame or key not in test.frame:
            continue
        before, after = (float(np.nanmean(f.frame[key].to_numpy(dtype="float64"))) for f in (train, test))
        if min(before, after) < 0 or not np.isfinite(before + after) or max(before, after) == 0:
            continue
        ratio = after / before if before > 0 else np.inf
        if ratio >= min_ratio or ratio <= 1 / min_ratio:
            rows.append({"family": family, "feature": key, "train_mean": before, "test_mean": after, "ratio": ratio})
    out = pd.DataFrame(rows, columns=["family", "feature", "train_mean", "test_mean", "ratio"])
    return out.iloc[np.argsort(-np.abs(np.log(out["ratio"].to_numpy())))].reset_index(drop=True)


def prediction_drivers(models: ChurnModels, name: str, features: FeatureSet, y, n_repeats: int = 2, seed: int = 0,
                       max_rows: int = 5000, effects: bool = True) -> pd.DataFrame:
    """Which feature families drive the prediction: grouped permutation importance on test data.

    Every column of a family is shuffled together (the same row permutation), and the fall in
    average precision (PR-AUC) is the family's importance. Families rather than single columns, because
    correlated columns (e.g. orders in 90 and 180 days) share credit and would each look unimportant.
    Permutation importance weights a behaviour by how common it is; the what-if ``effect`` does not,
    so a rare but strong driver (a slow delivery) shows there.

    Returns
    -------
    DataFrame, sorted by importance
        ``family``, ``importance`` (PR-AUC lost when the family is shuffled), ``importance_sd``,
        ``key_feature`` (the column standing for the family, :data:`KEY_FEATURES`), ``low``/``high``
        (no/yes for a flag, else its 10th/90th percentile), ``effect`` (mean predicted probability when
        every customer's family columns are taken from a customer at or above ``high`` minus from one at or
        below ``low``, all other columns unchanged; NaN when ``effects`` is False: the effect for a customer,
        not weighted by how common the behaviour is, and consistent across the family's correlated
        columns), ``effect_rank`` (by absolute effect), ``what`` and ``in_words`` (plain words). No
        uncertainty: :func:`~customer_workbook.retention.driver_effects.driver_effects` adds intervals.
    """
    rng = np.random.default_rng(seed)
    X, y = _driver_rows(models, features, y, max_rows, rng)
    with one_thread():
        return _drivers(models, name, features, X, y, rng, n_repeats, effects)


def _drivers(models, name, features, X, y, rng, n_repeats, effects=True, donors=None):
    """:func:`prediction_drivers` on the rows ``X``/``y``; with ``donors`` (a dict), records per family the
    column indices and the donor rows of the what-if effect: ``{family: (columns, with_rows, without_rows)}``."""
    from sklearn.metrics import average_precision_score

    cols = list(models.columns)
    model = models[name]
    base_p = model.predict_proba(X)[:, 1]
    base = average_precision_score(y, base_p)
    fam = features.family.reindex(cols).to_numpy()
    rows = []
    for family in pd.unique(fam):
        idx = np.flatnonzero(fam == family)
        drops = []
        for _ in range(n_repeats):
            Xp = X.copy()
            perm = rng.permutation(len(X))
            Xp[:, idx] = X[perm][:, idx]
            drops.append(base - average_precision_score(y, model.predict_proba(Xp)[:, 1]))
        key, low, high = _key_range(X, idx, cols, family, base_p)
        effect = np.nan
        if effects:  # the whole family from a donor with / without the behaviour
            Xl, Xh = X.copy(), X.copy()
            hd, ld = _donor_rows(X[:, key], low, high, rng)
            Xh[:, idx], Xl[:, idx] = X[hd][:, idx], X[ld][:, idx]
            effect = float(model.predict_proba(Xh)[:, 1].mean() - model.predict_proba(Xl)[:, 1].mean())
            if donors is not None:
                donors[family] = (idx, hd, ld)
        rows.append({"family": family, "importance": float(np.mean(drops)), "importance_sd": float(np.std(drops)),
                     "key_feature": cols[key], "low": float(low), "high": float(high), "effect": effect,
                     "what": FAMILIES.get(family, family)})
    out = pd.DataFrame(rows).sort_values("importance", ascending=False).reset_index(drop=True)
    out["effect_rank"] = out["effect"].abs().rank(ascending=False, method="min").astype("Int64")
    out["in_words"] = [
        f"{features.description.get(f, f).capitalize()}: {'from ' + _fmt(lo) + ' to ' + _fmt(hi) if lo != 0 or hi != 1 else 'yes rather than no'} "
        f"{'raises' if e > 0 else 'lowers'} the probability by {abs(e) * 100:.1f} points"
        for f, lo, hi, e in zip(out["key_feature"], out["low"], out["high"], out["effect"])]
    return out


def driver_summary(reliance: pd.DataFrame, effects: pd.DataFrame) -> pd.DataFrame:
    """Reliance of one model and what-if effects of another, side by side per feature family.

    ``reliance`` and ``effects`` are :func:`prediction_drivers` outputs (the model used, without
    effects; and a model whose effects are stable, e.g. the logistic regression), or for ``effects`` the
    table of :func:`~customer_workbook.retention.driver_effects.driver_effects`. Returns one row per
    family in the order of ``reliance``: ``family``, ``importance``, ``importance_sd`` (PR-AUC points
    lost), ``key_feature``, ``effect`` (probability points), ``effect_rank``, ``in_words`` and, when
    ``effects`` has them, ``effect_low``/``effect_high`` (interval) and ``measured``; the input of
    :func:`customer_workbook.plots.plot_drivers`.
    """
    extra = [c for c in ("effect_low", "effect_high", "measured") if c in effects]
    return reliance[["family", "importance", "importance_sd"]].merge(
        effects[["family", "key_feature", "effect", "effect_rank", "in_words", *extra]], on="family")
