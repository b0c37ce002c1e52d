"""Which field a leg took off from or landed at, with its grade and the field that lost.

:func:`decide_ends` is step 5 of :func:`flighttrace.tracks.legs.detect_legs`. For
each end (the first or last airborne point of a leg) it looks at the
``k_candidates`` nearest fields within ``search_km`` and decides, on whole
(end, field) arrays:

- **Seen on the ground.** Ground points next to the airborne part lie on a
  field: within ``observed_km`` of its reference point and, for a field
  with runway data, within ``ground_runway_km`` of one of its runways (for
  one without, within ``no_runway_km`` of its reference point). The
  field whose runways (reference point, without runway data) are nearest
  to them wins.
- **Seen at runway height.** The end point is at most ``observed_agl_ft``
  above the field's elevation and over the field (within
  ``observed_runway_km`` of a runway, or ``no_runway_km`` of the reference
  point without runway data), and, for a touchdown, not climbing (for a
  lift-off, not descending) faster than ``observed_contrary_fpm``. Nothing
  higher is ever "observed".
- **Inferred.** Low (at most ``inferred_max_agl_ft`` above the field, or
  ``aligned_max_agl_ft`` on the extended centreline of one of its runways),
  near, descending toward (climbing away from) the field, below a reachable
  glide path. Among several such fields, the one whose
  runway the track is aligned with (course within ``align_deg`` of the
  runway's, on its extended centreline, before its threshold or past its far
  end) wins, then the one where the track meets the ground (the touchdown or
  lift-off point extrapolated along the track on a 3° path), then the
  nearest and straightest ahead. A field where the same aircraft was seen
  on the ground in the stop next to the end, at most ``ground_tie_s`` before
  the first airborne point (after the last), wins over the others that fit:
  the sighting is direct evidence, and no take-off, flight to another field
  and landing there fit in that time.

For every end the best other field considered is kept with its distance and
a code saying why it lost (:data:`LOST_CODES`), so that a reader sees the
alternative: Ramon lies 24 km from Ovda.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from flighttrace.geo import bearing_deg
from flighttrace.numfmt import fmt_ft
from flighttrace.reference.airports import AirportIndex
from flighttrace.reference.runways import pair_geometry, runway_directions
from flighttrace.tracks.params import LegParams

__all__ = ["LOST_CODES", "decide_ends", "ft_texts", "ground_fields"]

FT_PER_NM_GLIDE: Final = 318.0
"""Height lost per nautical mile on a 3° glide path, ft."""

LOST_CODES: Final[dict[str, str]] = {
    "ground_elsewhere": "the ground points lie on the chosen field, not on this one",
    "off_field": "the ground points lie too far from this field's runways",
    "not_aligned": "the track is aligned with a runway of the chosen field, not with one of this field",
    "meets_elsewhere": "the track meets the ground on the chosen field, not on this one",
    "farther": "this field fits too, but lies farther from the track or off its heading",
    "ground_next": "this field fits too, but the aircraft was seen on the ground at the chosen field in the stop next to this end",
    "too_high": "too high above this field to land on it (above a reachable glide path)",
    "over_field": "this field fits, but the end lies over a nearer field it is too high above to have used on a straight path: it may have"
                  " turned above that one, so neither is named",
    "too_far": "too far from this field for the height",
    "out_of_reach": "too far from this field to have come from it (or reached it) at the end's climb (descent) rate and speed",
    "wrong_way": "not heading toward this field (arrival) or away from it (departure)",
    "wrong_trend": "climbing near this field where it would descend to land (or the reverse)",
    "no_altitude": "no altitude, and not close enough to this field",
}
"""Codes of ``*_second_why`` (why the second field considered lost) with their meaning."""


def ft_texts(values: np.ndarray) -> list[str]:
    """:func:`~flighttrace.numfmt.fmt_ft` of each value (ft), each distinct value formatted once.

    Parameters
    ----------
    values
        Heights, ft; NaN where unknown.

    Returns
    -------
    list of str
        One text per value, in order.
    """
    uniq, inv = np.unique(np.asarray(values, dtype=np.float64), return_inverse=True)  # NaNs collapse into one
    return np.array([fmt_ft(x) for x in uniq.tolist()], dtype=object)[inv.ravel()].tolist()


def _angle_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


def _runway_features(index: AirportIndex, idx: np.ndarray, lat: np.ndarray, lon: np.ndarray, trk: np.ndarray, agl: np.ndarray, *, arriving: bool, p: LegParams) -> dict[str, np.ndarray]:
    """Per (end, candidate): runway data present, distance to the nearest runway, alignment, where the track meets the ground.

    ``idx`` is (m, k) field rows (-1 none); the others are per end (m,)
    except ``agl`` (m, k). All work is on flat (end, candidate, direction)
    arrays.
    """
    rw = runway_directions(index)
    m, k = idx.shape
    n_dir = rw.count(idx.ravel())
    has = (n_dir > 0).reshape(m, k)
    seg = np.full(m * k, np.inf)
    aligned = np.zeros(m * k, dtype=bool)
    meet = np.full(m * k, np.inf)
    ident = np.full(m * k, "", dtype=object)
    total = int(n_dir.sum())
    if total:
        pair = np.repeat(np.arange(m * k), n_dir)
        first = rw.offsets[np.maximum(idx.ravel(), 0)]
        d = np.arange(total) + np.repeat(first - np.concatenate([[0], np.cumsum(n_dir)[:-1]]), n_dir)
        end = pair // k
        g = pair_geometry(rw, d, lat[end], lon[end], arriving=arriving)
        h_agl = agl.ravel()[pair]
        tdiff = _angle_diff(trk[end], rw.heading_deg[d])
        out_km = g["out_km"]
        # aligned: on the course, within a cone around the extended centreline, on the right side, not too high
        cone = p.align_cross_km + out_km * np.tan(np.radians(p.align_cone_deg))
        grad = FT_PER_NM_GLIDE if arriving else p.climb_ft_per_nm
        height_ok = ~(h_agl > np.maximum(out_km, 0.0) / 1.852 * grad * p.glide_factor + 1500.0)
        if arriving:  # above inferred_max_agl_ft, an approach no steeper than aligned_steep_factor × 3° to the threshold
            height_ok &= ~((h_agl > p.inferred_max_agl_ft) & (h_agl > np.maximum(out_km, 0.0) / 1.852 * FT_PER_NM_GLIDE * p.aligned_steep_factor))
        al = (tdiff <= p.align_deg) & (out_km >= -rw.length_km[d]) & (out_km <= p.align_max_km) & (g["cross_km"] <= cone) & height_ok
        # where the track meets the ground: along the track on a 3° path (climb: climb_ft_per_nm) from the end point
        run_km = np.maximum(np.nan_to_num(h_agl, nan=0.0), 0.0) / grad * 1.852
        sgn = 1.0 if arriving else -1.0
        tr = np.radians(trk[end])
        mlat = lat[end] + sgn * run_km * np.cos(tr) / 111.195
        mlon = lon[end] + sgn * run_km * np.sin(tr) / (111.195 * np.maximum(np.cos(np.radians(lat[end])), 0.01))
        gm = pair_geometry(rw, d, mlat, mlon, arriving=arriving)
        meet_d = np.where(np.isnan(trk[end]) | np.isnan(h_agl), np.inf, gm["seg_km"])
        starts = np.flatnonzero(np.diff(pair, prepend=-1))
        uniq = pair[starts]
        seg[uniq] = np.minimum.reduceat(g["seg_km"], starts)
        aligned[uniq] = np.logical_or.reduceat(al, starts)
        meet[uniq] = np.minimum.reduceat(meet_d, starts)
        # the designator of the best-aligned direction (smallest cross-track among aligned ones)
        score = np.where(al, g["cross_km"], np.inf)
        best = np.minimum.reduceat(score, starts)
        is_best = al & (score <= np.repeat(best, np.diff(np.append(starts, total))))
        bp, bi = np.unique(pair[is_best], return_index=True)
        ident[bp] = rw.ident[d[is_best][bi]]
    return {"has": has, "seg": seg.reshape(m, k), "aligned": aligned.reshape(m, k), "meet": meet.reshape(m, k), "ident": ident.reshape(m, k)}


def _ground(index: AirportIndex, lat: np.ndarray, lon: np.ndarray, heli: np.ndarray, p: LegParams) -> dict[str, np.ndarray]:
    """Fields under ground points: the best one and the runner-up, per point."""
    idx, dist = index.nearest(lat, lon, k=p.k_candidates, max_km=p.search_km, heliports=heli)
    nan = np.full(idx.shape, np.nan)
    f = _runway_features(index, idx, lat, lon, np.full(len(lat), np.nan), nan, arriving=True, p=p)
    valid = idx >= 0
    on = valid & (dist <= p.observed_km) & np.where(f["has"], f["seg"] <= p.ground_runway_km, dist <= p.no_runway_km)
    cost = np.where(valid, np.where(f["has"], f["seg"], dist), np.inf)
    rank = np.where(on, cost, cost + 1e6)
    order = np.argsort(rank, axis=1, kind="stable")
    rows = np.arange(len(lat))
    b, s = order[:, 0], order[:, 1] if idx.shape[1] > 1 else order[:, 0]
    hit = on[rows, b]
    has_s = valid[rows, s] & (s != b)
    return {
        "field": np.where(hit, idx[rows, b], -1),
        "dist": dist[rows, b],
        "second": np.where(has_s, idx[rows, s], -1),
        "second_dist": np.where(has_s, dist[rows, s], np.nan),
        "second_why": np.where(on[rows, s], "ground_elsewhere", "off_field").astype(object),
        "second_away": np.where(has_s, cost[rows, s], np.nan),
    }


def ground_fields(index: AirportIndex, lat: np.ndarray, lon: np.ndarray, heli: np.ndarray, p: LegParams) -> np.ndarray:
    """The field each ground point lies on (index row, -1 none), by the rule of a seen-on-the-ground end."""
    if len(lat) == 0:
        return np.empty(0, dtype=np.int64)
    return _ground(index, lat, lon, heli, p)["field"]


def decide_ends(
    index: AirportIndex,
    lat: np.ndarray,
    lon: np.ndarray,
    alt: np.ndarray,
    trk: np.ndarray,
    vert: np.ndarray,
    heli: np.ndarray,
    on_ground_after: np.ndarray,
    ground_lat: np.ndarray,
    ground_lon: np.ndarray,
    *,
    arriving: bool,
    p: LegParams,
    ground_next: np.ndarray | None = None,
    reach: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Decide the field and grade of one end (origin or destination) of many legs.

    Parameters
    ----------
    index
        Airport index (custom sites included).
    lat, lon, alt, trk, vert
        The end point: position (deg), altitude (ft), track (deg) and
        vertical trend (ft/min, positive climbing).
    heli
        Helicopter (heliports are candidates).
    on_ground_after, ground_lat, ground_lon
        Whether ground points follow (arriving) / precede (departing) the
        airborne part within the leg, and where the nearest one is.
    arriving
        Destination (True) or origin (False).
    p
        :class:`~flighttrace.tracks.legs.LegParams`.
    ground_next
        Per end, the field (index row, -1 none) where the same aircraft was
        seen on the ground in the stop next to the end, within
        ``ground_tie_s``: it wins an airborne end that it fits.
    reach
        Per end, ``(rate, speed)``: how fast it climbs away from the ground
        (origin) or descends toward it (destination), ft/min (positive in
        that direction, NaN unknown), and its ground speed (kt). A field
        farther than the end could have flown since lift-off (until
        touchdown) at that rate is not inferred (``reach_*`` of
        :class:`~flighttrace.tracks.params.LegParams`). ``None``: no such test.

    Returns
    -------
    dict
        Arrays per end: ``field`` (index row, -1 none), ``grade``, ``dist``
        (km), ``agl`` (ft), ``method``, ``runway`` (designator the track is
        aligned with, ``""`` none), ``second`` (row of the best other field
        considered, -1 none), ``second_dist`` (km from the end point),
        ``second_why`` (a :data:`LOST_CODES` key), ``second_detail``
        (numbers behind it, in words) and ``vert`` (the end point's
        vertical trend, as given). ``method`` is ``"ground_next"`` where
        ``ground_next`` decided among fields that fit.
    """
    m = len(lat)
    elev = index.table["elevation_ft"].to_numpy()
    elev = np.where(np.isnan(elev), 0.0, elev)
    out: dict[str, np.ndarray] = {
        "field": np.full(m, -1, dtype=np.int64), "grade": np.full(m, "unknown", dtype=object), "dist": np.full(m, np.nan),
        "agl": np.full(m, np.nan), "method": np.full(m, "", dtype=object), "runway": np.full(m, "", dtype=object),
        "second": np.full(m, -1, dtype=np.int64), "second_dist": np.full(m, np.nan), "second_why": np.full(m, "", dtype=object),
        "second_detail": np.full(m, "", dtype=object),
        "over": np.full(m, -1, dtype=np.int64), "over_dist": np.full(m, np.nan), "over_agl": np.full(m, np.nan),
        "vert": np.asarray(vert, dtype=float).copy(),
    }
    if m == 0:
        return out
    if on_ground_after.any():
        sel = np.flatnonzero(on_ground_after)
        gr = _ground(index, ground_lat[sel], ground_lon[sel], heli[sel], p)
        hit = gr["field"] >= 0
        w = sel[hit]
        out["field"][w] = gr["field"][hit]
        out["grade"][w] = "observed"
        out["dist"][w] = gr["dist"][hit]
        out["agl"][w] = 0.0
        out["method"][w] = "on_ground"
        out["second"][w] = gr["second"][hit]
        out["second_dist"][w] = gr["second_dist"][hit]
        out["second_why"][w] = np.where(gr["second"][hit] >= 0, gr["second_why"][hit], "")
        out["second_detail"][w] = [f"ground points {a:.1f} km from its runways or reference point" if math.isfinite(a) else ""
                                   for a in gr["second_away"][hit].tolist()]
    todo = np.flatnonzero(out["field"] < 0)
    if len(todo):
        pref = np.full(len(todo), -1, dtype=np.int64) if ground_next is None else ground_next[todo]
        rate, speed = (np.full(len(todo), np.nan), np.full(len(todo), np.nan)) if reach is None else (reach[0][todo], reach[1][todo])
        _airborne_ends(index, elev, lat[todo], lon[todo], alt[todo], trk[todo], vert[todo], heli[todo], todo, out, arriving=arriving, p=p,
                       prefer=pref, rate=rate, speed=speed)
    return out


def _over_field(named: np.ndarray, near_high: np.ndarray, idx: np.ndarray, dist: np.ndarray, agl: np.ndarray, todo: np.ndarray,
                out: dict[str, np.ndarray]) -> np.ndarray:
    """The ends whose field is not named because they lie over a field they are too high above to have used (``over_field_km``).

    ``named``: per end, a field farther than ``over_field_km`` would be
    inferred (not seen, not aligned, not the ground sighting next to the
    end); ``near_high``: per end and candidate, a field within
    ``over_field_km`` rejected for the height alone. The nearest such field
    goes into ``out`` (``over``, ``over_dist``, ``over_agl``) and the end's
    method becomes ``"over_field"``.
    """
    over = named & near_high.any(axis=1)
    if over.any():
        rows = np.flatnonzero(over)
        near = np.argmax(near_high[rows], axis=1)  # candidates come nearest first
        w = todo[rows]
        out["method"][w] = "over_field"
        out["over"][w] = idx[rows, near]
        out["over_dist"][w] = dist[rows, near]
        out["over_agl"][w] = agl[rows, near]
    return over


def _airborne_ends(
    index: AirportIndex, elev: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray, trk: np.ndarray, vert: np.ndarray, heli: np.ndarray,
    todo: np.ndarray, out: dict[str, np.ndarray], *, arriving: bool, p: LegParams, prefer: np.ndarray, rate: np.ndarray, speed: np.ndarray,
) -> None:
    """Airborne ends (no ground point decided them): fill ``out`` at positions ``todo``; a fitting ``prefer`` field wins."""
    idx, dist = index.nearest(lat, lon, k=p.k_candidates, max_km=p.search_km, heliports=heli)
    valid = idx >= 0
    e = np.where(valid, elev[np.maximum(idx, 0)], np.nan)
    agl = alt[:, None] - e
    flat = index.table["lat"].to_numpy()[np.maximum(idx, 0)]
    flon = index.table["lon"].to_numpy()[np.maximum(idx, 0)]
    if arriving:
        brg = bearing_deg(lat[:, None], lon[:, None], flat, flon)  # toward the field
        trend_ok = vert[:, None] <= 0
    else:
        brg = bearing_deg(flat, flon, lat[:, None], lon[:, None])  # away from the field
        trend_ok = vert[:, None] >= 0
    trend_ok = np.broadcast_to(trend_ok | np.isnan(vert)[:, None], idx.shape)
    ang = _angle_diff(trk[:, None], brg)
    head_ok = (ang <= p.heading_tol_deg) | np.isnan(trk)[:, None] | (dist < 2.0)
    glide_ok = agl <= p.glide_factor * (dist / 1.852) * FT_PER_NM_GLIDE + 1500.0
    have_alt = ~np.isnan(agl)
    rf = _runway_features(index, idx, lat, lon, trk, agl, arriving=arriving, p=p)
    over_field = np.where(rf["has"], rf["seg"] <= p.observed_runway_km, dist <= p.no_runway_km)
    with np.errstate(invalid="ignore"):  # a lift-off is not seen descending, nor a touchdown climbing (NaN: no trend, not contrary)
        contrary = vert > p.observed_contrary_fpm if arriving else vert < -p.observed_contrary_fpm
    seen = valid & have_alt & (agl <= p.observed_agl_ft) & over_field & ~contrary[:, None]
    radius = p.inferred_base_km + p.inferred_km_per_kft * np.maximum(agl, 0.0) / 1000.0
    low = valid & have_alt & (agl <= p.inferred_max_agl_ft)
    reach_km = _reach_km(agl, rate, speed, p)
    reach_ok = ~(dist > reach_km)  # NaN (no steady rate or speed): not judged
    infer = low & (dist <= radius) & trend_ok & head_ok & glide_ok
    aligned = valid & have_alt & (agl <= max(p.aligned_max_agl_ft, p.inferred_max_agl_ft)) & rf["aligned"] & trend_ok
    no_alt = valid & ~have_alt & (dist <= p.inferred_base_km) & head_ok
    out_of_reach = (infer | aligned) & ~reach_ok & ~seen & ~no_alt  # would fit, but not at the end's climb (descent) and speed
    infer &= reach_ok
    aligned &= reach_ok
    ok = seen | infer | no_alt | aligned
    # where the track meets the ground; a field without runway data is judged from its reference point
    run_km = np.maximum(np.nan_to_num(agl, nan=0.0), 0.0) / (FT_PER_NM_GLIDE if arriving else p.climb_ft_per_nm) * 1.852
    along = dist * np.cos(np.radians(ang))  # the field ahead of (arriving) / behind (departing) the end point, km
    cross = dist * np.sin(np.radians(ang))
    ref_meet = np.hypot(along - run_km, cross)
    meet = np.where(rf["has"], rf["meet"], np.maximum(ref_meet - p.observed_runway_km, 0.0))
    meet = np.where(np.isnan(trk)[:, None] | ~have_alt, 0.0, meet)
    off_track = np.where(np.isnan(ang) | (dist < 2.0), 0.0, ang * p.heading_cost_km_per_deg)
    km_per_ft = 1.852 / FT_PER_NM_GLIDE
    above_glide = np.maximum(np.where(have_alt, agl, 0.0) - dist / 1.852 * FT_PER_NM_GLIDE, 0.0) * km_per_ft if arriving else 0.0
    cost = (
        dist + np.where(seen, -100.0, 0.0) + np.where(have_alt, np.maximum(agl, 0) / 1000.0, 5.0) + off_track + above_glide
        - np.where(aligned, p.align_bonus_km, 0.0) + p.meet_weight * np.minimum(meet, p.meet_cap_km)
    )
    cost_ok = np.where(ok, cost, np.inf)
    rows = np.arange(len(lat))
    natural = np.argmin(cost_ok, axis=1)
    # a ground sighting next to the end breaks a tie between fields that fit; it never beats a seen touchdown
    pref_hit = ok & (idx == prefer[:, None]) & (prefer[:, None] >= 0) & ~seen[rows, natural][:, None]
    cost_ok = np.where(pref_hit, cost_ok - 1e6, cost_ok)
    best = np.argmin(cost_ok, axis=1)
    tied = pref_hit[rows, best] & (best != natural)
    has = np.isfinite(cost_ok[rows, best])
    over = _over_field(has & ~seen[rows, best] & ~rf["aligned"][rows, best] & ~pref_hit[rows, best] & (dist[rows, best] > p.over_field_km),
                       valid & have_alt & ~ok & ~(low & glide_ok) & (dist <= p.over_field_km), idx, dist, agl, todo, out)
    has &= ~over
    sel = todo[has]
    out["field"][sel] = idx[rows, best][has]
    out["dist"][sel] = dist[rows, best][has]
    out["agl"][sel] = agl[rows, best][has]
    st = seen[rows, best][has]
    out["grade"][sel] = np.where(st, "observed", "inferred")
    out["method"][sel] = np.where(st, "low_near_field", np.where(tied[has], "ground_next", np.where(have_alt[rows, best][has], "low_heading", "near_no_alt")))
    out["runway"][sel] = np.where(rf["aligned"][rows, best][has], rf["ident"][rows, best][has], "")
    # the second field considered: the next that fits, else the nearest that does not
    rank = np.where(ok, cost, np.where(out_of_reach, 5e5, 1e6) + dist)  # a field lost on reach alone comes before the others that do not fit
    rank[~valid] = np.inf
    rank[rows[has], best[has]] = np.inf
    sec = np.argmin(rank, axis=1)
    has_s = np.isfinite(rank[rows, sec])
    s_ok = ok[rows, sec]
    why = np.where(~have_alt[rows, sec], "no_altitude", np.where(~(low & glide_ok)[rows, sec], "too_high", np.where(~trend_ok[rows, sec], "wrong_trend", np.where(~head_ok[rows, sec], "wrong_way", np.where(~reach_ok[rows, sec], "out_of_reach", "too_far")))))
    won_align = rf["aligned"][rows, best] & has
    won_meet = has & (meet[rows, sec] > meet[rows, best] + p.meet_margin_km)
    why = np.where(s_ok, np.where(won_align & ~rf["aligned"][rows, sec], "not_aligned", np.where(won_meet, "meets_elsewhere", "farther")), why)
    why = np.where(tied & s_ok, "ground_next", why)
    why = np.where(over & (sec == best), "over_field", why)
    w = todo[has_s]
    out["second"][w] = idx[rows, sec][has_s]
    out["second_dist"][w] = dist[rows, sec][has_s]
    out["second_why"][w] = why[has_s].astype(object)
    reach_s = np.where(why[has_s] == "out_of_reach", reach_km[rows, sec][has_s], np.nan)
    out["second_detail"][w] = _second_details(agl[rows, sec][has_s], dist[rows, sec][has_s], meet[rows, sec][has_s], reach_s, rate[has_s],
                                              speed[has_s], arriving=arriving)


def _second_details(agl: np.ndarray, dist: np.ndarray, meet: np.ndarray, reach: np.ndarray, rate: np.ndarray, speed: np.ndarray, *,
                    arriving: bool) -> list[str]:
    """The numbers behind each second field's loss, in words: height and distance, where the track meets the ground, the reach (NaN: none)."""
    motion, where = ("descending", "would meet") if arriving else ("climbing", "left")
    return [
        (f"{ft} above it, {d:.1f} km out" if math.isfinite(a) else f"{d:.1f} km out, no altitude")
        + (f"; the track meets the ground {x:.1f} km from its runways" if math.isfinite(x) and x > 0 else "")
        + (f"; {motion} {v:,.0f} ft/min at {k:.0f} kt, it was within {r:.1f} km of where it {where} the ground" if math.isfinite(r) else "")
        for a, ft, d, x, r, v, k in zip(agl.tolist(), ft_texts(agl), dist.tolist(), meet.tolist(), reach.tolist(), rate.tolist(), speed.tolist(),
                                        strict=True)
    ]


def _reach_km(agl: np.ndarray, rate: np.ndarray, speed: np.ndarray, p: LegParams) -> np.ndarray:
    """Per end and candidate field: how far (km) the field can lie at the end's steady climb or descent (NaN: not judged).

    Height above the field (plus ``reach_margin_ft``) over the rate (``rate``
    ft/min toward or away from the ground, at least ``reach_min_fpm``) is the time since lift-off
    or until touchdown; at ``speed`` kt that is the distance flown, widened
    by ``reach_factor`` and ``reach_base_km``.
    """
    steady = (rate >= p.reach_min_fpm) & (speed > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        minutes = (np.maximum(agl, 0.0) + p.reach_margin_ft) / np.where(steady, rate, np.nan)[:, None]
    return p.reach_base_km + p.reach_factor * speed[:, None] * 1.852 * minutes / 60.0
