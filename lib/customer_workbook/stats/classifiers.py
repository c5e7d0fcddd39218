"""Does a fitted classifier earn its place? The gate every churn-type model passes before it is used.

A model that scores customers (churn, pays again) is used downstream only when it had enough customers of
each class to learn from and to be judged on, and when it beats guessing on held-out data by a margin:

* **enough data**: at least :data:`MIN_CLASS` customers with and without the event in the training and in
  the test data;
* **better than guessing**: the PR-AUC closes at least :data:`MIN_SKILL` of the gap between the base rate
  (what guessing scores) and a perfect 1 (``skill = (pr_auc - base_rate) / (1 - base_rate)``), and the
  ROC-AUC (0.5 for guessing, whatever the base rate) is at least :data:`MIN_ROC_AUC`.

Shares and AUCs are 0-1; counts are customers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["MIN_CLASS", "MIN_ROC_AUC", "MIN_SKILL", "ClassifierCheck", "check_classifier", "class_counts",
           "enough_classes"]

#: Fewest customers of each class (event / no event) in the training and in the test data.
MIN_CLASS = 20
#: Smallest share of the gap between the base rate and a perfect PR-AUC the model must close.
MIN_SKILL = 0.10
#: Smallest ROC-AUC (guessing scores 0.5).
MIN_ROC_AUC = 0.60


def class_counts(y) -> tuple[int, int]:
    """``(with the event, without it)`` of a 0/1 label of shape (n,)."""
    y = np.asarray(y).astype(int)
    return int(y.sum()), int(len(y) - y.sum())


def enough_classes(*labels, min_class: int = MIN_CLASS) -> bool:
    """Whether every 0/1 label in ``labels`` has at least ``min_class`` customers of each class."""
    return all(min(class_counts(y)) >= min_class for y in labels)


@dataclass(frozen=True)
class ClassifierCheck:
    """The gate of one classifier (:func:`check_classifier`): ``enough_data``, ``pr_auc``, ``roc_auc`` and
    ``base_rate`` on test data (NaN when not measured), ``skill`` (share of the gap to a perfect PR-AUC
    closed), ``ok`` (the model may be used) and ``reason`` (why not, plain words; empty when ok)."""

    enough_data: bool
    pr_auc: float
    roc_auc: float
    base_rate: float
    skill: float
    ok: bool
    reason: str


def check_classifier(enough_data: bool, pr_auc: float = math.nan, roc_auc: float = math.nan,
                     base_rate: float = math.nan, min_class: int = MIN_CLASS) -> ClassifierCheck:
    """Gate a classifier: enough data of each class, and PR-AUC and ROC-AUC clearly better than guessing.

    ``enough_data`` comes from :func:`enough_classes`; the other numbers from the test data (ignored when
    ``enough_data`` is false).
    """
    if not enough_data:
        return ClassifierCheck(False, math.nan, math.nan, base_rate, math.nan, False,
                               f"fewer than {min_class} customers with or without the event to learn from and "
                               "to test on")
    skill = (pr_auc - base_rate) / (1 - base_rate) if base_rate < 1 else math.nan
    reasons = []
    if not skill >= MIN_SKILL:
        reasons.append(f"its PR-AUC ({pr_auc:.3f}) closes {max(skill, 0):.0%} of the gap between guessing (the base "
                       f"rate, {base_rate:.1%}) and a perfect score, less than the {MIN_SKILL:.0%} required")
    if not roc_auc >= MIN_ROC_AUC:
        reasons.append(f"its ROC-AUC ({roc_auc:.2f}) is below {MIN_ROC_AUC:.2f} (guessing scores 0.50)")
    return ClassifierCheck(True, float(pr_auc), float(roc_auc), float(base_rate), float(skill), not reasons,
                           " and ".join(reasons))
