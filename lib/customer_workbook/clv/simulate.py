"""Seeded, vectorised simulation from the models (for tests, benchmarks and teaching)."""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_bgnbd", "simulate_pareto_nbd", "simulate_gamma_gamma"]


def _observation_lengths(T, n, rng_or_none=None) -> np.ndarray:
    T = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    if np.any(~np.isfinite(T)) or np.any(T <= 0):
        raise ValueError("observation lengths T must be finite and > 0")
    return T


def _to_grid(tx, x, T, resolution):
    """Round purchase times up to a time grid (e.g. 1/7 week = a day); T must be on it."""
    if resolution is None:
        return tx
    return np.where(x > 0, np.minimum(np.ceil(tx / resolution - 1e-9) * resolution, T), 0.0)


def simulate_bgnbd(n_customers: int, r: float, alpha: float, a: float, b: float, T=52.0,
                   seed=None, resolution: float | None = None) -> pd.DataFrame:
    """Draw (frequency, recency, T) from the BG/NBD process.

    Rates ``lambda ~ Gamma(r, alpha)`` and dropout probabilities ``p ~ Beta(a, b)``; after
    each repeat purchase the customer drops out with probability ``p``. Uses the fact that
    the x-th of N uniform purchase times on ``[0, T]`` is ``T * Beta(x, N - x + 1)``.

    Parameters
    ----------
    n_customers : int
    r, alpha, a, b : float
        True parameters (``alpha`` in the time unit of ``T``).
    T : float or array_like, shape (n_customers,)
        Observation length per customer since their first purchase.
    seed : int or numpy.random.Generator, optional
    resolution : float, optional
        Round recency up to this grid (e.g. ``1/7`` for daily data in weeks); T should
        already lie on the grid.

    Returns
    -------
    DataFrame, shape (n_customers, 3)
        ``frequency``, ``recency``, ``T``.

    Examples
    --------
    >>> sim = simulate_bgnbd(1000, 0.25, 4.0, 0.8, 2.5, T=39.0, seed=1)
    >>> sim.shape
    (1000, 3)
    """
    rng = np.random.default_rng(seed)
    n = int(n_customers)
    T = _observation_lengths(T, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    k_max = rng.geometric(np.clip(p, 1e-300, 1.0))       # repeat purchase at which they drop out
    n_events = rng.poisson(lam * T)
    x = np.minimum(n_events, k_max)
    pos = x > 0
    frac = rng.beta(np.where(pos, x, 1), np.where(pos, n_events - x + 1, 1))
    tx = _to_grid(np.where(pos, T * frac, 0.0), x, T, resolution)
    out = pd.DataFrame({"frequency": x.astype(np.int64), "recency": tx, "T": T})
    return out


def simulate_pareto_nbd(n_customers: int, r: float, alpha: float, s: float, beta: float, T=52.0,
                        seed=None, resolution: float | None = None) -> pd.DataFrame:
    """Draw (frequency, recency, T) from the Pareto/NBD process.

    Rates ``lambda ~ Gamma(r, alpha)``, dropout rates ``mu ~ Gamma(s, beta)``, exponential
    lifetimes; purchases are Poisson while alive.

    Parameters
    ----------
    n_customers : int
    r, alpha, s, beta : float
        True parameters (scales in the time unit of ``T``).
    T : float or array_like
        Observation length per customer.
    seed : int or numpy.random.Generator, optional
    resolution : float, optional
        Round recency up to this grid.

    Returns
    -------
    DataFrame, shape (n_customers, 3)
        ``frequency``, ``recency``, ``T``.
    """
    rng = np.random.default_rng(seed)
    n = int(n_customers)
    T = _observation_lengths(T, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    life = rng.exponential(1.0 / np.maximum(mu, 1e-300))
    active = np.minimum(life, T)
    x = rng.poisson(lam * active)
    pos = x > 0
    tx = np.where(pos, active * rng.beta(np.where(pos, x, 1), 1.0), 0.0)
    tx = _to_grid(tx, x, T, resolution)
    out = pd.DataFrame({"frequency": x.astype(np.int64), "recency": tx, "T": T})
    return out


def simulate_gamma_gamma(frequency, p: float, q: float, gamma: float, seed=None) -> np.ndarray:
    """Mean repeat-purchase value under the Gamma-Gamma model.

    Parameters
    ----------
    frequency : array_like of int, shape (n,)
        Repeat purchases per customer.
    p, q, gamma : float
        True parameters.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    ndarray, shape (n,)
        Mean spend per repeat purchase (currency units); 0 where frequency is 0.
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(q, 1.0 / gamma, x.size)
    pos = x > 0
    total = rng.gamma(np.where(pos, p * x, 1.0), 1.0 / nu)
    return np.where(pos, total / np.where(pos, x, 1.0), 0.0)
