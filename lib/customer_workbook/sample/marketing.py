"""Weekly marketing spend per acquisition channel and the Hill-curve new customers it buys."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._arrays import _dates, _hill, _labels
from .constants import ACQ_CHANNELS, ACQ_NOISE_SD, HILL, SPEND_AR, SPEND_SD
from .effects import balanced_weekly_acquisitions, null_hill

__all__ = ["simulate_marketing", "marketing_table"]


def simulate_marketing(rng, window, n_customers: int):
    """Spend and new customers per (marketing week, channel); thinned if they would exceed 80% of the customers.

    The sample's channels follow their planted Hill curves (``HILL``); in the null company (``window.fx``)
    every channel follows one curve whose mean replaces the customers who leave (:func:`.effects.null_hill`),
    and the total is fixed at that balance (the counts are multinomial given the total: Poisson conditioned
    on its sum), so the steady-state base is exactly as large as the acquisitions require."""
    fx, n_weeks = window.fx, len(window.mk_blocks)
    hill = HILL if fx.planted else null_hill(n_customers, n_weeks, fx)
    spend, new, mu = _marketing(rng, n_weeks, window.scale, hill, fx.tv_off_weeks)
    if not fx.planted:   # the balance holds exactly: the total is fixed, the weeks and channels share it by mu
        total = int(round(balanced_weekly_acquisitions(n_customers, n_weeks, fx) * n_weeks))
        new = rng.multinomial(total, (mu / mu.sum()).reshape(-1)).reshape(mu.shape)
    n_acq = int(new.sum())
    if n_acq > 0.8 * n_customers:      # only for unusual windows: thin the acquisitions
        new = rng.binomial(new, 0.8 * n_customers / n_acq)
    return spend, new


def marketing_table(window, spend, new) -> pd.DataFrame:
    mk_weeks = window.block_start[window.mk_blocks]
    W, C = len(mk_weeks), len(ACQ_CHANNELS)
    return pd.DataFrame({
        "week": _dates(window.start, np.repeat(mk_weeks, C)),
        "channel": _labels(np.tile(np.arange(C), W), ACQ_CHANNELS),
        "spend": spend.reshape(-1),
        "new_customers": new.reshape(-1).astype(np.int64),
    })


def _marketing(rng, n_weeks: int, scale: float, hill: dict, tv_off_weeks: float):
    """Weekly spend per channel (AR(1) log-normal around the current spend), Hill-curve responses (new
    customers) and their Poisson means.

    ``hill``: per channel vmax, k, shape and current spend at the reference size (times ``scale``);
    TV is dark in a random ``tv_off_weeks`` share of weeks."""
    n_ch = len(ACQ_CHANNELS)
    spend = np.zeros((n_weeks, n_ch))
    new = np.zeros((n_weeks, n_ch), dtype=np.int64)
    mu_all = np.zeros((n_weeks, n_ch))
    for j, ch in enumerate(ACQ_CHANNELS):
        h = hill[ch]
        e = np.zeros(n_weeks)
        shocks = rng.normal(0, SPEND_SD * math.sqrt(1 - SPEND_AR ** 2), n_weeks)
        e[0] = rng.normal(0, SPEND_SD)
        for t in range(1, n_weeks):      # loop over weeks
            e[t] = SPEND_AR * e[t - 1] + shocks[t]
        s = h["current_spend"] * scale * np.exp(e - SPEND_SD ** 2 / 2)
        if ch == "tv":
            s[rng.random(n_weeks) < tv_off_weeks] = 0.0
        s = np.round(s, 2)
        mu = _hill(s, h["vmax"] * scale, h["k"] * scale, h["shape"]) * np.exp(rng.normal(-ACQ_NOISE_SD ** 2 / 2, ACQ_NOISE_SD, n_weeks))
        spend[:, j] = s
        new[:, j] = rng.poisson(mu)
        mu_all[:, j] = mu
    return spend, new, mu_all
