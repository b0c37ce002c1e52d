"""Time helpers: everything is timezone-aware UTC, with nanosecond resolution."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["check_zone", "from_ns", "time_ns", "to_utc"]


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
    arr = s.array
    if str(getattr(arr, "unit", "ns")) != "ns":
        arr = arr.as_unit("ns")
    return np.asarray(arr.asi8)  # type: ignore[union-attr]  # DatetimeArray.asi8 (the int64 view, no copy) is missing from pandas-stubs


def from_ns(values: np.ndarray) -> pd.DatetimeIndex:
    """int64 ns since the epoch → UTC DatetimeIndex with the canonical dtype."""
    return pd.DatetimeIndex(np.asarray(values, dtype=np.int64).view("datetime64[ns]"), tz="UTC")


_POSIX_RULE = re.compile(r"([A-Za-z]{3,})([+-]?)(\d{1,2})")
"""A POSIX TZ rule without daylight saving (``EST5``, ``UTC-3``): a name, then hours *west* of UTC."""


def check_zone(name: str | None, option: str = "--tz") -> str | None:
    """``name`` when it is an IANA time zone (``Asia/Baku``, ``UTC``), ``None`` for ``None``; else a clear ``ValueError``.

    Only names the IANA database holds are taken (checked with
    :mod:`zoneinfo`). A POSIX TZ rule such as ``EST5`` is refused rather
    than guessed at: as POSIX reads it, ``EST5`` is five hours *behind* UTC
    all year, ``Etc/GMT+5`` in IANA's names, but a reader who wrote it may
    have meant New York's clock, with its summer time. The message says both.

    Parameters
    ----------
    name
        The zone as given.
    option
        The option or argument it came from, named in the message.

    Raises
    ------
    ValueError
        One line naming the option, the value and what to give instead.
    """
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    else:
        return name
    m = _POSIX_RULE.fullmatch(name.strip())
    if m is not None:
        hours = int(m.group(3))
        behind = m.group(2) != "-"  # POSIX offsets count hours west of UTC
        etc = f"Etc/GMT{'+' if behind else '-'}{hours}"
        raise ValueError(
            f"{option}: unknown time zone {name!r}: it is a POSIX TZ rule, not an IANA name; read as POSIX it means UTC{'−' if behind else '+'}{hours} "
            f"all year, which IANA names {etc} (its Etc names invert the sign); give that, or the place's zone "
            "(e.g. America/New_York) to follow its summer time")
    import difflib
    from zoneinfo import available_timezones

    zones = sorted(available_timezones())
    close = [z for z in zones if z.lower() == name.lower()] or difflib.get_close_matches(name, zones, n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ValueError(f"{option}: unknown time zone {name!r}{hint}; give an IANA name such as Asia/Baku, Europe/Moscow or UTC")
