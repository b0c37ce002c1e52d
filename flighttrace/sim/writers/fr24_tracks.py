"""Write simulated FR24 API ``flight-tracks`` CSV files (the simulator's writer for :mod:`flighttrace.io.fr24_tracks`).

Every file written here is synthetic and listed in its world's ``synthetic.json``.
"""

from __future__ import annotations

import os
from typing import Final

import numpy as np
import pandas as pd

from flighttrace.sim.writers.fr24 import _alt_ground_zero, _column, _csv_callsigns, _epoch_s, _fmt_fixed, _fmt_int, _iso_z, _one_aircraft, _texts, _write

__all__ = ["API_TRACK_COLUMNS", "write_fr24_api_tracks"]

API_TRACK_COLUMNS: Final = ("timestamp", "lat", "lon", "alt", "gspeed", "vspeed", "track", "squawk", "callsign", "source")
"""The header pyfr24 writes for FR24 API flight tracks, in its order."""

_SOURCE_NAMES: Final = {"adsb": "ADSB", "mlat": "MLAT", "other": "OTHER"}


def write_fr24_api_tracks(points: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write one aircraft's points as an FR24 API flight-tracks CSV, as pyfr24 flattens it.

    Parameters
    ----------
    points
        Points of one aircraft, sorted by time.
    path
        Output file. The format carries no ICAO address: name the file with
        a ``hex<hex>`` token (``AZQ6224_hex600864_data.csv``) so it reads back.

    Notes
    -----
    The header is :data:`API_TRACK_COLUMNS` and every line ends in CRLF (as
    :class:`csv.DictWriter` writes). Times are whole seconds in ISO 8601
    with ``Z``; ``alt``, ``gspeed``, ``vspeed`` and ``track`` integers (ft,
    kt, ft/min, degrees), ``alt`` 0 on the ground; ``squawk`` ``0`` when
    not known; ``source`` ADSB / MLAT / OTHER (empty when unknown). Other
    unknown values are empty fields; a callsign with a comma or a quote is
    quoted. An airborne altitude that rounds to 0 ft is written as 0, which
    reads back as FR24's ground convention says.

    Raises
    ------
    ValueError
        For no points, several aircraft, or a callsign with a line break.
    """
    _one_aircraft(points, "write_fr24_api_tracks")
    alt = _alt_ground_zero(points)
    callsign = _csv_callsigns(points, "write_fr24_api_tracks")
    squawk = _texts(points, "squawk").str.strip().to_numpy(dtype=object)
    squawk[squawk == ""] = "0"
    source = _texts(points, "position_source").map(_SOURCE_NAMES).fillna("").to_numpy(dtype=object)
    fields = [
        _iso_z(_epoch_s(points)) + "Z",
        _fmt_fixed(_column(points, "lat"), 6),
        _fmt_fixed(_column(points, "lon"), 6),
        alt,
        _fmt_int(_column(points, "gs_kt")),
        _fmt_int(_column(points, "vrate_fpm")),
        _fmt_int(_column(points, "track_deg")),
        squawk,
        callsign,
        source,
    ]
    lines = np.asarray(fields[0], dtype=object)
    for f in fields[1:]:
        lines = lines + "," + f
    _write(path, (",".join(API_TRACK_COLUMNS) + "\r\n" + "\r\n".join(lines.tolist()) + "\r\n").encode("utf-8"))
