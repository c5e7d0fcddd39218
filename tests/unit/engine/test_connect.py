"""The engine entry points: the same query gives the same rows on pandas, DuckDB and Spark."""
import narwhals as nw
import pandas as pd
import pytest

from customer_workbook import engine


def _frame():
    return pd.DataFrame({"c": pd.Categorical(["a", "b", "a"]), "x": [1.0, 2.0, 3.5],
                         "d": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 00:00", "2024-01-03 23:59"])})


@pytest.mark.parametrize("name", ["pandas", "duckdb"])
def test_same_rows_on_each_engine(name):
    out = engine.collect(engine.lazy(_frame(), name).group_by("c").agg(nw.col("x").sum(), nw.col("d").max())
                         .sort("c"))
    assert out["x"].tolist() == [4.5, 2.0]
    assert out["d"].tolist() == [pd.Timestamp("2024-01-03 23:59"), pd.Timestamp("2024-01-02")]


def test_engine_names_are_checked():
    assert engine.check_engine(None) == engine.DEFAULT_ENGINE == "duckdb"
    assert engine.check_engine(" Spark ") == "spark"
    with pytest.raises(ValueError, match="duckdb, spark, pandas"):
        engine.check_engine("polars")
