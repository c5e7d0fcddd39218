"""The DuckDB builders give the pandas reference's tables on random order lines (hypothesis)."""
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from customer_workbook import engine

sys.path.insert(0, str(Path(__file__).parent))
from tables_cases import PRODUCTS, check_all, make_lines  # noqa: E402

OPTIONAL = ("product_id", "channel", "discount", "delivery_days")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: each example runs queries
@given(n_orders=st.integers(1, 60), n_customers=st.sampled_from([1, 3, 25]), seed=st.integers(0, 10_000),
       optional=st.sets(st.sampled_from(OPTIONAL)), products=st.booleans(), as_of=st.booleans())
def test_duckdb_tables_equal_the_reference(n_orders, n_customers, seed, optional, products, as_of):
    tx = make_lines(n_orders, n_customers, seed, tuple(o for o in OPTIONAL if o in optional))
    check_all(tx, "duckdb", products=PRODUCTS if products else None, with_customers=seed % 2 == 0,
              as_of=tx["date"].min() + pd.Timedelta(days=5) if as_of else None)


def test_ties_keep_the_order_of_first_lines():
    tx = make_lines(1, 1, 0, ())
    tx = pd.concat([tx.assign(order_id="B"), tx.assign(order_id="A")], ignore_index=True)
    tx["order_id"] = tx["order_id"].astype("category")
    orders = engine.order_table(engine.lines_frame(tx, "duckdb"), dtypes=tx.dtypes)
    assert orders["order_id"].tolist() == ["B", "A"]        # same date: the order seen first comes first


def test_lines_without_their_position_are_refused():
    tx = make_lines(3, 2, 1, ())
    with pytest.raises(ValueError, match="_line"):
        engine.order_table(engine.lazy(tx, "duckdb"))
