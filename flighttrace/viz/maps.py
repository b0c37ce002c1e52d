"""Interactive maps of legs and sorties (folium), deterministic and safe to publish.

:func:`map_sorties` draws the legs of sorties (or any legs) on a Leaflet map:

* **Seen track, solid.** Consecutive positions less than ``gap_s`` apart are
  joined by a solid line, simplified (Douglas–Peucker, ``tolerance_deg``) and
  thinned to at most ``max_vertices`` per leg, so that maps stay openable.
* **Coverage gap, dashed.** Where the aircraft was not seen for more than
  ``gap_s``, a dashed straight line joins the last and the next seen
  positions. It marks the gap; it is not the path flown, and nothing is
  interpolated. With ``points`` the gaps are found from the times of the
  positions; without, from the leg geometry (the long straight segments of a
  leg whose ``max_gap_s`` exceeds ``gap_s``), and the tooltip says so.
* **Unseen end, dotted.** When a takeoff or landing was ``inferred`` or
  ``bridged`` (not seen), a dotted line joins the field to the first or last
  seen position, with the reason as tooltip.
* **Airports** of the scenario (labelled) and of every drawn leg's ends.
* **Popups** with registration, callsign, ICAO 24-bit address, leg id, times
  (UTC), origin and destination with their evidence grades and reasons, the
  sortie and its ground time, and the source rows.
* **Layers**: one per event window (or per year), with a layer control; an
  optional time slider.

Every string that came from a data file (callsigns, registrations, reasons,
leg ids, airport and event names …) goes through :func:`escape_html`, which
also neutralises the characters that would end the JavaScript template
literals folium puts popups and tooltips in.

folium writes a random id into every element (branca draws them from
``os.urandom``). :func:`render_map` renders the map, then renames every
element id, in order of first appearance in the page, to
``<content hash><counter>``; :func:`save_map` writes that text. The same map
built in two processes saves to the same bytes.
"""

from __future__ import annotations

import hashlib
import html as _html
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd

from flighttrace.timefmt import fmt_duration, fmt_hm, fmt_time
from flighttrace.viz import GREY, PALETTE

if TYPE_CHECKING:  # pragma: no cover
    import folium
    from branca.element import Element

    from flighttrace.scenario import Scenario

__all__ = [
    "map_sorties",
    "map_disruption",
    "save_map",
    "render_map",
    "escape_html",
    "DEFAULT_GAP_S",
    "DEFAULT_MAX_VERTICES",
    "DEFAULT_TOLERANCE_DEG",
    "SYNTHETIC_BANNER",
]

DEFAULT_GAP_S: Final = 300.0
"""Positions further apart than this (s) are not joined by a solid line."""
DEFAULT_MAX_VERTICES: Final = 300
"""Most vertices drawn per leg, after simplification."""
DEFAULT_TOLERANCE_DEG: Final = 0.002
"""Douglas–Peucker tolerance of the drawn tracks, degrees (about 200 m)."""
SYNTHETIC_BANNER: Final = "SYNTHETIC DATA \u2014 simulated by flighttrace; these are not real flights"
"""Text of the banner on maps made from simulated data."""

_COORD_DECIMALS: Final = 5  # ~1 m: more digits only make the page heavier
_SEEN_WEIGHT: Final = 3
_GAP_DASH: Final = "8 8"
_END_DASH: Final = "1 6"
_OUTSIDE: Final = "~outside"
_POPUP_CSS: Final = (
    "<style>.ft-popup{font:12px sans-serif}table.ft-popup{border-collapse:collapse}"
    ".ft-popup th{text-align:left;vertical-align:top;padding-right:8px;white-space:nowrap}"
    ".leaflet-control-layers-expanded{font:12px sans-serif;max-height:55vh;max-width:290px;overflow:auto;margin-top:48px!important}"
    ".flighttrace-legend{max-width:320px}</style>"
)
_ID_LEN: Final = 32  # hex digits of a branca element id
_NS_PER_S: Final = 1_000_000_000


# --------------------------------------------------------------------------- escaping


def escape_html(value: Any, *, missing: str = "\u2014") -> str:
    """Text that is safe inside HTML and inside a JavaScript template literal.

    Parameters
    ----------
    value
        Any value; ``None``, NaN and NaT become ``missing``.
    missing
        What to show for a missing value (an em dash by default). Not escaped.

    Returns
    -------
    str
        ``html.escape(str(value))`` with, in addition, the backtick, ``$`` and
        backslash as character references (folium embeds popup and tooltip
        HTML in JavaScript template literals, where ```` ` ````, ``${`` and
        ``\\`` are live), and line breaks as spaces. The browser shows the
        original characters as text.

    Examples
    --------
    >>> escape_html("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> escape_html("`${x}`")
    '&#96;&#36;{x}&#96;'
    """
    if value is None:
        return missing
    if not isinstance(value, str):
        try:
            if pd.isna(value):
                return missing
        except (TypeError, ValueError):
            pass
    return _escape_text(str(value))


@lru_cache(maxsize=1 << 16)
def _escape_text(text: str) -> str:
    """:func:`escape_html` of a string (remembered: maps repeat codes, grades and reasons thousands of times)."""
    text = _html.escape(text, quote=True)
    for raw, ref in (("`", "&#96;"), ("$", "&#36;"), ("\\", "&#92;"), ("\u2028", "&#8232;"), ("\u2029", "&#8233;")):
        text = text.replace(raw, ref)
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


# --------------------------------------------------------------------------- tracks


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
        from flighttrace.tracks.segment import sorted_points as _sorted  # the exact order detect_legs' point_start/point_end refer to
        from flighttrace.timeutil import time_ns

        pts = _sorted(points)
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
            self.ranges = {int(c): (int(s), int(e)) for c, s, e in zip(self.code[starts], starts, ends)}

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
    from flighttrace.reference.airports import haversine_km

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
        first, last = leg.get("first_seen"), leg.get("last_seen")
        duration = (pd.Timestamp(last) - pd.Timestamp(first)).total_seconds() if _present(first) and _present(last) else np.nan
        max_gap = float(leg["max_gap_s"]) if _present(leg.get("max_gap_s")) else np.nan
        breaks = _geometry_gaps(lat, lon, duration_s=duration, max_gap_s=max_gap, gap_s=gap_s)
        located = "geometry"
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks + 1, n]
    total_budget = max(int(max_vertices), 2 * len(starts))
    runs: list[np.ndarray] = []
    times: list[np.ndarray | None] = []
    for a, b in zip(starts, ends):  # one iteration per seen run (a few per leg)
        budget = max(2, int(round(total_budget * (b - a) / n)))
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


_CHUNK_ROWS: Final = 2_000_000  # points handled at once by _tracks (bounds its memory: ~60 B per point)


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
    thinned to each run's budget as whole columns, a few million points at a
    time. The legs that need a closer look (rows not where the leg says,
    positions the leg's geometry left out, a track across the antimeridian,
    no points) go through :func:`_track`, as do all legs without ``table``.
    The tracks are the same either way.
    """
    import shapely

    kw = {"gap_s": gap_s, "tolerance_deg": tolerance_deg, "max_vertices": max_vertices}
    out: list[_Track | None] = [None] * len(recs)
    if table is not None and len(recs):
        fast, a_all, b_all = _fast_legs(sel, table)
        geoms = sel["geometry"].to_numpy() if "geometry" in sel else np.full(len(sel), None, dtype=object)
        n_coords = shapely.get_num_coordinates(geoms).astype(np.int64)
        legs_fast = np.flatnonzero(fast)
        rows = (b_all - a_all)[legs_fast]
        chunk_of = (np.cumsum(rows) - rows) // _CHUNK_ROWS
        for c in np.unique(chunk_of).tolist():  # a few million points at a time
            chunk = legs_fast[chunk_of == c]
            for i, tr in zip(chunk.tolist(), _tracks_of_rows(table, a_all[chunk], b_all[chunk], n_coords[chunk], **kw)):
                out[i] = tr
    return [tr if tr is not None else _track(r, table, **kw) for r, tr in zip(recs, out)]


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


def _finite(runs: list[np.ndarray]) -> bool:
    """Whether every vertex of the runs is a finite (lat, lon): then folium need not check them one by one."""
    return all(run.ndim == 2 and run.shape[1] == 2 and bool(np.isfinite(run).all()) for run in runs)


# --------------------------------------------------------------------------- grouping


@dataclass
class _Group:
    key: str
    label: str
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    event_start: pd.Timestamp | None = None
    members: list[int] = field(default_factory=list)
    detail: str = ""

    def html(self) -> str:
        """The label as escaped HTML, with the details as hover text."""
        if not self.detail:
            return escape_html(self.label)
        return f'<span title="{escape_html(self.detail)}">{escape_html(self.label)}</span>'


def _windows(scenario: Scenario | None, events: pd.DataFrame | None, lead: pd.Timedelta, lag: pd.Timedelta) -> pd.DataFrame:
    """Event windows as ``key``, ``name``, ``event_start``, ``start``, ``end`` (UTC, end exclusive), sorted by start."""
    if events is not None and len(events):
        ev = events
        key = ev["event_id"] if "event_id" in ev else ev["id"]
        start = ev["window_start"] if "window_start" in ev else pd.to_datetime(ev["start"], utc=True) - lead
        end = ev["window_end"] if "window_end" in ev else pd.to_datetime(ev["end"], utc=True) + lag
        name = ev["name"] if "name" in ev else key
        ev_start = ev["start"] if "start" in ev else start
    elif scenario is not None and len(scenario.events):
        ev = scenario.events_frame()
        key, name = ev["id"], ev["name"]
        start, end, ev_start = ev["start"] - lead, ev["end"] + lag, ev["start"]
    else:
        return pd.DataFrame(columns=["key", "name", "event_start", "start", "end"])
    out = pd.DataFrame(
        {
            "key": key.astype(str).to_numpy(dtype=object),
            "name": name.astype(str).to_numpy(dtype=object),
            "event_start": pd.to_datetime(ev_start, utc=True).to_numpy(),
            "start": pd.to_datetime(start, utc=True).to_numpy(),
            "end": pd.to_datetime(end, utc=True).to_numpy(),
        }
    )
    for c in ("event_start", "start"):
        out[c] = pd.to_datetime(out[c], utc=True)
    out["end"] = pd.to_datetime(out["end"], utc=True)
    return out.sort_values(["start", "key"], kind="stable").reset_index(drop=True)


def _day_span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    last = end - pd.Timedelta(microseconds=1)
    return f"{start:%d %b %Y} \u2013 {last:%d %b %Y}"


def _groups(ref: pd.Series, sortie_of: list[str | None], layers: str | None, windows: pd.DataFrame) -> tuple[list[_Group], np.ndarray]:
    """Layer groups and the group index of each leg (one group per leg: layers do not duplicate tracks)."""
    n = len(ref)
    if layers == "event" and len(windows):
        t = ref.to_numpy(dtype="datetime64[ns]")
        starts = windows["start"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        ends = windows["end"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        inside = (t[:, None] >= starts[None, :]) & (t[:, None] < ends[None, :])
        first = np.where(inside.any(axis=1), inside.argmax(axis=1), -1)  # the earliest window holding the leg
        groups = [
            _Group(str(k), str(nm), s, e, es)
            for k, nm, s, e, es in zip(windows["key"], windows["name"], windows["start"], windows["end"], windows["event_start"])
        ]
        groups.append(_Group(_OUTSIDE, "Outside the event windows"))
        idx = np.where(first >= 0, first, len(groups) - 1)
    elif layers in ("event", "year"):
        years = ref.dt.year.to_numpy()
        uniq = sorted({int(y) for y in years if y == y})
        groups = [_Group(str(y), str(y)) for y in uniq]
        pos = {y: i for i, y in enumerate(uniq)}
        idx = np.array([pos.get(int(y), 0) if y == y else 0 for y in years], dtype=np.intp)
    elif layers is None:
        groups = [_Group("tracks", "Tracks")]
        idx = np.zeros(n, dtype=np.intp)
    else:
        raise ValueError(f"layers must be 'event', 'year' or None, not {layers!r}")
    for i, g in enumerate(idx):
        groups[int(g)].members.append(i)
    keep = [g for g in groups if g.members]
    remap = {id(g): k for k, g in enumerate(keep)}
    new_idx = np.array([remap[id(groups[int(g)])] for g in idx], dtype=np.intp) if n else np.empty(0, dtype=np.intp)
    for g in keep:
        n_sorties = len({sortie_of[i] for i in g.members if sortie_of[i] is not None})
        n_legs = len(g.members)
        count = f"{n_sorties} sortie{'s' if n_sorties != 1 else ''}" if n_sorties else f"{n_legs} leg{'s' if n_legs != 1 else ''}"
        if g.start is not None and g.end is not None:
            when = g.event_start if g.event_start is not None else g.start
            g.detail = f"Window {_day_span(g.start, g.end)} (UTC days)"
            g.label = f"{when:%b %Y} \u00b7 {g.label} ({count})"
        else:
            g.label = f"{g.label} ({count})"
    return keep, new_idx


# --------------------------------------------------------------------------- popups


def _row_html(rows: list[tuple[str, str]]) -> str:
    """A two-column table; the values must already be escaped."""
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="ft-popup">{body}</table>'


def _end_text(leg: dict[str, Any], end: Literal["origin", "destination"]) -> str:
    code = leg.get(end)
    grade = leg.get(f"{end}_evidence")
    reason = leg.get(f"{end}_reason")
    when = leg.get("takeoff_time" if end == "origin" else "landing_time")
    parts = [f"<b>{escape_html(code, missing='unknown field')}</b>"]
    if _present(when):
        parts.append(f"at {fmt_time(when, seconds=True)}")
    parts.append(f"&mdash; evidence: <b>{escape_html(grade, missing='unknown')}</b>")
    text = " ".join(parts)
    if _present(reason):
        text += f"<br><i>{escape_html(reason)}</i>"
    return text


def _leg_popup(leg: dict[str, Any], sortie: dict[str, Any] | None, role: str | None, track: _Track, fleet_reg: str | None) -> str:
    reg = leg.get("registration")
    if _present(reg):
        reg_text = escape_html(reg)
    else:
        reg_text = f"{escape_html(fleet_reg)} (from the scenario's fleet list)" if fleet_reg else "registration unknown"
    callsigns = leg.get("callsigns") if _present(leg.get("callsigns")) else leg.get("callsign")
    head = f"<b>{reg_text}</b> &middot; {escape_html(callsigns, missing='no callsign')}"
    aircraft = f"ICAO 24-bit address {escape_html(leg.get('icao24'))}"
    if _present(leg.get("typecode")):
        aircraft += f", type {escape_html(leg.get('typecode'))}"
    rows: list[tuple[str, str]] = [
        ("Aircraft", aircraft),
        ("Leg", escape_html(leg.get("leg_id"))),
    ]
    if sortie is not None:
        far = escape_html(sortie.get("far"), missing="the far field")
        what = f"outbound to {far}" if role == "in" else f"return from {far}"
        exact = _present(sortie.get("ground_time_s"))
        gt = sortie.get("ground_time_s") if exact else sortie.get("ground_time_min_s")
        gt_text = ("" if exact else "at least ") + fmt_duration(gt) if _present(gt) else "unknown"
        grade = escape_html(sortie.get("evidence"), missing="unknown")
        text = f"{escape_html(sortie.get('sortie_id'))} ({what}); evidence at {far}: <b>{grade}</b>; ground time {gt_text}"
        if _present(sortie.get("note")):
            text += f"<br><i>{escape_html(sortie.get('note'))}</i>"
        rows.append(("Sortie", text))
    rows += [
        ("First seen", fmt_time(leg.get("first_seen"), seconds=True)),
        ("Last seen", fmt_time(leg.get("last_seen"), seconds=True)),
        ("Took off from", _end_text(leg, "origin")),
        ("Landed at", _end_text(leg, "destination")),
    ]
    gaps = f"longest {fmt_duration(leg.get('max_gap_s'))}"
    if track.gaps:
        gaps += f"; {len(track.gaps)} drawn dashed"
        if track.located_by == "geometry":
            gaps += " (placed from the track's shape: times of positions not given)"
    rows.append(("Not seen", gaps))
    if _present(leg.get("n_points")):
        extra = f"{int(leg['n_points'])} positions"
        if _present(leg.get("n_suspect")) and int(leg["n_suspect"]):
            extra += f", {int(leg['n_suspect'])} flagged as suspect and not drawn"
        if _present(leg.get("mlat_share")):
            extra += f", {float(leg['mlat_share']):.0%} MLAT"
        rows.append(("Data", extra))
    if _present(leg.get("lineage")):
        rows.append(("Source rows", escape_html(leg.get("lineage"))))
    return f'<div class="ft-popup">{head}{_row_html(rows)}</div>'


def _leg_tooltip(leg: dict[str, Any], fleet_reg: str | None) -> str:
    who = leg.get("registration") if _present(leg.get("registration")) else (fleet_reg or leg.get("icao24"))
    first = leg.get("first_seen")
    if isinstance(first, pd.Timestamp) and first.tzinfo is not None:
        day = time.strftime("%Y-%m-%d", time.gmtime(first.value // _NS_PER_S))
    else:
        day = pd.Timestamp(first).tz_convert("UTC").strftime("%Y-%m-%d") if _present(first) else "\u2014"
    return (
        f"{escape_html(who)} {escape_html(leg.get('callsign'), missing='')} &middot; {day} &middot; "
        f"{escape_html(leg.get('origin'), missing='?')} &rarr; {escape_html(leg.get('destination'), missing='?')}"
    )


def _gap_tooltip(gap: dict[str, Any], located_by: str) -> str:
    if located_by == "times":
        text = (
            f"Not seen for {fmt_duration(gap['seconds'])} ({fmt_time(pd.Timestamp(gap['t0'], tz='UTC'), seconds=True)} to "
            f"{fmt_time(pd.Timestamp(gap['t1'], tz='UTC'), seconds=True)})"
        )
        if gap.get("suspect"):
            text += f"; {gap['suspect']} positions in between flagged as suspect (spoofed or garbled), not drawn"
    else:
        text = "Coverage gap (placed from the track's shape; the times of the positions were not given)"
    return text + ". The dashed line joins the last and next seen positions: the path flown is unknown."


# --------------------------------------------------------------------------- overlays


def _overlay(html_text: str, name: str) -> Element:
    """A static HTML block on the page (title, banner, legend); the text must be escaped already.

    The block is finished text (:class:`flighttrace.viz._fastfolium` ``Text``),
    not a :class:`branca.element.Element`, which would compile it as a Jinja
    template: a title or a registration holding ``{{ … }}`` would be evaluated
    (with access to Python objects) and ``{#`` would stop the page rendering.
    """
    from flighttrace.viz._fastfolium import classes

    el = classes().Text(html_text)
    el._name = name
    return el


def _layer(name_html: str, **kwargs: Any) -> folium.FeatureGroup:
    """A :class:`folium.FeatureGroup` named ``name_html`` (escaped HTML), its braces as character references.

    folium writes the layer control's script with the layer names in it and
    then compiles that script as a Jinja template; ``&#123;`` and ``&#125;``
    show as ``{`` and ``}`` in the control, and are no template syntax.
    """
    import folium

    return folium.FeatureGroup(name=name_html.replace("{", "&#123;").replace("}", "&#125;"), **kwargs)


def _banner_html(text: str) -> str:
    return (
        '<div class="flighttrace-synthetic-banner" role="alert" style="position:fixed;top:8px;left:50%;'
        "transform:translateX(-50%);z-index:1001;background:#b00020;color:#fff;font:bold 15px sans-serif;"
        'padding:6px 14px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.4);pointer-events:none">'
        f"{escape_html(text)}</div>"
    )


def _legend_html(entries: list[tuple[str, str]], heading: str, note: str) -> str:
    items = "".join(
        f'<div><span style="display:inline-block;width:22px;height:0;border-top:4px solid {c};vertical-align:middle;margin-right:6px"></span>{label}</div>'
        for c, label in entries
    )
    styles = (
        '<div><span style="display:inline-block;width:22px;border-top:3px solid #333;vertical-align:middle;margin-right:6px"></span>seen track</div>'
        '<div><span style="display:inline-block;width:22px;border-top:3px dashed #333;vertical-align:middle;margin-right:6px"></span>'
        "coverage gap: not seen, path unknown</div>"
        '<div><span style="display:inline-block;width:22px;border-top:3px dotted #333;vertical-align:middle;margin-right:6px"></span>'
        "takeoff / landing not seen (inferred or bridged)</div>"
    )
    return (
        '<div class="flighttrace-legend" style="position:fixed;bottom:26px;right:10px;z-index:1000;background:rgba(255,255,255,.92);'
        'padding:6px 9px;border:1px solid #999;border-radius:4px;font:12px sans-serif;max-height:45%;overflow:auto">'
        f"<b>{heading}</b>{items}<hr style=\"margin:4px 0\">{styles}<div style=\"color:#555;margin-top:3px\">{note}</div></div>"
    )


# --------------------------------------------------------------------------- the map


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = list(df.columns)
    return [dict(zip(cols, row)) for row in zip(*(df[c].tolist() for c in cols))] if len(df) else []


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


def _reference_times(sel: pd.DataFrame, sortie_of: list[str | None], by_sortie: dict[str, dict[str, Any]]) -> pd.Series:
    """The time that places a leg in a period: its sortie's arrival at (else departure from) the far field, else first seen."""
    base = pd.to_datetime(sel["first_seen"], utc=True) if "first_seen" in sel else pd.Series(pd.NaT, index=sel.index, dtype="datetime64[ns, UTC]")
    vals = []
    for i, sid in enumerate(sortie_of):
        t = None
        if sid is not None:
            s = by_sortie[sid]
            t = s.get("arrive_far") if _present(s.get("arrive_far")) else s.get("depart_far")
        vals.append(pd.Timestamp(t) if _present(t) else base.iat[i])
    return pd.to_datetime(pd.Series(vals, index=sel.index, dtype=object), utc=True)


def _airports(codes_scn: set[str], codes_legs: dict[str, int], scenario: Scenario | None) -> list[dict[str, Any]]:
    """Known airports to mark: code, name, lat, lon …, sorted by code; unknown codes are left out."""
    from flighttrace.reference.airports import AirportIndex

    index = scenario.airport_index() if scenario is not None else AirportIndex.default()
    out = []
    for code in sorted(set(codes_scn) | set(codes_legs)):
        try:
            ap = index.get(code)
        except (KeyError, ValueError):
            continue
        if not (np.isfinite(ap.lat) and np.isfinite(ap.lon)):
            continue
        out.append({"code": ap.code, "query": code, "name": ap.name, "iata": ap.iata, "country": ap.country, "lat": ap.lat, "lon": ap.lon,
                    "elevation_ft": ap.elevation_ft, "in_scenario": code in codes_scn, "n_legs": codes_legs.get(code, 0)})
    return out


def map_sorties(
    legs: pd.DataFrame,
    sorties: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
    *,
    points: pd.DataFrame | None = None,
    color_by: Literal["aircraft", "period"] = "aircraft",
    layers: Literal["event", "year"] | None = "event",
    events: pd.DataFrame | None = None,
    window_lead: str | pd.Timedelta = "30D",
    window_lag: str | pd.Timedelta = "15D",
    time_slider: bool = False,
    slider_period: str = "P1D",
    synthetic: bool = False,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    tolerance_deg: float = DEFAULT_TOLERANCE_DEG,
    gap_s: float = DEFAULT_GAP_S,
    title: str | None = None,
    tiles: str | None = "OpenStreetMap",
) -> folium.Map:
    """An interactive map of the legs of sorties: seen tracks, gaps, airports, evidence.

    Parameters
    ----------
    legs
        Legs (:func:`flighttrace.detect_legs`): ``leg_id``, ``icao24``,
        ``first_seen``, ``last_seen``, ``origin`` / ``destination`` with
        ``*_evidence`` and ``*_reason``, ``max_gap_s``, ``geometry``
        (LineString, lon/lat) and, optionally, ``point_start`` /
        ``point_end``, ``registration``, ``callsign``, ``lineage``.
    sorties
        Sorties (:func:`flighttrace.find_sorties`); only their legs
        (``in_leg``, ``out_leg``) are drawn, and popups name the sortie. With
        ``None`` every leg is drawn.
    scenario
        The :class:`~flighttrace.scenario.model.Scenario`: its airports are marked
        and labelled, its events give the layers, its title the page title.
    points
        The Points table the legs were detected from. With it, vertex times
        are known, so coverage gaps are found exactly and the time slider
        moves with the aircraft. Without it, gaps are placed from the leg
        geometry and ``max_gap_s``.
    color_by
        ``"aircraft"``: one colour per ICAO 24-bit address (Okabe–Ito
        palette, cycled beyond eight aircraft); ``"period"``: one colour per
        layer (event window or year).
    layers
        ``"event"``: one layer per event window (the event from
        ``window_lead`` before its start to ``window_lag`` after its end; a
        leg goes to the earliest window holding its sortie's arrival at the
        far field) and one for the rest; falls back to ``"year"`` when there
        are no events. ``"year"``: one layer per UTC year. ``None``: one layer.
    events
        Event windows to use instead of the scenario's: the ``events`` table
        of :class:`flighttrace.Findings` (``event_id``, ``name``,
        ``window_start``, ``window_end``), or a frame with ``id``, ``name``,
        ``start``, ``end`` (then widened by the lead and lag).
    window_lead, window_lag
        Widening of the scenario's events into windows (pandas timedelta
        strings or Timedelta). Defaults 30 days before, 15 days after.
    time_slider
        Add a time slider (Leaflet.TimeDimension): the seen runs and gaps
        appear at their times (with ``points``), or whole at the leg's first
        sighting (without). The static layers are then hidden at opening;
        the layer control shows them.
    slider_period
        Step of the time slider, ISO 8601 duration. Default one day.
    synthetic
        Put a "SYNTHETIC DATA" banner on the map (data from the simulator).
    max_vertices
        Most vertices drawn per leg after simplification. Default 300.
    tolerance_deg
        Douglas–Peucker tolerance, degrees (0 to keep every vertex up to
        ``max_vertices``). Default 0.002° (about 200 m).
    gap_s
        Positions more than this many seconds apart are joined by a dashed
        line, never a solid one. Default 300 s.
    title
        Page title; default from the scenario.
    tiles
        folium tile layer name (``None`` for no base map).

    Returns
    -------
    folium.Map
        Displays inline in Jupyter. Save it with :func:`save_map` for
        byte-identical HTML.

    Examples
    --------
    >>> m = flighttrace.map_sorties(legs, sorties, scenario, points=ds.points, synthetic=ds.synthetic)  # doctest: +SKIP
    >>> save_map(m, "maps/ovda.html")  # doctest: +SKIP
    """
    import folium

    from flighttrace.viz._fastfolium import classes as _fast_classes

    fast = _fast_classes()
    if color_by not in ("aircraft", "period"):
        raise ValueError(f"color_by must be 'aircraft' or 'period', not {color_by!r}")
    if layers not in ("event", "year", None):
        raise ValueError(f"layers must be 'event', 'year' or None, not {layers!r}")
    if gap_s <= 0:
        raise ValueError(f"gap_s must be positive (seconds), not {gap_s!r}")
    lead, lag = pd.Timedelta(window_lead), pd.Timedelta(window_lag)

    sel, sortie_of, role_of, by_sortie = _select(legs, sorties)
    recs = _records(sel)
    table = _PointTable(points) if points is not None and len(recs) else None
    tracks = _tracks(sel, recs, table, gap_s=gap_s, tolerance_deg=tolerance_deg, max_vertices=max_vertices)

    windows = _windows(scenario, events, lead, lag) if layers == "event" else _windows(None, None, lead, lag)
    ref = _reference_times(sel, sortie_of, by_sortie) if len(sel) else pd.Series([], dtype="datetime64[ns, UTC]")
    groups, group_of = _groups(ref, sortie_of, layers, windows)

    # registrations from the scenario's fleet list, for legs whose data carried none
    fleet_reg: dict[str, str] = {}
    if scenario is not None:
        for ac in scenario.fleet.aircraft:
            if ac.hex is not None:
                fleet_reg.setdefault(str(ac.hex).lower(), ac.registration)

    # colours: per aircraft in sorted address order, or per group in time order
    hexes = [str(r.get("icao24")) for r in recs]
    aircraft = sorted(set(hexes))
    ac_colour = {h: PALETTE[i % len(PALETTE)] for i, h in enumerate(aircraft)}
    grp_colour = {g.key: (GREY if g.key == _OUTSIDE else PALETTE[i % len(PALETTE)]) for i, g in enumerate(groups)}
    colour = [ac_colour[h] if color_by == "aircraft" else grp_colour[groups[int(group_of[i])].key] for i, h in enumerate(hexes)]

    # airports: the scenario's, and every drawn leg's ends
    codes_scn = set(scenario.airport_codes()) if scenario is not None else set()
    codes_legs: dict[str, int] = {}
    for r in recs:
        for end in ("origin", "destination"):
            c = r.get(end)
            if _present(c):
                codes_legs[str(c)] = codes_legs.get(str(c), 0) + 1
    airports = _airports(codes_scn, codes_legs, scenario)
    ap_pos = {a["query"]: (a["lat"], a["lon"]) for a in airports} | {a["code"]: (a["lat"], a["lon"]) for a in airports}

    # the view: every drawn vertex and airport
    lats = [run[:, 0] for t in tracks for run in t.runs] + [np.array([a["lat"] for a in airports])]
    lons = [run[:, 1] for t in tracks for run in t.runs] + [np.array([a["lon"] for a in airports])]
    all_lat, all_lon = np.concatenate(lats) if lats else np.empty(0), np.concatenate(lons) if lons else np.empty(0)
    if len(all_lat):
        bounds = [[float(np.nanmin(all_lat)), float(np.nanmin(all_lon))], [float(np.nanmax(all_lat)), float(np.nanmax(all_lon))]]
        center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    else:
        bounds, center = None, [0.0, 0.0]

    m = _map_class()(location=center, zoom_start=5, tiles=tiles, control_scale=True)
    page_title = title if title is not None else (f"{scenario.meta.title} \u2014 sorties map" if scenario is not None else "flighttrace map")
    m.get_root().header.add_child(_overlay(f"<title>{escape_html(page_title)}</title>", "Title"), name="flighttrace_title")
    m.get_root().header.add_child(_overlay(_POPUP_CSS, "Style"), name="flighttrace_style")
    if bounds is not None:
        m.fit_bounds(bounds, padding_top_left=(30, 50), padding_bottom_right=(300, 30))  # room for the layer control

    show_static = not time_slider
    fgs = [_layer(g.html(), overlay=True, show=show_static) for g in groups]
    for fg in fgs:
        m.add_child(fg)

    for i, (r, tr) in enumerate(zip(recs, tracks)):  # one iteration per leg
        if not tr.runs:
            continue
        fg = fgs[int(group_of[i])]
        sid, role = sortie_of[i], role_of[i]
        freg = fleet_reg.get(hexes[i].lower())
        popup = fast.Popup(fast.Html(_leg_popup(r, by_sortie.get(sid) if sid else None, role, tr, freg), script=True), max_width=480)
        runs = [run.tolist() for run in tr.runs if len(run) >= 2]
        dots = [run[0].tolist() for run in tr.runs if len(run) == 1]
        if runs:
            fast.PolyLine(runs if len(runs) > 1 else runs[0], color=colour[i], weight=_SEEN_WEIGHT, opacity=0.9, popup=popup,
                          tooltip=fast.Tooltip(_leg_tooltip(r, freg), sticky=True), validated=_finite(tr.runs)).add_to(fg)
        for d in dots:  # a position seen alone between two gaps
            folium.CircleMarker(d, radius=2, color=colour[i], fill=True, fill_opacity=1.0, weight=1,
                                tooltip=fast.Tooltip(_leg_tooltip(r, freg) + " &middot; a single position seen between gaps")).add_to(fg)
        for gap in tr.gaps:
            fast.PolyLine([list(gap["a"]), list(gap["b"])], color=colour[i], weight=2, opacity=0.85, dash_array=_GAP_DASH,
                            tooltip=fast.Tooltip(_gap_tooltip(gap, tr.located_by), sticky=True)).add_to(fg)
        for end, k in (("origin", 0), ("destination", -1)):
            code, grade = r.get(end), r.get(f"{end}_evidence")
            if _present(code) and grade in ("inferred", "bridged") and str(code) in ap_pos:
                seen = tr.runs[0][0] if k == 0 else tr.runs[-1][-1]
                ap = ap_pos[str(code)]
                pair = [list(ap), seen.tolist()] if k == 0 else [seen.tolist(), list(ap)]
                verb = "Takeoff from" if k == 0 else "Landing at"
                tip = f"{verb} {escape_html(code)} not seen ({escape_html(grade)})"
                if _present(r.get(f"{end}_reason")):
                    tip += f": {escape_html(r.get(f'{end}_reason'))}"
                fast.PolyLine(pair, color=colour[i], weight=2, opacity=0.7, dash_array=_END_DASH,
                                tooltip=fast.Tooltip(tip, sticky=True)).add_to(fg)

    # airports
    from flighttrace.reference.airports import haversine_km

    fg_ap = _layer("Airports", overlay=True, show=True)
    m.add_child(fg_ap)
    placed: list[tuple[float, float, str]] = []
    for a in airports:
        direction = "right"
        if a["in_scenario"]:  # a label next to a near neighbour's goes to the other side
            near = [d for la, lo, d in placed if float(haversine_km(la, lo, a["lat"], a["lon"])) < 60.0]
            direction = "left" if "right" in near else "right"
            placed.append((a["lat"], a["lon"], direction))
        rows = [("Code", escape_html(a["code"]) + (f" / {escape_html(a['iata'])}" if _present(a["iata"]) else "")),
                ("Country", escape_html(a["country"])),
                ("Elevation", f"{a['elevation_ft']:.0f} ft" if _present(a["elevation_ft"]) else "\u2014"),
                ("On this map", ("named in the scenario; " if a["in_scenario"] else "") + f"{a['n_legs']} drawn leg end{'s' if a['n_legs'] != 1 else ''}")]
        html_text = f'<div class="ft-popup"><b>{escape_html(a["name"])}</b>{_row_html(rows)}</div>'
        folium.CircleMarker(
            [round(a["lat"], _COORD_DECIMALS), round(a["lon"], _COORD_DECIMALS)], radius=6 if a["in_scenario"] else 4,
            color="#222222", weight=2, fill=True, fill_color="#ffffff", fill_opacity=1.0,
            popup=fast.Popup(fast.Html(html_text, script=True), max_width=360),
            tooltip=fast.Tooltip(f"{escape_html(a['code'])} {escape_html(a['name'])}" if not a["in_scenario"] else escape_html(a["code"]),
                                   permanent=bool(a["in_scenario"]), direction=direction),
        ).add_to(fg_ap)

    if time_slider and recs:
        m.add_child(_slider(recs, tracks, colour, period=slider_period))

    # legend
    if color_by == "aircraft":
        reg: dict[str, str] = {}
        for r in recs:
            h = str(r.get("icao24"))
            if h not in reg and _present(r.get("registration")):
                reg[h] = str(r.get("registration"))
        reg = {h: reg.get(h) or fleet_reg.get(h.lower(), h) for h in aircraft}
        entries = [(ac_colour[h], f"{escape_html(reg.get(h, h))} ({escape_html(h)})") for h in aircraft]
        heading, note = "Aircraft", "Colours repeat beyond eight aircraft." if len(aircraft) > len(PALETTE) else ""
    else:
        entries = [(grp_colour[g.key], g.html()) for g in groups]
        heading, note = "Period", ""
    if layers == "event" and len(windows) and events is None:
        note += f" Layers: sorties within {lead.days} days before to {lag.days} days after each event (hover a layer for its dates)."
    elif layers == "event" and len(windows):
        note += " Layers: sorties within each event's window (hover a layer for its dates)."
    note = (note.strip() + " " if note.strip() else "") + "Times in popups are UTC."
    m.get_root().html.add_child(_overlay(_legend_html(entries, heading, note), "Legend"), name="flighttrace_legend")
    if synthetic:
        m.get_root().html.add_child(_overlay(_banner_html(SYNTHETIC_BANNER), "Banner"), name="flighttrace_banner")
    folium.LayerControl(collapsed=False).add_to(m)
    return m


_KIND_COLOUR: Final = {"diversion": PALETTE[4], "holding": PALETTE[0], "go_around": PALETTE[3]}


def map_disruption(
    legs: pd.DataFrame,
    disruption: Any,
    scenario: Scenario | None = None,
    *,
    points: pd.DataFrame | None = None,
    synthetic: bool = False,
    focus_only: bool = True,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    tolerance_deg: float = DEFAULT_TOLERANCE_DEG,
    gap_s: float = DEFAULT_GAP_S,
    title: str | None = None,
    tiles: str | None = "OpenStreetMap",
) -> folium.Map:
    """An interactive map of an airport disruption: diverted tracks, holding circles, go-arounds, closures.

    Parameters
    ----------
    legs
        Legs (:func:`flighttrace.detect_legs`), as for :func:`map_sorties`.
    disruption
        The measures (:func:`flighttrace.kinds.disruption.analysis.analyze`).
    scenario
        The scenario: its fields are marked and labelled; its title is the page's.
    points
        The Points table the legs came from (exact coverage gaps).
    synthetic
        Put a "SYNTHETIC DATA" banner on the map.
    focus_only
        Draw only what falls in the disruption window (default); ``False``
        draws the baseline weeks' holdings and go-arounds too.
    max_vertices, tolerance_deg, gap_s
        As for :func:`map_sorties`.
    title
        Page title; default from the scenario.
    tiles
        folium tile layer name (``None`` for no base map).

    Returns
    -------
    folium.Map
        One layer each for the diverted tracks (vermillion), the tracks that
        held (blue), the go-arounds (purple) and the holding circles (the
        centre and mean radius of each circling segment); airports carry
        their closures in their popups. Every string from the data is
        escaped. Save with :func:`save_map` for byte-identical HTML.
    """
    import folium

    from flighttrace.viz._fastfolium import classes as _fast_classes

    fast = _fast_classes()
    if gap_s <= 0:
        raise ValueError(f"gap_s must be positive (seconds), not {gap_s!r}")
    pick = (lambda n: disruption.in_focus(n)) if focus_only else (lambda n: getattr(disruption, n))  # noqa: E731
    div, hold, ga = pick("diversions"), pick("holdings"), pick("go_arounds")
    kind_of: dict[str, str] = {}
    for name, df in (("diversion", div), ("holding", hold), ("go_around", ga)):
        for lid in df["leg_id"].astype(str):
            kind_of.setdefault(lid, name)
    sel = legs[legs["leg_id"].astype(str).isin(kind_of)]
    sel, _, _, _ = _select(sel, None)
    recs = _records(sel)
    table = _PointTable(points) if points is not None and len(recs) else None
    tracks = _tracks(sel, recs, table, gap_s=gap_s, tolerance_deg=tolerance_deg, max_vertices=max_vertices)
    by_leg_div = {str(r["leg_id"]): r for r in _records(div)}
    by_leg_hold: dict[str, list[dict[str, Any]]] = {}
    for r in _records(hold):
        by_leg_hold.setdefault(str(r["leg_id"]), []).append(r)
    by_leg_ga: dict[str, list[dict[str, Any]]] = {}
    for r in _records(ga):
        by_leg_ga.setdefault(str(r["leg_id"]), []).append(r)

    codes_scn = set(scenario.airport_codes()) if scenario is not None else set(disruption.airports)
    codes_legs: dict[str, int] = {}
    for r in recs:
        for end in ("origin", "destination"):
            c = r.get(end)
            if _present(c):
                codes_legs[str(c)] = codes_legs.get(str(c), 0) + 1
    airports = _airports(codes_scn, codes_legs, scenario)
    ap_pos = {a["query"]: (a["lat"], a["lon"]) for a in airports} | {a["code"]: (a["lat"], a["lon"]) for a in airports}
    lats = [run[:, 0] for t in tracks for run in t.runs] + [np.array([a["lat"] for a in airports])]
    lons = [run[:, 1] for t in tracks for run in t.runs] + [np.array([a["lon"] for a in airports])]
    all_lat, all_lon = np.concatenate(lats), np.concatenate(lons)
    if len(all_lat):
        bounds = [[float(np.nanmin(all_lat)), float(np.nanmin(all_lon))], [float(np.nanmax(all_lat)), float(np.nanmax(all_lon))]]
        center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    else:
        bounds, center = None, [0.0, 0.0]
    m = _map_class()(location=center, zoom_start=7, tiles=tiles, control_scale=True)
    page_title = title if title is not None else (f"{scenario.meta.title} \u2014 disruption map" if scenario is not None else "flighttrace disruption map")
    m.get_root().header.add_child(_overlay(f"<title>{escape_html(page_title)}</title>", "Title"), name="flighttrace_title")
    m.get_root().header.add_child(_overlay(_POPUP_CSS, "Style"), name="flighttrace_style")
    if bounds is not None:
        m.fit_bounds(bounds, padding_top_left=(30, 50), padding_bottom_right=(300, 30))
    counts = {"diversion": len(div), "holding": len(hold), "go_around": len(ga)}
    labels = {"diversion": f"Diverted tracks ({counts['diversion']})", "holding": f"Tracks that held ({counts['holding']} holdings)",
              "go_around": f"Go-arounds ({counts['go_around']})"}
    fgs = {k: _layer(escape_html(labels[k]), overlay=True, show=True) for k in _KIND_COLOUR}
    for fg in fgs.values():
        m.add_child(fg)
    for r, tr in zip(recs, tracks):  # one iteration per leg
        if not tr.runs:
            continue
        lid = str(r["leg_id"])
        kind = kind_of[lid]
        colour = _KIND_COLOUR[kind]
        fg = fgs[kind]
        extra: list[tuple[str, str]] = []
        dv = by_leg_div.get(lid)
        if dv is not None:
            where = f"landed at <b>{escape_html(dv.get('landed'))}</b>" if _present(dv.get("landed")) else "turned away; landing not seen"
            extra.append(("Diversion", f"heading for <b>{escape_html(dv.get('intended'))}</b>, {where}; evidence <b>{escape_html(dv.get('grade'))}</b> "
                                       f"({escape_html(dv.get('method'))})<br><i>{escape_html(dv.get('detail'))}</i>"))
        for h in by_leg_hold.get(lid, []):
            extra.append(("Holding", f"{escape_html(h.get('holding_id'))}: {float(h['laps']):.1f} laps, {fmt_hm(h.get('start'))}\u2013{fmt_hm(h.get('end'))} UTC "
                                     f"({fmt_duration(h.get('duration_s'))}) for {escape_html(h.get('airport'))}"))
        for g in by_leg_ga.get(lid, []):
            extra.append(("Go-around", f"at {escape_html(g.get('airport'))}, {fmt_time(g.get('time'), seconds=True)}: down to {float(g['min_agl_ft']):.0f} ft, "
                                       f"then up {float(g['climb_ft']):.0f} ft"))
        html_text = _leg_popup(r, None, None, tr, None) + f'<div class="ft-popup">{_row_html(extra)}</div>'
        popup = fast.Popup(fast.Html(html_text, script=True), max_width=480)
        runs = [run.tolist() for run in tr.runs if len(run) >= 2]
        if runs:
            fast.PolyLine(runs if len(runs) > 1 else runs[0], color=colour, weight=_SEEN_WEIGHT, opacity=0.9, popup=popup,
                          tooltip=fast.Tooltip(_leg_tooltip(r, None), sticky=True), validated=_finite(tr.runs)).add_to(fg)
        for gap in tr.gaps:
            fast.PolyLine([list(gap["a"]), list(gap["b"])], color=colour, weight=2, opacity=0.85, dash_array=_GAP_DASH,
                            tooltip=fast.Tooltip(_gap_tooltip(gap, tr.located_by), sticky=True)).add_to(fg)
        for end, k in (("origin", 0), ("destination", -1)):
            code, grade = r.get(end), r.get(f"{end}_evidence")
            if _present(code) and grade in ("inferred", "bridged") and str(code) in ap_pos:
                seen = tr.runs[0][0] if k == 0 else tr.runs[-1][-1]
                ap = ap_pos[str(code)]
                pair = [list(ap), seen.tolist()] if k == 0 else [seen.tolist(), list(ap)]
                tip = f"{'Takeoff from' if k == 0 else 'Landing at'} {escape_html(code)} not seen ({escape_html(grade)})"
                fast.PolyLine(pair, color=colour, weight=2, opacity=0.7, dash_array=_END_DASH, tooltip=fast.Tooltip(tip, sticky=True)).add_to(fg)
    # go-arounds: a marker at the low pass (the track is drawn in its layer, or in the diversions' when it then diverted)
    for g in _records(ga):
        rows = [("Go-around", f"at {escape_html(g.get('airport'))}, {fmt_time(g.get('time'), seconds=True)}"),
                ("Aircraft", f"{escape_html(g.get('callsign'), missing='no callsign')} ({escape_html(g.get('icao24'))})"),
                ("Low pass", f"{float(g['min_agl_ft']):.0f} ft above the field, {float(g['min_dist_km']):.1f} km from it; then up {float(g['climb_ft']):.0f} ft"),
                ("Then", f"landed at {escape_html(g.get('landed'), missing='no field named')}"),
                ("Leg", escape_html(g.get("leg_id"))), ("Source rows", escape_html(g.get("lineage")))]
        folium.CircleMarker([round(float(g["lat"]), _COORD_DECIMALS), round(float(g["lon"]), _COORD_DECIMALS)], radius=6,
                            color=_KIND_COLOUR["go_around"], weight=3, fill=True, fill_opacity=0.6,
                            popup=fast.Popup(fast.Html(f'<div class="ft-popup">{_row_html(rows)}</div>', script=True), max_width=420),
                            tooltip=fast.Tooltip(f"Go-around at {escape_html(g.get('airport'))} ({escape_html(g.get('callsign'), missing='')})")).add_to(fgs["go_around"])
    # holding circles
    fg_c = _layer(escape_html(f"Holding circles ({len(hold)})"), overlay=True, show=True)
    m.add_child(fg_c)
    for h in _records(hold):
        rows = [("Holding", escape_html(h.get("holding_id"))), ("Aircraft", f"{escape_html(h.get('callsign'), missing='no callsign')} "
                f"({escape_html(h.get('icao24'))})"), ("For", escape_html(h.get("airport"), missing="no field within range")),
                ("Time", f"{fmt_time(h.get('start'), seconds=True)} \u2013 {fmt_hm(h.get('end'))} UTC ({fmt_duration(h.get('duration_s'))})"),
                ("Turns", f"{float(h['laps']):.1f} laps ({escape_html(h.get('direction'))}), radius {float(h['radius_km']):.1f} km"),
                ("Altitude", f"{float(h['alt_min_ft']):,.0f}\u2013{float(h['alt_max_ft']):,.0f} ft"),
                ("Leg", escape_html(h.get("leg_id"))), ("Source rows", escape_html(h.get("lineage")))]
        folium.Circle([round(float(h["lat"]), _COORD_DECIMALS), round(float(h["lon"]), _COORD_DECIMALS)], radius=max(float(h["radius_km"]), 1.0) * 1000.0,
                      color=PALETTE[0], weight=2, fill=True, fill_opacity=0.12,
                      popup=fast.Popup(fast.Html(f'<div class="ft-popup">{_row_html(rows)}</div>', script=True), max_width=420),
                      tooltip=fast.Tooltip(f"{escape_html(h.get('holding_id'))} {escape_html(h.get('callsign'), missing='')} "
                                             f"holding for {escape_html(h.get('airport'), missing='?')}")).add_to(fg_c)
    # airports, with their closures
    fg_ap = _layer("Airports (closures in the popups)", overlay=True, show=True)
    m.add_child(fg_ap)
    cl = disruption.closures
    from flighttrace.reference.airports import haversine_km

    placed: list[tuple[float, float, str]] = []
    for a in airports:
        near = [d for la, lo, d in placed if float(haversine_km(la, lo, a["lat"], a["lon"])) < 60.0]
        direction = "left" if "right" in near else "right"
        placed.append((a["lat"], a["lon"], direction))
        mine = cl[cl["airport"] == a["code"]] if len(cl) else cl
        closed = "; ".join(f"{fmt_hm(c.start)}\u2013{fmt_hm(c.end)} UTC (start {fmt_hm(c.start_earliest)}\u2013{fmt_hm(c.start_latest)}, "
                           f"end {fmt_hm(c.end_earliest)}\u2013{fmt_hm(c.end_latest)})" for c in mine.itertuples()) if len(mine) else "no closure found"
        n_div = int((div["intended"] == a["code"]).sum()) if len(div) else 0
        n_hold = int((hold["airport"] == a["code"]).sum()) if len(hold) else 0
        rows = [("Code", escape_html(a["code"]) + (f" / {escape_html(a['iata'])}" if _present(a["iata"]) else "")),
                ("Closed", escape_html(closed) if a["code"] in disruption.airports else "not watched"),
                ("Diverted away", str(n_div)), ("Held for it", str(n_hold))]
        html_text = f'<div class="ft-popup"><b>{escape_html(a["name"])}</b>{_row_html(rows)}</div>'
        folium.CircleMarker([round(a["lat"], _COORD_DECIMALS), round(a["lon"], _COORD_DECIMALS)], radius=7 if len(mine) else 5,
                            color=PALETTE[4] if len(mine) else "#222222", weight=2, fill=True, fill_color="#ffffff", fill_opacity=1.0,
                            popup=fast.Popup(fast.Html(html_text, script=True), max_width=380),
                            tooltip=fast.Tooltip(escape_html(a["code"]) + (" (closed)" if len(mine) else ""), permanent=bool(a["in_scenario"]),
                                                   direction=direction)).add_to(fg_ap)
    entries = [(_KIND_COLOUR[k], escape_html(labels[k])) for k in _KIND_COLOUR]
    entries.append((PALETTE[0], escape_html(f"Holding circle: centre and mean radius ({len(hold)})")))
    note = ("Airports circled red closed in the window (times in their popups); purple dots mark go-arounds. A track that held "
            "and then diverted is drawn with the diversions. Times are UTC.")
    m.get_root().html.add_child(_overlay(_legend_html(entries, "Disruption", escape_html(note)), "Legend"), name="flighttrace_legend")
    if synthetic:
        m.get_root().html.add_child(_overlay(_banner_html(SYNTHETIC_BANNER), "Banner"), name="flighttrace_banner")
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _slider(recs: list[dict[str, Any]], tracks: list[_Track], colour: list[str], *, period: str) -> Element:
    """A TimestampedGeoJson of the seen runs and gaps (no text from the data goes in it)."""
    from folium.plugins import TimestampedGeoJson

    features = []
    for r, tr, c in zip(recs, tracks, colour):
        first = pd.Timestamp(r["first_seen"]).value // 1_000_000 if _present(r.get("first_seen")) else 0
        for run, times in zip(tr.runs, tr.times):
            if len(run) < 2:
                continue
            ms = (times // 1_000_000).tolist() if times is not None else [first] * len(run)
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": run[:, ::-1].tolist()},
                             "properties": {"times": ms, "style": {"color": c, "weight": _SEEN_WEIGHT, "opacity": 0.9}}})
        for gap in tr.gaps:
            ms = [gap["t0"] // 1_000_000, gap["t1"] // 1_000_000] if gap["t0"] is not None else [first, first]
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[gap["a"][1], gap["a"][0]], [gap["b"][1], gap["b"][0]]]},
                             "properties": {"times": ms, "style": {"color": c, "weight": 2, "opacity": 0.85, "dashArray": _GAP_DASH}}})
    return TimestampedGeoJson({"type": "FeatureCollection", "features": features}, period=period, add_last_point=False, auto_play=False,
                              loop=False, date_options="YYYY-MM-DD HH:mm [UTC]", transition_time=100)


# --------------------------------------------------------------------------- deterministic HTML

_MAP_CLASS: type | None = None


def _map_class() -> type[folium.Map]:
    """The :class:`folium.Map` subclass :func:`map_sorties` returns (made on first use: folium loads lazily)."""
    global _MAP_CLASS
    if _MAP_CLASS is None:
        import folium

        class SortieMap(folium.Map):  # type: ignore[misc]
            """A :class:`folium.Map` that is never changed by being shown or saved.

            Jupyter's inline display and :meth:`save` render it and put its
            page back as it was (:func:`render_map`), so the map can be shown, saved and shown
            again with the same page each time; :meth:`save` writes the
            deterministic HTML of :func:`save_map`.
            """

            def _repr_html_(self, **kwargs: Any) -> str:
                with _clean_page(self) as (root, _):
                    return str(root._repr_html_(**kwargs))

            def save(self, outfile: Any, close_file: bool = True, **kwargs: Any) -> None:
                if hasattr(outfile, "write"):
                    data = render_map(self).encode("utf-8")
                    try:
                        outfile.write(data)
                    except TypeError:
                        outfile.write(data.decode("utf-8"))
                    if close_file:
                        outfile.close()
                else:
                    save_map(self, outfile)

        SortieMap.__module__ = __name__
        SortieMap.__qualname__ = "SortieMap"
        globals()["SortieMap"] = SortieMap
        _MAP_CLASS = SortieMap
    return _MAP_CLASS



def _walk(root: Element) -> Iterator[Element]:
    """Every element reachable from ``root`` (children, and elements held as attributes), once each."""
    from branca.element import Element

    seen: set[int] = set()
    stack: list[Any] = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        el = pop()
        if id(el) in seen:
            continue
        seen.add(id(el))
        yield el
        attrs = el.__dict__
        children = attrs.get("_children")
        if children:
            extend(children.values())
        for k, v in attrs.items():
            if isinstance(v, Element) and k != "_parent":
                push(v)


def _tree_ids(root: Element) -> set[str]:
    """The ``_id`` of every element reachable from ``root``."""
    return {str(getattr(el, "_id", "")) for el in _walk(root)} - {""}


_RENDERED_KEY: Final = re.compile(r"^[a-z0-9_]+_[0-9a-f]{32}$")


@contextmanager
def _clean_page(m: folium.Map) -> Iterator[tuple[Element, set[str]]]:
    """The map's page, rid of the leftovers of earlier renders, for one render; restored on exit.

    folium 0.20 is not idempotent: each render of a shown layer (or of a
    marker's icon) adds a helper element with a new random name, and the
    helper's script stays in the page, so a map rendered twice (displayed in
    Jupyter, then saved) would carry duplicate statements. Inside the block
    the helpers and every script left by an element that is no longer in the
    map are gone; the render puts back exactly one of each. The block gets
    the page and the ids of its elements before the render. On exit every
    element of the page gets back its attributes and children as they were
    (a render only adds children and resets attributes), so the user's map
    is not changed. This replaces a deep copy of the page, which took longer
    than the render itself on maps of thousands of tracks.
    """
    from folium.elements import ElementAddToElement
    from folium.map import Marker

    root = m.get_root()
    saved = [(el, dict(vars(el)), dict(el._children) if isinstance(getattr(el, "_children", None), dict) else None) for el in _walk(root)]
    try:
        helpers = (ElementAddToElement, Marker.SetIcon)
        helper_names: set[str] = set()
        for el, _, children in saved:
            if children:
                for key in [k for k, c in children.items() if isinstance(c, helpers)]:
                    helper_names.add(children[key].get_name())
                    del el._children[key]
        boxes = [box for box in (getattr(root, b, None) for b in ("header", "html", "script")) if box is not None]
        rendered = [(box, key) for box in boxes for key in box._children if key in helper_names or _RENDERED_KEY.match(key)]
        if rendered:  # only on a page folium itself rendered before: name every element once
            names = {el.get_name() for el in _walk(root)}
            for box, key in rendered:
                if key in helper_names or key not in names:
                    del box._children[key]
        yield root, {str(el._id) for el, _, _ in saved if getattr(el, "_id", "")}
    finally:
        for el, attrs, children in saved:
            el.__dict__.clear()
            el.__dict__.update(attrs)
            if children is not None:
                el._children.clear()
                el._children.update(children)


def _split_ids(text: str) -> list[str]:
    """``text`` cut around every id-like token: ``[text, token, text, token, …, text]``.

    A token is a run of exactly 32 lower-case hex digits with no hex digit
    on either side: what ``re.split(r"(?<![0-9a-f])([0-9a-f]{32})(?![0-9a-f])",
    text)`` gives, found with numpy on the UTF-8 bytes (hex digits are
    ASCII, and no byte of a longer character is one), ten times faster than
    the regular expression on pages of tens of megabytes.
    """
    data = text.encode("utf-8")
    if not data:
        return [text]
    lut = np.zeros(256, dtype=bool)
    lut[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = True
    is_hex = lut[np.frombuffer(data, dtype=np.uint8)]
    bounds = np.r_[0, np.flatnonzero(is_hex[1:] != is_hex[:-1]) + 1, len(data)]  # runs of hex and of other bytes, alternating
    starts, lengths = bounds[:-1], np.diff(bounds)
    exact = is_hex[starts] & (lengths == _ID_LEN)
    cuts = np.column_stack([starts[exact], starts[exact] + _ID_LEN]).ravel().tolist()
    bounds = [0, *cuts, len(data)]
    return [data[a:z].decode("utf-8") for a, z in pairwise(bounds)]


def render_map(m: folium.Map) -> str:
    """The map's HTML page, with every element id made deterministic.

    Parameters
    ----------
    m
        A folium map (from :func:`map_sorties` or any other).

    Returns
    -------
    str
        The page. Each random element id (32 hex digits, from branca's
        ``urandom``) is replaced, in order of first appearance, by
        ``<h><n>``: ``h``, 8 hex digits of the SHA-256 of the page with
        every id blanked (different maps get different ids, so two maps can
        share a page), and ``n`` a 24-digit hexadecimal counter. The result
        depends only on what is drawn. The map itself is not changed (its
        page is put back as it was after the render), so rendering again, or
        after a display in Jupyter, gives the same text.
    """
    with _clean_page(m) as (root, ids):
        text = root.render()
        parts = _split_ids(text)
        tokens = parts[1::2]
        if not ids.issuperset(tokens):  # a token that is no element of the page before the render: look among those it made
            ids |= _tree_ids(root)
    ids.discard("")
    parts[1::2] = ["0" * 32 if tok in ids else tok for tok in tokens]
    prefix = hashlib.sha256("".join(parts).encode("utf-8")).hexdigest()[:8]
    mapping: dict[str, str] = {}
    for tok in tokens:  # in order of first appearance
        if tok in ids and tok not in mapping:
            mapping[tok] = f"{prefix}{len(mapping):024x}"
    parts[1::2] = [mapping.get(tok, tok) for tok in tokens]
    return "".join(parts)


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write a map as a standalone HTML page, byte-identical from run to run.

    Parameters
    ----------
    m
        The map.
    path
        Output file (``.html``); parent folders are created.

    Returns
    -------
    pathlib.Path
        The file written (UTF-8, ``\\n`` line ends).
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(render_map(m).encode("utf-8"))
    return p
