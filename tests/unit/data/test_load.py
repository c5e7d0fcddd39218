"""Loading and validation: every bad-input case names the table, column and rows at fault."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_workbook.base import order_table
from customer_workbook.data import DataValidationError, MissingTableError, filter_dataset, load_dataset

TX = "customer_id,date,amount\nC1,2024-01-03,10.0\nC1,2024-02-01 12:30,-4.5\nC2,2024-01-10,20\n"
CUSTOMERS = "customer_id,signup_date,region,full_name,email\nC1,2023-12-01,North,Ann Lee,ann@example.com\n" \
            "C2,2023-12-05,South,Bo Chen,bo@example.com\n"


def write(folder, **tables) -> None:
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")


def problems_of(folder, **kwargs) -> list:
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder, **kwargs)
    return info.value.problems


def test_valid_transactions_load_typed(tmp_path):
    write(tmp_path, transactions=TX)
    ds = load_dataset(tmp_path)
    tx = ds.transactions
    assert list(tx.columns) == ["customer_id", "date", "amount", "order_id"]
    assert tx["date"].dtype == "datetime64[ns]" and tx["amount"].dtype == "float64"
    assert tx["amount"].sum() == pytest.approx(25.5)
    assert ds.missing == ["customers", "products", "surveys", "marketing", "market", "engagement",
                          "campaigns", "prospects"]


def test_missing_required_column_names_table_and_column(tmp_path):
    write(tmp_path, transactions="customer_id,amount\nC1,2.5\n")  # amount is optional, date is not
    [problem] = problems_of(tmp_path)
    assert problem.table == "transactions" and "date" in problem.column
    assert "transactions.csv" in str(problem) and "column_map" in str(problem)


def test_unparseable_dates_name_column_count_and_lines(tmp_path):
    write(tmp_path, transactions="customer_id,date,amount\nC1,2024-01-01,1\nC2,31/31/2024,2\nC3,yesterday,3\n")
    [problem] = problems_of(tmp_path)
    assert (problem.table, problem.column, problem.count) == ("transactions", "date", 2)
    assert problem.examples[0].startswith("line 3:") and "31/31/2024" in problem.examples[0]
    assert "2024-03-31" in problem.expected


def test_non_numeric_amounts(tmp_path):
    write(tmp_path, transactions="customer_id,date,amount\nC1,2024-01-01,€12\nC2,2024-01-02,1\n")
    [problem] = problems_of(tmp_path)
    assert (problem.column, problem.count) == ("amount", 1)
    assert "number" in problem.expected


def test_missing_required_values(tmp_path):
    write(tmp_path, transactions="customer_id,date,amount\n,2024-01-01,1\nC2,2024-01-02,1\n")
    [problem] = problems_of(tmp_path)
    assert (problem.column, problem.count) == ("customer_id", 1)
    assert "line 2" in problem.examples[0]


def test_duplicate_keys(tmp_path):
    write(tmp_path, transactions=TX, customers=CUSTOMERS + "C2,2023-12-06,South,X,x@example.com\n")
    [problem] = problems_of(tmp_path)
    assert (problem.table, problem.column, problem.count) == ("customers", "customer_id", 2)
    assert "duplicate" in problem.issue


def test_customers_missing_from_customers_table(tmp_path):
    write(tmp_path, transactions=TX + "C9,2024-03-01,5\n", customers=CUSTOMERS)
    [problem] = problems_of(tmp_path)
    assert (problem.table, problem.column, problem.count) == ("transactions", "customer_id", 1)
    assert problem.examples == ("line 5",), "the line, not the customer id (messages can reach reports)"


def test_identifiers_are_stripped_shared_categoricals_sorted_by_id(tmp_path):
    write(tmp_path, transactions="customer_id,date,amount,product_id\n C2 ,2024-01-03,10,P1\nC1,2024-01-04,5, P1\n"
                                 "C2,2024-01-05,7,P2\n",
          customers=CUSTOMERS + "C3,2023-12-07,North,Cy Dee,cy@example.com\n",
          surveys="customer_id,date,nps\nC3,2024-01-06,9\n")
    ds = load_dataset(tmp_path)
    tx, cu = ds.transactions, ds.customers
    assert isinstance(tx["customer_id"].dtype, pd.CategoricalDtype)
    assert tx["customer_id"].tolist() == ["C2", "C1", "C2"] and tx["product_id"].tolist() == ["P1", "P1", "P2"]
    assert list(tx["customer_id"].cat.categories) == ["C1", "C2", "C3"]  # one sorted set for every table
    assert tx["customer_id"].dtype == cu["customer_id"].dtype == ds.surveys["customer_id"].dtype
    assert tx["order_id"].nunique() == 3  # derived order ids are identifiers too
    assert pd.factorize(tx["customer_id"], sort=True)[1].tolist() == ["C1", "C2"]


def test_dates_outside_window_error_or_drop(tmp_path):
    write(tmp_path, transactions=TX)
    [problem] = problems_of(tmp_path, window=("2024-01-05", "2024-01-31"))
    assert (problem.table, problem.column, problem.count) == ("transactions", "date", 2)
    ds = load_dataset(tmp_path, window=("2024-01-05", "2024-01-31"), outside_window="drop")
    assert len(ds.transactions) == 1
    assert any("outside the analysis window" in n["issue"] and n["rows"] == 2 for n in ds.quality.notes)


def test_a_period_that_empties_a_table(tmp_path):
    """An optional table with no row in the period counts as not supplied (a note says why); a period with no
    transaction at all is an error, not an empty report."""
    write(tmp_path, transactions=TX, surveys="customer_id,date,nps\nC1,2023-06-01,9\n")
    ds = load_dataset(tmp_path, window=("2024-01-01", "2024-01-31"), outside_window="drop")
    assert not ds.has("surveys") and ds.surveys is None and "surveys" in ds.missing
    [note] = [n for n in ds.quality.notes if n["table"] == "surveys"]
    assert note["rows"] == 1 and "counts as not supplied" in note["handling"]
    with pytest.raises(DataValidationError, match="no transaction inside the analysis window"):
        load_dataset(tmp_path, window=("2025-01-01", "2025-12-31"), outside_window="drop")


def test_end_of_window_is_inclusive(tmp_path):
    write(tmp_path, transactions=TX)
    ds = load_dataset(tmp_path, window=("2024-01-01", "2024-02-01"))
    assert len(ds.transactions) == 3


def test_empty_table(tmp_path):
    write(tmp_path, transactions=TX, surveys="customer_id,date,nps\n")
    [problem] = problems_of(tmp_path)
    assert problem.table == "surveys" and "empty" in problem.issue


def test_not_utf8_names_file_and_line(tmp_path):
    (tmp_path / "transactions.csv").write_bytes("customer_id,date,amount\nC1,2024-01-01,1\nMüller,2024-01-02,2\n"
                                                .encode("latin-1"))
    [problem] = problems_of(tmp_path)
    assert "UTF-8" in problem.issue and "line 3" in problem.issue
    assert str(tmp_path / "transactions.csv") in str(problem)


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    (tmp_path / "transactions.csv").write_bytes(b"\xef\xbb\xbf" + TX.encode())
    assert load_dataset(tmp_path).transactions["customer_id"].tolist() == ["C1", "C1", "C2"]


def test_all_problems_are_reported_together(tmp_path):
    write(tmp_path, transactions="customer_id,date,amount\nC1,nope,x\n", surveys="customer_id,date,nps\nC1,2024-01-01,11\n")
    problems = problems_of(tmp_path)
    assert {(p.table, p.column) for p in problems} == {("transactions", "date"), ("transactions", "amount"),
                                                       ("surveys", "nps")}
    assert "between 0 and 10" in [p for p in problems if p.table == "surveys"][0].expected


def test_values_outside_allowed_set(tmp_path):
    write(tmp_path, transactions=TX, engagement="customer_id,date,event\nC1,2024-01-01,review\nC2,2024-01-02,tweet\n")
    [problem] = problems_of(tmp_path)
    assert (problem.table, problem.column, problem.count) == ("engagement", "event", 1)
    assert "review" in problem.expected


def test_column_map_renames_and_personal_fields_are_never_loaded(tmp_path):
    write(tmp_path, transactions="Kunde,Datum,Umsatz,Email\nC1,2024-01-01,3.5,a@b.c\n", customers=CUSTOMERS.replace("C1,", "C1,", 1))
    ds = load_dataset(tmp_path, column_map={"transactions": {"Kunde": "customer_id", "Datum": "date", "Umsatz": "amount"}})
    assert list(ds.transactions.columns[:3]) == ["customer_id", "date", "amount"]
    assert "full_name" not in ds.customers and "email" not in ds.customers
    assert "Email" not in ds.transactions


def test_parquet_and_csv_give_the_same_tables(tmp_path):
    write(tmp_path, transactions=TX)
    csv = load_dataset(tmp_path).transactions
    (tmp_path / "pq").mkdir()
    csv.drop(columns="order_id").to_parquet(tmp_path / "pq" / "transactions.parquet")
    pq = load_dataset(tmp_path / "pq").transactions
    pd.testing.assert_frame_equal(csv, pq)


def test_explicit_paths_and_unknown_table_name(tmp_path):
    write(tmp_path, transactions=TX)
    ds = load_dataset({"transactions": tmp_path / "transactions.csv"})
    assert len(ds.transactions) == 3
    with pytest.raises(ValueError, match="Unknown table"):
        load_dataset({"transactions": tmp_path / "transactions.csv", "orders": tmp_path / "x.csv"})


def test_missing_transactions_file(tmp_path):
    write(tmp_path, customers=CUSTOMERS)
    [problem] = problems_of(tmp_path)
    assert problem.table == "transactions" and "not found" in problem.issue


def test_quality_report_counts_returns_zero_lines_and_duplicates(tmp_path):
    write(tmp_path, transactions=TX + "C2,2024-01-11,0\nC2,2024-01-10,20\n")
    notes = {n["issue"]: n["rows"] for n in load_dataset(tmp_path).quality.notes}
    assert notes["return / refund lines (negative amount)"] == 1
    assert notes["zero-value lines"] == 1
    assert notes["exact duplicate lines"] == 1


def test_booleans_parse_and_bad_booleans_are_reported(tmp_path):
    rows = "customer_id,campaign,send_date,treated,outcome\nC1,w,2024-01-01,yes,1\nC2,w,2024-01-01,False,0\n"
    write(tmp_path, transactions=TX, campaigns=rows)
    assert load_dataset(tmp_path).campaigns["treated"].tolist() == [True, False]
    write(tmp_path, campaigns=rows + "C3,w,2024-01-01,maybe,0\n")
    [problem] = problems_of(tmp_path)
    assert (problem.table, problem.column) == ("campaigns", "treated")


def test_require_and_filter_by_business_unit(tmp_path):
    write(tmp_path, transactions=TX)
    with pytest.raises(MissingTableError, match="customers"):
        load_dataset(tmp_path).require("customers")
    write(tmp_path, customers=CUSTOMERS)
    full = load_dataset(tmp_path)
    ds = filter_dataset(full, region="South")
    assert ds.transactions["customer_id"].unique().tolist() == ["C2"]
    assert filter_dataset(full, region=None) is full
    write(tmp_path, surveys="customer_id,date,nps\nC1,2024-01-03,9\n")  # North only
    south = filter_dataset(load_dataset(tmp_path), region="South")
    assert not south.has("surveys") and south.surveys is None
    assert any(n["table"] == "surveys" and "counts as not supplied" in n["handling"] for n in south.quality.notes)
    with pytest.raises(ValueError, match="North"):
        filter_dataset(full, region="Atlantis")


transaction_rows = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.integers(0, 2000), st.integers(-5000, 50000)),
    min_size=1, max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=transaction_rows)
def test_roundtrip_keeps_revenue_and_derives_one_order_per_customer_timestamp(tmp_path, rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "hour", "cents"])
    frame["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(frame["hour"], unit="h")
    frame["amount"] = frame["cents"] / 100
    frame[["customer_id", "date", "amount"]].to_csv(tmp_path / "transactions.csv", index=False)
    tx = load_dataset(tmp_path).transactions
    assert len(tx) == len(frame)
    assert tx["amount"].sum() == pytest.approx(frame["amount"].sum())
    assert tx["order_id"].nunique() == len(frame.drop_duplicates(["customer_id", "hour"]))
    orders = order_table(tx)
    assert orders["amount"].sum() == pytest.approx(frame["amount"].sum())
    assert orders["date"].is_monotonic_increasing
    assert np.array_equal(np.sort(orders["lines"].to_numpy()),
                          np.sort(frame.groupby(["customer_id", "hour"]).size().to_numpy()))


def test_campaign_arms_and_outcomes_load_and_are_checked(tmp_path):
    head = "customer_id,campaign,send_date,treated,outcome,arm,visited,spend\n"
    rows = "C1,e,2024-01-01,yes,1,mens_email,1,25.5\nC2,e,2024-01-01,no,0,control,0,0\nC3,e,2024-01-01,no,0,,1,0\n"
    write(tmp_path, transactions=TX, campaigns=head + rows)
    camp = load_dataset(tmp_path).campaigns
    assert camp["arm"].astype(object).tolist()[:2] == ["mens_email", "control"] and pd.isna(camp["arm"].iloc[2])
    assert camp["visited"].tolist() == [1, 0, 1] and camp["spend"].tolist() == [25.5, 0.0, 0.0]
    write(tmp_path, campaigns=head + rows + "C4,e,2024-01-01,yes,0,womens_email,2,\n")    # visit 2, spend blank
    problems = {(p.table, p.column) for p in problems_of(tmp_path)}
    assert problems == {("campaigns", "visited"), ("campaigns", "spend")}
