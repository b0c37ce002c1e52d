"""Builders of small, realistic flights for leg tests (from the simulator's kinematics)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from flighttrace.sim.kinematics import PROFILES, Field, fly_leg, sample

UBBB = Field("UBBB", 40.4675, 50.0467, 10.0)
UBBG = Field("UBBG", 40.73883, 46.32, 1086.0)
LLOV = Field("LLOV", 29.9403, 34.9358, 1492.0)
LLER = Field("LLER", 29.72717, 35.01417, 288.0)
SLLP = Field("SLLP", -16.5133, -68.1923, 13325.0)  # El Alto, La Paz (airportsdata elevation)
OVDA_ROUTE = [(41.6, 45.0), (40.0, 41.0), (38.5, 35.5), (35.5, 33.3), (32.2, 34.6), (31.0, 35.3)]


def flight(
    origin: Field,
    destination: Field,
    off_block: str | pd.Timestamp,
    *,
    icao24: str = "600864",
    callsign: str | None = "AZQ6224",
    typecode: str = "IL76",
    waypoints: list[tuple[float, float]] | None = None,
    source: str = "readsb",
    go_around: bool = False,
    src_file: str = "test.json",
    **kw: Any,
) -> pd.DataFrame:
    """One leg, gate to gate, sampled as ``source`` records it, as a Points-like frame."""
    route = OVDA_ROUTE if waypoints is None and {origin.code, destination.code} & {"LLOV", "LLER"} and {origin.code, destination.code} & {"UBBB", "UBBG"} else (waypoints or [])
    if origin.code in ("LLOV", "LLER") and waypoints is None and route:
        route = route[::-1]
    tr = fly_leg(origin, destination, pd.Timestamp(off_block), waypoints=route, profile=PROFILES[typecode], go_around=go_around, **kw)
    tr["icao24"] = icao24
    tr["position_source"] = "adsb"
    obs = tr.assign(vrate_fpm=tr["vrate_fpm"])
    s = sample(obs, source) if source != "all" else obs.assign(stale=False, new_leg=False)  # type: ignore[arg-type]
    return to_points(s, callsign=callsign, typecode=typecode, src_file=src_file)


def to_points(df: pd.DataFrame, *, callsign: str | None = None, typecode: str | None = None, src_file: str = "test.json") -> pd.DataFrame:
    """Give a simulated frame the Points columns and dtypes."""
    n = len(df)
    out = pd.DataFrame(
        {
            "icao24": df["icao24"].astype(str).to_numpy(),
            "time": df["time"].to_numpy(),
            "lat": df["lat"].to_numpy(dtype=float),
            "lon": df["lon"].to_numpy(dtype=float),
            "alt_ft": df["alt_ft"].to_numpy(dtype=float).astype(np.float32),
            "on_ground": pd.array(df["on_ground"].to_numpy(dtype=bool), dtype="boolean"),
            "gs_kt": df["gs_kt"].to_numpy(dtype=float).astype(np.float32),
            "track_deg": df["track_deg"].to_numpy(dtype=float).astype(np.float32),
            "vrate_fpm": df["vrate_fpm"].to_numpy(dtype=float).astype(np.float32),
            "callsign": df["callsign"].to_numpy(dtype=object) if "callsign" in df else np.full(n, callsign, dtype=object),
            "squawk": np.full(n, "1000", dtype=object),
            "registration": np.full(n, None, dtype=object),
            "typecode": np.full(n, typecode, dtype=object),
            "military": pd.array([pd.NA] * n, dtype="boolean"),
            "position_source": df["position_source"].to_numpy(dtype=object) if "position_source" in df else np.full(n, "adsb", dtype=object),
            "stale": df["stale"].to_numpy(dtype=bool) if "stale" in df else np.zeros(n, bool),
            "new_leg": df["new_leg"].to_numpy(dtype=bool) if "new_leg" in df else np.zeros(n, bool),
            "source": np.full(n, "test", dtype=object),
            "src_file": np.full(n, src_file, dtype=object),
            "src_row": np.arange(n, dtype=np.int64),
        }
    )
    out["time"] = pd.to_datetime(out["time"], utc=True)
    return out


def join(*frames: pd.DataFrame) -> pd.DataFrame:
    """Concatenate tracks and sort them by aircraft and time, as read() does."""
    df = pd.concat(frames, ignore_index=True)
    return df.sort_values(["icao24", "time"], kind="stable").reset_index(drop=True)


def drop(df: pd.DataFrame, mask: np.ndarray | pd.Series) -> pd.DataFrame:
    """Remove the points where ``mask`` is true (a coverage hole)."""
    return df.loc[~np.asarray(mask, dtype=bool)].reset_index(drop=True)


def agl(df: pd.DataFrame, field: Field) -> np.ndarray:
    """Height above ``field`` (ft), NaN on the ground."""
    return df["alt_ft"].to_numpy(dtype=float) - field.elevation_ft


def straight(
    lat: float,
    lon: float,
    track_deg: float,
    *,
    n: int,
    step_s: float = 10.0,
    gs_kt: float | np.ndarray = 140.0,
    alt_ft: float | np.ndarray = 3000.0,
    start: str | pd.Timestamp = "2023-09-01T06:00Z",
    icao24: str = "600864",
    typecode: str | None = "B738",
    callsign: str | None = "TEST1",
    on_ground: bool | None = False,
) -> pd.DataFrame:
    """``n`` points flown from (lat, lon) on a constant track, as Points.

    ``gs_kt`` and ``alt_ft`` are scalars or per-point arrays; the position of
    each point is where the previous one's ground speed took it (great circle
    on a sphere). ``on_ground=None`` leaves the flag unsaid (NA), as in sources
    without one. The vertical rate is the slope of ``alt_ft``.
    """
    gs = np.broadcast_to(np.asarray(gs_kt, dtype=float), (n,)).copy()
    alt = np.broadcast_to(np.asarray(alt_ft, dtype=float), (n,)).copy()
    step_km = np.concatenate([[0.0], gs[:-1] * 1.852 * step_s / 3600.0])
    d = np.cumsum(step_km) / 6371.0088
    la0, lo0, b = np.radians(lat), np.radians(lon), np.radians(track_deg)
    la = np.arcsin(np.sin(la0) * np.cos(d) + np.cos(la0) * np.sin(d) * np.cos(b))
    lo = lo0 + np.arctan2(np.sin(b) * np.sin(d) * np.cos(la0), np.cos(d) - np.sin(la0) * np.sin(la))
    t = pd.Timestamp(start) + pd.to_timedelta(np.arange(n) * step_s, unit="s")
    vr = np.gradient(alt, step_s / 60.0) if n > 1 else np.zeros(n)
    df = pd.DataFrame(
        {
            "icao24": icao24, "time": t, "lat": np.degrees(la), "lon": (np.degrees(lo) + 540.0) % 360.0 - 180.0,
            "alt_ft": alt, "on_ground": np.zeros(n, bool), "gs_kt": gs, "track_deg": np.full(n, float(track_deg)), "vrate_fpm": vr,
        }
    )
    out = to_points(df, callsign=callsign, typecode=typecode)
    out["on_ground"] = pd.array([on_ground] * n, dtype="boolean")
    return out


def offset(lat: float, lon: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point ``km`` from (lat, lon) on ``bearing_deg`` (great circle)."""
    p = straight(lat, lon, bearing_deg, n=2, step_s=3600.0, gs_kt=km / 1.852)
    return float(p["lat"].iloc[1]), float(p["lon"].iloc[1])
