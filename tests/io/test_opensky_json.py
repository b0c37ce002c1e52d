"""OpenSky's REST API JSON (formats.md §3): ``/states/all`` snapshots and ``/tracks`` paths, field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flighttrace.io import opensky
from tests.io.fuzzutil import FUZZ, MUTATIONS, mutate, read_bytes_survives
from tests.io.readcheck import read_one, reasons

# 2023-09-01T06:00:00Z = 1693548000 s (19601 days × 86400 s + 6 × 3600 s)
T6 = 1693548000


# ---------------------------------------------------------------------------
# REST /states/all


def state(icao24: str = "600864", tpos: Any = T6, last: Any = T6, lon: Any = 34.94, lat: Any = 29.94, **kw: Any) -> list[Any]:
    row: list[Any] = [
        icao24, kw.get("callsign", "AZQ6224 "), "Azerbaijan", tpos, last, lon, lat, kw.get("baro", 10058.4),
        kw.get("on_ground", False), kw.get("velocity", 221.2), kw.get("track", 180.5), kw.get("vrate", -5.08),
        None, 10200.0, kw.get("squawk", "0042"), False, kw.get("source", 0),
    ]
    if "category" in kw:
        row.append(kw["category"])
    return row


def json_file(path: Path, doc: Any) -> Path:
    path.write_bytes(orjson.dumps(doc))
    return path


def test_states_fields_units_and_lon_before_lat(tmp_path: Path) -> None:
    doc = {
        "time": T6 + 30,
        "states": [
            state(),
            state("4b1805", T6 + 5, T6 + 25, on_ground=True, source=2, category=6),  # 20 s since position: stale
            state("73806c", T6 + 10, T6 + 12, source=1, squawk=None, callsign=None),
            state("738065", T6 + 11, T6 + 11, source=3),
            "not a state",
            ["600865", "X", "Y", T6],
        ],
    }
    ds = read_one(json_file(tmp_path / "states.json", doc))
    p = ds.points.set_index("src_row").sort_index()
    assert ds.manifest.loc[0, "format"] == "opensky_states"
    # lon is index 5 and lat index 6: lat 29.94 (Ovda), lon 34.94; a swap would put lat at 34.94
    assert p.loc[0, "lat"] == 29.94 and p.loc[0, "lon"] == 34.94
    # time of the point = time_position
    assert p.loc[1, "time"] == pd.Timestamp(T6 + 5, unit="s", tz="UTC")
    assert p.loc[0, "alt_ft"] == pytest.approx(33000.0)  # 10058.4 m
    assert p.loc[0, "gs_kt"] == pytest.approx(429.978, abs=1e-3)  # 221.2 m/s
    assert p.loc[0, "vrate_fpm"] == pytest.approx(-1000.0)  # −5.08 m/s
    assert p["stale"].tolist() == [False, True, False, False]
    assert p["on_ground"].tolist() == [False, True, False, False]
    assert p["position_source"].astype(str).tolist() == ["adsb", "mlat", "other", "other"]
    assert p.loc[0, "squawk"] == "0042" and pd.isna(p.loc[2, "squawk"]) and pd.isna(p.loc[2, "callsign"])
    assert p.loc[0, "callsign"] == "AZQ6224"
    r = reasons(ds)
    assert r == {4: "state vector is not an array of at least 17 values", 5: "state vector is not an array of at least 17 values"}
    assert ds.quarantine.set_index("src_row").loc[4, "raw"] == '"not a state"'


def test_states_null_and_bad_values(tmp_path: Path) -> None:
    ds = read_one(json_file(tmp_path / "null.json", {"time": T6, "states": None}))
    m = ds.manifest.iloc[0]
    assert m["format"] == "opensky_states" and m["error"] == "" and m["rows_read"] == 0
    doc = {"time": T6, "states": [state(velocity="fast"), state(tpos=None, lon=None, lat=None), state(on_ground="yes")]}
    r = reasons(read_one(json_file(tmp_path / "bad.json", doc)))
    assert r[0] == "velocity 'fast' is not a number"
    assert r[1] == "time missing; lat missing; lon missing"  # no position within 15 s
    assert r[2] == "on_ground 'yes' is not a boolean"
    bad = read_one(json_file(tmp_path / "str.json", {"time": T6, "states": "none"}))
    assert bad.manifest.loc[0, "error"] == "OpenSky states document whose 'states' is neither an array nor null (found str)"


def test_json_match_is_specific() -> None:
    assert opensky._match_states({"time": 1, "states": None})
    assert not opensky._match_states({"states": []}) and not opensky._match_states([1, 2])
    assert opensky._match_tracks({"icao24": "600864", "path": []})
    assert not opensky._match_tracks({"path": []}) and not opensky._match_tracks({"icao24": "x", "trace": []})


# ---------------------------------------------------------------------------
# REST /tracks/all


def test_tracks_lat_before_lon_and_callsign_typo(tmp_path: Path) -> None:
    doc = {
        "icao24": "600864",
        "startTime": T6,
        "endTime": T6 + 900,
        "calllsign": "AZQ6224 ",
        "path": [
            [T6, 29.94, 34.94, 0.0, 300.0, True],
            [T6 + 60, 29.96, 34.92, 304.8, 301.0, False],
            [T6 + 900, 30.5, 34.5, 10058.4, 305.0, False],
            [T6 + 901, 30.5],
        ],
    }
    ds = read_one(json_file(tmp_path / "track.json", doc))
    p = ds.points
    assert ds.manifest.loc[0, "format"] == "opensky_tracks"
    # lat is index 1 and lon index 2 in tracks (the opposite of states)
    assert p["lat"].iloc[0] == 29.94 and p["lon"].iloc[0] == 34.94
    # 304.8 m = 1,000 ft; 10058.4 m = 33,000 ft
    assert p["alt_ft"].tolist() == pytest.approx([0.0, 1000.0, 33000.0])
    assert p["on_ground"].tolist() == [True, False, False]
    assert p["track_deg"].tolist() == [300.0, 301.0, 305.0]
    assert p["callsign"].astype(str).tolist() == ["AZQ6224"] * 3
    assert p["gs_kt"].isna().all() and (p["position_source"] == "unknown").all()
    assert reasons(ds) == {3: "track waypoint is not an array of 6 values"}
    doc2 = {**{k: v for k, v in doc.items() if k != "calllsign"}, "callsign": "AZQ6225 ", "path": doc["path"][:1]}
    assert read_one(json_file(tmp_path / "t2.json", doc2)).points["callsign"].iloc[0] == "AZQ6225"


def test_tracks_null_path(tmp_path: Path) -> None:
    ds = read_one(json_file(tmp_path / "t.json", {"icao24": "600864", "startTime": T6, "endTime": T6, "callsign": None, "path": None}))
    assert ds.manifest.loc[0, "format"] == "opensky_tracks" and ds.manifest.loc[0, "rows_read"] == 0
    assert "path is null: the track holds no position" in ds.manifest.loc[0, "notes"]  # an empty result says why


# ---------------------------------------------------------------------------
# writers: round trips and determinism


# ---------------------------------------------------------------------------
# fuzzing


@FUZZ
@given(**MUTATIONS, which=st.sampled_from(["states", "tracks"]), fmt=st.booleans())
def test_fuzz_mutated_json(tmp_path_factory: pytest.TempPathFactory, positions: list[int], values: list[int], cut: int | None, which: str, fmt: bool) -> None:
    if which == "states":
        doc: Any = {"time": T6, "states": [state(), state("4b1805", category=3), state("73806c", T6, T6 + 30, source=2)]}
    else:
        doc = {"icao24": "600864", "startTime": T6, "endTime": T6 + 60, "callsign": "AZQ6224 ", "path": [[T6, 29.94, 34.94, 0, 300, True], [T6 + 60, 29.96, 34.92, 304.8, 301, False]]}
    read_bytes_survives(mutate(orjson.dumps(doc), positions, values, cut), tmp_path_factory.mktemp("fz"), "x.json", format=f"opensky_{which}" if fmt else None)
