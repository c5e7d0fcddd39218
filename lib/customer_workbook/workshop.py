"""Workshop edition: student copies of the notebooks and a facilitator guide filled from real findings.

    python -m customer_workbook.workshop --findings reports/sample --out workshop \
        --template docs/workshop.template.md --guide docs/workshop.md

Exercises live in the notebooks themselves: a Markdown cell tagged ``exercise`` states the task and
the next code cell, tagged ``solution``, answers it, so the full notebooks still run top to bottom.
A student copy replaces each solution with a starter cell that keeps the solution's ``# Hint:``
comment lines and ends in ``...``, so it runs without errors. Later cells must not depend on an
exercise's result; the tests run every student copy to prove it.

The guide template holds placeholders ``{{ notebook:finding }}`` (e.g. ``{{ 00_data_overview:n_customers }}``)
that are replaced by the formatted values of a batch run's findings JSON, so expected answers are
never typed by hand.
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
    "PLACEHOLDER", "exercises", "main", "render_guide", "starter_source", "student_notebook",
    "write_student_copies",
]

EXERCISE, SOLUTION, STARTER = "exercise", "solution", "starter"
PLACEHOLDER = re.compile(r"\{\{\s*([0-9A-Za-z_]+):([0-9A-Za-z_]+)\s*\}\}")


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


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
            if following is None or following.cell_type != "code" or SOLUTION not in _tags(following):
                raise ValueError(f"exercise cell {i} must be followed by a code cell tagged '{SOLUTION}'")
            found.append({"task": cell.source, "solution": following.source})
    return found


def student_notebook(nb):
    """A copy of ``nb`` with every solution cell replaced by a starter cell (outputs cleared)."""
    student = copy.deepcopy(nb)
    for cell in student.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if SOLUTION in _tags(cell):
                cell.source = starter_source(cell.source)
                cell.metadata["tags"] = [t for t in _tags(cell) if t != SOLUTION] + [STARTER]
    return student


def write_student_copies(notebooks: list[Path], out_dir: str | Path) -> list[Path]:
    """Write the student copy of each notebook into ``out_dir``; returns the paths written."""
    out_dir = resolve_path(out_dir)
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        exercises(nb)  # validates the exercise/solution pairing
        target = out_dir / path.name
        atomic_write_text(target, nbformat.writes(student_notebook(nb)))
        written.append(target)
    return written


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
                raise KeyError(f"{match.group(0)}: no findings file {path} (run `make reports` first)")
            cache[notebook] = load_findings(path)["findings"]
        if key not in cache[notebook]:
            raise KeyError(f"{match.group(0)}: {notebook} records no finding '{key}'")
        item = cache[notebook][key]
        return format_value(item["value"], item.get("unit", ""))

    return PLACEHOLDER.sub(value, template)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m customer_workbook.workshop", description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", default="notebooks", help="folder of the series")
    parser.add_argument("--out", default="workshop", help="where the student copies go")
    parser.add_argument("--findings", default="reports/sample", help="a batch run's folder with findings JSON")
    parser.add_argument("--template", default="docs/workshop.template.md")
    parser.add_argument("--guide", default="docs/workshop.md")
    args = parser.parse_args(argv)
    notebooks = sorted(resolve_path(args.notebooks).glob("[0-9][0-9]_*.ipynb"))
    written = write_student_copies(notebooks, args.out)
    print(f"{len(written)} student notebook(s) written to {resolve_path(args.out)}")
    template = resolve_path(args.template)
    if template.exists():
        try:
            guide = render_guide(template.read_text(encoding="utf-8"), args.findings)
        except KeyError as exc:
            print(f"error: {exc.args[0]}", file=sys.stderr)
            return 1
        atomic_write_text(resolve_path(args.guide), guide)
        print(f"facilitator guide written to {resolve_path(args.guide)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
