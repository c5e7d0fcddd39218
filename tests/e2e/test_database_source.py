"""End to end: the overview notebook run by the batch on ``data_dir: duckdb:<file>`` (the small sample in a
DuckDB database) writes the same findings as on the folder of files, and its report names the tables."""
from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from customer_workbook.batch import main
from customer_workbook.paths import project_root

pytestmark = pytest.mark.notebooks
NOTEBOOK = "00_data_overview"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, small_sample):
    """The overview run twice by the batch: on the folder and on the same tables in a DuckDB file."""
    base = tmp_path_factory.mktemp("database_source")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    shutil.copy(project_root() / "notebooks" / f"{NOTEBOOK}.ipynb", notebooks)
    db = base / "shop.duckdb"
    with duckdb.connect(str(db)) as con:
        for path in sorted(small_sample.glob("*.parquet")):
            con.execute(f'CREATE TABLE "{path.stem}" AS SELECT * FROM read_parquet(\'{path}\')')
    runs = {}
    for name, data_dir in (("folder", small_sample), ("database", f"duckdb:{db}")):
        params = base / f"{name}.yaml"
        params.write_text(f"run_name: {name}\nparameters:\n  data_dir: {data_dir}\n  engine: duckdb\n")
        code = main([str(params), "--out", str(base / "reports"), "--notebooks-dir", str(notebooks), "--jobs", "1"])
        assert code == 0
        runs[name] = base / "reports" / name
    return runs, db


def findings(run_dir) -> dict:
    return {k: v["value"] for k, v in json.loads((run_dir / f"{NOTEBOOK}.findings.json").read_text())["findings"].items()}


def test_the_database_source_writes_the_same_findings_as_the_folder(two_runs):
    runs, _ = two_runs
    folder, database = findings(runs["folder"]), findings(runs["database"])
    assert folder and database == folder


def test_the_report_names_the_database_tables(two_runs):
    runs, db = two_runs
    html = (runs["database"] / f"{NOTEBOOK}.html").read_text(encoding="utf-8")
    assert "shop.duckdb (table transactions)" in html
    assert "Traceback" not in html and "nan" not in html.replace("nancial", "")
