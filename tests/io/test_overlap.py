"""Overlapping files, every format: each duplicate counted once, on the later file, and the counts add up.

The oracle is built without flighttrace: the same points are written into
several files as random subsets; a point is a duplicate in a file when an
earlier file (in path order, the order ``read`` keeps) already held it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flighttrace
from flighttrace.io.api import assert_counts
from tests.builders import T0, points

N_POINTS = 10
"""Points of the base track (one aircraft) or of the base snapshot (one point per aircraft)."""
SNAPSHOT_HEXES = [f"6008{k:02x}" for k in range(N_POINTS)]


def _track() -> pd.DataFrame:
    # one aircraft, a point every 20 s (whole seconds: every format keeps them exactly)
    return points(N_POINTS, step_s=20.0)


def _snapshot() -> pd.DataFrame:
    # one point per aircraft, all at T0 (a live snapshot)
    p = points(N_POINTS, step_s=20.0)
    p["icao24"] = SNAPSHOT_HEXES
    p["time"] = T0
    return p


def _writers() -> dict[str, tuple[str, bool, Callable[[pd.DataFrame, Path], None]]]:
    """Format → (file name suffix, snapshot format?, writer)."""
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
    return {
        "readsb_trace": ("trace_full_600864.json", False, lambda p, f: write_trace(p, f)),
        "aircraft_json": ("aircraft.json", True, lambda p, f: write_aircraft_json(p, f, now=now)),
        "v2_api": ("v2.json", True, lambda p, f: write_v2(p, f, now=now)),
        "opensky_csv": ("states.csv", False, write_state_vectors_csv),
        "opensky_parquet": ("states.parquet", False, write_state_vectors_parquet),
        "opensky_states": ("states.json", True, lambda p, f: write_states_json(p, f, time=now)),
        "opensky_tracks": ("track.json", False, write_tracks_json),
        "fr24_csv": ("AZQ6224_hex600864.csv", False, lambda p, f: write_fr24_csv(p, f)),
        "fr24_kml": ("AZQ6224_hex600864.kml", False, lambda p, f: write_fr24_kml(p, f, flight="ZP6224", callsign="AZQ6224")),
        "fr24_json": ("playback.json", False, lambda p, f: write_fr24_playback(p, f, flight_id="2c1a3f4b", callsign="AZQ6224",
                                                                                  registration="4K-AZ100", typecode="IL76")),
        "sbs": ("log.sbs", False, lambda p, f: write_sbs(p, f)),
        "jet1090": ("messages.jsonl", False, lambda p, f: write_jet1090(p, f)),
        "fr24_granular": ("granular.csv", False, write_fr24_granular),
        "fr24_api_csv": ("AZQ6224_hex600864_data.csv", False, write_fr24_api_tracks),
        "traffic_json": ("flight.json.gz", False, lambda p, f: write_traffic_json(p, f)),
    }


def test_every_format_is_covered() -> None:
    assert set(_writers()) == set(flighttrace.formats())


@pytest.mark.parametrize("fmt", sorted(_writers()))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subsets=st.lists(st.sets(st.integers(0, N_POINTS - 1), min_size=1), min_size=2, max_size=4))
def test_overlapping_files_count_each_duplicate_once_on_the_later_file(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, subsets: list[set[int]]
) -> None:
    suffix, snapshot, write = _writers()[fmt]
    base = _snapshot() if snapshot else _track()
    folder = tmp_path_factory.mktemp("overlap")
    paths = []
    for i, rows in enumerate(subsets):
        path = folder / f"{i:02d}_{suffix}"
        write(base.iloc[sorted(rows)].reset_index(drop=True), path)
        paths.append(path.as_posix())
    ds = flighttrace.read(folder)
    assert_counts(ds)  # rows_read == kept + quarantined + duplicate + filtered, file by file
    m = ds.manifest.set_index("path").loc[paths]
    assert (m["format"] == fmt).all() and (m["error"] == "").all()
    seen: set[int] = set()
    for path, rows in zip(paths, subsets, strict=False):
        dup = len(rows & seen)
        assert (m.loc[path, "rows_read"], m.loc[path, "rows_quarantined"]) == (len(rows), 0), path
        assert (m.loc[path, "rows_kept"], m.loc[path, "rows_duplicate"]) == (len(rows) - dup, dup), path
        seen |= rows
    # the Points table holds each point of the union once, from the first file that had it
    assert len(ds.points) == len(seen)
    first_file = {r: next(p for p, rows in zip(paths, subsets, strict=False) if r in rows) for r in seen}
    key = "icao24" if snapshot else "time"
    want = {(str(base[key].iloc[r]), first_file[r]) for r in seen}
    assert set(zip(ds.points[key].astype(str), ds.points["src_file"].astype(str), strict=False)) == want
