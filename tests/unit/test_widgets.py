"""The explorer helper redraws on every change and falls back to static output in batch runs."""
import ipywidgets as widgets

from customer_workbook.widgets import explorer, show


def test_explorer_calls_update_with_current_values_on_each_change():
    calls = []
    slider = widgets.IntSlider(value=3, min=0, max=10)
    picker = widgets.Dropdown(options=["a", "b"], value="a")
    box = explorer(lambda threshold, segment: calls.append((threshold, segment)), title="T",
                   threshold=slider, segment=picker)
    slider.value = 7
    picker.value = "b"
    assert calls == [(3, "a"), (7, "a"), (7, "b")]
    assert isinstance(box.children[-1], widgets.Output)


def test_show_runs_static_path_when_not_interactive():
    ran = []
    show(False, build=lambda: ran.append("widget"), static=lambda: ran.append("static"))
    assert ran == ["static"]


def _shown(monkeypatch) -> list:
    """Everything displayed, in order (the widgets module's display and the one Section.show imports)."""
    import IPython.display

    from customer_workbook import widgets as module

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    monkeypatch.setattr(module, "display", lambda obj, **kw: shown.append(obj))
    return shown


def _section_with_a_static_table():
    import pandas as pd

    from customer_workbook import plots
    from customer_workbook.steps import Draft

    table = pd.DataFrame({"group": ["sleepy"], "total_gain": [120.0]})
    draft = Draft()
    draft.show("figure")
    draft.show(plots.styled_table(table))
    draft.say("The text.")
    draft.add("gain", 120.0, "Gain")
    return draft.done(table=table)


def test_show_section_puts_the_explorer_in_place_of_the_static_table(monkeypatch):
    """Issue 17: a section never shows both its static and its interactive version."""
    from customer_workbook.findings import Findings
    from customer_workbook.widgets import show_section

    shown = _shown(monkeypatch)
    section, findings = _section_with_a_static_table(), Findings("t", "T")
    show_section(section, findings, True, build=lambda: "EXPLORER", replaces=[section["table"]])
    kinds = [s if isinstance(s, str) else type(s).__name__ for s in shown]
    assert kinds == ["Markdown", "EXPLORER", "Markdown"], kinds  # figure text, explorer, sentence: no Styler
    assert "gain" in findings.to_dict()["findings"]
    shown.clear()
    show_section(_section_with_a_static_table(), Findings("t", "T"), False, build=lambda: "EXPLORER")
    assert "EXPLORER" not in shown and any(type(s).__name__ == "Styler" for s in shown)


def test_app_copies_hide_every_exercise_answer(tmp_path):
    """Issue 17: the app runs the full notebooks, but no solution cell shows an answer."""
    import nbformat

    from customer_workbook.widgets import HIDDEN_ANSWER, write_app_copies
    from customer_workbook.workshop import is_solution

    written = write_app_copies("notebooks", tmp_path)
    assert len(written) == 6
    for path in written:
        original = nbformat.read(f"notebooks/{path.name}", as_version=4)
        app = nbformat.read(path, as_version=4)
        solutions = [i for i, cell in enumerate(original.cells) if is_solution(cell)]
        assert solutions, path.name
        assert all(app.cells[i].source == HIDDEN_ANSWER for i in solutions)
        others = [i for i in range(len(original.cells)) if i not in solutions]
        assert [app.cells[i].source for i in others] == [original.cells[i].source for i in others]
