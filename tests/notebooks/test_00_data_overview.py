"""Every notebook runs top to bottom on the small sample and its findings recover the planted truths."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import execute_notebook, values

pytestmark = pytest.mark.notebooks


def check_decision(result: dict) -> tuple[dict, dict]:
    """The overview's decisions agree with its findings: steps 0, not valued, leading the key findings; the steps the
    data support follow from the tables supplied; the fixes are the quality notes to check. Returns both decisions."""
    found = values(result)
    coverage, fixes = found["decisions"]
    assert coverage["step"] == fixes["step"] == 0 and coverage["basis"] == fixes["basis"] == "not valued"
    assert [k for k, v in result["findings"].items() if v["headline"]][:2] == [
        "decision_data_for_the_method", "decision_data_to_fix_first"]
    support, missing = found["steps_supported"], set(found["tables_missing"])
    assert set(support) == {"1", "2", "3", "4", "5"}
    assert (support["1"] == "waits for data") == ("surveys" in missing)
    assert (support["3"] == "waits for data") == bool({"marketing", "campaigns"} & missing)
    if not missing:
        assert coverage["action"].startswith("Run all five steps") and "unlock" not in coverage
    for table in missing - {"surveys", "marketing"}:       # every missing table is named: unlock or skipped sections
        assert f"the {table} table" in coverage["action"] + coverage.get("unlock", ""), table
    for table in {"surveys", "marketing"} & missing:
        assert f"the {table} table for step" in coverage["unlock"]
    if found["data_fixes_first"]:
        assert all(f in fixes["action"] for f in found["data_fixes_first"])
    else:
        assert fixes["action"].startswith("Nothing to fix first")
    return coverage, fixes


def test_overview_on_the_small_sample(tmp_path, small_sample):
    result = execute_notebook("00_data_overview", tmp_path, data_dir=str(small_sample))
    found = values(result)
    coverage, fixes = check_decision(result)
    assert found["steps_supported"] == {str(s): "in full" for s in range(1, 6)}
    tx = pd.read_parquet(small_sample / "transactions.parquet")
    assert found["n_customers"] == tx["customer_id"].nunique()
    assert found["n_orders"] == tx["order_id"].nunique()
    assert found["net_revenue"] == pytest.approx(tx["amount"].sum(), rel=1e-9)
    assert found["tables_missing"] == []
    assert found["peak_month"] in ("November", "December")  # planted holiday peak
    assert 0 < found["return_line_share"] < 0.1
    assert set(found["channel_share_latest"]) >= {"store", "web", "app"}  # app launched during the window
    assert 0.2 < found["top20_revenue_share"] < 1


def test_overview_with_transactions_only(tmp_path, transactions_only):
    result = execute_notebook("00_data_overview", tmp_path, data_dir=str(transactions_only))
    skipped = {s["section"] for s in result["skipped"]}
    assert skipped == {"Surveys coverage", "Engagement coverage"}
    assert len(values(result)["tables_missing"]) == 8
    coverage, _ = check_decision(result)
    assert values(result)["steps_supported"] == {"1": "waits for data", "2": "in part", "3": "waits for data",
                                                 "4": "in part", "5": "in part"}
    assert coverage["confidence"] == "low" and "steps 1 and 3 cannot reach their decisions" in coverage["action"]


def test_overview_period_and_business_unit_parameters(tmp_path, small_sample):
    customers = pd.read_parquet(small_sample / "customers.parquet")
    region = str(customers["region"].iloc[0])
    found = values(execute_notebook("00_data_overview", tmp_path, data_dir=str(small_sample),
                                    start_date="2024-01-01", end_date="2024-12-31", business_unit=region))
    tx = pd.read_parquet(small_sample / "transactions.parquet")
    in_scope = tx[tx["customer_id"].isin(customers.loc[customers["region"] == region, "customer_id"])
                  & tx["date"].between("2024-01-01", "2024-12-31 23:59:59")]
    assert found["n_customers"] == in_scope["customer_id"].nunique()
    assert found["first_date"] >= "2024-01-01" and found["last_date"] <= "2024-12-31"
