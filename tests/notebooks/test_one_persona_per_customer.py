"""One persona per customer in every report: notebooks 01, 03, 04 and 05 on the shipped sample.

Each notebook calls the one persona engine (``segments.find_personas(ds)``) and records a fingerprint of
the sorted (customer, persona) pairs (``persona_assignment``) and the customers per persona
(``persona_counts``). Equal fingerprints mean every customer has the same persona in every notebook.
The notebook runs are shared with the notebooks' own shipped-sample tests (``shipped_run``).
"""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import SHIPPED, engine_personas, values

from customer_workbook.segments import UNASSIGNED

pytestmark = pytest.mark.notebooks

NOTEBOOKS = ("01_behaviour", "03_strategy", "04_plan_phases", "05_plan_components")


def test_every_notebook_gives_every_customer_the_same_persona(shipped_run):
    found = {name: values(shipped_run(name)[1]) for name in NOTEBOOKS}
    engine = engine_personas(str(SHIPPED))
    fingerprints = {name: f["persona_assignment"] for name, f in found.items()}
    assert set(fingerprints.values()) == {engine.fingerprint()}, fingerprints
    counts = {name: f["persona_counts"] for name, f in found.items()}
    assert all(c == engine.counts() for c in counts.values()), counts
    # notebook 01's per-customer file (what the CRM receives) holds the same assignment
    out_dir = shipped_run("01_behaviour")[0]
    saved = pd.read_parquet(out_dir / "private" / "01_behaviour.customers.parquet").set_index("customer_id")
    saved.index = saved.index.astype(str)
    expected = engine.assignment.fillna(UNASSIGNED)  # the CRM file names the customers no persona fits
    pd.testing.assert_series_equal(saved["persona_name"].reindex(expected.index).astype(object), expected,
                                   check_names=False)
