"""Figures of relevant changes (step 2, notebook 02): metric panels with events, who changed, channel ramps."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import titles as _titles
from ._style import FIGSIZE, PALETTE, date_axis, finish, legend_beside, percent_axis, subplots

__all__ = ["plot_change_panels", "plot_who_changed", "plot_channel_ramp"]


def _mark_events(ax, events: pd.DataFrame | None, label: bool = True) -> None:
    """Dashed grey lines at market events, with a short label at the top of the axes."""
    if events is None or events.empty:
        return
    for _, ev in events.iterrows():
        ax.axvline(ev["week"], color="grey", ls="--", lw=0.9, alpha=0.8)
        if label:
            text = str(ev["event"])
            ax.annotate(text[:28] + ("…" if len(text) > 28 else ""), (ev["week"], 1.0),
                        xycoords=("data", "axes fraction"), rotation=90, va="top", ha="right", fontsize=7,
                        color="dimgrey")


def plot_change_panels(panels: list[tuple[str, str, pd.DataFrame, list]], events: pd.DataFrame | None = None,
                       ncols: int = 2, title: str | None = None) -> Figure:
    """Small multiples of weekly series with their detected change points.

    Parameters
    ----------
    panels
        ``(title, unit, view, flagged_dates)`` per panel; ``view`` is
        :func:`customer_workbook.changes.series_view` output (columns value, adjusted, level; index: week);
        ``flagged_dates`` are the breaks kept as changes (solid red lines); other breaks in ``level`` show
        only as steps.
    events
        Market events (week, event) drawn as dashed grey lines.
    """
    n = max(len(panels), 1)
    nrows = int(np.ceil(n / ncols))
    fig, axes = subplots(nrows, ncols, figsize=(11, 2.9 * nrows), sharex=True, squeeze=False)
    for ax, (panel, unit, view, flagged) in zip(axes.flat, panels):
        ax.plot(view.index, view["value"], color=PALETTE[7], lw=0.8, label="observed")
        ax.plot(view.index, view["adjusted"], color=PALETTE[0], lw=1.2, label="seasonally adjusted")
        ax.step(view.index, view["level"], where="post", color=PALETTE[1], lw=1.8, label="level between breaks")
        for d in flagged:
            ax.axvline(d, color=PALETTE[3], lw=1.8)
        _mark_events(ax, events, label=False)
        ax.set_title(panel if len(panels) > 1 else "", fontsize=10)  # one panel: the figure's title names it
        ax.set_ylabel(unit)
        date_axis(ax)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for column in range(ncols):  # the lowest panel shown in each column carries the dates
        shown = [ax for ax in axes[:, column] if ax.get_visible()]
        if shown:
            shown[-1].xaxis.set_tick_params(labelbottom=True)
            shown[-1].set_xlabel("week")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    handles.append(Line2D([], [], color=PALETTE[3], lw=1.8))
    labels.append("change kept in the register")
    handles.append(Line2D([], [], color="grey", ls="--", lw=0.9))
    labels.append("market event")
    fig.suptitle(title or _titles.panels_title(panels, "Weekly metrics and their changes"), fontweight="bold")
    fig.legend(handles, labels, loc="outside lower center", ncol=5, fontsize=8)  # the finding title above
    return finish(fig)


def plot_who_changed(table: pd.DataFrame, title: str, xlabel: str, top: int = 12) -> Figure:
    """Forest plot of the excess change of each group against the rest (from ``changes.who_changed``).

    Flagged groups (significant and large enough) are drawn in colour, others in grey. ``title`` names the
    change (metric and date); the figure's title adds the finding: the group that moved most, or none.
    """
    rows = table.head(top).iloc[::-1]
    fig, ax = subplots(figsize=(9, 0.38 * len(rows) + 1.4))
    y = np.arange(len(rows))
    colours = [PALETTE[3] if f else PALETTE[7] for f in rows["flagged"]]
    ax.errorbar(rows["excess_change"], y, xerr=[rows["excess_change"] - rows["ci_low"],
                                                 rows["ci_high"] - rows["excess_change"]],
                fmt="none", ecolor=colours, elinewidth=1.5)
    ax.scatter(rows["excess_change"], y, color=colours, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [f"{s.replace('_', ' ')}: {g}" for s, g in zip(rows["segmentation"], rows["group"])])
    ax.set_title(_titles.who_title(rows, title))
    ax.set_xlabel(xlabel)
    return finish(fig)


def plot_channel_ramp(shares: pd.DataFrame, ramps: pd.DataFrame, events: pd.DataFrame | None = None) -> Figure:
    """Weekly share of orders by sales channel, with the fitted ramp-up of each new channel (dotted)."""
    fig, ax = subplots(figsize=FIGSIZE)
    for colour, ch in zip(PALETTE, shares.columns):
        ax.plot(shares.index, shares[ch], color=colour, lw=1.3, label=str(ch))
    for _, r in ramps.iterrows():
        t = np.arange(len(shares))
        start = int(np.searchsorted(shares.index, r["launch"]))
        fit = np.where(t >= start, r["plateau"] * np.minimum(1, (t - start + 1) / r["ramp_weeks"]), 0.0)
        ax.plot(shares.index, fit, color="black", ls=":", lw=1.5, label=f"{r['channel']}: fitted ramp")
    _mark_events(ax, events)
    ax.set_ylim(0, 1)
    percent_axis(ax.yaxis)
    ax.set_title(_titles.ramp_title(ramps, "Share of orders by sales channel, weekly"))
    ax.set_ylabel("share of orders")
    ax.set_xlabel("week")
    date_axis(ax)
    legend_beside(ax)
    return finish(fig)
