"""ZIP archives and KMZ files: each member read as the file unpacked would be; damage and hostile construction get a row that says why."""

from __future__ import annotations

import hashlib
import struct
import warnings
import zipfile
from pathlib import Path

import orjson
import pandas as pd
import pytest

import flighttrace
from flighttrace.io import zips
from flighttrace.io._normalise import Limits
from flighttrace.io.api import assert_counts
from flighttrace.io.bounds import SizeLimits
from flighttrace.sim.writers import write_fr24_kml, write_state_vectors_csv
from tests.builders import points, trace_doc

GOOD = [[0.0, 40.0, 50.0, 1000, 200.0, 90.0, 0, 0], [20.0, 40.01, 50.01, 1100, 200.0, 90.0, 0, 0]]


def trace(hexid: str) -> bytes:
    return orjson.dumps(trace_doc(GOOD, icao=hexid))


def zip_file(path: Path, members: list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of a repeated name, which one test wants
        with zipfile.ZipFile(path, "w", method) as z:
            for name, data in members:
                z.writestr(name, data)
    return path


def read(paths, **kw):  # type: ignore[no-untyped-def]
    ds = flighttrace.read(paths, **kw)
    assert_counts(ds)
    return ds


def rows(ds) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {p: r for p, r in zip(ds.manifest["path"], ds.manifest.to_dict("records"), strict=True)}


def _points(ds) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return ds.points.drop(columns=["src_file"]).reset_index(drop=True)


def test_members_are_read_and_hashed_as_the_files_unpacked(tmp_path: Path) -> None:
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    (unpacked / "trace_full_600864.json").write_bytes(trace("600864"))
    write_state_vectors_csv(points(7, icao24="4ca2d6"), unpacked / "states.csv")
    files = sorted(unpacked.iterdir())
    archive = zip_file(tmp_path / "flights.zip", [(f.name, f.read_bytes()) for f in files])
    got, direct = read(archive), read(unpacked)
    label = archive.as_posix() + "!"
    m = rows(got)
    assert list(m) == [label + f.name for f in files]  # archive order, one row per member
    for f in files:  # the digest of each member is that of its bytes, as the file's is
        assert m[label + f.name]["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
    assert got.manifest["format"].tolist() == direct.manifest["format"].tolist() == ["opensky_csv", "readsb_trace"]
    pd.testing.assert_frame_equal(_points(got), _points(direct))
    assert set(got.points["src_file"].astype(str)) == {label + f.name for f in files}


def test_folders_readmes_and_repeated_names(tmp_path: Path) -> None:
    archive = zip_file(tmp_path / "day.zip", [("traces/", b""), ("traces/trace_full_600864.json", trace("600864")),
                                              ("README.txt", b"what this is"), ("traces/trace_full_600864.json", trace("600864"))])
    m = rows(read(archive))
    label = archive.as_posix() + "!"
    # by hand: the folder entry is not a member; the readme is listed as skipped; the second copy of a name is told apart by its position
    assert list(m) == [label + "traces/trace_full_600864.json", label + "README.txt", label + "traces/trace_full_600864.json #3"]
    assert m[label + "README.txt"]["format"] == "skipped"
    assert m[label + "traces/trace_full_600864.json"]["rows_kept"] == 2
    assert m[label + "traces/trace_full_600864.json #3"]["rows_duplicate"] == 2  # the same records again


def test_an_encrypted_member_and_a_damaged_one_get_their_rows_and_the_others_are_read(tmp_path: Path) -> None:
    path = zip_file(tmp_path / "mixed.zip", [("good.json", trace("600864")), ("locked.json", trace("4ca2d6")), ("bad.json", trace("4ca2d7"))],
                    method=zipfile.ZIP_STORED)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        locked = z.getinfo("locked.json")
    # the encryption bit (bit 0 of the flags) set in the member's local header and its directory entry: zipfile cannot encrypt,
    # and reading such a member asks for a password
    raw[locked.header_offset + 6] |= 0x1
    entry = raw.index(b"locked.json", raw.index(b"PK\x01\x02")) - 46  # its directory entry: the name comes 46 bytes in
    raw[entry + 8] |= 0x1
    at = raw.index(b'"4ca2d7"')  # a byte of the stored member changed: its CRC no longer matches
    raw[at + 1] = ord("5")
    path.write_bytes(bytes(raw))
    m = rows(read(path))
    label = path.as_posix() + "!"
    assert m[label + "good.json"]["error"] == "" and m[label + "good.json"]["rows_kept"] == 2
    assert m[label + "locked.json"]["error"] == "ZIP member is encrypted: not read (a password is needed)"
    assert m[label + "bad.json"]["error"].startswith("ZIP member is damaged (Bad CRC-32")


def test_an_archive_cut_short_is_one_row_that_says_so(tmp_path: Path) -> None:
    whole = zip_file(tmp_path / "whole.zip", [("trace_full_600864.json", trace("600864"))]).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])  # the table of contents at the end is gone
    ds = read(cut)
    assert ds.manifest["path"].tolist() == [cut.as_posix()]
    assert ds.manifest.loc[0, "error"].startswith("ZIP archive is damaged or cut short (no end-of-archive record")
    assert len(ds.points) == 0


def _with_second_entry_on_the_first_member(data: bytes, name: bytes) -> bytes:
    """The archive with a second central-directory entry, named ``name``, that points at the first member's bytes."""
    cd_at = struct.unpack_from("<L", data, len(data) - 22 + 16)[0]
    end = data[len(data) - 22 :]
    first = data[cd_at : len(data) - 22]
    n_name, n_extra, n_comment = struct.unpack_from("<3H", first, 28)
    entry = first[: 46 + n_name + n_extra + n_comment]
    copy = entry[:28] + struct.pack("<H", len(name)) + entry[30:46] + name + entry[46 + n_name :]
    cd = first + copy
    count = struct.unpack_from("<H", end, 10)[0] + 1
    new_end = end[:8] + struct.pack("<HHLL", count, count, len(cd), cd_at) + end[20:]
    return data[:cd_at] + cd + new_end


def test_members_that_share_stored_bytes_are_refused(tmp_path: Path) -> None:
    whole = zip_file(tmp_path / "one.zip", [("trace_full_600864.json", trace("600864"))]).read_bytes()
    bomb = tmp_path / "overlap.zip"
    bomb.write_bytes(_with_second_entry_on_the_first_member(whole, b"again.json"))
    with zipfile.ZipFile(bomb) as z:  # zipfile itself would read both: the same bytes twice
        assert [i.header_offset for i in z.infolist()] == [0, 0]
    ds = read(bomb)
    assert ds.manifest["path"].tolist() == [bomb.as_posix()]
    assert ds.manifest.loc[0, "error"] == ("ZIP archive whose members 'trace_full_600864.json' and 'again.json' share stored bytes "
                                           "(how a zip bomb is built): not read")


def test_a_table_of_contents_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = zip_file(tmp_path / "many.zip", [(f"trace_full_6008{k:02x}.json", trace(f"6008{k:02x}")) for k in range(3)])
    with zipfile.ZipFile(archive) as z:
        cd = sum(46 + len(i.filename) + len(i.extra) + len(i.comment) for i in z.infolist())
    monkeypatch.setattr(zips, "CENTRAL_MAX_BYTES", cd - 1)
    ds = read(archive)
    assert ds.manifest.loc[0, "error"].startswith(f"ZIP archive with a table of contents of {cd:,} bytes")
    monkeypatch.setattr(zips, "CENTRAL_MAX_BYTES", cd)
    assert read(archive).manifest["error"].tolist() == ["", "", ""]


def test_a_member_larger_than_member_bytes_is_parsed_as_it_inflates(tmp_path: Path) -> None:
    data = trace("600864")
    archive = zip_file(tmp_path / "big.zip", [("trace_full_600864.json", data), ("trace_full_4ca2d6.json", trace("4ca2d6"))])
    small = Limits(size=SizeLimits(member_bytes=len(data) - 1))
    streamed, held = read(archive, limits=small), read(archive)
    pd.testing.assert_frame_equal(_points(streamed), _points(held))
    assert streamed.manifest["sha256"].tolist() == held.manifest["sha256"].tolist()
    assert streamed.manifest["sha256"].iloc[0] == hashlib.sha256(data).hexdigest()  # the first member, the one streamed


def test_workers_read_the_members_as_one_process_does(tmp_path: Path) -> None:
    archive = zip_file(tmp_path / "day.zip", [(f"trace_full_6008{k:02x}.json", trace(f"6008{k:02x}")) for k in range(6)])
    one, two = read(archive), read(archive, n_jobs=2)
    pd.testing.assert_frame_equal(one.points, two.points)
    assert one.manifest["path"].tolist() == two.manifest["path"].tolist()
    # members over member_bytes are parsed here, as they inflate, between the batches the workers take
    small = Limits(size=SizeLimits(member_bytes=len(trace("600800")) - 1))
    mixed = zip_file(tmp_path / "mixed.zip", [("trace_full_600800.json", trace("600800")), ("tiny.json", b"[]"),
                                              ("trace_full_600801.json", trace("600801"))])
    a, b = read(mixed, limits=small), read(mixed, limits=small, n_jobs=2)
    pd.testing.assert_frame_equal(a.points, b.points)
    assert a.manifest.drop(columns=["read_s"], errors="ignore").equals(b.manifest.drop(columns=["read_s"], errors="ignore"))
    assert len(a.points) == 4


def test_an_icao24_selection_skips_other_aircraft_traces_by_name(tmp_path: Path) -> None:
    archive = zip_file(tmp_path / "day.zip", [("trace_full_600864.json", trace("600864")), ("trace_full_4ca2d6.json", trace("4ca2d6"))])
    ds = read(archive, icao24="600864")
    assert ds.manifest["path"].tolist() == [archive.as_posix() + "!trace_full_600864.json"]
    assert set(ds.points["icao24"].astype(str)) == {"600864"}


def test_a_kmz_is_read_through_the_kml_inside_it_and_lends_it_its_name(tmp_path: Path) -> None:
    kml = tmp_path / "AZQ6224_hex600864.kml"
    write_fr24_kml(points(6), kml, flight="ZP6224", callsign="AZQ6224")
    kmz = zip_file(tmp_path / "AZQ6224_hex600864.kmz", [("doc.kml", kml.read_bytes())])
    got, direct = read(kmz), read(kml)
    assert got.manifest["format"].tolist() == ["fr24_kml"]
    assert len(got.points) == len(direct.points) == 6


def test_zips_inside_archives_and_office_documents_are_not_opened(tmp_path: Path) -> None:
    inner = zip_file(tmp_path / "inner.zip", [("trace_full_600864.json", trace("600864"))]).read_bytes()
    outer = zip_file(tmp_path / "outer.zip", [("inner.zip", inner), ("trace_full_4ca2d6.json", trace("4ca2d6"))])
    workbook = zip_file(tmp_path / "flights.xlsx", [("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")])
    m = rows(read([outer, workbook]))
    nested = m[outer.as_posix() + "!inner.zip"]["error"]
    assert nested.startswith("a ZIP archive, inside another archive or named as an office document or a data file") and "unpack" in nested
    assert m[outer.as_posix() + "!trace_full_4ca2d6.json"]["rows_kept"] == 2
    assert m[workbook.as_posix()]["error"].startswith("a ZIP archive, inside another archive or named as an office document")
    named_as_data = zip_file(tmp_path / "flights.json", [("trace_full_600864.json", trace("600864"))])  # a data file's name is trusted
    assert read(named_as_data).manifest.loc[0, "error"].startswith("a ZIP archive")
