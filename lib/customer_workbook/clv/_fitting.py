"""Shared machinery: compression to sufficient statistics, bounded log-space optimisation,
Hessian-based standard errors and the summary table."""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.stats import norm

from ._validation import CLVConvergenceWarning

__all__ = ["Compressed", "compress_rows", "BaseModel"]

#: Bounds of every parameter on the log scale: parameters live in [exp(-15), exp(15)].
LOG_BOUND = 15.0


@dataclass(frozen=True)
class Compressed:
    """Unique (frequency, recency, T) rows with their customer counts.

    Attributes
    ----------
    x, tx, T : ndarray, shape (k,)
        Unique rows.
    w : ndarray, shape (k,)
        Number of customers (or summed weights) per row.
    uT, ut : ndarray
        Unique values of T and of recency; ``iT``, ``it`` index rows into them.
    inverse : ndarray, shape (n,)
        Row of each original customer.
    """

    x: np.ndarray
    tx: np.ndarray
    T: np.ndarray
    w: np.ndarray
    uT: np.ndarray
    iT: np.ndarray
    ut: np.ndarray
    it: np.ndarray
    inverse: np.ndarray

    @property
    def n_customers(self) -> float:
        return float(self.w.sum())


def compress_rows(x, tx, T, weights=None) -> Compressed:
    """Collapse customers to unique ``(x, t_x, T)`` rows with counts (hash based, O(n)).

    Parameters
    ----------
    x, tx, T : ndarray, shape (n,)
        Validated frequency, recency and age.
    weights : ndarray, shape (n,), optional
        Customer weights (default 1 each).

    Returns
    -------
    Compressed
    """
    it, ut = pd.factorize(tx, sort=False)
    iT, uT = pd.factorize(T, sort=False)
    key = (x.astype(np.int64) * len(uT) + iT) * len(ut) + it
    code, ukey = pd.factorize(key, sort=False)
    w = np.bincount(code, weights=weights, minlength=len(ukey)).astype(float)
    row_it = ukey % len(ut)
    rest = ukey // len(ut)
    row_iT = rest % len(uT)
    row_x = rest // len(uT)
    ut = np.asarray(ut, dtype=float)
    uT = np.asarray(uT, dtype=float)
    return Compressed(row_x.astype(float), ut[row_it], uT[row_iT], w, uT, row_iT, ut, row_it, code)


class BaseModel:
    """Parameters, optimiser, standard errors and summary shared by all CLV models.

    Subclasses define ``param_names`` and ``_negll(log_params, data) -> (f, grad)`` returning
    the *mean* negative log-likelihood per customer and its gradient in log-parameters.
    """

    param_names: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.params_: pd.Series | None = None
        self.standard_errors_: pd.Series | None = None
        self.covariance_: pd.DataFrame | None = None
        self.log_likelihood_: float | None = None
        self.n_customers_: int | None = None
        self.n_unique_rows_: int | None = None
        self.converged_: bool | None = None
        self.n_evaluations_: int | None = None
        self.time_unit_: str | None = None

    # ------------------------------------------------------------------ fitting
    def _negll(self, log_params: np.ndarray, data) -> tuple[float, np.ndarray]:
        raise NotImplementedError

    def _maximise(self, data, n_total: float, log_start: np.ndarray, max_newton: int = 3,
                  warm=None) -> None:
        """Maximise the likelihood in log-parameters; store estimates and standard errors.

        Steps: (1) if ``warm = (z0, H0)`` is given (estimate and Hessian from a subsample),
        chord-Newton iterations ``z -= H0^-1 g(z)`` on the full data, which converge in a few
        gradient evaluations; (2) otherwise, or if they stall, bounded L-BFGS-B; (3) Newton
        polishing with the numeric Hessian of the full data, which also gives the standard
        errors.
        """
        calls = [0]

        def fun(z):
            calls[0] += 1
            f, g = self._negll(z, data)
            if not np.isfinite(f):
                return 1e300, np.zeros_like(z)
            return f, g

        z, f, message = None, None, "chord-Newton from a subsample fit"
        if warm is not None:
            z, f = self._chord_newton(fun, *warm)
        if z is None:
            bounds = [(-LOG_BOUND, LOG_BOUND)] * len(log_start)
            res = minimize(fun, np.clip(log_start, -LOG_BOUND + 1, LOG_BOUND - 1), jac=True, method="L-BFGS-B",
                           bounds=bounds, options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20})
            z, f, message = res.x, res.fun, res.message
        f, g = fun(z)
        H = self._numeric_hessian(z, fun, g)
        for _ in range(max_newton):
            if np.max(np.abs(g)) < 1e-12:
                break
            try:
                step = -np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                break
            z_new = np.clip(z + step, -LOG_BOUND, LOG_BOUND)
            f_new, g_new = fun(z_new)
            if not f_new <= f + 1e-15 * abs(f):
                break
            z, f, g = z_new, f_new, g_new
            if np.max(np.abs(step)) < 1e-9:
                break
        at_bound = np.abs(z) >= LOG_BOUND - 1e-6
        self.converged_ = bool(np.max(np.abs(g)) < 1e-6 and not at_bound.any())
        if at_bound.any():
            names = [n for n, b in zip(self.param_names, at_bound, strict=True) if b]
            warnings.warn(f"{type(self).__name__}: parameter(s) {names} at the optimiser bound "
                          f"exp(+-{LOG_BOUND:g}); the model may not suit these data", CLVConvergenceWarning,
                          stacklevel=3)
        elif not self.converged_:
            warnings.warn(f"{type(self).__name__}: optimiser stopped with gradient {np.max(np.abs(g)):.2e} "
                          f"({message})", CLVConvergenceWarning, stacklevel=3)
        self.n_evaluations_ = calls[0]
        self._set_params(np.exp(z), -f * n_total, H * n_total)

    @staticmethod
    def _chord_newton(fun, z0, H0, max_iter: int = 25):
        """Newton steps with a fixed Hessian; (z, f) on success, (None, None) if they stall."""
        try:
            H_inv = np.linalg.inv(H0)
        except np.linalg.LinAlgError:
            return None, None
        z = np.asarray(z0, dtype=float)
        f, g = fun(z)
        for _ in range(max_iter):
            step = -H_inv @ g
            if not np.all(np.isfinite(step)) or np.any(np.abs(z + step) >= LOG_BOUND):
                return None, None
            z_new = z + step
            f_new, g_new = fun(z_new)
            if not f_new <= f + 1e-14 * abs(f):
                return None, None
            z, f, g = z_new, f_new, g_new
            if np.max(np.abs(step)) < 1e-8:
                return z, f
        return None, None

    @staticmethod
    def _numeric_hessian(z, fun, g0=None, h: float = 1e-5) -> np.ndarray:
        """Forward differences of the analytic gradient (log-parameter scale), symmetrised."""
        k = z.size
        if g0 is None:
            g0 = fun(z)[1]
        H = np.empty((k, k))
        for i in range(k):
            e = np.zeros(k)
            e[i] = h
            H[:, i] = (fun(z + e)[1] - g0) / h
        return 0.5 * (H + H.T)

    def _set_params(self, params: np.ndarray, loglik: float, hessian_log: np.ndarray) -> None:
        names = list(self.param_names)
        self.params_ = pd.Series(params, index=names, name="estimate")
        self.log_likelihood_ = float(loglik)
        try:
            cov_log = np.linalg.inv(hessian_log)
            if np.any(np.diag(cov_log) < 0):
                raise np.linalg.LinAlgError("Hessian not positive definite")
            cov = cov_log * np.outer(params, params)  # delta method: d theta = theta d log theta
        except np.linalg.LinAlgError:
            warnings.warn(f"{type(self).__name__}: Hessian is singular or indefinite; standard errors are NaN",
                          CLVConvergenceWarning, stacklevel=3)
            cov = np.full((len(names), len(names)), np.nan)
        self.covariance_ = pd.DataFrame(cov, index=names, columns=names)
        self.standard_errors_ = pd.Series(np.sqrt(np.diag(cov)), index=names, name="std_error")

    @classmethod
    def from_params(cls, params, time_unit: str | None = None):
        """A model with given parameters (e.g. stored from an earlier fit), ready to predict.

        Parameters
        ----------
        params : Mapping[str, float]
            One positive value per name in ``param_names``.
        time_unit : {"D", "W"}, optional
            Time unit of the parameters (transaction models; needed for CLV in months).

        Returns
        -------
        model
            Without standard errors or log-likelihood.
        """
        missing = [k for k in cls.param_names if k not in params]
        if missing:
            raise ValueError(f"missing parameter(s) {missing} for {cls.__name__}")
        values = np.array([float(params[k]) for k in cls.param_names])
        if not np.all(np.isfinite(values) & (values > 0)):
            raise ValueError(f"{cls.__name__} parameters must be finite and > 0, got {dict(params)}")
        model = cls()
        model.params_ = pd.Series(values, index=list(cls.param_names), name="estimate")
        model.time_unit_ = time_unit
        return model

    # ------------------------------------------------------------------ reporting
    def _check_fitted(self) -> None:
        if self.params_ is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted yet: call fit() first")

    @property
    def params(self) -> dict[str, float]:
        """Fitted parameters as a plain dict."""
        self._check_fitted()
        return {k: float(v) for k, v in self.params_.items()}

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors (inverse observed information) and 95% Wald limits.

        Returns
        -------
        DataFrame, shape (n_params, 4)
            ``estimate``, ``std_error``, ``lower_95``, ``upper_95`` (the log-likelihood, number of
            customers and convergence are the model's ``log_likelihood_``, ``n_customers_``, ``converged_``).
        """
        self._check_fitted()
        zc = norm.ppf(0.975)
        return pd.DataFrame({
            "estimate": self.params_,
            "std_error": self.standard_errors_,
            "lower_95": self.params_ - zc * self.standard_errors_,
            "upper_95": self.params_ + zc * self.standard_errors_,
        })

    def __repr__(self) -> str:
        if self.params_ is None:
            return f"{type(self).__name__}(unfitted)"
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"{type(self).__name__}({ps}; log-likelihood={self.log_likelihood_:.2f}, n={self.n_customers_})"


def _dot(u, v) -> float:
    """Inner product without BLAS: OpenBLAS threads woken for mid-sized vectors cost more than
    the product and keep spinning, slowing the next numpy calls."""
    return float(np.einsum("i,i->", u, v))
