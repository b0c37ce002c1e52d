"""Flight legs: segmentation, takeoff and landing with evidence grades, ground stays.

:func:`detect_legs` turns a Points table into one row per flight leg, decides
where each leg took off and landed, and grades how sure that is:

``observed``
    the aircraft was seen on the ground at the field, or at runway height
    over it (at most ``observed_agl_ft`` above its elevation, within
    ``observed_runway_km`` of a runway): never hundreds of feet up;
``inferred``
    the track starts low and climbing away from the field, or ends low and
    descending toward it, but the lift-off / touchdown itself was not seen;
``bridged``
    the end was not seen, but the same aircraft was next (or last) seen on the
    ground at, or departing from, that field, and could have flown there in
    the time between;
``unknown``
    none of the above. No field is named, however near the nearest one is.

How it works, in order (every step works on whole columns; per-aircraft work
is done with run boundaries, never with a loop over points):

1. **Excursions.** A run of points entered and left by jumps faster than any
   aircraft flies, where the track before and after the run agrees, is an
   excursion (GNSS spoofing, a garbled position). Its points are flagged and
   kept out of the decisions below.
2. **Air or ground.** Each point is airborne or on the ground: the source's
   on-ground flag first, then speed (a fixed-wing aircraft below
   ``min_air_kt`` is not flying, whatever its transponder says; a point
   without a flag but with an altitude and speed is airborne). Real
   recordings contradict themselves, so a ground flag at cruise speed, a
   single slow reading between two flying ones, and a slow reading far above
   the nearest field are taken as glitches (the point keeps the state of the
   points before it).
3. **Stops.** Between two airborne runs, a ground period is a stop when the
   aircraft slowed to taxi speed or stayed longer than ``stop_min_s``; a
   touch-and-go (fast, short) is not. A stop splits the track at its largest
   reception gap (readsb's new-leg flag breaks ties: it is a hint only).
4. **Gaps.** Between two airborne points more than ``gap_min_s`` apart, the
   track is split when the implied speed over the gap is far below flying
   speed, when the gap is longer than ``gap_max_s``, or when the track is low
   near a field on both sides. A gap at cruise with positions before and
   after consistent with continuous flight is not split. Callsign changes
   never split; each aircraft (icao24) is segmented on its own.
5. **Ends** (:func:`flighttrace.tracks.ends.decide_ends`). For the first and last
   airborne point of each leg, candidate fields are the k nearest within
   ``search_km`` (the whole ``airportsdata`` table plus any custom sites),
   heliports only for helicopters. Ground points on a field's runways, then
   height above each field's elevation, distance, climbing or descending,
   heading toward or away, alignment with a runway and where the track meets
   the ground decide the field and the grade. The best other field
   considered, its distance and why it lost go into the ``*_second*``
   columns. An end point without altitude takes it from the nearest
   airborne point that has one (``end_alt_carry_s``). Points repeating a
   position at flying speed for more than ``frozen_max_s`` (stale state
   vectors) are kept out, like excursions.
6. **Bridges.** An unseen end is bridged to the field where the same
   aircraft was next (or last) seen on the ground or departing, when it could
   have flown there in the time between.

Every threshold is a field of :class:`LegParams`, with its unit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from flighttrace._progress import Progress, ProgressArg
from flighttrace.reference.airports import AirportIndex, haversine_km
from flighttrace.tracks.ends import LOST_CODES, decide_ends
from flighttrace.schema import TIME_DTYPE
from flighttrace.timeutil import time_ns

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "GRADES",
    "HELICOPTER_TYPES",
    "LEGS_COLUMNS",
    "LegParams",
    "airport_events",
    "detect_legs",
    "ground_stays",
]

GRADES: Final[tuple[str, ...]] = ("observed", "inferred", "bridged", "unknown")
"""Evidence grades, strongest first."""

HELICOPTER_TYPES: Final[frozenset[str]] = frozenset(
    """R22 R44 R66 B06 B06T B407 B412 B427 B429 B430 B505 EC20 EC25 EC30 EC35 EC45 EC55 EC75 EC120 EC130
    EC135 EC145 EC155 EC175 EC225 H125 H130 H135 H145 H155 H160 H175 H215 H225 AS32 AS50 AS55 AS65 A109
    A119 A129 A139 A149 A169 A189 AW09 S61 S64 S76 S92 H47 H53 H60 UH1 UH60 MI2 MI8 MI14 MI17 MI24 MI26
    MI28 MI35 MI38 KA27 KA32 KA52 K226 NH90 PUMA LYNX EH10 BK17 MD52 MD60 H500 H269 GAZL ALO3 ALO2 SA31
    SA32 SA33 SA34 SA36 SA65 B212 B214 B222 B230 B47G EN28 EN48 CABR""".split()  # noqa: SIM905
)
"""ICAO type designators of helicopters (heliports are candidates only for these)."""

KT_PER_KM_S: Final = 3600.0 / 1.852
"""Knots per (km/s)."""
FT_PER_NM_GLIDE: Final = 318.0
"""Height lost per nautical mile on a 3° glide path, ft."""


@dataclass(frozen=True)
class LegParams:
    """Thresholds of leg detection, each with its unit.

    Parameters
    ----------
    min_air_kt
        A fixed-wing aircraft slower than this (kt) is not flying, whatever
        its on-ground flag says. Default 40 kt.
    air_kt
        Without an on-ground flag, a point faster than this (kt) is airborne.
        Default 90 kt.
    air_kt_with_alt
        Without an on-ground flag, a point with a barometric altitude and
        faster than this (kt) is airborne. Default 50 kt.
    stop_kt
        A ground period in which the aircraft slowed below this (kt) is a
        stop. Default 40 kt.
    stop_min_s
        A ground period longer than this (s), from the last airborne point to
        the next, is a stop whatever the speed. Default 300 s.
    gap_min_s
        Gaps between airborne points shorter than this (s) are never split.
        Default 600 s.
    gap_speed_frac
        A gap is split when the implied speed over it is below this fraction
        of the flying speed on both sides. Default 0.5.
    gap_max_s
        An airborne gap longer than this (s) is always split (no flight lasts
        it). Default 64,800 s (18 h).
    low_agl_ft
        "Low" for the both-sides-low gap rule, ft above the field. Default
        3,000 ft.
    near_km
        "Near a field" for the both-sides-low gap rule, km. Default 15 km.
    search_km
        Radius of the candidate-field search around a leg end, km. Default 60 km.
    k_candidates
        Number of candidate fields examined per end. Default 8.
    observed_km
        Ground points within this distance (km) of a field's reference point
        (and, for a field with runway data, within ``ground_runway_km`` of
        one of its runways) are on that field. Default 6 km.
    observed_agl_ft
        Runway height: a first/last airborne point at most this high (ft
        above the field's elevation) and over the field (see
        ``observed_runway_km``) is a seen lift-off/touchdown, graded
        ``observed``. Anything higher is at best ``inferred``. Default 150 ft
        (a 3° approach crosses the threshold at about 50 ft; OpenSky and
        readsb give altitude in 25-ft steps).
    observed_runway_km
        "Over the field" for ``observed_agl_ft``: within this distance (km)
        of one of its runways (or ``observed_km`` of the reference point of a
        field without runway data). Default 1 km.
    ground_runway_km
        Ground points within this distance (km) of a field's runways are on
        that field (aprons and taxiways included). Default 2.5 km.
    align_deg
        The track is aligned with a runway when it is within this angle
        (deg) of the runway's course… Default 15°.
    align_cross_km, align_cone_deg
        …and within ``align_cross_km + out × tan(align_cone_deg)`` (km) of
        its extended centreline, ``out`` being the distance before the
        threshold (after the far end for a departure). Defaults 0.5 km, 5°.
    align_max_km
        …and at most this far (km) before the threshold / past the far end.
        Default 25 km.
    align_bonus_km
        An aligned field counts as this many km nearer than it is when
        several fields fit an airborne end. Default 10 km.
    climb_ft_per_nm
        Climb gradient (ft per NM) used to extrapolate where a departure left
        the ground, and to bound the height of an aligned climb-out. Default
        600 ft/NM (about 6 %).
    meet_weight, meet_cap_km, meet_margin_km
        Among fields that fit, each km between the runways and the point where
        the track, extended on a 3° path (a ``climb_ft_per_nm`` climb back),
        meets the ground adds ``meet_weight`` km, up to ``meet_cap_km`` km.
        A field that loses by more than ``meet_margin_km`` (km) on that
        measure is reported as ``meets_elsewhere``. Defaults 0.5, 10 km, 2 km.
    inferred_max_agl_ft
        An end higher than this (ft above the field) is never inferred.
        Default 6,000 ft.
    inferred_base_km, inferred_km_per_kft
        An end at height h (ft above the field) can be inferred at a field
        within ``inferred_base_km + inferred_km_per_kft * h / 1000`` km.
        Defaults 8 km and 5 km per 1,000 ft.
    heading_tol_deg
        Track within this angle (deg) of the bearing to (or from) the field.
        Default 60°.
    glide_factor
        An end is not inferred at a field it could not reach: height above
        the field must be below ``glide_factor`` × the 3° glide height for its
        distance, plus 1,500 ft. Default 2.5.
    assumed_climb_fpm, assumed_descent_fpm
        Rates used to extrapolate take-off and landing times from an end seen
        in the air, ft/min. Defaults 1,500 and 800 ft/min.
    bridge_max_s
        Longest time (s) across which an end is bridged. Default 86,400 s.
    bridge_max_kt
        An end is bridged only if the field could be reached at this ground
        speed (kt) in the time available. Default 600 kt.
    jump_kt
        A move faster than this (kt) between consecutive points is a jump.
        Default 1,000 kt.
    jump_min_km
        …and longer than this (km), so position noise never counts. Default 20 km.
    min_air_points
        A leg needs at least this many airborne points. Default 2.
    new_leg_hint_s
        Weight (s) of readsb's new-leg flag when choosing where a stop splits.
        Default 60 s.
    ground_max_kt
        An on-ground flag on a point faster than this (kt) is taken as no flag
        at all: nothing rolls on a runway that fast, while a transponder's
        air/ground state can glitch for a few reports in flight. Default 250 kt.
    slow_max_agl_ft
        A point slower than ``min_air_kt`` (or, without an on-ground flag,
        slower than ``air_kt_with_alt``) is taken as on the ground only when
        its altitude is unknown or at most this high (ft) above the nearest
        field (sea level when none is within ``slow_field_km``); a higher one
        is a speed glitch or a slow flyer into a headwind, and keeps the state
        of the points before it. Generous, because barometric altitude is
        pressure altitude (re 1013.25 hPa): on the ground it reads up to
        about 1,000 ft above the field in deep lows. Default 1,500 ft.
    slow_field_km
        Radius (km) of the field search behind ``slow_max_agl_ft``. Default 15 km.
    glitch_max_s
        A single reading slower than ``min_air_kt`` between two flying ones at
        most this many seconds apart (s) is a glitch, whatever the altitude:
        nothing slows to a taxi and takes off again that fast. Default 60 s.
    end_alt_carry_s
        When the first (last) airborne point of a leg has no altitude, the
        altitude of the nearest airborne point that has one is used for the
        end, if it is at most this many seconds away (s). It bounds the
        height from above for a descent (from below for a climb, so the end
        is never made to look lower than it was). FR24 writes altitude 0 on
        the runway, which the reader cannot tell from "unknown" at speed.
        Default 120 s.
    heading_cost_km_per_deg
        When several fields fit an airborne end, each degree between the
        track and the bearing to (from) the field counts as this many km of
        distance. Default 0.1 km per degree.
    frozen_max_s
        A point that repeats its aircraft's position for longer than this (s)
        while the speed says it flies (at least ``min_air_kt``) is a state
        vector kept alive after reception stopped (OpenSky repeats the last
        position, with flags and altitudes that may change); it is kept out
        of the decisions like an excursion. Default 20 s.
    """

    min_air_kt: float = 40.0
    air_kt: float = 90.0
    air_kt_with_alt: float = 50.0
    stop_kt: float = 40.0
    stop_min_s: float = 300.0
    gap_min_s: float = 600.0
    gap_speed_frac: float = 0.5
    gap_max_s: float = 64_800.0
    low_agl_ft: float = 3000.0
    near_km: float = 15.0
    search_km: float = 60.0
    k_candidates: int = 8
    observed_km: float = 6.0
    observed_agl_ft: float = 150.0
    observed_runway_km: float = 1.0
    ground_runway_km: float = 2.5
    align_deg: float = 15.0
    align_cross_km: float = 0.5
    align_cone_deg: float = 5.0
    align_max_km: float = 25.0
    align_bonus_km: float = 10.0
    climb_ft_per_nm: float = 600.0
    meet_weight: float = 0.5
    meet_cap_km: float = 10.0
    meet_margin_km: float = 2.0
    inferred_max_agl_ft: float = 6000.0
    inferred_base_km: float = 8.0
    inferred_km_per_kft: float = 5.0
    heading_tol_deg: float = 60.0
    glide_factor: float = 2.5
    assumed_climb_fpm: float = 1500.0
    assumed_descent_fpm: float = 800.0
    bridge_max_s: float = 86_400.0
    bridge_max_kt: float = 600.0
    jump_kt: float = 1000.0
    jump_min_km: float = 20.0
    min_air_points: int = 2
    new_leg_hint_s: float = 60.0
    ground_max_kt: float = 250.0
    slow_max_agl_ft: float = 1500.0
    slow_field_km: float = 15.0
    glitch_max_s: float = 60.0
    end_alt_carry_s: float = 120.0
    heading_cost_km_per_deg: float = 0.1
    frozen_max_s: float = 20.0


LEGS_COLUMNS: Final[tuple[str, ...]] = (
    "leg_id", "icao24", "registration", "typecode", "callsign", "callsigns", "first_seen", "last_seen",
    "origin", "takeoff_time", "origin_evidence", "origin_reason", "origin_dist_km", "origin_agl_ft",
    "destination", "landing_time", "destination_evidence", "destination_reason", "destination_dist_km",
    "destination_agl_ft", "origin_second", "origin_second_dist_km", "origin_second_why", "origin_second_reason",
    "destination_second", "destination_second_dist_km", "destination_second_why", "destination_second_reason",
    "takeoff_time_earliest", "landing_time_latest", "n_points", "n_air", "n_suspect",
    "max_gap_s", "mlat_share", "touch_and_go", "point_start", "point_end", "lineage", "geometry",
)
"""Columns of the Legs table (see DESIGN.md; ``*_reason`` explain each grade in words).

``*_second`` is the best other field considered for that end, ``*_second_dist_km``
its distance (km) from the end point (from the ground point for an end seen
on the ground), ``*_second_why`` a code of :data:`flighttrace.tracks.ends.LOST_CODES`
saying why it lost, and ``*_second_reason`` the same in words with the
numbers behind it. All four are empty when no other field lies within
``search_km``."""


# --------------------------------------------------------------------------- helpers


def _as_params(params: LegParams | None, overrides: dict[str, Any]) -> LegParams:
    p = params or LegParams()
    if overrides:
        known = {f.name for f in fields(LegParams)}
        bad = sorted(set(overrides) - known)
        if bad:
            raise TypeError(f"unknown leg parameter(s): {', '.join(bad)}; known: {', '.join(sorted(known))}")
        p = replace(p, **overrides)
    return p


def _resolve_airports(airports: Any) -> AirportIndex:
    if airports is None:
        return AirportIndex.default()
    if isinstance(airports, AirportIndex):
        return airports
    if hasattr(airports, "airport_index"):
        return airports.airport_index()
    raise TypeError(f"airports must be an AirportIndex, a Scenario or None, not {type(airports).__name__}")


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


def _excursions(ac: np.ndarray, t: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray, p: LegParams) -> np.ndarray:
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


def _frozen(ac: np.ndarray, t: np.ndarray, lat: np.ndarray, lon: np.ndarray, gs: np.ndarray, p: LegParams) -> np.ndarray:
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


def _airborne(
    og: np.ndarray,
    t: np.ndarray,
    alt: np.ndarray,
    gs: np.ndarray,
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
    ``glitch_max_s`` apart. The field lookup is made once per run of such
    points, not per point.
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
    by_speed = ((no_flag & slow) | (crawl & ~heli)) & (state != 0)
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
            # one field lookup per run of consecutive such points of one aircraft
            first = np.ones(len(check), dtype=bool)
            first[1:] = (np.diff(check) != 1) | new_ac[check[1:]]
            run = np.cumsum(first) - 1
            heads = check[first]
            idx, _ = index.nearest(lat[heads], lon[heads], k=1, max_km=p.slow_field_km, heliports=heli[heads])
            elev = index.table["elevation_ft"].to_numpy()
            e = np.where(idx[:, 0] >= 0, elev[np.maximum(idx[:, 0], 0)], 0.0)
            e = np.where(np.isnan(e), 0.0, e)
            low = alt[check] - e[run] <= p.slow_max_agl_ft
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


# --------------------------------------------------------------------------- main


def detect_legs(
    points: pd.DataFrame,
    *,
    airports: Any = None,
    progress: ProgressArg = False,
    params: LegParams | None = None,
    geometry: bool = True,
    lineage: bool = True,
    **overrides: Any,
) -> gpd.GeoDataFrame:
    """Split a Points table into flight legs and decide where each took off and landed.

    Parameters
    ----------
    points
        A Points table (:func:`flighttrace.read`), any number of aircraft.
    airports
        An :class:`~flighttrace.reference.airports.AirportIndex`, a
        :class:`~flighttrace.scenario.model.Scenario` (its airports and custom
        sites), or ``None`` for all of ``airportsdata``.
    progress
        ``True`` for a progress bar over the stages, or a callable.
    params
        Thresholds (:class:`LegParams`); ``**overrides`` change single fields,
        e.g. ``detect_legs(points, stop_min_s=600)``.
    geometry
        Build each leg's track as a LineString (lon, lat).
    lineage
        Compute each leg's ``src_file`` / ``src_row`` ranges.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per leg with the columns of :data:`LEGS_COLUMNS` (CRS
        EPSG:4326), sorted by icao24 and first_seen. ``point_start`` and
        ``point_end`` are the leg's row range in the sorted Points table
        (``points.iloc[point_start:point_end]``).

    Examples
    --------
    >>> ds = flighttrace.read("fixtures/ovda")            # doctest: +SKIP
    >>> legs = flighttrace.detect_legs(ds.points)          # doctest: +SKIP
    >>> legs[["icao24", "origin", "destination", "destination_evidence"]]  # doctest: +SKIP
    """
    p = _as_params(params, overrides)
    index = _resolve_airports(airports)
    with Progress(progress, "legs: preparing", 5) as bar:
        pts = _sorted(points)
        arrays = _arrays(pts)
        bar.advance(1, "legs: excursions and air/ground")
        ac, t = arrays["ac"], arrays["t"]
        suspect = _excursions(ac, t, arrays["lat"], arrays["lon"], arrays["alt"], p)
        suspect |= _frozen(ac, t, arrays["lat"], arrays["lon"], arrays["gs"], p)
        if suspect.any():
            good = np.flatnonzero(~suspect)
            g = {k: v[good] for k, v in arrays.items()}
            g["row"] = good
        else:
            good = None
            g = arrays
        new_ac = np.ones(len(g["ac"]), dtype=bool)
        new_ac[1:] = g["ac"][1:] != g["ac"][:-1]
        g["new_ac"] = new_ac
        air = _airborne(g["og"], g["t"], g["alt"], g["gs"], g["heli"], new_ac, g["lat"], g["lon"], index, p)
        bar.advance(1, "legs: segmenting")
        seg = _segment(g, air, index, p)
        bar.advance(1, "legs: takeoffs and landings")
        legs = _legs_table(pts, g, good, suspect, air, seg, index, p)
        bar.advance(1, "legs: tracks and lineage")
        out = _finish(pts, legs, g, good, geometry=geometry, lineage=lineage)
        bar.advance(1, "legs: done")
    return out


def _sorted(points: pd.DataFrame) -> pd.DataFrame:
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


def _codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, categories) of a column, categorical or not (codes -1 for missing)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(), np.asarray(col.cat.categories, dtype=object)
    codes, uniq = pd.factorize(col.astype(object), sort=True)
    return codes, np.asarray(uniq, dtype=object)


def _arrays(pts: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns detection needs, as numpy arrays (no copies where the dtype allows)."""
    n = len(pts)
    ac, _ = _codes(pts["icao24"])
    if "on_ground" in pts:
        og = pts["on_ground"].to_numpy(dtype="int8", na_value=-1)
    else:
        og = np.full(n, -1, dtype=np.int8)
    if "typecode" in pts:
        tcode, tcats = _codes(pts["typecode"])
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
        pcode, pcats = _codes(pts["position_source"])
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
class _Segments:
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


def _segment(g: dict[str, np.ndarray], air: np.ndarray, index: AirportIndex, p: LegParams) -> _Segments:
    n = len(air)
    if n == 0:
        return _Segments(np.empty(0, dtype=np.int64), 0, np.empty(0, dtype=np.int64))
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
    return _Segments(leg_of, n_legs, tg)


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


# --------------------------------------------------------------------------- ends


def _reason(kind: str, grade: np.ndarray, method: np.ndarray, code: np.ndarray, dist: np.ndarray, agl: np.ndarray, other: np.ndarray, runway: np.ndarray) -> np.ndarray:
    """A sentence per end explaining its grade (built per leg, not per point)."""
    out = np.empty(len(grade), dtype=object)
    verb_air = "descending toward" if kind == "destination" else "climbing away from"
    for i in range(len(grade)):  # one sentence per leg end
        g, mth = grade[i], method[i]
        rwy = f", aligned with runway {runway[i]}" if runway[i] else ""
        if g == "observed" and mth == "on_ground":
            out[i] = f"seen on the ground {dist[i]:.1f} km from {code[i]}"
        elif g == "observed":
            word = "touchdown" if kind == "destination" else "lift-off"
            out[i] = f"{word} seen: {agl[i]:.0f} ft above {code[i]} (runway height), {dist[i]:.1f} km from it{rwy}"
        elif g == "inferred" and mth == "near_no_alt":
            out[i] = f"{'last' if kind == 'destination' else 'first'} seen {dist[i]:.1f} km from {code[i]} (no altitude)"
        elif g == "inferred":
            out[i] = f"{'last' if kind == 'destination' else 'first'} seen {agl[i]:.0f} ft above {code[i]}, {dist[i]:.1f} km out, {verb_air} it{rwy}"
        elif g == "bridged":
            out[i] = str(other[i])
        else:
            out[i] = str(other[i]) if other[i] else "no field fits the end of the track"
    return out


def _second_columns(prefix: str, end: dict[str, np.ndarray], codes: np.ndarray) -> dict[str, Any]:
    """The ``*_second*`` columns of one end: the best other field considered and why it lost."""
    sec = end["second"]
    has = sec >= 0
    name = np.where(has, codes[np.maximum(sec, 0)], None)
    why = np.where(has, end["second_why"], None)
    words = np.full(len(sec), None, dtype=object)
    for i in np.flatnonzero(has):  # one sentence per leg end
        detail = end["second_detail"][i]
        words[i] = f"{name[i]}, {end['second_dist'][i]:.1f} km away: {LOST_CODES[why[i]]}" + (f" ({detail})" if detail else "")
    return {
        f"{prefix}_second": name,
        f"{prefix}_second_dist_km": np.round(np.where(has, end["second_dist"], np.nan), 2),
        f"{prefix}_second_why": why,
        f"{prefix}_second_reason": words,
    }


def _legs_table(
    pts: pd.DataFrame,
    g: dict[str, np.ndarray],
    good: np.ndarray,
    suspect: np.ndarray,
    air: np.ndarray,
    seg: _Segments,
    index: AirportIndex,
    p: LegParams,
) -> pd.DataFrame:
    n = len(air)
    if n == 0 or seg.n_legs == 0:
        return pd.DataFrame(columns=[c for c in LEGS_COLUMNS if c != "geometry"])
    leg_of = seg.leg_of
    starts = np.flatnonzero(np.diff(leg_of, prepend=-1) != 0)
    ends = np.append(starts[1:], n)  # exclusive
    n_air = np.add.reduceat(air, starts, dtype=np.int64)
    pos = np.arange(n)
    fa = np.minimum.reduceat(np.where(air, pos, n), starts)
    la = np.maximum.reduceat(np.where(air, pos, -1), starts)
    is_leg = n_air >= p.min_air_points
    t, lat, lon, alt, trk, vr = g["t"], g["lat"], g["lon"], g["alt"], g["trk"], g["vr"]
    heli = g["heli"]

    def trend(i: np.ndarray, step: int) -> np.ndarray:
        """Vertical trend at point i (ft/min): the reported rate, else the slope to a neighbour."""
        j = np.clip(i + step, 0, n - 1)
        same = (g["ac"][j] == g["ac"][i]) & (t[j] != t[i])
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(same, (alt[j] - alt[i]) / (t[j] - t[i]) * 60.0, np.nan)
        return np.where(np.isnan(vr[i]), slope, vr[i])

    fa_c = np.minimum(fa, n - 1)
    la_c = np.maximum(la, 0)
    ground_before = fa > starts
    ground_after = la < ends - 1
    # an end point without altitude borrows it from the nearest airborne point that has one (end_alt_carry_s)
    with_alt = air & ~np.isnan(alt)
    fa_alt_raw = np.minimum.reduceat(np.where(with_alt, pos, n), starts)  # n when the segment has none
    la_alt_raw = np.maximum.reduceat(np.where(with_alt, pos, -1), starts)  # -1 when the segment has none
    fa_alt, la_alt = np.minimum(fa_alt_raw, n - 1), np.maximum(la_alt_raw, 0)
    o_carry = np.isnan(alt[fa_c]) & (fa_alt_raw < ends) & (fa_alt >= fa_c) & (t[fa_alt] - t[fa_c] <= p.end_alt_carry_s)
    d_carry = np.isnan(alt[la_c]) & (la_alt_raw >= starts) & (la_alt <= la_c) & (t[la_c] - t[la_alt] <= p.end_alt_carry_s)
    o_src = np.where(o_carry, fa_alt, fa_c)
    d_src = np.where(d_carry, la_alt, la_c)
    o_trk = np.where(np.isnan(trk[fa_c]), trk[o_src], trk[fa_c])
    d_trk = np.where(np.isnan(trk[la_c]), trk[d_src], trk[la_c])
    orig = decide_ends(
        index, lat[fa_c], lon[fa_c], alt[o_src], o_trk, trend(o_src, +3), heli[fa_c],
        ground_before, lat[np.maximum(fa_c - 1, 0)], lon[np.maximum(fa_c - 1, 0)], arriving=False, p=p,
    )
    dest = decide_ends(
        index, lat[la_c], lon[la_c], alt[d_src], d_trk, trend(d_src, -3), heli[la_c],
        ground_after, lat[np.minimum(la_c + 1, n - 1)], lon[np.minimum(la_c + 1, n - 1)], arriving=True, p=p,
    )
    codes = index.table["code"].to_numpy(dtype=object)

    # bridges: across consecutive segments of the same aircraft (ground-only segments count as sightings)
    L = len(starts)
    leg_ac = g["ac"][starts]
    o_note = np.full(L, "", dtype=object)
    d_note = np.full(L, "", dtype=object)
    t_first_air = t[fa_c]
    t_last_air = t[la_c]
    # a ground-only segment is a sighting on the ground at its first/last point
    gs_only = n_air == 0
    if gs_only.any():
        sel = np.flatnonzero(gs_only)
        idx, _ = index.nearest(lat[starts[sel]], lon[starts[sel]], k=1, max_km=p.observed_km, heliports=heli[starts[sel]])
        orig["field"][sel] = idx[:, 0]
        dest["field"][sel] = idx[:, 0]
        orig["grade"][sel] = np.where(idx[:, 0] >= 0, "observed", "unknown")
        dest["grade"][sel] = orig["grade"][sel]
        t_first_air[sel] = t[starts[sel]]
        t_last_air[sel] = t[ends[sel] - 1]
    strong = lambda gr: (gr == "observed") | (gr == "inferred")
    nxt = np.arange(1, L + 1)
    has_next = np.zeros(L, dtype=bool)
    has_next[:-1] = leg_ac[1:] == leg_ac[:-1]
    nxt_c = np.minimum(nxt, L - 1)
    d_fix = (dest["grade"] == "unknown") & has_next & strong(orig["grade"][nxt_c]) & (orig["field"][nxt_c] >= 0)
    d_fix &= ~gs_only
    if d_fix.any():
        i = np.flatnonzero(d_fix)
        f = orig["field"][nxt_c[i]]
        flat, flon = index.table["lat"].to_numpy()[f], index.table["lon"].to_numpy()[f]
        dk = haversine_km(lat[la_c[i]], lon[la_c[i]], flat, flon)
        span = t_first_air[nxt_c[i]] - t_last_air[i]
        ok = (span <= p.bridge_max_s) & (span > 0) & (dk / np.maximum(span, 1.0) * KT_PER_KM_S <= p.bridge_max_kt)
        j = i[ok]
        dest["field"][j] = f[ok]
        dest["grade"][j] = "bridged"
        dest["dist"][j] = dk[ok]
        hours = span[ok] / 3600.0
        how = np.where(gs_only[nxt_c[j]], "seen on the ground at", "seen departing from")
        d_note[j] = [f"track lost {d:.0f} km from {c}; next {h_} {c} {hh:.1f} h later" for d, c, h_, hh in zip(dk[ok], codes[f[ok]], how, hours)]
    prv = np.arange(-1, L - 1)
    has_prev = np.zeros(L, dtype=bool)
    has_prev[1:] = leg_ac[1:] == leg_ac[:-1]
    prv_c = np.maximum(prv, 0)
    o_fix = (orig["grade"] == "unknown") & has_prev & strong(dest["grade"][prv_c]) & (dest["field"][prv_c] >= 0) & ~gs_only
    if o_fix.any():
        i = np.flatnonzero(o_fix)
        f = dest["field"][prv_c[i]]
        flat, flon = index.table["lat"].to_numpy()[f], index.table["lon"].to_numpy()[f]
        dk = haversine_km(lat[fa_c[i]], lon[fa_c[i]], flat, flon)
        span = t_first_air[i] - t_last_air[prv_c[i]]
        ok = (span <= p.bridge_max_s) & (span > 0) & (dk / np.maximum(span, 1.0) * KT_PER_KM_S <= p.bridge_max_kt)
        j = i[ok]
        orig["field"][j] = f[ok]
        orig["grade"][j] = "bridged"
        orig["dist"][j] = dk[ok]
        hours = span[ok] / 3600.0
        how = np.where(gs_only[prv_c[j]], "seen on the ground at", "seen arriving at")
        o_note[j] = [f"track first seen {d:.0f} km from {c}; last {h_} {c} {hh:.1f} h earlier" for d, c, h_, hh in zip(dk[ok], codes[f[ok]], how, hours)]
    for note, end, lat_i, lon_i, word in ((o_note, orig, fa_c, fa_c, "first"), (d_note, dest, la_c, la_c, "last")):
        unk = (end["grade"] == "unknown") & (note == "")
        if unk.any():
            u = np.flatnonzero(unk)
            a = alt[lat_i[u]]
            note[u] = [f"{word} seen at {f'{x:.0f} ft' if not np.isnan(x) else 'unknown altitude'}, {la_:.3f}, {lo_:.3f}; no field fits" for x, la_, lo_ in zip(a, lat[lat_i[u]], lon[lon_i[u]])]

    # times
    def ts(x: np.ndarray) -> pd.Series:
        ns = np.where(np.isnan(x), 0, np.round(np.nan_to_num(x) * 1e9)).astype(np.int64)
        out = pd.Series(pd.to_datetime(ns, utc=True), dtype=TIME_DTYPE)
        return out.mask(np.isnan(x))

    nan_t = np.full(L, np.nan)
    o_agl = np.where(np.isnan(orig["agl"]), 0.0, np.maximum(orig["agl"], 0.0))
    d_agl = np.where(np.isnan(dest["agl"]), 0.0, np.maximum(dest["agl"], 0.0))
    # extrapolate from the point whose altitude decided the end (seen on the ground: the last / first airborne point)
    t_o_ref = np.where(orig["method"] == "on_ground", t_first_air, t[o_src])
    t_d_ref = np.where(dest["method"] == "on_ground", t_last_air, t[d_src])
    to_t = np.where(np.isin(orig["grade"], ["observed", "inferred"]), t_o_ref - o_agl / p.assumed_climb_fpm * 60.0, nan_t)
    ld_t = np.where(np.isin(dest["grade"], ["observed", "inferred"]), t_d_ref + d_agl / p.assumed_descent_fpm * 60.0, nan_t)
    to_early = np.where(orig["grade"] == "bridged", t_last_air[prv_c], nan_t)
    ld_late = np.where(dest["grade"] == "bridged", t_first_air[nxt_c], nan_t)

    # identity and quality per leg
    rows_g = g.get("row")

    def rows(idx: np.ndarray) -> np.ndarray:
        return idx if rows_g is None else rows_g[idx]

    mlat_share = np.add.reduceat(g["mlat"], starts, dtype=np.int64) / np.maximum(ends - starts, 1)
    dtg = np.zeros(n, dtype=np.float32)
    np.subtract(t[1:], t[:-1], out=dtg[1:], casting="same_kind")
    dtg[starts] = 0.0
    max_gap = np.maximum.reduceat(dtg, starts).astype(np.float64)
    del dtg
    p_start = rows(starts)
    p_end = np.append(rows(starts[1:]), len(pts))
    # suspect points between the leg's first and last good row belong to the leg
    if suspect.any():
        cs_sus = np.concatenate([[0], np.cumsum(suspect, dtype=np.int64)])
        n_sus = cs_sus[p_end] - cs_sus[p_start]
    else:
        n_sus = np.zeros(len(starts), dtype=np.int64)
    hex_codes, hex_cats = _codes(pts["icao24"])
    leg_hex = hex_cats[hex_codes[rows(starts)]].astype(str)
    mid = np.clip((fa_c + la_c) // 2, 0, n - 1)
    cs_codes, cs_cats = _codes(pts["callsign"]) if "callsign" in pts else (np.full(len(pts), -1), np.empty(0, dtype=object))
    cs_cats_ext = np.append(cs_cats, None)
    callsign = cs_cats_ext[cs_codes[rows(mid)]]
    cs_g = cs_codes if rows_g is None else cs_codes[rows_g]
    changes = np.zeros(n, dtype=bool)
    changes[1:] = (cs_g[1:] != cs_g[:-1]) & (cs_g[1:] >= 0) & (cs_g[:-1] >= 0)
    changes[starts] = False
    n_changes = np.add.reduceat(changes, starts, dtype=np.int64)
    del changes
    callsigns = callsign.copy()
    for i in np.flatnonzero(n_changes > 0):  # only legs whose callsign changed
        c = cs_codes[rows(starts[i]) : rows(ends[i] - 1) + 1]
        callsigns[i] = ",".join(cs_cats[pd.unique(c[c >= 0])].astype(str))

    def first_valid(col: str) -> np.ndarray:
        if col not in pts:
            return np.full(L, None, dtype=object)
        codes_, cats_ = _codes(pts[col])
        return np.append(cats_, None)[codes_[rows(la_c)]]

    stamp = pd.to_datetime(np.floor(t[starts]).astype(np.int64), unit="s").strftime("%Y%m%dT%H%M%SZ").to_numpy(dtype=object)
    leg_id = leg_hex.astype(object) + "-" + stamp
    o_code = np.where(orig["field"] >= 0, codes[np.maximum(orig["field"], 0)], None)
    d_code = np.where(dest["field"] >= 0, codes[np.maximum(dest["field"], 0)], None)
    df = pd.DataFrame(
        {
            "leg_id": leg_id,
            "icao24": leg_hex,
            "registration": first_valid("registration"),
            "typecode": first_valid("typecode"),
            "callsign": callsign,
            "callsigns": callsigns,
            "first_seen": ts(t[starts]),
            "last_seen": ts(t[ends - 1]),
            "origin": o_code,
            "takeoff_time": ts(to_t),
            "origin_evidence": orig["grade"],
            "origin_reason": _reason("origin", orig["grade"], orig["method"], o_code, orig["dist"], orig["agl"], o_note, orig["runway"]),
            "origin_dist_km": np.round(orig["dist"], 2),
            "origin_agl_ft": np.round(orig["agl"], 0),
            "destination": d_code,
            "landing_time": ts(ld_t),
            "destination_evidence": dest["grade"],
            "destination_reason": _reason("destination", dest["grade"], dest["method"], d_code, dest["dist"], dest["agl"], d_note, dest["runway"]),
            "destination_dist_km": np.round(dest["dist"], 2),
            "destination_agl_ft": np.round(dest["agl"], 0),
            **_second_columns("origin", orig, codes),
            **_second_columns("destination", dest, codes),
            "takeoff_time_earliest": ts(to_early),
            "landing_time_latest": ts(ld_late),
            "n_points": (p_end - p_start).astype(np.int64),
            "n_air": n_air.astype(np.int64),
            "n_suspect": n_sus.astype(np.int64),
            "max_gap_s": np.round(max_gap, 1),
            "mlat_share": np.round(mlat_share, 3),
            "touch_and_go": seg.touch_and_go[: L].astype(np.int64),
            "point_start": p_start.astype(np.int64),
            "point_end": p_end.astype(np.int64),
        }
    )
    df["_good_start"] = starts
    df["_good_end"] = ends
    df = df[is_leg].reset_index(drop=True)
    return df


def _finish(pts: pd.DataFrame, legs: pd.DataFrame, g: dict[str, np.ndarray], good: np.ndarray, *, geometry: bool, lineage: bool) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import shapely

    if len(legs) == 0:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in LEGS_COLUMNS if c != "geometry"})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    gs_, ge_ = legs.pop("_good_start").to_numpy(), legs.pop("_good_end").to_numpy()
    if lineage:
        legs["lineage"] = _lineage(pts, legs)
    else:
        legs["lineage"] = None
    if geometry:
        lens = ge_ - gs_
        # each leg is a contiguous run of points: concatenate slices (one per leg) into a preallocated array
        coords = np.empty((int(lens.sum()), 2))
        coords[:, 0] = np.concatenate([g["lon"][a:b] for a, b in zip(gs_, ge_)])
        coords[:, 1] = np.concatenate([g["lat"][a:b] for a, b in zip(gs_, ge_)])
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


def _lineage(pts: pd.DataFrame, legs: pd.DataFrame) -> np.ndarray:
    """Per leg: ``file:first-last`` source-row ranges, semicolon separated.

    Legs drawn from one file (the common case) take one reduction each; only
    legs that mix files are grouped by file.
    """
    ps, pe = legs["point_start"].to_numpy(), legs["point_end"].to_numpy()
    fcode, fnames = _codes(pts["src_file"])
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


# --------------------------------------------------------------------------- derived tables


def airport_events(legs: pd.DataFrame) -> pd.DataFrame:
    """Takeoffs and landings as a long table: one row per leg end with a named field.

    Parameters
    ----------
    legs
        Output of :func:`detect_legs`.

    Returns
    -------
    pandas.DataFrame
        leg_id, icao24, event (takeoff / landing), airport, time (NaT when the
        end is bridged), evidence, reason; sorted by time.
    """
    cols = ["leg_id", "icao24", "registration", "callsign"]
    dep = legs[cols].assign(event="takeoff", airport=legs["origin"], time=legs["takeoff_time"], evidence=legs["origin_evidence"], reason=legs["origin_reason"])
    arr = legs[cols].assign(event="landing", airport=legs["destination"], time=legs["landing_time"], evidence=legs["destination_evidence"], reason=legs["destination_reason"])
    ev = pd.concat([dep, arr], ignore_index=True)
    ev = ev[ev["airport"].notna()]
    return ev.sort_values(["time", "icao24", "event"], na_position="last", kind="stable").reset_index(drop=True)


def ground_stays(legs: pd.DataFrame) -> pd.DataFrame:
    """Ground stays between consecutive legs of the same aircraft at the same field.

    Parameters
    ----------
    legs
        Output of :func:`detect_legs`.

    Returns
    -------
    pandas.DataFrame
        airport, icao24, arriving_leg, departing_leg, arrival_time,
        departure_time, duration_s (NaN when either time is unknown),
        duration_min_s (lower bound from the last sighting of the arriving
        leg to the first of the departing one), arrival_evidence,
        departure_evidence. A stay is listed only when the arriving leg's
        destination and the departing leg's origin are the same field.
    """
    cols = [
        "airport", "icao24", "arriving_leg", "departing_leg", "arrival_time", "departure_time",
        "duration_s", "duration_min_s", "arrival_evidence", "departure_evidence",
    ]
    if len(legs) < 2:
        return pd.DataFrame(columns=cols)
    lg = legs.sort_values(["icao24", "first_seen"], kind="stable").reset_index(drop=True)
    a, b = lg.iloc[:-1].reset_index(drop=True), lg.iloc[1:].reset_index(drop=True)
    same = (a["icao24"].to_numpy() == b["icao24"].to_numpy()) & (a["destination"].to_numpy() == b["origin"].to_numpy()) & a["destination"].notna().to_numpy()
    a, b = a[same], b[same]
    out = pd.DataFrame(
        {
            "airport": a["destination"].to_numpy(),
            "icao24": a["icao24"].to_numpy(),
            "arriving_leg": a["leg_id"].to_numpy(),
            "departing_leg": b["leg_id"].to_numpy(),
            "arrival_time": a["landing_time"].to_numpy(),
            "departure_time": b["takeoff_time"].to_numpy(),
            "arrival_evidence": a["destination_evidence"].to_numpy(),
            "departure_evidence": b["origin_evidence"].to_numpy(),
        }
    )
    out["arrival_time"] = pd.Series(out["arrival_time"]).astype(TIME_DTYPE)
    out["departure_time"] = pd.Series(out["departure_time"]).astype(TIME_DTYPE)
    out["duration_s"] = (out["departure_time"] - out["arrival_time"]).dt.total_seconds()
    out["duration_min_s"] = (pd.Series(b["first_seen"].to_numpy()).astype(TIME_DTYPE) - pd.Series(a["last_seen"].to_numpy()).astype(TIME_DTYPE)).dt.total_seconds().to_numpy()
    return out[cols].reset_index(drop=True)
