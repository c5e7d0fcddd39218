"""The whole series gives the same findings whichever engine built the derived tables (pandas, DuckDB, Spark)."""
from __future__ import annotations

import json
import math
import shutil

import pytest

from customer_workbook import cache
from customer_workbook.batch import main

pytestmark = pytest.mark.notebooks
ENGINES = ("pandas", "duckdb", "spark")


@pytest.fixture(scope="module")
def findings(tmp_path_factory, small_sample) -> dict[str, dict[str, dict]]:
    """Every notebook's findings JSON on the small sample, per engine (one batch each, cache off)."""
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cache.ENV_SWITCH, "0")
        for engine in ENGINES:
            if engine == "spark" and shutil.which("java") is None:
                continue
            base = tmp_path_factory.mktemp(engine)
            params = base / f"{engine}.yaml"
            params.write_text(f"run_name: {engine}\ndescription: engine {engine}\nparameters:\n"
                              f"  data_dir: {small_sample}\n  engine: {engine}\n")
            assert main([str(params), "--out", str(base / "reports"), "--jobs", "2"]) == 0, engine
            out[engine] = {path.name: json.loads(path.read_text())
                           for path in sorted((base / "reports" / engine).glob("*.findings.json"))}
    return out


def differences(a, b, where: str = "") -> list[str]:
    """Where ``a`` and ``b`` differ: counts and text exactly, floats beyond 1e-9 relative."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(a.keys() ^ b.keys())}"]
        return [d for k in a if not (where.endswith("parameters") and k == "engine")
                for d in differences(a[k], b[k], f"{where}/{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} against {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{where}[{i}]")]
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
        return [] if same else [f"{where}: {a!r} against {b!r}"]
    return [] if (type(a), a) == (type(b), b) else [f"{where}: {a!r} against {b!r}"]


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_findings_are_the_same_on_every_engine(findings, engine):
    if engine not in findings:
        pytest.skip("Spark needs Java: no `java` on the PATH")
    reference = findings["pandas"]
    assert reference and findings[engine].keys() == reference.keys()
    for name, found in findings[engine].items():
        assert differences(reference[name], found, name) == []
