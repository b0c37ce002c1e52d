"""Write simulated FR24 "ADS-B data granular" CSV files (the simulator's writer for :mod:`flighttrace.io.fr24_granular`).

Every file written here is synthetic and listed in its world's ``synthetic.json``.
"""

from __future__ import annotations

import os
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.timeutil import time_ns

__all__ = ["WRITTEN_COLUMNS", "write_fr24_granular"]

WRITTEN_COLUMNS: Final = (
    "network_time", "receiver_time", "hex", "callsign", "latitude", "longitude", "no_position", "altitude",
    "ground_speed", "track", "vertical_speed", "squawk", "on_ground", "source",
)
"""The columns :func:`write_fr24_granular` writes: the documented start of the header, then those the reader takes."""

_SOURCE_NAMES: Final = {"adsb": "ADSB", "mlat": "MLAT", "other": "OTHER"}


def _fixed(values: Any, decimals: int) -> np.ndarray:
    """Floats → fixed-point texts; "" for NaN."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    nan = ~np.isfinite(v)
    out = np.char.mod(f"%.{decimals}f", np.where(nan, 0.0, v)).astype(object)
    out[nan] = ""
    return out


def _text(points: pd.DataFrame, name: str) -> np.ndarray:
    if name not in points:
        return np.full(len(points), "", dtype=object)
    s = pd.Series(points[name].to_numpy(dtype=object), dtype=object)
    return s.where(s.notna(), "").astype(str).to_numpy(dtype=object)


def write_fr24_granular(points: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write Points (any number of aircraft) as an FR24 granular CSV with :data:`WRITTEN_COLUMNS`.

    Parameters
    ----------
    points
        Points columns; ``time`` UTC.
    path
        Output file.

    Notes
    -----
    Times are epoch seconds with milliseconds, written to both
    ``network_time`` and ``receiver_time``; the hex in upper case;
    altitude, speed and vertical speed as integers (ft, kt, ft/min);
    ``no_position`` 0; ``on_ground`` 1/0 (empty when not known); ``source``
    ADSB / MLAT / OTHER (empty when unknown). The output is deterministic.
    Callsigns must not hold a comma or a line break.
    """
    n = len(points)
    t = _fixed(time_ns(pd.Series(points["time"]).reset_index(drop=True)) / 1e9, 3)
    ground = pd.Series(points["on_ground"] if "on_ground" in points else [pd.NA] * n, dtype="boolean").reset_index(drop=True)
    og = np.where(ground.isna(), "", np.where(ground.fillna(False), "1", "0")).astype(object)
    src = pd.Series(_text(points, "position_source")).map(_SOURCE_NAMES).fillna("").to_numpy(dtype=object)
    callsign = _text(points, "callsign")
    if any("," in c or "\n" in c or "\r" in c for c in pd.unique(callsign)):
        raise ValueError("write_fr24_granular: a callsign holds a comma or a line break")
    fields = [
        t, t, pd.Series(_text(points, "icao24")).str.upper().to_numpy(dtype=object), callsign,
        _fixed(points["lat"], 6), _fixed(points["lon"], 6), np.full(n, "0", dtype=object),
        _fixed(points["alt_ft"] if "alt_ft" in points else np.full(n, np.nan), 0),
        _fixed(points["gs_kt"] if "gs_kt" in points else np.full(n, np.nan), 0),
        _fixed(points["track_deg"] if "track_deg" in points else np.full(n, np.nan), 0),
        _fixed(points["vrate_fpm"] if "vrate_fpm" in points else np.full(n, np.nan), 0),
        _text(points, "squawk"), og, src,
    ]
    lines = fields[0]
    for f in fields[1:]:
        lines = lines + "," + f
    body = ",".join(WRITTEN_COLUMNS) + "\n" + "".join(line + "\n" for line in lines.tolist())
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(body.encode("utf-8"))


