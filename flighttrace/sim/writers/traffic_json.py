"""Write simulated state vectors as the traffic library writes them: a pandas JSON table (the writer for :mod:`flighttrace.io.traffic_json`).

Every file written here is synthetic and listed in its world's ``synthetic.json``.
"""

from __future__ import annotations

import os
from typing import Literal

import numpy as np
import pandas as pd

from flighttrace.timeutil import time_ns

__all__ = ["write_traffic_json"]

Orient = Literal["records", "columns", "index", "split", "table"]


def _frame(points: pd.DataFrame) -> pd.DataFrame:
    """Points → a traffic frame: pyopensky's columns and units (ft, kt, ft/min), times as UTC datetimes."""
    def col(name: str) -> pd.Series:
        return points[name] if name in points else pd.Series([None] * len(points), index=points.index, dtype=object)

    def floats(name: str) -> np.ndarray:
        return pd.to_numeric(col(name), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)

    ground = col("on_ground")
    return pd.DataFrame({
        "timestamp": pd.to_datetime(time_ns(points["time"]), unit="ns", utc=True),
        "icao24": points["icao24"].astype(str).str.lower().to_numpy(dtype=object),
        "latitude": floats("lat"),
        "longitude": floats("lon"),
        "groundspeed": floats("gs_kt"),
        "track": floats("track_deg"),
        "vertical_rate": floats("vrate_fpm"),
        "callsign": col("callsign").astype(object).where(col("callsign").notna(), None).to_numpy(dtype=object),
        "onground": ground.astype(object).where(ground.notna(), None).to_numpy(dtype=object),
        "squawk": col("squawk").astype(object).where(col("squawk").notna(), None).to_numpy(dtype=object),
        "altitude": floats("alt_ft"),
    })


def write_traffic_json(points: pd.DataFrame, path: str | os.PathLike[str], *, orient: Orient = "records", lines: bool = False) -> None:
    """Write Points as a traffic sample: a pandas JSON table of pyopensky's columns.

    Parameters
    ----------
    points
        Points columns (``time`` UTC). Any number of aircraft.
    path
        Output file; a name ending in ``.gz`` is gzipped (as traffic's
        samples are), by pandas.
    orient
        pandas' layout of the table: ``"records"`` (traffic's samples),
        ``"columns"`` (pandas' default), ``"index"``, ``"split"`` or ``"table"``.
    lines
        One record per line (JSON Lines; ``orient`` must be ``"records"``).

    Notes
    -----
    The file is what ``DataFrame.to_json`` writes, by pandas itself:
    ``timestamp`` in milliseconds since 1970 (ISO 8601 text in the
    ``"table"`` layout, which pandas writes no other way), ft, kt and ft/min,
    ``null`` for a missing value.
    """
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    frame = _frame(points)
    if orient != "table":  # milliseconds since 1970, what pandas writes for a time by default (the table layout writes ISO text)
        frame["timestamp"] = frame["timestamp"].dt.as_unit("ms").astype("int64")
    frame.to_json(os.fspath(path), orient=orient, lines=lines)
