"""Notebook 04 (plan phases) runs end to end and recovers the planted truths of the sample company.

Planted truths used (data/sample/truth.json):
- the prediction target is "no order in the next 90 days", not churn: against truth_customers.parquet
  (``dropout_date`` by the end of the label window) only 32.5% of the customers it labels had truly left, below
  the 70% a label needs to be called churn, so the report names it for what it measures (never "churn" in the
  sentences of sections 1 to 4). The threshold is chosen on validation customers carved from training
  (``churn_validation_error_rate`` within the rule's cap) and reported on the test period; only the model's
  population (an order in the last 365 days before the scoring date) is scored today;
- the target is predictable from behaviour: the model's PR-AUC must beat the no-order rate (what guessing
  scores) by a wide margin;
- ``churn_drivers``: buying in 2+ categories lowers churn (HR 0.6), slow delivery raises it (HR 1.8), a returned
  line raises it (HR 1.6), each on the dropout chance after an order. In the steady-state sample (mean dropout
  chance 6% an order) that moves "no order in the next 90 days" by about 1.3 to 1.8 points for the last order
  (truth: p_dropout x (HR - 1) x the chance of an order in the window if alive), against bootstrap standard
  errors of 2 to 4 points on 20k customers and 3 to 14 on 1,500. Signs: on five 20k samples (seeds 1-4 and 42)
  at least two of the three came out right in all five, all three in three; so at least two must be right on
  the shipped sample. On seven 1,500-customer samples (seeds 1-7) a sign is right barely more often than a coin
  (the small fixture, seed 7: one of three), so the small sample is not asked for signs.
  A family is named as a driver only when its effect is measured (90% bootstrap intervals, Holm across the 21
  families at 10%, ``churn_measured_drivers``). On the shipped sample five are: frequency, recency, innovation
  and two planted behaviours with their planted signs: engagement (likers and lovers leave less; days since the
  last engagement event +10.2 points, interval +6.6 to +13.9) and discounts (bargain hunters leave more, and
  more after the competitor's price cut; +6.2, +3.1 to +9.2). Satisfaction (-5.1, -10.1 to -0.1), delivery
  (+6.5, +0.2 to +12.8), returns (+0.2) and categories (+0.6, the wrong sign) are not measured after Holm.
  Engagement was measured on all five 20k samples, discounts on three, no other planted behaviour on any: so at
  least one planted behaviour must be measured, no measured planted behaviour may have the wrong sign (small
  sample too), and the old "at least three" is kept as a strict xfail (the sample before the warm-up, which
  opened with a wave of departures, measured five).
  The delivery slowdown of 2025-06-02 started just before the
  training date, so the model barely sees slow deliveries and the report must flag the shift
  (``features_shifted_since_training``);
- the most valuable audience: quality connoisseurs (highest order value, ``personas``) acquired through referral
  (highest CLV channel, ``acquisition.ranking_by_clv``); the notebook's top segment x persona cell must be that one.
  Persona names come from the data (the one engine, ``segments.find_personas``), so the persona is checked through
  the planted truth: the notebook used the engine's assignment (same fingerprint), and the top cell's persona is the
  engine persona with the largest share of planted quality connoisseurs, who make up at least ``MVA_SHARE_MIN`` of
  its members (measured 0.853 on the shipped sample, 0.930 on the small fixture).
  Since the null-company rule (a most valuable audience is named only when its mean value is separated from
  every other cell's at 5%, Holm-corrected), the planted referral lead is too weak to be *claimed*: on the
  shipped sample quality connoisseurs acquired through referral are worth 196.9 per customer (564 customers)
  against 177.0 through search (594, raw p = 0.126) and 172.2 through tv (670, Holm p = 0.083), so the three
  are tied for first. The planted persona is separated from every other persona's cells, so it is still
  claimed (``mva_persona``); the planted cell must be the first of the tied cells, and no other segment may be
  claimed (``mva_segment`` is referral or "no clear winner").
"""
from __future__ import annotations

import html
import json
import re

import nbformat
import pandas as pd
import pytest

from conftest import ROOT, engine_personas, execute_notebook, planted_persona_shares, values

from customer_workbook.steps.phases_plan import NO_CLEAR_WINNER

pytestmark = pytest.mark.notebooks

NOTEBOOK = "04_plan_phases"
TRUTH = json.loads((ROOT / "data" / "sample" / "truth.json").read_text())
PLANTED_PERSONA = max(TRUTH["personas"]["profiles"], key=lambda p: TRUTH["personas"]["profiles"][p]["base_order_value"])
PLANTED_SEGMENT = TRUTH["acquisition"]["ranking_by_clv"][0]
MVA_SHARE_MIN = 0.75


def test_planted_audience_definition():
    assert (PLANTED_PERSONA, PLANTED_SEGMENT) == ("quality_connoisseur", "referral")


def test_notebook_is_clean_and_declares_its_parameters():
    import nbformat
    import papermill

    nb = nbformat.read(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    params = papermill.inspect_notebook(str(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb"))
    assert {"data_dir", "column_map", "start_date", "end_date", "business_unit", "findings_path", "interactive",
            "max_error_rate", "pilot_mde"} <= set(params)


PLANTED_SIGNS = {"categories": -1, "delivery": 1, "returns": 1}
#: Families standing for a planted churn driver (truth.json ``churn_drivers``) whose key feature fixes the sign
#: of the effect: a higher satisfaction score or NPS lowers churn; more days since the last engagement event,
#: a larger share of discounted lines (bargain hunters) raise it.
PLANTED_BEHAVIOUR_SIGNS = {**PLANTED_SIGNS, "satisfaction": -1, "nps & reasons": -1, "engagement": 1, "discounts": 1}


def _planted_signs_right(effects: dict) -> int:
    """How many of the three planted churn drivers have the planted sign in the report's what-if effects."""
    return sum((effects[family] > 0) == (sign > 0) for family, sign in PLANTED_SIGNS.items())


def _measured_planted(found: dict) -> list[str]:
    """The measured drivers that stand for a planted behaviour; each must have its planted sign."""
    measured, effects = found["churn_measured_drivers"], found["churn_driver_effects"]
    planted = [f for f in measured if f in PLANTED_BEHAVIOUR_SIGNS]
    assert all((effects[f] > 0) == (PLANTED_BEHAVIOUR_SIGNS[f] > 0) for f in planted), (measured, effects)
    low_high = found["churn_driver_effect_intervals"]
    assert all(low_high[f][0] > 0 or low_high[f][1] < 0 for f in measured), low_high  # intervals exclude zero
    assert list(found["churn_driver_effect_rank"]) == measured  # only measured drivers are ranked
    return planted


def _planted_engine_persona(found: dict, data_dir) -> str:
    """The engine persona made mostly of the planted most valuable persona (the report's persona assignment)."""
    assert found["persona_assignment"] == engine_personas(str(data_dir)).fingerprint()
    shares = planted_persona_shares(data_dir)[PLANTED_PERSONA]
    assert shares.max() >= MVA_SHARE_MIN, shares
    return str(shares.idxmax())


def _check_mva(found: dict, data_dir, must_claim: bool = True) -> None:
    """The planted cell is worth most (the first of the tied cells when no winner is clear) and no other persona or
    segment is claimed; with ``must_claim`` the planted persona is claimed. Without it (the 1,500-customer sample,
    where ten cells of three personas tie within noise) the leading cell need only be of the planted persona, the
    planted cell among the tied ones, and "no clear winner" is allowed."""
    planted = _planted_engine_persona(found, data_dir)
    cells = found["mva_tied"] if not found["mva_clear"] else [found["mva"]]
    if must_claim:
        assert cells[0] == f"{planted} · {PLANTED_SEGMENT}", cells
    else:
        assert cells[0].startswith(f"{planted} · ") and f"{planted} · {PLANTED_SEGMENT}" in cells, cells
    claims = (planted,) if must_claim else (planted, NO_CLEAR_WINNER)
    assert found["mva_persona"] in claims, (found["mva_persona"], planted)
    assert found["mva_segment"] in (PLANTED_SEGMENT, NO_CLEAR_WINNER)


def _check_common(found: dict) -> None:
    assert found["n_features_leaking"] >= 3  # the three naive whole-history totals are caught
    assert found["n_features_candidate"] > found["n_features_kept"] >= 30
    assert found["churn_validation_error_rate"] <= 0.4 + 1e-9  # the stated rule (default cap), on validation
    assert found["churn_error_rate"] <= 0.4 + 0.1  # reported on the test period: near the cap, not held to it
    assert found["prediction_target"] == "no order in the next 90 days"
    assert 0 < found["churn_targeted_now"] <= found["churn_scored_now"]
    assert found["churn_missing_ratio"] + found["churn_undetected_share"] == pytest.approx(1.0, abs=1e-3)
    assert found["pay_pr_auc"] > found["pay_base_rate"] + 0.15
    assert found["pilot_n_per_arm"] > 0
    # enrolment counts distinct customers as they order, and the plan never lays out a pilot that cannot enrol
    assert found["pilot_enrolment_reached"] and found["pilot_duration_weeks"] > 0
    _check_gtm(found)


def _check_gtm(found: dict) -> None:
    """Go to market never leads with an audience where the randomised campaign measured a loss; every line says
    whether its lift is measured or unmeasured, and values the outcome as one extra order's margin."""
    for line in found["go_to_market"]:
        assert line["evidence"].startswith(("measured: ", "unmeasured: ")), line["evidence"]
        assert line["expected_value"] == pytest.approx(line["customers"] * 0.05 * line["order_value"])


def _check_pilot_fits(found: dict) -> None:
    """The pilot the plan runs fits in its audience (the issue: 1,530 per arm from 582), and the design is named."""
    assert found["pilot_design"] in ("as planned", "wider audience", "larger lift")
    assert 2 * found["pilot_n_per_arm"] <= found["pilot_audience_size"]
    if found["pilot_design"] == "as planned":
        assert found["pilot_feasible"] and found["pilot_n_per_arm"] == found["pilot_requested_n_per_arm"]
        assert found["pilot_requested_enrolment_reached"]
    else:  # the requested test does not fit or enrol: a wider audience, or fewer customers for a larger lift
        assert not (found["pilot_feasible"] and found["pilot_requested_enrolment_reached"])
        assert found["pilot_audience_size"] >= 2 * found["pilot_n_per_arm"]
    if found["pilot_design"] == "larger lift":
        assert found["pilot_requested_n_per_arm"] > found["pilot_n_per_arm"]
        assert found["pilot_lift"] >= found["pilot_mde_whole_audience"] > 0.05  # the default pilot_mde


def _report_text(executed) -> str:
    """Every Markdown and HTML output of an executed notebook, as plain text."""
    nb = json.loads(executed.read_text())
    parts = [out.get("data", {}).get(kind, "") for cell in nb["cells"] for out in cell.get("outputs", [])
             for kind in ("text/markdown", "text/html")]
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", "\n".join("".join(p) for p in parts), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _pp_printed_as_percent(text: str, findings: dict) -> list[str]:
    """Differences of shares (findings with unit "pp") that the report prints as a percentage ("+8.0%")."""
    found = []
    for key, item in findings["findings"].items():
        if item["unit"] != "pp":
            continue
        value = item["value"]
        for v in (value.values() if isinstance(value, dict) else [value]):
            if isinstance(v, (int, float)) and f"{100 * v:+.1f}%" in text:
                found.append(f"{key}: {100 * v:+.1f}%")
    return found


def test_on_the_small_sample(tmp_path, small_sample):
    found = values(execute_notebook(NOTEBOOK, tmp_path, data_dir=str(small_sample), interactive=False))
    _check_common(found)
    _check_pilot_fits(found)
    base = found["churn_base_rate"]
    assert found["churn_pr_auc"] >= max(0.6, base + 0.12)  # floor well above the churn rate
    _measured_planted(found)  # signs of unmeasured effects are noise at this size (see the module docstring)
    _check_mva(found, small_sample, must_claim=False)
    if found["mva_clear"]:  # tied cells are valued together (ten of three personas: 1.33 x overall), a winner alone
        assert found["mva_value_per_customer"] > 1.5 * found["value_per_customer_overall"]
    assert len(found["go_to_market"]) == 3


def test_on_the_shipped_sample(shipped_run):
    out, findings = shipped_run(NOTEBOOK)
    found = values(findings)
    _check_common(found)
    _check_pilot_fits(found)
    # the shipped sample: the tied audiences hold 1,828 customers, the 5 pp test needs 1,540 per arm; the next
    # valuable cells widen the audience until it holds the test
    assert found["pilot_design"] == "wider audience" and found["pilot_lift"] == 0.05
    # the most valuable audience (referral) measured -17.5 pp (95% interval -34.1 to -0.9) in the randomised
    # campaign: the plan no longer leads with it, and says so
    assert not found["go_to_market"][0]["audience"].endswith("· referral"), found["go_to_market"][0]
    text = _report_text(out / f"{NOTEBOOK}.ipynb")
    assert " pp" in text and not _pp_printed_as_percent(text, findings), _pp_printed_as_percent(text, findings)
    # every signed percentage in this report is a difference of shares, so none may be printed as a percent
    signed = re.findall(r".{60}(?<![\d.])[+\u2212-]\d+\.\d%.{20}", text)  # not "81.1-83.1%", a range
    assert not signed, signed
    base = found["churn_base_rate"]
    assert found["churn_pr_auc"] >= max(0.65, base + 0.2)
    effects = found["churn_driver_effects"]
    assert _planted_signs_right(effects) >= 2, effects
    assert {"recency", "frequency"} <= set(found["churn_measured_drivers"])
    assert len(_measured_planted(found)) >= 1, found["churn_measured_drivers"]
    assert found["churn_top_drivers"][0] in ("recency", "frequency")
    # the delivery slowdown (truth: events.delivery_slowdown, 2025-06-02) began days before the training date:
    # the report must flag that slow deliveries became far more common than the model saw in training
    assert "delivery" in found["features_shifted_since_training"]
    _check_mva(found, ROOT / "data" / "sample")
    mape = found["forecast_orders_backtest_mape"]
    assert min(mape["forecast"], mape["seasonal_naive"]) < min(0.15, mape["recent_mean"])  # seasonality pays
    assert found["forecast_orders_method"] in ("seasonal x growth", "seasonal naive")
    lo, hi = found["forecast_orders_interval"]
    assert lo < found["forecast_orders_next_quarter"] < hi


@pytest.mark.xfail(strict=True, reason="Three planted behaviours measured (Holm across 21 families at 10%) is not "
                   "reachable at 20k customers in the steady-state sample: the per-order hazards of categories, "
                   "slow delivery and returns move the 90-day no-order label by about 1.3-1.8 points against "
                   "standard errors of 2-4; on the shipped sample only engagement (+10.2, se 2.2) and discounts "
                   "(+6.2, se 1.9) are measured, satisfaction (-5.1, se 3.0) is not; on 20k samples of seeds 1-4 "
                   "two, one, two and one planted behaviours were measured.")
def test_three_planted_behaviours_are_measured_on_the_shipped_sample(shipped_run):
    """The planted churn drivers a director would act on (truth.json ``churn_drivers``): at least three of them
    measured, each with its planted sign."""
    found = values(shipped_run(NOTEBOOK)[1])
    assert len(_measured_planted(found)) >= 3, found["churn_measured_drivers"]


def test_same_seed_same_findings(tmp_path, small_sample):
    """Seeded reproducibility: two runs on the same data with the same parameters give identical findings
    (every value, to the last digit; the issue saw 39.1% in one run and 39.4% in another)."""
    runs = [execute_notebook(NOTEBOOK, tmp_path / name, data_dir=str(small_sample), interactive=False, seed=7)
            for name in ("first", "second") if (tmp_path / name).mkdir() is None]
    first, second = (values(r) for r in runs)
    assert first.keys() == second.keys()
    differ = [k for k in first if first[k] != second[k]]
    assert not differ, {k: (first[k], second[k]) for k in differ}


def test_without_surveys_engagement_customers_or_campaigns(tmp_path, small_sample):
    reduced = tmp_path / "reduced"
    reduced.mkdir()
    for table in ("transactions", "products"):
        pd.read_parquet(small_sample / f"{table}.parquet").to_parquet(reduced / f"{table}.parquet")
    found = values(execute_notebook(NOTEBOOK, tmp_path, data_dir=str(reduced), interactive=False))
    assert found["churn_pr_auc"] > found["churn_base_rate"] + 0.1
    assert found["mva_segment"] == "all"  # no customers table: one segment
    assert "nps & reasons" not in found["churn_driver_effects"]
    assert "engagement" not in found["churn_driver_effects"]
    assert len(found["go_to_market"]) >= 1


#: Section cells whose outputs speak of the prediction target (sections 1 to 4).
TARGET_SECTIONS = ("phases.prediction_design(", "phases.churn_models(", "phases.whom_to_contact(")


def _section_texts(notebook_path) -> list[str]:
    """The Markdown outputs of the cells of sections 1 to 4 of an executed notebook."""
    nb = nbformat.read(notebook_path, as_version=4)
    return ["".join(out["data"]["text/markdown"]) for cell in nb.cells if cell.cell_type == "code"
            and any(call in cell.source for call in TARGET_SECTIONS)
            for out in cell.get("outputs", []) if "text/markdown" in out.get("data", {})]


def test_the_target_is_named_for_what_it_measures_on_the_shipped_sample(shipped_run):
    """The 70% rule against the truth: the report may say churn only when 70% of the customers its label
    window marks had truly left by the window's end; measured 32.5%, so it must not."""
    out_dir, findings = shipped_run(NOTEBOOK)
    found = values(findings)
    sample = ROOT / "data" / "sample"
    tx = pd.read_parquet(sample / "transactions.parquet")
    tx = tx[tx["amount"] > 0]
    obs = pd.Timestamp(found["test_observation_date"])
    end = obs + pd.Timedelta(days=14 + 90 - 1)  # default gap and window
    before = tx[tx["date"] < obs].groupby("customer_id")["date"].max()
    active = before[before >= obs - pd.Timedelta(days=365)].index
    inside = set(tx.loc[(tx["date"] >= obs + pd.Timedelta(days=14)) & (tx["date"] < end + pd.Timedelta(days=1)),
                        "customer_id"])
    labelled = [c for c in active if c not in inside]
    assert len(labelled) / len(active) == pytest.approx(found["churn_base_rate"], abs=1e-3)  # the report's label
    truth = pd.read_parquet(sample / "truth_customers.parquet").set_index("customer_id")["dropout_date"]
    left = truth.reindex(labelled)
    share_left = float((left.notna() & (left <= end)).mean())
    assert share_left < 0.70, share_left
    texts = _section_texts(out_dir / f"{NOTEBOOK}.ipynb")
    assert len(texts) >= 3 and any("no order in the next 90 days" in t for t in texts)
    calls = [t for t in texts if re.search(r"churn", re.sub(r"is not churn", "", t), re.IGNORECASE)]
    assert not calls, f"the report calls the target churn: {calls}"  # it may only say that it is not
    # today only the model's population is scored: customers with an order in the 365 days before the scoring date
    score = tx["date"].max().normalize() + pd.Timedelta(days=1)
    last = tx.groupby("customer_id")["date"].max()
    assert found["churn_scored_now"] == int((last >= score - pd.Timedelta(days=365)).sum())
    assert found["churn_scored_now"] < tx["customer_id"].nunique()  # lapsed past buyers are out of scope


def test_the_report_ends_in_its_decisions_on_the_pilot_and_the_first_audience(shipped_run):
    """Step 4 decides the pilot the plan runs (section 11's design: its customers per arm and lift) and the audience
    it goes to market with first (section 12's first line, valued at the pilot's lift: an assumption)."""
    items = shipped_run("04_plan_phases")[1]["findings"]
    pilot, market = items["decisions"]["value"]
    assert (pilot["topic"], market["topic"]) == ("Pilot", "Go to market") and pilot["step"] == market["step"] == 4
    assert f"{items['pilot_n_per_arm']['value']:,} customers per arm" in pilot["action"]
    assert f"{100 * items['pilot_lift']['value']:+.1f} pp" in pilot["action"]
    first = items["go_to_market"]["value"][0]
    assert market["for_whom"] == first["audience"] and market["basis"] == "assumed"
    assert market["value"] == pytest.approx(first["expected_value"], abs=0.01)
    assert market["indicators"] == [first["metric_to_watch"]]
    assert [k for k, v in items.items() if v["headline"]][:2] == ["decision_pilot", "decision_go_to_market"]
