"""The thresholds of the verdicts and of the statistics behind them, each with its unit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["VerdictRules"]


@dataclass(frozen=True)
class VerdictRules:
    """Thresholds of the analysis, each with its unit.

    Parameters
    ----------
    conf
        Confidence level of the rate-ratio intervals (0–1). Default 0.95.
    max_per_uncovered_day
        A hard cap on how many events an uncovered day could hold (events/day)
        when judging whether uncovered days "could hold the rest" of a count.
        Default ``inf`` (no cap; the plausibility rule below decides).
    uncovered_alpha
        The uncovered days of a window could hold ``m`` more events only if a
        Poisson process at the window's covered rate (its upper
        ``1 - uncovered_alpha`` confidence bound) gives ``m`` or more with
        probability at least ``uncovered_alpha``. Used only when at least half
        the window is covered; otherwise any shortfall stays inconclusive.
        Default 0.001.
    before_days
        N of the permutation test: covered days before each event start.
    study_days
        Days listed before and after each event start in the event study.
    conflict_kinds
        Event kinds that count as conflict starts in the scenario-wide
        statistics.
    rolling_days
        Lengths (days) of the trailing rolling rates.
    max_exhaustive
        Evaluate every circular shift when (covered days × events) is at most
        this many cells; otherwise a random sample.
    n_random_shifts
        Size of that random sample (shifts).
    lead, lag
        Widening of the event windows of the timeline tables and of the
        scenario-wide rate ratio (a Timedelta, ``"30d"`` or days); default 0.
    seed
        Seed of the permutation test's random sample (used only when the
        shifts are too many to enumerate).
    disruption
        Thresholds of the disruption measures (closures, diversions,
        holding, go-arounds): a :class:`flighttrace.kinds.disruption.analysis.DisruptionParams`;
        ``None`` for its defaults.
    """

    conf: float = 0.95
    max_per_uncovered_day: float = math.inf
    uncovered_alpha: float = 0.001
    before_days: int = 30
    study_days: int = 30
    conflict_kinds: tuple[str, ...] = ("war", "clash", "offensive")
    rolling_days: tuple[int, ...] = (7, 30)
    max_exhaustive: int = 10_000_000
    n_random_shifts: int = 10_000
    disruption: Any = None
    lead: Any = None
    lag: Any = None
    seed: int = 0

    def disruption_params(self) -> Any:
        """The thresholds of the disruption measures (:class:`flighttrace.kinds.disruption.analysis.DisruptionParams`)."""
        from flighttrace.kinds.disruption.analysis import DisruptionParams

        return self.disruption if self.disruption is not None else DisruptionParams()

