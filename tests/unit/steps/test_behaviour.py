"""Notebook 01's sections (customer_workbook.steps.behaviour): each returns its figures, findings and results."""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from customer_workbook.clv import score_customers
from customer_workbook.data import load_dataset
from customer_workbook.findings import Findings
from customer_workbook.segments import find_personas
from customer_workbook.steps import Section, Skip
from customer_workbook.steps import behaviour as step


@pytest.fixture(scope="module")
def run(small_sample):
    ds = load_dataset(small_sample, outside_window="drop")
    setup = step.the_data(ds)
    return {"ds": ds, "personas": find_personas(ds), "value": score_customers(ds.transactions),
            "features": setup["features"], "answers": setup["answers"], "setup": setup}


def _figures(section: Section) -> list[Figure]:
    return [p for p in section.parts if isinstance(p, Figure)]


def test_sections_show_figures_with_labelled_axes_and_record_findings(run):
    ds, answers, value, personas = run["ds"], run["answers"], run["value"], run["personas"]
    rfm = step.who_the_customers_are(ds)
    recommendation = step.what_drives_recommendation(answers, n_boot=10)
    lifecycle = step.lifecycle_and_health(ds, value)
    sections = [rfm, step.do_customers_come_back(ds), recommendation,
                step.what_drives_loyalty(ds, answers, value, recommendation["drivers"], n_boot=10),
                step.does_behaviour_show_them(ds, answers), step.who_the_personas_are(personas, run["features"], answers),
                lifecycle, step.advocacy_pyramid(ds, lifecycle["levels"], lifecycle["rates"], value),
                step.net_promoter_score(answers, rfm["segments"], personas, lifecycle["levels"])]
    assert not [p for s in sections for p in s.parts if isinstance(p, Skip)]
    figures = [fig for s in sections for fig in _figures(s)]
    assert len(figures) >= 9
    assert all(ax.get_xlabel() for fig in figures for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.has_data())
    findings = Findings("01_behaviour", "test")
    for s in sections:
        s.record(findings)
    assert sum(rfm.value("segment_shares").values()) == pytest.approx(1.0, abs=1e-3)
    assert set(lifecycle.value("lifecycle_shares")) == {"acquisition", "adoption", "cross-sell", "advocacy"}
    assert "advocacy level" in sections[-1]["tables"]                     # the pyramid's levels, not "tiers"
    assert all("tier" not in f.label for s in sections for f in s.findings)
    assert isinstance(run["setup"].parts[0], str) and "customers with transactions" in run["setup"].parts[0]


def test_sections_skip_what_needs_missing_tables(run):
    ds = run["ds"]
    assert isinstance(step.what_drives_recommendation(None).parts[0], Skip)
    assert step.what_drives_loyalty(ds, None, run["value"]).parts[0].missing == ("surveys",)
    assert step.advocacy_pyramid(ds, None, None, run["value"]).parts[0].missing == ("engagement",)
    assert step.net_promoter_score(None, pd.Series(dtype=object), run["personas"], None).parts[0].missing == ("surveys",)


def test_customer_labels_are_saved_privately(run, tmp_path):
    ds, personas = run["ds"], run["personas"]
    rfm = step.who_the_customers_are(ds)
    lifecycle = step.lifecycle_and_health(ds, run["value"])
    saved = step.save_customer_labels(tmp_path / "01_behaviour.findings.json", None, rfm["segments"], personas, lifecycle)
    assert saved["path"] == tmp_path / "private" / "01_behaviour.customers.parquet"
    labels = pd.read_parquet(saved["path"])
    assert list(labels.columns) == ["customer_id", "segment", "persona", "persona_name", "stage", "health", "advocacy_level"]
    assert len(labels) == len(run["features"])


def _texts(section: Section) -> str:
    return " ".join(p for p in section.parts if isinstance(p, str))


def _keys(section: Section) -> set[str]:
    return {f.key for f in section.findings}


def test_a_survey_too_small_for_the_drivers_or_the_nps_says_so_and_records_nothing(run):
    answers = run["answers"].head(40)                      # 40 respondents: NPS yes, drivers of ten reasons no
    section = step.what_drives_recommendation(answers, n_boot=10)
    assert section["drivers"] is None and not section.findings
    assert "Not shown: what drives recommendation" in _texts(section) and "at least 100" in _texts(section)
    loyalty = step.what_drives_loyalty(run["ds"], answers, run["value"], None, n_boot=10)
    assert loyalty["drivers"] is None and not loyalty.findings
    few = step.net_promoter_score(answers.head(12), pd.Series(dtype=object), run["personas"], None)
    assert not few.findings and f"at least {step.MIN_NPS_RESPONDENTS}" in _texts(few)
    assert "nps" in _keys(step.net_promoter_score(answers, pd.Series(dtype=object), run["personas"], None))


def test_drivers_that_explain_no_more_than_chance_are_not_ranked(run):
    answers = run["answers"].copy()
    answers["nps"] = np.random.default_rng(3).permutation(answers["nps"].to_numpy())   # NPS unrelated to the reasons
    section = step.what_drives_recommendation(answers, n_boot=10)
    assert section["drivers"] is None and not section.findings and "no more of the answers than chance" in _texts(section)


def test_a_customer_value_fit_that_failed_stays_out_of_the_health_score(run):
    value = run["value"]
    failed = SimpleNamespace(table=value.table, holdout=None, calibration_models={},
                             report=SimpleNamespace(ok=False, choice=None, sentence=lambda: "BG/NBD did not converge"))
    section = step.lifecycle_and_health(run["ds"], failed)
    assert "p_alive_mean" not in _keys(section) and "p_alive" not in section["health"]
    assert "did not fit reliably" in _texts(section) and not section["backtest"].p_alive_used
    assert "p_alive_mean" in _keys(step.lifecycle_and_health(run["ds"], value))


def test_zero_value_customers_are_left_out_of_the_segments(run, small_sample, tmp_path):
    tx = pd.read_parquet(small_sample / "transactions.parquet")
    free = tx["customer_id"].drop_duplicates().head(25)
    tx.loc[tx["customer_id"].isin(free), "amount"] = 0.0
    for table in small_sample.glob("*.parquet"):
        (tmp_path / table.name).write_bytes(table.read_bytes())
    tx.to_parquet(tmp_path / "transactions.parquet", index=False)
    ds = load_dataset(tmp_path, outside_window="drop")
    section = step.who_the_customers_are(ds)
    assert section["segments"].isna().sum() == 25 and sum(section.value("segment_shares").values()) == pytest.approx(1, abs=1e-3)
    assert "25 customers without a paid purchase" in _texts(section)
    features = step.the_data(ds)["features"]
    explorer = step.explore_groups(features, section["scores"], section["segments"], find_personas(ds), None, interactive=True)
    assert explorer.parts                                                  # the explorer covers the customers with scores


def test_cohort_months_no_cohort_reached_record_no_finding(run):
    short = SimpleNamespace(transactions=run["ds"].transactions[run["ds"].transactions["date"] >= "2025-05-01"],
                            has=lambda name: False)
    section = step.do_customers_come_back(short)
    assert {"retention_month_1", "retention_month_3"} <= _keys(section) and "retention_month_12" not in _keys(section)
    assert "No cohort has lived through month" in _texts(section) and "12" in _texts(section)


def test_a_pyramid_without_lovers_claims_no_overlap(run):
    ds, value = run["ds"], run["value"]
    lifecycle = step.lifecycle_and_health(ds, value, lover_min_per_year=1000)
    section = step.advocacy_pyramid(ds, lifecycle["levels"], lifecycle["rates"], value)
    assert section.value("advocacy_shares")["lover"] == 0
    assert "lovers_in_top_spenders" not in _keys(section) and "No customer reviews, refers or posts often enough" in _texts(section)
    assert "double" not in _texts(section)


def test_an_unstable_persona_split_is_not_headlined(run):
    personas = run["personas"]
    unstable = dataclasses.replace(personas, threshold=1.01)                # no k can reach it
    section = step.who_the_personas_are(unstable, run["features"], run["answers"])
    count = next(f for f in section.findings if f.key == "persona_count")
    assert not count.headline and "no split reproduces" in _texts(section)
    assert next(f for f in step.who_the_personas_are(personas, run["features"], run["answers"]).findings
                if f.key == "persona_count").headline


def _cross_sell(single_stays: bool, multi_stays: bool, n: int = 80):
    """A multi-category test on planted data: customers with two orders before July, in one or two categories."""
    rows, k = [], 0
    for i in range(n):
        multi = i % 2 == 0
        for j, product in enumerate(["A", "B"] if multi else ["A", "C"]):
            rows.append((f"c{i}", f"2024-0{j + 1}-10", 10.0, f"o{k}", product))
            k += 1
        if (multi and multi_stays) or (not multi and single_stays) or i % 10 == 1:
            rows.append((f"c{i}", "2024-09-01", 10.0, f"o{k}", "A"))
            k += 1
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "product_id"]).assign(
        date=lambda f: pd.to_datetime(f["date"]))
    ds = SimpleNamespace(transactions=tx, products=pd.DataFrame({"product_id": list("ABC"), "category": ["g", "k", "g"]}))
    draft, text = step.Draft(), []
    multi = step._cross_sell_test(ds, pd.Timestamp("2024-07-01"), (2, 4), draft, text)
    return multi, draft.done(), " ".join(text)


def test_the_multi_category_verdict_follows_the_sign_and_the_test():
    better, section, text = _cross_sell(single_stays=False, multi_stays=True)
    assert better.difference > 0 and "retain better" in text and next(f for f in section.findings
                                                                      if f.key == "multi_category_effect").headline
    worse, section, text = _cross_sell(single_stays=True, multi_stays=False)
    assert worse.difference < 0 and "retain worse" in text and "better" not in text
    assert next(f for f in section.findings if f.key == "multi_category_effect").unit == "pp"
    same, section, text = _cross_sell(single_stays=True, multi_stays=True)
    assert "not measurable at this size" in text and not any(f.headline for f in section.findings)
    assert "No clear" not in text and "No retention difference" not in text    # a wide interval is no evidence of none


def test_a_non_significant_gain_is_worded_from_its_interval():
    """The sample's test: +3.3 points, 95% interval -3.3 to +9.9 (p = 0.31): not measurable, never "no difference"."""
    wide = step._no_gain_verdict(-0.033, 0.099)
    assert "not measurable at this size" in wide and "No retention difference" not in wide
    narrow = step._no_gain_verdict(-0.012, 0.018)                       # excludes anything beyond 2 points
    assert "No retention difference larger than 1.8 percentage points" in narrow
    assert "not measurable" in step._no_gain_verdict(float("nan"), float("nan"))
    assert "not measurable" in step._no_gain_verdict(0.0, 0.0)          # everyone bought again: a degenerate interval


def test_the_pyramid_makes_its_claims_only_when_the_numbers_say_so(run):
    ds, value = run["ds"], run["value"]
    lifecycle = step.lifecycle_and_health(ds, value)
    section = step.advocacy_pyramid(ds, lifecycle["levels"], lifecycle["rates"], value)
    o, text = section["overlap"], _texts(section)
    assert ("Loyalty is not advocacy" in text) == (o.loyal_lurker_share > 0.5)
    assert ("Top spenders are not top advocates" in text) == (o.top_overlap < 0.5)
    assert "Top spenders are not top advocates" in text                   # the sample's planted truth


def test_personas_of_a_few_repeat_buyers_say_what_share_of_the_base_they_describe():
    """Hillstrom: 4 personas on 578 repeat buyers of 64,000 customers; their shares are shares of those 578."""
    personas = SimpleNamespace(k=4, criterion=pd.DataFrame({"k": [4, 5], "stability": [0.90, 0.65]}),
                               clustered=pd.Series(range(578)), min_orders=2, stability=0.90, threshold=0.75,
                               counts=lambda: {"a": 578, "unassigned": 63_422})
    profiles = pd.DataFrame({"name": ["a"], "share": [1.0], "dominant_reasons": [""]})
    text = step._persona_sentence(personas, profiles)
    assert "only 0.9% of the 64,000 customers" in text and "not of all customers" in text
    many = SimpleNamespace(**{**vars(personas), "counts": lambda: {"a": 578, "unassigned": 100}})   # 85% of 678
    assert "only" not in step._persona_sentence(many, profiles)
