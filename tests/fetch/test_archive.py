"""The archive: bodies kept as they came, atomic saves, safe names, the cache, the custody log."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import flighttrace
from flighttrace.fetch import _validate as v
from flighttrace.fetch.archive import (
    Archive,
    Request,
    canonical_request,
    request_key,
)
from flighttrace.fetch.audit import verify
from flighttrace.fetch.custody import ACTIONS, CUSTODY_FILE, lookup, read_entries
from flighttrace.fetch.globe import fetch_globe
from flighttrace.fetch.http import HttpClient
from tests.fetch.conftest import SEP1, RawServer, trace_gz

ENTRY_FIELDS = {
    "id", "action", "source", "method", "url", "params", "request_key", "retrieved_at", "status", "content_type",
    "content_encoding", "response_headers", "size_bytes", "sha256", "path", "ref", "flighttrace_version", "operator",
    "note", "seq", "prev",
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entries(root: Path) -> list[dict]:  # type: ignore[type-arg]
    return list(read_entries(root / CUSTODY_FILE))


def globe_path(hx: str) -> str:
    return f"/g/2023/09/01/traces/{hx[-2:]}/trace_full_{hx}.json"


def test_a_gzip_body_is_kept_exactly_as_it_came(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    body = trace_gz()
    server.expect_request(globe_path("600864")).respond_with_data(body, content_type="application/json", headers={"Content-Encoding": "gzip"})
    arc = make_archive(operator="desk 3")
    (res,) = fetch_globe(arc, "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert res.action == "fetch" and res.path is not None
    assert res.path.read_bytes() == body  # not decoded: still gzip
    assert res.path.read_bytes()[:2] == b"\x1f\x8b"
    e = res.entry
    assert e["sha256"] == sha(body) and e["size_bytes"] == len(body)
    assert e["content_encoding"] == "gzip" and e["content_type"] == "application/json"
    assert e["operator"] == "desk 3" and e["flighttrace_version"] == flighttrace.__version__
    assert e["path"] == f"globe/127.0.0.1_{server.port}_g/2023/09/01/traces/64/trace_full_600864.json"
    assert e["params"] == {"hex": "600864", "date": "2023-09-01", "layout": "globe"}
    assert e["retrieved_at"].endswith("Z") and e["status"] == 200
    assert stat.S_IMODE(res.path.stat().st_mode) == 0o444  # evidence is read-only
    assert not list(arc.root.rglob(".part-*"))


def test_a_transfer_cut_before_content_length_is_quarantined_never_named_as_evidence(
    raw_server: Callable[[bytes], RawServer], make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient]
) -> None:
    body = trace_gz()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
    srv = raw_server(head + body[:20])  # the connection closes after 20 of the announced bytes
    arc = make_archive(client=make_client(min_interval_s=0))
    res = arc.fetch(Request(url=srv.url("/trace.json"), relpath="t/trace.json", source="test"))
    assert res.action == "failed" and "cut short" in res.note and res.path is None
    assert srv.hits == 2  # the whole request is tried again once
    assert not (arc.root / "t").exists()  # nothing under the planned name
    assert not list(arc.root.glob(".part-*"))  # no temporary file left
    # both attempts are logged with their 20 bytes, kept in quarantine; only the last one is counted
    first, last = entries(arc.root)
    assert [first["action"], last["action"]] == ["failed", "failed"] and last["id"] == res.entry["id"]
    assert arc.counts() == {"fetched": 0, "cached": 0, "missing": 0, "failed": 1}
    assert first["path"] == "quarantine/t/trace.json.rejected" and last["path"] == "quarantine/t/trace.json.v2.rejected"
    for e in (first, last):
        assert (arc.root / e["path"]).read_bytes() == body[:20]
        assert e["size_bytes"] == 20 and e["sha256"] == sha(body[:20])
    assert "asked again" in first["note"] and "kept in quarantine" in last["note"]
    assert verify(arc.root) == []


def test_a_wrong_content_type_on_a_good_body_is_noted_and_the_body_kept(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    body = trace_gz()  # a good trace, served under the wrong type
    server.expect_request(globe_path("600864")).respond_with_data(body, content_type="text/html; charset=utf-8")
    arc = make_archive()
    (res,) = fetch_globe(arc, "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert res.action == "fetch" and res.path is not None and res.path.read_bytes() == body
    assert res.entry["content_type"] == "text/html; charset=utf-8"
    assert "unexpected content type 'text/html'" in res.note
    ds = flighttrace.read(arc.root)
    row = ds.manifest.set_index("path").loc[res.path.as_posix()]
    assert row["rows_read"] == 4 and row["custody"] == res.entry["id"]


def test_404_with_an_empty_body_is_missing_not_an_error(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    server.expect_request(globe_path("600864")).respond_with_data("", status=404)
    arc = make_archive()
    (res,) = fetch_globe(arc, "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert res.action == "missing" and res.path is None and res.status == 404
    assert res.entry["path"] == "" and res.entry["size_bytes"] == 0
    assert "no trace" in res.note
    assert arc.counts() == {"fetched": 0, "cached": 0, "missing": 1, "failed": 0}
    assert not list(arc.root.rglob("*.json"))


def test_server_supplied_names_never_reach_the_file_system(server: HTTPServer, make_archive: Callable[..., Archive], tmp_path: Path) -> None:
    body = trace_gz(icao="../../../../escaped")
    server.expect_request(globe_path("600864")).respond_with_data(
        body, content_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="../../../escaped.json"', "Location": "../../x"},
    )
    before = {p for p in tmp_path.rglob("*")}
    arc = make_archive(tmp_path / "deep" / "archive")
    (res,) = fetch_globe(arc, "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert res.action == "fetch" and res.path is not None
    assert res.path.resolve().is_relative_to(arc.root.resolve())
    new = {p for p in tmp_path.rglob("*")} - before
    assert all(p.resolve().is_relative_to(arc.root.resolve()) or p == arc.root.parent for p in new)
    assert not list(tmp_path.rglob("escaped*"))
    assert res.entry["response_headers"]["Content-Disposition"].startswith("attachment")  # recorded, not used


@pytest.mark.parametrize("rel", ["../x.json", "a/../../x.json", "/etc/x.json", "a//b.json", "a\\..\\b.json", "./a.json"])
def test_safe_join_refuses_paths_that_leave_the_archive(tmp_path: Path, rel: str) -> None:
    with pytest.raises(v.FetchParamError):
        v.safe_join(tmp_path, rel)


@pytest.mark.parametrize("bad", ["../600864", "60086g", "6008641", "", "~~00864"])
def test_file_names_are_built_only_from_validated_parameters(bad: str) -> None:
    with pytest.raises(v.FetchParamError):
        v.icao24(bad)


def test_the_cache_answers_a_second_run_without_a_request_and_refresh_asks_again(
    server: HTTPServer, make_archive: Callable[..., Archive]
) -> None:
    server.expect_request(globe_path("600864")).respond_with_data(trace_gz(), content_type="application/json")
    server.expect_request(globe_path("600865")).respond_with_data("", status=404)
    arc = make_archive()
    first = fetch_globe(arc, "600864,600865", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert [r.action for r in first] == ["fetch", "missing"]
    assert len(server.log) == 2

    again = make_archive()  # a new run on the same folder
    second = fetch_globe(again, "600864,600865", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert [r.action for r in second] == ["cache-hit", "cache-hit"]
    assert len(server.log) == 2  # no request at all
    assert second[0].entry["ref"] == first[0].entry["id"] and second[1].entry["ref"] == first[1].entry["id"]
    assert second[0].path == first[0].path and second[0].sha256 == first[0].sha256
    assert again.counts() == {"fetched": 0, "cached": 2, "missing": 0, "failed": 0}

    fresh = make_archive(refresh=True)
    third = fetch_globe(fresh, "600864,600865", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert [r.action for r in third] == ["fetch", "missing"]
    assert len(server.log) == 4
    assert "refresh" in third[0].note


def test_a_cached_file_that_changed_is_fetched_again_beside_it(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    server.expect_request(globe_path("600864")).respond_with_data(trace_gz(), content_type="application/json")
    arc = make_archive()
    (res,) = fetch_globe(arc, "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert res.path is not None
    os.chmod(res.path, 0o644)
    res.path.write_bytes(b"tampered")
    assert verify(arc.root) and "differs" in verify(arc.root)[0]
    (again,) = fetch_globe(make_archive(), "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert again.action == "fetch" and "no longer matched" in again.note
    # the changed file is not overwritten: the new body goes beside it, and verify still names the change
    assert again.path == res.path.with_name("trace_full_600864.v2.json")
    assert again.path.read_bytes() == trace_gz() and res.path.read_bytes() == b"tampered"
    problems = verify(arc.root)
    assert len(problems) == 1 and problems[0].startswith(f"{res.entry['path']}: SHA-256 differs from entry 1")


def test_the_cache_key_is_the_canonical_request_without_credentials() -> None:
    a = request_key("GET", "https://opensky-network.org/api/flights/aircraft", [("icao24", "600864"), ("begin", "1"), ("end", "2")])
    b = request_key("get", "https://OPENSKY-network.org/api/flights/aircraft", [("end", "2"), ("begin", "1"), ("icao24", "600864")])
    c = request_key("GET", "https://user:pw@opensky-network.org/api/flights/aircraft", [("end", "2"), ("begin", "1"), ("icao24", "600864")])
    assert a == b == c
    assert "pw" not in canonical_request("GET", "https://user:pw@h/x")
    assert request_key("GET", "https://h/x", [("begin", "1")]) != request_key("GET", "https://h/x", [("begin", "2")])


def test_the_custody_log_has_one_line_per_body_with_every_field(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    bodies = {hx: trace_gz(icao=hx) for hx in ("600864", "600865", "4b1800")}
    for hx, body in bodies.items():
        server.expect_request(globe_path(hx)).respond_with_data(body, content_type="application/json")
    arc = make_archive(operator="A. Reporter")
    fetch_globe(arc, list(bodies), "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    es = entries(arc.root)
    assert len(es) == 3 and all(e["action"] == "fetch" for e in es)
    for e in es:
        assert set(e) == ENTRY_FIELDS
        assert e["action"] in ACTIONS and e["method"] == "GET" and e["source"] == "globe"
        f = arc.root / e["path"]
        assert sha(f.read_bytes()) == e["sha256"] == sha(bodies[e["params"]["hex"]])
        assert e["size_bytes"] == f.stat().st_size
        assert e["url"] == server.url_for(globe_path(e["params"]["hex"]))
        assert len(e["request_key"]) == 64 and e["operator"] == "A. Reporter"
    assert len({e["id"] for e in es}) == 3
    assert es[0]["prev"] == "0" * 64
    assert verify(arc.root) == []


def test_the_custody_log_is_hash_chained(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    for hx in ("600864", "600865"):
        server.expect_request(globe_path(hx)).respond_with_data(trace_gz(icao=hx), content_type="application/json")
    arc = make_archive()
    fetch_globe(arc, "600864,600865", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    log = arc.root / CUSTODY_FILE
    lines = log.read_bytes().splitlines()
    assert json.loads(lines[1])["prev"] == sha(lines[0])
    edited = json.loads(lines[0])
    edited["note"] = "edited later"
    log.write_bytes(json.dumps(edited).encode() + b"\n" + lines[1] + b"\n")
    assert any("hash chain broken" in p for p in verify(arc.root))


def test_read_links_each_fetched_file_to_its_custody_entry(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    for d in (1, 2):
        server.expect_request(f"/g/2023/09/0{d}/traces/64/trace_full_600864.json").respond_with_data(
            trace_gz(day_epoch=SEP1 + (d - 1) * 86400), content_type="application/json", headers={"Content-Encoding": "gzip"}
        )
    arc = make_archive()
    results = fetch_globe(arc, "600864", "2023-09-01", "2023-09-02", base_url=server.url_for("/g"))
    ds = flighttrace.read(arc.root)
    assert len(ds.points) == 8 and set(ds.points["icao24"]) == {"600864"}
    m = ds.manifest.set_index("path")
    for r in results:
        assert r.path is not None
        assert m.loc[r.path.as_posix(), "custody"] == r.entry["id"]
        assert m.loc[r.path.as_posix(), "sha256"] == r.sha256
        assert lookup(r.path, r.sha256) == r.entry["id"]
        assert lookup(r.path, "0" * 64) is None
    log_row = m.loc[(arc.root / CUSTODY_FILE).as_posix()]
    assert log_row["format"] == "skipped" and log_row["custody"] == ""


def test_lookup_without_a_log_is_none(tmp_path: Path) -> None:
    f = tmp_path / "a" / "b.json"
    f.parent.mkdir()
    f.write_bytes(gzip.compress(b"{}"))
    assert lookup(f, sha(f.read_bytes())) is None


def test_importing_fetch_and_reading_files_loads_no_network_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys, flighttrace.fetch, flighttrace.fetch.custody, flighttrace.io.api; "
        "assert 'requests' not in sys.modules and 'urllib3' not in sys.modules, sorted(m for m in sys.modules if 'req' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
