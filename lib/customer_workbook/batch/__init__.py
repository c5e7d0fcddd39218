"""Run the notebook series in batch and write HTML reports plus an index.

    python -m customer_workbook.batch params/sample.yaml [more.yaml ...] [--jobs N] [--notebooks 00 01]

Each parameter file describes one run (see ``params/README.md``)::

    run_name: sample                 # reports go to reports/<run_name>/
    description: The shipped sample company, all regions.
    parameters:                      # given to every notebook that declares them
      data_dir: data/sample
      start_date: 2025-01-01         # dates quoted or not
    notebooks: [00_data_overview, 01_behaviour]  # optional subset (default: every notebooks/NN_*.ipynb)
    notebook_parameters:             # optional per-notebook overrides
      01_behaviour: {rfm_bins: 4}

Every parameter file is checked before anything runs (unknown keys and parameters with the closest
valid name, each value against its default in the notebook, dates, YAML syntax with its line, alias
bombs): all problems of a file are listed together and the command exits 2.

Notebooks run with papermill (kernel ``python3``, a per-cell timeout), each in a worker process of its
own, in parallel across notebooks and runs. Each executed notebook becomes a self-contained HTML report
with the code hidden and the key findings first. A failing notebook still gets its HTML, showing the
error; the others complete; the exit code is 1 and the failures are listed. Ctrl-C or SIGTERM stops
the kernels and queued notebooks, writes each run's index (the rest marked interrupted) and exits 130 or
143. A second batch writing the same run folder is refused. Every file is written atomically; a full
disk is reported as such.
"""
from __future__ import annotations

import argparse
import sys

from .report import render_report, write_index, write_runs_index
from .runner import (DEFAULT_CELL_TIMEOUT, STOP_GRACE, BatchInterrupted, DiskFullError, RunLockedError,
                     notebook_parameter_names, plan_jobs, run_batch)
from .spec import (NONE_DEFAULT_TYPES, RUN_KEYS, BatchConfigError, ParameterFileError, RunSpec, load_run_spec,
                   load_run_specs, series_notebooks)
from .worker import KERNEL, KERNEL_ARGUMENTS, Job, JobResult, run_job

__all__ = ["DEFAULT_CELL_TIMEOUT", "KERNEL", "KERNEL_ARGUMENTS", "NONE_DEFAULT_TYPES", "RUN_KEYS", "STOP_GRACE",
           "BatchConfigError", "BatchInterrupted", "DiskFullError", "Job", "JobResult", "ParameterFileError",
           "RunLockedError", "RunSpec", "load_run_spec", "load_run_specs", "main", "notebook_parameter_names",
           "plan_jobs", "render_report", "run_batch", "run_job", "series_notebooks", "write_index",
           "write_runs_index"]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    """Command line. Exit codes: 0 all reports ok; 1 a notebook failed or the disk is full; 2 invalid
    parameter files or arguments, or the run folder is locked by another batch (nothing ran);
    130 / 143 interrupted by SIGINT / SIGTERM (indexes written, the rest marked interrupted)."""
    parser = argparse.ArgumentParser(prog="python -m customer_workbook.batch", description=__doc__.split("\n")[0])
    parser.add_argument("param_files", nargs="+", help="YAML parameter files, one run each")
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument("--jobs", type=_positive, default=None, help="parallel notebooks (default: CPU count)")
    parser.add_argument("--timeout", type=_positive, default=DEFAULT_CELL_TIMEOUT, help="seconds per cell")
    parser.add_argument("--notebooks", nargs="*", default=None, help="only notebooks starting with these prefixes")
    parser.add_argument("--notebooks-dir", default="notebooks", help="folder of the series (default: notebooks)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    from ..paths import resolve_path

    out = resolve_path(args.out)
    try:
        results = run_batch(args.param_files, args.out, args.jobs, args.timeout, args.notebooks, args.notebooks_dir)
    except (BatchConfigError, RunLockedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DiskFullError as exc:
        print(f"error: {exc.strerror}", file=sys.stderr)
        return 1
    except BatchInterrupted as exc:
        done = [r for r in exc.results if r.status != "interrupted"]
        print(f"Interrupted ({exc}): {len(done)} notebook(s) finished, {len(exc.results) - len(done)} marked "
              f"interrupted; indexes written under {out}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted before any notebook started", file=sys.stderr)
        return 130
    failed = [r for r in results if not r.ok]
    print(f"Reports written to {out}; open {out / 'index.html'}")
    if failed:
        print(f"{len(failed)} notebook(s) failed:", file=sys.stderr)
        for r in failed:
            where = f" (see {out / r.run / r.html})" if r.html else ""
            print(f"  - {r.run}/{r.notebook}: {r.error}{where}", file=sys.stderr)
        return 1
    return 0
