"""The per-customer table: one row per customer with their buying behaviour, built in one pass over the
order lines. It feeds RFM, personas, the lifecycle and the churn of later steps."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..arrays import first_occurrences, sorted_unique

__all__ = ["customer_features"]


def customer_features(transactions: pd.DataFrame, products: pd.DataFrame | None = None,
                      customers: pd.DataFrame | None = None, as_of=None,
                      new_product_days: int = 365) -> pd.DataFrame:
    """One row per customer with every behaviour measure the step-1 analyses use (one pass over lines).

    Parameters
    ----------
    transactions
        Contract order lines (``customer_id``, ``date``, ``amount``, ``order_id``; optional
        ``product_id``, ``channel``, ``discount``, ``delivery_days``). Negative amounts are returns.
    products
        Optional contract products (``product_id``, ``category``, ``tier``, ``launch_date``, ``exclusive``).
    customers
        Optional contract customers; ``age``, ``income_band``, ``region``, ``gender``,
        ``acquisition_channel`` and ``signup_date`` are copied when present.
    as_of
        Date the recency is measured at (default: the last transaction date). Lines after it are ignored.
    new_product_days
        A line counts as a new-product purchase when bought within this many days of the launch.

    Returns
    -------
    DataFrame, shape (n_customers, n_features)
        Index ``customer_id``. Always: ``first_order``, ``last_order`` (dates), ``orders`` (count of
        orders with a positive line), ``purchase_days`` (distinct days with a positive line), ``lines``,
        ``revenue`` (net, currency units), ``recency_days``, ``tenure_days`` (first order to ``as_of``),
        ``aov`` (net revenue per order), ``lines_per_order``, ``return_share`` (share of lines that are
        returns). When the columns exist: ``share_<channel>``, ``discount_share`` (share of positive
        lines bought on a discount), ``mean_discount``, ``fast_delivery_share`` (online lines delivered
        within 2 days), ``slow_delivery_share`` (lines taking more than 6 days); with products:
        ``n_categories``, ``cat_<category>`` (share of positive lines), ``premium_share`` (premium or
        special-service tiers), ``new_product_share``, ``exclusive_share``; with customers: the
        attribute columns and ``income_level`` (0 low, 1 middle, 2 high).
    """
    tx = transactions
    end = pd.Timestamp(as_of) if as_of is not None else tx["date"].max()
    if as_of is not None:
        tx = tx[tx["date"] <= end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)]
    lines = _CustomerLines.of(tx)
    frame = pd.DataFrame(index=pd.Index(lines.ids, name="customer_id"))
    _buying(frame, lines, tx, end)
    _channels_and_service(frame, lines, tx)
    if products is not None and "product_id" in tx:
        _product_mix(frame, lines, tx, products, new_product_days)
    if customers is not None:
        _attributes(frame, customers)
    return frame


@dataclass
class _CustomerLines:
    """The order lines coded by customer: ``codes`` (customer of each line), ``pos`` (positive lines)."""

    codes: np.ndarray
    ids: pd.Index
    amount: np.ndarray
    pos: np.ndarray

    @classmethod
    def of(cls, tx: pd.DataFrame) -> _CustomerLines:
        codes, ids = pd.factorize(tx["customer_id"], sort=True)
        amount = tx["amount"].to_numpy(dtype=float)
        return cls(codes, ids, amount, amount > 0)

    @property
    def n(self) -> int:
        return len(self.ids)

    def share(self, mask: np.ndarray, within: np.ndarray | None = None) -> np.ndarray:
        """Per customer: the share of their positive lines (within ``within``) where ``mask`` holds."""
        base = self.pos if within is None else self.pos & within
        denom = np.bincount(self.codes[base], minlength=self.n).astype(float)
        return np.bincount(self.codes[base & mask], minlength=self.n) / np.where(denom > 0, denom, np.nan)


def _buying(frame: pd.DataFrame, lines: _CustomerLines, tx: pd.DataFrame, end: pd.Timestamp) -> None:
    """Orders, days, lines, revenue, recency, tenure, order value and returns."""
    codes, n, pos, amount = lines.codes, lines.n, lines.pos, lines.amount
    cpos = codes[pos]
    dates = tx["date"].to_numpy()
    order_codes = pd.factorize(tx["order_id"][pos])[0]
    orders = np.bincount(cpos[first_occurrences(order_codes)], minlength=n).astype(float)  # an order: one customer
    day = dates.astype("datetime64[D]").astype(np.int64)
    day_key = sorted_unique(cpos.astype(np.int64) * 1_000_000 + (day[pos] - day.min()))
    by = pd.Series(dates[pos]).groupby(cpos)
    frame["first_order"] = by.min().reindex(range(n)).to_numpy()
    frame["last_order"] = by.max().reindex(range(n)).to_numpy()
    frame["orders"] = orders
    frame["purchase_days"] = np.bincount(day_key // 1_000_000, minlength=n).astype(float)
    frame["lines"] = np.bincount(cpos, minlength=n).astype(float)
    frame["revenue"] = np.bincount(codes, weights=amount, minlength=n)
    frame["recency_days"] = (end.normalize() - frame["last_order"].dt.normalize()).dt.days.astype(float)
    frame["tenure_days"] = (end.normalize() - frame["first_order"].dt.normalize()).dt.days.astype(float)
    frame["aov"] = frame["revenue"] / frame["orders"].where(frame["orders"] > 0)
    frame["lines_per_order"] = frame["lines"] / frame["orders"].where(frame["orders"] > 0)
    frame["return_share"] = (np.bincount(codes, weights=(amount < 0).astype(float), minlength=n)
                             / np.bincount(codes, minlength=n))


def _channels_and_service(frame: pd.DataFrame, lines: _CustomerLines, tx: pd.DataFrame) -> None:
    """Channel shares, discounts and delivery speed (online lines: every channel but ``store``)."""
    online = np.ones(len(tx), dtype=bool)
    if "channel" in tx:
        ch_codes, ch_names = pd.factorize(tx["channel"], sort=True)   # integer codes: fast comparisons
        ch_names = [str(name) for name in ch_names]
        for j, name in enumerate(ch_names):
            if (ch_codes[lines.pos] == j).any():
                frame[f"share_{name}"] = lines.share(ch_codes == j)
        if "store" in ch_names:
            online = ch_codes != list(ch_names).index("store")
    if "discount" in tx:
        disc = tx["discount"].to_numpy(dtype=float)
        n_pos = np.bincount(lines.codes[lines.pos], minlength=lines.n).astype(float)
        frame["discount_share"] = lines.share(np.nan_to_num(disc) > 0)
        frame["mean_discount"] = (np.bincount(lines.codes[lines.pos], weights=np.nan_to_num(disc[lines.pos]),
                                              minlength=lines.n) / np.where(n_pos > 0, n_pos, np.nan))
    if "delivery_days" in tx:
        dd = tx["delivery_days"].to_numpy(dtype=float)
        frame["fast_delivery_share"] = lines.share(dd <= 2, within=online & ~np.isnan(dd))
        frame["slow_delivery_share"] = lines.share(dd > 6, within=~np.isnan(dd))


def _product_mix(frame: pd.DataFrame, lines: _CustomerLines, tx: pd.DataFrame, products: pd.DataFrame,
                 new_product_days: int) -> None:
    """Categories bought, premium, new and exclusive products (shares of positive lines)."""
    prod = products.drop_duplicates("product_id").set_index("product_id")
    row = prod.index.get_indexer(tx["product_id"])          # product row of each line, -1 if unknown
    known = row >= 0
    safe_row = np.where(known, row, 0)

    def attribute(values: np.ndarray, fill):
        return np.where(known, values[safe_row], fill)

    if "category" in prod:
        p_codes, cat_names = pd.factorize(prod["category"].astype(str), sort=True)
        cat = attribute(p_codes, -1)
        ok = lines.pos & (cat >= 0)
        pairs = sorted_unique(lines.codes[ok].astype(np.int64) * 1024 + cat[ok])
        frame["n_categories"] = np.bincount(pairs // 1024, minlength=lines.n).astype(float)
        for j, name in enumerate(cat_names):
            frame[f"cat_{name}"] = lines.share(cat == j)
    if "tier" in prod:
        premium = prod["tier"].astype(str).isin(["premium", "special_service"]).to_numpy()
        frame["premium_share"] = lines.share(attribute(premium, False).astype(bool))
    if "launch_date" in prod:
        launch = attribute(pd.to_datetime(prod["launch_date"]).to_numpy(), np.datetime64("NaT"))
        age_days = (tx["date"].to_numpy() - launch) / np.timedelta64(1, "D")
        frame["new_product_share"] = lines.share((age_days >= 0) & (age_days <= new_product_days))
    if "exclusive" in prod:
        excl = prod["exclusive"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        frame["exclusive_share"] = lines.share(attribute(excl, False).astype(bool))


def _attributes(frame: pd.DataFrame, customers: pd.DataFrame) -> None:
    """Customer attributes copied as they are, and ``income_level`` (0 low, 1 middle, 2 high)."""
    cust = customers.set_index("customer_id").reindex(frame.index)
    for col in ("age", "gender", "income_band", "region", "acquisition_channel", "signup_date"):
        if col in cust:
            frame[col] = cust[col].to_numpy()
    if "income_band" in cust:
        frame["income_level"] = cust["income_band"].astype(str).map({"low": 0.0, "middle": 1.0, "high": 2.0}).to_numpy()
