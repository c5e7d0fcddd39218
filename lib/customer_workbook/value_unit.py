"""What the data's values measure: money, or purchases when the data have no revenue column.

Without an ``amount`` column the loader counts every order line as one purchase
(:attr:`customer_workbook.data.Dataset.value_unit` is ``"purchases"``). Value analyses that only count or rank
value (customer value, concentration, tiers) still run, in purchases; an analysis that sets value against a cost
in money (CLV/CAC, budgets, win-back or offer economics) does not, and says why with :func:`skip_money_comparison`.
This module is the one home of that choice: the unit, the noun the sentences use, axis labels, table headers.

>>> value_unit(ds)                      # "currency units" or "purchases"
>>> skip_money_comparison(draft, "CLV / CAC by channel", "the value of a new customer", "its acquisition cost")
"""
from __future__ import annotations

import re


__all__ = ["MONEY", "PURCHASES", "SPEND", "counts_purchases", "in_purchases", "money_comparison_note",
           "skip_money_comparison", "value_columns", "value_noun", "value_unit"]

#: The unit of value when the data have a revenue column (``transactions.amount`` in money).
MONEY = "currency units"
#: The unit of value when they do not: every order line is one purchase.
PURCHASES = "purchases"
#: The unit of money *spent* (marketing spend, costs given as parameters): money whatever the data's value unit.
#: Recorded as :data:`MONEY` when the data's values are money too, under this name when they are purchases.
SPEND = "currency units of spend"

_REVENUE = re.compile(r"\brevenue\b|(?<=_)revenue\b|\brevenue(?=_)")
_WORD = re.compile(r"\b([Rr])evenue\b(?! column)")


def value_unit(ds) -> str:
    """What ``transactions.amount`` of ``ds`` measures: :data:`MONEY`, or :data:`PURCHASES` when the data had no
    revenue column (the loader then counts one purchase per line). ``ds`` is a
    :class:`~customer_workbook.data.Dataset` or already a unit (a string); the functions below take either."""
    return ds if isinstance(ds, str) else getattr(ds, "value_unit", MONEY)


def counts_purchases(ds) -> bool:
    """True when the values of ``ds`` count purchases, not money (no revenue column)."""
    return value_unit(ds) != MONEY


def value_noun(ds) -> str:
    """What the value sentences talk about: ``"revenue"``, or ``"purchases"`` for data without revenue."""
    return "purchases" if counts_purchases(ds) else "revenue"


def in_purchases(text: str) -> str:
    """``text`` with revenue said as purchases ("Net revenue" -> "Net purchases", "Revenue share" -> "Purchases
    share"), except where it names the missing revenue column. For the labels of findings on data without
    revenue (:meth:`customer_workbook.findings.Findings.add`)."""
    return _WORD.sub(lambda m: "Purchases" if m.group(1) == "R" else "purchases", text)


def value_columns(frame, ds):
    """``frame`` (a DataFrame, or a dict such as the column formats of a styled table) with every column or key
    named after revenue (``revenue``, ``revenue_share``, ``revenue_at_stake`` ...) renamed after purchases when
    ``ds`` counts purchases; unchanged otherwise. For tables shown in reports."""
    if not counts_purchases(ds):
        return frame
    rename = lambda c: _REVENUE.sub("purchases", c) if isinstance(c, str) else c  # noqa: E731
    if isinstance(frame, dict):
        return {rename(k): v for k, v in frame.items()}
    return frame.rename(columns={c: rename(c) for c in frame.columns})


def money_comparison_note(value: str, cost: str) -> str:
    """Why a section that sets ``value`` (in purchases here) against ``cost`` (money) cannot run (Markdown,
    written by the code: pass no data value)."""
    return (f"It sets {value} against {cost}, and the data count value in purchases (no revenue column): a number "
            "of purchases cannot be compared with money. Add the order value as `amount` to the transactions to see it.")


def skip_money_comparison(draft, section: str, value: str, cost: str):
    """Append to ``draft`` (:class:`~customer_workbook.steps.section.Draft`) the one note of a section skipped
    because it compares value in purchases with money: it needs ``transactions.amount`` in money. Returns
    ``draft`` (``return skip_money_comparison(draft, ...).done()``)."""
    draft.skip(section, ["transactions.amount"], money_comparison_note(value, cost))
    return draft
