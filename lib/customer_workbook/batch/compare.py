"""Several runs side by side: the headline findings and decisions of each run, and where they differ beyond noise.

When one batch runs several parameter sets (two regions, two periods), the reports folder's index shows, for each
notebook, one row per headline finding or decision and one column per run. Whether two runs differ beyond noise
is computed, never guessed: a finding's interval is its record's ``interval`` (:meth:`Findings.add
<customer_workbook.findings.Findings.add>`) or its ``<key>_interval`` companion finding; a decision's is its
``value_low`` to ``value_high``. Two runs differ beyond noise when both have an interval and the intervals do not
overlap. A number without an interval is shown but never marked, and text is never marked. Only reports that
exist are compared; a notebook that failed in a run shows as failed there. Every value is escaped.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from urllib.parse import quote

from ..decisions import DECISION_PREFIX, decision_from_dict, value_text
from ..escaping import html_text
from ..findings import format_value, load_findings
from ..value_unit import MONEY
from .parameters import parameters_in_words

__all__ = ["COMPARE_CSS", "Cell", "Row", "RunReports", "compare_rows", "comparison_section", "differs_beyond_noise",
           "finding_interval", "read_run"]

_COUNT = re.compile(r"\s*\([\d,]+\)")  # a group's size in brackets, "(1,234)"

#: Style of the comparison section (inserted in the reports folder's index).
COMPARE_CSS = """
.cw-compare .frame{overflow-x:auto;border:1px solid #d0d7de;border-radius:4px;margin:.4em 0 1.2em}
.cw-compare table{border-collapse:collapse;width:100%;table-layout:fixed}
.cw-compare td,.cw-compare th{border-bottom:1px solid #ddd;padding:.45em .6em;vertical-align:top;text-align:left;
overflow-wrap:anywhere}
.cw-compare th.what{width:24%}.cw-compare th.mark{width:9em}
.cw-compare tr.differs td{background:#fff4e0}.cw-compare td.mark{font-weight:600;color:#8d4e00}
.cw-compare td.failed{background:#fdecea}.cw-compare small{color:#555}
.cw-compare .note{color:#444;font-size:.92em}
"""


@dataclass(frozen=True)
class RunReports:
    """One run's reports: ``status`` per notebook ("ok", "failed", "interrupted"), ``error`` per notebook that did
    not complete, the ``findings`` of each notebook whose report and findings exist, ``html`` (report file name) per
    notebook with a report, and the run's parameters in words."""

    name: str
    status: dict[str, str] = field(default_factory=dict)
    error: dict[str, str] = field(default_factory=dict)
    findings: dict[str, dict] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)
    words: str = ""


@dataclass(frozen=True)
class Cell:
    """One run's value of one row: ``text`` (plain, for people), its interval (None: no interval) and ``unit``."""

    text: str
    low: float | None = None
    high: float | None = None
    unit: str = ""

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class Row:
    """One headline finding or decision of one notebook across runs: ``cells`` by run name (a run without it has
    none) and ``differs``: the pairs of runs whose intervals do not overlap."""

    notebook: str
    label: str
    cells: dict[str, Cell]
    differs: tuple[tuple[str, str], ...] = ()


def _number(x) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) else None


def _pair(value) -> tuple[float, float] | None:
    """``(low, high)`` of a two-number list, None for anything else."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = _number(value[0]), _number(value[1])
        if low is not None and high is not None and low <= high:
            return low, high
    return None


def finding_interval(items: dict, key: str) -> tuple[float, float] | None:
    """The interval of the finding ``key`` among a findings file's ``items``: its own ``interval``, else the value
    of its ``<key>_interval`` companion; None when it has neither (or its value is not a number)."""
    record = items.get(key)
    if not isinstance(record, dict) or _number(record.get("value")) is None:
        return None
    companion = items.get(f"{key}_interval")
    return _pair(record.get("interval")) or (_pair(companion.get("value")) if isinstance(companion, dict) else None)


def differs_beyond_noise(a: Cell | None, b: Cell | None) -> bool:
    """True when both cells have an interval and the intervals do not overlap (a number without an interval is
    never marked)."""
    if a is None or b is None or not a.has_interval or not b.has_interval or a.unit != b.unit:
        return False
    return a.high < b.low or b.high < a.low


def read_run(run_dir: Path, hidden=("findings_path", "interactive")) -> RunReports:
    """A run's reports from its ``results.json`` (a run without one has none): findings only of the notebooks
    whose report and findings files exist."""
    run = RunReports(Path(run_dir).name)
    try:
        results = json.loads((Path(run_dir) / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return run
    for r in results if isinstance(results, list) else []:
        if not isinstance(r, dict) or not r.get("notebook"):
            continue
        nb = str(r["notebook"])
        run.status[nb] = str(r.get("status") or ("ok" if r.get("ok") else "failed"))
        if run.status[nb] != "ok":
            run.error[nb] = str(r.get("error") or run.status[nb])
        if r.get("html") and (Path(run_dir) / r["html"]).exists():
            run.html[nb] = str(r["html"])
            if r.get("findings") and (Path(run_dir) / r["findings"]).exists():
                try:
                    run.findings[nb] = load_findings(Path(run_dir) / r["findings"])
                except (OSError, ValueError):
                    pass
    first = next(iter(run.findings.values()), {})
    params = first.get("parameters") if isinstance(first.get("parameters"), dict) else {}
    return RunReports(run.name, run.status, run.error, run.findings, run.html, parameters_in_words(params, hidden))


def _finding_cells(findings: dict) -> dict[str, tuple[str, Cell]]:
    """``{key: (label, cell)}`` of a notebook's headline findings (decisions and interval companions left out)."""
    items = findings.get("findings", {}) if isinstance(findings.get("findings"), dict) else {}
    out = {}
    for key, item in items.items():
        if not isinstance(item, dict) or not item.get("headline") or key.startswith(DECISION_PREFIX):
            continue
        if key.endswith("_interval") and key.removesuffix("_interval") in items:
            continue                                            # shown as the interval of its finding
        unit = str(item.get("unit") or "")
        interval = finding_interval(items, key)
        text = format_value(item.get("value"), unit)
        low, high = interval or (None, None)
        if interval:
            text += f" (interval {format_value(low, unit)} to {format_value(high, unit)})"
        out[key] = (str(item.get("label") or key), Cell(text, low, high, unit))
    return out


def _decision_cells(findings: dict) -> dict[str, tuple[str, Cell]]:
    """``{key: (label, cell)}`` of a notebook's decisions, keyed by topic and audience."""
    record = findings.get("findings", {}).get("decisions", {})
    values = record.get("value", []) if isinstance(record, dict) else []
    unit = str(findings.get("value_unit") or MONEY)
    out = {}
    for item in values if isinstance(values, list) else []:
        try:
            d = decision_from_dict(item)
        except (TypeError, ValueError):
            continue
        whom = _COUNT.sub("", d.for_whom) if d.step == 5 else ""      # step 5 decides per group; its size varies
        key = f"{DECISION_PREFIX}{d.topic}|{whom}"
        value = "" if d.value is None else f" Value: {value_text(d, '' if unit == MONEY else unit)}, {d.basis}."
        cell = Cell(f"{d.action.rstrip('.')}.{value} Confidence {d.confidence}.", d.value_low, d.value_high, unit)
        label = f"Decision: {d.topic}" + (f" ({whom})" if whom else "")
        out.setdefault(key, (label, cell if d.value is not None else Cell(cell.text, unit=unit)))
    return out


def compare_rows(runs: list[RunReports]) -> list[Row]:
    """Every notebook's decisions then headline findings, in the order the runs first show them, with each run's
    cell and the pairs of runs that differ beyond noise (:func:`differs_beyond_noise`)."""
    notebooks = sorted({nb for run in runs for nb in (*run.status, *run.findings)})
    rows = []
    for nb in notebooks:
        per_run = {run.name: {**_decision_cells(run.findings[nb]), **_finding_cells(run.findings[nb])}
                   for run in runs if nb in run.findings}
        keys = list(dict.fromkeys(k for cells in per_run.values() for k in cells))
        keys.sort(key=lambda k: not k.startswith(DECISION_PREFIX))
        for key in keys:
            label = next(cells[key][0] for cells in per_run.values() if key in cells)
            cells = {name: c[key][1] for name, c in per_run.items() if key in c}
            differs = tuple((a.name, b.name) for a, b in combinations(runs, 2)
                            if differs_beyond_noise(cells.get(a.name), cells.get(b.name)))
            rows.append(Row(nb, label, cells, differs))
    return rows


def _cell_html(run: RunReports, row: Row) -> str:
    if row.notebook not in run.findings:          # the report row above says why (failed, not run)
        return "<td class='failed'><small>no report</small></td>" if run.status.get(row.notebook, "ok") != "ok" \
            else "<td><small>not run</small></td>" if row.notebook not in run.status else "<td><small>no findings</small></td>"
    cell = row.cells.get(run.name)
    return f"<td>{html_text(cell.text)}</td>" if cell else "<td><small>not recorded in this run</small></td>"


def _missing_html(run: RunReports, notebook: str) -> str:
    status = run.status.get(notebook)
    if status is None:
        return "<td><small>not run</small></td>"
    if status != "ok":
        return f"<td class='failed'>{html_text(status)}: {html_text(run.error.get(notebook, ''), 300)}</td>"
    return "<td class='failed'>no findings recorded</td>"


def _report_row(runs: list[RunReports], notebook: str, run_link) -> str:
    cells = []
    for run in runs:
        if notebook in run.findings:
            title = run.findings[notebook].get("title") or notebook
            cells.append(f"<td><a href='{html_text(run_link(run.name, run.html[notebook]))}'>{html_text(title)}"
                         f"</a></td>")
        else:
            cells.append(_missing_html(run, notebook))
    return f"<tr><td><b>Report</b></td>{''.join(cells)}<td></td></tr>"


def _mark(row: Row, n_runs: int) -> str:
    """The "differs" cell: empty, or the mark (and, with more than two runs, which pairs differ)."""
    if not row.differs:
        return "<td class='mark'></td>"
    pairs = "; ".join(f"{a} vs {b}" for a, b in row.differs)
    return f"<td class='mark'>&#8800; beyond noise{f'<br><small>{html_text(pairs)}</small>' if n_runs > 2 else ''}</td>"


def _marked_words(n: int) -> str:
    return ("No row differs beyond noise." if n == 0 else "1 row differs beyond noise." if n == 1
            else f"{n:,} rows differ beyond noise.")


def comparison_section(runs: list[RunReports]) -> str:
    """The runs side by side as an HTML section: one table per notebook, one column per run, rows that differ
    beyond noise marked; empty string with fewer than two runs."""
    if len(runs) < 2:
        return ""
    rows = compare_rows(runs)

    def run_link(run: str, html: str) -> str:
        return f"{quote(run)}/{quote(html)}"

    head = "".join(f"<th>{html_text(r.name)}<br><small>{html_text(r.words)}</small></th>" for r in runs)
    tables = []
    for nb in sorted({nb for run in runs for nb in (*run.status, *run.findings)}):
        body = _report_row(runs, nb, run_link) + "".join(
            f"<tr{' class=differs' if row.differs else ''}><td>{html_text(row.label)}</td>"
            f"{''.join(_cell_html(run, row) for run in runs)}{_mark(row, len(runs))}</tr>"
            for row in rows if row.notebook == nb)
        title = next((r.findings[nb].get("title") for r in runs if r.findings.get(nb, {}).get("title")), "")
        tables.append(f"<h3>{html_text(f'{nb[:2]} · {title}' if title else nb)}</h3><div class='frame'><table><thead><tr><th class='what'>Finding</th>"
                      f"{head}<th class='mark'>Differs</th></tr></thead><tbody>{body}</tbody></table></div>")
    n_marked = sum(1 for row in rows if row.differs)
    return (f"<section class='cw-compare' id='compare'><h2>The runs compared</h2>"
            f"<p>{len(runs)} runs side by side: each notebook's decisions and headline findings. "
            f"{_marked_words(n_marked)}</p>{''.join(tables)}"
            f"<p class='note'>A row is marked <b>&#8800; beyond noise</b> when the intervals of two runs do not "
            f"overlap (a finding's interval as its notebook records it; a decision's value range). A number without "
            f"an interval is shown but never marked, however far apart the runs are, and text is never marked. Only "
            f"reports that exist are compared; a notebook that did not complete in a run shows as failed.</p>"
            f"</section>")
