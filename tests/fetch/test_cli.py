"""``flighttrace fetch …`` end to end against local servers."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from flighttrace.cli import _load, app
from flighttrace.fetch.custody import CUSTODY_FILE, read_entries
from tests.fetch.conftest import (
    CLIENT_ID,
    SECRET,
    SEP1,
    FakeOpenSky,
    RawServer,
    flight,
    trace_gz,
    v2_body,
)

_load()
FAST = ["--min-interval", "0", "--timeout", "2", "--no-progress"]
"""Options that keep CLI tests quick (no pacing between calls to the one local server)."""


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args), env=env)
    return res.exit_code, res.output  # click ≥ 8.2: stdout and stderr interleaved


SUMMARY_COLUMNS = ("fetched", "cached", "missing", "failed")


def summary(text: str) -> dict[str, int]:
    """The numbers of the printed summary table (the row under its fetched/cached/missing/failed header)."""
    lines = text.splitlines()
    head = next(i for i, ln in enumerate(lines) if all(c in ln for c in SUMMARY_COLUMNS))
    names = re.findall(r"[a-z]+", lines[head])
    assert tuple(names) == SUMMARY_COLUMNS, lines[head]
    row = next(ln for ln in lines[head + 1:] if re.search(r"\d", ln))
    values = [int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", row)]
    return dict(zip(names, values, strict=True))


def globe_server(server: HTTPServer) -> str:
    for hx in ("600864", "600865"):
        for d in (1, 2):
            server.expect_request(f"/gh/2023/09/0{d}/traces/{hx[-2:]}/trace_full_{hx}.json").respond_with_data(
                trace_gz(icao=hx, day_epoch=SEP1 + (d - 1) * 86400), content_type="application/json"
            )
    server.no_handler_status_code = 404
    return server.url_for("/gh")


def test_fetch_globe_then_again_from_the_cache(server: HTTPServer, tmp_path: Path) -> None:
    base = globe_server(server)
    out = tmp_path / "case"
    code, text = run("fetch", "globe", "--hex", "600864,600865", "--start", "2023-09-01", "--end", "2023-09-03",
                     "--base-url", base, "--out", str(out), "--operator", "night desk", *FAST)
    assert code == 0, text
    for word in ("fetched", "cached", "missing", "failed"):
        assert word in text
    # 2 aircraft × 3 days: the server has 1–2 Sep for both, nothing on 3 Sep
    assert summary(text) == {"fetched": 4, "cached": 0, "missing": 2, "failed": 0}
    assert "custody.jsonl" in text and "Traceback" not in text
    es = list(read_entries(out / CUSTODY_FILE))
    assert [e["action"] for e in es].count("fetch") == 4 and [e["action"] for e in es].count("missing") == 2
    assert {e["operator"] for e in es} == {"night desk"}
    assert len(list(out.rglob("trace_full_*.json"))) == 4
    n = len(server.log)
    code, text = run("fetch", "globe", "--hex", "600864,600865", "--start", "2023-09-01", "--end", "2023-09-03",
                     "--base-url", base, "--out", str(out), *FAST)
    assert code == 0 and len(server.log) == n
    # the four files and the two "nothing here" answers all come from the archive
    assert summary(text) == {"fetched": 0, "cached": 6, "missing": 0, "failed": 0}
    code, text = run("fetch", "globe", "--hex", "600864,600865", "--start", "2023-09-01", "--end", "2023-09-03",
                     "--base-url", base, "--out", str(out), "--refresh", *FAST)
    assert code == 0 and len(server.log) == n + 6
    assert summary(text) == {"fetched": 4, "cached": 0, "missing": 2, "failed": 0}
    code, text = run("fetch", "verify", str(out))
    assert code == 0 and "agree" in text
    code, text = run("ingest", str(out), "--out", str(tmp_path / "ingested"), "--no-progress")
    assert code == 0, text
    files = json.loads((tmp_path / "ingested" / "manifest.json").read_text())["files"]
    traces = [f for f in files if f["format"] == "readsb_trace"]
    fetch_ids = {e["id"] for e in read_entries(out / CUSTODY_FILE) if e["action"] == "fetch"}
    assert len(traces) == 4 and {f["custody"] for f in traces} <= fetch_ids  # each file names its custody entry


def test_fetch_globe_hex_list_from_a_file(server: HTTPServer, tmp_path: Path) -> None:
    base = globe_server(server)
    fleet = tmp_path / "fleet.txt"
    fleet.write_text("# the fleet\n600864  # first\n600865\n")
    code, text = run("fetch", "globe", "--hex", f"@{fleet}", "--start", "2023-09-01", "--end", "2023-09-01",
                     "--base-url", base, "--out", str(tmp_path / "o"), *FAST)
    assert code == 0, text
    assert len(list((tmp_path / "o").rglob("trace_full_*.json"))) == 2


def test_failures_are_listed_and_exit_1(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/gh/2023/09/01/traces/64/trace_full_600864.json").respond_with_data("forbidden", status=403)
    code, text = run("fetch", "globe", "--hex", "600864", "--start", "2023-09-01", "--end", "2023-09-01",
                     "--base-url", server.url_for("/gh"), "--out", str(tmp_path / "o"), *FAST)
    assert code == 1
    assert "HTTP 403" in text and "Traceback" not in text
    assert summary(text) == {"fetched": 0, "cached": 0, "missing": 0, "failed": 1}


def test_a_mixed_run_counts_each_outcome_once(server: HTTPServer, tmp_path: Path) -> None:
    # 600864: 1 Sep served, 2 Sep refused (403, not retried: no real backoff in a CLI test); 600865: 1 Sep not on the server, 2 Sep served
    server.expect_request("/gh/2023/09/01/traces/64/trace_full_600864.json").respond_with_data(trace_gz(), content_type="application/json")
    server.expect_request("/gh/2023/09/02/traces/64/trace_full_600864.json").respond_with_data("forbidden", status=403)
    server.expect_request("/gh/2023/09/02/traces/65/trace_full_600865.json").respond_with_data(
        trace_gz(icao="600865", day_epoch=SEP1 + 86400), content_type="application/json")
    server.no_handler_status_code = 404
    out = tmp_path / "o"
    args = ("fetch", "globe", "--hex", "600864,600865", "--start", "2023-09-01", "--end", "2023-09-02",
            "--base-url", server.url_for("/gh"), "--out", str(out), *FAST)
    code, text = run(*args)
    assert code == 1 and "HTTP 403" in text
    assert summary(text) == {"fetched": 2, "cached": 0, "missing": 1, "failed": 1}
    # a second run answers the three settled requests from the archive and asks only for the failed one again
    n = len(server.log)
    code, text = run(*args)
    assert code == 1
    assert summary(text) == {"fetched": 0, "cached": 3, "missing": 0, "failed": 1}
    retried = [req.path for req, _ in server.log[n:]]
    assert set(retried) == {"/gh/2023/09/02/traces/64/trace_full_600864.json"}


def test_the_progress_bar_names_each_request(server: HTTPServer, tmp_path: Path) -> None:
    base = globe_server(server)
    code, text = run("fetch", "globe", "--hex", "600864", "--start", "2023-09-01", "--end", "2023-09-02",
                     "--base-url", base, "--out", str(tmp_path / "o"), "--min-interval", "0", "--timeout", "2", "--progress")
    assert code == 0, text
    assert "100%" in text and "2023-09-02 600864" in text
    assert summary(text) == {"fetched": 2, "cached": 0, "missing": 0, "failed": 0}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--hex", "600864", "--start", "2023-09-31", "--end", "2023-10-01"], "not a date"),
        (["--hex", "60086", "--start", "2023-09-01", "--end", "2023-09-01"], "not an ICAO 24-bit address"),
        (["--hex", "600864", "--start", "2023-09-02", "--end", "2023-09-01"], "before the start"),
        (["--hex", "@/nonexistent/fleet.txt", "--start", "2023-09-01", "--end", "2023-09-01"], "cannot read the hex list"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(server: HTTPServer, tmp_path: Path, args: list[str], expected: str) -> None:
    code, text = run("fetch", "globe", *args, "--base-url", server.url_for("/gh"), "--out", str(tmp_path / "o"), *FAST)
    assert code == 2
    assert expected in text and "Traceback" not in text
    assert len([ln for ln in text.splitlines() if ln.strip()]) == 1
    assert len(server.log) == 0


def test_opensky_without_credentials_is_exit_2(opensky: FakeOpenSky, tmp_path: Path) -> None:
    code, text = run("fetch", "opensky", "flights", "--icao24", "600864", "--start", "2023-09-01", "--end", "2023-09-20",
                     "--out", str(tmp_path / "o"), "--api-root", opensky.api_root, "--token-url", opensky.token_url, *FAST)
    assert code == 2 and "no OpenSky credentials" in text and "OPENSKY_CLIENT_ID" in text
    assert "Traceback" not in text and opensky.server.log == []


def opensky_args(fake: FakeOpenSky, out: Path) -> list[str]:
    return ["--out", str(out), "--api-root", fake.api_root, "--token-url", fake.token_url, *FAST]


def test_opensky_flights_and_tracks_end_to_end(opensky: FakeOpenSky, tmp_path: Path, credentials_file: Path) -> None:
    opensky.flights = [flight("600864", SEP1 + 3600, SEP1 + 9000), flight("600864", SEP1 + 12 * 86400, SEP1 + 12 * 86400 + 4000)]
    out = tmp_path / "sky"
    code, text = run("fetch", "opensky", "flights", "--icao24", "600864", "--start", "2023-09-01", "--end", "2023-09-20",
                     "--credentials", str(credentials_file), *opensky_args(opensky, out))
    assert code == 0, text
    assert len(opensky.pairs("/api/flights/aircraft")) == 10  # 20 days in two-day chunks
    assert len(list(out.rglob("*.flights.json"))) == 2
    code, text = run("fetch", "opensky", "tracks", "--icao24", "600864", "--start", "2023-09-01", "--end", "2023-09-20",
                     "--credentials", str(credentials_file), *opensky_args(opensky, out))
    assert code == 0, text
    assert len(opensky.pairs("/api/flights/aircraft")) == 10  # flight lists came from the cache
    assert len([p for p, _ in opensky.calls if p == "/api/tracks/all"]) == 2
    assert len(list((out).rglob("tracks/600864/*.json"))) == 2


def test_opensky_arrivals_departures_and_states(opensky: FakeOpenSky, tmp_path: Path) -> None:
    opensky.flights = [flight("600864", SEP1 + 3600, SEP1 + 9000)]
    env = {"OPENSKY_CLIENT_ID": CLIENT_ID, "OPENSKY_CLIENT_SECRET": SECRET}
    out = tmp_path / "sky"
    code, text = run("fetch", "opensky", "arrivals", "--airport", "LLOV", "--start", "2023-09-01", "--end", "2023-09-02",
                     *opensky_args(opensky, out), env=env)
    assert code == 0, text
    code, text = run("fetch", "opensky", "departures", "--airport", "UBBB", "--start", "2023-09-01", "--end", "2023-09-01",
                     *opensky_args(opensky, out), env=env)
    assert code == 0, text
    code, text = run("fetch", "opensky", "states", "--time", "2023-09-01T06:00:00Z,2023-09-01T06:00:05Z", "--bbox", "38,42,45,51",
                     *opensky_args(opensky, out), env=env)
    assert code == 0, text
    assert [p for p, _ in opensky.calls] == ["/api/flights/arrival", "/api/flights/departure", "/api/states/all", "/api/states/all"]
    code, text = run("fetch", "opensky", "arrivals", "--airport", "TOOLONG", "--start", "2023-09-01", "--end", "2023-09-02",
                     *opensky_args(opensky, out), env=env)
    assert code == 2 and "airport" in text


def test_fetch_v2_end_to_end(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/v2/hex/600864").respond_with_json(v2_body(["600864"]))
    server.expect_request("/v2/callsign/AZQ6224").respond_with_json(v2_body(["600864"]))
    out = tmp_path / "live"
    code, text = run("fetch", "v2", "--hex", "600864", "--callsign", "AZQ6224", "--base-url", server.url_for("/"), "--out", str(out), *FAST)
    assert code == 0, text
    assert len(list(out.rglob("*.json"))) == 2
    code, text = run("fetch", "v2", "--point", "40,50,300", "--base-url", server.url_for("/"), "--out", str(out), *FAST)
    assert code == 2 and "radius" in text


def test_verify_reports_a_changed_file(server: HTTPServer, tmp_path: Path) -> None:
    base = globe_server(server)
    out = tmp_path / "case"
    run("fetch", "globe", "--hex", "600864", "--start", "2023-09-01", "--end", "2023-09-01", "--base-url", base, "--out", str(out), *FAST)
    (f,) = list(out.rglob("trace_full_*.json"))
    os.chmod(f, 0o644)
    f.write_bytes(b"{}")
    code, text = run("fetch", "verify", str(out))
    assert code == 1 and "SHA-256 differs" in text


def test_urls_server_text_and_folder_names_print_as_plain_text(server: HTTPServer, raw_server: Callable[[bytes], RawServer], tmp_path: Path) -> None:
    # the mirror redirects to a URL holding rich markup (sent literally, as a raw socket can), and the answer there is refused
    target = server.url_for("/moved/[/bogus]/[bold]x.json")
    server.expect_request(re.compile(r"^/moved/")).respond_with_data("[red]no[/red]", status=403)
    mirror = raw_server(f"HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
    out = tmp_path / "case [/bogus]"
    code, text = run("fetch", "globe", "--hex", "600864", "--start", "2023-09-01", "--end", "2023-09-01",
                     "--base-url", mirror.url("/gh"), "--out", str(out), *FAST)
    assert code == 1, text
    assert "Traceback" not in text and "MarkupError" not in text
    assert f"HTTP 403; redirected to {target}" in text  # printed as it is, brackets and all
    assert f"custody log: {out / CUSTODY_FILE}" in text
    assert summary(text) == {"fetched": 0, "cached": 0, "missing": 0, "failed": 1}
    code, text = run("fetch", "verify", str(out))
    assert code == 0 and f"{out}: custody log and files agree" in text
