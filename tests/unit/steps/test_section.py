"""The Section a step function returns: parts in order, findings recorded once, results kept."""
import dataclasses

import pytest

from customer_workbook.findings import Findings
from customer_workbook.steps import Draft, Section, Skip
from customer_workbook.steps.section import counted


def _section() -> Section:
    draft = Draft()
    draft.add("n", 3, "Customers", headline=True)
    draft.say("first")
    draft.show(42)
    draft.skip("Survey drivers", ["surveys"], "Add surveys.")
    draft.add("n", 4, "Customers", headline=True)  # a later value replaces the first
    return draft.done(table=[1, 2])


def test_draft_keeps_order_findings_and_results():
    section = _section()
    assert section.parts[:2] == ("first", 42)
    assert section.parts[2] == Skip("Survey drivers", ("surveys",), "Add surveys.")
    assert [f.key for f in section.findings] == ["n"] and section.value("n") == 4
    assert section["table"] == [1, 2]
    with pytest.raises(KeyError):
        section.value("missing")
    with pytest.raises(dataclasses.FrozenInstanceError):
        section.parts = ()
    with pytest.raises(TypeError):
        section.results["other"] = 1


def test_record_adds_findings_and_skips():
    findings = Findings("nb", "Notebook")
    _section().record(findings)
    saved = findings.to_dict()
    assert saved["findings"]["n"] == {"value": 4, "label": "Customers", "unit": "", "headline": True}
    assert saved["skipped"] == [{"section": "Survey drivers", "missing": ["surveys"], "reason": "Add surveys."}]


def test_show_displays_every_part_in_order(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    _section().show()
    assert [getattr(s, "data", s) for s in shown][:2] == ["first", 42]
    assert "Skipped: Survey drivers" in shown[2].data and "`surveys`" in shown[2].data


def test_repr_shows_no_data():
    """A cell ending with a Section shows its repr in the report: names only, never values (ids)."""
    draft = Draft()
    draft.say("C000123 secret")
    section = draft.done(ids=["C000123"])
    assert repr(section) == "<Section: 1 parts, 0 findings, results: ids>"


def test_counted_says_one_customer_and_many_customers():
    assert counted(1, "customer") == "1 customer"
    assert counted(0, "customer") == "0 customers" and counted(1204, "customer") == "1,204 customers"
    assert counted(2, "repeat buyer") == "2 repeat buyers" and counted(3, "sheep", "sheep") == "3 sheep"
