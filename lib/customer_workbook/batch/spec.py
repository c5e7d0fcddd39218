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

import ast
import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from ..paths import resolve_path

RUN_KEYS = ("run_name", "description", "parameters", "notebooks", "notebook_parameters")
RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
#: Parameters the batch runner sets itself for every notebook; a parameter file may not set them.
RUNNER_PARAMETERS = {"findings_path": "the batch writes findings next to each report",
                     "interactive": "batch reports are static (the runner sets it to False)"}
MAX_FILE_BYTES = 256 * 1024  # a parameter file is a few lines
MAX_NODES = 20_000  # YAML nodes after resolving aliases; a real file has a few dozen
MAX_ALIASES = 200


class ParameterFileError(ValueError):
    """A batch parameter file is not valid. ``problems`` lists every problem found in ``path``."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = Path(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{path}: {len(self.problems)} problem(s) in this batch parameter file:\n{lines}")


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


# --------------------------------------------------------------------------- reading YAML safely


class _TooBig(Exception):
    pass


class _SafeLoader(yaml.SafeLoader):
    """A safe loader that counts aliases while composing and keeps impossible timestamps as text
    (YAML's resolver turns ``2025-02-30`` into a date and the constructor then crashes with no line)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.alias_count = getattr(self, "alias_count", 0) + 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _TooBig(f"line {mark.line + 1}: more than {MAX_ALIASES} YAML aliases (*name); "
                              "a parameter file never needs that many")
        return super().compose_node(parent, index)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.Node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded, computed on the node graph
    (each shared node once), so an alias bomb is measured without being expanded. Raises
    :class:`_TooBig` beyond :data:`MAX_NODES` or on a recursive alias."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise _TooBig(f"line {node.start_mark.line + 1}: a YAML alias refers to the node that contains it")
        visiting.add(key)
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise _TooBig(f"the document expands to more than {MAX_NODES:,} values (YAML aliases "
                              "repeating other aliases?); a parameter file is a few dozen lines")
        visiting.discard(key)
        sizes[key] = total
        return total

    size(root)
    return sizes[id(root)]


def _lines_and_duplicates(node: yaml.Node, path: tuple = (), depth: int = 0,
                          lines: dict | None = None, problems: list | None = None):
    """Line numbers of the keys of the first three mapping levels, and duplicate keys (which YAML
    would silently resolve to the last value)."""
    lines = {} if lines is None else lines
    problems = [] if problems is None else problems
    if isinstance(node, yaml.MappingNode) and depth < 3:
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            line = key_node.start_mark.line + 1
            if key_node.value in seen:
                where = ".".join(path + (key_node.value,))
                problems.append(f"line {line}: key '{where}' is given twice (also on line {seen[key_node.value]}); "
                                "keep one")
            seen[key_node.value] = line
            lines[path + (key_node.value,)] = line
            _lines_and_duplicates(value_node, path + (key_node.value,), depth + 1, lines, problems)
    return lines, problems


def read_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    """The document of ``path`` and the line of each key (first levels), or a ParameterFileError."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise ParameterFileError(path, ["is a folder, not a YAML file"]) from None
    except FileNotFoundError:
        raise ParameterFileError(path, ["file not found"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ParameterFileError(path, [f"is {len(raw):,} bytes; a parameter file is at most {MAX_FILE_BYTES:,}"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterFileError(path, [f"is not UTF-8 text (byte {exc.start}); save it as UTF-8"]) from None
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _expanded_size(node)
        lines, duplicates = _lines_and_duplicates(node)
        if duplicates:
            raise ParameterFileError(path, duplicates)
        return loader.construct_document(node), lines
    except _TooBig as exc:
        raise ParameterFileError(path, [f"refused: {exc}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise ParameterFileError(path, [f"{where}YAML syntax error: {what}"]) from None
    except yaml.YAMLError as exc:
        raise ParameterFileError(path, [f"YAML error: {exc}"]) from None
    except RecursionError:
        raise ParameterFileError(path, ["refused: the YAML is nested too deeply"]) from None
    finally:
        loader.dispose()


# --------------------------------------------------------------------------- value types


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value.isoformat()}" if type(value) is dt.date else f"the date and time {value}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:59] + "…"
        return f"the text {shown!r}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return f"a mapping of {len(value)}"
    return type(value).__name__


class Invalid(Exception):
    """A value does not match its expected type; the message says what was expected."""


# A checker takes a value and returns it normalised (dates as text) or raises Invalid.
Checker = Callable[[Any], Any]


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise Invalid(f"expected a date (YYYY-MM-DD), got {_describe(value)}")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise Invalid(f"expected a date as YYYY-MM-DD, got {_describe(value)}")
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise Invalid(f"{value!r} is not a real date (expected YYYY-MM-DD)") from None
    raise Invalid(f"expected a date (YYYY-MM-DD), got {_describe(value)}")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    hint = "; if you meant the text, put it in quotes" if isinstance(value, (bool, int, float, dt.date)) else ""
    raise Invalid(f"expected text, got {_describe(value)}{hint}")


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"expected a number, got {_describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(f"expected a finite number, got {value!r}")
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise Invalid(f"expected plain YAML values (text, numbers, true/false, lists, mappings), got {_describe(value)}")
    return value


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"expected a whole number, got {_describe(value)}")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {_describe(value)}")
    return value


def _nullable(check: Checker, what: str) -> Checker:
    """``check``, or null. ``what`` names both (for messages that list alternatives)."""
    def checker(value):
        return None if value is None else check(value)
    return checker


def _either(*checks: tuple[Checker, str]) -> Checker:
    def checker(value):
        for check, _ in checks:
            try:
                return check(value)
            except Invalid:
                continue
        raise Invalid(f"expected {' or '.join(w for _, w in checks)}, got {_describe(value)}")
    return checker


def _mapping_of(key: Checker, value: Checker, what: str) -> Checker:
    def checker(mapping):
        if not isinstance(mapping, dict):
            raise Invalid(f"expected {what}, got {_describe(mapping)}")
        out = {}
        for k, v in mapping.items():
            try:
                out[key(k)] = value(v)
            except Invalid as exc:
                raise Invalid(f"at {k!r}: {exc} (expected {what})") from None
        return out
    return checker


def _table_name(value: Any) -> str:
    from ..contract import TABLES

    name = _text(value)
    if name not in TABLES:
        raise Invalid(f"{name!r} is not a table of the data contract{_closest(name, TABLES)}")
    return name


_text_map = _mapping_of(_text, _text, "a mapping of text to text")

#: Types of the parameters whose default in the notebooks is ``None`` (or says too little, like ``{}``):
#: ``papermill.inspect_notebook`` cannot infer them from the default.
NONE_DEFAULT_TYPES: dict[str, tuple[Checker, str]] = {
    "start_date": (_nullable(_date, "a date YYYY-MM-DD or null"), "a date YYYY-MM-DD or null"),
    "end_date": (_nullable(_date, "a date YYYY-MM-DD or null"), "a date YYYY-MM-DD or null"),
    "cross_sell_cutoff": (_nullable(_date, "a date YYYY-MM-DD or null"), "a date YYYY-MM-DD or null"),
    "business_unit": (_nullable(_text, "text or null"), "text or null"),
    "findings_path": (_nullable(_text, "text or null"), "text or null"),
    "assignments_path": (_nullable(_text, "text or null"), "text or null"),
    "column_map": (_mapping_of(_table_name, _text_map, "a mapping of table to {your column: contract column}"),
                   "a mapping of table to {your column: contract column}"),
    "date_format": (_nullable(_either((_text, "text"),
                                      (_mapping_of(_table_name, _either((_text, "text"), (_text_map, "a mapping")),
                                                   "a mapping of table to a format"), "a mapping of table to "
                                       "a format or to {column: format}")),
                              "text, a mapping of table to a format or to {column: format}, or null"),
                    "text, a mapping of table to a format or to {column: format}, or null"),
    "carryover": (_either((_boolean, "true or false"), (lambda v: v if v == "auto" else _fail(v, '"auto"'),
                                                        '"auto"')), 'true, false or "auto"'),
}


def _fail(value, what):
    raise Invalid(f"expected {what}, got {_describe(value)}")


def _uniform_items(items: list) -> tuple[Checker, str] | None:
    """One checker for all the items of a default list or mapping (numbers, whole numbers, texts or
    booleans), or None when they are mixed."""
    if all(isinstance(x, bool) for x in items):
        return _boolean, "booleans"
    if all(isinstance(x, int) and not isinstance(x, bool) for x in items):
        return _whole, "whole numbers"
    if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in items):
        return _number, "numbers"
    if all(isinstance(x, str) for x in items):
        return _text, "texts"
    return None


def _checker_for_default(default: Any) -> tuple[Checker, str] | None:
    """A checker for a parameter whose default is the Python literal ``default``."""
    if isinstance(default, bool):
        return _boolean, "true or false"
    if isinstance(default, int):
        return _whole, "a whole number"
    if isinstance(default, float):
        return _number, "a number"
    if isinstance(default, str):
        return _text, "text"
    if isinstance(default, (list, tuple)) and default:
        item = _uniform_items(default)
        if item is None:
            return None
        item_check, item_what = item
        fixed = len(default) if isinstance(default, tuple) else None
        what = (f"a list of {fixed} " if fixed else "a list of ") + item_what

        def checker(value, item_check=item_check, fixed=fixed, what=what):
            if not isinstance(value, (list, tuple)) or (fixed and len(value) != fixed) or not value:
                raise Invalid(f"expected {what}, got {_describe(value)}")
            out = []
            for i, v in enumerate(value):
                try:
                    out.append(item_check(v))
                except Invalid as exc:
                    raise Invalid(f"item {i + 1}: {exc} (expected {what})") from None
            return out
        return checker, what
    if isinstance(default, dict) and default and all(isinstance(k, str) for k in default):
        item = _uniform_items(list(default.values()))
        if item is None:
            return None
        value_check, value_what = item
        keys = list(default)
        what = f"a mapping of {', '.join(keys)} to {value_what}"

        def checker(value, keys=keys, value_check=value_check, what=what):
            if not isinstance(value, dict):
                raise Invalid(f"expected {what}, got {_describe(value)}")
            out = {}
            for k, v in value.items():
                if k not in keys:
                    raise Invalid(f"unknown key {k!r}{_closest(str(k), keys)} (expected {what})")
                try:
                    out[k] = value_check(v)
                except Invalid as exc:
                    raise Invalid(f"at {k!r}: {exc}") from None
            return out
        return checker, what
    return None


def _any_plain(value: Any) -> Any:
    """Values of parameters of unknown type: plain YAML data, dates as text."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_any_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _any_plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(f"expected a finite number, got {value!r}")
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise Invalid(f"expected plain YAML values (text, numbers, true/false, lists, mappings), got {_describe(value)}")
    return value


@dataclass(frozen=True)
class DeclaredParameter:
    name: str
    notebook: str
    default: str
    check: Checker
    expected: str


def _parameter_checker(name: str, default_source: str) -> tuple[Checker, str]:
    if name in NONE_DEFAULT_TYPES:
        return NONE_DEFAULT_TYPES[name]
    try:
        default = ast.literal_eval(default_source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _any_plain, "any value"
    return _checker_for_default(default) or (_any_plain, "any value")


@lru_cache(maxsize=64)
def _declared_cached(path: str, mtime_ns: int) -> tuple[DeclaredParameter, ...]:
    from papermill.inspection import _infer_parameters
    from papermill.iorw import load_notebook_node

    stem = Path(path).stem
    nb = load_notebook_node(path)
    # the batch always runs kernel python3, also for notebooks saved without a kernelspec (jupytext)
    inferred = {p.name: p._asdict() for p in _infer_parameters(nb, name="python3", language="python")}
    out = []
    for name, info in inferred.items():
        check, expected = _parameter_checker(name, str(info.get("default")))
        out.append(DeclaredParameter(name, stem, str(info.get("default")), check, expected))
    return tuple(out)


def declared_parameters(notebook: Path) -> dict[str, DeclaredParameter]:
    """The parameters of ``notebook``'s ``parameters`` cell, each with the check of its value."""
    return {p.name: p for p in _declared_cached(str(notebook), notebook.stat().st_mtime_ns)}


# --------------------------------------------------------------------------- the schema


def _closest(name: str, candidates) -> str:
    match = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


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
    problems: list[str] = []

    def at(*keys) -> str:
        line = lines.get(tuple(keys))
        return f"line {line}: " if line else ""

    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ParameterFileError(path, [f"expected a mapping with the keys {', '.join(RUN_KEYS)}, "
                                        f"got {_describe(doc)}"])
    for key in doc:
        if not isinstance(key, str):
            problems.append(f"key {key!r} at the top level must be text; valid keys: {', '.join(RUN_KEYS)}")
        elif key not in RUN_KEYS:
            problems.append(f"{at(key)}unknown key '{key}' at the top level{_closest(key, RUN_KEYS) or _valid_list(RUN_KEYS)}")

    # run_name and description
    name = doc.get("run_name")
    if name is None:
        name = path.stem
        if not RUN_NAME.fullmatch(name):
            problems.append(f"no run_name, and the file name {name!r} cannot be one: add run_name "
                            "(letters, digits, '-' and '_', starting with a letter or digit, at most 100)")
    elif not isinstance(name, str):
        problems.append(f"{at('run_name')}run_name: expected text, got {_describe(name)}; put it in quotes")
        name = str(name)
    elif not RUN_NAME.fullmatch(name):
        problems.append(f"{at('run_name')}run_name {name!r} must contain only letters, digits, '-' and '_', "
                        "start with a letter or digit, and have at most 100 characters")
    description = doc.get("description")
    if description is None:
        description = ""
    elif isinstance(description, (dict, list)):
        problems.append(f"{at('description')}description: expected one line of text, got {_describe(description)}")
        description = ""
    else:
        description = description.isoformat() if isinstance(description, dt.date) else str(description)

    # notebooks
    available = {p.stem: p for p in series_notebooks(notebooks_dir)}
    wanted = doc.get("notebooks")
    if wanted is None:
        wanted = list(available)
        if not available:
            problems.append(f"no notebooks NN_*.ipynb in {resolve_path(notebooks_dir)}")
    elif not isinstance(wanted, list) or not wanted:
        problems.append(f"{at('notebooks')}notebooks: expected a non-empty list of notebook names "
                        f"(or leave it out for the whole series), got {_describe(wanted)}")
        wanted = []
    else:
        names, seen = [], set()
        for item in wanted:
            if not isinstance(item, str):
                problems.append(f"{at('notebooks')}notebooks: {item!r} is not a notebook name (expected text)")
            elif item not in available:
                problems.append(f"{at('notebooks')}notebooks: notebook '{item}' not found in "
                                f"{resolve_path(notebooks_dir)}{_closest(item, available) or _valid_list(available)}")
            elif item in seen:
                problems.append(f"{at('notebooks')}notebooks: '{item}' is listed twice")
            else:
                seen.add(item)
                names.append(item)
        wanted = names
    run_notebooks = [available[n] for n in wanted if n in available]
    declared = {}
    for nb in available.values():
        try:
            declared[nb.stem] = declared_parameters(nb)
        except Exception as exc:  # not JSON, not a notebook ...
            declared[nb.stem] = {}
            problems.append(f"notebook {nb} cannot be read ({type(exc).__name__}: {exc})")
    # parameters are checked against the run's notebooks; if that list is broken, against the series
    in_run = {nb.stem for nb in run_notebooks} if run_notebooks else set(available)

    def check_value(where: str, key_path: tuple, name: str, value: Any, notebooks: list[str]) -> Any:
        """Check ``value`` of parameter ``name`` against every notebook in ``notebooks`` declaring it."""
        result = value
        for nb in notebooks:
            param = declared[nb][name]
            try:
                result = param.check(value)
            except Invalid as exc:
                problems.append(f"{at(*key_path)}{where}: {exc}"
                                + (f" [default in {nb}: {param.default}]" if name not in NONE_DEFAULT_TYPES else ""))
                return value
        return result

    def check_parameters(section: tuple, given: Any, notebooks: list[str]) -> dict:
        where_section = ".".join(section)
        if given is None:
            return {}
        if not isinstance(given, dict):
            problems.append(f"{at(*section)}{where_section}: expected a mapping of parameter names to values, "
                            f"got {_describe(given)}")
            return {}
        names = {n for nb in notebooks for n in declared[nb]}
        out = {}
        for key, value in given.items():
            where = f"{where_section}.{key}"
            if not isinstance(key, str):
                problems.append(f"{at(*section)}{where_section}: parameter name {key!r} must be text")
                continue
            if key in RUNNER_PARAMETERS:
                problems.append(f"{at(*section, key)}{where}: set by the batch runner ({RUNNER_PARAMETERS[key]}); "
                                "remove it")
                continue
            if key not in names:
                elsewhere = sorted(nb for nb, params in declared.items() if key in params and nb not in notebooks)
                if elsewhere:
                    problems.append(f"{at(*section, key)}{where}: declared only by {', '.join(elsewhere)}, which "
                                    "this run does not include, so it would be ignored")
                else:
                    close = _closest(key, names - set(RUNNER_PARAMETERS))
                    problems.append(f"{at(*section, key)}{where}: unknown parameter '{key}': no notebook declares it"
                                    f"{close or _valid_list(names - set(RUNNER_PARAMETERS))}")
                continue
            out[key] = check_value(where, section + (key,), key, value, [nb for nb in notebooks if key in declared[nb]])
        return out

    parameters = check_parameters(("parameters",), doc.get("parameters"), list(in_run))

    overrides_in = doc.get("notebook_parameters")
    overrides: dict[str, dict] = {}
    if overrides_in is not None and not isinstance(overrides_in, dict):
        problems.append(f"{at('notebook_parameters')}notebook_parameters: expected a mapping of notebook name "
                        f"to {{parameter: value}}, got {_describe(overrides_in)}")
    elif overrides_in:
        for nb, given in overrides_in.items():
            if not isinstance(nb, str) or nb not in available:
                problems.append(f"{at('notebook_parameters', str(nb))}notebook_parameters: unknown notebook '{nb}'"
                                f"{_closest(str(nb), available) or _valid_list(available)}")
                continue
            if nb not in in_run:
                problems.append(f"{at('notebook_parameters', nb)}notebook_parameters.{nb}: this run's notebooks "
                                "list does not include it, so these values would be ignored")
                continue
            overrides[nb] = check_parameters(("notebook_parameters", nb), given, [nb])

    # the analysis period, for each notebook's effective parameters
    for nb in sorted(in_run):
        merged = {**parameters, **overrides.get(nb, {})}
        start, end = merged.get("start_date"), merged.get("end_date")
        if isinstance(start, str) and isinstance(end, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", start) \
                and re.fullmatch(r"\d{4}-\d{2}-\d{2}", end) and start > end:
            key = ("notebook_parameters", nb, "start_date") if "start_date" in overrides.get(nb, {}) \
                else ("parameters", "start_date")
            message = f"{at(*key)}start_date {start} is after end_date {end}"
            if message not in problems:
                problems.append(message)
    for section, values in [(("parameters",), parameters)] + [(("notebook_parameters", nb), v)
                                                             for nb, v in overrides.items()]:
        folder = values.get("data_dir")
        if isinstance(folder, str) and not resolve_path(folder).is_dir():
            problems.append(f"{at(*section, 'data_dir')}{'.'.join(section)}.data_dir: folder {resolve_path(folder)} "
                            "does not exist")

    if problems:
        raise ParameterFileError(path, sorted(problems, key=_line_of))
    return RunSpec(name=name, parameters=parameters, notebooks=run_notebooks, notebook_parameters=overrides,
                   description=description, source=path)


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
