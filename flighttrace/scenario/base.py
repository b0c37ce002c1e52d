"""Value types and the base models of scenario files.

Ids, ICAO hex codes, time points and durations, with the messages a reporter
sees when a file gets them wrong; :class:`ScenarioError`; and
:class:`ClaimTest`, the base of every claim test. A scenario kind declares its
claim tests (subclasses of :class:`ClaimTest`) in its own ``spec`` module
(:mod:`flighttrace.kinds`); nothing here names them.

Conventions
-----------
- **Times.** A bare date (``2016-04-05``) means the whole UTC day. A date-time
  must carry a zone (``2022-09-14T20:00:00+04:00``). Window and event *ends*
  given as dates are inclusive in the file and become the next midnight UTC
  (exclusive) in every frame and window this package returns.
- **Durations** are strings with a unit: ``"90min"``, ``"12h"``, ``"2d"``,
  ``"1h30min"``, ``"1w"`` (units ``w``, ``d``, ``h``, ``min``, ``s``).
- **Hex codes** are six hex digits; quote them in YAML (``"600864"``).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Any, ClassVar, Final, Literal

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
)

from flighttrace.timeutil import to_utc

__all__ = [
    "ACCESS", "CONFIDENCE", "RECORD", "EVENT_KINDS", "Access", "Confidence", "Record", "EventKind",
    "Problem", "ScenarioError", "Id", "IdList", "Hex", "Duration", "TimePoint",
    "validate_id_list", "parse_duration", "format_duration", "ClaimTest",
]

ACCESS: Final = ("original", "syndication", "translation", "summary", "database")
CONFIDENCE: Final = ("confirmed", "second-hand", "uncertain", "estimate")
RECORD: Final = ("published", "second-hand", "unconfirmed", "disputed")
EVENT_KINDS: Final = ("war", "clash", "offensive", "blockade", "attack", "restriction", "other")

Access = Literal["original", "syndication", "translation", "summary", "database"]
Confidence = Literal["confirmed", "second-hand", "uncertain", "estimate"]
Record = Literal["published", "second-hand", "unconfirmed", "disputed"]
EventKind = Literal["war", "clash", "offensive", "blockade", "attack", "restriction", "other"]



# ---------------------------------------------------------------------------------------
# errors


Problem = tuple[str, str]
"""One problem of a scenario file: (``path.to.field``, what is wrong)."""


class ScenarioError(ValueError):
    """A scenario file is invalid; the message lists every problem, one per line.

    Attributes
    ----------
    problems
        ``(path, message)`` pairs, in file order.
    source
        The file (or name) that was read.
    """

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        n = len(self.problems)
        head = f"scenario {source}: {n} problem{'s' if n != 1 else ''}"
        lines = [f"  {path}: {msg}" if path else f"  {msg}" for path, msg in self.problems]
        super().__init__("\n".join([head, *lines]))


# ---------------------------------------------------------------------------------------
# value types: ids, hexes, times, durations

_ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DURATION_RE: Final = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|min|s)")
_DURATION_UNITS: Final = {"w": 7 * 86400.0, "d": 86400.0, "h": 3600.0, "min": 60.0, "s": 1.0}
_LANG_RE: Final = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")
_PARTIAL_DATE_RE: Final = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _check_id(value: str) -> str:
    if not _ID_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not an id (letters, digits, '.', '_', '-'; no spaces)")
    return value


Id = Annotated[str, AfterValidator(_check_id)]


def _as_tuple(value: Any) -> Any:
    """A single string where a list is expected becomes a one-item list."""
    if isinstance(value, str):
        return (value,)
    return value


IdList = Annotated[tuple[Id, ...], PlainValidator(lambda v: validate_id_list(v)), PlainSerializer(list)]


def validate_id_list(value: Any) -> tuple[str, ...]:
    value = _as_tuple(value)
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"expected an id or a list of ids, got {value!r}")
    out = []
    for v in value:
        if not isinstance(v, str):
            raise ValueError(f"expected an id, got {v!r}")
        out.append(_check_id(v))
    return tuple(out)


def _parse_hex(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML read an unquoted all-digit hex as an integer; only an exact 6-digit one is safe
        if len(str(value)) != 6:
            raise ValueError(f"{value!r} is not 6 hex digits; quote hex codes in YAML (\"{value}\")")
        value = str(value)
    if not isinstance(value, str) or not re.fullmatch(r"[0-9A-Fa-f]{6}", value.strip()):
        raise ValueError(f"{value!r} is not an ICAO address of 6 hex digits")
    return value.strip().lower()


Hex = Annotated[str, PlainValidator(_parse_hex)]


def parse_duration(value: Any) -> pd.Timedelta:
    """Parse a duration such as ``"90min"``, ``"12h"``, ``"2d"`` or ``"1h30min"``.

    Parameters
    ----------
    value
        A string of number–unit pairs (units ``w``, ``d``, ``h``, ``min``,
        ``s``), or a :class:`datetime.timedelta`.

    Returns
    -------
    pandas.Timedelta
        Non-negative.

    Raises
    ------
    ValueError
        For a bare number, an unknown unit, or a negative duration.
    """
    if isinstance(value, _dt.timedelta):
        td = pd.Timedelta(value)
    elif isinstance(value, str):
        text = value.strip()
        pos, seconds = 0, 0.0
        for m in _DURATION_RE.finditer(text):
            if text[pos : m.start()].strip():
                break
            seconds += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
            pos = m.end()
        if pos == 0 or text[pos:].strip():
            raise ValueError(f"{value!r} is not a duration; write e.g. '90min', '12h', '2d' or '1h30min'")
        td = pd.Timedelta(seconds=seconds)
    else:
        raise ValueError(f"{value!r} is not a duration; give a unit, e.g. '90min', '12h', '2d'")
    if td < pd.Timedelta(0):
        raise ValueError(f"duration {value!r} is negative")
    return td


def format_duration(td: pd.Timedelta) -> str:
    """Write a duration in the file's notation (``"2d"``, ``"12h"``, ``"90min"``, ``"45s"``)."""
    s = td.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if s and s % size == 0:
            return f"{int(s // size)}{unit}"
    return f"{s:g}s"


Duration = Annotated[pd.Timedelta, PlainValidator(parse_duration), PlainSerializer(format_duration)]


def _parse_time(value: Any) -> _dt.date:
    """A bare date, or a zone-aware datetime."""
    if isinstance(value, _dt.datetime):
        dt = value
    elif isinstance(value, _dt.date):
        return value
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return _dt.date.fromisoformat(text)
            except ValueError as exc:
                raise ValueError(f"{value!r} is not a valid date ({exc})") from None
        try:
            dt = _dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD) or a date-time with a zone") from None
    else:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD) or a date-time with a zone")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{_fmt_time(dt)} has no time zone; add one (e.g. 'Z' or '+04:00')")
    return dt


def _fmt_time(value: _dt.date) -> str:
    return value.isoformat()


TimePoint = Annotated[_dt.date, PlainValidator(_parse_time), PlainSerializer(_fmt_time)]
"""A date (the whole UTC day) or a zone-aware datetime (a datetime is a date subclass)."""


def _start_utc(value: _dt.date) -> pd.Timestamp:
    """UTC instant where a time point starts (midnight UTC for a date)."""
    return to_utc(value)


def _end_utc(value: _dt.date) -> pd.Timestamp:
    """Exclusive UTC end of a time point used as an end (next midnight for a date)."""
    if isinstance(value, _dt.datetime):
        return to_utc(value)
    return to_utc(value) + pd.Timedelta(days=1)


def _check_end(end: _dt.date | None, info: ValidationInfo, *, start_field: str = "start") -> _dt.date | None:
    start = info.data.get(start_field)
    if end is None or start is None:
        return end
    s, e = _start_utc(start), _end_utc(end)
    if e < s or (e == s and isinstance(end, _dt.datetime)):
        word = "is before" if e < s else "is not after"
        raise ValueError(f"{_fmt_time(end)} {word} start {_fmt_time(start)}")
    return end


def _check_tz(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; give an IANA zone such as 'Asia/Baku' or 'UTC'") from None
    return value


class _Model(BaseModel):
    """Base of the scenario models: immutable, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, arbitrary_types_allowed=True)




class ClaimTest(_Model):
    """Base of the claim tests; each subclass fixes ``kind`` to one literal.

    A scenario kind lists its tests in its ``spec`` module (``TESTS``); a
    test names the fields that hold airport codes or groups
    (``airport_fields``) and event ids (``event_fields``; the value ``"all"``
    names none) so that the loader can check them, and the subject units it
    counts (``units``; empty for the units that no test reserves).
    """

    kind: str
    airport_fields: ClassVar[tuple[str, ...]] = ()
    event_fields: ClassVar[tuple[str, ...]] = ()
    units: ClassVar[tuple[str, ...]] = ()

    def describe(self) -> str:
        """A short phrase for reports."""
        return self.kind


