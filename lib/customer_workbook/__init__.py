"""customer_workbook: the library behind the customer-management workbook.

The library is organised by the concepts of customer management; each idea has one home.

- What users bring: ``contract`` (the nine tables and their columns), ``data`` (load, type and validate
  them; the quality report).
- Derived once per run: ``base`` (the calendar, the order table, the per-customer table and its feature
  glossary, weekly volumes; ``base.derived(ds)`` builds them once for every analysis).
- Shared statistics: ``stats`` (intervals, Holm and Benjamini-Hochberg, two-proportion uplift, sample size).
- Customers and their value: ``segments`` (RFM, cohorts, the one persona engine, persona profiles and the
  4C-to-4P table, the lifecycle), ``clv`` (the customer-base models and the one value scorer),
  ``reasons`` (why customers choose us: survey drivers, the behaviour that shows a reason, adoption),
  ``advocacy`` (the engagement pyramid, NPS, recognition).
- The method's decisions: ``changes`` (step 2: what changed, when, for whom), ``acquisition`` (step 3: unit
  economics, spend response, the budget), ``retention`` (churn, win-back, uplift, the randomised campaign),
  ``offers`` (recommendations, the product hierarchy, prospects), ``planning`` (demand, the pilot, go to
  market, the action plan).
- The notebooks: ``steps`` (one module per notebook, one function per section, each returning a
  ``steps.Section``), ``plots`` (figures by concept and the report table style), ``widgets``, ``findings``.
- Runs and reports: ``batch`` (many parameter sets, HTML reports and an index), ``workshop`` (student
  copies and the facilitator guide), ``escaping`` and ``privacy`` (what may reach a report), ``paths``,
  ``threads``, ``arrays`` (fast group operations on integer codes).
- ``sample``: the seeded sample company with planted, documented truths.
"""
__version__ = "0.1.0"

__all__ = ["__version__"]
