"""The scored customer list: one row per customer scored by any notebook, every column in place."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_workbook.planning.customer_list import (LIST_NAME, NO_SPECIFIC_ACTION, SCORE_COLUMNS, assemble,
                                                       recommended_actions, write_columns)
from customer_workbook.retention.uplift import UPLIFT_DECISIONS


def test_the_uplift_decision_comes_first_then_the_winback_offer_then_nothing_specific():
    ids = pd.Index(["a", "b", "c", "d"], name="customer_id")
    groups = pd.Series(["sleeping", "sleeping", "awake", "deep_sleep"], index=ids)
    uplift = pd.Series(["sleeping_dog"], index=["a"])
    action = recommended_actions(ids, groups, {"sleeping": "personal recommendation"}, uplift)
    assert action["a"] == "retention offer: " + UPLIFT_DECISIONS["sleeping_dog"]
    assert action["b"] == "win back (sleeping): personal recommendation"
    assert action["c"] == action["d"] == NO_SPECIFIC_ACTION
    assert (recommended_actions(ids) == NO_SPECIFIC_ACTION).all()


def test_the_list_joins_every_notebooks_columns_and_writes_parquet_and_csv(tmp_path):
    write_columns(tmp_path, "01_behaviour", pd.DataFrame({"segment": ["champions", "at risk"], "persona": [0, 1],
                                                         "persona_name": ["p0", "p1"]}, index=["a", "b"]))
    write_columns(tmp_path, "04_plan_phases", pd.DataFrame({"p_target": [0.25], "target": ["no order"]}, index=["b"]))
    write_columns(tmp_path, "05_plan_components", pd.DataFrame(
        {"dormancy_group": ["awake", "sleeping", "awake"], "p_alive": [0.9, 0.2, 0.8], "expected_orders_1y": [3.0, 0.1, 2.0],
         "clv_1y": [120.0, 4.0, 80.0], "clv_3y": [300.0, 6.0, 190.0], "recommended_action": ["x", "y", "z"]},
        index=["a", "b", "c"]))
    table = assemble(tmp_path)
    assert list(table.columns) == SCORE_COLUMNS and table["customer_id"].tolist() == ["a", "b", "c"]
    by = table.set_index("customer_id")
    assert by.loc["a", "persona"] == "p0" and by.loc["b", "p_target"] == 0.25 and pd.isna(by.loc["a", "p_target"])
    assert pd.isna(by.loc["c", "segment"]) and by.loc["c", "clv_3y"] == 190.0
    again = pd.read_csv(tmp_path / f"{LIST_NAME}.csv")
    assert again["customer_id"].tolist() == ["a", "b", "c"] and np.isclose(again["p_alive"], [0.9, 0.2, 0.8]).all()
    assert pd.read_parquet(tmp_path / f"{LIST_NAME}.parquet").equals(table.reset_index(drop=True))


def test_nothing_is_written_when_no_notebook_scored_customers(tmp_path):
    assert assemble(tmp_path) is None and not list(tmp_path.iterdir())


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sets(st.sampled_from([f"c{i}" for i in range(12)])), min_size=3, max_size=3))
def test_no_customer_is_lost_and_none_appears_twice(tmp_path_factory, id_sets):
    folder = tmp_path_factory.mktemp("list")
    columns = {"01_behaviour": "segment", "04_plan_phases": "p_target", "05_plan_components": "clv_1y"}
    for (notebook, column), ids in zip(columns.items(), id_sets):
        if ids:
            write_columns(folder, notebook, pd.DataFrame({column: 1.0}, index=sorted(ids)))
    table = assemble(folder)
    everyone = set().union(*id_sets)
    assert (table is None) == (not everyone)
    if table is not None:
        assert set(table["customer_id"]) == everyone and table["customer_id"].is_unique
