"""Adversarial worlds: small simulated worlds built to fool a verdict, each with the truth of what the data can know.

Each world is a few days of a small fleet (two Il-76s flying Baku → Ovda → Baku)
among local traffic, written in real formats (readsb traces in an adsb.lol
day layout; a second feed as OpenSky state vectors where one is needed), with
a scenario file whose claims probe one weakness, and ``truth/claims.csv``
saying for each claim whether it is **true** in the world and whether the data
**can know** it. A verdict must never be ``contradicted`` where the data could
not know, nor ``supported`` where the claim is false.

:data:`SORTIES_WORLDS` (built by :func:`build_sorties_adversary`):

``dark``
    the fleet's transponders are off for days 5–9 while it keeps flying;
``no_far_receiver``
    no receiver in southern Israel: nothing within about 300 km of Ovda is heard;
``mlat_fleet``
    the fleet broadcasts no ADS-B position; it is located only where MLAT
    works (three receivers), never in the low airspace at Ovda, where other
    traffic is heard by ADS-B;
``decoy``
    another Il-76 of the same national block flies the same route under the
    fleet's callsign prefix, and one track is a copy of a fleet leg replayed
    two days later under a third address;
``clock``
    a second feed whose clock runs three days late repeats the fleet's
    flights on the wrong days.

:func:`build_short_closure` builds the airport-disruption world: Zhukovsky
closes for 40 minutes, shorter than any closure its traffic can show.
(The missing archive hour is the shipped Moscow world's own:
``fixtures/moscow``, 28 February 2026, 09:00 UTC; :func:`missing_hour_world`
copies that world with four Vnukovo rotations of the morning taken out, so that
a real two-hour stop straddles the missing hour.)

EVERYTHING WRITTEN HERE IS SYNTHETIC; ``synthetic.json`` lists every file.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.hashing import sha256_file
from flighttrace.sim.kinematics import (
    CoverageModel,
    Field,
    Receiver,
    observe,
    quantised_points,
    sample,
    schedule_frame,
    simulate_truth,
)

__all__ = [
    "SHORT_CLOSURE_CLAIMS",
    "SORTIES_WORLDS",
    "TRUTH_COLUMNS",
    "ClaimTruth",
    "SortiesAdversary",
    "build_short_closure",
    "build_sorties_adversary",
    "missing_hour_world",
    "STOP_CANCELLED",
]

TRUTH_COLUMNS: Final[tuple[str, ...]] = ("claim_id", "true", "knowable", "why")
"""Columns of ``truth/claims.csv``."""

FLEET: Final = ("600864", "600865")
_DAY0: Final = pd.Timestamp("2024-03-01", tz="UTC")
_AZ_OVDA: Final = [(41.55, 45.1), (40.4, 41.5), (38.8, 35.6), (35.6, 33.6), (32.3, 34.55), (31.9, 35.45), (30.8, 35.25)]
_OVDA_AZ: Final = [(31.4, 34.85), (32.7, 34.95), (36.9, 35.1), (39.6, 40.5), (41.5, 45.3)]
_EN_ROUTE: Final = (
    Receiver("baku", 40.40, 49.86, 40.0, max_km=250.0), Receiver("ganja", 40.68, 46.36, 30.0, max_km=250.0),
    Receiver("tbilisi", 41.72, 44.78, 40.0, max_km=250.0), Receiver("erzurum", 39.90, 41.27, 30.0, max_km=250.0),
    Receiver("kayseri", 38.72, 35.49, 30.0, max_km=250.0), Receiver("ankara", 39.93, 32.86, 40.0, max_km=250.0),
    Receiver("nicosia", 35.17, 33.36, 40.0, max_km=250.0),
)
_TEL_AVIV: Final = Receiver("telaviv", 32.08, 34.78, 60.0, max_km=250.0)
_NEAR_OVDA: Final = (Receiver("beersheba", 31.25, 34.79, 40.0, max_km=250.0), Receiver("eilat", 29.56, 34.95, 20.0, max_km=250.0))


@dataclass(frozen=True)
class ClaimTruth:
    """A claim of an adversarial world and its truth.

    Attributes
    ----------
    id, statement
        The claim.
    days
        First and last day (inclusive) of the window, counted from the world's day 0.
    subject, test
        As in a scenario file.
    true
        Whether the claim holds in the world.
    knowable
        Whether the data, as written, can show it: False where the receivers,
        the fleet's transponders or the clock hide what happened.
    why
        The truth in words.
    """

    id: str
    statement: str
    days: tuple[int, int]
    subject: dict[str, Any]
    test: dict[str, Any]
    true: bool
    knowable: bool
    why: str


@dataclass(frozen=True)
class SortiesAdversary:
    """An adversarial sorties world (see the module docs).

    Attributes
    ----------
    name
        Folder and scenario name.
    days
        Days simulated (day 0 is 1 March 2024).
    sortie_days
        Days with a fleet round trip Baku → Ovda → Baku (the two aircraft take turns).
    hop_days
        Days on which the other aircraft flies Baku → Ganja → Baku in the evening.
    dark
        ``[first, last)`` days on which the fleet is not heard at all.
    far_receivers
        Receivers in southern Israel (Tel Aviv, Beersheba, Eilat); without them nothing is heard within
        about 300 km of Ovda.
    mlat_fleet
        The fleet broadcasts no position (MLAT only).
    decoy_days
        Days on which a lookalike (600871, callsign AZQ9001) flies the same round trip.
    replay
        (sortie number, shift in days): that sortie's inbound leg is copied, positions unchanged,
        under address 600872, the given number of days later.
    clock_shift_days
        A second feed (OpenSky state vectors) of the same traffic with its clock this many days late.
    claims
        The claims and their truth.
    seed
        Seed of every random choice.
    """

    name: str
    days: int
    sortie_days: tuple[int, ...]
    claims: tuple[ClaimTruth, ...]
    hop_days: tuple[int, ...] | None = None
    dark: tuple[int, int] | None = None
    far_receivers: bool = True
    mlat_fleet: bool = False
    decoy_days: tuple[int, ...] = ()
    replay: tuple[int, float] | None = None
    clock_shift_days: float = 0.0
    seed: int = 15
    extra: dict[str, Any] = field(default_factory=dict)


def _at_least(n: int) -> dict[str, Any]:
    """The test "at least ``n``" of a scenario file."""
    return {"kind": "count_at_least", "value": n}


def _at_most(n: int) -> dict[str, Any]:
    """The test "at most ``n``" of a scenario file."""
    return {"kind": "count_at_most", "value": n}


def _landings(cid: str, days: tuple[int, int], test: dict[str, Any], true: bool, knowable: bool, why: str, **subject: Any) -> ClaimTruth:
    subj = {"unit": "landings", "fleet": "fleet", "airport": "LLOV", **subject}
    return ClaimTruth(cid, f"{cid} (adversarial test claim)", days, subj, test, true, knowable, why)


SORTIES_WORLDS: Final[dict[str, SortiesAdversary]] = {
    "dark": SortiesAdversary(
        "dark", 12, tuple(range(1, 11)), dark=(5, 10),
        claims=(
            _landings("dark-5-in-days-5-9", (5, 9), _at_least(5), True, False,
                      "five landings happened on days 5-9 with the transponders off: nothing could be heard"),
            _landings("dark-at-most-1-in-days-5-9", (5, 9), _at_most(1), False, False,
                      "five landings happened unheard: the claim is false, and the data cannot show it"),
            _landings("dark-9-in-days-1-10", (1, 10), _at_least(9), True, False, "ten landings, five of them unheard: the data shows five"),
            _landings("dark-4-in-days-1-4", (1, 4), _at_least(4), True, True, "four landings, all heard"),
            _landings("dark-every-2-days", (1, 10), {"kind": "mean_interval", "max": "2d"}, True, False,
                      "one landing a day; the silent days hide half of them"),
        ),
    ),
    "no_far_receiver": SortiesAdversary(
        "no_far_receiver", 8, (1, 2, 3, 4, 5, 6), far_receivers=False,
        claims=(
            _landings("far-6-landings", (1, 6), _at_least(6), True, False, "six landings; nothing near Ovda is heard below about 10,000 ft"),
            _landings("far-9-landings", (1, 6), _at_least(9), False, False, "six landings, not nine; but the data cannot see landings at Ovda at all"),
            _landings("far-at-most-2", (1, 6), _at_most(2), False, False, "six landings happened; the data cannot see them"),
            ClaimTruth("far-stay-2-3h", "far-stay-2-3h (adversarial test claim)", (1, 6), {"unit": "sorties", "fleet": "fleet", "route": "rt"},
                       {"kind": "ground_time", "airport": "LLOV", "min": "2h", "max": "3h", "statistic": "median"}, True, False,
                       "every stay lasts 2.5 h; landings and take-offs at Ovda are not heard"),
        ),
    ),
    "mlat_fleet": SortiesAdversary(
        "mlat_fleet", 8, (1, 2, 3, 4, 5, 6), mlat_fleet=True,
        claims=(
            _landings("mlat-6-landings", (1, 6), _at_least(6), True, False,
                      "six landings by aircraft seen only by MLAT, which no receiver set near Ovda provides"),
            _landings("mlat-at-most-2", (1, 6), _at_most(2), False, False, "six landings happened; MLAT does not reach Ovda"),
            _landings("mlat-8-landings", (1, 6), _at_least(8), False, False, "six landings, not eight; the data cannot see landings at Ovda"),
        ),
    ),
    "decoy": SortiesAdversary(
        "decoy", 9, (1, 3, 5, 7), decoy_days=(2, 4, 6), replay=(1, 2.0),
        claims=(
            _landings("decoy-6-fleet-landings", (1, 7), _at_least(6), False, True,
                      "the fleet landed four times; three more landings are the lookalike's, one a replayed track"),
            _landings("decoy-4-fleet-landings", (1, 7), _at_least(4), True, True, "the fleet landed four times"),
            _landings("decoy-at-most-4", (1, 7), _at_most(4), True, True,
                      "the fleet landed four times; the lookalike's and the replayed landings are not the fleet's"),
        ),
    ),
    "clock": SortiesAdversary(
        "clock", 10, (1, 2, 3, 4), clock_shift_days=3.0,
        claims=(
            _landings("clock-6-in-days-1-8", (1, 8), _at_least(6), False, True, "four landings on days 1-4; a feed with a slow clock repeats them on days 4-7"),
            _landings("clock-at-most-4-in-days-1-9", (1, 9), _at_most(4), True, True, "four landings; the late feed's copies are not flights"),
            _landings("clock-1-in-days-5-7", (5, 7), _at_least(1), False, True, "no flight on days 5-7; the late feed shows copies of days 2-4 there"),
        ),
    ),
}
"""The adversarial sorties worlds, by name."""


def _fields() -> dict[str, Field]:
    from flighttrace.reference.airports import AirportIndex

    idx = AirportIndex.default()
    out = {}
    for c in ("UBBB", "UBBG", "LLOV", "LLER", "LLBG"):
        a = idx.get(c)
        out[c] = Field(a.code, a.lat, a.lon, 0.0 if np.isnan(a.elevation_ft) else float(a.elevation_ft))
    return out


def _day(d: float) -> pd.Timestamp:
    return _DAY0 + pd.Timedelta(days=d)


_SIM_SOURCES: Final = [{"id": "sim", "outlet": "flighttrace simulator", "title": "adversarial world", "url": "https://example.org/",
                        "access": "original", "confidence": "estimate"}]
"""The one source every adversarial world's claims cite."""


def _fresh(out_dir: str | os.PathLike[str]) -> Path:
    """``out_dir`` made, or emptied when it is a world this module wrote before.

    A folder is emptied only when its ``synthetic.json`` lists every file
    in it (a world written here, untouched since); any other non-empty
    folder is refused with :class:`flighttrace.outdir.OutputFolderError`
    before anything is written, so no file flighttrace did not write is
    ever removed.
    """
    from flighttrace.outdir import OutputFolderError

    root = Path(out_dir)
    if root.exists() and any(root.iterdir()):
        try:
            listed = set(json.loads((root / "synthetic.json").read_text(encoding="utf-8"))["files"])
        except (OSError, ValueError, KeyError, TypeError):
            listed = None
        present = {p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir()} - {"synthetic.json"}
        if listed is None or not present <= listed:
            raise OutputFolderError(f"{root} holds files this world did not write; nothing was written: give a new or empty folder")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    return root


def _claim_doc(c: ClaimTruth, window: dict[str, str], source: str = "sim") -> dict[str, Any]:
    """A claim of the world as a scenario file writes it."""
    return {"id": c.id, "statement": c.statement, "source": source, "record": "published", "window": window, "subject": c.subject, "test": c.test}


def _truth_rows(claims: tuple[ClaimTruth, ...]) -> list[dict[str, Any]]:
    return [{"claim_id": c.id, "true": c.true, "knowable": c.knowable, "why": c.why} for c in claims]


def _write_truth(root: Path, rows: list[dict[str, Any]]) -> Path:
    """``truth/claims.csv`` (:data:`TRUTH_COLUMNS`) under ``root``."""
    tdir = root / "truth"
    tdir.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=list(TRUTH_COLUMNS)).to_csv(tdir / "claims.csv", index=False, lineterminator="\n")
    return tdir / "claims.csv"


def _schedule(spec: SortiesAdversary) -> list[dict[str, Any]]:
    """Every leg of the world: the fleet's round trips and hops, the lookalike's, local shuttles, hourly overflights.

    Each leg's route points are moved a little at random and its wind drawn at random, as no two real
    flights follow the same track at the same speed.
    """
    rows: list[dict[str, Any]] = []
    rng = np.random.default_rng(spec.seed)

    def leg(lid: str, hexa: str, cs: str, typ: str, a: str, b: str, off: pd.Timestamp, role: str, wp: list[Any] | None = None, **kw: Any) -> None:
        pts = [(la + rng.normal(0, 0.08), lo + rng.normal(0, 0.08)) for la, lo in (wp or [])]
        rows.append({"leg_id": lid, "icao24": hexa, "callsign": cs, "registration": None, "typecode": typ, "origin": a, "destination": b,
                     "off_block": off, "waypoints": pts, "role": role, "wind_kt": float(rng.normal(0, 20)), **kw})

    for k, d in enumerate(spec.sortie_days):  # one round trip per sortie day, the aircraft taking turns
        hexa = FLEET[k % 2]
        out = _day(d) + pd.Timedelta(hours=4, minutes=30)
        leg(f"S{k + 1}a", hexa, f"AZQ{4000 + 2 * k}", "IL76", "UBBB", "LLOV", out, "fleet", list(_AZ_OVDA))
        leg(f"S{k + 1}b", hexa, f"AZQ{4001 + 2 * k}", "IL76", "LLOV", "UBBB", out + pd.Timedelta(hours=6, minutes=15), "fleet", list(_OVDA_AZ))
    hops = spec.hop_days if spec.hop_days is not None else tuple(range(spec.days))
    for d in hops:  # the other aircraft hops to Ganja and back in the evening: the fleet is heard every day
        hexa = FLEET[(list(spec.sortie_days).index(d) + 1) % 2] if d in spec.sortie_days else FLEET[d % 2]
        leg(f"H{d}a", hexa, "AZQ7100", "IL76", "UBBB", "UBBG", _day(d) + pd.Timedelta(hours=17), "fleet-hop", [(40.9, 48.2)])
        leg(f"H{d}b", hexa, "AZQ7101", "IL76", "UBBG", "UBBB", _day(d) + pd.Timedelta(hours=19, minutes=30), "fleet-hop", [(40.3, 48.0)])
    for k, d in enumerate(spec.decoy_days):
        out = _day(d) + pd.Timedelta(hours=5)
        leg(f"D{k + 1}a", "600871", f"AZQ{9001 + 2 * k}", "IL76", "UBBB", "LLOV", out, "decoy", list(_AZ_OVDA))
        leg(f"D{k + 1}b", "600871", f"AZQ{9002 + 2 * k}", "IL76", "LLOV", "UBBB", out + pd.Timedelta(hours=6), "decoy", list(_OVDA_AZ))
    for d in range(spec.days):  # local shuttles every four hours: Ben Gurion → Ramon (past Ovda) and Baku → Ganja
        for h in range(0, 24, 4):
            t = _day(d) + pd.Timedelta(hours=h, minutes=10)
            leg(f"R{d}-{h}", "738d24", "ISR201", "A320", "LLBG", "LLER", t, "local", [(31.0, 34.95)])
            leg(f"B{d}-{h}", "4b8101", "THY101", "A320", "UBBB", "UBBG", t + pd.Timedelta(minutes=40), "local", [(40.6, 48.1)])
    return rows


def _overflights(spec: SortiesAdversary) -> pd.DataFrame:
    """One 10-minute overflight at FL350 every hour between Turkey and the Caspian (background traffic)."""
    frames = []
    n = 61
    for h in range(spec.days * 24):  # one short track per hour
        t0 = _day(0) + pd.Timedelta(hours=h, minutes=20)
        lat = 39.0 + np.linspace(0, 1.2, n)
        lon = 40.0 + (h % 7) + np.linspace(0, 0.5, n)
        frames.append(pd.DataFrame({
            "leg_id": f"O{h}", "icao24": f"4b82{h % 16:02x}", "callsign": f"BG{h % 16:03d}", "registration": None, "typecode": "B738",
            "time": t0 + pd.to_timedelta(np.arange(n) * 10, unit="s"), "lat": lat, "lon": lon, "alt_ft": 35000.0, "gs_kt": 450.0,
            "track_deg": 20.0, "vrate_fpm": 0.0, "on_ground": False, "phase": "airborne", "squawk": "2000",
        }))
    return pd.concat(frames, ignore_index=True)


def _observed(spec: SortiesAdversary, truth: pd.DataFrame, legs: pd.DataFrame, fields: dict[str, Field]) -> pd.DataFrame:
    # an MLAT fleet is located only where three receivers hear it: without Tel Aviv, only two reach the low airspace at Ovda
    receivers = _EN_ROUTE + (((() if spec.mlat_fleet else (_TEL_AVIV,)) + _NEAR_OVDA) if spec.far_receivers else ())
    model = CoverageModel(receivers, mlat_hexes=frozenset(FLEET) if spec.mlat_fleet else frozenset(), dropout=0.02)
    dest = truth["leg_id"].map(legs.set_index("leg_id")["destination"]).map(lambda c: fields[c].elevation_ft if isinstance(c, str) else 0.0)
    obs = observe(truth, model, field_elev_ft=dest.fillna(0.0).to_numpy(dtype=float), seed=spec.seed)
    if spec.dark is not None:
        a, b = _day(spec.dark[0]), _day(spec.dark[1])
        off = obs["icao24"].isin(FLEET).to_numpy() & (obs["time"] >= a).to_numpy() & (obs["time"] < b).to_numpy()
        obs = obs[~off].reset_index(drop=True)
    if spec.replay is not None:
        k, shift = spec.replay
        copy = obs[obs["leg_id"] == f"S{k}a"].copy()
        copy["time"] = copy["time"] + pd.Timedelta(days=shift)
        copy["icao24"], copy["callsign"], copy["leg_id"] = "600872", "AZQ9901", "REPLAY"
        obs = pd.concat([obs, copy], ignore_index=True)
    return obs


def _write_traces(data: Path, pts: pd.DataFrame) -> list[Path]:
    from flighttrace.sim.writers import write_trace

    written = []
    day = pts["time"].dt.strftime("%Y/%m/%d").to_numpy()
    key = (pd.Series(day, dtype=object) + "|" + pts["icao24"].astype(str).to_numpy()).to_numpy()
    for k in sorted(set(key)):  # one trace file per aircraft-day, as readsb writes them
        d, h = k.split("|")
        sub = quantised_points(pts[key == k], speeds=False)
        typ = sub["typecode"].dropna()
        path = data / "adsblol" / d / "traces" / h[-2:] / f"trace_full_{h}.json"
        write_trace(sub, path, typecode=str(typ.iloc[0]) if len(typ) else None)
        written.append(path)
    return written


def _scenario(spec: SortiesAdversary) -> dict[str, Any]:
    end = _day(spec.days - 1)
    return {
        "version": 1,
        "meta": {"title": f"Adversarial world: {spec.name}", "summary": "Synthetic adversarial world for the verdict tests.", "synthetic": True,
                 "sources": _SIM_SOURCES},
        "fleet": {"aircraft": [{"hex": h, "registration": f"4K-AZ{100 + i}", "type": "IL76"} for i, h in enumerate(FLEET)],
                  "selectors": [{"id": "fleet", "hexes": list(FLEET)}]},
        "airports": {"codes": ["UBBB", "UBBG", "LLOV", "LLER", "LLBG"], "groups": {"home": ["UBBB", "UBBG"]}},
        "routes": [{"id": "rt", "sequence": ["home", "LLOV", "home"], "max_ground_time": "12h", "max_leg_duration": "8h"}],
        "claims": [_claim_doc(c, {"start": f"{_day(c.days[0]):%Y-%m-%d}", "end": f"{min(_day(c.days[1]), end):%Y-%m-%d}"}) for c in spec.claims],
    }


def _finish(root: Path, doc: dict[str, Any], claims: list[dict[str, Any]], legs: pd.DataFrame | None) -> dict[str, Any]:
    """Write the scenario, the truth and ``synthetic.json``; return the paths."""
    import yaml

    (root / "scenario.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    truth = _write_truth(root, claims)
    if legs is not None:
        lg = legs.drop(columns=[c for c in ("waypoints",) if c in legs.columns])
        lg.to_csv(truth.parent / "legs.csv", index=False, lineterminator="\n")
    _stamp_synthetic(root)
    return {"root": root, "scenario": root / "scenario.yaml", "data": root / "data", "truth": truth}


def _stamp_synthetic(root: Path) -> None:
    """``synthetic.json``: the world is simulated, with the SHA-256 of every file in it."""
    files = {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(root.rglob("*")) if p.is_file()}
    (root / "synthetic.json").write_text(json.dumps({"synthetic": True, "warning": "Every file here was made by flighttrace's simulator.",
                                                     "files": files}, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def build_sorties_adversary(spec: SortiesAdversary | str, out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Build an adversarial sorties world (:data:`SORTIES_WORLDS`) with its scenario and truth in ``out_dir``.

    Parameters
    ----------
    spec
        The world, or its name in :data:`SORTIES_WORLDS`.
    out_dir
        Folder to (re)create; everything in it is replaced.

    Returns
    -------
    dict
        ``root``, ``scenario`` (the scenario file), ``data`` (the input folder), ``truth`` (``truth/claims.csv``).
    """
    spec = SORTIES_WORLDS[spec] if isinstance(spec, str) else spec
    root = _fresh(out_dir)
    data = root / "data"
    data.mkdir()
    fields = _fields()
    truth, legs = simulate_truth(schedule_frame(_schedule(spec)), fields, seed=spec.seed)
    obs = _observed(spec, truth, legs, fields)
    bg = _overflights(spec).assign(position_source="adsb", n_receivers=3, spoofed=False)
    bg["truth_lat"], bg["truth_lon"] = bg["lat"], bg["lon"]
    pts = pd.concat([sample(obs, "readsb", seed=spec.seed), sample(bg, "readsb", seed=spec.seed)], ignore_index=True)
    _write_traces(data, pts)
    if spec.clock_shift_days:
        from flighttrace.sim.writers import write_state_vectors_parquet

        late = sample(obs, "opensky", seed=spec.seed + 1)
        late["time"] = late["time"] + pd.Timedelta(days=spec.clock_shift_days)
        write_state_vectors_parquet(quantised_points(late, speeds=False), data / "opensky" / "states_late_feed.parquet")
    return _finish(root, _scenario(spec), _truth_rows(spec.claims), legs)


SHORT_CLOSURE_CLAIMS: Final[tuple[ClaimTruth, ...]] = (
    ClaimTruth("zia-closed-30min", "Zhukovsky stopped take-offs and landings for at least 30 minutes on 14 March.", (0, 0),
               {"unit": "movements"}, {"kind": "closure", "airport": "UUBW", "min_duration": "30min"}, True, False,
               "Zhukovsky was closed 10:00-10:40 UTC: about 2 movements were due, a closure there needs 6.7"),
    ClaimTruth("zia-closed-3h", "Zhukovsky was closed for at least three hours on 14 March.", (0, 0),
               {"unit": "movements"}, {"kind": "closure", "airport": "UUBW", "min_duration": "3h"}, False, False,
               "the closure lasted 40 minutes, not three hours; off-peak, three hours of Zhukovsky's traffic can still be ordinary"),
    ClaimTruth("svo-closed-3h-daytime", "Sheremetyevo was closed for at least three hours in the daytime of 14 March.", (0, 0),
               {"unit": "movements"}, {"kind": "closure", "airport": "UUEE", "min_duration": "3h"}, False, True,
               "Sheremetyevo stayed open; in its busy hours a three-hour stop holds well over the movements a closure needs"),
)
"""The claims of the short-closure world (window: the Moscow day of 14 March 2026; the last one 06:00-18:00 UTC)."""


def build_short_closure(out_dir: str | os.PathLike[str], *, seed: int = 1514) -> dict[str, Any]:
    """Build the airport-disruption world of a real closure too short to be seen: Zhukovsky shut 10:00-10:40 UTC.

    One baseline Saturday and the day itself, at Sheremetyevo (40 rotations a day) and Zhukovsky (20), with
    Yaroslavl as the alternate; OpenSky state vectors, one Parquet file per hour.

    Returns
    -------
    dict
        ``root``, ``scenario``, ``data``, ``truth`` (``truth/claims.csv``), as :func:`build_sorties_adversary`.
    """
    import yaml

    from flighttrace.kinds.disruption.world import (
        AirportPlan,
        DisruptionWorldSpec,
        build_disruption_world,
    )

    root = _fresh(out_dir)
    day = pd.Timestamp("2026-03-13T21:00", tz="UTC")
    rx = (Receiver("moscow-centre", 55.755, 37.617, 80.0, max_km=250.0), Receiver("svo", 55.985, 37.43, 30.0, max_km=250.0),
          Receiver("zia", 55.56, 38.13, 30.0, max_km=250.0), Receiver("yaroslavl", 57.56, 40.14, 30.0, max_km=250.0))
    spec = DisruptionWorldSpec(
        day=day, baseline_weeks=1, seed=seed, tz="Europe/Moscow",
        airports=(AirportPlan("UUEE", 40, 246.0, ("AFL", "SDM")),
                  AirportPlan("UUBW", 20, 300.0, ("RWZ", "UTA"), first_hour=6.5, last_hour=21.5, hold_fixes=(90.0, 180.0))),
        alternates=(AirportPlan("UUDL", 2, 230.0, ("UTA",), first_hour=8.0, last_hour=20.0, hold_fixes=(0.0,)),),
        closures={"UUBW": ((pd.Timestamp("2026-03-14T10:00", tz="UTC"), pd.Timestamp("2026-03-14T10:40", tz="UTC")),)},
        divert_to={"UUBW": (("UUDL", 0.5), ("UUEE", 0.5))}, beyond_coverage="ULLI", receivers=rx,
        congestion_holds=0, open_field="UUEE",
    )
    claims = []
    for c in SHORT_CLOSURE_CLAIMS:  # one scenario claim per truth row
        daytime = c.id.endswith("daytime")
        win = ({"start": "2026-03-14T06:00:00Z", "end": "2026-03-14T18:00:00Z"} if daytime
               else {"start": "2026-03-14T00:00:00+03:00", "end": "2026-03-15T00:00:00+03:00"})
        claims.append(_claim_doc(c, win))
    doc = {"version": 1,
           "meta": {"title": "Adversarial world: a short closure", "summary": "Synthetic airport-disruption world for the verdict tests.",
                    "kind": "disruption", "synthetic": True, "report_tz": "Europe/Moscow", "sources": _SIM_SOURCES},
           "airports": {"codes": ["UUEE", "UUBW", "UUDL"], "groups": {"moscow": ["UUEE", "UUBW"]}},
           "claims": claims}
    scenario = root / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    world = root / "world"
    build_disruption_world(scenario, world, spec=spec)
    shutil.move(str(world / "data"), str(root / "data"))
    shutil.move(str(world / "truth"), str(root / "truth"))
    shutil.rmtree(world)
    return _finish(root, doc, _truth_rows(SHORT_CLOSURE_CLAIMS), None)


STOP_CANCELLED: Final = (pd.Timestamp("2026-02-28T08:30", tz="UTC"), pd.Timestamp("2026-02-28T10:40", tz="UTC"))
"""In :func:`missing_hour_world`, every aircraft with a take-off or landing at Vnukovo in this span (UTC) does not fly that day."""


def _without_rotations(src: Path, root: Path, mov: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    """Copy the Moscow world's data into ``root/data`` without the aircraft of :data:`STOP_CANCELLED` on their UTC day.

    Returns the world's movements without theirs, and their addresses.
    """
    import pyarrow.parquet as pq

    legs = pd.read_csv(src / "truth" / "legs.csv", dtype={"icao24": str})
    mov = mov.merge(legs[["leg_id", "icao24"]], on="leg_id", how="left")
    a, b = STOP_CANCELLED
    gone = set(mov.loc[(mov["airport"] == "UUWW") & (mov["time"] >= a) & (mov["time"] < b), "icao24"].astype(str))
    day = f"{a:%Y-%m-%d}"
    shutil.copytree(src / "data", root / "data")
    for f in sorted((root / "data").rglob(f"states_{day}-*.parquet")):  # the day's hourly files: their rows of those aircraft go
        t = pq.read_table(f)
        keep = ~t.column("icao24").to_pandas().astype(str).isin(gone).to_numpy()
        pq.write_table(t.filter(keep), f)
    on_day = mov["time"].dt.strftime("%Y-%m-%d") == day
    return mov[~(on_day & mov["icao24"].astype(str).isin(gone))].drop(columns="icao24"), gone


def _stop_across(mov: pd.DataFrame, airport: str, gap: tuple[pd.Timestamp, pd.Timestamp]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The last movement at a field before ``gap`` starts and the first after it ends (the stop that straddles it)."""
    m = mov.loc[mov["airport"] == airport, "time"]
    return m[m < gap[0]].max(), m[m >= gap[1]].min()


def missing_hour_world(moscow_root: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Claims about the hour missing from the shipped Moscow world's archive (28 February 2026, 09:00 UTC), with their truth.

    The world is the shipped Moscow world with the four Vnukovo rotations of :data:`STOP_CANCELLED` taken out
    (those aircraft do not fly that day), so that Vnukovo takes no movement for over two hours across the missing
    hour. The world's truth (``truth/holdings.csv``, ``truth/movements.csv``, less those aircraft) says what happened
    in that hour; the archive has no file for it, so nothing of it can be known. Writes the data, ``scenario.yaml``,
    ``truth/claims.csv`` and ``synthetic.json`` in ``out_dir``.

    Returns
    -------
    dict
        ``root``, ``scenario``, ``data``, ``truth``.
    """
    import yaml

    src = Path(moscow_root)
    root = _fresh(out_dir)
    gap = (pd.Timestamp("2026-02-28T09:00", tz="UTC"), pd.Timestamp("2026-02-28T10:00", tz="UTC"))
    mov, gone = _without_rotations(src, root, pd.read_csv(src / "truth" / "movements.csv", parse_dates=["time"]))
    held = pd.read_csv(src / "truth" / "holdings.csv", parse_dates=["start"], dtype={"icao24": str})
    held = held[~(held["icao24"].isin(gone) & (held["start"].dt.strftime("%Y-%m-%d") == f"{gap[0]:%Y-%m-%d}"))]
    msk = (pd.Timestamp("2026-02-27T21:00", tz="UTC"), pd.Timestamp("2026-02-28T21:00", tz="UTC"))  # the Moscow day
    svo_28 = held[(held["airport"] == "UUEE") & (held["start"] >= msk[0]) & (held["start"] < msk[1])]
    in_gap = svo_28[(svo_28["start"] >= gap[0]) & (svo_28["start"] < gap[1])]
    zia = mov[(mov["airport"] == "UUBW") & (mov["time"] >= gap[0] - pd.Timedelta(hours=1)) & (mov["time"] < gap[1] + pd.Timedelta(hours=1))]
    last, first = _stop_across(mov, "UUWW", gap)
    day = {"start": "2026-02-28T00:00:00+03:00", "end": "2026-03-01T00:00:00+03:00"}
    rows = [
        ("hold-svo-in-the-missing-hour", "An aircraft held for Sheremetyevo between 09:00 and 10:00 UTC on 28 February.",
         {"start": "2026-02-28T09:00:00Z", "end": "2026-02-28T10:00:00Z"}, {"unit": "holdings", "airport": "UUEE"},
         {"kind": "holding_at_least", "value": 1}, len(in_gap) >= 1, False, f"{len(in_gap)} holding(s) in the hour the archive lacks"),
        ("hold-svo-28-february", "An aircraft held for Sheremetyevo on 28 February.", day, {"unit": "holdings", "airport": "UUEE"},
         {"kind": "holding_at_least", "value": 1}, len(svo_28) >= 1, len(svo_28) > len(in_gap),
         f"{len(svo_28)} holding(s) that day, {len(in_gap)} of them in the missing hour"),
        ("zia-closed-2h-around-the-missing-hour", "Zhukovsky stopped take-offs and landings for two hours around 09:00 UTC on 28 February.",
         {"start": "2026-02-28T08:00:00Z", "end": "2026-02-28T11:00:00Z"}, {"unit": "movements"},
         {"kind": "closure", "airport": "UUBW", "min_duration": "2h"}, False, False,
         f"Zhukovsky was open ({len(zia)} movements from 08:00 to 11:00 UTC), but a two-hour stop could straddle the missing hour"),
        ("vko-stopped-2h-across-the-missing-hour", "Vnukovo took no take-off or landing for two hours around 09:00 UTC on 28 February.",
         {"start": "2026-02-28T08:00:00Z", "end": "2026-02-28T11:00:00Z"}, {"unit": "movements"},
         {"kind": "closure", "airport": "UUWW", "min_duration": "2h"}, bool(first - last >= pd.Timedelta(hours=2)), False,
         f"no movement at Vnukovo from {last:%H:%M} to {first:%H:%M} UTC ({len(gone)} rotations did not fly), across the hour the archive lacks"),
    ]
    seed = src.parent.parent / "seeds" / "moscow-2026-03-14.yaml"
    if not seed.exists():
        raise FileNotFoundError(f"missing_hour_world needs the Moscow scenario beside the fixtures: {seed}")
    text = seed.read_text(encoding="utf-8")
    head = text[: text.index("\nclaims:")]  # the scenario as shipped, its claims replaced by these
    claims = [{"id": r[0], "statement": r[1], "source": "vaomos-2026-03-14", "record": "published", "window": r[2],
               "subject": r[3], "test": r[4]} for r in rows]
    (root / "scenario.yaml").write_text(head + "\n" + yaml.safe_dump({"claims": claims}, sort_keys=False, allow_unicode=True), encoding="utf-8")
    truth = _write_truth(root, [{"claim_id": r[0], "true": r[5], "knowable": r[6], "why": r[7]} for r in rows])
    _stamp_synthetic(root)
    return {"root": root, "scenario": root / "scenario.yaml", "data": root / "data", "truth": truth}
