"""No secret leaks: the client secret and every token stay out of files, logs, messages and CLI output."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

import flighttrace
from flighttrace.cli import _load, app
from flighttrace.fetch.archive import Archive, AuthError
from flighttrace.fetch.globe import fetch_globe
from flighttrace.fetch.opensky import Credentials, CredentialsError, OpenSky, load_credentials
from tests.fetch.conftest import CLIENT_ID, SECRET, SEP1, FakeOpenSky, FakeTime, all_bytes_under, flight, trace_gz

_load()
URL_PASSWORD = f"url-password-{uuid.uuid4().hex}"
"""A password placed in a mirror's URL (user:password@host)."""


def test_no_secret_or_token_leaks_anywhere(
    opensky: FakeOpenSky,
    server: HTTPServer,
    make_archive: Callable[..., Archive],
    fake_time: FakeTime,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    opensky.flights = [flight("600864", SEP1 + i * 86400 + 100, SEP1 + i * 86400 + 900) for i in range(5)]
    opensky.revoke_after = 3  # forces a 401 and a second token mid-run
    messages: list[str] = []
    outputs: list[str] = []
    archive_root = tmp_path / "archive"

    # 1. library flows: flights, tracks, states, with a 401 refresh and an expiry refresh
    arc = make_archive(archive_root)
    sky = OpenSky(arc, Credentials(CLIENT_ID, SECRET, "test"), api_root=opensky.api_root, token_url=opensky.token_url)
    sky.tracks("600864", "2023-09-01", "2023-09-05")
    fake_time.now += 3600
    sky.states(["2023-09-01T06:00:00Z"], bbox="38,42,45,51")
    messages += [r.note for r in arc.results] + sky.notes + [repr(sky.auth.credentials)]  # type: ignore[union-attr]

    # 2. refused credentials, a token service that fails, an API that keeps refusing
    for creds in (Credentials(CLIENT_ID, SECRET + "x", "test"),):
        with pytest.raises(CredentialsError) as info:
            OpenSky(make_archive(archive_root), creds, api_root=opensky.api_root, token_url=opensky.token_url).flights("600864", "2023-09-01", "2023-09-01")
        messages.append(str(info.value))
    opensky.token_status = 503
    with pytest.raises(Exception) as info2:
        OpenSky(make_archive(archive_root), Credentials(CLIENT_ID, SECRET, "test"), api_root=opensky.api_root, token_url=opensky.token_url).flights("600864", "2023-09-01", "2023-09-01")
    messages.append(str(info2.value))
    opensky.token_status = 200
    opensky.revoke_after = 0  # every token dies at once: 401 even after a refresh
    with pytest.raises(AuthError) as info3:
        OpenSky(make_archive(archive_root, refresh=True), Credentials(CLIENT_ID, SECRET, "test"), api_root=opensky.api_root, token_url=opensky.token_url).flights("600864", "2023-09-02", "2023-09-02")
    messages.append(str(info3.value))
    opensky.revoke_after = None

    # 3. a mirror URL carrying a password
    server.expect_request("/g/2023/09/01/traces/64/trace_full_600864.json").respond_with_data(trace_gz(), content_type="application/json")
    base = server.url_for("/g").replace("http://", f"http://reporter:{URL_PASSWORD}@")
    (res,) = fetch_globe(make_archive(archive_root), "600864", "2023-09-01", "2023-09-01", base_url=base)
    assert res.action == "fetch"
    messages.append(res.note)

    # 4. the CLI, credentials from the environment and from a file, success and failure
    runner = CliRunner()
    common = ["--out", str(archive_root), "--api-root", opensky.api_root, "--token-url", opensky.token_url, "--min-interval", "0", "--no-progress"]
    env = {"OPENSKY_CLIENT_ID": CLIENT_ID, "OPENSKY_CLIENT_SECRET": SECRET}
    for args in (
        ["fetch", "opensky", "tracks", "--icao24", "600864", "--start", "2023-09-01", "--end", "2023-09-05", "--refresh"],
        ["fetch", "opensky", "states", "--time", "2023-09-01T06:00:00Z", "--bbox", "38,42,45,51"],
    ):
        r = runner.invoke(app, args + common, env=env)
        assert r.exit_code == 0, r.output
        outputs.append(r.output)
    r = runner.invoke(app, ["fetch", "opensky", "flights", "--icao24", "600864", "--start", "2023-09-01", "--end", "2023-09-02", "--refresh"] + common,
                      env={"OPENSKY_CLIENT_ID": CLIENT_ID, "OPENSKY_CLIENT_SECRET": SECRET + "-wrong"})
    assert r.exit_code == 2 and "refused" in r.output
    outputs.append(r.output)
    r = runner.invoke(app, ["fetch", "globe", "--hex", "600864", "--start", "2023-09-01", "--end", "2023-09-01", "--base-url", base, "--refresh",
                            "--out", str(archive_root), "--min-interval", "0", "--no-progress"])
    assert r.exit_code == 0, r.output
    outputs.append(r.output)
    monkeypatch.setenv("OPENSKY_CLIENT_SECRET", SECRET)
    monkeypatch.delenv("OPENSKY_CLIENT_ID", raising=False)
    try:
        load_credentials()
    except CredentialsError as exc:
        messages.append(str(exc))

    # 5. reading the archive: the manifest (with its custody links) and the quarantine, and `ingest`'s files
    ds = flighttrace.read(archive_root)
    assert (ds.manifest["custody"] != "").any()
    manifests = [ds.manifest.to_csv(), ds.quarantine.to_csv(), repr(ds)]
    r = runner.invoke(app, ["ingest", str(archive_root), "--out", str(tmp_path / "ingested"), "--no-progress"])
    assert r.exit_code == 0, r.output
    outputs.append(r.output)
    ingested = all_bytes_under(tmp_path / "ingested")
    assert any(p.name == "manifest.json" for p in ingested)

    # the tokens really were issued and used, more than once
    assert len(opensky.tokens) >= 4
    secrets = [SECRET, URL_PASSWORD, *opensky.tokens]
    files = all_bytes_under(archive_root)
    assert any(p.name == "custody.jsonl" for p in files) and len(files) > 10
    logs = [rec.getMessage() for rec in caplog.records] + [caplog.text]
    for s in secrets:
        b = s.encode()
        for path, data in files.items():
            assert b not in data, f"secret in {path}"
        for path, data in ingested.items():
            assert b not in data, f"secret in {path}"
        for text in messages + outputs + logs + manifests:
            assert s not in text
