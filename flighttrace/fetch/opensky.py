"""OpenSky Network REST API: flights, tracks and state vectors into the archive.

Authentication is OAuth2 client credentials (OpenSky no longer accepts basic
auth): the client id and secret come from the environment
(``OPENSKY_CLIENT_ID``, ``OPENSKY_CLIENT_SECRET``) or a JSON file, either
``~/.config/flighttrace/opensky.json`` or a path given, in flighttrace's
shape ``{"client_id", "client_secret"}`` or the shape of the
``credentials.json`` OpenSky lets you download (``{"clientId",
"clientSecret"}``). A token is requested from the token URL, sent as
``Authorization: Bearer``, renewed shortly before it expires and once more
when the API answers 401. Neither the secret nor the token is ever written
to the archive, the custody log or a message.

Endpoints and their limits (OpenSky REST documentation):

* ``/flights/aircraft``: at most two days per call; longer intervals are
  split into chunks of at most :data:`FLIGHTS_AIRCRAFT_MAX_S`.
* ``/flights/arrival``, ``/flights/departure``: at most two days and at
  most one UTC date boundary per call.
* ``/tracks/all``: one flight per call, found by a time within the flight;
  :meth:`OpenSky.tracks` lists the aircraft's flights first and asks for
  the track at each flight's ``firstSeen``.
* ``/states/all``: one time point per call, optional bounding box and
  addresses.

A 404 with an empty body means "no flights" and is recorded as ``missing``.
Flight lists are saved as ``*.flights.json`` (not position data; folder
reads skip them); tracks and states as ``*.json``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import requests
import urllib3.exceptions as u3

from flighttrace._progress import Progress, ProgressArg
from flighttrace.fetch import _validate as v
from flighttrace.fetch.archive import Archive, AuthError, FetchError, FetchResult, Request, _describe, load_json
from flighttrace.fetch.http import HttpClient, register_secret

__all__ = [
    "OpenSky",
    "Credentials",
    "CredentialsError",
    "TokenAuth",
    "load_credentials",
    "config_path",
    "chunk_interval",
    "DEFAULT_API_ROOT",
    "DEFAULT_TOKEN_URL",
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "TOKEN_LIFETIME_S",
    "TOKEN_REFRESH_MARGIN_S",
    "FLIGHTS_AIRCRAFT_MAX_S",
    "AIRPORT_MAX_S",
    "AIRPORT_MAX_DATE_BOUNDARIES",
]

DEFAULT_API_ROOT: Final = "https://opensky-network.org/api"
"""Root of the OpenSky REST API."""
DEFAULT_TOKEN_URL: Final = "https://auth.opensky-network.org/auth/realms/opensky-network/protocol/openid-connect/token"
"""OpenSky's OAuth2 token endpoint."""
ENV_CLIENT_ID: Final = "OPENSKY_CLIENT_ID"
"""Environment variable holding the API client id."""
ENV_CLIENT_SECRET: Final = "OPENSKY_CLIENT_SECRET"
"""Environment variable holding the API client secret."""
CONFIG_FILE: Final = "opensky.json"
"""Credentials file name in flighttrace's configuration folder."""
TOKEN_LIFETIME_S: Final = 1800
"""Token lifetime (s) assumed when the token answer names none (OpenSky: 30 min)."""
TOKEN_REFRESH_MARGIN_S: Final = 60
"""A token is renewed this many seconds before it expires."""
FLIGHTS_AIRCRAFT_MAX_S: Final = 2 * v.DAY_S
"""Longest interval (s) of one ``/flights/aircraft`` call."""
AIRPORT_MAX_S: Final = 2 * v.DAY_S
"""Longest interval (s) of one ``/flights/arrival`` or ``/flights/departure`` call."""
AIRPORT_MAX_DATE_BOUNDARIES: Final = 1
"""UTC midnights one arrival/departure call may span."""
_MAX_EPOCH_S: Final = 2**32
"""Upper bound of a plausible ``firstSeen`` (s)."""
_MAX_NAMED_ICAO24: Final = 4
"""Up to this many addresses are spelled out in a states file name."""
_JSON: Final = ("application/json",)


class CredentialsError(AuthError):
    """No usable OpenSky credentials, or OpenSky refused them."""


@dataclass(frozen=True)
class Credentials:
    """An OpenSky API client's id and secret.

    Attributes
    ----------
    client_id
        The API client id.
    client_secret
        The secret (never shown by ``repr``).
    origin
        Where they were read from (``environment`` or a file path).
    """

    client_id: str
    client_secret: str = field(repr=False)
    origin: str = ""

    def __repr__(self) -> str:
        return f"Credentials(client_id={self.client_id!r}, client_secret='***', origin={self.origin!r})"


def config_path() -> Path:
    """``$XDG_CONFIG_HOME/flighttrace/opensky.json`` (``~/.config`` by default)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "flighttrace" / CONFIG_FILE


def _from_file(path: Path) -> Credentials:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CredentialsError(f"no OpenSky credentials file at {path}") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise CredentialsError(f"cannot read OpenSky credentials from {path}: not a JSON object") from None
    if not isinstance(obj, dict):
        raise CredentialsError(f"cannot read OpenSky credentials from {path}: not a JSON object")
    cid = obj.get("clientId", obj.get("client_id"))
    secret = obj.get("clientSecret", obj.get("client_secret"))
    if not isinstance(cid, str) or not isinstance(secret, str) or not cid.strip() or not secret.strip():
        raise CredentialsError(f"{path} needs \"clientId\" and \"clientSecret\" (or \"client_id\" and \"client_secret\")")
    register_secret(secret.strip())
    return Credentials(cid.strip(), secret.strip(), str(path))


def load_credentials(path: str | os.PathLike[str] | None = None, *, env: dict[str, str] | None = None) -> Credentials:
    """Find OpenSky API client credentials.

    Parameters
    ----------
    path
        A JSON file to read (OpenSky's downloaded ``credentials.json`` works
        as it is). When given, nothing else is consulted.
    env
        The environment (``os.environ`` by default).

    Returns
    -------
    Credentials
        From ``path``; else from ``OPENSKY_CLIENT_ID`` and
        ``OPENSKY_CLIENT_SECRET``; else from :func:`config_path`.

    Raises
    ------
    CredentialsError
        When none are found or the file is unreadable. The message never
        contains the secret.
    """
    if path is not None:
        return _from_file(Path(path).expanduser())
    env = dict(os.environ) if env is None else env
    cid = env.get(ENV_CLIENT_ID, "").strip()
    secret = env.get(ENV_CLIENT_SECRET, "").strip()
    if cid and secret:
        register_secret(secret)
        return Credentials(cid, secret, "environment")
    if cid or secret:
        missing = ENV_CLIENT_SECRET if cid else ENV_CLIENT_ID
        raise CredentialsError(f"{missing} is not set (both {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} are needed)")
    cfg = config_path()
    if cfg.is_file():
        return _from_file(cfg)
    raise CredentialsError(
        f"no OpenSky credentials: set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}, "
        f"save OpenSky's credentials.json as {cfg}, or pass --credentials FILE"
    )


class TokenAuth:
    """OAuth2 client-credentials tokens for OpenSky, renewed when needed.

    Parameters
    ----------
    client
        The HTTP client (its clock decides expiry).
    credentials
        Client id and secret.
    token_url
        The token endpoint.

    Attributes
    ----------
    tokens_issued : int
        How many tokens were obtained (tests check refreshes).
    """

    def __init__(self, client: HttpClient, credentials: Credentials, token_url: str = DEFAULT_TOKEN_URL) -> None:
        self.client = client
        self.credentials = credentials
        self.token_url = v.base_url(token_url)
        self.tokens_issued = 0
        self._token: str | None = None
        self._expires_at = 0.0
        register_secret(credentials.client_secret)

    def invalidate(self) -> None:
        """Drop the current token (the API answered 401)."""
        self._token = None

    def headers(self) -> dict[str, str]:
        """``{"Authorization": "Bearer …"}``, with a fresh token when needed."""
        if self._token is None or self.client.clock() >= self._expires_at - TOKEN_REFRESH_MARGIN_S:
            self._renew()
        return {"Authorization": f"Bearer {self._token}"}

    def _renew(self) -> None:
        host = urlsplit(self.token_url).netloc.rsplit("@", 1)[-1]
        data = {
            "grant_type": "client_credentials",
            "client_id": self.credentials.client_id,
            "client_secret": self.credentials.client_secret,
        }
        try:
            resp = self.client.request("POST", self.token_url, data=data, stream=False)
        except (requests.RequestException, u3.HTTPError) as exc:
            raise FetchError(f"could not reach the OpenSky token service {host}: {_describe(exc, self.client.timeout[1])}") from None
        try:
            body: Any = resp.json()
        except ValueError:
            body = None
        if resp.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            err = body.get("error") if isinstance(body, dict) else None
            detail = f" ({err})" if isinstance(err, str) and re.fullmatch(r"[A-Za-z0-9_ .-]{1,60}", err) else ""
            if resp.status_code in (400, 401, 403):
                raise CredentialsError(
                    f"OpenSky refused the credentials from {self.credentials.origin or 'the configuration'}: "
                    f"HTTP {resp.status_code}{detail}; check the client id and secret"
                )
            raise FetchError(f"the OpenSky token service answered HTTP {resp.status_code}{detail}; try again later")
        token = body["access_token"]
        register_secret(token)
        try:
            lifetime = float(body.get("expires_in", TOKEN_LIFETIME_S))
        except (TypeError, ValueError):
            lifetime = float(TOKEN_LIFETIME_S)
        self._token = token
        self._expires_at = self.client.clock() + lifetime
        self.tokens_issued += 1


def chunk_interval(begin: int, end: int, *, max_s: int, max_date_boundaries: int | None = None) -> list[tuple[int, int]]:
    """Split ``[begin, end)`` into the calls an endpoint allows.

    Parameters
    ----------
    begin, end
        Epoch seconds; ``end`` exclusive.
    max_s
        Longest chunk (s).
    max_date_boundaries
        UTC midnights one chunk may span (``None``: no such limit).

    Returns
    -------
    list of (int, int)
        ``(begin, end)`` pairs with both ends inclusive, contiguous and
        non-overlapping: the next chunk begins one second after the previous
        one ends.

    Examples
    --------
    >>> chunk_interval(0, 5 * 86400, max_s=2 * 86400)
    [(0, 172799), (172800, 345599), (345600, 431999)]
    >>> chunk_interval(36000, 3 * 86400, max_s=2 * 86400, max_date_boundaries=1)
    [(36000, 172799), (172800, 259199)]
    """
    if max_s <= 0:
        raise ValueError("max_s must be positive")
    out: list[tuple[int, int]] = []
    b = int(begin)
    while b < end:
        e = min(int(end), b + max_s)
        if max_date_boundaries is not None:
            e = min(e, b - b % v.DAY_S + (max_date_boundaries + 1) * v.DAY_S)
        out.append((b, e - 1))
        b = e
    return out


Instant = str | date | datetime


def _bbox(value: str | Sequence[float] | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    parts: Sequence[Any] = value.split(",") if isinstance(value, str) else value
    try:
        s, n, w, e = (float(x) for x in parts)
    except (TypeError, ValueError):
        raise v.FetchParamError(f"a bounding box is four numbers south,north,west,east: {value!r}") from None
    if not all(math.isfinite(x) for x in (s, n, w, e)) or not (-90 <= s < n <= 90) or not (-180 <= w < e <= 180):
        raise v.FetchParamError(f"bounding box out of range or inverted (south<north, west<east): {value!r}")
    return s, n, w, e


def _num(x: float) -> str:
    return format(x, ".6f").rstrip("0").rstrip(".") or "0"


class OpenSky:
    """Fetch from the OpenSky REST API into an :class:`~flighttrace.fetch.archive.Archive`.

    Parameters
    ----------
    archive
        Where bodies and custody entries go; its HTTP client is used.
    credentials
        API client credentials (:func:`load_credentials`); ``None`` for
        anonymous calls (few credits, latest state vectors only).
    api_root
        The API root (a mirror or a test server).
    token_url
        The OAuth2 token endpoint.

    Attributes
    ----------
    notes : list of str
        Things worth telling the user (a flight list that could not be read).

    Examples
    --------
    >>> arc = Archive("evidence/")                                           # doctest: +SKIP
    >>> sky = OpenSky(arc, load_credentials())                               # doctest: +SKIP
    >>> sky.tracks("600864", "2023-09-01", "2023-09-20")                     # doctest: +SKIP
    """

    def __init__(
        self,
        archive: Archive,
        credentials: Credentials | None,
        *,
        api_root: str = DEFAULT_API_ROOT,
        token_url: str = DEFAULT_TOKEN_URL,
    ) -> None:
        self.archive = archive
        self.api_root = v.base_url(api_root)
        self.slug = v.source_slug(self.api_root)
        self.auth = TokenAuth(archive.client, credentials, token_url) if credentials is not None else None
        self.notes: list[str] = []

    # -- requests ---------------------------------------------------------------
    def _dir(self) -> str:
        return f"opensky/{self.slug}"

    def flights_request(self, icao24: str, begin: int, end: int) -> Request:
        """The ``/flights/aircraft`` request for one address and chunk (inclusive epoch seconds)."""
        return self._flights("aircraft", "icao24", v.icao24(icao24), begin, end)

    def airport_request(self, kind: Literal["arrival", "departure"], airport: str, begin: int, end: int) -> Request:
        """The ``/flights/arrival`` or ``/flights/departure`` request for one chunk."""
        if kind not in ("arrival", "departure"):
            raise v.FetchParamError(f"kind must be 'arrival' or 'departure', not {kind!r}")
        return self._flights(kind, "airport", v.airport(airport), begin, end)

    def _flights(self, what: str, key: str, value: str, begin: int, end: int) -> Request:
        """A ``/flights/<what>`` request for one (validated) ``key=value`` and chunk (inclusive epoch seconds)."""
        return Request(
            url=f"{self.api_root}/flights/{what}",
            params=((key, value), ("begin", str(begin)), ("end", str(end))),
            relpath=f"{self._dir()}/flights/{what}/{value}/{v.stamp(begin)}_{v.stamp(end)}.flights.json",
            source="opensky",
            logical={"endpoint": f"flights/{what}", key: value, "begin": begin, "end": end},
            expect_types=_JSON,
            missing_note="no flights (HTTP 404 with an empty body)",
        )

    def track_request(self, icao24: str, time_s: int) -> Request:
        """The ``/tracks/all`` request for the flight of ``icao24`` under way at ``time_s``."""
        hx = v.icao24(icao24)
        t = int(time_s)
        return Request(
            url=f"{self.api_root}/tracks/all",
            params=(("icao24", hx), ("time", str(t))),
            relpath=f"{self._dir()}/tracks/{hx}/{v.stamp(t)}.json",
            source="opensky",
            logical={"endpoint": "tracks/all", "icao24": hx, "time": t},
            expect_types=_JSON,
            missing_note="no track (HTTP 404 with an empty body)",
        )

    def states_request(
        self,
        time_s: int | None,
        *,
        bbox: str | Sequence[float] | None = None,
        icao24: str | Iterable[str] | None = None,
    ) -> Request:
        """The ``/states/all`` request at one time (``None``: live, never cached)."""
        box = _bbox(bbox)
        hexes = v.icao24_list(icao24) if icao24 else []
        params: list[tuple[str, str]] = []
        logical: dict[str, Any] = {"endpoint": "states/all"}
        if time_s is not None:
            params.append(("time", str(int(time_s))))
            logical["time"] = int(time_s)
            name = v.stamp(int(time_s))
        else:
            name = "live-" + v.stamp(datetime.now(tz=UTC), micro=True)
        if box is not None:
            s, n, w, e = box
            params += [("lamin", _num(s)), ("lamax", _num(n)), ("lomin", _num(w)), ("lomax", _num(e))]
            logical["bbox"] = [s, n, w, e]
            name += "_" + "_".join(_num(x) for x in box)
        for hx in hexes:
            params.append(("icao24", hx))
        if hexes:
            logical["icao24"] = hexes
            if len(hexes) <= _MAX_NAMED_ICAO24:
                name += "_" + "-".join(h.lstrip("~") for h in hexes)
        req = Request(
            url=f"{self.api_root}/states/all",
            params=tuple(params),
            relpath="",
            source="opensky",
            logical=logical,
            cacheable=time_s is not None,
            expect_types=_JSON,
            missing_note="no state vectors (HTTP 404 with an empty body)",
        )
        if len(hexes) > _MAX_NAMED_ICAO24:
            name += f"_{len(hexes)}-aircraft-{req.key[:12]}"
        req.relpath = f"{self._dir()}/states/{name}.json"
        return req

    # -- flows ----------------------------------------------------------------------
    def _run(self, reqs: list[Request], progress: ProgressArg, what: str) -> list[FetchResult]:
        out: list[FetchResult] = []
        with Progress(progress, what, len(reqs)) as bar:
            for req in reqs:
                out.append(self.archive.fetch(req, auth=self.auth))
                bar.advance(1, description=f"{what}: {out[-1].action}")
        return out

    def flights(self, icao24: str | Iterable[str], start: Instant, end: Instant, *, progress: ProgressArg = False) -> list[FetchResult]:
        """Flight lists of aircraft over an interval, in chunks of at most two days.

        Parameters
        ----------
        icao24
            One address, ``"a,b"``, or a list.
        start, end
            Dates (``end`` inclusive: the whole day) or UTC date-times (``end``
            exclusive).
        progress
            Progress reporting (see :mod:`flighttrace._progress`).

        Returns
        -------
        list of FetchResult
            One per chunk and aircraft, in order.
        """
        hexes = v.icao24_list(icao24)
        b, e = v.interval(start, end)
        chunks = chunk_interval(v.epoch_s(b), v.epoch_s(e), max_s=FLIGHTS_AIRCRAFT_MAX_S)
        reqs = [self.flights_request(hx, cb, ce) for hx in hexes for cb, ce in chunks]
        return self._run(reqs, progress, "OpenSky flights")

    def airport(
        self,
        kind: Literal["arrival", "departure"],
        airport: str,
        start: Instant,
        end: Instant,
        *,
        progress: ProgressArg = False,
    ) -> list[FetchResult]:
        """Arrivals or departures of an airport, in chunks spanning at most one UTC midnight."""
        ap = v.airport(airport)
        b, e = v.interval(start, end)
        chunks = chunk_interval(v.epoch_s(b), v.epoch_s(e), max_s=AIRPORT_MAX_S, max_date_boundaries=AIRPORT_MAX_DATE_BOUNDARIES)
        return self._run([self.airport_request(kind, ap, cb, ce) for cb, ce in chunks], progress, f"OpenSky {kind}s")

    def arrivals(self, airport: str, start: Instant, end: Instant, *, progress: ProgressArg = False) -> list[FetchResult]:
        """Arrivals at an airport (see :meth:`airport`)."""
        return self.airport("arrival", airport, start, end, progress=progress)

    def departures(self, airport: str, start: Instant, end: Instant, *, progress: ProgressArg = False) -> list[FetchResult]:
        """Departures from an airport (see :meth:`airport`)."""
        return self.airport("departure", airport, start, end, progress=progress)

    def _first_seen(self, result: FetchResult) -> list[int]:
        if result.path is None:
            return []
        try:
            doc = load_json(result.path)
        except (OSError, ValueError) as exc:
            self.notes.append(f"flight list {result.entry.get('path')} unreadable, no tracks from it: {exc}")
            return []
        if not isinstance(doc, list):
            self.notes.append(f"flight list {result.entry.get('path')} is not a JSON array; no tracks from it")
            return []
        times = []
        for obj in doc:
            t = obj.get("firstSeen") if isinstance(obj, dict) else None
            if isinstance(t, int) and not isinstance(t, bool) and 0 < t < _MAX_EPOCH_S:
                times.append(t)
        return times

    def tracks(self, icao24: str | Iterable[str], start: Instant, end: Instant, *, progress: ProgressArg = False) -> list[FetchResult]:
        """Tracks of every flight of the aircraft over an interval.

        The flight lists are fetched first (and kept: they are evidence of
        which flights exist), then one ``/tracks/all`` call per flight at its
        ``firstSeen``. Only integer ``firstSeen`` values from the lists are
        used; nothing else the server sends reaches a URL or a file name.

        Returns
        -------
        list of FetchResult
            The flight-list results, then the track results.
        """
        hexes = v.icao24_list(icao24)
        lists = self.flights(hexes, start, end, progress=progress)
        reqs: list[Request] = []
        for hx in hexes:
            times: list[int] = []
            for r in lists:
                if r.request.logical.get("icao24") == hx:
                    times.extend(self._first_seen(r))
            reqs.extend(self.track_request(hx, t) for t in sorted(set(times)))
        return lists + self._run(reqs, progress, "OpenSky tracks")

    def states(
        self,
        times: Iterable[Instant] | None,
        *,
        bbox: str | Sequence[float] | None = None,
        icao24: str | Iterable[str] | None = None,
        progress: ProgressArg = False,
    ) -> list[FetchResult]:
        """State vectors at time points, optionally in a box and for given aircraft.

        Parameters
        ----------
        times
            UTC times (whole seconds are used); ``None`` for one live call.
        bbox
            ``"south,north,west,east"`` or four numbers (degrees).
        icao24
            Addresses to restrict to.
        """
        points: list[int | None] = [None] if times is None else [v.epoch_s(v.utc_instant(t)) for t in times]
        if not points:
            raise v.FetchParamError("no time given for state vectors")
        return self._run([self.states_request(t, bbox=bbox, icao24=icao24) for t in points], progress, "OpenSky states")

