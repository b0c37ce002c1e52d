"""Steps 5–6 of leg detection, and the Legs table: ends, bridges, times, identity, tracks and lineage.

Each function works on whole arrays of legs; the only loops run once per leg
end, to write a sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from flighttrace.cells import NONE, none_where
from flighttrace.geo import haversine_km
from flighttrace.reference.airports import AirportIndex
from flighttrace.schema import TIME_DTYPE
from flighttrace.timeutil import from_ns
from flighttrace.tracks.ends import LOST_CODES, decide_ends, ft_texts, ground_fields
from flighttrace.tracks.params import KT_PER_KM_S, LEGS_COLUMNS, LegParams
from flighttrace.tracks.segment import Segments, factor_codes

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["legs_table", "finish", "leg_lineage"]


@dataclass
class _Runs:
    """Each candidate leg as a run of good points, with its first and last airborne point."""

    starts: np.ndarray  # first good point of the run
    ends: np.ndarray  # exclusive
    n_air: np.ndarray
    fa: np.ndarray  # first airborne point (n when none)
    la: np.ndarray  # last airborne point (-1 when none)
    fa_c: np.ndarray  # clipped into the array
    la_c: np.ndarray

    @property
    def count(self) -> int:
        return len(self.starts)


def _runs(seg: Segments, air: np.ndarray) -> _Runs:
    n = len(air)
    starts = np.flatnonzero(np.diff(seg.leg_of, prepend=-1) != 0)
    ends = np.append(starts[1:], n)
    pos = np.arange(n)
    fa = np.minimum.reduceat(np.where(air, pos, n), starts)
    la = np.maximum.reduceat(np.where(air, pos, -1), starts)
    return _Runs(starts, ends, np.add.reduceat(air, starts, dtype=np.int64), fa, la, np.minimum(fa, n - 1), np.maximum(la, 0))


def _trend(g: dict[str, np.ndarray], i: np.ndarray, step: int) -> np.ndarray:
    """Vertical trend at point i (ft/min): the reported rate, else the slope to a neighbour ``step`` points away."""
    t, alt, vr = g["t"], g["alt"], g["vr"]
    j = np.clip(i + step, 0, len(t) - 1)
    same = (g["ac"][j] == g["ac"][i]) & (t[j] != t[i])
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(same, (alt[j] - alt[i]) / (t[j] - t[i]) * 60.0, np.nan)
    return np.where(np.isnan(vr[i]), slope, vr[i])


def _steady(g: dict[str, np.ndarray], i: np.ndarray, bound: np.ndarray, window_s: float, *, away: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per end point ``i``: its rate away from (``away``, an origin) or toward the ground (ft/min), and its ground speed (kt).

    The rate is the smaller of the reported vertical rate and the mean rate
    to the point ``window_s`` seconds along the leg (later for an origin,
    earlier for a destination; never past ``bound``, the leg's other
    airborne end), when that point is at least a third of the window away;
    the speed is the larger of the two points' ground speeds. A slower rate
    and a faster speed both widen the reach, so either estimate alone can
    only make the test more lenient.
    """
    t, alt, vr, gs, ac = g["t"], g["alt"], g["vr"], g["gs"], g["ac"]
    sign = 1.0 if away else -1.0
    reported = sign * vr[i]
    j = i.copy()
    span = float(t.max() - t.min()) + 2.0 * window_s + 1.0 if len(t) else 0.0
    if len(i) and (int(ac.max()) + 1) * span < 2.0**47:  # the key below then resolves 1/32 s or finer
        key = ac * span + (t - t.min())  # sorted: by aircraft, then time; one aircraft's times never reach the next one's
        if away:
            j = np.minimum(np.searchsorted(key, key[i] + window_s, side="right") - 1, bound)
        else:
            j = np.maximum(np.searchsorted(key, key[i] - window_s, side="left"), bound)
    dt = np.abs(t[j] - t[i])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(dt >= window_s / 3.0, (alt[j] - alt[i]) / dt * 60.0, np.nan)  # later minus now (origin), earlier minus now (destination)
    rate = np.where(np.isnan(reported), mean, np.where(np.isnan(mean), reported, np.minimum(reported, mean)))
    speed = np.fmax(gs[i], gs[j])
    return rate, speed


class _Edges:
    """The field under each run's first (last) point when it is on the ground, looked up only for the runs asked about."""

    def __init__(self, g: dict[str, np.ndarray], air: np.ndarray, r: _Runs, index: AirportIndex, p: LegParams) -> None:
        self.g, self.air, self.r, self.index, self.p = g, air, r, index, p
        self.known = {True: np.full(r.count, -2, dtype=np.int64), False: np.full(r.count, -2, dtype=np.int64)}  # -2: not looked up

    def field(self, runs: np.ndarray, *, first: bool) -> np.ndarray:
        """Field (index row, -1 none) under the first (``first``) or last point of each run in ``runs``, if on the ground."""
        known, r = self.known[first], self.r
        need = np.unique(runs[known[runs] == -2])
        if len(need):
            pt = r.starts[need] if first else r.ends[need] - 1
            on = ~self.air[pt] & (r.n_air[need] > 0)
            f = np.full(len(need), -1, dtype=np.int64)
            at = pt[on]
            f[on] = ground_fields(self.index, self.g["lat"][at], self.g["lon"][at], self.g["heli"][at], self.p)
            known[need] = f
        return known[runs]


def _ground_next(g: dict[str, np.ndarray], r: _Runs, edges: _Edges, p: LegParams) -> tuple[np.ndarray, np.ndarray]:
    """Per run: where the aircraft was seen on the ground in the stop before its first airborne point, and after its last.

    Only for an end with no ground point of its own, from the neighbouring run
    of the same aircraft, when that sighting is at most ``ground_tie_s`` from
    the end's airborne point (-1 elsewhere).
    """
    L, t = r.count, g["t"]
    pre = np.full(L, -1, dtype=np.int64)
    post = np.full(L, -1, dtype=np.int64)
    if L < 2:
        return pre, post
    same = g["ac"][r.starts[1:]] == g["ac"][r.starts[:-1]]
    k = np.flatnonzero(same & (r.fa[1:] == r.starts[1:]) & (t[r.fa_c[1:]] - t[r.ends[:-1] - 1] <= p.ground_tie_s))
    pre[k + 1] = edges.field(k, first=False)
    k = np.flatnonzero(same & (r.la[:-1] == r.ends[:-1] - 1) & (t[r.starts[1:]] - t[r.la_c[:-1]] <= p.ground_tie_s))
    post[k] = edges.field(k + 1, first=True)
    return pre, post


def _decide(g: dict[str, np.ndarray], air: np.ndarray, r: _Runs, index: AirportIndex, p: LegParams,
            pre: np.ndarray, post: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Both ends of every run (:func:`~flighttrace.tracks.ends.decide_ends`), and the points whose altitude decided each."""
    n = len(air)
    t, lat, lon, alt, trk, heli = g["t"], g["lat"], g["lon"], g["alt"], g["trk"], g["heli"]
    pos = np.arange(n)
    # an end point without altitude borrows it from the nearest airborne point that has one (end_alt_carry_s)
    with_alt = air & ~np.isnan(alt)
    fa_alt_raw = np.minimum.reduceat(np.where(with_alt, pos, n), r.starts)  # n when the segment has none
    la_alt_raw = np.maximum.reduceat(np.where(with_alt, pos, -1), r.starts)  # -1 when the segment has none
    fa_alt, la_alt = np.minimum(fa_alt_raw, n - 1), np.maximum(la_alt_raw, 0)
    fa_c, la_c = r.fa_c, r.la_c
    o_carry = np.isnan(alt[fa_c]) & (fa_alt_raw < r.ends) & (fa_alt >= fa_c) & (t[fa_alt] - t[fa_c] <= p.end_alt_carry_s)
    d_carry = np.isnan(alt[la_c]) & (la_alt_raw >= r.starts) & (la_alt <= la_c) & (t[la_c] - t[la_alt] <= p.end_alt_carry_s)
    o_src = np.where(o_carry, fa_alt, fa_c)
    d_src = np.where(d_carry, la_alt, la_c)
    o_trk = np.where(np.isnan(trk[fa_c]), trk[o_src], trk[fa_c])
    d_trk = np.where(np.isnan(trk[la_c]), trk[d_src], trk[la_c])
    # still none: the track of the nearest airborne point of the run that has one (end_track_carry_s)
    with_trk = air & ~np.isnan(trk)
    fa_trk = np.minimum.reduceat(np.where(with_trk, pos, n), r.starts)
    la_trk = np.maximum.reduceat(np.where(with_trk, pos, -1), r.starts)
    fa_trk_c, la_trk_c = np.minimum(fa_trk, n - 1), np.maximum(la_trk, 0)
    o_tc = np.isnan(o_trk) & (fa_trk < r.ends) & (fa_trk_c >= fa_c) & (t[fa_trk_c] - t[fa_c] <= p.end_track_carry_s)
    d_tc = np.isnan(d_trk) & (la_trk >= r.starts) & (la_trk_c <= la_c) & (t[la_c] - t[la_trk_c] <= p.end_track_carry_s)
    o_trk = np.where(o_tc, trk[fa_trk_c], o_trk)
    d_trk = np.where(d_tc, trk[la_trk_c], d_trk)
    orig = decide_ends(
        index, lat[fa_c], lon[fa_c], alt[o_src], o_trk, _trend(g, o_src, +3), heli[fa_c],
        r.fa > r.starts, lat[np.maximum(fa_c - 1, 0)], lon[np.maximum(fa_c - 1, 0)], arriving=False, p=p, ground_next=pre,
        reach=_steady(g, o_src, np.maximum(o_src, la_c), p.reach_window_s, away=True),
    )
    dest = decide_ends(
        index, lat[la_c], lon[la_c], alt[d_src], d_trk, _trend(g, d_src, -3), heli[la_c],
        r.la < r.ends - 1, lat[np.minimum(la_c + 1, n - 1)], lon[np.minimum(la_c + 1, n - 1)], arriving=True, p=p, ground_next=post,
        reach=_steady(g, d_src, np.minimum(d_src, fa_c), p.reach_window_s, away=False),
    )
    return orig, dest, o_src, d_src


def _ground_only(g: dict[str, np.ndarray], r: _Runs, orig: dict[str, np.ndarray], dest: dict[str, np.ndarray], index: AirportIndex,
                 p: LegParams, t_first: np.ndarray, t_last: np.ndarray) -> np.ndarray:
    """A ground-only run is a sighting on the ground at its first/last point: both ends at the nearest field, observed."""
    gs_only = r.n_air == 0
    if gs_only.any():
        sel = np.flatnonzero(gs_only)
        s = r.starts[sel]
        field = ground_fields(index, g["lat"][s], g["lon"][s], g["heli"][s], p)  # the rule of an end seen on the ground
        orig["field"][sel] = field
        dest["field"][sel] = field
        orig["grade"][sel] = np.where(field >= 0, "observed", "unknown")
        dest["grade"][sel] = orig["grade"][sel]
        t_first[sel] = g["t"][s]
        t_last[sel] = g["t"][r.ends[sel] - 1]
    return gs_only


def _strong(grade: np.ndarray) -> np.ndarray:
    return (grade == "observed") | (grade == "inferred")


def _bridge(g: dict[str, np.ndarray], index: AirportIndex, p: LegParams, *, end: dict[str, np.ndarray], field: np.ndarray, on_ground: np.ndarray,
            fix: np.ndarray, nbr: np.ndarray, at: np.ndarray, span: np.ndarray, arriving: bool) -> np.ndarray:
    """Bridge unseen ends (``fix``) to ``field`` of the neighbouring run ``nbr``, when the aircraft could have flown there.

    ``field`` and ``on_ground`` are per run: the field the neighbour offers and
    whether it was seen on the ground there (else departing / arriving).
    ``at`` is the end's point, ``span`` the seconds between the end and the
    neighbour's sighting. Returns the sentence for each bridged end ("" elsewhere).
    """
    note = np.full(len(fix), "", dtype=object)
    if not fix.any():
        return note
    i = np.flatnonzero(fix)
    f = field[nbr[i]]
    flat, flon = index.table["lat"].to_numpy()[f], index.table["lon"].to_numpy()[f]
    dk = haversine_km(g["lat"][at[i]], g["lon"][at[i]], flat, flon)
    s = span[i]
    ok = (s <= p.bridge_max_s) & (s > 0) & (dk / np.maximum(s, 1.0) * KT_PER_KM_S <= p.bridge_max_kt)
    j = i[ok]
    end["field"][j] = f[ok]
    end["grade"][j] = "bridged"
    end["dist"][j] = dk[ok]
    hours = s[ok] / 3600.0
    codes = index.table["code"].to_numpy(dtype=object)
    if arriving:
        how = np.where(on_ground[nbr[j]], "seen on the ground at", "seen departing from")
        note[j] = [f"track lost {d:.0f} km from {c}; next {h_} {c} {hh:.1f} h later"
                   for d, c, h_, hh in zip(dk[ok].tolist(), codes[f[ok]].tolist(), how.tolist(), hours.tolist(), strict=True)]
    else:
        how = np.where(on_ground[nbr[j]], "seen on the ground at", "seen arriving at")
        note[j] = [f"track first seen {d:.0f} km from {c}; last {h_} {c} {hh:.1f} h earlier"
                   for d, c, h_, hh in zip(dk[ok].tolist(), codes[f[ok]].tolist(), how.tolist(), hours.tolist(), strict=True)]
    return note


def _bridges(g: dict[str, np.ndarray], r: _Runs, orig: dict[str, np.ndarray], dest: dict[str, np.ndarray], index: AirportIndex, p: LegParams,
             gs_only: np.ndarray, t_first: np.ndarray, t_last: np.ndarray, edges: _Edges) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bridges across consecutive runs of the same aircraft; notes for the ends left unknown. Returns (o_note, d_note, prev, next).

    A neighbour offers the field where it was seen on the ground nearest in
    time to the unseen end (its first point for the next run, its last for the
    previous one) when that differs from its own strong end (a ground run
    that spans two fields: the sighting nearest in time wins), else its own
    strong end.
    """
    L = r.count
    leg_ac = g["ac"][r.starts]
    same_next = np.zeros(L, dtype=bool)
    same_next[:-1] = leg_ac[1:] == leg_ac[:-1]
    nxt = np.minimum(np.arange(1, L + 1), L - 1)
    first_g = np.full(L, -1, dtype=np.int64)
    k = nxt[(dest["grade"] == "unknown") & same_next & ~gs_only]
    first_g[k] = edges.field(k, first=True)
    strong = _strong(orig["grade"]) & (orig["field"] >= 0)
    by_ground = (first_g >= 0) & ~(strong & (orig["field"] == first_g))  # a sighting elsewhere than its strong end
    field = np.where(by_ground, first_g, orig["field"])
    offers = by_ground | strong
    d_fix = (dest["grade"] == "unknown") & same_next & offers[nxt] & ~gs_only
    d_note = _bridge(g, index, p, end=dest, field=field, on_ground=by_ground | gs_only, fix=d_fix, nbr=nxt, at=r.la_c,
                     span=t_first[nxt] - t_last, arriving=True)
    same_prev = np.zeros(L, dtype=bool)
    same_prev[1:] = leg_ac[1:] == leg_ac[:-1]
    prv = np.maximum(np.arange(-1, L - 1), 0)
    last_g = np.full(L, -1, dtype=np.int64)
    k = prv[(orig["grade"] == "unknown") & same_prev & ~gs_only]
    last_g[k] = edges.field(k, first=False)
    strong = _strong(dest["grade"]) & (dest["field"] >= 0)
    by_ground = (last_g >= 0) & ~(strong & (dest["field"] == last_g))
    field = np.where(by_ground, last_g, dest["field"])
    offers = by_ground | strong
    o_fix = (orig["grade"] == "unknown") & same_prev & offers[prv] & ~gs_only
    o_note = _bridge(g, index, p, end=orig, field=field, on_ground=by_ground | gs_only, fix=o_fix, nbr=prv, at=r.fa_c,
                     span=t_first - t_last[prv], arriving=False)
    lat, lon, alt = g["lat"], g["lon"], g["alt"]
    for note, end, at, word in ((o_note, orig, r.fa_c, "first"), (d_note, dest, r.la_c, "last")):
        unk = (end["grade"] == "unknown") & (note == "")
        if unk.any():
            u = at[np.flatnonzero(unk)]
            note[np.flatnonzero(unk)] = [f"{word} seen at {'unknown altitude' if math.isnan(x) else ft}, {la_:.3f}, {lo_:.3f}; no field fits"
                                         for x, ft, la_, lo_ in zip(alt[u].tolist(), ft_texts(alt[u]), lat[u].tolist(), lon[u].tolist(), strict=True)]
        over = np.flatnonzero(unk & (end["method"] == "over_field"))
        if len(over):
            note[over] = _over_notes(end, over, index, word)
    return o_note, d_note, prv, nxt


def _over_notes(end: dict[str, np.ndarray], rows: np.ndarray, index: AirportIndex, word: str) -> list[str]:
    """Why the ends ``rows``, over a field they were too high above to have used on a straight path, name no field."""
    codes = index.table["code"].to_numpy()
    how = "climbed out of it" if word == "first" else "descended onto it"
    out = []
    for f, d, ft, s, sd in zip(end["over"][rows].tolist(), end["over_dist"][rows].tolist(), ft_texts(end["over_agl"][rows]),
                               end["second"][rows].tolist(), end["second_dist"][rows].tolist(), strict=True):
        other = f"; {codes[s]}, {sd:.1f} km away, fits a straight path but is not named" if s >= 0 else ""
        out.append(f"{word} seen {ft} above {codes[f]}, {d:.1f} km from it: too high to have {how} on a straight path, "
                   f"but it may have turned above it{other}")
    return out


def _ts(x: np.ndarray) -> pd.Series:
    """Epoch seconds (NaN for none) → a UTC time column."""
    ns = np.round(np.nan_to_num(x) * 1e9).astype(np.int64)
    ns[np.isnan(x)] = np.iinfo(np.int64).min  # NaT
    return pd.Series(from_ns(ns), dtype=TIME_DTYPE)


def _times(g: dict[str, np.ndarray], orig: dict[str, np.ndarray], dest: dict[str, np.ndarray], o_src: np.ndarray, d_src: np.ndarray,
           t_first: np.ndarray, t_last: np.ndarray, prv: np.ndarray, nxt: np.ndarray, p: LegParams) -> dict[str, pd.Series]:
    """Take-off and landing times, extrapolated at the assumed climb / descent rates; bounds for bridged ends."""
    t = g["t"]
    nan_t = np.full(len(t_first), np.nan)
    o_agl = np.where(np.isnan(orig["agl"]), 0.0, np.maximum(orig["agl"], 0.0))
    d_agl = np.where(np.isnan(dest["agl"]), 0.0, np.maximum(dest["agl"], 0.0))
    # extrapolate from the point whose altitude decided the end (seen on the ground: the last / first airborne point)
    t_o_ref = np.where(orig["method"] == "on_ground", t_first, t[o_src])
    t_d_ref = np.where(dest["method"] == "on_ground", t_last, t[d_src])
    strong_o, strong_d = np.isin(orig["grade"], ["observed", "inferred"]), np.isin(dest["grade"], ["observed", "inferred"])
    return {
        "takeoff_time": _ts(np.where(strong_o, t_o_ref - o_agl / p.assumed_climb_fpm * 60.0, nan_t)),
        "landing_time": _ts(np.where(strong_d, t_d_ref + d_agl / p.assumed_descent_fpm * 60.0, nan_t)),
        "takeoff_time_earliest": _ts(np.where(orig["grade"] == "bridged", t_last[prv], nan_t)),
        "landing_time_latest": _ts(np.where(dest["grade"] == "bridged", t_first[nxt], nan_t)),
    }


LEVEL_FPM: Final = 50.0
"""A vertical trend within this many ft/min of zero is worded as level flight."""


def _air_verbs(kind: str, vert: np.ndarray) -> np.ndarray:
    """How an airborne end moves relative to its field, as far as its vertical trend (ft/min) says."""
    arriving = kind == "destination"
    moving = "descending toward" if arriving else "climbing away from"
    level = "flying level toward" if arriving else "flying level away from"
    unsaid = "flying toward" if arriving else "flying away from"
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(vert), unsaid, np.where(np.abs(vert) <= LEVEL_FPM, level, moving)).astype(object)


def _reason(kind: str, grade: np.ndarray, method: np.ndarray, code: np.ndarray, dist: np.ndarray, agl: np.ndarray, other: np.ndarray, runway: np.ndarray,
            vert: np.ndarray) -> np.ndarray:
    """A sentence per end explaining its grade (built per leg, not per point); ``vert`` is each end point's vertical trend (ft/min)."""
    out = np.empty(len(grade), dtype=object)
    verbs = _air_verbs(kind, vert)
    ends = zip(grade.tolist(), method.tolist(), code.tolist(), dist.tolist(), ft_texts(agl), other.tolist(), runway.tolist(), verbs.tolist(), strict=True)
    for i, (g, mth, c, d, ft, o, rw, verb_air) in enumerate(ends):  # one sentence per leg end
        rwy = f", aligned with runway {rw}" if rw else ""
        if g == "observed" and mth == "on_ground":
            out[i] = f"seen on the ground {d:.1f} km from {c}"
        elif g == "observed":
            word = "touchdown" if kind == "destination" else "lift-off"
            out[i] = f"{word} seen: {ft} above {c} (runway height), {d:.1f} km from it{rwy}"
        elif g == "inferred" and mth == "near_no_alt":
            out[i] = f"{'last' if kind == 'destination' else 'first'} seen {d:.1f} km from {c} (no altitude)"
        elif g == "inferred":
            out[i] = f"{'last' if kind == 'destination' else 'first'} seen {ft} above {c}, {d:.1f} km out, {verb_air} it{rwy}"
            if mth == "ground_next":
                out[i] += f"; seen on the ground there in the stop {'after the landing' if kind == 'destination' else 'before the take-off'}"
        elif g == "bridged":
            out[i] = str(o)
        else:
            out[i] = str(o) if o else "no field fits the end of the track"
    return out


def _end_columns(prefix: str, end: dict[str, np.ndarray], codes: np.ndarray, note: np.ndarray) -> dict[str, Any]:
    """The columns of one end: field, grade, reason, distance, height, and the best other field considered and why it lost."""
    code = none_where(end["field"] < 0, codes[np.maximum(end["field"], 0)])
    sec = end["second"]
    has = sec >= 0
    name = none_where(~has, codes[np.maximum(sec, 0)])
    why = none_where(~has, end["second_why"])
    words = np.full(len(sec), None, dtype=object)
    at = np.flatnonzero(has)
    words[at] = [f"{nm}, {d:.1f} km away: {LOST_CODES[w]}" + (f" ({detail})" if detail else "")  # one sentence per leg end
                 for nm, d, w, detail in zip(name[at].tolist(), end["second_dist"][at].tolist(), why[at].tolist(), end["second_detail"][at].tolist(),
                                             strict=True)]
    return {
        prefix: code,
        f"{prefix}_evidence": end["grade"],
        f"{prefix}_reason": _reason(prefix, end["grade"], end["method"], code, end["dist"], end["agl"], note, end["runway"], end["vert"]),
        f"{prefix}_dist_km": np.round(end["dist"], 2),
        f"{prefix}_agl_ft": np.round(end["agl"], 0),
        f"{prefix}_second": name,
        f"{prefix}_second_dist_km": np.round(np.where(has, end["second_dist"], np.nan), 2),
        f"{prefix}_second_why": why,
        f"{prefix}_second_reason": words,
    }


def _identity(pts: pd.DataFrame, g: dict[str, np.ndarray], r: _Runs) -> dict[str, Any]:
    """Per leg: id, address, registration, type, callsign (and every callsign when it changed)."""
    rows_g = g.get("row")

    def rows(idx: np.ndarray) -> np.ndarray:
        return idx if rows_g is None else rows_g[idx]

    n = len(g["t"])
    hex_codes, hex_cats = factor_codes(pts["icao24"])
    leg_hex = hex_cats[hex_codes[rows(r.starts)]].astype(str)
    mid = np.clip((r.fa_c + r.la_c) // 2, 0, n - 1)
    cs_codes, cs_cats = factor_codes(pts["callsign"]) if "callsign" in pts else (np.full(len(pts), -1), np.empty(0, dtype=object))
    callsign = np.append(cs_cats, NONE)[cs_codes[rows(mid)]]
    cs_g = cs_codes if rows_g is None else cs_codes[rows_g]
    changes = np.zeros(n, dtype=bool)
    changes[1:] = (cs_g[1:] != cs_g[:-1]) & (cs_g[1:] >= 0) & (cs_g[:-1] >= 0)
    changes[r.starts] = False
    n_changes = np.add.reduceat(changes, r.starts, dtype=np.int64)
    callsigns = callsign.copy()
    for i in np.flatnonzero(n_changes > 0):  # only legs whose callsign changed
        c = cs_codes[rows(r.starts[i]) : rows(r.ends[i] - 1) + 1]
        callsigns[i] = ",".join(cs_cats[pd.unique(c[c >= 0])].astype(str))

    def at_last(col: str) -> np.ndarray:
        if col not in pts:
            return np.full(r.count, None, dtype=object)
        codes_, cats_ = factor_codes(pts[col])
        return np.append(cats_, NONE)[codes_[rows(r.la_c)]]

    stamp = pd.to_datetime(np.floor(g["t"][r.starts]).astype(np.int64), unit="s").strftime("%Y%m%dT%H%M%SZ").to_numpy(dtype=object)
    return {"leg_id": leg_hex.astype(object) + "-" + stamp, "icao24": leg_hex, "registration": at_last("registration"),
            "typecode": at_last("typecode"), "callsign": callsign, "callsigns": callsigns}


def _quality(pts: pd.DataFrame, g: dict[str, np.ndarray], r: _Runs, suspect: np.ndarray, seg: Segments) -> dict[str, Any]:
    """Per leg: point counts, the longest reception gap, the MLAT share, touch-and-gos, the row range in the sorted Points table."""
    rows_g = g.get("row")
    n = len(g["t"])
    p_start = r.starts if rows_g is None else rows_g[r.starts]
    p_end = np.append(p_start[1:], len(pts))
    dtg = np.zeros(n, dtype=np.float32)
    np.subtract(g["t"][1:], g["t"][:-1], out=dtg[1:], casting="same_kind")
    dtg[r.starts] = 0.0
    max_gap = np.maximum.reduceat(dtg, r.starts).astype(np.float64)
    # suspect points between the leg's first and last good row belong to the leg
    if suspect.any():
        cs_sus = np.concatenate([[0], np.cumsum(suspect, dtype=np.int64)])
        n_sus = cs_sus[p_end] - cs_sus[p_start]
    else:
        n_sus = np.zeros(r.count, dtype=np.int64)
    return {
        "n_points": (p_end - p_start).astype(np.int64),
        "n_air": r.n_air.astype(np.int64),
        "n_suspect": n_sus.astype(np.int64),
        "max_gap_s": np.round(max_gap, 1),
        "mlat_share": np.round(np.add.reduceat(g["mlat"], r.starts, dtype=np.int64) / np.maximum(r.ends - r.starts, 1), 3),
        "touch_and_go": seg.touch_and_go[: r.count].astype(np.int64),
        "point_start": p_start.astype(np.int64),
        "point_end": p_end.astype(np.int64),
    }


def legs_table(pts: pd.DataFrame, g: dict[str, np.ndarray], suspect: np.ndarray, air: np.ndarray, seg: Segments, index: AirportIndex,
               p: LegParams) -> pd.DataFrame:
    """One row per leg (runs with at least ``min_air_points`` airborne points), without geometry and lineage.

    Parameters
    ----------
    pts
        The sorted Points table.
    g
        Its good points as arrays (:func:`~flighttrace.tracks.segment.point_arrays`;
        ``row`` maps a good point to its row when some were left out).
    suspect
        Per row of ``pts``: an excursion or frozen position.
    air, seg
        Air or ground per good point, and the runs (:func:`~flighttrace.tracks.segment.segment`).
    index, p
        The fields, and the thresholds.
    """
    if len(air) == 0 or seg.n_legs == 0:
        return pd.DataFrame(columns=[c for c in LEGS_COLUMNS if c != "geometry"])
    r = _runs(seg, air)
    edges = _Edges(g, air, r, index, p)
    pre, post = _ground_next(g, r, edges, p)
    orig, dest, o_src, d_src = _decide(g, air, r, index, p, pre, post)
    t_first, t_last = g["t"][r.fa_c].copy(), g["t"][r.la_c].copy()
    gs_only = _ground_only(g, r, orig, dest, index, p, t_first, t_last)
    o_note, d_note, prv, nxt = _bridges(g, r, orig, dest, index, p, gs_only, t_first, t_last, edges)
    times = _times(g, orig, dest, o_src, d_src, t_first, t_last, prv, nxt, p)
    codes = index.table["code"].to_numpy(dtype=object)
    o_cols, d_cols = _end_columns("origin", orig, codes, o_note), _end_columns("destination", dest, codes, d_note)
    cols = {
        **_identity(pts, g, r),
        "first_seen": _ts(g["t"][r.starts]), "last_seen": _ts(g["t"][r.ends - 1]),
        **{k: o_cols[k] for k in ("origin",)}, "takeoff_time": times["takeoff_time"],
        **{k: v for k, v in o_cols.items() if k != "origin" and "_second" not in k},
        "destination": d_cols["destination"], "landing_time": times["landing_time"],
        **{k: v for k, v in d_cols.items() if k != "destination" and "_second" not in k},
        **{k: v for k, v in o_cols.items() if "_second" in k}, **{k: v for k, v in d_cols.items() if "_second" in k},
        "takeoff_time_earliest": times["takeoff_time_earliest"], "landing_time_latest": times["landing_time_latest"],
        **_quality(pts, g, r, suspect, seg),
    }
    df = pd.DataFrame(cols)
    df["_good_start"] = r.starts
    df["_good_end"] = r.ends
    return df[r.n_air >= p.min_air_points].reset_index(drop=True)


def finish(pts: pd.DataFrame, legs: pd.DataFrame, g: dict[str, np.ndarray], *, geometry: bool, lineage: bool) -> gpd.GeoDataFrame:
    """The Legs table: each leg's track as a LineString (lon, lat) and its lineage (``src_file`` / ``src_row`` ranges)."""
    import geopandas as gpd
    import shapely

    if len(legs) == 0:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in LEGS_COLUMNS if c != "geometry"})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    gs_, ge_ = legs.pop("_good_start").to_numpy(), legs.pop("_good_end").to_numpy()
    legs["lineage"] = leg_lineage(pts, legs) if lineage else None
    if geometry:
        lens = ge_ - gs_
        # each leg is a contiguous run of points: concatenate slices (one per leg) into a preallocated array
        coords = np.empty((int(lens.sum()), 2))
        coords[:, 0] = np.concatenate([g["lon"][a:b] for a, b in zip(gs_, ge_, strict=True)])
        coords[:, 1] = np.concatenate([g["lat"][a:b] for a, b in zip(gs_, ge_, strict=True)])
        ids = np.repeat(np.arange(len(legs)), lens)
        geom = shapely.linestrings(coords, indices=ids)
        del coords, ids
    else:
        geom = np.full(len(legs), None, dtype=object)
    return gpd.GeoDataFrame(legs, geometry=gpd.GeoSeries(geom, crs="EPSG:4326"), crs="EPSG:4326")


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Concatenation of arange(lo[i], hi[i]) for all i, without a Python loop."""
    lens = hi - lo
    total = int(lens.sum())
    offs = np.repeat(lo - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    return np.arange(total) + offs


def leg_lineage(pts: pd.DataFrame, legs: pd.DataFrame) -> np.ndarray:
    """Per leg: ``file:first-last`` source-row ranges, semicolon separated.

    Parameters
    ----------
    pts
        The Points table sorted as leg detection sorts it
        (:func:`~flighttrace.tracks.segment.sorted_points`).
    legs
        Rows with ``point_start`` / ``point_end`` into ``pts``.

    Legs drawn from one file (the common case) take one reduction each; only
    legs that mix files are grouped by file.
    """
    ps, pe = legs["point_start"].to_numpy(), legs["point_end"].to_numpy()
    fcode, fnames = factor_codes(pts["src_file"])
    srow = pts["src_row"].to_numpy()
    res = np.full(len(legs), "", dtype=object)
    if len(legs) == 0:
        return res
    changes = np.zeros(len(pts) + 1, dtype=np.int64)
    changes[1 : len(pts)] = fcode[1:] != fcode[:-1]
    cs = np.cumsum(changes)
    mixed = (cs[pe - 1] - cs[ps]) > 0
    single = np.flatnonzero(~mixed)
    if len(single):
        bounds = np.empty(2 * len(single), dtype=np.int64)
        bounds[0::2], bounds[1::2] = ps[single], pe[single]
        ext = np.append(srow, 0)
        lo = np.minimum.reduceat(ext, bounds)[0::2]
        hi = np.maximum.reduceat(ext, bounds)[0::2]
        names = fnames[fcode[ps[single]]].astype(str).astype(object)
        res[single] = names + ":" + lo.astype(str).astype(object) + "-" + hi.astype(str).astype(object)
    multi = np.flatnonzero(mixed)
    if len(multi):
        rows = _ranges(ps[multi], pe[multi])
        frame = pd.DataFrame({"leg": np.repeat(multi, pe[multi] - ps[multi]), "f": fcode[rows], "r": srow[rows]})
        agg = frame.groupby(["leg", "f"], sort=True)["r"].agg(["min", "max"]).reset_index()
        text = fnames[agg["f"].to_numpy()].astype(str).astype(object) + ":" + agg["min"].astype(str).to_numpy().astype(object) + "-" + agg["max"].astype(str).to_numpy().astype(object)
        out = pd.Series(text, dtype=object).groupby(agg["leg"].to_numpy()).agg("; ".join)
        res[out.index.to_numpy()] = out.to_numpy()
    return res
