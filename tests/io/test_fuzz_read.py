"""Fuzzing ``read()``: random bytes, cut files and mutated files of every format never raise, and the counts always add up.

Bounded in time by hypothesis settings (a fixed number of examples, no
deadline). Each example is checked for: no exception; one manifest row per
file; rows_read = kept + quarantined + duplicate + filtered per file; the
Points table valid; a failed file has exactly one whole-file quarantine row
with its error.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flighttrace
from flighttrace.io._normalise import Limits
from flighttrace.io.api import Dataset, assert_counts
from flighttrace.io.bounds import SizeLimits
from tests.builders import T0, points
from tests.io.fuzzutil import mutate, read_bytes_survives

SMALL = Limits(size=SizeLimits(document_bytes=200_000, line_bytes=2_000, string_bytes=500, member_bytes=300))
"""Limits low enough for the fuzzed files to cross them."""

TOKENS = [b"NaN", b"true", b"false", b"null", b"\x00", b"\xff", b"\xef\xbb\xbf", b'"', b"[", b"]", b"{", b"}", b",", b"\r", b"\n", b"-1e999", b"x" * 600]
"""Bytes that break parsers: JSON literals, structure, bad text, line ends, huge numbers, a string past the limit."""


def _writers() -> dict[str, tuple[str, Callable[[pd.DataFrame, Path], None]]]:
    from flighttrace.sim.writers import (
        write_aircraft_json,
        write_fr24_api_tracks,
        write_fr24_csv,
        write_fr24_granular,
        write_fr24_kml,
        write_fr24_playback,
        write_jet1090,
        write_sbs,
        write_state_vectors_csv,
        write_state_vectors_parquet,
        write_states_json,
        write_trace,
        write_tracks_json,
        write_traffic_json,
        write_v2,
    )

    now = T0 + pd.Timedelta(seconds=5)

    def snapshot(write: Callable[..., None]) -> Callable[[pd.DataFrame, Path], None]:
        def w(p: pd.DataFrame, f: Path) -> None:
            s = p.copy()
            s["icao24"] = [f"6008{k:02x}" for k in range(len(s))]
            s["time"] = T0
            write(s, f, now=now) if write is not write_states_json else write(s, f, time=now)
        return w

    return {
        "readsb_trace": ("trace_full_600864.json", lambda p, f: write_trace(p, f, compress=False)),
        "aircraft_json": ("aircraft.json", snapshot(write_aircraft_json)),
        "v2_api": ("v2.json", snapshot(write_v2)),
        "opensky_csv": ("states.csv", write_state_vectors_csv),
        "opensky_parquet": ("states.parquet", write_state_vectors_parquet),
        "opensky_states": ("states.json", snapshot(write_states_json)),
        "opensky_tracks": ("track.json", write_tracks_json),
        "fr24_csv": ("AZQ6224_hex600864.csv", lambda p, f: write_fr24_csv(p, f)),
        "fr24_kml": ("AZQ6224_hex600864.kml", lambda p, f: write_fr24_kml(p, f, flight="ZP6224", callsign="AZQ6224")),
        "fr24_json": ("playback.json", lambda p, f: write_fr24_playback(p, f, flight_id="2c1a3f4b", callsign="AZQ6224", registration="4K-AZ100", typecode="IL76")),
        "fr24_granular": ("granular.csv", write_fr24_granular),
        "fr24_api_csv": ("AZQ6224_hex600864_data.csv", write_fr24_api_tracks),
        "sbs": ("log.sbs", lambda p, f: write_sbs(p, f)),
        "jet1090": ("messages.jsonl", lambda p, f: write_jet1090(p, f)),
        "traffic_json": ("flight.json", lambda p, f: write_traffic_json(p, f)),
    }


_CACHE: dict[str, tuple[str, bytes]] = {}


def _sample(fmt: str, tmp: Path) -> tuple[str, bytes]:
    """A small valid file of ``fmt`` (name, bytes), made once."""
    if fmt not in _CACHE:
        name, write = _writers()[fmt]
        path = tmp / name
        write(points(6), path)
        _CACHE[fmt] = (name, path.read_bytes())
    return _CACHE[fmt]


def test_every_format_is_fuzzed() -> None:
    assert set(_writers()) == set(flighttrace.formats())


def _check(ds: Dataset, n_files: int | None = 1) -> None:
    assert_counts(ds)
    flighttrace.validate_points(ds.points)
    if n_files is not None:
        assert len(ds.manifest) == n_files
    assert ds.manifest["path"].is_unique
    whole = ds.quarantine[ds.quarantine["src_row"].isna()]
    for path, error in zip(ds.manifest["path"], ds.manifest["error"], strict=False):
        reasons = whole.loc[whole["src_file"] == path, "reason"].tolist()
        assert (reasons == [error]) if error else reasons == [], (path, error, reasons)


FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("name", ["x.json", "x.csv", "x.sbs", "x.kml", "x.parquet", "x.tar", "x.gz", "x"])
@FAST
@given(data=st.binary(max_size=3000), gz=st.booleans())
def test_random_bytes(tmp_path_factory: pytest.TempPathFactory, name: str, data: bytes, gz: bool) -> None:
    folder = tmp_path_factory.mktemp("random")
    path = folder / name
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    ds = flighttrace.read(path, limits=SMALL)
    _check(ds, None if name.endswith((".tar", ".gz")) or name == "x" else 1)


@pytest.mark.parametrize("fmt", sorted(_writers()))
@FAST
@given(positions=st.lists(st.integers(0, 1 << 20), max_size=6), values=st.lists(st.integers(0, 255), max_size=6),
       cut=st.none() | st.integers(0, 1 << 20), gz=st.booleans())
def test_bytes_mutated_and_cut(tmp_path_factory: pytest.TempPathFactory, fmt: str, positions: list[int], values: list[int],
                               cut: int | None, gz: bool) -> None:
    folder = tmp_path_factory.mktemp("mutated")
    name, data = _sample(fmt, folder)
    data = mutate(data, positions, values, cut)
    ds = read_bytes_survives(gzip.compress(data, mtime=0) if gz else data, folder, name)
    _check(ds)


@pytest.mark.parametrize("fmt", sorted(_writers()))
@FAST
@given(edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.sampled_from(TOKENS), st.booleans()), min_size=1, max_size=4))
def test_tokens_inserted_or_overwritten(tmp_path_factory: pytest.TempPathFactory, fmt: str, edits: list[tuple[int, bytes, bool]]) -> None:
    folder = tmp_path_factory.mktemp("tokens")
    name, data = _sample(fmt, folder)
    buf = bytearray(data)
    for pos, token, insert in edits:
        at = pos % (len(buf) + 1)
        buf[at : at if insert else at + len(token)] = token
    path = folder / name
    path.write_bytes(bytes(buf))
    _check(flighttrace.read(path, limits=SMALL))


@FAST
@given(formats=st.lists(st.sampled_from(sorted(_writers())), min_size=1, max_size=4), cut=st.none() | st.integers(0, 1 << 16),
       positions=st.lists(st.integers(0, 1 << 16), max_size=4), gz=st.booleans(), repeat=st.booleans())
def test_tars_of_any_members_mutated_and_cut(tmp_path_factory: pytest.TempPathFactory, formats: list[str], cut: int | None,
                                             positions: list[int], gz: bool, repeat: bool) -> None:
    folder = tmp_path_factory.mktemp("tar")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for fmt in formats + (formats[:1] if repeat else []):  # repeat: two members of one name
            name, data = _sample(fmt, folder)
            info = tarfile.TarInfo("./" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    raw = mutate(buf.getvalue(), positions, [0xFF] * len(positions), cut)
    path = folder / ("day.tar.gz" if gz else "day.tar")
    path.write_bytes(gzip.compress(raw, mtime=0) if gz else raw)
    _check(flighttrace.read(path, limits=SMALL), None)


@FAST
@given(formats=st.lists(st.sampled_from(sorted(_writers())), min_size=1, max_size=4), cut=st.none() | st.integers(0, 1 << 16),
       positions=st.lists(st.integers(0, 1 << 16), max_size=4), values=st.lists(st.integers(0, 255), max_size=4),
       deflate=st.booleans(), repeat=st.booleans())
def test_zips_of_any_members_mutated_and_cut(tmp_path_factory: pytest.TempPathFactory, formats: list[str], cut: int | None,
                                             positions: list[int], values: list[int], deflate: bool, repeat: bool) -> None:
    import warnings
    import zipfile

    folder = tmp_path_factory.mktemp("zip")
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a repeated member name
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as z:
            for fmt in formats + (formats[:1] if repeat else []):
                name, data = _sample(fmt, folder)
                z.writestr(name, data)
    path = folder / "day.zip"
    path.write_bytes(mutate(buf.getvalue(), positions, values, cut))
    _check(flighttrace.read(path, limits=SMALL), None)
