"""Derived tables and conventions shared by every analysis, built from the validated transactions.

- :mod:`.derived`: :func:`derived` gives the run's tables (orders, the per-customer table), built once.
- :mod:`.calendar`: the week (Monday start) and which weeks the data cover in full.
- :mod:`.orders`: the order table, one row per order (net of returns, or sale lines only).
- :mod:`.customers`: the per-customer table and the glossary of its feature names.
- :mod:`.metrics`: weekly volumes, channel shares and seasonality of the whole business.
- :mod:`.coverage`: what a dataset covers (tables, volumes, span, reach of the optional tables).
- :mod:`.lines`: purchase lines and plain identifier indexes.
"""
from .calendar import full_weeks, week_start
from .customers import customer_features
from .derived import DerivedTables, derived
from .metrics import channel_shares, seasonality_index, weekly_volumes
from .orders import order_table

__all__ = ["DerivedTables", "channel_shares", "customer_features", "derived", "full_weeks", "order_table",
           "seasonality_index", "week_start", "weekly_volumes"]
