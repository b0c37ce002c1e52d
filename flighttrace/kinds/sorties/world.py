"""Build a scenario's simulated ADS-B world: real-format files plus their ground truth.

The fleet's sorties are scheduled from the scenario's own claims: every
published or second-hand count claim about landings at the far field is
honoured (narrowest window first), so the world is what the data would look
like if those claims were true. Claims marked ``disputed`` or
``unconfirmed`` are not enforced, so the analysis can find them contradicted.
Around the sorties the world adds distractors (the same fleet elsewhere,
another country's Il-76 at Ovda, a Silk Way flight to Ramon, airliners at
Ben Gurion and Ramon), daily background traffic, a receiver network that
changes over the years (a sea gap before 2018, low-level loss near Ovda before
2019), MLAT-only military tracks, GNSS spoofing after October 2023, and
archive gaps with no data at all.

The files are written in the formats a reporter meets: OpenSky state vectors
(monthly CSV for 2016–2018, monthly Parquet for 2019 to mid-2023 and for
November–December 2023), adsb.lol day folders of readsb traces (July–October
2023), FlightRadar24 CSV and KML exports, and one home receiver's SBS log.
They go under ``data/``; ``truth/`` beside it. ``truth/`` holds the true legs and sorties and, for each
leg end, the evidence grade that the visible data supports.

EVERYTHING WRITTEN HERE IS SYNTHETIC. ``synthetic.json`` at the world's root
lists every file with its SHA-256, and :func:`flighttrace.read` marks those
files as synthetic in its manifest.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from flighttrace._progress import Progress, ProgressArg
from flighttrace.cells import as_float, as_text, as_timestamp
from flighttrace.csvsafe import write_csv
from flighttrace.geo import haversine_km
from flighttrace.hashing import sha256_file
from flighttrace.outdir import output_folder
from flighttrace.sim.kinematics import (
    CoverageModel,
    Field,
    Receiver,
    SpoofZone,
    observe,
    quantised_points,
    sample,
    schedule_frame,
    simulate_truth,
)
from flighttrace.sim.marker import world_files, write_marker
from flighttrace.tracks.params import FT_PER_NM_GLIDE, LegParams

__all__ = ["WorldSpec", "build_world", "SYNTHETIC_MANIFEST", "OVDA_SPEC"]

SYNTHETIC_MANIFEST: Final = "synthetic.json"
"""Name of the file that lists a simulated world's files and says they are synthetic."""

T = pd.Timestamp


def _ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s, tz="UTC")


# --------------------------------------------------------------------------- the world's settings

ROUTE_AZ_OVDA: Final = [(41.55, 45.1), (40.4, 41.5), (38.8, 35.6), (35.6, 33.6), (32.3, 34.55), (31.9, 35.45), (30.8, 35.25)]
"""Baku → Georgia → central Turkey → off Cyprus → in over Tel Aviv → Jordan valley → down the Arava (Haaretz 2016)."""
ROUTE_OVDA_AZ: Final = [(31.4, 34.85), (32.7, 34.95), (36.9, 35.1), (39.6, 40.5), (41.5, 45.3)]
"""Ovda → north over central Israel → Turkey → east over Georgia (Haaretz 2023)."""


@dataclass(frozen=True)
class WorldSpec:
    """What the simulated world contains, apart from what the scenario fixes.

    Parameters
    ----------
    start, end
        The period covered (UTC); ``end`` exclusive.
    seed
        Seed of every random choice.
    outages
        Date ranges with no data at all (archive gaps).
    receivers
        The ground network of the open archives (OpenSky, adsb.lol).
    fr24_receivers
        FlightRadar24's network (denser in the south of Israel).
    spoof
        GNSS spoofing zones.
    mlat_hexes
        Airframes without an ADS-B position (seen by MLAT only).
    far_field
        The far end of the claimed route.
    dark_years, dark_per_year, dark_south_of
        In each of these years, this many inbound fleet legs go unseen south
        of this latitude (deg N): the track is lost en route, and the next
        sighting is the departure from the far field.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    seed: int
    outages: tuple[tuple[pd.Timestamp, pd.Timestamp], ...]
    receivers: tuple[Receiver, ...]
    fr24_receivers: tuple[Receiver, ...]
    spoof: tuple[SpoofZone, ...]
    mlat_hexes: frozenset[str]
    far_field: str = "LLOV"
    dark_years: tuple[int, ...] = (2021, 2022)
    dark_per_year: int = 3
    dark_south_of: float = 31.3


_RX: Final = (
    Receiver("baku", 40.40, 49.86, 40.0, max_km=250.0),
    Receiver("ganja", 40.68, 46.36, 30.0, start=_ts("2018-01-01"), max_km=250.0),
    Receiver("tbilisi", 41.72, 44.78, 40.0, max_km=250.0),
    Receiver("erzurum", 39.90, 41.27, 30.0, max_km=250.0),
    Receiver("kayseri", 38.72, 35.49, 30.0, max_km=250.0),
    Receiver("ankara", 39.93, 32.86, 40.0, max_km=250.0),
    Receiver("istanbul", 41.01, 28.97, 60.0, max_km=250.0),
    Receiver("nicosia", 35.17, 33.36, 40.0, start=_ts("2018-01-01"), max_km=250.0),
    Receiver("telaviv", 32.08, 34.78, 60.0, max_km=250.0),
    Receiver("haifa", 32.79, 34.99, 40.0, max_km=250.0),
    Receiver("beersheba", 31.25, 34.79, 40.0, max_km=250.0),
    Receiver("eilat", 29.56, 34.95, 20.0, start=_ts("2019-03-01"), max_km=250.0),
)
_FR24_RX: Final = _RX[:-1] + (
    Receiver("eilat-fr24", 29.56, 34.95, 20.0, max_km=250.0),
    Receiver("nicosia-fr24", 35.17, 33.36, 40.0, max_km=250.0),
)

OVDA_SPEC: Final = WorldSpec(
    start=_ts("2016-01-01"),
    end=_ts("2024-01-01"),
    seed=20231005,
    outages=((_ts("2019-06-01"), _ts("2019-07-01")), (_ts("2022-02-10"), _ts("2022-02-21"))),
    receivers=_RX,
    fr24_receivers=_FR24_RX,
    spoof=(SpoofZone(32.3, 34.6, 33.0, 36.5, _ts("2023-10-08"), (33.8209, 35.4884)),),
    mlat_hexes=frozenset({"600881"}),
)
"""The settings of the shipped Azerbaijan–Ovda world."""

_PERIODS: Final = (
    (_ts("2016-01-01"), _ts("2019-01-01"), "opensky_csv"),
    (_ts("2019-01-01"), _ts("2023-07-01"), "opensky_parquet"),
    (_ts("2023-07-01"), _ts("2023-11-01"), "readsb"),
    (_ts("2023-11-01"), _ts("2024-01-01"), "opensky_parquet"),
)
"""Which source recorded each period: OpenSky CSV, OpenSky Parquet, adsb.lol day folders of readsb traces."""


# --------------------------------------------------------------------------- planning


def _fields(codes: Iterable[str]) -> dict[str, Field]:
    from flighttrace.reference.airports import AirportIndex

    idx = AirportIndex.default()
    out = {}
    for c in codes:
        a = idx.get(c)
        out[a.code] = Field(a.code, a.lat, a.lon, 0.0 if np.isnan(a.elevation_ft) else float(a.elevation_ft))
    return out


def _jitter(route: list[tuple[float, float]], rng: np.random.Generator, deg: float = 0.15) -> list[tuple[float, float]]:
    return [(a + rng.normal(0, deg), b + rng.normal(0, deg)) for a, b in route]


def _route(origin: str, dest: str) -> list[tuple[float, float]]:
    az = {"UBBB", "UBBG", "UBBN"}
    south = {"LLOV", "LLER", "LLBG"}
    if origin in az and dest in south:
        r = list(ROUTE_AZ_OVDA)
        return r[:-2] if dest == "LLBG" else r
    if origin in south and dest in az:
        return list(ROUTE_OVDA_AZ)
    if {origin, dest} <= az | {"LTAC", "LTFM"}:
        return [(41.5, 45.2), (40.6, 40.0)] if dest in ("LTAC", "LTFM") else ([(40.6, 40.0), (41.5, 45.2)] if origin in ("LTAC", "LTFM") else [])
    if origin == "UKBB" and dest == "LLOV":
        return [(44.0, 33.5), (38.0, 33.0), (33.5, 34.3), (31.0, 34.9)]
    if origin == "LLOV" and dest == "UKBB":
        return [(31.0, 34.9), (33.5, 34.3), (38.0, 33.0), (44.0, 33.5)]
    if origin == "LTFM" and dest == "LLBG":
        return [(38.5, 31.5), (35.8, 33.8)]
    return []


def _count_claims(scn: Any, spec: WorldSpec) -> list[Any]:
    out = []
    for c in scn.claims:
        kind = c.test.kind
        if c.record not in ("published", "second-hand") or kind not in ("count_at_least", "count_between"):
            continue
        sub = c.subject
        if sub.unit == "landings" and sub.airport and spec.far_field in scn.resolve_airports(sub.airport):
            out.append(c)
        elif sub.unit == "sorties":
            out.append(c)
    return out


def plan_fleet_sorties(scn: Any, spec: WorldSpec, rng: np.random.Generator) -> pd.DataFrame:
    """Sorties to the far field that make every enforced count claim true.

    Claims are taken narrowest window first; each adds only the sorties its
    window still lacks. Windows reaching beyond the world are not enforced.

    Returns
    -------
    pandas.DataFrame
        sortie_id, selector, icao24, registration, origin, far, back,
        land_far (planned landing at the far field), ground_s, claim.
    """
    claims = _count_claims(scn, spec)
    windows = []
    for c in claims:
        a, b = scn.claim_window(c)
        if a < spec.start or b > spec.end:
            continue
        need = c.test.value if c.test.kind == "count_at_least" else c.test.min
        windows.append((b - a, a, b, c, int(need)))
    windows.sort(key=lambda w: (w[0], w[1]))
    hexes_of = {s.id: [h.lower() for h in scn.selector(s.id).hexes if h] for s in scn.fleet.selectors}
    reg_of = {a.hex.lower(): a.registration for a in scn.fleet.aircraft if a.hex}
    plan: list[dict[str, Any]] = []
    outage = spec.outages

    def busy(h: str, t: pd.Timestamp) -> bool:
        return any(p["icao24"] == h and abs((p["land_far"] - t).total_seconds()) < 14 * 3600 for p in plan)

    def in_outage(t: pd.Timestamp) -> bool:
        return any(a - pd.Timedelta(hours=12) <= t < b + pd.Timedelta(hours=12) for a, b in outage)

    for _, a, b, c, need in windows:
        sel = c.subject.fleet or "silkway-il76"
        hexes = [h for h in hexes_of.get(sel, []) if h]
        frm = c.subject.from_
        have = sum(1 for p in plan if a <= p["land_far"] < b and p["icao24"] in hexes and (frm is None or p["origin"] in scn.resolve_airports(frm)))
        for _ in range(max(need - have, 0)):
            for _try in range(200):
                span = (b - a).total_seconds() - 8 * 3600
                t = a + pd.Timedelta(seconds=4 * 3600 + float(rng.uniform(0, max(span, 1.0))))
                t = t.floor("min")
                h = str(rng.choice(hexes))
                if not busy(h, t) and not in_outage(t):
                    break
            else:
                raise RuntimeError(f"cannot place a sortie for claim {c.id}")
            if frm is not None:
                origin = sorted(scn.resolve_airports(frm))[0]
            else:
                origin = "UBBB" if rng.random() < 0.75 else "UBBG"
            back = ("UBBB" if rng.random() < 0.8 else "UBBG") if origin == "UBBB" else ("UBBG" if rng.random() < 0.7 else "UBBB")
            ground = float(rng.uniform(2.0, 3.0) if sel.startswith("azaf") else rng.uniform(1.6, 3.8)) * 3600
            plan.append({"selector": sel, "icao24": h, "registration": reg_of.get(h), "origin": origin, "far": spec.far_field,
                         "back": back, "land_far": t, "ground_s": round(ground), "claim": c.id})
    # after the Gaza war began, Hetq counted about a dozen flights in six months: two a month in the world's last weeks
    hexes = hexes_of.get("silkway-il76", [])
    for day in ("2023-11-09", "2023-11-23", "2023-12-07", "2023-12-19"):
        t = _ts(day) + pd.Timedelta(hours=float(rng.uniform(1, 5)))
        h = str(rng.choice(hexes))
        plan.append({"selector": "silkway-il76", "icao24": h, "registration": reg_of.get(h), "origin": "UBBB", "far": spec.far_field,
                     "back": "UBBB", "land_far": t.floor("min"), "ground_s": round(float(rng.uniform(1.6, 3.8)) * 3600), "claim": "hetq-after-oct-2023"})
    df = pd.DataFrame(plan).sort_values("land_far", kind="stable").reset_index(drop=True)
    df.insert(0, "sortie_id", [f"S{i + 1:03d}" for i in range(len(df))])
    return df


def plan_distractors(spec: WorldSpec, rng: np.random.Generator, fleet_hexes: list[str], reg_of: dict[str, str]) -> list[dict[str, Any]]:
    """Round trips that must NOT count: other destinations, Ramon, other operators and countries."""
    trips: list[dict[str, Any]] = []

    def trip(role: str, h: str, reg: str | None, typ: str, cs: str, a: str, b: str, when: str, ground_h: float, note: str) -> None:
        trips.append({"role": role, "icao24": h, "registration": reg, "typecode": typ, "callsign": cs, "origin": a, "far": b,
                      "back": a, "off_block": _ts(when), "ground_s": ground_h * 3600, "note": note})

    # the same Silk Way Il-76s elsewhere: Ankara, Istanbul, Nakhchivan
    for year in range(spec.start.year, spec.end.year):
        for k, dest in enumerate(("LTAC", "UBBN", "LTFM")):
            h = str(rng.choice(fleet_hexes))
            day = pd.Timestamp(year=year, month=2 + 4 * k, day=int(rng.integers(3, 25)), hour=int(rng.integers(5, 12)), tz="UTC")
            trip("fleet-elsewhere", h, reg_of.get(h), "IL76", f"AZQ{7100 + 10 * k + year % 10}", "UBBB", dest, str(day), float(rng.uniform(2, 5)),
                 f"Silk Way Il-76 to {dest}, not Ovda")
    # a Silk Way flight that lands at Ramon, 24 km from Ovda
    for when in ("2021-03-10T20:40Z", "2023-02-14T21:10Z"):
        h = str(rng.choice(fleet_hexes))
        trip("fleet-ramon", h, reg_of.get(h), "IL76", "AZQ7301", "UBBB", "LLER", when, 2.5, "Silk Way Il-76 landing at Ramon, not Ovda")
    # another country's Il-76 at Ovda
    for when in ("2017-05-10T08:00Z", "2021-06-15T07:30Z"):
        trip("other-il76", "50826b", "UR-UCA", "IL76", "UKL4411", "UKBB", "LLOV", when, 3.0, "a Ukrainian Il-76 (synthetic identity) at Ovda")
    # Azerbaijani Air Force Il-76 flying to Turkey under an AZAL callsign (Hetq 2020)
    for when in ("2020-10-05T05:00Z", "2020-10-19T05:20Z"):
        trip("azaf-masked", "600881", "4K-78129", "IL76", "AHY7101", "UBBB", "LTAC", when, 3.0, "AZAF Il-76 to Ankara under an AHY callsign")
    # Silk Way West 747F to Ben Gurion, monthly in 2022-2023
    for m in pd.date_range("2022-01-05", "2023-12-05", freq="MS"):
        trip("airline", "6008a8", "4K-SW888", "B744", "AZG3021", "UBBB", "LLBG", str(m.tz_localize("UTC") + pd.Timedelta(days=4, hours=2)), 3.0,
             "Silk Way West 747 freighter (synthetic identity) to Ben Gurion")
    # a domestic airliner to Ramon, weekly-ish in 2022-2023
    for d in pd.date_range("2022-01-03", "2023-12-25", freq="14D"):
        trip("airline", "738d24", "4X-EKA", "A320", "ISR201", "LLBG", "LLER", str(d.tz_localize("UTC") + pd.Timedelta(hours=9)), 1.0,
             "domestic flight to Ramon (synthetic identity)")
    # an airliner to Ben Gurion through the spoofing after October 2023
    for when in ("2023-11-15T09:00Z", "2023-12-10T10:30Z"):
        trip("spoofed", "4b8c21", "TC-JSY", "A320", "THY784", "LTFM", "LLBG", when, 1.5, "airliner whose positions were spoofed toward Beirut")
    return [t for t in trips if spec.start <= t["off_block"] < spec.end]


# --------------------------------------------------------------------------- flying and observing


def _legs_from_plan(plan: pd.DataFrame, distractors: list[dict[str, Any]], fields: dict[str, Field], rng: np.random.Generator) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    for s in plan.itertuples():  # one row per sortie
        origin, far, sid = str(s.origin), str(s.far), str(s.sortie_id)
        block_h = 3.55 if origin == "UBBB" else 3.25
        off = as_timestamp(s.land_far) - pd.Timedelta(hours=block_h)
        callsign = "AZAF8" if str(s.selector).startswith("azaf") else f"AZQ{4000 + 2 * int(sid[1:])}"
        rows.append({"leg_id": f"{sid}a", "sortie_id": s.sortie_id, "role": "fleet", "icao24": s.icao24, "callsign": callsign,
                     "registration": s.registration, "typecode": "IL76", "origin": s.origin, "destination": s.far,
                     "off_block": off.floor("s"), "waypoints": _jitter(_route(origin, far), rng), "ground_s": s.ground_s, "back": s.back,
                     "note": f"scheduled for claim {s.claim}"})
    for k, d in enumerate(distractors):
        rows.append({"leg_id": f"D{k + 1:03d}a", "sortie_id": f"D{k + 1:03d}", "role": d["role"], "icao24": d["icao24"], "callsign": d["callsign"],
                     "registration": d["registration"], "typecode": d["typecode"], "origin": d["origin"], "destination": d["far"],
                     "off_block": d["off_block"], "waypoints": _jitter(_route(d["origin"], d["far"]), rng, 0.08), "ground_s": d["ground_s"],
                     "back": d["back"], "note": d["note"]})
    return schedule_frame(rows)


def _fly(out_legs: pd.DataFrame, fields: dict[str, Field], seed: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fly the outbound legs, then the return legs after each ground stay."""
    truth_a, legs_a = simulate_truth(out_legs, fields, seed=seed)
    back_rows: list[dict[str, object]] = []
    for leg in legs_a.itertuples():
        cs = str(leg.callsign)
        cs_back = cs if not cs[-1].isdigit() else cs[:-1] + str((int(cs[-1]) + 1) % 10)
        back_rows.append({"leg_id": str(leg.sortie_id) + "b", "sortie_id": leg.sortie_id, "role": leg.role, "icao24": leg.icao24, "callsign": cs_back,
                          "registration": leg.registration, "typecode": leg.typecode, "origin": leg.destination, "destination": leg.back,
                          "off_block": (as_timestamp(leg.landing_time) + pd.Timedelta(seconds=as_float(leg.ground_s))).floor("s"),
                          "waypoints": _jitter(_route(str(leg.destination), str(leg.back)), rng, 0.1), "ground_s": np.nan, "back": None, "note": leg.note})
    truth_b, legs_b = simulate_truth(schedule_frame(back_rows), fields, seed=seed + 1)
    truth = pd.concat([truth_a, truth_b], ignore_index=True)
    legs = pd.concat([legs_a, legs_b], ignore_index=True)
    return truth, legs


def _dark_legs(plan: pd.DataFrame, spec: WorldSpec, rng: np.random.Generator) -> set[str]:
    """Inbound legs that are lost en route (their aircraft is next seen departing)."""
    out: set[str] = set()
    fleet = plan[plan["selector"] == "silkway-il76"]
    for year in spec.dark_years:
        ids = fleet.loc[fleet["land_far"].dt.year == year, "sortie_id"].to_numpy()
        if len(ids):
            pick = rng.choice(ids, size=min(spec.dark_per_year, len(ids)), replace=False)
            out.update(f"{i}a" for i in sorted(pick))
    return out


def _elev_under(truth: pd.DataFrame, legs: pd.DataFrame, fields: dict[str, Field]) -> np.ndarray:
    """Terrain height under each truth point: the origin's elevation in the first half, the destination's after."""
    e = legs.set_index("leg_id")
    o = truth["leg_id"].map(e["origin"]).map(lambda c: fields[c].elevation_ft).to_numpy(dtype=float)
    d = truth["leg_id"].map(e["destination"]).map(lambda c: fields[c].elevation_ft).to_numpy(dtype=float)
    first_half = (truth["phase"].isin(["taxi_out", "takeoff"])).to_numpy() | (
        (truth["time"] < truth["leg_id"].map(e["takeoff_time"] + (e["landing_time"] - e["takeoff_time"]) / 2)).to_numpy()
    )
    return np.where(first_half, o, d)


def _period_of(t: pd.Series) -> np.ndarray:
    out = np.full(len(t), "", dtype=object)
    for a, b, name in _PERIODS:
        out[((t >= a) & (t < b)).to_numpy()] = name
    return out


def _background(spec: WorldSpec, rng: np.random.Generator) -> pd.DataFrame:
    """One regional overflight a day (10 minutes at FL350), so that covered days show traffic."""
    days = pd.date_range(spec.start, spec.end - pd.Timedelta(days=1), freq="D")
    pool = [f"4b{0x8100 + i:04x}" for i in range(12)] + [f"73{0x8200 + i:04x}" for i in range(6)]
    frames = []
    n = 61
    for k, d in enumerate(days):  # one short synthetic track per day
        lat0, lon0 = float(rng.uniform(33.0, 41.0)), float(rng.uniform(34.0, 48.0))
        brg = float(rng.uniform(0, 360))
        dist_km = np.linspace(0, 139.0, n)  # 450 kt for 10 minutes
        lat = lat0 + dist_km * np.cos(np.radians(brg)) / 111.2
        lon = lon0 + dist_km * np.sin(np.radians(brg)) / (111.2 * np.cos(np.radians(lat0)))
        t = d + pd.Timedelta(hours=float(rng.uniform(6, 20))) + pd.to_timedelta(np.arange(n) * 10, unit="s")
        frames.append(pd.DataFrame({
            "icao24": pool[k % len(pool)], "time": t.floor("s"), "lat": lat, "lon": lon, "alt_ft": 35000.0, "gs_kt": 450.0,
            "track_deg": brg, "vrate_fpm": 0.0, "on_ground": False, "callsign": f"BG{k % len(pool):03d}", "squawk": "2000",
            "registration": None, "typecode": "B738", "position_source": "adsb", "stale": False, "new_leg": False,
            "leg_id": f"BG{d:%Y%m%d}",
        }))
    bg = pd.concat(frames, ignore_index=True)
    keep = np.ones(len(bg), dtype=bool)
    for a, b in spec.outages:
        keep &= ~((bg["time"] >= a) & (bg["time"] < b)).to_numpy()
    return bg[keep].reset_index(drop=True)


# --------------------------------------------------------------------------- truth conditions


def _end_condition(vis: pd.DataFrame, leg: Any, fields: dict[str, Field], p: LegParams, *, arriving: bool) -> str:
    """The grade the visible points support at one end of one leg (the grade definitions of DESIGN.md)."""
    if len(vis) == 0:
        return "unseen"
    f = fields[leg.destination if arriving else leg.origin]
    half = leg.takeoff_time + (leg.landing_time - leg.takeoff_time) / 2
    side = vis[vis["time"] >= half] if arriving else vis[vis["time"] < half]
    if len(side) == 0:
        return "unknown"
    d = haversine_km(side["truth_lat"].to_numpy(), side["truth_lon"].to_numpy(), f.lat, f.lon)
    agl = side["alt_ft"].to_numpy(dtype=float) - f.elevation_ft
    og = side["on_ground"].to_numpy(dtype=bool)
    if ((og & (d <= p.observed_km)) | (~og & (agl <= p.observed_agl_ft) & (d <= p.observed_km))).any():
        return "observed"
    air = side[~og]
    if len(air) == 0:
        return "unknown"
    end = air.iloc[-1] if arriving else air.iloc[0]
    e_d = float(haversine_km(end["truth_lat"], end["truth_lon"], f.lat, f.lon))
    e_agl = float(end["alt_ft"]) - f.elevation_ft
    radius = p.inferred_base_km + p.inferred_km_per_kft * max(e_agl, 0.0) / 1000.0
    glide = e_agl <= p.glide_factor * (e_d / 1.852) * FT_PER_NM_GLIDE + 1500.0
    if e_agl <= p.inferred_max_agl_ft and e_d <= radius and glide:
        return "inferred"
    return "unknown"


def _conditions(observed_by_source: dict[str, pd.DataFrame], legs: pd.DataFrame, fields: dict[str, Field]) -> pd.DataFrame:
    p = LegParams()
    vis = pd.concat([o for o in observed_by_source.values() if len(o)], ignore_index=True)
    vis = vis[~vis["spoofed"]] if "spoofed" in vis else vis
    groups = dict(tuple(vis.groupby("leg_id", sort=False)))
    srcs: dict[str, list[str]] = {}
    for name, o in observed_by_source.items():
        for lid in o["leg_id"].unique():
            srcs.setdefault(lid, []).append(name)
    rows = []
    for leg in legs.itertuples():  # one row per leg
        lid = str(leg.leg_id)
        v = groups.get(lid, vis.iloc[0:0]).sort_values("time")
        rows.append({"leg_id": leg.leg_id, "origin_condition": _end_condition(v, leg, fields, p, arriving=False),
                     "destination_condition": _end_condition(v, leg, fields, p, arriving=True),
                     "n_visible": len(v), "sources": ",".join(sorted(set(srcs.get(lid, []))))})
    cond = pd.DataFrame(rows)
    # bridged: an unseen end whose aircraft was next (last) seen at that field
    lg = legs[["leg_id", "icao24", "origin", "destination", "off_block"]].merge(cond, on="leg_id").sort_values(["icao24", "off_block"]).reset_index(drop=True)
    strong = {"observed", "inferred"}
    for i in range(len(lg) - 1):  # one comparison per consecutive pair of legs
        a, b = lg.iloc[i], lg.iloc[i + 1]
        if a["icao24"] != b["icao24"] or a["destination"] != b["origin"]:
            continue
        if a["destination_condition"] == "unknown" and b["origin_condition"] in strong:
            lg.loc[i, "destination_condition"] = "bridged"
        if b["origin_condition"] == "unknown" and a["destination_condition"] in strong:
            lg.loc[i + 1, "origin_condition"] = "bridged"
    return lg[["leg_id", "origin_condition", "destination_condition", "n_visible", "sources"]]


# --------------------------------------------------------------------------- writing


def _gzip_file(path: Path) -> Path:
    gz = path.with_name(path.name + ".gz")
    with open(path, "rb") as src, open(gz, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as dst:
        shutil.copyfileobj(src, dst)
    path.unlink()
    return gz


def _write_period_files(data: Path, pts: pd.DataFrame, period: str) -> list[Path]:
    from flighttrace.sim.writers import write_state_vectors_csv, write_state_vectors_parquet, write_trace

    written: list[Path] = []
    if len(pts) == 0:
        return written
    if period in ("opensky_csv", "opensky_parquet"):
        month = pts["time"].dt.strftime("%Y-%m").to_numpy()
        for m in sorted(set(month)):  # one file per month
            sub = quantised_points(pts[month == m])
            if period == "opensky_csv":
                path = data / "opensky" / f"states_{m}.csv"
                write_state_vectors_csv(sub, path)
                written.append(_gzip_file(path))
            else:
                path = data / "opensky" / f"states_{m}.parquet"
                write_state_vectors_parquet(sub, path)
                written.append(path)
    else:
        day = pts["time"].dt.strftime("%Y/%m/%d").to_numpy()
        key = pd.Series(day).str.cat(pts["icao24"].astype(str).tolist(), sep="|").to_numpy()
        for k in sorted(set(key)):  # one trace file per aircraft-day, as readsb writes them
            d, h = k.split("|")
            sub = quantised_points(pts[key == k])
            reg = sub["registration"].dropna()
            typ = sub["typecode"].dropna()
            path = data / "adsblol" / d / "traces" / h[-2:] / f"trace_full_{h}.json"
            write_trace(sub, path, registration=str(reg.iloc[0]) if len(reg) else None, typecode=str(typ.iloc[0]) if len(typ) else None,
                        db_flags=1 if h == "600881" else 0)
            written.append(path)
    return written


def build_world(
    scenario: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    spec: WorldSpec = OVDA_SPEC,
    progress: ProgressArg = False,
    command: str | None = None,
) -> dict[str, Any]:
    """Simulate the world of a scenario and write it, with its truth, to ``out_dir``.

    Parameters
    ----------
    scenario
        Path of the scenario YAML (its claims schedule the fleet's sorties).
    out_dir
        Folder to write: new, empty, or written by flighttrace before
        (:mod:`flighttrace.outdir`; only the files of that earlier run are replaced).
    spec
        The world's settings (period, receivers, outages, spoofing, seed).
    progress
        Progress bar or callable.
    command
        The command line, recorded in the folder's stamp.

    Returns
    -------
    dict
        Counts: sorties per period, legs, files per format, bytes.

    Notes
    -----
    Deterministic: the same scenario, spec and flighttrace version give the
    same bytes (gzip without names or times, Parquet without timestamps).
    """
    from flighttrace.scenario import load_scenario

    scn = load_scenario(scenario)
    target = output_folder(out_dir, inputs=[scenario], command=command or f"flighttrace.kinds.sorties.world.build_world({Path(scenario).as_posix()!r})")
    rng = np.random.default_rng(spec.seed)
    with target.writing() as root, Progress(progress, "world: planning", 7) as bar:
        data = root / "data"
        data.mkdir(parents=True)
        plan = plan_fleet_sorties(scn, spec, rng)
        reg_of = {a.hex.lower(): a.registration for a in scn.fleet.aircraft if a.hex}
        fleet_hexes = [h.lower() for h in scn.selector("silkway-il76").hexes]
        distractors = plan_distractors(spec, rng, fleet_hexes, reg_of)
        codes = {"UBBB", "UBBG", "UBBN", "LLOV", "LLER", "LLBG", "LTAC", "LTFM", "UKBB"}
        fields = _fields(codes)
        bar.advance(1, "world: flying")
        out_legs = _legs_from_plan(plan, distractors, fields, rng)
        truth, legs = _fly(out_legs, fields, spec.seed, rng)
        bar.advance(1, "world: coverage")
        elev = _elev_under(truth, legs, fields)
        model = CoverageModel(spec.receivers, mlat_hexes=spec.mlat_hexes, spoof=spec.spoof, outages=spec.outages)
        obs = observe(truth, model, field_elev_ft=elev, seed=spec.seed)
        dark = _dark_legs(plan, spec, rng)
        if dark:
            gone = obs["leg_id"].isin(dark).to_numpy() & (obs["truth_lat"] < spec.dark_south_of).to_numpy()
            obs = obs[~gone].reset_index(drop=True)
        obs["period"] = _period_of(obs["time"])
        bar.advance(1, "world: sampling")
        observed_by_source: dict[str, pd.DataFrame] = {}
        files: dict[str, list[Path]] = {}
        bg = _background(spec, rng)
        bg["truth_lat"], bg["truth_lon"], bg["spoofed"] = bg["lat"], bg["lon"], False
        bg["period"] = _period_of(bg["time"])
        for period in dict.fromkeys(p for _, _, p in _PERIODS):
            src: Literal["readsb", "opensky"] = "readsb" if period == "readsb" else "opensky"
            part = obs[obs["period"] == period]
            s = sample(part, src, seed=spec.seed) if len(part) else part
            observed_by_source[period] = s
            b = bg[bg["period"] == period]
            b = sample(b, src, seed=spec.seed) if len(b) else b
            files[period] = _write_period_files(data, pd.concat([s, b], ignore_index=True), period)
        bar.advance(1, "world: reporter's exports")
        files["fr24"] = _fr24_exports(plan, legs, truth, fields, spec, data, observed_by_source)
        files["sbs"] = _sbs_log(plan, legs, truth, fields, spec, data, observed_by_source)
        bar.advance(1, "world: truth")
        cond = _conditions(observed_by_source, legs, fields)
        _write_truth(root, plan, legs, cond, spec, scn, bg)
        bar.advance(1, "world: manifest")
        summary = _write_manifest(root, files, plan, legs, cond, spec, scenario)
        bar.advance(1, "world: done")
    return summary


def _fr24_exports(plan: pd.DataFrame, legs: pd.DataFrame, truth: pd.DataFrame, fields: dict[str, Field], spec: WorldSpec, data: Path,
                  observed_by_source: dict[str, pd.DataFrame]) -> list[Path]:
    """FlightRadar24 exports: the AP window (CSV) and the April 2016 war (KML), from FR24's own network."""
    from flighttrace.sim.writers import write_fr24_csv, write_fr24_kml

    fr_model = CoverageModel(spec.fr24_receivers, mlat_hexes=spec.mlat_hexes, spoof=spec.spoof, outages=())
    ap = plan[(plan["land_far"] >= _ts("2023-09-01")) & (plan["land_far"] < _ts("2023-09-18"))]["sortie_id"]
    apr16 = plan[(plan["land_far"] >= _ts("2016-04-01")) & (plan["land_far"] < _ts("2016-04-07")) & (plan["selector"] == "silkway-il76")]["sortie_id"].head(1)
    fr_legs = legs[legs["sortie_id"].isin(set(ap) | set(apr16))]
    fr_truth = truth[truth["leg_id"].isin(set(fr_legs["leg_id"]))]
    fr_obs = observe(fr_truth, fr_model, field_elev_ft=_elev_under(fr_truth, legs, fields), seed=spec.seed + 7)
    fr_obs = sample(fr_obs, "fr24", seed=spec.seed)
    observed_by_source["fr24"] = fr_obs
    files: list[Path] = []
    for leg in fr_legs.itertuples():  # one export per leg, as FR24 offers them
        sub = quantised_points(fr_obs[fr_obs["leg_id"] == leg.leg_id])
        if len(sub) == 0:
            continue
        day = as_timestamp(leg.off_block).strftime("%Y-%m-%d")
        stem = f"{leg.callsign}_hex{leg.icao24}_{day}"
        if leg.sortie_id in set(apr16) and str(leg.leg_id).endswith("a"):
            p = data / "fr24" / f"{stem}.kml"
            callsign = str(leg.callsign)
            write_fr24_kml(sub, p, flight=callsign.replace("AZQ", "ZP"), callsign=callsign, registration=as_text(leg.registration), typecode="IL76")
        else:
            p = data / "fr24" / f"{stem}.csv"
            write_fr24_csv(sub, p)
        files.append(p)
    return files


def _sbs_log(plan: pd.DataFrame, legs: pd.DataFrame, truth: pd.DataFrame, fields: dict[str, Field], spec: WorldSpec, data: Path,
             observed_by_source: dict[str, pd.DataFrame]) -> list[Path]:
    """One home receiver's BaseStation log near Eilat (readsb style: times in UTC)."""
    from flighttrace.sim.writers import write_sbs

    sbs_day = plan[(plan["land_far"] >= _ts("2023-09-01")) & (plan["land_far"] < _ts("2023-09-18"))]
    if not len(sbs_day):
        return []
    sid = sbs_day["sortie_id"].iloc[0]
    lg = legs[legs["sortie_id"] == sid]
    t0 = lg["landing_time"].min() - pd.Timedelta(minutes=25)
    t1 = lg["takeoff_time"].max() + pd.Timedelta(minutes=15)
    rx = Receiver("eilat-home", 29.56, 34.95, 15.0, max_km=200.0)
    near = truth[(truth["time"] >= t0) & (truth["time"] <= t1) & truth["leg_id"].isin(set(lg["leg_id"]))]
    sbs_obs = observe(near, CoverageModel((rx,), dropout=0.05), field_elev_ft=np.full(len(near), fields["LLOV"].elevation_ft), seed=spec.seed + 9)
    sbs_obs = sbs_obs.iloc[::2]  # the log keeps every other second
    sbs_obs = sbs_obs.assign(stale=False, new_leg=False)
    observed_by_source["sbs"] = sbs_obs
    p = data / "sbs" / f"eilat_{t0:%Y-%m-%d}.sbs"
    write_sbs(quantised_points(sbs_obs), p, style="readsb")
    return [p]


def _write_truth(root: Path, plan: pd.DataFrame, legs: pd.DataFrame, cond: pd.DataFrame, spec: WorldSpec, scn: Any, bg: pd.DataFrame) -> None:
    tdir = root / "truth"
    tdir.mkdir(parents=True, exist_ok=True)
    lg = legs.drop(columns=["waypoints"]).merge(cond, on="leg_id", how="left")
    cols = ["leg_id", "sortie_id", "role", "icao24", "registration", "callsign", "typecode", "origin", "destination", "off_block",
            "takeoff_time", "landing_time", "on_block", "origin_condition", "destination_condition", "n_visible", "sources", "note"]
    g = bg.groupby("leg_id", sort=True)
    over = pd.DataFrame({
        "leg_id": g["time"].min().index, "sortie_id": "", "role": "background", "icao24": g["icao24"].first().to_numpy(),
        "registration": None, "callsign": g["callsign"].first().to_numpy(), "typecode": "B738", "origin": None, "destination": None,
        "off_block": g["time"].min().to_numpy(), "takeoff_time": pd.NaT, "landing_time": pd.NaT, "on_block": g["time"].max().to_numpy(),
        "origin_condition": "unknown", "destination_condition": "unknown", "n_visible": g.size().to_numpy(), "sources": "",
        "note": "10-minute overflight at FL350 (background traffic)",
    })
    for c in ("off_block", "on_block", "takeoff_time", "landing_time"):
        over[c] = pd.to_datetime(over[c], utc=True)
    lg = pd.concat([lg[cols], over[cols]], ignore_index=True)
    lg = lg.sort_values(["off_block", "leg_id"], kind="stable")
    write_csv(_fmt_times(lg), tdir / "legs.csv")
    a = legs[legs["leg_id"].str.endswith("a")].set_index("sortie_id")
    b = legs[legs["leg_id"].str.endswith("b")].set_index("sortie_id")
    s = pd.DataFrame({
        "sortie_id": a.index,
        "role": a["role"].to_numpy(),
        "icao24": a["icao24"].to_numpy(),
        "registration": a["registration"].to_numpy(),
        "origin": a["origin"].to_numpy(),
        "far": a["destination"].to_numpy(),
        "back": b.loc[a.index, "destination"].to_numpy(),
        "out_leg": (a.index + "a").to_numpy(),
        "back_leg": (a.index + "b").to_numpy(),
        "land_far": a["landing_time"].to_numpy(),
        "depart_far": b.loc[a.index, "takeoff_time"].to_numpy(),
    })
    s["ground_s"] = (pd.to_datetime(s["depart_far"], utc=True) - pd.to_datetime(s["land_far"], utc=True)).dt.total_seconds().round()
    s = s.merge(plan[["sortie_id", "selector", "claim"]], on="sortie_id", how="left")
    s = s.sort_values("land_far", kind="stable")
    write_csv(_fmt_times(s), tdir / "sorties.csv")
    days = pd.date_range(spec.start, spec.end - pd.Timedelta(days=1), freq="D")
    covered = np.ones(len(days), dtype=bool)
    for a_, b_ in spec.outages:
        covered &= ~((days >= a_) & (days < b_))
    write_csv(pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "has_data": covered}), tdir / "coverage.csv")


def _fmt_times(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def _write_manifest(root: Path, files: dict[str, list[Path]], plan: pd.DataFrame, legs: pd.DataFrame, cond: pd.DataFrame,
                    spec: WorldSpec, scenario: str | os.PathLike[str]) -> dict[str, Any]:
    all_files = world_files(root)
    fleet = plan
    per_year = fleet["land_far"].dt.year.value_counts().sort_index()
    summary = {
        "sorties_to_far_field": int(len(fleet)),
        "sorties_per_year": {str(k): int(v) for k, v in per_year.items()},
        "legs": int(len(legs)),
        "files": {k: len(v) for k, v in files.items()},
        "bytes": int(sum(p.stat().st_size for p in all_files)),
    }
    write_marker(root, all_files, generator="flighttrace.kinds.sorties.world.build_world", scenario=scenario, seed=spec.seed, summary=summary)
    return summary


def verify_world(root: str | os.PathLike[str]) -> list[str]:
    """Files of a world whose bytes no longer match ``synthetic.json`` (empty when intact)."""
    root = Path(root)
    doc = json.loads((root / SYNTHETIC_MANIFEST).read_text(encoding="utf-8"))
    bad = [rel for rel, sha in doc["files"].items() if not (root / rel).exists() or sha256_file(root / rel) != sha]
    return sorted(bad)
