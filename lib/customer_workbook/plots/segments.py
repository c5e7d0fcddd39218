"""Figures of segments and personas: RFM map and distribution, cohort retention, choice of k, persona profiles, lifecycle."""
from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.patches
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from ..findings import date_words
from . import titles as _titles
from ._style import PALETTE, finish, legend_beside, percent_axis, subplots

if TYPE_CHECKING:
    from ..segments import CategoryRetention

__all__ = ["plot_segment_map", "plot_cohort_retention", "plot_k_selection", "plot_persona_heatmap", "plot_lifecycle", "plot_rfm_distribution"]


def plot_segment_map(scores: pd.DataFrame, segments: pd.Series, summary: pd.DataFrame,
                     noun: str = "revenue") -> Figure:
    """RFM segment map: the R x FM grid coloured by segment with each cell's share of customers (left),
    and each segment's share of customers and of ``noun`` (right: "revenue", or "purchases" for data without
    a revenue column, :func:`customer_workbook.value_unit.value_noun`). Inputs from
    :mod:`customer_workbook.segments.rfm`: ``scores`` is the ``table`` of ``rfm_scores``, then
    ``rfm_segments`` and ``segment_summary``."""
    fig, (ax, bx) = subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [1, 1.3]})
    names = list(summary["segment"])
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    cells = pd.DataFrame({"R": scores["R"], "FM": scores["FM"], "s": segments.reindex(scores.index)})
    cells = cells[cells["s"].notna() & cells["R"].between(1, 5) & cells["FM"].between(1, 5)]  # unknown scores: no cell
    share = pd.crosstab(cells["R"], cells["FM"], normalize="all").reindex(index=range(1, 6), columns=range(1, 6), fill_value=0)
    seg_cell = cells.assign(s=cells["s"].astype(str)).groupby(["R", "FM"])["s"].agg(lambda s: s.mode().iloc[0])
    for (r, fm), name in seg_cell.items():
        ax.add_patch(matplotlib.patches.Rectangle((fm - 0.5, r - 0.5), 1, 1, color=colours.get(name, "grey"), alpha=0.55))
        ax.text(fm, r + 0.12, name, ha="center", va="center", fontsize=7)
        ax.text(fm, r - 0.18, f"{share.loc[r, fm]:.1%}", ha="center", va="center", fontsize=8, weight="bold")
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.grid(False)
    ax.set_xlabel(f"FM score (frequency and {'money' if noun == 'revenue' else noun}, 5 = best)")
    ax.set_ylabel("R score (recency, 5 = most recent)")
    ax.set_title("Segment map: share of customers per cell")
    y = np.arange(len(summary))
    bx.barh(y - 0.2, summary["customer_share"], height=0.4, color=PALETTE[0], label="customers")
    bx.barh(y + 0.2, summary["revenue_share"], height=0.4, color=PALETTE[1], label=noun)
    bx.set_yticks(y, names)
    bx.invert_yaxis()
    percent_axis(bx.xaxis)
    bx.set_xlabel(f"share of all customers / of net {noun}")
    bx.set_title(f"Segments: customers vs {noun}")
    legend_beside(bx)
    fig.suptitle(_titles.segment_title(summary, noun, "RFM segments"), fontweight="bold")
    return finish(fig)


def plot_cohort_retention(retention: pd.DataFrame, max_months: int = 24, title: str | None = None) -> Figure:
    """Cohort heat map (acquisition month x months since): observed cells coloured by their share (a share
    of 0 included), cells after the end of the data for their cohort (NaN) hatched, nothing else.

    ``retention`` is the ``table`` of :func:`customer_workbook.segments.cohort_retention`."""
    table = retention.iloc[:, : max_months + 1]
    fig, ax = subplots(figsize=(11, 5.5))
    ax.set_facecolor("white")
    _hatch_unobserved(ax, table)
    data = np.ma.masked_invalid(table.to_numpy(dtype=float))
    im = ax.imshow(data, aspect="auto", cmap="viridis", vmin=0, vmax=float(np.nanquantile(table.iloc[:, 1:], 0.98))
                   if table.shape[1] > 1 else 1, interpolation="nearest")
    step = max(1, len(table) // 12)
    ax.set_yticks(range(0, len(table), step), [f"{d:%b %Y}" for d in table.index[::step]])
    ax.set_xticks(range(0, table.shape[1], 3))
    ax.grid(False)
    ax.set_xlabel("months since acquisition (0 = acquisition month; hatched = not yet observed)")
    ax.set_ylabel("acquisition cohort (month)")
    ax.set_title(title or _titles.cohort_title(table, "Cohort retention: share of each cohort buying in the month"))
    bar = fig.colorbar(im, ax=ax)
    bar.set_label("share of cohort active")
    percent_axis(bar.ax.yaxis)
    return finish(fig)


def _hatch_unobserved(ax, table: pd.DataFrame) -> None:
    """Hatch the cells of ``table`` that are not observed (NaN), one rectangle per run of them in a row."""
    missing = table.isna().to_numpy()
    for row, cells in enumerate(missing):
        col = 0
        while col < len(cells):
            if not cells[col]:
                col += 1
                continue
            end = col
            while end < len(cells) and cells[end]:
                end += 1
            ax.add_patch(matplotlib.patches.Rectangle((col - 0.5, row - 0.5), end - col, 1, hatch="///", fill=False,
                                                      edgecolor="#cccccc", lw=0))
            col = end


def plot_k_selection(table: pd.DataFrame, threshold: float | None = None) -> Figure:
    """Stability (the worst persona's Jaccard index between subsample fits) and silhouette by number of personas,
    the chosen k marked.

    ``table`` is ``Personas.criterion`` (columns ``k``, ``stability``, ``stability_min``, ``ari``, ``silhouette``,
    ``chosen``); ``threshold`` is the stability a k had to reach (a dotted line).
    """
    fig, ax = subplots(figsize=(9, 4))
    ax.plot(table["k"], table["stability"], "o-", color=PALETTE[0], label="stability\n(worst persona's Jaccard\nbetween subsample fits)")
    ax.fill_between(table["k"], table["stability_min"], table["stability"], color=PALETTE[0], alpha=0.15)
    ax.plot(table["k"], table["silhouette"], "s--", color=PALETTE[1], label="silhouette")
    if threshold is not None:
        ax.axhline(threshold, color="#666666", lw=0.8, ls=":", label=f"stability threshold {threshold:g}")
    chosen = int(table.loc[table["chosen"], "k"].iloc[0]) if "chosen" in table and table["chosen"].any() else None
    if chosen is not None:
        ax.axvline(chosen, color=PALETTE[2], lw=1.5, label=f"chosen k = {chosen}")
    ax.set_xlabel("number of personas k")
    ax.set_ylabel("score (1 = perfect)")
    ax.set_title(_titles.k_title(table, threshold, "How many personas? The most detailed split that reproduces"))
    legend_beside(ax)
    return finish(fig)


def plot_persona_heatmap(centres: pd.DataFrame, names: pd.Series | None = None) -> Figure:
    """Persona centres in standard deviations from the average customer (features x personas)."""
    data = centres.T
    if names is not None:
        data.columns = [f"{p}. {names.get(p, p)}" for p in data.columns]
    fig, ax = subplots(figsize=(10, max(0.32 * len(data) + 1.8, 3.6)))
    sns.heatmap(data, cmap="vlag", center=0, vmin=-2, vmax=2, annot=True, fmt=".1f", annot_kws={"fontsize": 7},
                cbar_kws={"label": "standard deviations from the average customer"}, ax=ax)
    ax.set_xlabel("persona")
    ax.set_ylabel("feature")
    ax.set_xticklabels(ax.get_xticklabels(), rotation=20, ha="right")
    ax.set_title(_titles.persona_title(data, "What sets each persona apart"))
    return finish(fig)


def plot_lifecycle(stage_shares: pd.Series, health_by_stage: pd.Series, multi: CategoryRetention) -> Figure:
    """Lifecycle stage shares (left), mean health by stage (middle) and the multi-category retention
    by order count (right; ``multi`` from :func:`customer_workbook.segments.multi_category_retention`)."""
    fig, axes = subplots(1, 3, figsize=(13, 4))
    axes[0].bar(stage_shares.index.astype(str), stage_shares.to_numpy(), color=PALETTE[0])
    percent_axis(axes[0].yaxis)
    axes[0].set_ylabel("share of customers")
    axes[0].set_xlabel("lifecycle stage reached")
    axes[0].set_title("Lifecycle stages")
    axes[1].bar(health_by_stage.index.astype(str), health_by_stage.to_numpy(), color=PALETTE[1])
    axes[1].set_ylabel("mean health score (0-100)")
    axes[1].set_xlabel("lifecycle stage reached")
    axes[1].set_title("Health by stage")
    table = multi.table
    x = table["orders_before_cutoff"].astype(str)
    axes[2].plot(x, table["single_retained"], "o-", color=PALETTE[3], label="one category")
    axes[2].plot(x, table["multi_retained"], "s-", color=PALETTE[2], label="2+ categories")
    percent_axis(axes[2].yaxis)
    axes[2].set_xlabel(f"orders before {date_words(multi.cutoff)}")
    axes[2].set_ylabel("still buying after the cutoff")
    axes[2].set_title(f"Cross-sell: {100 * multi.difference:+.1f} pp retention")
    legend_beside(axes[2])
    for ax in axes[:2]:
        ax.tick_params(axis="x", rotation=15)
    fig.suptitle(_titles.lifecycle_title(stage_shares, multi.difference, "Lifecycle stages and health"), fontweight="bold")
    return finish(fig)


def plot_rfm_distribution(scores: pd.DataFrame, groups: pd.Series | None = None, title: str | None = None) -> Figure:
    """Distribution of R, F and M scores (share of customers per score), one line per group if given.

    ``scores`` is the ``table`` of :func:`customer_workbook.segments.rfm_scores` (or some of its rows)."""
    fig, axes = subplots(1, 3, figsize=(12, 3.6), sharey=True)
    labels = ["all customers"] if groups is None else [str(g) for g in pd.unique(groups.astype(str))]
    for j, dim in enumerate(("R", "F", "M")):
        ax = axes[j]
        for i, label in enumerate(labels):
            s = scores[dim] if groups is None else scores.loc[groups.astype(str) == label, dim]
            dist = s.value_counts(normalize=True).reindex(range(1, 6), fill_value=0)
            ax.plot(dist.index, dist.to_numpy(), "o-", color=PALETTE[i % len(PALETTE)], label=label)
        ax.set_xticks(range(1, 6))
        ax.set_xlabel(f"{dim} score (5 = best)")
        percent_axis(ax.yaxis)
    axes[0].set_ylabel("share of customers")
    legend_beside(axes[-1], fontsize=8)
    fig.suptitle(title or _titles.rfm_title(scores, groups, "RFM scores"), fontweight="bold")
    return finish(fig)
