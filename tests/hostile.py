"""A hostile copy of a sample company: every text value that reaches a report carries a payload.

Each distinct value of a text column becomes ``payload + original`` (so values stay distinct and the
analyses still find their structure), the payloads cycling through script tags, event-handler tags, a
Markdown ``javascript:`` link, matplotlib mathtext and one value longer than 200 characters. Columns
with an ``allowed`` set in the data contract (engagement events, product tiers, reasons ...) keep their
values, as the contract demands; ``income_band`` keeps its low / middle / high vocabulary, which the
persona features read as a level (``base.customer_features``). Customer ids become e-mail
addresses, which must never reach a report.

>>> hostile_value("store", 0)
'<script>alert(1)</script>store'
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from customer_workbook.contract import TABLES

LONG_PAYLOAD = ("A very long label that keeps going " * 7).strip() + " <b>end</b> "
PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
            "[x](javascript:alert(1))", "$\\unicode{41}$", "50$ off ", LONG_PAYLOAD)
assert len(LONG_PAYLOAD) > 200

#: Text columns rewritten, per table: every id, category and free-text column that a report can show.
HOSTILE_COLUMNS = {
    "transactions": ("product_id", "channel"),
    "customers": ("acquisition_channel", "region", "gender"),
    "products": ("product_id", "category"),
    "marketing": ("channel",),
    "market": ("competitor_event", "channel_launch"),
    "campaigns": ("campaign",),
    "prospects": ("prospect_id", "source", "region"),
}
#: Values that map to the same hostile value in every table that holds them (joins keep working).
SHARED = {"product_id": "product_id", "channel": "channel", "acquisition_channel": "channel",
          "region": "region"}


def hostile_value(value: str, i: int) -> str:
    """``value`` with the ``i``-th payload (cycling) in front."""
    return PAYLOADS[i % len(PAYLOADS)] + value


def email_id(value: str, i: int) -> str:
    """A customer id that is an e-mail address: personal data that must stay out of every report."""
    first = ("anna", "bert", "carla", "dirk", "eva", "frank")[i % 6]
    last = ("jansen", "smith", "müller", "o'neil", "lee")[i % 5]
    return f"{first}.{last}+{i}@example.com"


def make_hostile(source: Path, target: Path, offset: int = 0) -> dict:
    """Write a hostile copy of the sample in ``source`` (parquet tables) to ``target``; ``offset`` shifts
    which payload each value gets (to try every payload at every place).

    Returns ``{"customer_ids": {original: email}, "values": {column: {original: hostile}}}``.
    """
    target.mkdir(parents=True, exist_ok=True)
    tables = {p.stem: pd.read_parquet(p) for p in sorted(source.glob("*.parquet")) if p.stem in TABLES}
    all_ids = sorted(set().union(*(set(t["customer_id"].dropna()) for t in tables.values() if "customer_id" in t)))
    ids = {c: email_id(c, i) for i, c in enumerate(all_ids)}
    maps: dict[str, dict[str, str]] = {}
    counter = offset
    for name, frame in tables.items():
        for column in HOSTILE_COLUMNS.get(name, ()):
            if column not in frame or TABLES[name].column(column).allowed:
                continue
            key = SHARED.get(column, f"{name}.{column}")
            mapping = maps.setdefault(key, {})
            for value in pd.unique(frame[column].dropna()):
                if value not in mapping:
                    mapping[value] = hostile_value(str(value), counter)
                    counter += 1
            frame[column] = frame[column].map(mapping).astype(frame[column].dtype)
        if "customer_id" in frame:
            frame["customer_id"] = frame["customer_id"].map(ids).astype(frame["customer_id"].dtype)
        frame.to_parquet(target / f"{name}.parquet", index=False)
    return {"customer_ids": ids, "values": maps}
