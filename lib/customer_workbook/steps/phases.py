"""Notebook 04, plan phases: one function per section, each returning the :class:`Section` it shows.

Step 4 of the method turns understanding into a phased plan: **anticipate** (churn and pay-again
models judged by error rate and missing ratio, next quarter's demand), **start small with the most
valuable** (MVP, MVS, MVA and the pilot's size) and **go to market** (one line per target audience).
The computations live in :mod:`customer_workbook.retention` (features, labels, churn models) and
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

import pandas as pd

from .. import clv, plots
from ..base import derived
from ..data import Dataset
from ..escaping import md
from ..planning import (audience_customers, audience_members, audience_table, customer_profile,
                        forecast_next_quarter, go_to_market_plan, pick_pilot, pilot_plan, product_value_table,
                        service_value_table, targeting_at, weekly_demand, weekly_reach)
from ..retention import (build_features, choose_threshold, compare_models, design_dates, driver_summary,
                         feature_shift, fit_models, make_labels, predict_proba, prediction_drivers,
                         prune_features, split_table, threshold_table)
from ..segments import UNASSIGNED, find_personas
from .section import Draft, Section

__all__ = ["churn_drivers", "churn_models", "demand_next_quarter", "features_to_keep", "go_to_market",
           "most_valuable_audience", "most_valuable_product", "most_valuable_service", "pilot_size",
           "prediction_design", "shift_since_training", "threshold_view", "who_will_pay_again", "whom_to_contact"]

QUALITY_FORMATS = {"pr_auc": "{:.3f}", "roc_auc": "{:.3f}", "brier": "{:.3f}", "base_rate": "{:.1%}", "n": "{:,.0f}"}
#: Feature families the firm can change directly (assortment, delivery, returns handling).
ACTIONABLE_FAMILIES = ("categories", "delivery", "returns")
PILOT_FORMATS = {"baseline repeat rate": "{:.1%}", "lift to detect": "{:+.1%}", "per arm": "{:,.0f}",
                 "total": "{:,.0f}", "audience": "{:,.0f}", "reachable per week": "{:,.1f}", "weeks to enrol": "{:.0f}",
                 "weeks in total": "{:.0f}"}
MVP_FOLLOW_DAYS = 180  # days a new buyer of a product line is followed (repeat order, cross-sell)
MVS_FOLLOW_DAYS = 90  # days an order is followed for a repeat order


# =========================================================================== anticipation (§1-7)


def prediction_design(ds: Dataset, gap_days: int, window_days: int) -> Section:
    """§1: the split by time (training, test and scoring dates), its label windows and churn rates.

    Results: ``dates`` (:class:`~customer_workbook.retention.SplitDates`), ``train_labels`` and
    ``test_labels`` (:func:`~customer_workbook.retention.make_labels` of the active customers).
    """
    tx = ds.transactions
    dates = design_dates(tx, gap_days=gap_days, window_days=window_days)
    y_train = make_labels(tx, dates.train, gap_days, window_days)
    y_test = make_labels(tx, dates.test, gap_days, window_days)
    draft = Draft()
    draft.show(plots.styled_table(split_table(dates, y_train, y_test),
                                  {"active customers": "{:,.0f}", "churn rate": "{:.1%}"}))
    draft.add("churn_base_rate", round(float(y_test["churned"].mean()), 4),
                     f"Share of active customers with no order in a {window_days}-day window (test period)",
                     unit="share")
    draft.add("test_observation_date", dates.test.date(), "Observation date of the test period")
    draft.say(f"The test period starts on **{dates.test:%d %B %Y}**: of its {len(y_test):,} active customers, "
              f"**{y_test['churned'].mean():.1%}** placed no order in the {window_days} days after a {gap_days}-day "
              f"gap. The models learn from the period that starts on {dates.train:%d %B %Y}, whose labels end "
              "before the test features begin.")
    return draft.done(dates=dates, train_labels=y_train, test_labels=y_test)


def features_to_keep(ds: Dataset, design: Section) -> Section:
    """§2: start wide (with three naive whole-history totals), prune what leaks or adds nothing.

    Results: ``train_all``/``test_all``/``now_all`` (every candidate feature at the training, test and
    scoring dates), ``train_wide`` (training candidates of the active customers), ``train``/``test``/
    ``now`` (the kept features) and ``dropped`` (what was removed and why).
    """
    dates, y_train, y_test = design["dates"], design["train_labels"], design["test_labels"]
    train_all = build_features(ds, dates.train, include_whole_history=True)  # everyone who bought before
    test_all = build_features(ds, dates.test)
    train_wide = train_all.align(y_train.index)  # the churn population: active customers
    train, dropped = prune_features(train_wide, y_train["churned"])
    test = test_all.align(y_test.index).subset(train.frame.columns)
    now_all = build_features(ds, dates.score)
    leaks = int(dropped["reason"].str.startswith("leak").sum())
    draft = Draft()
    draft.add("n_features_candidate", int(train_wide.frame.shape[1]), "Candidate features (start wide)")
    draft.add("n_features_kept", int(train.frame.shape[1]), "Features kept after pruning")
    draft.add("n_features_leaking", leaks, "Features removed as leaks")
    draft.show(plots.styled_table(dropped))
    families = ", ".join(f"{md(k)} ({v})" for k, v in train.family.value_counts().head(5).items())
    draft.say(f"We started with **{train_wide.frame.shape[1]} candidate features** in {train_wide.family.nunique()} "
              f"families and kept **{train.frame.shape[1]}**. {leaks} were removed because they leak the answer and "
              f"{int(dropped['reason'].str.startswith('useless').sum())} because they add nothing. The largest "
              f"families kept: {families}.")
    return draft.done(train_all=train_all, test_all=test_all, now_all=now_all, train_wide=train_wide, train=train,
                      test=test, now=now_all.subset(train.frame.columns), dropped=dropped)


def churn_models(features: Section, design: Section, seed: int, train_sample: int | None = None) -> Section:
    """§3: the logistic baseline and the boosted model, their PR-AUC, Brier score and calibration.

    Results: ``models`` (:class:`~customer_workbook.retention.ChurnModels`), ``comparison``
    (:class:`~customer_workbook.retention.ModelComparison` on the test period), ``best`` (name) and
    ``p_test`` (the best model's test probabilities).
    """
    y_test = design["test_labels"]["churned"]
    models = fit_models(features["train"], design["train_labels"]["churned"], seed=seed, max_rows=train_sample)
    comparison = compare_models(models, features["test"], y_test)
    best, quality = comparison.best, comparison.quality
    baseline = quality["logistic regression"]
    draft = Draft()
    draft.show(plots.styled_table(comparison.table(), QUALITY_FORMATS),
               plots.plot_calibration(comparison.calibration(y_test)))
    draft.add("churn_model", best, "Churn model used (best PR-AUC on the test period)")
    draft.add("churn_pr_auc", round(quality[best].pr_auc, 4), "Churn model PR-AUC on the test period", headline=True)
    draft.add("churn_pr_auc_baseline", round(baseline.pr_auc, 4), "PR-AUC of the logistic-regression baseline")
    draft.add("churn_brier", round(quality[best].brier, 4), "Brier score of the churn model (lower is better)")
    draft.add("n_train", models.n_train, "Customers used to train the models")
    draft.say(f"The **{best}** model reaches a PR-AUC of **{quality[best].pr_auc:.3f}** against a churn rate of "
              f"{quality[best].base_rate:.1%} (what guessing would score); the logistic-regression baseline reaches "
              f"{baseline.pr_auc:.3f}. Models were trained on {models.n_train:,} customers.")
    return draft.done(models=models, comparison=comparison, best=best, p_test=comparison.scores[best])


def whom_to_contact(ds: Dataset, design: Section, features: Section, models: Section, max_error_rate: float,
                    margin: float, discount_rate: float) -> Section:
    """§4: error rate and missing ratio at every threshold, the rule's threshold, who is flagged today.

    Customer value comes from the run's one scorer (:func:`customer_workbook.clv.score_customers`).
    Results: ``table`` (:func:`~customer_workbook.retention.threshold_table`, test period),
    ``operating`` (:class:`~customer_workbook.retention.OperatingThreshold`), ``threshold`` (float),
    ``value`` (:class:`~customer_workbook.clv.CustomerValue`), ``p_now`` (today's churn probability) and
    ``at_threshold`` (``threshold -> Section``: the figure and sentence for any threshold).
    """
    value = clv.score_customers(ds.transactions, margin=margin, discount_rate=discount_rate)  # same call in 01, 03, 05
    value_now = value.table
    p_now = predict_proba(models["models"], models["best"], features["now"])
    f_test = features["test"].frame
    table = threshold_table(design["test_labels"]["churned"], models["p_test"],
                            value=f_test["revenue_365d"] if "revenue_365d" in f_test else None)
    op = choose_threshold(table, max_error_rate=max_error_rate)
    now = targeting_at(op.threshold, table, p_now, value_now["clv_1y"])
    draft = Draft()
    draft.show(plots.styled_table(table[["threshold", "targeted", "error_rate", "missing_ratio", "undetected_share"]],
                                  {"threshold": "{:.2f}", "targeted": "{:,.0f}", "error_rate": "{:.1%}",
                                   "missing_ratio": "{:.1%}", "undetected_share": "{:.1%}"}))
    draft.add("churn_threshold", round(op.threshold, 2), "Operating threshold on the churn probability")
    draft.add("churn_error_rate", round(op.error_rate, 4),
              "Error rate at the operating threshold (flagged but stayed)", headline=True, unit="share")
    draft.add("churn_missing_ratio", round(op.missing_ratio, 4),
              "Missing ratio at the operating threshold (share of churners found)", headline=True, unit="share")
    draft.add("churn_undetected_share", round(op.undetected_share, 4), "Share of churners not found", unit="share")
    draft.add("churn_targeted_now", now.targeted_now, "Customers flagged today at the operating threshold")
    draft.add("churn_value_at_stake", round(now.value_at_stake, 2),
              "Expected 12-month value (margin) at risk among the flagged customers", unit="currency units")
    draft.add("clv_1y_total", round(float(value_now["clv_1y"].sum()), 0), "Expected value of the base, next year",
              unit="currency units")
    draft.add("p_alive_mean", round(float(value_now["p_alive"].mean()), 3),
              "Mean probability a customer is still active", unit="share")
    draft.say(f"Rule: *{md(op.rule)}*. It sets the threshold at **{op.threshold:.2f}**: of the customers flagged in "
              f"the test period, {op.error_rate:.1%} did not churn (error rate), and the model found "
              f"{op.missing_ratio:.1%} of all churners (missing ratio), leaving {op.undetected_share:.1%} undetected. "
              f"Customer value: {value.report.sentence()}")
    return draft.done(table=table, operating=op, threshold=op.threshold, value=value, p_now=p_now,
                      at_threshold=lambda threshold: threshold_view(threshold, table, p_now, value_now["clv_1y"]))


def threshold_view(threshold: float, table: pd.DataFrame, p_now: pd.Series, value_now: pd.Series) -> Section:
    """The threshold curves with ``threshold`` marked, and what it means today (for the explorer)."""
    t = targeting_at(threshold, table, p_now, value_now)
    draft = Draft()
    draft.show(plots.plot_threshold_curves(table, chosen=threshold))
    draft.say(f"At a threshold of **{threshold:.2f}**: error rate **{t.error_rate:.1%}**, missing ratio "
              f"**{t.missing_ratio:.1%}** ({t.undetected_share:.1%} of churners undetected); "
              f"**{t.targeted_now:,}** customers flagged today, **{t.value_at_stake:,.0f}** of expected "
              "value at stake.")
    return draft.done(targeting=t)


def who_will_pay_again(ds: Dataset, design: Section, features: Section, seed: int, train_sample: int | None,
                       max_error_rate: float) -> Section:
    """§5: the same pipeline on everyone who ever bought, for the event *pays again*.

    Results: ``models``, ``comparison``, ``table`` and ``operating`` of the pay-again model.
    """
    tx, dates = ds.transactions, design["dates"]
    gap, window = dates.gap_days, dates.window_days
    y_train = make_labels(tx, dates.train, gap, window, active_days=None)["bought"]
    y_test = make_labels(tx, dates.test, gap, window, active_days=None)["bought"]
    train, _ = prune_features(features["train_all"].align(y_train.index), y_train)
    models = fit_models(train, y_train, seed=seed, max_rows=train_sample)
    comparison = compare_models(models, features["test_all"].align(y_test.index).subset(train.frame.columns), y_test)
    best = comparison.quality[comparison.best]
    table = threshold_table(y_test, comparison.scores[comparison.best])
    op = choose_threshold(table, max_error_rate=max_error_rate)
    draft = Draft()
    draft.show(plots.styled_table(comparison.table(), QUALITY_FORMATS))
    draft.add("pay_base_rate", round(best.base_rate, 4), "Share of past buyers who paid again", unit="share")
    draft.add("pay_pr_auc", round(best.pr_auc, 4), "Will-pay-again model PR-AUC")
    draft.add("pay_error_rate", round(op.error_rate, 4), "Will-pay-again error rate at the operating threshold",
              unit="share")
    draft.add("pay_missing_ratio", round(op.missing_ratio, 4), "Will-pay-again missing ratio (share of payers found)",
              unit="share")
    draft.say(f"Of {len(y_test):,} past buyers, {best.base_rate:.1%} paid again in the window. The "
              f"{comparison.best} model reaches a PR-AUC of **{best.pr_auc:.3f}**; at a threshold of "
              f"{op.threshold:.2f}, {op.error_rate:.1%} of the predicted payers did not pay and it finds "
              f"{op.missing_ratio:.1%} of those who did.")
    return draft.done(models=models, comparison=comparison, table=table, operating=op)


def churn_drivers(features: Section, design: Section, models: Section, seed: int) -> Section:
    """§6: reliance (permutation importance, the model used) and what-if effects (logistic regression).

    Results: ``drivers`` (reliance), ``effects`` and ``summary`` (both per family).
    """
    y_test, fitted = design["test_labels"]["churned"], models["models"]
    drivers = prediction_drivers(fitted, models["best"], features["test"], y_test, seed=seed, effects=False)
    effects = prediction_drivers(fitted, "logistic regression", features["test"], y_test, seed=seed)
    summary = driver_summary(drivers, effects)
    draft = Draft()
    draft.show(plots.plot_drivers(summary),
               plots.styled_table(summary.sort_values("effect_rank")[["family", "effect", "in_words"]],
                                  {"effect": "{:+.1%}"}))
    draft.add("churn_top_drivers", list(drivers["family"].head(5)), "Feature families the churn model relies on most",
              headline=True)
    draft.add("churn_driver_effects", {r.family: round(float(r.effect), 4) for r in effects.itertuples()},
              "What-if effect of each family on the churn probability (logistic regression)", unit="share")
    draft.add("churn_driver_effect_rank", {r.family: int(r.effect_rank) for r in effects.itertuples()},
              "Rank of each family by the size of its effect")
    strong = effects.sort_values("effect_rank").head(6)
    actionable = effects[effects["family"].isin(ACTIONABLE_FAMILIES)]
    act_text = "; ".join(f"{md(r.in_words.lower())} (rank {r.effect_rank} of {len(effects)})"
                         for r in actionable.itertuples())
    draft.say(f"The model relies most on **{', '.join(map(md, drivers['family'].head(3)))}**. For a single customer "
              "the largest effects are: " + "; ".join(f"{md(r.in_words.lower())}" for r in strong.itertuples()) + "."
              + (f" Among the behaviours the firm can change directly: {act_text}." if len(actionable) else ""))
    return draft.done(drivers=drivers, effects=effects, summary=summary)


def shift_since_training(features: Section, design: Section) -> Section:
    """§6 (cont.): key behaviours whose prevalence changed two-fold between training and test.

    All candidate features are compared (a rare behaviour may have been pruned). Results: ``shift``.
    """
    wide = features["train_wide"]
    shift = feature_shift(wide, features["test_all"].align(design["test_labels"].index))
    draft = Draft()
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
        draft.say(f"> **Forecast not possible:** {md(exc)}")
        return draft.done(weekly=weekly, forecast=None)
    for (measure, d), unit in zip(demand.measures().items(), ("orders", "currency units")):
        draft.show(plots.plot_demand_forecast(weekly[measure], d.weekly, d.backtest, unit,
                                              f"{measure.capitalize()}: next {demand.horizon_weeks} weeks"))
        draft.add(f"forecast_{measure}_next_quarter", round(d.total, 1),
                  f"Forecast {measure} in the next {demand.horizon_weeks} weeks", headline=measure == "revenue", unit=unit)
        draft.add(f"forecast_{measure}_interval", [round(d.low, 1), round(d.high, 1)],
                  f"80% interval of the {measure} forecast", unit=unit)
        draft.add(f"forecast_{measure}_method", d.method, f"Forecast method chosen by the backtest ({measure})")
        draft.add(f"forecast_{measure}_backtest_mape", {k: round(v, 4) for k, v in d.mape.items()},
                  f"Backtest error of the quarter total ({measure}), per method", unit="share")
    o, r = demand.orders, demand.revenue
    draft.say(f"For the {demand.horizon_weeks} weeks from {demand.start:%d %B %Y} we expect **{o.total:,.0f} orders** "
              f"({o.low:,.0f} to {o.high:,.0f}) and **{r.total:,.0f}** in revenue ({r.low:,.0f} to {r.high:,.0f}); "
              f"the same weeks last year brought {r.last_year_total:,.0f}. In the backtest the revenue total was off "
              f"by {r.mape['forecast']:.1%} on average with the growth adjustment, {r.mape['seasonal_naive']:.1%} "
              f"with last year's weeks unchanged and {r.mape['recent_mean']:.1%} with the recent average, so the "
              f"revenue forecast uses the **{r.method}** method (orders: {o.method}); its interval held the actual "
              f"value in {r.coverage:.0%} of the backtests.")
    return draft.done(weekly=weekly, forecast=demand)


# =========================================================================== start small (§8-11), go to market (§12)


def most_valuable_product(ds: Dataset) -> Section:
    """§8: product lines (categories, or single products without a products table) by revenue, retention
    and cross-sell. Results: ``mvp`` (the ranked table, or ``None`` without ``transactions.product_id``)."""
    draft = Draft()
    tx = ds.transactions
    if "product_id" not in tx:
        draft.skip("Most valuable product", ["transactions.product_id"])
        return draft.done(mvp=None)
    has_products = ds.has("products")
    mvp = product_value_table(tx, derived(ds).sale_orders, ds.products, by="category" if has_products else "product_id",
                              follow_days=MVP_FOLLOW_DAYS, top=None if has_products else 15)
    draft.show(plots.styled_table(mvp, {"revenue": "{:,.0f}", "revenue_share": "{:.1%}", "buyers": "{:,.0f}",
                                        "repeat_rate": "{:.1%}", "cross_sell_rate": "{:.1%}", "score": "{:.2f}"}))
    top = mvp.iloc[0]
    draft.add("mvp", str(top["product"]), "Most valuable product line (MVP)", headline=True)
    draft.add("mvp_table", mvp.head(5)[["product", "revenue_share", "repeat_rate", "cross_sell_rate"]].round(4),
              "Top product lines by revenue, retention and cross-sell")
    draft.say(f"The most valuable product line is **{md(top['product'])}**: {top['revenue_share']:.1%} of revenue, "
              f"{top['repeat_rate']:.1%} of its new buyers ordered again within {MVP_FOLLOW_DAYS} days and "
              f"{top['cross_sell_rate']:.1%} went on to another line.")
    return draft.done(mvp=mvp)


def most_valuable_service(ds: Dataset) -> Section:
    """§9: sales channels and delivery speeds by revenue and repeat orders within 90 days, from the run's
    order table of sale lines. Results: ``mvs`` (the ranked table)."""
    tables = derived(ds)
    mvs = service_value_table(tables.sale_orders, ds.transactions["date"].max(), follow_days=MVS_FOLLOW_DAYS)
    draft = Draft()
    if not len(mvs):
        draft.skip("Most valuable service", ["transactions.channel"])
        return draft.done(mvs=mvs)
    draft.show(plots.styled_table(mvs, {"orders": "{:,.0f}", "order_share": "{:.1%}", "revenue": "{:,.0f}",
                                        "mean_order_value": "{:,.1f}", "repeat_rate": "{:.1%}", "score": "{:.2f}"}))
    best = mvs.iloc[0]
    draft.add("mvs", str(best["service"]), "Most valuable service (sales channel)", headline=True)
    draft.add("repeat_rate_by_service", {f"{r.dimension}: {r.service}": round(float(r.repeat_rate), 4)
                                         for r in mvs.itertuples()},
              f"Repeat rate within {MVS_FOLLOW_DAYS} days by service", unit="share")
    speed = mvs[mvs["dimension"] == "delivery speed"]
    extra = ""
    if len(speed) > 1:
        hi, lo = speed.loc[speed["repeat_rate"].idxmax()], speed.loc[speed["repeat_rate"].idxmin()]
        extra = (f" Delivery speed matters: after a **{md(lo['service'])}** delivery {lo['repeat_rate']:.1%} ordered "
                 f"again, against {hi['repeat_rate']:.1%} after a {md(hi['service'])} one.")
    draft.say(f"The most valuable sales channel is **{md(best['service'])}** ({best['order_share']:.1%} of orders, "
              f"repeat rate {best['repeat_rate']:.1%})." + extra)
    return draft.done(mvs=mvs)


def most_valuable_audience(ds: Dataset, features: Section, contact: Section, segment_column: str,
                           min_audience: int) -> Section:
    """§10: segment x persona cells by expected 12-month value; the pilot is the most valuable one.

    Personas come from the run's one engine (:func:`customer_workbook.segments.find_personas`, the same
    call in notebooks 01, 03 and 05). Results: ``audiences``, ``pilot`` (its row), ``personas`` (name per
    customer, unassigned included), ``segment`` (per customer, or ``None``) and ``profile``
    (:func:`~customer_workbook.planning.customer_profile` today).
    """
    personas = find_personas(ds)
    persona_of = personas.assignment.fillna(UNASSIGNED)
    segment = None
    if ds.has("customers") and segment_column in ds.customers:
        segment = ds.customers.set_index("customer_id")[segment_column]
    value_now, p_now = contact["value"].table, contact["p_now"]
    audiences = audience_table(value_now, persona_of, segment, churn_p=p_now,
                               campaigns=ds.campaigns if ds.has("campaigns") else None, min_size=min_audience)
    pilot = pick_pilot(audiences, min_size=min_audience)
    cols = [c for c in ["segment", "persona", "customers", "value_per_customer", "p_alive", "churn_risk", "uplift",
                        "uplift_se"] if c in audiences]
    draft = Draft()
    draft.show(plots.plot_audience_map(audiences, pilot=(pilot["segment"], pilot["persona"])),
               plots.styled_table(audiences[audiences["ranked"]].head(10)[cols],
                                  {"customers": "{:,.0f}", "value_per_customer": "{:,.0f}", "p_alive": "{:.1%}",
                                   "churn_risk": "{:.1%}", "uplift": "{:+.1%}", "uplift_se": "{:.1%}"}))
    draft.add("persona_counts", personas.counts(), "Customers per persona (unassigned: fewer than 2 orders)")
    draft.add("persona_assignment", personas.fingerprint(),
              "Fingerprint of every customer's persona (equal in notebooks 01, 03, 04, 05)")
    draft.add("mva_segment", str(pilot["segment"]), "Most valuable audience: segment")
    draft.add("mva_persona", str(pilot["persona"]), "Most valuable audience: persona")
    draft.add("mva", f"{pilot['persona']} · {pilot['segment']}", "Most valuable audience (pilot)", headline=True)
    draft.add("mva_value_per_customer", round(float(pilot["value_per_customer"]), 2),
              "Expected 12-month value per customer in the most valuable audience", unit="currency units")
    overall = draft.add("value_per_customer_overall", round(float(value_now["clv_1y"].mean()), 2),
                        "Expected 12-month value per customer, whole base", unit="currency units")
    response = ""
    if "uplift" in pilot and pd.notna(pilot.get("uplift")):
        response = (f" In the randomised campaign this audience responded with an uplift of {pilot['uplift']:+.1%} "
                    f"(standard error {pilot['uplift_se']:.1%}), so the offer for it should be chosen with care.")
    draft.say(f"The most valuable audience is **{md(pilot['persona'])} · {md(pilot['segment'])}**: "
              f"{int(pilot['customers']):,} customers worth **{pilot['value_per_customer']:,.0f}** each in the next "
              f"12 months, against {overall:,.0f} for the average customer." + response)
    return draft.done(audiences=audiences, pilot=pilot, personas=persona_of, segment=segment,
                      profile=customer_profile(ds, features["now_all"]))


def pilot_size(ds: Dataset, audience: Section, contact: Section, mde: float, outcome_days: int, alpha: float,
               power: float) -> Section:
    """§11: customers per arm and weeks the pilot needs in the pilot audience.

    The baseline is the audience's predicted repeat rate (1 - mean churn probability today); customers
    are reachable when they have a transaction (:func:`~customer_workbook.planning.weekly_reach`).
    Results: ``plan`` (:class:`~customer_workbook.planning.PilotPlan`) and ``p_repeat``.
    """
    pilot, segment = audience["pilot"], audience["segment"]
    members = audience_members(audience["personas"], segment, pilot["persona"], pilot["segment"],
                               audience["profile"].index)
    p_repeat = float(1 - contact["p_now"].reindex(members).mean())
    reach = weekly_reach(ds.transactions, members)
    plan = pilot_plan(len(members), reach, p_repeat, mde, outcome_days, alpha=alpha, power=power)
    draft = Draft()
    draft.show(plots.styled_table(pd.DataFrame([{
        "baseline repeat rate": plan.p_control, "lift to detect": plan.mde, "per arm": plan.n_per_arm,
        "total": plan.total, "audience": plan.audience_size, "reachable per week": plan.weekly_reach,
        "weeks to enrol": plan.enrol_weeks, "weeks in total": plan.duration_weeks}]), PILOT_FORMATS))
    draft.add("pilot_n_per_arm", plan.n_per_arm, "Pilot customers per arm", headline=True)
    draft.add("pilot_duration_weeks", plan.duration_weeks, "Pilot duration (enrolment + outcome window)", unit="weeks")
    draft.add("pilot_feasible", plan.feasible, "The pilot audience is large enough")
    draft.add("pilot_mde_whole_audience", round(plan.mde_with_whole_audience, 4),
              "Smallest lift the whole pilot audience could detect", unit="share")
    note = ("The audience is large enough." if plan.feasible else
            f"The audience holds only {plan.audience_size:,} customers, so with all of them the pilot can detect "
            f"a lift of {plan.mde_with_whole_audience:.1%} or more; either accept that or widen the audience to "
            "the next cells.")
    draft.say(f"To detect a lift of {mde:.0%} points on a repeat rate of {p_repeat:.1%} with {power:.0%} power at "
              f"a {alpha:.0%} significance level, the pilot needs **{plan.n_per_arm:,} customers per arm** "
              f"({plan.total:,} in all). About {reach:,.0f} of them order in a typical week, so enrolment takes "
              f"{plan.enrol_weeks:.0f} weeks and the test {plan.duration_weeks:.0f} weeks in all. " + note)
    return draft.done(plan=plan, p_repeat=p_repeat)


def go_to_market(ds: Dataset, audience: Section, contact: Section, product: Section, mde: float,
                 outcome_days: int, n_audiences: int = 3) -> Section:
    """§12: the audience relations plan, one line per target audience (rules in
    :func:`~customer_workbook.planning.go_to_market_plan`). Results: ``plan`` (the table)."""
    p_now = contact["p_now"]
    customers = audience_customers(audience["profile"], audience["personas"], audience["segment"],
                                   contact["value"].table["clv_1y"], p_now)
    gtm = go_to_market_plan(audience["audiences"], customers, ds.products, product["mvp"], mde=mde,
                            n_audiences=n_audiences, outcome_days=outcome_days, churn_rate=float(p_now.mean()))
    draft = Draft()
    draft.show(plots.styled_table(gtm, {"customers": "{:,.0f}", "value_per_customer": "{:,.0f}",
                                        "churn_risk": "{:.1%}", "expected_value": "{:,.0f}"}))
    draft.add("go_to_market", gtm, "Audience relations plan")
    first = gtm.iloc[0]
    draft.say(f"Start with **{md(first['audience'])}**: goal *{md(first['goal'])}*, offer *{md(first['offer'])}* "
              f"through **{md(first['channel'])}**, {md(first['timing'])}. If the pilot shows the planned lift, it is "
              f"worth about **{first['expected_value']:,.0f}** in expected value; watch the "
              f"{md(first['metric_to_watch'])}.")
    return draft.done(plan=gtm)
