"""Tiny builders for tests: small Points frames and trace files with known values."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

T0 = pd.Timestamp("2023-09-01T06:00:00Z")
"""A fixed reference time used across tests."""


def points(n: int = 5, *, icao24: str = "600864", start: pd.Timestamp = T0, step_s: float = 20.0, **cols: Any) -> pd.DataFrame:
    """A Points-like frame of one aircraft climbing out of Baku, overridable per column."""
    base: dict[str, Any] = {
        "icao24": [icao24] * n,
        "time": pd.date_range(start, periods=n, freq=pd.Timedelta(seconds=step_s)),
        "lat": np.linspace(40.46, 40.60, n),
        "lon": np.linspace(50.05, 49.90, n),
        "alt_ft": np.linspace(1000, 5000, n),
        "on_ground": [False] * n,
        "gs_kt": np.linspace(150, 250, n),
        "track_deg": [315.0] * n,
        "vrate_fpm": [1500.0] * n,
        "callsign": ["AZQ6224"] * n,
        "squawk": ["1000"] * n,
        "position_source": ["adsb"] * n,
        "stale": [False] * n,
        "new_leg": [False] * n,
    }
    base.update(cols)
    return pd.DataFrame(base)


def trace_doc(points_: list[list[Any]], *, icao: str = "600864", timestamp: float = 1693526400.0, **top: Any) -> dict[str, Any]:
    """A readsb trace document with the given raw point arrays."""
    doc: dict[str, Any] = {"icao": icao, **top, "timestamp": timestamp, "trace": points_}
    return doc


def write_json(path: Path, obj: Any, *, gz: bool = False) -> Path:
    """Write ``obj`` as JSON, gzip-compressed when ``gz`` (name unchanged)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = orjson.dumps(obj)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path
