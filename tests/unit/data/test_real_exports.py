"""Contract additions for real exports (issue 15): order status, data without revenue, event_map, and the
allowed values of every constrained column in the contract printout."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_workbook.base import order_table
from customer_workbook.contract import (ENGAGEMENT_EVENTS, ORDER_STATUSES, STATUS_CLASSES, TABLES,
                                        allowed_values_text, contract_markdown)
from customer_workbook.data import DataValidationError, QualityReport, checked_value_maps, filter_dataset, load_dataset


def write(folder, **tables) -> None:
    for name, text in tables.items():
        (Path(folder) / f"{name}.csv").write_text(text, encoding="utf-8")


def problems_of(folder, **kwargs) -> list:
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder, **kwargs)
    return info.value.problems


def note(ds, start: str) -> dict:
    [found] = [n for n in ds.quality.notes if n["issue"].startswith(start)]
    return found


STATUS_TX = ("customer_id,date,order_id,amount,quantity,status\n"
             "C1,2024-01-03,O1,10.0,2,Completed\n"      # line 2: sale
             "C1,2024-01-03,O1,5.0,1,returned\n"        # line 3: positive return -> netted
             "C2,2024-01-10,O2,20,1,CANCELLED\n"        # line 4: cancelled -> removed
             "C2,2024-01-11,O3,7,1,\n"                  # line 5: blank -> a sale
             "C3,2024-01-12,O4,-3,-1,refunded\n"        # line 6: negative return -> kept as it is
             "C3,2024-01-13,O5,4,1,void\n")             # line 7: cancelled -> removed


# --------------------------------------------------------------------------- order status


def test_status_spellings_map_to_their_class_ignoring_case(tmp_path):
    spellings = [s.upper() if i % 2 else s.title() for i, s in enumerate(ORDER_STATUSES)]
    lines = "".join(f"C1,2024-01-{i % 28 + 1:02d},-1,{s}\n" for i, s in enumerate(spellings))  # negative: nothing added
    write(tmp_path, transactions="customer_id,date,amount,status\n" + lines)
    tx = load_dataset(tmp_path).transactions
    expected = [c for c in ORDER_STATUSES.values() if c != "cancelled"]
    assert tx["status"].astype(str).tolist() == expected
    assert list(tx["status"].cat.categories) == list(STATUS_CLASSES)


def test_cancelled_lines_are_removed_and_counted_with_their_lines(tmp_path):
    write(tmp_path, transactions=STATUS_TX)
    ds = load_dataset(tmp_path)
    assert "O2" not in set(ds.transactions["order_id"].astype(str)) and "O5" not in set(ds.transactions["order_id"].astype(str))
    cancelled = note(ds, "cancelled lines")
    assert (cancelled["rows"], cancelled["share"]) == (2, round(2 / 6, 4))
    assert cancelled["examples"] == "line 4, line 7"
    assert "examples" in ds.quality.to_frame().columns
    assert all(len(n["handling"]) <= 60 and len(n["issue"]) <= 60 for n in ds.quality.notes[:3])


def test_positive_returned_line_gets_its_negative_line_and_the_order_nets_to_what_was_kept(tmp_path):
    write(tmp_path, transactions=STATUS_TX)
    ds = load_dataset(tmp_path)
    tx = ds.transactions
    o1 = tx[tx["order_id"] == "O1"]
    assert o1["amount"].tolist() == [10.0, 5.0, -5.0] and o1["quantity"].tolist() == [2, 1, -1]
    assert o1["date"].nunique() == 1 and o1["amount"].sum() == 10.0
    assert tx.loc[tx["order_id"] == "O4", "amount"].tolist() == [-3.0]  # a refund line is not doubled
    returned = note(ds, "positive lines with order status 'return'")
    assert (returned["rows"], returned["examples"]) == (1, "line 3")
    orders = order_table(tx).set_index("order_id")["amount"]
    assert orders["O1"] == 10.0 and orders["O3"] == 7.0


def test_blank_status_counts_as_a_sale_and_is_noted(tmp_path):
    write(tmp_path, transactions=STATUS_TX)
    ds = load_dataset(tmp_path)
    assert ds.transactions.loc[ds.transactions["order_id"] == "O3", "status"].tolist() == ["sale"]
    assert note(ds, "lines without a status")["rows"] == 1


def test_unknown_status_stops_the_loader_with_the_values_and_lines(tmp_path):
    write(tmp_path, transactions=STATUS_TX + "C3,2024-01-14,O6,4,1,pending\nC3,2024-01-15,O7,4,1,on hold\n"
                                             "C3,2024-01-16,O8,4,1,pending\n")
    [problem] = problems_of(tmp_path)
    assert (problem.table, problem.column, problem.count) == ("transactions", "status", 3)
    assert "'on hold'" in problem.issue and "'pending'" in problem.issue and "2 distinct" in problem.issue
    assert problem.examples == ("line 8: status='pending'", "line 9: status='on hold'", "line 10: status='pending'")
    assert "status_map" in problem.expected and "'cancelled'" in problem.expected


def test_status_map_maps_their_values_onto_classes_or_accepted_spellings(tmp_path):
    write(tmp_path, transactions="customer_id,date,amount,status\nC1,2024-01-01,5,storniert\n"
                                 "C1,2024-01-02,6,versandt\nC1,2024-01-03,7,retoure\n")
    ds = load_dataset(tmp_path, status_map={"storniert": "cancelled", "versandt": "sale", "retoure": "Refunded"})
    assert ds.transactions["amount"].tolist() == [6.0, 7.0, -7.0]
    assert ds.transactions["status"].tolist() == ["sale", "return", "return"]


def test_status_map_errors_are_reported_together(tmp_path):
    write(tmp_path, transactions="customer_id,date,amount\nC1,2024-01-01,5\n")
    problems = problems_of(tmp_path, status_map={"x": "cancel"}, event_map={"like": "review"})
    issues = " | ".join(p.issue for p in problems)
    assert "onto 'cancel'" in issues and "did you mean 'cance" in issues
    assert "no 'engagement' file" in issues
    problems = problems_of(tmp_path, status_map={"x": "cancelled"})
    assert problems[0].column == "status" and "no 'status' column" in problems[0].issue
    assert "transactions.csv" in str(problems[0])


def test_every_line_cancelled_is_an_error(tmp_path):
    write(tmp_path, transactions="customer_id,date,amount,status\nC1,2024-01-01,5,void\n")
    [problem] = problems_of(tmp_path)
    assert problem.column == "status" and "every line is cancelled" in problem.issue


def test_line_numbers_stay_right_after_cancelled_lines_are_removed(tmp_path):
    write(tmp_path, transactions=STATUS_TX + "C3,2024-03-01,O9,4,1,paid\n")
    [problem] = problems_of(tmp_path, window=("2024-01-01", "2024-01-31"))
    assert problem.examples == ("line 8: date=2024-03-01",)


RAW_STATUSES = st.sampled_from(["", "paid", "Delivered", "cancelled", "VOID", "returned", "Refunded"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(-5, 9), RAW_STATUSES), min_size=1, max_size=25))
def test_every_order_nets_to_its_kept_lines(lines):
    """Property: after loading, each order's net amount is the sum of its lines that were neither
    cancelled nor a positive line returned; line counts add up to the quality notes."""
    frame = pd.DataFrame(lines, columns=["order", "amount", "status"])
    klass = frame["status"].str.lower().map({**ORDER_STATUSES, "": "sale"})
    kept = frame[(klass != "cancelled") & ~((klass == "return") & (frame["amount"] > 0))]
    text = "customer_id,date,order_id,amount,status\n" + "".join(
        f"C{o},2024-01-0{o + 1},O{o},{a},{s}\n" for o, a, s in lines)
    with tempfile.TemporaryDirectory() as folder:
        write(folder, transactions=text)
        if (klass == "cancelled").all():
            assert "every line is cancelled" in problems_of(folder)[0].issue
            return
        ds = load_dataset(folder)
    tx = ds.transactions
    net = tx.groupby(tx["order_id"].astype(str))["amount"].sum()
    expected = kept.groupby("O" + kept["order"].astype(str))["amount"].sum()
    assert net.reindex(expected.index).tolist() == expected.astype(float).tolist()
    assert (net.drop(expected.index, errors="ignore") == 0).all()  # orders fully returned net to zero
    returned = int(((klass == "return") & (frame["amount"] > 0)).sum())
    assert len(tx) == int((klass != "cancelled").sum()) + returned
    assert (tx["amount"] < 0).sum() >= returned


# --------------------------------------------------------------------------- no revenue column


def test_without_amount_every_line_is_one_purchase(tmp_path):
    write(tmp_path, transactions="customer_id,date,product_id\nC1,2024-01-03,P1\nC1,2024-01-03,P2\nC2,2024-01-10,P1\n",
          customers="customer_id,region\nC1,North\nC2,South\n")
    ds = load_dataset(tmp_path)
    assert ds.value_unit == "purchases"
    assert list(ds.transactions.columns[:3]) == ["customer_id", "date", "amount"]
    assert ds.transactions["amount"].tolist() == [1.0, 1.0, 1.0]
    assert "count purchases" in note(ds, "no amount column")["handling"]
    assert all(len(n["handling"]) <= 60 for n in ds.quality.notes)  # report tables cut longer text
    assert order_table(ds.transactions)["amount"].tolist() == [2.0, 1.0]  # an order's value: its purchases
    assert filter_dataset(ds, "North").value_unit == "purchases"


def test_with_amount_the_unit_is_currency_and_blank_amounts_are_errors(tmp_path):
    write(tmp_path, transactions="customer_id,date,amount\nC1,2024-01-03,5\n")
    ds = load_dataset(tmp_path)
    assert ds.value_unit == "currency units" and not any("no amount" in n["issue"] for n in ds.quality.notes)
    write(tmp_path, transactions="customer_id,date,amount\nC1,2024-01-03,5\nC1,2024-01-04,\n")
    [problem] = problems_of(tmp_path)
    assert (problem.column, problem.count) == ("amount", 1) and problem.examples[0].startswith("line 3:")
    assert "not left blank" in problem.expected


def test_without_amount_a_returned_line_nets_one_purchase_out(tmp_path):
    write(tmp_path, transactions="customer_id,date,status\nC1,2024-01-03,paid\nC1,2024-01-04,returned\n")
    ds = load_dataset(tmp_path)
    assert ds.transactions["amount"].tolist() == [1.0, 1.0, -1.0] and ds.value_unit == "purchases"


# --------------------------------------------------------------------------- event_map

ENGAGEMENT = "customer_id,date,event\nC1,2024-01-01,Bewertung\nC1,2024-01-02,review\nC2,2024-01-03,login\n"
TX = "customer_id,date,amount\nC1,2024-01-03,10.0\nC2,2024-01-10,20\n"


def test_event_map_maps_their_events_onto_the_contract(tmp_path):
    write(tmp_path, transactions=TX, engagement=ENGAGEMENT)
    ds = load_dataset(tmp_path, event_map={"Bewertung": "review", " login ": "app_session"})
    assert ds.engagement["event"].tolist() == ["review", "review", "app_session"]
    assert set(ds.engagement["event"].cat.categories) <= set(ENGAGEMENT_EVENTS)


def test_unmapped_unknown_events_stop_with_values_and_lines(tmp_path):
    write(tmp_path, transactions=TX, engagement=ENGAGEMENT)
    [problem] = problems_of(tmp_path, event_map={"Bewertung": "review"})
    assert (problem.table, problem.column, problem.count) == ("engagement", "event", 1)
    assert "'login'" in problem.issue and problem.examples == ("line 4: event='login'",)
    assert "event_map" in problem.expected
    [problem] = problems_of(tmp_path)
    assert problem.count == 2 and "'Bewertung'" in problem.issue


def test_event_map_checks_like_column_map(tmp_path):
    write(tmp_path, transactions=TX, engagement=ENGAGEMENT)
    [problem] = problems_of(tmp_path, event_map={"login": "reviews"})
    assert "onto 'reviews'" in problem.issue and "did you mean 'review'?" in problem.issue
    assert "'app_session'" in problem.expected
    [problem] = problems_of(tmp_path, event_map=["login"])
    assert "text to text" in problem.expected
    assert checked_value_maps({"event_map": {}, "status_map": None}) == {}
    with pytest.raises(DataValidationError):
        checked_value_maps({"event_map": {"a": 3}})


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=8),
                       st.sampled_from(ENGAGEMENT_EVENTS), min_size=1, max_size=6))
def test_event_map_sends_every_mapped_value_to_its_target(event_map):
    events = list(event_map) + list(ENGAGEMENT_EVENTS)
    text = "customer_id,date,event\n" + "".join(f"C1,2024-01-{i % 28 + 1:02d},{e}\n" for i, e in enumerate(events))
    with tempfile.TemporaryDirectory() as folder:
        write(folder, transactions=TX, engagement=text)
        loaded = load_dataset(folder, event_map=event_map).engagement["event"].astype(str).tolist()
    assert loaded == [event_map.get(e, e) for e in events]


# --------------------------------------------------------------------------- the printout


def test_printout_lists_the_allowed_values_of_every_constrained_column():
    printout = contract_markdown()
    constrained = [(spec, col) for spec in TABLES.values() for col in spec.columns
                   if col.allowed is not None or col.low is not None or col.high is not None]
    assert len(constrained) > 20
    for spec, col in constrained:
        text = allowed_values_text(col)
        assert text and f"| `{col.name}` |" in printout and text in printout, (spec.name, col.name)
        for value in col.allowed or ():
            assert f"`{value}`" in text, (spec.name, col.name, value)
    status = allowed_values_text(TABLES["transactions"].column("status"))
    assert all(f"`{spelling}`" in status for spelling in ORDER_STATUSES) and "`status_map`" in status
    assert "`event_map`" in allowed_values_text(TABLES["engagement"].column("event"))
    assert allowed_values_text(TABLES["surveys"].column("nps")) == "0 to 10"
    assert "| `amount` | float | no (if present, in every row) |" in printout


def test_quality_frame_has_examples_only_when_a_note_has_them():
    report = QualityReport()
    report.add("transactions", "zero-value lines", 2, 10, "kept")
    assert list(report.to_frame().columns) == ["table", "issue", "rows", "share", "handling"]
    report.add("transactions", "cancelled lines", 1, 10, "left out", examples=("line 4",))
    frame = report.to_frame()
    assert frame["examples"].tolist() == ["", "line 4"]
