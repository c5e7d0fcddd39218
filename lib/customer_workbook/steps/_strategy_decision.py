"""Notebook 03 (step 3, strategy): the decisions the step leads to - conquest or relations, and the acquisition
budget and mix - written from sections 3 and 4's results (:func:`strategy_decisions`)."""
from __future__ import annotations

from ..acquisition import BudgetPlan
from ..data import Dataset
from ..decisions import Decision
from ..value_unit import MONEY
from ._strategy_choice import Recommendation

__all__ = ["strategy_decisions"]

_OPTION_ACTION = {
    "conquest": "Put the next unit of budget into acquisition (conquest)",
    "relations": "Put the next unit of budget into retention offers (relations)",
    "neither": "Hold the budget: neither acquisition nor retention returns measurably more than it costs",
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


def _budget(ds: Dataset, plan: BudgetPlan | None) -> Decision:
    evidence = "3. Which budget maximises the firm's value?"
    if plan is None:
        return Decision(step=3, topic="Acquisition budget", action="No acquisition budget can be set",
                        evidence=evidence, unlock=_unlock(ds, ("marketing",)))
    lo, hi = plan.budget_interval
    now, best = plan.current_budget, plan.optimum_budget
    if plan.budget_change == "no clear difference":
        action = (f"Keep the weekly acquisition budget near {now:,.0f}: the value-maximising {best:,.0f} is not "
                  f"measurably different (90% interval {lo:,.0f} to {hi:,.0f})")
    else:
        action = (f"{plan.budget_change.capitalize()} the weekly acquisition budget from {now:,.0f} to {best:,.0f} "
                  f"(90% interval {lo:,.0f} to {hi:,.0f})")
    gain = 52 * plan.value_gain
    return Decision(step=3, topic="Acquisition budget", action=f"{action}; {_mix(plan)}",
                    for_whom=", ".join(plan.channels), value=round(gain, 2),
                    value_label="extra value a year",
                    basis="estimated", evidence=evidence)


def strategy_decisions(ds: Dataset, plan: BudgetPlan | None, rec: Recommendation | None) -> list[Decision]:
    """Step 3's decisions: where the next unit of budget goes (section 4's recommendation) and the acquisition
    budget and mix (section 3's value-maximising plan, an estimate from fitted response curves and customer
    values, without a range of its own). A side that cannot be decided says what data would unlock it."""
    return [_strategy(ds, rec), _budget(ds, plan)]
