"""The method text of notebooks 03, 04 and 05 names the purchase model as the scorer chooses it: BG/NBD or
MBG/NBD, whichever predicts held-out purchases better (customer_workbook.clv.score_customers)."""
from __future__ import annotations

import json

import pytest

from customer_workbook.paths import project_root


def _markdown(notebook: str) -> str:
    nb = json.loads((project_root() / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("notebook, said_before", [
    ("03_strategy", "the repeat purchases the BG/NBD model expects"),
    ("04_plan_phases", "(BG/NBD purchases x Gamma-Gamma spend"),
    ("05_plan_components", "a BG/NBD model of how often each"),
])
def test_the_method_text_names_the_purchase_model_chosen_on_held_out_data(notebook, said_before):
    text = _markdown(notebook)
    assert said_before not in text.replace("\n", " ")
    assert "MBG/NBD" in text and "held-out" in text
