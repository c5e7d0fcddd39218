"""Derived tables and conventions shared by every analysis, built from the validated transactions.

- :mod:`.calendar`: the week (Monday start) and which weeks the data cover in full.
- :mod:`.orders`: the order table, one row per order (net of returns, or sale lines only).
- :mod:`.lines`: purchase lines and plain identifier indexes.
"""
from .calendar import full_weeks, week_start
from .orders import order_table

__all__ = ["full_weeks", "order_table", "week_start"]
