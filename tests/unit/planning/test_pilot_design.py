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


def test_enrolment_curves_keep_the_design_and_time_distinct_customers():
    """The same candidates with enrolment curves instead of weekly reach: the same design; the whole audience of
    582 is enrolled only when the curve reaches 582 distinct customers, else enrolment is not reached (inf)."""
    flat = feasible_pilot([(582, 40.0, 0.6), (900, 60.0, 0.6)], mde=0.05, outcome_days=90)
    slow = np.minimum(40.0 * np.arange(1, 53), 500.0)  # 40 new customers a week until 500 of 582 have ordered
    d = feasible_pilot([(582, slow, 0.6), (900, np.minimum(60.0 * np.arange(1, 53), 900.0), 0.6)], mde=0.05,
                       outcome_days=90)
    assert d.choice == flat.choice == "larger lift" and d.plan.total == flat.plan.total
    assert flat.plan.enrol_weeks == np.ceil(flat.plan.total / 40.0)
    assert d.plan.reachable == 500 and not d.plan.enrolled_in_time and d.plan.duration_weeks == np.inf
    fast = feasible_pilot([(582, np.minimum(40.0 * np.arange(1, 53), 582.0), 0.6)], mde=0.05, outcome_days=90)
    assert fast.plan.enrol_weeks == np.ceil(fast.plan.total / 40.0) and fast.plan.duration_weeks == fast.plan.enrol_weeks + 13
