"""The customer survey: why_* reasons, satisfaction items and NPS."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import REASONS, SATISFACTION_ITEMS
from ._arrays import _dates, _labels, _str_series
from .constants import (BH, NPS_DRIVERS, NPS_INTERCEPT, NPS_LOCKED_IN, NPS_NOISE_SD, NPS_SAT_COEF,
                        NPS_TIER_BONUS, PRICING_SAT_SHIFT_BH, SAT_MEAN, SPEED_SAT_SHIFT, SURVEY_SHARE,
                        SURVEY_TWICE, WHY_RESPONSE_STYLE_SD)
from .window import BIG

__all__ = ["surveys_table"]


def surveys_table(rng, cust, tr, st, w, cust_ids):
    """Survey answers of a random share of customers, between signup and 60 days after dropout; and facts for the truth.

    In the null company (``w.fx``) NPS is its intercept plus noise, independent of every other answer."""
    win_start = np.maximum(cust.signup, 0)
    win_end = np.minimum(np.minimum(st.dropout_day, BIG) + 60, w.end_day)
    return _surveys(rng, cust.N, cust.persona, tr.why, tr.sat, tr.L, tr.tier_adv, tr.locked_in,
                    win_start, win_end, w.comp_day, w.slow_day, w.start, cust_ids, w.fx)


def _surveys(rng, N, persona, why, sat, L, tier_adv, locked_in, ws, we, comp_day, slow_day, start, cust_ids, fx):
    ok = we - ws >= 1
    resp = np.flatnonzero(ok & (rng.random(N) < SURVEY_SHARE))
    span = we[resp] - ws[resp]
    d1 = ws[resp] + (rng.random(len(resp)) * (span + 1)).astype(np.int64)
    twice = (rng.random(len(resp)) < SURVEY_TWICE) & (span >= 90)
    d2 = ws[resp] + (rng.random(len(resp)) * (span + 1)).astype(np.int64)
    twice &= np.abs(d2 - d1) >= 30
    c = np.concatenate([resp, resp[twice]])
    d = np.concatenate([d1, d2[twice]])
    n = len(c)
    p = persona[c]
    # why items: Likert measures of the latent reasons
    style = rng.normal(0, WHY_RESPONSE_STYLE_SD, (n, 1))       # respondent scale use (halo), not causal
    whyl = np.clip(np.round(3 + 0.9 * why[c] + style + rng.normal(0, 0.6, (n, 10))), 1, 5).astype(np.int64)
    gumbel = -np.log(-np.log(rng.random((n, 10))))
    primary = np.argmax(why[c] + 0.5 * gumbel, axis=1)
    if fx.planted:
        drv = np.array([NPS_DRIVERS.get(x, 0.0) for x in REASONS])
        nps_lat = (NPS_INTERCEPT + why[c] @ drv + NPS_SAT_COEF * sat[c] + NPS_TIER_BONUS[tier_adv[c]]
                   + np.where(locked_in[c], NPS_LOCKED_IN, 0.0) + rng.normal(0, NPS_NOISE_SD, n))
    else:               # the null company: NPS depends on nothing
        nps_lat = NPS_INTERCEPT + rng.normal(0, fx.nps_noise_sd, n)
    nps = np.clip(np.round(nps_lat), 0, 10).astype(np.int64)
    df = {"customer_id": _str_series(cust_ids.take(pa.array(c))), "date": _dates(start, d), "nps": nps}
    for item in SATISFACTION_ITEMS:
        mu = np.array(SAT_MEAN[item])[p] + 0.6 * sat[c] + rng.normal(0, 0.65, n)
        if item == "speed":
            mu = mu + np.where(d >= slow_day, SPEED_SAT_SHIFT, 0.0)
        if item == "pricing":
            mu = mu + np.where((p == BH) & (d >= comp_day), PRICING_SAT_SHIFT_BH, 0.0)
        df[f"sat_{item}"] = np.clip(np.round(mu), 1, 5).astype(np.int64)
    df["primary_reason"] = _labels(primary, REASONS)
    for j, reason in enumerate(REASONS):
        df[f"why_{reason}"] = whyl[:, j]
    out = pd.DataFrame(df)
    srt = np.lexsort((c, d))
    out = out.iloc[srt].reset_index(drop=True)
    info = {"respondents": int(len(resp)), "answered_twice": int(twice.sum()),
            "persona": p[srt], "primary": primary[srt], "day": d[srt]}
    return out, info
