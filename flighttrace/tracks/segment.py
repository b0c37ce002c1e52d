"""Steps 1–4 of leg detection: points sorted per aircraft, excursions and frozen positions flagged, air or ground, stops and gaps.

See :mod:`flighttrace.tracks.legs` for the method; every threshold is a field
of :class:`~flighttrace.tracks.params.LegParams`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from flighttrace.geo import haversine_km
from flighttrace.reference.airports import AirportIndex
from flighttrace.timeutil import time_ns
from flighttrace.tracks.params import HELICOPTER_TYPES, KT_PER_KM_S, LegParams

__all__ = ["sorted_points", "factor_codes", "point_arrays", "excursions", "frozen", "airborne", "Segments", "segment"]


def _angle_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


def _starts_to_ids(starts: np.ndarray, n: int) -> np.ndarray:
    """Group id per position from a boolean array of group starts (int32: half the memory of int64)."""
    ids = np.cumsum(starts, dtype=np.int32)
    ids -= 1
    return ids


def _first_in_ranges(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Index of the maximum of ``values`` in each half-open range [lo, hi) (first one on ties)."""
    lens = hi - lo
    gid = np.repeat(np.arange(len(lo)), lens)
    pos = np.arange(int(lens.sum())) + np.repeat(lo - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    v = values[pos]
    mx = np.full(len(lo), -np.inf)
    np.maximum.at(mx, gid, v)
    hit = v >= mx[gid]
    first = np.full(len(lo), -1, dtype=np.int64)
    g_hit, i_hit = np.unique(gid[hit], return_index=True)
    first[g_hit] = pos[hit][i_hit]
    return first


# --------------------------------------------------------------------------- step 1: excursions


def excursions(ac: np.ndarray, t: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray, p: LegParams) -> np.ndarray:
    """Flag points inside runs entered and left by impossible jumps.

    A run between two jumps is an excursion when the track before and after
    it agrees (the aircraft "came back") and the run is the odd one out:
    fewer points than the runs on either side, or mostly without altitude
    (spoofed reports often carry none). A run entered by a jump that lasts to
    the end of the aircraft's track is an excursion only when it is mostly
    without altitude. Only steps whose upper-bound length (degrees, no
    trigonometry) could be a jump get an exact distance, so the cost per
    point is a few subtractions and multiplications.
    """
    n = len(ac)
    suspect = np.zeros(n, dtype=bool)
    if n < 3:
        return suspect
    # squared step in degrees² (≥ (d / 111.2 km)² everywhere; an antimeridian step only adds candidates),
    # in float32 with two reused buffers: the pre-filter touches each point a handful of times
    km_per_deg = 111.2
    m = n - 1
    deg2 = np.empty(m, dtype=np.float32)
    buf = np.empty(m, dtype=np.float32)
    np.subtract(lat[1:], lat[:-1], out=deg2, casting="same_kind")
    np.multiply(deg2, deg2, out=deg2)
    np.subtract(lon[1:], lon[:-1], out=buf, casting="same_kind")
    np.multiply(buf, buf, out=buf)
    np.add(deg2, buf, out=deg2)
    # the smallest step (deg) that could be a jump: max(jump_min_km, jump speed × dt) / 111.2
    np.subtract(t[1:], t[:-1], out=buf, casting="same_kind")
    np.maximum(buf, 1.0, out=buf)
    np.multiply(buf, np.float32(p.jump_kt / KT_PER_KM_S / km_per_deg), out=buf)
    np.maximum(buf, np.float32(p.jump_min_km / km_per_deg), out=buf)
    np.multiply(buf, buf, out=buf)
    over = np.greater(deg2, buf)
    del deg2, buf
    over &= ac[1:] == ac[:-1]
    cand = np.flatnonzero(over)
    del over
    if len(cand) == 0:
        return suspect
    d = haversine_km(lat[cand], lon[cand], lat[cand + 1], lon[cand + 1])
    dtc = np.maximum(t[cand + 1] - t[cand], 1.0)
    is_jump = (d > p.jump_min_km) & (d / dtc * KT_PER_KM_S > p.jump_kt)
    jump = np.zeros(n - 1, dtype=bool)
    jump[cand[is_jump]] = True
    if not jump.any():
        return suspect
    same = ac[1:] == ac[:-1]
    brk = np.ones(n, dtype=bool)
    brk[1:] = ~same | jump
    rs = np.flatnonzero(brk)
    re = np.append(rs[1:], n) - 1
    nrun = re - rs + 1
    nan_frac = np.add.reduceat(np.isnan(alt).astype(np.int64), rs) / nrun
    jin = np.zeros(len(rs), dtype=bool)
    jin[rs > 0] = jump[rs[rs > 0] - 1]
    jout = np.zeros(len(rs), dtype=bool)
    jout[:-1] = jin[1:]
    n_prev = np.concatenate([[0], nrun[:-1]])
    n_next = np.concatenate([nrun[1:], [0]])
    nan_prev = np.concatenate([[0.0], nan_frac[:-1]])
    nan_next = np.concatenate([nan_frac[1:], [0.0]])
    odd = ((nrun < n_prev) & (nrun < n_next)) | ((nan_frac > 0.5) & (nan_frac > nan_prev) & (nan_frac > nan_next))
    flag = np.zeros(len(rs), dtype=bool)
    exc = np.flatnonzero(jin & jout & odd)
    if len(exc):
        a = rs[exc] - 1  # last point before the run
        b = re[exc] + 1  # first point after it
        dd = haversine_km(lat[a], lon[a], lat[b], lon[b])
        dtt = np.maximum(t[b] - t[a], 1.0)
        flag[exc] = (dd <= p.jump_min_km) | (dd / dtt * KT_PER_KM_S <= p.jump_kt)
    last_of_ac = np.ones(len(rs), dtype=bool)
    last_of_ac[:-1] = ac[rs[1:]] != ac[rs[:-1]]
    flag |= jin & last_of_ac & (nan_frac > 0.8) & (nan_frac > nan_prev)
    if flag.any():
        lo, hi = rs[flag], re[flag] + 1
        mark = np.zeros(n + 1, dtype=np.int64)
        np.add.at(mark, lo, 1)
        np.add.at(mark, hi, -1)
        suspect = np.cumsum(mark[:n]) > 0
    return suspect


def frozen(ac: np.ndarray, t: np.ndarray, lat: np.ndarray, lon: np.ndarray, gs: np.ndarray, p: LegParams) -> np.ndarray:
    """Flag points repeating a position for more than ``frozen_max_s`` at flying speed."""
    n = len(ac)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    new = np.ones(n, dtype=bool)
    new[1:] = (lat[1:] != lat[:-1]) | (lon[1:] != lon[:-1]) | (ac[1:] != ac[:-1])
    if new.all():
        return out
    first = np.flatnonzero(new)
    since = t - t[first[np.cumsum(new) - 1]]  # seconds since this position was first reported
    with np.errstate(invalid="ignore"):
        out = ~new & (since > p.frozen_max_s) & (gs >= p.min_air_kt)
    return out


# --------------------------------------------------------------------------- step 2: air or ground


def airborne(
    og: np.ndarray,
    t: np.ndarray,
    alt: np.ndarray,
    gs: np.ndarray,
    vr: np.ndarray,
    heli: np.ndarray,
    new_ac: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    index: AirportIndex,
    p: LegParams,
) -> np.ndarray:
    """Airborne (True) or on the ground (False) for each point.

    The source's flag decides, except where the speed contradicts it: a
    ground flag faster than ``ground_max_kt`` is no information, and a point
    slower than ``min_air_kt`` (a fixed-wing aircraft that is not flying) is
    on the ground unless its altitude is known and more than
    ``slow_max_agl_ft`` above the nearest field, in which case the speed is
    the suspect and the point takes the state of the points before it, as
    does a single slow reading between two flying ones less than
    ``glitch_max_s`` apart. A slow point whose flag says airborne while its
    vertical rate ``vr`` (fpm) says it climbs or descends at
    ``slow_air_vrate_fpm`` or more stays airborne: two readings agree
    against the speed (a helicopter whose type is not known, slowing to land
    away from any field). How high is too high is :func:`_low_enough`'s
    call.
    """
    state = np.full(len(og), -1, dtype=np.int8)  # -1 unknown, 0 ground, 1 air
    state[og == 0] = 1
    state[og == 1] = 0
    with np.errstate(invalid="ignore"):
        state[(og == 1) & (gs > p.ground_max_kt)] = -1  # a glitching air/ground bit, not a 300-kt taxi
    no_flag = og < 0
    with np.errstate(invalid="ignore"):
        fast = gs >= p.air_kt
        fast_alt = ~np.isnan(alt) & (gs >= p.air_kt_with_alt)
        slow = gs < p.air_kt_with_alt
        crawl = gs < p.min_air_kt
    state[no_flag & (fast | fast_alt)] = 1
    # speed alone says "ground": without a flag below air_kt_with_alt; a fixed-wing aircraft below min_air_kt
    with np.errstate(invalid="ignore"):
        moving_up_down = (og == 0) & (np.abs(vr) >= p.slow_air_vrate_fpm)  # the flag and the vertical rate both say it flies
    by_speed = ((no_flag & slow) | (crawl & ~heli)) & (state != 0) & ~moving_up_down
    if by_speed.any():
        # one slow reading between two flying ones a moment apart is a glitch (keeps the state before)
        i = np.flatnonzero(by_speed[1:-1]) + 1  # only these points are looked at, with their neighbours
        with np.errstate(invalid="ignore"):
            flying_prev = (gs[i - 1] >= p.min_air_kt) & (state[i - 1] != 0)
            flying_next = (gs[i + 1] >= p.min_air_kt) & (state[i + 1] != 0)
        g = i[flying_prev & flying_next & ~new_ac[i] & ~new_ac[i + 1] & (t[i + 1] - t[i - 1] <= p.glitch_max_s)]
        state[g] = -1
        by_speed[g] = False
    if by_speed.any():
        ground = by_speed & np.isnan(alt)
        check = np.flatnonzero(by_speed & ~np.isnan(alt))
        if len(check):
            low = _low_enough(check, og, t, alt, gs, heli, new_ac, lat, lon, index, p)
            ground[check[low]] = True
            state[check[~low]] = -1  # too high to be on the ground: the speed is wrong, keep the state before
        state[ground] = 0
    unknown = state < 0
    if unknown.any():
        # carry the previous state of the same aircraft; with none, airborne if an altitude is given
        pos = np.where(~unknown | new_ac, np.arange(len(state)), 0)
        np.maximum.accumulate(pos, out=pos)
        state = state[pos]
        still = state < 0
        state[still] = np.where(np.isnan(alt[still]), 0, 1)
    return state == 1




def _field_elevations(
    idx: np.ndarray, lat: np.ndarray, lon: np.ndarray, heli: np.ndarray, new_ac: np.ndarray, index: AirportIndex, max_km: float
) -> np.ndarray:
    """Elevation (ft) of the field nearest each point ``idx`` within ``max_km`` (NaN: none, or no elevation).

    One lookup per run of consecutive points of one aircraft (at its first
    point), not per point.
    """
    first = np.ones(len(idx), dtype=bool)
    first[1:] = (np.diff(idx) != 1) | new_ac[idx[1:]]
    run = np.cumsum(first) - 1
    heads = idx[first]
    near, _ = index.nearest(lat[heads], lon[heads], k=1, max_km=max_km, heliports=heli[heads])
    elev = index.table["elevation_ft"].to_numpy(dtype=float)
    return np.where(near[:, 0] >= 0, elev[np.maximum(near[:, 0], 0)], np.nan)[run]


def _standing_heights(
    at: np.ndarray, og: np.ndarray, t: np.ndarray, alt: np.ndarray, gs: np.ndarray, heli: np.ndarray, new_ac: np.ndarray,
    lat: np.ndarray, lon: np.ndarray, index: AirportIndex, p: LegParams,
) -> np.ndarray:
    """For the points ``at``: the highest height above the nearest field that the aircraft read while standing still the same UTC day.

    Standing still: flagged on the ground at most ``stop_kt``, or (a
    fixed-wing aircraft, not flagged airborne) at most ``parked_kt``; a
    field within ``slow_field_km``. A barometric altitude on the ground is
    off by the day's pressure (up to about 1,000 ft in deep lows): these
    readings show by how much for this aircraft. NaN where it has none
    that day.
    """
    out = np.full(len(at), np.nan)
    with np.errstate(invalid="ignore"):
        still = ~np.isnan(alt) & (((og == 1) & (gs <= p.stop_kt)) | ((og != 0) & (gs <= p.parked_kt) & ~heli))
    idx = np.flatnonzero(still)
    if not len(idx):
        return out
    height = alt[idx] - _field_elevations(idx, lat, lon, heli, new_ac, index, p.slow_field_km)
    known = ~np.isnan(height)
    if not known.any():
        return out
    aircraft = np.cumsum(new_ac) - 1

    def key(i: np.ndarray) -> np.ndarray:  # aircraft and UTC day
        return aircraft[i].astype(np.int64) * 1_000_000 + np.floor(t[i] / 86_400.0).astype(np.int64) % 1_000_000

    top = pd.Series(height[known]).groupby(key(idx[known])).max()
    return pd.Series(key(at)).map(top).to_numpy(dtype=float)


def _low_enough(
    check: np.ndarray, og: np.ndarray, t: np.ndarray, alt: np.ndarray, gs: np.ndarray, heli: np.ndarray, new_ac: np.ndarray,
    lat: np.ndarray, lon: np.ndarray, index: AirportIndex, p: LegParams,
) -> np.ndarray:
    """Whether each slow point ``check`` (altitude known) is low enough to be on the ground.

    At most ``slow_max_agl_ft`` above the nearest field (sea level when none
    is within ``slow_field_km``); and, when its aircraft was seen standing
    still the same UTC day (:func:`_standing_heights`), at most
    ``slow_standing_margin_ft`` above the highest of those readings. A
    patrol aircraft crawling at 1,000 ft into a headwind, seen parked at
    its field's elevation that morning, is flying, not on the ground.
    """
    agl = alt[check] - np.nan_to_num(_field_elevations(check, lat, lon, heli, new_ac, index, p.slow_field_km), nan=0.0)
    low = agl <= p.slow_max_agl_ft
    base = _standing_heights(check, og, t, alt, gs, heli, new_ac, lat, lon, index, p)
    with np.errstate(invalid="ignore"):
        return low & ~(agl - base > p.slow_standing_margin_ft)  # NaN (nothing standing still that day): no such bound


def sorted_points(points: pd.DataFrame) -> pd.DataFrame:
    """The Points table in the order leg detection uses: by aircraft (icao24), then time; unchanged when already so."""
    if len(points) == 0:
        return points.reset_index(drop=True)
    hexes = points["icao24"].astype(str).to_numpy() if not isinstance(points["icao24"].dtype, pd.CategoricalDtype) else None
    if hexes is None:
        cats = points["icao24"].cat.categories
        if not cats.is_monotonic_increasing:
            points = points.assign(icao24=points["icao24"].cat.reorder_categories(sorted(cats)))
        code = points["icao24"].cat.codes.to_numpy()
    else:
        code = pd.factorize(hexes, sort=True)[0]
    t = time_ns(points["time"])
    ok = bool(np.all((code[1:] > code[:-1]) | ((code[1:] == code[:-1]) & (t[1:] >= t[:-1]))))
    if ok:
        return points.reset_index(drop=True)
    order = np.lexsort((t, code))
    return points.iloc[order].reset_index(drop=True)


def factor_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, categories) of a column, categorical or not (codes -1 for missing)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(), np.asarray(col.cat.categories, dtype=object)
    codes, uniq = pd.factorize(col.astype(object), sort=True)
    return codes, np.asarray(uniq, dtype=object)


def point_arrays(pts: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns detection needs, as numpy arrays (no copies where the dtype allows)."""
    n = len(pts)
    ac, _ = factor_codes(pts["icao24"])
    if "on_ground" in pts:
        og = pts["on_ground"].to_numpy(dtype="int8", na_value=-1)
    else:
        og = np.full(n, -1, dtype=np.int8)
    if "typecode" in pts:
        tcode, tcats = factor_codes(pts["typecode"])
        heli_cat = np.array([str(c).upper() in HELICOPTER_TYPES for c in tcats] + [False])
        heli = heli_cat[tcode]
    else:
        heli = np.zeros(n, dtype=bool)

    def f(name: str) -> np.ndarray:
        if name not in pts:
            return np.full(n, np.nan, dtype=np.float32)
        col = pts[name]
        if col.dtype in (np.float32, np.float64):
            return col.to_numpy()
        return col.to_numpy(dtype=np.float32, na_value=np.nan)

    if "position_source" in pts:
        pcode, pcats = factor_codes(pts["position_source"])
        mlat_cat = np.array([c == "mlat" for c in pcats] + [False])
        mlat = mlat_cat[pcode]
    else:
        mlat = np.zeros(n, dtype=bool)
    nl = pts["new_leg"].to_numpy(dtype=bool) if "new_leg" in pts else np.zeros(n, dtype=bool)
    return {
        "ac": ac,
        "t": time_ns(pts["time"]) / 1e9,
        "lat": pts["lat"].to_numpy(dtype=np.float64),
        "lon": pts["lon"].to_numpy(dtype=np.float64),
        "alt": f("alt_ft"),
        "gs": f("gs_kt"),
        "trk": f("track_deg"),
        "vr": f("vrate_fpm"),
        "og": og,
        "heli": heli,
        "mlat": mlat,
        "new_leg": nl,
    }


@dataclass
class Segments:
    """Legs as runs of good points: the leg number per point, the number of legs, touch-and-gos per leg."""

    leg_of: np.ndarray  # leg number per good point (contiguous runs)
    n_legs: int
    touch_and_go: np.ndarray  # per leg


def _field_agl(index: AirportIndex, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray, heli: np.ndarray, max_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Distance (km) to the nearest field and height above it (ft) for a few points."""
    idx, dist = index.nearest(lat, lon, k=1, max_km=max_km, heliports=heli)
    elev = index.table["elevation_ft"].to_numpy()
    e = np.where(idx[:, 0] >= 0, elev[np.maximum(idx[:, 0], 0)], np.nan)
    e = np.where(np.isnan(e), 0.0, e)
    return dist[:, 0], alt - e


def segment(g: dict[str, np.ndarray], air: np.ndarray, index: AirportIndex, p: LegParams) -> Segments:
    n = len(air)
    if n == 0:
        return Segments(np.empty(0, dtype=np.int64), 0, np.empty(0, dtype=np.int64))
    ac, t, gs = g["ac"], g["t"], g["gs"]
    new_ac = g["new_ac"]
    dt = np.zeros(n, dtype=np.float32)
    np.subtract(t[1:], t[:-1], out=dt[1:], casting="same_kind")
    dt[new_ac] = 0.0
    split = new_ac.copy()  # split before index i
    # --- stops: ground periods between two airborne runs of the same aircraft
    run_start = np.ones(n, dtype=bool)
    run_start[1:] = (air[1:] != air[:-1]) | new_ac[1:]
    rs = np.flatnonzero(run_start)
    re = np.append(rs[1:], n)  # exclusive
    r_air = air[rs]
    r_ac = ac[rs]
    # ground runs with an airborne run of the same aircraft on both sides
    inner = np.zeros(len(rs), dtype=bool)
    if len(rs) >= 3:
        inner[1:-1] = ~r_air[1:-1] & r_air[:-2] & r_air[2:] & (r_ac[:-2] == r_ac[1:-1]) & (r_ac[2:] == r_ac[1:-1])
    gi = np.flatnonzero(inner)
    touch_points = np.zeros(0, dtype=np.int64)
    if len(gi):
        lo, hi = rs[gi], re[gi]
        min_gs = _range_min(gs, lo, hi)
        dur = t[hi] - t[lo - 1]  # from the last airborne point to the next airborne point
        stop = (min_gs < p.stop_kt) | (dur > p.stop_min_s)
        score = dt + (g["new_leg"] * np.float32(p.new_leg_hint_s))
        # the split may fall on the entry edge (lo), inside, or on the exit edge (hi)
        where = _first_in_ranges(score, lo[stop], hi[stop] + 1)
        split[where] = True
        touch_points = lo[~stop]
    # --- gaps between consecutive airborne points
    both_air = np.zeros(n, dtype=bool)
    both_air[1:] = air[1:] & air[:-1] & ~new_ac[1:]
    cand = np.flatnonzero(both_air & (dt > p.gap_min_s))
    if len(cand):
        a, b = cand - 1, cand
        d_km = haversine_km(g["lat"][a], g["lon"][a], g["lat"][b], g["lon"][b])
        v_kt = d_km / np.maximum(dt[b], 1.0) * KT_PER_KM_S
        ref = np.fmin(gs[a], gs[b])  # NaN only where both speeds are unknown (no all-NaN warning)
        ref = np.where(np.isnan(ref), 150.0, ref)
        slow = v_kt < p.gap_speed_frac * ref
        long_ = dt[b] > p.gap_max_s
        heli = g["heli"]
        da, ha = _field_agl(index, g["lat"][a], g["lon"][a], g["alt"][a], heli[a], p.near_km)
        db, hb = _field_agl(index, g["lat"][b], g["lon"][b], g["alt"][b], heli[b], p.near_km)
        low_both = (da <= p.near_km) & (db <= p.near_km) & (ha <= p.low_agl_ft) & (hb <= p.low_agl_ft)
        split[b[slow | long_ | low_both]] = True
    # --- gaps between an airborne point and a ground point: lost en route, then (first) seen on the ground
    edge = np.zeros(n, dtype=bool)
    edge[1:] = (air[1:] != air[:-1]) & ~new_ac[1:]
    cand = np.flatnonzero(edge & (dt > p.gap_min_s))
    if len(cand):
        a, b = cand - 1, cand
        up = np.where(air[a], a, b)  # the airborne side
        dn = np.where(air[a], b, a)  # the ground side
        d_up, h_up = _field_agl(index, g["lat"][up], g["lon"][up], g["alt"][up], g["heli"][up], p.near_km)
        d_dn = haversine_km(g["lat"][up], g["lon"][up], g["lat"][dn], g["lon"][dn])
        # the ground sighting belongs to the leg only if the airborne side was low near a field, by it
        with np.errstate(invalid="ignore"):
            low_near = (d_up <= p.near_km) & (d_dn <= p.near_km) & ~(h_up > p.low_agl_ft)
        split[b[~low_near]] = True
    leg_of = _starts_to_ids(split, n)
    n_legs = int(leg_of[-1]) + 1
    tg = np.bincount(leg_of[touch_points], minlength=n_legs) if len(touch_points) else np.zeros(n_legs, dtype=np.int64)
    return Segments(leg_of, n_legs, tg)


def _range_min(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Minimum of ``values`` over each half-open range [lo, hi), NaN ignored (inf where all are NaN).

    Ranges are non-empty, disjoint and sorted; the array is copied only when
    the last range ends at its end.
    """
    if len(lo) == 0:
        return np.empty(0)
    if hi[-1] >= len(values):
        values = np.append(values, np.nan)  # lets a range end at the end of the array
    bounds = np.empty(2 * len(lo), dtype=np.int64)
    bounds[0::2] = lo
    bounds[1::2] = hi
    out = np.fmin.reduceat(values, bounds)[0::2]
    return np.where(np.isnan(out), np.inf, out)

