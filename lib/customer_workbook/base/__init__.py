"""Derived tables and conventions shared by every analysis, built from the validated transactions.

- :mod:`.calendar`: the week (Monday start) and which weeks the data cover in full.
"""
from .calendar import full_weeks, week_start

__all__ = ["full_weeks", "week_start"]
