"""A format given by the caller that does not fit the content: one clear file-level row, never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

import flighttrace
from flighttrace.io.api import assert_counts
from flighttrace.sim.writers import write_sbs, write_state_vectors_parquet
from tests.builders import points, trace_doc, write_json


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    pts = points(3)
    out = {"parquet": tmp_path / "states.parquet", "json": tmp_path / "trace.json", "text": tmp_path / "log.sbs"}
    write_state_vectors_parquet(pts, out["parquet"])
    write_json(out["json"], trace_doc([[0.0, 40.0, 50.0, 1000, 200.0, 90.0, 0, 0]]))
    write_sbs(pts, out["text"])
    return out


@pytest.mark.parametrize(
    ("content", "fmt", "error"),
    [
        ("parquet", "readsb_trace", "not a readsb trace: the file is Parquet (format 'readsb_trace' was given)"),
        ("parquet", "sbs", "not an SBS log: the file is Parquet (format 'sbs' was given)"),
        ("text", "opensky_tracks", "not an OpenSky /tracks/all document: the content is text, not JSON (first line: 'MSG,"),
        ("json", "sbs", "not an SBS log: the content is JSON"),
        ("json", "opensky_parquet", "not OpenSky state vectors in Parquet: the content is JSON, not a Parquet file"),
        ("json", "fr24_json", "not an FR24 playback document: format 'fr24_json' was given, but the JSON document is an object with keys 'icao', 'timestamp', 'trace'"),
    ],
)
def test_a_forced_format_that_does_not_fit_is_one_clear_row(files: dict[str, Path], content: str, fmt: str, error: str) -> None:
    ds = flighttrace.read(files[content], format=fmt)
    assert_counts(ds)
    (got,) = ds.manifest["error"].tolist()
    assert got == error or (error.endswith("'MSG,") and got.startswith(error))  # the SBS case quotes the first line
    whole = ds.quarantine[ds.quarantine["src_row"].isna()]
    assert whole["reason"].tolist() == [got]
