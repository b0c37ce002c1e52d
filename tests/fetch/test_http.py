"""The HTTP client: pacing, 429 waits, retries of 5xx and timeouts, against a local server."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from flighttrace.fetch.archive import Archive
from flighttrace.fetch.archive import Request as FetchRequest
from flighttrace.fetch.custody import CUSTODY_FILE, HEAD_FILE, read_entries
from flighttrace.fetch.http import (
    BACKOFF_FACTOR_S,
    MAX_RETRY_AFTER_S,
    HttpClient,
    Wait,
    redact,
    redact_url,
    register_secret,
    retry_after_seconds,
)
from tests.fetch.conftest import FakeTime, LocalServer, free_port

SLOW_S = 0.4
"""How long the slow handler stalls (real seconds)."""
READ_TIMEOUT_S = 0.15
"""The client's read timeout in the timeout tests (real seconds)."""


def _req(url: str, rel: str = "x/body.json") -> FetchRequest:
    return FetchRequest(url=url, relpath=rel, source="test")


def test_calls_to_one_host_are_paced(server: HTTPServer, make_client: Callable[..., HttpClient], fake_time: FakeTime) -> None:
    server.expect_request("/a").respond_with_json({"ok": 1})
    other = LocalServer()
    other.start()
    try:
        other.expect_request("/b").respond_with_json({"ok": 2})
        http = make_client(min_interval_s=1.5)
        for _ in range(3):
            assert http.request("GET", server.url_for("/a"), stream=False).status_code == 200
        fake_time.now += 0.5  # time passes between calls: only the rest is waited
        assert http.request("GET", server.url_for("/a"), stream=False).status_code == 200
        assert http.request("GET", other.url_for("/b"), stream=False).status_code == 200  # another host: no wait
    finally:
        other.stop()
    host = f"127.0.0.1:{server.port}"
    assert http.waits == [Wait(host, 1.5, "interval"), Wait(host, 1.5, "interval"), Wait(host, 1.0, "interval")]
    assert fake_time.slept == [1.5, 1.5, 1.0]


@pytest.mark.parametrize(
    ("header", "value"),
    [("X-Rate-Limit-Retry-After-Seconds", "7"), ("Retry-After", "3")],
)
def test_429_waits_exactly_what_the_header_says(
    server: HTTPServer, make_client: Callable[..., HttpClient], header: str, value: str
) -> None:
    server.expect_oneshot_request("/r").respond_with_data("", status=429, headers={header: value})
    server.expect_oneshot_request("/r").respond_with_json([1, 2])
    http = make_client(min_interval_s=0)
    resp = http.request("GET", server.url_for("/r"), stream=False)
    assert resp.status_code == 200 and resp.json() == [1, 2]
    assert [w for w in http.waits if w.reason == "rate-limit"] == [Wait(f"127.0.0.1:{server.port}", float(value), "rate-limit")]
    assert len(server.log) == 2


def test_429_asking_more_than_the_cap_fails_without_waiting(
    server: HTTPServer, make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    server.expect_request("/r").respond_with_data("", status=429, headers={"X-Rate-Limit-Retry-After-Seconds": "86400"})
    arc = make_archive(client=make_client(min_interval_s=0))
    res = arc.fetch(_req(server.url_for("/r")))
    assert res.action == "failed" and res.status == 429
    assert "86400 s" in res.note and f"{MAX_RETRY_AFTER_S:g} s" in res.note
    assert fake_time.slept == [] and len(server.log) == 1
    assert not (arc.root / "x").exists()


def test_429_without_header_waits_the_default_then_gives_up_after_the_retry_budget(
    server: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    server.expect_request("/r").respond_with_data("", status=429)
    http = make_client(min_interval_s=0, rate_limit_retries=2)
    resp = http.request("GET", server.url_for("/r"))
    assert resp.status_code == 429
    assert [w.seconds for w in http.waits] == [60.0, 60.0]
    assert len(server.log) == 3


def test_500_then_success_is_retried_with_backoff(server: HTTPServer, make_client: Callable[..., HttpClient]) -> None:
    server.expect_oneshot_request("/f").respond_with_data("boom", status=500)
    server.expect_oneshot_request("/f").respond_with_data("boom", status=502)
    server.expect_oneshot_request("/f").respond_with_json({"ok": True})
    http = make_client(min_interval_s=0)
    resp = http.request("GET", server.url_for("/f"), stream=False)
    assert resp.status_code == 200 and resp.json() == {"ok": True}
    assert len(server.log) == 3
    # urllib3 retries the first failure at once, then backs off exponentially
    assert [(w.seconds, w.reason) for w in http.waits] == [(BACKOFF_FACTOR_S * 2, "backoff")]


def test_500_then_success_through_the_archive_keeps_only_the_good_body(
    server: HTTPServer, make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    good = json.dumps({"ok": True}).encode()
    server.expect_oneshot_request("/f").respond_with_data("boom-1", status=500)
    server.expect_oneshot_request("/f").respond_with_data("boom-2", status=500)
    server.expect_oneshot_request("/f").respond_with_data(good, content_type="application/json")
    client = make_client(min_interval_s=0)
    arc = make_archive(client=client)
    res = arc.fetch(_req(server.url_for("/f")))
    # three calls on the wire: the first retry at once, the second after 2 × BACKOFF_FACTOR_S
    assert len(server.log) == 3 and [r.status_code for _, r in server.log] == [500, 500, 200]
    assert client.waits == [Wait(f"127.0.0.1:{server.port}", BACKOFF_FACTOR_S * 2, "backoff")]
    assert fake_time.slept == [BACKOFF_FACTOR_S * 2]
    # one file, the good body as sent; the error bodies are kept nowhere
    assert res.action == "fetch" and res.path is not None and res.path.read_bytes() == good
    saved = [p for p in arc.root.rglob("*") if p.is_file() and p.name not in (CUSTODY_FILE, HEAD_FILE)]
    assert saved == [res.path]
    assert not any(b"boom" in p.read_bytes() for p in arc.root.rglob("*") if p.is_file())
    # one custody entry for the request, describing the answer that was kept
    (entry,) = read_entries(arc.root / CUSTODY_FILE)
    assert entry["action"] == "fetch" and entry["status"] == 200
    assert entry["sha256"] == hashlib.sha256(good).hexdigest() and entry["size_bytes"] == len(good)
    assert entry["url"] == server.url_for("/f") and entry["path"] == "x/body.json"


def test_429_then_success_through_the_archive_waits_then_keeps_the_body(
    server: HTTPServer, make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    good = b'{"states": []}'
    server.expect_oneshot_request("/r").respond_with_data("", status=429, headers={"X-Rate-Limit-Retry-After-Seconds": "7"})
    server.expect_oneshot_request("/r").respond_with_data(good, content_type="application/json")
    client = make_client(min_interval_s=0)
    arc = make_archive(client=client)
    res = arc.fetch(_req(server.url_for("/r")))
    assert [r.status_code for _, r in server.log] == [429, 200]
    assert client.waits == [Wait(f"127.0.0.1:{server.port}", 7.0, "rate-limit")] and fake_time.slept == [7.0]
    assert res.action == "fetch" and res.path is not None and res.path.read_bytes() == good
    (entry,) = read_entries(arc.root / CUSTODY_FILE)
    assert entry["action"] == "fetch" and entry["status"] == 200 and entry["sha256"] == hashlib.sha256(good).hexdigest()


def test_500_for_ever_is_recorded_as_failed(server: HTTPServer, make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient]) -> None:
    server.expect_request("/f").respond_with_data("down", status=503)
    arc = make_archive(client=make_client(min_interval_s=0, retries=2))
    res = arc.fetch(_req(server.url_for("/f")))
    assert res.action == "failed" and res.status == 503
    assert "server error HTTP 503" in res.note
    assert len(server.log) == 3


def _slow(request: Request) -> Response:
    time.sleep(SLOW_S)
    return Response('{"late": true}', content_type="application/json")


def test_a_timeout_is_retried_and_the_retry_succeeds(server: HTTPServer, make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient]) -> None:
    server.expect_oneshot_request("/t").respond_with_handler(_slow)
    server.expect_oneshot_request("/t").respond_with_json({"on_time": True})
    arc = make_archive(client=make_client(min_interval_s=0, read_timeout_s=READ_TIMEOUT_S))
    t0 = time.monotonic()
    res = arc.fetch(_req(server.url_for("/t")))
    assert time.monotonic() - t0 < 1.0
    assert res.action == "fetch"
    assert res.path is not None and json.loads(res.path.read_bytes()) == {"on_time": True}
    # urllib3 retries a read timeout at once (no backoff before the first retry); one entry records the kept body
    assert arc.client.waits == []
    (entry,) = read_entries(arc.root / CUSTODY_FILE)
    assert entry["action"] == "fetch" and entry["status"] == 200
    assert entry["sha256"] == hashlib.sha256(res.path.read_bytes()).hexdigest()
    assert not list(arc.root.rglob(".part-*"))


def test_a_timeout_that_persists_is_reported(server: HTTPServer, make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient]) -> None:
    server.expect_request("/t").respond_with_handler(_slow)
    arc = make_archive(client=make_client(min_interval_s=0, read_timeout_s=READ_TIMEOUT_S, retries=1))
    t0 = time.monotonic()
    res = arc.fetch(_req(server.url_for("/t")))
    assert time.monotonic() - t0 < 1.0
    assert res.action == "failed" and res.status is None
    assert "read timed out" in res.note and f"{READ_TIMEOUT_S:g} s" in res.note
    entry = res.entry
    assert entry["action"] == "failed" and entry["path"] == "" and entry["sha256"] == ""
    assert not list(arc.root.rglob("*.json"))


def test_connection_refused_is_retried_then_reported(make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient]) -> None:
    port = free_port()
    client = make_client(min_interval_s=0, retries=2)
    arc = make_archive(client=client)
    res = arc.fetch(_req(f"http://127.0.0.1:{port}/nothing"))
    assert res.action == "failed" and "could not connect" in res.note
    assert [w.reason for w in client.waits] == ["backoff"]  # 2 retries: the second backs off


def test_retry_after_parsing() -> None:
    assert retry_after_seconds({"X-Rate-Limit-Retry-After-Seconds": "12"}) == 12.0
    assert retry_after_seconds({"Retry-After": "5"}) == 5.0
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT"}, now=lambda: 1445412480.0) == 30.0
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_redaction_of_secrets_and_url_credentials() -> None:
    register_secret("hunter2-very-secret")
    assert redact("token is hunter2-very-secret!") == "token is ***!"
    assert redact_url("https://bob:pw123@mirror.example/x?apikey=abc&hex=600864") == "https://mirror.example/x?apikey=***&hex=600864"
    assert "pw123" not in redact("see https://bob:pw123@host/path")


def test_timeouts_are_explicit_everywhere(make_client: Callable[..., HttpClient], monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    http = make_client(connect_timeout_s=3.0, read_timeout_s=9.0)

    def spy(*a: object, **kw: object):  # type: ignore[no-untyped-def]
        seen.append(kw.get("timeout"))
        raise RuntimeError("stop here")

    monkeypatch.setattr(http.session, "request", spy)
    with pytest.raises(RuntimeError):
        http.request("GET", "http://127.0.0.1:1/x")
    assert seen == [(3.0, 9.0)]
