"""Notebook 01's sections (customer_workbook.steps.behaviour): each returns its figures, findings and results."""
from __future__ import annotations

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
