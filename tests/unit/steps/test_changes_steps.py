"""Notebook 02's step functions on data unlike the sample (issue 15): too few weeks, no change at all."""
from __future__ import annotations

import numpy as np
import pandas as pd

from customer_workbook import changes as ch
from customer_workbook.steps import changes as step


def _inputs(n_weeks: int, seed: int = 1) -> step.ChangeInputs:
    """Steady Poisson orders (about 80 a week) over ``n_weeks`` weeks, no optional tables."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2024-01-01", periods=n_weeks, freq="7D")
    week = np.repeat(weeks.to_numpy(), rng.poisson(80, n_weeks))
    records = {"orders": pd.DataFrame({"week": week, "customer_id": pd.Series(np.arange(len(week)) % 40).astype(str),
                                       "value": 1.0})}
    return step.ChangeInputs(weeks=weeks, orders=pd.DataFrame(), records=records,
                             events=pd.DataFrame(columns=["week", "kind", "event"]), segments=pd.DataFrame())


def _text(section) -> str:
    return "\n".join(p for p in section.parts if isinstance(p, str))


def test_too_few_weeks_say_the_minimum_and_the_parameter():
    section = step.change_points(_inputs(6), 1.0, 4, 26, 0.05)
    text = _text(section)
    assert "Not shown: change points" in text and "8 in all" in text and "`min_segment_weeks`" in text
    assert "Seasonality not removed" in text  # orders are seasonal and 6 weeks are far from two years
    assert section["breaks"].empty


def test_no_change_anywhere_runs_to_an_empty_register():
    inputs = _inputs(60)
    breaks = step.change_points(inputs, 1.0, 4, 26, 0.05)["breaks"]
    assert breaks.empty
    assert "nothing to test" in _text(step.period_comparison(breaks))
    register = step.change_register(inputs, breaks, ch.channel_ramps(None), ch.Attribution({}, {}, {}), 3)
    assert register.value("change_register") == [] and register.value("n_changes") == 0
    assert "No change passed the checks" in _text(register)
    yoy = step.quarter_vs_last_year(inputs, 0.05)
    assert "65 full weeks" in _text(yoy) and "60 full weeks" in _text(yoy)
