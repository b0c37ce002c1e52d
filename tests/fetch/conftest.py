"""Fixtures for the fetch tests: local HTTP servers, a fake clock, fake services.

Every server here listens on 127.0.0.1 and is started by the test; a guard
refuses any connection elsewhere. Waits go through a fake ``sleep`` that
advances a fake clock, so no test sleeps for real (except the sub-second
read timeouts, which need a real slow server).
"""

from __future__ import annotations

import gzip
import json
import socket
import socketserver
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import urllib3.util.connection as u3conn
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from flighttrace.fetch.archive import Archive
from flighttrace.fetch.http import HttpClient
from tests.builders import trace_doc

ALLOWED_HOSTS = frozenset({"127.0.0.1"})
"""The only address a test may connect to."""

SECRET = f"client-secret-{uuid.uuid4().hex}"
"""A client secret no other string in the run can contain."""
CLIENT_ID = "flighttrace-test-client"

DAY = 86_400
SEP1 = 1_693_526_400
"""2023-09-01T00:00:00Z."""


@pytest.fixture(autouse=True)
def _only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection attempt to a host other than 127.0.0.1."""
    real = u3conn.create_connection

    def guarded(address: tuple[str, int], *a: Any, **kw: Any) -> socket.socket:
        host = address[0]
        if host not in ALLOWED_HOSTS:
            raise AssertionError(f"test tried to reach {host!r}")
        return real(address, *a, **kw)

    monkeypatch.setattr(u3conn, "create_connection", guarded)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials from the developer's environment or home folder."""
    monkeypatch.delenv("OPENSKY_CLIENT_ID", raising=False)
    monkeypatch.delenv("OPENSKY_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


POLL_INTERVAL_S = 0.02
"""How often the test server checks for shutdown (s); werkzeug's default 0.5 s slows every teardown."""


class LocalServer(HTTPServer):
    """pytest-httpserver on 127.0.0.1, threaded, quick to stop."""

    def __init__(self) -> None:
        super().__init__(host="127.0.0.1", port=0, threaded=True)

    def thread_target(self) -> None:
        assert self.server is not None
        self.server.serve_forever(poll_interval=POLL_INTERVAL_S)


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    """A threaded HTTP server on 127.0.0.1 (a slow handler does not block the next request)."""
    srv = LocalServer()
    srv.start()
    yield srv
    srv.clear()
    srv.stop()


@dataclass
class FakeTime:
    """A monotonic clock that only moves when ``sleep`` is called (or by hand)."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(fake_time: FakeTime) -> Callable[..., HttpClient]:
    """An HttpClient with the fake clock and short real timeouts."""

    def make(**kw: Any) -> HttpClient:
        opts: dict[str, Any] = {"connect_timeout_s": 2.0, "read_timeout_s": 2.0, "sleep": fake_time.sleep, "clock": fake_time.clock}
        opts.update(kw)
        return HttpClient(**opts)

    return make


@pytest.fixture
def make_archive(tmp_path: Path, make_client: Callable[..., HttpClient]) -> Callable[..., Archive]:
    def make(root: Path | None = None, *, client: HttpClient | None = None, **kw: Any) -> Archive:
        return Archive(root or tmp_path / "archive", client=client or make_client(), **kw)

    return make


# ----------------------------------------------------------------------------- bodies


def trace_gz(icao: str = "600864", day_epoch: int = SEP1, n: int = 4) -> bytes:
    """A gzip-compressed readsb history trace of ``n`` points on one day."""
    pts = [[20.0 * i, 40.4 + 0.01 * i, 49.9 + 0.01 * i, 1000 + 100 * i, 200.0, 90.0, 0, 0] for i in range(n)]
    return gzip.compress(json.dumps(trace_doc(pts, icao=icao, timestamp=float(day_epoch))).encode(), mtime=0)


def flight(icao: str, first: int, last: int, dep: str | None = "UBBB", arr: str | None = "LLOV") -> dict[str, Any]:
    """One OpenSky flight object, in the real shape."""
    return {
        "icao24": icao,
        "firstSeen": first,
        "estDepartureAirport": dep,
        "lastSeen": last,
        "estArrivalAirport": arr,
        "callsign": "AZQ6224 ",
        "estDepartureAirportHorizDistance": 1200,
        "estDepartureAirportVertDistance": 30,
        "estArrivalAirportHorizDistance": 900,
        "estArrivalAirportVertDistance": 20,
        "departureAirportCandidatesCount": 1,
        "arrivalAirportCandidatesCount": 2,
    }


def track(icao: str, start: int, end: int) -> dict[str, Any]:
    """An OpenSky track in the real shape (path rows: time, lat, lon, baro alt m, track, on_ground)."""
    return {
        "icao24": icao,
        "startTime": start,
        "endTime": end,
        "callsign": "AZQ6224 ",
        "path": [[start, 40.46, 50.05, 300.0, 315.0, False], [end, 32.0, 34.9, 0.0, 180.0, True]],
    }


def states(time_s: int) -> dict[str, Any]:
    """An OpenSky /states/all answer with one 17-element state vector."""
    row = ["600864", "AZQ6224 ", "Azerbaijan", time_s, time_s, 49.9, 40.5, 3000.0, False, 200.0, 270.0, 5.0, None, 3100.0, "1000", False, 0]
    return {"time": time_s, "states": [row]}


def v2_body(hexes: list[str]) -> dict[str, Any]:
    """A jv2 answer (now and ctime in milliseconds)."""
    ac = [{"hex": h, "type": "adsb_icao", "flight": "AZQ6224 ", "alt_baro": 12000, "gs": 250.1, "lat": 40.5, "lon": 49.9, "seen_pos": 1.2, "seen": 0.5} for h in hexes]
    return {"ac": ac, "msg": "No error", "now": 1693548000123, "total": len(ac), "ctime": 1693548000100, "ptime": 3}


# ----------------------------------------------------------------------------- a fake OpenSky


class FakeOpenSky:
    """OpenSky's token endpoint and REST API on a local server.

    Every issued token is a fresh unique string (kept in :attr:`tokens`);
    :attr:`revoke_after` API calls after a token was issued, that token stops
    working (401), as when it expires server-side mid-run.
    """

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.tokens: list[str] = []
        self.valid: set[str] = set()
        self.calls: list[tuple[str, dict[str, list[str]]]] = []
        self.unauthorized = 0
        self.flights: list[dict[str, Any]] = []
        self.revoke_after: int | None = None
        self.token_status = 200
        self._since_token = 0
        self.lock = threading.Lock()
        server.expect_request("/auth/token", method="POST").respond_with_handler(self._token)
        for path in ("/api/flights/aircraft", "/api/flights/arrival", "/api/flights/departure", "/api/tracks/all", "/api/states/all"):
            server.expect_request(path, method="GET").respond_with_handler(self._api)

    @property
    def api_root(self) -> str:
        return self.server.url_for("/api")

    @property
    def token_url(self) -> str:
        return self.server.url_for("/auth/token")

    def _token(self, request: Request) -> Response:
        form = request.form
        if form.get("grant_type") != "client_credentials" or form.get("client_id") != CLIENT_ID or form.get("client_secret") != SECRET:
            return Response(json.dumps({"error": "unauthorized_client", "error_description": "Invalid client secret"}), status=401, content_type="application/json")
        if self.token_status != 200:
            return Response("", status=self.token_status)
        with self.lock:
            tok = f"token-{uuid.uuid4().hex}-{len(self.tokens)}"
            self.tokens.append(tok)
            self.valid = {tok}
            self._since_token = 0
        return Response(json.dumps({"access_token": tok, "expires_in": 1800, "token_type": "Bearer", "scope": "profile email"}), content_type="application/json")

    def _api(self, request: Request) -> Response:
        auth = request.headers.get("Authorization", "")
        with self.lock:
            ok = auth.startswith("Bearer ") and auth[7:] in self.valid
            if ok and self.revoke_after is not None and self._since_token >= self.revoke_after:
                self.valid.clear()
                ok = False
            if not ok:
                self.unauthorized += 1
                return Response("", status=401)
            self._since_token += 1
            self.calls.append((request.path, request.args.to_dict(flat=False)))
        a = request.args
        if request.path == "/api/flights/aircraft":
            b, e = int(a["begin"]), int(a["end"])
            hits = [f for f in self.flights if f["icao24"] == a["icao24"] and b <= f["firstSeen"] <= e]
        elif request.path in ("/api/flights/arrival", "/api/flights/departure"):
            b, e = int(a["begin"]), int(a["end"])
            key = "estArrivalAirport" if request.path.endswith("arrival") else "estDepartureAirport"
            hits = [f for f in self.flights if f[key] == a["airport"] and b <= f["firstSeen"] <= e]
        elif request.path == "/api/tracks/all":
            t = int(a["time"])
            fl = [f for f in self.flights if f["icao24"] == a["icao24"] and f["firstSeen"] <= t <= f["lastSeen"]]
            if not fl:
                return Response("", status=404)
            return Response(json.dumps(track(a["icao24"], fl[0]["firstSeen"], fl[0]["lastSeen"])), content_type="application/json")
        else:
            return Response(json.dumps(states(int(a.get("time", SEP1)))), content_type="application/json")
        if not hits:
            return Response("", status=404)  # OpenSky: 404 with an empty body = no flights
        return Response(json.dumps(hits), content_type="application/json")

    def pairs(self, path: str) -> list[tuple[int, int]]:
        """The (begin, end) pairs the server was asked for on ``path``."""
        return [(int(q["begin"][0]), int(q["end"][0])) for p, q in self.calls if p == path]


@pytest.fixture
def opensky(server: HTTPServer) -> FakeOpenSky:
    return FakeOpenSky(server)


@pytest.fixture
def credentials_file(tmp_path: Path) -> Path:
    """OpenSky's downloadable credentials.json shape."""
    p = tmp_path / "credentials.json"
    p.write_text(json.dumps({"clientId": CLIENT_ID, "clientSecret": SECRET}))
    return p


# ----------------------------------------------------------------------------- a raw socket server


class RawServer:
    """A bare TCP server on 127.0.0.1 that answers every connection with fixed bytes, then closes."""

    def __init__(self, payload: bytes) -> None:
        payload_ = payload

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.recv(65536)
                self.request.sendall(payload_)
                self.request.shutdown(socket.SHUT_RDWR)

        self.hits = 0
        outer = self

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def finish_request(self, request: Any, client_address: Any) -> None:
                outer.hits += 1
                super().finish_request(request, client_address)

        self._srv = Server(("127.0.0.1", 0), Handler)
        self.port = self._srv.server_address[1]
        self._thread = threading.Thread(target=self._srv.serve_forever, kwargs={"poll_interval": POLL_INTERVAL_S}, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self._srv.shutdown()
        self._srv.server_close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[bytes], RawServer]]:
    made: list[RawServer] = []

    def make(payload: bytes) -> RawServer:
        s = RawServer(payload)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def all_bytes_under(folder: Path) -> dict[Path, bytes]:
    """Every file below ``folder`` with its bytes."""
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# ----------------------------------------------------------------------------- a trickling server


class TrickleServer:
    """A TCP server on 127.0.0.1 that sends its answer one byte every ``interval_s`` seconds.

    ``head_slow=False`` sends the status line and headers at once and then
    trickles the body; ``head_slow=True`` trickles the headers too. Sending
    stops when the client goes away or the server is closed.
    """

    def __init__(self, head: bytes, body: bytes, *, interval_s: float = 0.5, head_slow: bool = False) -> None:
        stop = threading.Event()
        self.stop = stop
        self.hits = 0
        self.sent: list[int] = []
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer.hits += 1
                self.request.recv(65536)
                slow = head + body if head_slow else body
                n = 0
                try:
                    if not head_slow:
                        self.request.sendall(head)
                    for i in range(len(slow)):
                        if stop.wait(interval_s):
                            break
                        self.request.sendall(slow[i : i + 1])
                        n += 1
                except OSError:
                    pass
                outer.sent.append(n)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._srv = Server(("127.0.0.1", 0), Handler)
        self.port = self._srv.server_address[1]
        self._thread = threading.Thread(target=self._srv.serve_forever, kwargs={"poll_interval": POLL_INTERVAL_S}, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.stop.set()
        self._srv.shutdown()
        self._srv.server_close()


@pytest.fixture
def trickle_server() -> Iterator[Callable[..., TrickleServer]]:
    made: list[TrickleServer] = []

    def make(head: bytes, body: bytes, **kw: Any) -> TrickleServer:
        s = TrickleServer(head, body, **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()
