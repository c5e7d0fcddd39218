"""Readable names and sentences about changes, for the notebook's Markdown (user text escaped)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..escaping import md
from .attribution import Driver
from .metrics import metric_info
from ..findings import date_words, pp

__all__ = [
    "change_label", "driver_sentence", "counted", "register_records",
]


def change_label(key: str) -> str:
    """Readable name of a register metric key (``share_<channel>`` included)."""
    if key.startswith("share_"):
        return f"Share of orders in {key.removeprefix('share_')}"
    return metric_info(key).label


def driver_sentence(key: str, date: pd.Timestamp, driver: Driver | None) -> str:
    """One Markdown bullet saying which group drives the change of ``key`` at ``date`` (names escaped)."""
    head = f"- **{md(change_label(key))}** ({date_words(date)}): "
    if driver is None:
        return head + "shared by all customers: no group moved significantly more than the rest"
    if key.startswith("share_"):
        size = pp(driver.excess_change) + " of share"
    elif metric_info(key).kind == "count" or metric_info(key).table == "market":  # relative change
        size = f"{driver.excess_change:+.1%}"
    else:
        size = f"{driver.excess_change:+.3g} {metric_info(key).unit}"
    return head + f"driven by **{md(driver.label)}** ({size} against the rest of the customers)"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``"1 change"`` / ``"3 changes"``: a count with the noun in the number it needs (``plural`` defaults to
    ``singular + "s"``)."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def register_records(register: pd.DataFrame) -> list[dict]:
    """The register as one dict per row for the findings file, leaving out the fields a row does not have
    (no related event, no driving group, revenue at stake unknown) instead of storing them as missing."""
    def known(value) -> bool:
        return value is not None and value is not pd.NaT and value is not pd.NA and not (
            isinstance(value, (float, np.floating)) and not np.isfinite(value))

    return [{k: v for k, v in row.items() if known(v)} for row in register.to_dict(orient="records")]
