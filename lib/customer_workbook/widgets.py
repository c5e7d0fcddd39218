"""Interactive explorers: thin ipywidgets layers over library functions.

Notebooks build them only when their ``interactive`` parameter is true (the default in JupyterLab);
batch runs set it to false and show the static figures instead, because frozen widget state does not
render in an HTML report. Every explorer is made with :func:`explorer`, so all share one layout:
controls on top, output below, redrawn on every change.

Labels that come from data (channels, segments, personas) are shortened and never rendered as HTML:
option and description labels are plain text, and the one HTML widget (the title) is escaped.

The code-free app (``make app``) serves the app copies of the notebooks (:func:`write_app_copies`,
``python -m customer_workbook.widgets build/app``): the notebooks with their exercise answers hidden.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import ipywidgets as widgets
from IPython.display import display

from .escaping import html_text, shorten

__all__ = ["APP_DIR", "HIDDEN_ANSWER", "app_notebook", "behaviour_explorer", "budget_explorer", "change_explorer",
           "customer_lookup", "explorer", "main", "show", "show_section", "threshold_explorer", "winback_explorer",
           "write_app_copies"]

#: Where ``make app`` writes the app copies it serves (under the project root).
APP_DIR = "build/app"
#: What an exercise's answer cell holds in the app: a comment (Voila shows no code, so nothing at all).
HIDDEN_ANSWER = "# The answer to this exercise is hidden in the app: open the notebook in JupyterLab (make lab)."


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
    header = [widgets.HTML(f"<b>{html_text(title)}</b>")] if title else []
    return widgets.VBox([*header, widgets.HBox(list(controls.values())), output])


def show(interactive: bool, build: Callable[[], widgets.Widget], static: Callable[[], None]) -> None:
    """Display the explorer ``build()`` when ``interactive``, otherwise run ``static()`` (batch reports)."""
    if interactive:
        display(build())
    else:
        static()


def show_section(section, findings, interactive: bool, build: Callable[[], widgets.Widget],
                 replaces: Sequence = ()) -> None:
    """Show a report section whose static view has an interactive version, never both.

    ``section`` (a :class:`customer_workbook.steps.Section`) records its findings and is shown as it is
    when not ``interactive``. When ``interactive``, its parts that show one of ``replaces`` (a table given
    by the DataFrame it styles, or the part itself) give their place to the explorer ``build()``; with no
    such part the explorer follows the section.
    """
    if not interactive:
        section.show(findings)
        return
    section.record(findings)
    hits = [i for i, part in enumerate(section.parts)
            if any(part is r or getattr(part, "data", None) is r for r in replaces)]
    first = hits[0] if hits else len(section.parts)
    replace(section, parts=section.parts[:first], findings=()).show()
    display(build())
    replace(section, parts=tuple(p for i, p in enumerate(section.parts) if i > first and i not in hits),
            findings=()).show()


# --------------------------------------------------------------------------- step 2: changes (notebook 02)


def change_explorer(update: Callable[..., None], metrics: dict[str, str], groups: dict[str, str],
                    title: str = "Explore a metric for a group of customers") -> widgets.VBox:
    """Two drop-downs, a metric (``{key: label}``) and a customer group (``{key: label}``), wired to
    ``update(metric=key, group=key)``, which shows the series with its change points and comparisons."""
    metric = widgets.Dropdown(options=[(shorten(label), key) for key, label in metrics.items()], description="Metric",
                              layout=widgets.Layout(width="360px"))
    group = widgets.Dropdown(options=[(shorten(label), key) for key, label in groups.items()], description="Customers",
                             layout=widgets.Layout(width="360px"))
    return explorer(update, title, metric=metric, group=group)


# --------------------------------------------------------------------------- step 1: behaviour (notebook 01)


def behaviour_explorer(frame, scores, answers=None, groupings: tuple[str, ...] = ("segment", "persona_name"),
                       title: str = "Explore a segment or persona") -> widgets.VBox:
    """One drop-down of every group in ``groupings`` (columns of ``frame``); picking one shows its profile
    against all customers, its RFM score distribution and its NPS with interval.

    ``frame`` is per customer (columns of ``groupings`` plus ``orders``, ``revenue``, ``aov``,
    ``recency_days``), ``scores`` the ``table`` of :func:`customer_workbook.segments.rfm_scores` and
    ``answers`` from :func:`customer_workbook.reasons.latest_answers` (optional). All computation is
    :func:`customer_workbook.segments.group_snapshot`.
    """
    from IPython.display import Markdown

    from . import plots
    from .segments import group_snapshot

    options = [(shorten(f"{kind.replace('_name', '')}: {g}"), (kind, str(g)))
               for kind in groupings if kind in frame
               for g in (frame[kind].cat.categories if hasattr(frame[kind], "cat") else sorted(frame[kind].dropna().astype(str).unique()))]
    picker = widgets.Dropdown(options=options, description="Group", layout=widgets.Layout(width="480px"))

    def update(choice):
        kind, group = choice
        snap = group_snapshot(kind, group, frame, scores, answers)
        display(plots.styled_table(snap.profile, {str(group): "{:,.2f}", "all customers": "{:,.2f}"}))
        both = scores.loc[frame.index].copy()
        label = (frame[kind].astype(str) == group).map({True: group, False: "all others"})
        display(plots.plot_rfm_distribution(both, label, title=f"RFM scores: {group} vs all others"))
        if snap.nps is not None and snap.nps.n:
            n = snap.nps
            display(Markdown(f"**NPS {n.nps:+.0f}** (95% interval {n.low:+.0f} to {n.high:+.0f}, "
                             f"{n.n:,} respondents)."))
        else:
            display(Markdown("No survey answers for this group."))

    return explorer(update, title, choice=picker)


# --------------------------------------------------------------------------- step 5: plan components (notebook 05)


def customer_lookup(update: Callable[..., None], customer_ids, labels=None,
                    title: str = "Look up a customer") -> widgets.VBox:
    """A text box with suggestions (``customer_ids``, e.g. the most valuable first; the first 500 are
    suggested) wired to ``update(customer_id=...)``, which shows the customer's profile, value, recognition status,
    offers and uplift group.

    ``labels`` (same order as ``customer_ids``, e.g. :func:`customer_workbook.privacy.pseudonymise` of
    them) is what the box shows and suggests instead of the ids; picking or typing a label calls
    ``update`` with its real id, and any other text is passed on as typed.
    """
    ids = [str(c) for c in list(customer_ids)[:500]]
    shown = ids if labels is None else [str(x) for x in list(labels)[:500]]
    real = dict(zip(shown, ids))
    box = widgets.Combobox(value=shown[0] if shown else "", options=shown, ensure_option=False,
                           description="Customer", placeholder="customer id" if labels is None else "pseudonym",
                           layout=widgets.Layout(width="320px"))
    return explorer(lambda customer_id: update(customer_id=real.get(customer_id, customer_id)), title,
                    customer_id=box)


def winback_explorer(update: Callable[..., None], cost_per_contact: float, response_rate: float,
                     voucher_cost: float, title: str = "Is a win-back worth it?") -> widgets.VBox:
    """Sliders for the cost of a contact, the response rate of live customers and the voucher cost,
    wired to ``update(cost_per_contact=..., response_rate=..., voucher_cost=...)``."""
    style = {"description_width": "150px"}
    layout = widgets.Layout(width="380px")
    cost = widgets.FloatSlider(value=cost_per_contact, min=0.0, max=max(50.0, 2 * cost_per_contact), step=0.5,
                               description="Cost per contact", style=style, layout=layout)
    rate = widgets.FloatSlider(value=response_rate, min=0.0, max=0.6, step=0.01, readout_format=".0%",
                               description="Response (live)", style=style, layout=layout)
    voucher = widgets.FloatSlider(value=voucher_cost, min=0.0, max=max(50.0, 2 * voucher_cost), step=0.5,
                                  description="Voucher cost", style=style, layout=layout)
    return explorer(update, title, cost_per_contact=cost, response_rate=rate, voucher_cost=voucher)


# --------------------------------------------------------------------------- step 3: strategy (notebook 03)


def budget_explorer(update: Callable[..., None], spend: dict[str, float], upper: dict[str, float],
                    margin: float, discount_rate: float,
                    title: str = "What if we spent this much per week?") -> widgets.VBox:
    """One weekly-spend slider per acquisition channel plus margin and yearly discount rate sliders, wired to
    ``update(margin=..., discount_rate=..., **{channel: spend})``; the controls wrap onto several rows."""
    style = {"description_width": "110px"}
    layout = widgets.Layout(width="340px")
    controls = {ch: widgets.FloatSlider(value=float(v), min=0.0, max=float(max(upper[ch], v, 1.0)),
                                        step=float(max(upper[ch], 1.0)) / 200, readout_format=",.0f",
                                        description=f"{shorten(ch, 24)} /week", style=style, layout=layout,
                                        description_allow_html=False,
                                        continuous_update=False)
                for ch, v in spend.items()}
    controls["margin"] = widgets.FloatSlider(value=margin, min=0.05, max=0.9, step=0.01, readout_format=".0%",
                                             description="Margin", style=style, layout=layout,
                                             continuous_update=False)
    controls["discount_rate"] = widgets.FloatSlider(value=discount_rate, min=0.0, max=0.3, step=0.01,
                                                    readout_format=".0%", description="Discount rate /yr",
                                                    style=style, layout=layout, continuous_update=False)
    box = explorer(update, title, **controls)
    box.children[-2].layout.flex_flow = "row wrap"
    return box


# --------------------------------------------------------------------------- step 4: plan phases (notebook 04)


def threshold_explorer(update: Callable[..., None], start: float = 0.5,
                       title: str = "Move the threshold: who would we target?") -> widgets.VBox:
    """A slider for the score threshold (0.05-0.95), wired to ``update(threshold=value)``, which shows the
    error rate, missing ratio, customers targeted and value at stake at that threshold."""
    slider = widgets.FloatSlider(value=start, min=0.05, max=0.95, step=0.05, description="Threshold",
                                 readout_format=".2f", continuous_update=False, layout=widgets.Layout(width="420px"))
    return explorer(update, title, threshold=slider)


# --------------------------------------------------------------------------- the app's copies of the notebooks


def app_notebook(nb):
    """A copy of the notebook ``nb`` for the app: every exercise answer (the cells
    :func:`customer_workbook.workshop.is_solution` recognises) replaced by :data:`HIDDEN_ANSWER`, outputs cleared."""
    import copy

    from .workshop import is_solution

    app = copy.deepcopy(nb)
    for cell in app.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if is_solution(cell):
                cell.source = HIDDEN_ANSWER
    return app


def write_app_copies(notebooks_dir: str | Path = "notebooks", out_dir: str | Path = APP_DIR,
                     parameters: dict | None = None) -> list[Path]:
    """Write :func:`app_notebook` of every ``NN_*.ipynb`` of ``notebooks_dir`` into ``out_dir``; returns them.

    ``parameters`` (e.g. ``{"data_dir": "/data/ours"}``) are set in each copy as papermill sets a batch
    run's: an ``injected-parameters`` cell after the ``parameters`` cell.
    """
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from .paths import atomic_write_text, resolve_path

    written = []
    for path in sorted(resolve_path(notebooks_dir).glob("[0-9][0-9]_*.ipynb")):
        # papermill's reader adds the metadata (cell tags) its parameterizer expects
        app = app_notebook(load_notebook_node(str(path)) if parameters else nbformat.read(path, as_version=4))
        if parameters:
            app = parameterize_notebook(app, parameters, report_mode=False)
        target = resolve_path(out_dir) / path.name
        atomic_write_text(target, nbformat.writes(app))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m customer_workbook.widgets [OUT_DIR] [--data-dir FOLDER]``: write the app copies (default
    :data:`APP_DIR`), pointed at ``FOLDER`` instead of the shipped sample when given."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m customer_workbook.widgets",
                                     description="Write the app's copies of the notebooks (exercise answers hidden).")
    parser.add_argument("out", nargs="?", default=APP_DIR, help=f"where the copies go (default {APP_DIR})")
    parser.add_argument("--data-dir", default=None, help="data folder the copies analyse (default: the notebooks')")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    written = write_app_copies(out_dir=args.out, parameters={"data_dir": args.data_dir} if args.data_dir else None)
    print(f"{len(written)} app notebook(s) written to {written[0].parent if written else '-'} (exercise answers hidden)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
