"""Notebook 01 (customer behaviour) recovers the planted truths of the sample company and runs without
the optional survey and engagement tables.

Tolerances (stated here, checked below):
* drivers of NPS: on the shipped 20k sample the top three are exactly the planted three, in the planted
  order; on the 1,500-customer fixture the top two are the planted top two and social proof is in the top four;
* advocacy pyramid: lurkers 90% +- 3 pp, likers 9% +- 3 pp, lovers 1% +- 0.6 pp (20k: +- 2 / 2 / 0.4 pp);
* multi-category retention (customers who joined within the data only: the initial base bought before the
  data begin): a positive gain on the fixture and on the 20k sample (planted hazard ratio 0.6). Its
  significance on the 20k sample (interval above zero, p < 0.01) is an expected failure: only the 1,521
  customers acquired within the data can be compared, the standard error is 3.3 points and the gain
  measured +3.3 (-3.3 to +9.9, p = 0.31); on eight 5,000-customer companies (seeds 1-8) it ranged from
  -11.4 to +12.9 points, mean +3.8;
* personas (the one engine, ``segments.find_personas``): five found and the adjusted Rand index with the
  planted personas (customers with 2+ orders) at least 0.6 on the fixture (measured 0.821) and 0.75 on the
  20k sample (measured 0.795);
* NPS: the interval contains the point estimate and is narrower than 20 points (20k: 6 points).
"""
from __future__ import annotations

import json

import pandas as pd
import papermill
import pytest
from sklearn.metrics import adjusted_rand_score

from conftest import ROOT, execute_notebook, values

pytestmark = pytest.mark.notebooks

NOTEBOOK = "01_behaviour"
PLANTED_TOP3 = ["personalisation", "fast_brand", "social_proof"]


def _ari(out_dir, data_dir) -> float:
    labels = pd.read_parquet(out_dir / "private" / f"{NOTEBOOK}.customers.parquet").set_index("customer_id")
    truth = pd.read_parquet(data_dir / "truth_customers.parquet").set_index("customer_id")
    clustered = labels["persona"].dropna()
    return adjusted_rand_score(truth.loc[clustered.index, "persona"], clustered.astype(int))


def test_parameters_are_declared_for_papermill():
    params = papermill.inspect_notebook(str(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb"))
    assert {"data_dir", "column_map", "start_date", "end_date", "business_unit", "findings_path", "interactive"} <= set(params)
    assert params["interactive"]["default"] == "True"


def test_notebook_is_committed_without_outputs():
    nb = json.loads((ROOT / "notebooks" / f"{NOTEBOOK}.ipynb").read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert sum("parameters" in c["metadata"].get("tags", []) for c in code) == 1
    assert len({c["id"] for c in nb["cells"]}) == len(nb["cells"])


def test_behaviour_notebook_recovers_planted_truths_on_the_small_sample(tmp_path, small_sample):
    result = execute_notebook(NOTEBOOK, tmp_path, data_dir=str(small_sample), interactive=False, driver_bootstrap=100)
    found = values(result)
    assert result["skipped"] == []
    ranking = found["driver_ranking"]
    assert set(ranking[:2]) == set(PLANTED_TOP3[:2]) and "social_proof" in ranking[:4]
    shares = found["advocacy_shares"]
    assert shares["lurker"] == pytest.approx(0.90, abs=0.03)
    assert shares["liker"] == pytest.approx(0.09, abs=0.03)
    assert shares["lover"] == pytest.approx(0.01, abs=0.006)
    assert found["multi_category_effect"] > 0          # the sign; 1,500 customers are too few for significance
    assert found["persona_count"] == 5
    assert _ari(tmp_path, small_sample) >= 0.6
    low, high = found["nps_interval"]
    assert low < found["nps"] < high and high - low < 20
    assert sum(found["segment_shares"].values()) == pytest.approx(1.0, abs=1e-3)
    assert sum(found["lifecycle_shares"].values()) == pytest.approx(1.0, abs=1e-3)
    assert found["top_spenders_lover_share"] < 0.1 and found["loyal_lurker_share"] > 0.5   # loyalty is not advocacy
    assert "pricing" in found["reasons_backed_by_behaviour"]
    assert found["health_auc"] > 0.7
    headline = {k for k, v in result["findings"].items() if v["headline"]}
    assert {"segment_shares", "top_drivers", "persona_count", "lifecycle_shares", "advocacy_shares", "nps",
            "nps_interval"} <= headline


def test_behaviour_notebook_on_the_shipped_sample(shipped_run):
    data_dir = ROOT / "data" / "sample"
    out_dir, result = shipped_run(NOTEBOOK)
    found = values(result)
    assert found["driver_ranking"][:3] == PLANTED_TOP3
    shares = found["advocacy_shares"]
    assert shares["lurker"] == pytest.approx(0.90, abs=0.02)
    assert shares["liker"] == pytest.approx(0.09, abs=0.02)
    assert shares["lover"] == pytest.approx(0.01, abs=0.004)
    assert found["multi_category_effect"] > 0          # planted hazard ratio 0.6; measured +0.033 (p = 0.31)
    shown = (out_dir / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
    assert "not measurable at this size" in shown and "No clear retention difference" not in shown  # -3.3 to +9.9
    assert "median order value" in shown and "mean order value" in shown   # persona and 4C tables say which
    assert found["persona_count"] == 5 and _ari(out_dir, data_dir) >= 0.75   # measured 0.795
    low, high = found["nps_interval"]
    assert high - low < 6
    assert max(found["bandwagon_q_over_p"].values()) > 20                  # the planted Bass launches


@pytest.mark.xfail(strict=True, reason=(
    "not recoverable at this size: since the warm-up the 11,792 buyers of the initial base bought before the "
    "data begin (their categories so far are unknown and they are survivors), so only the 1,521 customers with "
    "2-4 orders who joined within the data are compared: gain +3.3 points, 95% interval -3.3 to +9.9, p = 0.31 "
    "(standard error 3.3 points; the gain expected from the planted hazard ratio 0.6 is about +4, mean of eight "
    "5,000-customer companies +3.8). With every customer (biased by the base) it was -2.2 points, p = 0.24"))
def test_multi_category_gain_is_significant_on_the_shipped_sample(shipped_run):
    found = values(shipped_run(NOTEBOOK)[1])
    assert found["multi_category_effect_interval"][0] > 0 and found["multi_category_p_value"] < 0.01


def test_behaviour_notebook_runs_without_surveys_and_engagement(tmp_path, small_sample):
    reduced = tmp_path / "data"
    reduced.mkdir()
    for path in small_sample.glob("*.parquet"):
        if path.stem not in ("surveys", "engagement", "truth_customers"):
            (reduced / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    result = execute_notebook(NOTEBOOK, out, data_dir=str(reduced), interactive=False)
    skipped = {s["section"] for s in result["skipped"]}
    assert skipped == {"Reasons to choose: driver analysis", "Reasons to choose: loyalty drivers",
                       "Advocacy pyramid", "Net Promoter Score"}
    found = values(result)
    assert "top_drivers" not in found and "advocacy_shares" not in found and "nps" not in found
    assert found["persona_count"] >= 2 and "advocacy" in found["lifecycle_shares"]
    assert found["lifecycle_shares"]["advocacy"] == 0


def test_the_report_ends_in_its_decision_on_the_reasons_that_drive_recommendation(shipped_run):
    """Step 1 decides which reasons to choose the firm the offer is built on: the leading drivers of section 3
    (as labels, not code names), with the NPS and its interval to watch; the key findings lead with it."""
    from customer_workbook.glossary import label

    items = shipped_run("01_behaviour")[1]["findings"]
    (d,) = items["decisions"]["value"]
    top = list(items["top_drivers"]["value"])
    assert d["step"] == 1 and d["basis"] == "not valued" and label(top[0]) in d["action"]
    assert "_" not in d["action"]
    (watch,) = d["indicators"]
    assert watch.startswith("NPS, now ") and " points (95% interval " in watch
    assert next(k for k, v in items.items() if v["headline"]) == "decision_value_proposition"
