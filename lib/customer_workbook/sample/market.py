"""The weekly market table: competitor price index and events."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._arrays import _dates
from .constants import COMPETITOR_INDEX_DROP

__all__ = ["market_table"]


def market_table(rng, w) -> pd.DataFrame:
    """One row per marketing week; in the null company (no dated changes in ``w.fx``) no events and a flat index."""
    return _market(rng, w.block_start[w.mk_blocks], w.D, w.in_window, w.start, w.fx.dated_changes)


def _market(rng, weeks, D, in_window, start, dated_changes: bool = True):
    n = len(weeks)
    e = np.zeros(n)
    sh = rng.normal(0, 0.004, n)
    for t in range(1, n):
        e[t] = 0.6 * e[t - 1] + sh[t]
    idx = 1.01 + e
    cut = (weeks >= D["competitor_price_cut"]) & dated_changes
    idx = np.where(cut, idx * (1 - COMPETITOR_INDEX_DROP), idx)
    event = np.full(n, None, dtype=object)
    launch = np.full(n, None, dtype=object)
    if in_window["competitor_price_cut"]:
        event[weeks == D["competitor_price_cut"]] = ("Rival chain 'Greenfield Depot' cuts prices on its home & "
                                                     "garden range by about 10% (permanent price drop)")
    if in_window["decoy_competitor_event"]:
        event[weeks == D["decoy_competitor_event"]] = "Greenfield Depot opens a flagship showroom in the capital"
    if in_window["app_launch"]:
        launch[weeks == D["app_launch"]] = "Mobile app launched (iOS and Android): ordering, click & collect"
    return pd.DataFrame({
        "week": _dates(start, weeks),
        "competitor_price_index": np.round(idx, 4),
        "competitor_event": pd.Series(pd.array(event, dtype="str")),
        "channel_launch": pd.Series(pd.array(launch, dtype="str")),
    })
