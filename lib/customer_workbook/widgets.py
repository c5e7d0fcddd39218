"""Interactive explorers: thin ipywidgets layers over library functions.

Notebooks build them only when their ``interactive`` parameter is true (the default in JupyterLab);
batch runs set it to false and show the static figures instead, because frozen widget state does not
render in an HTML report. Every explorer is made with :func:`explorer`, so all share one layout:
controls on top, output below, redrawn on every change.
"""
from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
from IPython.display import display


def explorer(update: Callable[..., None], title: str = "", **controls: widgets.ValueWidget) -> widgets.VBox:
    """Wire ``controls`` to ``update``: each change calls ``update(**values)`` inside a fresh output area.

    ``update`` should display what it wants to show (tables, figures, Markdown). Returns the widget,
    which the notebook displays; :func:`refresh` is called once so the output is filled from the start.
    """
    output = widgets.Output()

    def refresh(_change=None) -> None:
        output.clear_output(wait=True)
        with output:
            update(**{name: control.value for name, control in controls.items()})

    for control in controls.values():
        control.observe(refresh, names="value")
    refresh()
    header = [widgets.HTML(f"<b>{title}</b>")] if title else []
    return widgets.VBox([*header, widgets.HBox(list(controls.values())), output])


def show(interactive: bool, build: Callable[[], widgets.Widget], static: Callable[[], None]) -> None:
    """Display the explorer ``build()`` when ``interactive``, otherwise run ``static()`` (batch reports)."""
    if interactive:
        display(build())
    else:
        static()
