"""Pseudonymous customer ids: stable, keyed, one hash per distinct id, key kept private."""
from __future__ import annotations

import re
import stat

import pandas as pd
import pytest

from customer_workbook import privacy
from customer_workbook.paths import project_root

KEY = bytes(range(32))


def test_pseudonym_is_stable_keyed_and_shaped():
    a = privacy.pseudonym("anna.jansen+1@example.com", KEY)
    assert re.fullmatch(r"C-[0-9a-f]{10}", a)
    assert privacy.pseudonym("anna.jansen+1@example.com", KEY) == a
    assert privacy.pseudonym("anna.jansen+1@example.com", bytes(32)) != a  # another project, another pseudonym
    assert privacy.pseudonym("anna.jansen+2@example.com", KEY) != a
    assert "anna" not in a


def test_pseudonymise_keeps_shape_index_and_missing_values():
    ids = pd.Series(pd.Categorical(["b@x.org", "a@x.org", None, "b@x.org"]), index=[10, 11, 12, 13], name="customer_id")
    out = privacy.pseudonymise(ids, key=KEY)
    assert list(out.index) == [10, 11, 12, 13] and out.name == "customer_id"
    assert out[10] == out[13] == privacy.pseudonym("b@x.org", KEY)
    assert out[11] == privacy.pseudonym("a@x.org", KEY)
    assert out[12] is None
    index = privacy.pseudonymise(pd.Index(["a@x.org"], name="customer_id"), key=KEY)
    assert isinstance(index, pd.Index) and index.name == "customer_id" and index[0] == out[11]
    assert privacy.pseudonymise(["a@x.org"], key=KEY) == [out[11]]


def test_show_ids_returns_the_real_ids_and_needs_no_key(monkeypatch):
    monkeypatch.setattr(privacy, "project_key", lambda *a, **k: pytest.fail("no key needed to show ids"))
    assert privacy.pseudonymise(pd.Series(["C1", "C2"]), show_ids=True).tolist() == ["C1", "C2"]


def test_one_hash_per_distinct_id(monkeypatch):
    calls = []
    real = privacy.pseudonym
    monkeypatch.setattr(privacy, "pseudonym", lambda value, key=None: calls.append(value) or real(value, key))
    ids = pd.Series(pd.Categorical([f"c{i % 50}" for i in range(100_000)]))
    out = privacy.pseudonymise(ids, key=KEY)
    assert len(calls) == 50 and out.nunique() == 50


def test_project_key_is_created_once_private_and_reused(tmp_path):
    path = tmp_path / ".workbook" / "pseudonym.key"
    key = privacy.project_key(path)
    assert len(key) == 32 and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert privacy.project_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["pseudonym.key"]  # no temporary file left
    path.write_text("")
    with pytest.raises(ValueError, match="pseudonym key"):
        privacy.project_key(path)


def test_the_default_key_lives_outside_reports_and_git():
    assert privacy.KEY_PATH.parts[0] == ".workbook"
    ignored = (project_root() / ".gitignore").read_text().split()
    assert ".workbook/" in ignored


def test_private_folder_is_beside_the_findings(tmp_path):
    assert privacy.private_folder(tmp_path / "run" / "01_behaviour.findings.json") == tmp_path / "run" / "private"
    assert privacy.private_folder("reports/interactive/x.findings.json") == project_root() / "reports/interactive/private"


def test_lookup_table_maps_pseudonyms_back_for_the_key_holder():
    table = privacy.lookup_table(["b@x.org", "a@x.org", "b@x.org"], key=KEY)
    assert table.to_dict("records") == [{"customer_id": "b@x.org", "pseudonym": privacy.pseudonym("b@x.org", KEY)},
                                        {"customer_id": "a@x.org", "pseudonym": privacy.pseudonym("a@x.org", KEY)}]


def test_notebooks_starting_together_agree_on_one_key(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    path = tmp_path / "pseudonym.key"
    with ProcessPoolExecutor(max_workers=4) as pool:
        keys = list(pool.map(privacy.project_key, [path] * 8))
    assert len(set(keys)) == 1 and keys[0] == privacy.project_key(path)
