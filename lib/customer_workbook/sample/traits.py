"""Latent traits of every customer: purchase rate, dropout, spend, reasons to choose, satisfaction, advocacy."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..contract import REASONS
from .constants import (ADVOCACY_PERSONA, BETA_A, BETA_B, CAT_CONCENTRATION, CAT_PREF, DROPOUT_PERSONA, GAMMA_ALPHA,
                        GAMMA_R, GG_GAMMA, GG_P, GG_Q, HR, HR_CHANNEL, LAMBDA_CHANNEL, LAMBDA_PERSONA, LL,
                        NPS_DRIVERS, REASON_INDEX, SPEND_CHANNEL, STORE_PROB, WHY_LOADINGS, WHY_PERSONA_MEAN)

__all__ = ["Traits", "draw_traits"]


@dataclass(frozen=True)
class Traits:
    """Hidden per-customer parameters of the simulation (arrays in customer order)."""

    lam: np.ndarray               # weekly purchase rate
    p_drop: np.ndarray            # base per-order dropout probability
    zeta: np.ndarray              # order-value multiplier
    why: np.ndarray               # (N, 10) latent reasons to choose (float32)
    L: np.ndarray                 # standardised loyalty latent (weighted sum of the true NPS drivers)
    sat: np.ndarray               # satisfaction latent
    locked_in: np.ndarray
    adv_score: np.ndarray         # advocacy score (-inf for the locked-in)
    tier_adv: np.ndarray          # advocacy tier: 0 lurker, 1 liker, 2 lover
    cat_pref: np.ndarray          # (N, 8) category mix (float32)
    store_p: np.ndarray           # share of orders in store (before the app)
    hr_static: np.ndarray         # static dropout hazard multiplier


def draw_traits(r, cust) -> Traits:
    N, persona, channel = cust.N, cust.persona, cust.channel
    lam = r.gamma(GAMMA_R, 1.0 / GAMMA_ALPHA, N) * LAMBDA_PERSONA[persona] * LAMBDA_CHANNEL[channel]
    p_drop = r.beta(BETA_A, BETA_B, N)
    nu = r.gamma(GG_Q, 1.0 / GG_GAMMA, N)
    zeta = (GG_P / nu) / (GG_P * GG_GAMMA / (GG_Q - 1)) * SPEND_CHANNEL[channel]
    f = r.standard_normal((N, 4)).astype(np.float32)
    uniq = np.sqrt(1 - (WHY_LOADINGS ** 2).sum(axis=1)).astype(np.float32)
    why = f @ WHY_LOADINGS.T.astype(np.float32) + r.standard_normal((N, 10)).astype(np.float32) * uniq
    why += WHY_PERSONA_MEAN[persona].astype(np.float32)
    drv = np.array([NPS_DRIVERS.get(x, 0.0) for x in REASONS], dtype=np.float32)
    loyal_raw = why @ drv
    L = (loyal_raw - loyal_raw.mean()) / loyal_raw.std()
    sat = 0.3 * L + math.sqrt(1 - 0.09) * r.standard_normal(N)
    locked_in = (persona == LL) & (why[:, REASON_INDEX["lack_of_alternatives"]] > 0.9) & np.isin(cust.region, [0, 4])
    adv_score = 0.9 * L + 0.3 * sat + ADVOCACY_PERSONA[persona] + r.normal(0, 0.7, N)
    adv_score[locked_in] = -np.inf
    rank = np.argsort(-adv_score, kind="stable")
    tier_adv = np.zeros(N, dtype=np.int64)
    n_lover = max(1, int(round(0.01 * N))); n_liker = int(round(0.09 * N))
    tier_adv[rank[:n_lover]] = 2
    tier_adv[rank[n_lover:n_lover + n_liker]] = 1
    cat_pref = r.gamma(CAT_CONCENTRATION * CAT_PREF[persona]).astype(np.float32)
    cat_pref /= cat_pref.sum(axis=1, keepdims=True)
    store_p = 1 / (1 + np.exp(-(np.log(STORE_PROB[persona] / (1 - STORE_PROB[persona])) + r.normal(0, 0.8, N))))
    hr_static = (DROPOUT_PERSONA[persona] * HR_CHANNEL[channel]
                 * HR["loyalty_latent_per_sd"] ** L * HR["satisfaction_latent_per_sd"] ** sat
                 * np.array([1.0, HR["liker"], HR["lover"]])[tier_adv]
                 * np.where(locked_in, HR["locked_in"], 1.0))
    return Traits(lam=lam, p_drop=p_drop, zeta=zeta, why=why, L=L, sat=sat, locked_in=locked_in,
                  adv_score=adv_score, tier_adv=tier_adv, cat_pref=cat_pref, store_p=store_p, hr_static=hr_static)
