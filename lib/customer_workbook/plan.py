"""Step 4 of the method: plan the phases — anticipate, start small with the most valuable, go to market.

Notebook ``04_plan_phases`` is built on these functions, in three blocks:

1. **Anticipation / prediction.**
   :func:`build_features` turns the contract tables into dozens of per-customer behaviour indicators
   computed strictly *before* an observation date (each feature carries the date of the latest data it
   used); :func:`make_labels` labels what happened in a window that starts after a gap;
   :func:`design_dates` places a training and a later test observation date so the split is by time.
   :func:`prune_features` removes leaking and useless features and says why; :func:`fit_models` fits a
   logistic-regression baseline and a gradient-boosted model (class weights inside each training fold,
   probabilities calibrated on held-out folds) and *refuses* a feature dated on or after its observation
   date (:class:`LeakageError`). Quality is reported in the methodology's terms by
   :func:`threshold_table` (error rate = 1 - precision, missing ratio = share of real cases found) next
   to PR-AUC (:func:`model_quality`) and calibration (:func:`calibration_table`); :func:`choose_threshold`
   applies a stated business rule; :func:`prediction_drivers` ranks feature families by grouped
   permutation importance. :func:`weekly_demand`, :func:`backtest_forecast` and
   :func:`forecast_next_quarter` give an honest next-quarter demand forecast with backtested intervals.
2. **Soft implementation (MVP, MVS, MVA).** :func:`product_value_table`, :func:`service_value_table`,
   and :func:`audience_table` rank products, services/channels and segment x persona audiences (personas
   from :func:`customer_workbook.segments.find_personas`); :func:`pilot_plan` sizes the pilot test (with
   :func:`customer_workbook.stats.sample_size_two_proportions`).
3. **Go to market.** :func:`go_to_market_plan` derives, per target audience, the goal, offer, channel,
   timing, expected value and metric to watch from the tables above.

Only observable data is used: the sample's hidden labels (persona, tiers, uplift groups) never enter here.
All time quantities are in days unless a name says otherwise; money is in the data's currency units.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .arrays import first_occurrences, group_argmin, group_max, group_min
from .base import full_weeks, order_table, week_start
from .data import Dataset
from .threads import one_thread
from .stats import minimum_detectable_effect, sample_size_two_proportions, two_proportion_uplift

__all__ = [
    "LeakageError", "FeatureSet", "FAMILIES", "build_features", "make_labels", "design_dates",
    "prune_features", "check_no_leakage", "fit_models", "predict_proba", "confusion_counts", "error_rate",
    "missing_ratio", "threshold_table", "choose_threshold", "model_quality", "calibration_table",
    "prediction_drivers", "feature_shift", "weekly_demand", "forecast_quarter_total", "backtest_forecast",
    "forecast_next_quarter", "product_value_table", "service_value_table",
    "audience_table", "pick_pilot", "pilot_plan", "go_to_market_plan", "KEY_FEATURES", "CalibratedModel",
    "targeting_at", "customer_profile",
]

DAY = pd.Timedelta(days=1)
SLOW_DELIVERY_DAYS = 6.0  # deliveries slower than this count as "slow" (fast-brand promise broken)


class LeakageError(ValueError):
    """A feature uses data dated on or after the observation date: the model would see the answer."""


# =========================================================================== 1. features and labels

#: Feature families: ``{family: plain-words description}``. Drivers are reported per family.
FAMILIES: dict[str, str] = {
    "recency": "how long since the last order (and whether that is overdue for this customer)",
    "frequency": "how many orders, recently and overall",
    "monetary": "how much the customer spends",
    "tenure": "how long the customer has been buying",
    "trend": "whether buying speeds up or slows down",
    "categories": "how many product categories the customer buys (cross-sell breadth)",
    "category mix": "which product categories the customer buys",
    "returns": "returned items",
    "delivery": "slow deliveries (broken fast-brand promise)",
    "express": "choosing express delivery (convenience)",
    "discounts": "buying on discount (price sensitivity)",
    "channel mix": "which sales channels the customer uses",
    "product tier": "entry / premium / special-service products",
    "innovation": "buying newly launched products",
    "exclusives": "buying exclusive products (unique features)",
    "nps & reasons": "survey answers: likelihood to recommend and reasons to choose us",
    "satisfaction": "survey satisfaction scores",
    "engagement": "reviews, referrals, community posts and app sessions",
    "demographics": "age and income",
    "acquisition channel": "the marketing channel that brought the customer",
    "region": "where the customer lives",
    "whole history (naive)": "totals over the whole data set, including the future",
}


#: The feature that stands for each family in the what-if effect of :func:`prediction_drivers`.
KEY_FEATURES: dict[str, str] = {
    "recency": "recency_days", "frequency": "orders_365d", "monetary": "revenue_365d", "tenure": "tenure_days",
    "trend": "orders_trend_90d", "categories": "multi_category", "returns": "last_order_returned",
    "delivery": "last_order_slow", "discounts": "discount_line_share", "innovation": "new_product_share",
    "exclusives": "exclusive_share", "nps & reasons": "survey_nps", "satisfaction": "survey_sat_speed",
    "engagement": "days_since_engagement", "demographics": "age", "product tier": "tier_share_premium",
}


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.2f}"


@dataclass
class FeatureSet:
    """Per-customer features as of an observation date, with the provenance of every column.

    Attributes
    ----------
    frame : DataFrame, shape (n_customers, n_features)
        Index ``customer_id``; float32 columns (missing = not observed, e.g. no survey answer). Single
        precision halves the memory of a million-customer feature set; models compute in float64.
    observation_date : Timestamp
        Features may only use data dated strictly before this moment.
    source_end : Series, shape (n_features,)
        Per feature, the timestamp of the latest record it used. A value on or after
        ``observation_date`` marks a leak.
    family : Series, shape (n_features,)
        Per feature, its family (a key of :data:`FAMILIES`).
    description : Series, shape (n_features,)
        Per feature, what it measures in plain words.
    """

    frame: pd.DataFrame
    observation_date: pd.Timestamp
    source_end: pd.Series
    family: pd.Series
    description: pd.Series = field(default_factory=lambda: pd.Series(dtype=str))

    def subset(self, columns) -> "FeatureSet":
        """The same features restricted to ``columns`` (in that order); absent columns become missing."""
        columns = list(columns)
        # a column this period lacks (e.g. a channel not yet launched) is all-missing, dated before the
        # observation date
        end = self.source_end.reindex(columns).fillna(self.observation_date - DAY)
        return FeatureSet(self.frame.reindex(columns=columns), self.observation_date, end,
                          self.family.reindex(columns).fillna("other"), self.description.reindex(columns))

    def align(self, index) -> "FeatureSet":
        """Rows reindexed to ``index`` (customers absent from the frame get missing values)."""
        return FeatureSet(self.frame.reindex(index), self.observation_date, self.source_end,
                          self.family, self.description)


class _Builder:
    """Collects feature columns with their family, description and data end date."""

    def __init__(self, index: pd.Index):
        self.index = index
        self.columns: dict[str, np.ndarray] = {}
        self.meta: dict[str, tuple[str, str, pd.Timestamp]] = {}

    def add(self, name: str, values, family: str, description: str, source_end) -> None:
        self.columns[name] = np.asarray(values, dtype="float32")  # 7 significant digits: half the memory
        self.meta[name] = (family, description, pd.Timestamp(source_end) if source_end is not None else pd.NaT)

    def build(self, observation_date: pd.Timestamp) -> FeatureSet:
        frame = pd.DataFrame(self.columns, index=self.index)
        meta = pd.DataFrame(self.meta, index=["family", "description", "source_end"]).T
        return FeatureSet(frame, observation_date, pd.to_datetime(meta["source_end"]), meta["family"].astype(str),
                          meta["description"].astype(str))


def _bincount(codes: np.ndarray, n: int, weights=None) -> np.ndarray:
    """Sum of ``weights`` (or counts) per code 0..n-1, shape (n,)."""
    out = np.bincount(codes, weights=weights, minlength=n)
    return out.astype("float64")


def _ratio(num, den) -> np.ndarray:
    """num / den with NaN where den is 0."""
    num, den = np.asarray(num, dtype="float64"), np.asarray(den, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _last_by_customer(frame: pd.DataFrame, index: pd.Index, date_col: str = "date") -> pd.DataFrame:
    """The latest row per customer of ``frame`` (which has ``customer_id``), reindexed to ``index``."""
    last = frame.sort_values(date_col, kind="stable").drop_duplicates("customer_id", keep="last")
    return last.set_index("customer_id").reindex(index)


class _Lines:
    """Column access to selected transaction lines (numeric columns only, as numpy arrays)."""

    def __init__(self, tx: pd.DataFrame, sel: np.ndarray):
        self.tx, self.sel = tx, sel

    def __contains__(self, name: str) -> bool:
        return name in self.tx

    def __getitem__(self, name: str) -> pd.Series:
        return pd.Series(self.tx[name].to_numpy()[self.sel])


_CODED: dict = {}


def _coded(tx: pd.DataFrame) -> dict:
    """Integer codes of the transactions' id and channel columns, computed once per transactions frame.

    Cheap for the loader's categorical ids; for plain text each column costs about 1 s per million lines,
    so building features for several dates reuses these codes.
    """
    hit = _CODED.get("entry")
    if hit is not None and hit["tx"] is tx:
        return hit
    cust, ids = pd.factorize(tx["customer_id"])
    out = {"tx": tx, "cust": cust.astype(np.int32), "ids": pd.Index(ids),  # int32 codes: half the memory
           "order": pd.factorize(tx["order_id"])[0].astype(np.int32),
           "date": tx["date"].to_numpy(), "amount": tx["amount"].to_numpy(dtype="float64")}
    if "channel" in tx:
        codes, names = pd.factorize(tx["channel"])
        out["channel"] = (codes.astype(np.int32), np.asarray([str(name) for name in names], dtype=object))
    if "product_id" in tx:
        codes, names = pd.factorize(tx["product_id"])
        out["product"] = (codes.astype(np.int32), pd.Index(names))
    _CODED["entry"] = out  # one data set at a time
    return out


def build_features(ds: Dataset, observation_date, customers=None, include_whole_history: bool = False,
                   windows: tuple[int, ...] = (30, 90, 180, 365)) -> FeatureSet:
    """Wide per-customer feature set from everything known strictly before ``observation_date``.

    Transactions give recency, frequency and spend over several windows, tenure, trend, category
    breadth, returns, delivery speed, discounts, channel mix; products (when supplied) add tiers,
    exclusives and new-product uptake; surveys the latest NPS, satisfaction and reasons; engagement
    the counts of each event; customers the demographics, acquisition channel and region.

    Parameters
    ----------
    ds : Dataset
        Loaded contract tables (only ``transactions`` is required).
    observation_date : date-like
        Features use only records dated before this moment.
    customers : array-like of customer ids, optional
        Rows of the result; default every customer with an order before ``observation_date``.
    include_whole_history : bool
        Also add three *naive* totals computed over the whole data set (a classic leak), so that the
        pruning step can show how they are caught. Never use them for a model.
    windows : tuple of int
        Look-back windows in days for the windowed counts.

    Returns
    -------
    FeatureSet
        One row per customer, about 60-80 float columns depending on the tables supplied.
    """
    obs = pd.Timestamp(observation_date)
    tx_all = ds.transactions
    C = _coded(tx_all)
    before = C["date"] < obs.to_datetime64()
    if not before.any():
        raise ValueError(f"No transactions before the observation date {obs:%Y-%m-%d}.")
    if customers is None:
        rows = np.flatnonzero(np.bincount(C["cust"][before], minlength=len(C["ids"])))
        index = pd.Index(C["ids"][rows], name="customer_id")
    else:
        index = pd.Index(customers, name="customer_id")
        rows = C["ids"].get_indexer(index)
    n = len(index)
    pos = np.full(len(C["ids"]), -1, dtype=np.int32)
    pos[rows[rows >= 0]] = np.flatnonzero(rows >= 0)
    all_pos = pos[C["cust"]]  # row of every transaction line's customer (-1: not a row)
    sel = np.flatnonzero(before & (all_pos >= 0))  # the lines used: before obs, customers of the rows
    tx = _Lines(tx_all, sel)
    b = _Builder(index)
    codes = all_pos[sel]
    dates = C["date"][sel]
    data_end = pd.Timestamp(dates.max()) if len(sel) else obs - DAY
    amount = C["amount"][sel]
    days_before = ((obs.to_datetime64() - dates) / np.timedelta64(1, "D")).astype("float64")  # > 0
    sale = amount >= 0
    all_keys = C["order"][sel]
    o_code, o_days, o_value, first = _orders_of_lines(all_keys, sale, codes, days_before, amount)
    s = _Scope(n=n, end=data_end, windows=windows, tx=tx, C=C, sel=sel, codes=codes, dates=dates, amount=amount,
               days_before=days_before, sale=sale, all_keys=all_keys, first=first, o_code=o_code, o_days=o_days,
               o_value=o_value, n_orders=_bincount(o_code, n), lines=_bincount(codes[sale], n),
               last=group_argmin(o_code, o_days, n))
    # one function per family: each frees its temporary per-line arrays when it returns
    for add in (_rfm_features, _return_features, _delivery_features, _discount_features, _channel_features):
        add(b, s)
    if "product_id" in tx and ds.has("products"):
        _product_features(b, s, ds.products)
    if ds.has("surveys"):
        _survey_features(b, ds.surveys, obs, index)
    if ds.has("engagement"):
        _engagement_features(b, ds.engagement, obs, index)
    if ds.has("customers"):
        _customer_features(b, ds.customers, obs, index)
    if include_whole_history:
        _whole_history_features(b, tx_all, all_pos, obs)
    return b.build(obs)


@dataclass
class _Scope:
    """The selected lines and their orders, shared by the feature families.

    Line arrays (one value per selected line): ``codes`` (customer row), ``dates``, ``amount``,
    ``days_before`` (days before the observation date), ``sale`` (not a return), ``all_keys`` (order
    code). Order arrays (one value per order, from its non-return lines): ``o_code``, ``o_days``,
    ``o_value``; ``first`` is each order's first sale line. Per customer: ``n_orders``, ``lines`` (sale
    lines) and ``last`` (index of the last order, -1 if none).
    """

    n: int
    end: pd.Timestamp
    windows: tuple[int, ...]
    tx: _Lines
    C: dict
    sel: np.ndarray
    codes: np.ndarray
    dates: np.ndarray
    amount: np.ndarray
    days_before: np.ndarray
    sale: np.ndarray
    all_keys: np.ndarray
    first: np.ndarray
    o_code: np.ndarray
    o_days: np.ndarray
    o_value: np.ndarray
    n_orders: np.ndarray
    lines: np.ndarray
    last: np.ndarray

    def of_last_order(self, per_order: np.ndarray) -> np.ndarray:
        """A per-order value taken at each customer's last order (NaN without orders); shape (n,)."""
        out = np.full(self.n, np.nan)
        has = self.last >= 0
        out[has] = per_order[self.last[has]]
        return out


def _orders_of_lines(all_keys, sale, codes, days_before, amount):
    """Orders from the sale lines: customer row, days before the observation date, value, first line."""
    order_key = pd.factorize(all_keys[sale])[0]  # codes in order of first appearance
    first = first_occurrences(order_key)
    return codes[sale][first], days_before[sale][first], np.bincount(order_key, weights=amount[sale]), first


def _rfm_features(b: _Builder, s: _Scope) -> None:
    n, end, o_code, o_days = s.n, s.end, s.o_code, s.o_days
    recency, oldest = group_min(o_code, o_days, n), group_max(o_code, o_days, n)
    b.add("recency_days", recency, "recency", "days since the last order", end)
    mean_gap = _ratio(oldest - recency, s.n_orders - 1)
    b.add("mean_days_between_orders", mean_gap, "recency", "average days between orders", end)
    b.add("overdue_ratio", _ratio(recency, mean_gap), "recency",
          "days since the last order relative to the customer's usual gap", end)
    b.add("tenure_days", oldest, "tenure", "days since the first order in the data", end)
    b.add("orders_total", s.n_orders, "frequency", "orders placed in the data before the observation date", end)
    for w in s.windows:
        b.add(f"orders_{w}d", _bincount(o_code[o_days <= w], n), "frequency", f"orders in the last {w} days", end)
    b.add("revenue_total", _bincount(s.codes, n, s.amount), "monetary", "net revenue before the observation date", end)
    for w in (365, 90):
        recent = s.days_before <= w
        b.add(f"revenue_{w}d", _bincount(s.codes[recent], n, s.amount[recent]), "monetary",
              f"net revenue in the last {w} days", end)
    b.add("mean_order_value", _ratio(_bincount(o_code, n, s.o_value), s.n_orders), "monetary", "average order value",
          end)
    b.add("last_order_value", s.of_last_order(s.o_value), "monetary", "value of the last order", end)
    b.add("lines_per_order", _ratio(s.lines, s.n_orders), "monetary", "order lines per order", end)
    b.add("orders_trend_90d", _bincount(o_code[o_days <= 90], n) - _bincount(o_code[(o_days > 90) & (o_days <= 180)], n),
          "trend", "orders in the last 90 days minus the 90 days before", end)
    b.add("orders_last_vs_prior_year", _bincount(o_code[o_days <= 365], n)
          - _bincount(o_code[(o_days > 365) & (o_days <= 730)], n), "trend",
          "orders in the last 365 days minus the year before", end)


def _return_features(b: _Builder, s: _Scope) -> None:
    n, end, ret = s.n, s.end, ~s.sale
    returned = _bincount(s.codes[ret], n)
    b.add("return_lines", returned, "returns", "returned lines", end)
    b.add("return_line_share", _ratio(returned, s.lines), "returns", "share of lines returned", end)
    b.add("returns_365d", _bincount(s.codes[ret & (s.days_before <= 365)], n), "returns",
          "returned lines in the last 365 days", end)
    is_returned = np.zeros(int(s.all_keys.max()) + 1 if len(s.all_keys) else 1, dtype=bool)
    is_returned[s.all_keys[ret]] = True
    o_returned = is_returned[s.all_keys[s.sale][s.first]]
    b.add("orders_with_return_share", _ratio(_bincount(s.o_code[o_returned], n), s.n_orders), "returns",
          "share of orders with a returned line", end)
    b.add("last_order_returned", s.of_last_order(o_returned), "returns", "the last order had a returned line", end)


def _delivery_features(b: _Builder, s: _Scope) -> None:
    if "delivery_days" not in s.tx:
        return
    n, end, o_code = s.n, s.end, s.o_code
    dd = s.tx["delivery_days"].to_numpy(dtype="float64")[s.sale][s.first]
    shipped = ~np.isnan(dd) & (dd > 0)
    slow = shipped & (dd > SLOW_DELIVERY_DAYS)
    n_shipped = _bincount(o_code[shipped], n)
    b.add("slow_deliveries", _bincount(o_code[slow], n), "delivery",
          f"orders delivered in more than {SLOW_DELIVERY_DAYS:g} days", end)
    b.add("slow_delivery_share", _ratio(_bincount(o_code[slow], n), n_shipped), "delivery",
          "share of delivered orders that were slow", end)
    b.add("slow_deliveries_180d", _bincount(o_code[slow & (s.o_days <= 180)], n), "delivery",
          "slow deliveries in the last 180 days", end)
    b.add("fast_delivery_share", _ratio(_bincount(o_code[shipped & (dd <= 1)], n), n_shipped), "express",
          "share of delivered orders that arrived within a day (express)", end)
    b.add("mean_delivery_days", _ratio(_bincount(o_code[shipped], n, dd[shipped]), n_shipped),
          "delivery", "average delivery time of delivered orders (days)", end)
    b.add("last_order_slow", s.of_last_order(slow), "delivery", "the last order was delivered slowly", end)


def _discount_features(b: _Builder, s: _Scope) -> None:
    if "discount" not in s.tx:
        return
    disc = np.nan_to_num(s.tx["discount"].to_numpy(dtype="float64")[s.sale])
    sale_codes = s.codes[s.sale]
    b.add("discount_line_share", _ratio(_bincount(sale_codes[disc > 0], s.n), s.lines), "discounts",
          "share of lines bought on discount", s.end)
    b.add("mean_discount", _ratio(_bincount(sale_codes, s.n, disc), s.lines), "discounts",
          "average discount per line (fraction of list price)", s.end)


def _channel_features(b: _Builder, s: _Scope) -> None:
    if "channel" not in s.tx:
        return
    ch_codes, ch_names = s.C["channel"]
    ch = ch_codes[s.sel][s.sale][s.first]
    for j in np.argsort(ch_names):  # alphabetical, as the columns always were
        if (ch == j).any():
            b.add(f"channel_share_{ch_names[j]}", _ratio(_bincount(s.o_code[ch == j], s.n), s.n_orders),
                  "channel mix", f"share of orders placed via {ch_names[j]}", s.end)


def _product_features(b: _Builder, s: _Scope, products: pd.DataFrame) -> None:
    n, end, lines = s.n, s.end, s.lines
    prod = products.set_index("product_id")
    p_codes, p_ids = s.C["product"]
    pcode = prod.index.get_indexer(p_ids)[p_codes[s.sel][s.sale]]
    known = pcode >= 0
    sc = s.codes[s.sale][known]
    pcode = pcode[known]
    if "category" in prod:
        cat_codes, cat_names = pd.factorize(prod["category"].astype(str))
        k = len(cat_names)
        counts = np.bincount(sc.astype("int64") * k + cat_codes[pcode], minlength=n * k).reshape(n, k)
        ncat = (counts > 0).sum(axis=1).astype("float64")
        b.add("n_categories", ncat, "categories", "distinct product categories bought", end)
        b.add("multi_category", (ncat >= 2).astype(float), "categories", "bought in two or more categories", end)
        b.add("top_category_share", _ratio(counts.max(axis=1), counts.sum(axis=1)), "categories",
              "share of lines in the customer's main category", end)
        for j, name in enumerate(cat_names):
            b.add(f"category_share_{name}", _ratio(counts[:, j], lines), "category mix",
                  f"share of lines in {str(name).replace('_', ' ')}", end)
    if "tier" in prod:
        tier = prod["tier"].astype(str).to_numpy()
        for t, label in (("entry", "entry-tier"), ("premium", "premium-tier"), ("special_service", "special-service")):
            b.add(f"tier_share_{t}", _ratio(_bincount(sc[(tier == t)[pcode]], n), lines), "product tier",
                  f"share of lines that are {label} products", end)
    if "exclusive" in prod:
        exc = prod["exclusive"].fillna(False).astype(bool).to_numpy()[pcode]
        b.add("exclusive_share", _ratio(_bincount(sc[exc], n), lines), "exclusives",
              "share of lines that are exclusive products", end)
    if "launch_date" in prod:
        age = (s.dates[s.sale][known] - prod["launch_date"].to_numpy()[pcode]) / DAY
        new = (age >= 0) & (age <= 180)
        b.add("new_product_share", _ratio(_bincount(sc[new], n), lines), "innovation",
              "share of lines that were launched less than 180 days before", end)


def _survey_features(b: _Builder, surveys: pd.DataFrame, obs: pd.Timestamp, index: pd.Index) -> None:
    sv = surveys[surveys["date"] < obs]
    if not len(sv):
        return
    end = sv["date"].max()
    last = _last_by_customer(sv, index)
    b.add("answered_survey", last["date"].notna().to_numpy(), "nps & reasons", "answered a survey", end)
    b.add("days_since_survey", ((obs - last["date"]) / DAY).to_numpy(dtype="float64"), "nps & reasons",
          "days since the last survey answer", end)
    for col in sv.columns:
        if col == "nps" or col.startswith("why_"):
            label = ("likelihood to recommend (0-10)" if col == "nps"
                     else f"agrees that '{col[4:].replace('_', ' ')}' is why they buy (1-5)")
            b.add(f"survey_{col}", last[col].to_numpy(dtype="float64"), "nps & reasons", label, end)
        elif col.startswith("sat_"):
            b.add(f"survey_{col}", last[col].to_numpy(dtype="float64"), "satisfaction",
                  f"satisfaction with {col[4:]} (1-5)", end)


def _engagement_features(b: _Builder, engagement: pd.DataFrame, obs: pd.Timestamp, index: pd.Index) -> None:
    en = engagement[engagement["date"] < obs]
    if not len(en):
        return
    n, end = len(index), en["date"].max()
    ecode = index.get_indexer(en["customer_id"])
    ok = ecode >= 0
    ev_codes, ev_names = pd.factorize(en["event"])
    edays = ((obs - en["date"]).to_numpy() / DAY).astype("float64")
    for j in np.argsort([str(name) for name in ev_names]):
        name = str(ev_names[j])
        m = ok & (ev_codes == j) & (edays <= 365)
        b.add(f"engagement_{name}_365d", _bincount(ecode[m], n), "engagement",
              f"{name.replace('_', ' ')} events in the last 365 days", end)
    b.add("days_since_engagement", group_min(ecode[ok], edays[ok], n), "engagement",
          "days since the last engagement event", end)
    if "rating" in en:
        r = en["rating"].astype("float64").to_numpy()
        m = ok & ~np.isnan(r)
        b.add("mean_review_rating", _ratio(_bincount(ecode[m], n, r[m]), _bincount(ecode[m], n)),
              "engagement", "average star rating of reviews written", end)


def _customer_features(b: _Builder, customers: pd.DataFrame, obs: pd.Timestamp, index: pd.Index) -> None:
    cu = customers.set_index("customer_id").reindex(index)
    stamp = obs - DAY  # static attributes known at the observation date
    if "age" in cu:
        b.add("age", cu["age"].to_numpy(dtype="float64"), "demographics", "age in years", stamp)
    if "income_band" in cu:
        inc = cu["income_band"].astype(str).map({"low": 0.0, "middle": 1.0, "high": 2.0})
        b.add("income_level", inc.to_numpy(dtype="float64"), "demographics", "income band (0 low, 2 high)", stamp)
    if "signup_date" in cu:
        sd = cu["signup_date"]
        b.add("days_since_signup", np.where(sd < obs, (obs - sd) / DAY, np.nan), "tenure", "days since sign-up", stamp)
    for col, fam in (("acquisition_channel", "acquisition channel"), ("region", "region")):
        if col in cu:
            vals = cu[col].astype(str)
            for v in sorted(x for x in vals.unique() if x not in ("nan", "<NA>")):
                b.add(f"{col}_{v}", (vals == v).to_numpy(dtype="float64"), fam, f"{col.replace('_', ' ')} is {v}",
                      stamp)


def _whole_history_features(b: _Builder, tx_all: pd.DataFrame, all_pos: np.ndarray, obs: pd.Timestamp) -> None:
    """Deliberately naive totals over the whole data set, for the leakage demonstration only."""
    n = len(b.index)
    ok = all_pos >= 0
    codes = all_pos[ok]
    amount = tx_all["amount"].to_numpy(dtype="float64")[ok]
    full_end = tx_all["date"].max()
    b.add("orders_whole_history", _bincount(codes[amount >= 0], n),
          "whole history (naive)", "order lines over the whole data set (includes the future)", full_end)
    b.add("revenue_whole_history", _bincount(codes, n, amount),
          "whole history (naive)", "revenue over the whole data set (includes the future)", full_end)
    days_to_line = (obs.to_datetime64() - tx_all["date"].to_numpy()[ok]) / DAY  # negative after obs
    b.add("last_purchase_any_date_days", group_min(codes, days_to_line, n),
          "whole history (naive)", "days from the observation date to the last purchase ever", full_end)


def make_labels(transactions: pd.DataFrame, observation_date, gap_days: int = 14, window_days: int = 90,
                active_days: int | None = 365) -> pd.DataFrame:
    """Who bought again in the label window ``[obs + gap, obs + gap + window)``.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions.
    observation_date : date-like
        Features stop here; the gap starts here.
    gap_days, window_days : int
        Days between the observation date and the label window, and the window's length.
    active_days : int or None
        Population: customers whose last order is within this many days before the observation date
        (``None``: everyone who ever ordered before it).

    Returns
    -------
    DataFrame, shape (n_population, 2)
        Index ``customer_id``; ``bought`` (1 when a positive-value line falls in the window) and
        ``churned`` (1 - bought).

    Raises
    ------
    ValueError
        When the data end before the label window does.
    """
    obs = pd.Timestamp(observation_date)
    start, end = obs + gap_days * DAY, obs + (gap_days + window_days) * DAY
    if transactions["date"].max() < end - DAY:
        raise ValueError(f"The label window ends on {end - DAY:%Y-%m-%d}, after the last transaction "
                         f"({transactions['date'].max():%Y-%m-%d}); choose an earlier observation date.")
    C = _coded(transactions)
    d, amt, cust = C["date"], C["amount"], C["cust"]
    m = (d < obs.to_datetime64()) & (amt >= 0)
    never = np.iinfo(np.int64).min
    last_ns = np.full(len(C["ids"]), never, dtype=np.int64)
    np.maximum.at(last_ns, cust[m], d[m].astype("datetime64[ns]").view(np.int64))  # each customer's last purchase
    keep = last_ns > never
    last_date = last_ns.view("datetime64[ns]")
    if active_days is not None:
        keep &= last_date >= (obs - active_days * DAY).to_datetime64()
    inside = (d >= start.to_datetime64()) & (d < end.to_datetime64()) & (amt > 0)
    bought_any = np.zeros(len(C["ids"]), dtype=int)
    bought_any[cust[inside]] = 1
    rows = np.flatnonzero(keep)
    last = pd.Series(last_date[rows], index=C["ids"][rows])
    bought = bought_any[rows]
    return pd.DataFrame({"bought": bought, "churned": 1 - bought}, index=pd.Index(last.index, name="customer_id"))


def design_dates(transactions: pd.DataFrame, gap_days: int = 14, window_days: int = 90) -> dict:
    """Observation dates of a time-based split.

    The test observation date is the latest whose label window still fits in the data; the training
    observation date lies one gap plus window earlier, so the training labels end before the test
    features start. ``score`` is the day after the last transaction (for scoring today's customers).

    Returns
    -------
    dict
        ``train``, ``test``, ``score`` (Timestamps), ``gap_days``, ``window_days``.
    """
    last_day = transactions["date"].max().normalize()
    test = last_day + DAY - (gap_days + window_days) * DAY
    train = test - (gap_days + window_days) * DAY
    first = transactions["date"].min().normalize()
    if train - first < pd.Timedelta(days=180):
        raise ValueError("Not enough history for a time-based split: need about "
                         f"{2 * (gap_days + window_days) + 180} days of transactions.")
    return {"train": train, "test": test, "score": last_day + DAY, "gap_days": gap_days, "window_days": window_days}


# =========================================================================== 1b. pruning, models, metrics


def check_no_leakage(features: FeatureSet) -> None:
    """Raise :class:`LeakageError` when any feature used data on or after its observation date."""
    bad = features.source_end[features.source_end >= features.observation_date]
    if len(bad):
        raise LeakageError(f"{len(bad)} feature(s) use data dated on or after the observation date "
                           f"{features.observation_date:%Y-%m-%d}: {', '.join(bad.index[:8])}. Remove them "
                           "(see prune_features) before fitting.")


def _single_auc(x: np.ndarray, y: np.ndarray) -> float:
    """max(AUC, 1 - AUC) of one feature (missing values set to the median) against a 0/1 label."""
    x = np.where(np.isnan(x), np.nanmedian(x) if np.isfinite(x).any() else 0.0, x)
    ranks = stats.rankdata(x)
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    if n1 == 0 or n0 == 0:
        return 0.5
    auc = (ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    return float(max(auc, 1 - auc))


def prune_features(features: FeatureSet, y, max_missing: float = 0.98, max_mode_share: float = 0.995,
                   max_corr: float = 0.98, leak_auc: float = 0.97, max_rows: int = 50_000,
                   seed: int = 0) -> tuple[FeatureSet, pd.DataFrame]:
    """Remove leaking and useless features from a training feature set, with the reason for each.

    Rules, in order: (1) uses data on/after the observation date (a leak by construction);
    (2) a single feature predicts the label almost perfectly (AUC >= ``leak_auc``), which in churn data
    almost always means it leaks the answer; (3) missing for more than ``max_missing`` of customers;
    (4) one value in more than ``max_mode_share`` of customers (no information); (5) a near-copy
    (|Spearman r| >= ``max_corr``) of a feature already kept.

    Parameters
    ----------
    features : FeatureSet
        Training features.
    y : array-like, shape (n_customers,)
        0/1 training label aligned with ``features.frame``.
    max_rows, seed : int
        The checks run on a seeded random sample of at most ``max_rows`` customers.

    Returns
    -------
    kept : FeatureSet
    dropped : DataFrame
        ``feature``, ``family``, ``reason``, ``detail`` for each removed feature.
    """
    y = np.asarray(y).astype(int)
    X = features.frame
    if len(X) > max_rows:  # the statistics below are stable on a large random sample
        take = np.sort(np.random.default_rng(seed).choice(len(X), max_rows, replace=False))
        X, y = X.iloc[take], y[take]
    rows, kept = [], []
    for col in X.columns:
        x = X[col].to_numpy(dtype="float64")
        fam = features.family[col]
        if features.source_end[col] >= features.observation_date:
            rows.append((col, fam, "leak: uses data after the observation date",
                         f"latest record used {features.source_end[col]:%Y-%m-%d}"))
            continue
        miss = np.isnan(x).mean()
        if miss > max_missing:
            rows.append((col, fam, "useless: almost always missing", f"{miss:.1%} missing"))
            continue
        vals = x[~np.isnan(x)]
        mode_share = pd.Series(vals).value_counts(normalize=True).iloc[0] * (1 - miss) + 0 if len(vals) else 1.0
        if mode_share > max_mode_share:
            rows.append((col, fam, "useless: (almost) constant", f"one value in {mode_share:.1%} of customers"))
            continue
        auc = _single_auc(x, y)
        if auc >= leak_auc:
            rows.append((col, fam, "leak: predicts the label almost perfectly on its own", f"AUC {auc:.3f}"))
            continue
        kept.append(col)
    if len(kept) > 1:
        ranks = X[kept].rank().fillna(X[kept].rank().median())
        corr = np.abs(np.corrcoef(ranks.to_numpy().T))
        final = []
        for i, col in enumerate(kept):
            twins = [j for j in final if corr[i, kept.index(j)] >= max_corr]
            if twins:
                rows.append((col, features.family[col], "useless: duplicates another feature",
                             f"|r| {corr[i, kept.index(twins[0])]:.3f} with {twins[0]}"))
            else:
                final.append(col)
        kept = final
    dropped = pd.DataFrame(rows, columns=["feature", "family", "reason", "detail"])
    return features.subset(kept), dropped


def _pipelines(seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    logit = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(),
                          LogisticRegression(C=0.3, class_weight="balanced", max_iter=3000))
    boost = HistGradientBoostingClassifier(learning_rate=0.08, max_iter=150, max_leaf_nodes=15, min_samples_leaf=40,
                                           l2_regularization=1.0, class_weight="balanced", early_stopping=False,
                                           random_state=seed)
    return {"logistic regression": logit, "gradient boosting": boost}


class CalibratedModel:
    """A classifier fitted on one part of the training data and Platt-calibrated on the other.

    ``predict_proba(X)`` returns an array of shape (n, 2), like scikit-learn classifiers.
    """

    def __init__(self, base, calibrator):
        self.base = base
        self.calibrator = calibrator

    @staticmethod
    def _logit(p: np.ndarray) -> np.ndarray:
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))[:, None]

    def predict_proba(self, X) -> np.ndarray:
        return self.calibrator.predict_proba(self._logit(self.base.predict_proba(X)[:, 1]))


def fit_models(features: FeatureSet, y, seed: int = 0, max_rows: int | None = 60_000,
               calibration_share: float = 0.3) -> dict:
    """Fit the logistic-regression baseline and the gradient-boosted model, then calibrate them.

    The training customers are split (stratified, seeded) into a fitting part and a calibration part.
    On the fitting part each model is a scikit-learn estimator with balanced class weights, so the class
    imbalance is handled inside the training data only; on the calibration part a Platt (sigmoid)
    calibrator maps its scores back to honest probabilities. Test data are never touched.

    Parameters
    ----------
    features : FeatureSet
        Training features (checked with :func:`check_no_leakage`: a leaking feature raises).
    y : array-like, shape (n,)
        0/1 label.
    seed : int
        Seed of the split, the training sample and the boosted trees.
    max_rows : int or None
        Train on a random sample of at most this many customers (scoring still uses everyone).
    calibration_share : float
        Share of the training customers kept aside for calibration.

    Returns
    -------
    dict
        ``{model name: CalibratedModel}`` plus ``"_columns"`` (feature order) and ``"_n_train"``.

    Raises
    ------
    LeakageError
        When a feature is dated on or after the observation date.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    check_no_leakage(features)
    y = np.asarray(y).astype(int)
    if len(np.unique(y)) < 2:
        raise ValueError("The training label has a single class; widen the label window or the population.")
    rng = np.random.default_rng(seed)
    frame = features.frame
    if max_rows is not None and len(frame) > max_rows:  # sample rows before copying to an array
        take = np.sort(rng.choice(len(frame), max_rows, replace=False))
        frame, y = frame.iloc[take], y[take]
    X = frame.to_numpy(dtype="float64")
    X_fit, X_cal, y_fit, y_cal = train_test_split(X, y, test_size=calibration_share, stratify=y, random_state=seed)
    models = {}
    for name, estimator in _pipelines(seed).items():
        with warnings.catch_warnings(), one_thread():
            warnings.simplefilter("ignore", category=UserWarning)
            estimator.fit(X_fit, y_fit)
            raw = estimator.predict_proba(X_cal)[:, 1]
            calibrator = LogisticRegression(C=1e6, max_iter=1000).fit(CalibratedModel._logit(raw), y_cal)
        models[name] = CalibratedModel(estimator, calibrator)
    models["_columns"] = list(features.frame.columns)
    models["_n_train"] = int(len(X))
    return models


def predict_proba(models: dict, name: str, features: FeatureSet) -> pd.Series:
    """Probability of the positive class for every row of ``features`` (same columns as training).

    Raises :class:`LeakageError` when a feature is dated on or after the observation date.
    """
    check_no_leakage(features)
    frame = features.frame.reindex(columns=models["_columns"])
    p = np.empty(len(frame))
    step = 200_000  # rows per block: memory stays flat on millions of customers
    with one_thread():
        for i in range(0, len(frame), step):
            p[i:i + step] = models[name].predict_proba(frame.iloc[i:i + step].to_numpy(dtype="float64"))[:, 1]
    return pd.Series(p, index=features.frame.index, name="p")


def confusion_counts(y_true, y_pred) -> dict:
    """``tp``, ``fp``, ``fn``, ``tn`` of 0/1 arrays (1 = the event, e.g. churned)."""
    t, p = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    return {"tp": int((t & p).sum()), "fp": int((~t & p).sum()), "fn": int((t & ~p).sum()),
            "tn": int((~t & ~p).sum())}


def error_rate(y_true, y_pred) -> float:
    """Error rate of the methodology: of those predicted to have the event, the share who did not.

    Equals 1 - precision = fp / (tp + fp); NaN when nobody is predicted.
    """
    c = confusion_counts(y_true, y_pred)
    return c["fp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")


def missing_ratio(y_true, y_pred) -> float:
    """Missing ratio as the methodology defines it: of those who really had the event, the share found.

    Equals recall = tp / (tp + fn); its complement fn / (tp + fn) is the undetected share.
    NaN when nobody had the event.
    """
    c = confusion_counts(y_true, y_pred)
    return c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")


def threshold_table(y_true, score, thresholds=None, value=None) -> pd.DataFrame:
    """Error rate, missing ratio and targeting volume at each score threshold (score >= threshold).

    Parameters
    ----------
    y_true : array-like, shape (n,)
        1 = the event happened (churned / paid).
    score : array-like, shape (n,)
        Predicted probability of the event.
    thresholds : array-like, optional
        Default 0.05, 0.10, ..., 0.95.
    value : array-like, shape (n,), optional
        Value of each customer (currency units); adds ``value_caught``: the value of the real cases
        that are targeted.

    Returns
    -------
    DataFrame
        ``threshold``, ``targeted`` (count), ``targeted_share``, ``tp``, ``fp``, ``fn``, ``precision``,
        ``error_rate`` (1 - precision), ``missing_ratio`` (share of real cases found, = recall),
        ``undetected_share`` (1 - missing ratio) and, with ``value``, ``value_caught``.
    """
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(score, dtype="float64")
    th = np.round(np.arange(0.05, 0.951, 0.05), 2) if thresholds is None else np.asarray(thresholds, dtype="float64")
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    cum_tp = np.concatenate([[0], np.cumsum(y_sorted)])
    k = np.searchsorted(-s_sorted, -th, side="right")  # number with score >= threshold
    tp = cum_tp[k]
    fp = k - tp
    pos = y.sum()
    fn = pos - tp
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(k > 0, tp / np.maximum(k, 1), np.nan)
        recall = tp / pos if pos else np.full(len(th), np.nan)
    out = pd.DataFrame({"threshold": th, "targeted": k, "targeted_share": k / max(len(s), 1), "tp": tp, "fp": fp,
                        "fn": fn, "precision": precision, "error_rate": 1 - precision, "missing_ratio": recall,
                        "undetected_share": 1 - recall})
    if value is not None:
        v = np.asarray(value, dtype="float64")[order] * y_sorted
        out["value_caught"] = np.concatenate([[0.0], np.cumsum(v)])[k]
    return out


def choose_threshold(table: pd.DataFrame, max_error_rate: float = 0.4, min_missing_ratio: float = 0.0) -> dict:
    """Operating threshold by a stated business rule.

    Rule: *among thresholds whose error rate is at most ``max_error_rate`` (at most that share of the
    contacted customers would have been contacted needlessly), take the one that finds the most real
    cases (highest missing ratio)*. When no threshold meets the cap, take the one with the lowest error
    rate and say so.

    Returns
    -------
    dict
        The chosen row as a dict plus ``rule`` (text) and ``met`` (bool).
    """
    ok = table[(table["error_rate"] <= max_error_rate) & (table["missing_ratio"] >= min_missing_ratio)
               & (table["targeted"] > 0)]
    met = not ok.empty
    row = ok.sort_values(["missing_ratio", "threshold"], ascending=[False, True]).iloc[0] if met else \
        table[table["targeted"] > 0].sort_values("error_rate").iloc[0]
    rule = (f"find as many real cases as possible while keeping the error rate at or below {max_error_rate:.0%}"
            if met else f"no threshold keeps the error rate at or below {max_error_rate:.0%}; lowest error rate taken")
    return {**row.to_dict(), "rule": rule, "met": met}


def model_quality(y_true, score) -> dict:
    """PR-AUC (average precision), ROC-AUC, Brier score and the base rate of one model on test data."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.asarray(y_true).astype(int)
    s = np.asarray(score, dtype="float64")
    return {"pr_auc": float(average_precision_score(y, s)), "roc_auc": float(roc_auc_score(y, s)),
            "brier": float(brier_score_loss(y, s)), "base_rate": float(y.mean()), "n": int(len(y))}


def calibration_table(y_true, score, n_bins: int = 10) -> pd.DataFrame:
    """Reliability table: customers grouped into ``n_bins`` equal-count bins of predicted probability.

    Returns ``bin``, ``n``, ``predicted`` (mean score) and ``observed`` (event rate) per bin.
    Ranks first, so ties never drop bins.
    """
    s = np.asarray(score, dtype="float64")
    y = np.asarray(y_true).astype(float)
    ranks = stats.rankdata(s, method="ordinal")
    bins = np.minimum((ranks - 1) * n_bins // len(s), n_bins - 1).astype(int)
    frame = pd.DataFrame({"bin": bins, "s": s, "y": y})
    out = frame.groupby("bin").agg(n=("y", "size"), predicted=("s", "mean"), observed=("y", "mean")).reset_index()
    return out


def feature_shift(train: FeatureSet, test: FeatureSet, min_ratio: float = 2.0) -> pd.DataFrame:
    """Behaviours whose prevalence moved between the training and the test period.

    For each family's key feature (:data:`KEY_FEATURES`) with non-negative values, compares its mean in
    the two periods. A behaviour that became common only after the training date (slow deliveries after
    an operational change, say) is one the model could not learn to weigh: its effect on the prediction
    is understated until the model is retrained on data that contain it.

    Returns
    -------
    DataFrame, sorted by the size of the shift
        ``family``, ``feature``, ``train_mean``, ``test_mean``, ``ratio`` (test / train) for the key
        features whose mean grew or shrank at least ``min_ratio``-fold.
    """
    rows = []
    for family, key in KEY_FEATURES.items():
        if key not in train.frame or key not in test.frame:
            continue
        before, after = (float(np.nanmean(f.frame[key].to_numpy(dtype="float64"))) for f in (train, test))
        if min(before, after) < 0 or not np.isfinite(before + after) or max(before, after) == 0:
            continue
        ratio = after / before if before > 0 else np.inf
        if ratio >= min_ratio or ratio <= 1 / min_ratio:
            rows.append({"family": family, "feature": key, "train_mean": before, "test_mean": after, "ratio": ratio})
    out = pd.DataFrame(rows, columns=["family", "feature", "train_mean", "test_mean", "ratio"])
    return out.iloc[np.argsort(-np.abs(np.log(out["ratio"].to_numpy())))].reset_index(drop=True)


def prediction_drivers(models: dict, name: str, features: FeatureSet, y, n_repeats: int = 2, seed: int = 0,
                       max_rows: int = 5000, effects: bool = True) -> pd.DataFrame:
    """Which feature families drive the prediction: grouped permutation importance on test data.

    Every column of a family is shuffled together (the same row permutation), and the fall in
    average precision (PR-AUC) is the family's importance. Families rather than single columns, because
    correlated columns (e.g. orders in 90 and 180 days) share credit and would each look unimportant.
    Permutation importance weights a behaviour by how common it is; the what-if ``effect`` does not,
    so a rare but strong driver (a slow delivery) shows there.

    Returns
    -------
    DataFrame, sorted by importance
        ``family``, ``importance`` (PR-AUC lost when the family is shuffled), ``importance_sd``,
        ``key_feature`` (the column standing for the family, :data:`KEY_FEATURES`), ``low``/``high``
        (no/yes for a flag, else its 10th/90th percentile), ``effect`` (mean predicted probability when
        every customer's family columns are taken from a customer at or above ``high`` minus from one at or
        below ``low``, all other columns unchanged; NaN when ``effects`` is False): the effect for a
        customer, not weighted by how common
        the behaviour is, and consistent across the family's correlated columns), ``effect_rank`` (by absolute
        effect), ``what`` and ``in_words`` (plain words).
    """
    rng = np.random.default_rng(seed)
    cols = models["_columns"]
    X = features.frame.reindex(columns=cols).to_numpy(dtype="float64")
    y = np.asarray(y).astype(int)
    if len(X) > max_rows:
        take = np.sort(rng.choice(len(X), max_rows, replace=False))
        X, y = X[take], y[take]
    with one_thread():
        return _drivers(models, name, features, X, y, rng, n_repeats, effects)


def _drivers(models, name, features, X, y, rng, n_repeats, effects=True):
    from sklearn.metrics import average_precision_score

    cols = models["_columns"]
    model = models[name]
    base_p = model.predict_proba(X)[:, 1]
    base = average_precision_score(y, base_p)
    fam = features.family.reindex(cols).to_numpy()
    rows = []
    for family in pd.unique(fam):
        idx = np.flatnonzero(fam == family)
        drops = []
        for _ in range(n_repeats):
            Xp = X.copy()
            perm = rng.permutation(len(X))
            Xp[:, idx] = X[perm][:, idx]
            drops.append(base - average_precision_score(y, model.predict_proba(Xp)[:, 1]))
        corrs = []
        for j in idx:
            x = X[:, j]
            ok = ~np.isnan(x)
            r = stats.spearmanr(x[ok], base_p[ok]).statistic if ok.sum() > 10 and np.ptp(x[ok]) > 0 else 0.0
            corrs.append(0.0 if np.isnan(r) else r)
        best = idx[int(np.argmax(np.abs(corrs)))]
        key = cols.index(KEY_FEATURES[family]) if KEY_FEATURES.get(family) in cols else best
        x = X[:, key]
        vals = x[~np.isnan(x)]
        binary = len(vals) and np.isin(vals, (0.0, 1.0)).all()
        low, high = (0.0, 1.0) if binary else (np.quantile(vals, 0.1), np.quantile(vals, 0.9)) if len(vals) else (0, 0)
        effect = np.nan
        if effects:
            Xl, Xh = X.copy(), X.copy()
            hi_rows, lo_rows = np.flatnonzero(x >= high), np.flatnonzero(x <= low)
            if len(hi_rows) and len(lo_rows):  # the whole family from a donor with / without the behaviour
                Xh[:, idx] = X[rng.choice(hi_rows, len(X))][:, idx]
                Xl[:, idx] = X[rng.choice(lo_rows, len(X))][:, idx]
            effect = float(model.predict_proba(Xh)[:, 1].mean() - model.predict_proba(Xl)[:, 1].mean())
        rows.append({"family": family, "importance": float(np.mean(drops)), "importance_sd": float(np.std(drops)),
                     "key_feature": cols[key], "low": float(low), "high": float(high), "effect": effect,
                     "what": FAMILIES.get(family, family)})
    out = pd.DataFrame(rows).sort_values("importance", ascending=False).reset_index(drop=True)
    out["effect_rank"] = out["effect"].abs().rank(ascending=False, method="min").astype("Int64")
    out["in_words"] = [
        f"{features.description.get(f, f).capitalize()}: {'from ' + _fmt(lo) + ' to ' + _fmt(hi) if lo != 0 or hi != 1 else 'yes rather than no'} "
        f"{'raises' if e > 0 else 'lowers'} the probability by {abs(e) * 100:.1f} points"
        for f, lo, hi, e in zip(out["key_feature"], out["low"], out["high"], out["effect"])]
    return out


# =========================================================================== 1c. demand anticipation


def weekly_demand(transactions: pd.DataFrame) -> pd.DataFrame:
    """Orders and net revenue per full week (Monday start); partial first/last weeks are dropped.

    Returns DataFrame indexed by week start with ``orders`` and ``revenue`` (currency units).
    """
    C = _coded(transactions)
    wk, week_idx = np.unique(week_start(C["date"]), return_inverse=True)
    first_line = first_occurrences(C["order"])  # an order counts in the week of its first line
    out = pd.DataFrame({"orders": np.bincount(week_idx[first_line], minlength=len(wk)),
                        "revenue": np.bincount(week_idx, weights=C["amount"], minlength=len(wk))},
                       index=pd.DatetimeIndex(wk.astype("datetime64[ns]"), name="week"))
    return out[out.index.isin(full_weeks(transactions["date"]))].astype("float64")


def forecast_quarter_total(history: np.ndarray, horizon: int = 13, growth_weeks: int = 26) -> np.ndarray:
    """Weekly forecast by "same weeks last year x recent year-on-year growth".

    ``forecast[h] = history[-52 + h] * g`` with ``g = sum(last growth_weeks) / sum(same weeks a year
    earlier)``: the seasonal shape comes from last year, the level from the recent trend.

    Parameters
    ----------
    history : ndarray, shape (n,)
        Weekly values, n >= 52 + growth_weeks.

    Returns
    -------
    ndarray, shape (horizon,)
    """
    y = np.asarray(history, dtype="float64")
    if len(y) < 52 + growth_weeks:
        raise ValueError(f"Need at least {52 + growth_weeks} weeks of history, got {len(y)}.")
    g = y[-growth_weeks:].sum() / y[-52 - growth_weeks:-52].sum()
    base = y[len(y) - 52: len(y) - 52 + horizon]
    return base * g


def _seasonal_naive(y: np.ndarray, horizon: int) -> np.ndarray:
    return y[len(y) - 52: len(y) - 52 + horizon]


def _recent_mean(y: np.ndarray, horizon: int) -> np.ndarray:
    return np.full(horizon, y[-13:].mean())


def backtest_forecast(weekly: pd.Series, horizon: int = 13, growth_weeks: int = 26, min_origins: int = 8) -> pd.DataFrame:
    """Rolling-origin backtest of the next-quarter total, against two naive benchmarks.

    At each origin (every week from the first with enough history up to ``horizon`` weeks before the
    end) the methods forecast the next ``horizon`` weeks from the data before the origin only.

    Returns
    -------
    DataFrame, one row per origin
        ``origin`` (first forecast week), ``actual``, ``forecast`` (seasonal x growth), ``seasonal_naive``
        (same weeks last year), ``recent_mean`` (mean of the last 13 weeks x horizon) — quarter totals —
        ``log_error`` = log(actual / forecast) and ``log_error_seasonal_naive``.
    """
    y = weekly.to_numpy(dtype="float64")
    start = 52 + growth_weeks
    rows = []
    for t in range(start, len(y) - horizon + 1):
        hist = y[:t]
        rows.append({"origin": weekly.index[t], "actual": y[t:t + horizon].sum(),
                     "forecast": forecast_quarter_total(hist, horizon, growth_weeks).sum(),
                     "seasonal_naive": _seasonal_naive(hist, horizon).sum(),
                     "recent_mean": _recent_mean(hist, horizon).sum()})
    out = pd.DataFrame(rows)
    if len(out) < min_origins:
        raise ValueError(f"Only {len(out)} backtest origins; need {min_origins} (about "
                         f"{start + horizon + min_origins} weeks of data).")
    out["log_error"] = np.log(out["actual"] / out["forecast"])
    out["log_error_seasonal_naive"] = np.log(out["actual"] / out["seasonal_naive"])
    return out


def forecast_next_quarter(weekly: pd.DataFrame, horizon: int = 13, growth_weeks: int = 26,
                          coverage: float = 0.8) -> dict:
    """Next-quarter forecast of orders and revenue with intervals from the backtest errors.

    Two candidate methods, "same weeks last year x recent growth" and "same weeks last year" (seasonal
    naive); the one with the lower backtest error is used (``method``), so the trend adjustment is only
    kept when it has earned its place. The interval is ``forecast x exp(q)``, with ``q`` the lower and
    upper ``(1 - coverage) / 2`` quantiles of that method's backtest log errors (overlapping origins, so
    fewer independent errors than rows).

    Returns
    -------
    dict
        Per measure (``orders``, ``revenue``): ``method`` (``"seasonal x growth"`` or
        ``"seasonal naive"``), ``total``, ``low``, ``high``, ``weekly`` (DataFrame:
        week, forecast, low, high), ``backtest`` (:func:`backtest_forecast`), ``mape`` per method
        (mean absolute percentage error of the quarter total), ``coverage`` of the interval in the
        backtest, ``last_year_total`` (same quarter a year before); plus ``start`` and ``horizon``.
    """
    out = {"horizon": horizon, "start": weekly.index[-1] + pd.Timedelta(weeks=1)}
    qlo, qhi = (1 - coverage) / 2, 1 - (1 - coverage) / 2
    for measure in ("orders", "revenue"):
        series = weekly[measure]
        bt = backtest_forecast(series, horizon, growth_weeks)
        mape = {m: float(np.mean(np.abs(bt[m] - bt["actual"]) / bt["actual"]))
                for m in ("forecast", "seasonal_naive", "recent_mean")}
        growth = mape["forecast"] <= mape["seasonal_naive"]
        errors = bt["log_error"] if growth else bt["log_error_seasonal_naive"]
        lo, hi = np.quantile(errors, [qlo, qhi])
        y = series.to_numpy()
        path = forecast_quarter_total(y, horizon, growth_weeks) if growth else _seasonal_naive(y, horizon)
        weeks = pd.date_range(out["start"], periods=horizon, freq="7D")
        inside = (errors >= lo) & (errors <= hi)
        out[measure] = {"method": "seasonal x growth" if growth else "seasonal naive", "total": float(path.sum()), "low": float(path.sum() * np.exp(lo)),
                        "high": float(path.sum() * np.exp(hi)),
                        "weekly": pd.DataFrame({"week": weeks, "forecast": path, "low": path * np.exp(lo),
                                                "high": path * np.exp(hi)}),
                        "backtest": bt, "mape": mape, "coverage": float(inside.mean()),
                        "last_year_total": float(series.to_numpy()[len(series) - 52: len(series) - 52 + horizon].sum())}
    return out


# =========================================================================== 2. MVP, MVS, MVA


def _next_order_within(cust_codes: np.ndarray, days: np.ndarray, q_codes: np.ndarray, q_days: np.ndarray,
                       within: float) -> np.ndarray:
    """For each query (customer, day), whether that customer has an order in (day, day + within].

    ``cust_codes``/``days`` are all orders (any order); vectorised with one sorted key array.
    """
    span = float(max(days.max(), q_days.max()) + within + 10)
    keys = np.sort(cust_codes * span + days)
    q = q_codes * span + q_days
    pos = np.searchsorted(keys, q, side="right")
    nxt = keys[np.minimum(pos, len(keys) - 1)]
    return (pos < len(keys)) & (nxt > q) & (nxt <= q + within)


def _pct_rank(s: pd.Series) -> pd.Series:
    return s.rank(pct=True, method="average")


def product_value_table(transactions: pd.DataFrame, products: pd.DataFrame | None = None, by: str = "category",
                        follow_days: int = 180, top: int | None = None) -> pd.DataFrame:
    """Most valuable product (MVP): rank product lines by revenue, retention and cross-sell.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions with ``product_id``.
    products : DataFrame, optional
        Contract products; with it, ``by`` may be ``"category"`` or ``"tier"``; without it products are
        ranked individually.
    by : str
        Product attribute to group by (``"product_id"`` ranks single products).
    follow_days : int
        Days after a customer's first purchase of the line in which a repeat order (retention) and a
        first purchase in another line (cross-sell) are counted. Only first purchases at least this
        many days before the end of the data count.

    Returns
    -------
    DataFrame, sorted by ``score`` (best first)
        ``product`` (line), ``revenue``, ``revenue_share``, ``buyers``, ``repeat_rate`` (share of new
        buyers of the line who ordered again within ``follow_days``), ``cross_sell_rate`` (share who
        went on to buy another line within ``follow_days``), ``score`` (mean of the three percentile
        ranks, 0-1).
    """
    sale = transactions["amount"].to_numpy() >= 0  # column by column: no copy of the whole table
    p_codes, p_ids = pd.factorize(transactions["product_id"][sale])
    labels = pd.Series(pd.Index(p_ids).astype("str"))
    if products is not None and by != "product_id" and by in products:
        attribute = products.drop_duplicates("product_id").set_index("product_id")[by].astype(str)
        labels = labels.map(attribute).fillna("unknown")
    line_codes, line_names = pd.factorize(np.append(labels.to_numpy(dtype=object), "unknown"))
    line = pd.Categorical.from_codes(line_codes[p_codes], categories=line_names)  # code -1: no product -> unknown
    end = transactions["date"].max()
    ccode, cust = pd.factorize(transactions["customer_id"][sale])
    cust = pd.Index(cust)
    day0 = transactions["date"].min()
    days = (transactions["date"].to_numpy()[sale] - day0.to_datetime64()) / DAY
    revenue = pd.Series(transactions["amount"].to_numpy()[sale]).groupby(line, observed=True).sum()
    k = len(line.categories)  # first purchase day of each (customer, line) pair that occurs, by customer
    first_day = group_min(ccode.astype(np.int64) * k + line.codes, days, len(cust) * k)
    pair = np.flatnonzero(~np.isnan(first_day))
    firsts = pd.DataFrame({"c": pair // k, "line": pd.Categorical.from_codes(pair % k, categories=line.categories),
                           "d": first_day[pair]})
    buyers = firsts.groupby("line", observed=True).size()
    orders = order_table(transactions, sales_only=True)
    oc = cust.get_indexer(orders["customer_id"])
    od = ((orders["date"] - day0) / DAY).to_numpy()
    okc = oc >= 0
    eligible = firsts[firsts["d"] <= (end - day0) / DAY - follow_days].copy()
    eligible["repeat"] = _next_order_within(oc[okc], od[okc], eligible["c"].to_numpy(), eligible["d"].to_numpy(),
                                            follow_days)
    # cross-sell: another line first bought in (d, d + follow_days]
    all_first = firsts.sort_values(["c", "d"])
    span = float(firsts["d"].max() + follow_days + 10)
    keys = np.sort(all_first["c"].to_numpy() * span + all_first["d"].to_numpy())
    q = eligible["c"].to_numpy() * span + eligible["d"].to_numpy()
    eligible["cross"] = (np.searchsorted(keys, q + follow_days, side="right") - np.searchsorted(keys, q, side="right")) > 0
    rates = eligible.groupby("line", observed=True).agg(repeat_rate=("repeat", "mean"), cross_sell_rate=("cross", "mean"))
    out = pd.DataFrame({"revenue": revenue, "buyers": buyers}).join(rates)
    out.index = out.index.astype("str")
    out["revenue_share"] = out["revenue"] / out["revenue"].sum()
    out = out[out["buyers"] >= 20] if (out["buyers"] >= 20).sum() >= 3 else out
    out["score"] = (_pct_rank(out["revenue"]) + _pct_rank(out["repeat_rate"]) + _pct_rank(out["cross_sell_rate"])) / 3
    out = out.sort_values("score", ascending=False).rename_axis("product").reset_index()
    out = out[["product", "revenue", "revenue_share", "buyers", "repeat_rate", "cross_sell_rate", "score"]]
    return out.head(top) if top else out


def service_value_table(transactions: pd.DataFrame, follow_days: int = 90) -> pd.DataFrame:
    """Most valuable service (MVS): sales channels and delivery speeds by value and repeat business.

    Each order is followed for ``follow_days``: did the customer order again? Services are the sales
    channels (``channel``) and, for delivered orders, the delivery speed (fast <= 2 days, standard,
    slow > :data:`SLOW_DELIVERY_DAYS`).

    Returns
    -------
    DataFrame, sorted within each ``dimension`` by ``score``
        ``dimension`` (sales channel / delivery speed), ``service``, ``orders``, ``order_share``,
        ``revenue``, ``mean_order_value``, ``repeat_rate`` (share of orders followed by another order
        within ``follow_days``), ``score`` (mean percentile rank of revenue and repeat rate within the
        dimension).
    """
    orders = order_table(transactions, sales_only=True)
    day0 = orders["date"].min()
    d = ((orders["date"] - day0) / DAY).to_numpy()
    codes = pd.factorize(orders["customer_id"])[0]
    end = (transactions["date"].max() - day0) / DAY
    follow = d <= end - follow_days
    orders["repeat"] = np.where(follow, _next_order_within(codes, d, codes, d, follow_days), np.nan)
    dims = []  # (dimension, categorical label per order; missing = not that kind of service)
    if "channel" in orders:
        dims.append(("sales channel", pd.Categorical(orders["channel"])))
    if "delivery_days" in orders:
        dd = orders["delivery_days"].to_numpy(dtype="float64")
        speed = np.select([np.isnan(dd) | (dd <= 0), dd <= 2, dd > SLOW_DELIVERY_DAYS], [-1, 0, 2], default=1)
        dims.append(("delivery speed", pd.Categorical.from_codes(speed, categories=[
            "fast (<= 2 days)", "standard (3-6 days)", f"slow (> {SLOW_DELIVERY_DAYS:g} days)"])))
    rows = []
    for dim, label in dims:
        t = orders.groupby(pd.Series(label, name="service"), observed=True).agg(
            orders=("order_id", "size"), revenue=("amount", "sum"), repeat_rate=("repeat", "mean"))
        t.index = t.index.astype("str").rename("service")
        t["order_share"] = t["orders"] / t["orders"].sum()
        t["mean_order_value"] = t["revenue"] / t["orders"]
        t["score"] = (_pct_rank(t["revenue"]) + _pct_rank(t["repeat_rate"])) / 2
        t.insert(0, "dimension", dim)
        rows.append(t.sort_values("score", ascending=False).reset_index())
    cols = ["dimension", "service", "orders", "order_share", "revenue", "mean_order_value", "repeat_rate", "score"]
    return pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)


def audience_table(value: pd.DataFrame, personas: pd.Series, segment: pd.Series | None = None,
                   churn_p: pd.Series | None = None, campaigns: pd.DataFrame | None = None, min_size: int = 30,
                   extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Most valuable audience (MVA): segment x persona cells by expected value and responsiveness.

    Parameters
    ----------
    value : DataFrame
        The scorer's table (:func:`customer_workbook.clv.score_customers` ``.table``: ``clv_1y``, ``p_alive``),
        indexed by customer.
    personas : Series
        Persona name per customer (``Personas.assignment`` of :func:`customer_workbook.segments.find_personas`);
        customers without one are put in the persona ``"unassigned"``.
    segment : Series, optional
        Segment per customer (e.g. acquisition channel); ``None`` puts everyone in segment ``"all"``.
    churn_p : Series, optional
        Predicted churn probability per customer (adds ``churn_risk``).
    campaigns : DataFrame, optional
        Contract campaigns (randomised): adds ``uplift`` (treated minus control outcome rate) and its
        standard error ``uplift_se`` per cell: how the audience responded to an offer.
    min_size : int
        Cells with fewer customers are kept but not ranked (``ranked`` False).
    extra : DataFrame, optional
        Per-customer columns to average per cell (e.g. ``discount_line_share``).

    Returns
    -------
    DataFrame, sorted by ``value_per_customer``
        ``segment``, ``persona``, ``customers``, ``value_per_customer`` (mean 12-month CLV),
        ``total_value``, ``p_alive``, optional ``churn_risk``, ``uplift``, ``uplift_se``, extra columns,
        ``ranked``, ``rank``.
    """
    frame = pd.DataFrame({"clv": value["clv_1y"], "p_alive": value["p_alive"]})
    frame["persona"] = personas.reindex(frame.index).fillna("unassigned").astype(str)
    frame["segment"] = segment.reindex(frame.index).fillna("unknown").astype(str) if segment is not None else "all"
    agg = {"customers": ("clv", "size"), "value_per_customer": ("clv", "mean"), "total_value": ("clv", "sum"),
           "p_alive": ("p_alive", "mean")}
    if churn_p is not None:
        frame["churn_risk"] = churn_p.reindex(frame.index)
        agg["churn_risk"] = ("churn_risk", "mean")
    if extra is not None:
        for c in extra.columns:
            frame[c] = extra[c].reindex(frame.index)
            agg[c] = (c, "mean")
    out = frame.groupby(["segment", "persona"]).agg(**agg).reset_index()
    if campaigns is not None and len(campaigns):
        cp = campaigns.assign(treated=campaigns["treated"].astype(bool)).merge(
            frame[["segment", "persona"]], left_on="customer_id", right_index=True)
        cells = []  # one row per audience cell (tens of cells, not customers)
        for (seg, persona), cell in cp.groupby(["segment", "persona"], sort=False):
            measured = two_proportion_uplift(cell["outcome"], cell["treated"])
            cells.append({"segment": seg, "persona": persona, "uplift": measured.uplift, "uplift_se": measured.se,
                          "campaign_n": len(cell)})
        if cells:
            out = out.merge(pd.DataFrame(cells), on=["segment", "persona"], how="left")
    out["ranked"] = out["customers"] >= min_size
    out = out.sort_values(["ranked", "value_per_customer"], ascending=[False, False]).reset_index(drop=True)
    out["rank"] = np.where(out["ranked"], np.arange(1, len(out) + 1), np.nan)
    return out


def pick_pilot(audiences: pd.DataFrame, min_size: int = 30) -> pd.Series:
    """The pilot audience: the ranked cell with the highest value per customer and at least ``min_size``
    customers (the rule of *start small with the most valuable*)."""
    ok = audiences[audiences["customers"] >= min_size]
    if ok.empty:
        raise ValueError(f"No audience has {min_size} customers or more.")
    return ok.sort_values("value_per_customer", ascending=False).iloc[0]


def pilot_plan(audience_size: int, weekly_reach: float, p_control: float, mde: float, outcome_days: int,
               alpha: float = 0.05, power: float = 0.8) -> dict:
    """Size and duration of the pilot test in one audience.

    Customers enter the test when they can be reached (``weekly_reach`` distinct audience customers a
    week, e.g. those who place an order) and are followed for ``outcome_days``.

    Returns
    -------
    dict
        Everything of :func:`sample_size_two_proportions` plus ``enrol_weeks`` (weeks to enrol ``total``, or
        the whole audience when it is smaller),
        ``duration_weeks`` (enrolment + outcome window), ``feasible`` (the audience holds enough
        customers) and ``mde_with_whole_audience`` (the smallest effect the whole audience could detect).
    """
    size = sample_size_two_proportions(p_control, mde, alpha, power)
    enrol = min(size["total"], audience_size) / max(weekly_reach, 1e-9)
    return {**size, "p_control": p_control, "mde": mde, "alpha": alpha, "power": power,
            "audience_size": int(audience_size), "weekly_reach": float(weekly_reach),
            "enrol_weeks": float(np.ceil(enrol)), "duration_weeks": float(np.ceil(enrol) + np.ceil(outcome_days / 7)),
            "feasible": bool(size["total"] <= audience_size),
            "mde_with_whole_audience": minimum_detectable_effect(p_control, audience_size / 2, alpha, power)}


# =========================================================================== 3. go to market


def go_to_market_plan(audiences: pd.DataFrame, customer_table: pd.DataFrame, products: pd.DataFrame | None,
                      mvp: pd.DataFrame | None, mde: float, n_audiences: int = 3, outcome_days: int = 90,
                      churn_rate: float | None = None) -> pd.DataFrame:
    """The audience relations plan: one row per target audience, every cell derived from the analyses.

    Parameters
    ----------
    audiences : DataFrame
        :func:`audience_table` output (ranked cells).
    customer_table : DataFrame, indexed by customer
        Columns ``segment``, ``persona``, ``clv``, ``churn_p`` and, when available, ``main_channel``,
        ``main_line`` (the product line they buy most), ``discount_line_share``, ``mean_days_between_orders``,
        ``recency_days``.
    mvp : DataFrame, optional
        :func:`product_value_table` output (for the offer).
    mde : float
        The lift the pilot is sized to detect; expected value = customers x value x lift.
    churn_rate : float, optional
        Average predicted churn probability of the whole base (the yardstick for *at risk*).

    Rules
    -----
    * goal: *defend (close the back door)* when the audience's churn risk exceeds the base's by 20%,
      *grow (cross-sell)* when value per customer is above the median cell, else *activate*;
    * offer: a non-price offer (premium / new products from the MVP line the audience does not yet buy
      most) when the audience rarely buys on discount (below a tenth of lines), else a personal discount
      on that line;
    * channel: the audience's most used sales channel;
    * timing: the audience's median days between orders, before the usual gap has passed;
    * expected value: customers x value per customer x ``mde`` (the lift the pilot must show);
    * metric: the repeat-purchase rate within ``outcome_days`` (churn rate for *defend*).
    """
    base_risk = churn_rate if churn_rate is not None else float(customer_table["churn_p"].mean())
    median_value = audiences.loc[audiences["ranked"], "value_per_customer"].median()
    mvp_lines = list(mvp["product"]) if mvp is not None and len(mvp) else []
    rows = []
    for _, a in audiences[audiences["ranked"]].head(n_audiences).iterrows():
        members = customer_table[(customer_table["segment"] == a["segment"]) & (customer_table["persona"] == a["persona"])]
        risk = float(members["churn_p"].mean())
        if risk > 1.2 * base_risk:
            goal = "defend: close the back door"
        elif a["value_per_customer"] >= median_value:
            goal = "grow: cross-sell"
        else:
            goal = "activate: second purchase"
        main_line = members["main_line"].mode().iloc[0] if "main_line" in members and members["main_line"].notna().any() else None
        target_line = next((p for p in mvp_lines if p != main_line), main_line or "best-selling line")
        disc = float(members["discount_line_share"].mean()) if "discount_line_share" in members else np.nan
        if np.isnan(disc) or disc < 0.1:
            offer = f"non-price: premium and new {target_line} items, early access"
        else:
            offer = f"personal discount on {target_line}"
        channel = members["main_channel"].mode().iloc[0] if "main_channel" in members and members["main_channel"].notna().any() else "all"
        gap = float(members["mean_days_between_orders"].median()) if "mean_days_between_orders" in members else np.nan
        timing = (f"about {gap * 0.8:,.0f} days after the last order (usual gap {gap:,.0f} days)"
                  if np.isfinite(gap) else "after the first order")
        rows.append({"audience": f"{a['persona']} · {a['segment']}", "customers": int(a["customers"]), "goal": goal,
                     "offer": offer, "channel": channel, "timing": timing,
                     "value_per_customer": float(a["value_per_customer"]), "churn_risk": risk,
                     "expected_value": float(a["customers"] * a["value_per_customer"] * mde),
                     "metric_to_watch": (f"churn rate in {outcome_days} days" if goal.startswith("defend")
                                         else f"repeat-purchase rate in {outcome_days} days")})
    return pd.DataFrame(rows)


def targeting_at(threshold: float, test_table: pd.DataFrame, p_now: pd.Series, value_now: pd.Series) -> dict:
    """What a threshold means: test-period error rate and missing ratio, and today's customers targeted.

    Parameters
    ----------
    threshold : float
        Score threshold (customers with probability >= threshold are targeted).
    test_table : DataFrame
        :func:`threshold_table` on the test period (thresholds on a 0.05 grid).
    p_now : Series
        Today's predicted probability per customer.
    value_now : Series
        Today's expected value per customer (e.g. 12-month CLV), same index.

    Returns
    -------
    dict
        ``threshold``, ``error_rate``, ``missing_ratio``, ``undetected_share`` (test period),
        ``targeted_now`` (count), ``value_at_stake`` (sum of probability x value of the targeted
        customers: the value expected to leave without action, currency units).
    """
    row = test_table.iloc[int(np.argmin(np.abs(test_table["threshold"].to_numpy() - threshold)))]
    target = p_now >= threshold
    v = value_now.reindex(p_now.index).fillna(0.0)
    return {"threshold": float(threshold), "error_rate": float(row["error_rate"]),
            "missing_ratio": float(row["missing_ratio"]), "undetected_share": float(row["undetected_share"]),
            "targeted_now": int(target.sum()), "value_at_stake": float((p_now[target] * v[target]).sum())}


def customer_profile(ds: Dataset, features: FeatureSet) -> pd.DataFrame:
    """Per customer: ``main_channel`` (most used sales channel), ``main_line`` (most bought product
    category, when the products table has categories), ``discount_line_share``, ``mean_days_between_orders``
    and ``recency_days`` (from ``features``)."""
    f = features.frame
    out = pd.DataFrame(index=f.index)
    ch = [c for c in f.columns if c.startswith("channel_share_")]
    if ch:
        out["main_channel"] = f[ch].fillna(0).idxmax(axis=1).str.replace("channel_share_", "", regex=False)
    cats = [c for c in f.columns if c.startswith("category_share_")]
    if cats:
        out["main_line"] = f[cats].fillna(0).idxmax(axis=1).str.replace("category_share_", "", regex=False)
    for c in ("discount_line_share", "mean_days_between_orders", "recency_days"):
        if c in f:
            out[c] = f[c]
    return out
