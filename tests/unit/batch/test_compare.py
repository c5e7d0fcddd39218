"""Several runs side by side (customer_workbook.batch.compare): marked only where intervals do not overlap."""
from __future__ import annotations

import json
import re
from pathlib import Path

from customer_workbook.batch.compare import (Cell, RunReports, compare_rows, comparison_section, differs_beyond_noise,
                                             finding_interval, read_run)
from customer_workbook.batch.report import write_runs_index
from customer_workbook.findings import Findings

HOSTILE = "<script>alert(1)</script>"


def _findings(nps: float, low: float | None, high: float | None, churn: float, decision_value: float | None = None,
              extra: dict | None = None) -> Findings:
    f = Findings("01_behaviour", "Customer behaviour")
    f.add("nps", nps, "Net promoter score", headline=True, interval=None if low is None else (low, high))
    f.add("churn_rate", churn, "Customers lost", headline=True, unit="share")          # no interval
    f.add("n_customers", 100, "Customers", headline=False)                            # not a headline
    if decision_value is not None:
        f.add("decisions", [{"step": 3, "topic": "Acquisition budget", "action": "Raise the budget",
                             "value": decision_value, "value_low": decision_value - 10,
                             "value_high": decision_value + 10, "basis": "estimated"}], "Decisions")
    for key, value in (extra or {}).items():
        f.add(key, value, key.replace("_", " "), headline=True)
    return f


def _run(tmp_path: Path, name: str, findings: dict[str, Findings], failed: dict[str, str] | None = None) -> Path:
    run_dir = tmp_path / name
    run_dir.mkdir()
    results = []
    for nb, f in findings.items():
        f.save(run_dir / f"{nb}.findings.json")
        (run_dir / f"{nb}.html").write_text("<html></html>")
        results.append({"run": name, "notebook": nb, "ok": True, "seconds": 1.0, "html": f"{nb}.html",
                        "findings": f"{nb}.findings.json", "status": "ok"})
    for nb, error in (failed or {}).items():
        (run_dir / f"{nb}.html").write_text("<html></html>")
        results.append({"run": name, "notebook": nb, "ok": False, "seconds": 1.0, "html": f"{nb}.html",
                        "findings": None, "error": error, "status": "failed"})
    (run_dir / "results.json").write_text(json.dumps(results))
    (run_dir / "index.html").write_text("<html></html>")
    return run_dir


def test_intervals_come_from_the_finding_or_its_companion_and_only_for_numbers():
    items = {"a": {"value": 5.0, "interval": [4.0, 6.0]}, "b": {"value": 5.0}, "b_interval": {"value": [1, 9]},
             "c": {"value": 5.0}, "d": {"value": "text", "interval": [1, 2]}, "e": {"value": 5.0, "interval": [6, 4]}}
    assert finding_interval(items, "a") == (4.0, 6.0) and finding_interval(items, "b") == (1.0, 9.0)
    assert finding_interval(items, "c") is None and finding_interval(items, "d") is None
    assert finding_interval(items, "e") is None and finding_interval(items, "missing") is None


def test_findings_record_an_interval_only_when_it_is_two_finite_numbers_in_order():
    f = Findings("x", "X")
    f.add("a", 1.0, "A", interval=(0.5, 1.5))
    f.add("b", 1.0, "B", interval=(float("nan"), 2.0))
    f.add("c", 1.0, "C")
    assert f.items["a"]["interval"] == [0.5, 1.5] and "interval" not in f.items["b"] and "interval" not in f.items["c"]


def test_overlap_no_overlap_and_no_interval():
    assert differs_beyond_noise(Cell("a", 1, 2), Cell("b", 3, 4))
    assert not differs_beyond_noise(Cell("a", 1, 3), Cell("b", 2, 4))                  # overlap
    assert not differs_beyond_noise(Cell("a", 1, 2), Cell("b"))                         # no interval: never marked
    assert not differs_beyond_noise(Cell("a", 1, 2), None)                              # missing in one run
    assert not differs_beyond_noise(Cell("a", 1, 2, "purchases"), Cell("b", 3, 4, "currency units"))


def test_rows_mark_only_findings_whose_intervals_do_not_overlap(tmp_path):
    north = read_run(_run(tmp_path, "North", {"01_behaviour": _findings(10, 8, 12, 0.1, 100.0)}))
    south = read_run(_run(tmp_path, "South", {"01_behaviour": _findings(30, 25, 35, 0.9, 105.0)}))
    rows = {r.label: r for r in compare_rows([north, south])}
    assert list(rows)[0] == "Decision: Acquisition budget"                              # decisions lead
    assert rows["Net promoter score"].differs == (("North", "South"),)                  # 8-12 vs 25-35
    assert rows["Decision: Acquisition budget"].differs == ()                           # 90-110 vs 95-115 overlap
    assert rows["Customers lost"].differs == ()                                         # far apart, no interval
    assert "Customers" not in rows                                                      # not a headline


def test_the_page_shows_failed_and_missing_runs_escapes_everything_and_explains_the_marks(tmp_path):
    _run(tmp_path, "North", {"01_behaviour": _findings(10, 8, 12, 0.1, extra={"top_channel": HOSTILE})},
         failed={"02_changes": f"ValueError: {HOSTILE}"})
    _run(tmp_path, "South<b>&amp;\"'", {"01_behaviour": _findings(30, None, None, 0.2),
                                       "02_changes": _findings(1, 0, 2, 0.1)})
    page = write_runs_index(tmp_path).read_text()
    assert "<script>" not in page and "South<b>" not in page and page.count("&lt;script&gt;") == 2     # the finding and the error
    assert "&#8800; beyond noise" not in page.split("<tbody>", 1)[1].split("</table>")[0]   # NPS: one run no interval
    assert "failed: ValueError" in page and "not recorded in this run" in page and "no report" in page
    assert "never marked" in page and "The runs compared" in page
    assert not re.search(r"\b(nan|NaN|None|null)\b", page)


def test_two_runs_whose_intervals_do_not_overlap_are_marked_and_one_run_is_not_compared(tmp_path):
    _run(tmp_path, "North", {"01_behaviour": _findings(10, 8, 12, 0.1)})
    assert "The runs compared" not in write_runs_index(tmp_path).read_text()
    _run(tmp_path, "South", {"01_behaviour": _findings(30, 25, 35, 0.1)})
    page = write_runs_index(tmp_path).read_text()
    assert page.count("&#8800; beyond noise</td>") == 1 and "1 row differs beyond noise" in page
    assert "href='North/01_behaviour.html'" in page and "href='South/01_behaviour.html'" in page
    sections = comparison_section([RunReports("only")])
    assert sections == ""
