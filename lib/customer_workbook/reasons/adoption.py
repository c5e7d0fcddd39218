"""The bandwagon effect in the data: how launches spread, by the Bass diffusion model.

A customer "adopts" a product at their first purchase of it. The Bass model (Bass 1969) splits the
weekly new adopters of a market of ``m`` customers into innovators, who adopt at rate ``p`` whatever
others do, and imitators, who adopt at rate ``q`` times the share that has already adopted:

    new adopters in week t = (p + q A_t / m) (m - A_t),   A_t = adopters before week t.

``q > p`` means adoption speeds up with the number of adopters: the bandwagon effect.

>>> curve = product_adoption(tx, launch_date, product_id)      # weekly new adopters since launch
>>> fit = fit_bass(curve["new_adopters"])                      # BassFit(p, q, m, q_over_p, ...)
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import optimize

__all__ = ["BassFit", "bandwagon_evidence", "bass_curve", "fit_bass", "product_adoption"]

_EVIDENCE_COLUMNS = ["product_id", "launch_date", "adopters", "p", "q", "m", "q_over_p", "peak_week", "r2"]


def product_adoption(transactions: pd.DataFrame, launch_date, product_id: str, as_of=None) -> pd.DataFrame:
    """Weekly new adopters (first purchase by a customer) of one product since its launch.

    Returns a DataFrame indexed by ``week`` (0 = launch week, weeks of 7 days counted from the launch
    date) with ``new_adopters`` and ``cumulative`` (customers); only complete weeks up to ``as_of``
    (default: last transaction) are kept.
    """
    end = pd.Timestamp(as_of) if as_of is not None else transactions["date"].max()
    launch = pd.Timestamp(launch_date)
    lines = transactions[(transactions["product_id"] == product_id) & (transactions["amount"] > 0)]
    first = lines.groupby("customer_id", observed=True)["date"].min()
    week = ((first - launch).dt.days // 7).to_numpy()
    n_weeks = max(int((end - launch).days // 7), 0)
    week = week[(week >= 0) & (week < n_weeks)]
    counts = np.bincount(week.astype(int), minlength=n_weeks)[:n_weeks]
    return pd.DataFrame({"new_adopters": counts, "cumulative": np.cumsum(counts)},
                        index=pd.RangeIndex(n_weeks, name="week"))


def bass_curve(p: float, q: float, m: float, n_weeks: int) -> np.ndarray:
    """Expected new adopters per week of the discrete Bass model ``(p + q A/m)(m - A)``; shape (n_weeks,)."""
    out = np.empty(n_weeks)
    cum = 0.0
    for t in range(n_weeks):  # a recursion in time (weeks), not over customers
        out[t] = min(max((p + q * cum / m) * (m - cum), 0.0), m)
        cum += out[t]
    return out


@dataclass(frozen=True)
class BassFit:
    """A fitted Bass model: ``p`` (innovation) and ``q`` (imitation) per week, ``m`` the market potential
    (adopters), ``q_over_p`` (> 1: a bandwagon), ``peak_week`` of the fitted curve (weeks since launch)
    and ``r2`` of the fit to the weekly new adopters (NaN for a constant series)."""

    p: float
    q: float
    m: float
    q_over_p: float
    peak_week: int
    r2: float


def fit_bass(new_adopters: Sequence[float]) -> BassFit:
    """Fit the Bass diffusion model to weekly new adopters by least squares (log-parameters, bounded).

    Eight starting points are tried and the best fit kept, because the least-squares surface has
    several local minima when adoption is slow.
    """
    y = np.asarray(new_adopters, dtype=float)
    n = len(y)
    total = max(y.sum(), 1.0)

    def resid(theta):
        p, q, m = np.exp(theta)
        return bass_curve(p, q, m, n) - y

    best = None
    for p0, q0, mult in itertools.product((0.002, 0.02), (0.1, 0.4), (1.1, 2.0)):
        res = optimize.least_squares(resid, np.log([p0, q0, total * mult]), method="trf",
                                     bounds=(np.log([1e-6, 1e-6, total]), np.log([1.0, 5.0, total * 50])))
        if best is None or res.cost < best.cost:
            best = res
    p, q, m = np.exp(best.x)
    fitted = bass_curve(p, q, m, n)
    ss = np.sum((y - y.mean()) ** 2)
    return BassFit(p=float(p), q=float(q), m=float(m), q_over_p=float(q / p), peak_week=int(np.argmax(fitted)),
                   r2=float(1 - np.sum((y - fitted) ** 2) / ss) if ss > 0 else np.nan)


def bandwagon_evidence(transactions: pd.DataFrame, products: pd.DataFrame, min_adopters: int = 100,
                       max_products: int = 5) -> pd.DataFrame:
    """Bass fits of the products launched inside the data window with the most adopters.

    Returns one row per product (most adopters first): ``product_id``, ``launch_date``, ``adopters``
    (customers), and the :class:`BassFit` fields ``p``, ``q``, ``m``, ``q_over_p``, ``peak_week``, ``r2``.
    Empty when no launch has ``min_adopters``; launches with fewer than 8 weeks of data are left out.
    """
    start = transactions["date"].min()
    launched = products[products["launch_date"].notna() & (products["launch_date"] >= start)]
    if launched.empty:
        return pd.DataFrame(columns=_EVIDENCE_COLUMNS)
    lines = transactions[transactions["product_id"].isin(launched["product_id"]) & (transactions["amount"] > 0)]
    adopters = lines.groupby("product_id", observed=True)["customer_id"].nunique()
    adopters = adopters[adopters >= min_adopters].sort_values(ascending=False).head(max_products)
    rows = []
    launch = launched.set_index("product_id")["launch_date"]
    for pid, count in adopters.items():  # one iteration per launch (at most max_products)
        curve = product_adoption(transactions, launch[pid], pid)
        if len(curve) < 8:
            continue
        rows.append({"product_id": pid, "launch_date": launch[pid], "adopters": int(count),
                     **asdict(fit_bass(curve["new_adopters"]))})
    return pd.DataFrame(rows, columns=_EVIDENCE_COLUMNS)
