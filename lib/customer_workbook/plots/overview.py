"""Figures of the data overview (notebook 00): weekly volumes, shares over time, histograms."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from . import titles as _titles
from ._style import FIGSIZE, PALETTE, date_axis, finish, legend_beside, percent_axis, subplots, thousands

__all__ = ["plot_weekly_volumes", "plot_shares_over_time", "plot_histogram"]


def plot_weekly_volumes(weekly: pd.DataFrame, unit: str = "currency units", title: str | None = None) -> Figure:
    """Four panels of weekly key volumes from :func:`customer_workbook.base.metrics.weekly_volumes`; the value
    panel in ``unit`` (the data's value unit, :func:`customer_workbook.value_unit.value_unit`: net revenue in
    currency units, or net purchases for data without a revenue column)."""
    value = "Net revenue per week" if unit == "currency units" else f"Net {unit} per week"
    panels = [("orders", "Orders per week", "orders"),
              ("active_customers", "Active customers per week", "customers"),
              ("revenue", value, unit),
              ("new_customers", "New customers per week (first purchase)", "customers")]
    fig, axes = subplots(2, 2, figsize=(11, 6.5), sharex=True)
    for ax, (column, panel, unit), colour in zip(axes.flat, panels, PALETTE):
        ax.plot(weekly.index, weekly[column], color=colour, lw=1.4)
        ax.set_title(panel)
        ax.set_ylabel(unit)
        thousands(ax.yaxis)
        date_axis(ax)
    for ax in axes[1]:
        ax.set_xlabel("week")
    fig.suptitle(title or _titles.weekly_title(weekly), fontweight="bold")
    return finish(fig)


def plot_shares_over_time(shares: pd.DataFrame, title: str | None = None, ylabel: str = "share of orders") -> Figure:
    """Stacked area of shares (rows: periods, columns: groups, rows sum to 1); the title, unless given, states the
    largest group's last share against its first."""
    fig, ax = subplots(figsize=FIGSIZE)
    ax.stackplot(shares.index, shares.T.to_numpy(), labels=[str(c) for c in shares.columns],
                 colors=PALETTE[: shares.shape[1]], alpha=0.9)
    ax.set_ylim(0, 1)
    date_axis(ax)
    percent_axis(ax.yaxis)
    ax.set_title(title or _titles.shares_title(shares, ylabel.removeprefix("share of "), ylabel.capitalize()))
    ax.set_ylabel(ylabel)
    ax.set_xlabel("month")
    legend_beside(ax)
    return finish(fig)


def plot_histogram(values: pd.Series, title: str, xlabel: str, log_y: bool = False, bins: int = 50,
                   clip_quantile: float = 0.995, max_bars: int = 40) -> Figure:
    """Histogram of one variable, with the top ``1 - clip_quantile`` tail folded into the last bin.

    Counts (whole numbers: orders per customer, items per order ...) get one bar per integer, centred on it,
    at most ``max_bars`` of them; a folded tail is the last bar, labelled "10+". Other values get ``bins`` bins.
    """
    values = pd.Series(values).dropna()
    fig, ax = subplots(figsize=FIGSIZE)
    if _is_count(values):
        _integer_bars(ax, values.astype(int), clip_quantile, max_bars)
    else:
        ax.hist(values.clip(upper=values.quantile(clip_quantile)), bins=bins, color=PALETTE[0], edgecolor="white")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    if log_y:
        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(NullFormatter())  # log ticks as plain numbers, not mathtext
    thousands(ax.yaxis)
    return finish(fig)


def _is_count(values: pd.Series) -> bool:
    """True for whole numbers (an integer column, or floats that are all whole)."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values) or values.empty:
        return False
    return bool(pd.api.types.is_integer_dtype(values) or np.all(np.mod(values.to_numpy(dtype=float), 1) == 0))


def _integer_bars(ax, values: pd.Series, clip_quantile: float, max_bars: int) -> None:
    """One bar per integer from the smallest value up; values above the fold (the ``clip_quantile`` quantile,
    at most ``max_bars`` bars) are counted in the last bar, whose tick reads "fold+"."""
    low = int(values.min())
    fold = min(int(np.ceil(values.quantile(clip_quantile))), low + max_bars - 1, int(values.max()))
    folded = bool(values.max() > fold)
    counts = values.clip(upper=fold).value_counts().reindex(range(low, fold + 1), fill_value=0)
    ax.bar(counts.index, counts.to_numpy(), width=0.9, color=PALETTE[0], edgecolor="white")
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if (fold - low) / s <= 12)
    ticks = [k for k in range(low, fold + 1) if k % step == 0 and fold - k >= step / 2] + [fold]
    ax.set_xticks(ticks, [str(k) for k in ticks[:-1]] + [f"{fold}+" if folded else str(fold)])
    ax.set_xlim(low - 0.6, fold + 0.6)
    ax.grid(axis="x", visible=False)
