"""Engagement events (reviews, referrals, community posts, app sessions) by advocacy tier."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ._arrays import _choice_rows, _labels, _str_series, _ts
from .constants import APP_SESSION_PERSONA, ENGAGE_RATES, RATING_PROBS

__all__ = ["engagement_table"]


def engagement_table(rng, cust, tr, st, w, cust_ids) -> pd.DataFrame:
    """Engagement events of every customer between signup (or the start) and dropout."""
    win_start = np.maximum(cust.signup, 0)
    eng_end = np.minimum(st.dropout_day, w.end_day + 1)
    return _engagement(rng, cust.N, tr.tier_adv, tr.locked_in, cust.persona, win_start,
                       eng_end, w.app_day, w.start, cust_ids)


def _engagement(rng, N, tier_adv, locked_in, persona, ws, we, app_day, start, cust_ids):
    cs, ds, es, rs = [], [], [], []
    for j, ev in enumerate(("review", "referral", "community_post", "app_session")):
        s = np.maximum(ws, app_day) if ev == "app_session" else ws
        span = np.maximum(we - s, 0)
        rate = ENGAGE_RATES[ev][tier_adv] * np.where(locked_in, 0.5, 1.0)
        if ev == "app_session":
            rate = rate * APP_SESSION_PERSONA[persona]
        k = rng.poisson(rate * span / 7.0)
        c = np.repeat(np.arange(N), k)
        d = np.repeat(s, k) + (rng.random(len(c)) * np.repeat(span, k)).astype(np.int64)
        cs.append(c); ds.append(d); es.append(np.full(len(c), j))
        if ev == "review":
            rs.append(_choice_rows(rng, RATING_PROBS[tier_adv[c]]) + 1)
        else:
            rs.append(np.zeros(len(c), np.int64))
    c = np.concatenate(cs); d = np.concatenate(ds); e = np.concatenate(es); rt = np.concatenate(rs)
    sec = d * 86400 + rng.integers(7 * 3600, 23 * 3600, len(c))
    srt = np.lexsort((e, c, sec))
    c, sec, e, rt = c[srt], sec[srt], e[srt], rt[srt]
    return pd.DataFrame({
        "customer_id": _str_series(cust_ids.take(pa.array(c))),
        "date": _ts(start, sec),
        "event": _labels(e, ("review", "referral", "community_post", "app_session")),
        "rating": pd.arrays.IntegerArray(np.where(e == 0, rt, 0).astype(np.int64), e != 0),
    })
