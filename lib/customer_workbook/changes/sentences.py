"""Readable names and sentences about changes, for the notebook's Markdown (user text escaped)."""
from __future__ import annotations

import pandas as pd

from ..escaping import md
from .attribution import Driver
from .metrics import metric_info

__all__ = [
    "change_label", "driver_sentence",
]


def change_label(key: str) -> str:
    """Readable name of a register metric key (``share_<channel>`` included)."""
    if key.startswith("share_"):
        return f"Share of orders in {key.removeprefix('share_')}"
    return metric_info(key).label


def driver_sentence(key: str, date: pd.Timestamp, driver: Driver | None) -> str:
    """One Markdown bullet saying which group drives the change of ``key`` at ``date`` (names escaped)."""
    head = f"- **{md(change_label(key))}** ({date:%d %b %Y}): "
    if driver is None:
        return head + "shared by all customers: no group moved significantly more than the rest"
    if key.startswith("share_"):
        size = f"{driver.excess_change:+.1%} points of share"
    elif metric_info(key).kind == "count" or metric_info(key).table == "market":  # relative change
        size = f"{driver.excess_change:+.1%}"
    else:
        size = f"{driver.excess_change:+.3g} {metric_info(key).unit}"
    return head + f"driven by **{md(driver.label)}** ({size} against the rest of the customers)"
