"""Notebook 03 (step 3, strategy), section 5: what if we spent differently? The budget explorer, or today's and the
value-maximising plan valued. Kept apart from :mod:`customer_workbook.steps.strategy` (which re-exports
:func:`what_if_plans`) so each module stays short.
"""
from __future__ import annotations

from collections.abc import Mapping

from .. import acquisition, plots, widgets
from ..acquisition import BudgetPlan, ResponseCurve
from .section import Draft, Section

__all__ = ["what_if_plans"]


def _creates(value: float, s: str = "s") -> str:
    """"creates V of value" or, for a negative V, "loses |V| of value" (currency units; ``s=""``: "create")."""
    return f"create{s} {value:,.0f} of value" if round(value) >= 0 else f"lose{s} {-value:,.0f} of value"


def what_if_plans(curves: Mapping[str, ResponseCurve], clv_values: Mapping, plan: BudgetPlan | None,
                  bounds: Mapping[str, tuple[float, float]], margin: float, annual_discount_rate: float,
                  horizon_years: float, interactive: bool = False,
                  current: Mapping[str, float] | None = None) -> Section:
    """Section 5: the budget explorer (``interactive``), or today's and the value-maximising plan valued.

    Without a ``plan`` the section is skipped: for lack of marketing data when ``current`` (today's weekly
    spend per channel, :func:`~customer_workbook.steps.strategy.spend_response`) is empty, otherwise with a note that section 3 has no plan."""
    draft = Draft()
    if plan is None:
        if current:  # marketing data, but no plan
            draft.say("> **Not shown: budget what-if** because section 3 has no value-maximising plan to compare with "
                      "(its note says what is missing).")
        else:
            draft.skip("Budget what-if", ["marketing"])
        return draft.done()

    def parts(margin=margin, discount_rate=annual_discount_rate, **spend) -> list:
        result = acquisition.what_if(spend, curves, clv_values, margin, discount_rate, horizon_years, bounds,
                                     keep_mix=dict(plan.current_spend) if plan.mix_kept else None)
        table = plots.styled_table(result.table, {"spend": "{:,.0f}", "new_per_week": "{:.1f}", "cac": "{:,.0f}",
                                                  "marginal_cac": "{:,.0f}", "clv": "{:,.0f}"})
        return [table, _what_if_sentence(result)]

    if interactive:
        from IPython.display import Markdown, display

        def show_plan(**values) -> None:
            table, text = parts(**values)
            display(table, Markdown(text))

        draft.show(widgets.budget_explorer(show_plan, dict(plan.current_spend), {c: b[1] for c, b in bounds.items()},
                                           margin, annual_discount_rate))
        return draft.done()
    for title, spend in (("**Today's plan**", plan.current_spend), ("**Value-maximising plan**", plan.optimum_spend)):
        table, text = parts(**spend)
        draft.say(title)
        draft.show(table)
        draft.say(text)
    return draft.done()


def _what_if_sentence(result) -> str:
    """New customers, blended CAC, value created and the distance to the optimum of one plan (:class:`WhatIf`)."""
    bought = (f"**{result.new_per_week:.1f} new customers a week** at a blended CAC of {result.cac:,.0f}"
              if result.new_per_week >= 0.05 else "**no new customers**")
    gap = (f"this plan is **{result.gap:,.0f} a week** short of it." if round(result.gap) > 0
           else "this plan is the optimum.")
    return (f"{bought}; the plan {_creates(result.value)} a week. The optimum at this margin and discount rate "
            f"spends {result.optimum_budget:,.0f} a week and creates {result.optimum_value:,.0f}: {gap}")
