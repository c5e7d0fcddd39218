"""The Decision section every notebook ends with, and the findings the run's plan page reads.

A step module builds its :class:`~customer_workbook.decisions.Decision` records from the results of its sections
(never from typed text); :func:`decision_section` shows them and records them twice: as the machine-readable
finding ``decisions`` (the plan page reads it) and as one headline finding per decision, which
:func:`lead_with_decisions` moves to the top of the report's key findings.
"""
from __future__ import annotations

import re

from ..decisions import DECISION_PREFIX, Decision, decision_markdown, value_text
from ..value_unit import MONEY
from .section import Draft, Section

__all__ = ["decision_section", "lead_with_decisions"]



def _key(topic: str) -> str:
    return DECISION_PREFIX + (re.sub(r"[^a-z0-9]+", "_", topic.lower()).strip("_") or "step")


def headline_text(d: Decision, value_unit: str = MONEY) -> str:
    """One line for the key findings: what to do, its value with the basis, and the confidence."""
    unit = "" if value_unit == MONEY else value_unit
    value = f"{value_text(d, unit)}, {d.basis}; " if d.value is not None else ""
    return f"{d.action} ({value}confidence {d.confidence})"


def decision_section(decisions: list[Decision], value_unit: str = MONEY) -> Section:
    """The notebook's Decision section: each decision in words, recorded as ``decisions`` and as a headline."""
    draft = Draft()
    draft.add("decisions", [d.to_dict() for d in decisions], "Decisions of this step (the plan page reads them)")
    topics = [_key(d.topic) for d in decisions]
    seen: dict[str, int] = {}
    for d, key in zip(decisions, topics, strict=True):
        seen[key] = seen.get(key, 0) + 1
        repeated = topics.count(key) > 1                  # several actions of one kind (win-back per group)
        label = f"Decision: {d.topic}" + (f" ({d.for_whom})" if repeated and d.for_whom else "")
        key = key if seen[key] == 1 else f"{key}_{seen[key]}"
        draft.add(key, headline_text(d, value_unit), label, headline=True)
        draft.say(decision_markdown(d, "" if value_unit == MONEY else value_unit))
    return draft.done(decisions=tuple(decisions))


def lead_with_decisions(findings) -> None:
    """Reorder a :class:`~customer_workbook.findings.Findings` so the decisions lead its key findings."""
    lead = {k: v for k, v in findings.items.items() if k.startswith(DECISION_PREFIX)}
    findings.items = {**lead, **{k: v for k, v in findings.items.items() if k not in lead}}
