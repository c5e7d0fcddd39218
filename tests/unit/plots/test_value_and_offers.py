"""Figures of notebook 05 (plots.value and plots.offers) and its widgets: labelled axes, wired controls."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.retention.uplift import qini_curve
from customer_workbook.retention.winback import DORMANCY_ORDER


def test_step5_figures_have_labelled_axes():
    from matplotlib.figure import Figure

    from customer_workbook import plots

    rng = np.random.default_rng(0)
    v = pd.Series(rng.gamma(1.0, 100.0, 500))
    groups = pd.Series(np.array(DORMANCY_ORDER)[rng.integers(0, 4, 500)])
    ev = pd.DataFrame({"hit_rate": [0.6, 0.3], "recall": [0.3, 0.1], "precision": [0.1, 0.05]},
                      index=pd.Index(["item_item", "popularity"], name="method"))
    t, y = rng.random(500) < 0.5, (rng.random(500) < 0.3).astype(int)
    m = pd.DataFrame(np.eye(4), index=pd.Index(list("abcd"), name="before"), columns=pd.Index(list("abcd"), name="after"))
    figures = [plots.plot_value_concentration(v), plots.plot_dormancy(v / v.max(), groups, DORMANCY_ORDER),
               plots.plot_recommender_eval(ev, 10), plots.plot_qini({"model": qini_curve(rng.random(500), t, y)}),
               plots.plot_tier_migration(m)]
    for fig in figures:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_step5_widgets_call_update():
    from customer_workbook import widgets

    calls = []
    box = widgets.customer_lookup(lambda customer_id: calls.append(customer_id), ["C1", "C2"])
    assert calls == ["C1"]
    box.children[1].children[0].value = "C2"
    assert calls[-1] == "C2"
    seen = []
    w = widgets.winback_explorer(lambda **kw: seen.append(kw), 2.0, 0.15, 8.0)
    assert seen[0] == {"cost_per_contact": 2.0, "response_rate": 0.15, "voucher_cost": 8.0}
    w.children[1].children[1].value = 0.3
    assert seen[-1]["response_rate"] == pytest.approx(0.3)
