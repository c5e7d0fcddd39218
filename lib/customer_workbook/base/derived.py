"""The derived tables of one run: built once from the validated data, then read by every analysis.

Every analysis needs the same few tables derived from the raw order lines: the order table, the order
table of sales only, and the per-customer table. Building them is the only step whose cost grows with
the number of lines, so it happens once per dataset, on first use, and every step reads the result:

>>> tables = derived(ds)            # the same object for the same Dataset
>>> tables.orders                   # built now, then kept
>>> tables.customers.loc[:, ["orders", "revenue", "recency_days"]]

A filtered dataset (:func:`customer_workbook.data.filter_dataset`) is a new Dataset with its own tables.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from .calendar import full_weeks
from .customers import customer_features
from .orders import order_table

if TYPE_CHECKING:
    from ..data import Dataset

__all__ = ["DerivedTables", "derived"]


@dataclass(frozen=True, eq=False)
class DerivedTables:
    """The derived tables of ``dataset``, each built on first access and kept (read-only by convention)."""

    dataset: Dataset

    @cached_property
    def orders(self) -> pd.DataFrame:
        """:func:`~customer_workbook.base.orders.order_table`: one row per order, net of returns."""
        return order_table(self.dataset.transactions)

    @cached_property
    def sale_orders(self) -> pd.DataFrame:
        """The order table of sale lines only (what customers bought, before returns)."""
        return order_table(self.dataset.transactions, sales_only=True)

    @cached_property
    def customers(self) -> pd.DataFrame:
        """:func:`~customer_workbook.base.customers.customer_features` with products and customer attributes:
        one row per customer, measured at the last transaction date (its docstring is the glossary)."""
        ds = self.dataset
        return customer_features(ds.transactions, ds.products, ds.customers)

    @cached_property
    def full_weeks(self) -> pd.DatetimeIndex:
        """Monday starts of the weeks the transactions cover in full (:func:`~.calendar.full_weeks`)."""
        return full_weeks(self.dataset.transactions["date"])


def derived(ds: Dataset) -> DerivedTables:
    """The derived tables of ``ds``, shared by every analysis that receives the same Dataset."""
    return ds.derived_cache.setdefault("tables", DerivedTables(ds))
