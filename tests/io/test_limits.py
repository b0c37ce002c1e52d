"""Size limits: bombs and huge lines or strings cost their file or record, named with the limit; memory stays bounded.

Each case is a small version of a bomb of issue 16 with the limit lowered to
match (``Limits(size=SizeLimits(...))``); the peak memory of the real bombs
is measured by ``benchmarks/hostile.py``, not here.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import orjson
import pytest

import flighttrace
from flighttrace.io._normalise import Limits
from flighttrace.io.api import assert_counts
from flighttrace.io.bounds import BoundedReader, LimitExceeded, read_bounded
from flighttrace.io.bounds import SizeLimits as S
from flighttrace.io.lines import LineGuard
from tests.builders import trace_doc

T = 1693548000
OPENSKY_HEAD = "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,baroaltitude,geoaltitude,lastposupdate,lastcontact,serials,hour\n"
FR24_HEAD = "Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n"


def opensky_row(t: int) -> str:
    return f"{t},600864,40.4675,50.0467,100.0,90.0,0.0,AZQ6224,false,false,false,1000,3000.0,3000.0,{t}.0,{t}.0,,{t - t % 3600}\n"


def fr24_row(t: int) -> str:
    return f'{t},2023-09-01T06:00:00Z,AZQ6224,"40.4675,50.0467",1000,200,90\n'


def read(path: Path, **size: int):  # type: ignore[no-untyped-def]
    ds = flighttrace.read(path, limits=Limits(size=S(**size)))
    assert_counts(ds)
    return ds


def test_a_whitespace_bomb_in_a_trace_is_refused_past_the_document_limit(tmp_path: Path) -> None:
    # a gzip of 5 MB of white space inside a readsb trace: 5 kB on disk
    body = b'{"icao":"600864","timestamp":1693526400,"trace":[[0,40,50,1000,200,90,0,0],' + b" " * 5_000_000 + b"]}"
    path = tmp_path / "trace_full_600864.json"
    path.write_bytes(gzip.compress(body, mtime=0))
    ds = read(path, document_bytes=1_000_000)
    assert ds.manifest.loc[0, "error"] == "JSON document exceeds 1 MB decompressed (limit document_bytes); not parsed"
    assert ds.quarantine["reason"].tolist() == [ds.manifest.loc[0, "error"]]
    assert read(path, document_bytes=6_000_000).manifest.loc[0, "rows_kept"] == 1  # under the limit: read


@pytest.mark.parametrize("fmt", ["fr24_csv", "opensky_csv", "sbs"])
@pytest.mark.parametrize("where", ["middle", "last"])
def test_a_line_past_the_line_limit_costs_that_line_and_the_rest_is_read(tmp_path: Path, fmt: str, where: str) -> None:
    long = "9" * 300_000
    if fmt == "fr24_csv":
        path, head, row = tmp_path / "AZQ6224_hex600864.csv", FR24_HEAD, fr24_row
    elif fmt == "opensky_csv":
        path, head, row = tmp_path / "states.csv", OPENSKY_HEAD, opensky_row
    else:
        path, head = tmp_path / "log.sbs", ""

        def row(t: int) -> str:
            hh, mm, ss = (t - T) // 3600 + 6, (t - T) // 60 % 60, (t - T) % 60
            return f"MSG,3,1,1,600864,1,2023/09/01,{hh:02d}:{mm:02d}:{ss:02d}.000,2023/09/01,{hh:02d}:{mm:02d}:{ss:02d}.000,,1000,,,40.4675,50.0467,,,,,,0\n"

    rows = [row(T + 10 * k) for k in range(4)]
    bad = str(T + 100) + "," + long + "\n"
    text = head + "".join(rows[:2]) + bad + "".join(rows[2:]) if where == "middle" else head + "".join(rows) + bad.rstrip("\n")
    path.write_text(text)
    ds = read(path, line_bytes=100_000)
    m = ds.manifest.iloc[0]
    assert (m["format"], m["error"], m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == (fmt, "", 5, 4, 1)
    q = ds.quarantine.iloc[0]
    assert q["reason"] == f"line is longer than 0.1 MB (limit line_bytes): {len(bad.rstrip(chr(10))):,} bytes, not read"
    assert q["raw"].startswith(str(T + 100) + ",999") and len(q["raw"]) < 3000
    # the line's number is kept: the lines after it are numbered as in the file
    first_data_line = 0 if fmt == "sbs" else (1 if fmt == "fr24_csv" else 0)
    assert int(q["src_row"]) == first_data_line + (2 if where == "middle" else 4)


def test_line_guard_hands_over_whole_lines_and_stands_aside_long_ones() -> None:
    text = b"a,1\r\nbb,2\rccc,3\n" + b"x" * 50 + b"\r\n" + b"d,4"
    for block in (1, 2, 3, 7, 64):
        g = LineGuard(io.BytesIO(text), 20, block=block)
        out = b"".join(iter(lambda g=g: g.read(5), b""))
        lines = out.split(b"\n")
        assert lines[:3] == [b"a,1", b"bb,2", b"ccc,3"] and lines[4:] == [b"d,4"], block
        assert g.overlong_line(lines[3]) == ("line is longer than 2e-05 MB (limit line_bytes): 50 bytes, not read", "x" * 50 + "… [50 bytes in all]")
        assert g.overlong_line(b"ccc,3") is None


def test_line_guard_hands_over_the_lines_before_a_damaged_stream() -> None:
    class Damaged(io.RawIOBase):
        def __init__(self) -> None:
            self.parts = [b"one\ntwo\nthr", EOFError("Compressed file ended before the end-of-stream marker was reached")]

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            part = self.parts.pop(0)
            if isinstance(part, BaseException):
                raise part
            return part

    g = LineGuard(Damaged(), 100)
    assert g.read(100) == b"one\ntwo\n"
    with pytest.raises(EOFError):
        g.read(100)
    assert g.cut_line == "thr"


def test_bounded_readers_raise_past_the_limit() -> None:
    assert read_bounded(io.BytesIO(b"x" * 10), 10, "doc") == b"x" * 10
    with pytest.raises(LimitExceeded, match="doc exceeds 9e-06 MB"):
        read_bounded(io.BytesIO(b"x" * 10), 9, "doc")
    r = BoundedReader(io.BytesIO(b"y" * 100), 50, "KML document")
    assert len(r.read(50)) == 50
    with pytest.raises(LimitExceeded, match="KML document exceeds"):
        r.read(10)


@pytest.mark.parametrize("fmt", ["opensky_tracks", "fr24_json", "readsb_trace"])
def test_a_huge_string_costs_its_record(tmp_path: Path, fmt: str) -> None:
    s = "x" * 200_000
    if fmt == "opensky_tracks":
        doc = {"icao24": "600864", "startTime": T, "endTime": T + 20, "callsign": "AZQ6224 ",
               "path": [[s, 40.1, 50.1, 300.0, 90.0, False], [T + 20, 40.2, 50.2, 400.0, 90.0, False]]}
    elif fmt == "fr24_json":
        pt = {"latitude": 40.1, "longitude": 50.1, "altitude": {"feet": 1000}, "speed": {"kts": 200}, "heading": 90, "squawk": "1000", "timestamp": T}
        doc = {"result": {"response": {"data": {"flight": {"aircraft": {"identification": {"modes": "600864"}},
                                                           "track": [dict(pt, squawk=s), dict(pt, timestamp=T + 20)]}}}}}
    else:
        doc = trace_doc([[0.0, 40.0, 50.0, 1000, 200.0, 90.0, 0, 0, {"flight": s}], [20.0, 40.01, 50.01, 1100, 200.0, 90.0, 0, 0]])
    path = tmp_path / "doc.json"
    path.write_bytes(orjson.dumps(doc))
    ds = read(path, string_bytes=100_000)
    m = ds.manifest.iloc[0]
    assert (m["format"], m["error"], m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == (fmt, "", 2, 1, 1)
    assert ds.quarantine[["src_row", "reason"]].values.tolist() == [[0, "record holds a string longer than 0.1 MB (limit string_bytes)"]]
    assert len(ds.quarantine.loc[0, "raw"]) < 3000


def test_a_huge_string_outside_the_records_costs_the_file(tmp_path: Path) -> None:
    doc = {"icao24": "600864", "startTime": T, "endTime": T, "callsign": "x" * 200_000, "path": [[T, 40.1, 50.1, 300.0, 90.0, False]]}
    path = tmp_path / "track.json"
    path.write_bytes(orjson.dumps(doc))
    ds = read(path, string_bytes=100_000)
    assert ds.manifest.loc[0, "error"] == "the JSON document holds a string longer than 0.1 MB outside its records (limit string_bytes)"


def test_kml_texts_and_documents_past_their_limits(tmp_path: Path) -> None:
    pm = ("<Placemark><name>p</name><description>{d}</description><TimeStamp><when>2023-09-01T06:00:{s}+00:00</when>"
          "</TimeStamp><Point><coordinates>50.1,40.1,300</coordinates></Point></Placemark>")
    doc = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>A/AZQ6224</name>'
           "<Folder><name>Route</name>" + pm.format(d="x" * 200_000, s="00") + pm.format(d="<b>Speed:</b> 200 kt", s="20")
           + "</Folder></Document></kml>")
    path = tmp_path / "AZQ6224_hex600864.kml"
    path.write_text(doc)
    ds = read(path, string_bytes=100_000)
    assert ds.quarantine[["src_row", "reason"]].values.tolist() == [[0, "Placemark holds a text longer than 0.1 MB (limit string_bytes)"]]
    assert ds.manifest.loc[0, "rows_kept"] == 1
    ds = read(path, document_bytes=100_000)
    assert ds.manifest.loc[0, "error"] == "KML document exceeds 0.1 MB decompressed (limit document_bytes); not read further"


def broken_opensky(path: Path, n_bad: int) -> Path:
    """One good state vector (``src_row`` 0, rows counted from the first data row), then ``n_bad`` rows whose time is not a number (1 … n_bad)."""
    path.write_text(OPENSKY_HEAD + opensky_row(T) + "".join(f"x{i},600864,40.4,50.0,,,,,,,,,,,,,,\n" for i in range(n_bad)))
    return path


def test_a_file_of_broken_rows_lists_the_first_ones_and_counts_the_rest(tmp_path: Path) -> None:
    ds = read(broken_opensky(tmp_path / "states.csv", 25), quarantine_rows=10)
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == (26, 1, 25)  # every rejected record is counted
    listed = ds.quarantine[ds.quarantine["src_row"].notna()]
    assert listed["src_row"].astype(int).tolist() == list(range(1, 11))  # the file's first ten rejected rows, with their text
    assert listed["raw"].iloc[0].startswith("x0,600864")
    summary = ds.quarantine[ds.quarantine["src_row"].isna()]["reason"].tolist()
    assert summary == [
        "15 more rejected record(s), rows 11 to 25, not listed here: a file's quarantine lists at most 10 (limit quarantine_rows); "
        "they are counted in the manifest's rows_quarantined and their lines are in the file itself"
    ]


def test_a_quarantine_within_the_limit_has_no_summary_row(tmp_path: Path) -> None:
    ds = read(broken_opensky(tmp_path / "states.csv", 10), quarantine_rows=10)
    assert ds.quarantine["src_row"].astype(int).tolist() == list(range(1, 11))
    assert ds.manifest.loc[0, "rows_quarantined"] == 10


def test_the_limit_applies_to_each_file_on_its_own(tmp_path: Path) -> None:
    broken_opensky(tmp_path / "a.csv", 5)
    broken_opensky(tmp_path / "b.csv", 2)
    ds = read(tmp_path, quarantine_rows=3)
    per_file = ds.quarantine.groupby(ds.quarantine["src_file"].map(lambda p: Path(p).name))
    assert per_file.size().to_dict() == {"a.csv": 4, "b.csv": 2}  # a.csv: 3 listed and its summary; b.csv: both listed
    assert per_file["src_row"].apply(lambda r: int(r.isna().sum())).to_dict() == {"a.csv": 1, "b.csv": 0}
    assert ds.manifest.set_index(ds.manifest["path"].map(lambda p: Path(p).name))["rows_quarantined"].to_dict() == {"a.csv": 5, "b.csv": 2}


def test_the_cap_lists_the_lowest_rows_of_a_chunk_whatever_order_they_came_in() -> None:
    from flighttrace.io.bounds import QuarantineCap

    cap, rows = QuarantineCap(3), []
    cap.add(rows, [("f", 7, "b", ""), ("f", 2, "a", "")])  # room for both
    cap.add(rows, [("f", 40, "d", ""), ("f", 9, "c", ""), ("f", 30, "e", "")])  # room for one: row 9
    assert [r[1] for r in rows] == [7, 2, 9]
    assert (cap.unlisted, cap.first, cap.last) == (2, 30, 40)
    assert cap.summary("f") is not None and cap.summary("f")[2].startswith("2 more rejected record(s), rows 30 to 40,")
    assert QuarantineCap(5).summary("f") is None


def test_every_rejected_record_is_counted_where_the_inputs_are_summed_up(tmp_path: Path) -> None:
    ds = read(broken_opensky(tmp_path / "states.csv", 7), quarantine_rows=2)
    assert len(ds.quarantine) == 3  # two listed, one summary row
    assert ds.records_quarantined == 7
    assert repr(ds).endswith("1 file(s) (0 failed), 7 records quarantined>")
