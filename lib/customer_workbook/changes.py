"""Step 2 of the method: detect the changes that matter (notebook 02).

A change matters when it is real (not noise, not the usual seasonal rhythm), large enough to act on,
and attributable to someone: *when* did it change, *by how much*, *is it significant*, *for whom*.

The building blocks, all on weekly series (weeks start on Monday):

- :func:`metric_records` turns the contract tables into unit records (one order, one survey answer, one
  market week ...) for each metric in :data:`METRICS`; :func:`weekly_panel` sums them per week (and group).
- :func:`detect_change_points` finds level shifts in a weekly series by exact optimal partitioning with a
  penalty that scales with ``log(n)`` and the (autocorrelation-corrected) noise variance, after removing
  month-of-year seasonality and a straight-line trend; :func:`penalty_sensitivity` shows how the answer
  depends on the penalty.
- :func:`compare_windows` / :func:`compare_samples` measure a shift with an effect size, a confidence
  interval and a p-value; :func:`customer_workbook.stats.benjamini_hochberg` corrects for the many tests; every metric carries a
  *practical* threshold (:attr:`Metric.min_effect`) so that large samples do not flag trivial shifts.
- :func:`customer_segments` and :func:`who_changed` compare groups of customers with everyone else across
  a change (a difference-in-differences, which also cancels seasonality shared by all groups).
- :func:`channel_ramps` finds a new sales channel and sizes its ramp-up.
- :func:`change_register` collects everything into one table sorted by business impact.

Only observable data is used: the sample's hidden persona labels never enter this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .base import full_weeks, order_table, week_start
from .contract import SATISFACTION_ITEMS
from .data import Dataset
from .escaping import md
from .stats import benjamini_hochberg

__all__ = [
    "Metric", "METRICS", "ChangePoints", "metric_records", "weekly_panel",
    "metric_series", "optimal_partition", "noise_scale", "detect_change_points", "penalty_sensitivity",
    "compare_samples", "compare_windows", "detect_all", "quarter_vs_last_year",
    "customer_segments", "who_changed", "channel_weekly", "fit_ramp", "channel_ramps", "market_events",
    "link_events", "change_register",
]

WINDOW_WEEKS = 26          # longest before / after window of a comparison, in weeks
COUNT_OFFSET = 0.5         # added to weekly counts before taking logs (weeks with zero orders)
MIN_GROUP_CUSTOMERS = 30   # groups smaller than this are left out of "who changed"
PENALTY_FACTOR = 3.0       # penalty = 3 * noise variance * log(n): BIC (2 sigma^2 log n) with a 1.5 safety factor
TEMPORARY_WEEKS = 13       # a shift that reverts within this many weeks is a temporary episode, not a change


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Metric:
    """A weekly metric that the change detector watches.

    Attributes
    ----------
    key, label, unit
        Identifier, readable name and unit of the weekly value.
    table
        Contract table it comes from.
    kind
        ``"count"`` (weekly sum of unit records, e.g. orders) or ``"mean"`` (weekly mean of unit values,
        e.g. survey scores; weeks are weighted by how many records they hold).
    log
        Detect and measure on the log scale: changes are relative (``min_effect`` is a fraction).
    seasonal
        Remove month-of-year seasonality and a straight-line trend before looking for breaks.
    min_effect
        Practical significance threshold: the smallest change worth acting on (fraction when ``log``,
        otherwise in ``unit``).
    theme
        Which of step 2's watch areas it belongs to (behaviour, satisfaction, competition, channels).
    revenue_link
        True when a change of the metric translates directly into orders (used for business impact).
    """

    key: str
    label: str
    unit: str
    table: str
    kind: str
    log: bool = False
    seasonal: bool = False
    min_effect: float = 0.1
    theme: str = "behaviour"
    revenue_link: bool = False


_SAT_LABEL = {"location": "location", "parking": "parking", "service": "service",
              "pricing": "pricing", "speed": "speed (fast brand)", "quality": "quality (social proof)"}

#: The metrics watched by default, keyed by :attr:`Metric.key`. New-customer series per acquisition channel
#: are added by :func:`metric_records` from the data (``new_customers_<channel>``).
METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("orders", "Orders per week", "orders", "transactions", "count", log=True, seasonal=True,
           min_effect=0.05, revenue_link=True),
    Metric("active_customers", "Active customers per week", "customers", "transactions", "count", log=True,
           seasonal=True, min_effect=0.05, revenue_link=True),
    Metric("avg_basket", "Average basket", "currency units per order", "transactions", "mean", log=True,
           seasonal=True, min_effect=0.05),
    Metric("delivery_days", "Delivery time of delivered orders", "days", "transactions", "mean",
           min_effect=0.5, theme="satisfaction"),
    Metric("new_customers", "New customers per week", "customers", "customers", "count", log=True,
           min_effect=0.15),
    Metric("nps", "NPS", "NPS points", "surveys", "mean", min_effect=10.0, theme="satisfaction"),
    *(Metric(f"sat_{item}", f"Satisfaction: {_SAT_LABEL[item]}", "points (1-5)", "surveys", "mean",
             min_effect=0.2, theme="satisfaction") for item in SATISFACTION_ITEMS),
    Metric("competitor_price_index", "Competitor price index", "index (1 = our prices)", "market", "mean",
           log=True, min_effect=0.02, theme="competition"),
)}


def _new_customer_metric(channel: str) -> Metric:
    return Metric(f"new_customers_{channel}", f"New customers per week via {channel}", "customers", "customers",
                  "count", log=True, min_effect=0.15, theme="channels")


def metric_info(key: str) -> Metric:
    """The :class:`Metric` for ``key`` (including ``new_customers_<channel>``)."""
    if key in METRICS:
        return METRICS[key]
    if key.startswith("new_customers_"):
        return _new_customer_metric(key.removeprefix("new_customers_"))
    raise KeyError(key)


def metric_records(ds: Dataset, orders: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Unit records of every metric the data supports.

    ``orders`` (from :func:`customer_workbook.base.order_table`) can be passed when already
    computed, which saves the most expensive step on large data.

    Returns
    -------
    dict
        ``{metric key: DataFrame(week, customer_id, value)}``: one row per order (``orders``, ``avg_basket``,
        ``delivery_days``), per customer-week (``active_customers``), per acquired customer
        (``new_customers`` and ``new_customers_<channel>``, from ``customers.signup_date``), per survey answer
        (``nps`` as +100 promoter / 0 passive / -100 detractor, ``sat_*`` in points) or per market week
        (``competitor_price_index``; ``customer_id`` missing). Metrics whose columns are absent are left out.
    """
    out: dict[str, pd.DataFrame] = {}
    tx = ds.transactions
    orders = order_table(tx) if orders is None else orders
    base = pd.DataFrame({"week": week_start(orders["date"]), "customer_id": orders["customer_id"]})
    out["orders"] = base.assign(value=1.0)
    out["active_customers"] = base.drop_duplicates().assign(value=1.0)
    out["avg_basket"] = base.assign(value=orders["amount"].to_numpy(dtype=float))
    if "delivery_days" in tx:
        first_line = tx.groupby("order_id", sort=False, observed=True)["delivery_days"].max()
        days = orders["order_id"].map(first_line).to_numpy(dtype=float)
        keep = days > 0  # store purchases and pick-ups carry 0 days
        out["delivery_days"] = base[keep].assign(value=days[keep])
    if ds.has("customers") and "signup_date" in ds.customers:
        cust = ds.customers.dropna(subset=["signup_date"])
        weeks = full_weeks(tx["date"])
        cust = cust[(cust["signup_date"] >= weeks[0]) & (cust["signup_date"] < weeks[-1] + pd.Timedelta(days=7))]
        new = pd.DataFrame({"week": week_start(cust["signup_date"]), "customer_id": cust["customer_id"],
                            "value": 1.0})
        if len(new):
            out["new_customers"] = new
            if "acquisition_channel" in cust:
                channel = cust["acquisition_channel"].astype("str")
                for name in sorted(channel.dropna().unique()):
                    out[f"new_customers_{name}"] = new[(channel == name).to_numpy()]
    if ds.has("surveys"):
        sv = ds.surveys
        weeks = week_start(sv["date"])
        if "nps" in sv:
            nps = sv["nps"].to_numpy(dtype=float)
            ok = ~np.isnan(nps)
            score = np.where(nps >= 9, 100.0, np.where(nps <= 6, -100.0, 0.0))
            out["nps"] = pd.DataFrame({"week": weeks[ok], "customer_id": sv["customer_id"][ok], "value": score[ok]})
        for item in SATISFACTION_ITEMS:
            col = f"sat_{item}"
            if col in sv:
                v = sv[col].to_numpy(dtype=float)
                ok = ~np.isnan(v)
                out[col] = pd.DataFrame({"week": weeks[ok], "customer_id": sv["customer_id"][ok], "value": v[ok]})
    if ds.has("market") and "competitor_price_index" in ds.market:
        mk = ds.market.dropna(subset=["competitor_price_index"])
        out["competitor_price_index"] = pd.DataFrame({
            "week": week_start(mk["week"]), "customer_id": pd.Series(pd.NA, index=mk.index, dtype="str"),
            "value": mk["competitor_price_index"].to_numpy(dtype=float)})
    # one shared categorical for customer ids: grouping records by customer segment then maps only the
    # categories (fast on millions of records) instead of every row. The loader already shares one.
    dtype = tx["customer_id"].dtype
    if not isinstance(dtype, pd.CategoricalDtype):
        ids = pd.Index(tx["customer_id"].astype("str").unique())
        if ds.has("customers"):
            ids = ids.union(pd.Index(ds.customers["customer_id"].astype("str").unique()), sort=False)
        dtype = pd.CategoricalDtype(ids)
    return {k: v.assign(customer_id=pd.Categorical(v["customer_id"], dtype=dtype)).reset_index(drop=True)
            for k, v in out.items()}


def weekly_panel(records: pd.DataFrame, weeks: pd.DatetimeIndex, groups: pd.Series | None = None) -> pd.DataFrame:
    """Weekly sums of unit records: ``n`` (records), ``total`` (sum of values), ``total2`` (sum of squares).

    Parameters
    ----------
    records
        DataFrame(week, customer_id, value) from :func:`metric_records`.
    weeks
        The weekly index to report on (weeks outside are dropped, missing weeks get zeros).
    groups
        Optional customer -> group label (index: customer_id); then the result has one column level per group.

    Returns
    -------
    DataFrame
        Index: ``weeks``. Columns ``n``, ``total``, ``total2`` (or a MultiIndex ``(stat, group)`` with groups).
    """
    week_values = weeks.to_numpy().astype("datetime64[ns]")
    rec_weeks = records["week"].to_numpy().astype("datetime64[ns]")
    pos = np.searchsorted(week_values, rec_weeks)
    ok = (pos < len(week_values)) & (week_values[np.minimum(pos, len(week_values) - 1)] == rec_weeks)
    value = records["value"].to_numpy(dtype=float)
    stats_names = ("n", "total", "total2")
    if groups is None:
        out = {name: np.bincount(pos[ok], weights=w, minlength=len(weeks))
               for name, w in zip(stats_names, (np.ones(ok.sum()), value[ok], value[ok] ** 2))}
        return pd.DataFrame(out, index=weeks)
    labels = groups.dropna()
    names = np.array(sorted(labels.astype("str").unique()), dtype=object)
    ids = records["customer_id"]
    if isinstance(ids.dtype, pd.CategoricalDtype) and groups.index is ids.cat.categories:
        # groups already aligned with the categories (see who_changed): no index look-up needed
        known = groups.notna().to_numpy()
        lookup = np.full(len(groups), -1, dtype=np.int64)
        lookup[known] = np.searchsorted(names, groups[known].astype("str").to_numpy())
        cc = ids.cat.codes.to_numpy()
        g = np.where(cc >= 0, lookup[np.maximum(cc, 0)], -1)
    elif isinstance(ids.dtype, pd.CategoricalDtype):
        code_of = pd.Series(np.searchsorted(names, labels.astype("str").to_numpy()), index=labels.index)
        lookup = code_of.reindex(ids.cat.categories).fillna(-1).to_numpy(dtype=np.int64)
        cc = ids.cat.codes.to_numpy()
        g = np.where(cc >= 0, lookup[np.maximum(cc, 0)], -1)
    else:
        code_of = pd.Series(np.searchsorted(names, labels.astype("str").to_numpy()), index=labels.index)
        g = ids.map(code_of).fillna(-1).to_numpy(dtype=np.int64)
    ok &= g >= 0
    cell = pos[ok] * len(names) + g[ok]
    size = len(weeks) * len(names)
    blocks = {name: np.bincount(cell, weights=w, minlength=size).reshape(len(weeks), len(names))
              for name, w in zip(stats_names, (np.ones(ok.sum()), value[ok], value[ok] ** 2))}
    columns = pd.MultiIndex.from_product([stats_names, list(names)], names=[None, "group"])
    return pd.DataFrame(np.hstack([blocks[n] for n in stats_names]), index=weeks, columns=columns)


def metric_series(panel: pd.DataFrame, metric: Metric) -> tuple[pd.Series, pd.Series]:
    """Weekly value and weight of ``metric`` from a (single-group) :func:`weekly_panel`.

    Returns ``(value, weight)``: for a count metric the weekly count (weight 1); for a mean metric the
    weekly mean (NaN in empty weeks) weighted by the number of records.
    """
    if metric.kind == "count":
        return panel["total"].astype(float), pd.Series(1.0, index=panel.index)
    n = panel["n"].astype(float)
    return (panel["total"] / n.where(n > 0)), n


# --------------------------------------------------------------------------- change points


def optimal_partition(y: np.ndarray, w: np.ndarray, penalty: float, min_size: int = 4) -> list[int]:
    """Exact least-squares segmentation of a weighted series into segments of constant mean.

    Minimises ``sum over segments of sum w_t (y_t - mean_segment)^2 + penalty * (number of breaks)``
    by dynamic programming (optimal partitioning), O(n^2) time, which is instant for weekly series.

    Parameters
    ----------
    y, w
        Values and non-negative weights, shape (n,). Weeks with weight 0 (no data) cost nothing.
    penalty
        Cost of one extra break, in the units of the weighted squared error.
    min_size
        Shortest segment allowed, in observations.

    Returns
    -------
    list of int
        Break positions: index of the first observation of each new segment, increasing.
    """
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    y = np.where(w > 0, y, 0.0)
    n = len(y)
    if n < 2 * min_size:
        return []
    cw = np.concatenate([[0.0], np.cumsum(w)])
    cy = np.concatenate([[0.0], np.cumsum(w * y)])
    cy2 = np.concatenate([[0.0], np.cumsum(w * y * y)])
    best = np.full(n + 1, np.inf)
    best[0] = -penalty
    last = np.zeros(n + 1, dtype=int)
    for t in range(min_size, n + 1):
        s = np.arange(0, t - min_size + 1)
        s = s[(s == 0) | (s >= min_size)]
        sw = cw[t] - cw[s]
        sy = cy[t] - cy[s]
        cost = (cy2[t] - cy2[s]) - np.divide(sy * sy, sw, out=np.zeros_like(sy), where=sw > 0)
        total = best[s] + cost + penalty
        k = int(np.argmin(total))
        best[t], last[t] = total[k], s[k]
    breaks, t = [], n
    while t > 0:
        t = last[t]
        if t > 0:
            breaks.append(int(t))
    return sorted(breaks)


def noise_scale(y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Robust noise level and lag-1 autocorrelation of a weighted series, insensitive to a few level shifts.

    Uses weight-standardised first differences ``d_t = (y_t - y_{t-1}) / sqrt(1/w_t + 1/w_{t-1})``:
    their median absolute deviation gives the per-unit noise variance ``tau^2 = MAD^2 / (1 - rho)`` (a
    step only moves one difference), and their lag-1 correlation ``c`` gives the AR(1) coefficient ``rho = 1 + 2c`` (for white
    noise ``c = -0.5``).

    Returns
    -------
    (tau2, rho)
        ``tau2``: variance of one unit record (of one week for count metrics), in squared value units;
        ``rho``: clipped to [0, 0.9].
    """
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    ok = w > 0
    y, w = y[ok], w[ok]
    if len(y) < 6:
        return float("nan"), 0.0
    d = np.diff(y) / np.sqrt(1 / w[1:] + 1 / w[:-1])
    med = np.median(d)
    mad = np.median(np.abs(d - med)) / 0.6745
    if not mad > 0:
        mad = float(np.std(d)) or 1e-12
    clipped = np.clip(d - med, -4 * mad, 4 * mad)
    c = float(np.corrcoef(clipped[1:], clipped[:-1])[0, 1]) if np.std(clipped) > 0 else -0.5
    rho = float(np.clip(1 + 2 * c, 0.0, 0.9)) if np.isfinite(c) else 0.0
    # var(d) = tau2 (1 - rho) for AR(1) noise (the standardisation already divides by sqrt(2) at equal weights)
    tau2 = mad ** 2 / (1 - rho)
    return float(tau2), rho


@dataclass
class ChangePoints:
    """Result of :func:`detect_change_points` for one weekly series (length n).

    ``adjusted`` is the series on the detection scale (log when the metric is relative) with seasonality
    and trend removed; ``fitted`` the segment means; ``breaks`` the positions of the first week of each new
    segment; ``dates`` their week starts.
    """

    weeks: pd.DatetimeIndex
    raw: np.ndarray
    weight: np.ndarray
    adjusted: np.ndarray
    fitted: np.ndarray
    seasonal: np.ndarray
    breaks: list[int]
    penalty: float
    tau2: float
    rho: float
    log: bool
    extra: dict = field(default_factory=dict)

    @property
    def dates(self) -> list[pd.Timestamp]:
        return [self.weeks[b] for b in self.breaks]

    @property
    def long_run_factor(self) -> float:
        """Variance inflation of a mean of autocorrelated weeks, (1 + rho) / (1 - rho)."""
        return (1 + self.rho) / (1 - self.rho)


def _month_trend_design(weeks: pd.DatetimeIndex, trend: bool) -> np.ndarray:
    months = (weeks + pd.Timedelta(days=3)).month.to_numpy()
    X = (months[:, None] == np.arange(1, 13)[None, :]).astype(float)
    X = X[:, X.sum(axis=0) > 0]
    if trend:
        t = np.arange(len(weeks), dtype=float)
        X = np.column_stack([X, (t - t.mean()) / max(len(weeks), 1)])
    return X


def _segment_means(z: np.ndarray, w: np.ndarray, breaks: list[int]) -> np.ndarray:
    edges = [0, *breaks, len(z)]
    fitted = np.empty(len(z))
    for a, b in zip(edges[:-1], edges[1:]):
        ww = w[a:b]
        fitted[a:b] = (ww * z[a:b]).sum() / ww.sum() if ww.sum() > 0 else 0.0
    return fitted


def detect_change_points(values: pd.Series, weights: pd.Series | None = None, log: bool = False,
                         seasonal: bool = False, penalty_scale: float = 1.0, min_size: int = 4,
                         iterations: int = 4) -> ChangePoints:
    """Find level shifts in a weekly series, seasonality and trend first removed.

    Method
    ------
    1. Scale: ``log(value)`` when ``log`` (counts get +0.5), so a break is a relative change.
    2. Seasonality (when ``seasonal``): month-of-year effects and a straight-line trend are fitted by
       weighted least squares jointly with the current segment levels, and removed; this alternates with
       step 4 up to ``iterations`` times so that a real step is not absorbed by the seasonal profile and a
       December peak is not taken for a step. The first pass fits no trend (a trend would absorb a step that
       has not been found yet).
    3. Penalty rule: ``penalty = penalty_scale * 3 * tau2 * (1 + rho) / (1 - rho) * log(n)``: the Schwarz
       (BIC) penalty of two parameters per break, ``2 tau2 log(n)``, times a safety factor of 1.5, with the
       noise variance corrected for autocorrelation (:func:`noise_scale`). On simulated three-year weekly
       noise this keeps false alarms under 1% of white-noise series and about 3% of AR(1) (rho 0.5) ones.
    4. Breaks: :func:`optimal_partition` with segments of at least ``min_size`` weeks.

    Parameters
    ----------
    values, weights
        Weekly values (index: week starts) and weights (records per week for mean metrics; default 1).

    Returns
    -------
    ChangePoints
    """
    weeks = pd.DatetimeIndex(values.index)
    raw = values.to_numpy(dtype=float)
    w = np.ones(len(raw)) if weights is None else weights.to_numpy(dtype=float).copy()
    w[~np.isfinite(raw)] = 0.0
    z = np.where(w > 0, raw, np.nan)
    if log:
        if weights is None:  # counts: zero weeks are possible
            z = np.log(np.clip(z, 0, None) + COUNT_OFFSET)
        else:
            z = np.log(np.where(z > 0, z, np.nan))
        w[~np.isfinite(z)] = 0.0
    z = np.where(w > 0, z, 0.0)
    season = np.zeros(len(z))
    X = _month_trend_design(weeks, trend=True) if seasonal else None
    breaks: list[int] = []
    tau2, rho, penalty = float("nan"), 0.0, float("inf")
    for it in range(iterations if seasonal else 1):
        if seasonal:
            # joint weighted least squares: segment levels + month effects (+ trend after the first pass, so
            # that a trend cannot absorb a step before the step has been found)
            edges = np.searchsorted([0, *breaks], np.arange(len(z)), side="right") - 1
            S = (edges[:, None] == np.arange(len(breaks) + 1)[None, :]).astype(float)
            Xs = X if it > 0 else X[:, :-1]
            sw = np.sqrt(w)
            coef, *_ = np.linalg.lstsq(np.column_stack([S, Xs]) * sw[:, None], z * sw, rcond=None)
            season = Xs @ coef[S.shape[1]:]
            season -= (w * season).sum() / w.sum()
        adj = z - season
        tau2, rho = noise_scale(adj, w)
        if not np.isfinite(tau2) or tau2 <= 0:
            break
        n_eff = int((w > 0).sum())
        penalty = penalty_scale * PENALTY_FACTOR * tau2 * (1 + rho) / (1 - rho) * np.log(max(n_eff, 2))
        new = optimal_partition(adj, w, penalty, min_size=min_size)
        if new == breaks and seasonal:
            break
        breaks = new
    adj = z - season
    fitted = _segment_means(adj, w, breaks)
    return ChangePoints(weeks=weeks, raw=raw, weight=w, adjusted=np.where(w > 0, adj, np.nan), fitted=fitted,
                        seasonal=season, breaks=breaks, penalty=float(penalty), tau2=float(tau2), rho=float(rho),
                        log=log)


def penalty_sensitivity(values: pd.Series, weights: pd.Series | None = None, scales=(0.5, 1.0, 2.0, 4.0),
                        **kw) -> pd.DataFrame:
    """Breaks found at several multiples of the default penalty (the sensitivity view).

    Returns DataFrame(penalty_scale, n_breaks, break_weeks) with one row per scale; a break that survives a
    doubled penalty is robust, one that appears only at half the penalty is fragile.
    """
    rows = []
    for s in scales:
        cp = detect_change_points(values, weights, penalty_scale=s, **kw)
        rows.append({"penalty_scale": s, "n_breaks": len(cp.breaks),
                     "break_weeks": ", ".join(f"{d:%Y-%m-%d}" for d in cp.dates)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- comparisons


def compare_samples(before: np.ndarray, after: np.ndarray, alpha: float = 0.05) -> dict:
    """Welch comparison of two independent samples (e.g. survey answers before and after a date).

    Returns
    -------
    dict
        ``n_before, n_after, before, after`` (means), ``diff`` (after - before), ``ci_low, ci_high``
        (``1 - alpha`` interval of ``diff``), ``p`` (two-sided Welch t-test) and ``hedges_g`` (standardised
        effect size: diff / pooled SD with the small-sample correction).
    """
    a = np.asarray(before, dtype=float)
    b = np.asarray(after, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    na, nb = len(a), len(b)
    out = {"n_before": na, "n_after": nb, "before": float(a.mean()) if na else np.nan,
           "after": float(b.mean()) if nb else np.nan}
    out["diff"] = out["after"] - out["before"]
    if na < 2 or nb < 2:
        return {**out, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan, "hedges_g": np.nan}
    va, vb = a.var(ddof=1), b.var(ddof=1)
    se = np.sqrt(va / na + vb / nb)
    if se == 0:
        p = 1.0 if out["diff"] == 0 else 0.0
        return {**out, "ci_low": out["diff"], "ci_high": out["diff"], "p": p, "hedges_g": np.nan}
    df = (va / na + vb / nb) ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    q = stats.t.ppf(1 - alpha / 2, df)
    pooled = np.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
    j = 1 - 3 / (4 * (na + nb) - 9)
    return {**out, "ci_low": out["diff"] - q * se, "ci_high": out["diff"] + q * se,
            "p": float(2 * stats.t.sf(abs(out["diff"]) / se, df)),
            "hedges_g": float(j * out["diff"] / pooled) if pooled > 0 else np.nan}


def compare_windows(z: np.ndarray, w: np.ndarray, before: np.ndarray, after: np.ndarray, rho: float = 0.0,
                    alpha: float = 0.05) -> dict:
    """Difference of weighted means of a weekly series between two windows of weeks.

    The weekly noise variance per unit weight is pooled from both windows (``tau2 = sum w (z - mean)^2 /
    (k - 2)``) and inflated by ``(1 + rho) / (1 - rho)`` for autocorrelated weeks; the interval uses a t
    distribution with ``k - 2`` degrees of freedom (``k`` weeks with data).

    Parameters
    ----------
    z, w
        Weekly values and weights, shape (n,).
    before, after
        Boolean masks (shape (n,)) of the weeks in each window.

    Returns
    -------
    dict
        ``before, after`` (weighted means), ``diff``, ``se``, ``ci_low``, ``ci_high``, ``p``, ``weeks_before``,
        ``weeks_after``, ``std_effect`` (diff / weekly noise SD).
    """
    z = np.asarray(z, dtype=float)
    w = np.where(np.isfinite(z), np.asarray(w, dtype=float), 0.0)
    z = np.where(w > 0, z, 0.0)
    bm, am = before & (w > 0), after & (w > 0)
    wb, wa = w[bm].sum(), w[am].sum()
    k = int(bm.sum() + am.sum())
    out = {"weeks_before": int(bm.sum()), "weeks_after": int(am.sum())}
    if wb <= 0 or wa <= 0 or k < 4:
        return {**out, "before": np.nan, "after": np.nan, "diff": np.nan, "se": np.nan, "ci_low": np.nan,
                "ci_high": np.nan, "p": np.nan, "std_effect": np.nan}
    mb, ma = (w[bm] * z[bm]).sum() / wb, (w[am] * z[am]).sum() / wa
    ss = (w[bm] * (z[bm] - mb) ** 2).sum() + (w[am] * (z[am] - ma) ** 2).sum()
    tau2 = ss / (k - 2)
    lr = (1 + rho) / (1 - rho)
    se = float(np.sqrt(tau2 * lr * (1 / wb + 1 / wa)))
    diff = ma - mb
    q = stats.t.ppf(1 - alpha / 2, k - 2)
    p = float(2 * stats.t.sf(abs(diff) / se, k - 2)) if se > 0 else float(diff == 0)
    typical_w = (wb + wa) / k
    return {**out, "before": mb, "after": ma, "diff": diff, "se": se, "ci_low": diff - q * se,
            "ci_high": diff + q * se, "p": p,
            "std_effect": diff / np.sqrt(tau2 / typical_w) if tau2 > 0 else np.nan}


def cusum_p_value(z: np.ndarray, w: np.ndarray, window: np.ndarray, tau2: float, rho: float = 0.0) -> float:
    """p-value that a window of a weekly series holds a level shift *somewhere*, allowing for the search.

    A break found by searching every date makes the naive before/after p-value too small. This uses the
    weighted CUSUM statistic ``max_k |sum_{t<k} w_t (z_t - mean)| / sqrt(tau2 (1 + rho)/(1 - rho) W)``,
    whose null distribution is the supremum of a Brownian bridge (Kolmogorov's distribution).

    Parameters
    ----------
    z, w
        Weekly values and weights, shape (n,).
    window
        Boolean mask (n,) of the weeks tested (the segments either side of a break).
    tau2, rho
        Per-unit noise variance and AR(1) coefficient from :func:`noise_scale`.
    """
    ok = window & (np.asarray(w) > 0) & np.isfinite(z)
    zz, ww = np.asarray(z, dtype=float)[ok], np.asarray(w, dtype=float)[ok]
    W = ww.sum()
    if len(zz) < 4 or not (tau2 > 0) or W <= 0:
        return float("nan")
    mean = (ww * zz).sum() / W
    s = np.cumsum(ww * (zz - mean))
    stat = np.abs(s).max() / np.sqrt(tau2 * (1 + rho) / (1 - rho) * W)
    return float(stats.kstwobign.sf(stat))


def _relative(metric: Metric, row: dict) -> dict:
    """Express a comparison on the metric's scale: relative change for log metrics, absolute otherwise."""
    if metric.log:
        return {"before": float(np.exp(row["before"])), "after": float(np.exp(row["after"])),
                "change": float(np.expm1(row["diff"])), "ci_low": float(np.expm1(row["ci_low"])),
                "ci_high": float(np.expm1(row["ci_high"])), "change_unit": "relative"}
    return {"before": float(row["before"]), "after": float(row["after"]), "change": float(row["diff"]),
            "ci_low": float(row["ci_low"]), "ci_high": float(row["ci_high"]), "change_unit": metric.unit}


def _practical(metric: Metric, change: float) -> bool:
    return bool(np.isfinite(change) and abs(change) >= metric.min_effect)


def temporary_breaks(cp: ChangePoints, min_effect: float, max_weeks: int = TEMPORARY_WEEKS) -> set[int]:
    """Breaks that belong to a temporary episode: the level leaves and comes back within ``max_weeks``.

    Breaks ``b_i < ... < b_j`` form an episode when ``b_j - b_i <= max_weeks`` and the level comes back: the
    segment levels before ``b_i`` and after ``b_j`` differ by less than ``min_effect`` (on the detection scale;
    relative for log series) or by less than a third of the excursion in between (the largest distance of
    the levels inside the episode from the level before it). A launch peak or a promotion is such an episode;
    step 2 looks for lasting shifts.

    Returns the set of break positions that are temporary.
    """
    breaks = cp.breaks
    edges = [0, *breaks, len(cp.weeks)]
    levels = [cp.fitted[a] for a in edges[:-1]]  # level of segment k starts at edges[k]
    out: set[int] = set()
    for i in range(len(breaks)):
        for j in range(i + 1, len(breaks)):
            if breaks[j] - breaks[i] > max_weeks:
                break
            net = abs(levels[j + 1] - levels[i])
            excursion = max(abs(levels[k] - levels[i]) for k in range(i + 1, j + 1))
            if net < min_effect or net < excursion / 3:
                out.update(breaks[i:j + 1])
    return out


def detect_all(records: dict[str, pd.DataFrame], weeks: pd.DatetimeIndex, penalty_scale: float = 1.0,
               min_size: int = 4, window: int = WINDOW_WEEKS, alpha: float = 0.05) -> tuple[dict, pd.DataFrame]:
    """Change points of every metric (all customers) and a before/after comparison at each.

    The comparison windows run from the break to the neighbouring breaks, at most ``window`` weeks each side,
    on the seasonally adjusted series. The p-value is the search-aware CUSUM test of :func:`cusum_p_value` on
    those windows, adjusted with :func:`customer_workbook.stats.benjamini_hochberg` over all breaks of all metrics; a break is *flagged* when it is significant (adjusted p < ``alpha``) **and** practically
    significant (``|change| >= Metric.min_effect``) **and** not part of a temporary episode
    (:func:`temporary_breaks`).

    Returns
    -------
    (results, table)
        ``results``: ``{metric: ChangePoints}``; ``table``: one row per break with metric, label, theme,
        date, before, after, change (relative for log metrics), ci_low, ci_high, p, p_adj, significant,
        practical, temporary, flagged, direction, std_effect.
    """
    results, rows = {}, []
    for key, rec in records.items():
        metric = metric_info(key)
        panel = weekly_panel(rec, weeks)
        value, weight = metric_series(panel, metric)
        cp = detect_change_points(value, None if metric.kind == "count" else weight, log=metric.log,
                                  seasonal=metric.seasonal, penalty_scale=penalty_scale, min_size=min_size)
        results[key] = cp
        edges = [0, *cp.breaks, len(weeks)]
        idx = np.arange(len(weeks))
        temporary = temporary_breaks(cp, metric.min_effect)
        for j, b in enumerate(cp.breaks):
            lo, hi = max(edges[j], b - window), min(edges[j + 2], b + window)
            cmp_ = compare_windows(cp.adjusted, cp.weight, (idx >= lo) & (idx < b), (idx >= b) & (idx < hi),
                                   rho=cp.rho, alpha=alpha)
            rel = _relative(metric, cmp_)
            p = cusum_p_value(cp.adjusted, cp.weight, (idx >= lo) & (idx < hi), cp.tau2, cp.rho)
            rows.append({"metric": key, "label": metric.label, "theme": metric.theme, "date": weeks[b],
                         **rel, "p": p, "std_effect": cmp_["std_effect"],
                         "weeks_before": cmp_["weeks_before"], "weeks_after": cmp_["weeks_after"],
                         "temporary": b in temporary})
    table = pd.DataFrame(rows, columns=["metric", "label", "theme", "date", "before", "after", "change",
                                        "ci_low", "ci_high", "change_unit", "p", "std_effect", "weeks_before",
                                        "weeks_after", "temporary"])
    table["temporary"] = table["temporary"].astype(bool)
    table["p_adj"] = benjamini_hochberg(table["p"].to_numpy())
    table["significant"] = table["p_adj"] < alpha
    table["practical"] = [_practical(metric_info(m), c) for m, c in zip(table["metric"], table["change"])]
    table["flagged"] = table["significant"] & table["practical"] & ~table["temporary"]
    table["direction"] = np.where(table["change"] > 0, "up", "down")
    return results, table


def quarter_vs_last_year(records: dict[str, pd.DataFrame], weeks: pd.DatetimeIndex, quarter_weeks: int = 13,
                         alpha: float = 0.05) -> pd.DataFrame:
    """The latest ``quarter_weeks`` weeks against the same weeks one year (52 weeks) earlier, every metric.

    Same weeks of the year on both sides, so seasonality cancels. Mean metrics compare the unit records
    (each survey answer, each order) with :func:`compare_samples`; count metrics compare the weekly counts
    (log scale, so the change is relative). p-values are Benjamini-Hochberg adjusted across metrics, and a
    change is flagged only when it is also practically significant (``Metric.min_effect``).

    Returns
    -------
    DataFrame
        One row per metric: label, period, before, after, change, ci_low, ci_high, change_unit, hedges_g,
        n_before, n_after, p, p_adj, significant, practical, flagged.
    """
    if len(weeks) < 52 + quarter_weeks:
        return pd.DataFrame()
    now = weeks[-quarter_weeks:]
    last = weeks[-quarter_weeks - 52:-52]
    rows = []
    for key, rec in records.items():
        metric = metric_info(key)
        if metric.kind == "count":
            panel = weekly_panel(rec, weeks)
            v = np.log(panel["total"].to_numpy(dtype=float) + COUNT_OFFSET)
            r = compare_samples(v[np.isin(weeks, last)], v[np.isin(weeks, now)], alpha)
        else:
            vals = rec["value"].to_numpy(dtype=float)
            r = compare_samples(vals[rec["week"].isin(last).to_numpy()], vals[rec["week"].isin(now).to_numpy()],
                                alpha)
            if metric.log:
                # relative change of the mean, CI by the delta method on the ratio
                r = {**r, "diff": np.log(r["after"] / r["before"]) if r["before"] > 0 else np.nan}
                half = (r["ci_high"] - r["ci_low"]) / 2 / r["before"] if r["before"] else np.nan
                r.update(before=np.log(r["before"]), after=np.log(r["after"]),
                         ci_low=r["diff"] - half, ci_high=r["diff"] + half)
        rel = _relative(metric, r)
        rows.append({"metric": key, "label": metric.label, "theme": metric.theme,
                     "period": f"{now[0]:%Y-%m-%d} to {now[-1] + pd.Timedelta(days=6):%Y-%m-%d}",
                     **rel, "hedges_g": r["hedges_g"], "n_before": r["n_before"], "n_after": r["n_after"],
                     "p": r["p"]})
    table = pd.DataFrame(rows)
    table["p_adj"] = benjamini_hochberg(table["p"].to_numpy())
    table["significant"] = table["p_adj"] < alpha
    table["practical"] = [_practical(metric_info(m), c) for m, c in zip(table["metric"], table["change"])]
    table["flagged"] = table["significant"] & table["practical"]
    return table


# --------------------------------------------------------------------------- who changed


def customer_segments(ds: Dataset, discount_share: float = 0.4, min_lines: int = 3,
                      orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observable segmentations of the customers, one column each (index: customer_id; NA = unknown).

    - ``price_sensitivity``: "high discount use" when at least ``discount_share`` of the customer's
      purchase lines carried a discount, else "low discount use" (needs ``transactions.discount``; customers
      with fewer than ``min_lines`` purchase lines stay unknown). A fixed threshold, not quantiles, so ties
      cannot break it.
    - ``main_channel``: the sales channel of most of the customer's orders (needs ``transactions.channel``).
    - ``region``, ``income_band``, ``acquisition_channel``, ``age_band`` (under 30, 30-44, 45-59, 60+) from
      ``customers`` when supplied.
    """
    tx = ds.transactions
    out = pd.DataFrame(index=pd.Index(tx["customer_id"].unique(), name="customer_id"))
    if "discount" in tx:
        buy = tx[tx["amount"] > 0]
        g = (buy["discount"].fillna(0) > 0).groupby(buy["customer_id"], observed=True).agg(["mean", "size"])
        label = np.where(g["mean"] >= discount_share, "high discount use", "low discount use")
        out["price_sensitivity"] = pd.Series(label, index=g.index).where(g["size"] >= min_lines).astype("str")
    if "channel" in tx:
        orders = order_table(tx) if orders is None else orders
        counts = orders.groupby(["customer_id", "channel"], observed=True).size().unstack(fill_value=0)
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
        labels = segments[seg].dropna()
        sizes = labels.value_counts()
        panel = cache.get((id(records), seg))
        if panel is None:
            ids = records["customer_id"]
            if isinstance(ids.dtype, pd.CategoricalDtype):
                key = ("aligned", seg, id(ids.cat.categories))
                if key not in cache:
                    cache[key] = (ids.cat.categories, segments[seg].reindex(ids.cat.categories))
                    cache[key][1].index = ids.cat.categories
                labels_for_panel = cache[key][1]
            else:
                labels_for_panel = labels
            panel = cache[(id(records), seg)] = weekly_panel(records, weeks, labels_for_panel)
        for group in sizes.index:
            if sizes[group] < min_customers or ("n", group) not in panel:
                continue
            g = panel.xs(group, axis=1, level="group")
            rest = total - g
            if metric.kind == "count":
                gv, rv = g["total"].to_numpy(float), rest["total"].to_numpy(float)
                z = np.log(gv + COUNT_OFFSET) - np.log(rv + COUNT_OFFSET)
                w = np.ones(len(z))
                level = gv
            else:
                gn, rn = g["n"].to_numpy(float), rest["n"].to_numpy(float)
                with np.errstate(invalid="ignore", divide="ignore"):
                    gm, rm = g["total"].to_numpy(float) / gn, rest["total"].to_numpy(float) / rn
                    w = np.where((gn > 0) & (rn > 0), 1 / (1 / gn + 1 / rn), 0.0)
                z = gm - rm
                level = gm
            _, rho = noise_scale(z, w)
            c = compare_windows(z, w, before, after, rho=rho, alpha=alpha)
            lv_b, lv_a = np.nanmean(level[before]) if before.any() else np.nan, \
                np.nanmean(level[after]) if after.any() else np.nan
            if metric.log and metric.kind == "count":
                ex = (np.expm1(c["diff"]), np.expm1(c["ci_low"]), np.expm1(c["ci_high"]))
            else:
                ex = (c["diff"], c["ci_low"], c["ci_high"])
            rows.append({"segmentation": seg, "group": str(group), "customers": int(sizes[group]),
                         "before": lv_b, "after": lv_a, "excess_change": ex[0], "ci_low": ex[1], "ci_high": ex[2],
                         "p": c["p"]})
    table = pd.DataFrame(rows, columns=["segmentation", "group", "customers", "before", "after", "excess_change",
                                        "ci_low", "ci_high", "p"])
    table["p_adj"] = benjamini_hochberg(table["p"].to_numpy())
    table["significant"] = table["p_adj"] < alpha
    table["practical"] = table["excess_change"].abs() >= metric.min_effect
    table["flagged"] = table["significant"] & table["practical"]
    return table.sort_values("excess_change", key=np.abs, ascending=False).reset_index(drop=True)


def driver_group(table: pd.DataFrame, direction: str | None = None) -> dict | None:
    """The group that drives a shift: the flagged row of :func:`who_changed` with the largest excess change,
    among rows moving in ``direction`` ("up" / "down") when given. ``None`` when no group stands out (the
    change is then shared by all customers)."""
    flagged = table[table["flagged"]]
    if direction is not None:
        flagged = flagged[(flagged["excess_change"] > 0) == (direction == "up")]
    if flagged.empty:
        return None
    row = flagged.iloc[0]
    return {"segmentation": row["segmentation"], "group": row["group"],
            "label": f"{SEGMENTATION_LABELS.get(row['segmentation'], row['segmentation'])}: {row['group']}",
            "excess_change": float(row["excess_change"]), "ci_low": float(row["ci_low"]),
            "ci_high": float(row["ci_high"]), "customers": int(row["customers"])}


# --------------------------------------------------------------------------- channels


def channel_weekly(orders: pd.DataFrame, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """Weekly orders by sales channel (rows: weeks, columns: channels), from the orders of
    :func:`customer_workbook.base.order_table` (they need a ``channel`` column)."""
    counts = (orders.assign(week=week_start(orders["date"])).groupby(["week", "channel"], observed=True).size()
              .unstack(fill_value=0))
    counts.columns = counts.columns.astype("str")
    return counts.reindex(weeks, fill_value=0)


def fit_ramp(share: np.ndarray, start: int, max_ramp: int = 52, horizon: int = 26) -> dict:
    """Fit a linear ramp-up ``share_t = plateau * min(1, (t - start + 1) / ramp)`` (0 before ``start``).

    The ramp length (weeks) is chosen on a grid 1..``max_ramp`` by least squares over the weeks from
    ``start`` to ``start + ramp + horizon``, with the plateau in closed form for each length.

    Returns
    -------
    dict
        ``ramp_weeks``, ``plateau`` (share, 0-1), ``plateau_se`` (standard error), ``rmse``.
    """
    share = np.asarray(share, dtype=float)
    best = None
    for ramp in range(1, max_ramp + 1):
        end = min(len(share), start + ramp + horizon)
        t = np.arange(start, end)
        x = np.minimum(1.0, (t - start + 1) / ramp)
        y = share[start:end]
        ok = np.isfinite(y)
        if ok.sum() < 4:
            continue
        x, y = x[ok], y[ok]
        plateau = float((x * y).sum() / (x * x).sum())
        resid = y - plateau * x
        sse = float((resid ** 2).sum())
        mse = sse / len(y)
        if best is None or mse < best["mse"]:
            se = float(np.sqrt(sse / max(len(y) - 1, 1) / (x * x).sum()))
            best = {"ramp_weeks": ramp, "plateau": plateau, "plateau_se": se, "mse": mse}
    if best is None:
        return {"ramp_weeks": np.nan, "plateau": np.nan, "plateau_se": np.nan, "rmse": np.nan}
    return {"ramp_weeks": best["ramp_weeks"], "plateau": best["plateau"], "plateau_se": best["plateau_se"],
            "rmse": float(np.sqrt(best["mse"]))}


def channel_ramps(counts: pd.DataFrame | None, min_quiet_weeks: int = 8, min_share: float = 0.01) -> pd.DataFrame:
    """New sales channels: channels with no orders in at least the first ``min_quiet_weeks`` weeks that later
    reach ``min_share`` of orders. Each is sized with :func:`fit_ramp`.

    Returns
    -------
    DataFrame
        One row per new channel (none when ``counts`` is None or empty): channel, launch (first week with orders), ramp_weeks, plateau (share of
        orders), ci_low, ci_high, and ``took_from`` ({other channel: change of its share in percentage points
        between the 26 weeks before launch and the 26 weeks after the ramp}).
    """
    rows = []
    if counts is None or counts.empty:
        counts = pd.DataFrame()
    shares = counts.div(counts.sum(axis=1).where(lambda s: s > 0), axis=0)
    for ch in counts.columns:
        nz = np.flatnonzero(counts[ch].to_numpy() > 0)
        if not len(nz) or nz[0] < min_quiet_weeks or shares[ch].max() < min_share:
            continue
        start = int(nz[0])
        fit = fit_ramp(shares[ch].to_numpy(), start)
        end_ramp = start + int(fit["ramp_weeks"])
        took = {}
        for other in counts.columns:
            if other == ch:
                continue
            s = shares[other].to_numpy()
            took[str(other)] = round(float(np.nanmean(s[end_ramp:end_ramp + WINDOW_WEEKS])
                                           - np.nanmean(s[max(0, start - WINDOW_WEEKS):start])), 4)
        rows.append({"channel": str(ch), "launch": counts.index[start], "ramp_weeks": fit["ramp_weeks"],
                     "plateau": fit["plateau"], "ci_low": fit["plateau"] - 1.96 * fit["plateau_se"],
                     "ci_high": fit["plateau"] + 1.96 * fit["plateau_se"], "took_from": took})
    return pd.DataFrame(rows, columns=["channel", "launch", "ramp_weeks", "plateau", "ci_low", "ci_high",
                                       "took_from"])


# --------------------------------------------------------------------------- market events and register


def market_events(ds: Dataset) -> pd.DataFrame:
    """Dated market events from the ``market`` table: week, kind (competitor / channel), text."""
    if not ds.has("market"):
        return pd.DataFrame(columns=["week", "kind", "event"])
    mk = ds.market
    parts = []
    for col, kind in (("competitor_event", "competitor"), ("channel_launch", "channel")):
        if col in mk:
            has = mk[col].notna() & (mk[col].astype("str").str.strip() != "")
            parts.append(pd.DataFrame({"week": week_start(mk.loc[has, "week"]), "kind": kind,
                                       "event": mk.loc[has, col].astype("str")}))
    if not parts:
        return pd.DataFrame(columns=["week", "kind", "event"])
    return pd.concat(parts, ignore_index=True).sort_values("week").reset_index(drop=True)


def link_events(dates: pd.Series, events: pd.DataFrame, tolerance_weeks: int = 3) -> pd.DataFrame:
    """The nearest market event within ``tolerance_weeks`` of each date: columns event, event_week (or NA)."""
    out = pd.DataFrame({"event": pd.Series(pd.NA, index=dates.index, dtype="str"),
                        "event_week": pd.Series(pd.NaT, index=dates.index, dtype="datetime64[us]")})
    if events.empty:
        return out
    ev_weeks = events["week"].to_numpy(dtype="datetime64[us]")
    for i, d in dates.items():
        gap = np.abs((ev_weeks - np.datetime64(d, "us")) / np.timedelta64(7, "D"))
        j = int(np.argmin(gap))
        if gap[j] <= tolerance_weeks:
            out.loc[i, "event"] = events["event"].iloc[j]
            out.loc[i, "event_week"] = events["week"].iloc[j]
    return out


def change_register(flagged: pd.DataFrame, ramps: pd.DataFrame, drivers: dict, impacts: dict,
                    events: pd.DataFrame, tolerance_weeks: int = 3) -> pd.DataFrame:
    """One table of the changes that matter, sorted by business impact.

    Parameters
    ----------
    flagged
        Flagged rows of :func:`detect_all` (metric, label, date, before, after, change, ci_low, ci_high,
        change_unit, p_adj, direction).
    ramps
        :func:`channel_ramps` output (each new channel becomes a row, metric ``share_<channel>``).
    drivers
        ``{(metric, date): driver dict or None}`` from :func:`driver_group` ("all customers" when None).
    impacts
        ``{(metric, date): annual net revenue at stake}`` (currency units a year, signed; NaN when unknown).
    events
        :func:`market_events` output, linked within ``tolerance_weeks``.

    Returns
    -------
    DataFrame
        Columns: rank, what, metric, date, direction, before, after, change, ci_low, ci_high, change_unit,
        p_adj, affected_group, group_change, related_event, event_week, revenue_at_stake, severity.
        Sorted by ``|revenue_at_stake|`` (unknown counts as 0), then ``severity`` (|change| in multiples of
        the metric's practical threshold). ``change_id`` numbers distinct changes: rows dated within two
        weeks of each other are one change seen in several metrics (:func:`cluster_changes`).
    """
    rows = []
    for _, r in flagged.iterrows():
        key = (r["metric"], r["date"])
        drv = drivers.get(key)
        metric = metric_info(r["metric"])
        rows.append({"what": r["label"], "metric": r["metric"], "date": r["date"], "direction": r["direction"],
                     "before": r["before"], "after": r["after"], "change": r["change"], "ci_low": r["ci_low"],
                     "ci_high": r["ci_high"], "change_unit": r["change_unit"], "p_adj": r["p_adj"],
                     "affected_group": drv["label"] if drv else "all customers",
                     "group_change": drv["excess_change"] if drv else np.nan,
                     "revenue_at_stake": impacts.get(key, np.nan),
                     "severity": abs(r["change"]) / metric.min_effect})
    for _, r in ramps.iterrows():
        key = (f"share_{r['channel']}", r["launch"])
        drv = drivers.get(key)
        rows.append({"what": f"New sales channel '{r['channel']}': share of orders", "metric": key[0],
                     "date": r["launch"], "direction": "up", "before": 0.0, "after": r["plateau"],
                     "change": r["plateau"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "change_unit": "share of orders", "p_adj": np.nan,
                     "affected_group": drv["label"] if drv else "all customers",
                     "group_change": drv["excess_change"] if drv else np.nan,
                     "revenue_at_stake": impacts.get(key, np.nan), "severity": r["plateau"] / 0.03})
    cols = ["rank", "what", "metric", "date", "direction", "before", "after", "change", "ci_low", "ci_high",
            "change_unit", "p_adj", "affected_group", "group_change", "related_event", "event_week",
            "revenue_at_stake", "severity"]
    if not rows:
        return pd.DataFrame(columns=["change_id", *cols])
    reg = pd.DataFrame(rows)
    reg = pd.concat([reg, link_events(reg["date"], events, tolerance_weeks)
                     .rename(columns={"event": "related_event"})], axis=1)
    reg["_impact"] = reg["revenue_at_stake"].abs().fillna(0.0)
    reg = reg.sort_values(["_impact", "severity"], ascending=False).drop(columns="_impact").reset_index(drop=True)
    reg["rank"] = np.arange(1, len(reg) + 1)
    reg["change_id"] = cluster_changes(reg)
    return reg[["change_id", *cols]]


# --------------------------------------------------------------------------- putting it together


def watch_list(records: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What the notebook watches: one row per metric the data supports (theme, label, unit, source table,
    practical threshold as text, records)."""
    rows = []
    for key, rec in records.items():
        m = metric_info(key)
        threshold = f"{m.min_effect:.0%} relative" if m.log else f"{m.min_effect:g} {m.unit}"
        rows.append({"theme": m.theme, "metric": m.label, "unit": m.unit, "source": m.table,
                     "practical threshold": threshold, "records": len(rec)})
    order = {"behaviour": 0, "channels": 1, "satisfaction": 2, "competition": 3}
    return pd.DataFrame(rows).sort_values("theme", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def series_view(cp: ChangePoints) -> pd.DataFrame:
    """A change-point result in the metric's own units, for charts (index: week).

    Columns: ``value`` (as observed), ``adjusted`` (seasonality and trend removed, on the overall level) and
    ``level`` (the fitted segment level).
    """
    back = np.exp if cp.log else (lambda x: x)
    return pd.DataFrame({"value": cp.raw, "adjusted": back(cp.adjusted), "level": back(cp.fitted)},
                        index=cp.weeks)


def share_records(orders: pd.DataFrame, channel: str) -> pd.DataFrame:
    """Unit records of the share of orders placed in ``channel`` (value 1 in that channel, else 0), from the
    orders of :func:`customer_workbook.base.order_table`."""
    return pd.DataFrame({"week": week_start(orders["date"]), "customer_id": orders["customer_id"],
                         "value": (orders["channel"] == channel).to_numpy(dtype=float)})


def _orders_response(records: dict, weeks: pd.DatetimeIndex, date: pd.Timestamp, window: int = WINDOW_WEEKS):
    """Seasonally adjusted relative change of all orders across ``date`` (dict from compare_windows, log scale)."""
    value, _ = metric_series(weekly_panel(records["orders"], weeks), METRICS["orders"])
    cp = detect_change_points(value, log=True, seasonal=True)
    idx = np.arange(len(weeks))
    b = int(np.searchsorted(weeks, date))
    return compare_windows(cp.adjusted, cp.weight, (idx >= b - window) & (idx < b),
                           (idx >= b) & (idx < b + window), rho=cp.rho)


def attribute_changes(flagged: pd.DataFrame, ramps: pd.DataFrame, records: dict, segments: pd.DataFrame,
                      weeks: pd.DatetimeIndex, orders: pd.DataFrame,
                      alpha: float = 0.05) -> tuple[dict, dict, dict]:
    """Who drives each flagged change and how much net revenue a year is at stake.

    The comparison by group uses the changed metric itself, except for market metrics (competitor prices),
    where it uses orders: how our customers responded. The driver is the flagged group with the largest
    excess change in the direction of the change (for market metrics, the direction of all orders across
    the date, or when that did not measurably move, the direction of the competitor's prices); without one,
    the change is shared by all customers.

    Revenue at stake (currency units a year, signed): for an order-linked response, the weekly orders of
    the affected group (or all customers) before the change x the relative change x the average order value
    x 52. It is NaN when orders did not measurably move. ``orders`` are those of
    :func:`customer_workbook.base.order_table`.

    Returns
    -------
    (drivers, impacts, tables)
        Dicts keyed by ``(metric, date)``: driver dict or None; revenue at stake; :func:`who_changed` table.
    """
    drivers, impacts, tables, cache, responses = {}, {}, {}, {}, {}
    aov = float(orders["amount"].mean())

    def orders_response(date):
        if date not in responses:
            responses[date] = _orders_response(records, weeks, date)
        return responses[date]

    has_orders = "orders" in records
    jobs = [(r["metric"], r["date"], r["direction"], 0) for _, r in flagged.iterrows()]
    jobs += [(f"share_{r['channel']}", r["launch"], "up", int(r["ramp_weeks"])) for _, r in ramps.iterrows()]
    for key, date, direction, gap in jobs:
        if key.startswith("share_"):
            rec, metric = share_records(orders, key.removeprefix("share_")), Metric(
                key, "share of orders", "share", "transactions", "mean", min_effect=0.03)
            exclude = ("main_channel",)
        elif metric_info(key).table == "market":
            rec, metric, exclude = records["orders"], METRICS["orders"], ()
            resp = orders_response(date)
            if resp["p"] < alpha:  # how all our orders moved across the date
                direction = "up" if resp["diff"] > 0 else "down"
            # otherwise the market metric's own direction: a rival's price cut takes orders from us, a rise
            # sends them to us; never the group that merely mirrors the losers (the rest of the base)
        else:
            rec, metric, exclude = records[key], metric_info(key), ()
        table = who_changed(rec, metric, segments, weeks, date, gap=gap, exclude=exclude, alpha=alpha,
                            cache=cache) \
            if not segments.empty else pd.DataFrame()
        drv = driver_group(table, direction) if not table.empty else None
        tables[(key, date)], drivers[(key, date)] = table, drv
        impact = np.nan
        if has_orders and (metric.revenue_link or metric.table == "market"):
            if drv is not None and metric.kind == "count":
                row = table[(table["segmentation"] == drv["segmentation"]) & (table["group"] == drv["group"])].iloc[0]
                impact = row["before"] * drv["excess_change"] * aov * 52
            elif drv is None:
                resp = orders_response(date)
                if resp["p"] < alpha:
                    impact = np.exp(resp["before"]) * np.expm1(resp["diff"]) * aov * 52
        impacts[(key, date)] = float(impact)
    return drivers, impacts, tables


def cluster_changes(register: pd.DataFrame, tolerance_weeks: int = 2) -> pd.Series:
    """Number the distinct changes of a register: rows dated within ``tolerance_weeks`` of each other are one
    change seen in several metrics (e.g. slower delivery and lower speed satisfaction). Returns change ids
    (1, 2, ... by first appearance in the register's order)."""
    if register.empty:
        return pd.Series(dtype=int)
    dates = register["date"]
    ids = pd.Series(0, index=register.index)
    next_id = 0
    for i in register.index:
        near = ids[(ids > 0) & ((dates - dates[i]).abs() <= pd.Timedelta(weeks=tolerance_weeks))]
        if len(near):
            ids[i] = near.iloc[0]
        else:
            next_id += 1
            ids[i] = next_id
    return ids


def events_without_effect(events: pd.DataFrame, register: pd.DataFrame, tolerance_weeks: int = 3) -> pd.DataFrame:
    """Market events with no change in the register within ``tolerance_weeks``: news that moved nothing."""
    if events.empty:
        return events
    if register.empty:
        return events.reset_index(drop=True)
    gaps = np.abs((events["week"].to_numpy()[:, None] - register["date"].to_numpy()[None, :])
                  / np.timedelta64(7, "D"))
    return events[(gaps > tolerance_weeks).all(axis=1)].reset_index(drop=True)


def segment_view(records: pd.DataFrame, metric: Metric, weeks: pd.DatetimeIndex, segments: pd.DataFrame,
                 segmentation: str | None = None, group: str | None = None) -> tuple[ChangePoints, pd.DataFrame]:
    """Change points of ``metric`` for one group of customers (or everyone when ``group`` is None), with the
    before/after comparison at each break. Used by the explorer widget.

    Returns ``(ChangePoints, comparison table)``; the table has one row per break (date, before, after,
    change, ci_low, ci_high, p).
    """
    rec = records
    if group is not None and segmentation is not None and metric.table != "market":
        members = segments.index[segments[segmentation] == group]
        rec = records[records["customer_id"].isin(members)]
    value, weight = metric_series(weekly_panel(rec, weeks), metric)
    cp = detect_change_points(value, None if metric.kind == "count" else weight, log=metric.log,
                              seasonal=metric.seasonal)
    edges = [0, *cp.breaks, len(weeks)]
    idx = np.arange(len(weeks))
    rows = []
    for j, b in enumerate(cp.breaks):
        lo, hi = max(edges[j], b - WINDOW_WEEKS), min(edges[j + 2], b + WINDOW_WEEKS)
        c = compare_windows(cp.adjusted, cp.weight, (idx >= lo) & (idx < b), (idx >= b) & (idx < hi), rho=cp.rho)
        rows.append({"date": weeks[b], **_relative(metric, c), "p": c["p"]})
    return cp, pd.DataFrame(rows, columns=["date", "before", "after", "change", "ci_low", "ci_high",
                                           "change_unit", "p"])


def sensitivity_table(records: dict[str, pd.DataFrame], weeks: pd.DatetimeIndex,
                      scales=(0.5, 1.0, 2.0, 4.0), min_size: int = 4) -> pd.DataFrame:
    """Number of breaks per metric at several multiples of the penalty (rows: metric labels, columns:
    penalty multipliers). Robust breaks survive a doubled penalty; fragile ones appear only at half."""
    rows = {}
    for key, rec in records.items():
        metric = metric_info(key)
        value, weight = metric_series(weekly_panel(rec, weeks), metric)
        table = penalty_sensitivity(value, None if metric.kind == "count" else weight, scales=scales,
                                    log=metric.log, seasonal=metric.seasonal, min_size=min_size)
        rows[metric.label] = dict(zip([f"x{s:g}" for s in scales], table["n_breaks"]))
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("metric").reset_index()


def panels_for(results: dict[str, ChangePoints], table: pd.DataFrame, keys: list[str]) -> list[tuple]:
    """``(title, unit, view, flagged dates)`` for :func:`customer_workbook.plots.plot_change_panels`, for the
    ``keys`` present in ``results``."""
    out = []
    for key in keys:
        if key not in results:
            continue
        metric = metric_info(key)
        flagged = table.loc[(table["metric"] == key) & table["flagged"], "date"].tolist()
        out.append((metric.label, metric.unit, series_view(results[key]), flagged))
    return out


def group_options(segments: pd.DataFrame, min_customers: int = MIN_GROUP_CUSTOMERS) -> dict[str, str]:
    """``{"all": "all customers", "<segmentation>|<group>": "<label>: <group>"}`` for the explorer."""
    out = {"all": "all customers"}
    for seg in segments.columns:
        sizes = segments[seg].value_counts()
        for group in sorted(sizes.index[sizes >= min_customers]):
            out[f"{seg}|{group}"] = f"{SEGMENTATION_LABELS.get(seg, seg)}: {group}"
    return out


def change_label(key: str) -> str:
    """Readable name of a register metric key (``share_<channel>`` included)."""
    if key.startswith("share_"):
        return f"Share of orders in {key.removeprefix('share_')}"
    return metric_info(key).label


def driver_sentence(key: str, date: pd.Timestamp, driver: dict | None) -> str:
    """One Markdown bullet saying which group drives the change of ``key`` at ``date`` (names escaped)."""
    head = f"- **{md(change_label(key))}** ({date:%d %b %Y}): "
    if driver is None:
        return head + "shared by all customers: no group moved significantly more than the rest"
    relative = key.startswith("share_") is False and (metric_info(key).kind == "count" or metric_info(key).table == "market")
    if key.startswith("share_"):
        size = f"{driver['excess_change']:+.1%} points of share"
    elif relative:
        size = f"{driver['excess_change']:+.1%}"
    else:
        size = f"{driver['excess_change']:+.3g} {metric_info(key).unit}"
    return head + f"driven by **{md(driver['label'])}** ({size} against the rest of the customers)"


def lead_change(impacts: dict) -> tuple | None:
    """Key of the change with the largest absolute revenue at stake (unknown counts as 0); None if empty."""
    if not impacts:
        return None
    return max(impacts, key=lambda k: abs(impacts[k]) if np.isfinite(impacts[k]) else 0.0)


def acquisition_shares(ds: Dataset, freq: str = "MS") -> pd.DataFrame:
    """Share of new customers by acquisition channel per period (rows: period start, columns: channels).

    Uses ``customers.signup_date`` and ``acquisition_channel``; empty when they are missing.
    """
    if not ds.has("customers") or not {"signup_date", "acquisition_channel"} <= set(ds.customers.columns):
        return pd.DataFrame()
    cust = ds.customers.dropna(subset=["signup_date", "acquisition_channel"])
    first = ds.transactions["date"].min()
    cust = cust[cust["signup_date"] >= first]
    counts = (cust.groupby([pd.Grouper(key="signup_date", freq=freq), "acquisition_channel"], observed=True).size()
              .unstack(fill_value=0))
    return counts.div(counts.sum(axis=1).where(lambda s: s > 0), axis=0)
