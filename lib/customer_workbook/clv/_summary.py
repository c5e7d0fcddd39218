"""The typed result of :func:`~customer_workbook.clv.rfm_summary` and
:func:`~customer_workbook.clv.calibration_and_holdout`: the per-customer table and how it was measured."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["PurchaseSummary", "summary_table"]


@dataclass(frozen=True)
class PurchaseSummary:
    """Per-customer purchase statistics of the customer-base models, with their units.

    ``table`` has index ``customer_id`` and ``frequency`` (repeat purchase periods), ``recency`` and ``T``
    (in ``time_unit``: "D" days or "W" weeks), ``monetary_value`` (mean repeat-purchase value, currency
    units); a calibration / holdout split adds ``frequency_holdout``, ``monetary_value_holdout`` and
    ``duration_holdout``. ``freq`` is the purchase period ("D" day, "W" 7-day block); ``excluded`` counts
    the customers left out and why ("no_purchase", "T_zero"). The models accept a summary wherever they
    accept its table, and read ``time_unit`` from it.
    """

    table: pd.DataFrame
    time_unit: str
    freq: str
    observation_end: pd.Timestamp
    excluded: Mapping[str, int] = field(default_factory=dict)
    calibration_end: pd.Timestamp | None = None

    def __len__(self) -> int:
        return len(self.table)


def summary_table(data):
    """The table of a :class:`PurchaseSummary`; anything else unchanged (a DataFrame or a mapping)."""
    return data.table if isinstance(data, PurchaseSummary) else data
