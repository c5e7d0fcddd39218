"""BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma models: maximum likelihood on sufficient statistics.

All three share :class:`~customer_workbook.clv._fitting.BaseModel`: ``fit`` returns the model,
``params_`` / ``standard_errors_`` / ``covariance_`` / ``log_likelihood_`` hold the results and
``summary()`` tabulates them. Parameters are optimised on the log scale with box bounds
(L-BFGS-B, analytic gradients; for large data, chord-Newton steps from a subsample fit),
then polished with Newton steps; standard errors come from the numerically differentiated
analytic gradient (observed information).
"""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
from scipy import special as sc
from scipy.optimize import minimize

from ._fitting import LOG_BOUND, BaseModel, Compressed, _dot, compress_rows
from ._spend import GammaGammaModel
from ._special import bgnbd_expected_given_alive_factor, pareto_log_J
from ._validation import CLVInputError, rfm_arrays, validate_rfm

__all__ = ["BGNBDModel", "MBGNBDModel", "ParetoNBDModel", "GammaGammaModel"]

_TIME_UNITS = ("D", "W")


def _unique_pairs(x, T):
    """Inverse index and unique (x, T) pairs, to evaluate (x, T)-only terms once per pair."""
    iT, uT = pd.factorize(T, sort=False)
    key = x.astype(np.int64) * len(uT) + iT
    inv, ukey = pd.factorize(key, sort=False)
    return inv, (ukey // len(uT)).astype(float), np.asarray(uT, dtype=float)[ukey % len(uT)]


class _TransactionModel(BaseModel):
    """Common fit/predict plumbing of the BG/NBD and Pareto/NBD models."""

    def fit(self, rfm, weights=None, time_unit: str | None = None, initial_params=None):
        """Fit by maximum likelihood on the unique (frequency, recency, T) rows.

        Parameters
        ----------
        rfm : PurchaseSummary, DataFrame or Mapping
            ``frequency`` (repeat purchases), ``recency`` and ``T`` (model time units), e.g.
            :func:`rfm_summary`; one row per customer.
        weights : array_like, shape (n,), optional
            Customers represented by each row (for pre-aggregated data).
        time_unit : {"D", "W"}, optional
            Unit of recency and T, needed for CLV in months; read from a :class:`PurchaseSummary` if absent.
        initial_params : dict, optional
            Starting values; defaults are data-driven.

        Returns
        -------
        self

        Raises
        ------
        CLVInputError
            NaN, negative, inconsistent or T = 0 rows (message names count and ids), or no
            repeat purchases at all.
        """
        (x, tx, T), ids, _ = rfm_arrays(rfm)
        validate_rfm(x, tx, T, ids, for_fit=True)
        if weights is not None:
            weights = np.asarray(weights, dtype=float).ravel()
            if weights.size != x.size or not np.all(np.isfinite(weights)) or np.any(weights < 0):
                raise CLVInputError("weights must be finite, non-negative and one per row")
        self.time_unit_ = time_unit or getattr(rfm, "time_unit", None)
        if self.time_unit_ is not None and self.time_unit_ not in _TIME_UNITS:
            raise CLVInputError(f"time_unit must be 'D' or 'W', got {self.time_unit_!r}")
        compressed = compress_rows(x, tx, T, weights)
        data = self._prepare(compressed)
        n_total = data.n_total
        start = self._start(data) if initial_params is None else np.array(
            [float(initial_params[k]) for k in self.param_names])
        warm = self._warm_start(compressed, np.log(start)) if initial_params is None else None
        self._maximise(data, n_total, np.log(start), warm=warm)
        self.n_customers_ = int(round(n_total))
        self.n_unique_rows_ = int(data.rows)
        return self

    #: Above this many unique rows, a fit on a subsample provides the starting point.
    _WARM_ROWS = 40_000

    def _warm_start(self, c: Compressed, log_start: np.ndarray):
        """Estimate and Hessian (log scale) on a seeded binomial thinning to ~160k customers, or None."""
        if c.x.size <= self._WARM_ROWS:
            return None
        rng = np.random.default_rng(0)
        frac = min(0.5, 4 * self._WARM_ROWS / c.n_customers)
        w = rng.binomial(np.round(c.w).astype(np.int64), frac).astype(float)
        keep = w > 0
        if not (c.x[keep] > 0).any():
            return None
        sub = Compressed(c.x[keep], c.tx[keep], c.T[keep], w[keep], c.uT, c.iT[keep], c.ut, c.it[keep],
                         np.empty(0, dtype=np.int64))
        data = self._prepare(sub)
        res = minimize(lambda z: self._negll(z, data), log_start, jac=True, method="L-BFGS-B",
                       bounds=[(-LOG_BOUND, LOG_BOUND)] * log_start.size, options={"gtol": 1e-9})
        if not res.success or np.any(np.abs(res.x) >= LOG_BOUND - 1e-6):
            return None
        H = self._numeric_hessian(res.x, lambda z: self._negll(z, data))
        return res.x, H

    def log_likelihood(self, rfm, params=None) -> float:
        """Total log-likelihood of ``rfm`` at ``params`` (dict; default the fitted ones)."""
        (x, tx, T), ids, _ = rfm_arrays(rfm)
        validate_rfm(x, tx, T, ids, for_fit=False)
        p = self._param_vector(params)
        data = self._prepare(compress_rows(x, tx, T))
        f, _ = self._negll(np.log(p), data)
        return float(-f * data.n_total)

    def _param_vector(self, params=None) -> np.ndarray:
        if params is None:
            self._check_fitted()
            return self.params_.to_numpy()
        return np.array([float(params[k]) for k in self.param_names])

    def _predict_inputs(self, rfm):
        (x, tx, T), ids, index = rfm_arrays(rfm)
        validate_rfm(x, tx, T, ids, for_fit=False)
        return x, tx, T, index

    @staticmethod
    def _wrap(values, index, name):
        return pd.Series(values, index=index, name=name) if index is not None else values

    def probability_alive(self, rfm):
        """P(customer still active at the end of their observation window).

        Parameters
        ----------
        rfm : DataFrame or Mapping
            ``frequency``, ``recency``, ``T`` per customer.

        Returns
        -------
        Series or ndarray, shape (n,)
            Probabilities in [0, 1], indexed like ``rfm`` when it is a DataFrame.
        """
        x, tx, T, index = self._predict_inputs(rfm)
        return self._wrap(self._p_alive(self._param_vector(), x, tx, T), index, "p_alive")

    def expected_purchases(self, t, rfm):
        """Expected repeat purchases in the next ``t`` time units, given each customer's history.

        Parameters
        ----------
        t : float
            Horizon (model time units, e.g. weeks), >= 0.
        rfm : DataFrame or Mapping
            ``frequency``, ``recency``, ``T`` per customer.

        Returns
        -------
        Series or ndarray, shape (n,)
            Expected purchases (count).
        """
        t = float(t)
        if not t >= 0:
            raise CLVInputError(f"horizon t must be >= 0, got {t}")
        x, tx, T, index = self._predict_inputs(rfm)
        p = self._param_vector()
        inv, ux, uT = _unique_pairs(x, T)
        given_alive = self._given_alive(p, ux, uT, t)[inv]
        return self._wrap(self._p_alive(p, x, tx, T) * given_alive, index, "expected_purchases")

    def expected_purchases_population(self, t):
        """Expected repeat purchases of a newly acquired customer in ``(0, t]``: E[X(t)].

        Parameters
        ----------
        t : float or array_like
            Time since first purchase (model time units), >= 0.

        Returns
        -------
        ndarray
            Expected repeat purchases, shape of ``t``.
        """
        t = np.asarray(t, dtype=float)
        p = self._param_vector()
        return self._given_alive(p, np.zeros_like(t), np.zeros_like(t), t)

    # subclasses: _prepare, _start, _negll, _p_alive, _given_alive


class _BGData:
    """Pre-aggregated BG/NBD sufficient statistics (independent of the parameters).

    Terms that depend on a customer only through ``x`` or only through ``T`` are summed
    over unique values once; only rows with repeat purchases need per-row work, done in
    cache-sized chunks (in parallel threads for large data; numpy releases the GIL).
    ``all_rows`` keeps the per-row term for every row (MBG/NBD: dropout is possible at x = 0).
    """

    def __init__(self, c: Compressed, all_rows: bool = False):
        self.rows = c.x.size
        self.n_total = c.n_customers
        ux, ix = np.unique(c.x, return_inverse=True)
        self.ux, self.Nx = ux, np.bincount(ix, weights=c.w)
        self.uT = c.uT
        self.NT = np.bincount(c.iT, weights=c.w, minlength=c.uT.size)
        self.XT = np.bincount(c.iT, weights=c.w * c.x, minlength=c.uT.size)
        self.ut = c.ut
        pos = np.ones(c.x.size, dtype=bool) if all_rows else c.x > 0   # rows with a dropout term
        self.uxp = ux if all_rows else ux[ux > 0]
        xp = c.x[pos]
        cols = (xp, c.w[pos], c.iT[pos].astype(np.int32), c.it[pos].astype(np.int32),
                np.searchsorted(self.uxp, xp).astype(np.int32))
        step = _CHUNK
        self.chunks = [tuple(a[i:i + step] for a in cols) for i in range(0, xp.size, step)]


def _bg_chunk(chunk, r, lT, lt, iT_inv, it_inv, dpos, binv):
    """Partial sums of the BG/NBD per-row term ``softplus(u)`` and its gradient pieces.

    Uses only SIMD-friendly ufuncs (exp, log1p) and einsum (no BLAS calls, which contend
    for cores when called from several threads).
    """
    xp, wp, iTp, itp, ixp = chunk
    ldiff = lT.take(iTp) - lt.take(itp)
    rx = xp + r
    u = dpos.take(ixp) + rx * ldiff
    e = np.exp(-np.abs(u))
    softplus = np.maximum(u, 0.0) + np.log1p(e)
    inv = 1.0 / (1.0 + e)
    ws = wp * np.where(u >= 0.0, inv, e * inv)              # weight x sigmoid(u)
    dinv = iT_inv.take(iTp) - it_inv.take(itp)
    return np.array([
        np.einsum("i,i->", wp, softplus),
        np.einsum("i,i->", ws, ldiff),
        np.einsum("i,i,i->", ws, rx, dinv),
        ws.sum(),
        np.einsum("i,i->", ws, binv.take(ixp)),
    ])


_CHUNK = 32_768
_POOL = None


def _map_chunks(func, chunks, *args):
    """Apply ``func`` to every chunk, in a small thread pool when there are several."""
    global _POOL
    if len(chunks) < 4:
        return [func(ch, *args) for ch in chunks]
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor
        _POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)))
    return list(_POOL.map(lambda ch: func(ch, *args), chunks))


def _bg_family_negll(z, d: _BGData, dropout_after_first: bool):
    """Mean negative log-likelihood of the BG/NBD (Fader, Hardie & Lee 2005) or, with ``dropout_after_first``,
    the MBG/NBD (Batislam et al. 2007), and its gradient in log-parameters ``z = log(r, alpha, a, b)``.

    The two differ only in when a customer may drop out: after each *repeat* purchase (BG/NBD) or after every
    purchase including the first (MBG/NBD), which shifts ``b`` by one in the dropout terms.
    """
    k = 1.0 if dropout_after_first else 0.0
    r, al, a, b = np.exp(z)
    N = d.n_total
    lT = np.log(al + d.uT)
    lt = np.log(al + d.ut)
    iT_inv = 1.0 / (al + d.uT)
    it_inv = 1.0 / (al + d.ut)
    dpos = np.log(a) - np.log(b + d.uxp - 1.0 + k)
    binv = 1.0 / (b + d.uxp - 1.0 + k)
    parts = _map_chunks(_bg_chunk, d.chunks, r, lT, lt, iT_inv, it_inv, dpos, binv)
    s_sp, s_ld, s_al, s_w, s_b = np.sum(parts, axis=0) if parts else np.zeros(5)
    ll = (_dot(d.Nx, sc.gammaln(r + d.ux) + sc.betaln(a, b + d.ux + k))
          + N * (r * np.log(al) - sc.gammaln(r) - sc.betaln(a, b))
          - _dot(lT, r * d.NT + d.XT) + s_sp)
    psi_ab = sc.digamma(a + b + d.ux + k)
    g_r = (_dot(d.Nx, sc.digamma(r + d.ux)) - N * sc.digamma(r) + N * np.log(al)
           - _dot(d.NT, lT) + s_ld)
    g_al = N * r / al - _dot(iT_inv, r * d.NT + d.XT) + s_al
    g_a = _dot(d.Nx, sc.digamma(a) - psi_ab) - N * (sc.digamma(a) - sc.digamma(a + b)) + s_w / a
    g_b = (_dot(d.Nx, sc.digamma(b + d.ux + k) - psi_ab) - N * (sc.digamma(b) - sc.digamma(a + b)) - s_b)
    grad = np.array([g_r * r, g_al * al, g_a * a, g_b * b])
    return -ll / N, -grad / N


class BGNBDModel(_TransactionModel):
    """BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, Marketing Science 24(2)).

    While active a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; after each
    repeat purchase they drop out with probability ``p ~ Beta(a, b)``. ``alpha`` is in model
    time units (the unit of recency and T).

    Examples
    --------
    >>> model = BGNBDModel().fit(rfm)                        # doctest: +SKIP
    >>> model.summary().round(3)                             # doctest: +SKIP
    >>> model.expected_purchases(52, rfm)                    # doctest: +SKIP
    """

    param_names = ("r", "alpha", "a", "b")

    def _prepare(self, c: Compressed):
        return _BGData(c)

    def _start(self, d: _BGData) -> np.ndarray:
        mean_x = _dot(d.Nx, d.ux) / d.n_total
        mean_T = _dot(d.NT, d.uT) / d.n_total
        return np.array([1.0, max(mean_T / max(mean_x, 1e-3), 1e-3), 1.0, 3.0])

    def _negll(self, z, d: _BGData):
        return _bg_family_negll(z, d, dropout_after_first=False)

    @staticmethod
    def _p_alive(p, x, tx, T):
        r, al, a, b = p
        with np.errstate(divide="ignore"):
            logit_dead = np.log(a) - np.log(np.maximum(b + x - 1.0, 1e-300)) + (r + x) * (
                np.log(al + T) - np.log(al + tx))
        return np.where(x > 0, sc.expit(-logit_dead), 1.0)

    @staticmethod
    def _given_alive(p, x, T, t):
        r, al, a, b = p
        return bgnbd_expected_given_alive_factor(r, al, a, b, x, T, t)


class MBGNBDModel(BGNBDModel):
    """Modified BG/NBD (Batislam, Denizel & Filiztekin 2007, IJRM 24(3)).

    As BG/NBD, except that a customer may drop out right after *any* purchase, the first one
    included (probability ``p ~ Beta(a, b)``). Hence a one-time buyer's P(alive) falls below 1
    as their silence lengthens: ``P(alive) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))``
    for every ``x``, and a newly acquired customer is alive with probability ``b/(a+b)``.
    Same parameters and API as :class:`BGNBDModel`.
    """

    param_names = ("r", "alpha", "a", "b")

    def _prepare(self, c: Compressed):
        return _BGData(c, all_rows=True)

    def _negll(self, z, d: _BGData):
        return _bg_family_negll(z, d, dropout_after_first=True)

    @staticmethod
    def _p_alive(p, x, tx, T):
        r, al, a, b = p
        x, tx, T = np.broadcast_arrays(np.asarray(x, float), np.asarray(tx, float), np.asarray(T, float))
        logit_dead = np.log(a) - np.log(b + x) + (r + x) * (np.log(al + T) - np.log(al + tx))
        return sc.expit(-logit_dead)

    @staticmethod
    def _given_alive(p, x, T, t):
        # E[Y(t) | alive] of the MBG/NBD is the BG/NBD expression with b + 1 in place of b:
        # (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))]
        r, al, a, b = p
        return bgnbd_expected_given_alive_factor(r, al, a, b + 1.0, x, T, t)

    def expected_purchases_population(self, t):
        """Expected repeat purchases of a newly acquired customer in ``(0, t]`` (model time units): ``b/(a+b)``,
        the chance of not dropping out right after the first purchase, times E[Y(t) | alive]."""
        p = self._param_vector()
        return p[3] / (p[2] + p[3]) * super().expected_purchases_population(t)


class _ParetoData:
    def __init__(self, c: Compressed):
        self.rows = c.x.size
        self.n_total = c.n_customers
        self.x, self.tx, self.T, self.w = c.x, c.tx, c.T, c.w


class ParetoNBDModel(_TransactionModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

    While active a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; their
    lifetime is exponential with rate ``mu ~ Gamma(s, beta)``. The likelihood's Gaussian
    hypergeometric term is evaluated as a positive series after Euler's transformation (see
    :func:`~customer_workbook.clv._special.pareto_log_J`), safe for large frequencies.
    """

    param_names = ("r", "alpha", "s", "beta")

    def _prepare(self, c: Compressed):
        return _ParetoData(c)

    def _start(self, d: _ParetoData) -> np.ndarray:
        mean_x = _dot(d.w, d.x) / d.n_total
        mean_T = _dot(d.w, d.T) / d.n_total
        scale = max(mean_T / max(mean_x, 1e-3), 1e-3)
        return np.array([1.0, scale, 1.0, mean_T])

    @staticmethod
    def _log_terms(p, x, tx, T, gradient):
        """Row log-likelihoods (and gradients): logs of the two likelihood components."""
        r, al, s, be = p
        out_x = pareto_log_J(r, al, s, be, x, tx, gradient=gradient)
        out_T = pareto_log_J(r, al, s, be, x, T, gradient=gradient)
        lJx, gJx = out_x if gradient else (out_x, None)
        lJT, gJT = out_T if gradient else (out_T, None)
        l1 = -(r + x) * np.log(al + T) - s * np.log(be + T)
        l2 = np.log(s) + lJx
        l3 = np.log(s) + lJT
        M = np.maximum(l1, l2)
        e1, e2, e3 = np.exp(l1 - M), np.exp(l2 - M), np.exp(l3 - M)
        Q = e1 + e2 - e3
        tail = M + np.log(Q)
        if not gradient:
            return l1, tail, None
        g1 = np.stack([-np.log(al + T), -(r + x) / (al + T), -np.log(be + T), -s / (be + T)])
        ds = np.array([0.0, 0.0, 1.0 / s, 0.0])[:, None]
        g_tail = (e1 * g1 + e2 * (gJx + ds) - e3 * (gJT + ds)) / Q
        return l1, tail, g_tail

    def _negll(self, z, d: _ParetoData):
        p = np.exp(z)
        r, al, s, be = p
        N = d.n_total
        _, tail, g_tail = self._log_terms(p, d.x, d.tx, d.T, True)
        ll = (_dot(d.w, sc.gammaln(r + d.x)) + N * (r * np.log(al) + s * np.log(be) - sc.gammaln(r))
              + _dot(d.w, tail))
        g = np.einsum("ij,j->i", g_tail, d.w)
        g[0] += _dot(d.w, sc.digamma(r + d.x)) - N * sc.digamma(r) + N * np.log(al)
        g[1] += N * r / al
        g[2] += N * np.log(be)
        g[3] += N * s / be
        return -ll / N, -(g * p) / N

    def _p_alive(self, p, x, tx, T):
        # compute on unique rows: the series is the costly part
        c = compress_rows(x, tx, T)
        l1, tail, _ = self._log_terms(p, c.x, c.tx, c.T, False)
        return np.exp(np.minimum(l1 - tail, 0.0))[c.inverse]

    @staticmethod
    def _given_alive(p, x, T, t):
        r, al, s, be = p
        x, T, t = np.broadcast_arrays(np.asarray(x, float), np.asarray(T, float), np.asarray(t, float))
        lg = np.log1p(t / (be + T))                        # log((beta+T+t)/(beta+T))
        if abs(s - 1.0) < 1e-10:
            frac = lg
        else:
            frac = -np.expm1(-(s - 1.0) * lg) / (s - 1.0)
        return (r + x) * (be + T) / (al + T) * frac
