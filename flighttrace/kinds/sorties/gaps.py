"""Intervals between events and the days' shares of windows, on int64 arrays.

The helpers behind :func:`flighttrace.kinds.sorties.stats.intervals` and
:func:`flighttrace.kinds.sorties.stats.interval_fractions`, for callers that
ask the same question of many windows (the robustness panel re-runs a claim's
test a dozen times): each takes times as int64 UTC nanoseconds and gives the
same values as the table-making functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from flighttrace.claims.coverage import day_numbers, day_starts, table_days
from flighttrace.schema import TIME_DTYPE
from flighttrace.timeutil import from_ns, time_ns

__all__ = ["day_fractions", "event_days", "interval_arrays", "interval_days", "interval_frame", "table_bounds"]


def table_bounds(cov: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each day of a (non-empty) coverage table as its first instant and the next day's (int64 UTC ns, the table's zone)."""
    tdays, tz = table_days(cov)
    return day_starts(tdays, tz).asi8, day_starts(tdays + 1, tz).asi8


def day_fractions(bounds: tuple[np.ndarray, np.ndarray], ms: np.ndarray, me: np.ndarray) -> np.ndarray:
    """:func:`interval_fractions` of merged intervals ``[ms, me)`` (int64 ns) over days given by :func:`table_bounds`."""
    b0, b1 = bounds
    overlap = (np.minimum(b1[:, None], me[None, :]) - np.maximum(b0[:, None], ms[None, :])).clip(0).sum(axis=1)
    return overlap / (b1 - b0)


def interval_frame(window: list[Any], a: np.ndarray, b: np.ndarray, covered: np.ndarray) -> pd.DataFrame:
    """The :func:`intervals` table of intervals given as arrays: each one's window, ``from`` and ``to`` (int64 ns), whether covered."""
    if len(a) == 0:
        return pd.DataFrame({"window": pd.Series([], dtype=object), "from": pd.Series([], dtype=TIME_DTYPE), "to": pd.Series([], dtype=TIME_DTYPE), "days": pd.Series([], dtype=float), "covered": pd.Series([], dtype=bool)})
    return pd.DataFrame({"window": window, "from": from_ns(a), "to": from_ns(b), "days": interval_days(a, b), "covered": covered})


_NAT = int(np.iinfo(np.int64).min)
"""``pandas.NaT`` as int64 nanoseconds."""


def event_days(times: Any, cov: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """Event times as sorted int64 UTC nanoseconds (missing ones dropped), and each one's day number in the coverage
    table's zone (None without a table): what :func:`interval_arrays` takes.

    Parameters
    ----------
    times
        UTC times of the events.
    cov
        Coverage table.

    Returns
    -------
    tuple of numpy.ndarray
        The times and their days (:func:`~flighttrace.claims.coverage.day_numbers`).
    """
    t = pd.Series(times) if not isinstance(times, pd.Series) else times
    ns = np.sort(time_ns(t.dropna().astype(TIME_DTYPE)), kind="stable")
    return ns, (day_numbers(from_ns(ns), cov["tz"].iloc[0]) if len(cov) else None)


def interval_arrays(t_ns: np.ndarray, days: np.ndarray | None, cov: pd.DataFrame, start: int, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The intervals of :func:`intervals` inside one window, as arrays.

    Parameters
    ----------
    t_ns, days
        :func:`event_days` of the events and the table.
    cov
        Coverage table.
    start, end
        The window (int64 UTC nanoseconds, end exclusive).

    Returns
    -------
    tuple of numpy.ndarray
        Each interval's ``from`` and ``to`` (int64 ns) and whether every day from the one to the other is covered;
        empty with fewer than two events in the window.
    """
    lo, hi = np.searchsorted(t_ns, start, side="left"), np.searchsorted(t_ns, end, side="left")
    if hi - lo < 2 or _NAT in (start, end):  # a window without a bound holds nothing
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    ok = np.zeros(hi - lo - 1, dtype=bool)
    if days is not None and len(cov):
        tdays = table_days(cov)[0]
        unc = np.concatenate([[0], np.cumsum(~cov["covered"].to_numpy(dtype=bool))])
        da, db = days[lo:hi - 1] - tdays[0], days[lo + 1:hi] - tdays[0]
        inside = (da >= 0) & (db < len(cov))
        ok[inside] = (unc[db[inside] + 1] - unc[da[inside]]) == 0
    return t_ns[lo:hi - 1], t_ns[lo + 1:hi], ok


def interval_days(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intervals from ``a`` to ``b`` (int64 ns) in days, as pandas computes ``(b − a).dt.total_seconds() / 86400``."""
    return (b - a) / 10**9 / 86400.0
