"""Figures of how well the customer-value purchase models fit: calibration vs holdout, and weekly tracking.

Both read a :class:`customer_workbook.clv.CustomerValue` (:func:`customer_workbook.clv.score_customers`): its
``holdout`` table (calibration customers with their actual and predicted holdout repeat purchases) and its
``calibration_models`` (each candidate fitted on the calibration period). Without a holdout check (too short a
history) they return None, and the report says so in ``report.sentence()``.

>>> from customer_workbook.plots.model_fit import plot_calibration_holdout_models, plot_tracking_models
>>> fig = plot_calibration_holdout_models(scored)            # doctest: +SKIP
>>> fig = plot_tracking_models(scored, ds.transactions)      # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..clv.diagnostics import tracking_table
from ..findings import date_words
from . import titles as _titles
from ._style import FIGSIZE, PALETTE, date_axis, finish, legend_beside, subplots

__all__ = ["holdout_by_frequency", "plot_calibration_holdout_models", "plot_tracking_models", "show_model_fit"]


def holdout_by_frequency(holdout: pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout repeat purchases per customer by calibration frequency (0..max_frequency, the last pooled).

    Parameters
    ----------
    holdout : DataFrame
        ``CustomerValue.holdout``: ``frequency``, ``frequency_holdout`` and ``predicted_<model>`` per customer.
    max_frequency : int
        Calibration frequencies at or above it are pooled in the last bucket.

    Returns
    -------
    DataFrame
        Index ``frequency_bucket``; ``customers``, ``actual`` and one column per model (mean purchases, count).
    """
    bucket = np.minimum(holdout["frequency"].to_numpy(), max_frequency).astype(int)
    models = [c for c in holdout.columns if c.startswith("predicted_")]
    frame = holdout[["frequency_holdout", *models]].astype(float).set_axis(
        ["actual", *(c.removeprefix("predicted_") for c in models)], axis=1)
    grouped = frame.groupby(pd.Index(bucket, name="frequency_bucket"))
    out = grouped.mean()
    out.insert(0, "customers", grouped.size())
    return out


def plot_calibration_holdout_models(scored, max_frequency: int = 7, title: str | None = None) -> Figure | None:
    """Mean holdout repeat purchases by calibration frequency: actual against every candidate model.

    Returns None when the scorer ran no holdout check.
    """
    choice, holdout = scored.report.choice, scored.holdout
    if holdout is None or choice is None or not choice.checked:
        return None
    table = holdout_by_frequency(holdout, max_frequency)
    pos = np.arange(len(table))
    fig, ax = subplots(figsize=FIGSIZE)
    ax.plot(pos, table["actual"], "o-", color="black", lw=2, label="actual")
    models = [c for c in table.columns if c not in ("customers", "actual")]
    for i, name in enumerate(models):
        chosen = " (chosen)" if name == choice.chosen else ""
        ax.plot(pos, table[name], "s--", color=PALETTE[i % len(PALETTE)], label=f"{name}{chosen}")
    labels = [f"{i}" if i < max_frequency else f"{max_frequency}+" for i in table.index]
    ax.set_xticks(pos, [f"{lab}\n({n:,})" for lab, n in zip(labels, table["customers"], strict=True)])
    ax.set_xlabel(f"repeat purchase days up to {date_words(choice.calibration_end)} (customers)")
    ax.set_ylabel(f"mean repeat purchase days, next {choice.holdout_weeks:.0f} weeks")
    ax.set_title(title or _titles.holdout_title(table, choice.chosen, "Held-out check: repeat purchases by past frequency"))
    legend_beside(ax)
    return finish(fig)


def plot_tracking_models(scored, transactions: pd.DataFrame, title: str | None = None) -> Figure | None:
    """Weekly cumulative repeat purchases of the calibration cohort: actual against every candidate model.

    The models are the calibration fits, so the curve after the calibration end (dotted line) is a forecast.
    Returns None when the scorer ran no holdout check.
    """
    choice = scored.report.choice
    if choice is None or not choice.checked or not scored.calibration_models:
        return None
    end = scored.report.as_of - pd.Timedelta(days=1)
    tx = transactions.loc[(transactions["date"] < scored.report.as_of).to_numpy()]
    fig, ax = subplots(figsize=FIGSIZE)
    actual_drawn, ends = False, {}
    for i, (name, model) in enumerate(scored.calibration_models.items()):
        table = tracking_table(model, tx, choice.calibration_end, end, freq="D", time_unit="W")
        if not actual_drawn:
            ax.plot(table.index, table["actual"], "-", color="black", lw=2, label="actual")
            actual_drawn = True
        chosen = " (chosen)" if name == choice.chosen else ""
        ends[name] = (float(table["actual"].iloc[-1]), float(table["expected"].iloc[-1])) if len(table) else (np.nan, np.nan)
        ax.plot(table.index, table["expected"], "--", color=PALETTE[i % len(PALETTE)], label=f"{name}{chosen}")
    ax.axvline(choice.calibration_end, color="#888888", ls=":", label="end of calibration")
    date_axis(ax)
    ax.set_xlabel("week")
    ax.set_ylabel("cumulative repeat purchase days")
    ax.set_title(title or _titles.tracking_title(*ends.get(choice.chosen, (np.nan, np.nan)), choice.chosen,
                                                 "Tracking: cumulative repeat purchases, actual and predicted"))
    legend_beside(ax)
    return finish(fig)


def show_model_fit(draft, scored, transactions: pd.DataFrame) -> None:
    """Show both figures in a report section (``draft.show``), where it states the customer-value fit.

    Nothing is shown without a holdout check; ``scored.report.sentence()`` then says why.
    """
    for fig in (plot_calibration_holdout_models(scored), plot_tracking_models(scored, transactions)):
        if fig is not None:
            draft.show(fig)
