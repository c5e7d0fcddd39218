"""The derived tables of one run: built once from the validated data, then read by every analysis.

Every analysis needs the same few tables derived from the raw order lines: the order table, the order
table of sales only, and the per-customer table. Building them is the only step whose cost grows with
the number of lines, so it happens once per dataset, on first use, and every step reads the result:

>>> tables = derived(ds)            # the same object for the same Dataset
>>> tables.orders                   # built now, then kept
>>> tables.customers.loc[:, ["orders", "revenue", "recency_days"]]

A filtered dataset (:func:`customer_workbook.data.filter_dataset`) is a new Dataset with its own tables.

Where they are built is ``ds.engine``: ``"pandas"`` runs the NumPy reference (:func:`.orders.order_table`,
:func:`.customers.customer_features`); ``"duckdb"`` and ``"spark"`` run the same tables as narwhals queries
(:mod:`customer_workbook.engine`) over the lines, joined with the products in the engine. Every engine
gives the same tables (tests/unit/engine/test_tables.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from .. import progress
from ..engine import check_engine, customer_table, lines_frame
from ..engine import order_table as engine_orders
from .calendar import full_weeks
from .customers import customer_features
from .orders import order_table

if TYPE_CHECKING:
    from ..data import Dataset

__all__ = ["STORED", "DerivedTables", "derived"]

#: The derived tables stored with a cached data set (:func:`customer_workbook.cache.load_dataset`).
STORED = ("orders", "sale_orders", "customers")


@dataclass(frozen=True, eq=False)
class DerivedTables:
    """The derived tables of ``dataset``, each built on first access and kept (read-only by convention)."""

    dataset: Dataset

    @property
    def engine(self) -> str:
        """Where the tables are built: the data set's engine (:data:`customer_workbook.engine.ENGINES`)."""
        return check_engine(getattr(self.dataset, "engine", None))

    @cached_property
    def lines(self):
        """The order lines on the engine (:func:`customer_workbook.engine.lines_frame`); not for pandas."""
        return lines_frame(self.dataset.transactions, self.engine)

    @cached_property
    def orders(self) -> pd.DataFrame:
        """:func:`~customer_workbook.base.orders.order_table`: one row per order, net of returns."""
        tx = self.dataset.transactions
        with progress.step(f"Building the order table on {self.engine}", rows=len(tx)):
            if self.engine == "pandas":
                return order_table(tx)
            return engine_orders(self.lines, dtypes=tx.dtypes)

    @cached_property
    def sale_orders(self) -> pd.DataFrame:
        """The order table of sale lines only (what customers bought, before returns)."""
        tx = self.dataset.transactions
        with progress.step(f"Building the sales order table on {self.engine}", rows=len(tx)):
            if self.engine == "pandas":
                return order_table(tx, sales_only=True)
            return engine_orders(self.lines, sales_only=True, dtypes=tx.dtypes)

    @cached_property
    def customers(self) -> pd.DataFrame:
        """:func:`~customer_workbook.base.customers.customer_features` with products and customer attributes:
        one row per customer, measured at the last transaction date (its docstring is the glossary)."""
        ds = self.dataset
        with progress.step(f"Building the per-customer table on {self.engine}", rows=len(ds.transactions)):
            if self.engine == "pandas":
                return customer_features(ds.transactions, ds.products, ds.customers)
            return customer_table(self.lines, ds.products, ds.customers, dtypes=ds.transactions.dtypes)

    def built(self) -> dict[str, pd.DataFrame]:
        """The tables built so far, by name (what :mod:`customer_workbook.cache` stores with the data set)."""
        return {name: self.__dict__[name] for name in STORED if name in self.__dict__}

    def restore(self, tables: dict[str, pd.DataFrame]) -> None:
        """Take ``tables`` (by name, as :meth:`built` gives them) as already built."""
        for name, frame in tables.items():
            if name in STORED:
                self.__dict__[name] = frame

    @cached_property
    def full_weeks(self) -> pd.DatetimeIndex:
        """Monday starts of the weeks the transactions cover in full (:func:`~.calendar.full_weeks`)."""
        return full_weeks(self.dataset.transactions["date"])


def derived(ds: Dataset) -> DerivedTables:
    """The derived tables of ``ds``, shared by every analysis that receives the same Dataset."""
    return ds.derived_cache.setdefault("tables", DerivedTables(ds))
