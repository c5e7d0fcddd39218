"""Figures of retention models: Qini curves, threshold trade-offs, calibration, drivers."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import titles as _titles
from ._style import _err, FIGSIZE, PALETTE, finish, legend_beside, percent_axis, subplots

__all__ = ["plot_qini", "plot_threshold_curves", "plot_calibration", "plot_drivers"]


def plot_qini(curves: dict, title: str | None = None) -> Figure:
    """Qini curves (``{label: DataFrame(share_targeted, incremental)}``) with the random-targeting line."""
    fig, ax = subplots(figsize=FIGSIZE)
    last = None
    for i, (label, c) in enumerate(curves.items()):
        ax.plot(c["share_targeted"], c["incremental"], color=PALETTE[i], lw=2, label=label)
        last = c
    if last is not None:
        ax.plot([0, 1], [0, last["incremental"].iloc[-1]], color="#888888", ls="--", lw=1, label="random targeting")
    ax.axhline(0, color="#444444", lw=0.8)
    percent_axis(ax.xaxis)
    ax.set_xlabel("share of the campaign population targeted (best-scored first)")
    ax.set_ylabel("incremental buyers (customers)")
    ax.set_title(title or _titles.qini_title(curves, "Qini curves on held-out campaign data"))
    legend_beside(ax)
    return finish(fig)


def plot_threshold_curves(table: pd.DataFrame, chosen: float | None = None, event: str = "churn") -> Figure:
    """Error rate, missing ratio (share found) and share targeted against the score threshold.

    ``table`` comes from :func:`customer_workbook.retention.threshold_table`; ``chosen`` marks the operating
    threshold with a vertical line.
    """
    fig, ax = subplots(figsize=FIGSIZE)
    ax.plot(table["threshold"], table["error_rate"], color=PALETTE[3], lw=2, label="error rate (1 - precision)")
    ax.plot(table["threshold"], table["missing_ratio"], color=PALETTE[0], lw=2,
            label=f"missing ratio (share of real {event} found)")
    ax.plot(table["threshold"], table["targeted_share"], color=PALETTE[7], lw=1.5, ls="--", label="share targeted")
    if chosen is not None:
        ax.axvline(chosen, color="black", lw=1, ls=":")
        ax.annotate("operating threshold", (chosen, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                    va="top", ha="right", fontsize=8)
    ax.set_ylim(0, 1.02)
    percent_axis(ax.yaxis)
    ax.set_xlabel(f"threshold on the predicted {event} probability")
    ax.set_ylabel("share of customers")
    ax.set_title(_titles.threshold_title(table, chosen, event, f"Who to target: error rate and missing ratio of the {event} model"))
    legend_beside(ax)
    return finish(fig)


def plot_calibration(tables: dict[str, pd.DataFrame]) -> Figure:
    """Reliability diagram: observed event rate against mean predicted probability per bin, per model."""
    fig, ax = subplots(figsize=(5.5, 4.6))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label="perfect calibration")
    for colour, (name, t) in zip(PALETTE, tables.items()):
        ax.plot(t["predicted"], t["observed"], marker="o", color=colour, lw=1.5, label=name)
    ax.set_xlabel("mean predicted probability (bin)")
    ax.set_ylabel("observed share")
    ax.set_title(_titles.calibration_title(tables, "Calibration on the test period"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    legend_beside(ax, fontsize=8)
    return finish(fig)


def plot_drivers(drivers: pd.DataFrame, top: int = 12, title: str | None = None) -> Figure:
    """Two panels per feature family: permutation importance (PR-AUC points lost) and the what-if effect
    on the predicted probability (percentage points; red raises it, blue lowers it).

    With ``effect_low``/``effect_high`` columns (:func:`customer_workbook.retention.driver_summary` of
    :func:`customer_workbook.retention.driver_effects`) the effects carry their intervals, and with
    ``measured`` the families whose effect the data do not measure are drawn grey.
    """
    rows = drivers.head(top).iloc[::-1]
    fig, (ax1, ax2) = subplots(1, 2, figsize=(11, 0.35 * len(rows) + 1.6), sharey=True)
    y = np.arange(len(rows))
    ax1.barh(y, rows["importance"] * 100, xerr=rows["importance_sd"] * 100, color=PALETTE[0])
    ax1.set_yticks(y, rows["family"])
    ax1.set_xlabel("PR-AUC lost when shuffled (points)")
    ax1.set_title("Reliance of the model")
    measured = rows["measured"].to_numpy(dtype=bool) if "measured" in rows else np.ones(len(rows), dtype=bool)
    colours = [(PALETTE[3] if e > 0 else PALETTE[0]) if m else "#bbbbbb" for e, m in zip(rows["effect"], measured)]
    ax2.barh(y, rows["effect"] * 100, color=colours)
    if {"effect_low", "effect_high"} <= set(rows.columns):
        ax2.errorbar(rows["effect"] * 100, y, xerr=_err(rows["effect"] * 100, rows["effect_low"] * 100,
                                                        rows["effect_high"] * 100),
                     fmt="none", ecolor="black", elinewidth=1, capsize=2)
        ax2.set_title("Effect for a customer (what-if, with its interval; grey: not measured)")
    else:
        ax2.set_title("Effect for a customer (what-if)")
    ax2.axvline(0, color="black", lw=0.8)
    ax2.set_xlabel("effect on the predicted probability (points)")
    fig.suptitle(title or _titles.drivers_title(rows, "What drives the prediction"), fontweight="bold")
    return finish(fig)
