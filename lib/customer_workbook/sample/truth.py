"""The documented truth of the sample company (``truth.json``) and the hidden per-customer labels.

:func:`build_truth` assembles ``truth.json`` from one function per section (in the order of
``TRUTH_SCHEMA``); :func:`customer_truth_table` is ``truth_customers.parquet``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import REASONS
from ._arrays import _labels, _str_series
from .constants import (ACQ_CHANNELS, ADVOCACY_PERSONA, ADVOCACY_TIERS, ANCHOR_BOOST, APP_RAMP_WEEKS,
                        APP_SESSION_PERSONA, APP_SHARE, BASE_ORDER_VALUE, BASS_PERSONA_WEIGHT, BETA_A,
                        BETA_B, BH, CAT_PREF, CAT_SEASON, CATEGORIES, COMPANY_NAME, COMPETITOR_LAMBDA_MULT,
                        COMPLEMENT, DATES, DISCOUNT_PROB, DROPOUT_PERSONA, ENGAGE_RATES, EXCLUSIVE_BOOST,
                        EXPRESS_PROB, FIRST_ORDER_PROB, FOLLOW_BUY_PROB, FOLLOW_SET_PROB, GAMMA_ALPHA,
                        GAMMA_R, GG_GAMMA, GG_P, GG_Q, HR, HR_CHANNEL, INCOME_BANDS, INCOME_MIX,
                        LAMBDA_CHANNEL, LAMBDA_PERSONA, LINES_MU, NEW_PRODUCT_BOOST, NPS_DRIVERS,
                        NPS_INTERCEPT, NPS_LOCKED_IN, NPS_NOISE_SD, NPS_SAT_COEF, NPS_TIER_BONUS,
                        PERSONA_ACQ_MIX, PERSONAS, PRICING_SAT_SHIFT_BH, REASON_INDEX, REGION_MIX, REGIONS,
                        RETURN_PROB, SAT_MEAN, SEASON, SLOW_DAYS, SPEED_SAT_SHIFT, SPEND_CHANNEL, STORE_PROB,
                        SURVEY_SHARE, SURVEY_TWICE, TIER_PREF, TIERS, TRUTH_SCHEMA, TRUTH_SCHEMA_VERSION, TS,
                        UPLIFT_GROUPS, WHY_LOADINGS, WHY_PERSONA_MEAN, WHY_RESPONSE_STYLE_SD)
from .window import BIG

if TYPE_CHECKING:
    from .customers import Customers
    from .products import Catalog
    from .simulation import SimState
    from .traits import Traits
    from .transactions import Lines
    from .window import Window

__all__ = ["Run", "build_truth", "customer_truth_table", "CUSTOMER_TRUTH_COLUMNS"]

CUSTOMER_TRUTH_COLUMNS = {
    "customer_id": "customer", "persona": "planted persona", "advocacy_tier": "lurker / liker / lover",
    "locked_in": "loyal without advocating (no alternatives)",
    "multi_category": "bought in 2+ categories within the window", "n_categories": "distinct categories bought",
    "uplift_group": "campaign group (persuadable, sure_thing, lost_cause, sleeping_dog); null if not in campaign",
    "lambda": "weekly purchase rate (before seasonality and shocks)", "p_dropout": "base per-order dropout probability",
    "dropout_hazard_multiplier": "static hazard multiplier (persona, channel, latents, tier, locked-in)",
    "spend_multiplier": "zeta_i, customer order-value multiplier",
    "loyalty_latent": "L, standardised weighted sum of the true NPS drivers",
    "satisfaction_latent": "latent satisfaction", "advocacy_score": "score ranked into advocacy tiers",
    "dropout_date": "date the customer silently left (NaT if still alive at the end)",
    "alive_at_end": "still a customer on the end date", "n_orders": "orders in the window",
    "revenue": "net revenue in the window", "bass_adopter": "adopted a Bass-diffusion product",
}


@dataclass(frozen=True)
class Run:
    """Everything one generation produced that the truth reports on."""

    seed: int
    w: Window
    cust: Customers
    tr: Traits
    st: SimState
    catalog: Catalog
    tables: dict
    lines: Lines
    revenue: np.ndarray           # net revenue per customer in the window
    n_orders_c: np.ndarray        # orders per customer in the window
    n_cats: np.ndarray            # distinct categories bought per customer in the window
    uplift_group: np.ndarray      # campaign group per customer, -1 if not in the campaign
    survey_info: dict
    clv_truth: dict
    camp_truth: dict
    prospect_truth: dict
    first_customer: int = 1       # number of the first customer id (a later block of a company in blocks)


def customer_truth_table(run: Run, cust_ids) -> pd.DataFrame:
    """The hidden per-customer labels (``truth_customers.parquet``), columns as in ``CUSTOMER_TRUTH_COLUMNS``."""
    tr, st, start, uplift_group = run.tr, run.st, run.w.start, run.uplift_group
    dropout_day = st.dropout_day
    return pd.DataFrame({
        "customer_id": _str_series(cust_ids),
        "persona": _labels(run.cust.persona, PERSONAS),
        "advocacy_tier": _labels(tr.tier_adv, ADVOCACY_TIERS),
        "locked_in": tr.locked_in,
        "multi_category": run.n_cats >= 2,
        "n_categories": run.n_cats.astype(np.int64),
        "uplift_group": pd.Series(pa.array(list(UPLIFT_GROUPS) + [None]).take(pa.array(np.where(uplift_group < 0, 4, uplift_group)))),
        "lambda": tr.lam,
        "p_dropout": tr.p_drop,
        "dropout_hazard_multiplier": tr.hr_static,
        "spend_multiplier": tr.zeta,
        "loyalty_latent": tr.L.astype(np.float64),
        "satisfaction_latent": tr.sat,
        "advocacy_score": np.where(np.isfinite(tr.adv_score), tr.adv_score, np.nan),
        "dropout_date": pd.Series(np.where(dropout_day < BIG, (np.datetime64(start.to_datetime64(), "D") + np.minimum(dropout_day, BIG - 1).astype("timedelta64[D]")), np.datetime64("NaT")).astype("datetime64[us]")),
        "alive_at_end": st.alive,
        "n_orders": run.n_orders_c.astype(np.int64),
        "revenue": np.round(run.revenue, 2),
        "bass_adopter": st.bass_adopted.any(axis=0),
    })


def build_truth(run: Run) -> dict:
    """``truth.json`` as a dict (before :func:`._arrays._jsonable`), one section per key of ``TRUTH_SCHEMA``."""
    return {
        "schema_version": TRUTH_SCHEMA_VERSION,
        "schema": TRUTH_SCHEMA,
        "company": _company(run),
        "tables": {k: int(len(v)) for k, v in run.tables.items()},
        "dates": {k: {"date": v, "in_window": run.w.in_window[k]} for k, v in DATES.items()},
        "purchase_process": _purchase_process(run),
        "personas": _personas(run),
        "reason_drivers": _reason_drivers(run),
        "advocacy": _advocacy(run),
        "multi_category": _multi_category(run),
        "churn_drivers": _churn_drivers(),
        "acquisition": {k: v for k, v in run.clv_truth.items() if not k.startswith("_")},
        "changes": [_competitor_price_cut(run), _delivery_slowdown(run), _app_launch(run)],
        "non_changes": _non_changes(),
        "campaign": run.camp_truth,
        "cross_sell": _cross_sell(run),
        "innovation": _innovation(run),
        "prospects": run.prospect_truth,
        "surveys": _surveys(run),
        "data_quality": _data_quality(run),
        "customer_truth_columns": CUSTOMER_TRUTH_COLUMNS,
    }


def _lat_r(a: str, b: str) -> float:
    """Within-persona correlation of two latent reasons implied by the factor loadings."""
    return float(WHY_LOADINGS[REASON_INDEX[a]] @ WHY_LOADINGS[REASON_INDEX[b]])


def _nps_score(x):
    return float(100 * ((x >= 9).mean() - (x <= 6).mean())) if len(x) else None


def _dropped(run: Run) -> np.ndarray:
    return run.st.dropout_day < BIG


def _company(run: Run) -> dict:
    w, N, n_base = run.w, run.cust.N, run.cust.n_base
    return {"name": COMPANY_NAME, "description": "multi-channel home & garden retailer (stores, web, app)",
            "start": w.start.strftime("%Y-%m-%d"), "end": w.end.strftime("%Y-%m-%d"),
            "n_customers": N, "seed": run.seed, "currency": "EUR", "scale": w.scale,
            "initial_base": int(n_base), "acquired_in_window": int(N - n_base),
            "generator": "customer_workbook.sample.generate_sample"}


def _purchase_process(run: Run) -> dict:
    n_ord = run.n_orders_c
    return {
        "time_unit": "week",
        "purchase_rate": {"distribution": "lambda_i = persona_mult * channel_mult * Gamma(shape r, rate alpha)",
                          "r": GAMMA_R, "alpha": GAMMA_ALPHA, "mean_base": GAMMA_R / GAMMA_ALPHA,
                          "realised_mean_lambda": float(np.mean(run.tr.lam))},
        "dropout": {"distribution": "after every order the customer leaves with probability min(0.9, p_i * hazard), "
                                    "p_i ~ Beta(a, b); hazard = product of the churn_drivers",
                    "a": BETA_A, "b": BETA_B, "mean_base": BETA_A / (BETA_A + BETA_B)},
        "persona_rate_multiplier": dict(zip(PERSONAS, LAMBDA_PERSONA.tolist())),
        "persona_dropout_multiplier": dict(zip(PERSONAS, DROPOUT_PERSONA.tolist())),
        "channel_rate_multiplier": dict(zip(ACQ_CHANNELS, LAMBDA_CHANNEL.tolist())),
        "first_order_on_signup_probability": FIRST_ORDER_PROB,
        "monthly_seasonality": dict(zip(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                         "nov", "dec"], SEASON.round(4).tolist())),
        "seasonality_note": "November-December peak (Dec highest) and a May-June garden peak; garden categories "
                            "peak in spring/summer, lighting and decor in Q4 (category_seasonality)",
        "category_seasonality": {c: CAT_SEASON[:, j].round(2).tolist() for j, c in enumerate(CATEGORIES)},
        "spend": {"model": "order value target = persona base value * zeta_i * w; zeta_i = (p/nu_i)/E[p/nu], "
                           "nu_i ~ Gamma(q, rate gamma); w ~ Gamma(p, rate p); lines and quantities are rounded "
                           "to real products, so a fitted Gamma-Gamma is only approximately these values",
                  "p": GG_P, "q": GG_Q, "gamma": GG_GAMMA,
                  "persona_base_order_value": dict(zip(PERSONAS, BASE_ORDER_VALUE.tolist())),
                  "channel_spend_multiplier": dict(zip(ACQ_CHANNELS, SPEND_CHANNEL.tolist()))},
        "realised": {"orders": int(run.lines.n_orders_out), "lines": int(len(run.tables["transactions"])),
                     "orders_per_buying_customer": float(n_ord[n_ord > 0].mean()),
                     "buying_customers": int((n_ord > 0).sum()),
                     "share_dropped_out_by_end": float(_dropped(run).mean())},
    }


def _persona_profile(run: Run, p: int, share: float) -> dict:
    info = run.survey_info
    m = run.cust.persona == p
    sp = info["persona"] == p
    reason_dist = np.bincount(info["primary"][sp], minlength=10) / max(sp.sum(), 1)
    return {
        "share": float(share),
        "age_mean": float(run.cust.age[m].mean()) if m.any() else None,
        "income_mix": dict(zip(INCOME_BANDS, INCOME_MIX[p].tolist())),
        "region_mix": dict(zip(REGIONS, REGION_MIX[p].tolist())),
        "purchase_rate_multiplier": float(LAMBDA_PERSONA[p]),
        "dropout_multiplier": float(DROPOUT_PERSONA[p]),
        "base_order_value": float(BASE_ORDER_VALUE[p]),
        "extra_lines_per_order_mean": float(LINES_MU[p]),
        "store_share": float(STORE_PROB[p]), "app_share_after_ramp": float(APP_SHARE[p]),
        "express_delivery_share": float(EXPRESS_PROB[p]),
        "discount_line_share": float(DISCOUNT_PROB[p]), "return_line_share": float(RETURN_PROB[p]),
        "tier_preference": dict(zip(TIERS, TIER_PREF[p].tolist())),
        "category_mix": dict(zip(CATEGORIES, CAT_PREF[p].tolist())),
        "new_product_weight": float(NEW_PRODUCT_BOOST[p]), "exclusive_weight": float(EXCLUSIVE_BOOST[p]),
        "reason_latent_means": {r: float(v) for r, v in zip(REASONS, WHY_PERSONA_MEAN[p]) if v != 0},
        "dominant_reason": REASONS[int(np.argmax(reason_dist))] if sp.any() else None,
        "primary_reason_distribution": dict(zip(REASONS, reason_dist.tolist())),
    }


def _personas(run: Run) -> dict:
    shares = np.bincount(run.cust.persona, minlength=5) / run.cust.N
    personas = {name: _persona_profile(run, p, shares[p]) for p, name in enumerate(PERSONAS)}
    return {"names": list(PERSONAS), "profiles": personas,
            "recoverability": "cluster on age, income, store/web/app shares, discount share, mean order "
                              "value, premium share, category shares and frequency; expect ARI > 0.5 on "
                              "customers with 2+ orders",
            "persona_acquisition_mix": {c: dict(zip(PERSONAS, PERSONA_ACQ_MIX[j].tolist()))
                                        for j, c in enumerate(ACQ_CHANNELS)}}


def _reason_drivers(run: Run) -> dict:
    sv = run.tables["surveys"]
    nps = sv["nps"].to_numpy()
    # reference driver regression on the generated surveys (OLS of nps on the ten why_* items)
    X = np.column_stack([np.ones(len(sv))] + [sv[f"why_{r}"].to_numpy(float) for r in REASONS])
    beta = np.linalg.lstsq(X, nps.astype(float), rcond=None)[0][1:] if len(sv) > 20 else np.zeros(10)
    corr = [float(np.corrcoef(sv[f"why_{r}"], nps)[0, 1]) if len(sv) > 20 else None for r in REASONS]
    return {
        "true_drivers": NPS_DRIVERS,
        "coefficient_unit": "NPS points per 1 SD of the latent reason (a why_* item is ~ round(3 + 0.9*latent + noise))",
        "nps_model": f"nps = clip(round({NPS_INTERCEPT} + sum(coef * latent) + {NPS_SAT_COEF} * satisfaction "
                     f"+ tier bonus {dict(zip(ADVOCACY_TIERS, NPS_TIER_BONUS.tolist()))} "
                     f"+ {NPS_LOCKED_IN} if locked in + N(0, {NPS_NOISE_SD})), 0, 10)",
        "loyalty": "the same weighted sum (standardised, L) lowers the dropout hazard: HR 0.75 per SD",
        "correlated_not_causal": {
            "marketing_packaging": f"shares a factor with personalisation (latent r = {_lat_r('marketing_packaging', 'personalisation'):.2f})",
            "bandwagon": f"shares a factor with social_proof (latent r = {_lat_r('bandwagon', 'social_proof'):.2f})",
            "sympathy": f"loads on the personalisation and fast_brand factors (latent r = "
                        f"{_lat_r('sympathy', 'personalisation'):.2f} and {_lat_r('sympathy', 'fast_brand'):.2f})",
            "innovation": f"shares a factor with social_proof (latent r = {_lat_r('innovation', 'social_proof'):.2f})"},
        "halo": f"each respondent has a scale-use offset N(0, {WHY_RESPONSE_STYLE_SD}) added to all ten why_* items",
        "expected_top3": list(NPS_DRIVERS),
        "reference_ols_coefficients": dict(zip(REASONS, np.round(beta, 4).tolist())),
        "reference_correlations": dict(zip(REASONS, corr)),
        "latent_loadings": {r: WHY_LOADINGS[i].tolist() for i, r in enumerate(REASONS)},
    }


def _locked_in(run: Run) -> dict:
    locked_in, dropped = run.tr.locked_in, _dropped(run)
    return {"definition": "loyal_local persona, lack_of_alternatives latent > 0.9, region North or Central",
            "share": float(locked_in.mean()), "dropout_hazard_ratio": HR["locked_in"],
            "advocacy": "always lurker (never liker/lover); NPS -1.0",
            "realised_share_dropped": float(dropped[locked_in].mean()) if locked_in.any() else None,
            "realised_share_dropped_others": float(dropped[~locked_in].mean())}


def _top_spenders_vs_advocates(run: Run) -> dict:
    rev, tier_adv, adv_score = run.revenue, run.tr.tier_adv, run.tr.adv_score
    top = rev >= np.quantile(rev, 0.9)
    lovers = tier_adv == 2
    engaged = tier_adv >= 1
    return {
        "top_decile_spenders_share_lovers": float(lovers[top].mean()),
        "top_decile_spenders_share_likers_or_lovers": float(engaged[top].mean()),
        "lovers_share_in_top_spend_decile": float(top[lovers].mean()) if lovers.any() else None,
        "spearman_revenue_vs_advocacy_score": float(pd.Series(rev).corr(pd.Series(
            np.where(np.isfinite(adv_score), adv_score, np.nan)), method="spearman")),
        "note": "quality connoisseurs spend the most but have the lowest advocacy offset; trend seekers "
                "are the most likely lovers",
    }


def _advocacy(run: Run) -> dict:
    tier_adv, sv = run.tr.tier_adv, run.tables["surveys"]
    eng_counts = run.tables["engagement"].groupby("event").size().to_dict()
    sv_idx = sv["customer_id"].str.slice(1).astype(np.int64).to_numpy()
    sv_tier = tier_adv[sv_idx - run.first_customer]
    nps = sv["nps"].to_numpy()
    return {
        "shares_planted": {"lurker": 0.90, "liker": 0.09, "lover": 0.01},
        "shares_realised": {t: float((tier_adv == j).mean()) for j, t in enumerate(ADVOCACY_TIERS)},
        "assignment": "rank of 0.9*L + 0.3*satisfaction + persona offset + N(0, 0.7); top 1% lovers, next 9% likers",
        "persona_offset": dict(zip(PERSONAS, ADVOCACY_PERSONA.tolist())),
        "engagement_rates_per_week": {e: dict(zip(ADVOCACY_TIERS, v.tolist())) for e, v in ENGAGE_RATES.items()},
        "engagement_note": "app_session only after the app launch, scaled by persona "
                           + str(dict(zip(PERSONAS, APP_SESSION_PERSONA.tolist()))) + "; locked-in halved; "
                           "events only between signup (or start) and dropout",
        "engagement_events": {k: int(v) for k, v in eng_counts.items()},
        "locked_in": _locked_in(run),
        "top_spenders_vs_advocates": _top_spenders_vs_advocates(run),
        "nps_by_tier": {t: _nps_score(nps[sv_tier == j]) for j, t in enumerate(ADVOCACY_TIERS)},
    }


def _multi_category(run: Run) -> dict:
    n_cats, n_ord, dropped = run.n_cats, run.n_orders_c, _dropped(run)
    buyers2 = n_ord >= 2
    return {
        "hazard_ratio": HR["multi_category"],
        "definition": "from the order on which a customer has bought in 2+ categories, the per-order dropout "
                      "probability is multiplied by 0.6",
        "share_multi_category_among_buyers": float((n_cats[n_ord > 0] >= 2).mean()),
        "realised_dropout_share_2plus_orders": {
            "single_category": float(dropped[buyers2 & (n_cats == 1)].mean()) if (buyers2 & (n_cats == 1)).any() else None,
            "multi_category": float(dropped[buyers2 & (n_cats >= 2)].mean()) if (buyers2 & (n_cats >= 2)).any() else None},
    }


def _churn_drivers() -> dict:
    return {
        "model": "per-order dropout probability = min(0.9, p_i * product of hazard ratios)",
        "hazard_ratios": HR,
        "acquisition_channel": dict(zip(ACQ_CHANNELS, HR_CHANNEL.tolist())),
        "persona": dict(zip(PERSONAS, DROPOUT_PERSONA.tolist())),
        "slow_delivery_threshold_days": SLOW_DAYS,
        "observable_proxies": {"multi_category": "distinct categories in transactions",
                               "slow_delivery": "transactions.delivery_days > 6",
                               "returned_line": "negative transaction lines",
                               "loyalty_latent_per_sd": "survey why_personalisation/fast_brand/social_proof, nps",
                               "satisfaction_latent_per_sd": "survey sat_* items",
                               "liker/lover": "engagement events (low engagement = higher churn)",
                               "locked_in": "survey why_lack_of_alternatives, loyal-local profile",
                               "competitor_cut_bargain_hunter": "price-sensitive behaviour after 2025-03-03"},
    }


def _competitor_price_cut(run: Run) -> dict:
    # bargain hunters' weekly orders per alive customer before / after the competitor cut
    O, cd = run.st.O, run.w.comp_day
    bh_cust = run.cust.persona[O["cust"]] == BH
    oday = O["sec"] // 86400

    def weekly_orders(mask, lo, hi):
        return float((mask & (oday >= lo) & (oday < hi)).sum() / max((hi - lo) / 7, 1))
    bh_before = weekly_orders(bh_cust, cd - 182, cd) if cd < BIG else None
    bh_after = weekly_orders(bh_cust, cd, cd + 182) if cd < BIG else None
    oth_before = weekly_orders(~bh_cust, cd - 182, cd) if cd < BIG else None
    oth_after = weekly_orders(~bh_cust, cd, cd + 182) if cd < BIG else None
    return {"name": "competitor_price_cut", "date": DATES["competitor_price_cut"],
            "in_window": run.w.in_window["competitor_price_cut"],
            "what": "a rival cuts prices ~10%: market.competitor_price_index drops from ~1.01 to ~0.91 and stays",
            "affected_segment": "bargain_hunter", "direction": "down",
            "effects": {"purchase_rate_multiplier": COMPETITOR_LAMBDA_MULT,
                        "dropout_hazard_ratio": HR["competitor_cut_bargain_hunter"],
                        "sat_pricing_shift_latent": PRICING_SAT_SHIFT_BH},
            "realised": {"bargain_hunter_orders_per_week_26w_before": bh_before,
                         "bargain_hunter_orders_per_week_26w_after": bh_after,
                         "other_orders_per_week_26w_before": oth_before,
                         "other_orders_per_week_26w_after": oth_after},
            "visible_in": ["market.competitor_price_index", "market.competitor_event",
                           "transactions of bargain hunters", "surveys.sat_pricing (bargain hunters)"]}


def _delivery_slowdown(run: Run) -> dict:
    sv, sday, sd, LN = run.tables["surveys"], run.survey_info["day"], run.w.slow_day, run.lines.LN
    sp_before = sv["sat_speed"].to_numpy()[sday < sd]
    sp_after = sv["sat_speed"].to_numpy()[sday >= sd]
    tx_day = LN["day"]
    online = LN["chan"] != 0
    pos = LN["pos"] & (LN["amount"] > 0)
    dl = LN["deliv"]
    deliv_before = float(dl[online & pos & (tx_day < sd) & (tx_day >= sd - 182)].mean()) if sd < BIG else None
    deliv_after = float(dl[online & pos & (tx_day >= sd)].mean()) if sd < BIG else None
    return {"name": "delivery_slowdown", "date": DATES["delivery_slowdown"],
            "in_window": run.w.in_window["delivery_slowdown"],
            "what": "carrier change: web/app delivery_days rise by ~2 days (standard) and ~0.5 (express); "
                    "sat_speed falls ~0.8 points for all respondents",
            "affected_segment": "all survey respondents (sat_speed); online orders (delivery_days); convenience "
                                "seekers churn most through the slow-delivery hazard",
            "direction": "down",
            "effects": {"sat_speed_shift_latent": SPEED_SAT_SHIFT, "slow_delivery_hazard_ratio": HR["slow_delivery"]},
            "realised": {"sat_speed_mean_before": float(sp_before.mean()) if len(sp_before) else None,
                         "sat_speed_mean_after": float(sp_after.mean()) if len(sp_after) else None,
                         "online_delivery_days_mean_26w_before": deliv_before,
                         "online_delivery_days_mean_after": deliv_after},
            "visible_in": ["surveys.sat_speed", "transactions.delivery_days"]}


def _app_launch(run: Run) -> dict:
    LN, app_day = run.lines.LN, run.w.app_day
    tx_day = LN["day"]
    pos = LN["pos"] & (LN["amount"] > 0)
    app_share_12w = None
    if app_day < BIG:
        m = pos & (tx_day >= app_day + 84) & (tx_day < app_day + 84 + 91)
        app_share_12w = float((LN["chan"][m] == 2).mean()) if m.any() else None
    return {"name": "app_launch", "date": DATES["app_launch"], "in_window": run.w.in_window["app_launch"],
            "what": f"new sales channel 'app'; its share of orders ramps linearly over {APP_RAMP_WEEKS} weeks to "
                    "the persona's app share (trend 55%, convenience 45%, bargain 20%, quality 15%, loyal 4%)",
            "affected_segment": "trend_seeker and convenience_seeker most", "direction": "up",
            "realised": {"app_share_of_lines_weeks_12_to_25": app_share_12w},
            "visible_in": ["transactions.channel", "market.channel_launch", "engagement app_session"]}


def _non_changes() -> dict:
    return {
        "decoy_competitor_event": {"date": DATES["decoy_competitor_event"],
                                   "note": "a competitor event text with NO planted effect on anything"},
        "stable": "apart from seasonality, the changes above, the two Bass launches and the campaign, all rates "
                  "are stationary; marketing spend varies randomly (AR(1)) around a constant level",
    }


def _pid_str(i) -> str:
    return f"P{int(i) + 1:04d}"


def _cross_sell(run: Run) -> dict:
    prod = run.catalog.prod
    return {
        "pairs": [{"from": _pid_str(x), "to": _pid_str(y), "from_name": prod["names"][x], "to_name": prod["names"][y],
                   "from_category": CATEGORIES[prod["cat"][x]], "to_category": CATEGORIES[prod["cat"][y]]}
                  for x, y in run.catalog.pairs],
        "mechanism": f"buying 'from' sets a pending follow-up with probability {FOLLOW_SET_PROB}; the customer's "
                     f"next order then contains 'to' with probability {FOLLOW_BUY_PROB}; 'from' products are "
                     f"{ANCHOR_BOOST}x more popular than their peers",
        "category_affinity": "persona category mixes (personas.profiles.*.category_mix) create category "
                             "co-purchase; complement map " + str(COMPLEMENT),
        "expected": "an item-item recommender beats popularity on a time split (hit rate)",
    }


def _innovation(run: Run) -> dict:
    prod, D, in_window = run.catalog.prod, run.w.D, run.w.in_window
    bass = []
    for j, b in enumerate(run.w.fx.bass):
        pid = int(prod["bass_idx"][j]) + 1
        adopt = run.st.bass_adopt_day[j]
        ad = adopt[adopt < BIG]
        bass.append({**{k: v for k, v in b.items() if k != "key"}, "product_id": f"P{pid:04d}",
                     "launch_date": DATES[b["key"]], "in_window": in_window[b["key"]],
                     "adopters": int(len(ad)),
                     "peak_adoption_week_after_launch": int(np.bincount((ad - D[b["key"]]) // 7).argmax()) if len(ad) else None,
                     "theoretical_peak_week": float(math.log(b["q"] / b["p"]) / (b["p"] + b["q"])),
                     "model": "weekly new adopters ~ Poisson((p + q*A/M) * (M - A)), M = m * active customers; "
                              "adopters drawn with persona weights " + str(dict(zip(PERSONAS, BASS_PERSONA_WEIGHT.tolist())))})
    return {"launched_in_window": [_pid_str(i) for i in np.flatnonzero(prod["in_window"])], "bass_products": bass,
            "trend_seeker_new_product_weight": float(NEW_PRODUCT_BOOST[TS])}


def _surveys(run: Run) -> dict:
    info = run.survey_info
    return {"response_share": SURVEY_SHARE, "answered_twice_share": SURVEY_TWICE,
            "respondents": info["respondents"], "answered_twice": info["answered_twice"],
            "nps_overall": _nps_score(run.tables["surveys"]["nps"].to_numpy()),
            "primary_reason": "argmax of latent reasons + 0.5 * Gumbel noise",
            "sat_model": "round(persona mean + 0.6 * satisfaction latent + N(0, 0.65)), clipped to 1-5",
            "sat_persona_means": SAT_MEAN}


def _data_quality(run: Run) -> dict:
    tx = run.tables["transactions"]
    nret = int((tx["amount"] < 0).sum())
    nzero = int((tx["amount"] == 0).sum())
    return {
        "return_lines": nret, "return_line_share": float(nret / max(len(tx), 1)),
        "returns_note": "negative amount and quantity, same order_id and product as the purchase, dated 2-30 "
                        "days later, delivery_days 0",
        "zero_value_lines": nzero,
        "zero_value_note": "free promotional gift lines (amount 0, discount 0) added to ~0.6% of orders",
        "personal_columns": ["customers.full_name", "customers.email"],
        "personal_note": "fake names and example.* addresses; not in the contract, so never loaded",
        "contract_violations": "none",
    }
