"""Constrained values and what real exports leave out: the user's own labels mapped onto the contract's
(``event_map``, ``status_map``), the order status applied (cancelled lines out, returned lines netted) and
data without a revenue column counted in purchases.

Everything here works on the distinct values of a categorical (a handful) or on whole columns at once;
nothing loops over rows or customers.
"""
from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches

import numpy as np
import pandas as pd

from ..contract import STATUS_CLASSES, TABLES, Column
from ..value_unit import MONEY as UNIT_CURRENCY
from ..value_unit import PURCHASES as UNIT_PURCHASES
from ._problems import MAX_EXAMPLES, DataValidationError, Problem, RowPlaces, shown

__all__ = ["MAP_PARAMETERS", "UNIT_CURRENCY", "UNIT_PURCHASES", "allowed_problem", "apply_status",
           "checked_value_maps", "fill_amount", "recode"]


#: Parameters of ``load_dataset`` that map a user's values onto a constrained column: {parameter: (table, column)}.
MAP_PARAMETERS: dict[str, tuple[str, str]] = {
    col.map_parameter: (spec.name, col.name)
    for spec in TABLES.values() for col in spec.columns if col.map_parameter
}
_MAX_VALUES_SHOWN = 10


# --------------------------------------------------------------------------- the maps themselves


def checked_value_maps(maps: Mapping[str, Mapping[str, str] | None]) -> dict[str, dict[str, str]]:
    """``{parameter: mapping}`` (``event_map``, ``status_map``) checked and normalised to
    ``{column: {their value: contract value}}`` keyed by ``"table.column"``.

    Each mapping must map text to text; keys are stripped (as the loader strips values); every target must
    be an allowed value of the column (or, for ``status_map``, any accepted status spelling, ignoring
    case). Raises :class:`DataValidationError` listing every problem, like a bad ``column_map``.
    """
    problems, out = [], {}
    for parameter, mapping in maps.items():
        table, column = MAP_PARAMETERS[parameter]
        col = TABLES[table].column(column)
        if mapping is None or (isinstance(mapping, Mapping) and not mapping):
            continue
        if not isinstance(mapping, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                       for k, v in mapping.items()):
            problems.append(Problem(table, column, f"{parameter} is {shown(mapping)}",
                                    f"a mapping {{your value: contract value}} of text to text, e.g. "
                                    f"{{'my_label': '{col.allowed[0]}'}}"))
            continue
        spellings = _spellings(col)
        normalised = {}
        for theirs, ours in mapping.items():
            target = ours if ours in col.allowed else spellings.get(ours.strip().lower())
            if target is None:
                close = get_close_matches(ours, [*col.allowed, *spellings], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(Problem(table, column, f"{parameter} maps {shown(theirs)} onto {shown(ours)}, "
                                        f"which is not an allowed value of '{column}'{hint}",
                                        f"one of {list(col.allowed)}{_other_spellings(col)}"))
            normalised[theirs.strip()] = target
        out[f"{table}.{column}"] = normalised
    if problems:
        raise DataValidationError(problems)
    return out


def _spellings(col: Column) -> dict[str, str]:
    """Lower-case spellings a column accepts beyond its exact allowed values: ``{spelling: allowed}``
    (only for columns with aliases, where case is ignored)."""
    if not col.aliases:
        return {}
    return {**{v.lower(): v for v in col.allowed}, **{a.lower(): v for a, v in col.aliases}}


def _other_spellings(col: Column) -> str:
    """The accepted spellings beyond the allowed values, for messages ('' when there are none)."""
    if not col.aliases:
        return ""
    return f" or another accepted spelling ({', '.join(a for a, _ in col.aliases)}; case ignored)"


def recode(values: pd.Series, col: Column, mapping: Mapping[str, str] | None = None) -> pd.Series:
    """A categorical column with the user's ``mapping`` (exact, stripped values) and the column's aliases
    (ignoring case) applied to its categories. Values neither maps stay as they are (the allowed-set check
    reports them). Works on the distinct values only; shape and index of ``values`` are kept."""
    mapping, spellings = dict(mapping or {}), _spellings(col)
    if not mapping and not spellings:
        return values
    categories = pd.Index(values.cat.categories, dtype="str")
    new = [mapping.get(c) or spellings.get(c.lower(), c) for c in categories]
    new_codes, new_categories = pd.factorize(pd.Index(new, dtype="str"), sort=True)
    codes = values.cat.codes.to_numpy()
    recoded = np.append(new_codes, -1)[codes]  # code -1 (missing) stays missing
    return pd.Series(pd.Categorical.from_codes(recoded, categories=pd.Index(new_categories, dtype="str")),
                     index=values.index, name=values.name)


def allowed_problem(values: pd.Series, raw: pd.Series, col: Column, table: str, file: str | None,
                    places: RowPlaces) -> Problem | None:
    """Rows whose value is outside ``col.allowed``: the values found, how many rows, example lines, and
    the parameter that maps them (``event_map``, ``status_map``) where there is one; None when all fit."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pd.Index(values.cat.categories, dtype="str")
        bad_categories = ~categories.isin(col.allowed)
        codes = values.cat.codes.to_numpy()
        bad = np.append(bad_categories, False)[codes]
        found = sorted(categories[np.unique(codes[bad])])
    else:
        bad = (values.notna() & ~values.astype(str).isin(col.allowed)).to_numpy()
        found = sorted(set(values[bad].astype(str)))
    if not bad.any():
        return None
    listed = ", ".join(shown(v) for v in found[:_MAX_VALUES_SHOWN]) + (", …" if len(found) > _MAX_VALUES_SHOWN else "")
    expected = f"one of {list(col.allowed)}{_other_spellings(col)}"
    if col.map_parameter:
        expected += f"; map your own values with the {col.map_parameter} parameter, e.g. {col.map_parameter}=" \
                    f"{{{shown(found[0])}: '<one of the above>'}}"
    return Problem(table, col.name, f"values outside the allowed set ({len(found)} distinct: {listed})",
                   expected, int(bad.sum()), places.examples(raw, bad, col.name), file)


# --------------------------------------------------------------------------- revenue and order status


def fill_amount(tx: pd.DataFrame, quality) -> str:
    """Without an ``amount`` column, give every line an amount of 1.0 (one purchase) and note it.

    Changes ``tx`` in place; returns the value unit: ``"purchases"`` when filled, else ``"currency units"``.
    """
    if "amount" in tx:
        return UNIT_CURRENCY
    at = tx.columns.get_loc("date") + 1 if "date" in tx else len(tx.columns)
    tx.insert(at, "amount", np.ones(len(tx), dtype="float64"))
    quality.add("transactions", "no amount column: each line counts as one purchase", len(tx), len(tx),
                "value analyses count purchases, not currency units")
    return UNIT_PURCHASES


def apply_status(tx: pd.DataFrame, places: RowPlaces, quality, file: str | None = None
                 ) -> tuple[pd.DataFrame, RowPlaces, list[Problem]]:
    """Apply ``transactions.status`` (already recoded to :data:`STATUS_CLASSES`).

    Blank statuses count as sales; cancelled lines are removed; each positive line with status
    ``return`` gets a matching negative line (amount and quantity negated, same order, customer, product
    and timestamp) right after it, so the order nets to what the customer kept. Returns the new table,
    where each of its rows sits in the file (an added line sits where its sale does) and problems (every
    line cancelled). Quality notes say how many lines each rule touched, with example lines.
    """
    if "status" not in tx:
        return tx, places, []
    n = len(tx)
    status = tx["status"].cat.set_categories(list(STATUS_CLASSES))
    blank = status.isna().to_numpy()
    quality.add("transactions", "lines without a status", int(blank.sum()), n, "counted as sales")
    codes = status.fillna("sale").cat.codes.to_numpy()
    cancelled = codes == STATUS_CLASSES.index("cancelled")
    if cancelled.all():
        return tx, places, [Problem("transactions", "status", "every line is cancelled",
                                    "at least one line that is a sale or a return", n, (), file)]
    quality.add("transactions", "cancelled lines (order status: cancelled)", int(cancelled.sum()), n,
                "left out: a cancelled order never happened", examples=_lines(places, cancelled))
    keep = np.flatnonzero(~cancelled)
    returned = keep[(codes[keep] == STATUS_CLASSES.index("return")) & (tx["amount"].to_numpy()[keep] > 0)]
    returned_mask = np.zeros(n, dtype=bool)
    returned_mask[returned] = True
    quality.add("transactions", "positive lines with order status 'return'", len(returned), n,
                "refund line added the same day: order nets to what was kept", examples=_lines(places, returned_mask))
    rows = np.concatenate([keep, returned])
    order = np.argsort(rows, kind="stable")  # each added line right after its sale
    out = tx.iloc[rows[order]].reset_index(drop=True)
    out["status"] = pd.Categorical.from_codes(codes[rows[order]], categories=list(STATUS_CLASSES))
    added = (np.arange(len(rows)) >= len(keep))[order]
    for column in ("amount", "quantity"):
        if column in out:
            values = out[column].to_numpy(copy=True)
            values[added] = -values[added]
            out[column] = values
    return out, RowPlaces(places.unit, places.first, places.of(rows[order])), []


def _lines(places: RowPlaces, mask: np.ndarray) -> tuple[str, ...]:
    """Up to :data:`MAX_EXAMPLES` file places of the rows in ``mask``, as ``line 7``."""
    return tuple(f"{places.unit} {n}" for n in places.of(np.flatnonzero(mask)[:MAX_EXAMPLES]))
