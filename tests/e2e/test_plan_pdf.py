"""`make plan`: a run printed to one PDF by headless Chromium - the index with the plan first, then each report."""
from __future__ import annotations

import json
import shutil

import pytest

from customer_workbook.batch import pdf

pytestmark = pytest.mark.notebooks
if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
    pytest.skip("no system Chromium (Debian package 'chromium')", allow_module_level=True)
pypdf = pytest.importorskip("pypdf")


def _run(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "index.html").write_text("<html><body><h1>The customer-management plan</h1><p>Plan page</p></body></html>")
    results = []
    for name in ("01_behaviour", "03_strategy"):
        body = "".join(f"<p>{name} paragraph {i}</p>" for i in range(120))       # longer than one A4 page
        (run / f"{name}.html").write_text(f"<html><body><h1>Report {name}</h1>{body}</body></html>")
        results.append({"notebook": name, "html": f"{name}.html", "status": "ok"})
    results.append({"notebook": "05_plan_components", "html": None, "status": "failed"})   # no report: skipped
    (run / "results.json").write_text(json.dumps(results))
    return run


def test_the_plan_comes_first_then_every_written_report(tmp_path):
    run = _run(tmp_path)
    out = pdf.print_run(run)
    assert out == run / "plan.pdf" and not list(run.glob(".*pdf*"))          # no part files left behind
    texts = [p.extract_text() for p in pypdf.PdfReader(out).pages]
    assert "The customer-management plan" in texts[0] and len(texts) >= 5   # 1 + two reports of 2+ pages
    first = [i for i, t in enumerate(texts) if "Report 01_behaviour" in t]
    later = [i for i, t in enumerate(texts) if "Report 03_strategy" in t]
    assert first and later and 0 < first[0] < later[0]


def test_a_folder_without_a_run_says_what_to_do(tmp_path, capsys):
    with pytest.raises(pdf.PdfError, match="run the batch first"):
        pdf.print_run(tmp_path)
    assert pdf.main([str(tmp_path)]) == 1 and "make reports" in capsys.readouterr().err
