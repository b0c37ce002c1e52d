"""Classes of error found on articles the developers had not seen, each tested on its own forms (small sentences
written for these tests, English and Chinese, expected values worked out by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from flighttrace.draft import draft_article, places
from flighttrace.draft.entities import find_attribution
from flighttrace.draft.zh_places import ZH_PLACES

EN_HEAD = "June 1, 2024\n\n"
ZH_HEAD = "2024年6月1日\n\n"


def _kinds(mapping: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for c in mapping["claims"]:
        out.setdefault(c["test"]["kind"], []).append(c)
    return out


@pytest.mark.parametrize(("sentence", "count"), [
    ("At least 4 flights by Boeing 747 freighters landed at Liege Airport on 3 May.", 4),
    ("Three 737 MAX jets landed at Liege Airport on 3 May.", 3),
    ("Five A330 freighters landed at Liege Airport on 3 May.", 5),
    ("Two Il-76 and An-124 flights landed at Liege Airport on 3 May.", 2),
    ("Six C-130 flights landed at Liege Airport on 3 May.", 6),
    ("Eight flights by Boeing 777-200F freighters landed at Liege Airport on 3 May.", 8),
])
def test_an_aircraft_model_number_is_never_a_count_en(write_article: Any, sentence: str, count: int) -> None:
    res = draft_article(write_article(EN_HEAD + sentence + "\n", "t.txt"))
    assert [c["test"] for c in _kinds(res.mapping)["count_at_least"]] == [{"kind": "count_at_least", "value": count}]


@pytest.mark.parametrize(("sentence", "count"), [
    ("5月3日，至少有四架波音747货机降落在列日机场。", 4),
    ("5月3日，三架伊尔76运输机降落在列日机场。", 3),
    ("5月3日，两架伊尔-76货机降落在列日机场。", 2),
    ("5月3日，六架空客A330货机降落在列日机场。", 6),
])
def test_an_aircraft_model_number_is_never_a_count_zh(write_article: Any, sentence: str, count: int) -> None:
    res = draft_article(write_article(ZH_HEAD + sentence + "\n", "t.txt"))
    assert [c["test"] for c in _kinds(res.mapping)["count_at_least"]] == [{"kind": "count_at_least", "value": count}]


@pytest.mark.parametrize(("sentence", "interval"), [
    ("Since January there has been a flight to Liege every three days.", "3d"),
    ("Since January a cargo plane has landed in Liege every other day.", "2d"),
    ("Since January there have been four flights a week to Liege.", "42h"),  # 168 h / 4
    ("Since January a freighter has flown to Liege once a week.", "7d"),
    ("Since January a freighter has flown to Liege twice a week.", "84h"),
    ("自1月以来，每三天就有一个航班飞往列日。", "3d"),
    ("自1月以来，每10天就有一架货机飞抵列日。", "10d"),
    ("自1月以来，每隔四天就有一个航班飞往列日。", "5d"),  # four days skipped: one flight every fifth day
    ("自1月以来，每隔一天就有一个航班飞往列日。", "2d"),  # 每隔一天 is every other day
    ("自1月以来，每周两班货机飞往列日。", "84h"),
    ("自1月以来，每两天一次航班飞往列日。", "2d"),
])
def test_rates_in_every_form_are_mean_intervals_not_counts(write_article: Any, sentence: str, interval: str) -> None:
    head = EN_HEAD if sentence.isascii() else ZH_HEAD
    res = draft_article(write_article(head + sentence + "\n", "t.txt"))
    kinds = _kinds(res.mapping)
    assert "count_at_least" not in kinds  # "一个航班", "一架货机" are part of the rate
    (rate,) = kinds["mean_interval"]
    assert rate["test"] == {"kind": "mean_interval", "max": interval}
    assert rate["subject"]["airport"] == "EBLG" and rate["window"]["start"].startswith("2024-01-01")


def test_a_city_is_found_by_its_core_name() -> None:
    # airportsdata spells the city "Frankfurt am Main" (older releases "Frankfurt-am-Main"); "Frankfurt" is its core
    assert places.resolve_english("Frankfurt") == ("city-core", ("EDDF",), ())
    assert places.resolve_english("Cologne") == ("city", ("EDDK",), ())


@pytest.fixture
def tiny_airports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two cities with the core name "Frankfurt", each with a field that has an IATA code (made-up records)."""
    recs = {
        "EDDF": {"icao": "EDDF", "iata": "FRA", "name": "Frankfurt am Main Airport", "city": "Frankfurt-am-Main", "country": "DE"},
        "XXFO": {"icao": "XXFO", "iata": "XFO", "name": "Oder Field", "city": "Frankfurt (Oder)", "country": "DE"},
        "EDDK": {"icao": "EDDK", "iata": "CGN", "name": "Cologne Bonn Airport", "city": "Cologne", "country": "DE"},
    }
    caches = (places._city_cores, places._airport_tables, places._zh_table, places._zh_table_regex, places._geonames_zh, places._zh_name_regex)
    for c in caches:
        c.cache_clear()
    monkeypatch.setattr(places, "airport_records", lambda: recs)
    yield
    for c in caches:
        c.cache_clear()


@pytest.mark.usefixtures("tiny_airports")
def test_a_core_name_shared_by_two_cities_is_ambiguous_and_listed(write_article: Any) -> None:
    via, codes, options = places.resolve_english("Frankfurt")
    assert (via, codes) == ("ambiguous", ())
    assert options == ("Frankfurt (Oder), DE: XXFO", "Frankfurt-am-Main, DE: EDDF")
    found = places.find_places("Flights landed in Frankfurt.", "en", places.Gazetteer())
    assert [(p.name, p.kind, p.via, p.candidates) for p in found] == [("Frankfurt", "unmatched", "ambiguous", options)]
    # the draft says so, for the reporter to choose
    res = draft_article(write_article(EN_HEAD + "Six flights landed in Frankfurt on 3 May.\n", "t.txt"))
    (listed,) = res.mapping["draft"]["unmatched_places"]
    assert listed["name"] == "Frankfurt" and listed["ambiguous"] == list(options)
    assert res.mapping["claims"] == [] and res.mapping["draft"]["skipped"][0]["reason"] == "no field named or inherited"


def test_every_chinese_name_of_the_table_resolves_to_fields_of_airportsdata() -> None:
    records = places.airport_records()
    for zh in ZH_PLACES:
        via, codes, _ = places.resolve_english(ZH_PLACES[zh])
        assert codes and all(c in records for c in codes), zh
    got = {p.name: p.codes for p in places.find_places("五个航班备降科隆，其余飞往法兰克福和拉姆施泰因空军基地。", "zh-Hans", places.Gazetteer())}
    assert got == {"科隆": ("EDDK",), "法兰克福": ("EDDF",), "拉姆施泰因": ("ETAR",)}


def test_traditional_and_taiwan_forms_are_found(write_article: Any) -> None:
    res = draft_article(write_article("2024年6月1日\n\n5月3日，至少有三架貨機從杜拜降落在萊比錫。\n", "t.txt"))
    (count,) = _kinds(res.mapping)["count_at_least"]
    assert res.lang == "zh-Hant"
    # 杜拜 (Taiwan's form of 迪拜) is the city of Dubai: its fields grouped, Dubai International among them
    assert count["subject"]["airport"] == "EDDP"
    assert "OMDB" in res.mapping["airports"]["groups"][count["subject"]["from"]]


@pytest.mark.parametrize(("lang", "sentence"), [
    ("en", "On 3 May, twelve flights bound for Leipzig were diverted to Cologne and Frankfurt."),
    ("zh", "5月3日，飞往莱比锡的十二个航班备降科隆和法兰克福。"),
])
def test_alternates_after_diverted_to_are_never_the_diversions_field(write_article: Any, lang: str, sentence: str) -> None:
    res = draft_article(write_article((EN_HEAD if lang == "en" else ZH_HEAD) + sentence + "\n", "t.txt"))
    kinds = _kinds(res.mapping)
    (div,) = kinds["diversions_at_least"]
    assert div["test"]["value"] == 12 and div["subject"]["airport"] == "EDDP"
    assert [p["codes"] for p in div["draft"]["places"] if p["role"] == "alternate"] == [["EDDK"], ["EDDF"]]
    assert "count_at_least" not in kinds  # the twelve are diverted flights, not landings


@pytest.mark.parametrize(("lang", "sentence", "floor"), [
    ("en", "On 3 May, nearly 40 flights bound for Leipzig were diverted to Cologne.", 30),  # 40 less a quarter
    ("en", "On 3 May, about 20 flights bound for Leipzig were diverted to Cologne.", 15),
    ("en", "On 3 May, more than 12 flights bound for Leipzig were diverted to Cologne.", 13),
    ("zh", "5月3日，将近四十个飞往莱比锡的航班备降科隆。", 30),
])
def test_a_qualified_diversion_figure_is_never_a_floor_above_what_the_article_says(write_article: Any, lang: str, sentence: str,
                                                                                   floor: int) -> None:
    res = draft_article(write_article((EN_HEAD if lang == "en" else ZH_HEAD) + sentence + "\n", "t.txt"))
    (div,) = _kinds(res.mapping)["diversions_at_least"]
    assert div["test"]["value"] == floor and div["subject"]["airport"] == "EDDP"


def test_a_diversion_naming_only_the_alternate_has_no_field_of_its_own(write_article: Any) -> None:
    res = draft_article(write_article(EN_HEAD + "On 3 May, five flights were diverted to Cologne.\n", "t.txt"))
    assert res.mapping["claims"] == []
    (skipped,) = res.mapping["draft"]["skipped"]
    assert skipped["kind"] == "diversions_at_least" and skipped["reason"] == "no field named or inherited"


@pytest.mark.parametrize(("sentence", "who", "cue"), [
    ('"It was busy," a base spokesman told reporters.', "a base spokesman", "told"),
    ('"It was busy," an airport official said.', "an airport official", "said"),
    ("Two airport officials said the runway was shut.", "Two airport officials", "said"),
    ("据Flightradar24的数据，至少有六架货机降落。", "Flightradar24", "据"),
    ("据美联社报导，至少有六架货机降落。", "美联社", "据"),  # 報導, Taiwan's form of 报道, after OpenCC's conversion
])
def test_speakers_named_by_role_are_attributions(sentence: str, who: str, cue: str) -> None:
    found = find_attribution(sentence, 0, len(sentence))
    assert [(a.who, a.cue) for a in found] == [(who, cue)]


def test_a_quoted_claim_without_a_recognised_speaker_borrows_no_attribution(write_article: Any) -> None:
    text = (EN_HEAD + "At least six flights landed at Liege Airport on 3 May, according to Flightradar24 data.\n"
            '"There was a flight every two days in April," someone at the airport whispered.\n')
    res = draft_article(write_article(text, "t.txt"))
    (rate,) = _kinds(res.mapping)["mean_interval"]
    assert "attribution" not in rate["draft"] and "attribution" not in rate["draft"]["inherited"]
    assert "attribution unknown" in rate["notes"]


@pytest.mark.parametrize(("lang", "sentence", "said"), [
    ("en", "Cargo flights from Leipzig are common these days.", "a place"),
    ("zh", "莱比锡的货运航班很多。", "a place"),
    ("en", "The airport handled 1,200 tonnes of cargo on those flights.", "a number"),
])
def test_a_claim_like_sentence_without_a_claim_is_listed_with_why(write_article: Any, lang: str, sentence: str, said: str) -> None:
    text = (EN_HEAD if lang == "en" else ZH_HEAD) + sentence + "\n"
    res = draft_article(write_article(text, "t.txt"))
    skipped = [s for s in res.mapping["draft"].get("skipped", []) if s["kind"] == "none"]
    assert len(skipped) == 1 and skipped[0]["reason"].startswith(said)
    start, end = skipped[0]["span"]
    assert text[start:end].startswith(sentence[:6])


@pytest.mark.parametrize(("sentence", "length"), [
    ("Leipzig Airport was closed for two hours on 3 May.", "2h"),
    ("Leipzig Airport was shut down for 45 minutes on 3 May.", "45min"),
    ("5月3日，莱比锡机场关闭了两个小时。", "2h"),
    ("5月3日，莱比锡机场关闭半小时。", "30min"),
])
def test_a_stated_closure_length_is_the_shortest_gap(write_article: Any, sentence: str, length: str) -> None:
    res = draft_article(write_article((EN_HEAD if sentence.isascii() else ZH_HEAD) + sentence + "\n", "t.txt"))
    (closure,) = _kinds(res.mapping)["closure"]
    assert closure["test"]["airport"] == "EDDP" and closure["test"]["min_duration"] == length
    assert "notes" not in closure  # the length is the article's, not an estimate
    assert f"closed for {length} or more at EDDP" in closure["statement"]


def test_accented_latin_names_match_the_plain_spelling_of_airportsdata() -> None:
    text = "Flights landed at Liège Airport, in Rzeszów and in Düsseldorf, then flew to Kraków."
    found = {p.name: p.codes for p in places.find_places(text, "en", places.Gazetteer())}
    assert found == {"Liège": ("EBLG",), "Rzeszów": ("EPRZ",), "Düsseldorf": ("EDDL",), "Kraków": ("EPKK",)}


@pytest.mark.usefixtures("tiny_airports")
def test_a_city_name_shared_across_countries_is_the_most_populous_city(monkeypatch: pytest.MonkeyPatch) -> None:
    recs = {
        "ULLI": {"icao": "ULLI", "iata": "LED", "name": "Pulkovo Airport", "city": "St. Petersburg", "country": "RU"},
        "KSPG": {"icao": "KSPG", "iata": "SPG", "name": "Albert Whitted Airport", "city": "St Petersburg", "country": "US"},
    }
    monkeypatch.setattr(places, "airport_records", lambda: recs)
    # made-up populations standing for geonames': the Russian city is the larger
    monkeypatch.setattr(places, "_populations", lambda: {("saint petersburg", "RU"): 5_000_000, ("saint petersburg", "US"): 250_000})
    places._airport_tables.cache_clear()
    for spelling in ("St Petersburg", "St. Petersburg", "Saint Petersburg"):
        assert places.resolve_english(spelling) == ("city", ("ULLI",), ())


@pytest.mark.parametrize("sentence", [
    "Sheremetyevo and Vnukovo airports were closed on 3 May.",
    "5月3日，谢列梅捷沃和伏努科沃机场关闭。",
])
def test_fields_named_together_are_closed_together(write_article: Any, sentence: str) -> None:
    res = draft_article(write_article((EN_HEAD if sentence.isascii() else ZH_HEAD) + sentence + "\n", "t.txt"))
    (closure,) = _kinds(res.mapping)["closure"]
    group = closure["test"]["airport"]
    assert res.mapping["airports"]["groups"][group] == ["UUEE", "UUWW"] and closure["test"]["require"] == "each"


def test_a_number_right_after_a_chinese_comma_is_read(write_article: Any) -> None:
    res = draft_article(write_article(ZH_HEAD + "5月3日，莱比锡机场关闭，40个航班备降科隆。\n", "t.txt"))
    (div,) = _kinds(res.mapping)["diversions_at_least"]
    assert div["test"]["value"] == 40 and div["subject"]["airport"] == "EDDP"


@pytest.mark.parametrize(("sentence", "count", "field"), [
    ("Three C-17s landed at Rzeszow Airport on 3 May.", 3, "EPRZ"),
    ("5月3日，30架C-17降落在热舒夫。", 30, "EPRZ"),
    ("5月3日，至少有5架俄制伊尔-76降落在巴库机场。", 5, "baku-fields"),
])
def test_an_aircraft_type_after_a_number_makes_it_a_count_of_flights(write_article: Any, sentence: str, count: int, field: str) -> None:
    res = draft_article(write_article((EN_HEAD if sentence.isascii() else ZH_HEAD) + sentence + "\n", "t.txt"))
    (c,) = _kinds(res.mapping)["count_at_least"]
    assert c["test"]["value"] == count and c["subject"]["airport"] == field


def test_data_show_is_an_attribution_and_its_date_is_the_claims(write_article: Any) -> None:
    res = draft_article(write_article(EN_HEAD + "In January, 30 flights landed at Rzeszow Airport, Flightradar24 data show.\n", "t.txt"))
    (c,) = _kinds(res.mapping)["count_at_least"]
    assert [(a["who"], a["cue"]) for a in c["draft"]["attribution"]] == [("Flightradar24", "data show")]
    assert c["window"]["start"].startswith("2024-01-01") and c["window"]["end"].startswith("2024-02-01")


def test_an_unmatched_chinese_name_starts_after_the_verb_of_motion(write_article: Any) -> None:
    res = draft_article(write_article(ZH_HEAD + "5月3日，六架货机飞抵哈恩机场。\n", "t.txt"))
    assert [p["name"] for p in res.mapping["draft"]["unmatched_places"]] == ["哈恩"]


@pytest.mark.parametrize(("sentence", "test"), [
    ("On 3 May the aircraft spent less than an hour on the ground at Liege Airport.", {"max": "1h"}),
    ("On 3 May the aircraft stayed more than three hours on the tarmac at Liege Airport.", {"min": "3h"}),
    ("5月3日，这些飞机在列日机场停留不到一个小时。", {"max": "1h"}),
    ("5月3日，这些飞机在列日机场停留了超过三个小时。", {"min": "3h"}),
])
def test_a_bounded_stay_is_a_one_sided_ground_time(write_article: Any, sentence: str, test: dict[str, str]) -> None:
    res = draft_article(write_article((EN_HEAD if sentence.isascii() else ZH_HEAD) + sentence + "\n", "t.txt"))
    (ground,) = _kinds(res.mapping)["ground_time"]
    assert ground["test"] == {"kind": "ground_time", **test, "statistic": "median", "airport": "EBLG"}


@pytest.mark.parametrize("sentence", [
    "Istanbul Airport halted departures for three hours on 3 May; 25 flights were diverted to Ankara, Izmir or Sabiha Gokcen.",
    "5月3日，伊斯坦布尔机场暂停起飞三个小时，25个航班改降安卡拉、伊兹密尔或萨比哈格克琴。",
])
def test_a_closure_with_its_length_and_a_list_of_alternates(write_article: Any, sentence: str) -> None:
    res = draft_article(write_article((EN_HEAD if sentence.isascii() else ZH_HEAD) + sentence + "\n", "t.txt"))
    kinds = _kinds(res.mapping)
    (closure,) = kinds["closure"]
    (div,) = kinds["diversions_at_least"]
    # "Istanbul Airport" / 伊斯坦布尔机场 is the airport of that name (LTFM), not every field of the city
    assert (closure["test"]["airport"], closure["test"]["min_duration"]) == ("LTFM", "3h")
    assert div["subject"]["airport"] == "LTFM" and div["test"]["value"] == 25
    alternates = [p["codes"][0] for p in div["draft"]["places"] if p["role"] == "alternate"]
    assert "LTFJ" not in {closure["test"]["airport"], div["subject"]["airport"]} and "LTAC" in alternates


def test_an_airport_known_by_its_own_name_after_at_and_the_origin_of_landings(write_article: Any) -> None:
    res = draft_article(write_article(EN_HEAD + "On 3 May, 14 flights from Tehran landed in Damascus, and 40 flights circled at Heathrow.\n", "t.txt"))
    kinds = _kinds(res.mapping)
    (count,) = kinds["count_at_least"]
    assert count["subject"]["airport"] == "OSDI" and res.mapping["airports"]["groups"][count["subject"]["from"]] == ["OIIE", "OIII"]
    (held,) = kinds["holding_at_least"]
    assert held["subject"]["airport"] == "EGLL" and held["test"]["value"] == 40


def test_a_rate_whose_window_is_one_inherited_day_says_so(write_article: Any) -> None:
    text = EN_HEAD + "Six flights landed at Liege Airport on 3 May.\nA flight arrives there roughly every 48 hours.\n"
    res = draft_article(write_article(text, "t.txt"))
    (rate,) = _kinds(res.mapping)["mean_interval"]
    assert rate["test"]["max"] == "2d" and "window" in rate["draft"]["inherited"]
    assert "fewer than three such intervals" in rate["notes"]


@pytest.mark.parametrize(("sentence", "interval", "who"), [
    ("The air force flew roughly one mission a day to Liege in May, a Pentagon spokeswoman said.", "1d", "a Pentagon spokeswoman"),
    ("五角大楼一名女发言人表示，5月份美国空军平均每天向列日机场飞行一次。", "1d", "五角大楼一名女发言人"),
    ("5月份，每天有48个航班降落在列日。", "30min", ""),  # 24 h / 48: forty-eight flights a day, not one a day
])
def test_rates_with_words_between_the_period_and_the_flight(write_article: Any, sentence: str, interval: str, who: str) -> None:
    res = draft_article(write_article((EN_HEAD if sentence.isascii() else ZH_HEAD) + sentence + "\n", "t.txt"))
    (rate,) = _kinds(res.mapping)["mean_interval"]
    assert rate["test"]["max"] == interval and rate["subject"]["airport"] == "EBLG"
    assert [a["who"] for a in rate["draft"].get("attribution", [])] == ([who] if who else [])


def test_hyphenated_airport_names_and_data_from_x_show(write_article: Any) -> None:
    text = EN_HEAD + "Since 1 May, at least 18 C-17 flights have touched down at Rzeszów-Jasionka, data from ADS-B Exchange show.\n"
    res = draft_article(write_article(text, "t.txt"))
    (c,) = _kinds(res.mapping)["count_at_least"]
    assert c["test"]["value"] == 18 and c["subject"]["airport"] == "EPRZ"
    assert c["draft"]["attribution"][0]["outlet"] == "ADS-B Exchange"
