"""The sorted Points of legs as arrays, for the measures read from tracks (approaches, holdings, go-arounds)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from flighttrace.timeutil import time_ns


def _sorted_points(points: pd.DataFrame) -> pd.DataFrame:
    from flighttrace.tracks.segment import sorted_points as _sorted  # the order detect_legs' point_start / point_end refer to

    return _sorted(points)


def _leg_of_points(legs: pd.DataFrame, n_points: int) -> np.ndarray:
    """Index (row of ``legs``) of the leg each sorted point belongs to; −1 for none."""
    leg_of = np.full(n_points, -1, dtype=np.int64)
    if len(legs) == 0 or n_points == 0:
        return leg_of
    ps, pe = legs["point_start"].to_numpy(dtype=np.int64), legs["point_end"].to_numpy(dtype=np.int64)
    if pe.max(initial=0) > n_points:
        raise ValueError("the legs do not belong to these points (point_end beyond the table); pass the Points the legs were detected from")
    mark = np.zeros(n_points + 1, dtype=np.int64)
    np.add.at(mark, ps, np.arange(len(legs)) + 1)
    np.add.at(mark, pe, -(np.arange(len(legs)) + 1))
    leg_of = np.cumsum(mark[:n_points]) - 1
    return leg_of


@dataclass
class _PointArrays:
    """The sorted Points as arrays, with the leg of each point."""

    pts: pd.DataFrame
    t: np.ndarray  # s since epoch (float)
    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray
    trk: np.ndarray
    vr: np.ndarray
    ground: np.ndarray
    leg: np.ndarray

    @classmethod
    def build(cls, points: pd.DataFrame, legs: pd.DataFrame) -> _PointArrays:
        pts = _sorted_points(points)
        n = len(pts)

        def f(name: str) -> np.ndarray:
            if name not in pts:
                return np.full(n, np.nan)
            return pts[name].to_numpy(dtype=np.float64, na_value=np.nan)

        og = pts["on_ground"].to_numpy(dtype="int8", na_value=-1) if "on_ground" in pts else np.full(n, -1, dtype=np.int8)
        gs = f("gs_kt")
        with np.errstate(invalid="ignore"):
            ground = (og == 1) | ((og < 0) & np.isnan(f("alt_ft")) & (gs < 50))
        return cls(pts, time_ns(pts["time"]) / 1e9 if n else np.zeros(0), pts["lat"].to_numpy(dtype=float), pts["lon"].to_numpy(dtype=float),
                   f("alt_ft"), f("track_deg"), f("vrate_fpm"), ground, _leg_of_points(legs, n))


def _as_arrays(points: Any, legs: pd.DataFrame) -> _PointArrays:
    """The sorted points with their legs: built from a Points table, or given already."""
    return points if isinstance(points, _PointArrays) else _PointArrays.build(points, legs)


def _leg_key(pa: _PointArrays, pad_s: float) -> np.ndarray:
    """A sort key (leg, time) for searching within a leg: legs run in row order, points outside legs sit between them."""
    leg = pa.leg
    if len(pa.t) == 0:
        return np.zeros(0)
    t = pa.t - pa.t.min()
    # a new group at every change of leg, and, between legs, wherever time runs back (the next aircraft): two aircraft
    # in a row that have no leg (parked ones) must not share a group
    brk = np.ones(len(leg), dtype=bool)
    brk[1:] = (leg[1:] != leg[:-1]) | ((leg[1:] < 0) & (t[1:] < t[:-1]))
    g = np.cumsum(brk).astype(np.float64)
    span = float(t.max()) + 2.0 * pad_s + 1.0
    key = g * span + t
    if np.any(np.diff(key) < 0):  # pragma: no cover - legs always follow the sorted points
        raise ValueError("the legs are not in the order of the sorted points")
    return key


def point_lineage(points_sorted: pd.DataFrame, start: Any, end: Any) -> np.ndarray:
    """``file:first-last`` source-row ranges of row ranges ``[start, end)`` of the sorted Points."""
    from flighttrace.tracks.table import leg_lineage as _lineage

    frame = pd.DataFrame({"point_start": np.asarray(start, dtype=np.int64), "point_end": np.asarray(end, dtype=np.int64)})
    if len(frame) == 0:
        return np.zeros(0, dtype=object)
    if "src_file" not in points_sorted or "src_row" not in points_sorted:
        return np.full(len(frame), None, dtype=object)
    return _lineage(points_sorted, frame)


def field_table(index: Any, airports: Any) -> pd.DataFrame:
    """Fields as the point measures need them: ``code``, ``lat``, ``lon``, ``elevation_ft`` (0 when unknown).

    Parameters
    ----------
    index
        An :class:`~flighttrace.reference.airports.AirportIndex` (``scenario.airport_index()``).
    airports
        ICAO codes.
    """
    pos = index.positions(list(airports)).reset_index(drop=True)
    pos["code"] = list(airports)
    pos["elevation_ft"] = pos["elevation_ft"].fillna(0.0) if "elevation_ft" in pos else 0.0
    return pos


class FieldRow(NamedTuple):
    """One field of a :func:`field_table`."""

    code: str
    lat: float
    lon: float
    elevation_ft: float


def field_rows(fields_: pd.DataFrame) -> list[FieldRow]:
    """The fields of a :func:`field_table` as typed rows (one loop step per field)."""
    cols = (fields_[c].tolist() for c in ("code", "lat", "lon", "elevation_ft"))
    return [FieldRow(str(c), float(a), float(o), float(e)) for c, a, o, e in zip(*cols, strict=True)]


def _runs_of(mask: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start, end exclusive) of runs of True with a constant ``group`` value."""
    m = np.asarray(mask, dtype=bool)
    if not m.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    brk = np.ones(len(m), dtype=bool)
    brk[1:] = (m[1:] != m[:-1]) | (group[1:] != group[:-1])
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], len(m))
    keep = m[starts]
    return starts[keep], ends[keep]
