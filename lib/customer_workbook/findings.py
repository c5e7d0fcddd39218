"""Record a notebook's key findings in machine-readable form.

Each notebook collects its findings as it goes and saves them as JSON beside its report. Tests assert
on these numbers, and the batch index summarises them; nobody scrapes HTML.

>>> findings = Findings("00_data_overview", "Data overview")
>>> findings.add("n_customers", 20_000, "Customers in the data", headline=True)
20000
>>> findings.skip("Survey coverage", ["surveys"])          # a visible note in the report
>>> findings.save("reports/sample/00_data_overview.findings.json")
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .escaping import md
from .paths import atomic_write_text, resolve_path
from .glossary import label
from .value_unit import MONEY, SPEND, in_purchases

__all__ = [
    "Findings", "date_words", "default_findings_path", "format_value", "headline_markdown", "load_findings",
    "number_words", "pp", "to_jsonable",
]

_CODE_NAME = re.compile(r"[A-Za-z0-9_.]+")  # a contract table or column name, shown as code
_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")  # a code name such as half_sleepy or fast_brand


def _words(name: Any) -> str:
    """A code name (``half_sleepy``, ``fast_brand``) as the glossary's words ("half-sleepy", "speed (fast
    brand)", :func:`customer_workbook.glossary.label`); other text unchanged."""
    text = str(name)
    return label(text) if _SNAKE_CASE.fullmatch(text) else text


def to_jsonable(value: Any) -> Any:
    """Convert numpy / pandas values (recursively) into plain JSON types; NaN becomes ``None``."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return to_jsonable(value.to_dict(orient="records"))
    if isinstance(value, pd.Series):
        return to_jsonable(value.to_dict())
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


class Findings:
    """Named findings of one notebook run, with labels for people and values for machines."""

    def __init__(self, notebook: str, title: str, parameters: dict | None = None):
        self.notebook = notebook
        self.title = title
        self.parameters = dict(parameters or {})
        self.items: dict[str, dict] = {}
        self.skipped: list[dict] = []
        self.money_unit = MONEY

    def add(self, key: str, value: Any, label: str, headline: bool = False, unit: str = "",
            interval: tuple[float, float] | None = None) -> Any:
        """Record ``value`` under ``key``; ``headline`` findings lead the report. Returns ``value``.

        ``interval``: the ``(low, high)`` interval of a numeric value, in its unit, recorded beside it (the runs
        comparison marks two runs as different beyond noise only when their intervals do not overlap,
        :mod:`customer_workbook.batch.compare`); left out when not given or not two finite numbers in order.

        A value finding (``unit="currency units"``, :data:`~customer_workbook.value_unit.MONEY`) is recorded in
        the data's value unit (:meth:`announce_value_unit`): purchases when the data have no revenue column,
        and its label then says purchases instead of revenue (:func:`~customer_workbook.value_unit.in_purchases`).
        Money spent (``unit=``:data:`~customer_workbook.value_unit.SPEND`: marketing spend, acquisition cost)
        stays money: recorded as currency units when the data's values are money too, as currency units of
        spend when they are purchases.
        """
        if self.money_unit != MONEY:  # data without revenue: the label says purchases too
            label = in_purchases(label)
        if unit == MONEY:
            unit = self.money_unit
        elif unit == SPEND and self.money_unit == MONEY:
            unit = MONEY
        self.items[key] = {"value": to_jsonable(value), "label": label, "unit": unit, "headline": headline}
        bounds = to_jsonable(list(interval)) if interval is not None else None
        if (isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, (int, float)) and not isinstance(b, bool)
                                                                  and math.isfinite(b) for b in bounds)
                and bounds[0] <= bounds[1]):
            self.items[key]["interval"] = bounds
        return value

    def announce_value_unit(self, value_unit: str) -> None:
        """Use the data's value unit (``Dataset.value_unit``) for money findings and, when it is not money,
        say so at the top of the report: every value, revenue and CLV figure then counts purchases."""
        self.money_unit = value_unit
        if value_unit != MONEY:
            from IPython.display import Markdown, display

            display(Markdown(f"> **Values are counted in {md(value_unit)}.** The data have no revenue column, so "
                             "every value figure in this report, lifetime value included, counts purchases (each "
                             "order line is one), not money; sections that set value against a cost in money "
                             "are not shown."))

    def value(self, key: str) -> Any:
        return self.items[key]["value"]

    def skip(self, section: str, missing: list[str], reason: str = ""):
        """Record that ``section`` was skipped for lack of ``missing`` tables; returns a Markdown note.

        ``section`` is escaped (it may name a value from data); ``missing`` are contract table or column
        names; ``reason`` is Markdown written by the code: put no data value in it unescaped
        (use :func:`customer_workbook.escaping.md`).
        """
        from IPython.display import Markdown

        self.skipped.append({"section": section, "missing": list(missing), "reason": reason})
        needs = ", ".join(f"`{m}`" if _CODE_NAME.fullmatch(str(m)) else md(m) for m in missing)
        columns = all("." in str(m) for m in missing)
        what = ("column" if columns else "table") + ("s" if len(missing) > 1 else "")
        extra = f" {reason}" if reason else ""
        return Markdown(f"> **Skipped: {md(section)}.** This section needs the optional {what} {needs}, "
                        f"which this data set does not have.{extra}")

    def to_dict(self) -> dict:
        return {"notebook": self.notebook, "title": self.title, "parameters": to_jsonable(self.parameters),
                "value_unit": self.money_unit,
                "findings": self.items, "skipped": self.skipped}

    def save(self, path: str | Path) -> Path:
        """Write the findings as JSON, atomically. Relative paths resolve against the project root."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)
        return atomic_write_text(resolve_path(path), text + "\n")

    def headline_markdown(self) -> str:
        """The headline findings as a Markdown bullet list."""
        return headline_markdown(self.to_dict())


def format_value(value: Any, unit: str = "") -> str:
    """Human-readable rendering of a finding's value (thousands separators, 3 significant digits, never
    scientific notation; ``None`` reads "not available", booleans yes / no, code names such as ``half_sleepy``
    as words).

    ``unit="share"`` marks fractions (0-1), shown as percentages; ``unit="pp"`` marks a difference of two
    shares (a fraction, -1 to 1), shown as signed percentage points; a pair of either is an interval ("a to b").
    Plain text, not escaped: escape it where it meets markup (:func:`headline_markdown` does).
    """
    if unit in ("pp", "share") and isinstance(value, list) and len(value) == 2:   # an interval
        return f"{format_value(value[0], unit)} to {format_value(value[1], unit)}"
    if value is None:
        return "not available"
    if unit == "pp":
        if isinstance(value, dict):
            return ", ".join(f"{_words(k)}: {format_value(v, 'pp')}" for k, v in value.items())
        return pp(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _words(value)
    if unit == "share":
        if isinstance(value, dict):
            return ", ".join(f"{_words(k)}: {format_value(v, 'share')}" for k, v in value.items())
        return f"{value:.1%}" if isinstance(value, (int, float)) and not isinstance(value, bool) else _words(value)
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = number_words(value) or "not available"
    elif isinstance(value, (list, dict)) and not value:
        text = "none"
    elif isinstance(value, list) and len(value) <= 6:
        text = ", ".join(format_value(v) for v in value)
    elif isinstance(value, dict) and len(value) <= 6:
        text = ", ".join(f"{_words(k)}: {format_value(v)}" for k, v in value.items())
    else:
        text = _words(value)
    return f"{text} {unit}".strip()


def number_words(value: Any, significant: int = 3, sign: bool = False) -> str:
    """A number as people read it, never in scientific notation: thousands separators from 1,000 up (whole
    units), ``significant`` digits below, ``"< 0.001"`` for tiny values; ``sign`` adds ``+`` to positives.
    Missing values (None, NaN) and infinities give ``""``.

    >>> number_words(1291.4), number_words(0.12345), number_words(3.4e-06), number_words(2.0, sign=True)
    ('1,291', '0.123', '< 0.001', '+2')
    """
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return "" if value is None else str(value)
    value = float(value)
    if not math.isfinite(value):
        return ""
    plus = "+" if sign and value > 0 else ""
    if abs(value) >= 1000 or value == int(value):
        return f"{value:{'+' if plus else ''},.0f}"
    if abs(value) < 0.001:
        return "0" if value == 0 else ("< 0.001" if value > 0 else "> -0.001")
    return plus + f"{value:.{significant}g}"


def date_words(value: Any) -> str:
    """A date (or timestamp, or ISO text) as people write it: ``"11 Aug 2025"``; with its time of day when
    it has one (``"11 Aug 2025 14:05"``). Missing values give ``""``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    stamp = pd.Timestamp(value)
    text = f"{stamp.day} {stamp:%b %Y}"
    return text + (f" {stamp:%H:%M}" if (stamp.hour, stamp.minute, stamp.second) != (0, 0, 0) else "")


def pp(value: Any, decimals: int = 1) -> str:
    """A difference of two shares (a fraction, -1 to 1) as signed percentage points: ``0.08`` -> ``"+8.0 pp"``.

    For sentences and as a table formatter (``{"uplift": pp}``): a difference of shares is never shown
    as a percentage ("+8.0%" reads as a relative change). Missing values (None, NaN) give ``""``.
    """
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or value != value:
        return ""
    return f"{100 * float(value):+.{decimals}f} pp"


def headline_markdown(findings: dict) -> str:
    """Markdown bullets of a findings dict's headline entries (as saved by :meth:`Findings.save`).

    Labels and values are escaped with :func:`customer_workbook.escaping.md`: both can hold values from
    data (a channel in a label, channel names as the keys of a share dict), which show as text.
    """
    rows = [f"- **{md(item['label'])}**: {md(format_value(item['value'], item.get('unit', '')))}"
            for item in findings.get("findings", {}).values() if item.get("headline")]
    return "\n".join(rows)


def load_findings(path: str | Path) -> dict:
    """Read a findings JSON file written by :meth:`Findings.save`."""
    return json.loads(resolve_path(path).read_text(encoding="utf-8"))


def default_findings_path(notebook: str) -> Path:
    """Where an interactive run saves its findings: ``reports/interactive/<notebook>.findings.json``."""
    return resolve_path(Path("reports") / "interactive" / f"{notebook}.findings.json")
