"""Database sources (``duckdb:``, ``sqlite:``, ``spark:``): the same Dataset as the same data in files,
and the same messages for the same broken data (places read ``row N`` instead of a file line)."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from customer_workbook.data import DataValidationError, load_dataset
from customer_workbook.data._engine_checks import engine_problems
from customer_workbook.data._sources import parse_source


def to_duckdb(folder: Path, db: Path, text: bool = False) -> Path:
    """Every table file of ``folder`` as a table of the DuckDB file ``db`` (CSV values kept as text)."""
    with duckdb.connect(str(db)) as con:
        for path in sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".parquet")):
            reader = (f"read_csv('{path}', all_varchar = true)" if path.suffix == ".csv" and text
                      else f"read_csv('{path}')" if path.suffix == ".csv" else f"read_parquet('{path}')")
            con.execute(f'CREATE TABLE "{path.stem}" AS SELECT * FROM {reader}')
    return db


def assert_same_dataset(a, b) -> None:
    assert set(a.tables) == set(b.tables)
    for name, frame in a.tables.items():
        pd.testing.assert_frame_equal(frame, b.tables[name], obj=name)
    assert a.quality.notes == b.quality.notes and a.value_unit == b.value_unit


def test_the_small_sample_in_a_duckdb_file_loads_to_the_same_dataset(small_sample, tmp_path):
    db = to_duckdb(small_sample, tmp_path / "shop.duckdb")
    ds = load_dataset(f"duckdb:{db}", window=("2020-01-01", None), outside_window="drop")
    assert_same_dataset(load_dataset(small_sample, window=("2020-01-01", None), outside_window="drop"), ds)
    assert ds.sources["transactions"] == f"duckdb:{db} (table transactions)"
    source = parse_source(f"duckdb:{db}")
    assert engine_problems(source, source.tables(), {}, {}, {}) == []  # every table checked inside DuckDB


def test_a_schema_and_table_names_in_other_case(small_sample, tmp_path):
    db = tmp_path / "shop.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA sales")
        con.execute(f"CREATE TABLE sales.Transactions AS SELECT * FROM read_parquet('{small_sample}/transactions.parquet')")
    ds = load_dataset(f"duckdb:{db}?schema=sales")
    assert ds.missing and len(ds.transactions) == len(pd.read_parquet(small_sample / "transactions.parquet"))
    with pytest.raises(DataValidationError, match="a transactions table in duckdb:.*shop.duckdb; tables found: \\[\\]"):
        load_dataset(f"duckdb:{db}")


def test_the_small_sample_in_a_sqlite_file_loads_to_the_same_transactions(small_sample, tmp_path):
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as con:
        for name in ("transactions", "customers", "products"):
            frame = pd.read_parquet(small_sample / f"{name}.parquet")
            frame.astype({c: str for c in frame.select_dtypes("category")}).to_sql(name, con, index=False)
    ds = load_dataset(f"sqlite:{db}")
    files = load_dataset({n: small_sample / f"{n}.parquet" for n in ("transactions", "customers", "products")})
    pd.testing.assert_frame_equal(files.transactions, ds.transactions)
    pd.testing.assert_frame_equal(files.customers, ds.customers)


def test_a_missing_database_file_and_a_bare_prefix(tmp_path):
    with pytest.raises(FileNotFoundError, match="A DuckDB database file not found: .*gone.duckdb"):
        load_dataset(f"duckdb:{tmp_path}/gone.duckdb")
    with pytest.raises(ValueError, match="names no database"):
        load_dataset("spark:")
    assert parse_source(str(tmp_path)) is None and parse_source({"transactions": "x.csv"}) is None
    assert parse_source("SQLite: shop.db").kind == "sqlite"


# --------------------------------------------------------------------------- the same messages

TX = "customer_id,date,amount,delivery_days\n"
GOOD_TX = TX + "".join(f"C{i},2024-01-{i + 1:02d},{i}.5,2\n" for i in range(1, 8))
CUSTOMERS = "customer_id,region\n" + "".join(f"C{i},north\n" for i in range(1, 8))
PRODUCTS = "product_id,list_price\nP1,3\nP2,4\n"

HOSTILE = {
    "missing column": {"transactions.csv": "customer_id,amount\nC1,3\nC2,4\n"},
    "null ids": {"transactions.csv": TX + "C1,2024-01-02,3,1\n,2024-01-03,4,1\n,2024-01-04,5,1\n"},
    "bad dates": {"transactions.csv": TX + "C1,2024-01-02,3,1\nC2,05/01/2024,4,1\nC3,2024-02-30,5,1\n"},
    "day-month dates": {"transactions.csv": TX + "C1,05/01/2024,3,1\nC2,06/01/2024,4,1\n"},
    "negative days": {"transactions.csv": TX + "C1,2024-01-02,3,-1\nC2,2024-01-03,4,2\nC3,2024-01-04,5,-7\n"},
    "unknown customers": {"transactions.csv": GOOD_TX + "C99,2024-01-20,3,1\nC98,2024-01-21,3,1\n",
                          "customers.csv": CUSTOMERS},
    "duplicate products": {"transactions.csv": GOOD_TX, "products.csv": PRODUCTS + "P1,5\nP3,-2\n"},
    "outside window": {"transactions.csv": GOOD_TX + "C1,2023-06-01,3,1\nC2,2025-06-01,3,1\n"},
    "bad status": {"transactions.csv": "customer_id,date,amount,status\nC1,2024-01-02,3,sale\nC2,2024-01-03,4,lost\n"},
    "text numbers": {"transactions.csv": "customer_id,date,amount,quantity\n" + "".join(
        f"C{i},2024-01-0{i % 9 + 1},{a},{q}\n" for i, (a, q) in enumerate(
            [('"12,5"', 1), ("$3", 2), ("4", 1.5), ("1e999", 1), ("inf", 2), ("7", ""), ("8", "x"), (" 9 ", 3)]))},
    "mixed date formats": {"transactions.csv": TX + "C1,2024-01-02,3,1\nC2,20240103,4,1\nC3,2024-01-04,5,1\n"
                           "C4,3 Jan 2024,5,1\nC5,1850-01-01,5,1\nC6,2024-01-05T10:00+02:00,5,1\n"},
    "blank ids and many examples": {"transactions.csv": GOOD_TX + "  ,2024-01-20,3,1\n" * 7 + "\xa0,2024-01-21,3,1\n",
                                    "customers.csv": CUSTOMERS + "C1,south\n,east\n ,west\n"},
    "events": {"transactions.csv": GOOD_TX, "engagement.csv": "customer_id,date,event\nC1,2024-01-02,review\n"
               "C2,2024-01-03,5-star\nC3,2024-01-04,Like\nC4,2024-01-05,like\nC5,2024-01-06,\n"},
    "mapped events": {"transactions.csv": GOOD_TX, "engagement.csv": "customer_id,date,event\nC1,2024-01-02,review\n"
                      "C2,2024-01-03,5-star\nC3,2024-01-04,Like\n"},
}
OPTIONS = {"mapped events": {"event_map": {"5-star": "review"}},
           "outside window": {"window": ("2024-01-01", "2024-12-31")},
           "day-month dates": {"date_format": "%d/%m/%Y"}}


def messages(source, **options) -> list[str]:
    """The problems' messages without the file part, places as rows (CSV line N is row N - 1)."""
    with pytest.raises(DataValidationError) as info:
        load_dataset(source, **options)
    out = []
    for problem in info.value.problems:
        text = str(problem).split(": ", 1)[1] if problem.file else str(problem)
        out.append(re.sub(r"\bline (\d+)", lambda m: f"row {int(m.group(1)) - 1}", text))
    return out


@pytest.fixture
def unfetched(monkeypatch):
    """Fails the test if a database table is fetched into pandas: the engine must find the problems."""
    import customer_workbook.data.load as load

    def fetched(*args, **kwargs):
        raise AssertionError("a table was fetched into pandas instead of being checked in the engine")

    monkeypatch.setattr(load, "read_source_table", fetched)


ENGINE_CASES = [c for c in HOSTILE if c not in ("day-month dates", "outside window", "bad status")]


@pytest.mark.parametrize("case", [c for c in HOSTILE if c != "day-month dates"])
def test_broken_data_in_a_duckdb_table_gives_the_messages_of_the_same_csv(case, tmp_path, request):
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, text in HOSTILE[case].items():
        (folder / name).write_text(text, encoding="utf-8")
    db = to_duckdb(folder, tmp_path / "shop.duckdb", text=True)
    expected = messages(folder, **OPTIONS.get(case, {}))
    if case in ENGINE_CASES:  # found inside DuckDB; the order status and window are checked on fetched rows
        request.getfixturevalue("unfetched")
    assert messages(f"duckdb:{db}", **OPTIONS.get(case, {})) == expected
    assert all("C99" not in m and "C98" not in m for m in expected)  # never a customer id


def test_text_dates_in_a_database_follow_the_same_rules(tmp_path, monkeypatch):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "transactions.csv").write_text(HOSTILE["day-month dates"]["transactions.csv"], encoding="utf-8")
    db = to_duckdb(folder, tmp_path / "shop.duckdb", text=True)
    expected = messages(folder)
    with monkeypatch.context() as patch:
        import customer_workbook.data.load as load

        patch.setattr(load, "read_source_table", None)  # checked in the engine, never fetched
        assert messages(f"duckdb:{db}") == expected
    assert "date_format" in expected[0]  # the day/month order is never guessed
    ds = load_dataset(f"duckdb:{db}", date_format="%d/%m/%Y")
    assert list(ds.transactions["date"].dt.strftime("%Y-%m-%d")) == ["2024-01-05", "2024-01-06"]


def test_typed_database_columns_give_the_same_problems(tmp_path, unfetched):
    db = tmp_path / "typed.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE transactions (customer_id VARCHAR, date DATE, amount DOUBLE, delivery_days INTEGER)")
        con.execute("INSERT INTO transactions VALUES ('C1', '2024-01-02', 3, -1), (NULL, '2024-01-03', 4, 2), "
                    "('C3', NULL, 5, -7)")
    found = messages(f"duckdb:{db}")
    assert found == [
        "table 'transactions', column 'customer_id': missing values in a required column in 1 row(s); expected a "
        "value in every row. Examples: row 2",
        "table 'transactions', column 'date': missing values in a required column in 1 row(s); expected a value "
        "in every row. Examples: row 3: date=(empty)",
        "table 'transactions', column 'delivery_days': values out of range in 2 row(s); expected values between 0 "
        "and inf. Examples: row 1: delivery_days=-1; row 3: delivery_days=-7",
    ]


def test_the_readme_commands_build_a_database_that_a_run_accepts(tmp_path, monkeypatch):
    """The README's "From a database or Spark" snippets, run as written (from a folder holding ``data``)."""
    from customer_workbook.batch import load_run_spec
    from customer_workbook.paths import project_root

    text = (project_root() / "README.md").read_text(encoding="utf-8").split("### From a database or Spark")[1]
    python, yaml = re.findall(r"```python\n(.*?)```", text, re.S)[0], re.findall(r"```yaml\n(.*?)```", text, re.S)[0]
    (tmp_path / "data").symlink_to(project_root() / "data")
    monkeypatch.chdir(tmp_path)
    exec(python, {})
    ds = load_dataset(f"duckdb:{tmp_path}/shop.duckdb")
    assert ds.has("products") and not ds.has("surveys")
    params = tmp_path / "shop.yaml"
    params.write_text(yaml.replace("duckdb:shop.duckdb", f"duckdb:{tmp_path}/shop.duckdb"), encoding="utf-8")
    run = load_run_spec(params, project_root() / "notebooks")
    assert run.parameters["data_dir"] == f"duckdb:{tmp_path}/shop.duckdb"


def test_typed_tables_give_the_messages_of_the_same_parquet_files(tmp_path, unfetched):
    """Typed broken data (not finite, fractions in whole numbers, out of range, implausible dates, duplicate
    and unknown keys) in DuckDB tables and in Parquet files written from the same frames."""
    tx = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4", None, "C1"],
                       "date": pd.to_datetime(["2024-01-02", "1850-01-01", "2024-01-04", None, "2024-01-05", "2024-01-06"]),
                       "amount": [3.0, float("inf"), 5.0, float("nan"), 1.0, 2.0],
                       "quantity": [1.0, 2.5, 3.0, 1.0, 1.0, 2.0], "discount": [0.1, 1.5, -0.2, 0.0, 0.0, 0.0]})
    products = pd.DataFrame({"product_id": ["P1", "P2", "P1", " P2"], "list_price": [1.0, -3.0, 2.0, 4.0]})
    folder = tmp_path / "files"
    folder.mkdir()
    db = tmp_path / "typed.duckdb"
    with duckdb.connect(str(db)) as con:
        for name, frame in {"transactions": tx, "products": products}.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False)
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
    expected = messages(folder)
    assert len(expected) >= 6
    assert messages(f"duckdb:{db}") == expected
    customers = pd.DataFrame({"customer_id": ["C1", "C2"]})
    tx = pd.DataFrame({"customer_id": ["C1", "C9", "C2", "C8"], "date": pd.to_datetime(["2024-01-02"] * 4)})
    for name, frame in {"customers": customers, "transactions": tx}.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "products.parquet").unlink()
    db = tmp_path / "known.duckdb"
    with duckdb.connect(str(db)) as con:
        for name, frame in {"customers": customers, "transactions": tx}.items():
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
    assert messages(f"duckdb:{db}") == messages(folder) == [
        "table 'transactions', column 'customer_id': customers missing from the 'customers' table in 2 row(s); "
        "expected every customer_id to be listed in 'customers'. Examples: row 2; row 4"]


def test_the_cache_fingerprint_changes_with_the_database_file(small_sample, tmp_path):
    """``cache.load_dataset`` keys a data set by its files: for a database, the database file."""
    from customer_workbook.cache import data_fingerprint
    from customer_workbook.data.load import _source_files

    db = to_duckdb(small_sample, tmp_path / "shop.duckdb")
    before = data_fingerprint(_source_files(f"duckdb:{db}"))
    assert {row[0] for row in before} == {"transactions", "customers", "products", "surveys", "marketing", "market",
                                           "engagement", "campaigns", "prospects"}
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM transactions WHERE amount < 0")
    assert data_fingerprint(_source_files(f"duckdb:{db}")) != before


def test_rows_are_numbered_as_fetched_also_after_deletes(tmp_path, monkeypatch):
    """``row N`` from the engine is the row's position in the table as fetched, with or without deleted rows."""
    import customer_workbook.data.load as load

    db = tmp_path / "shop.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE transactions AS SELECT 'C' || i AS customer_id, DATE '2024-01-01' + CAST(i AS INTEGER) AS date, "
                    "CASE WHEN i % 7 = 0 THEN -1 ELSE 2 END AS delivery_days FROM range(1, 60) t(i)")
    engine = messages(f"duckdb:{db}")
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM transactions WHERE customer_id IN ('C3', 'C10')")
    after = messages(f"duckdb:{db}")
    monkeypatch.setattr(load, "engine_problems", lambda *args: None)  # the pandas checks on fetched rows
    assert messages(f"duckdb:{db}") == after != engine
    assert "Examples: row 7: delivery_days=-1; row 14:" in engine[0] and "row 6: delivery_days=-1; row 12:" in after[0]


def test_database_and_table_names_cannot_break_out_of_their_quotes():
    from customer_workbook.data._sources import _quoted, _spark_quoted

    assert _spark_quoted("sales`; DROP TABLE x; --") == "`sales``; DROP TABLE x; --`"
    assert _quoted('main"; DROP TABLE x; --') == '"main""; DROP TABLE x; --"'
