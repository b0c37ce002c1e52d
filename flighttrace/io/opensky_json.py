"""OpenSky Network REST JSON: ``/states/all`` snapshots and ``/tracks/all`` tracks.

The formats are described in :mod:`flighttrace.io.opensky` (``opensky_states``,
``opensky_tracks``), which also holds the state-vector tables (CSV, Parquet)
and the conversions both share.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.jsonrecords import booleans_among
from flighttrace.io.jsonrows import JsonRecords, array_rows, json_text, select_records
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
                return _scaled(v, factor), []
    except (TypeError, ValueError, OverflowError):
        pass
    ser = pd.Series(list(col), dtype=object)
    kinds = ser.map(type)
    scalar = kinds.isin([int, float, str]).to_numpy()  # a JSON boolean is never a number
    v = pd.to_numeric(ser.where(scalar, None), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    bad = ser.notna().to_numpy() & np.isnan(v)
    obj = np.asarray(ser.map(lambda x: x if isinstance(x, str) else json_text(x)), dtype=object)
    return _scaled(v, factor), _value_problems(obj, bad, label, "is not a number")


def _scaled(v: np.ndarray, factor: float) -> np.ndarray:
    """``v × factor``; a value too large for float64 after the change of unit (1e308 m in feet) becomes inf without a
    warning, and the range checks then quarantine its row, naming the column."""
    if factor == 1.0:
        return v
    with np.errstate(over="ignore"):
        return v * factor


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


_STATE_NUMBERS: Final[dict[str, tuple[int, str, float]]] = {
    "lon": (5, "longitude", 1.0),  # lon BEFORE lat in /states/all
    "lat": (6, "latitude", 1.0),
    "alt_ft": (7, "baro_altitude", FT_PER_M),
    "gs_kt": (9, "velocity", KT_PER_MPS),
    "track_deg": (10, "true_track", 1.0),
    "vrate_fpm": (11, "vertical_rate", FPM_PER_MPS),
}
"""Numeric Points columns of a ``/states/all`` state vector: (index, OpenSky name, factor to flighttrace's unit)."""

_TRACK_NUMBERS: Final[dict[str, tuple[int, str, float]]] = {
    "lat": (1, "latitude", 1.0),  # lat BEFORE lon in /tracks/all
    "lon": (2, "longitude", 1.0),
    "alt_ft": (3, "baro_altitude", FT_PER_M),
    "track_deg": (4, "true_track", 1.0),
}
"""Numeric Points columns of a ``/tracks/all`` waypoint."""


def _arrays(items: Any, name: str, min_len: int, ctx: ReadContext) -> tuple[JsonRecords, _Columns] | None:
    """The records of a document's array ``name`` that are arrays of at least ``min_len`` values (the others
    quarantined, saying ``record``), with their columns; ``None`` when the document says null."""
    if items is None:
        return None
    if not isinstance(items, list):
        raise FormatError(f"OpenSky {_DOCUMENT[name]} whose {name!r} is neither an array nor null (found {type(items).__name__})")
    recs = select_records(items, array_rows(items, min_len), _BAD_RECORD[name])
    return recs, _Columns(recs.records, ctx)


_DOCUMENT: Final = {"states": "states document", "path": "track"}
_BAD_RECORD: Final = {"states": "state vector is not an array of at least 17 values", "path": "track waypoint is not an array of 6 values"}


def read_states(obj: dict[str, Any], ctx: ReadContext) -> Iterator[RawChunk]:
    """Read a parsed REST ``/states/all`` (or ``/states/own``) document: one chunk, ``src_row`` the index in ``states``.

    A ``json`` reader (:mod:`flighttrace.io._base`).
    """
    got = _arrays(obj.get("states"), "states", 17, ctx)
    if got is None:
        ctx.notes.append("states is null: no aircraft in the snapshot")
    if got is None or not len(got[0]):
        yield RawChunk.only_quarantine(got[0].quarantine if got is not None else [])
        return
    recs, c = got
    t_pos, time_col = c.time(3, "time_position")
    last = c.num(4, "last_contact")
    numbers = {name: c.num(i, label, factor) for name, (i, label, factor) in _STATE_NUMBERS.items()}
    on_ground = c.flags(8, "on_ground")
    with np.errstate(invalid="ignore"):
        stale = (last - t_pos) > STALE_AFTER_S
    ctx.notes.append("OpenSky /states/all: time of a point = time_position; m, m/s converted to ft, kt, ft/min")
    columns = {"icao24": c.strings(0), "callsign": c.strings(1), "time": time_col, **numbers, "on_ground": on_ground,
               "squawk": c.strings(14), "position_source": _json_sources(c.cols[16]), "stale": stale}
    yield recs.chunk(columns, c.problems)


def read_tracks(obj: dict[str, Any], ctx: ReadContext) -> Iterator[RawChunk]:
    """Read a parsed REST ``/tracks/all`` document: one chunk, ``src_row`` the index in ``path``.

    A ``json`` reader (:mod:`flighttrace.io._base`).
    """
    got = _arrays(obj.get("path"), "path", 6, ctx)
    if got is None:
        ctx.notes.append("path is null: the track holds no position")
    if got is None or not len(got[0]):
        yield RawChunk.only_quarantine(got[0].quarantine if got is not None else [])
        return
    recs, c = got
    _, t_col = c.time(0, "time")
    numbers = {name: c.num(i, label, factor) for name, (i, label, factor) in _TRACK_NUMBERS.items()}
    on_ground = c.flags(5, "on_ground")
    ctx.notes.append("OpenSky /tracks/all: baro_altitude m converted to ft; no speeds in tracks")
    callsign = obj["callsign"] if "callsign" in obj else obj.get("calllsign")
    n = len(recs)
    columns = {"icao24": np.full(n, _json_strings([obj.get("icao24")])[0], dtype=object), "callsign": np.full(n, _json_strings([callsign])[0], dtype=object),
               "time": t_col, **numbers, "on_ground": on_ground}
    yield recs.chunk(columns, c.problems)


SPECS: tuple[ReaderSpec, ...] = (
    ReaderSpec(name="opensky_states", kind="json", func=read_states, match=_match_states,
               description="OpenSky REST /states/all (or /states/own) JSON snapshot"),
    ReaderSpec(name="opensky_tracks", kind="json", func=read_tracks, match=_match_tracks,
               description="OpenSky REST /tracks/all JSON track of one aircraft"),
)
