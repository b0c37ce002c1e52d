"""The overall deadline: a server that trickles its answer cannot hold a request beyond it.

The server sends one byte every half second, so the 1,001-byte body would
take over eight minutes; the deadline is 1 s and the read timeout 5 s (each
single wait is short, so only the deadline can end the request). The tests
assert the outcome and the logged reason, never a duration.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flighttrace.cli import _load, app
from flighttrace.fetch.archive import BODY_ATTEMPTS, Archive, Request
from flighttrace.fetch.audit import verify
from flighttrace.fetch.custody import CUSTODY_FILE, read_entries
from flighttrace.fetch.http import HttpClient
from tests.fetch.conftest import TrickleServer

_load()

DEADLINE_S = 1.0
BODY = b"[" + b"0," * 499 + b"0]"
"""1,001 bytes of valid JSON: only its slowness is wrong."""


def head(content_length: bool) -> bytes:
    length = f"Content-Length: {len(BODY)}\r\n" if content_length else ""
    return f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}Connection: close\r\n\r\n".encode()


@pytest.mark.parametrize("content_length", [True, False], ids=["with-content-length", "until-close"])
def test_a_trickled_body_fails_by_the_deadline_and_its_bytes_are_quarantined(
    trickle_server: Callable[..., TrickleServer], make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient],
    content_length: bool,
) -> None:
    srv = trickle_server(head(content_length), BODY)
    arc = make_archive(client=make_client(min_interval_s=0, read_timeout_s=5.0, deadline_s=DEADLINE_S))
    res = arc.fetch(Request(url=srv.url("/slow.json"), relpath="s/slow.json", source="test"))
    assert res.action == "failed" and res.path is None
    assert f"no complete answer within the {DEADLINE_S:g} s deadline" in res.note
    assert srv.hits == BODY_ATTEMPTS  # the whole request was tried again once, per the retry policy
    assert not (arc.root / "s" / "slow.json").exists()
    # each attempt's partial body is kept in quarantine: a true prefix of what the server meant to send
    es = list(read_entries(arc.root / CUSTODY_FILE))
    assert [e["action"] for e in es] == ["failed"] * BODY_ATTEMPTS
    for e in es:
        got = (arc.root / e["path"]).read_bytes()
        assert e["path"].startswith("quarantine/s/slow.") and e["size_bytes"] == len(got)
        assert len(got) < len(BODY) and BODY.startswith(got)
    assert arc.counts()["failed"] == 1 and verify(arc.root) == []


def test_trickled_headers_fail_by_the_deadline(
    trickle_server: Callable[..., TrickleServer], make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient]
) -> None:
    srv = trickle_server(head(True), BODY, head_slow=True)
    arc = make_archive(client=make_client(min_interval_s=0, read_timeout_s=5.0, deadline_s=DEADLINE_S))
    res = arc.fetch(Request(url=srv.url("/slow.json"), relpath="s/slow.json", source="test"))
    assert res.action == "failed" and res.status is None
    assert f"no complete answer within the {DEADLINE_S:g} s deadline" in res.note
    assert srv.hits == BODY_ATTEMPTS
    assert res.entry["path"] == "" and not (arc.root / "s").exists()


def test_the_cli_deadline_option(trickle_server: Callable[..., TrickleServer], tmp_path: Path) -> None:
    srv = trickle_server(head(True), BODY)
    out = tmp_path / "case"
    res = CliRunner().invoke(app, [
        "fetch", "v2", "--hex", "600864", "--base-url", srv.url(""), "--out", str(out),
        "--min-interval", "0", "--timeout", "5", "--deadline", "1", "--no-progress",
    ])
    assert res.exit_code == 1, res.output
    assert "no complete answer within the 1 s deadline" in res.output
    assert [e["action"] for e in read_entries(out / CUSTODY_FILE)] == ["failed"] * BODY_ATTEMPTS
