"""The run's cache (customer_workbook.cache): a cached result is the fresh one; other data or parameters miss."""
from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from customer_workbook import cache, data

LOAD = dict(column_map={}, window=None, outside_window="drop", date_format=None, event_map={}, status_map={})


@pytest.fixture(autouse=True)
def cache_folder(tmp_path, monkeypatch):
    """Every test gets its own empty cache folder, with the cache on."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(folder))
    monkeypatch.setenv(cache.ENV_SWITCH, "1")  # off by default under pytest: these tests opt in
    return folder


@pytest.fixture()
def loads(monkeypatch):
    """Counts the real loads behind cache.load_dataset."""
    calls = []
    real = data.load_dataset

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(data, "load_dataset", counting)
    return calls


def assert_same_dataset(a, b) -> None:
    assert a.tables.keys() == b.tables.keys()
    for name, frame in a.tables.items():
        if frame is None:
            assert b.tables[name] is None
            continue
        pd.testing.assert_frame_equal(b.tables[name], frame, check_exact=True)
        for column in frame.select_dtypes("category"):
            assert list(frame[column].cat.categories) == list(b.tables[name][column].cat.categories)
    assert (a.sources, a.quality, a.value_unit) == (b.sources, b.quality, b.value_unit)


def test_a_cached_dataset_is_the_fresh_one(small_sample, loads, cache_folder):
    fresh = data.filter_dataset(data.load_dataset(small_sample, **LOAD), region=None)
    cold = cache.load_dataset(small_sample, None, **LOAD)
    warm = cache.load_dataset(small_sample, None, **LOAD)
    assert len(loads) == 2, "the second load must come from the cache"
    assert list(cache_folder.glob("datasets/*/transactions.parquet")), "tables are stored as Parquet"
    assert_same_dataset(fresh, cold)
    assert_same_dataset(fresh, warm)


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_the_derived_tables_are_stored_with_the_dataset(small_sample, cache_folder, monkeypatch, engine):
    import importlib

    from customer_workbook import base

    module = importlib.import_module("customer_workbook.base.derived")
    built = []
    for name in ("order_table", "engine_orders", "customer_features", "customer_table"):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, _name=name, **k: built.append(_name) or _real(*a, **k))
    cold = cache.load_dataset(small_sample, None, engine=engine, **LOAD)
    cold_tables = base.derived(cold)
    assert len(built) == 3, "storing the data set builds its derived tables once"
    assert len(list(cache_folder.glob("datasets/*/derived/*.parquet"))) == 3
    warm = cache.load_dataset(small_sample, None, engine=engine, **LOAD)
    tables = base.derived(warm)
    for name in ("orders", "sale_orders", "customers"):
        pd.testing.assert_frame_equal(getattr(tables, name), getattr(cold_tables, name), check_exact=True)
    assert len(built) == 3, "a warm read builds nothing"
    assert list(tables.customers.index.categories) == list(warm.transactions["customer_id"].cat.categories)


def test_a_changed_data_file_misses_the_cache(small_sample, tmp_path, loads):
    folder = tmp_path / "data"
    shutil.copytree(small_sample, folder)
    first = cache.load_dataset(folder, None, **LOAD)
    lines = pd.read_parquet(folder / "transactions.parquet")
    lines.iloc[:-1].to_parquet(folder / "transactions.parquet", index=False)
    second = cache.load_dataset(folder, None, **LOAD)
    assert len(loads) == 2
    assert len(second.transactions) == len(first.transactions) - 1
    stat = (folder / "transactions.parquet").stat()
    os.utime(folder / "transactions.parquet", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    cache.load_dataset(folder, None, **LOAD)
    assert len(loads) == 3, "a newer modification time alone must miss the cache"


def test_other_parameters_miss_the_cache(small_sample, loads):
    everyone = cache.load_dataset(small_sample, None, **LOAD)
    region = str(everyone.customers["region"].dropna().iloc[0])
    one_region = cache.load_dataset(small_sample, region, **LOAD)
    later = cache.load_dataset(small_sample, None, **{**LOAD, "window": ("2024-01-01", None)})
    assert len(loads) == 3
    assert len(one_region.customers) < len(everyone.customers)
    assert later.transactions["date"].min() >= pd.Timestamp("2024-01-01")


def test_the_way_out_computes_afresh_and_stores_nothing(small_sample, loads, cache_folder, monkeypatch):
    cache.load_dataset(small_sample, None, cache=False, **LOAD)
    monkeypatch.setenv(cache.ENV_SWITCH, "0")
    cache.load_dataset(small_sample, None, **LOAD)
    assert cache.call(lambda x: x + 1, 1) == 2
    assert len(loads) == 2 and not cache_folder.exists()


def test_call_reuses_a_result_only_for_the_same_content(cache_folder):
    calls = []

    def summary(frame: pd.DataFrame, scale: float = 1.0) -> pd.DataFrame:
        calls.append(scale)
        return frame.assign(double=frame["x"] * 2 * scale)

    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=pd.Index(["a", "b", "c"], name="customer_id"))
    first = cache.call(summary, frame)
    again = cache.call(summary, frame.copy())
    assert len(calls) == 1, "the same content is a hit, whatever the object"
    pd.testing.assert_frame_equal(again, first, check_exact=True)
    assert list(cache_folder.glob("results/*/*.parquet")), "a table result is stored as Parquet"
    cache.call(summary, frame, scale=2.0)
    cache.call(summary, frame.assign(x=[1.0, 2.0, 4.0]))
    cache.call(summary, frame.set_axis(["a", "b", "d"]))
    assert len(calls) == 4, "another parameter, value or index misses"


def test_the_cache_never_fails_a_run(small_sample, cache_folder, monkeypatch):
    monkeypatch.setattr(cache, "atomic_write_bytes", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left")))
    ds = cache.load_dataset(small_sample, None, **LOAD)
    assert len(ds.transactions) and cache.call(lambda x: x * 2, 21) == 42


def test_off_by_default_under_pytest_unless_asked(monkeypatch):
    monkeypatch.delenv(cache.ENV_SWITCH)
    assert not cache.enabled()
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert cache.enabled()
    assert not cache.enabled(False)


def test_a_library_edit_misses_the_cache(monkeypatch):
    calls = []
    cache.call(lambda: calls.append(1) or {"n": 1})
    cache.call(lambda: calls.append(1) or {"n": 1})
    monkeypatch.setattr(cache, "library_version", lambda: "edited")
    cache.call(lambda: calls.append(1) or {"n": 1})
    assert len(calls) == 2


def test_the_dataset_key_covers_the_tables_of_an_uncached_dataset(small_sample):
    ds = data.load_dataset(small_sample, **LOAD)
    other = data.load_dataset(small_sample, **{**LOAD, "window": ("2024-01-01", None)})
    assert cache.key_of(ds) == cache.key_of(data.load_dataset(small_sample, **LOAD))
    assert cache.key_of(ds) != cache.key_of(other)


@pytest.mark.notebooks
def test_a_notebook_finds_the_same_with_a_cold_and_a_warm_cache(small_sample, tmp_path, cache_folder):
    """Notebook 04 routes the data set, personas, customer values and churn drivers through the cache."""
    from conftest import execute_notebook, values

    cold = execute_notebook("04_plan_phases", _folder(tmp_path / "cold"), data_dir=str(small_sample))
    stored = sorted(p.name for p in (cache_folder / "results").iterdir())
    assert any("find_personas" in name for name in stored) and list(cache_folder.glob("datasets/*/dataset.json"))
    warm = execute_notebook("04_plan_phases", _folder(tmp_path / "warm"), data_dir=str(small_sample))
    assert values(warm) == values(cold)


def _folder(path):
    path.mkdir(parents=True)
    return path
