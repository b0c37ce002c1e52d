"""Issue 4's API and table contracts not covered elsewhere: the ``legs`` command, ground stays, bridging."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from flighttrace.cli import _load, app
from flighttrace.sim.writers import write_trace
from flighttrace.tracks.legs import LEGS_COLUMNS, detect_legs, ground_stays
from tests.flights import LLOV, UBBB, UBBG, flight, join, straight

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def one(legs: pd.DataFrame) -> pd.Series:
    assert len(legs) == 1, legs[["leg_id", "origin", "origin_evidence", "destination", "destination_evidence"]]
    return legs.iloc[0]


def test_legs_command_writes_the_four_files_and_a_summary(tmp_path: Path) -> None:
    out_leg = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    back = flight(LLOV, UBBB, "2023-09-06T04:30Z", callsign="AZQ6225")
    trace = tmp_path / "in" / "traces" / "64" / "trace_full_600864.json"
    trace.parent.mkdir(parents=True)
    write_trace(join(out_leg, back), trace, typecode="IL76")
    _load()  # register the commands, as the console script does
    res = CliRunner().invoke(app, ["legs", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-progress"])
    assert res.exit_code == 0, res.output
    for name in ("legs.parquet", "legs.csv", "legs.geojson", "ground_stays.csv"):
        assert (tmp_path / "out" / name).is_file(), name
    legs = pd.read_csv(tmp_path / "out" / "legs.csv")
    assert legs["origin"].tolist() == ["UBBB", "LLOV"] and legs["destination"].tolist() == ["LLOV", "UBBB"]
    stays = pd.read_csv(tmp_path / "out" / "ground_stays.csv")
    assert stays["airport"].tolist() == ["LLOV"]
    assert "2 legs from" in res.output and "observed" in res.output


def test_ground_stays_give_both_legs_times_duration_and_grades() -> None:
    out_leg = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    back = flight(LLOV, UBBB, "2023-09-06T04:30Z", callsign="AZQ6225")
    legs = detect_legs(join(out_leg, back))
    stays = ground_stays(legs)
    assert list(stays.columns) == [
        "airport", "icao24", "arriving_leg", "departing_leg", "arrival_time", "departure_time",
        "duration_s", "duration_min_s", "arrival_evidence", "departure_evidence",
    ]
    s = stays.iloc[0]
    assert (s["arriving_leg"], s["departing_leg"]) == (legs["leg_id"].iloc[0], legs["leg_id"].iloc[1])
    assert (s["arrival_evidence"], s["departure_evidence"]) == ("observed", "observed")
    assert s["duration_s"] == (s["departure_time"] - s["arrival_time"]).total_seconds()
    # the lower bound runs from the last sighting of the arrival to the first of the departure
    assert s["duration_min_s"] == (legs["first_seen"].iloc[1] - legs["last_seen"].iloc[0]).total_seconds()
    assert 0 < s["duration_min_s"] <= s["duration_s"]


def test_first_seen_in_the_air_after_being_seen_parked_is_bridged_to_that_field() -> None:
    # seen parked at Ganja (a few ground reports), then first seen 40 minutes later at FL200, 150 km
    # east: the take-off was not seen, so the origin is bridged to Ganja (not "observed"), and the
    # take-off time is bounded from below by the last sighting on the ground
    parked = straight(UBBG.lat, UBBG.lon, 0.0, n=5, step_s=60.0, gs_kt=0.0, alt_ft=float("nan"), on_ground=True, start="2023-09-01T06:00Z")
    cruise = straight(40.85, 48.10, 95.0, n=40, step_s=20.0, gs_kt=420.0, alt_ft=20000.0, start="2023-09-01T06:44Z")
    legs = detect_legs(join(parked, cruise))
    leg = one(legs)
    assert (leg["origin"], leg["origin_evidence"]) == ("UBBG", "bridged")
    assert pd.isna(leg["takeoff_time"]) and leg["takeoff_time_earliest"] == parked["time"].iloc[-1]
    assert "last seen on the ground at UBBG" in leg["origin_reason"]


def test_lost_in_cruise_then_seen_on_the_ground_is_bridged_not_observed() -> None:
    # lost at FL330 over the sea, next seen on the ground at Ovda an hour later (end of the data):
    # the landing was not seen; the destination is bridged, its time bounded by that sighting
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    cut = pts["time"] > pts.loc[(pts["lat"] < 35.0) & (pts["alt_ft"] > 30000), "time"].iloc[0]
    ground = pts["on_ground"].fillna(False).to_numpy() & (pts["time"] > pts["time"].iloc[len(pts) // 2]).to_numpy()
    legs = detect_legs(pts[~cut.to_numpy() | ground].reset_index(drop=True))
    leg = one(legs)
    assert (leg["destination"], leg["destination_evidence"]) == ("LLOV", "bridged")
    assert pd.isna(leg["landing_time"]) and leg["landing_time_latest"] == pts.loc[ground, "time"].iloc[0]
    assert "next seen on the ground at LLOV" in leg["destination_reason"]


def test_a_track_without_any_speed() -> None:
    # FR24 KML placemarks and some MLAT feeds carry no ground speed: the gap rules fall back on a
    # nominal speed instead of warning, and a cruise gap does not split
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    pts["gs_kt"] = np.float32(np.nan)
    hole = (pts["alt_ft"] > 30000) & (pts["lat"] < 36.0) & (pts["lat"] > 33.5)
    leg = one(detect_legs(pts[~hole.to_numpy()].reset_index(drop=True)))
    assert (leg["origin"], leg["destination"]) == ("UBBB", "LLOV")


def test_every_leg_column_is_present_and_the_track_is_a_linestring() -> None:
    legs = detect_legs(flight(UBBB, UBBG, "2023-09-01T06:00Z", waypoints=[]))
    assert list(legs.columns) == list(LEGS_COLUMNS)
    assert legs.crs.to_epsg() == 4326 and legs.geometry.iloc[0].geom_type == "LineString"
