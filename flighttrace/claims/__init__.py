"""Claims → verdicts: every claim of a scenario tested against the legs, the kinds' tables and the coverage.

:func:`evaluate` returns :class:`Findings`: a verdict for every claim
(``supported``, ``contradicted`` or ``inconclusive``) with its reason and its
evidence, and what each scenario kind found.

:mod:`flighttrace.claims.engine`
    :func:`evaluate`: runs each claim's test (from its kind's ``JUDGES``);
:mod:`flighttrace.claims.context`
    what a kind's tests are written against: the :class:`~flighttrace.claims.context.Context`,
    the items a claim counts, the :class:`~flighttrace.claims.context.Outcome`;
:mod:`flighttrace.claims.counting`
    the count rules every kind shares;
:mod:`flighttrace.claims.coverage`
    which days of the report zone the inputs could see;
:mod:`flighttrace.claims.findings`
    :class:`Findings`;
:mod:`flighttrace.claims.rules`
    :class:`VerdictRules`, the thresholds;
:mod:`flighttrace.claims.uncertainty`
    intervals on a mean or a median of gaps, and the verdict they allow;
:mod:`flighttrace.claims.multiplicity`
    every test run, corrected for their number;
:mod:`flighttrace.claims.robustness`
    every verdict re-run with its windows, bands and stays moved;
:mod:`flighttrace.claims.prereg`
    the pre-registration stamp: the scenario's windows fixed before any data is seen.

The rules are written out in ``docs/verdicts.md``.
"""

from __future__ import annotations

from flighttrace.claims.engine import evaluate
from flighttrace.claims.findings import VERDICTS, Findings
from flighttrace.claims.rules import VerdictRules

__all__ = ["VERDICTS", "Findings", "VerdictRules", "evaluate"]
