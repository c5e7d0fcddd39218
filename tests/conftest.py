"""Shared fixtures: small generated samples and a notebook runner."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd
import pytest

from customer_workbook.batch import KERNEL_ARGUMENTS
from customer_workbook.paths import project_root

ROOT = project_root()
SHIPPED = ROOT / "data" / "sample"
#: Parameters of each notebook's run on the shipped sample: one run per session, shared by the tests.
SHIPPED_PARAMETERS = {"01_behaviour": {"driver_bootstrap": 100}, "02_changes": {}, "03_strategy": {}, "04_plan_phases": {},
                      "05_plan_components": {}}
SMALL_CUSTOMERS = 1500  # the "small-data parameter": every notebook runs on this in seconds
SMALL_SEED = 7


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory) -> Path:
    """A freshly generated small sample company (all nine tables), as Parquet files."""
    from customer_workbook.sample import write_sample

    out = tmp_path_factory.mktemp("small_sample")
    write_sample(out, n_customers=SMALL_CUSTOMERS, seed=SMALL_SEED)
    return out


@pytest.fixture(scope="session")
def transactions_only(tmp_path_factory, small_sample) -> Path:
    """The small sample reduced to its transactions table, written as CSV."""
    out = tmp_path_factory.mktemp("transactions_only")
    pd.read_parquet(small_sample / "transactions.parquet").to_csv(out / "transactions.csv", index=False)
    return out


def execute_notebook(name: str, out_dir: Path, **parameters) -> dict:
    """Run notebooks/<name>.ipynb with papermill and return its findings JSON."""
    return run_notebook(ROOT / "notebooks" / f"{name}.ipynb", out_dir, **parameters)


def run_notebook(path: Path, out_dir: Path, **parameters) -> dict:
    """Run the notebook at ``path`` with papermill (batch settings) and return its findings JSON."""
    import papermill

    findings = out_dir / f"{path.stem}.findings.json"
    declared = set(papermill.inspect_notebook(str(path)))
    parameters = {**parameters, "findings_path": str(findings)}
    if "interactive" in declared:
        parameters.setdefault("interactive", False)
    papermill.execute_notebook(
        str(path), str(out_dir / path.name), parameters=parameters, kernel_name="python3",
        cwd=str(ROOT), execution_timeout=300, progress_bar=False, extra_arguments=KERNEL_ARGUMENTS)
    return json.loads(findings.read_text())


def values(findings: dict) -> dict:
    """{key: value} of a findings JSON."""
    return {k: v["value"] for k, v in findings["findings"].items()}


@pytest.fixture(scope="session")
def hostile_sample(tmp_path_factory, small_sample) -> tuple[Path, dict]:
    """The small sample with a payload in every text value that reaches a report and e-mail addresses as
    customer ids (see ``tests/hostile.py``); returns the folder and ``{"customer_ids", "values"}``."""
    from hostile import make_hostile

    out = tmp_path_factory.mktemp("hostile_sample")
    return out, make_hostile(small_sample, out)


@pytest.fixture(scope="session")
def hostile_reports(tmp_path_factory, hostile_sample) -> dict:
    """One batch run of the whole series on the hostile sample (``--jobs 2``), shared by the report-safety
    and browser tests: ``{"code", "run_dir", "seconds", "customer_ids", "values"}``."""
    import time

    from customer_workbook.batch import main

    data_dir, mapping = hostile_sample
    reports = tmp_path_factory.mktemp("hostile_reports")
    params = reports / "hostile.yaml"
    params.write_text(f"run_name: hostile\ndescription: hostile input\nparameters:\n  data_dir: {data_dir}\n")
    started = time.perf_counter()
    code = main([str(params), "--out", str(reports), "--jobs", "2"])
    return {"code": code, "run_dir": reports / "hostile", "seconds": time.perf_counter() - started, **mapping}


@pytest.fixture(scope="session")
def shipped_run(tmp_path_factory):
    """``shipped_run(name) -> (out_dir, findings)``: the notebook run once per session on the shipped sample."""
    runs: dict[str, tuple[Path, dict]] = {}

    def run(name: str) -> tuple[Path, dict]:
        if name not in runs:
            out = tmp_path_factory.mktemp(f"shipped_{name}")
            runs[name] = (out, execute_notebook(name, out, data_dir=str(SHIPPED), interactive=False,
                                                **SHIPPED_PARAMETERS[name]))
        return runs[name]

    return run


@functools.lru_cache(maxsize=None)
def engine_personas(data_dir: str):
    """The persona engine on a data folder, with the call every notebook makes (cached per folder)."""
    from customer_workbook.data import load_dataset
    from customer_workbook.segments import find_personas

    return find_personas(load_dataset(data_dir, outside_window="drop"))


def planted_persona_shares(data_dir) -> pd.DataFrame:
    """Share of each planted persona (columns) among the members of each engine persona (rows)."""
    assignment = engine_personas(str(data_dir)).assignment.dropna()
    truth = pd.read_parquet(Path(data_dir) / "truth_customers.parquet").set_index("customer_id")["persona"].astype(str)
    truth.index = truth.index.astype(str)
    return pd.crosstab(assignment, truth.reindex(assignment.index.astype(str)).to_numpy(), normalize="index")
