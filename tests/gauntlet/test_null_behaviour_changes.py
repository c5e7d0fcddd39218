"""The null company (no planted effect) through steps 1 and 2: no driver, no change beyond the false-alarm rate.

Step 2 searches about 18 weekly series, each with a false-alarm rate of about 3% after the correction, so one
kept change can be chance; two would be a claim the data do not support.
"""
import pytest

from conftest import values

pytestmark = [pytest.mark.notebooks, pytest.mark.gauntlet]


def test_no_change_beyond_the_false_alarm_rate(null_run):
    found = values(null_run("02_changes"))
    assert found["n_kept_breaks"] <= 1 and found["n_changes"] <= 1
    assert len(found["change_register"]) <= 1


def test_no_reason_is_named_a_driver_and_no_group_difference_is_claimed(null_run):
    findings = null_run("01_behaviour")["findings"]
    assert "driver_ranking" not in findings and "top_drivers" not in findings
    assert not findings["multi_category_effect"]["headline"] or findings["multi_category_p_value"]["value"] < 0.05
    nps_groups = {**findings["nps_by_persona"]["value"], **findings["nps_by_segment"]["value"]}
    assert len(findings["nps_not_significant"]["value"]) >= len(nps_groups) - 1  # at most one chance difference
