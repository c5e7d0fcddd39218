"""Unit economics of acquisition: who each channel brought, what one cost, and when they pay back.

The *customer acquisition cost* (CAC) of a channel is its spend divided by the new customers it brought
(currency units per customer). Set against the value of a newly acquired customer
(:func:`customer_workbook.clv.group_clv`, the one engine for new customers), it gives CLV/CAC (above 1:
the channel's customers pay back their acquisition) and the *payback period*, the months of undiscounted
margin a customer needs to cover their CAC. Intervals pair a bootstrap over weeks (CAC) with one over
customers (CLV). Reference: Gupta & Lehmann (2003), "Customers as assets", J. Interactive Marketing 17(1).

Units: money in currency units; the weekly marketing series stays in weeks (``current_weeks``);
customer-level durations are in days; payback in months.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..base import derived
from ..clv.new_customers import NewCustomerValue
from ..data import Dataset
from ..stats import se_from_draws

__all__ = ["AcquisitionCost", "acquired_customers", "acquisition_cost", "first_cycle_repeat_share", "payback_months",
           "persona_cac", "unit_economics", "worth_per_customer"]


def acquired_customers(ds: Dataset, burn_in_days: int = 182) -> pd.DataFrame:
    """Customers acquired inside the data window, with the group (channel) that brought them.

    With a ``customers`` table holding ``signup_date``, a customer is *acquired in the window* when the
    signup falls on or after the first transaction date (so their first purchase is in the data); the
    group is ``acquisition_channel`` (or ``"all"`` when absent). Without it, customers whose first
    purchase (``first_order`` of :func:`customer_workbook.base.derived` ``.customers``) comes at least
    ``burn_in_days`` after the data start are taken as new.

    Parameters
    ----------
    ds : Dataset
    burn_in_days : int
        Only used without signup dates: days at the start of the data in which "first seen" is
        confounded with "already a customer" (182 = 26 weeks).

    Returns
    -------
    DataFrame, shape (n_acquired, 3)
        ``customer_id`` (str), ``channel`` (str), ``acquired`` (datetime64, signup or first purchase).
    """
    start = ds.transactions["date"].min().normalize()
    cu = ds.customers
    if cu is not None and "signup_date" in cu:
        keep = cu["signup_date"].notna() & (cu["signup_date"] >= start)
        channel = (cu.loc[keep, "acquisition_channel"].astype(str) if "acquisition_channel" in cu
                   else pd.Series("all", index=cu.index[keep]))
        return pd.DataFrame({"customer_id": cu.loc[keep, "customer_id"].astype(str).to_numpy(),
                             "channel": channel.to_numpy(), "acquired": cu.loc[keep, "signup_date"].to_numpy()})
    first = derived(ds).customers["first_order"].dropna()
    first = first[first >= start + pd.Timedelta(days=burn_in_days)]
    channel = "all"
    if cu is not None and "acquisition_channel" in cu:
        channel = (cu.set_index("customer_id")["acquisition_channel"].astype(str).reindex(first.index)
                   .fillna("unknown").to_numpy())
    return pd.DataFrame({"customer_id": first.index.astype(str), "channel": channel, "acquired": first.to_numpy()})


@dataclass(frozen=True, eq=False)
class AcquisitionCost:
    """CAC per channel (:func:`acquisition_cost`): the ``table`` and the bootstrap ``draws`` behind its interval.

    ``table`` has one row per channel: ``channel``, ``weeks``, ``spend``, ``new_customers``, ``cac``,
    ``cac_low``, ``cac_high`` (90% interval), ``current_spend`` (weekly), ``current_new`` (weekly mean over
    the same weeks). ``draws``: ``{channel: ndarray (n_boot,)}`` bootstrap CAC draws (currency units).
    """

    table: pd.DataFrame
    draws: Mapping[str, np.ndarray]

    @property
    def current_spend(self) -> dict[str, float]:
        """Today's weekly spend per channel (currency units per week)."""
        return dict(zip(self.table["channel"], self.table["current_spend"]))

    @property
    def blended_cac(self) -> float:
        """Total spend / total new customers over every channel and week (currency units per customer)."""
        return float(self.table["spend"].sum() / max(self.table["new_customers"].sum(), 1))


def acquisition_cost(marketing: pd.DataFrame, current_weeks: int = 52, n_boot: int = 500,
                     seed: int = 0) -> AcquisitionCost:
    """Customer acquisition cost (CAC) per channel from weekly spend and new customers.

    CAC = total spend / total new customers over the data (currency units per customer); the interval
    resamples weeks (bootstrap, 90%). *Current* weekly spend is the mean over the last ``current_weeks``.

    Parameters
    ----------
    marketing : DataFrame
        Contract ``marketing`` table: ``week``, ``channel``, ``spend``, ``new_customers``.
    current_weeks : int
        Weeks that define today's allocation.
    n_boot : int
        Bootstrap resamples of the weeks.
    seed : int

    Returns
    -------
    AcquisitionCost
    """
    rng = np.random.default_rng(seed)
    rows, draws = [], {}
    last = marketing["week"].max() - pd.Timedelta(weeks=current_weeks)
    for ch, g in marketing.groupby(marketing["channel"].astype(str), sort=True):
        s = g["spend"].to_numpy(dtype=float)
        n = g["new_customers"].to_numpy(dtype=float)
        idx = rng.integers(0, len(g), size=(n_boot, len(g)))
        boot = s[idx].sum(axis=1) / np.maximum(n[idx].sum(axis=1), 1.0)
        recent = (g["week"] > last).to_numpy()
        draws[ch] = boot
        rows.append({"channel": ch, "weeks": len(g), "spend": s.sum(), "new_customers": int(n.sum()),
                     "cac": s.sum() / max(n.sum(), 1.0), "cac_low": float(np.quantile(boot, 0.05)),
                     "cac_high": float(np.quantile(boot, 0.95)), "current_spend": float(s[recent].mean()),
                     "current_new": float(n[recent].mean())})
    return AcquisitionCost(pd.DataFrame(rows), draws)


def payback_months(cumulative_margin: np.ndarray, cac: float) -> float:
    """First month-end at which cumulative margin per customer covers ``cac`` (months; inf if never).

    ``cumulative_margin[k]`` is the margin by the end of month ``k`` (index 0 = at acquisition), so a
    customer whose first order already pays the CAC has payback 0. Linear interpolation within a month.
    """
    cm = np.asarray(cumulative_margin, dtype=float)
    above = np.flatnonzero(cm >= cac)
    if not above.size:
        return float("inf")
    k = int(above[0])
    if k == 0:
        return 0.0
    return float(k - 1 + (cac - cm[k - 1]) / max(cm[k] - cm[k - 1], 1e-12))


def unit_economics(clv_table: pd.DataFrame, clv_draws: Mapping[str, np.ndarray],
                   values: Mapping[str, NewCustomerValue], costs: AcquisitionCost | None, margin: float = 0.35,
                   curve_cac: Mapping[str, float] | None = None, payback_horizon_months: int = 120,
                   seed: int = 0) -> pd.DataFrame:
    """CLV, CAC, CLV/CAC (with a 90% interval) and payback period per channel.

    The CLV/CAC interval pairs independent bootstrap draws of CLV (over customers) and CAC (over weeks).
    ``curve_cac`` (``{channel: CAC at current spend from the response curve}``), when given, adds
    ``cac_current`` and ``clv_to_cac_current``. Without ``costs`` only the CLV columns are returned.

    Parameters
    ----------
    clv_table, clv_draws, values
        :func:`customer_workbook.clv.group_clv` output per channel (table, bootstrap draws, point values).
    costs : AcquisitionCost or None
        :func:`acquisition_cost` output.
    margin : float
        Profit margin (share of revenue), for the payback period.

    Returns
    -------
    DataFrame
        ``channel``, ``n_acquired``, ``clv``, ``clv_low``, ``clv_high``, ``cac``, ``cac_low``, ``cac_high``,
        ``clv_to_cac``, ``ratio_low``, ``ratio_high``, ``ratio_se_log`` (standard error of ``log(clv_to_cac)``
        from the paired draws, for :func:`~customer_workbook.stats.separate_top`), ``payback_months`` [, ``cac_current``,
        ``clv_to_cac_current``], sorted by the CLV/CAC used for ranking.
    """
    out = clv_table.rename(columns={"group": "channel"})[["channel", "n_acquired", "clv", "clv_low", "clv_high"]]
    if costs is None:
        return out
    rng = np.random.default_rng(seed)
    out = out.merge(costs.table[["channel", "cac", "cac_low", "cac_high"]], on="channel", how="inner")
    out["clv_to_cac"] = out["clv"] / out["cac"]
    lows, highs, ses, payback = [], [], [], []
    for ch, cac in zip(out["channel"], out["cac"]):
        a, b = clv_draws.get(ch, np.array([])), costs.draws[ch]
        ratio = a / rng.choice(b, size=a.size) if a.size else np.array([np.nan])
        lows.append(float(np.quantile(ratio, 0.05)))
        highs.append(float(np.quantile(ratio, 0.95)))
        ses.append(se_from_draws(ratio, log=True))
        payback.append(payback_months(values[ch].cumulative_margin(margin, payback_horizon_months), float(cac)))
    out["ratio_low"], out["ratio_high"], out["ratio_se_log"], out["payback_months"] = lows, highs, ses, payback
    key = "clv_to_cac"
    if curve_cac:
        out["cac_current"] = out["channel"].map(curve_cac).astype(float)
        out["clv_to_cac_current"] = out["clv"] / out["cac_current"]
        key = "clv_to_cac_current"
    return out.sort_values(key, ascending=False, ignore_index=True)


def persona_cac(acquired: pd.DataFrame, personas: pd.Series, cac_table: pd.DataFrame) -> pd.Series:
    """CAC per persona: each channel's spend spread evenly over the customers it brought, averaged by persona.

    Parameters
    ----------
    acquired : DataFrame
        :func:`acquired_customers` output.
    personas : Series
        Persona per ``customer_id`` (str index).
    cac_table : DataFrame
        ``channel`` and ``cac`` (:attr:`AcquisitionCost.table`).

    Returns
    -------
    Series
        Currency units per acquired customer, indexed by persona.
    """
    a = acquired.assign(persona=acquired["customer_id"].astype(str).map(personas)).dropna(subset=["persona"])
    a = a.merge(cac_table[["channel", "cac"]], on="channel", how="inner")
    return a.groupby("persona")["cac"].mean().rename("cac")


def worth_per_customer(values: Mapping[str, NewCustomerValue], margin: float, annual_discount_rate: float,
                       horizon_years: float) -> pd.DataFrame:
    """What one acquired customer is worth under each objective of the hierarchy (currency units).

    ``leads`` 1 customer; ``revenue`` first-year revenue; ``profit`` first-year margin (undiscounted);
    ``value`` CLV (discounted margin over the horizon). Rows: channels; columns: objectives.
    """
    return pd.DataFrame({c: {"leads": 1.0, "revenue": v.revenue(12), "profit": margin * v.revenue(12),
                             "value": v.clv(margin, annual_discount_rate, horizon_years)}
                         for c, v in values.items()}).T


def first_cycle_repeat_share(orders: pd.DataFrame, window_days: int = 90, end=None) -> float:
    """Share of customers who order again within ``window_days`` of their first order (0-1).

    Only customers whose first order is at least ``window_days`` before ``end`` (default: the last order
    date) can show it, so they are the population of both numerator and denominator. The first cycle of
    use is where a new customer decides to stay (continuum marketing); NaN without such customers.

    Parameters
    ----------
    orders : DataFrame
        The order table (:func:`customer_workbook.base.derived` ``.orders``): ``customer_id``, ``date``.
    window_days : int
    end : date-like, optional
    """
    end = orders["date"].max() if end is None else pd.Timestamp(end)
    first = orders.groupby("customer_id", observed=True)["date"].transform("min")
    window = pd.Timedelta(days=window_days)
    eligible = first <= end - window
    again = eligible & (orders["date"] > first) & (orders["date"] <= first + window)
    n = orders.loc[eligible.to_numpy(), "customer_id"].nunique()
    return float(orders.loc[again.to_numpy(), "customer_id"].nunique() / n) if n else float("nan")
