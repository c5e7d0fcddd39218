"""Load each run's data once, before its notebooks start, so every notebook reads them from the cache.

Every notebook's load cell calls :func:`customer_workbook.cache.load_dataset` with the run's load
parameters. Without a pre-load, two workers starting their first notebooks at once would both read,
validate and filter the same files. The runner therefore first runs, per distinct set of load
parameters (:data:`LOAD_PARAMETERS`, as each notebook would see them: the run's values over the
notebook's defaults), ``python -m customer_workbook.batch --preload <file>`` in a process of its own
(its memory is returned when it ends): it makes the load cell's call and builds the derived tables
(:func:`customer_workbook.base.derived`), each as one :mod:`customer_workbook.progress` step, then
writes a small result file.

Data that fail validation (:class:`~customer_workbook.data.DataValidationError`) fail the run fast: its
notebooks do not start, each gets a report and an index line with the loader's message. Any other
problem of the pre-load only warns; the notebooks then run and report it themselves, as before. With
the cache off (``CUSTOMER_WORKBOOK_CACHE=0``) nothing is pre-loaded: the notebooks could not reuse it.
"""
from __future__ import annotations

import ast
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ..paths import atomic_write_text
from .parameters import declared_parameters
from .worker import Job

__all__ = ["LOAD_PARAMETERS", "Preload", "load_parameters", "main", "plan_preloads", "preload"]

#: The notebook parameters the load cell passes to ``cache.load_dataset``, in its order.
LOAD_PARAMETERS = ("data_dir", "business_unit", "column_map", "start_date", "end_date", "date_format",
                   "event_map", "status_map", "engine")


@dataclass
class Preload:
    """One data set to load before the notebooks: its run, load parameters and the jobs that use it."""

    run: str
    parameters: dict
    jobs: list[Job]
    file: Path

    @property
    def result_file(self) -> Path:
        return self.file.with_suffix(".result.json")


def load_parameters(job: Job) -> dict | None:
    """The load parameters ``job``'s notebook will use (given values over its defaults), or ``None`` when
    its notebook does not load data or a default cannot be read as a literal."""
    declared = declared_parameters(job.notebook)
    if not all(name in declared for name in LOAD_PARAMETERS):
        return None
    values = {}
    for name in LOAD_PARAMETERS:
        if name in job.parameters:
            values[name] = job.parameters[name]
            continue
        try:
            values[name] = ast.literal_eval(declared[name].default)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return None
    return values


def plan_preloads(jobs: list[Job]) -> list[Preload]:
    """One :class:`Preload` per run and distinct set of load parameters, in the jobs' order."""
    found: dict[tuple[str, str], Preload] = {}
    for job in jobs:
        values = load_parameters(job)
        if values is None:
            continue
        key = (job.run, json.dumps(values, sort_keys=True, default=str))
        if key not in found:
            file = job.staging / f"preload-{len([p for p in found.values() if p.run == job.run]) + 1}.json"
            found[key] = Preload(job.run, values, [], file)
        found[key].jobs.append(job)
    return list(found.values())


def preload(values: dict) -> None:
    """Load, validate and filter the data as the notebooks' load cell does (through the cache), then
    build the derived tables, each step timed by :mod:`customer_workbook.progress`."""
    from .. import cache, progress
    from ..base import derived

    start, end = values["start_date"], values["end_date"]
    window = None if start is None and end is None else (start, end)
    with progress.step(f"Loading and validating {values['data_dir']}"):
        ds = cache.load_dataset(values["data_dir"], values["business_unit"], column_map=values["column_map"],
                                window=window, outside_window="drop", date_format=values["date_format"],
                                event_map=values["event_map"], status_map=values["status_map"],
                                engine=values["engine"])
    tables = derived(ds)  # each table a progress step of its own when built (a cached data set brings them)
    for name in ("orders", "sale_orders", "customers", "full_weeks"):
        getattr(tables, name)


def main(argv: list[str]) -> int:
    """``python -m customer_workbook.batch --preload <file>``: pre-load one data set, write its result
    file ``{"status": "ok" | "invalid" | "error", "error": text or null}``; the exit code is 0 either way."""
    from ..data import DataValidationError

    file = Path(argv[0])
    values = json.loads(file.read_text(encoding="utf-8"))
    try:
        preload(values)
        result = {"status": "ok", "error": None}
    except DataValidationError as exc:
        result = {"status": "invalid", "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - reported; the notebooks run and show it themselves
        result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
    atomic_write_text(file.with_suffix(".result.json"), json.dumps(result, indent=1) + "\n")
    if result["status"] != "ok":
        print(f"pre-load of {values['data_dir']} failed: {result['error']}", file=sys.stderr, flush=True)
    return 0
