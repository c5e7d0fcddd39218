"""The null company makes no claim in notebooks 03 (strategy) and 05 (plan components).

The null company (``null_run``) has equal acquisition channels, no campaign effect and the same distribution of
non-customers' needs in every group; personas and seasonality remain. Every "best" below is named only when the
data separate it at the 90% level after the Holm correction (:mod:`customer_workbook.stats.separation`),
so each assertion can fail by chance in about 10% of companies; the seed of the null company is fixed.
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebooks

NO_CLAIM = "no clear difference"


def _found(run: dict) -> tuple[dict, set[str]]:
    items = run["findings"]
    return {k: v["value"] for k, v in items.items()}, {k for k, v in items.items() if v.get("headline")}


def test_03_picks_no_channel_among_equal_channels(null_run):
    found, headline = _found(null_run("03_strategy"))
    assert found["clv_best_channel"] == NO_CLAIM
    assert found["clv_to_cac_best"] == NO_CLAIM
    assert set(found["clv_to_cac_tied"]) == set(found["clv_by_channel"])
    assert "clv_to_cac_ranking" not in headline
    # the value-maximising plan does not reallocate among equal channels: it keeps today's mix
    assert found["optimal_mix_shift"] == [] and "optimal_mix" not in headline
    assert found["optimal_mix"] == pytest.approx(found["best_mix_at_current_budget"], abs=1e-4)
    assert "display 45%" not in found["recommendation"]


def test_03_values_no_retention_segment_from_a_noise_uplift(null_run):
    found, headline = _found(null_run("03_strategy"))
    assert found["campaign_uplift_measured_segments"] == []
    assert found["retention_cost_per_extra_order"] == {}
    assert "retention_return_best" not in found
    text = found["recommendation"]
    assert "fund offers" not in text and "full-price" not in text and "do not contact" not in text
    # acquisition pays in the null company too (planted CLV 266 × marginal response 0.005 = 1.3 per unit), so
    # 'conquest' is a true answer; relations would rest on the noise uplift
    assert found["recommended_option"] in ("conquest", NO_CLAIM)


@pytest.mark.xfail(strict=True, reason=(
    "A chance false alarm of this null company's seed, not a bias of the spend-response model: tv's weeks at "
    "spends 275 to 337 brought 3.0 new customers a week where the planted curve gives 2.1, so its Hill fit "
    "(shape 2.5 against the planted 1.5) gives a marginal CAC of 108 (90% bootstrap interval 90 to 140, "
    "profile-likelihood interval 89 to 131) against the planted 169: the planted curve lies 2.9 standard "
    "errors from these data (likelihood ratio 8.6). The residuals are independent (lag-1 autocorrelation "
    "0.05), no trend, season or carry-over is found. On 40 null companies (seeds 1 to 40) the 90% intervals "
    "cover the planted marginal CAC in 175 of 197 fitted channels (89%) and the rule names a cheapest channel "
    "once, for seed 11, the seed used here. Remove this mark when the null company's seed changes."))
def test_03_names_no_cheapest_channel_at_the_margin(null_run):
    found, _ = _found(null_run("03_strategy"))
    assert found["marginal_cac_cheapest"] == NO_CLAIM
    assert found["acquisition_best_channel"] == NO_CLAIM


def test_05_names_no_most_valuable_channel_and_no_chance_first_need(null_run):
    found, headline = _found(null_run("05_plan_components"))
    assert found["clv_by_segment_best"] == NO_CLAIM
    # every group's needs come from one distribution whose most common need is pricing (27.5%): a group's
    # first need is claimed only when measurably ahead, and then it is pricing
    assert set(found["top_need_by_segment"].values()) <= {"pricing"}
    assert found["top_need_unclear"]
    # the campaign: no measured average effect, no uplift segments, no targeting
    assert "campaign_overall_uplift" not in headline
    assert "uplift_segment_sizes" not in found and "value_at_stake" not in found
    assert "qini_uplift_model" not in headline
