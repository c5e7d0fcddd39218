"""Notebook 03 (step 3, strategy): the decisions the step leads to - conquest or relations, and the acquisition
budget and mix - written from sections 3 and 4's results (:func:`strategy_decisions`)."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..acquisition import BudgetPlan, ResponseCurve, value_created
from ..data import Dataset
from ..decisions import Decision
from ..value_unit import MONEY
from ._strategy_choice import Recommendation

__all__ = ["strategy_decisions", "value_gain_interval"]

_OPTION_ACTION = {
    "conquest": "Put the next unit of budget into acquisition (conquest)",
    "relations": "Put the next unit of budget into retention offers (relations)",
    "neither": "Add no budget to either side: neither acquisition nor retention returns measurably more than it costs",
    "no clear difference": "Keep today's split between acquisition and retention: the data do not separate their "
                           "returns, so test before moving budget",
}


#: What each optional table gives step 3.
_GIVES = {"marketing": "weekly spend per channel, for spend-response curves",
          "campaigns": "a randomised retention campaign, for the value of a retention offer"}


def _unlock(ds: Dataset, tables: tuple[str, ...]) -> str:
    """What data would let the step decide: revenue values, the missing tables (and what each gives), or
    better-fitting curves when every table is there."""
    if ds.value_unit != MONEY:
        return "an amount column in the transactions (these data count purchases), so value can be set against spend"
    missing = [t for t in tables if not ds.has(t)]
    if missing:
        return "; ".join(f"a {t} table ({_GIVES[t]})" for t in missing)
    return "spend-response curves that pass their fit checks (a longer or more varied spend history)"


def _strategy(ds: Dataset, rec: Recommendation | None) -> Decision:
    evidence = "4. Conquest or relations"
    one_side = rec is not None and (rec.best_conquest is None or rec.best_relations is None)
    if rec is None or rec.option not in _OPTION_ACTION or (one_side and rec.option == "no clear difference"):
        return Decision(step=3, topic="Strategy", action="Conquest and relations cannot be compared",
                        evidence=evidence, unlock=_unlock(ds, ("marketing", "campaigns")))
    best = {"conquest": rec.best_conquest, "relations": rec.best_relations}.get(rec.option)
    for_whom = ""
    if best is not None:
        targets = [t.removeprefix("retention: ") for t in (best.alike or (best.target,))]
        for_whom = (targets[0] if best.clear else f"any of {', '.join(targets)} (not separated by the data)")
    return Decision(step=3, topic="Strategy", action=_OPTION_ACTION[rec.option], for_whom=for_whom,
                    evidence=evidence)


def _mix(plan: BudgetPlan) -> str:
    if plan.mix_kept or len(plan.channels) < 2:
        return "keep today's channel mix"
    shares = sorted(plan.optimum_mix.items(), key=lambda kv: -kv[1])
    return "channel mix " + ", ".join(f"{c} {s:.0%}" for c, s in shares if round(100 * s) > 0)


def value_gain_interval(plan: BudgetPlan, curves: Mapping[str, ResponseCurve], clv_draws: Mapping[str, np.ndarray],
                        clv_point: Mapping[str, float], n: int = 200, seed: int = 0,
                        level: float = 0.90) -> tuple[float, float] | None:
    """The ``level`` interval of the extra value a year of the recommended budget over today's, from the same
    bootstrap as the optimal budget's interval (:func:`~customer_workbook.acquisition.optimum_draws` pairs a random
    response-curve draw with a random customer-value draw per channel): per draw, 52 x (weekly value of the plan's
    recommended spend - weekly value of today's spend). A channel without curve draws keeps its fitted curve, one
    without value draws its point value. None without any draw (nothing varies)."""
    ch = list(plan.channels)
    if not ch or all(not len(curves[c].draws) for c in ch) and all(not len(clv_draws.get(c, ())) for c in ch):
        return None
    rng = np.random.default_rng(seed)
    best = np.array([float(plan.optimum_spend[c]) for c in ch])
    now = np.array([float(plan.current_spend[c]) for c in ch])
    gains = np.empty(n)
    for i in range(n):
        d = np.array([curves[c].draws[rng.integers(len(curves[c].draws))][:3] if len(curves[c].draws) else
                      [curves[c].vmax, curves[c].k, curves[c].shape] for c in ch], dtype=float)
        w = np.array([rng.choice(clv_draws[c]) if len(clv_draws.get(c, ())) else clv_point[c] for c in ch])
        gains[i] = 52 * float(value_created(best, d[:, 0], d[:, 1], d[:, 2], w)
                              - value_created(now, d[:, 0], d[:, 1], d[:, 2], w))
    low, high = np.quantile(gains, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def _budget(ds: Dataset, plan: BudgetPlan | None, gain_interval: tuple[float, float] | None = None) -> Decision:
    evidence = "3. Which budget maximises the firm's value?"
    if plan is None:
        return Decision(step=3, topic="Acquisition budget", action="No acquisition budget can be set",
                        evidence=evidence, unlock=_unlock(ds, ("marketing",)))
    lo, hi = plan.budget_interval
    now, best = plan.current_budget, plan.optimum_budget
    if plan.budget_change == "no clear difference":
        action = (f"Keep the weekly acquisition budget near {now:,.0f}: the value-maximising {best:,.0f} is not "
                  f"measurably different (90% interval {lo:,.0f} to {hi:,.0f})")
    elif round(best) == 0:
        action = (f"Stop paid acquisition (today {now:,.0f} a week): at the fitted response curves no budget returns "
                  "more value than it costs" + ("" if round(hi) == 0 else f" (90% interval 0 to {hi:,.0f} a week)"))
    else:
        action = (f"{plan.budget_change.capitalize()} the weekly acquisition budget from {now:,.0f} to {best:,.0f} "
                  f"(90% interval {lo:,.0f} to {hi:,.0f})")
    gain = round(52 * plan.value_gain, 2)
    value_range, label = {}, "extra value a year"
    if gain_interval is not None and all(np.isfinite(gain_interval)):
        # the point value (fitted curves) can fall just outside the bootstrap's interval: the range then holds it
        value_range = dict(value_low=round(min(gain_interval[0], gain), 2),
                           value_high=round(max(gain_interval[1], gain), 2))
        label = "extra value a year (90% interval over the response curves' and customer values' uncertainty)"
    mix = "" if round(best) == 0 else f"; {_mix(plan)}"
    return Decision(step=3, topic="Acquisition budget", action=action + mix,
                    for_whom=", ".join(plan.channels), value=gain, value_label=label,
                    basis="estimated", evidence=evidence, **value_range)


def strategy_decisions(ds: Dataset, plan: BudgetPlan | None, rec: Recommendation | None,
                       gain_interval: tuple[float, float] | None = None) -> list[Decision]:
    """Step 3's decisions: where the next unit of budget goes (section 4's recommendation) and the acquisition
    budget and mix (section 3's value-maximising plan, an estimate from fitted response curves and customer
    values; its range ``gain_interval`` from :func:`value_gain_interval`, none when not given). A side that cannot
    be decided says what data would unlock it."""
    return [_strategy(ds, rec), _budget(ds, plan, gain_interval)]
