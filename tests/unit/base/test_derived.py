"""The run's derived tables: built once per Dataset on its engine, identical to building them directly."""
import importlib

import pandas as pd
import pytest

from customer_workbook import base, data

derived_module = importlib.import_module("customer_workbook.base.derived")  # base.derived is the function


def _same(got, want):
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=0)


def test_derived_tables_are_built_once_and_match_the_builders(small_sample):
    ds = data.load_dataset(small_sample)
    tables = base.derived(ds)
    assert base.derived(ds) is tables
    assert tables.orders is tables.orders  # kept after the first build
    _same(tables.orders, base.order_table(ds.transactions))
    _same(tables.sale_orders, base.order_table(ds.transactions, sales_only=True))
    _same(tables.customers, base.customer_features(ds.transactions, ds.products, ds.customers))
    region = ds.customers["region"].iloc[0]
    regional = data.filter_dataset(ds, region=region)
    assert base.derived(regional) is not tables
    assert base.derived(regional).customers.index.isin(tables.customers.index).all()
    assert len(base.derived(regional).customers) < len(tables.customers)


@pytest.mark.parametrize("engine,used,unused", [("pandas", ("order_table", "customer_features"),
                                                 ("engine_orders", "customer_table")),
                                                ("duckdb", ("engine_orders", "customer_table"),
                                                 ("order_table", "customer_features"))])
def test_the_dataset_engine_builds_the_tables(small_sample, monkeypatch, engine, used, unused):
    calls = []
    for name in used + unused:
        real = getattr(derived_module, name)
        monkeypatch.setattr(derived_module, name,
                            lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    ds = data.load_dataset(small_sample, engine=engine)
    tables = base.derived(ds)
    tables.orders, tables.sale_orders, tables.customers
    assert sorted(set(calls)) == sorted(used) and len(calls) == 3
