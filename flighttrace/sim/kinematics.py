"""Simulate flights, receiver coverage and the way each source samples them.

This is the model of a claimed pattern: what the data would look like if the
claim were true. A *schedule* of legs (who flies from where to where, when, by
which waypoints) becomes a 1-second *truth* track per leg; a *coverage model*
(receivers with line-of-sight range, dates of service, drop-outs, MLAT-only
airframes, GNSS spoofing zones) decides which truth points a ground network
could have seen and how; a *sampler* thins the visible points the way each
source records them (readsb trace cadence, OpenSky's 10-second state vectors,
FR24's irregular spacing, an SBS receiver's message stream). Writers in
:mod:`flighttrace.io` then produce real-format files.

Everything is seeded and vectorised per leg (numpy over the leg's samples):
the same schedule and seed give the same points, bit for bit.

Every output of this module is SYNTHETIC. The fixtures built from it say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

from flighttrace.geo import along, bearing_deg, destination_point, haversine_km
from flighttrace.geo import destination as points_at
from flighttrace.schema import TIME_DTYPE
from flighttrace.timeutil import time_ns

__all__ = [
    "quantised_points",
    "WRITER_COLUMNS",
    "Profile",
    "PROFILES",
    "Receiver",
    "SpoofZone",
    "CoverageModel",
    "fly_leg",
    "simulate_truth",
    "observe",
    "sample",
    "KT_PER_KMH",
    "KM_PER_NM",
]

KM_PER_NM: Final = 1.852
"""Kilometres per nautical mile."""
KT_PER_KMH: Final = 1.0 / KM_PER_NM
FT_PER_M: Final = 1.0 / 0.3048
GLIDE_FT_PER_NM: Final = 318.0
"""A 3° glide path: tan(3°) × 6076 ft per nm ≈ 318 ft per nm."""
RADIO_HORIZON_K: Final = 4.12
"""Radio horizon with 4/3 earth: d_km ≈ 4.12 (√h_rx_m + √h_ac_m)."""


@dataclass(frozen=True)
class Profile:
    """Performance of an aircraft type, in aviation units.

    Parameters
    ----------
    typecode
        ICAO type designator.
    cruise_ft
        Usual cruise altitude, ft.
    cruise_kt
        True airspeed in cruise, kt.
    climb_ft_per_nm
        Climb gradient below 10,000 ft, ft per nm (halved above).
    descent_ft_per_nm
        Descent gradient, ft per nm (318 = 3°).
    rotate_kt
        Speed at lift-off, kt.
    approach_kt
        Final approach speed, kt.
    roll_nm
        Take-off roll, nm (0 for a helicopter).
    landing_roll_nm
        Landing roll, nm.
    taxi_kt
        Taxi speed, kt.
    helicopter
        Rotorcraft (uses heliports, no roll).
    """

    typecode: str
    cruise_ft: float
    cruise_kt: float
    climb_ft_per_nm: float = 400.0
    descent_ft_per_nm: float = GLIDE_FT_PER_NM
    rotate_kt: float = 145.0
    approach_kt: float = 140.0
    roll_nm: float = 1.0
    landing_roll_nm: float = 0.8
    taxi_kt: float = 12.0
    helicopter: bool = False


PROFILES: Final[dict[str, Profile]] = {
    "IL76": Profile("IL76", cruise_ft=33000, cruise_kt=430, climb_ft_per_nm=380, rotate_kt=150, approach_kt=145),
    "B744": Profile("B744", cruise_ft=35000, cruise_kt=490, climb_ft_per_nm=350, rotate_kt=165, approach_kt=155, roll_nm=1.3),
    "B738": Profile("B738", cruise_ft=37000, cruise_kt=450, climb_ft_per_nm=420, rotate_kt=150, approach_kt=140),
    "A320": Profile("A320", cruise_ft=36000, cruise_kt=450, climb_ft_per_nm=420, rotate_kt=145, approach_kt=135),
    "AN12": Profile("AN12", cruise_ft=25000, cruise_kt=330, climb_ft_per_nm=450, rotate_kt=120, approach_kt=120, roll_nm=0.8),
    "C172": Profile("C172", cruise_ft=4500, cruise_kt=110, climb_ft_per_nm=500, rotate_kt=55, approach_kt=65, roll_nm=0.15, landing_roll_nm=0.15, taxi_kt=8),
    "EC45": Profile("EC45", cruise_ft=1500, cruise_kt=120, climb_ft_per_nm=600, rotate_kt=0, approach_kt=40, roll_nm=0.0, landing_roll_nm=0.0, taxi_kt=5, helicopter=True),
}
"""Performance profiles by type code (round figures for simulation, not type data)."""


@dataclass(frozen=True)
class Field:
    """An airfield as the simulator needs it."""

    code: str
    lat: float
    lon: float
    elevation_ft: float


def _speed_for_alt(alt_agl: np.ndarray, alt_msl: np.ndarray, prof: Profile) -> np.ndarray:
    """Airspeed as a function of height: approach speed low down, 250 kt below 10,000 ft, cruise above."""
    low = prof.approach_kt + (min(250.0, prof.cruise_kt) - prof.approach_kt) * np.clip(alt_agl / 3000.0, 0, 1)
    hi_frac = np.clip((alt_msl - 10000.0) / max(prof.cruise_ft - 10000.0, 1.0), 0, 1)
    high = min(250.0, prof.cruise_kt) + (prof.cruise_kt - min(250.0, prof.cruise_kt)) * hi_frac
    return np.where(alt_msl < 10000.0, low, np.maximum(low, high))


def fly_leg(
    origin: Field,
    destination: Field,
    off_block: pd.Timestamp,
    *,
    waypoints: Sequence[tuple[float, float]] = (),
    profile: Profile = PROFILES["IL76"],
    cruise_ft: float | None = None,
    taxi_out_s: float = 600.0,
    taxi_in_s: float = 420.0,
    wind_kt: float = 0.0,
    go_around: bool = False,
    step_s: float = 1.0,
) -> pd.DataFrame:
    """The 1-second truth track of one leg, gate to gate.

    Parameters
    ----------
    origin, destination
        Airfields (reference point and elevation).
    off_block
        Start of taxi-out, UTC.
    waypoints
        Route points between the fields, (lat, lon).
    profile
        Aircraft performance.
    cruise_ft
        Cruise altitude, ft (default: the profile's). Short legs level off lower.
    taxi_out_s, taxi_in_s
        Taxi durations, s.
    wind_kt
        Along-track wind above 10,000 ft, kt (positive = tailwind).
    go_around
        Fly a missed approach from 200 ft above the field and land on a
        second approach 8 minutes later.
    step_s
        Time step of the truth, s.

    Returns
    -------
    pandas.DataFrame
        time (UTC), lat, lon, alt_ft (MSL, NaN on the ground), gs_kt,
        track_deg, vrate_fpm, on_ground, phase (taxi_out, takeoff, airborne,
        landing, taxi_in).
    """
    cruise = float(profile.cruise_ft if cruise_ft is None else cruise_ft)
    path = _leg_path(origin, destination, waypoints, profile)
    air = _air_profile(origin, destination, path, profile, cruise, wind_kt)
    grid = np.arange(0.0, air["t"][-1], step_s)
    s_t = np.interp(grid, air["t"], air["s"])
    lat, lon, trk = along(path.lat, path.lon, s_t)
    alt_t = np.interp(grid, air["t"], air["alt"])
    gs_t = np.interp(grid, air["t"], air["tas"])
    gr_t = np.interp(grid, air["t"], air["ground"].astype(float)) > 0.5
    phase = np.where(gr_t & (s_t < path.total_km / 2), "takeoff", np.where(gr_t, "landing", "airborne")).astype(object)
    cols = {"lat": lat, "lon": lon, "alt": alt_t, "gs": gs_t, "trk": trk, "ground": gr_t, "phase": phase}
    if go_around:
        cols = _go_around(cols, destination, path, s_t, profile, step_s)
        grid = np.arange(len(cols["lat"])) * step_s
    taxi_out = _taxi_out(origin, path, profile, taxi_out_s, step_s)
    taxi_in = _taxi_in(destination, path, profile, float(cols["lat"][-1]), float(cols["lon"][-1]), taxi_in_s, step_s)
    n_to, n_ti = len(taxi_out["lat"]), len(taxi_in["lat"])
    t = np.concatenate([np.arange(n_to) * step_s, taxi_out_s + grid, taxi_out_s + grid[-1] + step_s + np.arange(n_ti) * step_s])
    out = pd.DataFrame(
        {
            "time": off_block + pd.to_timedelta(np.round(t * 1000).astype(np.int64), unit="ms"),
            "lat": np.concatenate([taxi_out["lat"], cols["lat"], taxi_in["lat"]]),
            "lon": np.concatenate([taxi_out["lon"], cols["lon"], taxi_in["lon"]]),
            "alt_ft": np.concatenate([np.full(n_to, np.nan), np.where(cols["ground"], np.nan, cols["alt"]), np.full(n_ti, np.nan)]),
            "gs_kt": np.concatenate([taxi_out["gs"], cols["gs"], taxi_in["gs"]]),
            "track_deg": np.concatenate([taxi_out["trk"], cols["trk"], taxi_in["trk"]]),
            "on_ground": np.concatenate([np.ones(n_to, bool), cols["ground"], np.ones(n_ti, bool)]),
            "phase": np.concatenate([np.full(n_to, "taxi_out", dtype=object), cols["phase"], np.full(n_ti, "taxi_in", dtype=object)]),
        }
    )
    alt_for_rate = np.concatenate([np.full(n_to, origin.elevation_ft), cols["alt"], np.full(n_ti, destination.elevation_ft)])
    vr = np.gradient(alt_for_rate, step_s) * 60.0
    out["vrate_fpm"] = np.where(out["on_ground"], 0.0, np.round(vr / 64.0) * 64.0)
    out["time"] = out["time"].astype(TIME_DTYPE)
    return out


@dataclass(frozen=True)
class _Path:
    """A leg's ground path: runway start, route, touchdown point, end of the landing roll."""

    lat: np.ndarray
    lon: np.ndarray
    dep_brg: float
    arr_brg: float
    rs_lat: float
    rs_lon: float
    total_km: float  # runway start → end of the landing roll, km
    lroll_km: float


def _leg_path(origin: Field, destination: Field, waypoints: Sequence[tuple[float, float]], profile: Profile) -> _Path:
    """The path from the start of the take-off roll to the end of the landing roll, with the runway headings."""
    path_lat = np.array([origin.lat] + [w[0] for w in waypoints] + [destination.lat])
    path_lon = np.array([origin.lon] + [w[1] for w in waypoints] + [destination.lon])
    # runway: start the roll 1.5 km from the reference point, opposite to the first leg of the route
    dep_brg = float(bearing_deg(path_lat[0], path_lon[0], path_lat[1], path_lon[1]))
    arr_brg = float(bearing_deg(path_lat[-2], path_lon[-2], path_lat[-1], path_lon[-1]))
    half_rwy_km = 0.0 if profile.helicopter else 1.5
    rs_lat, rs_lon = destination_point(origin.lat, origin.lon, dep_brg + 180.0, half_rwy_km)
    td_lat, td_lon = destination_point(destination.lat, destination.lon, arr_brg + 180.0, half_rwy_km * 0.6)
    path_lat[0], path_lon[0] = rs_lat, rs_lon
    path_lat[-1], path_lon[-1] = td_lat, td_lon
    total_km = float(np.sum(haversine_km(path_lat[:-1], path_lon[:-1], path_lat[1:], path_lon[1:])))
    lroll_km = profile.landing_roll_nm * KM_PER_NM
    total_km += lroll_km
    # extend the path beyond the touchdown point for the landing roll
    end_lat, end_lon = destination_point(td_lat, td_lon, arr_brg, lroll_km)
    return _Path(np.append(path_lat, end_lat), np.append(path_lon, end_lon), dep_brg, arr_brg, rs_lat, rs_lon, total_km, lroll_km)


def _air_profile(origin: Field, destination: Field, path: _Path, profile: Profile, cruise: float, wind_kt: float) -> dict[str, np.ndarray]:
    """Along the path every 50 m: distance ``s`` (km), time ``t`` (s), altitude, true airspeed, on the ground."""
    total_km, lroll_km = path.total_km, path.lroll_km
    roll_km = profile.roll_nm * KM_PER_NM
    ds_km = 0.05
    s = np.arange(0.0, total_km + ds_km, ds_km)
    s[-1] = min(s[-1], total_km)
    s_nm = s / KM_PER_NM
    td_nm = (total_km - lroll_km) / KM_PER_NM
    lo_nm = roll_km / KM_PER_NM
    g1 = profile.climb_ft_per_nm
    climb_agl = np.where(s_nm <= lo_nm, 0.0, (s_nm - lo_nm) * g1)
    climb_agl = np.where(climb_agl > 10000.0, 10000.0 + (climb_agl - 10000.0) * 0.5, climb_agl)
    climb = origin.elevation_ft + climb_agl
    desc = destination.elevation_ft + np.maximum(td_nm - s_nm, 0.0) * profile.descent_ft_per_nm
    alt = np.minimum(np.minimum(climb, desc), cruise)
    ground = (s_nm <= lo_nm) | (s_nm >= td_nm)
    field_elev = np.where(s_nm < td_nm / 2, origin.elevation_ft, destination.elevation_ft)
    agl = np.maximum(alt - field_elev, 0.0)
    tas = _speed_for_alt(agl, alt, profile)
    tas = np.where(alt > 10000.0, tas + wind_kt, tas)
    # take-off roll: v² = v0² + 2 a s; landing roll: decelerate to taxi speed
    if lo_nm > 0:
        a_to = (profile.rotate_kt**2 - profile.taxi_kt**2) / (2 * lo_nm)
        tas = np.where(s_nm <= lo_nm, np.sqrt(profile.taxi_kt**2 + 2 * a_to * np.clip(s_nm, 0, None)), tas)
    lroll_nm = lroll_km / KM_PER_NM
    if lroll_nm > 0:
        a_ld = (profile.approach_kt**2 - profile.taxi_kt**2) / (2 * lroll_nm)
        tas = np.where(s_nm >= td_nm, np.sqrt(np.maximum(profile.approach_kt**2 - 2 * a_ld * (s_nm - td_nm), profile.taxi_kt**2)), tas)
    tas = np.maximum(tas, profile.taxi_kt)
    seg_h = np.diff(s_nm) / (0.5 * (tas[1:] + tas[:-1]))
    return {"s": s, "t": np.concatenate([[0.0], np.cumsum(seg_h) * 3600.0]), "alt": alt, "tas": tas, "ground": ground}


def _go_around(cols: dict[str, np.ndarray], destination: Field, path: _Path, s_t: np.ndarray, profile: Profile, step_s: float) -> dict[str, np.ndarray]:
    """A missed approach: at 200 ft above the field, climb back to 3,000 ft, fly an 8-minute circuit, rejoin."""
    agl_t = cols["alt"] - destination.elevation_ft
    idx = np.flatnonzero((agl_t < 200.0) & (s_t > path.total_km / 2))
    if not len(idx):
        return cols
    i0 = int(idx[0])
    circuit = int(480 / step_s)
    up = np.linspace(0, 1, circuit)
    arr_brg, lat, lon = path.arr_brg, cols["lat"], cols["lon"]
    # straight out along the runway heading, then a teardrop back to the approach
    la, lo = points_at(np.full(circuit, lat[i0]), np.full(circuit, lon[i0]), np.full(circuit, arr_brg), 12.0 * np.sin(np.pi * up))
    ga_lat, ga_lon = points_at(la, lo, np.full(circuit, arr_brg + 90.0), 3.0 * np.sin(2 * np.pi * up))
    inserted = {
        "lat": ga_lat, "lon": ga_lon,
        "alt": destination.elevation_ft + 200.0 + (3000.0 - 200.0) * np.sin(np.pi * up),
        "gs": np.full(circuit, profile.approach_kt + 40.0),
        "trk": np.mod(arr_brg + np.where(up < 0.5, 0.0, 180.0), 360.0),
        "ground": np.zeros(circuit, bool),
        "phase": np.full(circuit, "go_around", dtype=object),
    }
    back = i0 - circuit // 8
    return {k: np.concatenate([v[: i0 + 1], inserted[k], v[back:]]) for k, v in cols.items()}


def _taxi_out(origin: Field, path: _Path, profile: Profile, taxi_out_s: float, step_s: float) -> dict[str, np.ndarray]:
    """From a stand 900 m from the reference point to the runway start."""
    n_to = max(int(taxi_out_s / step_s), 1)
    stand_lat, stand_lon = destination_point(origin.lat, origin.lon, path.dep_brg + 90.0, 0.9 if not profile.helicopter else 0.05)
    f = np.linspace(0.0, 1.0, n_to)
    return {
        "lat": stand_lat + (path.rs_lat - stand_lat) * f,
        "lon": stand_lon + (path.rs_lon - stand_lon) * f,
        "trk": np.full(n_to, float(bearing_deg(stand_lat, stand_lon, path.rs_lat, path.rs_lon))),
        "gs": np.where((f > 0.05) & (f < 0.95), profile.taxi_kt, 0.0),
    }


def _taxi_in(destination: Field, path: _Path, profile: Profile, lat0: float, lon0: float, taxi_in_s: float, step_s: float) -> dict[str, np.ndarray]:
    """From the end of the landing roll (lat0, lon0) to a stand."""
    n_ti = max(int(taxi_in_s / step_s), 1)
    ti_end_lat, ti_end_lon = destination_point(destination.lat, destination.lon, path.arr_brg - 90.0, 0.9 if not profile.helicopter else 0.05)
    g = np.linspace(0.0, 1.0, n_ti)
    return {
        "lat": lat0 + (ti_end_lat - lat0) * g,
        "lon": lon0 + (ti_end_lon - lon0) * g,
        "trk": np.full(n_ti, float(bearing_deg(lat0, lon0, ti_end_lat, ti_end_lon))),
        "gs": np.where(g < 0.95, profile.taxi_kt, 0.0),
    }


# --------------------------------------------------------------------------- schedules → truth


SCHEDULE_COLUMNS: Final = (
    "leg_id", "icao24", "callsign", "registration", "typecode", "origin", "destination", "off_block",
)
"""Required columns of a schedule; optional: waypoints, cruise_ft, taxi_out_s, taxi_in_s, wind_kt, go_around, squawk, tags."""


def simulate_truth(schedule: pd.DataFrame, fields: dict[str, Field], *, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fly every leg of a schedule.

    Parameters
    ----------
    schedule
        One row per leg (see :data:`SCHEDULE_COLUMNS`).
    fields
        Airfields by code.
    seed
        Seed for the per-leg variations (taxi times, wind) when the schedule
        does not fix them.

    Returns
    -------
    truth : pandas.DataFrame
        1-second truth points of every leg, with ``leg_id``, identity columns
        and ``phase``.
    legs : pandas.DataFrame
        The schedule with the true takeoff and landing times added
        (``takeoff_time``, ``landing_time``, ``on_block``).
    """
    missing = [c for c in SCHEDULE_COLUMNS if c not in schedule.columns]
    if missing:
        raise ValueError(f"schedule lacks column(s): {', '.join(missing)}")
    frames = []
    legs = schedule.copy().reset_index(drop=True)
    takeoff, landing, on_block = [], [], []
    for i, (_, leg) in enumerate(legs.iterrows()):  # one iteration per leg (the index is 0..n-1); each leg is computed on whole arrays
        rng = np.random.default_rng([seed, i])
        prof = PROFILES[str(leg["typecode"])] if str(leg["typecode"]) in PROFILES else PROFILES["IL76"]
        def opt(name: str, default: float, leg: pd.Series = leg) -> float:
            v = leg.get(name, None)
            return float(default) if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)
        tr = fly_leg(
            fields[str(leg["origin"])],
            fields[str(leg["destination"])],
            pd.Timestamp(leg["off_block"]).round("s"),
            waypoints=list(leg["waypoints"]) if "waypoints" in leg and isinstance(leg["waypoints"], (list, tuple)) else [],
            profile=prof,
            cruise_ft=opt("cruise_ft", prof.cruise_ft),
            taxi_out_s=float(round(opt("taxi_out_s", float(rng.uniform(420, 900))))),
            taxi_in_s=float(round(opt("taxi_in_s", float(rng.uniform(300, 600))))),
            wind_kt=opt("wind_kt", float(rng.normal(0, 20))),
            go_around=bool(leg.get("go_around", False) is True),
        )
        tr.insert(0, "leg_id", leg["leg_id"])
        for c in ("icao24", "callsign", "registration", "typecode"):
            tr[c] = leg[c]
        tr["squawk"] = leg.get("squawk", None) if isinstance(leg.get("squawk", None), str) else f"{rng.integers(1, 7777):04o}"[-4:]
        air = tr.index[~tr["on_ground"].to_numpy()]
        takeoff.append(tr.loc[air[0], "time"] if len(air) else pd.NaT)
        landing.append(tr.loc[air[-1], "time"] if len(air) else pd.NaT)
        on_block.append(tr["time"].iloc[-1])
        frames.append(tr)
    legs["takeoff_time"] = pd.Series(takeoff, dtype=TIME_DTYPE)
    legs["landing_time"] = pd.Series(landing, dtype=TIME_DTYPE)
    legs["on_block"] = pd.Series(on_block, dtype=TIME_DTYPE)
    truth = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return truth, legs


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Receiver:
    """A ground receiver.

    Parameters
    ----------
    id
        Name.
    lat, lon
        Position, deg.
    height_m
        Antenna height above the terrain around it, m (sets the radio horizon).
    start, end
        Dates of service (UTC); ``None`` = always.
    max_km
        Hard range limit, km (receiver sensitivity), whatever the horizon.
    """

    id: str
    lat: float
    lon: float
    height_m: float = 30.0
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    max_km: float = 450.0


@dataclass(frozen=True)
class SpoofZone:
    """GNSS spoofing: inside a box, after a date, positions jump to a false place.

    Parameters
    ----------
    south, north, west, east
        The affected area, deg.
    start
        From when (UTC).
    target
        (lat, lon) the spoofed positions cluster around.
    spread_km
        Scatter of the false positions, km.
    drop_altitude
        Spoofed reports carry no altitude (as seen in the 2024 "Beirut diversions").
    """

    south: float
    north: float
    west: float
    east: float
    start: pd.Timestamp
    target: tuple[float, float]
    spread_km: float = 3.0
    drop_altitude: bool = True


@dataclass(frozen=True)
class CoverageModel:
    """Which truth points a receiver network could have seen, and how.

    Parameters
    ----------
    receivers
        The network.
    dropout
        Probability that a visible point is missed anyway (fading, load).
    mlat_hexes
        Airframes whose position is never broadcast (no ADS-B position):
        seen only where at least ``mlat_min_receivers`` receivers hear them,
        as MLAT, with ``mlat_noise_m`` scatter.
    mlat_min_receivers
        Receivers needed for an MLAT fix.
    mlat_noise_m, adsb_noise_m
        1-sigma position noise, m.
    spoof
        Spoofing zones.
    outages
        (start, end) UTC ranges with no data at all (archive gaps).
    """

    receivers: tuple[Receiver, ...]
    dropout: float = 0.02
    mlat_hexes: frozenset[str] = frozenset()
    mlat_min_receivers: int = 3
    mlat_noise_m: float = 150.0
    adsb_noise_m: float = 8.0
    spoof: tuple[SpoofZone, ...] = ()
    outages: tuple[tuple[pd.Timestamp, pd.Timestamp], ...] = ()


def _receivers_hearing(truth: pd.DataFrame, model: CoverageModel, field_elev_ft: np.ndarray) -> np.ndarray:
    """Number of receivers in line of sight of each truth point."""
    n = len(truth)
    count = np.zeros(n, dtype=np.int16)
    lat = truth["lat"].to_numpy()
    lon = truth["lon"].to_numpy()
    alt = truth["alt_ft"].to_numpy()
    # height above the terrain: above field elevation when airborne, 3 m on the ground
    h_ac_m = np.where(np.isnan(alt), 3.0, np.maximum((alt - field_elev_ft) / FT_PER_M, 3.0))
    t = truth["time"]
    for r in model.receivers:  # one pass per receiver, vectorised over points
        active = np.ones(n, dtype=bool)
        if r.start is not None:
            active &= (t >= r.start).to_numpy()
        if r.end is not None:
            active &= (t < r.end).to_numpy()
        horizon = RADIO_HORIZON_K * (np.sqrt(r.height_m) + np.sqrt(h_ac_m))
        d = haversine_km(lat, lon, r.lat, r.lon)
        count += (active & (d <= np.minimum(horizon, r.max_km))).astype(np.int16)
    return count


def observe(truth: pd.DataFrame, model: CoverageModel, *, field_elev_ft: np.ndarray | None = None, seed: int = 0) -> pd.DataFrame:
    """Apply the coverage model: keep what the network could see, with noise and spoofing.

    Parameters
    ----------
    truth
        Truth points (from :func:`simulate_truth`).
    model
        The receiver network and its faults.
    field_elev_ft
        Terrain elevation under each point, ft (default: 0).
    seed
        Seed for drop-outs and noise.

    Returns
    -------
    pandas.DataFrame
        The visible points, with ``position_source`` (adsb / mlat),
        ``n_receivers``, ``spoofed`` and noisy positions. Truth columns are
        kept (``truth_lat``, ``truth_lon``) for checking.
    """
    rng = np.random.default_rng(seed)
    n = len(truth)
    elev = np.zeros(n) if field_elev_ft is None else np.asarray(field_elev_ft, dtype=float)
    heard = _receivers_hearing(truth, model, elev)
    hexes = truth["icao24"].astype(str).to_numpy()
    mlat_only = np.isin(hexes, list(model.mlat_hexes)) if model.mlat_hexes else np.zeros(n, bool)
    visible = np.where(mlat_only, heard >= model.mlat_min_receivers, heard >= 1)
    visible &= rng.random(n) >= model.dropout
    t = truth["time"]
    for a, b in model.outages:
        visible &= ~((t >= a) & (t < b)).to_numpy()
    out = truth.loc[visible].copy()
    out["truth_lat"] = out["lat"]
    out["truth_lon"] = out["lon"]
    m = mlat_only[visible]
    noise_m = np.where(m, model.mlat_noise_m, model.adsb_noise_m)
    k = len(out)
    dlat = rng.normal(0, 1, k) * noise_m / 111_320.0
    dlon = rng.normal(0, 1, k) * noise_m / (111_320.0 * np.maximum(np.cos(np.radians(out["lat"].to_numpy())), 0.1))
    out["lat"] = out["lat"].to_numpy() + dlat
    out["lon"] = out["lon"].to_numpy() + dlon
    out["position_source"] = np.where(m, "mlat", "adsb")
    out["n_receivers"] = heard[visible]
    spoofed = np.zeros(k, dtype=bool)
    for z in model.spoof:
        inside = (
            (out["truth_lat"].between(z.south, z.north) & out["truth_lon"].between(z.west, z.east)).to_numpy()
            & (out["time"] >= z.start).to_numpy()
            & (out["position_source"] == "adsb").to_numpy()
        )
        if inside.any():
            j = np.flatnonzero(inside)
            lat_col, lon_col, alt_col = (int(c) for c in out.columns.get_indexer(pd.Index(["lat", "lon", "alt_ft"])))
            out.iloc[j, lat_col] = z.target[0] + rng.normal(0, z.spread_km / 111.32, len(j))
            out.iloc[j, lon_col] = z.target[1] + rng.normal(0, z.spread_km / 92.0, len(j))
            if z.drop_altitude:
                out.iloc[j, alt_col] = np.nan
            spoofed |= inside
    out["spoofed"] = spoofed
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- sampling per source

Source = Literal["readsb", "opensky", "fr24", "sbs"]

READSB_INTERVAL_S: Final = 20.0
"""readsb writes a trace point at least every 20 s (``--json-trace-interval``)."""
READSB_MANOEUVRE_S: Final = 6.0
"""…and more often while climbing, descending, turning or moving on the ground."""
READSB_STALE_S: Final = 15.0
"""A point is stale when the previous reliable position is older than this (readsb TRACE_STALE)."""
OPENSKY_STEP_S: Final = 10.0
"""OpenSky historical state vectors: one row per aircraft every 10 s."""


def sample(observed: pd.DataFrame, source: Source, *, seed: int = 0) -> pd.DataFrame:
    """Thin visible points the way a source records them.

    Parameters
    ----------
    observed
        Output of :func:`observe` (several aircraft allowed).
    source
        ``"readsb"``: a point every 20 s, every 6 s in manoeuvres, stale flag
        after a reception gap > 15 s. ``"opensky"``: 10-second grid.
        ``"fr24"``: irregular 8–60 s spacing, denser near the ground.
        ``"sbs"``: every visible second (one receiver's message stream).
    seed
        Seed for FR24's irregular spacing.

    Returns
    -------
    pandas.DataFrame
        The sampled points with ``stale`` and ``new_leg`` flags.
    """
    if len(observed) == 0:
        out = observed.copy()
        out["stale"] = pd.Series(dtype=bool)
        out["new_leg"] = pd.Series(dtype=bool)
        return out
    df = observed.sort_values(["icao24", "time"], kind="stable").reset_index(drop=True)
    t = time_ns(df["time"]) / 1e9
    hexes = df["icao24"].astype(str).to_numpy()
    new_ac = np.ones(len(df), dtype=bool)
    new_ac[1:] = hexes[1:] != hexes[:-1]
    gap = np.diff(t, prepend=np.nan)
    gap[new_ac] = np.inf
    if source == "readsb":
        manoeuvre = (np.abs(df["vrate_fpm"].fillna(0).to_numpy()) > 300) | (df["on_ground"].to_numpy() & (df["gs_kt"].to_numpy() > 1))
        step = np.where(manoeuvre, READSB_MANOEUVRE_S, READSB_INTERVAL_S)
        keep = _keep_every(t, new_ac | (gap > READSB_STALE_S), step)
    elif source == "opensky":
        # the first visible position in each 10-second slot of the state-vector grid
        slot = np.floor(t / OPENSKY_STEP_S).astype(np.int64)
        keep = new_ac.copy()
        keep[1:] |= slot[1:] != slot[:-1]
    elif source == "fr24":
        rng = np.random.default_rng(seed)
        low = df["on_ground"].to_numpy() | (df["alt_ft"].fillna(0).to_numpy() < 5000)
        step = np.where(low, rng.uniform(5, 15, len(df)), rng.uniform(15, 60, len(df)))
        keep = _keep_every(t, new_ac, step)
    elif source == "sbs":
        keep = np.ones(len(df), dtype=bool)
    else:
        raise ValueError(f"unknown source {source!r}")
    out = df.loc[keep].reset_index(drop=True)
    # stale: no position was received for more than 15 s before this one (a reception gap, not the
    # trace interval); readsb and OpenSky say so, FR24 does not
    rx_gap = gap[keep]
    out["stale"] = (rx_gap > READSB_STALE_S) & np.isfinite(rx_gap) & (source in ("readsb", "opensky"))
    # readsb marks a new leg after a long reception gap on the ground (a heuristic; see formats.md §1.5)
    og = out["on_ground"].to_numpy()
    out["new_leg"] = (source == "readsb") & np.isfinite(rx_gap) & (rx_gap > 25 * 60) & og
    return out


def _keep_every(t: np.ndarray, reset: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Keep a point when ``step`` seconds have passed since the last kept one (or at a reset).

    The greedy choice depends on the previous kept point, so it runs as a
    cumulative scan over bins rather than a Python loop: points are binned by
    elapsed time since each reset, and the first point of every new bin is kept.
    """
    seg = np.cumsum(reset)
    idx = np.flatnonzero(reset)
    # variable step: integrate 1/step so that a bin is one step long wherever it falls
    rate = 1.0 / np.maximum(step, 1e-3)
    dt = np.diff(t, prepend=t[0])
    dt[reset] = 0.0
    phase = np.cumsum(dt * rate)
    base = phase[idx][seg - 1]
    bins = np.floor(phase - base + 1e-9).astype(np.int64)
    keep = np.ones(len(t), dtype=bool)
    keep[1:] = (bins[1:] != bins[:-1]) | (seg[1:] != seg[:-1])
    keep |= reset
    return keep


WRITER_COLUMNS: Final = ("icao24", "time", "lat", "lon", "alt_ft", "on_ground", "gs_kt", "track_deg", "vrate_fpm", "callsign", "squawk",
                          "registration", "typecode", "position_source", "stale", "new_leg")
"""The Points columns the simulator's writers take."""


def quantised_points(df: pd.DataFrame, *, speeds: bool = True) -> pd.DataFrame:
    """Simulated points with the columns the writers take, quantised as the sources quantise them, sorted by aircraft and time.

    Positions to ~1 m and altitudes to 25 ft; with ``speeds`` also ground
    speed to 0.1 kt, track to 0.1° and vertical rate to 64 ft/min.
    """
    out = df[list(WRITER_COLUMNS)].copy()
    out["on_ground"] = out["on_ground"].astype("boolean")
    out["lat"] = out["lat"].round(5)
    out["lon"] = out["lon"].round(5)
    out["alt_ft"] = (out["alt_ft"] / 25.0).round() * 25.0
    if speeds:
        out["gs_kt"] = out["gs_kt"].round(1)
        out["track_deg"] = out["track_deg"].round(1)
        out["vrate_fpm"] = (out["vrate_fpm"] / 64.0).round() * 64.0
    return out.sort_values(["icao24", "time"], kind="stable").reset_index(drop=True)


def schedule_frame(rows: Iterable[dict[str, object]]) -> pd.DataFrame:
    """Build a schedule DataFrame from dicts, with ``off_block`` as UTC times."""
    df = pd.DataFrame(list(rows))
    if len(df):
        df["off_block"] = pd.to_datetime(df["off_block"], utc=True).astype(TIME_DTYPE)
    return df
