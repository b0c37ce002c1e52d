"""Write simulated readsb files (the simulator's writer for :mod:`flighttrace.io.readsb`).

Every file written here is synthetic and listed in its world's ``synthetic.json``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import orjson
import pandas as pd

from flighttrace.sim.writers.files import write_file
from flighttrace.timeutil import time_ns

__all__ = ["write_trace"]

_SOURCE_BACK = {"adsb": "adsb_icao", "mlat": "mlat", "other": "other", "unknown": None}


def _json_list(values: np.ndarray, decimals: int | None) -> list[Any]:
    """Floats → list of JSON numbers (None for NaN), rounded as readsb prints them."""
    v = np.asarray(values, dtype=np.float64)
    nan = np.isnan(v)
    if decimals is None:
        out = np.round(np.where(nan, 0, v)).astype(np.int64).astype(object)
    else:
        out = np.round(np.where(nan, 0, v), decimals).astype(object)
    out[nan] = None
    return out.tolist()


def _str_or_none(values: Any, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, None, dtype=object)
    s = pd.Series(values, dtype=object)
    return s.where(s.notna(), None).to_numpy(dtype=object)


def _details(cs: np.ndarray, sq: np.ndarray, every: int) -> np.ndarray:
    """The details object per point (None where none is written): on a callsign or squawk change, and every ``every`` points."""
    n = len(cs)
    changed = np.ones(n, dtype=bool)
    changed[1:] = (cs[1:] != cs[:-1]) | (sq[1:] != sq[:-1])
    emit = changed | (np.arange(n) % every == 0)
    details = np.full(n, None, dtype=object)
    idx = np.flatnonzero(emit & (pd.notna(cs) | pd.notna(sq)))
    # one small dict per emitted details object (a quarter of the points), as readsb writes them
    details[idx] = [
        {k: v for k, v in (("flight", None if c is None else str(c).ljust(8)), ("squawk", q)) if v is not None}
        for c, q in zip(cs[idx], sq[idx], strict=True)
    ]
    return details


def write_trace(
    points: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    timestamp: float | None = None,
    registration: str | None = None,
    typecode: str | None = None,
    db_flags: int | None = None,
    compress: bool = True,
    legacy: bool = False,
    details_every: int = 4,
) -> None:
    """Write one aircraft's points as a readsb ``trace_full`` file.

    Parameters
    ----------
    points
        Points of one aircraft (Points columns; ``time`` UTC), sorted by time.
    path
        Output path, conventionally ``traces/<xx>/trace_full_<hex>.json``.
    timestamp
        Reference epoch (s). Default: UTC midnight of the first point, as in
        readsb history files.
    registration, typecode, db_flags
        Top-level ``r``, ``t``, ``dbFlags``.
    compress
        gzip the file (as readsb does), even though the name ends in ``.json``.
    legacy
        Write pre-2022 9-element points (no source type or extra fields).
    details_every
        Emit a details object every this many points, and whenever the
        callsign or squawk changes.

    Notes
    -----
    Altitudes are written as integers in feet, ``"ground"`` when
    ``on_ground`` is true; speeds with one decimal, as readsb does.
    """
    n = len(points)
    if n == 0:
        raise ValueError("write_trace needs at least one point")
    hexes = points["icao24"].astype(str).unique()
    if len(hexes) != 1:
        raise ValueError(f"write_trace writes one aircraft per file, got {len(hexes)}")
    t_s = time_ns(points["time"]) / 1e9
    if timestamp is None:
        timestamp = float(np.floor(t_s[0] / 86400.0) * 86400.0)

    def col(name: str) -> Any:
        return points[name] if name in points else None

    og = col("on_ground")
    ground = np.zeros(n, bool) if og is None else pd.Series(og).fillna(False).astype(bool).to_numpy()
    alt = np.array(_json_list(col("alt_ft") if col("alt_ft") is not None else np.full(n, np.nan), None), dtype=object)
    alt[ground] = "ground"
    flags = np.zeros(n, dtype=np.int64)
    if col("stale") is not None:
        flags |= pd.Series(col("stale")).fillna(False).astype(bool).to_numpy().astype(np.int64)
    if col("new_leg") is not None:
        flags |= pd.Series(col("new_leg")).fillna(False).astype(bool).to_numpy().astype(np.int64) << 1
    details = _details(_str_or_none(col("callsign"), n), _str_or_none(col("squawk"), n), details_every)
    nanf = np.full(n, np.nan)
    columns: list[list[Any]] = [
        np.round(t_s - timestamp, 2).tolist(),
        np.round(points["lat"].to_numpy(dtype=np.float64), 6).tolist(),
        np.round(points["lon"].to_numpy(dtype=np.float64), 6).tolist(),
        alt.tolist(),
        _json_list(nanf if col("gs_kt") is None else col("gs_kt"), 1),
        _json_list(nanf if col("track_deg") is None else col("track_deg"), 1),
        flags.tolist(),
        _json_list(nanf if col("vrate_fpm") is None else col("vrate_fpm"), None),
        details.tolist(),
    ]
    if not legacy:
        ps = col("position_source")
        src = [None] * n if ps is None else pd.Series(ps).astype(object).map(_SOURCE_BACK).where(lambda s: s.notna(), None).tolist()
        columns += [src, [None] * n, [None] * n, [None] * n, [None] * n]
    trace = list(map(list, zip(*columns, strict=True)))
    doc: dict[str, Any] = {"icao": str(hexes[0])}
    if registration is not None:
        doc["r"] = registration
    if typecode is not None:
        doc["t"] = typecode
    if db_flags is not None:
        doc["dbFlags"] = int(db_flags)
    doc["timestamp"] = round(timestamp, 3)
    doc["trace"] = trace
    write_file(orjson.dumps(doc), path, compress=compress)
