"""OpenSky Network REST JSON: ``/states/all`` snapshots and ``/tracks/all`` tracks.

The formats are described in :mod:`flighttrace.io.opensky` (``opensky_states``,
``opensky_tracks``), which also holds the state-vector tables (CSV, Parquet)
and the conversions both share.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.jsonrecords import booleans_among
from flighttrace.io.jsonrows import array_rows, json_text, select_records
from flighttrace.io.opensky import (
    _SOURCE_LUT,
    FPM_PER_MPS,
    FT_PER_M,
    KT_PER_MPS,
    STALE_AFTER_S,
    _hand_over,
    _match_states,
    _match_tracks,
    _source_codes,
    _union,
    _value_problems,
)

__all__ = ["read_states", "read_tracks", "SPECS"]


def _json_floats(col: Sequence[Any], label: str, factor: float = 1.0, booleans: bool = True) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    """A column of JSON values → float64 × ``factor`` (NaN for null) and problems (``booleans``: look for true/false)."""
    n = len(col)
    try:
        v = np.array(col, dtype=np.float64)
        if v.shape == (n,):
            if not booleans or not booleans_among(col, v).any():
                return v * factor if factor != 1.0 else v, []
    except (TypeError, ValueError, OverflowError):
        pass
    ser = pd.Series(list(col), dtype=object)
    kinds = ser.map(type)
    scalar = kinds.isin([int, float, str]).to_numpy()  # a JSON boolean is never a number
    v = pd.to_numeric(ser.where(scalar, None), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    bad = ser.notna().to_numpy() & np.isnan(v)
    obj = np.asarray(ser.map(lambda x: x if isinstance(x, str) else json_text(x)), dtype=object)
    return v * factor, _value_problems(obj, bad, label, "is not a number")


def _json_strings(col: Sequence[Any]) -> np.ndarray:
    """A column of JSON values → object array of str / None (other values as JSON text)."""
    arr = np.empty(len(col), dtype=object)
    arr[:] = col
    if set(map(type, arr)) <= {str, type(None)}:
        return arr
    other = np.fromiter((x is not None and not isinstance(x, str) for x in arr), dtype=bool, count=len(arr))
    arr[other] = [json_text(x) for x in arr[other]]
    return arr


def _json_booleans(col: Sequence[Any], label: str) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    """JSON true/false (or 1/0) / null → float 1/0/NaN; anything else is a problem."""
    n = len(col)
    arr = np.empty(n, dtype=object)
    arr[:] = col
    kinds = np.fromiter(map(type, arr), dtype=object, count=n)
    numeric = np.isin(kinds, np.array([bool, int, float], dtype=object))
    val = np.full(n, np.nan)
    if numeric.any():
        val[numeric] = np.asarray(arr[numeric].tolist(), dtype=np.float64)
    out = np.where((val == 0.0) | (val == 1.0), val, np.nan)
    bad = (kinds != type(None)) & np.isnan(out)  # noqa: E721
    if not bad.any():
        return out, []
    full = np.empty(n, dtype=object)
    full[bad] = [x if isinstance(x, str) else json_text(x) for x in arr[bad]]
    return out, _value_problems(full, bad, label, "is not a boolean")


def _json_sources(col: Sequence[Any]) -> np.ndarray:
    """REST position_source codes → ``position_source`` values (unknown for anything else)."""
    v, _ = _json_floats(col, "position_source")
    return _SOURCE_LUT[_source_codes(v)]


class _Columns:
    """The columns of a JSON array of arrays, converted one at a time; the problems found on the way."""

    def __init__(self, records: list[Any], ctx: ReadContext) -> None:
        self.cols = list(itertools.zip_longest(*records, fillvalue=None))
        self.n = len(records)
        self.booleans = ctx.json_booleans
        self.problems: list[tuple[np.ndarray, str]] = []

    def num(self, i: int, label: str, factor: float = 1.0) -> np.ndarray:
        """Column ``i`` as float64 × ``factor``."""
        v, p = _json_floats(self.cols[i], label, factor, self.booleans)
        self.problems.extend(p)
        return v

    def time(self, i: int, label: str) -> tuple[np.ndarray, np.ndarray]:
        """Column ``i`` as float seconds, and as the framework's ``time`` column (a value that is no number kept as found)."""
        t, bad = _json_floats(self.cols[i], label, booleans=self.booleans)
        return t, _hand_over(t, _union(bad, self.n), lambda: _json_strings(self.cols[i]))

    def flags(self, i: int, label: str) -> np.ndarray:
        """Column ``i`` as float 1/0/NaN."""
        v, p = _json_booleans(self.cols[i], label)
        self.problems.extend(p)
        return v

    def strings(self, i: int) -> np.ndarray:
        """Column ``i`` as str / None."""
        return _json_strings(self.cols[i])


def read_states(obj: dict[str, Any], ctx: ReadContext) -> Iterator[RawChunk]:
    """Read a parsed REST ``/states/all`` (or ``/states/own``) document: one chunk, ``src_row`` the index in ``states``.

    A ``json`` reader (:mod:`flighttrace.io._base`).
    """
    states = obj.get("states")
    if states is None:
        ctx.notes.append("states is null: no aircraft in the snapshot")
        yield RawChunk.only_quarantine([])
        return
    if not isinstance(states, list):
        raise FormatError(f"OpenSky states document whose 'states' is neither an array nor null (found {type(states).__name__})")
    recs = select_records(states, array_rows(states, 17), "state vector is not an array of at least 17 values")
    if not len(recs):
        yield RawChunk.only_quarantine(recs.quarantine)
        return
    c = _Columns(recs.records, ctx)
    t_pos, time_col = c.time(3, "time_position")
    last = c.num(4, "last_contact")
    lon = c.num(5, "longitude")  # lon BEFORE lat in /states/all
    lat = c.num(6, "latitude")
    alt = c.num(7, "baro_altitude", FT_PER_M)
    gs = c.num(9, "velocity", KT_PER_MPS)
    track = c.num(10, "true_track")
    vrate = c.num(11, "vertical_rate", FPM_PER_MPS)
    on_ground = c.flags(8, "on_ground")
    with np.errstate(invalid="ignore"):
        stale = (last - t_pos) > STALE_AFTER_S
    ctx.notes.append("OpenSky /states/all: time of a point = time_position; m, m/s converted to ft, kt, ft/min")
    columns = {
        "icao24": c.strings(0), "callsign": c.strings(1), "time": time_col, "lat": lat, "lon": lon, "alt_ft": alt, "on_ground": on_ground,
        "gs_kt": gs, "track_deg": track, "vrate_fpm": vrate, "squawk": c.strings(14), "position_source": _json_sources(c.cols[16]), "stale": stale,
    }
    yield recs.chunk(columns, c.problems)


def read_tracks(obj: dict[str, Any], ctx: ReadContext) -> Iterator[RawChunk]:
    """Read a parsed REST ``/tracks/all`` document: one chunk, ``src_row`` the index in ``path``.

    A ``json`` reader (:mod:`flighttrace.io._base`).
    """
    path = obj.get("path")
    if path is None:
        yield RawChunk.only_quarantine([])
        return
    if not isinstance(path, list):
        raise FormatError(f"OpenSky track whose 'path' is neither an array nor null (found {type(path).__name__})")
    icao = obj.get("icao24")
    callsign = obj["callsign"] if "callsign" in obj else obj.get("calllsign")
    recs = select_records(path, array_rows(path, 6), "track waypoint is not an array of 6 values")
    if not len(recs):
        yield RawChunk.only_quarantine(recs.quarantine)
        return
    c = _Columns(recs.records, ctx)
    _, t_col = c.time(0, "time")
    lat = c.num(1, "latitude")  # lat BEFORE lon in /tracks/all
    lon = c.num(2, "longitude")
    alt = c.num(3, "baro_altitude", FT_PER_M)
    track = c.num(4, "true_track")
    on_ground = c.flags(5, "on_ground")
    ctx.notes.append("OpenSky /tracks/all: baro_altitude m converted to ft; no speeds in tracks")
    n = len(recs)
    columns = {
        "icao24": np.full(n, _json_strings([icao])[0], dtype=object), "callsign": np.full(n, _json_strings([callsign])[0], dtype=object),
        "time": t_col, "lat": lat, "lon": lon, "alt_ft": alt, "on_ground": on_ground, "track_deg": track,
    }
    yield recs.chunk(columns, c.problems)


SPECS: tuple[ReaderSpec, ...] = (
    ReaderSpec(name="opensky_states", kind="json", func=read_states, match=_match_states,
               description="OpenSky REST /states/all (or /states/own) JSON snapshot"),
    ReaderSpec(name="opensky_tracks", kind="json", func=read_tracks, match=_match_tracks,
               description="OpenSky REST /tracks/all JSON track of one aircraft"),
)
