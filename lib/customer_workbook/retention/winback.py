"""Dormant customers and win-back: how far each customer is behind their own buying rhythm, and whether
waking a group pays (expected value of those still alive against the cost of contacting everyone)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

__all__ = ["ASSUMED_RANGE", "DORMANCY_ORDER", "VOUCHER_MIN_DISCOUNT", "Dormancy", "WinbackEconomics", "WinbackResponse",
           "assumed_response", "dormancy_groups", "measured_response", "winback_economics"]

#: An assumed rate is shown with the range from half to 1.5 times it: a sensitivity range, not an interval.
ASSUMED_RANGE = (0.5, 1.5)

#: Dormancy groups from awake to deepest asleep.
DORMANCY_ORDER = ("active", "half_sleepy", "sleepy", "sleeping")

#: Mean line discount (0-1) from which a customer counts as a discount user, who gets a voucher.
VOUCHER_MIN_DISCOUNT = 0.05
#: Rounding allowance of a mean: a mean of exactly 5% is a discount user whatever the order of summation.
_ROUNDING = 1e-9


@dataclass(frozen=True)
class Dormancy:
    """Each customer's dormancy (:func:`dormancy_groups`).

    Attributes
    ----------
    table : DataFrame, shape (n_customers, 4)
        ``days_since_last``, ``typical_gap_days`` (days), ``overdue_ratio`` and ``group`` (ordered
        categorical of :data:`DORMANCY_ORDER`), indexed like the values it was measured on.
    median_gap_days : float
        The base's typical gap ``g0``: median mean gap between purchase days of repeat buyers (days).
    """

    table: pd.DataFrame
    median_gap_days: float

    @property
    def group(self) -> pd.Series:
        """Dormancy group per customer."""
        return self.table["group"]


@dataclass(frozen=True)
class WinbackResponse:
    """How many contacted dormant customers a win-back wakes, and whether the data measured it.

    Attributes
    ----------
    rate, low, high : float
        Measured (``measured``): the uplift of a randomised campaign among lapsed customers, the extra share of
        *all* contacted customers who order because of the offer (0-1), with its 90% interval. Assumed: the
        share of the *live* customers of a group who respond (the parameter), and the sensitivity range
        :data:`ASSUMED_RANGE` around it.
    measured : bool
    source : str
        Where the rate comes from, in words (written by the code, no data value).
    reference_p_alive : float
        Measured only: mean P(alive) (0-1) of the customers the campaign measured the uplift on. A group's wakes
        are the uplift times its mean P(alive) relative to this, an assumption (only live customers respond);
        NaN: the uplift applies flat to every group.
    """

    rate: float
    low: float
    high: float
    measured: bool
    source: str
    reference_p_alive: float = float("nan")

    def wake(self, mean_p_alive: pd.Series, rate: float | None = None) -> pd.Series:
        """Customers woken per contact in each group. Assumed: the rate times the group's mean P(alive) (only live
        customers respond). Measured: the uplift times the group's mean P(alive) relative to
        ``reference_p_alive`` (the uplift as it is without a reference). ``rate``: one end of the range instead."""
        r = self.rate if rate is None else rate
        if not self.measured:
            return r * mean_p_alive
        if np.isfinite(self.reference_p_alive) and self.reference_p_alive > 0:
            return r * mean_p_alive / self.reference_p_alive
        return pd.Series(r, index=mean_p_alive.index)

    def scaled(self, factor: float) -> "WinbackResponse":
        """The same response with ``rate``, ``low`` and ``high`` times ``factor`` (e.g. 1/5: a fifth as many
        answer), with the factor named in ``source``."""
        return replace(self, rate=factor * self.rate, low=factor * self.low, high=factor * self.high,
                       source=f"{factor:.2g} times the {self.source}")


def assumed_response(rate: float) -> WinbackResponse:
    """The parameter's response rate among live customers, with the sensitivity range :data:`ASSUMED_RANGE`."""
    low, high = ASSUMED_RANGE
    return WinbackResponse(float(rate), low * rate, high * rate, False,
                           f"assumed: {rate:.0%} of live customers respond (parameter `winback_response_rate`)")


def measured_response(uplift: pd.DataFrame, segment: str = "lapsing", min_arm: int = 30,
                      reference_p_alive: float = float("nan")) -> WinbackResponse | None:
    """The win-back response measured by a randomised campaign: the uplift of its ``segment`` row
    (:func:`customer_workbook.retention.campaign_uplift`: customers without an order for 150 days when the offer
    went out), or None when the campaign has no such row or an arm smaller than ``min_arm`` customers.
    ``reference_p_alive``: mean P(alive) of that row's customers, to scale the uplift per dormancy group
    (:meth:`WinbackResponse.wake`); NaN applies it flat."""
    rows = uplift.loc[uplift["group"] == segment]
    if rows.empty:
        return None
    r = rows.iloc[0]
    if min(int(r["n_treated"]), int(r["n"] - r["n_treated"])) < min_arm:
        return None
    return WinbackResponse(float(r["uplift"]), float(r["uplift_low"]), float(r["uplift_high"]), True,
                           f"measured: a randomised campaign gave {segment} customers {100 * r['uplift']:+.1f} pp "
                           f"extra buyers (90% interval {100 * r['uplift_low']:+.1f} to {100 * r['uplift_high']:+.1f} pp, "
                           f"{int(r['n']):,} customers)", float(reference_p_alive))


@dataclass(frozen=True)
class WinbackEconomics:
    """Whether waking each dormant group pays (:func:`winback_economics`).

    Attributes
    ----------
    table : DataFrame
        One row per dormant group (see :func:`winback_economics`).
    value_if_woken : float
        Value of a woken customer used (currency units).
    response : WinbackResponse
        The response used, measured or assumed.
    """

    table: pd.DataFrame
    value_if_woken: float
    response: WinbackResponse | None = None

    @property
    def worth_it(self) -> list[str]:
        """The groups a win-back pays for, from awake to deepest asleep."""
        return self.table.loc[self.table["worth_it"], "group"].tolist()


def dormancy_groups(values: pd.DataFrame, thresholds=(2.0, 4.0, 8.0), prior_strength: float = 1.0) -> Dormancy:
    """Dormancy of each customer, measured against his or her own buying rhythm.

    The overdue ratio is ``days since the last purchase / typical gap``. The typical gap is the
    customer's mean gap between purchase days, shrunk towards the base's median gap:
    ``gap_i = (recency_i + k * g0) / (frequency_i + k)`` with ``k = prior_strength`` and ``g0`` the
    median gap of repeat buyers, so one-time buyers get ``g0`` and frequent buyers their own rhythm.

    Rules (ratio r): ``active`` r < t1, ``half_sleepy`` t1 <= r < t2 (a cycle or two late),
    ``sleepy`` t2 <= r < t3, ``sleeping`` r >= t3.

    Parameters
    ----------
    values : DataFrame
        Output of :func:`customer_workbook.clv.score_customers` ``.table`` (``frequency``, ``recency``, ``T`` in weeks, ``p_alive``).
    thresholds : tuple of 3 floats
        Overdue-ratio limits t1 < t2 < t3 (multiples of the customer's own gap).
    prior_strength : float
        Weight ``k`` of the base's median gap, in purchases.

    Returns
    -------
    Dormancy
        The per-customer table (indexed like ``values``) and the base's median gap ``g0`` (days).
    """
    t1, t2, t3 = thresholds
    if not t1 < t2 < t3:
        raise ValueError("thresholds must be increasing")
    freq = values["frequency"].to_numpy(dtype=float)
    rec_days = values["recency"].to_numpy(dtype=float) * 7.0
    since = (values["T"].to_numpy(dtype=float) - values["recency"].to_numpy(dtype=float)) * 7.0
    repeat = freq > 0
    g0 = float(np.median(rec_days[repeat] / freq[repeat])) if repeat.any() else float(np.median(since) or 30.0)
    gap = (rec_days + prior_strength * g0) / (freq + prior_strength)
    ratio = since / gap
    idx = np.digitize(ratio, [t1, t2, t3])
    group = pd.Categorical.from_codes(idx, categories=list(DORMANCY_ORDER), ordered=True)
    out = pd.DataFrame({"days_since_last": since, "typical_gap_days": gap, "overdue_ratio": ratio,
                        "group": group}, index=values.index)
    return Dormancy(out, g0)


def winback_economics(values: pd.DataFrame, groups: pd.Series, mean_discount: pd.Series | None = None,
                      value_if_woken: float | None = None, response_rate: float | WinbackResponse = 0.15,
                      cost_per_contact: float = 5.0, voucher_cost: float = 8.0) -> WinbackEconomics:
    """Is waking each dormant group worth it, and with which offer?

    Expected gain of contacting one customer of a group:
    ``response_rate * mean P(alive) * value_if_woken - cost_per_contact - response_rate * mean P(alive) *
    voucher_share * voucher_cost``, where only customers still alive can respond and a voucher is
    paid only by those who use it. The offer rule: full-price buyers (mean line discount below
    :data:`VOUCHER_MIN_DISCOUNT`, 0.05; a mean of exactly 0.05 is a discount user) get a personal
    recommendation without a discount — a discount mail can put them off — and discount users get a
    voucher; a group whose expected gain is not positive is left alone.

    Parameters
    ----------
    values : DataFrame
        Output of :func:`customer_workbook.clv.score_customers` ``.table`` (``p_alive``, ``clv_1y``).
    groups : Series
        Dormancy group per customer (:attr:`Dormancy.group` of :func:`dormancy_groups`).
    mean_discount : Series, optional
        Mean line discount (0-1) of each customer's purchases (the per-customer table's
        ``mean_discount``, :func:`customer_workbook.base.customer_features`); without it every offer is a
        recommendation.
    value_if_woken : float, optional
        Value (currency units) of a woken customer; default the mean 1-year CLV of ``active`` customers.
    response_rate : float or WinbackResponse
        Share of the *live* customers in a group who respond to a win-back (0-1), an assumption; or a
        :class:`WinbackResponse`, e.g. measured by a randomised campaign (:func:`measured_response`), whose
        uplift is the share of *all* contacted customers woken, scaled per group by the group's mean P(alive)
        relative to the campaign's customers' (:meth:`WinbackResponse.wake`).
    cost_per_contact, voucher_cost : float
        Cost of one contact and of one redeemed voucher (currency units).

    Returns
    -------
    WinbackEconomics
        ``table``: one row per dormant group present (``half_sleepy``, ``sleepy``, ``sleeping``):
        ``group``, ``customers``, ``mean_p_alive``, ``mean_clv_1y``, ``voucher_share``, ``expected_wakes``
        (customers), ``gain_per_contact``, ``total_gain``, ``total_gain_low``, ``total_gain_high`` (currency
        units; the range from the response's range), ``worth_it`` (bool), ``offer`` (text); the
        ``value_if_woken`` and the ``response`` used.
    """
    if value_if_woken is None:
        value_if_woken = float(values.loc[groups == "active", "clv_1y"].mean())
    frame = pd.DataFrame({"group": groups, "p_alive": values["p_alive"], "clv_1y": values["clv_1y"]})
    if mean_discount is not None:
        mean = mean_discount.reindex(values.index).fillna(0.0)
        frame["voucher"] = (mean >= VOUCHER_MIN_DISCOUNT - _ROUNDING).to_numpy()
    else:
        frame["voucher"] = False
    g = frame[frame["group"] != "active"].groupby("group", observed=True)
    out = pd.DataFrame({"customers": g.size(), "mean_p_alive": g["p_alive"].mean(),
                        "mean_clv_1y": g["clv_1y"].mean(), "voucher_share": g["voucher"].mean()})
    out = out.reindex([d for d in DORMANCY_ORDER[1:] if d in out.index])
    response = response_rate if isinstance(response_rate, WinbackResponse) else assumed_response(response_rate)

    def gain(wake: pd.Series) -> pd.Series:  # per contact: value of the woken, less contact and vouchers
        return wake * value_if_woken - cost_per_contact - wake * out["voucher_share"] * voucher_cost

    wake = response.wake(out["mean_p_alive"])
    out["expected_wakes"] = wake * out["customers"]
    out["gain_per_contact"] = gain(wake)
    out["total_gain"] = out["gain_per_contact"] * out["customers"]
    ends = [gain(response.wake(out["mean_p_alive"], r)) * out["customers"] for r in (response.low, response.high)]
    out["total_gain_low"], out["total_gain_high"] = np.minimum(*ends), np.maximum(*ends)
    out["worth_it"] = out["gain_per_contact"] > 0
    offer = np.where(out["voucher_share"] >= 0.5, "voucher on their favourite category for discount users; "
                     "personal recommendation for full-price buyers",
                     "personal recommendation (no discount); voucher only for the discount users")
    out["offer"] = np.where(out["worth_it"], offer, "leave alone: a contact costs more than it returns")
    return WinbackEconomics(out.rename_axis("group").reset_index(), float(value_if_woken), response)
