"""Batch parameter files: ``data_dir`` may name a database source and ``engine`` must be an engine,
both checked before any notebook runs."""
from __future__ import annotations

from pathlib import Path

import pytest

from customer_workbook.batch import ParameterFileError, load_run_spec

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"


def spec(tmp_path: Path, parameters: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text("run_name: db\nnotebooks: [00_data_overview]\nparameters:\n" + parameters, encoding="utf-8")
    return path


def problems(path: Path) -> str:
    with pytest.raises(ParameterFileError) as info:
        load_run_spec(path, NOTEBOOKS)
    return str(info.value)


def test_an_existing_database_file_and_a_spark_database_are_accepted(tmp_path):
    (tmp_path / "shop.duckdb").write_bytes(b"")
    run = load_run_spec(spec(tmp_path, f"  data_dir: duckdb:{tmp_path}/shop.duckdb\n  engine: duckdb\n"), NOTEBOOKS)
    assert run.parameters["data_dir"] == f"duckdb:{tmp_path}/shop.duckdb"
    run = load_run_spec(spec(tmp_path, "  data_dir: spark:sales\n  engine: spark\n"), NOTEBOOKS)
    assert run.parameters["engine"] == "spark"


def test_a_missing_database_file_names_the_parameter_line_and_file(tmp_path):
    message = problems(spec(tmp_path, f"  data_dir: duckdb:{tmp_path}/gone.duckdb\n"))
    assert "line 4: parameters.data_dir: A DuckDB database file not found:" in message
    assert f"{tmp_path}/gone.duckdb" in message
    message = problems(spec(tmp_path, f"  data_dir: sqlite:{tmp_path}\n"))
    assert "parameters.data_dir: A SQLite database file is a folder, not a database file" in message


def test_a_prefix_without_a_database_and_a_missing_folder_are_errors(tmp_path):
    assert "names no database: write duckdb:<a DuckDB database file>" in problems(spec(tmp_path, "  data_dir: 'duckdb:'\n"))
    assert f"folder {tmp_path}/nope does not exist" in problems(spec(tmp_path, f"  data_dir: {tmp_path}/nope\n"))


def test_an_unknown_engine_is_refused_before_any_notebook_runs(tmp_path):
    message = problems(spec(tmp_path, "  engine: polars\n"))
    assert "line 4: parameters.engine: 'polars' is not an engine; expected one of duckdb, spark, pandas" in message
    path = tmp_path / "over.yaml"
    path.write_text("run_name: db\nnotebook_parameters:\n  00_data_overview:\n    engine: Sparkk\n", encoding="utf-8")
    assert "notebook_parameters.00_data_overview.engine: 'Sparkk' is not an engine" in problems(path)
