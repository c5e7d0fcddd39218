"""The data a user brings: loaded, typed and validated against the contract (:mod:`customer_workbook.contract`).

- :mod:`.load`: :func:`load_dataset` (a folder of files, or one file per table, with a column map and
  date formats), :class:`Dataset` (the validated tables and their quality report), :func:`filter_dataset`.
- private modules: ``_reading`` (files to raw text columns, every line accounted for), ``_columns``
  (one column's values to its contract type) and ``_problems`` (what is wrong, where, with file lines).

>>> from customer_workbook import data
>>> ds = data.load_dataset("data/sample")
"""
from . import load
from .load import *  # noqa: F403

__all__ = list(load.__all__)
