"""Scenario files: the model of a claim.

A scenario file (YAML, in ``seeds/``) says who flew (``fleet``), between which
fields (``airports``), against which timeline (``events``), along which route
pattern (``routes``), and what exactly was published (``claims``), each fact
with the id of a source listed under ``meta.sources``.

:func:`load_scenario` reads a file and returns an immutable :class:`Scenario`.
A file with problems raises :class:`ScenarioError`, whose message lists every
problem at once, one per line, as ``path.to.field: what is wrong`` — schema
errors and cross-reference errors (unknown source, event, selector, route,
group or airport) together.

Conventions
-----------
- **Times.** A bare date (``2016-04-05``) means the whole UTC day. A date-time
  must carry a zone (``2022-09-14T20:00:00+04:00``). Window and event *ends*
  given as dates are inclusive in the file and become the next midnight UTC
  (exclusive) in every frame and window this module returns.
- **Durations** are strings with a unit: ``"90min"``, ``"12h"``, ``"2d"``,
  ``"1h30min"``, ``"1w"`` (units ``w``, ``d``, ``h``, ``min``, ``s``).
- **Hex codes** are six hex digits; quote them in YAML (``"600864"``).
- **Fleet matching.** An aircraft matches a selector when its hex or its
  registration is listed by the selector (a listed registration also matches
  the hex that ``fleet.aircraft`` gives it, and a listed hex the
  registration), OR when it satisfies *every other* criterion the selector
  gives: ICAO address block, callsign prefix, type code. A selector with none
  of these other criteria matches only what it lists. A column missing from
  the frame means the criterion is unknown, hence not satisfied.

Claim tests are a union discriminated by ``kind``. Each kind is its own small
model; new kinds (issue 9: closure, diversions, holding) are added by writing
a subclass of :class:`ClaimTest` and appending it to :data:`TEST_KINDS`. Old
files never name the new kinds, so they keep loading unchanged; a file that
names a kind this version does not know gets a message listing the known
ones.

Two kinds of scenario exist (``meta.kind``): ``sorties`` (the default: a
fleet flying a route pattern, tested with counts, ground times, intervals and
rate ratios) and ``disruption`` (airports closed, aircraft diverted or held:
tested with ``closure``, ``diversions_at_least`` and ``holding_at_least`` on
the subject units ``movements``, ``diversions`` and ``holdings``; see
:mod:`flighttrace.disruption`). A disruption scenario needs no route.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Final, Literal, Union

import numpy as np
import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from flighttrace.airports import AirportIndex
from flighttrace.fleet import (
    hex_to_int,
    in_blocks,
    normalise_callsigns,
    normalise_registration,
    normalise_registrations,
    parse_block,
)
from flighttrace.timeutil import to_utc

__all__ = [
    "ScenarioError",
    "Problem",
    "load_scenario",
    "parse_scenario",
    "parse_duration",
    "format_duration",
    "Source",
    "Meta",
    "Aircraft",
    "Selector",
    "Fleet",
    "CustomSite",
    "Airports",
    "Event",
    "Route",
    "Window",
    "Subject",
    "ClaimTest",
    "CountAtLeast",
    "CountAtMost",
    "CountBetween",
    "GroundTime",
    "DestinationsWithin",
    "MeanInterval",
    "RateRatio",
    "Closure",
    "DiversionsAtLeast",
    "HoldingAtLeast",
    "DISRUPTION_KINDS",
    "TEST_KINDS",
    "Claim",
    "Scenario",
    "crossref_problems",
]

ACCESS: Final = ("original", "syndication", "translation", "summary", "database")
CONFIDENCE: Final = ("confirmed", "second-hand", "uncertain", "estimate")
RECORD: Final = ("published", "second-hand", "unconfirmed", "disputed")
EVENT_KINDS: Final = ("war", "clash", "offensive", "blockade", "attack", "restriction", "other")
UNITS: Final = ("sorties", "landings", "departures", "legs", "movements", "diversions", "holdings")
SCENARIO_KINDS: Final = ("sorties", "disruption")

Access = Literal["original", "syndication", "translation", "summary", "database"]
Confidence = Literal["confirmed", "second-hand", "uncertain", "estimate"]
Record = Literal["published", "second-hand", "unconfirmed", "disputed"]
EventKind = Literal["war", "clash", "offensive", "blockade", "attack", "restriction", "other"]
Unit = Literal["sorties", "landings", "departures", "legs", "movements", "diversions", "holdings"]
ScenarioKind = Literal["sorties", "disruption"]


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


IdList = Annotated[tuple[Id, ...], PlainValidator(lambda v: _validate_id_list(v)), PlainSerializer(list)]


def _validate_id_list(value: Any) -> tuple[str, ...]:
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


# ---------------------------------------------------------------------------------------
# meta and sources


class Source(_Model):
    """A source: an article, a copy of it, a translation, or a database.

    ``url`` is the address where the text was read; ``copies`` lists further
    addresses of the same text (syndications, mirrors). A local file (a seed
    article) goes in ``file``. At least one of ``url`` and ``file`` is needed.
    """

    id: Id
    outlet: str
    title: str
    date: str | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    copies: tuple[str, ...] = ()
    file: str | None = Field(None, validate_default=True)
    language: str = "en"
    access: Access
    confidence: Confidence
    notes: str = ""

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if isinstance(v, _dt.date):
            return v.isoformat()
        if v is None:
            return v
        text = str(v).strip()
        if not _PARTIAL_DATE_RE.fullmatch(text):
            raise ValueError(f"{v!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY")
        parts = [int(p) for p in text.split("-")] + [1, 1]
        try:
            _dt.date(parts[0], parts[1], parts[2])
        except ValueError as exc:
            raise ValueError(f"{v!r} is not a valid date ({exc})") from None
        return text

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        if not _LANG_RE.fullmatch(v):
            raise ValueError(f"{v!r} is not a language code such as 'en', 'zh', 'hy'")
        return v

    @field_validator("file", mode="after")
    @classmethod
    def _where(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None and not info.data.get("url"):
            raise ValueError("give a url or a file for the source")
        return v


class Meta(_Model):
    """Title, summary, kind, report time zone and the sources of a scenario.

    ``kind`` is ``sorties`` (a fleet on a route pattern; the default) or
    ``disruption`` (airport closures, diversions and holding); it decides
    which simulated world ``flighttrace simulate`` builds.
    """

    title: str
    summary: str
    kind: ScenarioKind = "sorties"
    synthetic: bool = False
    report_tz: Annotated[str, AfterValidator(_check_tz)] = "UTC"
    sources: tuple[Source, ...] = ()


# ---------------------------------------------------------------------------------------
# fleet


class Aircraft(_Model):
    """One airframe of interest.

    ``hex`` may be omitted when no public database gives it; ``notes`` must
    then say so (mention "hex"). ``aliases`` keeps other spellings of the
    registration seen in databases (``4KAZ60``).
    """

    hex: Hex | None = None
    registration: str
    aliases: tuple[str, ...] = ()
    typecode: str = Field(alias="type")
    variant: str = ""
    operator: str = ""
    military: bool = False
    confidence: Confidence = "confirmed"
    source: IdList = ()
    notes: str = Field("", validate_default=True)

    @field_validator("notes")
    @classmethod
    def _hex_explained(cls, v: str, info: ValidationInfo) -> str:
        if "hex" in info.data and info.data["hex"] is None and "hex" not in v.lower():
            raise ValueError("no hex is given; say in the notes why (e.g. 'hex not in tar1090-db')")
        return v

    @property
    def registrations(self) -> frozenset[str]:
        """Normalised registration and aliases."""
        regs = {normalise_registration(r) for r in (self.registration, *self.aliases)}
        return frozenset(r for r in regs if r)


def _upper_tuple(v: Any) -> Any:
    v = _as_tuple(v)
    if isinstance(v, (list, tuple)):
        return tuple(str(x).strip().upper() if isinstance(x, str) else x for x in v)
    return v


def _check_blocks(v: tuple[str, ...]) -> tuple[str, ...]:
    for b in v:
        parse_block(b)
    return v


class Selector(_Model):
    """A rule that picks aircraft out of tracking data (see the module docs).

    ``aliases`` are names of the fleet or its operator as articles write them,
    in any language (``丝绸之路航空``); ``flighttrace draft`` matches them.
    """

    id: Id
    name: str = ""
    role: Literal["subject", "distractor"] = "subject"
    hexes: tuple[Hex, ...] = ()
    registrations: tuple[str, ...] = ()
    icao_blocks: Annotated[tuple[str, ...], AfterValidator(_check_blocks)] = ()
    callsign_prefixes: tuple[str, ...] = ()
    typecodes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    source: IdList = ()
    notes: str = ""

    @field_validator("hexes", "registrations", "icao_blocks", "callsign_prefixes", "typecodes", mode="before")
    @classmethod
    def _listify(cls, v: Any, info: ValidationInfo) -> Any:
        return _as_tuple(v) if info.field_name in ("hexes", "icao_blocks") else _upper_tuple(v)

    @model_validator(mode="after")
    def _not_empty(self) -> Selector:
        if not (self.hexes or self.registrations or self.icao_blocks or self.callsign_prefixes or self.typecodes):
            raise ValueError("a selector needs hexes, registrations, icao_blocks, callsign_prefixes or typecodes")
        return self

    @property
    def generic_criteria(self) -> tuple[str, ...]:
        """Names of the non-listing criteria this selector gives."""
        names = ("icao_blocks", "callsign_prefixes", "typecodes")
        return tuple(n for n in names if getattr(self, n))


class Fleet(_Model):
    """Aircraft of interest and the selectors that pick them out of data."""

    aircraft: tuple[Aircraft, ...] = ()
    selectors: tuple[Selector, ...] = ()


# ---------------------------------------------------------------------------------------
# airports


class CustomSite(_Model):
    """A field missing from ``airportsdata`` (a military strip, a scenario's own point)."""

    id: Id
    name: str
    lat: float = Field(ge=-90.0, le=90.0)
    lon: float = Field(ge=-180.0, le=180.0)
    elevation_ft: float | None = None
    kind: Literal["airport", "heliport", "seaplane"] = "airport"
    tz: str = ""
    source: IdList = ()
    notes: str = ""


def _freeze_groups(v: dict[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(dict(v))


Groups = Annotated[dict[Id, tuple[str, ...]], AfterValidator(_freeze_groups), PlainSerializer(lambda m: {k: list(v) for k, v in m.items()})]


class Airports(_Model):
    """Airport codes (ICAO or IATA), custom sites, and named groups.

    A group lists codes, custom ids or other groups. ``aliases`` maps a code,
    custom id or group to the names articles give it, in any language
    (``UBBB: [Baku, 巴库]``); ``flighttrace draft`` matches them.
    """

    codes: tuple[str, ...] = ()
    custom: tuple[CustomSite, ...] = ()
    groups: Groups = Field(default_factory=dict, validate_default=True)
    aliases: Groups = Field(default_factory=dict, validate_default=True)
    source: IdList = ()
    notes: str = ""


# ---------------------------------------------------------------------------------------
# events and routes


class Event(_Model):
    """A dated event of the conflict timeline.

    ``start`` and ``end`` are dates (whole UTC days; the end day included) or
    zoned date-times. Without ``end`` the event is the ``start`` day (or the
    ``start`` instant).
    """

    id: Id
    name: str
    kind: EventKind
    start: TimePoint
    end: TimePoint | None = None
    sources: IdList = ()
    confidence: Confidence = "confirmed"
    notes: str = ""

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, v: _dt.date | None, info: ValidationInfo) -> _dt.date | None:
        return _check_end(v, info)

    def span(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """(start, end exclusive) as UTC timestamps."""
        start = _start_utc(self.start)
        end = _end_utc(self.end if self.end is not None else self.start)
        return start, end


class Route(_Model):
    """A route pattern: a sequence of airports or groups, e.g. ``[azerbaijan, LLOV, azerbaijan]``."""

    id: Id
    name: str = ""
    sequence: tuple[str, ...] = Field(min_length=2)
    max_ground_time: Duration
    max_leg_duration: Duration | None = None
    source: IdList = ()
    notes: str = ""


# ---------------------------------------------------------------------------------------
# claims


class Window(_Model):
    """The time window of a claim: ``{start, end}`` or ``{event, lead, lag}``.

    ``start``/``end`` are dates (the end day included) or zoned date-times.
    An event window runs from the event's start minus ``lead`` to its
    (exclusive) end plus ``lag``.
    """

    start: TimePoint | None = None
    end: TimePoint | None = None
    event: Id | None = None
    lead: Duration | None = None
    lag: Duration | None = None

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, v: _dt.date | None, info: ValidationInfo) -> _dt.date | None:
        return _check_end(v, info)

    @model_validator(mode="after")
    def _one_form(self) -> Window:
        dates = self.start is not None or self.end is not None
        if self.event is not None and dates:
            raise ValueError("give either start and end, or event (with lead and lag), not both")
        if self.event is None:
            if self.lead is not None or self.lag is not None:
                raise ValueError("lead and lag need an event")
            if self.start is None or self.end is None:
                raise ValueError("give start and end, or event with lead and lag")
        return self


class Subject(_Model):
    """What a claim counts: a unit, and the fleet, route and airports it applies to.

    ``sorties`` need ``route``; ``landings``, ``departures``, ``diversions``
    and ``holdings`` need ``airport`` (a code or a group: the field the
    diverted aircraft were heading for, or the field the holding aircraft
    were waiting for). ``movements`` (take-offs and landings, for closure
    tests) take their airport from the test. ``from`` and ``to`` restrict
    the other end of the legs.
    """

    unit: Unit
    fleet: Id | None = None
    route: Id | None = Field(None, validate_default=True)
    airport: str | None = Field(None, validate_default=True)
    from_: str | None = Field(None, alias="from")
    to: str | None = None

    @field_validator("route")
    @classmethod
    def _route_for_sorties(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None and info.data.get("unit") == "sorties":
            raise ValueError("field required when unit is 'sorties'")
        return v

    @field_validator("airport")
    @classmethod
    def _airport_for_counts(cls, v: str | None, info: ValidationInfo) -> str | None:
        unit = info.data.get("unit")
        if v is None and unit in ("landings", "departures", "diversions", "holdings"):
            raise ValueError(f"field required when unit is {unit!r}")
        return v


class ClaimTest(_Model):
    """Base of the claim tests; each subclass fixes ``kind`` to one literal.

    To add a kind: subclass with ``kind: Literal["new_kind"]`` and its
    parameters, give it a ``describe``, append it to :data:`TEST_KINDS`, and
    list any airport / event references in ``airport_refs`` / ``event_refs``.
    """

    kind: str
    airport_fields: ClassVar[tuple[str, ...]] = ()

    def describe(self) -> str:
        """A short phrase for reports."""
        return self.kind


class CountAtLeast(ClaimTest):
    """The count is at least ``value``."""

    kind: Literal["count_at_least"]
    value: int = Field(ge=0)

    def describe(self) -> str:
        return f"at least {self.value}"


class CountAtMost(ClaimTest):
    """The count is at most ``value``."""

    kind: Literal["count_at_most"]
    value: int = Field(ge=0)

    def describe(self) -> str:
        return f"at most {self.value}"


class CountBetween(ClaimTest):
    """The count is between ``min`` and ``max``, both included."""

    kind: Literal["count_between"]
    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @field_validator("max")
    @classmethod
    def _order(cls, v: int, info: ValidationInfo) -> int:
        lo = info.data.get("min")
        if lo is not None and v < lo:
            raise ValueError(f"{v} is less than min {lo}")
        return v

    def describe(self) -> str:
        return f"between {self.min} and {self.max}"


class GroundTime(ClaimTest):
    """Time on the ground at ``airport`` lies in [``min``, ``max``].

    ``statistic``: ``median`` or ``mean`` of the stays, or ``each`` (every
    stay must lie in the band).
    """

    kind: Literal["ground_time"]
    airport: str
    min: Duration | None = None
    max: Duration | None = Field(None, validate_default=True)
    statistic: Literal["median", "mean", "each"] = "median"
    airport_fields: ClassVar[tuple[str, ...]] = ("airport",)

    @field_validator("max")
    @classmethod
    def _band(cls, v: pd.Timedelta | None, info: ValidationInfo) -> pd.Timedelta | None:
        if "min" not in info.data:  # min itself was invalid
            return v
        lo = info.data["min"]
        if v is None and lo is None:
            raise ValueError("give min, max or both")
        if v is not None and lo is not None and v < lo:
            raise ValueError(f"{format_duration(v)} is less than min {format_duration(lo)}")
        return v

    def describe(self) -> str:
        lo = format_duration(self.min) if self.min is not None else "0"
        hi = format_duration(self.max) if self.max is not None else "∞"
        return f"{self.statistic} ground time at {self.airport} in [{lo}, {hi}]"


class DestinationsWithin(ClaimTest):
    """Every leg of the subject ends at one of ``airports`` (codes or groups)."""

    kind: Literal["destinations_within"]
    airports: tuple[str, ...] = Field(min_length=1)
    airport_fields: ClassVar[tuple[str, ...]] = ("airports",)

    def describe(self) -> str:
        return "destinations within " + ", ".join(self.airports)


class MeanInterval(ClaimTest):
    """The mean interval between successive events of the subject is at most ``max``."""

    kind: Literal["mean_interval"]
    max: Duration
    min: Duration | None = None

    @field_validator("min")
    @classmethod
    def _order(cls, v: pd.Timedelta | None, info: ValidationInfo) -> pd.Timedelta | None:
        hi = info.data.get("max")
        if v is not None and hi is not None and v > hi:
            raise ValueError(f"{format_duration(v)} is more than max {format_duration(hi)}")
        return v

    def describe(self) -> str:
        return f"mean interval at most {format_duration(self.max)}"


def _events_or_all(v: Any) -> tuple[str, ...] | Literal["all"]:
    if v == "all":
        return "all"
    return _validate_id_list(v)


class RateRatio(ClaimTest):
    """The rate inside event windows is at least ``min_ratio`` times the rate outside.

    Each event window runs from start − ``lead`` to end + ``lag``. ``events``
    lists event ids, or is ``"all"`` (optionally narrowed by ``kinds``).
    """

    kind: Literal["rate_ratio"]
    events: Annotated[tuple[str, ...] | Literal["all"], PlainValidator(_events_or_all)] = "all"
    kinds: tuple[EventKind, ...] = ()
    lead: Duration = pd.Timedelta(0)
    lag: Duration = pd.Timedelta(0)
    min_ratio: float = Field(1.0, ge=0.0)

    def describe(self) -> str:
        return f"rate in event windows ≥ {self.min_ratio:g} × rate outside"


class Closure(ClaimTest):
    """The airport (or the airports of a group) closed for at least ``min_duration``.

    "Closed" is what ADS-B can show: a run with no take-off or landing at the
    field, at least ``min_duration`` long, at a time when the baseline (the
    same weekday and hour of the previous weeks) expects enough movements
    that none seen is not chance (see :class:`flighttrace.disruption.DisruptionParams`).
    For a group, ``require: each`` means every field of the group closed;
    ``any`` means at least one did. ``max_duration`` caps the closure;
    ``reopened: true`` asks that traffic resumed inside the window.
    """

    kind: Literal["closure"]
    airport: str
    min_duration: Duration
    max_duration: Duration | None = Field(None, validate_default=True)
    require: Literal["each", "any"] = "each"
    reopened: bool | None = None
    airport_fields: ClassVar[tuple[str, ...]] = ("airport",)

    @field_validator("max_duration")
    @classmethod
    def _order(cls, v: pd.Timedelta | None, info: ValidationInfo) -> pd.Timedelta | None:
        lo = info.data.get("min_duration")
        if v is not None and lo is not None and v < lo:
            raise ValueError(f"{format_duration(v)} is less than min_duration {format_duration(lo)}")
        return v

    def describe(self) -> str:
        code = len(self.airport) in (3, 4) and self.airport.isupper()
        group = "" if code else ("each field of " if self.require == "each" else "any field of ")
        band = f"≥ {format_duration(self.min_duration)}" + (f", ≤ {format_duration(self.max_duration)}" if self.max_duration is not None else "")
        again = "; traffic resumed in the window" if self.reopened else ("; still closed at the window's end" if self.reopened is False else "")
        return f"{group}{self.airport} closed {band}{again}"


class DiversionsAtLeast(ClaimTest):
    """At least ``value`` aircraft heading for the subject's airport (or group) landed elsewhere."""

    kind: Literal["diversions_at_least"]
    value: int = Field(ge=0)

    def describe(self) -> str:
        return f"at least {self.value} diverted"


class HoldingAtLeast(ClaimTest):
    """At least ``value`` aircraft flew holding patterns (circling) for the subject's airport (or group)."""

    kind: Literal["holding_at_least"]
    value: int = Field(ge=0)

    def describe(self) -> str:
        return f"at least {self.value} held"


DISRUPTION_KINDS: Final[dict[str, str]] = {"closure": "movements", "diversions_at_least": "diversions", "holding_at_least": "holdings"}
"""The disruption test kinds and the subject unit each one needs."""

TEST_KINDS: tuple[type[ClaimTest], ...] = (
    CountAtLeast,
    CountAtMost,
    CountBetween,
    GroundTime,
    DestinationsWithin,
    MeanInterval,
    RateRatio,
    Closure,
    DiversionsAtLeast,
    HoldingAtLeast,
)
"""The claim-test models, one per ``kind``. Append new kinds here."""

TEST_KIND_NAMES: Final = tuple(t.model_fields["kind"].annotation.__args__[0] for t in TEST_KINDS)  # type: ignore[union-attr]

AnyTest = Annotated[Union[TEST_KINDS], Field(discriminator="kind")]  # type: ignore[valid-type]


class Claim(_Model):
    """A published claim, in our own words, with its source and its test.

    ``record`` says how the claim stands in the record: ``published`` (in the
    source), ``second-hand`` (only in a re-telling), ``unconfirmed`` (not
    found in the stored text), ``disputed`` (contradicted by the original).
    ``via`` lists the copies or translations through which it was read;
    ``attributed_to`` the source a re-telling credits. ``status`` is
    ``draft`` for a claim proposed by ``flighttrace draft`` and not yet
    confirmed by a person (``report`` and ``analyze`` refuse those unless told
    ``--allow-draft``); ``draft`` keeps what the drafting found (the
    sentence's character span in the article, attribution, places), for the
    reviewer only.
    """

    id: Id
    statement: str
    source: Id
    via: IdList = ()
    attributed_to: Id | None = None
    record: Record
    window: Window
    subject: Subject
    test: AnyTest
    notes: str = ""
    status: Literal["draft", "confirmed"] = "confirmed"
    draft: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _unit_fits_test(self) -> Claim:
        need = DISRUPTION_KINDS.get(self.test.kind)
        unit = self.subject.unit
        if need is not None and unit != need:
            raise ValueError(f"a {self.test.kind} test needs subject.unit {need!r}, not {unit!r}")
        if need is None and unit in DISRUPTION_KINDS.values():
            kinds = ", ".join(k for k, u in DISRUPTION_KINDS.items() if u == unit)
            raise ValueError(f"subject.unit {unit!r} is tested with {kinds}, not {self.test.kind}")
        return self


# ---------------------------------------------------------------------------------------
# the scenario


class Scenario(_Model):
    """A validated scenario. Immutable; load with :func:`load_scenario`."""

    version: Literal[1] = 1
    meta: Meta
    fleet: Fleet = Field(default_factory=Fleet)
    airports: Airports = Field(default_factory=Airports)
    events: tuple[Event, ...] = ()
    routes: tuple[Route, ...] = ()
    claims: tuple[Claim, ...] = ()
    draft: dict[str, Any] | None = None
    """What ``flighttrace draft`` recorded about the article (file, hash, language, date, places it could not match)."""

    _path: str | None = PrivateAttr(default=None)
    _index: AirportIndex | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Scenario:
        if info.context and info.context.get("skip_crossref"):
            return self
        problems = crossref_problems(self.model_dump(by_alias=True))
        if problems:
            raise ValueError("; ".join(f"{_fmt_loc(p)}: {m}" for p, m in problems))
        return self

    # -- text ------------------------------------------------------------------------

    def __repr__(self) -> str:
        return (
            f"Scenario({self.meta.title!r}, {len(self.fleet.aircraft)} aircraft, "
            f"{len(self.airport_codes())} airports, {len(self.events)} events, {len(self.claims)} claims)"
        )

    __str__ = __repr__

    def summary(self) -> str:
        """Counts of sources, aircraft, selectors, airports, events, routes and claims."""
        n_hex = sum(a.hex is not None for a in self.fleet.aircraft)
        lines = [
            f"{self.meta.title}{' (synthetic)' if self.meta.synthetic else ''}",
            f"  sources:   {len(self.meta.sources)}",
            f"  aircraft:  {len(self.fleet.aircraft)} ({n_hex} with hex), selectors: {len(self.fleet.selectors)}",
            f"  airports:  {len(self.airport_codes())} ({len(self.airports.custom)} custom), groups: {len(self.airports.groups)}",
        ]
        if self.events:
            fr = self.events_frame()
            lines.append(f"  events:    {len(self.events)} ({fr['start'].min():%Y-%m-%d} – {fr['end'].max():%Y-%m-%d})")
        else:
            lines.append("  events:    0")
        lines.append(f"  routes:    {len(self.routes)}")
        records = pd.Series([c.record for c in self.claims], dtype=object).value_counts()
        detail = ", ".join(f"{k} {v}" for k, v in records.items())
        lines.append(f"  claims:    {len(self.claims)}" + (f" ({detail})" if detail else ""))
        return "\n".join(lines)

    @property
    def path(self) -> str | None:
        """The file the scenario was loaded from, if any."""
        return self._path

    # -- look-ups --------------------------------------------------------------------

    @staticmethod
    def _find(items: Iterable[Any], key: str, what: str) -> Any:
        items = list(items)
        for it in items:
            if it.id == key:
                return it
        raise KeyError(_unknown(what, key, [it.id for it in items]))

    def source(self, source_id: str) -> Source:
        """The source with this id (KeyError otherwise)."""
        return self._find(self.meta.sources, source_id, "source")

    def event(self, event_id: str) -> Event:
        """The event with this id (KeyError otherwise)."""
        return self._find(self.events, event_id, "event")

    def selector(self, selector_id: str) -> Selector:
        """The fleet selector with this id (KeyError otherwise)."""
        return self._find(self.fleet.selectors, selector_id, "selector")

    def route(self, route_id: str) -> Route:
        """The route with this id (KeyError otherwise)."""
        return self._find(self.routes, route_id, "route")

    def claim(self, claim_id: str) -> Claim:
        """The claim with this id (KeyError otherwise)."""
        return self._find(self.claims, claim_id, "claim")

    def draft_claims(self) -> tuple[str, ...]:
        """Ids of the claims still marked ``status: draft`` (proposed, not yet confirmed)."""
        return tuple(c.id for c in self.claims if c.status == "draft")

    # -- airports --------------------------------------------------------------------

    def airport_index(self) -> AirportIndex:
        """The ``airportsdata`` index with this scenario's custom sites (cached)."""
        if self._index is None:
            self._index = AirportIndex.default().with_sites(self.airports.custom)
        return self._index

    def airport_codes(self) -> frozenset[str]:
        """ICAO codes (or custom ids) of every field the scenario names."""
        out: set[str] = {self.airport_index().resolve(c) for c in self.airports.codes}
        out |= {s.id for s in self.airports.custom}
        for name in self.airports.groups:
            out |= self.resolve_airports(name)
        return frozenset(out)

    def resolve_airports(self, name_or_code: str) -> frozenset[str]:
        """The fields a group name, code or custom id stands for.

        Parameters
        ----------
        name_or_code
            A group name (groups may name other groups), an ICAO or IATA
            code, or a custom site id.

        Returns
        -------
        frozenset of str
            ICAO codes / custom ids.

        Raises
        ------
        KeyError
            For an unknown name, with a suggestion when one is close.
        """
        return frozenset(_expand(name_or_code, self.airports.groups, self.airport_index(), ()))

    def route_stops(self, route_id: str) -> tuple[frozenset[str], ...]:
        """The resolved airport set of each stop of a route."""
        return tuple(self.resolve_airports(s) for s in self.route(route_id).sequence)

    # -- time ------------------------------------------------------------------------

    def events_frame(self) -> pd.DataFrame:
        """The timeline as a table.

        Returns
        -------
        pandas.DataFrame
            ``id``, ``name``, ``kind``, ``start`` and ``end`` (UTC; ``end``
            exclusive: a date end becomes the next midnight), ``confidence``,
            ``sources`` (comma separated), ``notes``; sorted by start.
        """
        spans = [e.span() for e in self.events]
        frame = pd.DataFrame(
            {
                "id": pd.Series([e.id for e in self.events], dtype=object),
                "name": pd.Series([e.name for e in self.events], dtype=object),
                "kind": pd.Series([e.kind for e in self.events], dtype=object),
                "start": pd.Series([s for s, _ in spans], dtype="datetime64[ns, UTC]"),
                "end": pd.Series([e for _, e in spans], dtype="datetime64[ns, UTC]"),
                "confidence": pd.Series([e.confidence for e in self.events], dtype=object),
                "sources": pd.Series([", ".join(e.sources) for e in self.events], dtype=object),
                "notes": pd.Series([e.notes for e in self.events], dtype=object),
            }
        )
        return frame.sort_values(["start", "id"], kind="stable").reset_index(drop=True)

    def claim_window(self, claim: Claim | str) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The UTC window a claim covers, as (start, end exclusive).

        A ``{start, end}`` window with dates runs from the start day's
        midnight to the midnight after the end day. An ``{event, lead, lag}``
        window runs from the event's start − lead to its exclusive end + lag.
        """
        c = self.claim(claim) if isinstance(claim, str) else claim
        w = c.window
        if w.event is not None:
            start, end = self.event(w.event).span()
            return start - (w.lead or pd.Timedelta(0)), end + (w.lag or pd.Timedelta(0))
        assert w.start is not None and w.end is not None
        return _start_utc(w.start), _end_utc(w.end)

    def claims_frame(self) -> pd.DataFrame:
        """One row per claim: id, source, record, unit, fleet, test kind and phrase, window."""
        rows = []
        for c in self.claims:
            start, end = self.claim_window(c)
            rows.append(
                {
                    "id": c.id,
                    "source": c.source,
                    "record": c.record,
                    "unit": c.subject.unit,
                    "fleet": c.subject.fleet or "",
                    "test": c.test.kind,
                    "expects": c.test.describe(),
                    "start": start,
                    "end": end,
                    "statement": c.statement,
                }
            )
        cols = ["id", "source", "record", "unit", "fleet", "test", "expects", "start", "end", "statement"]
        return pd.DataFrame(rows, columns=cols)

    # -- fleet -----------------------------------------------------------------------

    def fleet_mask(self, df: pd.DataFrame, selector_id: str | None = None) -> np.ndarray:
        """Which rows of a frame belong to the fleet (see the module docs for the rule).

        Parameters
        ----------
        df
            Any frame with some of the columns ``icao24``, ``callsign``,
            ``typecode``, ``registration`` (Points, Legs …). A missing column
            means the criterion is unknown, hence not satisfied.
        selector_id
            One selector; by default the union of all selectors whose role is
            ``subject`` (distractor selectors are left out).

        Returns
        -------
        numpy.ndarray
            bool, one per row.
        """
        sels = [self.selector(selector_id)] if selector_id is not None else [s for s in self.fleet.selectors if s.role == "subject"]
        cols = _FleetColumns(df)
        mask = np.zeros(len(df), dtype=bool)
        for sel in sels:
            mask |= _selector_mask(sel, self.fleet.aircraft, cols)
        return mask


# ---------------------------------------------------------------------------------------
# fleet matching


class _FleetColumns:
    """Identity columns of a frame, factorised once and normalised per distinct value."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.n = len(df)
        self._cache: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}

    def factor(self, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(codes, normalised distinct values) of a column; None when the column is missing."""
        if name not in self._cache:
            out = None
            if name in self.df.columns:
                codes, uniques = pd.factorize(self.df[name])
                values = np.asarray(uniques, dtype=object)
                if name == "icao24":
                    norm = hex_to_int(values)
                elif name == "registration":
                    norm = normalise_registrations(values)
                else:  # callsign, typecode: strip + upper; junk → None
                    norm = normalise_callsigns(values)
                out = (np.asarray(codes), norm)
            self._cache[name] = out
        return self._cache[name]

    def test(self, name: str, predicate: Any) -> np.ndarray:
        """``predicate`` (on the normalised distinct values) mapped back to the rows; False when unknown."""
        f = self.factor(name)
        if f is None:
            return np.zeros(self.n, dtype=bool)
        codes, norm = f
        ok = np.append(np.asarray(predicate(norm), dtype=bool), False)
        return ok[codes]  # code -1 (missing) takes the trailing False


def _selector_mask(sel: Selector, aircraft: tuple[Aircraft, ...], cols: _FleetColumns) -> np.ndarray:
    hexes = set(sel.hexes)
    regs = {r for r in (normalise_registration(x) for x in sel.registrations) if r}
    for a in aircraft:  # a listed hex also lists the registration, and the other way round
        if (a.hex is not None and a.hex in hexes) or (a.registrations & regs):
            if a.hex is not None:
                hexes.add(a.hex)
            regs |= a.registrations
    hex_ints = np.array(sorted(int(h, 16) for h in hexes), dtype=np.int64)
    listed = cols.test("icao24", lambda v: np.isin(v, hex_ints))
    listed |= cols.test("registration", lambda v: np.array([r in regs for r in v], dtype=bool))
    if not sel.generic_criteria:
        return listed
    generic = np.ones(cols.n, dtype=bool)
    if sel.icao_blocks:
        generic &= cols.test("icao24", lambda v: in_blocks(v, sel.icao_blocks))
    if sel.callsign_prefixes:
        prefixes = sel.callsign_prefixes
        generic &= cols.test("callsign", lambda v: np.array([c is not None and c.startswith(prefixes) for c in v], dtype=bool))
    if sel.typecodes:
        types = set(sel.typecodes)
        generic &= cols.test("typecode", lambda v: np.array([t in types for t in v], dtype=bool))
    return listed | generic


# ---------------------------------------------------------------------------------------
# cross references (on the raw mapping, so they are found even when other fields fail)


def _unknown(what: str, key: Any, known: Iterable[str]) -> str:
    known = sorted(set(known))
    if not known:
        return f"unknown {what} {key!r}; none are defined"
    if len(known) > 12:
        close = difflib.get_close_matches(str(key), known, n=6, cutoff=0.0)
        return f"unknown {what} {key!r}; closest known: {', '.join(close)} ({len(known)} known)"
    return f"unknown {what} {key!r}; known: {', '.join(known)}"


def _expand(name: str, groups: Mapping[str, Any], index: AirportIndex, trail: tuple[str, ...]) -> set[str]:
    if name in groups:
        if name in trail:
            raise KeyError(f"group cycle: {' → '.join((*trail, name))}")
        out: set[str] = set()
        for member in groups[name]:
            out |= _expand(member, groups, index, (*trail, name))
        return out
    if not isinstance(name, str) or name not in index:
        hint = index.suggest(str(name)) if isinstance(name, str) else None
        msg = f"unknown airport or group {name!r}"
        if groups:
            msg += f" (groups: {', '.join(sorted(groups))})"
        raise KeyError(msg + (f"; did you mean {hint}?" if hint else ""))
    return {index.resolve(name)}


def _seq(x: Any) -> list[tuple[int, Any]]:
    return list(enumerate(x)) if isinstance(x, list | tuple) else []


def _get(m: Any, key: str) -> Any:
    return m.get(key) if isinstance(m, Mapping) else None


def _ids_at(value: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield loc, value
    else:
        for i, v in _seq(value):
            if isinstance(v, str):
                yield (*loc, i), v


def crossref_problems(raw: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Every broken reference and duplicate id in a raw scenario mapping.

    Parameters
    ----------
    raw
        The mapping as read from YAML (or dumped by a model).

    Returns
    -------
    list
        ``(location, message)`` pairs; the location is a tuple of keys and
        indices, as pydantic gives them.
    """
    out: list[tuple[tuple[Any, ...], str]] = []
    meta, fleet, airports = _get(raw, "meta"), _get(raw, "fleet"), _get(raw, "airports")

    def ids_of(items: Any, loc: tuple[Any, ...], what: str) -> dict[str, int]:
        seen: dict[str, int] = {}
        for i, it in _seq(items):
            key = _get(it, "id")
            if not isinstance(key, str):
                continue
            if key in seen:
                out.append(((*loc, i, "id"), f"duplicate {what} id {key!r} (first at {_fmt_loc((*loc, seen[key]))})"))
            else:
                seen[key] = i
        return seen

    sources = ids_of(_get(meta, "sources"), ("meta", "sources"), "source")
    events = ids_of(_get(raw, "events"), ("events",), "event")
    selectors = ids_of(_get(fleet, "selectors"), ("fleet", "selectors"), "selector")
    routes = ids_of(_get(raw, "routes"), ("routes",), "route")
    ids_of(_get(raw, "claims"), ("claims",), "claim")
    ids_of(_get(airports, "custom"), ("airports", "custom"), "custom site")
    groups_raw = _get(airports, "groups")
    groups: dict[str, Any] = dict(groups_raw) if isinstance(groups_raw, Mapping) else {}

    def need(known: Mapping[str, int], what: str, value: Any, loc: tuple[Any, ...]) -> None:
        for at, key in _ids_at(value, loc):
            if key not in known:
                out.append((at, _unknown(what, key, known)))

    # the airport index with the valid custom sites
    sites = []
    for _, site in _seq(_get(airports, "custom")):
        lat, lon, sid = _get(site, "lat"), _get(site, "lon"), _get(site, "id")
        if isinstance(sid, str) and isinstance(lat, int | float) and isinstance(lon, int | float):
            kind = _get(site, "kind")
            sites.append({"id": sid, "name": str(_get(site, "name") or sid), "lat": lat, "lon": lon, "kind": kind if kind in ("airport", "heliport", "seaplane") else "airport"})
    index = AirportIndex.default().with_sites(sites)

    def need_airport(value: Any, loc: tuple[Any, ...], *, allow_groups: bool = True) -> None:
        for at, code in _ids_at(value, loc):
            if allow_groups and code in groups:
                continue
            if code not in index:
                if allow_groups:
                    try:
                        _expand(code, groups, index, ())
                    except KeyError as exc:
                        out.append((at, str(exc.args[0])))
                else:
                    out.append((at, index.unknown_message(code)))

    # sources named anywhere
    for i, a in _seq(_get(fleet, "aircraft")):
        need(sources, "source", _get(a, "source"), ("fleet", "aircraft", i, "source"))
    seen_hex: dict[str, int] = {}
    for i, a in _seq(_get(fleet, "aircraft")):
        h = _get(a, "hex")
        h = str(h).strip().lower() if h is not None else None
        if h and h in seen_hex:
            out.append((("fleet", "aircraft", i, "hex"), f"duplicate hex {h!r} (first at fleet.aircraft[{seen_hex[h]}])"))
        elif h:
            seen_hex[h] = i
    for i, s in _seq(_get(fleet, "selectors")):
        need(sources, "source", _get(s, "source"), ("fleet", "selectors", i, "source"))
    for i, s in _seq(_get(airports, "custom")):
        need(sources, "source", _get(s, "source"), ("airports", "custom", i, "source"))
    need(sources, "source", _get(airports, "source"), ("airports", "source"))
    for i, e in _seq(_get(raw, "events")):
        need(sources, "source", _get(e, "sources"), ("events", i, "sources"))
    for i, r in _seq(_get(raw, "routes")):
        need(sources, "source", _get(r, "source"), ("routes", i, "source"))
        need_airport(_get(r, "sequence"), ("routes", i, "sequence"))

    # airports: codes, groups
    need_airport(_get(airports, "codes"), ("airports", "codes"), allow_groups=False)
    for name, members in groups.items():
        loc = ("airports", "groups", name)
        if isinstance(name, str) and name in index:
            out.append((loc, f"group name {name!r} is also an airport code; rename the group"))
        if isinstance(members, str):
            members = [members]
        for j, m in _seq(members):
            if not isinstance(m, str):
                continue
            if m in groups:
                try:
                    _expand(m, groups, index, (name,))
                except KeyError as exc:
                    out.append(((*loc, j), str(exc.args[0])))
            elif m not in index:
                out.append(((*loc, j), index.unknown_message(m)))

    aliases = _get(airports, "aliases")
    for key in aliases if isinstance(aliases, Mapping) else ():
        need_airport(key, ("airports", "aliases", key))

    # claims
    for i, c in _seq(_get(raw, "claims")):
        loc = ("claims", i)
        need(sources, "source", _get(c, "source"), (*loc, "source"))
        need(sources, "source", _get(c, "via"), (*loc, "via"))
        need(sources, "source", _get(c, "attributed_to"), (*loc, "attributed_to"))
        w = _get(c, "window")
        need(events, "event", _get(w, "event"), (*loc, "window", "event"))
        subj = _get(c, "subject")
        need(selectors, "selector", _get(subj, "fleet"), (*loc, "subject", "fleet"))
        need(routes, "route", _get(subj, "route"), (*loc, "subject", "route"))
        for key in ("airport", "from", "to"):
            need_airport(_get(subj, key), (*loc, "subject", key))
        test = _get(c, "test")
        kind = _get(test, "kind")
        model = next((t for t in TEST_KINDS if t.model_fields["kind"].annotation.__args__[0] == kind), None)  # type: ignore[union-attr]
        for key in model.airport_fields if model is not None else ():
            need_airport(_get(test, key), (*loc, "test", key))
        if kind == "rate_ratio" and _get(test, "events") != "all":
            need(events, "event", _get(test, "events"), (*loc, "test", "events"))
    return out


# ---------------------------------------------------------------------------------------
# loading


def _fmt_loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the discriminator tags pydantic puts in union locations."""
    out: list[Any] = []
    for i, part in enumerate(loc):
        if i > 0 and loc[i - 1] == "test" and part in TEST_KIND_NAMES:
            continue
        out.append(part)
    return tuple(out)


def _pydantic_problems(err: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    out = []
    for e in err.errors():
        loc, kind, msg = _clean_loc(tuple(e["loc"])), e["type"], e["msg"]
        ctx = e.get("ctx") or {}
        if kind == "missing":
            msg = "field required"
        elif kind == "extra_forbidden":
            msg = "unknown field (a typo?)"
        elif kind == "literal_error":
            msg = f"{e['input']!r} is not one of {ctx.get('expected', '')}"
        elif kind == "union_tag_invalid":
            msg = f"unknown test kind {ctx.get('tag')!r}; known: {', '.join(TEST_KIND_NAMES)}"
        elif kind == "union_tag_not_found":
            msg = f"give the test's kind: one of {', '.join(TEST_KIND_NAMES)}"
        elif kind == "value_error":
            msg = str(ctx.get("error", msg))
        else:
            msg = msg[:1].lower() + msg[1:]
            if not isinstance(e.get("input"), dict | list):
                msg += f" (got {e.get('input')!r})"
        out.append((loc, msg))
    return out


@functools.lru_cache(maxsize=1)
def _field_rank() -> dict[str, int]:
    """Field names in declaration order across the models (``id`` first), for sorting problems."""
    rank: dict[str, int] = {"id": 0}
    models: list[type[BaseModel]] = [Scenario, Meta, Source, Fleet, Aircraft, Selector, Airports, CustomSite]
    models += [Event, Route, Claim, Window, Subject, *TEST_KINDS]
    for model in models:
        for name, f in model.model_fields.items():
            rank.setdefault(f.alias or name, len(rank))
    return rank


def _sort_key(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    rank = _field_rank()
    return tuple((p, 0, "") if isinstance(p, int) else (rank.get(str(p), len(rank)), 1, str(p)) for p in loc)


def _yaml_loader() -> type:
    import yaml

    class Loader(yaml.SafeLoader):
        """Safe loader: dates stay strings (parsed by the models with clear errors),
        only true/false are booleans, and duplicate keys are recorded."""

        duplicates: list[tuple[int, str]]

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    self.duplicates.append((key_node.start_mark.line + 1, str(key)))
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    resolvers = {}
    for ch, items in yaml.SafeLoader.yaml_implicit_resolvers.items():
        keep = [(tag, rx) for tag, rx in items if tag != "tag:yaml.org,2002:timestamp" and tag != "tag:yaml.org,2002:bool"]
        if keep:
            resolvers[ch] = keep
    Loader.yaml_implicit_resolvers = resolvers
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    return Loader


def parse_scenario(data: str | Mapping[str, Any], *, name: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML text or as a mapping.

    Parameters
    ----------
    data
        YAML text, or the mapping it would load to.
    name
        What to call it in error messages (the file name).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem: schema errors and cross-reference errors.
    """
    problems: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(data, str):
        import yaml

        loader_cls = _yaml_loader()
        loader = loader_cls(data)
        loader.duplicates = []
        try:
            raw = loader.get_single_data()
        except yaml.YAMLError as exc:
            raise ScenarioError(name, [("", f"not valid YAML: {exc}")]) from None
        finally:
            loader.dispose()
        for line, key in loader.duplicates:
            problems.append(((), f"line {line}: duplicate key {key!r} (the later value would silently win)"))
    else:
        raw = data
    if not isinstance(raw, Mapping):
        raise ScenarioError(name, [("", "a scenario file must be a mapping with meta, fleet, airports, events, routes, claims")])
    try:
        scenario = Scenario.model_validate(raw, context={"skip_crossref": True})
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc))
        scenario = None
    problems.extend(crossref_problems(raw))
    if problems:
        ordered: list[Problem] = []
        for loc, msg in sorted(problems, key=lambda p: _sort_key(p[0])):
            item = (_fmt_loc(loc), msg)
            if item not in ordered:
                ordered.append(item)
        raise ScenarioError(name, ordered)
    assert scenario is not None
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path
        A YAML file (usually in ``seeds/``).

    Returns
    -------
    Scenario
        Immutable; ``scenario.path`` is the file.

    Raises
    ------
    ScenarioError
        When the file cannot be read, is not YAML, or has problems; the message
        lists every problem as ``path.to.field: what is wrong``.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(p), [("", f"cannot read the file: {exc.strerror or exc}")]) from None
    scenario = parse_scenario(text, name=str(p))
    scenario._path = str(p)
    return scenario
