"""customer_workbook: the library behind the customer-management workbook.

Modules follow the five steps of the methodology:

- ``contract``, ``data``: what users bring and how it is loaded and validated.
- ``sample``: the seeded sample company with planted, documented truths.
- ``behaviour`` (step 1), ``changes`` (step 2), ``strategy`` (step 3), ``plan`` (step 4),
  ``components`` (step 5): the analyses of each step.
- ``clv``: customer lifetime value models shared by steps 3-5.
- ``segments``: groups of customers shared by the steps; ``segments.personas`` is the one persona engine
  (steps 1, 3, 4 and 5 all call ``segments.find_personas``).
- ``plots``, ``widgets``: figures and interactive explorers.
- ``findings``, ``batch``: machine-readable findings and the batch report runner.
"""
__version__ = "0.1.0"
