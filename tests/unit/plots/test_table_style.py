"""Tables for people (issue 17): every table of the reports is formatted, also where a caller gave no format."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from customer_workbook.plots import styled_table


def cells(styler) -> list[str]:
    """The cells' text; a no-break space (dates and "< 0.001" stay on one line) read as a space."""
    return [c.replace("\u00a0", " ") for c in re.findall(r"<td[^>]*>(.*?)</td>", styler.to_html())]


def test_defaults_for_numbers_dates_and_missing_values():
    frame = pd.DataFrame({"customers": [1290, 20000], "mean": [1291.4, 0.123456], "p": [3.4e-06, np.nan],
                          "week": pd.to_datetime(["2025-08-11", None]), "kept": [True, False],
                          "mixed": [pd.Timestamp("2024-01-01"), None], "name": ["a", None]})
    assert cells(styled_table(frame)) == ["1,290", "1,291", "&lt; 0.001", "11 Aug 2025", "yes", "1 Jan 2024", "a",
                                          "20,000", "0.123", "", "", "no", "", ""]


def test_a_caller_format_never_gives_scientific_notation():
    frame = pd.DataFrame({"before": [1291.4, 95.0], "change": [2345.6, -0.0797], "p_adj": [1.2e-06, 0.04]})
    shown = cells(styled_table(frame, {"before": "{:,.3g}", "change": "{:+.3g}", "p_adj": "{:.2g}"}))
    assert shown == ["1,291", "+2,346", "&lt; 0.001", "95", "-0.0797", "0.04"]
    assert not any(re.search(r"\de[+-]\d", c) for c in shown)


def test_no_nan_none_or_raw_timestamp_in_any_cell():
    frame = pd.DataFrame({"x": [np.nan, 1.5], "when": [pd.Timestamp("2025-08-11 00:00:00"), pd.NaT],
                          "o": [None, float("inf")]})
    html = styled_table(frame).to_html()
    assert not re.search(r">\s*(nan|NaN|None|inf|NaT)\s*<", html) and "00:00:00" not in html


def test_dates_and_tiny_numbers_stay_on_one_line():
    html = styled_table(pd.DataFrame({"week": pd.to_datetime(["2025-03-03"]), "p": [1e-9]}), {"p": "{:.2g}"}).to_html()
    assert "3\u00a0Mar\u00a02025" in html and "&lt;\u00a00.001" in html


def test_a_timestamp_written_as_text_reads_as_a_date():
    frame = pd.DataFrame({"item": ["signup", "note", "bad"], "value": ["2022-10-25 00:00:00", "2023 in review", "2022-13-45"]})
    assert cells(styled_table(frame)) == ["signup", "25 Oct 2022", "note", "2023 in review", "bad", "2022-13-45"]
