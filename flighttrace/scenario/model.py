"""The scenario model: the claim, with its fleet, airports, timeline, routes and sources.

A scenario file (YAML, in ``seeds/``) says who flew (``fleet``), between which
fields (``airports``), against which timeline (``events``), along which route
pattern (``routes``), and what exactly was published (``claims``), each fact
with the id of a source listed under ``meta.sources``.
:func:`flighttrace.scenario.load_scenario` reads a file into an immutable
:class:`Scenario`; value types and conventions are in
:mod:`flighttrace.scenario.base`.

Fleet matching
--------------
An aircraft matches a selector when its hex or its registration is listed by
the selector (a listed registration also matches the hex that
``fleet.aircraft`` gives it, and a listed hex the registration), OR when it
satisfies *every other* criterion the selector gives: ICAO address block,
callsign prefix, type code. A selector with none of these other criteria
matches only what it lists. A column missing from the frame means the
criterion is unknown, hence not satisfied.

Claim tests
-----------
A claim's ``test`` is a union discriminated by ``kind``, gathered from the
scenario kinds' ``spec`` modules (:func:`flighttrace.kinds.claim_test_models`):
a new kind brings its tests with it. A file that names a test this version
does not know gets a message listing the known ones. ``meta.kind`` names the
scenario kind (``sorties``, the default, or ``disruption``; see
:mod:`flighttrace.kinds`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

import numpy as np
import pandas as pd
from pydantic import (
    AfterValidator,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from flighttrace.kinds import KINDS, airport_units, all_units, claim_test_models, reserved_units, route_units
from flighttrace.reference.airports import AirportIndex
from flighttrace.reference.fleet import (
    hex_to_int,
    in_blocks,
    normalise_callsigns,
    normalise_registration,
    normalise_registrations,
    parse_block,
)
from flighttrace.scenario.base import (
    _LANG_RE,
    _PARTIAL_DATE_RE,
    Access,
    ClaimTest,
    Confidence,
    Duration,
    EventKind,
    Hex,
    Id,
    IdList,
    Record,
    TimePoint,
    _as_tuple,
    _check_end,
    _check_tz,
    _end_utc,
    _Model,
    _start_utc,
)
from flighttrace.scenario.crossref import crossref_problems, expand_group, fmt_loc, unknown_name

__all__ = [
    "Source", "Meta", "Aircraft", "Selector", "Fleet", "CustomSite", "Airports", "Event", "Route", "Window",
    "Subject", "ClaimTest", "TEST_KINDS", "Claim", "Scenario",
]


def _check_kind(value: str) -> str:
    if value not in KINDS:
        raise ValueError(f"{value!r} is not a scenario kind; known: {', '.join(KINDS)}")
    return value


def _check_unit(value: str) -> str:
    units = all_units()
    if value not in units:
        raise ValueError(f"{value!r} is not a subject unit; known: {', '.join(units)}")
    return value


ScenarioKind = Annotated[str, AfterValidator(_check_kind)]
Unit = Annotated[str, AfterValidator(_check_unit)]

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

    ``kind`` names a scenario kind of :mod:`flighttrace.kinds`: ``sorties``
    (a fleet on a route pattern; the default) or ``disruption`` (airport
    closures, diversions and holding); it decides which analysis, report
    pages, map and simulated world a scenario gets.
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

    @field_validator("route", "airport")
    @classmethod
    def _required_by_unit(cls, v: str | None, info: ValidationInfo) -> str | None:
        """A route for the units counted along one (sorties), an airport for those counted at one."""
        unit = info.data.get("unit")
        needed = route_units() if info.field_name == "route" else airport_units()
        if v is None and unit in needed:
            raise ValueError(f"field required when unit is {unit!r}")
        return v


TEST_KINDS: tuple[type[ClaimTest], ...] = tuple(claim_test_models().values())
"""The claim-test models of every scenario kind, one per ``kind``."""

if TYPE_CHECKING:  # a union built at run time is no type to a checker: every test is a ClaimTest
    AnyTest = ClaimTest
else:
    AnyTest = Annotated[Union[TEST_KINDS], Field(discriminator="kind")]  # noqa: UP007 (a union built from a tuple at run time)


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
        need = self.test.units
        unit = self.subject.unit
        if need and unit not in need:
            raise ValueError(f"a {self.test.kind} test needs subject.unit {' or '.join(repr(u) for u in need)}, not {unit!r}")
        owners = reserved_units().get(unit)
        if not need and owners:
            raise ValueError(f"subject.unit {unit!r} is tested with {', '.join(owners)}, not {self.test.kind}")
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
            raise ValueError("; ".join(f"{fmt_loc(p)}: {m}" for p, m in problems))
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
        raise KeyError(unknown_name(what, key, [it.id for it in items]))

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
        return frozenset(expand_group(name_or_code, self.airports.groups, self.airport_index(), ()))

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


