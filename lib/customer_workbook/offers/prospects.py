"""Non-customers: prospective, rejected and unexplored, and the must-have needs of each group.

People who are not (yet) customers come in three kinds: **prospective** ones have the need and can pay,
**rejected** ones lack at least one of the two (a product for a need they lack, or a price they can pay,
may still win them: innovate rather than invent), **unexplored** ones we know too little about. Their
must-have needs (the contract's ``prospects.top_need``) must be met before any nice-to-have.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["classify_prospects", "must_have_needs"]


def classify_prospects(prospects: pd.DataFrame) -> pd.DataFrame:
    """Prospective, rejected and unexplored non-customers, with the trait the rejected fail on.

    Rules: ``prospective`` - ``has_need`` and ``can_pay`` both true; ``rejected`` - at least one is
    false (a false beats a blank); ``unexplored`` - no false, but at least one blank. ``fails_on`` is
    ``need``, ``ability to pay`` or ``both`` for the rejected, empty otherwise.

    Returns
    -------
    DataFrame, a copy of ``prospects`` (n rows) with ``group`` and ``fails_on`` columns.
    """
    need = prospects["has_need"].astype("boolean")
    pay = prospects["can_pay"].astype("boolean")
    no_need = (need == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712 (nullable boolean)
    no_pay = (pay == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    yes = ((need == True) & (pay == True)).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    group = np.select([no_need | no_pay, yes], ["rejected", "prospective"], "unexplored")
    fails = np.select([no_need & no_pay, no_need, no_pay], ["both", "need", "ability to pay"], "")
    return prospects.assign(group=group, fails_on=fails)


def must_have_needs(classified: pd.DataFrame) -> pd.DataFrame:
    """Ranked must-have needs (``top_need``) per non-customer group (:func:`classify_prospects`).

    The rejected are split by the trait they fail on, because the fix differs (a product for a need
    they lack vs a price they can pay).

    Returns
    -------
    DataFrame, one row per group (sorted by name): ``segment``, ``prospects``, ``share`` (of all
    prospects, 0-1), ``top_need``, ``top_need_share`` (0-1), ``second_need``, ``needs`` (every need
    with its share, as text), ``top_need_clear`` (the top need's share is measurably above every other
    need's in the group: :func:`~customer_workbook.stats.share_leader`, 90% level, Holm-corrected) and
    ``tied_needs`` (the needs not separated from the top one, the top first, comma-separated).
    """
    from ..stats import share_leader

    seg = np.where(classified["group"] == "rejected", "rejected (fails on " + classified["fails_on"] + ")",
                   classified["group"])
    frame = pd.DataFrame({"segment": seg, "need": classified["top_need"].astype("string")})
    rows = []
    for name, g in frame.groupby("segment", sort=True):  # a handful of groups
        shares = g["need"].value_counts(normalize=True)
        lead = share_leader(g["need"].value_counts().to_dict())
        rows.append({"segment": name, "prospects": len(g), "share": len(g) / len(frame),
                     "top_need": shares.index[0] if len(shares) else None,
                     "top_need_share": float(shares.iloc[0]) if len(shares) else np.nan,
                     "second_need": shares.index[1] if len(shares) > 1 else None,
                     "needs": ", ".join(f"{k} {v:.0%}" for k, v in shares.items()),
                     "top_need_clear": lead.clear, "tied_needs": ", ".join(lead.tied)})
    return pd.DataFrame(rows)
