"""Choose the purchase model on held-out data: BG/NBD, MBG/NBD or Pareto/NBD against a naive baseline.

The history before the scoring date is split at a calibration date: the last :func:`holdout_days` days
(a third of the span, at least :data:`MIN_HOLDOUT_DAYS`, at most :data:`MAX_HOLDOUT_DAYS`) are held out.
Each candidate model is fitted on the calibration period (the customers acquired by then, a seeded sample
of at most ``max_fit_customers``) and predicts every calibration customer's repeat purchases in the holdout.
The error is the mean absolute error per customer (purchase days); the naive baseline predicts each
customer's calibration rate ``frequency / T`` times the holdout length. Among the models that converged
with no parameter at a bound, the one with the smallest error is chosen; it must beat the baseline.

Usage::

    choice, split, fitted = compare_models(transactions, as_of, ("BG/NBD", "MBG/NBD", "Pareto/NBD"))
    choice.chosen, choice.reason
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validation import CLVDataWarning
from .data import calibration_and_holdout
from .models import BGNBDModel, MBGNBDModel, ParetoNBDModel

__all__ = ["MODELS", "DEFAULT_MODELS", "MIN_HOLDOUT_DAYS", "MAX_HOLDOUT_DAYS", "DRIFT_TOLERANCE", "HoldoutScore", "ModelChoice",
           "holdout_days", "compare_models"]

#: Candidate purchase models by name (the names used in reports).
MODELS = {"BG/NBD": BGNBDModel, "MBG/NBD": MBGNBDModel, "Pareto/NBD": ParetoNBDModel}
#: Candidates compared by default. Pareto/NBD is opt-in (``models=(..., "Pareto/NBD")``): its series likelihood
#: can take minutes on degenerate histories (150 s on a base whose BG/NBD fit sits at a bound).
DEFAULT_MODELS = ("BG/NBD", "MBG/NBD")
#: Shortest holdout (days): below it too few repeat purchases fall in the holdout to compare models.
MIN_HOLDOUT_DAYS = 56
#: Longest holdout (days): a year tells the models apart; a longer one shortens the calibration needlessly.
MAX_HOLDOUT_DAYS = 364
#: Relative gap between predicted and actual holdout purchases beyond which a report warns of a recent change.
#: Sampling noise of a total of a few hundred purchases is a few percent; 10% is a change in behaviour.
DRIFT_TOLERANCE = 0.10


def holdout_days(span_days: int) -> int:
    """Holdout length (days) for a history of ``span_days``: a third, clipped to [56, 364]; 0 when too short.

    The calibration period must be at least twice the holdout, so histories shorter than
    ``3 x MIN_HOLDOUT_DAYS`` (168 days) get no holdout check (0).
    """
    if span_days < 3 * MIN_HOLDOUT_DAYS:
        return 0
    return int(min(MAX_HOLDOUT_DAYS, max(MIN_HOLDOUT_DAYS, span_days // 3)))


@dataclass(frozen=True)
class HoldoutScore:
    """One model's holdout check.

    Attributes
    ----------
    model : str
        ``"BG/NBD"``, ``"MBG/NBD"`` or ``"Pareto/NBD"``.
    converged : bool
    at_bound : tuple of str
        Parameters at the optimiser bound.
    mae : float
        Mean absolute error of predicted holdout repeat purchases per customer (purchase days); NaN if unfitted.
    predicted_total : float
        Predicted holdout repeat purchases of all calibration customers (count).
    error : str or None
        Why the fit failed, if it did.
    """

    model: str
    converged: bool
    at_bound: tuple
    mae: float
    predicted_total: float
    error: str | None = None

    @property
    def passed(self) -> bool:
        """Eligible: fitted, converged, no parameter at a bound, finite error."""
        return self.error is None and self.converged and not self.at_bound and bool(np.isfinite(self.mae))


@dataclass(frozen=True)
class ModelChoice:
    """Which purchase model was chosen on held-out data, and why.

    Attributes
    ----------
    calibration_end : Timestamp or None
        Last day of the calibration period (None: history too short for a holdout check).
    holdout_weeks : float
        Length of the holdout (weeks).
    n_customers : int
        Calibration customers compared in the holdout.
    actual_total : float
        Their actual holdout repeat purchases (count).
    scores : tuple of HoldoutScore
        One per candidate model.
    baseline_mae, baseline_total : float
        Error and total of the naive baseline (each customer's calibration rate).
    chosen : str
        The model used for scoring.
    reason : str
        Why, in plain words.
    """

    calibration_end: pd.Timestamp | None
    holdout_weeks: float
    n_customers: int
    actual_total: float
    scores: tuple
    baseline_mae: float
    baseline_total: float
    chosen: str
    reason: str

    @property
    def checked(self) -> bool:
        """A holdout comparison ran."""
        return self.calibration_end is not None

    @property
    def chosen_score(self) -> HoldoutScore | None:
        """The chosen model's holdout score (None without a check)."""
        return next((s for s in self.scores if s.model == self.chosen), None)

    @property
    def beats_baseline(self) -> bool:
        """The chosen model passed its gate and predicts the holdout better than the naive baseline."""
        s = self.chosen_score
        return s is not None and s.passed and s.mae < self.baseline_mae

    @property
    def holdout_gap(self) -> float | None:
        """Predicted / actual holdout repeat purchases of the chosen model, minus 1 (0.16 = 16% too many);
        None without a check, a finite prediction or any actual purchase."""
        s = self.chosen_score
        if s is None or not np.isfinite(s.predicted_total) or self.actual_total <= 0:
            return None
        return float(s.predicted_total / self.actual_total - 1.0)

    def drift_sentence(self) -> str:
        """A warning when the chosen model missed the held-out total by more than :data:`DRIFT_TOLERANCE`: either
        behaviour changed in the most recent weeks or customers leave in a way the model does not represent (on
        the null sample company, which leaves silently between orders, MBG/NBD over-predicts by 18-29%)."""
        gap = self.holdout_gap
        if gap is None or abs(gap) <= DRIFT_TOLERANCE:
            return ""
        more = gap > 0
        return (f"The model {'over' if more else 'under'}-predicted the held-out weeks by {abs(gap):.0%}: customers "
                f"bought {'less' if more else 'more'} than it expected from the history before them, either because "
                "behaviour changed (the change register, notebook 02, shows what changed) or because customers "
                "leave in a way the model does not represent; P(alive) and expected values are probably "
                f"{'optimistic' if more else 'pessimistic'}.")


def _reason(scores, chosen: str, baseline_mae: float) -> str:
    """Plain-words reason of the choice."""
    passed = [s for s in scores if s.passed]
    failed = [s.model for s in scores if not s.passed]
    if not passed:
        return f"no model passed its fit checks on the calibration period; {chosen} is used with reservation"
    best = min(passed, key=lambda s: s.mae)
    others = ", ".join(f"{s.model} {s.mae:.3f}" for s in passed if s is not best)
    text = f"{best.model} predicted the held-out repeat purchases best (mean absolute error {best.mae:.3f} per customer"
    text += f"; {others})" if others else ")"
    text += (f", better than the naive rate baseline ({baseline_mae:.3f})" if best.mae < baseline_mae
             else f", but not better than the naive rate baseline ({baseline_mae:.3f})")
    if failed:
        text += f"; {', '.join(failed)} failed its fit checks"
    return text


def compare_models(transactions: pd.DataFrame, as_of: pd.Timestamp, models=DEFAULT_MODELS, *, fit,
                   max_fit_customers: int = 50_000, seed: int = 0):
    """Fit each model on the calibration period and compare its holdout predictions with the actual purchases.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions (``customer_id``, ``date``, ``amount``) dated before ``as_of``.
    as_of : Timestamp
        Scoring date; the history ends the day before.
    models : sequence of str
        Candidate names from :data:`MODELS`; the first is used when no check is possible.
    fit : callable
        ``fit(model, rows, name, time_unit="W") -> (model or None, ModelFit)`` (the scorer's fitter).
    max_fit_customers, seed : int
        Seeded sample of calibration customers used for fitting (all are compared).

    Returns
    -------
    (ModelChoice, DataFrame or None, dict)
        The choice; the calibration/holdout table with a ``predicted_<model>`` and ``baseline`` column per
        customer (None without a check); the calibration-fitted models by name.
    """
    tx = transactions.loc[(transactions["date"] < as_of).to_numpy()]
    first, last = tx["date"].min().normalize(), as_of - pd.Timedelta(days=1)
    days = holdout_days(int((last - first).days))
    if days == 0:
        return (ModelChoice(None, 0.0, 0, 0.0, (), float("nan"), float("nan"), models[0],
                            f"the history ({(last - first).days} days) is too short to hold out "
                            f"{MIN_HOLDOUT_DAYS} days; {models[0]} is used unchecked"), None, {})
    cal_end = last - pd.Timedelta(days=days)
    with warnings.catch_warnings():   # customers first seen on cal_end (T = 0) are left out of the comparison
        warnings.simplefilter("ignore", CLVDataWarning)
        split = calibration_and_holdout(tx, cal_end, last, freq="D", time_unit="W").table
    split = split.loc[split["T"].to_numpy() > 0].copy()
    rows = split if len(split) <= max_fit_customers else split.sample(n=max_fit_customers, random_state=seed)
    actual = split["frequency_holdout"].to_numpy(dtype=float)
    weeks = days / 7.0
    scores, fitted = [], {}
    for name in models:
        model, report = fit(MODELS[name](), rows, name, time_unit="W")
        if model is None:
            scores.append(HoldoutScore(name, False, (), float("nan"), float("nan"), report.error))
            continue
        with np.errstate(all="ignore"):
            predicted = np.asarray(model.expected_purchases(weeks, split), dtype=float)
        split[f"predicted_{name}"] = predicted
        fitted[name] = model
        scores.append(HoldoutScore(name, report.converged, report.at_bound, float(np.mean(np.abs(predicted - actual))),
                                   float(predicted.sum())))
    baseline = split["frequency"].to_numpy(dtype=float) / split["T"].to_numpy(dtype=float) * weeks
    split["baseline"] = baseline
    passed = [s for s in scores if s.passed]
    chosen = min(passed, key=lambda s: s.mae).model if passed else models[0]
    base_mae = float(np.mean(np.abs(baseline - actual)))
    choice = ModelChoice(cal_end, weeks, len(split), float(actual.sum()), tuple(scores), base_mae,
                         float(baseline.sum()), chosen, _reason(scores, chosen, base_mae))
    return choice, split, fitted
