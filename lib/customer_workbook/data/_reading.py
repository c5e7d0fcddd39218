"""Read one table file into a frame of its contract columns, losing nothing on the way.

Supported files: ``<table>.csv`` and ``<table>.csv.gz`` (UTF-8, comma-separated, header on line 1),
``<table>.parquet`` and ``<table>.xlsx`` (header in row 1 of the sheet named after the table, or of the
only sheet). CSV values are read as text and typed later (:mod:`customer_workbook._columns`); only an
empty cell is missing, so the text ``NA``, ``None`` or ``null`` stays data.

Every physical line of a CSV file is accounted for: it is part of a loaded row, a blank line (noted), or
reported as a problem with its line number (a row with too many or too few fields, a quote that never
closes). A file whose lines cannot all be accounted for stops the load rather than losing rows.
"""
from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

import numpy as np
import pandas as pd

from ._problems import MAX_EXAMPLES, DataValidationError, Problem, RowPlaces, shown
from ..contract import TABLES, TableSpec
from ..paths import resolve_path

__all__ = ["SUFFIXES", "RawTable", "find_table_files", "read_raw"]

SUFFIXES = (".csv", ".csv.gz", ".parquet", ".xlsx")
_BLOCK_SIZES = (1 << 24, 1 << 28, 1 << 30)  # bytes per CSV parse block; larger on a huge cell


@dataclass
class RawTable:
    """One file's contract columns as read (text for CSV), where each row sits, and notes."""

    frame: pd.DataFrame
    places: RowPlaces
    notes: list[tuple[str, int, str]] = field(default_factory=list)  # (issue, rows, handling)


def _table_file_name(path: Path) -> tuple[str, str] | None:
    """(table, suffix) when ``path`` is named like a table file, else None."""
    name = path.name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    return None


def find_table_files(folder: str | Path) -> dict[str, Path]:
    """Map each contract table to its one file ``<table>.csv`` / ``.csv.gz`` / ``.parquet`` / ``.xlsx``
    in ``folder``. Two files for one table, or a folder where a file should be, are errors."""
    folder = resolve_path(folder)
    if not folder.exists():
        raise FileNotFoundError(f"Data folder not found: {folder}")
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is a file; data_dir must be the folder that holds the table files")
    candidates: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        parsed = _table_file_name(path)
        if parsed and parsed[0] in TABLES:
            candidates.setdefault(parsed[0], []).append(path)
    problems = [Problem(name, None, f"{len(paths)} files for one table ({', '.join(p.name for p in paths)})",
                        "exactly one file per table: remove or rename the others", file=str(folder))
                for name, paths in candidates.items() if len(paths) > 1]
    if problems:
        raise DataValidationError(problems)
    return {name: candidates[name][0] for name in TABLES if name in candidates}


def read_raw(path: str | Path, spec: TableSpec, rename: Mapping[str, str] | None = None) -> RawTable:
    """Read the contract columns of one file, renaming the user's columns by ``rename`` first.

    Raises :class:`DataValidationError` naming the file for anything that stops it being read:
    a folder or empty file, a wrong encoding, duplicate or missing columns, a bad ``column_map``,
    rows with the wrong number of fields, lines that cannot be accounted for.
    """
    path = resolve_path(path)
    parsed = _table_file_name(path)
    suffix = parsed[1] if parsed else path.suffix.lower()

    def fail(issue: str, expected: str) -> DataValidationError:
        return DataValidationError([Problem(spec.name, None, issue, expected, file=str(path))])

    if path.is_dir():
        raise fail("is a folder, not a file", "a CSV, Parquet or Excel file")
    if not path.exists():
        raise fail("file not found", "an existing file")
    if path.stat().st_size == 0:
        raise fail("file is empty (0 bytes)", "a header line and at least one data row")
    if suffix == ".parquet":
        return _read_parquet(path, spec, rename or {})
    if suffix == ".xlsx":
        return _read_excel(path, spec, rename or {})
    if suffix in (".csv", ".csv.gz"):
        return _read_csv(path, spec, rename or {})
    raise fail(f"unsupported file type '{suffix}'", f"one of {', '.join(SUFFIXES)}")


# --------------------------------------------------------------------------- columns and column_map


def _resolve_columns(available: list[str], spec: TableSpec, rename: Mapping[str, str], file: str) -> dict[str, str]:
    """``{file column: contract column}`` for the columns to read; every problem with the file's header
    or the ``column_map`` for this table raised together."""
    problems = []

    def problem(column, issue, expected):
        problems.append(Problem(spec.name, column, issue, expected, file=file))

    seen, duplicates = set(), []
    for name in available:
        if name in seen and name not in duplicates:
            duplicates.append(name)
        seen.add(name)
    if duplicates:
        problem(", ".join(duplicates), "duplicate column names in the header", "each column name once")
    if "" in available:
        problem(None, f"a column without a name (column {available.index('') + 1} of the header)",
                "a name for every column")
    absent = [src for src in rename if src not in available]
    for src in absent:
        close = get_close_matches(src, available, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problem(src, f"column_map names a column the file does not have{hint}",
                f"one of the file's columns: {available}")
    for src, target in rename.items():
        if target not in spec.column_names:
            problem(target, f"column_map maps '{src}' onto '{target}', which is not a column of the contract",
                    f"one of the contract's columns for '{spec.name}': {spec.column_names}")
    wanted: dict[str, str] = {}
    sources: dict[str, list[str]] = {}
    for src in dict.fromkeys(available):
        target = rename.get(src, src)
        if target in spec.column_names:
            wanted[src] = target
            sources.setdefault(target, []).append(src)
    for target, srcs in sources.items():
        if len(srcs) > 1:
            problem(target, f"{len(srcs)} columns would become '{target}' ({', '.join(srcs)})",
                    "one source column per contract column: drop one or map it elsewhere in column_map")
    missing = [c for c in spec.required_columns if c not in sources]
    if missing:
        problem(", ".join(missing), "required column(s) missing",
                f"columns {spec.required_columns} (found {available}; use column_map to rename yours)")
    if problems:
        raise DataValidationError(problems)
    return wanted


# --------------------------------------------------------------------------- CSV


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _encoding_problem(path: Path, head: bytes, spec: TableSpec) -> Problem | None:
    """A problem naming the encoding when the start of the file is not UTF-8 text."""
    def problem(issue, expected="UTF-8 text: save or export the file as 'CSV UTF-8'"):
        return Problem(spec.name, None, issue, expected, file=str(path))

    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return problem("this file is UTF-32; save it as UTF-8")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return problem("this file is UTF-16; save it as UTF-8")
    if head.startswith(b"PK\x03\x04"):
        return problem("this file is a zip archive or an Excel workbook, not CSV text",
                       "a CSV file, or the workbook saved as <table>.xlsx")
    if b"\x00" in head:
        return problem("this file holds NUL bytes: it is UTF-16 without a byte-order mark, or not text at all")
    text = head[: head.rfind(b"\n") + 1] or head
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        return _not_utf8_problem(path, spec)
    return None


def _not_utf8_problem(path: Path, spec: TableSpec) -> Problem:
    """Name the first line that is not UTF-8 and what the file probably is (Latin-1 / Windows-1252)."""
    with _open_binary(path) as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                guess = line.decode("cp1252", errors="replace").strip()
                return Problem(spec.name, None,
                               f"this file is not UTF-8: byte 0x{line[exc.start]:02X} on line {number} "
                               f"({shown(guess)}) suggests Latin-1 / Windows-1252; save it as UTF-8",
                               "UTF-8 text: save or export the file as 'CSV UTF-8'", file=str(path))
    return Problem(spec.name, None, "this file is not UTF-8 text", "UTF-8 text", file=str(path))


def _csv_header(path: Path, spec: TableSpec) -> list[str]:
    with _open_binary(path) as fh:
        first = fh.readline()
    names = next(csv.reader([first.decode("utf-8-sig").rstrip("\r\n")]), [])
    if not any(n.strip() for n in names):
        raise DataValidationError([Problem(spec.name, None, "the first line is blank, not a header",
                                           "column names on line 1", file=str(path))])
    return [n.strip() for n in names]


def _count_lines(path: Path) -> int:
    """Physical lines in the file (a last line without a final newline counts)."""
    count, last = 0, b"\n"
    with _open_binary(path) as fh:
        while chunk := fh.read(1 << 24):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _arrow_csv(path: Path, names: list[str], include: list[str], threads: bool):
    """Parse with pyarrow: every included column as text, only empty cells missing; rows with the
    wrong number of fields are collected, not dropped. Returns (table, invalid rows)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    for block_size in _BLOCK_SIZES:
        invalid: list[tuple[int | None, int, str]] = []

        def on_invalid(row, invalid=invalid):
            invalid.append((row.number, row.actual_columns, row.text))
            return "skip"

        try:
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=threads,
                                               block_size=block_size),
                parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                                 invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(include_columns=include, column_types={c: pa.string() for c in include},
                                                     null_values=[""], strings_can_be_null=True,
                                                     quoted_strings_can_be_null=True))
            return table, invalid
        except pa.ArrowInvalid as exc:
            if "straddling" not in str(exc) or block_size == _BLOCK_SIZES[-1]:
                raise
    raise AssertionError("unreachable")


def _read_csv(path: Path, spec: TableSpec, rename: Mapping[str, str]) -> RawTable:
    import pyarrow as pa

    with _open_binary(path) as fh:
        head = fh.read(1 << 16)
    if not head.strip(b"\xef\xbb\xbf\r\n\t "):
        raise DataValidationError([Problem(spec.name, None, "file holds no text", "a header line and data rows",
                                           file=str(path))])
    encoding = _encoding_problem(path, head, spec)
    if encoding:
        raise DataValidationError([encoding])
    names = _csv_header(path, spec)
    wanted = _resolve_columns(names, spec, rename, str(path))
    unique_names = [f"{n}\x00{i}" if n not in wanted else n for i, n in enumerate(names)]  # pyarrow needs unique names
    try:
        table, invalid = _arrow_csv(path, unique_names, list(wanted), threads=True)
        if invalid and any(number is None for number, _, _ in invalid):
            table, invalid = _arrow_csv(path, unique_names, list(wanted), threads=False)  # to learn line numbers
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            raise DataValidationError([_not_utf8_problem(path, spec)]) from None
        raise DataValidationError([Problem(spec.name, None, f"the file cannot be read as CSV ({exc})",
                                           "comma-separated text with a header line", file=str(path))]) from None
    embedded = _line_breaks_per_row(table)
    frame = table.to_pandas().rename(columns=wanted)
    blank = frame.isna().all(axis=1).to_numpy() if len(frame.columns) else np.zeros(len(frame), bool)
    places, notes = _account_for_lines(path, spec, embedded, invalid, len(names))
    if blank.any():
        notes.append(("blank lines (no value in any column the workbook reads)", int(blank.sum()),
                      "skipped: they hold no data"))
        keep = ~blank
        frame = frame.loc[keep].reset_index(drop=True)
        places = RowPlaces(places.unit, places.first, places.of(np.flatnonzero(keep)))
    return RawTable(frame, places, notes)


def _line_breaks_per_row(table) -> np.ndarray:
    """Line breaks inside the values of each row (quoted multi-line values), shape (n_rows,)."""
    import pyarrow.compute as pc

    embedded = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        if pc.any(pc.match_substring(column, "\n")).as_py():
            embedded += pc.fill_null(pc.count_substring(column, "\n"), 0).to_numpy(zero_copy_only=False)
    return embedded


def _account_for_lines(path: Path, spec: TableSpec, embedded: np.ndarray, invalid, n_fields: int):
    """Check that every physical line is in a loaded row or a reported one; return where each row sits.

    Rows with the wrong number of fields are problems listing their lines (all counted, five shown);
    a quote that never closes shows up as one such row swallowing the lines after it.
    """
    invalid = sorted(invalid, key=lambda row: row[0] or 0)
    invalid_lines = np.array([text.count("\n") + 1 for _, _, text in invalid], dtype=np.int64)
    physical = _count_lines(path)
    accounted = 1 + len(embedded) + int(embedded.sum()) + int(invalid_lines.sum())
    notes = []
    if accounted != physical:
        starts = _record_starts_by_csv_module(path, n_fields)
        if starts is None or len(starts) != len(embedded):
            raise DataValidationError([Problem(
                spec.name, None, f"{abs(physical - accounted):,} of {physical:,} lines could not be matched to rows "
                "(a quote character may be unbalanced)", "every line to be a row, or part of a quoted value",
                file=str(path))])
        notes.append(("values that span several lines (line breaks inside quoted values)",
                      int(np.count_nonzero(np.diff(np.append(starts, physical + 1)) > 1)), "kept as read"))
        places = RowPlaces("line", 2, starts)
    elif embedded.any() or len(invalid):
        places = RowPlaces("line", 2, _row_lines(embedded, invalid, invalid_lines)[0])
    else:
        places = RowPlaces("line", 2)
    if invalid:
        first_lines = _row_lines(embedded, invalid, invalid_lines)[1] if accounted == physical else None
        raise DataValidationError([_ragged_problem(path, spec, invalid, invalid_lines, first_lines, n_fields)])
    return places, notes


def _row_lines(embedded: np.ndarray, invalid, invalid_lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first file line of each loaded row and of each skipped (reported) row.

    pyarrow numbers records, not lines; a record is longer than one line when a quoted value holds
    line breaks (``embedded`` extra lines per loaded row) or a quote never closes (``invalid_lines``).
    """
    total = len(embedded) + len(invalid)
    skipped = np.zeros(total, dtype=bool)
    skipped[np.array([number for number, _, _ in invalid], dtype=np.int64) - 2] = True
    extra = np.empty(total, dtype=np.int64)
    extra[~skipped] = embedded
    extra[skipped] = invalid_lines - 1
    first = 2 + np.arange(total, dtype=np.int64) + np.cumsum(extra) - extra
    return first[~skipped], first[skipped]


def _ragged_problem(path: Path, spec: TableSpec, invalid, invalid_lines: np.ndarray, first_lines, n_fields: int) -> Problem:
    examples = []
    for k, ((number, actual, text), span) in enumerate(list(zip(invalid, invalid_lines))[:MAX_EXAMPLES]):
        line = int(first_lines[k]) if first_lines is not None else number
        if span > 1:
            examples.append(f"line {line}: a quote opened here does not close until line {line + span - 1} "
                            f"({span} lines read as one row of {actual} field(s))")
        else:
            examples.append(f"line {line}: {actual} field(s)")  # not the line itself: it may hold a customer id
    return Problem(spec.name, None, "rows with the wrong number of fields", f"{n_fields} fields on every row, "
                   "as in the header (a comma inside a value needs quotes; every quote needs its partner)",
                   len(invalid), tuple(examples), str(path))


def _record_starts_by_csv_module(path: Path, n_fields: int) -> np.ndarray | None:
    """The first line of every well-formed, non-blank record, read by Python's csv module (the slow,
    exact path, used only when quoted values span lines in columns the workbook does not read)."""
    starts, previous_end = [], 1
    with _open_binary(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        next(reader, None)
        previous_end = reader.line_num
        for record in reader:
            if record and any(value != "" for value in record) and len(record) == n_fields:
                starts.append(previous_end + 1)
            previous_end = reader.line_num
    return np.asarray(starts, dtype=np.int64)


# --------------------------------------------------------------------------- Parquet and Excel


def _read_parquet(path: Path, spec: TableSpec, rename: Mapping[str, str]) -> RawTable:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DataValidationError([Problem(spec.name, None, f"the file cannot be read as Parquet ({exc})",
                                           "a Parquet file written by pandas, Spark, DuckDB or similar",
                                           file=str(path))]) from None
    original = list(schema.names)
    wanted = _resolve_columns([n.strip() for n in original], spec, rename, str(path))
    by_stripped = {n.strip(): n for n in original}
    try:
        table = pq.read_table(path, columns=[by_stripped[src] for src in wanted])
    except Exception as exc:
        raise DataValidationError([Problem(spec.name, None, f"the file cannot be read as Parquet ({exc})",
                                           "an undamaged Parquet file", file=str(path))]) from None
    frame = table.to_pandas()
    frame.columns = [wanted[c.strip()] for c in frame.columns]
    return RawTable(frame, RowPlaces("row", 1))


def _read_excel(path: Path, spec: TableSpec, rename: Mapping[str, str]) -> RawTable:
    """The sheet named after the table (or the only sheet) of an .xlsx workbook, header in row 1.

    Read with python-calamine (pandas' ``engine="calamine"``). Cells typed as numbers in an
    identifier or label column become text without a spurious ``.0``.
    """
    try:
        workbook = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:
        raise DataValidationError([Problem(spec.name, None, f"the file cannot be read as an Excel workbook ({exc})",
                                           "an .xlsx workbook", file=str(path))]) from None
    sheets = workbook.sheet_names
    named = [s for s in sheets if s.strip().lower() == spec.name]
    if not named and len(sheets) != 1:
        raise DataValidationError([Problem(spec.name, None, f"the workbook has {len(sheets)} sheets ({sheets}) "
                                           f"and none is named '{spec.name}'",
                                           f"one sheet, or a sheet named '{spec.name}'", file=str(path))])
    sheet = named[0] if named else sheets[0]
    frame = pd.read_excel(workbook, sheet_name=sheet, header=0, dtype=object)
    names = [str(c).strip() for c in frame.columns]
    wanted = _resolve_columns(names, spec, rename, f"{path} (sheet '{sheet}')")
    frame.columns = names
    frame = frame[list(wanted)].rename(columns=wanted)
    for column in frame.columns:
        frame[column] = _excel_column(frame[column], spec.column(column).kind)
    return RawTable(frame.reset_index(drop=True), RowPlaces("row", 2))


def _excel_column(values: pd.Series, kind: str) -> pd.Series:
    """One spreadsheet column as the loader expects it: typed numbers and dates stay typed; anything
    mixed, and every text-like column, becomes text (whole numbers without '.0')."""
    present = values.dropna()
    if kind in ("float", "int") and present.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all():
        return pd.to_numeric(values).astype("float64")
    if kind == "date" and present.map(lambda v: isinstance(v, pd.Timestamp) or hasattr(v, "year")).all() and len(present):
        return pd.to_datetime(values)

    def as_text(v):
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if hasattr(v, "isoformat"):
            return v.isoformat()
        return str(v)

    return values.map(as_text, na_action="ignore").astype("str")
