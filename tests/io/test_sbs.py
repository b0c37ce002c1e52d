"""SBS-1 / BaseStation logs: values by hand, state carry, time zones, bad lines, streaming, round trip, fuzz."""

from __future__ import annotations

import gzip
import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import flighttrace
import flighttrace.io.api as api
import flighttrace.io.sbs as sbs
from flighttrace.io._base import ReadContext
from flighttrace.io.api import Dataset, assert_counts
from flighttrace.io.sbs import GNSS_NOTE, UTC_NOTE
from flighttrace.sim.writers import write_sbs
from tests.io.fuzzutil import FUZZ, MUTATIONS, mutate, read_bytes_survives

T0 = pd.Timestamp("2023-09-01T06:00:00Z")
"""1693548000 s: 19601 days × 86400 s (2023-09-01 00:00Z) + 6 h × 3600 s."""


def msg(ttype: int, hexid: str, clock: str, *, date: str = "2023/09/01", **fields: Any) -> str:
    """One SBS MSG line; keyword fields by their formats.md §5.1 number (f11 = callsign …)."""
    out = ["MSG", str(ttype), "1", "1", hexid, "1", date, clock, date, clock] + [""] * 12
    for key, value in fields.items():
        out[int(key[1:]) - 1] = str(value)
    assert len(out) == 22
    return ",".join(out)


def _file(tmp_path: Path, lines: list[str], name: str = "feed.sbs", eol: str = "\r\n") -> Path:
    path = tmp_path / name
    path.write_bytes((eol.join(lines) + eol).encode())
    return path


def _read(path: Path, **kw: Any) -> Dataset:
    ds = flighttrace.read(path, **kw)
    assert_counts(ds)
    return ds


def _reasons(ds: Dataset) -> dict[int, str]:
    q = ds.quarantine.dropna(subset=["src_row"])
    return {int(r): s for r, s in zip(q["src_row"], q["reason"], strict=False)}


# --------------------------------------------------------------------------- values by hand

BASIC = [
    msg(1, "600ABC", "06:00:00.000", f11="AHY4401 ", f22=0),  # line 0: callsign
    msg(4, "600ABC", "06:00:00.500", f13=450, f14=270, f17=-64, f22=0),  # line 1: velocity
    msg(6, "600ABC", "06:00:00.700", f18="2000", f19=0, f20=0, f21=0),  # line 2: squawk
    msg(3, "600ABC", "06:00:01.250", f12=35000, f15="40.512345", f16="49.987654", f22=0),  # line 3: position
]


def test_position_gets_the_state_of_earlier_messages(tmp_path: Path) -> None:
    ds = _read(_file(tmp_path, BASIC))
    m = ds.manifest.iloc[0]
    assert m["format"] == "sbs"
    # one position message = one record; MSG 1, 4, 6 are state lines
    assert (m["rows_read"], m["rows_kept"], m["lines_state"]) == (1, 1, 3)
    p = ds.points.iloc[0]
    assert p["icao24"] == "600abc"  # HexIdent upper case, normalised
    # 2023/09/01 06:00:01.250 UTC = 1693548000 + 1.25 s
    assert p["time"].value == 1_693_548_001_250_000_000
    assert p["lat"] == pytest.approx(40.512345, abs=1e-9) and p["lon"] == pytest.approx(49.987654, abs=1e-9)
    assert p["alt_ft"] == 35000.0
    assert not p["on_ground"]  # field 22 = 0
    assert (p["gs_kt"], p["track_deg"], p["vrate_fpm"]) == (450.0, 270.0, -64.0)
    assert p["callsign"] == "AHY4401"  # carried from MSG,1, padding stripped
    assert p["squawk"] == "2000"  # carried from MSG,6
    assert p["position_source"] == "unknown"  # SBS does not say
    assert p["src_row"] == 3
    assert m["tz"] == "UTC"
    assert UTC_NOTE in m["notes"]


def test_tz_shifts_local_times(tmp_path: Path) -> None:
    ds = _read(_file(tmp_path, BASIC), tz="Asia/Baku")
    # Asia/Baku is UTC+4 all year (no DST since 2016): 06:00:01.250 local = 02:00:01.250 UTC
    assert ds.points.iloc[0]["time"] == pd.Timestamp("2023-09-01T02:00:01.25Z")
    assert ds.points.iloc[0]["time"] == T0 + pd.Timedelta(seconds=1.25) - pd.Timedelta(hours=4)
    m = ds.manifest.iloc[0]
    assert m["tz"] == "Asia/Baku"
    assert UTC_NOTE not in m["notes"]


def test_local_times_in_a_clock_change_are_quarantined(tmp_path: Path) -> None:
    lines = [
        msg(3, "400AE7", "01:30:00.000", date="2023/10/29", f15="51.5", f16="-0.1"),  # Europe/London: 01:30 happens twice
        msg(3, "400AE7", "01:30:00.000", date="2023/03/26", f15="51.5", f16="-0.1"),  # 01:30 never happens
        msg(3, "400AE7", "12:00:00.000", date="2023/03/26", f15="51.5", f16="-0.1"),  # BST (UTC+1): 11:00Z
    ]
    ds = _read(_file(tmp_path, lines), tz="Europe/London")
    r = _reasons(ds)
    assert r[0] == "local time 2023-10-29 01:30:00 is ambiguous in Europe/London (clocks went back)"
    assert r[1] == "local time 2023-03-26 01:30:00 does not exist in Europe/London (clocks went forward)"
    assert list(ds.points["time"]) == [pd.Timestamp("2023-03-26T11:00:00Z")]


def test_surface_position_is_on_ground_without_carried_altitude(tmp_path: Path) -> None:
    lines = [
        msg(3, "600ABC", "06:00:00.000", f12=1200, f15="40.45", f16="50.05", f22=0),
        msg(2, "600ABC", "06:00:30.000", f13=14, f14=92, f15="40.46", f16="50.06", f22=-1),
        msg(2, "600ABD", "06:00:30.000", f12=0, f15="40.47", f16="50.07"),  # surface message with its own altitude, no field 22
    ]
    pts = _read(_file(tmp_path, lines)).points
    a = pts[pts["icao24"] == "600abc"].iloc[1]
    assert a["on_ground"]
    assert math.isnan(a["alt_ft"])  # the 1200 ft of the airborne message is not carried onto the ground
    assert (a["gs_kt"], a["track_deg"]) == (14.0, 92.0)
    b = pts[pts["icao24"] == "600abd"].iloc[0]
    assert b["on_ground"] and b["alt_ft"] == 0.0


def test_on_ground_flag_is_carried_onto_positions_that_lack_it(tmp_path: Path) -> None:
    lines = [
        msg(5, "600ABC", "06:00:00.000", f12=36000, f22=0),  # DF4/20 altitude reply, airborne
        msg(3, "600ABC", "06:00:05.000", f15="40.5", f16="50.0"),  # no altitude, no field 22
    ]
    p = _read(_file(tmp_path, lines)).points.iloc[0]
    assert p["on_ground"] is not pd.NA and not p["on_ground"]  # carried from MSG,5 field 22 = 0
    assert p["alt_ft"] == 36000.0  # altitude carried from MSG,5, 5 s earlier


def test_gnss_altitude_suffix(tmp_path: Path) -> None:
    lines = [msg(3, "600ABC", "06:00:00.000", f12="35025H", f15="40.5", f16="50.0", f17="-128H")]
    ds = _read(_file(tmp_path, lines))
    p = ds.points.iloc[0]
    assert (p["alt_ft"], p["vrate_fpm"]) == (35025.0, -128.0)
    assert GNSS_NOTE in ds.manifest.iloc[0]["notes"]


def test_carried_state_expires(tmp_path: Path) -> None:
    lines = [
        msg(1, "600ABC", "06:00:00.000", f11="AHY4401"),
        msg(4, "600ABC", "06:00:00.000", f13=450, f14=270, f17=0),
        msg(3, "600ABC", "06:01:00.000", f12=35000, f15="40.5", f16="50.0"),  # 60 s later: speed still carried
        msg(3, "600ABC", "06:01:00.001", f12=35000, f15="40.6", f16="50.1"),  # 60.001 s: speed expired
        msg(3, "600ABC", "06:30:00.001", f12=35000, f15="40.7", f16="50.2"),  # 1800.001 s: callsign expired
    ]
    pts = _read(_file(tmp_path, lines)).points
    assert list(pts["gs_kt"].fillna(-1)) == [450.0, -1.0, -1.0]
    assert list(pts["callsign"].astype(object).fillna("-")) == ["AHY4401", "AHY4401", "-"]


def test_state_is_per_aircraft_and_in_time_order(tmp_path: Path) -> None:
    lines = [
        msg(1, "600ABC", "06:00:00.000", f11="AHY4401"),
        msg(1, "600ABD", "06:00:00.000", f11="SLW7003"),
        msg(3, "600ABC", "06:00:02.000", f15="40.5", f16="50.0"),
        msg(1, "600ABC", "06:00:01.000", f11="AHY9999"),  # logged late, generated before the position
        msg(3, "600abd", "06:00:02.000", f15="40.6", f16="50.1"),  # lower-case hex is the same aircraft
    ]
    pts = _read(_file(tmp_path, lines)).points.set_index("src_row")
    assert pts.loc[2, "callsign"] == "AHY9999"  # the latest callsign by generated time
    assert pts.loc[4, "callsign"] == "SLW7003"


def test_position_lines_without_lat_lon_are_state(tmp_path: Path) -> None:
    lines = [
        msg(3, "600ABC", "06:00:00.000", f12=35000, f22=0),  # dump1090: MSG,3 before the CPR pair decodes
        "",
        "   ",
        msg(3, "600ABC", "06:00:01.000", f15="40.5", f16="50.0"),
    ]
    ds = _read(_file(tmp_path, lines, eol="\n"))  # LF only
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["lines_state"]) == (1, 1, 1)  # blank lines are not counted
    assert ds.points.iloc[0]["alt_ft"] == 35000.0
    assert ds.points.iloc[0]["src_row"] == 3  # blank lines still count as line numbers


def test_basestation_lines_are_state(tmp_path: Path) -> None:
    lines = [
        "STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM",
        "AIR,,333,5,4CA4E5,27215,2010/02/19,17:58:13.039,2010/02/19,17:58:13.368",
        "ID,,333,7,4CA4E5,27215,2010/02/19,18:06:07.710,2010/02/19,18:06:07.710,RYR1427",
        "SEL,,333,2,4CA4E5,27215,2010/02/19,18:06:07.710,2010/02/19,18:06:07.710,RYR1427",
        "CLK,,496,-1,,-1,2010/02/19,18:18:19.036,2010/02/19,18:18:19.036",
        msg(3, "4CA4E5", "18:06:08.000", date="2010/02/19", f15="53.0", f16="-6.0"),
    ]
    ds = _read(_file(tmp_path, lines))
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["lines_state"]) == (1, 1, 5)
    assert pd.isna(ds.points.iloc[0]["callsign"])  # content of SEL / ID lines is not used


def test_bom_and_final_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "feed.sbs"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(BASIC).encode())  # BOM, no final CRLF
    ds = _read(path)
    assert ds.manifest.iloc[0]["format"] == "sbs"
    assert (ds.manifest.iloc[0]["rows_read"], len(ds.points)) == (1, 1)
    assert ds.points.iloc[0]["callsign"] == "AHY4401"


# --------------------------------------------------------------------------- bad input


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "feed.sbs"
    path.write_bytes(b"")
    ds = _read(path, format="sbs")
    assert ds.manifest.iloc[0]["error"] == "the file is empty"


def test_truncated_gzip(tmp_path: Path) -> None:
    lines = [msg(3, "600ABC", f"06:{i // 60:02d}:{i % 60:02d}.000", f15=f"{40 + i / 1000:.3f}", f16="50.0") for i in range(3000)]
    data = gzip.compress(("\r\n".join(lines) + "\r\n").encode(), mtime=0)
    path = tmp_path / "feed.sbs.gz"
    path.write_bytes(data[: len(data) // 2])
    ds = _read(path)
    m = ds.manifest.iloc[0]
    assert m["format"] == "sbs" and m["compression"] == "gzip"
    assert m["error"].startswith("compressed stream is truncated")


def test_bad_lines_are_quarantined_with_precise_reasons(tmp_path: Path) -> None:
    good = msg(3, "600ABC", "06:00:00.000", f15="40.5", f16="50.0")
    lines = [
        good,  # 0
        "MSG,3,1,1,600ABC,1,2023/09/01",  # 1
        msg(3, "600ABC", "06:00:00.000", date="2023/13/01", f15="40.5", f16="50.0"),  # 2
        msg(3, "600ABC", "25:00:00.000", f15="40.5", f16="50.0"),  # 3
        msg(3, "600ABC", "06:00", f15="40.5", f16="50.0"),  # 4
        "hello world",  # 5
        msg(9, "600ABC", "06:00:00.000", f15="40.5", f16="50.0"),  # 6
        msg(3, "XYZ123", "06:00:00.000", f15="40.5", f16="50.0"),  # 7
        msg(3, "600ABD", "06:00:00.000", f15="abc", f16="50.0"),  # 8
        msg(3, "600ABE", "06:00:00.000", f15="nan", f16="50.0"),  # 9
        msg(3, "600ABF", "06:00:00.000", f12="35,000", f15="40.5", f16="50.0"),  # 10: a comma makes 23 fields
        msg(3, "600AC0", "06:00:00.000", f12="high", f15="40.5", f16="50.0"),  # 11
        msg(4, "600AC1", "06:00:00.000", f13="fast"),  # 12: a state line that cannot be parsed
        msg(3, "", "06:00:00.000", f15="40.5", f16="50.0"),  # 13
        msg(6, "", "06:00:00.000", f18="7700"),  # 14
        msg(3, "600AC2", "06:00:00.000", f15="91.0", f16="50.0"),  # 15
        msg(3, "~600AC3", "06:00:00.000", f15="40.5", f16="50.0"),  # 16
        "XYZ," + ",".join([""] * 21),  # 17
        msg(3, "600AC4", "06:00:00.000", f15="40.5", f16="50.0", f22="yes"),  # 18
        msg(3, "600AC5", "06:00:00.000", date="9999/12/31", f15="40.5", f16="50.0"),  # 19: beyond ns timestamps
    ]
    ds = _read(_file(tmp_path, lines))
    r = _reasons(ds)
    assert 0 not in r
    assert r[1] == "line has 7 fields, SBS MSG lines have 22"
    assert r[2] == "date '2023/13/01' is not YYYY/MM/DD"
    assert r[3] == "time '25:00:00.000' is not HH:MM:SS.mmm"
    assert r[4] == "time '06:00' is not HH:MM:SS.mmm"
    assert r[5] == "line has 1 field, SBS MSG lines have 22"
    assert r[6] == "transmission type '9' is not 1–8"
    assert r[7] == "icao24 'XYZ123' is not 6 hex digits"
    assert r[8] == "lat is not a number"
    assert r[9] == "lat is not a number"
    assert r[10] == "line has 23 fields, SBS MSG lines have 22"
    assert r[11] == "altitude 'high' is not a number"
    assert r[12] == "ground speed 'fast' is not a number"
    assert r[13] == "icao24 missing"
    assert r[14] == "HexIdent is empty; the message cannot be attributed to an aircraft"
    assert r[15] == "lat 91.0 outside [-90, 90] deg"
    assert r[16] == "non-ICAO address '~600ac3' (TIS-B or anonymous): no airframe identity"
    assert r[17] == "message type 'XYZ' is not MSG, SEL, ID, AIR, STA, CLK"
    assert r[18] == "on-ground flag 'yes' is not -1 or 0"
    assert r[19] == "date '9999/12/31' is outside the years 1900–2199"
    assert len(r) == 19
    assert list(ds.points["src_row"]) == [0]
    raw = ds.quarantine.set_index("src_row")["raw"]
    assert raw.loc[5] == "hello world" and raw.loc[1] == "MSG,3,1,1,600ABC,1,2023/09/01"  # CRLF stripped
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["rows_quarantined"], m["lines_state"]) == (20, 1, 19, 0)


def test_hostile_text_is_kept_verbatim_and_bad_bytes_replaced(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>"
    path = tmp_path / "feed.sbs"
    body = "\r\n".join([msg(1, "600ABC", "06:00:00.000", f11=hostile), msg(3, "600ABC", "06:00:01.000", f15="40.5", f16="50.0")])
    path.write_bytes(body.encode() + b"\r\nMSG,3,\xff\xfe\x00garbage\r\n")
    ds = _read(path)
    assert ds.points.iloc[0]["callsign"] == hostile
    q = ds.quarantine.iloc[0]
    assert q["reason"] == "line has 3 fields, SBS MSG lines have 22"
    assert q["raw"] == "MSG,3,\ufffd\ufffd\x00garbage"  # invalid UTF-8 replaced, never raised


def test_overlong_lines_are_quarantined_without_reading_them_whole(tmp_path: Path) -> None:
    long_in_block = "MSG," + "x" * 10_000
    no_newline = b"A" * (3 * sbs.READ_BLOCK_BYTES)  # spans several read blocks
    path = tmp_path / "feed.sbs"
    last = msg(3, "600ABC", "06:00:02.000", f15="40.6", f16="50.0")
    path.write_bytes(("\r\n".join(BASIC) + "\r\n" + long_in_block + "\r\n").encode() + no_newline + b"\n" + last.encode())
    ds = _read(path)
    r = _reasons(ds)
    reason = f"line is longer than {sbs.MAX_LINE_CHARS} characters; SBS lines are about 100"
    # past the 1 MB line limit the line never reaches the SBS reader: it stands aside as it streams past
    assert r == {4: reason, 5: f"line is longer than 1 MB (limit line_bytes): {len(no_newline):,} bytes, not read"}
    assert list(ds.points["src_row"]) == [3, 6]
    # the 3 MiB line was cut while reading: all batches together hold far less than the file
    batches = list(sbs._line_batches(io.BytesIO(path.read_bytes()), 1000))
    assert sum(map(len, batches)) < sbs.READ_BLOCK_BYTES + 2 * sbs.MAX_LINE_CHARS < len(no_newline)


def test_icao24_selection(tmp_path: Path) -> None:
    lines = [*BASIC, msg(3, "600ABD", "06:00:02.000", f15="40.5", f16="50.0")]
    ds = _read(_file(tmp_path, lines), icao24="600abd")
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["rows_filtered"]) == (2, 1, 1)


# --------------------------------------------------------------------------- streaming


def _long_log() -> list[str]:
    """Two aircraft; each callsign is sent once, at the start, and must reach every later position."""
    lines = [msg(1, "600ABC", "06:00:00.000", f11="AHY4401"), msg(1, "600ABD", "06:00:00.000", f11="SLW7003")]
    for i in range(1, 20):
        clock = f"06:00:{i:02d}.000"
        lines.append(msg(4, "600ABC", clock, f13=400 + i, f14=90, f17=0))
        lines.append(msg(3, "600ABC", clock, f12=30000 + i, f15=f"{40 + i / 100:.2f}", f16="50.0"))
        if i % 3 == 0:
            lines.append(msg(3, "600ABD", clock, f12=20000, f15="41.0", f16=f"{49 + i / 100:.2f}"))
        if i == 10:
            lines.append("broken line")
    return lines


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 7, 1000])
def test_state_crosses_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_rows: int) -> None:
    path = _file(tmp_path, _long_log())
    calls: list[int] = []
    real_parse = sbs._parse_batch

    def counting(data: bytes, *args: Any) -> Any:
        chunk, n = real_parse(data, *args)
        calls.append(n)
        return chunk, n

    monkeypatch.setattr(sbs, "_parse_batch", counting)
    monkeypatch.setattr(api, "ReadContext", lambda *a, **k: ReadContext(*a, chunk_rows=chunk_rows, **k))
    ds = _read(path)
    n_lines = len(_long_log())
    assert len(calls) == math.ceil(n_lines / chunk_rows)  # really read in chunks of chunk_rows lines
    assert all(n == chunk_rows for n in calls[:-1])
    pts = ds.points
    assert len(pts) == 19 + 6
    a = pts[pts["icao24"] == "600abc"]
    b = pts[pts["icao24"] == "600abd"]
    assert set(a["callsign"]) == {"AHY4401"} and set(b["callsign"]) == {"SLW7003"}
    # each MSG,3 gets the speed of the MSG,4 just before it: 400 + i kt at second i
    assert list(a["gs_kt"]) == [400.0 + i for i in range(1, 20)]
    assert b["gs_kt"].isna().all()
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["rows_quarantined"], m["lines_state"]) == (26, 25, 1, 21)
    assert _reasons(ds) == {_long_log().index("broken line"): "line has 1 field, SBS MSG lines have 22"}


def test_chunked_and_whole_reads_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path, _long_log())
    whole = _read(path).points
    monkeypatch.setattr(api, "ReadContext", lambda *a, **k: ReadContext(*a, chunk_rows=4, **k))
    pd.testing.assert_frame_equal(_read(path).points, whole)


# --------------------------------------------------------------------------- writer and round trip


def _points() -> pd.DataFrame:
    """Two aircraft, interleaved; callsign change, squawk change, a ground roll, an unknown speed."""
    n = 12
    t = T0 + pd.to_timedelta(np.arange(n) * 7.5, unit="s")
    return pd.DataFrame(
        {
            "icao24": ["600abc", "4ba9c7"] * (n // 2),
            "time": t,
            "lat": 40.0 + np.arange(n) * 0.0123457,
            "lon": 50.0 - np.arange(n) * 0.0098765,
            "alt_ft": [np.nan, 3000.0, np.nan, 3500.0, 1200.0, 4000.0, 1800.0, 4500.0, 2400.0, 5000.0, 3000.0, 5500.0],
            "on_ground": pd.array([True, False, True, False, False, False, False, False, False, False, False, False], dtype="boolean"),
            "gs_kt": [12.0, 250.4, 15.6, 251.0, 140.0, 252.0, 160.0, 253.0, 170.0, np.nan, 180.0, 255.0],
            "track_deg": [91.0, 300.2, 92.0, 301.0, 93.0, 302.0, 94.0, 303.0, 95.0, np.nan, 96.0, 305.0],
            "vrate_fpm": [np.nan, 1472.0, np.nan, 1408.0, 2048.0, 1344.0, 1984.0, 1280.0, 1920.0, np.nan, 1856.0, 1152.0],
            "callsign": pd.Categorical(["AHY4401", "THY9BP", "AHY4401", "THY9BP", "AHY4401", "THY9BP", "AHY4402", "THY9BP", "AHY4402", "THY9BP", "AHY4402", "THY9BP"]),
            "squawk": pd.Categorical(["2000", "1000", "2000", "1000", "2000", "1000", "2000", "7700", "2000", "7700", "2000", "7700"]),
        }
    )


def _compare(orig: pd.DataFrame, back: pd.DataFrame) -> None:
    a = orig.sort_values(["icao24", "time"]).reset_index(drop=True)
    b = back.sort_values(["icao24", "time"]).reset_index(drop=True)
    assert list(b["icao24"].astype(str)) == list(a["icao24"])
    assert (np.abs((b["time"] - a["time"]).dt.total_seconds()) <= 0.0005).all()  # milliseconds
    np.testing.assert_allclose(b["lat"], a["lat"], atol=5e-7)  # %1.6f
    np.testing.assert_allclose(b["lon"], a["lon"], atol=5e-7)
    np.testing.assert_allclose(b["alt_ft"], a["alt_ft"], atol=0.5)  # integer feet
    # integer knots / degrees; where the speed is unknown the previous one (7.5 s before) is carried
    exp_gs = a["gs_kt"].where(a["gs_kt"].notna(), a.groupby("icao24")["gs_kt"].shift(1))
    exp_trk = a["track_deg"].where(a["track_deg"].notna(), a.groupby("icao24")["track_deg"].shift(1))
    np.testing.assert_allclose(b["gs_kt"], exp_gs, atol=0.5)
    np.testing.assert_allclose(b["track_deg"], exp_trk, atol=0.5)
    exp_vr = a["vrate_fpm"].where(a["vrate_fpm"].notna() | a["on_ground"].to_numpy(dtype=bool), a.groupby("icao24")["vrate_fpm"].shift(1))
    np.testing.assert_allclose(b["vrate_fpm"], exp_vr, atol=0.5)
    assert list(b["callsign"].astype(str)) == list(a["callsign"].astype(str))
    assert list(b["squawk"].astype(str)) == list(a["squawk"].astype(str))
    assert list(b["on_ground"].astype(bool)) == list(a["on_ground"].astype(bool))


def test_round_trip_readsb_style(tmp_path: Path) -> None:
    orig = _points()
    path = tmp_path / "out.sbs"
    write_sbs(orig, path)
    data = path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n")  # CRLF line ends
    lines = data.decode().split("\r\n")[:-1]
    assert all(len(line.split(",")) == 22 for line in lines)
    kinds = [line.split(",")[1] for line in lines]
    assert kinds.count("1") == 3  # AHY4401, THY9BP, then AHY4402: only on change
    assert kinds.count("2") == 2 and kinds.count("3") == 10
    assert kinds.count("6") == 3  # first squawk of each aircraft, then THY9BP's 7700
    assert "MSG,6,1,1,4BA9C7,1,2023/09/01,06:00:52.500,2023/09/01,06:00:52.500,,,,,,,,7700,0,-1,0," in lines
    assert lines[3] == "MSG,2,1,1,600ABC,1,2023/09/01,06:00:00.000,2023/09/01,06:00:00.000,,,12,91,40.000000,50.000000,,,,,,-1"
    ds = _read(path)
    assert UTC_NOTE in ds.manifest.iloc[0]["notes"]
    _compare(orig, ds.points)


def test_round_trip_dump1090_fa_style_in_local_time(tmp_path: Path) -> None:
    orig = _points()
    path = tmp_path / "out.sbs"
    write_sbs(orig, path, tz="Asia/Baku", style="dump1090-fa")
    first = path.read_bytes().decode().split("\r\n")[0]
    assert first.split(",")[6:8] == ["2023/09/01", "10:00:00.000"]  # 06:00Z + 4 h
    pos = [line for line in path.read_bytes().decode().split("\r\n") if line.startswith("MSG,2,")][0]
    assert pos.split(",")[14:16] == ["40.00000", "50.00000"]  # dump1090-fa prints %1.5f
    ds = _read(path, tz="Asia/Baku")
    assert ds.manifest.iloc[0]["tz"] == "Asia/Baku"
    orig5 = orig.assign(lat=orig["lat"].round(5), lon=orig["lon"].round(5))
    _compare(orig5, ds.points)


def test_writer_is_deterministic_and_checks_arguments(tmp_path: Path) -> None:
    shuffled = _points().sample(frac=1.0, random_state=1)
    write_sbs(_points(), tmp_path / "a.sbs")
    write_sbs(shuffled, tmp_path / "b.sbs")
    assert (tmp_path / "a.sbs").read_bytes() == (tmp_path / "b.sbs").read_bytes()  # sorted by time, whatever the input order
    with pytest.raises(ValueError, match="give tz"):
        write_sbs(_points(), tmp_path / "c.sbs", style="dump1090-fa")
    with pytest.raises(ValueError, match="writes UTC"):
        write_sbs(_points(), tmp_path / "c.sbs", tz="Asia/Baku")
    bad = _points().assign(callsign="A,B")
    with pytest.raises(ValueError, match="'A,B' contains a comma"):
        write_sbs(bad, tmp_path / "c.sbs")


# --------------------------------------------------------------------------- fuzz

VALID = ("\r\n".join(_long_log()[:30]) + "\r\n").encode()



@FUZZ
@given(**MUTATIONS, forced=st.booleans())
def test_fuzz_mutated_log(tmp_path_factory: pytest.TempPathFactory, positions: list[int], values: list[int], cut: int | None, forced: bool) -> None:
    data = mutate(VALID, positions, values, cut)
    read_bytes_survives(data, tmp_path_factory.mktemp("fz"), "feed.sbs", format="sbs" if forced else None)


@FUZZ
@given(data=st.binary(max_size=600), fmt=st.sampled_from([None, "sbs"]))
def test_fuzz_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes, fmt: str | None) -> None:
    read_bytes_survives(data, tmp_path_factory.mktemp("fz"), "feed.sbs", format=fmt)


@FUZZ
@given(fields=st.lists(st.text(alphabet=st.sampled_from(list("0123456789-.:/ HMSGabcX\x00é")), max_size=12), min_size=22, max_size=22), ttype=st.integers(0, 9))
def test_fuzz_field_values(tmp_path_factory: pytest.TempPathFactory, fields: list[str], ttype: int) -> None:
    fields[0], fields[1] = "MSG", str(ttype)
    line = ",".join(fields)
    ds = read_bytes_survives(("\r\n".join([BASIC[0], line, BASIC[3]]) + "\r\n").encode(), tmp_path_factory.mktemp("fz"), "feed.sbs", format="sbs")
    m = ds.manifest.iloc[0]
    assert m["rows_read"] + m["lines_state"] == 3  # every non-blank line is a record or a state line
