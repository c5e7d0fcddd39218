"""Repository hygiene: clean notebook sources, matching dependency lists, the documented layout."""
from __future__ import annotations

import json
import re
import tomllib

import papermill
import pytest
import yaml

from customer_workbook.paths import project_root

ROOT = project_root()
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COMMON_PARAMETERS = {"data_dir", "column_map", "start_date", "end_date", "business_unit", "findings_path"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0].lower()


def test_layout():
    for path in ("notebooks", "data", "lib", "reports", "params", "environment.yml", "Makefile", "tests",
                 "README.md", "pyproject.toml", ".ci/run", "lib/customer_workbook/__init__.py"):
        assert (ROOT / path).exists(), path


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda = [d for d in env if isinstance(d, str) and _name(d) not in ("python", "pip")]
    assert {_name(d): d.replace(" ", "") for d in project} == {_name(d): d.replace(" ", "") for d in conda}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_clean_source(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any(c.get("outputs") for c in code), "outputs committed"
    assert not any(c.get("execution_count") for c in code), "execution counts committed"
    assert "widgets" not in nb["metadata"], "widget state committed"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_declares_the_common_parameters(path):
    declared = set(papermill.inspect_notebook(str(path)))
    assert COMMON_PARAMETERS <= declared, f"missing {COMMON_PARAMETERS - declared}"


def test_series_has_the_overview():
    assert NOTEBOOKS and NOTEBOOKS[0].stem == "00_data_overview"
