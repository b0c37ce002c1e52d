"""Geometry on the sphere: distances, bearings, points at a distance, positions along a path.

One copy of each, used by the readers, leg detection, the disruption measures,
the maps and the simulator. Angles are degrees, distances km, on a sphere of
radius :data:`EARTH_RADIUS_KM`; every function takes whole arrays (numpy
broadcasting).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "bearing_deg", "destination", "destination_point", "along", "wrap_360"]

EARTH_RADIUS_KM: Final = 6371.0088
"""Mean Earth radius (IUGG), km."""


def wrap_360(deg: np.ndarray) -> np.ndarray:
    """Angles reduced to [0, 360): the same bits as ``np.mod(deg, 360.0)``, NaN kept, worked out only where needed.

    Nearly every heading a receiver reports is in range already, and
    ``np.mod`` (a floored division per value) costs several times a
    comparison; it is applied only to the values that need it: negative
    ones (``-0.0`` included, which ``np.mod`` makes ``+0.0``) and those of
    360 and above.

    Parameters
    ----------
    deg
        Angles, degrees (float array).

    Returns
    -------
    numpy.ndarray
        ``deg`` itself when every value is in range (or NaN), else a new array.
    """
    out = np.asarray(deg)
    fix = np.signbit(out) | (out >= 360.0)
    if fix.any():
        out = out.copy()
        out[fix] = np.mod(out[fix], 360.0)
    return out


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance, km, between points given in degrees.

    Inputs broadcast against each other (numpy rules).

    Parameters
    ----------
    lat1, lon1, lat2, lon2
        Latitudes and longitudes, degrees.

    Returns
    -------
    numpy.ndarray
        Distances in km (a 0-d array for scalar inputs), on a sphere of radius
        :data:`EARTH_RADIUS_KM`.
    """
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    # sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2), in place where the array is a fresh one (the same operations in the
    # same order as written out: the same bits, with fewer temporary arrays)
    dphi = np.asarray(p2 - p1)
    dphi /= 2.0
    np.square(np.sin(dphi, out=dphi), out=dphi)
    dlmb = np.asarray(np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64)))
    dlmb /= 2.0
    np.square(np.sin(dlmb, out=dlmb), out=dlmb)
    a = np.asarray(dphi + np.cos(p1) * np.cos(p2) * dlmb)
    np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0, out=a), out=a), out=a)
    a *= 2.0 * EARTH_RADIUS_KM
    return a if a.ndim else a[()]


def bearing_deg(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Initial great-circle bearing from point 1 to point 2.

    Parameters
    ----------
    lat1, lon1, lat2, lon2
        Latitudes and longitudes, degrees; they broadcast.

    Returns
    -------
    numpy.ndarray
        True bearing in degrees, in [0, 360).
    """
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dlmb = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    y = np.sin(dlmb) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dlmb)
    return np.mod(np.degrees(np.arctan2(y, x)), 360.0)


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _latlon(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v = v / np.linalg.norm(v, axis=-1, keepdims=True)
    return np.degrees(np.arcsin(np.clip(v[..., 2], -1, 1))), np.degrees(np.arctan2(v[..., 1], v[..., 0]))


def destination(lat: Any, lon: Any, bearing: Any, dist_km: Any) -> tuple[np.ndarray, np.ndarray]:
    """Points at ``dist_km`` from (lat, lon) on ``bearing_deg`` (great circle), vectorised."""
    d = np.asarray(dist_km, dtype=float) / EARTH_RADIUS_KM
    b = np.radians(bearing)
    p1, l1 = np.radians(lat), np.radians(lon)
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(b))
    l2 = l1 + np.arctan2(np.sin(b) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2))
    return np.degrees(p2), (np.degrees(l2) + 540) % 360 - 180


def destination_point(lat: float, lon: float, bearing: float, dist_km: float) -> tuple[float, float]:
    """The point at ``dist_km`` from (lat, lon) on ``bearing`` (great circle), as two floats."""
    la, lo = destination(np.asarray(lat), np.asarray(lon), np.asarray(bearing), np.asarray(dist_km))
    return float(la), float(lo)


def along(path_lat: np.ndarray, path_lon: np.ndarray, s_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions and track at distances ``s_km`` along a polyline of great circles."""
    seg = haversine_km(path_lat[:-1], path_lon[:-1], path_lat[1:], path_lon[1:])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    i = np.clip(np.searchsorted(cum, s_km, side="right") - 1, 0, len(seg) - 1)
    f = np.clip((s_km - cum[i]) / np.where(seg[i] > 0, seg[i], 1.0), 0.0, 1.0)
    a = _unit(path_lat[i], path_lon[i])
    b = _unit(path_lat[i + 1], path_lon[i + 1])
    omega = np.arccos(np.clip(np.sum(a * b, axis=-1), -1, 1))
    so = np.where(omega > 1e-12, np.sin(omega), 1.0)
    wa = np.where(omega > 1e-12, np.sin((1 - f) * omega) / so, 1 - f)
    wb = np.where(omega > 1e-12, np.sin(f * omega) / so, f)
    lat, lon = _latlon(wa[:, None] * a + wb[:, None] * b)
    ahead = np.minimum(s_km + 0.5, cum[-1])
    j = np.clip(np.searchsorted(cum, ahead, side="right") - 1, 0, len(seg) - 1)
    # track: bearing from the point towards the end of its segment (or the next one near a turn)
    tr = bearing_deg(lat, lon, path_lat[j + 1], path_lon[j + 1])
    return lat, lon, tr
