"""FlightRadar24 exports: CSV, KML and flight-playback JSON (formats.md §4).

Three readers, one module each (:mod:`~flighttrace.io.fr24_csv`,
:mod:`~flighttrace.io.fr24_kml`, :mod:`~flighttrace.io.fr24_playback`; what they
share is in :mod:`~flighttrace.io.fr24_common`); the simulator's writers for
the same formats are in :mod:`flighttrace.sim.writers.fr24`:

``fr24_csv``
    The "Download CSV" export. Header
    ``Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction``, or the older
    six columns without ``UTC``. ``Position`` is *one* quoted field
    ``"lat,lon"``; it is read with a real CSV parser (pyarrow) and split on
    whole columns. ``Timestamp`` (Unix s) is authoritative; ``UTC`` is used
    only where ``Timestamp`` is empty. ``Altitude`` is pressure altitude in ft
    (re 1013 hPa), ``Speed`` ground speed in kt, ``Direction`` the track in
    degrees. There is no vertical rate. ``src_row`` is the 0-based line
    number (the header is line 0), so line ``src_row + 1`` in an editor.
``fr24_kml``
    The KML export. Only the ``Folder`` named ``Route`` is read: one
    ``Placemark`` per fix with ``TimeStamp/when`` (ISO 8601),
    ``Point/coordinates`` = ``lon,lat,alt`` with the altitude in **metres**,
    and speed and heading scraped from the HTML ``description``. The
    ``Trail`` folder (line segments between fixes) is ignored. The
    ``Document`` name ``"FZ981/FDB981"`` gives the callsign (after the
    slash) and the description card the registration and ICAO type.
    ``src_row`` is the Placemark's index within the Route folder. Documents
    with a DTD are refused: FR24 never writes one, and entity declarations
    are the way to make an XML parser expand without bound.
``fr24_json``
    The unofficial ``flight-playback.json`` document:
    ``result.response.data.flight`` with ``identification.callsign``,
    ``aircraft.identification.modes`` (the ICAO hex), ``registration``,
    ``aircraft.model.code`` and ``track[]`` (``heading`` is the ground
    track; ``squawk`` ``"0"`` means unknown). ``src_row`` is the index in
    ``track``.

Two more FR24 formats have modules of their own, registered apart from
these three: the "ADS-B data granular" CSV (``fr24_granular``,
:mod:`~flighttrace.io.fr24_granular`), which names the aircraft in every
row, and the official API's ``flight-tracks`` as pyfr24 writes them to CSV
(``fr24_api_csv``, :mod:`~flighttrace.io.fr24_tracks`), which follows the
address and ground rules below.

**The ICAO address.** FR24 CSV and KML exports carry none. It is taken, in
this order, from (1) the caller's ``icao24=`` selection when it holds exactly
one hex, (2) a ``hex<6 hex>``, ``icao<6 hex>`` or ``icao24<6 hex>`` token in
the file name (``-`` or ``_`` allowed after the prefix; a bare 6-character
token is never taken, since a date such as ``230901`` would pass), or
(3) nowhere: every record is then quarantined with a reason that says how to
fix it. When the file name names a different aircraft than a one-hex
selection, the file name wins (the rows are then filtered out by the
selection) so that no file is ever attributed to the wrong airframe. The
manifest notes say where the hex came from.

**The ground.** FR24 writes altitude 0 on the ground. A record with altitude
0 and ground speed at most :data:`GROUND_MAX_KT` is ``on_ground=True`` with
``alt_ft`` NaN; altitude 0 at a higher (or unknown) speed cannot be the
ground nor a real altitude, so ``alt_ft`` is NaN and ``on_ground`` NA, and
the manifest notes how many such records there were. Any other altitude is
airborne (``on_ground=False``).

What every format shares (hex validation, NaN or out-of-range positions,
times before 1990 or in the future, absurd values, de-duplication) is done by
:mod:`flighttrace.io._normalise`, not here. The readers reject a record
themselves only when its time or position cannot be parsed from the text,
with a reason that names the FR24 field.
"""

from __future__ import annotations

from flighttrace.io._base import ReaderSpec
from flighttrace.io.fr24_common import (
    CSV_COLUMNS,
    CSV_COLUMNS_OLD,
    FT_PER_M,
    GROUND_MAX_KT,
    KMH_PER_KT,
    KML_NS,
    M_PER_FT,
    MPH_PER_KT,
    MS_PER_FPM,
    hex_from_fr24_name,
)
from flighttrace.io.fr24_csv import SPEC as CSV_SPEC
from flighttrace.io.fr24_csv import read_csv
from flighttrace.io.fr24_kml import SPEC as KML_SPEC
from flighttrace.io.fr24_kml import read_kml
from flighttrace.io.fr24_playback import SPEC as PLAYBACK_SPEC
from flighttrace.io.fr24_playback import read_playback

__all__ = [
    "SPECS",
    "read_csv",
    "read_kml",
    "read_playback",
    "hex_from_fr24_name",
    "CSV_COLUMNS",
    "CSV_COLUMNS_OLD",
    "GROUND_MAX_KT",
    "M_PER_FT",
    "FT_PER_M",
    "KMH_PER_KT",
    "MPH_PER_KT",
    "MS_PER_FPM",
    "KML_NS",
]

SPECS: tuple[ReaderSpec, ...] = (PLAYBACK_SPEC, CSV_SPEC, KML_SPEC)
"""The three FR24 formats, in the order the dispatcher tries them."""
