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

from .. import plots, widgets
from ..advocacy import advocacy_levels, advocacy_overlap, engagement_rates, nps, nps_by_group
from ..base import derived
from ..escaping import md
from ..paths import resolve_path
from ..privacy import private_folder
from ..reasons import (bandwagon_evidence, bass_curve, delivery_repeat_curve, driver_importance, latest_answers,
                       product_adoption, reason_evidence, survey_drivers)
from ..segments import (cohort_retention, cohort_summary, four_c_to_four_p, health_backtest, health_score,
                        lifecycle_stages, multi_category_retention, persona_profiles, rfm_scores, rfm_segments,
                        segment_summary)
from .section import Draft, Section

__all__ = ["advocacy_pyramid", "do_customers_come_back", "does_behaviour_show_them", "explore_groups",
           "four_c_to_four_p_mix", "lifecycle_and_health", "net_promoter_score", "save_customer_labels", "the_data",
           "what_drives_loyalty", "what_drives_recommendation", "who_the_customers_are", "who_the_personas_are"]

#: Typical shares of the advocacy pyramid's levels, drawn beside the measured ones.
TYPICAL_PYRAMID = {"lurker": 0.9, "liker": 0.09, "lover": 0.01}


def the_data(ds) -> Section:
    """Set-up: the per-customer table and the survey's latest answers (None without surveys)."""
    draft = Draft()
    features = derived(ds).customers
    answers = latest_answers(ds.surveys) if ds.has("surveys") else None
    first_day, last_day = ds.transactions["date"].min(), ds.transactions["date"].max()
    draft.say(f"{len(features):,} customers with transactions from {first_day:%d %B %Y} to {last_day:%d %B %Y}.")
    return draft.done(features=features, answers=answers)


def who_the_customers_are(ds, n_bins: int = 5) -> Section:
    """Section 1: RFM scores, the segment map and each segment's share of customers and revenue."""
    draft = Draft()
    features = derived(ds).customers
    scores = rfm_scores(features, n_bins=n_bins)
    segments = rfm_segments(scores)
    table = segment_summary(segments, features["revenue"])
    draft.show(plots.plot_segment_map(scores.table, segments, table),
               plots.styled_table(table, {"customers": "{:,}", "customer_share": "{:.1%}", "revenue": "{:,.0f}",
                                          "revenue_share": "{:.1%}", "revenue_per_customer": "{:,.0f}"}))
    draft.add("segment_shares", {r.segment: round(r.customer_share, 4) for r in table.itertuples()},
              "Share of customers by RFM segment", headline=True, unit="share")
    draft.add("segment_revenue_shares", {r.segment: round(r.revenue_share, 4) for r in table.itertuples()},
              "Share of net revenue by RFM segment", unit="share")
    draft.add("rfm_scores_used", scores.scores_used, "RFM scores that occur (ties can leave some unused)")
    top = table.sort_values("revenue_share", ascending=False).iloc[0]
    unused_text = ("; ".join(f"{dim} never takes score {', '.join(map(str, u))} because many customers tie on the same value"
                             for dim, u in scores.unused().items() if u) or "every score level is used in all three dimensions")
    empty = table.loc[table["customers"] == 0, "segment"].tolist()
    largest = table.sort_values("customer_share", ascending=False).head(4)
    draft.say(f"**{md(top.segment)}** are {top.customer_share:.0%} of customers but bring **{top.revenue_share:.0%} of net revenue** "
              f"({top.revenue_per_customer:,.0f} per customer). "
              + ", ".join(f"{md(r.segment)} {r.customer_share:.0%}" for r in largest.itertuples())
              + f" are the largest segments. Ties: {unused_text}."
              + (f" Empty segments: {', '.join(map(md, empty))}." if empty else ""))
    return draft.done(scores=scores, segments=segments, table=table)


def do_customers_come_back(ds, months_shown: int = 24, months: tuple[int, ...] = (1, 3, 6, 12)) -> Section:
    """Section 2: retention of monthly acquisition cohorts (by sign-up month when the customers table has it)."""
    draft = Draft()
    acquisition = None
    if ds.has("customers") and "signup_date" in ds.customers:
        acquisition = ds.customers.set_index("customer_id")["signup_date"]
    retention = cohort_retention(ds.transactions, acquisition)
    summary = cohort_summary(retention, months=months)
    draft.show(plots.plot_cohort_retention(retention.table, max_months=months_shown))
    for r in summary.itertuples():
        draft.add(f"retention_month_{r.month}", None if pd.isna(r.retention) else round(r.retention, 4),
                  f"Share of a cohort buying in month {r.month} after acquisition (size-weighted)", unit="share")
    known = summary.dropna()
    basis = "sign-up month" if acquisition is not None else "first-purchase month"
    draft.say(f"{len(retention.table):,} monthly cohorts (by {basis}), {int(retention.cohort_size.sum()):,} customers. "
              + ("A cohort's share still buying falls to "
                 + ", ".join(f"**{r.retention:.0%} in month {r.month}**" for r in known.itertuples())
                 + " after acquisition." if len(known) else "The data are too short to follow cohorts.")
              + f" Blank cells are months after {retention.last_complete_month:%B %Y}, not yet observed.")
    return draft.done(retention=retention, summary=summary)


def what_drives_recommendation(answers: pd.DataFrame | None, n_boot: int = 200, seed: int = 0) -> Section:
    """Section 3: which stated reasons drive the intention to recommend (dominance analysis of NPS)."""
    draft = Draft()
    if answers is None or "nps" not in answers:
        draft.skip("Reasons to choose: driver analysis", ["surveys"])
        return draft.done(drivers=None)
    result = driver_importance(survey_drivers(answers), answers["nps"], n_boot=n_boot, seed=seed)
    drivers = result.table
    draft.show(plots.plot_importance_performance(drivers, "Reasons to choose: what drives recommendation (NPS)"),
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
    fourth, fifth = md(drivers.iloc[3]["driver"]), md(drivers.iloc[4]["driver"])
    separated = top3.iloc[2]["low"] - drivers.iloc[3]["high"] > 0
    draft.say(f"Of the ten reasons, **{', '.join(map(md, top3['driver']))}** drive recommendation most: together they account for "
              f"{top3['share'].sum():.0%} of the variance the reasons explain (R² {result.r2:.2f}, {result.n:,} respondents). "
              + (f"The third reason's interval lies above the fourth's ({fourth}), so the top three are clearly separated."
                 if separated else f"The intervals of the third and fourth reasons ({fourth}) overlap: their order is not certain.")
              + f" Reasons that correlate with a driver but add little of their own, such as {fourth} and "
              f"{fifth}, rank lower here than their simple correlations suggest.")
    return draft.done(drivers=result)


def what_drives_loyalty(ds, answers: pd.DataFrame | None, customer_value, drivers=None, n_boot: int = 200,
                        seed: int = 0) -> Section:
    """Section 3, loyalty: which stated reasons go with behavioural loyalty (the health score).

    ``customer_value`` is the run's :func:`customer_workbook.clv.score_customers`; ``drivers`` the
    :class:`~customer_workbook.reasons.DriverImportance` of recommendation, to say which reasons drive both.
    """
    draft = Draft()
    if answers is None:
        draft.skip("Reasons to choose: loyalty drivers", ["surveys"])
        return draft.done(drivers=None)
    loyalty = health_score(derived(ds).customers, customer_value.table["p_alive"])["health"]
    result = driver_importance(survey_drivers(answers), loyalty, n_boot=n_boot, seed=seed)
    table = result.table
    draft.show(plots.styled_table(table[["driver", "rank", "importance", "low", "high", "correlation"]],
                                  {"importance": "{:.4f}", "low": "{:.4f}", "high": "{:.4f}", "correlation": "{:.2f}"}))
    draft.add("loyalty_top_drivers", {r.driver: round(r.importance, 5) for r in table.head(3).itertuples()},
              "Top three reasons going with behavioural loyalty (health score)")
    shared = set(table.head(3)["driver"]) & set(drivers.table.head(3)["driver"]) if drivers is not None else set()
    draft.say(f"For staying, the leading reasons are **{', '.join(map(md, table.head(3)['driver']))}** "
              f"(R² {result.r2:.3f}: the survey explains little of who stays). "
              + (f"{', '.join(map(md, sorted(shared)))} drive{'s' if len(shared) == 1 else ''} both recommendation and loyalty."
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
              "Change in 90-day repeat rate per extra delivery day", unit="share")
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
        text.append(f"Of {len(bandwagon)} launches fitted, {(bandwagon['q_over_p'] > 1).sum()} show a bandwagon (q > p); the strongest, "
                    f"{md(strongest['product_id'])}, has q/p = {strongest['q_over_p']:.0f} and its adoption peaked "
                    f"{strongest['peak_week']} weeks after launch.")
    if curve is not None:
        fast, slow = curve.table.iloc[:3], curve.table[curve.table["delivery_days"] >= 7]
        if len(slow):
            text.append(f"Orders delivered in 7 days or more are followed by another order within 90 days "
                        f"{(slow['repeat_rate'] * slow['orders']).sum() / slow['orders'].sum():.0%} of the time, against "
                        f"{(fast['repeat_rate'] * fast['orders']).sum() / fast['orders'].sum():.0%} for deliveries within 2 days.")
    text.append("Personalisation, sympathy and marketing & packaging leave no trace in the contract's tables, so they rest on the survey alone.")
    draft.say(" ".join(text))
    return draft.done(evidence=evidence, bandwagon=bandwagon, delivery=curve)


def who_the_personas_are(personas, features: pd.DataFrame, answers: pd.DataFrame | None) -> Section:
    """Section 5: how many personas reproduce, what sets each apart and its profile.

    ``personas`` is the run's :func:`customer_workbook.segments.find_personas`.
    """
    draft = Draft()
    labels, names, k = personas.clustered, personas.names, personas.k
    profiles = persona_profiles(features, labels, names, answers)
    cols = [c for c in ["persona", "name", "share", "revenue_share", "problem", "pain_points", "demographics", "goals",
                        "dominant_reasons", "behaviour", "nps"] if c in profiles]
    draft.show(plots.plot_k_selection(personas.criterion, personas.threshold),
               plots.plot_persona_heatmap(personas.centres, names),
               plots.styled_table(profiles[cols], {"share": "{:.0%}", "revenue_share": "{:.0%}", "nps": "{:+.0f}"}))
    draft.add("persona_count", int(k), "Number of personas (largest reproducible split)", headline=True)
    draft.add("persona_shares", {r.name: round(r.share, 4) for r in profiles.itertuples()}, "Share of clustered customers by persona", unit="share")
    draft.add("persona_stability", round(personas.stability, 3), "Agreement of persona splits between subsamples (ARI)")
    draft.add("persona_reasons", {r.name: r.dominant_reasons for r in profiles.itertuples()}, "Dominant reasons to choose by persona")
    draft.add("persona_counts", personas.counts(), "Customers per persona (unassigned: fewer than 2 orders)")
    draft.add("persona_assignment", personas.fingerprint(), "Fingerprint of every customer's persona (equal in notebooks 01, 03, 04, 05)")
    next_k = personas.criterion.set_index("k")["stability"].get(k + 1, float("nan"))
    draft.say(f"**{k} personas** describe the {len(labels):,} customers with at least {personas.min_orders} orders "
              f"({personas.counts()['unassigned']:,} customers with fewer stay unassigned); the split reproduces with agreement "
              f"{personas.stability:.2f} between subsamples, while {k + 1} would not ({next_k:.2f}). "
              + " ".join(f"**{md(r.name)}** ({r.share:.0%}){': ' + md(r.dominant_reasons) if r.dominant_reasons else ''}."
                         for r in profiles.itertuples()))
    return draft.done(profiles=profiles)


def _cross_sell_test(ds, cutoff: pd.Timestamp, orders: tuple[int, int], draft: Draft, text: list[str]):
    """The multi-category retention test with its findings and sentence (or the note why it cannot run)."""
    if not (ds.has("products") and "product_id" in ds.transactions and "category" in ds.products):
        return None
    try:
        multi = multi_category_retention(ds.transactions, ds.products, cutoff, *orders)
    except ValueError as exc:
        text.append(f"The multi-category test could not run: {md(exc)}.")
        return None
    draft.add("multi_category_effect", round(multi.difference, 4),
              "Retention gain of multi-category over single-category customers at equal order counts", headline=True, unit="share")
    draft.add("multi_category_effect_interval", [round(multi.low, 4), round(multi.high, 4)], "95% interval of the retention gain")
    draft.add("multi_category_p_value", multi.p_value, "p-value of the multi-category retention test (CMH)")
    verdict = "significant" if multi.p_value < 0.05 else "not significant"
    text.append(f"**Multi-category customers retain better**: among {multi.n:,} customers with {orders[0]}-{orders[1]} "
                f"orders before {cutoff:%d %B %Y}, {multi.multi_rate:.0%} of multi-category buyers bought again afterwards against "
                f"{multi.single_rate:.0%} of single-category buyers; at equal order counts the gain is **{multi.difference:+.1%}** "
                f"(95% interval {multi.low:+.1%} to {multi.high:+.1%}, p = {multi.p_value:.1g}, {verdict}).")
    return multi


def lifecycle_and_health(ds, customer_value, cross_sell_cutoff: str | None = None, cross_sell_orders: tuple[int, int] = (2, 4),
                         lover_min_per_year: float = 4, liker_min_per_year: float = 3, min_observed_weeks: float = 52,
                         holdout_days: int = 180) -> Section:
    """Section 6: lifecycle stages, the health score and its back-test, and multi-category retention.

    The cross-sell cutoff defaults to the middle of the data period. Results: ``rates`` (engagement per
    week, None without engagement), ``levels`` (advocacy pyramid level, None likewise), ``stages``, ``health``.
    """
    draft = Draft()
    features, tx = derived(ds).customers, ds.transactions
    first_day, last_day = tx["date"].min(), tx["date"].max()
    cutoff = pd.Timestamp(cross_sell_cutoff) if cross_sell_cutoff else (first_day + (last_day - first_day) / 2).normalize()
    p_alive = customer_value.table["p_alive"]
    rates = engagement_rates(ds.engagement, features, min_weeks=min_observed_weeks) if ds.has("engagement") else None
    levels = (advocacy_levels(rates, lover_min_per_year=lover_min_per_year, liker_min_per_year=liker_min_per_year)
              if rates is not None else None)
    health = health_score(features, p_alive, rates["events_per_week"] if rates is not None else None)
    stages = lifecycle_stages(features, levels)
    stage_shares = stages.value_counts(normalize=True, sort=False)
    draft.add("p_alive_mean", round(float(p_alive.mean()), 3), "Mean probability a customer is still active", unit="share")
    draft.add("lifecycle_shares", {str(s): round(v, 4) for s, v in stage_shares.items()}, "Share of customers by lifecycle stage",
              headline=True, unit="share")
    products = ds.products if ds.has("products") and "product_id" in tx else None
    backtest = health_backtest(tx, products, ds.engagement, holdout_days=holdout_days)
    draft.add("health_auc", round(backtest.auc, 3), f"Health score AUC for buying in the {holdout_days} days after scoring")
    text = ["Stages: " + ", ".join(f"{md(s)} {v:.0%}" for s, v in stage_shares.items()) + ".",
            f"Scored on {backtest.cutoff:%d %B %Y}, the health score separates who bought in the next {holdout_days} days "
            f"with AUC **{backtest.auc:.2f}**: {backtest.active_share_top:.0%} of the healthiest fifth bought, against "
            f"{backtest.active_share_bottom:.0%} of the least healthy fifth.",
            f"P(alive): {customer_value.report.sentence()}"]
    if levels is None:
        text.append("Without the `engagement` table nobody can be placed in the advocacy stage, and the score leaves engagement out.")
    multi = _cross_sell_test(ds, cutoff, cross_sell_orders, draft, text)
    if multi is not None:
        draft.show(plots.plot_lifecycle(stage_shares, health.groupby(stages, observed=False)["health"].mean(), multi))
    else:
        draft.skip("Multi-category retention", ["products"], "Product categories are needed to tell single- from multi-category buyers.")
    draft.say(" ".join(text))
    return draft.done(rates=rates, levels=levels, stages=stages, health=health, multi=multi, backtest=backtest)


def advocacy_pyramid(ds, levels: pd.Series | None, rates: pd.DataFrame | None, customer_value) -> Section:
    """Section 7: the advocacy pyramid, and how advocacy overlaps with spending and with loyalty."""
    draft = Draft()
    if levels is None:
        draft.skip("Advocacy pyramid", ["engagement"])
        return draft.done()
    features = derived(ds).customers
    shares = levels.value_counts(normalize=True, sort=False)
    draft.add("advocacy_shares", {str(t): round(v, 4) for t, v in shares.items()}, "Advocacy pyramid: share of customers per level",
              headline=True, unit="share")
    draft.show(plots.plot_advocacy_pyramid(shares, TYPICAL_PYRAMID))
    o = advocacy_overlap(levels, features["revenue"], rates, loyalty=health_score(features, customer_value.table["p_alive"])["health"])
    for key in ("top_spenders_lover_share", "top_spenders_liker_or_lover_share", "lovers_in_top_spenders", "top_overlap",
                "loyal_lurker_share"):
        draft.add(key, round(getattr(o, key), 4), key.replace("_", " ").capitalize(), unit="share")
    draft.add("spearman_revenue_advocacy", round(o.spearman_revenue_advocacy, 3), "Rank correlation of revenue with advocacy")
    lovers = int((levels == "lover").sum())
    draft.say(f"**{shares['lurker']:.1%} lurkers, {shares['liker']:.1%} likers and {shares['lover']:.1%} lovers** "
              f"({lovers:,} customers). **Loyalty is not advocacy:** of the 10% most loyal customers (health score without engagement), "
              f"{o.loyal_lurker_share:.0%} are lurkers. **Top spenders are not top advocates:** in the top spending decile only "
              f"{o.top_spenders_lover_share:.1%} are lovers and {o.top_spenders_liker_or_lover_share:.0%} likers or lovers "
              f"(base rates {o.base_lover_share:.1%} and {o.base_liker_or_lover_share:.0%}); only "
              f"{o.lovers_in_top_spenders:.0%} of lovers are top spenders, {o.top_overlap:.0%} of top spenders are also "
              f"top-decile advocates, and the rank correlation of revenue with advocacy is {o.spearman_revenue_advocacy:.2f}. "
              f"Moving {lovers:,} likers up to lovers (about {lovers / max(int((levels == 'liker').sum()), 1):.0%} of likers) would double "
              f"the lovers to {2 * lovers:,}.")
    return draft.done(overlap=o)


def net_promoter_score(answers: pd.DataFrame | None, segments: pd.Series, personas, levels: pd.Series | None) -> Section:
    """Section 8: NPS overall and by RFM segment, persona and advocacy level, with Holm-adjusted tests."""
    draft = Draft()
    if answers is None or "nps" not in answers:
        draft.skip("Net Promoter Score", ["surveys"])
        return draft.done()
    overall = nps(answers["nps"])
    persona_names = pd.Series(personas.assignment.reindex(segments.index).to_numpy(), index=segments.index)
    tables = {"RFM segment": nps_by_group(answers["nps"], segments),
              "persona": nps_by_group(answers["nps"], persona_names.dropna().astype("category"))}
    if levels is not None:
        tables["advocacy level"] = nps_by_group(answers["nps"], levels)
    draft.show(plots.plot_nps_forest(tables, overall))
    draft.add("nps", round(overall.nps, 2), "Net Promoter Score (points)", headline=True)
    draft.add("nps_interval", [round(overall.low, 2), round(overall.high, 2)], "95% interval of the NPS (points)", headline=True)
    draft.add("nps_by_persona", {r.group: round(r.nps, 1) for r in tables["persona"].itertuples()}, "NPS by persona (points)")
    draft.add("nps_by_segment", {r.group: round(r.nps, 1) for r in tables["RFM segment"].itertuples()}, "NPS by RFM segment (points)")
    not_sig = [f"{title}: {g}" for title, t in tables.items() for g in t.loc[~t["significant"], "group"]]
    draft.add("nps_not_significant", not_sig, "Groups whose NPS is not significantly different from the rest")
    by_persona = tables["persona"].sort_values("nps")
    draft.say(f"Overall **NPS {overall.nps:+.1f}** (95% interval {overall.low:+.1f} to {overall.high:+.1f}; "
              f"{overall.promoters:.0%} promoters, {overall.detractors:.0%} detractors, {overall.n:,} respondents). "
              f"By persona it ranges from {by_persona.iloc[0]['nps']:+.0f} ({md(by_persona.iloc[0]['group'])}) to "
              f"{by_persona.iloc[-1]['nps']:+.0f} ({md(by_persona.iloc[-1]['group'])}). "
              + (f"Not significantly different from the rest, so not to be read as real differences: {', '.join(map(md, not_sig))}."
                 if not_sig else "Every group differs significantly from the rest."))
    return draft.done(overall=overall, tables=tables)


def four_c_to_four_p_mix(profiles: pd.DataFrame, features: pd.DataFrame, personas, rates: pd.DataFrame | None) -> Section:
    """Section 9: each persona's four Cs measured and the four Ps they call for."""
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
        frame = features[["orders", "revenue", "aov", "recency_days"]].assign(
            segment=segments, persona_name=personas.assignment.reindex(features.index).to_numpy())
        draft.show(widgets.behaviour_explorer(frame, scores.table, answers))
    else:
        labels = personas.clustered
        draft.show(plots.plot_rfm_distribution(scores.table.loc[labels.index], labels.map(personas.names),
                                               title="RFM scores by persona"))
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
    labels["persona_name"] = personas.assignment.reindex(labels.index).to_numpy()
    labels["stage"] = lifecycle["stages"]
    labels["health"] = lifecycle["health"]["health"].round(1)
    if lifecycle["levels"] is not None:
        labels["advocacy_level"] = lifecycle["levels"]
    target = resolve_path(assignments_path) if assignments_path else private_folder(findings_file) / "01_behaviour.customers.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    labels.reset_index().to_parquet(target, index=False)
    draft.say(f"Findings saved; per-customer labels for {len(labels):,} customers saved to the private "
              "folder beside the report (real customer ids, for the CRM; not linked from the reports).")
    return draft.done(labels=labels, path=target)
