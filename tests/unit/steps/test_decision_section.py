"""The Decision section every notebook ends with (customer_workbook.steps.decision)."""
from customer_workbook.decisions import Decision
from customer_workbook.findings import Findings
from customer_workbook.steps.decision import decision_section, lead_with_decisions


def test_decisions_are_recorded_for_the_plan_page_and_lead_the_key_findings(tmp_path):
    wake = [Decision(step=5, topic="Timing (win-back)", action="Wake them", for_whom=f"{g} customers", value=v,
                     value_low=0.0, value_high=2 * v, basis="assumed") for g, v in (("half-sleepy", 10.0), ("sleepy", 5.0))]
    findings = Findings("05_plan_components", "Plan components")
    findings.add("n_customers", 100, "Customers", headline=True)
    section = decision_section(wake).record(findings)
    lead_with_decisions(findings)
    keys = list(findings.items)
    assert keys[:2] == ["decision_timing_win_back", "decision_timing_win_back_2"] and "n_customers" in keys
    labels = [findings.items[k]["label"] for k in keys[:2]]
    assert labels == ["Decision: Timing (win-back) (half-sleepy customers)", "Decision: Timing (win-back) (sleepy customers)"]
    assert findings.items[keys[0]]["headline"] and not findings.items["decisions"]["headline"]
    assert [d["for_whom"] for d in findings.items["decisions"]["value"]] == ["half-sleepy customers", "sleepy customers"]
    assert section["decisions"] == tuple(wake)
