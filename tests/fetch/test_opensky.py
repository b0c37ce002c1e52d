"""OpenSky: credentials, tokens (refresh on 401 and before expiry), chunking, flows, limits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from flighttrace.fetch.archive import Archive, load_json
from flighttrace.fetch.custody import CUSTODY_FILE, read_entries
from flighttrace.fetch.http import HttpClient, Wait
from flighttrace.fetch.opensky import (
    AIRPORT_MAX_S,
    FLIGHTS_AIRCRAFT_MAX_S,
    TOKEN_REFRESH_MARGIN_S,
    Credentials,
    CredentialsError,
    OpenSky,
    chunk_interval,
    config_path,
    load_credentials,
)
from tests.fetch.conftest import CLIENT_ID, DAY, SECRET, SEP1, FakeOpenSky, FakeTime, flight


def sky(arc: Archive, fake: FakeOpenSky, creds: Credentials | None = None) -> OpenSky:
    return OpenSky(arc, creds or Credentials(CLIENT_ID, SECRET, "test"), api_root=fake.api_root, token_url=fake.token_url)


# ----------------------------------------------------------------------------- chunking


def test_a_ten_day_interval_becomes_two_day_chunks_exactly() -> None:
    assert chunk_interval(SEP1, SEP1 + 10 * DAY, max_s=FLIGHTS_AIRCRAFT_MAX_S) == [
        (SEP1, SEP1 + 2 * DAY - 1),
        (SEP1 + 2 * DAY, SEP1 + 4 * DAY - 1),
        (SEP1 + 4 * DAY, SEP1 + 6 * DAY - 1),
        (SEP1 + 6 * DAY, SEP1 + 8 * DAY - 1),
        (SEP1 + 8 * DAY, SEP1 + 10 * DAY - 1),
    ]


def test_airport_chunks_span_at_most_one_utc_midnight() -> None:
    b = SEP1 + 10 * 3600  # 1 Sep 10:00
    chunks = chunk_interval(b, SEP1 + 4 * DAY, max_s=AIRPORT_MAX_S, max_date_boundaries=1)
    assert chunks == [(b, SEP1 + 2 * DAY - 1), (SEP1 + 2 * DAY, SEP1 + 4 * DAY - 1)]
    for cb, ce in chunks:
        assert ce // DAY - cb // DAY <= 1 and ce - cb < 2 * DAY


def test_the_server_is_asked_for_exactly_the_two_day_chunks(
    opensky: FakeOpenSky, make_archive: Callable[..., Archive]
) -> None:
    opensky.flights = [flight("600864", SEP1 + 3 * DAY + 3600, SEP1 + 3 * DAY + 7200)]
    arc = make_archive()
    res = sky(arc, opensky).flights("600864", "2023-09-01", "2023-09-10")  # 10 days, end date included
    assert opensky.pairs("/api/flights/aircraft") == [
        (SEP1 + i * DAY, SEP1 + (i + 2) * DAY - 1) for i in range(0, 10, 2)
    ]
    assert [r.action for r in res] == ["missing", "fetch", "missing", "missing", "missing"]
    saved = res[1]
    assert saved.path is not None and saved.path.name == "20230903T000000Z_20230904T235959Z.flights.json"
    assert saved.path.parent.as_posix().endswith("/flights/aircraft/600864")
    assert load_json(saved.path)[0]["firstSeen"] == SEP1 + 3 * DAY + 3600
    assert "no flights" in res[0].note and res[0].status == 404


def test_arrivals_and_departures_use_airport_chunks(opensky: FakeOpenSky, make_archive: Callable[..., Archive]) -> None:
    opensky.flights = [flight("600864", SEP1 + 3600, SEP1 + 7200, dep="UBBB", arr="LLOV")]
    arc = make_archive()
    client = sky(arc, opensky)
    arr = client.arrivals("llov", "2023-09-01T10:00:00Z", "2023-09-03")
    dep = client.departures("UBBB", "2023-09-01", "2023-09-01")
    b = SEP1 + 10 * 3600
    assert opensky.pairs("/api/flights/arrival") == [(b, SEP1 + 2 * DAY - 1), (SEP1 + 2 * DAY, SEP1 + 3 * DAY - 1)]
    assert opensky.pairs("/api/flights/departure") == [(SEP1, SEP1 + DAY - 1)]
    assert [r.action for r in arr] == ["missing", "missing"]  # the flight's firstSeen is before 10:00
    assert [r.action for r in dep] == ["fetch"]
    assert dep[0].entry["params"] == {"endpoint": "flights/departure", "airport": "UBBB", "begin": SEP1, "end": SEP1 + DAY - 1}


# ----------------------------------------------------------------------------- tracks and states


def test_tracks_list_the_flights_first_then_fetch_each_track_at_first_seen(
    opensky: FakeOpenSky, make_archive: Callable[..., Archive]
) -> None:
    f1 = flight("600864", SEP1 + 3600, SEP1 + 9000)
    f2 = flight("600864", SEP1 + 5 * DAY + 100, SEP1 + 5 * DAY + 5000)
    opensky.flights = [f1, f2, flight("4b1800", SEP1 + 200, SEP1 + 900)]
    arc = make_archive()
    res = sky(arc, opensky).tracks(["600864"], "2023-09-01", "2023-09-06")
    paths = [p for p, _ in opensky.calls]
    assert paths == ["/api/flights/aircraft"] * 3 + ["/api/tracks/all"] * 2
    assert [(q["icao24"][0], int(q["time"][0])) for p, q in opensky.calls if p == "/api/tracks/all"] == [
        ("600864", f1["firstSeen"]),
        ("600864", f2["firstSeen"]),
    ]
    tracks = [r for r in res if r.request.logical["endpoint"] == "tracks/all"]
    assert [r.action for r in tracks] == ["fetch", "fetch"]
    assert tracks[0].path is not None and tracks[0].path.name == "20230901T010000Z.json"
    assert load_json(tracks[0].path)["path"][0][1] == 40.46  # lat before lon in tracks
    # a second run asks nothing
    n = len(opensky.calls)
    again = sky(make_archive(), opensky).tracks(["600864"], "2023-09-01", "2023-09-06")
    assert len(opensky.calls) == n and {r.action for r in again} == {"cache-hit"}


def test_no_flights_means_no_track_requests(opensky: FakeOpenSky, make_archive: Callable[..., Archive]) -> None:
    res = sky(make_archive(), opensky).tracks("600864", "2023-09-01", "2023-09-02")
    assert [r.action for r in res] == ["missing"]
    assert [p for p, _ in opensky.calls] == ["/api/flights/aircraft"]


def test_server_data_with_dot_dot_never_builds_a_path_or_url(
    server: HTTPServer, opensky: FakeOpenSky, make_archive: Callable[..., Archive], tmp_path: Path
) -> None:
    evil = flight("../../../escape", SEP1 + 3600, SEP1 + 7200)
    evil["callsign"] = "../../x"
    bad_time = dict(evil, firstSeen="../../../etc")
    ok = flight("600864", SEP1 + 3600, SEP1 + 7200)
    opensky.flights = [ok]
    server.clear()  # replace the flights route with one that returns hostile content

    def hostile(request):  # type: ignore[no-untyped-def]
        from werkzeug import Response

        return Response(json.dumps([evil, bad_time, ok]), content_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="../../../../escape.flights.json"'})

    server.expect_request("/api/flights/aircraft").respond_with_handler(hostile)
    fake = FakeOpenSky(server)  # token and tracks routes again
    fake.flights = [ok]
    arc = make_archive()
    res = sky(arc, fake).tracks("600864", "2023-09-01", "2023-09-01")
    lists = [r for r in res if r.request.logical["endpoint"] == "flights/aircraft"]
    assert lists[0].path is not None and load_json(lists[0].path)[0]["icao24"] == "../../../escape"  # kept as it came
    tracks = [r for r in res if r.request.logical["endpoint"] == "tracks/all"]
    assert [int(r.request.logical["time"]) for r in tracks] == [SEP1 + 3600]  # evil firstSeen (a string) ignored; duplicates merged
    for f in tmp_path.rglob("*"):
        if f.is_file() and "xdg-config" not in f.parts:
            assert f.resolve().is_relative_to(arc.root.resolve()), f
    assert not list(tmp_path.rglob("*escape*"))


def test_states_at_time_points_with_a_box(opensky: FakeOpenSky, make_archive: Callable[..., Archive]) -> None:
    arc = make_archive()
    res = sky(arc, opensky).states(["2023-09-01T06:00:00Z", "2023-09-01T06:00:10Z"], bbox="29.5,33.4,34.2,35.9", icao24="600864")
    qs = [q for p, q in opensky.calls if p == "/api/states/all"]
    assert [int(q["time"][0]) for q in qs] == [SEP1 + 6 * 3600, SEP1 + 6 * 3600 + 10]
    assert qs[0]["lamin"] == ["29.5"] and qs[0]["lamax"] == ["33.4"] and qs[0]["lomin"] == ["34.2"] and qs[0]["lomax"] == ["35.9"]
    assert qs[0]["icao24"] == ["600864"]
    assert res[0].path is not None and res[0].path.name == "20230901T060000Z_29.5_33.4_34.2_35.9_600864.json"
    assert len(load_json(res[0].path)["states"][0]) == 17


def test_live_states_are_never_cached(opensky: FakeOpenSky, make_archive: Callable[..., Archive]) -> None:
    arc = make_archive()
    client = sky(arc, opensky)
    a = client.states(None)
    b = client.states(None)
    assert [r.action for r in a + b] == ["fetch", "fetch"] and a[0].path != b[0].path


@pytest.mark.parametrize("bbox", ["1,2,3", "50,40,10,20", "0,1,200,201", "a,b,c,d"])
def test_bad_boxes_are_refused_before_any_call(opensky: FakeOpenSky, make_archive: Callable[..., Archive], bbox: str) -> None:
    from flighttrace.fetch._validate import FetchParamError

    with pytest.raises(FetchParamError):
        sky(make_archive(), opensky).states(["2023-09-01T06:00:00Z"], bbox=bbox)
    assert opensky.calls == [] and opensky.tokens == []


# ----------------------------------------------------------------------------- tokens


def test_a_401_mid_run_gets_one_new_token_and_the_call_succeeds(opensky: FakeOpenSky, make_archive: Callable[..., Archive]) -> None:
    opensky.flights = [flight("600864", SEP1 + i * DAY + 100, SEP1 + i * DAY + 900) for i in range(6)]
    opensky.revoke_after = 2  # the first token dies after two calls
    arc = make_archive()
    client = sky(arc, opensky)
    res = client.flights("600864", "2023-09-01", "2023-09-06")
    assert [r.action for r in res] == ["fetch", "fetch", "fetch"]
    assert len(opensky.tokens) == 2 and client.auth is not None and client.auth.tokens_issued == 2
    assert opensky.unauthorized == 1
    token_posts = [req for req, _ in opensky.server.log if req.path == "/auth/token"]
    assert len(token_posts) == 2
    # the refused call is repeated with the new token and logged once, as the fetch it became
    api = [(req.path, resp.status_code) for req, resp in opensky.server.log if req.path.startswith("/api/")]
    assert [st for _, st in api] == [200, 200, 401, 200]
    es = list(read_entries(arc.root / CUSTODY_FILE))
    assert [e["action"] for e in es] == ["fetch", "fetch", "fetch"] and {e["status"] for e in es} == {200}
    assert [e["params"]["begin"] for e in es] == [SEP1, SEP1 + 2 * DAY, SEP1 + 4 * DAY]
    for e, r in zip(es, res, strict=True):
        assert r.path is not None and (arc.root / e["path"]) == r.path
        assert e["sha256"] == hashlib.sha256(r.path.read_bytes()).hexdigest()
        assert [f["firstSeen"] for f in load_json(r.path)] == [f["firstSeen"] for f in opensky.flights if e["params"]["begin"] <= f["firstSeen"] <= e["params"]["end"]]
    log_text = (arc.root / CUSTODY_FILE).read_text()
    assert all(tok not in log_text for tok in opensky.tokens)


def test_a_token_is_renewed_before_it_expires(
    opensky: FakeOpenSky, make_archive: Callable[..., Archive], fake_time: FakeTime
) -> None:
    arc = make_archive()
    client = sky(arc, opensky)
    client.states(["2023-09-01T06:00:00Z"])
    fake_time.now += 1800 - TOKEN_REFRESH_MARGIN_S + 1  # almost expired
    client.states(["2023-09-01T06:00:05Z"])
    assert len(opensky.tokens) == 2 and opensky.unauthorized == 0


def test_refused_credentials_are_one_clear_error_without_the_secret(
    opensky: FakeOpenSky, make_archive: Callable[..., Archive]
) -> None:
    wrong = Credentials(CLIENT_ID, SECRET[::-1], "test")
    with pytest.raises(CredentialsError) as info:
        sky(make_archive(), opensky, wrong).flights("600864", "2023-09-01", "2023-09-01")
    msg = str(info.value)
    assert "refused the credentials" in msg and "unauthorized_client" in msg
    assert SECRET not in msg and SECRET[::-1] not in msg


def test_a_429_from_opensky_waits_the_header(
    server: HTTPServer, opensky: FakeOpenSky, make_archive: Callable[..., Archive], make_client: Callable[..., HttpClient]
) -> None:
    opensky.flights = [flight("600864", SEP1 + 100, SEP1 + 900)]
    server.clear()
    server.expect_oneshot_request("/api/flights/aircraft").respond_with_data(
        "", status=429, headers={"X-Rate-Limit-Retry-After-Seconds": "42", "X-Rate-Limit-Remaining": "0"}
    )
    fake = FakeOpenSky(server)
    fake.flights = opensky.flights
    client = make_client(min_interval_s=0)
    res = sky(make_archive(client=client), fake).flights("600864", "2023-09-01", "2023-09-01")
    assert [r.action for r in res] == ["fetch"]
    assert [w for w in client.waits if w.reason == "rate-limit"] == [Wait(f"127.0.0.1:{server.port}", 42.0, "rate-limit")]


# ----------------------------------------------------------------------------- credentials


def test_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENSKY_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("OPENSKY_CLIENT_SECRET", SECRET)
    c = load_credentials()
    assert (c.client_id, c.client_secret, c.origin) == (CLIENT_ID, SECRET, "environment")
    assert SECRET not in repr(c) and SECRET not in str(c)


def test_credentials_from_opensky_credentials_json(credentials_file: Path) -> None:
    c = load_credentials(credentials_file)
    assert (c.client_id, c.client_secret) == (CLIENT_ID, SECRET)


def test_credentials_from_the_config_folder(tmp_path: Path) -> None:
    cfg = config_path()
    assert cfg.is_relative_to(tmp_path)  # XDG_CONFIG_HOME is isolated by the fixture
    cfg.parent.mkdir(parents=True)
    cfg.write_text(json.dumps({"client_id": CLIENT_ID, "client_secret": SECRET}))
    assert load_credentials().client_secret == SECRET


def test_missing_or_broken_credentials_are_clear_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CredentialsError, match="OPENSKY_CLIENT_ID and OPENSKY_CLIENT_SECRET"):
        load_credentials()
    monkeypatch.setenv("OPENSKY_CLIENT_ID", CLIENT_ID)
    with pytest.raises(CredentialsError, match="OPENSKY_CLIENT_SECRET is not set"):
        load_credentials()
    broken = tmp_path / "c.json"
    broken.write_text('{"clientId": "x", "clientSecret": "' + SECRET)  # cut short: invalid JSON
    with pytest.raises(CredentialsError) as info:
        load_credentials(broken)
    assert SECRET not in str(info.value)
    with pytest.raises(CredentialsError, match="no OpenSky credentials file"):
        load_credentials(tmp_path / "nope.json")


def test_the_custody_log_of_an_opensky_run_names_each_chunk(opensky: FakeOpenSky, make_archive: Callable[..., Archive]) -> None:
    opensky.flights = [flight("600864", SEP1 + 100, SEP1 + 900)]
    arc = make_archive()
    sky(arc, opensky).flights("600864", "2023-09-01", "2023-09-04")
    es = list(read_entries(arc.root / CUSTODY_FILE))
    assert [e["action"] for e in es] == ["fetch", "missing"]
    assert es[0]["url"] == f"{opensky.api_root}/flights/aircraft?icao24=600864&begin={SEP1}&end={SEP1 + 2 * DAY - 1}"
    assert es[0]["path"].endswith(".flights.json") and es[1]["path"] == ""
    assert all("Authorization" not in json.dumps(e) for e in es)
