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
                out.append(((*loc, i, "id"), f"duplicate {what} id {key!r} (first at {fmt_loc((*loc, seen[key]))})"))
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
                out.append((at, unknown_name(what, key, known)))

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
                        expand_group(code, groups, index, ())
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
                    expand_group(m, groups, index, (name,))
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
        model = claim_test_models().get(kind) if isinstance(kind, str) else None
        for key in model.airport_fields if model is not None else ():
            need_airport(_get(test, key), (*loc, "test", key))
        for key in model.event_fields if model is not None else ():
            if _get(test, key) != "all":
                need(events, "event", _get(test, key), (*loc, "test", key))
    return out




def fmt_loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


