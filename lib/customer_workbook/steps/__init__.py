"""The notebooks' sections: one module per notebook, one function per section.

Each function takes the loaded data (and the notebook's parameters), calls the concept packages
(``base``, ``segments``, ``clv``, ``retention`` ...) and returns a :class:`Section`: the tables, figures,
sentences and findings that the section shows. Nothing is computed here that a concept package should
own; these modules only choose what to show and word it from the numbers.
"""
from .section import Draft, Finding, Section, Skip

__all__ = ["Draft", "Finding", "Section", "Skip"]
