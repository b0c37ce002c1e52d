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

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from flighttrace._progress import Progress, ProgressArg
from flighttrace.csvsafe import write_csv
from flighttrace.kinds.disruption.world_fly import (
    _Field,
    _fields,
    _fly_flight,
    _overflights,
)
from flighttrace.kinds.disruption.world_plan import (
    _Flight,
    _hex_pool,
    _plan_day,
    _plans,
    _schedule,
)
from flighttrace.kinds.disruption.world_spec import (
    MOSCOW_SPEC,
    AirportPlan,
    DisruptionWorldSpec,
)
from flighttrace.outdir import output_folder
from flighttrace.sim.kinematics import CoverageModel, observe, quantised_points, sample
from flighttrace.sim.marker import world_files, write_marker

if TYPE_CHECKING:  # pragma: no cover
    from pandas.api.typing import NaTType

__all__ = ["AirportPlan", "DisruptionWorldSpec", "MOSCOW_SPEC", "build_disruption_world"]




def _enforced_closures(scn: Any, spec: DisruptionWorldSpec) -> dict[str, tuple[tuple[pd.Timestamp, pd.Timestamp], ...]]:
    """The spec's closures at fields an enforced (published or second-hand) closure claim names."""
    named: set[str] = set()
    for c in scn.claims:
        if c.test.kind == "closure" and c.record in ("published", "second-hand"):
            named |= set(scn.resolve_airports(c.test.airport))
    return {ap: wins for ap, wins in spec.closures.items() if ap in named}


def _iso(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(out[c].notna(), None)
    return out


def _t(x: Any) -> pd.Timestamp | NaTType:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return pd.NaT
    return pd.Timestamp(round(float(x)), unit="s", tz="UTC")


def build_disruption_world(
    scenario: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
    spec: DisruptionWorldSpec = MOSCOW_SPEC, progress: ProgressArg = False, command: str | None = None,
) -> dict[str, Any]:
    """Simulate a disruption scenario's world and write it, with its truth, to ``out_dir``.

    Parameters
    ----------
    scenario
        Path of the scenario YAML (its enforced closure claims decide which
        of the spec's closures happen).
    out_dir, progress, command
        As :func:`flighttrace.kinds.sorties.world.build_world`.
    spec
        The world's settings.

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
    legs: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    divs: list[dict[str, Any]] = []
    holds: list[dict[str, Any]] = []
    gas: list[dict[str, Any]] = []
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
    tables = {
        "legs": pd.DataFrame(legs).sort_values(["time", "leg_id"], kind="stable", na_position="last"),
        "movements": pd.DataFrame(moves_df).sort_values(["airport", "time", "leg_id"], kind="stable"),
        "closures": pd.DataFrame(closures, columns=["airport", "start", "end"]).sort_values(["airport", "start"], kind="stable"),
        "diversions": pd.DataFrame(divs_df).sort_values(["decision", "leg_id"], kind="stable"),
        "holdings": pd.DataFrame(holds_df).sort_values(["start", "leg_id"], kind="stable"),
        "go_arounds": pd.DataFrame(gas_df).sort_values(["time", "leg_id"], kind="stable"),
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
    all_files = world_files(root)
    summary["bytes"] = int(sum(p.stat().st_size for p in all_files))
    write_marker(root, all_files, generator="flighttrace.kinds.disruption.world.build_disruption_world", scenario=scenario, seed=spec.seed, summary=summary)
