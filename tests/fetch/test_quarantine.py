"""Bodies that fail their checks: logged as failed with the reason, kept in quarantine, asked again next run."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

import flighttrace
from flighttrace.cli import _load, app
from flighttrace.fetch.archive import Archive
from flighttrace.fetch.audit import verify
from flighttrace.fetch.custody import CUSTODY_FILE, read_entries
from flighttrace.fetch.globe import fetch_globe
from tests.fetch.conftest import trace_gz
from tests.fetch.test_cli import summary

_load()

TRACE = "/g/2023/09/01/traces/64/trace_full_600864.json"
HALF_GZIP = trace_gz(n=200)[: len(trace_gz(n=200)) // 2]
LOGIN_PAGE = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in</body></html>"

BAD_BODIES = [
    pytest.param(HALF_GZIP, "application/json", "the gzip body is cut short", id="truncated-gzip"),
    pytest.param(LOGIN_PAGE, "text/html; charset=utf-8", "an HTML or XML page where JSON was expected", id="html-page"),
    pytest.param(b"", "application/json", "empty body where JSON was expected", id="empty"),
    pytest.param(b'{"icao": "600864", "trace": [[0, 40.4', "application/json", "is not valid JSON", id="json-cut-short"),
]


def planned(server: HTTPServer) -> str:
    return f"globe/127.0.0.1_{server.port}_g/2023/09/01/traces/64/trace_full_600864.json"


@pytest.mark.parametrize(("body", "ctype", "reason"), BAD_BODIES)
def test_a_bad_body_is_failed_with_its_reason_and_kept_in_quarantine(
    server: HTTPServer, make_archive: Callable[..., Archive], body: bytes, ctype: str, reason: str
) -> None:
    server.expect_request(TRACE).respond_with_data(body, content_type=ctype)
    arc = make_archive()
    (res,) = fetch_globe(arc, "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert res.action == "failed" and res.path is None and res.status == 200
    assert reason in res.note and "kept in quarantine" in res.note
    assert arc.counts() == {"fetched": 0, "cached": 0, "missing": 0, "failed": 1}
    # the bytes, exactly as received, under quarantine/ — never under the planned name
    assert res.entry["path"] == f"quarantine/{planned(server)}.rejected"
    kept = arc.root / res.entry["path"]
    assert kept.read_bytes() == body
    assert res.entry["sha256"] == hashlib.sha256(body).hexdigest() and res.entry["size_bytes"] == len(body)
    assert not (arc.root / planned(server)).exists()
    # a folder read does not take it for evidence; the archive verifies clean (the entry names the file)
    ds = flighttrace.read(arc.root)
    row = ds.manifest.set_index("path").loc[kept.as_posix()]
    assert row["format"] == "skipped" and "quarantined" in str(row["notes"]) and row["error"] == ""
    assert len(ds.points) == 0
    assert verify(arc.root) == []


def test_a_quarantined_request_is_asked_again_on_the_next_run(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    good = trace_gz()
    server.expect_oneshot_request(TRACE).respond_with_data(LOGIN_PAGE, content_type="text/html")
    server.expect_oneshot_request(TRACE).respond_with_data(good, content_type="application/json")
    (first,) = fetch_globe(make_archive(), "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert first.action == "failed"
    second_run = make_archive()
    (second,) = fetch_globe(second_run, "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert len(server.log) == 2  # asked again, not answered from the archive
    assert second.action == "fetch" and second.path is not None and second.path.read_bytes() == good
    assert second.entry["path"] == planned(server)
    assert (second_run.root / first.entry["path"]).read_bytes() == LOGIN_PAGE  # the rejected page stays in quarantine
    assert [e["action"] for e in read_entries(second_run.root / CUSTODY_FILE)] == ["failed", "fetch"]
    (third,) = fetch_globe(make_archive(), "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert third.action == "cache-hit" and len(server.log) == 2  # now settled


def test_the_cli_counts_a_bad_body_as_failed_and_exits_1(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(TRACE).respond_with_data(LOGIN_PAGE, content_type="text/html")
    out = tmp_path / "case"
    res = CliRunner().invoke(app, ["fetch", "globe", "--hex", "600864", "--start", "2023-09-01", "--end", "2023-09-01",
                                   "--base-url", server.url_for("/g"), "--out", str(out), "--min-interval", "0", "--no-progress"])
    assert res.exit_code == 1, res.output
    assert "an HTML or XML page where JSON was expected" in res.output and "quarantine/" in res.output
    (entry,) = read_entries(out / CUSTODY_FILE)
    assert entry["action"] == "failed" and entry["status"] == 200 and (out / entry["path"]).read_bytes() == LOGIN_PAGE
    assert summary(res.output) == {"fetched": 0, "cached": 0, "missing": 0, "failed": 1}
    assert "Traceback" not in res.output
