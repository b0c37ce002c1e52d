"""Fields by latitude cell and longitude: the (point, field) pairs that may lie within a distance, without the rest.

The nearest-field search of :class:`flighttrace.reference.airports.AirportIndex`
measures every pair it is given. A band of latitude alone gives each point every
field around the globe at its latitude (about two hundred for 60 km); the cells
here add a window of longitude, the widest a circle of that radius spans at the
point's latitude, so only fields near the point are measured. The pairs are a
superset of those within the distance (a little slack on both bounds): the
caller still measures each one and keeps those within reach, so the answer is
the same as with the band alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from flighttrace.geo import EARTH_RADIUS_KM

__all__ = ["CELL_DEG", "FieldGrid"]

CELL_DEG: Final = 0.5
"""Height of a latitude cell, degrees (a 60 km search spans two or three cells)."""

_STRIDE: Final = 1000.0
"""Key of a field: its cell times this, plus its longitude + 180 (below 360: cells never overlap)."""

_SLACK_DEG: Final = 1e-7
"""Added to each window's half-width, degrees (about a centimetre): rounding never leaves out a field within reach."""


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


def _cell(lat: np.ndarray) -> np.ndarray:
    """The latitude cell of each latitude (degrees), 0 at the south pole; latitudes beyond ±90 fall in the end cells."""
    top = int(math.ceil(180.0 / CELL_DEG)) - 1
    return np.clip(np.floor((np.asarray(lat, dtype=np.float64) + 90.0) / CELL_DEG), 0, top).astype(np.int64)
