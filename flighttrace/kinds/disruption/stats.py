"""The disruption kind's tests as rows of the statistics table, so that they are listed and corrected with every other.

Two tests decide a disruption verdict (``docs/verdicts.md`` §2):

- **baseline excess** (``holding_at_least`` / ``diversions_at_least``): a count
  that reaches the claim's figure supports it only when it also stands out from
  the same hours of the baseline weeks: ``p = P(X ≥ s)`` for a Poisson count
  ``X`` with the baseline weeks' mean;
- **closure** (per field): a run without movements where the baseline expected
  ``μ`` movements is a closure when ``μ ≥ max(closure_min_expected, ln(N / closure_alpha))``,
  N the field's baseline movements per day, i.e. when an ordinary day of N
  Poisson movements would show a run that empty with probability ``p = min(1, N·e^(−μ))``
  at most ``closure_alpha``.

:func:`excess_row` and :func:`closure_row` give their rows of
:data:`flighttrace.claims.findings.STATISTICS_COLUMNS`;
:func:`flighttrace.claims.multiplicity.adjust` corrects them with the other
tests and :func:`flighttrace.claims.multiplicity.enforce` keeps a verdict only
when every test it relies on survives the correction.
"""

from __future__ import annotations

import math
from typing import Any, Final

from flighttrace.numfmt import fmt_n

__all__ = ["EXCESS_TEST", "CLOSURE_TEST", "closure_p", "excess_row", "closure_row"]

EXCESS_TEST: Final = "baseline_excess"
"""Name of the baseline-excess test in the statistics table."""

CLOSURE_TEST: Final = "closure"
"""Name of a field's closure test in the statistics table."""


def closure_p(expected: float, per_day: float) -> float:
    """The closure test's p-value: ``min(1, N·e^(−μ))``.

    Parameters
    ----------
    expected
        μ, the baseline's expected movements in the run without movements.
    per_day
        N, the field's baseline movements per day.

    Returns
    -------
    float
        The chance that an ordinary day of N Poisson movements shows a run
        holding μ expected movements (about N gaps, each that empty with
        probability e^(−μ)); 1 when N is 0 or unknown.
    """
    if not (per_day > 0 and math.isfinite(expected)):
        return 1.0
    return float(min(1.0, per_day * math.exp(-expected)))


def _row(test: str, claim_id: str, event_ids: str, observed: float, expected: float, p: float, note: str, **extra: float) -> dict[str, Any]:
    row: dict[str, Any] = {"test": test, "claim_id": claim_id, "event_ids": event_ids, "observed": float(observed),
                           "expected": float(expected), "baseline": math.nan, "ratio": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                           "p_value": float(p), "n_shifts": math.nan, "seed": math.nan, "n1": math.nan, "t1": math.nan,
                           "n0": math.nan, "t0": math.nan, "note": note}
    row.update(extra)
    return row


def excess_row(claim_id: str, airports: str, seen: int, mean: float, weeks: int, p: float, *, what: str) -> dict[str, Any]:
    """The baseline-excess test of a count claim.

    Parameters
    ----------
    claim_id
        The claim.
    airports
        The claim's fields (``event_ids`` of the row).
    seen
        s, the items counted with observed or inferred evidence.
    mean
        The baseline weeks' mean count in the same hours.
    weeks
        How many baseline weeks the mean is over (``n0`` of the row).
    p
        ``P(X ≥ s)`` for ``X ~ Poisson(mean)``.
    what
        The items, in words (``holdings``, ``diversions``).

    Returns
    -------
    dict
        A row of the statistics table (``observed`` s, ``expected`` and ``baseline`` the mean).
    """
    return _row(EXCESS_TEST, claim_id, airports, seen, mean, p,
                f"{what} seen (observed) against the mean of the same hours of {fmt_n(weeks, 'baseline week')} (expected); "
                f"p = P(X ≥ observed), X Poisson with that mean", baseline=float(mean), n0=float(weeks))


def closure_row(claim_id: str, airport: str, expected: float, per_day: float) -> dict[str, Any]:
    """A field's closure test: no movement in a run where the baseline expected ``expected``.

    Parameters
    ----------
    claim_id
        The claim.
    airport
        The field (``event_ids`` of the row).
    expected
        μ, the baseline's expected movements in the run.
    per_day
        N, the field's baseline movements per day (``baseline`` of the row).

    Returns
    -------
    dict
        A row of the statistics table (``observed`` 0 movements, ``p_value`` :func:`closure_p`).
    """
    return _row(CLOSURE_TEST, claim_id, airport, 0.0, expected, closure_p(expected, per_day),
                "no movement seen (observed) in a run where the baseline expected this many (expected); baseline: the field's "
                "movements per day N; p = min(1, N·exp(−expected)), the chance an ordinary day shows a run that empty",
                baseline=float(per_day))
