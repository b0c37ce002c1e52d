"""From sentences to candidate claims and events.

Each sentence (boilerplate left out) is read for:

- counts of flights (a number with a flight noun: "at least six … flights",
  "至少有6架…航班", "92架次") → ``count_at_least`` / ``count_at_most`` /
  ``count_between`` of landings (or departures) at the place the flights went
  to (or came from);
- a rate ("every two days", "每两天一次") → ``mean_interval``;
- a stay ("stayed several hours on the runway", "逗留了几个小时") →
  ``ground_time`` at the place of the stay;
- where the aircraft went next ("then left for Baku or Ganja",
  "然后离开前往巴库或加尼贾") → ``destinations_within``;
- airports closed, flights diverted, flights delayed → ``closure``,
  ``diversions_at_least``, ``holding_at_least`` (a delay is what ADS-B can
  see of it: aircraft held in the air);
- dated fighting, attacks and the like → events of the timeline.

A sentence that names no date, place, fleet or source for its claim takes
them from the sentences just before it (a date from up to
:data:`WINDOW_CONTEXT` sentences back, a place or fleet from up to
:data:`PLACE_CONTEXT`, a source from the sentence before), and the draft
says so (``inherited``).

Bands the text does not give are our reading and are marked as estimates:
see :data:`ABOUT_BAND`, :data:`SEVERAL_HOURS`, :data:`CLOSURE_MIN_DURATION`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any, Final

from flighttrace.draft import cues
from flighttrace.draft.dates import DateContext, DateMention, find_dates
from flighttrace.draft.entities import (
    AircraftType,
    Attribution,
    Operator,
    find_attribution,
    find_operators,
    find_types,
    fleet_hint,
    selector_for,
)
from flighttrace.draft.numbers import (
    Quantity,
    chinese_number,
    find_quantities,
    word_number,
)
from flighttrace.draft.places import Gazetteer, Place, find_places
from flighttrace.draft.stance import not_asserted
from flighttrace.draft.text import Article, Sentence, split_sentences
from flighttrace.draft.text import clause as _clause

__all__ = ["ABOUT_BAND", "CLOSURE_MIN_DURATION", "SEVERAL_HOURS", "Candidate", "EventCandidate", "Facts", "assemble"]

ABOUT_BAND: Final = 0.25
""""About N" is read as N ± 25 % (rounded), "nearly N" as N − 25 % to N [estimate]."""

SEVERAL_HOURS: Final = (2.0, 9.0)
""""Several hours" / "几个小时" / "hours" as a band of hours on the ground [estimate: 'several' is two to nine]."""

CLOSURE_MIN_DURATION: Final = "30min"
"""Shortest gap in movements read as "closed" when the text gives no length [estimate]."""

WINDOW_CONTEXT: Final = 8
"""How many sentences back a claim without a date looks for one."""

PLACE_CONTEXT: Final = 3
"""How many sentences back a claim without a place (or fleet) looks for one."""


@dataclasses.dataclass
class Window:
    """A proposed window: dates, or a timeline event; ``how`` says where it came from."""

    start: dt.date | None = None
    end: dt.date | None = None
    event_hint: tuple[str, int] | None = None  # (event kind, year) for "during the 2020 war"
    how: str = "sentence"
    mention: DateMention | None = None
    time_of_day: str = ""


@dataclasses.dataclass
class Candidate:
    """A candidate claim: its test, subject, window and where each part came from."""

    kind: str
    test: dict[str, Any]
    unit: str
    sentence: Sentence
    cue_span: tuple[int, int]
    airport: Place | None = None
    from_: Place | None = None
    destinations: list[Place] = dataclasses.field(default_factory=list)
    alternates: list[Place] = dataclasses.field(default_factory=list)
    window: Window | None = None
    fleet: str = ""
    hint: dict[str, Any] = dataclasses.field(default_factory=dict)
    attribution: list[Attribution] = dataclasses.field(default_factory=list)
    inherited: list[str] = dataclasses.field(default_factory=list)
    estimates: list[str] = dataclasses.field(default_factory=list)
    qualifier: str = ""
    said_on: dt.date | None = None


@dataclasses.dataclass
class EventCandidate:
    """A dated event of the timeline named by the text."""

    kind: str
    mention: DateMention
    sentence: Sentence


@dataclasses.dataclass
class Facts:
    """What one sentence names."""

    sentence: Sentence
    quantities: list[Quantity]
    dates: list[DateMention]
    places: list[Place]
    types: list[AircraftType]
    operators: list[Operator]
    attribution: list[Attribution]


@dataclasses.dataclass
class _State:
    """What earlier sentences named, for claims that leave it out."""

    window: tuple[int, Window] | None = None
    place: tuple[int, Place] | None = None
    fleet: tuple[int, str, dict[str, Any]] | None = None
    attribution: tuple[int, list[Attribution]] | None = None
    disruption_place: tuple[int, Place] | None = None


def _facts(text: str, lang: str, s: Sentence, ctx: DateContext | None, gaz: Gazetteer, scenario: Any | None) -> Facts:
    dates = find_dates(text, lang, ctx, s.start, s.end)
    types = find_types(text, s.start, s.end)
    # a number inside a date or an aircraft type ("Boeing 747", "伊尔76") is never a count
    quantities = [q for q in find_quantities(text, lang, s.start, s.end)
                  if not any(a <= q.start < b for a, b in [d.span for d in dates] + [t.span for t in types])]
    return Facts(s, quantities, dates, find_places(text, lang, gaz, s.start, s.end), types,
                 find_operators(text, s.start, s.end, scenario), find_attribution(text, s.start, s.end))


def _counts_flights(text: str, lang: str, q: Quantity, end: int) -> bool:
    """Whether the number ``q`` counts flights (a flight noun follows before anything else is counted)."""
    after = text[q.end : end]
    stop = re.search(r"[,;。;:]", after)
    after = after[: stop.start()] if stop else after[:80]
    if _TYPE_NEXT[lang == "en"].match(after):  # "three C-17s landed", "30架C-17降落": an aircraft type counts aircraft
        return True
    if lang == "en":
        after = " ".join(after.split()[:7])
        fl, nf = cues.cue("flight_noun", "en").search(after), re.search(rf"\b(?:{cues.CUES['not_flight_noun'][0]})\b", after, re.IGNORECASE)
        return fl is not None and (nf is None or fl.start() < nf.start())
    m = re.match(r"\s*(?:多|余)?\s*(?P<meas>架次|班次|航次|趟|班|架|次|个)?", after)
    meas = m.group("meas") if m else None
    rest = after[m.end() if m else 0 :][:25]
    fl, nf = cues.cue("flight_noun", lang).search(rest), cues.cue("not_flight_noun", lang).search(rest)
    if meas in ("架次", "班次", "航次", "趟", "班"):
        return nf is None or nf.start() > 0
    if meas in ("架", "次", "个"):
        return fl is not None and (nf is None or fl.start() < nf.start())
    return False


def _count_test(q: Quantity) -> tuple[dict[str, Any], list[str]]:
    v = q.integer
    lo, hi = round(v * (1 - ABOUT_BAND)), round(v * (1 + ABOUT_BAND))
    if q.qualifier == "more_than":
        return {"kind": "count_at_least", "value": v + 1}, []
    if q.qualifier == "at_most":
        return {"kind": "count_at_most", "value": v}, []
    if q.qualifier == "less_than":
        return {"kind": "count_at_most", "value": max(v - 1, 0)}, []
    if q.qualifier == "about":
        return {"kind": "count_between", "min": lo, "max": hi}, [f"'about {v}' read as {lo} to {hi} [estimate]"]
    if q.qualifier == "nearly":
        return {"kind": "count_between", "min": lo, "max": v}, [f"'nearly {v}' read as {lo} to {v} [estimate]"]
    notes = [] if q.qualifier == "at_least" else [f"a count of {v} read as at least {v}: tracking data can miss flights, not add them"]
    if q.vague:
        notes.append(f"a vague number read as at least {v} [estimate]")
    return {"kind": "count_at_least", "value": v}, notes


def _roles(text: str, lang: str, places: list[Place]) -> dict[str, list[Place]]:
    roles: dict[str, list[Place]] = {"from": [], "to": [], "at": [], "mention": []}
    for p in places:
        if p.codes:
            roles[cues.place_role(text, p.span[0], lang)].append(p)
    return roles


_CARRIED_CUES: Final = frozenset(["according to", "based on", "data show", "根据", "据"])
"""Attribution cues that may carry to the next sentence (marked ``inherited``): a source's data or reporting."""

_TYPE_NEXT: Final = (
    re.compile(r"\s*(?:多|余)?\s*(?:架次|架)\s*(?:俄制|美制|[^\W\d]{0,6}?的)?\s*(?:伊尔|安|图|运|C|Il|IL|An|AN|Tu|波音|空客|Boeing|Airbus|A3\d\d|7[0-8]7)\s?-?\s?\d"),
    re.compile(r"\s+(?:[A-Z][\w&-]*\s+){0,2}?(?:Ilyushin\s+|Antonov\s+|Boeing\s+|Airbus\s+)?(?:Il|IL|An|AN|Tu|C|KC|A|B|MD|DC|Y)-?\d{1,3}[A-Z]{0,3}s?\b"
               r"|\s+(?:Boeing\s+)?7[0-8]7s?\b"),
)
"""An aircraft type right after a number (Chinese, English): the number counts aircraft or their flights."""

_GROUND_BOUND: Final = re.compile(r"(?P<less>\bless\s+than\b|\bunder\b|\bfewer\s+than\b|不到|少于|不足)|(?P<more>\bmore\s+than\b|\bover\b|超过|逾)", re.IGNORECASE)
"""A bound on a stay: "less than an hour", "不到一个小时" (a maximum), "more than three hours", "超过三个小时" (a minimum)."""

_QUOTE: Final = re.compile(r"[\"“”「」『』]")
"""A quotation mark: the sentence gives someone's words."""

_NOT_FLIGHT_CONTEXT: Final = re.compile(r"shot\s+down|destroyed|downed|intercepted|击落|摧毁|拦截|击毁", re.IGNORECASE)


def _disruption_clauses(text: str, lang: str, s: Sentence) -> list[tuple[int, int]]:
    """The clauses of a sentence that say flights were diverted or delayed (their numbers are those tests' counts)."""
    return [_clause(text, m.start(), s.start, s.end) for role in ("diversion", "delay") for m in cues.cue(role, lang).finditer(text, s.start, s.end)]


def _count_claims(text: str, lang: str, f: Facts) -> list[Candidate]:
    out: list[Candidate] = []
    s = f.sentence
    interval = cues.search("interval", lang, text, s.start, s.end)
    disrupted = _disruption_clauses(text, lang, s)
    for q in f.quantities:
        if not _counts_flights(text, lang, q, s.end) or _NOT_FLIGHT_CONTEXT.search(text, max(s.start, q.start - 40), q.start):
            continue
        if interval is not None and interval.start() <= q.start < interval.end():
            continue
        if any(a <= q.start < b for a, b in disrupted):  # "five flights were diverted to Cologne": a diversion count, not landings
            continue
        test, notes = _count_test(q)
        roles = _roles(text, lang, f.places)
        landing = cues.search("landing", lang, text, s.start, s.end) is not None
        departure = cues.search("departure", lang, text, s.start, s.end) is not None
        c = Candidate(test["kind"], test, "landings", s, (q.qstart, q.end), estimates=notes, qualifier=q.qualifier)
        if roles["to"]:
            c.airport = roles["to"][0]
            c.from_ = roles["from"][0] if roles["from"] else None
        elif roles["from"] and departure and not landing:
            c.unit, c.airport = "departures", roles["from"][0]
        elif roles["at"] or roles["mention"]:
            c.airport = (roles["at"] or roles["mention"])[0]
            c.from_ = roles["from"][0] if roles["from"] and landing else None  # "14 flights from Tehran landed in Damascus"
            c.unit = "departures" if departure and not landing else "landings"
            if not landing and not departure:
                c.estimates.append("the text does not say whether the flights landed there or left from there; landings assumed")
        elif departure and not landing:
            c.unit = "departures"
        out.append(c)
    return out


def _interval_duration(m: re.Match[str], lang: str) -> str | None:
    g = m.groupdict()
    if g.get("alt"):
        return "2d"
    if g.get("k2"):  # "twice a week"
        per = {"day": 24, "week": 168, "month": 720}[(g.get("u3") or "").lower()]
        return _hours(per / {"once": 1, "twice": 2, "thrice": 3}[g["k2"].lower()])
    unit = g.get("u") or g.get("u2") or ""
    unit_h = {"day": 24, "days": 24, "天": 24, "日": 24, "week": 168, "weeks": 168, "周": 168, "星期": 168, "hour": 1, "hours": 1,
              "小时": 1, "month": 720, "months": 720, "个月": 720, "月": 720}.get(unit.lower())
    if unit_h is None:
        return None
    n_text = g.get("n") or ""
    if g.get("k"):  # "three flights a week": the interval is the period over the count
        k = _number(g["k"], lang)
        return _hours(unit_h / k) if k else None
    n = 2 if n_text.lower() == "other" else (_number(n_text, lang) if n_text else 1)
    if n and m.group().startswith("每隔"):  # 每隔一天 is every other day: N periods skipped, one flight every N + 1
        n += 1
    return _hours(unit_h * n) if n else None


def _in_hours(duration: str) -> float:
    """A duration written by :func:`_hours` (``2d``, ``56h``, ``90min``) in hours."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(d|h|min)", duration)
    if m is None:
        return 0.0
    return float(m.group(1)) * {"d": 24.0, "h": 1.0, "min": 1 / 60}[m.group(2)]


def _number(word: str, lang: str) -> int | None:
    if word.isdigit():
        return int(word)
    return word_number(word) if lang == "en" else chinese_number(word)


def _hours(h: float) -> str:
    if h >= 24 and h % 24 == 0:
        return f"{int(h // 24)}d"
    if h == int(h):
        return f"{int(h)}h"
    return f"{round(h * 60)}min"


def _interval_claims(text: str, lang: str, f: Facts) -> list[Candidate]:
    s = f.sentence
    m = cues.search("interval", lang, text, s.start, s.end)
    own = m is not None and re.search(r"flights?|landings?|sorties|rotations|missions?|航班|架次|班|飞", m.group(), re.IGNORECASE)
    if m is None or (not own and cues.search("flight_noun", lang, text, s.start, s.end) is None):  # "one mission a day", "每天…飞行一次"
        return []
    dur = _interval_duration(m, lang)
    if dur is None:
        return []
    c = Candidate("mean_interval", {"kind": "mean_interval", "max": dur}, "landings", s, (m.start(), m.end()))
    if m.group().startswith("每隔"):
        c.estimates.append(f"'{m.group()}' read strictly (the periods skipped, plus one) as one flight every {dur}; "
                           "writers sometimes mean one period less [estimate]")
    roles = _roles(text, lang, f.places)
    c.airport = next(iter(roles["to"] or roles["at"] or roles["mention"]), None)
    return [c]


def _ground_band(q: str, lang: str) -> tuple[float, float, str]:
    q = (q or "").strip().lower()
    if q in ("", "several", "a few", "a couple of", "几", "数"):
        return SEVERAL_HOURS[0], SEVERAL_HOURS[1], f"'several hours' read as {SEVERAL_HOURS[0]:g} to {SEVERAL_HOURS[1]:g} h [estimate]"
    parts = [p for p in re.split(r"\s*(?:-|to|–|到)\s*", q) if p]
    if q in ("两三", "一两"):
        parts = ["2", "3"] if q == "两三" else ["1", "2"]
    nums = [_number(p, lang) for p in parts]
    if not nums or any(n is None for n in nums):
        return SEVERAL_HOURS[0], SEVERAL_HOURS[1], f"'hours' read as {SEVERAL_HOURS[0]:g} to {SEVERAL_HOURS[1]:g} h [estimate]"
    if len(nums) >= 2:
        return float(nums[0]), float(nums[-1]), ""  # type: ignore[arg-type]
    n = float(nums[0])  # type: ignore[arg-type]
    return n * (1 - 0.5), n * 1.5, f"'{n:g} hours' read as {n * 0.5:g} to {n * 1.5:g} h [estimate]"


def _ground_claims(text: str, lang: str, f: Facts) -> list[Candidate]:
    s = f.sentence
    m = cues.search("ground_time", lang, text, s.start, s.end)
    if m is None:
        return []
    q = m.groupdict().get("q") or m.groupdict().get("q2") or ""
    q = "1" if q.strip().lower() in ("a", "an", "one") else q
    lo, hi, note = _ground_band(q, lang)
    test: dict[str, Any] = {"kind": "ground_time", "min": _hours(lo), "max": _hours(hi), "statistic": "median"}
    bound = _GROUND_BOUND.search(m.group())
    n = _number(q.strip(), lang) if q.strip() else None
    if bound is not None and n:  # "less than an hour" → at most 1h; "more than three hours", "超过三个小时" → at least 3h
        less = bound.group("less") is not None
        test = {"kind": "ground_time", **({"max": _hours(n)} if less else {"min": _hours(n)}), "statistic": "median"}
        note = ""
    c = Candidate("ground_time", test, "landings", s, (m.start(), m.end()), estimates=[note] if note else [])
    onward = [d.end() for d in cues.cue("destinations", lang).finditer(text, m.end(), s.end)]  # "then flew to X": X is not where they stayed
    roles = _roles(text, lang, [p for p in f.places if p.span[0] < m.end() + 20 and not any(p.span[0] >= e - 1 for e in onward[:1])])
    c.airport = next(iter(roles["at"] or roles["to"] or roles["mention"]), None)
    return [c]


def _destination_claims(text: str, lang: str, f: Facts) -> list[Candidate]:
    s = f.sentence
    for m in cues.cue("destinations", lang).finditer(text, s.start, s.end):
        after = [p for p in f.places if p.codes and p.span[0] >= m.end() - 1]
        if not after or after[0].span[0] - m.end() > (3 if lang != "en" else 6):
            continue
        dests = [after[0]]
        for p in after[1:]:
            if cues.cue("alternatives", lang).fullmatch(text[dests[-1].span[1] : p.span[0]]):
                dests.append(p)
            else:
                break
        stay = [p for p in f.places if p.codes and p.span[1] <= m.start() and p not in dests]
        c = Candidate("destinations_within", {"kind": "destinations_within"}, "departures", s, (m.start(), dests[-1].span[1]))
        c.destinations = dests
        c.airport = stay[-1] if stay else None
        return [c]
    return []


_ALTERNATE_BEFORE: Final = (
    re.compile(r"(?:divert\w*|re-?rout\w*|redirect\w*|sent|land\w*\s+instead)\s+(?:\w+\s+){0,3}?(?:to|into|at|in)\s+(?:the\s+)?$", re.IGNORECASE),
    re.compile(r"(?:备降|改降|转降|改飞|转场|转飞)(?:至|到|于|在|往)?$"),
)


def alternates(text: str, lang: str, f: Facts) -> list[Place]:
    """The places a sentence names as where diverted flights went ("diverted to Cologne", "备降科隆"): the alternates,
    never the field the flights were heading for."""
    rx = _ALTERNATE_BEFORE[0 if lang == "en" else 1]
    out: list[Place] = []
    for p in f.places:
        before = text[max(f.sentence.start, p.span[0] - 40) : p.span[0]]
        if p.codes and (rx.search(before) or (out and _same_list(text[out[-1].span[1] : p.span[0]], lang))):
            out.append(p)
    return out


def _same_list(between: str, lang: str) -> bool:
    """Whether two places are items of one list ("Ankara, Izmir or Sabiha Gokcen", "安卡拉、伊兹密尔或X"), names the
    draft did not match included."""
    if lang == "en":
        between = re.sub(r"\b[A-Z][\w'’-]*", "", between)
        return re.fullmatch(r"(?:\s*(?:,|or|and|&)\s*)+", between) is not None
    return len(between) <= 8 and re.search(r"[、,和或与及]", between) is not None and re.fullmatch(r"[、,和或与及\u4e00-\u9fff]*", between) is not None \
        and re.search(r"备降|改降|飞往|降落|起飞|前往|返回|关闭|航班|飞机", between) is None


def _disruption_claims(text: str, lang: str, f: Facts) -> list[Candidate]:
    s = f.sentence
    out: list[Candidate] = []
    alt = alternates(text, lang, f)
    targets = [p for p in f.places if p.codes and p not in alt]

    def pick(at: int) -> tuple[Place | None, bool]:
        """The field(s) a cue is about: those of its own clause, else of the sentence (alternates left out)."""
        clause = _clause(text, at, s.start, s.end)
        for group in ([p for p in targets if clause[0] <= p.span[0] < clause[1]], targets):
            one = next((p for p in group if p.kind in ("group", "city")), group[0] if group else None)
            listed = _listed_fields(text, lang, one, group)
            if one is not None:
                return listed or one, listed is not None
        return None, False

    closure = cues.search("closure", lang, text, s.start, s.end)
    target, listed = pick(closure.start()) if closure is not None else (None, False)
    if closure is not None and (target is not None or cues.search("airport_word", lang, text, s.start, s.end)):
        test: dict[str, Any] = {"kind": "closure", "min_duration": CLOSURE_MIN_DURATION}
        every = cues.search("all_of", lang, text, s.start, s.end) is not None or listed
        test["require"] = "each" if every else "any"
        if cues.search("reopened", lang, text, s.start, s.end):
            test["reopened"] = True
        stated = _closure_length(text, lang, closure.end(), s.end)
        if stated:
            test["min_duration"] = stated
        c = Candidate("closure", test, "movements", s, (closure.start(), closure.end()), airport=target,
                      estimates=[] if stated else [f"no length given: a gap of at least {CLOSURE_MIN_DURATION} [estimate]"])
        c.alternates = alt
        out.append(c)
    counts = [q for q in f.quantities if _counts_flights(text, lang, q, s.end)]
    for role, kind, unit in (("diversion", "diversions_at_least", "diversions"), ("delay", "holding_at_least", "holdings")):
        m = cues.search(role, lang, text, s.start, s.end)
        if m is None:
            continue
        clause = _clause(text, m.start(), s.start, s.end)
        near = [q for q in counts if clause[0] <= q.start < clause[1]]
        value, why = _disruption_floor(near[0]) if near else (1, "no number given: at least one [estimate]")
        c = Candidate(kind, {"kind": kind, "value": value}, unit, s, (m.start(), m.end()), airport=pick(m.start())[0])
        c.alternates = alt
        if why:
            c.estimates.append(why)
        if role == "delay":
            c.estimates.append("a delay is tested as aircraft held in the air; delays on the ground leave no ADS-B trace [estimate]")
        out.append(c)
    return out


def _disruption_floor(q: Quantity) -> tuple[int, str]:
    """The least count a diversion or holding figure allows (these tests only take "at least N"), and a note when it is not N.

    "nearly 40" and "about 40" allow fewer than 40 (the low end of :data:`ABOUT_BAND`); "more than 40" needs 41;
    "at most" and "less than" set no floor, so the test asks for at least one and says why.
    """
    v = q.integer
    lo = round(v * (1 - ABOUT_BAND))
    if q.qualifier in ("nearly", "about"):
        return max(lo, 1), f"'{q.qualifier} {v}' read as at least {max(lo, 1)} [estimate]"
    if q.qualifier == "more_than":
        return v + 1, ""
    if q.qualifier in ("at_most", "less_than"):
        return 1, f"'{q.qualifier.replace('_', ' ')} {v}' sets no floor: read as at least one [estimate]"
    return v, ""


def _closure_length(text: str, lang: str, at: int, hi: int) -> str:
    """The length a closure is given right after its cue ("closed for two hours", "关闭两个小时"), as a duration, or ''.

    A field closed that long leaves a gap in movements at least that long, so the stated length is the test's
    ``min_duration`` as it stands.
    """
    after = text[at : min(hi, at + 40)]
    # "closed for two hours", "halted departures for three hours", "关闭了两个小时", "暂停起飞三个小时"; "nearly" is no minimum
    rx = (r"^\s*(?:[a-z]+\s+){0,2}?for\s+(?:about\s+|around\s+|more\s+than\s+|over\s+)?(?P<n>\d+|[a-z]+)\s+(?P<u>hours?|minutes?)\b"
          if lang == "en" else r"^(?:起飞|起降|降落|航班|运营|运行)?了?(?:约|大约|超过)?(?P<n>\d+|[一二两三四五六七八九十半]+)个?(?:多)?(?P<u>小时|分钟)")
    m = re.match(rx, after, 0 if lang != "en" else re.IGNORECASE)
    if m is None:
        return ""
    word = m.group("n").lower()
    n = 1 if word in ("a", "an", "one") else (0.5 if word == "半" else _number(word, lang))
    if not n:
        return ""
    return _hours(n if m.group("u").lower().startswith(("h", "小")) else n / 60)


def _listed_fields(text: str, lang: str, target: Place | None, targets: list[Place]) -> Place | None:
    """Fields named together as one subject ("Sheremetyevo and Vnukovo airports", "谢列梅捷沃和伏努科沃机场"), as one
    place standing for all of them, or None when the target is named alone."""
    if target is None or target.kind not in ("airport", "city"):
        return None
    i = targets.index(target)
    run = [target]
    for p in targets[i + 1 :]:
        if p.kind not in ("airport", "city") or not cues.cue("alternatives", lang).fullmatch(text[run[-1].span[1] : p.span[0]]):
            break
        run.append(p)
    if len(run) < 2:
        return None
    codes = tuple(sorted({c for p in run for c in p.codes}))
    span = (run[0].span[0], run[-1].span[1])
    return Place(text[span[0] : span[1]], span, "city", codes, "", "list")


def _event_candidates(text: str, lang: str, f: Facts, ctx: DateContext | None, used: list[DateMention]) -> list[EventCandidate]:
    s = f.sentence
    m = cues.search("event", lang, text, s.start, s.end)
    if m is None:
        return []
    words = " ".join(x.group() for x in cues.cue("event", lang).finditer(text, s.start, s.end))
    kind = cues.event_kind(words, lang)
    out = []
    for d in f.dates:
        if d.granularity == "year" or d.open_end or (d.end - d.start).days > 400 or d in used:
            continue
        if ctx is not None and ctx.source == "article" and d.start > ctx.ref:
            continue
        out.append(EventCandidate(kind, d, s))
    return out


def _events_not_asserted(text: str, lang: str, f: Facts, shown: str) -> str:
    """Why none of a sentence's event words is asserted ("denied that it attacked", "if fighting breaks out", "no
    fighting"), or '' when one is (:func:`flighttrace.draft.stance.not_asserted`)."""
    s = f.sentence
    reasons = [not_asserted(text, lang, s, (m.start(), m.end()), f, event=True, shown=shown)
               for m in cues.cue("event", lang).finditer(text, s.start, s.end)]
    return reasons[0] if reasons and all(reasons) else ""


def _best_window(text: str, lang: str, f: Facts, cue_span: tuple[int, int]) -> Window | None:
    """The sentence's own window for a claim: a range first, then the date nearest the claim's cue."""
    dates = [d for d in f.dates if not (d.granularity == "month" and d.year == "article" and _is_attribution_date(text, d, f))]
    if not dates:
        return None
    period = cues.search("event_period", lang, text, f.sentence.start, f.sentence.end)
    event = cues.search("event", lang, text, f.sentence.start, f.sentence.end)
    ranges = [d for d in dates if d.is_range]
    pick = ranges[0] if ranges else min(dates, key=lambda d: abs(d.span[0] - cue_span[0]))
    if period is not None and event is not None and not pick.is_range and pick.granularity == "year":
        return Window(pick.start, pick.end, (cues.event_kind(event.group(), lang), pick.start.year), "event", pick)
    return Window(pick.start, pick.end, None, "sentence", pick, pick.time_of_day)


def _is_attribution_date(text: str, d: DateMention, f: Facts) -> bool:
    """A date that dates the source's statement ("今年3月，《哈阿雷兹报》…称"), not the claim."""
    return any(a.span[0] >= d.span[1] and a.span[0] - d.span[1] <= 3 and not _QUOTE.search(text, d.span[1], a.span[0])
               and len(re.sub(r"\W", "", text[a.span[1] : f.sentence.end])) >= 4  # the claim follows ("In January, X data show." dates the claim)
               for a in f.attribution) or bool(
        re.match(r"\s*[,，]?\s*《", text[d.span[1] : d.span[1] + 3]))


def _inherit(c: Candidate, f: Facts, state: _State, text: str, lang: str, scenario: Any | None) -> None:
    idx = f.sentence.index
    c.window = _best_window(text, lang, f, c.cue_span)
    if c.window is None and state.window is not None and idx - state.window[0] <= WINDOW_CONTEXT:
        c.window = dataclasses.replace(state.window[1], how="inherited")
        c.inherited.append("window")
        w = c.window
        if c.kind == "mean_interval" and w.start is not None and w.end is not None and ((w.end - w.start).days + 1) * 24 < 3 * _in_hours(c.test["max"]):
            c.estimates.append("the window, taken from an earlier sentence, holds fewer than three such intervals: give the period the rate covers")
    if c.airport is None:
        prev = state.disruption_place if c.unit in ("movements", "diversions", "holdings") and state.disruption_place else state.place
        if prev is not None and idx - prev[0] <= PLACE_CONTEXT:
            c.airport = prev[1]
            c.inherited.append("airport")
    sel = selector_for(f.operators, f.types, scenario)
    hint = fleet_hint(f.operators, f.types)
    if c.unit in ("movements", "diversions", "holdings"):
        sel, hint = "", {}
    elif not sel and not hint and state.fleet is not None and idx - state.fleet[0] <= PLACE_CONTEXT:
        sel, hint = state.fleet[1], state.fleet[2]
        c.inherited.append("fleet")
    elif not sel and state.fleet is not None and state.fleet[1] and idx - state.fleet[0] <= PLACE_CONTEXT:
        sel = state.fleet[1]
        c.inherited.append("fleet")
    c.fleet, c.hint = sel, hint
    c.attribution = list(f.attribution)
    said = [d for d in f.dates if _is_attribution_date(text, d, f)]
    c.said_on = said[0].end if said else None
    quoted = _QUOTE.search(text, f.sentence.start, f.sentence.end) is not None
    if not c.attribution and quoted:  # someone the draft did not recognise speaks: never lend them another's words
        c.estimates.append("the sentence quotes a speaker the draft did not recognise: attribution unknown, fill it in")
    elif not c.attribution and state.attribution is not None and idx - state.attribution[0] <= 1:
        c.attribution = list(state.attribution[1])
        c.inherited.append("attribution")


def _update(state: _State, f: Facts, claims: list[Candidate], text: str, lang: str) -> None:
    idx = f.sentence.index
    w = _best_window(text, lang, f, (f.sentence.start, f.sentence.start))
    if w is not None and (w.mention is None or w.mention.granularity != "year" or w.event_hint is not None or claims):
        state.window = (idx, w)
    for c in claims:
        if c.airport is not None and c.unit not in ("movements", "diversions", "holdings") and "airport" not in c.inherited:
            state.place = (idx, c.airport)
        if c.unit in ("movements",) and c.airport is not None:
            state.disruption_place = (idx, c.airport)
    if not claims:
        coded = [p for p in f.places if p.codes]
        if coded:
            state.place = (idx, coded[0])
    if f.operators or f.types:
        sel = next((o.selector for o in f.operators if o.selector), "")
        state.fleet = (idx, sel or (state.fleet[1] if state.fleet and not f.operators else ""), fleet_hint(f.operators, f.types))
    # only a sentence's own attribution carries to the next sentence (an inherited one is not passed on again)
    # and only from a sentence that credits a source's data or reporting ("according to", 根据…数据), never from one that
    # only gives a speaker's words (said, told, 说, a quotation): a speaker is credited with their own sentence only
    quoted = _QUOTE.search(text, f.sentence.start, f.sentence.end) is not None
    sourced = any(a.cue in _CARRIED_CUES or a.data for a in f.attribution)
    state.attribution = (idx, list(f.attribution)) if sourced and not quoted else None


@dataclasses.dataclass
class Assembly:
    """Everything drafted from one article."""

    claims: list[Candidate]
    events: list[EventCandidate]
    facts: list[Facts]
    left_out: list[tuple[Sentence, str]] = dataclasses.field(default_factory=list)
    not_asserted: list[tuple[Candidate, str]] = dataclasses.field(default_factory=list)
    """Candidates the sentence does not assert (negated, denied, conditional, hypothetical: :mod:`flighttrace.draft.stance`), and why."""
    events_not_asserted: list[tuple[Sentence, str, str]] = dataclasses.field(default_factory=list)
    """Sentences whose event words are all denied, conditional, hypothetical or negated: (sentence, event kind, why)."""


def assemble(article: Article, text: str, lang: str, ctx: DateContext | None, gaz: Gazetteer, scenario: Any | None = None) -> Assembly:
    """Read every sentence of an article and draft its claims and events.

    Parameters
    ----------
    article
        The article (its boilerplate spans are skipped).
    text
        The matching text of the article (same length).
    lang
        ``en``, ``zh-Hans`` or ``zh-Hant``.
    ctx
        What year-less dates resolve against.
    gaz
        Place names (with a scenario's aliases).
    scenario
        An existing scenario, for fleet names (optional).

    Returns
    -------
    Assembly
    """
    state = _State()
    claims: list[Candidate] = []
    events: list[EventCandidate] = []
    facts: list[Facts] = []
    left_out: list[tuple[Sentence, str]] = []
    not_said: list[tuple[Candidate, str]] = []
    not_said_events: list[tuple[Sentence, str, str]] = []
    for s in split_sentences(article.text, article.excluded):
        f = _facts(text, lang, s, ctx, gaz, scenario)
        facts.append(f)
        found = _count_claims(text, lang, f) + _interval_claims(text, lang, f) + _ground_claims(text, lang, f)
        found += _destination_claims(text, lang, f) + _disruption_claims(text, lang, f)
        stances = [(c, not_asserted(text, lang, c.sentence, c.cue_span, f, shown=article.text)) for c in found]
        not_said += [(c, why) for c, why in stances if why]
        found = [c for c, why in stances if not why]
        for c in found:
            _inherit(c, f, state, text, lang, scenario)
        _update(state, f, found, text, lang)
        claims += found
        used = [c.window.mention for c in found if c.window is not None and c.window.how == "sentence" and c.window.mention is not None]
        new_events = _event_candidates(text, lang, f, ctx, used)
        unsaid = _events_not_asserted(text, lang, f, article.text) if new_events else ""
        if unsaid:
            not_said_events.append((s, new_events[0].kind, unsaid))
            new_events = []
        events += new_events
        why = "" if found or new_events or unsaid or any(c.sentence is s for c, _ in not_said) else why_left_out(text, lang, f)
        if why:
            left_out.append((s, why))
    return Assembly(claims, _dedupe_events(events), facts, left_out, not_said, not_said_events)


def why_left_out(text: str, lang: str, f: Facts) -> str:
    """Why a sentence that looks like a claim (a flight word with a number, a place or a date) gave none, or '' when it
    does not look like one."""
    s = f.sentence
    flight = next((m for role in ("flight_noun", "landing", "diversion", "delay")
                   if (m := cues.search(role, lang, text, s.start, s.end)) is not None), None)
    fields = [p for p in f.places if p.kind != "country"]  # a field, a city or a name left unmatched
    parts = [*(["a number"] if f.quantities else []), *(["a place"] if fields else []), *(["a date"] if f.dates else [])]
    if flight is None or not parts:
        return ""
    said = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    if f.quantities and not any(_counts_flights(text, lang, q, s.end) for q in f.quantities):
        return f"{said} with a flight word, but no number counts flights, and no rate, stay, onward flight or disruption was recognised"
    return f"{said} with a flight word, but no count of flights, rate, stay on the ground, onward flight, closure, diversion or delay was recognised"


def _dedupe_events(events: list[EventCandidate]) -> list[EventCandidate]:
    seen: dict[tuple[dt.date, dt.date], EventCandidate] = {}
    for e in events:
        key = (e.mention.start, e.mention.end)
        if key not in seen:
            seen[key] = e
    return list(seen.values())
