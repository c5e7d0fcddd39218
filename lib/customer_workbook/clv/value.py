"""Customer lifetime value: expected purchases x expected spend x margin, discounted monthly."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import CLVInputError, rfm_arrays, validate_rfm
from .models import GammaGammaModel, _unique_pairs

__all__ = ["customer_lifetime_value", "monthly_discount_factors", "DAYS_PER_MONTH"]

#: Average month length (365.25 / 12 days).
DAYS_PER_MONTH = 365.25 / 12
_UNIT_DAYS = {"D": 1.0, "W": 7.0}


def monthly_discount_factors(horizon_months: int, discount_rate: float, rate_period: str = "month") -> np.ndarray:
    """Discount factors ``1 / (1 + d)^k`` for the ends of months ``k = 1..horizon_months``.

    Parameters
    ----------
    horizon_months : int
        Number of months (>= 1).
    discount_rate : float
        Rate per ``rate_period`` (0.01 = 1 %); > -1.
    rate_period : {"month", "year"}
        An annual rate ``d_y`` becomes the monthly ``(1 + d_y)^(1/12) - 1``.

    Returns
    -------
    ndarray, shape (horizon_months,)
    """
    if int(horizon_months) != horizon_months or horizon_months < 1:
        raise CLVInputError(f"horizon_months must be a positive whole number, got {horizon_months!r}")
    if not np.isfinite(discount_rate) or discount_rate <= -1:
        raise CLVInputError(f"discount_rate must be > -1, got {discount_rate!r}")
    if rate_period not in ("month", "year"):
        raise CLVInputError(f"rate_period must be 'month' or 'year', got {rate_period!r}")
    monthly = discount_rate if rate_period == "month" else (1.0 + discount_rate) ** (1.0 / 12.0) - 1.0
    return (1.0 + monthly) ** -np.arange(1, int(horizon_months) + 1, dtype=float)


def customer_lifetime_value(transaction_model, spend, rfm, *, horizon_months: int = 12,
                            discount_rate: float = 0.01, rate_period: str = "month",
                            margin: float = 1.0, time_unit: str | None = None):
    """Discounted expected margin per customer over a horizon.

    ``CLV_i = margin * spend_i * sum_k (E_i[Y(k)] - E_i[Y(k-1)]) / (1 + d)^k`` where
    ``E_i[Y(k)]`` is the expected number of purchases in the next ``k`` months given the
    customer's history and ``d`` the monthly discount rate (cash flows at month ends).

    Parameters
    ----------
    transaction_model : BGNBDModel or ParetoNBDModel
        Fitted purchase model.
    spend : GammaGammaModel, float or array_like, shape (n,)
        Expected spend per purchase (currency units): a fitted Gamma-Gamma model (uses
        ``frequency`` and ``monetary_value`` of ``rfm``) or given values.
    rfm : DataFrame
        ``frequency``, ``recency``, ``T`` (and ``monetary_value`` for a Gamma-Gamma spend).
    horizon_months : int
        Horizon in months.
    discount_rate : float
        Rate per ``rate_period``, e.g. 0.01 monthly or 0.10 yearly.
    rate_period : {"month", "year"}
    margin : float
        Profit margin as a fraction of revenue (1.0 = revenue CLV).
    time_unit : {"D", "W"}, optional
        Unit of the model's time scale; defaults to the model's ``time_unit_``.

    Returns
    -------
    Series or ndarray, shape (n,)
        CLV in currency units, indexed like ``rfm``.

    Examples
    --------
    >>> clv = customer_lifetime_value(bgnbd, gg, rfm, horizon_months=12,
    ...                               discount_rate=0.10, rate_period="year", margin=0.3)  # doctest: +SKIP
    """
    factors = monthly_discount_factors(horizon_months, discount_rate, rate_period)
    if not np.isfinite(margin):
        raise CLVInputError(f"margin must be finite, got {margin!r}")
    unit = time_unit or getattr(transaction_model, "time_unit_", None)
    if unit not in _UNIT_DAYS:
        raise CLVInputError("the model's time unit is unknown: pass time_unit='D' or 'W' "
                            "(a model fitted on an rfm_summary result knows it)")
    (x, tx, T), ids, index = rfm_arrays(rfm)
    validate_rfm(x, tx, T, ids, for_fit=False)
    if isinstance(spend, GammaGammaModel):
        per_purchase = np.asarray(spend.expected_average_spend(rfm), dtype=float)
    else:
        per_purchase = np.broadcast_to(np.asarray(spend, dtype=float), x.shape)
        if not np.all(np.isfinite(per_purchase)):
            raise CLVInputError("spend contains NaN or infinite values")
    params = transaction_model._param_vector()
    p_alive = transaction_model._p_alive(params, x, tx, T)
    inv, ux, uT = _unique_pairs(x, T)
    month = DAYS_PER_MONTH / _UNIT_DAYS[unit]
    horizons = month * np.arange(1, factors.size + 1)
    cum = transaction_model._given_alive(params, ux[:, None], uT[:, None], horizons[None, :])
    increments = np.diff(cum, axis=1, prepend=0.0)
    discounted = np.einsum("ij,j->i", increments, factors)   # per unique (x, T), given alive
    value = margin * per_purchase * p_alive * discounted[inv]
    return pd.Series(value, index=index, name="clv") if index is not None else value
