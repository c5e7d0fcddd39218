"""The facilitator guide is filled from a deterministic run on the shipped sample: every finding it quotes must
exist there, or `make workshop` stops (a gate that removes a finding must also change the guide)."""
import re

import pytest
from conftest import ROOT, SHIPPED_PARAMETERS

pytestmark = pytest.mark.notebooks

PLACEHOLDER = re.compile(r"\{\{\s*([0-9A-Za-z_]+):([0-9A-Za-z_]+)\s*\}\}")


def test_every_finding_the_guide_quotes_exists_on_the_shipped_sample(shipped_run):
    quoted = PLACEHOLDER.findall((ROOT / "docs" / "workshop.template.md").read_text())
    checked = [(nb, key) for nb, key in quoted if nb in SHIPPED_PARAMETERS]
    assert checked, "the guide quotes no finding of the notebooks run on the shipped sample"
    missing = [f"{nb}:{key}" for nb, key in checked if key not in shipped_run(nb)[1]["findings"]]
    assert not missing, f"the guide quotes findings the shipped run does not record: {missing}"
