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
