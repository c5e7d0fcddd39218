"""Who changed: the groups of customers that drive a change, and the revenue at stake.

:func:`customer_segments` builds observable segmentations of the customers; :func:`who_changed` compares each
group with everyone else across a change (a difference-in-differences, which also cancels seasonality shared
by all groups) and :func:`driver_group` picks the group that drives it. :func:`attribute_changes` does this
for every kept change and sizes the yearly net revenue at stake. Only observable data is used: the sample's
hidden persona labels never enter this module.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..base import derived
from ..data import Dataset
from ..stats import benjamini_hochberg
from .changepoints import detect_change_points, noise_scale
from .comparisons import WINDOW_WEEKS, WindowComparison, compare_windows
from .metrics import COUNT_OFFSET, METRICS, Metric, metric_info, metric_series, share_records, weekly_panel

__all__ = [
    "MIN_GROUP_CUSTOMERS", "SEGMENTATION_LABELS", "Driver", "Attribution", "customer_segments", "group_options",
    "who_changed", "driver_group", "attribute_changes", "lead_change", "AtStake", "ordering_at_stake",
    "group_only_changes",
]


MIN_GROUP_CUSTOMERS = 30   # groups smaller than this are left out of "who changed"


def customer_segments(ds: Dataset, discount_share: float = 0.4, min_lines: int = 3) -> pd.DataFrame:
    """Observable segmentations of the customers, one column each (index: customer_id; NA = unknown).

    - ``price_sensitivity``: "high discount use" when at least ``discount_share`` of the customer's
      purchase lines carried a discount (the per-customer table's ``discount_share``), else "low discount
      use" (needs ``transactions.discount``; customers with fewer than ``min_lines`` purchase lines stay
      unknown). A fixed threshold, not quantiles, so ties cannot break it.
    - ``main_channel``: the sales channel of most of the customer's orders (needs ``transactions.channel``).
    - ``region``, ``income_band``, ``acquisition_channel``, ``age_band`` (under 30, 30-44, 45-59, 60+) from
      ``customers`` when supplied.

    Reads the run's derived tables (:func:`customer_workbook.base.derived`): the per-customer table and
    the order table.
    """
    tables = derived(ds)
    out = pd.DataFrame(index=pd.Index(ds.transactions["customer_id"].unique(), name="customer_id"))
    if "discount_share" in tables.customers:
        buyers = tables.customers.loc[tables.customers["lines"] >= min_lines, "discount_share"]
        label = np.where(buyers >= discount_share, "high discount use", "low discount use")
        out["price_sensitivity"] = pd.Series(label, index=buyers.index).reindex(out.index).astype("str")
    if "channel" in tables.orders:
        counts = tables.orders.groupby(["customer_id", "channel"], observed=True).size().unstack(fill_value=0)
        out["main_channel"] = ("mainly " + counts.idxmax(axis=1).astype("str")).astype("str")
    if ds.has("customers"):
        cust = ds.customers.set_index("customer_id")
        for col in ("region", "income_band", "acquisition_channel"):
            if col in cust:
                out[col] = cust[col].astype("str")
        if "age" in cust:
            out["age_band"] = pd.cut(cust["age"], [0, 30, 45, 60, 200], right=False,
                                     labels=["under 30", "30-44", "45-59", "60+"]).astype("str")
    return out


SEGMENTATION_LABELS = {"price_sensitivity": "price sensitivity", "main_channel": "main sales channel",
                       "region": "region", "income_band": "income band", "acquisition_channel": "acquisition channel",
                       "age_band": "age band"}


def group_options(segments: pd.DataFrame, min_customers: int = MIN_GROUP_CUSTOMERS) -> dict[str, str]:
    """``{"all": "all customers", "<segmentation>|<group>": "<label>: <group>"}`` for the explorer."""
    out = {"all": "all customers"}
    for seg in segments.columns:
        sizes = segments[seg].value_counts()
        for group in sorted(sizes.index[sizes >= min_customers]):
            out[f"{seg}|{group}"] = f"{SEGMENTATION_LABELS.get(seg, seg)}: {group}"
    return out


def _group_panel(records: pd.DataFrame, segments: pd.DataFrame, seg: str, weeks: pd.DatetimeIndex,
                 cache: dict) -> pd.DataFrame:
    """Weekly panel of ``records`` by the groups of segmentation ``seg`` (cached per records and segmentation).

    With categorical customer ids, the group labels are first aligned with the categories (cached too), so
    :func:`weekly_panel` maps the categories instead of every record.
    """
    panel = cache.get((id(records), seg))
    if panel is not None:
        return panel
    ids = records["customer_id"]
    if isinstance(ids.dtype, pd.CategoricalDtype):
        key = ("aligned", seg, id(ids.cat.categories))
        if key not in cache:
            cache[key] = (ids.cat.categories, segments[seg].reindex(ids.cat.categories))
            cache[key][1].index = ids.cat.categories
        labels_for_panel = cache[key][1]
    else:
        labels_for_panel = segments[seg].dropna()
    panel = cache[(id(records), seg)] = weekly_panel(records, weeks, labels_for_panel)
    return panel


def _group_contrast(g: pd.DataFrame, rest: pd.DataFrame, metric: Metric) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weekly contrast of a group against the rest: ``(z, weight, group level)``.

    Count metrics: ``z = log(group count + 0.5) - log(rest count + 0.5)`` with weight 1; mean metrics:
    ``z = group mean - rest mean`` weighted by ``1 / (1/n_group + 1/n_rest)`` (0 when either side is empty).
    """
    if metric.kind == "count":
        gv, rv = g["total"].to_numpy(float), rest["total"].to_numpy(float)
        z = np.log(gv + COUNT_OFFSET) - np.log(rv + COUNT_OFFSET)
        return z, np.ones(len(z)), gv
    gn, rn = g["n"].to_numpy(float), rest["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        gm, rm = g["total"].to_numpy(float) / gn, rest["total"].to_numpy(float) / rn
        w = np.where((gn > 0) & (rn > 0), 1 / (1 / gn + 1 / rn), 0.0)
    return gm - rm, w, gm


def _mean_or_nan(values: np.ndarray) -> float:
    """Mean of the finite values; NaN (without a warning) when there are none."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else np.nan


def _excess_row(z: np.ndarray, w: np.ndarray, level: np.ndarray, metric: Metric, before: np.ndarray,
                after: np.ndarray, alpha: float) -> dict:
    """Group level before / after and the excess change (relative for log counts) with its CI and p-value."""
    _, rho = noise_scale(z, w)
    c = compare_windows(z, w, before, after, rho=rho, alpha=alpha)
    lv_b, lv_a = _mean_or_nan(level[before]), _mean_or_nan(level[after])
    if metric.log and metric.kind == "count":
        ex = (np.expm1(c.diff), np.expm1(c.ci_low), np.expm1(c.ci_high))
    else:
        ex = (c.diff, c.ci_low, c.ci_high)
    return {"before": lv_b, "after": lv_a, "excess_change": ex[0], "ci_low": ex[1], "ci_high": ex[2],
            "p": c.p}


def who_changed(records: pd.DataFrame, metric: Metric, segments: pd.DataFrame, weeks: pd.DatetimeIndex,
                date: pd.Timestamp, window: int = WINDOW_WEEKS, gap: int = 0, exclude: tuple[str, ...] = (),
                alpha: float = 0.05, min_customers: int = MIN_GROUP_CUSTOMERS,
                cache: dict | None = None) -> pd.DataFrame:
    """Which groups drive a shift: each group against the rest of the customers, across ``date``.

    For every segmentation (column of ``segments``) and group, a weekly contrast is built — for count metrics
    ``log(group count) - log(rest count)``, for mean metrics ``group mean - rest mean`` — so seasonality and
    anything else that moves all customers alike cancels. Its change between the ``window`` weeks before
    ``date`` and the ``window`` weeks after ``date + gap`` weeks is the group's *excess change*
    (difference-in-differences), with an autocorrelation-corrected CI (:func:`compare_windows`),
    Benjamini-Hochberg adjusted p-values across all groups, and the metric's practical threshold.

    ``cache`` (a dict kept by the caller) reuses the weekly group panels when the same records are compared
    across several dates.

    Returns
    -------
    DataFrame
        One row per group: segmentation, group, customers, before, after (group level, metric units),
        excess_change (relative for log metrics, else absolute), ci_low, ci_high, p, p_adj, significant,
        practical, flagged.
    """
    idx = np.arange(len(weeks))
    b = int(np.searchsorted(weeks, date))
    before = (idx >= b - window) & (idx < b)
    after = (idx >= b + gap) & (idx < b + gap + window)
    cache = {} if cache is None else cache
    total = cache.get((id(records), None))
    if total is None:
        total = cache[(id(records), None)] = weekly_panel(records, weeks)
    rows = []
    for seg in segments.columns:
        if seg in exclude:
            continue
        sizes = segments[seg].dropna().value_counts()
        panel = _group_panel(records, segments, seg, weeks, cache)
        for group in sizes.index:
            if sizes[group] < min_customers or ("n", group) not in panel:
                continue
            g = panel.xs(group, axis=1, level="group")
            z, w, level = _group_contrast(g, total - g, metric)
            rows.append({"segmentation": seg, "group": str(group), "customers": int(sizes[group]),
                         **_excess_row(z, w, level, metric, before, after, alpha)})
    table = pd.DataFrame(rows, columns=["segmentation", "group", "customers", "before", "after", "excess_change",
                                        "ci_low", "ci_high", "p"])
    table["p_adj"] = benjamini_hochberg(table["p"].to_numpy())
    table["significant"] = table["p_adj"] < alpha
    table["practical"] = table["excess_change"].abs() >= metric.min_effect
    table["flagged"] = table["significant"] & table["practical"]
    return table.sort_values("excess_change", key=np.abs, ascending=False).reset_index(drop=True)


@dataclass(frozen=True)
class Driver:
    """The group of customers that drives a change (see :func:`driver_group`).

    ``label`` is the readable ``"<segmentation label>: <group>"``; ``excess_change`` (with its ``ci_low`` /
    ``ci_high`` interval) is the group's change against the rest of the customers, relative for count
    metrics and in the metric's unit otherwise; ``customers`` is the size of the group.
    """

    segmentation: str
    group: str
    label: str
    excess_change: float
    ci_low: float
    ci_high: float
    customers: int


def driver_group(table: pd.DataFrame, direction: str | None = None) -> Driver | None:
    """The group that drives a shift: the flagged row of :func:`who_changed` with the largest excess change,
    among rows moving in ``direction`` ("up" / "down") when given. ``None`` when no group stands out (the
    change is then shared by all customers)."""
    flagged = table[table["flagged"]]
    if direction is not None:
        flagged = flagged[(flagged["excess_change"] > 0) == (direction == "up")]
    if flagged.empty:
        return None
    row = flagged.iloc[0]
    return Driver(segmentation=row["segmentation"], group=row["group"],
                  label=f"{SEGMENTATION_LABELS.get(row['segmentation'], row['segmentation'])}: {row['group']}",
                  excess_change=float(row["excess_change"]), ci_low=float(row["ci_low"]),
                  ci_high=float(row["ci_high"]), customers=int(row["customers"]))


def lead_change(impacts: dict) -> tuple | None:
    """Key of the change with the largest absolute revenue at stake (unknown counts as 0); None if empty."""
    if not impacts:
        return None
    return max(impacts, key=lambda k: abs(impacts[k]) if np.isfinite(impacts[k]) else 0.0)


@dataclass(frozen=True)
class AtStake:
    """Yearly net revenue at stake of one change (currency units a year, signed) and how it was measured.

    ``value`` with its 95% interval ``low`` / ``high``; ``basis`` names the rule in plain words; ``measured``
    says whether the ordering change behind it is significant (p < alpha) or only the best estimate.
    """

    value: float
    low: float
    high: float
    basis: str
    measured: bool


@dataclass(frozen=True)
class Attribution:
    """Result of :func:`attribute_changes`: mappings keyed by the change, ``(metric key, date)``.

    ``drivers``: the :class:`Driver` of each change, or None when all customers shared it; ``impacts``: the
    yearly net revenue at stake (currency units a year, signed; NaN when unknown); ``tables``: the
    :func:`who_changed` table behind each driver (empty without customer segments); ``at_stake``: the
    :class:`AtStake` behind each impact (its interval and rule).
    """

    drivers: dict[tuple[str, pd.Timestamp], Driver | None]
    impacts: dict[tuple[str, pd.Timestamp], float]
    tables: dict[tuple[str, pd.Timestamp], pd.DataFrame]
    at_stake: dict[tuple[str, pd.Timestamp], AtStake] = field(default_factory=dict)

    @property
    def lead(self) -> tuple[str, pd.Timestamp] | None:
        """The change with the largest absolute revenue at stake (:func:`lead_change`); None when empty."""
        return lead_change(self.impacts)


def _orders_response(records: dict, weeks: pd.DatetimeIndex, date: pd.Timestamp,
                     window: int = WINDOW_WEEKS) -> WindowComparison:
    """Seasonally adjusted change of all orders across ``date`` (log scale, so ``diff`` is relative)."""
    value, _ = metric_series(weekly_panel(records["orders"], weeks), METRICS["orders"])
    cp = detect_change_points(value, log=True, seasonal=True)
    idx = np.arange(len(weeks))
    b = int(np.searchsorted(weeks, date))
    return compare_windows(cp.adjusted, cp.weight, (idx >= b - window) & (idx < b),
                           (idx >= b) & (idx < b + window), rho=cp.rho)


def _compared_records(key: str, direction: str, records: dict, orders: pd.DataFrame,
                      orders_response, alpha: float) -> tuple[pd.DataFrame, Metric, tuple[str, ...], str]:
    """What to compare by group for the change of ``key``: ``(records, metric, segmentations to leave out,
    direction)``.

    A new channel's share of orders (``share_<channel>``) leaves out the main-channel segmentation (it would
    find the channel's own users), and the intake of one acquisition channel (``new_customers_<channel>``)
    the acquisition-channel segmentation (it would find that channel itself); a market metric is compared
    through all orders, in the direction orders moved across the date when they measurably did.
    """
    if key.startswith("share_"):
        metric = Metric(key, "share of orders", "share", "transactions", "mean", min_effect=0.03)
        return share_records(orders, key.removeprefix("share_")), metric, ("main_channel",), direction
    if key.startswith("new_customers_"):  # the intake of one acquisition channel: its own group is trivial
        return records[key], metric_info(key), ("acquisition_channel",), direction
    if metric_info(key).table == "market":
        resp = orders_response()
        if resp.p < alpha:  # how all our orders moved across the date
            direction = "up" if resp.diff > 0 else "down"
        # otherwise the market metric's own direction: a rival's price cut takes orders from us, a rise
        # sends them to us; never the group that merely mirrors the losers (the rest of the base)
        return records["orders"], METRICS["orders"], (), direction
    return records[key], metric_info(key), (), direction


def _revenue_at_stake(metric: Metric, table: pd.DataFrame, drv: Driver | None, aov: float,
                      orders_response, alpha: float) -> AtStake | None:
    """Yearly net revenue at stake of an order-linked change (None when orders did not measurably move)."""
    if drv is not None and metric.kind == "count":
        row = table[(table["segmentation"] == drv.segmentation) & (table["group"] == drv.group)].iloc[0]
        scale = row["before"] * aov * 52
        return AtStake(float(scale * drv.excess_change), float(scale * drv.ci_low), float(scale * drv.ci_high),
                       f"orders of {drv.label} against the rest of the customers", True)
    if drv is None:
        resp = orders_response()
        if resp.p < alpha:
            scale = np.exp(resp.before) * aov * 52
            return AtStake(float(scale * np.expm1(resp.diff)), float(scale * np.expm1(resp.ci_low)),
                           float(scale * np.expm1(resp.ci_high)),
                           f"orders of all customers measurably changed across the date (p = {resp.p:.2g})", True)
    return None


def ordering_at_stake(orders_records: pd.DataFrame, weeks: pd.DatetimeIndex, date: pd.Timestamp, aov: float,
                      members: pd.Index | None = None, gap: int = 0, window: int = WINDOW_WEEKS,
                      alpha: float = 0.05, bounds: tuple = (None, None)) -> AtStake:
    """Revenue at stake through the ordering of the customers a change affects (any change, operational too).

    The weekly orders of ``members`` (all customers when None), seasonally adjusted on the log scale
    (:func:`detect_change_points`), are compared between the ``window`` weeks before ``date`` and the ``window``
    weeks after ``date + gap`` weeks (:func:`compare_windows`, autocorrelation-corrected), cut at ``bounds``
    (the neighbouring changes' dates, so one change's effect is not counted again in the next). Revenue at stake =
    orders a week before x relative change x ``aov`` x 52 (currency units a year, signed), with the interval
    of the relative change; ``measured`` when the change of ordering is significant at ``alpha``.
    """
    rec = orders_records if members is None else orders_records[orders_records["customer_id"].isin(members)]
    who = "all customers" if members is None else "the affected group"
    value, _ = metric_series(weekly_panel(rec, weeks), METRICS["orders"])
    cp = detect_change_points(value, log=True, seasonal=True)
    idx = np.arange(len(weeks))
    b = int(np.searchsorted(weeks, date))
    lo = b - window if bounds[0] is None else max(b - window, int(np.searchsorted(weeks, bounds[0])))
    hi = b + gap + window if bounds[1] is None else min(b + gap + window, int(np.searchsorted(weeks, bounds[1])))
    c = compare_windows(cp.adjusted, cp.weight, (idx >= lo) & (idx < b), (idx >= b + gap) & (idx < hi),
                        rho=cp.rho, alpha=alpha)
    scale = np.exp(c.before) * aov * 52
    measured = bool(c.p < alpha)
    basis = (f"orders of {who} {'measurably' if measured else 'not significantly'} changed across the date "
             f"(p = {c.p:.2g})")
    return AtStake(float(scale * np.expm1(c.diff)), float(scale * np.expm1(c.ci_low)),
                   float(scale * np.expm1(c.ci_high)), basis, measured)


def _moves_orders(key: str) -> bool:
    """Whether a change of ``key`` is measured through order counts (order-linked metrics, market metrics and
    new channels): such changes bound the ordering windows of the others, a basket or survey shift does not."""
    if key.startswith("share_"):
        return True
    metric = metric_info(key)
    return bool(metric.revenue_link and metric.kind == "count") or metric.table == "market"


def _neighbours(date: pd.Timestamp, gap: int, dates: list, tolerance_weeks: int = 2) -> tuple:
    """The nearest other change dates before ``date`` and after ``date + gap`` weeks (more than
    ``tolerance_weeks`` away, closer ones being the same change), or None on a side without one."""
    lo, hi = date - pd.Timedelta(weeks=tolerance_weeks), date + pd.Timedelta(weeks=gap + tolerance_weeks)
    before = [d for d in dates if d < lo]
    after = [d for d in dates if d > hi]
    return (max(before) if before else None, min(after) if after else None)


def attribute_changes(flagged: pd.DataFrame, ramps: pd.DataFrame, records: dict, segments: pd.DataFrame,
                      weeks: pd.DatetimeIndex, orders: pd.DataFrame, alpha: float = 0.05) -> Attribution:
    """Who drives each flagged change and how much net revenue a year is at stake.

    The comparison by group uses the changed metric itself, except for market metrics (competitor prices),
    where it uses orders: how our customers responded. The driver is the flagged group with the largest
    excess change in the direction of the change (for market metrics, the direction of all orders across
    the date, or when that did not measurably move, the direction of the competitor's prices); without one,
    the change is shared by all customers.

    Revenue at stake (currency units a year, signed): for an order-linked response, the weekly orders of
    the affected group (or all customers) before the change x the relative change x the average order value
    x 52. Every other change (operational ones such as delivery, a change of the average basket, whose mean
    also moves when the mix of customers buying changes, or an order-linked one whose orders did not
    measurably move) gets the same product through the ordering of the customers it affects (the driving
    group, or everyone): :func:`ordering_at_stake`, the best estimate with its interval even when not
    significant (``AtStake.measured`` says which). It is NaN only without orders. ``orders`` are those of
    :func:`customer_workbook.base.order_table`.

    Returns
    -------
    Attribution
        Drivers, revenue at stake and :func:`who_changed` tables, keyed by ``(metric, date)``.
    """
    drivers, impacts, tables, cache, responses, at_stake = {}, {}, {}, {}, {}, {}
    aov = float(orders["amount"].mean())

    def orders_response(date):
        if date not in responses:
            responses[date] = _orders_response(records, weeks, date)
        return responses[date]

    has_orders = "orders" in records
    jobs = [(r["metric"], r["date"], r["direction"], 0) for _, r in flagged.iterrows()]
    jobs += [(f"share_{r['channel']}", r["launch"], "up", int(r["ramp_weeks"])) for _, r in ramps.iterrows()]
    order_dates = [d for k, d, *_ in jobs if _moves_orders(k)]  # the changes that bound an ordering window
    for key, date, direction, gap in jobs:
        response = functools.partial(orders_response, date)
        rec, metric, exclude, direction = _compared_records(key, direction, records, orders, response, alpha)
        table = who_changed(rec, metric, segments, weeks, date, gap=gap, exclude=exclude, alpha=alpha,
                            cache=cache) \
            if not segments.empty else pd.DataFrame()
        drv = driver_group(table, direction) if not table.empty else None
        tables[(key, date)], drivers[(key, date)] = table, drv
        stake = None
        if has_orders and (metric.revenue_link or metric.table == "market"):
            stake = _revenue_at_stake(metric, table, drv, aov, response, alpha)
        if has_orders and stake is None:  # operational changes too: through the affected customers' orders
            members = None if drv is None else segments.index[segments[drv.segmentation] == drv.group]
            stake = ordering_at_stake(records["orders"], weeks, date, aov, members, gap=gap, alpha=alpha,
                                      bounds=_neighbours(date, gap, order_dates))
        if stake is not None:
            at_stake[(key, date)] = stake
        impacts[(key, date)] = stake.value if stake is not None else np.nan
    return Attribution(drivers=drivers, impacts=impacts, tables=tables, at_stake=at_stake)


def _overall_row(key: str, records: pd.DataFrame, weeks: pd.DatetimeIndex, date: pd.Timestamp, window: int,
                 alpha: float) -> dict:
    """Before / after of all customers' ``key`` across ``date`` (``window`` weeks each side), as a row of the
    breaks table of :func:`~.detection.detect_all` (not significant, not flagged: the overall series did not
    break there)."""
    metric = metric_info(key)
    value, weight = metric_series(weekly_panel(records, weeks), metric)
    cp = detect_change_points(value, None if metric.kind == "count" else weight, log=metric.log,
                              seasonal=metric.seasonal)
    idx, b = np.arange(len(weeks)), int(np.searchsorted(weeks, date))
    c = compare_windows(cp.adjusted, cp.weight, (idx >= b - window) & (idx < b), (idx >= b) & (idx < b + window),
                        rho=cp.rho, alpha=alpha)
    return {"metric": key, "label": metric.label, "theme": metric.theme, "date": date, "before": c.before,
            "after": c.after, "change": c.diff, "ci_low": c.ci_low, "ci_high": c.ci_high, "change_unit": metric.unit,
            "p": c.p, "std_effect": c.std_effect, "weeks_before": c.weeks_before, "weeks_after": c.weeks_after,
            "temporary": False, "significant": bool(c.p < alpha), "practical": False}


def group_only_changes(records: dict, segments: pd.DataFrame, weeks: pd.DatetimeIndex, dates: list,
                       breaks: pd.DataFrame, tolerance_weeks: int = 2, window: int = WINDOW_WEEKS,
                       alpha: float = 0.05) -> tuple[pd.DataFrame, dict, dict]:
    """Survey metrics that moved for one group of customers only, at the dates of the changes already found.

    A change can be invisible in all customers' series: a rival's price cut lowers the price satisfaction of
    the price-sensitive customers while the others' rises a little, and the overall mean stays put, so no
    change point is found. For every kept change date in ``dates`` and every survey metric (``surveys`` table)
    without a candidate break of its own within ``tolerance_weeks`` (``breaks``: all candidates of
    :func:`~.detection.detect_all`), :func:`who_changed` compares each group with the rest across the date;
    of the flagged groups, the one whose own level moved most is the driver (its mirror image, the rest of
    a two-group segmentation, moved against it only by contrast).
    Multiplicity: Benjamini-Hochberg across the groups of one probe (as always) at ``alpha / number of probes``
    (Bonferroni across probes), so the probes together raise a false group change with probability at most
    about ``alpha``; no change date, no probe (a stable company is never probed).

    Returns
    -------
    (rows, drivers, tables)
        ``rows``: one row per probe whose driving group moved significantly by more than the practical
        threshold, in the columns of the breaks table: before / after / change of all customers, ``p_adj``
        the group's (both corrections), ``flagged``, and ``direction`` the group's;
        ``drivers`` / ``tables``: their :class:`Driver` and :func:`who_changed` table keyed by ``(metric, date)``.
    """
    keys = [k for k in records if k in METRICS and METRICS[k].table == "surveys"]
    near = pd.Timedelta(weeks=tolerance_weeks)
    probes = [(k, d) for d in sorted(set(dates)) for k in keys
              if not ((breaks["metric"] == k) & ((breaks["date"] - d).abs() <= near)).any()]
    rows, drivers, tables, cache = [], {}, {}, {}
    if segments.empty:
        probes = []
    for key, date in probes:
        table = who_changed(records[key], METRICS[key], segments, weeks, date, window=window,
                            alpha=alpha / len(probes), cache=cache)
        # a two-group segmentation gives mirror images (one group down against the rest is the rest up against
        # it): the group that moved is the flagged one whose own level moved most (all customers' did not)
        drv = driver_group(table.loc[(table["after"] - table["before"]).abs().sort_values(ascending=False).index])
        if drv is None:
            continue
        group = table[(table["segmentation"] == drv.segmentation) & (table["group"] == drv.group)].iloc[0]
        rows.append({**_overall_row(key, records[key], weeks, date, window, alpha), "flagged": True,
                     "p_adj": min(1.0, float(group["p_adj"]) * len(probes)),  # the group's evidence, both corrections
                     "direction": "up" if drv.excess_change > 0 else "down"})
        drivers[(key, date)], tables[(key, date)] = drv, table
    return pd.DataFrame(rows, columns=list(breaks.columns)), drivers, tables
