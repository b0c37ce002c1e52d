"""The v2 JSON APIs (adsb.lol, airplanes.live, ADSB One and compatible).

Routes: ``/v2/hex/{hex}``, ``/v2/callsign/{callsign}``,
``/v2/registration/{reg}``, ``/v2/type/{type}`` and
``/v2/point/{lat}/{lon}/{radius}`` (radius in nautical miles, at most 250).
Parameters are checked against the pattern the adsb.lol API itself enforces,
``^[A-Za-z0-9,=_.-]+$``.

These APIs serve live data: every call is a new capture, never answered from
the cache, saved as
``<archive>/v2/<source>/<route>/<value>/<UTC retrieval time>.json``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from flighttrace._progress import Progress, ProgressArg
from flighttrace.fetch import _validate as v
from flighttrace.fetch.archive import Archive, FetchResult, Request

__all__ = ["fetch_v2", "v2_request", "DEFAULT_V2_BASE", "V2_MAX_RADIUS_NM", "ROUTES"]

DEFAULT_V2_BASE: Final = "https://api.adsb.lol"
"""Base URL of the default v2 service (adsb.lol)."""
V2_MAX_RADIUS_NM: Final = 250.0
"""Largest radius (nautical miles) of a point query."""
ROUTES: Final = ("hex", "callsign", "registration", "type", "point")
"""Query kinds, each the route name below ``/v2/``."""


def _point(value: str | Sequence[float]) -> tuple[str, str, str]:
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        lat, lon, r = (float(x) for x in parts)
    except (TypeError, ValueError):
        raise v.FetchParamError(f"a point is lat,lon,radius_nm: {value!r}") from None
    if not all(math.isfinite(x) for x in (lat, lon, r)) or not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise v.FetchParamError(f"point out of range: {value!r}")
    if not 0 < r <= V2_MAX_RADIUS_NM:
        raise v.FetchParamError(f"radius must be more than 0 and at most {V2_MAX_RADIUS_NM:g} nmi, not {r:g}")

    def fmt(x: float) -> str:
        return format(x, ".6f").rstrip("0").rstrip(".") or "0"

    return fmt(lat), fmt(lon), fmt(r)


def v2_request(
    kind: str,
    value: str | Sequence[float],
    *,
    base_url: str = DEFAULT_V2_BASE,
    now: datetime | None = None,
) -> Request:
    """The request for one v2 query.

    Parameters
    ----------
    kind
        One of :data:`ROUTES`.
    value
        The hex (or ``"a,b"``), callsign, registration, type code, or
        ``"lat,lon,radius_nm"`` for ``point``.
    base_url
        The service's base URL.
    now
        Retrieval time used in the file name (UTC now by default).

    Raises
    ------
    FetchParamError
        For an unknown kind or an invalid value.
    """
    if kind not in ROUTES:
        raise v.FetchParamError(f"unknown v2 query {kind!r}; use one of {', '.join(ROUTES)}")
    base = v.base_url(base_url)
    if kind == "point":
        lat, lon, r = _point(value)
        route = f"point/{lat}/{lon}/{r}"
        folder = f"point/{lat}_{lon}_{r}"
        shown = f"{lat},{lon},{r}"
    else:
        if not isinstance(value, str):
            raise v.FetchParamError(f"the {kind} must be text")
        val = v.v2_param(value, kind)
        if kind == "hex":
            val = ",".join(v.icao24(h) for h in val.split(",") if h)
        elif kind in ("callsign", "registration", "type"):
            val = val.upper()
        route = f"{kind}/{val}"
        folder = route
        shown = val
    for segment in route.split("/"):
        v.v2_param(segment, kind)
    at = (now or datetime.now(UTC)).astimezone(UTC)
    return Request(
        url=f"{base}/v2/{route}",
        relpath=f"v2/{v.source_slug(base)}/{folder}/{v.stamp(at, micro=True)}.json",
        source="v2",
        logical={"route": kind, "value": shown, "requested_at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
        cacheable=False,
        expect_types=("application/json",),
        missing_note="nothing found (HTTP 404)",
    )


def fetch_v2(
    archive: Archive,
    *,
    hex: str | None = None,  # noqa: A002 - the route's name
    callsign: str | None = None,
    registration: str | None = None,
    type: str | None = None,  # noqa: A002 - the route's name
    point: str | Sequence[float] | None = None,
    base_url: str = DEFAULT_V2_BASE,
    progress: ProgressArg = False,
) -> list[FetchResult]:
    """Capture the live answer of one or more v2 queries.

    Parameters
    ----------
    archive
        Where the answers are saved (each call a new capture).
    hex, callsign, registration, type, point
        The queries to make (at least one); each is one call.
    base_url
        The service (adsb.lol by default; airplanes.live and others share
        the routes).
    progress
        Progress reporting.

    Returns
    -------
    list of FetchResult
        One per query, in the order of the parameters above.

    Raises
    ------
    FetchParamError
        When no query is given or one is invalid (before any call is made).
    """
    queries = [(k, val) for k, val in (("hex", hex), ("callsign", callsign), ("registration", registration), ("type", type), ("point", point)) if val is not None]
    if not queries:
        raise v.FetchParamError("give at least one of hex, callsign, registration, type or point")
    for k, val in queries:  # validate every query before the first call
        v2_request(k, val, base_url=base_url)
    out: list[FetchResult] = []
    with Progress(progress, "v2 captures", len(queries)) as bar:
        for k, val in queries:
            req = v2_request(k, val, base_url=base_url)
            first = Path(req.relpath)
            n = 2
            while (archive.root / req.relpath).exists():  # same microsecond: keep both captures
                req.relpath = first.with_name(f"{first.stem}-{n}.json").as_posix()
                n += 1
            out.append(archive.fetch(req))
            bar.advance(1, description=f"v2 {k}: {out[-1].action}")
    return out
