"""Globe-history traces per day and hex, and live v2 captures."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

import flighttrace
from flighttrace.fetch._validate import FetchParamError
from flighttrace.fetch.archive import Archive, load_json
from flighttrace.fetch.globe import fetch_globe, globe_requests
from flighttrace.fetch.v2 import fetch_v2, v2_request
from tests.fetch.conftest import SEP1, trace_gz, v2_body


def test_globe_urls_follow_the_history_layout_and_xx_is_the_last_two_digits() -> None:
    reqs = globe_requests("600864,~2a1b3c", "2023-08-31", "2023-09-01", base_url="https://mirror.example/globe_history/")
    assert [r.url for r in reqs] == [
        "https://mirror.example/globe_history/2023/08/31/traces/64/trace_full_600864.json",
        "https://mirror.example/globe_history/2023/08/31/traces/3c/trace_full_~2a1b3c.json",
        "https://mirror.example/globe_history/2023/09/01/traces/64/trace_full_600864.json",
        "https://mirror.example/globe_history/2023/09/01/traces/3c/trace_full_~2a1b3c.json",
    ]
    assert reqs[0].relpath == "globe/mirror.example_globe_history/2023/08/31/traces/64/trace_full_600864.json"
    samples = globe_requests("600864", "2023-09-01", "2023-09-01", base_url="https://samples.example", layout="adsbx-samples")
    assert samples[0].url == "https://samples.example/traces/2023/09/01/64/trace_full_600864.json"
    assert samples[0].relpath.endswith("/2023/09/01/traces/64/trace_full_600864.json")  # saved in the readable layout


@pytest.mark.parametrize(
    ("hexes", "start", "end", "base"),
    [
        ("600864", "2023-09-02", "2023-09-01", "https://m.example"),
        ("xyz", "2023-09-01", "2023-09-01", "https://m.example"),
        ("600864", "2023-13-01", "2023-09-01", "https://m.example"),
        ("600864", "2023-09-01", "2023-09-01", "ftp://m.example"),
        ("600864", "2023-09-01", "2023-09-01", "https://m.example/?x=1"),
        ("600864", "1023-09-01", "2023-09-01", "https://m.example"),
    ],
)
def test_globe_refuses_bad_parameters(hexes: str, start: str, end: str, base: str) -> None:
    with pytest.raises(FetchParamError):
        globe_requests(hexes, start, end, base_url=base)


def test_a_fleet_over_days_missing_days_recorded_and_read_back(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    for d in (1, 3):
        server.expect_request(f"/h/2023/09/0{d}/traces/64/trace_full_600864.json").respond_with_data(
            trace_gz(day_epoch=SEP1 + (d - 1) * 86400), content_type="application/json", headers={"Content-Encoding": "gzip"}
        )
    server.expect_request("/h/2023/09/02/traces/65/trace_full_600865.json").respond_with_data(
        trace_gz(icao="600865", day_epoch=SEP1 + 86400), content_type="application/octet-stream"
    )
    server.no_handler_status_code = 404  # every other day/aircraft: not on the server
    arc = make_archive()
    seen: list[tuple[str, float, float | None]] = []
    res = fetch_globe(arc, ["600864", "600865"], "2023-09-01", "2023-09-03", base_url=server.url_for("/h"), progress=lambda d, n, t: seen.append((d, n, t)))
    assert [r.action for r in res] == ["fetch", "missing", "missing", "fetch", "fetch", "missing"]
    assert arc.counts() == {"fetched": 3, "cached": 0, "missing": 3, "failed": 0}
    assert seen[-1][1:] == (6, 6)
    ds = flighttrace.read(arc.root)
    assert ds.points.groupby("icao24").size().to_dict() == {"600864": 8, "600865": 4}
    assert (ds.manifest["error"] == "").all()
    fetched = ds.manifest[ds.manifest["format"] == "readsb_trace"]
    assert len(fetched) == 3 and (fetched["custody"] != "").all()
    assert set(fetched["custody"]) == {r.entry["id"] for r in res if r.action == "fetch"}


def test_v2_routes_and_validation() -> None:
    at = datetime(2023, 9, 1, 6, 0, 0, 123456, tzinfo=UTC)
    base = "https://api.adsb.lol"
    assert v2_request("hex", "600864,4B1800", base_url=base, now=at).url == f"{base}/v2/hex/600864,4b1800"
    assert v2_request("callsign", "azq6224", base_url=base, now=at).url == f"{base}/v2/callsign/AZQ6224"
    assert v2_request("registration", "4K-AZ62", base_url=base, now=at).url == f"{base}/v2/registration/4K-AZ62"
    assert v2_request("type", "C30J", base_url=base, now=at).url == f"{base}/v2/type/C30J"
    p = v2_request("point", "40.4675,49.8667,50", base_url=base, now=at)
    assert p.url == f"{base}/v2/point/40.4675/49.8667/50"
    assert p.relpath == "v2/api.adsb.lol/point/40.4675_49.8667_50/20230901T060000.123456Z.json"
    assert not p.cacheable
    for kind, bad in [("callsign", "../etc"), ("callsign", "a b"), ("registration", "x/y"), ("hex", "60086"),
                      ("point", "40,50,251"), ("point", "95,50,10"), ("type", ".."), ("nope", "x"), ("callsign", "A%2F")]:
        with pytest.raises(FetchParamError):
            v2_request(kind, bad, base_url=base, now=at)


def test_v2_every_call_is_a_new_capture(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    server.expect_request("/v2/hex/600864").respond_with_json(v2_body(["600864"]))
    server.expect_request("/v2/point/40.5/49.9/25").respond_with_json(v2_body(["600864", "600865"]))
    arc = make_archive()
    first = fetch_v2(arc, hex="600864", point="40.5,49.9,25", base_url=server.url_for("/"))
    second = fetch_v2(arc, hex="600864", base_url=server.url_for("/"))
    assert [r.action for r in first + second] == ["fetch", "fetch", "fetch"]
    assert len(server.log) == 3
    paths = [r.path for r in first + second]
    assert len(set(paths)) == 3 and all(p is not None and p.suffix == ".json" for p in paths)
    assert first[0].path is not None and first[0].path.parent.name == "600864"
    assert load_json(first[1].path)["total"] == 2  # type: ignore[arg-type]
    entry = first[0].entry
    assert entry["source"] == "v2" and entry["params"]["route"] == "hex" and entry["params"]["requested_at"].endswith("Z")
    assert entry["path"].startswith(f"v2/127.0.0.1_{server.port}/hex/600864/")


def test_v2_needs_a_query_and_validates_all_before_calling(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    arc = make_archive()
    with pytest.raises(FetchParamError):
        fetch_v2(arc, base_url=server.url_for("/"))
    with pytest.raises(FetchParamError):
        fetch_v2(arc, hex="600864", callsign="../../x", base_url=server.url_for("/"))
    assert len(server.log) == 0


def test_v2_a_404_is_missing(server: HTTPServer, make_archive: Callable[..., Archive]) -> None:
    server.expect_request("/v2/registration/4K-XXX").respond_with_data(json.dumps({"msg": "not found"}), status=404)
    (res,) = fetch_v2(make_archive(), registration="4K-XXX", base_url=server.url_for("/"))
    assert res.action == "missing" and "body was not kept" in res.note
