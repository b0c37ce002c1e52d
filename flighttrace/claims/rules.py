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
        scenario-wide statistics (a Timedelta, ``"30d"`` or days). Default
        ``None``: the scenario's, i.e. those of its rate-ratio claims
        (:func:`flighttrace.claims.prereg.scenario_lead_lag`); any other
        value is reported as a deviation from the pre-registered windows.
    seed
        Seed of every random draw: the permutation tests' samples (when the
        shifts are too many to enumerate) and the bootstrap of intervals.
    min_cell_days
        Monthly blocks of the negative-binomial rate ratio with fewer covered
        days than this join the next block of the same side (days).
    min_blocks
        Fewest blocks with which the dispersion is estimated; with fewer, the
        exact Poisson interval alone is used.
    multiplicity
        Correction of the p-values for the number of tests run:
        ``"holm"`` (Holm–Bonferroni, the default) or ``"fdr_bh"``
        (Benjamini–Hochberg), as :func:`statsmodels.stats.multitest.multipletests` names them.
    n_boot
        Bootstrap resamples of the mean interval (seeded with ``seed``).
    season_years
        The same-season permutation null compares each event with the same
        calendar dates in the years at most this many years away.
    season_min_covered
        A candidate year's window counts only when at least this share of
        its days is covered (0–1).
    robustness
        Re-run every verdict with its windows and bands moved (the
        robustness panel).
    robust_days, robust_share
        Window edges move by ``min(robust_days, robust_share × window
        length)`` (days, share).
    band_share
        Band edges move by this share of their value (at least 1 for counts).
    lead_lag_alternatives
        The other ``(lead, lag)`` windows a rate-ratio claim is re-run with.
    detect_threshold
        A verdict is drawn from what was *not* seen ("contradicted" for a
        shortfall, "supported" for an upper bound, a field "open") only when
        the claim's detection probability ``p_detect`` is at least this
        (0–1) and its fleet was heard in or around the window
        (:mod:`flighttrace.claims.detection`). Default 0.95.
    visibility
        Thresholds of the gates and of the fleet's visibility: a
        :class:`flighttrace.claims.visibility.VisibilityParams`; ``None`` for
        its defaults.
    min_stays
        A median or mean ground time is judged only on at least this many
        exact stays (stays); fewer leave it inconclusive. Default 3.
    min_intervals
        A mean interval is judged only on at least this many intervals
        between consecutive events inside detectable stretches (intervals).
        Default 5.
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
    detect_threshold: float = 0.95
    visibility: Any = None
    min_stays: int = 3
    min_intervals: int = 5
    lead: Any = None
    lag: Any = None
    seed: int = 0
    min_cell_days: float = 3.0
    min_blocks: int = 5
    multiplicity: str = "holm"
    n_boot: int = 2000
    season_years: int = 2
    season_min_covered: float = 0.5
    robustness: bool = True
    robust_days: float = 2.0
    robust_share: float = 0.25
    band_share: float = 0.10
    lead_lag_alternatives: tuple[tuple[str, str], ...] = (("0d", "0d"), ("15d", "7d"), ("30d", "15d"), ("60d", "30d"))

    def disruption_params(self) -> Any:
        """The thresholds of the disruption measures (:class:`flighttrace.kinds.disruption.analysis.DisruptionParams`)."""
        from flighttrace.kinds.disruption.analysis import DisruptionParams

        return self.disruption if self.disruption is not None else DisruptionParams()

    def visibility_params(self) -> Any:
        """The thresholds of the gates and the fleet's visibility (:class:`flighttrace.claims.visibility.VisibilityParams`)."""
        from flighttrace.claims.visibility import VisibilityParams

        return self.visibility if self.visibility is not None else VisibilityParams()

