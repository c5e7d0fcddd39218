"""Which effects the generator plants: the sample company (:data:`PLANTED`) or the null company (:data:`NULL`).

The **null company** (``generate_sample(..., planted_effects=False)``) is the same retailer with every
planted effect switched off, so the workbook's analyses should find nothing beyond their stated
false-alarm rates on it:

- *no dated changes*: no competitor price cut (``market`` has no events at all, the competitor index
  is flat), no delivery slowdown, no satisfaction or price shifts, no Bass-diffusion launches, and
  the app is a sales channel from before the start (no ramp, no launch text);
- *a stationary base*: customers also leave silently at a constant weekly rate
  (:data:`NULL_WEEKLY_LEAVE`), the initial base is drawn from the steady state (personas and
  purchase/dropout traits tilted by their expected lifetime, :func:`steady_state_tilt`) and the
  acquisition rate exactly replaces the customers who leave (:func:`balanced_weekly_acquisitions`),
  so weekly orders and new customers are stationary apart from the monthly seasonality, which stays
  (a calendar rhythm, not an effect a change detector should report);
- *no driver effects*: NPS is its intercept plus noise (no reason, satisfaction, tier or locked-in
  term), satisfaction and advocacy do not depend on the reasons, there is no locked-in group and
  every churn hazard ratio is 1;
- *no campaign effect*: the campaign is still randomised and sent, but nobody is persuaded or
  pushed away, and there are no uplift groups;
- *equal channels*: every acquisition channel has the same persona mix, purchase, dropout and spend
  multipliers, and the same Hill response curve and spend level (so the same cost per customer);
- *no planted cross-sell pairs* (and no anchor boost) and no product or service planted as most
  valuable; prospects' top needs and incomes do not depend on their group.

Personas (behavioural clusters) stay: their purchase rates, baskets, channels and reasons differ as
in the sample, which is not an effect any analysis claims.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .constants import (ACQ_CHANNELS, ANCHOR_BOOST, BASE_CHANNEL_MIX, BASS, BETA_A, BETA_B, DOG_PUSH_PROB,
                        DROPOUT_PERSONA, FIRST_ORDER_PROB, GAMMA_ALPHA, GAMMA_R, HR, HR_CHANNEL, LAMBDA_CHANNEL,
                        LAMBDA_PERSONA, N_PAIRS, NPS_NOISE_SD, PERSONA_ACQ_MIX, PERSUADE_PROB, SPEND_CHANNEL, SPEND_SD,
                        TV_OFF_WEEKS)

__all__ = ["Effects", "PLANTED", "NULL", "effects_for", "NULL_WEEKLY_LEAVE", "NULL_HILL", "NULL_NPS_NOISE_SD",
           "weekly_hazard", "steady_state_weight", "lifetime_weeks_by_persona", "steady_state_tilt",
           "balanced_weekly_acquisitions", "null_hill"]

NULL_WEEKLY_LEAVE = 1 / 208        # null company: silent leaving per week, independent of orders (mean 4 years)
NULL_NPS_NOISE_SD = 2.0            # null company: NPS = round(7.2 + N(0, 2.0)), about the sample's spread
# null company: one Hill curve for every channel at the reference size (vmax is set by the balance)
NULL_HILL = dict(k=2600.0, shape=1.5, current_spend=2600.0)
_LIFETIME_DRAWS, _LIFETIME_SEED = 200_000, 20_000   # fixed Monte Carlo of the expected lifetime (seed-free)


@dataclass(frozen=True, eq=False)
class Effects:
    """The effect parameters the generator uses; :data:`PLANTED` holds the constants of ``constants``."""

    planted: bool
    dated_changes: bool            # competitor cut, delivery slowdown, app ramp, decoy event
    lambda_channel: np.ndarray     # purchase-rate multiplier per acquisition channel
    hr_channel: np.ndarray         # dropout hazard multiplier per acquisition channel
    spend_channel: np.ndarray      # order-value multiplier per acquisition channel
    persona_acq_mix: np.ndarray    # (channel, persona) mix of the customers each channel brings
    base_channel_mix: np.ndarray   # acquisition channels of the initial base
    hr: dict                       # churn hazard ratios (see constants.HR)
    tv_off_weeks: float            # share of weeks TV is dark
    bass: tuple                    # Bass-diffusion launches
    n_pairs: int                   # planted cross-sell pairs
    anchor_boost: float            # popularity boost of the pairs' anchors
    persuade_prob: float           # campaign: treated persuadables' extra order
    dog_push_prob: float           # campaign: treated sleeping dogs leave
    weekly_leave: float            # silent leaving per week, independent of orders
    nps_noise_sd: float


PLANTED = Effects(planted=True, dated_changes=True, lambda_channel=LAMBDA_CHANNEL, hr_channel=HR_CHANNEL,
                  spend_channel=SPEND_CHANNEL, persona_acq_mix=PERSONA_ACQ_MIX, base_channel_mix=BASE_CHANNEL_MIX,
                  hr=HR, tv_off_weeks=TV_OFF_WEEKS, bass=tuple(BASS), n_pairs=N_PAIRS, anchor_boost=ANCHOR_BOOST,
                  persuade_prob=PERSUADE_PROB, dog_push_prob=DOG_PUSH_PROB, weekly_leave=0.0,
                  nps_noise_sd=NPS_NOISE_SD)

NULL = Effects(planted=False, dated_changes=False, lambda_channel=np.ones(5), hr_channel=np.ones(5),
               spend_channel=np.ones(5), persona_acq_mix=np.tile(PERSONA_ACQ_MIX.mean(axis=0), (5, 1)),
               base_channel_mix=np.full(5, 0.2), hr={k: 1.0 for k in HR}, tv_off_weeks=0.0, bass=(), n_pairs=0,
               anchor_boost=1.0, persuade_prob=0.0, dog_push_prob=0.0, weekly_leave=NULL_WEEKLY_LEAVE,
               nps_noise_sd=NULL_NPS_NOISE_SD)


def effects_for(planted_effects: bool) -> Effects:
    """:data:`PLANTED` or :data:`NULL`."""
    return PLANTED if planted_effects else NULL


def weekly_hazard(lam: np.ndarray, p_drop: np.ndarray, hr: np.ndarray, weekly_leave: float) -> np.ndarray:
    """Weekly leaving hazard (per week, continuous): Poisson(lam) orders each ending the customer with
    probability min(0.9, p * hr), plus the constant silent leaving; survival over a week is exp(-hazard)."""
    return lam * np.minimum(p_drop * hr, 0.9) - math.log1p(-weekly_leave)


def steady_state_weight(lam: np.ndarray, p_drop: np.ndarray, hr: np.ndarray, weekly_leave: float) -> np.ndarray:
    """Expected weeks alive of a new customer: (1 - 0.85 * dropout after the first order) / (1 - exp(-hazard)).

    A new customer orders on the signup day with probability ``FIRST_ORDER_PROB`` and may leave after
    that order; afterwards survival over a week is exp(-:func:`weekly_hazard`)."""
    return (1 - FIRST_ORDER_PROB * np.minimum(p_drop * hr, 0.9)) / -np.expm1(-weekly_hazard(lam, p_drop, hr,
                                                                                             weekly_leave))


def lifetime_weeks_by_persona(fx: Effects) -> np.ndarray:
    """Expected weeks alive (:func:`steady_state_weight`) of a new customer of each persona (shape (5,)).

    A fixed-seed Monte Carlo over the purchase-rate and dropout mixtures (the same for every seed),
    for the null company's equal channels (channel multipliers 1)."""
    return _lifetimes(fx.weekly_leave).copy()


@functools.lru_cache(maxsize=4)
def _lifetimes(weekly_leave: float) -> np.ndarray:
    r = np.random.default_rng(_LIFETIME_SEED)
    g = r.gamma(GAMMA_R, 1.0 / GAMMA_ALPHA, _LIFETIME_DRAWS)
    b = r.beta(BETA_A, BETA_B, _LIFETIME_DRAWS)
    return np.array([np.mean(steady_state_weight(g * LAMBDA_PERSONA[p], b, DROPOUT_PERSONA[p], weekly_leave))
                     for p in range(5)])


def steady_state_tilt(fx: Effects) -> tuple[np.ndarray, float]:
    """Persona mix of the customers alive in the steady state (new-customer mix times expected lifetime,
    normalised) and the mean lifetime in weeks of a new customer."""
    mix = fx.persona_acq_mix.mean(axis=0)
    life = lifetime_weeks_by_persona(fx)
    alive = mix * life
    return alive / alive.sum(), float(mix @ life)


def balanced_weekly_acquisitions(n_customers: int, n_weeks: int, fx: Effects) -> float:
    """New customers a week that keep the base stationary: the base (``n - rate * weeks``) equals
    ``rate * mean lifetime``, so ``rate = n / (weeks + mean lifetime)``."""
    return n_customers / (n_weeks + steady_state_tilt(fx)[1])


def null_hill(n_customers: int, n_weeks: int, fx: Effects) -> dict:
    """The null company's Hill curve, the same for every channel, at the reference size of 20,000 customers.

    Its vmax makes the mean response over the AR(1) log-normal spend path (Gauss-Hermite over the path's
    stationary distribution; the lognormal response noise has mean 1) equal to a fifth of
    :func:`balanced_weekly_acquisitions`; k and the spend level are :data:`NULL_HILL`."""
    rate = balanced_weekly_acquisitions(n_customers, n_weeks, fx) / len(ACQ_CHANNELS) * 20_000 / n_customers
    x, wts = np.polynomial.hermite.hermgauss(40)
    s = NULL_HILL["current_spend"] * np.exp(math.sqrt(2) * SPEND_SD * x - SPEND_SD ** 2 / 2)
    k, h = NULL_HILL["k"], NULL_HILL["shape"]
    unit = float((wts * s ** h / (k ** h + s ** h)).sum() / math.sqrt(math.pi))
    return {ch: dict(NULL_HILL, vmax=rate / unit) for ch in ACQ_CHANNELS}

