"""readsb / adsb.lol trace files, field by field (formats.md §1)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flighttrace.sim.writers import write_trace
from tests.builders import points, trace_doc, write_json
from tests.io.fuzzutil import mutate, read_bytes_survives
from tests.io.readcheck import read_one

# 2023-09-01T00:00:00Z = 1693526400 s (19601 days × 86400 s since 1970-01-01)
MIDNIGHT = 1693526400.0

FULL_POINTS = [
    # dt, lat, lon, alt, gs, track, flags, vrate, details, type, geom_alt, geom_rate, ias, roll
    [0.0, 40.4675, 50.0467, "ground", 12.3, 160.0, 0, None, {"flight": "AZQ6224 ", "squawk": "1000"}, "adsb_icao", None, None, None, None],
    [20.5, 40.4700, 50.0450, 1500, 165.0, 340.1, 2, 2048, None, "adsb_icao", 1625, 2100, 160, 0.0],
    [40.0, 40.4900, 50.0300, 3500, 210.0, 341.0, 1, 1984, {"squawk": "7700"}, "mlat", None, None, None, None],
    [75.25, 40.5200, 50.0100, None, 250.0, 342.0, 8, None, None, "tisb_icao", None, None, None, -2.5],
]


def test_full_trace_fields_and_units(tmp_path: Path) -> None:
    doc = trace_doc(FULL_POINTS, r="4K-AZ100", t="IL76", dbFlags=1, timestamp=MIDNIGHT)
    ds = read_one(write_json(tmp_path / "traces/64/trace_full_600864.json", doc, gz=True))
    p = ds.points
    assert ds.manifest.loc[0, "format"] == "readsb_trace" and ds.manifest.loc[0, "compression"] == "gzip"
    # absolute time = timestamp + offset: 1693526400 + 20.5 s → 2023-09-01T00:00:20.5Z
    assert list(p["time"]) == [
        pd.Timestamp("2023-09-01T00:00:00Z"),
        pd.Timestamp("2023-09-01T00:00:20.500Z"),
        pd.Timestamp("2023-09-01T00:00:40Z"),
        pd.Timestamp("2023-09-01T00:01:15.250Z"),
    ]
    assert p["lat"].tolist() == [40.4675, 40.47, 40.49, 40.52]
    assert p["lon"].tolist() == [50.0467, 50.045, 50.03, 50.01]
    # "ground" → on_ground True with no altitude; a number → airborne; null → not said
    assert p["on_ground"].tolist() == [True, False, False, pd.NA]
    assert np.isnan(p["alt_ft"].iloc[0]) and p["alt_ft"].iloc[1] == 1500 and np.isnan(p["alt_ft"].iloc[3])
    assert p["gs_kt"].tolist() == pytest.approx([12.3, 165.0, 210.0, 250.0])
    assert p["vrate_fpm"].iloc[1] == 2048
    # flags: 2 = new leg, 1 = stale, 8 = geometric altitude (neither stale nor new leg)
    assert p["new_leg"].tolist() == [False, True, False, False]
    assert p["stale"].tolist() == [False, False, True, False]
    # callsign carried forward from the first details object, stripped; squawk changes at point 2
    assert p["callsign"].astype(str).tolist() == ["AZQ6224"] * 4
    assert p["squawk"].astype(str).tolist() == ["1000", "1000", "7700", "7700"]
    assert p["position_source"].astype(str).tolist() == ["adsb", "adsb", "mlat", "other"]
    assert set(p["registration"].astype(str)) == {"4K-AZ100"} and set(p["typecode"].astype(str)) == {"IL76"}
    assert p["military"].tolist() == [True] * 4
    assert p["src_row"].tolist() == [0, 1, 2, 3]
    assert set(p["src_file"].astype(str)) == {(tmp_path / "traces/64/trace_full_600864.json").as_posix()}


def test_legacy_8_and_9_element_points(tmp_path: Path) -> None:
    pts = [
        [0.0, 29.9403, 34.9358, "ground", 5.0, 20.0, 0, 0],
        [30.0, 29.95, 34.94, 2000, 180.0, 21.0, 0, 1500, {"flight": "AZAF8"}],
    ]
    ds = read_one(write_json(tmp_path / "trace_full_600881.json", trace_doc(pts, icao="600881", timestamp=1459728000.0)))
    p = ds.points
    assert len(p) == 2 and p["position_source"].astype(str).tolist() == ["unknown", "unknown"]
    # 1459728000 = 2016-04-04T00:00:00Z
    assert p["time"].iloc[1] == pd.Timestamp("2016-04-04T00:00:30Z")
    # no details before point 1: the callsign is not invented backwards
    assert pd.isna(p["callsign"].iloc[0]) and p["callsign"].iloc[1] == "AZAF8"
    assert p["military"].isna().all()  # no dbFlags: not said


def test_gzip_detected_by_magic_not_name(tmp_path: Path) -> None:
    doc = trace_doc(FULL_POINTS[:2])
    plain = write_json(tmp_path / "a.json.gz", doc, gz=False)  # named .gz, not compressed
    packed = write_json(tmp_path / "b.txt", doc, gz=True)  # named .txt, compressed
    assert plain.exists() and packed.exists()
    ds = read_one(tmp_path)
    m = ds.manifest.set_index(ds.manifest["path"].str.rsplit("/", n=1).str[-1])
    assert m.loc["a.json.gz", "compression"] == "none" and m.loc["b.txt", "compression"] == "gzip"
    assert (m["format"] == "readsb_trace").all()


def test_bad_points_are_quarantined_with_reasons(tmp_path: Path) -> None:
    pts = [
        [0.0, 40.0, 50.0, 1000, 200.0, 90.0, 0, 0],
        "not a point",
        [1.0, 40.0],
        [2.0, "north", 50.0, 1000, 200.0, 90.0, 0, 0],
        [3.0, 40.0, 50.0, "high", 200.0, 90.0, 0, 0],
        [4.0, 95.0, 50.0, 1000, 200.0, 90.0, 0, 0],
    ]
    ds = read_one(write_json(tmp_path / "t.json", trace_doc(pts)))
    q = ds.quarantine.set_index("src_row")["reason"]
    assert q[1] == "trace point is not an array of at least 8 values"
    assert q[2] == "trace point is not an array of at least 8 values"
    assert "lat is not a number" in q[3]
    assert 'alt is neither a number nor "ground"' in q[4]
    assert q[5] == "lat 95.0 outside [-90, 90] deg"
    assert ds.manifest.loc[0, "rows_read"] == 6 and ds.manifest.loc[0, "rows_kept"] == 1
    assert ds.quarantine.set_index("src_row").loc[3, "raw"] == '[2.0,"north",50.0,1000,200.0,90.0,0,0]'


def test_trace_without_timestamp_is_a_file_error(tmp_path: Path) -> None:
    ds = read_one(write_json(tmp_path / "t.json", {"icao": "600864", "trace": [[0, 1, 2, 3, 4, 5, 0, 0]]}))
    assert ds.manifest.loc[0, "error"].startswith("readsb trace without a numeric 'timestamp'")
    assert len(ds.points) == 0 and ds.quarantine["src_row"].isna().all()


def test_writer_round_trip(tmp_path: Path) -> None:
    src = points(12, on_ground=[True] * 2 + [False] * 10, alt_ft=[np.nan] * 2 + list(np.linspace(1000, 10000, 10)))
    src.loc[5:, "callsign"] = "AZQ6225"
    src.loc[8:, "position_source"] = "mlat"
    write_trace(src, tmp_path / "trace_full_600864.json", registration="4K-AZ100", typecode="IL76", db_flags=0)
    p = read_one(tmp_path).points
    assert (p["time"].to_numpy() == src["time"].to_numpy()).all()
    np.testing.assert_allclose(p["lat"], src["lat"], atol=1e-6)
    np.testing.assert_allclose(p["alt_ft"].iloc[2:], src["alt_ft"].iloc[2:], atol=0.5)
    np.testing.assert_allclose(p["gs_kt"], src["gs_kt"], atol=0.05)
    assert p["on_ground"].tolist()[:3] == [True, True, False]
    assert p["callsign"].astype(str).tolist() == src["callsign"].tolist()
    assert p["position_source"].astype(str).tolist() == src["position_source"].tolist()


def test_writer_is_byte_deterministic(tmp_path: Path) -> None:
    src = points(20)
    write_trace(src, tmp_path / "a" / "trace_full_600864.json")
    write_trace(src, tmp_path / "b" / "trace_full_600864.json")
    assert (tmp_path / "a/trace_full_600864.json").read_bytes() == (tmp_path / "b/trace_full_600864.json").read_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    positions=st.lists(st.integers(0, 10_000), max_size=8),
    values=st.lists(st.integers(0, 255), min_size=8, max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 10_000)),
    gz=st.booleans(),
)
def test_fuzz_mutated_trace_never_raises(tmp_path_factory: pytest.TempPathFactory, positions: list[int], values: list[int], cut: int | None, gz: bool) -> None:
    import orjson

    data = orjson.dumps(trace_doc(FULL_POINTS, r="4K-AZ100", dbFlags=0))
    if gz:
        data = gzip.compress(data, mtime=0)
    read_bytes_survives(mutate(data, positions, values, cut), tmp_path_factory.mktemp("fz"), "trace_full_600864.json")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), fmt=st.sampled_from([None, "readsb_trace"]))
def test_fuzz_random_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes, fmt: str | None) -> None:
    read_bytes_survives(data, tmp_path_factory.mktemp("fz"), "x.json", format=fmt)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pts=st.lists(
        st.lists(
            st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-10**12, 10**12), st.text(max_size=5), st.just("ground"),
                      st.dictionaries(st.sampled_from(["flight", "squawk", "x"]), st.one_of(st.text(max_size=9), st.integers()))),
            min_size=0, max_size=15),
        max_size=12),
    ts=st.one_of(st.floats(allow_nan=True), st.integers(0, 2**40), st.text(max_size=3)),
)
def test_fuzz_random_trace_structures(tmp_path_factory: pytest.TempPathFactory, pts: list[list[object]], ts: object) -> None:
    import json

    # the standard library writes integers of any size and NaN tokens: the reader must survive both
    data = json.dumps({"icao": "600864", "timestamp": ts, "trace": pts}).encode()
    read_bytes_survives(data, tmp_path_factory.mktemp("fz"), "trace.json")


def test_tracks_outside_0_360_are_reduced_into_it(tmp_path: Path) -> None:
    """A track of -90° is 270°, 725.5° is 5.5°, 360° is 0°, -0° is +0°; in-range tracks and missing ones stay as given."""
    pts = [[float(k) * 10.0, 40.0 + k * 0.01, 50.0, 3000, 200.0, trk, 0, 0, None, "adsb_icao", None, None, None, None]
           for k, trk in enumerate([-90.0, 725.5, 360.0, -0.0, 359.5, 0.0, None, 12.25])]
    ds = read_one(write_json(tmp_path / "trace_full_600864.json", trace_doc(pts, timestamp=MIDNIGHT)))
    track = ds.points["track_deg"].to_numpy()
    assert track[[0, 1, 2, 3, 4, 5, 7]].tolist() == [270.0, 5.5, 0.0, 0.0, 359.5, 0.0, 12.25]
    assert not np.signbit(track[3])  # -0° is written +0°
    assert np.isnan(track[6])
