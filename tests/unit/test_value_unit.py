"""The value unit of a data set (customer_workbook.value_unit): money, or purchases without a revenue column;
sections that set purchases against money are skipped with one note; findings keep money spent as money."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from customer_workbook.findings import Findings
from customer_workbook.steps import strategy
from customer_workbook.steps.section import Draft, Skip, skip_note
from customer_workbook.value_unit import (MONEY, PURCHASES, SPEND, counts_purchases, in_purchases,
                                          skip_money_comparison, value_columns, value_noun, value_unit)

MONEY_DATA, PURCHASE_DATA = SimpleNamespace(value_unit=MONEY), SimpleNamespace(value_unit=PURCHASES)


def test_the_unit_and_its_words_follow_the_data():
    assert value_unit(MONEY_DATA) == MONEY and value_unit(PURCHASE_DATA) == PURCHASES and value_unit(object()) == MONEY
    assert value_unit(PURCHASES) == PURCHASES  # a unit is accepted in place of a data set
    assert not counts_purchases(MONEY_DATA) and counts_purchases(PURCHASE_DATA)
    assert value_noun(MONEY_DATA) == "revenue" and value_noun(PURCHASE_DATA) == "purchases"


def test_revenue_columns_are_named_after_purchases_only_for_purchase_data():
    table = pd.DataFrame({"segment": ["a"], "revenue": [3.0], "revenue_share": [1.0], "revenue_at_stake": [1.0],
                          "orders": [2]})
    assert list(value_columns(table, MONEY_DATA).columns) == list(table.columns)
    assert list(value_columns(table, PURCHASE_DATA).columns) == ["segment", "purchases", "purchases_share",
                                                                 "purchases_at_stake", "orders"]
    assert value_columns({"revenue_share": "{:.1%}", "orders": "{:,}"}, PURCHASE_DATA) == {
        "purchases_share": "{:.1%}", "orders": "{:,}"}


def test_a_money_comparison_is_skipped_with_one_note_naming_the_missing_revenue():
    draft = Draft()
    assert skip_money_comparison(draft, "Whether a win-back pays", "the purchases a woken customer brings",
                                 "the cost of the contact") is draft
    (skip,) = draft.done().parts
    assert isinstance(skip, Skip) and skip.missing == ("transactions.amount",)
    note = skip_note(skip)
    assert note.startswith("> **Skipped: Whether a win&#45;back pays.** This section needs the optional column "
                           "`transactions.amount`")
    assert "against the cost of the contact" in note and "cannot be compared with money" in note


def test_findings_record_value_in_the_data_unit_and_spend_as_money():
    money, purchases = Findings("n", "t"), Findings("n", "t")
    purchases.money_unit = PURCHASES  # what announce_value_unit("purchases") sets, without displaying the note
    for f in (money, purchases):
        f.add("clv", 3.0, "CLV", unit=MONEY)
        f.add("cac", 40.0, "CAC", unit=SPEND)
    assert [money.items[k]["unit"] for k in ("clv", "cac")] == [MONEY, MONEY]  # money data: as before
    assert [purchases.items[k]["unit"] for k in ("clv", "cac")] == [PURCHASES, SPEND]
    for f in (money, purchases):
        f.add("top20", 0.5, "Share of net revenue from the top 20%", unit="share")
        f.add("tiers", {"core": 0.5}, "Revenue share per product tier", unit="share")
    assert [money.items[k]["label"] for k in ("top20", "tiers")] == ["Share of net revenue from the top 20%",
                                                                    "Revenue share per product tier"]
    assert [purchases.items[k]["label"] for k in ("top20", "tiers")] == ["Share of net purchases from the top 20%",
                                                                        "Purchases share per product tier"]
    assert in_purchases("no revenue column; revenue_365d") == "no revenue column; revenue_365d"  # names stay


def test_the_budget_is_not_optimised_on_purchases():
    section = strategy.best_budget({}, {"a": 100.0}, {}, {}, 0.35, 0.1, 5, value_unit=PURCHASES)
    assert section["plan"] is None and not section.findings
    (skip,) = section.parts
    assert skip.section == "Firm value at each budget" and skip.missing == ("transactions.amount",)


def test_weekly_volumes_label_the_value_panel_in_the_data_unit():
    from customer_workbook.plots import plot_weekly_volumes

    weeks = pd.date_range("2024-01-01", periods=4, freq="W-MON")
    weekly = pd.DataFrame({c: [1.0, 2.0, 3.0, 4.0] for c in ("orders", "active_customers", "revenue", "new_customers")},
                          index=weeks)
    for unit, title in ((MONEY, "Net revenue per week"), (PURCHASES, "Net purchases per week")):
        panel = plot_weekly_volumes(weekly, unit).axes[2]
        assert (panel.get_title(), panel.get_ylabel()) == (title, unit)
