"""A ``spark:<database>`` source in local mode: the tables of a Spark database load to the same Dataset as
the same files, and broken data give the same messages. Small: runs in CI (Java 17)."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from customer_workbook.data import DataValidationError, load_dataset

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


def test_spark_tables_load_to_the_same_dataset_as_the_files(spark, small_sample):
    names = ("transactions", "customers", "products")
    frames = {n: pd.read_parquet(small_sample / f"{n}.parquet") for n in names}
    save(spark, "shop", frames)
    ds = load_dataset("spark:shop", engine="spark")
    files = load_dataset({n: small_sample / f"{n}.parquet" for n in names})
    for name in names:
        pd.testing.assert_frame_equal(files.tables[name], ds.tables[name], obj=name)
    assert ds.engine == "spark" and ds.sources["customers"] == "spark:shop (table customers)"


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
