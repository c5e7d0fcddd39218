"""Prospects: leads that are prospective, rejected or unexplored."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import SATISFACTION_ITEMS
from ._arrays import _choice_rows, _dates, _ids, _labels, _str_series
from .constants import INCOME_BANDS, PROSPECT_GROUPS, PROSPECT_SHARE, REGIONS

__all__ = ["prospects_table"]


def prospects_table(rng, N, w):
    """The leads table (20% of the customer count, at least 50) and the prospects truth.

    In the null company (``w.fx``) top needs and incomes do not depend on the prospect group."""
    return _prospects(rng, max(50, int(round(PROSPECT_SHARE * N))), w.start, w.end_day, w.fx.planted)


def _prospects(rng, n, start, end_day, planted: bool = True):
    grp = rng.choice(3, n, p=[0.40, 0.35, 0.25])
    # rejected: which trait fails
    fail = rng.choice(3, n, p=[0.60, 0.30, 0.10])        # 0 need, 1 pay, 2 both
    has_need = np.ones(n, dtype=object); can_pay = np.ones(n, dtype=object)
    has_need[:] = True; can_pay[:] = True
    rej = grp == 1
    has_need[rej & (fail != 1)] = False
    can_pay[rej & (fail != 0)] = False
    une = grp == 2
    miss = rng.choice(3, n, p=[0.45, 0.35, 0.20])        # 0 need unknown, 1 pay unknown, 2 both
    has_need[une & (miss != 1)] = None
    can_pay[une & (miss != 0)] = None
    income = np.where(rej & (fail != 0) & planted, rng.choice(3, n, p=[0.85, 0.15, 0.0]),
                      rng.choice(3, n, p=[0.25, 0.5, 0.25]))
    # top must-have need: group-specific
    needs = list(SATISFACTION_ITEMS)
    need_p = {
        "prospective": [0.10, 0.05, 0.15, 0.15, 0.15, 0.40],      # quality first
        "rejected_need": [0.50, 0.20, 0.10, 0.05, 0.10, 0.05],    # location: no store near them
        "rejected_pay": [0.05, 0.05, 0.05, 0.70, 0.10, 0.05],     # pricing
        "unexplored": [0.15, 0.10, 0.15, 0.20, 0.30, 0.10],       # speed
    }
    if not planted:     # the null company: every group has the same needs
        need_p = {k: np.mean(list(need_p.values()), axis=0).tolist() for k in need_p}
    key = np.where(grp == 0, 0, np.where(grp == 2, 3, np.where(fail == 1, 2, 1)))
    top = _choice_rows(rng, np.array([need_p[k] for k in need_p])[key])
    first_seen = rng.integers(0, end_day + 1, n)
    order = np.argsort(first_seen, kind="stable")
    sources = ("search", "social", "referral", "display", "tv", "events")
    src = rng.choice(6, n, p=[0.3, 0.25, 0.1, 0.15, 0.1, 0.1])
    region = rng.choice(5, n)
    age = np.clip(np.round(rng.normal(42, 14, n)), 18, 90).astype(np.int64)
    o = order
    df = pd.DataFrame({
        "prospect_id": _str_series(_ids("P", np.arange(1, n + 1), max(6, len(str(n))))),
        "first_seen": _dates(start, first_seen[o]),
        "source": _labels(src[o], sources),
        "region": _labels(region[o], REGIONS),
        "age": age[o],
        "income_band": _labels(income[o], INCOME_BANDS),
        "has_need": pd.array(list(has_need[o]), dtype="boolean"),
        "can_pay": pd.array(list(can_pay[o]), dtype="boolean"),
        "top_need": _labels(top[o], needs),
    })
    g = grp[o]; k = key[o]
    truth = {
        "definition": {
            "prospective": "has_need and can_pay both true",
            "rejected": "at least one of has_need / can_pay is false (false wins over missing)",
            "unexplored": "no false, but has_need and/or can_pay missing",
        },
        "shares": {n_: float((g == j).mean()) for j, n_ in enumerate(PROSPECT_GROUPS)},
        "rejected_failing_trait_shares": {"need_only": 0.60, "pay_only": 0.30, "both": 0.10},
        "top_need_by_group": ({"prospective": "quality", "rejected (fails on need)": "location",
                               "rejected (fails on ability to pay)": "pricing", "unexplored": "speed"} if planted
                              else {"every group": "the same distribution (null company)"}),
        "top_need_distributions": {k_: dict(zip(needs, v)) for k_, v in need_p.items()},
        "realised_top_need_mode": {
            name: str(pd.Series(np.array(needs)[top[o][k == j]]).mode().iloc[0]) if (k == j).any() else None
            for j, name in enumerate(need_p)},
        "rejected_pay_income": "mostly low income (85%)" if planted else "as everyone (null company)",
    }
    return df, truth
