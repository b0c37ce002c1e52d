"""Two short articles written for these tests (English and simplified Chinese, the same story told twice), drafted
without a scenario; the expected drafts were worked out by hand from the text.

The story: at least nine Boeing 777 freighter flights at Liège between 2 and 8 June 2025 (according to ADS-B
Exchange), about three hours on the ground, onward to Leipzig or Frankfurt, a rate quoted by an airport official
for May, and Munich closed on 5 June with seven flights diverted to Nuremberg. Each covers a class of error an
audit found on unseen articles: a model number read as a count, the alternate field taken for the closed one,
"Frankfurt" unmatched, an attribution borrowed from another speaker, a Chinese rate read as a count, and a
claim-like sentence dropped without a word.
"""

from __future__ import annotations

from typing import Any

import pytest

from flighttrace.draft import draft_article

EN = """June 12, 2025

Freighters crowd Liege

At least nine flights by Example Cargo Boeing 777 freighters landed at Liege Airport between 2 and 8 June, according to ADS-B Exchange data.
The planes stayed about three hours on the ground before heading to Leipzig or Frankfurt.
"There were three flights a week in May," an airport official told reporters.
Munich Airport was shut on 5 June after a drone sighting, and seven flights were diverted to Nuremberg.
The airport handled 1,200 tonnes of cargo on those flights.
"""

ZH = """2025年6月12日

据ADS-B Exchange的数据，6月2日至8日期间，至少有九架波音777货机降落在列日机场。
这些飞机在地面停留了大约三个小时，随后飞往莱比锡或法兰克福。
一名机场官员说，5月份每隔两天就有一个航班。
6月5日，慕尼黑机场因无人机关闭，七个航班备降纽伦堡。
这些航班共运送了1200吨货物。
"""

# Liège and Munich keep Central European Summer Time (UTC+2) in May and June
JUNE_2_TO_8 = {"start": "2025-06-02T00:00:00+02:00", "end": "2025-06-09T00:00:00+02:00"}
JUNE_5 = {"start": "2025-06-05T00:00:00+02:00", "end": "2025-06-06T00:00:00+02:00"}
MAY = {"start": "2025-05-01T00:00:00+02:00", "end": "2025-06-01T00:00:00+02:00"}


@pytest.fixture(params=["en", "zh"])
def drafted(request: pytest.FixtureRequest, write_article: Any) -> tuple[str, dict[str, Any]]:
    text = EN if request.param == "en" else ZH
    res = draft_article(write_article(text, f"liege_{request.param}.txt"))
    return request.param, res.mapping


def _by_kind(mapping: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for c in mapping["claims"]:
        out.setdefault(c["test"]["kind"], []).append(c)
    return out


def test_the_model_number_of_boeing_777_is_not_a_count(drafted: tuple[str, dict[str, Any]]) -> None:
    _, m = drafted
    (count,) = _by_kind(m)["count_at_least"]  # the nine flights, and nothing for 777 (nor for 1,200 tonnes or the 7 diverted)
    assert count["test"] == {"kind": "count_at_least", "value": 9}
    assert count["subject"] == {"unit": "landings", "airport": "EBLG"} and count["window"] == JUNE_2_TO_8
    assert count["draft"]["fleet_hint"]["types"] == ["Boeing 777"]


def test_the_closed_field_is_munich_and_nuremberg_is_only_the_alternate(drafted: tuple[str, dict[str, Any]]) -> None:
    _, m = drafted
    kinds = _by_kind(m)
    (closure,) = kinds["closure"]
    (diverted,) = kinds["diversions_at_least"]
    assert closure["test"]["airport"] == "EDDM" and closure["window"] == JUNE_5
    assert diverted["test"] == {"kind": "diversions_at_least", "value": 7}
    assert diverted["subject"] == {"unit": "diversions", "airport": "EDDM"} and diverted["window"] == JUNE_5
    for c in (closure, diverted):
        roles = {p["role"]: p["codes"] for p in c["draft"]["places"]}
        assert roles == {"airport": ["EDDM"], "alternate": ["EDDN"]}
    assert "EDDN" not in {c["subject"].get("airport") for c in m["claims"]}


def test_frankfurt_and_leipzig_are_the_onward_fields(drafted: tuple[str, dict[str, Any]]) -> None:
    _, m = drafted
    kinds = _by_kind(m)
    (onward,) = kinds["destinations_within"]
    assert onward["test"]["airports"] == ["EDDP", "EDDF"] and onward["subject"]["airport"] == "EBLG"
    (ground,) = kinds["ground_time"]  # the stay is at Liège (from the sentence before), not at the onward fields
    assert (ground["test"]["airport"], ground["test"]["min"], ground["test"]["max"]) == ("EBLG", "90min", "270min")
    assert "unmatched_places" not in m["draft"]


def test_the_rate_is_the_officials_and_borrows_no_other_attribution(drafted: tuple[str, dict[str, Any]]) -> None:
    lang, m = drafted
    (rate,) = _by_kind(m)["mean_interval"]
    # "three flights a week": 168 h / 3; "每隔两天": two days skipped, one flight every third day (the strict reading)
    assert rate["test"] == {"kind": "mean_interval", "max": "56h" if lang == "en" else "3d"}
    assert rate["window"] == MAY and rate["subject"]["airport"] == "EBLG"
    (who,) = rate["draft"]["attribution"]
    assert who["who"] == ("an airport official" if lang == "en" else "一名机场官员")
    assert "attribution" not in rate["draft"]["inherited"]
    # the official's words do not carry to the closure; ADS-B Exchange's data carries only to the next sentence
    for kind in ("closure", "diversions_at_least"):
        (c,) = _by_kind(m)[kind]
        assert "attribution" not in c["draft"] and "attribution" not in c["draft"].get("inherited", [])
    (ground,) = _by_kind(m)["ground_time"]
    assert "attribution" in ground["draft"]["inherited"] and ground["draft"]["attribution"][0]["outlet"] == "ADS-B Exchange"


def test_the_cargo_sentence_is_listed_as_skipped_with_why(drafted: tuple[str, dict[str, Any]]) -> None:
    lang, m = drafted
    text = EN if lang == "en" else ZH
    (skipped,) = m["draft"]["skipped"]
    start, end = skipped["span"]
    assert text[start:end].startswith("The airport handled" if lang == "en" else "这些航班共运送")
    assert skipped["kind"] == "none" and "no number counts flights" in skipped["reason"]
