"""Figures of customer value: concentration of future value and P(alive) by dormancy group."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import titles as _titles
from ._style import FIGSIZE, PALETTE, finish, legend_beside, percent_axis, subplots

__all__ = ["plot_value_concentration", "plot_dormancy"]


def plot_value_concentration(values: pd.Series, marks=(0.01, 0.05, 0.20), title: str | None = None) -> Figure:
    """Cumulative share of total value against the share of customers, most valuable first."""
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    x = np.arange(1, v.size + 1) / v.size
    y = np.cumsum(v) / v.sum()
    fig, ax = subplots(figsize=FIGSIZE)
    ax.plot(x, y, color=PALETTE[0], lw=2, label="customers ranked by value")
    ax.plot([0, 1], [0, 1], color="#888888", ls="--", lw=1, label="equal value")
    for i, m in enumerate(marks):
        j = max(int(np.ceil(m * v.size)) - 1, 0)
        ax.plot(x[j], y[j], "o", color=PALETTE[(i + 1) % len(PALETTE)])
        ax.annotate(f"top {m:.0%}: {y[j]:.0%}", (x[j], y[j]), xytext=(8, -14), textcoords="offset points", fontsize=9)
    percent_axis(ax.xaxis, ax.yaxis)
    ax.set_xlabel("share of customers (most valuable first)")
    ax.set_ylabel("share of total expected value")
    ax.set_title(title or _titles.concentration_title(values, marks[-1], "Who holds the future value"))
    legend_beside(ax)
    return finish(fig)


def plot_dormancy(p_alive: pd.Series, groups: pd.Series, order=None, title: str | None = None) -> Figure:
    """Box plot of P(alive) per dormancy group (group sizes in the labels)."""
    order = list(order) if order is not None else [str(g) for g in pd.unique(groups.astype(str))]
    g = groups.astype(str)
    data = [p_alive[g == name].to_numpy() for name in order]
    fig, ax = subplots(figsize=FIGSIZE)
    box = ax.boxplot(data, patch_artist=True, widths=0.6, showfliers=False)
    for patch, colour in zip(box["boxes"], PALETTE):
        patch.set_facecolor(colour)
        patch.set_alpha(0.7)
    ax.set_xticks(range(1, len(order) + 1), [f"{name.replace('_', '-')}\n(n={len(d):,})" for name, d in zip(order, data)])
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("probability the customer is still active (0-1)")
    ax.set_xlabel("dormancy group (time since last purchase / own typical gap)")
    medians = {name: float(np.median(d)) if len(d) else float("nan") for name, d in zip(order, data)}
    ax.set_title(title or _titles.dormancy_title(medians, "P(alive) by dormancy group"))
    return finish(fig)
