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
    (tmp_path / "01_y.findings.json").write_text(json.dumps({"findings": {
        "budget_interval": {"value": [23329.2, 28152.0], "unit": "currency units"}, "pair": {"value": [1, 2]}}}))
    assert render_guide("{{ 01_y:budget_interval }}; {{ 01_y:pair }}", tmp_path) == (
        "23,329 to 28,152 currency units; 1, 2")  # an interval reads as one, other pairs stay lists
    with pytest.raises(KeyError, match="00_x:missing"):
        render_guide("{{ 00_x:missing }}", tmp_path)
    with pytest.raises(KeyError, match="make workshop"):
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


# --- issue 17: set-up in the agenda, student copies in the lab, a guide from its own deterministic run ---------
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

from customer_workbook import workshop  # noqa: E402

TEMPLATE = ROOT / "docs" / "workshop.template.md"
STEPS = [p for p in NOTEBOOKS if p.stem[:2] in {"00", "01", "02", "03", "04", "05"}]
DECISION = re.compile(r"\*\*(Decide|Recommend|Argue|Justify)\b")


def guide_block(text: str, stem: str) -> str:
    """The block of the guide template about one notebook (from its ``### NN ·`` heading to the next heading)."""
    start = text.index(f"### {stem[:2]} ·")
    return text[start:text.index("\n### ", start + 1) if "\n### " in text[start + 1:] else len(text)]


def make_dry_run(target: str) -> str:
    """The commands ``make -n <target>`` would run in the project."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    return subprocess.run(["make", "-n", "-C", str(ROOT), target], capture_output=True, text=True, check=True).stdout


def test_judgement_exercises_are_numbered_like_the_exercises():
    nb = notebook(nbformat.v4.new_markdown_cell("a", metadata={"tags": ["exercise"]}),
                  nbformat.v4.new_code_cell("1", metadata={"tags": ["solution"]}),
                  nbformat.v4.new_markdown_cell("b", metadata={"tags": ["exercise", "judgement"]}),
                  nbformat.v4.new_code_cell("2", metadata={"tags": ["solution"]}))
    assert workshop.judgement_exercises(nb) == [2]


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.stem)
def test_each_step_asks_for_judgement_and_the_guide_says_what_a_good_answer_contains(path):
    nb = nbformat.read(path, as_version=4)
    numbers = workshop.judgement_exercises(nb)
    assert numbers, f"{path.stem} has no exercise tagged 'judgement'"
    block = guide_block(TEMPLATE.read_text(encoding="utf-8"), path.stem)
    for n in numbers:
        assert DECISION.search(exercises(nb)[n - 1]["task"]), f"exercise {n} does not ask for a decision in bold"
        [line] = [" ".join(item.split()) for item in block.split("\n- ") if item.startswith(f"Exercise {n} (")]
        assert "**judgement**" in line and "A good answer" in line, f"{path.stem} exercise {n}: no good answer"
        assert workshop.PLACEHOLDER.search(line), f"{path.stem} exercise {n}: the good answer quotes no computed number"


def test_both_agendas_start_with_set_up_and_the_readme_matches_the_guide():
    text = TEMPLATE.read_text(encoding="utf-8")
    agendas = re.findall(r"\| time \| block .*?\n\|---.*?\n(\| 0:00 \|[^\n]*)", text)
    assert len(agendas) == 2 and all("Set-up" in first for first in agendas), agendas
    set_up = text[text.index("## Set-up"):text.index("## Formats")]
    assert "how long" in set_up and "when it fails" in set_up
    commands = set(re.findall(r"`(make [a-z-]+)`", set_up))
    assert {"make setup", "make workshop-lab"} <= commands
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Run a workshop"):readme.index("## Develop")]
    assert "Set-up" in section and all(f"`{c}`" in section for c in commands | {"make workshop", "make lab"})


def test_workshop_lab_opens_the_student_copies_and_lab_the_full_notebooks():
    student = make_dry_run("workshop-lab")
    assert "customer_workbook.workshop --copies-only" in student and "jupyter lab workshop/" in student
    full = make_dry_run("lab")
    assert "jupyter lab notebooks/" in full and "make workshop-lab" in full  # says where participants go


def test_make_workshop_needs_no_prior_batch():
    commands = make_dry_run("workshop")
    assert "python -m customer_workbook.workshop" in commands
    assert "reports/" not in commands and "customer_workbook.batch" not in commands


def test_copies_only_keeps_a_participants_answers(tmp_path):
    [first] = write_student_copies(NOTEBOOKS[:1], tmp_path)
    first.write_text("my answers")
    assert write_student_copies(NOTEBOOKS[:1], tmp_path, overwrite=False) == []
    assert first.read_text() == "my answers"
    assert write_student_copies(NOTEBOOKS[:1], tmp_path) == [first] and first.read_text() != "my answers"


def test_main_fills_the_guide_from_its_own_answer_run(tmp_path, monkeypatch):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "00_x.findings.json").write_text(json.dumps({"findings": {"n": {"value": 7, "unit": ""}}}))
    (tmp_path / "t.md").write_text("{{ 00_x:n }} customers")
    calls = []
    monkeypatch.setattr(workshop, "answer_run", lambda out, **kw: calls.append(out) or tmp_path / "run")
    code = workshop.main(["--notebooks", str(tmp_path), "--out", str(tmp_path / "copies"), "--run-dir",
                          str(tmp_path / "answers"), "--template", str(tmp_path / "t.md"), "--guide",
                          str(tmp_path / "guide.md")])
    assert code == 0 and calls == [str(tmp_path / "answers")]
    assert (tmp_path / "guide.md").read_text() == "7 customers"
    calls.clear()
    assert workshop.main(["--notebooks", str(tmp_path), "--out", str(tmp_path / "copies"), "--copies-only",
                          "--template", str(tmp_path / "t.md"), "--guide", str(tmp_path / "g2.md")]) == 0
    assert calls == [] and not (tmp_path / "g2.md").exists()


@pytest.mark.notebooks
def test_two_answer_runs_give_the_same_guide_byte_for_byte(tmp_path, small_sample):
    """The cheap part of the series (00 and 02) run twice as the answer run; the guide's lines about them match."""
    params = tmp_path / "workshop.yaml"
    params.write_text(f"run_name: workshop\ndescription: answer run\nparameters:\n  data_dir: {small_sample}\n")
    runs = [workshop.answer_run(tmp_path / attempt, params=params, only=["00", "02"]) for attempt in ("one", "two")]
    recorded = {f"{p.name.split('.')[0]}:{key}" for p in runs[0].glob("*.findings.json")
                for key in json.loads(p.read_text())["findings"]}
    quoted = [m.group(0) for m in workshop.PLACEHOLDER.finditer(TEMPLATE.read_text(encoding="utf-8"))
              if f"{m.group(1)}:{m.group(2)}" in recorded]  # the small sample skips a few of the shipped findings
    guides = [render_guide("\n".join(quoted), run).encode("utf-8") for run in runs]
    assert len(quoted) > 10 and guides[0] == guides[1]
