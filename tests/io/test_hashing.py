"""The SHA-256 of every input, hashed inline (small files) or in a thread while the file is parsed (large ones)."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

import flighttrace
import flighttrace.io.api as api
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
    got = dict(zip(ds.manifest["path"].map(lambda p: Path(p).name), ds.manifest["sha256"]))
    assert got == {a.name: hashlib.sha256(a.read_bytes()).hexdigest(), b.name: hashlib.sha256(b.read_bytes()).hexdigest()}
    assert len(ds.points) == 3


@pytest.mark.parametrize("threshold", [0, 1 << 40], ids=["in-a-thread", "inline"])
def test_a_file_that_cannot_be_hashed_is_a_manifest_error_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    monkeypatch.setattr(api, "HASH_IN_THREAD_BYTES", threshold)
    good = write_json(tmp_path / "trace_full_600864.json", trace_doc(POINTS), gz=True)
    bad = tmp_path / "trace_full_600865.json"
    bad.write_bytes(gzip.compress(b"{}"))
    real = api.Source.sha256

    def failing(self: api.Source) -> str:
        if self.path is not None and self.path.name == bad.name:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(api.Source, "sha256", failing)
    ds = flighttrace.read([good, bad])
    m = ds.manifest.set_index(ds.manifest["path"].map(lambda p: Path(p).name))
    assert m.loc[good.name, "error"] == "" and m.loc[good.name, "rows_kept"] == 2
    assert m.loc[bad.name, "error"] != ""
    assert (ds.quarantine["src_file"].map(lambda p: Path(p).name) == bad.name).any()
