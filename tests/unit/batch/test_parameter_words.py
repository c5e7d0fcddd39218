"""The run's parameter line reads as words (issue 17): labels for every notebook parameter, readable values."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from customer_workbook.batch.parameters import PARAMETER_WORDS, declared_parameters, parameters_in_words
from customer_workbook.batch.report import index_page, render_report, run_parameters
from customer_workbook.batch.spec import series_notebooks
from customer_workbook.batch.worker import Job

REPR = re.compile(r"\w+=|None|'|\"|\[|\{|_")  # what a Python repr of parameters looks like


def test_every_parameter_of_every_notebook_has_a_label():
    for notebook in series_notebooks():
        missing = sorted(set(declared_parameters(notebook)) - set(PARAMETER_WORDS))
        assert missing == [], f"{notebook.stem}: no label for {missing}"


def test_the_shipped_run_reads_as_words():
    line = parameters_in_words({"data_dir": "data/sample", "start_date": None, "end_date": None,
                                "business_unit": None, "margin": 0.35})
    assert line == "data: sample · period: whole history · region: all · margin: 35%"


def test_dates_folders_shares_and_points():
    line = parameters_in_words({"end_date": "2024-12-31", "data_dir": "/home/ana/exports/acme/",
                                "start_date": "2024-01-01", "business_unit": "North", "pilot_mde": 0.05,
                                "findings_path": "/tmp/x.json", "interactive": False, "train_sample": 40000})
    assert line == ("data: acme · period: 1 Jan 2024 to 31 Dec 2024 · region: North · pilot detects a lift of: 5 pp"
                    " · models trained on at most: 40,000 customers")
    assert "/home" not in line
    assert parameters_in_words({"start_date": "2025-03-01"}) == "period: from 1 Mar 2025"
    assert parameters_in_words({"end_date": "2025-03-01"}) == "period: up to 1 Mar 2025"


@pytest.mark.parametrize("notebook", [p.stem for p in series_notebooks()])
def test_no_notebook_default_reads_as_a_repr(notebook):
    path = next(p for p in series_notebooks() if p.stem == notebook)
    values = {n: ast.literal_eval(p.default) for n, p in declared_parameters(path).items()}
    line = parameters_in_words(values)
    for item in line.split(" · "):
        assert not REPR.search(item.split(": ", 1)[1]), item
    assert "nan" not in line.lower().split()


def test_reports_and_index_show_the_words_not_the_repr(tmp_path):
    notebook = series_notebooks()[0]
    job = Job("sample", notebook, {"data_dir": "data/sample", "start_date": None, "end_date": None,
                                  "business_unit": None, "findings_path": "/tmp/f.json", "interactive": False},
              tmp_path, 60)
    assert run_parameters(job)["column_map"] == {} and run_parameters(job)["findings_path"] == "/tmp/f.json"
    html = render_report(tmp_path / "missing.ipynb", job, None, "boom")  # the page of a report that never ran
    assert "boom" in html
    executed = tmp_path / "nb.ipynb"
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_markdown_cell("## A")])
    nbformat.write(nb, executed)
    page = render_report(executed, job, {"title": "T", "findings": {}}, None, "ok")
    params = re.search(r"cw-params['\"]>(.*?)</div>", page, re.S).group(1)
    assert "period: whole history · region: all" in params and "data: sample" in params
    assert "start_date" not in params and "None" not in params and "findings" not in params
    index = index_page(tmp_path, "sample", "d", [], {"data_dir": "data/sample", "start_date": None, "end_date": None})
    assert "data: sample · period: whole history" in index and "start_date" not in index
