"""Write simulated aircraft files (the simulator's writer for :mod:`flighttrace.io.aircraft`).

Every file written here is synthetic and listed in its world's ``synthetic.json``.
"""

from __future__ import annotations

import os
from typing import Any, Final

import numpy as np
import orjson
import pandas as pd

from flighttrace.io.aircraft import LAT_LON_DECIMALS, MLAT_FIELDS, MS_PER_S, SEEN_DECIMALS, SPEED_DECIMALS
from flighttrace.sim.writers.files import write_file
from flighttrace.timeutil import time_ns

__all__ = ["write_aircraft_json", "write_v2"]

_SOURCE_BACK: Final = {"adsb": "adsb_icao", "mlat": "mlat", "other": "other"}
"""``position_source`` → readsb ``type`` string, for the writers."""

# --------------------------------------------------------------------------- writers


def _fmt_num(values: Any, decimals: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Floats → (object array of JSON number texts, NaN mask); ``None`` decimals → integers."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    nan = ~np.isfinite(v)
    z = np.where(nan, 0.0, v)
    if decimals is None:
        txt = np.round(z).astype(np.int64).astype(str)
    else:
        txt = np.round(z, decimals).astype(str)
    return txt.astype(object), nan


def _num_field(key: str, values: Any, decimals: int | None) -> np.ndarray:
    """``,"key":value`` per row, or ``""`` where the value is missing."""
    txt, nan = _fmt_num(values, decimals)
    return np.where(nan, "", f',"{key}":' + txt).astype(object)


def _json_strings(values: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Strings → (object array of JSON string literals, missing mask); escaped once per distinct value."""
    if values is None:
        return np.full(n, "", dtype=object), np.ones(n, dtype=bool)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object).to_numpy(dtype=object), use_na_sentinel=True)
    lut = np.array([orjson.dumps(str(u)).decode() for u in uniques] + [""], dtype=object)
    return lut[codes], codes < 0


def _str_field(key: str, values: Any, n: int, pad: int = 0) -> np.ndarray:
    if values is not None and pad:
        s = pd.Series(values, dtype=object)
        values = s.where(s.isna(), s.astype(str).str.ljust(pad))
    txt, missing = _json_strings(values, n)
    return np.where(missing, "", f',"{key}":' + txt).astype(object)


def _bool_col(points: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(values, missing) of a nullable boolean column; all missing when absent."""
    n = len(points)
    if name not in points:
        return np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
    s = pd.Series(points[name]).astype("boolean")
    return s.fillna(False).to_numpy(dtype=bool), s.isna().to_numpy()


def _entries(points: pd.DataFrame, now: float) -> list[str]:
    """One JSON object text per row, keys in readsb order, missing values omitted."""
    n = len(points)
    if n == 0:
        return []
    hexes = points["icao24"].astype(str)
    if hexes.duplicated().any():
        raise ValueError("a snapshot has one row per aircraft; icao24 repeats: " + ", ".join(sorted(set(hexes[hexes.duplicated()]))[:5]))
    t_s = time_ns(pd.Series(points["time"])) / 1e9
    if (t_s > now).any():
        raise ValueError("points later than the snapshot's now cannot be written (seen_pos would be negative)")

    def col(name: str) -> Any:
        return points[name] if name in points else None

    def num(name: str) -> Any:
        return np.full(n, np.nan) if name not in points else points[name]

    src = col("position_source")
    src_s = pd.Series(np.full(n, None, dtype=object) if src is None else pd.Series(src).astype(object).to_numpy())
    type_txt = src_s.map(_SOURCE_BACK)
    ground, ground_na = _bool_col(points, "on_ground")
    ground &= ~ground_na
    alt_txt, alt_nan = _fmt_num(num("alt_ft"), None)
    alt_field = np.where(ground, ',"alt_baro":"ground"', np.where(alt_nan, "", ',"alt_baro":' + alt_txt)).astype(object)
    mil, mil_na = _bool_col(points, "military")
    db_field = np.where(mil_na, "", np.where(mil, ',"dbFlags":1', ',"dbFlags":0')).astype(object)
    stale, _ = _bool_col(points, "stale")
    seen_pos = now - t_s
    lat_txt, _ = _fmt_num(points["lat"], LAT_LON_DECIMALS)
    lon_txt, _ = _fmt_num(points["lon"], LAT_LON_DECIMALS)
    seen_txt, _ = _fmt_num(seen_pos, SEEN_DECIMALS)
    regular = ',"lat":' + lat_txt + ',"lon":' + lon_txt + ',"seen_pos":' + seen_txt
    last = ',"lastPosition":{"lat":' + lat_txt + ',"lon":' + lon_txt + ',"nic":0,"rc":0,"seen_pos":' + seen_txt + "}"
    position = np.where(stale, last, regular).astype(object)
    is_mlat = (src_s == "mlat").to_numpy()
    mlat_list = ',"mlat":' + orjson.dumps(list(MLAT_FIELDS)).decode() + ',"tisb":[]'
    mlat_field = np.where(is_mlat, mlat_list, np.where(src_s.isna().to_numpy(), "", ',"mlat":[],"tisb":[]')).astype(object)
    hex_txt, _ = _json_strings(points["icao24"].astype(str), n)
    out = (
        '{"hex":' + hex_txt
        + _str_field("type", type_txt.where(type_txt.notna(), None), n)
        + _str_field("flight", col("callsign"), n, pad=8)
        + _str_field("r", col("registration"), n)
        + _str_field("t", col("typecode"), n)
        + db_field
        + alt_field
        + _num_field("gs", num("gs_kt"), SPEED_DECIMALS)
        + _num_field("track", num("track_deg"), SPEED_DECIMALS)
        + _num_field("baro_rate", num("vrate_fpm"), None)
        + _str_field("squawk", col("squawk"), n)
        + position
        + mlat_field
        + ',"seen":' + seen_txt
        + "}"
    )
    return list(out)


def _now_s(now: float | pd.Timestamp) -> float:
    if isinstance(now, pd.Timestamp):
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware (or epoch seconds)")
        return now.value / 1e9
    return float(now)


def write_aircraft_json(
    points: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    now: float | pd.Timestamp,
    compress: bool = False,
) -> None:
    """Write one snapshot as a readsb ``aircraft.json``.

    Parameters
    ----------
    points
        One row per aircraft (Points columns; ``time`` UTC, none later than
        ``now``).
    path
        Output path.
    now
        The snapshot time: epoch seconds or a timezone-aware timestamp.
    compress
        gzip the file (deterministic bytes: no name, mtime 0).

    Notes
    -----
    ``seen_pos = now − time`` (3 decimals, s); altitude is an integer in feet
    or ``"ground"``; ``stale`` rows are written as ``lastPosition``;
    ``military`` as ``dbFlags`` 1 / 0; ``mlat`` positions carry an ``mlat``
    field list containing ``"lat"``.
    """
    now_s = _now_s(now)
    entries = _entries(points, now_s)
    now_txt, _ = _fmt_num([now_s], SEEN_DECIMALS)
    text = '{ "now" : ' + now_txt[0] + ',\n  "messages" : ' + str(len(entries)) + ',\n  "aircraft" : [\n' + ",\n".join(entries) + "\n  ]\n}\n"
    write_file(text.encode(), path, compress=compress)


def write_v2(points: pd.DataFrame, path: str | os.PathLike[str], *, now: float | pd.Timestamp, compress: bool = False) -> None:
    """Write one snapshot as a v2 API (jv2) response, ``now`` and ``ctime`` in ms.

    The parameters and the entries are those of :func:`write_aircraft_json`.
    """
    now_s = _now_s(now)
    entries = _entries(points, now_s)
    now_ms = str(int(round(now_s * MS_PER_S)))
    text = '{"ac":[' + ",".join(entries) + '],"msg":"No error","now":' + now_ms + ',"total":' + str(len(entries)) + ',"ctime":' + now_ms + ',"ptime":0}'
    write_file(text.encode(), path, compress=compress)
