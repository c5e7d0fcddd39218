"""The value types of notebook parameters: a check per parameter, from its default in the notebook's
``parameters`` cell (``papermill.inspect_notebook``) or, where that default is ``None``, from
:data:`NONE_DEFAULT_TYPES`. A check returns the value as the notebook should receive it (dates as
``"YYYY-MM-DD"`` text) or raises :class:`Invalid` saying what was expected."""
from __future__ import annotations

import ast
import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from ..findings import date_words, number_words

__all__ = ["NONE_DEFAULT_TYPES", "NONE_MEANS", "PARAMETER_WORDS", "DeclaredParameter", "Invalid", "closest",
           "declared_parameters", "describe", "parameter_value_words", "parameters_in_words"]


def describe(value: Any) -> str:
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


def closest(name: str, candidates) -> str:
    """"; did you mean 'x'?" for the closest of ``candidates`` to ``name``, or an empty string."""
    match = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


class Invalid(Exception):
    """A value does not match its expected type; the message says what was expected."""


# A checker takes a value and returns it normalised (dates as text) or raises Invalid.
Checker = Callable[[Any], Any]


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise Invalid(f"expected a date (YYYY-MM-DD), got {describe(value)}")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise Invalid(f"expected a date as YYYY-MM-DD, got {describe(value)}")
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise Invalid(f"{value!r} is not a real date (expected YYYY-MM-DD)") from None
    raise Invalid(f"expected a date (YYYY-MM-DD), got {describe(value)}")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    hint = "; if you meant the text, put it in quotes" if isinstance(value, (bool, int, float, dt.date)) else ""
    raise Invalid(f"expected text, got {describe(value)}{hint}")


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"expected a number, got {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(f"expected a finite number, got {value!r}")
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise Invalid(f"expected plain YAML values (text, numbers, true/false, lists, mappings), got {describe(value)}")
    return value


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"expected a whole number, got {describe(value)}")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {describe(value)}")
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
        raise Invalid(f"expected {' or '.join(w for _, w in checks)}, got {describe(value)}")
    return checker


def _mapping_of(key: Checker, value: Checker, what: str) -> Checker:
    def checker(mapping):
        if not isinstance(mapping, dict):
            raise Invalid(f"expected {what}, got {describe(mapping)}")
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
        raise Invalid(f"{name!r} is not a table of the data contract{closest(name, TABLES)}")
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
    "date_format": (lambda value: _loader_date_format(_date_format_shape(value)),
                    "text, a mapping of table to a format or to {column: format}, or null"),
    "event_map": (lambda v: _loader_value_map("event_map", v), "a mapping {your event: contract event}"),
    "status_map": (lambda v: _loader_value_map("status_map", v),
                   "a mapping {your status: sale, cancelled or return}"),
    "carryover": (_either((_boolean, "true or false"), (lambda v: v if v == "auto" else _fail(v, '"auto"'),
                                                        '"auto"')), 'true, false or "auto"'),
}


_date_format_shape = _nullable(_either((_text, "text"),
                                       (_mapping_of(_table_name, _either((_text, "text"), (_text_map, "a mapping")),
                                                    "a mapping of table to a format"), "a mapping of table to "
                                        "a format or to {column: format}")),
                               "text, a mapping of table to a format or to {column: format}, or null")


def _loader_date_format(value: Any) -> Any:
    """``date_format`` as the loader will read it (tables and their date columns), checked before the run."""
    from ..data import date_formats_by_column

    try:
        date_formats_by_column(value)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return value


def _loader_value_map(parameter: str, value: Any) -> Any:
    """``event_map`` / ``status_map`` as the loader will check them (text to text, allowed targets)."""
    from ..data import checked_value_maps

    value = _text_map(value)
    try:
        checked_value_maps({parameter: value})
    except ValueError as exc:
        problems = getattr(exc, "problems", None)
        raise Invalid("; ".join(f"{p.issue} (expected {p.expected})" for p in problems) if problems
                      else str(exc)) from None
    return value


def _fail(value, what):
    raise Invalid(f"expected {what}, got {describe(value)}")


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
                raise Invalid(f"expected {what}, got {describe(value)}")
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
                raise Invalid(f"expected {what}, got {describe(value)}")
            out = {}
            for k, v in value.items():
                if k not in keys:
                    raise Invalid(f"unknown key {k!r}{closest(str(k), keys)} (expected {what})")
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
        raise Invalid(f"expected plain YAML values (text, numbers, true/false, lists, mappings), got {describe(value)}")
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


# --------------------------------------------------------------------------- parameters in words

#: A human label for every parameter the notebooks take, and the kind of value it holds (how it reads).
#: Kinds: ``share`` (0-1, shown as %), ``pp`` (a difference of shares, percentage points), ``days``,
#: ``weeks``, ``months``, ``years``, ``count``, ``times`` (a multiple), ``money``, ``text``, ``label``
#: (a code name, shown with spaces), ``plain``; the others have their own rule in :func:`parameter_value_words`.
PARAMETER_WORDS: dict[str, tuple[str, str]] = {
    "data_dir": ("data", "folder"), "column_map": ("column names", "column_map"),
    "start_date": ("from", "date"), "end_date": ("to", "date"), "business_unit": ("region", "region"),
    "findings_path": ("findings file", "path"), "assignments_path": ("customer assignments file", "path"),
    "date_format": ("date format", "date_format"), "event_map": ("engagement events", "map"),
    "status_map": ("order statuses", "map"), "engine": ("query engine", "text"), "interactive": ("explorer widgets", "flag"),
    "seed": ("random seed", "plain"), "rfm_bins": ("RFM score levels", "count"),
    "cohort_months_shown": ("cohort chart", "months"), "driver_bootstrap": ("driver bootstrap resamples", "count"),
    "cross_sell_cutoff": ("cross-sell test date", "date"), "cross_sell_orders": ("cross-sell test", "order_range"),
    "lover_min_per_year": ("a lover from", "per_year"), "liker_min_per_year": ("a liker from", "per_year"),
    "min_observed_weeks": ("engagement rates over at least", "weeks"),
    "health_holdout_days": ("health score check", "days"),
    "penalty_scale": ("change-point penalty", "times"), "min_segment_weeks": ("shortest period between changes", "weeks"),
    "window_weeks": ("comparison window", "weeks"), "alpha": ("false discovery rate", "share"),
    "event_tolerance_weeks": ("market events linked within", "weeks"),
    "discount_share": ("high discount user from", "share"), "margin": ("margin", "share"),
    "annual_discount_rate": ("discount rate", "rate"), "discount_rate": ("discount rate", "rate"),
    "horizon_years": ("lifetime value horizon", "years"), "current_weeks": ("today's spend from the last", "weeks"),
    "spend_levels": ("marginal cost shown at", "multiples"), "max_spend_multiple": ("weekly spend at most", "times"),
    "carryover": ("spend carry-over", "carryover"), "retention_cost_per_contact": ("retention offer cost", "money"),
    "n_boot": ("lifetime value bootstrap refits", "count"), "curve_boot": ("response curve bootstrap refits", "count"),
    "gap_days": ("gap before the label window", "days"), "window_days": ("label window", "days"),
    "max_error_rate": ("needless contacts at most", "share"), "train_sample": ("models trained on at most", "customers"),
    "segment_column": ("audiences by", "label"), "min_audience": ("smallest audience", "customers"),
    "pilot_mde": ("pilot detects a lift of", "pp"), "pilot_power": ("pilot power", "share"),
    "pilot_alpha": ("pilot significance level", "share"),
    "dormancy_thresholds": ("half-sleepy, sleepy, sleeping from", "gap_multiples"),
    "winback_response_rate": ("win-back response", "share"), "cost_per_contact": ("cost of a contact", "money"),
    "voucher_cost": ("cost of a redeemed voucher", "money"), "recommend_k": ("offers per customer", "count"),
    "recommender_holdout_months": ("recommender tested on the last", "months"),
    "uplift_threshold": ("persuadable from an uplift of", "pp"), "status_cuts": ("platinum, gold, silver", "shares"),
    "retention_gain": ("value kept by recognition", "share"), "status_benefit_cost": ("benefit cost a year", "money_map"),
    "show_customer_ids": ("customers shown as", "ids"),
}

#: What ``None`` means for each parameter that may be ``None``.
NONE_MEANS = {"business_unit": "all", "findings_path": "reports/interactive", "date_format": "ISO (YYYY-MM-DD)",
              "assignments_path": "beside the findings", "cross_sell_cutoff": "middle of the period"}

_STRFTIME_WORDS = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%b": "Mon", "%B": "Month", "%H": "hh",
                   "%M": "mm", "%S": "ss", "%e": "D", "%j": "day of year"}


def _share_words(value: float) -> str:
    return f"{number_words(round(100 * value, 2))}%"


def _folder_words(value: Any) -> str:
    """A data folder by its name only: never a full local path."""
    name = Path(str(value).rstrip("/\\")).name
    return name or str(value)


def _format_words(value: Any) -> str:
    if isinstance(value, dict):
        return f"set for {len(value)} table{'s' if len(value) != 1 else ''}"
    text = str(value)
    for code, word in _STRFTIME_WORDS.items():
        text = text.replace(code, word)
    return text


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


_UNIT_WORDS = {"days": "day", "weeks": "week", "months": "month", "years": "year", "customers": "customer"}


def parameter_value_words(name: str, value: Any) -> str:
    """The value of parameter ``name`` as a reader reads it: ``None`` says what it means for that parameter,
    dates read ``1 Jan 2024``, shares read as %, folders and files by their name only, code names with spaces."""
    kind = PARAMETER_WORDS.get(name, ("", "plain"))[1]
    if value is None:
        return NONE_MEANS.get(name, "not set")
    if isinstance(value, bool) and kind not in ("flag", "carryover", "ids"):
        kind = "flag"
    simple = {"share": _share_words, "money": number_words, "count": number_words, "times": lambda v: f"{number_words(v)}×",
              "pp": lambda v: f"{number_words(round(100 * v, 2))} pp", "date": date_words, "folder": _folder_words,
              "path": lambda v: Path(str(v)).name or str(v), "date_format": _format_words,
              "rate": lambda v: f"{_share_words(v)} a year", "per_year": lambda v: f"{number_words(v)} a year",
              "label": lambda v: str(v).replace("_", " "), "flag": lambda v: "yes" if v else "no"}
    if kind in simple:
        return simple[kind](value)
    if kind in _UNIT_WORDS and isinstance(value, (int, float)):
        return _plural(value, _UNIT_WORDS[kind]) if isinstance(value, int) else f"{number_words(value)} {kind}"
    if kind in ("multiples", "gap_multiples") and isinstance(value, (list, tuple)):
        return ", ".join(f"{number_words(v)}×" for v in value) + (" the usual gap" if kind == "gap_multiples" else "")
    if kind == "shares" and isinstance(value, (list, tuple)):
        return "top " + ", ".join(_share_words(v) for v in value)
    if kind == "order_range" and isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{value[0]:,} to {value[1]:,} orders"
    if kind == "column_map":
        return "as in the data contract" if not value else f"renamed in {_plural(len(value), 'table')}"
    if kind == "map":
        return "contract names" if not value else f"{_plural(len(value), 'name')} mapped"
    if kind == "money_map" and isinstance(value, dict):
        return ", ".join(f"{k} {number_words(v)}" for k, v in value.items())
    if kind == "carryover":
        return "if the data support it" if value == "auto" else ("yes" if value else "no")
    if kind == "ids":
        return "their ids" if value else "pseudonyms"
    if isinstance(value, (int, float)):
        return number_words(value)
    return str(value)


def _period_words(start: Any, end: Any) -> str:
    if start is None and end is None:
        return "whole history"
    if end is None:
        return f"from {date_words(start)}"
    if start is None:
        return f"up to {date_words(end)}"
    return f"{date_words(start)} to {date_words(end)}"


def parameters_in_words(parameters: dict, hidden=("findings_path", "interactive")) -> str:
    """A run's parameters as one line of words: ``"data: sample · period: whole history · region: all ·
    margin: 35%"``. The analysis period (``start_date``, ``end_date``) reads as one item; parameters in
    ``hidden`` (set by the batch runner itself) are left out. Plain text: escape it where it meets markup."""
    items, period_done = [], False
    first = [n for n in ("data_dir", "start_date", "business_unit") if n in parameters]
    for name, value in [(n, parameters[n]) for n in first] + [(n, v) for n, v in parameters.items() if n not in first]:
        if name in hidden:
            continue
        if name in ("start_date", "end_date"):
            if not period_done:
                items.append(f"period: {_period_words(parameters.get('start_date'), parameters.get('end_date'))}")
                period_done = True
            continue
        label = PARAMETER_WORDS.get(name, (str(name).replace("_", " "), ""))[0]
        items.append(f"{label}: {parameter_value_words(name, value)}")
    return " · ".join(items)
