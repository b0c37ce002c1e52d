"""FlightRadar24 CSV, KML and flight-playback JSON, field by field (formats.md §4)."""

from __future__ import annotations

import gzip
import io
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flighttrace.io._base import ReadContext
from flighttrace.io.fr24 import CSV_COLUMNS, hex_from_fr24_name, read_csv, read_kml
from flighttrace.sim.writers import write_fr24_csv, write_fr24_kml, write_fr24_playback
from tests.builders import points
from tests.io.fuzzutil import mutate, read_bytes_survives
from tests.io.readcheck import read_one, reasons

# 1693526400 s = 2023-09-01T00:00:00Z (19601 days × 86400 s); + 6 h (21600 s) = 1693548000 = 06:00:00Z
T0 = 1693548000
HEADER7 = ",".join(CSV_COLUMNS)
HEADER6 = "Timestamp,Callsign,Position,Altitude,Speed,Direction"
NO_HEX_CSV = "FR24 CSV has no ICAO address: put hex<ICAO hex> in the file name or pass icao24=<hex> (--icao24 on the command line)"
NO_HEX_KML = "FR24 KML has no ICAO address: put hex<ICAO hex> in the file name or pass icao24=<hex> (--icao24 on the command line)"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# ---------------------------------------------------------------------------
# CSV


def csv_text(rows: list[str], header: str = HEADER7) -> str:
    return header + "\n" + "\n".join(rows) + "\n"


GOOD_CSV = csv_text(
    [
        # on the ground: altitude 0 at 12 kt
        f'{T0},2023-09-01T06:00:00Z,AZQ6224,"29.9403,34.9358",0,12,160',
        # airborne: FL330 at 431 kt, track 123°
        f'{T0 + 60},2023-09-01T06:01:00Z,AZQ6224,"29.9500,34.9400",33000,431,123',
        # altitude 0 at 150 kt: neither ground nor a real altitude
        f'{T0 + 120},2023-09-01T06:02:00Z,AZQ6224,"29.9600,34.9500",0,150,124',
        # FR24 pressure altitude can be negative (below 1013 hPa level)
        f'{T0 + 180},2023-09-01T06:03:00Z,AZQ6224,"-29.5,-34.25",-25,95,90',
    ]
)


def test_csv_fields_and_units(tmp_path: Path) -> None:
    path = write(tmp_path / "AZQ6224_hex600864_2023-09-01.csv", GOOD_CSV)
    ds = read_one(path)
    p = ds.points
    m = ds.manifest.iloc[0]
    assert m["format"] == "fr24_csv" and m["rows_read"] == 4 and m["rows_kept"] == 4 and m["error"] == ""
    assert p["icao24"].astype(str).tolist() == ["600864"] * 4
    # Timestamp 1693548000 + 0/60/120/180 s
    assert p["time"].tolist() == [pd.Timestamp(f"2023-09-01T06:0{i}:00Z") for i in range(4)]
    # Position "29.9403,34.9358" → lat 29.9403, lon 34.9358 (latitude first, not swapped)
    assert p["lat"].tolist() == [29.9403, 29.95, 29.96, -29.5]
    assert p["lon"].tolist() == [34.9358, 34.94, 34.95, -34.25]
    # altitude 0 at 12 kt → on the ground, no altitude; 0 at 150 kt → altitude unknown, ground not said
    assert np.isnan(p["alt_ft"].iloc[0]) and p["alt_ft"].iloc[1] == 33000 and np.isnan(p["alt_ft"].iloc[2])
    assert p["alt_ft"].iloc[3] == -25
    assert p["on_ground"].tolist() == [True, False, pd.NA, False]
    assert p["gs_kt"].tolist() == [12, 431, 150, 95]
    assert p["track_deg"].tolist() == [160, 123, 124, 90]
    assert p["vrate_fpm"].isna().all()  # FR24 CSV has no vertical rate
    assert p["callsign"].astype(str).tolist() == ["AZQ6224"] * 4
    assert p["squawk"].isna().all() and p["registration"].isna().all() and p["typecode"].isna().all()
    assert p["position_source"].astype(str).tolist() == ["unknown"] * 4
    assert p["source"].astype(str).tolist() == ["fr24_csv"] * 4
    # src_row = line number, header = line 0
    assert p["src_row"].tolist() == [1, 2, 3, 4]
    assert "icao24 600864 taken from the file name (FR24 CSV carries no ICAO address)" in m["notes"]
    assert "1 record(s) with altitude 0 at more than 100 kt or an unknown speed" in m["notes"]


def test_csv_old_six_columns_hex_from_selection(tmp_path: Path) -> None:
    text = csv_text([f'{T0},FDB981,"25.2619,55.362",0,10,209', f'{T0 + 91},FDB981,"25.2615,55.3615",2500,180,234'], HEADER6)
    ds = read_one(write(tmp_path / "FZ981.csv", text), icao24="896180")
    p = ds.points
    assert ds.manifest.loc[0, "format"] == "fr24_csv"
    assert p["icao24"].astype(str).tolist() == ["896180", "896180"]
    # 1693548000 + 91 s = 06:01:31Z
    assert p["time"].tolist() == [pd.Timestamp("2023-09-01T06:00:00Z"), pd.Timestamp("2023-09-01T06:01:31Z")]
    assert p["lat"].tolist() == [25.2619, 25.2615] and p["lon"].tolist() == [55.362, 55.3615]
    assert p["on_ground"].tolist() == [True, False] and p["alt_ft"].iloc[1] == 2500
    assert p["gs_kt"].tolist() == [10, 180] and p["track_deg"].tolist() == [209, 234]
    assert "icao24 896180 taken from the icao24= selection (FR24 CSV carries no ICAO address)" in ds.manifest.loc[0, "notes"]


def test_csv_timestamp_is_authoritative_utc_used_only_without_it(tmp_path: Path) -> None:
    text = csv_text(
        [
            # UTC says 07:00 but Timestamp says 06:00: Timestamp wins
            f'{T0},2023-09-01T07:00:00Z,AZQ6224,"40.1,50.1",1000,200,10',
            # no Timestamp: UTC used
            ',2023-09-01T06:05:00Z,AZQ6224,"40.2,50.2",2000,210,11',
        ]
    )
    ds = read_one(write(tmp_path / "hex600864.csv", text))
    assert ds.points["time"].tolist() == [pd.Timestamp("2023-09-01T06:00:00Z"), pd.Timestamp("2023-09-01T06:05:00Z")]
    notes = ds.manifest.loc[0, "notes"]
    assert "1 record(s) without Timestamp: time taken from UTC" in notes
    assert "1 record(s) where UTC differs from Timestamp by more than 1 s: Timestamp used" in notes


def test_csv_crlf_bom_and_blank_lines_keep_line_numbers(tmp_path: Path) -> None:
    text = "\ufeff" + HEADER7 + "\r\n\r\n" + f'{T0},2023-09-01T06:00:00Z,AZQ6224,"40.1,50.1",1000,200,10\r\n' + "   \r\n"
    text += f'{T0 + 1},2023-09-01T06:00:01Z,AZQ6224,"40.2,50.2",1100,201,11\r\n'
    ds = read_one(write(tmp_path / "icao600864.csv", text))
    # lines: 0 header, 1 blank, 2 record, 3 spaces only, 4 record
    assert ds.points["src_row"].tolist() == [2, 4]
    assert ds.manifest.loc[0, "rows_read"] == 2 and len(ds.quarantine) == 0


def test_csv_streams_in_blocks_and_keeps_line_numbers() -> None:
    # ~4,000 lines × ~66 bytes ≈ 260 KiB: several 64 KiB blocks at chunk_rows=1;
    # every 7th line blank (CRLF), every 500th a repeated header
    lines = [HEADER7]
    expected: list[tuple[int, int]] = []  # (line, Timestamp)
    for i in range(4000):
        if i % 7 == 3:
            lines.append("")
        elif i % 500 == 499:
            lines.append(HEADER7)
        else:
            expected.append((len(lines), T0 + i))
            lines.append(f'{T0 + i},2023-09-01T06:00:00Z,AZQ6224,"40.{i:04d},50.1",{1000 + i},200,10')
    data = ("\r\n".join(lines) + "\r\n").encode()
    ctx = ReadContext(src_file="hex600864.csv", chunk_rows=1)
    chunks = list(read_csv(io.BytesIO(data), ctx))
    assert len(chunks) >= 4
    rows = np.concatenate([c.src_row for c in chunks])
    times = np.concatenate([c.columns["time"] for c in chunks])
    assert rows.tolist() == [r for r, _ in expected] and times.tolist() == [float(t) for _, t in expected]
    q = [entry for c in chunks for entry in c.quarantine]
    assert sorted(r for r, _, _ in q) == [k for k, line in enumerate(lines) if k and line == HEADER7]
    assert {reason for _, reason, _ in q} == {"the header line again (were several exports joined?)"}
    for c in chunks:  # raw text of a kept row is its own line
        if len(c):
            assert c.raw is not None and c.raw(np.array([0]))[0] == lines[int(c.src_row[0])]


def test_kml_chunks_follow_chunk_rows() -> None:
    ctx = ReadContext(src_file="hex600864.kml", chunk_rows=2)
    chunks = list(read_kml(io.BytesIO(kml_doc(GOOD_ROUTE).encode()), ctx))
    assert [c.src_row.tolist() for c in chunks] == [[0, 1], [2]]
    assert all(set(c.columns["callsign"]) == {"AHY6224"} for c in chunks)


def test_csv_gzip_is_read(tmp_path: Path) -> None:
    ds = read_one(write(tmp_path / "hex600864.csv.gz", gzip.compress(GOOD_CSV.encode(), mtime=0)))
    assert ds.manifest.loc[0, "compression"] == "gzip" and ds.manifest.loc[0, "rows_kept"] == 4


def test_csv_without_address_quarantines_every_record(tmp_path: Path) -> None:
    ds = read_one(write(tmp_path / "AZQ6224_230901.csv", GOOD_CSV))
    m = ds.manifest.iloc[0]
    assert m["rows_read"] == 4 and m["rows_kept"] == 0 and m["rows_quarantined"] == 4 and m["error"] == ""
    assert reasons(ds) == {1: NO_HEX_CSV, 2: NO_HEX_CSV, 3: NO_HEX_CSV, 4: NO_HEX_CSV}
    assert ds.quarantine.set_index("src_row").loc[1, "raw"] == f'{T0},2023-09-01T06:00:00Z,AZQ6224,"29.9403,34.9358",0,12,160'


def test_csv_with_a_multi_hex_selection_and_no_name_token_is_quarantined(tmp_path: Path) -> None:
    ds = read_one(write(tmp_path / "flight.csv", GOOD_CSV), icao24=["600864", "600881"])
    assert ds.manifest.loc[0, "rows_quarantined"] == 4 and set(reasons(ds).values()) == {NO_HEX_CSV}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AZQ6224_hex600864_2023-09-01.csv", "600864"),
        ("icao24-600864.kml", "600864"),
        ("icao_60086A.csv", "60086a"),
        ("flights/ICAO24600881.csv", "600881"),
        ("dir/HEX-4ca7b2_x.kml", "4ca7b2"),
        ("a.tar!member/hex600864.csv", "600864"),
        ("AZQ6224_230901.csv", None),  # a bare 6-character token (a date) is never taken
        ("600864.csv", None),
        ("hex6008641.csv", None),  # seven hex digits: not an address
        ("hex600864/flight.csv", None),  # only the file name, not the folders
        ("FlightRadar24_FZ981-922b3bd.kml", None),  # FR24's flight id is not an ICAO address
    ],
)
def test_hex_from_file_name(name: str, expected: str | None) -> None:
    assert hex_from_fr24_name(name) == expected


def test_file_name_hex_wins_over_a_different_one_hex_selection(tmp_path: Path) -> None:
    ds = read_one(write(tmp_path / "hex600881.csv", GOOD_CSV), icao24="600864")
    m = ds.manifest.iloc[0]
    # the file is another aircraft's: filtered out by the selection, never relabelled as 600864
    assert m["rows_filtered"] == 4 and m["rows_kept"] == 0 and len(ds.points) == 0
    assert "icao24 600881 taken from the file name, not from the icao24= selection 600864" in m["notes"]


def test_csv_bad_records_have_precise_reasons(tmp_path: Path) -> None:
    rows = [
        f'{T0},2023-09-01T06:00:00Z,AZQ6224,"40.1,50.1",1000,200,10',  # 1 good
        f'{T0 + 1},2023-09-01T06:00:01Z,AZQ6224,"40.1 50.1",1000,200,10',  # 2 no comma in Position
        f'{T0 + 2},2023-09-01T06:00:02Z,AZQ6224,"40.1,50.1",high,200,10',  # 3 altitude not a number
        f'{T0 + 3},2023-09-01T06:00:03Z,AZQ6224,"nan,nan",1000,200,10',  # 4 NaN position
        "473385600,1985-01-01T00:00:00Z,AZQ6224,\"40.1,50.1\",1000,200,10",  # 5 1985-01-01 (15×365+4 days)
        "4102444800,2100-01-01T00:00:00Z,AZQ6224,\"40.1,50.1\",1000,200,10",  # 6 2100-01-01: future
        f'{T0 + 6},2023-09-01T06:00:06Z,AZQ6224,40.1,50.1,1000,200,10',  # 7 Position not quoted: 8 fields
        'soon,2023-09-01T06:00:07Z,AZQ6224,"40.1,50.1",1000,200,10',  # 8 Timestamp not a number
        f'{T0}000,2023-09-01T06:00:00Z,AZQ6224,"40.1,50.1",1000,200,10',  # 9 milliseconds
        f'{T0 + 9},2023-09-01T06:00:09Z,AZQ6224,"north,50.1",1000,fast,10',  # 10 latitude + speed
        f'{T0 + 10},2023-09-01T06:00:10Z,AZQ6224,"40.1,50.1,3",1000,200,10',  # 11 three numbers
        f'{T0 + 11},2023-09-01T06:00:11Z,AZQ6224,"40.1,50.1,1000,200,10',  # 12 unbalanced quote
        f'{T0 + 12},2023-09-01T06:00:12Z,AZQ6224,"95.0,50.1",1000,200,10',  # 13 latitude out of range
        f'{T0 + 13},2023-09-01T06:00:13Z,AZQ6224,"40.1,50.1",1000,200,east',  # 14 direction not a number
    ]
    ds = read_one(write(tmp_path / "hex600864.csv", csv_text(rows)))
    r = reasons(ds)
    assert ds.points["src_row"].tolist() == [1]
    assert r[2] == 'Position is not "lat,lon"'
    assert r[3] == "Altitude is not a number"
    assert r[4] == "lat missing; lon missing"
    assert r[5] == "1985-01-01T00:00:00Z is before 1990-01-01 (time)"
    assert r[6] == "2100-01-01T00:00:00Z is in the future (time)"
    assert r[7] == 'expected 7 fields, found 8 (is Position "lat,lon" quoted?)'
    assert r[8] == "Timestamp is not a number"
    assert r[9] == "Timestamp is outside the years 1678–2261 (milliseconds instead of seconds?)"
    assert r[10] == "Position latitude is not a number"  # time/position failures are rejected first
    assert r[11] == 'Position is not "lat,lon"'
    assert r[12] == 'unbalanced double quote (Position must be one quoted "lat,lon" field)'
    assert r[13] == "lat 95.0 outside [-90, 90] deg"
    assert r[14] == "Direction is not a number"
    m = ds.manifest.iloc[0]
    assert m["rows_read"] == 14 and m["rows_kept"] == 1 and m["rows_quarantined"] == 13
    assert ds.quarantine.set_index("src_row").loc[3, "raw"] == rows[2]


def test_csv_quote_inside_a_field_does_not_swallow_the_next_line(tmp_path: Path) -> None:
    # two quotes (balanced), but the second opens a quoted field that a CSV parser
    # would carry into the next line: each line must still be its own record
    rows = [
        f'{T0},2023-09-01T06:00:00Z,AZQ6224,"40.1,50.1",1000,200,10',
        f'{T0 + 1},2023-09-01T06:00:01Z,A"Q,"40.1,50.1,1000,200,10',
        f'{T0 + 2},2023-09-01T06:00:02Z,AZQ6224,"40.2,50.2",1000,200,10',
    ]
    ds = read_one(write(tmp_path / "hex600864.csv", csv_text(rows)))
    assert ds.points["src_row"].tolist() == [1, 3] and ds.points["lat"].tolist() == [40.1, 40.2]
    assert reasons(ds) == {2: "expected 7 fields, found 4"}


def test_csv_wrong_header_fails_the_file(tmp_path: Path) -> None:
    text = "Timestamp,UTC,Callsign,Latitude,Longitude,Altitude\n1,2,3,4,5,6\n"
    ds = read_one(write(tmp_path / "hex600864.csv", text), format="fr24_csv")
    err = ds.manifest.loc[0, "error"]
    assert err == (
        "FR24 CSV header must be 'Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction' (or the older one without UTC); "
        "found 'Timestamp,UTC,Callsign,Latitude,Longitude,Altitude'"
    )
    assert len(ds.points) == 0 and ds.quarantine["src_row"].isna().all() and ds.quarantine.loc[0, "reason"] == err


def test_csv_header_only_reads_nothing(tmp_path: Path) -> None:
    ds = read_one(write(tmp_path / "hex600864.csv", HEADER7 + "\n"))
    m = ds.manifest.iloc[0]
    assert m["format"] == "fr24_csv" and m["rows_read"] == 0 and m["error"] == ""


def test_empty_file_fails_cleanly(tmp_path: Path) -> None:
    ds = read_one(write(tmp_path / "hex600864.csv", b""), format="fr24_csv")
    assert ds.manifest.loc[0, "error"] == "the file is empty" and len(ds.points) == 0


def test_truncated_gzip_fails_cleanly(tmp_path: Path) -> None:
    rows = [f'{T0 + i},2023-09-01T06:00:00Z,AZQ6224,"40.{i:05d},50.1",{1000 + i},200,10' for i in range(3000)]
    packed = gzip.compress(csv_text(rows).encode(), mtime=0)
    ds = read_one(write(tmp_path / "hex600864.csv.gz", packed[: len(packed) // 2]))
    m = ds.manifest.iloc[0]
    assert m["error"].startswith("compressed stream is truncated")
    assert m["rows_read"] == m["rows_kept"]  # whatever was read before the cut is kept and counted


def test_csv_hostile_strings_are_plain_data(tmp_path: Path) -> None:
    rows = [f'{T0},2023-09-01T06:00:00Z,<script>alert(1)</script>,"40.1,50.1",1000,200,10']
    ds = read_one(write(tmp_path / "hex600864.csv", csv_text(rows)))
    assert ds.points["callsign"].astype(str).tolist() == ["<script>alert(1)</script>"]


# ---------------------------------------------------------------------------
# KML

CARD = (
    '<div style="width:220px; text-align:center;"><div><span><a href="https://www.flightradar24.com/flight/j28224">J28224</a>'
    "</span> / AHY6224<br/>Silk Way</div>\n<table>\n<tr><td colspan=\"2\">\n"
    'Aircraft<span style="float: right; font-size: 12px;">(IL76)</span><br>\n'
    '<span style="color: #333;">Ilyushin Il-76TD</span>\n</td></tr>\n<tr><td colspan="2">\nRegistration<br>\n'
    '<span style="color: #333;"><a href="https://www.flightradar24.com/reg/4k-az100">4K-AZ100</a></span>\n</td></tr>\n</table></div>'
)


def placemark(when: str | None, coords: str | None, alt_ft: str = "0", speed: str = "0", heading: str = "0") -> str:
    parts = [f"<Placemark><name>{when} UTC</name>"]
    parts.append(
        "<description><![CDATA[<div><div><span><b>Altitude:</b></span> <span>"
        f"{alt_ft} ft</span></div>\n<div><span><b>Speed:</b></span> <span>{speed} kt</span></div>\n"
        f"<div><span><b>Heading:</b></span> <span>{heading}&deg;</span></div>\n</div>]]></description>"
    )
    if when is not None:
        parts.append(f"<TimeStamp><when>{when}</when></TimeStamp>")
    parts.append(f"<Style><IconStyle><heading>{heading}</heading></IconStyle></Style>")
    if coords is not None:
        parts.append(f"<Point><altitudeMode>absolute</altitudeMode><coordinates>{coords}</coordinates></Point>")
    return "".join(parts) + "</Placemark>\n"


def trail(n: int) -> str:
    return "".join(
        "<Placemark><Style><LineStyle><color>ffffffff</color><width>2</width></LineStyle></Style>"
        "<MultiGeometry><LineString><tessellate>1</tessellate><altitudeMode>clampToGround</altitudeMode>"
        f"<coordinates>55.362,25.2619,0 55.3615,25.2615,0</coordinates></LineString></MultiGeometry><name>P-{i}</name>"
        "<description><![CDATA[<div><span><b>Speed:</b></span> <span>10 kt - 0 kt</span></div>]]></description></Placemark>\n"
        for i in range(1, n + 1)
    )


def kml_doc(route: str, *, name: str = "J28224/AHY6224", card: str = CARD, trail_n: int = 3) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>\n'
        f"<name>{name}</name>\n<description><![CDATA[{card}]]></description>\n"
        f"<Folder>\n<name>Route</name>\n{route}</Folder>\n"
        f"<Folder>\n<name>Trail</name>\n{trail(trail_n)}</Folder>\n</Document>\n</kml>\n"
    )


GOOD_ROUTE = (
    # ground at Dubai: 0 m, 10 kt, heading 209
    placemark("2016-03-18T18:20:47+00:00", "55.362,25.2619,0", "0", "10", "209")
    # cruise: 10058.4 m = 33,000 ft exactly (33000 × 0.3048), 431 kt, heading 123
    + placemark("2016-03-18T19:20:47+00:00", "50.5,35.25,10058.4", "33000", "431", "123")
    # climbing: 3048 m = 10,000 ft
    + placemark("2016-03-18T18:40:00Z", "54.9,26.1,3048", "10000", "280", "301")
)


def test_kml_fields_and_units(tmp_path: Path) -> None:
    ds = read_one(write(tmp_path / "icao24-600864.kml", kml_doc(GOOD_ROUTE)))
    m = ds.manifest.iloc[0]
    assert m["format"] == "fr24_kml" and m["error"] == ""
    # 3 Route placemarks are points; the 3 Trail placemarks are ignored
    assert m["rows_read"] == 3 and m["rows_kept"] == 3
    p = ds.points.sort_values("src_row").reset_index(drop=True)
    assert p["src_row"].tolist() == [0, 1, 2]
    assert p["time"].tolist() == [
        pd.Timestamp("2016-03-18T18:20:47Z"),
        pd.Timestamp("2016-03-18T19:20:47Z"),
        pd.Timestamp("2016-03-18T18:40:00Z"),
    ]
    # coordinates are lon,lat,alt: lat 25.2619, lon 55.362
    assert p["lat"].tolist() == [25.2619, 35.25, 26.1] and p["lon"].tolist() == [55.362, 50.5, 54.9]
    assert np.isnan(p["alt_ft"].iloc[0])
    assert p["alt_ft"].iloc[1] == pytest.approx(33000.0, abs=0.01) and p["alt_ft"].iloc[2] == pytest.approx(10000.0, abs=0.01)
    assert p["on_ground"].tolist() == [True, False, False]
    assert p["gs_kt"].tolist() == [10, 431, 280] and p["track_deg"].tolist() == [209, 123, 301]
    assert p["vrate_fpm"].isna().all()
    # Document name "J28224/AHY6224": callsign is the ICAO callsign after the slash
    assert p["callsign"].astype(str).tolist() == ["AHY6224"] * 3
    assert p["registration"].astype(str).tolist() == ["4K-AZ100"] * 3
    assert p["typecode"].astype(str).tolist() == ["IL76"] * 3
    assert p["icao24"].astype(str).tolist() == ["600864"] * 3
    assert "icao24 600864 taken from the file name (FR24 KML carries no ICAO address)" in m["notes"]


def test_kml_hex_from_selection_and_name_without_slash(tmp_path: Path) -> None:
    ds = read_one(write(tmp_path / "FlightRadar24_FZ981-922b3bd.kml", kml_doc(GOOD_ROUTE, name="FZ981", card="")), icao24="896180")
    p = ds.points
    assert p["icao24"].astype(str).tolist() == ["896180"] * 3
    assert p["callsign"].isna().all() and p["registration"].isna().all() and p["typecode"].isna().all()
    notes = ds.manifest.loc[0, "notes"]
    assert "Document name 'FZ981' has no '/<callsign>': callsign not set" in notes
    assert "icao24 896180 taken from the icao24= selection (FR24 KML carries no ICAO address)" in notes


def test_kml_without_address_quarantines_every_placemark(tmp_path: Path) -> None:
    ds = read_one(write(tmp_path / "FlightRadar24_FZ981-922b3bd.kml", kml_doc(GOOD_ROUTE)))
    m = ds.manifest.iloc[0]
    assert m["rows_read"] == 3 and m["rows_quarantined"] == 3 and m["rows_kept"] == 0
    assert reasons(ds) == {0: NO_HEX_KML, 1: NO_HEX_KML, 2: NO_HEX_KML}
    raw = orjson.loads(ds.quarantine.set_index("src_row").loc[1, "raw"])
    assert raw["when"] == "2016-03-18T19:20:47+00:00" and raw["coordinates"] == "50.5,35.25,10058.4"


def test_kml_malformed_placemarks_are_quarantined(tmp_path: Path) -> None:
    route = (
        placemark("2016-03-18T18:20:47+00:00", "55.362,25.2619,0", "0", "10", "209")  # 0 good
        + placemark("2016-03-18T18:21:00+00:00", None)  # 1 no coordinates
        + placemark("yesterday", "55.362,25.2619,0")  # 2 bad time
        + placemark(None, "55.362,25.2619,0")  # 3 no TimeStamp
        + placemark("2016-03-18T18:22:00+00:00", "east,25.2619,0")  # 4 longitude not a number
        + placemark("2016-03-18T18:23:00+00:00", "55.362")  # 5 one value
        + placemark("2016-03-18T18:24:00+00:00", "55.362,25.2619,high", speed="200")  # 6 altitude not a number
        + placemark("1985-01-01T00:00:00Z", "55.362,25.2619,100", speed="200")  # 7 before 1990
        + placemark("2016-03-18T18:25:00", "55.362,25.2619,100", speed="200")  # 8 naive time: UTC, noted
        + placemark("0001-01-01T00:00:00Z", "55.362,25.2619,100", speed="200")  # 9 year 1
    )
    ds = read_one(write(tmp_path / "hex600864.kml", kml_doc(route)))
    r = reasons(ds)
    assert sorted(ds.points["src_row"].tolist()) == [0, 8]
    assert r[1] == "Placemark has no Point/coordinates"
    assert r[2] == "TimeStamp/when is not an ISO 8601 date-time"
    assert r[3] == "Placemark has no TimeStamp/when"
    assert r[4] == "Point/coordinates longitude is not a number"
    assert r[5] == 'Point/coordinates is not "lon,lat,alt"'
    assert r[6] == "Point/coordinates altitude is not a number"
    assert r[7] == "1985-01-01T00:00:00Z is before 1990-01-01 (time)"
    assert ds.points.set_index("src_row").loc[8, "time"] == pd.Timestamp("2016-03-18T18:25:00Z")
    assert r[9] == "TimeStamp/when is outside the years 1678–2261"
    assert "1 TimeStamp/when value(s) without a time zone taken as UTC" in ds.manifest.loc[0, "notes"]
    assert ds.manifest.loc[0, "rows_read"] == 10


def test_kml_malformed_xml_fails_after_keeping_what_was_parsed(tmp_path: Path) -> None:
    text = kml_doc(GOOD_ROUTE)
    cut = text.index("<Placemark>", text.index("<Placemark>", text.index("<name>Route</name>")) + 1)
    cut = text.index("<Placemark>", cut + 1) + 40  # inside the third Route placemark
    ds = read_one(write(tmp_path / "hex600864.kml", text[:cut]))
    m = ds.manifest.iloc[0]
    assert m["error"].startswith("KML is not well-formed XML (no element found")
    assert m["error"].endswith("; the 2 record(s) before the failure were kept")
    assert m["rows_kept"] == 2 and sorted(ds.points["src_row"]) == [0, 1]


def test_kml_unknown_encoding_fails_cleanly(tmp_path: Path) -> None:
    text = kml_doc(GOOD_ROUTE).replace('encoding="UTF-8"', 'encoding="UTF-0"')
    ds = read_one(write(tmp_path / "hex600864.kml", text))
    assert ds.manifest.loc[0, "error"] == "KML declares an unknown character encoding (unknown encoding: UTF-0)"


def test_kml_without_route_folder_is_not_fr24(tmp_path: Path) -> None:
    text = '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>x</name><Placemark/></Document></kml>'
    ds = read_one(write(tmp_path / "hex600864.kml", text))
    assert ds.manifest.loc[0, "error"] == "KML without a Folder named 'Route': not a FlightRadar24 KML export"


def test_kml_cdata_markup_is_plain_data(tmp_path: Path) -> None:
    hostile = (
        "<Placemark><name>x</name><description><![CDATA[<script>alert(1)</script></description></Placemark>"
        "<Placemark><TimeStamp><when>2099-01-01T00:00:00Z</when></TimeStamp>]]></description>"
        "<TimeStamp><when>2016-03-18T18:20:47Z</when></TimeStamp><Point><coordinates>55.362,25.2619,3048</coordinates></Point></Placemark>\n"
    )
    text = kml_doc(hostile, name="J2/&lt;script&gt;alert(1)&lt;/script&gt;", card="<script>alert('card')</script>")
    ds = read_one(write(tmp_path / "hex600864.kml", text))
    p = ds.points
    # one placemark: the CDATA text is not parsed as elements
    assert len(p) == 1 and len(ds.quarantine) == 0
    assert p["time"].iloc[0] == pd.Timestamp("2016-03-18T18:20:47Z")
    assert np.isnan(p["gs_kt"].iloc[0]) and np.isnan(p["track_deg"].iloc[0])
    # the callsign is the text after the first slash, kept verbatim
    assert p["callsign"].astype(str).tolist() == ["<script>alert(1)</script>"]
    assert p["registration"].isna().all() and p["typecode"].isna().all()


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE kml [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + ']>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&lol9;</name>'
    "<Folder><name>Route</name></Folder></Document></kml>\n"
)


@pytest.mark.parametrize("prefix", ["", "<!-- <kml> -->\n", "<?note <kml> ?>\n"])
@pytest.mark.parametrize("fmt", [None, "fr24_kml"])
def test_kml_entity_expansion_is_refused(tmp_path: Path, prefix: str, fmt: str | None) -> None:
    text = BILLION_LAUGHS if not prefix else BILLION_LAUGHS.replace("\n", "\n" + prefix, 1)
    start = time.perf_counter()
    ds = read_one(write(tmp_path / "hex600864.kml", text), format=fmt)
    assert time.perf_counter() - start < 5.0
    assert ds.manifest.loc[0, "error"] == (
        "KML with a document type declaration (<!DOCTYPE …>) refused: FR24 never writes one, "
        "and its entity declarations can expand without bound"
    )
    assert len(ds.points) == 0 and ds.manifest.loc[0, "rows_read"] == 0


# ---------------------------------------------------------------------------
# flight-playback JSON


def track_point(ts: Any, lat: Any, lon: Any, feet: Any, kts: Any, fpm: Any, heading: Any, squawk: Any) -> dict[str, Any]:
    return {
        "latitude": lat,
        "longitude": lon,
        "altitude": {"feet": feet, "meters": None if not isinstance(feet, int) else round(feet * 0.3048)},
        "speed": {"kts": kts, "kmh": None, "mph": None},
        "verticalSpeed": {"fpm": fpm, "ms": None},
        "heading": heading,
        "squawk": squawk,
        "timestamp": ts,
        "ems": None,
    }


def playback(track: list[Any], *, modes: str | None = "60086A") -> dict[str, Any]:
    ident: dict[str, Any] = {"registration": "4K-AZ100", "serialNo": None}
    if modes is not None:
        ident["modes"] = modes
    return {
        "result": {
            "request": {"flightId": "322a1b2c", "format": "json"},
            "response": {
                "timestamp": T0,
                "data": {
                    "flight": {
                        "identification": {"id": "322a1b2c", "number": {"default": "J28224"}, "callsign": "AHY6224"},
                        "aircraft": {"model": {"code": "IL76", "text": "Ilyushin Il-76TD"}, "identification": ident},
                        "track": track,
                    }
                },
            },
        },
        "_api": {"copyright": "Copyright (c) 2014-2023 Flightradar24 AB. All rights reserved.", "legalNotice": "x"},
    }


def test_playback_fields_and_units(tmp_path: Path) -> None:
    doc = playback(
        [
            track_point(T0, 40.4675, 50.0467, 0, 12, 0, 160, "0"),  # ground, squawk unknown
            track_point(T0 + 30, 40.48, 50.03, 2500, 180, 1984, 341, "1000"),
            track_point(T0 + 60, 40.50, 50.01, 0, 210, 0, 342, "1000"),  # 0 ft at 210 kt: unknown
        ]
    )
    ds = read_one(write(tmp_path / "flight-playback.json", orjson.dumps(doc)))
    p = ds.points
    m = ds.manifest.iloc[0]
    assert m["format"] == "fr24_json" and m["rows_kept"] == 3
    assert p["icao24"].astype(str).tolist() == ["60086a"] * 3  # modes "60086A" lowercased
    assert p["time"].tolist() == [pd.Timestamp("2023-09-01T06:00:00Z"), pd.Timestamp("2023-09-01T06:00:30Z"), pd.Timestamp("2023-09-01T06:01:00Z")]
    assert p["lat"].tolist() == [40.4675, 40.48, 40.5] and p["lon"].tolist() == [50.0467, 50.03, 50.01]
    assert np.isnan(p["alt_ft"].iloc[0]) and p["alt_ft"].iloc[1] == 2500 and np.isnan(p["alt_ft"].iloc[2])
    assert p["on_ground"].tolist() == [True, False, pd.NA]
    assert p["gs_kt"].tolist() == [12, 180, 210]
    assert p["vrate_fpm"].tolist() == [0, 1984, 0]
    assert p["track_deg"].tolist() == [160, 341, 342]  # "heading" is the ground track
    assert pd.isna(p["squawk"].iloc[0]) and p["squawk"].iloc[1:].astype(str).tolist() == ["1000", "1000"]
    assert set(p["callsign"].astype(str)) == {"AHY6224"}
    assert set(p["registration"].astype(str)) == {"4K-AZ100"} and set(p["typecode"].astype(str)) == {"IL76"}
    assert p["src_row"].tolist() == [0, 1, 2]
    assert "the document states: Copyright (c) 2014-2023 Flightradar24 AB. All rights reserved." in m["notes"]


def test_playback_bad_points(tmp_path: Path) -> None:
    doc = playback(
        [
            track_point(T0, 40.4675, 50.0467, 1000, 150, 0, 160, "1000"),  # 0 good
            "not a point",  # 1
            track_point(T0 + 2, "north", 50.0, 1000, 150, 0, 160, "1000"),  # 2
            track_point(T0 + 3, 40.0, 50.0, "high", 150, 0, 160, "1000"),  # 3
            track_point("soon", 40.0, 50.0, 1000, 150, 0, 160, "1000"),  # 4
            track_point(T0 + 5, None, None, 1000, 150, 0, 160, "1000"),  # 5
            track_point(T0 + 6, 40.0, 50.0, 1000, 150, 0, True, "1000"),  # 6
            track_point(T0 * 1000, 40.0, 50.0, 1000, 150, 0, 160, "1000"),  # 7 milliseconds
            track_point(T0 + 8, [40.0, 1.0], 50.0, 1000, 150, 0, 160, "1000"),  # 8 an array
        ]
    )
    ds = read_one(write(tmp_path / "p.json", orjson.dumps(doc)))
    r = reasons(ds)
    assert ds.points["src_row"].tolist() == [0]
    assert r[1] == "track point is not an object"
    assert r[2] == "latitude is not a number"
    assert r[3] == "altitude.feet is not a number"
    assert r[4] == "timestamp is not a number"
    assert r[5] == "lat missing; lon missing"
    assert r[6] == "heading is not a number"
    assert r[7] == "timestamp is outside the years 1678–2261 (milliseconds instead of seconds?)"
    assert r[8] == "latitude is not a number"
    assert ds.quarantine.set_index("src_row").loc[1, "raw"] == '"not a point"'


def test_playback_without_modes_takes_the_file_name(tmp_path: Path) -> None:
    doc = playback([track_point(T0, 40.4, 50.0, 1000, 150, 0, 160, "1000")], modes=None)
    ds = read_one(write(tmp_path / "hex600864_playback.json", orjson.dumps(doc)))
    assert ds.points["icao24"].astype(str).tolist() == ["600864"]
    ds = read_one(write(tmp_path / "b" / "playback.json", orjson.dumps(doc)))
    assert reasons(ds) == {0: "FR24 playback JSON has no ICAO address: put hex<ICAO hex> in the file name or pass icao24=<hex> (--icao24 on the command line)"}


def test_playback_shape_is_matched_and_forced_format_checked(tmp_path: Path) -> None:
    ds = read_one(write(tmp_path / "x.json", orjson.dumps({"result": {"response": {"data": {"flight": {"track": {}}}}}})))
    assert ds.manifest.loc[0, "error"].startswith("JSON of unknown shape")
    ds = read_one(write(tmp_path / "y" / "x.json", orjson.dumps({"ac": []})), format="fr24_json")
    assert ds.manifest.loc[0, "error"] == "not an FR24 playback document: format 'fr24_json' was given, but the JSON document is an object with keys 'ac'"


# ---------------------------------------------------------------------------
# writers: round trips and determinism


def _src(n: int = 12) -> pd.DataFrame:
    ground = [True, True] + [False] * (n - 2)
    src = points(
        n,
        on_ground=ground,
        alt_ft=[np.nan, np.nan] + list(np.linspace(1000, 33000, n - 2)),
        gs_kt=[8.0, 14.0] + list(np.linspace(150, 431, n - 2)),
        track_deg=np.linspace(10, 350, n),
        vrate_fpm=[0.0, 0.0] + [1500.0] * (n - 2),
        squawk=["1000"] * 6 + ["7700"] * (n - 6),
    )
    return src


def _check_round_trip(src: pd.DataFrame, p: pd.DataFrame, alt_atol: float) -> None:
    p = p.sort_values("time").reset_index(drop=True)
    assert (p["time"].to_numpy() == src["time"].to_numpy()).all()
    np.testing.assert_allclose(p["lat"], src["lat"], atol=5e-7)  # 6 decimals
    np.testing.assert_allclose(p["lon"], src["lon"], atol=5e-7)
    np.testing.assert_allclose(p["alt_ft"].iloc[2:], src["alt_ft"].iloc[2:], atol=alt_atol)
    assert p["alt_ft"].iloc[:2].isna().all()
    assert p["on_ground"].tolist() == [True, True] + [False] * (len(src) - 2)
    np.testing.assert_allclose(p["gs_kt"], src["gs_kt"], atol=0.5)  # integer knots
    np.testing.assert_allclose(p["track_deg"], src["track_deg"], atol=0.5)  # integer degrees


@pytest.mark.parametrize("with_utc", [True, False])
def test_csv_writer_round_trip(tmp_path: Path, with_utc: bool) -> None:
    src = _src()
    write_fr24_csv(src, tmp_path / "AZQ6224_hex600864.csv", with_utc=with_utc)
    head = (tmp_path / "AZQ6224_hex600864.csv").read_text().splitlines()[0]
    assert head == (HEADER7 if with_utc else HEADER6)
    p = read_one(tmp_path).points
    _check_round_trip(src, p, alt_atol=0.5)  # integer feet
    assert p["callsign"].astype(str).tolist() == src["callsign"].tolist()


def test_kml_writer_round_trip(tmp_path: Path) -> None:
    src = _src()
    write_fr24_kml(src, tmp_path / "AZQ6224_hex600864.kml", flight="J28224", callsign="AZQ6224", registration="4K-AZ100", typecode="IL76")
    ds = read_one(tmp_path)
    # metres with 2 decimals: ≤ 0.005 m = 0.0164 ft
    _check_round_trip(src, ds.points, alt_atol=0.02)
    p = ds.points
    assert set(p["callsign"].astype(str)) == {"AZQ6224"} and set(p["registration"].astype(str)) == {"4K-AZ100"}
    assert set(p["typecode"].astype(str)) == {"IL76"}
    text = (tmp_path / "AZQ6224_hex600864.kml").read_text()
    # FR24 layout: a Trail of n-1 two-point LineStrings beside the Route
    assert text.count("<LineString>") == len(src) - 1 and "<name>J28224/AZQ6224</name>" in text


def test_playback_writer_round_trip(tmp_path: Path) -> None:
    src = _src()
    write_fr24_playback(src, tmp_path / "playback.json", flight_id="322a1b2c", callsign="AZQ6224", registration="4K-AZ100", typecode="IL76")
    ds = read_one(tmp_path)
    _check_round_trip(src, ds.points, alt_atol=0.5)
    p = ds.points.sort_values("time")
    np.testing.assert_allclose(p["vrate_fpm"], src["vrate_fpm"], atol=0.5)
    assert p["squawk"].astype(str).tolist() == src["squawk"].tolist()
    assert set(p["icao24"].astype(str)) == {"600864"} and set(p["registration"].astype(str)) == {"4K-AZ100"}
    doc = orjson.loads((tmp_path / "playback.json").read_bytes())
    assert doc["result"]["response"]["data"]["flight"]["aircraft"]["identification"]["modes"] == "600864"


def test_writers_escape_hostile_text(tmp_path: Path) -> None:
    src = points(3, callsign=['A,"B'] * 3)
    write_fr24_csv(src, tmp_path / "c" / "hex600864.csv")
    assert read_one(tmp_path / "c").points["callsign"].astype(str).tolist() == ['A,"B'] * 3
    write_fr24_kml(src, tmp_path / "k" / "hex600864.kml", flight="X]]>1", callsign="<b>&", registration="R]]>", typecode="T<")
    p = read_one(tmp_path / "k").points
    assert set(p["callsign"].astype(str)) == {"<b>&"} and len(p) == 3


def test_writers_are_byte_deterministic(tmp_path: Path) -> None:
    src = _src()
    for sub in ("a", "b"):
        write_fr24_csv(src, tmp_path / sub / "hex600864.csv")
        write_fr24_kml(src, tmp_path / sub / "hex600864.kml", flight="J28224", callsign="AZQ6224")
        write_fr24_playback(src, tmp_path / sub / "p.json", flight_id="1", callsign="AZQ6224", registration="4K-AZ100", typecode="IL76")
    for name in ("hex600864.csv", "hex600864.kml", "p.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_writers_need_one_aircraft(tmp_path: Path) -> None:
    two = pd.concat([points(2), points(2, icao24="600881")])
    with pytest.raises(ValueError, match="one aircraft per file, got 2"):
        write_fr24_csv(two, tmp_path / "x.csv")
    with pytest.raises(ValueError, match="contains a line break"):
        write_fr24_csv(points(2, callsign=["A\nB", "C"]), tmp_path / "x.csv")
    with pytest.raises(ValueError, match="at least one point"):
        write_fr24_kml(points(0), tmp_path / "x.kml", flight="a", callsign="b")


# ---------------------------------------------------------------------------
# fuzzing: any bytes in, no exception out, counts add up

_FUZZ_SOURCES: dict[str, tuple[str, bytes]] = {}


def _fuzz_source(kind: str) -> tuple[str, bytes]:
    if not _FUZZ_SOURCES:
        _FUZZ_SOURCES["csv"] = ("hex600864.csv", GOOD_CSV.encode())
        _FUZZ_SOURCES["kml"] = ("hex600864.kml", kml_doc(GOOD_ROUTE, trail_n=1).encode())
        track = [track_point(T0 + 30 * i, 40.4 + i / 100, 50.0, 1000 * i, 150, 500, 160, "1000") for i in range(4)]
        _FUZZ_SOURCES["json"] = ("playback.json", orjson.dumps(playback(track)))
    return _FUZZ_SOURCES[kind]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["csv", "kml", "json"]),
    positions=st.lists(st.integers(0, 10_000), max_size=8),
    values=st.lists(st.sampled_from([0, 10, 13, 34, 44, 46, 48, 57, 60, 62, 93, 123, 125, 0xC3, 0xFF]), min_size=8, max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 10_000)),
    forced=st.booleans(),
    gz=st.booleans(),
)
def test_fuzz_mutated_fr24_files_never_raise(
    tmp_path_factory: pytest.TempPathFactory, kind: str, positions: list[int], values: list[int], cut: int | None, forced: bool, gz: bool
) -> None:
    name, data = _fuzz_source(kind)
    data = mutate(data, positions, values, cut)
    if gz:
        data = gzip.compress(data, mtime=0)
    fmt = {"csv": "fr24_csv", "kml": "fr24_kml", "json": "fr24_json"}[kind] if forced else None
    read_bytes_survives(data, tmp_path_factory.mktemp("fz"), name, format=fmt)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), fmt=st.sampled_from([None, "fr24_csv", "fr24_kml", "fr24_json"]))
def test_fuzz_random_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes, fmt: str | None) -> None:
    read_bytes_survives(data, tmp_path_factory.mktemp("fz"), "hex600864.bin", format=fmt)


_CSV_FIELD = st.one_of(st.text(max_size=8), st.integers(-(10**13), 10**13).map(str), st.floats(allow_nan=True).map(str))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CSV_FIELD, min_size=0, max_size=8), max_size=10), quote=st.booleans())
def test_fuzz_random_csv_rows(tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], quote: bool) -> None:
    def field(f: str, i: int) -> str:
        return f'"{f}"' if quote and i == 3 else f

    text = HEADER7 + "\n" + "\n".join(",".join(field(f, i) for i, f in enumerate(r)) for r in rows)
    read_bytes_survives(text.encode("utf-8", "surrogatepass"), tmp_path_factory.mktemp("fz"), "hex600864.csv")


_JSON_VALUE = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=False), st.integers(-(10**15), 10**15), st.text(max_size=5),
    st.dictionaries(st.sampled_from(["feet", "kts", "fpm", "x"]), st.one_of(st.none(), st.integers(-(10**6), 10**6), st.text(max_size=3)), max_size=3),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    track=st.lists(
        st.one_of(
            _JSON_VALUE,
            st.dictionaries(
                st.sampled_from(["latitude", "longitude", "altitude", "speed", "verticalSpeed", "heading", "squawk", "timestamp"]),
                _JSON_VALUE,
                max_size=8,
            ),
        ),
        max_size=10,
    ),
    modes=st.one_of(st.none(), st.sampled_from(["600864", "ZZZZZZ", ""])),
)
def test_fuzz_random_playback_structures(tmp_path_factory: pytest.TempPathFactory, track: list[Any], modes: str | None) -> None:
    read_bytes_survives(orjson.dumps(playback(track, modes=modes)), tmp_path_factory.mktemp("fz"), "playback.json")
