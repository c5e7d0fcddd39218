"""Notebook 04's words chosen from the numbers (customer_workbook.steps.phases): the drivers sentence and the
missing ratio."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from customer_workbook.steps import phases


def _found():
    """The sample's §6: discounts measured (+6.2 pp), delivery not after Holm (+6.5, +0.2 to +12.8), categories
    and returns near zero."""
    table = pd.DataFrame({"family": ["recency", "discounts", "delivery", "categories", "returns"],
                          "effect": [0.268, 0.062, 0.065, 0.006, 0.002],
                          "effect_low": [0.230, 0.031, 0.002, -0.036, -0.030],
                          "effect_high": [0.307, 0.092, 0.128, 0.048, 0.034],
                          "in_words": ["Days since the last order raises it", "Share of lines on discount raises it",
                                       "", "", ""],
                          "measured": [True, True, False, False, False]})
    return SimpleNamespace(table=table, level=0.9, n_boot=40, alpha=0.1, measured=["recency", "discounts"])


def test_the_controllable_behaviours_say_which_are_measured_and_never_claim_no_effect():
    drivers = pd.DataFrame({"family": ["recency", "discounts", "delivery"]})
    text = phases._drivers_text(_found(), drivers, shifted={"delivery"})
    assert "None of the behaviours" not in text and "no measurable effect" not in text
    assert "Of the behaviours the firm can change directly (categories, delivery, returns and discounts)" in text
    assert "discounts has a measured effect (+6.2 pp)" in text
    assert "the effects of categories and returns are not measured at this size" in text
    assert "delivery changed since the training date (see below), so the model could not learn its effect" in text
    unshifted = phases._drivers_text(_found(), drivers)
    assert "the effects of categories, delivery and returns are not measured at this size" in unshifted
    assert "could not learn" not in unshifted


def test_the_missing_ratio_is_rounded_once_and_labelled_as_the_share_found():
    """The sample: 85.646% found; rounded to 4 decimals (0.8565) the key finding showed 85.7%, the text 85.6%."""
    from customer_workbook.findings import format_value
    from customer_workbook.retention import OperatingThreshold
    from customer_workbook.steps.section import Draft

    op = OperatingThreshold(0.40, 9_672, 0.408, 0.85646, 0.14354, "at most 40% wasted", True, 0.67)
    draft, target = Draft(), "no order in the next 90 days"
    phases._contact_findings(draft, op, op, SimpleNamespace(targeted_now=9_263), 14_522, False, target)
    found = {f.key: f for f in draft.done().findings}
    shown = format_value(found["churn_missing_ratio"].value, "share")
    text = phases._contact_text(op, op, 3_651, 0.464, 0.4, target)
    assert shown == "85.6%" and f"found {shown} of all customers" in text
    assert format_value(found["churn_undetected_share"].value, "share") == "14.4%" and "leaving 14.4% undetected" in text
    assert found["churn_missing_ratio"].label.startswith(f"Share of customers with {target} the model finds")
