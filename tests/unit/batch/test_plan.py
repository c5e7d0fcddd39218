"""The plan on one page (customer_workbook.batch.plan): decisions read from a run's findings, in the method's order."""
from __future__ import annotations

import json

from customer_workbook.batch.plan import plan_lines, plan_section
from customer_workbook.batch.worker import JobResult
from customer_workbook.decisions import Decision


def _write(run_dir, notebook, decisions, value_unit="currency units"):
    record = {"notebook": notebook, "title": notebook, "value_unit": value_unit, "parameters": {},
              "findings": {"decisions": {"value": [d.to_dict() for d in decisions], "label": "Decisions",
                                         "unit": "", "headline": False}}}
    (run_dir / f"{notebook}.findings.json").write_text(json.dumps(record))
    return JobResult("run", notebook, True, 1.0, f"{notebook}.html", f"{notebook}.findings.json")


def test_decisions_come_in_the_method_s_order_with_value_basis_confidence_and_evidence(tmp_path):
    late = Decision(step=5, topic="Win-back", action="Wake the half-sleepy", for_whom="half-sleepy customers",
                    value=1373.0, value_low=-18421.0, value_high=21167.0, value_label="net gain", basis="measured",
                    evidence="Dormant customers")
    early = Decision(step=2, topic="Leading indicators", action="Watch delivery time", evidence="Change register",
                     indicators=("delivery time (up 1.3 days since 2 Jun 2025)",))
    strategy = Decision(step=3, topic="Strategy", action="Spend on conquest", value=400_000.0, value_low=250_000.0,
                        value_high=520_000.0, value_label="extra value a year", basis="estimated")
    results = [_write(tmp_path, "05_plan_components", [late]), _write(tmp_path, "02_changes", [early]),
               _write(tmp_path, "03_strategy", [strategy])]
    lines = plan_lines(tmp_path, results)
    assert [line.decision.step for line in lines] == [2, 3, 5]
    html = plan_section(tmp_path, results)
    assert html.index("Leading indicators") < html.index("Spend on conquest") < html.index("Wake the half-sleepy")
    assert "1,373 (-18,421 to 21,167) net gain" in html and "class='conf low'" in html     # measured, crosses zero
    assert "400,000 (250,000 to 520,000) extra value a year<br><small>estimated" in html
    assert "class='conf medium'>medium" in html and "Leading indicators to watch:</b> delivery time" in html
    assert "href='05_plan_components.html'" in html and "Dormant customers" in html
    assert not any(token in html for token in ("nan", "None", ">inf"))


def test_a_failed_notebook_and_an_undecided_step_say_so(tmp_path):
    waiting = Decision(step=5, topic="Win-back", action="No win-back can be valued",
                       unlock="a campaigns table with a control group")
    failed = JobResult("run", "03_strategy", False, 1.0, "03_strategy.html", None, error="boom <b>", status="failed")
    html = plan_section(tmp_path, [_write(tmp_path, "05_plan_components", [waiting]), failed])
    assert "This report did not complete: boom &lt;b&gt;" in html
    assert "What would unlock it: a campaigns table with a control group" in html and "class=undecided" in html


def test_values_from_data_are_escaped_and_unreadable_records_are_left_out(tmp_path):
    hostile = Decision(step=4, topic="Pilot", action="Pilot in <img src=x onerror=alert(1)>",
                       for_whom="\"'><script>x</script>")
    res = _write(tmp_path, "04_plan_phases", [hostile])
    record = json.loads((tmp_path / res.findings).read_text())
    record["findings"]["decisions"]["value"].append({"step": 9, "topic": "bad"})      # not a decision: left out
    (tmp_path / res.findings).write_text(json.dumps(record))
    html = plan_section(tmp_path, [res])
    assert "<script>" not in html and "<img" not in html and html.count("<tr") == 2   # header + one decision


def test_no_decision_no_plan(tmp_path):
    assert plan_section(tmp_path, [_write(tmp_path, "00_data_overview", [])]) == ""
    assert plan_section(tmp_path, [JobResult("run", "00_data_overview", True, 1.0, None, None)]) == ""


def test_the_data_overview_opens_the_plan_as_step_0(tmp_path):
    data = Decision(step=0, topic="Data for the method", action="Run the method on these data: step 3 cannot reach "
                    "its decision", unlock="the marketing table for step 3 (weekly spend per channel)")
    strategy = Decision(step=3, topic="Strategy", action="Spend on conquest")
    results = [_write(tmp_path, "03_strategy", [strategy]), _write(tmp_path, "00_data_overview", [data])]
    assert [line.decision.step for line in plan_lines(tmp_path, results)] == [0, 3]
    html = plan_section(tmp_path, results)
    assert html.index("0. Check the data") < html.index("3. Choose the customer-management strategy")
    assert "What would unlock it: the marketing table for step 3" in html
