"""The decision a notebook leads to, in one typed record the run's plan page is built from.

Every step of the method ends in a decision: which strategy, what acquisition budget, which audience to
pilot, whom to win back, what to defend. A notebook's **Decision** section shows it, its key findings lead
with it, and the batch index collects the decisions of every notebook of a run into the customer-management
plan on one page (:mod:`customer_workbook.batch.plan`). A decision is written from the run's numbers by the
step function that computed them, never typed into a notebook. Its text fields are plain text (data values
as they are); each renderer escapes them for its medium (:func:`decision_markdown` for a notebook,
:mod:`customer_workbook.batch.plan` for the plan page).

>>> d = Decision(step=3, topic="Strategy", action="Spend the next unit on conquest", for_whom="referral",
...              value=400_000, value_low=250_000, value_high=520_000, value_label="extra value a year",
...              basis="measured", evidence="Conquest or relations")
>>> d.confidence
'high'
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .escaping import md

__all__ = ["BASES", "CONFIDENCE", "DECISION_PREFIX", "METHOD_STEPS", "Decision", "decision_from_dict", "decision_markdown", "value_text"]

#: The five steps of the method, by number (the plan page's order), after step 0: the data the method runs on
#: (notebook 00 decides which steps the data support and what to fix first).
METHOD_STEPS = {0: "Check the data", 1: "Understand customer behaviour", 2: "Understand relevant changes",
                3: "Choose the customer-management strategy", 4: "Plan phases", 5: "Main components of the plan"}
#: Where an expected value comes from: ``measured`` by randomised evidence in the data (a campaign with a control
#: group), ``estimated`` by a model fitted to the history (response curves, customer-value models), ``assumed``
#: from parameters the user set or their defaults (a target lift, a response rate), or ``not valued`` (a decision
#: about what to watch or say).
BASES = ("measured", "estimated", "assumed", "not valued")
#: Key prefix of a notebook's headline finding per decision (the plan shows them; the index leaves them out).
DECISION_PREFIX = "decision_"
#: Confidence levels, from the basis and the range (:meth:`Decision.confidence`).
CONFIDENCE = ("high", "medium", "low")


def _finite(x: float | None) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


@dataclass(frozen=True)
class Decision:
    """What to do after one step, for whom, what it is worth and how sure the data make us.

    Attributes
    ----------
    step : int
        Step of the method, 1-5, or 0 for the data overview (:data:`METHOD_STEPS`).
    topic : str
        What is decided, in a few words ("Strategy", "Acquisition budget", "Win-back").
    action : str
        What to do, one sentence in plain words (plain text: renderers escape it).
    for_whom : str
        The customers or channels it concerns ("" when everyone).
    value, value_low, value_high : float or None
        Expected value in the run's currency units and its range (an interval or the sensitivity range of
        the assumptions); None when the decision is not valued. Never NaN or infinite.
    value_label : str
        What the value measures, e.g. "extra margin a year".
    basis : str
        ``"measured"``, ``"assumed"`` or ``"not valued"`` (:data:`BASES`).
    evidence : str
        Title of the notebook section that holds the evidence (the plan page links to it).
    indicators : tuple of str
        Leading indicators to watch while the decision is carried out.
    unlock : str
        When the step could not decide: what data would unlock it ("" otherwise).
    """

    step: int
    topic: str
    action: str
    for_whom: str = ""
    value: float | None = None
    value_low: float | None = None
    value_high: float | None = None
    value_label: str = ""
    basis: str = "not valued"
    evidence: str = ""
    indicators: tuple[str, ...] = field(default_factory=tuple)
    unlock: str = ""

    def __post_init__(self) -> None:
        if self.step not in METHOD_STEPS:
            raise ValueError(f"step must be one of {sorted(METHOD_STEPS)}, got {self.step!r}")
        if self.basis not in BASES:
            raise ValueError(f"basis must be one of {BASES}, got {self.basis!r}")
        for name in ("value", "value_low", "value_high"):
            x = getattr(self, name)
            if x is not None and not _finite(x):
                raise ValueError(f"{name} must be a finite number or None, got {x!r}")
        if (self.value is None) != (self.basis == "not valued"):
            raise ValueError("a decision has a value exactly when its basis is not 'not valued'")
        if self.has_range and not self.value_low <= self.value <= self.value_high:
            raise ValueError(f"value {self.value} lies outside its range {self.value_low} to {self.value_high}")
        object.__setattr__(self, "indicators", tuple(str(i) for i in self.indicators if str(i).strip()))

    @property
    def has_range(self) -> bool:
        return self.value_low is not None and self.value_high is not None

    @property
    def confidence(self) -> str:
        """How sure the data make us: ``"high"`` when a randomised test measured the value and its range stays on
        one side of zero; ``"medium"`` when a model estimated it or assumptions give it and its range stays on one
        side of zero (the sign holds under every assumption tried); ``"low"`` when the range crosses zero or there
        is none. A decision without a value is ``"medium"`` when evidence backs it and ``"low"`` when the step could
        not decide (``unlock``)."""
        if self.basis == "not valued":
            return "low" if self.unlock else "medium"
        one_side = self.has_range and (self.value_low > 0 or self.value_high < 0)
        if not one_side:
            return "low"
        return "high" if self.basis == "measured" else "medium"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (the notebook's ``decisions`` finding), the confidence included. Fields without a
        value (no range, no audience, nothing to unlock) are left out rather than written as null or "": a
        finding never holds an empty value (:func:`decision_from_dict` restores the defaults)."""
        out = asdict(self)
        out["indicators"] = list(self.indicators)
        out["confidence"] = self.confidence
        return {k: v for k, v in out.items() if v is not None and v != "" and v != []}


def decision_from_dict(record: dict[str, Any]) -> Decision:
    """The :class:`Decision` of a findings record (``confidence`` is recomputed, unknown keys ignored)."""
    names = {f.name for f in fields(Decision)}
    return Decision(**{k: v for k, v in record.items() if k in names})


def _money(x: float) -> str:
    return f"{x:,.0f}"


def value_text(d: Decision, currency: str = "") -> str:
    """The value and its range in words: "400,000 (250,000 to 520,000) extra value a year", or "not valued"."""
    if d.value is None:
        return "not valued"
    unit = f" {currency}" if currency else ""
    text = f"{_money(d.value)}{unit}"
    if d.has_range and _money(d.value_low) != _money(d.value_high):   # a range that is one number is no range
        text += f" ({_money(d.value_low)} to {_money(d.value_high)})"
    return f"{text} {d.value_label}".strip()


def decision_markdown(d: Decision, currency: str = "") -> str:
    """The notebook's Decision section in Markdown: what to do, for whom, the value, its basis and the
    confidence, every text field escaped."""
    lines = [f"**Decision ({METHOD_STEPS[d.step].lower()}) - {md(d.topic)}: {md(d.action)}**", ""]
    if d.for_whom:
        lines.append(f"- **For whom:** {md(d.for_whom)}")
    if d.value is not None:
        lines.append(f"- **Expected value:** {md(value_text(d, currency))}, {d.basis}")
    lines.append(f"- **Confidence:** {d.confidence}")
    if d.indicators:
        lines.append(f"- **Watch:** {'; '.join(md(i) for i in d.indicators)}")
    if d.unlock:
        lines.append(f"- **What would unlock it:** {md(d.unlock)}")
    return "\n".join(lines)
