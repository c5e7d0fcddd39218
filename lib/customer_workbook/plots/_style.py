"""The workbook's figure style and the helpers every chart shares.

All functions return a :class:`matplotlib.figure.Figure` that is already closed in pyplot, so a
notebook shows it exactly once, where it calls ``display(fig)``; tests inspect it.
The palette is seaborn's colour-blind-safe one, axes carry labels with units.

Text from data is safe in figures and tables: matplotlib's mathtext parsing is off from the moment this
module is imported (a category called ``50$ off`` shows literally and never crashes a figure),
:func:`finish` shortens long legend entries, tick and annotation labels and titles, and
:func:`styled_table` escapes every cell and header as HTML.
"""
from __future__ import annotations

import datetime as dt
import re
import textwrap

import matplotlib
import matplotlib.category
import matplotlib.dates as mdates
import matplotlib.text
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FuncFormatter

from ..escaping import MAX_LABEL_CHARS, html_text, shorten
from ..findings import date_words, number_words
from ..glossary import label

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
MAX_TITLE_CHARS = 160


def _cut(text: str, limit: int) -> str:
    return shorten(text, limit) if len(text) > limit else text


def shorten_texts(fig: Figure) -> Figure:
    """Shorten the text of ``fig`` that can come from data: titles to ``MAX_TITLE_CHARS``, legend entries,
    fixed tick labels and annotations to ``escaping.MAX_LABEL_CHARS`` (the full value stays in the data).
    Category tick labels read through the glossary (:func:`customer_workbook.glossary.label`)."""
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
                formatter.seq = [_cut(label(str(text)), MAX_LABEL_CHARS) for text in formatter.seq]
            elif isinstance(formatter, (matplotlib.category.StrCategoryFormatter, FuncFormatter)):
                # categories, and fixed tick labels (matplotlib keeps those in a FuncFormatter)
                axis.set_major_formatter(FuncFormatter(
                    lambda v, pos, f=formatter: _cut(label(f(v, pos)), MAX_LABEL_CHARS)))
    return fig


def subplots(*args, **kwargs):
    """:func:`matplotlib.pyplot.subplots` with constrained layout: titles, tick labels, colour bars and
    legends beside the axes all fit in the figure, none is cut."""
    return plt.subplots(*args, layout="constrained", **kwargs)


def legend_beside(ax, handles=None, fontsize=None, **kwargs):
    """The legend of ``ax`` outside the axes, to the right of them, top-aligned: it never covers data, and the
    figure's constrained layout makes room for it. ``handles`` as in :meth:`~matplotlib.axes.Axes.legend`."""
    args = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0, "fontsize": fontsize, **kwargs}
    return ax.legend(**args) if handles is None else ax.legend(handles=handles, **args)


def _legends(fig: Figure) -> list:
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]


def label_legends(fig: Figure) -> Figure:
    """Legend entries read through the glossary (:func:`customer_workbook.glossary.label`): ``fast_brand``
    shows as "speed (fast brand)", any other code name with its underscores as spaces."""
    for legend in _legends(fig):
        for text in legend.get_texts():
            text.set_text(label(text.get_text()))
    return fig


#: Width of an average bold character, in multiples of the font size (DejaVu Sans): to wrap titles before drawing.
_CHAR_WIDTH = 0.56


def _wrap(text: matplotlib.text.Text, width_inches: float) -> None:
    """Break ``text`` at word boundaries into lines that fit ``width_inches`` (estimated from its font size)."""
    value = text.get_text()
    chars = max(int(width_inches * 72 / (_CHAR_WIDTH * text.get_fontsize())), 20)
    if value and "\n" not in value and len(value) > chars:
        text.set_text(textwrap.fill(value, chars, break_long_words=False))


def wrap_titles(fig: Figure) -> Figure:
    """Wrap figure and axes titles that are wider than their figure or axes (a finding title is a sentence), so
    none is cut at the figure's edge; an axes with a legend beside it has about three quarters of its width."""
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None:
        _wrap(suptitle, 0.95 * fig.get_figwidth())
    for ax in fig.axes:
        width = ax.get_position().width * fig.get_figwidth() * (0.7 if ax.get_legend() is not None else 1.0)
        for title in (ax.title, ax._left_title, ax._right_title):
            _wrap(title, width)
    return fig


def finish(fig: Figure) -> Figure:
    """Detach ``fig`` from pyplot (no automatic second rendering at the end of a cell), lay it out so no label
    is cut (constrained layout, the legends beside the axes included), label legend entries through the
    glossary (:func:`label_legends`), shorten long text that may come from data (:func:`shorten_texts`), wrap
    titles wider than their axes (:func:`wrap_titles`) and return it."""
    plt.close(fig)
    if fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")
    return wrap_titles(shorten_texts(label_legends(fig)))


_SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
NBSP = "\u00a0"
#: Text that is only a raw ISO date or timestamp (``2025-08-11 00:00:00``): shown as a date for people.
_ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def _date_cell(value) -> str:
    """A date cell: ``11 Aug 2025`` on one line (a narrow column never breaks a date in three)."""
    return date_words(value).replace(" ", NBSP)


def _number_cell(value) -> str:
    """A cell of a number column as HTML, for people: thousands separators, whole numbers as such, three
    significant digits otherwise, never scientific notation; blank when missing."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return html_text(number_words(value)).replace(" ", NBSP)


def _text_cell(value) -> str:
    """A table cell of a text (object) column as safe HTML: escaped and shortened; numbers and dates as
    people read them (:func:`_number_cell`, :func:`~customer_workbook.findings.date_words`); blank when missing."""
    if isinstance(value, str):
        if _ISO_STAMP.fullmatch(value.strip()):
            try:
                return _date_cell(value.strip())
            except ValueError:
                pass
        return html_text(value, MAX_LABEL_CHARS)
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, (dt.date, np.datetime64)):
        return _date_cell(value)
    if isinstance(value, (int, float, np.number, bool, np.bool_)):
        return _number_cell(value)
    return html_text(value, MAX_LABEL_CHARS)


def _header(value) -> str:
    """A column header or index label: the glossary's words for a code name (``revenue_at_stake`` reads
    "revenue at stake", ``p_alive`` "probability still active"), escaped and shortened."""
    return html_text(label(value) if isinstance(value, str) else value, MAX_LABEL_CHARS)


def _escaped(fmt):
    """A cell formatter that applies ``fmt`` (format string or callable) and escapes the result as HTML.
    A result in scientific notation (``"{:.3g}"`` of 1,291 gives ``1.29e+03``) is replaced by the number
    as people read it (:func:`~customer_workbook.findings.number_words`, with the sign if ``fmt`` asks for one)."""
    sign = isinstance(fmt, str) and "+" in fmt

    def cell(value):
        if value is None or (pd.api.types.is_scalar(value) and not isinstance(value, str) and pd.isna(value)):
            return ""
        text = str(fmt(value) if callable(fmt) else fmt.format(value))
        if _SCIENTIFIC.search(text) and isinstance(value, (int, float, np.number)):
            return html_text(number_words(value, sign=sign)).replace(" ", NBSP)
        return html_text(text)
    return cell


def _default_format(column: pd.Series):
    """The cell formatter of a column the caller gave no format for, from its type."""
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return _number_cell
    if pd.api.types.is_datetime64_any_dtype(column):
        return _date_cell
    return _text_cell


def styled_table(frame: pd.DataFrame, formats: dict | None = None):
    """A pandas Styler for reports: no index, text columns left-aligned, blanks for missing values.

    Every cell, column header and index label is escaped as HTML (pandas does not escape by default), so
    a product called ``<script>…`` shows as text; text longer than ``escaping.MAX_LABEL_CHARS`` is
    shortened with "…". ``formats`` maps columns to format strings (or callables) for numbers. Columns
    without one get a safe default: whole numbers with thousands separators, other numbers with three
    significant digits, dates as ``11 Aug 2025``, never scientific notation, NaN or None.
    """
    formats = {c: _escaped(fmt) for c, fmt in (formats or {}).items() if c in frame.columns}
    text_columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
                    or pd.api.types.is_bool_dtype(frame[c])]
    formats.update({c: _default_format(frame[c]) for c in frame.columns if c not in formats})
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


def _err(point, low, high):
    """Error-bar lengths below / above ``point``; missing or inverted bounds draw no bar."""
    p = np.asarray(point, dtype=float)
    return [np.nan_to_num(np.maximum(p - np.asarray(low, dtype=float), 0)),
            np.nan_to_num(np.maximum(np.asarray(high, dtype=float) - p, 0))]
