"""Reference points corrected where a table wrote degrees, minutes and seconds as decimal digits.

``airportsdata`` 20260905 gives Brussels Airport (EBBR) 50.5405, 4.2904: the
digits of 50°54'05" N, 4°29'04" E written as decimals, 41 km south-west of
its runways. Leg detection looks for fields by their reference point, so such
a field is never a candidate for the tracks that use it (the Belgian and
Luxembourg fields of that release are all off this way).

The check is done once, when ``scripts/build_airport_data.py`` prebuilds the
airport table (its metadata lists the fields), and at run time only when the
index is built from ``airportsdata`` itself. The packaged runway table
(OurAirports, an independent source) is the check:
a field whose reference point lies farther than :data:`REF_RUNWAY_KM` from
every end of its own runways, and whose digits read as D°MM'SS" put it within
that distance of one of them, takes that reading. Nothing else is moved: when
the two sources disagree in any other way, neither can be told wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from flighttrace.geo import haversine_km

__all__ = ["CORRECTED_SOURCE", "POSITIONS_KEY", "REF_RUNWAY_KM", "corrected_positions", "dms_digits"]

REF_RUNWAY_KM: Final = 5.0
"""A reference point is on its field when it lies within this distance (km) of an end of one of its runways
(the longest runways are about 5 km; a reference point normally lies among them)."""

_RUNWAYS: Final = Path(__file__).parents[1] / "data" / "runways.parquet"
"""The packaged runway table (the file :data:`flighttrace.reference.runways.RUNWAYS_FILE` reads)."""

CORRECTED_SOURCE: Final = " (position read as D°MM'SS\", on its runways)"
"""Appended to the ``source`` of a corrected field."""

POSITIONS_KEY: Final = "positions_corrected"
"""Key (after ``flighttrace.``) of the prebuilt airport table's metadata saying its positions were checked here."""


def dms_digits(x: np.ndarray) -> np.ndarray:
    """Read decimal degrees as D.MMSS digits (50.5405 → 50°54'05" = 50.9014); NaN where minutes or seconds exceed 59.

    Parameters
    ----------
    x
        Coordinates, degrees.

    Returns
    -------
    numpy.ndarray
        The D°MM'SS" reading, degrees (sign kept).
    """
    a = np.abs(np.asarray(x, dtype=np.float64))
    deg = np.floor(a)
    hundredths = np.round((a - deg) * 1e6)  # MMSSss as an integer: no float residue decides a digit
    minutes = np.floor(hundredths / 1e4)
    seconds = (hundredths - minutes * 1e4) / 100.0
    ok = (minutes < 60) & (seconds < 60)
    return np.where(ok, np.sign(x) * (deg + minutes / 60.0 + seconds / 3600.0), np.nan)


def corrected_positions(table: pd.DataFrame, runways: pd.DataFrame | None = None) -> pd.DataFrame:
    """The airport table with reference points written as D.MMSS digits read as such, where the runways confirm it.

    Parameters
    ----------
    table
        An airport table (``code``, ``lat``, ``lon``, ``source``).
    runways
        Runway ends (``code``, ``le_lat``, ``le_lon``, ``he_lat``, ``he_lon``);
        default the packaged table (the table is returned unchanged when it is
        missing).

    Returns
    -------
    pandas.DataFrame
        ``table`` itself when nothing changes, else a copy with the corrected
        rows' ``lat``, ``lon`` and ``source`` (:data:`CORRECTED_SOURCE` appended).
    """
    if runways is None:
        if not _RUNWAYS.is_file():
            return table
        import pyarrow.parquet as pq

        cols = pq.ParquetFile(_RUNWAYS).read(columns=["code", "le_lat", "le_lon", "he_lat", "he_lon"])
        rw = {c: cols.column(c).to_numpy() for c in cols.column_names}
    else:
        rw = {c: runways[c].to_numpy() for c in ("code", "le_lat", "le_lon", "he_lat", "he_lon")}
    row = pd.Index(table["code"].to_numpy(dtype=object)).get_indexer(rw["code"].astype(object))
    keep = row >= 0
    if not keep.any():
        return table
    row = np.concatenate([row[keep], row[keep]])
    e_lat = np.concatenate([rw["le_lat"][keep], rw["he_lat"][keep]]).astype(np.float64)
    e_lon = np.concatenate([rw["le_lon"][keep], rw["he_lon"][keep]]).astype(np.float64)
    lat, lon = table["lat"].to_numpy(np.float64), table["lon"].to_numpy(np.float64)
    near_now = np.full(len(table), np.inf)
    np.minimum.at(near_now, row, haversine_km(lat[row], lon[row], e_lat, e_lon))
    # only the fields off their runways are read as D.MMSS
    off = np.flatnonzero(near_now > REF_RUNWAY_KM)
    if len(off) == 0:
        return table
    d_lat, d_lon = dms_digits(lat[off]), dms_digits(lon[off])
    slot = np.full(len(table), -1, dtype=np.int64)
    slot[off] = np.arange(len(off))
    pick = slot[row] >= 0
    near_dms = np.full(len(off), np.inf)
    d = haversine_km(d_lat[slot[row[pick]]], d_lon[slot[row[pick]]], e_lat[pick], e_lon[pick])
    np.minimum.at(near_dms, slot[row[pick]], np.nan_to_num(d, nan=np.inf))
    ok = near_dms <= REF_RUNWAY_KM
    if not ok.any():
        return table
    fix = off[ok]
    new_lat, new_lon = lat.copy(), lon.copy()
    new_lat[fix], new_lon[fix] = d_lat[ok], d_lon[ok]
    source = table["source"].to_numpy(dtype=object).copy()
    source[fix] = [f"{s_}{CORRECTED_SOURCE}" for s_ in source[fix]]  # a handful of rows
    return table.assign(lat=new_lat, lon=new_lon, source=source)
