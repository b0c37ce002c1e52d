"""JSON documents: one bad byte costs at most its record; a boolean is never a number."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

import flighttrace
from flighttrace.io.api import assert_counts
from flighttrace.io.jsonrecords import longest_string

T = 1693548000
P0 = b"[0.0,40.0,50.0,1000,200.0,90.0,0,0]"
P1 = b"[20.0,40.01,50.01,1100,200.0,90.0,0,0]"
P2 = b"[40.0,40.02,50.02,1200,200.0,90.0,0,0]"


def trace_bytes(*points: bytes, head: bytes = b'{"icao":"600864","timestamp":1693526400,') -> bytes:
    return head + b'"trace":[' + b",".join(points) + b"]}"


def read(path: Path):  # type: ignore[no-untyped-def]
    ds = flighttrace.read(path)
    assert_counts(ds)
    flighttrace.validate_points(ds.points)
    return ds


def write(tmp_path: Path, data: bytes, name: str = "trace_full_600864.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b"[20.0,NaN,50.01,1100,200.0,90.0,0,0]", "record holds NaN or Infinity, which JSON does not allow"),
        (b'[20.0,40.01,50.01,1100,200.0,90.0,0,0,{"flight":"AZQ\xff"}]', "record is not valid UTF-8 text"),
        (b'[20.0,40.01,50.01,1100,200.0,90.0,0,0,{"flight":"AZQ\x00"}]', "record holds a NUL byte"),
        (b"[20.0,40.01,,1100,200.0,90.0,0,0]", None),  # orjson's own message, below
    ],
    ids=["nan", "utf8", "nul", "syntax"],
)
def test_a_bad_record_costs_only_itself(tmp_path: Path, bad: bytes, reason: str | None) -> None:
    if reason is None:
        with pytest.raises(orjson.JSONDecodeError) as err:
            orjson.loads(bad)
        reason = f"record is not valid JSON ({err.value})"
    ds = read(write(tmp_path, trace_bytes(P0, bad, P2)))
    m = ds.manifest.iloc[0]
    assert (m["error"], m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == ("", 3, 2, 1)
    assert ds.quarantine[["src_row", "reason"]].values.tolist() == [[1, reason]]
    assert ds.points["src_row"].tolist() == [0, 2]
    assert "records were parsed one by one, 1 could not be and are quarantined" in m["notes"]


def test_a_byte_order_mark_costs_nothing(tmp_path: Path) -> None:
    ds = read(write(tmp_path, b"\xef\xbb\xbf" + trace_bytes(P0, P1)))
    assert ds.manifest.loc[0, "rows_kept"] == 2 and ds.manifest.loc[0, "error"] == ""
    assert "UTF-8 byte-order mark at the start of the JSON document ignored" in ds.manifest.loc[0, "notes"]


def test_a_cut_document_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    data = trace_bytes(P0, P1, P2)
    cut = data[: data.index(P2) + 10]  # inside the third point
    ds = read(write(tmp_path, cut))
    assert ds.points["src_row"].tolist() == [0, 1]
    assert ds.quarantine[["src_row", "reason"]].values.tolist() == [[2, "record cut short: the document ends inside it"]]
    assert ds.quarantine.loc[0, "raw"] == P2[:10].decode()


def test_a_bad_byte_outside_the_records_is_replaced_and_the_records_read(tmp_path: Path) -> None:
    head = b'{"icao":"600864","r":"4K-\xffAZ","timestamp":1693526400,'
    ds = read(write(tmp_path, trace_bytes(P0, P1, head=head)))
    assert ds.manifest.loc[0, "rows_kept"] == 2
    assert ds.points["registration"].astype(str).unique().tolist() == ["4K-\ufffdAZ"]


@pytest.mark.parametrize("name", ["aircraft", "states", "tracks", "playback"])
def test_every_record_list_format_keeps_the_good_records(tmp_path: Path, name: str) -> None:
    nan = b"NaN"
    if name == "aircraft":
        good = b'{"hex":"600864","lat":40.5,"lon":50.5,"seen_pos":0}'
        data = b'{"now":%d,"aircraft":[%s,{"hex":"600865","lat":%s,"lon":50.5},%s]}' % (T, good, nan, good.replace(b"600864", b"600866"))
    elif name == "states":
        row = b'["%s","AZQ6224 ","Azerbaijan",%d,%d,50.0,40.0,1000.0,false,100.0,90.0,0.0,null,null,"1000",false,0]'
        data = b'{"time":%d,"states":[%s,%s,%s]}' % (T, row % (b"600864", T, T), (row % (b"600865", T, T)).replace(b"50.0", nan), row % (b"600866", T, T))
    elif name == "tracks":
        data = b'{"icao24":"600864","startTime":%d,"endTime":%d,"callsign":"AZQ6224","path":[[%d,40.0,50.0,300.0,90.0,false],[%d,%s,50.0,300.0,90.0,false],[%d,40.2,50.2,300.0,90.0,false]]}' % (T, T, T, T + 10, nan, T + 20)
    else:
        pt = b'{"latitude":%s,"longitude":50.0,"altitude":{"feet":1000},"speed":{"kts":200},"heading":90,"squawk":"1000","timestamp":%d}'
        data = b'{"result":{"response":{"data":{"flight":{"aircraft":{"identification":{"modes":"600864"}},"track":[%s,%s,%s]}}}}}' % (
            pt % (b"40.0", T), pt % (nan, T + 10), pt % (b"40.2", T + 20))
    ds = read(write(tmp_path, data, "doc.json"))
    m = ds.manifest.iloc[0]
    assert (m["error"], m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == ("", 3, 2, 1)
    assert ds.quarantine[["src_row", "reason"]].values.tolist() == [[1, "record holds NaN or Infinity, which JSON does not allow"]]


@pytest.mark.parametrize(
    ("point", "reason"),
    [
        (b"[20.0,true,50.01,1100,200.0,90.0,0,0]", "lat is true or false, not a number"),
        (b"[true,40.01,50.01,1100,200.0,90.0,0,0]", "time offset is true or false, not a number"),
        (b"[20.0,40.01,50.01,false,200.0,90.0,0,0]", 'alt is neither a number nor "ground"'),
        (b"[20.0,40.01,50.01,1100,200.0,90.0,true,0]", "flags is true or false, not a number"),
    ],
    ids=["lat", "offset", "alt", "flags"],
)
def test_a_boolean_is_never_a_number_in_a_trace(tmp_path: Path, point: bytes, reason: str) -> None:
    ds = read(write(tmp_path, trace_bytes(P0, point)))
    assert ds.points["src_row"].tolist() == [0]
    assert ds.quarantine.loc[0, "src_row"] == 1 and ds.quarantine.loc[0, "reason"].split("; ")[0] == reason


def test_a_boolean_is_never_a_number_in_opensky_json(tmp_path: Path) -> None:
    track = {"icao24": "600864", "startTime": T, "endTime": T, "callsign": "A", "path": [[T, True, 50.0, 300.0, 90.0, False], [T + 10, 40.1, 50.1, 300.0, 90.0, False]]}
    ds = read(write(tmp_path, orjson.dumps(track), "track.json"))
    assert ds.points["src_row"].tolist() == [1]
    assert ds.quarantine.loc[0, "reason"].startswith("latitude 'true' is not a number")
    row = ["600864", "A", "AZ", True, T, 50.0, 40.0, 1000.0, False, 100.0, 90.0, 0.0, None, None, "1000", False, 0]
    ds = read(write(tmp_path, orjson.dumps({"time": T, "states": [row, [*row[:3], T, *row[4:]]]}), "states.json"))
    assert ds.points["src_row"].tolist() == [1]
    assert ds.quarantine.loc[0, "reason"] == "time is not a number"


def test_longest_string_skips_escaped_quotes() -> None:
    assert longest_string(b'{"a":"x\\"yy","b":"z"}') == len('x\\"yy')
    assert longest_string(b'{"a":"x\\\\","b":"zzzzzzzz"}') == 8  # an escaped backslash does not escape the quote after it
    assert longest_string(b"[1,2,3]") == 0
