"""A pilot is never larger than its audience (planning.pilot.feasible_pilot): as planned when it fits, else a
wider audience, else the lift the whole audience can detect (the issue: 1,530 per arm from an audience of 582)."""
from __future__ import annotations

import numpy as np
import pytest

from customer_workbook.planning.pilot import PilotDesign, feasible_pilot
from customer_workbook.stats import minimum_detectable_effect, sample_size_two_proportions


def test_a_pilot_that_fits_runs_as_planned():
    d = feasible_pilot([(10_000, 500.0, 0.5)], mde=0.05, outcome_days=90)
    assert isinstance(d, PilotDesign) and d.choice == "as planned" and not d.changed
    assert d.plan is d.requested and d.plan.feasible and d.audiences_used == 1


def test_too_small_an_audience_is_widened_by_the_first_candidate_that_holds_the_test():
    need = sample_size_two_proportions(0.6, 0.05).total
    d = feasible_pilot([(582, 40.0, 0.6), (need - 1, 80.0, 0.6), (need + 10, 90.0, 0.62), (need * 3, 200.0, 0.6)],
                       mde=0.05, outcome_days=90)
    assert d.choice == "wider audience" and d.audiences_used == 3 and d.changed
    assert d.plan.total <= d.plan.audience_size == need + 10 and d.plan.mde == 0.05
    assert not d.requested.feasible and d.requested.audience_size == 582


def test_without_a_wider_audience_the_whole_audience_tests_the_lift_it_can_detect():
    d = feasible_pilot([(582, 40.0, 0.6), (900, 60.0, 0.6)], mde=0.05, outcome_days=90)
    assert d.choice == "larger lift" and d.audiences_used == 1
    lift = minimum_detectable_effect(0.6, 291)
    assert d.plan.mde == pytest.approx(lift, abs=1e-3) and d.plan.mde >= lift   # rounded up to 0.1 pp
    assert d.plan.feasible and d.plan.total <= 582                              # fits in the audience
    assert d.plan.enrol_weeks == np.ceil(d.plan.total / 40.0)


def test_no_design_when_not_even_the_whole_audience_detects_a_lift():
    d = feasible_pilot([(4, 1.0, 0.6)], mde=0.05, outcome_days=90)
    assert d.choice == "none" and d.plan is None and not d.requested.feasible


@pytest.mark.parametrize("audience", [327, 581, 1_001])
def test_an_odd_audience_holds_the_pilot_sized_for_the_lift_it_can_detect(audience):
    """Half an odd audience is not a whole customer: the detectable lift is sized for audience // 2 per arm."""
    d = feasible_pilot([(audience, 20.0, 0.45)], mde=0.05, outcome_days=90)
    assert d.choice == "larger lift" and d.plan.total <= audience


def test_enrolment_curves_time_distinct_customers_and_size_the_pilot_on_those_who_enrol():
    """With enrolment curves instead of weekly reach, the whole audience of 582 cannot be enrolled when only 500
    of them order in the year: the larger-lift pilot is sized on the 500 who enrol (before: on all 582, a design
    whose enrolment was never reached), and it enrols in time."""
    flat = feasible_pilot([(582, 40.0, 0.6), (900, 60.0, 0.6)], mde=0.05, outcome_days=90)
    assert flat.plan.enrol_weeks == np.ceil(flat.plan.total / 40.0)
    slow = np.minimum(40.0 * np.arange(1, 53), 500.0)  # 40 new customers a week until 500 of 582 have ordered
    d = feasible_pilot([(582, slow, 0.6), (900, np.minimum(60.0 * np.arange(1, 53), 900.0), 0.6)], mde=0.05,
                       outcome_days=90)
    assert d.choice == "larger lift" and d.enrolling == 500
    assert d.plan.total <= 500 < flat.plan.total and d.plan.mde >= minimum_detectable_effect(0.6, 250)
    assert d.plan.enrolled_in_time and d.plan.duration_weeks == d.plan.enrol_weeks + 13
    fast = feasible_pilot([(582, np.minimum(40.0 * np.arange(1, 53), 582.0), 0.6)], mde=0.05, outcome_days=90)
    assert fast.plan.enrol_weeks == np.ceil(fast.plan.total / 40.0) and fast.plan.duration_weeks == fast.plan.enrol_weeks + 13


def test_a_pilot_that_fits_but_cannot_enrol_in_time_is_never_laid_out():
    """The audience holds the requested test, but too few of its customers order within a year to enrol it (as on
    CDNOW: 2,906 needed, 2,959 customers, 2,877 ordering): a wider audience that enrols it runs instead, and
    without one the lift the customers who enrol can detect."""
    need = sample_size_two_proportions(0.6, 0.05).total
    short = np.minimum(100.0 * np.arange(1, 53), need - 50.0)
    d = feasible_pilot([(need + 20, short, 0.6)], mde=0.05, outcome_days=90)
    assert d.requested.feasible and not d.requested.enrolled_in_time  # the old design: "as planned", never enrolled
    assert d.choice == "larger lift" and d.plan.enrolled_in_time and d.plan.total <= need - 50
    wide = feasible_pilot([(need + 20, short, 0.6), (need + 400, np.minimum(120.0 * np.arange(1, 53), need + 300.0),
                                                     0.6)], mde=0.05, outcome_days=90)
    assert wide.choice == "wider audience" and wide.plan.mde == 0.05 and wide.plan.enrolled_in_time
    assert feasible_pilot([(need + 20, np.minimum(10.0 * np.arange(1, 53), 3.0), 0.6)], mde=0.05,
                          outcome_days=90).choice == "none"
