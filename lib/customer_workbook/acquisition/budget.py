"""The acquisition budget: how much to spend per channel to maximise the firm's value.

Each channel's response curve (:mod:`.response`) turns weekly spend into new customers per week, and
each new customer is worth their CLV, so a weekly plan *creates* ``sum_c worth_c * hill_c(spend_c) -
sum_c spend_c`` (currency units per week, :func:`value_created`). :func:`optimise_budget` finds the
plan that maximises it, with per-channel bounds and optionally a fixed total; :func:`plan_summary`
compares today's plan with the optimum, :func:`budget_frontier` traces value against the total budget,
:func:`objective_comparison` shows how leads, revenue and profit objectives move the plan away from
the value-maximising one, :func:`optimum_interval` bootstraps the optimal budget and :func:`what_if`
values any plan. :func:`conquest_vs_relations` compares one more unit spent on acquisition with one
spent on retention offers. Reference: Blattberg & Deighton (1996), "Manage marketing by the customer
equity test", Harvard Business Review 74(4).

Units: spends and budgets are weekly (currency units per week); value created is per week.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from ..clv.new_customers import NewCustomerValue
from .response import ResponseCurve, hill, hill_derivative

__all__ = ["BudgetPlan", "WhatIf", "budget_frontier", "conquest_vs_relations", "mix_shift", "objective_comparison",
           "optimise_budget", "optimise_scale", "optimum_draws", "optimum_interval", "plan_summary", "value_created",
           "what_if"]


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


def _params(curves: Mapping[str, ResponseCurve], channels: list[str]):
    """(vmax, k, shape) arrays of ``channels``, each shape (n_channels,)."""
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
    if total is None:
        return _optimise_free(vmax, k, shape, worth, b[:, 0], b[:, 1], spend_cost)
    return _optimise_fixed_total(vmax, k, shape, worth, b[:, 0], b[:, 1], total, spend_cost, n_starts, seed, x0)


def _optimise_free(vmax, k, shape, worth, lo, hi, spend_cost) -> np.ndarray:
    """Free budget: each channel on its own, a 2,001-point grid then a bounded polish around the best point."""
    n = len(vmax)
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


def _feasible_start(weights, lo, hi, total) -> np.ndarray:
    """Spend within the bounds that adds up to ``total``, split above the lower bounds by ``weights``."""
    s = lo + (total - lo.sum()) * weights / weights.sum()
    for _ in range(50):  # push any excess over the upper bounds to the others
        over = np.maximum(s - hi, 0)
        if over.sum() < 1e-9:
            break
        s = np.minimum(s, hi)
        room = hi - s
        s += over.sum() * room / max(room.sum(), 1e-12)
    return s


def _optimise_fixed_total(vmax, k, shape, worth, lo, hi, total, spend_cost, n_starts, seed, x0) -> np.ndarray:
    """Fixed total: SLSQP from the proportional mix, ``x0`` and ``n_starts`` random mixes (spend scaled to 1)."""
    if total < lo.sum() - 1e-9 or total > hi.sum() + 1e-9:
        raise ValueError(f"total budget {total:,.0f} outside what the bounds allow ({lo.sum():,.0f}..{hi.sum():,.0f})")
    n = len(vmax)
    rng = np.random.default_rng(seed)
    scale = max(total, 1.0)

    def f(x):
        s = x * scale
        return -(float(worth @ hill(s, vmax, k, shape)) - spend_cost * s.sum()) / scale

    def grad(x):
        return -(worth * hill_derivative(x * scale, vmax, k, shape) - spend_cost)

    starts = [_feasible_start(np.maximum(hi - lo, 1e-9), lo, hi, total)]
    starts += [_feasible_start(rng.dirichlet(np.ones(n)), lo, hi, total) for _ in range(n_starts)]
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
    return starts[0] if best is None else best


def budget_frontier(curves: Mapping[str, ResponseCurve], worth: Mapping[str, float], current: Mapping[str, float],
                    bounds: Mapping[str, tuple[float, float]], budgets) -> pd.DataFrame:
    """Weekly value created over a grid of total weekly budgets: today's mix scaled vs the best mix at each budget.

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


@dataclass(frozen=True)
class BudgetPlan:
    """Today's weekly acquisition plan against the value-maximising one and the best mix at today's budget.

    Spends (``current_spend``, ``optimum_spend``, ``best_at_current_spend``) are ``{channel: weekly spend}``;
    budgets are weekly totals; values are weekly value created (currency units per week); mixes are
    ``{channel: share of the budget}``; ``current_new`` and ``optimum_new`` are new customers per week.
    ``mix_kept``: the data do not separate the channels (:func:`mix_shift`), so the optimum keeps today's mix
    and moves only the total; ``budget_interval``: 90% bootstrap interval of the optimal weekly budget (NaN
    until set by the caller, :func:`optimum_draws`).
    """

    channels: tuple[str, ...]
    current_spend: Mapping[str, float]
    optimum_spend: Mapping[str, float]
    best_at_current_spend: Mapping[str, float]
    current_budget: float
    optimum_budget: float
    current_value: float
    optimum_value: float
    best_at_current_value: float
    optimum_mix: Mapping[str, float]
    best_at_current_mix: Mapping[str, float]
    current_new: float
    optimum_new: float
    mix_kept: bool = False
    budget_interval: tuple[float, float] = (float("nan"), float("nan"))

    @property
    def budget_change(self) -> str:
        """"raise" or "lower" when the 90% interval of the optimal budget excludes today's budget, else
        "no clear difference" (also when the interval is unknown)."""
        lo, hi = self.budget_interval
        if lo > self.current_budget:
            return "raise"
        if hi < self.current_budget:
            return "lower"
        return "no clear difference"

    @property
    def value_gain(self) -> float:
        """Weekly value the optimum creates beyond today's plan (currency units per week)."""
        return self.optimum_value - self.current_value


def plan_summary(curves: Mapping[str, ResponseCurve], clv_values: Mapping[str, float], current: Mapping[str, float],
                 bounds: Mapping[str, tuple[float, float]], seed: int = 0, keep_mix: bool = False) -> BudgetPlan:
    """Today's acquisition plan against the value-maximising one (free budget) and the best mix at today's budget.

    Channels without a CLV in ``clv_values`` are left out. With ``keep_mix`` (the data do not separate the
    channels, :func:`mix_shift`) only the total moves: the optimum is today's mix scaled
    (:func:`optimise_scale`) and the best mix at today's budget is today's. Returns a :class:`BudgetPlan`.
    """
    ch = [c for c in curves if c in clv_values]
    vmax, k, h = _params(curves, ch)
    w = np.array([clv_values[c] for c in ch])
    b = np.array([bounds[c] for c in ch])
    cur = np.array([current[c] for c in ch])
    if keep_mix:
        opt, same = optimise_scale(vmax, k, h, w, b, cur), cur.copy()
    else:
        opt = optimise_budget(vmax, k, h, w, b)
        same = optimise_budget(vmax, k, h, w, b, total=float(np.clip(cur.sum(), b[:, 0].sum(), b[:, 1].sum())),
                               seed=seed, x0=cur)

    def as_dict(x):
        return {c: float(v) for c, v in zip(ch, x)}

    return BudgetPlan(
        channels=tuple(ch), current_spend=as_dict(cur), optimum_spend=as_dict(opt), best_at_current_spend=as_dict(same),
        current_budget=float(cur.sum()), optimum_budget=float(opt.sum()),
        current_value=float(value_created(cur, vmax, k, h, w)), optimum_value=float(value_created(opt, vmax, k, h, w)),
        best_at_current_value=float(value_created(same, vmax, k, h, w)),
        optimum_mix=as_dict(opt / max(opt.sum(), 1e-9)), best_at_current_mix=as_dict(same / max(same.sum(), 1e-9)),
        current_new=float(hill(cur, vmax, k, h).sum()), optimum_new=float(hill(opt, vmax, k, h).sum()),
        mix_kept=keep_mix)


def objective_comparison(curves: Mapping[str, ResponseCurve], worth: pd.DataFrame, current: Mapping[str, float],
                         bounds: Mapping[str, tuple[float, float]], seed: int = 0) -> pd.DataFrame:
    """How the optimal weekly spend moves with the objective: leads, revenue, profit, value.

    For each objective, the best mix at today's total budget; for the money objectives also the free
    optimum (spend until one more unit brings back less than a unit of revenue / profit / value).
    Every plan is then scored on the *value* objective, to show what a lower objective costs.
    ``worth`` is :func:`~customer_workbook.acquisition.economics.worth_per_customer` output.

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


def optimise_scale(vmax, k, shape, worth, bounds, mix) -> np.ndarray:
    """The weekly spend ``f * mix`` (one factor ``f >= 0`` for every channel) that maximises the value created.

    Used when the data do not separate the channels: the plan keeps today's mix and moves only the total.
    ``mix``: today's weekly spend per channel, shape (n_channels,); the factor keeps every channel within
    ``bounds`` (shape (n_channels, 2)). A 401-point grid then a bounded polish. Returns shape (n_channels,).
    """
    vmax, k, shape, worth, m = (np.asarray(a, dtype=float) for a in (vmax, k, shape, worth, mix))
    b = np.asarray(bounds, dtype=float)
    pos = m > 0
    if not pos.any():
        return m.copy()
    f_max = float(np.min(b[pos, 1] / m[pos]))

    def value(f):
        return float(value_created(f * m, vmax, k, shape, worth))

    grid = np.linspace(0.0, f_max, 401)
    vals = value_created(grid[:, None] * m[None, :], vmax, k, shape, worth)
    i = int(np.argmax(vals))
    step = f_max / 400
    res = optimize.minimize_scalar(lambda f: -value(f), bounds=(max(0.0, grid[i] - step), min(f_max, grid[i] + step)),
                                   method="bounded")
    f = float(res.x) if -res.fun >= vals[i] else float(grid[i])
    return np.clip(f * m, b[:, 0], b[:, 1])


def optimum_draws(curves: Mapping[str, ResponseCurve], clv_draws: Mapping[str, np.ndarray],
                  bounds: Mapping[str, tuple[float, float]], n: int = 200, seed: int = 0,
                  clv_point: Mapping[str, float] | None = None,
                  keep_mix: Mapping[str, float] | None = None) -> np.ndarray:
    """Bootstrap draws of the value-maximising weekly spend per channel, shape (n, n_channels) (``curves`` order).

    Pairs random response-curve draws with random CLV draws per channel and re-optimises (free budget; with
    ``keep_mix``, today's spend per channel, only the factor of :func:`optimise_scale`). A channel without CLV
    draws uses its point value from ``clv_point``.
    """
    rng = np.random.default_rng(seed)
    ch = list(curves)
    b = np.array([bounds[c] for c in ch])
    out = np.empty((n, len(ch)))
    for i in range(n):
        d = np.array([curves[c].draws[rng.integers(len(curves[c].draws))] if len(curves[c].draws) else
                      [curves[c].vmax, curves[c].k, curves[c].shape, curves[c].theta] for c in ch])
        w = np.array([rng.choice(clv_draws[c]) if len(clv_draws.get(c, ())) else clv_point[c] for c in ch])
        out[i] = (optimise_budget(d[:, 0], d[:, 1], d[:, 2], w, b) if keep_mix is None else
                  optimise_scale(d[:, 0], d[:, 1], d[:, 2], w, b, [keep_mix[c] for c in ch]))
    return out


def optimum_interval(curves: Mapping[str, ResponseCurve], clv_draws: Mapping[str, np.ndarray],
                     bounds: Mapping[str, tuple[float, float]], n: int = 200, seed: int = 0,
                     clv_point: Mapping[str, float] | None = None) -> np.ndarray:
    """Bootstrap distribution of the value-maximising total weekly budget, shape (n,) (:func:`optimum_draws`, summed)."""
    return optimum_draws(curves, clv_draws, bounds, n=n, seed=seed, clv_point=clv_point).sum(axis=1)


def mix_shift(spend_draws: np.ndarray, channels, current: Mapping[str, float], alpha: float = 0.10) -> dict[str, float]:
    """Which channels' share of the value-maximising budget differs measurably from today's share.

    For each channel, the two-sided bootstrap p-value that its optimal share (over the rows of
    ``spend_draws``, :func:`optimum_draws`) equals today's share, Holm-adjusted over the channels. Returns
    ``{channel: adjusted p}`` of the channels below ``alpha`` (empty: the data do not separate the channels,
    so a different mix is not supported and only the total budget should move).
    """
    from ..stats import holm

    d = np.asarray(spend_draws, dtype=float)
    ch = list(channels)
    cur = np.array([float(current[c]) for c in ch])
    if cur.sum() <= 0 or len(ch) < 2:
        return {}
    share = d / np.maximum(d.sum(axis=1, keepdims=True), 1e-9)
    now = cur / cur.sum()
    p = np.minimum(1.0, 2 * np.minimum((share <= now).mean(axis=0), (share >= now).mean(axis=0)))
    adjusted = holm(p)
    return {c: float(a) for c, a in zip(ch, adjusted) if a < alpha}


@dataclass(frozen=True, eq=False)
class WhatIf:
    """One weekly plan valued (:func:`what_if`).

    ``table``: per channel ``channel``, ``spend``, ``new_per_week``, ``cac``, ``marginal_cac``, ``clv``;
    ``new_per_week`` (new customers per week), ``cac`` (blended, currency units per customer), ``value``
    (weekly value created), ``optimum_value`` and ``optimum_budget`` (weekly, at the same margin and
    discount rate), ``gap`` (optimum minus plan, weekly value).
    """

    table: pd.DataFrame
    new_per_week: float
    cac: float
    value: float
    optimum_value: float
    optimum_budget: float
    gap: float


def what_if(spend: Mapping[str, float], curves: Mapping[str, ResponseCurve], values: Mapping[str, NewCustomerValue],
            margin: float, annual_discount_rate: float, horizon_years: float,
            bounds: Mapping[str, tuple[float, float]], keep_mix: Mapping[str, float] | None = None) -> WhatIf:
    """Predicted acquisitions, CAC and value created for one weekly plan, and the distance to the optimum
    (with ``keep_mix``, today's spend per channel: the best plan with that mix, :func:`optimise_scale`)."""
    ch = [c for c in curves if c in values]
    vmax, k, h = _params(curves, ch)
    w = np.array([values[c].clv(margin, annual_discount_rate, horizon_years) for c in ch])
    s = np.array([float(spend[c]) for c in ch])
    b = np.array([bounds[c] for c in ch])
    best = (optimise_budget(vmax, k, h, w, b) if keep_mix is None else
            optimise_scale(vmax, k, h, w, b, [keep_mix[c] for c in ch]))
    n = hill(s, vmax, k, h)
    table = pd.DataFrame({"channel": ch, "spend": s, "new_per_week": n, "cac": s / np.maximum(n, 1e-12),
                          "marginal_cac": 1 / np.maximum(hill_derivative(s, vmax, k, h), 1e-15), "clv": w})
    v, vb = float(value_created(s, vmax, k, h, w)), float(value_created(best, vmax, k, h, w))
    return WhatIf(table, float(n.sum()), float(s.sum() / max(n.sum(), 1e-12)), v, vb, float(best.sum()), vb - v)


def conquest_vs_relations(curves: Mapping[str, ResponseCurve], clv_values: Mapping[str, float],
                          current: Mapping[str, float], uplift: pd.DataFrame | None = None,
                          value_by_group: Mapping[str, float] | None = None,
                          cost_per_contact: float = 5.0, clv_draws: Mapping[str, np.ndarray] | None = None,
                          seed: int = 0) -> pd.DataFrame:
    """Value returned by one more currency unit spent on each acquisition channel or retention target.

    Acquisition: ``CLV_c * d hill_c / d spend`` at today's weekly spend (value per currency unit); its error
    pairs the curve's bootstrap draws with the CLV draws (``clv_draws``; the point CLV without). Retention:
    ``uplift_g * value of an extra order_g / cost_per_contact`` for each campaign group of ``uplift``
    (:func:`customer_workbook.retention.campaign_uplift`; ``all`` = untargeted) valued in
    ``value_by_group`` (:func:`customer_workbook.retention.retention_value_by_group`); its error is the
    uplift's. A return above 1 creates value.

    Returns
    -------
    DataFrame
        ``option`` ("conquest"/"relations"), ``target``, ``return_per_unit``, ``return_se`` (standard error,
        NaN when unknown), ``cost_per_customer`` (marginal CAC, or cost per extra order),
        ``value_per_customer``, ``uplift``, ``uplift_low`` / ``uplift_high`` and ``uplift_measured`` (retention
        rows: the uplift and its interval, and whether the uplift is measurably different from zero after the Holm correction
        over the segments, ``p_holm`` below 0.10); sorted by return.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for ch, c in curves.items():
        if ch not in clv_values:
            continue
        m = float(c.marginal(current[ch]))
        rows.append({"option": "conquest", "target": ch, "return_per_unit": clv_values[ch] * m,
                     "return_se": _return_se(c, current[ch], clv_values[ch], (clv_draws or {}).get(ch), rng),
                     "cost_per_customer": 1 / max(m, 1e-15), "value_per_customer": clv_values[ch]})
    if uplift is not None and value_by_group:
        for _, r in uplift.iterrows():
            if r["group"] in value_by_group:
                u, value = float(r["uplift"]), value_by_group[r["group"]]
                rows.append({"option": "relations", "target": f"retention: {r['group']}",
                             "return_per_unit": u * value / cost_per_contact,
                             "return_se": float(r.get("se", np.nan)) * abs(value) / cost_per_contact,
                             "cost_per_customer": cost_per_contact / u if u > 0 else float("inf"),
                             "value_per_customer": value, "uplift": u,
                             "uplift_low": float(r.get("uplift_low", np.nan)),
                             "uplift_high": float(r.get("uplift_high", np.nan)),
                             "uplift_measured": bool(float(r.get("p_holm", np.nan)) < 0.10)})
    columns = ["option", "target", "return_per_unit", "return_se", "cost_per_customer", "value_per_customer",
               "uplift", "uplift_low", "uplift_high", "uplift_measured"]
    return pd.DataFrame(rows, columns=columns).sort_values("return_per_unit", ascending=False, ignore_index=True)


def _return_se(curve: ResponseCurve, spend: float, clv: float, clv_draws, rng) -> float:
    """Standard error of ``CLV * marginal response`` at ``spend``: curve draws paired with CLV draws (NaN
    without curve draws)."""
    if not len(curve.draws):
        return float("nan")
    marginal = curve.draw_marginal(spend)[:, 0]
    worth = (rng.choice(np.asarray(clv_draws, dtype=float), size=marginal.size) if clv_draws is not None
             and len(clv_draws) else np.full(marginal.size, clv))
    return float(np.std(worth * marginal, ddof=1)) if marginal.size > 1 else float("nan")
