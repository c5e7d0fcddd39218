"""The query engine that builds the derived tables: DuckDB by default, Spark for a cluster, pandas as reference.

Only one step of the workbook grows with the number of order lines: turning lines into orders, the
per-customer table, weekly metrics, cohorts and the CLV statistics (:mod:`customer_workbook.base`). That
step is written once, with `narwhals <https://narwhals-dev.github.io/narwhals/>`_ expressions, and runs
where the data are:

- ``"duckdb"`` (default): embedded, uses every core, spills to disk when the data outgrow memory and
  reads Parquet, CSV or a database file in place;
- ``"spark"``: a PySpark session (the active one, or a local one), for data that live in Spark tables;
- ``"pandas"``: the same tables built in memory by NumPy, the reference the other two are tested against.

Why narwhals: one expression API that runs lazily on DuckDB relations and PySpark DataFrames (and eagerly on
pandas) without SQL strings or a dialect transpiler, is a small pure-Python package the plotting stack already
brings, and hands results back as pandas through Arrow. Models then fit on one node on these compressed
tables (one row per customer or per week), never on the raw lines.

>>> from customer_workbook import engine
>>> lf = engine.lazy(transactions, "duckdb")      # a narwhals LazyFrame over a pandas frame, no copy
>>> engine.collect(lf.group_by("customer_id").agg(nw.len()))
"""
from __future__ import annotations

import os
import sys
from functools import lru_cache

import narwhals as nw
import pandas as pd

__all__ = ["DEFAULT_ENGINE", "ENGINES", "LINE", "check_engine", "collect", "customer_table", "duckdb_connection", "lazy",
           "lines_frame", "order_table", "spark_session"]

#: The engines that can build the derived tables.
ENGINES = ("duckdb", "spark", "pandas")
#: The engine used when a run names none.
DEFAULT_ENGINE = "duckdb"


def check_engine(name: str | None) -> str:
    """``name`` if it is one of :data:`ENGINES` (``None``: the default), else a ValueError listing them."""
    name = DEFAULT_ENGINE if name is None else str(name).strip().lower()
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {name!r}")
    return name


@lru_cache(maxsize=1)
def duckdb_connection():
    """This process's in-memory DuckDB connection (one per process; every core; UTC timestamps)."""
    import duckdb

    con = duckdb.connect(config={"threads": os.cpu_count() or 1})
    con.execute("SET TimeZone = 'UTC'")
    return con


def spark_session():
    """The active Spark session, or a local one using every core (UTC, no web UI, Arrow transfers on, a 4 GB
    driver heap, or ``$CUSTOMER_WORKBOOK_SPARK_MEMORY``: the local session's driver is its only executor). A local
    session's Python workers run this interpreter (``$PYSPARK_PYTHON`` unless already set), so pandas UDFs such
    as :meth:`customer_workbook.clv.CustomerValue.score` find the library."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # Python UDFs of a local session run in this environment
    return (SparkSession.builder.master("local[*]").appName("customer-workbook")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", os.environ.get("CUSTOMER_WORKBOOK_SPARK_MEMORY", "4g"))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.shuffle.partitions", str(max(2, 2 * (os.cpu_count() or 1))))
            .getOrCreate())


def lazy(frame: pd.DataFrame, engine: str = DEFAULT_ENGINE):
    """``frame`` as a narwhals frame on ``engine``: a LazyFrame on DuckDB or Spark, an eager DataFrame on
    pandas. Categorical columns travel as text (Spark has no categorical type)."""
    engine = check_engine(engine)
    if engine == "pandas":
        return nw.from_native(frame, eager_only=True)
    if engine == "duckdb":
        return nw.from_native(duckdb_connection().from_df(frame))
    plain = frame.astype({c: "str" for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})
    return nw.from_native(spark_session().createDataFrame(plain))


def collect(frame) -> pd.DataFrame:
    """The rows of a narwhals frame (lazy or eager) as a pandas DataFrame."""
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect("pandas")
    return frame.to_native()


from ._tables import LINE, lines_frame, order_table  # noqa: E402  (the builders use the functions above)
from ._customers import customer_table  # noqa: E402
