"""The contract's checks run inside DuckDB on a ``duckdb:`` source: counts and at most five example rows come
back, never the table.

Each column is checked by the very code that checks a file (:func:`customer_workbook.data.load.validate_table`
and :func:`customer_workbook.data._columns.convert_column`), run on the column's *distinct values* with their
row counts, which DuckDB computes: text to be typed (dates, numbers, labels) in full, since the date rules
look at every distinct value; identifiers and typed numbers or dates only on the values that can break a rule
(blank, with a line break, not finite, fractional, out of range). The masks the checks raise over distinct
values become row counts, and DuckDB fetches the first five rows holding flagged values, so every message is
the file's message with ``row N`` (the row's position in the table) for a line. Duplicate keys and customers
missing from ``customers`` are SQL aggregations on the stripped identifiers.

A table the engine cannot check exactly as a file would be (a view, a key on a text date, an identifier
stored as a float, a timestamp with a time zone) returns ``None``: the loader then fetches the contract
columns and checks them in pandas, with the same messages. The analyses still receive typed pandas frames,
fetched once the checks pass, until every analysis reads only the derived tables.
"""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager

import numpy as np
import pandas as pd

from ..contract import TABLES, TableSpec
from ._problems import MAX_EXAMPLES, Problem, RowPlaces

__all__ = ["attached", "engine_problems"]

_TEXT = ("VARCHAR",)
_WHOLE = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_NUMERIC = _WHOLE + ("FLOAT", "DOUBLE")
_DATES = ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")


def _blank(v: str) -> str:
    """SQL: ``v`` is blank as Python's ``str.strip`` sees it (RE2's ``\\s`` alone misses Unicode spaces)."""
    return f"regexp_full_match({v}, '[\\s\\x{{0b}}\\x{{1c}}-\\x{{1f}}\\x{{85}}\\p{{Z}}]*')"


class _Unsupported(Exception):
    """This table needs the pandas checks (see the module docstring)."""


@contextmanager
def attached(source):
    """An in-memory DuckDB connection with the database file of ``source`` attached read-only as ``src``."""
    import duckdb

    con = duckdb.connect()
    try:
        con.sql(f"ATTACH '{str(source.path).replace(chr(39), chr(39) * 2)}' AS src (READ_ONLY)")
        yield con
    finally:
        con.close()


def _scalar(con, sql: str):
    """The one value ``sql`` returns."""
    return con.sql(sql).fetchall()[0][0]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Places:
    """Stands in for :class:`RowPlaces` while a check runs on distinct values: for the values a mask flags,
    the first rows of the table holding them (fetched by DuckDB) and how many rows hold them."""

    def __init__(self, con, view: str, column: str, counts: np.ndarray, numeric: bool):
        self.con, self.view, self.column, self.counts, self.numeric = con, view, column, counts, numeric
        self.row_counts: list[int] = []

    def examples(self, values, mask: np.ndarray, column: str) -> tuple[str, ...]:
        mask = np.asarray(mask, dtype=bool)
        self.row_counts.append(int(self.counts[mask].sum()))
        flagged = pd.Series(values).iloc[np.flatnonzero(mask)]
        present = flagged[flagged.notna()]
        conditions = ["FALSE"]
        if len(present):
            self.con.register("cw_flagged", pd.DataFrame({"v": present.to_numpy()}))
            conditions.append(f"{_q(self.column)} IN (SELECT v FROM cw_flagged)")
        if flagged.isna().any():
            conditions.append(f"{_q(self.column)} IS NULL" + (f" OR isnan({_q(self.column)})" if self.numeric else ""))
        sample = self.con.sql(f"SELECT __row, {_q(self.column)} FROM {self.view} WHERE {' OR '.join(conditions)} "
                              f"ORDER BY __row LIMIT {MAX_EXAMPLES}").to_arrow_table().to_pandas()
        places = RowPlaces("row", 1, sample["__row"].to_numpy(dtype=np.int64))
        return places.examples(sample[self.column], np.ones(len(sample), dtype=bool), column)


def _column_problems(con, view: str, spec: TableSpec, name: str, db_type: str, where: str,
                     date_format: str | None, value_map) -> list[Problem]:
    """The problems of one column, as :func:`validate_table` words them, from its distinct values."""
    from .load import validate_table

    col, v = spec.column(name), _q(name)
    text, numeric = db_type in _TEXT, db_type in _NUMERIC
    if col.kind == "id":
        if not (text or db_type in _WHOLE):
            raise _Unsupported(f"identifier stored as {db_type}")
        interesting = f"{v} IS NULL" + (f" OR {_blank(v)} OR regexp_matches({v}, '[\\r\\n]')" if text else "")
    elif col.kind in ("float", "int") and numeric:
        f = f"CAST({v} AS DOUBLE)"
        tests = [f"{v} IS NULL", f"NOT isfinite({f})"] + ([f"{f} <> round({f})"] if col.kind == "int" else [])
        tests += [f"{f} < {col.low}"] * (col.low is not None) + [f"{f} > {col.high}"] * (col.high is not None)
        interesting = " OR ".join(tests)
    elif col.kind == "date" and db_type in _DATES:
        # a little wider than the rule (1900 to today, plus a day): clocks and time zones differ
        interesting = f"{v} IS NULL OR {v} < DATE '1900-01-02' OR {v} > current_date - INTERVAL 2 DAY"
    elif col.kind == "bool" and db_type == "BOOLEAN":
        interesting = f"{v} IS NULL"
    elif col.kind == "text" and text:
        interesting = f"{v} IS NULL OR {_blank(v)}"
    elif text:
        interesting = "TRUE"  # text to be typed: every distinct value (the date rules compare them)
    else:
        raise _Unsupported(f"{col.kind} column stored as {db_type}")
    distinct = con.sql(f"SELECT {v}, count(*) AS cw_n FROM {view} WHERE {interesting} GROUP BY ALL "
                       f"ORDER BY min(__row)").to_arrow_table().to_pandas()
    if distinct.empty:
        return []
    places = _Places(con, view, name, distinct["cw_n"].to_numpy(), db_type in ("FLOAT", "DOUBLE"))
    one = dataclasses.replace(spec, key=())
    _, found = validate_table(distinct[[name]], one, where, places, {name: date_format} if date_format else None,
                              value_maps={name: value_map} if value_map else None)
    if len(found) != len(places.row_counts):
        raise _Unsupported("a check without examples")
    return [dataclasses.replace(p, count=n) for p, n in zip(found, places.row_counts)]


def _key_expression(spec: TableSpec, name: str, db_type: str) -> str:
    """The SQL value a key column is compared on, as the typed frame compares it."""
    col = spec.column(name)
    kind = "id" if col.kind == "category" and col.allowed is None else col.kind  # both: stripped text
    if kind == "id" and db_type in _TEXT:
        return f"nullif(regexp_replace({_q(name)}, '^\\s+|\\s+$', '', 'g'), '')"
    if (kind == "id" and db_type in _WHOLE) or (kind == "date" and db_type in _DATES):
        return f"CAST({_q(name)} AS VARCHAR)" if kind == "id" else _q(name)
    raise _Unsupported(f"key column {name} stored as {db_type}")


def _duplicate_keys(con, view: str, spec: TableSpec, types: dict[str, str], where: str) -> list[Problem]:
    """Rows whose key appears more than once (missing keys count as equal, as in pandas)."""
    if not spec.key or not all(k in types for k in spec.key):
        return []
    keys = ", ".join(_key_expression(spec, k, types[k]) for k in spec.key)
    first = _q(spec.key[0])
    duplicated = (f"SELECT __row, {first} FROM (SELECT __row, {first}, count(*) OVER (PARTITION BY {keys}) AS cw_n "
                  f"FROM {view}) WHERE cw_n > 1")
    count = _scalar(con, f"SELECT count(*) FROM ({duplicated})")
    if not count:
        return []
    sample = con.sql(f"{duplicated} ORDER BY __row LIMIT {MAX_EXAMPLES}").to_arrow_table().to_pandas()
    places = RowPlaces("row", 1, sample["__row"].to_numpy(dtype=np.int64))
    return [Problem(spec.name, ", ".join(spec.key), "duplicate keys", f"each ({', '.join(spec.key)}) to appear once",
                    int(count), places.examples(sample[spec.key[0]], np.ones(len(sample), bool), spec.key[0]), where)]


def _unknown_customers(con, views: dict[str, tuple[str, dict]], wheres: dict[str, str]) -> list[Problem]:
    """Rows whose customer is not in ``customers``, as :func:`load._unknown_customers` words them."""
    if "customers" not in views:
        return []
    view, types = views["customers"]
    known = f"SELECT {_key_expression(TABLES['customers'], 'customer_id', types['customer_id'])} AS k FROM {view}"
    problems = []
    for name in ("transactions", "surveys", "engagement", "campaigns"):
        if name not in views:
            continue
        view, types = views[name]
        key = _key_expression(TABLES[name], "customer_id", types["customer_id"])
        unknown = f"SELECT __row FROM {view} WHERE {key} IS NULL OR {key} NOT IN (SELECT k FROM ({known}) WHERE k IS NOT NULL)"
        count = _scalar(con, f"SELECT count(*) FROM ({unknown})")
        if count:
            rows = [r for (r,) in con.sql(f"{unknown} ORDER BY __row LIMIT {MAX_EXAMPLES}").fetchall()]
            places = RowPlaces("row", 1, np.asarray(rows, dtype=np.int64))
            problems.append(Problem(name, "customer_id", "customers missing from the 'customers' table",
                                    "every customer_id to be listed in 'customers'", int(count),
                                    places.examples(None, np.ones(len(rows), bool), "customer_id"), wheres[name]))
    return problems


def _table_view(con, source, name: str, db_table: str, rename, where: str) -> tuple[str, dict[str, str]]:
    """A temporary view ``cw_<name>`` of the contract columns (renamed) and ``__row``, the row's position;
    returns its name and ``{contract column: DuckDB type}``. Column problems raise as for a file."""
    from ._reading import _resolve_columns

    table = f"src.{_q(source.schema or 'main')}.{_q(db_table)}"
    original = list(con.sql(f"SELECT * FROM {table} LIMIT 0").columns)
    wanted = _resolve_columns([c.strip() for c in original], TABLES[name], rename or {}, where)
    by_stripped = {c.strip(): c for c in original}
    listed = ", ".join(f"{_q(by_stripped[src])} AS {_q(dst)}" for src, dst in wanted.items())
    view = f"cw_{name}"
    try:  # rowid is the position while no row was deleted; otherwise number the rows in rowid order
        rows, top = con.sql(f"SELECT count(*), max(rowid) FROM {table}").fetchall()[0]
        position = "rowid + 1" if top is None or top + 1 == rows else "row_number() OVER (ORDER BY rowid)"
        con.sql(f"CREATE TEMP VIEW {view} AS SELECT {position} AS __row, {listed} FROM {table}")
        types = dict(con.sql(f"SELECT column_name, column_type FROM (DESCRIBE {view})").fetchall())
    except Exception as exc:  # a view has no rowid: its order is not the table's
        raise _Unsupported(str(exc)) from None
    return view, {c: t for c, t in types.items() if c != "__row"}


def engine_problems(source, tables: dict[str, str], column_map, value_maps, formats) -> list[Problem] | None:
    """Every contract problem of the ``{contract table: database table}`` of a ``duckdb:`` source found by the
    per-table checks (and, when they pass, customers missing from ``customers``), worded as for files;
    ``None`` when some table needs the pandas checks instead (see the module docstring)."""
    from ._problems import DataValidationError
    from .load import _unused_value_maps

    problems, views, wheres = [], {}, {}
    with attached(source) as con:
        try:
            for name, db_table in tables.items():
                wheres[name] = where = source.where(db_table)
                try:
                    view, types = views[name] = _table_view(con, source, name, db_table, column_map.get(name), where)
                except DataValidationError as exc:
                    problems += exc.problems
                    continue
                problems += _unused_value_maps(value_maps, name, pd.DataFrame(columns=list(types)), where)
                if not _scalar(con, f"SELECT count(*) FROM {view}"):
                    problems.append(Problem(name, None, "table is empty", "at least one data row", file=where))
                    continue
                for column, db_type in types.items():
                    problems += _column_problems(con, view, TABLES[name], column, db_type, where,
                                                 formats.get(name, {}).get(column), value_maps.get(name, {}).get(column))
                problems += _duplicate_keys(con, view, TABLES[name], types, where)
            return problems or _unknown_customers(con, views, wheres)
        except _Unsupported:
            return None
