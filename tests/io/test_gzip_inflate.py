"""Small gzip files are inflated in one call, unless their content is large, damaged or in several members."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pytest

import flighttrace
import flighttrace.io.detect as detect

HEADER = "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,baroaltitude\n"


def _csv(n: int, t0: int = 1693526400) -> str:
    return HEADER + "".join(f'{t0 + 10 * i},"600864",{40.0 + i * 1e-3:.6f},50.000000,120,90,0,"AZQ6224",false,3000\n' for i in range(n))


def _buffered(data: bytes) -> io.BufferedReader:
    return io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]


def test_content_larger_than_the_cap_is_streamed_not_inflated_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _csv(200)
    packed = gzip.compress(text.encode())
    monkeypatch.setattr(detect, "SMALL_GZIP_MAX_INFLATED", len(text) - 1)
    assert detect._small_gzip_in_memory(_buffered(packed), packed[:4]) is None
    monkeypatch.setattr(detect, "SMALL_GZIP_MAX_INFLATED", len(text))
    whole = detect._small_gzip_in_memory(_buffered(packed), packed[:4])
    assert whole is not None and whole[0].read() == text.encode()
    # either way read() gives every row
    monkeypatch.setattr(detect, "SMALL_GZIP_MAX_INFLATED", 1000)
    f = tmp_path / "states.csv.gz"
    f.write_bytes(packed)
    ds = flighttrace.read(f)
    assert len(ds.points) == 200 and ds.manifest.loc[0, "compression"] == "gzip"


def test_several_gzip_members_are_all_read(tmp_path: Path) -> None:
    a, b = _csv(3), _csv(2, t0=1693527400)
    f = tmp_path / "states.csv.gz"
    second = "".join(b.splitlines(keepends=True)[1:])  # a second member holding two more rows, no header
    f.write_bytes(gzip.compress(a.encode()) + gzip.compress(second.encode()))
    packed = f.read_bytes()
    assert detect._small_gzip_in_memory(_buffered(packed), packed[:4]) is None  # the stream reader handles members
    ds = flighttrace.read(f)
    assert len(ds.points) == 5 and ds.manifest.loc[0, "error"] == ""


def test_truncated_gzip_is_streamed_and_reported(tmp_path: Path) -> None:
    packed = gzip.compress(_csv(2000).encode())
    cut = packed[: len(packed) // 2]
    assert detect._small_gzip_in_memory(_buffered(cut), cut[:4]) is None
    f = tmp_path / "states.csv.gz"
    f.write_bytes(cut)
    ds = flighttrace.read(f)
    assert "truncated" in ds.manifest.loc[0, "error"]
    assert ds.quarantine["src_row"].isna().sum() == 1  # the file's own quarantine row


def test_truncated_gzip_csv_keeps_the_blocks_before_the_damage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flighttrace.io.opensky as opensky

    monkeypatch.setattr(opensky, "CSV_BLOCK_BYTES", 4096)  # many blocks, parsed ahead in a thread
    packed = gzip.compress(_csv(20000).encode())  # ~1.7 MB of text: the damage lies past the first buffers
    f = tmp_path / "states.csv.gz"
    f.write_bytes(packed[: len(packed) // 2])
    ds = flighttrace.read(f)
    m = ds.manifest.loc[0]
    assert "truncated" in m["error"] and f"the {m['rows_read']} record(s) before the failure were kept" in m["error"]
    assert 0 < len(ds.points) == m["rows_kept"] < 20000
    # the rows kept are the first ones of the file, in order, each with the values written on its line
    n = len(ds.points)
    assert ds.points["src_row"].tolist() == list(range(n))
    assert ds.points["lat"].tolist() == pytest.approx([40.0 + i * 1e-3 for i in range(n)])
    assert ds.points["alt_ft"].tolist() == pytest.approx([3000 / 0.3048] * n)  # baroaltitude is metres
    # the line the damage cut in two is quarantined, not read as a (wrong) row
    q = ds.quarantine[ds.quarantine["src_row"].notna()]
    assert q["src_row"].tolist() == [n] and q["reason"].tolist() == ["row cut short where the compressed stream is damaged"]
    assert m["rows_read"] == n + 1 and m["rows_quarantined"] == 1


def test_truncated_gzip_sbs_keeps_the_whole_lines_before_the_damage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flighttrace.io.sbs as sbs

    monkeypatch.setattr(sbs, "READ_BLOCK_BYTES", 4096)
    lines = [
        f"MSG,3,1,1,600864,1,2023/09/03,10:{i // 60:02d}:{i % 60:02d}.000,2023/09/03,10:{i // 60:02d}:{i % 60:02d}.000,,{3000 + i},,,"
        f"{29.9 + i * 1e-4:.6f},{34.9:.6f},,,0,0,0,0\r\n"
        for i in range(3000)
    ]
    packed = gzip.compress("".join(lines).encode())
    f = tmp_path / "receiver.sbs.gz"
    f.write_bytes(packed[: len(packed) // 2])
    ds = flighttrace.read(f)
    m = ds.manifest.loc[0]
    assert "truncated" in m["error"] and "record(s) before the failure were kept" in m["error"]
    n = len(ds.points)
    assert 0 < n < 3000 and n == m["rows_kept"]
    # every kept position is one whole line as written: lat and altitude belong together, none cut short
    i = np.rint((ds.points["lat"].to_numpy() - 29.9) / 1e-4).astype(int)
    assert (ds.points["alt_ft"].to_numpy() == 3000 + i).all()
    assert i.tolist() == list(range(n))


def _inflaters() -> list[object]:
    """Both inflaters :func:`detect.inflate_one_member` may use: the standard library's zlib, and ISA-L's when installed."""
    import zlib

    out: list[object] = [pytest.param((zlib, (zlib.error,)), id="zlib")]
    try:
        from isal import isal_zlib
    except ImportError:
        return out
    return [*out, pytest.param((isal_zlib, (isal_zlib.error, zlib.error)), id="isal")]


@pytest.mark.parametrize("inflater", _inflaters())
def test_one_whole_member_is_inflated_and_anything_else_is_left_to_the_stream(inflater: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect, "_inflater", lambda: inflater)
    text = _csv(300).encode()
    packed = gzip.compress(text)
    assert detect.inflate_one_member(packed, 1 << 20) == text
    bad_crc = bytearray(packed)
    bad_crc[-8] ^= 0xFF  # the trailer's CRC-32 (its first byte): content intact, checksum wrong
    assert detect.inflate_one_member(bytes(bad_crc), 1 << 20) is None
    bad_size = bytearray(packed)
    bad_size[-1] ^= 0xFF  # the trailer's length (ISIZE)
    assert detect.inflate_one_member(bytes(bad_size), 1 << 20) is None
    assert detect.inflate_one_member(packed[:-9], 1 << 20) is None  # cut inside the data
    assert detect.inflate_one_member(packed + packed, 1 << 20) is None  # a second member follows
    assert detect.inflate_one_member(packed + b"\0", 1 << 20) is None  # trailing bytes
    assert detect.inflate_one_member(packed, len(text) - 1) is None  # larger than allowed
    assert detect.inflate_one_member(b"\x1f\x8b" + b"\xff" * 40, 1 << 20) is None  # not deflate at all


def test_a_gzip_file_with_a_wrong_checksum_is_reported_not_read_as_good(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(_csv(50).encode()))
    packed[-8] ^= 0xFF
    f = tmp_path / "states.csv.gz"
    f.write_bytes(bytes(packed))
    ds = flighttrace.read(f)
    assert "CRC" in ds.manifest.loc[0, "error"]
