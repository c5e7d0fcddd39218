"""Hostile input at the loader: each case loads exactly right or stops with a message that names the file,
table, column and lines, and says what was expected. Nothing is guessed and no row is lost silently."""
from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_workbook.data import DataValidationError, load_dataset

HEADER = "customer_id,date,amount\n"
GOOD = HEADER + "C1,2024-01-03,10.5\nC2,2024-01-04,20\nC3,2024-01-05,-4\n"


def write(folder, name="transactions.csv", text=GOOD, encoding="utf-8"):
    path = folder / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def problems(folder, **kwargs):
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder, **kwargs)
    return info.value.problems


def one_problem(folder, **kwargs):
    found = problems(folder, **kwargs)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def assert_names(problem, *texts, file="transactions.csv", table="transactions", column=None):
    message = str(problem)
    assert problem.table == table and file in message, message
    if column:
        assert problem.column and column in problem.column, message
    for text in texts:
        assert text in message, f"{text!r} not in {message}"


def rows(n, start=1):
    return "".join(f"C{i},2024-01-{(i % 28) + 1:02d},{i}.5\n" for i in range(start, start + n))


# --------------------------------------------------------------------------- row accounting


def test_stray_unclosed_quote_is_reported_with_the_lines_it_swallows(tmp_path):
    lines = rows(4) + '"C5,2024-01-06,5\n' + rows(20, start=6)
    write(tmp_path, text=HEADER + lines)
    problem = one_problem(tmp_path)
    assert_names(problem, "wrong number of fields", "line 6", "does not close until line 26", "1 row(s)")


def test_quote_inside_an_unquoted_value_is_kept_literally(tmp_path):
    write(tmp_path, text=HEADER + 'C1",2024-01-03,1\n' + rows(3, 2))
    tx = load_dataset(tmp_path).transactions
    assert len(tx) == 4 and tx["customer_id"].astype(str).tolist()[0] == 'C1"'


def test_every_ragged_row_is_counted_and_the_first_five_shown(tmp_path):
    body = [f"C{i},2024-01-02,{i}" + (",extra" if i % 3 == 0 else "") for i in range(1, 31)]
    body[1] = "C2,2024-01-02"  # too few
    write(tmp_path, text=HEADER + "\n".join(body) + "\n")
    problem = one_problem(tmp_path)
    assert problem.count == 11 and len(problem.examples) == 5
    assert_names(problem, "line 3: 2 field(s)", "line 4: 4 field(s)", "3 fields on every row")


def test_ragged_rows_after_multiline_values_keep_true_line_numbers(tmp_path):
    market = ('week,competitor_event\n2024-01-01,"launch\nof a rival"\n2024-01-08,none\n'
              '2024-01-15,x,y\n')
    write(tmp_path)
    write(tmp_path, "market.csv", market)
    problem = one_problem(tmp_path)
    assert_names(problem, "line 5: 3 field(s)", file="market.csv", table="market")


def test_quoted_line_breaks_in_a_text_column_load_and_later_lines_are_right(tmp_path):
    market = 'week,competitor_event,competitor_price_index\n2024-01-01,"price war\nin the north",1.0\n' \
             '2024-01-08,,abc\n'
    write(tmp_path)
    write(tmp_path, "market.csv", market)
    problem = one_problem(tmp_path)
    assert_names(problem, "line 4: competitor_price_index='abc'", file="market.csv", table="market")


def test_line_breaks_in_a_column_the_workbook_does_not_read_are_accounted_for(tmp_path):
    write(tmp_path, text='customer_id,date,notes,amount\nC1,2024-01-03,"two\nlines",1\nC2,2024-01-04,,x\n')
    problem = one_problem(tmp_path)
    assert_names(problem, "line 4: amount='x'", column="amount")


def test_blank_lines_are_skipped_and_noted(tmp_path):
    write(tmp_path, text=HEADER + "C1,2024-01-03,1\n\nC2,2024-01-04,2\n\n\n")
    ds = load_dataset(tmp_path)
    assert len(ds.transactions) == 2
    notes = ds.quality.to_frame()
    assert notes.loc[notes["issue"].str.startswith("blank lines"), "rows"].item() == 3


def test_line_numbers_after_blank_lines_are_file_lines(tmp_path):
    write(tmp_path, text=HEADER + "C1,2024-01-03,1\n\n\nC2,2024-01-04,oops\n")
    assert_names(one_problem(tmp_path), "line 5: amount='oops'")


def test_file_without_final_newline_loads_every_row(tmp_path):
    write(tmp_path, text=GOOD.rstrip("\n"))
    assert len(load_dataset(tmp_path).transactions) == 3


def test_windows_line_endings_load(tmp_path):
    write(tmp_path, text=GOOD.replace("\n", "\r\n"))
    tx = load_dataset(tmp_path).transactions
    assert tx["amount"].tolist() == [10.5, 20.0, -4.0]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["C1", "C 2", "x,y", 'q"t', "NA", "é"]),
                          st.integers(min_value=-10_000, max_value=10_000)), min_size=1, max_size=30))
def test_every_row_written_by_a_csv_writer_loads_exactly(tmp_path, lines):
    frame = pd.DataFrame({"customer_id": [c for c, _ in lines], "date": "2024-02-29",
                          "amount": [a / 100 for _, a in lines]})
    frame.to_csv(tmp_path / "transactions.csv", index=False)
    tx = load_dataset(tmp_path).transactions
    assert len(tx) == len(frame)
    assert tx["amount"].tolist() == frame["amount"].tolist()
    assert tx["customer_id"].astype(str).tolist() == [c.strip() for c in frame["customer_id"]]


# --------------------------------------------------------------------------- dates


def test_ambiguous_day_month_dates_ask_for_date_format(tmp_path):
    write(tmp_path, text=HEADER + "C1,05/01/2024,1\nC2,06/01/2024,2\n")
    problem = one_problem(tmp_path)
    assert_names(problem, "day/month order cannot be known", "date_format", "'%d/%m/%Y'", "line 2", column="date")


def test_day_first_evidence_is_a_hint_not_a_guess(tmp_path):
    write(tmp_path, text=HEADER + "C1,05/01/2024,1\nC2,13/01/2024,2\n")
    problem = one_problem(tmp_path)
    assert_names(problem, "day/month order cannot be known", "'13/01/2024' put the day first", column="date")
    assert problem.count == 2


def test_two_digit_year_hint_only_for_two_digit_years(tmp_path):
    write(tmp_path, text=HEADER + "C1,05/01/2024,1\n")
    assert "%y" not in str(one_problem(tmp_path))
    write(tmp_path, text=HEADER + "C1,05/01/24,1\n")
    assert "use %y for two-digit years" in str(one_problem(tmp_path))


def test_date_format_reads_day_first_dates(tmp_path):
    write(tmp_path, text=HEADER + "C1,05/01/2024,1\nC2,13/01/2024,2\n")
    tx = load_dataset(tmp_path, date_format="%d/%m/%Y").transactions
    assert tx["date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-13")]


def test_date_format_by_table_and_column(tmp_path):
    write(tmp_path, text=HEADER + "C1,01/13/2024,1\n")
    write(tmp_path, "customers.csv", "customer_id,signup_date\nC1,2023.12.01\n")
    ds = load_dataset(tmp_path, date_format={"transactions": "%m/%d/%Y", "customers": {"signup_date": "%Y.%m.%d"}})
    assert ds.transactions["date"].item() == pd.Timestamp("2024-01-13")
    assert ds.customers["signup_date"].item() == pd.Timestamp("2023-12-01")


def test_month_first_date_under_a_day_first_format_is_an_inconsistency(tmp_path):
    write(tmp_path, text=HEADER + "C1,05/01/2024,1\nC2,01/13/2024,2\n")
    problem = one_problem(tmp_path, date_format="%d/%m/%Y")
    assert_names(problem, "do not match date_format", "line 3: date='01/13/2024'", column="date")


def test_unknown_date_format_table_is_refused(tmp_path):
    write(tmp_path)
    with pytest.raises(ValueError, match="not in the contract"):
        load_dataset(tmp_path, date_format={"orders": "%d/%m/%Y"})


@pytest.mark.parametrize("text, expected", [
    ("2024-03-31", "2024-03-31"), ("2024-03-31 14:05", "2024-03-31 14:05"), ("20240331", "2024-03-31"),
    ("2024/03/31", "2024-03-31"), ("31 Mar 2024", "2024-03-31"), ("March 31, 2024", "2024-03-31"),
    ("2024-03-31T14:05:00Z", "2024-03-31 14:05"),
])
def test_unambiguous_date_formats_load(tmp_path, text, expected):
    write(tmp_path, text=HEADER + f'C1,"{text}",1\n')
    assert load_dataset(tmp_path).transactions["date"].item() == pd.Timestamp(expected)


def test_two_formats_in_one_column_are_an_error(tmp_path):
    write(tmp_path, text=HEADER + "C1,2024-01-03,1\nC2,2024-01-04,1\nC3,20240105,1\n")
    assert_names(one_problem(tmp_path), "more than one format", "line 4", column="date")


def test_mixed_utc_offsets_are_converted_to_utc_and_noted(tmp_path):
    write(tmp_path, text=HEADER + "C1,2024-01-03T23:30:00+01:00,1\nC2,2024-07-03T00:30:00+02:00,2\n")
    ds = load_dataset(tmp_path)
    assert ds.transactions["date"].tolist() == [pd.Timestamp("2024-01-03 22:30"), pd.Timestamp("2024-07-02 22:30")]
    assert ds.quality.to_frame()["issue"].str.contains("converted to UTC").any()


def test_dates_with_and_without_offsets_are_an_error(tmp_path):
    write(tmp_path, text=HEADER + "C1,2024-01-03T10:00:00+01:00,1\nC2,2024-01-04 10:00,2\nC3,2024-01-05 10:00,2\n")
    assert_names(one_problem(tmp_path), "time zone mixed", "line 2", column="date")


@pytest.mark.parametrize("text", ["0001-01-01", "2099-01-01", "1899-12-31"])
def test_implausible_dates_are_errors(tmp_path, text):
    write(tmp_path, text=HEADER + f"C1,2024-01-03,1\nC2,{text},1\n")
    assert_names(one_problem(tmp_path), "outside the plausible range", "line 3", column="date")


def test_date_after_today_is_an_error(tmp_path):
    later = (pd.Timestamp.today() + pd.Timedelta(days=40)).strftime("%Y-%m-%d")
    write(tmp_path, text=HEADER + f"C1,{later},1\n")
    assert_names(one_problem(tmp_path), "outside the plausible range", "up to today", column="date")


def test_impossible_calendar_date_is_an_error(tmp_path):
    write(tmp_path, text=HEADER + "C1,2023-02-29,1\n")
    assert_names(one_problem(tmp_path), "line 2: date='2023-02-29'", column="date")


def test_bad_window_parameter_is_a_clear_error(tmp_path):
    write(tmp_path)
    with pytest.raises(ValueError, match="start_date '31/12/2024' is not a date written as YYYY-MM-DD"):
        load_dataset(tmp_path, window=("31/12/2024", None))


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("value", ["inf", "-inf", "NaN", "nan", "Infinity", "$12.50", "12.50 €", "1,234.50",
                                   "1.234,50", "1 234", "(12.50)", "12,5", "0x10", "1_000", "--3"])
def test_amounts_that_are_not_plain_numbers_are_refused(tmp_path, value):
    write(tmp_path, text=HEADER + f'C1,2024-01-03,1\nC2,2024-01-04,"{value}"\n')
    problem = one_problem(tmp_path)
    assert_names(problem, "cannot be read as a number", "line 3", "no currency sign", "thousands separator",
                 column="amount")


@pytest.mark.parametrize("value, expected", [("-12", -12.0), ("+3.5", 3.5), (".5", 0.5), ("1e3", 1000.0),
                                             (" 7 ", 7.0)])
def test_plain_numbers_load_exactly(tmp_path, value, expected):
    write(tmp_path, text=HEADER + f'C1,2024-01-03,"{value}"\n')
    assert load_dataset(tmp_path).transactions["amount"].item() == expected


def test_infinite_amount_in_parquet_is_an_error(tmp_path):
    pd.DataFrame({"customer_id": ["C1", "C2"], "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                  "amount": [1.0, np.inf]}).to_parquet(tmp_path / "transactions.parquet")
    problem = one_problem(tmp_path)
    assert_names(problem, "infinite values", "row 2", file="transactions.parquet", column="amount")


def test_nan_amount_in_parquet_is_a_missing_required_value(tmp_path):
    pd.DataFrame({"customer_id": ["C1", "C2"], "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                  "amount": [1.0, np.nan]}).to_parquet(tmp_path / "transactions.parquet")
    assert_names(one_problem(tmp_path), "missing values in a required column", "row 2",
                 file="transactions.parquet", column="amount")


def test_fractional_quantity_is_refused(tmp_path):
    write(tmp_path, text="customer_id,date,amount,quantity\nC1,2024-01-03,1,2\nC2,2024-01-04,1,1.5\n")
    assert_names(one_problem(tmp_path), "fractions in a whole-number column", "line 3", column="quantity")


def test_fractional_age_is_refused(tmp_path):
    write(tmp_path)
    write(tmp_path, "customers.csv", "customer_id,age\nC1,34\nC2,41.5\nC3,28\n")
    assert_names(one_problem(tmp_path), "fractions", "line 3", file="customers.csv", table="customers", column="age")


def test_negative_quantity_with_positive_amount_is_flagged_in_quality(tmp_path):
    write(tmp_path, text="customer_id,date,amount,quantity\nC1,2024-01-03,5,-1\nC2,2024-01-04,-5,-1\n")
    notes = load_dataset(tmp_path).quality.to_frame()
    row = notes[notes["issue"].str.contains("negative quantity")]
    assert row["rows"].item() == 1


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize("token", ["NA", "None", "null", "NULL", "N/A", "nan", "-"])
def test_words_that_look_missing_are_data_in_an_id_column(tmp_path, token):
    write(tmp_path, text=HEADER + f"{token},2024-01-03,1\nC2,2024-01-04,2\n")
    tx = load_dataset(tmp_path).transactions
    assert tx["customer_id"].astype(str).tolist() == [token, "C2"]


def test_empty_id_cell_is_missing(tmp_path):
    write(tmp_path, text=HEADER + ",2024-01-03,1\nC2,2024-01-04,2\n")
    assert_names(one_problem(tmp_path), "missing values in a required column", "line 2", column="customer_id")


def test_text_na_in_a_number_column_is_not_silently_missing(tmp_path):
    write(tmp_path, text="customer_id,date,amount,discount\nC1,2024-01-03,1,NA\nC2,2024-01-04,1,\n")
    problem = one_problem(tmp_path)
    assert_names(problem, "line 2: discount='NA'", "leave the cell empty", column="discount")
    assert problem.count == 1


def test_multi_megabyte_text_cell_loads(tmp_path):
    big = "x" * 3_000_000
    write(tmp_path)
    write(tmp_path, "market.csv", f"week,competitor_event\n2024-01-01,{big}\n2024-01-08,small\n")
    market = load_dataset(tmp_path).market
    assert market["competitor_event"].str.len().tolist() == [3_000_000, 5]


# --------------------------------------------------------------------------- files


def test_two_files_for_one_table_name_both(tmp_path):
    write(tmp_path)
    pd.read_csv(tmp_path / "transactions.csv").to_parquet(tmp_path / "transactions.parquet")
    problem = one_problem(tmp_path)
    assert_names(problem, "2 files for one table", "transactions.csv", "transactions.parquet", file=str(tmp_path))


def test_duplicate_column_names_are_an_error(tmp_path):
    write(tmp_path, text="customer_id,date,amount,amount\nC1,2024-01-03,1,2\n")
    assert_names(one_problem(tmp_path), "duplicate column names", column="amount")


def test_header_names_are_trimmed(tmp_path):
    write(tmp_path, text=" customer_id , date,amount \nC1,2024-01-03,1\n")
    assert load_dataset(tmp_path).transactions["amount"].item() == 1.0


@pytest.mark.parametrize("content, words", [
    (b"", "empty (0 bytes)"), (HEADER.encode(), "table is empty"), (b"\n\n", "holds no text"),
    (b"\xef\xbb\xbf" + HEADER.encode(), "table is empty"),
])
def test_empty_files_name_the_file(tmp_path, content, words):
    write(tmp_path, text=content)
    assert_names(one_problem(tmp_path), words)


def test_folder_instead_of_a_file_names_it(tmp_path):
    (tmp_path / "transactions.csv").mkdir()
    assert_names(one_problem(tmp_path), "is a folder, not a file")


def test_corrupt_parquet_names_the_file(tmp_path):
    write(tmp_path, "transactions.parquet", b"PAR1 this is not parquet at all")
    assert_names(one_problem(tmp_path), "cannot be read as Parquet", file="transactions.parquet")


def test_gzipped_csv_is_decompressed(tmp_path):
    write(tmp_path, "transactions.csv.gz", gzip.compress(GOOD.encode()))
    tx = load_dataset(tmp_path).transactions
    assert tx["amount"].tolist() == [10.5, 20.0, -4.0]


def test_gzipped_csv_errors_name_decompressed_lines(tmp_path):
    write(tmp_path, "transactions.csv.gz", gzip.compress((HEADER + "C1,2024-01-03,1\nC2,2024-01-04,abc\n").encode()))
    assert_names(one_problem(tmp_path), "line 3: amount='abc'", file="transactions.csv.gz")


def test_utf16_file_is_named(tmp_path):
    write(tmp_path, text=GOOD, encoding="utf-16")
    assert_names(one_problem(tmp_path), "this file is UTF-16; save it as UTF-8")


def test_latin1_file_is_named_with_its_line(tmp_path):
    write(tmp_path, text="customer_id,date,amount,channel\nC1,2024-01-03,1,web\nC2,2024-01-04,2,café\n",
          encoding="latin-1")
    assert_names(one_problem(tmp_path), "not UTF-8", "line 3", "Latin-1")


def test_utf8_with_byte_order_mark_loads(tmp_path):
    write(tmp_path, text="\ufeff" + GOOD)
    assert len(load_dataset(tmp_path).transactions) == 3


def test_excel_workbook_saved_as_csv_is_named(tmp_path):
    frame = pd.DataFrame({"customer_id": ["C1"], "date": ["2024-01-03"], "amount": [1.0]})
    frame.to_excel(tmp_path / "book.xlsx", index=False)
    write(tmp_path, text=(tmp_path / "book.xlsx").read_bytes())
    assert_names(one_problem(tmp_path), "an Excel workbook, not CSV text")


def test_xlsx_loads_with_typed_and_text_cells(tmp_path):
    frame = pd.DataFrame({"customer_id": [101, 102, "C3"], "date": pd.to_datetime(["2024-01-03", "2024-01-04", "2024-01-05"]),
                          "amount": [10.5, 20, -4], "note": ["a", "b", "c"]})
    frame.to_excel(tmp_path / "transactions.xlsx", index=False, sheet_name="Export")
    tx = load_dataset(tmp_path).transactions
    assert tx["customer_id"].astype(str).tolist() == ["101", "102", "C3"]
    assert tx["date"].tolist() == list(pd.to_datetime(["2024-01-03", "2024-01-04", "2024-01-05"]))
    assert tx["amount"].tolist() == [10.5, 20.0, -4.0]


def test_xlsx_errors_name_sheet_and_row(tmp_path):
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "date": ["2024-01-03", "05/01/2024"], "amount": [1, 2]})
    frame.to_excel(tmp_path / "transactions.xlsx", index=False)
    assert_names(one_problem(tmp_path), "day/month order", "row 3", file="transactions.xlsx", column="date")


def test_xlsx_with_several_sheets_needs_one_named_after_the_table(tmp_path):
    with pd.ExcelWriter(tmp_path / "transactions.xlsx") as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame({"b": [1]}).to_excel(writer, sheet_name="Other", index=False)
    assert_names(one_problem(tmp_path), "2 sheets", "none is named 'transactions'", file="transactions.xlsx")


def test_corrupt_xlsx_names_the_file(tmp_path):
    write(tmp_path, "transactions.xlsx", b"PK\x03\x04 broken zip")
    assert_names(one_problem(tmp_path), "cannot be read as an Excel workbook", file="transactions.xlsx")


# --------------------------------------------------------------------------- column_map


def test_column_map_source_that_does_not_exist_lists_the_columns(tmp_path):
    write(tmp_path, text="Kunde,Datum,Umsatz\nC1,2024-01-03,1\n")
    found = problems(tmp_path, column_map={"transactions": {"Kunde": "customer_id", "Datum": "date", "Umsatze": "amount"}})
    message = " ".join(map(str, found))
    assert "column_map names a column the file does not have (did you mean 'Umsatz'?)" in message
    assert "['Kunde', 'Datum', 'Umsatz']" in message


def test_column_map_two_sources_onto_one_column(tmp_path):
    write(tmp_path, text="customer_id,date,amount,Net\nC1,2024-01-03,1,2\n")
    problem = one_problem(tmp_path, column_map={"transactions": {"Net": "amount"}})
    assert_names(problem, "2 columns would become 'amount' (amount, Net)", column="amount")


def test_column_map_onto_a_non_contract_name(tmp_path):
    write(tmp_path, text="customer_id,date,amount,Net\nC1,2024-01-03,1,2\n")
    problem = one_problem(tmp_path, column_map={"transactions": {"Net": "revenue"}})
    assert_names(problem, "not a column of the contract", "'amount'", column="revenue")


def test_column_map_for_an_unknown_table(tmp_path):
    write(tmp_path)
    problem = one_problem(tmp_path, column_map={"orders": {"a": "b"}})
    assert "not in the contract" in str(problem) and "transactions" in str(problem)


def test_column_map_for_a_table_without_a_file(tmp_path):
    write(tmp_path)
    problem = one_problem(tmp_path, column_map={"customers": {"Client": "customer_id"}})
    assert "no file was found" in str(problem) and "['transactions']" in str(problem)


def test_column_map_renames_exactly(tmp_path):
    write(tmp_path, text="Kunde,Datum,Umsatz\nC1,2024-01-03,1.5\n")
    tx = load_dataset(tmp_path, column_map={"transactions": {"Kunde": "customer_id", "Datum": "date",
                                                             "Umsatz": "amount"}}).transactions
    assert tx["amount"].item() == 1.5 and tx["customer_id"].astype(str).item() == "C1"


def test_every_problem_of_every_table_is_listed_at_once(tmp_path):
    write(tmp_path, text=HEADER + "C1,2024-01-03,abc\n,2024-01-04,1\n")
    write(tmp_path, "customers.csv", "customer_id,age\nC1,200\n")
    found = problems(tmp_path)
    assert {(p.table, p.column) for p in found} >= {("transactions", "amount"), ("transactions", "customer_id"),
                                                   ("customers", "age")}
