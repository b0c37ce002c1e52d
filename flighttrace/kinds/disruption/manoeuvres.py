"""Holdings and go-arounds, read from the tracks of legs (see :mod:`flighttrace.kinds.disruption.analysis`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flighttrace.geo import bearing_deg, haversine_km
from flighttrace.kinds.disruption.params import GO_AROUND_COLUMNS, HOLDING_COLUMNS, DisruptionParams, _empty, _obj, _utc
from flighttrace.kinds.disruption.points import _as_arrays, _leg_key, _PointArrays, _runs_of, field_rows, point_lineage
from flighttrace.schema import TIME_DTYPE


def _circling(pa: _PointArrays, p: DisruptionParams) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stretches where the track kept turning one way: ``(start, end exclusive, total turn in degrees, cumulative turn per point)``."""
    n = len(pa.t)
    leg = pa.leg
    same = np.zeros(n, dtype=bool)
    same[1:] = (leg[1:] == leg[:-1]) & (leg[1:] >= 0)
    air = ~pa.ground & (leg >= 0)
    dt = np.zeros(n)
    dt[1:] = pa.t[1:] - pa.t[:-1]
    step_ok = same & air & np.r_[False, air[:-1]] & (dt <= p.holding_max_step_s) & (dt > 0)
    # track angle: the source's, else the bearing of the last step
    trk = pa.trk.copy()
    miss = ~np.isfinite(trk)
    if miss.any():
        b = np.full(n, np.nan)
        b[1:] = bearing_deg(pa.lat[:-1], pa.lon[:-1], pa.lat[1:], pa.lon[1:])
        trk[miss] = b[miss]
    dpsi = np.zeros(n)
    dpsi[1:] = (trk[1:] - trk[:-1] + 180.0) % 360.0 - 180.0
    dpsi = np.where(step_ok & np.isfinite(dpsi), dpsi, 0.0)
    cum = np.cumsum(dpsi)
    # for each point, the last point of the same leg within the circle time
    key = _leg_key(pa, p.holding_circle_max_s)
    j = np.searchsorted(key, key + p.holding_circle_max_s, side="right") - 1
    turn = np.abs(cum[j] - cum)
    start = np.flatnonzero((turn >= p.holding_circle_deg) & air & (leg >= 0))
    if len(start) == 0:
        return start, start, np.zeros(0), cum
    mark = np.zeros(n + 1, dtype=np.int64)
    np.add.at(mark, start, 1)
    np.add.at(mark, j[start] + 1, -1)
    circling = np.cumsum(mark[:n]) > 0
    s, e = _runs_of(circling, leg)
    # trim the straight flight the look-ahead windows take in at either end: keep first to last turning step
    with np.errstate(divide="ignore", invalid="ignore"):
        turning = np.flatnonzero(np.abs(dpsi) / np.where(dt > 0, dt, np.inf) >= p.holding_min_rate_deg_s)
    k0 = np.searchsorted(turning, s + 1, side="left")
    k1 = np.searchsorted(turning, e, side="left") - 1
    ok = (k0 < len(turning)) & (k1 >= k0)
    s, e, k0, k1 = s[ok], e[ok], k0[ok], k1[ok]
    s, e = turning[k0] - 1, turning[k1] + 1
    total = np.abs(cum[e - 1] - cum[s])
    keep = total >= p.holding_min_turn_deg
    s, e, total = s[keep], e[keep], total[keep]
    return s, e, total, cum


def _held_for(
    lat_c: np.ndarray, lon_c: np.ndarray, leg_rows: np.ndarray, legs: pd.DataFrame, fl: pd.DataFrame, intended: dict[int, str], p: DisruptionParams
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The field each holding (centre ``lat_c``, ``lon_c``) was held for, its distance (km), and each field's row in ``fl``."""
    n = len(lat_c)
    dkm = haversine_km(lat_c[:, None], lon_c[:, None], fl["lat"].to_numpy()[None, :], fl["lon"].to_numpy()[None, :]) if len(fl) else np.zeros((n, 0))
    codes = fl["code"].to_numpy(dtype=object) if len(fl) else np.zeros(0, dtype=object)
    pos = {c: k for k, c in enumerate(codes)}
    dests = legs["destination"].astype(object).where(legs["destination"].notna(), None).to_numpy(dtype=object)
    airport = np.full(n, None, dtype=object)
    a_dist = np.full(n, np.nan)
    for k in range(n):  # one choice per holding
        cands = [intended.get(int(leg_rows[k])), dests[leg_rows[k]]]  # the field it wanted, else the one it landed at
        chosen = None
        for c in cands:
            if c in pos and dkm[k, pos[c]] <= p.holding_airport_km:
                chosen = c
                break
        if chosen is None and len(codes):
            near = int(np.argmin(dkm[k]))
            if dkm[k, near] <= p.holding_airport_km:
                chosen = codes[near]
        if chosen is not None:
            airport[k] = chosen
            a_dist[k] = dkm[k, pos[chosen]]
    return airport, a_dist, pos


def holdings(
    points: pd.DataFrame | _PointArrays,
    legs: pd.DataFrame,
    fields_: pd.DataFrame,
    *,
    intended: dict[int, str] | None = None,
    params: DisruptionParams | None = None,
) -> pd.DataFrame:
    """Circling segments: cumulative turn of at least a circle within a few minutes, repeated.

    Parameters
    ----------
    points, legs, params
        As :func:`~flighttrace.kinds.disruption.diversions.approaches`.
    fields_
        Watched fields (as for approaches): a holding is attributed to one of them.
    intended
        Leg row → field the leg approached or was diverted from (used to
        attribute a holding when the leg landed elsewhere).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`HOLDING_COLUMNS`, sorted by start.
    """
    p = params or DisruptionParams()
    pa = _as_arrays(points, legs)
    times = ("start", "end")
    n = len(pa.t)
    if n < 3 or len(legs) == 0:
        return _empty(HOLDING_COLUMNS, times)
    s, e, total, cum = _circling(pa, p)
    if len(s) == 0:
        return _empty(HOLDING_COLUMNS, times)
    leg = pa.leg
    lens = e - s
    cs_lat = np.concatenate([[0.0], np.cumsum(pa.lat)])
    cs_lon = np.concatenate([[0.0], np.cumsum(pa.lon)])
    lat_c = (cs_lat[e] - cs_lat[s]) / lens
    lon_c = (cs_lon[e] - cs_lon[s]) / lens
    seg = np.repeat(np.arange(len(s)), lens)
    rows_ = np.concatenate([np.arange(a, b) for a, b in zip(s, e, strict=True)])  # one slice per holding
    dist = haversine_km(pa.lat[rows_], pa.lon[rows_], lat_c[seg], lon_c[seg])
    radius = np.bincount(seg, weights=dist, minlength=len(s)) / lens
    alt = pa.alt[rows_]
    alt_f = np.where(np.isfinite(alt), alt, np.nan)
    frame = pd.DataFrame({"seg": seg, "alt": alt_f})
    amin = frame.groupby("seg")["alt"].min().reindex(range(len(s))).to_numpy()
    amax = frame.groupby("seg")["alt"].max().reindex(range(len(s))).to_numpy()
    direction = np.where(cum[e - 1] - cum[s] > 0, "right", "left")
    leg_rows = leg[s]
    fl = fields_.reset_index(drop=True)
    airport, a_dist, pos = _held_for(lat_c, lon_c, leg_rows, legs, fl, intended or {}, p)
    elev = np.array([fl.loc[pos[c], "elevation_ft"] if c is not None else 0.0 for c in airport], dtype=float)
    high = (amin - elev) >= p.holding_min_agl_ft
    lg = legs.iloc[leg_rows]
    t0, t1 = pa.t[s], pa.t[e - 1]

    out = pd.DataFrame({
        "holding_id": np.full(len(s), "", dtype=object),
        "leg_id": _obj(lg["leg_id"]), "icao24": _obj(lg["icao24"]), "callsign": _obj(lg["callsign"]),
        "registration": _obj(lg["registration"]) if "registration" in lg else np.full(len(s), None, dtype=object),
        "airport": airport, "start": _utc(t0).array, "end": _utc(t1).array, "duration_s": np.round(t1 - t0, 1),
        "turn_deg": np.round(total, 1), "laps": np.round(total / 360.0, 2), "direction": direction.astype(object),
        "lat": np.round(lat_c, 5), "lon": np.round(lon_c, 5), "radius_km": np.round(radius, 2),
        "alt_min_ft": amin, "alt_max_ft": amax, "dist_km": np.round(a_dist, 1),
        "point_start": s.astype(np.int64), "point_end": e.astype(np.int64),
        "lineage": point_lineage(pa.pts, s, e), "grade": np.full(len(s), "observed", dtype=object),
    })[high]
    out = out.sort_values(["start", "leg_id"], kind="stable").reset_index(drop=True)
    out["holding_id"] = [f"H{k + 1:03d}" for k in range(len(out))]
    for c in times:
        out[c] = out[c].astype(TIME_DTYPE)
    return out[list(HOLDING_COLUMNS)]


# ---------------------------------------------------------------------------------------
# go-arounds


def go_arounds(points: pd.DataFrame | _PointArrays, legs: pd.DataFrame, fields_: pd.DataFrame, *, params: DisruptionParams | None = None) -> pd.DataFrame:
    """Missed approaches: a descent to a low pass near a field, then a climb, with no ground contact.

    The parameters are those of :func:`~flighttrace.kinds.disruption.diversions.approaches`;
    the table has the columns of :data:`GO_AROUND_COLUMNS`, sorted by time.
    """
    p = params or DisruptionParams()
    pa = _as_arrays(points, legs)
    n = len(pa.t)
    if n == 0 or len(legs) == 0 or len(fields_) == 0:
        return _empty(GO_AROUND_COLUMNS, ("time",))
    leg = pa.leg
    key = _leg_key(pa, p.go_around_window_s)
    ground_cs = np.concatenate([[0], np.cumsum(pa.ground.astype(np.int64))])
    alt0 = np.where(np.isfinite(pa.alt), pa.alt, -np.inf)
    found = []
    for f in field_rows(fields_):  # one pass per field
        d = haversine_km(pa.lat, pa.lon, f.lat, f.lon)
        with np.errstate(invalid="ignore"):
            low = (leg >= 0) & ~pa.ground & (d <= p.go_around_radius_km) & (pa.alt - f.elevation_ft <= p.go_around_max_agl_ft)
        s, e = _runs_of(low, leg)
        if len(s) == 0:
            continue
        # lowest point of each run
        alt_run = np.where(np.isfinite(pa.alt), pa.alt, np.inf)
        rows_ = np.concatenate([np.arange(a, b) for a, b in zip(s, e, strict=True)])  # one slice per low pass
        seg = np.repeat(np.arange(len(s)), e - s)
        lowest = pd.Series(alt_run[rows_]).groupby(seg).idxmin().to_numpy()
        lo_row = rows_[lowest]
        min_alt = pa.alt[lo_row]
        w = p.go_around_window_s
        before = np.searchsorted(key, key[s] - w, side="left")
        after = np.searchsorted(key, key[e - 1] + w, side="right")
        no_ground = (ground_cs[after] - ground_cs[before]) == 0
        # highest point before (descent into the pass) and after (the climb away)
        hi_before = np.array([alt0[a:b].max() if b > a else -np.inf for a, b in zip(before, s, strict=True)])  # one slice per low pass
        hi_after = np.array([alt0[a:b].max() if b > a else -np.inf for a, b in zip(e, after, strict=True)])
        ga = no_ground & (hi_before - min_alt >= p.go_around_min_climb_ft) & (hi_after - min_alt >= p.go_around_min_climb_ft)
        for k in np.flatnonzero(ga):  # one row per go-around
            found.append({"leg": int(leg[s[k]]), "airport": f.code, "row": int(lo_row[k]), "t": float(pa.t[lo_row[k]]),
                          "lat": float(pa.lat[lo_row[k]]), "lon": float(pa.lon[lo_row[k]]),
                          "min_agl_ft": float(min_alt[k] - f.elevation_ft), "min_dist_km": float(d[lo_row[k]]),
                          "climb_ft": float(hi_after[k] - min_alt[k]), "point_start": int(before[k]), "point_end": int(after[k])})
    if not found:
        return _empty(GO_AROUND_COLUMNS, ("time",))
    g = pd.DataFrame(found)
    lg = legs.iloc[g["leg"].to_numpy()]
    out = pd.DataFrame({
        "leg_id": _obj(lg["leg_id"]), "icao24": _obj(lg["icao24"]), "callsign": _obj(lg["callsign"]),
        "registration": _obj(lg["registration"]) if "registration" in lg else np.full(len(g), None, dtype=object),
        "airport": g["airport"].to_numpy(dtype=object),
        "time": pd.Series(pd.to_datetime(np.round(g["t"].to_numpy() * 1e9).astype(np.int64), utc=True), dtype=TIME_DTYPE).array,
        "lat": np.round(g["lat"].to_numpy(), 5), "lon": np.round(g["lon"].to_numpy(), 5),
        "min_agl_ft": np.round(g["min_agl_ft"].to_numpy(), 0), "min_dist_km": np.round(g["min_dist_km"].to_numpy(), 2),
        "climb_ft": np.round(g["climb_ft"].to_numpy(), 0), "landed": _obj(lg["destination"]),
        "point_start": g["point_start"].to_numpy(dtype=np.int64), "point_end": g["point_end"].to_numpy(dtype=np.int64),
        "lineage": point_lineage(pa.pts, g["point_start"].to_numpy(), g["point_end"].to_numpy()),
        "grade": np.full(len(g), "observed", dtype=object),
    })
    out["time"] = out["time"].astype(TIME_DTYPE)
    return out.sort_values(["time", "leg_id"], kind="stable").reset_index(drop=True)[list(GO_AROUND_COLUMNS)]
