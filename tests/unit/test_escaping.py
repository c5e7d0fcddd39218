"""The one escaping helper: data values show as text in Markdown and HTML, never as markup."""
from __future__ import annotations

import mistune
from hypothesis import given
from hypothesis import strategies as st

from customer_workbook.escaping import html_text, md, shorten

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
            "[click](javascript:alert(1))", "$\\unicode{41}$", "50$ off", "**bold** _it_ `code`",
            "https://example.com/x", "# heading", "| a | b |", "line\nbreak"]


def rendered_text(markdown: str) -> str:
    """What a reader sees: the Markdown rendered to HTML, with the paragraph tags and entities removed."""
    import html

    out = mistune.html(markdown).strip()
    assert out.startswith("<p>") and out.endswith("</p>"), out
    inner = out[3:-4]
    assert "<" not in inner.replace("&lt;", ""), f"markup leaked: {out}"
    return html.unescape(inner)


def test_payloads_render_as_their_own_text():
    for payload in PAYLOADS:
        assert rendered_text(md(payload)) == " ".join(payload.split("\n"))


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=80).filter(lambda s: s.strip() and s == s.strip()))
def test_any_text_round_trips_through_markdown(text):
    text = " ".join(text.split())
    if text:
        assert rendered_text("x " + md(text)) == "x " + text


def test_html_text_escapes_tags_and_quotes():
    assert html_text("<b a='1'>&") == "&lt;b a=&#x27;1&#x27;&gt;&amp;"


def test_shorten_keeps_short_values_and_cuts_long_ones():
    assert shorten("short") == "short"
    assert shorten("x" * 61) == "x" * 59 + "…"
    assert len(shorten("y" * 10_000, 20)) == 20
    assert md("z" * 100, max_chars=10) == "z" * 9 + "…"


# --------------------------------------------------------------------------- where data meets a report


def test_styled_table_escapes_cells_headers_and_index_and_shortens_long_text():
    import pandas as pd

    from customer_workbook.escaping import MAX_LABEL_CHARS
    from customer_workbook.plots import styled_table

    frame = pd.DataFrame({"<b>channel</b>": ["<script>alert(1)</script>", "y" * 300, None],
                          "share": [0.5, 0.25, float("nan")],
                          "segment": pd.Categorical(["<img src=x onerror=alert(1)>", "a", "a"])},
                         index=["<svg onload=alert(1)>", "b", "c"])
    page = styled_table(frame, {"share": "{:.0%}"}).to_html()
    for raw in ("<script>", "<img", "<svg", "<b>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;channel&lt;/b&gt;" in page
    assert "y" * (MAX_LABEL_CHARS - 1) + "…" in page and "y" * MAX_LABEL_CHARS not in page
    assert ">50%<" in page and ">25%<" in page  # number formats still apply


def test_figures_show_mathtext_and_long_labels_literally():
    import io

    import matplotlib.pyplot as plt

    from customer_workbook import plots

    labels = ["50$ off", "$\\unicode{41}$", "$x^2$ " + "z" * 200]
    fig, ax = plt.subplots()
    ax.bar(labels, [1, 2, 3], label="$\\unicode{41}$")
    ax.set_title("$\\unicode{41}$ " + "t" * 300)
    ax.legend()
    fig = plots.finish(fig)
    fig.savefig(io.BytesIO(), format="png")  # mathtext would raise on \unicode
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert shown[:2] == labels[:2] and shown[2].endswith("…") and len(shown[2]) <= 60
    assert len(ax.get_title()) <= plots.MAX_TITLE_CHARS and ax.get_legend().get_texts()[0].get_text() == "$\\unicode{41}$"


def test_headline_markdown_and_skip_notes_escape_values_from_data():
    from customer_workbook.findings import Findings, headline_markdown

    f = Findings("00_x", "X")
    f.add("shares", {"[x](javascript:alert(1))web": 0.5, "<script>alert(1)</script>app": 0.5}, "Channel shares",
          headline=True, unit="share")
    f.add("top", "<img src=x onerror=alert(1)>", "Top channel: <b>store</b>", headline=True)
    lines = headline_markdown(f.to_dict()).split("\n")
    assert [rendered_text(line.removeprefix("- ").replace("**", "")) for line in lines] == [
        "Channel shares: [x](javascript:alert(1))web: 50.0%, <script>alert(1)</script>app: 50.0%",
        "Top channel: <b>store</b>: <img src=x onerror=alert(1)>"]
    for line in lines:
        page = mistune.html(line)
        assert "<strong>" in page and not any(tag in page for tag in ("<a ", "<script", "<img", "<b>"))
    note = f.skip("Channel <script>alert(1)</script>", ["transactions.channel"], "Add a `channel` column.")
    assert "<script" not in mistune.html(note.data) and "<code>transactions.channel</code>" in mistune.html(note.data)
