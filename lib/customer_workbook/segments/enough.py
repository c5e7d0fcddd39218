"""Too few customers: the one typed answer of an analysis that the data are too small for.

An analysis that needs a minimum number of customers (personas, models, cohorts ...) checks it with
:func:`too_few` before it computes. When the data fall short it gets a :class:`TooFew`, which says in a
strategist's words what was counted, how many the data have, how many the analysis needs and, when one
exists, which parameter would help; :meth:`TooFew.note` is the "Not shown" note a report shows instead of
the section, and :meth:`TooFew.after` the note of a later section that needed the skipped one.

>>> few = too_few(8, 10, "customers with 2 or more orders")
>>> few.note("personas")
'> **Not shown: personas** because the data have too few customers with 2 or more orders (8; at least 10 needed). More ...'
>>> few.after("NPS by persona", "the personas")
'> **Not shown: NPS by persona** because it needs the personas, not shown either: the data have too few customers ...'
"""
from __future__ import annotations

from dataclasses import dataclass

from ..stats.classifiers import MIN_CLASS, class_counts

__all__ = ["LONGER_WINDOW", "MIN_CUSTOMERS", "MORE_CUSTOMERS", "TooFew", "too_few", "too_few_of_each"]

#: Fewest customers a share or a rank correlation over customers is read on: with fewer, the 95% interval of a
#: share (about +-0.98 / sqrt(n) at its widest) is wider than +-18 percentage points, and a rank correlation's
#: standard error (about 1 / sqrt(n - 1)) is above 0.19. The same 30 as the campaign arms and the NPS.
MIN_CUSTOMERS = 30

#: What helps when only more customers would: the parameters that narrow the data a notebook reads.
MORE_CUSTOMERS = ("More customers would help: a longer period (`start_date`, `end_date`) or, when the run covers one "
                  "region, the whole business (`business_unit`).")
#: What helps a model of an event in a label window (churn, pays again): more customers of each outcome.
LONGER_WINDOW = "A longer history or a longer `window_days` gives more of both."


@dataclass(frozen=True)
class TooFew:
    """The data hold fewer units than an analysis needs.

    Attributes
    ----------
    what : str
        What was counted, plural, as a strategist reads it ("customers with 2 or more orders").
    have, need : int
        How many the data have; the documented minimum of the analysis (``have < need``).
    helps : str
        The parameter that would help, as a Markdown sentence (default :data:`MORE_CUSTOMERS`).
    """

    what: str
    have: int
    need: int
    helps: str = MORE_CUSTOMERS

    @property
    def reason(self) -> str:
        """"the data have too few customers with 2 or more orders (8; at least 10 needed)" (no trailing stop;
        worded so that it reads right for any count, 1 included)."""
        return f"the data have too few {self.what} ({self.have:,}; at least {self.need:,} needed)"

    @property
    def sentence(self) -> str:
        """The reason and the help as sentences, for a note that names the section itself."""
        return f"{self.reason[0].upper()}{self.reason[1:]}. {self.helps}".rstrip()

    def note(self, section: str) -> str:
        """The "Not shown" note of ``section`` (Markdown; ``section`` is text the code wrote)."""
        return f"> **Not shown: {section}** because {self.reason}. {self.helps}".rstrip()

    def after(self, section: str, skipped: str) -> str:
        """The note of a later ``section`` that needs the result of the ``skipped`` one."""
        return f"> **Not shown: {section}** because it needs {skipped}, not shown either: {self.reason}."


def too_few(have: int, need: int, what: str, helps: str = MORE_CUSTOMERS) -> TooFew | None:
    """``TooFew`` when ``have < need``, else ``None`` (``if few := too_few(...): ...``)."""
    return TooFew(what, int(have), int(need), helps) if have < need else None


def too_few_of_each(*labels, need: int = MIN_CLASS, helps: str = LONGER_WINDOW) -> TooFew | None:
    """``TooFew`` when a 0/1 label of ``labels`` (training, test ...) has fewer than ``need`` customers with the
    event or without it (:data:`customer_workbook.stats.MIN_CLASS` by default: a model learns and is judged on
    both outcomes); ``have`` is the smallest of those counts."""
    have = min(min(class_counts(y)) for y in labels)
    return too_few(have, need, "customers on the rarer side (with or without the event) of the training or test "
                   "period", helps)
