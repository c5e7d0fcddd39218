"""Batch parameter files: read safely, checked against a schema before anything runs.

A parameter file describes one run (see ``params/README.md``). Every problem of a file is collected
and reported together in one :class:`ParameterFileError`, naming the file, the line, the key and what
was expected, with the closest valid name for a misspelt key:

- unknown keys at every level (top level, ``parameters``, ``notebook_parameters``, its notebook names
  and the parameter names inside each notebook's overrides);
- each value against the type of its default in the notebook's ``parameters`` cell (read with
  ``papermill.inspect_notebook``), or against :data:`NONE_DEFAULT_TYPES` where that default is ``None``;
- dates quoted or not (YAML reads an unquoted ``2025-01-01`` as a date), real calendar dates, start not
  after end; dates reach the notebooks as ``"YYYY-MM-DD"`` text;
- YAML syntax errors with their line; duplicate keys; documents that would expand beyond a sane size
  (alias bombs) are refused from the composed node graph, without ever expanding them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..data._sources import parse_source
from ..engine import ENGINES
from ..paths import resolve_path
from .parameters import NONE_DEFAULT_TYPES, Invalid, closest, declared_parameters, describe
from .yaml_safe import ParameterFileError, read_yaml

__all__ = ["NONE_DEFAULT_TYPES", "RUN_KEYS", "BatchConfigError", "ParameterFileError", "RunSpec", "load_run_spec",
           "load_run_specs", "series_notebooks"]

RUN_KEYS = ("run_name", "description", "parameters", "notebooks", "notebook_parameters")
RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
#: Parameters the batch runner sets itself for every notebook; a parameter file may not set them.
RUNNER_PARAMETERS = {"findings_path": "the batch writes findings next to each report",
                     "interactive": "batch reports are static (the runner sets it to False)"}


class BatchConfigError(ValueError):
    """Problems in one or more parameter files (or in the command line), reported together."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass
class RunSpec:
    """One batch run: a name, shared parameters and the notebooks to execute (validated)."""

    name: str
    parameters: dict
    notebooks: list[Path]
    notebook_parameters: dict = field(default_factory=dict)
    description: str = ""
    source: Path | None = None


# --------------------------------------------------------------------------- the schema


def _valid_list(candidates, limit: int = 12) -> str:
    candidates = sorted(map(str, candidates))
    shown = ", ".join(candidates[:limit]) + (", …" if len(candidates) > limit else "")
    return f" (valid: {shown})" if candidates else ""


def series_notebooks(folder: str | Path = "notebooks") -> list[Path]:
    """The numbered notebooks of the series (``NN_name.ipynb``), in order."""
    return sorted(p for p in resolve_path(folder).glob("[0-9][0-9]_*.ipynb"))


def _line_of(problem: str) -> int:
    """Sort key: problems in the order of their lines, those without a line first."""
    match = re.match(r"line (\d+)", problem)
    return int(match.group(1)) if match else 0


def load_run_spec(path: str | Path, notebooks_dir: str | Path = "notebooks") -> RunSpec:
    """Read and check one parameter file against the notebooks of ``notebooks_dir``.

    Every problem is collected; if there is any, a :class:`ParameterFileError` lists them all.
    Dates come back as ``"YYYY-MM-DD"`` text.
    """
    path = resolve_path(path)
    doc, lines = read_yaml(path)
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ParameterFileError(path, [f"expected a mapping with the keys {', '.join(RUN_KEYS)}, "
                                        f"got {describe(doc)}"])
    return _FileCheck(path, doc, lines, notebooks_dir).run_spec()


class _FileCheck:
    """The checks of one parameter file, in the order of its sections; ``problems`` collects them all."""

    def __init__(self, path: Path, doc: dict, lines: dict[tuple, int], notebooks_dir: str | Path):
        self.path, self.doc, self.lines, self.notebooks_dir = path, doc, lines, notebooks_dir
        self.problems: list[str] = []
        self.available = {p.stem: p for p in series_notebooks(notebooks_dir)}
        self.declared: dict[str, dict] = {}

    def at(self, *keys) -> str:
        line = self.lines.get(tuple(keys))
        return f"line {line}: " if line else ""

    def run_spec(self) -> RunSpec:
        self.top_level_keys()
        name, description = self.run_name(), self.description()
        run_notebooks = [self.available[n] for n in self.notebook_names() if n in self.available]
        self.read_declarations()
        # parameters are checked against the run's notebooks; if that list is broken, against the series
        in_run = {nb.stem for nb in run_notebooks} if run_notebooks else set(self.available)
        parameters = self.parameters(("parameters",), self.doc.get("parameters"), list(in_run))
        overrides = self.overrides(in_run)
        self.analysis_periods(in_run, parameters, overrides)
        self.data_folders(parameters, overrides)
        if self.problems:
            raise ParameterFileError(self.path, sorted(self.problems, key=_line_of))
        return RunSpec(name=name, parameters=parameters, notebooks=run_notebooks, notebook_parameters=overrides,
                       description=description, source=self.path)

    # ------------------------------------------------------------------ top level

    def top_level_keys(self) -> None:
        for key in self.doc:
            if not isinstance(key, str):
                self.problems.append(f"key {key!r} at the top level must be text; valid keys: {', '.join(RUN_KEYS)}")
            elif key not in RUN_KEYS:
                self.problems.append(f"{self.at(key)}unknown key '{key}' at the top level"
                                     f"{closest(key, RUN_KEYS) or _valid_list(RUN_KEYS)}")

    def run_name(self) -> str:
        name = self.doc.get("run_name")
        if name is None:
            name = self.path.stem
            if not RUN_NAME.fullmatch(name):
                self.problems.append(f"no run_name, and the file name {name!r} cannot be one: add run_name "
                                     "(letters, digits, '-' and '_', starting with a letter or digit, at most 100)")
        elif not isinstance(name, str):
            self.problems.append(f"{self.at('run_name')}run_name: expected text, got {describe(name)}; "
                                 "put it in quotes")
            name = str(name)
        elif not RUN_NAME.fullmatch(name):
            self.problems.append(f"{self.at('run_name')}run_name {name!r} must contain only letters, digits, '-' "
                                 "and '_', start with a letter or digit, and have at most 100 characters")
        return name

    def description(self) -> str:
        description = self.doc.get("description")
        if description is None:
            return ""
        if isinstance(description, (dict, list)):
            self.problems.append(f"{self.at('description')}description: expected one line of text, "
                                 f"got {describe(description)}")
            return ""
        return description.isoformat() if isinstance(description, dt.date) else str(description)

    def notebook_names(self) -> list[str]:
        wanted = self.doc.get("notebooks")
        if wanted is None:
            if not self.available:
                self.problems.append(f"no notebooks NN_*.ipynb in {resolve_path(self.notebooks_dir)}")
            return list(self.available)
        if not isinstance(wanted, list) or not wanted:
            self.problems.append(f"{self.at('notebooks')}notebooks: expected a non-empty list of notebook names "
                                 f"(or leave it out for the whole series), got {describe(wanted)}")
            return []
        names: list[str] = []
        for item in wanted:
            if not isinstance(item, str):
                self.problems.append(f"{self.at('notebooks')}notebooks: {item!r} is not a notebook name "
                                     "(expected text)")
            elif item not in self.available:
                self.problems.append(f"{self.at('notebooks')}notebooks: notebook '{item}' not found in "
                                     f"{resolve_path(self.notebooks_dir)}"
                                     f"{closest(item, self.available) or _valid_list(self.available)}")
            elif item in names:
                self.problems.append(f"{self.at('notebooks')}notebooks: '{item}' is listed twice")
            else:
                names.append(item)
        return names

    def read_declarations(self) -> None:
        for nb in self.available.values():
            try:
                self.declared[nb.stem] = declared_parameters(nb)
            except Exception as exc:  # not JSON, not a notebook ...
                self.declared[nb.stem] = {}
                self.problems.append(f"notebook {nb} cannot be read ({type(exc).__name__}: {exc})")

    # ------------------------------------------------------------------ parameters

    def value(self, where: str, key_path: tuple, name: str, value: Any, notebooks: list[str]) -> Any:
        """``value`` of parameter ``name`` checked against every notebook in ``notebooks`` declaring it."""
        result = value
        for nb in notebooks:
            param = self.declared[nb][name]
            try:
                result = param.check(value)
            except Invalid as exc:
                default = f" [default in {nb}: {param.default}]" if name not in NONE_DEFAULT_TYPES else ""
                self.problems.append(f"{self.at(*key_path)}{where}: {exc}{default}")
                return value
        return result

    def parameters(self, section: tuple, given: Any, notebooks: list[str]) -> dict:
        where_section = ".".join(section)
        if given is None:
            return {}
        if not isinstance(given, dict):
            self.problems.append(f"{self.at(*section)}{where_section}: expected a mapping of parameter names to "
                                 f"values, got {describe(given)}")
            return {}
        names = {n for nb in notebooks for n in self.declared[nb]}
        out = {}
        for key, value in given.items():
            if self.known_parameter(section, key, names, notebooks):
                out[key] = self.value(f"{where_section}.{key}", section + (key,), key, value,
                                      [nb for nb in notebooks if key in self.declared[nb]])
        return out

    def known_parameter(self, section: tuple, key: Any, names: set[str], notebooks: list[str]) -> bool:
        """True when ``key`` is a parameter the run's notebooks declare; otherwise a problem says why not."""
        where_section = ".".join(section)
        where = f"{where_section}.{key}"
        if not isinstance(key, str):
            self.problems.append(f"{self.at(*section)}{where_section}: parameter name {key!r} must be text")
            return False
        if key in RUNNER_PARAMETERS:
            self.problems.append(f"{self.at(*section, key)}{where}: set by the batch runner "
                                 f"({RUNNER_PARAMETERS[key]}); remove it")
            return False
        if key in names:
            return True
        elsewhere = sorted(nb for nb, params in self.declared.items() if key in params and nb not in notebooks)
        if elsewhere:
            self.problems.append(f"{self.at(*section, key)}{where}: declared only by {', '.join(elsewhere)}, which "
                                 "this run does not include, so it would be ignored")
        else:
            valid = names - set(RUNNER_PARAMETERS)
            self.problems.append(f"{self.at(*section, key)}{where}: unknown parameter '{key}': no notebook declares "
                                 f"it{closest(key, valid) or _valid_list(valid)}")
        return False

    def overrides(self, in_run: set[str]) -> dict[str, dict]:
        given = self.doc.get("notebook_parameters")
        overrides: dict[str, dict] = {}
        if given is not None and not isinstance(given, dict):
            self.problems.append(f"{self.at('notebook_parameters')}notebook_parameters: expected a mapping of "
                                 f"notebook name to {{parameter: value}}, got {describe(given)}")
            return overrides
        for nb, values in (given or {}).items():
            if not isinstance(nb, str) or nb not in self.available:
                hint = closest(str(nb), self.available) or _valid_list(self.available)
                self.problems.append(f"{self.at('notebook_parameters', str(nb))}notebook_parameters: unknown "
                                     f"notebook '{nb}'{hint}")
            elif nb not in in_run:
                self.problems.append(f"{self.at('notebook_parameters', nb)}notebook_parameters.{nb}: this run's "
                                     "notebooks list does not include it, so these values would be ignored")
            else:
                overrides[nb] = self.parameters(("notebook_parameters", nb), values, [nb])
        return overrides

    # ------------------------------------------------------------------ across parameters

    def analysis_periods(self, in_run: set[str], parameters: dict, overrides: dict[str, dict]) -> None:
        """Start not after end, in each notebook's effective parameters."""
        for nb in sorted(in_run):
            merged = {**parameters, **overrides.get(nb, {})}
            start, end = merged.get("start_date"), merged.get("end_date")
            if not (isinstance(start, str) and isinstance(end, str) and _ISO_DATE.fullmatch(start)
                    and _ISO_DATE.fullmatch(end) and start > end):
                continue
            key = ("notebook_parameters", nb, "start_date") if "start_date" in overrides.get(nb, {}) \
                else ("parameters", "start_date")
            message = f"{self.at(*key)}start_date {start} is after end_date {end}"
            if message not in self.problems:
                self.problems.append(message)

    def data_folders(self, parameters: dict, overrides: dict[str, dict]) -> None:
        """``data_dir``: an existing folder, or a database source (:mod:`customer_workbook.data._sources`)
        whose database file exists; ``engine``: one of :data:`customer_workbook.engine.ENGINES`. A Spark
        database is checked when the notebook loads it (that needs the session)."""
        sections = [(("parameters",), parameters)] + [(("notebook_parameters", nb), v) for nb, v in overrides.items()]
        for section, values in sections:
            where = ".".join(section)
            folder = values.get("data_dir")
            if isinstance(folder, str):
                problem = _data_dir_problem(folder)
                if problem:
                    self.problems.append(f"{self.at(*section, 'data_dir')}{where}.data_dir: {problem}")
            engine = values.get("engine")
            if isinstance(engine, str) and engine.strip().lower() not in ENGINES:
                self.problems.append(f"{self.at(*section, 'engine')}{where}.engine: {engine!r} is not an engine; "
                                     f"expected one of {', '.join(ENGINES)}")


def _data_dir_problem(value: str) -> str | None:
    """What is wrong with a ``data_dir`` value before any notebook runs, or None."""
    try:
        database = parse_source(value)
    except ValueError as exc:
        return str(exc)
    if database is None:
        return None if resolve_path(value).is_dir() else f"folder {resolve_path(value)} does not exist"
    try:
        database.check_exists()
    except FileNotFoundError as exc:
        return str(exc)
    return None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def load_run_specs(paths: list[str | Path], notebooks_dir: str | Path = "notebooks") -> list[RunSpec]:
    """Load every parameter file; report the problems of all of them (and duplicate run names) at once."""
    specs, messages = [], []
    for p in paths:
        try:
            specs.append(load_run_spec(p, notebooks_dir))
        except ParameterFileError as exc:
            messages.append(str(exc))
    by_name: dict[str, list[str]] = {}
    for spec in specs:
        by_name.setdefault(spec.name, []).append(str(spec.source))
    for name, files in by_name.items():
        if len(files) > 1:
            messages.append(f"run name '{name}' is used by {len(files)} parameter files ({', '.join(files)}); "
                            "run names must be unique (each run writes reports/<run_name>/)")
    if messages:
        raise BatchConfigError(messages)
    return specs
