"""Disruption measures on tiny hand-built tracks and tables: holding, diversion, go-around, closures vs quiet hours."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import flighttrace
from flighttrace.geo import bearing_deg, destination_point, haversine_km
from flighttrace.kinds.disruption import analysis as dz
from flighttrace.reference.airports import AirportIndex
from tests.flights import to_points

ROOT = Path(__file__).resolve().parents[1]
IDX = AirportIndex.default()
VKO = IDX.get("UUWW")  # Vnukovo: runway in use 196°, so final approach from the north-north-east
SVO = IDX.get("UUEE")  # Sheremetyevo: landing 246°
FIELDS = dz.field_table(IDX, ["UUWW", "UUEE"])
T0 = pd.Timestamp("2026-03-14T08:00:00Z")


def at(ap: object, brg: float, km: float) -> tuple[float, float]:
    """A point ``km`` from a field on bearing ``brg``."""
    return destination_point(ap.lat, ap.lon, brg, km)  # type: ignore[attr-defined]


def path(vertices: list[tuple[float, float, float | None, float]], *, t0: pd.Timestamp = T0, step_s: float = 10.0,
         icao24: str = "140001", callsign: str = "TST101") -> pd.DataFrame:
    """Points every ``step_s`` along straight segments between (lat, lon, alt_ft or None on the ground, kt) vertices."""
    lat = np.array([v[0] for v in vertices])
    lon = np.array([v[1] for v in vertices])
    alt = np.array([np.nan if v[2] is None else v[2] for v in vertices])
    kt = np.array([v[3] for v in vertices], dtype=float)
    seg = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    dt = seg / (0.5 * (kt[:-1] + kt[1:]) * 1.852) * 3600.0
    tv = np.concatenate([[0.0], np.cumsum(dt)])
    t = np.arange(0.0, tv[-1], step_s)
    i = np.clip(np.searchsorted(tv, t, side="right") - 1, 0, len(seg) - 1)
    f = (t - tv[i]) / np.where(dt[i] > 0, dt[i], 1.0)
    la, lo = lat[i] + f * (lat[i + 1] - lat[i]), lon[i] + f * (lon[i + 1] - lon[i])
    ground = np.isnan(alt[i]) & np.isnan(alt[i + 1])
    a = np.where(ground, np.nan, np.nan_to_num(alt[i]) + f * (np.nan_to_num(alt[i + 1]) - np.nan_to_num(alt[i])))
    trk = bearing_deg(lat[i], lon[i], lat[i + 1], lon[i + 1])
    vr = np.where(ground, 0.0, (np.nan_to_num(alt[i + 1]) - np.nan_to_num(alt[i])) / np.where(dt[i] > 0, dt[i], 1.0) * 60.0)
    df = pd.DataFrame({"icao24": icao24, "time": t0 + pd.to_timedelta(t, unit="s"), "lat": la, "lon": lo, "alt_ft": a,
                       "gs_kt": kt[i] + f * (kt[i + 1] - kt[i]), "track_deg": trk, "vrate_fpm": vr, "on_ground": ground,
                       "callsign": callsign})
    return to_points(df, typecode="A320")


def circle(centre: tuple[float, float], radius_km: float, laps: float, alt: float, kt: float, start_deg: float = 0.0) -> list[tuple[float, float, float, float]]:
    """Vertices of ``laps`` right-hand circles every 10° around ``centre``."""
    n = int(round(laps * 36))
    return [(*destination_point(centre[0], centre[1], start_deg + 10.0 * k, radius_km), alt, kt) for k in range(n + 1)]


def landing(ap: object, rwy: float, *, from_alt: float = 3000.0) -> list[tuple[float, float, float | None, float]]:
    """Final approach from 18 km out, touchdown and roll-out on runway heading ``rwy``."""
    e = ap.elevation_ft  # type: ignore[attr-defined]
    return [(*at(ap, rwy + 180, 18.0), e + from_alt, 180.0), (*at(ap, rwy + 180, 1.5), e + 50.0, 140.0),
            (*at(ap, rwy + 180, 1.0), None, 135.0), (*at(ap, rwy, 0.8), None, 25.0), (*at(ap, rwy + 90, 0.9), None, 5.0)]


def analyse(points: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(legs, diversions, holdings, go-arounds) of some points, watching Vnukovo and Sheremetyevo."""
    legs = flighttrace.detect_legs(points)
    appr = dz.approaches(points, legs, FIELDS)
    div = dz.diversions(legs, appr, ["UUWW", "UUEE"])
    return legs, div, dz.holdings(points, legs, FIELDS), dz.go_arounds(points, legs, FIELDS)


# --------------------------------------------------------------------------- holding


def holding_flight(laps: float, *, t0: pd.Timestamp = T0) -> pd.DataFrame:
    centre = at(VKO, 90.0, 35.0)
    entry = (*at(VKO, 90.0, 80.0), 12000.0, 280.0)
    ring = circle(centre, 3.0, laps, 9000.0, 210.0, start_deg=90.0)
    return path([entry, *ring, (*at(VKO, 16.0, 30.0), VKO.elevation_ft + 5000.0, 220.0), *landing(VKO, 196.0)], t0=t0)


def test_clean_holding_circle_is_found_with_its_centre_laps_and_field() -> None:
    legs, div, hold, ga = analyse(holding_flight(3.0))
    assert len(legs) == 1 and legs["destination"].iloc[0] == "UUWW"
    assert len(hold) == 1
    h = hold.iloc[0]
    centre = at(VKO, 90.0, 35.0)
    assert abs(h["laps"] - 3.0) <= 0.5
    assert float(haversine_km(h["lat"], h["lon"], centre[0], centre[1])) < 1.0
    assert abs(h["radius_km"] - 3.0) < 0.5
    circle_s = 3 * 2 * math.pi * 3.0 / (210.0 * 1.852) * 3600.0
    assert abs(h["duration_s"] - circle_s) < 120.0
    assert h["airport"] == "UUWW" and h["direction"] == "right" and h["grade"] == "observed"
    assert h["lineage"].startswith("test.json:")
    assert len(div) == 0 and len(ga) == 0


def test_a_single_turn_is_not_a_holding() -> None:
    _, _, hold, _ = analyse(holding_flight(1.0))
    assert len(hold) == 0


# --------------------------------------------------------------------------- diversion and go-around


def diverted_flight(callsign: str = "TST101") -> pd.DataFrame:
    """Down the approach to Vnukovo to 800 ft, 3 km out; then away, and a landing at Sheremetyevo."""
    e = VKO.elevation_ft
    v = [(*at(VKO, 16.0, 30.0), e + 5000.0, 230.0), (*at(VKO, 16.0, 10.0), e + 2200.0, 170.0), (*at(VKO, 16.0, 3.0), e + 800.0, 150.0),
         (*at(VKO, 196.0, 8.0), e + 3500.0, 200.0), (*at(SVO, 200.0, 30.0), SVO.elevation_ft + 5000.0, 240.0),
         (*at(SVO, 66.0 + 40.0, 25.0), SVO.elevation_ft + 4000.0, 220.0), *landing(SVO, 246.0)]
    return path(v, callsign=callsign)


def test_diversion_descending_toward_one_field_and_landing_at_another() -> None:
    legs, div, hold, ga = analyse(diverted_flight())
    assert len(legs) == 1 and legs["destination"].iloc[0] == "UUEE"
    assert len(div) == 1
    d = div.iloc[0]
    assert (d["intended"], d["landed"], d["outcome"], d["method"]) == ("UUWW", "UUEE", "diverted", "approach")
    assert d["grade"] == "observed" and d["intent_grade"] == "observed" and d["landing_grade"] == "observed"
    assert d["approach_min_agl_ft"] < 1000.0 and d["approach_min_km"] < 4.0
    assert "landed at UUEE" in d["detail"]
    # breaking off the approach at 800 ft is also a missed approach at Vnukovo
    assert list(ga["airport"]) == ["UUWW"] and ga["landed"].iloc[0] == "UUEE"
    assert len(hold) == 0


def turned_away_flight(callsign: str = "TST404", icao24: str = "140004", t0: pd.Timestamp = T0) -> pd.DataFrame:
    """Down the approach to Vnukovo to 800 ft, 3 km out; then a climb away to the west, the track lost 120 km out at cruise."""
    e = VKO.elevation_ft
    v = [(*at(VKO, 16.0, 30.0), e + 5000.0, 230.0), (*at(VKO, 16.0, 10.0), e + 2200.0, 170.0), (*at(VKO, 16.0, 3.0), e + 800.0, 150.0),
         (*at(VKO, 196.0, 8.0), e + 3500.0, 200.0), (*at(VKO, 250.0, 40.0), e + 9000.0, 260.0), (*at(VKO, 260.0, 120.0), 15000.0, 300.0)]
    return path(v, callsign=callsign, icao24=icao24, t0=t0)


def test_turning_away_at_low_level_with_no_landing_seen_is_a_diversion_graded_unknown() -> None:
    legs, div, hold, ga = analyse(turned_away_flight())
    assert len(legs) == 1 and pd.isna(legs["destination"].iloc[0])  # the track ends at no named field
    assert len(div) == 1
    d = div.iloc[0]
    assert (d["intended"], d["outcome"], d["method"]) == ("UUWW", "turned_away", "approach")
    assert pd.isna(d["landed"]) and d["grade"] == "unknown" and d["intent_grade"] == "observed" and d["landing_grade"] == "unknown"
    assert d["approach_min_agl_ft"] < 1000.0 and d["approach_min_km"] < 4.0
    assert d["time"] == legs["last_seen"].iloc[0]  # no landing: timed by the last sighting
    assert "no field named at the end of the track" in d["detail"]
    assert list(ga["airport"]) == ["UUWW"] and pd.isna(ga["landed"].iloc[0])
    assert len(hold) == 0


def test_a_track_lost_on_the_approach_is_not_a_turn_away() -> None:
    # the same approach, but the track ends 3 km out at 800 ft: no named end, yet it never flew away from the field
    e = VKO.elevation_ft
    pts = path([(*at(VKO, 16.0, 30.0), e + 5000.0, 230.0), (*at(VKO, 16.0, 10.0), e + 2200.0, 170.0), (*at(VKO, 16.0, 3.0), e + 800.0, 150.0)])
    legs, div, hold, ga = analyse(pts)
    assert len(legs) == 1
    assert len(div) == 0 and len(hold) == 0


def test_a_plain_landing_and_a_departure_are_neither_diversion_nor_go_around() -> None:
    e = VKO.elevation_ft
    arrival = path([(*at(VKO, 16.0, 40.0), e + 7000.0, 250.0), *landing(VKO, 196.0)], icao24="140002")
    departure = path([(*at(VKO, 286.0, 0.9), None, 5.0), (*at(VKO, 16.0, 1.5), None, 12.0), (*at(VKO, 196.0, 0.4), None, 150.0),
                      (*at(VKO, 196.0, 10.0), e + 3000.0, 210.0), (*at(VKO, 150.0, 60.0), 15000.0, 280.0)],
                     t0=T0 + pd.Timedelta(hours=1), icao24="140003", callsign="TST102")
    legs, div, hold, ga = analyse(join_tracks(arrival, departure))
    assert sorted(legs["origin"].fillna("-")) == ["-", "UUWW"] and sorted(legs["destination"].fillna("-")) == ["-", "UUWW"]
    assert len(div) == 0 and len(ga) == 0 and len(hold) == 0


def parked(days: list[pd.Timestamp]) -> pd.DataFrame:
    """An aircraft on the ground at Vnukovo (1400a0) and one at Sheremetyevo (1400a1), heard every 20 minutes on each day."""
    frames = []
    for hexa, ap in (("1400a0", VKO), ("1400a1", SVO)):
        t = pd.DatetimeIndex([d + pd.Timedelta(minutes=20 * k) for d in days for k in range(72)])
        lat, lon = at(ap, 90.0, 0.6)
        frames.append(to_points(pd.DataFrame({"icao24": hexa, "time": t, "lat": lat, "lon": lon, "alt_ft": np.nan, "gs_kt": 0.0,
                                              "track_deg": 0.0, "vrate_fpm": 0.0, "on_ground": True, "callsign": "PARKED"}), typecode="A320"))
    return pd.concat(frames, ignore_index=True)


def join_tracks(*frames: pd.DataFrame) -> pd.DataFrame:
    """Several tracks as one Points table, sorted as read() sorts, with distinct source rows."""
    df = pd.concat(frames, ignore_index=True)
    df["src_row"] = np.arange(len(df))
    return df.sort_values(["icao24", "time"], kind="stable").reset_index(drop=True)


def test_go_around_then_landing_at_the_same_field() -> None:
    e = VKO.elevation_ft
    v = [(*at(VKO, 16.0, 30.0), e + 5000.0, 230.0), (*at(VKO, 16.0, 18.0), e + 3000.0, 180.0), (*at(VKO, 16.0, 2.5), e + 200.0, 140.0),
         (*at(VKO, 196.0, 6.0), e + 2000.0, 180.0), (*at(VKO, 196.0, 13.0), e + 3500.0, 210.0), (*at(VKO, 106.0, 12.0), e + 4000.0, 220.0),
         (*at(VKO, 16.0 + 40.0, 30.0), e + 4000.0, 220.0), *landing(VKO, 196.0)]
    legs, div, hold, ga = analyse(path(v))
    assert len(legs) == 1 and legs["destination"].iloc[0] == "UUWW"
    assert len(ga) == 1
    g = ga.iloc[0]
    assert g["airport"] == "UUWW" and g["landed"] == "UUWW" and g["min_agl_ft"] < 300.0 and g["climb_ft"] >= 700.0
    assert len(div) == 0 and len(hold) == 0


def test_usual_destination_shows_a_diversion_without_any_approach() -> None:
    rows = []
    for k in range(5):  # the same callsigns on five Saturdays
        t = T0 + pd.Timedelta(weeks=k)
        last = k == 4
        rows.append(("TST101", t, "UUEE" if last else "UUWW"))  # usually Vnukovo; today Sheremetyevo
        rows.append(("TST303", t, "UUWW"))  # always Vnukovo
        if k in (3, 4):
            rows.append(("TST202", t + pd.Timedelta(hours=1), "UUEE" if last else "UUWW"))  # one earlier leg only
    legs = pd.DataFrame({
        "leg_id": [f"L{i}" for i in range(len(rows))], "icao24": "140009", "callsign": [r[0] for r in rows],
        "registration": None, "first_seen": pd.to_datetime([r[1] for r in rows], utc=True),
        "last_seen": pd.to_datetime([r[1] for r in rows], utc=True) + pd.Timedelta(minutes=25),
        "destination": [r[2] for r in rows], "destination_evidence": "observed",
        "landing_time": pd.to_datetime([r[1] for r in rows], utc=True) + pd.Timedelta(minutes=24),
        "landing_time_latest": pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns, UTC]"), "lineage": "x.parquet:0-9",
    })
    div = dz.diversions(legs, None, ["UUWW", "UUEE"])
    assert len(div) == 1
    d = div.iloc[0]
    assert (d["callsign"], d["intended"], d["landed"], d["method"]) == ("TST101", "UUWW", "UUEE", "usual destination")
    assert d["grade"] == "inferred" and d["usual_legs"] == 4


# --------------------------------------------------------------------------- closures and quiet hours


def movement_table(days: list[pd.Timestamp], gap: tuple[pd.Timestamp, pd.Timestamp] | None) -> pd.DataFrame:
    """A movement every 6 minutes from 06:00 to 22:00 UTC and one at 02:00, on each day; none inside ``gap``."""
    times = []
    for d in days:
        times.append(d + pd.Timedelta(hours=2))
        times += list(d + pd.Timedelta(hours=6) + pd.to_timedelta(np.arange(160) * 6, unit="min"))
    t = pd.Series(pd.to_datetime(times, utc=True))
    if gap is not None:
        t = t[~((t > gap[0]) & (t < gap[1]))]
    n = len(t)
    return pd.DataFrame({"airport": "UUWW", "kind": np.where(np.arange(n) % 2 == 0, "arrival", "departure"), "time": t.to_numpy(),
                         "time_exact": True, "grade": "observed", "leg_id": [f"M{i}" for i in range(n)], "icao24": "140001",
                         "callsign": "TST", "registration": None, "lineage": "x:0-1"}).astype({"time": "datetime64[ns, UTC]"})


def hours_table(days: list[pd.Timestamp]) -> pd.DataFrame:
    hrs = pd.date_range(days[0], days[-1] + pd.Timedelta(hours=23), freq="h", tz="UTC")
    cov = np.isin(hrs.normalize(), pd.DatetimeIndex(days))
    return pd.DataFrame({"hour": hrs, "n_points": np.where(cov, 100, 0), "day_covered": cov, "covered": cov})


def test_quiet_night_is_not_a_closure_but_a_daytime_stop_is() -> None:
    day = pd.Timestamp("2026-03-14", tz="UTC")
    days = [day - pd.Timedelta(weeks=k) for k in (4, 3, 2, 1, 0)]
    stop = (day + pd.Timedelta(hours=10), day + pd.Timedelta(hours=11, minutes=30))
    mov = pd.concat([movement_table(days[:-1], None), movement_table(days[-1:], stop)], ignore_index=True)
    hourly = dz.hourly_movements(mov, hours_table(days), ["UUWW"])
    # the baseline of a daytime hour is 10 movements, of a night hour none
    on_day = hourly[hourly["hour"] >= day].set_index("hour")
    assert on_day.loc[day + pd.Timedelta(hours=12), "baseline_mean"] == 10.0
    assert on_day.loc[day + pd.Timedelta(hours=4), "baseline_mean"] == 0.0
    assert on_day.loc[day + pd.Timedelta(hours=10), "movements"] == 1.0 and on_day.loc[day + pd.Timedelta(hours=10), "p_at_most"] < 0.001
    runs = dz.movement_runs(mov, hourly, "UUWW")
    runs = runs[runs["last_time"] >= day - pd.Timedelta(hours=3)]
    night = runs[(runs["last_time"] == day + pd.Timedelta(hours=2))].iloc[0]
    assert night["gap_s"] == 4 * 3600.0 and not night["closure"] and night["expected"] < night["threshold"]
    closed = dz.closures(mov, hourly, ["UUWW"], day, day + pd.Timedelta(days=1))
    assert len(closed) == 1
    c = closed.iloc[0]
    assert abs((c["start"] - stop[0]).total_seconds()) <= 6 * 60 and abs((c["end"] - stop[1]).total_seconds()) <= 6 * 60
    assert c["start_earliest"] <= stop[0] <= c["start_latest"] and c["end_earliest"] <= stop[1] <= c["end_latest"]
    assert c["expected"] >= c["threshold"] > 8.0  # ln(161 / 0.05) ≈ 8.1 movements
    # the baseline weeks themselves hold no closure
    assert len(dz.closures(mov, hourly, ["UUWW"], days[1], day)) == 0


def test_hourly_baseline_is_the_same_weekday_and_hour_of_the_previous_weeks_with_its_spread() -> None:
    from scipy import stats

    day = pd.Timestamp("2026-03-14", tz="UTC")  # a Saturday
    h = pd.Timedelta(hours=12)
    # 12:00–13:00 on the four previous Saturdays: 2, 4, 6 and 8 movements; on the day itself 1.
    # Every Sunday 12:00 carries 50 movements: another weekday, it must not enter Saturday's baseline.
    counts = {day - pd.Timedelta(weeks=k): n for k, n in ((4, 2), (3, 4), (2, 6), (1, 8), (0, 1))}
    times = [d + h + pd.Timedelta(minutes=5 * i) for d, n in counts.items() for i in range(n)]
    times += [d + pd.Timedelta(days=1) + h + pd.Timedelta(minutes=i) for d in list(counts)[:-1] for i in range(50)]
    t = pd.Series(pd.to_datetime(sorted(times), utc=True))
    mov = pd.DataFrame({"airport": "UUWW", "kind": np.where(np.arange(len(t)) % 2 == 0, "arrival", "departure"), "time": t.to_numpy(),
                        "time_exact": True, "grade": "observed", "leg_id": [f"M{i}" for i in range(len(t))], "icao24": "140001",
                        "callsign": "TST", "registration": None, "lineage": "x:0-1"}).astype({"time": "datetime64[ns, UTC]"})
    hrs = pd.date_range(day - pd.Timedelta(weeks=4), day + pd.Timedelta(hours=23), freq="h", tz="UTC")
    hours = pd.DataFrame({"hour": hrs, "n_points": 100, "day_covered": True, "covered": True})
    row = dz.hourly_movements(mov, hours, ["UUWW"]).set_index("hour").loc[day + h]
    assert row["movements"] == 1.0 and row["baseline_weeks"] == 4
    assert (row["baseline_mean"], row["baseline_min"], row["baseline_max"]) == (5.0, 2.0, 8.0)
    # the central 95 % Poisson band of a mean of 5, and the chance of seeing at most 1
    assert (row["band_low"], row["band_high"]) == (stats.poisson.ppf(0.025, 5.0), stats.poisson.isf(0.025, 5.0))
    assert row["p_at_most"] == pytest.approx(math.exp(-5.0) * (1 + 5.0), abs=1e-6)
    assert row["baseline_arrivals"] + row["baseline_departures"] == pytest.approx(5.0)
    # a baseline week without data is left out of the baseline, not counted as a zero
    hours.loc[(hours["hour"] >= day - pd.Timedelta(weeks=1)) & (hours["hour"] < day - pd.Timedelta(weeks=1) + pd.Timedelta(days=1)), "covered"] = False
    row = dz.hourly_movements(mov, hours, ["UUWW"]).set_index("hour").loc[day + h]
    assert row["baseline_weeks"] == 3 and (row["baseline_mean"], row["baseline_min"], row["baseline_max"]) == (4.0, 2.0, 6.0)


def test_hours_without_data_end_a_run_and_say_nothing() -> None:
    day = pd.Timestamp("2026-03-14", tz="UTC")
    days = [day - pd.Timedelta(weeks=k) for k in (4, 3, 2, 1, 0)]
    mov = movement_table(days, None)
    hours = hours_table(days)
    gap = (hours["hour"] >= day + pd.Timedelta(hours=10)) & (hours["hour"] < day + pd.Timedelta(hours=13))
    hours.loc[gap, "covered"] = False
    mov = mov[~((mov["time"] >= day + pd.Timedelta(hours=10)) & (mov["time"] <= day + pd.Timedelta(hours=13)))]
    hourly = dz.hourly_movements(mov, hours, ["UUWW"])
    assert hourly.loc[hourly["hour"] == day + pd.Timedelta(hours=11), "movements"].isna().all()
    assert len(dz.closures(mov, hourly, ["UUWW"], day, day + pd.Timedelta(days=1))) == 0
    runs = dz.movement_runs(mov, hourly, "UUWW")
    before = runs[runs["end_earliest"] == day + pd.Timedelta(hours=10)]
    after = runs[runs["start_latest"] == day + pd.Timedelta(hours=13)]
    assert list(before["censored"]) == ["end"] and list(after["censored"]) == ["start"]
    assert not before["closure"].any() and not after["closure"].any()
    # no run covers the hours without data
    inside = runs[(runs["last_time"] > day + pd.Timedelta(hours=10)) & (runs["last_time"] < day + pd.Timedelta(hours=13))]
    assert len(inside) == 0


# --------------------------------------------------------------------------- escaping


def test_map_escapes_a_hostile_callsign() -> None:
    from flighttrace.scenario import load_scenario
    from flighttrace.viz.maps import map_disruption, render_map

    scn = load_scenario(ROOT / "seeds" / "moscow-2026-03-14.yaml")
    pts = diverted_flight(callsign="<script>alert(1)</script>")
    legs = flighttrace.detect_legs(pts, scn)
    d = dz.analyze(scn, legs, pts)
    assert len(d.in_focus("diversions")) == 1
    html = render_map(map_disruption(legs, d, scn, points=pts, synthetic=True))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "SYNTHETIC DATA" in html


@pytest.mark.parametrize("name", ["closure_min_expected", "holding_min_turn_deg", "approach_max_agl_ft"])
def test_every_threshold_is_a_documented_parameter(name: str) -> None:
    p = dz.DisruptionParams()
    assert hasattr(p, name) and name in (dz.DisruptionParams.__doc__ or "")
    with pytest.raises(TypeError):
        p.with_overrides(no_such_threshold=1.0)
    assert getattr(p.with_overrides(**{name: 1.0}), name) == 1.0


# --------------------------------------------------------------------------- the scenario format


def _moscow_raw() -> dict[str, Any]:
    import yaml

    from flighttrace.scenario.load import _yaml_loader

    text = (ROOT / "seeds" / "moscow-2026-03-14.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - the project's safe loader


def test_scenario_format_grows_the_disruption_kinds() -> None:
    from flighttrace.kinds.disruption.spec import TESTS
    from flighttrace.scenario import load_scenario

    DISRUPTION_KINDS = [t.model_fields["kind"].annotation.__args__[0] for t in TESTS]

    scn = load_scenario(ROOT / "seeds" / "moscow-2026-03-14.yaml")
    assert scn.meta.kind == "disruption" and not scn.routes and not scn.fleet.selectors
    kinds = {c.test.kind for c in scn.claims}
    assert kinds == set(DISRUPTION_KINDS)
    four = scn.claim("seed-all-four-closed")
    assert four.record == "unconfirmed" and four.test.require == "each"
    assert scn.resolve_airports(four.test.airport) == {"UUEE", "UUDD", "UUWW", "UUBW"}
    assert four.test.describe() == "each field of moscow closed ≥ 30 min"
    assert scn.claim("vko-dme-reopened-14mar").test.describe().endswith("traffic resumed in the window")
    assert scn.claim("seed-flights-diverted").test.describe() == "at least 1 diverted"


def test_moscow_seed_covers_the_four_airports_alternates_events_and_unconfirmed_claims() -> None:
    from flighttrace.scenario import load_scenario

    scn = load_scenario(ROOT / "seeds" / "moscow-2026-03-14.yaml")
    # SVO, DME, VKO, ZIA by their ICAO codes, and alternates outside Moscow
    assert scn.resolve_airports("moscow") == {"UUEE", "UUDD", "UUWW", "UUBW"}
    alternates = scn.resolve_airports("alternates")
    assert len(alternates) >= 2 and not alternates & scn.resolve_airports("moscow")
    # the events of 14–16 March 2026, each with its sources (every id known to meta.sources)
    known = {s.id for s in scn.meta.sources}
    march = [e for e in scn.events if pd.Timestamp("2026-03-14", tz="UTC") - pd.Timedelta(hours=3) <= e.span()[0] < pd.Timestamp("2026-03-17", tz="UTC")]
    assert {e.id for e in march} == {"drone-attack-2026-03", "restrictions-vko-dme-zia", "restrictions-lifted"}
    assert all(e.sources and set(e.sources) <= known for e in scn.events)
    # what the record does not confirm is marked so: every claim of the seed article, "all four airports closed" among them
    seed_claims = [c for c in scn.claims if c.source == "seed-002"]
    assert seed_claims and {c.record for c in seed_claims} == {"unconfirmed"}
    assert scn.claim("seed-all-four-closed").record == "unconfirmed"
    assert scn.source("seed-002").confidence == "uncertain"
    assert {c.record for c in scn.claims if c.source != "seed-002"} == {"published"}


def test_disruption_claims_are_checked_like_any_other() -> None:
    from flighttrace.scenario import ScenarioError, parse_scenario

    raw = _moscow_raw()
    raw["claims"][0]["subject"] = {"unit": "landings", "airport": "UUWW"}
    raw["claims"][1]["test"]["max_duration"] = "10min"
    raw["claims"][2]["test"]["airport"] = "UUXX"
    raw["claims"][6]["subject"] = {"unit": "diversions"}
    with pytest.raises(ScenarioError) as err:
        parse_scenario(raw, name="moscow")
    text = str(err.value)
    assert "claims[0]: a closure test needs subject.unit 'movements', not 'landings'" in text
    assert "claims[1].test.max_duration: 10min is less than min_duration 30min" in text
    assert "claims[2].test.airport: unknown airport or group 'UUXX'" in text
    assert "claims[6].subject.airport: field required when unit is 'diversions'" in text


# --------------------------------------------------------------------------- disruption claims on hand-built data

SRC = [{"id": "src", "outlet": "tests", "title": "t", "url": "https://example.org/", "access": "original", "confidence": "estimate"}]
DAY = pd.Timestamp("2026-03-14", tz="UTC")
SATURDAYS = [DAY - pd.Timedelta(weeks=k) for k in (4, 3, 2, 1, 0)]
STOP = (DAY + pd.Timedelta(hours=10), DAY + pd.Timedelta(hours=11, minutes=30))
"""Vnukovo takes no movement from 10:00 to 11:30 on the day (one every 6 minutes otherwise): 15 expected, none seen."""


def claim_of(cid: str, test: dict[str, Any], window: str | dict[str, str] = "2026-03-14", subject: dict[str, Any] | None = None) -> dict[str, Any]:
    win = window if isinstance(window, dict) else {"start": window, "end": window}
    return {"id": cid, "statement": cid, "source": "src", "record": "published", "window": win,
            "subject": subject or {"unit": "movements"}, "test": test}


DAYTIME = {"start": "2026-03-14T06:00:00Z", "end": "2026-03-14T22:00:00Z"}
"""The hours with scheduled traffic on the day (a movement every 6 minutes)."""


def disruption_scenario(*claims: dict[str, Any]) -> Any:
    from flighttrace.scenario import parse_scenario

    return parse_scenario({"meta": {"title": "t", "summary": "t", "kind": "disruption", "sources": SRC},
                           "airports": {"codes": ["UUWW", "UUEE"], "groups": {"both": ["UUWW", "UUEE"]}},
                           "claims": list(claims)})


def daily_coverage(days: list[pd.Timestamp]) -> pd.DataFrame:
    cov = pd.DataFrame({"date": pd.date_range(days[0], days[-1], freq="D", tz="UTC").as_unit("ns")})
    ok = cov["date"].isin(days).to_numpy()
    return cov.assign(has_file=ok, n_points=ok.astype(np.int64) * 100, n_aircraft=ok.astype(np.int64), covered=ok,
                      reason=np.where(ok, "", "no file spans it"), tz="UTC")


def movement_disruption(*, bridged_in_stop: bool = False, no_data: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> dz.Disruption:
    """Vnukovo with STOP on the day, Sheremetyevo open throughout, five Saturdays; no Points table."""
    vko = pd.concat([movement_table(SATURDAYS[:-1], None), movement_table(SATURDAYS[-1:], STOP)], ignore_index=True)
    if bridged_in_stop:  # a landing whose time is only bounded, in the middle of the stop
        mid = vko.iloc[[0]].assign(time=STOP[0] + pd.Timedelta(minutes=45), time_exact=False, grade="bridged", leg_id="MB")
        vko = pd.concat([vko, mid], ignore_index=True)
    mov = pd.concat([movement_table(SATURDAYS, None).assign(airport="UUEE"), vko], ignore_index=True)
    hours = hours_table(SATURDAYS)
    if no_data is not None:
        hours.loc[(hours["hour"] >= no_data[0]) & (hours["hour"] < no_data[1]), "covered"] = False
        mov = mov[~((mov["time"] >= no_data[0]) & (mov["time"] < no_data[1]))]
    mov = mov.sort_values(["airport", "time"], kind="stable").reset_index(drop=True)
    hourly = dz.hourly_movements(mov, hours, ["UUWW", "UUEE"])
    end = DAY + pd.Timedelta(days=1)
    return dz.Disruption(("UUWW", "UUEE"), DAY, end, mov, hours, hourly, dz.closures(mov, hourly, ["UUWW", "UUEE"], DAY, end),
                         dz._empty(dz.DIVERSION_COLUMNS, ("time", "approach_start", "approach_end", "landing_time")),
                         dz._empty(dz.HOLDING_COLUMNS, ("start", "end")), dz._empty(dz.GO_AROUND_COLUMNS, ("time",)), has_points=False)


NO_LEGS = pd.DataFrame({"leg_id": pd.Series([], dtype=object)})


def judged(d: dz.Disruption, *claims: dict[str, Any]) -> dict[str, tuple[str, str]]:
    f = flighttrace.evaluate(NO_LEGS, disruption_scenario(*claims), coverage=daily_coverage(SATURDAYS), given={"disruption": d})
    return {r.claim_id: (r.verdict, r.reason) for r in f.claims.itertuples()}


def test_closure_claims_every_branch() -> None:
    d = movement_disruption()
    (c,) = d.closures.itertuples()
    assert c.airport == "UUWW" and abs((c.start - STOP[0]).total_seconds()) <= 360 and abs((c.end - STOP[1]).total_seconds()) <= 360
    surely_min = (c.end_earliest - c.start_latest).total_seconds() / 60.0
    assert 30 < surely_min < 90  # surely closed for less than the 90-minute gap, more than 30 minutes
    v = judged(
        d,
        claim_of("vko-30min", {"kind": "closure", "airport": "UUWW", "min_duration": "30min"}),  # closed ≥ 30 min → supported
        # even the whole 90-min gap is < 2 h, but a 2-h closure between 22:00 and 06:00 would meet no scheduled movement:
        # it could be detected in only 74 % of the day's placements → inconclusive; over the hours with traffic → contradicted
        claim_of("vko-2h", {"kind": "closure", "airport": "UUWW", "min_duration": "2h"}),
        claim_of("vko-2h-daytime", {"kind": "closure", "airport": "UUWW", "min_duration": "2h"}, window=DAYTIME),
        claim_of("vko-max", {"kind": "closure", "airport": "UUWW", "min_duration": "30min", "max_duration": "45min"}),  # surely closed > 45 min → contradicted
        claim_of("vko-reopened", {"kind": "closure", "airport": "UUWW", "min_duration": "30min", "reopened": True}),  # traffic back at 11:30 → supported
        claim_of("vko-still-shut", {"kind": "closure", "airport": "UUWW", "min_duration": "30min", "reopened": False}),  # it reopened → contradicted
        # 10 movements an hour and 161 a day: a closure needs ln(161 / 0.05) = 8.08 expected movements, 48.5 minutes of the
        # busiest traffic; a 30-minute one could never be told from an ordinary gap → Sheremetyevo "open" cannot be concluded
        claim_of("both-each", {"kind": "closure", "airport": "both", "min_duration": "30min", "require": "each"}),  # → inconclusive
        claim_of("both-any", {"kind": "closure", "airport": "both", "min_duration": "30min", "require": "any"}),  # Vnukovo closed → supported
        claim_of("svo", {"kind": "closure", "airport": "UUEE", "min_duration": "30min"}),  # below what can be detected → inconclusive
        claim_of("svo-1h-daytime", {"kind": "closure", "airport": "UUEE", "min_duration": "1h"}, window=DAYTIME),  # 10 expected ≥ 8.08 everywhere → contradicted
        claim_of("vko-a-week-before", {"kind": "closure", "airport": "UUWW", "min_duration": "30min"}, window="2026-03-07"),  # below what can be detected → inconclusive
        claim_of("vko-1h-a-week-before", {"kind": "closure", "airport": "UUWW", "min_duration": "1h"},
                 window={"start": "2026-03-07T06:00:00Z", "end": "2026-03-07T22:00:00Z"}),  # ordinary day, detectable → contradicted
        claim_of("hold", {"kind": "holding_at_least", "value": 1}, subject={"unit": "holdings", "airport": "UUWW"}),  # no Points table → inconclusive
    )
    assert {k: x[0] for k, x in v.items()} == {
        "vko-30min": "supported", "vko-2h": "inconclusive", "vko-2h-daytime": "contradicted", "vko-max": "contradicted",
        "vko-reopened": "supported", "vko-still-shut": "contradicted", "both-each": "inconclusive", "both-any": "supported",
        "svo": "inconclusive", "svo-1h-daytime": "contradicted", "vko-a-week-before": "inconclusive",
        "vko-1h-a-week-before": "contradicted", "hold": "inconclusive",
    }
    # the smallest detectable closure, worked out by hand: T = ln(161 / 0.05) = 8.08 movements at 10 an hour = 48.5 min
    assert "8.1 movements a closure needs only over 48 min or more" in v["svo"][1] and "detected in 0% of the window" in v["svo"][1]
    # a 2-h closure placed every 5 min from 00:00 to 22:00 (265 placements) holds 8.08 expected movements only when it
    # overlaps 06:00–22:00 by 48.5 min or more: placements from 04:50 to 21:10, 197 of 265 = 74 %
    assert "detected in 74% of the window" in v["vko-2h"][1]
    assert "could have gone unseen" in v["both-each"][1]
    assert "no movement from 10:00 to 11:30" in v["vko-30min"][1] and "expected 15.0" in v["vko-30min"][1]
    assert "longer than 45 min" in v["vko-max"][1] and "traffic resumed at 11:30" in v["vko-still-shut"][1]
    assert v["both-each"][1].startswith("1 of 2 fields closed (UUWW); every field must")
    assert "every hour of the window has data and a baseline" in v["svo-1h-daytime"][1]
    assert "needs the Points table" in v["hold"][1]


def test_closure_claims_inconclusive_on_weak_evidence_or_missing_hours() -> None:
    # a bridged landing inside the stop splits it into two runs too short to be closures, but only bridged evidence stands in the way
    v = judged(movement_disruption(bridged_in_stop=True), claim_of("vko", {"kind": "closure", "airport": "UUWW", "min_duration": "30min"}))
    assert v["vko"][0] == "inconclusive" and "1 bridged or unseen-time movement falls inside it" in v["vko"][1]
    # Sheremetyevo's hours 10–13 have no data: nothing can be said of them, so no contradiction
    gap = (DAY + pd.Timedelta(hours=10), DAY + pd.Timedelta(hours=13))
    v = judged(movement_disruption(no_data=gap), claim_of("svo", {"kind": "closure", "airport": "UUEE", "min_duration": "30min"}))
    assert v["svo"][0] == "inconclusive" and "3 of 24 hours of the window have no data" in v["svo"][1]


def test_diversion_and_holding_claims_count_like_count_at_least() -> None:
    # on the day: one aircraft diverted from Vnukovo to Sheremetyevo (observed), one turned away (landing unseen),
    # one held three laps east of Vnukovo and landed there
    # aircraft parked at both fields, heard on the ground every 20 minutes on the day and on the four Saturdays before it,
    # show that receivers listened at both fields all day: gates covered, so absence counts, and the Saturdays are a baseline
    # with no holding and no diversion
    pts = join_tracks(
        diverted_flight().assign(icao24="140011"),
        turned_away_flight(icao24="140012", t0=T0 + pd.Timedelta(hours=1)),
        holding_flight(3.0).assign(icao24="140013"),
        parked(SATURDAYS),
    )
    scn = disruption_scenario(
        claim_of("div1", {"kind": "diversions_at_least", "value": 1}, subject={"unit": "diversions", "airport": "UUWW"}),  # s = 1 → supported
        claim_of("div2", {"kind": "diversions_at_least", "value": 2}, subject={"unit": "diversions", "airport": "UUWW"}),  # s + u = 2 → inconclusive
        claim_of("div3", {"kind": "diversions_at_least", "value": 3}, subject={"unit": "diversions", "airport": "UUWW"}),  # 2 < 3, covered → contradicted
        claim_of("div-svo", {"kind": "diversions_at_least", "value": 1}, subject={"unit": "diversions", "airport": "UUEE"}),  # none → contradicted
        claim_of("hold1", {"kind": "holding_at_least", "value": 1}, subject={"unit": "holdings", "airport": "UUWW"}),  # one held → supported
        claim_of("hold2", {"kind": "holding_at_least", "value": 2}, subject={"unit": "holdings", "airport": "both"}),  # one < 2 → contradicted
    )
    legs = flighttrace.detect_legs(pts, scn)
    f = flighttrace.evaluate(legs, scn, coverage=daily_coverage(SATURDAYS), points=pts)
    c = f.claims.set_index("claim_id")
    assert c["verdict"].to_dict() == {"div1": "supported", "div2": "inconclusive", "div3": "contradicted", "div-svo": "contradicted",
                                      "hold1": "supported", "hold2": "contradicted"}
    assert "the same hours of 4 baseline weeks show 0.00 on average" in c.loc["hold1", "reason"]
    assert (c["p_detect"] == 1.0).all()
    # without the Saturdays there is nothing to compare with: one holding does not show that flights were delayed, and
    # without the parked aircraft nothing shows that receivers listened at the fields in the other hours of the day
    day = pts[pts["time"] >= DAY].reset_index(drop=True)
    g = flighttrace.evaluate(flighttrace.detect_legs(day, scn), scn, coverage=daily_coverage([DAY]), points=day).claims.set_index("claim_id")
    assert g.loc["hold1", "verdict"] == "inconclusive" and "no baseline week with data to compare with" in g.loc["hold1", "reason"]
    bare = day[~day["icao24"].isin(["1400a0", "1400a1"])].reset_index(drop=True)
    h = flighttrace.evaluate(flighttrace.detect_legs(bare, scn), scn, coverage=daily_coverage([DAY]), points=bare).claims.set_index("claim_id")
    # (the one input file then spans only the three flights: 22 of the day's 24 hours have no data at all)
    assert h.loc["div-svo", "verdict"] == "inconclusive" and "no data at all in 22 of 24 hours" in h.loc["div-svo", "reason"]
    assert (c.loc["div1", "n_observed"], c.loc["div1", "n_unknown"]) == (1, 1)
    assert "landing unseen" in c.loc["div2", "observed"] and c.loc["hold1", "value"] == 1.0
    ev = f.evidence[f.evidence["claim_id"] == "div1"]
    assert sorted(ev["kind"]) == ["diversion", "diversion"] and ev["lineage"].str.startswith("test.json:").all()


def test_a_holding_no_more_than_on_ordinary_days_is_inconclusive_and_listed_as_a_test() -> None:
    # one aircraft held three laps for Vnukovo at 08:00 on the day, and one did so at 08:00 on each of the four Saturdays
    # before it; the parked aircraft show both fields heard all day, every day (p_detect 1, so every week is used)
    holds = [holding_flight(3.0, t0=day + pd.Timedelta(hours=8)).assign(icao24=f"14002{k}") for k, day in enumerate(SATURDAYS)]
    pts = join_tracks(*holds, parked(SATURDAYS))
    scn = disruption_scenario(claim_of("hold1", {"kind": "holding_at_least", "value": 1}, subject={"unit": "holdings", "airport": "UUWW"}))
    f = flighttrace.evaluate(flighttrace.detect_legs(pts, scn), scn, coverage=daily_coverage(SATURDAYS), points=pts)
    c = f.claims.set_index("claim_id").loc["hold1"]
    # by hand: 1 holding on the day, 4 in the same hours of 4 weeks → mean 1.00; P(X ≥ 1 | 1) = 1 − e^−1 = 0.632 > 0.05;
    # P(X ≥ 3 | 1) = 1 − e^−1 (1 + 1 + 1/2) = 0.080 > 0.05, P(X ≥ 4 | 1) = 0.019 ≤ 0.05: 4 or more would stand out
    assert c["verdict"] == "inconclusive" and c["value"] == 1.0
    assert ("1 held with observed or inferred evidence ≥ 1, but no more than on ordinary days: the same hours of 4 baseline weeks "
            "show 1.00 on average (P(≥ 1) = 0.632; 4 or more would stand out)") in c["reason"]
    assert c["plain"] == "Not decided: 1 holding at UUWW, as many as on an ordinary day (1.0 on average in the same hours; 4 would stand out)."
    # the test is a row of the tests table (alone here, so Holm leaves its p as it is) and the reason gives it
    (t,) = f.tests.itertuples()
    assert (t.test, t.claim_id, t.event_ids, t.n_tests) == ("baseline_excess", "hold1", "UUWW", 1)
    assert t.p_value == pytest.approx(1 - math.exp(-1)) and t.p_adjusted == pytest.approx(1 - math.exp(-1)) and not t.significant
    assert t.statistic == "1 seen vs 1 on ordinary days (4 baseline weeks)"
    assert c["reason"].endswith("; p = 0.632; corrected for the 1 tests run (Holm–Bonferroni): 0.632")


def test_the_smallest_detectable_closure_and_holding_count_per_field_and_hour() -> None:
    import dataclasses

    from flighttrace.kinds.disruption.detectable import DETECTABLE_COLUMNS

    # the fields of movement_disruption: a movement every 6 minutes from 06:00 to 21:54 and one at 02:00 on every Saturday
    # (10 an hour by day, 161 a day). Two holdings for Vnukovo at 08:10 on two of the four Saturdays before the day (and one
    # on the day itself, which is no part of its own baseline); a diversion from Sheremetyevo at 10:30 on each of the four.
    base = movement_disruption()
    hold = pd.DataFrame({"airport": ["UUWW"] * 3, "start": pd.to_datetime([SATURDAYS[1] + pd.Timedelta(hours=8, minutes=10),
                                                                           SATURDAYS[2] + pd.Timedelta(hours=8, minutes=10),
                                                                           DAY + pd.Timedelta(hours=8, minutes=20)], utc=True)})
    div = pd.DataFrame({"intended": ["UUEE"] * 4, "time": pd.to_datetime([s + pd.Timedelta(hours=10, minutes=30) for s in SATURDAYS[:4]], utc=True)})
    d = dataclasses.replace(base, holdings=hold, diversions=div, run_cache={})
    t = d.detectable
    assert list(t.columns) == list(DETECTABLE_COLUMNS)
    assert set(t["airport"]) == {"UUWW", "UUEE"} and len(t) == 2 * 24 and (t["baseline_weeks"] == 4).all()
    svo = t[t["airport"] == "UUEE"].set_index(t.loc[t["airport"] == "UUEE", "hour"].dt.hour)
    # T = ln(161 / 0.05) = ln 3220 = 8.077 movements
    assert svo["threshold"].iloc[0] == pytest.approx(math.log(3220)) and svo["movements_per_day"].iloc[0] == pytest.approx(161)
    # at 10 an hour, 8.077 expected take 48.5 min; from 05:00 one empty hour first (108.5); from 02:00 the one movement
    # expected in hour 2, three empty hours, then 7.077 at 10 an hour (42.5 min): 282.5; from midnight two more hours: 402.5
    assert svo.loc[6, "smallest_closure_min"] == 48.5 and svo.loc[21, "smallest_closure_min"] == 48.5
    assert svo.loc[5, "smallest_closure_min"] == 108.5 and svo.loc[2, "smallest_closure_min"] == 282.5 and svo.loc[0, "smallest_closure_min"] == 402.5
    assert math.isnan(svo.loc[22, "smallest_closure_min"])  # nothing expected before the data end: no closure can be shown
    assert (svo.loc[6, "expected_per_hour"], svo.loc[2, "expected_per_hour"], svo.loc[4, "expected_per_hour"]) == (10.0, 1.0, 0.0)
    # a diversion in the 10:00 hour of each Saturday: mean 1; P(X ≥ 3 | 1) = 0.080 > 0.05, P(X ≥ 4 | 1) = 0.019 → 4 stand out
    assert svo.loc[10, "baseline_diversions"] == 1.0 and svo.loc[10, "diversions_stand_out"] == 4 and svo.loc[11, "diversions_stand_out"] == 1
    vko = t[t["airport"] == "UUWW"].set_index(t.loc[t["airport"] == "UUWW", "hour"].dt.hour)
    # two holdings in four weeks at 08:00: mean 0.5; P(X ≥ 2 | 0.5) = 1 − 1.5 e^−0.5 = 0.090, P(X ≥ 3 | 0.5) = 0.014 → 3
    assert vko.loc[8, "baseline_holdings"] == 0.5 and vko.loc[8, "holdings_stand_out"] == 3
    assert vko.loc[9, "baseline_holdings"] == 0.0 and vko.loc[9, "holdings_stand_out"] == 1
    assert vko.loc[6, "smallest_closure_min"] == 48.5  # the stop on the day is not part of the baseline
    assert "detectable" in d.tables() and d.tables()["detectable"] is t


def test_the_panel_s_closure_verdicts_are_the_full_rule_s(monkeypatch: pytest.MonkeyPatch) -> None:
    # Closure claims whose verdicts take every branch (supported, contradicted, inconclusive, one field or both): the
    # panel's verdict-only rule must give the table the full rule gives.
    from flighttrace.kinds.disruption import claims as disruption_claims

    d = movement_disruption()
    claims = [claim_of("vko-30min", {"kind": "closure", "airport": "UUWW", "min_duration": "30min"}),
              claim_of("vko-max", {"kind": "closure", "airport": "UUWW", "min_duration": "30min", "max_duration": "45min"}),
              claim_of("vko-still-shut", {"kind": "closure", "airport": "UUWW", "min_duration": "30min", "reopened": False}),
              claim_of("both-any", {"kind": "closure", "airport": "both", "min_duration": "30min", "require": "any"}),
              claim_of("svo-1h-daytime", {"kind": "closure", "airport": "UUEE", "min_duration": "1h"}, window=DAYTIME)]

    def panel() -> pd.DataFrame:
        return flighttrace.evaluate(NO_LEGS, disruption_scenario(*claims), coverage=daily_coverage(SATURDAYS), given={"disruption": d}).robustness

    fast = panel()
    monkeypatch.setattr(disruption_claims, "VERDICT_RULES", {})
    pd.testing.assert_frame_equal(fast, panel())
    assert set(fast["verdict"]) >= {"supported", "contradicted"} and len(fast) > 20


@pytest.mark.parametrize("unit", ["ns", "us", "s"])
def test_the_runs_of_a_window_are_found_whatever_the_unit_of_the_runs_times(unit: str) -> None:
    # pandas 3 makes µs times by default: a run table in µs (or s) must overlap a window exactly as one in ns does.
    # Runs, by hand: 10:00-11:00 overlaps [10:30, 12:00); 12:00-13:00 starts at the window's end (no); the third has no
    # known end (left out).
    from types import SimpleNamespace

    from flighttrace.kinds.disruption.claims import _runs_in

    t = pd.to_datetime(["2026-03-14T10:00Z", "2026-03-14T12:00Z", "2026-03-14T14:00Z"]).as_unit(unit)
    runs = pd.DataFrame({"last_time": t, "next_time": pd.Series([t[0] + pd.Timedelta(hours=1), t[1] + pd.Timedelta(hours=1), pd.NaT],
                                                                   dtype=t.dtype),
                         "start_latest": t, "end_earliest": pd.Series([pd.NaT] * 3, dtype=t.dtype), "n": [1, 2, 3]})
    ctx, d = SimpleNamespace(cache={}), SimpleNamespace(runs=lambda airport, grades: runs)
    got = _runs_in(ctx, d, "UUEE", pd.Timestamp("2026-03-14T10:30Z"), pd.Timestamp("2026-03-14T12:00Z"), ("observed",))
    assert got["n"].tolist() == [1]
