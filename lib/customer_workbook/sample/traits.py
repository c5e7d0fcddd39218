"""Latent traits of every customer: purchase rate, dropout, spend, reasons to choose, satisfaction, advocacy."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..contract import REASONS
from .constants import (ADVOCACY_PERSONA, BETA_A, BETA_B, CAT_CONCENTRATION, CAT_PREF, DROPOUT_PERSONA, GAMMA_ALPHA,
                        GAMMA_R, GG_GAMMA, GG_P, GG_Q, LAMBDA_PERSONA, LL, NPS_DRIVERS, REASON_INDEX, STORE_PROB,
                        WHY_LOADINGS, WHY_PERSONA_MEAN)
from .effects import PLANTED, Effects, steady_state_weight

__all__ = ["Traits", "draw_traits", "advocacy_tiers", "retier", "NULL_ADVOCACY_SD"]

NULL_ADVOCACY_SD = 1.25            # null company: advocacy score = persona offset + N(0, 1.25), the sample's spread


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


def draw_traits(r, cust, fx: Effects = PLANTED) -> Traits:
    """The hidden traits of every customer (arrays in customer order) under the planted effects ``fx``.

    In the null company the purchase rate, dropout and spend do not depend on the channel, the initial
    base's rates are tilted to the steady state (:func:`_steady_state_rates`), no reason drives the
    loyalty latent (``L`` is 0), satisfaction and advocacy are independent of the reasons, nobody is
    locked in and every hazard ratio is 1."""
    N, persona, channel = cust.N, cust.persona, cust.channel
    lam = r.gamma(GAMMA_R, 1.0 / GAMMA_ALPHA, N) * LAMBDA_PERSONA[persona] * fx.lambda_channel[channel]
    p_drop = r.beta(BETA_A, BETA_B, N)
    if not fx.planted:
        _steady_state_rates(r, cust, lam, p_drop, fx)
    nu = r.gamma(GG_Q, 1.0 / GG_GAMMA, N)
    zeta = (GG_P / nu) / (GG_P * GG_GAMMA / (GG_Q - 1)) * fx.spend_channel[channel]
    f = r.standard_normal((N, 4)).astype(np.float32)
    uniq = np.sqrt(1 - (WHY_LOADINGS ** 2).sum(axis=1)).astype(np.float32)
    why = f @ WHY_LOADINGS.T.astype(np.float32) + r.standard_normal((N, 10)).astype(np.float32) * uniq
    why += WHY_PERSONA_MEAN[persona].astype(np.float32)
    if fx.planted:
        L, sat, locked_in, adv_score = _planted_latents(r, cust, why)
    else:
        L, sat, locked_in = np.zeros(N), r.standard_normal(N), np.zeros(N, bool)
        adv_score = ADVOCACY_PERSONA[persona] + r.normal(0, NULL_ADVOCACY_SD, N)
    tier_adv = advocacy_tiers(adv_score)
    cat_pref = r.gamma(CAT_CONCENTRATION * CAT_PREF[persona]).astype(np.float32)
    cat_pref /= cat_pref.sum(axis=1, keepdims=True)
    store_p = 1 / (1 + np.exp(-(np.log(STORE_PROB[persona] / (1 - STORE_PROB[persona])) + r.normal(0, 0.8, N))))
    hr = fx.hr
    hr_static = (DROPOUT_PERSONA[persona] * fx.hr_channel[channel]
                 * hr["loyalty_latent_per_sd"] ** L * hr["satisfaction_latent_per_sd"] ** sat
                 * _tier_hazard(fx)[tier_adv]
                 * np.where(locked_in, hr["locked_in"], 1.0))
    return Traits(lam=lam, p_drop=p_drop, zeta=zeta, why=why, L=L, sat=sat, locked_in=locked_in,
                  adv_score=adv_score, tier_adv=tier_adv, cat_pref=cat_pref, store_p=store_p, hr_static=hr_static)


def advocacy_tiers(adv_score: np.ndarray) -> np.ndarray:
    """Advocacy tier of every customer by rank of ``adv_score``: the top 1% lovers (2), the next 9% likers (1),
    the rest lurkers (0)."""
    N = len(adv_score)
    rank = np.argsort(-adv_score, kind="stable")
    tier_adv = np.zeros(N, dtype=np.int64)
    n_lover = max(1, int(round(0.01 * N))); n_liker = int(round(0.09 * N))
    tier_adv[rank[:n_lover]] = 2
    tier_adv[rank[n_lover:n_lover + n_liker]] = 1
    return tier_adv


def retier(tr: Traits, fx: Effects = PLANTED) -> Traits:
    """The traits with the advocacy tiers ranked again among these customers (the warm-up's survivors), and
    the tier's factor of the static dropout hazard changed with the tier."""
    tier_adv = advocacy_tiers(tr.adv_score)
    factor = _tier_hazard(fx)
    return dataclasses.replace(tr, tier_adv=tier_adv, hr_static=tr.hr_static * factor[tier_adv] / factor[tr.tier_adv])


def _tier_hazard(fx: Effects) -> np.ndarray:
    """Dropout hazard ratio of a lurker, liker and lover."""
    return np.array([1.0, fx.hr["liker"], fx.hr["lover"]])


def _planted_latents(r, cust, why):
    """The sample's loyalty latent L (the true NPS drivers), satisfaction, the locked-in group and the
    advocacy score (-inf for the locked-in)."""
    N, persona = cust.N, cust.persona
    drv = np.array([NPS_DRIVERS.get(x, 0.0) for x in REASONS], dtype=np.float32)
    loyal_raw = why @ drv
    L = (loyal_raw - loyal_raw.mean()) / loyal_raw.std()
    sat = 0.3 * L + math.sqrt(1 - 0.09) * r.standard_normal(N)
    locked_in = (persona == LL) & (why[:, REASON_INDEX["lack_of_alternatives"]] > 0.9) & np.isin(cust.region, [0, 4])
    adv_score = 0.9 * L + 0.3 * sat + ADVOCACY_PERSONA[persona] + r.normal(0, 0.7, N)
    adv_score[locked_in] = -np.inf
    return L, sat, locked_in, adv_score


def _steady_state_rates(r, cust, lam, p_drop, fx: Effects) -> None:
    """Null company: redraw the initial base's purchase rate and dropout (in place) until they follow the
    steady state: the new-customer distribution weighted by the expected weeks alive (``steady_state_weight``).

    Rejection sampling: a draw is kept with probability weight / largest weight (that of a customer who
    never orders, 1 / (1 - exp(-h0)), h0 the silent-leaving hazard); rounds loop until every base
    customer is kept."""
    persona, channel = cust.persona, cust.channel
    top = steady_state_weight(np.zeros(1), np.zeros(1), np.ones(1), fx.weekly_leave)[0]
    todo = np.flatnonzero(~cust.is_acq)
    while len(todo):
        weight = steady_state_weight(lam[todo], p_drop[todo],
                                     DROPOUT_PERSONA[persona[todo]] * fx.hr_channel[channel[todo]], fx.weekly_leave)
        todo = todo[r.random(len(todo)) >= weight / top]
        lam[todo] = (r.gamma(GAMMA_R, 1.0 / GAMMA_ALPHA, len(todo)) * LAMBDA_PERSONA[persona[todo]]
                     * fx.lambda_channel[channel[todo]])
        p_drop[todo] = r.beta(BETA_A, BETA_B, len(todo))
