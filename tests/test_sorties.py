"""Sorties: legs chained into a scenario's out-and-back route, on hand-built legs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import flighttrace
from flighttrace.kinds.sorties.chain import find_sorties, weakest

SEED = Path(__file__).resolve().parents[1] / "seeds" / "azerbaijan-ovda.yaml"


@pytest.fixture(scope="module")
def scn():  # type: ignore[no-untyped-def]
    return flighttrace.load_scenario(SEED)


def leg(hex_: str, origin: str | None, dest: str | None, off: str | None, on: str | None, *, og: str = "observed", dg: str = "observed", first: str | None = None, last: str | None = None, reg: str | None = None) -> dict[str, object]:
    t = lambda x: pd.Timestamp(x, tz="UTC") if x else pd.NaT  # noqa: E731
    fs = t(first or off)
    ls = t(last or on)
    return {
        "leg_id": f"{hex_}-{fs:%Y%m%dT%H%M}", "icao24": hex_, "registration": reg, "callsign": "AZQ1", "typecode": "IL76",
        "first_seen": fs, "last_seen": ls, "origin": origin, "takeoff_time": t(off), "origin_evidence": og if origin else "unknown",
        "destination": dest, "landing_time": t(on), "destination_evidence": dg if dest else "unknown", "lineage": f"f.json:{fs:%H%M}",
    }


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_out_and_back_is_one_sortie_with_its_ground_time(scn) -> None:  # type: ignore[no-untyped-def]
    s = find_sorties(frame(
        leg("600864", "UBBB", "LLOV", "2023-09-05 22:10", "2023-09-06 01:20"),
        leg("600864", "LLOV", "UBBG", "2023-09-06 04:05", "2023-09-06 07:15"),
    ), scn)
    assert len(s) == 1
    r = s.iloc[0]
    assert (r["origin"], r["far"], r["back"], r["evidence"]) == ("UBBB", "LLOV", "UBBG", "observed")
    assert r["ground_time_s"] == 2 * 3600 + 45 * 60  # 01:20 → 04:05
    assert r["sortie_id"] == "az-ovda-az-001"


def test_sortie_grade_is_the_weakest_far_field_grade(scn) -> None:  # type: ignore[no-untyped-def]
    s = find_sorties(frame(
        leg("600864", "UBBB", "LLOV", "2016-04-03 22:10", "2016-04-04 01:20", dg="inferred"),
        leg("600864", "LLOV", "UBBB", "2016-04-04 04:05", "2016-04-04 07:15"),
    ), scn)
    assert s["evidence"].tolist() == ["inferred"]
    assert weakest("observed", "bridged", "inferred") == "bridged"


def test_missing_return_leg_is_kept_and_graded_bridged(scn) -> None:  # type: ignore[no-untyped-def]
    s = find_sorties(frame(leg("600864", "UBBB", "LLOV", "2023-09-05 22:10", "2023-09-06 01:20")), scn)
    assert len(s) == 1 and s.iloc[0]["evidence"] == "bridged" and pd.isna(s.iloc[0]["out_leg"])
    assert "return leg not seen" in s.iloc[0]["note"]


def test_departure_from_the_far_field_without_an_inbound_leg_is_kept(scn) -> None:  # type: ignore[no-untyped-def]
    s = find_sorties(frame(leg("600864", "LLOV", "UBBB", "2023-09-06 04:05", "2023-09-06 07:15")), scn)
    assert len(s) == 1 and pd.isna(s.iloc[0]["in_leg"]) and s.iloc[0]["evidence"] == "bridged"


def test_ground_time_above_the_route_limit_makes_two_sorties_not_one(scn) -> None:  # type: ignore[no-untyped-def]
    # the route allows 12 h on the ground; 20 h separates these legs
    s = find_sorties(frame(
        leg("600864", "UBBB", "LLOV", "2023-09-05 22:10", "2023-09-06 01:20"),
        leg("600864", "LLOV", "UBBB", "2023-09-06 21:20", "2023-09-07 00:30"),
    ), scn)
    assert len(s) == 2 and set(s["evidence"]) == {"bridged"}


def test_other_routes_other_aircraft_and_no_double_counting(scn) -> None:  # type: ignore[no-untyped-def]
    s = find_sorties(frame(
        leg("600864", "LTAC", "LLOV", "2023-09-05 22:10", "2023-09-06 01:20"),  # from Ankara: not this route
        leg("600864", "LLOV", "LTAC", "2023-09-06 04:05", "2023-09-06 07:15"),  # back to Ankara: not this route
        leg("600865", "UBBB", "LLER", "2023-09-05 22:10", "2023-09-06 01:20"),  # Ramon, not Ovda
        leg("600865", "LLER", "UBBB", "2023-09-06 04:05", "2023-09-06 07:15"),
        leg("50826b", "UBBB", "LLOV", "2023-09-05 22:10", "2023-09-06 01:20", reg="UR-UCA"),  # not in the fleet
        leg("600866", "UBBB", "LLOV", "2023-09-07 22:10", "2023-09-08 01:20"),
        leg("600866", "LLOV", "UBBB", "2023-09-08 04:05", "2023-09-08 07:15"),
    ), scn)
    assert s["icao24"].tolist() == ["600866"]
    used = [x for x in pd.concat([s["in_leg"], s["out_leg"]]).dropna()]
    assert len(used) == len(set(used))


def test_unknown_home_end_does_not_disqualify(scn) -> None:  # type: ignore[no-untyped-def]
    s = find_sorties(frame(
        leg("600864", None, "LLOV", None, "2023-09-06 01:20", first="2023-09-05 23:30"),  # first seen in cruise
        leg("600864", "LLOV", "UBBB", "2023-09-06 04:05", "2023-09-06 07:15"),
    ), scn)
    assert len(s) == 1 and s.iloc[0]["origin_evidence"] == "unknown" and s.iloc[0]["evidence"] == "observed"


def test_unknown_route_is_named(scn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KeyError, match="unknown route 'nope'"):
        find_sorties(frame(leg("600864", "UBBB", "LLOV", "2023-09-05 22:10", "2023-09-06 01:20")), scn, route="nope")
