"""Notebook 05 (step 5, plan components): the decisions of the plan - every costed action of section 9's table
(win-back per dormant group, defence, recognition, ...), with its incremental value, its range and what the
value rests on (:func:`components_decisions`)."""
from __future__ import annotations

import math

import pandas as pd

from ..decisions import Decision
from ..planning.action_plan import ASSUMED, MEASURED, MODELLED
from .decision import decision_section
from .section import Section

__all__ = ["components_decision", "components_decisions"]

_BASIS = {MEASURED: "measured", ASSUMED: "assumed", MODELLED: "estimated"}
EVIDENCE = "9. The plan"


def _number(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 2)


def _basis(evidence: str) -> str:
    return next((b for prefix, b in _BASIS.items() if str(evidence).startswith(prefix)), "assumed")


def _decision(row: pd.Series) -> Decision:
    value, low, high = _number(row["incremental_value"]), _number(row["incremental_low"]), _number(row["incremental_high"])
    if low is None or high is None:
        low = high = None
    return Decision(step=5, topic=str(row["component"]).capitalize(), action=str(row["action"]),
                    for_whom=str(row["audience"]), value=value, value_low=low, value_high=high,
                    value_label="incremental value", basis=_basis(row["evidence"]), evidence=EVIDENCE,
                    indicators=(str(row["metric"]),) if str(row["metric"]) else ())


def components_decisions(plan: pd.DataFrame, skipped: list[dict]) -> list[Decision]:
    """Step 5's decisions: one per action of the plan with an incremental value (rows worth nothing say so in
    their action; audience totals are never a decision's value). Without any, one decision says what data would
    let the plan value an action (the tables the skipped sections needed)."""
    costed = plan[plan["incremental_value"].notna()]
    if len(costed):
        return [_decision(row) for _, row in costed.iterrows()]
    missing = sorted({m for s in skipped for m in s.get("missing", [])})
    unlock = (f"the {', '.join(missing)} table{'s' if len(missing) > 1 else ''} (the sections they feed were skipped)"
              if missing else "a customer-value model that fits and a randomised campaign to measure a response")
    return [Decision(step=5, topic="Plan components", action="No action of the plan can be valued",
                     evidence=EVIDENCE, unlock=unlock)]


def components_decision(plan: pd.DataFrame, skipped: list[dict], value_unit: str) -> Section:
    """The Decision section of notebook 05 (:func:`components_decisions`), recorded for the plan page."""
    return decision_section(components_decisions(plan, skipped), value_unit)
