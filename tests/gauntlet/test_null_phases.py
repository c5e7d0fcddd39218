"""Notebook 04 on the null company (issue 15, part 3): no most valuable product line, sales channel or audience
is claimed where nothing separates the options, and the pilot is not sized on a pick of noise.

The null company keeps its personas (so the premium persona is genuinely worth more) but has equal acquisition
channels, so the audience's segment must not be claimed; product lines and sales channels are ranked on
revenue, retention and cross-sell, and the first is claimed only when it is separated from the runner-up
(5% level, Holm-corrected over the measures).

No churn driver is claimed either: a feature family is named as a driver only when its what-if effect is
measured (bootstrap intervals, Holm across the families at 10%: the false-alarm rate of naming any family
where none has an effect). The null company has no driver effect, no delivery slowdown and equal channels,
so none of those families may be named; recency (and often frequency) is still measured, because the
chance of an order in the next 90 days depends on how recently a customer bought in any company. On twelve
null companies (seeds 1-12, 3,000 customers) one named a family of this list (categories, seed 10), within
the 10% rate. Families that describe personas (category mix, product tier, region) were named in four: the
null company keeps its personas' own purchase and dropout rates, so they truly predict churn there.
"""
from __future__ import annotations

import pytest

from customer_workbook.steps.phases_plan import NO_CLEAR_WINNER

pytestmark = pytest.mark.notebooks

NOTEBOOK = "04_plan_phases"


@pytest.fixture(scope="module")
def null_findings(null_run):
    return null_run(NOTEBOOK)["findings"]


@pytest.mark.parametrize("key", ["mvp", "mvs"])
def test_no_product_line_or_sales_channel_is_claimed(null_findings, key):
    found = null_findings[key]
    assert found["value"] == NO_CLEAR_WINNER and not found["headline"]
    assert null_findings[f"{key}_clear"]["value"] is False
    assert len(null_findings[f"{key}_tied"]["value"]) == 2  # the two options nothing separates, named
    assert null_findings[f"{key}_p_values"]["value"]


def test_no_audience_and_no_acquisition_channel_is_claimed(null_findings):
    assert null_findings["mva"]["value"] == NO_CLEAR_WINNER and not null_findings["mva"]["headline"]
    assert null_findings["mva_clear"]["value"] is False
    assert null_findings["mva_segment"]["value"] == NO_CLEAR_WINNER  # equal acquisition channels
    tied = null_findings["mva_tied"]["value"]
    assert len(tied) >= 2 and len({cell.rsplit(" · ", 1)[1] for cell in tied}) >= 2


def test_the_pilot_is_sized_on_the_tied_audiences_not_on_one_pick(null_findings):
    """The pilot is still sized (on the cells tied for first, worth more than the average customer together),
    and no finding headlines a product line, channel or audience."""
    assert null_findings["pilot_n_per_arm"]["value"] > 0
    headlined = [k for k, f in null_findings.items() if f["headline"]]
    assert not {"mvp", "mvs", "mva"} & set(headlined), headlined
    assert null_findings["mva_value_per_customer"]["value"] > null_findings["value_per_customer_overall"]["value"]


#: Families standing for the planted churn drivers, all switched off in the null company (equal channels too).
NO_EFFECT_FAMILIES = {"categories", "delivery", "returns", "satisfaction", "nps & reasons", "acquisition channel"}


def test_no_churn_driver_is_claimed(null_findings):
    measured = null_findings["churn_measured_drivers"]["value"]
    assert not NO_EFFECT_FAMILIES & set(measured), measured
    assert "recency" in measured  # the test has power: what truly predicts churn is still found
    assert set(null_findings["churn_driver_effect_rank"]["value"]) == set(measured)
    low_high = null_findings["churn_driver_effect_intervals"]["value"]
    assert low_high["delivery"][0] < 0 < low_high["delivery"][1]  # +17.8 points before intervals, now not named
