"""The derived tables written once in narwhals: the order table and the per-customer table on DuckDB or Spark.

Each builder takes the contract order lines as a narwhals frame (:func:`lines_frame`: the lines plus their
position, ``_line``) and returns, collected to pandas, what the NumPy reference of
:mod:`customer_workbook.base` returns for the same lines: the same columns, dtypes, index and row order.
The engine does the work that grows with the lines (filters, joins with the products, group-bys); pandas
only orders and types the result, one row per order or per customer.

Row order. Neither DuckDB nor Spark keeps the order of the rows, so the builders read it from ``_line``:
an order's "first line" is its line with the smallest ``_line`` and orders of the same date come in the
order of their first line, exactly as in the reference. A frame without ``_line`` (a Spark table)
raises: give it a ``_line`` first (Spark: ``monotonically_increasing_id()`` of the table as read).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

__all__ = ["LINE", "customer_table", "lines_frame", "order_table"]

#: The column holding each line's position in the original table (row order for the engine).
LINE = "_line"
#: The categorical id columns that travel to the engine as their codes (:func:`lines_frame`).
_CODED = ("customer_id", "order_id")
#: The optional columns that are floats where pandas NaN must read as missing (Spark keeps NaN).
_FLOATS = ("amount", "discount", "delivery_days")


def lines_frame(transactions: pd.DataFrame, engine: str):
    """``transactions`` on ``engine`` (:func:`customer_workbook.engine.lazy`) with their position as ``_line``.

    The categorical ids (``customer_id``, ``order_id``) travel as their integer codes (missing: null): the
    engine groups and joins integers, and :func:`_restore` gives the labels back without re-hashing them
    (a DuckDB ENUM of millions of order ids costs half a second per query step)."""
    from . import lazy

    columns = {LINE: np.arange(len(transactions), dtype="int64")}
    for column in _CODED:
        if column in transactions and isinstance(transactions[column].dtype, pd.CategoricalDtype):
            codes = transactions[column].cat.codes.to_numpy()
            columns[column] = pd.arrays.IntegerArray(codes.astype("int64"), codes < 0)
    return lazy(transactions.assign(**columns), engine)


def _clean(lines):
    """``lines`` with NaN read as missing in the float columns (DuckDB already does; Spark keeps NaN)."""
    names = lines.collect_schema().names()
    return lines.with_columns(*[nw.col(c).fill_nan(None) for c in _FLOATS if c in names])


def _restore(frame: pd.DataFrame, dtypes: Mapping[str, Any] | None) -> pd.DataFrame:
    """The columns of ``frame`` back in the pandas dtypes of the lines (categoricals, timestamp units)."""
    for column, dtype in ({} if dtypes is None else dict(dtypes)).items():
        if column not in frame:
            continue
        if isinstance(dtype, pd.CategoricalDtype) and pd.api.types.is_integer_dtype(frame[column].dtype):
            codes = frame[column].to_numpy(dtype="int64", na_value=-1)
            frame[column] = pd.Categorical.from_codes(codes, dtype=dtype)
        elif isinstance(dtype, pd.CategoricalDtype):
            values = frame[column].astype(object).where(frame[column].notna(), None)
            frame[column] = pd.Categorical(values.to_numpy(), dtype=dtype)
        elif pd.api.types.is_datetime64_dtype(dtype) or pd.api.types.is_float_dtype(dtype):
            frame[column] = frame[column].astype(dtype)
    return frame


def order_table(lines, sales_only: bool = False, dtypes: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """:func:`customer_workbook.base.orders.order_table` built on the engine of ``lines`` (a narwhals frame).

    ``dtypes``: the pandas dtypes of the lines (``transactions.dtypes``) to give the result back (the
    shared categorical ``customer_id``, ``order_id``, ``channel``). Sorted by date, ties by first line.
    """
    lines = _clean(lines)
    names = lines.collect_schema().names()
    if LINE not in names:
        raise ValueError(f"the lines need their position as {LINE!r} (lines_frame adds it)")
    if sales_only:
        lines = lines.filter(nw.col("amount") >= 0)
    totals = lines.group_by("order_id").agg(nw.col("date").min(), nw.col("amount").sum(),
                                            nw.len().alias("lines"), nw.col(LINE).min().alias("_first"))
    extra = [c for c in ("channel", "delivery_days") if c in names]
    heads = lines.select(nw.col(LINE).alias("_first"), "customer_id", *extra)
    table = totals.join(heads, on="_first")
    from . import collect

    out = collect(table)
    out = out.sort_values(["date", "_first"], kind="stable").reset_index(drop=True)
    out = out[["order_id", "customer_id", "date", "amount", "lines", *extra]]
    out = _restore(out, dtypes)
    out["lines"] = out["lines"].astype("int64")
    out["amount"] = out["amount"].astype("float64")
    return out


def _prepared_products(products: pd.DataFrame, new_product_days: int) -> tuple[pd.DataFrame, list[str]]:
    """One row per product (the first of each id) with what the product mix needs, and the category names
    in the reference's order: ``_cat`` (category code), ``_premium``, ``_launch``/``_launch_end`` (the days
    a purchase counts as new), ``_excl``."""
    prod = products.drop_duplicates("product_id")
    out = pd.DataFrame({"_pid": prod["product_id"].astype(str).to_numpy()})
    names: list[str] = []
    if "category" in prod:
        codes, uniques = pd.factorize(prod["category"].astype(str), sort=True)
        out["_cat"] = pd.arrays.IntegerArray(codes.astype("int64"), codes < 0)   # no category: missing
        names = [str(u) for u in uniques]
    if "tier" in prod:
        out["_premium"] = prod["tier"].astype(str).isin(["premium", "special_service"]).to_numpy()
    if "launch_date" in prod:
        launch = pd.to_datetime(prod["launch_date"]).to_numpy()
        out["_launch"] = launch
        out["_launch_end"] = launch + np.timedelta64(new_product_days, "D")
    if "exclusive" in prod:
        out["_excl"] = prod["exclusive"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return out, names


def _like(lines, frame: pd.DataFrame):
    """The small pandas ``frame`` on the engine of ``lines``."""
    from . import lazy

    impl = lines.implementation
    return lazy(frame, "spark" if impl.is_pyspark() or impl.is_pyspark_connect() else
                "duckdb" if impl.is_duckdb() else "pandas")


def _count(condition) -> Any:
    """1 where ``condition`` holds, else 0 (missing counts as not holding)."""
    return nw.when(condition).then(nw.lit(1, nw.Int64)).otherwise(nw.lit(0, nw.Int64))
