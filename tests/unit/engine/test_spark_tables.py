"""The Spark builders (local mode) give the pandas reference's tables on fixed lines and the small sample."""
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from tables_cases import PRODUCTS, check_all, make_lines  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java: no `java` on the PATH")


@pytest.fixture(scope="module")
def spark():
    """One local Spark session for this module (started once: it takes seconds)."""
    from customer_workbook import engine

    session = engine.spark_session()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.parametrize("seed,optional", [(3, ("product_id", "channel", "discount", "delivery_days")), (5, ())])
def test_spark_tables_on_fixed_lines(spark, seed, optional):
    check_all(make_lines(40, 6, seed, optional), "spark", products=PRODUCTS)


def test_spark_tables_on_the_small_sample(spark, small_sample):
    from customer_workbook import data

    ds = data.load_dataset(small_sample)
    check_all(ds.transactions, "spark", products=ds.products, with_customers=False)
