"""Globe-history trace files: one readsb ``trace_full`` per aircraft and UTC day.

A readsb/tar1090 instance that keeps history serves
``<base>/YYYY/MM/DD/traces/<xx>/trace_full_<hex>.json``, where ``<xx>`` is
the last two hex digits. The base URL is the caller's, so any compatible
archive or mirror works. Bodies are gzip whatever the name says (servers
often add ``Content-Encoding: gzip``); they are kept exactly as they came,
still compressed, and :func:`flighttrace.read` reads them by their magic
bytes.

Files are saved as
``<archive>/globe/<source>/YYYY/MM/DD/traces/<xx>/trace_full_<hex>.json``
(``<source>`` is the host and path of the base URL), the layout of a
globe-history day, so ``flighttrace.read(archive)`` reads them. A day on
which the server has no file for the aircraft (404) is recorded as
``missing``, not as an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Final

from flighttrace._progress import Progress, ProgressArg
from flighttrace.fetch import _validate as v
from flighttrace.fetch.archive import Archive, FetchResult, Request

__all__ = ["fetch_globe", "globe_requests", "LAYOUTS", "DEFAULT_LAYOUT", "GLOBE_TYPES", "MAX_DAYS"]

LAYOUTS: Final = {
    "globe": "{yyyy}/{mm}/{dd}/traces/{xx}/trace_full_{hex}.json",
    "adsbx-samples": "traces/{yyyy}/{mm}/{dd}/{xx}/trace_full_{hex}.json",
}
"""Remote path patterns below the base URL: ``globe`` is readsb's
``--write-globe-history`` layout (tar1090 mirrors, self-hosted receivers);
``adsbx-samples`` is the layout of ADS-B Exchange's free sample days (first
of each month) as third parties describe it."""
DEFAULT_LAYOUT: Final = "globe"
"""The layout used when none is given."""
GLOBE_TYPES: Final = (
    "application/json",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
    "text/plain",
)
"""Content types a trace file may come with; another type is noted (body kept)."""
MAX_DAYS: Final = 3660
"""Longest date range (days) one call accepts, against a typo such as 2203 for 2023."""


def _day(value: str | date | datetime) -> date:
    if isinstance(value, datetime):
        return v.utc_instant(value).date()
    if isinstance(value, date):
        return value
    return v.utc_instant(value).date()


def globe_requests(
    hexes: str | Iterable[str],
    start: str | date | datetime,
    end: str | date | datetime,
    *,
    base_url: str,
    layout: str = DEFAULT_LAYOUT,
) -> list[Request]:
    """The requests for every aircraft and day from ``start`` to ``end`` (both included).

    Parameters
    ----------
    hexes
        One address, ``"a,b"``, or a list.
    start, end
        UTC dates (``YYYY-MM-DD``); a date-time counts for its UTC date.
    base_url
        Where the ``YYYY/MM/DD`` folders are.
    layout
        A key of :data:`LAYOUTS`.

    Raises
    ------
    FetchParamError
        For a bad address, date, URL or layout.
    """
    if layout not in LAYOUTS:
        raise v.FetchParamError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    base = v.base_url(base_url)
    slug = v.source_slug(base)
    hx_list = v.icao24_list(hexes)
    d0, d1 = _day(start), _day(end)
    if d1 < d0:
        raise v.FetchParamError(f"the end date {d1} is before the start date {d0}")
    n_days = (d1 - d0).days + 1
    if n_days > MAX_DAYS:
        raise v.FetchParamError(f"{n_days} days is more than {MAX_DAYS}; check the dates")
    out: list[Request] = []
    for i in range(n_days):
        d = d0 + timedelta(days=i)
        for hx in hx_list:
            fields = {"yyyy": f"{d.year:04d}", "mm": f"{d.month:02d}", "dd": f"{d.day:02d}", "xx": hx[-2:], "hex": hx}
            remote = LAYOUTS[layout].format(**fields)
            local = LAYOUTS["globe"].format(**fields)
            out.append(
                Request(
                    url=f"{base}/{remote}",
                    relpath=f"globe/{slug}/{local}",
                    source="globe",
                    logical={"hex": hx, "date": d.isoformat(), "layout": layout},
                    expect_types=GLOBE_TYPES,
                    missing_note="no trace for this aircraft on this day (HTTP 404)",
                )
            )
    return out


def fetch_globe(
    archive: Archive,
    hexes: str | Iterable[str],
    start: str | date | datetime,
    end: str | date | datetime,
    *,
    base_url: str,
    layout: str = DEFAULT_LAYOUT,
    progress: ProgressArg = False,
) -> list[FetchResult]:
    """Fetch the trace of each aircraft for each day into the archive.

    Parameters
    ----------
    archive
        The archive.
    hexes, start, end, base_url, layout
        See :func:`globe_requests`.
    progress
        Progress reporting.

    Returns
    -------
    list of FetchResult
        One per day and aircraft, days in order.

    Examples
    --------
    >>> arc = Archive("evidence/")                                             # doctest: +SKIP
    >>> fetch_globe(arc, "600864,600865", "2023-09-01", "2023-09-20",
    ...             base_url="https://mirror.example/globe_history")           # doctest: +SKIP
    """
    reqs = globe_requests(hexes, start, end, base_url=base_url, layout=layout)
    out: list[FetchResult] = []
    with Progress(progress, "globe traces", len(reqs)) as bar:
        for req in reqs:
            out.append(archive.fetch(req))
            bar.advance(1, description=f"{req.logical['date']} {req.logical['hex']}: {out[-1].action}")
    return out
