"""``flighttrace.read`` pauses the cyclic garbage collector once for the whole read."""

from __future__ import annotations

import gc
from pathlib import Path

import flighttrace
from tests.builders import trace_doc, write_json


def _traces(folder: Path, n_files: int, n_points: int) -> None:
    """``n_files`` readsb traces of ``n_points`` points each (thousands of JSON lists per file)."""
    for k in range(n_files):
        pts = [[float(i * 10), 29.9 + i * 1e-4, 34.9, 10000, 400.0, 180.0, 0, 0, None, "adsb_icao"] for i in range(n_points)]
        write_json(folder / f"trace_full_{0x600860 + k:06x}.json", trace_doc(pts, icao=f"{0x600860 + k:06x}"))


def test_no_collection_runs_between_the_files_of_one_read(tmp_path: Path) -> None:
    """Each file's JSON is parsed with the collector paused; inside one read, the end of a file's pause sets off no collection."""
    _traces(tmp_path, n_files=6, n_points=2000)
    flighttrace.read(tmp_path)  # the modules a read imports on first use are imported (an import may itself set off a collection)
    started: list[int] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(on_gc)
    try:
        ds = flighttrace.read(tmp_path)
    finally:
        gc.callbacks.remove(on_gc)
    assert len(ds.points) == 6 * 2000  # every point of every file kept
    assert len(started) <= 1  # thousands of lists per file: at most one collection, as the read's pause ends (one per file without it)
    assert gc.isenabled()  # the caller's collector is on again afterwards
