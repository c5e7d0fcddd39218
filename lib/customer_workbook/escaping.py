"""Make values that come from data safe to show in a report: the one home for escaping.

A category, product or campaign name in a user's export can hold anything, including ``<script>``,
Markdown link syntax or matplotlib mathtext. Reports are shared with directors, so every value that
comes from data is escaped at the point where it meets markup:

- :func:`md` for Markdown built with f-strings (``display(Markdown(f"... {md(channel)} ..."))``);
- :func:`html_text` for HTML built by code (the batch runner's findings block and index);
- :func:`shorten` for long values in tables, legends and tick labels (the full value stays in the data).

Links are only ever built by code from URLs it makes itself, never from data. Figures never parse
data as mathtext: :func:`customer_workbook.plots.use_style` turns mathtext parsing off.

>>> md("[x](javascript:alert(1))")
'&#91;x&#93;&#40;javascript&#58;alert&#40;1&#41;&#41;'
>>> shorten("a" * 100, 10)
'aaaaaaaaa…'
"""
from __future__ import annotations

import html
from typing import Any

__all__ = ["MAX_LABEL_CHARS", "html_text", "md", "shorten"]

#: Longest text value shown in a table cell, legend or tick label before it is cut with "…".
MAX_LABEL_CHARS = 60

# Characters with a meaning in Markdown, HTML or the notebook's math rendering, replaced by numeric
# character references: CommonMark shows a reference as its character but never as structure, so
# "[x](javascript:...)" cannot become a link and "<script>" cannot become a tag.
_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~$&\"'=:"
_MARKDOWN_TABLE = str.maketrans({c: f"&#{ord(c)};" for c in _MARKDOWN_SPECIAL} | {"\n": " ", "\r": " ", "\t": " "})


def md(value: Any, max_chars: int | None = None) -> str:
    """``value`` as text that Markdown (and any HTML inside it) shows literally, on one line.

    Use for every data value interpolated into Markdown; not inside backtick code spans, where
    character references are not decoded. ``max_chars`` shortens first (see :func:`shorten`).
    """
    text = str(value) if max_chars is None else shorten(value, max_chars)
    return text.translate(_MARKDOWN_TABLE)


def html_text(value: Any, max_chars: int | None = None) -> str:
    """``value`` as HTML text (``&``, ``<``, ``>`` and quotes escaped), safe inside elements and
    quoted attributes. ``max_chars`` shortens first (see :func:`shorten`)."""
    text = str(value) if max_chars is None else shorten(value, max_chars)
    return html.escape(text, quote=True)


def shorten(value: Any, max_chars: int = MAX_LABEL_CHARS) -> str:
    """``value`` as text of at most ``max_chars`` characters: longer text keeps its start and ends
    with "…"; line breaks become spaces so a label stays on one line."""
    text = " ".join(str(value).split()) if any(c in str(value) for c in "\n\r\t") else str(value)
    return text if len(text) <= max_chars else text[: max(max_chars - 1, 0)] + "…"
