"""Fields by latitude cell and longitude: the (point, field) pairs that may lie within a distance, without the rest.

The nearest-field search of :class:`flighttrace.reference.airports.AirportIndex`
measures every pair it is given. A band of latitude alone gives each point every
field around the globe at its latitude (about two hundred for 60 km); the cells
here add a window of longitude, the widest a circle of that radius spans at the
point's latitude, so only fields near the point are measured. The pairs are a
superset of those within the distance (a little slack on both bounds): the
caller still measures each one and keeps those within reach, so the answer is
the same as with the band alone.

:func:`nearest_fill` measures the pairs and keeps each point's nearest fields,
by the great-circle distance (haversine) or, as a k-d tree of unit vectors
measures it, by the chord between the points' and the fields' unit vectors
(:func:`unit_vectors`, :func:`chord_to_km`): the same fields and, bit for bit,
the same distances as :meth:`scipy.spatial.cKDTree.query` gives, without
building (or importing) the tree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from flighttrace.geo import EARTH_RADIUS_KM, haversine_km

__all__ = ["CELL_DEG", "CHORD_SLACK", "FieldGrid", "chord_to_km", "km_to_chord", "nearest_fill", "unit_vectors"]

CELL_DEG: Final = 0.5
"""Height of a latitude cell, degrees (a 60 km search spans two or three cells)."""

_STRIDE: Final = 1000.0
"""Key of a field: its cell times this, plus its longitude + 180 (below 360: cells never overlap)."""

_SLACK_DEG: Final = 1e-7
"""Added to each window's half-width, degrees (about a centimetre): rounding never leaves out a field within reach."""


CHORD_SLACK: Final = (1e-12, 1e-15)
"""Relative and absolute slack (unit-sphere chord) added to the chord of the search radius, so that a field
exactly at the radius is kept; the great-circle distance then decides."""


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors (x, y, z on the unit sphere) of points given in degrees."""
    phi = np.radians(lat)
    lmb = np.radians(lon)
    cphi = np.cos(phi)
    return np.column_stack((cphi * np.cos(lmb), cphi * np.sin(lmb), np.sin(phi)))


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    """Chord length on the unit sphere → great-circle distance, km."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def km_to_chord(km: float) -> float:
    """Great-circle distance, km → chord length on the unit sphere, with :data:`CHORD_SLACK` added."""
    half_angle = km / (2.0 * EARTH_RADIUS_KM)
    chord = 2.0 if half_angle >= math.pi / 2.0 else 2.0 * math.sin(half_angle)
    return chord * (1.0 + CHORD_SLACK[0]) + CHORD_SLACK[1]


def _lon180(lon: np.ndarray) -> np.ndarray:
    """Longitudes brought into [-180, 180), degrees."""
    return np.mod(lon + 180.0, 360.0) - 180.0


@dataclass(frozen=True)
class FieldGrid:
    """Fields sorted by latitude cell, then by longitude.

    Attributes
    ----------
    rows
        Each field's row in the airport table.
    lat, lon
        Each field's latitude and longitude, degrees, as the table gives them.
    key
        Each field's cell × 1000 + longitude + 180 (longitude brought into
        [-180, 180)), ascending.
    """

    rows: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    key: np.ndarray

    @classmethod
    def of(cls, rows: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> FieldGrid:
        """The grid of fields at rows ``rows`` of a table, at ``lat``, ``lon`` (degrees, finite)."""
        key = _cell(lat) * _STRIDE + (_lon180(lon) + 180.0)
        order = np.argsort(key, kind="stable")
        return cls(rows[order], lat[order], lon[order], key[order])

    def pairs(self, lat: np.ndarray, lon: np.ndarray, max_km: float) -> tuple[np.ndarray, np.ndarray]:
        """Every (point, field) pair that may lie within ``max_km`` of each other, great-circle.

        Parameters
        ----------
        lat, lon
            The points, degrees (finite).
        max_km
            The distance, km.

        Returns
        -------
        point : numpy.ndarray
            Each pair's point (position in ``lat``), ascending.
        field : numpy.ndarray
            Each pair's field (position in the grid's arrays). Every field
            within ``max_km`` of a point is paired with it once; others may be.
        """
        lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        delta = max_km / EARTH_RADIUS_KM * (1.0 + 1e-9) + 1e-12  # the search radius as an angle, radians
        dlat = math.degrees(delta) + _SLACK_DEG
        # the widest longitude a spherical cap of radius delta spans at latitude phi: asin(sin delta / cos phi),
        # unless the cap holds a pole (then every longitude)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = math.sin(min(delta, math.pi / 2)) / np.cos(np.radians(lat))
            half = np.degrees(np.arcsin(np.minimum(s, 1.0))) * (1.0 + 1e-9) + _SLACK_DEG
        full = (np.abs(lat) + dlat >= 90.0) | ~(s < 1.0) | (half >= 180.0)
        lq = _lon180(lon)
        lo, hi = np.where(full, -180.0, lq - half), np.where(full, 180.0, lq + half)
        # up to two windows of longitude per point: [lo, hi] within [-180, 180], and the part wrapped round the antimeridian
        wrap_lo, wrap_hi = lo < -180.0, hi > 180.0
        w_pt = np.concatenate([np.arange(len(lat)), np.flatnonzero(wrap_lo), np.flatnonzero(wrap_hi)])
        w_lo = np.concatenate([np.maximum(lo, -180.0), lo[wrap_lo] + 360.0, np.full(int(wrap_hi.sum()), -180.0)])
        w_hi = np.concatenate([np.minimum(hi, 180.0), np.full(int(wrap_lo.sum()), 180.0), hi[wrap_hi] - 360.0])
        c0, c1 = _cell(lat[w_pt] - dlat), _cell(lat[w_pt] + dlat)
        # one (window, cell) per cell a window's latitudes reach, in order of point
        n_cells = c1 - c0 + 1
        win = np.repeat(np.arange(len(w_pt)), n_cells)
        cell = c0[win] + (np.arange(len(win)) - np.repeat(np.cumsum(n_cells) - n_cells, n_cells))
        start = np.searchsorted(self.key, cell * _STRIDE + (w_lo[win] + 180.0), side="left")
        stop = np.searchsorted(self.key, cell * _STRIDE + (w_hi[win] + 180.0), side="right")
        counts = np.maximum(stop - start, 0)
        total = int(counts.sum())
        point = np.repeat(w_pt[win], counts)
        field = np.arange(total) + np.repeat(start - (np.cumsum(counts) - counts), counts)
        order = np.argsort(point, kind="stable")
        return point[order], field[order]


def nearest_fill(grid: FieldGrid, lat: np.ndarray, lon: np.ndarray, max_km: float, idx: np.ndarray, dist: np.ndarray,
                 field_xyz: np.ndarray | None = None) -> None:
    """Fill ``idx`` and ``dist`` with each point's nearest fields of ``grid`` within ``max_km``, nearest first.

    Parameters
    ----------
    grid
        The fields.
    lat, lon
        The points, degrees (finite), m of them.
    max_km
        The search radius, km (great-circle).
    idx, dist
        (m, k) arrays (views may be given) to fill: row positions in the
        airport table (``grid.rows``) and distances, km. Entries past a
        point's last field within reach are left as they are.
    field_xyz
        None: distances are great-circle (:func:`flighttrace.geo.haversine_km`).
        Otherwise the unit vectors of the grid's fields as a (3, n) array (x,
        y and z rows of :func:`unit_vectors`, in the grid's order): fields are
        ranked by the squared chord summed axis by axis, as
        :class:`scipy.spatial.cKDTree` sums it, and the distance is the
        chord's (:func:`chord_to_km`).

    Notes
    -----
    Fields at the same distance from a point are taken in row order.
    """
    m, k = idx.shape
    qi, bi = grid.pairs(lat, lon, max_km)
    if len(qi) == 0:
        return
    if field_xyz is None:
        key = haversine_km(lat[qi], lon[qi], grid.lat[bi], grid.lon[bi])
        near = key <= max_km
    else:
        pt = unit_vectors(lat, lon)
        key = np.square(pt[qi, 0] - field_xyz[0][bi])
        key += np.square(pt[qi, 1] - field_xyz[1][bi])
        key += np.square(pt[qi, 2] - field_xyz[2][bi])
        near = key < km_to_chord(max_km) ** 2  # a superset of the fields within max_km: their distance decides below
    qi, rows, key = qi[near], grid.rows[bi[near]], key[near]
    if len(qi) == 0:
        return
    order = _order_by(qi, key, rows)
    qi, rows, key = qi[order], rows[order], key[order]
    first = np.searchsorted(qi, np.arange(m), side="left")
    rank = np.arange(len(qi)) - first[qi]
    top = np.flatnonzero(rank < k)
    qi, rank, rows, key = qi[top], rank[top], rows[top], key[top]
    if field_xyz is not None:
        key = chord_to_km(np.sqrt(key))
        keep = key <= max_km  # the distance grows with the chord: only the last of a point's fields can drop out
        qi, rank, rows, key = qi[keep], rank[keep], rows[keep], key[keep]
    idx[qi, rank] = rows
    dist[qi, rank] = key


def _order_by(point: np.ndarray, key: np.ndarray, row: np.ndarray) -> np.ndarray:
    """The permutation that sorts pairs by point (given ascending), then key, then row: ``np.lexsort((row, key, point))``.

    The keys are replaced by their dense rank among all pairs (one quick sort of
    floats), so that one sort of integers orders the pairs; pairs of one point
    with equal keys (fields at one position) are then put in row order.
    """
    n = len(key)
    by_key = np.argsort(key)
    sk = key[by_key]
    step = np.empty(n, dtype=np.int64)
    step[0] = 0
    np.not_equal(sk[1:], sk[:-1], out=step[1:])
    dense = np.empty(n, dtype=np.int64)
    dense[by_key] = np.cumsum(step)
    combined = point.astype(np.int64) * (int(dense[by_key[-1]]) + 1) + dense
    order = np.argsort(combined)
    tied = combined[order[1:]] == combined[order[:-1]]
    if tied.any():  # equal (point, key): order those runs by row
        at = np.flatnonzero(np.concatenate(([False], tied)) | np.concatenate((tied, [False])))
        sub = order[at]
        order[at] = sub[np.lexsort((row[sub], combined[sub]))]
    return order


def _cell(lat: np.ndarray) -> np.ndarray:
    """The latitude cell of each latitude (degrees), 0 at the south pole; latitudes beyond ±90 fall in the end cells."""
    top = int(math.ceil(180.0 / CELL_DEG)) - 1
    return np.clip(np.floor((np.asarray(lat, dtype=np.float64) + 90.0) / CELL_DEG), 0, top).astype(np.int64)
