"""Where the data come from when they are not a folder of files: a database the workbook can reach.

A source is named by one line of text, the same in a notebook's ``data_dir`` parameter, a batch parameter
file (YAML) and :func:`customer_workbook.data.load_dataset`:

- ``duckdb:path/to/shop.duckdb`` — a DuckDB database file, opened read-only; tables named after the
  contract tables (``transactions``, ``customers`` ...), in schema ``main`` or the one given as
  ``duckdb:path/to/shop.duckdb?schema=sales``;
- ``sqlite:path/to/shop.db`` — a SQLite database file (the format most SQL tools can export to), read with
  Python's own ``sqlite3`` module: DuckDB's ``sqlite`` and ``postgres`` scanner extensions are not bundled
  with the ``duckdb`` wheel and are downloaded on first use, which this machine (and many locked-down
  ones) cannot do;
- ``spark:sales`` — the tables of database ``sales`` in the Spark catalogue, read with
  :func:`customer_workbook.engine.spark_session` (on Databricks: the notebook's active session).

A ``duckdb:`` or ``spark:`` table is checked inside its engine before anything is fetched
(:mod:`._engine_checks`); SQLite tables (and DuckDB views) have their contract columns fetched and checked in
pandas, as files are.
Relative file paths resolve against the project root, as for a folder. Table names match ignoring case.
Only the contract columns of each table are fetched (the column check uses the table's schema, no rows);
each row's place in messages is ``row N``, its position in the table as read (first row 1).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..contract import TABLES, TableSpec
from ..paths import resolve_path
from ._problems import DataValidationError, Problem, RowPlaces
from ._reading import RawTable, _resolve_columns

__all__ = ["DatabaseSource", "KINDS", "parse_source", "read_source_table"]

#: The prefixes that name a database source, with what follows them.
KINDS = {"duckdb": "a DuckDB database file", "sqlite": "a SQLite database file", "spark": "a Spark database"}


@dataclass(frozen=True)
class DatabaseSource:
    """A database holding the contract tables: ``kind`` (one of :data:`KINDS`), the database file (or
    the Spark database name) and the schema (DuckDB only)."""

    kind: str
    location: str
    schema: str | None = None

    @property
    def path(self) -> Path | None:
        """The database file (None for Spark)."""
        return None if self.kind == "spark" else resolve_path(self.location)

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else self.location
        return f"{self.kind}:{where}" + (f"?schema={self.schema}" if self.schema else "")

    def where(self, table: str) -> str:
        """How messages name one table of this source: the database and the table."""
        return f"{self} (table {table})"

    def check_exists(self) -> None:
        """FileNotFoundError naming the file when a database file is missing or is a folder."""
        if self.path is not None and not self.path.is_file():
            what = "is a folder, not a database file" if self.path.is_dir() else "not found"
            what = f"{KINDS[self.kind]} {what}"
            raise FileNotFoundError(f"{what[0].upper()}{what[1:]}: {self.path}")

    def tables(self) -> dict[str, str]:
        """``{contract table: the database's table name}`` for the contract tables present."""
        self.check_exists()
        names = self._table_names()
        lower = {n.lower(): n for n in names}
        return {name: lower[name] for name in TABLES if name in lower}

    def columns(self, table: str) -> list[str]:
        """The column names of ``table`` as the database spells them (no rows read)."""
        if self.kind == "spark":
            return list(self._spark().table(self._qualified(table)).columns)
        return list(self._query(f"SELECT * FROM {self._qualified(table)} LIMIT 0").columns)

    def read(self, table: str, columns: dict[str, str]) -> pd.DataFrame:
        """The ``{database column: contract column}`` columns of ``table``, in the table's order, through
        Arrow (typed as the database types them: text stays text, to be typed by the contract's rules)."""
        if self.kind == "spark":
            from pyspark.sql import functions as F

            frame = self._spark().table(self._qualified(table)).select(
                [F.col(f"`{src}`").alias(dst) for src, dst in columns.items()])
            return frame.toPandas()
        listed = ", ".join(f"{_quoted(src)} AS {_quoted(dst)}" for src, dst in columns.items())
        return self._query(f"SELECT {listed} FROM {self._qualified(table)}")

    # ------------------------------------------------------------------ per kind

    def _qualified(self, table: str) -> str:
        if self.kind == "spark":
            return f"{_spark_quoted(self.location)}.{_spark_quoted(table)}"
        return f"{_quoted(self.schema)}.{_quoted(table)}" if self.schema else _quoted(table)

    def _table_names(self) -> list[str]:
        if self.kind == "spark":
            return [t.name for t in self._spark().catalog.listTables(self.location)]
        if self.kind == "sqlite":
            return list(self._query("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")["name"])
        return list(self._query("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                f"'{(self.schema or 'main').replace(chr(39), chr(39) * 2)}'")["table_name"])

    def _query(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` on the database file, opened read-only, and return the result as pandas via Arrow."""
        if self.kind == "sqlite":
            with sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True) as con:
                cursor = con.execute(sql)
                names = [d[0] for d in cursor.description]
                return pd.DataFrame.from_records(cursor.fetchall(), columns=names)
        import duckdb

        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.sql(sql).to_arrow_table().to_pandas()

    @staticmethod
    def _spark():
        from ..engine import spark_session

        return spark_session()


def _quoted(name: str) -> str:
    """A DuckDB / SQLite identifier, quoted (a double quote inside doubled)."""
    return '"' + name.replace('"', '""') + '"'


def _spark_quoted(name: str) -> str:
    """A Spark SQL identifier, quoted (a backtick inside doubled), so a name can never end the quoting."""
    return "`" + name.replace("`", "``") + "`"


def parse_source(source) -> DatabaseSource | None:
    """The database ``source`` names (``duckdb:…``, ``sqlite:…``, ``spark:…``), or None for a folder or a
    ``{table: file}`` mapping. ValueError for a prefix without a database after it."""
    if not isinstance(source, str) or ":" not in source:
        return None
    kind, _, rest = source.partition(":")
    if kind.strip().lower() not in KINDS:
        return None
    kind, rest = kind.strip().lower(), rest.strip()
    location, _, query = rest.partition("?schema=") if kind == "duckdb" else (rest, "", "")
    if not location:
        raise ValueError(f"data source {source!r} names no database: write {kind}:<{KINDS[kind]}>")
    return DatabaseSource(kind, location, query.strip() or None)


def read_source_table(source: DatabaseSource, table: str, spec: TableSpec, rename=None) -> RawTable:
    """The contract columns of ``table`` (the database's name for contract table ``spec``), renamed by
    ``rename`` first, with the same column checks and messages as a file (:mod:`._reading`); places are
    ``row N``. A table the database cannot read raises :class:`DataValidationError` naming it."""
    where = source.where(table)
    try:
        original = source.columns(table)
    except Exception as exc:  # each driver raises its own types
        raise DataValidationError([Problem(spec.name, None, f"the table cannot be read ({exc})",
                                           "a table the database can read", file=where)]) from None
    wanted = _resolve_columns([n.strip() for n in original], spec, rename or {}, where)
    by_stripped = {n.strip(): n for n in original}
    frame = source.read(table, {by_stripped[src]: dst for src, dst in wanted.items()})
    return RawTable(frame, RowPlaces("row", 1))
