"""Figures of the plan: demand forecast and the audience map."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from . import titles as _titles
from ._style import FIGSIZE, PALETTE, date_axis, finish, legend_beside, subplots, thousands

__all__ = ["plot_demand_forecast", "plot_audience_map"]


def plot_demand_forecast(weekly: pd.Series, forecast: pd.DataFrame, backtest: pd.DataFrame, unit: str,
                         title: str) -> Figure:
    """Weekly history, next-quarter forecast with its interval, and the backtest (actual vs forecast
    quarter totals at each origin). ``forecast`` and ``backtest`` are the ``weekly`` and ``backtest`` of a
    :class:`customer_workbook.planning.QuarterForecast`; ``unit`` labels the axes."""
    fig, (ax1, ax2) = subplots(1, 2, figsize=(11, 4.0), gridspec_kw={"width_ratios": [2, 1]})
    ax1.plot(weekly.index, weekly.to_numpy(), color=PALETTE[0], lw=1.2, label="actual")
    ax1.plot(forecast["week"], forecast["forecast"], color=PALETTE[1], lw=2, label="forecast")
    ax1.fill_between(forecast["week"], forecast["low"], forecast["high"], color=PALETTE[1], alpha=0.25,
                     label="interval")
    ax1.set_ylabel(f"{unit} per week")
    ax1.set_xlabel("week")
    ax1.set_title(_titles.forecast_title(weekly, forecast, title))
    thousands(ax1.yaxis)
    date_axis(ax1)
    legend_beside(ax1, fontsize=8)
    ax2.plot(backtest["origin"], backtest["actual"], color=PALETTE[0], lw=1.5, label="actual quarter")
    ax2.plot(backtest["origin"], backtest["forecast"], color=PALETTE[1], lw=1.5, label="forecast")
    ax2.plot(backtest["origin"], backtest["seasonal_naive"], color=PALETTE[7], lw=1, ls="--", label="same weeks last year")
    ax2.set_ylabel(f"{unit} in the next {len(forecast)} weeks")
    ax2.set_xlabel("forecast origin")
    ax2.set_title("Backtest")
    thousands(ax2.yaxis)
    date_axis(ax2)
    legend_beside(ax2, fontsize=8)
    return finish(fig)


def plot_audience_map(audiences: pd.DataFrame, pilot: tuple[str, str] | None = None, currency: str = "currency units",
                      tied: list[tuple[str, str]] | None = None) -> Figure:
    """Audiences (segment x persona) by value per customer and churn risk; bubble area = customers;
    the pilot audience (``(segment, persona)``) is ringed, and so, with a dashed ring, is each audience of
    ``tied`` (cells the data cannot tell apart from the most valuable one)."""
    a = audiences[audiences["ranked"]]
    fig, ax = subplots(figsize=FIGSIZE)
    personas = list(pd.unique(a["persona"]))
    yval = a["churn_risk"] if "churn_risk" in a else a["p_alive"]
    for colour, persona in zip(PALETTE, personas):
        m = a["persona"] == persona
        ax.scatter(a.loc[m, "value_per_customer"], yval[m], s=a.loc[m, "customers"] / a["customers"].max() * 600 + 10,
                   color=colour, alpha=0.7, label=persona, edgecolor="white")
    if pilot is not None:
        m = (a["segment"] == pilot[0]) & (a["persona"] == pilot[1])
        ax.scatter(a.loc[m, "value_per_customer"], yval[m], s=900, facecolor="none", edgecolor="black", lw=1.5)
        for _, r in a[m].iterrows():
            ax.annotate("pilot", (r["value_per_customer"], yval[m].iloc[0]),  # named in the text and table
                        xytext=(0, 18), textcoords="offset points", fontsize=8, ha="center")
    for seg, persona in tied or []:
        m = (a["segment"] == seg) & (a["persona"] == persona)
        ax.scatter(a.loc[m, "value_per_customer"], yval[m], s=900, facecolor="none", edgecolor="black", lw=1.2,
                   linestyle="--")
    ax.set_xlabel(f"expected 12-month value per customer ({currency})")
    ax.set_ylabel("mean predicted probability of no order" if "churn_risk" in a else "mean probability alive")
    ax.set_title(_titles.audience_title(a, pilot, "Audiences: segment x persona"))
    legend_beside(ax, fontsize=8)
    return finish(fig)
