"""The randomised retention campaign: population, uplift groups and its truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ._arrays import _dates, _labels, _str_series
from .constants import (CAMPAIGN, CAMPAIGN_POP_SHARE, CAMPAIGN_WINDOW_DAYS, DOG_MAX_DISCOUNT, DOG_PUSH_PROB,
                        LOST_RECENCY_DAYS, PERSUADE_PROB, SURE_MIN_ORDERS, UPLIFT_GROUPS)
from .effects import PLANTED

__all__ = ["send_campaign", "campaigns_table"]


def campaigns_table(st, w, N, cust_ids):
    """The campaigns table, the campaign truth and each customer's uplift group (-1 if not in the campaign).

    Without planted effects (``w.fx``, the null company) the campaign has no uplift groups (all -1)."""
    campaign_rows, send_day, start = st.campaign_rows, w.send_day, w.start
    uplift_group = np.full(N, -1)
    if campaign_rows is None:
        table = pd.DataFrame({
            "customer_id": pd.Series([], dtype="str"), "campaign": pd.Series([], dtype="str"),
            "send_date": pd.Series([], dtype="datetime64[us]"), "treated": pd.Series([], dtype=bool),
            "outcome": pd.Series([], dtype=np.int64)})
        return table, {"in_window": False}, uplift_group
    cc = campaign_rows["idx"]
    o_day = st.O["sec"] // 86400
    bought = np.zeros(N, bool)
    win = (o_day >= send_day) & (o_day < send_day + CAMPAIGN_WINDOW_DAYS)
    bought[st.O["cust"][win]] = True
    outcome = bought[cc].astype(np.int64)
    if w.fx.planted:
        uplift_group[cc] = campaign_rows["group"]
    table = pd.DataFrame({
        "customer_id": _str_series(cust_ids.take(pa.array(cc))),
        "campaign": _labels(np.zeros(len(cc), np.int64), [CAMPAIGN]),
        "send_date": _dates(start, np.full(len(cc), send_day)),
        "treated": campaign_rows["treated"].astype(bool),
        "outcome": outcome,
    })
    truth = (_campaign_truth if w.fx.planted else _null_campaign_truth)(campaign_rows, outcome, start, send_day)
    return table, truth, uplift_group


def send_campaign(rng, st, N, send_day, fx=PLANTED) -> None:
    """At the send week: the campaign population and groups; schedule persuadables' orders, push sleeping dogs away.

    ``st`` is the simulation state (``simulation.SimState``); the rows are kept in ``st.campaign_rows``.
    ``fx`` (:class:`.effects.Effects`) holds the persuasion and push-away probabilities (0 in the null company)."""
    campaign_rows = _campaign_setup(rng, N, st.O, st.Lz, send_day, st.alive, st.dropout_day)
    cc, grp, treated = campaign_rows["idx"], campaign_rows["group"], campaign_rows["treated"]
    pers = cc[(grp == 0) & treated]
    extra = pers[rng.random(len(pers)) < fx.persuade_prob]
    st.pending_c = np.concatenate([st.pending_c, extra])
    st.pending_d = np.concatenate([st.pending_d, send_day + rng.integers(1, 56, len(extra))])
    dogs = cc[(grp == 3) & treated]
    gone = dogs[rng.random(len(dogs)) < fx.dog_push_prob]
    gone = gone[st.alive[gone]]
    st.alive[gone] = False
    st.dropout_day[gone] = send_day
    campaign_rows["pushed_away"] = np.isin(cc, gone)
    st.campaign_rows = campaign_rows


def _campaign_setup(rng, N, O, Lz, send_day, alive, dropout_day):
    """Population and groups of the retention campaign from behaviour observable at send time."""
    oc = np.concatenate(O["cust"]); osec = np.concatenate(O["sec"])
    oday = osec // 86400
    recent = (oday >= send_day - 365) & (oday < send_day)
    n365 = np.bincount(oc[recent], minlength=N)
    last = np.full(N, -10 ** 7, dtype=np.int64)
    np.maximum.at(last, oc[oday < send_day], oday[oday < send_day])
    lorder = np.concatenate(Lz["order"])
    ldisc = np.concatenate(Lz["disc"])
    lgift = np.concatenate(Lz["gift"])
    lrec = recent[lorder] & ~lgift
    lcust = oc[lorder]
    dsum = np.bincount(lcust[lrec], weights=ldisc[lrec], minlength=N)
    dn = np.bincount(lcust[lrec], minlength=N)
    eligible = np.flatnonzero(n365 > 0)
    size = min(len(eligible), int(round(CAMPAIGN_POP_SHARE * N)))
    idx = np.sort(rng.choice(eligible, size, replace=False))
    recency = send_day - last[idx]
    freq = n365[idx]
    mdisc = dsum[idx] / np.maximum(dn[idx], 1)
    group = np.where(recency > LOST_RECENCY_DAYS, 2,
                     np.where(freq >= SURE_MIN_ORDERS, 1, np.where(mdisc < DOG_MAX_DISCOUNT, 3, 0)))
    treated = rng.random(size) < 0.5
    return dict(idx=idx, group=group, treated=treated, recency=recency, freq=freq, mean_discount=mdisc,
                eligible=len(eligible))


def _design(rows, start, send_day) -> dict:
    """The campaign's design: name, send date, outcome window, population and treated share."""
    return {
        "name": CAMPAIGN, "in_window": True,
        "send_date": (start + pd.Timedelta(days=int(send_day))).strftime("%Y-%m-%d"),
        "window_days": CAMPAIGN_WINDOW_DAYS,
        "outcome": "1 if the customer placed an order on or after send_date and before send_date + 60 days",
        "population": {"definition": "random sample of customers with at least one order in the 365 days "
                                     "before send_date (then-active), up to 20% of n_customers",
                       "size": int(len(rows["group"])), "eligible": int(rows["eligible"])},
        "treated_share": float(rows["treated"].mean()),
    }


def _null_campaign_truth(rows, outcome, start, send_day):
    """The null company's campaign: randomised and sent, with no effect on anyone and no uplift groups."""
    t = rows["treated"]
    return {**_design(rows, start, send_day), "group_rules": {}, "mechanism": {"everyone": "no effect"},
            "groups": {}, "true_uplift": 0.0,
            "rate_treated": float(outcome[t].mean()) if t.any() else None,
            "rate_control": float(outcome[~t].mean()) if (~t).any() else None,
            "overall_realised_uplift": float(outcome[t].mean() - outcome[~t].mean()) if t.any() and (~t).any()
            else None}


def _campaign_truth(rows, outcome, start, send_day):
    g, t = rows["group"], rows["treated"]
    out = {
        **_design(rows, start, send_day),
        "group_rules": {
            "lost_cause": f"no order in the {LOST_RECENCY_DAYS} days before send_date",
            "sure_thing": f"otherwise, {SURE_MIN_ORDERS}+ orders in the 365 days before send_date",
            "sleeping_dog": f"otherwise, mean line discount in the last 365 days below {DOG_MAX_DISCOUNT} "
                            "(full-price buyers put off by a discount mail)",
            "persuadable": "everyone else (recent, not frequent, discount users)",
        },
        "mechanism": {
            "persuadable": f"treated: an extra order within 55 days with probability {PERSUADE_PROB}",
            "sleeping_dog": f"treated: leaves for good at send_date with probability {DOG_PUSH_PROB}",
            "sure_thing": "no effect", "lost_cause": "no effect",
        },
        "groups": {},
    }
    for j, name in enumerate(UPLIFT_GROUPS):
        m = g == j
        y1 = outcome[m & t].mean() if (m & t).any() else float("nan")
        y0 = outcome[m & ~t].mean() if (m & ~t).any() else float("nan")
        if name == "persuadable":
            designed = PERSUADE_PROB * (1 - y0)
        elif name == "sleeping_dog":
            designed = -DOG_PUSH_PROB * y0
        else:
            designed = 0.0
        out["groups"][name] = {"share": float(m.mean()), "n": int(m.sum()), "baseline_rate_control": y0,
                               "rate_treated": y1, "realised_uplift": y1 - y0, "true_uplift": designed}
    out["overall_realised_uplift"] = float(outcome[t].mean() - outcome[~t].mean())
    return out
