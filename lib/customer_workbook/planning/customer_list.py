"""The scored customer list: one row per customer with every score the series computes, for the CRM team.

Notebooks that score customers each write their columns to the run's private folder
(:func:`customer_workbook.privacy.private_folder`, ``reports/<run>/private/``): notebook 01 the segment and
persona, notebook 04 the probability of the prediction target, notebook 05 dormancy, customer value and the
recommended action. :func:`assemble` joins them into ``customer_scores.parquet`` and ``customer_scores.csv``
there; the batch assembles once more after all notebooks of a run have finished, so the list is complete
whatever order they ran in. The files hold real customer ids: no report links them.

>>> table = assemble(private_folder(findings_path))   # doctest: +SKIP
>>> list(table.columns) == SCORE_COLUMNS
True
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..retention.uplift import UPLIFT_DECISIONS

__all__ = ["LIST_NAME", "NO_SPECIFIC_ACTION", "SCORE_COLUMNS", "assemble", "columns_path", "recommended_actions",
           "write_columns"]

#: Columns of the list, in order. A column whose analysis did not run or did not pass its checks is empty.
SCORE_COLUMNS = ["customer_id", "persona", "segment", "dormancy_group", "p_alive", "expected_orders_1y", "clv_1y",
                 "clv_3y", "p_target", "target", "recommended_action"]
#: File name (without suffix) of the assembled list in the private folder.
LIST_NAME = "customer_scores"
#: The action of a customer no rule applies to.
NO_SPECIFIC_ACTION = "no specific action: regular communication"
#: Which notebook provides which columns, and under which name it wrote them.
_SOURCES = {"01_behaviour": {"persona_name": "persona", "segment": "segment"},
            "04_plan_phases": {"p_target": "p_target", "target": "target"},
            "05_plan_components": {c: c for c in ("dormancy_group", "p_alive", "expected_orders_1y", "clv_1y", "clv_3y",
                                                  "recommended_action")}}


def columns_path(folder: Path, notebook: str) -> Path:
    """Where ``notebook`` writes its per-customer columns: ``<folder>/<notebook>.customers.parquet``."""
    return Path(folder) / f"{notebook}.customers.parquet"


def write_columns(folder: Path, notebook: str, columns: pd.DataFrame) -> Path:
    """Write one notebook's per-customer columns (index: customer id) to the private ``folder``."""
    path = columns_path(folder, notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns.rename_axis("customer_id").reset_index().to_parquet(path, index=False)
    return path


def recommended_actions(index: pd.Index, dormancy_group: pd.Series | None = None,
                        winback_offers: Mapping[str, str] | None = None,
                        uplift_segment: pd.Series | None = None) -> pd.Series:
    """One action per customer: the first rule that applies.

    1. The uplift model's decision (:data:`~customer_workbook.retention.uplift.UPLIFT_DECISIONS`) for the
       customers it scored; pass ``uplift_segment`` only when the model passed its gate.
    2. The win-back offer of the customer's dormancy group, for the groups a win-back pays for
       (``winback_offers``: ``{group: offer}``, from :class:`~customer_workbook.retention.WinbackEconomics`).
    3. :data:`NO_SPECIFIC_ACTION`.

    Returns a Series of text indexed like ``index``.
    """
    action = pd.Series(NO_SPECIFIC_ACTION, index=index, dtype=object)
    if dormancy_group is not None and winback_offers:
        offer = dormancy_group.reindex(index).astype(object).map(
            {g: f"win back ({g}): {o}" for g, o in winback_offers.items()})
        action = action.where(offer.isna(), offer)
    if uplift_segment is not None:
        decided = uplift_segment.reindex(index).astype(object).map(UPLIFT_DECISIONS)
        action = action.where(decided.isna(), "retention offer: " + decided.astype(str))
    return action.rename("recommended_action")


def assemble(folder: Path) -> pd.DataFrame | None:
    """Join the notebooks' per-customer columns found in ``folder`` into the customer list and write it as
    ``customer_scores.parquet`` and ``.csv`` there (None, and nothing written, when no notebook wrote any).

    Every customer any notebook scored gets a row; columns of a notebook that did not write them are empty.
    """
    parts = []
    for notebook, names in _SOURCES.items():
        path = columns_path(folder, notebook)
        if path.exists():
            frame = pd.read_parquet(path).set_index("customer_id")
            parts.append(frame[[c for c in names if c in frame]].rename(columns=names))
    if not parts:
        return None
    table = pd.concat(parts, axis=1, join="outer").reindex(columns=SCORE_COLUMNS[1:])
    table = table.rename_axis("customer_id").reset_index().sort_values("customer_id", kind="stable")
    for column in ("persona", "segment", "dormancy_group", "target", "recommended_action"):
        table[column] = table[column].astype("string")
    numbers = ["p_alive", "expected_orders_1y", "clv_1y", "clv_3y", "p_target"]
    table[numbers] = table[numbers].astype("float64").round(6).replace([np.inf, -np.inf], np.nan)
    table.to_parquet(Path(folder) / f"{LIST_NAME}.parquet", index=False)
    table.to_csv(Path(folder) / f"{LIST_NAME}.csv", index=False)
    return table
