"""The per-customer table in narwhals: :func:`customer_workbook.base.customers.customer_features` on DuckDB
or Spark. The engine counts, per customer, every kind of line the measures need (one group-by over the
lines joined with the products, three small distinct counts); pandas turns the counts into the shares."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from ._tables import _clean, _count, _like, _prepared_products, _restore

__all__ = ["customer_table"]


def customer_table(lines, products: pd.DataFrame | None = None, customers: pd.DataFrame | None = None,
                   as_of=None, new_product_days: int = 365, dtypes: Mapping[str, Any] | None = None,
                   channels: Sequence[str] | None = None) -> pd.DataFrame:
    """The per-customer table of ``lines`` (a narwhals frame of contract order lines), built on its engine.

    Same parameters and result as :func:`customer_workbook.base.customers.customer_features` (its docstring
    is the glossary); ``products`` and ``customers`` are the small pandas tables (the products travel to the
    engine and join the lines there; the attributes are copied per customer). ``dtypes``: the pandas dtypes
    of the lines, to give ``customer_id`` its shared categorical type back; ``channels``: the order of the
    ``share_<channel>`` columns (default: the channel's categories in ``dtypes``, else sorted).
    """
    lines = _clean(lines)
    names = lines.collect_schema().names()
    if as_of is not None:
        end = pd.Timestamp(as_of)
        limit = (end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)).to_pydatetime()
        lines = lines.filter(nw.col("date") <= nw.lit(limit))
    else:
        end = pd.Timestamp(_collect(lines.select(nw.col("date").max()))["date"].iloc[0])
    dtypes = {} if dtypes is None else dict(dtypes)
    channels = _channel_order(lines, names, dtypes, channels)
    cat_names: list[str] = []
    if products is not None and "product_id" in names:
        prod, cat_names = _prepared_products(products, new_product_days)
        lines = lines.with_columns(_pid=nw.col("product_id").cast(nw.String)).join(
            _like(lines, prod), on="_pid", how="left")
    pos = nw.col("amount") > 0
    counts = _counts(lines.collect_schema().names(), pos, channels, cat_names)
    table = lines.group_by("customer_id").agg(*counts)
    for name, frame in _distinct_counts(lines.filter(pos), cat_names).items():
        table = table.join(frame, on="customer_id", how="left")
    raw = _collect(table)
    raw = _by_customer(raw, dtypes)
    frame = _measures(raw, end, channels, cat_names, names, products is not None and "product_id" in names,
                      dtypes.get("date", "datetime64[ns]"))
    if customers is not None:
        from ..base.customers import _attributes

        _attributes(frame, customers)
    return frame


def _collect(frame) -> pd.DataFrame:
    from . import collect

    return collect(frame)


def _channel_order(lines, names, dtypes, channels) -> list[str]:
    """The channels of the lines in the reference's column order."""
    if "channel" not in names:
        return []
    seen = set(_collect(lines.select("channel").unique())["channel"].dropna().astype(str))
    if channels is None:
        dtype = dtypes.get("channel")
        channels = ([str(c) for c in dtype.categories] if isinstance(dtype, pd.CategoricalDtype)
                    else sorted(seen))
    return [c for c in channels if c in seen]


def _counts(names: list[str], pos, channels: list[str], cat_names: list[str]) -> list:
    """The per-customer aggregations: sums of 0/1 indicators, amounts and the first and last purchase."""
    out = [nw.col("amount").sum().alias("revenue"), nw.len().alias("n_all"),
           _count(nw.col("amount") < 0).sum().alias("n_returns"), _count(pos).sum().alias("n_pos"),
           nw.when(pos).then(nw.col("date")).min().alias("first_order"),
           nw.when(pos).then(nw.col("date")).max().alias("last_order")]
    online = (nw.col("channel").is_null() | (nw.col("channel") != "store")) if "channel" in names else nw.lit(True)
    for j, name in enumerate(channels):
        out.append(_count(pos & (nw.col("channel") == name)).sum().alias(f"_ch{j}"))
    if "discount" in names:
        disc = nw.col("discount").fill_null(0.0)
        out += [_count(pos & (disc > 0)).sum().alias("n_disc"),
                nw.when(pos).then(disc).otherwise(nw.lit(0.0)).sum().alias("sum_disc")]
    if "delivery_days" in names:
        dd = nw.col("delivery_days")
        fast_base, slow_base = pos & online & ~dd.is_null(), pos & ~dd.is_null()
        out += [_count(fast_base).sum().alias("n_fast_base"), _count(fast_base & (dd <= 2)).sum().alias("n_fast"),
                _count(slow_base).sum().alias("n_slow_base"), _count(slow_base & (dd > 6)).sum().alias("n_slow")]
    for j in range(len(cat_names)):
        out.append(_count(pos & (nw.col("_cat") == j)).sum().alias(f"_cat{j}"))
    if "_premium" in names:
        out.append(_count(pos & nw.col("_premium")).sum().alias("n_premium"))
    if "_launch" in names:
        new = pos & (nw.col("date") >= nw.col("_launch")) & (nw.col("date") <= nw.col("_launch_end"))
        out.append(_count(new).sum().alias("n_new"))
    if "_excl" in names:
        out.append(_count(pos & nw.col("_excl")).sum().alias("n_excl"))
    return out


def _distinct_counts(positive, cat_names: list[str]) -> dict[str, Any]:
    """Per customer: distinct orders, distinct days and (with products) distinct categories bought."""
    frames = {"orders": positive.select("customer_id", "order_id"),
              "purchase_days": positive.select("customer_id", nw.col("date").dt.truncate("1d").alias("_day"))}
    if cat_names:
        frames["n_categories"] = positive.filter(~nw.col("_cat").is_null()).select("customer_id", "_cat")
    return {name: frame.unique().group_by("customer_id").agg(nw.len().alias(name))
            for name, frame in frames.items()}


def _by_customer(raw: pd.DataFrame, dtypes) -> pd.DataFrame:
    """``raw`` indexed by ``customer_id`` in the reference's order (category codes, else the ids sorted)."""
    raw = _restore(raw, {k: v for k, v in dtypes.items() if k == "customer_id"})
    ids = raw["customer_id"]
    order = (np.argsort(ids.cat.codes.to_numpy(), kind="stable") if isinstance(ids.dtype, pd.CategoricalDtype)
             else np.argsort(ids.to_numpy(), kind="stable"))
    raw = raw.iloc[order]
    index = (pd.CategoricalIndex(raw["customer_id"], name="customer_id")
             if isinstance(ids.dtype, pd.CategoricalDtype) else pd.Index(raw["customer_id"], name="customer_id"))
    return raw.drop(columns="customer_id").set_axis(index)


def _measures(raw: pd.DataFrame, end: pd.Timestamp, channels, cat_names, names, with_products,
              date_dtype) -> pd.DataFrame:
    """The reference's columns, in its order, from the per-customer counts."""
    def ratio(num: str, den: str) -> np.ndarray:
        d = raw[den].to_numpy(dtype=float)
        return raw[num].to_numpy(dtype="int64") / np.where(d > 0, d, np.nan)

    f = pd.DataFrame(index=raw.index)
    for column in ("first_order", "last_order"):
        f[column] = pd.to_datetime(raw[column]).astype(date_dtype).to_numpy()
    for column in ("orders", "purchase_days"):
        f[column] = raw[column].fillna(0).to_numpy(dtype=float)
    f["lines"] = raw["n_pos"].to_numpy(dtype=float)
    f["revenue"] = raw["revenue"].to_numpy(dtype=float)
    f["recency_days"] = (end.normalize() - f["last_order"].dt.normalize()).dt.days.astype(float)
    f["tenure_days"] = (end.normalize() - f["first_order"].dt.normalize()).dt.days.astype(float)
    f["aov"] = f["revenue"] / f["orders"].where(f["orders"] > 0)
    f["lines_per_order"] = f["lines"] / f["orders"].where(f["orders"] > 0)
    f["return_share"] = raw["n_returns"].to_numpy(dtype="int64") / raw["n_all"].to_numpy(dtype="int64")
    for j, name in enumerate(channels):
        if raw[f"_ch{j}"].sum() > 0:          # a channel with positive lines somewhere
            f[f"share_{name}"] = ratio(f"_ch{j}", "n_pos")
    if "discount" in names:
        f["discount_share"] = ratio("n_disc", "n_pos")
        f["mean_discount"] = raw["sum_disc"].to_numpy(dtype=float) / np.where(f["lines"] > 0, f["lines"], np.nan)
    if "delivery_days" in names:
        f["fast_delivery_share"] = ratio("n_fast", "n_fast_base")
        f["slow_delivery_share"] = ratio("n_slow", "n_slow_base")
    if with_products:
        if cat_names:
            f["n_categories"] = raw["n_categories"].fillna(0).to_numpy(dtype=float)
            for j, name in enumerate(cat_names):
                f[f"cat_{name}"] = ratio(f"_cat{j}", "n_pos")
        for column, count in (("premium_share", "n_premium"), ("new_product_share", "n_new"),
                              ("exclusive_share", "n_excl")):
            if count in raw:
                f[column] = ratio(count, "n_pos")
    return f
