"""Figures of acquisition economics (step 3): unit economics, response curves, the value frontier, conquest vs relations."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from . import titles as _titles
from ._style import _err, FIGSIZE, PALETTE, finish, legend_beside, subplots, thousands

__all__ = ["plot_unit_economics", "plot_response_curves", "plot_value_frontier", "plot_conquest_vs_relations"]


def plot_unit_economics(econ: pd.DataFrame, currency: str = "currency units") -> Figure:
    """CLV and CAC per acquisition channel (with 90% intervals), and CLV/CAC with its interval.

    ``econ`` is :func:`customer_workbook.acquisition.unit_economics` output (channel, clv, clv_low, clv_high,
    cac, cac_low, cac_high, clv_to_cac, ratio_low, ratio_high).
    """
    rows = econ.reset_index(drop=True)
    y = np.arange(len(rows))[::-1]
    fig, (ax1, ax2) = subplots(1, 2, figsize=(11, 0.5 * len(rows) + 2.2), sharey=True)
    for col, colour, dy, label in (("clv", PALETTE[0], 0.15, "CLV of a new customer"),
                                   ("cac", PALETTE[3], -0.15, "acquisition cost (CAC)")):
        ax1.errorbar(rows[col], y + dy, xerr=_err(rows[col], rows[f"{col}_low"], rows[f"{col}_high"]),
                     fmt="o", color=colour, label=label, capsize=3)
    ax1.set_yticks(y, rows["channel"].astype(str))
    ax1.set_xlabel(f"{currency} per customer")
    ax1.set_title("Value and cost of a new customer")
    legend_beside(ax1, fontsize=8)
    thousands(ax1.xaxis)
    ax2.errorbar(rows["clv_to_cac"], y, xerr=_err(rows["clv_to_cac"], rows["ratio_low"], rows["ratio_high"]),
                 fmt="o", color=PALETTE[2], capsize=3)
    ax2.axvline(1, color="black", lw=0.8, ls="--")
    ax2.set_xlabel("CLV / CAC (1 = break-even)")
    ax2.set_title("Return on acquisition")
    fig.suptitle(_titles.unit_economics_title(rows, "Value and cost of a new customer"), fontweight="bold")
    return finish(fig)


def plot_response_curves(marketing: pd.DataFrame, curves: dict, current: dict, worth: dict | None = None,
                         ncols: int = 3) -> Figure:
    """Weekly new customers against weekly spend per channel: the data, the fitted saturating curve with a
    90% bootstrap band, and today's spend (dashed).

    ``curves`` is ``{channel: ResponseCurve}`` (:func:`customer_workbook.acquisition.fit_response_curves`),
    ``current`` today's weekly spend per channel."""
    channels = list(curves)
    nrows = int(np.ceil(len(channels) / ncols))
    fig, axes = subplots(nrows, ncols, figsize=(11, 3.0 * nrows), squeeze=False)
    for ax, ch, colour in zip(axes.flat, channels, PALETTE * 3):
        g = marketing.loc[marketing["channel"].astype(str) == ch]
        c = curves[ch]
        s = np.linspace(0, c.max_spend, 200)
        ax.scatter(g["spend"], g["new_customers"], s=8, color=PALETTE[7], alpha=0.6)
        if len(c.draws):
            band = c.draw_predict(s)
            ax.fill_between(s, np.quantile(band, 0.05, axis=0), np.quantile(band, 0.95, axis=0), color=colour, alpha=0.25)
        ax.plot(s, c.predict(s), color=colour, lw=2)
        ax.axvline(current[ch], color="black", ls="--", lw=1)
        title = f"{ch}" + (f" (carry-over {c.theta:.2f})" if c.theta > 0 else "")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("weekly spend (currency units)")
        ax.set_ylabel("new customers / week")
        thousands(ax.xaxis)
    for ax in axes.flat[len(channels):]:
        ax.set_visible(False)
    fig.suptitle(_titles.response_title(curves, current, "New customers against weekly spend"), fontweight="bold")
    return finish(fig)


def plot_value_frontier(frontier: pd.DataFrame, current_budget: float, optimum_budget: float,
                        optimum_interval: tuple[float, float] | None = None,
                        currency: str = "currency units") -> Figure:
    """Weekly value created against the total weekly acquisition budget: today's mix scaled, and the best
    mix at each budget (:func:`customer_workbook.acquisition.budget_frontier`); today's budget and the
    value-maximising budget (with its interval) marked."""
    fig, ax = subplots(figsize=FIGSIZE)
    ax.plot(frontier["budget"], frontier["value_current_mix"], color=PALETTE[7], lw=2, label="today's mix, scaled")
    ax.plot(frontier["budget"], frontier["value_best_mix"], color=PALETTE[0], lw=2, label="best mix at each budget")
    if optimum_interval is not None:
        ax.axvspan(*optimum_interval, color=PALETTE[2], alpha=0.15, label="optimum, 90% interval")
    ax.axvline(optimum_budget, color=PALETTE[2], lw=1.8, label="value-maximising budget")
    ax.axvline(current_budget, color="black", ls="--", lw=1, label="today's budget")
    ax.set_xlabel(f"total weekly acquisition budget ({currency})")
    ax.set_ylabel(f"value created per week ({currency})")
    ax.set_title(_titles.frontier_title(current_budget, optimum_budget, "Firm value created at each acquisition budget"))
    thousands(ax.xaxis)
    thousands(ax.yaxis)
    legend_beside(ax, fontsize=8)
    return finish(fig)


def plot_conquest_vs_relations(returns: pd.DataFrame) -> Figure:
    """Value returned by one more currency unit on each acquisition channel (conquest) or retention target
    (relations), :func:`customer_workbook.acquisition.conquest_vs_relations` output; 1 is break-even.

    Each bar carries its 90% interval: ``1.645 * return_se`` for a channel, the uplift's interval scaled to
    the return for a retention target. A retention target whose uplift is not measured (``uplift_measured``
    false) is drawn pale and hatched: its bar could as well be at zero."""
    rows = returns.iloc[::-1].reset_index(drop=True)
    low, high = _return_interval(rows)
    measured = rows["uplift_measured"].fillna(True).astype(bool) if "uplift_measured" in rows else \
        pd.Series(True, index=rows.index)
    fig, ax = subplots(figsize=(9, 0.4 * len(rows) + 1.6))
    y = np.arange(len(rows))
    for i, r in rows.iterrows():
        colour = PALETTE[0] if r["option"] == "conquest" else PALETTE[1]
        ax.barh(y[i], r["return_per_unit"], color=colour, alpha=1.0 if measured[i] else 0.35,
                hatch="" if measured[i] else "//", edgecolor=colour)
    shown = np.isfinite(low) & np.isfinite(high)
    ax.errorbar(rows["return_per_unit"][shown], y[shown],
                xerr=[(rows["return_per_unit"] - low)[shown], (high - rows["return_per_unit"])[shown]],
                fmt="none", ecolor="black", elinewidth=1, capsize=3)
    ax.axvline(1, color="black", ls="--", lw=0.9)
    ax.set_yticks(y, [str(t) for t in rows["target"]])
    ax.set_xlabel("value created per extra currency unit spent (1 = break-even; bars: 90% interval)")
    ax.set_title(_titles.conquest_title(rows, "Where does the next unit of budget create most value?"))
    handles = [Patch(color=PALETTE[0], label="conquest (acquisition)"),
               Patch(color=PALETTE[1], label="relations (retention)"),
               Patch(facecolor=PALETTE[1], alpha=0.35, hatch="//", label="uplift not measured")]
    legend_beside(ax, handles=handles, fontsize=8)
    return finish(fig)


def _return_interval(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """90% interval of each return: the uplift's interval scaled to the return (relations: the return is
    proportional to the uplift), else +-1.645 standard errors (NaN when unknown)."""
    ret = rows["return_per_unit"].to_numpy(dtype=float)
    half = 1.645 * rows["return_se"].to_numpy(dtype=float)
    low, high = ret - half, ret + half
    if {"uplift", "uplift_low", "uplift_high"} <= set(rows):
        uplift = rows["uplift"].to_numpy(dtype=float)
        scale = np.divide(ret, uplift, out=np.full(len(rows), np.nan), where=np.isfinite(uplift) & (uplift != 0))
        relations = rows["option"].eq("relations").to_numpy() & np.isfinite(scale)
        low = np.where(relations, rows["uplift_low"].to_numpy(dtype=float) * scale, low)
        high = np.where(relations, rows["uplift_high"].to_numpy(dtype=float) * scale, high)
    return np.minimum(low, high), np.maximum(low, high)
