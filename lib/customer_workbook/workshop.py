"""Workshop edition: student copies of the notebooks and a facilitator guide filled from real findings.

    python -m customer_workbook.workshop                        # copies + answer run + guide (make workshop)
    python -m customer_workbook.workshop --copies-only          # student copies only (make workshop-lab)
    python -m customer_workbook.workshop --findings reports/sample   # fill the guide from an existing run

Exercises live in the notebooks themselves: a Markdown cell tagged ``exercise`` states the task and
the next code cell, tagged ``solution``, answers it, so the full notebooks still run top to bottom.
A student copy replaces each solution with a starter cell that keeps the solution's ``# Hint:``
comment lines and ends in ``...``, so it runs without errors. Later cells must not depend on an
exercise's result; the tests run every student copy to prove it.

The guide template holds placeholders ``{{ notebook:finding }}`` (e.g. ``{{ 00_data_overview:n_customers }}``)
that are replaced by the formatted values of a batch run's findings JSON, so expected answers are
never typed by hand. By default that run is the workshop's own *answer run*: the series on the shipped
sample with the parameters of ``params/sample.yaml`` (fixed seeds), written to ``build/workshop/``, so
the guide needs no prior batch and two runs give the same guide byte for byte.

An exercise whose Markdown cell is also tagged ``judgement`` asks for a decision argued with the data;
the guide says what a good answer to it contains.
"""
from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

from .findings import format_value, load_findings
from .paths import atomic_write_text, resolve_path

__all__ = [
    "ANSWER_PARAMETERS", "ANSWER_RUN_DIR", "PLACEHOLDER", "answer_run", "exercises", "is_solution",
    "judgement_exercises", "main", "render_guide", "starter_source", "student_notebook", "write_student_copies",
]

EXERCISE, SOLUTION, STARTER, JUDGEMENT = "exercise", "solution", "starter", "judgement"
#: The parameter file of the answer run (the shipped sample, the notebooks' defaults, fixed seeds).
ANSWER_PARAMETERS = "params/sample.yaml"
#: Where the answer run writes its reports and findings (``<dir>/<run_name>/``); outside reports/ on purpose.
ANSWER_RUN_DIR = "build/workshop"
PLACEHOLDER = re.compile(r"\{\{\s*([0-9A-Za-z_]+):([0-9A-Za-z_]+)\s*\}\}")


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def is_solution(cell) -> bool:
    """Whether ``cell`` answers an exercise: a code cell tagged ``solution`` (the one test, shared by the
    student copies here and the app's copies in :func:`customer_workbook.widgets.app_notebook`)."""
    return cell.get("cell_type") == "code" and SOLUTION in _tags(cell)


def starter_source(solution: str) -> str:
    """The starter that replaces a solution: its ``# Hint:`` lines, then ``...`` (runs, does nothing)."""
    hints = [line.strip() for line in solution.splitlines() if line.strip().lower().startswith("# hint")]
    return "\n".join(["# Your turn: write your answer here and run the cell.", *hints, "..."])


def exercises(nb) -> list[dict]:
    """The exercises of a notebook: ``{"task": markdown, "solution": code}`` in order.

    Raises ValueError when an ``exercise`` cell is not directly followed by a ``solution`` code cell.
    """
    found = []
    for i, cell in enumerate(nb.cells):
        if EXERCISE in _tags(cell):
            following = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
            if following is None or not is_solution(following):
                raise ValueError(f"exercise cell {i} must be followed by a code cell tagged '{SOLUTION}'")
            found.append({"task": cell.source, "solution": following.source})
    return found


def judgement_exercises(nb) -> list[int]:
    """Numbers (1-based, in notebook order) of the exercises whose task cell is also tagged ``judgement``."""
    tasks = [cell for cell in nb.cells if EXERCISE in _tags(cell)]
    return [n for n, cell in enumerate(tasks, start=1) if JUDGEMENT in _tags(cell)]


def student_notebook(nb):
    """A copy of ``nb`` with every solution cell replaced by a starter cell (outputs cleared)."""
    student = copy.deepcopy(nb)
    for cell in student.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if is_solution(cell):
                cell.source = starter_source(cell.source)
                cell.metadata["tags"] = [t for t in _tags(cell) if t != SOLUTION] + [STARTER]
    return student


def write_student_copies(notebooks: list[Path], out_dir: str | Path, overwrite: bool = True) -> list[Path]:
    """Write the student copy of each notebook into ``out_dir``; returns the paths written.

    With ``overwrite=False`` a copy that already exists is kept (a participant's answers are never lost).
    """
    out_dir = resolve_path(out_dir)
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        exercises(nb)  # validates the exercise/solution pairing
        target = out_dir / path.name
        if overwrite or not target.exists():
            atomic_write_text(target, nbformat.writes(student_notebook(nb)))
            written.append(target)
    return written


def _formatted(key: str, item: dict) -> str:
    """A finding as the guide shows it; a two-number ``*_interval`` in any unit reads "a to b unit"."""
    value, unit = item["value"], item.get("unit", "")
    if key.endswith("_interval") and isinstance(value, list) and len(value) == 2 and unit not in ("pp", "share"):
        return f"{format_value(value[0])} to {format_value(value[1], unit)}"
    return format_value(value, unit)


def render_guide(template: str, findings_dir: str | Path) -> str:
    """Replace every ``{{ notebook:key }}`` in ``template`` with that finding from ``findings_dir``.

    Raises KeyError naming the placeholder when a notebook's findings or a key are missing.
    """
    findings_dir = resolve_path(findings_dir)
    cache: dict[str, dict] = {}

    def value(match: re.Match) -> str:
        notebook, key = match.groups()
        if notebook not in cache:
            path = findings_dir / f"{notebook}.findings.json"
            if not path.exists():
                raise KeyError(f"{match.group(0)}: no findings file {path} (run `make workshop`, which makes the answer run)")
            cache[notebook] = load_findings(path)["findings"]
        if key not in cache[notebook]:
            raise KeyError(f"{match.group(0)}: {notebook} records no finding '{key}'")
        return _formatted(key, cache[notebook][key])

    return PLACEHOLDER.sub(value, template)


def answer_run(out_dir: str | Path = ANSWER_RUN_DIR, params: str | Path = ANSWER_PARAMETERS,
               notebooks_dir: str | Path = "notebooks", only: list[str] | None = None, jobs: int = 2) -> Path:
    """Run the series (or the notebooks starting with ``only``) as a batch of ``params`` into ``out_dir``.

    Returns the run's folder holding the findings JSON. Deterministic: the notebooks' seeds are fixed and
    the guide reads only findings. Raises RuntimeError when the batch does not complete.
    """
    from .batch import load_run_spec
    from .batch import main as batch_main

    args = [str(resolve_path(params)), "--out", str(resolve_path(out_dir)), "--jobs", str(jobs),
            "--notebooks-dir", str(resolve_path(notebooks_dir))]
    if batch_main(args + (["--notebooks", *only] if only else [])) != 0:
        raise RuntimeError(f"the answer run did not complete (see {resolve_path(out_dir)})")
    return resolve_path(out_dir) / load_run_spec(resolve_path(params), resolve_path(notebooks_dir)).name


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m customer_workbook.workshop", description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", default="notebooks", help="folder of the series")
    parser.add_argument("--out", default="workshop", help="where the student copies go")
    parser.add_argument("--copies-only", action="store_true", help="only write the missing student copies (keeps existing ones); no answer run, no guide")
    parser.add_argument("--findings", default=None,
                        help="an existing batch run's folder with findings JSON (default: make the answer run)")
    parser.add_argument("--run-dir", default=ANSWER_RUN_DIR, help="where the answer run goes")
    parser.add_argument("--template", default="docs/workshop.template.md")
    parser.add_argument("--guide", default="docs/workshop.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Command line: student copies, then (unless ``--copies-only``) the answer run and the guide."""
    args = _arguments(argv)
    notebooks = sorted(resolve_path(args.notebooks).glob("[0-9][0-9]_*.ipynb"))
    written = write_student_copies(notebooks, args.out, overwrite=not args.copies_only)
    kept = f" ({len(notebooks) - len(written)} existing copies kept)" if len(written) < len(notebooks) else ""
    print(f"{len(written)} student notebook(s) written to {resolve_path(args.out)}{kept}")
    template = resolve_path(args.template)
    if args.copies_only or not template.exists():
        return 0
    try:
        findings = args.findings or answer_run(args.run_dir, notebooks_dir=args.notebooks)
        guide = render_guide(template.read_text(encoding="utf-8"), findings)
    except (KeyError, RuntimeError) as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 1
    atomic_write_text(resolve_path(args.guide), guide)
    print(f"facilitator guide written to {resolve_path(args.guide)} (answers from {resolve_path(findings)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
