"""Claims → verdicts: every claim of a scenario tested against the legs, the kind's tables and the coverage.

:func:`evaluate` returns :class:`Findings`: a verdict for every claim
(``supported``, ``contradicted`` or ``inconclusive``) with its reason and its
evidence. :mod:`flighttrace.claims.coverage` says which days the data could
see. The rules are written out in ``docs/verdicts.md``.
"""

from __future__ import annotations

from flighttrace.claims.engine import VERDICTS, Findings, VerdictRules, evaluate

__all__ = ["VERDICTS", "Findings", "VerdictRules", "evaluate"]
