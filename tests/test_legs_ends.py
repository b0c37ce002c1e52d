"""Leg ends decided with runways, the field that lost, and what "observed" may mean (tiny builders)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flighttrace.geo import haversine_km
from flighttrace.reference.airports import AirportIndex
from flighttrace.reference.runways import runway_source, runway_table
from flighttrace.tracks.ends import LOST_CODES, ft_texts
from flighttrace.tracks.legs import LegParams, detect_legs
from tests.flights import LLOV, UBBB, flight, join, offset, straight

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def one(legs: pd.DataFrame) -> pd.Series:
    assert len(legs) == 1, legs[["leg_id", "origin", "destination"]]
    return legs.iloc[0]


def _final(thr_lat: float, thr_lon: float, course: float, elev_ft: float, *, from_km: float, to_km: float, n: int = 40) -> pd.DataFrame:
    """A straight final on ``course`` toward a threshold, on a 3° path (50 ft over the threshold), from ``from_km`` to ``to_km`` out."""
    la, lo = offset(thr_lat, thr_lon, (course + 180.0) % 360.0, from_km)
    step_km = (from_km - to_km) / (n - 1)
    pts = straight(la, lo, course, n=n, step_s=step_km / 1.852 / 150.0 * 3600.0, gs_kt=150.0)
    out = haversine_km(pts["lat"].to_numpy(), pts["lon"].to_numpy(), thr_lat, thr_lon)
    pts["alt_ft"] = (elev_ft + 50.0 + out / 1.852 * 318.0).astype(np.float32)
    pts["vrate_fpm"] = np.float32(-800.0)
    return pts


def test_runway_table_is_packaged_with_its_source_date_and_licence() -> None:
    src = runway_source()
    assert "OurAirports" in src["source"] and src["date"] >= "2026-01-01" and "public domain" in src["licence"]
    # Paris-CDG has four runways, Le Bourget three (published aerodrome data)
    r = runway_table()
    assert (r["code"] == "LFPG").sum() == 4 and (r["code"] == "LFPB").sum() == 3


def test_an_approach_aligned_with_a_hub_runway_lost_near_a_smaller_field_names_the_hub() -> None:
    # an arrival on the extended centreline of CDG's 08R, lost 9 km before its threshold, 1,000 ft above
    # Le Bourget and nearer Le Bourget's reference point than CDG's: CDG, aligned with 08R; Le Bourget second
    r = runway_table().set_index(["code", "le_ident"])
    rw = r.loc[("LFPG", "08R")]
    t = AirportIndex.default().table.set_index("code")
    cdg, lbg = t.loc["LFPG"], t.loc["LFPB"]
    pts = _final(rw["le_lat"], rw["le_lon"], float(rw["heading_deg"]), cdg["elevation_ft"], from_km=25.0, to_km=9.0)
    last = pts.iloc[-1]
    assert haversine_km(last["lat"], last["lon"], lbg["lat"], lbg["lon"]) < haversine_km(last["lat"], last["lon"], cdg["lat"], cdg["lon"])
    leg = one(detect_legs(pts))
    assert (leg["destination"], leg["destination_evidence"]) == ("LFPG", "inferred")
    assert "aligned with runway 08R" in leg["destination_reason"]
    assert leg["destination_second"] == "LFPB"
    assert leg["destination_second_dist_km"] == pytest.approx(float(haversine_km(last["lat"], last["lon"], lbg["lat"], lbg["lon"])), abs=0.01)
    assert leg["destination_second_why"] in LOST_CODES
    assert leg["destination_second_reason"].startswith("LFPB, ")


def test_an_inferred_landing_at_ovda_names_the_other_field_in_reach() -> None:
    # Ramon (LLER) lies about 24 km from Ovda (LLOV), Yotvata (LLYT) nearer: an arrival lost 1,500 ft
    # above Ovda names the best other field considered, at its true distance from the end point
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    h = pts["alt_ft"].to_numpy(dtype=float) - LLOV.elevation_ft
    late = (pts["time"] > pts["time"].iloc[len(pts) // 2]).to_numpy()
    cut = pts.iloc[: np.flatnonzero(late & (h < 1500))[0]]
    leg = one(detect_legs(cut))
    assert (leg["destination"], leg["destination_evidence"]) == ("LLOV", "inferred")
    end = cut.iloc[-1]
    other = AirportIndex.default().get(leg["destination_second"])
    assert other.code in ("LLER", "LLYT")  # the fields within 60 km of the end other than Ovda that are not heliports
    assert leg["destination_second_dist_km"] == pytest.approx(float(haversine_km(end["lat"], end["lon"], other.lat, other.lon)), abs=0.01)
    assert leg["destination_second_reason"].startswith(f"{other.code}, {leg['destination_second_dist_km']:.1f} km away: ")


@pytest.mark.parametrize(("height_ft", "out_km", "grade"), [(183.0, 1.9, "inferred"), (60.0, 0.3, "observed")])
def test_observed_means_runway_height(height_ft: float, out_km: float, grade: str) -> None:
    # the case: "touchdown seen" for a point 183 ft up, 1.9 km out is wrong; 60 ft over the
    # threshold is a touchdown seen. Ovda's 02R: the track ends on its final at the given height.
    r = runway_table().set_index(["code", "le_ident"]).loc[("LLOV", "02R")]
    pts = _final(r["le_lat"], r["le_lon"], float(r["heading_deg"]), LLOV.elevation_ft, from_km=15.0, to_km=out_km)
    pts.loc[pts.index[-1], "alt_ft"] = np.float32(LLOV.elevation_ft + height_ft)
    leg = one(detect_legs(pts))
    assert (leg["destination"], leg["destination_evidence"]) == ("LLOV", grade)
    if grade == "inferred":
        assert "touchdown seen" not in leg["destination_reason"]
    else:
        assert leg["destination_reason"].startswith("touchdown seen: 60 ft above LLOV (runway height)")


def test_observed_height_is_a_named_parameter() -> None:
    r = runway_table().set_index(["code", "le_ident"]).loc[("LLOV", "02R")]
    pts = _final(r["le_lat"], r["le_lon"], float(r["heading_deg"]), LLOV.elevation_ft, from_km=15.0, to_km=0.9)
    assert one(detect_legs(pts))["destination_evidence"] == "inferred"  # about 330 ft above the field
    assert one(detect_legs(pts, params=LegParams(observed_agl_ft=400.0)))["destination_evidence"] == "observed"


@pytest.mark.parametrize(("vrate_fpm", "seen"), [(448.0, False), (200.0, True), (-800.0, True)])
def test_a_touchdown_is_not_seen_from_a_point_climbing_away(vrate_fpm: float, seen: bool) -> None:
    # the last point 60 ft over Ovda 02R's threshold: a touchdown seen while it descends, levels or
    # rises by the noise of a flare (200 ft/min); climbing at 448 ft/min it is a low pass or a go-around,
    # not a touchdown (observed_contrary_fpm, 300 ft/min), and nothing else lets the end be inferred
    r = runway_table().set_index(["code", "le_ident"]).loc[("LLOV", "02R")]
    pts = _final(r["le_lat"], r["le_lon"], float(r["heading_deg"]), LLOV.elevation_ft, from_km=15.0, to_km=0.3)
    pts.loc[pts.index[-1], ["alt_ft", "vrate_fpm"]] = [np.float32(LLOV.elevation_ft + 60.0), np.float32(vrate_fpm)]
    leg = one(detect_legs(pts))
    assert (leg["destination_evidence"] == "observed") is seen
    assert leg["destination_reason"].startswith("touchdown seen: 60 ft above LLOV") is seen
    if not seen:
        assert leg["destination_evidence"] == "unknown" and pd.isna(leg["destination"])


@pytest.mark.parametrize(("vrate_fpm", "seen"), [(-768.0, False), (-200.0, True), (1500.0, True)])
def test_a_lift_off_is_not_seen_from_a_point_descending(vrate_fpm: float, seen: bool) -> None:
    # a recording that begins 50 ft over the start of Ovda 02R: a lift-off seen when the first point
    # climbs (or sinks by no more than a noisy rate); descending at 768 ft/min it is an aircraft on short
    # final (two at Zurich, in traffic's onground sample, were read as lift-offs before)
    r = runway_table().set_index(["code", "le_ident"]).loc[("LLOV", "02R")]
    n = 30
    alt = LLOV.elevation_ft + 50.0 + np.arange(n) * 150.0  # 150 ft per 10 s: 900 ft/min
    pts = straight(r["le_lat"], r["le_lon"], float(r["heading_deg"]), n=n, step_s=10.0, gs_kt=150.0, alt_ft=alt)
    pts.loc[pts.index[0], "vrate_fpm"] = np.float32(vrate_fpm)
    leg = one(detect_legs(pts))
    assert (leg["origin_evidence"] == "observed") is seen
    assert leg["origin_reason"].startswith("lift-off seen: 50 ft above LLOV") is seen
    if not seen:
        assert leg["origin_evidence"] == "unknown" and pd.isna(leg["origin"])


def test_the_contrary_rate_of_a_seen_end_is_a_named_parameter() -> None:
    r = runway_table().set_index(["code", "le_ident"]).loc[("LLOV", "02R")]
    pts = _final(r["le_lat"], r["le_lon"], float(r["heading_deg"]), LLOV.elevation_ft, from_km=15.0, to_km=0.3)
    pts.loc[pts.index[-1], ["alt_ft", "vrate_fpm"]] = [np.float32(LLOV.elevation_ft + 60.0), np.float32(448.0)]
    assert one(detect_legs(pts, params=LegParams(observed_contrary_fpm=500.0)))["destination_evidence"] == "observed"


def test_a_position_frozen_at_flying_speed_does_not_decide_the_end() -> None:
    # OpenSky keeps a state vector alive after reception stops: the last position repeats for minutes,
    # here with an absurd altitude, at the last speed. Those points must not make the end "34,000 ft".
    pts = flight(UBBB, LLOV, "2023-09-05T22:00Z", source="opensky")
    h = pts["alt_ft"].to_numpy(dtype=float) - LLOV.elevation_ft
    late = (pts["time"] > pts["time"].iloc[len(pts) // 2]).to_numpy()
    cut = pts.iloc[: np.flatnonzero(late & (h < 1200))[0]].copy()
    stale = cut.iloc[[-1] * 30].reset_index(drop=True)
    stale["time"] = cut["time"].iloc[-1] + pd.to_timedelta(np.arange(1, 31) * 5, unit="s")
    stale.loc[stale.index[4:], "alt_ft"] = np.float32(34000.0)  # garbled once the vector is 20 s stale
    leg = one(detect_legs(join(cut, stale)))
    assert (leg["destination"], leg["destination_evidence"]) == ("LLOV", "inferred")
    assert leg["n_suspect"] == 26  # 30 repeats; the first 4 (20 s) are still plausible


def test_second_columns_are_empty_when_no_other_field_is_near() -> None:
    # descending over the middle of the Caspian, no field within search_km: nothing named, nothing second
    pts = straight(41.6, 51.6, 120.0, n=40, step_s=10.0, gs_kt=250.0, alt_ft=np.linspace(6000, 2500, 40))
    leg = one(detect_legs(pts))
    assert leg["destination_second"] is None and np.isnan(leg["destination_second_dist_km"])
    assert leg["destination_second_why"] is None and leg["destination_second_reason"] is None


def test_ft_texts_writes_each_height_as_fmt_ft_does_repeated_and_unknown_ones_too() -> None:
    from flighttrace.timefmt import MISSING

    got = ft_texts(np.array([3164.4, np.nan, -12.0, 3164.4, 1_000_000.0, 2.5, np.nan]))
    # whole feet, thousands separated; 2.5 rounds half to even; NaN is the missing mark
    assert got == ["3,164 ft", MISSING, "-12 ft", "3,164 ft", "1,000,000 ft", "2 ft", MISSING]
    assert ft_texts(np.array([])) == []


def _beside_ovda(*, arriving: bool) -> pd.DataFrame:
    """A descent (arriving) or climb heading due east that passes 15 km north of Ovda, 3,000 ft above it at the end near Ovda.

    Ovda lies 90° off the track: neither a landing there nor a take-off from there fits a track heading east.
    """
    la, lo = offset(LLOV.lat, LLOV.lon, 0.0, 15.0)  # 15 km north of Ovda
    if arriving:  # 30 points ending abeam Ovda
        start = offset(la, lo, 270.0, 29 * 10 * 140 * 1.852 / 3600.0)
        alt = LLOV.elevation_ft + 3000.0 + np.linspace(2900.0, 0.0, 30)
    else:  # 30 points starting abeam Ovda
        start = (la, lo)
        alt = LLOV.elevation_ft + 3000.0 + np.linspace(0.0, 2900.0, 30)
    pts = straight(start[0], start[1], 90.0, n=30, step_s=10.0, gs_kt=140.0, alt_ft=alt)
    pts["vrate_fpm"] = np.float32(-600.0 if arriving else 600.0)
    return pts


@pytest.mark.parametrize("arriving", [True, False])
def test_an_end_point_without_a_track_takes_its_neighbours(arriving: bool) -> None:
    # readsb's last (first) point of a leg often carries a position without velocity: its track is NaN. The heading tests
    # must still run on the track of the points next to it, or a field 90° off the track is named (a real trace named a
    # private strip beside a Boeing 737's descent toward Spokane that way)
    pts = _beside_ovda(arriving=arriving)
    end = len(pts) - 1 if arriving else 0
    assert haversine_km(pts["lat"].iloc[end], pts["lon"].iloc[end], LLOV.lat, LLOV.lon) == pytest.approx(15.0, abs=0.1)
    with_track = one(detect_legs(pts, geometry=False))
    blank = pts.copy()
    blank.loc[blank.index[end], ["track_deg", "gs_kt", "vrate_fpm"]] = np.nan
    without = one(detect_legs(blank, geometry=False))
    col = "destination" if arriving else "origin"
    assert with_track[col] != "LLOV"
    assert without[col] == with_track[col] or (pd.isna(without[col]) and pd.isna(with_track[col]))
    assert without[f"{col}_evidence"] == with_track[f"{col}_evidence"]


def test_a_track_is_not_carried_from_further_than_end_track_carry_s() -> None:
    pts = _beside_ovda(arriving=True)
    blank = pts.copy()
    blank.loc[blank.index[-13:], ["track_deg", "gs_kt", "vrate_fpm"]] = np.nan  # the last 13 points, 120 s, without a track
    leg = one(detect_legs(blank, geometry=False))
    assert (leg["destination"], leg["destination_evidence"]) == ("LLOV", "inferred")  # nothing to carry: the heading is not tested
    leg = one(detect_legs(blank, geometry=False, end_track_carry_s=130.0))
    assert leg["destination"] != "LLOV"


def _cdg_final(rotate_deg: float, to_km: float) -> pd.DataFrame:
    """A 3° final toward the threshold of CDG's 08R, flown on the runway's course turned by ``rotate_deg``, lost ``to_km`` out."""
    rw = runway_table().set_index(["code", "le_ident"]).loc[("LFPG", "08R")]
    cdg = AirportIndex.default().table.set_index("code").loc["LFPG"]
    return _final(rw["le_lat"], rw["le_lon"], (float(rw["heading_deg"]) + rotate_deg) % 360.0, cdg["elevation_ft"], from_km=45.0, to_km=to_km)


def test_an_end_high_above_a_field_is_inferred_only_on_a_runways_centreline() -> None:
    # lost 23 km before the threshold on a 3° path: 50 + 23 / 1.852 × 318 ≈ 4,000 ft above the runway, more than
    # inferred_max_agl_ft (3,000 ft). On 08R's extended centreline it is inferred there; on a course 40° off it, no field
    # is named (on real recordings such ends named a wrong field more often than the right one)
    aligned = one(detect_legs(_cdg_final(0.0, 23.0), geometry=False))
    assert (aligned["destination"], aligned["destination_evidence"]) == ("LFPG", "inferred")
    assert "aligned with runway 08R" in aligned["destination_reason"]
    assert 3000.0 < float(aligned["destination_reason"].split(" ft above")[0].split()[-1].replace(",", "")) < 4500.0
    off = one(detect_legs(_cdg_final(40.0, 23.0), geometry=False))
    assert pd.isna(off["destination"]) and off["destination_evidence"] == "unknown"
    # the same end with the old single limit (6,000 ft, no alignment needed) named a field
    old = one(detect_legs(_cdg_final(40.0, 23.0), geometry=False, inferred_max_agl_ft=6000.0))
    assert old["destination_evidence"] == "inferred"


def test_an_end_below_inferred_max_agl_ft_needs_no_alignment() -> None:
    # lost 12 km out, about 2,100 ft above the runway, on a course 40° off the centreline: inferred at CDG
    leg = one(detect_legs(_cdg_final(40.0, 12.0), geometry=False))
    assert (leg["destination"], leg["destination_evidence"]) == ("LFPG", "inferred")
    assert "aligned" not in leg["destination_reason"]


def test_an_aligned_arrival_too_steep_for_the_runway_is_not_inferred_there() -> None:
    # on 08R's centreline but 4,000 ft above CDG only 9 km before the threshold: a 3° path is 9 / 1.852 × 318 ≈ 1,545 ft
    # there, and 4,000 ft is more than twice that (aligned_steep_factor): no approach that steep, no field named
    pts = _cdg_final(0.0, 9.0)
    cdg = AirportIndex.default().table.set_index("code").loc["LFPG"]
    pts["alt_ft"] = (pts["alt_ft"] + (cdg["elevation_ft"] + 4000.0 - float(pts["alt_ft"].iloc[-1]))).astype(np.float32)
    leg = one(detect_legs(pts, geometry=False))
    assert leg["destination_evidence"] == "unknown"
    leg = one(detect_legs(pts, geometry=False, aligned_steep_factor=3.0))  # a 9° path allowed: CDG, on its centreline
    assert (leg["destination"], leg["destination_evidence"]) == ("LFPG", "inferred")


def _index(rows: list[tuple[str, float, float]]) -> AirportIndex:
    """An airport index of (code, lat, lon) fields at sea level."""
    return AirportIndex(pd.DataFrame({
        "code": [r[0] for r in rows], "name": [f"Field {r[0]}" for r in rows], "iata": "", "country": "XX",
        "lat": [r[1] for r in rows], "lon": [r[2] for r in rows], "elevation_ft": 0.0, "kind": "airport", "tz": "UTC",
        "source": "test",
    }))


def test_the_field_ahead_is_considered_behind_more_than_eight_nearer_ones() -> None:
    # a descent heading east, lost 1,500 ft up; twelve strips lie 2.5-7 km behind it (nearer, but the aircraft flies away
    # from them) and the only field it flies toward lies 15 km ahead: the twelve nearest fields examined include it
    end_lat, end_lon = 30.0, 35.0
    start = offset(end_lat, end_lon, 270.0, 29 * 10 * 140 * 1.852 / 3600.0)
    pts = straight(start[0], start[1], 90.0, n=30, step_s=10.0, gs_kt=140.0, alt_ft=np.linspace(4000.0, 1500.0, 30))
    pts["vrate_fpm"] = np.float32(-800.0)
    last = pts.iloc[-1]
    strips = [(f"S{k:03d}", *offset(float(last["lat"]), float(last["lon"]), 270.0 + (k - 6) * 8.0, 2.5 + k * 0.4)) for k in range(12)]
    ahead = ("AHD1", *offset(float(last["lat"]), float(last["lon"]), 90.0, 15.0))
    index = _index([*strips, ahead])
    leg = one(detect_legs(pts, index, geometry=False))
    assert (leg["destination"], leg["destination_evidence"]) == ("AHD1", "inferred")
    leg = one(detect_legs(pts, index, geometry=False, k_candidates=8))  # the old default: only the strips behind were examined
    assert leg["destination_evidence"] == "unknown"


@pytest.mark.parametrize("arriving", [False, True])
def test_an_end_over_a_field_too_high_to_have_used_it_names_no_farther_field(arriving: bool) -> None:
    # first (last) seen 2,800 ft above field A, 1.5 km from it: too high for a straight climb out of A (descent onto it), whose
    # limit at 1.5 km is 2.5 x 0.81 NM x 318 ft + 1,500 ft = 2,144 ft; field B lies 20 km behind (ahead) on the track, where a
    # straight path fits (inferred within 8 + 5 x 2.8 = 22 km). The aircraft may have turned above A: neither is named.
    course = 225.0
    end = (30.0, 35.0)
    a = ("AAAA", *offset(*end, 135.0, 1.5))  # beside the track, 1.5 km from its end
    b = ("BBBB", *offset(*end, course if arriving else (course + 180.0) % 360.0, 20.0))
    n, step_s, gs = 20, 10.0, 150.0
    km = (n - 1) * step_s * gs * 1.852 / 3600.0
    start = offset(*end, (course + 180.0) % 360.0, km) if arriving else end
    alt = np.linspace(5000.0, 2800.0, n) if arriving else np.linspace(2800.0, 5000.0, n)
    pts = straight(start[0], start[1], course, n=n, step_s=step_s, gs_kt=gs, alt_ft=alt)
    pts["vrate_fpm"] = np.float32(-1300.0 if arriving else 1300.0)
    i = -1 if arriving else 0
    assert haversine_km(float(pts["lat"].iloc[i]), float(pts["lon"].iloc[i]), a[1], a[2]) == pytest.approx(1.5, abs=0.05)
    end_col = "destination" if arriving else "origin"
    leg = one(detect_legs(pts, _index([a, b]), geometry=False))
    assert leg[end_col] is None and leg[f"{end_col}_evidence"] == "unknown"
    assert (leg[f"{end_col}_second"], leg[f"{end_col}_second_why"]) == ("BBBB", "over_field")
    how = "descended onto" if arriving else "climbed out of"
    assert leg[f"{end_col}_reason"] == (f"{'last' if arriving else 'first'} seen 2,800 ft above AAAA, 1.5 km from it: too high to have {how} "
                                        "it on a straight path, but it may have turned above it; BBBB, 20.0 km away, fits a straight path but is "
                                        "not named")
    assert "over_field" in LOST_CODES
    # without the rule (no field counts as below the end), B is inferred, as before
    leg = one(detect_legs(pts, _index([a, b]), geometry=False, over_field_km=0.0))
    assert (leg[end_col], leg[f"{end_col}_evidence"]) == ("BBBB", "inferred")


@pytest.mark.parametrize(("away_km", "grade"), [(2.0, "observed"), (4.0, "inferred")])
def test_a_field_without_runway_data_is_under_a_lift_off_only_near_its_reference_point(away_km: float, grade: str) -> None:
    # a lift-off at 50 ft (runway height), climbing away on 090°, from a point 2 or 4 km from the reference point of a
    # field without runway data, behind the aircraft: over the field only within no_runway_km (2.5 km) of that point
    start = (30.0, 35.0)
    field = ("NORW", *offset(*start, 270.0, away_km))
    pts = straight(start[0], start[1], 90.0, n=20, step_s=10.0, gs_kt=140.0, alt_ft=np.linspace(50.0, 2000.0, 20))
    pts["vrate_fpm"] = np.float32(1200.0)
    leg = one(detect_legs(pts, _index([field]), geometry=False))
    assert (leg["origin"], leg["origin_evidence"], leg["origin_dist_km"]) == ("NORW", grade, pytest.approx(away_km, abs=0.01))
    leg = one(detect_legs(pts, _index([field]), geometry=False, no_runway_km=6.0))  # the radius before: seen at 4 km too
    assert leg["origin_evidence"] == "observed"


@pytest.mark.parametrize(("away_km", "origin"), [(2.0, "NORW"), (4.0, None)])
def test_a_sighting_only_on_the_ground_is_on_a_field_by_the_rule_of_ground_points(away_km: float, origin: str | None) -> None:
    # taxiing at 10 kt with the ground flag, never airborne, 2 or 4 km from the reference point of a field without runway data;
    # 2 hours later the aircraft is first heard 40 km east at 8,000 ft, climbing: no field fits that end, which is bridged from
    # the sighting only when the sighting is on a field, within no_runway_km (2.5 km) as for ground points next to a flight (it
    # was the nearest field within 6 km)
    start = (30.0, 35.0)
    field = ("NORW", *offset(*start, 270.0, away_km))
    taxi = straight(start[0], start[1], 0.0, n=10, step_s=10.0, gs_kt=10.0, alt_ft=np.nan, on_ground=True)
    up = straight(*offset(*start, 90.0, 40.0), 90.0, n=20, step_s=10.0, gs_kt=300.0, alt_ft=np.linspace(8000.0, 12000.0, 20),
                  start=taxi["time"].iloc[-1] + pd.Timedelta(hours=2))
    up["vrate_fpm"] = np.float32(1500.0)
    leg = one(detect_legs(join(taxi, up), _index([field]), geometry=False))
    assert leg["origin"] == origin and leg["origin_evidence"] == ("bridged" if origin else "unknown")


