"""The detection probability of a claim: could the data have seen what the claim says?

For every claim, :func:`detection` works out, hour by hour over the claim's
window, whether the claim's gates were covered and its fleet was visible
(:mod:`flighttrace.claims.visibility`), and returns a :class:`Detection`:
``p`` is the share of the window's hours in which both held, with the hours
that were missing, in words. A verdict drawn from absence needs
``p ≥ VerdictRules.detect_threshold`` and the fleet heard in or around the
window (:func:`absence_ok`); otherwise it is ``inconclusive`` and says what was
missing. The rules are written out in ``docs/verdicts.md``.

Which gates a claim needs (all must be covered in the same hour):

- the terminal gate of every field of the subject's ``airport`` (for a
  sortie: the route's far field; for a closure: the test's ``airport``);
- the terminal gates of the ``from`` and ``to`` fields, and the corridors
  ``from``–``airport`` and ``airport``–``to``, when the subject names them
  (the leg must be followed to tell where it came from or went to).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.claims.fleetindex import FleetIndex, fleet_index
from flighttrace.claims.fleetmask import run_fleet_mask
from flighttrace.claims.visibility import (
    HOUR_NS,
    FleetArrays,
    Gate,
    Visibility,
    VisibilityParams,
    build_visibility,
    corridor_gate,
    fleet_heard,
    fleet_hours,
    fleet_table,
    terminal_gate,
)
from flighttrace.numfmt import fmt_count

__all__ = [
    "NOT_APPLICABLE",
    "Detection",
    "absence_ok",
    "claim_gates",
    "detection",
    "fleet_rows",
    "fleet_visibility_table",
    "scenario_gates",
    "visibility_of",
]

NOT_APPLICABLE: Final = -1
"""``fleet_heard`` of a claim whose kind has no fleet (airport disruption)."""


@dataclass(frozen=True)
class Detection:
    """What the data could have seen in a claim's window.

    Attributes
    ----------
    p
        Share of the window's hours (partial hours by their share) in which
        every gate of the claim was covered and its fleet visible; NaN for an
        empty window.
    hours
        Hours in the window.
    hours_detectable
        Of them, the hours counted in ``p``.
    fleet
        The claim's fleet selector ("" for every subject selector), or None
        when the kind has no fleet.
    fleet_heard
        Fleet aircraft heard inside the window or within ``fleet_margin_h``
        of it (:data:`NOT_APPLICABLE` without a fleet).
    missing
        What was missing, in words ("" when nothing was).
    gates
        The claim's gates.
    basis
        ``"positions"`` (gates measured from the positions) or ``"days"``
        (no positions: gates taken as covered on covered days).
    silent_days
        Days of the window (UTC) on which no gate hour was covered at all.
    days
        Days the window touches (UTC).
    """

    p: float
    hours: float
    hours_detectable: float
    fleet: str | None
    fleet_heard: int
    missing: str
    gates: tuple[Gate, ...]
    basis: str
    silent_days: int = 0
    days: int = 0


def _pairs(scenario: Any) -> list[tuple[str, str]]:
    """Group or field names joined by a corridor: consecutive stops of each route, and each claim's from/to with its airport."""
    out: list[tuple[str, str]] = []
    for r in getattr(scenario, "routes", ()):
        seq = list(r.sequence)
        out += list(itertools.pairwise(seq))
    for c in getattr(scenario, "claims", ()):
        s = c.subject
        here = s.airport
        if here is None and s.route is not None:
            seq = scenario.route(s.route).sequence
            here = seq[1] if len(seq) > 1 else seq[0]
        if here is None:
            continue
        if s.from_ is not None:
            out.append((s.from_, here))
        if s.to is not None:
            out.append((here, s.to))
    return list(dict.fromkeys((min(a, b), max(a, b)) for a, b in out))


def scenario_gates(scenario: Any, params: VisibilityParams) -> list[Gate]:
    """Every gate a scenario's claims can need: each field's terminal gate, each corridor of its routes and claims."""
    gates = [terminal_gate(c, params) for c in sorted(scenario.airport_codes())]
    for a, b in _pairs(scenario):
        A, B = scenario.resolve_airports(a), scenario.resolve_airports(b)
        if A and B and (A | B) - (A & B):
            gates.append(corridor_gate(A, B, (a, b), params))
    return gates


def _here(ctx: Any, claim: Any) -> str | None:
    s, test = claim.subject, claim.test
    if s.airport is not None:
        return str(s.airport)
    if getattr(test, "airport", None) is not None and test.kind in ("closure", "ground_time"):
        return str(test.airport)
    if s.route is not None:
        seq = ctx.scenario.route(s.route).sequence
        return str(seq[1] if len(seq) > 1 else seq[0])
    return None


def claim_gates(ctx: Any, claim: Any) -> list[tuple[str, list[Gate]]]:
    """The gates a claim's events need, as groups: ``("any", [...])`` for the fields of one place (the event is at
    one of them), ``("each", [gate])`` for a corridor (see the module docs)."""
    vis = visibility_of(ctx)
    here = _here(ctx, claim)
    s = claim.subject
    out: list[tuple[str, list[Gate]]] = []
    for place in (here, s.from_, s.to):
        if place is not None:
            fields = [vis.gates[n] for n in sorted(ctx.resolve(place)) if n in vis.gates]
            if fields:
                out.append(("any", fields))
    if here is not None:
        for a, b in ((s.from_, here), (here, s.to)):
            if a is not None and b is not None:
                gid = "–".join(sorted((a, b)))
                if gid in vis.gates:
                    out.append(("each", [vis.gates[gid]]))
    return out


def _field_weights(ctx: Any, claim: Any, codes: list[str], hours: np.ndarray) -> np.ndarray | None:
    """Weights (fields × hours) of where and when a claim's events would happen, from its kind when it knows (the
    disruption kind: the baseline's movements); None for equal weights."""
    from flighttrace.kinds import kind_module, kind_of_test

    hook = getattr(kind_module(kind_of_test(claim.test.kind), "claims"), "event_weights", None)
    return None if hook is None else hook(ctx, codes, hours)


def visibility_of(ctx: Any) -> Visibility:
    """The evaluation's hourly picture (computed once per evaluation, kept in ``ctx.cache``)."""
    if "visibility" not in ctx.cache:
        params = ctx.rules.visibility_params()
        ctx.cache["visibility"] = build_visibility(ctx.scenario, ctx.cov, ctx.points, ctx.legs, scenario_gates(ctx.scenario, params), params)
    return ctx.cache["visibility"]


def fleet_rows(ctx: Any, selector: str | None) -> tuple[pd.DataFrame, bool]:
    """The fleet's positions (sorted by aircraft and time), or its legs when no positions were given: (rows, from_legs)."""
    key = ("fleet_rows", selector)
    if key not in ctx.cache:
        pts = ctx.points
        if pts is not None and len(pts) and "time" in pts:
            m = run_fleet_mask(ctx.scenario, pts, selector)
            cols = [c for c in ("icao24", "time", "registration", "callsign", "squawk", "position_source") if c in pts]
            rows = pts.loc[m, cols]
            rows = (rows if _in_aircraft_time_order(rows) else rows.sort_values(["icao24", "time"], kind="stable")).reset_index(drop=True)
            ctx.cache[key] = (rows, False)
        else:
            lg = ctx.fleet_legs(selector)
            ctx.cache[key] = (lg.sort_values(["icao24", "first_seen"], kind="stable").reset_index(drop=True), True)
    return ctx.cache[key]


def _in_aircraft_time_order(rows: pd.DataFrame) -> bool:
    """Whether ``rows.sort_values(["icao24", "time"])`` would leave them as they are (known only for a categorical
    ``icao24`` without missing values and times without missing values; a table read is usually in that order)."""
    if not isinstance(rows["icao24"].dtype, pd.CategoricalDtype) or not isinstance(rows["time"].dtype, pd.DatetimeTZDtype):
        return False
    codes, t = rows["icao24"].cat.codes.to_numpy(), rows["time"].array.asi8
    if len(codes) < 2:
        return True
    if codes.min() < 0 or rows["time"].isna().any():
        return False
    return bool(((codes[1:] > codes[:-1]) | ((codes[1:] == codes[:-1]) & (t[1:] >= t[:-1]))).all())


def _fleet_arrays(ctx: Any, selector: str | None) -> FleetArrays:
    key = ("fleet_arrays", selector)
    if key not in ctx.cache:
        rows, from_legs = fleet_rows(ctx, selector)
        ctx.cache[key] = FleetArrays.of(rows, from_legs=from_legs)
    return ctx.cache[key]


def _sightings(ctx: Any, selector: str | None) -> FleetIndex | None:
    return fleet_index(ctx, selector, _fleet_arrays(ctx, selector))


def _mlat_only(fa: FleetArrays, start: pd.Timestamp, end: pd.Timestamp, sightings: FleetIndex | None = None) -> bool:
    """The fleet was located in ``[start, end)`` by MLAT and never by a broadcast (ADS-B) position."""
    if sightings is not None:
        return sightings.mlat_only(pd.Timestamp(start).value, pd.Timestamp(end).value)
    near = (fa.t1 >= pd.Timestamp(start).value) & (fa.t0 < pd.Timestamp(end).value)
    return bool(fa.mlat[near].any() and not fa.adsb[near].any())


def _fleet_visible(ctx: Any, vis: Visibility, selector: str | None) -> np.ndarray:
    key = ("fleet_visible", selector)
    if key not in ctx.cache:
        rows, from_legs = fleet_rows(ctx, selector)
        ctx.cache[key] = fleet_hours(vis, rows, from_legs=from_legs)
    return ctx.cache[key]


def _fmt_h(h: float) -> str:
    return f"{h:,.0f}" if abs(h - round(h)) < 0.05 else f"{h:,.1f}"


def _longest_gap(ok: np.ndarray, idx: np.ndarray, vis: Visibility) -> str:
    """The longest stretch of hours where ``ok`` is False, as UTC times."""
    bad = ~ok
    if not bad.any():
        return ""
    edges = np.diff(np.concatenate([[0], bad.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    k = int(np.argmax(ends - starts))
    a = pd.Timestamp(int(idx[starts[k]]) * HOUR_NS + vis.h0, tz="UTC")
    b = pd.Timestamp((int(idx[ends[k] - 1]) + 1) * HOUR_NS + vis.h0, tz="UTC")
    return f"{a:%Y-%m-%d %H:%M} – {b:%Y-%m-%d %H:%M} UTC"


def _fleet_of(ctx: Any, claim: Any) -> str | None:
    from flighttrace.kinds import kind_of_test

    if kind_of_test(claim.test.kind) == "disruption":
        return None
    return claim.subject.fleet or ""


def detection(ctx: Any, claim: Any, start: pd.Timestamp, end: pd.Timestamp, *, record: bool = True) -> Detection:
    """The claim's :class:`Detection` over ``[start, end)``; with ``record``, also adds the claim's rows to the fleet table (``ctx.cache``)."""
    vis = visibility_of(ctx)
    gates = claim_gates(ctx, claim)
    fleet = _fleet_of(ctx, claim)
    margin = pd.Timedelta(hours=vis.params.fleet_margin_h)
    mlat = fleet is not None and _mlat_only(_fleet_arrays(ctx, fleet or None), start - margin, end + margin, _sightings(ctx, fleet or None))
    idx, w = vis.weights(start, end)
    total = float(w.sum())
    arch = vis.take(vis.archive, idx)
    parts: list[str] = []
    if total > 0 and (~arch).any():
        parts.append(f"no data at all in {_fmt_h(float(w[~arch].sum()))} of {_fmt_h(total)} hours")
    days = (idx + (vis.h0 // HOUR_NS)) // 24
    day_first = np.flatnonzero(np.r_[True, days[1:] != days[:-1]]) if len(days) else np.zeros(0, dtype=np.int64)
    n_days = len(day_first)
    silent = 0
    if mlat and vis.basis == "positions":
        parts.append("the fleet was located only by MLAT (no broadcast position), so only MLAT positions of other aircraft show where it could have been seen")
    share = arch.astype(float)
    weight = w.copy()
    hours_abs = idx + (vis.h0 // HOUR_NS)
    for how, group in gates:  # one pass per place (or corridor) of the claim
        covs = np.stack([vis.take(vis.gate(g.id, mlat_only=mlat), idx) for g in group])
        for g, gc in zip(group, covs, strict=True):
            miss = arch & ~gc
            if vis.basis == "positions" and miss.any():
                heard_day = np.logical_or.reduceat(gc, day_first)  # hours in time order: each day's hours are one run
                n_silent = int((~heard_day).sum())
                silent = max(silent, n_silent)
                tail = f" (on {fmt_count(n_silent)} of {fmt_count(n_days)} days not at all)" if n_silent else ""
                parts.append(f"nothing was heard {g.label} in {_fmt_h(float(w[miss].sum()))} of {_fmt_h(total)} hours{tail}")
        fw = _field_weights(ctx, claim, [g.id for g in group], hours_abs) if how == "any" else None
        if fw is None or not np.isfinite(fw).all() or fw.sum() <= 0:
            share *= covs.mean(axis=0)  # the event at any one of the fields, each as likely
        else:
            tot = fw.sum(axis=0)
            share *= np.where(tot > 0, (covs * fw).sum(axis=0) / np.where(tot > 0, tot, 1.0), covs.mean(axis=0))
            if how == "any" and group is gates[0][1]:
                weight = w * tot  # events follow the traffic: an hour without any counts for nothing
    heard = NOT_APPLICABLE
    if fleet is not None:
        selector = fleet or None
        fv = vis.take(_fleet_visible(ctx, vis, selector), idx)
        fa = _fleet_arrays(ctx, selector)
        if record:
            ix = _sightings(ctx, selector)
            tab = fleet_table(claim.id, fleet, fa, start, end, margin) if ix is None else ix.table(claim.id, fleet, start, end, margin)
            ctx.cache.setdefault("fleet_tables", []).append(tab)
            heard = len(tab)
        else:  # only the number of aircraft is needed: the table's rows are one per aircraft heard
            sg = _sightings(ctx, selector)
            heard = fleet_heard(fa, start, end, margin) if sg is None else sg.heard(pd.Timestamp(start - margin).value, pd.Timestamp(end + margin).value)
        name = fleet or "the subject selectors"
        if heard == 0:
            parts.append(f"no aircraft of the fleet ({name}) was heard in the window or within {vis.params.fleet_margin_h:g} h of it")
        elif (~fv).any() and total > 0:
            parts.append(f"the fleet ({name}) was not heard for {_fmt_h(float(w[~fv].sum()))} of {_fmt_h(total)} hours "
                         f"(longest silence {_longest_gap(fv, idx, vis)}), when it could have flown unheard")
        share *= fv
    wt = float(weight.sum())
    if not wt > 0:
        weight, wt = w, total
    p = float((weight * share).sum() / wt) if wt > 0 else float("nan")
    flat = tuple(g for _, group in gates for g in group)
    return Detection(p, total, float(p * total) if total > 0 else 0.0, fleet, heard, "; ".join(parts), flat, vis.basis, silent, n_days)


def measured_detection(ctx: Any, claim: Any, start: pd.Timestamp, end: pd.Timestamp, *, record: bool = True) -> Detection:
    """:func:`detection`, or a :class:`Detection` saying why it could not be measured (never raises for a claim the data cannot evaluate)."""
    try:
        return detection(ctx, claim, start, end, record=record)
    except (ValueError, KeyError) as exc:
        return Detection(math.nan, 0.0, 0.0, None, NOT_APPLICABLE, f"not measured: {exc.args[0] if exc.args else exc!r}", (), "none")


def absence_ok(det: Detection | None, rules: Any) -> bool:
    """May a verdict be drawn from what was *not* seen? ``p ≥ detect_threshold`` and, with a fleet, the fleet heard."""
    if det is None:
        return True
    if not det.p >= rules.detect_threshold:
        return False
    return det.fleet is None or det.fleet_heard > 0


def fleet_visibility_table(ctx: Any) -> pd.DataFrame:
    """Every claim's fleet rows gathered by :func:`detection` (``fleet_visibility``)."""
    from flighttrace.claims.visibility import FLEET_COLUMNS

    parts = [t for t in ctx.cache.get("fleet_tables", []) if len(t)]
    if not parts:
        empty = FleetArrays.of(pd.DataFrame({"icao24": pd.Series([], dtype=object), "time": pd.Series([], dtype="datetime64[ns, UTC]")}), from_legs=False)
        return fleet_table("", None, empty, pd.Timestamp(0, tz="UTC"), pd.Timestamp(0, tz="UTC"), pd.Timedelta(0))[list(FLEET_COLUMNS)]
    return pd.concat(parts, ignore_index=True)[list(FLEET_COLUMNS)]
