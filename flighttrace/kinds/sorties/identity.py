"""Identity and place said out loud: lookalike aircraft, replayed tracks, the other field in reach.

A count of a fleet's flights silently depends on two choices: which aircraft
are the fleet, and which field each end is. This module makes both visible.

Lookalikes
    Aircraft that are *not* in a claim's fleet but resemble it
    (:func:`lookalikes`): the same callsign prefix, the same type, or an
    address in the fleet's national block (the selector's ``icao_blocks``, else
    the country block of its listed addresses). Where the selector gives no
    prefix or type, those its own legs show are used (the three-letter airline
    prefix of their callsigns, their type codes). They are never counted; they
    are listed, and a claim's reason says when one of them did what the claim
    counts in its window.
Replays
    A track that repeats another one's positions at a shifted time
    (:func:`replays`): a receiver whose clock is off by days, or a copied
    track. Two legs replay each other when they start and end within
    ``start_km`` of each other, last as long to within ``duration_s``, lie at
    least ``min_offset_s`` apart in time, and at the same time since their
    start (first compared at about forty times, every ``step_s`` seconds or more, kept when within a median of ``coarse_km``;
    then aligned to the best shift within ``align_s`` seconds, since two feeds sample the same
    flight at different instants) lie a median of at most ``max_median_km`` apart and
    ``max_median_ft`` apart in height. Either could be the true one, so a
    counted item on such a leg counts only as a bridged one would. The pairs
    come from a k-d tree of the legs' ends, and close pairs are aligned
    closest first, at most ``max_tries`` per leg, skipping a pair whose two
    legs are both already known to replay another: every leg that replays
    another is found, and the work grows with the legs, not with their
    square (where one track has many copies, a leg is listed with the copies
    it was aligned with, not with every one).
The other field
    An ``inferred`` or ``bridged`` end names the best other field considered
    and why it lost (the legs' ``*_second_reason``); the evidence carries it
    and the reason counts such ends.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.numfmt import fmt_n
from flighttrace.reference.fleet import country_of, in_blocks
from flighttrace.schema import TIME_DTYPE
from flighttrace.timeutil import time_ns

__all__ = ["LOOKALIKE_COLUMNS", "REPLAY_COLUMNS", "ReplayParams", "identity_note", "lookalikes", "replay_of", "replays", "second_of"]

LOOKALIKE_COLUMNS: Final[tuple[str, ...]] = (
    "fleet", "icao24", "registration", "typecode", "callsigns", "why", "n_legs", "fields", "first_seen", "last_seen", "legs",
)
"""Columns of the ``lookalikes`` table: one row per (fleet selector, aircraft that resembles it)."""

REPLAY_COLUMNS: Final[tuple[str, ...]] = ("leg_id", "replays", "icao24", "other_icao24", "offset_s", "median_km", "median_ft")
"""Columns of the ``replays`` table: one row per leg whose track repeats another's (both directions listed)."""


@dataclass(frozen=True)
class ReplayParams:
    """Thresholds of :func:`replays`, each with its unit (see the module docs).

    ``max_candidates`` (legs, ``None`` for all) keeps only the first candidate
    legs in leg order; ``max_tries`` (alignments) is how many of a leg's
    closest partners are aligned before it is given up.
    """

    start_km: float = 10.0
    duration_s: float = 300.0
    min_offset_s: float = 1800.0
    max_median_km: float = 0.1
    max_p90_km: float = 0.3
    max_median_ft: float = 100.0
    min_points: int = 20
    max_candidates: int | None = None
    step_s: float = 30.0
    coarse_km: float = 5.0
    align_s: float = 40.0
    max_tries: int = 4


def _criteria(scenario: Any, selector: Any, own: pd.DataFrame) -> tuple[tuple[str, ...], set[str], list[str], str]:
    """(callsign prefixes, types, blocks, block words) of a selector, filled in from its listed aircraft and, where
    the selector gives none, from what its own legs (``own``) show: the three-letter airline prefixes of their
    callsigns and their type codes."""
    listed = {h.lower() for h in selector.hexes}
    types = set(selector.typecodes) or {a.type for a in scenario.fleet.aircraft if a.hex and a.hex.lower() in listed and getattr(a, "type", None)}
    if not types and "typecode" in own:
        types = set(own["typecode"].dropna().astype(str).str.upper()) - {""}
    prefixes = tuple(selector.callsign_prefixes)
    if not prefixes and "callsign" in own:
        cs = own["callsign"].dropna().astype(str).str.strip().str.upper()
        prefixes = tuple(sorted(set(cs[cs.str.match(r"^[A-Z]{3}[0-9]")].str[:3])))
    blocks = list(selector.icao_blocks)
    words = ", ".join(blocks)
    if not blocks and listed:
        countries = sorted({c for c in country_of(sorted(listed)) if c})
        words = "/".join(countries)
        blocks = countries
    return prefixes, {str(t).upper() for t in types if t}, blocks, words


def _listed(values: list[str], *, sep: str = ",", most: int = 12) -> str:
    return sep.join(values[:most]) + (f"{sep}… ({len(values)} in all)" if len(values) > most else "")


_LOOKALIKE_READS: Final = ("origin", "destination", "registration", "first_seen", "last_seen", "leg_id")
"""The columns of the legs :func:`lookalikes` reads per lookalike aircraft."""


def lookalikes(ctx: Any) -> pd.DataFrame:
    """Aircraft in the legs that resemble a subject selector of the scenario but are not in it (cached per evaluation)."""
    if "lookalikes" in ctx.cache:
        return ctx.cache["lookalikes"]
    lg, scn, rows = ctx.legs, ctx.scenario, []
    if len(lg):
        hexes = lg["icao24"].astype(str).str.lower()
        cs = lg["callsign"].astype(object).fillna("").astype(str).str.strip().str.upper() if "callsign" in lg else pd.Series([""] * len(lg))
        ty = lg["typecode"].astype(object).fillna("").astype(str).str.upper() if "typecode" in lg else pd.Series([""] * len(lg))
        country = pd.Series(country_of(hexes.to_numpy()), index=lg.index)
        for sel in [s for s in scn.fleet.selectors if s.role == "subject"]:  # one pass per selector
            inside = np.asarray(scn.fleet_mask(lg, sel.id), dtype=bool)
            prefixes, types, blocks, words = _criteria(scn, sel, lg[inside])
            why = pd.DataFrame({
                f"callsign prefix {'/'.join(prefixes)}": cs.str.startswith(prefixes).to_numpy() if prefixes else np.zeros(len(lg), bool),
                f"type {'/'.join(sorted(types))}": ty.isin(types).to_numpy() if types else np.zeros(len(lg), bool),
                f"address in the fleet's national block ({words})": (
                    in_blocks(hexes.to_numpy(), blocks) if blocks and "-" in blocks[0] else country.isin(blocks).to_numpy()) if blocks else np.zeros(len(lg), bool),
            }, index=lg.index)
            hit = why.any(axis=1).to_numpy() & ~inside
            if not hit.any():
                continue
            sub = lg[[c for c in _LOOKALIKE_READS if c in lg.columns]][hit]  # the columns read below, without the legs' geometry
            tags = pd.Series("", index=sub.index, dtype=object)
            for col in why.columns:  # one pass per criterion (three)
                tags = tags + np.where(why[col].to_numpy()[hit], col + "; ", "").astype(object)
            tags = tags.str.rstrip("; ")
            for hexa, g in sub.groupby(hexes[hit], sort=True):  # one row per lookalike aircraft
                ends = pd.concat([g["origin"], g["destination"]]).dropna().astype(str).value_counts().sort_index()
                rows.append({
                    "fleet": sel.id, "icao24": hexa, "registration": ",".join(sorted(set(g["registration"].dropna().astype(str)))) if "registration" in g else "",
                    "typecode": ",".join(sorted(set(ty[g.index]) - {""})), "callsigns": _listed(sorted(set(cs[g.index]) - {""})),
                    "why": "; ".join(sorted(set("; ".join(tags[g.index]).split("; ")))), "n_legs": len(g),
                    "fields": ", ".join(f"{k} {v}" for k, v in ends.items()), "first_seen": g["first_seen"].min(), "last_seen": g["last_seen"].max(),
                    "legs": _listed(g["leg_id"].astype(str).tolist(), sep=";"),
                })
    out = pd.DataFrame(rows, columns=list(LOOKALIKE_COLUMNS))
    for c in ("first_seen", "last_seen"):
        out[c] = pd.to_datetime(out[c], utc=True).astype(TIME_DTYPE)
    out["n_legs"] = out["n_legs"].astype(np.int64)
    ctx.cache["lookalikes"] = out
    return out


def _candidates(ctx: Any, p: ReplayParams) -> pd.DataFrame:
    lg = ctx.legs
    if len(lg) == 0:
        return lg
    fleet = np.asarray(ctx.scenario.fleet_mask(lg, None), dtype=bool)
    look = lg["icao24"].astype(str).str.lower().isin(set(lookalikes(ctx)["icao24"])).to_numpy()
    n_air = lg["n_air"].to_numpy(dtype=float) if "n_air" in lg else lg["n_points"].to_numpy(dtype=float)
    c = lg[(fleet | look) & (n_air >= p.min_points)]
    if p.max_candidates is not None:
        c = c.head(p.max_candidates)
    return c.reset_index(drop=True)


@dataclass
class _Tracks:
    """The Points as arrays sorted by aircraft and time, airborne positions only."""

    keys: np.ndarray
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray

    @classmethod
    def of(cls, pts: pd.DataFrame, only: Any = None) -> _Tracks:
        """The airborne positions of ``pts``; with ``only`` (lower-case addresses), of those aircraft alone (their
        arrays are the same as without it)."""
        air = ~pts["on_ground"].to_numpy(dtype=bool, na_value=False) if "on_ground" in pts else np.ones(len(pts), dtype=bool)
        col = pts["icao24"]
        if isinstance(col.dtype, pd.CategoricalDtype):
            names = np.asarray(col.cat.categories.astype(str).str.lower(), dtype=object)
            codes = col.cat.codes.to_numpy()
        else:
            codes, uniq = pd.factorize(col.astype(str).str.lower())
            names = np.asarray(uniq, dtype=object)
        if only is not None and len(names):  # per distinct address, then per row (a code −1 reads the last name, as below)
            air &= np.isin(names, np.asarray(sorted(only), dtype=object))[codes]
        rank = np.argsort(np.argsort(names, kind="stable"), kind="stable")  # code → position of its name in sorted order
        hexes = np.sort(names)[rank[codes[air]]]
        t = time_ns(pts["time"])[air]
        o = np.lexsort((t, rank[codes[air]]))
        alt = pts["alt_ft"].to_numpy(dtype=float, na_value=np.nan)[air] if "alt_ft" in pts else np.full(int(air.sum()), np.nan)
        return cls(hexes[o], t[o], pts["lat"].to_numpy(dtype=float)[air][o], pts["lon"].to_numpy(dtype=float)[air][o], alt[o])

    def span(self, hexa: str, a: int, b: int) -> slice:
        lo, hi = np.searchsorted(self.keys, hexa, side="left"), np.searchsorted(self.keys, hexa, side="right")
        tt = self.t[lo:hi]
        return slice(int(lo + np.searchsorted(tt, a, side="left")), int(lo + np.searchsorted(tt, b, side="right")))


def _km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    return np.hypot(lat1 - lat2, (lon1 - lon2) * np.cos(np.radians(lat1))) * 111.2


def _resampled(tr: _Tracks, spans: list[slice], step_s: float, n_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each leg's position and height every ``step_s`` seconds since its first position (NaN past its end): legs × steps."""
    k = len(spans)
    lat, lon, alt = (np.full((k, n_steps), np.nan) for _ in range(3))
    grid = np.arange(n_steps) * step_s
    for i, sp in enumerate(spans):  # one interpolation per candidate leg, on whole arrays
        if sp.stop - sp.start < 2:
            continue
        x = (tr.t[sp] - tr.t[sp.start]) / 1e9
        inside = grid <= x[-1]
        lat[i, inside] = np.interp(grid[inside], x, tr.lat[sp])
        lon[i, inside] = np.interp(grid[inside], x, tr.lon[sp])
        alt[i, inside] = np.interp(grid[inside], x, tr.alt[sp])
    return lat, lon, alt


def _aligned(tr: _Tracks, sa: slice, sb: slice, p: ReplayParams) -> tuple[float, float, float, float]:
    """Best alignment of leg b on leg a within ±``align_s`` of their first positions: (median km, 90th-percentile km, median ft, shift s)."""
    xa, xb = (tr.t[sa] - tr.t[sa.start]) / 1e9, (tr.t[sb] - tr.t[sb.start]) / 1e9
    grid = np.arange(0.0, min(xa[-1], xb[-1]), p.step_s / 3.0)
    if len(grid) < 3:
        return np.inf, np.inf, np.inf, 0.0
    lat_a, lon_a, alt_a = (np.interp(grid, xa, v[sa]) for v in (tr.lat, tr.lon, tr.alt))
    centre = 0.0
    for step, half in ((2.0, p.align_s), (0.25, 2.0)):  # a coarse search, then a fine one around its best shift
        shifts = centre + np.arange(-half, half + 1e-9, step)
        g = np.clip(grid[None, :] + shifts[:, None], 0.0, xb[-1])
        lat_b, lon_b, alt_b = (np.interp(g.ravel(), xb, v[sb]).reshape(g.shape) for v in (tr.lat, tr.lon, tr.alt))
        d = _km(lat_a[None, :], lon_a[None, :], lat_b, lon_b)
        med = np.median(d, axis=1)
        k = int(np.argmin(med))
        centre = float(shifts[k])
    dh = np.abs(alt_a - alt_b[k])
    med_ft = float(np.nanmedian(dh)) if np.isfinite(dh).any() else 0.0
    return float(med[k]), float(np.percentile(d[k], 90)), med_ft, centre


_PAIR_CHUNK: Final = 100_000
"""Candidate pairs compared at once in the coarse pass (bounds its memory: pairs × about forty steps)."""


def _endpoint_pairs(ends: np.ndarray, dur: np.ndarray, t0: np.ndarray, good: np.ndarray, p: ReplayParams) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(a, b)``, ``a < b``, of usable legs that start and end within ``start_km``, last as long within
    ``duration_s`` and start ``min_offset_s`` apart, in (a, b) order.

    ``ends`` holds each leg's first and last latitude and longitude (degrees). A k-d tree finds the pairs
    inside a box that holds every pair within ``start_km`` (its longitude side is sized at the highest latitude
    seen), so the work grows with the pairs found, not with the square of the legs; the exact test follows.
    """
    from scipy.spatial import cKDTree

    idx = np.flatnonzero(good)
    if len(idx) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    e = ends[idx]
    lat_side = p.start_km / 111.2
    lon_side = p.start_km / (111.2 * max(float(np.cos(np.radians(min(float(np.abs(e[:, [0, 2]]).max()), 89.0)))), 1e-3))
    scaled = np.column_stack([e[:, 0] / lat_side, e[:, 1] / lon_side, e[:, 2] / lat_side, e[:, 3] / lon_side, dur[idx] / p.duration_s])
    pr = cKDTree(scaled).query_pairs(1.0 + 1e-9, p=np.inf, output_type="ndarray")
    if len(pr) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ia, ib = idx[np.minimum(pr[:, 0], pr[:, 1])], idx[np.maximum(pr[:, 0], pr[:, 1])]
    o = np.lexsort((ib, ia))
    ia, ib = ia[o], ib[o]
    ok = ((np.abs(dur[ia] - dur[ib]) <= p.duration_s) & (np.abs(t0[ia] - t0[ib]) >= p.min_offset_s)
          & (_km(ends[ia, 0], ends[ia, 1], ends[ib, 0], ends[ib, 1]) <= p.start_km)
          & (_km(ends[ia, 2], ends[ia, 3], ends[ib, 2], ends[ib, 3]) <= p.start_km))
    return ia[ok], ib[ok]


def _coarse(rlat: np.ndarray, rlon: np.ndarray, ralt: np.ndarray, ia: np.ndarray, ib: np.ndarray, p: ReplayParams) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, whether the resampled tracks lie within a median of ``coarse_km`` (and of five times ``max_median_ft``
    in height), and that median (km); pairs taken :data:`_PAIR_CHUNK` at a time."""
    keep = np.zeros(len(ia), dtype=bool)
    med = np.full(len(ia), np.inf)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for s in range(0, len(ia), _PAIR_CHUNK):
            a, b = ia[s : s + _PAIR_CHUNK], ib[s : s + _PAIR_CHUNK]
            m = np.nanmedian(_km(rlat[a], rlon[a], rlat[b], rlon[b]), axis=1)  # pairs × steps, NaN past the shorter leg
            h = np.nanmedian(np.abs(ralt[a] - ralt[b]), axis=1)
            keep[s : s + _PAIR_CHUNK] = (m <= p.coarse_km) & ~(h > 5 * p.max_median_ft)
            med[s : s + _PAIR_CHUNK] = m
    return keep, med


def _matches(tr: _Tracks, spans: list[slice], ia: np.ndarray, ib: np.ndarray, med: np.ndarray,
             p: ReplayParams) -> list[tuple[int, int, tuple[float, float, float]]]:
    """The pairs that pass the fine alignment, as ``(a, b, (median km, median ft, shift s))``.

    Pairs are aligned closest first (by their coarse median, then in leg order). A pair is skipped when both
    its legs are already known to replay another, or when both have had ``max_tries`` alignments: each leg
    that replays another is found, and the work stays within ``max_tries`` alignments per leg however many
    copies of one track there are. Where copies abound, a leg is listed with the copies it was aligned with,
    not with every one.
    """
    found: list[tuple[int, int, tuple[float, float, float]]] = []
    matched = np.zeros(len(spans), dtype=bool)
    tries = np.zeros(len(spans), dtype=np.int64)
    for k in np.lexsort((ib, ia, med)):  # one fine alignment per pair still worth one
        a, b = int(ia[k]), int(ib[k])
        if (matched[a] and matched[b]) or (tries[a] >= p.max_tries and tries[b] >= p.max_tries):
            continue
        tries[a] += 1
        tries[b] += 1
        med_km, p90_km, med_ft, shift = _aligned(tr, spans[a], spans[b], p)
        if med_km <= p.max_median_km and p90_km <= p.max_p90_km and med_ft <= p.max_median_ft:
            matched[a] = matched[b] = True
            found.append((a, b, (med_km, med_ft, shift)))
    return found


def replays(ctx: Any, params: ReplayParams | None = None) -> pd.DataFrame:
    """Pairs of fleet (or lookalike) legs whose tracks repeat each other at a shifted time (cached per evaluation).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REPLAY_COLUMNS` (empty without the Points table).
    """
    if "replays" in ctx.cache:
        return ctx.cache["replays"]
    p = params or ReplayParams()
    out = pd.DataFrame({c: pd.Series([], dtype=object) for c in REPLAY_COLUMNS})
    pts = ctx.points
    c = _candidates(ctx, p)
    ctx.cache["replays"] = out
    if pts is None or len(pts) == 0 or len(c) < 2 or "lat" not in pts:
        return out
    tr = _Tracks.of(pts, only={str(h).lower() for h in c["icao24"]})  # the candidates' aircraft alone: the spans looked up below
    f, l_ = time_ns(c["first_seen"].astype(TIME_DTYPE)), time_ns(c["last_seen"].astype(TIME_DTYPE))
    spans = [tr.span(str(h).lower(), int(a), int(b)) for h, a, b in zip(c["icao24"], f, l_, strict=True)]  # one look-up per candidate leg
    n_pts = np.array([s.stop - s.start for s in spans])
    first = np.array([s.start if s.stop > s.start else 0 for s in spans])
    last = np.array([s.stop - 1 if s.stop > s.start else 0 for s in spans])
    good = n_pts >= p.min_points
    dur = (tr.t[last] - tr.t[first]) / 1e9
    t0 = tr.t[first] / 1e9
    lat0, lon0, lat1, lon1 = tr.lat[first], tr.lon[first], tr.lat[last], tr.lon[last]
    ia, ib = _endpoint_pairs(np.column_stack([lat0, lon0, lat1, lon1]), dur, t0, good, p)
    rows = []
    if len(ia):
        step = max(p.step_s, float(np.nanmax(dur[good])) / 40.0)  # about forty positions a leg are enough to discard most pairs
        n_steps = int(np.nanmax(dur[good]) // step) + 1
        used = np.unique(np.concatenate([ia, ib]))
        rlat, rlon, ralt = (np.full((len(spans), n_steps), np.nan) for _ in range(3))
        rlat[used], rlon[used], ralt[used] = _resampled(tr, [spans[i] for i in used], step, n_steps)
        keep, med = _coarse(rlat, rlon, ralt, ia, ib, p)
        for a, b, (med_km, med_ft, shift) in _matches(tr, spans, ia[keep], ib[keep], med[keep], p):
            off = float(t0[b] - t0[a] + shift)
            for x, y, o in ((a, b, off), (b, a, -off)):
                rows.append({"leg_id": str(c.at[x, "leg_id"]), "replays": str(c.at[y, "leg_id"]), "icao24": str(c.at[x, "icao24"]),
                             "other_icao24": str(c.at[y, "icao24"]), "offset_s": o, "median_km": round(med_km, 3), "median_ft": round(med_ft, 1)})
    if rows:
        out = pd.DataFrame(rows, columns=list(REPLAY_COLUMNS)).sort_values(["leg_id", "replays"], kind="stable").reset_index(drop=True)
    ctx.cache["replays"] = out
    return out


def replay_of(ctx: Any, leg_ids: pd.Series) -> np.ndarray:
    """Per item (its ``legs``, ``;``-joined), the words for a replay it is part of ("" for none)."""
    rp = replays(ctx)
    out = np.full(len(leg_ids), "", dtype=object)
    if len(rp) == 0:
        return out
    words = {str(a): f"its track replays {b} ({o}) shifted by {float(s) / 86400:+.2f} days (a clock error or a copied track)"
             for a, b, o, s in zip(rp["leg_id"], rp["replays"], rp["other_icao24"], rp["offset_s"], strict=True)}
    for k, legs in enumerate(leg_ids.astype(object).fillna("").astype(str)):  # one look-up per item
        hit = [words[x] for x in legs.split(";") if x in words]
        out[k] = "; ".join(hit)
    return out


def second_of(ctx: Any, leg_ids: pd.Series, end: str) -> np.ndarray:
    """Per leg id, the other field in reach at one end (``origin`` / ``destination``) and why it lost ("" for none)."""
    col = f"{end}_second_reason"
    if col not in ctx.legs or len(ctx.legs) == 0:
        return np.full(len(leg_ids), "", dtype=object)
    key = ("second_reason", end)
    if key not in ctx.cache:
        m = ctx.legs.set_index("leg_id")[col].astype(object)
        ctx.cache[key] = m[~m.index.duplicated()]
    return leg_ids.astype(object).map(ctx.cache[key]).fillna("").astype(str).to_numpy(dtype=object)


def _lookalike_ends(ctx: Any, fleet: str | None, end: str) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """The legs of a fleet's lookalikes: their field at ``end``, that end's time, their address (cached per evaluation)."""
    key = ("lookalike-ends", fleet, end)
    if key not in ctx.cache:
        look = lookalikes(ctx)
        look = look[look["fleet"] == fleet] if fleet else look
        lg = ctx.legs[ctx.legs["icao24"].astype(str).str.lower().isin(set(look["icao24"]))]
        tcol = "takeoff_time" if end == "origin" else "landing_time"
        t = lg[tcol].astype(TIME_DTYPE).fillna(lg["last_seen" if end == "destination" else "first_seen"].astype(TIME_DTYPE))
        ctx.cache[key] = (pd.Series(lg[end]), t, lg["icao24"].astype(str).str.lower().to_numpy(dtype=object))
    return ctx.cache[key]


def identity_note(ctx: Any, claim: Any, items: pd.DataFrame, win: Any) -> str:
    """Sentences for a claim's reason: lookalikes that did what it counts, replayed tracks, inferred ends with another field in reach."""
    notes = []
    s = claim.subject
    A = ctx.resolve(s.airport) or (ctx.resolve(ctx.scenario.route(s.route).sequence[1]) if s.route else None)
    look = lookalikes(ctx)
    look = look[look["fleet"] == s.fleet] if s.fleet else look
    if len(look) and A and len(ctx.legs):
        end = "origin" if s.unit == "departures" else "destination"
        ends, t, hexes = _lookalike_ends(ctx, s.fleet, end)
        hit = hexes[ends.isin(A).to_numpy() & (t >= win.start).to_numpy() & (t < win.end).to_numpy()]
        if len(hit):
            who = look.drop_duplicates("icao24").set_index("icao24")
            def short(cs: Any) -> str:
                parts = [x for x in str(cs or "").split(",") if x and not x.startswith("…")]
                return ",".join(parts[:2]) + (f" and {len(parts) - 2} more callsigns" if len(parts) > 2 else "")

            names = [" ".join(x for x in (h, str(who.at[h, "registration"] or ""), short(who.at[h, "callsigns"])) if x) + f" ({who.at[h, 'why']!s})"
                     for h in sorted(set(hit))]
            word = "take-off" if end == "origin" else "landing"
            notes.append(f"not counted: {len(hit)} {word}(s) at {s.airport or '/'.join(sorted(A))} in the window by aircraft that resemble the fleet "
                         f"but are not in it: {', '.join(names)} (see the lookalikes table)")
    if len(items) and "caveat" in items:
        rep = items["caveat"].astype(object).fillna("").astype(str).str.contains("replays")
        if rep.any():
            k = int(rep.sum())
            notes.append(f"{fmt_n(k, 'item')} {'lies' if k == 1 else 'lie'} on a track that replays another at a shifted time; "
                         f"{'it counts' if k == 1 else 'they count'} only as bridged ones")
    if len(items):
        strong_inf = items["grade"].eq("inferred").to_numpy()
        other = items["detail"].astype(object).fillna("").astype(str).str.contains("other field in reach").to_numpy()
        k = int((strong_inf & other).sum())
        if k:
            notes.append(f"{k} of the counted ends are inferred with another field in reach (named in the evidence)")
    return "".join(f"; {n}" for n in notes)
