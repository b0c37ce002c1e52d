"""A coverage table's days as arrays, for the many windows one evaluation asks about.

A claim's evaluation looks at the same daily coverage table through a window
per claim and per change of the robustness panel (about a hundred windows for
twenty claims). :class:`DayTable` reads the table once (its day numbers,
``covered`` and ``reason`` columns, each day's local midnight) and answers
:meth:`DayTable.summary` and :meth:`DayTable.bounds` with the same values as
:func:`flighttrace.claims.coverage.window_summary` and
:func:`flighttrace.claims.coverage.window_day_bounds`, which convert the table
and the window's days anew on every call. An evaluation keeps one in its
context; nothing is kept between evaluations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from flighttrace.claims.coverage import OUTSIDE, _runs_text, day_numbers, day_starts, table_days

__all__ = ["DayTable", "day_table", "local_day"]

_NS_PER_DAY = 86_400 * 10**9


def local_day(t: Any, tz: str) -> int:
    """The calendar day of one instant in zone ``tz``, as days since 1970-01-01: ``day_numbers([t], tz)[0]``.

    Parameters
    ----------
    t
        A timezone-aware instant (a naive one is refused as by
        :func:`~flighttrace.claims.coverage.day_numbers`).
    tz
        IANA zone.

    Returns
    -------
    int
    """
    ts = pd.Timestamp(t)
    if ts is pd.NaT or ts.tz is None:
        return int(day_numbers([t], tz)[0])
    return int(ts.tz_convert(tz).tz_localize(None).value // _NS_PER_DAY)


class DayTable:
    """A coverage table's days, read once: see the module notes.

    Parameters
    ----------
    cov
        The coverage table (:func:`flighttrace.claims.coverage.coverage`).
    """

    def __init__(self, cov: pd.DataFrame) -> None:
        self.tz: str = cov["tz"].iloc[0] if len(cov) else "UTC"
        self.n = len(cov)
        self.tdays = table_days(cov)[0] if self.n else np.zeros(0, dtype=np.int64)
        self.covered = cov["covered"].to_numpy(dtype=bool) if self.n else np.zeros(0, dtype=bool)
        self.reason = cov["reason"].to_numpy(dtype=object) if self.n else np.zeros(0, dtype=object)
        self._contiguous = bool(self.n and (np.diff(self.tdays) == 1).all())
        self._midnights: np.ndarray | None = None

    def _starts(self, d0: int, d1: int) -> np.ndarray:
        """Local midnights (int64 UTC ns) of days ``d0 … d1 + 1``, from the table's own where it spans them."""
        if self._contiguous and self.tdays[0] <= d0 and d1 + 1 <= self.tdays[-1] + 1:
            if self._midnights is None:  # each day's start and the day after the last one's
                self._midnights = day_starts(np.arange(self.tdays[0], self.tdays[-1] + 2, dtype=np.int64), self.tz).asi8
            k = d0 - int(self.tdays[0])
            return self._midnights[k:k + d1 - d0 + 2]
        return day_starts(np.arange(d0, d1 + 2, dtype=np.int64), self.tz).asi8

    def window(self, start: pd.Timestamp, end: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The days ``[start, end)`` touches (``end > start``): day numbers, local midnights (int64 ns; one more: the
        next day's), share of each day inside, covered, reason."""
        d0, d1 = local_day(start, self.tz), local_day(end - pd.Timedelta(1, "ns"), self.tz)
        days = np.arange(d0, d1 + 1, dtype=np.int64)
        mid = self._starts(d0, d1)
        b0, b1 = mid[:-1], mid[1:]
        s, e = pd.Timestamp(start).value, pd.Timestamp(end).value
        frac = (np.minimum(b1, e) - np.maximum(b0, s)).clip(0) / (b1 - b0)
        covered = np.zeros(len(days), dtype=bool)
        reason = np.full(len(days), OUTSIDE, dtype=object)
        if self.n:
            pos = np.minimum(np.searchsorted(self.tdays, days), self.n - 1)
            found = self.tdays[pos] == days
            covered[found] = self.covered[pos[found]]
            reason[found] = self.reason[pos[found]]
        return days, mid, frac, covered, reason

    def summary(self, start: pd.Timestamp, end: pd.Timestamp, *, max_runs: int = 6) -> tuple[float, float, str]:
        """:func:`~flighttrace.claims.coverage.window_summary` of the table: the window's days, uncovered days and their text."""
        if not end > start:
            return 0.0, 0.0, ""
        days, _, frac, covered, reason = self.window(start, end)
        un = ~covered
        return float(frac.sum()), float((frac * un).sum()), _runs_text(days[un], reason[un].astype(str), max_runs, frac[un])

    def bounds(self, start: pd.Timestamp, end: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`~flighttrace.claims.coverage.window_day_bounds` of the table: each day's first instant, the next day's, covered."""
        if not end > start:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        _, mid, _, covered, _ = self.window(start, end)
        return mid[:-1].copy(), mid[1:].copy(), covered


def day_table(ctx: Any) -> DayTable:
    """The evaluation's :class:`DayTable` of its coverage table (made once, kept in ``ctx.cache``)."""
    if "day-table" not in ctx.cache:
        ctx.cache["day-table"] = DayTable(ctx.cov)
    return ctx.cache["day-table"]
