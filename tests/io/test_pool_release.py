"""``flighttrace.read`` gives a mimalloc pool its freed pages back after each file, the C allocator once at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import flighttrace

CSV = "time,icao24,lat,lon,baroaltitude\n{t},600864,40.4,50.0,1000\n"


class _Pool:
    """A memory pool that says which allocator it is and counts the releases asked of it."""

    def __init__(self, backend: str) -> None:
        self.backend_name = backend
        self.releases = 0

    def release_unused(self) -> None:
        self.releases += 1


@pytest.mark.parametrize(("backend", "expected"), [("mimalloc", 3 + 1), ("system", 1), ("jemalloc", 1)])
def test_releases_per_file_only_for_mimalloc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, expected: int) -> None:
    for i in range(3):
        (tmp_path / f"states_{i}.csv").write_text(CSV.format(t=1693785600 + i))  # a point a second: no duplicates
    pool = _Pool(backend)
    real = pa.default_memory_pool

    def fake(*args: Any) -> Any:
        return pool

    monkeypatch.setattr(pa, "default_memory_pool", fake)
    try:
        ds = flighttrace.read([tmp_path])
    finally:
        monkeypatch.setattr(pa, "default_memory_pool", real)
    assert len(ds.points) == 3  # one point per file, all read
    assert pool.releases == expected  # 3 files: one release after each, and the one after assembling
