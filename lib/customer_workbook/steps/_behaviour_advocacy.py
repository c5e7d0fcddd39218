"""Notebook 01, sections 7 and 8: the advocacy pyramid and the Net Promoter Score (see :mod:`.behaviour`)."""
from __future__ import annotations

import pandas as pd

from .. import plots
from ..advocacy import advocacy_overlap, nps, nps_by_group
from ..base import derived
from ..escaping import md
from ..segments import MIN_CUSTOMERS, health_score, too_few
from ..value_unit import value_noun
from .section import Draft, Section

__all__ = ["MIN_NPS_RESPONDENTS", "TYPICAL_PYRAMID", "advocacy_pyramid", "net_promoter_score"]

#: Typical shares of the advocacy pyramid's levels, drawn beside the measured ones.
TYPICAL_PYRAMID = {"lurker": 0.9, "liker": 0.09, "lover": 0.01}
#: Answers to the NPS question the NPS section needs (its 95% interval is then at most about +-36 points).
MIN_NPS_RESPONDENTS = 30


def _p_alive_if_fitted(customer_value) -> pd.Series | None:
    """P(alive) of the run's customer-value fit when the fit passed its gate (``report.ok``), else None."""
    return customer_value.table["p_alive"] if customer_value.report.ok else None


def advocacy_pyramid(ds, levels: pd.Series | None, rates: pd.DataFrame | None, customer_value) -> Section:
    """Section 7: the advocacy pyramid, and how advocacy overlaps with spending and with loyalty.

    Loyalty is the health score without engagement (P(alive) in it only when ``customer_value.report.ok``).
    An overlap that does not exist (no lovers, no advocacy at all) records no finding and is not claimed.
    """
    draft = Draft()
    if levels is None:
        draft.skip("Advocacy pyramid", ["engagement"])
        return draft.done()
    features = derived(ds).customers
    shares = levels.value_counts(normalize=True, sort=False)
    draft.add("advocacy_shares", {str(t): round(v, 4) for t, v in shares.items()}, "Advocacy pyramid: share of customers per level",
              headline=True, unit="share")
    draft.show(plots.plot_advocacy_pyramid(shares, TYPICAL_PYRAMID))
    if few := too_few(len(levels) // 10, MIN_CUSTOMERS, "customers in the top tenth by spending or loyalty"):
        draft.say(few.note("how advocacy overlaps with spending and loyalty"))
        return draft.done(overlap=None)
    loyalty = health_score(features, _p_alive_if_fitted(customer_value))["health"]
    o = advocacy_overlap(levels, features["revenue"], rates, loyalty=loyalty)
    for key in ("top_spenders_lover_share", "top_spenders_liker_or_lover_share", "lovers_in_top_spenders", "top_overlap",
                "loyal_lurker_share"):
        if pd.notna(getattr(o, key)):
            draft.add(key, round(getattr(o, key), 4), key.replace("_", " ").capitalize(), unit="share")
    if pd.notna(o.spearman_revenue_advocacy):
        draft.add("spearman_revenue_advocacy", round(o.spearman_revenue_advocacy, 3), "Rank correlation of revenue with advocacy")
    draft.say(_pyramid_sentence(shares, levels, o, value_noun(ds)))
    return draft.done(overlap=o)


def _pyramid_sentence(shares: pd.Series, levels: pd.Series, o, noun: str = "revenue") -> str:
    """The pyramid's text; each claim is made only when its numbers say so: "loyalty is not advocacy" when most of
    the most loyal tenth are lurkers, "top spenders are not top advocates" when most top spenders are not top-decile
    advocates."""
    lovers, likers = int((levels == "lover").sum()), int((levels == "liker").sum())
    text = [f"**{shares['lurker']:.1%} lurkers, {shares['liker']:.1%} likers and {shares['lover']:.1%} lovers** "
            f"({lovers:,} {'lover' if lovers == 1 else 'lovers'})."]
    if lovers + likers == 0:
        text.append("No customer engages often enough to be a liker (`liker_min_per_year`) or a lover (`lover_min_per_year`): "
                    "the `engagement` table records too little to tell advocates apart.")
        return " ".join(text)
    if pd.notna(o.loyal_lurker_share):
        claim = "**Loyalty is not advocacy:** of" if o.loyal_lurker_share > 0.5 else "Of"
        text.append(f"{claim} the 10% most loyal customers (health score without engagement), {o.loyal_lurker_share:.0%} are lurkers.")
    if lovers == 0:
        text.append("No customer reviews, refers or posts often enough to be a lover (`lover_min_per_year`), so the overlap of "
                    "advocacy with spending cannot be measured.")
        return " ".join(text)
    apart = o.top_overlap < 0.5  # most top spenders are not top-decile advocates: different people
    text.append(f"{'**Top spenders are not top advocates:** in' if apart else 'In'} the top spending decile "
                f"{o.top_spenders_lover_share:.1%} are lovers and {o.top_spenders_liker_or_lover_share:.0%} likers or lovers "
                f"(base rates {o.base_lover_share:.1%} and {o.base_liker_or_lover_share:.0%}); "
                f"{o.lovers_in_top_spenders:.0%} of lovers are top spenders and {o.top_overlap:.0%} of top spenders are also "
                "top-decile advocates"
                + (f", and the rank correlation of {noun} with advocacy is {o.spearman_revenue_advocacy:.2f}."
                   if pd.notna(o.spearman_revenue_advocacy) else "."))
    if likers >= lovers:
        text.append(f"Moving {lovers:,} {'liker' if lovers == 1 else 'likers'} up to lovers (about {lovers / likers:.0%} of likers) "
                    f"would double the lovers to {2 * lovers:,}.")
    return " ".join(text)


def net_promoter_score(answers: pd.DataFrame | None, segments: pd.Series, personas, levels: pd.Series | None) -> Section:
    """Section 8: NPS overall and by RFM segment, persona and advocacy level, with Holm-adjusted tests.

    Needs at least :data:`MIN_NPS_RESPONDENTS` answers to the NPS question; with fewer it says so and records nothing.
    """
    draft = Draft()
    if answers is None or "nps" not in answers:
        draft.skip("Net Promoter Score", ["surveys"])
        return draft.done()
    n_answers = int(answers["nps"].notna().sum())
    if n_answers < MIN_NPS_RESPONDENTS:
        draft.say(f"> **Not shown: the Net Promoter Score** because only {n_answers:,} respondents answered the NPS question; "
                  f"an NPS with an interval narrow enough to read needs at least {MIN_NPS_RESPONDENTS}. More survey answers, or "
                  "a longer period (`start_date`, `end_date`), would help.")
        return draft.done()
    overall = nps(answers["nps"])
    persona_names = pd.Series(personas.assignment.reindex(segments.index).to_numpy(), index=segments.index)
    tables = {"RFM segment": nps_by_group(answers["nps"], segments)}
    if personas.found:
        tables["persona"] = nps_by_group(answers["nps"], persona_names.dropna().astype("category"))
    if levels is not None:
        tables["advocacy level"] = nps_by_group(answers["nps"], levels)
    draft.show(plots.plot_nps_forest(tables, overall))
    draft.add("nps", round(overall.nps, 2), "Net Promoter Score (points)", headline=True)
    draft.add("nps_interval", [round(overall.low, 2), round(overall.high, 2)], "95% interval of the NPS (points)", headline=True)
    if "persona" in tables:
        draft.add("nps_by_persona", {r.group: round(r.nps, 1) for r in tables["persona"].itertuples()},
                  "NPS by persona (points)")
    draft.add("nps_by_segment", {r.group: round(r.nps, 1) for r in tables["RFM segment"].itertuples()}, "NPS by RFM segment (points)")
    not_sig = [f"{title}: {g}" for title, t in tables.items() for g in t.loc[~t["significant"], "group"]]
    draft.add("nps_not_significant", not_sig, "Groups whose NPS is not significantly different from the rest")
    by_persona = tables.get("persona", tables["RFM segment"].iloc[:0]).sort_values("nps")
    draft.say(f"Overall **NPS {overall.nps:+.1f}** (95% interval {overall.low:+.1f} to {overall.high:+.1f}; "
              f"{overall.promoters:.0%} promoters, {overall.detractors:.0%} detractors, {overall.n:,} respondents). "
              + (f"By persona it ranges from {by_persona.iloc[0]['nps']:+.0f} ({md(by_persona.iloc[0]['group'])}) to "
                 f"{by_persona.iloc[-1]['nps']:+.0f} ({md(by_persona.iloc[-1]['group'])}). " if len(by_persona) >= 2 else "")
              + (f"Not significantly different from the rest, so not to be read as real differences: {', '.join(map(md, not_sig))}."
                 if not_sig else "Every group differs significantly from the rest."))
    return draft.done(overall=overall, tables=tables)
