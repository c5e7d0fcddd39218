"""Fixtures of the gauntlet: runs on the null company, shared by the tests of claims it must not make."""
from __future__ import annotations

import pytest
from conftest import ROOT, run_notebook

from gauntlet import corpus

#: Customers of the null company the claims are checked on: enough for a test to have power, small enough
#: for CI. Its false-alarm rates are those each analysis states.
NULL_CUSTOMERS = 3000


@pytest.fixture(scope="session")
def null_company(tmp_path_factory):
    """The sample generator with every planted effect switched off (``planted_effects=False``)."""
    out = tmp_path_factory.mktemp("null_company")
    return corpus.generate(out, planted_effects=False, n_customers=NULL_CUSTOMERS)


@pytest.fixture(scope="session")
def null_run(tmp_path_factory, null_company):
    """``null_run("03_strategy")``: the findings of a notebook on the null company, run once per session."""
    done: dict[str, dict] = {}

    def run(notebook: str) -> dict:
        if notebook not in done:
            out = tmp_path_factory.mktemp(f"null_{notebook}")
            done[notebook] = run_notebook(ROOT / "notebooks" / f"{notebook}.ipynb", out, data_dir=str(null_company))
        return done[notebook]
    return run
