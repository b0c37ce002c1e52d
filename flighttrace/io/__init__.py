"""Readers for every common flight-tracking source, behind one dispatcher.

Use :func:`flighttrace.read`; it detects each file's format from content.
One module per format family:

- :mod:`flighttrace.io.readsb`: readsb / tar1090 / adsb.lol / ADS-B Exchange traces
- :mod:`flighttrace.io.aircraft`: readsb ``aircraft.json`` snapshots and v2 API JSON
- :mod:`flighttrace.io.opensky`: OpenSky state vectors (CSV, Parquet) and REST JSON
- :mod:`flighttrace.io.fr24`: FlightRadar24 CSV, KML and playback JSON
- :mod:`flighttrace.io.fr24_granular`: FlightRadar24 "ADS-B data granular" CSV
- :mod:`flighttrace.io.fr24_tracks`: FlightRadar24 API flight tracks as CSV (pyfr24)
- :mod:`flighttrace.io.sbs`: SBS-1 BaseStation logs (port 30003)

Around them: :mod:`flighttrace.io.walk` and :mod:`flighttrace.io.sources`
expand paths, folders and tars into inputs (every one with a manifest row);
:mod:`flighttrace.io.bounds` holds the size limits; :mod:`flighttrace.io.lines`
and :mod:`flighttrace.io.csvstream` stream text in bounded memory;
:mod:`flighttrace.io.jsonrecords` parses JSON so a bad record costs only itself.
"""

from flighttrace.io._normalise import Limits
from flighttrace.io.api import Dataset, NothingReadable, read
from flighttrace.io.bounds import SizeLimits
from flighttrace.io.detect import formats

__all__ = ["Dataset", "Limits", "NothingReadable", "SizeLimits", "formats", "read"]
