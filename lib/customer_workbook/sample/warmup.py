"""The warm-up: the initial base lives through the years before the window, so the window opens in steady state.

Without it every customer of the initial base would be alive on the first day whatever their dropout
risk, and nobody would have bought two categories yet. The window would then open with a wave of
departures of the riskiest, most frequent buyers: an unplanted fall in orders and active customers, and
purchase models fitted on the window would over-predict its last year.

The warm-up draws more base candidates than the base needs (:data:`BASE_CANDIDATES`), runs each of them
through the same weekly process from their signup to the day before the window (orders change the
customers' state but are not recorded), and draws the initial base from the candidates still alive. The
survivors carry the categories they bought and pending follow-ups into the window; their traits follow
the survivor distribution, as those of a real customer base do. Advocacy tiers are ranked again among the
customers kept, so the top 1% are lovers and the next 9% likers as documented.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .customers import Customers
from .simulation import SimState, new_state, simulate_week
from .traits import Traits, retier

__all__ = ["BASE_CANDIDATES", "warm_up", "warmup_weeks"]

BASE_CANDIDATES = 3.0        # candidates drawn per base customer; about half of them survive the warm-up


def warmup_weeks(w, signup: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First days (Mondays, days before the window's first week ``w.d0``) and calendar months (0-11) of the
    weeks from the earliest signup in ``signup`` to the window, oldest first."""
    n_weeks = max(0, -(-(w.d0 - int(signup.min())) // 7))
    starts = w.d0 - 7 * np.arange(n_weeks, 0, -1)
    months = np.array([(w.start + pd.Timedelta(days=int(d) + 3)).month - 1 for d in starts], dtype=np.int64)
    return starts, months


def warm_up(r, w, cust: Customers, tr: Traits, catalog, n_base: int) -> tuple[Customers, Traits, SimState]:
    """Simulate the base candidates (``~cust.is_acq``) up to the window and keep ``n_base`` survivors.

    Returns the customers and traits of the survivors and everyone acquired in the window (customer
    order kept, advocacy tiers ranked again among them), and the state the window starts from. Raises ``RuntimeError`` if fewer than ``n_base``
    candidates survive (raise :data:`BASE_CANDIDATES`)."""
    st = new_state(cust.N, len(w.fx.bass))
    starts, months = warmup_weeks(w, cust.signup[~cust.is_acq])
    for bd, mon in zip(starts, months):
        simulate_week(r, st, w, cust, tr, catalog, int(bd), int(mon), record=False)
    survivors = np.flatnonzero(st.alive & ~cust.is_acq)
    if len(survivors) < n_base:
        raise RuntimeError(f"only {len(survivors)} of {int((~cust.is_acq).sum())} base candidates survived the "
                           f"warm-up; {n_base} are needed: raise BASE_CANDIDATES")
    keep = np.concatenate([np.sort(r.choice(survivors, n_base, replace=False)), np.flatnonzero(cust.is_acq)])
    start = new_state(len(keep), len(w.fx.bass))
    start.cat_mask[:] = st.cat_mask[keep]
    start.follow[:] = st.follow[keep]
    return _rows(cust, keep, N=len(keep), n_base=n_base), retier(_rows(tr, keep), w.fx), start


def _rows(obj, keep: np.ndarray, **scalars):
    """A copy of the dataclass ``obj`` with every per-customer array restricted to the rows ``keep``."""
    n = len(obj.lam) if isinstance(obj, Traits) else obj.N
    taken = {f.name: getattr(obj, f.name)[keep] for f in dataclasses.fields(obj)
             if isinstance(getattr(obj, f.name), np.ndarray) and len(getattr(obj, f.name)) == n}
    return dataclasses.replace(obj, **taken, **scalars)
