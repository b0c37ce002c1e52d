"""Places (scenario aliases, airportsdata, Chinese city names, countries, unmatched names),
aircraft types, operators and attribution."""

from __future__ import annotations

import pytest

from flighttrace.draft.entities import find_attribution, find_operators, find_types
from flighttrace.draft.lang import matching_text
from flighttrace.draft.places import Gazetteer, find_places
from flighttrace.scenario import parse_scenario

MINI = """
version: 1
meta:
  title: t
  summary: s
  sources: [{id: s1, outlet: o, title: t, url: http://x, access: original, confidence: confirmed}]
fleet:
  selectors:
    - {id: sw, name: Silk Way Il-76s, typecodes: [IL76], aliases: [Silk Way, 丝绸之路航空]}
airports:
  codes: [UBBB, UBBG, UUEE, UUDD]
  groups: {azfields: [UBBB, UBBG], moscow2: [UUEE, UUDD]}
  aliases: {UBBB: [巴库], UBBG: [加尼贾], moscow2: [莫斯科两大机场]}
"""


@pytest.fixture(scope="module")
def scn():  # type: ignore[no-untyped-def]
    return parse_scenario(MINI)


def _places(text: str, lang: str, gaz: Gazetteer | None = None) -> list[tuple[str, str, tuple[str, ...]]]:
    m = matching_text(text, lang)
    return [(m[p.span[0] : p.span[1]], p.kind, p.codes) for p in find_places(m, lang, gaz or Gazetteer())]


def test_scenario_aliases_match_in_any_language(scn) -> None:  # type: ignore[no-untyped-def]
    gaz = Gazetteer.from_scenario(scn)
    got = _places("飞机从巴库起飞,然后前往加尼贾。莫斯科两大机场关闭。", "zh-Hans", gaz)
    assert ("巴库", "airport", ("UBBB",)) in got
    assert ("加尼贾", "airport", ("UBBG",)) in got
    assert ("莫斯科两大机场", "group", ("UUDD", "UUEE")) in got


def test_traditional_names_match_simplified_aliases(scn) -> None:  # type: ignore[no-untyped-def]
    got = _places("飛機從巴庫起飛。", "zh-Hant", Gazetteer.from_scenario(scn))
    assert ("巴库", "airport", ("UBBB",)) in got  # the matching text is simplified; the span is the article's


def test_airportsdata_names_cities_and_codes_in_english() -> None:
    got = _places("The jet flew from Larnaca to Ben Gurion Airport, then on to Vnukovo (VKO).", "en")
    assert ("Larnaca", "airport", ("LCLK",)) in got  # the core of "Larnaca International Airport" (also the city)
    assert ("Ben Gurion", "airport", ("LLBG",)) in got
    assert ("VKO", "airport", ("UUWW",)) in got


def test_a_country_is_never_read_as_a_city_of_the_same_name() -> None:
    got = _places("Officials in Armenia and Georgia said so.", "en")
    assert [(n, k) for n, k, _ in got] == [("Armenia", "country"), ("Georgia", "country")]


def test_a_city_name_inside_a_longer_proper_name_is_not_a_place() -> None:
    assert _places("He told Phoenix Weekly that it was over.", "en") == []


def test_chinese_city_names_come_from_geonames_when_no_alias_is_given() -> None:
    got = _places("货机从伊斯坦布尔飞往特拉维夫。", "zh-Hans")
    assert ("特拉维夫", "city", ("LLBG",)) in got
    assert any(n == "伊斯坦布尔" and k == "city" and set(c) <= {"LTBA", "LTFJ", "LTFM"} for n, k, c in got)


def test_unknown_fields_are_listed_as_unmatched() -> None:
    got = _places("The crates reached Qwertyville Air Base on Friday.", "en")
    assert ("Qwertyville", "unmatched", ()) in got
    got = _places("运输机降落在Zyxland机场。", "zh-Hans")
    assert ("Zyxland", "unmatched", ()) in got


def test_aircraft_types_in_both_languages() -> None:
    m = "An Il-76 and an An-124 landed; 一架伊尔-76和一架波音747降落。"
    assert [(t.name, t.icao) for t in find_types(m, 0, len(m))] == [
        ("Ilyushin Il-76", "IL76"), ("Antonov An-124", "A124"), ("Ilyushin Il-76", "IL76"), ("Boeing 747", "")]


def test_operators_by_scenario_alias_and_by_name_pattern(scn) -> None:  # type: ignore[no-untyped-def]
    m = "至少有三架丝绸之路航空公司的航班降落。"
    ops = find_operators(m, 0, len(m), scn)
    assert [(o.name, o.selector) for o in ops] == [("丝绸之路航空", "sw")]
    m = "Two Silk Way flights and one Example Cargo Airlines flight landed."
    assert [(o.name, o.selector) for o in find_operators(m, 0, len(m), scn)] == [("Silk Way", "sw"), ("Example Cargo Airlines", "")]


@pytest.mark.parametrize(
    ("text", "cue", "who", "outlet"),
    [
        ("Three flights landed, according to Flightradar24 data.", "according to", "Flightradar24 data", "Flightradar24"),
        ("“It was clear,” the ambassador told AP.", "told", "the ambassador", "Associated Press"),
        ("“航班很多，”一位外交官说。", "说", "一位外交官", ""),
        ("根据路透社的数据，有五架货机降落。", "根据", "路透社", "Reuters"),
    ],
)
def test_attribution_forms(text: str, cue: str, who: str, outlet: str) -> None:
    m = matching_text(text, "en" if text.isascii() or "“It" in text else "zh-Hans")
    (a,) = find_attribution(m, 0, len(m))
    assert (a.cue, a.who, a.outlet) == (cue, who, outlet)
