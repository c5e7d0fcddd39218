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
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import TABLES, TableSpec
from .paths import resolve_path

MAX_EXAMPLES = 5
TRUE_WORDS = {"true", "t", "yes", "y", "1", "1.0"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "0.0"}


@dataclass(frozen=True)
class Problem:
    """One contract violation: where it is, how many rows, examples and what was expected."""

    table: str
    column: str | None
    issue: str
    expected: str
    count: int = 0
    examples: tuple[str, ...] = ()
    file: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        col = f", column '{self.column}'" if self.column else ""
        rows = f" in {self.count:,} row(s)" if self.count else ""
        text = f"{where}table '{self.table}'{col}: {self.issue}{rows}; expected {self.expected}."
        if self.examples:
            text += " Examples: " + "; ".join(self.examples)
        return text


class DataValidationError(ValueError):
    """The data breaks the contract. ``problems`` lists every violation found, for every table."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"The data does not meet the workbook's data contract ({len(problems)} problem(s)):\n{lines}")


class MissingTableError(LookupError):
    """An analysis asked for an optional table the dataset does not have."""


@dataclass
class QualityReport:
    """Recoverable data issues: accepted, counted and explained rather than silently dropped."""

    notes: list[dict] = field(default_factory=list)

    def add(self, table: str, issue: str, count: int, rows: int, handling: str) -> None:
        if count:
            self.notes.append({"table": table, "issue": issue, "rows": int(count),
                               "share": round(count / max(rows, 1), 4), "handling": handling})

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.notes, columns=["table", "issue", "rows", "share", "handling"])


@dataclass
class Dataset:
    """The validated tables. ``transactions`` is always present; other tables may be ``None``."""

    tables: dict[str, pd.DataFrame]
    sources: dict[str, str]
    quality: QualityReport

    def has(self, name: str) -> bool:
        """True when the optional table ``name`` was supplied and is not empty."""
        return self.tables.get(name) is not None

    def require(self, name: str) -> pd.DataFrame:
        """Return table ``name`` or raise :class:`MissingTableError` saying what it would enable."""
        if not self.has(name):
            raise MissingTableError(f"This needs the optional '{name}' table: {TABLES[name].description}")
        return self.tables[name]

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        if name in TABLES:
            return self.tables.get(name)
        raise AttributeError(name)

    @property
    def missing(self) -> list[str]:
        """Optional contract tables that were not supplied."""
        return [name for name in TABLES if not self.has(name)]


# --------------------------------------------------------------------------- reading files


def find_table_files(folder: str | Path) -> dict[str, Path]:
    """Map each contract table to ``<table>.parquet`` / ``.csv`` / ``.csv.gz`` found in ``folder``."""
    folder = resolve_path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"Data folder not found: {folder}")
    found = {}
    for name in TABLES:
        for suffix in (".parquet", ".csv", ".csv.gz"):
            path = folder / f"{name}{suffix}"
            if path.exists():
                found[name] = path
                break
    return found


def _first_bad_utf8_line(path: Path) -> tuple[int, str]:
    """Line number (1-based) and byte of the first invalid UTF-8 sequence in a file."""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, f"0x{line[exc.start]:02X}"
    return 0, "?"


def read_table(path: str | Path, spec: TableSpec, rename: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read only the contract columns of one CSV or Parquet file, renaming the user's columns first.

    CSV values are read as text (typing happens in :func:`validate_table`); a UTF-8 byte-order mark
    is accepted. Raises :class:`DataValidationError` for a file that is not UTF-8 or lacks a required column.
    """
    path = resolve_path(path)
    rename = dict(rename or {})
    available = _file_columns(path)
    wanted = {src: rename.get(src, src) for src in available if rename.get(src, src) in spec.column_names}
    missing = [c for c in spec.required_columns if c not in wanted.values()]
    if missing:
        raise DataValidationError([Problem(
            spec.name, ", ".join(missing), "required column(s) missing",
            f"columns {spec.required_columns} (found {available}; use column_map to rename yours)", file=str(path))])
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path, columns=list(wanted))
    else:
        try:
            frame = pd.read_csv(path, usecols=list(wanted), dtype=str, engine="pyarrow")
        except pd.errors.ParserError as exc:
            if "UTF8" not in str(exc):
                raise
            line, byte = _first_bad_utf8_line(path)
            raise DataValidationError([Problem(
                spec.name, None, f"file is not UTF-8 text (first invalid byte {byte} on line {line})",
                "UTF-8 encoded text; re-export or convert the file to UTF-8", file=str(path))]) from None
    return frame.rename(columns=wanted)


def _file_columns(path: Path) -> list[str]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    with open(path, "rb") as fh:
        header = fh.readline().decode("utf-8-sig", errors="replace").strip()
    return [c.strip().strip('"') for c in header.split(",")]


# --------------------------------------------------------------------------- typing and validation


def _examples(frame: pd.DataFrame, mask: np.ndarray, column: str, line_offset: int) -> tuple[str, ...]:
    """Up to five offending rows as 'line N: value' (line numbers as in a CSV with one header line)."""
    idx = np.flatnonzero(mask)[:MAX_EXAMPLES]
    values = frame[column].to_numpy()[idx] if column in frame else [""] * len(idx)
    return tuple(f"line {i + line_offset}: {column}={v!r}" for i, v in zip(idx, values))


def _missing(raw: pd.Series) -> np.ndarray:
    """Missing or blank values of one raw column (boolean array)."""
    missing = raw.isna().to_numpy().copy()
    if pd.api.types.is_string_dtype(raw) or raw.dtype == object:
        missing |= (raw.astype(str).str.strip() == "").fillna(False).to_numpy(dtype=bool)
    return missing


def _convert(raw: pd.Series, kind: str) -> pd.Series:
    """Convert one column to its contract kind; values that cannot be converted become missing."""
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(raw):
            out = raw
        else:
            text = raw.astype(str)
            out = pd.to_datetime(text, format="ISO8601", errors="coerce")
            if out.isna().sum() > raw.isna().sum():
                out = pd.to_datetime(text, format="mixed", errors="coerce")
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_convert("UTC").dt.tz_localize(None)
        return out.astype("datetime64[ns]")
    if kind in ("float", "int"):
        out = pd.to_numeric(raw, errors="coerce").astype("float64")
        if kind == "int" and out.notna().all() and (out == np.round(out)).all():
            return out.astype("int64")
        return out
    if kind == "bool":
        if pd.api.types.is_bool_dtype(raw):
            return raw.astype("boolean")
        words = raw.astype(str).str.strip().str.lower()
        out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        out[words.isin(TRUE_WORDS)] = True
        out[words.isin(FALSE_WORDS)] = False
        return out
    if kind == "category":
        return raw.astype(str).str.strip().astype("category")
    return _identifier_codes(raw) if kind == "id" else raw.astype(str)


def _identifier_codes(raw: pd.Series) -> pd.Series:
    """An identifier column as a categorical of stripped text (categories in order of appearance).

    Identifiers repeat (a customer has many lines): hashing the text once here lets every later
    group-by, join and look-up work on integer codes, which is what keeps 20M-line data fast and small.
    """
    codes, uniques = pd.factorize(raw)
    text_codes, categories = pd.factorize(pd.Index(uniques).astype("str").str.strip())  # " C1" and "C1" merge
    codes = np.append(text_codes, -1)[codes]  # a missing value (code -1) stays missing
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype="str")),
                     index=raw.index, name=raw.name)


def validate_table(raw: pd.DataFrame, spec: TableSpec, file: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Type every column of ``raw`` by its contract kind and list what breaks the contract.

    Returns the typed frame (same rows, contract columns only) and the problems found.
    """
    offset = 2  # row 0 is on line 2 of a CSV file with one header line
    if raw.empty:
        return raw, [Problem(spec.name, None, "table is empty", "at least one data row", file=file)]
    problems: list[Problem] = []
    typed = {}
    for name in raw.columns:
        col = spec.column(name)
        values = _convert(raw[name], col.kind)
        missing_raw = _missing(raw[name])
        unparsed = values.isna().to_numpy() & ~missing_raw
        if unparsed.any():
            problems.append(Problem(spec.name, name, f"values that cannot be read as {_KIND_WORD[col.kind]}",
                                    _EXPECTED[col.kind], int(unparsed.sum()),
                                    _examples(raw, unparsed, name, offset), file))
        if col.required and missing_raw.any():
            problems.append(Problem(spec.name, name, "missing values in a required column", "a value in every row",
                                    int(missing_raw.sum()), _examples(raw, missing_raw, name, offset), file))
        problems += _range_problems(values, col, raw, spec.name, file, offset)
        typed[name] = values
    frame = pd.DataFrame(typed, index=raw.index)
    if spec.key and all(k in frame for k in spec.key):
        dup = frame.duplicated(list(spec.key), keep=False).to_numpy()
        if dup.any():
            problems.append(Problem(spec.name, ", ".join(spec.key), "duplicate keys",
                                    f"each ({', '.join(spec.key)}) to appear once", int(dup.sum()),
                                    _examples(raw, dup, spec.key[0], offset), file))
    return frame, problems


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


def _range_problems(values: pd.Series, col, raw: pd.DataFrame, table: str, file, offset) -> list[Problem]:
    problems = []
    if col.allowed is not None:
        bad = (values.notna() & ~values.astype(str).isin(col.allowed)).to_numpy()
        if bad.any():
            problems.append(Problem(table, col.name, "values outside the allowed set",
                                    f"one of {list(col.allowed)}", int(bad.sum()),
                                    _examples(raw, bad, col.name, offset), file))
    if col.low is not None or col.high is not None:
        low = -np.inf if col.low is None else col.low
        high = np.inf if col.high is None else col.high
        numeric = values.astype("float64").to_numpy()
        bad = ~np.isnan(numeric) & ((numeric < low) | (numeric > high))
        if bad.any():
            problems.append(Problem(table, col.name, "values out of range", f"values between {low:g} and {high:g}",
                                    int(bad.sum()), _examples(raw, bad, col.name, offset), file))
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


def _unknown_customers(tables: dict[str, pd.DataFrame], sources: dict[str, str]) -> list[Problem]:
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
                                    _examples(frame, unknown, "customer_id", 2), sources.get(name)))
    return problems


DATE_COLUMN = {"transactions": "date", "surveys": "date", "engagement": "date", "campaigns": "send_date",
               "marketing": "week", "market": "week"}


def _outside_window(tables, sources, window, quality: QualityReport, drop: bool) -> list[Problem]:
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
        if drop:
            quality.add(name, f"rows outside the analysis window {start:%Y-%m-%d}..{end:%Y-%m-%d}"
                        if start is not None and end is not None else "rows outside the analysis window",
                        int(outside.sum()), len(frame), "left out of this analysis (period parameter)")
            tables[name] = frame.loc[~outside].reset_index(drop=True)
        else:
            problems.append(Problem(name, column, "dates outside the analysis window",
                                    f"dates from {start} to {end}", int(outside.sum()),
                                    _examples(frame, outside, column, 2), sources.get(name)))
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
) -> Dataset:
    """Load, type and validate the contract tables.

    Parameters
    ----------
    source
        A folder holding ``<table>.csv`` / ``.csv.gz`` / ``.parquet`` files named after the contract
        tables, or a mapping ``{table: path}``. Relative paths resolve against the project root.
    column_map
        ``{table: {their_column: contract_column}}`` to rename the user's columns.
    window
        ``(start, end)`` dates (inclusive, either may be ``None``) of the analysis period.
    outside_window
        ``"error"`` (default) reports dated rows outside ``window`` as contract violations;
        ``"drop"`` leaves them out and notes how many in the quality report.

    Returns
    -------
    Dataset
        Typed tables with contract columns only, the files they came from and a quality report.

    Raises
    ------
    DataValidationError
        Listing every violation (file, table, column, count, up to 5 example rows, what was expected).
    """
    files = find_table_files(source) if isinstance(source, (str, Path)) else {
        name: resolve_path(path) for name, path in source.items()}
    unknown = sorted(set(files) - set(TABLES))
    if unknown:
        raise ValueError(f"Unknown table name(s) {unknown}; the contract's tables are {list(TABLES)}")
    if "transactions" not in files:
        raise DataValidationError([Problem("transactions", None, "table not found", "a transactions file "
                                           f"(transactions.csv or transactions.parquet in {source})")])
    column_map = column_map or {}
    tables, sources, problems = {}, {}, []
    quality = QualityReport()
    for name, path in files.items():
        sources[name] = str(path)
        try:
            raw = read_table(path, TABLES[name], column_map.get(name))
        except DataValidationError as exc:
            problems += exc.problems
            continue
        frame, found = validate_table(raw, TABLES[name], str(path))
        problems += found
        tables[name] = frame
    if not problems:
        problems += _unknown_customers(tables, sources)
        if window is not None:
            if outside_window not in ("error", "drop"):
                raise ValueError("outside_window must be 'error' or 'drop'")
            problems += _outside_window(tables, sources, window, quality, drop=outside_window == "drop")
    if problems:
        raise DataValidationError(problems)
    tables["transactions"] = _prepare_transactions(tables["transactions"], quality)
    _share_customer_codes(tables)
    _note_missing_optional(tables, quality)
    return Dataset(tables=tables, sources=sources, quality=quality)


def filter_dataset(ds: Dataset, region: str | None = None) -> Dataset:
    """Keep only the customers of one region (the business-unit filter); ``None`` keeps everyone.

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
                     if "customer_id" in frame else frame)
              for name, frame in ds.tables.items()}
    return Dataset(tables=tables, sources=ds.sources, quality=ds.quality)


def orders_from_transactions(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per order: ``order_id``, ``customer_id``, ``date`` (first line), ``amount`` (net sum),
    ``lines`` and, when present, the order's ``channel``. Shape: (n_orders, 5-6)."""
    agg = {"customer_id": ("customer_id", "first"), "date": ("date", "min"),
           "amount": ("amount", "sum"), "lines": ("amount", "size")}
    if "channel" in transactions:
        agg["channel"] = ("channel", "first")
    orders = transactions.groupby("order_id", sort=False, observed=True).agg(**agg)
    return orders.reset_index().sort_values("date", kind="stable").reset_index(drop=True)
