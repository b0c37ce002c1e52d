"""Time helpers: everything is timezone-aware UTC, with nanosecond resolution."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.schema import TIME_DTYPE

__all__ = ["to_utc", "time_ns", "from_ns"]


def to_utc(value: Any, *, tz: str | None = None) -> pd.Timestamp:
    """Turn a string, epoch seconds, date or datetime into a UTC timestamp.

    Parameters
    ----------
    value
        ``"2023-09-01"``, ``"2023-09-01T06:00Z"``, ``1693548000`` (s),
        a :class:`datetime.date`, a :class:`datetime.datetime` or a
        :class:`pandas.Timestamp`.
    tz
        Zone of a naive value. Without it a naive value is an error, so that
        no time is silently shifted.

    Returns
    -------
    pandas.Timestamp
        Timezone-aware, UTC, ns resolution.

    Raises
    ------
    ValueError
        For a naive value without ``tz``, or an unparseable string.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return pd.Timestamp(float(value), unit="s", tz="UTC").as_unit("ns")
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        ts = pd.Timestamp(value)
        return (ts.tz_localize(tz) if tz else ts.tz_localize("UTC")).tz_convert("UTC").as_unit("ns")
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        if isinstance(value, str) and len(value.strip()) <= 10:
            # a bare date means the UTC day unless a zone is given
            return (ts.tz_localize(tz) if tz else ts.tz_localize("UTC")).tz_convert("UTC").as_unit("ns")
        if tz is None:
            raise ValueError(f"time {value!r} has no time zone; give one (e.g. 'Z' or '+03:00') or pass tz=")
        ts = ts.tz_localize(tz)
    return ts.tz_convert("UTC").as_unit("ns")


def time_ns(s: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Nanoseconds since the epoch of a UTC time column, as int64 (no copy when possible)."""
    arr = s.array if isinstance(s, pd.Series) else s._data  # type: ignore[union-attr]
    if str(getattr(arr, "unit", "ns")) != "ns":
        arr = arr.as_unit("ns")
    return np.asarray(arr.asi8)


def from_ns(values: np.ndarray) -> pd.DatetimeIndex:
    """int64 ns since the epoch → UTC DatetimeIndex with the canonical dtype."""
    return pd.DatetimeIndex(np.asarray(values, dtype=np.int64).view("datetime64[ns]")).tz_localize("UTC").astype(TIME_DTYPE)
