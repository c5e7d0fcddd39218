"""Customer lifetime value: BG/NBD, Pareto/NBD and Gamma-Gamma by exact maximum likelihood.

Usage::

    from customer_workbook import clv

    tx = clv.load_cdnow()                                   # or your contract transactions
    rfm = clv.rfm_summary(tx, "1997-09-30", freq="D", time_unit="W")
    bgnbd = clv.BGNBDModel().fit(rfm)                        # r, alpha, a, b (+ standard errors)
    gg = clv.GammaGammaModel().fit(rfm)                      # spend per purchase
    print(bgnbd.summary())
    p_alive = bgnbd.probability_alive(rfm)                   # Series, 0..1
    next_year = bgnbd.expected_purchases(52, rfm)            # purchases in the next 52 weeks
    value = clv.customer_lifetime_value(bgnbd, gg, rfm, horizon_months=12,
                                        discount_rate=0.10, rate_period="year", margin=0.3)

Validate before use: :func:`calibration_and_holdout` + :func:`plot_calibration_holdout`,
:func:`plot_tracking`, and :func:`spend_frequency_correlation` for the Gamma-Gamma assumption.

Modules: ``data`` (transactions -> RFM as a :class:`PurchaseSummary`, CDNOW loader), ``models`` (the three models),
``value`` (discounted CLV), ``concentration`` (:func:`value_concentration`: the share of value a top
group holds, and :func:`segment_value`), ``scoring`` (the one customer-value scorer:
:func:`score_customers` fits once per run and scores every customer, with a :class:`FitReport`),
``new_customers`` (:func:`group_clv`: the value of a *new* customer per channel or persona), ``diagnostics`` (checks and plots), ``simulate`` (seeded
simulators), ``_special`` (hypergeometric numerics). Bad input raises
:class:`CLVInputError` (a ``ValueError``) naming counts and example ids; excluded customers
are reported with :class:`CLVDataWarning`.
"""
from ._validation import CLVAssumptionWarning, CLVConvergenceWarning, CLVDataWarning, CLVInputError
from .concentration import segment_value, value_concentration
from .data import CDNOW_CALIBRATION_END, PurchaseSummary, calibration_and_holdout, load_cdnow, purchase_periods, rfm_summary
from .diagnostics import (
    SpendIndependenceCheck,
    calibration_holdout_table,
    plot_calibration_holdout,
    plot_tracking,
    spend_frequency_correlation,
    tracking_table,
)
from .models import BGNBDModel, GammaGammaModel, MBGNBDModel, ParetoNBDModel
from .new_customers import (MAX_FAILED_SHARE, SAME_DROPOUT_AB, GroupValues, NewCustomerValue, first_purchase_value,
                            group_clv, kept_after_returns, new_customer_value, population_repeat_purchases)
from .scoring import MIN_REPEAT_BUYERS, CustomerValue, FitReport, ModelFit, horizon_label, score_customers
from .selection import HoldoutScore, ModelChoice
from .simulate import simulate_bgnbd, simulate_gamma_gamma, simulate_pareto_nbd
from .value import DAYS_PER_MONTH, customer_lifetime_value, monthly_discount_factors

__all__ = [
    "BGNBDModel",
    "MBGNBDModel",
    "CDNOW_CALIBRATION_END",
    "CLVAssumptionWarning",
    "CLVConvergenceWarning",
    "CLVDataWarning",
    "CLVInputError",
    "CustomerValue",
    "DAYS_PER_MONTH",
    "FitReport",
    "GammaGammaModel",
    "GroupValues", "MAX_FAILED_SHARE", "SAME_DROPOUT_AB", "kept_after_returns", "population_repeat_purchases",
    "ModelFit",
    "NewCustomerValue",
    "ParetoNBDModel",
    "PurchaseSummary",
    "SpendIndependenceCheck",
    "calibration_and_holdout",
    "calibration_holdout_table",
    "customer_lifetime_value",
    "first_purchase_value",
    "group_clv",
    "horizon_label",
    "load_cdnow",
    "monthly_discount_factors",
    "new_customer_value",
    "plot_calibration_holdout",
    "plot_tracking",
    "purchase_periods",
    "rfm_summary",
    "score_customers", "MIN_REPEAT_BUYERS", "ModelChoice", "HoldoutScore",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
    "simulate_pareto_nbd",
    "spend_frequency_correlation",
    "tracking_table",
]
__all__ += ["segment_value", "value_concentration"]
