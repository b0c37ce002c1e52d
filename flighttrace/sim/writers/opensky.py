"""Write simulated opensky files (the simulator's writer for :mod:`flighttrace.io.opensky`).

Every file written here is synthetic and listed in its world's ``synthetic.json``.
"""

from __future__ import annotations

import os
from typing import Any, Final

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from flighttrace.io.opensky import FPM_PER_MPS, FT_PER_M, KT_PER_MPS, STALE_AFTER_S, STATE_VECTOR_COLUMNS
from flighttrace.timeutil import time_ns

__all__ = ["write_state_vectors_csv", "write_state_vectors_parquet", "write_states_json", "write_tracks_json"]

_STALE_WRITE_AGE_S: Final = 2 * STALE_AFTER_S
"""Age of the last position / contact the writers give a stale point."""

# ---------------------------------------------------------------------------
# writers


def _col(points: pd.DataFrame, name: str, default: Any) -> pd.Series:
    if name in points:
        return points[name]
    return pd.Series([default] * len(points), index=points.index, dtype=object if not isinstance(default, float) else np.float64)


def _floats(points: pd.DataFrame, name: str, factor: float = 1.0, decimals: int | None = None) -> np.ndarray:
    v = pd.to_numeric(_col(points, name, np.nan), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True) / factor
    return np.round(v, decimals) if decimals is not None else v


def _texts(points: pd.DataFrame, name: str) -> np.ndarray:
    s = _col(points, name, None).astype(object)
    return s.where(s.notna(), None).to_numpy(dtype=object)


def _padded(values: np.ndarray) -> np.ndarray:
    s = pd.Series(values, dtype=object)
    has = s.notna()
    out = s.copy()
    out[has] = s[has].astype(str).str.ljust(8)
    return out.where(has, None).to_numpy(dtype=object)


def _ground(points: pd.DataFrame) -> np.ndarray:
    """on_ground → object array of True/False/None."""
    s = _col(points, "on_ground", None)
    out = np.full(len(points), None, dtype=object)
    has = s.notna().to_numpy()
    out[has] = s[has].astype(bool).to_numpy()
    return out


def _stale(points: pd.DataFrame) -> np.ndarray:
    return _col(points, "stale", False).fillna(False).astype(bool).to_numpy()


def _state_vector_table(points: pd.DataFrame) -> pa.Table:
    """Points → a ``state_vectors_data4`` table (SI units, integer-second time)."""
    n = len(points)
    t = time_ns(points["time"]) // 10**9
    age = np.where(_stale(points), _STALE_WRITE_AGE_S, 0.0)
    last = t.astype(np.float64) - age
    ground = _ground(points)
    arrays = {
        "time": pa.array(t, pa.int64()),
        "icao24": pa.array(points["icao24"].astype(str).str.lower().to_numpy(dtype=object), pa.string()),
        "lat": pa.array(_floats(points, "lat", 1.0, 6), from_pandas=True),
        "lon": pa.array(_floats(points, "lon", 1.0, 6), from_pandas=True),
        "velocity": pa.array(_floats(points, "gs_kt", KT_PER_MPS, 3), from_pandas=True),
        "heading": pa.array(_floats(points, "track_deg", 1.0, 3), from_pandas=True),
        "vertrate": pa.array(_floats(points, "vrate_fpm", FPM_PER_MPS, 3), from_pandas=True),
        "callsign": pa.array(_padded(_texts(points, "callsign")), pa.string()),
        "onground": pa.array(ground, pa.bool_()),
        "alert": pa.array(np.zeros(n, dtype=bool)),
        "spi": pa.array(np.zeros(n, dtype=bool)),
        "squawk": pa.array(_texts(points, "squawk"), pa.string()),
        "baroaltitude": pa.array(_floats(points, "alt_ft", FT_PER_M, 3), from_pandas=True),
        "geoaltitude": pa.nulls(n, pa.float64()),
        "lastposupdate": pa.array(last),
        "lastcontact": pa.array(last),
        "serials": pa.nulls(n, pa.list_(pa.int32())),
        "hour": pa.array(t - t % 3600, pa.int64()),
    }
    return pa.table([arrays[c] for c in STATE_VECTOR_COLUMNS], names=list(STATE_VECTOR_COLUMNS))


def write_state_vectors_csv(points: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write Points as an OpenSky ``state_vectors_data4`` CSV export.

    Parameters
    ----------
    points
        Points columns (``time`` UTC). Any number of aircraft.
    path
        Output file.

    Notes
    -----
    SI units (m, m/s), ``time`` in integer epoch seconds (sub-second parts
    are truncated), callsigns padded to 8 characters, ``hour`` the time
    floored to the hour. A stale point gets ``lastposupdate`` and
    ``lastcontact`` 30 s before its ``time``; a fresh one gets its ``time``.
    ``serials`` is written empty. Strings are quoted, as Trino's CSV output
    does.
    """
    table = _state_vector_table(points).drop_columns(["serials"])
    table = table.append_column("serials", pa.nulls(len(points), pa.string())).select(list(STATE_VECTOR_COLUMNS))
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    pacsv.write_csv(table, os.fspath(path), pacsv.WriteOptions(include_header=True, quoting_style="needed"))


def write_state_vectors_parquet(points: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write Points as OpenSky state vectors in Parquet (same columns as the CSV).

    Parameters
    ----------
    points
        Points columns (``time`` UTC).
    path
        Output file.

    Notes
    -----
    ``time`` and ``hour`` are int64 epoch seconds; ``serials`` is a null
    ``list<int32>``; zstd compression. Parquet metadata holds no time of
    writing, so the bytes depend only on the data and the pyarrow version.
    """
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    pq.write_table(_state_vector_table(points), os.fspath(path), compression="zstd")


_SOURCE_CODES_BACK: Final = {"adsb": 0, "mlat": 2, "other": 1}


def _json_numbers(values: np.ndarray, decimals: int) -> list[Any]:
    v = np.asarray(values, dtype=np.float64)
    nan = np.isnan(v)
    out = np.round(np.where(nan, 0.0, v), decimals).astype(object)
    out[nan] = None
    return out.tolist()


def write_states_json(
    points_snapshot: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    time: int | float | pd.Timestamp,
    origin_country: str = "",
) -> None:
    """Write one snapshot of Points as a REST ``/states/all`` response.

    Parameters
    ----------
    points_snapshot
        At most one point per aircraft, all at or before ``time``.
    path
        Output file.
    time
        The snapshot time (epoch seconds or a timestamp), the document's ``time``.
    origin_country
        Value of ``origin_country`` for every state (flighttrace does not infer it).

    Notes
    -----
    Longitude before latitude, m and m/s, integer seconds. A stale point's
    ``last_contact`` is 30 s after its ``time_position``. ``position_source``
    "unknown" is written as null (the API never does; it keeps the round trip
    honest). An empty frame gives ``"states": null``, as the API does.
    """
    t_doc = int(pd.Timestamp(time).value // 10**9) if isinstance(time, pd.Timestamp) else int(time)
    p = points_snapshot
    n = len(p)
    t = time_ns(p["time"]) // 10**9 if n else np.empty(0, dtype=np.int64)
    last = t + np.where(_stale(p), int(_STALE_WRITE_AGE_S), 0).astype(np.int64)
    src = _col(p, "position_source", "unknown").astype(object).map(_SOURCE_CODES_BACK)
    src_list = src.where(src.notna(), None).tolist()
    columns: list[list[Any]] = [
        p["icao24"].astype(str).str.lower().tolist(),
        _padded(_texts(p, "callsign")).tolist(),
        [origin_country] * n,
        t.tolist(),
        last.tolist(),
        _json_numbers(_floats(p, "lon"), 6),
        _json_numbers(_floats(p, "lat"), 6),
        _json_numbers(_floats(p, "alt_ft", FT_PER_M), 3),
        _ground(p).tolist(),
        _json_numbers(_floats(p, "gs_kt", KT_PER_MPS), 3),
        _json_numbers(_floats(p, "track_deg"), 3),
        _json_numbers(_floats(p, "vrate_fpm", FPM_PER_MPS), 3),
        [None] * n,
        [None] * n,
        _texts(p, "squawk").tolist(),
        [False] * n,
        src_list,
    ]
    doc = {"time": t_doc, "states": list(map(list, zip(*columns, strict=True))) if n else None}
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(orjson.dumps(doc))


def write_tracks_json(points_one_aircraft: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write one aircraft's Points as a REST ``/tracks/all`` response.

    Parameters
    ----------
    points_one_aircraft
        Points of a single aircraft, sorted by time.
    path
        Output file.

    Notes
    -----
    Latitude before longitude; ``baro_altitude`` in m; integer seconds;
    ``callsign`` is the first callsign of the track (padded) or null.
    Every point is written (OpenSky thins waypoints; flighttrace does not).
    """
    p = points_one_aircraft
    n = len(p)
    if n == 0:
        raise ValueError("write_tracks_json needs at least one point")
    hexes = p["icao24"].astype(str).str.lower().unique()
    if len(hexes) != 1:
        raise ValueError(f"write_tracks_json writes one aircraft per file, got {len(hexes)}")
    t = time_ns(p["time"]) // 10**9
    cs = pd.Series(_texts(p, "callsign"), dtype=object).dropna()
    callsign = str(cs.iloc[0]).ljust(8) if len(cs) else None
    columns: list[list[Any]] = [
        t.tolist(),
        _json_numbers(_floats(p, "lat"), 6),
        _json_numbers(_floats(p, "lon"), 6),
        _json_numbers(_floats(p, "alt_ft", FT_PER_M), 3),
        _json_numbers(_floats(p, "track_deg"), 3),
        _ground(p).tolist(),
    ]
    doc = {
        "icao24": str(hexes[0]),
        "startTime": int(t.min()),
        "endTime": int(t.max()),
        "callsign": callsign,
        "path": list(map(list, zip(*columns, strict=True))),
    }
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(orjson.dumps(doc))
