"""Features of the no-order model: per-customer behaviour strictly before an observation date (step 4 of the method,
anticipation).

:func:`build_features` turns the contract tables into dozens of per-customer indicators, each dated by the
latest data it used. They are computed from the raw order lines rather than from the run's per-customer
table (:func:`customer_workbook.base.derived`) because they must be measured *as of an earlier date*
(the training and test observation dates), never with what happened after it. The labels and the time
split are in :mod:`.labels`. Days are the time unit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..arrays import first_occurrences, group_argmin, group_max, group_min
from ..data import Dataset
from ..value_unit import counts_purchases, in_purchases

__all__ = ["DAY", "FAMILIES", "KEY_FEATURES", "SLOW_DELIVERY_DAYS", "CodedTransactions", "FeatureSet", "LeakageError",
           "build_features", "coded_transactions"]

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
    "exclusives": "exclusive_share", "nps & reasons": "survey_nps", "satisfaction": "survey_sat_mean",
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

    def __init__(self, index: pd.Index, in_purchases: bool = False):
        self.index = index
        self.in_purchases = in_purchases  # the data count purchases: descriptions say so, not "revenue"
        self.columns: dict[str, np.ndarray] = {}
        self.meta: dict[str, tuple[str, str, pd.Timestamp]] = {}

    def add(self, name: str, values, family: str, description: str, source_end) -> None:
        self.columns[name] = np.asarray(values, dtype="float32")  # 7 significant digits: half the memory
        description = in_purchases(description) if self.in_purchases else description
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


@dataclass(frozen=True, eq=False)
class CodedTransactions:
    """Integer codes of the transactions' id and channel columns (one value per line, shape (n_lines,)).

    ``customer`` (int32 code into ``ids``), ``order`` (int32 order code, in order of first appearance),
    ``date`` (datetime64), ``amount`` (float64, currency units; negative = return); ``channel`` and
    ``product`` are ``(codes, names)`` pairs, or ``None`` when the transactions lack the column.
    ``transactions`` is the frame they were computed from.
    """

    transactions: pd.DataFrame
    customer: np.ndarray
    ids: pd.Index
    order: np.ndarray
    date: np.ndarray
    amount: np.ndarray
    channel: tuple[np.ndarray, np.ndarray] | None = None
    product: tuple[np.ndarray, pd.Index] | None = None


_CODED: dict[str, CodedTransactions] = {}


def coded_transactions(tx: pd.DataFrame) -> CodedTransactions:
    """Integer codes of the transactions' id and channel columns, computed once per transactions frame.

    Cheap for the loader's categorical ids; for plain text each column costs about 1 s per million lines,
    so building features for several dates reuses these codes (one frame is kept at a time).
    """
    hit = _CODED.get("entry")
    if hit is not None and hit.transactions is tx:
        return hit
    cust, ids = pd.factorize(tx["customer_id"])
    channel = product = None
    if "channel" in tx:
        codes, names = pd.factorize(tx["channel"])
        channel = (codes.astype(np.int32), np.asarray([str(name) for name in names], dtype=object))
    if "product_id" in tx:
        codes, names = pd.factorize(tx["product_id"])
        product = (codes.astype(np.int32), pd.Index(names))
    out = CodedTransactions(tx, cust.astype(np.int32), pd.Index(ids),  # int32 codes: half the memory
                            pd.factorize(tx["order_id"])[0].astype(np.int32), tx["date"].to_numpy(),
                            tx["amount"].to_numpy(dtype="float64"), channel, product)
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
    C = coded_transactions(tx_all)
    before = C.date < obs.to_datetime64()
    if not before.any():
        raise ValueError(f"No transactions before the observation date {obs:%Y-%m-%d}.")
    if customers is None:
        rows = np.flatnonzero(np.bincount(C.customer[before], minlength=len(C.ids)))
        index = pd.Index(C.ids[rows], name="customer_id")
    else:
        index = pd.Index(customers, name="customer_id")
        rows = C.ids.get_indexer(index)
    n = len(index)
    pos = np.full(len(C.ids), -1, dtype=np.int32)
    pos[rows[rows >= 0]] = np.flatnonzero(rows >= 0)
    all_pos = pos[C.customer]  # row of every transaction line's customer (-1: not a row)
    sel = np.flatnonzero(before & (all_pos >= 0))  # the lines used: before obs, customers of the rows
    tx = _Lines(tx_all, sel)
    b = _Builder(index, in_purchases=counts_purchases(ds))
    codes = all_pos[sel]
    dates = C.date[sel]
    data_end = pd.Timestamp(dates.max()) if len(sel) else obs - DAY
    amount = C.amount[sel]
    days_before = ((obs.to_datetime64() - dates) / np.timedelta64(1, "D")).astype("float64")  # > 0
    sale = amount >= 0
    all_keys = C.order[sel]
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
    C: CodedTransactions
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
    ch_codes, ch_names = s.C.channel
    ch = ch_codes[s.sel][s.sale][s.first]
    for j in np.argsort(ch_names):  # alphabetical, as the columns always were
        if (ch == j).any():
            b.add(f"channel_share_{ch_names[j]}", _ratio(_bincount(s.o_code[ch == j], s.n), s.n_orders),
                  "channel mix", f"share of orders placed via {ch_names[j]}", s.end)


def _product_features(b: _Builder, s: _Scope, products: pd.DataFrame) -> None:
    n, end, lines = s.n, s.end, s.lines
    prod = products.set_index("product_id")
    p_codes, p_ids = s.C.product
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
    items = [col for col in sv.columns if col.startswith("sat_")]
    if items:  # one item mixes the customer's satisfaction with that item's own noise; the mean less so
        b.add("survey_sat_mean", last[items].astype("float64").mean(axis=1).to_numpy(), "satisfaction",
              "average satisfaction over the items answered (1-5)", end)


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
