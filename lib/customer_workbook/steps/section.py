"""What one section of a notebook shows, returned by one library call.

A notebook section asks a question and answers it with tables, figures, a few sentences and findings.
The step modules build that answer in one function that returns a :class:`Section`; the notebook cell
only calls it and shows it, so it reads as narrative and every computation stays in the library:

>>> section = behaviour.who_the_customers_are(ds)      # computes, builds the sentences
>>> section.show(findings)                             # records its findings, displays its parts
>>> rfm = section["scores"]                            # results that later cells or exercises use

Inside a step function, a :class:`Draft` collects the parts in display order:

>>> draft = Draft()
>>> n = draft.add("n_customers", 20_000, "Customers in the data", headline=True)
>>> draft.show(fig)
>>> draft.say(f"The data holds **{n:,} customers**.")
>>> return draft.done(scores=scores)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..findings import Findings

__all__ = ["Draft", "Finding", "Section", "Skip", "counted"]


@dataclass(frozen=True)
class Finding:
    """One named finding: ``value`` for machines, ``label`` (and ``unit``) for people."""

    key: str
    value: Any
    label: str
    headline: bool = False
    unit: str = ""


@dataclass(frozen=True)
class Skip:
    """A section (or part of one) that could not run: what it needs and, optionally, why (Markdown)."""

    section: str
    missing: tuple[str, ...]
    reason: str = ""


@dataclass(frozen=True, repr=False)
class Section:
    """The answer of one notebook section.

    ``parts`` are shown in order: a ``str`` is Markdown written by the library (values from data already
    escaped), a :class:`Skip` becomes the standard "skipped" note, anything else (a figure, a styled
    table) is displayed as it is. ``findings`` are recorded when the section is shown; ``results`` are
    the objects that later sections or exercises need, read with ``section["name"]``.
    """

    parts: tuple[Any, ...] = ()
    findings: tuple[Finding, ...] = ()
    results: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.results[name]

    def __repr__(self) -> str:
        # Never the parts or results themselves: a notebook cell that ends with a Section shows this line in
        # a report, and results can hold customer ids.
        names = ", ".join(self.results) or "none"
        return f"<Section: {len(self.parts)} parts, {len(self.findings)} findings, results: {names}>"

    def value(self, key: str) -> Any:
        """The value of the finding ``key`` (``KeyError`` if the section did not record it)."""
        for finding in self.findings:
            if finding.key == key:
                return finding.value
        raise KeyError(key)

    def record(self, findings: Findings) -> Section:
        """Add this section's findings and skips to ``findings``; return the section."""
        for f in self.findings:
            findings.add(f.key, f.value, f.label, headline=f.headline, unit=f.unit)
        for part in self.parts:
            if isinstance(part, Skip):
                findings.skip(part.section, list(part.missing), part.reason)
        return self

    def show(self, findings: Findings | None = None) -> Section:
        """Record the findings (when ``findings`` is given) and display every part; return the section."""
        from IPython.display import Markdown, display

        if findings is not None:
            self.record(findings)
        for part in self.parts:
            if isinstance(part, Skip):
                display(Markdown(skip_note(part)))
            elif isinstance(part, str):
                display(Markdown(part))
            else:
                display(part)
        return self


def skip_note(skip: Skip) -> str:
    """The Markdown note shown for a skipped section (the same text :meth:`Findings.skip` returns)."""
    return Findings("", "").skip(skip.section, list(skip.missing), skip.reason).data


class Draft:
    """Collects a section's parts, findings and results while a step function computes them."""

    def __init__(self) -> None:
        self._parts: list[Any] = []
        self._findings: dict[str, Finding] = {}

    def add(self, key: str, value: Any, label: str, headline: bool = False, unit: str = "") -> Any:
        """Record a finding (a later ``add`` of the same key replaces it); return ``value``."""
        self._findings[key] = Finding(key, value, label, headline, unit)
        return value

    def show(self, *parts: Any) -> None:
        """Append figures or styled tables to the parts, in display order."""
        self._parts.extend(parts)

    def say(self, markdown: str) -> None:
        """Append Markdown text. Escape every value from data in it (:func:`customer_workbook.escaping.md`)."""
        self._parts.append(markdown)

    def skip(self, section: str, missing: list[str] | tuple[str, ...], reason: str = "") -> None:
        """Append the note that ``section`` needs the missing tables or columns ``missing``."""
        self._parts.append(Skip(section, tuple(missing), reason))

    def done(self, **results: Any) -> Section:
        """The finished, immutable :class:`Section`, keeping ``results`` for later cells."""
        return Section(tuple(self._parts), tuple(self._findings.values()), MappingProxyType(dict(results)))


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number, thousands separated: "1 customer", "1,204 customers"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
