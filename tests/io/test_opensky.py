"""OpenSky state vectors (CSV, Parquet), field by field (formats.md §3); the REST JSON is in test_opensky_json.py."""

from __future__ import annotations

import gzip
import io
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flighttrace.io import opensky
from flighttrace.io._base import ReadContext
from flighttrace.io.csvstream import Utf8Guard
from flighttrace.io.opensky import STATE_VECTOR_COLUMNS
from flighttrace.sim.writers import opensky as osw
from flighttrace.sim.writers import write_state_vectors_csv, write_state_vectors_parquet, write_states_json, write_tracks_json
from tests.io.fuzzutil import mutate, read_bytes_survives
from tests.io.readcheck import read_one, reasons

# 2023-09-01T06:00:00Z = 1693548000 s (19601 days × 86400 s + 6 × 3600 s)
T6 = 1693548000
HEADER = ",".join(STATE_VECTOR_COLUMNS)
PY_HEADER = "timestamp,icao24,latitude,longitude,groundspeed,track,vertical_rate,callsign,onground,alert,spi,squawk,altitude,geoaltitude,last_position,lastseen,hour"


def sv_line(
    t: Any = T6,
    icao24: str = "600864",
    lat: Any = 29.94,
    lon: Any = 34.94,
    velocity: Any = 221.2,
    heading: Any = 180.5,
    vertrate: Any = -5.08,
    callsign: str = "AZQ6224 ",
    onground: str = "false",
    squawk: str = "0042",
    baroaltitude: Any = 10058.4,
    lastposupdate: Any = None,
    lastcontact: Any = None,
) -> str:
    """One state_vectors_data4 CSV line (SI units), fresh unless told otherwise."""
    lp = t if lastposupdate is None else lastposupdate
    lc = t if lastcontact is None else lastcontact
    hour = (int(t) // 3600) * 3600 if isinstance(t, (int, float)) else ""
    return (
        f"{t},{icao24},{lat},{lon},{velocity},{heading},{vertrate},{callsign},{onground},false,false,{squawk},"
        f"{baroaltitude},10200.0,{lp},{lc},,{hour}"
    )


def csv_file(path: Path, lines: list[str], header: str = HEADER, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join([header, *lines]) + "\n").encode()
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def sample_points(n: int = 6, icao24: str = "600864", start: int = T6, **cols: Any) -> pd.DataFrame:
    """A Points-like frame: integer seconds, a climb out of Ovda (29.94 N, 34.94 E)."""
    base: dict[str, Any] = {
        "icao24": [icao24] * n,
        "time": pd.to_datetime(np.arange(n) * 10 + start, unit="s", utc=True),
        "lat": np.round(np.linspace(29.94, 30.10, n), 5),
        "lon": np.round(np.linspace(34.94, 34.70, n), 5),
        "alt_ft": np.linspace(0, 12500, n),
        "on_ground": pd.array([True] + [False] * (n - 1), dtype="boolean"),
        "gs_kt": np.linspace(140, 290, n),
        "track_deg": np.linspace(300, 310, n),
        "vrate_fpm": [0.0] + [2000.0] * (n - 1),
        "callsign": ["AZQ6224"] * n,
        "squawk": ["0042"] * n,
        "position_source": ["unknown"] * n,
        "stale": [False] * (n - 1) + [True],
    }
    base.update(cols)
    return pd.DataFrame(base)


# ---------------------------------------------------------------------------
# state_vectors_data4 CSV


def test_state_vectors_csv_fields_and_units(tmp_path: Path) -> None:
    lines = [
        sv_line(),
        # position 20 s old at the row's time (coverage lost): stale
        sv_line(t=T6 + 30, onground="True", lastposupdate=T6 + 10, lastcontact=T6 + 29.5),
        # last contact 16 s old: stale too
        sv_line(t=T6 + 60, onground="1", lastposupdate=T6 + 59.5, lastcontact=T6 + 44),
        sv_line(t=T6 + 90, onground="0", velocity="", vertrate="", baroaltitude=""),
        sv_line(t=T6 + 120, onground="", callsign="", squawk=""),
    ]
    ds = read_one(csv_file(tmp_path / "sv.csv", lines))
    p = ds.points
    m = ds.manifest.iloc[0]
    assert m["format"] == "opensky_csv" and m["rows_read"] == 5 and m["rows_kept"] == 5
    assert "state_vectors_data4" in m["notes"] and "baroaltitude m→ft" in m["notes"]
    assert p["time"].tolist() == [pd.Timestamp(T6 + k, unit="s", tz="UTC") for k in (0, 30, 60, 90, 120)]
    assert p["lat"].iloc[0] == 29.94 and p["lon"].iloc[0] == 34.94
    # baroaltitude 10058.4 m / 0.3048 = 33,000 ft
    assert p["alt_ft"].iloc[0] == pytest.approx(33000.0)
    # velocity 221.2 m/s × 3600 / 1852 = 429.978 kt
    assert p["gs_kt"].iloc[0] == pytest.approx(429.978, abs=1e-3)
    # vertrate −5.08 m/s × 60 / 0.3048 = −1,000 ft/min
    assert p["vrate_fpm"].iloc[0] == pytest.approx(-1000.0)
    # heading is the track over ground, degrees, unchanged
    assert p["track_deg"].iloc[0] == pytest.approx(180.5)
    # empty fields: not known (NaN / NA), not zero
    assert np.isnan(p["gs_kt"].iloc[3]) and np.isnan(p["vrate_fpm"].iloc[3]) and np.isnan(p["alt_ft"].iloc[3])
    # false / True / 1 / 0 / empty
    assert p["on_ground"].tolist() == [False, True, True, False, pd.NA]
    assert p["stale"].tolist() == [False, True, True, False, False]
    # the 8-character padded callsign is stripped; squawk keeps its leading zeros
    assert p["callsign"].astype(object).tolist()[:4] == ["AZQ6224"] * 4 and pd.isna(p["callsign"].iloc[4])
    assert p["squawk"].astype(object).tolist()[:4] == ["0042"] * 4 and pd.isna(p["squawk"].iloc[4])
    # state vectors do not say how the position was obtained
    assert (p["position_source"] == "unknown").all()
    assert p["src_row"].tolist() == [0, 1, 2, 3, 4]
    assert (p["source"] == "opensky_csv").all()


def test_pyopensky_columns_are_not_converted_twice(tmp_path: Path) -> None:
    lines = [
        # traffic writes tz-aware timestamps and ft / kt / ft/min
        "2023-09-01 06:00:00+00:00,600864,29.94,34.94,430.0,180.5,-1000.0,AZQ6224,False,False,False,0042,33000.0,33500.0,"
        "2023-09-01 06:00:00+00:00,2023-09-01 06:00:00+00:00,2023-09-01 06:00:00+00:00",
        "2023-09-01T09:00:30+03:00,600864,29.95,34.93,431.0,181.0,-960.0,AZQ6224,False,False,False,0042,32500.0,33000.0,"
        "2023-09-01T06:00:10Z,2023-09-01T06:00:29Z,2023-09-01T06:00:00Z",
    ]
    ds = read_one(csv_file(tmp_path / "hist.csv", lines, header=PY_HEADER))
    p = ds.points
    assert ds.manifest.loc[0, "format"] == "opensky_csv"
    assert "pyopensky/traffic" in ds.manifest.loc[0, "notes"] and "m→ft" not in ds.manifest.loc[0, "notes"]
    # already ft, kt, ft/min: taken as they are
    assert p["alt_ft"].tolist() == [33000.0, 32500.0]
    assert p["gs_kt"].tolist() == [430.0, 431.0]
    assert p["vrate_fpm"].tolist() == [-1000.0, -960.0]
    assert p["track_deg"].tolist() == [180.5, 181.0]
    # ISO times with a zone; 09:00:30+03:00 is 06:00:30Z
    assert p["time"].tolist() == [pd.Timestamp("2023-09-01T06:00:00Z"), pd.Timestamp("2023-09-01T06:00:30Z")]
    # last_position 06:00:10 is 20 s before 06:00:30: stale
    assert p["stale"].tolist() == [False, True]


def test_epoch_float_and_iso_times_in_state_vector_names(tmp_path: Path) -> None:
    lines = [sv_line(t="1693548000.5"), sv_line(t="2023-09-01T06:00:10Z", lastposupdate="2023-09-01T06:00:10Z", lastcontact="2023-09-01T06:00:10Z")]
    p = read_one(csv_file(tmp_path / "t.csv", lines)).points
    assert p["time"].tolist() == [pd.Timestamp("2023-09-01T06:00:00.5Z"), pd.Timestamp("2023-09-01T06:00:10Z")]
    assert p["stale"].tolist() == [False, False]


def test_naive_iso_times_are_taken_as_utc_and_noted(tmp_path: Path) -> None:
    ds = read_one(csv_file(tmp_path / "t.csv", [sv_line(t="2023-09-01 06:00:00", lastposupdate="", lastcontact="")]))
    assert ds.points["time"].iloc[0] == pd.Timestamp("2023-09-01T06:00:00Z")
    assert "time: ISO times without a zone taken as UTC" in ds.manifest.loc[0, "notes"]


def test_position_source_column_when_present(tmp_path: Path) -> None:
    header = HEADER + ",position_source"
    lines = [sv_line(t=T6 + 10 * k) + f",{code}" for k, code in enumerate(["0", "1", "2", "3", ""])]
    p = read_one(csv_file(tmp_path / "ps.csv", lines, header=header)).points
    # 0 ADS-B, 1 ASTERIX → other, 2 MLAT, 3 FLARM → other, missing → unknown
    assert p["position_source"].astype(str).tolist() == ["adsb", "other", "mlat", "other", "unknown"]


def test_gzip_csv_is_read(tmp_path: Path) -> None:
    ds = read_one(csv_file(tmp_path / "sv.csv.gz", [sv_line(), sv_line(t=T6 + 10)], gz=True))
    assert ds.manifest.loc[0, "compression"] == "gzip" and ds.manifest.loc[0, "rows_kept"] == 2


def test_quoted_fields_and_raw_text(tmp_path: Path) -> None:
    line = sv_line(velocity="abc").replace(",,", ',"[1433, 1454]",')
    ds = read_one(csv_file(tmp_path / "q.csv", [sv_line(), line]))
    q = ds.quarantine.iloc[0]
    assert q["reason"] == "velocity 'abc' is not a number" and q["src_row"] == 1
    # raw = the row's fields joined back with commas (a field holding commas is quoted again)
    assert q["raw"] == line


# ---------------------------------------------------------------------------
# bad input


def test_empty_file_is_a_file_error(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"")
    ds = read_one(tmp_path / "e.csv", format="opensky_csv")
    assert ds.manifest.loc[0, "error"] == "the file is empty"
    assert len(ds.points) == 0 and ds.quarantine["src_row"].isna().all()


def test_header_only_gives_zero_records(tmp_path: Path) -> None:
    ds = read_one(csv_file(tmp_path / "h.csv", []))
    m = ds.manifest.iloc[0]
    assert m["format"] == "opensky_csv" and m["error"] == "" and m["rows_read"] == 0


def test_truncated_gzip_keeps_nothing_silently(tmp_path: Path) -> None:
    lines = [sv_line(t=T6 + k) for k in range(2000)]
    data = gzip.compress(("\n".join([HEADER, *lines]) + "\n").encode(), mtime=0)
    (tmp_path / "cut.csv.gz").write_bytes(data[: len(data) // 2])
    ds = read_one(tmp_path / "cut.csv.gz")
    m = ds.manifest.iloc[0]
    assert m["error"].startswith("compressed stream is truncated")
    assert ds.quarantine["src_row"].isna().sum() == 1
    assert m["rows_read"] == m["rows_kept"] + m["rows_quarantined"]


def test_csv_with_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("Timestamp,UTC,Callsign,Position\n1693548000,2023-09-01T06:00:00Z,AZQ6224,\"29.94,34.94\"\n")
    detected = read_one(path)
    assert detected.manifest.loc[0, "error"].startswith("unrecognised content")
    forced = read_one(path, format="opensky_csv")
    err = forced.manifest.loc[0, "error"]
    assert err.startswith("no OpenSky header: expected columns time, icao24, lat, lon, velocity")
    assert err.endswith("first line was 'Timestamp,UTC,Callsign,Position'")


def test_csv_without_header(tmp_path: Path) -> None:
    path = tmp_path / "nh.csv"
    path.write_text(sv_line() + "\n" + sv_line(t=T6 + 10) + "\n")
    ds = read_one(path, format="opensky_csv")
    assert ds.manifest.loc[0, "error"].startswith("no OpenSky header: expected columns time, icao24, lat, lon")
    # the first line is quoted (cut to 120 characters)
    assert "first line was '1693548000,600864,29.94,34.94,221.2," in ds.manifest.loc[0, "error"]
    assert len(ds.points) == 0


def test_missing_lat_column(tmp_path: Path) -> None:
    path = tmp_path / "nolat.csv"
    path.write_text("time,icao24,lon,velocity\n1693548000,600864,34.94,221.2\n")
    ds = read_one(path, format="opensky_csv")
    assert ds.manifest.loc[0, "error"] == "OpenSky CSV header lacks column(s): lat"
    # pyopensky names: the message uses them (and the header is still detected)
    path2 = tmp_path / "nolon.csv"
    path2.write_text("timestamp,icao24,latitude,altitude\n1693548000,600864,29.94,33000\n")
    ds2 = read_one(path2)
    assert ds2.manifest.loc[0, "format"] == "opensky_csv"
    assert ds2.manifest.loc[0, "error"] == "OpenSky CSV header lacks column(s): longitude"


def test_value_errors_each_with_their_reason(tmp_path: Path) -> None:
    future = int(time.time()) + 30 * 86400
    lines = [
        sv_line(t=T6),
        sv_line(t=T6 + 10, velocity="abc"),
        sv_line(t=T6 + 20, lat="NaN"),
        sv_line(t=T6 + 30, lat=123),
        sv_line(t=473385600),  # 1985-01-01T00:00:00Z
        sv_line(t=future),
        sv_line(t=T6 + 40, icao24="4B1805"),
        sv_line(t=T6 + 50, icao24="zz1234"),
        sv_line(t=T6 + 60, onground="maybe"),
        sv_line(t="yesterday", lastposupdate="", lastcontact=""),
        sv_line(t=T6 + 70, lastcontact="soon"),
        sv_line(t=T6 + 80)[:40],  # cut line: too few fields
    ]
    ds = read_one(csv_file(tmp_path / "bad.csv", lines))
    r = reasons(ds)
    assert r[1] == "velocity 'abc' is not a number"
    assert r[2] == "lat missing"
    assert r[3] == "lat 123.0 outside [-90, 90] deg"
    assert r[4] == "1985-01-01T00:00:00Z is before 1990-01-01 (time)"
    assert r[5] == pd.Timestamp(future, unit="s").strftime("%Y-%m-%dT%H:%M:%SZ") + " is in the future (time)"
    assert 6 not in r  # upper-case hex is normalised, not rejected
    assert r[7] == "icao24 'zz1234' is not 6 hex digits"
    assert r[8] == "onground 'maybe' is not a boolean (true/false/1/0)"
    assert r[9] == "time is not a number"
    assert r[10] == "lastcontact 'soon' is neither epoch seconds nor an ISO 8601 time"
    assert r[11] == "CSV row has 6 field(s), the header has 18"
    assert ds.quarantine.set_index("src_row").loc[11, "raw"] == lines[11]
    assert sorted(ds.points["src_row"]) == [0, 6]
    assert set(ds.points["icao24"].astype(str)) == {"600864", "4b1805"}
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == (12, 2, 10)


def test_one_address_written_two_ways_is_one_aircraft(tmp_path: Path) -> None:
    # "4B1805" and "4b1805" (and the same with a space) are one address: one aircraft, every row kept
    lines = [sv_line(t=T6, icao24="4b1805"), sv_line(t=T6 + 10, icao24="4B1805"), sv_line(t=T6 + 20, icao24='" 4b1805"')]
    ds = read_one(csv_file(tmp_path / "case.csv", lines))
    assert ds.points["icao24"].astype(str).tolist() == ["4b1805"] * 3
    assert list(ds.points["icao24"].cat.categories) == ["4b1805"]
    assert ds.points["src_row"].tolist() == [0, 1, 2] and len(ds.quarantine) == 0


def test_invalid_utf8_row_is_quarantined_not_the_file(tmp_path: Path) -> None:
    data = (HEADER + "\n" + sv_line() + "\n").encode() + sv_line(t=T6 + 10, callsign="AZQ\xff").encode("latin-1") + b"\n"
    (tmp_path / "u.csv").write_bytes(data)
    ds = read_one(tmp_path / "u.csv")
    assert ds.manifest.loc[0, "error"] == "" and len(ds.points) == 1
    assert reasons(ds) == {1: "row is not valid UTF-8 text (invalid bytes shown as U+FFFD)"}
    assert "AZQ\ufffd" in ds.quarantine.loc[0, "raw"]


def test_short_row_with_invalid_utf8_is_quarantined(tmp_path: Path) -> None:
    # pyarrow cannot pass such a row to the invalid-row handler: the reader repairs the bytes first
    data = (HEADER + "\n" + sv_line() + "\n").encode() + b"1693548010,60\xff\n" + (sv_line(t=T6 + 20) + "\n").encode()
    (tmp_path / "u.csv").write_bytes(data)
    ds = read_one(tmp_path / "u.csv")
    assert ds.manifest.loc[0, "error"] == "" and ds.points["src_row"].tolist() == [0, 2]
    assert reasons(ds) == {1: "CSV row has 2 field(s), the header has 18"}
    assert ds.quarantine.loc[0, "raw"] == "1693548010,60\ufffd"


def test_utf8_guard_keeps_characters_split_across_reads() -> None:
    text = "AZQ,é€𝄞,ok\n".encode() * 50
    for chunk in (1, 2, 3, 5, 7):
        guard = Utf8Guard(io.BytesIO(text), chunk=chunk)
        assert io.BufferedReader(guard).read() == text and not guard.replaced
    guard = Utf8Guard(io.BytesIO(b"ab\xffcd\xe2\x82"), chunk=2)
    assert io.BufferedReader(guard).read() == "ab\ufffdcd\ufffd".encode() and guard.replaced


def test_hostile_strings_are_kept_verbatim_as_data(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>"
    p = read_one(csv_file(tmp_path / "h.csv", [sv_line(callsign=hostile)])).points
    assert p["callsign"].iloc[0] == hostile


def test_unsorted_rows_come_out_sorted(tmp_path: Path) -> None:
    lines = [sv_line(t=T6 + 20), sv_line(t=T6 + 20, icao24="4b1805"), sv_line(t=T6), sv_line(t=T6 + 10)]
    p = read_one(csv_file(tmp_path / "u.csv", lines)).points
    assert p["icao24"].astype(str).tolist() == ["4b1805", "600864", "600864", "600864"]
    assert p["time"].is_monotonic_increasing is False  # sorted by aircraft first, then time
    assert p["src_row"].tolist() == [1, 2, 3, 0]
    one = p[p["icao24"] == "600864"]
    assert one["time"].is_monotonic_increasing


def test_duplicates_across_overlapping_files(tmp_path: Path) -> None:
    a = csv_file(tmp_path / "a.csv", [sv_line(t=T6 + 10 * k) for k in range(5)])
    b = csv_file(tmp_path / "b.csv", [sv_line(t=T6 + 10 * k) for k in range(3, 8)])
    ds = read_one([a, b])
    m = ds.manifest.set_index(ds.manifest["path"].str.rsplit("/", n=1).str[-1])
    # rows at T6+30 and T6+40 are in both files: the first file keeps them
    assert m.loc["a.csv", "rows_duplicate"] == 0 and m.loc["a.csv", "rows_kept"] == 5
    assert m.loc["b.csv", "rows_duplicate"] == 2 and m.loc["b.csv", "rows_kept"] == 3
    assert len(ds.points) == 8


def test_sniff_is_specific() -> None:
    assert opensky._sniff_csv(HEADER.encode() + b"\n1,2\n")
    assert opensky._sniff_csv(PY_HEADER.encode())
    assert opensky._sniff_csv(b'\xef\xbb\xbf"time","icao24","lat","lon"\n')
    assert not opensky._sniff_csv(b"time,icao,lat,lon\n")
    assert not opensky._sniff_csv(b"icao24,lat,lon,altitude\n")  # no time column
    assert not opensky._sniff_csv(b"Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n")


# ---------------------------------------------------------------------------
# streaming


def test_csv_blocks_give_the_same_result_as_one_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = []
    for k in range(3000):
        if k % 397 == 5:
            lines.append(sv_line(t=T6 + k)[:30])  # too few fields
        elif k % 211 == 7:
            lines.append(sv_line(t=T6 + k, velocity="fast"))
        else:
            lines.append(sv_line(t=T6 + k, icao24=f"{0x600864 + k % 3:06x}", lat=29.94 + k * 1e-4))
    path = csv_file(tmp_path / "big.csv", lines)
    whole = read_one(path)
    monkeypatch.setattr(opensky, "CSV_BLOCK_BYTES", 4096)
    with open(path, "rb") as fh:
        chunks = list(opensky.read_state_vectors_csv(io.BufferedReader(fh), ReadContext(src_file="x")))
    assert len(chunks) > 20  # really several blocks
    srcs = np.concatenate([c.src_row for c in chunks])
    assert (np.diff(srcs) > 0).all()  # ascending across blocks
    blocks = read_one(path)
    pd.testing.assert_frame_equal(blocks.points, whole.points)
    pd.testing.assert_frame_equal(blocks.quarantine, whole.quarantine)
    # every data row is accounted for exactly once, kept or quarantined: src_row is continuous
    seen = sorted(blocks.points["src_row"].tolist() + blocks.quarantine["src_row"].astype(int).tolist())
    assert seen == list(range(3000))
    q = reasons(blocks)
    assert q[5] == "CSV row has 5 field(s), the header has 18" and q[7] == "velocity 'fast' is not a number"
    # each kept row carries the lat written on its own line: src_row points at the right line
    kept = blocks.points.set_index("src_row")["lat"]
    np.testing.assert_allclose(kept.to_numpy(), 29.94 + kept.index.to_numpy() * 1e-4, atol=1e-9)


def test_parquet_batches_are_continuous(tmp_path: Path) -> None:
    src = pd.concat([sample_points(20, start=T6), sample_points(20, icao24="4b1805", start=T6 + 5)], ignore_index=True)
    write_state_vectors_parquet(src, tmp_path / "sv.parquet")
    with open(tmp_path / "sv.parquet", "rb") as fh:
        chunks = list(opensky.read_state_vectors_parquet(fh, ReadContext(src_file="x", chunk_rows=7)))
    assert [len(c) for c in chunks] == [7, 7, 7, 7, 7, 5]
    assert np.concatenate([c.src_row for c in chunks]).tolist() == list(range(40))


# ---------------------------------------------------------------------------
# Parquet


def sv_parquet(path: Path, **cols: Any) -> Path:
    n = len(next(iter(cols.values())))
    base: dict[str, Any] = {
        "time": pa.array([T6 + 10 * k for k in range(n)], pa.int64()),
        "icao24": ["600864"] * n,
        "lat": [29.94] * n,
        "lon": [34.94] * n,
        "velocity": [221.2] * n,
        "heading": [180.5] * n,
        "vertrate": [-5.08] * n,
        "callsign": ["AZQ6224 "] * n,
        "onground": [False] * n,
        "squawk": ["0042"] * n,
        "baroaltitude": [10058.4] * n,
        "lastposupdate": [float(T6 + 10 * k) for k in range(n)],
        "lastcontact": [float(T6 + 10 * k) for k in range(n)],
    }
    base.update(cols)
    pq.write_table(pa.table(base), path)
    return path


def test_parquet_fields_and_units(tmp_path: Path) -> None:
    ds = read_one(sv_parquet(tmp_path / "sv.parquet", onground=[False, True], lastposupdate=[float(T6), float(T6 - 10)]))
    p = ds.points
    assert ds.manifest.loc[0, "format"] == "opensky_parquet"
    # 10058.4 m = 33,000 ft; 221.2 m/s = 429.978 kt; −5.08 m/s = −1,000 ft/min
    assert p["alt_ft"].tolist() == pytest.approx([33000.0] * 2)
    assert p["gs_kt"].tolist() == pytest.approx([429.978] * 2, abs=1e-3)
    assert p["vrate_fpm"].tolist() == pytest.approx([-1000.0] * 2)
    assert p["on_ground"].tolist() == [False, True]
    # second row: time T6+10, last position T6−10 → 20 s old → stale
    assert p["stale"].tolist() == [False, True]
    assert p["squawk"].astype(str).tolist() == ["0042", "0042"]
    assert p["time"].tolist() == [pd.Timestamp(T6, unit="s", tz="UTC"), pd.Timestamp(T6 + 10, unit="s", tz="UTC")]


def test_parquet_all_null_and_dictionary_columns(tmp_path: Path) -> None:
    ds = read_one(sv_parquet(tmp_path / "n.parquet", onground=pa.nulls(2), callsign=pa.array(["AZQ6224 ", None]).dictionary_encode(), velocity=pa.nulls(2)))
    p = ds.points
    # an all-null Parquet column means "not said", not a bad value
    assert p["on_ground"].isna().all() and p["gs_kt"].isna().all()
    assert p["callsign"].iloc[0] == "AZQ6224" and pd.isna(p["callsign"].iloc[1])


def test_parquet_arrow_timestamps_and_integer_squawk(tmp_path: Path) -> None:
    aware = pa.array([T6 * 1000, (T6 + 10) * 1000], pa.timestamp("ms", tz="UTC"))
    ds = read_one(sv_parquet(tmp_path / "a.parquet", time=aware, squawk=pa.array([42, 7700], pa.int16())))
    assert ds.points["time"].tolist() == [pd.Timestamp(T6, unit="s", tz="UTC"), pd.Timestamp(T6 + 10, unit="s", tz="UTC")]
    # an integer squawk column lost its leading zeros: 42 is code 0042
    assert ds.points["squawk"].astype(str).tolist() == ["0042", "7700"]
    naive = pa.array([T6 * 10**6, (T6 + 10) * 10**6], pa.timestamp("us"))
    ds2 = read_one(sv_parquet(tmp_path / "n.parquet", time=naive))
    assert ds2.points["time"].iloc[1] == pd.Timestamp(T6 + 10, unit="s", tz="UTC")
    assert "time: Arrow timestamps without a zone taken as UTC" in ds2.manifest.loc[0, "notes"]


def test_parquet_pyopensky_names_and_bad_values(tmp_path: Path) -> None:
    table = pa.table({
        "timestamp": pa.array([T6, T6 + 10, T6 + 20], pa.timestamp("s", tz="UTC")),
        "icao24": ["600864", "600864", "ZZ1234"],
        "latitude": ["29.94", "north", "29.95"],
        "longitude": [34.94, 34.95, 34.96],
        "altitude": [33000.0, 33000.0, 33000.0],
        "groundspeed": [430.0, 430.0, 430.0],
    })
    pq.write_table(table, tmp_path / "h.parquet")
    ds = read_one(tmp_path / "h.parquet")
    assert "pyopensky/traffic" in ds.manifest.loc[0, "notes"]
    assert ds.points["alt_ft"].tolist() == [33000.0] and ds.points["gs_kt"].tolist() == [430.0]
    r = reasons(ds)
    # the framework adds "lat missing" to any NaN lat; the reader names the value found
    assert r == {1: "latitude 'north' is not a number; lat missing", 2: "icao24 'ZZ1234' is not 6 hex digits"}
    assert orjson.loads(ds.quarantine.set_index("src_row").loc[1, "raw"])["latitude"] == "north"


def test_parquet_with_other_columns(tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": [1], "b": [2]}), tmp_path / "o.parquet")
    assert read_one(tmp_path / "o.parquet").manifest.loc[0, "error"] == "Parquet file with unknown columns: a, b"
    forced = read_one(tmp_path / "o.parquet", format="opensky_parquet")
    assert forced.manifest.loc[0, "error"].startswith("no OpenSky header: expected columns time, icao24")
    pq.write_table(pa.table({"time": [T6], "icao24": ["600864"], "lon": [34.94]}), tmp_path / "nolat.parquet")
    assert read_one(tmp_path / "nolat.parquet", format="opensky_parquet").manifest.loc[0, "error"] == "OpenSky Parquet header lacks column(s): lat"
    assert opensky._match_parquet(["time", "icao24", "lat", "lon"]) and not opensky._match_parquet(["time", "icao", "lat"])


def _compare(read: pd.DataFrame, src: pd.DataFrame, *, speeds: bool = True) -> None:
    read = read.sort_values(["icao24", "time"]).reset_index(drop=True)
    src = src.sort_values(["icao24", "time"]).reset_index(drop=True)
    assert read["icao24"].astype(str).tolist() == src["icao24"].tolist()
    assert (read["time"].to_numpy() == src["time"].to_numpy()).all()
    np.testing.assert_allclose(read["lat"], src["lat"], atol=1e-6)
    np.testing.assert_allclose(read["lon"], src["lon"], atol=1e-6)
    np.testing.assert_allclose(read["alt_ft"], src["alt_ft"], atol=0.02)  # mm rounding of metres
    np.testing.assert_allclose(read["track_deg"], src["track_deg"], atol=1e-3)
    if speeds:
        np.testing.assert_allclose(read["gs_kt"], src["gs_kt"], atol=0.01)
        np.testing.assert_allclose(read["vrate_fpm"], src["vrate_fpm"], atol=0.02)
    assert read["on_ground"].tolist() == src["on_ground"].tolist()
    assert read["callsign"].astype(str).tolist() == src["callsign"].tolist()


def _two_aircraft() -> pd.DataFrame:
    a = sample_points(8)
    b = sample_points(5, icao24="4b1805", start=T6 + 3, squawk=["7700"] * 5, callsign=["<b>&x</b>"] * 5)
    b["on_ground"] = pd.array([pd.NA, False, False, True, False], dtype="boolean")
    return pd.concat([a, b], ignore_index=True)


@pytest.mark.parametrize("writer,name", [(write_state_vectors_csv, "sv.csv"), (write_state_vectors_parquet, "sv.parquet")])
def test_state_vector_writers_round_trip(tmp_path: Path, writer: Any, name: str) -> None:
    src = _two_aircraft()
    writer(src, tmp_path / name)
    ds = read_one(tmp_path / name)
    assert ds.manifest.loc[0, "format"] == ("opensky_csv" if name.endswith("csv") else "opensky_parquet")
    _compare(ds.points, src)
    p = ds.points.sort_values(["icao24", "time"]).reset_index(drop=True)
    s = src.sort_values(["icao24", "time"]).reset_index(drop=True)
    assert p["stale"].tolist() == s["stale"].tolist()
    assert p["squawk"].astype(str).tolist() == s["squawk"].tolist()


def test_csv_writer_writes_opensky_conventions(tmp_path: Path) -> None:
    write_state_vectors_csv(sample_points(2), tmp_path / "sv.csv")
    head, first, second = (tmp_path / "sv.csv").read_text().splitlines()
    assert [h.strip('"') for h in head.split(",")] == list(STATE_VECTOR_COLUMNS)
    f = first.split(",")
    assert f[0] == str(T6) and f[7] == '"AZQ6224 "' and f[11] == '"0042"' and f[17] == str(T6)
    assert f[8] == "true"  # on the ground
    # fresh point: lastposupdate = lastcontact = time
    assert f[14] == f[15] == str(T6)
    # the last sample point is stale: last position and contact 30 s before its time (T6 + 10 − 30)
    g = second.split(",")
    assert g[0] == str(T6 + 10) and g[14] == g[15] == str(T6 - 20)


def test_states_writer_round_trip(tmp_path: Path) -> None:
    snap = pd.concat([sample_points(1, stale=[False]), sample_points(1, icao24="4b1805", start=T6 - 20, stale=[True])], ignore_index=True)
    snap.loc[0, "position_source"] = "mlat"
    write_states_json(snap, tmp_path / "states.json", time=T6)
    doc = orjson.loads((tmp_path / "states.json").read_bytes())
    assert doc["time"] == T6 and len(doc["states"][0]) == 17
    assert doc["states"][0][5] == snap.loc[0, "lon"] and doc["states"][0][6] == snap.loc[0, "lat"]
    ds = read_one(tmp_path / "states.json")
    _compare(ds.points, snap)
    p = ds.points.set_index("icao24")
    assert p.loc["4b1805", "stale"] and not p.loc["600864", "stale"]
    assert p.loc["600864", "position_source"] == "mlat" and p.loc["4b1805", "position_source"] == "unknown"
    write_states_json(snap.iloc[:0], tmp_path / "empty.json", time=pd.Timestamp(T6, unit="s", tz="UTC"))
    assert orjson.loads((tmp_path / "empty.json").read_bytes()) == {"time": T6, "states": None}


def test_tracks_writer_round_trip(tmp_path: Path) -> None:
    src = sample_points(7)
    write_tracks_json(src, tmp_path / "track.json")
    doc = orjson.loads((tmp_path / "track.json").read_bytes())
    assert doc["startTime"] == T6 and doc["endTime"] == T6 + 60 and doc["callsign"] == "AZQ6224 "
    assert doc["path"][0][1] == src.loc[0, "lat"] and doc["path"][0][2] == src.loc[0, "lon"]
    _compare(read_one(tmp_path / "track.json").points, src, speeds=False)
    with pytest.raises(ValueError, match="one aircraft per file"):
        write_tracks_json(_two_aircraft(), tmp_path / "x.json")


def test_writers_are_byte_deterministic(tmp_path: Path) -> None:
    src = _two_aircraft()
    for k in ("a", "b"):
        d = tmp_path / k
        write_state_vectors_csv(src, d / "sv.csv")
        write_state_vectors_parquet(src, d / "sv.parquet")
        write_states_json(src.drop_duplicates("icao24"), d / "states.json", time=T6 + 100)
        write_tracks_json(src[src["icao24"] == "600864"], d / "track.json")
    for name in ("sv.csv", "sv.parquet", "states.json", "track.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


# ---------------------------------------------------------------------------
# fuzzing

_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_MUT = dict(
    positions=st.lists(st.integers(0, 100_000), max_size=8),
    values=st.lists(st.integers(0, 255), min_size=8, max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 100_000)),
)


def _valid_csv() -> bytes:
    lines = [sv_line(t=T6 + 10 * k, callsign="AZQ6224 " if k % 2 else '"A,Z"') for k in range(8)]
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def _valid_parquet() -> bytes:
    buf = io.BytesIO()
    pq.write_table(osw._state_vector_table(_two_aircraft()), buf)
    return buf.getvalue()


@_FUZZ
@given(**_MUT, gz=st.booleans(), fmt=st.sampled_from([None, "opensky_csv"]))
def test_fuzz_mutated_csv(tmp_path_factory: pytest.TempPathFactory, positions: list[int], values: list[int], cut: int | None, gz: bool, fmt: str | None) -> None:
    data = _valid_csv()
    if gz:
        data = gzip.compress(data, mtime=0)
    read_bytes_survives(mutate(data, positions, values, cut), tmp_path_factory.mktemp("fz"), "sv.csv", format=fmt)


@_FUZZ
@given(**_MUT, fmt=st.booleans())
def test_fuzz_mutated_parquet(tmp_path_factory: pytest.TempPathFactory, positions: list[int], values: list[int], cut: int | None, fmt: bool) -> None:
    read_bytes_survives(mutate(_valid_parquet(), positions, values, cut), tmp_path_factory.mktemp("fz"), "sv.parquet", format="opensky_parquet" if fmt else None)


@_FUZZ
@given(data=st.binary(max_size=400), fmt=st.sampled_from([None, "opensky_csv", "opensky_parquet", "opensky_states", "opensky_tracks"]))
def test_fuzz_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes, fmt: str | None) -> None:
    read_bytes_survives(data, tmp_path_factory.mktemp("fz"), "x.bin", format=fmt)


@_FUZZ
@given(
    header=st.lists(st.sampled_from([*STATE_VECTOR_COLUMNS, "timestamp", "latitude", "longitude", "altitude", "position_source", "x", ""]), min_size=1, max_size=12),
    rows=st.lists(st.lists(st.one_of(st.text(max_size=6), st.sampled_from(["1693548000", "29.94", "600864", "true", "NaN", ""])), max_size=14), max_size=10),
)
def test_fuzz_structured_csv(tmp_path_factory: pytest.TempPathFactory, header: list[str], rows: list[list[str]]) -> None:
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows)
    read_bytes_survives(text.encode("utf-8", errors="surrogatepass"), tmp_path_factory.mktemp("fz"), "s.csv", format="opensky_csv")


_JSON = st.one_of(st.none(), st.booleans(), st.integers(-(2**62), 2**62), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6), st.lists(st.integers(-(2**62), 2**62), max_size=2))


@_FUZZ
@given(states=st.one_of(st.none(), st.lists(st.one_of(st.lists(_JSON, min_size=0, max_size=19), _JSON), max_size=8)),
       path=st.one_of(st.none(), st.lists(st.one_of(st.lists(_JSON, max_size=7), _JSON), max_size=8)), icao=_JSON)
def test_fuzz_structured_json(tmp_path_factory: pytest.TempPathFactory, states: Any, path: Any, icao: Any) -> None:
    d = tmp_path_factory.mktemp("fz")
    read_bytes_survives(orjson.dumps({"time": T6, "states": states}), d / "s", "states.json")
    read_bytes_survives(orjson.dumps({"icao24": icao, "calllsign": icao, "path": path}), d / "t", "track.json")


def test_a_value_too_large_for_its_unit_change_quarantines_its_row_without_a_warning(tmp_path: Path) -> None:
    # 1e308 m is a valid JSON number, but in feet it overflows float64: the row is quarantined by the range checks (the
    # altitude, speed and climb rate named), the other row is kept, and numpy's overflow warning no longer reaches the user
    import warnings

    bad = ["4b1815", "SWR123 ", "Switzerland", T6, T6, 8.5, 47.4, 1e308, False, 1e308, 90.0, 1e308, None, 1e308, "1000", False, 0]
    good = ["4b1816", "SWR124 ", "Switzerland", T6, T6, 8.5, 47.4, 3000.0, False, 200.0, 90.0, 5.0, None, 3100.0, "1000", False, 0]
    path = tmp_path / "states.json"
    path.write_bytes(orjson.dumps({"time": T6, "states": [bad, good]}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would turn the whole file into an internal error
        ds = read_one(path)
    assert ds.points["icao24"].astype(str).tolist() == ["4b1816"]
    assert ds.points["alt_ft"].iloc[0] == pytest.approx(3000.0 / 0.3048, rel=1e-6)  # baro 3000 m
    (why,) = ds.quarantine["reason"].tolist()
    assert "alt_ft" in why and "gs_kt" in why and "vrate_fpm" in why


def test_a_csv_value_too_large_for_its_unit_change_quarantines_its_row_without_a_warning(tmp_path: Path) -> None:
    import warnings

    path = csv_file(tmp_path / "sv.csv", [sv_line(icao24="600864", baroaltitude="1e308", velocity="1e308"), sv_line(icao24="600865")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = read_one(path)
    assert ds.points["icao24"].astype(str).tolist() == ["600865"]
    (why,) = ds.quarantine["reason"].tolist()
    assert "alt_ft" in why and "gs_kt" in why


def test_a_bad_value_in_a_block_leaves_the_other_values_as_the_clean_block_reads_them(tmp_path: Path) -> None:
    # the same 400 rows, once clean and once with a bad time, a bad latitude and texts pandas reads but Arrow's cast does not
    # (spaces, an ISO time): every other row gets the same bits, and the odd ones what their text says
    times = [f"{T6 + i}.{(i * 7919) % 1000:03d}" for i in range(400)]
    lats = [f"{29.9 + i * 1.234567e-5:.9f}" for i in range(400)]
    clean = [sv_line(t=t, lat=la, lastposupdate=t, lastcontact=t) for t, la in zip(times, lats, strict=True)]
    dirty = list(clean)
    dirty[10] = sv_line(t="garbled", lat=lats[10])
    dirty[20] = sv_line(t=times[20], lat="north", lastposupdate=times[20], lastcontact=times[20])
    dirty[30] = sv_line(t=f" {times[30]} ", lat=f" {lats[30]}", lastposupdate=times[30], lastcontact=times[30])
    dirty[40] = sv_line(t="2023-09-01T06:00:40Z", lat=lats[40], lastposupdate="2023-09-01T06:00:40Z", lastcontact="2023-09-01T06:00:40Z")
    a = read_one(csv_file(tmp_path / "clean.csv", clean))
    b = read_one(csv_file(tmp_path / "dirty.csv", dirty))
    assert b.quarantine["src_row"].astype(int).tolist() == [10, 20]
    reasons = b.quarantine["reason"].tolist()
    assert "time is not a number" in reasons[0] and "lat 'north' is not a number" in reasons[1]
    pa_, pb = a.points.set_index("src_row"), b.points.set_index("src_row")
    same = [r for r in range(400) if r not in (10, 20, 40)]
    assert (pa_.loc[same, "time"].to_numpy() == pb.loc[same, "time"].to_numpy()).all()  # row 30 too: its spaces are not part of the number
    assert (pa_.loc[same, "lat"].to_numpy() == pb.loc[same, "lat"].to_numpy()).all()
    assert pb.loc[40, "time"] == pd.Timestamp("2023-09-01T06:00:40Z")
