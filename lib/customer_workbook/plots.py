"""One consistent figure style for every report, and the shared chart helpers.

All functions return a :class:`matplotlib.figure.Figure` that is already closed in pyplot, so a
notebook shows it exactly once, where it calls ``display(fig)``; tests inspect it.
The palette is seaborn's colour-blind-safe one, axes carry labels with units.

Text from data is safe in figures and tables: matplotlib's mathtext parsing is off from the moment this
module is imported (a category called ``50$ off`` shows literally and never crashes a figure),
:func:`finish` shortens long legend entries, tick and annotation labels and titles, and
:func:`styled_table` escapes every cell and header as HTML.
"""
from __future__ import annotations

import matplotlib
import matplotlib.category
import matplotlib.dates as mdates
import matplotlib.text
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FuncFormatter

from .escaping import MAX_LABEL_CHARS, html_text, shorten

# Data strings (categories, channels, products ...) are never parsed as mathtext, also in figures made
# before or without use_style(). No figure of the workbook uses mathtext.
matplotlib.rcParams["text.parse_math"] = False

PALETTE = sns.color_palette("colorblind")
FIGSIZE = (9.0, 4.2)


def use_style() -> None:
    """Apply the workbook's figure style (call once at the top of a notebook)."""
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook", rc={
        "figure.figsize": FIGSIZE, "figure.dpi": 100, "savefig.dpi": 100, "figure.autolayout": False,
        "axes.titlesize": 12, "axes.titleweight": "bold", "axes.labelsize": 10, "legend.frameon": False,
        "axes.spines.top": False, "axes.spines.right": False, "text.parse_math": False})
    matplotlib.rcParams["figure.constrained_layout.use"] = True


#: Longest figure or axes title before it is cut with "…" (labels and legends: ``MAX_LABEL_CHARS``).
MAX_TITLE_CHARS = 100


def _cut(text: str, limit: int) -> str:
    return shorten(text, limit) if len(text) > limit else text


def shorten_texts(fig: Figure) -> Figure:
    """Shorten the text of ``fig`` that can come from data: titles to ``MAX_TITLE_CHARS``, legend entries,
    fixed tick labels and annotations to ``escaping.MAX_LABEL_CHARS`` (the full value stays in the data)."""
    for text in fig.findobj(matplotlib.text.Text):
        value = text.get_text()
        if len(value) > MAX_LABEL_CHARS:
            is_title = any(text is getattr(ax, name, None) for ax in fig.axes
                           for name in ("title", "_left_title", "_right_title")) or text is getattr(fig, "_suptitle", None)
            is_axis_label = any(text is ax.xaxis.label or text is ax.yaxis.label for ax in fig.axes)
            if is_title:
                text.set_text(_cut(value, MAX_TITLE_CHARS))
            elif not is_axis_label:  # axis labels are written by code, with their units
                text.set_text(_cut(value, MAX_LABEL_CHARS))
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if isinstance(formatter, FixedFormatter):
                formatter.seq = [_cut(str(label), MAX_LABEL_CHARS) for label in formatter.seq]
            elif isinstance(formatter, matplotlib.category.StrCategoryFormatter):
                axis.set_major_formatter(FuncFormatter(
                    lambda v, pos, f=formatter: _cut(f(v, pos), MAX_LABEL_CHARS)))
    return fig


def finish(fig: Figure) -> Figure:
    """Detach ``fig`` from pyplot (no automatic second rendering at the end of a cell), shorten long text
    that may come from data (:func:`shorten_texts`) and return it."""
    plt.close(fig)
    return shorten_texts(fig)


def _text_cell(value) -> str:
    """A table cell of a text column as safe HTML: escaped and shortened; blank when missing."""
    if isinstance(value, str):
        return html_text(value, MAX_LABEL_CHARS)
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.{pd.get_option('styler.format.precision')}f}"
    return html_text(value, MAX_LABEL_CHARS)


def _header(value) -> str:
    return html_text(value, MAX_LABEL_CHARS)


def _escaped(fmt):
    """A cell formatter that applies ``fmt`` (format string or callable) and escapes the result as HTML."""
    if callable(fmt):
        return lambda value: html_text(fmt(value))
    return lambda value: html_text(fmt.format(value))


def styled_table(frame: pd.DataFrame, formats: dict | None = None):
    """A pandas Styler for reports: no index, text columns left-aligned, blanks for missing values.

    Every cell, column header and index label is escaped as HTML (pandas does not escape by default), so
    a product called ``<script>…`` shows as text; text longer than ``escaping.MAX_LABEL_CHARS`` is
    shortened with "…". ``formats`` maps columns to format strings for numbers.
    """
    formats = {c: _escaped(fmt) for c, fmt in (formats or {}).items()}
    text_columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    formats.update({c: _text_cell for c in text_columns if c not in formats})
    return (frame.style.hide(axis="index").format(formats, na_rep="")
            .format_index(_header, axis=0).format_index(_header, axis=1)
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


def percent_axis(*axes) -> None:
    """Format the tick labels of one or more axes (``ax.xaxis``, ``ax.yaxis``) as whole percentages."""
    for axis in axes:
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))


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


# --------------------------------------------------------------------------- step 2: changes (notebook 02)

import numpy as np  # noqa: E402  (kept inside this appended section)
from matplotlib.lines import Line2D  # noqa: E402


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
                       ncols: int = 2) -> Figure:
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
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 2.9 * nrows), sharex=True, squeeze=False)
    for ax, (title, unit, view, flagged) in zip(axes.flat, panels):
        ax.plot(view.index, view["value"], color=PALETTE[7], lw=0.8, label="observed")
        ax.plot(view.index, view["adjusted"], color=PALETTE[0], lw=1.2, label="seasonally adjusted")
        ax.step(view.index, view["level"], where="post", color=PALETTE[1], lw=1.8, label="level between breaks")
        for d in flagged:
            ax.axvline(d, color=PALETTE[3], lw=1.8)
        _mark_events(ax, events, label=False)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        date_axis(ax)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("week")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    handles.append(Line2D([], [], color=PALETTE[3], lw=1.8))
    labels.append("change kept in the register")
    handles.append(Line2D([], [], color="grey", ls="--", lw=0.9))
    labels.append("market event")
    fig.legend(handles, labels, loc="lower center", ncol=5, bbox_to_anchor=(0.5, 1.0), fontsize=8)
    return finish(fig)


def plot_who_changed(table: pd.DataFrame, title: str, xlabel: str, top: int = 12) -> Figure:
    """Forest plot of the excess change of each group against the rest (from ``changes.who_changed``).

    Flagged groups (significant and large enough) are drawn in colour, others in grey.
    """
    rows = table.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.38 * len(rows) + 1.4))
    y = np.arange(len(rows))
    colours = [PALETTE[3] if f else PALETTE[7] for f in rows["flagged"]]
    ax.errorbar(rows["excess_change"], y, xerr=[rows["excess_change"] - rows["ci_low"],
                                                 rows["ci_high"] - rows["excess_change"]],
                fmt="none", ecolor=colours, elinewidth=1.5)
    ax.scatter(rows["excess_change"], y, color=colours, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [f"{s.replace('_', ' ')}: {g}" for s, g in zip(rows["segmentation"], rows["group"])])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    return finish(fig)


def plot_channel_ramp(shares: pd.DataFrame, ramps: pd.DataFrame, events: pd.DataFrame | None = None) -> Figure:
    """Weekly share of orders by sales channel, with the fitted ramp-up of each new channel (dotted)."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
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
    ax.set_title("Share of orders by sales channel, weekly")
    ax.set_ylabel("share of orders")
    ax.set_xlabel("week")
    date_axis(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return finish(fig)


# --------------------------------------------------------------------------- step 1: customer behaviour (notebook 01)


def plot_segment_map(scores: pd.DataFrame, segments: pd.Series, summary: pd.DataFrame) -> Figure:
    """RFM segment map: the R x FM grid coloured by segment with each cell's share of customers (left),
    and each segment's share of customers and of revenue (right). Inputs from
    :mod:`customer_workbook.behaviour` (``rfm_scores``, ``rfm_segments``, ``segment_summary``)."""
    import numpy as np

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [1, 1.3]})
    names = list(summary["segment"])
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    share = pd.crosstab(scores["R"], scores["FM"], normalize="all").reindex(index=range(1, 6), columns=range(1, 6), fill_value=0)
    seg_cell = pd.DataFrame({"R": scores["R"], "FM": scores["FM"], "s": segments.astype(str)}).groupby(["R", "FM"])["s"].agg(
        lambda s: s.mode().iloc[0])
    for (r, fm), name in seg_cell.items():
        ax.add_patch(matplotlib.patches.Rectangle((fm - 0.5, r - 0.5), 1, 1, color=colours.get(name, "grey"), alpha=0.55))
        ax.text(fm, r + 0.12, name, ha="center", va="center", fontsize=7)
        ax.text(fm, r - 0.18, f"{share.loc[r, fm]:.1%}", ha="center", va="center", fontsize=8, weight="bold")
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.grid(False)
    ax.set_xlabel("FM score (frequency and money, 5 = best)")
    ax.set_ylabel("R score (recency, 5 = most recent)")
    ax.set_title("Segment map: share of customers per cell")
    y = np.arange(len(summary))
    bx.barh(y - 0.2, summary["customer_share"], height=0.4, color=PALETTE[0], label="customers")
    bx.barh(y + 0.2, summary["revenue_share"], height=0.4, color=PALETTE[1], label="revenue")
    bx.set_yticks(y, names)
    bx.invert_yaxis()
    percent_axis(bx.xaxis)
    bx.set_xlabel("share of all customers / of net revenue")
    bx.set_title("Segments: customers vs revenue")
    bx.legend(loc="lower right")
    return finish(fig)


def plot_cohort_retention(retention: pd.DataFrame, max_months: int = 24) -> Figure:
    """Cohort heat map (acquisition month x months since), incomplete cells left blank (hatched)."""
    import numpy as np

    table = retention.iloc[:, : max_months + 1]
    fig, ax = plt.subplots(figsize=(11, 5.5))
    ax.set_facecolor("white")
    ax.add_patch(matplotlib.patches.Rectangle((-0.5, -0.5), table.shape[1], table.shape[0], hatch="///",
                                              fill=False, edgecolor="#cccccc", lw=0))
    data = np.ma.masked_invalid(table.to_numpy(dtype=float))
    im = ax.imshow(data, aspect="auto", cmap="viridis", vmin=0, vmax=float(np.nanquantile(table.iloc[:, 1:], 0.98))
                   if table.shape[1] > 1 else 1, interpolation="nearest")
    step = max(1, len(table) // 12)
    ax.set_yticks(range(0, len(table), step), [d.strftime("%Y-%m") for d in table.index[::step]])
    ax.set_xticks(range(0, table.shape[1], 3))
    ax.grid(False)
    ax.set_xlabel("months since acquisition (0 = acquisition month)")
    ax.set_ylabel("acquisition cohort (month)")
    ax.set_title("Cohort retention: share of each cohort buying in the month (blank = not yet observed)")
    bar = fig.colorbar(im, ax=ax)
    bar.set_label("share of cohort active")
    percent_axis(bar.ax.yaxis)
    return finish(fig)


def plot_importance_performance(drivers: pd.DataFrame, title: str = "Reasons to choose: importance vs performance") -> Figure:
    """Importance (dominance R² share with bootstrap interval) against performance (mean agreement, 1-5).

    Quadrant lines at the mean importance and mean performance: top-left = improve first,
    top-right = keep up the good work, bottom = lower priority.
    """
    fig, ax = plt.subplots(figsize=(9, 5.5))
    imp, perf = drivers["importance"], drivers["performance"]
    ax.errorbar(perf, imp, yerr=[(imp - drivers["low"]).clip(lower=0), (drivers["high"] - imp).clip(lower=0)], fmt="o", color=PALETTE[0],
                ecolor="#999999", capsize=3)
    for _, row in drivers.iterrows():  # one label per driver (10)
        ax.annotate(str(row["driver"]).replace("_", " "), (row["performance"], row["importance"]),
                    textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.axhline(imp.mean(), color="#666666", lw=0.8, ls="--")
    ax.axvline(perf.mean(), color="#666666", lw=0.8, ls="--")
    ax.text(0.01, 0.98, "important, rated low:\nimprove first", transform=ax.transAxes, va="top", fontsize=8, color="#444444")
    ax.text(0.99, 0.98, "important, rated high:\nkeep it up", transform=ax.transAxes, va="top", ha="right", fontsize=8, color="#444444")
    ax.set_xlabel("performance: mean agreement that this is why they buy from us (1-5)")
    ax.set_ylabel("importance: share of variance explained (R², dominance)")
    ax.set_title(title)
    return finish(fig)


def plot_reason_evidence(delivery: pd.DataFrame, adoption: pd.DataFrame | None = None, fitted=None,
                         label: str = "") -> Figure:
    """Behaviour that shows reasons: repeat rate by delivery time (fast brand, left) and a launch's
    weekly adopters with the fitted Bass curve (bandwagon, right, when given)."""
    panels = 2 if adoption is not None else 1
    fig, axes = plt.subplots(1, panels, figsize=(12 if panels == 2 else 8, 4.2), squeeze=False)
    ax = axes[0, 0]
    ax.errorbar(delivery["delivery_days"], delivery["repeat_rate"],
                yerr=[delivery["repeat_rate"] - delivery["low"], delivery["high"] - delivery["repeat_rate"]],
                fmt="o-", color=PALETTE[0], capsize=3)
    percent_axis(ax.yaxis)
    ax.set_xlabel("delivery time of the order (days; last point pools slower)")
    ax.set_ylabel(f"ordered again within {delivery.attrs.get('horizon_days', 90)} days")
    ax.set_title("Fast brand: repeat rate by delivery time")
    if adoption is not None:
        bx = axes[0, 1]
        bx.bar(adoption.index, adoption["new_adopters"], color=PALETTE[2], label="new adopters")
        if fitted is not None:
            bx.plot(adoption.index, fitted, color=PALETTE[3], lw=2, label="Bass model fit")
        bx.set_xlabel("weeks since launch")
        bx.set_ylabel("new adopters per week (customers)")
        bx.set_title(f"Bandwagon: adoption of {label}")
        bx.legend()
    return finish(fig)


def plot_k_selection(table: pd.DataFrame, threshold: float | None = None) -> Figure:
    """Stability (subsample ARI) and silhouette by number of personas, the chosen k marked.

    ``table`` is ``Personas.criterion`` (columns ``k``, ``stability``, ``stability_min``, ``silhouette``,
    ``chosen``); ``threshold`` is the stability a k had to reach (a dotted line).
    """
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(table["k"], table["stability"], "o-", color=PALETTE[0], label="stability (ARI between subsample fits)")
    ax.fill_between(table["k"], table["stability_min"], table["stability"], color=PALETTE[0], alpha=0.15)
    ax.plot(table["k"], table["silhouette"], "s--", color=PALETTE[1], label="silhouette")
    if threshold is not None:
        ax.axhline(threshold, color="#666666", lw=0.8, ls=":", label=f"stability threshold {threshold:g}")
    chosen = int(table.loc[table["chosen"], "k"].iloc[0]) if "chosen" in table and table["chosen"].any() else None
    if chosen is not None:
        ax.axvline(chosen, color=PALETTE[2], lw=1.5, label=f"chosen k = {chosen}")
    ax.set_xlabel("number of personas k")
    ax.set_ylabel("score (1 = perfect)")
    ax.set_title("How many personas? The most detailed split that reproduces")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    return finish(fig)


def plot_persona_heatmap(centres: pd.DataFrame, names: pd.Series | None = None) -> Figure:
    """Persona centres in standard deviations from the average customer (features x personas)."""
    data = centres.T
    if names is not None:
        data.columns = [f"{p}. {names.get(p, p)}" for p in data.columns]
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(data) + 1.8))
    sns.heatmap(data, cmap="vlag", center=0, vmin=-2, vmax=2, annot=True, fmt=".1f", annot_kws={"fontsize": 7},
                cbar_kws={"label": "standard deviations from the average customer"}, ax=ax)
    ax.set_xlabel("persona")
    ax.set_ylabel("feature")
    ax.set_xticklabels(ax.get_xticklabels(), rotation=20, ha="right")
    ax.set_title("What sets each persona apart")
    return finish(fig)


def plot_lifecycle(stage_shares: pd.Series, health_by_stage: pd.Series, multi: dict) -> Figure:
    """Lifecycle stage shares (left), mean health by stage (middle) and the multi-category retention
    effect with its interval (right; ``multi`` from ``behaviour.multi_category_retention``)."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    axes[0].bar(stage_shares.index.astype(str), stage_shares.to_numpy(), color=PALETTE[0])
    percent_axis(axes[0].yaxis)
    axes[0].set_ylabel("share of customers")
    axes[0].set_xlabel("lifecycle stage reached")
    axes[0].set_title("Lifecycle stages")
    axes[1].bar(health_by_stage.index.astype(str), health_by_stage.to_numpy(), color=PALETTE[1])
    axes[1].set_ylabel("mean health score (0-100)")
    axes[1].set_xlabel("lifecycle stage reached")
    axes[1].set_title("Health by stage")
    table = multi["table"]
    x = table["orders_before_cutoff"].astype(str)
    axes[2].plot(x, table["single_retained"], "o-", color=PALETTE[3], label="one category")
    axes[2].plot(x, table["multi_retained"], "s-", color=PALETTE[2], label="2+ categories")
    percent_axis(axes[2].yaxis)
    axes[2].set_xlabel(f"orders before {multi['cutoff']:%Y-%m-%d}")
    axes[2].set_ylabel("still buying after the cutoff")
    axes[2].set_title(f"Cross-sell: {multi['difference']:+.1%} retention")
    axes[2].legend()
    for ax in axes[:2]:
        ax.tick_params(axis="x", rotation=15)
    return finish(fig)


def plot_advocacy_pyramid(shares: pd.Series, planted: dict | None = None) -> Figure:
    """Advocacy pyramid: lovers on top, likers, lurkers at the base; bar widths are shares of customers."""
    order = ["lover", "liker", "lurker"]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    widths = [float(shares.get(t, 0.0)) for t in order]
    shown = [max(w, 0.02) for w in widths]  # tiny tiers stay visible
    for i, (tier, w, s) in enumerate(zip(order, widths, shown)):
        ax.barh(i, s, left=-s / 2, color=PALETTE[[2, 0, 7][i]], height=0.8)
        note = f"  (typical {planted[tier]:.0%})" if planted and tier in planted else ""
        ax.text(max(s / 2, 0.05) + 0.02, i, f"{tier}s: {w:.1%}{note}", va="center", fontsize=9)
    ax.set_yticks([])
    ax.set_xticks([])
    ax.set_xlim(-0.55, 1.0)
    ax.invert_yaxis()
    ax.set_xlabel("bar width: share of customers (tiny tiers drawn at a minimum width)")
    ax.set_title("Advocacy pyramid")
    ax.grid(False)
    return finish(fig)


def plot_nps_forest(tables: dict[str, pd.DataFrame], overall: dict) -> Figure:
    """NPS with confidence intervals for several groupings; hollow markers = not significantly different
    from the rest (Holm-adjusted). ``tables`` maps a title to ``behaviour.nps_by_group`` output."""
    rows = sum(len(t) for t in tables.values()) + len(tables)
    fig, ax = plt.subplots(figsize=(9, 0.28 * rows + 1.5))
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
    ax.axvline(overall["nps"], color="#444444", ls="--", lw=1, label=f"overall NPS {overall['nps']:+.0f}")
    ax.axvspan(overall["low"], overall["high"], color="#bbbbbb", alpha=0.3)
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("NPS (points, -100 to 100) with 95% interval; hollow = not different from the rest")
    ax.set_title("Net Promoter Score by group")
    ax.legend(loc="lower right")
    return finish(fig)


def plot_rfm_distribution(scores: pd.DataFrame, groups: pd.Series | None = None, title: str = "RFM scores") -> Figure:
    """Distribution of R, F and M scores (share of customers per score), one line per group if given."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True)
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
    axes[-1].legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.suptitle(title)
    return finish(fig)


# --------------------------------------------------------------------------- step 5: plan components (notebook 05)


def plot_value_concentration(values: pd.Series, marks=(0.01, 0.05, 0.20), title: str = "Who holds the future value") -> Figure:
    """Cumulative share of total value against the share of customers, most valuable first."""
    import numpy as np

    v = np.sort(np.asarray(values, dtype=float))[::-1]
    x = np.arange(1, v.size + 1) / v.size
    y = np.cumsum(v) / v.sum()
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.plot(x, y, color=PALETTE[0], lw=2, label="customers ranked by value")
    ax.plot([0, 1], [0, 1], color="#888888", ls="--", lw=1, label="equal value")
    for i, m in enumerate(marks):
        j = max(int(np.ceil(m * v.size)) - 1, 0)
        ax.plot(x[j], y[j], "o", color=PALETTE[(i + 1) % len(PALETTE)])
        ax.annotate(f"top {m:.0%}: {y[j]:.0%}", (x[j], y[j]), xytext=(8, -14), textcoords="offset points", fontsize=9)
    percent_axis(ax.xaxis, ax.yaxis)
    ax.set_xlabel("share of customers (most valuable first)")
    ax.set_ylabel("share of total expected value")
    ax.set_title(title)
    ax.legend(loc="lower right")
    return finish(fig)


def plot_dormancy(p_alive: pd.Series, groups: pd.Series, order=None, title: str = "P(alive) by dormancy group") -> Figure:
    """Box plot of P(alive) per dormancy group (group sizes in the labels)."""
    order = list(order) if order is not None else [str(g) for g in pd.unique(groups.astype(str))]
    g = groups.astype(str)
    data = [p_alive[g == name].to_numpy() for name in order]
    fig, ax = plt.subplots(figsize=FIGSIZE)
    box = ax.boxplot(data, patch_artist=True, widths=0.6, showfliers=False)
    for patch, colour in zip(box["boxes"], PALETTE):
        patch.set_facecolor(colour)
        patch.set_alpha(0.7)
    ax.set_xticks(range(1, len(order) + 1), [f"{name.replace('_', '-')}\n(n={len(d):,})" for name, d in zip(order, data)])
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("probability the customer is still active (0-1)")
    ax.set_xlabel("dormancy group (time since last purchase / own typical gap)")
    ax.set_title(title)
    return finish(fig)


def plot_recommender_eval(table: pd.DataFrame, k: int, title: str = "Next-best offers: held-out accuracy") -> Figure:
    """Grouped bars of hit rate, recall and precision at k for each method (rows of ``table``)."""
    import numpy as np

    metrics = [m for m in ("hit_rate", "recall", "precision") if m in table]
    fig, ax = plt.subplots(figsize=FIGSIZE)
    width = 0.8 / len(table)
    for i, (method, row) in enumerate(table.iterrows()):
        xs = np.arange(len(metrics)) + i * width
        bars = ax.bar(xs, [row[m] for m in metrics], width, color=PALETTE[i], label=str(method).replace("_", "-"))
        ax.bar_label(bars, labels=[f"{row[m]:.0%}" for m in metrics], fontsize=9)
    ax.set_xticks(np.arange(len(metrics)) + width * (len(table) - 1) / 2, [f"{m.replace('_', ' ')} @ {k}" for m in metrics])
    percent_axis(ax.yaxis)
    ax.set_ylabel("share (test customers after the split)")
    ax.set_xlabel(f"accuracy measure ({k} offers per customer)")
    ax.set_title(title)
    ax.legend()
    return finish(fig)


def plot_qini(curves: dict, title: str = "Qini curves on held-out campaign data") -> Figure:
    """Qini curves (``{label: DataFrame(share_targeted, incremental)}``) with the random-targeting line."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    last = None
    for i, (label, c) in enumerate(curves.items()):
        ax.plot(c["share_targeted"], c["incremental"], color=PALETTE[i], lw=2, label=label)
        last = c
    if last is not None:
        ax.plot([0, 1], [0, last["incremental"].iloc[-1]], color="#888888", ls="--", lw=1, label="random targeting")
    ax.axhline(0, color="#444444", lw=0.8)
    percent_axis(ax.xaxis)
    ax.set_xlabel("share of the campaign population targeted (best-scored first)")
    ax.set_ylabel("incremental buyers (customers)")
    ax.set_title(title)
    ax.legend(loc="lower left")
    return finish(fig)


def plot_tier_migration(matrix: pd.DataFrame, title: str = "Movement between product tiers") -> Figure:
    """Heat map of a row-normalised transition matrix (rows: before, columns: after)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    sns.heatmap(matrix, annot=True, fmt=".0%", cmap="Blues", vmin=0, vmax=1, cbar_kws={"label": "share of row"}, ax=ax)
    ax.set_xlabel(matrix.columns.name or "after")
    ax.set_ylabel(matrix.index.name or "before")
    ax.set_title(title)
    return finish(fig)


# --------------------------------------------------------------------------- step 3: strategy (notebook 03)


def _err(point, low, high):
    """Error-bar lengths below / above ``point``; missing or inverted bounds draw no bar."""
    import numpy as np

    p = np.asarray(point, dtype=float)
    return [np.nan_to_num(np.maximum(p - np.asarray(low, dtype=float), 0)),
            np.nan_to_num(np.maximum(np.asarray(high, dtype=float) - p, 0))]


def plot_unit_economics(econ: pd.DataFrame, currency: str = "currency units") -> Figure:
    """CLV and CAC per acquisition channel (with 90% intervals), and CLV/CAC with its interval.

    ``econ`` is :func:`customer_workbook.strategy.unit_economics` output (channel, clv, clv_low, clv_high,
    cac, cac_low, cac_high, clv_to_cac, ratio_low, ratio_high).
    """
    import numpy as np

    rows = econ.reset_index(drop=True)
    y = np.arange(len(rows))[::-1]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 0.5 * len(rows) + 2.2), sharey=True)
    for col, colour, dy, label in (("clv", PALETTE[0], 0.15, "CLV of a new customer"),
                                   ("cac", PALETTE[3], -0.15, "acquisition cost (CAC)")):
        ax1.errorbar(rows[col], y + dy, xerr=_err(rows[col], rows[f"{col}_low"], rows[f"{col}_high"]),
                     fmt="o", color=colour, label=label, capsize=3)
    ax1.set_yticks(y, rows["channel"].astype(str))
    ax1.set_xlabel(f"{currency} per customer")
    ax1.set_title("Value and cost of a new customer")
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8)
    thousands(ax1.xaxis)
    ax2.errorbar(rows["clv_to_cac"], y, xerr=_err(rows["clv_to_cac"], rows["ratio_low"], rows["ratio_high"]),
                 fmt="o", color=PALETTE[2], capsize=3)
    ax2.axvline(1, color="black", lw=0.8, ls="--")
    ax2.set_xlabel("CLV / CAC (1 = break-even)")
    ax2.set_title("Return on acquisition")
    return finish(fig)


def plot_response_curves(marketing: pd.DataFrame, curves: dict, current: dict, worth: dict | None = None,
                         ncols: int = 3) -> Figure:
    """Weekly new customers against weekly spend per channel: the data, the fitted saturating curve with a
    90% bootstrap band, and today's spend (dashed)."""
    import numpy as np

    channels = list(curves)
    nrows = int(np.ceil(len(channels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 3.0 * nrows), squeeze=False)
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
    return finish(fig)


def plot_value_frontier(frontier: pd.DataFrame, current_budget: float, optimum_budget: float,
                        optimum_interval: tuple[float, float] | None = None,
                        currency: str = "currency units") -> Figure:
    """Weekly value created against the total weekly acquisition budget: today's mix scaled, and the best
    mix at each budget; today's budget and the value-maximising budget (with its interval) marked."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.plot(frontier["budget"], frontier["value_current_mix"], color=PALETTE[7], lw=2, label="today's mix, scaled")
    ax.plot(frontier["budget"], frontier["value_best_mix"], color=PALETTE[0], lw=2, label="best mix at each budget")
    if optimum_interval is not None:
        ax.axvspan(*optimum_interval, color=PALETTE[2], alpha=0.15, label="optimum, 90% interval")
    ax.axvline(optimum_budget, color=PALETTE[2], lw=1.8, label="value-maximising budget")
    ax.axvline(current_budget, color="black", ls="--", lw=1, label="today's budget")
    ax.set_xlabel(f"total weekly acquisition budget ({currency})")
    ax.set_ylabel(f"value created per week ({currency})")
    ax.set_title("Firm value created at each acquisition budget")
    thousands(ax.xaxis)
    thousands(ax.yaxis)
    ax.legend(loc="lower right", fontsize=8)
    return finish(fig)


def plot_conquest_vs_relations(returns: pd.DataFrame) -> Figure:
    """Value returned by one more currency unit on each acquisition channel (conquest) or retention target
    (relations); 1 is break-even."""
    import numpy as np

    rows = returns.iloc[::-1]
    colours = [PALETTE[0] if o == "conquest" else PALETTE[1] for o in rows["option"]]
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(rows) + 1.6))
    y = np.arange(len(rows))
    ax.barh(y, rows["return_per_unit"], color=colours)
    ax.axvline(1, color="black", ls="--", lw=0.9)
    ax.set_yticks(y, [str(t) for t in rows["target"]])
    ax.set_xlabel("value created per extra currency unit spent (1 = break-even)")
    ax.set_title("Where does the next unit of budget create most value?")
    from matplotlib.patches import Patch

    handles = [Patch(color=PALETTE[0], label="conquest (acquisition)"),
               Patch(color=PALETTE[1], label="relations (retention)")]
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    return finish(fig)


# --------------------------------------------------------------------------- step 4: plan phases (notebook 04)


def plot_threshold_curves(table: pd.DataFrame, chosen: float | None = None, event: str = "churn") -> Figure:
    """Error rate, missing ratio (share found) and share targeted against the score threshold.

    ``table`` comes from :func:`customer_workbook.plan.threshold_table`; ``chosen`` marks the operating
    threshold with a vertical line.
    """
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.plot(table["threshold"], table["error_rate"], color=PALETTE[3], lw=2, label="error rate (1 - precision)")
    ax.plot(table["threshold"], table["missing_ratio"], color=PALETTE[0], lw=2,
            label=f"missing ratio (share of real {event} found)")
    ax.plot(table["threshold"], table["targeted_share"], color=PALETTE[7], lw=1.5, ls="--", label="share targeted")
    if chosen is not None:
        ax.axvline(chosen, color="black", lw=1, ls=":")
        ax.annotate("operating threshold", (chosen, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                    va="top", ha="right", fontsize=8)
    ax.set_ylim(0, 1.02)
    percent_axis(ax.yaxis)
    ax.set_xlabel(f"threshold on the predicted {event} probability")
    ax.set_ylabel("share of customers")
    ax.set_title(f"Who to target: error rate and missing ratio of the {event} model")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return finish(fig)


def plot_calibration(tables: dict[str, pd.DataFrame]) -> Figure:
    """Reliability diagram: observed event rate against mean predicted probability per bin, per model."""
    fig, ax = plt.subplots(figsize=(5.5, 4.6))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label="perfect calibration")
    for colour, (name, t) in zip(PALETTE, tables.items()):
        ax.plot(t["predicted"], t["observed"], marker="o", color=colour, lw=1.5, label=name)
    ax.set_xlabel("mean predicted probability (bin)")
    ax.set_ylabel("observed share")
    ax.set_title("Calibration on the test period")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    return finish(fig)


def plot_drivers(drivers: pd.DataFrame, top: int = 12, title: str = "What drives the prediction") -> Figure:
    """Two panels per feature family: permutation importance (PR-AUC points lost) and the what-if effect
    on the predicted probability (percentage points; red raises it, blue lowers it)."""
    rows = drivers.head(top).iloc[::-1]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 0.35 * len(rows) + 1.6), sharey=True)
    y = np.arange(len(rows))
    ax1.barh(y, rows["importance"] * 100, xerr=rows["importance_sd"] * 100, color=PALETTE[0])
    ax1.set_yticks(y, rows["family"])
    ax1.set_xlabel("PR-AUC lost when shuffled (points)")
    ax1.set_title("Reliance of the model")
    ax2.barh(y, rows["effect"] * 100, color=[PALETTE[3] if e > 0 else PALETTE[0] for e in rows["effect"]])
    ax2.axvline(0, color="black", lw=0.8)
    ax2.set_xlabel("effect on the predicted probability (points)")
    ax2.set_title("Effect for a customer (what-if)")
    fig.suptitle(title, fontweight="bold")
    return finish(fig)


def plot_demand_forecast(weekly: pd.Series, forecast: pd.DataFrame, backtest: pd.DataFrame, unit: str,
                         title: str) -> Figure:
    """Weekly history, next-quarter forecast with its interval, and the backtest (actual vs forecast
    quarter totals at each origin)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.0), gridspec_kw={"width_ratios": [2, 1]})
    ax1.plot(weekly.index, weekly.to_numpy(), color=PALETTE[0], lw=1.2, label="actual")
    ax1.plot(forecast["week"], forecast["forecast"], color=PALETTE[1], lw=2, label="forecast")
    ax1.fill_between(forecast["week"], forecast["low"], forecast["high"], color=PALETTE[1], alpha=0.25,
                     label="interval")
    ax1.set_ylabel(f"{unit} per week")
    ax1.set_xlabel("week")
    ax1.set_title(title)
    thousands(ax1.yaxis)
    date_axis(ax1)
    ax1.legend(loc="upper left", fontsize=8)
    ax2.plot(backtest["origin"], backtest["actual"], color=PALETTE[0], lw=1.5, label="actual quarter")
    ax2.plot(backtest["origin"], backtest["forecast"], color=PALETTE[1], lw=1.5, label="forecast")
    ax2.plot(backtest["origin"], backtest["seasonal_naive"], color=PALETTE[7], lw=1, ls="--", label="same weeks last year")
    ax2.set_ylabel(f"{unit} in the next 13 weeks")
    ax2.set_xlabel("forecast origin")
    ax2.set_title("Backtest")
    thousands(ax2.yaxis)
    date_axis(ax2)
    ax2.legend(loc="lower left", fontsize=7)
    return finish(fig)


def plot_audience_map(audiences: pd.DataFrame, pilot: tuple[str, str] | None = None, currency: str = "currency units") -> Figure:
    """Audiences (segment x persona) by value per customer and churn risk; bubble area = customers;
    the pilot audience is ringed."""
    a = audiences[audiences["ranked"]]
    fig, ax = plt.subplots(figsize=FIGSIZE)
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
    ax.set_xlabel(f"expected 12-month value per customer ({currency})")
    ax.set_ylabel("mean predicted churn probability" if "churn_risk" in a else "mean probability alive")
    ax.set_title("Audiences: segment x persona")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return finish(fig)
