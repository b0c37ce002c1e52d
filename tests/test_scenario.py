"""Tests of flighttrace.scenario.model: the seed, error messages, windows, fleet matching, airport groups."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError

from flighttrace.kinds.sorties.spec import CountAtLeast, RateRatio
from flighttrace.scenario import Scenario, ScenarioError, format_duration, load_scenario, parse_duration, parse_scenario

SEED = Path(__file__).resolve().parents[1] / "seeds" / "azerbaijan-ovda.yaml"


def minimal() -> dict[str, Any]:
    """A small valid scenario, as the mapping a YAML file would load to."""
    return {
        "meta": {
            "title": "Test",
            "summary": "A small scenario for tests.",
            "sources": [
                {"id": "ap-2023", "outlet": "AP", "title": "t", "url": "https://example.org/a", "access": "syndication", "confidence": "confirmed"},
                {"id": "haaretz-2023", "outlet": "Haaretz", "title": "t", "url": "https://example.org/h", "access": "original", "confidence": "confirmed"},
            ],
        },
        "fleet": {
            "aircraft": [
                {"hex": "600864", "registration": "4K-AZ100", "type": "IL76", "source": "ap-2023"},
                {"hex": "60083c", "registration": "4K-AZ60", "aliases": ["4KAZ60"], "type": "IL76", "source": "ap-2023"},
                {"registration": "4K-78131", "type": "IL76", "source": "ap-2023", "notes": "hex not in any database"},
            ],
            "selectors": [
                {
                    "id": "silkway",
                    "hexes": ["600864", "60083c"],
                    "icao_blocks": ["600800-600FFF"],
                    "callsign_prefixes": ["AZQ"],
                    "typecodes": ["IL76"],
                },
                {"id": "azaf", "registrations": ["4K-78131"], "icao_blocks": ["600800-600FFF"], "callsign_prefixes": ["AHY"], "typecodes": ["IL76"]},
                {"id": "west", "role": "distractor", "callsign_prefixes": ["AZG"]},
            ],
        },
        "airports": {
            "codes": ["LLOV", "LLER", "GYD", "UBBG", "LLBG"],
            "custom": [{"id": "strip-x", "name": "Strip X", "lat": 40.0, "lon": 49.0, "kind": "airport"}],
            "groups": {
                "azerbaijan": ["UBBB", "UBBG", "strip-x"],
                "israel_south": ["LLOV", "LLER"],
                "israel": ["israel_south", "LLBG"],
            },
        },
        "events": [
            {"id": "april-war-2016", "name": "April war", "kind": "war", "start": "2016-04-01", "end": "2016-04-05", "sources": ["haaretz-2023"]},
            {"id": "war-2020", "name": "44-day war", "kind": "war", "start": "2020-09-27", "end": "2020-11-10T01:00:00+04:00", "sources": ["haaretz-2023"]},
            {"id": "hadrut-2020", "name": "Hadrut", "kind": "clash", "start": "2020-12-12", "sources": ["haaretz-2023"]},
        ],
        "routes": [{"id": "az-ovda-az", "sequence": ["azerbaijan", "LLOV", "azerbaijan"], "max_ground_time": "12h"}],
        "claims": [
            {
                "id": "six",
                "statement": "At least six flights.",
                "source": "ap-2023",
                "record": "published",
                "window": {"start": "2023-09-01", "end": "2023-09-17"},
                "subject": {"unit": "landings", "fleet": "silkway", "airport": "LLOV", "from": "azerbaijan"},
                "test": {"kind": "count_at_least", "value": 6},
            },
            {
                "id": "pace",
                "statement": "More flights in wartime.",
                "source": "haaretz-2023",
                "record": "second-hand",
                "window": {"event": "war-2020", "lead": "30d", "lag": "15d"},
                "subject": {"unit": "sorties", "route": "az-ovda-az"},
                "test": {"kind": "rate_ratio", "events": "all", "lead": "30d", "lag": "15d"},
            },
        ],
    }


def write(tmp_path: Path, data: dict[str, Any] | str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return p


def problems_of(tmp_path: Path, data: dict[str, Any] | str) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, data))
    lines = str(err.value).splitlines()
    assert lines[0].endswith(f"{len(err.value.problems)} problem{'s' if len(err.value.problems) != 1 else ''}")
    return [line.strip() for line in lines[1:]]


# --------------------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed() -> Scenario:
    return load_scenario(SEED)


def test_seed_loads_with_the_expected_contents(seed: Scenario) -> None:
    assert seed.path == str(SEED)
    assert len(seed.fleet.aircraft) == 8
    assert sum(a.hex is None for a in seed.fleet.aircraft) == 1
    assert {s.id for s in seed.fleet.selectors} >= {"silkway-il76", "azaf-il76", "azerbaijan-il76"}
    assert seed.airport_codes() == {"LLOV", "LLER", "LLBG", "UBBB", "UBBG", "UBBN"}
    assert len(seed.events) == 10
    assert {r.id for r in seed.routes} == {"az-ovda-az", "az-israelsouth-az"}
    assert len(seed.claims) >= 15
    assert seed.meta.synthetic is False


def test_seed_gives_every_fact_a_known_source(seed: Scenario) -> None:
    known = {s.id for s in seed.meta.sources}
    assert all(s.url or s.file for s in seed.meta.sources)
    assert all(a.source and set(a.source) <= known for a in seed.fleet.aircraft)
    assert all(e.sources and set(e.sources) <= known for e in seed.events)
    assert all(c.source in known and set(c.via) <= known for c in seed.claims)
    assert seed.source("ap-2023").access == "syndication"
    assert seed.source("seed-000").access == "translation"


def test_seed_claims_carry_their_record(seed: Scenario) -> None:
    assert seed.claim("seed-000-92-in-2016-2020").record == "disputed"
    assert seed.claim("ap-2023-every-two-days-2020").record == "unconfirmed"
    assert seed.claim("soyarmenio-20-in-sep-nov-2020").record == "second-hand"
    assert seed.claim("soyarmenio-20-in-sep-nov-2020").attributed_to == "haaretz-2023"
    test = seed.claim("haaretz-2023-92-landings").test
    assert isinstance(test, CountAtLeast) and test.value == 92
    ratio = seed.claim("haaretz-2023-pace-in-fighting").test
    assert isinstance(ratio, RateRatio)
    assert (ratio.lead, ratio.lag, ratio.min_ratio) == (pd.Timedelta(days=30), pd.Timedelta(days=15), 1.0)


def test_seed_ap_window_runs_to_the_midnight_after_17_september(seed: Scenario) -> None:
    start, end = seed.claim_window("ap-2023-six-from-baku")
    assert start == pd.Timestamp("2023-09-01T00:00Z")
    assert end == pd.Timestamp("2023-09-18T00:00Z")


def test_seed_4kaz60_matches_through_its_database_spelling(seed: Scenario) -> None:
    frame = pd.DataFrame({"icao24": ["abcdef"], "registration": ["4KAZ60"]})
    assert seed.fleet_mask(frame, "silkway-il76").tolist() == [True]


def test_seed_summary_and_repr_give_the_counts(seed: Scenario) -> None:
    text = seed.summary()
    assert "aircraft:  8 (7 with hex)" in text
    assert "events:    10" in text
    assert f"claims:    {len(seed.claims)}" in text
    assert repr(seed).startswith("Scenario('Azerbaijan") and "8 aircraft" in repr(seed) and "10 events" in repr(seed)


# --------------------------------------------------------------------------------------- errors


def test_minimal_scenario_loads(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, minimal()))
    assert [c.id for c in s.claims] == ["six", "pace"]


def test_missing_field_is_reported_with_its_path(tmp_path: Path) -> None:
    data = minimal()
    del data["meta"]["title"]
    assert problems_of(tmp_path, data) == ["meta.title: field required"]


def test_bad_date_is_reported_with_its_path(tmp_path: Path) -> None:
    data = minimal()
    data["events"][1]["start"] = "2020-13-27"
    assert problems_of(tmp_path, data) == ["events[1].start: '2020-13-27' is not a valid date (month must be in 1..12)"]


def test_datetime_without_zone_is_rejected(tmp_path: Path) -> None:
    data = minimal()
    data["events"][0]["start"] = "2016-04-01T10:00"
    assert problems_of(tmp_path, data) == ["events[0].start: 2016-04-01T10:00:00 has no time zone; add one (e.g. 'Z' or '+04:00')"]


def test_unknown_airport_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    data = minimal()
    data["airports"]["codes"][1] = "XXXX"
    data["airports"]["codes"].append("LLVO")
    assert problems_of(tmp_path, data) == [
        "airports.codes[1]: unknown airport 'XXXX'",
        "airports.codes[5]: unknown airport 'LLVO': did you mean LLOV (Ovda International Airport)?",
    ]


def test_end_before_start_is_reported(tmp_path: Path) -> None:
    data = minimal()
    data["events"][0]["start"], data["events"][0]["end"] = "2016-04-05", "2016-04-01"
    assert problems_of(tmp_path, data) == ["events[0].end: 2016-04-01 is before start 2016-04-05"]


def test_claim_naming_an_unknown_source_lists_the_known_ones(tmp_path: Path) -> None:
    data = minimal()
    data["claims"][1]["source"] = "ap-2024"
    assert problems_of(tmp_path, data) == ["claims[1].source: unknown source 'ap-2024'; known: ap-2023, haaretz-2023"]


def test_several_problems_are_all_reported_at_once(tmp_path: Path) -> None:
    data = minimal()
    del data["meta"]["title"]
    data["events"][1]["start"] = "2020-13-27"
    data["airports"]["codes"][1] = "XXXX"
    data["events"][0]["start"], data["events"][0]["end"] = "2016-04-05", "2016-04-01"
    data["claims"][1]["source"] = "ap-2024"
    data["claims"][0]["test"] = {"kind": "count_between", "min": 5, "max": 2}
    data["routes"][0]["max_ground_time"] = 12
    got = problems_of(tmp_path, data)
    assert got == [
        "meta.title: field required",
        "airports.codes[1]: unknown airport 'XXXX'",
        "events[0].end: 2016-04-01 is before start 2016-04-05",
        "events[1].start: '2020-13-27' is not a valid date (month must be in 1..12)",
        "routes[0].max_ground_time: 12 is not a duration; give a unit, e.g. '90min', '12h', '2d'",
        "claims[0].test.max: 2 is less than min 5",
        "claims[1].source: unknown source 'ap-2024'; known: ap-2023, haaretz-2023",
    ]


def test_cross_references_of_every_kind_are_checked(tmp_path: Path) -> None:
    data = minimal()
    data["events"][0]["sources"] = ["nope"]
    data["claims"][0]["subject"]["fleet"] = "silk"
    data["claims"][0]["subject"]["from"] = "azerbaijn"
    data["claims"][1]["window"]["event"] = "war-2021"
    data["claims"][1]["subject"]["route"] = "az-az"
    data["claims"][1]["test"]["events"] = ["war-2020", "war-1999"]
    data["routes"][0]["sequence"][1] = "LLVO"
    got = problems_of(tmp_path, data)
    assert "events[0].sources[0]: unknown source 'nope'; known: ap-2023, haaretz-2023" in got
    assert "claims[0].subject.fleet: unknown selector 'silk'; known: azaf, silkway, west" in got
    assert any(line.startswith("claims[0].subject.from: unknown airport or group 'azerbaijn'") for line in got)
    assert "claims[1].window.event: unknown event 'war-2021'; known: april-war-2016, hadrut-2020, war-2020" in got
    assert "claims[1].subject.route: unknown route 'az-az'; known: az-ovda-az" in got
    assert "claims[1].test.events[1]: unknown event 'war-1999'; known: april-war-2016, hadrut-2020, war-2020" in got
    assert "routes[0].sequence[1]: unknown airport or group 'LLVO' (groups: azerbaijan, israel, israel_south); did you mean LLOV (Ovda International Airport)?" in got
    assert len(got) == 7


def test_unknown_test_kind_lists_the_known_kinds(tmp_path: Path) -> None:
    data = minimal()
    data["claims"][0]["test"] = {"kind": "ground_stop", "airport": "UUEE"}
    (line,) = problems_of(tmp_path, data)
    assert line.startswith("claims[0].test: unknown test kind 'ground_stop'; known: count_at_least, count_at_most")
    assert line.endswith("closure, diversions_at_least, holding_at_least")


def test_missing_hex_needs_a_note_saying_so(tmp_path: Path) -> None:
    data = minimal()
    data["fleet"]["aircraft"][2]["notes"] = ""
    assert problems_of(tmp_path, data) == ["fleet.aircraft[2].notes: no hex is given; say in the notes why (e.g. 'hex not in tar1090-db')"]


def test_typo_in_a_key_and_duplicate_ids_and_yaml_keys_are_reported(tmp_path: Path) -> None:
    data = minimal()
    data["events"][2]["id"] = "war-2020"
    data["claims"][0]["test"]["vaule"] = 6
    text = yaml.safe_dump(data, sort_keys=False) + "routes: []\n"
    got = problems_of(tmp_path, text)
    assert got[0].startswith("line ") and "duplicate key 'routes'" in got[0]
    assert "events[2].id: duplicate event id 'war-2020' (first at events[1])" in got
    assert "claims[0].test.vaule: unknown field (a typo?)" in got


def test_group_cycles_and_sorties_without_route_are_reported(tmp_path: Path) -> None:
    data = minimal()
    data["airports"]["groups"]["a"] = ["b"]
    data["airports"]["groups"]["b"] = ["a"]
    del data["claims"][1]["subject"]["route"]
    got = problems_of(tmp_path, data)
    assert got == [
        "airports.groups.a[0]: group cycle: a → b → a",
        "airports.groups.b[0]: group cycle: b → a → b",
        "claims[1].subject.route: field required when unit is 'sorties'",
    ]


def test_unreadable_or_non_mapping_files_raise_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario(tmp_path / "missing.yaml")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(write(tmp_path, "meta: [unclosed"))
    with pytest.raises(ScenarioError, match="must be a mapping"):
        load_scenario(write(tmp_path, "- a\n- b\n"))


def test_libyaml_and_pyyaml_read_every_seed_to_the_same_document() -> None:
    from flighttrace.scenario.load import _yaml_loader

    assert yaml.__with_libyaml__  # the fast reader is there to be compared
    for path in sorted(SEED.parent.glob("*.yaml")):
        got = []
        for libyaml in (True, False):
            loader = _yaml_loader(libyaml)(path.read_text(encoding="utf-8"))
            loader.duplicates = []
            got.append((repr(loader.get_single_data()), loader.duplicates))
            loader.dispose()
        assert got[0] == got[1], path.name


def test_invalid_yaml_is_worded_by_pyyaml_with_the_offending_line(tmp_path: Path) -> None:
    # libyaml reads first and refuses the text; the message is PyYAML's, which shows the line and a caret under the column
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, "meta:\n  title: x\n  bad: [a, b\nclaims: []\n"))
    msg = str(err.value)
    assert "not valid YAML: while parsing a flow sequence" in msg and "expected ',' or ']', but got ':'" in msg
    assert "  bad: [a, b\n" in msg and "line 4, column 7" in msg


def test_a_duplicate_key_is_found_by_line_whichever_parser_reads(tmp_path: Path) -> None:
    from flighttrace.scenario.load import _yaml_loader

    text = "meta:\n  title: x\nfleet: {}\nmeta:\n  title: y\n"
    for libyaml in (True, False):
        loader = _yaml_loader(libyaml)(text)
        loader.duplicates = []
        loader.get_single_data()
        loader.dispose()
        assert loader.duplicates == [(4, "meta")]


def test_building_a_scenario_in_code_also_checks_cross_references() -> None:
    data = minimal()
    data["claims"][0]["source"] = "ap-2024"
    with pytest.raises(ValidationError, match=r"claims\[0\]\.source: unknown source 'ap-2024'"):
        Scenario.model_validate(data)


# --------------------------------------------------------------------------------------- windows and events


def test_date_window_end_is_inclusive_and_becomes_the_next_midnight(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, minimal()))
    assert s.claim_window("six") == (pd.Timestamp("2023-09-01T00:00Z"), pd.Timestamp("2023-09-18T00:00Z"))


def test_event_window_applies_lead_and_lag_worked_by_hand(tmp_path: Path) -> None:
    # war-2020: start 2020-09-27 (00:00 UTC); end 2020-11-10T01:00+04:00 = 2020-11-09T21:00 UTC (exclusive).
    # lead 30 d: 27 Sep - 30 d = 28 Aug 2020 00:00 UTC.  lag 15 d: 9 Nov 21:00 + 15 d = 24 Nov 2020 21:00 UTC.
    s = load_scenario(write(tmp_path, minimal()))
    assert s.claim_window("pace") == (pd.Timestamp("2020-08-28T00:00Z"), pd.Timestamp("2020-11-24T21:00Z"))


def test_event_window_with_a_date_end_counts_the_whole_last_day(tmp_path: Path) -> None:
    # april-war-2016: 1-5 Apr 2016, dates. lead 2 d -> 30 Mar 00:00; end is 6 Apr 00:00 (exclusive), lag 1 d -> 7 Apr 00:00.
    data = minimal()
    data["claims"][1]["window"] = {"event": "april-war-2016", "lead": "2d", "lag": "1d"}
    s = load_scenario(write(tmp_path, data))
    assert s.claim_window("pace") == (pd.Timestamp("2016-03-30T00:00Z"), pd.Timestamp("2016-04-07T00:00Z"))


def test_zoned_datetime_window_is_converted_to_utc(tmp_path: Path) -> None:
    data = minimal()
    data["claims"][0]["window"] = {"start": "2022-09-13T00:05:00+04:00", "end": "2022-09-14T20:00:00+04:00"}
    s = load_scenario(write(tmp_path, data))
    assert s.claim_window("six") == (pd.Timestamp("2022-09-12T20:05Z"), pd.Timestamp("2022-09-14T16:00Z"))


def test_events_frame_has_utc_times_with_exclusive_ends(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, minimal()))
    fr = s.events_frame()
    assert list(fr["id"]) == ["april-war-2016", "war-2020", "hadrut-2020"]
    assert str(fr["start"].dtype) == "datetime64[ns, UTC]" and str(fr["end"].dtype) == "datetime64[ns, UTC]"
    assert fr.loc[0, "end"] == pd.Timestamp("2016-04-06T00:00Z")  # date end 5 Apr -> next midnight
    assert fr.loc[1, "end"] == pd.Timestamp("2020-11-09T21:00Z")  # zoned end kept as an instant
    assert (fr.loc[2, "start"], fr.loc[2, "end"]) == (pd.Timestamp("2020-12-12T00:00Z"), pd.Timestamp("2020-12-13T00:00Z"))


def test_window_needs_one_form_only(tmp_path: Path) -> None:
    data = minimal()
    data["claims"][0]["window"] = {"event": "war-2020", "start": "2020-01-01"}
    data["claims"][1]["window"] = {"start": "2020-01-01"}
    assert problems_of(tmp_path, data) == [
        "claims[0].window: give either start and end, or event (with lead and lag), not both",
        "claims[1].window: give start and end, or event with lead and lag",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12h", pd.Timedelta(hours=12)), ("90min", pd.Timedelta(minutes=90)), ("2d", pd.Timedelta(days=2)), ("1h30min", pd.Timedelta(minutes=90)), ("1.5h", pd.Timedelta(minutes=90)), ("0d", pd.Timedelta(0))],
)
def test_parse_duration(text: str, expected: pd.Timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["12", 12, "12m", "h", "-2d", "2d junk"])
def test_parse_duration_rejects_numbers_without_units_and_unknown_units(bad: Any) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_format_duration_writes_the_file_notation() -> None:
    assert [format_duration(pd.Timedelta(x)) for x in ("2D", "12h", "90min", "45s")] == ["2d", "12h", "90min", "45s"]


# --------------------------------------------------------------------------------------- fleet and airports


@pytest.fixture()
def scenario(tmp_path: Path) -> Scenario:
    return load_scenario(write(tmp_path, minimal()))


def tiny_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "icao24": pd.Series(["600864", "600c00", "600c00", "600c01", "600039", "abcdef", "123456", "600d00"], dtype="category"),
            "callsign": ["AZQ6224", "AZQ1 ", "AZG100", "AZQ2", "ARM01", None, "AHY123", "AHY77"],
            "typecode": ["IL76", "IL76", "B744", "B744", "IL76", None, "IL76", "il76"],
            "registration": ["4K-AZ100", None, None, None, "EK76345", "4KAZ60", "4K-78131", None],
        }
    )


def test_fleet_mask_matches_listed_hexes_and_full_generic_criteria(scenario: Scenario) -> None:
    df = tiny_frame()
    # 0 listed hex; 1 block+AZQ+IL76; 2 AZG 747 no; 3 AZQ but 747 no; 4 Armenian no; 5 registration alias of 60083c; 6, 7 Air Force
    assert scenario.fleet_mask(df, "silkway").tolist() == [True, True, False, False, False, True, False, False]
    assert scenario.fleet_mask(df, "azaf").tolist() == [False, False, False, False, False, False, True, True]
    assert scenario.fleet_mask(df, "west").tolist() == [False, False, True, False, False, False, False, False]


def test_fleet_mask_default_is_the_union_of_subject_selectors(scenario: Scenario) -> None:
    assert scenario.fleet_mask(tiny_frame()).tolist() == [True, True, False, False, False, True, True, True]


def test_fleet_mask_treats_a_missing_column_as_an_unsatisfied_criterion(scenario: Scenario) -> None:
    df = tiny_frame().drop(columns=["typecode", "registration"])
    # without typecodes the generic rule cannot be satisfied; only listed hexes match
    assert scenario.fleet_mask(df, "silkway").tolist() == [True, False, False, False, False, False, False, False]
    assert scenario.fleet_mask(pd.DataFrame({"x": [1, 2]}), "silkway").tolist() == [False, False]


def test_fleet_mask_unknown_selector_raises_with_known_ids(scenario: Scenario) -> None:
    with pytest.raises(KeyError, match="unknown selector 'nope'; known: azaf, silkway, west"):
        scenario.fleet_mask(tiny_frame(), "nope")


def test_nested_groups_resolve_to_icao_codes(scenario: Scenario) -> None:
    assert scenario.resolve_airports("israel") == frozenset({"LLOV", "LLER", "LLBG"})
    assert scenario.resolve_airports("azerbaijan") == frozenset({"UBBB", "UBBG", "strip-x"})
    assert scenario.resolve_airports("GYD") == frozenset({"UBBB"})
    assert scenario.route_stops("az-ovda-az")[1] == frozenset({"LLOV"})
    with pytest.raises(KeyError, match="unknown airport or group 'isreal'"):
        scenario.resolve_airports("isreal")


def test_airport_index_includes_the_custom_sites(scenario: Scenario) -> None:
    index = scenario.airport_index()
    assert index is scenario.airport_index()
    site = index.get("strip-x")
    assert (site.lat, site.lon, site.source) == (40.0, 49.0, "scenario")


def test_scenario_is_immutable(scenario: Scenario) -> None:
    with pytest.raises(ValidationError):
        scenario.meta = scenario.meta  # type: ignore[misc]
    with pytest.raises(TypeError):
        scenario.airports.groups["new"] = ("LLOV",)  # type: ignore[index]
    assert isinstance(scenario.events, tuple) and isinstance(scenario.claims[0].subject.fleet, str)


def test_parse_scenario_accepts_a_mapping_and_copies_nothing_back() -> None:
    data = minimal()
    before = copy.deepcopy(data)
    s = parse_scenario(data, name="inline")
    assert data == before
    assert s.events[0].start == dt.date(2016, 4, 1)
    assert isinstance(s.events[1].end, dt.datetime)
    assert np.all(s.events_frame()["end"] > s.events_frame()["start"])


def test_a_scenario_without_fleet_or_airports_loads() -> None:
    from flighttrace.scenario import parse_scenario

    s = parse_scenario({"meta": {"title": "t", "summary": "s", "sources": [
        {"id": "x", "outlet": "o", "title": "t", "date": "2024-01-01", "url": "https://example.org", "language": "en",
         "access": "original", "confidence": "confirmed"}]}})
    assert s.airports.codes == () and s.fleet.aircraft == () and dict(s.airports.groups) == {}


# --------------------------------------------------------------------------------------- old files after the format grew


@pytest.mark.parametrize("path", [SEED, SEED.parents[1] / "tests" / "data" / "ovda-checks.yaml", None])
def test_files_written_before_the_disruption_kinds_still_load_as_sortie_scenarios(tmp_path: Path, path: Path | None) -> None:
    from flighttrace.kinds.disruption.spec import TESTS

    DISRUPTION_KINDS = [t.model_fields["kind"].annotation.__args__[0] for t in TESTS]

    # neither file names meta.kind (the key came with the disruption scenarios); both were written before it
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path is not None else minimal()
    assert "kind" not in raw["meta"] and raw.get("version", 1) == 1
    s = load_scenario(path if path is not None else write(tmp_path, raw))
    assert s.meta.kind == "sorties"
    assert s.claims and not any(c.test.kind in DISRUPTION_KINDS for c in s.claims)
    assert {c.subject.unit for c in s.claims} <= {"sorties", "landings", "departures", "legs"}


def test_seed_fleet_is_the_investigations_hex_table(seed: Scenario) -> None:
    # investigation.md §"Il-76 hex ↔ registration" (tar1090-db), copied by hand; 4K-78131 has no known hex
    table = {"600828": "4K-AZ40", "600829": "4K-AZ41", "60083c": "4K-AZ60", "600864": "4K-AZ100", "600865": "4K-AZ101",
             "600866": "4K-AZ102", "600881": "4K-78129"}
    assert {a.hex: a.registration for a in seed.fleet.aircraft if a.hex} == table
    assert [a.registration for a in seed.fleet.aircraft if not a.hex] == ["4K-78131"]
    assert "4KAZ60" in next(a for a in seed.fleet.aircraft if a.hex == "60083c").aliases  # the database's spelling
    military = {a.registration for a in seed.fleet.aircraft if a.military}
    assert military == {"4K-78129", "4K-78131"}
    assert all(a.typecode == "IL76" for a in seed.fleet.aircraft)
    prefixes = {p for s in seed.fleet.selectors if s.role == "subject" for p in s.callsign_prefixes}
    assert {"AZQ", "AHY", "AZAF"} <= prefixes
    # Azerbaijan's block (amendment 92) covers every listed hex; Armenia's Il-76 is a distractor outside it
    assert all(0x600800 <= int(h, 16) <= 0x600FFF for h in table)


def test_seed_keeps_both_periods_of_haaretzs_92_as_separate_claims(seed: Scenario) -> None:
    # the original: 92 landings from 2016 to early March 2023 (published 6 March 2023); the seed: "2016–2020"
    original, seeded = seed.claim("haaretz-2023-92-landings"), seed.claim("seed-000-92-in-2016-2020")
    assert original.source == "haaretz-2023" and seeded.source == "seed-000" and seeded.record == "disputed"
    assert seed.claim_window(original.id) == (pd.Timestamp("2016-01-01T00:00Z"), pd.Timestamp("2023-03-07T00:00Z"))
    assert seed.claim_window(seeded.id) == (pd.Timestamp("2016-01-01T00:00Z"), pd.Timestamp("2021-01-01T00:00Z"))
    assert original.test.value == seeded.test.value == 92  # type: ignore[union-attr]
    # AP: at least six Baku→Ovda landings 1–17 Sep 2023, hours on the ground, back to Baku or Ganja
    six = seed.claim("ap-2023-six-from-baku")
    assert (six.test.kind, six.test.value, six.subject.airport, six.subject.from_) == ("count_at_least", 6, "LLOV", "UBBB")  # type: ignore[union-attr]
    back = seed.claim("ap-2023-back-to-baku-or-ganja").test
    assert set(back.airports) == {"UBBB", "UBBG"}  # type: ignore[union-attr]
    # the timeline runs 2016–2023
    fr = seed.events_frame()
    assert fr["start"].min().year == 2016 and fr["end"].max().year == 2023
