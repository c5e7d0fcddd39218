"""A ``spark:<database>`` source in local mode: the tables of a Spark database load to the same Dataset as
the same files, and broken data give the same messages. Small: runs in CI (Java 17)."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from customer_workbook.data import DataValidationError, load_dataset
from customer_workbook.data._engine_checks import engine_problems as load_engine_problems

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """A local Spark session with its warehouse in a temporary folder; :func:`engine.spark_session` uses it
    as the active session."""
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("warehouse")
    session = (SparkSession.builder.master("local[1]").appName("sources-test")
               .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.warehouse.dir", str(warehouse)).getOrCreate())
    yield session
    session.stop()


def save(spark, database: str, frames: dict[str, pd.DataFrame]) -> None:
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {database}")
    for name, frame in frames.items():
        plain = frame.astype({c: str for c in frame.select_dtypes("category")})
        spark.createDataFrame(plain).coalesce(1).write.mode("overwrite").saveAsTable(f"{database}.{name}")


def test_spark_tables_load_to_the_same_dataset_as_the_files(spark, small_sample, monkeypatch):
    import customer_workbook.data.load as load

    names = ("transactions", "customers", "products")
    frames = {n: pd.read_parquet(small_sample / f"{n}.parquet") for n in names}
    save(spark, "shop", frames)
    checked = []
    monkeypatch.setattr(load, "engine_problems", lambda *args: checked.append(load_engine_problems(*args)) or [])
    ds = load_dataset("spark:shop", engine="spark")
    assert checked == [[]]  # every table checked inside Spark, nothing found
    files = load_dataset({n: small_sample / f"{n}.parquet" for n in names})
    for name in names:
        pd.testing.assert_frame_equal(files.tables[name], ds.tables[name], obj=name)
    assert ds.engine == "spark" and ds.sources["customers"] == "spark:shop (table customers)"


def test_the_run_cache_loads_spark_tables_afresh(spark, small_sample, monkeypatch, tmp_path):
    """The notebooks load through :func:`cache.load_dataset`: a Spark source has no file to fingerprint, so it
    is read every time (never served stale from build/cache) and nothing is stored."""
    from customer_workbook import cache

    monkeypatch.setenv(cache.ENV_SWITCH, "1")
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path))
    save(spark, "cached", {"transactions": pd.read_parquet(small_sample / "transactions.parquet")})
    ds = cache.load_dataset("spark:cached", None, engine="spark", outside_window="drop")
    assert len(ds.transactions) == len(pd.read_parquet(small_sample / "transactions.parquet"))
    assert not any(tmp_path.iterdir())


def test_broken_spark_table_names_the_problem_without_customer_ids(spark):
    save(spark, "broken", {"transactions": pd.DataFrame({
        "customer_id": ["C1", None, "C3"], "date": ["2024-01-02", "2024-01-03", "05/01/2024"],
        "amount": [3.0, 4.0, 5.0]})})
    with pytest.raises(DataValidationError) as info:
        load_dataset("spark:broken")
    found = [str(p) for p in info.value.problems]
    assert found[0].startswith("spark:broken (table transactions): table 'transactions', column 'customer_id': "
                               "missing values in a required column in 1 row(s)")
    assert "date_format" in found[1] and "row 3: date='05/01/2024'" in found[1]


SPARK_CASES = ("null ids", "bad dates", "text numbers", "unknown customers", "duplicate products",
               "blank ids and many examples", "mapped events", "outside window")


@pytest.mark.parametrize("case", SPARK_CASES)
def test_broken_spark_tables_give_the_messages_of_the_same_csv(spark, case, tmp_path, monkeypatch):
    """The hostile cases of ``test_sources`` as text columns of Spark tables: the CSV's messages, found by Spark
    (nothing fetched into pandas, except for the window, which is checked on the fetched rows)."""
    import customer_workbook.data.load as load
    from .test_sources import HOSTILE, OPTIONS, messages

    folder = tmp_path / "csv"
    folder.mkdir()
    frames = {}
    for name, text in HOSTILE[case].items():
        (folder / name).write_text(text, encoding="utf-8")
        frames[name.removesuffix(".csv")] = pd.read_csv(folder / name, dtype=str, keep_default_na=False).replace("", None)
    database = "hostile_" + case.replace(" ", "_").replace("-", "_")
    save(spark, database, frames)
    expected = messages(folder, **OPTIONS.get(case, {}))
    if case != "outside window":
        monkeypatch.setattr(load, "read_source_table", None)
    assert messages(f"spark:{database}", **OPTIONS.get(case, {})) == expected
