"""Gamma-Gamma model of spend per purchase (re-exported by :mod:`customer_workbook.clv.models`)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special as sc

from ._fitting import BaseModel, _dot
from ._validation import CLVDataWarning, CLVInputError, describe_ids, rfm_arrays

__all__ = ["GammaGammaModel"]


class _GGData:
    def __init__(self, x, m, w):
        key = pd.MultiIndex.from_arrays([x, m])
        code, uniq = pd.factorize(key, sort=False)
        self.x = np.asarray(uniq.get_level_values(0), dtype=float)
        self.m = np.asarray(uniq.get_level_values(1), dtype=float)
        self.w = np.bincount(code, weights=w, minlength=len(uniq)).astype(float)
        self.rows = self.x.size
        self.n_total = float(self.w.sum())
        self.logm = np.log(self.m)
        self.logx = np.log(self.x)


class GammaGammaModel(BaseModel):
    """Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, JMR 42(4);
    Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value").

    Each transaction value is ``Gamma(p, nu)``; the customer's scale ``nu ~ Gamma(q, gamma)``.
    Fitted on customers with at least one repeat purchase, using their mean repeat-purchase
    value (``monetary_value``) and ``frequency``. Assumes spend is independent of frequency
    (check with :func:`spend_frequency_correlation`).
    """

    param_names = ("p", "q", "gamma")

    def fit(self, rfm, weights=None, initial_params=None):
        """Fit on customers with ``frequency > 0``.

        Parameters
        ----------
        rfm : DataFrame or Mapping
            ``frequency`` (repeat purchases) and ``monetary_value`` (mean repeat-purchase value,
            currency units).
        weights : array_like, optional
            Customers represented by each row.
        initial_params : dict, optional

        Returns
        -------
        self

        Raises
        ------
        CLVInputError
            NaN values, negative frequency, or no customer with a repeat purchase.
        """
        x, m, w, ids = self._inputs(rfm, weights)
        data = _GGData(x, m, w)
        start = (np.array([float(initial_params[k]) for k in self.param_names]) if initial_params
                 else self._start(data))
        self._maximise(data, data.n_total, np.log(start))
        self.n_customers_ = int(round(data.n_total))
        self.n_unique_rows_ = data.rows
        return self

    def _inputs(self, rfm, weights):
        (x, m), ids, _ = rfm_arrays(rfm, ("frequency", "monetary_value"))
        bad = ~(np.isfinite(x) & np.isfinite(m))
        if bad.any():
            raise CLVInputError(f"NaN or infinite frequency/monetary_value for {describe_ids(ids, bad)}")
        if (x < 0).any():
            raise CLVInputError(f"negative frequency: {describe_ids(ids, x < 0)}")
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
        rep = x > 0
        nonpos = rep & (m <= 0)
        if nonpos.any():
            warnings.warn(f"Gamma-Gamma ignores {describe_ids(ids, nonpos)} with repeat purchases but "
                          "monetary_value <= 0", CLVDataWarning, stacklevel=3)
        use = rep & (m > 0)
        if not use.any():
            raise CLVInputError("no customer has a repeat purchase with positive value: the spend model "
                                "cannot be estimated")
        return x[use], m[use], w[use], ids[use]

    def _start(self, d: _GGData) -> np.ndarray:
        mean = _dot(d.w, d.m) / d.n_total
        return np.array([2.0, 3.0, 2.0 * mean])   # population mean p*gamma/(q-1) = observed mean

    def _negll(self, z, d: _GGData):
        p, q, g = np.exp(z)
        N = d.n_total
        px = p * d.x
        lg = np.log(g + d.m * d.x)
        ll = (_dot(d.w, sc.gammaln(px + q) - sc.gammaln(px) + (px - 1.0) * d.logm + px * d.logx
                     - (px + q) * lg)
              + N * (q * np.log(g) - sc.gammaln(q)))
        dpq = sc.digamma(px + q)
        g_p = _dot(d.w, d.x * (dpq - sc.digamma(px) + d.logm + d.logx - lg))
        g_q = _dot(d.w, dpq - lg) + N * (np.log(g) - sc.digamma(q))
        g_g = N * q / g - _dot(d.w, (px + q) / (g + d.m * d.x))
        grad = np.array([g_p * p, g_q * q, g_g * g])
        return -ll / N, -grad / N

    def log_likelihood(self, rfm, params=None) -> float:
        """Total log-likelihood (density of the mean repeat spend) of customers with repeat purchases."""
        if params is None:
            self._check_fitted()
        x, m, w, _ = self._inputs(rfm, None)
        p = (self.params_.to_numpy() if params is None else
             np.array([float(params[k]) for k in self.param_names]))
        d = _GGData(x, m, w)
        return float(-self._negll(np.log(p), d)[0] * d.n_total)

    def expected_average_spend(self, rfm):
        """Posterior mean spend per future transaction, ``(gamma + m x) p / (p x + q - 1)``.

        Customers without repeat purchases get the population mean ``p gamma / (q - 1)``.

        Parameters
        ----------
        rfm : DataFrame or Mapping
            ``frequency`` and ``monetary_value``.

        Returns
        -------
        Series or ndarray, shape (n,)
            Currency units per transaction.

        Raises
        ------
        CLVInputError
            If ``q <= 1`` (mean spend undefined) or inputs contain NaN.
        """
        self._check_fitted()
        p, q, g = self.params_.to_numpy()
        if q <= 1:
            raise CLVInputError(f"q = {q:.3g} <= 1: the spend distribution has no finite mean")
        (x, m), ids, index = rfm_arrays(rfm, ("frequency", "monetary_value"))
        bad = ~(np.isfinite(x) & np.isfinite(m))
        if bad.any():
            raise CLVInputError(f"NaN or infinite frequency/monetary_value for {describe_ids(ids, bad)}")
        use = (x > 0) & (m > 0)
        xe, me = np.where(use, x, 0.0), np.where(use, m, 0.0)
        spend = (g + me * xe) * p / (p * xe + q - 1.0)
        return pd.Series(spend, index=index, name="expected_spend") if index is not None else spend

    def population_mean_spend(self) -> float:
        """Mean spend per transaction across customers, ``p gamma / (q - 1)`` (currency units)."""
        self._check_fitted()
        p, q, g = self.params_.to_numpy()
        return float(p * g / (q - 1.0)) if q > 1 else float("inf")
