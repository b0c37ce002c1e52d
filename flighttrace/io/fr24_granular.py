"""FlightRadar24 "ADS-B data granular" CSV exports.

FR24's data services sell position data as CSV files with one row per
received message and the aircraft's ICAO address in every row. The header
starts ``network_time,receiver_time,hex,callsign,latitude,longitude,
no_position,altitude,…``. The rest of the column list could not be checked
against a published description, so the reader goes by column names, not
positions, and takes what it knows:

============================  ==================================  =======
field                         columns (first found wins)          unit
============================  ==================================  =======
time                          ``receiver_time``, ``network_time``  s (ms, µs, ns told by size) or ISO 8601
icao24                        ``hex``
callsign                      ``callsign``, ``flight``
lat, lon                      ``latitude``, ``longitude``          deg
altitude                      ``altitude``                         ft
ground speed                  ``ground_speed``, ``speed`` …        kt
track                         ``track``, ``heading``               deg
vertical rate                 ``vertical_speed``, ``vertical_rate`` ft/min
squawk, on ground, source     ``squawk``, ``on_ground``, ``source``
============================  ==================================  =======

The time of a point is ``receiver_time`` (when a receiver heard the
message); ``network_time`` (when FR24's network handled it) is used only
where ``receiver_time`` is empty, and the manifest says so. A row whose
``no_position`` flag is set carries no position of its own: it is
quarantined with that reason. Columns the reader does not use are named in
the manifest notes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, BinaryIO, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flighttrace.cells import NONE
from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.csvchunks import csv_chunks
from flighttrace.io.csvstream import CsvStream
from flighttrace.io.opensky import _booleans, _numbers, _squawks, _strings, _times

__all__ = ["COLUMNS", "SPECS", "columns_by_name", "read_granular", "unread_note"]

COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "receiver_time": ("receiver_time",),
    "network_time": ("network_time",),
    "icao24": ("hex",),
    "callsign": ("callsign", "flight"),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "lon"),
    "no_position": ("no_position",),
    "alt_ft": ("altitude", "alt"),
    "gs_kt": ("ground_speed", "groundspeed", "gspeed", "speed"),
    "track_deg": ("track", "heading"),
    "vrate_fpm": ("vertical_speed", "vertical_rate", "vspeed", "vert_speed"),
    "squawk": ("squawk",),
    "on_ground": ("on_ground", "onground", "ground"),
    "position_source": ("source", "position_source"),
    "registration": ("registration", "reg"),
    "typecode": ("aircraft_type", "equip", "typecode"),
}
"""Points field (or helper field) → the column names that give it, in order of preference."""

CSV_BLOCK_BYTES: int = 8 << 20
"""Bytes of CSV parsed per block."""

TICKS: Final = ((10**17, 1e9, "nanoseconds"), (10**14, 1e6, "microseconds"), (10**11, 1e3, "milliseconds"))
"""(smallest value, ticks per second, name): epoch times this large are not seconds (1e11 s is the year 5138)."""

_SOURCES: Final = {"adsb": "adsb", "ads-b": "adsb", "adsb_icao": "adsb", "mlat": "mlat"}
"""FR24 source names → ``position_source`` (any other name: "other")."""

_TIME_NOTE: Final = "FR24 granular CSV: time of a point = receiver_time"


def _clean(name: str) -> str:
    return name.strip().strip('"').strip().lstrip("\ufeff").lower()


def _sniff(head: bytes) -> bool:
    line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0].split(b"\r", 1)[0]
    names = {_clean(x) for x in line.decode("utf-8", "replace").split(",")}
    return "hex" in names and bool(names & {"latitude", "lat"}) and bool(names & {"receiver_time", "network_time"})


def columns_by_name(names: list[str], wanted: dict[str, tuple[str, ...]]) -> dict[str, tuple[int, str]]:
    """Field → (column index, column name) for the fields of ``wanted`` found in the header ``names``.

    Names are compared cleaned (case, spaces, quotes, byte-order mark); a
    field takes the first of its candidate names present, and a name
    written twice its first column.
    """
    position = {n: i for i, n in reversed(list(enumerate(_clean(n) for n in names)))}  # first occurrence wins
    cols: dict[str, tuple[int, str]] = {}
    for field, candidates in wanted.items():
        found = next((c for c in candidates if c in position), None)
        if found is not None:
            cols[field] = (position[found], found)
    return cols


def unread_note(names: list[str], used: list[int]) -> str | None:
    """The manifest note naming the header's columns a reader does not use (at most 20, 40 characters each); ``None`` when all are."""
    taken = set(used)
    unused = [name for i, name in enumerate(names) if i not in taken]
    if not unused:
        return None
    return "columns not read: " + ", ".join(next(csv.reader([name]), [name])[0][:40] for name in unused[:20])


def _layout(names: list[str]) -> dict[str, tuple[int, str]]:
    """Field → (column index, column name); raises when the header is not a granular export's."""
    cols = columns_by_name(names, COLUMNS)
    missing = [label for field, label in (("icao24", "hex"), ("lat", "latitude"), ("lon", "longitude")) if field not in cols]
    if "receiver_time" not in cols and "network_time" not in cols:
        missing.insert(0, "receiver_time or network_time")
    if missing:
        raise FormatError(f"FR24 granular CSV header lacks column(s): {', '.join(missing)}")
    return cols


def _epoch(values: np.ndarray, label: str, notes: set[str]) -> np.ndarray:
    """Epoch times in ms, µs or ns (told by their size) → seconds; the manifest says which."""
    out = values.copy()
    mag = np.abs(np.nan_to_num(values, nan=0.0))
    done = np.zeros(len(values), dtype=bool)
    for smallest, per_s, name in TICKS:
        hit = ~done & (mag >= smallest)
        if hit.any():
            out[hit] = values[hit] / per_s
            done |= hit
            notes.add(f"{label}: times in {name} since 1970 (told by their size) converted to seconds")
    return out


def _sources(arr: pa.Array) -> np.ndarray:
    """FR24 source names (ADSB, MLAT …) → ``position_source``."""
    low = pc.utf8_lower(pc.utf8_trim_whitespace(_strings(arr)))
    present = pc.fill_null(pc.greater(pc.utf8_length(low), 0), False).to_numpy(zero_copy_only=False)
    names = low.to_numpy(zero_copy_only=False)
    out = np.where(present, "other", "unknown").astype(object)
    for name, source in _SOURCES.items():
        out[names == name] = source
    return out


def _time_column(columns: list[pa.Array], L: dict[str, tuple[int, str]], notes: set[str]) -> tuple[Any, list[tuple[np.ndarray, str]]]:
    """receiver_time, or network_time where it is empty → seconds (text kept where it is not a time)."""
    n = len(columns[0])
    t = np.full(n, np.nan)
    text = np.full(n, None, dtype=object)  # values that are not times, handed to the framework as found
    problems: list[tuple[np.ndarray, str]] = []
    for field in ("receiver_time", "network_time"):
        if field not in L:
            continue
        i, name = L[field]
        v, bad, probs = _times(columns[i], name, notes)
        v = _epoch(v, name, notes)
        take = np.isnan(t) & np.equal(text, NONE) & (~np.isnan(v) | bad)
        if field == "network_time" and "receiver_time" in L and take.any():
            notes.add("receiver_time empty in some rows: network_time used there")
        good = take & ~bad
        t[good] = v[good]
        if (take & bad).any():
            text[take & bad] = _strings(columns[i]).to_numpy(zero_copy_only=False)[take & bad]
            problems += [(m & take, r) for m, r in probs]
    if not problems:
        return t, problems
    out = t.astype(object)
    has_text = ~np.equal(text, NONE)
    out[has_text] = text[has_text]
    return out, problems


def _convert(columns: list[pa.Array], L: dict[str, tuple[int, str]], notes: set[str]) -> tuple[dict[str, Any], list[tuple[np.ndarray, str]]]:
    """One block of string columns → RawChunk columns and problems."""
    time_col, problems = _time_column(columns, L, notes)
    cols: dict[str, Any] = {"time": time_col, "icao24": _strings(columns[L["icao24"][0]])}
    for field in ("lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm"):
        if field in L:
            v, probs = _numbers(columns[L[field][0]], L[field][1])
            cols[field] = v
            problems += probs
    for field in ("callsign", "registration", "typecode"):
        if field in L:
            cols[field] = _strings(columns[L[field][0]])
    if "squawk" in L:
        cols["squawk"] = _squawks(columns[L["squawk"][0]])
    if "on_ground" in L:
        v, probs = _booleans(columns[L["on_ground"][0]], L["on_ground"][1])
        cols["on_ground"] = v
        problems += probs
    if "position_source" in L:
        cols["position_source"] = _sources(columns[L["position_source"][0]])
    if "no_position" in L:
        flag, probs = _booleans(columns[L["no_position"][0]], "no_position")
        problems += probs
        problems.append((flag == 1.0, "no position in this row (no_position is set)"))
    return cols, problems


def read_granular(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read an FR24 "ADS-B data granular" CSV export, one chunk per block of :data:`CSV_BLOCK_BYTES`.

    A ``stream`` reader (:mod:`flighttrace.io._base`); ``src_row`` is the
    0-based data row (header and blank lines excluded).

    Raises
    ------
    FormatError
        When the header lacks the ICAO address, the position or a time column.
    """
    csv_in = CsvStream(stream, ctx)
    L = _layout(csv_in.names)
    ctx.notes.append(_TIME_NOTE if "receiver_time" in L else "FR24 granular CSV: time of a point = network_time (no receiver_time column)")
    used = sorted({i for i, _ in L.values()})
    note = unread_note(csv_in.names, used)
    if note:
        ctx.notes.append(note)
    yield from csv_chunks(csv_in, used, CSV_BLOCK_BYTES, lambda columns, notes: _convert(columns, L, notes), ctx)


SPECS = (
    ReaderSpec(
        name="fr24_granular",
        kind="stream",
        func=read_granular,
        description="FlightRadar24 ADS-B data granular CSV (network_time,receiver_time,hex,callsign,latitude,longitude,… with the ICAO address in every row)",
        sniff=_sniff,
    ),
)
