"""The customer-management plan on one page: the decisions of every notebook of a run, in the method's order.

Each notebook records its decisions as the finding ``decisions`` (a list of
:meth:`customer_workbook.decisions.Decision.to_dict` records). This module reads them from the run's findings
files and writes the plan: for each step of the method, what to do, for whom, the expected value and its range,
whether the value is measured, estimated or assumed, the confidence, the leading indicators to watch and a link
to the evidence. Nothing on the page is typed: a step whose notebook could not decide says what data would
unlock it, and a notebook that failed says so. Every value from data is escaped.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..decisions import METHOD_STEPS, Decision, decision_from_dict, value_text
from ..escaping import html_text
from ..findings import load_findings
from .worker import JobResult

__all__ = ["PlanLine", "PLAN_CSS", "plan_lines", "plan_section"]

#: Style of the plan section (inserted in the run's index page).
PLAN_CSS = """
.cw-plan table{border-collapse:collapse;width:100%;table-layout:fixed}
.cw-plan td,.cw-plan th{border-bottom:1px solid #ddd;padding:.5em;vertical-align:top;text-align:left;overflow-wrap:anywhere}
.cw-plan .step{width:11em}.cw-plan .value{width:13em}.cw-plan .conf{width:7.5em}
.cw-plan .high{color:#1b5e20}.cw-plan .medium{color:#8d6e00}.cw-plan .low{color:#b00020}
.cw-plan .undecided td{background:#f5f5f5;color:#555}
.cw-watch{background:#f5f7fa;border-radius:6px;padding:.6em 1.2em;margin:1em 0}
"""


@dataclass(frozen=True)
class PlanLine:
    """One line of the plan: a notebook's decision and where its evidence is (``report``: the HTML file name,
    None when no report was written); ``failed`` holds the error when the notebook did not complete."""

    notebook: str
    report: str | None
    decision: Decision | None
    value_unit: str = "currency units"
    failed: str = ""


def _decisions(run_dir: Path, res: JobResult) -> tuple[list[Decision], str]:
    """The decisions a notebook recorded and its value unit (none when it recorded none or its file is bad)."""
    if not res.findings or not (run_dir / res.findings).exists():
        return [], "currency units"
    try:
        data = load_findings(run_dir / res.findings)
    except (ValueError, OSError):
        return [], "currency units"
    record = data.get("findings", {}).get("decisions", {})
    values = record.get("value", []) if isinstance(record, dict) else []
    out = []
    for item in values if isinstance(values, list) else []:
        try:
            out.append(decision_from_dict(item))
        except (TypeError, ValueError):
            continue  # a record this version cannot read is left out, never guessed
    return out, str(data.get("value_unit") or "currency units")


def plan_lines(run_dir: Path, results: list[JobResult]) -> list[PlanLine]:
    """Every decision of the run's notebooks, ordered by step of the method then notebook; a failed notebook
    gives one line with its error."""
    lines = []
    for res in sorted(results, key=lambda r: r.notebook):
        found, unit = _decisions(run_dir, res)
        if res.status != "ok":
            lines.append(PlanLine(res.notebook, res.html, None, unit, failed=res.error or res.status))
        lines += [PlanLine(res.notebook, res.html, d, unit) for d in found]
    return sorted(lines, key=lambda line: (line.decision.step if line.decision else 9, line.notebook))


def _value_cell(line: PlanLine) -> str:
    d = line.decision
    if d.value is None:
        return "not valued"
    unit = "" if line.value_unit == "currency units" else f" {line.value_unit}"
    return f"{html_text(value_text(d, unit.strip()))}<br><small>{html_text(d.basis)}</small>"


def _row(line: PlanLine) -> str:
    link = (f"<a href='{html_text(quote(line.report))}'>{html_text(line.notebook)}</a>" if line.report
            else html_text(line.notebook))
    if line.decision is None:
        return (f"<tr class='undecided'><td class='step'>{link}</td><td colspan='4'>This report did not complete: "
                f"{html_text(line.failed)}. Its decisions are missing from the plan.</td></tr>")
    d = line.decision
    what = f"<b>{html_text(d.topic)}</b>: {html_text(d.action)}"
    if d.for_whom:
        what += f"<br><small>For whom: {html_text(d.for_whom)}</small>"
    if d.unlock:
        what += f"<br><small>What would unlock it: {html_text(d.unlock)}</small>"
    evidence = f"{link}" + (f"<br><small>{html_text(d.evidence)}</small>" if d.evidence else "")
    return (f"<tr{' class=undecided' if d.unlock else ''}><td class='step'>{d.step}. "
            f"{html_text(METHOD_STEPS[d.step])}</td><td>{what}</td><td class='value'>{_value_cell(line)}</td>"
            f"<td class='conf {d.confidence}'>{d.confidence}</td><td>{evidence}</td></tr>")


def plan_section(run_dir: Path, results: list[JobResult]) -> str:
    """The plan as an HTML section for the top of the run's index (empty string when no notebook decided)."""
    lines = plan_lines(run_dir, results)
    if not lines:
        return ""
    watch = list(dict.fromkeys(i for line in lines if line.decision for i in line.decision.indicators))
    watch_html = (f"<div class='cw-watch'><b>Leading indicators to watch:</b> "
                  f"{'; '.join(html_text(i) for i in watch)}</div>" if watch else "")
    units = sorted({line.value_unit for line in lines if line.decision and line.decision.value is not None})
    unit_note = f"Values in {html_text(', '.join(units))}. " if units else ""
    return (f"<section class='cw-plan' id='plan'><h2>The customer-management plan</h2>"
            f"<p>{unit_note}Measured: a randomised test in the data; estimated: a model fitted to the history; "
            f"assumed: the run's parameters. Confidence is high only for a measured value whose range keeps its "
            f"sign.</p>{watch_html}<table><thead><tr><th class='step'>Step</th><th>Decision</th>"
            f"<th class='value'>Expected value</th><th class='conf'>Confidence</th><th>Evidence</th></tr></thead>"
            f"<tbody>{''.join(_row(line) for line in lines)}</tbody></table></section>")
