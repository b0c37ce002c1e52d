"""Flying a simulated disruption world's flights: approaches, holding racetracks, go-arounds, diversions, overflights."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.geo import along, bearing_deg, destination_point, haversine_km
from flighttrace.kinds.disruption.world_plan import (
    _Flight,
)
from flighttrace.kinds.disruption.world_spec import (
    _HOLD_KT,
    _HOLD_LEG_S,
    _TURN_DEG_S,
    EARTH_KM_PER_DEG,
    KMH_PER_KT,
    DisruptionWorldSpec,
)


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
    return float(tr["t"].to_numpy(dtype=float)[int(hit[0])]) if len(hit) else math.nan


def _touchdown_t(tr: pd.DataFrame) -> float:
    air = np.flatnonzero(~tr["on_ground"].to_numpy())
    return float(tr["t"].to_numpy(dtype=float)[int(air[-1])]) if len(air) else math.nan


def _liftoff_t(tr: pd.DataFrame) -> float:
    air = np.flatnonzero(~tr["on_ground"].to_numpy())
    return float(tr["t"].to_numpy(dtype=float)[int(air[0])]) if len(air) else math.nan





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
        return tr, {"liftoff": f.sched, "touchdown": float(tr["t"].to_numpy(dtype=float)[int(air[-1])])}
    if f.kind == "departure":
        tr = _fly(_departure_path(f, fields, spec), 0.0)
        t_lift = _liftoff_t(tr)
        tr["t"] += f.sched - t_lift
        return tr, {"liftoff": f.sched}
    vs, ev = _arrival_path(f, fields, spec)
    if f.outcome == "held" and not math.isnan(f.hold_until):
        # enough laps to leave the fix after the reopening, at the queue slot
        base = _fly(vs[: ev["hold_start_vertex"] + 1], 0.0)
        reach_fix = float(base["t"].to_numpy(dtype=float)[-1])
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
            out["hold_start"], out["hold_end"] = float(tr["t"].to_numpy(dtype=float)[hold[0]]), float(tr["t"].to_numpy(dtype=float)[hold[-1]])
            out["hold_lat"], out["hold_lon"] = float(tr["lat"].iloc[hold].mean()), float(tr["lon"].iloc[hold].mean())
            out["hold_laps"] = f.hold_laps
    if ev.get("go_around"):
        ga = np.flatnonzero(ph == "go_around")
        if len(ga):  # the low pass: the lowest point just before the climb
            lo = max(int(ga[0]) - 60, 0)
            out["go_around_time"] = float(tr["t"].to_numpy(dtype=float)[lo + int(np.nanargmin(tr["alt_ft"].to_numpy()[lo: int(ga[0]) + 1]))])
    div = np.flatnonzero(ph == "diverting")
    if f.divert_to is not None:  # when it turned for the alternate: after the go-around or the holding, else where it left the route
        if "go_around_time" in out:
            out["decision"] = out["go_around_time"]
        elif "hold_end" in out:
            out["decision"] = out["hold_end"]
        else:
            out["decision"] = float(tr["t"].to_numpy(dtype=float)[div[0]]) if len(div) else float(tr["t"].to_numpy(dtype=float)[0])
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
