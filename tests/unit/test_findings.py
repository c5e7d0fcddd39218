"""Findings JSON and atomic writes."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from customer_workbook.findings import Findings, format_value, headline_markdown, load_findings, to_jsonable
from customer_workbook.paths import atomic_write_text


def test_to_jsonable_converts_numpy_pandas_and_nan():
    value = {"a": np.int64(3), "b": np.float32(0.5), "c": np.array([1, 2]), "d": float("nan"),
             "e": pd.Timestamp("2024-01-02"), "f": np.bool_(True), "g": pd.Series({"x": 1.5})}
    assert to_jsonable(value) == {"a": 3, "b": 0.5, "c": [1, 2], "d": None, "e": "2024-01-02T00:00:00",
                                  "f": True, "g": {"x": 1.5}}
    json.dumps(to_jsonable(value), allow_nan=False)


def test_findings_save_load_roundtrip_and_headlines(tmp_path):
    f = Findings("00_x", "X", parameters={"data_dir": "d"})
    assert f.add("n", np.int64(12_345), "Customers", headline=True) == 12_345
    f.add("share", 0.25, "Share")
    note = f.skip("Advocacy", ["engagement"])
    assert "engagement" in note.data and "Skipped" in note.data
    saved = load_findings(f.save(tmp_path / "sub" / "f.json"))
    assert saved["findings"]["n"] == {"value": 12345, "label": "Customers", "unit": "", "headline": True}
    assert saved["skipped"] == [{"section": "Advocacy", "missing": ["engagement"], "reason": ""}]
    assert headline_markdown(saved) == "- **Customers**: 12,345"
    assert f.value("share") == 0.25


def test_format_value():
    assert format_value(1234567.8, "EUR") == "1,234,568 EUR"
    assert format_value(0.123456) == "0.123"
    assert format_value({"web": 0.5, "store": 0.25}) == "web: 0.5, store: 0.25"


def test_atomic_write_keeps_old_file_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    atomic_write_text(target, "old")

    def broken_replace(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr("customer_workbook.paths.os.replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_percentage_point_differences_are_signed():
    from customer_workbook.findings import format_value

    assert format_value(-0.0312, "pp") == "-3.1 pp"
    assert format_value({"web": 0.05, "store": -0.2}, "pp") == "web: +5.0 pp, store: -20.0 pp"


def test_pp_formats_differences_of_shares_for_sentences_and_tables():
    import numpy as np

    from customer_workbook.findings import format_value, pp

    assert pp(0.08) == "+8.0 pp" and pp(np.float64(-0.0149)) == "-1.5 pp" and pp(0.0) == "+0.0 pp"
    assert pp(0.123456, 2) == "+12.35 pp" and pp(1) == "+100.0 pp"
    assert pp(float("nan")) == "" and pp(None) == "" and pp(True) == "" and pp("x") == ""
    assert format_value(float("nan"), "pp") == ""                      # never "+nan pp" in a report
    assert "%" not in pp(0.08)


def test_a_skip_note_names_tables_or_columns():
    findings = Findings("nb", "Notebook")
    assert "needs the optional table `surveys`," in findings.skip("Drivers", ["surveys"]).data
    assert "needs the optional column `transactions.channel`," in findings.skip("Mix", ["transactions.channel"]).data
    assert "optional tables `surveys`, `engagement`," in findings.skip("Both", ["surveys", "engagement"]).data


def test_an_interval_of_shares_or_differences_reads_as_a_range():
    assert format_value([-0.0326, 0.0987], "pp") == "-3.3 pp to +9.9 pp"
    assert format_value([0.25, 0.5], "share") == "25.0% to 50.0%"
    assert format_value([1, 2, 3], "pp") == "[1, 2, 3]"         # not a pair: shown as it is


def test_headline_values_read_as_words():
    """Issue 17: no code names, scientific notation or None in the key findings."""
    from customer_workbook.findings import date_words, number_words

    assert format_value({"half_sleepy": 2539, "sure_thing": 1988}) == "half-sleepy: 2,539, sure things: 1,988"
    assert format_value({"fast_brand": 0.1171}, "share") == "speed (fast brand): 11.7%"   # the glossary's labels
    assert format_value("sleeping_dog") == "sleeping dogs" and format_value("Orders per week") == "Orders per week"
    assert format_value("my_own_segment") == "my own segment"                            # unknown: words
    assert format_value([]) == "none" and format_value({}) == "none"
    assert format_value(None) == "not available" and format_value(None, "share") == "not available"
    assert format_value(3.4e-06) == "< 0.001" and format_value(True) == "yes"
    assert number_words(1291.4) == "1,291" and number_words(-2.5, sign=True) == "-2.5"
    assert date_words("2025-08-11 00:00:00") == "11 Aug 2025" and date_words(None) == ""
