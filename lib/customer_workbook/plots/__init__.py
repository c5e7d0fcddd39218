"""Figures and tables for the reports, grouped by the concept they show.

Every ``plot_*`` function returns a :class:`matplotlib.figure.Figure` that is already closed in pyplot,
so a notebook shows it once, where it calls ``display(fig)``, and tests can inspect it. Its title states the
finding, written from the numbers it draws (:mod:`.titles`); legends sit beside the axes and constrained
layout keeps every label inside the figure; legend entries and category labels read through the glossary. The shared style,
:func:`styled_table` and the axis helpers live in :mod:`._style`; text that comes from data is escaped
in tables and shortened in figures (mathtext parsing is off from the moment this package is imported).

>>> from customer_workbook import plots
>>> plots.use_style()
>>> fig = plots.plot_weekly_volumes(weekly)
"""
from ._style import (FIGSIZE, MAX_TITLE_CHARS, PALETTE, date_axis, finish, label_legends, legend_beside, percent_axis,
                     shorten_texts, styled_table, subplots, thousands, use_style, wrap_titles)
from .acquisition import *  # noqa: F403
from .advocacy import *  # noqa: F403
from .changes import *  # noqa: F403
from .model_fit import *  # noqa: F403
from .offers import *  # noqa: F403
from .overview import *  # noqa: F403
from .planning import *  # noqa: F403
from .reasons import *  # noqa: F403
from .retention import *  # noqa: F403
from .segments import *  # noqa: F403
from .value import *  # noqa: F403
from . import acquisition, advocacy, changes, model_fit, offers, overview, planning, reasons, retention, segments, titles, value

__all__ = ["FIGSIZE", "MAX_TITLE_CHARS", "PALETTE", "date_axis", "finish", "label_legends", "legend_beside",
           "percent_axis", "shorten_texts", "styled_table", "subplots", "thousands", "titles", "use_style", "wrap_titles",
           *acquisition.__all__, *advocacy.__all__, *changes.__all__, *model_fit.__all__, *offers.__all__, *overview.__all__,
           *planning.__all__, *reasons.__all__, *retention.__all__, *segments.__all__, *value.__all__]
