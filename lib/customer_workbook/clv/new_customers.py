"""The value of a *new* customer per group (acquisition channel, persona): the same BG/NBD + Gamma-Gamma engine
as :func:`customer_workbook.clv.score_customers`, used at the population level.

:func:`score_customers` values customers we already have from their own history. Here the question is what a
customer we have not acquired yet is worth: :func:`group_clv` fits the models on each group's acquired
customers and values a newly acquired one (:class:`NewCustomerValue`: buyer share x (first order + expected
repeat orders x mean repeat spend), discounted), with a bootstrap over customers. Notebook 03 calls it
through :mod:`customer_workbook.steps.strategy`; :mod:`customer_workbook.acquisition` sets it against the
cost of acquiring a customer.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..threads import one_thread
from ._validation import CLVInputError
from .data import rfm_summary
from .models import BGNBDModel, GammaGammaModel
from .scoring import _fit
from .value import DAYS_PER_MONTH, monthly_discount_factors

__all__ = ["GroupValues", "NewCustomerValue", "first_purchase_value", "new_customer_value", "group_clv"]

WEEKS_PER_MONTH = DAYS_PER_MONTH / 7.0


def first_purchase_value(transactions: pd.DataFrame, customer_ids) -> pd.Series:
    """Net amount of each customer's first purchase day (currency units), indexed by customer_id.

    Customers with no transaction are absent. Returns on later days do not count against it.
    """
    tx = transactions.loc[transactions["customer_id"].isin(pd.Index(customer_ids)), ["customer_id", "date", "amount"]]
    day = tx["date"].dt.normalize()
    first_day = day.groupby(tx["customer_id"], observed=True).transform("min")
    out = tx.loc[(day == first_day).to_numpy()].groupby("customer_id", observed=True)["amount"].sum()
    out.name = "first_value"
    return out


def _rfm(transactions: pd.DataFrame, observation_end) -> pd.DataFrame:
    """The table of :func:`~customer_workbook.clv.rfm_summary` with daily purchase periods measured in weeks,
    its data warnings muted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rfm_summary(transactions, observation_end, freq="D", time_unit="W").table


@dataclass
class NewCustomerValue:
    """Expected value of one newly acquired customer of a group, from the CLV engine.

    ``buyer_share`` of acquired customers buy at all; a buyer's first purchase is worth ``first_value``
    (mean, currency units); afterwards they make ``repeat_by_month[k]`` expected repeat purchases by the
    end of month ``k + 1`` (BG/NBD, population level) at ``repeat_spend`` each (Gamma-Gamma mean).
    ``fits``: how the BG/NBD and Gamma-Gamma fits went (:class:`~customer_workbook.clv.ModelFit`).
    """

    n_acquired: int
    buyer_share: float
    first_value: float
    repeat_spend: float
    repeat_by_month: np.ndarray = field(repr=False)
    params: dict = field(default_factory=dict, repr=False)
    fits: tuple = field(default=(), repr=False)

    @property
    def problem(self) -> str | None:
        """Why this value cannot be used (plain text), or None when it can: a model that failed, did not
        converge or has a parameter at a bound, a mean repeat spend that is not finite (Gamma-Gamma
        ``q <= 1``), or expected repeat purchases that are not finite and non-decreasing."""
        for fit in self.fits:
            if fit.error is not None:
                return f"{fit.model} failed ({fit.error})"
            if fit.at_bound:
                return f"{fit.model} has parameter(s) {', '.join(fit.at_bound)} at a bound"
            if not fit.converged:
                return f"{fit.model} did not converge"
        if not (np.isfinite(self.repeat_spend) and self.repeat_spend >= 0):
            return "the mean repeat spend is not finite (Gamma-Gamma q <= 1)"
        curve = np.asarray(self.repeat_by_month, dtype=float)
        if not (np.all(np.isfinite(curve)) and np.all(np.diff(curve) >= -1e-9) and curve[0] >= -1e-9):
            return "the expected repeat purchases are not finite (BG/NBD parameters far outside a usable range)"
        return None

    @property
    def ok(self) -> bool:
        """True when :attr:`problem` is None: the value comes from models that fitted without reservation."""
        return self.problem is None

    def clv(self, margin: float, annual_discount_rate: float, horizon_years: float = 5) -> float:
        """Discounted expected margin per acquired customer (currency units); first order undiscounted."""
        months = int(round(12 * horizon_years))
        factors = monthly_discount_factors(months, annual_discount_rate, "year")
        increments = np.diff(self.repeat_by_month[:months], prepend=0.0)
        repeat = self.repeat_spend * float(increments @ factors)
        return float(margin * self.buyer_share * (self.first_value + repeat))

    def cumulative_margin(self, margin: float, months: int) -> np.ndarray:
        """Undiscounted cumulative margin per acquired customer at the end of months 0..months, shape (months+1,)."""
        repeat = np.concatenate([[0.0], self.repeat_by_month[:months]])
        return margin * self.buyer_share * (self.first_value + self.repeat_spend * repeat)

    def revenue(self, months: int = 12) -> float:
        """Expected undiscounted revenue per acquired customer in the first ``months`` months."""
        return float(self.cumulative_margin(1.0, months)[-1])


def new_customer_value(rfm: pd.DataFrame, first_value: pd.Series, n_acquired: int, max_months: int = 120,
                       weights: np.ndarray | None = None, initial: dict | None = None) -> NewCustomerValue:
    """Fit BG/NBD and Gamma-Gamma on one group's new customers and value a newly acquired customer.

    Parameters
    ----------
    rfm : DataFrame, shape (n_buyers, 4)
        :func:`customer_workbook.clv.rfm_summary` output for the group's customers (time unit weeks).
    first_value : Series
        First-purchase value per customer (currency units), indexed like ``rfm`` (missing = 0).
    n_acquired : int
        Customers the group acquired (buyers and non-buyers), for the buyer share.
    max_months : int
        Months of expected repeat purchases kept (horizons up to ``max_months / 12`` years).
    weights : ndarray, shape (n_buyers,), optional
        Bootstrap weights per customer (Poisson(1) draws give a bootstrap over customers).
    initial : dict, optional
        ``{"bg": params, "gg": params}`` starting values (speeds up bootstrap refits).

    Returns
    -------
    NewCustomerValue
        Its :attr:`~NewCustomerValue.fits` record how both fits went (warnings recorded, not silenced);
        check :attr:`~NewCustomerValue.ok` before using the value.

    Raises
    ------
    CLVInputError
        When a model cannot be fitted at all (e.g. no customer has a repeat purchase).
    """
    w = np.ones(len(rfm)) if weights is None else np.asarray(weights, dtype=float)
    fv = first_value.reindex(rfm.index).fillna(0.0).to_numpy()
    bg, bg_fit = _fit(BGNBDModel(), rfm, "BG/NBD", weights=w, time_unit="W", initial_params=(initial or {}).get("bg"))
    gg, gg_fit = _fit(GammaGammaModel(), rfm, "Gamma-Gamma", weights=w, initial_params=(initial or {}).get("gg"))
    for model, fit in ((bg, bg_fit), (gg, gg_fit)):
        if model is None:
            raise CLVInputError(f"{fit.model} could not be fitted on {len(rfm):,} customers: {fit.error}")
    months = WEEKS_PER_MONTH * np.arange(1, max_months + 1)
    with np.errstate(all="ignore"):
        repeat = np.asarray(bg.expected_purchases_population(months), dtype=float)
    n_buy = float(w.sum())
    return NewCustomerValue(
        n_acquired=int(n_acquired), buyer_share=min(1.0, len(rfm) / max(n_acquired, 1)),
        first_value=float((fv * w).sum() / max(n_buy, 1e-9)), repeat_spend=gg.population_mean_spend(),
        repeat_by_month=repeat, params={"bg": bg.params_.to_dict(), "gg": gg.params_.to_dict()},
        fits=(bg_fit, gg_fit))


def _group_value(r: pd.DataFrame, fv: pd.Series, n_group: int, months: int, rng: np.random.Generator, n_boot: int,
                 margin: float, annual_discount_rate: float, horizon_years: float, pooled_model):
    """One group's new-customer value: its own fit with ``n_boot`` bootstrap draws, or, when the group's own
    fit fails the gate (:attr:`NewCustomerValue.problem`), the pooled repeat-buying model with the group's
    own first orders.

    Returns (NewCustomerValue, "own" or "pooled", finite bootstrap CLV draws), or (None, why neither model
    can be used, empty draws)."""
    with one_thread(), np.errstate(all="ignore"):
        try:
            point = new_customer_value(r, fv, n_group, max_months=months)
            problem = point.problem or (None if np.isfinite(point.clv(margin, annual_discount_rate, horizon_years))
                                        else "the value is not finite")
        except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
            problem = str(exc)
        if problem is None:
            boot = np.array([_safe_clv(r, fv, n_group, months, rng.poisson(1.0, len(r)),
                                       point.params, margin, annual_discount_rate, horizon_years)
                             for _ in range(n_boot)])
            return point, "own", boot[np.isfinite(boot)]
        pooled, pooled_problem = pooled_model()
        if pooled is None:
            why = problem if pooled_problem == problem else f"{problem}; the model of all new customers: {pooled_problem}"
            return None, why, np.array([])
        own = fv.reindex(r.index).fillna(0.0)
        point = NewCustomerValue(n_group, min(1.0, len(r) / max(n_group, 1)), float(own.mean()),
                                 pooled.repeat_spend, pooled.repeat_by_month, pooled.params, pooled.fits)
        return point, "pooled", np.array([])


@dataclass(frozen=True)
class GroupValues:
    """The value of a new customer per group (:func:`group_clv`).

    ``table``: one row per group with the point estimate and its 90% bootstrap interval (see
    :func:`group_clv`); ``values``: ``{group: NewCustomerValue}`` point estimates; ``draws``:
    ``{group: ndarray (at most n_boot,)}`` finite bootstrap CLV draws (currency units; refits that fail are
    left out, and a group valued with the pooled model has none); ``left_out``: ``{group: why}`` for the
    groups without a value (plain text: too few buying customers, or neither its own nor the pooled model
    fitted without reservation).
    """

    table: pd.DataFrame
    values: dict[str, NewCustomerValue]
    draws: dict[str, np.ndarray]
    left_out: dict[str, str] = field(default_factory=dict)


def group_clv(transactions: pd.DataFrame, acquired: pd.DataFrame, margin: float = 0.35,
              annual_discount_rate: float = 0.10, horizon_years: float = 5, n_boot: int = 30,
              group_column: str = "channel", min_customers: int = 30, seed: int = 0,
              max_customers: int = 10_000,
              ) -> GroupValues:
    """CLV of a newly acquired customer per group, with a bootstrap over customers.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions.
    acquired : DataFrame
        :func:`customer_workbook.acquisition.acquired_customers` output (``customer_id``, ``group_column``).
    margin : float
        Profit margin as a share of revenue.
    annual_discount_rate : float
        Yearly discount rate for the discounted cash flow.
    horizon_years : float
        CLV horizon from acquisition.
    n_boot : int
        Bootstrap refits per group (Poisson(1) weights over customers); 0 for none.
    min_customers : int
        Groups with fewer buying customers are left out.
    seed : int
    max_customers : int
        Larger groups are valued on a seeded random sample of this many acquired customers (the expected
        CLV is unchanged; intervals then reflect the sample).

    Returns
    -------
    GroupValues
        ``table``, one row per group: ``group``, ``n_acquired``, ``model`` ("own" fit, or "pooled" when the group is too
        small for a stable fit and the repeat-buying model of all new customers is used), ``buyer_share``, ``first_value``, ``repeat_spend``,
        ``repeat_purchases`` (expected in the horizon, undiscounted), ``clv``, ``clv_low``, ``clv_high``
        (90% bootstrap interval), sorted by ``clv``; ``values`` (``{group: NewCustomerValue}``),
        ``draws`` (``{group: ndarray (n_boot,)}`` bootstrap CLV draws, currency units) and ``left_out``.
        Only groups whose model passes the gate (:attr:`NewCustomerValue.ok`) get a row.
    """
    rng = np.random.default_rng(seed)
    counts = acquired[group_column].astype(str).value_counts()
    if counts.empty:
        return GroupValues(pd.DataFrame(columns=_TABLE_COLUMNS), {}, {})
    acquired = _cap_per_group(acquired, group_column, max_customers, seed)
    ids = acquired["customer_id"].astype(str)
    sub = transactions.loc[transactions["customer_id"].isin(pd.Index(ids))]
    end = transactions["date"].max().normalize()
    rfm = _rfm(sub, end)
    fv = first_purchase_value(sub, rfm.index)
    group = acquired.set_index("customer_id")[group_column].astype(str)
    g_of = group.reindex(rfm.index)
    sampled = group.value_counts()
    rows, values, draws, left_out = [], {}, {}, {}
    months = max(int(round(12 * horizon_years)), 12)
    pooled: list = []  # (model of all new customers or None, problem), fitted when first needed

    def pooled_model() -> tuple[NewCustomerValue | None, str | None]:
        return pooled[0] if pooled else pooled.append(_pooled_value(rfm, fv, len(group), months)) or pooled[0]

    for name in sorted(counts.index):
        mask = (g_of == name).to_numpy()
        if mask.sum() < min_customers:
            left_out[name] = f"{int(mask.sum()):,} buying customers, fewer than the {min_customers} a model needs"
            continue
        n_group = int(sampled[name])  # acquired customers behind this (possibly sampled) group
        point, source, boot = _group_value(rfm.loc[mask], fv, n_group, months, rng, n_boot, margin,
                                           annual_discount_rate, horizon_years, pooled_model)
        if point is None:
            left_out[name] = source
            continue
        point.n_acquired = int(counts[name])
        value = point.clv(margin, annual_discount_rate, horizon_years)
        values[name], draws[name] = point, boot
        rows.append({"group": name, "n_acquired": int(counts[name]), "model": source, "buyer_share": point.buyer_share,
                     "first_value": point.first_value, "repeat_spend": point.repeat_spend,
                     "repeat_purchases": float(point.repeat_by_month[months - 1]), "clv": value,
                     "clv_low": float(np.quantile(boot, 0.05)) if boot.size else np.nan,
                     "clv_high": float(np.quantile(boot, 0.95)) if boot.size else np.nan})
    table = pd.DataFrame(rows, columns=_TABLE_COLUMNS)
    return GroupValues(table.sort_values("clv", ascending=False, ignore_index=True), values, draws, left_out)


_TABLE_COLUMNS = ["group", "n_acquired", "model", "buyer_share", "first_value", "repeat_spend", "repeat_purchases",
                  "clv", "clv_low", "clv_high"]


def _pooled_value(rfm: pd.DataFrame, fv: pd.Series, n_acquired: int,
                  months: int) -> tuple[NewCustomerValue | None, str | None]:
    """The repeat-buying model of all new customers, or (None, why it cannot be used)."""
    try:
        with np.errstate(all="ignore"):
            value = new_customer_value(rfm, fv, n_acquired, max_months=months)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
        return None, str(exc)
    return (value, None) if value.ok else (None, value.problem)


def _cap_per_group(frame: pd.DataFrame, column: str, cap: int, seed: int) -> pd.DataFrame:
    """At most ``cap`` seeded random rows per value of ``column`` (vectorised: rank of a random key)."""
    if len(frame) == 0 or frame[column].value_counts().max() <= cap:
        return frame
    key = pd.Series(np.random.default_rng(seed).random(len(frame)), index=frame.index)
    rank = key.groupby(frame[column].astype(str).to_numpy()).rank(method="first")
    return frame.loc[(rank <= cap).to_numpy()]


def _safe_clv(r, fv, n, months, weights, initial, margin, rate, horizon) -> float:
    """One bootstrap CLV draw; NaN when the refit fails (such draws are dropped)."""
    try:
        return new_customer_value(r, fv, n, max_months=months, weights=weights, initial=initial).clv(margin, rate, horizon)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError):
        return float("nan")
