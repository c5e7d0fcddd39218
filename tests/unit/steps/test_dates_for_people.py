"""Dates in the reports' sentences read as people write them ("3 Mar 2025"), through one formatter
(:func:`customer_workbook.findings.date_words`): no zero-padded day, no ISO date in text."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

import customer_workbook
from customer_workbook.changes import register
from customer_workbook.steps import changes as step

LIB = Path(customer_workbook.__file__).parent
#: The modules that write the reports' sentences and tables.
TEXT_MODULES = [*sorted((LIB / "steps").glob("*.py")), LIB / "changes" / "sentences.py", LIB / "changes" / "register.py",
                LIB / "changes" / "detection.py", LIB / "clv" / "scoring.py", LIB / "clv" / "new_customers.py",
                LIB / "segments" / "lifecycle.py", LIB / "retention" / "churn.py"]
#: A date written by hand in a sentence: zero-padded day ("03 Mar 2025", "03 March 2025").
HAND_DATE = re.compile(r":%d %[bB] %Y")


def test_no_text_module_formats_a_date_by_hand():
    offenders = [f"{path.name}:{i}" for path in TEXT_MODULES
                 for i, line in enumerate(path.read_text().splitlines(), 1) if HAND_DATE.search(line)]
    assert offenders == []


def test_a_change_and_a_stricter_run_name_early_days_without_a_leading_zero():
    row = pd.Series({"affected_group": "all customers", "_group_only": False, "what": "Orders per week",
                     "direction": "down", "change": -120.0, "change_unit": "orders", "date": pd.Timestamp("2025-03-03")})
    assert register._said(row).endswith("3 Mar 2025)") and "03 Mar" not in register._said(row)
    strict = pd.DataFrame({"metric": ["orders"], "label": ["Orders per week"], "date": [pd.Timestamp("2025-03-03")],
                           "survives": [True]})
    text = step.stricter_sentence(strict)
    assert "(3 Mar 2025)" in text and "03 Mar" not in text
