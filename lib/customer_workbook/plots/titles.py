"""Finding titles: each figure's title states what it shows, written from the numbers it draws.

Every function takes the figure's own data and returns one sentence ("Repeat customers are worth 3.4 times
one-time buyers", not "Value by segment"); the words that compare are picked from the numbers (up / down,
more / less), names read through the glossary. When the data give no finding (empty, missing values), the
function returns ``fallback``: the figure's plain description. A plot function that cannot know its finding
takes the title from the step that calls it.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from ..findings import date_words
from ..glossary import label

__all__ = ["audience_title", "calibration_title", "cohort_title", "concentration_title", "conquest_title", "dormancy_title",
           "drivers_title", "forecast_title", "frontier_title", "histogram_title", "holdout_title", "k_title", "lifecycle_title",
           "nps_title", "panels_title", "persona_title", "pyramid_title", "qini_title", "response_title", "rfm_title",
           "segment_title", "slope_title", "threshold_title", "tracking_title", "who_title",
           "importance_title", "ramp_title", "recommender_title", "shares_title", "tier_title", "unit_economics_title",
           "weekly_title"]


def _capitalised(function):
    """A title function whose sentence starts with a capital letter (names from the data may not)."""
    @functools.wraps(function)
    def title(*args, **kwargs) -> str:
        text = function(*args, **kwargs)
        return text[:1].upper() + text[1:]
    return title


def _ok(*values) -> bool:
    """True when every value is a finite number."""
    try:
        return all(math.isfinite(float(v)) for v in values)
    except (TypeError, ValueError):
        return False


def _moved(now: float, before: float, tolerance: float = 0.005) -> str:
    """'up from' / 'down from' / 'as' for two shares."""
    return "up from" if now > before + tolerance else "down from" if now < before - tolerance else "about as"


@_capitalised
def weekly_title(weekly: pd.DataFrame, fallback: str = "Weekly volumes") -> str:
    """A typical week: mean orders, active and new customers."""
    means = weekly.mean(numeric_only=True) if len(weekly) else pd.Series(dtype=float)
    if not {"orders", "active_customers", "new_customers"} <= set(means.index) or not _ok(*means):
        return fallback
    return (f"A typical week brings {means['orders']:,.0f} orders from {means['active_customers']:,.0f} customers, "
            f"{means['new_customers']:,.0f} of them new")


@_capitalised
def shares_title(shares: pd.DataFrame, noun: str, fallback: str) -> str:
    """The largest group's share in the last period, against the first."""
    if shares.empty or shares.shape[1] == 0:
        return fallback
    last, first = shares.iloc[-1], shares.iloc[0]
    top = last.idxmax()
    if not _ok(last[top], first[top]):
        return fallback
    when = f" in {shares.index[-1]:%b %Y}" if isinstance(shares.index[-1], pd.Timestamp) else ""
    then = f" in {shares.index[0]:%b %Y}" if isinstance(shares.index[0], pd.Timestamp) else " at the start"
    return f"{label(top)} takes {last[top]:.0%} of {noun}{when}, {_moved(last[top], first[top])} {first[top]:.0%}{then}"


@_capitalised
def histogram_title(values: pd.Series, what: str, fallback: str, at: int = 1) -> str:
    """For counts: the share at ``at`` (one order, one item) and the median (``what``: "customers ordered")."""
    values = pd.Series(values).dropna()
    if values.empty:
        return fallback
    share, median = float((values == at).mean()), float(values.median())
    return f"{share:.0%} of {what} {_times(at)}; the median is {_times(median)}"


def _times(n: float) -> str:
    """A count of times in words: once, twice, 3 times."""
    return "once" if n == 1 else "twice" if n == 2 else f"{n:,.0f} times" if n == int(n) else f"{n:,.1f} times"


@_capitalised
def cohort_title(table: pd.DataFrame, fallback: str) -> str:
    """Mean share of a cohort buying one month and (when observed) twelve months after acquisition."""
    months = [m for m in (1, 12) if m in table.columns and table[m].notna().any()]
    if not months:
        return fallback
    first = f"On average {table[months[0]].mean():.0%} of a cohort buy again " + (
        "in the month after acquisition" if months[0] == 1 else "a year on")
    return first + (f" and {table[12].mean():.0%} a year on" if len(months) == 2 else "")


@_capitalised
def importance_title(drivers: pd.DataFrame, target: str, fallback: str) -> str:
    """The most important reason, and how customers rate us on it."""
    if drivers.empty or not _ok(drivers["importance"].max()):
        return fallback
    top = drivers.loc[drivers["importance"].idxmax()]
    rated = "rated above" if top["performance"] > drivers["performance"].mean() else "rated below"
    return f"{label(top['driver']).capitalize()} drives {target} most, and we are {rated} average on it"


@_capitalised
def ramp_title(ramps: pd.DataFrame, fallback: str) -> str:
    """The new channel's plateau share and how fast it got there."""
    if ramps.empty or not _ok(ramps["plateau"].iloc[0], ramps["ramp_weeks"].iloc[0]):
        return fallback
    r = ramps.iloc[0]
    return (f"New channel {label(r['channel'])} reached {r['plateau']:.0%} of orders within {r['ramp_weeks']:.0f} weeks "
            f"of its launch ({date_words(r['launch'])})")


def unit_economics_title(econ: pd.DataFrame, fallback: str) -> str:
    """The channel whose customers are worth most against their cost."""
    ratio = pd.to_numeric(econ["clv_to_cac"], errors="coerce")
    if ratio.notna().sum() == 0:
        return fallback
    best = econ.loc[ratio.idxmax()]
    if best["clv_to_cac"] < 1:
        return f"No channel pays back its acquisition cost; the best, {label(best['channel'])}, returns {best['clv_to_cac']:.1f} times it"
    return f"A {label(best['channel'])} customer is worth {best['clv_to_cac']:.1f} times its acquisition cost, the best of any channel"


@_capitalised
def frontier_title(current: float, optimum: float, fallback: str) -> str:
    """The value-maximising budget against today's."""
    if not _ok(current, optimum) or current <= 0:
        return fallback
    ratio = optimum / current
    where = (f"{ratio:.1f} times today's {current:,.0f}" if ratio > 1.05 else
             f"{1 - ratio:.0%} below today's {current:,.0f}" if ratio < 0.95 else f"close to today's {current:,.0f}")
    return f"Value peaks at a weekly budget of {optimum:,.0f}, {where}"


@_capitalised
def concentration_title(values, share: float, fallback: str) -> str:
    """The share of value held by the top ``share`` of customers."""
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    if not v.size or not _ok(v.sum()) or v.sum() <= 0:
        return fallback
    top = v[: max(int(np.ceil(share * v.size)), 1)].sum() / v.sum()
    return f"The top {share:.0%} of customers hold {top:.0%} of the future value"


@_capitalised
def dormancy_title(medians: dict, fallback: str) -> str:
    """Median P(alive) of the first group against the last."""
    known = [(g, m) for g, m in medians.items() if _ok(m)]
    if len(known) < 2:
        return fallback
    (first, a), (last, b) = known[0], known[-1]
    if abs(b - a) <= 0.005:
        return f"The chance a customer is still active is about {a:.0%} from {label(first)} to {label(last)} (medians)"
    verb = "falls" if b < a else "rises"
    return f"The chance a customer is still active {verb} from {a:.0%} ({label(first)}) to {b:.0%} ({label(last)}), medians"


@_capitalised
def recommender_title(table: pd.DataFrame, k: int, fallback: str) -> str:
    """The method with the best hit rate, against the next."""
    if "hit_rate" not in table or table["hit_rate"].notna().sum() == 0:
        return fallback
    ranked = table["hit_rate"].dropna().sort_values(ascending=False)
    best = f"{label(ranked.index[0])} offers include a later purchase for {ranked.iloc[0]:.0%} of test customers (top {k})"
    return best + (f", {label(ranked.index[1])} {ranked.iloc[1]:.0%}" if len(ranked) > 1 else "")


@_capitalised
def tier_title(matrix: pd.DataFrame, fallback: str) -> str:
    """The tier whose customers stay in it most often."""
    stay = pd.Series({t: matrix.loc[t, t] for t in matrix.index if t in matrix.columns}, dtype=float).dropna()
    if stay.empty:
        return fallback
    tier = stay.idxmax()
    return f"{label(tier).capitalize()} customers stay in their tier most often ({stay[tier]:.0%})"


@_capitalised
def k_title(table: pd.DataFrame, threshold: float | None, fallback: str) -> str:
    """How many personas were chosen, and whether the split reproduces."""
    if "chosen" not in table or not table["chosen"].any():
        return fallback
    row = table.loc[table["chosen"]].iloc[0]
    if threshold is not None and _ok(row["stability"]) and row["stability"] < threshold:
        return f"No split reproduces; {int(row['k'])} personas is the most stable (stability {row['stability']:.2f} < {threshold:g})"
    return f"{int(row['k'])} personas: the most detailed split that reproduces (stability {row['stability']:.2f})"


@_capitalised
def persona_title(data: pd.DataFrame, fallback: str) -> str:
    """The persona and feature furthest from the average customer (``data``: features x personas)."""
    values = data.abs().stack().dropna()
    if values.empty:
        return fallback
    feature, persona = values.idxmax()
    z = data.loc[feature, persona]
    return f"{persona} stands out most: {label(feature)} {abs(z):.1f} standard deviations {'above' if z > 0 else 'below'} average"


@_capitalised
def segment_title(summary: pd.DataFrame, noun: str, fallback: str) -> str:
    """The segment that brings the most value, against its share of customers."""
    if summary.empty or not summary["revenue_share"].between(0, 1).all():
        if summary.empty:
            return fallback
        top = summary.loc[summary["customer_share"].idxmax()]
        return f"{top['segment']} is the largest segment: {top['customer_share']:.0%} of customers"
    top = summary.loc[summary["revenue_share"].idxmax()]
    link = "but" if top["revenue_share"] > top["customer_share"] else "and"
    return f"{top['segment']} are {top['customer_share']:.0%} of customers {link} bring {top['revenue_share']:.0%} of net {noun}"


@_capitalised
def slope_title(slope: float, horizon_days: int, fallback: str) -> str:
    """What one more day of delivery does to the repeat rate."""
    if not _ok(slope):
        return fallback
    verb = "lowers" if slope < 0 else "raises"
    return f"Each extra day of delivery {verb} the {horizon_days}-day repeat rate by {abs(slope) * 100:.1f} pp"


@_capitalised
def lifecycle_title(stage_shares: pd.Series, difference: float, fallback: str) -> str:
    """The largest lifecycle stage and the retention gap of multi-category buyers."""
    if stage_shares.empty or not _ok(stage_shares.max()):
        return fallback
    top = stage_shares.idxmax()
    text = f"Most customers ({stage_shares.max():.0%}) reached {label(top)}"
    if _ok(difference):
        text += (f"; multi-category buyers stay {abs(difference) * 100:.1f} pp "
                 f"{'more' if difference > 0 else 'less'} often than single-category ones")
    return text


@_capitalised
def pyramid_title(widths: dict, fallback: str) -> str:
    """The share of lovers and of lurkers."""
    if not _ok(*widths.values()):
        return fallback
    return f"{widths['lover']:.1%} of customers are lovers and {widths['liker']:.1%} likers; {widths['lurker']:.0%} only lurk"


#: Fewest respondents for a group's NPS to be named in a title.
MIN_GROUP = 30


@_capitalised
def nps_title(tables: dict, overall: float, fallback: str) -> str:
    """The overall NPS and the highest and lowest group of at least :data:`MIN_GROUP` respondents."""
    rows = pd.concat(list(tables.values()), ignore_index=True) if tables else pd.DataFrame()
    if not rows.empty and "n" in rows:
        rows = rows[rows["n"] >= MIN_GROUP]  # a group of a few respondents spans the whole scale
    if rows.empty or not _ok(overall):
        return fallback
    hi, lo = rows.loc[rows["nps"].idxmax()], rows.loc[rows["nps"].idxmin()]
    return f"NPS {overall:+.0f} overall, from {lo['nps']:+.0f} ({label(lo['group'])}) to {hi['nps']:+.0f} ({label(hi['group'])})"


@_capitalised
def holdout_title(table: pd.DataFrame, chosen: str, fallback: str) -> str:
    """The chosen model's predicted held-out purchases against the actual, per customer."""
    if chosen not in table or not _ok(table[chosen].mean(), table["actual"].mean()):
        return fallback
    weights = table["customers"] / table["customers"].sum()
    predicted, actual = float((table[chosen] * weights).sum()), float((table["actual"] * weights).sum())
    if actual <= 0:
        return fallback
    gap = predicted / actual - 1
    how = f"{abs(gap):.0%} {'over' if gap > 0 else 'under'}" if abs(gap) >= 0.005 else "exactly"
    return f"{label(chosen)} predicts held-out repeat purchases {how}" + (" the actual" if how != "exactly" else "")


@_capitalised
def tracking_title(actual: float, expected: float, chosen: str, fallback: str) -> str:
    """The chosen model's cumulative repeat purchases at the end, against the actual."""
    if not _ok(actual, expected) or actual <= 0:
        return fallback
    gap = expected / actual - 1
    return (f"By the end of the data {label(chosen)} expects {expected:,.0f} cumulative repeat purchases, "
            f"{abs(gap):.0%} {'above' if gap > 0 else 'below'} the actual {actual:,.0f}")


@_capitalised
def panels_title(panels: list, fallback: str) -> str:
    """How many changes the panels keep, over how many metrics."""
    kept = sum(len(p[3]) for p in panels)
    if not panels:
        return fallback
    if len(panels) == 1:
        return f"{panels[0][0]}: {kept} change{'s' if kept != 1 else ''} kept in the register"
    return f"{kept} change{'s' if kept != 1 else ''} kept in the register across {len(panels)} weekly metrics"


@_capitalised
def who_title(rows: pd.DataFrame, what: str) -> str:
    """The group that moved most against the rest, or that none did (``what``: the change, with its date)."""
    flagged = rows[rows["flagged"].astype(bool)] if "flagged" in rows else rows.iloc[0:0]
    if flagged.empty:
        return f"{what}: no group moved significantly more than the rest"
    top = flagged.loc[flagged["excess_change"].abs().idxmax()]
    return f"{what}: {label(top['segmentation'])} {top['group']} moved most ({top['excess_change']:+.3g} against the rest)"


@_capitalised
def response_title(curves: dict, current: dict, fallback: str) -> str:
    """The channel that adds most new customers for the next unit of spend."""
    gains = {ch: float(np.asarray(c.marginal(current.get(ch, 0.0)))) for ch, c in curves.items()}
    gains = {ch: g for ch, g in gains.items() if _ok(g)}
    if not gains:
        return fallback
    best = max(gains, key=gains.get)
    return f"At today's spend, {label(best)} adds the most new customers per extra unit ({gains[best] * 1000:.1f} per 1,000)"


@_capitalised
def conquest_title(rows: pd.DataFrame, fallback: str) -> str:
    """Where the next unit of budget creates most value."""
    value = pd.to_numeric(rows["return_per_unit"], errors="coerce")
    if value.notna().sum() == 0:
        return fallback
    top = rows.loc[value.idxmax()]
    worth = "more than it costs" if top["return_per_unit"] > 1 else "less than it costs"
    return f"The next unit of budget creates most in {label(top['target'])}: {top['return_per_unit']:.1f} per unit, {worth}"


@_capitalised
def calibration_title(tables: dict, fallback: str) -> str:
    """The best-calibrated model and its mean gap to the observed rates."""
    gaps = {name: float((t["observed"] - t["predicted"]).abs().mean()) for name, t in tables.items() if len(t)}
    gaps = {k: v for k, v in gaps.items() if _ok(v)}
    if not gaps:
        return fallback
    best = min(gaps, key=gaps.get)
    return f"{label(best).capitalize()} predicts best: {gaps[best] * 100:.1f} pp from the observed rate on average"


@_capitalised
def threshold_title(table: pd.DataFrame, chosen: float | None, event: str, fallback: str) -> str:
    """What the operating threshold targets and finds."""
    if chosen is None or table.empty:
        return fallback
    row = table.iloc[int((table["threshold"] - chosen).abs().to_numpy().argmin())]
    if not _ok(row["targeted_share"], row["missing_ratio"]):
        return fallback
    return (f"At threshold {chosen:.2f} the model targets {row['targeted_share']:.0%} of customers and finds "
            f"{row['missing_ratio']:.0%} of real {event}")


@_capitalised
def drivers_title(rows: pd.DataFrame, fallback: str) -> str:
    """The feature family the model relies on most."""
    if rows.empty or not _ok(rows["importance"].max()):
        return fallback
    top = rows.loc[rows["importance"].idxmax()]
    return f"The prediction relies most on {label(top['family'])} ({top['importance'] * 100:.1f} PR-AUC points when shuffled)"


@_capitalised
def forecast_title(weekly: pd.Series, forecast: pd.DataFrame, what: str) -> str:
    """The forecast total of the next weeks against the same weeks a year earlier (else the weeks just before);
    ``what`` names the measure."""
    n = len(forecast)
    if not n:
        return what
    total = float(forecast["forecast"].sum())
    weeks = pd.to_datetime(forecast["week"])
    year_ago = weekly[(weekly.index >= weeks.min() - pd.Timedelta(days=364)) & (weekly.index <= weeks.max() - pd.Timedelta(days=364))]
    before, against = ((float(year_ago.sum()), "the same weeks a year earlier") if len(year_ago) == n else
                       (float(weekly.tail(n).sum()), f"the last {n} weeks"))
    if not _ok(total, before) or before <= 0:
        return what
    change = total / before - 1
    how = f"{'up' if change > 0 else 'down'} {abs(change):.0%} on" if abs(change) >= 0.005 else "as in"
    return f"{what}: {total:,.0f} expected in the next {n} weeks, {how} {against}"


@_capitalised
def audience_title(a: pd.DataFrame, pilot: tuple | None, fallback: str) -> str:
    """The pilot audience (or the most valuable) with its value per customer."""
    if a.empty:
        return fallback
    if pilot is not None:
        rows = a[(a["segment"] == pilot[0]) & (a["persona"] == pilot[1])]
        if len(rows):
            r = rows.iloc[0]
            return f"Pilot audience: {r['segment']} × {label(r['persona'])}, worth {r['value_per_customer']:,.0f} per customer"
    r = a.loc[a["value_per_customer"].idxmax()]
    return f"{r['segment']} × {label(r['persona'])} is worth most per customer ({r['value_per_customer']:,.0f}), but not clearly"


@_capitalised
def qini_title(curves: dict, fallback: str) -> str:
    """The targeting that gains most incremental buyers at its best."""
    peaks = {name: float(c["incremental"].max()) for name, c in curves.items() if len(c)}
    peaks = {k: v for k, v in peaks.items() if _ok(v)}
    if not peaks:
        return fallback
    best = max(peaks, key=peaks.get)
    if peaks[best] <= 0:
        return "No targeting gains incremental buyers over targeting no one"
    return f"Targeting by the {label(best)} gains up to {peaks[best]:,.0f} incremental buyers"


@_capitalised
def rfm_title(scores: pd.DataFrame, groups: pd.Series | None, fallback: str) -> str:
    """The group with the highest mean M score."""
    if groups is None or scores.empty:
        return fallback
    means = scores["M"].groupby(groups.astype(str).to_numpy()).mean().dropna()
    if len(means) < 2:
        return fallback
    if means.max() - means.min() < 0.05:
        return f"All groups score alike on money (mean M score {means.mean():.1f} of 5)"
    return f"{label(means.idxmax())} spends the most (mean M score {means.max():.1f} of 5), {label(means.idxmin())} the least ({means.min():.1f})"
