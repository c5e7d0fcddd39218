"""Notebook 01 (step 1, customer behaviour): one function per section, each returning a :class:`Section`.

The computations live in the concept packages: RFM, cohorts, personas, profiles and the lifecycle in
:mod:`customer_workbook.segments`, reasons to choose in :mod:`customer_workbook.reasons`, the pyramid
and NPS in :mod:`customer_workbook.advocacy`, the per-customer table in :mod:`customer_workbook.base`.
These functions choose what each section shows and word its sentences from the numbers.

>>> setup = behaviour.the_data(ds).show(findings)
>>> rfm = behaviour.who_the_customers_are(ds, n_bins=5).show(findings)
>>> rfm["table"]            # the segment table, for the exercise
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import cache, plots, widgets
from ..findings import date_words
from ..plots.model_fit import show_model_fit
from ..advocacy import advocacy_levels, engagement_rates
from ..base import derived
from ..escaping import md
from ..paths import resolve_path
from ..planning.customer_list import columns_path
from ..privacy import private_folder
from ..reasons import (MIN_RESPONDENTS_PER_DRIVER, bandwagon_evidence, bass_curve, delivery_repeat_curve,
                       driver_importance, latest_answers, product_adoption, reason_evidence, respondents_needed,
                       survey_drivers)
from ..segments import (MIN_HOLDOUT_DAYS, UNASSIGNED, USEFUL_AUC, backtest_holdout, cohort_retention, cohort_summary,
                        four_c_to_four_p, health_backtest, health_score,
                        lifecycle_stages, multi_category_retention, persona_profiles, rfm_scores, rfm_segments,
                        segment_summary)
from ..segments.profiles import persona_coverage
from ..value_unit import value_columns, value_noun
from ._behaviour_decision import behaviour_decision as decision
from ._behaviour_advocacy import MIN_NPS_RESPONDENTS, _p_alive_if_fitted, advocacy_pyramid, net_promoter_score
from .section import Draft, Section

__all__ = ["MIN_NPS_RESPONDENTS", "advocacy_pyramid", "decision", "do_customers_come_back", "does_behaviour_show_them", "explore_groups",
           "four_c_to_four_p_mix", "lifecycle_and_health", "net_promoter_score", "save_customer_labels", "the_data",
           "what_drives_loyalty", "what_drives_recommendation", "who_the_customers_are", "who_the_personas_are"]


def the_data(ds) -> Section:
    """Set-up: the per-customer table and the survey's latest answers (None without surveys)."""
    draft = Draft()
    features = derived(ds).customers
    answers = latest_answers(ds.surveys) if ds.has("surveys") else None
    first_day, last_day = ds.transactions["date"].min(), ds.transactions["date"].max()
    draft.say(f"{len(features):,} customers with transactions from {date_words(first_day)} to {date_words(last_day)}.")
    return draft.done(features=features, answers=answers)


def who_the_customers_are(ds, n_bins: int = 5) -> Section:
    """Section 1: RFM scores, the segment map and each segment's share of customers and revenue."""
    draft = Draft()
    features = derived(ds).customers
    paid = features[features["orders"] > 0]  # without a paid purchase there is no recency to score
    scores = rfm_scores(paid, n_bins=n_bins)
    segments = rfm_segments(scores)
    table = segment_summary(segments, paid["revenue"])
    draft.show(plots.plot_segment_map(scores.table, segments, table, value_noun(ds)),
               plots.styled_table(value_columns(table, ds), value_columns({
                   "customers": "{:,}", "customer_share": "{:.1%}", "revenue": "{:,.0f}", "revenue_share": "{:.1%}",
                   "revenue_per_customer": "{:,.0f}"}, ds)))
    draft.add("segment_shares", {r.segment: round(r.customer_share, 4) for r in table.itertuples()},
              "Share of customers by RFM segment", headline=True, unit="share")
    if table["revenue_share"].between(0, 1).all():  # a base whose net revenue is not positive has no revenue shares
        draft.add("segment_revenue_shares", {r.segment: round(r.revenue_share, 4) for r in table.itertuples()},
                  "Share of net revenue by RFM segment", unit="share")
    draft.add("rfm_scores_used", scores.scores_used, "RFM scores that occur (ties can leave some unused)")
    draft.say(_segment_sentence(table, scores, len(features) - len(paid), value_noun(ds)))
    return draft.done(scores=scores, segments=segments.reindex(features.index), table=table)


def _segment_sentence(table: pd.DataFrame, scores, n_unpaid: int, noun: str = "revenue") -> str:
    """The RFM section's text: where the revenue (``noun``) sits, the largest segments, unused scores, who is left out."""
    revenue_known = bool(table["revenue_share"].between(0, 1).all())
    text = []
    if revenue_known:
        top = table.sort_values("revenue_share", ascending=False).iloc[0]
        text.append(f"**{md(top.segment)}** are {top.customer_share:.0%} of customers "
                    f"{'but' if top.revenue_share > top.customer_share else 'and'} bring **{top.revenue_share:.0%} of net "
                    f"{noun}** ({top.revenue_per_customer:,.0f} per customer).")
    else:
        text.append(f"Net {noun} is not positive overall, so the segments are compared by customers only.")
    largest = table[table["customers"] > 0].sort_values("customer_share", ascending=False).head(4)
    text.append(", ".join(f"{md(r.segment)} {r.customer_share:.0%}" for r in largest.itertuples())
                + f" {'are the largest segments' if len(largest) > 1 else 'is the only segment'}.")
    unused = "; ".join(f"{dim} never takes score {', '.join(map(str, u))} because many customers tie on the same value"
                       for dim, u in scores.unused().items() if u)
    text.append(f"Ties: {unused or 'every score level is used in all three dimensions'}.")
    empty = table.loc[table["customers"] == 0, "segment"].tolist()
    if empty:
        text.append(f"Empty segments: {', '.join(map(md, empty))}.")
    if n_unpaid:
        text.append(f"{n_unpaid:,} customers without a paid purchase (every line free or a return) have no recency and "
                    "are left out of the segments.")
    return " ".join(text)


def do_customers_come_back(ds, months_shown: int = 24, months: tuple[int, ...] = (1, 3, 6, 12)) -> Section:
    """Section 2: retention of monthly acquisition cohorts (by sign-up month when the customers table has it)."""
    draft = Draft()
    acquisition = None
    if ds.has("customers") and "signup_date" in ds.customers:
        acquisition = ds.customers.set_index("customer_id")["signup_date"]
    retention = cohort_retention(ds.transactions, acquisition)
    if few := retention.too_few:  # shares of so few customers are noise (segments.MIN_COHORT_CUSTOMERS)
        return Section((few.note("cohort retention"),), results={"retention": retention, "summary": None})
    summary = cohort_summary(retention, months=months)
    draft.show(plots.plot_cohort_retention(retention.table, max_months=months_shown))
    known = summary.dropna(subset=["retention"])
    for r in known.itertuples():  # a month no cohort has reached yet records no finding
        draft.add(f"retention_month_{r.month}", round(r.retention, 4),
                  f"Share of a cohort buying in month {r.month} after acquisition (size-weighted)", unit="share")
    basis = "sign-up month" if acquisition is not None else "first-purchase month"
    text = [f"{len(retention.table):,} monthly {'cohort' if len(retention.table) == 1 else 'cohorts'} (by {basis}), "
            f"{int(retention.cohort_size.sum()):,} customers."]
    if len(known):
        falls = bool((known["retention"].diff().dropna() <= 0).all())
        text.append(f"A cohort's share {'still buying falls to' if falls else 'buying is'} "
                    + ", ".join(f"**{r.retention:.0%} in month {r.month}**" for r in known.itertuples()) + " after acquisition.")
    unreached = summary.loc[summary["retention"].isna(), "month"].tolist()
    if unreached:
        observed = int(retention.table.notna().any().sum())
        text.append(f"No cohort has lived through month {', '.join(map(str, unreached))} yet: the data follow cohorts "
                    f"for {max(observed - 1, 0)} months after acquisition.")
    text.append(f"Blank cells are months after {retention.last_complete_month:%B %Y}, not yet observed.")
    draft.say(" ".join(text))
    return draft.done(retention=retention, summary=summary)


def _driver_gate(reasons: pd.DataFrame, outcome: pd.Series, what: str) -> str | None:
    """Why a driver analysis of ``outcome`` on the survey's ``reasons`` cannot run (Markdown note), or None."""
    n = len(reasons.join(outcome.rename("__y"), how="inner").dropna())
    needed = respondents_needed(reasons.shape[1])
    if reasons.shape[1] >= 2 and n >= needed:
        return None
    if reasons.shape[1] < 2:
        return (f"> **Not shown: {what}** because the survey has {reasons.shape[1]} reason item(s) (`why_<reason>` "
                "columns); ranking reasons needs at least two.")
    return (f"> **Not shown: {what}** because only {n:,} respondents answered both the question and the "
            f"{reasons.shape[1]} reasons; ranking them needs at least {needed:,} ({MIN_RESPONDENTS_PER_DRIVER} per reason). "
            "More survey answers, or a longer period (`start_date`, `end_date`), would help.")


def _not_informative(result, what: str) -> str:
    """The note shown instead of a ranking of drivers that explain no more than chance."""
    return (f"> **Not shown: {what}** because the reasons explain no more of the answers than chance "
            f"(R² {result.r2:.3f}, F-test p = {result.p_value:.2g}, {result.n:,} respondents): no reason can be named a driver.")


def what_drives_recommendation(answers: pd.DataFrame | None, n_boot: int = 200, seed: int = 0) -> Section:
    """Section 3: which stated reasons drive the intention to recommend (dominance analysis of NPS).

    Gates: at least :data:`~customer_workbook.reasons.MIN_RESPONDENTS_PER_DRIVER` respondents per reason, and
    the reasons together must explain the NPS answers better than chance (F-test of R², p < 0.05);
    otherwise the section says why and records no finding (``drivers`` is then None).
    """
    draft = Draft()
    if answers is None or "nps" not in answers:
        draft.skip("Reasons to choose: driver analysis", ["surveys"])
        return draft.done(drivers=None)
    reasons = survey_drivers(answers)
    note = _driver_gate(reasons, answers["nps"], "what drives recommendation")
    if note is None:
        result = cache.call(driver_importance, reasons, answers["nps"], n_boot=n_boot, seed=seed)
        note = None if result.informative else _not_informative(result, "what drives recommendation")
    if note is not None:
        draft.say(note)
        return draft.done(drivers=None)
    drivers = result.table
    draft.show(plots.plot_importance_performance(drivers, target="recommendation (NPS)"),
               plots.styled_table(drivers[["driver", "rank", "importance", "low", "high", "share", "top3_share",
                                           "performance", "correlation"]],
                                  {"importance": "{:.3f}", "low": "{:.3f}", "high": "{:.3f}", "share": "{:.0%}",
                                   "top3_share": "{:.0%}", "performance": "{:.2f}", "correlation": "{:.2f}"}))
    top3 = drivers.head(3)
    draft.add("top_drivers", {r.driver: round(r.importance, 4) for r in top3.itertuples()},
              "Top three reasons driving NPS (dominance importance, R² share)", headline=True)
    draft.add("top_driver_intervals", {r.driver: [round(r.low, 4), round(r.high, 4)] for r in top3.itertuples()},
              f"Bootstrap {result.level:.0%} intervals of the top three importances")
    draft.add("driver_ranking", drivers["driver"].tolist(), "All reasons ranked by importance for NPS")
    draft.add("driver_r2", round(result.r2, 4), "Variance of NPS explained by the ten reasons (R²)", unit="share")
    draft.say(_recommendation_sentence(result))
    return draft.done(drivers=result)


def _recommendation_sentence(result) -> str:
    """The driver section's text: the top three, whether they are separated, and the bystanders."""
    drivers = result.table
    top3 = drivers.head(3)
    text = (f"Of the {len(drivers)} reasons, **{', '.join(map(md, top3['driver']))}** drive recommendation most: together they "
            f"account for {top3['share'].sum():.0%} of the variance the reasons explain (R² {result.r2:.2f}, "
            f"{result.n:,} respondents).")
    if len(drivers) >= 5:
        fourth, fifth = md(drivers.iloc[3]["driver"]), md(drivers.iloc[4]["driver"])
        separated = top3.iloc[2]["low"] - drivers.iloc[3]["high"] > 0
        text += (f" The third reason's interval lies above the fourth's ({fourth}), so the top three are clearly separated."
                 if separated else f" The intervals of the third and fourth reasons ({fourth}) overlap: their order is not certain.")
        text += (f" Reasons that correlate with a driver but add little of their own, such as {fourth} and "
                 f"{fifth}, rank lower here than their simple correlations suggest.")
    return text


def what_drives_loyalty(ds, answers: pd.DataFrame | None, customer_value, drivers=None, n_boot: int = 200,
                        seed: int = 0) -> Section:
    """Section 3, loyalty: which stated reasons go with behavioural loyalty (the health score).

    ``customer_value`` is the run's :func:`customer_workbook.clv.score_customers` (its P(alive) enters the
    health score only when ``report.ok``); ``drivers`` the :class:`~customer_workbook.reasons.DriverImportance`
    of recommendation, to say which reasons drive both. The gates of :func:`what_drives_recommendation` apply.
    """
    draft = Draft()
    if answers is None:
        draft.skip("Reasons to choose: loyalty drivers", ["surveys"])
        return draft.done(drivers=None)
    loyalty = health_score(derived(ds).customers, _p_alive_if_fitted(customer_value))["health"]
    reasons = survey_drivers(answers)
    note = _driver_gate(reasons, loyalty, "what goes with loyalty")
    if note is None:
        result = cache.call(driver_importance, reasons, loyalty, n_boot=n_boot, seed=seed)
        note = None if result.informative else _not_informative(result, "what goes with loyalty")
    if note is not None:
        draft.say(note)
        return draft.done(drivers=None)
    table = result.table
    draft.show(plots.styled_table(table[["driver", "rank", "importance", "low", "high", "correlation"]],
                                  {"importance": "{:.4f}", "low": "{:.4f}", "high": "{:.4f}", "correlation": "{:.2f}"}))
    draft.add("loyalty_top_drivers", {r.driver: round(r.importance, 5) for r in table.head(3).itertuples()},
              "Top three reasons going with behavioural loyalty (health score)")
    shared = set(table.head(3)["driver"]) & set(drivers.table.head(3)["driver"]) if drivers is not None else set()
    draft.say(f"For staying, the leading reasons are **{', '.join(map(md, table.head(3)['driver']))}** "
              f"(R² {result.r2:.3f}: the survey explains {'little' if result.r2 < 0.1 else f'{result.r2:.0%}'} of who stays). "
              + ("" if drivers is None else
                 f"{', '.join(map(md, sorted(shared)))} drive{'s' if len(shared) == 1 else ''} both recommendation and loyalty."
                 if shared else "None of them is also a top driver of recommendation."))
    return draft.done(drivers=result)


def _evidence_figure(ds, bandwagon: pd.DataFrame | None, draft: Draft):
    """The fast-brand repeat curve (and the strongest launch's adoption with its Bass fit) when deliveries are known."""
    tx = ds.transactions
    curve = delivery_repeat_curve(tx) if "delivery_days" in tx else None
    if curve is None or not len(curve.table):
        return None
    launch = bandwagon.iloc[0] if bandwagon is not None and len(bandwagon) else None
    adoption = product_adoption(tx, launch["launch_date"], launch["product_id"]) if launch is not None else None
    fitted = bass_curve(launch["p"], launch["q"], launch["m"], len(adoption)) if launch is not None else None
    draft.show(plots.plot_reason_evidence(curve, adoption, fitted, launch["product_id"] if launch is not None else ""))
    draft.add("repeat_rate_by_delivery_slope", round(curve.slope, 5),
              "Change in 90-day repeat rate per extra delivery day", unit="pp")
    return curve


def does_behaviour_show_them(ds, answers: pd.DataFrame | None) -> Section:
    """Section 4: the behaviour that shows each reason, its link with the stated reason, fast brand and bandwagon."""
    draft = Draft()
    products = ds.products if ds.has("products") and "product_id" in ds.transactions else None
    bandwagon = bandwagon_evidence(ds.transactions, products) if products is not None and "launch_date" in products else None
    evidence = reason_evidence(derived(ds).customers, answers, bandwagon)
    draft.show(plots.styled_table(evidence, {"base_mean": "{:.3g}", "rho": "{:.2f}", "p_value": "{:.1g}", "n": "{:,}"}))
    curve = _evidence_figure(ds, bandwagon, draft)
    shown = evidence[evidence["agrees"]]
    draft.add("reasons_backed_by_behaviour", shown["reason"].tolist(), "Stated reasons confirmed by behaviour (rho > 0, p < 0.05)")
    text = []
    if len(shown):
        text.append("Behaviour backs the stated reasons " + ", ".join(f"**{md(r.reason)}** (rho {r.rho:.2f})" for r in shown.itertuples()) + ".")
    not_backed = evidence[evidence["rho"].notna() & ~evidence["agrees"]]
    if len(not_backed):
        text.append("No significant link for " + ", ".join(map(md, not_backed["reason"])) + ".")
    if bandwagon is not None and len(bandwagon):
        draft.add("bandwagon_q_over_p", {r.product_id: round(r.q_over_p, 1) for r in bandwagon.itertuples()},
                  "Imitation / innovation ratio of the launches with most adopters (Bass model)")
        strongest = bandwagon.loc[bandwagon["q_over_p"].idxmax()]
        n_bandwagon = int((bandwagon["q_over_p"] > 1).sum())
        text.append(f"Of {len(bandwagon)} {'launch' if len(bandwagon) == 1 else 'launches'} fitted, {n_bandwagon} "
                    f"{'shows' if n_bandwagon == 1 else 'show'} a bandwagon (q > p); the strongest, "
                    f"{md(strongest['product_id'])}, has q/p = {strongest['q_over_p']:.0f} and its adoption peaked "
                    f"{strongest['peak_week']} weeks after launch.")
    if curve is not None:
        fast, slow = curve.table.iloc[:3], curve.table[curve.table["delivery_days"] >= 7]
        if len(slow):
            text.append(f"Orders delivered in 7 days or more are followed by another order within 90 days "
                        f"{(slow['repeat_rate'] * slow['orders']).sum() / slow['orders'].sum():.0%} of the time, against "
                        f"{(fast['repeat_rate'] * fast['orders']).sum() / fast['orders'].sum():.0%} for deliveries within 2 days.")
    text.append("Personalisation, sympathy and marketing & packaging leave no trace in the contract's tables, so they rest on "
                + ("the survey alone." if answers is not None else "a survey, which these data do not include."))
    draft.say(" ".join(text))
    return draft.done(evidence=evidence, bandwagon=bandwagon, delivery=curve)


def who_the_personas_are(personas, features: pd.DataFrame, answers: pd.DataFrame | None, ds=None) -> Section:
    """Section 5: how many personas reproduce, what sets each apart and its profile.

    ``personas`` is the run's :func:`customer_workbook.segments.find_personas`; ``ds`` (optional) names the
    value share after the data's value unit (:func:`customer_workbook.value_unit.value_columns`).
    """
    if not personas.found:  # too few customers to cluster (segments.MIN_CLUSTERED): the note, no finding
        return Section((personas.too_few.note("personas, nor the views by persona of sections 8 to 10"),), results={"profiles": None})
    draft = Draft()
    labels, names, k = personas.clustered, personas.names, personas.k
    profiles = persona_profiles(features, labels, names, answers)
    cols = [c for c in ["persona", "name", "share", "revenue_share", "problem", "pain_points", "demographics", "goals",
                        "dominant_reasons", "behaviour", "nps"] if c in profiles]
    draft.show(plots.plot_k_selection(personas.criterion, personas.threshold),
               plots.plot_persona_heatmap(personas.centres, names),
               plots.styled_table(value_columns(profiles[cols], ds),
                                  value_columns({"share": "{:.0%}", "revenue_share": "{:.0%}", "nps": "{:+.0f}"}, ds)))
    reproduces = personas.stability >= personas.threshold  # the clustering's gate: an unstable split is not headlined
    draft.add("persona_count", int(k), "Number of personas (largest reproducible split)" if reproduces else
              "Number of personas (the most stable split; none reproduces)", headline=reproduces)
    draft.add("persona_shares", {r.name: round(r.share, 4) for r in profiles.itertuples()}, "Share of clustered customers by persona", unit="share")
    draft.add("persona_stability", round(personas.stability, 3),
              "Agreement of persona splits between subsamples (Jaccard index of the persona that reproduces least)")
    reasons = {r.name: r.dominant_reasons for r in profiles.itertuples() if r.dominant_reasons}
    if reasons:  # no survey, or no reason agreed with more than the base: nothing to record
        draft.add("persona_reasons", reasons, "Dominant reasons to choose by persona")
    draft.add("persona_counts", personas.counts(), "Customers per persona (unassigned: fewer than 2 orders)")
    draft.add("persona_assignment", personas.fingerprint(), "Fingerprint of every customer's persona (equal in notebooks 01, 03, 04, 05)")
    draft.say(_persona_sentence(personas, profiles))
    return draft.done(profiles=profiles)


def _persona_sentence(personas, profiles: pd.DataFrame) -> str:
    """The persona section's text: how many, what share of the base they describe when it is small
    (:func:`~customer_workbook.segments.profiles.persona_coverage`), whether the split reproduces (the
    clustering's gate), who they are."""
    k, criterion = personas.k, personas.criterion.set_index("k")["stability"]
    n, unassigned = len(personas.clustered), personas.counts()[UNASSIGNED]
    text = (f"**{k} personas** describe the {n:,} customers with at least {personas.min_orders} orders "
            f"({unassigned:,} customers with fewer stay unassigned){persona_coverage(n, n + unassigned)}; ")
    if personas.stability >= personas.threshold:
        text += f"the split reproduces with agreement {personas.stability:.2f} between subsamples"
        text += (f", while {k + 1} would not ({criterion[k + 1]:.2f}). " if k + 1 in criterion.index else ". ")
    else:
        text += (f"**no split reproduces**: the most stable, {k}, reaches agreement {personas.stability:.2f} between subsamples, "
                 f"below the {personas.threshold:.2f} required, so read these personas as a convenient grouping, not as "
                 "distinct kinds of customer. ")
    return text + " ".join(f"**{md(r.name)}** ({r.share:.0%}){': ' + md(r.dominant_reasons) if r.dominant_reasons else ''}."
                           for r in profiles.itertuples())


def _cross_sell_test(ds, cutoff: pd.Timestamp, orders: tuple[int, int], draft: Draft, text: list[str]):
    """The multi-category retention test with its findings and sentence (or the note why it cannot run).

    The finding is a headline only when the test is significant; the sentence's verdict follows the sign
    and the p-value of the gain, never assumes it.
    """
    try:
        multi = multi_category_retention(ds.transactions, ds.products, cutoff, *orders,
                                         customers=getattr(ds, "customers", None))
    except ValueError as exc:
        text.append(f"The multi-category test could not run: {md(exc)}.")
        return None
    significant = multi.p_value < 0.05
    draft.add("multi_category_effect", round(multi.difference, 4),
              "Retention gain of multi-category over single-category customers at equal order counts",
              headline=significant, unit="pp")
    draft.add("multi_category_effect_interval", [round(max(multi.low, -1.0), 4), round(min(multi.high, 1.0), 4)],
              "95% interval of the retention gain", unit="pp")
    draft.add("multi_category_p_value", multi.p_value, "p-value of the multi-category retention test (CMH)")
    verdict = ("**Multi-category customers retain better**" if significant and multi.difference > 0 else
               "**Multi-category customers retain worse**" if significant else _no_gain_verdict(multi.low, multi.high))
    joined = (f" who joined within the data ({multi.earlier_customers:,} earlier customers are left out: what they "
              "bought before the data begin is unknown)" if multi.earlier_customers else "")
    text.append(f"{verdict}: among {multi.n:,} customers{joined} with {orders[0]}-{orders[1]} "
                f"orders before {date_words(cutoff)}, {multi.multi_rate:.0%} of multi-category buyers bought again afterwards against "
                f"{multi.single_rate:.0%} of single-category buyers; at equal order counts the gain is "
                f"**{100 * multi.difference:+.1f} percentage points** (95% interval {100 * multi.low:+.1f} to {100 * multi.high:+.1f}, "
                f"p = {multi.p_value:.1g}, "
                f"{'significant' if significant else 'not significant'}).")
    return multi


#: The smallest retention gain (share, 0-1) worth acting on: a non-significant test whose 95% interval lies
#: within plus or minus this size rules out any practical difference; a wider one cannot tell.
PRACTICAL_RETENTION_GAIN = 0.02


def _no_gain_verdict(low: float, high: float, practical: float = PRACTICAL_RETENTION_GAIN) -> str:
    """The verdict of a non-significant multi-category test, worded from its 95% interval (shares, 0-1).

    When the interval excludes every gain or loss larger than ``practical``, the data show there is no difference
    larger than the interval's widest bound; otherwise the difference is *not measurable at this size*, which is
    not evidence of no effect (the sentence that follows gives the interval).
    """
    widest = max(abs(low), abs(high))
    if widest <= practical and high > low:   # a zero-width interval (everyone or no one bought again) says nothing
        return (f"**No retention difference larger than {100 * widest:.1f} percentage points** between multi- and "
                "single-category customers")
    return ("**The retention difference between multi- and single-category customers is not measurable at this "
            "size**")


def _backtest_text(ds, holdout_days: int, use_p_alive: bool, draft: Draft) -> tuple[object, str]:
    """The health-score back-test (None when the data are too short) and its sentence, which says how well the
    score separates who buys and, when the AUC is below :data:`~customer_workbook.segments.USEFUL_AUC`, not to use it."""
    tx = ds.transactions
    first_day, last_day = tx["date"].min(), tx["date"].max()
    days = backtest_holdout(first_day, last_day, holdout_days)
    if days is None:
        return None, (f"> **Not shown: the health-score back-test** because the data cover {(last_day - first_day).days} days; "
                      f"it needs at least {2 * MIN_HOLDOUT_DAYS} (a {MIN_HOLDOUT_DAYS}-day holdout after as much history).")
    products = ds.products if ds.has("products") and "product_id" in tx else None
    backtest = health_backtest(tx, products, ds.engagement, holdout_days=days, use_p_alive=use_p_alive)
    window = f"the next {days} days"
    shortened = (f" The holdout is {days} days, not `health_holdout_days` = {holdout_days}: the data cover "
                 f"{(last_day - first_day).days} days and the score needs as much history before the cut-off as after."
                 if days < holdout_days else "")
    if few := backtest.too_few:  # everyone, nobody or too few bought (or did not): no AUC to read
        return backtest, few.note("the health-score back-test")
    draft.add("health_auc", round(backtest.auc, 3), f"Health score AUC for buying in the {days} days after scoring")
    quality = ("separates" if backtest.auc >= 0.7 else "separates only partly" if backtest.useful else "barely separates")
    text = (f"Scored on {date_words(backtest.cutoff)}, the health score {quality} who bought in {window} "
            f"(AUC **{backtest.auc:.2f}**, 0.5 is chance)"
            + (f": {backtest.active_share_top:.0%} of the healthiest fifth bought, against {backtest.active_share_bottom:.0%} "
               "of the least healthy fifth." if pd.notna(backtest.active_share_top) and pd.notna(backtest.active_share_bottom)
               else "."))
    if not backtest.useful:
        text += f" Below AUC {USEFUL_AUC}, do not use the score to time offers or spot risk on these data."
    return backtest, text + shortened


def lifecycle_and_health(ds, customer_value, cross_sell_cutoff: str | None = None, cross_sell_orders: tuple[int, int] = (2, 4),
                         lover_min_per_year: float = 4, liker_min_per_year: float = 3, min_observed_weeks: float = 52,
                         holdout_days: int = 180) -> Section:
    """Section 6: lifecycle stages, the health score and its back-test, and multi-category retention.

    The cross-sell cutoff defaults to the middle of the data period. Gates: P(alive) enters the health score
    only when the customer-value fit passed (``customer_value.report.ok``); the back-test's holdout is at
    most half the data's span (:func:`~customer_workbook.segments.backtest_holdout`, at least 60 days of data);
    stages that cannot be measured (cross-sell without categories, advocacy without engagement) stay at 0% and say why.
    Results: ``rates`` (engagement per week, None without engagement), ``levels`` (advocacy pyramid level, None
    likewise), ``stages``, ``health``, ``multi``, ``backtest`` (None when the data are too short).
    """
    draft = Draft()
    features, tx = derived(ds).customers, ds.transactions
    first_day, last_day = tx["date"].min(), tx["date"].max()
    cutoff = pd.Timestamp(cross_sell_cutoff) if cross_sell_cutoff else (first_day + (last_day - first_day) / 2).normalize()
    p_alive = _p_alive_if_fitted(customer_value)
    rates = engagement_rates(ds.engagement, features, min_weeks=min_observed_weeks) if ds.has("engagement") else None
    levels = (advocacy_levels(rates, lover_min_per_year=lover_min_per_year, liker_min_per_year=liker_min_per_year)
              if rates is not None else None)
    health = health_score(features, p_alive, rates["events_per_week"] if rates is not None else None)
    stages = lifecycle_stages(features, levels)
    stage_shares = stages.value_counts(normalize=True, sort=False)
    if p_alive is not None:
        draft.add("p_alive_mean", round(float(p_alive.mean()), 3), "Mean probability a customer is still active", unit="share")
    draft.add("lifecycle_shares", {str(s): round(v, 4) for s, v in stage_shares.items()}, "Share of customers by lifecycle stage",
              headline=True, unit="share")
    show_model_fit(draft, customer_value, ds.transactions)   # held-out check of the purchase model
    backtest, backtest_text = _backtest_text(ds, holdout_days, p_alive is not None, draft)
    text = ["Stages: " + ", ".join(f"{md(s)} {v:.0%}" for s, v in stage_shares.items()) + "."]
    if "n_categories" not in features:
        text.append("Without product categories nobody can be placed in the cross-sell stage: it stays at 0%.")
    notes = [backtest_text] if backtest_text.startswith(">") else []
    text += [*([] if notes else [backtest_text]), f"P(alive): {customer_value.report.sentence()}" if p_alive is not None else
             "The customer-value model did not fit reliably, so P(alive) is left out of the health score and its mean is "
             f"not reported: {customer_value.report.sentence()}"]
    if levels is None:
        text.append("Without the `engagement` table nobody can be placed in the advocacy stage, and the score leaves engagement out.")
    multi = None
    if ds.has("products") and "product_id" in tx and "category" in ds.products:
        multi = _cross_sell_test(ds, cutoff, cross_sell_orders, draft, text)
    else:
        draft.skip("Multi-category retention", ["products"], "Product categories are needed to tell single- from multi-category buyers.")
    if multi is not None:
        draft.show(plots.plot_lifecycle(stage_shares, health.groupby(stages, observed=False)["health"].mean(), multi))
    draft.say(" ".join(text))
    for note in notes:
        draft.say(note)
    return draft.done(rates=rates, levels=levels, stages=stages, health=health, multi=multi, backtest=backtest)


def four_c_to_four_p_mix(profiles: pd.DataFrame, features: pd.DataFrame, personas, rates: pd.DataFrame | None) -> Section:
    """Section 9: each persona's four Cs measured and the four Ps they call for."""
    if not personas.found:
        return Section((personas.too_few.after("the 4C→4P mix", "the personas of section 5"),), results={"mix": None})
    draft = Draft()
    mix = four_c_to_four_p(profiles, features, personas.clustered, rates)
    draft.show(plots.styled_table(mix))
    draft.add("four_p_levers", {r.name: {"product": r._4, "price": r._6, "place": r._8, "promotion": r._10} for r in mix.itertuples()},
              "Marketing-mix levers per persona (4C to 4P)")
    draft.say("Each row reads left to right: what the persona needs (C) and what the firm can do about it (P). "
              + " ".join(f"For **{md(r.name)}**: {md(r._6)}." for r in mix.itertuples()))
    return draft.done(mix=mix)


def explore_groups(features: pd.DataFrame, scores, segments: pd.Series, personas, answers: pd.DataFrame | None,
                   interactive: bool) -> Section:
    """Section 10: the segment and persona explorer, or (batch runs) the RFM scores of every persona."""
    draft = Draft()
    if interactive:
        scored = features.loc[scores.table.index]  # customers with a paid purchase: the ones with RFM scores
        frame = scored[["orders", "revenue", "aov", "recency_days"]].assign(
            segment=segments, persona_name=personas.assignment.reindex(scored.index).to_numpy())
        draft.show(widgets.behaviour_explorer(frame, scores.table, answers))
    elif personas.found:  # without personas, section 5's note says this view is left out
        labels = personas.clustered
        draft.show(plots.plot_rfm_distribution(scores.table.loc[labels.index], labels.map(personas.names)))
    return draft.done()


def save_customer_labels(findings_file: Path, assignments_path: str | None, segments: pd.Series, personas,
                         lifecycle: Section) -> Section:
    """Save each customer's segment, persona, lifecycle stage, health and advocacy level (parquet).

    The file holds real customer ids, for the CRM: it goes to ``assignments_path`` or to the private
    folder beside the findings (:func:`customer_workbook.privacy.private_folder`), never into a report.
    """
    draft = Draft()
    labels = pd.DataFrame({"segment": segments})
    labels["persona"] = personas.labels.reindex(labels.index).to_numpy()
    labels["persona_name"] = personas.assignment.reindex(labels.index).fillna(UNASSIGNED).to_numpy()
    labels["stage"] = lifecycle["stages"]
    labels["health"] = lifecycle["health"]["health"].round(1)
    if lifecycle["levels"] is not None:
        labels["advocacy_level"] = lifecycle["levels"]
    target = (resolve_path(assignments_path) if assignments_path
              else columns_path(private_folder(findings_file), "01_behaviour"))
    target.parent.mkdir(parents=True, exist_ok=True)
    labels.reset_index().to_parquet(target, index=False)
    draft.say(f"Findings saved; per-customer labels for {len(labels):,} customers saved to the private "
              "folder beside the report (real customer ids, for the CRM; not linked from the reports).")
    return draft.done(labels=labels, path=target)
