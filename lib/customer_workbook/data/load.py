"""Load and validate the data a user brings, following the contract in :mod:`customer_workbook.contract`.

>>> ds = load_dataset("data/sample")                       # a folder of <table>.csv / .parquet files
>>> ds.transactions.head()                                   # typed, validated, contract columns only
>>> ds.quality.to_frame()                                    # what was accepted but worth knowing
>>> ds = load_dataset({"transactions": "export/orders.csv"},
...                   column_map={"transactions": {"Kunde": "customer_id", "Datum": "date", "Umsatz": "amount"}})

Contract violations raise :class:`DataValidationError`, which lists every problem found: the file,
table, column, how many rows, up to five example rows (as file line numbers) and what was expected.
Recoverable issues (returns, zero-value lines, duplicate lines, missing optional values) are accepted
and listed in :attr:`Dataset.quality` instead of being silently dropped.

Real exports: an order ``status`` column removes cancelled lines and nets returned ones out (see
:mod:`customer_workbook.contract`, "Order status"); ``status_map`` and ``event_map`` map the user's own
labels onto the contract's; without an ``amount`` column every line is one purchase and
:attr:`Dataset.value_unit` says ``"purchases"``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import progress
from ..contract import TABLES, TableSpec
from ..engine import check_engine
from ..paths import resolve_path
from ._columns import convert_column
from ._dataset import Dataset, MissingTableError, QualityReport
from ._problems import DataValidationError, Problem, RowPlaces
from ._reading import SUFFIXES, RawTable, find_table_files, read_raw
from ._engine_checks import engine_problems
from ._sources import parse_source, read_source_table
from ._values import (MAP_PARAMETERS, UNIT_CURRENCY, allowed_problem, apply_status, checked_value_maps, fill_amount,
                      recode)

__all__ = ["DATE_COLUMN", "DataValidationError", "Dataset", "date_formats_by_column", "MissingTableError", "Problem", "QualityReport",
           "checked_value_maps", "filter_dataset", "find_table_files", "load_dataset", "read_table",
           "validate_table"]


# --------------------------------------------------------------------------- reading and typing


def read_table(path: str | Path, spec: TableSpec, rename: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read only the contract columns of one file (CSV values as text), renaming the user's columns first.

    Raises :class:`DataValidationError` for a file that cannot be read as it is: see
    :func:`customer_workbook._reading.read_raw`.
    """
    return read_raw(path, spec, rename).frame


def validate_table(raw: pd.DataFrame, spec: TableSpec, file: str | None = None,
                   places: RowPlaces | None = None, date_format: Mapping[str, str] | None = None,
                   notes: list | None = None, value_maps: Mapping[str, Mapping[str, str]] | None = None,
                   ) -> tuple[pd.DataFrame, list[Problem]]:
    """Type every column of ``raw`` by its contract kind and list what breaks the contract.

    ``places`` says where each row sits in the file (default: CSV lines, header on line 1);
    ``date_format`` maps date columns to a strptime format; ``notes`` (if given) collects
    ``(issue, rows, handling)`` quality notes; ``value_maps`` maps a constrained column's values onto
    its allowed ones, ``{column: {their value: contract value}}`` (``event_map``, ``status_map``), before
    they are checked. Returns the typed frame (same rows, contract columns only) and the problems found.
    """
    places = places or RowPlaces()
    if raw.empty:
        return raw, [Problem(spec.name, None, "table is empty", "at least one data row", file=file)]
    problems: list[Problem] = []
    typed = {}
    for name in raw.columns:
        col = spec.column(name)
        converted = convert_column(raw[name], col.kind, (date_format or {}).get(name))
        values = converted.values
        if col.allowed is not None and isinstance(values.dtype, pd.CategoricalDtype):
            values = recode(values, col, (value_maps or {}).get(name))
        missing_raw = _missing(raw[name])
        flagged = np.zeros(len(raw), dtype=bool)
        for flag in converted.flags:
            problems.append(Problem(spec.name, name, flag.issue, flag.expected, int(flag.mask.sum()),
                                    places.examples(raw[name], flag.mask, name), file))
            flagged |= flag.mask
        unread = values.isna().to_numpy() & ~missing_raw & ~flagged
        if unread.any():  # a safety net: nothing becomes missing without a word
            problems.append(Problem(spec.name, name, f"values that cannot be read as {_KIND_WORD[col.kind]}",
                                    _EXPECTED[col.kind], int(unread.sum()),
                                    places.examples(raw[name], unread, name), file))
        if not col.blanks_allowed and missing_raw.any():
            expected = "a value in every row" + ("" if col.required else " (the column may be left out, not left blank)")
            problems.append(Problem(spec.name, name, "missing values in a required column", expected,
                                    int(missing_raw.sum()), places.examples(raw[name], missing_raw, name), file))
        problems += _range_problems(values, col, raw, spec.name, file, places)
        if notes is not None:
            notes += converted.notes
        typed[name] = values
    frame = pd.DataFrame(typed, index=raw.index)
    if spec.key and all(k in frame for k in spec.key):
        dup = frame.duplicated(list(spec.key), keep=False).to_numpy()
        if dup.any():
            problems.append(Problem(spec.name, ", ".join(spec.key), "duplicate keys",
                                    f"each ({', '.join(spec.key)}) to appear once", int(dup.sum()),
                                    places.examples(raw[spec.key[0]], dup, spec.key[0]), file))
    return frame, problems


def _missing(raw: pd.Series) -> np.ndarray:
    """Missing values of one raw column: empty (or whitespace-only) cells and nulls."""
    missing = raw.isna().to_numpy().copy()
    if pd.api.types.is_string_dtype(raw) or raw.dtype == object:
        missing |= (raw.astype("str").str.strip() == "").fillna(False).to_numpy(dtype=bool)
    return missing


_KIND_WORD = {"date": "a date", "float": "a number", "int": "a whole number", "bool": "true/false",
              "category": "a label", "id": "an identifier", "text": "text"}

_EXPECTED = {
    "date": "a date such as 2024-03-31 or 2024-03-31 14:05",
    "float": "a number such as 12.5 (a dot as decimal separator, no currency sign)",
    "int": "a whole number",
    "bool": "true/false, yes/no or 1/0",
    "category": "a short label",
    "id": "an identifier",
    "text": "text",
}


def _range_problems(values: pd.Series, col, raw: pd.DataFrame, table: str, file, places: RowPlaces) -> list[Problem]:
    problems = []
    if col.allowed is not None:
        outside = allowed_problem(values, raw[col.name], col, table, file, places)
        problems += [outside] if outside is not None else []
    if col.low is not None or col.high is not None:
        low = -np.inf if col.low is None else col.low
        high = np.inf if col.high is None else col.high
        numeric = values.astype("float64").to_numpy()
        bad = ~np.isnan(numeric) & ((numeric < low) | (numeric > high))
        if bad.any():
            problems.append(Problem(table, col.name, "values out of range", f"values between {low:g} and {high:g}",
                                    int(bad.sum()), places.examples(raw[col.name], bad, col.name), file))
    return problems


# --------------------------------------------------------------------------- cross-table checks


def _isin(values: pd.Series, allowed: pd.Index) -> np.ndarray:
    """Boolean array: which ``values`` are in ``allowed`` (for identifiers: looks up each category once)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        found = np.append(_isin(pd.Series(values.cat.categories), allowed), False)  # code -1 (missing): False
        return found[values.cat.codes.to_numpy()]
    array = getattr(values.array, "_pa_array", None)
    if array is None:
        return values.isin(allowed).to_numpy()
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.is_in(array, value_set=pa.array(allowed.astype(str)))
    return found.to_numpy(zero_copy_only=False).astype(bool)


def _unknown_customers(tables: dict[str, pd.DataFrame], sources: dict[str, str],
                       places: dict[str, RowPlaces]) -> list[Problem]:
    """Customers referenced by transactions (and other customer tables) but absent from `customers`."""
    if tables.get("customers") is None:
        return []
    known = pd.Index(tables["customers"]["customer_id"].unique())
    problems = []
    for name in ("transactions", "surveys", "engagement", "campaigns"):
        frame = tables.get(name)
        if frame is None:
            continue
        unknown = ~_isin(frame["customer_id"], known)
        if unknown.any():
            problems.append(Problem(name, "customer_id", "customers missing from the 'customers' table",
                                    "every customer_id to be listed in 'customers'", int(unknown.sum()),
                                    places[name].examples(frame["customer_id"], unknown, "customer_id"), sources.get(name)))
    return problems


#: How an optional table that a period or region leaves empty is handled: as a table the data do not have.
EMPTY_HANDLING = "none left: the table counts as not supplied, and the sections that need it are skipped"
DATE_COLUMN = {"transactions": "date", "surveys": "date", "engagement": "date", "campaigns": "send_date",
               "marketing": "week", "market": "week"}


def _outside_window(tables, sources, places, window, quality: QualityReport, drop: bool) -> list[Problem]:
    """Rows dated outside the analysis window: an error, or dropped and noted when ``drop``."""
    start, end = (pd.Timestamp(w) if w is not None else None for w in window)
    problems = []
    for name, column in DATE_COLUMN.items():
        frame = tables.get(name)
        if frame is None:
            continue
        dates = frame[column]
        outside = np.zeros(len(frame), dtype=bool)
        if start is not None:
            outside |= (dates < start).to_numpy()
        if end is not None:
            outside |= (dates >= end + pd.Timedelta(days=1)).to_numpy()
        if not outside.any():
            continue
        if drop and name == "transactions" and outside.all():
            problems.append(Problem(name, column, "no transaction inside the analysis window",
                                    f"at least one date from {start} to {end}", int(outside.sum()),
                                    places[name].examples(frame[column], outside, column), sources.get(name)))
        elif drop:
            empty = outside.all()
            quality.add(name, f"rows outside the analysis window {start:%Y-%m-%d}..{end:%Y-%m-%d}"
                        if start is not None and end is not None else "rows outside the analysis window",
                        int(outside.sum()), len(frame), "left out of this analysis (period parameter)"
                        + (f"; {EMPTY_HANDLING}" if empty else ""))
            if empty:
                del tables[name]
            else:
                tables[name] = frame.loc[~outside].reset_index(drop=True)
        else:
            problems.append(Problem(name, column, "dates outside the analysis window",
                                    f"dates from {start} to {end}", int(outside.sum()),
                                    places[name].examples(frame[column], outside, column), sources.get(name)))
    return problems


# --------------------------------------------------------------------------- quality notes and preparation


def _count_exact_duplicates(frame: pd.DataFrame) -> int:
    """Rows identical to an earlier row in every column.

    Screens with a cheap 64-bit mix of date, amount and product first, then compares whole rows only
    among the candidates: seconds, not minutes, on tens of millions of lines.
    """
    columns = [frame["date"].to_numpy().astype("datetime64[ns]").view("int64"), frame["amount"].to_numpy().view("int64")]
    if "product_id" in frame:
        columns.append(pd.Categorical(frame["product_id"]).codes.astype("int64"))
    mixed = np.zeros(len(frame), dtype=np.uint64)
    for values in columns:  # boost-style hash combine; collisions only add candidates
        mixed ^= values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15) + (mixed << np.uint64(6)) + (mixed >> np.uint64(2))
    candidates = pd.Series(mixed).duplicated(keep=False).to_numpy()
    return int(frame[candidates].duplicated().sum()) if candidates.any() else 0


def _prepare_transactions(tx: pd.DataFrame, quality: QualityReport) -> pd.DataFrame:
    """Derive order ids when absent and note recoverable issues (returns, zero lines, duplicates)."""
    n = len(tx)
    if "order_id" not in tx or tx["order_id"].isna().all():
        codes = tx.groupby(["customer_id", "date"], sort=False, observed=True).ngroup().to_numpy()
        names = "O" + pd.Index(np.arange(codes.max() + 1 if len(codes) else 0)).astype("str")
        tx["order_id"] = pd.Categorical.from_codes(codes, categories=names)
        quality.add("transactions", "no order_id: orders derived from customer and timestamp", n, n,
                    "lines with the same customer and timestamp form one order")
    amount = tx["amount"].to_numpy()
    quality.add("transactions", "return / refund lines (negative amount)", int((amount < 0).sum()), n,
                "kept: they reduce net revenue; CLV counts a purchase only when a day's net amount is positive")
    quality.add("transactions", "zero-value lines", int((amount == 0).sum()), n,
                "kept: they count as activity but add no revenue")
    quality.add("transactions", "exact duplicate lines", _count_exact_duplicates(tx), n,
                "kept: check your export if these are not genuine repeat lines")
    if "quantity" in tx:
        odd = (tx["quantity"].to_numpy() < 0) & (amount > 0)
        quality.add("transactions", "lines with a negative quantity but a positive amount", int(odd.sum()), n,
                    "kept as they are: check whether these returns carry the wrong sign on the amount")
    return tx


def _share_customer_codes(tables: dict[str, pd.DataFrame]) -> None:
    """Give every table's ``customer_id`` the same sorted categories, so joins between tables compare
    integer codes and customers sort by their id."""
    columns = [frame["customer_id"] for frame in tables.values() if "customer_id" in frame]
    categories = columns[0].cat.categories.sort_values()
    for column in columns[1:]:
        categories = categories.union(column.cat.categories)  # sorted
    for frame in tables.values():
        if "customer_id" in frame:
            frame["customer_id"] = frame["customer_id"].cat.set_categories(categories)


def _note_missing_optional(tables: dict[str, pd.DataFrame], quality: QualityReport) -> None:
    for name, frame in tables.items():
        spec = TABLES[name]
        for col in spec.columns:
            if not col.required and col.name in frame:
                quality.add(name, f"missing values in optional column '{col.name}'",
                            int(frame[col.name].isna().sum()), len(frame),
                            "kept: analyses that use this column skip these rows")


# --------------------------------------------------------------------------- public entry point


def load_dataset(
    source: str | Path | Mapping[str, str | Path],
    column_map: Mapping[str, Mapping[str, str]] | None = None,
    window: tuple[str | None, str | None] | None = None,
    outside_window: str = "error",
    date_format: str | Mapping[str, str | Mapping[str, str]] | None = None,
    event_map: Mapping[str, str] | None = None,
    status_map: Mapping[str, str] | None = None,
    engine: str | None = None,
) -> Dataset:
    """Load, type and validate the contract tables.

    Parameters
    ----------
    source
        A folder holding ``<table>.csv`` / ``.csv.gz`` / ``.parquet`` files named after the contract
        tables, a mapping ``{table: path}``, or a database (``duckdb:shop.duckdb``, ``sqlite:shop.db``,
        ``spark:<database>``, see :mod:`._sources`) validated with the same messages (``row N`` for a line);
        its contract columns are fetched as typed pandas frames until every analysis reads derived tables.
    column_map
        ``{table: {their_column: contract_column}}`` to rename the user's columns.
    window
        ``(start, end)`` dates (inclusive, either may be ``None``) of the analysis period.
    outside_window
        ``"error"`` (default) reports dated rows outside ``window`` as contract violations;
        ``"drop"`` leaves them out and notes how many in the quality report.
    date_format
        strptime format of dates that are not ISO 8601 or otherwise unambiguous, e.g. ``"%d/%m/%Y"``:
        one for every date column, ``{table: format}`` or ``{table: {column: format}}``. The day/month
        order of dates such as 05/01/2024 is never guessed; without a format they are errors.
    event_map
        ``{their_event: contract_event}`` for ``engagement.event``, e.g. ``{"5-star review": "review"}``;
        targets must be in :data:`customer_workbook.contract.ENGAGEMENT_EVENTS`. Values neither mapped nor
        allowed are errors listing them and their lines.
    status_map
        ``{their_status: class}`` for ``transactions.status`` (classes ``sale``, ``cancelled``, ``return``,
        or any accepted spelling such as ``"refunded"``). Statuses the contract accepts need no entry
        (see :mod:`customer_workbook.contract`, "Order status"); others not mapped are errors.
    engine
        Where the derived tables are built: ``"duckdb"`` (default), ``"spark"`` or ``"pandas"``.

    Returns
    -------
    Dataset
        Typed contract columns, their files, a quality report, the unit of ``amount`` and the engine.

    Raises
    ------
    DataValidationError
        Listing every violation (file, table, column, count, up to 5 example rows, what was expected).
    """
    engine = check_engine(engine)
    files = _source_files(source)
    column_map = _checked_column_map(column_map, files)
    value_maps = _checked_value_maps({"event_map": event_map, "status_map": status_map}, files)
    formats = date_formats_by_column(date_format)
    window = _checked_window(window)
    _check_choice("outside_window", outside_window, ("error", "drop"))
    tables, sources, places, problems = {}, {}, {}, []
    quality = QualityReport()
    for name, (where, raw) in _read_tables(source, files, column_map, value_maps, formats).items():
        sources[name] = where
        if isinstance(raw, DataValidationError):
            problems += raw.problems
            continue
        problems += _unused_value_maps(value_maps, name, raw.frame, sources[name])
        notes = list(raw.notes)
        frame, found = validate_table(raw.frame, TABLES[name], sources[name], raw.places, formats.get(name), notes,
                                      value_maps.get(name))
        for issue, count, handling in notes:
            quality.add(name, issue, count, len(raw.frame), handling)
        problems += found
        tables[name], places[name] = frame, raw.places
    if problems:
        raise DataValidationError(problems)
    value_unit = _across_tables(tables, sources, places, quality, window, drop=outside_window == "drop")
    tables["transactions"] = _prepare_transactions(tables["transactions"], quality)
    _share_customer_codes(tables)
    _note_missing_optional(tables, quality)
    return Dataset(tables=tables, sources=sources, quality=quality, value_unit=value_unit, engine=engine)


def _read_tables(source, files: dict[str, Path], column_map, value_maps=None, formats=None
                 ) -> dict[str, tuple[str, RawTable | DataValidationError]]:
    """Each table's contract columns as read from its file or database table, by table name: where it is
    (the file, or the database and table) and what was read, or the error that stopped the reading. A
    DuckDB or Spark table is checked inside its engine first (:mod:`._engine_checks`): its problems raise,
    unfetched."""
    database = parse_source(source)
    in_database = database.tables() if database is not None else {}
    if database is not None and database.kind in ("duckdb", "spark"):
        with progress.step(f"Checking the contract inside {database.kind}"):
            found = engine_problems(database, in_database, column_map, value_maps or {}, formats or {})
        if found:
            raise DataValidationError(found)
    out = {}
    for name, path in progress.blocks(files.items(), "Reading the tables", total=len(files), unit="table"):
        where = database.where(in_database[name]) if database is not None else str(path)
        try:
            out[name] = where, (read_source_table(database, in_database[name], TABLES[name], column_map.get(name))
                                if database is not None else read_raw(path, TABLES[name], column_map.get(name)))
        except DataValidationError as exc:
            out[name] = where, exc
    return out


def _check_choice(name: str, value, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be {' or '.join(repr(c) for c in choices)}")


def _across_tables(tables, sources, places, quality: QualityReport, window, drop: bool) -> str:
    """The checks and changes that follow the typing of each table, in order: customers known to
    ``customers``; ``amount`` filled when absent; the order status applied; the analysis window. Changes
    ``tables`` and ``places`` in place, raises :class:`DataValidationError`; returns the value unit."""
    problems = _unknown_customers(tables, sources, places)
    if problems:
        raise DataValidationError(problems)
    value_unit = fill_amount(tables["transactions"], quality)
    tables["transactions"], places["transactions"], problems = apply_status(
        tables["transactions"], places["transactions"], quality, sources["transactions"])
    if not problems and window is not None:
        problems += _outside_window(tables, sources, places, window, quality, drop)
    if problems:
        raise DataValidationError(problems)
    return value_unit


def _checked_value_maps(maps, files) -> dict[str, dict[str, dict[str, str]]]:
    """``event_map`` / ``status_map`` checked (see :func:`checked_value_maps`) as {table: {column: map}};
    a non-empty map for a table without a file is an error, as for ``column_map``."""
    problems = []
    for parameter, mapping in maps.items():
        table, _ = MAP_PARAMETERS[parameter]
        if mapping and table not in files:
            problems.append(Problem(table, None, f"{parameter} is given but no '{table}' file was found",
                                    f"a file for '{table}', or {parameter} left empty; tables found: {sorted(files)}"))
    try:
        checked = checked_value_maps(maps)
    except DataValidationError as exc:
        problems += exc.problems
    if problems:
        raise DataValidationError(problems)
    by_table: dict[str, dict[str, dict[str, str]]] = {}
    for key, mapping in checked.items():
        table, column = key.split(".")
        by_table.setdefault(table, {})[column] = mapping
    return by_table


def _unused_value_maps(value_maps, table: str, frame: pd.DataFrame, file: str) -> list[Problem]:
    """A value map for a column the file does not have (``status_map`` without a status column)."""
    parameter = {v: k for k, v in MAP_PARAMETERS.items()}
    return [Problem(table, column, f"{parameter[(table, column)]} is given but the file has no '{column}' column",
                    f"a '{column}' column (rename yours with column_map), or {parameter[(table, column)]} left empty",
                    file=file)
            for column, mapping in value_maps.get(table, {}).items() if mapping and column not in frame]


def _source_files(source) -> dict[str, Path]:
    """The table files of a folder, or of a ``{table: path}`` mapping; transactions must be there. For a
    database file (:func:`._sources.parse_source`), the file for each contract table it holds, so that a
    changed database changes :func:`customer_workbook.cache.data_fingerprint`."""
    database = parse_source(source)
    if database is not None:
        found = database.tables()
        if "transactions" not in found:
            raise DataValidationError([Problem("transactions", None, "table not found",
                                               f"a transactions table in {database}; tables found: {sorted(found)}")])
        return {name: database.path or Path(database.location) for name in found}
    if isinstance(source, (str, Path)):
        files = find_table_files(source)
        where = resolve_path(source)
    else:
        unknown = sorted(set(source) - set(TABLES))
        if unknown:
            raise ValueError(f"Unknown table name(s) {unknown}; the contract's tables are {list(TABLES)}")
        files = {name: resolve_path(path) for name, path in source.items()}
        where = None
    if "transactions" not in files:
        near = sorted(p.name for p in where.iterdir() if p.name.lower().startswith("transaction")) if where else []
        seen = f"; found {near}" if near else ""
        raise DataValidationError([Problem("transactions", None, "table not found", "a transactions file "
                                           f"(transactions{', transactions'.join(SUFFIXES)} in {source}){seen}")])
    return files


def _checked_column_map(column_map, files) -> dict[str, dict[str, str]]:
    """``column_map`` as {table: {their column: contract column}}; unknown or absent tables are errors."""
    column_map = dict(column_map or {})
    problems = []
    for table, mapping in column_map.items():
        if table not in TABLES:
            problems.append(Problem(str(table), None, "column_map names a table that is not in the contract",
                                    f"one of {list(TABLES)}"))
        elif table not in files:
            problems.append(Problem(table, None, "column_map names a table for which no file was found",
                                    f"one of the tables found: {sorted(files)}"))
        elif not isinstance(mapping, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                         for k, v in mapping.items()):
            problems.append(Problem(table, None, f"column_map entry is {mapping!r}",
                                    "a mapping {their_column: contract_column} of text to text"))
    if problems:
        raise DataValidationError(problems)
    return column_map


def date_formats_by_column(date_format) -> dict[str, dict[str, str]]:
    """``date_format`` as {table: {date column: format}}. Accepts one format for every date column,
    {table: format} or {table: {column: format}}."""
    date_columns = {name: [c.name for c in spec.columns if c.kind == "date"] for name, spec in TABLES.items()}
    if date_format is None:
        return {}
    if isinstance(date_format, str):
        return {name: dict.fromkeys(cols, date_format) for name, cols in date_columns.items()}
    if not isinstance(date_format, Mapping):
        raise ValueError(f"date_format must be a format such as '%d/%m/%Y', or a mapping by table; got {date_format!r}")
    formats = {}
    for table, value in date_format.items():
        if table not in TABLES:
            raise ValueError(f"date_format names table {table!r}, which is not in the contract; tables: {list(TABLES)}")
        if isinstance(value, str):
            formats[table] = dict.fromkeys(date_columns[table], value)
            continue
        unknown = [c for c in value if c not in date_columns[table]]
        if unknown:
            raise ValueError(f"date_format names {unknown} in table {table!r}; its date columns are {date_columns[table]}")
        formats[table] = dict(value)
    return formats


def _checked_window(window) -> tuple[pd.Timestamp | None, pd.Timestamp | None] | None:
    """The analysis window as timestamps; each end must be an ISO date (YYYY-MM-DD) or None."""
    if window is None:
        return None
    ends = []
    for label, value in zip(("start_date", "end_date"), window):
        if value is None:
            ends.append(None)
            continue
        try:
            ends.append(pd.Timestamp(pd.to_datetime(str(value), format="%Y-%m-%d")))
        except ValueError:
            raise ValueError(f"{label} {value!r} is not a date written as YYYY-MM-DD") from None
    if ends[0] is not None and ends[1] is not None and ends[0] > ends[1]:
        raise ValueError(f"start_date {window[0]} is after end_date {window[1]}")
    return ends[0], ends[1]


def filter_dataset(ds: Dataset, region: str | None = None) -> Dataset:
    """Keep only the customers of one region (the business-unit filter); ``None`` keeps everyone. An optional
    table with no row for the region counts as not supplied, with a quality note.

    Needs the ``customers`` table with a ``region`` column when ``region`` is given.
    """
    if region is None:
        return ds
    customers = ds.require("customers")
    if "region" not in customers:
        raise MissingTableError("Filtering by business unit needs the 'region' column of 'customers'.")
    regions = sorted(customers["region"].dropna().astype(str).unique())
    if region not in regions:
        raise ValueError(f"Business unit (region) {region!r} not in the data; choose one of {regions}")
    keep = pd.Index(customers.loc[customers["region"].astype(str) == region, "customer_id"])
    tables = {name: (frame[frame["customer_id"].isin(keep)].reset_index(drop=True)
                     if frame is not None and "customer_id" in frame else frame)
              for name, frame in ds.tables.items()}
    quality = QualityReport(notes=list(ds.quality.notes))
    for name, frame in list(tables.items()):
        if name != "transactions" and frame is not None and frame.empty and len(ds.tables[name]):
            quality.add(name, f"no rows for business unit {region}", len(ds.tables[name]), len(ds.tables[name]),
                        EMPTY_HANDLING)
            del tables[name]
    return Dataset(tables=tables, sources=ds.sources, quality=quality, value_unit=ds.value_unit, engine=ds.engine)
