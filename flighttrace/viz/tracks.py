"""The legs as drawn: seen runs, coverage gaps and end points, computed on whole columns.

A leg is drawn as the stretches where the aircraft was seen without a break
longer than ``gap_s`` (each simplified with Douglas–Peucker and thinned to a
vertex budget), and the gaps between them. :func:`_tracks` computes the
tracks of every leg at once from the Points table (fifty thousand points at a
time); :func:`_track` computes one leg's, for the legs that need a closer
look, and gives the same result. Used by the map layers of both scenario
kinds (:mod:`flighttrace.viz.layers_sorties`,
:mod:`flighttrace.viz.layers_disruption`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from flighttrace.viz.popups import present as _present

__all__: list[str] = []  # used by the map modules of this package only

_COORD_DECIMALS: Final = 5  # ~1 m: more digits only make the page heavier
_NS_PER_S: Final = 1_000_000_000


@dataclass
class _Track:
    """A leg as drawn: seen runs (lat, lon), gaps between them, end points."""

    runs: list[np.ndarray]
    """(k, 2) arrays of (lat, lon), each a stretch seen without a gap."""
    times: list[np.ndarray | None]
    """Per run, the vertex times (ns since epoch), or None when not known."""
    gaps: list[dict[str, Any]] = field(default_factory=list)
    """Per gap: ``a``/``b`` (lat, lon), ``t0``/``t1`` (ns or None), ``seconds``, ``suspect`` (positions not drawn)."""
    located_by: Literal["times", "geometry"] = "times"
    n_vertices: int = 0


class _PointTable:
    """The sorted Points table as arrays, to find the positions and times of a leg.

    Aircraft are held as integer codes (the sorted table's categories), not
    as 10 million strings.
    """

    def __init__(self, points: pd.DataFrame) -> None:
        from flighttrace.timeutil import time_ns
        from flighttrace.tracks.segment import (
            sorted_points,  # the exact order detect_legs' point_start/point_end refer to
        )

        pts = sorted_points(points)
        self.n = len(pts)
        hexes = pts["icao24"]
        if isinstance(hexes.dtype, pd.CategoricalDtype):
            self.code = hexes.cat.codes.to_numpy()
            cats = np.asarray(hexes.cat.categories.astype(str), dtype=object)
        else:
            self.code, cats = pd.factorize(hexes.astype(str).to_numpy(dtype=object), sort=True)
            cats = np.asarray(cats, dtype=object)
        self.t = time_ns(pts["time"]) if self.n else np.empty(0, dtype=np.int64)
        self.lat = pts["lat"].to_numpy(dtype=float)
        self.lon = pts["lon"].to_numpy(dtype=float)
        self.code_of: dict[str, int] = {str(h): i for i, h in enumerate(cats)}
        self.ranges: dict[int, tuple[int, int]] = {}
        if self.n:
            change = np.flatnonzero(self.code[1:] != self.code[:-1]) + 1
            starts = np.r_[0, change]
            ends = np.r_[change, self.n]
            self.ranges = {int(c): (int(s), int(e)) for c, s, e in zip(self.code[starts], starts, ends, strict=True)}

    def rows(self, icao24: str, first_ns: int, last_ns: int, start: Any, end: Any) -> tuple[int, int] | None:
        """Row range of a leg: ``point_start:point_end`` when they fit, else the aircraft's rows in its time span."""
        code = self.code_of.get(icao24)
        if code is None:
            return None
        if _present(start) and _present(end):
            a, b = int(start), int(end)
            if 0 <= a < b <= self.n and self.code[a] == code and self.code[b - 1] == code and self.t[a] == first_ns and self.t[b - 1] == last_ns:
                return a, b
        r = self.ranges.get(code)
        if r is None:
            return None
        lo, hi = r
        a = lo + int(np.searchsorted(self.t[lo:hi], first_ns, side="left"))
        b = lo + int(np.searchsorted(self.t[lo:hi], last_ns, side="right"))
        return (a, b) if b > a else None


def _keys(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return np.asarray(lon, dtype=float) + 1j * np.asarray(lat, dtype=float)


def _unwrap_lon(lon: np.ndarray) -> np.ndarray:
    """Longitudes made continuous across the antimeridian (Leaflet draws beyond ±180°)."""
    if len(lon) < 2 or not np.any(np.abs(np.diff(lon)) > 180.0):
        return lon
    return np.rad2deg(np.unwrap(np.deg2rad(lon)))


def _leg_vertices(leg: dict[str, Any], table: _PointTable | None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(lat, lon, times ns or None, times of the positions left out as suspect or None) of a leg."""
    import shapely

    geom = leg.get("geometry")
    coords = shapely.get_coordinates(geom) if geom is not None and not shapely.is_empty(geom) else np.empty((0, 2))
    if table is not None and _present(leg.get("first_seen")) and _present(leg.get("last_seen")):
        first_ns = pd.Timestamp(leg["first_seen"]).value
        last_ns = pd.Timestamp(leg["last_seen"]).value
        rows = table.rows(str(leg["icao24"]), first_ns, last_ns, leg.get("point_start"), leg.get("point_end"))
        if rows is not None:
            a, b = rows
            lat, lon, t = table.lat[a:b], table.lon[a:b], table.t[a:b]
            ok = np.isfinite(lat) & np.isfinite(lon)
            if len(coords) and len(coords) != int(ok.sum()):
                # the leg's geometry leaves out positions flagged as suspect (excursions): keep what it kept
                ok &= np.isin(_keys(lon, lat), _keys(coords[:, 0], coords[:, 1]))
            if not len(coords) or int(ok.sum()) == len(coords):
                return lat[ok], lon[ok], t[ok], t[~ok]
    if len(coords) == 0:
        return np.empty(0), np.empty(0), None, None
    return coords[:, 1].copy(), coords[:, 0].copy(), None, None


def _geometry_gaps(lat: np.ndarray, lon: np.ndarray, *, duration_s: float, max_gap_s: float, gap_s: float) -> np.ndarray:
    """Segments (index i: vertex i → i+1) that stand for a coverage gap, when vertex times are unknown.

    A leg whose longest gap is under ``gap_s`` has none. Otherwise a segment
    is a gap when it is much longer than the leg's typical segment (10× the
    median) and would take longer than ``gap_s`` at the leg's mean speed.
    """
    from flighttrace.geo import haversine_km

    if len(lat) < 2 or not (np.isfinite(max_gap_s) and max_gap_s > gap_s) or not duration_s > 0:
        return np.empty(0, dtype=np.intp)
    seg = np.asarray(haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:]), dtype=float)
    total = float(seg.sum())
    if total <= 0:
        return np.empty(0, dtype=np.intp)
    est_s = duration_s * seg / total
    return np.flatnonzero((seg > 10.0 * float(np.median(seg))) & (est_s > gap_s))


def _simplified(lat: np.ndarray, lon: np.ndarray, *, tolerance_deg: float, budget: int) -> np.ndarray:
    """Indices of the vertices of one seen run kept after Douglas–Peucker and thinning to ``budget``."""
    import shapely

    n = len(lat)
    if n <= 2:
        return np.arange(n)
    keep = np.arange(n)
    if tolerance_deg > 0:
        line = shapely.linestrings(np.column_stack([lon, lat]))
        kept = shapely.get_coordinates(shapely.simplify(line, tolerance_deg, preserve_topology=False))
        # Douglas–Peucker keeps a subsequence of the input vertices: map them back to indices
        keep = np.flatnonzero(np.isin(_keys(lon, lat), _keys(kept[:, 0], kept[:, 1])))
        keep = np.union1d(keep, [0, n - 1])
    budget = max(int(budget), 2)
    if len(keep) > budget:
        pick = np.unique(np.round(np.linspace(0, len(keep) - 1, budget)).astype(np.intp))
        keep = keep[pick]
    return keep


def _track(leg: dict[str, Any], table: _PointTable | None, *, gap_s: float, tolerance_deg: float, max_vertices: int) -> _Track:
    """Split a leg into seen runs and gaps, and simplify each run."""
    lat, lon, t, t_out = _leg_vertices(leg, table)
    lon = _unwrap_lon(lon)
    n = len(lat)
    if n == 0:
        return _Track(runs=[], times=[], located_by="times" if t is not None else "geometry")
    if t is not None:
        breaks = np.flatnonzero(np.diff(t) > gap_s * _NS_PER_S)
        located: Literal["times", "geometry"] = "times"
    else:
        first: Any = leg.get("first_seen")
        last: Any = leg.get("last_seen")
        duration = (pd.Timestamp(last) - pd.Timestamp(first)).total_seconds() if _present(first) and _present(last) else np.nan
        max_gap = float(leg["max_gap_s"]) if _present(leg.get("max_gap_s")) else np.nan
        breaks = _geometry_gaps(lat, lon, duration_s=duration, max_gap_s=max_gap, gap_s=gap_s)
        located = "geometry"
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks + 1, n]
    total_budget = max(int(max_vertices), 2 * len(starts))
    runs: list[np.ndarray] = []
    times: list[np.ndarray | None] = []
    for a, b in zip(starts, ends, strict=True):  # one iteration per seen run (a few per leg)
        budget = max(2, round(total_budget * (b - a) / n))
        keep = a + _simplified(lat[a:b], lon[a:b], tolerance_deg=tolerance_deg, budget=budget)
        runs.append(np.round(np.column_stack([lat[keep], lon[keep]]), _COORD_DECIMALS))
        times.append(t[keep] if t is not None else None)
    gaps = []
    for i in breaks:
        t0 = int(t[i]) if t is not None else None
        t1 = int(t[i + 1]) if t is not None else None
        suspect = int(np.count_nonzero((t_out > t0) & (t_out < t1))) if t is not None and t_out is not None and len(t_out) else 0
        gaps.append(
            {
                "a": (float(np.round(lat[i], _COORD_DECIMALS)), float(np.round(lon[i], _COORD_DECIMALS))),
                "b": (float(np.round(lat[i + 1], _COORD_DECIMALS)), float(np.round(lon[i + 1], _COORD_DECIMALS))),
                "t0": t0,
                "t1": t1,
                "seconds": (t1 - t0) / _NS_PER_S if t0 is not None and t1 is not None else np.nan,
                "suspect": suspect,
            }
        )
    return _Track(runs=runs, times=times, gaps=gaps, located_by=located, n_vertices=int(sum(len(r) for r in runs)))


_CHUNK_ROWS: Final = 50_000  # points handled at once by _tracks: its temporaries, about 120 B per point, stay near 6 MB (a chunk costs ~0.1 ms)


def _mix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser of uint64 values (wrapping arithmetic): a well-spread 64-bit hash."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _position_hash(run: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """A 64-bit hash of (run, lon, lat); ``-0.0`` and ``0.0`` hash alike, as they compare equal."""
    lon_bits = (np.asarray(lon, dtype=np.float64) + 0.0).view(np.uint64)
    lat_bits = (np.asarray(lat, dtype=np.float64) + 0.0).view(np.uint64)
    return _mix64(lon_bits ^ _mix64(lat_bits ^ _mix64(np.asarray(run, dtype=np.int64).view(np.uint64))))


def _same_run_members(run_o: np.ndarray, lon_o: np.ndarray, lat_o: np.ndarray,
                      run_k: np.ndarray, lon_k: np.ndarray, lat_k: np.ndarray) -> np.ndarray | None:
    """Whether each vertex O has a vertex K of the same run at exactly its position (``np.isin`` run by run), in one pass.

    Positions are compared through a 64-bit hash and every hit is checked
    exactly. Returns None in the (astronomically unlikely) case of two
    different K positions with the same hash, which this pass cannot settle.
    """
    h_k = _position_hash(run_k, lon_k, lat_k)
    codes, uniq = pd.factorize(h_k)
    first = np.full(len(uniq), len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    rep = first[codes]
    if not np.array_equal(run_k[rep], run_k) or not np.array_equal(lon_k[rep], lon_k) or not np.array_equal(lat_k[rep], lat_k):
        return None
    pos = pd.Index(uniq).get_indexer(_position_hash(run_o, lon_o, lat_o))
    hit = np.flatnonzero(pos >= 0)
    r = first[pos[hit]]
    exact = (run_k[r] == run_o[hit]) & (lon_k[r] == lon_o[hit]) & (lat_k[r] == lat_o[hit])
    out = np.zeros(len(run_o), dtype=bool)
    out[hit[exact]] = True
    return out


def _fast_legs(sel: pd.DataFrame, table: _PointTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Legs whose rows are ``point_start:point_end`` of ``table`` (checked as :meth:`_PointTable.rows` does): mask, starts, ends."""
    from flighttrace.timeutil import time_ns

    n = len(sel)
    none = (np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
    if n == 0 or not {"point_start", "point_end", "first_seen", "last_seen", "icao24"} <= set(sel.columns):
        return none
    a = pd.to_numeric(sel["point_start"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    b = pd.to_numeric(sel["point_end"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    first = pd.to_datetime(sel["first_seen"], utc=True)
    last = pd.to_datetime(sel["last_seen"], utc=True)
    ok = np.isfinite(a) & np.isfinite(b) & first.notna().to_numpy() & last.notna().to_numpy()
    a = np.where(ok, a, 0).astype(np.int64)
    b = np.where(ok, b, 0).astype(np.int64)
    ok &= (a >= 0) & (a < b) & (b <= table.n)
    code = sel["icao24"].astype(str).map(table.code_of).to_numpy(dtype=np.float64, na_value=np.nan)
    ok &= np.isfinite(code)
    ai, bi = np.where(ok, a, 0), np.where(ok, b - 1, 0)
    f_ns, l_ns = time_ns(first), time_ns(last)
    ok &= (table.code[ai] == code) & (table.code[bi] == code) & (table.t[ai] == f_ns) & (table.t[bi] == l_ns)
    return ok, a, b


def _tracks(sel: pd.DataFrame, recs: list[dict[str, Any]], table: _PointTable | None, *, gap_s: float, tolerance_deg: float,
            max_vertices: int) -> list[_Track]:
    """:func:`_track` of every leg, computed on whole columns for the legs whose points are found in ``table``.

    The points of those legs are taken, split into seen runs, simplified
    (Douglas–Peucker on all runs in one call), mapped back to their rows and
    thinned to each run's budget as whole columns, fifty thousand points at a
    time. The legs that need a closer look (rows not where the leg says,
    positions the leg's geometry left out, a track across the antimeridian,
    no points) go through :func:`_track`, as do all legs without ``table``.
    The tracks are the same either way.
    """
    import shapely

    kw: dict[str, Any] = {"gap_s": gap_s, "tolerance_deg": tolerance_deg, "max_vertices": max_vertices}
    out: list[_Track | None] = [None] * len(recs)
    if table is not None and len(recs):
        fast, a_all, b_all = _fast_legs(sel, table)
        geoms = sel["geometry"].to_numpy() if "geometry" in sel else np.full(len(sel), None, dtype=object)
        n_coords = shapely.get_num_coordinates(geoms).astype(np.int64)
        legs_fast = np.flatnonzero(fast)
        rows = (b_all - a_all)[legs_fast]
        chunk_of = (np.cumsum(rows) - rows) // _CHUNK_ROWS
        for c in np.unique(chunk_of).tolist():  # _CHUNK_ROWS points at a time
            chunk = legs_fast[chunk_of == c]
            for i, tr in zip(chunk.tolist(), _tracks_of_rows(table, a_all[chunk], b_all[chunk], n_coords[chunk], **kw), strict=True):
                out[i] = tr
    return [tr if tr is not None else _track(r, table, **kw) for r, tr in zip(recs, out, strict=True)]


def _tracks_of_rows(table: _PointTable, a: np.ndarray, b: np.ndarray, n_coords: np.ndarray, *, gap_s: float, tolerance_deg: float,
                    max_vertices: int) -> list[_Track | None]:
    """The tracks of legs with rows ``a:b`` of ``table`` (None for a leg :func:`_track` must handle)."""
    import shapely

    n_legs = len(a)
    rows = b - a
    leg = np.repeat(np.arange(n_legs), rows)
    idx = np.arange(len(leg), dtype=np.int64) - np.repeat(np.cumsum(rows) - rows, rows) + np.repeat(a, rows)
    lat, lon, t = table.lat[idx], table.lon[idx], table.t[idx]
    ok = np.isfinite(lat) & np.isfinite(lon)
    n_ok = np.bincount(leg[ok], minlength=n_legs)
    # legs left to _track: positions left out of the geometry, nothing to draw, or a track across the antimeridian
    good = ((n_coords == 0) | (n_coords == n_ok)) & (n_ok > 0)
    out_leg, out_t = leg[~ok], t[~ok]  # times of the positions that cannot be drawn (for the gaps' counts)
    leg, lat, lon, t = leg[ok], lat[ok], lon[ok], t[ok]
    same = leg[1:] == leg[:-1]
    jump = same & (np.abs(np.diff(lon)) > 180.0)
    good[leg[1:][jump]] = False
    v = good[leg]
    leg, lat, lon, t = leg[v], lat[v], lon[v], t[v]
    n = len(leg)
    if n == 0:
        return [None] * n_legs
    # seen runs: split where the aircraft was not seen for more than gap_s
    same = leg[1:] == leg[:-1]
    brk = same & (np.diff(t) > gap_s * _NS_PER_S)
    run_start = np.r_[True, ~same | brk]
    run = np.cumsum(run_start) - 1
    starts = np.flatnonzero(run_start)
    ends = np.r_[starts[1:], n]
    length = ends - starts
    run_leg = leg[starts]
    n_of_leg = np.bincount(leg, minlength=n_legs)
    runs_of_leg = np.bincount(run_leg, minlength=n_legs)
    total_budget = np.maximum(int(max_vertices), 2 * runs_of_leg)[run_leg]
    budget = np.maximum(2, np.rint(total_budget * length / n_of_leg[run_leg]).astype(np.int64))
    # Douglas–Peucker on every run of more than two vertices at once, mapped back to the vertices (np.isin per run)
    pos = np.arange(n) - starts[run]
    keep = np.ones(n, dtype=bool)
    simp = length > 2
    if tolerance_deg > 0 and simp.any():
        sv = simp[run]
        line_of_run = np.cumsum(simp) - 1  # the simplified runs, numbered 0, 1, … as linestrings() wants
        lines = shapely.linestrings(np.column_stack([lon[sv], lat[sv]]), indices=line_of_run[run[sv]])
        kept, which = shapely.get_coordinates(shapely.simplify(lines, tolerance_deg, preserve_topology=False), return_index=True)
        run_ids = np.flatnonzero(simp)[which]
        member = _same_run_members(run[sv], lon[sv], lat[sv], run_ids, kept[:, 0], kept[:, 1])
        if member is None:
            return [None] * n_legs
        keep[sv] = member
        keep |= (pos == 0) | (pos == length[run] - 1)
    # thinning to each run's budget: round(linspace(0, k - 1, budget)) of the k vertices kept, as numpy computes it
    k_run = np.bincount(run[keep], minlength=len(starts))
    over = np.flatnonzero(k_run > budget)
    if len(over):
        rank = np.cumsum(keep) - 1
        first_rank = np.r_[0, np.cumsum(k_run)[:-1]]
        pick_run = np.repeat(over, budget[over])
        j = np.arange(len(pick_run)) - np.repeat(np.cumsum(budget[over]) - budget[over], budget[over])
        step = (k_run[pick_run] - 1).astype(np.float64) / (budget[pick_run] - 1)
        sel_rank = np.rint(j.astype(np.float64) * step).astype(np.int64)
        last = j == budget[pick_run] - 1
        sel_rank[last] = (k_run[pick_run] - 1)[last]
        chosen = np.zeros(int(keep.sum()), dtype=bool)
        chosen[first_rank[pick_run] + sel_rank] = True
        thinned = np.isin(run, over)
        keep[keep & thinned] = chosen[rank[keep & thinned]]
    lat_r = np.round(lat, _COORD_DECIMALS)
    lon_r = np.round(lon, _COORD_DECIMALS)
    gaps_at = np.flatnonzero(brk)
    gap_leg = leg[gaps_at]
    result: list[_Track | None] = [None] * n_legs
    run_bounds = np.r_[0, np.cumsum(runs_of_leg)]
    gap_bounds = np.r_[0, np.cumsum(np.bincount(gap_leg, minlength=n_legs))]
    out_bounds = np.r_[0, np.cumsum(np.bincount(out_leg, minlength=n_legs))]
    kept_idx = np.flatnonzero(keep)
    kept_run_bounds = np.r_[0, np.cumsum(np.bincount(run[kept_idx], minlength=len(starts)))]
    xy = np.column_stack([lat_r[kept_idx], lon_r[kept_idx]])
    tk = t[kept_idx]
    for i in np.flatnonzero(good).tolist():  # one Track per leg, from slices of the columns
        r0, r1 = int(run_bounds[i]), int(run_bounds[i + 1])
        runs = [xy[kept_run_bounds[r] : kept_run_bounds[r + 1]] for r in range(r0, r1)]
        times = [tk[kept_run_bounds[r] : kept_run_bounds[r + 1]] for r in range(r0, r1)]
        t_out = out_t[out_bounds[i] : out_bounds[i + 1]]
        gaps = []
        for g in gaps_at[gap_bounds[i] : gap_bounds[i + 1]].tolist():
            t0, t1 = int(t[g]), int(t[g + 1])
            gaps.append({
                "a": (float(lat_r[g]), float(lon_r[g])),
                "b": (float(lat_r[g + 1]), float(lon_r[g + 1])),
                "t0": t0,
                "t1": t1,
                "seconds": (t1 - t0) / _NS_PER_S,
                "suspect": int(np.count_nonzero((t_out > t0) & (t_out < t1))) if len(t_out) else 0,
            })
        result[i] = _Track(runs=runs, times=times, gaps=gaps, located_by="times", n_vertices=int(sum(len(x) for x in runs)))
    return result


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = list(df.columns)
    return [dict(zip(cols, row, strict=True)) for row in zip(*(df[c].tolist() for c in cols), strict=True)] if len(df) else []


def _select(legs: pd.DataFrame, sorties: pd.DataFrame | None) -> tuple[pd.DataFrame, list[str | None], list[str | None], dict[str, dict[str, Any]]]:
    """The legs to draw, sorted by first_seen, with the sortie id and role (``in``/``out``) of each."""
    if "leg_id" not in legs.columns:
        raise ValueError("legs needs a 'leg_id' column (the output of flighttrace.detect_legs)")
    by_sortie: dict[str, dict[str, Any]] = {}
    role: dict[str, tuple[str, str]] = {}
    if sorties is not None:
        for s in _records(sorties):
            sid = str(s.get("sortie_id"))
            by_sortie[sid] = s
            for col, r in (("in_leg", "in"), ("out_leg", "out")):
                if _present(s.get(col)):
                    role.setdefault(str(s[col]), (sid, r))
        sel = legs[legs["leg_id"].astype(str).isin(role)]
    else:
        sel = legs
    first = sel["first_seen"].to_numpy(dtype="datetime64[ns]") if "first_seen" in sel else np.zeros(len(sel))
    order = np.lexsort((sel["leg_id"].astype(str).to_numpy(), first))
    sel = sel.iloc[order].reset_index(drop=True)
    ids = sel["leg_id"].astype(str).tolist()
    return sel, [role[i][0] if i in role else None for i in ids], [role[i][1] if i in role else None for i in ids], by_sortie

