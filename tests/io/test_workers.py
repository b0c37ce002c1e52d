"""read(n_jobs=2) gives the same tables as reading in this process, file order and bad files included."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

import flighttrace
import flighttrace.io.api as api

ADSBLOL = Path(__file__).resolve().parents[2] / "fixtures" / "ovda" / "data" / "adsblol" / "2023" / "09"


def test_worker_processes_give_the_same_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "in"
    shutil.copytree(ADSBLOL, src)
    (src / "broken_trace_full_600864.json").write_bytes(gzip.compress(b'{"icao":"600864","timestamp":1693526400,"trace":[[0,')[:-6])
    (src / "empty.json").write_bytes(b"")
    monkeypatch.setattr(api, "BATCH_FILES", 3)  # several batches, so their order matters
    one = flighttrace.read(src)
    two = flighttrace.read(src, n_jobs=2)
    assert len(one.manifest) > 6 and (one.manifest["error"] != "").sum() == 2
    pd.testing.assert_frame_equal(one.points, two.points)
    pd.testing.assert_frame_equal(one.quarantine, two.quarantine)
    pd.testing.assert_frame_equal(one.manifest, two.manifest)
