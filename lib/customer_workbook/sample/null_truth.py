"""``truth.json`` of the null company (``generate_sample(..., planted_effects=False)``).

It has every section of ``TRUTH_SCHEMA`` plus ``planted_effects: false`` (see ``NULL_TRUTH_SCHEMA``);
the descriptive sections (company, tables, purchase process, personas, surveys, prospects, data
quality) are built as for the sample, and every effect section lists no effect: ``changes`` is empty,
``dates`` holds only the campaign send date, ``reason_drivers.true_drivers`` and
``expected_top3`` are empty, every hazard ratio is 1, ``acquisition.channels_equal`` is true with
empty rankings, the campaign has no groups and a true uplift of 0, ``cross_sell.pairs`` and
``innovation.bass_products`` are empty.
"""
from __future__ import annotations

from .constants import (ACQ_CHANNELS, DATES, DROPOUT_PERSONA, NPS_INTERCEPT, PERSONAS, TRUTH_SCHEMA,
                        TRUTH_SCHEMA_VERSION)
from .effects import NULL_HILL, NULL_WEEKLY_LEAVE, steady_state_tilt
from .traits import NULL_ADVOCACY_SD
from .truth import (CUSTOMER_TRUTH_COLUMNS, Run, _advocacy, _company, _data_quality, _innovation, _multi_category,
                    _personas, _purchase_process, _reason_drivers, _surveys)

__all__ = ["NULL_TRUTH_SCHEMA", "build_null_truth"]

NULL_TRUTH_SCHEMA = {
    **TRUTH_SCHEMA,
    "planted_effects": "bool, only in the null company's truth.json, where it is false: every planted effect is "
                       "switched off and the effect sections list none (no changes, no true drivers, hazard "
                       "ratios 1, equal channels, no campaign groups or uplift, no cross-sell pairs, no Bass "
                       "products). Absent (the shipped sample) means true.",
}


def build_null_truth(run: Run) -> dict:
    """``truth.json`` of the null company as a dict (before :func:`._arrays._jsonable`)."""
    fx = run.w.fx
    return {
        "schema_version": TRUTH_SCHEMA_VERSION,
        "schema": NULL_TRUTH_SCHEMA,
        "planted_effects": False,
        "company": {**_company(run), "description": "the null company: the sample retailer with every planted "
                                                    "effect switched off"},
        "tables": {k: int(len(v)) for k, v in run.tables.items()},
        "dates": {"campaign_send": {"date": DATES["campaign_send"], "in_window": run.w.in_window["campaign_send"]}},
        "purchase_process": _null_purchase_process(run),
        "personas": {**_personas(run), "persona_acquisition_mix": {
            c: dict(zip(PERSONAS, fx.persona_acq_mix[j].tolist())) for j, c in enumerate(ACQ_CHANNELS)}},
        "reason_drivers": _null_reason_drivers(run),
        "advocacy": _null_advocacy(run),
        "multi_category": {**_multi_category(run), "hazard_ratio": fx.hr["multi_category"],
                           "definition": "no effect in the null company"},
        "churn_drivers": _null_churn_drivers(run),
        "acquisition": run.clv_truth,
        "changes": [],
        "non_changes": {"stable": "null company: no dated change of any kind (no market events, no price, delivery "
                                  "or satisfaction shift, the app sells from before the start, no launches); the "
                                  "base is in its steady state and acquisition replaces the customers who leave, "
                                  "so weekly orders, new customers, spend and the competitor index are stationary "
                                  "apart from the monthly seasonality; the campaign changes nothing"},
        "campaign": run.camp_truth,
        "cross_sell": {"pairs": [], "mechanism": "none in the null company (no planted pairs, no anchor boost)",
                       "category_affinity": "persona category mixes (personas.profiles.*.category_mix) only",
                       "expected": "an item-item recommender has only the persona category mixes to find"},
        "innovation": _innovation(run),
        "prospects": run.prospect_truth,
        "surveys": _surveys(run),
        "data_quality": _data_quality(run),
        "customer_truth_columns": {**CUSTOMER_TRUTH_COLUMNS,
                                   "uplift_group": "null for everyone (the null company has no uplift groups)",
                                   "loyalty_latent": "0 for everyone (no reason drives loyalty)"},
    }


def _null_purchase_process(run: Run) -> dict:
    """The sample's purchase process with equal channels, silent leaving and the steady-state base."""
    fx = run.w.fx
    pp = _purchase_process(run)
    tilt, life = steady_state_tilt(fx)
    pp["channel_rate_multiplier"] = dict(zip(ACQ_CHANNELS, fx.lambda_channel.tolist()))
    pp["spend"] = {**pp["spend"], "channel_spend_multiplier": dict(zip(ACQ_CHANNELS, fx.spend_channel.tolist()))}
    pp["silent_leaving"] = {"per_week": NULL_WEEKLY_LEAVE,
                            "note": "besides the per-order dropout, live customers leave at the start of a week "
                                    "with this probability, so lifetimes are finite and a steady state exists"}
    pp["steady_state"] = {
        "mean_lifetime_weeks": life,
        "initial_base_persona_mix": dict(zip(PERSONAS, tilt.tolist())),
        "note": "the initial base is drawn from the steady state (personas, purchase rates and dropout tilted "
                "by their expected weeks alive; signups an exponential time with the mean lifetime before the "
                "start) and acquisition = n_customers / (marketing weeks + mean lifetime) a week replaces the "
                f"customers who leave; every channel follows one Hill curve {NULL_HILL} (vmax set by this rate)"}
    return pp


def _null_reason_drivers(run: Run) -> dict:
    """No true driver: NPS is its intercept plus noise; the reference OLS and correlations on the data."""
    rd = _reason_drivers(run)
    return {**rd, "true_drivers": {}, "expected_top3": [], "correlated_not_causal": {},
            "nps_model": f"nps = clip(round({NPS_INTERCEPT} + N(0, {run.w.fx.nps_noise_sd})), 0, 10): no reason, "
                         "satisfaction, tier or locked-in term",
            "loyalty": "no loyalty latent (L = 0): no reason changes the dropout hazard"}


def _null_advocacy(run: Run) -> dict:
    """The engagement pyramid without drivers: the tier ranks persona offset + noise; nobody is locked in."""
    adv = _advocacy(run)
    return {**adv, "assignment": f"rank of persona offset + N(0, {NULL_ADVOCACY_SD}); top 1% lovers, next 9% likers; "
                                 "independent of reasons and satisfaction",
            "locked_in": {"definition": "none in the null company", "share": 0.0}}


def _null_churn_drivers(run: Run) -> dict:
    fx = run.w.fx
    return {
        "model": "per-order dropout probability = min(0.9, p_i * persona multiplier); plus silent leaving",
        "hazard_ratios": fx.hr,
        "acquisition_channel": dict(zip(ACQ_CHANNELS, fx.hr_channel.tolist())),
        "persona": dict(zip(PERSONAS, DROPOUT_PERSONA.tolist())),
        "note": "no observable behaviour drives churn in the null company; personas keep their dropout levels",
    }
