"""Reports are safe to open and share: the whole series on a hostile copy of the small sample.

Every text value that reaches a report carries a payload (script and event-handler tags, a Markdown
``javascript:`` link, mathtext, a 200+ character label) and every customer id is an e-mail address (see
``tests/hostile.py``). The series must complete, no report may contain markup from the data, and no customer
id may reach an HTML report, a findings JSON or an executed notebook. ``tests/e2e/test_browser.py`` opens the
same run in Chromium.
"""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from hostile import LONG_PAYLOAD, PAYLOADS

from customer_workbook.paths import project_root

pytestmark = pytest.mark.notebooks
NOTEBOOKS = sorted(p.stem for p in (project_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EMAIL = re.compile(r"[\w.'+\-]+@example\.com")


def shareable_files(run_dir):
    """Every HTML report, findings JSON and executed notebook of the run (not the private folder)."""
    return [p for p in run_dir.rglob("*") if p.suffix in (".html", ".json", ".ipynb") and "private" not in p.parts]


def decoded(path) -> str:
    """The file's text with HTML character references decoded, and JSON strings decoded too, so an id
    cannot hide behind ``&#46;`` or ``\\u0040``."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".json", ".ipynb"):
        text += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


class MarkupFromData(HTMLParser):
    """Collects elements a payload would create: event handlers, javascript: URLs, scripts running it."""

    def __init__(self):
        super().__init__()
        self.found, self.in_script = [], False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") and "alert" in value:
                self.found.append(f"<{tag} {name}={value}>")
            if name in ("href", "src", "action", "formaction") and value.startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append("<img src=x>")
        self.in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "alert(1)" in data:
            self.found.append(f"<script>{data[:60]}")


def test_the_series_completes_on_hostile_data(hostile_reports):
    run_dir = hostile_reports["run_dir"]
    results = {r["notebook"]: (r["ok"], r["error"]) for r in json.loads((run_dir / "results.json").read_text())}
    assert results == {nb: (True, None) for nb in NOTEBOOKS}, results
    assert hostile_reports["code"] == 0
    print(f"hostile series: {hostile_reports['seconds']:.0f} s")


def test_no_markup_from_data_in_any_report(hostile_reports):
    run_dir = hostile_reports["run_dir"]
    pages = sorted(run_dir.glob("*.html"))
    assert {p.stem for p in pages} == {*NOTEBOOKS, "index"}
    for page in pages:
        parser = MarkupFromData()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.found == [], f"{page.name}: {parser.found[:5]}"


def test_payloads_are_shown_as_text(hostile_reports):
    """The data values are not dropped: each payload is in some report as escaped text."""
    texts = [html.unescape(p.read_text(encoding="utf-8")) for p in hostile_reports["run_dir"].glob("*.html")]
    for payload in PAYLOADS:
        shown = payload.strip() if payload != LONG_PAYLOAD else LONG_PAYLOAD[:40]
        assert any(shown in text for text in texts), payload


def test_no_customer_id_reaches_a_shareable_file(hostile_reports):
    emails = set(hostile_reports["customer_ids"].values())
    originals = set(hostile_reports["customer_ids"])
    files = shareable_files(hostile_reports["run_dir"])
    assert {p.suffix for p in files} == {".html", ".json", ".ipynb"}
    for path in files:
        text = decoded(path)
        leaked = emails & set(EMAIL.findall(text))
        assert not leaked, f"{path.name}: {sorted(leaked)[:3]}"
        assert not [c for c in re.findall(r"C\d{6}", text) if c in originals], path.name


def test_listed_customers_are_pseudonyms_and_private_outputs_keep_real_ids(hostile_reports):
    run_dir = hostile_reports["run_dir"]
    page = html.unescape((run_dir / "05_plan_components.html").read_text(encoding="utf-8"))
    assert len(set(re.findall(r"C-[0-9a-f]{10}", page))) >= 15  # the most valuable customers and the card
    private = pd.read_parquet(run_dir / "private" / "01_behaviour.customers.parquet")
    assert set(private["customer_id"].astype(str)) <= set(hostile_reports["customer_ids"].values())
    assert "private" not in (run_dir / "index.html").read_text(encoding="utf-8")
    assert not (run_dir / "01_behaviour.customers.parquet").exists()


def test_show_customer_ids_lists_the_real_ids(tmp_path, hostile_sample):
    """An internal run may opt in to real ids; the default (above) shows pseudonyms."""
    from conftest import execute_notebook

    data_dir, mapping = hostile_sample
    execute_notebook("05_plan_components", tmp_path, data_dir=str(data_dir), interactive=False, show_customer_ids=True)
    text = decoded(tmp_path / "05_plan_components.ipynb")
    assert len(set(EMAIL.findall(text)) & set(mapping["customer_ids"].values())) >= 15
    assert not re.search(r"C-[0-9a-f]{10}", text)


def test_the_run_writes_the_scored_customer_list_to_the_private_folder(hostile_reports):
    from customer_workbook.planning import SCORE_COLUMNS

    run_dir = hostile_reports["run_dir"]
    scores = pd.read_parquet(run_dir / "private" / "customer_scores.parquet")
    assert list(scores.columns) == SCORE_COLUMNS and scores["customer_id"].is_unique
    assert set(scores["customer_id"].astype(str)) <= set(hostile_reports["customer_ids"].values())
    value = pd.read_parquet(run_dir / "private" / "05_plan_components.customers.parquet")
    assert set(value["customer_id"]) <= set(scores["customer_id"])  # nobody the notebooks scored is lost
    assert scores["recommended_action"].notna().sum() == len(value) and scores["persona"].notna().any()
    assert pd.read_csv(run_dir / "private" / "customer_scores.csv")["customer_id"].tolist() == scores["customer_id"].tolist()
    assert "customer_scores" not in (run_dir / "index.html").read_text(encoding="utf-8")
