"""What every report must satisfy on any data (issue 15), checked on a findings JSON and an executed notebook."""
from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

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
    """Sentences or tables that print a missing number, an empty name, or text written for the sample."""
    problems = []
    for text in texts:
        for pattern, what in ((BAD_TOKEN, "missing number"), (EMPTY_NAME, "empty name")) + (
                () if on_the_sample else ((SAMPLE_TEXT, "sample text"),)):
            for match in pattern.finditer(text):
                start = max(match.start() - 60, 0)
                problems.append(f"{what}: …{text[start:match.end() + 40]!r}")
    return problems
