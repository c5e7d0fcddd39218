"""Planning the phases of the plan (step 4 of the method): anticipate demand, start small with the most
valuable, go to market.

- :mod:`.demand`: weekly demand and a backtested next-quarter forecast.
- :mod:`.pilot`: the most valuable product line, service and audience, and the pilot's size.
- :mod:`.winners`: whether the most valuable product line, service and audience are clearly the most valuable.
- :mod:`.go_to_market`: goal, offer, channel, timing and value per target audience.
- :mod:`.action_plan`: the action table of step 5 (for whom, what, when, worth, metric) and a customer's card.
"""
from .action_plan import ASSUMED, MEASURED, MODELLED, PlanInputs, action_plan, customer_card
from .customer_list import (LIST_NAME, NO_SPECIFIC_ACTION, SCORE_COLUMNS, assemble, columns_path, recommended_actions,
                            write_columns)
from .demand import (DemandForecast, QuarterForecast, backtest_forecast, forecast_next_quarter,
                     forecast_quarter_total, weekly_demand)
from .go_to_market import Targeting, audience_customers, customer_profile, go_to_market_plan, targeting_at
from .pilot import (PilotDesign, PilotPlan, audience_members, audience_table, feasible_pilot, order_repeats, pick_pilot,
                    pilot_plan, product_value_table, recent_repeat_rate, sale_lines, service_labels,
                    service_value_table, weekly_reach)
from .winners import audience_ties, product_intervals, product_separation, service_intervals, service_separation

__all__ = ["DemandForecast", "PilotPlan", "QuarterForecast", "Targeting", "audience_customers", "audience_members",
           "audience_table", "backtest_forecast", "customer_profile", "forecast_next_quarter",
           "forecast_quarter_total", "go_to_market_plan", "pick_pilot", "pilot_plan", "product_value_table",
           "recent_repeat_rate", "service_value_table", "targeting_at", "weekly_demand", "weekly_reach"]
__all__ += ["ASSUMED", "MEASURED", "MODELLED", "PlanInputs", "action_plan", "customer_card"]
__all__ += ["LIST_NAME", "NO_SPECIFIC_ACTION", "SCORE_COLUMNS", "assemble", "columns_path", "recommended_actions",
            "write_columns"]
__all__ += ["audience_ties", "order_repeats", "product_separation", "sale_lines", "service_separation"]
__all__ += ["PilotDesign", "feasible_pilot", "product_intervals", "service_intervals", "service_labels"]
