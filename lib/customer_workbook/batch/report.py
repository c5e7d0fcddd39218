"""HTML of a batch run: each notebook's report and the run's index.

Every value that reaches this HTML (findings, skipped sections, parameters, errors, titles, the run's
description and the index rows) goes through :func:`customer_workbook.escaping.html_text`. Text that
sits in a notebook Markdown cell is wrapped in a block-level HTML element, so Markdown syntax in a value
(``[x](javascript:…)``) is never parsed either.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path
from urllib.parse import quote

from ..decisions import DECISION_PREFIX
from ..escaping import html_text
from ..findings import format_value, headline_markdown, load_findings
from ..paths import atomic_write_text
from .parameters import declared_parameters, parameters_in_words
from .compare import COMPARE_CSS, comparison_section, read_run
from .plan import PLAN_CSS, plan_section
from .worker import Job, JobResult

__all__ = [
    "BANNERS", "REPORT_CSS", "RUNNER_SET", "TEMPLATES", "index_page", "render_report", "run_parameters", "write_index",
    "write_runs_index",
]

RUNNER_SET = ("findings_path", "interactive")
BANNERS = {
    "failed": ("This report did not complete.", "The output below stops at the failing cell."),
    "interrupted": ("This report was interrupted.", "The output below stops where the batch was stopped."),
}


def _one_block(text: str) -> str:
    """Escaped ``text`` on one line of HTML (a blank line would end the surrounding HTML block)."""
    return html_text(text).replace("\r", "").replace("\n", "<br>")


def _findings_cell(job: Job, findings: dict | None, error: str | None, toc: list[tuple[str, str]],
                   status: str = "failed"):
    """A Markdown cell that opens the report: failure banner or key findings, contents, parameters."""
    import nbformat

    parts = []
    if error or status != "ok":
        first, then = BANNERS.get(status, BANNERS["failed"])
        parts.append(f"<div class='cw-error'><b>{first}</b> {_one_block(error or '')}<br>{then}</div>")
    if findings:
        headline = headline_markdown(findings)
        if headline:
            parts.append("<h2 id='key-findings'>Key findings</h2>\n\n" + headline)
        skipped = [f"<li><i>Skipped:</i> {_one_block(s.get('section', ''))} (needs "
                   f"{_one_block(', '.join(map(str, s.get('missing', []))))})</li>"
                   for s in findings.get("skipped", []) if isinstance(s, dict)]
        if skipped:
            parts.append(f"<ul class='cw-skipped'>{''.join(skipped)}</ul>")
    if toc:
        links = "".join(f"<li><a href='#{html_text(anchor)}'>{_one_block(title)}</a></li>" for anchor, title in toc)
        parts.append(f"<nav class='cw-toc'><b>Contents</b><ul>{links}</ul></nav>")
    words = parameters_in_words(run_parameters(job), hidden=RUNNER_SET)
    parts.append("<div class='cw-params'><small>Run <b>{}</b>{}</small></div>".format(
        _one_block(job.run), f" · {_one_block(words)}" if words else ""))
    return nbformat.v4.new_markdown_cell("\n\n".join(parts), metadata={"tags": ["cw-findings"]})


def run_parameters(job: Job) -> dict:
    """The parameters ``job``'s notebook ran with: the defaults of its ``parameters`` cell, overridden by
    the run's own (only the run's when the notebook cannot be read)."""
    try:
        declared = declared_parameters(job.notebook)
    except (OSError, ValueError):
        return dict(job.parameters)
    values = {}
    for name, parameter in declared.items():
        try:
            values[name] = ast.literal_eval(parameter.default)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return {**values, **job.parameters}


def _anchor_sections(cells) -> list[tuple[str, str]]:
    """Put an anchor before every second-level heading; return (anchor, title) pairs for the contents."""
    toc = []
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        for i, line in enumerate(lines):
            if line.startswith("## "):
                anchor = f"section-{len(toc) + 1}"
                toc.append((anchor, line[3:].strip()))
                lines[i] = f"<a id='{anchor}'></a>\n\n{line}"
        cell.source = "\n".join(lines)
    return toc


#: Every page declares an empty icon, so a browser asks the server for nothing (no /favicon.ico request):
#: reports are self-contained files, opened from disk or any static server.
NO_ICON = "<link rel='icon' href='data:,'>"

REPORT_CSS = NO_ICON + """
<style>
.cw-error{background:#fdecea;border-left:4px solid #b00020;padding:.8em 1em;margin:1em 0}
.cw-toc{background:#f5f7fa;border-radius:6px;padding:.6em 1.2em;margin:1em 0}
.cw-toc ul{margin:.3em 0;padding-left:.4em;list-style:none}
.jp-Notebook{max-width:1100px;margin:auto}
.cw-params{color:#555}
/* tables fit the page: columns wrap at spaces; a table still wider than the page scrolls inside its own frame */
.jp-OutputArea-output.jp-RenderedHTMLCommon{max-width:100%;overflow-x:auto}
.jp-RenderedHTMLCommon table{display:block;max-width:100%;width:fit-content;overflow-x:auto;table-layout:auto;
border:1px solid #d0d7de;border-radius:4px}
.jp-RenderedHTMLCommon th{vertical-align:bottom}
</style>
"""
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def render_report(executed: Path, job: Job, findings: dict | None, error: str | None,
                  status: str | None = None) -> str:
    """Self-contained HTML of an executed notebook: code hidden, findings and contents first,
    stderr noise (warnings) dropped from successful runs, no scripts fetched from the network."""
    import nbformat
    from nbconvert import HTMLExporter

    status = status or ("ok" if error is None else "failed")
    title = (findings or {}).get("title") or job.notebook.stem
    if not executed.exists():
        first, _ = BANNERS.get(status, BANNERS["failed"])
        if status == "failed":
            first = "This report could not be produced."
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html_text(title)}</title>{REPORT_CSS}"
                f"</head><body><h1>{html_text(title)}</h1><div class='cw-error'><b>{first}</b> "
                f"{_one_block(error or 'unknown error')}</div></body></html>")
    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and status == "ok":
            cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    toc = _anchor_sections(nb.cells)
    first_md = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
                     and c.source.lstrip().startswith("#") and "papermill-error-cell-tag" not in c.source), -1)
    nb.cells.insert(first_md + 1, _findings_cell(job, findings, error, toc, status))
    nb.metadata["title"] = f"{title} · {job.run}"
    exporter = HTMLExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES)], exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return body.replace("</head>", REPORT_CSS + "</head>", 1)


def _status_cell(res: JobResult) -> str:
    if res.status == "ok":
        return "ok"
    return f"{res.status}: {_one_block(res.error or '')}"


def index_page(run_dir: Path, name: str, description: str, results: list[JobResult],
               parameters: dict | None = None) -> str:
    """``index.html`` of one run: its parameters in words, the customer-management plan (every notebook's decisions,
    :func:`~customer_workbook.batch.plan.plan_section`), then each report's status, time, link and headline findings
    (the decisions left out: the plan shows them)."""
    words = parameters_in_words(parameters or {}, hidden=RUNNER_SET)
    rows = []
    for res in sorted(results, key=lambda r: r.notebook):
        findings = {}
        if res.findings and (run_dir / res.findings).exists():
            try:
                findings = load_findings(run_dir / res.findings)
            except (ValueError, OSError):
                findings = {}
        title = findings.get("title") or res.notebook
        items = "".join(f"<li><b>{html_text(i.get('label', ''))}</b>: "
                        f"{html_text(format_value(i.get('value'), i.get('unit', '')))}</li>"
                        for k, i in findings.get("findings", {}).items()
                        if isinstance(i, dict) and i.get("headline") and not k.startswith(DECISION_PREFIX))
        link = (f"<a href='{html_text(quote(res.html))}'>{html_text(title)}</a>" if res.html
                else html_text(title))
        rows.append(f"<tr class='{res.status}'><td>{link}<div class='nb'>{html_text(res.notebook)}</div></td>"
                    f"<td>{_status_cell(res)}</td><td>{float(res.seconds or 0):.0f} s</td><td><ul>{items}</ul></td></tr>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{NO_ICON}<title>Customer workbook · {html_text(name)}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;width:100%}} td,th{{border-bottom:1px solid #ddd;padding:.6em;vertical-align:top;text-align:left}}
tr.failed td{{background:#fdecea}} tr.interrupted td{{background:#fff4e0}} .nb{{color:#666;font-size:.85em}}
ul{{margin:0;padding-left:1.1em}} .cw-params{{color:#555}}
{PLAN_CSS}
</style></head><body>
<h1>Customer workbook · {html_text(name)}</h1>
<p>{_one_block(description)}</p>
{f"<p class='cw-params'><small>{_one_block(words)}</small></p>" if words else ""}
{plan_section(run_dir, results)}
<h2>The reports</h2>
<table><thead><tr><th>Report</th><th>Status</th><th>Time</th><th>Key findings</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
</body></html>
"""


def write_index(run_dir: Path, spec, results: list[JobResult]) -> Path:
    """Write ``results.json`` and ``index.html`` of one run (atomically)."""
    page = index_page(run_dir, spec.name, spec.description, results, spec.parameters)
    atomic_write_text(run_dir / "results.json",
                      json.dumps([r.to_dict() for r in sorted(results, key=lambda r: r.notebook)], indent=2) + "\n")
    return atomic_write_text(run_dir / "index.html", page)


def write_runs_index(out_dir: Path, runs: list[str] | None = None) -> Path:
    """``reports/index.html``: a link to every run's index and, with two runs or more whose reports exist, the runs
    side by side (:func:`~customer_workbook.batch.compare.comparison_section`): each notebook's decisions and
    headline findings, one column per run, rows that differ beyond noise marked. ``runs`` (names) limits the
    comparison to those runs (by default every run in the folder)."""
    names = sorted(p.parent.name for p in out_dir.glob("*/index.html"))
    items = "".join(f"<li><a href='{html_text(quote(r))}/index.html'>{html_text(r)}</a></li>" for r in names)
    read = [read_run(out_dir / r, hidden=RUNNER_SET) for r in names if runs is None or r in runs]
    compared = comparison_section([r for r in read if r.findings])
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{NO_ICON}<title>Customer workbook reports</title>"
            f"<style>body{{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;"
            f"padding:0 1em;color:#222}}{COMPARE_CSS}</style></head>"
            f"<body><h1>Customer workbook reports</h1><ul>{items}</ul>{compared}</body></html>\n")
    return atomic_write_text(out_dir / "index.html", page)
