"""Notebook 05 (plan components) runs on the small sample, recovers its planted truths, runs without the
optional tables, and is committed clean."""
from __future__ import annotations

import json

import nbformat
import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, execute_notebook, values

pytestmark = pytest.mark.notebooks

NAME = "05_plan_components"
PATH = ROOT / "notebooks" / f"{NAME}.ipynb"
SEVEN_PS = {"people", "product", "place", "price", "promotion", "processes", "positioning"}
COMPONENTS = {"long-term maintenance", "instant gratification (personal offers)", "long-term customer value",
              "personalisation", "closing the back door (defence)", "innovate, don't invent (non-customers)",
              "timing (win-back)", "recognition plan", "product-line hierarchy", "ownership", "choice vs convenience"}


def test_notebook_is_clean_and_parameterised():
    import papermill

    nb = nbformat.read(PATH, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert [("parameters" in c.metadata.get("tags", [])) for c in code[:2]] == [False, True]
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1
    assert len({c.id for c in nb.cells}) == len(nb.cells)
    for line in code[1].source.splitlines():
        assert "=" not in line.partition("#")[2], line
    names = set(papermill.inspect_notebook(str(PATH)))
    assert {"data_dir", "column_map", "start_date", "end_date", "business_unit", "findings_path", "interactive",
            "margin", "discount_rate", "winback_response_rate", "cost_per_contact", "uplift_threshold", "seed"} <= names


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, small_sample):
    out = tmp_path_factory.mktemp("nb05")
    return execute_notebook(NAME, out, data_dir=str(small_sample), interactive=False)


def test_small_sample_recovers_planted_truths(small_run, small_sample):
    found = values(small_run)
    truth = json.loads((small_sample / "truth.json").read_text())
    assert small_run["skipped"] == []
    # value: concentrated but not absurd, totals consistent
    assert 0.4 < found["value_share_top20"] < 0.85
    assert found["clv_3y_total"] > found["clv_1y_total"] > 0
    # dormancy: groups measured against each customer's own rhythm are ordered by P(alive)
    p = found["dormant_p_alive"]
    assert p["active"] > p["half_sleepy"] > p["sleepy"] > p["sleeping"]
    assert p["active"] - p["sleeping"] > 0.4
    assert sum(found["dormant_group_sizes"].values()) == found["clv_customers"]
    # recommender: planted co-purchases beat best-sellers on a time split (truth: ~0.66 vs ~0.37 hit@10)
    assert found["recommender_hit_rate"] > found["popularity_hit_rate"] + 0.1
    assert found["recommender_lift"] > 1.5
    # uplift: the campaign's average effect is measured; its 300 customers (about 150 per arm) are below the uplift
    # model's minimum (MIN_ARM_CUSTOMERS per arm), so no segments are claimed and the base is not targeted
    assert -1 <= found["campaign_overall_uplift"] <= 1
    assert "uplift_segment_sizes" not in found and "value_at_stake" not in found
    # recognition: status rules (5% / 20% / 50% by value; ambassadors lifted) partition the base
    sizes = found["status_sizes"]
    assert sum(sizes.values()) == found["clv_customers"]
    assert 0.04 < sizes["platinum"] / found["clv_customers"] < 0.08
    assert found["ambassadors"] == pytest.approx(0.01 * found["clv_customers"], abs=3)
    # non-customers: planted shares (39% / 35% / 25%) and first needs
    shares = truth["prospects"]["shares"]
    for group, share in found["prospect_group_shares"].items():
        assert share == pytest.approx(shares[group], abs=0.08)
    needs = found["top_need_by_segment"]
    assert needs["prospective"] == "quality"
    assert needs["rejected (fails on ability to pay)"] == "pricing"
    assert needs["rejected (fails on need)"] == "location"
    # the plan: every component of the method and all 7 Ps, generated from the analyses
    assert COMPONENTS <= set(found["plan_components"])
    assert set(found["plan_seven_ps"]) == SEVEN_PS
    assert found["plan_incremental_value"] > 0


def test_runs_without_optional_tables(tmp_path, small_sample):
    data = tmp_path / "reduced"
    data.mkdir()
    for table in ("transactions", "customers"):
        pd.read_parquet(small_sample / f"{table}.parquet").to_parquet(data / f"{table}.parquet")
    result = execute_notebook(NAME, tmp_path, data_dir=str(data), interactive=False)
    skipped = {s["section"] for s in result["skipped"]}
    assert {"Closing the back door (uplift)", "Advocacy badges", "Product-line hierarchy", "Power users and ownership",
            "Non-customers"} <= skipped
    found = values(result)
    assert "qini_uplift_model" not in found and "prospect_group_shares" not in found
    assert found["dormant_p_alive"]["active"] > found["dormant_p_alive"]["sleeping"]
    assert found["plan_rows"] >= 5 and "recognition plan" in found["plan_components"]
    # no campaigns table: Exercise 3 gives that reason, not a failed uplift model
    assert found["exercise_sleeping_dogs"].startswith("none can be named: the data hold no randomised campaign")
    # no campaign, so the win-back response is the parameter, and Exercise 2 divides it
    assert not found["winback_response"]["measured"]
    assert found["exercise_winback_fifth_response"] == pytest.approx(found["winback_response"]["rate"] / 5, abs=1e-4)


def test_shipped_sample_recovers_planted_truths(shipped_run):
    """The shipped 20k sample (about 30 s): recommender, uplift and non-customer truths at full size."""
    sample = ROOT / "data" / "sample"
    truth = json.loads((sample / "truth.json").read_text())
    found = values(shipped_run(NAME)[1])
    # truth.json: on a 2025-07-01 split, item-item hit@10 is about 0.66 against 0.37 for popularity
    assert found["recommender_hit_rate"] == pytest.approx(0.66, abs=0.05)
    assert found["popularity_hit_rate"] == pytest.approx(0.37, abs=0.05)
    assert found["recommender_lift"] > 1.8
    # campaign: the overall realised uplift is measured exactly; what each predicted segment is made of is
    # checked against the planted uplift groups in tests/unit/retention/test_uplift.py.
    assert found["campaign_overall_uplift"] == pytest.approx(truth["campaign"]["overall_realised_uplift"], abs=1e-3)
    for key in ("qini_uplift_model", "qini_response_model"):
        assert np.isfinite(found[key]), key
    # Planted persuadables (true uplift +15 pp) and sleeping dogs (-10 pp) are more than half of the campaign's
    # 4,000 customers, and the model finds them: ranked by predicted uplift, its top 30% hold +9.7 pp of planted
    # uplift against -1.6 pp for the rest. So the held-out check passes (here +8.1 pp against -4.6 pp, interval of
    # the difference +7.0 to +18.2 pp) and the report shows the segments and targets the base. Measured over 30
    # regenerated 20k companies (seeds 101-130), the check passed in 28: a truth the check finds with power near
    # 0.9, not a certainty. (The previous sample hid the segments: its model held the same planted make-up, +9.0
    # against -1.7 pp, but the outcomes fell short of it by about 2.5 standard errors.)
    assert found["qini_uplift_model"] > 0
    assert "uplift_segment_observed" in found and found["value_at_stake"] > 0
    # what a blanket mail costs among the sleeping dogs is in the campaign's unit (orders in its window at one
    # order's margin, about 14,700), not their next-year value (112,750 before); it is part of what a blanket mail
    # loses against mailing the persuadables only
    assert "clv_at_risk_sleeping_dogs" not in found
    assert 0 < found["margin_at_risk_sleeping_dogs"] < found["value_at_stake"]
    # the predicted persuadables gain more from the offer than the predicted sleeping dogs (planted make-up +9.3
    # against -3.9 pp; held in all 30 companies, smallest gap 4.7 pp)
    observed = found["uplift_segment_observed"]
    assert observed["persuadable"] > observed["sleeping_dog"], observed
    # win-back: the campaign measured the response among its lapsing customers; it is scaled per group by P(alive)
    # relative to theirs, so a half-sleepy contact wakes more than a sleeping one; Exercise 2 divides that measured
    # response (not the parameter) by five; and the rows count as assumed, the value of a woken customer being one
    response = found["winback_response"]
    assert response["measured"] and 0 < response["reference_p_alive"] <= 1
    assert found["exercise_winback_fifth_response"] == pytest.approx(response["rate"] / 5, abs=1e-4)
    gain, sizes = found["winback_gain"], found["dormant_group_sizes"]
    assert gain["half_sleepy"] / sizes["half_sleepy"] > gain["sleeping"] / sizes["sleeping"]
    assert found["plan_incremental_value_assumed"] >= sum(g for g in gain.values() if g > 0)
    # the measured total is the persuadables' profit alone, which has no range: none is claimed (was 0 to 0)
    assert found["plan_incremental_value_measured"] > 0 and "plan_incremental_range_measured" not in found
    # recognition counts only the statuses with a benefit: members get none and keep nothing (13,760 before)
    assert found["status_net_value"]["member"] == 0
    paying = sum(v for s, v in found["status_net_value"].items() if v > 0)
    assert found["plan_incremental_value_assumed"] == pytest.approx(paying + sum(g for g in gain.values() if g > 0), abs=2)
    # dormancy ordered by P(alive); prospects by the planted rules
    p = found["dormant_p_alive"]
    assert p["active"] > p["half_sleepy"] > p["sleepy"] > p["sleeping"]
    for group, share in truth["prospects"]["shares"].items():
        assert found["prospect_group_shares"][group] == pytest.approx(share, abs=0.001)
    needs, modes = found["top_need_by_segment"], truth["prospects"]["realised_top_need_mode"]
    assert (needs["prospective"], needs["rejected (fails on need)"], needs["rejected (fails on ability to pay)"],
            needs["unexplored"]) == (modes["prospective"], modes["rejected_need"], modes["rejected_pay"], modes["unexplored"])
    # referral customers are the most valuable channel (truth: referral has the highest CLV)
    assert max(found["clv_by_segment"], key=found["clv_by_segment"].get) == "referral"
    assert found["referral_clv_ratio"] > 1.1


def test_one_customer_value_in_every_notebook(shipped_run):
    """The one scorer (clv.score_customers): notebooks 04 and 05 report the same expected value of the base for the
    same horizon, and 01, 04 and 05 the same P(alive) summary (before the scorer, 04 valued revenue and 05 margin,
    and 01 fitted its own BG/NBD on a differently built RFM table)."""
    v05 = values(shipped_run(NAME)[1])
    v04 = values(shipped_run("04_plan_phases")[1])
    v01 = values(shipped_run("01_behaviour")[1])
    assert v04["clv_1y_total"] == v05["clv_1y_total"] > 0
    assert v04["value_per_customer_overall"] == pytest.approx(v05["clv_1y_total"] / v05["clv_customers"], abs=0.01)
    assert v01["p_alive_mean"] == v04["p_alive_mean"] == v05["p_alive_mean"]


def test_the_report_ends_in_one_decision_per_costed_action_of_the_plan(shipped_run):
    """Step 5's decisions are the plan's actions with an incremental value, each with its range and basis; their
    measured and assumed values add up to the plan's totals, and the key findings lead with them."""
    items = shipped_run("05_plan_components")[1]["findings"]
    decisions = items["decisions"]["value"]
    assert decisions and {d["step"] for d in decisions} == {5}
    for basis in ("measured", "assumed"):
        total = sum(d["value"] for d in decisions if d["basis"] == basis)
        key = f"plan_incremental_value_{basis}"
        assert total == pytest.approx(items[key]["value"], abs=len(decisions)) if key in items else total == 0
    assert all("value_low" not in d or d["value_low"] <= d["value"] <= d["value_high"] for d in decisions)
    headline = [k for k, v in items.items() if v["headline"]]
    assert headline[:len(decisions)] == [k for k in items if k.startswith("decision_")]
