"""Reader for the opensky family (to be written)."""

from __future__ import annotations

from flighttrace.io._base import ReaderSpec

SPECS: tuple[ReaderSpec, ...] = ()
