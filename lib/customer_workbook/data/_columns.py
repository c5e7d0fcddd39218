"""Type one raw column by its contract kind, and say which rows could not be read and why.

Rules (documented for users in the README, "Bring your own data"):

- **Missing** is an empty cell (or a null in Parquet/Excel) and nothing else.
- **Numbers** are plain: an optional sign, digits, at most one dot as decimal separator, an optional
  exponent (``-12``, ``1234.5``, ``1e3``). Currency signs, thousands separators, decimal commas,
  ``inf`` and ``NaN`` are refused with the rows named, never half-read. Whole-number columns refuse
  fractions.
- **Dates** must be unambiguous: ISO 8601 (``2024-03-31``, ``2024-03-31 14:05``, with or without a
  UTC offset), ``20240331``, ``2024/03/31`` or a month name (``31 Mar 2024``, ``March 31, 2024``). The
  day/month order of ``05/01/2024`` is never guessed: such columns need the ``date_format`` parameter.
  One column holds one format. Timestamps with UTC offsets are converted to UTC; a column mixing
  dates with and without an offset is refused. Dates before 1900 or after today are errors.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Flag", "convert_column"]

TRUE_WORDS = {"true", "t", "yes", "y", "1", "1.0"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "0.0"}
EARLIEST_DATE = pd.Timestamp("1900-01-01")
_PLAIN_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


@dataclass
class Flag:
    """Rows of one column that break a rule: a boolean mask, what is wrong and what was expected."""

    mask: np.ndarray
    issue: str
    expected: str


@dataclass
class Converted:
    """A typed column, the rows that broke a rule, and notes for the quality report."""

    values: pd.Series
    flags: list[Flag]
    notes: list[tuple[str, int, str]]


def _text(raw: pd.Series) -> pd.Series:
    """Raw values as text with missing values kept missing (numbers from Parquet without a '.0')."""
    if pd.api.types.is_string_dtype(raw) and raw.dtype != object:
        return raw
    if pd.api.types.is_float_dtype(raw):
        whole = raw.notna() & (raw == np.round(raw))
        text = raw.astype("str")
        if whole.any():
            text = text.where(~whole, raw.where(whole).astype("Int64").astype("str"))
        return text.where(raw.notna())
    return raw.astype("str").where(raw.notna())


def _matches(text: pd.Series, pattern: str) -> np.ndarray:
    """Which values match ``pattern`` in full (missing: False), as a boolean array; run by pyarrow,
    which is many times faster than Python's re on millions of values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(text, type=pa.string(), from_pandas=True)
    found = pc.match_substring_regex(array, f"^(?:{pattern})$")
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False).astype(bool)


def _blank(text: pd.Series) -> np.ndarray:
    return (text.isna() | (text.str.strip() == "")).to_numpy(dtype=bool)


def convert_column(raw: pd.Series, kind: str, date_format: str | None = None,
                   today: pd.Timestamp | None = None) -> Converted:
    """Type ``raw`` as contract ``kind`` (id, date, float, int, bool, category, text). Values that break a
    rule become missing in ``values`` and are flagged; missing values are left for the caller to judge."""
    if kind == "date":
        return _dates(raw, date_format, today or pd.Timestamp.today().normalize())
    if kind in ("float", "int"):
        return _numbers(raw, whole=kind == "int")
    if kind == "bool":
        return _booleans(raw)
    if kind == "text":
        return Converted(_text(raw), [], [])
    return _labels(raw, sort=kind == "category")


def _labels(raw: pd.Series, sort: bool) -> Converted:
    """An identifier or label column as a categorical of stripped text, blank cells missing.

    Categories are in order of appearance (identifiers) or sorted (labels). Identifiers repeat (a
    customer has many lines): hashing the text once here lets every later group-by, join and look-up
    work on integer codes, which is what keeps 20M-line data fast and small. Checks run on the
    distinct values only.
    """
    codes, uniques = pd.factorize(_text(raw))
    uniques = pd.Index(uniques, dtype="str")
    flags = []
    broken = uniques.str.contains("[\r\n]", regex=True)
    if broken.any():
        flags.append(Flag(np.isin(codes, np.flatnonzero(broken)), "line breaks inside values",
                          "one line per value (a quote in the file may be unbalanced)"))
    stripped = uniques.str.strip()
    text_codes, categories = pd.factorize(stripped.where(stripped != ""))  # " C1" and "C1" merge; blank: missing
    codes = np.append(text_codes, -1)[codes]  # a missing value (code -1) stays missing
    values = pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype="str"))
    if sort:
        values = values.reorder_categories(values.categories.sort_values())
    return Converted(pd.Series(values, index=raw.index, name=raw.name), flags, [])


# --------------------------------------------------------------------------- numbers


_NUMBER_RULE = ("a plain number such as 1234.5 or -12: a dot as decimal separator, no currency sign, no "
                "thousands separator, not inf or NaN (leave the cell empty when a value is unknown)")


def _numbers(raw: pd.Series, whole: bool) -> Converted:
    flags = []
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype("float64")
        infinite = np.isinf(values.to_numpy())
        if infinite.any():
            flags.append(Flag(infinite, "infinite values", _NUMBER_RULE))
            values = values.where(~infinite)
    else:
        text = _text(raw).str.strip()
        present = text.notna() & (text != "")
        plain = pd.Series(_matches(text, _PLAIN_NUMBER), index=text.index)
        unreadable = (present & ~plain).to_numpy(dtype=bool)
        if unreadable.any():
            flags.append(Flag(unreadable, "values that cannot be read as a number", _NUMBER_RULE))
        values = pd.to_numeric(text.where(plain), errors="coerce").astype("float64")
        huge = np.isinf(values.to_numpy())
        if huge.any():
            flags.append(Flag(huge, "numbers too large to represent", _NUMBER_RULE))
            values = values.where(~huge)
    if whole:
        array = values.to_numpy()
        fraction = ~np.isnan(array) & (array != np.round(array))
        if fraction.any():
            flags.append(Flag(fraction, "fractions in a whole-number column", "whole numbers such as 3"))
            values = values.where(~fraction)
        if values.notna().all():
            values = values.astype("int64")
    return Converted(values, flags, [])


def _booleans(raw: pd.Series) -> Converted:
    if pd.api.types.is_bool_dtype(raw):
        return Converted(raw.astype("boolean"), [], [])
    text = _text(raw)
    words = text.str.strip().str.lower()
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    out[words.isin(TRUE_WORDS).to_numpy(dtype=bool)] = True
    out[words.isin(FALSE_WORDS).to_numpy(dtype=bool)] = False
    unreadable = ~_blank(text) & out.isna().to_numpy()
    flags = [Flag(unreadable, "values that cannot be read as true/false", "true/false, yes/no or 1/0")] if unreadable.any() else []
    return Converted(out, flags, [])


# --------------------------------------------------------------------------- dates

# Unambiguous families of date text: (name, full-match pattern, strptime format or "ISO8601").
_DATE_FAMILIES = (
    ("ISO 8601 (2024-03-31)", r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?",
     "ISO8601"),
    ("20240331", r"\d{8}", "%Y%m%d"),
    ("2024/03/31", r"\d{4}/\d{2}/\d{2}", "%Y/%m/%d"),
    ("31 Mar 2024", r"\d{1,2} [A-Za-z]{3} \d{4}", "%d %b %Y"),
    ("31 March 2024", r"\d{1,2} [A-Za-z]{4,9} \d{4}", "%d %B %Y"),
    ("31-Mar-2024", r"\d{1,2}-[A-Za-z]{3}-\d{4}", "%d-%b-%Y"),
    ("Mar 31, 2024", r"[A-Za-z]{3} \d{1,2}, \d{4}", "%b %d, %Y"),
    ("March 31, 2024", r"[A-Za-z]{4,9} \d{1,2}, \d{4}", "%B %d, %Y"),
)
_DAY_MONTH = r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
_OFFSET = r".*(?:Z|[+-]\d{2}:?\d{2})"


def _dates(raw: pd.Series, date_format: str | None, today: pd.Timestamp) -> Converted:
    latest = today + pd.Timedelta(days=1)  # a day's grace for time zones ahead of the machine's
    if pd.api.types.is_datetime64_any_dtype(raw):
        values, notes = raw, []
        if getattr(values.dt, "tz", None) is not None:
            notes.append((f"timestamps with time zone {values.dt.tz} converted to UTC", int(values.notna().sum()),
                          "dates are compared in UTC"))
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return _date_range(values.astype("datetime64[us]"), [], notes, latest)
    text = _text(raw).str.strip()
    codes, uniques = pd.factorize(text.where(text != ""))
    uniques = pd.Series(uniques, dtype="str")
    parsed, problems, notes = _parse_unique_dates(uniques, date_format)
    flags = [Flag(np.isin(codes, np.flatnonzero(bad)), issue, expected) for bad, issue, expected in problems]
    notes = [(issue, int(np.isin(codes, np.flatnonzero(where)).sum()), handling) for issue, where, handling in notes]
    values = pd.Series(np.append(parsed.to_numpy(), np.datetime64("NaT", "us"))[codes], index=raw.index)
    return _date_range(values, flags, notes, latest)


def _date_range(values: pd.Series, flags: list[Flag], notes, latest: pd.Timestamp) -> Converted:
    array = values.to_numpy().astype("datetime64[us]")
    outside = ~np.isnat(array) & ((array < EARLIEST_DATE.to_datetime64()) | (array > latest.to_datetime64()))
    if outside.any():
        flags.append(Flag(outside, "dates outside the plausible range",
                          f"dates from {EARLIEST_DATE:%Y-%m-%d} up to today ({latest - pd.Timedelta(days=1):%Y-%m-%d})"))
        array = np.where(outside, np.datetime64("NaT", "us"), array)
    return Converted(pd.Series(array.astype("datetime64[ns]"), index=values.index, name=values.name), flags, notes)


def _parse_unique_dates(uniques: pd.Series, date_format: str | None):
    """Parse the distinct date texts of one column. Returns (parsed datetime64[us] series aligned with
    ``uniques``, [(bad mask over uniques, issue, expected)], quality notes)."""
    parsed = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[us]")
    problems, notes = [], []
    if uniques.empty:
        return parsed, problems, notes
    if date_format:
        out = pd.to_datetime(uniques, format=date_format, errors="coerce")
        bad = out.isna().to_numpy()
        if bad.any():
            problems.append((bad, f"dates that do not match date_format {date_format!r}",
                             f"every date written as {date_format!r}"))
        return out.astype("datetime64[us]"), problems, notes
    family = np.full(len(uniques), -1)
    for number, (_, pattern, _) in enumerate(_DATE_FAMILIES):
        todo = np.flatnonzero(family < 0)
        if not len(todo):
            break
        family[todo[_matches(uniques.iloc[todo], pattern)]] = number
    family = pd.Series(family, index=uniques.index)
    ambiguous = np.zeros(len(uniques), dtype=bool)
    todo = np.flatnonzero(family < 0)
    if len(todo):
        parts = uniques.iloc[todo].str.extract(f"^{_DAY_MONTH}$")
        impossible = (pd.to_numeric(parts[0]) > 12) & (pd.to_numeric(parts[1]) > 12)  # 31/31/2024: no date at all
        ambiguous[todo] = (parts[0].notna() & ~impossible).to_numpy(dtype=bool)
    if ambiguous.any():
        problems.append((ambiguous, "dates whose day/month order cannot be known (05/01/2024 could be 5 January "
                         "or 1 May)", _day_month_hint(uniques[ambiguous])))
    unknown = ((family < 0).to_numpy() & ~ambiguous)
    if unknown.any():
        problems.append((unknown, "values that cannot be read as a date",
                         "a date such as 2024-03-31 or 2024-03-31 14:05 (or set date_format)"))
    counts = family[family >= 0].value_counts()
    if len(counts) > 1:
        main = int(counts.index[0])
        other = ((family >= 0) & (family != main)).to_numpy()
        problems.append((other, "dates in more than one format", f"one date format per column; most rows are "
                         f"written like {_DATE_FAMILIES[main][0]}"))
    for number in counts.index:
        rows = (family == number).to_numpy()
        _, _, fmt = _DATE_FAMILIES[int(number)]
        if fmt == "ISO8601":
            out, tz_problem, tz_note = _iso_dates(uniques[rows])
            if tz_problem is not None:
                mask = np.zeros(len(uniques), dtype=bool)
                mask[np.flatnonzero(rows)[tz_problem]] = True
                problems.append((mask, "dates with a time zone mixed with dates without one",
                                 "every date with a UTC offset, or none"))
            notes += [(issue, np.isin(uniques.index, where), handling) for issue, where, handling in tz_note]
        else:
            out = pd.to_datetime(uniques[rows], format=fmt, errors="coerce")
        bad = np.zeros(len(uniques), dtype=bool)
        bad[np.flatnonzero(rows)[out.isna().to_numpy()]] = True
        bad &= ~np.logical_or.reduce([p[0] for p in problems]) if problems else True
        if bad.any():
            problems.append((bad, "values that cannot be read as a date (no such day)",
                             "real calendar dates such as 2024-02-29"))
        parsed[rows] = out.astype("datetime64[us]").to_numpy()
    return parsed, problems, notes


def _iso_dates(texts: pd.Series):
    """ISO 8601 texts to naive datetimes, those with a UTC offset converted to UTC.

    Returns (values, positions of the minority when offsets and no offsets are mixed, or None, notes)."""
    aware = _matches(texts, _OFFSET)
    out = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us]")
    notes = []
    if aware.any():
        utc = pd.to_datetime(texts[aware], format="ISO8601", errors="coerce", utc=True)
        out[aware] = utc.dt.tz_localize(None).astype("datetime64[us]").to_numpy()
        offsets = set(texts[aware].str.extract(r"(Z|[+-]\d{2}:?\d{2})$")[0].str.replace(":", "")
                      .replace({"Z": "+0000", "-0000": "+0000"}))
        if offsets != {"+0000"}:
            notes.append((f"dates with UTC offsets ({', '.join(sorted(offsets)[:4])}) converted to UTC",
                          texts.index[aware], "dates are compared in UTC"))
    if not aware.all():
        out[~aware] = pd.to_datetime(texts[~aware], format="ISO8601", errors="coerce").astype("datetime64[us]").to_numpy()
    mixed = None
    if aware.any() and not aware.all():
        mixed = np.flatnonzero(aware if aware.sum() <= (~aware).sum() else ~aware)
    return out, mixed, notes


def _day_month_hint(examples: pd.Series) -> str:
    parts = examples.str.extract(_DAY_MONTH)
    first, second = pd.to_numeric(parts[0]), pd.to_numeric(parts[1])
    sep = examples.str.extract(r"\d{1,2}([/.-])")[0].iloc[0]
    day_first, month_first = f"%d{sep}%m{sep}%Y", f"%m{sep}%d{sep}%Y"
    hint = f"the date_format parameter: {day_first!r} (day first) or {month_first!r} (month first)"
    if (first > 12).any() and not (second > 12).any():
        hint += f"; values such as {examples[first > 12].iloc[0]!r} put the day first"
    elif (second > 12).any() and not (first > 12).any():
        hint += f"; values such as {examples[second > 12].iloc[0]!r} put the month first"
    if parts[2].str.len().eq(2).any():
        hint += " (use %y for two-digit years)"
    return hint
