"""aircraft.json snapshots and v2 API responses: values by hand, bad input, round trip, fuzz."""

from __future__ import annotations

import gzip
import math
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flighttrace
from flighttrace.io.aircraft import NO_POSITION
from flighttrace.io.api import Dataset, assert_counts
from flighttrace.sim.writers import write_aircraft_json, write_v2
from tests.io.fuzzutil import mutate, read_bytes_survives

NOW = 1693548000.0
"""2023-09-01T06:00:00Z: 19601 days × 86400 s = 1693526400 (midnight) + 6 h × 3600 s."""

T_NOW = pd.Timestamp("2023-09-01T06:00:00Z")


def _write_json(tmp_path: Path, doc: Any, name: str = "aircraft.json") -> Path:
    path = tmp_path / name
    path.write_bytes(orjson.dumps(doc))
    return path


def _read(path: Path, **kw: Any) -> Dataset:
    ds = flighttrace.read(path, **kw)
    assert_counts(ds)
    return ds


def _snapshot(*entries: Any, now: Any = NOW) -> dict[str, Any]:
    return {"now": now, "messages": 1234, "aircraft": list(entries)}


def _reasons(ds: Dataset) -> dict[int, str]:
    q = ds.quarantine.dropna(subset=["src_row"])
    return {int(r): s for r, s in zip(q["src_row"], q["reason"], strict=False)}


FULL = {
    "hex": "600ABC",
    "type": "adsb_icao",
    "flight": "AHY4401 ",
    "r": "4K-AZ100",
    "t": "IL76",
    "dbFlags": 9,
    "alt_baro": 35000,
    "alt_geom": 35600,
    "gs": 450.5,
    "track": 270.1,
    "baro_rate": -64,
    "geom_rate": -32,
    "squawk": "2000",
    "lat": 40.512345,
    "lon": 49.987654,
    "seen_pos": 2.5,
    "seen": 0.1,
    "rssi": -20.3,
    "mlat": [],
    "tisb": [],
}


# --------------------------------------------------------------------------- values by hand


def test_aircraft_json_every_field(tmp_path: Path) -> None:
    ds = _read(_write_json(tmp_path, _snapshot(FULL)))
    assert ds.manifest.iloc[0]["format"] == "aircraft_json"
    assert len(ds.points) == 1
    p = ds.points.iloc[0]
    assert p["icao24"] == "600abc"  # upper case normalised by the framework
    # time = now − seen_pos = 1693548000.0 − 2.5 = 1693547997.5 = 05:59:57.5Z
    assert p["time"] == pd.Timestamp("2023-09-01T05:59:57.5Z")
    assert p["time"].value == 1_693_547_997_500_000_000
    assert p["lat"] == pytest.approx(40.512345, abs=1e-9)
    assert p["lon"] == pytest.approx(49.987654, abs=1e-9)
    assert p["alt_ft"] == 35000.0  # alt_baro (ft), not alt_geom 35600
    assert not p["on_ground"]
    assert p["gs_kt"] == pytest.approx(450.5, abs=1e-3)
    assert p["track_deg"] == pytest.approx(270.1, abs=1e-4)  # float32
    assert p["vrate_fpm"] == -64.0  # baro_rate wins over geom_rate −32
    assert p["callsign"] == "AHY4401"  # padding stripped
    assert p["squawk"] == "2000"
    assert p["registration"] == "4K-AZ100"
    assert p["typecode"] == "IL76"
    assert p["military"]  # dbFlags 9 = 0b1001, & 1 = 1
    assert p["position_source"] == "adsb"  # adsb_icao
    assert not p["stale"]
    assert p["src_row"] == 0
    assert p["source"] == "aircraft_json"
    assert ds.manifest.iloc[0]["notes"] == ""


def test_ground_gives_on_ground_and_nan_altitude(tmp_path: Path) -> None:
    e = {"hex": "600abc", "alt_baro": "ground", "gs": 12.0, "lat": 40.46, "lon": 50.05, "seen_pos": 0.0}
    p = _read(_write_json(tmp_path, _snapshot(e))).points.iloc[0]
    assert p["on_ground"]
    assert math.isnan(p["alt_ft"])
    assert p["gs_kt"] == 12.0
    assert p["time"] == T_NOW  # seen_pos 0 → time = now


def test_no_altitude_means_on_ground_not_said(tmp_path: Path) -> None:
    e = {"hex": "600abc", "lat": 40.46, "lon": 50.05, "seen_pos": 0.0}
    p = _read(_write_json(tmp_path, _snapshot(e))).points.iloc[0]
    assert pd.isna(p["on_ground"])
    assert pd.isna(p["military"])  # no dbFlags: not said
    assert p["position_source"] == "unknown"  # no type, no mlat / tisb lists


def test_legacy_dump1090_mutability_spellings(tmp_path: Path) -> None:
    e = {"hex": "600abc", "altitude": 23000, "speed": 310, "vert_rate": 1280, "track": 90, "lat": 40.0, "lon": 50.0, "seen_pos": 1.25}
    p = _read(_write_json(tmp_path, _snapshot(e))).points.iloc[0]
    assert p["alt_ft"] == 23000.0
    assert p["gs_kt"] == 310.0
    assert p["vrate_fpm"] == 1280.0
    assert not p["on_ground"]
    # 1693548000.0 − 1.25 = 1693547998.75
    assert p["time"].value == 1_693_547_998_750_000_000


def test_legacy_altitude_ground(tmp_path: Path) -> None:
    e = {"hex": "600abc", "altitude": "ground", "lat": 40.0, "lon": 50.0, "seen_pos": 1}
    p = _read(_write_json(tmp_path, _snapshot(e))).points.iloc[0]
    assert p["on_ground"] and math.isnan(p["alt_ft"])


def test_geom_rate_is_the_fallback_for_vertical_rate(tmp_path: Path) -> None:
    e = {"hex": "600abc", "geom_rate": -512, "lat": 40.0, "lon": 50.0, "seen_pos": 1}
    p = _read(_write_json(tmp_path, _snapshot(e))).points.iloc[0]
    assert p["vrate_fpm"] == -512.0


def test_last_position_is_used_and_stale(tmp_path: Path) -> None:
    e = {"hex": "600abc", "seen": 1.0, "alt_baro": 12000, "lastPosition": {"lat": 41.0, "lon": 48.5, "nic": 8, "rc": 186, "seen_pos": 75.5}}
    ds = _read(_write_json(tmp_path, _snapshot(e)))
    p = ds.points.iloc[0]
    assert p["stale"]
    assert (p["lat"], p["lon"]) == (41.0, 48.5)
    # 1693548000.0 − 75.5 = 1693547924.5 = 05:58:44.5Z
    assert p["time"] == pd.Timestamp("2023-09-01T05:58:44.5Z")


def test_regular_position_wins_over_last_position(tmp_path: Path) -> None:
    e = {"hex": "600abc", "lat": 40.0, "lon": 50.0, "seen_pos": 1.0, "lastPosition": {"lat": 41.0, "lon": 48.5, "seen_pos": 75.5}}
    p = _read(_write_json(tmp_path, _snapshot(e))).points.iloc[0]
    assert not p["stale"] and (p["lat"], p["lon"]) == (40.0, 50.0)


def test_last_position_without_seen_pos_is_quarantined(tmp_path: Path) -> None:
    e = {"hex": "600abc", "lastPosition": {"lat": 41.0, "lon": 48.5}}
    ds = _read(_write_json(tmp_path, _snapshot(e)))
    assert len(ds.points) == 0
    assert "lastPosition has no seen_pos, so its time is unknown" in _reasons(ds)[0]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"type": "adsb_icao", "mlat": ["lat", "lon", "gs"]}, "mlat"),  # the mlat list wins over type
        ({"type": "mlat"}, "mlat"),
        ({"type": "adsb_icao", "tisb": ["lat", "lon"]}, "other"),
        ({"type": "tisb_icao"}, "other"),
        ({"type": "adsr_icao", "mlat": ["track"]}, "adsb"),  # mlat list without "lat": position is not MLAT
        ({"type": "some_new_type"}, "other"),
        ({}, "unknown"),
    ],
)
def test_position_source(tmp_path: Path, extra: dict[str, Any], expected: str) -> None:
    e = {"hex": "600abc", "lat": 40.0, "lon": 50.0, "seen_pos": 1.0} | extra
    p = _read(_write_json(tmp_path, _snapshot(e))).points.iloc[0]
    assert p["position_source"] == expected


def test_time_falls_back_to_seen_then_now_with_notes(tmp_path: Path) -> None:
    a = {"hex": "600abc", "lat": 40.0, "lon": 50.0, "seen": 4.0}
    b = {"hex": "600abd", "lat": 40.0, "lon": 50.0}
    ds = _read(_write_json(tmp_path, _snapshot(a, b)))
    pts = ds.points.set_index(ds.points["icao24"].astype(str))
    assert pts.loc["600abc", "time"] == pd.Timestamp("2023-09-01T05:59:56Z")  # 1693548000 − 4
    assert pts.loc["600abd", "time"] == T_NOW  # no seen_pos, no seen: now
    notes = ds.manifest.iloc[0]["notes"]
    assert "position time taken as now − seen for entries without seen_pos" in notes
    assert "position time taken as the snapshot's now for entries without seen_pos or seen" in notes
    assert notes.count("now − seen") == 1  # said once


def test_entry_without_position_is_a_quarantined_record(tmp_path: Path) -> None:
    with_pos = {"hex": "600abc", "lat": 40.0, "lon": 50.0, "seen_pos": 1}
    without = {"hex": "600abd", "flight": "AHY4402", "alt_baro": 3000, "seen": 0.4}
    ds = _read(_write_json(tmp_path, _snapshot(with_pos, without)))
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == (2, 1, 1)
    assert NO_POSITION in _reasons(ds)[1]
    assert '"flight":"AHY4402"' in ds.quarantine.iloc[0]["raw"]  # raw = the entry as JSON


# --------------------------------------------------------------------------- v2 API


def test_v2_now_in_milliseconds(tmp_path: Path) -> None:
    e = {"hex": "600abc", "alt_baro": 35000, "lat": 40.0, "lon": 50.0, "seen_pos": 2.5}
    doc = {"ac": [e], "msg": "No error", "now": 1693548000000, "total": 1, "ctime": 1693548000000, "ptime": 3}
    ds = _read(_write_json(tmp_path, doc, "hex.json"))
    assert ds.manifest.iloc[0]["format"] == "v2_api"
    # 1693548000000 ms > 1e11 → 1693548000.0 s; − 2.5 = 1693547997.5
    assert ds.points.iloc[0]["time"].value == 1_693_547_997_500_000_000
    assert "read as milliseconds" in ds.manifest.iloc[0]["notes"]


def test_v2_now_in_seconds(tmp_path: Path) -> None:
    e = {"hex": "600abc", "lat": 40.0, "lon": 50.0, "seen_pos": 2.5}
    doc = {"ac": [e], "msg": "No error", "now": 1693548000.0, "total": 1}
    ds = _read(_write_json(tmp_path, doc))
    assert ds.points.iloc[0]["time"].value == 1_693_547_997_500_000_000
    assert "milliseconds" not in ds.manifest.iloc[0]["notes"]


def test_v2_ctime_used_when_now_missing(tmp_path: Path) -> None:
    doc = {"ac": [{"hex": "600abc", "lat": 40.0, "lon": 50.0, "seen_pos": 10}], "ctime": 1693548000000}
    ds = _read(_write_json(tmp_path, doc))
    assert ds.points.iloc[0]["time"] == pd.Timestamp("2023-09-01T05:59:50Z")  # 1693548000 − 10
    assert "from 'ctime'" in ds.manifest.iloc[0]["notes"]


def test_v2_null_ac_is_an_empty_snapshot(tmp_path: Path) -> None:
    ds = _read(_write_json(tmp_path, {"ac": None, "msg": "No error", "now": 1693548000000, "total": 0}))
    m = ds.manifest.iloc[0]
    assert (m["format"], m["rows_read"], m["error"]) == ("v2_api", 0, "")


def test_readsb_api_non_jv2_envelope(tmp_path: Path) -> None:
    doc = {"now": NOW, "resultCount": 1, "ptime": 0.12, "aircraft": [{"hex": "600abc", "lat": 40.0, "lon": 50.0, "seen_pos": 0.5}]}
    ds = _read(_write_json(tmp_path, doc))
    assert ds.manifest.iloc[0]["format"] == "aircraft_json"
    assert ds.points.iloc[0]["time"].value == 1_693_547_999_500_000_000


# --------------------------------------------------------------------------- bad input


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "aircraft.json"
    p.write_bytes(b"")
    ds = _read(p)
    assert ds.manifest.iloc[0]["error"] == "the file is empty"
    assert ds.quarantine.iloc[0]["reason"] == "the file is empty"


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(orjson.dumps(_snapshot(FULL, FULL | {"hex": "600abd"})), mtime=0)
    p = tmp_path / "aircraft.json.gz"
    p.write_bytes(data[: len(data) // 2])
    ds = _read(p)
    assert ds.manifest.iloc[0]["error"].startswith("compressed stream is truncated")
    assert len(ds.points) == 0


def test_invalid_json(tmp_path: Path) -> None:
    p = tmp_path / "aircraft.json"
    p.write_bytes(b'{"now": 1693548000 "aircraft" {"hex": "600abc",')
    ds = _read(p)
    assert ds.manifest.iloc[0]["error"].startswith("invalid JSON:")


def test_a_cut_short_snapshot_costs_only_the_entry_it_cuts(tmp_path: Path) -> None:
    p = tmp_path / "aircraft.json"
    p.write_bytes(b'{"now": 1693548000, "aircraft": [{"hex": "600abc",')
    ds = _read(p)
    row = ds.manifest.iloc[0]
    assert row["error"] == "" and (row["rows_read"], row["rows_quarantined"]) == (1, 1)
    assert ds.quarantine["reason"].tolist() == ["record cut short: the document ends inside it"]
    assert ds.quarantine["raw"].tolist() == ['{"hex": "600abc",']


def test_nan_literal_costs_only_its_entry(tmp_path: Path) -> None:
    p = tmp_path / "aircraft.json"
    p.write_bytes(
        b'{"now": 1693548000, "aircraft": [{"hex": "600abc", "lat": NaN, "lon": 50},'
        b' {"hex": "600abd", "lat": 40.5, "lon": 50.5, "seen_pos": 0}]}'
    )
    ds = _read(p)
    assert ds.manifest.iloc[0]["error"] == ""
    assert ds.points["icao24"].tolist() == ["600abd"]
    assert ds.quarantine[["src_row", "reason"]].values.tolist() == [[0, "record holds NaN or Infinity, which JSON does not allow"]]


@pytest.mark.parametrize(
    ("doc", "fmt", "error"),
    [
        ({"now": NOW, "aircraft": {"hex": "600abc"}}, None, "aircraft.json whose 'aircraft' is not an array (found dict)"),
        ({"now": "soon", "aircraft": []}, None, "aircraft.json without a numeric 'now' (found 'soon')"),
        ({"now": -5, "aircraft": []}, None, "'now' -5 is not a time in seconds or milliseconds since 1970"),
        ({"ac": [], "now": 1e300}, None, "'now' 1e+300 is not a time in seconds or milliseconds since 1970"),
        ({"ac": "none", "now": NOW}, None, "v2 API response whose 'ac' is not an array (found str)"),
        ({"ac": [], "now": None, "ctime": None}, None, "v2 API response without a numeric 'now' or 'ctime' (found now=None)"),
        ({"states": []}, "aircraft_json", "not an aircraft.json snapshot: format 'aircraft_json' was given, but the JSON document is an object with keys 'states'"),
        ([1, 2], "v2_api", "not a v2 API response: format 'v2_api' was given, but the JSON document is an array of 2 element(s)"),
    ],
)
def test_wrong_shape(tmp_path: Path, doc: Any, fmt: str | None, error: str) -> None:
    ds = _read(_write_json(tmp_path, doc), format=fmt)
    assert ds.manifest.iloc[0]["error"] == error


def test_unknown_json_shape_is_not_taken(tmp_path: Path) -> None:
    ds = _read(_write_json(tmp_path, {"aircraft": []}))  # no "now": not an aircraft.json
    assert ds.manifest.iloc[0]["error"].startswith("JSON of unknown shape")


def test_bad_values_are_quarantined_with_precise_reasons(tmp_path: Path) -> None:
    base = {"lat": 40.0, "lon": 50.0, "seen_pos": 1.0}
    entries = [
        {"hex": "600abc", "lat": "abc", "lon": 50.0, "seen_pos": 1.0},  # 0
        {"hex": "600abd", "lat": "NaN", "lon": 50.0, "seen_pos": 1.0},  # 1
        {"hex": "XYZ123", **base},  # 2
        {"hex": "~600abc", **base},  # 3
        {"hex": "600abe", "alt_baro": "high", **base},  # 4
        {"hex": "600abf", "seen_pos": "x", "lat": 40.0, "lon": 50.0},  # 5
        "not an object",  # 6
        {"hex": 600123, **base},  # 7
        {"hex": "600ac0", "flight": 42, **base},  # 8
        {"hex": "600ac1", "lat": 95.0, "lon": 50.0, "seen_pos": 1},  # 9
        {"hex": "600ac2", "gs": True, **base},  # 10
    ]
    ds = _read(_write_json(tmp_path, _snapshot(*entries)))
    r = _reasons(ds)
    assert r[0] == "lat is not a number; lat missing"
    assert r[1] == "lat is not a number; lat missing"
    assert r[2] == "icao24 'XYZ123' is not 6 hex digits"
    assert r[3] == "non-ICAO address '~600abc' (TIS-B or anonymous): no airframe identity"
    assert r[4] == 'alt_baro is neither a number nor "ground"'
    assert r[5] == "seen_pos is not a number; time missing"
    assert r[6] == "aircraft entry is not a JSON object"
    assert r[7] == "hex is not a string; icao24 missing"
    assert r[8] == "flight is not a string"
    assert r[9] == "lat 95.0 outside [-90, 90] deg"
    assert r[10] == "gs is not a number"
    assert len(ds.points) == 0
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_quarantined"]) == (11, 11)
    assert ds.quarantine.set_index("src_row").loc[6, "raw"] == '"not an object"'


def test_hostile_strings_are_kept_verbatim(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>"
    e = {"hex": "600abc", "flight": hostile, "r": "'; DROP TABLE", "t": "\u202eIL76", "lat": 40.0, "lon": 50.0, "seen_pos": 0}
    p = _read(_write_json(tmp_path, _snapshot(e))).points.iloc[0]
    assert p["callsign"] == hostile
    assert p["registration"] == "'; DROP TABLE"
    assert p["typecode"] == "\u202eIL76"


def test_icao24_selection_counts_the_others_as_filtered(tmp_path: Path) -> None:
    a = {"hex": "600ABC", "lat": 40.0, "lon": 50.0, "seen_pos": 1}
    b = {"hex": "600abd", "lat": 40.0, "lon": 50.0, "seen_pos": 1}
    ds = _read(_write_json(tmp_path, _snapshot(a, b)), icao24="600abc")
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["rows_filtered"]) == (2, 1, 1)
    assert list(ds.points["icao24"].astype(str)) == ["600abc"]


# --------------------------------------------------------------------------- writers and round trip


def _points() -> pd.DataFrame:
    """Four aircraft of one snapshot, every column set (one stale, one on the ground, one MLAT)."""
    return pd.DataFrame(
        {
            "icao24": ["600864", "600865", "4ba9c7", "738a01"],
            "time": pd.to_datetime([NOW - 0.4, NOW - 12.25, NOW - 75.0, NOW - 3.0], unit="s", utc=True),
            "lat": [40.4675, 40.1234567, 41.0, 29.9403],
            "lon": [50.0467, 49.7654321, 48.5, 34.9358],
            "alt_ft": [3000.0, np.nan, 37000.0, 24125.0],
            "on_ground": pd.array([False, True, False, pd.NA], dtype="boolean"),
            "gs_kt": [180.3, 8.0, 460.0, np.nan],
            "track_deg": [271.8, 90.0, 123.4, 180.0],
            "vrate_fpm": [1472.0, np.nan, 0.0, -1984.0],
            "callsign": pd.Categorical(["AHY4401", "SLW7003", "THY9BP", None]),
            "squawk": pd.Categorical(["2000", "7700", "1000", None]),
            "registration": pd.Categorical(["4K-AZ100", None, "TC-JJE", None]),
            "typecode": pd.Categorical(["IL76", "IL76", "B77W", None]),
            "military": pd.array([True, False, pd.NA, pd.NA], dtype="boolean"),
            "position_source": pd.Categorical(["adsb", "mlat", "adsb", "other"], categories=["adsb", "mlat", "other", "unknown"]),
            "stale": [False, False, True, False],
            "new_leg": [False] * 4,
        }
    )


def _compare(orig: pd.DataFrame, back: pd.DataFrame) -> None:
    a = orig.sort_values("icao24").reset_index(drop=True)
    b = back.sort_values("icao24").reset_index(drop=True)
    assert list(b["icao24"].astype(str)) == list(a["icao24"].astype(str))
    dt = np.abs((b["time"] - a["time"]).dt.total_seconds().to_numpy())
    assert (dt <= 0.0005).all()  # seen_pos written with 3 decimals
    np.testing.assert_allclose(b["lat"], a["lat"], atol=5e-7)  # 6 decimals
    np.testing.assert_allclose(b["lon"], a["lon"], atol=5e-7)
    np.testing.assert_allclose(b["alt_ft"], a["alt_ft"], atol=0.5)  # integer feet
    np.testing.assert_allclose(b["gs_kt"], a["gs_kt"], atol=0.05 + 1e-4)  # one decimal
    np.testing.assert_allclose(b["track_deg"], a["track_deg"], atol=0.05 + 1e-4)
    np.testing.assert_allclose(b["vrate_fpm"], a["vrate_fpm"], atol=0.5)
    for c in ("callsign", "squawk", "registration", "typecode", "position_source"):
        assert list(b[c].astype(object).where(b[c].notna(), None)) == list(a[c].astype(object).where(a[c].notna(), None)), c
    def flags(s: pd.Series) -> list[bool | None]:
        return [None if pd.isna(x) else bool(x) for x in s]

    assert flags(b["military"]) == flags(a["military"])
    # a numeric alt_baro says "airborne": on_ground NA with an altitude comes back False
    expected_ground = a["on_ground"].where(a["on_ground"].notna() | a["alt_ft"].isna(), False)
    assert flags(b["on_ground"]) == flags(expected_ground) == [False, False, True, False]
    assert list(b["stale"]) == list(a["stale"])


@pytest.mark.parametrize("compress", [False, True])
def test_round_trip_aircraft_json(tmp_path: Path, compress: bool) -> None:
    orig = _points()
    path = tmp_path / "aircraft.json"
    write_aircraft_json(orig, path, now=NOW, compress=compress)
    ds = _read(path)
    assert ds.manifest.iloc[0]["format"] == "aircraft_json"
    assert ds.manifest.iloc[0]["compression"] == ("gzip" if compress else "none")
    _compare(orig, ds.points)


@pytest.mark.parametrize("compress", [False, True])
def test_round_trip_v2(tmp_path: Path, compress: bool) -> None:
    orig = _points()
    path = tmp_path / "v2.json"
    write_v2(orig, path, now=T_NOW, compress=compress)
    raw = gzip.decompress(path.read_bytes()) if compress else path.read_bytes()
    doc = orjson.loads(raw)
    assert doc["now"] == 1_693_548_000_000 and doc["ctime"] == 1_693_548_000_000  # ms, as readsb jv2 writes
    assert doc["total"] == 4 and doc["msg"] == "No error"
    ds = _read(path)
    assert ds.manifest.iloc[0]["format"] == "v2_api"
    _compare(orig, ds.points)


def test_writer_output_looks_like_readsb(tmp_path: Path) -> None:
    path = tmp_path / "aircraft.json"
    write_aircraft_json(_points(), path, now=NOW)
    doc = orjson.loads(path.read_bytes())
    assert doc["now"] == NOW
    by_hex = {e["hex"]: e for e in doc["aircraft"]}
    a = by_hex["600864"]
    assert a["flight"] == "AHY4401 "  # padded to 8 characters
    assert a["alt_baro"] == 3000 and isinstance(a["alt_baro"], int)
    assert a["seen_pos"] == 0.4 and a["type"] == "adsb_icao" and a["dbFlags"] == 1
    assert by_hex["600865"]["alt_baro"] == "ground"
    assert "lat" in by_hex["600865"]["mlat"]
    stale = by_hex["4ba9c7"]
    assert "lat" not in stale and stale["lastPosition"]["seen_pos"] == 75.0
    assert "flight" not in by_hex["738a01"] and "gs" not in by_hex["738a01"]  # missing values omitted


def test_writers_are_deterministic(tmp_path: Path) -> None:
    for name, writer in (("a", write_aircraft_json), ("v", write_v2)):
        p1, p2 = tmp_path / f"{name}1.json.gz", tmp_path / f"{name}2.json.gz"
        writer(_points(), p1, now=NOW, compress=True)
        writer(_points(), p2, now=NOW, compress=True)
        data = p1.read_bytes()
        assert data == p2.read_bytes()
        assert data[4:8] == b"\x00\x00\x00\x00"  # gzip mtime 0
        assert data[3] & 0x08 == 0  # no file name in the header


def test_writer_rejects_a_non_snapshot(tmp_path: Path) -> None:
    pts = _points()
    with pytest.raises(ValueError, match="icao24 repeats: 600864"):
        write_aircraft_json(pd.concat([pts, pts.iloc[:1]]), tmp_path / "x.json", now=NOW)
    with pytest.raises(ValueError, match="later than the snapshot"):
        write_v2(pts, tmp_path / "x.json", now=NOW - 1.0)


# --------------------------------------------------------------------------- fuzz


def _valid_bytes() -> bytes:
    entries = [FULL, {"hex": "600865", "alt_baro": "ground", "lat": 40.4, "lon": 50.0, "seen_pos": 1, "mlat": ["lat"]}, {"hex": "600866", "lastPosition": {"lat": 41, "lon": 48, "seen_pos": 70}}]
    return orjson.dumps(_snapshot(*entries))


VALID = _valid_bytes()
VALID_V2 = orjson.dumps({"ac": orjson.loads(VALID)["aircraft"], "now": 1693548000000, "ctime": 1693548000000, "msg": "No error"})
_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_FUZZ
@given(
    positions=st.lists(st.integers(0, 10_000), max_size=6),
    values=st.lists(st.integers(0, 255), max_size=6),
    cut=st.none() | st.integers(0, 10_000),
    v2=st.booleans(),
    forced=st.booleans(),
)
def test_fuzz_mutated_snapshot(tmp_path_factory: pytest.TempPathFactory, positions: list[int], values: list[int], cut: int | None, v2: bool, forced: bool) -> None:
    data = mutate(VALID_V2 if v2 else VALID, positions, values, cut)
    fmt = ("v2_api" if v2 else "aircraft_json") if forced else None
    read_bytes_survives(data, tmp_path_factory.mktemp("fz"), "aircraft.json", format=fmt)


@_FUZZ
@given(data=st.binary(max_size=400), fmt=st.sampled_from([None, "aircraft_json", "v2_api"]))
def test_fuzz_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes, fmt: str | None) -> None:
    read_bytes_survives(data, tmp_path_factory.mktemp("fz"), "aircraft.json", format=fmt)


@_FUZZ
@given(
    entry=st.dictionaries(
        st.sampled_from(["hex", "lat", "lon", "seen_pos", "seen", "alt_baro", "gs", "flight", "mlat", "lastPosition", "dbFlags", "type"]),
        st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=8) | st.lists(st.text(max_size=3), max_size=3) | st.dictionaries(st.sampled_from(["lat", "lon", "seen_pos"]), st.floats(allow_nan=False) | st.text(max_size=3), max_size=3),
        max_size=8,
    ),
    v2=st.booleans(),
)
def test_fuzz_entry_values(tmp_path_factory: pytest.TempPathFactory, entry: dict[str, Any], v2: bool) -> None:
    doc = {"ac": [entry], "now": 1693548000000} if v2 else _snapshot(entry)
    ds = read_bytes_survives(orjson.dumps(doc), tmp_path_factory.mktemp("fz"), "a.json")
    assert ds.manifest.iloc[0]["rows_read"] == 1  # one entry, one record, whatever it holds
