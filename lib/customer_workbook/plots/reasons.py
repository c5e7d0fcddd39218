"""Figures of the reasons customers choose us: importance vs performance, evidence in behaviour."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from . import titles as _titles
from ._style import PALETTE, finish, legend_beside, percent_axis, subplots

if TYPE_CHECKING:
    from ..reasons import RepeatCurve

__all__ = ["plot_importance_performance", "plot_reason_evidence"]


def plot_importance_performance(drivers: pd.DataFrame, title: str | None = None,
                                target: str = "recommendation (NPS)") -> Figure:
    """Importance (dominance R² share with bootstrap interval) against performance (mean agreement, 1-5).

    ``drivers`` is the ``table`` of :func:`customer_workbook.reasons.driver_importance`.

    Quadrant lines at the mean importance and mean performance: top-left = improve first,
    top-right = keep up the good work, bottom = lower priority.
    """
    fig, ax = subplots(figsize=(9, 5.5))
    imp, perf = drivers["importance"], drivers["performance"]
    ax.errorbar(perf, imp, yerr=[(imp - drivers["low"]).clip(lower=0), (drivers["high"] - imp).clip(lower=0)], fmt="o", color=PALETTE[0],
                ecolor="#999999", capsize=3)
    for _, row in drivers.iterrows():  # one label per driver (10)
        ax.annotate(str(row["driver"]).replace("_", " "), (row["performance"], row["importance"]),
                    textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.axhline(imp.mean(), color="#666666", lw=0.8, ls="--")
    ax.axvline(perf.mean(), color="#666666", lw=0.8, ls="--")
    ax.text(0.01, 0.98, "important, rated low:\nimprove first", transform=ax.transAxes, va="top", fontsize=8, color="#444444")
    ax.text(0.99, 0.98, "important, rated high:\nkeep it up", transform=ax.transAxes, va="top", ha="right", fontsize=8, color="#444444")
    ax.set_xlabel("performance: mean agreement that this is why they buy from us (1-5)")
    ax.set_ylabel("importance: share of variance explained (R², dominance)")
    ax.set_title(title or _titles.importance_title(drivers, target, "Reasons to choose: importance vs performance"))
    return finish(fig)


def plot_reason_evidence(curve: RepeatCurve, adoption: pd.DataFrame | None = None, fitted=None,
                         label: str = "") -> Figure:
    """Behaviour that shows reasons: repeat rate by delivery time (fast brand, left; ``curve`` from
    :func:`customer_workbook.reasons.delivery_repeat_curve`) and a launch's weekly adopters
    (:func:`customer_workbook.reasons.product_adoption`) with the fitted Bass curve (bandwagon, right,
    when given)."""
    delivery = curve.table
    panels = 2 if adoption is not None else 1
    fig, axes = subplots(1, panels, figsize=(12 if panels == 2 else 8, 4.2), squeeze=False)
    ax = axes[0, 0]
    ax.errorbar(delivery["delivery_days"], delivery["repeat_rate"],
                yerr=[delivery["repeat_rate"] - delivery["low"], delivery["high"] - delivery["repeat_rate"]],
                fmt="o-", color=PALETTE[0], capsize=3)
    percent_axis(ax.yaxis)
    ax.set_xlabel("delivery time of the order (days; last point pools slower)")
    ax.set_ylabel(f"ordered again within {curve.horizon_days} days")
    ax.set_title("Fast brand: repeat rate by delivery time")
    if adoption is not None:
        bx = axes[0, 1]
        bx.bar(adoption.index, adoption["new_adopters"], color=PALETTE[2], label="new adopters")
        if fitted is not None:
            bx.plot(adoption.index, fitted, color=PALETTE[3], lw=2, label="Bass model fit")
        bx.set_xlabel("weeks since launch")
        bx.set_ylabel("new adopters per week (customers)")
        bx.set_title(f"Bandwagon: adoption of {label}")
        legend_beside(bx)
    fig.suptitle(_titles.slope_title(getattr(curve, "slope", float("nan")), curve.horizon_days,
                                     "Reasons seen in behaviour"), fontweight="bold")
    return finish(fig)
