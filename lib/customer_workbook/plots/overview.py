"""Figures of the data overview (notebook 00): weekly volumes, shares over time, histograms."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from ._style import FIGSIZE, PALETTE, date_axis, finish, percent_axis, thousands

__all__ = ["plot_weekly_volumes", "plot_shares_over_time", "plot_histogram"]


def plot_weekly_volumes(weekly: pd.DataFrame, unit: str = "currency units") -> Figure:
    """Four panels of weekly key volumes from :func:`customer_workbook.base.metrics.weekly_volumes`; the value
    panel in ``unit`` (the data's value unit, :func:`customer_workbook.value_unit.value_unit`: net revenue in
    currency units, or net purchases for data without a revenue column)."""
    value = "Net revenue per week" if unit == "currency units" else f"Net {unit} per week"
    panels = [("orders", "Orders per week", "orders"),
              ("active_customers", "Active customers per week", "customers"),
              ("revenue", value, unit),
              ("new_customers", "New customers per week (first purchase)", "customers")]
    fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), sharex=True)
    for ax, (column, title, unit), colour in zip(axes.flat, panels, PALETTE):
        ax.plot(weekly.index, weekly[column], color=colour, lw=1.4)
        ax.set_title(title)
        ax.set_ylabel(unit)
        thousands(ax.yaxis)
        date_axis(ax)
    for ax in axes[1]:
        ax.set_xlabel("week")
    return finish(fig)


def plot_shares_over_time(shares: pd.DataFrame, title: str, ylabel: str = "share of orders") -> Figure:
    """Stacked area of shares (rows: periods, columns: groups, rows sum to 1)."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.stackplot(shares.index, shares.T.to_numpy(), labels=[str(c) for c in shares.columns],
                 colors=PALETTE[: shares.shape[1]], alpha=0.9)
    ax.set_ylim(0, 1)
    date_axis(ax)
    percent_axis(ax.yaxis)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("month")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return finish(fig)


def plot_histogram(values: pd.Series, title: str, xlabel: str, log_y: bool = False, bins: int = 50,
                   clip_quantile: float = 0.995) -> Figure:
    """Histogram of one variable, with the top ``1 - clip_quantile`` tail folded into the last bin."""
    upper = values.quantile(clip_quantile)
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.hist(values.clip(upper=upper), bins=bins, color=PALETTE[0], edgecolor="white")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    if log_y:
        ax.set_yscale("log")
    else:
        thousands(ax.yaxis)
    return finish(fig)
