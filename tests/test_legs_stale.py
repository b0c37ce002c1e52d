"""Stale state vectors and ground sightings next to a leg end, rebuilt as tiny builders.

The patterns come from public OpenSky samples (traffic 2.13's Paris
collection and California fire-fighting recordings, see
tests/realdata/README.md); none of their data is copied here, only the facts
(a stale speed, a crawl, a garbled altitude, a cycle between two fields).
Expected values are worked out from the builders' own numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flighttrace.geo import haversine_km
from flighttrace.reference.airports import AirportIndex
from flighttrace.tracks.implausible import crawling, step_km
from flighttrace.tracks.legs import detect_legs
from flighttrace.tracks.params import LegParams
from flighttrace.tracks.segment import point_arrays
from tests.flights import LLOV, UBBB, flight, join, offset, straight

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def one(legs: pd.DataFrame) -> pd.Series:
    assert len(legs) == 1, legs[["leg_id", "origin", "origin_evidence", "destination", "destination_evidence"]]
    return legs.iloc[0]


def _flags(pts: pd.DataFrame, **kw: float) -> np.ndarray:
    a = point_arrays(pts)
    return crawling(a["ac"], a["t"], a["lat"], a["lon"], a["gs"], a["trk"], a["og"], a["heli"], LegParams(**kw))


# --------------------------------------------------------------------------- a stale vector that claims flight


def _landing_with_stale_tail(n_ground: int, n_garbled: int) -> tuple[pd.DataFrame, int]:
    """An OpenSky landing at LLOV, cut at touchdown, then a stale state vector.

    The tail is one report a second: positions creeping on at 10 kt along the
    touchdown track, ground speed and track frozen at the touchdown values;
    ``n_ground`` reports flagged on the ground, then ``n_garbled`` flagged
    airborne at 36,000 ft. Returns the points and the touchdown row.
    """
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z", source="opensky")
    og = pts["on_ground"].fillna(False).to_numpy()
    late = (pts["time"] > pts["time"].iloc[len(pts) // 2]).to_numpy()
    td = int(np.flatnonzero(late & og)[0])
    cut = pts.iloc[: td + 1].copy()
    last = cut.iloc[-1]
    n = n_ground + n_garbled
    tail = straight(float(last["lat"]), float(last["lon"]), float(last["track_deg"]), n=n + 1, step_s=1.0, gs_kt=10.0,
                    start=last["time"], icao24=str(last["icao24"]), typecode="IL76", callsign="AZQ6224").iloc[1:]
    tail = tail.assign(gs_kt=np.float32(last["gs_kt"]), track_deg=np.float32(last["track_deg"]), alt_ft=np.float32(np.nan),
                       vrate_fpm=np.float32(last["vrate_fpm"]))
    tail["on_ground"] = pd.array([True] * n_ground + [False] * n_garbled, dtype="boolean")
    tail.loc[tail.index[n_ground:], "alt_ft"] = np.float32(36000.0)
    return join(cut, tail), td


def test_a_garbled_cruise_altitude_on_a_creeping_stale_vector_does_not_undo_the_landing() -> None:
    # Paris, 2021-10-07: after touchdown the speed stays at the last airborne value (97–102 kt) while the
    # surface positions creep; then rows flagged airborne at 27,000–36,000 ft. Without the crawl rule the
    # stale speed makes the ground run a touch-and-go and the leg ends "unknown, 36,000 ft".
    pts, td = _landing_with_stale_tail(n_ground=40, n_garbled=20)
    assert float(pts["gs_kt"].iloc[td]) >= 100.0  # the frozen speed is a flying one, above stop_kt
    leg = one(detect_legs(pts))
    assert (leg["destination"], leg["destination_evidence"]) == ("LLOV", "observed")
    # each garbled row has more than 20 s of 10-kt crawl behind it (the first: rows 20..40 of the tail)
    assert leg["n_suspect"] == 20
    assert leg["last_seen"] == pts["time"].iloc[td + 40]  # the last ground report of the tail
    off = detect_legs(pts, crawl_max_window_s=0.0)  # the rule switched off: the old failure
    assert off["destination_evidence"].iloc[-1] == "unknown"


def test_a_row_is_flagged_once_its_window_holds_mostly_crawl() -> None:
    # 30 reports a second at 120 kt, then 30 at 10 kt, the speed column frozen at 120 kt throughout.
    # Row i's window runs from row i - 21 (the last more than 20 s before it): 21 steps, of which
    # f = 51 - i (for 31 <= i <= 51) are flown at 120 kt. Average (120 f + 10 (21 - f)) / 21 < 40 kt
    # (min_air_kt; half the reported 120 kt is 60) when f <= 5: rows 46..59, and no earlier row.
    gs = np.array([120.0] * 30 + [10.0] * 30)
    pts = straight(40.0, 30.0, 90.0, n=60, step_s=1.0, gs_kt=gs, alt_ft=3000.0)
    pts["gs_kt"] = np.float32(120.0)
    assert np.flatnonzero(_flags(pts)).tolist() == list(range(46, 60))
    assert not _flags(pts.assign(on_ground=pd.array([True] * 60, dtype="boolean"))).any()  # said to be on the ground
    assert not _flags(pts.assign(typecode="EC35")).any()  # a helicopter may hover
    assert not _flags(pts, crawl_max_window_s=20.5).any()  # a 21-s window is longer than allowed: not judged


def test_a_slow_flyer_whose_positions_keep_up_with_its_speed_is_not_a_crawl() -> None:
    # a border patrol at 1,000 ft over the Channel reports 43 kt (integers, unchanged for minutes)
    # while its positions cover 38 kt: slower than min_air_kt, but far above half the speed it reports
    pts = straight(51.10, 1.55, 50.0, n=60, step_s=10.0, gs_kt=38.0, alt_ft=1000.0, typecode="DA42", on_ground=None)
    pts["gs_kt"] = np.float32(43.0)
    assert not _flags(pts).any()
    assert _flags(pts, crawl_speed_frac=0.9).sum() == 60 - 3  # every row with 20 s of track behind it


def test_a_glider_circling_once_per_sample_is_not_a_stale_vector() -> None:
    # thermalling at 45 kt on a 100-m circle (one turn in 27.2 s), sampled every 26 s: consecutive
    # positions lie a few metres apart, but the track turns between reports, as no stale vector's does
    r_km, gs_kt = 0.1, 45.0
    period_s = 2 * np.pi * r_km / (gs_kt * 1.852 / 3600.0)
    t = np.arange(20) * 26.0
    ang = 2 * np.pi * t / period_s
    lat0, lon0 = 46.0, 11.0
    pts = straight(lat0, lon0, 0.0, n=20, step_s=26.0, gs_kt=gs_kt, alt_ft=6000.0, typecode="GLID", on_ground=None)
    pts["lat"] = lat0 + np.degrees(r_km * np.sin(ang) / 6371.0088)
    pts["lon"] = lon0 + np.degrees(r_km * np.cos(ang) / (6371.0088 * np.cos(np.radians(lat0))))
    pts["track_deg"] = np.float32(np.degrees(ang + np.pi / 2) % 360.0)
    assert not _flags(pts).any()
    same_track = pts.assign(track_deg=np.float32(90.0))
    assert _flags(same_track).sum() == 20 - 1  # only the turning track told them apart


# --------------------------------------------------------------------------- a ground sighting next to an airborne end

A_SITE = (45.0, 60.0)  # no airportsdata field within 80 km (asserted below): only the two test sites compete


def _sites() -> AirportIndex:
    b = offset(*A_SITE, 90.0, 3.5)
    return AirportIndex.default().with_sites([
        {"id": "XAAA", "name": "Test field A", "lat": A_SITE[0], "lon": A_SITE[1]},
        {"id": "XBBB", "name": "Test field B", "lat": b[0], "lon": b[1]},
    ])


def _arrival_at_a(t0: pd.Timestamp) -> pd.DataFrame:
    """Descending from the west onto A (site elevation unknown: sea level), then three slow ground reports on it."""
    start = offset(*A_SITE, 270.0, 6.0)
    air = straight(*start, 90.0, n=9, step_s=10.0, gs_kt=120.0, alt_ft=np.linspace(1500.0, 200.0, 9), start=t0, typecode="S2T", callsign="FIRE1")
    ground = straight(*A_SITE, 90.0, n=3, step_s=10.0, gs_kt=20.0, alt_ft=float("nan"), start=t0 + pd.Timedelta(seconds=90),
                      typecode="S2T", callsign="FIRE1", on_ground=True)
    return join(air, ground)


def _climb_near_b(t: pd.Timestamp, *, vrate_sign: float = 1.0) -> pd.DataFrame:
    """First seen 1.6 km north-east of B (4.8 km from A) at 333 ft, heading 060° away from both."""
    p = offset(*offset(*A_SITE, 90.0, 3.5), 45.0, 1.6)
    alt = np.linspace(333.0, 1500.0, 10) if vrate_sign > 0 else np.linspace(333.0, 300.0, 10)
    return straight(*p, 60.0, n=10, step_s=10.0, gs_kt=90.0, alt_ft=alt, start=t, typecode="S2T", callsign="FIRE1")


def test_a_take_off_next_to_a_ground_sighting_goes_to_the_field_it_was_seen_on() -> None:
    # California fire-fighting cycles (2020-09-09): on the ground at Riverside, first seen 102 s later
    # 1.6 km from Flabob (3.5 km away), climbing away from both: both fields fit; the sighting decides
    idx, _ = AirportIndex.default().nearest(np.array([A_SITE[0]]), np.array([A_SITE[1]]), k=1, max_km=80.0)
    assert idx[0, 0] == -1
    t0 = pd.Timestamp("2020-09-09T21:30Z")
    arr = _arrival_at_a(t0)
    pts = join(arr, _climb_near_b(arr["time"].iloc[-1] + pd.Timedelta(seconds=100)))
    legs = detect_legs(pts, _sites())
    assert len(legs) == 2 and (legs["destination"].iloc[0], legs["destination_evidence"].iloc[0]) == ("XAAA", "observed")
    dep = legs.iloc[1]
    assert (dep["origin"], dep["origin_evidence"]) == ("XAAA", "inferred")
    assert (dep["origin_second"], dep["origin_second_why"]) == ("XBBB", "ground_next")
    assert dep["origin_reason"].endswith("seen on the ground there in the stop before the take-off")
    # without the rule the nearer field wins: 333 ft climbed at 600 ft/NM is 1.0 km flown, so the climb
    # meets the ground about 0.6 km from B and 4 km from A; A still fits (it is not "too far" or "wrong way")
    dep0 = detect_legs(pts, _sites(), ground_tie_s=0.0).iloc[1]
    assert (dep0["origin"], dep0["origin_evidence"], dep0["origin_second"], dep0["origin_second_why"]) == ("XBBB", "inferred", "XAAA", "meets_elsewhere")


def test_a_ground_sighting_longer_ago_than_a_circuit_does_not_decide() -> None:
    # 200 s after the sighting (more than ground_tie_s = 180 s) a touch-and-go at B fits in between
    arr = _arrival_at_a(pd.Timestamp("2020-09-09T21:30Z"))
    pts = join(arr, _climb_near_b(arr["time"].iloc[-1] + pd.Timedelta(seconds=200)))
    dep = detect_legs(pts, _sites()).iloc[1]
    assert (dep["origin"], dep["origin_evidence"]) == ("XBBB", "inferred")


def test_an_unseen_take_off_is_bridged_to_the_last_ground_sighting_not_the_landing_field() -> None:
    # the fire-fighter's ground run spanned two fields: a slow reading at Flabob, then one at Riverside
    # 92 s later; the next leg starts descending (no field fits), so it is bridged, and to Riverside,
    # where the aircraft was last seen on the ground, not to Flabob, where the previous leg landed
    t0 = pd.Timestamp("2020-09-09T21:30Z")
    b = offset(*A_SITE, 90.0, 3.5)
    start = offset(*b, 90.0, 6.0)
    air = straight(*start, 270.0, n=9, step_s=10.0, gs_kt=120.0, alt_ft=np.linspace(1500.0, 200.0, 9), start=t0, typecode="S2T", callsign="FIRE1")
    at_b = straight(*b, 270.0, n=1, gs_kt=19.0, alt_ft=float("nan"), start=t0 + pd.Timedelta(seconds=90), typecode="S2T", callsign="FIRE1", on_ground=True)
    at_a = straight(*A_SITE, 270.0, n=1, gs_kt=30.0, alt_ft=float("nan"), start=t0 + pd.Timedelta(seconds=182), typecode="S2T", callsign="FIRE1", on_ground=True)
    nxt = _climb_near_b(t0 + pd.Timedelta(seconds=294), vrate_sign=-1.0)  # 112 s later, sinking: no field fits a departure
    legs = detect_legs(join(air, at_b, at_a, nxt), _sites())
    assert len(legs) == 2
    assert (legs["destination"].iloc[0], legs["destination_evidence"].iloc[0]) == ("XBBB", "observed")
    dep = legs.iloc[1]
    assert (dep["origin"], dep["origin_evidence"]) == ("XAAA", "bridged")
    assert "last seen on the ground at XAAA" in dep["origin_reason"]


def test_step_km_measures_short_steps_like_the_great_circle_and_crosses_the_antimeridian_the_short_way() -> None:
    # aircraft 0: three steps near Ovda; aircraft 1: 0.2 deg of longitude across the antimeridian at the equator,
    # once written 179.9 -> -179.9 and once 179.9 -> 180.1; then a NaN position
    ac = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    lat = np.array([29.94, 29.95, 29.97, 29.97, 0.0, 0.0, 0.0, np.nan])
    lon = np.array([34.93, 34.94, 34.94, 34.99, 179.9, -179.9, -179.7, 35.0])
    got = step_km(ac, lat, lon)
    assert got[0] == 0.0 and got[4] == 0.0  # each aircraft's first point
    assert got[1:4] == pytest.approx(haversine_km(lat[:3], lon[:3], lat[1:4], lon[1:4]), rel=1e-3)
    fifth_deg = 6371.0088 * np.radians(0.2)  # 22.24 km along the equator
    assert got[5] == pytest.approx(fifth_deg, rel=1e-12) and got[6] == pytest.approx(fifth_deg, rel=1e-12)
    assert np.isnan(got[7])
    across = step_km(np.array([0, 0]), np.array([0.0, 0.0]), np.array([179.9, 180.1]))
    assert across[1] == pytest.approx(fifth_deg, rel=1e-12)
