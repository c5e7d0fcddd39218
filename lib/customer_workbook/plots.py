"""One consistent figure style for every report, and the shared chart helpers.

All functions return a :class:`matplotlib.figure.Figure` that is already closed in pyplot, so a
notebook shows it exactly once, where it calls ``display(fig)``; tests inspect it.
The palette is seaborn's colour-blind-safe one, axes carry labels with units.
"""
from __future__ import annotations

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

PALETTE = sns.color_palette("colorblind")
FIGSIZE = (9.0, 4.2)


def use_style() -> None:
    """Apply the workbook's figure style (call once at the top of a notebook)."""
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook", rc={
        "figure.figsize": FIGSIZE, "figure.dpi": 100, "savefig.dpi": 100, "figure.autolayout": False,
        "axes.titlesize": 12, "axes.titleweight": "bold", "axes.labelsize": 10, "legend.frameon": False,
        "axes.spines.top": False, "axes.spines.right": False})
    matplotlib.rcParams["figure.constrained_layout.use"] = True


def finish(fig: Figure) -> Figure:
    """Detach ``fig`` from pyplot (no automatic second rendering at the end of a cell) and return it."""
    plt.close(fig)
    return fig


def styled_table(frame: pd.DataFrame, formats: dict | None = None):
    """A pandas Styler for reports: no index, text columns left-aligned, blanks for missing values."""
    text_columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    return (frame.style.hide(axis="index").format(formats or {}, na_rep="")
            .set_properties(subset=text_columns, **{"text-align": "left"})
            .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}]))


def date_axis(ax) -> None:
    """Compact, non-overlapping date tick labels on the x axis."""
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def thousands(ax_axis) -> None:
    """Format an axis' tick labels with thousands separators."""
    ax_axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def plot_weekly_volumes(weekly: pd.DataFrame, currency: str = "currency units") -> Figure:
    """Four panels of weekly key volumes from :func:`customer_workbook.overview.weekly_volumes`."""
    panels = [("orders", "Orders per week", "orders"),
              ("active_customers", "Active customers per week", "customers"),
              ("revenue", "Net revenue per week", currency),
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
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
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
