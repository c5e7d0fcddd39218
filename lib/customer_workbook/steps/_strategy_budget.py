"""Notebook 03 (step 3, strategy), section 3's findings: the value-maximising budget recorded. Kept apart from
:mod:`customer_workbook.steps.strategy` (which calls :func:`record_plan`) so each module stays short.
"""
from __future__ import annotations

import pandas as pd

from ..acquisition import BudgetPlan
from .section import Draft

__all__ = ["record_plan"]


def record_plan(draft: Draft, plan: BudgetPlan, interval: tuple[float, float], by_objective: pd.Series) -> None:
    """The findings of the budget section (:func:`~customer_workbook.steps.strategy.best_budget`): today's and the
    value-maximising budget, its interval and mix, the value at stake and the budget of each objective."""
    money = "currency units"
    draft.add("current_weekly_budget", round(plan.current_budget, 2), "Today's weekly acquisition budget", unit=money)
    draft.add("current_weekly_value", round(plan.current_value, 2), "Weekly value created today", unit=money)
    draft.add("optimal_weekly_budget", round(plan.optimum_budget, 2), "Value-maximising weekly acquisition budget",
              headline=plan.budget_change != "no clear difference", unit=money)
    draft.add("optimal_budget_change", plan.budget_change, "Raise or lower today's budget: only when the 90% interval "
              "of the value-maximising budget excludes it, else 'no clear difference'")
    draft.add("optimal_weekly_budget_interval", [round(x, 2) for x in interval],
              "90% interval of the value-maximising budget", unit=money)
    draft.add("optimal_mix", {c: round(v, 4) for c, v in plan.optimum_mix.items()},
              "Value-maximising channel mix" + (" (today's: the data do not separate the channels)" if plan.mix_kept else ""),
              headline=not plan.mix_kept, unit="share")
    draft.add("optimal_weekly_value", round(plan.optimum_value, 2), "Weekly value created at the optimum", unit=money)
    draft.add("value_at_stake_per_year", round(52 * plan.value_gain, 2),
              "Extra value a year from moving to the optimal plan",
              headline=not plan.mix_kept or plan.budget_change != "no clear difference", unit=money)
    draft.add("best_mix_at_current_budget", {c: round(v, 4) for c, v in plan.best_at_current_mix.items()},
              "Best channel mix at today's budget", unit="share")
    draft.add("optimal_budget_by_objective", {o: round(b, 2) for o, b in by_objective.items()},
              "Weekly budget that maximises each objective", unit=money)
