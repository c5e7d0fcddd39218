"""Notebook 02, relevant changes: one function per section, each returning the :class:`Section` it shows.

:func:`prepare` builds the inputs every section shares (weekly calendar, unit records per metric, market
events, customer groups) once; the sections then detect, test, attribute and register the changes.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import changes as ch
from ..findings import date_words
from ..base import derived
from ..data import Dataset
from ..decisions import Decision
from ..escaping import md
from ..plots import plot_change_panels, plot_channel_ramp, plot_shares_over_time, plot_who_changed, styled_table
from ..value_unit import MONEY, value_columns, value_noun, value_unit
from .decision import decision_section
from .section import Draft, Section

__all__ = ["ChangeInputs", "MetricExplorer", "change_points", "change_register", "channel_shift", "decision",
           "metric_explorer", "penalty_sensitivity", "period_comparison", "prepare", "quarter_vs_last_year", "quiet_events",
           "stricter_search", "stricter_sentence", "watch_list", "who_changed"]

#: Series drawn in the change-point panels, in this order, when the data have them (kept changes are added).
PANEL_METRICS = ("orders", "active_customers", "avg_basket", "delivery_days", "nps", "sat_speed", "sat_pricing",
                 "competitor_price_index")
_CHANGE_FORMATS = {"before": "{:,.3g}", "after": "{:,.3g}", "change": "{:+.3g}", "ci_low": "{:+.3g}",
                   "ci_high": "{:+.3g}", "p_adj": "{:.2g}"}


@dataclass(frozen=True)
class ChangeInputs:
    """What every section of step 2 reads: the full weeks, the run's order table, the unit records of each
    metric (:func:`changes.metric_records`), the market events and the observable customer groups."""

    weeks: pd.DatetimeIndex
    orders: pd.DataFrame
    records: dict[str, pd.DataFrame]
    events: pd.DataFrame
    segments: pd.DataFrame
    value_unit: str = MONEY  # what amounts measure (``Dataset.value_unit``): purchases without a revenue column


def prepare(ds: Dataset, discount_share: float = 0.4) -> ChangeInputs:
    """The inputs of step 2; ``discount_share`` is the share of discounted lines that makes a customer a
    high discount user (:func:`changes.customer_segments`)."""
    tables = derived(ds)
    return ChangeInputs(weeks=tables.full_weeks, orders=tables.orders,
                        records=ch.metric_records(ds), events=ch.market_events(ds),
                        segments=ch.customer_segments(ds, discount_share=discount_share), value_unit=value_unit(ds))


def watch_list(ds: Dataset, inputs: ChangeInputs) -> Section:
    """Section 1: the weekly metrics watched, and what is missing without the optional tables."""
    draft, weeks = Draft(), inputs.weeks
    watch = ch.watch_list(inputs.records)
    watch = watch.assign(unit=watch["unit"].str.replace(MONEY, inputs.value_unit, regex=False))
    draft.show(styled_table(watch, {"records": "{:,}"}))
    draft.add("metrics_watched", watch["metric"].tolist(), "Metrics watched for changes")
    span = (f"({date_words(weeks[0])} to {date_words(weeks[-1] + pd.Timedelta(days=6))})" if len(weeks)
            else "(the data cover no full week)")
    draft.say(f"**{len(watch)} weekly metrics** are watched over **{len(weeks)} full weeks** {span}.")
    for table, section in (("surveys", "NPS and satisfaction items"), ("market", "Competitor price index"),
                           ("customers", "New customers by acquisition channel")):
        if not ds.has(table):
            draft.skip(section, [table])
    return draft.done()


def change_points(inputs: ChangeInputs, penalty_scale: float, min_segment_weeks: int, window_weeks: int,
                  alpha: float) -> Section:
    """Section 2: candidate change points of every series, drawn with the market events."""
    draft = Draft()
    detection = ch.detect_all(inputs.records, inputs.weeks, penalty_scale=penalty_scale,
                              min_size=min_segment_weeks, window=window_weeks, alpha=alpha)
    results, breaks = detection.results, detection.breaks
    keys = list(PANEL_METRICS)
    keys += [k for k in breaks.loc[breaks["flagged"], "metric"].unique() if k not in keys]
    draft.show(plot_change_panels(ch.panels_for(results, breaks, keys), inputs.events))
    draft.add("penalty_rule", "3 x robust weekly noise variance x (1+rho)/(1-rho) x log(weeks), times "
              f"{penalty_scale:g}", "Change-point penalty rule")
    draft.add("change_points", {k: [f"{d:%Y-%m-%d}" for d in cp.dates] for k, cp in results.items()},
              "Change points found per metric (before significance checks)")
    draft.add("false_alarm_rate", ch.FALSE_ALARM_RATE, "Share of series without any change in which the penalty "
              "rule still finds a change point (measured on simulated weekly noise)", unit="share")
    draft.say(f"On simulated weekly noise without any change, this penalty rule finds a change point in about "
              f"**{100 * ch.FALSE_ALARM_RATE:.0f} in 100 series** when the noise is correlated from week to week, "
              f"and in {100 * ch.FALSE_ALARM_RATES['white']:.1f} in 100 when it is not. Section 3 then tests every "
              "candidate, allowing for the search and for the many series.")
    with_breaks = sum(1 for cp in results.values() if cp.breaks)
    if len(inputs.weeks) < 2 * min_segment_weeks:
        draft.say(f"> **Not shown: change points** because a change needs at least {min_segment_weeks} full weeks "
                  f"on each side (`min_segment_weeks`), {2 * min_segment_weeks} in all; the data cover "
                  f"{ch.counted(len(inputs.weeks), 'full week')}. Load a longer history or lower `min_segment_weeks`.")
    else:
        draft.say(f"The detector found **no candidate change point** in any of the {len(results)} series."
                  if breaks.empty else
                  f"The detector found **{ch.counted(len(breaks), 'candidate change point')}** in {with_breaks} of "
                  f"{len(results)} series. Section 3 checks {'whether it is' if len(breaks) == 1 else 'which are'} "
                  "real and large enough.")
    unsearched = [ch.metric_info(k).label for k, cp in results.items() if not cp.searched]
    if unsearched and len(inputs.weeks) >= 2 * min_segment_weeks:
        draft.say(f"> **Not searched: {', '.join(map(md, unsearched))}** because a series needs at least "
                  f"{ch.MIN_SEARCH_WEEKS} weeks with data (and some variation) to measure its noise; these have "
                  "fewer. More records or a longer period would let them be watched.")
    unadjusted = _unadjusted_labels(results)
    if unadjusted:
        draft.say(f"> **Seasonality not removed** from {', '.join(map(md, unadjusted))}: month-of-year effects need at "
                  f"least {ch.SEASONAL_MIN_WEEKS} full weeks (two years, so every month is seen twice) and the data "
                  f"cover {len(inputs.weeks)}. Only a straight-line trend was removed, so a change in these series "
                  "may be the usual seasonal rhythm.")
    return draft.done(results=results, breaks=breaks)


def _unadjusted_labels(results: dict) -> list[str]:
    """Labels of the seasonal metrics whose seasonality could not be removed (too short a history)."""
    return [ch.metric_info(k).label for k, cp in results.items()
            if ch.metric_info(k).seasonal and not cp.seasonal_removed]


def penalty_sensitivity(inputs: ChangeInputs, min_segment_weeks: int) -> Section:
    """How many change points each series has when the penalty is halved, kept, doubled or quadrupled."""
    draft = Draft()
    sens = ch.sensitivity_table(inputs.records, inputs.weeks, min_size=min_segment_weeks)
    draft.show(styled_table(sens))
    draft.add("penalty_sensitivity", {r["metric"]: {c: int(r[c]) for c in sens.columns[1:]}
                                      for _, r in sens.iterrows()}, "Change points per metric at penalty multipliers")
    draft.say(f"With half the penalty the detector finds {int(sens['x0.5'].sum())} change points in all; "
              f"with the default {int(sens['x1'].sum())}; doubled, {int(sens['x2'].sum())}.")
    return draft.done()


def stricter_search(results: Mapping[str, ch.ChangePoints], breaks: pd.DataFrame, scale: float = 2.0,
                    min_segment_weeks: int = 4, tolerance_weeks: int = ch.BREAK_DATE_WEEKS) -> pd.DataFrame:
    """The kept change points (``breaks["flagged"]``, the register's change points) searched for again with the
    penalty ``scale`` times the run's, each reported at its own date, the one the register shows.

    Every series is searched again (:func:`changes.optimal_partition`) on the run's own seasonally adjusted
    values (``results[metric].adjusted``, the blue line of section 2) with ``scale`` times its penalty, so only the
    penalty changes: a fresh run would also refit the seasonal profile around fewer breaks, which can move every
    date and leave nothing to compare with the register. A kept change *survives* when the stricter search still
    finds a change point in its series within ``tolerance_weeks`` of its date (a break's date is uncertain by
    about that much, :data:`changes.BREAK_DATE_WEEKS`).

    Returns
    -------
    DataFrame
        One row per kept change point, in the order of ``breaks``: ``metric``, ``label``, ``date`` (the run's
        date) and ``survives`` (bool).
    """
    kept = breaks.loc[breaks["flagged"].astype(bool), ["metric", "label", "date"]].reset_index(drop=True)
    found: dict[str, pd.DatetimeIndex] = {}
    for key in kept["metric"].unique():
        cp = results[key]
        values = np.where(cp.weight > 0, np.nan_to_num(cp.adjusted), 0.0)
        found[key] = cp.weeks[ch.optimal_partition(values, cp.weight, scale * cp.penalty, min_size=min_segment_weeks)]
    tolerance = pd.Timedelta(weeks=tolerance_weeks)
    survives = [bool(len(found[m]) and (abs(found[m] - d) <= tolerance).any())
                for m, d in zip(kept["metric"], kept["date"])]
    return kept.assign(survives=pd.Series(survives, index=kept.index, dtype=bool))


def stricter_sentence(strict: pd.DataFrame, scale: float = 2.0) -> str:
    """What :func:`stricter_search` found with the penalty ``scale`` times the run's, in words: how many kept change
    points are still found, which (at the register's dates) and which are no longer found."""
    n, k = len(strict), int(strict["survives"].sum()) if len(strict) else 0
    if not n:
        return "No change point was kept, so there is none to test with a stricter penalty."

    def listed(rows: pd.DataFrame) -> str:
        return ", ".join(f"{md(r.label)} ({date_words(r.date)})" for r in rows.itertuples())

    stricter = "doubled" if scale == 2 else f"{scale:g} times as high"
    if n == 1:
        return (f"With the penalty {stricter}, the only kept change point, {listed(strict)}, is "
                f"{'still' if k else 'no longer'} found.")
    if k == n:
        head = f"all {n} kept change points are still found"
    elif not k:
        head = f"none of the {n} kept change points is still found"
    else:
        head = f"{k} of the {n} kept change points {'is' if k == 1 else 'are'} still found"
    survivors, lost = strict[strict["survives"]], strict[~strict["survives"]]
    return (f"With the penalty {stricter}, {head}" + (f": {listed(survivors)}." if k else ".")
            + (f" No longer found: {listed(lost)}." if k < n else ""))


def period_comparison(breaks: pd.DataFrame) -> Section:
    """Section 3: each candidate tested before against after, for significance, size and persistence."""
    draft = Draft()
    shown = breaks.assign(date=pd.to_datetime(breaks["date"]).dt.date)[
        ["label", "date", "before", "after", "change", "ci_low", "ci_high", "change_unit", "p_adj", "significant",
         "practical", "temporary", "flagged"]]
    draft.show(styled_table(shown, _CHANGE_FORMATS))
    n_sig = int(breaks["significant"].sum())
    n_small = int((breaks["significant"] & ~breaks["practical"]).sum())
    n_temp = int((breaks["significant"] & breaks["practical"] & breaks["temporary"]).sum())
    n_kept = int(breaks["flagged"].sum())
    draft.add("n_candidate_breaks", len(breaks), "Candidate change points")
    draft.add("n_significant_breaks", n_sig, "Candidates significant after correction")
    draft.add("n_too_small", n_small, "Significant but below the practical threshold")
    draft.add("n_temporary", n_temp, "Significant but temporary episodes")
    draft.add("n_kept_breaks", n_kept, "Change points kept", headline=True)
    if breaks.empty:
        draft.say("No series has a candidate change point, so there is nothing to test.")
        return draft.done()
    draft.say(f"Of {ch.counted(len(breaks), 'candidate')}, **{n_sig} {'is' if n_sig == 1 else 'are'} significant** "
              f"after the correction; {n_small} of those {'is' if n_small == 1 else 'are'} too small to matter and "
              f"{ch.counted(n_temp, 'is a temporary episode', 'are temporary episodes')}, which leaves "
              f"**{ch.counted(n_kept, 'lasting change')}**.")
    return draft.done()


def quarter_vs_last_year(inputs: ChangeInputs, alpha: float) -> Section:
    """The latest 13 weeks against the same 13 weeks a year earlier, for every metric."""
    draft = Draft()
    yoy = ch.quarter_vs_last_year(inputs.records, inputs.weeks, alpha=alpha)
    if yoy.empty:
        draft.say(f"> **Not shown: this quarter against the same quarter last year** because it needs at least "
                  f"{52 + 13} full weeks (a year plus a quarter); the data cover "
                  f"{ch.counted(len(inputs.weeks), 'full week')}.")
        return draft.done(yoy=yoy)
    draft.show(styled_table(yoy[["label", "before", "after", "change", "ci_low", "ci_high", "change_unit",
                                 "hedges_g", "p_adj", "significant", "practical", "flagged"]],
                            {**_CHANGE_FORMATS, "hedges_g": "{:+.2f}"}))
    moved = yoy.loc[yoy["flagged"], "label"].tolist()
    draft.add("quarter_vs_last_year_flagged", moved, "Metrics that moved against the same quarter last year")
    draft.add("quarter_vs_last_year_not_practical", yoy.loc[yoy["significant"] & ~yoy["practical"], "label"].tolist(),
              "Significant against last year but too small to matter")
    draft.say(f"Against the same quarter last year ({yoy['period'].iloc[0]}), "
              + (f"**{', '.join(map(md, moved))}** moved by more than the practical threshold."
                 if moved else "no metric moved by more than its practical threshold."))
    return draft.done(yoy=yoy)


def who_changed(inputs: ChangeInputs, breaks: pd.DataFrame, alpha: float) -> Section:
    """Section 4: the group of customers that drives each significant lasting change (kept or below the
    practical threshold), and the revenue at stake.

    A change too small overall is kept when one group moved significantly by more than the practical
    threshold against the rest (:func:`promoted`): it matters for that group."""
    draft = Draft()
    counts = ch.channel_weekly(inputs.orders, inputs.weeks) if "channel" in inputs.orders else None
    ramps = ch.channel_ramps(counts)
    asked = breaks[breaks["significant"] & ~breaks["temporary"]]  # "for whom" for every significant change
    attribution = ch.attribute_changes(asked, ramps, inputs.records, inputs.segments, inputs.weeks, inputs.orders,
                                       alpha=alpha)
    small = asked[~asked["flagged"]]
    lifted = promoted(small, attribution.drivers)
    kept = pd.concat([breaks[breaks["flagged"]], lifted]) if len(lifted) else breaks[breaks["flagged"]]
    kept, attribution, group_only = _with_group_only(inputs, breaks, kept, ramps, attribution, alpha)
    draft.add("affected_groups", {f"{k[0]} {k[1]:%Y-%m-%d}": (d.label if d else "all customers")
                                  for k, d in attribution.drivers.items()}, "Group driving each change")
    draft.add("small_changes_for_whom", {f"{r['metric']} {r['date']:%Y-%m-%d}": (
        attribution.drivers[(r["metric"], r["date"])].label if attribution.drivers.get((r["metric"], r["date"]))
        else "no group") for _, r in small.iterrows()},
        "Significant changes below the practical threshold: the group that moved")
    draft.add("n_kept_for_a_group", len(lifted), "Changes too small overall but large for one group")
    draft.add("group_only_changes", {f"{r['metric']} {r['date']:%Y-%m-%d}": attribution.drivers[(r["metric"], r["date"])]
                                     .label for _, r in group_only.iterrows()},
              "Survey metrics that moved for one group only, at the date of a change: the group")
    if not attribution.tables:
        draft.say("No significant lasting change was found, so there is no group to attribute.")
    else:
        lead = attribution.lead
        if not attribution.tables[lead].empty:
            draft.show(plot_who_changed(attribution.tables[lead],
                                        f"{ch.change_label(lead[0])}, {date_words(lead[1])}",
                                        "excess change against all other customers (relative for counts)"))
        draft.say("\n".join(ch.driver_sentence(k[0], k[1], d) + _overall_note(k, small, group_only)
                            for k, d in attribution.drivers.items()))
        if len(lifted):
            draft.say(f"{ch.counted(len(lifted), 'change')} below the practical threshold for all customers "
                      f"{'is' if len(lifted) == 1 else 'are'} large for one group, so the register keeps "
                      f"{'it' if len(lifted) == 1 else 'them'}: " + "; ".join(
                          f"{md(r['label'])} ({date_words(r['date'])})" for _, r in lifted.iterrows()) + ".")
        if len(group_only):
            draft.say(f"{ch.counted(len(group_only), 'survey metric')} moved inside one group only, at the date of "
                      "a change found above: all customers' series did not break, because the other customers "
                      "stayed put or moved the other way. The register counts "
                      f"{'it' if len(group_only) == 1 else 'them'} with that change.")
    return draft.done(counts=counts, ramps=ramps, kept=kept, attribution=attribution)


def _overall_note(key: tuple, small: pd.DataFrame, group_only: pd.DataFrame) -> str:
    """What all customers did for a change whose group is named: below the threshold, or no break at all."""
    def has(table: pd.DataFrame) -> bool:
        return bool(len(table) and ((table["metric"] == key[0]) & (table["date"] == key[1])).any())
    if has(group_only):
        return " (this group only: all customers' series did not break)"
    return " (below the practical threshold overall)" if has(small) else ""


def _with_group_only(inputs: ChangeInputs, breaks: pd.DataFrame, kept: pd.DataFrame, ramps: pd.DataFrame,
                     attribution: ch.Attribution, alpha: float) -> tuple[pd.DataFrame, ch.Attribution, pd.DataFrame]:
    """The kept changes with the survey metrics that moved for one group only at their dates
    (:func:`changes.group_only_changes`), the attribution with those groups, and those rows alone."""
    dates = [*kept["date"], *(ramps["launch"] if len(ramps) else [])]
    rows, drivers, tables = ch.group_only_changes(inputs.records, inputs.segments, inputs.weeks, dates, breaks,
                                                  alpha=alpha)
    if rows.empty:
        return kept, attribution, rows
    attribution = ch.Attribution(drivers={**attribution.drivers, **drivers}, impacts=attribution.impacts,
                                 tables={**attribution.tables, **tables}, at_stake=attribution.at_stake)
    # marked, so the register names the group and its change rather than all customers' (which did not break)
    return pd.concat([kept, rows.assign(group_only=True)], ignore_index=True), attribution, rows


def promoted(small: pd.DataFrame, drivers: dict) -> pd.DataFrame:
    """The significant changes below the practical threshold whose driving group moved significantly by more
    than the threshold against the rest (:func:`changes.driver_group` flags only such groups), marked flagged."""
    has = [drivers.get((m, d)) is not None for m, d in zip(small["metric"], small["date"])]
    return small[has].assign(flagged=True)


def channel_shift(ds: Dataset, inputs: ChangeInputs, counts: pd.DataFrame | None, ramps: pd.DataFrame,
                  kept: pd.DataFrame) -> Section:
    """Section 5: a new sales channel's ramp-up and whom it took share from; the acquisition-channel mix."""
    draft = Draft()
    if counts is None:
        draft.skip("Sales-channel shift", ["transactions.channel"], "Add a `channel` column to transactions to see it.")
    else:
        _sales_channels(draft, counts, ramps, inputs.events)
    acq_shares = ch.acquisition_shares(ds)
    if acq_shares.empty:
        draft.skip("Acquisition mix", ["customers"], "It needs `signup_date` and `acquisition_channel`.")
        return draft.done()
    draft.show(plot_shares_over_time(acq_shares, ylabel="share of new customers"))
    acq_kept = kept[kept["metric"].str.startswith("new_customers")]
    draft.say("No acquisition channel's weekly intake changed lastingly beyond its practical threshold."
              if acq_kept.empty else
              "Acquisition changes kept: " + "; ".join(f"{md(r['label'])} {r['direction']} {abs(r['change']):.0%} "
                                                       f"from {date_words(r['date'])}" for _, r in acq_kept.iterrows()))
    return draft.done()


def _sales_channels(draft: Draft, counts: pd.DataFrame, ramps: pd.DataFrame, events: pd.DataFrame) -> None:
    draft.show(plot_channel_ramp(counts.div(counts.sum(axis=1), axis=0), ramps, events))
    if ramps.empty:
        draft.say("No new sales channel appeared in the period: every channel has orders from the first weeks.")
    for _, r in ramps.iterrows():
        took = sorted(r["took_from"].items(), key=lambda kv: kv[1])
        draft.add("new_channel", r["channel"], "New sales channel", headline=True)
        draft.add("new_channel_launch", r["launch"].date(), "Launch week of the new channel")
        draft.add("new_channel_ramp_weeks", int(r["ramp_weeks"]), "Weeks the new channel took to reach its plateau")
        draft.add("new_channel_plateau_share", round(float(r["plateau"]), 4),
                  "Share of orders the new channel settled at", headline=True, unit="share")
        draft.add("new_channel_took_from", {k: v for k, v in took if v == v},
                  "Change in other channels' share of orders (percentage points)", unit="pp")
        draft.say(f"The **{md(r['channel'])}** channel launched in the week of {date_words(r['launch'])}, ramped up "
                  f"over **{int(r['ramp_weeks'])} weeks** and settled at **{r['plateau']:.1%}** of orders "
                  f"(95% CI {r['ci_low']:.1%} to {r['ci_high']:.1%}). It took share from "
                  + ", ".join(f"{md(k)} ({100 * v:+.1f} percentage points)" for k, v in took) + ".")


def change_register(inputs: ChangeInputs, kept: pd.DataFrame, ramps: pd.DataFrame, attribution: ch.Attribution,
                    tolerance_weeks: int) -> Section:
    """Section 6: every kept change in one table, by business impact, with the market events near it."""
    draft = Draft()
    register = ch.change_register(kept, ramps, attribution.drivers, attribution.impacts, inputs.events,
                                  tolerance_weeks=tolerance_weeks, at_stake=attribution.at_stake)
    signals = ch.change_signals(kept, ramps, attribution.drivers, attribution.impacts, attribution.at_stake)
    shown = _shown_register(register)
    unit = inputs.value_unit  # the revenue columns are named after the data's value unit
    draft.show(styled_table(value_columns(shown.drop(columns=["metric"]), unit), value_columns({
        **_CHANGE_FORMATS, "group_change": "{:+.3g}", "at_stake_low": "{:+,.0f}",
        "at_stake_high": "{:+,.0f}", "severity": "{:.1f}"}, unit)))
    draft.add("change_register", ch.register_records(register),
              "Change register (one line per distinct change, by business impact)")
    draft.add("change_signals", ch.register_records(signals.drop(columns="end")),
              "Every metric row of every change (change_id links them to the register)")
    n_changes = draft.add("n_changes", int(register["change_id"].nunique()) if len(register) else 0,
                          "Distinct changes in the register", headline=True)
    if not len(register):
        draft.say("No change passed the checks: the period was stable apart from seasonality and noise.")
        return draft.done(register=register)
    end = ch.acquisition_end(inputs.orders, inputs.weeks)
    falls = _acquisition_falls(register, end)
    _register_summary(draft, register, len(signals), unit,
                      f", after acquisition ended (no first-time customer after the week of {date_words(end)})"
                      if falls.iloc[0] else "")
    _acquisition_caveat(draft, inputs, register[falls], end)
    seasonal = register["metric"].map(lambda k: not k.startswith("share_") and ch.metric_info(k).seasonal)
    if seasonal.any() and len(inputs.weeks) < ch.SEASONAL_MIN_WEEKS:
        draft.say(f"With {ch.counted(len(inputs.weeks), 'full week')} of data (fewer than {ch.SEASONAL_MIN_WEEKS}), "
                  "seasonality could not be removed: the changes in "
                  + ", ".join(sorted({md(w) for w in register.loc[seasonal, "what"]}))
                  + " may be the usual seasonal rhythm rather than a shift.")
    return draft.done(register=register)


def _shown_register(register: pd.DataFrame) -> pd.DataFrame:
    """The register as shown: a revenue at stake whose change is not measured shows no point value, only
    "not measurable" (its interval stays in the low / high columns)."""
    measured = register["at_stake_measured"].astype(bool)
    value = [f"{v:+,.0f}" if m and v == v else ("not measurable" if lo == lo else "unknown")
             for v, m, lo in zip(register["revenue_at_stake"], measured, register["at_stake_low"])]
    return register.assign(date=register["date"].dt.date, event_week=register["event_week"].dt.date,
                           revenue_at_stake=value).drop(columns=["metrics", "at_stake_measured"])


def _change_text(row: pd.Series) -> str:
    """A register line in words: "Orders per week down 8.0% from 11 Aug 2025"."""
    size = (f"{abs(row['change']):.1%}" if row["change_unit"] in ("relative", "share of orders")
            else f"{abs(row['change']):.3g} {row['change_unit']}")
    return f"{row['what']} {row['direction']} {size} from {date_words(row['date'])}"


def decision(inputs: ChangeInputs, register: pd.DataFrame, max_indicators: int = 5) -> Section:
    """The Decision section of step 2: the change to respond to first (the register's first line that is not a
    fall following the end of acquisition, with its yearly value at stake when measured, an estimate from the
    weeks before and after it) and the leading indicators the plan should watch (the register's changes, at
    most ``max_indicators``; the watched metrics when none). When every change is such a fall (a closed group of
    customers only shrinks), the decision says so instead of asking for a cause."""
    evidence = "6. The change register"
    if not len(register):
        watched = ch.watch_list(inputs.records)["metric"].tolist()[:max_indicators]
        d = Decision(step=2, topic="Changes to act on", action="No lasting change to respond to: keep the plan and "
                     "keep watching the weekly metrics", indicators=tuple(watched), evidence=evidence)
        return decision_section([d], inputs.value_unit)
    indicators = tuple(_change_text(r) for _, r in register.head(max_indicators).iterrows())
    end = ch.acquisition_end(inputs.orders, inputs.weeks)
    falls = _acquisition_falls(register, end)
    if falls.all():
        d = Decision(step=2, topic="Changes to act on", action=f"No cause to find: {_change_text(register.iloc[0])} "
                     f"follows the end of acquisition (no first-time customer after the week of {date_words(end)}); a "
                     "closed group of customers only shrinks, so plan for it rather than against it",
                     indicators=indicators, evidence=evidence)
        return decision_section([d], inputs.value_unit)
    top = register.loc[~falls].iloc[0]
    measured = bool(top["at_stake_measured"]) and top["revenue_at_stake"] == top["revenue_at_stake"]
    value = dict(value=round(float(top["revenue_at_stake"]), 2), value_low=round(float(top["at_stake_low"]), 2),
                 value_high=round(float(top["at_stake_high"]), 2), basis="estimated",
                 value_label=f"net {value_noun(inputs.value_unit)} a year at stake") if measured else {}
    d = Decision(step=2, topic="Changes to act on", action=f"Find the cause of and respond to: {_change_text(top)}",
                 for_whom=str(top["affected_group"]), evidence=evidence, indicators=indicators, **value)
    return decision_section([d], inputs.value_unit)


def _register_summary(draft: Draft, register: pd.DataFrame, n_signals: int, unit: str, context: str = "") -> None:
    """The register in words: the top change (measured ones lead; ``context`` is added to its headline) and the
    yearly total of the measured values."""
    top = register.iloc[0]
    headline = draft.add("top_change", f"{_change_text(top)}, "
                         f"driven by {top['affected_group']}{context}", "Change with the largest business impact",
                         headline=True)
    noun = value_noun(unit)
    if bool(top["at_stake_measured"]):
        at_stake = f", about {abs(top['revenue_at_stake']):,.0f} of net {noun} a year."
    elif top["at_stake_low"] == top["at_stake_low"]:
        at_stake = (f"; its {noun} at stake is not measurable (interval {top['at_stake_low']:+,.0f} to "
                    f"{top['at_stake_high']:+,.0f} of net {noun} a year).")
    else:
        at_stake = "."
    measured = register["at_stake_measured"].astype(bool)
    total = draft.add("revenue_at_stake_total", round(float(register.loc[measured, "revenue_at_stake"].sum()), 2),
                      "Yearly net revenue at stake over the changes whose amount is measured (each change once)",
                      unit=unit)
    unmeasured = int((~measured).sum())
    n_changes = int(register["change_id"].nunique())
    said = (f"The register holds **{ch.counted(n_changes, 'distinct change')}** (seen in "
            f"{ch.counted(n_signals, 'metric row')}). The largest business impact: **{md(headline)}**{at_stake} ")
    if unmeasured == n_changes:
        draft.say(said + f"No change has a measurable {noun} at stake: every interval includes zero (shown as "
                  "\"not measurable\" in the table), so no yearly amount is given.")
        return
    draft.say(said + f"Counting each change once and only measured amounts, **{total:+,.0f}** of net {noun} a year "
              "is at stake"
              + (f" over the {ch.counted(n_changes - unmeasured, 'change')} whose amount is measured; "
                 f"{ch.counted(unmeasured, 'change')} {'is' if unmeasured == 1 else 'are'} left out: "
                 f"{'its' if unmeasured == 1 else 'their'} {noun} at stake is not measurable (the interval "
                 "includes zero), shown as \"not measurable\" in the table." if unmeasured else "."))


def _acquisition_falls(register: pd.DataFrame, end: pd.Timestamp | None) -> pd.Series:
    """Which register lines are falls of an order-count metric from the end of acquisition on (``end``, the
    week of the last first-time customer, None while customers still arrive): all False without an end."""
    if end is None:
        return pd.Series(False, index=register.index)
    counts = register["metric"].map(lambda k: not k.startswith("share_") and ch.metric_info(k).kind == "count"
                                    and ch.metric_info(k).table == "transactions")
    return counts & (register["direction"] == "down") & (register["date"] >= end - pd.Timedelta(weeks=4))


def _acquisition_caveat(draft: Draft, inputs: ChangeInputs, falls: pd.DataFrame, end: pd.Timestamp | None) -> None:
    """When no first-time customer arrives after the week ``end``, say that the ``falls`` (register lines of
    order-count metrics) follow the end of acquisition: the customers already acquired buy less over time."""
    if end is None:
        return
    draft.add("acquisition_end", f"{end:%Y-%m-%d}", "Week of the last first-time customer (no new customers after it)")
    quiet = ch.counted(int((inputs.weeks > end).sum()), "full week")
    draft.say(f"> **No new customers after the week of {date_words(end)}**: no first-time customer ordered in the last "
              f"{quiet}, so acquisition ended (or the data follow a closed group of customers). "
              + ("The fall of " + ", ".join(sorted({md(w) for w in falls["what"]})) + " from "
                 + ", ".join(sorted({f"{date_words(d)}" for d in falls["date"]})) + " follows the end of acquisition: "
                 "the customers already acquired buy less over time and nobody replaces them, which is not by itself "
                 "a change of their behaviour." if len(falls) else
                 "Order counts after it come only from customers acquired before."))

def quiet_events(ds: Dataset, inputs: ChangeInputs, register: pd.DataFrame, tolerance_weeks: int) -> Section:
    """Section 7: market events that came with no measurable change in any watched metric."""
    draft, events = Draft(), inputs.events
    if not ds.has("market"):
        draft.skip("Market events", ["market"])
        return draft.done()
    quiet = ch.events_without_effect(events, register, tolerance_weeks=tolerance_weeks)
    draft.add("events_without_effect", [f"{date_words(r['week'])}: {r['event']}" for _, r in quiet.iterrows()],
              "Market events with no measurable change", headline=True)
    if events.empty:
        draft.say("The `market` table records no competitor event or channel launch in the period.")
        return draft.done()
    if quiet.empty:
        draft.say("The one market event coincides with a kept change." if len(events) == 1 else
                  f"Every one of the {len(events)} market events coincides with a kept change.")
        return draft.done()
    draft.show(styled_table(quiet.assign(week=quiet["week"].dt.date)))
    draft.say(f"{len(quiet)} of {ch.counted(len(events), 'market event')} came with no measurable change in any "
              f"watched metric within {tolerance_weeks} weeks, for example: *{md(quiet['event'].iloc[0])}* "
              f"({date_words(quiet['week'].iloc[0])}).")
    return draft.done()


@dataclass(frozen=True)
class MetricExplorer:
    """Section 8: one metric for one customer group. ``show(metric, group)`` draws it (the widget calls it);
    ``metrics`` and ``groups`` are ``{key: label}`` for the drop-downs; ``start`` is the metric shown first."""

    show: Callable[[str, str], None]
    metrics: dict[str, str]
    groups: dict[str, str]
    start: str


def metric_explorer(inputs: ChangeInputs, register: pd.DataFrame) -> MetricExplorer:
    """The explorer of section 8, starting on the register's first change of a non-share metric."""
    groups = ch.group_options(inputs.segments)

    def show(metric: str, group: str) -> None:
        from IPython.display import Markdown, display

        segmentation, name = (None, None) if group == "all" else group.split("|", 1)
        info = ch.metric_info(metric)
        cp, comparison = ch.segment_view(inputs.records[metric], info, inputs.weeks, inputs.segments,
                                         segmentation, name)
        display(plot_change_panels([(f"{info.label}: {groups[group]}", info.unit, ch.series_view(cp), cp.dates)],
                                   inputs.events, ncols=1))
        if comparison.empty:
            display(Markdown("No change point for this group."))
        else:
            display(styled_table(comparison.assign(date=comparison["date"].dt.date),
                                 {"before": "{:,.3g}", "after": "{:,.3g}", "change": "{:+.3g}",
                                  "ci_low": "{:+.3g}", "ci_high": "{:+.3g}", "p": "{:.2g}"}))

    first = register[~register["metric"].str.startswith("share_")] if len(register) else register
    return MetricExplorer(show=show, metrics={k: ch.metric_info(k).label for k in inputs.records}, groups=groups,
                          start=first["metric"].iloc[0] if len(first) else "orders")
