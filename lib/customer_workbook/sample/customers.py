"""Customers: fake personal data (names and e-mail addresses)."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["_fake_names"]


# Fake personal data (customers.full_name / email; never loaded by the workbook)
_FIRST_SYL = ["an", "be", "ca", "da", "el", "fi", "ga", "ha", "is", "jo", "ka", "li", "ma", "no", "ol",
              "pe", "ri", "sa", "ta", "vi", "wi", "ya", "zo", "mi"]
_LAST_SYL = ["berg", "ton", "son", "ley", "mar", "wood", "ford", "dale", "holm", "stein", "vik", "lund",
             "field", "brook", "ridge", "well", "worth", "by", "ham", "sen"]
_MID_SYL = ["ar", "el", "or", "an", "ul", "in", "er", "os"]


def _fake_names(rng, n):
    f1 = rng.integers(0, len(_FIRST_SYL), n); f2 = rng.integers(0, len(_FIRST_SYL), n)
    l1 = rng.integers(0, len(_MID_SYL), n); l2 = rng.integers(0, len(_LAST_SYL), n)
    first = pc.binary_join_element_wise(pa.array(_FIRST_SYL).take(pa.array(f1)),
                                        pa.array(_FIRST_SYL).take(pa.array(f2)), "")
    first = pc.utf8_capitalize(first)
    last = pc.utf8_capitalize(pc.binary_join_element_wise(
        pa.array(["b", "d", "h", "k", "l", "m", "n", "r", "s", "t"]).take(pa.array(rng.integers(0, 10, n))),
        pa.array(_MID_SYL).take(pa.array(l1)), pa.array(_LAST_SYL).take(pa.array(l2)), ""))
    full = pc.binary_join_element_wise(first, last, " ")
    num = pc.cast(pa.array(rng.integers(1, 100, n)), pa.string())
    dom = pa.array(["example.com", "example.org", "example.net"]).take(pa.array(rng.integers(0, 3, n)))
    email = pc.binary_join_element_wise(pc.utf8_lower(first), ".", pc.utf8_lower(last), num, "@", dom, "")
    return full, email
