"""Notebook 01 (step 1, behaviour): the decision the step leads to - which reasons to choose the firm the offer
and its message are built on - written from the driver analysis and the NPS (:func:`behaviour_decision`)."""
from __future__ import annotations

from ..decisions import Decision
from ..glossary import label
from ..reasons import MIN_RESPONDENTS_PER_DRIVER
from ..value_unit import MONEY
from .decision import decision_section
from .section import Section

__all__ = ["behaviour_decision"]


def _leaders(table) -> tuple[list[str], bool]:
    """The reasons that lead (the top three, or fewer when the data separate fewer from the rest) and whether
    the leaders are separated from the next reason (their bootstrap intervals do not overlap)."""
    top = table.head(3)
    for k in (1, 2, 3):
        if len(table) > k and top.iloc[k - 1]["low"] > table.iloc[k]["high"]:
            return table["driver"].head(k).tolist(), True
    return top["driver"].tolist(), False


def behaviour_decision(drivers, nps, value_unit: str = MONEY) -> Section:
    """Step 1's decision: build the offer and its message on the reasons that drive recommendation most (the
    dominance analysis of section 3, ``drivers``; None when it could not run), watching the NPS (section 8,
    ``nps``: its ``overall`` result or None). Not valued: the reasons say what to offer, not what it earns."""
    watch = ()
    if nps is not None:
        o = nps
        watch = (f"NPS, now {o.nps:+.1f} points (95% interval {o.low:+.1f} to {o.high:+.1f})",)
    evidence = "3. Why do customers choose us?"
    if drivers is None:
        d = Decision(step=1, topic="Value proposition", action="The reasons customers choose the firm cannot be "
                     "ranked from these data", evidence=evidence, indicators=watch,
                     unlock=f"a surveys table with the NPS question and the reasons to choose, at least "
                            f"{MIN_RESPONDENTS_PER_DRIVER} respondents per reason")
        return decision_section([d], value_unit)
    names, separated = _leaders(drivers.table)
    names = [label(n) for n in names]
    listed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    what = "the reason that drives" if len(names) == 1 else "the reasons that drive"
    why = (f"{what} recommendation most, clearly ahead of the rest" if separated else
           f"{what} recommendation most, although the data do not separate {'it' if len(names) == 1 else 'them'} "
           "from the next one")
    d = Decision(step=1, topic="Value proposition", action=f"Build the offer and its message on {listed}: {why}",
                 evidence=evidence, indicators=watch)
    return decision_section([d], value_unit)
