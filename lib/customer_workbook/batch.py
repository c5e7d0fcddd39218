"""Run the notebook series in batch and write HTML reports plus an index.

    python -m customer_workbook.batch params/sample.yaml [more.yaml ...] [--jobs N] [--notebooks 00 01]

Each parameter file describes one run (see ``params/sample.yaml``)::

    run_name: sample                 # reports go to reports/<run_name>/
    description: The shipped sample company, all regions.
    parameters:                      # given to every notebook that declares them
      data_dir: data/sample
    notebooks: [00_data_overview]    # optional subset (default: every notebooks/NN_*.ipynb)
    notebook_parameters:             # optional per-notebook overrides
      00_data_overview: {top_n: 10}

Notebooks run with papermill (kernel ``python3``, a per-cell timeout) in parallel across notebooks
and runs. Each executed notebook becomes a self-contained HTML report with the code hidden and the
key findings first. A failing notebook still gets its HTML, showing the error; the others complete;
the exit code is non-zero and the failures are listed. Every file is written atomically.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

import yaml

from .findings import format_value, headline_markdown, load_findings
from .paths import atomic_write_text, project_root, resolve_path

KERNEL = "python3"
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]  # no start-up chatter from every kernel in batch logs
DEFAULT_CELL_TIMEOUT = 600  # seconds per cell
RUN_KEYS = {"run_name", "description", "parameters", "notebooks", "notebook_parameters"}


@dataclass
class RunSpec:
    """One batch run: a name, shared parameters and the notebooks to execute."""

    name: str
    parameters: dict
    notebooks: list[Path]
    notebook_parameters: dict = field(default_factory=dict)
    description: str = ""


@dataclass
class Job:
    run: str
    notebook: Path
    parameters: dict
    out_dir: Path
    timeout: int


@dataclass
class JobResult:
    run: str
    notebook: str
    ok: bool
    seconds: float
    html: str
    findings: str | None = None
    error: str | None = None


def series_notebooks(folder: str | Path = "notebooks") -> list[Path]:
    """The numbered notebooks of the series (``NN_name.ipynb``), in order."""
    return sorted(p for p in resolve_path(folder).glob("[0-9][0-9]_*.ipynb"))


def load_run_spec(path: str | Path, notebooks_dir: str | Path = "notebooks") -> RunSpec:
    """Read and check one parameter file; unknown keys and unknown notebooks are clear errors."""
    path = resolve_path(path)
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(spec, dict):
        raise ValueError(f"{path}: expected a mapping with keys {sorted(RUN_KEYS)}")
    unknown = set(spec) - RUN_KEYS
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {sorted(unknown)}; allowed: {sorted(RUN_KEYS)}")
    available = {p.stem: p for p in series_notebooks(notebooks_dir)}
    wanted = spec.get("notebooks") or list(available)
    missing = [n for n in wanted if n not in available]
    if missing:
        raise ValueError(f"{path}: notebook(s) {missing} not found; available: {list(available)}")
    name = str(spec.get("run_name") or path.stem)
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"{path}: run_name {name!r} must contain only letters, digits, '-' and '_'")
    return RunSpec(name=name, parameters=dict(spec.get("parameters") or {}),
                   notebooks=[available[n] for n in wanted],
                   notebook_parameters=dict(spec.get("notebook_parameters") or {}),
                   description=str(spec.get("description") or ""))


def notebook_parameter_names(notebook: Path) -> set[str]:
    """Names declared in the notebook's ``parameters`` cell."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


def plan_jobs(specs: list[RunSpec], out_dir: Path, timeout: int) -> list[Job]:
    """One job per (run, notebook), with only the parameters each notebook declares."""
    jobs = []
    for spec in specs:
        run_dir = out_dir / spec.name
        used: set[str] = set()
        for nb in spec.notebooks:
            declared = notebook_parameter_names(nb)
            given = {**spec.parameters, **spec.notebook_parameters.get(nb.stem, {})}
            params = {k: v for k, v in given.items() if k in declared}
            used |= set(params)
            params.update({k: v for k, v in {
                "findings_path": str(run_dir / f"{nb.stem}.findings.json"), "interactive": False,
            }.items() if k in declared})
            jobs.append(Job(spec.name, nb, params, run_dir, timeout))
        unused = set(spec.parameters) - used
        if unused:
            print(f"warning: run '{spec.name}': parameter(s) {sorted(unused)} are not used by any notebook",
                  flush=True)
    return jobs


# --------------------------------------------------------------------------- one job


def _execute(job: Job, executed: Path) -> str | None:
    """Execute one notebook into ``executed``; return an error description, or None on success."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    for attempt in (1, 2):
        try:
            papermill.execute_notebook(
                str(job.notebook), str(executed), parameters=job.parameters, kernel_name=KERNEL,
                cwd=str(project_root()), execution_timeout=job.timeout, progress_bar=False, log_output=False,
                extra_arguments=KERNEL_ARGUMENTS)
            return None
        except PapermillExecutionError as exc:
            return f"cell In [{exc.exec_count}]: {exc.ename}: {exc.evalue}"
        except Exception as exc:  # kernel start race, dead kernel, timeout ...
            if attempt == 1 and "Address already in use" in str(exc):
                continue
            return f"{type(exc).__name__}: {exc}"
    return None


def run_job(job: Job) -> JobResult:
    """Execute one notebook and write its HTML report (also on failure). Runs in a worker process."""
    started = time.perf_counter()
    stem = job.notebook.stem
    staging = job.out_dir / ".staging"
    staging.mkdir(parents=True, exist_ok=True)
    findings_path = job.out_dir / f"{stem}.findings.json"
    findings_path.unlink(missing_ok=True)  # never show last run's findings next to this run's report
    executed = staging / f"{stem}.{os.getpid()}.ipynb"
    error = _execute(job, executed)
    findings = load_findings(findings_path) if findings_path.exists() else None
    page = render_report(executed, job, findings, error)
    html_path = atomic_write_text(job.out_dir / f"{stem}.html", page)
    if executed.exists():
        (job.out_dir / "executed").mkdir(exist_ok=True)
        os.replace(executed, job.out_dir / "executed" / f"{stem}.ipynb")
    return JobResult(job.run, stem, error is None, round(time.perf_counter() - started, 1), html_path.name,
                     findings_path.name if findings else None, error)


# --------------------------------------------------------------------------- HTML


def _findings_cell(job: Job, findings: dict | None, error: str | None, toc: list[tuple[str, str]]):
    """A Markdown cell that opens the report: failure banner or key findings, contents, parameters."""
    import nbformat

    parts = []
    if error:
        parts.append(f"<div class='cw-error'><b>This report did not complete.</b> "
                     f"{html.escape(error)}<br>The output below stops at the failing cell.</div>")
    if findings:
        headline = headline_markdown(findings)
        if headline:
            parts.append("<h2 id='key-findings'>Key findings</h2>\n\n" + headline)
        for skipped in findings.get("skipped", []):
            parts.append(f"- *Skipped:* {skipped['section']} (needs {', '.join(skipped['missing'])})")
    if toc:
        links = "".join(f"<li><a href='#{anchor}'>{html.escape(title)}</a></li>" for anchor, title in toc)
        parts.append(f"<nav class='cw-toc'><b>Contents</b><ul>{links}</ul></nav>")
    shown = {k: v for k, v in job.parameters.items() if k not in ("findings_path", "interactive")}
    if shown:
        parts.append("<small>Run <code>{}</code> · parameters: {}</small>".format(
            html.escape(job.run), html.escape(", ".join(f"{k}={v!r}" for k, v in shown.items()))))
    return nbformat.v4.new_markdown_cell("\n\n".join(parts), metadata={"tags": ["cw-findings"]})


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


REPORT_CSS = """
<style>
.cw-error{background:#fdecea;border-left:4px solid #b00020;padding:.8em 1em;margin:1em 0}
.cw-toc{background:#f5f7fa;border-radius:6px;padding:.6em 1.2em;margin:1em 0}
.cw-toc ul{margin:.3em 0;padding-left:.4em;list-style:none}
.jp-Notebook{max-width:1100px;margin:auto}
</style>
"""
TEMPLATES = Path(__file__).parent / "templates"


def render_report(executed: Path, job: Job, findings: dict | None, error: str | None) -> str:
    """Self-contained HTML of an executed notebook: code hidden, findings and contents first,
    stderr noise (warnings) dropped from successful runs, no scripts fetched from the network."""
    import nbformat
    from nbconvert import HTMLExporter

    title = (findings or {}).get("title") or job.notebook.stem
    if not executed.exists():
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>{REPORT_CSS}"
                f"</head><body><h1>{html.escape(title)}</h1><div class='cw-error'><b>This report could not be "
                f"produced.</b> {html.escape(error or 'unknown error')}</div></body></html>")
    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and not error:
            cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    toc = _anchor_sections(nb.cells)
    first_md = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
                     and c.source.lstrip().startswith("#") and "papermill-error-cell-tag" not in c.source), -1)
    nb.cells.insert(first_md + 1, _findings_cell(job, findings, error, toc))
    nb.metadata["title"] = f"{title} · {job.run}"
    exporter = HTMLExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES)], exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return body.replace("</head>", REPORT_CSS + "</head>", 1)


def write_index(run_dir: Path, spec: RunSpec, results: list[JobResult]) -> Path:
    """``index.html`` of one run: each report's status, time, link and headline findings."""
    rows = []
    for res in sorted(results, key=lambda r: r.notebook):
        findings = load_findings(run_dir / res.findings) if res.findings else {}
        title = findings.get("title", res.notebook)
        items = "".join(f"<li><b>{html.escape(i['label'])}</b>: {html.escape(format_value(i['value'], i.get('unit', '')))}</li>"
                        for i in findings.get("findings", {}).values() if i.get("headline"))
        status = "ok" if res.ok else f"failed: {html.escape(res.error or '')}"
        rows.append(f"<tr class='{'ok' if res.ok else 'failed'}'><td><a href='{res.html}'>{html.escape(title)}</a>"
                    f"<div class='nb'>{res.notebook}</div></td><td>{status}</td><td>{res.seconds:.0f} s</td>"
                    f"<td><ul>{items}</ul></td></tr>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Customer workbook · {html.escape(spec.name)}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;width:100%}} td,th{{border-bottom:1px solid #ddd;padding:.6em;vertical-align:top;text-align:left}}
tr.failed td{{background:#fdecea}} .nb{{color:#666;font-size:.85em}} ul{{margin:0;padding-left:1.1em}}
</style></head><body>
<h1>Customer workbook · {html.escape(spec.name)}</h1>
<p>{html.escape(spec.description)}</p>
<table><thead><tr><th>Report</th><th>Status</th><th>Time</th><th>Key findings</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
</body></html>
"""
    atomic_write_text(run_dir / "results.json", json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return atomic_write_text(run_dir / "index.html", page)


# --------------------------------------------------------------------------- the batch


def run_batch(param_files: list[str | Path], out_dir: str | Path = "reports", jobs: int | None = None,
              timeout: int = DEFAULT_CELL_TIMEOUT, only: list[str] | None = None,
              notebooks_dir: str | Path = "notebooks") -> list[JobResult]:
    """Run every (parameter file, notebook) pair, in parallel, and write reports and indexes.

    ``only`` restricts to notebooks whose name starts with one of the given prefixes (e.g. ``["00"]``);
    ``notebooks_dir`` is the folder of the series. Returns one :class:`JobResult` per notebook run.
    """
    specs = [load_run_spec(p, notebooks_dir) for p in param_files]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"run names must be unique across parameter files, got {names}")
    if only:
        for spec in specs:
            spec.notebooks = [nb for nb in spec.notebooks if any(nb.stem.startswith(o) for o in only)]
    out_dir = resolve_path(out_dir)
    planned = plan_jobs(specs, out_dir, timeout)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(planned)))
    results: list[JobResult] = []
    print(f"Running {len(planned)} notebook(s) in {len(specs)} run(s) with {workers} worker(s)", flush=True)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(run_job, job): job for job in planned}
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results.append(result)
            status = "ok" if result.ok else f"FAILED ({result.error})"
            print(f"[{done}/{len(planned)}] {result.run}/{result.notebook}: {status} in {result.seconds:.1f} s",
                  flush=True)
    for spec in specs:
        run_dir = out_dir / spec.name
        write_index(run_dir, spec, _with_earlier_results(run_dir, [r for r in results if r.run == spec.name]))
        shutil.rmtree(run_dir / ".staging", ignore_errors=True)
    write_runs_index(out_dir)
    return results


def _with_earlier_results(run_dir: Path, results: list[JobResult]) -> list[JobResult]:
    """Add the earlier results of notebooks this run did not execute (e.g. ``--notebooks 05``), so the
    index keeps listing every report still in the folder."""
    earlier_file = run_dir / "results.json"
    if not earlier_file.exists():
        return results
    done = {r.notebook for r in results}
    earlier = [JobResult(**r) for r in json.loads(earlier_file.read_text(encoding="utf-8"))]
    return results + [r for r in earlier if r.notebook not in done and (run_dir / r.html).exists()]


def write_runs_index(out_dir: Path) -> Path:
    """``reports/index.html`` linking every run's index."""
    runs = sorted(p.parent.name for p in out_dir.glob("*/index.html"))
    items = "".join(f"<li><a href='{html.escape(r)}/index.html'>{html.escape(r)}</a></li>" for r in runs)
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Customer workbook reports</title>"
            f"<style>body{{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto}}</style></head>"
            f"<body><h1>Customer workbook reports</h1><ul>{items}</ul></body></html>\n")
    return atomic_write_text(out_dir / "index.html", page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m customer_workbook.batch", description=__doc__.split("\n")[0])
    parser.add_argument("param_files", nargs="+", help="YAML parameter files, one run each")
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument("--jobs", type=int, default=None, help="parallel notebooks (default: CPU count)")
    parser.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT, help="seconds per cell")
    parser.add_argument("--notebooks", nargs="*", default=None, help="only notebooks starting with these prefixes")
    parser.add_argument("--notebooks-dir", default="notebooks", help="folder of the series (default: notebooks)")
    args = parser.parse_args(argv)
    try:
        results = run_batch(args.param_files, args.out, args.jobs, args.timeout, args.notebooks, args.notebooks_dir)
    except (ValueError, FileNotFoundError, yaml.YAMLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = [r for r in results if not r.ok]
    out = resolve_path(args.out)
    print(f"Reports written to {out}; open {out / 'index.html'}")
    if failed:
        print(f"{len(failed)} notebook(s) failed:", file=sys.stderr)
        for r in failed:
            print(f"  - {r.run}/{r.notebook}: {r.error} (see {out / r.run / r.html})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
