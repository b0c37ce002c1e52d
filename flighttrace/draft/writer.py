"""The draft scenario: a mapping ``flighttrace`` loads, and its YAML.

Every claim carries ``status: draft`` and a ``draft`` record: the character
span of its sentence in the article, the shortest snippet that is unique in
the article (a pointer for the reviewer, never the sentence), the span of the
words that made it a claim, where its window, places, fleet and source came
from, and which bands are our estimates. The article's sentences are not
copied: everything points at them by offset.

Windows are whole days in the local time of the claim's field when all its
fields share one time zone (``airportsdata``), as the seeds do for Moscow;
else whole UTC days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo
from collections import Counter
from typing import Any, Final

import yaml

from flighttrace.draft.claims import Assembly, Candidate, EventCandidate
from flighttrace.draft.places import Place, airport_records
from flighttrace.draft.text import Article

__all__ = ["SNIPPET_MAX", "SNIPPET_MIN", "DraftInputs", "build_mapping", "snippet", "to_yaml"]

SNIPPET_MIN: Final = 6
"""Shortest snippet (characters) quoted to point at a sentence."""

SNIPPET_MAX: Final = 24
"""Longest snippet quoted; past that the span alone identifies the sentence."""

DISRUPTION_UNITS: Final = ("movements", "diversions", "holdings")


class DraftInputs:
    """What the writer needs besides the assembly: the article, its language and date, the scenario."""

    def __init__(self, article: Article, lang: str, date: dt.date | None, date_how: str, scenario: Any | None, source_id: str,
                 source_date: str | None) -> None:
        self.article, self.lang, self.date, self.date_how = article, lang, date, date_how
        self.scenario, self.source_id, self.source_date = scenario, source_id, source_date


def snippet(text: str, start: int, end: int) -> str:
    """The shortest start of ``text[start:end]`` (at least :data:`SNIPPET_MIN` characters) found once in ``text``."""
    for n in range(SNIPPET_MIN, min(SNIPPET_MAX, end - start) + 1):
        piece = text[start : start + n]
        if text.count(piece) == 1:
            return piece
    return text[start : start + min(SNIPPET_MIN, end - start)]


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", text.lower()).strip("-")
    return s or "x"


def _tz_of(codes: tuple[str, ...]) -> str:
    recs = airport_records()
    zones = {recs[c]["tz"] if c in recs else "" for c in codes}
    return zones.pop() if len(zones) == 1 and "" not in zones else ""


class _Builder:
    """Collects the parts of the mapping as the claims are written."""

    def __init__(self, inp: DraftInputs) -> None:
        self.inp = inp
        self.codes: set[str] = set()
        self.groups: dict[str, list[str]] = {}
        self.aliases: dict[str, list[str]] = {}
        self.selectors: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.copied_events: set[str] = set()
        self.copied_selectors: set[str] = set()
        self.tz: Counter[str] = Counter()

    # -- places ------------------------------------------------------------------

    def ref(self, p: Place) -> str:
        """The name a claim uses for a place, registering codes and groups."""
        scn = self.inp.scenario
        if p.kind == "group" and scn is not None:
            self._copy_group(p.ref)
            return p.ref
        if p.ref and p.kind != "group":
            self.codes.add(p.ref)
            self._alias(p.ref, p)
            return p.ref
        recs = airport_records()
        city = recs[p.codes[0]]["city"] if p.codes and p.codes[0] in recs else ""
        name = f"{_slug(p.name if p.name.isascii() else city or p.codes[0])}-fields"
        if p.via == "list":  # fields named together: named by their codes, never mistaken for a city's fields
            name = "-".join(c.lower() for c in p.codes)
        self.groups[name] = list(p.codes)
        self.codes.update(p.codes)
        self._alias(name, p)
        return name

    def _alias(self, ref: str, p: Place) -> None:
        if p.via in ("alias",):
            return
        names = self.aliases.setdefault(ref, [])
        if p.name not in names and p.name.upper() != ref:
            names.append(p.name)

    def _copy_group(self, name: str) -> None:
        scn = self.inp.scenario
        if name in self.groups or scn is None:
            return
        members = list(scn.airports.groups[name])
        self.groups[name] = members
        for m in members:
            if m in scn.airports.groups:
                self._copy_group(m)
            else:
                self.codes.add(m)

    # -- fleet ---------------------------------------------------------------------

    def fleet(self, c: Candidate) -> str:
        if c.fleet:
            self.copied_selectors.add(c.fleet)
            return c.fleet
        codes = c.hint.get("typecodes") or []
        if not codes:
            return ""
        sid = "-".join(_slug(x) for x in codes)
        self.selectors.setdefault(sid, {"id": sid, "name": f"{', '.join(c.hint.get('types', codes))} (type named in the article)",
                                        "typecodes": list(codes),
                                        "notes": "Drafted from the type the article names; add the operator's hexes or callsign prefixes."})
        return sid

    # -- windows -------------------------------------------------------------------

    def window(self, c: Candidate, fields: tuple[str, ...]) -> dict[str, Any] | None:
        w = c.window
        if w is None:
            return None
        if w.event_hint is not None:
            ev = self._event_for(*w.event_hint)
            if ev:
                return {"event": ev, "lead": "0d", "lag": "0d"}
        assert w.start is not None and w.end is not None
        tz = _tz_of(fields)
        if tz:
            self.tz[tz] += 1
            z = zoneinfo.ZoneInfo(tz)
            start = dt.datetime.combine(w.start, dt.time(), z)
            end = dt.datetime.combine(w.end + dt.timedelta(days=1), dt.time(), z)
            return {"start": start.isoformat(), "end": end.isoformat()}
        return {"start": w.start.isoformat(), "end": w.end.isoformat()}

    def _event_for(self, kind: str, year: int) -> str:
        scn = self.inp.scenario
        pool = [(e.id, e.kind, e.span()) for e in (scn.events if scn is not None else ())]
        pool += [(eid, e["kind"], None) for eid, e in self.events.items()]
        for eid, ekind, span in pool:
            if ekind != kind:
                continue
            start_year = span[0].year if span is not None else int(self.events[eid]["start"][:4])
            if start_year == year:
                if span is not None:
                    self.copied_events.add(eid)
                return eid
        return ""


def _claim_statement(c: Candidate, subject: dict[str, Any], window: dict[str, Any]) -> str:
    where = subject.get("airport", "") or c.test.get("airport", "")
    frm = f" from {subject['from']}" if subject.get("from") else ""
    when = f"during {window['event']}" if "event" in window else f"from {str(window['start'])[:10]} to the end of {_last_day(window)}"
    t = c.test
    what = {
        "count_at_least": f"at least {t.get('value')} {c.unit}", "count_at_most": f"at most {t.get('value')} {c.unit}",
        "count_between": f"between {t.get('min')} and {t.get('max')} {c.unit}", "mean_interval": f"{c.unit} at most {t.get('max')} apart on average",
        "ground_time": f"stays on the ground of {t.get('min')} to {t.get('max')} (median)",
        "destinations_within": f"departures only to {', '.join(t.get('airports', []))}",
        "closure": f"{'each' if t.get('require') == 'each' else 'at least one'} field closed for {t.get('min_duration')} or more",
        "diversions_at_least": f"at least {t.get('value')} flight(s) diverted", "holding_at_least": f"at least {t.get('value')} flight(s) held in the air",
    }[c.kind]
    return f"Drafted from the article, to be checked: {what} at {where}{frm}, {when}."


def _last_day(window: dict[str, Any]) -> str:
    end = str(window["end"])
    if "T" in end:
        return (dt.date.fromisoformat(end[:10]) - dt.timedelta(days=1)).isoformat()
    return end


def _place_record(p: Place, role: str = "") -> dict[str, Any]:
    rec: dict[str, Any] = {"name": p.name, "span": list(p.span), "via": p.via}
    if p.codes:
        rec["codes"] = list(p.codes)
    if role:
        rec["role"] = role
    return rec


def _attributed_to(c: Candidate, inp: DraftInputs) -> str:
    scn = inp.scenario
    if scn is None:
        return ""
    outlets = [a.outlet for a in c.attribution if a.outlet]
    when = c.said_on or inp.date or (c.window.end if c.window is not None else None)
    for outlet in outlets:
        hits = [s for s in scn.meta.sources if s.outlet.lower().startswith(outlet.lower()) and s.id != inp.source_id]
        if hits:
            def gap(s: Any) -> int:
                if not s.date or when is None:
                    return 10**6
                return abs((dt.date.fromisoformat((s.date + "-01-01")[:10]) - when).days)
            return min(hits, key=gap).id
    return ""


def _claim(c: Candidate, n: int, b: _Builder) -> dict[str, Any] | None:
    inp = b.inp
    if c.airport is None:  # every claim needs a field (its window is the field's day); a sorties claim too
        return None
    if c.kind == "destinations_within" and not c.destinations:
        return None
    airport = b.ref(c.airport)
    subject: dict[str, Any] = {"unit": c.unit}
    test = dict(c.test)
    fields = c.airport.codes
    if c.unit not in DISRUPTION_UNITS:
        sel = b.fleet(c)
        if sel:
            subject["fleet"] = sel
        subject["airport"] = airport
        if c.from_ is not None:
            subject["from"] = b.ref(c.from_)
    elif c.kind == "closure":
        test["airport"] = airport
    else:
        subject["airport"] = airport
    if c.kind == "ground_time":
        test["airport"] = airport
    if c.kind == "destinations_within":
        test["airports"] = [b.ref(p) for p in c.destinations]
    window = b.window(c, fields)
    if window is None:
        return None
    test = {"kind": test.pop("kind"), **test}
    c = dataclasses.replace(c, test=test)
    cid = f"d{n:02d}-{c.kind.replace('_', '-')}"
    attributed = _attributed_to(c, inp)
    rec = {
        "id": cid,
        "statement": _claim_statement(c, subject, window),
        "source": inp.source_id,
        **({"attributed_to": attributed} if attributed else {}),
        "record": "second-hand" if attributed else "published",
        "window": window,
        "subject": subject,
        "test": test,
        "status": "draft",
        "notes": "; ".join(c.estimates) if c.estimates else "",
        "draft": _draft_record(c, inp),
    }
    if not rec["notes"]:
        del rec["notes"]
    return rec


def _draft_record(c: Candidate, inp: DraftInputs) -> dict[str, Any]:
    text = inp.article.text
    s = c.sentence
    rec: dict[str, Any] = {"span": [s.start, s.end], "snippet": snippet(text, s.start, s.end), "cue": list(c.cue_span)}
    w = c.window
    if w is not None:
        wr: dict[str, Any] = {"from": w.how}
        if w.mention is not None:
            wr["span"] = list(w.mention.span)
            wr["year"] = w.mention.year
        if w.time_of_day:
            wr["time_of_day"] = w.time_of_day
        if w.event_hint is not None:
            wr["event"] = f"{w.event_hint[0]} of {w.event_hint[1]}"
        rec["window"] = wr
    places = []
    if c.airport is not None:
        places.append(_place_record(c.airport, "airport"))
    if c.from_ is not None:
        places.append(_place_record(c.from_, "from"))
    places += [_place_record(p, "destination") for p in c.destinations]
    places += [_place_record(p, "alternate") for p in c.alternates]
    rec["places"] = places
    if c.hint:
        rec["fleet_hint"] = c.hint
    if c.attribution:
        rec["attribution"] = [{k: v for k, v in (("cue", a.cue), ("who", a.who), ("outlet", a.outlet), ("data", a.data), ("span", list(a.span))) if v}
                              for a in c.attribution]
    if c.inherited:
        rec["inherited"] = list(c.inherited)
    return rec


def _event(e: EventCandidate, inp: DraftInputs) -> tuple[str, dict[str, Any]]:
    d = e.mention
    eid = f"{e.kind}-{d.start.isoformat()}" + (f"-{d.end.isoformat()}" if d.end != d.start else "")
    rec = {
        "id": eid,
        "name": f"{e.kind.capitalize()} named by the article ({d.start.isoformat()}" + (f" to {d.end.isoformat()})" if d.end != d.start else ")"),
        "kind": e.kind,
        "start": d.start.isoformat(),
        **({"end": d.end.isoformat()} if d.end != d.start else {}),
        "sources": [inp.source_id],
        "confidence": "uncertain",
        "notes": f"Drafted from the sentence at characters {e.sentence.start}-{e.sentence.end} (date words at {d.span[0]}-{d.span[1]}, year: {d.year}); status: draft.",
    }
    return eid, rec


def _article_source(inp: DraftInputs) -> dict[str, Any]:
    a = inp.article
    scn = inp.scenario
    if scn is not None:
        for s in scn.meta.sources:
            if s.id == inp.source_id:
                return s.model_dump(mode="json", exclude_defaults=True)
    name = a.path.rsplit("/", 1)[-1] if a.path else "article"
    rec: dict[str, Any] = {
        "id": inp.source_id,
        "outlet": "Unknown outlet (to fill in)",
        "title": a.title or f"Article {name}",
        **({"date": inp.date.isoformat()} if inp.date is not None and inp.date_how != "guessed" else {}),
        "file": a.path or name,
        "language": "en" if inp.lang == "en" else "zh",
        "access": "original",
        "confidence": "uncertain",
        "notes": "Drafted by flighttrace draft; set outlet, access and confidence when reviewing.",
    }
    return rec


def _copied(b: _Builder) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], set[str]]:
    """(selectors, aircraft, events) copied from the existing scenario, and the sources they name."""
    scn = b.inp.scenario
    if scn is None:
        return [], [], [], set()
    sels = [s.model_dump(mode="json", exclude_defaults=True) for s in scn.fleet.selectors if s.id in b.copied_selectors]
    hexes = {h for s in scn.fleet.selectors if s.id in b.copied_selectors for h in s.hexes}
    regs = {r for s in scn.fleet.selectors if s.id in b.copied_selectors for r in s.registrations}
    aircraft = [a.model_dump(mode="json", by_alias=True, exclude_defaults=True) for a in scn.fleet.aircraft
                if (a.hex is not None and a.hex in hexes) or a.registration.upper() in regs]
    events = [e.model_dump(mode="json", exclude_defaults=True) for e in scn.events if e.id in b.copied_events]
    sources = {x for s in sels for x in s.get("source", [])} | {x for a in aircraft for x in a.get("source", [])}
    sources |= {x for e in events for x in e.get("sources", [])}
    return sels, aircraft, events, sources


def build_mapping(asm: Assembly, inp: DraftInputs, *, keep: set[str] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The draft scenario as a mapping (see the module docs).

    Parameters
    ----------
    asm
        The candidate claims and events.
    inp
        The article, its language and date, and the existing scenario.
    keep
        Only these claim and event ids (``None``: all), for a draft against a scenario.
    extra
        More entries for the top-level ``draft`` record (covered claims, differences).
    """
    b = _Builder(inp)
    for e in asm.events:
        eid, rec = _event(e, inp)
        if keep is None or eid in keep:
            b.events.setdefault(eid, rec)
    claims: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for n, c in enumerate(asm.claims, start=1):
        got = _claim(c, n, b)
        if got is None:
            skipped.append({"span": [c.sentence.start, c.sentence.end], "kind": c.kind,
                            "reason": "no field named or inherited" if c.airport is None else "no date named or inherited"})
        elif keep is None or got["id"] in keep:
            claims.append(got)
    skipped += [{"span": [s.start, s.end], "kind": "none", "reason": why} for s, why in asm.left_out]
    skipped += [{"span": [c.sentence.start, c.sentence.end], "kind": c.kind, "reason": why, "asserted": False} for c, why in asm.not_asserted]
    skipped += [{"span": [s.start, s.end], "kind": "event", "reason": f"{kind}: {why}", "asserted": False}
                for s, kind, why in asm.events_not_asserted]
    skipped.sort(key=lambda r: r["span"])
    sels, aircraft, copied_events, copied_sources = _copied(b)
    scn = inp.scenario
    sources = [_article_source(inp)]
    if scn is not None:
        sources += [s.model_dump(mode="json", exclude_defaults=True) for s in scn.meta.sources
                    if s.id != inp.source_id and (s.id in copied_sources or any(c.get("attributed_to") == s.id for c in claims))]
    disruption = sum(c["subject"]["unit"] in DISRUPTION_UNITS for c in claims)
    name = inp.article.path.rsplit("/", 1)[-1] if inp.article.path else "the article"
    meta = {
        "title": f"Draft: the claims of {name}",
        "summary": (f"Claims and events proposed by flighttrace draft from {name} ({inp.lang}), each pointing at its sentence by "
                    "character offsets. Review each one, then set status: confirmed (or delete it)."),
        "kind": "disruption" if disruption * 2 > len(claims) else "sorties",
        "synthetic": False,
        "report_tz": b.tz.most_common(1)[0][0] if b.tz else "UTC",
        "sources": sources,
    }
    airports: dict[str, Any] = {"codes": sorted(b.codes)}
    if b.groups:
        airports["groups"] = {k: v for k, v in sorted(b.groups.items())}
    aliases = {k: v for k, v in sorted(b.aliases.items()) if v}
    if aliases:
        airports["aliases"] = aliases
    mapping: dict[str, Any] = {"version": 1, "meta": meta}
    if sels or b.selectors:
        mapping["fleet"] = {**({"aircraft": aircraft} if aircraft else {}), "selectors": sels + list(b.selectors.values())}
    mapping["airports"] = airports
    mapping["events"] = copied_events + list(b.events.values())
    mapping["claims"] = claims
    mapping["draft"] = _draft_meta(inp, skipped, asm, extra)
    return mapping


def _draft_meta(inp: DraftInputs, skipped: list[dict[str, Any]], asm: Assembly, extra: dict[str, Any] | None) -> dict[str, Any]:
    from flighttrace import __version__

    a = inp.article
    places = [p for f in asm.facts for p in f.places]
    rec: dict[str, Any] = {
        "tool": f"flighttrace {__version__}",
        "article": {"file": a.path, "kind": a.kind, "sha256": a.file_sha256, "text_sha256": a.text_sha256, "text": a.extractor,
                    "characters": len(a.text)},
        "language": inp.lang,
        "date": {"value": inp.date.isoformat() if inp.date else None, "from": inp.date_how},
        "offsets": "Unicode characters of the article text (see draft.article.text), start included, end excluded",
    }
    if a.excluded:
        rec["boilerplate"] = [list(x) for x in a.excluded]
    unmatched = sorted({p.name for p in places if p.kind == "unmatched"})
    if unmatched:
        rec["unmatched_places"] = [{"name": n, "spans": [list(p.span) for p in places if p.name == n and p.kind == "unmatched"],
                                    **({"ambiguous": list(opts)} if (opts := next((p.candidates for p in places if p.name == n and p.candidates), ())) else {})}
                                   for n in unmatched]
    countries = sorted({p.name for p in places if p.kind == "country"})
    if countries:
        rec["countries"] = countries
    if skipped:
        rec["skipped"] = skipped
    if inp.scenario is not None and inp.scenario.path:
        rec["scenario"] = inp.scenario.path
    rec.update(extra or {})
    return rec


class _Dumper(yaml.SafeDumper):
    """Block style, keys in insertion order, short lists inline."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never write YAML anchors: each record reads on its own."""
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> Any:
    flow = all(isinstance(x, (int, float, str)) and len(str(x)) < 40 for x in data) and len(data) <= 8
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def to_yaml(mapping: dict[str, Any]) -> str:
    """The draft as YAML, with a header saying what it is."""
    head = (
        "# Draft scenario written by `flighttrace draft`. Every claim is `status: draft`: review it against the\n"
        "# article (draft.span gives the sentence's character offsets), fix what is wrong, then set\n"
        "# `status: confirmed` or delete it. `report` and `analyze` refuse unconfirmed drafts unless --allow-draft.\n"
    )
    body = yaml.dump(mapping, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    return head + body
