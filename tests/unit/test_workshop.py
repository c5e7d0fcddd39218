"""Workshop edition: exercises pair with solutions, student copies run, the guide is filled from findings."""
from __future__ import annotations

import json

import nbformat
import pytest

from conftest import ROOT, run_notebook
from customer_workbook.workshop import exercises, render_guide, starter_source, student_notebook, write_student_copies

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def test_starter_keeps_only_the_hints_and_runs():
    solution = "# Hint: use overview.revenue_concentration\nx = compute()\n# a plain comment\nprint(x)"
    starter = starter_source(solution)
    assert "# Hint: use overview.revenue_concentration" in starter
    assert "compute" not in starter.replace("revenue_concentration", "") and "plain comment" not in starter
    exec(compile(starter, "starter", "exec"), {})


def test_student_copy_replaces_solutions_and_keeps_everything_else():
    nb = notebook(nbformat.v4.new_markdown_cell("Do it", metadata={"tags": ["exercise"]}),
                  nbformat.v4.new_code_cell("answer = 42", metadata={"tags": ["solution"]}),
                  nbformat.v4.new_code_cell("print('after')"))
    student = student_notebook(nb)
    assert "answer = 42" not in student.cells[1].source and student.cells[1].metadata["tags"] == ["starter"]
    assert student.cells[2].source == "print('after')" and nb.cells[1].source == "answer = 42"
    assert exercises(nb) == [{"task": "Do it", "solution": "answer = 42"}]


def test_an_exercise_without_its_solution_is_an_error():
    nb = notebook(nbformat.v4.new_markdown_cell("Do it", metadata={"tags": ["exercise"]}),
                  nbformat.v4.new_code_cell("x = 1"))
    with pytest.raises(ValueError, match="solution"):
        exercises(nb)


def test_guide_placeholders_are_filled_from_findings(tmp_path):
    (tmp_path / "00_x.findings.json").write_text(json.dumps({"findings": {
        "n": {"value": 12345, "label": "N", "unit": ""}, "s": {"value": 0.25, "label": "S", "unit": "share"}}}))
    assert render_guide("{{ 00_x:n }} customers, {{00_x:s}} of them", tmp_path) == "12,345 customers, 25.0% of them"
    with pytest.raises(KeyError, match="00_x:missing"):
        render_guide("{{ 00_x:missing }}", tmp_path)
    with pytest.raises(KeyError, match="make reports"):
        render_guide("{{ 09_none:n }}", tmp_path)


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_copy_runs_top_to_bottom(path, tmp_path, small_sample):
    [copy] = write_student_copies([path], tmp_path / "workshop")
    found = run_notebook(copy, tmp_path, data_dir=str(small_sample))
    assert not any(key.startswith("exercise_") for key in found["findings"]), "solutions leaked into the copy"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if not p.stem.startswith("00")], ids=lambda p: p.stem)
def test_each_step_notebook_carries_two_to_four_exercises(path):
    assert 2 <= len(exercises(nbformat.read(path, as_version=4))) <= 4
