"""The sample company: a seeded, fictional multi-channel retailer with planted, documented truths.

*Northwind Home & Garden* sells garden, home and DIY products through stores, a web shop and
(from March 2024) a mobile app, across five regions. :func:`generate_sample` simulates three
years of its customers: acquisition through five paid channels, purchases, returns, surveys,
engagement, a randomised retention campaign and a list of leads. Every effect the workbook's
notebooks should find is planted on purpose and written down in ``truth`` (saved as
``truth.json``) and in per-customer hidden labels (``customer_truth``, saved as
``truth_customers.parquet``). ``data/sample/README.md`` describes them in prose.

The simulation is vectorised over customers; it loops only over weeks, categories and a few
products. The same ``n_customers`` and ``seed`` always give identical tables.

**The null company** (``generate_sample(..., planted_effects=False)``, ``--null``) is the same retailer
with every planted effect switched off: no dated changes (no market events), no reason, satisfaction
or churn drivers, no campaign effect or uplift groups, equal acquisition channels, no cross-sell pairs
or Bass launches, and a stationary base (weekly orders vary only with the monthly seasonality). The
analyses should find nothing on it beyond their false-alarm rates. Its ``truth.json`` has
``planted_effects: false`` and empty effect sections (``null_truth``); ``effects`` lists the switches.
The default (``True``) is bit for bit the shipped sample, whose ``truth.json`` has no
``planted_effects`` key (absent means true).

Layout (in the order :func:`generate_sample` uses them; each part draws from its own random stream):

- ``constants``: the planted parameters (personas, rates, matrices, dates) and ``TRUTH_SCHEMA``
- ``effects``: which effects are planted (``PLANTED`` or ``NULL``) and the null company's steady state
- ``window``: day numbers of the planted dates and the weeks of the window
- ``products``: the catalogue and the planted cross-sell pairs; ``marketing``: spend and new customers
- ``customers``: signups, personas, demographics, fake names; ``traits``: the hidden per-customer traits
- ``simulation``: the weekly order simulation (``campaigns`` sends the campaign in its week)
- ``transactions``, ``surveys``, ``market``, ``engagement``, ``campaigns``, ``prospects``: one table each
- ``acquisition`` and ``truth``: ``truth.json``, one function per section, and the customer truth;
  ``null_truth``: the null company's ``truth.json`` (``NULL_TRUTH_SCHEMA``)
- ``company``: :func:`generate_sample` and :class:`SampleCompany`; ``writing``; ``cli`` (``main``)

Command line::

    python -m customer_workbook.sample --customers 20000 --seed 42 --out data/sample
    python -m customer_workbook.sample --customers 5000 --seed 1 --null --out data/generated/null
"""
from __future__ import annotations

from ..contract import REASONS
from .cli import main
from .company import SampleCompany, generate_sample, write_sample
from .constants import ACQ_CHANNELS, COMPANY_NAME, N_PAIRS, PROSPECT_GROUPS, TRUTH_SCHEMA, UPLIFT_GROUPS
from .null_truth import NULL_TRUTH_SCHEMA

__all__ = ["SampleCompany", "generate_sample", "write_sample", "main", "COMPANY_NAME", "TRUTH_SCHEMA",
           "NULL_TRUTH_SCHEMA",
           "ACQ_CHANNELS", "N_PAIRS", "PROSPECT_GROUPS", "REASONS", "UPLIFT_GROUPS"]  # used by tests


