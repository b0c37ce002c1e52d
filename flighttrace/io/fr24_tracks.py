"""FlightRadar24 API ``flight-tracks`` flattened to CSV (``fr24_api_csv``).

FlightRadar24's official API answers a ``flight-tracks`` request with one
JSON object per position of one flight. The journalist tool pyfr24
(``export_flight_data``) writes those objects to a ``data.csv`` with
Python's :class:`csv.DictWriter`, so the lines end in CRLF and the header is

    ``timestamp,lat,lon,alt,gspeed,vspeed,track,squawk,callsign,source``

The reader takes the columns by their names (any others are ignored, and
named in the manifest notes):

==============  =====================  ================================================
column          Points field           meaning and unit
==============  =====================  ================================================
``timestamp``   ``time``               ISO 8601 UTC (``2025-03-28T15:22:25Z``); epoch
                                       seconds (or ms, µs, ns, told by their size) too
``lat``         ``lat``                latitude, degrees
``lon``         ``lon``                longitude, degrees
``alt``         ``alt_ft``             pressure altitude, ft; FR24 writes 0 on the ground
``gspeed``      ``gs_kt``              ground speed, kt
``vspeed``      ``vrate_fpm``          vertical rate, ft/min
``track``       ``track_deg``          ground track, degrees
``squawk``      ``squawk``             the code as text; ``0`` means not known
``callsign``    ``callsign``           as broadcast (often empty before departure)
``source``      ``position_source``    ``ADSB`` → adsb, ``MLAT`` → mlat, any other
                                       name (``FAA``, ``ESTIMATED`` …) → other,
                                       empty → unknown
==============  =====================  ================================================

The file names no aircraft. Its ICAO address follows the policy of the FR24
CSV and KML exports (:mod:`flighttrace.io.fr24`): the caller's one-hex
``icao24=`` selection or a ``hex<6 hex>`` token in the file name
(``DL2983_hexa1b2c3_data.csv``); without either,
every record is quarantined with a reason that says how to give one, and
no address is made up. The manifest notes say where the hex came from.

The ground follows FR24's convention too
(:func:`~flighttrace.io.fr24_common.ground_state`): altitude 0 at no more
than :data:`~flighttrace.io.fr24_common.GROUND_MAX_KT` is on the ground
with the altitude unknown; altitude 0 faster or at an unknown speed leaves
both unknown (counted in a note); any other altitude is airborne.

A squawk of ``0`` (``0``, ``0.0``) is FR24's "not known" and becomes
missing; ``0000`` is a real code and is kept. ``src_row`` is the 0-based
data row (header and blank lines excluded). Values that are not numbers or
times are handed to the framework, which quarantines their rows with a
reason naming the column.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.csvchunks import csv_chunks
from flighttrace.io.csvstream import CsvStream
from flighttrace.io.fr24_common import addressed, ground_note, ground_state, resolve_hex
from flighttrace.io.fr24_granular import _clean, _epoch, _sources, columns_by_name, unread_note
from flighttrace.io.opensky import _hand_over, _numbers, _squawks, _strings, _times

__all__ = ["COLUMNS", "SPECS", "WHAT", "read_api_tracks"]

COLUMNS: Final[dict[str, str]] = {
    "time": "timestamp",
    "lat": "lat",
    "lon": "lon",
    "alt_ft": "alt",
    "gs_kt": "gspeed",
    "vrate_fpm": "vspeed",
    "track_deg": "track",
    "squawk": "squawk",
    "callsign": "callsign",
    "position_source": "source",
}
"""Points field → the column of the API CSV that gives it."""

WHAT: Final = "FR24 API track CSV"
"""How notes and reasons name the format."""

CSV_BLOCK_BYTES: int = 8 << 20
"""Bytes of CSV parsed per block."""

_SNIFF_NEEDS: Final = frozenset({"timestamp", "lat", "lon", "alt", "gspeed"})
_SNIFF_REFUSES: Final = frozenset({"hex", "icao24"})
_NO_SQUAWK: Final = r"^\s*0(?:\.0*)?\s*$"
"""A squawk FR24 writes when it has none: ``0`` (also ``0.0``); four zeros are a real code and are kept."""


def _sniff(head: bytes) -> bool:
    """Whether the first line is an API track CSV header (names in any case, quoted or not)."""
    line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0].split(b"\r", 1)[0]
    names = {_clean(x) for x in line.decode("utf-8", "replace").split(",")}
    return _SNIFF_NEEDS <= names and not (names & _SNIFF_REFUSES)


def _layout(names: list[str]) -> dict[str, tuple[int, str]]:
    """Points field → (column index, column name); raises when time or position is missing."""
    cols = columns_by_name(names, {field: (name,) for field, name in COLUMNS.items()})
    missing = [COLUMNS[field] for field in ("time", "lat", "lon") if field not in cols]
    if missing:
        raise FormatError(f"{WHAT} header lacks column(s): {', '.join(missing)} (expected {','.join(COLUMNS.values())})")
    return cols


def _squawk_codes(arr: pa.Array) -> pa.Array:
    """Squawks as text, FR24's ``0`` for "not known" made missing."""
    text = _squawks(arr)
    unknown = pc.fill_null(pc.match_substring_regex(text, _NO_SQUAWK), False)
    return pc.if_else(unknown, pa.scalar(None, pa.string()), text)


def _convert(
    columns: list[pa.Array], L: dict[str, tuple[int, str]], hexid: str | None, stats: dict[str, int], notes: set[str]
) -> tuple[dict[str, Any], list[tuple[np.ndarray, str]]]:
    """One block of string columns → RawChunk columns and problems."""
    n = len(columns[0])
    i, name = L["time"]
    t, t_bad, problems = _times(columns[i], name, notes)
    t = _epoch(t, name, notes)
    col = columns[i]
    time = _hand_over(t, t_bad, lambda: _strings(col).to_numpy(zero_copy_only=False))
    num: dict[str, np.ndarray] = {}
    for field in ("lat", "lon", "alt_ft", "gs_kt", "vrate_fpm", "track_deg"):
        if field in L:
            num[field], probs = _numbers(columns[L[field][0]], L[field][1])
            problems += probs
        else:
            num[field] = np.full(n, np.nan)
    alt, on_ground, odd = ground_state(num["alt_ft"], num["gs_kt"])
    stats["odd_zero"] += int(odd.sum())
    cols: dict[str, Any] = {"icao24": np.full(n, hexid, dtype=object), "time": time, **num, "alt_ft": alt, "on_ground": on_ground}
    if "squawk" in L:
        cols["squawk"] = _squawk_codes(columns[L["squawk"][0]])
    if "callsign" in L:
        cols["callsign"] = _strings(columns[L["callsign"][0]])
    if "position_source" in L:
        cols["position_source"] = _sources(columns[L["position_source"][0]])
    return cols, problems


def read_api_tracks(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read an FR24 API ``flight-tracks`` CSV, one chunk per block of :data:`CSV_BLOCK_BYTES`.

    A ``stream`` reader (:mod:`flighttrace.io._base`). The file carries no
    ICAO address: ``ctx.icao24`` or ``ctx.src_file`` gives it
    (:func:`~flighttrace.io.fr24_common.resolve_hex`); without one every
    record is quarantined.

    Parameters
    ----------
    stream
        Decompressed content.
    ctx
        Reader context.

    Yields
    ------
    RawChunk
        ``src_row`` is the 0-based data row.

    Raises
    ------
    FormatError
        When the header lacks ``timestamp``, ``lat`` or ``lon``.
    """
    csv_in = CsvStream(stream, ctx)
    L = _layout(csv_in.names)
    hexid = resolve_hex(ctx, WHAT)
    used = sorted({i for i, _ in L.values()})
    note = unread_note(csv_in.names, used)
    if note:
        ctx.notes.append(note)
    stats = {"odd_zero": 0}
    try:
        for chunk in csv_chunks(csv_in, used, CSV_BLOCK_BYTES, lambda columns, notes: _convert(columns, L, hexid, stats, notes), ctx):
            yield addressed(chunk, hexid, WHAT)
    finally:
        if stats["odd_zero"]:
            ctx.notes.append(ground_note(stats["odd_zero"]))


SPECS = (
    ReaderSpec(
        name="fr24_api_csv",
        kind="stream",
        func=read_api_tracks,
        description="FlightRadar24 API flight-tracks as CSV (timestamp,lat,lon,alt,gspeed,vspeed,track,squawk,callsign,source, "
        "as pyfr24 writes it; hex from the file name or icao24=)",
        sniff=_sniff,
    ),
)
