"""Numerically safe special-function pieces of the Pareto/NBD and BG/NBD models.

Everything here is vectorised over customers (or unique customer rows) and works in log
space where magnitudes can overflow. No function loops over customers in Python; the only
Python loops are over blocks of series terms.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy import special as sc

__all__ = ["hyp2f1_1bc", "pareto_log_J", "bgnbd_expected_given_alive_factor"]

#: Relative accuracy at which the hypergeometric series is stopped.
_SERIES_RTOL = 1e-15
#: Hard cap on series terms per row; rows still short of the tolerance trigger a warning.
_SERIES_MAX_TERMS = 200_000
#: Rows per chunk, keeps (rows x block) work arrays below ~70 MB.
_CHUNK_ROWS = 16_384


class SeriesConvergenceWarning(RuntimeWarning):
    """A hypergeometric series was truncated before reaching full double precision."""


def hyp2f1_1bc(b, c, z, *, derivatives: bool = True):
    """Gauss hypergeometric function ``2F1(1, b; c; z)`` and its partial derivatives.

    The series ``sum_k (b)_k / (c)_k z^k`` has only positive terms for ``c > b > 0`` and
    ``0 <= z < 1``, so it is summed without cancellation, block by block in log space.

    Parameters
    ----------
    b, c, z : array_like, shape (n,)
        Parameters with ``c > b > 0`` and ``0 <= z < 1``.
    derivatives : bool
        Also return ``dF/db``, ``dF/dc`` and ``dF/dz``.

    Returns
    -------
    F : ndarray, shape (n,)
        The function value (>= 1).
    dF_db, dF_dc, dF_dz : ndarray, shape (n,)
        Partial derivatives (only when ``derivatives``).
    """
    b, c, z = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(b, c, z))
    n = b.size
    b, c, z = b.ravel(), c.ravel(), z.ravel()
    F = np.ones(n)
    Fb = np.zeros(n)
    Fc = np.zeros(n)
    Fz = np.zeros(n)
    zero = z <= 0.0
    Fz[zero] = b[zero] / c[zero]
    todo = np.flatnonzero(~zero)
    worst = 0.0
    for start in range(0, todo.size, _CHUNK_ROWS):
        idx = todo[start:start + _CHUNK_ROWS]
        out, err = _series_chunk(b[idx], c[idx], z[idx], derivatives)
        F[idx], Fb[idx], Fc[idx], Fz[idx] = out
        worst = max(worst, err)
    if worst > 1e-8:
        warnings.warn(
            f"2F1(1, b; c; z) series truncated after {_SERIES_MAX_TERMS} terms (z very close to 1); "
            f"relative truncation error up to {worst:.1e}.",
            SeriesConvergenceWarning, stacklevel=3,
        )
    if derivatives:
        return F, Fb, Fc, Fz
    return F


def _accumulate(a: np.ndarray, ufunc) -> np.ndarray:
    """In-place running ``ufunc`` along axis 0 of a (terms x rows) block.

    A Python loop over the few term rows, each a vectorised op over all rows, is ~20x faster
    than ``np.cumsum(axis=0)`` here (numpy accumulates column by column).
    """
    for i in range(1, a.shape[0]):
        ufunc(a[i], a[i - 1], out=a[i])
    return a


def _series_chunk(b, c, z, derivatives):
    """Sum the series for one chunk of rows; returns (F, Fb, Fc, Fz) and the worst tail bound.

    Terms follow ``term_k = term_{k-1} * (b+k-1)/(c+k-1) * z`` (all ratios < 1, so no
    overflow); blocks are laid out (terms x rows) so cumulative products and sums run across
    rows in contiguous memory.
    """
    n = b.size
    S = np.ones(n)
    Sb = np.zeros(n)
    Sc = np.zeros(n)
    Sz = np.zeros(n)
    last = np.ones(n)         # last term summed
    Hb = np.zeros(n)          # sum_{j<k} 1/(b+j)  = d log coef_k / db
    Hc = np.zeros(n)          # sum_{j<k} 1/(c+j)  = -d log coef_k / dc
    tail = 1.0 / (1.0 - z) ** 2  # bounds the tail of k * term_k relative to the last term
    active = np.arange(n)
    k0 = 0
    # first block: enough terms for the median row to reach double precision
    block = int(np.clip(np.ceil(-37.0 / np.log(np.clip(np.median(z), 1e-300, 0.999))), 8, 256))
    while active.size and k0 < _SERIES_MAX_TERMS:
        j = (k0 + np.arange(block, dtype=float))[:, None]   # row i of the block is term k = j + 1
        ba, ca, za = b[active], c[active], z[active]
        inv_b = 1.0 / (ba + j)
        inv_c = 1.0 / (ca + j)
        ratio = (ba + j) * inv_c * za
        ratio[0] *= last[active]
        term = _accumulate(ratio, np.multiply)
        S[active] += term.sum(axis=0)
        if derivatives:
            inv_b[0] += Hb[active]
            inv_c[0] += Hc[active]
            hb = _accumulate(inv_b, np.add)
            hc = _accumulate(inv_c, np.add)
            Sb[active] += np.einsum("ij,ij->j", term, hb)
            Sc[active] -= np.einsum("ij,ij->j", term, hc)
            Sz[active] += np.einsum("ij,i->j", term, j[:, 0] + 1.0) / za
            Hb[active] = hb[-1]
            Hc[active] = hc[-1]
        last[active] = term[-1]
        k0 += block
        done = term[-1] * (k0 + 1) * tail[active] <= _SERIES_RTOL * S[active]
        active = active[~done]
        block = min(block * 2, 1024)
    err = 0.0
    if active.size:  # geometric bound on the omitted tail of F
        err = float(np.max(last[active] * z[active] / (1.0 - z[active]) / S[active]))
    return (S, Sb, Sc, Sz), err


def pareto_log_J(r, alpha, s, beta, x, t, *, gradient: bool = True):
    """Log of the Pareto/NBD integral ``J(t) = int_t^inf (alpha+y)^-(r+x) (beta+y)^-(s+1) dy``.

    The textbook form uses ``2F1(r+s+x, s+1; r+s+x+1; .)`` (or ``r+x`` in the second slot
    when ``alpha < beta``), which overflows or loses all digits for large ``x``. Euler's
    transformation turns both cases into ``2F1(1, b; c; z)`` with positive series terms::

        alpha >= beta: J = (alpha+t)^-(r+x) (beta+t)^-s / m * 2F1(1, r+x; m+1; (alpha-beta)/(alpha+t))
        alpha <  beta: J = (alpha+t)^-(r+x-1) (beta+t)^-(s+1) / m * 2F1(1, s+1; m+1; (beta-alpha)/(beta+t))

    with ``m = r + s + x``.

    Parameters
    ----------
    r, alpha, s, beta : float
        Pareto/NBD parameters (all > 0).
    x, t : ndarray, shape (n,)
        Repeat-purchase counts and time points (model time units).
    gradient : bool
        Also return the partial derivatives of ``log J``.

    Returns
    -------
    logJ : ndarray, shape (n,)
    grad : ndarray, shape (4, n)
        ``d logJ / d(r, alpha, s, beta)``; only when ``gradient``.
    """
    x = np.asarray(x, dtype=float)
    t = np.asarray(t, dtype=float)
    m = r + s + x
    la, lb = np.log(alpha + t), np.log(beta + t)
    if alpha >= beta:
        z = (alpha - beta) / (alpha + t)
        out = hyp2f1_1bc(r + x, m + 1.0, z, derivatives=gradient)
        F = out[0] if gradient else out
        logJ = -(r + x) * la - s * lb - np.log(m) + np.log(F)
        if not gradient:
            return logJ
        _, Fb, Fc, Fz = out
        g = np.empty((4,) + x.shape)
        g[0] = -la - 1.0 / m + (Fb + Fc) / F
        g[2] = -lb - 1.0 / m + Fc / F
        g[1] = -(r + x) / (alpha + t) + Fz / F * (beta + t) / (alpha + t) ** 2
        g[3] = -s / (beta + t) - Fz / F / (alpha + t)
    else:
        z = (beta - alpha) / (beta + t)
        out = hyp2f1_1bc(s + 1.0, m + 1.0, z, derivatives=gradient)
        F = out[0] if gradient else out
        logJ = -(r + x - 1.0) * la - (s + 1.0) * lb - np.log(m) + np.log(F)
        if not gradient:
            return logJ
        _, Fb, Fc, Fz = out
        g = np.empty((4,) + x.shape)
        g[0] = -la - 1.0 / m + Fc / F
        g[2] = -lb - 1.0 / m + (Fb + Fc) / F
        g[1] = -(r + x - 1.0) / (alpha + t) - Fz / F / (beta + t)
        g[3] = -(s + 1.0) / (beta + t) + Fz / F * (alpha + t) / (beta + t) ** 2
    return logJ, g


def bgnbd_expected_given_alive_factor(r, alpha, a, b, x, T, t):
    """BG/NBD ``E[Y(t) | x, t_x, T] / P(alive)``: purchases in ``(T, T+t]`` given alive at ``T``.

    Uses Euler's transformation of ``2F1(r+x, b+x; a+b+x-1; z)`` so that no parameter grows
    with ``x`` except ``c``; the remaining function is well conditioned for ``0 <= z < 1``::

        E / P(alive) = (a+b+x-1)/(a-1) * [1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)]

    with ``z = t / (alpha + T + t)``. ``a == 1`` is handled by a symmetric limit.

    Parameters
    ----------
    r, alpha, a, b : float
        BG/NBD parameters.
    x, T, t : array_like, broadcastable
        Repeat purchases, age and horizon (model time units).

    Returns
    -------
    ndarray
        Expected purchases if alive, same broadcast shape.
    """
    if abs(a - 1.0) < 1e-7:  # removable singularity: average both sides (error O(h^2))
        h = 1e-6
        return 0.5 * (_bgnbd_factor(r, alpha, 1.0 - h, b, x, T, t) + _bgnbd_factor(r, alpha, 1.0 + h, b, x, T, t))
    return _bgnbd_factor(r, alpha, a, b, x, T, t)


def _bgnbd_factor(r, alpha, a, b, x, T, t):
    x, T, t = np.broadcast_arrays(np.asarray(x, float), np.asarray(T, float), np.asarray(t, float))
    z = t / (alpha + T + t)
    with np.errstate(all="ignore"):
        F = sc.hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
        log_g = (a - 1.0) * np.log1p(-z) + np.log(F)
        one_minus = np.where(F > 0, -np.expm1(log_g), 1.0 - (1.0 - z) ** (a - 1.0) * F)
        out = (a + b + x - 1.0) / (a - 1.0) * one_minus
    # 0 <= E <= (r+x) t/(alpha+T) (the expectation without dropout); outside it, or after cancellation in
    # 1 - (...) F, or with a huge third argument of 2F1 (a + b > 1e3), the closed form loses precision
    bad = ~(np.isfinite(out) & (out >= 0) & (out <= (r + x) * t / (alpha + T) * (1 + 1e-8) + 1e-300)
            & (np.abs(one_minus) > 1e-3) & (a + b < 1e3))
    if bad.any():
        out = np.array(out, dtype=float)
        out[bad] = _bgnbd_factor_quadrature(r, alpha, a, b, x[bad], T[bad], t[bad])
    return out


#: Gauss-Legendre nodes on (0, 1) for the quadrature fallback over dropout-probability quantiles.
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(64)
_GL_U, _GL_W = 0.5 * (_GL_NODES + 1.0), 0.5 * _GL_WEIGHTS


def _bgnbd_factor_quadrature(r, alpha, a, b, x, T, t):
    """``E[Y(t) | alive] = E_p[(1 - (1 + p t/(alpha+T))^-(r+x)) / p]``, ``p ~ Beta(a, b+x)``, by quadrature.

    Integrates the bounded, smooth integrand over the quantiles of the Beta posterior of the dropout
    probability (64 Gauss-Legendre nodes): stable for any parameters, used where the closed form overflows
    (huge ``a`` and ``b``, tiny ``r``). Inputs are 1-d arrays of equal length; returns the same shape.
    """
    ux, inv = np.unique(x, return_inverse=True)       # the Beta quantiles depend on x only
    p = sc.betaincinv(a, (b + ux)[:, None], _GL_U[None, :])[inv.ravel()]
    s = (t / (alpha + T))[:, None]
    k = (r + x)[:, None]
    with np.errstate(all="ignore"):
        h = np.where(p > 0, -np.expm1(-k * np.log1p(p * s)) / np.where(p > 0, p, 1.0), k * s)
    return h @ _GL_W
