"""Figures of advocacy: the engagement pyramid and NPS by group."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from . import titles as _titles
from ._style import PALETTE, finish, legend_beside, subplots

if TYPE_CHECKING:
    from ..advocacy import NetPromoterScore

__all__ = ["plot_advocacy_pyramid", "plot_nps_forest"]


def plot_advocacy_pyramid(shares: pd.Series, planted: dict | None = None) -> Figure:
    """Advocacy pyramid: lovers on top, likers, lurkers at the base; bar widths are shares of customers.

    ``shares`` maps each level (:data:`customer_workbook.advocacy.LEVELS`) to its share of customers;
    ``planted`` optionally to a typical share, written beside it."""
    order = ["lover", "liker", "lurker"]
    fig, ax = subplots(figsize=(8, 3.8))
    widths = [float(shares.get(t, 0.0)) for t in order]
    shown = [max(w, 0.02) for w in widths]  # tiny levels stay visible
    for i, (level, w, s) in enumerate(zip(order, widths, shown)):
        ax.barh(i, s, left=-s / 2, color=PALETTE[[2, 0, 7][i]], height=0.8)
        note = f"  (typical {planted[level]:.0%})" if planted and level in planted else ""
        ax.text(max(s / 2, 0.05) + 0.02, i, f"{level}s: {w:.1%}{note}", va="center", fontsize=9)
    ax.set_yticks([])
    ax.set_xticks([])
    ax.set_xlim(-0.55, 1.0)
    ax.invert_yaxis()
    ax.set_xlabel("bar width: share of customers (tiny levels drawn at a minimum width)")
    ax.set_title(_titles.pyramid_title(dict(zip(order, widths)), "Advocacy pyramid"))
    ax.grid(False)
    return finish(fig)


def plot_nps_forest(tables: dict[str, pd.DataFrame], overall: NetPromoterScore) -> Figure:
    """NPS with confidence intervals for several groupings; hollow markers = not significantly different
    from the rest (Holm-adjusted). ``tables`` maps a title to :func:`customer_workbook.advocacy.nps_by_group`
    output; ``overall`` is :func:`customer_workbook.advocacy.nps` of all respondents."""
    rows = sum(len(t) for t in tables.values()) + len(tables)
    fig, ax = subplots(figsize=(9, 0.28 * rows + 1.5))
    y, ticks, labels = 0, [], []
    for i, (title, table) in enumerate(tables.items()):
        ticks.append(y)
        labels.append(f"— {title} —")
        y += 1
        for _, r in table.iterrows():  # one row per group
            colour = PALETTE[i % len(PALETTE)]
            ax.errorbar(r["nps"], y, xerr=[[r["nps"] - r["low"]], [r["high"] - r["nps"]]], fmt="o", color=colour,
                        mfc=colour if r["significant"] else "white", capsize=2)
            ticks.append(y)
            labels.append(f"{r['group']} (n={r['n']:,})")
            y += 1
    ax.axvline(overall.nps, color="#444444", ls="--", lw=1, label=f"overall NPS {overall.nps:+.0f}")
    ax.axvspan(overall.low, overall.high, color="#bbbbbb", alpha=0.3)
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("NPS (points, -100 to 100) with 95% interval; hollow = not different from the rest")
    ax.set_title(_titles.nps_title(tables, overall.nps, "Net Promoter Score by group"))
    legend_beside(ax)
    return finish(fig)
