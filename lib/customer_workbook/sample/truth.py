"""The documented truth of the sample company (``truth.json``)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..contract import REASONS
from .constants import (ACQ_CHANNELS, ADVOCACY_PERSONA, ADVOCACY_TIERS, ANCHOR_BOOST, APP_RAMP_WEEKS,
                        APP_SESSION_PERSONA, APP_SHARE, BASE_ORDER_VALUE, BASS, BASS_PERSONA_WEIGHT, BETA_A,
                        BETA_B, BH, CAT_PREF, CAT_SEASON, CATEGORIES, COMPANY_NAME, COMPETITOR_LAMBDA_MULT,
                        COMPLEMENT, DATES, DISCOUNT_PROB, DROPOUT_PERSONA, ENGAGE_RATES, EXCLUSIVE_BOOST,
                        EXPRESS_PROB, FIRST_ORDER_PROB, FOLLOW_BUY_PROB, FOLLOW_SET_PROB, GAMMA_ALPHA,
                        GAMMA_R, GG_GAMMA, GG_P, GG_Q, HR, HR_CHANNEL, INCOME_BANDS, INCOME_MIX,
                        LAMBDA_CHANNEL, LAMBDA_PERSONA, LINES_MU, NEW_PRODUCT_BOOST, NPS_DRIVERS,
                        NPS_INTERCEPT, NPS_LOCKED_IN, NPS_NOISE_SD, NPS_SAT_COEF, NPS_TIER_BONUS,
                        PERSONA_ACQ_MIX, PERSONAS, PRICING_SAT_SHIFT_BH, REASON_INDEX, REGION_MIX, REGIONS,
                        RETURN_PROB, SAT_MEAN, SEASON, SLOW_DAYS, SPEED_SAT_SHIFT, SPEND_CHANNEL, STORE_PROB,
                        SURVEY_SHARE, SURVEY_TWICE, TIER_PREF, TIERS, TRUTH_SCHEMA, TRUTH_SCHEMA_VERSION, TS,
                        WHY_LOADINGS, WHY_PERSONA_MEAN, WHY_RESPONSE_STYLE_SD)

__all__ = ["_lat_r", "_build_truth"]


def _lat_r(a: str, b: str) -> float:
    """Within-persona correlation of two latent reasons implied by the factor loadings."""
    return float(WHY_LOADINGS[REASON_INDEX[a]] @ WHY_LOADINGS[REASON_INDEX[b]])


def _build_truth(**a) -> dict:
    N = a["n_customers"]; start = a["start"]; persona = a["persona"]; tier_adv = a["tier_adv"]
    D = a["D"]; in_window = a["in_window"]; tx = a["tx"]; sv = a["surveys"]; prod = a["prod"]

    def iso(day):
        return (start + pd.Timedelta(days=int(day))).strftime("%Y-%m-%d")

    shares = np.bincount(persona, minlength=5) / N
    personas = {}
    info = a["survey_info"]
    for p, name in enumerate(PERSONAS):
        m = persona == p
        sp = info["persona"] == p
        reason_dist = np.bincount(info["primary"][sp], minlength=10) / max(sp.sum(), 1)
        personas[name] = {
            "share": float(shares[p]),
            "age_mean": float(a["age"][m].mean()) if m.any() else None,
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
    # advocacy / spend overlap
    rev = a["revenue"]
    top = rev >= np.quantile(rev, 0.9)
    lovers = tier_adv == 2
    engaged = tier_adv >= 1
    eng = a["tables"]["engagement"]
    eng_counts = eng.groupby("event").size().to_dict()
    # NPS by tier
    cust_tier = pd.Series(np.array(ADVOCACY_TIERS)[tier_adv], index=pd.Index(np.arange(1, N + 1)))
    sv_idx = sv["customer_id"].str.slice(1).astype(np.int64).to_numpy()
    sv_tier = tier_adv[sv_idx - 1]
    nps = sv["nps"].to_numpy()

    def nps_score(x):
        return float(100 * ((x >= 9).mean() - (x <= 6).mean())) if len(x) else None

    # reference driver regression on the generated surveys (OLS of nps on the ten why_* items)
    X = np.column_stack([np.ones(len(sv))] + [sv[f"why_{r}"].to_numpy(float) for r in REASONS])
    beta = np.linalg.lstsq(X, nps.astype(float), rcond=None)[0][1:] if len(sv) > 20 else np.zeros(10)
    corr = [float(np.corrcoef(sv[f"why_{r}"], nps)[0, 1]) if len(sv) > 20 else None for r in REASONS]
    # multi-category realised
    n_cats = a["n_cats"]; n_ord = a["n_orders_c"]
    dd = a["dropout_day"]; BIG = a["BIG"]
    buyers2 = n_ord >= 2
    dropped = dd < BIG
    # changes: realised numbers
    sday = info["day"]
    sp_before = sv["sat_speed"].to_numpy()[sday < a["slow_day"]]
    sp_after = sv["sat_speed"].to_numpy()[sday >= a["slow_day"]]
    LN = a["LN"]
    tx_day = LN["day"]
    online = LN["chan"] != 0
    pos = LN["pos"] & (LN["amount"] > 0)
    dl = LN["deliv"]
    sd = a["slow_day"]
    deliv_before = float(dl[online & pos & (tx_day < sd) & (tx_day >= sd - 182)].mean()) if sd < BIG else None
    deliv_after = float(dl[online & pos & (tx_day >= sd)].mean()) if sd < BIG else None
    app_share_12w = None
    if a["app_day"] < BIG:
        m = pos & (tx_day >= a["app_day"] + 84) & (tx_day < a["app_day"] + 84 + 91)
        app_share_12w = float((LN["chan"][m] == 2).mean()) if m.any() else None
    # bargain hunters' weekly orders per alive customer before / after the competitor cut
    bh_cust = persona[a["O"]["cust"]] == BH
    oday = a["O"]["sec"] // 86400
    cd = a["comp_day"]

    def weekly_orders(mask, lo, hi):
        return float((mask & (oday >= lo) & (oday < hi)).sum() / max((hi - lo) / 7, 1))
    bh_before = weekly_orders(bh_cust, cd - 182, cd) if cd < BIG else None
    bh_after = weekly_orders(bh_cust, cd, cd + 182) if cd < BIG else None
    oth_before = weekly_orders(~bh_cust, cd - 182, cd) if cd < BIG else None
    oth_after = weekly_orders(~bh_cust, cd, cd + 182) if cd < BIG else None
    # bass adoption
    bass = []
    for j, b in enumerate(BASS):
        pid = int(prod["bass_idx"][j]) + 1
        adopt = a["bass_adopt_day"][j]
        ad = adopt[adopt < BIG]
        bass.append({**{k: v for k, v in b.items() if k != "key"}, "product_id": f"P{pid:04d}",
                     "launch_date": DATES[b["key"]], "in_window": in_window[b["key"]],
                     "adopters": int(len(ad)),
                     "peak_adoption_week_after_launch": int(np.bincount((ad - D[b["key"]]) // 7).argmax()) if len(ad) else None,
                     "theoretical_peak_week": float(math.log(b["q"] / b["p"]) / (b["p"] + b["q"])),
                     "model": "weekly new adopters ~ Poisson((p + q*A/M) * (M - A)), M = m * active customers; "
                              "adopters drawn with persona weights " + str(dict(zip(PERSONAS, BASS_PERSONA_WEIGHT.tolist())))})
    pid_str = lambda i: f"P{int(i) + 1:04d}"
    new_products = [pid_str(i) for i in np.flatnonzero(prod["in_window"])]
    camp = a["camp_truth"]
    acq = a["clv_truth"]
    nret = int((tx["amount"] < 0).sum())
    nzero = int((tx["amount"] == 0).sum())
    truth = {
        "schema_version": TRUTH_SCHEMA_VERSION,
        "schema": TRUTH_SCHEMA,
        "company": {"name": COMPANY_NAME, "description": "multi-channel home & garden retailer (stores, web, app)",
                    "start": start.strftime("%Y-%m-%d"), "end": a["end"].strftime("%Y-%m-%d"),
                    "n_customers": N, "seed": a["seed"], "currency": "EUR", "scale": a["scale"],
                    "initial_base": int(a["n_base"]), "acquired_in_window": int(N - a["n_base"]),
                    "generator": "customer_workbook.sample.generate_sample"},
        "tables": {k: int(len(v)) for k, v in a["tables"].items()},
        "dates": {k: {"date": v, "in_window": in_window[k]} for k, v in DATES.items()},
        "purchase_process": {
            "time_unit": "week",
            "purchase_rate": {"distribution": "lambda_i = persona_mult * channel_mult * Gamma(shape r, rate alpha)",
                              "r": GAMMA_R, "alpha": GAMMA_ALPHA, "mean_base": GAMMA_R / GAMMA_ALPHA,
                              "realised_mean_lambda": float(np.mean(a["lam"]))},
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
            "realised": {"orders": int(a["n_orders_out"]), "lines": int(len(tx)),
                         "orders_per_buying_customer": float(n_ord[n_ord > 0].mean()),
                         "buying_customers": int((n_ord > 0).sum()),
                         "share_dropped_out_by_end": float(dropped.mean())},
        },
        "personas": {"names": list(PERSONAS), "profiles": personas,
                     "recoverability": "cluster on age, income, store/web/app shares, discount share, mean order "
                                       "value, premium share, category shares and frequency; expect ARI > 0.5 on "
                                       "customers with 2+ orders",
                     "persona_acquisition_mix": {c: dict(zip(PERSONAS, PERSONA_ACQ_MIX[j].tolist()))
                                                 for j, c in enumerate(ACQ_CHANNELS)}},
        "reason_drivers": {
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
        },
        "advocacy": {
            "shares_planted": {"lurker": 0.90, "liker": 0.09, "lover": 0.01},
            "shares_realised": {t: float((tier_adv == j).mean()) for j, t in enumerate(ADVOCACY_TIERS)},
            "assignment": "rank of 0.9*L + 0.3*satisfaction + persona offset + N(0, 0.7); top 1% lovers, next 9% likers",
            "persona_offset": dict(zip(PERSONAS, ADVOCACY_PERSONA.tolist())),
            "engagement_rates_per_week": {e: dict(zip(ADVOCACY_TIERS, v.tolist())) for e, v in ENGAGE_RATES.items()},
            "engagement_note": "app_session only after the app launch, scaled by persona "
                               + str(dict(zip(PERSONAS, APP_SESSION_PERSONA.tolist()))) + "; locked-in halved; "
                               "events only between signup (or start) and dropout",
            "engagement_events": {k: int(v) for k, v in eng_counts.items()},
            "locked_in": {"definition": "loyal_local persona, lack_of_alternatives latent > 0.9, region North or Central",
                          "share": float(a["locked_in"].mean()), "dropout_hazard_ratio": HR["locked_in"],
                          "advocacy": "always lurker (never liker/lover); NPS -1.0",
                          "realised_share_dropped": float(dropped[a["locked_in"]].mean()) if a["locked_in"].any() else None,
                          "realised_share_dropped_others": float(dropped[~a["locked_in"]].mean())},
            "top_spenders_vs_advocates": {
                "top_decile_spenders_share_lovers": float(lovers[top].mean()),
                "top_decile_spenders_share_likers_or_lovers": float(engaged[top].mean()),
                "lovers_share_in_top_spend_decile": float(top[lovers].mean()) if lovers.any() else None,
                "spearman_revenue_vs_advocacy_score": float(pd.Series(rev).corr(pd.Series(
                    np.where(np.isfinite(a["adv_score"]), a["adv_score"], np.nan)), method="spearman")),
                "note": "quality connoisseurs spend the most but have the lowest advocacy offset; trend seekers "
                        "are the most likely lovers",
            },
            "nps_by_tier": {t: nps_score(nps[sv_tier == j]) for j, t in enumerate(ADVOCACY_TIERS)},
        },
        "multi_category": {
            "hazard_ratio": HR["multi_category"],
            "definition": "from the order on which a customer has bought in 2+ categories, the per-order dropout "
                          "probability is multiplied by 0.6",
            "share_multi_category_among_buyers": float((n_cats[n_ord > 0] >= 2).mean()),
            "realised_dropout_share_2plus_orders": {
                "single_category": float(dropped[buyers2 & (n_cats == 1)].mean()) if (buyers2 & (n_cats == 1)).any() else None,
                "multi_category": float(dropped[buyers2 & (n_cats >= 2)].mean()) if (buyers2 & (n_cats >= 2)).any() else None},
        },
        "churn_drivers": {
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
        },
        "acquisition": {k: v for k, v in acq.items() if not k.startswith("_")},
        "changes": [
            {"name": "competitor_price_cut", "date": DATES["competitor_price_cut"],
             "in_window": in_window["competitor_price_cut"],
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
                            "transactions of bargain hunters", "surveys.sat_pricing (bargain hunters)"]},
            {"name": "delivery_slowdown", "date": DATES["delivery_slowdown"],
             "in_window": in_window["delivery_slowdown"],
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
             "visible_in": ["surveys.sat_speed", "transactions.delivery_days"]},
            {"name": "app_launch", "date": DATES["app_launch"], "in_window": in_window["app_launch"],
             "what": f"new sales channel 'app'; its share of orders ramps linearly over {APP_RAMP_WEEKS} weeks to "
                     "the persona's app share (trend 55%, convenience 45%, bargain 20%, quality 15%, loyal 4%)",
             "affected_segment": "trend_seeker and convenience_seeker most", "direction": "up",
             "realised": {"app_share_of_lines_weeks_12_to_25": app_share_12w},
             "visible_in": ["transactions.channel", "market.channel_launch", "engagement app_session"]},
        ],
        "non_changes": {
            "decoy_competitor_event": {"date": DATES["decoy_competitor_event"],
                                       "note": "a competitor event text with NO planted effect on anything"},
            "stable": "apart from seasonality, the changes above, the two Bass launches and the campaign, all rates "
                      "are stationary; marketing spend varies randomly (AR(1)) around a constant level",
        },
        "campaign": camp,
        "cross_sell": {
            "pairs": [{"from": pid_str(x), "to": pid_str(y), "from_name": prod["names"][x], "to_name": prod["names"][y],
                       "from_category": CATEGORIES[prod["cat"][x]], "to_category": CATEGORIES[prod["cat"][y]]}
                      for x, y in a["pairs"]],
            "mechanism": f"buying 'from' sets a pending follow-up with probability {FOLLOW_SET_PROB}; the customer's "
                         f"next order then contains 'to' with probability {FOLLOW_BUY_PROB}; 'from' products are "
                         f"{ANCHOR_BOOST}x more popular than their peers",
            "category_affinity": "persona category mixes (personas.profiles.*.category_mix) create category "
                                 "co-purchase; complement map " + str(COMPLEMENT),
            "expected": "an item-item recommender beats popularity on a time split (hit rate)",
        },
        "innovation": {"launched_in_window": new_products, "bass_products": bass,
                       "trend_seeker_new_product_weight": float(NEW_PRODUCT_BOOST[TS])},
        "prospects": a["prospect_truth"],
        "surveys": {"response_share": SURVEY_SHARE, "answered_twice_share": SURVEY_TWICE,
                    "respondents": info["respondents"], "answered_twice": info["answered_twice"],
                    "nps_overall": nps_score(nps),
                    "primary_reason": "argmax of latent reasons + 0.5 * Gumbel noise",
                    "sat_model": "round(persona mean + 0.6 * satisfaction latent + N(0, 0.65)), clipped to 1-5",
                    "sat_persona_means": SAT_MEAN},
        "data_quality": {
            "return_lines": nret, "return_line_share": float(nret / max(len(tx), 1)),
            "returns_note": "negative amount and quantity, same order_id and product as the purchase, dated 2-30 "
                            "days later, delivery_days 0",
            "zero_value_lines": nzero,
            "zero_value_note": "free promotional gift lines (amount 0, discount 0) added to ~0.6% of orders",
            "personal_columns": ["customers.full_name", "customers.email"],
            "personal_note": "fake names and example.* addresses; not in the contract, so never loaded",
            "contract_violations": "none",
        },
        "customer_truth_columns": {
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
        },
    }
    return truth
