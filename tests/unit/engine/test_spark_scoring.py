"""Scoring every customer inside Spark: the models fit once on the driver, a pandas UDF (``mapInPandas``)
scores the CLV statistics where they live, and the scores equal the local ones. Runs in CI (Java 17)."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from customer_workbook import clv, engine

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)


def test_a_spark_pandas_udf_scores_like_the_local_table():
    value = clv.score_customers(clv.load_cdnow(), "1997-10-01", models=("BG/NBD",), horizons_months=(12, 36))
    local = value.table
    stats = local[["frequency", "recency", "T", "monetary_value"]].rename_axis("customer_id").reset_index()
    spark = engine.spark_session()
    schema = ", ".join(["customer_id string", "frequency double", "recency double", "T double",
                        "monetary_value double"] + [f"{c} double" for c in local.columns[4:]])

    def score(parts):
        for part in parts:
            yield value.score(part.set_index("customer_id")).reset_index()

    scored = (spark.createDataFrame(stats.astype({"frequency": float})).repartition(3)
              .mapInPandas(score, schema).toPandas().set_index("customer_id").loc[local.index])
    pd.testing.assert_frame_equal(scored, local.astype(float), check_exact=False, rtol=1e-12, check_names=False)
