"""Build a disruption scenario's simulated ADS-B world: terminal-area traffic, closures, holding, diversions.

The world is what the data would look like if the *confirmed* reports were
true. Scheduled traffic at the scenario's airports is flown on the same
weekday for the ``baseline_weeks`` weeks before the day and on the day
itself; on the day, the fields that an enforced closure claim names
(``record`` published or second-hand) close for the spec's windows, and the
traffic reacts the way it does under such restrictions:

- arrivals due shortly after a closure starts fly to a holding fix and
  circle (a *holding stack*: several aircraft at one fix, 1,000 ft apart);
  those whose closure ends within ``max_hold_s`` land after it, the others
  leave the stack for an alternate;
- an aircraft on short final when its field closes goes around, then holds
  or diverts;
- arrivals due later in a closure are either held at their origin (they
  arrive late, after the reopening) or divert en route to an alternate;
- departures due during a closure wait on the ground and leave after it;
- the open field (SVO here) takes some diverted aircraft and holds a few of
  its own arrivals in the congestion.

Claims marked ``unconfirmed`` or ``disputed`` are not enforced: the "all four
airports closed" of the seed article leaves SVO open, so the analysis can
find it contradicted.

Only the terminal area is flown: arrivals from ``entry_km`` out, departures
until ``entry_km`` out, and diverted aircraft all the way to their alternate
(or until they leave the receivers' range). A receiver network around Moscow
and at the alternates sees them; OpenSky state vectors are written as hourly
Parquet files (``data/opensky/states_YYYY-MM-DD-HH.parquet``), as OpenSky's
own dumps are, with one archive hour missing in a baseline week.
``truth/`` beside ``data/`` holds every leg, movement, closure, diversion,
holding and go-around as flown.

EVERYTHING WRITTEN HERE IS SYNTHETIC. ``synthetic.json`` at the world's root
lists every file with its SHA-256; :func:`flighttrace.read` marks those files
as synthetic in its manifest.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace._progress import Progress, ProgressArg
from flighttrace._version import __version__
from flighttrace.csvsafe import write_csv
from flighttrace.geo import along, bearing_deg, destination_point, haversine_km
from flighttrace.outdir import output_folder
from flighttrace.sim.kinematics import KM_PER_NM, CoverageModel, Receiver, observe, quantised_points, sample

__all__ = ["AirportPlan", "DisruptionWorldSpec", "MOSCOW_SPEC", "build_disruption_world"]

SYNTHETIC_MANIFEST: Final = "synthetic.json"
EARTH_KM_PER_DEG: Final = 111.195
"""Kilometres per degree of latitude."""
KMH_PER_KT: Final = KM_PER_NM


def _ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s, tz="UTC")


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class AirportPlan:
    """A field's traffic in the simulated world.

    Parameters
    ----------
    code
        ICAO code.
    rotations
        Scheduled rotations (an arrival, then a departure of the same
        aircraft) per day.
    runway_deg
        Landing and take-off direction of the runway in use (deg true).
    operators
        Callsign prefixes of the airlines based there (ICAO designators).
    first_hour, last_hour
        Local hours (report zone) between which arrivals are scheduled.
    hold_fixes
        Bearings (deg) from the field of its holding fixes.
    """

    code: str
    rotations: int
    runway_deg: float
    operators: tuple[str, ...]
    first_hour: float = 0.7
    last_hour: float = 23.3
    hold_fixes: tuple[float, ...] = (45.0, 135.0, 225.0, 315.0)


@dataclass(frozen=True)
class DisruptionWorldSpec:
    """What the simulated disruption world contains, apart from what the scenario fixes.

    Parameters
    ----------
    day
        Start (UTC) of the local day of the disruption.
    baseline_weeks
        The same weekday in this many previous weeks is flown as the baseline.
    seed
        Seed of every random choice.
    tz
        Local zone of the schedule.
    airports
        Traffic of the watched fields (closures happen among these).
    alternates
        Traffic of the alternates (they also receive diversions).
    closures
        Field → closure windows on the day (UTC start, end).
    divert_to
        Field → alternates its diverted aircraft go to, with weights.
    beyond_coverage
        Field (ICAO) far away, beyond the receivers, where one diverted
        aircraft per closed field heads after its go-around (its landing is
        never seen).
    receivers
        The ground network.
    missing_hours
        UTC hours with no archive file (a gap in the dump).
    entry_km
        Arrivals appear, and departures are left, this far from the field (km).
    max_hold_s
        Longest holding before an aircraft leaves for an alternate (s).
    hold_window_s
        Arrivals due within this long after a closure starts go to the
        holding stack; later ones are delayed at origin or divert en route (s).
    delayed_share
        Share of the later arrivals held at their origin (they land after
        the reopening); the rest divert en route.
    congestion_holds
        Arrivals at the open field held in the congestion on the day.
    baseline_holds
        Arrivals at the open field held on each baseline day (ordinary traffic).
    baseline_go_arounds
        Go-arounds (then a landing) at the open field on each baseline day.
    cancel_share
        Share of rotations cancelled at random on any day.
    jitter_s
        Standard deviation of the scheduled times from week to week (s).
    overflights_per_hour
        High overflights across the region per hour (background traffic).
    """

    day: pd.Timestamp
    baseline_weeks: int
    seed: int
    tz: str
    airports: tuple[AirportPlan, ...]
    alternates: tuple[AirportPlan, ...]
    closures: dict[str, tuple[tuple[pd.Timestamp, pd.Timestamp], ...]]
    divert_to: dict[str, tuple[tuple[str, float], ...]]
    beyond_coverage: str
    receivers: tuple[Receiver, ...]
    missing_hours: tuple[pd.Timestamp, ...] = ()
    entry_km: float = 110.0
    max_hold_s: float = 2400.0
    hold_window_s: float = 1500.0
    delayed_share: float = 0.5
    congestion_holds: int = 5
    baseline_holds: int = 1
    baseline_go_arounds: int = 1
    cancel_share: float = 0.03
    jitter_s: float = 300.0
    overflights_per_hour: int = 1
    open_field: str = "UUEE"
    operator_hex_base: dict[str, int] = field(default_factory=dict)


_MOSCOW_RX: Final = (
    Receiver("moscow-centre", 55.755, 37.617, 80.0, max_km=250.0),
    Receiver("svo", 55.985, 37.43, 30.0, max_km=250.0),
    Receiver("dme", 55.42, 37.89, 30.0, max_km=250.0),
    Receiver("vko", 55.60, 37.28, 30.0, max_km=250.0),
    Receiver("zia", 55.56, 38.13, 30.0, max_km=250.0),
    Receiver("kaluga", 54.56, 36.35, 30.0, max_km=250.0),
    Receiver("yaroslavl", 57.56, 40.14, 30.0, max_km=250.0),
    Receiver("nizhny", 56.23, 43.77, 30.0, max_km=250.0),
)

MOSCOW_SPEC: Final = DisruptionWorldSpec(
    day=_ts("2026-03-13T21:00"),
    baseline_weeks=4,
    seed=20260314,
    tz="Europe/Moscow",
    airports=(
        AirportPlan("UUEE", 88, 246.0, ("AFL", "SDM", "SBI")),
        AirportPlan("UUDD", 44, 318.0, ("SBI", "UTA", "RWZ")),
        AirportPlan("UUWW", 44, 196.0, ("PBD", "UTA", "SDM")),
        AirportPlan("UUBW", 20, 300.0, ("RWZ", "UTA"), first_hour=6.5, last_hour=21.5, hold_fixes=(90.0, 180.0)),
    ),
    alternates=(
        AirportPlan("UUBC", 2, 260.0, ("UTA",), first_hour=8.0, last_hour=20.0, hold_fixes=(0.0,)),
        AirportPlan("UUDL", 2, 230.0, ("UTA", "RWZ"), first_hour=8.0, last_hour=20.0, hold_fixes=(0.0,)),
        AirportPlan("UWGG", 4, 180.0, ("AFL", "SBI"), first_hour=7.0, last_hour=21.0, hold_fixes=(0.0,)),
    ),
    closures={
        "UUWW": ((_ts("2026-03-14T06:10"), _ts("2026-03-14T08:55")), (_ts("2026-03-14T13:20"), _ts("2026-03-14T15:20"))),
        "UUDD": ((_ts("2026-03-14T06:40"), _ts("2026-03-14T09:25")),),
        "UUBW": ((_ts("2026-03-14T05:30"), _ts("2026-03-14T12:10")),),
    },
    divert_to={
        "UUWW": (("UUBC", 0.45), ("UUEE", 0.35), ("UWGG", 0.2)),
        "UUDD": (("UWGG", 0.4), ("UUEE", 0.35), ("UUDL", 0.25)),
        "UUBW": (("UUDL", 0.5), ("UUEE", 0.5)),
    },
    beyond_coverage="ULLI",
    receivers=_MOSCOW_RX,
    missing_hours=(_ts("2026-02-28T09:00"),),
)
"""The settings of the shipped Moscow, 14 March 2026 world (all times UTC; the local day is Moscow time)."""

# weights of scheduled arrivals by local hour (0–23)
_PROFILE: Final = np.array([0.25, 0.1, 0.0, 0.0, 0.1, 0.4, 0.9, 1.2, 1.2, 1.0, 1.0, 1.0,
                            1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2, 1.2, 1.1, 1.0, 0.8, 0.5])
_TYPES: Final = ("A320", "A321", "B738", "SU95", "A319")
_HOLD_KT: Final = 220.0
_TURN_DEG_S: Final = 3.0
_HOLD_LEG_S: Final = 60.0
_ALT_STACK_FT: Final = (7000.0, 8000.0, 9000.0, 10000.0, 11000.0, 12000.0)


# --------------------------------------------------------------------------- geometry and flying


@dataclass(frozen=True)
class _Field:
    code: str
    lat: float
    lon: float
    elev: float
    rwy: float


def _fields(codes: list[str]) -> dict[str, _Field]:
    from flighttrace.reference.airports import AirportIndex

    idx = AirportIndex.default()
    out = {}
    for c in codes:
        a = idx.get(c)
        out[a.code] = _Field(a.code, float(a.lat), float(a.lon), 0.0 if np.isnan(a.elevation_ft) else float(a.elevation_ft), 0.0)
    return out


def _off(lat: float, lon: float, brg: float, km: float) -> tuple[float, float]:
    return destination_point(lat, lon, brg % 360.0, km)


@dataclass
class _V:
    """A vertex of a flight path: position, altitude (MSL, ft), speed (kt), on the ground, phase."""

    lat: float
    lon: float
    alt: float
    kt: float
    ground: bool = False
    phase: str = "airborne"


def _local_xy(lat0: float, lon0: float, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (lon - lon0) * EARTH_KM_PER_DEG * math.cos(math.radians(lat0)), (lat - lat0) * EARTH_KM_PER_DEG


def _from_xy(lat0: float, lon0: float, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return lat0 + y / EARTH_KM_PER_DEG, lon0 + x / (EARTH_KM_PER_DEG * math.cos(math.radians(lat0)))


def _racetrack(fix: tuple[float, float], inbound_deg: float, laps: int, alt: float, phase: str = "holding", leg_s: float = _HOLD_LEG_S) -> list[_V]:
    """Vertices of ``laps`` right-hand laps of a holding pattern (legs of ``leg_s``) ending over ``fix`` on ``inbound_deg``."""
    v_kmh = _HOLD_KT * KMH_PER_KT
    r = v_kmh / 3600.0 / math.radians(_TURN_DEG_S)  # km
    leg = v_kmh / 3600.0 * leg_s
    out: list[_V] = []
    x, y, th = 0.0, 0.0, inbound_deg  # at the fix, heading inbound

    def d(h: float) -> tuple[float, float]:
        return math.sin(math.radians(h)), math.cos(math.radians(h))

    for _ in range(laps):  # one racetrack per lap
        for _half in range(2):
            cx, cy = x + r * d(th + 90)[0], y + r * d(th + 90)[1]
            for k in range(1, 13):  # a 180° right turn in 15° steps
                phi = th + 15.0 * k
                px, py = cx - r * d(phi + 90)[0], cy - r * d(phi + 90)[1]
                lat, lon = _from_xy(fix[0], fix[1], np.array([px]), np.array([py]))
                out.append(_V(float(lat[0]), float(lon[0]), alt, _HOLD_KT, False, phase))
            th = (th + 180.0) % 360.0
            x, y = cx - r * d(th + 90)[0], cy - r * d(th + 90)[1]
            x, y = x + leg * d(th)[0], y + leg * d(th)[1]
            lat, lon = _from_xy(fix[0], fix[1], np.array([x]), np.array([y]))
            out.append(_V(float(lat[0]), float(lon[0]), alt, _HOLD_KT, False, phase))
    return out


def _lap_s(leg_s: float = _HOLD_LEG_S) -> float:
    return 2 * leg_s + 2 * 180.0 / _TURN_DEG_S


def _approach(f: _Field, come_from: tuple[float, float]) -> list[_V]:
    """From an intermediate point 30 km out (on the side nearer ``come_from``) to the stand."""
    back = f.rwy + 180.0
    sides = [_off(f.lat, f.lon, back + s, 30.0) for s in (-40.0, 40.0)]
    dists = [float(haversine_km(come_from[0], come_from[1], a, b)) for a, b in sides]
    w = sides[int(np.argmin(dists))]
    fa = _off(f.lat, f.lon, back, 18.0)
    thr = _off(f.lat, f.lon, back, 1.5)
    td = _off(f.lat, f.lon, back, 1.0)
    roll = _off(f.lat, f.lon, f.rwy, 0.8)
    stand = _off(f.lat, f.lon, f.rwy + 90.0, 0.9)
    return [
        _V(*w, f.elev + 6000.0, 230.0),
        _V(*fa, f.elev + 3000.0, 180.0, phase="final"),
        _V(*thr, f.elev + 50.0, 140.0, phase="final"),
        _V(*td, f.elev, 135.0, True, "landing"),
        _V(*roll, f.elev, 25.0, True, "landing"),
        _V(*stand, f.elev, 6.0, True, "taxi_in"),
    ]


def _go_around(f: _Field) -> list[_V]:
    """Down to 200 ft 2.5 km before the field, then straight ahead climbing (no touchdown)."""
    back = f.rwy + 180.0
    low = _off(f.lat, f.lon, back, 2.5)
    g1 = _off(f.lat, f.lon, f.rwy, 6.0)
    g2 = _off(f.lat, f.lon, f.rwy, 13.0)
    return [_V(*low, f.elev + 200.0, 140.0, phase="final"), _V(*g1, f.elev + 2000.0, 180.0, phase="go_around"),
            _V(*g2, f.elev + 3500.0, 210.0, phase="go_around")]


def _fly(vs: list[_V], t0: float, step_s: float = 2.0) -> pd.DataFrame:
    """Positions every ``step_s`` along a path of vertices (speed and altitude linear along the distance)."""
    lat = np.array([v.lat for v in vs])
    lon = np.array([v.lon for v in vs])
    seg = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    keep = np.r_[True, seg > 1e-4]
    vs = [v for v, k in zip(vs, keep, strict=True) if k]
    lat, lon = lat[keep], lon[keep]
    alt = np.array([v.alt for v in vs])
    kt = np.array([v.kt for v in vs])
    gr = np.array([v.ground for v in vs])
    phase = np.array([v.phase for v in vs], dtype=object)
    seg = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    s = np.arange(0.0, cum[-1], 0.05)
    s = np.append(s, cum[-1])
    v = np.interp(s, cum, kt)
    dt = np.diff(s) / (0.5 * (v[1:] + v[:-1]) * KMH_PER_KT) * 3600.0
    t = np.concatenate([[0.0], np.cumsum(dt)])
    grid = np.arange(0.0, t[-1], step_s)
    sg = np.interp(grid, t, s)
    la, lo, trk = along(lat, lon, sg)
    i = np.clip(np.searchsorted(cum, sg, side="right") - 1, 0, len(vs) - 2)
    ground = gr[i] & gr[i + 1]
    a = np.interp(sg, cum, alt)
    gs = np.interp(sg, cum, kt)
    out = pd.DataFrame({
        "t": t0 + grid, "lat": la, "lon": lo, "alt_ft": np.where(ground, np.nan, a), "gs_kt": gs, "track_deg": trk,
        "on_ground": ground, "phase": phase[i + 1],
    })
    vr = np.gradient(a, step_s) * 60.0 if len(a) > 1 else np.zeros(len(a))
    out["vrate_fpm"] = np.where(ground, 0.0, np.round(vr / 64.0) * 64.0)
    return out


def _first_time(tr: pd.DataFrame, phase: str) -> float:
    hit = np.flatnonzero(tr["phase"].to_numpy() == phase)
    return float(tr["t"].iat[int(hit[0])]) if len(hit) else math.nan


def _touchdown_t(tr: pd.DataFrame) -> float:
    air = np.flatnonzero(~tr["on_ground"].to_numpy())
    return float(tr["t"].iat[int(air[-1])]) if len(air) else math.nan


def _liftoff_t(tr: pd.DataFrame) -> float:
    air = np.flatnonzero(~tr["on_ground"].to_numpy())
    return float(tr["t"].iat[int(air[0])]) if len(air) else math.nan


# --------------------------------------------------------------------------- planning


@dataclass
class _Flight:
    """One planned leg."""

    leg_id: str
    day: int
    icao24: str
    callsign: str
    typecode: str
    kind: str  # arrival, departure, ferry (back from an alternate)
    field_: str  # the scheduled field
    bearing: float  # where it comes from / goes to (deg from the field)
    sched: float  # scheduled touchdown / lift-off (s since epoch)
    outcome: str = "normal"  # normal, delayed, held, diverted_en_route, diverted_after_holding, go_around_diverted, go_around_landed
    hold_laps: int = 0
    hold_fix: float = 0.0
    hold_alt: float = 0.0
    hold_until: float = math.nan
    go_around: bool = False
    divert_to: str | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _schedule(spec: DisruptionWorldSpec, rng: np.random.Generator) -> pd.DataFrame:
    """The weekly schedule: one row per rotation (arrival then departure of one aircraft)."""
    rows = []
    probs = _PROFILE / _PROFILE.sum()
    number = 1000
    for plan in (*spec.airports, *spec.alternates):  # one pass per field
        hours = np.arange(24)
        w = np.where((hours + 1 > plan.first_hour) & (hours < plan.last_hour), probs, 0.0)
        w = w / w.sum()
        # rotations per hour in proportion to the profile (largest remainders), at a random minute
        share = w * plan.rotations
        per_hour = np.floor(share).astype(int)
        rest = plan.rotations - int(per_hour.sum())
        per_hour[np.argsort(-(share - per_hour), kind="stable")[:rest]] += 1
        slots = np.repeat(hours, per_hour)
        for k, h in enumerate(slots.tolist()):  # one row per rotation
            minute = float(rng.uniform(0, 60))
            local_h = min(max(h + minute / 60.0, plan.first_hour), plan.last_hour)
            op = plan.operators[k % len(plan.operators)]
            number += int(rng.integers(2, 40)) * 2
            rows.append({
                "field": plan.code, "local_h": round(local_h, 4), "operator": op, "arr_callsign": f"{op}{number}",
                "dep_callsign": f"{op}{number + 1}", "typecode": _TYPES[int(rng.integers(0, len(_TYPES)))],
                "from_deg": round(float(rng.uniform(0, 360)), 1), "to_deg": round(float(rng.uniform(0, 360)), 1),
                "turn_s": round(float(rng.uniform(40, 80)) * 60.0),
            })
    return pd.DataFrame(rows).sort_values(["field", "local_h", "arr_callsign"], kind="stable").reset_index(drop=True)


def _hex_pool(n: int, rng: np.random.Generator) -> list[str]:
    """Synthetic ICAO addresses in the Russian block (0x140000–0x15FFFF), distinct."""
    vals = rng.choice(np.arange(0x140000, 0x160000), size=n, replace=False)
    return [f"{int(v):06x}" for v in vals]


def _plan_day(spec: DisruptionWorldSpec, scn_closures: dict[str, tuple[tuple[pd.Timestamp, pd.Timestamp], ...]], sched: pd.DataFrame,
              day_index: int, day_start: pd.Timestamp, rng: np.random.Generator, hexes: list[str]) -> tuple[list[_Flight], list[dict[str, Any]]]:
    """Flights of one day; on the disruption day (index ``baseline_weeks``) the closures reshape them."""
    flights: list[_Flight] = []
    notes: list[dict[str, Any]] = []
    t_day = day_start.value / 1e9
    tz_off = (day_start.tz_convert(spec.tz).utcoffset() or pd.Timedelta(0)).total_seconds()
    local_midnight = t_day  # day_start is the local midnight
    del tz_off
    k_hex = 0
    is_day = day_index == spec.baseline_weeks
    for r in sched.itertuples():  # one rotation per row
        if rng.random() < spec.cancel_share:
            continue
        ta = local_midnight + r.local_h * 3600.0 + float(rng.normal(0, spec.jitter_s))
        ta = min(max(ta, local_midnight + 0.6 * 3600), local_midnight + 23.4 * 3600)
        h = hexes[k_hex]
        k_hex += 1
        lid = f"D{day_index}-{r.arr_callsign}"
        arr = _Flight(f"{lid}a", day_index, h, r.arr_callsign, r.typecode, "arrival", r.field, r.from_deg, ta)
        dep = _Flight(f"{lid}d", day_index, h, r.dep_callsign, r.typecode, "departure", r.field, r.to_deg, ta + r.turn_s)
        flights += [arr, dep]
    day_end = local_midnight + 86400.0 - 600.0
    if not is_day:
        flights = [f for f in flights if f.sched < day_end]
        # ordinary holds and a go-around at the open field
        opens = [f for f in flights if f.kind == "arrival" and f.field_ == spec.open_field and 7 * 3600 < f.sched - local_midnight < 20 * 3600]
        pick = rng.choice(np.arange(len(opens)), size=min(spec.baseline_holds + spec.baseline_go_arounds, len(opens)), replace=False) if opens else []
        for n, i in enumerate(sorted(int(x) for x in pick)):  # a few ordinary holds, then go-arounds
            f = opens[i]
            if n < spec.baseline_holds:
                f.outcome, f.hold_laps, f.hold_alt = "held", int(rng.integers(3, 5)), _ALT_STACK_FT[0]
                f.hold_fix = _nearest_fix(spec, f)
            else:
                f.outcome, f.go_around = "go_around_landed", True
        return flights, notes
    # ---- the disruption day
    closed = {ap: wins for ap, wins in scn_closures.items()}
    stack_level: dict[tuple[str, float], int] = {}
    go_done: set[str] = set()
    by_field: dict[str, list[_Flight]] = {}
    for f in flights:
        by_field.setdefault(f.field_, []).append(f)
    for ap, wins in closed.items():
        alts = spec.divert_to.get(ap, ((spec.open_field, 1.0),))
        names = [a for a, _ in alts]
        weights = np.array([w for _, w in alts], dtype=float)
        weights = weights / weights.sum()
        for c0t, c1t in wins:  # one pass per closure
            c0, c1 = c0t.value / 1e9, c1t.value / 1e9
            notes.append({"airport": ap, "start": c0t, "end": c1t})
            arrivals = sorted((f for f in by_field.get(ap, []) if f.kind == "arrival" and c0 - 180 <= f.sched < c1), key=lambda f: f.sched)
            departures = sorted((f for f in by_field.get(ap, []) if f.kind == "departure" and c0 <= f.sched < c1), key=lambda f: f.sched)
            if ap not in go_done:
                # the arrival due nearest the closure is on short final as the field closes: it goes around,
                # then leaves for an alternate (the first closed field's, for one beyond the receivers' range)
                near = [f for f in by_field.get(ap, []) if f.kind == "arrival" and abs(f.sched - c0) < 1500.0]
                if near:
                    g = min(near, key=lambda f: (abs(f.sched - c0), f.leg_id))
                    go_done.add(ap)
                    g.go_around, g.outcome = True, "go_around_diverted"
                    g.divert_to = spec.beyond_coverage if len(go_done) == 1 else str(rng.choice(names, p=weights))
                    g.sched = c0 + 60.0
                    arrivals = [f for f in arrivals if f is not g]
            queue = 0
            for f in arrivals:  # one decision per arrival
                dest = str(rng.choice(names, p=weights))
                if f.sched < c0 + spec.hold_window_s:
                    f.hold_fix = _nearest_fix(spec, f)
                    level = stack_level.get((ap, f.hold_fix), 0)
                    stack_level[(ap, f.hold_fix)] = level + 1
                    f.hold_alt = _ALT_STACK_FT[level % len(_ALT_STACK_FT)]
                    wait = c1 + 120.0 * queue - f.sched
                    if wait <= spec.max_hold_s:
                        f.outcome = "held"
                        f.hold_until = c1 + 120.0 * queue
                        queue += 1
                    else:
                        f.outcome = "diverted_after_holding"
                        f.hold_laps = int(rng.integers(3, 7))
                        f.divert_to = dest
                    continue
                if c1 - f.sched <= spec.max_hold_s * 0.6:
                    f.hold_fix = _nearest_fix(spec, f)
                    level = stack_level.get((ap, f.hold_fix), 0)
                    stack_level[(ap, f.hold_fix)] = level + 1
                    f.hold_alt = _ALT_STACK_FT[level % len(_ALT_STACK_FT)]
                    f.outcome = "held"
                    f.hold_until = c1 + 120.0 * queue
                    queue += 1
                    continue
                if rng.random() < spec.delayed_share:
                    f.outcome = "delayed"
                    f.sched = c1 + 120.0 * queue + float(rng.uniform(10, 50)) * 60.0
                else:
                    f.outcome = "diverted_en_route"
                    f.divert_to = dest
            # departures wait on the ground
            for k, f in enumerate(departures):
                f.outcome = "delayed"
                f.sched = c1 + 60.0 + 150.0 * k
    # a diverted aircraft flies back from its alternate after the reopening (under its inbound callsign),
    # then operates its departure; one that went beyond the receivers' range does not come back that day
    reopen = {ap: max(b.value / 1e9 for _, b in wins) for ap, wins in closed.items()}
    plans = _plans(spec)
    ferries = []
    for f in flights:
        if f.divert_to is None or f.divert_to not in plans:
            if f.divert_to is not None:
                f.extra["no_return"] = True
            continue
        back = max(reopen[f.field_] + 1800.0, f.sched + 5400.0) + float(rng.uniform(0, 3600))
        ferries.append(_Flight(f"{f.leg_id[:-1]}r", day_index, f.icao24, f.callsign, f.typecode, "ferry", f.field_,
                               0.0, back, note=f"back from {f.divert_to} after the diversion", extra={"from": f.divert_to}))
    gone = {f.icao24 for f in flights if f.extra.get("no_return")}
    flights = [f for f in flights if not (f.kind == "departure" and f.icao24 in gone)] + ferries
    ferry_t = {f.icao24: f.sched for f in ferries}
    for f in flights:
        if f.kind == "departure" and f.icao24 in ferry_t:
            f.sched = max(f.sched, ferry_t[f.icao24] + 3600.0 + float(rng.uniform(0, 1800)))
            f.outcome = "delayed"
    # departures must follow their arrival: push those whose aircraft landed late
    arr_t = {f.icao24: f.sched for f in flights if f.kind == "arrival" and f.divert_to is None}
    for f in flights:
        if f.kind == "departure" and f.icao24 in arr_t and f.sched < arr_t[f.icao24] + 2400.0:
            f.sched = arr_t[f.icao24] + 2400.0 + float(rng.uniform(0, 1200))
            if f.outcome == "normal":
                f.outcome = "delayed"
    # congestion at the open field: some of its arrivals hold while the others are closed
    windows = [(a.value / 1e9, b.value / 1e9) for wins in closed.values() for a, b in wins]
    cands = [f for f in flights if f.kind == "arrival" and f.field_ == spec.open_field and f.outcome == "normal"
             and any(a <= f.sched < b for a, b in windows)]
    if cands:
        pick = rng.choice(np.arange(len(cands)), size=min(spec.congestion_holds, len(cands)), replace=False)
        for i in sorted(int(x) for x in pick):
            f = cands[i]
            f.outcome, f.hold_laps = "held", int(rng.integers(3, 5))
            f.hold_fix = _nearest_fix(spec, f)
            level = stack_level.get((f.field_, f.hold_fix), 0)
            stack_level[(f.field_, f.hold_fix)] = level + 1
            f.hold_alt = _ALT_STACK_FT[level % len(_ALT_STACK_FT)]
    flights = [f for f in flights if f.sched < day_end]
    return flights, notes


def _plans(spec: DisruptionWorldSpec) -> dict[str, AirportPlan]:
    return {p.code: p for p in (*spec.airports, *spec.alternates)}


def _nearest_fix(spec: DisruptionWorldSpec, f: _Flight) -> float:
    fixes = np.array(_plans(spec)[f.field_].hold_fixes)
    diff = np.abs((fixes - f.bearing + 180.0) % 360.0 - 180.0)
    return float(fixes[int(np.argmin(diff))])


# --------------------------------------------------------------------------- flying the plan


def _arrival_path(f: _Flight, fields: dict[str, _Field], spec: DisruptionWorldSpec) -> tuple[list[_V], dict[str, Any]]:
    """Vertices of an arrival, with its holding, go-around or diversion; and the truth events."""
    X = fields[f.field_]
    entry = _off(X.lat, X.lon, f.bearing, spec.entry_km)
    vs = [_V(*entry, 17000.0 + 1000.0 * (zlib.crc32(f.callsign.encode()) % 3), 290.0)]
    ev: dict[str, Any] = {}
    if f.outcome == "diverted_en_route":
        turn = _off(X.lat, X.lon, f.bearing, 75.0)
        vs.append(_V(*turn, 12000.0, 270.0, phase="diverting"))
        ev["decision_point"] = len(vs) - 1
        return vs + _to_alternate(fields, f.divert_to, turn, spec), ev
    if f.outcome in ("held", "diverted_after_holding"):
        fix = _off(X.lat, X.lon, f.hold_fix, 38.0)
        inbound = float(bearing_deg(fix[0], fix[1], X.lat, X.lon))
        vs.append(_V(*fix, f.hold_alt, _HOLD_KT))
        ev["hold_start_vertex"] = len(vs) - 1
        vs += _racetrack(fix, inbound, max(f.hold_laps, 1), f.hold_alt, leg_s=float(f.extra.get("leg_s", _HOLD_LEG_S)))
        ev["hold_end_vertex"] = len(vs) - 1
        if f.outcome == "diverted_after_holding":
            return vs + _to_alternate(fields, f.divert_to, fix, spec), ev
        come = fix
    else:
        come = entry
    app = _approach(X, come)
    if f.go_around:
        vs += app[:2] + _go_around(X)
        ev["go_around"] = True
        g2 = (vs[-1].lat, vs[-1].lon)
        if f.outcome == "go_around_diverted":
            return vs + _to_alternate(fields, f.divert_to, g2, spec), ev
        # a circuit back to the approach
        side = _off(X.lat, X.lon, X.rwy + 90.0, 12.0)
        vs.append(_V(*side, X.elev + 4000.0, 220.0, phase="go_around"))
        return vs + _approach(X, side), ev
    return vs + app, ev


def _to_alternate(fields: dict[str, _Field], code: str | None, here: tuple[float, float], spec: DisruptionWorldSpec) -> list[_V]:
    if code is None:
        return []
    if code not in fields:  # beyond coverage: head there at FL200 for 350 km
        far = _off(here[0], here[1], _bearing_to_known(code, here), 350.0)
        mid = _off(here[0], here[1], _bearing_to_known(code, here), 60.0)
        return [_V(*mid, 12000.0, 270.0, phase="diverting"), _V(*far, 20000.0, 300.0, phase="diverting")]
    Y = fields[code]
    d = float(haversine_km(here[0], here[1], Y.lat, Y.lon))
    brg = float(bearing_deg(here[0], here[1], Y.lat, Y.lon))
    out = []
    if d > 90.0:
        mid = _off(here[0], here[1], brg, d / 2.0)
        out.append(_V(*mid, 11000.0 if d < 250 else 16000.0, 280.0, phase="diverting"))
    return out + _approach(Y, here if d <= 90.0 else (out[-1].lat, out[-1].lon))


def _bearing_to_known(code: str, here: tuple[float, float]) -> float:
    from flighttrace.reference.airports import AirportIndex

    a = AirportIndex.default().get(code)
    return float(bearing_deg(here[0], here[1], a.lat, a.lon))


def _departure_path(f: _Flight, fields: dict[str, _Field], spec: DisruptionWorldSpec) -> list[_V]:
    X = fields[f.field_]
    stand = _off(X.lat, X.lon, X.rwy - 90.0, 0.9)
    start = _off(X.lat, X.lon, X.rwy + 180.0, 1.5)
    lift = _off(X.lat, X.lon, X.rwy, 0.4)
    c1 = _off(X.lat, X.lon, X.rwy, 10.0)
    c2 = _off(X.lat, X.lon, f.bearing, 40.0)
    ex = _off(X.lat, X.lon, f.bearing, spec.entry_km)
    return [
        _V(*stand, X.elev, 6.0, True, "taxi_out"), _V(*start, X.elev, 12.0, True, "taxi_out"),
        _V(*lift, X.elev, 150.0, True, "takeoff"), _V(*c1, X.elev + 3000.0, 210.0),
        _V(*c2, X.elev + 10000.0, 260.0), _V(*ex, 20000.0, 300.0),
    ]


def _ferry_path(f: _Flight, fields: dict[str, _Field]) -> list[_V]:
    """From the alternate's stand back to the scheduled field's stand."""
    Y, X = fields[f.extra["from"]], fields[f.field_]
    stand = _off(Y.lat, Y.lon, Y.rwy - 90.0, 0.9)
    start = _off(Y.lat, Y.lon, Y.rwy + 180.0, 1.5)
    lift = _off(Y.lat, Y.lon, Y.rwy, 0.4)
    c1 = _off(Y.lat, Y.lon, Y.rwy, 10.0)
    d = float(haversine_km(c1[0], c1[1], X.lat, X.lon))
    mid = _off(c1[0], c1[1], float(bearing_deg(c1[0], c1[1], X.lat, X.lon)), d / 2.0)
    out = [_V(*stand, Y.elev, 6.0, True, "taxi_out"), _V(*start, Y.elev, 12.0, True, "taxi_out"),
           _V(*lift, Y.elev, 150.0, True, "takeoff"), _V(*c1, Y.elev + 3000.0, 210.0)]
    if d > 60.0:
        out.append(_V(*mid, 9000.0 if d < 200 else 14000.0, 270.0))
    return out + _approach(X, mid)


def _fly_flight(f: _Flight, fields: dict[str, _Field], spec: DisruptionWorldSpec) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Truth track and events of one planned flight."""
    if f.kind == "ferry":
        tr = _fly(_ferry_path(f, fields), 0.0)
        t_lift = _liftoff_t(tr)
        tr["t"] += f.sched - t_lift
        air = np.flatnonzero(~tr["on_ground"].to_numpy())
        return tr, {"liftoff": f.sched, "touchdown": float(tr["t"].iat[int(air[-1])])}
    if f.kind == "departure":
        tr = _fly(_departure_path(f, fields, spec), 0.0)
        t_lift = _liftoff_t(tr)
        tr["t"] += f.sched - t_lift
        return tr, {"liftoff": f.sched}
    vs, ev = _arrival_path(f, fields, spec)
    if f.outcome == "held" and not math.isnan(f.hold_until):
        # enough laps to leave the fix after the reopening, at the queue slot
        base = _fly(vs[: ev["hold_start_vertex"] + 1], 0.0)
        reach_fix = float(base["t"].iat[-1])
        normal = _fly(_arrival_path(_Flight(**{**f.__dict__, "outcome": "normal", "hold_fix": 0.0}), fields, spec)[0], 0.0)
        t_entry = f.sched - _touchdown_t(normal)
        appr_s = _touchdown_t(_fly(_approach(fields[f.field_], (vs[ev["hold_start_vertex"]].lat, vs[ev["hold_start_vertex"]].lon)), 0.0))
        need = f.hold_until - appr_s - (t_entry + reach_fix)
        f.hold_laps = max(3, int(math.ceil(need / _lap_s())))
        # stretch or shorten the straight legs so that the aircraft leaves the fix on time for its slot
        f.extra["leg_s"] = float(np.clip((need / f.hold_laps - 2 * 180.0 / _TURN_DEG_S) / 2.0, 30.0, 120.0))
        vs, ev = _arrival_path(f, fields, spec)
        tr = _fly(vs, 0.0)
        tr["t"] += t_entry
    else:
        normal = _fly(_arrival_path(_Flight(**{**f.__dict__, "outcome": "normal", "hold_fix": 0.0, "go_around": False, "divert_to": None}), fields, spec)[0], 0.0)
        t_entry = f.sched - _touchdown_t(normal)
        tr = _fly(vs, 0.0)
        tr["t"] += t_entry
    out: dict[str, Any] = {}
    ph = tr["phase"].to_numpy()
    if "hold_start_vertex" in ev:
        hold = np.flatnonzero(ph == "holding")
        if len(hold):
            out["hold_start"], out["hold_end"] = float(tr["t"].iat[hold[0]]), float(tr["t"].iat[hold[-1]])
            out["hold_lat"], out["hold_lon"] = float(tr["lat"].iloc[hold].mean()), float(tr["lon"].iloc[hold].mean())
            out["hold_laps"] = f.hold_laps
    if ev.get("go_around"):
        ga = np.flatnonzero(ph == "go_around")
        if len(ga):  # the low pass: the lowest point just before the climb
            lo = max(int(ga[0]) - 60, 0)
            out["go_around_time"] = float(tr["t"].iat[lo + int(np.nanargmin(tr["alt_ft"].to_numpy()[lo: int(ga[0]) + 1]))])
    div = np.flatnonzero(ph == "diverting")
    if f.divert_to is not None:  # when it turned for the alternate: after the go-around or the holding, else where it left the route
        if "go_around_time" in out:
            out["decision"] = out["go_around_time"]
        elif "hold_end" in out:
            out["decision"] = out["hold_end"]
        else:
            out["decision"] = float(tr["t"].iat[div[0]]) if len(div) else float(tr["t"].iat[0])
    if tr["on_ground"].any():
        out["touchdown"] = _touchdown_t(tr)
    return tr, out


def _overflights(spec: DisruptionWorldSpec, day_start: pd.Timestamp, day_index: int, rng: np.random.Generator) -> list[pd.DataFrame]:
    """High overflights across the region, so that quiet hours still show traffic."""
    frames = []
    for h in range(24):
        for k in range(spec.overflights_per_hour):  # one short track per overflight
            lat0, lon0 = float(rng.uniform(54.5, 57.0)), float(rng.uniform(35.5, 41.0))
            brg = float(rng.uniform(0, 360))
            n = 61
            dist = np.linspace(0, 139.0, n)
            lat = lat0 + dist * np.cos(np.radians(brg)) / EARTH_KM_PER_DEG
            lon = lon0 + dist * np.sin(np.radians(brg)) / (EARTH_KM_PER_DEG * np.cos(np.radians(lat0)))
            t0 = day_start.value / 1e9 + h * 3600 + float(rng.uniform(0, 3000))
            frames.append(pd.DataFrame({
                "t": t0 + np.arange(n) * 10.0, "lat": lat, "lon": lon, "alt_ft": 36000.0, "gs_kt": 450.0, "track_deg": brg,
                "on_ground": False, "phase": "overflight", "vrate_fpm": 0.0, "leg_id": f"OV{day_index}-{h:02d}{k}",
                "icao24": f"4b{0x9000 + (h * 7 + k) % 40:04x}", "callsign": f"THY{400 + (h * 7 + k) % 40}", "typecode": "A333",
            }))
    return frames


# --------------------------------------------------------------------------- building


def _enforced_closures(scn: Any, spec: DisruptionWorldSpec) -> dict[str, tuple[tuple[pd.Timestamp, pd.Timestamp], ...]]:
    """The spec's closures at fields an enforced (published or second-hand) closure claim names."""
    named: set[str] = set()
    for c in scn.claims:
        if c.test.kind == "closure" and c.record in ("published", "second-hand"):
            named |= set(scn.resolve_airports(c.test.airport))
    return {ap: wins for ap, wins in spec.closures.items() if ap in named}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _iso(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(out[c].notna(), None)
    return out


def _t(x: Any) -> pd.Timestamp:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return pd.NaT
    return pd.Timestamp(round(float(x)), unit="s", tz="UTC")


def build_disruption_world(
    scenario: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    spec: DisruptionWorldSpec = MOSCOW_SPEC,
    progress: ProgressArg = False,
    command: str | None = None,
) -> dict[str, Any]:
    """Simulate a disruption scenario's world and write it, with its truth, to ``out_dir``.

    Parameters
    ----------
    scenario
        Path of the scenario YAML (its enforced closure claims decide which
        of the spec's closures happen).
    out_dir
        Folder to write: new, empty, or written by flighttrace before
        (:mod:`flighttrace.outdir`; only the files of that earlier run are replaced).
    spec
        The world's settings.
    progress
        Progress bar or callable.
    command
        The command line, recorded in the folder's stamp.

    Returns
    -------
    dict
        Counts: movements per field, closures, diversions, holdings,
        go-arounds, legs, files and bytes.

    Notes
    -----
    Deterministic: the same scenario, spec and library versions give the
    same bytes (Parquet without timestamps).
    """
    from flighttrace.scenario import load_scenario
    from flighttrace.sim.writers import write_state_vectors_parquet

    scn = load_scenario(scenario)
    target = output_folder(out_dir, inputs=[scenario],
                           command=command or f"flighttrace.kinds.disruption.world.build_disruption_world({Path(scenario).as_posix()!r})")
    rng = np.random.default_rng(spec.seed)
    plans = _plans(spec)
    codes = list(plans)
    fields = _fields(codes)
    fields = {c: _Field(f.code, f.lat, f.lon, f.elev, plans[c].runway_deg) for c, f in fields.items()}
    closures = _enforced_closures(scn, spec)
    with target.writing() as root, Progress(progress, "world: planning", 5) as bar:
        data = root / "data" / "opensky"
        data.mkdir(parents=True)
        sched = _schedule(spec, rng)
        n_days = spec.baseline_weeks + 1
        hexes = _hex_pool(len(sched) * n_days + 10, rng)
        flights: list[_Flight] = []
        closure_rows: list[dict[str, Any]] = []
        days = [spec.day - pd.Timedelta(weeks=spec.baseline_weeks - i) for i in range(n_days)]
        for i, d in enumerate(days):  # one plan per day
            fl, notes = _plan_day(spec, closures, sched, i, d, rng, hexes[i * len(sched):(i + 1) * len(sched)])
            flights += fl
            closure_rows += notes
        bar.advance(1, "world: flying")
        frames, truth_rows = [], []
        for f in flights:  # one track per flight
            tr, ev = _fly_flight(f, fields, spec)
            d0 = days[f.day].value / 1e9
            tr = tr[(tr["t"] >= d0) & (tr["t"] < d0 + 86400.0)]
            tr = tr.assign(leg_id=f.leg_id, icao24=f.icao24, callsign=f.callsign, typecode=f.typecode)
            frames.append(tr)
            truth_rows.append({"flight": f, "events": ev})
        for i, d in enumerate(days):
            frames += _overflights(spec, d, i, rng)
        truth = pd.concat(frames, ignore_index=True)
        truth["time"] = pd.to_datetime(np.round(truth["t"].to_numpy() * 1000).astype(np.int64), unit="ms", utc=True)
        truth["registration"] = None
        truth["squawk"] = None
        bar.advance(1, "world: coverage")
        elev = truth["leg_id"].map({f.leg_id: fields[f.field_].elev for f in flights}).fillna(600.0).to_numpy(dtype=float)
        model = CoverageModel(spec.receivers, dropout=0.02)
        obs = observe(truth.drop(columns=["t"]), model, field_elev_ft=elev, seed=spec.seed)
        missing = np.zeros(len(obs), dtype=bool)
        for h in spec.missing_hours:
            missing |= ((obs["time"] >= h) & (obs["time"] < h + pd.Timedelta(hours=1))).to_numpy()
        obs = obs[~missing].reset_index(drop=True)
        bar.advance(1, "world: sampling")
        smp = sample(obs, "opensky", seed=spec.seed)
        smp["hour"] = smp["time"].dt.floor("h")
        files: list[Path] = []
        for hour, sub in smp.groupby("hour", sort=True):  # one file per archive hour
            path = data / f"states_{hour:%Y-%m-%d-%H}.parquet"
            write_state_vectors_parquet(quantised_points(sub.drop(columns=["hour"])), path)
            files.append(path)
        bar.advance(1, "world: truth")
        summary = _write_truth(root, truth_rows, closure_rows, fields, spec, days)
        summary["files"] = len(files)
        _write_manifest(root, spec, scenario, summary)
        bar.advance(1, "world: done")
    return summary


def _write_truth(root: Path, rows: list[dict[str, Any]], closures: list[dict[str, Any]], fields: dict[str, _Field],
                 spec: DisruptionWorldSpec, days: list[pd.Timestamp]) -> dict[str, Any]:
    tdir = root / "truth"
    tdir.mkdir(parents=True, exist_ok=True)
    legs, moves, divs, holds, gas = [], [], [], [], []
    for r in rows:  # one truth row per flight
        f: _Flight = r["flight"]
        ev = r["events"]
        day = f"{days[f.day]:%Y-%m-%d}" if f.day < len(days) else ""
        d0, d1 = days[f.day].value / 1e9, days[f.day].value / 1e9 + 86400.0
        inside = lambda x, d0=d0, d1=d1: x is not None and d0 <= x < d1  # noqa: E731  (this flight's day, bound now)
        if f.kind == "ferry":
            legs.append({"leg_id": f.leg_id, "day": day, "icao24": f.icao24, "callsign": f.callsign, "typecode": f.typecode, "kind": "ferry",
                         "scheduled_field": f.field_, "actual_field": f.field_, "outcome": "return", "time": _t(ev.get("touchdown")), "note": f.note})
            if inside(ev.get("liftoff")):
                moves.append({"leg_id": f.leg_id, "airport": f.extra["from"], "kind": "departure", "time": _t(ev["liftoff"]), "outcome": "return"})
            if inside(ev.get("touchdown")):
                moves.append({"leg_id": f.leg_id, "airport": f.field_, "kind": "arrival", "time": _t(ev["touchdown"]), "outcome": "return"})
            continue
        if f.kind == "departure":
            landed, when, kind = f.field_, ev.get("liftoff"), "departure"
        else:
            kind = "arrival"
            landed = f.divert_to if f.divert_to is not None else f.field_
            when = ev.get("touchdown")
            if landed not in fields:
                when = None
        legs.append({"leg_id": f.leg_id, "day": day, "icao24": f.icao24, "callsign": f.callsign, "typecode": f.typecode, "kind": kind,
                     "scheduled_field": f.field_, "actual_field": landed if landed in fields else None, "outcome": f.outcome,
                     "time": _t(when), "note": f.note})
        if inside(when) and landed in fields:
            moves.append({"leg_id": f.leg_id, "airport": landed, "kind": kind, "time": _t(when), "outcome": f.outcome})
        if f.divert_to is not None:
            divs.append({"leg_id": f.leg_id, "icao24": f.icao24, "callsign": f.callsign, "intended": f.field_, "landed": f.divert_to,
                         "landing_seen": f.divert_to in fields, "how": f.outcome, "decision": _t(ev.get("decision")), "landing": _t(ev.get("touchdown"))})
        if "hold_start" in ev:
            holds.append({"leg_id": f.leg_id, "icao24": f.icao24, "callsign": f.callsign, "airport": f.field_, "start": _t(ev["hold_start"]),
                          "end": _t(ev["hold_end"]), "laps": ev["hold_laps"], "lat": round(ev["hold_lat"], 4), "lon": round(ev["hold_lon"], 4),
                          "alt_ft": f.hold_alt, "outcome": f.outcome})
        if "go_around_time" in ev:
            gas.append({"leg_id": f.leg_id, "icao24": f.icao24, "callsign": f.callsign, "airport": f.field_, "time": _t(ev["go_around_time"]),
                        "then": "diverted" if f.divert_to else "landed"})
    gaps = [(h, h + pd.Timedelta(hours=1)) for h in spec.missing_hours]

    def in_data(a: pd.Series, b: pd.Series | None = None) -> np.ndarray:
        """False for an event (or a span) that touches an hour missing from the archive."""
        b = a if b is None else b
        ok = np.ones(len(a), dtype=bool)
        for g0, g1 in gaps:
            ok &= ~((a < g1) & (b >= g0)).to_numpy(dtype=bool)
        return ok

    moves_df, divs_df = pd.DataFrame(moves), pd.DataFrame(divs)
    holds_df, gas_df = pd.DataFrame(holds), pd.DataFrame(gas)
    if len(moves_df):
        moves_df["in_data"] = in_data(moves_df["time"])
    if len(divs_df):
        divs_df["in_data"] = in_data(divs_df["decision"])
    if len(holds_df):
        holds_df["in_data"] = in_data(holds_df["start"], holds_df["end"])
    if len(gas_df):
        gas_df["in_data"] = in_data(gas_df["time"])
    moves, divs, holds, gas = moves_df, divs_df, holds_df, gas_df
    tables = {
        "legs": pd.DataFrame(legs).sort_values(["time", "leg_id"], kind="stable", na_position="last"),
        "movements": pd.DataFrame(moves).sort_values(["airport", "time", "leg_id"], kind="stable"),
        "closures": pd.DataFrame(closures, columns=["airport", "start", "end"]).sort_values(["airport", "start"], kind="stable"),
        "diversions": pd.DataFrame(divs).sort_values(["decision", "leg_id"], kind="stable"),
        "holdings": pd.DataFrame(holds).sort_values(["start", "leg_id"], kind="stable"),
        "go_arounds": pd.DataFrame(gas).sort_values(["time", "leg_id"], kind="stable"),
    }
    for name, df in tables.items():
        write_csv(_iso(df.reset_index(drop=True)), tdir / f"{name}.csv")
    mv = tables["movements"]
    day_of = mv["time"].dt.tz_convert(spec.tz).dt.strftime("%Y-%m-%d")
    per = mv.assign(day=day_of).groupby(["airport", "day"]).size()
    return {
        "movements": {ap: {d: int(n) for d, n in per[ap].items()} for ap in per.index.get_level_values(0).unique()},
        "closures": len(tables["closures"]),
        "diversions": len(tables["diversions"]),
        "holdings": len(tables["holdings"]),
        "go_arounds": len(tables["go_arounds"]),
        "legs": len(tables["legs"]),
    }


def _write_manifest(root: Path, spec: DisruptionWorldSpec, scenario: str | os.PathLike[str], summary: dict[str, Any]) -> None:
    import pyarrow

    all_files = sorted(p for p in root.rglob("*") if p.is_file())
    summary["bytes"] = int(sum(p.stat().st_size for p in all_files))
    doc = {
        "synthetic": True,
        "library_versions": {"numpy": np.__version__, "pandas": pd.__version__, "pyarrow": pyarrow.__version__},
        "warning": "Every file in this folder was produced by flighttrace's simulator. None of it is real flight data.",
        "generator": f"flighttrace {__version__} flighttrace.kinds.disruption.world.build_disruption_world",
        "scenario": Path(scenario).as_posix(),
        "seed": spec.seed,
        "summary": summary,
        "files": {p.relative_to(root).as_posix(): _sha(p) for p in all_files},
    }
    (root / SYNTHETIC_MANIFEST).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
