"""Figures of offers and products: recommender accuracy and movement between product tiers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from . import titles as _titles
from ._style import FIGSIZE, PALETTE, finish, legend_beside, percent_axis, subplots

__all__ = ["plot_recommender_eval", "plot_tier_migration"]


def plot_recommender_eval(table: pd.DataFrame, k: int, title: str | None = None) -> Figure:
    """Grouped bars of hit rate, recall and precision at k for each method (rows of ``table``)."""
    metrics = [m for m in ("hit_rate", "recall", "precision") if m in table]
    fig, ax = subplots(figsize=FIGSIZE)
    width = 0.8 / len(table)
    for i, (method, row) in enumerate(table.iterrows()):
        xs = np.arange(len(metrics)) + i * width
        bars = ax.bar(xs, [row[m] for m in metrics], width, color=PALETTE[i], label=str(method).replace("_", "-"))
        ax.bar_label(bars, labels=[f"{row[m]:.0%}" for m in metrics], fontsize=9)
    ax.set_xticks(np.arange(len(metrics)) + width * (len(table) - 1) / 2, [f"{m.replace('_', ' ')} @ {k}" for m in metrics])
    percent_axis(ax.yaxis)
    ax.set_ylabel("share (test customers after the split)")
    ax.set_xlabel(f"accuracy measure ({k} offers per customer)")
    ax.set_title(title or _titles.recommender_title(table, k, "Next-best offers: held-out accuracy"))
    legend_beside(ax)
    return finish(fig)


def plot_tier_migration(matrix: pd.DataFrame, title: str | None = None) -> Figure:
    """Heat map of a row-normalised transition matrix (rows: before, columns: after)."""
    fig, ax = subplots(figsize=(6.5, 4.6))
    sns.heatmap(matrix, annot=True, fmt=".0%", cmap="Blues", vmin=0, vmax=1, cbar_kws={"label": "share of row"}, ax=ax)
    ax.set_xlabel(matrix.columns.name or "after")
    ax.set_ylabel(matrix.index.name or "before")
    ax.set_title(title or _titles.tier_title(matrix, "Movement between product tiers"))
    return finish(fig)
