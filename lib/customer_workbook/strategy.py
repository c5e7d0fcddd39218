"""Step 3 of the method: choose the strategy — conquest vs relations, and how much to spend (notebook 03).

Conquest (acquisition) costs more than relations (retention); how much to spend on acquisition depends on
the objective optimised, and the highest objective is long-term value (discounted cash flow). The
building blocks:

- **Unit economics** — :func:`acquired_customers` finds the customers each channel brought inside the data
  window; :func:`new_customer_value` fits the CLV engine (BG/NBD + Gamma-Gamma) on them and values a
  *newly acquired* customer (first order plus the discounted expected repeat margin);
  :func:`group_clv` does it per channel / persona with a bootstrap over customers (both live next to the
  existing-customer scorer in :mod:`customer_workbook.clv.new_customers` and are re-exported here);
  :func:`acquisition_cost` gives CAC per channel from the ``marketing`` table; :func:`unit_economics`
  combines them into CLV/CAC and payback, with intervals.
- **Spend response** — :func:`hill`, :func:`adstock`, :func:`fit_response_curve` (Poisson maximum
  likelihood of weekly new customers against weekly spend, geometric carry-over kept only when the data
  support it, parametric bootstrap for uncertainty); :func:`marginal_cac_table`.
- **Firm value** — :func:`value_created` (sum of CLV of acquired customers minus spend),
  :func:`optimise_budget` (multi-start SLSQP with per-channel bounds, optional total budget),
  :func:`budget_frontier` and :func:`objective_comparison` (leads, revenue, profit, value).
- **Relations** — :func:`campaign_segments` and :func:`campaign_uplift` read the randomised campaign;
  :func:`retention_value` values a retained customer with the CLV engine; :func:`conquest_vs_relations`
  compares one more unit spent either way; :func:`lever_evidence` lists the methodology's levers with the
  evidence the data gives.

Units: money in currency units, time in weeks unless a name says months; spends are *weekly*.
Only observable data is used: the sample's hidden truth labels never enter this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from . import clv
from .base import order_table
from .data import Dataset
from .escaping import md
from .stats import two_proportion_uplift
from .threads import one_thread
from .clv.new_customers import NewCustomerValue, first_purchase_value, group_clv, new_customer_value

__all__ = [
    "acquired_customers", "first_purchase_value", "NewCustomerValue", "new_customer_value", "group_clv",
    "acquisition_cost", "payback_months", "unit_economics", "persona_cac",
    "hill", "adstock", "ResponseCurve", "fit_response_curve", "fit_response_curves", "marginal_cac_table",
    "value_created", "optimise_budget", "budget_frontier", "objective_comparison", "worth_per_customer",
    "campaign_segments", "campaign_uplift", "retention_value", "retention_scores", "conquest_vs_relations", "lever_evidence",
    "what_if", "optimum_interval", "recommendation", "hill_derivative", "plan_summary",
    "retention_value_by_group", "headline_first", "cost_comparison",
]



# --------------------------------------------------------------------------- who was acquired, and when


def acquired_customers(ds: Dataset, burn_in_weeks: int = 26) -> pd.DataFrame:
    """Customers acquired inside the data window, with the group (channel) that brought them.

    With a ``customers`` table holding ``signup_date``, a customer is *acquired in the window* when the
    signup falls on or after the first transaction date (so their first purchase is in the data); the
    group is ``acquisition_channel`` (or ``"all"`` when absent). Without it, customers whose first
    purchase comes at least ``burn_in_weeks`` after the data start are taken as new (group ``"all"``).

    Parameters
    ----------
    ds : Dataset
    burn_in_weeks : int
        Only used without signup dates: weeks at the start of the data in which "first seen" is
        confounded with "already a customer".

    Returns
    -------
    DataFrame, shape (n_acquired, 3)
        ``customer_id`` (str), ``channel`` (str), ``acquired`` (datetime64, signup or first purchase).
    """
    tx = ds.transactions
    start = tx["date"].min().normalize()
    cu = ds.customers
    if cu is not None and "signup_date" in cu:
        keep = cu["signup_date"].notna() & (cu["signup_date"] >= start)
        channel = (cu.loc[keep, "acquisition_channel"].astype(str) if "acquisition_channel" in cu
                   else pd.Series("all", index=cu.index[keep]))
        return pd.DataFrame({"customer_id": cu.loc[keep, "customer_id"].astype(str).to_numpy(),
                             "channel": channel.to_numpy(), "acquired": cu.loc[keep, "signup_date"].to_numpy()})
    first = tx.groupby("customer_id", observed=True)["date"].min()
    first = first[first >= start + pd.Timedelta(weeks=burn_in_weeks)]
    channel = "all"
    if cu is not None and "acquisition_channel" in cu:
        channel = cu.set_index("customer_id")["acquisition_channel"].astype(str).reindex(first.index).fillna("unknown").to_numpy()
    return pd.DataFrame({"customer_id": first.index.astype(str), "channel": channel, "acquired": first.to_numpy()})


# --------------------------------------------------------------------------- acquisition cost


def acquisition_cost(marketing: pd.DataFrame, current_weeks: int = 52, n_boot: int = 500,
                     seed: int = 0) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
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
    seed : int

    Returns
    -------
    table : DataFrame
        One row per channel: ``channel``, ``weeks``, ``spend``, ``new_customers``, ``cac``, ``cac_low``,
        ``cac_high``, ``current_spend`` (weekly), ``current_new`` (weekly mean over the same weeks).
    draws : dict
        ``{channel: ndarray (n_boot,)}`` bootstrap CAC draws.
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
    return pd.DataFrame(rows), draws


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


def unit_economics(clv_table: pd.DataFrame, clv_draws: dict, values: dict, cac_table: pd.DataFrame | None,
                   cac_draws: dict | None, margin: float = 0.35, curve_cac: dict | None = None,
                   payback_horizon_months: int = 120, seed: int = 0) -> pd.DataFrame:
    """CLV, CAC, CLV/CAC (with a 90% interval) and payback period per channel.

    The CLV/CAC interval pairs independent bootstrap draws of CLV (over customers) and CAC (over weeks).
    ``curve_cac`` (``{channel: CAC at current spend from the response curve}``), when given, adds
    ``cac_current`` and ``clv_to_cac_current``. Without ``cac_table`` only the CLV columns are returned.

    Returns
    -------
    DataFrame
        ``channel``, ``n_acquired``, ``clv``, ``clv_low``, ``clv_high``, ``cac``, ``cac_low``, ``cac_high``,
        ``clv_to_cac``, ``ratio_low``, ``ratio_high``, ``payback_months`` [, ``cac_current``,
        ``clv_to_cac_current``], sorted by the CLV/CAC used for ranking.
    """
    out = clv_table.rename(columns={"group": "channel"})[["channel", "n_acquired", "clv", "clv_low", "clv_high"]]
    if cac_table is None:
        return out
    rng = np.random.default_rng(seed)
    out = out.merge(cac_table[["channel", "cac", "cac_low", "cac_high"]], on="channel", how="inner")
    out["clv_to_cac"] = out["clv"] / out["cac"]
    lows, highs, payback = [], [], []
    for ch in out["channel"]:
        a, b = clv_draws.get(ch, np.array([])), cac_draws[ch]
        if a.size:
            ratio = a / rng.choice(b, size=a.size)
            lows.append(float(np.quantile(ratio, 0.05)))
            highs.append(float(np.quantile(ratio, 0.95)))
        else:
            lows.append(np.nan)
            highs.append(np.nan)
        cac = float(out.loc[out["channel"] == ch, "cac"].iloc[0])
        payback.append(payback_months(values[ch].cumulative_margin(margin, payback_horizon_months), cac))
    out["ratio_low"], out["ratio_high"], out["payback_months"] = lows, highs, payback
    key = "clv_to_cac"
    if curve_cac:
        out["cac_current"] = out["channel"].map(curve_cac).astype(float)
        out["clv_to_cac_current"] = out["clv"] / out["cac_current"]
        key = "clv_to_cac_current"
    return out.sort_values(key, ascending=False, ignore_index=True)


# --------------------------------------------------------------------------- personas (from segments.personas)


def persona_cac(acquired: pd.DataFrame, personas: pd.Series, cac_table: pd.DataFrame) -> pd.Series:
    """CAC per persona: each channel's spend spread evenly over the customers it brought, summed by persona.

    Returns
    -------
    Series
        Currency units per acquired customer, indexed by persona.
    """
    a = acquired.assign(persona=acquired["customer_id"].astype(str).map(personas)).dropna(subset=["persona"])
    a = a.merge(cac_table[["channel", "cac"]], on="channel", how="inner")
    return a.groupby("persona")["cac"].mean().rename("cac")


# --------------------------------------------------------------------------- spend response curves


def hill(spend, vmax, k, shape):
    """Hill saturation curve ``vmax * s^h / (k^h + s^h)``: new customers per week at weekly spend ``s``.

    Broadcasts over arrays; negative spends count as zero.
    """
    s = np.maximum(np.asarray(spend, dtype=float), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(s > 0, (s / k) ** shape, 0.0)
    return vmax * ratio / (1.0 + ratio)


def hill_derivative(spend, vmax, k, shape):
    """d hill / d spend (new customers per currency unit), shape of ``spend``."""
    s = np.maximum(np.asarray(spend, dtype=float), 1e-12)
    x = (s / k) ** shape
    return vmax * shape * x / (s * (1.0 + x) ** 2)


def adstock(spend, theta: float) -> np.ndarray:
    """Normalised geometric carry-over: ``a_t = (1 - theta) s_t + theta a_{t-1}``, ``a_0 = s_0``.

    A constant spend stays the same level (so response curves keep their steady-state meaning);
    ``theta = 0`` returns the spend unchanged. Shape of ``spend`` (1-D, weeks in order).
    """
    s = np.asarray(spend, dtype=float)
    if theta <= 0:
        return s.copy()
    from scipy.signal import lfilter

    out, _ = lfilter([1 - theta], [1, -theta], s, zi=[theta * s[0]])
    return out


@dataclass
class ResponseCurve:
    """A fitted spend-response curve of one channel: steady-state new customers per week = hill(spend)."""

    channel: str
    vmax: float
    k: float
    shape: float
    theta: float
    dispersion: float
    loglik: float
    n_weeks: int
    max_spend: float
    carryover_p: float = float("nan")
    draws: np.ndarray = field(default_factory=lambda: np.empty((0, 4)), repr=False)

    def predict(self, spend):
        """Expected new customers per week at a constant weekly ``spend`` (array-like)."""
        return hill(spend, self.vmax, self.k, self.shape)

    def marginal(self, spend):
        """Extra new customers per extra currency unit of weekly spend."""
        return hill_derivative(spend, self.vmax, self.k, self.shape)

    def cac(self, spend):
        """Average CAC at a constant weekly ``spend`` (currency units per customer)."""
        return np.asarray(spend, dtype=float) / np.maximum(self.predict(spend), 1e-12)

    def marginal_cac(self, spend):
        """Cost of the last customer at ``spend``: 1 / marginal (currency units per customer)."""
        return 1.0 / np.maximum(self.marginal(spend), 1e-15)

    def draw_predict(self, spend) -> np.ndarray:
        """Bootstrap predictions, shape (n_draws, len(spend))."""
        d = self.draws
        return hill(np.atleast_1d(spend)[None, :], d[:, :1], d[:, 1:2], d[:, 2:3])

    def draw_marginal(self, spend) -> np.ndarray:
        d = self.draws
        return hill_derivative(np.atleast_1d(spend)[None, :], d[:, :1], d[:, 1:2], d[:, 2:3])


def _poisson_nll(z, s, y, fixed_theta=None):
    vmax, k, h = np.exp(z[:3])
    theta = (1 / (1 + np.exp(-z[3]))) * 0.9 if fixed_theta is None else fixed_theta
    mu = np.maximum(hill(adstock(s, theta), vmax, k, h), 1e-9)
    return float(np.sum(mu - y * np.log(mu)))


def _poisson_nll_grad(z, s, y, fixed_theta=0.0):
    """Negative Poisson log-likelihood of the Hill curve (no carry-over) and its gradient in log-parameters."""
    vmax, k, h = np.exp(z[:3])
    pos = s > 0
    lr = np.where(pos, np.log(np.where(pos, s, 1.0) / k), 0.0)
    x = np.where(pos, np.exp(np.clip(h * lr, -700, 700)), 0.0)
    mu = vmax * x / (1 + x)
    mu_c = np.maximum(mu, 1e-9)
    f = float(np.sum(mu_c - y * np.log(mu_c)))
    r = 1 - y / mu_c
    d = mu / (1 + x)
    g = np.array([np.sum(r * mu), np.sum(r * -h * d), np.sum(r * d * h * lr)])
    return f, g


def _fit_hill(s, y, carryover: bool, starts: list[np.ndarray], bounds, maxiter: int = 1000):
    best = None
    for z0 in starts:
        if carryover:
            res = optimize.minimize(_poisson_nll, z0, args=(s, y), method="L-BFGS-B", bounds=bounds,
                                    options={"maxiter": maxiter})
        else:
            res = optimize.minimize(_poisson_nll_grad, z0[:3], args=(s, y), jac=True, method="L-BFGS-B",
                                    bounds=bounds[:3], options={"maxiter": maxiter})
        if best is None or res.fun < best.fun:
            best = res
    return best


def fit_response_curve(spend, new_customers, channel: str = "", carryover: str | bool = "auto",
                       n_boot: int = 100, seed: int = 0, alpha: float = 0.05) -> ResponseCurve:
    """Fit new customers per week against weekly spend with a Hill curve, by Poisson maximum likelihood.

    Parameters
    ----------
    spend, new_customers : array_like, shape (n_weeks,)
        Weekly spend (currency units) and new customers (counts), weeks in time order.
    channel : str
    carryover : {"auto", True, False}
        Geometric carry-over (:func:`adstock`). ``"auto"`` keeps it only when a likelihood-ratio test
        (with the over-dispersion of the fit) rejects "no carry-over" at level ``alpha``.
    n_boot : int
        Parametric bootstrap refits (negative-binomial noise matching the over-dispersion).
    seed : int

    Returns
    -------
    ResponseCurve
        ``draws`` holds (vmax, k, shape, theta) per bootstrap refit, shape (n_boot, 4).
    """
    with one_thread():
        return _fit_response_curve(spend, new_customers, channel, carryover, n_boot, seed, alpha)


def _fit_response_curve(spend, new_customers, channel, carryover, n_boot, seed, alpha) -> ResponseCurve:
    s = np.asarray(spend, dtype=float)
    y = np.asarray(new_customers, dtype=float)
    rng = np.random.default_rng(seed)
    smax = max(float(s.max()), 1.0)
    ymax = max(float(y.max()), 1.0)
    med = float(np.median(s[s > 0])) if (s > 0).any() else smax
    bounds = [(np.log(ymax * 0.05), np.log(ymax * 50)), (np.log(smax * 0.01), np.log(smax * 20)),
              (np.log(0.5), np.log(4.0)), (-6.0, 6.0)]
    starts = [np.array([np.log(ymax * m), np.log(med * kk), np.log(h), -2.0])
              for m in (1.0, 3.0) for kk in (0.7, 2.0) for h in (1.0, 2.0)]
    base = _fit_hill(s, y, False, starts, bounds)
    z = np.append(base.x, -30.0)
    theta, p_carry = 0.0, float("nan")
    mu = hill(s, *np.exp(base.x))
    dispersion = max(1.0, float(np.sum((y - mu) ** 2 / np.maximum(mu, 1e-9)) / max(len(y) - 3, 1)))
    if carryover:
        withc = _fit_hill(s, y, True, [np.append(base.x, t) for t in (-2.0, 0.0, 1.5)], bounds)
        lr = max(0.0, 2 * (base.fun - withc.fun) / dispersion)
        p_carry = float(stats.chi2.sf(lr, 1))
        if carryover is True or p_carry < alpha:
            z = withc.x
            theta = float(0.9 / (1 + np.exp(-z[3])))
            mu = hill(adstock(s, theta), *np.exp(z[:3]))
    vmax, k, h = np.exp(z[:3])
    nll = _poisson_nll(z[:3], s, y, theta)
    draws = np.empty((n_boot, 4))
    use_c = theta > 0
    for b in range(n_boot):
        if dispersion > 1.0:
            lam = rng.gamma(mu / (dispersion - 1.0), dispersion - 1.0)
        else:
            lam = mu
        yb = rng.poisson(np.maximum(lam, 0))
        start = z if use_c else z[:3]
        res = _fit_hill(s, yb, use_c, [np.append(start[:3], z[3] if use_c else -2.0)], bounds, maxiter=200)
        zb = res.x
        draws[b] = [*np.exp(zb[:3]), (0.9 / (1 + np.exp(-zb[3]))) if use_c else 0.0]
    return ResponseCurve(channel, float(vmax), float(k), float(h), theta, dispersion, -nll, len(y), smax,
                         p_carry, draws)


def fit_response_curves(marketing: pd.DataFrame, carryover: str | bool = "auto", n_boot: int = 100,
                        seed: int = 0) -> dict[str, ResponseCurve]:
    """:func:`fit_response_curve` for every channel of the ``marketing`` table (weeks sorted)."""
    out = {}
    mk = marketing.sort_values("week")
    with one_thread():
        for j, (ch, g) in enumerate(mk.groupby(mk["channel"].astype(str), sort=True)):
            out[ch] = fit_response_curve(g["spend"].to_numpy(), g["new_customers"].to_numpy(), ch, carryover,
                                         n_boot, seed + j)
    return out


def marginal_cac_table(curves: dict[str, ResponseCurve], current: dict[str, float],
                       multiples=(0.5, 1.0, 1.5, 2.0)) -> pd.DataFrame:
    """Average and marginal CAC at several multiples of today's weekly spend, with 90% bootstrap intervals.

    Returns
    -------
    DataFrame
        ``channel``, ``multiple``, ``spend`` (weekly), ``new_per_week``, ``cac``, ``marginal_cac``,
        ``marginal_cac_low``, ``marginal_cac_high``.
    """
    rows = []
    for ch, c in curves.items():
        s = np.array([m * current[ch] for m in multiples])
        mc = 1.0 / np.maximum(c.draw_marginal(s), 1e-15) if len(c.draws) else np.full((1, len(s)), np.nan)
        for i, m in enumerate(multiples):
            rows.append({"channel": ch, "multiple": m, "spend": s[i], "new_per_week": float(c.predict(s[i])),
                         "cac": float(c.cac(s[i])), "marginal_cac": float(c.marginal_cac(s[i])),
                         "marginal_cac_low": float(np.quantile(mc[:, i], 0.05)),
                         "marginal_cac_high": float(np.quantile(mc[:, i], 0.95))})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- firm value and the optimiser


def value_created(spend, vmax, k, shape, worth) -> np.ndarray:
    """Weekly value created: ``sum_c worth_c * hill_c(spend_c) - sum_c spend_c``.

    Parameters
    ----------
    spend : array_like, shape (..., n_channels)
        Weekly spend per channel.
    vmax, k, shape, worth : array_like, shape (n_channels,)
        Hill parameters and the worth of one acquired customer (e.g. CLV, currency units).

    Returns
    -------
    ndarray, shape (...)
    """
    s = np.asarray(spend, dtype=float)
    return (np.asarray(worth) * hill(s, vmax, k, shape)).sum(axis=-1) - s.sum(axis=-1)


def _params(curves: dict[str, ResponseCurve], channels: list[str]):
    return (np.array([curves[c].vmax for c in channels]), np.array([curves[c].k for c in channels]),
            np.array([curves[c].shape for c in channels]))


def optimise_budget(vmax, k, shape, worth, bounds, total: float | None = None, spend_cost: float = 1.0,
                    n_starts: int = 8, seed: int = 0, x0=None) -> np.ndarray:
    """The weekly spend per channel that maximises ``sum worth * hill - spend_cost * sum spend``.

    Parameters
    ----------
    vmax, k, shape, worth : array_like, shape (n_channels,)
    bounds : array_like, shape (n_channels, 2)
        Lower and upper weekly spend per channel.
    total : float, optional
        Fixed total weekly budget (equality constraint); ``None`` lets the budget float (then the
        problem separates by channel and each channel is solved on a fine grid plus a local polish).
    spend_cost : float
        Weight of spend in the objective (1 for value; 0 with ``total`` to maximise e.g. leads).
    n_starts : int
        Random starting mixes (plus ``x0`` and the proportional one) for SLSQP with a fixed total.
    seed : int

    Returns
    -------
    ndarray, shape (n_channels,)
        Weekly spend per channel, within ``bounds``.
    """
    vmax, k, shape, worth = (np.asarray(a, dtype=float) for a in (vmax, k, shape, worth))
    b = np.asarray(bounds, dtype=float)
    lo, hi = b[:, 0], b[:, 1]
    n = len(vmax)
    if total is None:
        grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0, 1, 2001)[None, :]
        g = worth[:, None] * hill(grid, vmax[:, None], k[:, None], shape[:, None]) - spend_cost * grid
        best = grid[np.arange(n), np.argmax(g, axis=1)]
        out = best.copy()
        for j in range(n):
            step = (hi[j] - lo[j]) / 2000
            res = optimize.minimize_scalar(lambda x: -(worth[j] * hill(x, vmax[j], k[j], shape[j]) - spend_cost * x),
                                           bounds=(max(lo[j], best[j] - step), min(hi[j], best[j] + step)),
                                           method="bounded")
            if -res.fun >= worth[j] * hill(best[j], vmax[j], k[j], shape[j]) - spend_cost * best[j]:
                out[j] = res.x
        return out
    if total < lo.sum() - 1e-9 or total > hi.sum() + 1e-9:
        raise ValueError(f"total budget {total:,.0f} outside what the bounds allow ({lo.sum():,.0f}..{hi.sum():,.0f})")
    rng = np.random.default_rng(seed)
    scale = max(total, 1.0)

    def f(x):
        s = x * scale
        return -(float(worth @ hill(s, vmax, k, shape)) - spend_cost * s.sum()) / scale

    def grad(x):
        s = x * scale
        return -(worth * hill_derivative(s, vmax, k, shape) - spend_cost)

    def feasible(w):
        s = lo + (total - lo.sum()) * w / w.sum()
        for _ in range(50):  # push any excess over the upper bounds to the others
            over = np.maximum(s - hi, 0)
            if over.sum() < 1e-9:
                break
            s = np.minimum(s, hi)
            room = hi - s
            s += over.sum() * room / max(room.sum(), 1e-12)
        return s

    starts = [feasible(np.maximum(hi - lo, 1e-9))] + [feasible(rng.dirichlet(np.ones(n))) for _ in range(n_starts)]
    if x0 is not None:
        starts.insert(0, np.clip(np.asarray(x0, dtype=float), lo, hi))
    cons = ({"type": "eq", "fun": lambda x: x.sum() * scale - total, "jac": lambda x: np.full(n, scale)},)
    best, best_f = None, np.inf
    for s0 in starts:
        res = optimize.minimize(f, s0 / scale, jac=grad, method="SLSQP", bounds=list(zip(lo / scale, hi / scale)),
                                constraints=cons, options={"maxiter": 300, "ftol": 1e-12})
        x = np.clip(res.x * scale, lo, hi)
        if abs(x.sum() - total) <= 1e-6 * scale + 1e-6 and f(x / scale) < best_f:
            best, best_f = x, f(x / scale)
    if best is None:
        best = starts[0]
    return best


def budget_frontier(curves: dict[str, ResponseCurve], worth: dict[str, float], current: dict[str, float],
                    bounds: dict[str, tuple[float, float]], budgets) -> pd.DataFrame:
    """Weekly value created over a grid of total budgets: today's mix scaled vs the best mix at each budget.

    Returns
    -------
    DataFrame
        ``budget``, ``value_current_mix``, ``value_best_mix``, ``new_per_week_best``, and ``spend_<channel>``
        (best mix) per channel.
    """
    ch = list(curves)
    vmax, k, h = _params(curves, ch)
    w = np.array([worth[c] for c in ch])
    b = np.array([bounds[c] for c in ch])
    cur = np.array([current[c] for c in ch])
    mix = cur / cur.sum()
    rows, prev = [], None
    for B in budgets:
        B = float(np.clip(B, b[:, 0].sum(), b[:, 1].sum()))
        s = optimise_budget(vmax, k, h, w, b, total=B, n_starts=4, x0=prev)
        prev = s
        scaled = np.clip(mix * B, b[:, 0], b[:, 1])
        rows.append({"budget": B, "value_current_mix": float(value_created(scaled, vmax, k, h, w)),
                     "value_best_mix": float(value_created(s, vmax, k, h, w)),
                     "new_per_week_best": float(hill(s, vmax, k, h).sum()),
                     **{f"spend_{c}": float(x) for c, x in zip(ch, s)}})
    return pd.DataFrame(rows)


def plan_summary(curves: dict[str, ResponseCurve], clv_values: dict[str, float], current: dict[str, float],
                 bounds: dict[str, tuple[float, float]], seed: int = 0) -> dict:
    """Today's acquisition plan against the value-maximising one (free budget) and the best mix at today's budget.

    Returns
    -------
    dict
        ``channels``; ``current_spend``, ``optimum_spend``, ``best_at_current_spend`` ({channel: weekly spend});
        ``current_budget``, ``optimum_budget``; ``current_value``, ``optimum_value``, ``best_at_current_value``
        (weekly value created); ``optimum_mix``, ``best_at_current_mix`` ({channel: share});
        ``current_new``, ``optimum_new`` (new customers per week).
    """
    ch = [c for c in curves if c in clv_values]
    vmax, k, h = _params(curves, ch)
    w = np.array([clv_values[c] for c in ch])
    b = np.array([bounds[c] for c in ch])
    cur = np.array([current[c] for c in ch])
    opt = optimise_budget(vmax, k, h, w, b)
    same = optimise_budget(vmax, k, h, w, b, total=float(np.clip(cur.sum(), b[:, 0].sum(), b[:, 1].sum())),
                           seed=seed, x0=cur)

    def as_dict(x):
        return {c: float(v) for c, v in zip(ch, x)}

    return {"channels": ch, "current_spend": as_dict(cur), "optimum_spend": as_dict(opt),
            "best_at_current_spend": as_dict(same), "current_budget": float(cur.sum()),
            "optimum_budget": float(opt.sum()), "current_value": float(value_created(cur, vmax, k, h, w)),
            "optimum_value": float(value_created(opt, vmax, k, h, w)),
            "best_at_current_value": float(value_created(same, vmax, k, h, w)),
            "optimum_mix": as_dict(opt / max(opt.sum(), 1e-9)), "best_at_current_mix": as_dict(same / max(same.sum(), 1e-9)),
            "current_new": float(hill(cur, vmax, k, h).sum()), "optimum_new": float(hill(opt, vmax, k, h).sum())}


def worth_per_customer(values: dict[str, NewCustomerValue], margin: float, annual_discount_rate: float,
                       horizon_years: float) -> pd.DataFrame:
    """What one acquired customer is worth under each objective of the hierarchy.

    ``leads`` 1 customer; ``revenue`` first-year revenue; ``profit`` first-year margin (undiscounted);
    ``value`` CLV (discounted margin over the horizon). Rows: channels; columns: objectives.
    """
    return pd.DataFrame({c: {"leads": 1.0, "revenue": v.revenue(12), "profit": margin * v.revenue(12),
                             "value": v.clv(margin, annual_discount_rate, horizon_years)}
                         for c, v in values.items()}).T


def objective_comparison(curves: dict[str, ResponseCurve], worth: pd.DataFrame, current: dict[str, float],
                         bounds: dict[str, tuple[float, float]], seed: int = 0) -> pd.DataFrame:
    """How the optimal spend moves with the objective: leads, revenue, profit, value.

    For each objective, the best mix at today's total budget; for the money objectives also the free
    optimum (spend until one more unit brings back less than a unit of revenue / profit / value).
    Every plan is then scored on the *value* objective, to show what a lower objective costs.

    Returns
    -------
    DataFrame
        ``objective``, ``plan`` ("today's budget" / "free budget"), ``budget``, ``new_per_week``,
        ``value`` (weekly value created), and ``share_<channel>`` per channel.
    """
    ch = list(curves)
    vmax, k, h = _params(curves, ch)
    b = np.array([bounds[c] for c in ch])
    total = float(sum(current[c] for c in ch))
    value_w = worth.loc[ch, "value"].to_numpy()
    rows = []

    def add(obj, plan, s):
        rows.append({"objective": obj, "plan": plan, "budget": float(s.sum()), "new_per_week": float(hill(s, vmax, k, h).sum()),
                     "value": float(value_created(s, vmax, k, h, value_w)),
                     **{f"share_{c}": float(x / max(s.sum(), 1e-9)) for c, x in zip(ch, s)}})

    add("today", "today's budget", np.array([current[c] for c in ch]))
    for obj in ("leads", "revenue", "profit", "value"):
        w = worth.loc[ch, obj].to_numpy()
        add(obj, "today's budget", optimise_budget(vmax, k, h, w, b, total=total, spend_cost=0.0 if obj == "leads" else 1.0,
                                                   seed=seed))
        if obj != "leads":
            add(obj, "free budget", optimise_budget(vmax, k, h, w, b))
    return pd.DataFrame(rows)


def optimum_interval(curves: dict[str, ResponseCurve], clv_draws: dict[str, np.ndarray],
                     bounds: dict[str, tuple[float, float]], n: int = 200, seed: int = 0,
                     clv_point: dict[str, float] | None = None) -> np.ndarray:
    """Bootstrap distribution of the value-maximising total weekly budget, shape (n,).

    Pairs random response-curve draws with random CLV draws per channel and re-optimises (free budget).
    A channel without CLV draws uses its point value from ``clv_point``.
    """
    rng = np.random.default_rng(seed)
    ch = list(curves)
    b = np.array([bounds[c] for c in ch])
    out = np.empty(n)
    for i in range(n):
        d = np.array([curves[c].draws[rng.integers(len(curves[c].draws))] if len(curves[c].draws) else
                      [curves[c].vmax, curves[c].k, curves[c].shape, curves[c].theta] for c in ch])
        w = np.array([rng.choice(clv_draws[c]) if len(clv_draws.get(c, ())) else clv_point[c] for c in ch])
        out[i] = optimise_budget(d[:, 0], d[:, 1], d[:, 2], w, b).sum()
    return out


def what_if(spend: dict[str, float], curves: dict[str, ResponseCurve], values: dict[str, NewCustomerValue],
            margin: float, annual_discount_rate: float, horizon_years: float,
            bounds: dict[str, tuple[float, float]]) -> dict:
    """Predicted acquisitions, CAC and value created for one weekly plan, and the distance to the optimum.

    Returns
    -------
    dict
        ``table`` (per channel: spend, new_per_week, cac, marginal_cac, clv), ``new_per_week``, ``cac``
        (blended), ``value`` (weekly), ``optimum_value``, ``optimum_budget``, ``gap`` (optimum minus plan,
        weekly value).
    """
    ch = [c for c in curves if c in values]
    vmax, k, h = _params(curves, ch)
    w = np.array([values[c].clv(margin, annual_discount_rate, horizon_years) for c in ch])
    s = np.array([float(spend[c]) for c in ch])
    best = optimise_budget(vmax, k, h, w, np.array([bounds[c] for c in ch]))
    n = hill(s, vmax, k, h)
    table = pd.DataFrame({"channel": ch, "spend": s, "new_per_week": n, "cac": s / np.maximum(n, 1e-12),
                          "marginal_cac": 1 / np.maximum(hill_derivative(s, vmax, k, h), 1e-15), "clv": w})
    v, vb = float(value_created(s, vmax, k, h, w)), float(value_created(best, vmax, k, h, w))
    return {"table": table, "new_per_week": float(n.sum()), "cac": float(s.sum() / max(n.sum(), 1e-12)),
            "value": v, "optimum_value": vb, "optimum_budget": float(best.sum()), "gap": vb - v}


# --------------------------------------------------------------------------- relations: the campaign


def campaign_segments(ds: Dataset, campaign: str | None = None, lapsed_days: int = 150,
                      frequent_orders: int = 7, full_price_discount: float = 0.02, max_customers: int = 50_000,
                      seed: int = 0) -> pd.DataFrame:
    """Observable behaviour of each campaign customer at send time, and a targeting segment.

    Segments (first rule that applies): ``lapsing`` (no order in the last ``lapsed_days``), ``frequent``
    (``frequent_orders``+ orders in the last 365 days), ``full-price`` (mean line discount below
    ``full_price_discount``; only with a ``discount`` column), ``discount users`` (everyone else).
    A campaign with more than ``max_customers`` customers is analysed on a seeded random sample of them
    (randomisation keeps the sample's uplift unbiased).

    Returns
    -------
    DataFrame
        One row per campaign customer: ``customer_id``, ``campaign``, ``send_date``, ``treated`` (bool),
        ``outcome`` (0/1), ``days_since_last``, ``orders_365``, ``mean_discount``, ``segment``.
    """
    camp = ds.require("campaigns")
    if campaign is None:
        campaign = camp["campaign"].astype(str).value_counts().index[0]
    c = camp.loc[camp["campaign"].astype(str) == campaign].copy()
    if len(c) > max_customers:
        c = c.iloc[np.sort(np.random.default_rng(seed).choice(len(c), max_customers, replace=False))]
    c["customer_id"] = c["customer_id"].astype(str)
    send = c["send_date"].min()
    tx = ds.transactions
    dates = tx["date"].to_numpy()
    recent = (dates < np.datetime64(send)) & (dates >= np.datetime64(send - pd.Timedelta(days=365)))
    hist = tx.loc[recent]
    hist = hist.loc[hist["customer_id"].isin(pd.Index(c["customer_id"]))]
    orders = order_table(hist)
    per = orders.groupby("customer_id", observed=True).agg(last=("date", "max"), orders_365=("order_id", "size"))
    c = c.merge(per, left_on="customer_id", right_index=True, how="left")
    c["days_since_last"] = (send - c["last"]).dt.days.fillna(366).to_numpy()
    c["orders_365"] = c["orders_365"].fillna(0).astype(int)
    if "discount" in hist:
        disc = hist.loc[hist["amount"] > 0].groupby("customer_id", observed=True)["discount"].mean()
        c["mean_discount"] = c["customer_id"].map(disc).astype(float)
    else:
        c["mean_discount"] = np.nan
    seg = np.where(c["days_since_last"] >= lapsed_days, "lapsing",
                   np.where(c["orders_365"] >= frequent_orders, "frequent",
                            np.where(c["mean_discount"].fillna(1.0) < full_price_discount, "full-price", "discount users")))
    c["segment"] = seg
    c["treated"] = c["treated"].astype(bool)
    return c.drop(columns=["last"]).reset_index(drop=True)


def campaign_uplift(segments: pd.DataFrame, by: str | None = "segment", alpha: float = 0.10) -> pd.DataFrame:
    """Uplift (treated minus control outcome rate) with a normal-approximation interval, per group.

    Returns
    -------
    DataFrame
        ``group``, ``n``, ``n_treated``, ``rate_treated``, ``rate_control``, ``uplift``, ``uplift_low``,
        ``uplift_high`` (level ``1 - alpha``), ``p_value`` (two-sided), first row ``all``.
    """
    groups = [("all", segments)]
    if by is not None:
        groups += [(str(g), f) for g, f in segments.groupby(by, sort=True)]
    rows = []
    for name, f in groups:
        u = two_proportion_uplift(f["outcome"], f["treated"], level=1 - alpha)
        if u.n_treated == 0 or u.n_control == 0:
            continue
        rows.append({"group": name, "n": len(f), "n_treated": u.n_treated, "rate_treated": u.rate_treated,
                     "rate_control": u.rate_control, "uplift": u.uplift, "uplift_low": u.low, "uplift_high": u.high,
                     "p_value": u.p_value})
    return pd.DataFrame(rows)


def retention_value(ds: Dataset, segments: pd.DataFrame, margin: float = 0.35, annual_discount_rate: float = 0.10,
                    horizon_years: float = 5, max_fit_customers: int = 50_000, seed: int = 0) -> pd.Series:
    """Value (currency units) of keeping each campaign customer, from the one scorer at the send date.

    :func:`customer_workbook.clv.score_customers` with ``as_of`` = the send date scores the whole base on its
    history before sending (fitted on a seeded sample of at most ``max_fit_customers``; the campaign
    population itself is selected on recent activity, which would bias the dropout estimate).
    A retained customer is one known to be alive, so the value of retaining customer ``i`` is what their
    CLV would be if alive minus their CLV now, ``CLV_i / P(alive)_i - CLV_i``, plus the margin of the order
    that shows they stayed (``margin * expected spend``).

    Returns
    -------
    Series
        Per ``customer_id`` (customers without a purchase before sending are absent). The fit behind it,
        with its report, comes from :func:`retention_scores`.
    """
    return retention_scores(ds, segments, margin, annual_discount_rate, horizon_years, max_fit_customers, seed)[0]


def retention_scores(ds: Dataset, segments: pd.DataFrame, margin: float = 0.35, annual_discount_rate: float = 0.10,
                     horizon_years: float = 5, max_fit_customers: int = 50_000, seed: int = 0):
    """:func:`retention_value` and the :class:`~customer_workbook.clv.CustomerValue` it comes from (send-date scores)."""
    months = int(round(12 * horizon_years))
    scores = clv.score_customers(ds.transactions, as_of=segments["send_date"].min(), margin=margin,
                                 discount_rate=annual_discount_rate, horizons_months=(months,),
                                 max_fit_customers=max_fit_customers, seed=seed)
    t = scores.table.loc[scores.table.index.isin(pd.Index(segments["customer_id"].astype(str)))]
    alive = np.clip(t["p_alive"].to_numpy(), 1e-3, 1.0)
    gain = t[f"clv_{clv.horizon_label(months)}"].to_numpy() * (1 / alive - 1) + margin * t["expected_spend"].to_numpy()
    return pd.Series(gain, index=t.index, name="retention_value"), scores


def conquest_vs_relations(curves: dict[str, ResponseCurve], clv_values: dict[str, float],
                          current: dict[str, float], uplift: pd.DataFrame | None = None,
                          value_by_group: dict[str, float] | None = None,
                          cost_per_contact: float = 5.0) -> pd.DataFrame:
    """Value returned by one more currency unit spent on each acquisition channel or retention target.

    Acquisition: ``CLV_c * d hill_c / d spend`` at today's spend (value per currency unit). Retention:
    ``uplift_g * value of a retained customer_g / cost_per_contact`` for each campaign group with a
    positive uplift (``all`` = untargeted). A return above 1 creates value.

    Returns
    -------
    DataFrame
        ``option`` ("conquest"/"relations"), ``target``, ``return_per_unit``, ``cost_per_customer``
        (marginal CAC, or cost per retained customer), ``value_per_customer``, ``uplift_low`` / ``uplift_high``
        (retention rows: the uplift interval); sorted by return.
    """
    rows = []
    for ch, c in curves.items():
        if ch not in clv_values:
            continue
        m = float(c.marginal(current[ch]))
        rows.append({"option": "conquest", "target": ch, "return_per_unit": clv_values[ch] * m,
                     "cost_per_customer": 1 / max(m, 1e-15), "value_per_customer": clv_values[ch]})
    if uplift is not None and value_by_group:
        for _, r in uplift.iterrows():
            if r["group"] in value_by_group:
                u = float(r["uplift"])
                rows.append({"option": "relations", "target": f"retention: {r['group']}",
                             "return_per_unit": u * value_by_group[r["group"]] / cost_per_contact,
                             "cost_per_customer": cost_per_contact / u if u > 0 else float("inf"),
                             "value_per_customer": value_by_group[r["group"]],
                             "uplift_low": float(r.get("uplift_low", np.nan)),
                             "uplift_high": float(r.get("uplift_high", np.nan))})
    columns = ["option", "target", "return_per_unit", "cost_per_customer", "value_per_customer", "uplift_low",
               "uplift_high"]
    return pd.DataFrame(rows, columns=columns).sort_values("return_per_unit", ascending=False, ignore_index=True)


def retention_value_by_group(segments: pd.DataFrame, values: pd.Series, by: str = "segment") -> dict[str, float]:
    """Mean value of retaining a customer (:func:`retention_value`) per campaign group, plus ``"all"``."""
    v = segments["customer_id"].map(values)
    out = {str(g): float(x) for g, x in v.groupby(segments[by]).mean().items()}
    out["all"] = float(v.mean())
    return out


# --------------------------------------------------------------------------- levers and their evidence


def lever_evidence(ds: Dataset, econ: pd.DataFrame | None, returns: pd.DataFrame | None,
                   uplift: pd.DataFrame | None, max_customers: int = 50_000, seed: int = 0) -> pd.DataFrame:
    """The methodology's levers for conquest and relations, each with the evidence this data gives.

    Behaviour shares (repeat within 90 days, orders of engaged customers) use a seeded sample of at most
    ``max_customers`` customers on large bases.

    Returns
    -------
    DataFrame
        ``option``, ``lever``, ``evidence`` (a sentence computed from the data, or what is missing).
    """
    rows = []
    tx = ds.transactions
    ids = pd.Index(ds.customers["customer_id"].astype(str)) if ds.customers is not None else \
        pd.Index(tx["customer_id"].unique())
    if len(ids) > max_customers:  # behaviour shares on a seeded sample of customers (fast on large bases)
        ids = ids[np.random.default_rng(seed).choice(len(ids), max_customers, replace=False)]
        tx = tx.loc[tx["customer_id"].isin(ids)]
    eng, sv = ds.engagement, ds.surveys

    def add(option, lever, text):
        rows.append({"option": option, "lever": lever, "evidence": text})

    ratio_col = None if econ is None else ("clv_to_cac_current" if "clv_to_cac_current" in econ else
                                           "clv_to_cac" if "clv_to_cac" in econ else None)
    if econ is not None and len(econ):
        top = econ.sort_values("clv", ascending=False).iloc[0]
        add("conquest", "passionate segment to start from",
            f"customers from {top['channel']} are worth the most ({top['clv']:,.0f} CLV each); start from them")
    else:
        add("conquest", "passionate segment to start from", "needs acquisition channels (customers table)")
    if eng is not None and "rating" in eng:
        rev = eng.loc[eng["event"].astype(str) == "review"]
        reviewers = rev["customer_id"].nunique()
        add("conquest", "social proof of quality (SPOQ) marketing",
            f"{len(rev):,} reviews from {reviewers:,} customers, mean rating {rev['rating'].mean():.1f}/5: "
            "material for reviews and ratings in acquisition marketing")
    else:
        add("conquest", "social proof of quality (SPOQ) marketing", "no review data (engagement table)")
    first = tx.groupby("customer_id", observed=True)["date"].min()
    orders = order_table(tx)
    o = orders.merge(first.rename("first"), left_on="customer_id", right_index=True)
    early = o.loc[(o["date"] > o["first"]) & (o["date"] <= o["first"] + pd.Timedelta(days=90)), "customer_id"].nunique()
    newc = (first <= tx["date"].max() - pd.Timedelta(days=90)).sum()
    add("conquest", "first-cycle influence (continuum marketing)",
        f"{early / max(newc, 1):.0%} of customers order again within 90 days of their first order; "
        "the first cycle decides whether a new customer stays")
    for ch, lever in (("social", "social marketing"), ("search", "search engine marketing")):
        if returns is not None and (returns["target"] == ch).any():
            r = returns.loc[returns["target"] == ch].iloc[0]
            extra = ""
            if ratio_col and (econ["channel"] == ch).any():
                extra = f", CLV/CAC {float(econ.loc[econ['channel'] == ch, ratio_col].iloc[0]):.1f}"
            add("conquest", lever, f"one more unit on {ch} returns {r['return_per_unit']:.2f} in value"
                f" (marginal CAC {r['cost_per_customer']:,.0f}{extra})")
        else:
            add("conquest", lever, f"no '{ch}' channel in the marketing data")
    if eng is not None:
        posters = eng.loc[eng["event"].astype(str) == "community_post", "customer_id"].unique()
        add("relations", "sense of belonging",
            f"{len(posters):,} customers ({len(posters) / max(ds.transactions['customer_id'].nunique(), 1):.1%}) post in the "
            "community; " + _repeat_gap(orders, posters))
        adv = eng.loc[eng["event"].astype(str).isin(["review", "referral"]), "customer_id"].unique()
        add("relations", "customer feeling special",
            f"{len(adv):,} customers review or refer: candidates for recognition and status; " + _repeat_gap(orders, adv))
    else:
        add("relations", "sense of belonging", "no engagement data")
        add("relations", "customer feeling special", "no engagement data")
    if sv is not None and "sat_pricing" in sv:
        add("relations", "clear value",
            f"mean satisfaction with pricing {sv['sat_pricing'].mean():.2f}/5 and with quality "
            f"{sv['sat_quality'].mean():.2f}/5" if "sat_quality" in sv else
            f"mean satisfaction with pricing {sv['sat_pricing'].mean():.2f}/5")
    else:
        add("relations", "clear value", "no satisfaction survey")
    if uplift is not None and len(uplift) > 1:
        best = uplift.iloc[1:].sort_values("uplift", ascending=False).iloc[0]
        worst = uplift.iloc[1:].sort_values("uplift").iloc[0]
        add("relations", "data-driven relationships",
            f"the campaign lifted '{best['group']}' by {best['uplift']:+.1%} but moved '{worst['group']}' by "
            f"{worst['uplift']:+.1%} (all: {uplift.iloc[0]['uplift']:+.1%}): target by data, not blanket")
    else:
        add("relations", "data-driven relationships", "no randomised campaign")
    return pd.DataFrame(rows)


def _repeat_gap(orders: pd.DataFrame, ids) -> str:
    per = orders.groupby("customer_id", observed=True).size()
    inside = per.index.isin(pd.Index(ids))
    if not inside.any() or inside.all():
        return "no comparison group"
    return f"they average {per[inside].mean():.1f} orders against {per[~inside].mean():.1f} for others"


# --------------------------------------------------------------------------- the recommendation


def recommendation(returns: pd.DataFrame, current_budget: float, optimum_budget: float, optimum_mix: dict[str, float],
                   value_gain_per_week: float, cost_per_contact: float | None = None) -> dict:
    """Conquest vs relations: which option gets the next unit of budget, and the recommended mix, in words.

    Parameters
    ----------
    returns : DataFrame
        :func:`conquest_vs_relations` output (``option``, ``target``, ``return_per_unit``, ...).
    current_budget, optimum_budget : float
        Today's and the value-maximising total weekly acquisition budget (currency units).
    optimum_mix : dict
        Share of the optimum budget per channel.
    value_gain_per_week : float
        Weekly value created at the optimum minus today's.
    cost_per_contact : float, optional
        Cost of one retention offer, to compute the break-even contact cost.

    Returns
    -------
    dict
        ``option`` (where the next unit goes first: "conquest" or "relations"; "neither" when nothing returns more
        than it costs), ``best_conquest`` / ``best_relations`` (target and
        return per unit, or None), ``breakeven_contact_cost`` (the offer cost at which the best retention
        target returns as much as the best acquisition channel at today's spend; None without both),
        ``text`` (Markdown, channel and segment names escaped) and ``plain`` (the same as plain text, for findings).
    """
    con = returns.loc[returns["option"] == "conquest"]
    rel = returns.loc[(returns["option"] == "relations") & ~returns["target"].str.endswith(": all")]
    best_c = con.iloc[0] if len(con) else None
    best_r = rel.iloc[0] if len(rel) else None
    if best_c is None and best_r is None:
        text = "Neither acquisition spend nor a retention campaign is available to compare."
        return {"option": "unknown", "best_conquest": None, "best_relations": None, "breakeven_contact_cost": None,
                "text": text, "plain": text}
    rc = float(best_c["return_per_unit"]) if best_c is not None else None
    rr = float(best_r["return_per_unit"]) if best_r is not None else None
    breakeven = None
    if best_c is not None and best_r is not None:
        option = "relations" if rr > rc else "conquest"
        breakeven = cost_per_contact * rr / rc if cost_per_contact else None
    elif best_c is not None:
        option = "conquest" if rc > 1 else "neither"
    else:
        option = "relations" if rr > 1 else "neither"

    def say(b: str, e) -> str:
        """The recommendation with ``b`` around bold parts and ``e`` applied to channel and segment names."""
        parts = []
        if best_c is not None and best_r is not None:
            if breakeven is None:
                note = ""
            elif option == "relations":
                note = f" (retention stays ahead while an offer costs less than {breakeven:,.2f})"
            else:
                note = f" (retention would overtake only if an offer cost less than {breakeven:,.2f})"
            also = (" Both create value, so both deserve funding up to their own optimum." if rc > 1 and rr > 1 else "")
            parts.append(
                f"One more unit spent on {b}{e(best_r['target'])}{b} returns {b}{rr:.2f}{b} in long-term value, against "
                f"{b}{rc:.2f}{b} on the best acquisition channel ({b}{e(best_c['target'])}{b}) at today's spend, so the next "
                f"unit should go to {b}{option}{b} first{note}.{also}")
        elif best_c is not None:
            parts.append(f"Without a randomised retention campaign only the conquest side can be valued: one more unit "
                         f"on {b}{e(best_c['target'])}{b} returns {b}{rc:.2f}{b}.")
        else:
            parts.append(f"Without marketing spend data only the relations side can be valued: one more unit on "
                         f"{b}{e(best_r['target'])}{b} returns {b}{rr:.2f}{b}.")
        if best_c is not None:
            direction = "raise" if optimum_budget > current_budget else "lower"
            mix = ", ".join(f"{e(c)} {s:.0%}" for c, s in sorted(optimum_mix.items(), key=lambda kv: -kv[1]) if s > 0.005)
            dropped = [e(c) for c, s in optimum_mix.items() if s <= 0.005]
            parts.append(f"Recommended acquisition plan: {b}{direction} the weekly budget from {current_budget:,.0f} to "
                         f"{optimum_budget:,.0f}{b} ({mix}" + (f"; stop {', '.join(dropped)}" if dropped else "") +
                         f"), worth {b}{value_gain_per_week:,.0f} a week{b} ({52 * value_gain_per_week:,.0f} a year) "
                         "more in value created.")
        if best_r is not None:
            negative = returns.loc[(returns["option"] == "relations") & (returns["uplift_high"] < 0), "target"]
            parts.append(f"Retention: fund offers for {b}{e(str(best_r['target']).removeprefix('retention: '))}{b}"
                         + (f" and do not contact {', '.join(e(t.removeprefix('retention: ')) for t in negative)}, "
                            "whom the offer measurably pushes away." if len(negative) else "."))
        return " ".join(parts)

    return {"option": option,
            "best_conquest": None if best_c is None else {"target": best_c["target"], "return": rc},
            "best_relations": None if best_r is None else {"target": best_r["target"], "return": rr},
            "breakeven_contact_cost": breakeven, "text": say("**", md), "plain": say("", str)}


def headline_first(findings, keys: list[str]) -> None:
    """Reorder a :class:`~customer_workbook.findings.Findings` so ``keys`` (those present) come first.

    The report lists headline findings in recorded order; the recommendation and the value at stake
    are computed last but should lead.
    """
    lead = {k: findings.items[k] for k in keys if k in findings.items}
    findings.items = {**lead, **{k: v for k, v in findings.items.items() if k not in lead}}


def cost_comparison(cac_table: pd.DataFrame, uplift: pd.DataFrame, cost_per_contact: float) -> dict | None:
    """Cost of winning a customer (blended CAC) against the cost of keeping one (cheapest targeted retention).

    Returns
    -------
    dict or None
        ``blended_cac`` (total spend / total new customers), ``retention_cost`` (offer cost / uplift of the
        best segment with a positive uplift), ``segment``, ``ratio`` (blended CAC / retention cost); None when
        no segment has a positive uplift.
    """
    positive = uplift.loc[(uplift["group"] != "all") & (uplift["uplift"] > 0)]
    if positive.empty:
        return None
    best = positive.sort_values("uplift", ascending=False).iloc[0]
    blended = float(cac_table["spend"].sum() / max(cac_table["new_customers"].sum(), 1))
    retention = cost_per_contact / float(best["uplift"])
    return {"blended_cac": blended, "retention_cost": retention, "segment": str(best["group"]),
            "ratio": blended / retention}
