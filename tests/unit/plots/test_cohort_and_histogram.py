"""The cohort heat map hatches only the unobserved cells; integer histograms bin on integers and label the folded tail."""
from __future__ import annotations

import numpy as np
import pandas as pd

from customer_workbook import plots


def _hatched_cells(fig) -> set[tuple[int, int]]:
    """(row, column) of every cell covered by a hatched rectangle of the first axes."""
    cells = set()
    for patch in fig.axes[0].patches:
        if not patch.get_hatch():
            continue
        x0, y0 = patch.get_x() + 0.5, patch.get_y() + 0.5
        for c in range(int(round(x0)), int(round(x0 + patch.get_width()))):
            for r in range(int(round(y0)), int(round(y0 + patch.get_height()))):
                cells.add((r, c))
    return cells


def test_the_cohort_heat_map_hatches_the_unobserved_cells_and_draws_a_zero_as_a_value():
    nan = np.nan
    table = pd.DataFrame([[1.0, 0.30, 0.0, 0.20],   # an observed month with nobody buying: a value, not hatched
                          [1.0, 0.25, 0.10, nan],
                          [1.0, 0.0, nan, nan],
                          [1.0, nan, nan, nan]],
                         index=pd.date_range("2024-01-01", periods=4, freq="MS"), columns=range(4))
    fig = plots.plot_cohort_retention(table)
    assert _hatched_cells(fig) == {(1, 3), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)}
    image = fig.axes[0].images[0].get_array()
    assert not image.mask[0, 2] and image[0, 2] == 0 and not image.mask[2, 1]


def _bars(fig):
    return [(p.get_x() + p.get_width() / 2, p.get_height()) for p in fig.axes[0].patches]


def test_a_count_histogram_has_one_bar_per_integer_centred_on_it_and_labels_the_folded_tail():
    orders = pd.Series([1] * 50 + [2] * 20 + [3] * 10 + [4] * 5 + [5, 6, 7, 8, 9, 10, 40, 80])
    fig = plots.plot_histogram(orders, "Orders per customer", "orders", clip_quantile=0.97, max_bars=10)
    bars = _bars(fig)
    centres = [round(x, 6) for x, _ in bars]
    assert centres == list(range(1, 11))                     # one bar per integer, centred on it
    assert [h for _, h in bars][:4] == [50, 20, 10, 5] and bars[-1][1] == 3   # 10, 40 and 80 in the last bar
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[-1] == "10+" and fig.axes[0].get_xticks()[-1] == 10


def test_a_count_histogram_without_a_tail_says_no_plus_and_log_ticks_read_as_numbers():
    fig = plots.plot_histogram(pd.Series([1, 1, 1, 2, 2, 3] * 200), "Items per order", "items", log_y=True)
    assert [round(x, 6) for x, _ in _bars(fig)] == [1, 2, 3]
    fig.canvas.draw()
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["1", "2", "3"]
    assert all("$" not in t.get_text() and "mathdefault" not in t.get_text()
               for t in fig.axes[0].get_yticklabels(which="both"))
