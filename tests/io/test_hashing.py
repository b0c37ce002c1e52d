"""The SHA-256 of every input is of the bytes parsed, hashed as they are read (inline or in a thread); a file that changes while read is caught."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

import flighttrace
import flighttrace.io.api as api
from flighttrace.hashing import HashingReader, NotRegularFile, sha256_file
from tests.builders import trace_doc, write_json

POINTS = [
    [0.0, 40.4675, 50.0467, "ground", 12.0, 160.0, 0, None, {"flight": "AZQ6224 "}, "adsb_icao", None, None, None, None],
    [20.0, 40.4700, 50.0450, 1500, 165.0, 340.0, 0, 2048, None, "adsb_icao", None, None, None, None],
]


@pytest.mark.parametrize("threshold", [0, 1 << 40], ids=["in-a-thread", "inline"])
def test_manifest_hash_is_the_stored_bytes_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int) -> None:
    monkeypatch.setattr(api, "HASH_IN_THREAD_BYTES", threshold)
    a = write_json(tmp_path / "trace_full_600864.json", trace_doc(POINTS), gz=True)
    b = tmp_path / "states.csv"
    b.write_text('time,icao24,lat,lon\n1693526460,"600864",40.4800,50.0400\n')
    ds = flighttrace.read([a, b])
    got = dict(zip(ds.manifest["path"].map(lambda p: Path(p).name), ds.manifest["sha256"], strict=False))
    assert got == {a.name: hashlib.sha256(a.read_bytes()).hexdigest(), b.name: hashlib.sha256(b.read_bytes()).hexdigest()}
    assert len(ds.points) == 3


@pytest.mark.parametrize("threshold", [0, 1 << 40], ids=["in-a-thread", "inline"])
def test_a_file_that_cannot_be_opened_is_a_manifest_error_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    monkeypatch.setattr(api, "HASH_IN_THREAD_BYTES", threshold)
    good = write_json(tmp_path / "trace_full_600864.json", trace_doc(POINTS), gz=True)
    bad = write_json(tmp_path / "trace_full_600865.json", trace_doc(POINTS, icao="600865"), gz=True)
    real = api.Source.open_tracked

    def failing(self: api.Source, **kw):  # type: ignore[no-untyped-def]
        if self.path is not None and self.path.name == bad.name:
            raise PermissionError(13, "Permission denied")
        return real(self, **kw)

    monkeypatch.setattr(api.Source, "open_tracked", failing)
    ds = flighttrace.read([good, bad])
    m = ds.manifest.set_index(ds.manifest["path"].map(lambda p: Path(p).name))
    assert m.loc[good.name, "error"] == "" and m.loc[good.name, "rows_kept"] == 2
    assert m.loc[bad.name, "error"] == "cannot read the file (Permission denied)"
    assert (ds.quarantine["src_file"].map(lambda p: Path(p).name) == bad.name).any()


def test_a_parquet_file_read_by_seeking_is_hashed_whole_and_once(tmp_path: Path) -> None:
    from flighttrace.sim.writers import write_state_vectors_parquet
    from tests.builders import points

    path = tmp_path / "states.parquet"
    write_state_vectors_parquet(points(50), path)
    ds = flighttrace.read(path)
    assert ds.manifest.loc[0, "sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() and len(ds.points) == 50


@pytest.mark.parametrize("threaded", [False, True])
def test_hashing_reader_hashes_every_byte_once_in_order(threaded: bool) -> None:
    data = bytes(range(256)) * 40
    r = HashingReader(io.BytesIO(data), threaded=threaded, block=100)
    r.seek(5000)  # forward: the skipped bytes are hashed first
    assert r.read(10) == data[5000:5010]
    r.seek(20)  # back: bytes already hashed are not hashed again
    assert r.read(30) == data[20:50]
    assert r.finish() == (hashlib.sha256(data).hexdigest(), len(data))


def test_hashing_reader_never_reads_past_its_cap() -> None:
    data = b"x" * 1000
    r = HashingReader(io.BytesIO(data), size_cap=600)
    assert len(r.read(10_000)) == 600 and r.read(1) == b""
    assert r.finish() == (hashlib.sha256(data[:600]).hexdigest(), 600)


def test_sha256_file_refuses_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegularFile, match="not a regular file"):
        sha256_file(tmp_path / "pipe")
    (tmp_path / "f").write_bytes(b"abc")
    assert sha256_file(tmp_path / "f") == hashlib.sha256(b"abc").hexdigest()


def _grow_while_read(monkeypatch: pytest.MonkeyPatch, path: Path, extra: bytes) -> None:
    """Append ``extra`` to ``path`` once its reading has begun (as a logger writing to it would)."""
    real = api.dispatch

    def dispatch(raw, ctx, fmt=None):  # type: ignore[no-untyped-def]
        out = real(raw, ctx, fmt)
        with open(path, "ab") as fh:
            fh.write(extra)
        return out

    monkeypatch.setattr(api, "dispatch", dispatch)


def test_a_log_that_grows_while_read_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flighttrace.sim.writers import write_sbs
    from tests.builders import points

    path = tmp_path / "live.sbs"
    write_sbs(points(10), path)
    parsed = path.read_bytes()
    more = parsed[: parsed.index(b"\n") + 1] * 5
    _grow_while_read(monkeypatch, path, more)
    ds = flighttrace.read(path)
    row = ds.manifest.iloc[0]
    size = len(parsed)
    assert row["error"] == (
        f"changed while read: its size went from {size:,} to {size + len(more):,} bytes; its modification time changed; "
        "its 10 record(s) are not kept (the SHA-256 is of the bytes that were parsed); read it again once nothing writes to it"
    )
    assert row["sha256"] == hashlib.sha256(parsed).hexdigest()  # the bytes parsed, not the file as it is now
    assert (row["rows_read"], row["rows_kept"], row["rows_quarantined"]) == (10, 0, 10) and len(ds.points) == 0
    whole = ds.quarantine[ds.quarantine["src_row"].isna()]
    assert whole["reason"].tolist() == [row["error"]]
    api.assert_counts(ds)


def test_a_file_rewritten_in_place_while_read_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_json(tmp_path / "trace_full_600864.json", trace_doc(POINTS))
    real = api.dispatch

    def dispatch(raw, ctx, fmt=None):  # type: ignore[no-untyped-def]
        out = real(raw, ctx, fmt)
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # same size, new modification time
        return out

    monkeypatch.setattr(api, "dispatch", dispatch)
    row = flighttrace.read(path).manifest.iloc[0]
    assert row["error"].startswith("changed while read: its modification time changed; its 2 record(s) are not kept")
