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
