"""What the data could have seen: coverage per hour and gate, and the fleet's own visibility.

A verdict drawn from absence ("only 2 landings were found, 6 were claimed")
is worth something only where receivers were listening at that place, height
and hour, and the aircraft was broadcasting. This module measures both, hour
by hour, from the inputs themselves.

Gates
-----
A **gate** is a piece of airspace where a claim's events would be heard:

- the **terminal area** of each scenario airport: within
  ``terminal_radius_km`` of its reference point and at most
  ``terminal_height_ft`` above its elevation (or reported on the ground);
  a landing or take-off can be named only from positions there;
- the **corridor** between two groups of fields (the consecutive stops of a
  route, the ``from`` / ``to`` and ``airport`` of a claim): every position
  whose distances to a field of each group add up to at most
  ``corridor_detour`` times the distance between the two fields (an ellipse
  with the fields as foci; a detour of 1.5 holds the reported routes from
  Baku to Ovda round Iran).

Any aircraft heard in a gate shows that a receiver listened there. A gate is
**heard** in a clock hour (UTC) when some position of some aircraft lies in it
in that hour, in a source that records all traffic (per-flight exports such as
FlightRadar24 CSV/KML files hold only the flights someone chose, so they are
left out: ``export_sources``). A gate is **covered** in an hour when the
archive has data for that hour (its day is covered and some input file spans
the hour) and the gate was heard in that hour or between two hours it was
heard in that lie at most ``gate_fill_h`` apart (a receiver heard at 09:00 and
at 15:00 was taken to listen in between; nothing is assumed across a longer
silence).

The fleet
---------
The fleet of a claim is **visible** in an hour when one of its aircraft was
heard anywhere in the inputs in that hour, or between two such hours at most
``fleet_fill_h`` apart. A longer silence is a stretch when the fleet may have
flown with its transponders off: nothing in the data can tell a parked
aircraft from one flying unheard.

The detection probability
-------------------------
``p_detect`` of a claim is the share of its window's hours (a partial hour
counts by its share) in which every one of its gates was covered and its
fleet was visible: the probability that one event the claim speaks of, at a
time in the window taken at random, would have been heard. Without positions
(a coverage table and legs only) the gates are taken as covered on every
covered day and the fleet is visible over the spans of its legs (the same
``fleet_fill_h`` rule). The full rules, with worked examples, are in
``docs/verdicts.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.schema import TIME_DTYPE
from flighttrace.timeutil import from_ns, time_ns

__all__ = [
    "FLEET_COLUMNS",
    "GATE_COLUMNS",
    "HOUR_NS",
    "FleetArrays",
    "Gate",
    "Visibility",
    "VisibilityParams",
    "archive_hours",
    "build_visibility",
    "corridor_gate",
    "fill_gaps",
    "fleet_heard",
    "fleet_hours",
    "fleet_how",
    "fleet_table",
    "heard_table",
    "sorted_codes",
    "terminal_gate",
]

HOUR_NS: Final = 3600 * 10**9
_EARTH_KM: Final = 6371.0088

GATE_COLUMNS: Final[tuple[str, ...]] = ("gate", "kind", "source", "positions", "hour", "n_points", "n_aircraft")
"""Columns of the ``gates`` table: one row per gate, source, kind of position (``adsb``, ``mlat``, ``other``,
``unknown``) and clock hour (UTC) in which something was heard there."""

_POS_CLASSES: Final = ("adsb", "mlat", "other", "unknown")

FLEET_COLUMNS: Final[tuple[str, ...]] = (
    "claim_id", "fleet", "icao24", "registration", "heard_in_window", "heard_before", "heard_after", "first_heard", "last_heard",
    "n_points", "how", "callsigns", "squawks",
)
"""Columns of the ``fleet_visibility`` table: per claim, each fleet aircraft heard in or around its window."""


@dataclass(frozen=True)
class VisibilityParams:
    """Thresholds of the gates and of the fleet's visibility, each with its unit.

    Parameters
    ----------
    terminal_radius_km
        Radius of an airport's terminal gate around its reference point (km).
        Default 20 km.
    terminal_height_ft
        Top of the terminal gate above the field's elevation (ft). Default
        3,000 ft. A position heard inside the gate is low and near enough to
        name a landing or take-off itself (an end at height h is ``inferred``
        within 8 km + 5 km per 1,000 ft: 23 km at 3,000 ft;
        :class:`flighttrace.tracks.legs.LegParams`), so a receiver that heard
        it would have heard the fleet's end too; traffic heard only higher up
        shows nothing of the low airspace where ends are named.
    corridor_detour
        A position is in the corridor between fields A and B when
        ``d(A, p) + d(p, B) ≤ corridor_detour × d(A, B)`` (ratio). Default 1.5.
    gate_fill_h
        A gate silent between two hours it was heard in, at most this many
        hours apart, is taken as covered in between (h). Default 12 h.
    fleet_fill_h
        The fleet is taken as broadcasting between two hours it was heard in
        at most this many hours apart (h). Default 48 h.
    fleet_margin_h
        "Around the window": the fleet must be heard inside the window or
        within this many hours of it before a verdict is drawn from its
        absence (h). Default 48 h.
    export_sources
        Source formats that hold only chosen flights (their absence of other
        traffic says nothing); left out of the gates. Default the
        FlightRadar24 exports (CSV, KML, playback JSON) and OpenSky's track
        of one aircraft.
    per_aircraft_sources
        Source formats whose files hold one aircraft each (readsb traces and
        the exports): their files do not tell which hours the archive holds.
    chunk_points
        Positions measured against the gates at a time (rows), so that
        memory stays bounded on large inputs. Default 2,000,000.
    """

    terminal_radius_km: float = 20.0
    terminal_height_ft: float = 3000.0
    corridor_detour: float = 1.5
    gate_fill_h: float = 12.0
    fleet_fill_h: float = 48.0
    fleet_margin_h: float = 48.0
    export_sources: tuple[str, ...] = ("fr24_csv", "fr24_kml", "fr24_json", "opensky_tracks")
    per_aircraft_sources: tuple[str, ...] = ("readsb_trace", "opensky_tracks", "fr24_json", "fr24_csv", "fr24_kml")
    chunk_points: int = 2_000_000


@dataclass(frozen=True)
class Gate:
    """A gate: ``id`` (``LLOV`` or ``UBBB–LLOV``), ``kind`` (terminal / corridor), its fields, and its name in words."""

    id: str
    kind: str
    ends: tuple[tuple[str, ...], ...]
    label: str


def terminal_gate(code: str, params: VisibilityParams) -> Gate:
    """The terminal gate of one field."""
    return Gate(code, "terminal", ((code,),), f"over {code} below {params.terminal_height_ft:,.0f} ft (within {params.terminal_radius_km:g} km)")


def corridor_gate(a: frozenset[str] | tuple[str, ...], b: frozenset[str] | tuple[str, ...], names: tuple[str, str], params: VisibilityParams) -> Gate:
    """The corridor gate between two groups of fields (``names`` are the groups' names, used in its id)."""
    return Gate(f"{names[0]}–{names[1]}", "corridor", (tuple(sorted(a)), tuple(sorted(b))),
                f"between {names[0]} and {names[1]} (detour at most {params.corridor_detour:g}×)")


# ---------------------------------------------------------------------------------------
# what was heard where


def _dist_km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float, *, rad: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Great-circle km from each position to one point; ``rad``: ``lat`` in radians and its cosine, when kept already."""
    p1, cos_p1 = rad if rad is not None else (np.radians(lat), None)
    p2 = np.radians(lat0)
    # sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2), each step in place (the same operations in the same order: the same bits)
    a = np.subtract(p2, p1)
    a /= 2
    np.square(np.sin(a, out=a), out=a)
    b = np.radians(np.subtract(lon0, lon))
    b /= 2
    np.square(np.sin(b, out=b), out=b)
    c = (np.cos(p1) if cos_p1 is None else cos_p1) * np.cos(p2)
    c *= b
    a += c
    np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0, out=a), out=a), out=a)
    a *= 2 * _EARTH_KM
    return a


_ROUGH_MAX_KM: Final = 15_000.0
"""Distances below which single-precision haversine is within metres of double precision (well short of antipodes)."""
_ROUGH_MARGIN_KM: Final = 1.0
"""A corridor test decided in single precision only this far (km) from the ellipse's edge: a hundred times its error."""


class _Distances:
    """Distances (km) of every position to the gates' fields, each computed once (a bounding band first when asked)."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray, pos: pd.DataFrame) -> None:
        self.lat, self.lon, self.pos = lat, lon, pos
        self._full: dict[str, np.ndarray] = {}
        self._rad: tuple[np.ndarray, np.ndarray] | None = None
        self._pairs: dict[tuple[str, str], np.ndarray] = {}
        self._rough: dict[str, np.ndarray] = {}
        self._rad32: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def at(self, code: str, col: str) -> float:
        return float(self.pos.at[code, col])  # type: ignore[arg-type]

    def full(self, code: str) -> np.ndarray:
        if code not in self._full:
            if self._rad is None:  # the positions' latitudes in radians and their cosines, shared by every field
                p1 = np.radians(self.lat)
                self._rad = (p1, np.cos(p1))
            self._full[code] = _dist_km(self.lat, self.lon, self.at(code, "lat"), self.at(code, "lon"), rad=self._rad)
        return self._full[code]

    def between(self, a: str, b: str) -> float:
        return float(_dist_km(np.array([self.at(a, "lat")]), np.array([self.at(a, "lon")]), self.at(b, "lat"), self.at(b, "lon"))[0])

    def rough(self, code: str) -> np.ndarray:
        """:meth:`full` in single precision (within metres of it below :data:`_ROUGH_MAX_KM`; about ten times faster)."""
        if code not in self._rough:
            if self._rad32 is None:
                lat32 = self.lat.astype(np.float32)
                p1 = np.radians(lat32)
                self._rad32 = (lat32, self.lon.astype(np.float32), p1, np.cos(p1))
            lat32, lon32, p1, cos_p1 = self._rad32
            p2, lam = np.float32(np.radians(self.at(code, "lat"))), np.float32(self.at(code, "lon"))
            a = np.sin((p2 - p1) / np.float32(2)) ** 2 + cos_p1 * np.cos(p2) * np.sin(np.radians(lam - lon32) / np.float32(2)) ** 2
            self._rough[code] = np.float32(2 * _EARTH_KM) * np.arcsin(np.sqrt(np.clip(a, np.float32(0), np.float32(1))))
        return self._rough[code]

    def exact(self, code: str, idx: np.ndarray) -> np.ndarray:
        """:meth:`full` of the positions ``idx`` only (the same values)."""
        p1 = np.radians(self.lat[idx])
        return _dist_km(self.lat[idx], self.lon[idx], self.at(code, "lat"), self.at(code, "lon"), rad=(p1, np.cos(p1)))

    def ellipse(self, a: str, b: str, detour: float) -> np.ndarray:
        """Positions whose distances to fields ``a`` and ``b`` add up to at most ``detour`` times theirs (each pair once:
        corridors of overlapping groups share pairs).

        Single-precision distances decide every position farther than :data:`_ROUGH_MARGIN_KM` from the edge (their
        error is a few metres); the others, few, are decided with the double-precision distances of :meth:`full`.
        """
        if (a, b) not in self._pairs:
            limit = detour * self.between(a, b)
            ra, rb = self.rough(a), self.rough(b)
            total = ra.astype(float) + rb
            sure = (ra < _ROUGH_MAX_KM) & (rb < _ROUGH_MAX_KM) & (np.abs(total - limit) > _ROUGH_MARGIN_KM)
            inside = sure & (total <= limit)
            edge = np.flatnonzero(~sure)
            inside[edge] = self.exact(a, edge) + self.exact(b, edge) <= limit
            self._pairs[(a, b)] = inside
        return self._pairs[(a, b)]


def _in_gate(g: Gate, dist: _Distances, alt: np.ndarray, ground: np.ndarray, params: VisibilityParams) -> np.ndarray:
    """Which positions lie in a gate."""
    if g.kind == "terminal":
        code = g.ends[0][0]
        lat0, lon0, elev = dist.at(code, "lat"), dist.at(code, "lon"), dist.at(code, "elevation_ft")
        idx = np.flatnonzero(np.abs(dist.lat - lat0) <= params.terminal_radius_km / 111.0)
        out = np.zeros(len(dist.lat), dtype=bool)
        elev = 0.0 if np.isnan(elev) else elev
        with np.errstate(invalid="ignore"):
            low = (alt[idx] - elev <= params.terminal_height_ft) | ground[idx]
        out[idx] = (_dist_km(dist.lat[idx], dist.lon[idx], lat0, lon0) <= params.terminal_radius_km) & low
        return out
    out = np.zeros(len(dist.lat), dtype=bool)
    for a in g.ends[0]:  # one pass per pair of fields, vectorised over the positions
        for b in g.ends[1]:
            if a != b:
                out |= dist.ellipse(a, b, params.corridor_detour)
    return out


def _empty_heard() -> pd.DataFrame:
    return pd.DataFrame({
        "gate": pd.Series([], dtype=object), "kind": pd.Series([], dtype=object), "source": pd.Series([], dtype=object),
        "positions": pd.Series([], dtype=object), "hour": pd.Series([], dtype=TIME_DTYPE), "n_points": pd.Series([], dtype=np.int64), "n_aircraft": pd.Series([], dtype=np.int64),
    })


def heard_table(points: pd.DataFrame, gates: list[Gate], index: Any, params: VisibilityParams) -> pd.DataFrame:
    """Per gate, source and clock hour: the positions and distinct aircraft heard there (only hours with something heard).

    Parameters
    ----------
    points
        The Points table.
    gates
        The gates to measure.
    index
        An :class:`flighttrace.reference.airports.AirportIndex` holding the gates' fields.
    params
        :class:`VisibilityParams`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GATE_COLUMNS`, sorted by gate, hour and source. Every
        source is listed, exports too (the coverage leaves those out).
    """
    if len(points) == 0 or not gates:
        return _empty_heard()
    codes = sorted({c for g in gates for end in g.ends for c in end})
    pos = index.positions(codes).set_index("query")
    src = points["source"] if "source" in points else pd.Series(["unknown"] * len(points))
    s_codes, s_names = _factor(src)
    ps = points["position_source"] if "position_source" in points else pd.Series(["unknown"] * len(points))
    p_codes, p_names = _factor(ps)
    cls = np.array([_POS_CLASSES.index(x) if x in _POS_CLASSES else 3 for x in p_names], dtype=np.int64)
    pcls = np.where(p_codes >= 0, cls[np.maximum(p_codes, 0)] if len(cls) else 3, 3)
    # a source and position class per key: (source code × 4 + class)
    s_names = np.append(s_names, "unknown")
    s_codes = np.where(s_codes >= 0, s_codes, len(s_names) - 1) * 4 + pcls
    a_codes = np.maximum(_factor(points["icao24"])[0], 0).astype(np.int64)
    n_src, n_ac = max(len(s_names), 1) * 4, int(a_codes.max(initial=0)) + 1
    keys: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {g.id: [] for g in gates}
    pairs: dict[str, list[np.ndarray]] = {g.id: [] for g in gates}
    for lo in range(0, len(points), params.chunk_points):  # one pass per chunk of positions: memory stays bounded
        part = points.iloc[lo:lo + params.chunk_points]
        alt = part["alt_ft"].to_numpy(dtype=float, na_value=np.nan) if "alt_ft" in part else np.full(len(part), np.nan)
        ground = part["on_ground"].to_numpy(dtype=bool, na_value=False) if "on_ground" in part else np.zeros(len(part), dtype=bool)
        dist = _Distances(part["lat"].to_numpy(dtype=float), part["lon"].to_numpy(dtype=float), pos)
        key_all = (time_ns(part["time"]) // HOUR_NS) * n_src + s_codes[lo:lo + len(part)]
        for g in gates:  # one pass per gate, vectorised over the positions
            m = _in_gate(g, dist, alt, ground, params)
            if m.any():  # positions of one aircraft follow each other: most keys repeat the one before
                km = key_all[m]
                keys[g.id].append(_runs(km))
                pairs[g.id].append(np.unique(_runs(km * n_ac + a_codes[lo:lo + len(part)][m])[0]))
    frames = []
    for g in gates:  # one table per gate that heard anything
        if not keys[g.id]:
            continue
        k_u, inv = np.unique(np.concatenate([v for v, _ in keys[g.id]]), return_inverse=True)
        n_pts = np.bincount(inv, weights=np.concatenate([c for _, c in keys[g.id]]), minlength=len(k_u))
        k2, n_air = np.unique(np.unique(np.concatenate(pairs[g.id])) // n_ac, return_counts=True)
        n_air_full = np.zeros(len(k_u), dtype=np.int64)
        n_air_full[np.searchsorted(k_u, k2)] = n_air
        frames.append(pd.DataFrame({
            "gate": np.full(len(k_u), g.id, dtype=object), "kind": np.full(len(k_u), g.kind, dtype=object),
            "source": np.asarray(s_names, dtype=object)[(k_u % n_src) // 4],
            "positions": np.asarray(_POS_CLASSES, dtype=object)[(k_u % n_src) % 4],
            "hour": pd.to_datetime((k_u // n_src) * HOUR_NS, utc=True).astype(TIME_DTYPE),
            "n_points": n_pts.astype(np.int64), "n_aircraft": n_air_full,
        }))
    if not frames:
        return _empty_heard()
    return pd.concat(frames, ignore_index=True).sort_values(["gate", "hour", "source"], kind="stable").reset_index(drop=True)


def _runs(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Runs of equal consecutive values: each run's value and length (``np.unique`` of the values, with the lengths
    summed, gives the counts of ``k``'s values)."""
    if len(k) == 0:
        return k, np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    return k[first], np.diff(np.r_[first, len(k)])


def fill_gaps(heard: np.ndarray, max_gap: float) -> np.ndarray:
    """Hours heard, plus the hours between two heard hours at most ``max_gap`` hours apart.

    Parameters
    ----------
    heard
        bool per hour.
    max_gap
        Largest distance (h) between the two heard hours of a filled stretch.

    Returns
    -------
    numpy.ndarray
        bool per hour.
    """
    out = np.asarray(heard, dtype=bool).copy()
    idx = np.flatnonzero(out)
    if len(idx) < 2:
        return out
    a, b = idx[:-1], idx[1:]
    ok = (b - a > 1) & (b - a <= max_gap)
    diff = np.zeros(len(out) + 1, dtype=np.int64)
    np.add.at(diff, a[ok] + 1, 1)
    np.add.at(diff, b[ok], -1)
    return out | (np.cumsum(diff[:-1]) > 0)


def archive_hours(h0: int, n: int, cov: pd.DataFrame, points: pd.DataFrame | None, *,
                  per_aircraft: tuple[str, ...] = ("readsb_trace", "opensky_tracks", "fr24_json", "fr24_csv", "fr24_kml")) -> np.ndarray:
    """Hours the archive has data for: the day is covered and, where files of all traffic exist, one of them spans the hour.

    Parameters
    ----------
    h0, n
        First hour (ns since the epoch, UTC) and number of hours.
    cov
        The daily coverage table.
    points
        The Points table; its ``src_file`` gives each file's span (first to last
        position). Only files of all traffic (an hourly or monthly dump, a
        receiver's log) say which hours the archive holds; a file of one
        aircraft (``per_aircraft`` formats: a readsb trace, an export) says
        nothing of the others, so on a day touched by no file of all traffic
        the day decides alone. ``None`` or without ``src_file``: the day decides alone.
    per_aircraft
        Source formats whose files hold one aircraft each.
    """
    from flighttrace.claims.coverage import day_numbers

    hours = h0 + np.arange(n, dtype=np.int64) * HOUR_NS
    ok = np.zeros(n, dtype=bool)
    if len(cov) == 0 or n == 0:
        return ok
    tz = cov["tz"].iloc[0] if "tz" in cov else "UTC"
    cdays = day_numbers(cov["date"], tz)
    good = np.sort(cdays[cov["covered"].to_numpy(dtype=bool)])
    hday = day_numbers(pd.DatetimeIndex(pd.to_datetime(hours, utc=True)), tz)
    pos = np.clip(np.searchsorted(good, hday), 0, max(len(good) - 1, 0))
    ok = (good[pos] == hday) if len(good) else ok
    if points is None or len(points) == 0 or "src_file" not in points:
        return ok
    f = _factor(points["src_file"])[0]
    if "source" in points:
        s_codes, s_names = _factor(points["source"])
        one = np.isin(s_names, list(per_aircraft))
        f = np.where((s_codes >= 0) & one[np.maximum(s_codes, 0)] if len(one) else False, -1, f)
    keep = f >= 0
    if not keep.any():
        return ok
    t = time_ns(points["time"])[keep]
    frame = pd.DataFrame({"f": f[keep], "t": t}).groupby("f")["t"].agg(["min", "max"])
    a = np.clip((frame["min"].to_numpy() - h0) // HOUR_NS, 0, n)
    b = np.clip((frame["max"].to_numpy() - h0) // HOUR_NS + 1, 0, n)
    diff = np.zeros(n + 1, dtype=np.int64)
    np.add.at(diff, a, 1)
    np.add.at(diff, b, -1)
    spanned = np.cumsum(diff[:-1]) > 0
    # on the days the files of all traffic touch, an hour none of them spans is missing from the archive
    touched = np.zeros(n + 1, dtype=np.int64)
    day_hours = (hday - hday[0]) if n else hday
    d_first = np.searchsorted(day_hours, day_hours[np.clip(a, 0, n - 1)], side="left")
    d_last = np.searchsorted(day_hours, day_hours[np.clip(b - 1, 0, n - 1)], side="right")
    np.add.at(touched, d_first, 1)
    np.add.at(touched, d_last, -1)
    judged = np.cumsum(touched[:-1]) > 0
    return ok & (spanned | ~judged)


# ---------------------------------------------------------------------------------------
# the hourly picture


@dataclass
class Visibility:
    """Hour by hour (UTC), what the data could have heard: the archive, each gate, each fleet.

    Attributes
    ----------
    h0, n
        First hour (ns since the epoch) and number of hours of the grid.
    archive
        bool per hour: the archive has data.
    gates
        The gates by id.
    covered
        Gate id → bool per hour: the gate covered (heard, filled, archive).
    covered_mlat
        The same from MLAT positions only (what shows that an aircraft without
        a broadcast position could have been located there).
    heard
        The ``gates`` table (:data:`GATE_COLUMNS`): what was heard where.
    basis
        ``"positions"`` (gates measured) or ``"days"`` (no positions given: a
        gate is covered whenever the archive is).
    params
        The thresholds used.
    """

    h0: int
    n: int
    archive: np.ndarray
    gates: dict[str, Gate]
    covered: dict[str, np.ndarray]
    heard: pd.DataFrame
    basis: str
    params: VisibilityParams
    covered_mlat: dict[str, np.ndarray] = field(default_factory=dict)

    def weights(self, start: pd.Timestamp, end: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
        """Hours of the grid a window touches and the share of each inside it: (indices, weights in hours)."""
        s, e = pd.Timestamp(start).value, pd.Timestamp(end).value
        if e <= s:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        first, last = s // HOUR_NS, (e - 1) // HOUR_NS
        hrs = np.arange(first, last + 1, dtype=np.int64)
        w = (np.minimum((hrs + 1) * HOUR_NS, e) - np.maximum(hrs * HOUR_NS, s)) / HOUR_NS
        return hrs - self.h0 // HOUR_NS, w

    def take(self, arr: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Values of an hourly array at grid indices; False outside the grid."""
        inside = (idx >= 0) & (idx < self.n)
        out = np.zeros(len(idx), dtype=bool)
        out[inside] = arr[idx[inside]]
        return out

    def gate(self, gate_id: str, *, mlat_only: bool = False) -> np.ndarray:
        """Covered hours of a gate (the archive's hours when gates were not measured); ``mlat_only``: heard by MLAT positions."""
        if self.basis != "positions" or gate_id not in self.covered:
            return self.archive
        return (self.covered_mlat if mlat_only else self.covered)[gate_id]


def _grid(cov: pd.DataFrame, points: pd.DataFrame | None, legs: pd.DataFrame) -> tuple[int, int]:
    lows, highs = [], []
    if len(cov):
        lows.append(pd.Timestamp(cov["date"].iloc[0]).tz_convert("UTC").value)
        highs.append((pd.Timestamp(cov["date"].iloc[-1]) + pd.Timedelta(days=1)).tz_convert("UTC").value)
    if points is not None and len(points):
        t = time_ns(points["time"])
        lows.append(int(t.min()))
        highs.append(int(t.max()) + 1)
    if len(legs):
        lows.append(int(time_ns(legs["first_seen"]).min()))
        highs.append(int(time_ns(legs["last_seen"]).max()) + 1)
    if not lows:
        return 0, 0
    h0 = (min(lows) // HOUR_NS) * HOUR_NS
    return h0, int((max(highs) - 1 - h0) // HOUR_NS) + 1


def build_visibility(scenario: Any, cov: pd.DataFrame, points: pd.DataFrame | None, legs: pd.DataFrame, gates: list[Gate],
                     params: VisibilityParams) -> Visibility:
    """The hourly archive and gate coverage of an evaluation (the fleets are added on demand: :func:`fleet_hours`)."""
    h0, n = _grid(cov, points, legs)
    archive = archive_hours(h0, n, cov, points, per_aircraft=params.per_aircraft_sources)
    has_pos = points is not None and len(points) > 0 and {"lat", "lon"} <= set(points.columns)
    if not has_pos:
        return Visibility(h0, n, archive, {g.id: g for g in gates}, {}, _empty_heard(), "days", params)
    assert points is not None  # has_pos
    heard = heard_table(points, gates, scenario.airport_index(), params)
    listen = ~heard["source"].isin(params.export_sources).to_numpy()  # the rows of sources of all traffic, as arrays
    gate, mlat = heard["gate"].to_numpy(dtype=object), heard["positions"].to_numpy(dtype=object) == "mlat"
    hour = (time_ns(heard["hour"]) - h0) // HOUR_NS
    covered: dict[str, np.ndarray] = {}
    covered_mlat: dict[str, np.ndarray] = {}
    for g in gates:  # one pass per gate
        for only_mlat, out in ((False, covered), (True, covered_mlat)):
            h = np.zeros(n, dtype=bool)
            i = hour[listen & (gate == g.id) & (mlat | (not only_mlat))]
            h[i[(i >= 0) & (i < n)]] = True
            out[g.id] = fill_gaps(h, params.gate_fill_h) & archive
    return Visibility(h0, n, archive, {g.id: g for g in gates}, covered, heard, "positions", params, covered_mlat=covered_mlat)


def fleet_hours(vis: Visibility, fleet_rows: pd.DataFrame, *, from_legs: bool) -> np.ndarray:
    """bool per hour: the fleet visible (heard, or between two sightings at most ``fleet_fill_h`` apart).

    Parameters
    ----------
    vis
        The hourly grid.
    fleet_rows
        The fleet's positions (``time``), or its legs (``first_seen``, ``last_seen``) when ``from_legs``.
    from_legs
        Sightings are the legs' spans, not single positions.
    """
    h = np.zeros(vis.n, dtype=bool)
    if len(fleet_rows) and vis.n:
        if from_legs:
            a = np.clip((time_ns(fleet_rows["first_seen"]) - vis.h0) // HOUR_NS, 0, vis.n)
            b = np.clip((time_ns(fleet_rows["last_seen"]) - vis.h0) // HOUR_NS + 1, 0, vis.n)
            diff = np.zeros(vis.n + 1, dtype=np.int64)
            np.add.at(diff, a, 1)
            np.add.at(diff, b, -1)
            h = np.cumsum(diff[:-1]) > 0
        else:
            i = (time_ns(fleet_rows["time"]) - vis.h0) // HOUR_NS
            h[i[(i >= 0) & (i < vis.n)]] = True
    return fill_gaps(h, vis.params.fleet_fill_h)


def fleet_how(adsb: bool, mlat: bool, other: bool) -> str:
    """How a fleet aircraft was located in a window, in words (the ``how`` of :func:`fleet_table`)."""
    if adsb:
        return "ADS-B" + (" and MLAT" if mlat else "")
    if mlat:
        return "MLAT only"
    if other:
        return "Mode S only (no broadcast position)"
    return "unknown (the source does not say)"


def _factor(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, names) of a text column; blank and missing values get code −1."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniq = values.cat.codes.to_numpy().astype(np.int64), values.cat.categories
    else:
        codes, uniq = pd.factorize(values.astype(object).where(values.notna(), None))
    names = np.array([str(u).strip() for u in uniq], dtype=object)
    if len(names):
        blank = names == ""  # per distinct value, not per row
        codes = np.where((codes >= 0) & ~blank[np.maximum(codes, 0)], codes, -1)
    return codes, names


def _changes(codes: np.ndarray, names: np.ndarray, group: np.ndarray, n_groups: int, *, most: int = 12) -> list[str]:
    """Per group (rows in time order), the successive distinct values joined by ``→``."""
    ok = codes >= 0
    same_group = np.zeros(len(codes), dtype=bool)
    same_group[1:] = group[1:] == group[:-1]
    run_start = np.flatnonzero(~same_group)
    if len(codes) and len(run_start) == np.count_nonzero(np.bincount(group, minlength=n_groups)):  # each group's rows are one run (rows sorted by group)
        last_ok = np.maximum.accumulate(np.where(ok, np.arange(len(codes)), -1))  # the last row with a value, at or before each row
        before = np.r_[-1, last_ok[:-1]]
        first_of_run = np.repeat(run_start, np.diff(np.r_[run_start, len(codes)]))
        known = same_group & (before >= first_of_run)  # a value earlier in the same group
        change = ok & ~(known & (codes[np.maximum(before, 0)] == codes))
    else:
        prev = pd.Series(np.where(ok, codes, np.nan)).groupby(group).ffill().shift(1).to_numpy()
        change = ok & ~(np.where(same_group, prev, np.nan) == codes)
    out: list[list[str]] = [[] for _ in range(n_groups)]
    for g, c in zip(group[change], codes[change], strict=True):  # one step per change of value (few), not per position
        if len(out[g]) < most:
            out[g].append(str(names[c]))
    return ["→".join(x) for x in out]


def sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize(values.astype(str), sort=True)``: codes of the values, numbered in the order of their text.

    A categorical column without missing values is numbered from its
    categories (each written out as text once, not once per row).

    Parameters
    ----------
    values
        A column.

    Returns
    -------
    tuple of numpy.ndarray
        The codes (int64) and the distinct values as text, sorted.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        if len(codes) and codes.min() >= 0:
            present = np.flatnonzero(np.bincount(codes, minlength=len(values.cat.categories)))
            names = np.array([str(x) for x in values.cat.categories[present]], dtype=object)
            order = np.argsort(names, kind="stable")
            renumber = np.zeros(len(values.cat.categories), dtype=np.int64)
            renumber[present[order]] = np.arange(len(present), dtype=np.int64)
            return renumber[codes], names[order]
    hc, uniq = pd.factorize(values.astype(str), sort=True)
    return np.asarray(hc, dtype=np.int64), np.asarray(uniq, dtype=object)


@dataclass
class FleetArrays:
    """A fleet's sightings as arrays (built once per fleet): times, aircraft, position sources, identities."""

    t0: np.ndarray
    t1: np.ndarray
    hex_codes: np.ndarray
    hexes: np.ndarray
    weight: np.ndarray
    adsb: np.ndarray
    mlat: np.ndarray
    other: np.ndarray
    idents: dict[str, tuple[np.ndarray, np.ndarray]]
    from_legs: bool

    @classmethod
    def of(cls, rows: pd.DataFrame, *, from_legs: bool) -> FleetArrays:
        """From positions sorted by aircraft and time (or legs sorted by aircraft and first sighting)."""
        t0 = time_ns(rows["first_seen" if from_legs else "time"].astype(TIME_DTYPE)) if len(rows) else np.zeros(0, dtype=np.int64)
        t1 = time_ns(rows["last_seen" if from_legs else "time"].astype(TIME_DTYPE)) if len(rows) else np.zeros(0, dtype=np.int64)
        hc, hexes = sorted_codes(rows["icao24"]) if len(rows) else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object))
        n = len(rows)
        weight = rows["n_points"].to_numpy(dtype=float) if from_legs and "n_points" in rows else np.ones(n)
        kind = {k: np.zeros(n, dtype=bool) for k in ("adsb", "mlat", "other")}
        if not from_legs and "position_source" in rows and n:
            pc, pn = _factor(rows["position_source"])  # each row's kind of position, told per distinct source name
            for k in kind:
                is_k = pn == k
                kind[k] = (pc >= 0) & is_k[np.maximum(pc, 0)] if len(pn) else kind[k]
        idents = {c: _factor(rows[c]) for c in ("registration", "callsign", "squawk") if c in rows and not (from_legs and c == "squawk")}
        return cls(t0, t1, np.asarray(hc), np.asarray(hexes, dtype=object), weight, kind["adsb"], kind["mlat"], kind["other"], idents, from_legs)


def _near(fa: FleetArrays, start: pd.Timestamp, end: pd.Timestamp, margin: pd.Timedelta) -> np.ndarray:
    """The sightings in ``[start − margin, end + margin)``."""
    s, e, m = pd.Timestamp(start).value, pd.Timestamp(end).value, pd.Timedelta(margin).value
    return (fa.t1 >= s - m) & (fa.t0 < e + m)


def fleet_heard(fa: FleetArrays, start: pd.Timestamp, end: pd.Timestamp, margin: pd.Timedelta) -> int:
    """How many fleet aircraft were heard in ``[start − margin, end + margin)``: the rows :func:`fleet_table` would have."""
    return int(np.count_nonzero(np.bincount(fa.hex_codes[_near(fa, start, end, margin)], minlength=len(fa.hexes))))


def fleet_table(claim_id: str, fleet: str | None, fa: FleetArrays, start: pd.Timestamp, end: pd.Timestamp, margin: pd.Timedelta) -> pd.DataFrame:
    """Each fleet aircraft heard in or around a window: when, how, under which callsigns and squawks.

    Parameters
    ----------
    claim_id, fleet
        Written to the table.
    fa
        The fleet's sightings (:class:`FleetArrays`).
    start, end
        The window (UTC).
    margin
        "Around": this long before and after.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FLEET_COLUMNS`, one row per aircraft heard in ``[start − margin, end + margin)``.
    """
    s, e = pd.Timestamp(start).value, pd.Timestamp(end).value
    near = _near(fa, start, end, margin)
    hc = fa.hex_codes[near]
    present = np.bincount(hc, minlength=len(fa.hexes)) > 0  # the aircraft heard (codes number the sorted addresses)
    used = np.flatnonzero(present)
    grp = (np.cumsum(present) - 1)[hc]
    k = len(used)
    a, b = fa.t0[near], fa.t1[near]

    def any_of(mask: np.ndarray) -> np.ndarray:
        return np.bincount(grp[mask], minlength=k)[:k] > 0

    how = (["legs only (no positions given)"] * k if fa.from_legs else
           [fleet_how(x, y, z) for x, y, z in zip(any_of(fa.adsb[near]), any_of(fa.mlat[near]), any_of(fa.other[near]), strict=True)])
    ident = {c: _changes(codes[near], names, grp, k) for c, (codes, names) in fa.idents.items()}
    first = np.full(k, np.iinfo(np.int64).max)
    np.minimum.at(first, grp, a)
    last = np.full(k, np.iinfo(np.int64).min)
    np.maximum.at(last, grp, b)
    out = {
        "claim_id": [claim_id] * k, "fleet": [fleet or ""] * k, "icao24": list(fa.hexes[used]) if k else [],
        "registration": ident.get("registration", [""] * k),
        "heard_in_window": any_of((b >= s) & (a < e)), "heard_before": any_of(a < s), "heard_after": any_of(b >= e),
        "first_heard": from_ns(first), "last_heard": from_ns(last),
        "n_points": np.bincount(grp, weights=fa.weight[near], minlength=k)[:k].astype(np.int64), "how": how,
        "callsigns": ident.get("callsign", [""] * k), "squawks": ident.get("squawk", [""] * k),
    }
    return pd.DataFrame(out, columns=list(FLEET_COLUMNS))
