"""Every figure reads: no legend covers plotted data, no text is cut at the figure's edge, legend entries read as words.

Each plot function is drawn on a small hand case; :func:`assert_readable` measures the drawn figure
(matplotlib ``get_window_extent``): the legend's box holds no data point of any axes and meets no bar,
and every title, axis label, tick label, annotation and legend entry lies inside the figure.
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import matplotlib.patches
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection

from customer_workbook import plots
from customer_workbook.plots import titles

RNG = np.random.default_rng(7)
WEEKS = pd.date_range("2023-01-02", periods=104, freq="7D")
MONTHS = pd.date_range("2023-01-01", periods=24, freq="MS")


def _data_points(ax) -> np.ndarray:
    """Display coordinates of the points the axes plot: line vertices, markers, error-bar ends."""
    points = [np.empty((0, 2))]
    for line in ax.get_lines():
        if line.get_visible() and len(line.get_xydata()):
            points.append(line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float)))
    for coll in ax.collections:
        if isinstance(coll, LineCollection):
            points += [coll.get_transform().transform(seg) for seg in coll.get_segments() if len(seg)]
        elif len(coll.get_offsets()) and coll.get_offset_transform() is not None and type(coll).__name__ == "PathCollection":
            points.append(coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), dtype=float)))
    pts = np.vstack(points)
    return pts[np.isfinite(pts).all(axis=1)]


def _texts(fig) -> list:
    texts = list(fig.texts)
    for ax in (ax for ax in fig.axes if ax.get_visible()):
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        for axis in (ax.xaxis, ax.yaxis):  # the ticks drawn: those inside the view
            texts += [label for tick in axis._update_ticks() for label in (tick.label1, tick.label2)]
    for legend in _legends(fig):
        texts += [*legend.get_texts(), legend.get_title()]
    suptitle = getattr(fig, "_suptitle", None)
    return texts + ([suptitle] if suptitle is not None else [])


def _legends(fig) -> list:
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]


def assert_readable(fig) -> None:
    """No legend over data, no text outside the figure, no snake_case legend entry."""
    canvas = FigureCanvasAgg(fig)  # a figure closed in pyplot has no drawing canvas of its own
    canvas.draw()
    renderer = canvas.get_renderer()
    frame = fig.bbox
    for text in _texts(fig):
        if text.get_visible() and text.get_text().strip():
            box = text.get_window_extent(renderer)
            inside = box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1 and box.y0 >= frame.y0 - 1 and box.y1 <= frame.y1 + 1
            assert inside, f"text cut at the figure's edge: {text.get_text()!r} at {box.bounds} in {frame.bounds}"
    titles = [t for t in (getattr(fig, "_suptitle", None), *(ax.title for ax in fig.axes if ax.get_visible()))
              if t is not None and t.get_text().strip()]
    for legend in _legends(fig):
        box = legend.get_window_extent(renderer)
        for title in titles:
            assert not box.overlaps(title.get_window_extent(renderer)), f"legend over the title {title.get_text()!r}"
        for entry in legend.get_texts():
            assert "_" not in entry.get_text(), f"code name in a legend: {entry.get_text()!r}"
        for ax in fig.axes:
            pts = _data_points(ax)
            inside = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
            assert not inside.any(), f"legend of {ax.get_title()!r} covers {int(inside.sum())} data points"
            for patch in ax.patches:
                if isinstance(patch, matplotlib.patches.Rectangle) and patch.get_visible():
                    assert not box.overlaps(patch.get_window_extent(renderer)), "legend covers a bar"


def _series(n, level=100.0):
    return level + RNG.normal(0, level / 10, n).cumsum() / 5


@lru_cache(maxsize=1)
def _figures():
    """(name, figure) of every plot function on a hand case."""
    shares = pd.DataFrame(RNG.dirichlet([4, 3, 2], 24), index=MONTHS, columns=["app", "store", "web_shop"])
    scores = pd.DataFrame({"R": RNG.integers(1, 6, 300), "F": RNG.integers(1, 6, 300), "M": RNG.integers(1, 6, 300),
                           "FM": RNG.integers(1, 6, 300)})
    segments = pd.Series(np.where(scores["R"] > 3, "Champions", "At risk"), index=scores.index)
    summary = pd.DataFrame({"segment": ["Champions", "At risk"], "customer_share": [0.4, 0.6],
                            "revenue_share": [0.7, 0.3]})
    k_table = pd.DataFrame({"k": [2, 3, 4, 5], "stability": [0.95, 0.9, 0.88, 0.6], "stability_min": [0.9, 0.8, 0.7, 0.4],
                            "ari": [0.9, 0.8, 0.7, 0.5], "silhouette": [0.3, 0.25, 0.2, 0.18],
                            "chosen": [False, False, True, False]})
    multi = SimpleNamespace(table=pd.DataFrame({"orders_before_cutoff": [2, 3, 4], "single_retained": [0.7, 0.72, 0.76],
                                                "multi_retained": [0.75, 0.77, 0.78]}),
                            cutoff=pd.Timestamp("2024-07-02"), difference=0.03)
    stages = pd.Series([0.2, 0.1, 0.6, 0.1], index=["acquisition", "adoption", "cross-sell", "advocacy"])
    econ = pd.DataFrame({"channel": ["search", "social", "tv_spots"], "clv": [300.0, 250, 400], "clv_low": [250.0, 200, 300],
                         "clv_high": [350.0, 300, 500], "cac": [100.0, 150, 380], "cac_low": [90.0, 130, 300],
                         "cac_high": [110.0, 170, 450], "clv_to_cac": [3.0, 1.7, 1.05], "ratio_low": [2.5, 1.3, 0.7],
                         "ratio_high": [3.5, 2.1, 1.4]})
    budget = np.linspace(1000, 40000, 30)
    frontier = pd.DataFrame({"budget": budget, "value_current_mix": 1.2 * budget - budget ** 2 / 60000,
                             "value_best_mix": 1.5 * budget - budget ** 2 / 60000})
    returns = pd.DataFrame({"option": ["conquest", "conquest", "relations"], "target": ["search", "tv", "retention: all"],
                            "return_per_unit": [2.5, 1.2, 0.4], "return_se": [0.3, 0.2, 0.3], "uplift_measured": [True, True, False]})
    nps_table = pd.DataFrame({"group": ["lover", "liker", "lurker"], "n": [50, 500, 5000], "nps": [95.0, 80, -5],
                              "low": [90.0, 75, -8], "high": [100.0, 85, -2], "significant": [True, True, True]})
    view = pd.DataFrame({"value": _series(104), "adjusted": _series(104), "level": np.r_[np.full(60, 100.0), np.full(44, 90.0)]},
                        index=WEEKS)
    events = pd.DataFrame({"week": [WEEKS[30]], "event": ["Competitor opens a showroom"]})
    ramps = pd.DataFrame({"channel": ["app"], "launch": [MONTHS[12]], "plateau": [0.3], "ramp_weeks": [4]})
    holdout = pd.DataFrame({"frequency": RNG.integers(0, 10, 400)})
    holdout["frequency_holdout"] = holdout["frequency"] * 0.8
    holdout["predicted_bg_nbd"] = holdout["frequency"] * 0.9 + 0.5
    scored = SimpleNamespace(report=SimpleNamespace(choice=SimpleNamespace(checked=True, chosen="bg_nbd",
                             calibration_end=pd.Timestamp("2025-01-01"), holdout_weeks=52)), holdout=holdout)
    recommender = pd.DataFrame({"hit_rate": [0.65, 0.36], "recall": [0.34, 0.14], "precision": [0.11, 0.05]},
                               index=pd.Index(["item_item", "popularity"], name="method"))
    future = pd.date_range(WEEKS[-1] + pd.Timedelta(days=7), periods=13, freq="7D")
    forecast = pd.DataFrame({"week": future, "forecast": _series(13), "low": _series(13) - 20, "high": _series(13) + 20})
    backtest = pd.DataFrame({"origin": WEEKS[-30:], "actual": _series(30, 1300), "forecast": _series(30, 1300),
                             "seasonal_naive": _series(30, 1300)})
    audiences = pd.DataFrame({"segment": ["Champions", "At risk", "Champions", "At risk"],
                              "persona": ["fast_brand", "fast_brand", "bargain", "bargain"],
                              "value_per_customer": [220.0, 60, 150, 40], "churn_risk": [0.45, 0.65, 0.4, 0.68],
                              "customers": [300, 500, 800, 200], "ranked": [True] * 4})
    curve = SimpleNamespace(table=pd.DataFrame({"delivery_days": range(1, 9), "repeat_rate": np.linspace(0.76, 0.71, 8),
                                                "low": np.linspace(0.74, 0.66, 8), "high": np.linspace(0.78, 0.76, 8)}),
                            horizon_days=90, slope=-0.007)
    adoption = pd.DataFrame({"new_adopters": np.r_[np.exp(-((np.arange(60) - 15) / 5.0) ** 2) * 300, np.full(20, 5.0)]})
    share = np.linspace(0, 1, 50)
    qini = {"uplift model": pd.DataFrame({"share_targeted": share, "incremental": 50 * np.sin(np.pi * share) - 15 * share}),
            "response model": pd.DataFrame({"share_targeted": share, "incremental": 20 * np.sin(np.pi * share) - 15 * share})}
    thresholds = pd.DataFrame({"threshold": np.linspace(0.05, 0.95, 19), "error_rate": np.linspace(0.55, 0.0, 19),
                               "missing_ratio": np.linspace(1.0, 0.0, 19), "targeted_share": np.linspace(1.0, 0.0, 19)})
    calibration = {"logistic regression": pd.DataFrame({"predicted": np.linspace(0.1, 0.85, 8),
                                                        "observed": np.linspace(0.08, 0.86, 8)})}
    orders = pd.Series(RNG.geometric(0.3, 2000))
    cohorts = pd.DataFrame(np.triu(np.full((12, 12), 0.2))[:, ::-1], index=MONTHS[:12], columns=range(12)).replace(0, np.nan)
    cohorts[0] = 1.0
    weekly = pd.DataFrame({c: _series(104) for c in ("orders", "active_customers", "revenue", "new_customers")}, index=WEEKS)
    return [
        ("shares", plots.plot_shares_over_time(shares)),
        ("segment map", plots.plot_segment_map(scores, segments, summary)),
        ("k selection", plots.plot_k_selection(k_table, 0.85)),
        ("lifecycle", plots.plot_lifecycle(stages, stages * 100, multi)),
        ("rfm", plots.plot_rfm_distribution(scores, pd.Series(np.where(scores["F"] > 2, "high_value", "low_value")))),
        ("unit economics", plots.plot_unit_economics(econ)),
        ("frontier", plots.plot_value_frontier(frontier, 12000, 25000, (22000, 28000))),
        ("conquest", plots.plot_conquest_vs_relations(returns)),
        ("nps", plots.plot_nps_forest({"advocacy level": nps_table}, SimpleNamespace(nps=5.0, low=3.0, high=7.0))),
        ("change panels", plots.plot_change_panels([("Orders per week", "orders", view, [WEEKS[60]])] * 3, events)),
        ("channel ramp", plots.plot_channel_ramp(shares, ramps, events)),
        ("holdout", plots.plot_calibration_holdout_models(scored)),
        ("recommender", plots.plot_recommender_eval(recommender, 10)),
        ("forecast", plots.plot_demand_forecast(pd.Series(_series(104), index=WEEKS), forecast, backtest, "orders",
                                                "Orders: next 13 weeks")),
        ("audiences", plots.plot_audience_map(audiences, pilot=("Champions", "fast_brand"))),
        ("reason evidence", plots.plot_reason_evidence(curve, adoption, adoption["new_adopters"].to_numpy(), "P0201")),
        ("qini", plots.plot_qini(qini)),
        ("thresholds", plots.plot_threshold_curves(thresholds, 0.4, "no-order")),
        ("calibration", plots.plot_calibration(calibration)),
        ("concentration", plots.plot_value_concentration(pd.Series(RNG.gamma(0.5, 100, 1000)))),
        ("histogram", plots.plot_histogram(orders, titles.histogram_title(orders, "customers ordered", "x"), "orders", log_y=True)),
        ("cohorts", plots.plot_cohort_retention(cohorts)),
        ("weekly", plots.plot_weekly_volumes(weekly)),
        ("dormancy", plots.plot_dormancy(pd.Series(RNG.random(400)), pd.Series(RNG.choice(["active", "half_sleepy"], 400)))),
        ("persona heat map", plots.plot_persona_heatmap(pd.DataFrame(RNG.normal(0, 1, (4, 3)), index=[1, 2, 3, 4],
                                                                     columns=["aov", "lines_per_order", "purchase_rate"]))),
        ("tiers", plots.plot_tier_migration(pd.DataFrame(np.full((3, 3), 1 / 3), index=pd.Index(["entry", "core", "premium"]),
                                                         columns=pd.Index(["entry", "core", "premium"])))),
        ("who changed", plots.plot_who_changed(pd.DataFrame({"segmentation": ["age_band", "region"], "group": ["under 30", "North"],
                                                             "excess_change": [0.1, -0.02], "ci_low": [0.05, -0.06],
                                                             "ci_high": [0.15, 0.02], "flagged": [True, False]}),
                                               "Orders per week, 11 Aug 2025", "excess change")),
        ("pyramid", plots.plot_advocacy_pyramid(pd.Series({"lover": 0.01, "liker": 0.09, "lurker": 0.9}))),
    ]


@pytest.mark.parametrize("index", range(28))
def test_every_figure_keeps_its_legend_off_the_data_and_its_text_inside(index):
    name, fig = _figures()[index]
    assert fig is not None, name
    assert_readable(fig)
