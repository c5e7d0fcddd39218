"""The run's derived tables: built once per Dataset, identical to building them directly."""
import pandas as pd

from customer_workbook import base, data


def test_derived_tables_are_built_once_and_match_the_builders(small_sample):
    ds = data.load_dataset(small_sample)
    tables = base.derived(ds)
    assert base.derived(ds) is tables
    assert tables.orders is tables.orders  # kept after the first build
    pd.testing.assert_frame_equal(tables.orders, base.order_table(ds.transactions))
    pd.testing.assert_frame_equal(tables.sale_orders, base.order_table(ds.transactions, sales_only=True))
    pd.testing.assert_frame_equal(tables.customers,
                                  base.customer_features(ds.transactions, ds.products, ds.customers))
    region = ds.customers["region"].iloc[0]
    regional = data.filter_dataset(ds, region=region)
    assert base.derived(regional) is not tables
    assert base.derived(regional).customers.index.isin(tables.customers.index).all()
    assert len(base.derived(regional).customers) < len(tables.customers)
