"""A permutation null that keeps season and trend: each event against the same dates of nearby years.

The circular-shift test (:func:`flighttrace.kinds.sorties.stats.permutation_before_start`)
moves every event start to any other day, so its null keeps the order of the
days (their autocorrelation) but mixes seasons and years: if every war falls
in September and flights rise every September, or flights grow year on year
and the wars come late, the test finds a link that is only the calendar.

:func:`permutation_same_season` compares each event's ``N`` days before its
start with the *same calendar dates* (the same month and day) in the years at
most ``years`` away. Under the null, the event could have fallen in any of
those years: each event's year is drawn independently and uniformly from its
candidate years (its own included). Season is kept exactly (the same dates),
and trend is kept locally (only nearby years are compared). The statistic is
the sum over the events of the sorties in their windows, each scaled to ``N``
days from its covered days (``N × sorties / covered days``), so a window
partly without data is not counted as quiet. A candidate window counts only
when at least ``min_covered`` of its days are covered; an event whose own
window does not is left out.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.claims.coverage import day_numbers, table_days
from flighttrace.kinds.sorties.stats import daily_counts

__all__ = ["SeasonalPermutationResult", "permutation_same_season"]

_EPOCH = _dt.date(1970, 1, 1)


@dataclass(frozen=True)
class SeasonalPermutationResult:
    """The same-season permutation test.

    Attributes
    ----------
    observed
        The statistic at the true dates.
    expected
        Its mean under the null (the sum of each event's mean over its candidate years).
    p_value
        Share of draws whose statistic is at least the observed one.
    n_draws
        Draws evaluated (every combination of years when ``exhaustive``).
    exhaustive
        Whether every combination was evaluated.
    seed
        Seed of the random draws (recorded even when exhaustive).
    event_ids
        The events used.
    candidates
        Per event used: ``((year, value), …)``, the value of each candidate
        year's window (the event's own year among them).
    before_days
        N.
    """

    observed: float
    expected: float
    p_value: float
    n_draws: int
    exhaustive: bool
    seed: int
    event_ids: tuple[str, ...]
    candidates: tuple[tuple[tuple[int, float], ...], ...]
    before_days: int

    def text(self) -> str:
        """Every event's candidate years and their values, for checking by hand."""
        parts = []
        for eid, cands in zip(self.event_ids, self.candidates, strict=True):
            parts.append(f"{eid}: " + ", ".join(f"{y} {v:.1f}" for y, v in cands))
        return "; ".join(parts)


def _same_date(day: int, years: int) -> int | None:
    """The day number of the same month and day ``years`` later (29 Feb → 28 Feb); None before 1 AD or after 9999."""
    d = _EPOCH + _dt.timedelta(days=int(day))
    y = d.year + years
    if not 1 <= y <= 9999:
        return None
    try:
        moved = d.replace(year=y)
    except ValueError:  # 29 February in a common year
        moved = d.replace(year=y, day=28)
    return (moved - _EPOCH).days


def permutation_same_season(
    cov: pd.DataFrame,
    times: Any,
    event_starts: Any,
    *,
    event_ids: Sequence[str] | None = None,
    before_days: int = 30,
    years: int = 2,
    min_covered: float = 0.5,
    seed: int = 0,
    max_exhaustive: int = 2_000_000,
    n_random: int = 10_000,
) -> SeasonalPermutationResult:
    """Are sorties more frequent in the N days before the event starts than on the same dates of nearby years?

    Parameters
    ----------
    cov
        Coverage table (its zone sets the calendar).
    times
        UTC times of the sorties.
    event_starts
        UTC start of each event.
    event_ids
        Their ids.
    before_days
        N: the calendar days before each start (the start's own day excluded).
    years
        Candidate years: the event's own and those at most this many years away.
    min_covered
        Share of a window's days that must be covered for it to count (0–1).
    seed
        Seed of the random draws (used when the combinations are too many).
    max_exhaustive
        Evaluate every combination of candidate years when there are at most
        this many; otherwise ``n_random`` random draws plus the observed one.
    n_random
        Random draws.

    Returns
    -------
    SeasonalPermutationResult
    """
    starts = pd.DatetimeIndex(pd.to_datetime(pd.Series(event_starts), utc=True))
    ids = tuple(event_ids) if event_ids is not None else tuple(str(i) for i in range(len(starts)))
    nan = math.nan
    n = int(before_days)
    if len(cov) == 0 or n < 1 or len(starts) == 0:
        return SeasonalPermutationResult(nan, nan, nan, 0, False, int(seed), (), (), n)
    counts = daily_counts(cov, times)
    tdays, tz = table_days(cov)
    cum_c = np.concatenate([[0.0], np.cumsum(np.nan_to_num(counts))])
    cum_d = np.concatenate([[0], np.cumsum(~np.isnan(counts))])

    def value(day0: int) -> float:
        """N × sorties per covered day in [day0 − N, day0), or NaN when too little of it is covered."""
        a, b = day0 - n - tdays[0], day0 - tdays[0]
        if a < 0 or b > len(tdays):
            return nan
        covered = int(cum_d[b] - cum_d[a])
        return nan if covered < min_covered * n or covered == 0 else n * float(cum_c[b] - cum_c[a]) / covered

    used, cands_all, vals, own_vals = [], [], [], []
    for eid, d0 in zip(ids, day_numbers(starts, tz), strict=True):  # one pass per event (a handful)
        own = value(int(d0))
        if math.isnan(own):
            continue
        year0 = (_EPOCH + _dt.timedelta(days=int(d0))).year
        cands = []
        for k in range(-int(years), int(years) + 1):  # 2·years + 1 candidates
            dk = _same_date(int(d0), k)
            v = value(dk) if dk is not None else nan
            if not math.isnan(v):
                cands.append((year0 + k, v))
        used.append(eid)
        own_vals.append(own)
        cands_all.append(tuple(cands))
        vals.append(np.array([v for _, v in cands]))
    if not used:
        return SeasonalPermutationResult(nan, nan, nan, 0, False, int(seed), (), (), n)
    observed = float(sum(own_vals))
    expected = float(sum(v.mean() for v in vals))
    total = math.prod(len(v) for v in vals)
    exhaustive = total <= max_exhaustive
    if exhaustive:
        sums = np.zeros(1)
        for choices in vals:  # one convolution step per event
            sums = (sums[:, None] + choices[None, :]).ravel()
        p = float(np.mean(sums >= observed - 1e-9))
        draws = int(total)
    else:
        rng = np.random.default_rng(seed)
        pick = np.column_stack([v[rng.integers(0, len(v), size=int(n_random))] for v in vals]).sum(axis=1)
        p = float((1 + (pick >= observed - 1e-9).sum()) / (1 + int(n_random)))
        draws = int(n_random) + 1
    return SeasonalPermutationResult(observed, expected, p, draws, bool(exhaustive), int(seed), tuple(used), tuple(cands_all), n)
