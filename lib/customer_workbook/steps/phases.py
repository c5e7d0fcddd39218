"""Notebook 04, plan phases: one function per section, each returning the :class:`Section` it shows.

Step 4 of the method turns understanding into a phased plan: **anticipate** (no-order and pay-again
models judged by error rate and missing ratio, next quarter's demand), **start small with the most
valuable** (MVP, MVS, MVA and the pilot's size) and **go to market** (one line per target audience); sections 8 to
12 live in :mod:`.phases_plan` and are re-exported here.
The computations live in :mod:`customer_workbook.retention` (features, labels, no-order models) and
:mod:`customer_workbook.planning` (demand, pilot, go to market); these functions choose what to show
and word the sentences from the numbers. Later sections read the results of earlier ones
(``section["name"]``), so the notebook passes the sections along:

>>> design = phases.prediction_design(ds, gap_days=14, window_days=90).show(findings)
>>> features = phases.features_to_keep(ds, design).show(findings)
>>> models = phases.churn_models(features, design, seed=42).show(findings)

Time: customer-level durations in days (``gap_days``, ``window_days``, ``outcome_days``); demand and
the pilot's duration in weeks. Money in the data's currency units.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import cache, clv, plots
from ..plots.model_fit import show_model_fit
from ..data import Dataset
from ..escaping import md
from ..planning import forecast_next_quarter, targeting_at, weekly_demand
from ..planning.customer_list import write_columns
from ..privacy import private_folder
from ..retention import (active_customers, build_features, choose_threshold, compare_models, design_dates,
                         driver_effects, driver_summary, feature_shift, fit_models, make_labels, missed_value,
                         operating_on, predict_proba, prediction_drivers, prune_features, split_table, target_name,
                         threshold_table, validation_split)
from ..retention.features import DAY
from ..retention.labels import MIN_WINDOW_DAYS, ShortHistory, history_needed
from ..segments import too_few_of_each
from ..stats import check_classifier, enough_classes
from ._phases_decision import phases_decision as decision
from .phases_plan import (go_to_market, most_valuable_audience, most_valuable_product, most_valuable_service,
                          not_shown, pilot_size)
from ..value_unit import value_noun, value_unit
from .section import Draft, Section
from ..findings import date_words, pp

__all__ = ["churn_drivers", "churn_models", "decision", "demand_next_quarter", "features_to_keep", "go_to_market",
           "most_valuable_audience", "most_valuable_product", "most_valuable_service", "pilot_size",
           "prediction_design", "save_target_scores", "shift_since_training", "threshold_view", "who_will_pay_again",
           "whom_to_contact"]

QUALITY_FORMATS = {"pr_auc": "{:.3f}", "roc_auc": "{:.3f}", "brier": "{:.3f}", "base_rate": "{:.1%}", "n": "{:,.0f}"}
#: Feature families the firm can change directly (assortment, delivery, returns handling, discount policy).
ACTIONABLE_FAMILIES = ("categories", "delivery", "returns", "discounts")


# =========================================================================== anticipation (§1-7)


def _short_history_advice(exc: ShortHistory) -> str:
    """Which parameter would help a split by time that does not fit the data (plain text)."""
    if history_needed(0, MIN_WINDOW_DAYS) <= exc.span_days:
        return "A smaller `gap_days` or a longer history (`start_date`, `end_date`) would make room for it."
    return "Only a longer history would help (load more data or widen `start_date` and `end_date`)."


def prediction_design(ds: Dataset, gap_days: int, window_days: int) -> Section:
    """§1: the split by time (training, test and scoring dates), its label windows and no-order rates.

    The label window shrinks to fit short data (:func:`~customer_workbook.retention.design_dates`); with
    too little history the section says so and every model section after it is left out. Results:
    ``dates`` (:class:`~customer_workbook.retention.SplitDates`, or ``None``), ``train_labels`` and
    ``test_labels`` (:func:`~customer_workbook.retention.make_labels` of the active customers, or ``None``).
    """
    tx = ds.transactions
    draft = Draft()
    try:
        dates = design_dates(tx, gap_days=gap_days, window_days=window_days)
    except ShortHistory as exc:
        not_shown(draft, "the no-order and pay-again models (sections 1 to 6)",
                  md(f"{exc} {_short_history_advice(exc)}"))
        return draft.done(dates=None, train_labels=None, test_labels=None)
    window = dates.window_days
    y_train = make_labels(tx, dates.train, gap_days, window)
    y_test = make_labels(tx, dates.test, gap_days, window)
    target = target_name(window)
    draft.show(plots.styled_table(split_table(dates, y_train, y_test),
                                  {"active customers": "{:,.0f}", "no-order rate": "{:.1%}"}))
    draft.add("prediction_target", target, "What the model predicts (not called churn: most customers with no "
              "order in such a window come back)")
    if len(y_test):
        draft.add("churn_base_rate", round(float(y_test["churned"].mean()), 4),
                  f"Share of active customers with {target} (test period)", unit="share")
    draft.add("test_observation_date", dates.test.date(), "Observation date of the test period")
    if window < window_days:
        draft.say(f"The data cover too few days for a {window_days}-day label window "
                  f"({history_needed(gap_days, window_days):,} needed), so the window is shortened to **{window} days** "
                  f"(the shortest allowed is {MIN_WINDOW_DAYS}); a longer history restores `window_days`.")
    churned = f"**{y_test['churned'].mean():.1%}**" if len(y_test) else "none"
    draft.say(f"The models predict **{target}** (after a {gap_days}-day gap) for active customers (an order in the "
              f"last year). This is not churn: many customers with no order in {window} days are only between two "
              f"orders and come back, so the target is named for what it measures. The test period starts on "
              f"**{date_words(dates.test)}**: of its {len(y_test):,} active customers, {churned} placed no order in the "
              f"{window} days after the gap. The models learn from the period that starts on {date_words(dates.train)}, "
              "whose labels end before the test features begin.")
    return draft.done(dates=dates, train_labels=y_train, test_labels=y_test)


def features_to_keep(ds: Dataset, design: Section) -> Section:
    """§2: start wide (with three naive whole-history totals), prune what leaks or adds nothing.

    Results: ``train_all``/``test_all``/``now_all`` (every candidate feature at the training, test and
    scoring dates), ``train_wide`` (training candidates of the active customers), ``train``/``test``/
    ``now`` (the kept features) and ``dropped`` (what was removed and why). Without a split by time
    (section 1) only ``now_all`` is built (the audiences use it) and the others are ``None``.
    """
    dates, y_train, y_test = design["dates"], design["train_labels"], design["test_labels"]
    draft = Draft()
    if dates is None:
        not_shown(draft, "feature selection", "It needs the split by time of section 1, which the data are too "
                   "short for.")
        now_all = build_features(ds, ds.transactions["date"].max().normalize() + DAY)
        return draft.done(train_all=None, test_all=None, now_all=now_all, train_wide=None, train=None, test=None,
                          now=None, dropped=None)
    train_all = build_features(ds, dates.train, include_whole_history=True)  # everyone who bought before
    test_all = build_features(ds, dates.test)
    train_wide = train_all.align(y_train.index)  # the model's population: active customers
    if few := too_few_of_each(y_train["churned"], y_test["churned"]):  # pruning on so few customers reads noise
        not_shown(draft, "feature selection", few.sentence)
        return draft.done(train_all=train_all, test_all=test_all, now_all=build_features(ds, dates.score),
                          train_wide=train_wide, train=None, test=None, now=None, dropped=None)
    train, dropped = prune_features(train_wide, y_train["churned"])
    test = test_all.align(y_test.index).subset(train.frame.columns)
    now_all = build_features(ds, dates.score)
    leaks = int(dropped["reason"].str.startswith("leak").sum())
    draft.add("n_features_candidate", int(train_wide.frame.shape[1]), "Candidate features (start wide)")
    draft.add("n_features_kept", int(train.frame.shape[1]), "Features kept after pruning")
    draft.add("n_features_leaking", leaks, "Features removed as leaks")
    draft.show(plots.styled_table(dropped.replace("revenue", value_noun(ds), regex=True)))  # purchases, no revenue
    families = ", ".join(f"{md(k)} ({v})" for k, v in train.family.value_counts().head(5).items())
    draft.say(f"We started with **{train_wide.frame.shape[1]} candidate features** in {train_wide.family.nunique()} "
              f"families and kept **{train.frame.shape[1]}**. {leaks} were removed because they leak the answer and "
              f"{int(dropped['reason'].str.startswith('useless').sum())} because they add nothing."
              + (f" The largest families kept: {families}." if families else ""))
    return draft.done(train_all=train_all, test_all=test_all, now_all=now_all, train_wide=train_wide, train=train,
                      test=test, now=now_all.subset(train.frame.columns), dropped=dropped)


#: Share of the training customers kept aside (never fitted on) to choose the operating threshold.
VALIDATION_SHARE = 0.25


def _gated_fit(train, y_train, test, y_test, seed: int, train_sample: int | None):
    """Fit and compare the two models when both periods hold enough customers of each class; return
    ``(models, comparison, check, valid)`` (:class:`~customer_workbook.stats.ClassifierCheck`; models and
    comparison ``None`` when there was too little to learn from). A seeded, stratified
    :data:`VALIDATION_SHARE` of the training customers is carved out before fitting; ``valid`` is
    ``(y, p)``: their labels and the best model's probabilities (``None`` without a fit), on which the
    threshold is chosen, so the test period only reports it."""
    if not enough_classes(y_train, y_test):
        return None, None, check_classifier(False), None
    y_all = pd.Series(np.asarray(y_train).astype(int), index=train.frame.index)
    held = validation_split(train.frame.index, y_all, VALIDATION_SHARE, seed)
    fit_part, valid_part = train.align(train.frame.index[~held]), train.align(train.frame.index[held])
    models = fit_models(fit_part, y_all[~held], seed=seed, max_rows=train_sample)
    comparison = compare_models(models, test, y_test)
    q = comparison.quality[comparison.best]
    valid = (y_all[held], predict_proba(models, comparison.best, valid_part))
    return models, comparison, check_classifier(True, q.pr_auc, q.roc_auc, q.base_rate), valid


def churn_models(features: Section, design: Section, seed: int, train_sample: int | None = None) -> Section:
    """§3: the logistic baseline and the boosted model, their PR-AUC, Brier score and calibration.

    The better model is used downstream only when it passes the gate of
    :func:`~customer_workbook.stats.check_classifier` (enough customers with and without an order, clearly better than
    guessing). Results: ``models`` (:class:`~customer_workbook.retention.ChurnModels`), ``comparison``
    (:class:`~customer_workbook.retention.ModelComparison` on the test period), ``best`` (name),
    ``p_test`` (the best model's test probabilities), ``check``, ``usable`` (the gate passed) and ``valid``
    (labels and best-model probabilities of the validation customers carved from training, for the
    threshold); all but ``usable`` are ``None`` when nothing was fitted.
    """
    draft = Draft()
    if features["train"] is None:
        not_shown(draft, "the no-order models", "They need the split by time and the features of sections 1 and 2.")
        return draft.done(models=None, comparison=None, best=None, p_test=None, check=None, usable=False,
                          valid=None)
    y_test = design["test_labels"]["churned"]
    models, comparison, check, valid = _gated_fit(features["train"], design["train_labels"]["churned"],
                                                  features["test"], y_test, seed, train_sample)
    if comparison is None:
        not_shown(draft, "the no-order models", f"The split by time has {md(check.reason)}: a longer history or "
                   "a longer `window_days` gives more of both.")
        return draft.done(models=None, comparison=None, best=None, p_test=None, check=check, usable=False,
                          valid=None)
    best, quality = comparison.best, comparison.quality
    baseline = quality["logistic regression"]
    draft.show(plots.styled_table(comparison.table(), QUALITY_FORMATS),
               plots.plot_calibration(comparison.calibration(y_test)))
    window = design["dates"].window_days
    draft.say(f"Predicting {target_name(window)}, the **{best}** model reaches a PR-AUC of "
              f"**{quality[best].pr_auc:.3f}** against a no-order rate of {quality[best].base_rate:.1%} (what guessing "
              f"would score); the logistic-regression baseline reaches {baseline.pr_auc:.3f}. Models were trained on "
              f"{models.n_train:,} customers; {len(valid[0]):,} other training customers are kept aside to choose the "
              "threshold (section 4).")
    draft.add("n_train", models.n_train, "Customers used to train the models")
    if not check.ok:
        draft.add("churn_model_usable", False, "The no-order model beats guessing clearly enough to be used")
        not_shown(draft, "no-order predictions", f"The no-order model is not used: {md(check.reason)}. Whom to "
                   "contact, the drivers and the audiences' no-order risk are left out.")
        return draft.done(models=models, comparison=comparison, best=best, p_test=comparison.scores[best],
                          check=check, usable=False, valid=valid)
    draft.add("churn_model", best, f"Model of {target_name(window)} used (best PR-AUC on the test period)")
    draft.add("churn_pr_auc", round(quality[best].pr_auc, 4), f"PR-AUC of the model of {target_name(window)}, test "
              "period", headline=True)
    draft.add("churn_pr_auc_baseline", round(baseline.pr_auc, 4), "PR-AUC of the logistic-regression baseline")
    draft.add("churn_brier", round(quality[best].brier, 4), f"Brier score of the model of {target_name(window)} "
              "(lower is better)")
    return draft.done(models=models, comparison=comparison, best=best, p_test=comparison.scores[best], check=check,
                      usable=True, valid=valid)


def _value_findings(draft: Draft, value) -> None:
    """The base's expected value and mean P(alive), only when the value model fitted (``value.report.ok``)."""
    if value.report.ok:
        draft.add("clv_1y_total", round(float(value.table["clv_1y"].sum()), 0), "Expected value of the base, next year",
                  unit="currency units")
        draft.add("p_alive_mean", round(float(value.table["p_alive"].mean()), 3),
                  "Mean probability a customer is still active", unit="share")


def _rule_text(op, base_rate: float, max_error_rate: float, event: str) -> str:
    """The operating threshold in words; a rule that flags (nearly) everyone is called uninformative."""
    if op.selective:
        return ""
    return (f" **The rule does not select:** it flags {op.targeted_share:.0%} of the customers, because with "
            f"{base_rate:.1%} {event}, contacting everyone already keeps needless contacts at {1 - base_rate:.1%}, "
            f"within the {max_error_rate:.0%} cap; the model adds nothing to whom to contact. Set `max_error_rate` "
            f"below {1 - base_rate:.0%} for a rule that selects.")


def whom_to_contact(ds: Dataset, design: Section, features: Section, models: Section, max_error_rate: float,
                    margin: float, discount_rate: float) -> Section:
    """§4: error rate and missing ratio at every threshold, the rule's threshold, who is flagged today.

    The threshold is chosen on the validation customers carved from training (``models["valid"]``) and
    reported on the test period. Today only the model's population is scored: customers active at the
    scoring date (an order in the last :data:`~customer_workbook.retention.labels.ACTIVE_DAYS` days); the
    others are out of scope. The value at stake is P(no order in the window) times the margin the
    customer's last-year pace would bring in it (:func:`~customer_workbook.retention.labels.missed_value`),
    not a lifetime value already discounted for leaving. Customer value comes from the run's one scorer
    (:func:`customer_workbook.clv.score_customers`); its totals are recorded only when ``report.ok``.
    Results: ``table`` (:func:`~customer_workbook.retention.threshold_table`, test period), ``operating``
    (:class:`~customer_workbook.retention.OperatingThreshold`, test-period ratios), ``validation`` and
    ``validation_table`` (the rule and the threshold table on the validation customers), ``threshold``
    (float), ``value`` (:class:`~customer_workbook.clv.CustomerValue`), ``p_now`` (today's probability,
    active customers only),
    ``window_value`` (margin per customer in the window at last year's pace), ``at_threshold``
    (``threshold -> Section``) and ``target`` (what the model predicts, in words); all but ``value`` are
    ``None`` without a usable model.
    """
    value = cache.call(clv.score_customers, ds.transactions, margin=margin, discount_rate=discount_rate)  # same call in 01, 03, 05
    draft = Draft()
    show_model_fit(draft, value, ds.transactions)   # held-out check of the purchase model
    if not models["usable"]:
        not_shown(draft, "whom to contact", "There is no no-order model good enough to set a threshold with "
                   f"(section 3). Customer value: {value.report.sentence()}")
        _value_findings(draft, value)
        return draft.done(table=None, operating=None, validation=None, validation_table=None, threshold=None,
                          value=value, p_now=None, window_value=None, at_threshold=None, target=None)
    dates = design["dates"]
    window, target = dates.window_days, target_name(dates.window_days)
    in_scope = active_customers(ds.transactions, dates.score)
    now = features["now"].align(features["now"].frame.index.intersection(in_scope))
    p_now = predict_proba(models["models"], models["best"], now)
    recent = features["now_all"].frame.get("revenue_365d", pd.Series(0.0, index=now.frame.index))
    window_value = missed_value(pd.Series(1.0, index=p_now.index), recent, window, margin)
    f_test = features["test"].frame
    table = threshold_table(design["test_labels"]["churned"], models["p_test"],
                            value=f_test["revenue_365d"] if "revenue_365d" in f_test else None)
    y_valid, p_valid = models["valid"]
    validation_table = threshold_table(y_valid, p_valid)
    validation = choose_threshold(validation_table, max_error_rate=max_error_rate)
    op = operating_on(table, validation)
    today = targeting_at(op.threshold, table, p_now, window_value)
    draft.show(plots.styled_table(table[["threshold", "targeted", "error_rate", "missing_ratio", "undetected_share"]],
                                  {"threshold": "{:.2f}", "targeted": "{:,.0f}", "error_rate": "{:.1%}",
                                   "missing_ratio": "{:.1%}", "undetected_share": "{:.1%}"}))
    _contact_findings(draft, op, validation, today, len(p_now), value.report.ok, target)
    _value_findings(draft, value)
    base = float(design["test_labels"]["churned"].mean())
    out_of_scope = int(features["now_all"].frame.shape[0] - len(p_now))
    draft.say(_contact_text(op, validation, len(y_valid), base, max_error_rate, target)
              + _today_text(today, len(p_now), out_of_scope, value.report.ok)
              + f" Customer value: {value.report.sentence()}")
    return draft.done(table=table, operating=op, validation=validation, validation_table=validation_table,
                      threshold=op.threshold, value=value, target=target,
                      p_now=p_now, window_value=window_value,
                      at_threshold=lambda threshold: threshold_view(threshold, table, p_now, window_value,
                                                                    value.report.ok, target))


def _contact_text(op, validation, n_valid: int, base: float, max_error_rate: float, target: str) -> str:
    """The rule, the threshold it set on the validation customers and what it does on the test period."""
    return (f"Rule: *{md(op.rule)}*, applied to {n_valid:,} training customers kept aside from the fit "
            f"(validation). It sets the threshold at **{op.threshold:.2f}** (error rate there "
            f"{validation.error_rate:.1%}). On the separate test period it flags {op.targeted_share:.0%} of the "
            f"active customers ({op.targeted:,}); of those, "
            f"{op.error_rate:.1%} did order after all (error rate{_over_cap(op, max_error_rate)}), and the model "
            f"found {round(op.missing_ratio, 3):.1%} of all customers with {target} (missing ratio), leaving "
            f"{round(op.undetected_share, 3):.1%} undetected." + _rule_text(op, base, max_error_rate,
                                                                  f"of the active customers with {target}"))


def _today_text(today, n_scored: int, out_of_scope: int, value_ok: bool) -> str:
    """Who is scored and flagged today, who is out of the model's scope, and the margin at stake."""
    lapsed = (f"; {out_of_scope:,} lapsed past buyers are outside the population it was trained on and are not "
              "scored (the win-back of notebook 05 covers them)") if out_of_scope else ""
    stake = (f" Their expected missed margin in the window is **{today.value_at_stake:,.0f}** (probability of no "
             "order times the margin of last year's pace over the window; not a lifetime value, which already "
             "allows for leaving).") if value_ok else ""
    return (f" Today the model scores the {n_scored:,} customers with an order in the last year and flags "
            f"**{today.targeted_now:,}**{lapsed}.{stake}")


def _over_cap(op, max_error_rate: float) -> str:
    """A note when the test period's error rate exceeds the cap the threshold was chosen for (plain text)."""
    return f"; above the {max_error_rate:.0%} cap, which held on the validation customers" \
        if op.met and op.error_rate > max_error_rate else ""


def _contact_findings(draft: Draft, op, validation, today, n_scored: int, value_ok: bool, target: str) -> None:
    """The findings of §4: threshold (chosen on validation), test-period ratios, today's flagged customers and
    the value at stake (only with revenue, ``value_ok``)."""
    draft.add("churn_threshold", round(op.threshold, 2), f"Operating threshold on the probability of {target} "
              "(chosen on validation customers)")
    draft.add("churn_validation_error_rate", round(validation.error_rate, 4),
              "Error rate at the threshold on the validation customers, where it was chosen", unit="share")
    draft.add("churn_error_rate", round(op.error_rate, 4),
              "Error rate at the operating threshold, test period (flagged but ordered)", headline=op.selective,
              unit="share")
    draft.add("churn_missing_ratio", round(op.missing_ratio, 3), f"Share of customers with {target} the model finds "
              "at the operating threshold, test period (the method's missing ratio)", headline=op.selective, unit="share")
    draft.add("churn_undetected_share", round(op.undetected_share, 3), f"Share of customers with {target} not found",
              unit="share")
    draft.add("churn_scored_now", n_scored,
              "Customers scored today (an order in the last year: the model's population)")
    draft.add("churn_targeted_now", today.targeted_now, "Customers flagged today at the operating threshold")
    if value_ok:
        draft.add("churn_value_at_stake", round(today.value_at_stake, 2),
                  f"Margin of the orders the flagged customers would place in the window at last year's pace, times "
                  f"the probability of {target}", unit="currency units")


def threshold_view(threshold: float, table: pd.DataFrame, p_now: pd.Series, value_now: pd.Series,
                   value_ok: bool = True, target: str = "no order in the window") -> Section:
    """The threshold curves with ``threshold`` marked, and what it means today (for the explorer); the value at
    stake (P(``target``) x ``value_now``, the value lost if it happens) is said only when ``value_ok``."""
    t = targeting_at(threshold, table, p_now, value_now)
    draft = Draft()
    draft.show(plots.plot_threshold_curves(table, chosen=threshold, event="no-order"))
    stake = f", **{t.value_at_stake:,.0f}** of margin at stake" if value_ok else ""
    draft.say(f"At a threshold of **{threshold:.2f}**: error rate **{t.error_rate:.1%}**, missing ratio "
              f"**{t.missing_ratio:.1%}** ({t.undetected_share:.1%} of customers with {md(target)} undetected); "
              f"**{t.targeted_now:,}** customers flagged today{stake}.")
    return draft.done(targeting=t)


def who_will_pay_again(ds: Dataset, design: Section, features: Section, seed: int, train_sample: int | None,
                       max_error_rate: float) -> Section:
    """§5: the same pipeline on everyone who ever bought, for the event *pays again*, behind the same gate
    as the no-order model. Results: ``models``, ``comparison``, ``table`` and ``operating`` of the pay-again
    model (``None`` when nothing usable was fitted)."""
    tx, dates = ds.transactions, design["dates"]
    draft = Draft()
    if dates is None:
        not_shown(draft, "who will pay again", "It needs the split by time of section 1.")
        return draft.done(models=None, comparison=None, table=None, operating=None)
    gap, window = dates.gap_days, dates.window_days
    y_train = make_labels(tx, dates.train, gap, window, active_days=None)["bought"]
    y_test = make_labels(tx, dates.test, gap, window, active_days=None)["bought"]
    if few := too_few_of_each(y_train, y_test):
        not_shown(draft, "who will pay again", few.sentence)
        return draft.done(models=None, comparison=None, table=None, operating=None)
    train, _ = prune_features(features["train_all"].align(y_train.index), y_train)
    test = features["test_all"].align(y_test.index).subset(train.frame.columns)
    models, comparison, check, valid = _gated_fit(train, y_train, test, y_test, seed, train_sample)
    best = comparison.quality[comparison.best]
    draft.show(plots.styled_table(comparison.table(), QUALITY_FORMATS))
    draft.add("pay_base_rate", round(best.base_rate, 4), "Share of past buyers who paid again", unit="share")
    said = f"Of {len(y_test):,} past buyers, {best.base_rate:.1%} paid again in the window. "
    if not check.ok:
        draft.say(said + f"The {comparison.best} model reaches a PR-AUC of {best.pr_auc:.3f}, but it is not used: "
                  f"{md(check.reason)}.")
        return draft.done(models=None, comparison=comparison, table=None, operating=None)
    table = threshold_table(y_test, comparison.scores[comparison.best])
    op = operating_on(table, choose_threshold(threshold_table(*valid), max_error_rate=max_error_rate))
    draft.add("pay_pr_auc", round(best.pr_auc, 4), "Will-pay-again model PR-AUC")
    draft.add("pay_error_rate", round(op.error_rate, 4), "Will-pay-again error rate at the operating threshold",
              unit="share")
    draft.add("pay_missing_ratio", round(op.missing_ratio, 3), "Share of the past buyers who paid again that the "
              "will-pay-again model finds (the method's missing ratio)", unit="share")
    draft.say(said + f"The {comparison.best} model reaches a PR-AUC of **{best.pr_auc:.3f}**; at a threshold of "
              f"{op.threshold:.2f}, {op.error_rate:.1%} of the predicted payers did not pay and it finds "
              f"{round(op.missing_ratio, 3):.1%} of those who did."
              + _rule_text(op, best.base_rate, max_error_rate, "of the past buyers paying again"))
    return draft.done(models=models, comparison=comparison, table=table, operating=op)


def _driver_table(effects: pd.DataFrame) -> pd.DataFrame:
    """The effects table a reader sees: measured drivers first (largest effect first), each with its interval;
    the other families say that their effect is not measured."""
    t = effects.assign(size=effects["effect"].abs()).sort_values(["measured", "size"], ascending=[False, False])
    reading = np.where(t["measured"], t["in_words"],
                       f"not measured at this size (not separated from zero across the {len(t)} families)")
    return pd.DataFrame({"family": t["family"], "effect": t["effect"], "from": t["effect_low"],
                         "to": t["effect_high"], "measured": np.where(t["measured"], "yes", "no"),
                         "in words": reading})


def _reliance_text(top: list[str], measured) -> str:
    """What the model relies on most; a family without a measured effect is named apart from the measured
    ones, since reliance says what the model uses, not what changes the chance of no order."""
    sure, unsure = [f for f in top if f in measured], [f for f in top if f not in measured]
    said = f"The model relies most on **{', '.join(map(md, sure))}**" if sure else "The model relies most on"
    if unsure:
        names = md(unsure[-1]) if len(unsure) == 1 else f"{', '.join(map(md, unsure[:-1]))} and {md(unsure[-1])}"
        said += ("; it also uses " if sure else " ") + names + (
            f", whose {'effect is' if len(unsure) == 1 else 'effects are'} not measured (reliance says what the "
            "model uses, not what changes the chance of no order)")
    return said + ". "


def _drivers_text(found, drivers: pd.DataFrame, shifted=()) -> str:
    """The section's sentence: what the model relies on, the measured drivers with their intervals, and the
    behaviours the firm can change (:func:`_actionable_text`; ``shifted``: families whose key behaviour
    changed since training)."""
    effects, n = found.table.set_index("family"), len(found.table)
    rule = (f"{found.level:.0%} intervals from {found.n_boot} bootstrap refits of the logistic regression; a family "
            f"counts only when its effect differs from zero after Holm's correction across the {n} families at "
            f"{found.alpha:.0%}")
    text = _reliance_text(list(drivers["family"].head(3)), found.measured)
    if found.measured:
        verb = "has" if len(found.measured) == 1 else "have"
        text += (f"For a single customer, {len(found.measured)} of {n} families {verb} a measured effect ({rule}): "
                 + "; ".join(f"{md(effects.loc[f, 'in_words'].lower())} ({effects.loc[f, 'effect_low'] * 100:+.1f} "
                             f"to {effects.loc[f, 'effect_high'] * 100:+.1f})" for f in found.measured[:6])
                 + ". The other families' effects are not measured at this size.")
    else:
        text += f"No family has a measured effect on a single customer's probability of no order ({rule})."
    return text + _actionable_text(effects, found.measured, shifted)


def _actionable_text(effects: pd.DataFrame, measured, shifted) -> str:
    """The behaviours the firm can change directly (:data:`ACTIONABLE_FAMILIES` in ``effects``): which have a
    measured effect, whose effect is *not measured at this size* (never "no effect"), and which changed since
    training (``shifted``), so the model could not learn their effect. Empty when none is present."""
    present = [f for f in ACTIONABLE_FAMILIES if f in effects.index]
    act = [f for f in present if f in measured]
    moved = [f for f in present if f not in act and f in shifted]
    unsure = [f for f in present if f not in act and f not in shifted]
    names = lambda fs: ", ".join(map(md, fs[:-1])) + " and " + md(fs[-1]) if len(fs) > 1 else md(fs[0])  # noqa: E731
    one = lambda fs, single, plural: single if len(fs) == 1 else plural  # noqa: E731
    parts = ([f"{names(act)} {one(act, 'has', 'have')} a measured effect ({', '.join(pp(effects.loc[f, 'effect']) for f in act)})"]
             if act else []) + (
        [f"the {one(unsure, 'effect', 'effects')} of {names(unsure)} {one(unsure, 'is', 'are')} not measured at this size"]
        if unsure else []) + (
        [f"{names(moved)} changed since the training date (see below), so the model could not learn "
         f"{one(moved, 'its', 'their')} effect"] if moved else [])
    return f" Of the behaviours the firm can change directly ({names(present)}), " + "; ".join(parts) + "." if present else ""


def churn_drivers(features: Section, design: Section, models: Section, seed: int) -> Section:
    """§6: reliance (permutation importance, the model used) and what-if effects (logistic regression) with
    intervals; a family is named as a driver only when its effect is measured
    (:func:`~customer_workbook.retention.driver_effects.driver_effects`: bootstrap refits, Holm across the
    families at :data:`~customer_workbook.retention.driver_effects.DRIVER_ALPHA`).

    Only with a usable no-order model (§3). Results: ``drivers`` (reliance), ``effects`` (per family, with
    ``effect_low``/``effect_high``/``measured``), ``summary`` and ``measured`` (the measured families,
    largest effect first), ``None`` without a model.
    """
    draft = Draft()
    if not models["usable"]:
        not_shown(draft, "what drives the no-order prediction",
                  "There is no no-order model good enough to read drivers from (section 3).")
        return draft.done(drivers=None, effects=None, summary=None, measured=None)
    y_test, fitted = design["test_labels"]["churned"], models["models"]
    drivers = cache.call(prediction_drivers, fitted, models["best"], features["test"], y_test, seed=seed,
                         effects=False)
    found = cache.call(driver_effects, fitted, features["train"], design["train_labels"]["churned"], features["test"],
                       y_test, seed=seed)
    effects = found.table
    summary = driver_summary(drivers, effects)
    draft.show(plots.plot_drivers(summary), plots.styled_table(
        _driver_table(effects), {"effect": pp, "from": pp, "to": pp}))
    draft.add("churn_top_drivers", list(drivers["family"].head(5)), "Feature families the no-order model relies on most")
    draft.add("churn_driver_effects", {r.family: round(float(r.effect), 4) for r in effects.itertuples()},
              "What-if effect of each family on the probability of no order (logistic regression, difference of "
              "probabilities)", unit="pp")
    bounds = effects[np.isfinite(effects["effect_low"]) & np.isfinite(effects["effect_high"])]
    draft.add("churn_driver_effect_intervals",
              {r.family: [round(float(r.effect_low), 4), round(float(r.effect_high), 4)] for r in bounds.itertuples()},
              f"{found.level:.0%} interval of each family's what-if effect (bootstrap refits)", unit="pp")
    draft.add("churn_measured_drivers", list(found.measured),
              f"Families with a measured effect on the probability of no order (Holm across families, {found.alpha:.0%})",
              headline=bool(found.measured))
    draft.add("churn_driver_effect_rank", {f: i + 1 for i, f in enumerate(found.measured)},
              "Rank of each measured driver by the size of its effect")
    wide = features["train_wide"]
    shifted = () if wide is None else set(feature_shift(wide, features["test_all"].align(y_test.index))["family"])
    draft.say(_drivers_text(found, drivers, shifted))
    return draft.done(drivers=drivers, effects=effects, summary=summary, measured=found.measured)


def shift_since_training(features: Section, design: Section, models: Section | None = None) -> Section:
    """§6 (cont.): key behaviours whose prevalence changed two-fold between training and test.

    All candidate features are compared (a rare behaviour may have been pruned). It warns about the no-order
    model, so it is left out when ``models`` (§3) has no usable one. Results: ``shift`` (``None`` when
    left out).
    """
    draft = Draft()
    wide = features["train_wide"]
    if wide is None or (models is not None and not models["usable"]):
        not_shown(draft, "behaviour that changed since training", "It says what the no-order model has not seen, "
                  "and there is no usable no-order model (section 3).")
        return draft.done(shift=None)
    shift = feature_shift(wide, features["test_all"].align(design["test_labels"].index))
    draft.add("features_shifted_since_training", shift["family"].tolist(),
              "Families whose key behaviour changed at least two-fold between the training and the test period")
    if len(shift):
        draft.say("**Changed since the training date:** "
                  + "; ".join(md(_shift_text(r, wide.description)) for r in shift.itertuples())
                  + ". Retrain the model once these behaviours have a full label window behind them.")
    else:
        draft.say("No behaviour family changed two-fold between the training and the test period.")
    return draft.done(shift=shift)


def _shift_text(r, descriptions: pd.Series) -> str:
    """One row of :func:`~customer_workbook.retention.feature_shift` in words (plain text, not escaped)."""
    share = max(r.train_mean, r.test_mean) <= 1  # a flag or a share: say it as a share of customers
    values = (f"{r.train_mean:.1%} of customers at training, {r.test_mean:.1%} at test" if share
              else f"{r.train_mean:.3g} on average at training, {r.test_mean:.3g} at test")
    return f"{descriptions.get(r.feature, r.feature)} ({r.family}): {values} ({r.ratio:.1f}x)"


def demand_next_quarter(ds: Dataset) -> Section:
    """§7: weekly orders and revenue, the backtested next-quarter forecast and its interval.

    Results: ``weekly`` and ``forecast`` (:class:`~customer_workbook.planning.DemandForecast`, or
    ``None`` when the history is too short).
    """
    weekly = weekly_demand(ds.transactions)
    draft = Draft()
    try:
        demand = forecast_next_quarter(weekly)
    except ValueError as exc:
        not_shown(draft, "next quarter's demand", md(f"{exc} Only a longer history would help."))
        return draft.done(weekly=weekly, forecast=None)
    noun = value_noun(ds)  # "revenue", or "purchases" without a revenue column
    for (measure, d), unit in zip(demand.measures().items(), ("orders", value_unit(ds))):
        title = (noun if measure == "revenue" else measure).capitalize()
        draft.show(plots.plot_demand_forecast(weekly[measure], d.weekly, d.backtest, unit, title))
        draft.add(f"forecast_{measure}_next_quarter", round(d.total, 1),
                  f"Forecast {measure} in the next {demand.horizon_weeks} weeks", headline=measure == "revenue", unit=unit)
        draft.add(f"forecast_{measure}_interval", [round(d.low, 1), round(d.high, 1)],
                  f"80% interval of the {measure} forecast", unit=unit)
        draft.add(f"forecast_{measure}_method", d.method, f"Forecast method chosen by the backtest ({measure})")
        draft.add(f"forecast_{measure}_backtest_mape", {k: round(v, 4) for k, v in d.mape.items()},
                  f"Backtest error of the quarter total ({measure}), per method", unit="share")
    o, r = demand.orders, demand.revenue
    draft.say(f"For the {demand.horizon_weeks} weeks from {date_words(demand.start)} we expect **{o.total:,.0f} orders** "
              f"({o.low:,.0f} to {o.high:,.0f}) and **{r.total:,.0f}** in {noun} ({r.low:,.0f} to {r.high:,.0f}); "
              f"the same weeks last year brought {r.last_year_total:,.0f}. In the backtest the {noun} total was off "
              f"by {r.mape['forecast']:.1%} on average with the growth adjustment, {r.mape['seasonal_naive']:.1%} "
              f"with last year's weeks unchanged and {r.mape['recent_mean']:.1%} with the recent average, so the "
              f"{noun} forecast uses the **{r.method}** method (orders: {o.method}); its interval held the actual "
              f"value in {r.coverage:.0%} of the backtests.")
    return draft.done(weekly=weekly, forecast=demand)


def save_target_scores(findings_file: Path, contact: Section) -> Section:
    """Each active customer's probability of the prediction target, written to the run's private folder for
    the scored customer list (:mod:`customer_workbook.planning.customer_list`); nothing without a usable model."""
    draft = Draft()
    if contact["p_now"] is None:
        return draft.done(path=None)
    scores = pd.DataFrame({"p_target": contact["p_now"], "target": contact["target"]})
    path = write_columns(private_folder(findings_file), "04_plan_phases", scores)
    draft.say(f"Today's probability of {contact['target']} for {len(scores):,} active customers is saved to the "
              "private folder beside the report, for the scored customer list (real customer ids; not linked from "
              "the reports).")
    return draft.done(path=path)
