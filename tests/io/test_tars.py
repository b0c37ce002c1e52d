"""Tar archives that are damaged, odd or hostile: the good members are read, everything else has a row that says why."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import orjson
import pytest

import flighttrace
from flighttrace.io._normalise import Limits
from flighttrace.io.api import assert_counts
from flighttrace.io.bounds import SizeLimits
from flighttrace.io.sources import iter_sources
from tests.builders import trace_doc

GOOD = [[0.0, 40.0, 50.0, 1000, 200.0, 90.0, 0, 0], [20.0, 40.01, 50.01, 1100, 200.0, 90.0, 0, 0]]


def trace(hexid: str, points: list | None = None) -> bytes:  # type: ignore[type-arg]
    return orjson.dumps(trace_doc(points or GOOD, icao=hexid))


def tar_bytes(members: list[tuple[str, bytes | None, bytes]]) -> bytes:
    """A tar of ``(name, type, data)`` members (type ``None`` = regular file)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            if kind is None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                info.type = kind
                info.linkname = data.decode()
                tar.addfile(info)
    return buf.getvalue()


def read(paths, **kw):  # type: ignore[no-untyped-def]
    ds = flighttrace.read(paths, **kw)
    assert_counts(ds)
    return ds


def by_path(ds) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {p: r for p, r in zip(ds.manifest["path"], ds.manifest.to_dict("records"), strict=False)}


def test_two_members_with_one_name_are_told_apart_and_their_counts_add_up(tmp_path: Path) -> None:
    path = tmp_path / "day.tar"
    second = [[40.0, 40.02, 50.02, 1200, 200.0, 90.0, 0, 0]]
    path.write_bytes(tar_bytes([("./traces/64/trace_full_600864.json", None, trace("600864")),
                                ("./traces/64/trace_full_600864.json", None, trace("600864", second))]))
    ds = read(path)
    label = path.as_posix() + "!traces/64/trace_full_600864.json"
    m = by_path(ds)
    assert list(m) == [label, label + " #2"]  # the second is the archive's member 2
    assert (m[label]["rows_read"], m[label]["rows_kept"]) == (2, 2)
    assert (m[label + " #2"]["rows_read"], m[label + " #2"]["rows_kept"]) == (1, 1)
    assert ds.points.groupby("src_file", observed=True).size().to_dict() == {label: 2, label + " #2": 1}


def test_link_fifo_and_device_members_have_rows(tmp_path: Path) -> None:
    path = tmp_path / "odd.tar"
    path.write_bytes(tar_bytes([
        ("./a.json", tarfile.SYMTYPE, b"traces/64/trace_full_600864.json"),
        ("./b.json", tarfile.LNKTYPE, b"traces/64/trace_full_600864.json"),
        ("./pipe", tarfile.FIFOTYPE, b""),
        ("./zero", tarfile.CHRTYPE, b""),
        ("./traces/64/trace_full_600864.json", None, trace("600864")),
    ]))
    m = by_path(read(path))
    base = path.as_posix() + "!"
    notes = {k[len(base):]: r["notes"] for k, r in m.items() if r["format"] == "skipped"}
    assert notes == {
        "a.json": "tar member is a symbolic link to 'traces/64/trace_full_600864.json': not read",
        "b.json": "tar member is a hard link to 'traces/64/trace_full_600864.json': not read",
        "pipe": "tar member is a FIFO: not read",
        "zero": "tar member is a character device: not read",
    }
    assert m[base + "traces/64/trace_full_600864.json"]["rows_kept"] == 2


@pytest.mark.parametrize("compress", [False, True], ids=["tar", "tar.gz"])
def test_a_truncated_tar_keeps_the_members_before_the_cut_and_says_so(tmp_path: Path, compress: bool) -> None:
    whole = tar_bytes([(f"./traces/6{k}/trace_full_60086{k}.json", None, trace(f"60086{k}")) for k in range(4)])
    # each member is a 512-byte header and one 512-byte block of data: cut inside the third member's data
    cut = whole[: 2 * 1024 + 512 + 100]
    path = tmp_path / ("day.tar.gz" if compress else "day.tar")
    path.write_bytes(gzip.compress(cut, mtime=0) if compress else cut)
    m = by_path(read(tmp_path))
    label = path.as_posix()
    kept = {k: r["rows_kept"] for k, r in m.items() if r["error"] == ""}
    assert kept == {label + "!traces/60/trace_full_600860.json": 2, label + "!traces/61/trace_full_600861.json": 2}
    assert m[label + "!traces/62/trace_full_600862.json"]["error"].startswith("tar member is cut short: the archive ends inside it")
    assert m[label]["error"].startswith("tar archive is damaged or truncated")
    assert m[label]["error"].endswith("after member 3; the members after it were not read")


def test_a_tar_gz_whose_compressed_bytes_are_cut_keeps_every_member_before_the_cut(tmp_path: Path) -> None:
    # an interrupted download: the gzip stream itself ends early (not a cut tar gzipped whole)
    rng = __import__("random").Random(7)
    members = []
    for k in range(12):
        pts = [[float(i * 5), 40 + rng.random(), 50 + rng.random(), rng.randrange(0, 40000), 200.0, 90.0, 0, 0] for i in range(300)]
        members.append((f"./traces/{k:02d}/trace_full_6008{k:02d}.json", None, trace(f"6008{k:02d}", pts)))
    z = gzip.compress(tar_bytes(members), mtime=0)
    path = tmp_path / "day.tar.gz"
    path.write_bytes(z[: len(z) * 9 // 10])
    # the truth, from Python's own tar reader in stream mode: the members it can extract whole
    whole = []
    with tarfile.open(path, mode="r|gz") as tar:
        try:
            for member in tar:
                fh = tar.extractfile(member)
                assert fh is not None
                fh.read()
                whole.append(member.name.removeprefix("./"))
        except (tarfile.TarError, EOFError):
            pass
    assert 8 <= len(whole) < 12
    m = by_path(read(path))
    label = path.as_posix()
    kept = [k[len(label) + 1:] for k, r in m.items() if r["error"] == "" and r["rows_kept"] == 300]
    assert kept == whole
    assert m[label]["error"].startswith("tar archive is damaged or truncated")
    assert "Compressed file ended before the end-of-stream marker" in m[label]["error"]


def test_a_tar_cut_at_a_header_boundary_is_not_taken_for_a_whole_archive(tmp_path: Path) -> None:
    whole = tar_bytes([(f"./traces/6{k}/trace_full_60086{k}.json", None, trace(f"60086{k}")) for k in range(3)])
    path = tmp_path / "day.tar"
    path.write_bytes(whole[: 2 * 1024])  # two whole members, then nothing: no end-of-archive marker
    m = by_path(read(path))
    assert m[path.as_posix()]["error"] == (
        "tar archive ends without the end-of-archive marker (truncated?) after member 2; the members after it were not read"
    )
    assert sum(r["rows_kept"] for r in m.values()) == 4


def test_a_text_file_named_tar_is_read_as_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "notes.tar"
    path.write_text("this is a note, not an archive\n")
    (tmp_path / "traces.tar").write_bytes(trace("600864"))  # a trace named .tar
    m = by_path(read(tmp_path))
    note = m[path.as_posix()]
    assert note["error"].startswith("unrecognised content (first line: 'this is a note, not an archive')")
    assert note["notes"].startswith("named like a tar archive but is not one")
    assert m[(tmp_path / "traces.tar").as_posix()]["rows_kept"] == 2


def test_members_after_a_missing_split_part_have_rows(tmp_path: Path) -> None:
    whole = tar_bytes([(f"./traces/6{k}/trace_full_60086{k}.json", None, trace(f"60086{k}")) for k in range(6)])
    size = 1500
    parts = [whole[i : i + size] for i in range(0, len(whole), size)]
    for k, part in enumerate(parts):
        if k != 2:  # day.tar.ac is missing
            (tmp_path / f"day.tar.a{chr(ord('a') + k)}").write_bytes(part)
    m = by_path(read(tmp_path))
    label = (tmp_path / "day.tar.*").as_posix()
    assert m[label]["error"].startswith("split tar part day.tar.ac is missing: the archive could not be read past it")
    after = [(tmp_path / f"day.tar.a{chr(ord('a') + k)}").as_posix() for k in range(3, len(parts))]
    for p in after:
        assert m[p]["error"] == "not read: the split tar part day.tar.ac before it is missing"
    # the members whose bytes lie in day.tar.aa and day.tar.ab (the first 3000 bytes: the third member's data ends at 2,687) were read
    assert sorted(k for k, r in m.items() if r["rows_kept"]) == [label + f"!traces/6{k}/trace_full_60086{k}.json" for k in range(3)]


def test_a_large_member_is_streamed_not_held(tmp_path: Path) -> None:
    big = trace("600864")
    path = tmp_path / "day.tar"
    small = trace("600865", GOOD[:1])
    path.write_bytes(tar_bytes([("./traces/64/trace_full_600864.json", None, big), ("./traces/65/trace_full_600865.json", None, small)]))
    srcs = iter_sources([path], member_bytes=len(small))
    first = next(srcs)
    assert first.live and first.data is None  # handed over as the archive's stream
    assert first.open().read() == big
    second = next(srcs)
    assert not second.live and second.data == small


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_streamed_member_is_read_like_any_other(tmp_path: Path, n_jobs: int) -> None:
    path = tmp_path / "day.tar"
    path.write_bytes(tar_bytes([(f"./traces/6{k}/trace_full_60086{k}.json", None, trace(f"60086{k}")) for k in range(3)]))
    limits = Limits(size=SizeLimits(member_bytes=10))  # every member is streamed
    ds = read(path, limits=limits, n_jobs=n_jobs)
    assert ds.manifest["rows_kept"].tolist() == [2, 2, 2]
    assert ds.manifest["sha256"].tolist() == [__import__("hashlib").sha256(trace(f"60086{k}")).hexdigest() for k in range(3)]


def test_a_member_bomb_is_refused_past_the_document_limit(tmp_path: Path) -> None:
    # small stand-in for a 2 MB .tar.gz holding a 2 GiB member: 2 MB of white space inside a trace, limit 100 kB
    member = b'{"icao":"600864","timestamp":1693526400,"trace":[' + b" " * 2_000_000 + b"]}"
    path = tmp_path / "day.tar.gz"
    path.write_bytes(gzip.compress(tar_bytes([("./traces/64/trace_full_600864.json", None, member),
                                               ("./traces/65/trace_full_600865.json", None, trace("600865"))]), mtime=0))
    ds = read(path, limits=Limits(size=SizeLimits(document_bytes=100_000, member_bytes=50_000)))
    m = by_path(ds)
    bomb = m[path.as_posix() + "!traces/64/trace_full_600864.json"]
    assert bomb["error"] == "JSON document exceeds 0.1 MB decompressed (limit document_bytes); not parsed"
    assert bomb["sha256"] == __import__("hashlib").sha256(member).hexdigest()  # the whole member, hashed as it streamed past
    assert m[path.as_posix() + "!traces/65/trace_full_600865.json"]["rows_kept"] == 2


def test_a_member_name_that_is_not_utf8_gets_a_printable_label(tmp_path: Path) -> None:
    buf = io.BytesIO()
    name = "./traces/64/caf" + bytes([0xE9]).decode("utf-8", "surrogateescape") + "_trace_full_600864.json"
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape") as tar:
        data = trace("600864")
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    path = tmp_path / "day.tar"
    path.write_bytes(buf.getvalue())
    ds = read(path)
    label = path.as_posix() + "!traces/64/caf\\xe9_trace_full_600864.json"
    assert ds.manifest["path"].tolist() == [label] and ds.manifest["rows_kept"].tolist() == [2]
    assert ds.to_parquet(tmp_path / "out")["points"].exists()  # Arrow takes the label
