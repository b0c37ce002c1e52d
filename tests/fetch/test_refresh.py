"""``--refresh`` never overwrites evidence: the earlier file stays, the new body goes beside it, both are logged."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable
from pathlib import Path

from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

import flighttrace
from flighttrace.cli import _load, app
from flighttrace.fetch.archive import Archive
from flighttrace.fetch.audit import verify
from flighttrace.fetch.custody import CUSTODY_FILE, read_entries
from flighttrace.fetch.globe import fetch_globe
from tests.fetch.conftest import SEP1, trace_gz

_load()

TRACE = "/g/2023/09/01/traces/64/trace_full_600864.json"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_refresh_keeps_the_earlier_body_and_logs_both(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    first_body, second_body = trace_gz(n=3), trace_gz(n=5)  # the server's copy grew between the two runs
    server.expect_oneshot_request(TRACE).respond_with_data(first_body, content_type="application/json")
    server.expect_oneshot_request(TRACE).respond_with_data(second_body, content_type="application/json")
    (first,) = fetch_globe(make_archive(), "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    arc = make_archive(refresh=True)
    (second,) = fetch_globe(arc, "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert first.action == second.action == "fetch" and first.path is not None and second.path is not None
    # the earlier file is untouched, the refreshed body sits beside it under a versioned name
    assert first.path.read_bytes() == first_body
    assert second.path == first.path.with_name("trace_full_600864.v2.json")
    assert second.path.read_bytes() == second_body
    assert stat.S_IMODE(second.path.stat().st_mode) == 0o444
    assert "refresh" in second.note and "trace_full_600864.v2.json" in second.note
    # both bodies are in the custody log with their own hash and path
    es = list(read_entries(arc.root / CUSTODY_FILE))
    assert [(e["action"], e["sha256"], e["path"]) for e in es] == [
        ("fetch", sha(first_body), first.entry["path"]),
        ("fetch", sha(second_body), second.entry["path"]),
    ]
    assert verify(arc.root) == []
    # both files are read and linked to their entries; the points both hold are counted once
    ds = flighttrace.read(arc.root)
    m = ds.manifest.set_index("path")
    assert m.loc[first.path.as_posix(), "custody"] == first.entry["id"]
    assert m.loc[second.path.as_posix(), "custody"] == second.entry["id"]
    assert len(ds.points) == 5


def test_refresh_with_the_same_bytes_adds_no_file(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    body = trace_gz()
    server.expect_request(TRACE).respond_with_data(body, content_type="application/json")
    (first,) = fetch_globe(make_archive(), "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    arc = make_archive(refresh=True)
    (again,) = fetch_globe(arc, "600864", "2023-09-01", "2023-09-01", base_url=server.url_for("/g"))
    assert again.action == "fetch" and again.path == first.path and again.sha256 == first.sha256
    assert "the same bytes as entry 1: no new file" in again.note
    assert [p.name for p in arc.root.rglob("trace_full_*")] == ["trace_full_600864.json"]
    assert len(list(read_entries(arc.root / CUSTODY_FILE))) == 2 and verify(arc.root) == []


def test_refresh_from_the_cli_three_times_keeps_three_versions(server: HTTPServer, tmp_path: Path) -> None:
    bodies = [trace_gz(n=n, day_epoch=SEP1) for n in (2, 3, 4)]
    for b in bodies:
        server.expect_oneshot_request(TRACE).respond_with_data(b, content_type="application/json")
    out = tmp_path / "case"
    args = ["fetch", "globe", "--hex", "600864", "--start", "2023-09-01", "--end", "2023-09-01", "--base-url", server.url_for("/g"),
            "--out", str(out), "--min-interval", "0", "--no-progress"]
    for extra in ([], ["--refresh"], ["--refresh"]):
        res = CliRunner().invoke(app, [*args, *extra])
        assert res.exit_code == 0, res.output
    folder = out / f"globe/127.0.0.1_{server.port}_g/2023/09/01/traces/64"
    names = ["trace_full_600864.json", "trace_full_600864.v2.json", "trace_full_600864.v3.json"]
    assert sorted(p.name for p in folder.iterdir()) == names
    assert [(folder / n).read_bytes() for n in names] == bodies
    assert [e["sha256"] for e in read_entries(out / CUSTODY_FILE)] == [sha(b) for b in bodies]
    res = CliRunner().invoke(app, ["fetch", "verify", str(out)])
    assert res.exit_code == 0 and "agree (3 entries, 3 files checked)" in res.output
