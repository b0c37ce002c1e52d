"""Points that cannot be where they say they are: stale state vectors that claim flight while crawling.

Step 1 of leg detection flags such points (with excursions and frozen
positions, :mod:`flighttrace.tracks.segment`); they stay in the Points table
and are counted in the legs' ``n_suspect``, but no end is decided from them.
Every threshold is a field of :class:`~flighttrace.tracks.params.LegParams`.
"""

from __future__ import annotations

import numpy as np

from flighttrace.geo import EARTH_RADIUS_KM
from flighttrace.tracks.params import KT_PER_KM_S, LegParams

__all__ = ["crawling", "step_km"]


def step_km(ac: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Length (km) of the step from the previous point of the same aircraft (0 at each aircraft's first point).

    ``ac`` is any group code (an aircraft, a run of points): no step crosses a change of it.

    Equirectangular, at the mean latitude of the step: within 0.1 % of the
    great circle for steps of a few km, which is all a window of seconds
    holds; a longer step is only ever compared with a threshold it exceeds
    by far. A step across the antimeridian is taken the short way round.
    """
    n = len(ac)
    out = np.zeros(n, dtype=np.float64)
    if n < 2:
        return out
    # in place, in as few arrays as possible (each new array of a million points costs its page faults)
    dlat = np.subtract(lat[1:], lat[:-1])
    np.radians(dlat, out=dlat)
    dlon = np.subtract(lon[1:], lon[:-1])
    dlon += 180.0
    wrap = (dlon < 0.0) | (dlon >= 360.0)  # the modulo changes only these (across the antimeridian, or NaN-free jumps)
    if wrap.any():
        dlon[wrap] %= 360.0
    dlon -= 180.0
    np.radians(dlon, out=dlon)
    mid = np.add(lat[1:], lat[:-1])
    mid *= 0.5
    np.radians(mid, out=mid)
    dlon *= np.cos(mid, out=mid)
    np.hypot(dlat, dlon, out=out[1:])
    out[1:] *= EARTH_RADIUS_KM
    out[1:][ac[1:] != ac[:-1]] = 0.0
    return out


def crawling(
    ac: np.ndarray,
    t: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    gs: np.ndarray,
    trk: np.ndarray,
    og: np.ndarray,
    heli: np.ndarray,
    p: LegParams,
) -> np.ndarray:
    """Flag points that claim flight while the positions before them crawl under a stale velocity.

    A fixed-wing aircraft slower than ``min_air_kt`` is not flying. A point
    that says it flies (not flagged on the ground, a ground speed of at least
    ``min_air_kt``) but whose aircraft covered, along its reported positions,
    less than ``min_air_kt``, and less than ``crawl_speed_frac`` of the ground
    speed it reports, on average over the more than ``crawl_window_s``
    seconds before it, while its ground speed and track stayed exactly the
    same, is a state vector kept alive after the flight ended: OpenSky keeps
    the last airborne velocity (and sometimes a garbled cruise altitude) while
    surface positions creep along a taxiway. The unchanged velocity is what
    tells it from an aircraft circling tightly between sparse samples (short
    chords, but a turning track); the fraction is what tells it from a slow
    flyer at about ``min_air_kt`` whose positions agree with its speed. The
    window is
    judged only when it is continuous: at most ``crawl_max_window_s`` from
    its first point to the point judged (a longer gap says nothing about
    speed). Helicopters, which hover, are never flagged.

    Parameters
    ----------
    ac, t, lat, lon, gs, trk, og, heli
        Per point, sorted by aircraft then time: aircraft code, time (s),
        position (deg), ground speed (kt, NaN unknown), track (deg), on-ground flag
        (1 ground, 0 air, -1 none), helicopter.
    p
        Thresholds (``min_air_kt``, ``crawl_window_s``, ``crawl_max_window_s``,
        ``crawl_speed_frac``).

    Returns
    -------
    numpy.ndarray
        Boolean per point.
    """
    n = len(ac)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    w = float(p.crawl_window_s)
    # runs of one aircraft with speed and track exactly unchanged: a stale velocity is one run (a real
    # aircraft circling between sparse samples also has short chords, but its track turns)
    new = np.ones(n, dtype=bool)
    new[1:] = (ac[1:] != ac[:-1]) | _differs(gs) | _differs(trk)
    head = np.flatnonzero(new)
    run = np.cumsum(new) - 1
    t_head = t[head]
    with np.errstate(invalid="ignore"):
        cand = (gs >= p.min_air_kt) & (og != 1) & ~heli & (t - t_head[run] > w)
    i = np.flatnonzero(cand)
    if len(i) == 0:
        return out
    # only the runs holding a candidate are measured, on a time axis increasing across them
    has = np.zeros(len(head), dtype=bool)
    has[run[i]] = True
    in_sub = has[run]
    sub = np.flatnonzero(in_sub)
    r_sub = run[sub]
    sel = np.flatnonzero(has)
    t_end = t[np.append(head[1:], n) - 1]
    base = np.concatenate([[0.0], np.cumsum(t_end[sel] - t_head[sel] + 2.0 * w + 1.0)[:-1]])
    slot = np.full(len(head), -1, dtype=np.int64)
    slot[sel] = np.arange(len(sel))
    tt = t[sub] - t_head[r_sub] + base[slot[r_sub]]
    ii = np.cumsum(in_sub)[i] - 1  # each candidate's position in sub
    jj = np.searchsorted(tt, tt[ii] - w, side="left") - 1  # the last point more than w s before, in the same run
    dur = t[i] - t[sub[jj]]
    ok = dur <= p.crawl_max_window_s
    ii, jj, dur, i = ii[ok], jj[ok], dur[ok], i[ok]
    path = np.cumsum(step_km(r_sub, lat[sub], lon[sub]))
    kt = (path[ii] - path[jj]) / dur * KT_PER_KM_S
    out[i[(kt < p.min_air_kt) & (kt < p.crawl_speed_frac * gs[i])]] = True
    return out


def _differs(x: np.ndarray) -> np.ndarray:
    """Whether each value differs from the one before (two NaN are equal); one shorter than ``x``."""
    a, b = x[1:], x[:-1]
    return (a != b) & ~(np.isnan(a) & np.isnan(b))
