"""The batch loads each run's data once, before its notebooks start (customer_workbook.batch.preload)."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from customer_workbook.batch import run_batch
from customer_workbook.batch.preload import LOAD_PARAMETERS, load_parameters, plan_preloads
from customer_workbook.batch.runner import plan_jobs
from customer_workbook.batch.spec import load_run_specs

NOTEBOOKS = ["00_data_overview", "05_plan_components"]

#: Imported by every Python process of the batch (runner, pre-load, workers, kernels) through PYTHONPATH:
#: appends one line per real call of the loader to $CW_TEST_LOAD_LOG, naming the process's command.
SITECUSTOMIZE = textwrap.dedent('''
    import os, sys
    if os.environ.get("CW_TEST_LOAD_LOG"):
        import customer_workbook.data as _data
        _original = _data.load_dataset
        def _counted(*args, **kwargs):
            with open(os.environ["CW_TEST_LOAD_LOG"], "a") as fh:
                fh.write(" ".join(sys.argv[:2]) + "\\n")
            return _original(*args, **kwargs)
        _data.load_dataset = _counted
''')


def _params(folder: Path, data_dir: Path, run: str) -> Path:
    path = folder / f"{run}.yaml"
    path.write_text(f"run_name: {run}\nparameters:\n  data_dir: {data_dir}\nnotebooks: [{', '.join(NOTEBOOKS)}]\n")
    return path


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """Every real load of the batch's processes logged to a file (cache on, in a fresh folder)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    import os

    monkeypatch.setenv("PYTHONPATH", f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    monkeypatch.setenv("CW_TEST_LOAD_LOG", str(tmp_path / "loads.log"))
    monkeypatch.setenv("CUSTOMER_WORKBOOK_CACHE", "1")
    monkeypatch.setenv("CUSTOMER_WORKBOOK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "loads.log"


def _findings(run_dir: Path) -> dict:
    return {nb: {k: v["value"] for k, v in json.loads((run_dir / f"{nb}.findings.json").read_text())["findings"].items()}
            for nb in NOTEBOOKS}


def test_load_parameters_are_the_notebooks_defaults_under_the_runs_values(tmp_path, small_sample):
    specs = load_run_specs([_params(tmp_path, small_sample, "p")])
    jobs = plan_jobs(specs, tmp_path / "out", 60)
    values = [load_parameters(job) for job in jobs]
    assert values[0] == values[1]
    assert set(values[0]) == set(LOAD_PARAMETERS)
    assert values[0]["data_dir"] == str(small_sample) and values[0]["engine"] == "duckdb"
    assert values[0]["column_map"] == {} and values[0]["start_date"] is None
    preloads = plan_preloads(jobs)
    assert len(preloads) == 1 and [j.stem for j in preloads[0].jobs] == NOTEBOOKS


def test_a_batch_loads_its_data_once_before_the_notebooks_with_the_same_findings(tmp_path, small_sample, counted,
                                                                                 monkeypatch):
    """Two notebooks on two workers: one real load, in the pre-load process; findings as without it."""
    results = run_batch([_params(tmp_path, small_sample, "once")], tmp_path / "out", jobs=2)
    assert all(r.ok for r in results), [r.error for r in results]
    loads = counted.read_text().splitlines()
    assert len(loads) == 1 and "--preload" in loads[0], loads
    counted.unlink()
    # the same run without the pre-load (and its cache): the notebooks load for themselves
    monkeypatch.setenv("CUSTOMER_WORKBOOK_CACHE_DIR", str(tmp_path / "cache-without"))
    results = run_batch([_params(tmp_path, small_sample, "without")], tmp_path / "out", jobs=2, preload=False)
    assert all(r.ok for r in results), [r.error for r in results]
    assert all("--preload" not in line for line in counted.read_text().splitlines())
    assert _findings(tmp_path / "out" / "once") == _findings(tmp_path / "out" / "without")


def test_data_that_fail_validation_fail_the_run_fast_with_the_loaders_message(tmp_path, small_sample, counted):
    bad = tmp_path / "bad"
    bad.mkdir()
    lines = pd.read_parquet(small_sample / "transactions.parquet")
    lines["quantity"] = "many"
    lines.to_csv(bad / "transactions.csv", index=False)
    results = run_batch([_params(tmp_path, bad, "bad")], tmp_path / "out", jobs=2)
    assert [r.notebook for r in results] == NOTEBOOKS
    run_dir = tmp_path / "out" / "bad"
    for r in results:
        assert r.status == "failed" and "data contract" in r.error and "quantity" in r.error
        assert (run_dir / r.html).exists() and "quantity" in (run_dir / r.html).read_text()
    assert "data contract" in (run_dir / "index.html").read_text()
    assert all("--preload" in line for line in counted.read_text().splitlines())  # no notebook started
