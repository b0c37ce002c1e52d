"""One way to write a time or a duration, for every page, map popup, claim text and table.

Times are written in UTC, ``2023-09-03 10:27 UTC``, with the clock of a
second zone in brackets when one is asked for: ``2023-09-03 10:27 UTC
(13:27 Asia/Baku)``. A naive time is taken as UTC (every table of
flighttrace holds UTC times). A missing value is an em dash.

Durations are written in words at a precision that fits their size, and
rounded once, at that precision, before they are split into units, so that
a carry is never lost (7,170 s is ``2 h 0 min``, never ``1 h 60 min``):

=======================  ==============================  =================
duration                 rounded to                      written
=======================  ==============================  =================
under 59.5 s             the second                      ``40 s``
under 59 min 30 s        the minute                      ``25 min``
under 23 h 59 min 30 s   the minute                      ``2 h 5 min``
longer                   the hour                        ``3 d 4 h``
=======================  ==============================  =================

Halves round up (away from zero), not to the even neighbour: 90 s is
``2 min``, 150 s is ``3 min``. A negative duration is written with a minus
sign before the words of its size.

Parsing times stays in :mod:`flighttrace.timeutil`.
"""

from __future__ import annotations

import math
import time
from typing import Any, Final

import pandas as pd

__all__ = [
    "MISSING",
    "fmt_date",
    "fmt_day_hm",
    "fmt_duration",
    "fmt_hm",
    "fmt_time",
    "fmt_time_column",
    "is_missing",
]

MISSING: Final = "\u2014"
"""What a missing time or duration is written as (an em dash)."""

_NS_PER_S: Final = 1_000_000_000
_S_PER_MIN: Final = 60
_S_PER_H: Final = 3600
_MIN_PER_DAY: Final = 24 * 60


def is_missing(value: Any) -> bool:
    """Whether a value is missing: ``None``, NaN, NaT, ``pd.NA`` or a blank string."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _utc(value: Any) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def fmt_time(value: Any, tz: str | None = None, *, seconds: bool = False, missing: str = MISSING) -> str:
    """A time as ``2023-09-03 10:27 UTC``, plus ``(13:27 Asia/Baku)`` when ``tz`` is another zone.

    Parameters
    ----------
    value
        A timestamp, a string pandas can read, or a missing value.
    tz
        IANA zone whose clock time is added in brackets; none for ``None`` or ``"UTC"``.
    seconds
        Write the seconds too (``10:27:53``), for map popups of single positions.
    missing
        What a missing value is written as.

    Examples
    --------
    >>> fmt_time("2023-09-03T10:27:53Z", "Asia/Baku")
    '2023-09-03 10:27 UTC (14:27 Asia/Baku)'
    >>> fmt_time(None)
    '—'
    """
    if is_missing(value):
        return missing
    clock = "%H:%M:%S" if seconds else "%H:%M"
    if isinstance(value, pd.Timestamp) and not tz:  # its UTC instant in ns, formatted by the C library (map popups)
        text = time.strftime(f"%Y-%m-%d {clock} UTC", time.gmtime(value.value // _NS_PER_S))
    else:
        ts = _utc(value)
        text = ts.strftime(f"%Y-%m-%d {clock} UTC")
        if tz and tz != "UTC":
            text += f" ({ts.tz_convert(tz).strftime(clock)} {tz})"
    return text


def fmt_time_column(col: pd.Series, tz: str | None = None, *, seconds: bool = False) -> list[str]:
    """:func:`fmt_time` of every value of a column, as a whole column when it holds zoned times."""
    if not isinstance(col.dtype, pd.DatetimeTZDtype):
        return [fmt_time(v, tz, seconds=seconds) for v in col.tolist()]
    clock = "%H:%M:%S" if seconds else "%H:%M"
    text = col.dt.tz_convert("UTC").dt.strftime(f"%Y-%m-%d {clock} UTC")
    if tz and tz != "UTC":
        text = text + " (" + col.dt.tz_convert(tz).dt.strftime(clock) + f" {tz})"
    return [t if ok else MISSING for t, ok in zip(text.tolist(), col.notna().tolist(), strict=True)]


def fmt_date(value: Any, *, missing: str = MISSING) -> str:
    """The UTC day of a time, ``2023-09-03``."""
    return missing if is_missing(value) else _utc(value).strftime("%Y-%m-%d")


def fmt_hm(value: Any, *, missing: str = "?") -> str:
    """The UTC clock time of a time, ``10:27`` (for spans on one day: ``10:27–11:05 UTC``)."""
    return missing if is_missing(value) else _utc(value).strftime("%H:%M")


def fmt_day_hm(value: Any, *, missing: str = "?") -> str:
    """The UTC day and clock time of a time, ``2023-09-03 10:27``."""
    return missing if is_missing(value) else _utc(value).strftime("%Y-%m-%d %H:%M")


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def fmt_duration(seconds: Any, *, missing: str = MISSING) -> str:
    """A duration in words, rounded once at the precision its size calls for (see the module's table).

    Parameters
    ----------
    seconds
        The duration, s (a number, a :class:`pandas.Timedelta` or a missing value).
    missing
        What a missing or non-finite duration is written as.

    Examples
    --------
    >>> fmt_duration(7170)
    '2 h 0 min'
    >>> fmt_duration(40), fmt_duration(90), fmt_duration(3 * 86400 + 4 * 3600)
    ('40 s', '2 min', '3 d 4 h')
    """
    if is_missing(seconds):
        return missing
    s = seconds.total_seconds() if isinstance(seconds, pd.Timedelta) else float(seconds)
    if not math.isfinite(s):
        return missing
    if s < 0:
        return "-" + fmt_duration(-s, missing=missing)
    if _round_half_up(s) < _S_PER_MIN:
        return f"{_round_half_up(s)} s"
    m = _round_half_up(s / _S_PER_MIN)
    if m < 60:
        return f"{m} min"
    if m < _MIN_PER_DAY:
        return f"{m // 60} h {m % 60} min"
    h = _round_half_up(s / _S_PER_H)
    return f"{h // 24} d {h % 24} h"
