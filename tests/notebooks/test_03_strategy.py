"""Notebook 03 (strategy) runs end to end and recovers the planted acquisition truths.

Tolerances (stated once, used below):

- **Ranking by CLV/CAC**: every pair of channels whose planted CLV/CAC differ by more than ``RANK_GAP``
  (relative) must come out in the planted order; closer pairs (e.g. search 2.69 vs social 2.66 on the
  shipped sample) may swap. The top channel must match.
- **Value-maximising weekly budget**: within ``BUDGET_TOL`` of the planted optimum (20k sample), and the
  notebook's 90% interval must contain it; looser on the 1,500-customer sample, where each channel brings
  about one customer a week.
- **CLV per channel** (20k sample): the mean of CLV / truth over the channels is within ``CLV_TOL`` (no common
  bias; its error is about 2%) and at most one of the five 90% intervals misses the planted CLV (at nominal
  coverage two or more miss with probability 0.08). Each channel within ``CLV_TOL`` (5%, issue 16) with its interval
  covering is a strict xfail: the bootstrap error of one channel's CLV is 3-7% here (referral 7%). Measured after
  the warm-up, CLV / truth with the model chosen on held-out data (MBG/NBD): referral 0.964, tv 1.053, search 1.043,
  social 1.007, display 0.963, every interval covering its truth (truth.json now counts the generator's dropout
  after the first order; without it the planted CLV was 1.9-3.7% high and display's interval missed). Before the
  order-weighted repeat spend and the returns on later days (see :mod:`customer_workbook.clv.new_customers`) it was
  1-8% too high (social +8.2%).
  Then truth.json's order value stopped assuming spend proportional to the spend multiplier (a line's quantity is at
  least one): referral 1.025, tv 1.049, search 1.047, social 0.981, display 0.887 (display's interval the one miss).
- **Conquest or relations**: the planted side is the one whose planted return on one more unit is higher
  (:func:`_planted_returns`). The notebook must name it or say "no clear difference", never the other side; on
  the 20k sample, where the returns are far apart (referral 4.04 +- 0.81 against discount users 0.86 +- 0.18;
  planted 5.06 against 0.96), it must name it. On the 1,500-customer sample the campaign has 300 customers.
  Before the warm-up no segment's uplift was measured (discount users +21.7 pp, Holm p >= 0.10), so only
  conquest was valued (2.95 +- 0.99 against break-even: "conquest"; without marketing "neither"). After it
  (631c52f) discount users measure +32.9 pp (planted 18.5 pp), so both sides are valued: search 2.89 +- 0.91
  against 1.82 +- 0.56 (z = 1.0), and retention alone 1.82 +- 0.56 against break-even 1 (p = 0.14, planted
  about 1.02): "no clear difference" is the honest answer at this size.
"""
from __future__ import annotations

import itertools
import json
import shutil

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest

from conftest import ROOT, execute_notebook, values

pytestmark = pytest.mark.notebooks

NAME = "03_strategy"
RANK_GAP = 0.15
BUDGET_TOL = 0.15
CLV_TOL = 0.05
FAST = {"n_boot": 8, "curve_boot": 20, "interactive": False}
#: The notebook's campaign segments and the planted campaign groups they stand for (the generator's rules).
SEGMENT_GROUP = {"discount users": "persuadable", "full-price": "sleeping_dog", "frequent": "sure_thing",
                 "lapsing": "lost_cause"}


def _truth(folder) -> dict:
    return json.loads((folder / "truth.json").read_text())["acquisition"]


def _assert_ranking(found: list[str], truth: dict, gap: float) -> None:
    ratio = {c: v["clv_to_cac_at_current"] for c, v in truth["channels"].items()}
    assert found[0] == truth["ranking_by_clv_to_cac_at_current"][0]
    pos = {c: i for i, c in enumerate(found)}
    for a, b in itertools.combinations(ratio, 2):
        hi, lo = (a, b) if ratio[a] > ratio[b] else (b, a)
        if ratio[hi] / ratio[lo] - 1 > gap:
            assert pos[hi] < pos[lo], f"{hi} ({ratio[hi]:.2f}) should rank above {lo} ({ratio[lo]:.2f}): {found}"


def _planted_returns(found: dict, folder) -> tuple[float | None, float | None]:
    """Planted value of one more currency unit on each side: (conquest, relations), None for a side not valued.

    Conquest: the highest planted ``marginal_value_per_currency_at_current`` over the channels. Relations: the
    notebook's best retention target at its *planted* uplift (``campaign.groups.*.true_uplift``), its extra
    order valued as the notebook values it (truth.json has no value per order): return x true / measured uplift.
    """
    truth = json.loads((folder / "truth.json").read_text())
    conquest = (max(v["marginal_value_per_currency_at_current"] for v in truth["acquisition"]["channels"].values())
                if "acquisition_return_best" in found else None)
    relations = None
    if "retention_best_target" in found:
        segment = found["retention_best_target"]
        planted = truth["campaign"]["groups"][SEGMENT_GROUP[segment]]["true_uplift"]
        relations = found["retention_return_best"] * planted / found["campaign_uplift_by_segment"][segment]
    return conquest, relations


def _planted_side(found: dict, folder) -> str:
    """The side truth.json favours: the higher planted return, or with one side valued that side against
    break-even ("neither" below 1)."""
    conquest, relations = _planted_returns(found, folder)
    if conquest is not None and relations is not None:
        return "conquest" if conquest > relations else "relations"
    only, side = (conquest, "conquest") if conquest is not None else (relations, "relations")
    return side if only > 1 else "neither"


def test_parameters_and_clean_source():
    params = papermill.inspect_notebook(str(ROOT / "notebooks" / f"{NAME}.ipynb"))
    assert {"data_dir", "column_map", "start_date", "end_date", "business_unit", "findings_path", "interactive",
            "margin", "annual_discount_rate", "horizon_years"} <= set(params)
    nb = nbformat.read(ROOT / "notebooks" / f"{NAME}.ipynb", as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        assert cell.get("id")
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    # defaults compare like with like: the generator's margin, discount rate and horizon
    truth = json.loads((ROOT / "data" / "sample" / "truth.json").read_text())["acquisition"]
    assert float(params["margin"]["default"]) == truth["margin"]
    assert float(params["annual_discount_rate"]["default"]) == truth["annual_discount_rate"]
    assert float(params["horizon_years"]["default"]) == truth["horizon_years"]


def test_small_sample_recovers_ranking_and_budget(tmp_path, small_sample):
    result = execute_notebook(NAME, tmp_path, data_dir=str(small_sample), **FAST)
    found, truth = values(result), _truth(small_sample)
    assert result["skipped"] == []
    _assert_ranking(found["clv_to_cac_ranking"], truth, gap=0.25)
    assert found["optimal_weekly_budget"] == pytest.approx(truth["optimum"]["weekly_budget"], rel=0.35)
    assert sum(found["optimal_mix"].values()) == pytest.approx(1.0, abs=1e-3)
    # the planted side (conquest: best channel 3.76 against retention about 1.0 at the planted uplift), or no claim
    assert found["recommended_option"] in (_planted_side(found, small_sample), "no clear difference")
    assert found["recommendation"]


def test_shipped_sample_agrees_with_planted_truth(shipped_run):
    sample = ROOT / "data" / "sample"
    result = shipped_run(NAME)[1]
    found, truth = values(result), _truth(sample)
    _assert_ranking(found["clv_to_cac_ranking"], truth, gap=RANK_GAP)
    optimum = truth["optimum"]["weekly_budget"]
    assert found["optimal_weekly_budget"] == pytest.approx(optimum, rel=BUDGET_TOL)
    lo, hi = found["optimal_weekly_budget_interval"]
    assert lo <= optimum <= hi
    ratios, missed = [], []
    for channel, planted in truth["channels"].items():
        lo, hi = found["clv_interval_by_channel"][channel]
        if not lo <= planted["expected_clv"] <= hi:
            missed.append((channel, lo, hi, planted["expected_clv"]))
        ratios.append(found["clv_by_channel"][channel] / planted["expected_clv"])
    assert sum(ratios) / len(ratios) == pytest.approx(1.0, abs=CLV_TOL), ratios
    assert len(missed) <= 1, missed
    assert found["clv_purchase_model"] in ("BG/NBD", "MBG/NBD")
    # the randomised campaign: discount users (the planted persuadables) gain, full-price buyers are put off
    campaign = json.loads((sample / "truth.json").read_text())["campaign"]["groups"]
    uplift = found["campaign_uplift_by_segment"]
    assert uplift["discount users"] == pytest.approx(campaign["persuadable"]["realised_uplift"], abs=0.03)
    assert uplift["full-price"] == pytest.approx(campaign["sleeping_dog"]["realised_uplift"], abs=0.03)
    assert found["value_at_stake_per_year"] > 0
    # conquest (planted: referral 5.06 against about 0.96 for discount users at their planted uplift)
    assert found["recommended_option"] == _planted_side(found, sample) == "conquest"


@pytest.mark.xfail(strict=True, reason="five channels within 5% of their planted CLV at once is noise-limited on the "
                   "20k sample (bootstrap error 3-7% per channel); measured with the held-out choice (MBG/NBD): "
                   "referral 1.025, tv 1.049, search 1.047, social 0.981, display 0.887 of the truth")
def test_shipped_clv_of_every_channel_within_five_percent(shipped_run):
    found, truth = values(shipped_run(NAME)[1]), _truth(ROOT / "data" / "sample")
    for channel, planted in truth["channels"].items():
        assert found["clv_by_channel"][channel] == pytest.approx(planted["expected_clv"], rel=CLV_TOL), channel
        lo, hi = found["clv_interval_by_channel"][channel]
        assert lo <= planted["expected_clv"] <= hi, channel


def test_without_marketing_the_clv_side_still_runs(tmp_path, small_sample):
    data = tmp_path / "data"
    data.mkdir()
    for table in small_sample.glob("*.parquet"):
        if table.stem not in ("marketing", "truth_customers"):
            shutil.copy(table, data / table.name)
    result = execute_notebook(NAME, tmp_path, data_dir=str(data), **FAST)
    found = values(result)
    skipped = {s["section"] for s in result["skipped"]}
    assert {"Acquisition cost and CLV/CAC", "Spend response curves", "Firm value at each budget",
            "Budget what-if"} <= skipped
    customers = pd.read_parquet(small_sample / "customers.parquet")
    assert set(found["clv_by_channel"]) == set(customers["acquisition_channel"].astype(str))
    assert all(v > 0 for v in found["clv_by_channel"].values())
    assert "optimal_weekly_budget" not in found
    # only retention can be valued: the planted side against break-even (about 1.0 here), or no claim
    assert found["recommended_option"] in (_planted_side(found, small_sample), "no clear difference")
    assert "acquisition_return_best" not in found
    if found["recommended_option"] == "no clear difference":  # retention not separated from break-even
        assert "fund offers" not in found["recommendation"] and "90% interval" in found["recommendation"]


def test_transactions_only(tmp_path, transactions_only):
    result = execute_notebook(NAME, tmp_path, data_dir=str(transactions_only), **FAST)
    found = values(result)
    assert list(found["clv_by_channel"]) == ["all"] and found["clv_by_channel"]["all"] > 0
    assert found["recommended_option"] == "unknown"
    assert "Retention campaign uplift" in {s["section"] for s in result["skipped"]}


def test_persona_sentence_compares_only_personas_with_an_interval():
    """A persona without a 90% interval (a row valued without bootstrap draws) is never said to differ or not
    differ measurably; with fewer than two intervals the range is given as point estimates."""
    from customer_workbook.stats import separate_top
    from customer_workbook.steps.strategy import _persona_sentence

    named = pd.DataFrame({"group": ["a", "b", "c"], "clv": [300.0, 200.0, 100.0],
                          "clv_low": [250.0, np.nan, np.nan], "clv_high": [350.0, np.nan, np.nan]})
    text = _persona_sentence(named, False, None)
    assert "no measurable difference" not in text and "(point estimates). Without a 90% interval, b, c are not" in text
    two = named.assign(clv_low=[250.0, 150.0, np.nan], clv_high=[350.0, 250.0, np.nan])
    lead = separate_top({"a": 300.0, "b": 200.0}, {"a": 100.0, "b": 100.0})  # far apart in noise: tied
    text = _persona_sentence(two, False, lead)
    assert "no measurable difference** between a, b" in text and "Without a 90% interval, c are not compared" in text


def test_the_report_ends_in_its_decisions_and_its_key_findings_lead_with_them(shipped_run):
    """Step 3 decides where the next unit of budget goes and the acquisition budget; both are written from the
    run's numbers (the recommendation, the value-maximising budget and its interval, the value at stake)."""
    findings = shipped_run(NAME)[1]
    items = findings["findings"]
    decisions = items["decisions"]["value"]
    assert [d["topic"] for d in decisions] == ["Strategy", "Acquisition budget"] and {d["step"] for d in decisions} == {3}
    strategy, budget = decisions
    assert ("conquest" in strategy["action"]) == (items["recommended_option"]["value"] == "conquest")
    assert budget["value"] == pytest.approx(items["value_at_stake_per_year"]["value"], abs=0.01)
    assert budget["basis"] == "estimated"
    low, high = budget["value_low"], budget["value_high"]           # the bootstrap range of the extra value a year
    assert low <= budget["value"] <= high and "90% interval" in budget["value_label"]
    assert budget["confidence"] == ("medium" if low > 0 else "low")  # an estimate is never high
    change = items["optimal_budget_change"]["value"]
    assert budget["action"].startswith({"raise": "Raise", "lower": "Lower"}.get(change, "Keep"))
    lo, hi = items["optimal_weekly_budget_interval"]["value"]
    assert f"90% interval {lo:,.0f} to {hi:,.0f}" in budget["action"]
    headline = [k for k, v in items.items() if v["headline"]]
    assert headline[:2] == ["decision_strategy", "decision_acquisition_budget"]
