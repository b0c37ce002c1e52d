"""Leg segmentation, takeoff/landing detection and evidence grades, on tiny realistic builders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flighttrace.reference.airports import AirportIndex
from flighttrace.sim.kinematics import Field, fly_leg
from flighttrace.tracks.legs import LegParams, airport_events, detect_legs, ground_stays
from tests.flights import LLER, LLOV, SLLP, UBBB, UBBG, agl, drop, flight, join

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def truth_times(origin: Field, dest: Field, off: str, **kw: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    tr = fly_leg(origin, dest, pd.Timestamp(off), **kw)  # type: ignore[arg-type]
    air = tr[~tr["on_ground"]]
    return air["time"].iloc[0], air["time"].iloc[-1]


def one(legs: pd.DataFrame) -> pd.Series:
    assert len(legs) == 1, legs[["leg_id", "origin", "destination"]]
    return legs.iloc[0]


def test_full_coverage_both_ends_observed_and_times_close_to_truth() -> None:
    pts = flight(UBBB, UBBG, "2023-09-01T06:00Z", waypoints=[])
    leg = one(detect_legs(pts))
    assert (leg["origin"], leg["origin_evidence"]) == ("UBBB", "observed")
    assert (leg["destination"], leg["destination_evidence"]) == ("UBBG", "observed")
    t_off, t_on = truth_times(UBBB, UBBG, "2023-09-01T06:00Z")
    assert abs((leg["takeoff_time"] - t_off).total_seconds()) <= 30
    assert abs((leg["landing_time"] - t_on).total_seconds()) <= 30
    assert leg["geometry"].geom_type == "LineString" and leg["n_points"] == len(pts)
    assert leg["lineage"] == f"test.json:0-{len(pts) - 1}"


def test_round_trip_gives_two_legs_and_a_ground_stay_at_the_far_field() -> None:
    out = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    back = flight(LLOV, UBBB, "2023-09-06T04:30Z", callsign="AZQ6225")
    legs = detect_legs(join(out, back))
    assert legs["origin"].tolist() == ["UBBB", "LLOV"] and legs["destination"].tolist() == ["LLOV", "UBBB"]
    stays = ground_stays(legs)
    assert stays["airport"].tolist() == ["LLOV"]
    # landed ~01:22, took off ~04:42: a ground stay of about 3.3 h
    assert 3.0 * 3600 < stays["duration_s"].iloc[0] < 3.6 * 3600
    ev = airport_events(legs)
    assert ev["event"].tolist() == ["takeoff", "landing", "takeoff", "landing"]


def test_go_around_makes_no_false_leg() -> None:
    pts = flight(UBBB, UBBG, "2023-09-01T06:00Z", go_around=True)
    leg = one(detect_legs(pts))
    assert leg["destination"] == "UBBG" and leg["destination_evidence"] == "observed"
    _, t_on = truth_times(UBBB, UBBG, "2023-09-01T06:00Z", go_around=True)
    # the landing is the final touchdown, after the missed approach
    assert abs((leg["landing_time"] - t_on).total_seconds()) <= 30


def test_touch_and_go_makes_no_false_leg() -> None:
    # a light aircraft touches down at UBBG at speed and climbs away to UBBB
    a = flight(UBBB, UBBG, "2023-09-01T06:00Z", typecode="C172", callsign="TRAIN1", taxi_in_s=1)
    b = flight(UBBG, UBBB, "2023-09-01T06:00Z", typecode="C172", callsign="TRAIN1", taxi_out_s=1)
    a = a[a["time"] <= a.loc[a["on_ground"].fillna(False).to_numpy() & (a["time"] > a["time"].iloc[len(a) // 2]), "time"].iloc[0]]
    first_air = b.index[~b["on_ground"].fillna(False).to_numpy()][0]
    b = b.iloc[first_air:].copy()
    b["time"] = b["time"] - b["time"].iloc[0] + a["time"].iloc[-1] + pd.Timedelta(seconds=8)
    a.loc[a.index[-1], "gs_kt"] = 60.0  # still rolling fast on the runway
    leg = one(detect_legs(join(a, b)))
    assert (leg["origin"], leg["destination"]) == ("UBBB", "UBBB")
    assert leg["touch_and_go"] == 1


def test_coverage_gap_at_cruise_over_the_sea_does_not_split() -> None:
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    cruise = (pts["alt_ft"] > 30000) & (pts["lat"] < 36.0) & (pts["lat"] > 33.5)  # over the Mediterranean
    gap = drop(pts, cruise)
    leg = one(detect_legs(gap))
    assert (leg["origin"], leg["destination"]) == ("UBBB", "LLOV")
    assert leg["max_gap_s"] > 1000


def test_lost_before_touchdown_is_inferred_at_the_field() -> None:
    pts = flight(UBBB, LLOV, "2016-04-03T22:00Z")
    h = agl(pts, LLOV)
    late = pts["time"] > pts["time"].iloc[len(pts) // 2]
    # a coverage hole below 2,000 ft above Ovda, as near Hatzeva in 2016: touchdown never seen
    lost = drop(pts, late & ((h < 2000) | pts["on_ground"].fillna(False)))
    leg = one(detect_legs(lost))
    assert (leg["destination"], leg["destination_evidence"]) == ("LLOV", "inferred")
    assert "descending toward it" in leg["destination_reason"]
    _, t_on = truth_times(UBBB, LLOV, "2016-04-03T22:00Z", waypoints=[(41.6, 45.0), (40.0, 41.0), (38.5, 35.5), (35.5, 33.3), (32.2, 34.6), (31.0, 35.3)])
    assert abs((leg["landing_time"] - t_on).total_seconds()) < 300


def test_lost_en_route_then_seen_departing_is_bridged() -> None:
    out = flight(UBBB, LLOV, "2016-04-03T22:00Z")
    back = flight(LLOV, UBBB, "2016-04-04T04:00Z", callsign="AZQ6225")
    # track lost at 20,000 ft, ~150 km before Ovda
    out = out[~((out["time"] > out["time"].iloc[len(out) // 2]) & ((out["alt_ft"] < 20000) | out["on_ground"].fillna(False)))]
    legs = detect_legs(join(out, back))
    assert len(legs) == 2
    first = legs.iloc[0]
    assert (first["destination"], first["destination_evidence"]) == ("LLOV", "bridged")
    # the landing time is unknown; it is bounded by the next departure
    assert pd.isna(first["landing_time"])
    assert abs((first["landing_time_latest"] - legs.iloc[1]["takeoff_time"]).total_seconds()) < 60
    assert "next seen departing from LLOV" in first["destination_reason"]


def test_end_far_from_any_field_stays_unknown() -> None:
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    cut = pts[pts["time"] < pts.loc[(pts["lat"] < 35.0) & (pts["alt_ft"] > 30000), "time"].iloc[0]]  # over the sea, FL330
    leg = one(detect_legs(cut))
    assert leg["destination_evidence"] == "unknown" and leg["destination"] is None
    assert pd.isna(leg["landing_time"])
    assert "no field fits" in leg["destination_reason"]


def test_track_that_starts_in_cruise_has_unknown_origin() -> None:
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    late = pts[pts["time"] > pts["time"].iloc[0] + pd.Timedelta(minutes=60)]
    leg = one(detect_legs(late))
    assert leg["origin_evidence"] == "unknown" and leg["origin"] is None
    assert (leg["destination"], leg["destination_evidence"]) == ("LLOV", "observed")


def test_overnight_parked_with_transponder_on() -> None:
    a = flight(UBBB, UBBG, "2023-09-01T16:00Z", waypoints=[])
    b = flight(UBBG, UBBB, "2023-09-02T06:00Z", waypoints=[], callsign="AZQ6225")
    park_t = pd.date_range(a["time"].iloc[-1] + pd.Timedelta(minutes=1), b["time"].iloc[0] - pd.Timedelta(minutes=1), freq="60s")
    park = a.iloc[[-1] * len(park_t)].copy()
    park["time"] = park_t
    park["gs_kt"] = np.float32(0)
    legs = detect_legs(join(a, park, b))
    assert legs["destination"].tolist() == ["UBBG", "UBBB"] and legs["origin"].tolist() == ["UBBB", "UBBG"]
    stay = ground_stays(legs).iloc[0]
    assert stay["airport"] == "UBBG" and stay["duration_s"] > 12 * 3600


def test_spoofed_position_jump_is_flagged_not_a_diversion() -> None:
    pts = flight(LLOV, UBBB, "2024-01-08T10:00Z")
    i = pts.index[(pts["alt_ft"] > 30000)][5:25]
    pts.loc[i, "lat"] = 33.8209 + np.linspace(0, 0.01, len(i))  # Beirut, OLBA
    pts.loc[i, "lon"] = 35.4884
    pts.loc[i, "alt_ft"] = np.nan
    legs = detect_legs(pts)
    leg = one(legs)
    assert leg["n_suspect"] == 20
    assert (leg["origin"], leg["destination"]) == ("LLOV", "UBBB")
    assert "OLBA" not in set(airport_events(legs)["airport"])


def test_duplicate_feed_from_two_sources_gives_one_leg() -> None:
    a = flight(UBBB, UBBG, "2023-09-01T06:00Z", source="readsb", src_file="a.json")
    b = flight(UBBB, UBBG, "2023-09-01T06:00Z", source="opensky", src_file="b.csv")
    b["lat"] += 1e-5  # a different receiver, a slightly different position
    legs = detect_legs(join(a, b))
    leg = one(legs)
    assert (leg["origin"], leg["destination"]) == ("UBBB", "UBBG")
    assert leg["lineage"].startswith("a.json:0-") and "; b.csv:0-" in leg["lineage"]


def test_callsign_change_mid_flight_does_not_split() -> None:
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    pts.loc[len(pts) // 2 :, "callsign"] = "AZQ9999"
    leg = one(detect_legs(pts))
    assert leg["callsigns"] == "AZQ6224,AZQ9999"


def test_two_aircraft_with_one_callsign_never_merge() -> None:
    a = flight(UBBB, UBBG, "2023-09-01T06:00Z", icao24="600864", callsign="AZQ1")
    b = flight(UBBG, UBBB, "2023-09-01T06:05Z", icao24="600865", callsign="AZQ1")
    legs = detect_legs(join(a, b))
    assert sorted(zip(legs["icao24"], legs["origin"], legs["destination"], strict=False)) == [("600864", "UBBB", "UBBG"), ("600865", "UBBG", "UBBB")]


def test_field_at_high_elevation() -> None:
    cusco = Field("SPZO", -13.5357, -71.9388, 10860.0)
    pts = flight(SLLP, cusco, "2023-09-01T12:00Z", typecode="A320", waypoints=[])
    leg = one(detect_legs(pts))
    assert (leg["origin"], leg["destination"]) == ("SLLP", "SPZO")
    # lost 1,000 ft above El Alto (14,300 ft MSL): an absolute-altitude rule would call that cruise
    dep = flight(cusco, SLLP, "2023-09-02T12:00Z", typecode="A320", waypoints=[])
    h = agl(dep, SLLP)
    late = dep["time"] > dep["time"].iloc[len(dep) // 2]
    lost = drop(dep, late & ((h < 1000) | dep["on_ground"].fillna(False)))
    leg = one(detect_legs(lost))
    assert (leg["destination"], leg["destination_evidence"]) == ("SLLP", "inferred")


def _with_heliport() -> tuple[AirportIndex, Field]:
    pad = Field("XHEL", 40.4800, 50.0300, 30.0)  # a pad 1.9 km from Baku's reference point
    index = AirportIndex.default().with_sites([{"id": "XHEL", "name": "Test Heliport", "lat": pad.lat, "lon": pad.lon, "elevation_ft": pad.elevation_ft, "kind": "heliport"}])
    return index, pad


def test_heliports_only_for_helicopters() -> None:
    index, pad = _with_heliport()
    heli = flight(UBBG, pad, "2023-09-01T06:00Z", typecode="EC45", callsign="HELI1", waypoints=[])
    plane = flight(UBBG, pad, "2023-09-01T06:00Z", typecode="C172", icao24="600999", callsign="CESSNA", waypoints=[])
    legs = detect_legs(join(heli, plane), index).set_index("icao24")
    assert legs.loc["600864", "destination"] == "XHEL"
    assert legs.loc["600999", "destination"] == "UBBB"


def test_slow_light_aircraft_takes_off_and_lands() -> None:
    pts = flight(UBBG, UBBB, "2023-09-01T06:00Z", typecode="C172", callsign="N172SP", waypoints=[])
    leg = one(detect_legs(pts))
    assert (leg["origin"], leg["origin_evidence"], leg["destination"], leg["destination_evidence"]) == ("UBBG", "observed", "UBBB", "observed")


def test_taxiing_with_a_faulty_airborne_flag_is_never_a_leg() -> None:
    pts = flight(UBBB, UBBG, "2023-09-01T06:00Z", waypoints=[])
    taxi = pts[pts["on_ground"].fillna(False).to_numpy() & (pts["gs_kt"] < 30)].head(40).copy()
    taxi["on_ground"] = pd.array([False] * len(taxi), dtype="boolean")  # transponder claims airborne
    taxi["alt_ft"] = np.float32(25)
    assert len(detect_legs(taxi)) == 0


def test_landing_roll_out_is_never_a_takeoff() -> None:
    arr = flight(UBBG, UBBB, "2023-09-01T06:00Z", waypoints=[])
    dep = flight(UBBB, UBBG, "2023-09-01T09:00Z", waypoints=[], callsign="AZQ2")
    # first seen rolling out after touchdown at UBBB, then departing later
    roll = arr[arr["time"] >= arr.loc[arr["on_ground"].fillna(False).to_numpy() & (arr["time"] > arr["time"].iloc[len(arr) // 2]), "time"].iloc[0]]
    legs = detect_legs(join(roll, dep))
    leg = one(legs)
    assert (leg["origin"], leg["origin_evidence"], leg["destination"]) == ("UBBB", "observed", "UBBG")
    assert leg["takeoff_time"] > pd.Timestamp("2023-09-01T09:00Z")


def test_ramon_is_not_ovda() -> None:
    pts = flight(UBBB, LLER, "2023-09-05T22:00Z")
    assert one(detect_legs(pts))["destination"] == "LLER"


def test_parameters_are_named_and_checked() -> None:
    pts = flight(UBBB, UBBG, "2023-09-01T06:00Z", waypoints=[])
    with pytest.raises(TypeError, match="unknown leg parameter.*stop_minutes"):
        detect_legs(pts, stop_minutes=5)
    # a stricter observed radius turns a seen touchdown into an inferred one
    strict = one(detect_legs(pts, params=LegParams(observed_km=0.01, observed_agl_ft=1.0)))
    assert strict["destination_evidence"] == "inferred"


def test_unsorted_input_is_sorted_first() -> None:
    pts = flight(UBBB, UBBG, "2023-09-01T06:00Z", waypoints=[])
    shuffled = pts.sample(frac=1.0, random_state=1).reset_index(drop=True)
    a, b = detect_legs(pts), detect_legs(shuffled)
    assert a[["origin", "destination", "takeoff_time", "landing_time"]].equals(b[["origin", "destination", "takeoff_time", "landing_time"]])


def test_empty_points_give_empty_legs() -> None:
    pts = flight(UBBB, UBBG, "2023-09-01T06:00Z", waypoints=[]).iloc[0:0]
    legs = detect_legs(pts)
    assert len(legs) == 0 and "destination_evidence" in legs.columns
