"""Cross references of a scenario file, checked on the raw mapping so that they are found even when other fields fail."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from flighttrace.kinds import claim_test_models
from flighttrace.reference.airports import AirportIndex

__all__ = ["crossref_problems", "expand_group", "fmt_loc", "unknown_name"]


def unknown_name(what: str, key: Any, known: Iterable[str]) -> str:
    known = sorted(set(known))
    if not known:
        return f"unknown {what} {key!r}; none are defined"
    if len(known) > 12:
        close = difflib.get_close_matches(str(key), known, n=6, cutoff=0.0)
        return f"unknown {what} {key!r}; closest known: {', '.join(close)} ({len(known)} known)"
    return f"unknown {what} {key!r}; known: {', '.join(known)}"


def expand_group(name: str, groups: Mapping[str, Any], index: AirportIndex, trail: tuple[str, ...]) -> set[str]:
    if name in groups:
        if name in trail:
            raise KeyError(f"group cycle: {' → '.join((*trail, name))}")
        out: set[str] = set()
        for member in groups[name]:
            out |= expand_group(member, groups, index, (*trail, name))
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


class _Checker:
    """The references of one raw scenario mapping, checked part by part; problems gather in ``out``."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.out: list[tuple[tuple[Any, ...], str]] = []
        self.meta, self.fleet, self.airports = _get(raw, "meta"), _get(raw, "fleet"), _get(raw, "airports")
        self.sources = self.ids_of(_get(self.meta, "sources"), ("meta", "sources"), "source")
        self.events = self.ids_of(_get(raw, "events"), ("events",), "event")
        self.selectors = self.ids_of(_get(self.fleet, "selectors"), ("fleet", "selectors"), "selector")
        self.routes = self.ids_of(_get(raw, "routes"), ("routes",), "route")
        self.ids_of(_get(raw, "claims"), ("claims",), "claim")
        self.ids_of(_get(self.airports, "custom"), ("airports", "custom"), "custom site")
        groups_raw = _get(self.airports, "groups")
        self.groups: dict[str, Any] = dict(groups_raw) if isinstance(groups_raw, Mapping) else {}
        self.index = AirportIndex.default().with_sites(self._sites())

    def ids_of(self, items: Any, loc: tuple[Any, ...], what: str) -> dict[str, int]:
        """Ids of a list of items → their index; a duplicate is a problem."""
        seen: dict[str, int] = {}
        for i, it in _seq(items):
            key = _get(it, "id")
            if not isinstance(key, str):
                continue
            if key in seen:
                self.out.append(((*loc, i, "id"), f"duplicate {what} id {key!r} (first at {fmt_loc((*loc, seen[key]))})"))
            else:
                seen[key] = i
        return seen

    def _sites(self) -> list[dict[str, Any]]:
        """The valid custom sites, for the airport index."""
        sites = []
        for _, site in _seq(_get(self.airports, "custom")):
            lat, lon, sid = _get(site, "lat"), _get(site, "lon"), _get(site, "id")
            if isinstance(sid, str) and isinstance(lat, int | float) and isinstance(lon, int | float):
                kind = _get(site, "kind")
                sites.append({"id": sid, "name": str(_get(site, "name") or sid), "lat": lat, "lon": lon,
                              "kind": kind if kind in ("airport", "heliport", "seaplane") else "airport"})
        return sites

    def need(self, known: Mapping[str, int], what: str, value: Any, loc: tuple[Any, ...]) -> None:
        """Each id in ``value`` must be one of ``known``."""
        for at, key in _ids_at(value, loc):
            if key not in known:
                self.out.append((at, unknown_name(what, key, known)))

    def need_airport(self, value: Any, loc: tuple[Any, ...], *, allow_groups: bool = True) -> None:
        """Each code in ``value`` must be a field (or, when allowed, a group that expands to fields)."""
        for at, code in _ids_at(value, loc):
            if allow_groups and code in self.groups:
                continue
            if code not in self.index:
                if allow_groups:
                    try:
                        expand_group(code, self.groups, self.index, ())
                    except KeyError as exc:
                        self.out.append((at, str(exc.args[0])))
                else:
                    self.out.append((at, self.index.unknown_message(code)))

    def fleet_and_sources(self) -> None:
        """Sources named by the fleet, sites, events and routes; duplicate hexes; route airports."""
        fleet, airports = self.fleet, self.airports
        for i, a in _seq(_get(fleet, "aircraft")):
            self.need(self.sources, "source", _get(a, "source"), ("fleet", "aircraft", i, "source"))
        seen_hex: dict[str, int] = {}
        for i, a in _seq(_get(fleet, "aircraft")):
            h = _get(a, "hex")
            h = str(h).strip().lower() if h is not None else None
            if h and h in seen_hex:
                self.out.append((("fleet", "aircraft", i, "hex"), f"duplicate hex {h!r} (first at fleet.aircraft[{seen_hex[h]}])"))
            elif h:
                seen_hex[h] = i
        for i, s in _seq(_get(fleet, "selectors")):
            self.need(self.sources, "source", _get(s, "source"), ("fleet", "selectors", i, "source"))
        for i, s in _seq(_get(airports, "custom")):
            self.need(self.sources, "source", _get(s, "source"), ("airports", "custom", i, "source"))
        self.need(self.sources, "source", _get(airports, "source"), ("airports", "source"))
        for i, e in _seq(_get(self.raw, "events")):
            self.need(self.sources, "source", _get(e, "sources"), ("events", i, "sources"))
        for i, r in _seq(_get(self.raw, "routes")):
            self.need(self.sources, "source", _get(r, "source"), ("routes", i, "source"))
            self.need_airport(_get(r, "sequence"), ("routes", i, "sequence"))

    def airport_codes_and_groups(self) -> None:
        """Codes are fields; groups expand to fields without cycles; aliases name known places."""
        self.need_airport(_get(self.airports, "codes"), ("airports", "codes"), allow_groups=False)
        for name, members in self.groups.items():
            loc = ("airports", "groups", name)
            if isinstance(name, str) and name in self.index:
                self.out.append((loc, f"group name {name!r} is also an airport code; rename the group"))
            for j, m in _seq([members] if isinstance(members, str) else members):
                if not isinstance(m, str):
                    continue
                if m in self.groups:
                    try:
                        expand_group(m, self.groups, self.index, (name,))
                    except KeyError as exc:
                        self.out.append(((*loc, j), str(exc.args[0])))
                elif m not in self.index:
                    self.out.append(((*loc, j), self.index.unknown_message(m)))
        aliases = _get(self.airports, "aliases")
        for key in aliases if isinstance(aliases, Mapping) else ():
            self.need_airport(key, ("airports", "aliases", key))

    def claims(self) -> None:
        """Each claim's sources, window event, fleet, route, airports, and the fields its test names."""
        for i, c in _seq(_get(self.raw, "claims")):
            loc = ("claims", i)
            for key in ("source", "via", "attributed_to"):
                self.need(self.sources, "source", _get(c, key), (*loc, key))
            self.need(self.events, "event", _get(_get(c, "window"), "event"), (*loc, "window", "event"))
            subj = _get(c, "subject")
            self.need(self.selectors, "selector", _get(subj, "fleet"), (*loc, "subject", "fleet"))
            self.need(self.routes, "route", _get(subj, "route"), (*loc, "subject", "route"))
            for key in ("airport", "from", "to"):
                self.need_airport(_get(subj, key), (*loc, "subject", key))
            test = _get(c, "test")
            kind = _get(test, "kind")
            model = claim_test_models().get(kind) if isinstance(kind, str) else None
            for key in model.airport_fields if model is not None else ():
                self.need_airport(_get(test, key), (*loc, "test", key))
            for key in model.event_fields if model is not None else ():
                if _get(test, key) != "all":
                    self.need(self.events, "event", _get(test, key), (*loc, "test", key))


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
    check = _Checker(raw)
    check.fleet_and_sources()
    check.airport_codes_and_groups()
    check.claims()
    return check.out




def fmt_loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


