"""What every report must satisfy on any data (issue 15), checked on a findings JSON and an executed notebook."""
from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from customer_workbook.contract import TABLES
from customer_workbook.retention.features import FAMILIES

#: Tokens that mean a missing or impossible number reached a sentence or a table.
BAD_TOKEN = re.compile(r"(?<![\w.-])(nan|NaN|inf|-inf|NaT|<NA>)(?![\w-])|\bNone\b(?! of| were| was| is| are| at| in)")
#: Markup of an empty name: bold around nothing, "lead with ;", an empty pair of parentheses.
EMPTY_NAME = re.compile(r"\*\*\s*\*\*|\bwith\s*[;,]|\(\s*\)")
#: Text written for the shipped sample company, which must never reach a report on other data.
SAMPLE_TEXT = re.compile(r"sample company|planted|bargain.hunter|trend.seeker|convenience.seeker|loyal.local|"
                         r"quality.connoisseur", re.IGNORECASE)


def finding_problems(findings: dict) -> list[str]:
    """Findings that hold no usable value: None (NaN in JSON), an empty string, a share outside [0, 1] (unit
    "share"), a difference of shares outside [-1, 1] (unit "pp")."""
    problems = []
    for key, item in findings["findings"].items():
        problems += [f"{key}: {p}" for p in _value_problems(item["value"], item.get("unit", ""))]
    return problems


def unit_problems(findings: dict, texts: list[str]) -> list[str]:
    """Data without revenue: the report says values are purchases, and no finding claims currency units."""
    if findings.get("value_unit", "currency units") == "currency units":
        return []
    problems = [f"{key}: in currency units, but the data count purchases"
                for key, item in findings["findings"].items() if item.get("unit") == "currency units"]
    if not any("Values are counted in purchases" in text for text in texts):
        problems.append("no note that values are counted in purchases")
    return problems


def _value_problems(value, unit: str) -> list[str]:
    if isinstance(value, dict):
        return [f"[{k}] {p}" for k, v in value.items() for p in _value_problems(v, unit)]
    if isinstance(value, list):
        return [p for v in value for p in _value_problems(v, unit)]
    if value is None:
        return ["None/NaN"]
    if isinstance(value, str):
        return ["empty text"] if not value.strip() else []
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{value}"]
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if unit == "share" and number and not 0 <= value <= 1:
        return [f"share {value} outside [0, 1]"]
    if unit == "pp" and number and not -1 <= value <= 1:
        return [f"difference of shares {value} outside [-1, 1]"]
    return []


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def shown_texts(executed: Path) -> list[str]:
    """The text a reader sees in an executed notebook: Markdown and HTML outputs (tables included)."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                texts.append("".join(data["text/markdown"]))
            elif "text/html" in data:
                parser = _Text()
                parser.feed("".join(data["text/html"]))
                texts.append(" ".join(parser.parts))
            elif output.get("output_type") == "stream":
                texts.append("".join(output.get("text", "")))
    return texts


def text_problems(texts: list[str], on_the_sample: bool) -> list[str]:
    """Sentences or tables that print a missing number, an empty name, or text written for the sample, and
    outputs that show nothing."""
    problems = ["an output that shows nothing (an empty line)" for text in texts if not text.strip()]
    for text in texts:
        for pattern, what in ((BAD_TOKEN, "missing number"), (EMPTY_NAME, "empty name")) + (
                () if on_the_sample else ((SAMPLE_TEXT, "sample text"),)):
            for match in pattern.finditer(text):
                start = max(match.start() - 60, 0)
                problems.append(f"{what}: …{text[start:match.end() + 40]!r}")
    return problems


#: Data names that are ordinary words ("high", "store", "search"): a report may use them on any data.
COMMON_WORDS = {"low", "middle", "high", "other", "male", "female", "store", "web", "app", "review", "events", "search",
                "social", "display", "referral", "central", "speed", "location", "service", "quality"}
#: The library's own vocabulary: every allowed value of the contract (product tiers, reasons, needs, events,
#: statuses) and the churn model's feature families. A report may name these on data that lack them.
LIBRARY_TERMS = {value for spec in TABLES.values() for col in spec.columns for value in (col.allowed or ())} | set(FAMILIES)

#: Columns whose values identify a person, an order or a row rather than name a group (never shown in reports).
_ID_COLUMNS = {"customer_id", "order_id", "prospect_id", "email", "full_name", "competitor_event", "channel_launch"}


def data_names(folder: Path, max_distinct: int = 1000) -> set[str]:
    """The names a dataset defines: the distinct values of its text columns (channels, regions, categories,
    tiers, products, events, reasons, needs, campaigns), lower-cased, ids and free text excepted."""
    names: set[str] = set()
    for path in sorted(folder.glob("*.parquet")) + sorted(folder.glob("*.csv")):
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
        for column in frame.columns.difference(sorted(_ID_COLUMNS)):
            if frame[column].dtype.kind in "OUT" or str(frame[column].dtype) in ("string", "str", "category"):
                values = frame[column].dropna().astype(str)
                if values.nunique() <= max_distinct:
                    names |= {v.strip().lower() for v in values.unique() if v.strip()}
    return names


def foreign_name_problems(findings: dict, texts: list[str], foreign: set[str]) -> list[str]:
    """Names of another dataset (``foreign``: the names of the generated company the corpus derives from that
    this dataset does not have) used by a report: as a key, a name or a list item of a finding, or as a word
    of the shown text (names with an underscore also in their spaced form, "garden plants"). Ordinary words
    (:data:`COMMON_WORDS`) and the library's own terms (:data:`LIBRARY_TERMS`) are not checked."""
    foreign = foreign - COMMON_WORDS - LIBRARY_TERMS
    problems = []
    for key, item in findings["findings"].items():
        problems += [f"{key}: names {name!r}, which is not in the data" for name in sorted(_finding_names(item["value"]) & foreign)]
    words = {variant for name in foreign for variant in {name, name.replace("_", " ")}} - COMMON_WORDS
    if words:
        pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")(?![\w-])",
                             re.IGNORECASE)
        for text in texts:
            for match in pattern.finditer(text):
                start = max(match.start() - 60, 0)
                problems.append(f"name not in the data: …{text[start:match.end() + 40]!r}")
    return problems


def _finding_names(value) -> set[str]:
    if isinstance(value, dict):
        return {str(k).strip().lower() for k in value} | {n for v in value.values() for n in _finding_names(v)}
    if isinstance(value, list):
        return {n for v in value for n in _finding_names(v)}
    return {value.strip().lower()} if isinstance(value, str) else set()
#: Money wording a report on data without revenue must not use; ``revenue column`` (what is missing) and the
#: loader's "not currency units" (what the values are not) say what the data lack and stay allowed.
MONEY_WORDS = re.compile(r"revenue|currenc(y|ies)", re.IGNORECASE)
_ALLOWED_MONEY_WORDS = re.compile(r"revenue column|not currency units", re.IGNORECASE)
#: A finding that sets value against money: a ratio, a difference or a choice of value and cost.
MONEY_COMPARISON = re.compile(
    r"CLV\s*/\s*CAC|pay(s|ing)? back|worth (its|their) cost|net (gain|value)|minus [\w ]*cost|value.maximising|"
    r"value created|value per extra unit|offer cost at which|next unit of budget|optimal (plan|budget)|costed|"
    r"contacting everyone", re.IGNORECASE)
#: A finding about money spent (marketing spend, acquisition cost, a budget, a cost): it is never in purchases.
SPENT = re.compile(r"\b(CAC|spend|budget|costs?)\b", re.IGNORECASE)


def purchase_problems(findings: dict, texts: list[str]) -> list[str]:
    """Data without revenue (value counted in purchases): no finding in currency units, no finding that sets
    purchases against money (CLV/CAC, budgets, win-back or benefit economics), no money spent recorded as
    purchases, and no "revenue"/"currency" wording in the labels of findings or the text the reader sees."""
    if findings.get("value_unit", "currency units") == "currency units":
        return []
    problems = []
    for key, item in findings["findings"].items():
        label, unit = item.get("label", ""), item.get("unit", "")
        if unit == "currency units":
            problems.append(f"{key}: in currency units, but the data count purchases")
        elif MONEY_COMPARISON.search(label):
            problems.append(f"{key}: sets purchases against money ({label!r})")
        elif unit == "purchases" and SPENT.search(label) and not re.search(r"\bvalue\b", label, re.IGNORECASE):
            problems.append(f"{key}: money spent recorded in purchases ({label!r})")
        if MONEY_WORDS.search(_ALLOWED_MONEY_WORDS.sub("", label)):
            problems.append(f"{key}: label in money words ({label!r})")
    for text in (_ALLOWED_MONEY_WORDS.sub("", t) for t in texts):
        problems += [f"money wording: …{text[max(m.start() - 60, 0):m.end() + 40]!r}" for m in MONEY_WORDS.finditer(text)]
    return problems
