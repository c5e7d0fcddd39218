"""Pseudonymous customer ids: reports that list customers never show who they are.

Reports are shared with directors and partners; customer ids are often e-mail addresses, loyalty card
numbers or CRM keys, which are personal data. Where a report lists individual customers (the most
valuable customers, a customer card, examples), it shows a *pseudonym* instead:

    C-<first 10 hex digits of HMAC-SHA256(key, customer id)>

The pseudonym is stable (the same customer has the same pseudonym in every report and run of the
project, so people can talk about "C-3f9a1c2b7e" across reports), but cannot be reversed or recomputed
without the project's secret key. The key lives outside ``reports/`` in ``.workbook/pseudonym.key`` at the
project root (created on first use with :mod:`secrets`, file mode 0600, ignored by git). Whoever holds the
key and the customer list can look a pseudonym up (:func:`lookup_table`); nobody else can.

Per-customer outputs that keep real ids because the CRM needs them (each customer's segment, persona and
tier from notebook 01) go to :func:`private_folder`, ``reports/<run>/private/``, which no report or index
links; share the run folder without it.

A run that must show real ids (an internal hand-over to the CRM team) sets the notebook parameter
``show_customer_ids = True``; :func:`pseudonymise` then returns the ids unchanged.

>>> key = b"0" * 32
>>> pseudonymise(pd.Series(["anna@example.com", "bert@example.com", "anna@example.com"]), key=key).tolist()
['C-65db4c4199', 'C-34fe6e83c1', 'C-65db4c4199']
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from .paths import resolve_path

__all__ = ["KEY_PATH", "PREFIX", "DIGITS", "project_key", "pseudonym", "pseudonymise", "lookup_table",
           "private_folder"]

#: Where the project's pseudonym key is kept, relative to the project root (never under ``reports/``).
KEY_PATH = Path(".workbook") / "pseudonym.key"
#: Start of every pseudonym, so a reader sees it is not a real id.
PREFIX = "C-"
#: Hex digits kept from the HMAC (40 bits): among the few dozen customers a report lists a shared
#: pseudonym is practically impossible; across a whole base of a million customers about 0.5 pairs share one.
DIGITS = 10
_KEY_BYTES = 32


def project_key(path: str | Path | None = None) -> bytes:
    """The secret key of the project, created on first use (``.workbook/pseudonym.key``, mode 0600).

    Creation is atomic: two notebooks of a batch that start together agree on one key.
    """
    path = resolve_path(path or KEY_PATH)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(_KEY_BYTES) + "\n")
            try:
                os.link(tmp, path)  # fails if another process created the key first: theirs wins
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links: last writer wins, before anything is hashed
                if not path.exists():
                    os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 2 * 16:
        raise ValueError(f"{path}: the pseudonym key is too short or empty; delete the file to create a new one "
                         "(pseudonyms in earlier reports will then differ)")
    return bytes.fromhex(text)


def pseudonym(customer_id, key: bytes | None = None) -> str:
    """The pseudonym of one customer id (see the module docstring)."""
    key = project_key() if key is None else key
    digest = hmac.new(key, str(customer_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:DIGITS]


def pseudonymise(ids, show_ids: bool = False, key: bytes | None = None):
    """Pseudonyms for a column of customer ids (Series, Index, categorical or list), or the ids as text
    when ``show_ids``. Missing ids stay missing.

    Each distinct id is hashed once (``pd.factorize``), so a categorical column of millions of rows costs
    one HMAC per distinct customer shown. Returns the same kind of object as given (Series keeps its
    index and name; Index its name; anything else becomes a list).
    """
    if isinstance(ids, (pd.Series, pd.Index)):
        values = ids
    else:
        values = pd.Series(list(ids), dtype="object")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if show_ids:
        names = [str(u) for u in uniques]
    else:
        key = project_key() if key is None else key
        names = [pseudonym(u, key) for u in uniques]
    mapped = np.array(names + [None], dtype=object)[codes]  # code -1 (missing) picks the trailing None
    if isinstance(ids, pd.Series):
        return pd.Series(mapped, index=ids.index, name=ids.name, dtype="object")
    if isinstance(ids, pd.Index):
        return pd.Index(mapped, name=ids.name, dtype="object")
    return mapped.tolist()


def lookup_table(ids, key: bytes | None = None) -> pd.DataFrame:
    """``customer_id`` and ``pseudonym`` of each distinct id: the key holder's way back from a pseudonym.

    Keep it out of shared folders (it is personal data), like the per-customer files in ``private/``.
    """
    unique = pd.Series(pd.unique(pd.Series(list(ids) if not isinstance(ids, (pd.Series, pd.Index)) else ids).dropna()))
    return pd.DataFrame({"customer_id": unique.astype(str).to_numpy(),
                         "pseudonym": pseudonymise(unique, key=key).to_numpy()})


def private_folder(findings_path: str | Path) -> Path:
    """The folder for a run's per-customer outputs: ``private/`` beside the run's findings JSON
    (``reports/<run>/private/``; interactive runs ``reports/interactive/private/``). Not created here."""
    return resolve_path(findings_path).parent / "private"
