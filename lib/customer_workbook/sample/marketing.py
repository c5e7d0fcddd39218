"""Weekly marketing spend per acquisition channel and the Hill-curve new customers it buys."""
from __future__ import annotations

import math

import numpy as np

from ._arrays import _hill
from .constants import ACQ_CHANNELS, ACQ_NOISE_SD, HILL, SPEND_AR, SPEND_SD, TV_OFF_WEEKS

__all__ = ["_marketing"]


def _marketing(rng, n_weeks: int, scale: float):
    """Weekly spend per channel (AR(1) log-normal around the current spend) and Hill-curve responses."""
    n_ch = len(ACQ_CHANNELS)
    spend = np.zeros((n_weeks, n_ch))
    new = np.zeros((n_weeks, n_ch), dtype=np.int64)
    for j, ch in enumerate(ACQ_CHANNELS):
        h = HILL[ch]
        e = np.zeros(n_weeks)
        shocks = rng.normal(0, SPEND_SD * math.sqrt(1 - SPEND_AR ** 2), n_weeks)
        e[0] = rng.normal(0, SPEND_SD)
        for t in range(1, n_weeks):      # loop over weeks
            e[t] = SPEND_AR * e[t - 1] + shocks[t]
        s = h["current_spend"] * scale * np.exp(e - SPEND_SD ** 2 / 2)
        if ch == "tv":
            s[rng.random(n_weeks) < TV_OFF_WEEKS] = 0.0
        s = np.round(s, 2)
        mu = _hill(s, h["vmax"] * scale, h["k"] * scale, h["shape"]) * np.exp(rng.normal(-ACQ_NOISE_SD ** 2 / 2, ACQ_NOISE_SD, n_weeks))
        spend[:, j] = s
        new[:, j] = rng.poisson(mu)
    return spend, new
