"""Repository hygiene: clean notebook sources, matching dependency lists, the documented layout."""
from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path

import papermill
import pytest
import yaml

from customer_workbook.paths import project_root

ROOT = project_root()
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Size limits of issue 14 ("no module over 600 lines, no function over 80 lines"), for the whole library.
LIBRARY = ROOT / "lib" / "customer_workbook"
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 600, 80
COMMON_PARAMETERS = {"data_dir", "column_map", "date_format", "event_map", "status_map", "start_date", "end_date",
                     "business_unit", "findings_path"}


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


def _functions(tree: ast.AST, prefix: str = ""):
    """(qualified name, first line, number of lines) of every function and method, nested ones included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{node.name}"
            if not isinstance(node, ast.ClassDef):
                yield name, node.lineno, node.end_lineno - node.lineno + 1
            yield from _functions(node, f"{name}.")
        else:
            yield from _functions(node, prefix)


def _oversized(path: Path, name: str) -> list[str]:
    """The module and its functions that exceed the size limits, as 'name: N lines' messages."""
    text = path.read_text()
    n_lines = len(text.splitlines())
    found = [f"{name}: module of {n_lines} lines (limit {MAX_MODULE_LINES})"] if n_lines > MAX_MODULE_LINES else []
    found += [f"{name}:{line} {func}(): {length} lines (limit {MAX_FUNCTION_LINES})"
              for func, line, length in _functions(ast.parse(text)) if length > MAX_FUNCTION_LINES]
    return found


def test_modules_and_functions_within_size_limits():
    paths = sorted(LIBRARY.rglob("*.py"))
    assert len(paths) > 50
    found = [msg for path in paths for msg in _oversized(path, str(path.relative_to(ROOT)))]
    assert not found, "too long:\n" + "\n".join(found)


MAX_CELL_LINES = 15


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_code_cells_read_as_narrative(path):
    """Issue 14: each section's cell calls one library function; no code cell over 15 lines."""
    code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"
            and "parameters" not in c.get("metadata", {}).get("tags", [])]  # the parameters cell lists them all
    long = [f"code cell {i} ({len(''.join(c['source']).splitlines())} lines)"
            for i, c in enumerate(code) if len("".join(c["source"]).splitlines()) > MAX_CELL_LINES]
    assert not long, f"over {MAX_CELL_LINES} lines: {', '.join(long)}"


def _public_modules():
    """Every module a user may import: no part of its path starts with an underscore (packages included)."""
    for path in sorted(LIBRARY.rglob("*.py")):
        parts = path.relative_to(LIBRARY).with_suffix("").parts
        if not any(part.startswith("_") and part != "__init__" for part in parts):
            yield path


@pytest.mark.parametrize("path", list(_public_modules()), ids=lambda p: str(p.relative_to(LIBRARY)))
def test_public_module_declares_all(path):
    tree = ast.parse(path.read_text())
    names = {t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
             for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(t, ast.Name)}
    assert "__all__" in names, f"{path.relative_to(ROOT)} has no __all__"


#: Library packages whose tests are end to end (they drive whole notebook runs), in tests/e2e/.
TESTED_END_TO_END = {"batch": "test_batch*.py"}


def test_tests_mirror_the_library():
    """Issue 14: tests/unit/<package>/ for every package of the library, so its tests are found by name."""
    packages = {p.name for p in LIBRARY.iterdir() if (p / "__init__.py").exists() and not p.name.startswith("_")}
    unit = {p.name for p in (ROOT / "tests" / "unit").iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    missing = {p for p in packages - unit
               if not (p in TESTED_END_TO_END and any((ROOT / "tests" / "e2e").glob(TESTED_END_TO_END[p])))}
    assert not missing, f"no tests/unit/<package>/ for: {sorted(missing)}"
