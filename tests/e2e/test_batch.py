"""The batch runner: reports for every notebook, failures shown not lost, atomic files, no personal data."""
from __future__ import annotations

import json
import shutil

import nbformat
import pandas as pd
import pytest

from customer_workbook.batch import load_run_spec, main
from customer_workbook.paths import project_root

pytestmark = pytest.mark.notebooks
ROOT = project_root()


def broken_notebook(path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 01 · Broken on purpose"),
        nbformat.v4.new_code_cell('data_dir = "data/sample"\nfindings_path = None', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell('raise RuntimeError("planted failure for the batch test")'),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory, small_sample):
    """One batch over the overview and a notebook that fails, into a temporary reports folder."""
    base = tmp_path_factory.mktemp("batch")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_data_overview.ipynb", notebooks)
    broken_notebook(notebooks / "01_broken.ipynb")
    params = base / "small.yaml"
    params.write_text(f"run_name: small\ndescription: test run\nparameters:\n  data_dir: {small_sample}\n")
    code = main([str(params), "--out", str(base / "reports"), "--notebooks-dir", str(notebooks), "--jobs", "2"])
    return code, base / "reports" / "small", small_sample


def test_failure_gives_non_zero_exit_and_an_html_showing_the_error(batch_run):
    code, run_dir, _ = batch_run
    assert code == 1
    page = (run_dir / "01_broken.html").read_text()
    assert "planted failure for the batch test" in page and "did not complete" in page


def test_other_reports_are_written_with_findings_first(batch_run):
    _, run_dir, _ = batch_run
    page = (run_dir / "00_data_overview.html").read_text()
    assert page.index("Key findings") < page.index("Which tables do we have?")
    assert "load_dataset(" not in page, "code must be hidden"
    findings = json.loads((run_dir / "00_data_overview.findings.json").read_text())
    assert findings["findings"]["n_customers"]["value"] > 0


def test_index_links_every_report_and_marks_the_failure(batch_run):
    _, run_dir, _ = batch_run
    index = (run_dir / "index.html").read_text()
    assert "href='00_data_overview.html'" in index and "href='01_broken.html'" in index
    assert "failed: cell In [" in index
    results = {r["notebook"]: r["ok"] for r in json.loads((run_dir / "results.json").read_text())}
    assert results == {"00_data_overview": True, "01_broken": False}
    assert (run_dir.parent / "index.html").exists()


def test_no_temporary_or_staging_files_are_left(batch_run):
    _, run_dir, _ = batch_run
    leftovers = [p for p in run_dir.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert leftovers == []


def test_reports_do_not_leak_personal_data(batch_run):
    _, run_dir, sample = batch_run
    customers = pd.read_parquet(sample / "customers.parquet", columns=["full_name", "email"])
    texts = [p.read_text() for p in run_dir.rglob("*") if p.suffix in (".html", ".json", ".ipynb")]
    for value in list(customers["email"].head(200)) + list(customers["full_name"].head(200)):
        assert not any(value in text for text in texts), value


def test_run_spec_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("run_name: x\nparamters: {}\n")
    with pytest.raises(ValueError, match="unknown key.*paramters"):
        load_run_spec(bad)
    bad.write_text("run_name: x\nnotebooks: [07_nothing]\n")
    with pytest.raises(ValueError, match="07_nothing"):
        load_run_spec(bad)
    assert main([str(bad), "--out", str(tmp_path / "r")]) == 2


def test_shipped_parameter_files_are_valid():
    for path in (ROOT / "params").glob("*.yaml"):
        spec = load_run_spec(path)
        assert spec.notebooks and "data_dir" in spec.parameters


def test_a_partial_rerun_keeps_the_other_reports_in_the_index(batch_run, small_sample, tmp_path):
    _, run_dir, _ = batch_run
    params = tmp_path / "small.yaml"
    params.write_text(f"run_name: small\nparameters:\n  data_dir: {small_sample}\n")
    notebooks = run_dir.parent.parent / "notebooks"
    assert main([str(params), "--out", str(run_dir.parent), "--notebooks-dir", str(notebooks), "--notebooks", "00"]) == 0
    results = {r["notebook"]: r["ok"] for r in json.loads((run_dir / "results.json").read_text())}
    assert results == {"00_data_overview": True, "01_broken": False}
    assert "href='01_broken.html'" in (run_dir / "index.html").read_text()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, small_sample):
    """One batch of two parameter sets (two regions of the small sample) over the overview, notebook 01 and a
    notebook that fails."""
    base = tmp_path_factory.mktemp("two_runs")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    for name in ("00_data_overview", "01_behaviour"):
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", notebooks)
    broken_notebook(notebooks / "02_broken.ipynb")
    params = []
    for region in ("North", "South"):
        params.append(base / f"{region}.yaml")
        params[-1].write_text(f"run_name: {region}\ndescription: region {region}\nparameters:\n"
                              f"  data_dir: {small_sample}\n  business_unit: {region}\n")
    main([*map(str, params), "--out", str(base / "reports"), "--notebooks-dir", str(notebooks), "--jobs", "2"])
    return base / "reports"


def test_the_index_compares_the_runs_and_marks_only_intervals_that_do_not_overlap(two_runs):
    from customer_workbook.batch.compare import compare_rows, read_run

    page = (two_runs / "index.html").read_text()
    assert "The runs compared" in page and "region: North" in page and "region: South" in page
    assert "href='North/01_behaviour.html'" in page and "href='South/00_data_overview.html'" in page
    assert page.count("failed: ") == 2 and "planted failure for the batch test" in page     # 02 failed in both runs
    assert "Net Promoter Score" in page and "never marked" in page and "<script" not in page
    runs = [read_run(two_runs / name) for name in ("North", "South")]
    rows = compare_rows(runs)
    assert {r.notebook for r in rows} == {"00_data_overview", "01_behaviour"}               # only reports that exist
    for row in rows:
        north, south = row.cells.get("North"), row.cells.get("South")
        apart = bool(north and south and north.has_interval and south.has_interval
                     and (north.high < south.low or south.high < north.low))
        assert bool(row.differs) == apart, row
    nps = next(r for r in rows if r.label.startswith("Net Promoter Score"))
    assert all(c.has_interval for c in nps.cells.values())                                 # NPS carries its interval
    assert page.count("&#8800; beyond noise</td>") == sum(1 for r in rows if r.differs)
