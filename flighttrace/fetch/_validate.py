"""Validation of request parameters, the only inputs file names are built from."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

__all__ = [
    "FetchParamError",
    "icao24",
    "icao24_list",
    "airport",
    "v2_param",
    "base_url",
    "source_slug",
    "utc_instant",
    "interval",
    "epoch_s",
    "stamp",
    "safe_join",
    "DAY_S",
]

DAY_S: Final = 86_400
"""Seconds in a UTC day."""

_HEX: Final = re.compile(r"^~?[0-9a-f]{6}$")
_AIRPORT: Final = re.compile(r"^[A-Z0-9]{3,4}$")
V2_PARAM: Final = re.compile(r"^[A-Za-z0-9,=_.-]+$")
"""What the adsb.lol API accepts in a path parameter (adsblol/api ``reapi.py``)."""
_MAX_PARAM_LEN: Final = 200
"""Longest accepted free-text parameter (characters)."""
_SLUG_BAD: Final = re.compile(r"[^A-Za-z0-9.-]+")
_MAX_SLUG_LEN: Final = 80
"""Longest source folder name (characters)."""


class FetchParamError(ValueError):
    """A request parameter a user can fix (bad hex, date, airport, URL …)."""


def icao24(value: str) -> str:
    """A lowercase 24-bit address: six hex digits, ``~`` prefix for non-ICAO.

    Raises
    ------
    FetchParamError
        When ``value`` is not one.
    """
    v = str(value).strip().lower()
    if not _HEX.match(v):
        raise FetchParamError(f"not an ICAO 24-bit address (six hex digits): {value!r}")
    return v


def icao24_list(values: str | Iterable[str]) -> list[str]:
    """Several addresses from ``"a,b"``, a list, or both; duplicates dropped, order kept."""
    items = [values] if isinstance(values, str) else list(values)
    out: list[str] = []
    for item in items:
        for part in str(item).split(","):
            if part.strip():
                out.append(icao24(part))
    if not out:
        raise FetchParamError("no ICAO 24-bit address given")
    return list(dict.fromkeys(out))


def airport(value: str) -> str:
    """An ICAO airport code (``LLOV``), upper case.

    Raises
    ------
    FetchParamError
        When ``value`` is not 3–4 letters or digits.
    """
    v = str(value).strip().upper()
    if not _AIRPORT.match(v):
        raise FetchParamError(f"not an ICAO airport code (4 letters or digits): {value!r}")
    return v


def v2_param(value: str, what: str) -> str:
    """A v2 API path parameter checked against ``^[A-Za-z0-9,=_.-]+$``.

    Also refused: a value starting with ``.`` (it would make a hidden or
    parent folder in the archive) and values longer than 200 characters.
    """
    v = str(value).strip()
    if not v or len(v) > _MAX_PARAM_LEN or not V2_PARAM.match(v) or v.startswith("."):
        raise FetchParamError(f"invalid {what} {value!r}: use letters, digits and , = _ . - only")
    return v


def base_url(value: str) -> str:
    """An ``http(s)`` base URL without query or fragment, trailing ``/`` removed."""
    v = str(value).strip()
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchParamError(f"not an http(s) URL: {v!r}")
    if parts.query or parts.fragment:
        raise FetchParamError(f"the base URL must not have a query or fragment: {parts.scheme}://{parts.hostname}…")
    return v.rstrip("/")


def source_slug(url: str) -> str:
    """A folder name for a data source, from the user-given base URL.

    Host, port and path, with anything but letters, digits, ``.`` and ``-``
    replaced by ``_`` (credentials in the URL are dropped). Never starts with
    a dot.

    Examples
    --------
    >>> source_slug("https://opensky-network.org/api")
    'opensky-network.org_api'
    >>> source_slug("http://127.0.0.1:8080/globe_history/")
    '127.0.0.1_8080_globe_history'
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port:
        host += f"_{parts.port}"
    raw = host + "_" + parts.path.strip("/") if parts.path.strip("/") else host
    slug = _SLUG_BAD.sub("_", raw).strip("_.")
    if not slug:
        raise FetchParamError(f"cannot name a folder after {url!r}")
    return slug[:_MAX_SLUG_LEN]


def utc_instant(value: str | date | datetime, *, end: bool = False) -> datetime:
    """A UTC instant from a date or an ISO date-time.

    Parameters
    ----------
    value
        ``"2023-09-01"`` (a whole day), ``"2023-09-01T06:00:00Z"``, an
        offset time, a :class:`date` or a :class:`datetime`. Naive times are
        UTC.
    end
        For a plain date, return the end of that day (the next midnight), so
        ``--end 2023-09-20`` includes 20 September.

    Raises
    ------
    FetchParamError
        For anything else.
    """
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        return dt.astimezone(UTC)
    if isinstance(value, date):
        d = value
    else:
        s = str(value).strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
                d = date.fromisoformat(s)
            else:
                dt = datetime.fromisoformat(s.replace("z", "Z"))
                dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
                return dt.astimezone(UTC)
        except ValueError:
            raise FetchParamError(f"not a date (YYYY-MM-DD) or UTC time (YYYY-MM-DDTHH:MM:SSZ): {value!r}") from None
    midnight = datetime.combine(d, time(0), tzinfo=UTC)
    return midnight + timedelta(days=1) if end else midnight


def interval(start: str | date | datetime, end: str | date | datetime) -> tuple[datetime, datetime]:
    """``(begin, end)`` in UTC, end exclusive; a plain end date includes that day.

    Raises
    ------
    FetchParamError
        When either is unreadable or end is not after start.
    """
    b = utc_instant(start)
    e = utc_instant(end, end=True)
    if e <= b:
        raise FetchParamError(f"the end ({e:%Y-%m-%d %H:%M:%S}Z) is not after the start ({b:%Y-%m-%d %H:%M:%S}Z)")
    return b, e


def epoch_s(dt: datetime) -> int:
    """Whole seconds since the epoch (floor)."""
    return int(dt.timestamp() // 1)


def stamp(ts: int | float | datetime, *, micro: bool = False) -> str:
    """A compact UTC stamp for file names: ``20230901T060000Z`` (or with microseconds)."""
    dt = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, UTC)
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y%m%dT%H%M%S.%fZ" if micro else "%Y%m%dT%H%M%SZ")


def safe_join(root: Path, relpath: str) -> Path:
    """``root / relpath``, refusing anything that would land outside ``root``.

    Raises
    ------
    FetchParamError
        For an absolute path, a ``..`` component, or a path resolving
        outside ``root``.
    """
    parts = relpath.split("/")
    if relpath.startswith("/") or "\\" in relpath or any(p in ("", ".", "..") for p in parts):
        raise FetchParamError(f"refusing to write outside the archive: {relpath!r}")
    target = root.joinpath(*parts)
    root_r = root.resolve()
    if not target.resolve().is_relative_to(root_r):
        raise FetchParamError(f"refusing to write outside the archive: {relpath!r}")
    return target
