"""Planning a simulated disruption world's days: the weekly schedule, and what the closures do to it on the day."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from flighttrace.kinds.disruption.world_spec import (
    _ALT_STACK_FT,
    _PROFILE,
    _TYPES,
    AirportPlan,
    DisruptionWorldSpec,
)


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


_Windows = dict[str, tuple[tuple[pd.Timestamp, pd.Timestamp], ...]]
"""Closure windows per field."""


def _plan_day(spec: DisruptionWorldSpec, scn_closures: _Windows, sched: pd.DataFrame,
              day_index: int, day_start: pd.Timestamp, rng: np.random.Generator, hexes: list[str]) -> tuple[list[_Flight], list[dict[str, Any]]]:
    """Flights of one day; on the disruption day (index ``baseline_weeks``) the closures reshape them."""
    notes: list[dict[str, Any]] = []
    local_midnight = day_start.value / 1e9  # day_start is the local midnight
    flights = _rotations(spec, sched, day_index, local_midnight, rng, hexes)
    day_end = local_midnight + 86400.0 - 600.0
    if day_index != spec.baseline_weeks:
        return _ordinary_day(spec, flights, local_midnight, day_end, rng), notes
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
            notes.append({"airport": ap, "start": c0t, "end": c1t})
            _close(spec, ap, c0t.value / 1e9, c1t.value / 1e9, by_field.get(ap, []), names, weights, go_done, stack_level, rng)
    flights = _after_reopening(spec, flights, closed, day_index, rng)
    _congestion(spec, flights, closed, stack_level, rng)
    flights = [f for f in flights if f.sched < day_end]
    return flights, notes


class _Rotation(NamedTuple):
    """One row of the weekly schedule (:func:`_schedule`)."""

    field: str
    local_h: float
    arr_callsign: str
    dep_callsign: str
    typecode: str
    from_deg: float
    to_deg: float
    turn_s: float


def _rotation_rows(sched: pd.DataFrame) -> list[_Rotation]:
    """The schedule's rows, typed."""
    cols = (sched[c].tolist() for c in _Rotation._fields)
    return [_Rotation(str(f), float(h), str(a), str(d), str(t), float(fr), float(to), float(ts)) for f, h, a, d, t, fr, to, ts in zip(*cols, strict=True)]


def _rotations(spec: DisruptionWorldSpec, sched: pd.DataFrame, day_index: int, local_midnight: float,
               rng: np.random.Generator, hexes: list[str]) -> list[_Flight]:
    """The day's scheduled arrivals and departures (some cancelled), times jittered."""
    flights: list[_Flight] = []
    k_hex = 0
    for r in _rotation_rows(sched):  # one rotation per row
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
    return flights


def _ordinary_day(spec: DisruptionWorldSpec, flights: list[_Flight], local_midnight: float, day_end: float, rng: np.random.Generator) -> list[_Flight]:
    """A baseline day: the flights of the day, with a few ordinary holds and go-arounds at the open field."""
    flights = [f for f in flights if f.sched < day_end]
    opens = [f for f in flights if f.kind == "arrival" and f.field_ == spec.open_field and 7 * 3600 < f.sched - local_midnight < 20 * 3600]
    pick = rng.choice(np.arange(len(opens)), size=min(spec.baseline_holds + spec.baseline_go_arounds, len(opens)), replace=False) if opens else np.zeros(0, dtype=np.int64)
    for n, i in enumerate(sorted(int(x) for x in pick)):  # a few ordinary holds, then go-arounds
        f = opens[i]
        if n < spec.baseline_holds:
            f.outcome, f.hold_laps, f.hold_alt = "held", int(rng.integers(3, 5)), _ALT_STACK_FT[0]
            f.hold_fix = _nearest_fix(spec, f)
        else:
            f.outcome, f.go_around = "go_around_landed", True
    return flights


def _stack(spec: DisruptionWorldSpec, f: _Flight, ap: str, stack_level: dict[tuple[str, float], int]) -> None:
    """Send ``f`` to the holding fix nearest its inbound track at ``ap``, 1,000 ft above the last aircraft stacked there."""
    f.hold_fix = _nearest_fix(spec, f)
    level = stack_level.get((ap, f.hold_fix), 0)
    stack_level[(ap, f.hold_fix)] = level + 1
    f.hold_alt = _ALT_STACK_FT[level % len(_ALT_STACK_FT)]


def _close(spec: DisruptionWorldSpec, ap: str, c0: float, c1: float, at_field: list[_Flight], names: list[str], weights: np.ndarray,
           go_done: set[str], stack_level: dict[tuple[str, float], int], rng: np.random.Generator) -> None:
    """Reshape the flights of field ``ap`` for its closure from ``c0`` to ``c1`` (s): go-around, holds, diversions, delays."""
    arrivals = sorted((f for f in at_field if f.kind == "arrival" and c0 - 180 <= f.sched < c1), key=lambda f: f.sched)
    departures = sorted((f for f in at_field if f.kind == "departure" and c0 <= f.sched < c1), key=lambda f: f.sched)
    if ap not in go_done:
        # the arrival due nearest the closure is on short final as the field closes: it goes around,
        # then leaves for an alternate (the first closed field's, for one beyond the receivers' range)
        near = [f for f in at_field if f.kind == "arrival" and abs(f.sched - c0) < 1500.0]
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
            _stack(spec, f, ap, stack_level)
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
            _stack(spec, f, ap, stack_level)
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


def _after_reopening(spec: DisruptionWorldSpec, flights: list[_Flight], closed: _Windows, day_index: int, rng: np.random.Generator) -> list[_Flight]:
    """Ferries back from the alternates after the reopening, and departures pushed after their aircraft's return."""
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
    return flights


def _congestion(spec: DisruptionWorldSpec, flights: list[_Flight], closed: _Windows, stack_level: dict[tuple[str, float], int],
                rng: np.random.Generator) -> None:
    """Congestion at the open field: some of its arrivals hold while the others are closed."""
    windows = [(a.value / 1e9, b.value / 1e9) for wins in closed.values() for a, b in wins]
    cands = [f for f in flights if f.kind == "arrival" and f.field_ == spec.open_field and f.outcome == "normal"
             and any(a <= f.sched < b for a, b in windows)]
    if cands:
        pick = rng.choice(np.arange(len(cands)), size=min(spec.congestion_holds, len(cands)), replace=False)
        for i in sorted(int(x) for x in pick):
            f = cands[i]
            f.outcome, f.hold_laps = "held", int(rng.integers(3, 5))
            _stack(spec, f, f.field_, stack_level)


def _plans(spec: DisruptionWorldSpec) -> dict[str, AirportPlan]:
    return {p.code: p for p in (*spec.airports, *spec.alternates)}


def _nearest_fix(spec: DisruptionWorldSpec, f: _Flight) -> float:
    fixes = np.array(_plans(spec)[f.field_].hold_fixes)
    diff = np.abs((fixes - f.bearing + 180.0) % 360.0 - 180.0)
    return float(fixes[int(np.argmin(diff))])
