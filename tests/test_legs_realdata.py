"""Leg detection on patterns seen in real recordings, rebuilt as tiny builders.

Each test names the pattern and where it was seen (public sample files read
while hardening the code; none of their data is copied here, only the facts:
a speed, an altitude offset, a sequence of flags). The tracks themselves come
from the simulator's kinematics or from straight-line builders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flighttrace.geo import haversine_km
from flighttrace.reference.airports import AirportIndex
from flighttrace.sim.kinematics import PROFILES, Field, fly_leg
from flighttrace.tracks.legs import airport_events, detect_legs, ground_stays
from tests.flights import LLOV, UBBB, UBBG, flight, join, offset, straight

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def one(legs: pd.DataFrame) -> pd.Series:
    assert len(legs) == 1, legs[["leg_id", "origin", "origin_evidence", "destination", "destination_evidence"]]
    return legs.iloc[0]


def air_times(origin: Field, dest: Field, off: str, **kw: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    tr = fly_leg(origin, dest, pd.Timestamp(off), **kw)  # type: ignore[arg-type]
    air = tr[~tr["on_ground"]]
    return air["time"].iloc[0], air["time"].iloc[-1]


# --------------------------------------------------------------------------- speed and flag glitches


def test_a_zero_speed_reading_in_cruise_does_not_split_the_leg() -> None:
    # FR24 exports carry isolated absurd speeds (a 26-kt reading at 1,500 ft on
    # approach, 400-kt spikes at 11,000 ft in xoolive/traffic's KL1300 sample).
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z", source="opensky")
    i = pts.index[pts["alt_ft"] > 30000][40]
    pts.loc[i, "gs_kt"] = np.float32(0.0)
    leg = one(detect_legs(pts))
    assert (leg["origin"], leg["origin_evidence"], leg["destination"], leg["destination_evidence"]) == ("UBBB", "observed", "LLOV", "observed")
    assert leg["n_air"] == int((~pts["on_ground"].fillna(False)).sum())  # the glitch point stays airborne


@pytest.mark.parametrize("height_ft", [1200.0, 2500.0])
def test_a_slow_reading_on_approach_is_not_a_stop(height_ft: float) -> None:
    # the KL1300 pattern (one point at 26 kt on approach), here mid-approach with the track going on
    # to touchdown: no split, no touch-and-go, whether the point is high or low above the field
    pts = flight(UBBG, UBBB, "2023-09-01T06:00Z", waypoints=[])
    h = pts["alt_ft"].to_numpy(dtype=float) - UBBB.elevation_ft
    late = (pts["time"] > pts["time"].iloc[len(pts) // 2]).to_numpy()
    i = pts.index[late & (h < height_ft) & ~pts["on_ground"].fillna(False).to_numpy()][0]
    pts.loc[i, "gs_kt"] = np.float32(26.0)
    leg = one(detect_legs(pts))
    assert (leg["destination"], leg["destination_evidence"], leg["touch_and_go"]) == ("UBBB", "observed", 0)


def test_a_slow_last_reading_high_above_the_field_is_not_a_ground_sighting() -> None:
    # the KL1300 end itself: the last point reads 26 kt about 1,500 ft above the field, 10 km out.
    # It is the last airborne point (an inferred end), not a sighting on the ground.
    pts = flight(UBBG, UBBB, "2023-09-01T06:00Z", waypoints=[])
    h = pts["alt_ft"].to_numpy(dtype=float) - UBBB.elevation_ft
    late = (pts["time"] > pts["time"].iloc[len(pts) // 2]).to_numpy()
    k = np.flatnonzero(late & (h < 1700))[0]
    cut = pts.iloc[: k + 1].copy()
    assert cut["alt_ft"].iloc[-1] - UBBB.elevation_ft > 1500
    cut.loc[cut.index[-1], "gs_kt"] = np.float32(26.0)
    leg = one(detect_legs(cut))
    assert (leg["destination"], leg["destination_evidence"]) == ("UBBB", "inferred")
    assert "descending toward it" in leg["destination_reason"]
    assert leg["n_air"] == len(cut) - int(cut["on_ground"].fillna(False).sum())
    assert leg["landing_time"] > cut["time"].iloc[-1]


def test_ground_flags_in_cruise_are_no_touch_and_go() -> None:
    # a transponder's air/ground bit can glitch for a few reports; nothing rolls on a runway at 430 kt
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z", source="opensky")
    j = pts.index[pts["alt_ft"] > 30000][40:44]
    pts.loc[j, "on_ground"] = True
    pts.loc[j, "alt_ft"] = np.nan  # readsb writes "ground" instead of an altitude
    leg = one(detect_legs(pts))
    assert (leg["origin"], leg["destination"], leg["touch_and_go"]) == ("UBBB", "LLOV", 0)


# --------------------------------------------------------------------------- altitudes


def test_runway_points_without_altitude_keep_a_seen_touchdown_observed() -> None:
    # FR24 writes altitude 0 on the runway; at 120 kt the reader cannot tell it from "unknown"
    # (xoolive/traffic fr24/3376ab31.json ends with two such points after one at 125 ft, 3 km out)
    pts = flight(UBBG, UBBB, "2023-09-01T06:00Z", waypoints=[], source="fr24")
    og = pts["on_ground"].fillna(False).to_numpy()
    late = (pts["time"] > pts["time"].iloc[len(pts) // 2]).to_numpy()
    roll = np.flatnonzero(late & og)[:2]
    cut = pts.iloc[: roll[-1] + 1].copy()
    cut.loc[cut.index[roll], "alt_ft"] = np.nan
    cut.loc[cut.index[roll], "on_ground"] = pd.NA
    cut.loc[cut.index[roll], "gs_kt"] = np.float32(120.0)
    leg = one(detect_legs(cut))
    assert (leg["destination"], leg["destination_evidence"]) == ("UBBB", "observed")
    assert "touchdown seen" in leg["destination_reason"]
    _, t_on = air_times(UBBG, UBBB, "2023-09-01T06:00Z")
    assert abs((leg["landing_time"] - t_on).total_seconds()) <= 30


@pytest.mark.parametrize("offset_ft", [-650.0, 700.0])
def test_pressure_altitude_off_the_field_elevation(offset_ft: float) -> None:
    # ADS-B altitude is pressure altitude: at QNH 1035 hPa a Minneapolis arrival read 175 ft on an
    # 841-ft field (xoolive/traffic readsb/trace_full_ac671b.json); a deep low reads several hundred
    # feet above it. Ground points removed: only the airborne ends decide.
    pts = flight(UBBB, UBBG, "2023-09-01T06:00Z", waypoints=[])
    pts["alt_ft"] = (pts["alt_ft"] + offset_ft).astype(np.float32)
    air = pts[~pts["on_ground"].fillna(False).to_numpy()].reset_index(drop=True)
    leg = one(detect_legs(air))
    assert (leg["origin"], leg["destination"]) == ("UBBB", "UBBG")
    want = "observed" if offset_ft < 0 else "inferred"  # reading below the field is a seen touchdown
    assert (leg["origin_evidence"], leg["destination_evidence"]) == (want, want)


# --------------------------------------------------------------------------- slow flyers


def test_a_helicopter_hovering_mid_flight_is_one_leg() -> None:
    heli = flight(UBBG, UBBB, "2023-09-01T06:00Z", typecode="EC45", callsign="HELI1", waypoints=[])
    mid = len(heli) // 2
    hover = heli.iloc[[mid] * 50].copy()  # 50 reports, 20 s apart: 16 minutes over one spot
    hover["time"] = heli["time"].iloc[mid] + pd.to_timedelta(np.arange(1, 51) * 20, unit="s")
    hover["gs_kt"] = np.float32(2.0)
    after = heli.iloc[mid + 1 :].copy()
    after["time"] += pd.Timedelta(seconds=1000)
    leg = one(detect_legs(join(heli.iloc[: mid + 1], hover, after)))
    assert (leg["origin"], leg["destination"]) == ("UBBG", "UBBB")


@pytest.mark.parametrize("typecode", [None, "C172"])
def test_slow_over_ground_high_above_it_is_flying(typecode: str | None) -> None:
    # a light aircraft into a 60-kt headwind at 3,500 ft (or an untyped helicopter holding at 2,000 ft
    # above the ground): 6 minutes below 40 kt over the ground, flagged airborne
    a = flight(UBBG, UBBB, "2023-09-01T06:00Z", typecode="C172", callsign="N172SP", waypoints=[])
    a["typecode"] = typecode
    cruise = np.flatnonzero((a["alt_ft"] > a["alt_ft"].max() - 100).to_numpy())
    k = cruise[len(cruise) // 2]
    slow = a.iloc[[k] * 18].copy()
    slow["time"] = a["time"].iloc[k] + pd.to_timedelta(np.arange(1, 19) * 20, unit="s")
    slow["gs_kt"] = np.float32(35.0)
    after = a.iloc[k + 1 :].copy()
    after["time"] += pd.Timedelta(seconds=400)
    leg = one(detect_legs(join(a.iloc[: k + 1], slow, after)))
    assert (leg["origin"], leg["origin_evidence"], leg["destination"], leg["destination_evidence"]) == ("UBBG", "observed", "UBBB", "observed")


def _slowing_west_of_ovda(*, slow_alt_ft: np.ndarray) -> pd.DataFrame:
    """An untyped aircraft flagged airborne, flying west at 100 kt toward Ovda's runways, then 8 reports 5 s apart at 34 kt
    ending 1.5 km east of the eastern runway (abeam its midpoint; both runways run 21°/201°, 300 m apart)."""
    mid = (29.9397, 34.9375)  # midpoint of the eastern runway, 02L/20R
    end = offset(*mid, 111.0, 1.5)
    gs = np.array([100.0] * 29 + [34.0] * 8)
    km = float(gs[:-1].sum()) * 1.852 * 5.0 / 3600.0  # the distance flown (the builder moves each point by the speed before it)
    alt = np.concatenate([np.linspace(3000.0, 2050.0, 29), slow_alt_ft])
    return straight(*offset(*end, 111.0, km), 291.0, n=37, step_s=5.0, gs_kt=gs, alt_ft=alt, typecode=None, callsign="SAMU1")


def test_an_untyped_helicopter_slowing_to_land_off_the_field_is_not_seen_on_the_ground() -> None:
    # a hospital helicopter of unknown type coming in at 34 kt, 320 fpm down (26.7 ft every 5 s), flagged airborne,
    # last heard about 330 ft above Ovda's elevation and 1.5 km from its runway: the speed alone would put it on the
    # ground at the airport (within 2.5 km of a runway); the flag and the descent say it still flies
    down = 2050.0 - 320.0 / 12.0 * np.arange(1, 9)
    pts = _slowing_west_of_ovda(slow_alt_ft=down)
    leg = one(detect_legs(pts))
    assert (leg["destination"], leg["destination_evidence"]) == ("LLOV", "inferred")
    assert "on the ground" not in leg["destination_reason"]
    assert leg["landing_time"] > pts["time"].iloc[-1]  # still flying at the last report: any landing comes after it


def test_a_taxi_flagged_airborne_without_climb_is_still_on_the_ground() -> None:
    # the same reports level at the field's elevation (a transponder stuck on "airborne" while it taxis): no climb or
    # descent joins the flag, so the speed decides, as before: seen on the ground 1.5 km from a runway
    level = np.full(8, LLOV.elevation_ft)
    leg = one(detect_legs(_slowing_west_of_ovda(slow_alt_ft=level)))
    assert (leg["destination"], leg["destination_evidence"]) == ("LLOV", "observed")
    assert "on the ground" in leg["destination_reason"]


def _patrol_from_ovda(*, parked_reads_ft: float) -> pd.DataFrame:
    """A DA42 without an on-ground flag: parked on Ovda's eastern runway (its altimeter reading the field's elevation plus
    ``parked_reads_ft``), off on 201°, climbing 1,000 ft, then 6 minutes crawling at 35 kt over the ground (a headwind) 1,000 ft
    up, 7–13 km from Ovda (the nearest field), then straight back, landing and stopping on the runway."""
    mid = (29.9397, 34.9375)  # midpoint of the eastern runway, 02L/20R
    field = LLOV.elevation_ft
    kw = {"typecode": "DA42", "callsign": "PATROL1", "on_ground": None}

    def after(prev: pd.DataFrame, dt_s: float) -> pd.Timestamp:
        return prev["time"].iloc[-1] + pd.Timedelta(seconds=dt_s)

    parked = straight(*mid, 201.0, n=10, step_s=10.0, gs_kt=0.0, alt_ft=field + parked_reads_ft, start="2023-09-01T06:00Z", **kw)
    climb = straight(*mid, 201.0, n=12, step_s=10.0, gs_kt=np.linspace(70.0, 100.0, 12), alt_ft=np.linspace(field, field + 1000.0, 12),
                     start=after(parked, 10.0), **kw)
    last = (float(climb["lat"].iloc[-1]), float(climb["lon"].iloc[-1]))
    out = straight(*last, 201.0, n=8, step_s=10.0, gs_kt=100.0, alt_ft=field + 1000.0, start=after(climb, 10.0), **kw)
    last = (float(out["lat"].iloc[-1]), float(out["lon"].iloc[-1]))
    crawl = straight(*last, 201.0, n=18, step_s=20.0, gs_kt=35.0, alt_ft=field + 1000.0, start=after(out, 20.0), **kw)
    last = (float(crawl["lat"].iloc[-1]), float(crawl["lon"].iloc[-1]))
    km = haversine_km(last[0], last[1], *mid)
    n_back = int(km / (100.0 * 1.852 * 10.0 / 3600.0))
    back = straight(*last, 21.0, n=n_back, step_s=10.0, gs_kt=100.0, alt_ft=np.linspace(field + 1000.0, field, n_back), start=after(crawl, 10.0), **kw)
    last = (float(back["lat"].iloc[-1]), float(back["lon"].iloc[-1]))
    stop = straight(*last, 21.0, n=6, step_s=10.0, gs_kt=[40.0, 30.0, 20.0, 10.0, 0.0, 0.0], alt_ft=field + parked_reads_ft,
                    start=after(back, 10.0), **kw)
    return join(parked, climb, out, crawl, back, stop)


def test_a_patrol_crawling_into_a_headwind_high_above_where_it_was_parked_is_one_leg() -> None:
    # its parked readings put the ground at Ovda's elevation; the crawl reads 1,000 ft more: flying, though within the
    # 1,500 ft any slow reading may lie above a field (slow_max_agl_ft) when nothing says where this aircraft's ground is
    leg = one(detect_legs(_patrol_from_ovda(parked_reads_ft=0.0)))
    assert (leg["origin"], leg["origin_evidence"], leg["destination"], leg["destination_evidence"]) == ("LLOV", "observed", "LLOV", "observed")


def test_a_crawl_within_the_margin_of_the_parked_readings_may_be_a_stop() -> None:
    # the same flight on a day of deep low pressure: parked, the altimeter read 900 ft above the field, so the crawl is only
    # 100 ft above where this aircraft's ground reads (under slow_standing_margin_ft, 500 ft): the speed decides, a 6-minute
    # stop, as before the parked readings were used: two legs, the first ending and the second starting at the crawl
    legs = detect_legs(_patrol_from_ovda(parked_reads_ft=900.0))
    assert len(legs) == 2
    assert (legs["origin"].iloc[0], legs["destination"].iloc[1]) == ("LLOV", "LLOV")


@pytest.mark.parametrize("ground_alt", ["none", "field"])
def test_light_aircraft_without_any_ground_flag(ground_alt: str) -> None:
    # many light aircraft never say "on the ground": SBS surface reports carry no altitude, and a
    # transponder without a squat switch reports its barometric altitude while taxiing
    pts = flight(UBBG, UBBB, "2023-09-01T06:00Z", typecode="C172", callsign="N172SP", waypoints=[])
    og = pts["on_ground"].fillna(False).to_numpy()
    here = np.where(pts["time"] < pts["time"].iloc[len(pts) // 2], UBBG.elevation_ft, UBBB.elevation_ft)
    pts["alt_ft"] = np.where(og, np.nan if ground_alt == "none" else here, pts["alt_ft"]).astype(np.float32)
    pts["on_ground"] = pd.array([pd.NA] * len(pts), dtype="boolean")
    leg = one(detect_legs(pts))
    assert (leg["origin"], leg["origin_evidence"], leg["destination"], leg["destination_evidence"]) == ("UBBG", "observed", "UBBB", "observed")
    t_off, t_on = air_times(UBBG, UBBB, "2023-09-01T06:00Z", profile=PROFILES["C172"])
    assert abs((leg["takeoff_time"] - t_off).total_seconds()) <= 60
    assert abs((leg["landing_time"] - t_on).total_seconds()) <= 60


# --------------------------------------------------------------------------- which field


def _approach(field: pd.Series, *, from_bearing: float, lost_km: float, icao24: str = "a00001") -> pd.DataFrame:
    """A straight-in approach on a 3° path toward ``field``'s reference point, lost ``lost_km`` out."""
    la, lo = offset(field["lat"], field["lon"], from_bearing, 30.0)
    pts = straight(la, lo, (from_bearing + 180.0) % 360.0, n=60, step_s=10.0, gs_kt=160.0, icao24=icao24)
    d = haversine_km(pts["lat"].to_numpy(), pts["lon"].to_numpy(), field["lat"], field["lon"])
    pts["alt_ft"] = (field["elevation_ft"] + d / 1.852 * 318.0).astype(np.float32)
    pts["vrate_fpm"] = np.float32(-850.0)
    keep = (d >= lost_km) & (np.arange(len(d)) < np.argmin(d))
    return pts[keep].reset_index(drop=True)


@pytest.mark.parametrize("lost_km", [8.0, 10.0, 14.0])
def test_an_approach_to_a_hub_lost_near_a_smaller_field_names_the_hub(lost_km: float) -> None:
    # Hawthorne (KHHR) lies 7 km from Los Angeles (KLAX) in airportsdata, south of LAX's eastern
    # approach. An arrival lost 8-14 km out on LAX's 3° path passes 4-8 km from Hawthorne, far too
    # high for it and not heading at it: the end is inferred at LAX, not at the nearer field.
    t = AirportIndex.default().table.set_index("code")
    lax, hhr = t.loc["KLAX"], t.loc["KHHR"]
    pts = _approach(lax, from_bearing=83.0, lost_km=lost_km)
    last = pts.iloc[-1]
    assert haversine_km(last["lat"], last["lon"], hhr["lat"], hhr["lon"]) < haversine_km(last["lat"], last["lon"], lax["lat"], lax["lon"])
    leg = one(detect_legs(pts))
    assert (leg["destination"], leg["destination_evidence"]) == ("KLAX", "inferred")
    # the same geometry flown to Hawthorne names Hawthorne
    leg = one(detect_legs(_approach(hhr, from_bearing=83.0, lost_km=5.0)))
    assert (leg["destination"], leg["destination_evidence"]) == ("KHHR", "inferred")


@pytest.mark.parametrize(("vrate", "words"), [(-850.0, "descending toward it"), (0.0, "flying level toward it")])
def test_an_inferred_end_says_how_it_moved_as_the_data_does(vrate: float, words: str) -> None:
    # the same arrival to LAX lost 10 km out, its last reports descending at 850 ft/min, or level (a fire-fighter
    # holding at 1,900 ft): the grade is the same, and the sentence says only what the vertical rate says
    t = AirportIndex.default().table.set_index("code")
    pts = _approach(t.loc["KLAX"], from_bearing=83.0, lost_km=10.0)
    if vrate == 0.0:
        pts["alt_ft"] = np.float32(pts["alt_ft"].iloc[-1])
    pts["vrate_fpm"] = np.float32(vrate)
    leg = one(detect_legs(pts))
    assert (leg["destination"], leg["destination_evidence"]) == ("KLAX", "inferred")
    assert f"km out, {words}, aligned with runway 25R" in leg["destination_reason"]  # on LAX's 25R centreline


def test_a_low_end_far_from_any_field_stays_unknown() -> None:
    # descending through 2,500 ft over the middle of the Caspian: no field within 100 km
    start = (41.6, 51.6)
    index = AirportIndex.default()
    idx, _ = index.nearest(*start, k=1, max_km=100.0)
    assert idx[0, 0] == -1
    pts = straight(*start, 120.0, n=40, step_s=10.0, gs_kt=250.0, alt_ft=np.linspace(6000, 2500, 40))
    leg = one(detect_legs(pts))
    assert (leg["origin"], leg["origin_evidence"], leg["destination"], leg["destination_evidence"]) == (None, "unknown", None, "unknown")
    assert pd.isna(leg["landing_time"]) and len(airport_events(detect_legs(pts))) == 0


def test_a_field_without_elevation_or_runway_data() -> None:
    # a scenario's own site: position only (a strip missing from airportsdata)
    strip = Field("XSTR", 40.20, 47.70, 600.0)
    index = AirportIndex.default().with_sites([{"id": "XSTR", "name": "Test strip", "lat": strip.lat, "lon": strip.lon}])
    assert np.isnan(index.table.set_index("code").loc["XSTR", "elevation_ft"])
    pts = flight(UBBG, strip, "2023-09-01T06:00Z", waypoints=[], typecode="AN12")
    leg = one(detect_legs(pts, index))
    assert (leg["destination"], leg["destination_evidence"]) == ("XSTR", "observed")
    # lost 1,000 ft above it, 5 km out: the unknown elevation is taken as sea level, never below the truth
    h = pts["alt_ft"].to_numpy(dtype=float) - strip.elevation_ft
    late = (pts["time"] > pts["time"].iloc[len(pts) // 2]).to_numpy()
    cut = pts.iloc[: np.flatnonzero(late & (h < 1000))[0]]
    leg = one(detect_legs(cut, index))
    assert (leg["destination"], leg["destination_evidence"]) == ("XSTR", "inferred")


# --------------------------------------------------------------------------- segmentation


def test_a_new_leg_flag_in_flight_is_a_hint_only() -> None:
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    i = pts.index[pts["alt_ft"] > 30000][30]
    pts.loc[i, "new_leg"] = True
    pts.loc[i, "stale"] = True
    leg = one(detect_legs(pts))
    assert (leg["origin"], leg["destination"]) == ("UBBB", "LLOV")


def test_duplicate_timestamps_with_two_positions() -> None:
    # readsb traces hold two reports with the same time and positions ~100 m apart
    pts = flight(UBBB, UBBG, "2023-09-01T06:00Z", waypoints=[])
    k = len(pts) // 2
    dup = pts.iloc[[k]].copy()
    dup["lat"] += 0.001
    leg = one(detect_legs(join(pts, dup)))
    assert (leg["origin"], leg["destination"], leg["n_points"]) == ("UBBB", "UBBG", len(pts) + 1)


def test_landed_unseen_far_from_any_field_is_split_by_the_implied_speed() -> None:
    # lost at 8,000 ft, seen again at 8,000 ft 3 h later only 150 km away: it landed somewhere
    a = straight(41.6, 51.6, 120.0, n=30, step_s=10.0, gs_kt=250.0, alt_ft=8000.0)
    la, lo = offset(float(a["lat"].iloc[-1]), float(a["lon"].iloc[-1]), 120.0, 150.0)
    b = straight(la, lo, 120.0, n=30, step_s=10.0, gs_kt=250.0, alt_ft=8000.0, start=a["time"].iloc[-1] + pd.Timedelta(hours=3))
    legs = detect_legs(join(a, b))
    assert len(legs) == 2 and set(legs["destination_evidence"]) == {"unknown"}


def test_landed_in_a_coverage_hole_at_a_field() -> None:
    # seen descending through 1,500 ft toward Ganja, next seen 50 minutes later climbing out of it at
    # 1,500 ft: two legs, both ends inferred at Ganja, and a ground stay there
    a = flight(UBBB, UBBG, "2023-09-01T06:00Z", waypoints=[])
    b = flight(UBBG, UBBB, "2023-09-01T07:00Z", waypoints=[], callsign="AZQ2")
    ha = a["alt_ft"].to_numpy(dtype=float) - UBBG.elevation_ft
    hb = b["alt_ft"].to_numpy(dtype=float) - UBBG.elevation_ft
    a_cut = a.iloc[: np.flatnonzero((a["time"] > a["time"].iloc[len(a) // 2]).to_numpy() & (ha < 1500))[0]]
    b_cut = b.iloc[np.flatnonzero((b["time"] < b["time"].iloc[len(b) // 2]).to_numpy() & (hb > 1500))[0] :]
    legs = detect_legs(join(a_cut, b_cut))
    assert legs["destination"].tolist() == ["UBBG", "UBBB"] and legs["origin"].tolist() == ["UBBB", "UBBG"]
    assert legs["destination_evidence"].iloc[0] == "inferred" and legs["origin_evidence"].iloc[1] == "inferred"
    assert ground_stays(legs)["airport"].tolist() == ["UBBG"]


def test_points_without_callsign_belong_to_their_leg() -> None:
    pts = flight(UBBB, UBBG, "2023-09-01T06:00Z", waypoints=[])
    pts.loc[: len(pts) // 3, "callsign"] = None  # readsb reports before the first identification message
    leg = one(detect_legs(pts))
    assert leg["callsign"] == "AZQ6224" and leg["n_points"] == len(pts)


def test_the_straight_builder_flies_at_its_ground_speed() -> None:
    # a guard for the tests above: 360 kt for 10 s is one nautical mile
    p = straight(40.0, 50.0, 90.0, n=2, step_s=10.0, gs_kt=360.0)
    assert haversine_km(p["lat"].iloc[0], p["lon"].iloc[0], p["lat"].iloc[1], p["lon"].iloc[1]) == pytest.approx(1.852, rel=1e-6)


def _circuit(start: pd.Timestamp, *, flagged: bool, icao24: str = "4ca001") -> pd.DataFrame:
    """One rectangular circuit at Ganja at 1,000 ft, ending in a touch-and-go roll at 55 kt."""
    h = UBBG.elevation_ft + 1000.0
    legs_ = [  # (track, n points 10 s apart, altitude from, to)
        (90.0, 9, UBBG.elevation_ft + 100, h), (0.0, 6, h, h), (270.0, 18, h, h), (180.0, 6, h, h), (90.0, 8, h, UBBG.elevation_ft + 50),
    ]
    la, lo, t, parts = UBBG.lat, UBBG.lon, start, []
    for trk, n, a0, a1 in legs_:
        seg = straight(la, lo, trk, n=n + 1, step_s=10.0, gs_kt=80.0, alt_ft=np.linspace(a0, a1, n + 1), start=t, icao24=icao24, typecode="C172", callsign="TRAIN1")
        parts.append(seg.iloc[:-1])
        la, lo, t = float(seg["lat"].iloc[-1]), float(seg["lon"].iloc[-1]), seg["time"].iloc[-1]
    roll = straight(la, lo, 90.0, n=3, step_s=5.0, gs_kt=55.0, alt_ft=UBBG.elevation_ft, start=t, icao24=icao24, typecode="C172", callsign="TRAIN1", on_ground=flagged)
    if flagged:
        roll["alt_ft"] = np.float32(np.nan)  # readsb writes "ground"
    parts.append(roll)
    return join(*parts)


def test_circuits_at_a_training_field_are_one_leg() -> None:
    # a flying-school morning: four touch-and-goes, two with a squat switch that says "ground" for a
    # few reports at 55 kt and two without one, then a full-stop landing and taxi in
    t0 = pd.Timestamp("2023-09-01T07:00Z")
    taxi_out = straight(UBBG.lat, UBBG.lon, 270.0, n=12, step_s=10.0, gs_kt=12.0, alt_ft=float("nan"), start=t0, icao24="4ca001", typecode="C172", callsign="TRAIN1", on_ground=True)
    parts, t = [taxi_out], t0 + pd.Timedelta(seconds=130)
    for flagged in (True, False, True, False):
        c = _circuit(t, flagged=flagged)
        parts.append(c)
        t = c["time"].iloc[-1] + pd.Timedelta(seconds=5)
    stop = straight(UBBG.lat, UBBG.lon, 90.0, n=15, step_s=10.0, gs_kt=np.linspace(50, 5, 15), alt_ft=float("nan"), start=t, icao24="4ca001", typecode="C172", callsign="TRAIN1", on_ground=True)
    legs = detect_legs(join(*parts, stop))
    leg = one(legs)
    assert (leg["origin"], leg["origin_evidence"], leg["destination"], leg["destination_evidence"]) == ("UBBG", "observed", "UBBG", "observed")
    assert leg["touch_and_go"] == 2  # the two rolls the transponder reported as "on the ground"


# --------------------------------------------------------------------------- reach of a steady climb or descent


@pytest.mark.parametrize(
    ("gs_kt", "climb_fpm", "named"),
    [
        (60.0, 1400.0, False),  # reach 3 + 2 × 60 kt × 1.852 × (1,400 + 1,000 ft) / 1,400 ft/min / 60 = 9.3 km < 14 km
        (60.0, 300.0, True),  # a climb under 500 ft/min may have levelled off on the way: the reach is not judged
        (250.0, 1400.0, True),  # reach 3 + 2 × 250 × 1.852 × 2,400 / 1,400 / 60 = 29.5 km: Ovda is within it
    ],
)
def test_a_steady_climb_names_no_field_it_could_not_have_left_from(gs_kt: float, climb_fpm: float, named: bool) -> None:
    # a Swiss ambulance helicopter of unknown type was first heard 1,400 ft up and climbing 1,400 ft/min at 44-77 kt,
    # next to a hospital, and was said to have taken off from the airport 15 km away; here the same first report
    # lies 14 km north-west of Ovda, flying away from it
    step_s, n = 8.0, 12
    start = offset(LLOV.lat, LLOV.lon, 300.0, 14.0)
    alt = LLOV.elevation_ft + 1400.0 + climb_fpm * step_s / 60.0 * np.arange(n)
    leg = one(detect_legs(straight(*start, 300.0, n=n, step_s=step_s, gs_kt=gs_kt, alt_ft=alt, typecode=None, callsign="HELI1")))
    if named:
        assert (leg["origin"], leg["origin_evidence"]) == ("LLOV", "inferred")
    else:
        assert (leg["origin"], leg["origin_evidence"]) == (None, "unknown")
        assert (leg["origin_second"], leg["origin_second_why"]) == ("LLOV", "out_of_reach")
        assert f"climbing 1,400 ft/min at {gs_kt:.0f} kt, it was within 9.3 km of where it left the ground" in leg["origin_second_reason"]


def test_without_a_reported_vertical_rate_the_climb_comes_from_the_altitudes() -> None:
    # the same slow steep climb from a source without vertical rates: the mean over its first minute (1,400 ft/min) decides
    step_s, n = 8.0, 12
    start = offset(LLOV.lat, LLOV.lon, 300.0, 14.0)
    alt = LLOV.elevation_ft + 1400.0 + 1400.0 * step_s / 60.0 * np.arange(n)
    pts = straight(*start, 300.0, n=n, step_s=step_s, gs_kt=60.0, alt_ft=alt, typecode=None, callsign="HELI1")
    pts["vrate_fpm"] = np.float32(np.nan)
    leg = one(detect_legs(pts))
    assert (leg["origin"], leg["origin_second"], leg["origin_second_why"]) == (None, "LLOV", "out_of_reach")
    assert "climbing 1,400 ft/min at 60 kt" in leg["origin_second_reason"]


def test_a_steep_descent_far_from_the_field_is_no_landing_there() -> None:
    # a fire-fighting helicopter last heard at 23 kt, 2,000 ft above a field 18 km away and coming down 576 ft/min, seen
    # again at the same spot 20 minutes later (traffic's firefighting/calfire): it did not land 18 km away in between
    step_s, n = 8.0, 12
    end = offset(LLOV.lat, LLOV.lon, 300.0, 18.0)
    alt = LLOV.elevation_ft + 2000.0 + 576.0 * step_s / 60.0 * np.arange(n)[::-1]
    gs = 23.0
    start = offset(*end, 300.0, gs * 1.852 * step_s * (n - 1) / 3600.0)
    leg = one(detect_legs(straight(*start, 120.0, n=n, step_s=step_s, gs_kt=gs, alt_ft=alt, typecode=None, callsign="HELI2")))
    assert (leg["destination"], leg["destination_evidence"]) == (None, "unknown")
    assert (leg["destination_second"], leg["destination_second_why"]) == ("LLOV", "out_of_reach")
