"""Conquest: winning new customers (step 3 of the method), and how much to spend on it.

- :mod:`.economics`: who each channel brought inside the data window, what a customer cost (CAC, with a
  bootstrap interval), CLV/CAC and the payback period, CAC per persona, what a customer is worth under
  each objective (leads, revenue, profit, value), and how many new customers order again in their first
  cycle.
- :mod:`.response`: how each channel's weekly new customers respond to weekly spend (Hill saturation,
  geometric carry-over, Poisson fit with a parametric bootstrap) and the marginal CAC it implies.
- :mod:`.budget`: the weekly budget and channel mix that maximise the value created, the value frontier,
  how lower objectives move the plan, what-if plans, and one more unit on conquest versus relations.

The value of a newly acquired customer comes from :func:`customer_workbook.clv.group_clv`; the
randomised retention campaign (the relations side) from :mod:`customer_workbook.retention.campaigns`.
"""
from .budget import (BudgetPlan, WhatIf, budget_frontier, conquest_vs_relations, mix_shift, objective_comparison,
                     optimise_budget, optimise_scale, optimum_draws, optimum_interval, plan_summary, value_created, what_if)
from .economics import (AcquisitionCost, acquired_customers, acquisition_cost, first_cycle_repeat_share, payback_months,
                        persona_cac, unit_economics, worth_per_customer)
from .response import (MIN_SPEND_VARIATION, MIN_WEEKS, ResponseCurve, adstock, baseline_design, fit_response_curve,
                       fit_response_curves, hill, hill_derivative, marginal_cac_table)

__all__ = ["MIN_SPEND_VARIATION", "MIN_WEEKS", "AcquisitionCost", "BudgetPlan", "ResponseCurve", "WhatIf", "acquired_customers",
           "acquisition_cost", "adstock", "baseline_design", "budget_frontier", "conquest_vs_relations", "first_cycle_repeat_share",
           "fit_response_curve", "fit_response_curves", "hill", "hill_derivative", "marginal_cac_table", "mix_shift",
           "objective_comparison", "optimise_budget", "optimise_scale", "optimum_draws", "optimum_interval",
           "payback_months", "persona_cac", "plan_summary", "unit_economics", "value_created", "what_if",
           "worth_per_customer"]
