"""The contract's checks run inside the engine on a ``duckdb:`` or ``spark:`` source: counts and at most
five example rows come back, never the table.

Each column is checked by the very code that checks a file (:func:`customer_workbook.data.load.validate_table`
and :func:`customer_workbook.data._columns.convert_column`), run on the column's *distinct values* with their
row counts, which the engine computes: text to be typed (dates, numbers, labels) in full, since the date rules
look at every distinct value; identifiers and typed numbers or dates only on the values that can break a rule
(blank, with a line break, not finite, fractional, out of range). The masks the checks raise over distinct
values become row counts, and the engine fetches the first five rows holding flagged values, so every message
is the file's message with ``row N`` (the row's position in the table as fetched) for a line. Duplicate keys
and customers missing from ``customers`` are SQL aggregations on the stripped identifiers. DuckDB numbers rows
by ``rowid``; Spark in the order it reads the table (the order ``toPandas`` returns).

A table the engine cannot check exactly as a file would be (a DuckDB view, a key on a text date, an identifier
stored as a float, a timestamp with a time zone) returns ``None``: the loader then fetches the contract
columns and checks them in pandas, with the same messages. The order status and the analysis window are
checked on the fetched rows. The analyses receive typed pandas frames, fetched once the checks pass, until
every analysis reads only the derived tables.
"""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager

import numpy as np
import pandas as pd

from ..contract import TABLES, TableSpec
from ._problems import MAX_EXAMPLES, Problem, RowPlaces

__all__ = ["engine_problems"]


class _Unsupported(Exception):
    """This table needs the pandas checks (see the module docstring)."""


class _DuckDB:
    """The SQL of the checks as DuckDB speaks it, on a connection with the database attached as ``src``."""

    TEXT = ("VARCHAR",)
    WHOLE = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
    FLOAT = ("FLOAT", "DOUBLE")
    DATES = ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")
    BOOL = ("BOOLEAN",)
    VARCHAR = "VARCHAR"
    #: Blank as Python's ``str.strip`` sees it (RE2's ``\s`` alone misses Unicode spaces).
    BLANK = r"[\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}]*"
    LINE_BREAK = r"[\r\n]"

    def __init__(self, con):
        self.con = con

    @staticmethod
    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def frame(self, sql: str) -> pd.DataFrame:
        """The rows of ``sql`` as pandas, through Arrow (as the loader fetches a table)."""
        return self.con.sql(sql).to_arrow_table().to_pandas()

    def scalar(self, sql: str):
        return self.con.sql(sql).fetchall()[0][0]

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register(name, frame)

    def full_match(self, v: str, pattern: str) -> str:
        return f"regexp_full_match({v}, '{pattern}')"

    def contains(self, v: str, pattern: str) -> str:
        return f"regexp_matches({v}, '{pattern}')"

    def not_finite(self, f: str) -> str:
        return f"NOT isfinite({f})"

    def strip(self, v: str) -> str:
        return rf"regexp_replace({v}, '^\s+|\s+$', '', 'g')"

    def view(self, source, table: str, name: str, wanted: dict[str, str]) -> dict[str, str]:
        """Create view ``cw_<name>`` (``__row`` and the renamed contract columns); ``{column: type}``."""
        table = f"src.{self.q(source.schema or 'main')}.{self.q(table)}"
        listed = ", ".join(f"{self.q(src)} AS {self.q(dst)}" for src, dst in wanted.items())
        try:  # rowid is the position while no row was deleted; otherwise number the rows in rowid order
            rows, top = self.con.sql(f"SELECT count(*), max(rowid) FROM {table}").fetchall()[0]
            position = "rowid + 1" if top is None or top + 1 == rows else "row_number() OVER (ORDER BY rowid)"
            self.con.sql(f"CREATE TEMP VIEW cw_{name} AS SELECT {position} AS __row, {listed} FROM {table}")
            return dict(self.con.sql(f"SELECT column_name, column_type FROM (DESCRIBE cw_{name})").fetchall())
        except Exception as exc:  # a view has no rowid: its order is not the table's
            raise _Unsupported(str(exc)) from None

    def columns(self, source, table: str) -> list[str]:
        return list(self.con.sql(f"SELECT * FROM src.{self.q(source.schema or 'main')}.{self.q(table)} LIMIT 0").columns)


class _Spark(_DuckDB):
    """The same checks in Spark SQL, on the tables of a Spark database (rows in the order Spark reads them)."""

    TEXT = ("string",)
    WHOLE = ("tinyint", "smallint", "int", "bigint")
    FLOAT = ("float", "double")
    DATES = ("date", "timestamp", "timestamp_ntz")
    BOOL = ("boolean",)
    VARCHAR = "STRING"
    BLANK = _DuckDB.BLANK.replace("\\", "\\\\")  # Spark SQL literals take backslash escapes
    LINE_BREAK = _DuckDB.LINE_BREAK.replace("\\", "\\\\")

    @staticmethod
    def q(name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def frame(self, sql: str) -> pd.DataFrame:
        return self.con.sql(sql).toPandas()

    def scalar(self, sql: str):
        return self.con.sql(sql).collect()[0][0]

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.con.createDataFrame(frame).createOrReplaceTempView(name)

    def full_match(self, v: str, pattern: str) -> str:
        return f"({v} RLIKE '^{pattern}$')"

    def contains(self, v: str, pattern: str) -> str:
        return f"({v} RLIKE '{pattern}')"

    def not_finite(self, f: str) -> str:
        return f"(isnan({f}) OR abs({f}) = double('inf'))"

    def strip(self, v: str) -> str:
        return rf"regexp_replace({v}, '^\\s+|\\s+$', '')"

    def view(self, source, table: str, name: str, wanted: dict[str, str]) -> dict[str, str]:
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        frame = self.con.table(f"{self.q(source.location)}.{self.q(table)}").select(
            [F.col(self.q(src)).alias(dst) for src, dst in wanted.items()])
        order = Window.orderBy(F.monotonically_increasing_id())  # the order in which toPandas returns rows
        frame = frame.withColumn("__row", F.row_number().over(order))
        frame.createOrReplaceTempView(f"cw_{name}")
        return {c: t for c, t in frame.dtypes}

    def columns(self, source, table: str) -> list[str]:
        return list(self.con.table(f"{self.q(source.location)}.{self.q(table)}").columns)


@contextmanager
def _engine(source):
    """The engine that checks ``source``: DuckDB with the file attached read-only, or the Spark session."""
    if source.kind == "spark":
        from ..engine import spark_session

        yield _Spark(spark_session())
        return
    import duckdb

    con = duckdb.connect()
    try:
        con.sql(f"ATTACH '{str(source.path).replace(chr(39), chr(39) * 2)}' AS src (READ_ONLY)")
        yield _DuckDB(con)
    finally:
        con.close()


class _Places:
    """Stands in for :class:`RowPlaces` while a check runs on distinct values: for the values a mask flags,
    the first rows of the table holding them (fetched by the engine) and how many rows hold them."""

    def __init__(self, eng, view: str, column: str, counts: np.ndarray, numeric: bool):
        self.eng, self.view, self.column, self.counts, self.numeric = eng, view, column, counts, numeric
        self.row_counts: list[int] = []

    def examples(self, values, mask: np.ndarray, column: str) -> tuple[str, ...]:
        mask = np.asarray(mask, dtype=bool)
        self.row_counts.append(int(self.counts[mask].sum()))
        flagged = pd.Series(values).iloc[np.flatnonzero(mask)]
        present, v = flagged[flagged.notna()], self.eng.q(self.column)
        conditions = ["FALSE"]
        if len(present):
            self.eng.register("cw_flagged", pd.DataFrame({"v": present.to_numpy()}))
            conditions.append(f"{v} IN (SELECT v FROM cw_flagged)")
        if flagged.isna().any():
            conditions.append(f"{v} IS NULL" + (f" OR isnan({v})" if self.numeric else ""))
        sample = self.eng.frame(f"SELECT __row, {v} FROM {self.view} WHERE {' OR '.join(conditions)} "
                                f"ORDER BY __row LIMIT {MAX_EXAMPLES}")
        places = RowPlaces("row", 1, sample["__row"].to_numpy(dtype=np.int64))
        return places.examples(sample[self.column], np.ones(len(sample), dtype=bool), column)


def _interesting(eng, col, v: str, db_type: str) -> str:
    """SQL: the rows whose value can break one of the column's rules (for text to be typed: all of them)."""
    text = db_type in eng.TEXT
    blank = eng.full_match(v, eng.BLANK)
    if col.kind == "id":
        if not (text or db_type in eng.WHOLE):
            raise _Unsupported(f"identifier stored as {db_type}")
        return f"{v} IS NULL" + (f" OR {blank} OR {eng.contains(v, eng.LINE_BREAK)}" if text else "")
    if col.kind in ("float", "int") and db_type in eng.WHOLE + eng.FLOAT:
        f = f"CAST({v} AS DOUBLE)"
        tests = [f"{v} IS NULL", eng.not_finite(f)] + ([f"{f} <> round({f})"] if col.kind == "int" else [])
        tests += [f"{f} < {col.low}"] * (col.low is not None) + [f"{f} > {col.high}"] * (col.high is not None)
        return " OR ".join(tests)
    if col.kind == "date" and db_type in eng.DATES:  # a little wider than the rule: clocks and time zones differ
        return f"{v} IS NULL OR {v} < DATE '1900-01-02' OR {v} > current_date - INTERVAL 2 DAY"
    if col.kind == "bool" and db_type in eng.BOOL:
        return f"{v} IS NULL"
    if col.kind == "text" and text:
        return f"{v} IS NULL OR {blank}"
    if text:
        return "TRUE"  # text to be typed: every distinct value (the date rules compare them)
    raise _Unsupported(f"{col.kind} column stored as {db_type}")


def _column_problems(eng, view: str, spec: TableSpec, name: str, db_type: str, where: str,
                     date_format: str | None, value_map) -> list[Problem]:
    """The problems of one column, as :func:`validate_table` words them, from its distinct values."""
    from .load import validate_table

    v = eng.q(name)
    distinct = eng.frame(f"SELECT {v}, count(*) AS cw_n FROM {view} WHERE {_interesting(eng, spec.column(name), v, db_type)} "
                         f"GROUP BY {v} ORDER BY min(__row)")
    if distinct.empty:
        return []
    places = _Places(eng, view, name, distinct["cw_n"].to_numpy(), db_type in eng.FLOAT)
    one = dataclasses.replace(spec, key=())
    _, found = validate_table(distinct[[name]], one, where, places, {name: date_format} if date_format else None,
                              value_maps={name: value_map} if value_map else None)
    if len(found) != len(places.row_counts):
        raise _Unsupported("a check without examples")
    return [dataclasses.replace(p, count=n) for p, n in zip(found, places.row_counts)]


def _key_expression(eng, spec: TableSpec, name: str, db_type: str) -> str:
    """The SQL value a key column is compared on, as the typed frame compares it."""
    col = spec.column(name)
    kind = "id" if col.kind == "category" and col.allowed is None else col.kind  # both: stripped text
    if kind == "id" and db_type in eng.TEXT:
        return f"nullif({eng.strip(eng.q(name))}, '')"
    if kind == "id" and db_type in eng.WHOLE:
        return f"CAST({eng.q(name)} AS {eng.VARCHAR})"
    if kind == "date" and db_type in eng.DATES:
        return eng.q(name)
    raise _Unsupported(f"key column {name} stored as {db_type}")


def _duplicate_keys(eng, view: str, spec: TableSpec, types: dict[str, str], where: str) -> list[Problem]:
    """Rows whose key appears more than once (missing keys count as equal, as in pandas)."""
    if not spec.key or not all(k in types for k in spec.key):
        return []
    keys = ", ".join(_key_expression(eng, spec, k, types[k]) for k in spec.key)
    first = eng.q(spec.key[0])
    duplicated = (f"SELECT __row, {first} FROM (SELECT __row, {first}, count(*) OVER (PARTITION BY {keys}) AS cw_n "
                  f"FROM {view}) AS counted WHERE cw_n > 1")
    count = eng.scalar(f"SELECT count(*) FROM ({duplicated}) AS d")
    if not count:
        return []
    sample = eng.frame(f"{duplicated} ORDER BY __row LIMIT {MAX_EXAMPLES}")
    places = RowPlaces("row", 1, sample["__row"].to_numpy(dtype=np.int64))
    return [Problem(spec.name, ", ".join(spec.key), "duplicate keys", f"each ({', '.join(spec.key)}) to appear once",
                    int(count), places.examples(sample[spec.key[0]], np.ones(len(sample), bool), spec.key[0]), where)]


def _unknown_customers(eng, views: dict[str, tuple[str, dict]], wheres: dict[str, str]) -> list[Problem]:
    """Rows whose customer is not in ``customers``, as :func:`load._unknown_customers` words them."""
    if "customers" not in views:
        return []
    view, types = views["customers"]
    known = f"SELECT {_key_expression(eng, TABLES['customers'], 'customer_id', types['customer_id'])} AS k FROM {view}"
    problems = []
    for name in ("transactions", "surveys", "engagement", "campaigns"):
        if name not in views:
            continue
        view, types = views[name]
        key = _key_expression(eng, TABLES[name], "customer_id", types["customer_id"])
        unknown = (f"SELECT __row FROM {view} WHERE {key} IS NULL OR "
                   f"{key} NOT IN (SELECT k FROM ({known}) AS known WHERE k IS NOT NULL)")
        count = eng.scalar(f"SELECT count(*) FROM ({unknown}) AS u")
        if count:
            rows = eng.frame(f"{unknown} ORDER BY __row LIMIT {MAX_EXAMPLES}")["__row"].to_numpy(dtype=np.int64)
            places = RowPlaces("row", 1, rows)
            problems.append(Problem(name, "customer_id", "customers missing from the 'customers' table",
                                    "every customer_id to be listed in 'customers'", int(count),
                                    places.examples(None, np.ones(len(rows), bool), "customer_id"), wheres[name]))
    return problems


def _table_view(eng, source, name: str, db_table: str, rename, where: str) -> tuple[str, dict[str, str]]:
    """A temporary view ``cw_<name>`` of the contract columns (renamed) and ``__row``, the row's position;
    returns its name and ``{contract column: engine type}``. Column problems raise as for a file."""
    from ._reading import _resolve_columns

    original = eng.columns(source, db_table)
    wanted = _resolve_columns([c.strip() for c in original], TABLES[name], rename or {}, where)
    by_stripped = {c.strip(): c for c in original}
    types = eng.view(source, db_table, name, {by_stripped[src]: dst for src, dst in wanted.items()})
    return f"cw_{name}", {c: t for c, t in types.items() if c != "__row"}


def engine_problems(source, tables: dict[str, str], column_map, value_maps, formats) -> list[Problem] | None:
    """Every contract problem of the ``{contract table: database table}`` of a ``duckdb:`` or ``spark:`` source
    found by the per-table checks (and, when they pass, customers missing from ``customers``), worded as for
    files; ``None`` when some table needs the pandas checks instead (see the module docstring)."""
    from ._problems import DataValidationError
    from .load import _unused_value_maps

    problems, views, wheres = [], {}, {}
    with _engine(source) as eng:
        try:
            for name, db_table in tables.items():
                wheres[name] = where = source.where(db_table)
                try:
                    view, types = views[name] = _table_view(eng, source, name, db_table, column_map.get(name), where)
                except DataValidationError as exc:
                    problems += exc.problems
                    continue
                problems += _unused_value_maps(value_maps, name, pd.DataFrame(columns=list(types)), where)
                if not eng.scalar(f"SELECT count(*) FROM {view}"):
                    problems.append(Problem(name, None, "table is empty", "at least one data row", file=where))
                    continue
                for column, db_type in types.items():
                    problems += _column_problems(eng, view, TABLES[name], column, db_type, where,
                                                 formats.get(name, {}).get(column), value_maps.get(name, {}).get(column))
                problems += _duplicate_keys(eng, view, TABLES[name], types, where)
            return problems or _unknown_customers(eng, views, wheres)
        except _Unsupported:
            return None
